//! Care levels (关爱等级) of households: derived from the residents' tags, overridable by staff
//! with a reason. The level sets how often grid workers visit (weekly, monthly, quarterly).

use entity::{household, resident};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect,
};
use uuid::Uuid;

use crate::error::{AppError, AppResult, msg};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, async_graphql::Enum)]
pub enum CareLevel {
    /// 每季必访: visited quarterly.
    Ordinary,
    /// 重点人群, 每月必访: visited monthly.
    KeyGroup,
    /// 特困, 每周必访: visited weekly.
    SpecialHardship,
}

impl CareLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ordinary => "ordinary",
            Self::KeyGroup => "key_group",
            Self::SpecialHardship => "special_hardship",
        }
    }

    pub fn parse(value: &str) -> Self {
        match value {
            "special_hardship" => Self::SpecialHardship,
            "key_group" => Self::KeyGroup,
            _ => Self::Ordinary,
        }
    }

    /// The level one resident's tags call for.
    pub fn for_tags(tags: &[String]) -> Self {
        let has = |t: &str| tags.iter().any(|tag| tag == t);
        if has("special_hardship") {
            Self::SpecialHardship
        } else if [
            "elderly_alone",
            "disabled",
            "left_behind_child",
            "low_income",
        ]
        .into_iter()
        .any(has)
        {
            Self::KeyGroup
        } else {
            Self::Ordinary
        }
    }
}

/// The level in force: the override when staff set one, else the derived level.
pub fn effective(household: &household::Model) -> CareLevel {
    CareLevel::parse(
        household
            .care_level_override
            .as_deref()
            .unwrap_or(&household.care_level_derived),
    )
}

pub fn tags_of(resident: &resident::Model) -> Vec<String> {
    serde_json::from_value(resident.tags.clone()).unwrap_or_default()
}

/// Recomputes a household's derived level from its current members; called in the same
/// transaction as every change to a member.
pub async fn refresh(conn: &impl ConnectionTrait, household_id: Uuid) -> AppResult<()> {
    let tags: Vec<serde_json::Value> = resident::Entity::find()
        .select_only()
        .column(resident::Column::Tags)
        .filter(resident::Column::HouseholdId.eq(household_id))
        .filter(resident::Column::ArchivedAt.is_null())
        .into_tuple()
        .all(conn)
        .await?;
    let level = tags
        .into_iter()
        .map(|t| CareLevel::for_tags(&serde_json::from_value::<Vec<String>>(t).unwrap_or_default()))
        .max()
        .unwrap_or(CareLevel::Ordinary);
    household::ActiveModel {
        id: sea_orm::ActiveValue::Unchanged(household_id),
        care_level_derived: Set(level.as_str().to_owned()),
        ..Default::default()
    }
    .update(conn)
    .await?;
    Ok(())
}

/// Sets (or with `None` clears) the staff override; a reason is required to set one.
pub fn apply_override(
    household: household::Model,
    level: Option<CareLevel>,
    reason: Option<String>,
) -> AppResult<household::ActiveModel> {
    let reason = reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if level.is_some() && reason.as_ref().is_none_or(|r| r.chars().count() < 4) {
        return Err(AppError::bad_input(
            "input.reason",
            msg!("say why this household needs a different care level"),
        ));
    }
    if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
        return Err(AppError::bad_input(
            "input.reason",
            msg!("a reason is at most 500 characters"),
        ));
    }
    let mut update: household::ActiveModel = household.into();
    update.care_level_override = Set(level.map(|l| l.as_str().to_owned()));
    update.care_level_reason = Set(level.and(reason));
    Ok(update)
}

#[cfg(test)]
mod tests {
    use super::CareLevel;

    fn level(tags: &[&str]) -> CareLevel {
        CareLevel::for_tags(&tags.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn hardship_outranks_key_groups_which_outrank_ordinary() {
        assert_eq!(
            level(&["veteran", "special_hardship"]),
            CareLevel::SpecialHardship
        );
        assert_eq!(level(&["elderly_alone"]), CareLevel::KeyGroup);
        assert_eq!(level(&["disabled", "party_member"]), CareLevel::KeyGroup);
        assert_eq!(level(&["party_member", "veteran"]), CareLevel::Ordinary);
        assert_eq!(level(&[]), CareLevel::Ordinary);
    }
}
