//! Where a community's events go: a webhook URL (Standard Webhooks or a WeCom group robot),
//! which events, and optionally only one compound's or grid's.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_subscription")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub compound_id: Option<Uuid>,
    pub grid_id: Option<Uuid>,
    /// Encrypted (a WeCom robot's key is in its URL).
    #[sea_orm(column_type = "Text")]
    pub url: String,
    /// The URL as staff see it: scheme, host and path, query values hidden.
    pub url_label: String,
    pub description: String,
    /// `standard` or `wecom_robot`.
    pub format: String,
    /// Event type names (`request.assigned`, ...).
    pub event_types: Json,
    pub enabled: bool,
    /// Encrypted `whsec_...` signing secret.
    #[sea_orm(column_type = "Text")]
    pub secret: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<DateTimeUtc>,
    pub failing_since: Option<DateTimeUtc>,
    pub disabled_at: Option<DateTimeUtc>,
    pub disabled_reason: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
