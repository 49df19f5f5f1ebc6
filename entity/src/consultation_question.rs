//! A question of a consultation.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consultation_question")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub consultation_id: Uuid,
    /// 1, 2, 3 ... in the order asked.
    pub position: i32,
    /// `single`, `multiple`, `scale` (1 to 5) or `text`.
    pub kind: String,
    pub prompt: String,
    /// The options' labels (choice questions), a JSON array of strings.
    pub options: Json,
    /// A multiple choice: how many options at most.
    pub max_choices: Option<i32>,
    /// A free text: how many characters at most.
    pub max_length: Option<i32>,
    pub required: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
