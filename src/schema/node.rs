//! Global object identification (the Relay `Node` interface): `node(id:)` and `nodes(ids:)`
//! refetch any object by its ID alone. IDs stay the UUIDs every other field takes, unique
//! across tables (UUID v7), so no client has to translate them; one statement finds which
//! table an ID is in, and the object is then read through its own root field, so the
//! reach, masking and audit are exactly those of `resident(id:)`, `fund(id:)` and the rest.

use async_graphql::{Context, ID, Interface, Object, PathSegment, Result, ServerError};
use entity::{
    announcement, app_user, building, committee, community, compound, dwelling, expense, fund,
    grid, household, ledger_entry, levy, mediation_case, meeting, motion, resident,
    service_request, statement, street_office,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait,
    sea_query::{Expr, SelectStatement, UnionType},
};
use uuid::Uuid;

use crate::{
    announcements::graphql::{Announcement, AnnouncementQuery},
    committees::{graphql::CommitteeQuery, types::Committee},
    error::{AppError, Msg, msg},
    funds::{
        expense_graphql::ExpenseQuery,
        expense_types::Expense,
        graphql::FundQuery,
        levy_graphql::Levy,
        types::{Fund, LedgerEntry, PublishedStatement},
    },
    graphql::{ContextExt, parse_id},
    identity::{graphql::IdentityQuery, types::User},
    mediation::graphql::{MediationCase, MediationQuery},
    meetings::{
        graphql::MeetingQuery, meeting_types::Meeting, motion_graphql::MotionQuery,
        motion_types::Motion,
    },
    org::graphql::{Community, OrgQuery, StreetOffice},
    registry::{
        dwelling_graphql::{Dwelling, DwellingQuery},
        graphql::RegistryQuery,
        grid_graphql::GridQuery,
        resident_graphql::ResidentQuery,
        resident_types::{Household, Resident},
        types::{Building, Compound, Grid},
    },
    requests::{query::RequestQuery, types::ServiceRequest},
};

/// The most IDs one `nodes` call takes, as many as a page holds.
const MAX_NODES: usize = 100;

/// An object that can be refetched by its ID alone.
// Built one at a time and handed straight to the response: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Interface)]
#[graphql(field(name = "id", ty = "&ID"))]
pub enum Node {
    StreetOffice(StreetOffice),
    Community(Community),
    Compound(Compound),
    Building(Building),
    Grid(Grid),
    Dwelling(Dwelling),
    Household(Household),
    Resident(Resident),
    User(User),
    Committee(Committee),
    Fund(Fund),
    LedgerEntry(LedgerEntry),
    PublishedStatement(PublishedStatement),
    Levy(Levy),
    Expense(Expense),
    Meeting(Meeting),
    Motion(Motion),
    ServiceRequest(ServiceRequest),
    Announcement(Announcement),
    MediationCase(MediationCase),
}

/// The tables whose rows are nodes, named as [`read`] dispatches on them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Table {
    StreetOffice,
    Community,
    Compound,
    Building,
    Grid,
    Dwelling,
    Household,
    Resident,
    User,
    Committee,
    Fund,
    LedgerEntry,
    Statement,
    Levy,
    Expense,
    Meeting,
    Motion,
    Request,
    Announcement,
    MediationCase,
}

const TABLES: [Table; 20] = [
    Table::StreetOffice,
    Table::Community,
    Table::Compound,
    Table::Building,
    Table::Grid,
    Table::Dwelling,
    Table::Household,
    Table::Resident,
    Table::User,
    Table::Committee,
    Table::Fund,
    Table::LedgerEntry,
    Table::Statement,
    Table::Levy,
    Table::Expense,
    Table::Meeting,
    Table::Motion,
    Table::Request,
    Table::Announcement,
    Table::MediationCase,
];

impl Table {
    fn tag(self) -> i32 {
        TABLES.iter().position(|t| *t == self).unwrap_or(0) as i32
    }

