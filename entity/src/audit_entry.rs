//! One audit row per request that changed something or read personal data.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_entry")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub occurred_at: DateTimeUtc,
    pub request_id: String,
    pub actor_user_id: Option<Uuid>,
    /// The GraphQL field that acted, e.g. `grantRole`.
    pub action: String,
    /// `ok` or `failed`.
    pub outcome: String,
    /// The `extensions.code` the caller got when the action failed.
    pub error_code: Option<String>,
    pub street_office_id: Option<Uuid>,
    pub community_id: Option<Uuid>,
    pub target_id: Option<Uuid>,
    /// The input with secrets and personal data redacted.
    pub input: Json,
    /// IDs of the people whose personal data the response returned.
    pub subject_ids: Json,
    pub client_addr: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
