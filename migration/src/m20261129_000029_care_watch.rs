//! Care watch (关爱巡查): households under watch with how often someone must see them,
//! each check-in (a visit, a call, a meal delivered, a device's heartbeat), and the alarm
//! buttons, door sensors and gateways of watched homes with the hash of their token.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000007_create_household_resident::Household;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CareWatch::Table)
                    .col(pk_uuid(CareWatch::Id))
                    .col(uuid(CareWatch::CommunityId))
                    .col(uuid(CareWatch::HouseholdId))
                    // `daily`, `every_3_days` or `weekly`.
                    .col(string(CareWatch::Interval))
                    .col(uuid(CareWatch::SetBy))
                    .col(timestamp_with_time_zone(CareWatch::Since))
                    .col(timestamp_with_time_zone_null(CareWatch::LastCheckInAt))
                    // The later of the last check-in and `since`, plus the interval: the
                    // alerts list and the scheduler read by this index, not by check-ins.
                    .col(timestamp_with_time_zone(CareWatch::DueAt))
                    .col(timestamp_with_time_zone_null(CareWatch::EndedAt))
                    .index(&mut crate::tenant_key(
                        "uq_care_watch_community_id",
                        CareWatch::CommunityId,
                        CareWatch::Id,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                CareWatch::Table,
                                (CareWatch::CommunityId, CareWatch::HouseholdId),
                            )
                            .to(Household::Table, (Household::CommunityId, Household::Id)),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CareDevice::Table)
                    .col(pk_uuid(CareDevice::Id))
                    .col(uuid(CareDevice::CommunityId))
                    .col(uuid(CareDevice::HouseholdId))
                    // `alarm`, `door_sensor` or `gateway`.
                    .col(string(CareDevice::Kind))
                    .col(string(CareDevice::Label))
                    // SHA-256 (hex) of the device's token; the token itself is shown once.
                    .col(string(CareDevice::TokenHash))
                    .col(uuid(CareDevice::CreatedBy))
                    .col(timestamp_with_time_zone(CareDevice::CreatedAt))
                    .col(timestamp_with_time_zone_null(CareDevice::RevokedAt))
                    .col(timestamp_with_time_zone_null(CareDevice::LastSeenAt))
                    // The last alarm that filed a request, and that request: repeated
                    // presses within half an hour do not file another.
                    .col(timestamp_with_time_zone_null(CareDevice::LastAlarmAt))
                    .col(uuid_null(CareDevice::LastAlarmRequestId))
                    .index(&mut crate::tenant_key(
                        "uq_care_device_community_id",
                        CareDevice::CommunityId,
                        CareDevice::Id,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                CareDevice::Table,
                                (CareDevice::CommunityId, CareDevice::HouseholdId),
                            )
                            .to(Household::Table, (Household::CommunityId, Household::Id)),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CareCheckIn::Table)
                    .col(pk_uuid(CareCheckIn::Id))
                    .col(uuid(CareCheckIn::CommunityId))
                    .col(uuid(CareCheckIn::HouseholdId))
                    .col(timestamp_with_time_zone(CareCheckIn::At))
                    // `visit`, `call`, `meal_delivered`, `self`, `family`, `volunteer`
                    // or `device`.
                    .col(string(CareCheckIn::Kind))
                    // A person (user) or a device, never both.
                    .col(uuid_null(CareCheckIn::RecordedBy))
                    .col(uuid_null(CareCheckIn::DeviceId))
                    .col(text(CareCheckIn::Note))
                    .col(timestamp_with_time_zone(CareCheckIn::CreatedAt))
                    .index(&mut crate::tenant_key(
                        "uq_care_check_in_community_id",
                        CareCheckIn::CommunityId,
                        CareCheckIn::Id,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                CareCheckIn::Table,
                                (CareCheckIn::CommunityId, CareCheckIn::HouseholdId),
                            )
                            .to(Household::Table, (Household::CommunityId, Household::Id)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                CareCheckIn::Table,
                                (CareCheckIn::CommunityId, CareCheckIn::DeviceId),
                            )
                            .to(CareDevice::Table, (CareDevice::CommunityId, CareDevice::Id)),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, table, columns, unique) in [
            (
                "ux_care_watch_household",
                CareWatch::Table.into_iden(),
                vec![CareWatch::HouseholdId.into_iden()],
                true,
            ),
            (
                "ix_care_watch_due",
                CareWatch::Table.into_iden(),
                vec![
                    CareWatch::CommunityId.into_iden(),
                    CareWatch::DueAt.into_iden(),
                    CareWatch::Id.into_iden(),
                ],
                false,
            ),
            (
                "ix_care_watch_due_at",
                CareWatch::Table.into_iden(),
                vec![CareWatch::DueAt.into_iden()],
                false,
            ),
            (
                "ux_care_device_token_hash",
                CareDevice::Table.into_iden(),
                vec![CareDevice::TokenHash.into_iden()],
                true,
            ),
            (
                "ix_care_device_household",
                CareDevice::Table.into_iden(),
                vec![CareDevice::HouseholdId.into_iden()],
                false,
            ),
            (
                "ix_care_check_in_household_at",
                CareCheckIn::Table.into_iden(),
                vec![
                    CareCheckIn::HouseholdId.into_iden(),
                    CareCheckIn::At.into_iden(),
                ],
                false,
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(table);
            for column in columns {
                index.col(column);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CareCheckIn::Table.into_iden(),
            CareDevice::Table.into_iden(),
            CareWatch::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum CareWatch {
    Table,
    Id,
    CommunityId,
    HouseholdId,
    Interval,
    SetBy,
    Since,
    LastCheckInAt,
    DueAt,
    EndedAt,
}

#[derive(DeriveIden)]
enum CareDevice {
    Table,
    Id,
    CommunityId,
    HouseholdId,
    Kind,
    Label,
    TokenHash,
    CreatedBy,
    CreatedAt,
    RevokedAt,
    LastSeenAt,
    LastAlarmAt,
    LastAlarmRequestId,
}

#[derive(DeriveIden)]
enum CareCheckIn {
    Table,
    Id,
    CommunityId,
    HouseholdId,
    At,
    Kind,
    RecordedBy,
    DeviceId,
    Note,
    CreatedAt,
}
