//! The rest of the registry: household care levels (derived from tags, overridable with a
//! reason), residents' moved-in/out dates, dwelling owners, resident accounts and the
//! one-time binding codes that create them.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261123_000002_create_identity::AppUser,
    m20261123_000006_create_dwelling::Dwelling,
    m20261123_000007_create_household_resident::{Household, Resident},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        let household_columns = [
            string(HouseholdCare::CareLevelDerived)
                .default("ordinary")
                .to_owned(),
            string_null(HouseholdCare::CareLevelOverride),
            string_null(HouseholdCare::CareLevelReason),
        ];
        for column in household_columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Household::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [date_null(Moves::MovedInOn), date_null(Moves::MovedOutOn)] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Resident::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(DwellingOwner::Table)
                    .col(pk_uuid(DwellingOwner::Id))
                    .col(uuid(DwellingOwner::CommunityId))
                    .col(uuid(DwellingOwner::DwellingId))
                    // A resident of the registry, or an outside owner by name and contact.
                    .col(uuid_null(DwellingOwner::ResidentId))
                    .col(string_null(DwellingOwner::OutsideName))
                    .col(string_null(DwellingOwner::OutsideContactCipher))
                    .col(timestamp_with_time_zone(DwellingOwner::CreatedAt))
                    .col(timestamp_with_time_zone_null(DwellingOwner::EndedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                DwellingOwner::Table,
                                (DwellingOwner::CommunityId, DwellingOwner::DwellingId),
                            )
                            .to(Dwelling::Table, (Dwelling::CommunityId, Dwelling::Id)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                DwellingOwner::Table,
                                (DwellingOwner::CommunityId, DwellingOwner::ResidentId),
                            )
                            .to(Resident::Table, (Resident::CommunityId, Resident::Id)),
                    )
                    .index(&mut crate::tenant_key(
                        "uq_dwelling_owner_community_id",
                        DwellingOwner::CommunityId,
                        DwellingOwner::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ResidentAccount::Table)
                    .col(pk_uuid(ResidentAccount::ResidentId))
                    .col(uuid(ResidentAccount::CommunityId))
                    // One login per resident and one resident per login.
                    .col(uuid_uniq(ResidentAccount::UserId))
                    .col(timestamp_with_time_zone(ResidentAccount::LinkedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ResidentAccount::Table,
                                (ResidentAccount::CommunityId, ResidentAccount::ResidentId),
                            )
                            .to(Resident::Table, (Resident::CommunityId, Resident::Id)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ResidentAccount::Table, ResidentAccount::UserId)
                            .to(AppUser::Table, AppUser::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BindingCode::Table)
                    .col(pk_uuid(BindingCode::Id))
                    .col(uuid(BindingCode::CommunityId))
                    .col(uuid(BindingCode::ResidentId))
                    // Only a keyed hash of the code is kept.
                    .col(string_uniq(BindingCode::CodeHash))
                    .col(timestamp_with_time_zone(BindingCode::ExpiresAt))
                    .col(timestamp_with_time_zone_null(BindingCode::UsedAt))
                    .col(uuid_null(BindingCode::UsedBy))
                    .col(uuid(BindingCode::CreatedBy))
                    .col(timestamp_with_time_zone(BindingCode::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                BindingCode::Table,
                                (BindingCode::CommunityId, BindingCode::ResidentId),
                            )
                            .to(Resident::Table, (Resident::CommunityId, Resident::Id)),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, table, column) in [
            (
                "ix_dwelling_owner_dwelling",
                DwellingOwner::Table.into_iden(),
                DwellingOwner::DwellingId.into_iden(),
            ),
            (
                "ix_dwelling_owner_resident",
                DwellingOwner::Table.into_iden(),
                DwellingOwner::ResidentId.into_iden(),
            ),
            (
                "ix_binding_code_resident",
                BindingCode::Table.into_iden(),
                BindingCode::ResidentId.into_iden(),
            ),
            (
                "ix_resident_birth_date",
                Resident::Table.into_iden(),
                Resident::BirthDate.into_iden(),
            ),
            (
                "ix_household_dwelling",
                Household::Table.into_iden(),
                Household::DwellingId.into_iden(),
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
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            BindingCode::Table.into_iden(),
            ResidentAccount::Table.into_iden(),
            DwellingOwner::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for name in ["ix_resident_birth_date", "ix_household_dwelling"] {
            manager
                .drop_index(Index::drop().name(name).to_owned())
                .await?;
        }
        for column in [Moves::MovedInOn, Moves::MovedOutOn] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Resident::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            HouseholdCare::CareLevelDerived,
            HouseholdCare::CareLevelOverride,
            HouseholdCare::CareLevelReason,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Household::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
#[allow(
    clippy::enum_variant_names,
    reason = "the variants are the column names"
)]
enum HouseholdCare {
    CareLevelDerived,
    CareLevelOverride,
    CareLevelReason,
}

#[derive(DeriveIden)]
enum Moves {
    MovedInOn,
    MovedOutOn,
}

#[derive(DeriveIden)]
pub enum DwellingOwner {
    Table,
    Id,
    CommunityId,
    DwellingId,
    ResidentId,
    OutsideName,
    OutsideContactCipher,
    CreatedAt,
    EndedAt,
}

#[derive(DeriveIden)]
pub enum ResidentAccount {
    Table,
    ResidentId,
    CommunityId,
    UserId,
    LinkedAt,
}

#[derive(DeriveIden)]
enum BindingCode {
    Table,
    Id,
    CommunityId,
    ResidentId,
    CodeHash,
    ExpiresAt,
    UsedAt,
    UsedBy,
    CreatedBy,
    CreatedAt,
}
