//! Announcements (通知) to a community, a compound or some buildings, normal or urgent
//! (停水停电, anti-fraud warnings), and which households have read them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Announcement::Table)
                    .col(pk_uuid(Announcement::Id))
                    .col(uuid(Announcement::CommunityId))
                    .col(uuid_null(Announcement::CompoundId))
                    // Empty: the whole community or compound.
                    .col(json_binary(Announcement::BuildingIds))
                    // `normal` or `urgent`.
                    .col(string(Announcement::Kind))
                    .col(string(Announcement::Title))
                    .col(text(Announcement::Body))
                    .col(timestamp_with_time_zone(Announcement::ValidUntil))
                    .col(uuid(Announcement::PublishedBy))
                    .col(timestamp_with_time_zone(Announcement::CreatedAt))
                    .index(&mut crate::tenant_key(
                        "uq_announcement_community_id",
                        Announcement::CommunityId,
                        Announcement::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AnnouncementRead::Table)
                    .col(pk_uuid(AnnouncementRead::Id))
                    .col(uuid(AnnouncementRead::CommunityId))
                    .col(uuid(AnnouncementRead::AnnouncementId))
                    .col(uuid(AnnouncementRead::HouseholdId))
                    .col(uuid(AnnouncementRead::UserId))
                    .col(timestamp_with_time_zone(AnnouncementRead::ReadAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                AnnouncementRead::Table,
                                (
                                    AnnouncementRead::CommunityId,
                                    AnnouncementRead::AnnouncementId,
                                ),
                            )
                            .to(
                                Announcement::Table,
                                (Announcement::CommunityId, Announcement::Id),
                            ),
                    )
                    .index(
                        Index::create()
                            .name("uq_announcement_read_user")
                            .col(AnnouncementRead::AnnouncementId)
                            .col(AnnouncementRead::UserId)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_announcement_community")
                    .table(Announcement::Table)
                    .col(Announcement::CommunityId)
                    .col(Announcement::ValidUntil)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AnnouncementRead::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Announcement::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Announcement {
    Table,
    Id,
    CommunityId,
    CompoundId,
    BuildingIds,
    Kind,
    Title,
    Body,
    ValidUntil,
    PublishedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AnnouncementRead {
    Table,
    Id,
    CommunityId,
    AnnouncementId,
    HouseholdId,
    UserId,
    ReadAt,
}