    /// `SELECT <tag>, id FROM <table> WHERE id IN (...)`.
    fn probe(self, ids: &[Uuid]) -> SelectStatement {
        fn of<E: EntityTrait>(tag: i32, id: E::Column, ids: &[Uuid]) -> SelectStatement {
            E::find()
                .select_only()
                .expr_as(Expr::val(tag), "tag")
                .column_as(id, "id")
                .filter(id.is_in(ids.iter().copied()))
                .into_query()
        }
        let tag = self.tag();
        match self {
            Self::StreetOffice => of::<street_office::Entity>(tag, street_office::Column::Id, ids),
            Self::Community => of::<community::Entity>(tag, community::Column::Id, ids),
            Self::Compound => of::<compound::Entity>(tag, compound::Column::Id, ids),
            Self::Building => of::<building::Entity>(tag, building::Column::Id, ids),
            Self::Grid => of::<grid::Entity>(tag, grid::Column::Id, ids),
            Self::Dwelling => of::<dwelling::Entity>(tag, dwelling::Column::Id, ids),
            Self::Household => of::<household::Entity>(tag, household::Column::Id, ids),
            Self::Resident => of::<resident::Entity>(tag, resident::Column::Id, ids),
            Self::User => of::<app_user::Entity>(tag, app_user::Column::Id, ids),
            Self::Committee => of::<committee::Entity>(tag, committee::Column::Id, ids),
            Self::Fund => of::<fund::Entity>(tag, fund::Column::Id, ids),
            Self::LedgerEntry => of::<ledger_entry::Entity>(tag, ledger_entry::Column::Id, ids),
            Self::Statement => of::<statement::Entity>(tag, statement::Column::Id, ids),
            Self::Levy => of::<levy::Entity>(tag, levy::Column::Id, ids),
            Self::Expense => of::<expense::Entity>(tag, expense::Column::Id, ids),
            Self::Meeting => of::<meeting::Entity>(tag, meeting::Column::Id, ids),
            Self::Motion => of::<motion::Entity>(tag, motion::Column::Id, ids),
            Self::Request => of::<service_request::Entity>(tag, service_request::Column::Id, ids),
            Self::Announcement => of::<announcement::Entity>(tag, announcement::Column::Id, ids),
            Self::MediationCase => {
                of::<mediation_case::Entity>(tag, mediation_case::Column::Id, ids)
            }
        }
    }
}

/// Which table each of `ids` is in, in one statement (a UNION ALL of primary-key probes).
async fn tables_of(conn: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<(Uuid, Table)>> {
    let mut union = TABLES[0].probe(ids);
    for table in &TABLES[1..] {
        union.union(UnionType::All, table.probe(ids));
    }
    let rows = conn
        .query_all_raw(conn.get_database_backend().build(&union))
        .await
        .map_err(AppError::from)?;
    let mut found = Vec::with_capacity(rows.len());
    for row in rows {
        let tag: i32 = row.try_get("", "tag").map_err(AppError::from)?;
        let id: Uuid = row.try_get("", "id").map_err(AppError::from)?;
        if let Some(table) = usize::try_from(tag).ok().and_then(|t| TABLES.get(t)) {
            found.push((id, *table));
        }
    }
    Ok(found)
}

/// Reads one object through the root field that serves its type, or through its parent's
/// for the parts of a fund (entries, statements, levies) and a compound's committee.
async fn read(ctx: &Context<'_>, table: Table, id: Uuid) -> Result<Node> {
    let arg = ID::from(id);
    let db = ctx.services().db.reader();
    Ok(match table {
        Table::StreetOffice => Node::StreetOffice(OrgQuery.street_office(ctx, arg).await?),
        Table::Community => Node::Community(OrgQuery.community(ctx, arg).await?),
        Table::Compound => Node::Compound(RegistryQuery.compound(ctx, arg).await?),
        Table::Building => Node::Building(RegistryQuery.building(ctx, arg).await?),
        Table::Grid => Node::Grid(GridQuery.grid(ctx, arg).await?),
        Table::Dwelling => Node::Dwelling(DwellingQuery.dwelling(ctx, arg).await?),
        Table::Household => Node::Household(ResidentQuery.household(ctx, arg).await?),
        Table::Resident => Node::Resident(ResidentQuery.resident(ctx, arg).await?),
        Table::User => Node::User(IdentityQuery.user(ctx, arg).await?),
        Table::Committee => {
            let row = committee::Entity::find_by_id(id).one(db).await;
            let row = found(row, msg!("committee not found"))?;
            let committee = CommitteeQuery
                .committee(ctx, ID::from(row.compound_id))
                .await
                .map_err(|err| hidden_as(err, msg!("committee not found")))?;
            Node::Committee(committee.ok_or(AppError::NotFound(msg!("committee not found")))?)
        }
        Table::Fund => Node::Fund(FundQuery.fund(ctx, arg).await?),
        Table::LedgerEntry => {
            let row = found(
                ledger_entry::Entity::find_by_id(id).one(db).await,
                msg!("entry not found"),
            )?;
            fund_reach(ctx, row.fund_id, msg!("entry not found")).await?;
            Node::LedgerEntry(LedgerEntry::try_from(row)?)
        }
        Table::Statement => {
            let row = found(
                statement::Entity::find_by_id(id).one(db).await,
                msg!("statement not found"),
            )?;
            fund_reach(ctx, row.fund_id, msg!("statement not found")).await?;
            Node::PublishedStatement(row.into())
        }
        Table::Levy => {
            let row = found(
                levy::Entity::find_by_id(id).one(db).await,
                msg!("levy not found"),
            )?;
            fund_reach(ctx, row.fund_id, msg!("levy not found")).await?;
            Node::Levy(row.into())
        }
        Table::Expense => Node::Expense(ExpenseQuery.expense(ctx, arg).await?),
        Table::Meeting => Node::Meeting(MeetingQuery.meeting(ctx, arg).await?),
        Table::Motion => Node::Motion(MotionQuery.motion(ctx, arg).await?),
        Table::Request => Node::ServiceRequest(RequestQuery.request(ctx, arg).await?),
        Table::Announcement => Node::Announcement(AnnouncementQuery.announcement(ctx, arg).await?),
        Table::MediationCase => Node::MediationCase(MediationQuery.mediation_case(ctx, arg).await?),
    })
}

/// The row a probe found (it may have gone since: then it is not found).
fn found<M>(row: Result<Option<M>, sea_orm::DbErr>, what: Msg) -> Result<M> {
    Ok(row
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound(what))?)
}

