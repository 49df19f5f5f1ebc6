//! Scalars of ARCHITECTURE.md §7 that carry exact decimal quantities as integers inside.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

/// `Area`: square metres with exactly two decimal places as a string ("89.50"); inside,
/// an integer count of hundredths (8950), so owners' votes by area are exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Area(pub i64);

/// Parses a non-negative decimal with at most two places into hundredths.
pub fn parse_hundredths(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (whole, fraction) = match raw.split_once('.') {
        Some((whole, fraction)) if digits(fraction) && fraction.len() <= 2 => (whole, fraction),
        Some(_) => return None,
        None => (raw, ""),
    };
    if !digits(whole) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(fraction)
}

pub fn format_hundredths(value: i64) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let abs = value.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[Scalar]
impl ScalarType for Area {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(raw) => parse_hundredths(raw).map(Area).ok_or_else(|| {
                InputValueError::custom("an area is like \"89.50\" (m², at most two decimals)")
            }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(format_hundredths(self.0))
    }
}

/// `Date`: a calendar day, `2026-11-23` (ARCHITECTURE.md §7 names it `Date`; chrono's own
/// scalar would be called `NaiveDate`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub chrono::NaiveDate);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(raw) => chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom("a date is like \"2026-11-23\"")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// The largest amount of money anywhere: 10^12 yuan, far above any fund, low enough that
/// sums of many amounts never overflow an i64 of fen.
pub const MAX_AMOUNT_FEN: i64 = 100_000_000_000_000;

/// `Money`: yuan with exactly two decimal places as a string ("1234.50", "-12.00"); inside,
/// an integer count of fen. Never a float, end to end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Money(pub i64);

/// Parses yuan with at most two decimals, optionally negative, into fen.
pub fn parse_fen(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    match raw.strip_prefix('-') {
        Some(rest) if !rest.starts_with('-') => parse_hundredths(rest).map(|f| -f),
        _ => parse_hundredths(raw),
    }
}

#[Scalar]
impl ScalarType for Money {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(raw) => parse_fen(raw).map(Money).ok_or_else(|| {
                InputValueError::custom("an amount is yuan like \"1234.50\" (at most two decimals)")
            }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(format_hundredths(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_are_exact_hundredths() {
        assert_eq!(parse_hundredths("89.5"), Some(8950));
        assert_eq!(parse_hundredths("89.50"), Some(8950));
        assert_eq!(parse_hundredths("120"), Some(12000));
        assert_eq!(parse_hundredths("0.07"), Some(7));
        for bad in [
            "",
            ".5",
            "1.234",
            "-3",
            "1e3",
            "12,5",
            "abc",
            "1.",
            "99999999999999999999",
        ] {
            assert_eq!(parse_hundredths(bad), None, "{bad}");
        }
        assert_eq!(format_hundredths(8950), "89.50");
        assert_eq!(format_hundredths(7), "0.07");
        assert_eq!(format_hundredths(-105), "-1.05");
    }

    #[test]
    fn money_is_exact_fen_and_may_be_negative() {
        assert_eq!(parse_fen("1234.5"), Some(123_450));
        assert_eq!(parse_fen("-12.00"), Some(-1200));
        assert_eq!(parse_fen("0.01"), Some(1));
        for bad in ["--1", "1.001", "1e2", "¥5", ""] {
            assert_eq!(parse_fen(bad), None, "{bad}");
        }
    }
}
