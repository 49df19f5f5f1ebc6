//! A grant of one role over one scope, with its validity (ARCHITECTURE.md §3).
//! `street_office_id` and `community_id` locate the scope in the tenancy tree so that
//! tenancy filters never need to know which table a scope lives in.

use sea_orm::entity::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Role {
    #[sea_orm(string_value = "platform_admin")]
    PlatformAdmin,
    #[sea_orm(string_value = "street_admin")]
    StreetAdmin,
    #[sea_orm(string_value = "community_admin")]
    CommunityAdmin,
    #[sea_orm(string_value = "community_staff")]
    CommunityStaff,
    /// 网格长: oversees the grid workers of the grids they hold it on.
    #[sea_orm(string_value = "grid_leader")]
    GridLeader,
    #[sea_orm(string_value = "grid_worker")]
    GridWorker,
    #[sea_orm(string_value = "committee_member")]
    CommitteeMember,
    #[sea_orm(string_value = "treasurer")]
    Treasurer,
    #[sea_orm(string_value = "resident")]
    Resident,
    /// A resident's family contact acting for their household, as far as the contact's
    /// flags allow; granted only through `createFamilyContactAccount`.
    #[sea_orm(string_value = "family_contact")]
    FamilyContact,
    /// 微网格长: usually a resident volunteer; reads masked names and addresses of the
    /// micro-grid's households and files requests for them.
    #[sea_orm(string_value = "micro_grid_leader")]
    MicroGridLeader,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum ScopeKind {
    #[sea_orm(string_value = "deployment")]
    Deployment,
    #[sea_orm(string_value = "street_office")]
    StreetOffice,
    #[sea_orm(string_value = "community")]
    Community,
    #[sea_orm(string_value = "compound")]
    Compound,
    #[sea_orm(string_value = "grid")]
    Grid,
    #[sea_orm(string_value = "household")]
    Household,
    #[sea_orm(string_value = "micro_grid")]
    MicroGrid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum GrantSource {
    /// Granted by an admin through `grantRole` (or the command line).
    #[sea_orm(string_value = "manual")]
    Manual,
    /// Created by holding a committee position; ends with the position.
    #[sea_orm(string_value = "committee_position")]
    CommitteePosition,
    /// Holding a resident account: the household of the linked resident. Follows the
    /// resident when they move and ends when they move out.
    #[sea_orm(string_value = "resident_account")]
    ResidentAccount,
    /// The login of a family contact: the household of the contact's resident. Ends when
    /// the contact is removed.
    #[sea_orm(string_value = "family_contact")]
    FamilyContact,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "role_grant")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub role: Role,
    pub scope_kind: ScopeKind,
    /// Empty for the deployment scope.
    pub scope_id: Option<Uuid>,
    /// The street office that contains the scope; empty for the deployment scope.
    pub street_office_id: Option<Uuid>,
    /// The community that contains the scope; empty for deployment and street-office scopes.
    pub community_id: Option<Uuid>,
    pub valid_from: DateTimeUtc,
    pub valid_until: Option<DateTimeUtc>,
    pub source_kind: GrantSource,
    pub source_id: Option<Uuid>,
    pub granted_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    pub revoked_by: Option<Uuid>,
}

impl Model {
    /// A grant gives power only inside its validity and until revoked; no job removes it.
    pub fn is_active_at(&self, now: DateTimeUtc) -> bool {
        self.revoked_at.is_none()
            && self.valid_from <= now
            && self.valid_until.is_none_or(|until| now < until)
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::app_user::Entity",
        from = "Column::UserId",
        to = "super::app_user::Column::Id"
    )]
    AppUser,
}

impl Related<super::app_user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AppUser.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
