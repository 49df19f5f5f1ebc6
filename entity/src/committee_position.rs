//! A position held on a committee by a resident, from a day to a day (both inclusive).
//! Positions are never deleted: ending one early records when and why.

use sea_orm::entity::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Position {
    /// 主任
    #[sea_orm(string_value = "director")]
    Director,
    /// 副主任
    #[sea_orm(string_value = "deputy_director")]
    DeputyDirector,
    /// 记录: keeps the minutes.
    #[sea_orm(string_value = "secretary")]
    Secretary,
    /// 财务
    #[sea_orm(string_value = "treasurer")]
    Treasurer,
    /// 委员
    #[sea_orm(string_value = "member")]
    Member,
    /// 楼栋长, for a named building.
    #[sea_orm(string_value = "building_leader")]
    BuildingLeader,
    /// 党支部联络人
    #[sea_orm(string_value = "party_liaison")]
    PartyLiaison,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "committee_position")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub committee_id: Uuid,
    pub resident_id: Uuid,
    pub position: Position,
    pub building_id: Option<Uuid>,
    pub starts_on: Date,
    /// The last day held, as planned (the term's end unless given).
    pub ends_on: Date,
    /// Set when the position was ended before `ends_on`.
    pub ended_at: Option<DateTimeUtc>,
    pub end_reason: Option<String>,
    /// Whether the member's phone (masked) is on the compound's contact card.
    pub publish_phone: bool,
    pub residency_override: Option<String>,
    pub appointed_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
