//! Relay connections with keyset cursors (ARCHITECTURE.md §7): rows are ordered by their
//! UUID v7 id, a cursor is the last id seen, so page 5,000 costs what page 1 costs.

use async_graphql::{
    Context, Object, OutputType,
    connection::{Connection, Edge},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use futures::future::BoxFuture;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use crate::{
    error::{AppError, AppResult, msg},
    graphql::ContextExt,
};

pub const DEFAULT_PAGE_SIZE: i32 = 20;
pub const MAX_PAGE_SIZE: i32 = 100;

type CountQuery =
    Box<dyn Fn(DatabaseConnection) -> BoxFuture<'static, Result<u64, DbErr>> + Send + Sync>;

/// Extra fields on every connection. The count runs only when a query selects
/// `totalCount`: counting every match costs far more than a keyset page (a community's
/// residents at a street office's size), and most pages never show it.
pub struct ConnectionTotals {
    count: CountQuery,
}

impl ConnectionTotals {
    fn of<E>(select: Select<E>) -> Self
    where
        E: EntityTrait,
        E::Model: Sync,
    {
        Self {
            count: Box::new(move |db| {
                let select = select.clone();
                Box::pin(async move { select.count(&db).await })
            }),
        }
    }
}

#[Object]
impl ConnectionTotals {
    /// How many items match, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        let db = ctx.services().db.reader().clone();
        Ok((self.count)(db).await.map_err(AppError::from)?)
    }
}

pub type Page<N> = Connection<String, N, ConnectionTotals>;

/// Validated `first`/`after` arguments.
#[derive(Clone, Copy, Debug)]
pub struct PageArgs {
    pub first: u64,
    pub after: Option<Uuid>,
}

impl PageArgs {
    pub fn new(first: Option<i32>, after: Option<String>) -> AppResult<Self> {
        let first = first.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(0..=MAX_PAGE_SIZE).contains(&first) {
            return Err(AppError::bad_input(
                "first",
                msg!("first must be between 0 and {max}", max = MAX_PAGE_SIZE),
            ));
        }
        let after = after.map(|cursor| decode_cursor(&cursor)).transpose()?;
        Ok(Self {
            first: first as u64,
            after,
        })
    }
}

pub fn encode_cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

fn decode_cursor(cursor: &str) -> AppResult<Uuid> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| Uuid::from_slice(&bytes).ok())
        .ok_or_else(|| AppError::bad_input("after", msg!("not a cursor from this list")))
}

/// Runs one keyset page of `select` (already filtered to the caller's reach) in one
/// statement; the total is counted later, and only if the query asks for it.
pub async fn keyset_page<E, N>(
    conn: &impl ConnectionTrait,
    select: Select<E>,
    id_column: E::Column,
    args: PageArgs,
    mut to_node: impl FnMut(E::Model) -> N,
) -> AppResult<Page<N>>
where
    E: EntityTrait,
    E::Model: Sync,
    N: OutputType,
{
    try_keyset_page(conn, select, id_column, args, |row| Ok(to_node(row))).await
}

/// [`keyset_page`] for nodes whose construction can fail (decrypting personal data).
pub async fn try_keyset_page<E, N>(
    conn: &impl ConnectionTrait,
    select: Select<E>,
    id_column: E::Column,
    args: PageArgs,
    mut to_node: impl FnMut(E::Model) -> AppResult<N>,
) -> AppResult<Page<N>>
where
    E: EntityTrait,
    E::Model: Sync,
    N: OutputType,
{
    let totals = ConnectionTotals::of(select.clone());
    let mut page = select;
    if let Some(after) = args.after {
        page = page.filter(id_column.gt(after));
    }
    let rows = page
        .order_by_asc(id_column)
        .limit(args.first + 1)
        .all(conn)
        .await?;
    let has_next = rows.len() as u64 > args.first;
    let mut connection = Connection::with_additional_fields(args.after.is_some(), has_next, totals);
    for row in rows.into_iter().take(args.first as usize) {
        let id = id_of::<E>(&row, id_column)?;
        connection
            .edges
            .push(Edge::new(encode_cursor(id), to_node(row)?));
    }
    Ok(connection)
}

fn id_of<E: EntityTrait>(row: &E::Model, id_column: E::Column) -> AppResult<Uuid> {
    use sea_orm::ModelTrait;
    match row.get(id_column) {
        sea_orm::Value::Uuid(Some(id)) => Ok(id),
        _ => Err(AppError::internal(std::io::Error::other(
            "keyset column is not a UUID",
        ))),
    }
}

/// The complexity of a list field: each of the `first` items costs what its selection costs
/// (ARCHITECTURE.md §7), so `first: 100` of a deep selection is refused up front.
pub fn list_complexity(first: Option<i32>, child_complexity: usize) -> usize {
    let first = usize::try_from(first.unwrap_or(DEFAULT_PAGE_SIZE)).unwrap_or(0);
    first.saturating_mul(child_complexity).saturating_add(1)
}
