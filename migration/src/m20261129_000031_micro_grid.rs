//! Micro-grids (微网格): a few buildings, or units of them, inside one grid, each with its
//! own leader (a grant with scope kind `micro_grid`). A member row is a whole building
//! (`unit` empty) or one unit of it; both tables are tenant tables with composite keys.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261123_000001_create_org::Community, m20261123_000004_create_compound_building::Building,
    m20261123_000005_create_grid::Grid,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MicroGrid::Table)
                    .col(pk_uuid(MicroGrid::Id))
                    .col(uuid(MicroGrid::CommunityId))
                    .col(uuid(MicroGrid::GridId))
                    .col(string(MicroGrid::Name))
                    .col(timestamp_with_time_zone(MicroGrid::CreatedAt))
                    .col(timestamp_with_time_zone_null(MicroGrid::ArchivedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MicroGrid::Table, MicroGrid::CommunityId)
                            .to(Community::Table, Community::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                MicroGrid::Table,
                                (MicroGrid::CommunityId, MicroGrid::GridId),
                            )
                            .to(Grid::Table, (Grid::CommunityId, Grid::Id)),
                    )
                    .index(&mut crate::tenant_key(
                        "uq_micro_grid_community_id",
                        MicroGrid::CommunityId,
                        MicroGrid::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_micro_grid_grid")
                    .table(MicroGrid::Table)
                    .col(MicroGrid::GridId)
                    .col(MicroGrid::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MicroGridBuilding::Table)
                    .col(pk_uuid(MicroGridBuilding::Id))
                    .col(uuid(MicroGridBuilding::CommunityId))
                    .col(uuid(MicroGridBuilding::MicroGridId))
                    .col(uuid(MicroGridBuilding::BuildingId))
                    // Empty: the whole building.
                    .col(integer_null(MicroGridBuilding::Unit))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                MicroGridBuilding::Table,
                                (
                                    MicroGridBuilding::CommunityId,
                                    MicroGridBuilding::MicroGridId,
                                ),
                            )
                            .to(MicroGrid::Table, (MicroGrid::CommunityId, MicroGrid::Id)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                MicroGridBuilding::Table,
                                (
                                    MicroGridBuilding::CommunityId,
                                    MicroGridBuilding::BuildingId,
                                ),
                            )
                            .to(Building::Table, (Building::CommunityId, Building::Id)),
                    )
                    .index(&mut crate::tenant_key(
                        "uq_micro_grid_building_community_id",
                        MicroGridBuilding::CommunityId,
                        MicroGridBuilding::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_micro_grid_building_micro_grid")
                    .table(MicroGridBuilding::Table)
                    .col(MicroGridBuilding::MicroGridId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MicroGridBuilding::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(MicroGrid::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum MicroGrid {
    Table,
    Id,
    CommunityId,
    GridId,
    Name,
    CreatedAt,
    ArchivedAt,
}

#[derive(DeriveIden)]
pub enum MicroGridBuilding {
    Table,
    Id,
    CommunityId,
    MicroGridId,
    BuildingId,
    Unit,
}
