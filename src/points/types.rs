//! The closed sets of points: the unit a community counts, rule triggers, entry kinds.

use async_graphql::Enum;

use crate::graphql::StoredEnum;

/// Whom a community's points belong to.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointsUnit {
    /// One account per household (the default).
    Household,
    /// One account per resident; awards to a household go to its head (户主).
    Resident,
}

impl StoredEnum for PointsUnit {
    fn stored(self) -> &'static str {
        match self {
            Self::Household => "household",
            Self::Resident => "resident",
        }
    }
}

/// What earns the points of a rule.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointsTrigger {
    /// Awarded by hand for anything the rule names; a community may have many.
    Manual,
    /// A passed waste-sorting check (垃圾分类), often a building at once.
    WasteSorting,
    /// Volunteering, per hour (quantities in minutes, rounded down).
    VolunteerHour,
    /// Confirmed attendance at a community activity.
    ActivityAttendance,
    /// Signing in to a meeting (板凳议事).
    MeetingAttendance,
}

impl PointsTrigger {
    /// Whether a community keeps at most one active rule for the trigger, so that an
    /// automatic award knows which rule applies. Manual rules are many.
    pub fn exclusive(self) -> bool {
        self != Self::Manual
    }

    /// The points `quantity` of the trigger's unit earns under a rule of `points` per unit:
    /// per hour for volunteering (minutes, rounded down), per count otherwise. `None` on
    /// overflow.
    pub fn points_for(self, points: i64, quantity: i64) -> Option<i64> {
        let product = points.checked_mul(quantity)?;
        Some(match self {
            Self::VolunteerHour => product / 60,
            _ => product,
        })
    }
}

impl StoredEnum for PointsTrigger {
    fn stored(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::WasteSorting => "waste_sorting",
            Self::VolunteerHour => "volunteer_hour",
            Self::ActivityAttendance => "activity_attendance",
            Self::MeetingAttendance => "meeting_attendance",
        }
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointsEntryKind {
    Award,
    Redemption,
    Reversal,
}

impl StoredEnum for PointsEntryKind {
    fn stored(self) -> &'static str {
        match self {
            Self::Award => "award",
            Self::Redemption => "redemption",
            Self::Reversal => "reversal",
        }
    }
}

/// What became of one household of a batch award.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AwardOutcome {
    /// Awarded in full.
    Awarded,
    /// Awarded, cut to what the rule's cap left.
    Capped,
    /// Nothing awarded: the cap is used up.
    CapReached,
    /// Nothing awarded: the household has no head to award (a community counting residents).
    NoRecipient,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volunteer_minutes_round_down_to_whole_points() {
        assert_eq!(PointsTrigger::VolunteerHour.points_for(5, 90), Some(7));
        assert_eq!(PointsTrigger::VolunteerHour.points_for(5, 11), Some(0));
        assert_eq!(PointsTrigger::WasteSorting.points_for(2, 3), Some(6));
        assert_eq!(PointsTrigger::Manual.points_for(i64::MAX, 2), None);
    }
}
