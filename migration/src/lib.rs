//! Schema migrations, applied in order by `jiedao migrate` and on `jiedao serve`.
//!
//! Tenancy rule (ARCHITECTURE.md §2): every tenant-owned table carries a non-null
//! `community_id`, has `UNIQUE (community_id, id)`, and points at other tenant tables with
//! composite foreign keys, so the database itself refuses cross-community references.
//! SQLite cannot add a foreign key later: declare them in `create_table`.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_org;
mod m20261123_000002_create_identity;
mod m20261123_000003_create_audit;
mod m20261123_000004_create_compound_building;
mod m20261123_000005_create_grid;
mod m20261123_000006_create_dwelling;
mod m20261123_000007_create_household_resident;
mod m20261123_000008_registry_care_owners_accounts;
mod m20261123_000009_create_committee;
mod m20261123_000010_create_fund_ledger;
mod m20261123_000011_create_expense;
mod m20261123_000012_create_statement;
mod m20261123_000013_create_levy;
mod m20261123_000014_create_stored_file;
mod m20261123_000015_create_meeting;
mod m20261123_000016_create_request;
mod m20261123_000017_create_visit;
mod m20261123_000018_create_announcement;
mod m20261123_000019_create_mediation;
mod m20261123_000020_create_request_follow_up;
mod m20261123_000021_motion_amount;
mod m20261129_000022_unique_current_resident;
mod m20261129_000023_outside_owner_document;
mod m20261129_000024_request_hotline_ticket;
mod m20261129_000025_signed_notice;
mod m20261129_000026_create_notifications;
mod m20261129_000027_resolution_photos;
mod m20261129_000028_contact_details;
mod m20261129_000029_care_watch;
mod m20261129_000030_family_contact;
mod m20261129_000031_micro_grid;
mod m20261129_000032_wechat_groups;
mod m20261130_000033_create_consultation;
mod m20261130_000034_create_points;
mod m20261130_000035_create_activity;
mod m20261130_000036_shardable_keys;
pub mod m20261201_000037_row_level_security;
pub mod row_security;
pub mod shard_keys;

/// The tenancy key of every tenant table (ARCHITECTURE.md §2): `UNIQUE (community_id, id)`,
/// the target of the composite foreign keys that keep rows inside their community.
pub(crate) fn tenant_key<C: IntoIndexColumn>(
    name: &str,
    community: C,
    id: C,
) -> IndexCreateStatement {
    Index::create()
        .name(name)
        .col(community)
        .col(id)
        .unique()
        .to_owned()
}

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_org::Migration),
            Box::new(m20261123_000002_create_identity::Migration),
            Box::new(m20261123_000003_create_audit::Migration),
            Box::new(m20261123_000004_create_compound_building::Migration),
            Box::new(m20261123_000005_create_grid::Migration),
            Box::new(m20261123_000006_create_dwelling::Migration),
            Box::new(m20261123_000007_create_household_resident::Migration),
            Box::new(m20261123_000008_registry_care_owners_accounts::Migration),
            Box::new(m20261123_000009_create_committee::Migration),
            Box::new(m20261123_000010_create_fund_ledger::Migration),
            Box::new(m20261123_000011_create_expense::Migration),
            Box::new(m20261123_000012_create_statement::Migration),
            Box::new(m20261123_000013_create_levy::Migration),
            Box::new(m20261123_000014_create_stored_file::Migration),
            Box::new(m20261123_000015_create_meeting::Migration),
            Box::new(m20261123_000016_create_request::Migration),
            Box::new(m20261123_000017_create_visit::Migration),
            Box::new(m20261123_000018_create_announcement::Migration),
            Box::new(m20261123_000019_create_mediation::Migration),
            Box::new(m20261123_000020_create_request_follow_up::Migration),
            Box::new(m20261123_000021_motion_amount::Migration),
            Box::new(m20261129_000022_unique_current_resident::Migration),
            Box::new(m20261129_000023_outside_owner_document::Migration),
            Box::new(m20261129_000024_request_hotline_ticket::Migration),
            Box::new(m20261129_000025_signed_notice::Migration),
            Box::new(m20261129_000026_create_notifications::Migration),
            Box::new(m20261129_000027_resolution_photos::Migration),
            Box::new(m20261129_000028_contact_details::Migration),
            Box::new(m20261129_000029_care_watch::Migration),
            Box::new(m20261129_000030_family_contact::Migration),
            Box::new(m20261129_000031_micro_grid::Migration),
            Box::new(m20261129_000032_wechat_groups::Migration),
            Box::new(m20261130_000033_create_consultation::Migration),
            Box::new(m20261130_000034_create_points::Migration),
            Box::new(m20261130_000035_create_activity::Migration),
            Box::new(m20261130_000036_shardable_keys::Migration),
            Box::new(m20261201_000037_row_level_security::Migration),
        ]
    }
}
