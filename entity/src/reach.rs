//! What a caller reaches for one capability (ARCHITECTURE.md §2), and the scoped finders that
//! apply it. Every read of a tenant-scoped row goes through these filters, so tenant access
//! lives in one place (where PostgreSQL row-level security will later be added).

use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, Select,
    sea_query::{Expr, ExprTrait, Query},
};
use uuid::Uuid;

use crate::{app_user, audit_entry, community, street_office};

/// The part of the tenancy tree a caller reaches for one capability.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Reach {
    /// The whole deployment (platform admin).
    Everything,
    /// Whole street offices (with all their communities) and single communities.
    Within {
        street_offices: Vec<Uuid>,
        communities: Vec<Uuid>,
    },
    #[default]
    Nothing,
}

impl Reach {
    pub fn is_nothing(&self) -> bool {
        matches!(self, Self::Nothing)
    }

    /// Whether the reach covers a place: a community (with its street office) or, when
    /// `community` is `None`, the street office as a whole.
    pub fn covers(&self, street_office: Option<Uuid>, community: Option<Uuid>) -> bool {
        match self {
            Self::Everything => true,
            Self::Nothing => false,
            Self::Within {
                street_offices,
                communities,
            } => {
                street_office.is_some_and(|s| street_offices.contains(&s))
                    || community.is_some_and(|c| communities.contains(&c))
            }
        }
    }

    /// A condition on a (street office, community) column pair. Rows with neither are
    /// deployment-wide and only `Everything` reaches them.
    pub fn condition<S: ColumnTrait, C: ColumnTrait>(
        &self,
        street_office: S,
        community: C,
    ) -> Condition {
        match self {
            Self::Everything => Condition::all(),
            Self::Nothing => never(),
            Self::Within {
                street_offices,
                communities,
            } => Condition::any()
                .add(street_office.is_in(street_offices.iter().copied()))
                .add(community.is_in(communities.iter().copied())),
        }
    }

    /// A condition on a `community_id` column of a tenant table: communities in reach,
    /// including every community of the street offices in reach.
    pub fn community_condition<C: ColumnTrait>(&self, community: C) -> Condition {
        match self {
            Self::Everything => Condition::all(),
            Self::Nothing => never(),
            Self::Within {
                street_offices,
                communities,
            } if communities.is_empty() && street_offices.is_empty() => never(),
            Self::Within {
                street_offices,
                communities,
            } => {
                let mut any = Condition::any();
                if !communities.is_empty() {
                    any = any.add(community.is_in(communities.iter().copied()));
                }
                // A street office's communities: a handful of rows, looked up in the
                // statement itself so that a community created a moment ago is covered.
                if !street_offices.is_empty() {
                    any = any.add(
                        community.in_subquery(
                            Query::select()
                                .column(community::Column::Id)
                                .from(community::Entity)
                                .and_where(
                                    community::Column::StreetOfficeId
                                        .is_in(street_offices.iter().copied()),
                                )
                                .to_owned(),
                        ),
                    );
                }
                any
            }
        }
    }
}

/// A condition no row meets. (An empty `Condition::any()` would add no WHERE clause at
/// all, which is the opposite of what "reaches nothing" must mean.)
pub fn never() -> Condition {
    Condition::all().add(Expr::val(1).eq(2))
}

impl street_office::Entity {
    pub fn find_in_reach(reach: &Reach) -> Select<Self> {
        let condition = match reach {
            Reach::Everything => Condition::all(),
            Reach::Nothing => never(),
            Reach::Within {
                street_offices,
                communities,
            } => Condition::any()
                .add(street_office::Column::Id.is_in(street_offices.iter().copied()))
                // Seeing a community means seeing the name of the street office above it.
                .add(
                    street_office::Column::Id.in_subquery(
                        Query::select()
                            .column(community::Column::StreetOfficeId)
                            .from(community::Entity)
                            .and_where(community::Column::Id.is_in(communities.iter().copied()))
                            .to_owned(),
                    ),
                ),
        };
        Self::find().filter(condition)
    }
}

