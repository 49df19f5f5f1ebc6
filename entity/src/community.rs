//! 社区: a residential community, the tenant. Every tenant-owned row carries its id.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "community")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub street_office_id: Uuid,
    pub name: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::street_office::Entity",
        from = "Column::StreetOfficeId",
        to = "super::street_office::Column::Id"
    )]
    StreetOffice,
}

impl Related<super::street_office::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::StreetOffice.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
