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
    /// The community office (社区居委会) as its card shows it.
    pub office_phone: Option<String>,
    pub office_address: Option<String>,
    /// Its party secretary (书记): a user who works in the community.
    pub party_secretary_user_id: Option<Uuid>,
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
