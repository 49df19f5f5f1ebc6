//! One current resident per person per community, as a database rule: two imports of the
//! same roster racing each other (or any two writers) can no longer register one person
//! twice. A person is their document number within the community, or, without one, their
//! name within the household. Rows of people who moved out (`archived_at`) do not count.

use sea_orm_migration::{prelude::*, sea_orm::ConnectionTrait};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each rule: its index, the columns that identify a person, the rows it covers.
const RULES: [(&str, &str, &str); 2] = [
    (
        "uq_resident_current_document",
        "community_id, document_hash",
        "archived_at IS NULL AND document_hash IS NOT NULL",
    ),
    (
        "uq_resident_current_name_without_document",
        "household_id, name",
        "archived_at IS NULL AND document_hash IS NULL",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, columns, rows) in RULES {
            // A clear refusal beats the driver's "could not create unique index".
            let duplicates = db
                .query_one_raw(sea_orm_migration::sea_orm::Statement::from_string(
                    manager.get_database_backend(),
                    format!(
                        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM resident WHERE {rows} \
                         GROUP BY {columns} HAVING COUNT(*) > 1) AS d"
                    ),
                ))
                .await?
                .map(|row| row.try_get::<i64>("", "n"))
                .transpose()?
                .unwrap_or(0);
            if duplicates > 0 {
                return Err(DbErr::Migration(format!(
                    "{duplicates} people are registered twice as current residents ({columns}); \
                     move the duplicates out (moveOutResident) and run the migration again"
                )));
            }
            db.execute_unprepared(&format!(
                "CREATE UNIQUE INDEX {name} ON resident ({columns}) WHERE {rows}"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _, _) in RULES {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(Alias::new("resident"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
