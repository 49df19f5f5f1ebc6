//! Duty rotas: shifts on a weekday between two local times, and who is on duty at an
//! instant. Times are China time (`calendar`), as the rota is pinned in the office.

use chrono::{DateTime, Datelike, Timelike, Utc};
use entity::duty_shift;
use uuid::Uuid;

use crate::{
    calendar,
    error::{AppError, AppResult, msg},
};

/// At most this many shifts per group: three a day, every day, with room for overlaps.
pub const MAX_SHIFTS: usize = 50;

/// One shift as given: ISO weekday and `HH:MM` times.
#[derive(Clone, Debug)]
pub struct Shift {
    pub user_id: Uuid,
    pub weekday: i32,
    pub starts_minute: i32,
    pub ends_minute: i32,
}

/// Minutes since midnight of an `HH:MM` time (`24:00` ends a day).
pub fn parse_time(field: &str, raw: &str) -> AppResult<i32> {
    let bad = || AppError::bad_input(field, msg!("give a time as HH:MM, e.g. 08:30"));
    let (h, m) = raw.trim().split_once(':').ok_or_else(bad)?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (i32, i32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if (0..24).contains(&h) && (0..60).contains(&m) || (h, m) == (24, 0) {
        Ok(h * 60 + m)
    } else {
        Err(bad())
    }
}

/// `HH:MM` of minutes since midnight.
pub fn format_time(minutes: i32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Checks a shift's weekday and times; `at` is its index in the input.
pub fn check(shift: &Shift, at: usize) -> AppResult<()> {
    if !(1..=7).contains(&shift.weekday) {
        return Err(AppError::bad_input(
            format!("input.shifts.{at}.weekday"),
            msg!("a weekday is 1 (Monday) to 7 (Sunday)"),
        ));
    }
    if shift.starts_minute >= shift.ends_minute {
        return Err(AppError::bad_input(
            format!("input.shifts.{at}.endsAt"),
            msg!("a shift ends after it starts; split a night shift at midnight"),
        ));
    }
    Ok(())
}

/// Who is on duty at `at` among a group's shifts: the one whose shift started last (a
/// handover overlap goes to the incoming person), ties to the earlier-listed shift.
pub fn on_duty(shifts: &[duty_shift::Model], at: DateTime<Utc>) -> Option<Uuid> {
    let local = calendar::in_china(at);
    let weekday = local.weekday().number_from_monday() as i32;
    let minute = (local.hour() * 60 + local.minute()) as i32;
    shifts
        .iter()
        .filter(|s| s.weekday == weekday && s.starts_minute <= minute && minute < s.ends_minute)
        .min_by_key(|s| -s.starts_minute)
        .map(|s| s.user_id)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn shift(weekday: i32, from: &str, to: &str, user: u128) -> duty_shift::Model {
        duty_shift::Model {
            id: Uuid::nil(),
            community_id: Uuid::nil(),
            group_id: Uuid::nil(),
            user_id: Uuid::from_u128(user),
            weekday,
            starts_minute: parse_time("t", from).unwrap_or_default(),
            ends_minute: parse_time("t", to).unwrap_or_default(),
        }
    }

    #[test]
    fn times_are_hours_and_minutes_of_a_day() {
        assert_eq!(parse_time("t", "08:30").ok(), Some(510));
        assert_eq!(parse_time("t", "24:00").ok(), Some(1440));
        assert!(parse_time("t", "24:01").is_err());
        assert!(parse_time("t", "8h30").is_err());
        assert!(parse_time("t", "12:60").is_err());
        assert_eq!(format_time(510), "08:30");
    }

    #[test]
    fn the_person_on_duty_is_found_in_china_time_and_handovers_go_to_the_incoming_shift() {
        let rota = [
            shift(1, "08:00", "12:30", 1),
            shift(1, "12:00", "18:00", 2),
            shift(2, "08:00", "18:00", 3),
        ];
        // Monday 2026-11-30 09:00 in China is 01:00 UTC.
        let monday_nine = Utc.with_ymd_and_hms(2026, 11, 30, 1, 0, 0).unwrap();
        assert_eq!(on_duty(&rota, monday_nine), Some(Uuid::from_u128(1)));
        let monday_quarter_past_twelve = Utc.with_ymd_and_hms(2026, 11, 30, 4, 15, 0).unwrap();
        assert_eq!(
            on_duty(&rota, monday_quarter_past_twelve),
            Some(Uuid::from_u128(2))
        );
        // Monday 23:00 UTC is Tuesday 07:00 in China: nobody yet.
        let tuesday_seven = Utc.with_ymd_and_hms(2026, 11, 30, 23, 0, 0).unwrap();
        assert_eq!(on_duty(&rota, tuesday_seven), None);
    }
}
