//! Households (户) in dwellings and their residents (居民). Document numbers and phones are
//! stored only encrypted (AES-256-GCM, bound to the row) with keyed hashes for exact
//! lookups; nothing personal is in an index in plain text.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000006_create_dwelling::Dwelling;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Household::Table)
                    .col(pk_uuid(Household::Id))
                    .col(uuid(Household::CommunityId))
                    .col(uuid(Household::DwellingId))
                    .col(string(Household::Tenure))
                    .col(timestamp_with_time_zone(Household::CreatedAt))
                    .col(timestamp_with_time_zone_null(Household::ArchivedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                Household::Table,
                                (Household::CommunityId, Household::DwellingId),
                            )
                            .to(Dwelling::Table, (Dwelling::CommunityId, Dwelling::Id)),
                    )
                    .index(&mut crate::tenant_key(
                        "uq_household_community_id",
                        Household::CommunityId,
                        Household::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Resident::Table)
                    .col(pk_uuid(Resident::Id))
                    .col(uuid(Resident::CommunityId))
                    .col(uuid(Resident::HouseholdId))
                    .col(string(Resident::Name))
                    .col(string_null(Resident::Gender))
                    .col(date_null(Resident::BirthDate))
                    .col(string(Resident::DocumentType))
                    .col(string_null(Resident::DocumentCipher))
                    .col(string_null(Resident::DocumentHash))
                    .col(string_null(Resident::PhoneCipher))
                    .col(string_null(Resident::PhoneHash))
                    .col(string_null(Resident::PhoneLast4Hash))
                    .col(string(Resident::Relation))
                    .col(boolean(Resident::Registered))
                    .col(json_binary(Resident::Tags))
                    .col(timestamp_with_time_zone(Resident::CreatedAt))
                    .col(timestamp_with_time_zone_null(Resident::ArchivedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                Resident::Table,
                                (Resident::CommunityId, Resident::HouseholdId),
                            )
                            .to(Household::Table, (Household::CommunityId, Household::Id)),
                    )
                    .index(&mut crate::tenant_key(
                        "uq_resident_community_id",
                        Resident::CommunityId,
                        Resident::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("ix_resident_household", Resident::HouseholdId),
            ("ix_resident_document_hash", Resident::DocumentHash),
            ("ix_resident_phone_last4_hash", Resident::PhoneLast4Hash),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Resident::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Resident::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Household::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Household {
    Table,
    Id,
    CommunityId,
    DwellingId,
    Tenure,
    CreatedAt,
    ArchivedAt,
}

#[derive(DeriveIden)]
pub enum Resident {
    Table,
    Id,
    CommunityId,
    HouseholdId,
    Name,
    Gender,
    BirthDate,
    DocumentType,
    DocumentCipher,
    DocumentHash,
    PhoneCipher,
    PhoneHash,
    PhoneLast4Hash,
    Relation,
    Registered,
    Tags,
    CreatedAt,
    ArchivedAt,
}
