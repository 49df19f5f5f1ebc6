//! What a published statement's signature covers, version 1 (docs/ledger-hash.md,
//! "Statement signatures"): the fund, the seq range, both balances, the head hash, the
//! publication time and the previous statement's head and signature, so statements chain
//! as entries do and history between two notices cannot be rewritten unnoticed.

use chrono::{DateTime, Utc};
use entity::statement;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    error::AppResult,
    signing::{SigningKeys, unhex},
};

/// The first bytes of every signed statement: no other signed message starts so.
pub const LABEL: &[u8] = b"jiedao statement v1\0";

/// What of a statement is signed.
pub struct Signed<'a> {
    pub fund_id: Uuid,
    pub from_seq: i64,
    pub to_seq: i64,
    pub opening_balance_fen: i64,
    pub closing_balance_fen: i64,
    pub head_hash: &'a str,
    pub published_at: DateTime<Utc>,
    /// The previous statement's head hash and signature.
    pub previous: Option<(&'a str, &'a str)>,
    pub key_id: &'a str,
}

/// The version-1 bytes; `None` if a hash, signature or key id is not well-formed hex.
pub fn message(s: &Signed<'_>) -> Option<Vec<u8>> {
    let mut bytes = Vec::with_capacity(220);
    bytes.extend_from_slice(LABEL);
    bytes.extend_from_slice(s.fund_id.as_bytes());
    for number in [
        s.from_seq,
        s.to_seq,
        s.opening_balance_fen,
        s.closing_balance_fen,
    ] {
        bytes.extend_from_slice(&number.to_be_bytes());
    }
    bytes.extend_from_slice(&exact(s.head_hash, 32)?);
    bytes.extend_from_slice(&s.published_at.timestamp_micros().to_be_bytes());
    match s.previous {
        None => bytes.push(0),
        Some((head, signature)) => {
            bytes.push(1);
            bytes.extend_from_slice(&exact(head, 32)?);
            bytes.extend_from_slice(&exact(signature, 64)?);
        }
    }
    bytes.extend_from_slice(&exact(s.key_id, 8)?);
    Some(bytes)
}

fn exact(hex: &str, len: usize) -> Option<Vec<u8>> {
    unhex(hex).filter(|b| b.len() == len)
}

/// What `statement` signs (with `key_id`), given the statement before it.
pub fn of<'a>(
    statement: &'a statement::Model,
    previous: Option<&'a statement::Model>,
    key_id: &'a str,
) -> Option<Vec<u8>> {
    let previous = match previous {
        Some(p) => Some((p.head_hash.as_str(), p.signature.as_deref()?)),
        None => None,
    };
    message(&Signed {
        fund_id: statement.fund_id,
        from_seq: statement.from_seq,
        to_seq: statement.to_seq,
        opening_balance_fen: statement.opening_balance_fen,
        closing_balance_fen: statement.closing_balance_fen,
        head_hash: &statement.head_hash,
        published_at: statement.published_at,
        previous,
        key_id,
    })
}

/// Signs `statement` as following `previous`: `(key id, signature)`.
pub fn sign(
    keys: &SigningKeys,
    statement: &statement::Model,
    previous: Option<&statement::Model>,
) -> Option<(String, String)> {
    let message = of(statement, previous, keys.signer_id())?;
    Some(keys.sign(&message))
}

/// A fund's statements in publication order, each after the one it names as previous.
pub async fn in_publication_order(
    conn: &impl ConnectionTrait,
    fund_id: Uuid,
) -> AppResult<Vec<statement::Model>> {
    Ok(statement::Entity::find()
        .filter(statement::Column::FundId.eq(fund_id))
        .order_by_asc(statement::Column::PublishedAt)
        .order_by_asc(statement::Column::Id)
        .all(conn)
        .await?)
}

/// Whether a fund's statements, in publication order, each name the one before and carry
/// a valid signature by a key of this deployment. `Err(id)` is the first that does not.
pub fn check_chain(keys: &SigningKeys, in_order: &[statement::Model]) -> Result<(), Uuid> {
    let mut previous: Option<&statement::Model> = None;
    for st in in_order {
        let good = st.prev_statement_id == previous.map(|p| p.id)
            && match (&st.key_id, &st.signature) {
                (Some(key_id), Some(signature)) => of(st, previous, key_id)
                    .is_some_and(|message| keys.verify(key_id, &message, signature)),
                _ => false,
            };
        if !good {
            return Err(st.id);
        }
        previous = Some(st);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> SigningKeys {
        SigningKeys::parse(&crate::signing::new_entry(1)).unwrap_or_else(|e| panic!("{e}"))
    }

    fn statement(from: i64, to: i64, head: &str, prev: Option<Uuid>) -> statement::Model {
        let at = DateTime::from_timestamp_micros(1_800_000_000_000_000 + to).unwrap_or_default();
        statement::Model {
            id: Uuid::now_v7(),
            community_id: Uuid::from_u128(1),
            fund_id: Uuid::from_u128(2),
            from_seq: from,
            to_seq: to,
            opening_balance_fen: 100,
            closing_balance_fen: 200,
            head_hash: head.to_owned(),
            first_occurred_at: at,
            last_occurred_at: at,
            share_token_hash: String::new(),
            published_by: Uuid::from_u128(3),
            published_at: at,
            prev_statement_id: prev,
            key_id: None,
            signature: None,
            signed_at: None,
        }
    }

    fn signed(
        keys: &SigningKeys,
        mut st: statement::Model,
        prev: Option<&statement::Model>,
    ) -> statement::Model {
        let (key_id, signature) = sign(keys, &st, prev).unwrap_or_default();
        st.key_id = Some(key_id);
        st.signature = Some(signature);
        st
    }

    #[test]
    fn a_chain_of_signed_statements_holds_and_any_change_breaks_it_there() {
        let keys = keys();
        let first = signed(&keys, statement(1, 3, &"aa".repeat(32), None), None);
        let second = signed(
            &keys,
            statement(4, 9, &"bb".repeat(32), Some(first.id)),
            Some(&first),
        );
        let chain = vec![first.clone(), second.clone()];
        assert_eq!(check_chain(&keys, &chain), Ok(()));

        // A head rewritten (with every later hash, as the database file allows).
        let mut rewritten = chain.clone();
        rewritten[1].head_hash = "cc".repeat(32);
        assert_eq!(check_chain(&keys, &rewritten), Err(second.id));
        // A first statement re-signed by another key makes the second's link fail.
        let mut forged = chain.clone();
        forged[0] = signed(&self::keys(), statement(1, 3, &"dd".repeat(32), None), None);
        assert_eq!(check_chain(&keys, &forged), Err(forged[0].id));
        // A statement dropped from the chain.
        assert_eq!(check_chain(&keys, &chain[1..]), Err(second.id));
        // Balances and the publication time are signed too.
        let mut moved = chain.clone();
        moved[0].closing_balance_fen += 1;
        assert_eq!(check_chain(&keys, &moved), Err(first.id));
        let mut later = chain;
        later[1].published_at += chrono::Duration::microseconds(1);
        assert_eq!(check_chain(&keys, &later), Err(second.id));
    }

    #[test]
    fn an_unsigned_statement_or_malformed_hash_does_not_verify() {
        let keys = keys();
        let unsigned = statement(1, 1, &"aa".repeat(32), None);
        assert_eq!(
            check_chain(&keys, std::slice::from_ref(&unsigned)),
            Err(unsigned.id)
        );
        assert!(sign(&keys, &statement(1, 1, "not hex", None), None).is_none());
    }
}
