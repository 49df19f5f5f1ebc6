//! 房屋: a dwelling (专有部分) of a building, by unit and room, with its registered floor
//! area in hundredths of m² (exact arithmetic for owners' votes).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dwelling")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub building_id: Uuid,
    /// The unit (单元) number within the building, from 1.
    pub unit: i32,
    /// The room as written on the door: "301", "1202A".
    pub room: String,
    /// Registered floor area in hundredths of m²; empty until known.
    pub floor_area_hundredths: Option<i64>,
    pub created_at: DateTimeUtc,
    pub archived_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
