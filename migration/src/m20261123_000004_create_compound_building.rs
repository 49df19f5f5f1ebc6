//! The first tenant tables: compounds (小区) and their buildings (楼栋). Both carry
//! `community_id` with `UNIQUE (community_id, id)`; a building points at its compound
//! through the composite key, so it cannot belong to a compound of another community.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_org::Community;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Compound::Table)
                    .col(pk_uuid(Compound::Id))
                    .col(uuid(Compound::CommunityId))
                    .col(string(Compound::Name))
                    .col(string(Compound::Address))
                    .col(boolean(Compound::HasPropertyCompany))
                    .col(timestamp_with_time_zone(Compound::CreatedAt))
                    .col(timestamp_with_time_zone_null(Compound::ArchivedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Compound::Table, Compound::CommunityId)
                            .to(Community::Table, Community::Id),
                    )
                    .index(&mut crate::tenant_key(
                        "uq_compound_community_id",
                        Compound::CommunityId,
                        Compound::Id,
                    ))
                    .index(
                        Index::create()
                            .name("uq_compound_community_name")
                            .col(Compound::CommunityId)
                            .col(Compound::Name)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Building::Table)
                    .col(pk_uuid(Building::Id))
                    .col(uuid(Building::CommunityId))
                    .col(uuid(Building::CompoundId))
                    .col(string(Building::Number))
                    .col(integer(Building::Units))
                    .col(integer(Building::Floors))
                    .col(timestamp_with_time_zone(Building::CreatedAt))
                    .col(timestamp_with_time_zone_null(Building::ArchivedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                Building::Table,
                                (Building::CommunityId, Building::CompoundId),
                            )
                            .to(Compound::Table, (Compound::CommunityId, Compound::Id)),
                    )
                    .index(&mut crate::tenant_key(
                        "uq_building_community_id",
                        Building::CommunityId,
                        Building::Id,
                    ))
                    .index(
                        Index::create()
                            .name("uq_building_compound_number")
                            .col(Building::CompoundId)
                            .col(Building::Number)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Building::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Compound::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Compound {
    Table,
    Id,
    CommunityId,
    Name,
    Address,
    HasPropertyCompany,
    CreatedAt,
    ArchivedAt,
}

#[derive(DeriveIden)]
pub enum Building {
    Table,
    Id,
    CommunityId,
    CompoundId,
    Number,
    Units,
    Floors,
    CreatedAt,
    ArchivedAt,
}
