//! The closed sets of activities: kinds, audiences, statuses, sign-up states and delivery
//! outcomes, with their stored spellings.

use async_graphql::Enum;

use crate::graphql::StoredEnum;

/// What kind of activity it is.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActivityKind {
    /// 义诊: a free clinic (blood pressure, blood sugar) for the elderly.
    FreeClinic,
    /// 节日活动: a festival gathering.
    Festival,
    /// 送温暖: deliveries to households (special hardship at festivals).
    Delivery,
    /// 清洁日: a clean-up day.
    CleanUp,
    Culture,
    Sports,
    Other,
}

impl StoredEnum for ActivityKind {
    fn stored(self) -> &'static str {
        match self {
            Self::FreeClinic => "free_clinic",
            Self::Festival => "festival",
            Self::Delivery => "delivery",
            Self::CleanUp => "clean_up",
            Self::Culture => "culture",
            Self::Sports => "sports",
            Self::Other => "other",
        }
    }
}

/// Who may sign up as a participant.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "ActivityAudience")]
pub enum Audience {
    /// Every resident of the community.
    AllResidents,
    /// Residents living in one compound (`audienceCompoundId`).
    Compound,
    /// Residents aged 60 or over on the activity's day (from their birth date).
    Elderly,
    /// Nobody signs up: the activity goes to a set of households (deliveries); only
    /// volunteers sign up.
    Households,
}

impl StoredEnum for Audience {
    fn stored(self) -> &'static str {
        match self {
            Self::AllResidents => "all",
            Self::Compound => "compound",
            Self::Elderly => "elderly",
            Self::Households => "households",
        }
    }
}

/// draft → published → finished, or cancelled.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActivityStatus {
    /// Seen by staff only.
    Draft,
    /// Open to sign-ups until the deadline.
    Published,
    Finished,
    Cancelled,
}

impl StoredEnum for ActivityStatus {
    fn stored(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Finished => "finished",
            Self::Cancelled => "cancelled",
        }
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignUpStatus {
    /// Has a place.
    Confirmed,
    /// On the waiting list; promoted in order when a place frees up.
    Waiting,
    Cancelled,
}

impl StoredEnum for SignUpStatus {
    fn stored(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::Waiting => "waiting",
            Self::Cancelled => "cancelled",
        }
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// Not visited yet.
    Pending,
    Delivered,
    /// Nobody opened; visit again.
    NotHome,
}

impl StoredEnum for DeliveryOutcome {
    fn stored(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::NotHome => "not_home",
        }
    }
}
