//! What a micro-grid's households show: the address and the members' masked names, and
//! nothing else (no phone, document, tags, care level or birth date), batched per page.

use std::collections::HashMap;

use entity::{building, dwelling, household, micro_grid, resident};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
    Select,
};
use uuid::Uuid;

use super::access::households_in;
use crate::{error::AppResult, funds::labels::mask_name, registry::labels};

/// The current households of a micro-grid, filtered on the household's own community.
pub fn households_of(micro: &micro_grid::Model) -> Select<household::Entity> {
    household::Entity::find()
        .filter(household::Column::CommunityId.eq(micro.community_id))
        .filter(households_in(&[micro.id]))
}

/// Each dwelling's address (23号楼1单元101), in one statement.
pub async fn addresses(
    conn: &impl ConnectionTrait,
    dwellings: impl IntoIterator<Item = Uuid>,
) -> AppResult<HashMap<Uuid, String>> {
    let rows: Vec<(Uuid, i32, String, String)> = dwelling::Entity::find()
        .select_only()
        .column(dwelling::Column::Id)
        .column(dwelling::Column::Unit)
        .column(dwelling::Column::Room)
        .column(building::Column::Number)
        .join(
            JoinType::InnerJoin,
            dwelling::Entity::belongs_to(building::Entity)
                .from(dwelling::Column::BuildingId)
                .to(building::Column::Id)
                .into(),
        )
        .filter(dwelling::Column::Id.is_in(dwellings))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, unit, room, number)| (id, labels::dwelling(&number, unit, &room)))
        .collect())
}

/// A member as a micro-grid leader sees them.
#[derive(Clone, Debug)]
pub struct MaskedMember {
    pub resident_id: Uuid,
    pub community_id: Uuid,
    /// 王** (the surname only).
    pub masked_name: String,
}

/// The current members of each household, masked, in one statement.
pub async fn masked_members(
    conn: &impl ConnectionTrait,
    households: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<MaskedMember>>> {
    let rows = resident::Entity::find()
        .filter(resident::Column::HouseholdId.is_in(households.iter().copied()))
        .filter(resident::Column::ArchivedAt.is_null())
        .order_by_asc(resident::Column::Id)
        .all(conn)
        .await?;
    let mut grouped: HashMap<Uuid, Vec<MaskedMember>> = HashMap::new();
    for r in rows {
        grouped.entry(r.household_id).or_default().push(MaskedMember {
            resident_id: r.id,
            community_id: r.community_id,
            masked_name: mask_name(&r.name),
        });
    }
    Ok(grouped)
}
