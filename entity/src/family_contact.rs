//! A family contact (家属联系人) of a resident: a relative who may act for the resident's
//! household as far as the flags allow. Never deleted: removing it sets `ended_at` (and ends
//! the grant of its login, whose source it is).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "family_contact")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub resident_id: Uuid,
    pub household_id: Uuid,
    pub name: String,
    pub relation: String,
    pub phone_cipher: Option<String>,
    pub may_answer_consultations: bool,
    pub may_sign_in_to_meetings: bool,
    pub may_receive_notices: bool,
    pub user_id: Option<Uuid>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub ended_at: Option<DateTimeUtc>,
    pub ended_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
