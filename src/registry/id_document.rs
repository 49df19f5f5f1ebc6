//! Identity documents (证件) on the residents roster: validation, normalisation and masking.
//! Pure functions only — no I/O, no database; "today" is passed in so results are testable.
//!
//! * **Mainland ID card** (居民身份证, GB 11643-1999): 17 digits plus a check character
//!   (digit or `X`) computed with ISO 7064 MOD 11-2. Digits 7–14 are the birth date
//!   (a real date, not in the future, not before 1890-01-01), the 17th digit is odd for
//!   men and even for women, and the first digit of the region code must be 1–8. Full
//!   region tables are deliberately not checked: codes change and stale tables reject
//!   real people.
//! * **Old 15-digit ID card**: birth date `YYMMDD` at digits 7–12 (always 19YY), gender
//!   from the last digit, no check character. [`upgrade_15_to_18`] converts one.
//! * **HK/Macau/Taiwan residence permit** (港澳台居民居住证): the ID-card format and
//!   checksum, but it must start with 810000, 820000 or 830000. The reverse is not
//!   enforced: a mainland ID card starting with 81/82/83 is accepted.
//! * **Passport** (护照): 5–17 letters and digits, uppercased; no birth date or gender.
//! * **None**: the number must be empty.
//!
//! Input is normalised first: surrounding whitespace (including the full-width space
//! U+3000), BOMs and a leading `'` (Excel's "treat as text" prefix) are trimmed, full-width
//! characters (`０`–`９`, `Ｘ`) become ASCII, and letters are uppercased.
//!
//! Excel mangling is the most common data-quality problem in community rosters: typed into
//! a General-format cell, an 18-digit number is stored as a float, so it shows as
//! `1.10105E+17`, loses everything after the 15th significant digit (which become `000`),
//! or comes back from an export as `110105199001011234.0`. Those digits cannot be
//! recovered, so such values are reported as [`DocumentError::ExcelMangled`] — never as a
//! checksum error — with a message telling the user to format the column as Text and
//! re-enter the number. A number ending in `000` is only treated as mangled when its check
//! character fails; a genuine number that ends in `000` validates normally.

use std::fmt;

use chrono::NaiveDate;

use crate::error::{Msg, msg};

/// The kind of document a resident's number belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentType {
    MainlandIdCard,
    OldMainlandIdCard,
    HkMacauTaiwanResidencePermit,
    Passport,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gender {
    Male,
    Female,
}

/// A validated document; `number` is the normalised form to store (None for [`DocumentType::None`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidDocument {
    pub doc_type: DocumentType,
    pub number: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub gender: Option<Gender>,
}

/// How Excel damaged a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExcelMangling {
    /// `1.10105E+17`, `1.10105e17`.
    ScientificNotation,
    /// 18 digits ending in `000` whose check character fails (precision lost past 15 digits).
    TrailingZeros,
    /// `110105199001011234.0`.
    DecimalSuffix,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentError {
    Empty,
    ExcelMangled(ExcelMangling),
    WrongLength {
        expected: usize,
        found: usize,
    },
    /// Passport length outside `min..=max`.
    LengthOutOfRange {
        min: usize,
        max: usize,
        found: usize,
    },
    InvalidCharacters,
    InvalidBirthDate,
    ChecksumMismatch {
        expected: char,
        found: char,
    },
    UnknownRegion,
    /// A residence permit not starting with 810000, 820000 or 830000.
    NotResidencePermit,
    /// Document type "none" but a number was given.
    UnexpectedNumber,
}

