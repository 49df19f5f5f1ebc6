//! The closed sets of funds, each with its stored spelling: shown to clients as enums,
//! written by the services, read back strictly (the ledger's entry kinds live with the hash
//! chain in `chain`).

use async_graphql::Enum;

use crate::graphql::StoredEnum;

/// How money came in.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    CashBox,
    Wechat,
    Bank,
    Other,
}

impl StoredEnum for Channel {
    fn stored(self) -> &'static str {
        match self {
            Self::CashBox => "cash_box",
            Self::Wechat => "wechat",
            Self::Bank => "bank",
            Self::Other => "other",
        }
    }
}

/// How a levy splits its amount.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LevyMethod {
    /// `amount` is the total, split equally (rounding fen to the first households).
    Equal,
    /// `amount` is the total, split by registered floor area.
    Area,
    /// `amount` is each household's share.
    PerHousehold,
}

impl StoredEnum for LevyMethod {
    fn stored(self) -> &'static str {
        match self {
            Self::Equal => "equal",
            Self::Area => "area",
            Self::PerHousehold => "per_household",
        }
    }
}

/// Whether a fund takes entries.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FundStatus {
    Open,
    /// Closed with a zero balance; takes no more entries.
    Closed,
}

impl StoredEnum for FundStatus {
    fn stored(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }
}

/// One approver's decision on an expense.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpenseVerdict {
    Approve,
    Reject,
}

impl StoredEnum for ExpenseVerdict {
    fn stored(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Reject => "reject",
        }
    }
}
