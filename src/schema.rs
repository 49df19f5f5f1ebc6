//! Assembles the GraphQL schema from the domains. Only `lib.rs` and `http` use it.

pub mod node;

use async_graphql::{MergedObject, MergedSubscription, Schema, SchemaBuilder};

use crate::{
    activities::{graphql::ActivityQuery, mutation::ActivityMutation},
    announcements::graphql::{AnnouncementMutation, AnnouncementQuery},
    audit::graphql::AuditQuery,
    care::{graphql::CareQuery, mutation::CareMutation},
    committees::graphql::{CommitteeMutation, CommitteeQuery},
    config::QueryLimits,
    consultations::{
        answer_mutation::ConsultationAnswerMutation, mutation::ConsultationMutation,
        query::ConsultationQuery,
    },
    funds::{
        expense_graphql::{ExpenseMutation, ExpenseQuery},
        graphql::{FundMutation, FundQuery},
        levy_graphql::LevyMutation,
        statement_graphql::{StatementMutation, StatementQuery},
    },
    graphql::{error_codes::ErrorCodes, limits::QueryShape, null_on_error::NullOnError},
    gridwork::{dashboard_graphql::GridworkQuery, follow_up_graphql::FollowUpMutation},
    identity::{graphql::IdentityQuery, mutation::IdentityMutation},
    mediation::graphql::{MediationMutation, MediationQuery},
    meetings::{
        graphql::{MeetingMutation, MeetingQuery},
        motion_graphql::{MotionMutation, MotionQuery},
    },
    notifications::{graphql::WebhookQuery, mutation::WebhookMutation},
    org::graphql::{OrgMutation, OrgQuery},
    points::{
        catalogue_mutation::PointsCatalogueMutation, graphql::PointsQuery, mutation::PointsMutation,
    },
    registry::{
        account_graphql::AccountMutation,
        dwelling_graphql::{DwellingMutation, DwellingQuery},
        family::graphql::FamilyMutation,
        graphql::{RegistryMutation, RegistryQuery},
        grid_graphql::{GridMutation, GridQuery},
        micro_grid_graphql::{MicroGridMutation, MicroGridQuery},
        owner_graphql::OwnerMutation,
        resident_graphql::ResidentQuery,
        resident_mutation::ResidentMutation,
        roster_graphql::RosterMutation,
    },
    requests::{
        live_graphql::RequestSubscription,
        mutation::RequestMutation,
        query::{RequestCategoryQuery, RequestQuery},
    },
    state::Services,
    visits::graphql::{VisitMutation, VisitQuery},
    wechat_groups::{graphql::WechatGroupQuery, mutation::WechatGroupMutation},
};

#[derive(MergedObject, Default)]
pub struct Query(
    IdentityQuery,
    OrgQuery,
    RegistryQuery,
    GridQuery,
    MicroGridQuery,
    DwellingQuery,
    ResidentQuery,
    CommitteeQuery,
    FundQuery,
    ExpenseQuery,
    StatementQuery,
    MeetingQuery,
    MotionQuery,
    ConsultationQuery,
    RequestQuery,
    GridworkQuery,
    RequestCategoryQuery,
    VisitQuery,
    CareQuery,
    AnnouncementQuery,
    MediationQuery,
    WebhookQuery,
    WechatGroupQuery,
    PointsQuery,
    ActivityQuery,
    AuditQuery,
    node::NodeQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    IdentityMutation,
    OrgMutation,
    RegistryMutation,
    GridMutation,
    MicroGridMutation,
    DwellingMutation,
    ResidentMutation,
    RosterMutation,
    AccountMutation,
    FamilyMutation,
    OwnerMutation,
    CommitteeMutation,
    MeetingMutation,
    MotionMutation,
    ConsultationMutation,
    ConsultationAnswerMutation,
    RequestMutation,
    FollowUpMutation,
    VisitMutation,
    CareMutation,
    AnnouncementMutation,
    MediationMutation,
    WebhookMutation,
    WechatGroupMutation,
    PointsMutation,
    PointsCatalogueMutation,
    ActivityMutation,
    FundMutation,
    ExpenseMutation,
    StatementMutation,
    LevyMutation,
);

/// Live updates, served at `/graphql/ws` only.
#[derive(MergedSubscription, Default)]
pub struct Subscription(RequestSubscription);

pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// `introspection` also decides whether validation errors suggest names ("Did you mean
/// ..."): suggestions would enumerate the schema that turning introspection off hides.
fn builder(
    limits: &QueryLimits,
    introspection: bool,
) -> SchemaBuilder<Query, Mutation, Subscription> {
    let builder = Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .extension(ErrorCodes)
    // After ErrorCodes, so the errors it holds back are stamped like the others.
    .extension(NullOnError)
    .extension(QueryShape {
        depth: limits.depth,
        aliases: limits.aliases,
        introspection,
    })
    .limit_complexity(limits.complexity)
    .limit_directives(limits.directives)
    .limit_recursive_depth(limits.recursive_depth);
    if introspection {
        builder
    } else {
        builder.disable_introspection().disable_suggestions()
    }
}

/// The schema with its services; introspection follows the configuration.
pub fn build_schema(services: Services) -> AppSchema {
    let config = &services.config;
    builder(&config.limits, config.introspection)
        .data(services)
        .finish()
}

/// The schema without services, for exporting the SDL.
pub fn build_schema_bare() -> AppSchema {
    builder(
        &crate::config::Config::for_database("sqlite://unused").limits,
        true,
    )
    .finish()
}
