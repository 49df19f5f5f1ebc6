//! Exporting residents as a roster file (CSV or XLSX) with the same Chinese headers the
//! import reads. Masked by default; unmasked only for the community's staff, with a stated
//! reason; the file names who exported it and when.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use entity::{building, compound, dwelling, household, resident};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{access::ResidentAccess, care, personal, resident_fields::Relation};
use crate::{
    crypto::DataKeys,
    error::{AppError, AppResult, msg},
    tabular::{self, Format},
};

/// The most rows one export may carry; narrow the filter for more.
pub const MAX_EXPORT_ROWS: u64 = 20_000;

pub struct Export {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
    /// Whose data the file carries: (community, resident).
    pub subjects: Vec<(Uuid, Uuid)>,
}

const HEADERS: [&str; 16] = [
    "姓名",
    "性别",
    "出生日期",
    "证件类型",
    "身份证号",
    "联系电话",
    "小区",
    "楼栋",
    "单元",
    "房号",
    "面积",
    "与户主关系",
    "户籍",
    "标签",
    "关爱等级",
    "入住日期",
];

fn relation_label(relation: &str) -> &'static str {
    match Relation::parse(relation) {
        Some(Relation::Head) => "户主",
        Some(Relation::Spouse) => "配偶",
        Some(Relation::Child) => "子女",
        Some(Relation::Parent) => "父母",
        Some(Relation::Grandchild) => "孙子女",
        Some(Relation::Sibling) => "兄弟姐妹",
        _ => "其他",
    }
}

fn tag_label(tag: &str) -> &str {
    match tag {
        "elderly_alone" => "独居老人",
        "disabled" => "残疾人",
        "special_hardship" => "特困",
        "veteran" => "退役军人",
        "party_member" => "党员",
        "left_behind_child" => "留守儿童",
        "low_income" => "低保",
        other => other,
    }
}

fn document_label(doc_type: &str) -> &'static str {
    match doc_type {
        "mainland_id_card" => "身份证",
        "old_mainland_id_card" => "旧身份证",
        "hk_macau_taiwan_permit" => "港澳台居住证",
        "passport" => "护照",
        _ => "无",
    }
}

fn care_label(level: care::CareLevel) -> &'static str {
    match level {
        care::CareLevel::SpecialHardship => "特困(每周)",
        care::CareLevel::KeyGroup => "重点(每月)",
        care::CareLevel::Ordinary => "一般(每季)",
    }
}

/// Writes the residents matching `condition` that the caller may read. `unmasked` must
/// already be checked by the caller (staff with a reason).
#[allow(
    clippy::too_many_arguments,
    reason = "one export, its parameters named"
)]
pub async fn export(
    conn: &impl ConnectionTrait,
    access: &ResidentAccess,
    keys: &DataKeys,
    condition: Condition,
    format: Format,
    unmasked: bool,
    exporter: &str,
    now: DateTime<Utc>,
) -> AppResult<Export> {
    let select = resident::Entity::find()
        .filter(access.condition(resident::Column::CommunityId, resident::Column::HouseholdId))
        .filter(condition);
    let count = sea_orm::PaginatorTrait::count(select.clone(), conn).await?;
    if count > MAX_EXPORT_ROWS {
        return Err(AppError::bad_input(
            "input.filter",
            msg!(
                "{count} residents match; an export holds at most {max}",
                count = count,
                max = MAX_EXPORT_ROWS
            ),
        ));
    }
    let residents = select.order_by_asc(resident::Column::Id).all(conn).await?;
    let ids = |f: &dyn Fn(&resident::Model) -> Uuid| {
        let mut v: Vec<Uuid> = residents.iter().map(f).collect();
        v.sort();
        v.dedup();
        v
    };
    let households: HashMap<Uuid, household::Model> = household::Entity::find()
        .filter(household::Column::Id.is_in(ids(&|r| r.household_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|h| (h.id, h))
        .collect();
    let dwellings: HashMap<Uuid, dwelling::Model> = dwelling::Entity::find()
        .filter(dwelling::Column::Id.is_in(households.values().map(|h| h.dwelling_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let buildings: HashMap<Uuid, building::Model> = building::Entity::find()
        .filter(building::Column::Id.is_in(dwellings.values().map(|d| d.building_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|b| (b.id, b))
        .collect();
    let compounds: HashMap<Uuid, compound::Model> = compound::Entity::find()
        .filter(compound::Column::Id.is_in(buildings.values().map(|b| b.compound_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut rows = Vec::with_capacity(residents.len());
    let mut subjects = Vec::with_capacity(residents.len());
    for r in &residents {
        let household = households.get(&r.household_id);
        let dwelling = household.and_then(|h| dwellings.get(&h.dwelling_id));
        let building = dwelling.and_then(|d| buildings.get(&d.building_id));
        let compound = building.and_then(|b| compounds.get(&b.compound_id));
        let detail = access.detail(r.household_id);
        let masked = !unmasked && detail != super::access::Detail::Full;
        let (document, phone) = personal::shown_fields(keys, r, masked)?;
        let document = document.filter(|_| detail != super::access::Detail::Family);
        let tags: Vec<String> = care::tags_of(r)
            .iter()
            .map(|t| tag_label(t).to_owned())
            .collect();
        subjects.push((r.community_id, r.id));
        rows.push(vec![
            r.name.clone(),
            match r.gender.as_deref() {
                Some("male") => "男".into(),
                Some("female") => "女".into(),
                _ => String::new(),
            },
            r.birth_date.map(|d| d.to_string()).unwrap_or_default(),
            document_label(&r.document_type).into(),
            document.unwrap_or_default(),
            phone.unwrap_or_default(),
            compound.map(|c| c.name.clone()).unwrap_or_default(),
            building.map(|b| b.number.clone()).unwrap_or_default(),
            dwelling.map(|d| d.unit.to_string()).unwrap_or_default(),
            dwelling.map(|d| d.room.clone()).unwrap_or_default(),
            dwelling
                .and_then(|d| d.floor_area_hundredths)
                .map(crate::graphql::scalars::format_hundredths)
                .unwrap_or_default(),
            relation_label(&r.relation).into(),
            if r.registered { "是" } else { "否" }.into(),
            tags.join("、"),
            household
                .map(|h| care_label(care::effective(h)).to_owned())
                .unwrap_or_default(),
            r.moved_in_on.map(|d| d.to_string()).unwrap_or_default(),
        ]);
    }
    // Rosters are read in China: the export time is written in Beijing time.
    let stamp = (now + TimeDelta::hours(8)).format("%Y-%m-%d %H:%M");
    let preamble = vec![format!(
        "居民台账 导出人: {exporter} 导出时间: {stamp} (北京时间) 共 {} 人 {}",
        rows.len(),
        if unmasked {
            "含完整个人信息, 请妥善保管"
        } else {
            "个人信息已脱敏"
        }
    )];
    let headers: Vec<String> = HEADERS.iter().map(|h| (*h).to_owned()).collect();
    let bytes = tabular::write(format, "居民台账", &preamble, &headers, &rows)
        .map_err(AppError::internal)?;
    Ok(Export {
        file_name: format!(
            "residents-{}.{}",
            now.format("%Y%m%d-%H%M%S"),
            format.extension()
        ),
        content_type: format.content_type(),
        bytes,
        subjects,
    })
}
