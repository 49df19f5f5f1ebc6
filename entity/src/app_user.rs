//! A person who can log in. `home_*` is the scope the account was created in: it decides
//! which admins may manage the account while it holds no grants yet.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "app_user")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub username: String,
    /// Lower-cased username, unique: logins are case-insensitive.
    #[sea_orm(unique)]
    pub username_key: String,
    pub display_name: String,
    pub password_hash: String,
    /// Set for initial and reset passwords: nothing but a password change works until then.
    pub must_change_password: bool,
    pub home_street_office_id: Option<Uuid>,
    pub home_community_id: Option<Uuid>,
    pub disabled_at: Option<DateTimeUtc>,
    /// A staff member's or grid worker's work phone (digits), published on contact cards.
    pub work_phone: Option<String>,
    pub created_at: DateTimeUtc,
    pub password_changed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::role_grant::Entity")]
    RoleGrant,
}

impl Related<super::role_grant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RoleGrant.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
