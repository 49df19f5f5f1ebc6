//! A compound's points ranking: only accounts whose holders opted in, highest balance
//! first, shown as building and masked name. Ranks are competition ranks (equal balances
//! share a rank, 1, 2, 2, 4); a page costs its rows, one count and its labels.

use async_graphql::{
    SimpleObject,
    connection::{Connection, Edge},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use entity::{points_account, role_grant::Role};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Func, SimpleExpr},
};
use uuid::Uuid;

use super::{access::is_staff, accounts::open_account, labels::labels_of, mine::my_owner};
use crate::{
    audit::Audited,
    auth::Viewer,
    error::{AppError, AppResult, msg},
    graphql::pagination::{ConnectionTotals, Page, PageArgs},
    tenancy::{lives_in, place_of, visible_compound_at},
};

/// One line of a ranking.
#[derive(SimpleObject, Clone)]
pub struct RankingRow {
    pub rank: i64,
    /// 3号楼
    pub building: String,
    /// 王**
    pub masked_name: String,
    pub balance: i64,
}

/// Opts the caller's account into (or out of) their compound's ranking; opens the account
/// if nothing was awarded yet.
pub async fn set_opt_in(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    opt_in: bool,
) -> AppResult<Audited<points_account::Model>> {
    let (owner, home) = my_owner(conn, viewer).await?;
    let place = place_of(conn, viewer, home.community).await?;
    let account = open_account(conn, home.community, owner, home.household).await?;
    points_account::Entity::update_many()
        .col_expr(points_account::Column::RankingOptIn, Expr::value(opt_in))
        .filter(points_account::Column::Id.eq(account.id))
        .exec(conn)
        .await?;
    let account = points_account::Model {
        ranking_opt_in: opt_in,
        ..account
    };
    Ok(Audited::new(account.clone(), place, account.id))
}

fn ranked(compound: Uuid) -> Condition {
    Condition::all()
        .add(points_account::Column::CompoundId.eq(compound))
        .add(points_account::Column::RankingOptIn.eq(true))
}

/// An opted-in account's rank in its compound (1 + those with more points); `None` when it
/// has not opted in.
pub async fn rank_of(
    conn: &impl ConnectionTrait,
    account: &points_account::Model,
) -> AppResult<Option<i64>> {
    if !account.ranking_opt_in {
        return Ok(None);
    }
    let above: u64 = sea_orm::PaginatorTrait::count(
        points_account::Entity::find()
            .filter(ranked(account.compound_id))
            .filter(points_account::Column::Balance.gt(account.balance)),
        conn,
    )
    .await?;
    Ok(Some(above as i64 + 1))
}

/// Who may read a compound's ranking: staff, and the residents living there.
async fn check_read(conn: &impl ConnectionTrait, viewer: &Viewer, compound: Uuid) -> AppResult<()> {
    let (_, place) = visible_compound_at(conn, viewer, compound).await?;
    if is_staff(viewer, place) {
        return Ok(());
    }
    let homes = viewer.scope_ids(Role::Resident);
    if !homes.is_empty() && lives_in(conn, &homes, compound).await? {
        return Ok(());
    }
    Err(AppError::Forbidden(msg!(
        "a compound's points ranking is for its residents and community staff"
    )))
}

fn cursor(balance: i64, id: Uuid) -> String {
    let mut bytes = id.as_bytes().to_vec();
    bytes.extend_from_slice(&balance.to_be_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

fn decode(cursor: &str) -> AppResult<(i64, Uuid)> {
    let refused = || AppError::bad_input("after", msg!("not a cursor from this list"));
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| refused())?;
    if bytes.len() != 24 {
        return Err(refused());
    }
    let id = Uuid::from_slice(&bytes[..16]).map_err(|_| refused())?;
    let balance = i64::from_be_bytes(bytes[16..].try_into().map_err(|_| refused())?);
    Ok((balance, id))
}

/// A page of a compound's ranking, keyset on (balance descending, id).
pub async fn ranking(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    compound: Uuid,
    first: Option<i32>,
    after: Option<String>,
) -> AppResult<Page<RankingRow>> {
    check_read(conn, viewer, compound).await?;
    let args = PageArgs::new(first, None)?;
    let after = after.map(|a| decode(&a)).transpose()?;
    let base = points_account::Entity::find().filter(ranked(compound));
    let totals = ConnectionTotals::of(base.clone(), None);
    let mut query = base
        .order_by_desc(points_account::Column::Balance)
        .order_by_asc(points_account::Column::Id);
    if let Some((balance, id)) = after {
        query = query.filter(
            Condition::any()
                .add(points_account::Column::Balance.lt(balance))
                .add(
                    Condition::all()
                        .add(points_account::Column::Balance.eq(balance))
                        .add(points_account::Column::Id.gt(id)),
                ),
        );
    }
    let rows = query.limit(args.first + 1).all(conn).await?;
    let has_next = rows.len() as u64 > args.first;
    let rows: Vec<points_account::Model> = rows.into_iter().take(args.first as usize).collect();
    let mut connection = Connection::with_additional_fields(after.is_some(), has_next, totals);
    let Some(top) = rows.first().map(|r| r.balance) else {
        return Ok(connection);
    };
    // Those above the page's first balance, and those at or above it: every rank of the
    // page follows from the two and the page itself.
    let count_if = |condition: SimpleExpr| SimpleExpr::from(Func::count(Expr::case(condition, 1)));
    let (above, at_or_above): (i64, i64) = points_account::Entity::find()
        .select_only()
        .column_as(
            count_if(Expr::col(points_account::Column::Balance).gt(top)),
            "above",
        )
        .column_as(
            count_if(Expr::col(points_account::Column::Balance).gte(top)),
            "at_or_above",
        )
        .filter(ranked(compound))
        .into_tuple()
        .one(conn)
        .await?
        .unwrap_or((0, 0));
    let labels = labels_of(conn, &rows.iter().collect::<Vec<_>>()).await?;
    for (i, row) in rows.iter().enumerate() {
        let rank = if row.balance == top {
            above + 1
        } else {
            let between = rows[..i]
                .iter()
                .filter(|r| r.balance < top && r.balance > row.balance)
                .count() as i64;
            at_or_above + between + 1
        };
        let label = labels.get(&row.id).cloned().unwrap_or_default();
        connection.edges.push(Edge::new(
            cursor(row.balance, row.id),
            RankingRow {
                rank,
                building: label.building,
                masked_name: label.masked_name,
                balance: row.balance,
            },
        ));
    }
    Ok(connection)
}
