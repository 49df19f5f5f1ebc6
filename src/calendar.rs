//! Calendar days as residents live them (ARCHITECTURE.md §7): China Standard Time, UTC+8
//! all year (China has no daylight saving). Dates such as terms, move-in days and ages are
//! days in this calendar; instants are stored in UTC.

use chrono::{DateTime, Days, Duration, FixedOffset, NaiveDate, Offset, TimeZone, Utc};

use crate::error::{AppError, AppResult, Term, msg};

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

/// An instant on the clock in China (a notice says when it was published).
pub fn in_china(instant: DateTime<Utc>) -> DateTime<FixedOffset> {
    instant.with_timezone(&china())
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

/// How far a client's clock may run ahead of ours.
const CLOCK_SKEW: Duration = Duration::minutes(5);

/// How far back an event may be recorded after the fact: a year of paper records.
pub const RECORDED_LATE_AT_MOST: Duration = Duration::days(366);

/// Refuses the instant of something that already happened (a visit, a message) when it
/// lies in the future or further back than `at_most` ago: a typo in the year, not a record.
pub fn check_happened(
    field: &str,
    what: &'static str,
    at: DateTime<Utc>,
    at_most: Duration,
) -> AppResult<()> {
    let now = Utc::now();
    if at > now + CLOCK_SKEW {
        return Err(AppError::bad_input(
            field,
            msg!("{what} cannot be in the future", what = Term(what)),
        ));
    }
    if at < now - at_most {
        return Err(AppError::bad_input(
            field,
            msg!(
                "{what} is dated {day}, more than {days} days ago; check the year",
                what = Term(what),
                day = day_of(at),
                days = at_most.num_days()
            ),
        ));
    }
    Ok(())
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

    #[test]
    fn what_happened_is_neither_in_the_future_nor_decades_ago() {
        let now = Utc::now();
        let year = RECORDED_LATE_AT_MOST;
        assert!(check_happened("f", "a visit", now, year).is_ok());
        assert!(check_happened("f", "a visit", now - Duration::days(300), year).is_ok());
        assert!(check_happened("f", "a visit", now + Duration::minutes(2), year).is_ok());
        assert!(check_happened("f", "a visit", now + Duration::days(30), year).is_err());
        let old = DateTime::parse_from_rfc3339("1990-03-01T08:00:00+08:00")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now);
        let err = check_happened("f", "a visit", old, year)
            .err()
            .map(|e| e.message());
        assert_eq!(
            err.as_deref(),
            Some("a visit is dated 1990-03-01, more than 366 days ago; check the year")
        );
    }
}
