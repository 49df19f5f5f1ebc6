//! Relay connections with keyset cursors (ARCHITECTURE.md §7): rows are ordered by their
//! UUID v7 id (or a time, then the id), a cursor is the last row seen, so page 5,000 costs
//! what page 1 costs.

use std::sync::Arc;

use async_graphql::{
    Context, Object, OutputType,
    connection::{Connection, Edge},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, ModelTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use crate::{
    db::Reads,
    error::{AppError, AppResult, msg},
    graphql::ContextExt,
};

pub const DEFAULT_PAGE_SIZE: i32 = 20;
pub const MAX_PAGE_SIZE: i32 = 100;

type CountQuery = Box<dyn Fn(Reads) -> BoxFuture<'static, Result<u64, DbErr>> + Send + Sync>;

/// Extra fields on every connection. The count runs only when a query selects
/// `totalCount`: counting every match costs far more than a keyset page (a community's
/// residents at a street office's size), and most pages never show it.
pub struct ConnectionTotals {
    count: CountQuery,
}

impl ConnectionTotals {
    pub fn of<E>(select: Select<E>, keep: Option<Keep<E::Model>>) -> Self
    where
        E: EntityTrait,
        E::Model: Sync,
    {
        Self {
            count: Box::new(move |db| {
                let select = select.clone();
                let keep = keep.clone();
                Box::pin(async move {
                    match keep {
                        None => select.count(&db).await,
                        // Counting under a rule SQL cannot say reads the rows.
                        Some(keep) => Ok(select
                            .all(&db)
                            .await?
                            .iter()
                            .filter(|row| keep(row))
                            .count() as u64),
                    }
                })
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
    after: Option<Cursor>,
}

impl PageArgs {
    /// Whether this asks for a first page (no `after`).
    pub fn is_first_page(&self) -> bool {
        self.after.is_none()
    }

    pub fn new(first: Option<i32>, after: Option<String>) -> AppResult<Self> {
        let first = first.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(0..=MAX_PAGE_SIZE).contains(&first) {
            return Err(AppError::bad_input(
                "first",
                msg!("first must be between 0 and {max}", max = MAX_PAGE_SIZE),
            ));
        }
        let after = after.map(|cursor| Cursor::decode(&cursor)).transpose()?;
        Ok(Self {
            first: first as u64,
            after,
        })
    }
}

/// The last row a page showed: its id, and for lists ordered by a time its time, so the
/// next page starts right after it without looking it up.
#[derive(Clone, Copy, Debug)]
struct Cursor {
    id: Uuid,
    at: Option<DateTime<Utc>>,
}

impl Cursor {
    fn encode(&self) -> String {
        let mut bytes = self.id.as_bytes().to_vec();
        if let Some(at) = self.at {
            bytes.extend_from_slice(&at.timestamp_micros().to_be_bytes());
        }
        URL_SAFE_NO_PAD.encode(bytes)
    }

    fn decode(cursor: &str) -> AppResult<Self> {
        let refused = || AppError::bad_input("after", msg!("not a cursor from this list"));
        let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| refused())?;
        let (id, at) = match bytes.len() {
            16 => (&bytes[..], None),
            24 => {
                let micros = i64::from_be_bytes(bytes[16..].try_into().map_err(|_| refused())?);
                let at = DateTime::from_timestamp_micros(micros).ok_or_else(refused)?;
                (&bytes[..16], Some(at))
            }
            _ => return Err(refused()),
        };
        Ok(Self {
            id: Uuid::from_slice(id).map_err(|_| refused())?,
            at,
        })
    }
}

pub fn encode_cursor(id: Uuid) -> String {
    Cursor { id, at: None }.encode()
}

/// How a list runs. Every order ends on the UUID v7 id, so it is total and a cursor is exact.
#[derive(Clone, Copy, Debug)]
pub enum Order<C> {
    /// By id: the order rows were created in.
    OldestFirst(C),
    /// By id, newest first.
    NewestFirst(C),
    /// By a time column, latest first, then newest id (meetings by when they start).
    LatestBy { at: C, id: C },
    /// By a time column, earliest first, then oldest id (care alerts, longest missed first).
    EarliestBy { at: C, id: C },
}

impl<C: ColumnTrait> Order<C> {
    fn id_column(&self) -> C {
        match *self {
            Self::OldestFirst(id)
            | Self::NewestFirst(id)
            | Self::LatestBy { id, .. }
            | Self::EarliestBy { id, .. } => id,
        }
    }

    fn sorted<E: EntityTrait<Column = C>>(&self, select: Select<E>) -> Select<E> {
        match *self {
            Self::OldestFirst(id) => select.order_by_asc(id),
            Self::NewestFirst(id) => select.order_by_desc(id),
            Self::LatestBy { at, id } => select.order_by_desc(at).order_by_desc(id),
            Self::EarliestBy { at, id } => select.order_by_asc(at).order_by_asc(id),
        }
    }

    /// Rows after `cursor` in this order; a cursor of another list is refused.
    fn after<E: EntityTrait<Column = C>>(
        &self,
        select: Select<E>,
        cursor: Cursor,
    ) -> AppResult<Select<E>> {
        Ok(match (*self, cursor.at) {
            (Self::OldestFirst(id), None) => select.filter(id.gt(cursor.id)),
            (Self::NewestFirst(id), None) => select.filter(id.lt(cursor.id)),
            (Self::LatestBy { at, id }, Some(when)) => select.filter(
                Condition::any()
                    .add(at.lt(when))
                    .add(Condition::all().add(at.eq(when)).add(id.lt(cursor.id))),
            ),
            (Self::EarliestBy { at, id }, Some(when)) => select.filter(
                Condition::any()
                    .add(at.gt(when))
                    .add(Condition::all().add(at.eq(when)).add(id.gt(cursor.id))),
            ),
            _ => {
                return Err(AppError::bad_input(
                    "after",
                    msg!("not a cursor from this list"),
                ));
            }
        })
    }

    fn cursor_of<M: ModelTrait>(&self, row: &M) -> AppResult<Cursor>
    where
        M::Entity: EntityTrait<Column = C>,
    {
        let at = match *self {
            Self::LatestBy { at, .. } | Self::EarliestBy { at, .. } => Some(time_of(row, at)?),
            _ => None,
        };
        Ok(Cursor {
            id: id_of(row, self.id_column())?,
            at,
        })
    }
}

/// A visibility rule SQL cannot say (buildings or mediators kept as JSON lists), applied to
/// each row; pages then read on until they are full.
pub type Keep<M> = Arc<dyn Fn(&M) -> bool + Send + Sync>;

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
    ordered_page(
        conn,
        select,
        Order::OldestFirst(id_column),
        None,
        args,
        |row| Ok(to_node(row)),
    )
    .await
}

/// [`keyset_page`] for nodes whose construction can fail (decrypting personal data).
pub async fn try_keyset_page<E, N>(
    conn: &impl ConnectionTrait,
    select: Select<E>,
    id_column: E::Column,
    args: PageArgs,
    to_node: impl FnMut(E::Model) -> AppResult<N>,
) -> AppResult<Page<N>>
where
    E: EntityTrait,
    E::Model: Sync,
    N: OutputType,
{
    ordered_page(
        conn,
        select,
        Order::OldestFirst(id_column),
        None,
        args,
        to_node,
    )
    .await
}

/// A keyset page in any [`Order`], optionally narrowed by a rule applied in memory. Without
/// `keep` it is one statement; with it, more only when the rule turns most rows away.
pub async fn ordered_page<E, N>(
    conn: &impl ConnectionTrait,
    select: Select<E>,
    order: Order<E::Column>,
    keep: Option<Keep<E::Model>>,
    args: PageArgs,
    to_node: impl FnMut(E::Model) -> AppResult<N>,
) -> AppResult<Page<N>>
where
    E: EntityTrait,
    E::Model: Sync,
    N: OutputType,
{
    let totals = ConnectionTotals::of(select.clone(), keep.clone());
    let wanted = args.first + 1;
    // A filtered list reads in larger steps, so a sparse rule does not cost a round trip
    // per row kept.
    let step = if keep.is_some() {
        wanted.max(50)
    } else {
        wanted
    };
    let mut rows = Vec::new();
    let mut cursor = args.after;
    loop {
        let mut query = order.sorted(select.clone());
        if let Some(cursor) = cursor {
            query = order.after(query, cursor)?;
        }
        let fetched = query.limit(step).all(conn).await?;
        let exhausted = (fetched.len() as u64) < step;
        if let Some(last) = fetched.last() {
            cursor = Some(order.cursor_of(last)?);
        }
        rows.extend(
            fetched
                .into_iter()
                .filter(|row| keep.as_ref().is_none_or(|keep| keep(row))),
        );
        if exhausted || rows.len() as u64 >= wanted {
            break;
        }
    }
    finish(rows, order, args, totals, to_node)
}

/// The page of rows read in `order` (at most `first + 1`, the extra one saying there is a
/// next page), with their cursors.
fn finish<M: ModelTrait, N: OutputType>(
    rows: Vec<M>,
    order: Order<<M::Entity as EntityTrait>::Column>,
    args: PageArgs,
    totals: ConnectionTotals,
    mut to_node: impl FnMut(M) -> AppResult<N>,
) -> AppResult<Page<N>> {
    let has_next = rows.len() as u64 > args.first;
    let mut connection = Connection::with_additional_fields(args.after.is_some(), has_next, totals);
    for row in rows.into_iter().take(args.first as usize) {
        let cursor = order.cursor_of(&row)?.encode();
        connection.edges.push(Edge::new(cursor, to_node(row)?));
    }
    Ok(connection)
}

/// A first page (no `after`) of rows already read in `order`, at most `first + 1` of them:
/// a nested list read for every parent on a page in one batched statement (a loader)
/// gets the same cursors as [`ordered_page`], so its next pages run through it. The total
/// is counted from `select`, and only if asked.
pub fn prefetched_page<E, N>(
    select: Select<E>,
    rows: Vec<E::Model>,
    order: Order<E::Column>,
    args: PageArgs,
    to_node: impl FnMut(E::Model) -> AppResult<N>,
) -> AppResult<Page<N>>
where
    E: EntityTrait,
    E::Model: Sync,
    N: OutputType,
{
    if args.after.is_some() {
        return Err(AppError::internal(std::io::Error::other(
            "a prefetched page is a first page",
        )));
    }
    finish(
        rows,
        order,
        args,
        ConnectionTotals::of(select, None),
        to_node,
    )
}

/// A page of a short child list already loaded whole, oldest first (loaded for every
/// parent on a page at once, one statement for all): the same arguments and cursors as a
/// keyset page, sliced in memory.
pub fn loaded_page<R, N: OutputType>(
    rows: Vec<R>,
    id: impl Fn(&R) -> Uuid,
    args: PageArgs,
    mut to_node: impl FnMut(R) -> N,
) -> Page<N> {
    let after = args.after.map(|c| c.id);
    let total = rows.len() as u64;
    let mut rest: Vec<R> = rows
        .into_iter()
        .filter(|row| after.is_none_or(|after| id(row) > after))
        .collect();
    rest.sort_by_key(|row| id(row));
    let has_next = rest.len() as u64 > args.first;
    let totals = ConnectionTotals {
        count: Box::new(move |_| Box::pin(async move { Ok(total) })),
    };
    let mut connection = Connection::with_additional_fields(after.is_some(), has_next, totals);
    for row in rest.into_iter().take(args.first as usize) {
        connection
            .edges
            .push(Edge::new(encode_cursor(id(&row)), to_node(row)));
    }
    connection
}

fn id_of<M: ModelTrait>(row: &M, id_column: <M::Entity as EntityTrait>::Column) -> AppResult<Uuid> {
    match row.get(id_column) {
        sea_orm::Value::Uuid(Some(id)) => Ok(id),
        _ => Err(AppError::internal(std::io::Error::other(
            "keyset column is not a UUID",
        ))),
    }
}

fn time_of<M: ModelTrait>(
    row: &M,
    column: <M::Entity as EntityTrait>::Column,
) -> AppResult<DateTime<Utc>> {
    match row.get(column) {
        sea_orm::Value::ChronoDateTimeUtc(Some(at)) => Ok(at),
        _ => Err(AppError::internal(std::io::Error::other(
            "keyset time column is not a UTC time",
        ))),
    }
}

/// The complexity of a list field: each of the `first` items costs what its selection costs
/// (ARCHITECTURE.md §7), so `first: 100` of a deep selection is refused up front.
pub fn list_complexity(first: Option<i32>, child_complexity: usize) -> usize {
    let first = usize::try_from(first.unwrap_or(DEFAULT_PAGE_SIZE)).unwrap_or(0);
    first.saturating_mul(child_complexity).saturating_add(1)
}
