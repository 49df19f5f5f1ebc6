//! Calendar days as residents live them (ARCHITECTURE.md §7): China Standard Time, UTC+8
//! all year (China has no daylight saving). Dates such as terms, move-in days and ages are
//! days in this calendar; instants are stored in UTC.

use chrono::{DateTime, Days, FixedOffset, NaiveDate, Offset, TimeZone, Utc};

const CHINA_SECONDS_EAST: i32 = 8 * 3600;

fn china() -> FixedOffset {
    FixedOffset::east_opt(CHINA_SECONDS_EAST).unwrap_or_else(|| Utc.fix())
}

/// Today in China.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&china()).date_naive()
}

/// The day an instant falls on in China.
pub fn day_of(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&china()).date_naive()
}

/// Midnight in China at the start of `day`, as an instant.
pub fn start_of_day(day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    china()
        .from_local_datetime(&midnight)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| midnight.and_utc())
}

/// Midnight at the end of `day` (the start of the next), as an instant.
pub fn end_of_day(day: NaiveDate) -> DateTime<Utc> {
    start_of_day(day.checked_add_days(Days::new(1)).unwrap_or(day))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_china_day_runs_from_16_00_utc_the_evening_before() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
        assert_eq!(start_of_day(day).to_rfc3339(), "2026-11-22T16:00:00+00:00");
        assert_eq!(end_of_day(day).to_rfc3339(), "2026-11-23T16:00:00+00:00");
        assert_eq!(day_of(start_of_day(day)), day);
    }
}
