//! A 12345 hotline ticket is recorded once per community: the ticket number gets its own
//! column (it was only inside `source_detail`) with a unique index, so the same ticket
//! typed in twice is refused instead of becoming two requests with two deadlines.

use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{ConnectionTrait, DbBackend},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ServiceRequest::Table)
                    .add_column(string_null(ServiceRequest::HotlineTicket))
                    .to_owned(),
            )
            .await?;
        let ticket = match manager.get_database_backend() {
            DbBackend::Postgres => "source_detail ->> 'hotlineTicket'",
            _ => "json_extract(source_detail, '$.hotlineTicket')",
        };
        let db = manager.get_connection();
        db.execute_unprepared(&format!(
            "UPDATE service_request SET hotline_ticket = {ticket} WHERE source = 'hotline'"
        ))
        .await?;
        // Tickets recorded twice before this rule: the later records keep the ticket in
        // their details but not in the column, so the rule holds from here on.
        db.execute_unprepared(
            "UPDATE service_request SET hotline_ticket = NULL WHERE hotline_ticket IS NOT NULL \
             AND EXISTS (SELECT 1 FROM service_request AS earlier \
             WHERE earlier.community_id = service_request.community_id \
             AND earlier.hotline_ticket = service_request.hotline_ticket \
             AND earlier.created_at < service_request.created_at)",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX uq_service_request_hotline_ticket \
             ON service_request (community_id, hotline_ticket) WHERE hotline_ticket IS NOT NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("uq_service_request_hotline_ticket")
                    .table(ServiceRequest::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ServiceRequest::Table)
                    .drop_column(ServiceRequest::HotlineTicket)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum ServiceRequest {
    Table,
    HotlineTicket,
}