impl DocumentError {
    /// A clear message for end users; the English text names the Chinese term in
    /// parentheses for staff who work from Chinese forms.
    #[must_use]
    pub fn msg(&self) -> Msg {
        match *self {
            Self::Empty => msg!("The document number is empty. (证件号码为空)"),
            Self::ExcelMangled(ExcelMangling::ScientificNotation) => msg!(
                "This number was turned into scientific notation by Excel (like 1.10105E+17), \
                 which loses digits. In Excel, format the column as Text, then re-enter the full \
                 number from the document. (证件号码被Excel转换)"
            ),
            Self::ExcelMangled(ExcelMangling::TrailingZeros) => msg!(
                "This number ends in 000 and fails its check: Excel stored it as a number and \
                 replaced the last digits with zeros. In Excel, format the column as Text, then \
                 re-enter the full number from the document. (证件号码被Excel转换)"
            ),
            Self::ExcelMangled(ExcelMangling::DecimalSuffix) => msg!(
                "This number has a decimal ending such as \".0\" added by Excel, which treated \
                 it as a number. In Excel, format the column as Text, then re-enter the full \
                 number from the document. (证件号码被Excel转换)"
            ),
            Self::WrongLength {
                expected: 18,
                found: 15,
            } => msg!(
                "The number must be 18 characters long, but it has 15. A 15-digit number is an \
                 old-style ID card; choose that type. (证件号码位数错误)"
            ),
            Self::WrongLength {
                expected: 15,
                found: 18,
            } => msg!(
                "The number must be 15 characters long, but it has 18. An 18-digit number is a \
                 current ID card; choose that type. (证件号码位数错误)"
            ),
            Self::WrongLength { expected, found } => msg!(
                "The number must be {expected} characters long, but it has {found}. (证件号码位数错误)",
                expected = expected,
                found = found
            ),
            Self::LengthOutOfRange { min, max, found } => msg!(
                "A passport number must be {min} to {max} letters and digits long, but it has \
                 {found}. (护照号码长度错误)",
                min = min,
                max = max,
                found = found
            ),
            Self::InvalidCharacters => msg!(
                "The number contains characters that are not allowed: ID numbers are digits \
                 with an optional final X, passport numbers are letters and digits only. \
                 (证件号码含有非法字符)"
            ),
            Self::InvalidBirthDate => msg!(
                "The birth date inside the number is not valid (not a real date, in the future, \
                 or before 1890). Check the date digits. (出生日期无效)"
            ),
            Self::ChecksumMismatch { expected, found } => msg!(
                "The number fails its check-character test (the last character would have to be \
                 {expected}, not {found}), so at least one digit was mistyped. Check every digit \
                 against the document; do not just change the last character. (校验码错误)",
                expected = expected,
                found = found
            ),
            Self::UnknownRegion => msg!(
                "The number does not start with a valid region code (the first digit must be 1 \
                 to 8). (地区码无效)"
            ),
            Self::NotResidencePermit => msg!(
                "A Hong Kong, Macau or Taiwan residence permit number must start with 810000, \
                 820000 or 830000. For a mainland ID card, choose that document type instead. \
                 (港澳台居民居住证号码无效)"
            ),
            Self::UnexpectedNumber => msg!(
                "A number was entered but the document type is \"none\". Choose the document \
                 type, or clear the number. (未选择证件类型)"
            ),
        }
    }

    /// The message in English (roster import reports, tests).
    #[must_use]
    pub fn message(&self) -> String {
        self.msg().english()
    }
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for DocumentError {}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: &[u8; 11] = b"10X98765432";
const PERMIT_PREFIXES: [&str; 3] = ["810000", "820000", "830000"];
const PASSPORT_LEN: (usize, usize) = (5, 17);

/// Validates and normalises `raw` as a document of `doc_type`.
///
/// # Errors
/// The first problem found, as a [`DocumentError`]; Excel damage is reported before
/// anything else.
pub fn validate(
    doc_type: DocumentType,
    raw: &str,
    today: NaiveDate,
) -> Result<ValidDocument, DocumentError> {
    let s = normalise(raw);
    if s.is_empty() {
        return match doc_type {
            DocumentType::None => Ok(ValidDocument {
                doc_type,
                number: None,
                birth_date: None,
                gender: None,
            }),
            _ => Err(DocumentError::Empty),
        };
    }
    if let Some(kind) = excel_mangling(doc_type, &s) {
        return Err(DocumentError::ExcelMangled(kind));
    }
    let (birth_date, gender) = match doc_type {
        DocumentType::None => return Err(DocumentError::UnexpectedNumber),
        DocumentType::Passport => check_passport(&s)?,
        DocumentType::MainlandIdCard
        | DocumentType::OldMainlandIdCard
        | DocumentType::HkMacauTaiwanResidencePermit => check_id(doc_type, &s, today)?,
    };
    Ok(ValidDocument {
        doc_type,
        number: Some(s),
        birth_date,
        gender,
    })
}

/// Converts a 15-digit ID number to the 18-digit form ("19" inserted before the year, check
/// character appended). None unless it is 15 digits with a plausible region and a real date.
#[must_use]
pub fn upgrade_15_to_18(number: &str) -> Option<String> {
    let s = normalise(number);
    let b = s.as_bytes();
    if b.len() != 15 || !b.iter().all(u8::is_ascii_digit) || !(b'1'..=b'8').contains(&b[0]) {
        return None;
    }
    birth_date(
        1900 + digits(&b[6..8]),
        &b[8..10],
        &b[10..12],
        NaiveDate::MAX,
    )
    .ok()?;
    let mut out = format!("{}19{}", &s[..6], &s[6..]);
    out.push(check_char(out.as_bytes()));
    Some(out)
}

/// Masks a number for display: ID-type numbers keep the first 3 and last 4 characters,
/// passports the first 1 and last 2; values too short to hide at least half become all
/// stars. The result has the same number of characters as the input.
#[must_use]
pub fn mask(doc_type: DocumentType, number: &str) -> String {
    let (head, tail) = match doc_type {
        DocumentType::Passport => (1, 2),
        DocumentType::None => (0, 0),
        _ => (3, 4),
    };
    let n = number.chars().count();
    if head + tail == 0 || n < 2 * (head + tail) {
        return "*".repeat(n);
    }
    number
        .chars()
        .enumerate()
        .map(|(i, c)| if i < head || i >= n - tail { c } else { '*' })
        .collect()
}

/// Full-width to ASCII, trim whitespace/BOM/zero-width space and a leading `'`, uppercase.
fn normalise(raw: &str) -> String {
    let ascii: String = raw
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect();
    let junk = |c: char| c.is_whitespace() || c == '\u{FEFF}' || c == '\u{200B}';
    let s = ascii.trim_matches(junk);
    let s = s.strip_prefix('\'').unwrap_or(s).trim_matches(junk);
    s.to_ascii_uppercase()
}

fn excel_mangling(doc_type: DocumentType, s: &str) -> Option<ExcelMangling> {
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit());
    match doc_type {
        DocumentType::None => return None,
        // A passport made only of letters and digits is never treated as Excel output.
        DocumentType::Passport if s.bytes().all(|c| c.is_ascii_alphanumeric()) => return None,
        _ => {}
    }
    if let Some((mantissa, exp)) = s.split_once('E') {
        let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
        let (int, frac) = mantissa.split_once(['.', ',']).unwrap_or((mantissa, "0"));
        if all_digits(int) && all_digits(frac) && all_digits(exp) {
            return Some(ExcelMangling::ScientificNotation);
        }
    }
    if let Some((int, frac)) = s.split_once(['.', ','])
        && all_digits(int)
        && !frac.is_empty()
        && frac.bytes().all(|c| c == b'0')
    {
        return Some(ExcelMangling::DecimalSuffix);
    }
    let b = s.as_bytes();
    if matches!(
        doc_type,
        DocumentType::MainlandIdCard | DocumentType::HkMacauTaiwanResidencePermit
    ) && b.len() == 18
        && all_digits(s)
        && s.ends_with("000")
        && check_char(&b[..17]) != '0'
    {
        return Some(ExcelMangling::TrailingZeros);
    }
    None
}

