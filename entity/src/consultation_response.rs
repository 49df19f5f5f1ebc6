//! One question's part of an answer: an option chosen (one row per option of a multiple
//! choice), a scale value or a text.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consultation_response")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub consultation_id: Uuid,
    pub answer_id: Uuid,
    pub question_id: Uuid,
    pub option_index: Option<i32>,
    pub scale: Option<i32>,
    pub text: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