impl community::Entity {
    pub fn find_in_reach(reach: &Reach) -> Select<Self> {
        Self::find()
            .filter(reach.condition(community::Column::StreetOfficeId, community::Column::Id))
    }
}

impl app_user::Entity {
    /// Users whose home lies in reach. Users without a home (created on the command line)
    /// are deployment-wide.
    pub fn find_homed_in_reach(reach: &Reach) -> Select<Self> {
        Self::find().filter(reach.condition(
            app_user::Column::HomeStreetOfficeId,
            app_user::Column::HomeCommunityId,
        ))
    }
}

impl audit_entry::Entity {
    pub fn find_in_reach(reach: &Reach) -> Select<Self> {
        Self::find().filter(reach.condition(
            audit_entry::Column::StreetOfficeId,
            audit_entry::Column::CommunityId,
        ))
    }
}

/// A tenant table (ARCHITECTURE.md §2): every row belongs to one community, named by its
/// non-null `community_id`, set by the server from the parent row. The one scoped finder of
/// every tenant table comes from here, so "who may see which row" is a filter on the row's
/// own tenant column, never a walk through its parents.
pub trait TenantEntity: EntityTrait {
    /// The row's `community_id` column.
    fn community_column() -> Self::Column;

    /// The row's key: its UUID `id` (or, for a row that extends another, that row's id).
    fn id_column() -> Self::Column;

    /// Rows of the communities in reach.
    fn find_in_reach(reach: &Reach) -> Select<Self> {
        Self::find().filter(reach.community_condition(Self::community_column()))
    }
}

macro_rules! key_column {
    ($table:ident) => {
        crate::$table::Column::Id
    };
    ($table:ident, $key:ident) => {
        crate::$table::Column::$key
    };
}

macro_rules! tenant_tables {
    ($($table:ident $(($key:ident))?),* $(,)?) => {
        $(
            impl TenantEntity for crate::$table::Entity {
                fn community_column() -> Self::Column {
                    crate::$table::Column::CommunityId
                }

                fn id_column() -> Self::Column {
                    key_column!($table $(, $key)?)
                }
            }
        )*

        /// Every tenant table by name; a test compares it with the database's catalog, so
        /// a new table with a `community_id` column cannot go without a scoped finder.
        pub const TENANT_TABLES: &[&str] = &[$(stringify!($table)),*];
    };
}

tenant_tables!(
    activity,
    activity_delivery,
    activity_role,
    activity_sign_up,
    agenda_item,
    announcement,
    announcement_read,
    ballot,
    binding_code,
    building,
    care_check_in,
    care_device,
    care_watch,
    committee,
    committee_position,
    compound,
    consultation,
    consultation_answer,
    consultation_attachment,
    consultation_building,
    consultation_question,
    consultation_response,
    consultation_suggestion,
    consultation_turnout,
    counterparty,
    dwelling,
    duty_shift,
    dwelling_owner,
    expense,
    expense_decision,
    expense_receipt,
    family_contact,
    fund,
    grid,
    grid_building(BuildingId),
    household,
    ledger_entry,
    levy,
    levy_share,
    mediation_case,
    mediation_session,
    meeting,
    meeting_attendance,
    meeting_minutes,
    micro_grid,
    micro_grid_building,
    motion,
    motion_voter,
    motion_voter_member,
    notification_event,
    objection,
    points_account,
    points_entry,
    points_reward,
    points_rule,
    points_scheme,
    request_category,
    request_event,
    request_follow_up,
    request_photo,
    resident,
    resident_account(ResidentId),
    service_request,
    statement,
    stored_file,
    visit,
    webhook_attempt,
    webhook_delivery,
    webhook_subscription,
    wechat_group,
    wechat_group_building,
    wechat_group_staff,
);
