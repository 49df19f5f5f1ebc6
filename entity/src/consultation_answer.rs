//! One unit's (household's or resident's) answer to a consultation. The unit is known only
//! by a keyed hash of (consultation, unit): it finds and replaces its own answer, an
//! organiser cannot join the row back to it. The id is random (UUID v4). Who answered,
//! and when, is kept only for consultations that are not anonymous.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consultation_answer")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub consultation_id: Uuid,
    /// HMAC-SHA256 (server key) of the consultation and the unit, hex.
    pub unit_key: String,
    pub household_id: Option<Uuid>,
    pub resident_id: Option<Uuid>,
    pub answered_by: Option<Uuid>,
    pub paper_reference: Option<String>,
    pub answered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
