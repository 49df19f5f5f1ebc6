//! The community's WeChat groups (微信群) and who is on duty in each (专人值守): the
//! registry `recordRequest` picks a group from, and the rota that says who answers when.
//! A request recorded from a registered group remembers the group and who was on duty when
//! the message was posted, so the dashboard can show first-response times per group and per
//! person on duty.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261123_000001_create_org::Community, m20261123_000002_create_identity::AppUser,
    m20261123_000004_create_compound_building::Building, m20261123_000005_create_grid::Grid,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn to_group(
    from: impl IntoIden,
    community: impl IntoIden,
    group: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from_tbl(from)
        .from_col(community)
        .from_col(group)
        .to(
            WechatGroup::Table,
            (WechatGroup::CommunityId, WechatGroup::Id),
        )
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WechatGroup::Table)
                    .col(pk_uuid(WechatGroup::Id))
                    .col(uuid(WechatGroup::CommunityId))
                    .col(string(WechatGroup::Name))
                    .col(string(WechatGroup::Kind))
                    .col(uuid_null(WechatGroup::GridId))
                    .col(integer_null(WechatGroup::MemberCount))
                    .col(uuid(WechatGroup::CreatedBy))
                    .col(timestamp_with_time_zone(WechatGroup::CreatedAt))
                    .col(timestamp_with_time_zone_null(WechatGroup::ArchivedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(WechatGroup::Table, WechatGroup::CommunityId)
                            .to(Community::Table, Community::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                WechatGroup::Table,
                                (WechatGroup::CommunityId, WechatGroup::GridId),
                            )
                            .to(Grid::Table, (Grid::CommunityId, Grid::Id)),
                    )
                    .index(&mut crate::tenant_key(
                        "uq_wechat_group_community_id",
                        WechatGroup::CommunityId,
                        WechatGroup::Id,
                    ))
                    .index(
                        Index::create()
                            .name("uq_wechat_group_community_name")
                            .col(WechatGroup::CommunityId)
                            .col(WechatGroup::Name)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WechatGroupBuilding::Table)
                    .col(pk_uuid(WechatGroupBuilding::Id))
                    .col(uuid(WechatGroupBuilding::CommunityId))
                    .col(uuid(WechatGroupBuilding::GroupId))
                    .col(uuid(WechatGroupBuilding::BuildingId))
                    .foreign_key(&mut to_group(
                        WechatGroupBuilding::Table,
                        WechatGroupBuilding::CommunityId,
                        WechatGroupBuilding::GroupId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                WechatGroupBuilding::Table,
                                (
                                    WechatGroupBuilding::CommunityId,
                                    WechatGroupBuilding::BuildingId,
                                ),
                            )
                            .to(Building::Table, (Building::CommunityId, Building::Id)),
                    )
                    .index(&mut crate::tenant_key(
                        "uq_wechat_group_building_community_id",
                        WechatGroupBuilding::CommunityId,
                        WechatGroupBuilding::Id,
                    ))
                    .index(
                        Index::create()
                            .name("uq_wechat_group_building")
                            .col(WechatGroupBuilding::GroupId)
                            .col(WechatGroupBuilding::BuildingId)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WechatGroupStaff::Table)
                    .col(pk_uuid(WechatGroupStaff::Id))
                    .col(uuid(WechatGroupStaff::CommunityId))
                    .col(uuid(WechatGroupStaff::GroupId))
                    .col(uuid(WechatGroupStaff::UserId))
                    .foreign_key(&mut to_group(
                        WechatGroupStaff::Table,
                        WechatGroupStaff::CommunityId,
                        WechatGroupStaff::GroupId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(WechatGroupStaff::Table, WechatGroupStaff::UserId)
                            .to(AppUser::Table, AppUser::Id),
                    )
                    .index(&mut crate::tenant_key(
                        "uq_wechat_group_staff_community_id",
                        WechatGroupStaff::CommunityId,
                        WechatGroupStaff::Id,
                    ))
                    .index(
                        Index::create()
                            .name("uq_wechat_group_staff")
                            .col(WechatGroupStaff::GroupId)
                            .col(WechatGroupStaff::UserId)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DutyShift::Table)
                    .col(pk_uuid(DutyShift::Id))
                    .col(uuid(DutyShift::CommunityId))
                    .col(uuid(DutyShift::GroupId))
                    .col(uuid(DutyShift::UserId))
                    // ISO weekday, 1 = Monday; minutes since local midnight, start < end.
                    .col(integer(DutyShift::Weekday))
                    .col(integer(DutyShift::StartsMinute))
                    .col(integer(DutyShift::EndsMinute))
                    .foreign_key(&mut to_group(
                        DutyShift::Table,
                        DutyShift::CommunityId,
                        DutyShift::GroupId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(DutyShift::Table, DutyShift::UserId)
                            .to(AppUser::Table, AppUser::Id),
                    )
                    .index(&mut crate::tenant_key(
                        "uq_duty_shift_community_id",
                        DutyShift::CommunityId,
                        DutyShift::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, table, column) in [
            (
                "ix_wechat_group_building_group",
                WechatGroupBuilding::Table.into_iden(),
                WechatGroupBuilding::GroupId.into_iden(),
            ),
            (
                "ix_duty_shift_group",
                DutyShift::Table.into_iden(),
                DutyShift::GroupId.into_iden(),
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(ServiceRequest::Table)
                    .add_column(uuid_null(ServiceRequest::WechatGroupId))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ServiceRequest::Table)
                    .add_column(uuid_null(ServiceRequest::OnDutyUserId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [ServiceRequest::OnDutyUserId, ServiceRequest::WechatGroupId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ServiceRequest::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for table in [
            DutyShift::Table.into_iden(),
            WechatGroupStaff::Table.into_iden(),
            WechatGroupBuilding::Table.into_iden(),
            WechatGroup::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum WechatGroup {
    Table,
    Id,
    CommunityId,
    Name,
    Kind,
    GridId,
    MemberCount,
    CreatedBy,
    CreatedAt,
    ArchivedAt,
}

#[derive(DeriveIden)]
enum WechatGroupBuilding {
    Table,
    Id,
    CommunityId,
    GroupId,
    BuildingId,
}

#[derive(DeriveIden)]
enum WechatGroupStaff {
    Table,
    Id,
    CommunityId,
    GroupId,
    UserId,
}

#[derive(DeriveIden)]
enum DutyShift {
    Table,
    Id,
    CommunityId,
    GroupId,
    UserId,
    Weekday,
    StartsMinute,
    EndsMinute,
}

#[derive(DeriveIden)]
enum ServiceRequest {
    Table,
    WechatGroupId,
    OnDutyUserId,
}
