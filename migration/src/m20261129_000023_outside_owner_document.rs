//! Outside owners (业主 who do not live in the compound) get an identity: their document
//! number, encrypted and keyed-hashed like residents'. One person owning several dwellings
//! is then one head under art. 278, and an outside owner who is also a resident is the
//! same person as that resident.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            DwellingOwner::OutsideDocumentType,
            DwellingOwner::OutsideDocumentCipher,
            DwellingOwner::OutsideDocumentHash,
        ] {
            // SQLite adds one column per ALTER TABLE.
            manager
                .alter_table(
                    Table::alter()
                        .table(DwellingOwner::Table)
                        .add_column(string_null(column))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_dwelling_owner_outside_document_hash")
                    .table(DwellingOwner::Table)
                    .col(DwellingOwner::OutsideDocumentHash)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_dwelling_owner_outside_document_hash")
                    .table(DwellingOwner::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            DwellingOwner::OutsideDocumentHash,
            DwellingOwner::OutsideDocumentCipher,
            DwellingOwner::OutsideDocumentType,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(DwellingOwner::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum DwellingOwner {
    Table,
    OutsideDocumentType,
    OutsideDocumentCipher,
    OutsideDocumentHash,
}
