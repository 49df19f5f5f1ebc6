//! Who and what a WeChat group covers: the buildings it serves and the staff in it, each
//! replaced as a whole when given. A staff member taken out of a group also leaves its rota.

use entity::{building, duty_shift, wechat_group, wechat_group_building, wechat_group_staff};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    error::{AppError, AppResult, msg},
    identity::staff::working_in,
};

const MAX_BUILDINGS: usize = 100;
const MAX_STAFF: usize = 30;

/// Replaces the buildings a group serves and the staff in it (when given). Buildings must
/// be the community's; staff must work in it. A staff member taken out of the group also
/// leaves its rota.
pub(super) async fn put_members(
    conn: &impl ConnectionTrait,
    group: &wechat_group::Model,
    buildings: Option<Vec<Uuid>>,
    staff: Option<Vec<Uuid>>,
) -> AppResult<()> {
    if let Some(mut buildings) = buildings {
        buildings.sort();
        buildings.dedup();
        if buildings.len() > MAX_BUILDINGS {
            return Err(AppError::bad_input(
                "input.buildingIds",
                msg!(
                    "a group serves at most {max} buildings",
                    max = MAX_BUILDINGS
                ),
            ));
        }
        let found = building::Entity::find()
            .filter(building::Column::CommunityId.eq(group.community_id))
            .filter(building::Column::Id.is_in(buildings.clone()))
            .all(conn)
            .await?
            .len();
        if found != buildings.len() {
            return Err(AppError::bad_input(
                "input.buildingIds",
                msg!("not a building of this community"),
            ));
        }
        wechat_group_building::Entity::delete_many()
            .filter(wechat_group_building::Column::GroupId.eq(group.id))
            .exec(conn)
            .await?;
        let rows = buildings
            .into_iter()
            .map(|b| wechat_group_building::ActiveModel {
                id: Set(Uuid::now_v7()),
                community_id: Set(group.community_id),
                group_id: Set(group.id),
                building_id: Set(b),
            });
        insert_all::<wechat_group_building::Entity, _>(conn, rows).await?;
    }
    if let Some(mut staff) = staff {
        staff.sort();
        staff.dedup();
        if staff.len() > MAX_STAFF {
            return Err(AppError::bad_input(
                "input.staffUserIds",
                msg!("a group has at most {max} staff members", max = MAX_STAFF),
            ));
        }
        let working = working_in(conn, group.community_id, &staff).await?;
        if staff.iter().any(|u| !working.contains(u)) {
            return Err(AppError::bad_input(
                "input.staffUserIds",
                msg!("only people who work in the community are a group's staff"),
            ));
        }
        wechat_group_staff::Entity::delete_many()
            .filter(wechat_group_staff::Column::GroupId.eq(group.id))
            .exec(conn)
            .await?;
        duty_shift::Entity::delete_many()
            .filter(duty_shift::Column::GroupId.eq(group.id))
            .filter(duty_shift::Column::UserId.is_not_in(staff.clone()))
            .exec(conn)
            .await?;
        let rows = staff.into_iter().map(|u| wechat_group_staff::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(group.community_id),
            group_id: Set(group.id),
            user_id: Set(u),
        });
        insert_all::<wechat_group_staff::Entity, _>(conn, rows).await?;
    }
    Ok(())
}

/// Inserts rows in one statement, none when there are none.
pub(super) async fn insert_all<E, A>(
    conn: &impl ConnectionTrait,
    rows: impl Iterator<Item = A>,
) -> AppResult<()>
where
    E: EntityTrait,
    A: sea_orm::ActiveModelTrait<Entity = E>,
{
    let rows: Vec<A> = rows.collect();
    if !rows.is_empty() {
        E::insert_many(rows).exec_without_returning(conn).await?;
    }
    Ok(())
}
