//! The closed sets of care watch (intervals, check-in kinds, device kinds, status) and the
//! GraphQL objects built from its rows.

use async_graphql::{Enum, ID, SimpleObject};
use chrono::{DateTime, Duration, Utc};
use entity::care_device;

use crate::{error::AppResult, graphql::StoredEnum};

/// How often someone must see a watched household.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CareInterval {
    Daily,
    #[graphql(name = "EVERY_3_DAYS")]
    Every3Days,
    Weekly,
}

impl CareInterval {
    pub fn duration(self) -> Duration {
        match self {
            Self::Daily => Duration::days(1),
            Self::Every3Days => Duration::days(3),
            Self::Weekly => Duration::days(7),
        }
    }
}

impl StoredEnum for CareInterval {
    fn stored(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Every3Days => "every_3_days",
            Self::Weekly => "weekly",
        }
    }
}

/// How a household was seen.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckInKind {
    /// A home visit.
    Visit,
    /// A phone or video call.
    Call,
    /// A meal delivered (助餐).
    MealDelivered,
    /// The resident checked in themselves.
    #[graphql(name = "SELF")]
    Myself,
    /// A family member saw them.
    Family,
    Volunteer,
    /// A device's heartbeat or door event (only devices record it).
    Device,
}

impl StoredEnum for CheckInKind {
    fn stored(self) -> &'static str {
        match self {
            Self::Visit => "visit",
            Self::Call => "call",
            Self::MealDelivered => "meal_delivered",
            Self::Myself => "self",
            Self::Family => "family",
            Self::Volunteer => "volunteer",
            Self::Device => "device",
        }
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CareDeviceKind {
    /// An alarm button (一键呼叫): a press files an urgent request.
    Alarm,
    /// A door sensor: opening the door counts as a check-in.
    DoorSensor,
    /// A gateway that sends heartbeats for the home.
    Gateway,
}

impl StoredEnum for CareDeviceKind {
    fn stored(self) -> &'static str {
        match self {
            Self::Alarm => "alarm",
            Self::DoorSensor => "door_sensor",
            Self::Gateway => "gateway",
        }
    }
}

/// Where a watched household stands now.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CareStatus {
    /// Seen within the interval; next due after today.
    Ok,
    /// The next check-in is due today (China time) and has not passed.
    Due,
    /// The due time passed without a check-in.
    Missed,
}

/// A registered device (its token is never shown again).
#[derive(SimpleObject)]
pub struct CareDevice {
    pub id: ID,
    pub household_id: ID,
    pub kind: CareDeviceKind,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub last_alarm_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl CareDevice {
    pub fn of(m: care_device::Model) -> AppResult<Self> {
        Ok(Self {
            id: m.id.into(),
            household_id: m.household_id.into(),
            kind: CareDeviceKind::from_stored(&m.kind)?,
            label: m.label,
            created_at: m.created_at,
            last_seen_at: m.last_seen_at,
            last_alarm_at: m.last_alarm_at,
            revoked_at: m.revoked_at,
        })
    }
}
