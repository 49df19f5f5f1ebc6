//! Filters of the residents and households lists, as conditions on a household-id column:
//! where the household lives (compound, building, grid) and its care level.

use async_graphql::{ID, InputObject};
use chrono::{Datelike, Months, NaiveDate};
use entity::{building, dwelling, household, resident};
use sea_orm::{
    ColumnTrait, Condition,
    sea_query::{Expr, ExprTrait, Func, LikeExpr, Query, SelectStatement},
};
use uuid::Uuid;

use super::{care::CareLevel, resident_fields::ResidentTag};
use crate::{
    crypto::DataKeys,
    error::{AppError, AppResult, msg},
    graphql::{StoredEnum, parse_id},
    tenancy::households_in_grids,
};

/// Where households live and how much care they need.
#[derive(InputObject, Default, Clone)]
pub struct HouseholdFilter {
    pub compound_id: Option<ID>,
    pub building_id: Option<ID>,
    /// Households in the buildings this grid covers now.
    pub grid_id: Option<ID>,
    pub care_level: Option<CareLevel>,
    #[graphql(default = false)]
    pub include_moved_out: bool,
}

#[derive(InputObject, Default)]
pub struct ResidentFilter {
    pub household_id: Option<ID>,
    pub compound_id: Option<ID>,
    pub building_id: Option<ID>,
    pub grid_id: Option<ID>,
    /// The care level of the resident's household.
    pub care_level: Option<CareLevel>,
    /// Residents carrying this tag, e.g. `ELDERLY_ALONE`.
    pub tag: Option<ResidentTag>,
    /// Age in whole years today, inclusive; residents without a known birth date never match.
    pub min_age: Option<u32>,
    pub max_age: Option<u32>,
    /// Part of a name, or the last four digits of a phone.
    pub search: Option<String>,
    #[graphql(default = false)]
    pub include_moved_out: bool,
}

fn households_where(condition: Condition) -> SelectStatement {
    Query::select()
        .column((household::Entity, household::Column::Id))
        .from(household::Entity)
        .inner_join(
            dwelling::Entity,
            Expr::col((dwelling::Entity, dwelling::Column::Id))
                .equals((household::Entity, household::Column::DwellingId)),
        )
        .cond_where(condition)
        .to_owned()
}

impl HouseholdFilter {
    /// The filter as a condition on `household_id` (moved-out households are the caller's
    /// concern: residents have their own moved-out flag).
    pub fn condition<C: ColumnTrait>(&self, household_id: C) -> AppResult<Condition> {
        let mut all = Condition::all();
        if let Some(id) = &self.building_id {
            let building = parse_id("filter.buildingId", id)?;
            all =
                all.add(
                    household_id.in_subquery(households_where(Condition::all().add(
                        Expr::col((dwelling::Entity, dwelling::Column::BuildingId)).eq(building),
                    ))),
                );
        }
        if let Some(id) = &self.compound_id {
            let compound = parse_id("filter.compoundId", id)?;
            let buildings = Query::select()
                .column(building::Column::Id)
                .from(building::Entity)
                .and_where(building::Column::CompoundId.eq(compound))
                .to_owned();
            all = all.add(
                household_id.in_subquery(households_where(
                    Condition::all().add(
                        Expr::col((dwelling::Entity, dwelling::Column::BuildingId))
                            .in_subquery(buildings),
                    ),
                )),
            );
        }
        if let Some(id) = &self.grid_id {
            let grid: Uuid = parse_id("filter.gridId", id)?;
            all = all.add(household_id.in_subquery(households_in_grids(&[grid])));
        }
        if let Some(level) = self.care_level {
            let effective = Func::coalesce([
                Expr::col(household::Column::CareLevelOverride),
                Expr::col(household::Column::CareLevelDerived),
            ]);
            all = all.add(
                household_id.in_subquery(
                    Query::select()
                        .column(household::Column::Id)
                        .from(household::Entity)
                        .and_where(Expr::expr(effective).eq(level.as_str()))
                        .to_owned(),
                ),
            );
        }
        Ok(all)
    }
}

impl ResidentFilter {
    pub fn condition(&self, keys: &DataKeys, today: NaiveDate) -> AppResult<Condition> {
        let place = HouseholdFilter {
            compound_id: self.compound_id.clone(),
            building_id: self.building_id.clone(),
            grid_id: self.grid_id.clone(),
            care_level: self.care_level,
            include_moved_out: self.include_moved_out,
        };
        let mut all = place.condition(resident::Column::HouseholdId)?;
        if let Some(id) = &self.household_id {
            all = all.add(resident::Column::HouseholdId.eq(parse_id("filter.householdId", id)?));
        }
        if let Some(search) = self
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            all = all.add(search_condition(keys, search));
        }
        if let Some(tag) = self.tag {
            // Tags are a JSON array of known names (no quotes inside): match the quoted name.
            all = all.add(
                Expr::col(resident::Column::Tags)
                    .cast_as("text")
                    .like(format!("%\"{}\"%", tag.stored())),
            );
        }
        if let (Some(min), Some(max)) = (self.min_age, self.max_age)
            && min > max
        {
            return Err(AppError::bad_input(
                "filter.maxAge",
                msg!("maxAge is at least minAge"),
            ));
        }
        if let Some(min) = self.min_age {
            // Aged at least `min`: born on or before this day `min` years ago.
            all = all.add(resident::Column::BirthDate.lte(years_before(today, min)?));
        }
        if let Some(max) = self.max_age {
            // Aged at most `max`: born after this day `max + 1` years ago.
            all = all.add(resident::Column::BirthDate.gt(years_before(today, max + 1)?));
        }
        if !self.include_moved_out {
            all = all.add(resident::Column::ArchivedAt.is_null());
        }
        Ok(all)
    }
}

/// `today` minus whole years; 29 February falls back to 28 February.
fn years_before(today: NaiveDate, years: u32) -> AppResult<NaiveDate> {
    if years > 150 {
        return Err(AppError::bad_input("filter", msg!("an age is at most 150")));
    }
    today
        .checked_sub_months(Months::new(years * 12))
        .filter(|d| d.year() > 0)
        .ok_or_else(|| AppError::bad_input("filter", msg!("an age is at most 150")))
}

/// A name fragment, or four digits matched against the keyed hash of phones' last digits.
fn search_condition(keys: &DataKeys, search: &str) -> Condition {
    let by_phone = search.len() == 4 && search.bytes().all(|b| b.is_ascii_digit());
    if by_phone {
        return Condition::all().add(
            resident::Column::PhoneLast4Hash.eq(super::personal::phone_last4_hash(keys, search)),
        );
    }
    let escaped = search
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Condition::all().add(
        Expr::col(resident::Column::Name).like(LikeExpr::new(format!("%{escaped}%")).escape('\\')),
    )
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::years_before;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn ages_turn_on_the_birthday_and_29_february_falls_back_to_the_28th() {
        // Someone born 1949-12-31 is 76 on 2026-12-30 and 77 on 2026-12-31.
        let min_77 = |today| years_before(today, 77).ok();
        assert!(day(1949, 12, 31) > min_77(day(2026, 12, 30)).unwrap_or_default());
        assert!(day(1949, 12, 31) <= min_77(day(2026, 12, 31)).unwrap_or_default());
        assert_eq!(
            years_before(day(2028, 2, 29), 1).ok(),
            Some(day(2027, 2, 28))
        );
        assert!(years_before(day(2026, 1, 1), 151).is_err());
    }
}
