//! The demo registry of 幸福里社区: two compounds (one without a property company), their
//! buildings and dwellings with registered areas, and three grids.

use chrono::Utc;
use entity::{building, compound, dwelling, grid, grid_building};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::error::AppResult;

/// (compound, has a property company, buildings, units per building, floors, rooms per
/// floor and unit).
pub const COMPOUNDS: [(&str, bool, i32, i32, i32, i32); 2] = [
    ("和韵小区", false, 6, 2, 6, 2),
    ("芳华里", true, 3, 3, 11, 2),
];

/// What the demo registry holds, for the console and for tests.
pub struct DemoRegistry {
    pub compounds: Vec<compound::Model>,
    pub buildings: usize,
    pub dwellings: usize,
    /// The grids, by name; the last one gets the demo grid worker.
    pub grids: Vec<(String, Uuid)>,
}

pub async fn load(conn: &impl ConnectionTrait, community: Uuid) -> AppResult<DemoRegistry> {
    let now = Utc::now();
    let mut buildings_by_compound = Vec::new();
    let mut compounds = Vec::new();
    let mut dwellings = 0;
    for (name, has_property_company, buildings, units, floors, rooms) in COMPOUNDS {
        let compound = compound::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(community),
            name: Set(name.to_owned()),
            address: Set(format!("幸福路{}号", name.chars().count() * 7)),
            has_property_company: Set(has_property_company),
            created_at: Set(now),
            archived_at: Set(None),
        }
        .insert(conn)
        .await?;
        let mut ids = Vec::new();
        for number in 1..=buildings {
            let building = building::ActiveModel {
                id: Set(Uuid::now_v7()),
                community_id: Set(community),
                compound_id: Set(compound.id),
                number: Set(format!("{number}号楼")),
                units: Set(units),
                floors: Set(floors),
                created_at: Set(now),
                archived_at: Set(None),
            }
            .insert(conn)
            .await?;
            let rows = (1..=units).flat_map(|unit| {
                (1..=floors).flat_map(move |floor| {
                    (1..=rooms).map(move |room| dwelling::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        community_id: Set(community),
                        building_id: Set(building.id),
                        unit: Set(unit),
                        room: Set(format!("{floor}0{room}")),
                        // 58.00 to 125.50 m², the same every run.
                        floor_area_hundredths: Set(Some(
                            5_800 + i64::from((unit * 31 + floor * 17 + room * 13) % 28) * 250,
                        )),
                        created_at: Set(now),
                        archived_at: Set(None),
                    })
                })
            });
            let rows: Vec<_> = rows.collect();
            dwellings += rows.len();
            dwelling::Entity::insert_many(rows).exec(conn).await?;
            ids.push(building.id);
        }
        buildings_by_compound.push(ids);
        compounds.push(compound);
    }
    let hexun = &buildings_by_compound[0];
    let plan = [
        ("第1网格", &hexun[..3]),
        ("第2网格", &hexun[3..]),
        ("第3网格", &buildings_by_compound[1][..]),
    ];
    let mut grids = Vec::new();
    for (name, buildings) in plan {
        let grid = grid::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(community),
            name: Set(name.to_owned()),
            created_at: Set(now),
            archived_at: Set(None),
        }
        .insert(conn)
        .await?;
        grid_building::Entity::insert_many(buildings.iter().map(|b| grid_building::ActiveModel {
            building_id: Set(*b),
            community_id: Set(community),
            grid_id: Set(grid.id),
            assigned_at: Set(now),
        }))
        .exec(conn)
        .await?;
        grids.push((name.to_owned(), grid.id));
    }
    Ok(DemoRegistry {
        compounds,
        buildings: buildings_by_compound.iter().map(Vec::len).sum(),
        dwellings,
        grids,
    })
}