/// A fund's parts are read by whoever reads the fund (`fund(id:)`), and look absent to
/// anyone else.
async fn fund_reach(ctx: &Context<'_>, fund: Uuid, what: Msg) -> Result<()> {
    FundQuery
        .fund(ctx, ID::from(fund))
        .await
        .map_err(|err| hidden_as(err, what))?;
    Ok(())
}

/// A refusal of the parent's field, told as the part's own NOT_FOUND (the part looks absent
/// whichever check refused it); an outage stays an internal error.
fn hidden_as(err: async_graphql::Error, what: Msg) -> async_graphql::Error {
    let internal = err
        .extensions
        .as_ref()
        .and_then(|e| e.get("code"))
        .is_some_and(|code| *code == async_graphql::Value::from("INTERNAL_SERVER_ERROR"));
    if internal {
        err
    } else {
        AppError::NotFound(what).into()
    }
}

async fn node_by_id(ctx: &Context<'_>, id: &ID) -> Result<Node> {
    ctx.viewer()?;
    let id = parse_id("id", id)?;
    let found = tables_of(ctx.services().db.reader(), &[id]).await?;
    let (_, table) = found
        .first()
        .ok_or(AppError::NotFound(msg!("object not found")))?;
    read(ctx, *table, id).await
}

/// `err` reported at this field (and at `index` of its list), for a field that answers
/// `null` beside the error.
fn error_at(ctx: &Context<'_>, err: async_graphql::Error, index: Option<usize>) -> ServerError {
    let path = ctx.path_node.map(|p| p.to_string_vec()).unwrap_or_default();
    err.into_server_error(ctx.item.pos).with_path(
        path.into_iter()
            .map(PathSegment::Field)
            .chain(index.map(PathSegment::Index))
            .collect(),
    )
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its ID, with the same reach as the object's own field (`resident`,
    /// `fund`, ...): NOT_FOUND (and `null`) outside it.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        // Returned as an error, async-graphql would drop `node` from `data` (even `data: null`
        // alone); the spec, and Relay, want `"node": null` with the error beside it.
        match node_by_id(ctx, &id).await {
            Ok(node) => Ok(Some(node)),
            Err(err) => {
                ctx.add_error(error_at(ctx, err, None));
                Ok(None)
            }
        }
    }

    /// Several objects by ID, in the order asked (at most 100). An ID out of reach or
    /// unknown gives `null` in its place and a NOT_FOUND error at its index.
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<Vec<Option<Node>>> {
        ctx.viewer()?;
        if ids.len() > MAX_NODES {
            return Err(
                AppError::bad_input("ids", msg!("at most {max} IDs", max = MAX_NODES)).into(),
            );
        }
        let parsed: Vec<Option<Uuid>> = ids.iter().map(|id| parse_id("ids", id).ok()).collect();
        let wanted: Vec<Uuid> = parsed.iter().flatten().copied().collect();
        let found = tables_of(ctx.services().db.reader(), &wanted).await?;
        let mut nodes = Vec::with_capacity(ids.len());
        for (index, id) in parsed.into_iter().enumerate() {
            let table = id.and_then(|id| found.iter().find(|(f, _)| *f == id).map(|(_, t)| *t));
            let node = match (id, table) {
                (Some(id), Some(table)) => read(ctx, table, id).await,
                _ => Err(AppError::NotFound(msg!("object not found")).into()),
            };
            match node {
                Ok(node) => nodes.push(Some(node)),
                Err(err) => {
                    ctx.add_error(error_at(ctx, err, Some(index)));
                    nodes.push(None);
                }
            }
        }
        Ok(nodes)
    }
}