type Derived = (Option<NaiveDate>, Option<Gender>);

/// Shared checks for the 18-character ID card / residence permit and the old 15-digit card.
fn check_id(doc_type: DocumentType, s: &str, today: NaiveDate) -> Result<Derived, DocumentError> {
    let old = doc_type == DocumentType::OldMainlandIdCard;
    let len = if old { 15 } else { 18 };
    let b = s.as_bytes();
    let check_x = |i: usize| !old && i + 1 == b.len();
    if !b
        .iter()
        .enumerate()
        .all(|(i, &c)| c.is_ascii_digit() || (c == b'X' && check_x(i)))
    {
        return Err(DocumentError::InvalidCharacters);
    }
    if b.len() != len {
        return Err(DocumentError::WrongLength {
            expected: len,
            found: b.len(),
        });
    }
    if doc_type == DocumentType::HkMacauTaiwanResidencePermit {
        if !PERMIT_PREFIXES.iter().any(|p| s.starts_with(p)) {
            return Err(DocumentError::NotResidencePermit);
        }
    } else if !(b'1'..=b'8').contains(&b[0]) {
        return Err(DocumentError::UnknownRegion);
    }
    let (year, month_day) = if old {
        (1900 + digits(&b[6..8]), &b[8..12])
    } else {
        (digits(&b[6..10]), &b[10..14])
    };
    let birth = birth_date(year, &month_day[..2], &month_day[2..], today)?;
    if !old {
        let (expected, found) = (check_char(&b[..17]), char::from(b[17]));
        if expected != found {
            return Err(DocumentError::ChecksumMismatch { expected, found });
        }
    }
    Ok((Some(birth), Some(gender(b[if old { 14 } else { 16 }]))))
}

fn check_passport(s: &str) -> Result<Derived, DocumentError> {
    if !s.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return Err(DocumentError::InvalidCharacters);
    }
    let (min, max) = PASSPORT_LEN;
    if !(min..=max).contains(&s.len()) {
        return Err(DocumentError::LengthOutOfRange {
            min,
            max,
            found: s.len(),
        });
    }
    Ok((None, None))
}

/// ISO 7064 MOD 11-2 check character of the first 17 ASCII digits.
fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    char::from(CHECK_CHARS[(sum % 11) as usize])
}

/// The value of a run of ASCII digits (callers have checked they are digits).
fn digits(b: &[u8]) -> u32 {
    b.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'))
}

fn birth_date(
    year: u32,
    month: &[u8],
    day: &[u8],
    today: NaiveDate,
) -> Result<NaiveDate, DocumentError> {
    i32::try_from(year)
        .ok()
        .and_then(|y| NaiveDate::from_ymd_opt(y, digits(month), digits(day)))
        .filter(|d| year >= 1890 && *d <= today)
        .ok_or(DocumentError::InvalidBirthDate)
}

fn gender(digit: u8) -> Gender {
    if (digit - b'0') % 2 == 1 {
        Gender::Male
    } else {
        Gender::Female
    }
}

#[cfg(test)]
mod tests;
