//! What every public notice page shares: money, hashes and times as a notice board writes
//! them, the pages for a link that opens nothing or a ledger changed since it was published,
//! and the checking script. Pages are plain HTML in Chinese that reads without JavaScript
//! (WeChat's browser, older phones); the script only adds a check on top.

use std::sync::LazyLock;

use askama::Template;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::{
    calendar,
    error::{AppError, AppResult},
    graphql::scalars::format_hundredths,
    signing,
};

/// The script that checks a statement in the browser (docs/ledger-hash.md).
pub const VERIFY_JS: &str = include_str!("verify.js");

/// Where the script is served; pages add `?v=` its digest, so it can be cached for long.
pub const VERIFY_JS_PATH: &str = "/notice/verify.js";

/// The first hex digits of the script's SHA-256: a new binary's pages ask for a new URL.
pub static VERIFY_JS_VERSION: LazyLock<String> =
    LazyLock::new(|| signing::hex(&Sha256::digest(VERIFY_JS.as_bytes())[..6]));

/// What the pages allow: their own inline style and inline QR, and from this server only
/// the script, the QR image and the JSON the script checks.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; \
     script-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// `1,234.50 元`.
pub fn yuan(fen: i64) -> String {
    format!("{} 元", grouped_hundredths(fen))
}

/// Hundredths with thousands separated: `13,212.00` (money in fen, area in 0.01 m²).
pub fn grouped_hundredths(value: i64) -> String {
    let plain = format_hundredths(value);
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(digits) => ("-", digits),
        None => ("", plain.as_str()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{fraction}")
}

/// An amount with its direction: `+200.00 元`, `-50.00 元`.
pub fn signed_yuan(fen: i64) -> String {
    if fen > 0 {
        format!("+{}", yuan(fen))
    } else {
        yuan(fen)
    }
}

/// A hash as people compare it by eye: its first 16 hex digits in groups of four.
pub fn short_hash(hash: &str) -> String {
    signing::grouped(hash.get(..16).unwrap_or(hash))
}

/// The day an RFC 3339 instant falls on in China, `2026-03-01`.
pub fn day(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|at| calendar::day_of(at.with_timezone(&Utc)).to_string())
        .unwrap_or_default()
}

/// Date and minute in China of an RFC 3339 instant.
pub fn minute(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|at| minute_of_micros(at.timestamp_micros()))
        .unwrap_or_default()
}

/// The day of an instant given in microseconds.
pub fn day_of_micros(micros: i64) -> String {
    DateTime::from_timestamp_micros(micros)
        .map(|at| calendar::day_of(at).to_string())
        .unwrap_or_default()
}

/// Date and minute in China, `2026-03-01 14:05`.
pub fn minute_of_micros(micros: i64) -> String {
    DateTime::from_timestamp_micros(micros)
        .map(|at| calendar::in_china(at).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// Renders a page; a template that fails is a bug, logged as an internal error.
pub fn render(template: &impl Template) -> AppResult<String> {
    template.render().map_err(AppError::internal)
}

/// Why a notice link does not open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// No such notice (or a malformed link).
    NotFound,
    /// The ledger changed from entry `seq` on after the notice was published.
    Tampered { seq: i64 },
    /// An outage: try again later.
    Unavailable,
}

#[derive(Template)]
#[template(path = "notice/problem.html")]
struct ProblemPage {
    problem: Problem,
}

impl ProblemPage {
    fn title(&self) -> &'static str {
        match self.problem {
            Problem::NotFound => "未找到这份公示",
            Problem::Tampered { .. } => "警告：账目与公示不符",
            Problem::Unavailable => "暂时无法打开",
        }
    }
}

/// The page for a link that does not open.
pub fn problem(problem: Problem) -> String {
    // A fixed page with no data: should it fail anyway, a line of text still says why.
    render(&ProblemPage { problem }).unwrap_or_else(|_| ProblemPage { problem }.title().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_as_on_a_notice_board() {
        assert_eq!(yuan(0), "0.00 元");
        assert_eq!(yuan(5), "0.05 元");
        assert_eq!(yuan(123_450), "1,234.50 元");
        assert_eq!(yuan(100_000_000), "1,000,000.00 元");
        assert_eq!(yuan(-123_456_789), "-1,234,567.89 元");
        assert_eq!(signed_yuan(20_000), "+200.00 元");
        assert_eq!(grouped_hundredths(1_321_200), "13,212.00");
        assert_eq!(signed_yuan(-5_000), "-50.00 元");
    }

    #[test]
    fn hashes_and_times_read_short() {
        assert_eq!(
            short_hash("0123456789abcdef0123456789abcdef"),
            "0123 4567 89ab cdef"
        );
        // 16:30 UTC is half past midnight the next day in China.
        assert_eq!(day("2026-02-28T16:30:00.000000Z"), "2026-03-01");
        assert_eq!(minute_of_micros(1_772_296_200_000_000), "2026-03-01 00:30");
        assert_eq!(minute("2026-02-28T16:30:00Z"), "2026-03-01 00:30");
    }
}
