//! Idempotency keys for mutations that move money or points: the first answer is kept
//! with a hash of the input; a retry with the same key and input gets that answer, the same
//! key with other input is CONFLICT. The key is claimed before the fund is locked, with the answer the
//! request will give (its ids are chosen up front); the claim commits or rolls back with the
//! work. A concurrent retry's claim waits on the first one's uncommitted row (PostgreSQL's
//! unique index; SQLite has a single writer) and then finds it.

use chrono::Utc;
use entity::idempotency_record;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, sea_query::OnConflict};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{AppError, AppResult, msg};

pub struct Key {
    pub user_id: Uuid,
    pub key: String,
    pub operation: &'static str,
    input_hash: String,
}

impl Key {
    /// `input` must hold everything that makes the request what it is (serde_json sorts
    /// object keys, so equal input hashes equally).
    pub fn new(
        user_id: Uuid,
        key: &str,
        operation: &'static str,
        input: &Value,
    ) -> AppResult<Self> {
        let key = key.trim();
        if !(8..=100).contains(&key.len()) || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AppError::bad_input(
                "input.idempotencyKey",
                msg!("an idempotency key is 8 to 100 visible ASCII characters, e.g. a UUID"),
            ));
        }
        let input_hash = Sha256::digest(input.to_string().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Self {
            user_id,
            key: key.to_owned(),
            operation,
            input_hash,
        })
    }

    /// Claims the key for a request that will answer `response`. `None`: the key is new,
    /// go on; `Some`: the first answer of an earlier request with the same input, to give
    /// again instead of doing the work twice.
    pub async fn claim(
        &self,
        conn: &impl ConnectionTrait,
        response: Value,
    ) -> AppResult<Option<Value>> {
        let claimed = idempotency_record::Entity::insert(idempotency_record::ActiveModel {
            user_id: Set(self.user_id),
            key: Set(self.key.clone()),
            operation: Set(self.operation.to_owned()),
            input_hash: Set(self.input_hash.clone()),
            response: Set(response),
            created_at: Set(Utc::now()),
        })
        .on_conflict(
            OnConflict::columns([
                idempotency_record::Column::UserId,
                idempotency_record::Column::Key,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
        if claimed == 1 {
            return Ok(None);
        }
        self.replay(conn).await?.map(Some).ok_or_else(|| {
            AppError::Conflict(msg!(
                "a request with this idempotency key is still running; retry"
            ))
        })
    }

    /// The first answer, if this key was used before for the same input.
    async fn replay(&self, conn: &impl ConnectionTrait) -> AppResult<Option<Value>> {
        let Some(record) = idempotency_record::Entity::find_by_id((self.user_id, self.key.clone()))
            .one(conn)
            .await?
        else {
            return Ok(None);
        };
        if record.operation != self.operation || record.input_hash != self.input_hash {
            return Err(AppError::Conflict(msg!(
                "this idempotency key was used for a different request"
            )));
        }
        Ok(Some(record.response))
    }
}
