//! When a household is due a visit (入户走访): special-hardship households every week,
//! key groups every month, everyone else every quarter (每周必访, 每月必访, 每季必访), in
//! calendar periods of China time (weeks start on Monday). A household is visited for a
//! period once someone visits it in that period; it is due while its period runs and it
//! was visited in the one before (or it is new); missing a whole period makes it overdue.

use chrono::{Datelike, Days, Months, NaiveDate};

use crate::registry::care::CareLevel;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cadence {
    Weekly,
    Monthly,
    Quarterly,
}

impl From<CareLevel> for Cadence {
    fn from(level: CareLevel) -> Self {
        match level {
            CareLevel::SpecialHardship => Self::Weekly,
            CareLevel::KeyGroup => Self::Monthly,
            CareLevel::Ordinary => Self::Quarterly,
        }
    }
}

/// The first day of the period containing `day`.
pub fn period_start(cadence: Cadence, day: NaiveDate) -> NaiveDate {
    match cadence {
        Cadence::Weekly => day - Days::new(u64::from(day.weekday().num_days_from_monday())),
        Cadence::Monthly => day.with_day(1).unwrap_or(day),
        Cadence::Quarterly => {
            let month = (day.month0() / 3) * 3 + 1;
            NaiveDate::from_ymd_opt(day.year(), month, 1).unwrap_or(day)
        }
    }
}

/// The first day of the period after the one containing `day`.
pub fn next_period_start(cadence: Cadence, day: NaiveDate) -> NaiveDate {
    let start = period_start(cadence, day);
    match cadence {
        Cadence::Weekly => start + Days::new(7),
        Cadence::Monthly => start + Months::new(1),
        Cadence::Quarterly => start + Months::new(3),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Visited in the current period.
    Done,
    /// To be visited by the end of the current period (`by` is its last day).
    Due { by: NaiveDate },
    /// A whole period went by without a visit; `since` is the first day it was late.
    Overdue { since: NaiveDate },
}

/// Where a household stands on `today`, given its last visit and the day it was registered.
pub fn standing(
    cadence: Cadence,
    last_visit: Option<NaiveDate>,
    registered: NaiveDate,
    today: NaiveDate,
) -> Standing {
    let current = period_start(cadence, today);
    if last_visit.is_some_and(|v| period_start(cadence, v) == current) {
        return Standing::Done;
    }
    // The period by whose end the next visit was owed: the one after the last visit, or
    // for a household never visited, the one it was registered in.
    let owed = match last_visit {
        Some(visit) => next_period_start(cadence, visit),
        None => period_start(cadence, registered),
    };
    if owed >= current {
        let by = next_period_start(cadence, today) - Days::new(1);
        Standing::Due { by }
    } else {
        Standing::Overdue {
            since: next_period_start(cadence, owed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn weekly_visits_follow_monday_to_sunday() {
        let registered = d(2026, 1, 1);
        // Visited on Sunday 22 Nov: due in the week of Monday 23 Nov, overdue from 30 Nov.
        let visit = Some(d(2026, 11, 22));
        assert_eq!(
            standing(Cadence::Weekly, visit, registered, d(2026, 11, 22)),
            Standing::Done
        );
        assert_eq!(
            standing(Cadence::Weekly, visit, registered, d(2026, 11, 29)),
            Standing::Due {
                by: d(2026, 11, 29)
            }
        );
        assert_eq!(
            standing(Cadence::Weekly, visit, registered, d(2026, 11, 30)),
            Standing::Overdue {
                since: d(2026, 11, 30)
            }
        );
    }

    #[test]
    fn monthly_and_quarterly_visits_turn_at_month_and_quarter_ends() {
        let registered = d(2026, 1, 1);
        let visit = Some(d(2026, 9, 30));
        assert_eq!(
            standing(Cadence::Monthly, visit, registered, d(2026, 10, 31)),
            Standing::Due {
                by: d(2026, 10, 31)
            }
        );
        assert_eq!(
            standing(Cadence::Monthly, visit, registered, d(2026, 11, 1)),
            Standing::Overdue {
                since: d(2026, 11, 1)
            }
        );
        // Quarterly: visited on the last day of Q3; due through Q4, late from 1 January.
        assert_eq!(
            standing(Cadence::Quarterly, visit, registered, d(2026, 12, 31)),
            Standing::Due {
                by: d(2026, 12, 31)
            }
        );
        assert_eq!(
            standing(Cadence::Quarterly, visit, registered, d(2027, 1, 1)),
            Standing::Overdue {
                since: d(2027, 1, 1)
            }
        );
        assert_eq!(
            standing(
                Cadence::Quarterly,
                Some(d(2026, 10, 1)),
                registered,
                d(2026, 12, 31)
            ),
            Standing::Done
        );
    }

    #[test]
    fn a_new_household_is_due_in_the_period_it_came_and_late_after() {
        let registered = d(2026, 11, 25);
        assert_eq!(
            standing(Cadence::Monthly, None, registered, d(2026, 11, 30)),
            Standing::Due {
                by: d(2026, 11, 30)
            }
        );
        assert_eq!(
            standing(Cadence::Monthly, None, registered, d(2026, 12, 1)),
            Standing::Overdue {
                since: d(2026, 12, 1)
            }
        );
    }
}
