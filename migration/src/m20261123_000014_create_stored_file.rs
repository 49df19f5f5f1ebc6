//! Uploaded files (receipts now; photos later). The bytes live in the object store under
//! their SHA-256; a row here says who uploaded what, in which community, under which name.
//! Each use of a file is a link table with composite foreign keys, like `expense_receipt`.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000011_create_expense::Expense;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StoredFile::Table)
                    .col(pk_uuid(StoredFile::Id))
                    .col(uuid(StoredFile::CommunityId))
                    .col(string_len(StoredFile::Sha256, 64))
                    .col(string(StoredFile::ContentType))
                    .col(big_integer(StoredFile::SizeBytes))
                    .col(string(StoredFile::FileName))
                    .col(uuid(StoredFile::UploadedBy))
                    .col(timestamp_with_time_zone(StoredFile::CreatedAt))
                    .index(&mut crate::tenant_key(
                        "uq_stored_file_community_id",
                        StoredFile::CommunityId,
                        StoredFile::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ExpenseReceipt::Table)
                    .col(pk_uuid(ExpenseReceipt::Id))
                    .col(uuid(ExpenseReceipt::CommunityId))
                    .col(uuid(ExpenseReceipt::ExpenseId))
                    .col(uuid(ExpenseReceipt::FileId))
                    .col(timestamp_with_time_zone(ExpenseReceipt::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ExpenseReceipt::Table,
                                (ExpenseReceipt::CommunityId, ExpenseReceipt::ExpenseId),
                            )
                            .to(Expense::Table, (Expense::CommunityId, Expense::Id)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ExpenseReceipt::Table,
                                (ExpenseReceipt::CommunityId, ExpenseReceipt::FileId),
                            )
                            .to(StoredFile::Table, (StoredFile::CommunityId, StoredFile::Id)),
                    )
                    .index(
                        Index::create()
                            .name("uq_expense_receipt_file")
                            .col(ExpenseReceipt::FileId)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_expense_receipt_expense")
                    .table(ExpenseReceipt::Table)
                    .col(ExpenseReceipt::ExpenseId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ExpenseReceipt::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(StoredFile::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum StoredFile {
    Table,
    Id,
    CommunityId,
    Sha256,
    ContentType,
    SizeBytes,
    FileName,
    UploadedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ExpenseReceipt {
    Table,
    Id,
    CommunityId,
    ExpenseId,
    FileId,
    CreatedAt,
}
