//! Dwellings (房屋, the 专有部分 of the Civil Code): a unit and room of a building with its
//! registered floor area in hundredths of m², the basis of owners' votes by area.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000004_create_compound_building::Building;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Dwelling::Table)
                    .col(pk_uuid(Dwelling::Id))
                    .col(uuid(Dwelling::CommunityId))
                    .col(uuid(Dwelling::BuildingId))
                    .col(integer(Dwelling::Unit))
                    .col(string(Dwelling::Room))
                    .col(big_integer_null(Dwelling::FloorAreaHundredths))
                    .col(timestamp_with_time_zone(Dwelling::CreatedAt))
                    .col(timestamp_with_time_zone_null(Dwelling::ArchivedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                Dwelling::Table,
                                (Dwelling::CommunityId, Dwelling::BuildingId),
                            )
                            .to(Building::Table, (Building::CommunityId, Building::Id)),
                    )
                    .index(&mut crate::tenant_key(
                        "uq_dwelling_community_id",
                        Dwelling::CommunityId,
                        Dwelling::Id,
                    ))
                    .index(
                        Index::create()
                            .name("uq_dwelling_building_unit_room")
                            .col(Dwelling::BuildingId)
                            .col(Dwelling::Unit)
                            .col(Dwelling::Room)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Dwelling::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Dwelling {
    Table,
    Id,
    CommunityId,
    BuildingId,
    Unit,
    Room,
    FloorAreaHundredths,
    CreatedAt,
    ArchivedAt,
}
