//! Closed sets that the API shows as GraphQL enums (SCREAMING_CASE) and the database keeps
//! as lowercase text. Each enum's `stored` match is the one table between the two; reading
//! back is derived from it, so the spellings cannot drift apart.

use std::fmt;

use async_graphql::resolver_utils::EnumType;

use crate::error::{AppError, AppResult};

/// A GraphQL enum whose values are stored as text.
pub trait StoredEnum: EnumType {
    /// The stored spelling of a value.
    fn stored(self) -> &'static str;

    /// Reads a stored value. Something this build never writes is an internal error (a
    /// hand-edited row, or a newer version's value after a rollback), not a guess.
    fn from_stored(value: &str) -> AppResult<Self> {
        Self::items()
            .iter()
            .map(|item| item.value)
            .find(|v| v.stored() == value)
            .ok_or_else(|| {
                AppError::internal(UnknownStoredValue {
                    enum_name: std::any::type_name::<Self>(),
                    value: value.to_owned(),
                })
            })
    }

    /// Every value, in declaration order.
    fn all() -> impl Iterator<Item = Self> {
        Self::items().iter().map(|item| item.value)
    }
}

/// A stored value outside its enum; logged, never shown to the client.
#[derive(Debug)]
struct UnknownStoredValue {
    enum_name: &'static str,
    value: String,
}

impl fmt::Display for UnknownStoredValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "stored value {:?} is not a {}",
            self.value, self.enum_name
        )
    }
}

impl std::error::Error for UnknownStoredValue {}

#[cfg(test)]
mod tests {
    use async_graphql::Enum;

    use super::StoredEnum;

    #[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
    enum Sample {
        CashBox,
        Bank,
    }

    impl StoredEnum for Sample {
        fn stored(self) -> &'static str {
            match self {
                Self::CashBox => "cash_box",
                Self::Bank => "bank",
            }
        }
    }

    #[test]
    fn stored_values_read_back_and_unknown_ones_are_internal_errors() {
        assert_eq!(Sample::from_stored("cash_box").ok(), Some(Sample::CashBox));
        assert_eq!(Sample::from_stored("bank").ok(), Some(Sample::Bank));
        let err = Sample::from_stored("CASH_BOX").err().map(|e| e.code());
        assert_eq!(err, Some("INTERNAL_SERVER_ERROR"));
        assert_eq!(Sample::all().count(), 2);
    }
}
