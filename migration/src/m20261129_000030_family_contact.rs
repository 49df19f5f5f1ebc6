//! Family contacts (家属联系人): relatives a resident (often elderly, without a phone) names
//! to act for them: answer consultations, sign in to meetings, receive notices. The phone is
//! stored only encrypted; the optional login's grant is tied to the row and ends with it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FamilyContact::Table)
                    .col(pk_uuid(FamilyContact::Id))
                    .col(uuid(FamilyContact::CommunityId))
                    .col(uuid(FamilyContact::ResidentId))
                    .col(uuid(FamilyContact::HouseholdId))
                    .col(string(FamilyContact::Name))
                    // `daughter`, `son`, `spouse`, `relative` or `other`.
                    .col(string(FamilyContact::Relation))
                    // Encrypted, bound to the row's id, like residents' phones.
                    .col(text_null(FamilyContact::PhoneCipher))
                    .col(boolean(FamilyContact::MayAnswerConsultations))
                    .col(boolean(FamilyContact::MaySignInToMeetings))
                    .col(boolean(FamilyContact::MayReceiveNotices))
                    // Their own login, once staff created it.
                    .col(uuid_null(FamilyContact::UserId))
                    .col(uuid(FamilyContact::CreatedBy))
                    .col(timestamp_with_time_zone(FamilyContact::CreatedAt))
                    .col(timestamp_with_time_zone(FamilyContact::UpdatedAt))
                    .col(timestamp_with_time_zone_null(FamilyContact::EndedAt))
                    .col(uuid_null(FamilyContact::EndedBy))
                    .index(&mut crate::tenant_key(
                        "uq_family_contact_community_id",
                        FamilyContact::CommunityId,
                        FamilyContact::Id,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                FamilyContact::Table,
                                (FamilyContact::CommunityId, FamilyContact::ResidentId),
                            )
                            .to(Resident::Table, (Resident::CommunityId, Resident::Id)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                FamilyContact::Table,
                                (FamilyContact::CommunityId, FamilyContact::HouseholdId),
                            )
                            .to(Household::Table, (Household::CommunityId, Household::Id)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(FamilyContact::Table, FamilyContact::UserId)
                            .to(AppUser::Table, AppUser::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_family_contact_resident")
                    .table(FamilyContact::Table)
                    .col(FamilyContact::CommunityId)
                    .col(FamilyContact::ResidentId)
                    .to_owned(),
            )
            .await?;
        // One login speaks for one contact row: the grant's source.
        manager
            .create_index(
                Index::create()
                    .name("ux_family_contact_user")
                    .table(FamilyContact::Table)
                    .col(FamilyContact::UserId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(FamilyContact::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum FamilyContact {
    Table,
    Id,
    CommunityId,
    ResidentId,
    HouseholdId,
    Name,
    Relation,
    PhoneCipher,
    MayAnswerConsultations,
    MaySignInToMeetings,
    MayReceiveNotices,
    UserId,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    EndedAt,
    EndedBy,
}

#[derive(DeriveIden)]
enum Resident {
    Table,
    Id,
    CommunityId,
}

#[derive(DeriveIden)]
enum Household {
    Table,
    Id,
    CommunityId,
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
}
