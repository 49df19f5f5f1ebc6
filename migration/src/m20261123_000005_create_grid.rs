//! Grids (网格): sets of buildings that a grid worker (网格员) covers. A building belongs to
//! at most one grid at a time: `grid_building` is keyed by the building.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261123_000001_create_org::Community, m20261123_000004_create_compound_building::Building,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Grid::Table)
                    .col(pk_uuid(Grid::Id))
                    .col(uuid(Grid::CommunityId))
                    .col(string(Grid::Name))
                    .col(timestamp_with_time_zone(Grid::CreatedAt))
                    .col(timestamp_with_time_zone_null(Grid::ArchivedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Grid::Table, Grid::CommunityId)
                            .to(Community::Table, Community::Id),
                    )
                    .index(&mut crate::tenant_key(
                        "uq_grid_community_id",
                        Grid::CommunityId,
                        Grid::Id,
                    ))
                    .index(
                        Index::create()
                            .name("uq_grid_community_name")
                            .col(Grid::CommunityId)
                            .col(Grid::Name)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(GridBuilding::Table)
                    // One row per building: the grid it belongs to now.
                    .col(pk_uuid(GridBuilding::BuildingId))
                    .col(uuid(GridBuilding::CommunityId))
                    .col(uuid(GridBuilding::GridId))
                    .col(timestamp_with_time_zone(GridBuilding::AssignedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                GridBuilding::Table,
                                (GridBuilding::CommunityId, GridBuilding::GridId),
                            )
                            .to(Grid::Table, (Grid::CommunityId, Grid::Id)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                GridBuilding::Table,
                                (GridBuilding::CommunityId, GridBuilding::BuildingId),
                            )
                            .to(Building::Table, (Building::CommunityId, Building::Id)),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_grid_building_grid")
                    .table(GridBuilding::Table)
                    .col(GridBuilding::GridId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(GridBuilding::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Grid::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Grid {
    Table,
    Id,
    CommunityId,
    Name,
    CreatedAt,
    ArchivedAt,
}

#[derive(DeriveIden)]
pub enum GridBuilding {
    Table,
    BuildingId,
    CommunityId,
    GridId,
    AssignedAt,
}
