//! Phone numbers as people type them: residents' (kept encrypted by the registry) and
//! staff's work phones (published on contact cards) follow the same rule.

use crate::error::{Msg, msg};

/// Digits of a phone number: an 11-digit mobile (1xxxxxxxxxx) or a 7-12 digit landline,
/// with spaces, dashes and a +86 prefix tolerated.
pub fn normalize_phone(raw: &str) -> Result<String, Msg> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let digits = digits
        .strip_prefix("86")
        .filter(|d| d.len() == 11)
        .unwrap_or(&digits);
    let ok = match digits.len() {
        11 if digits.starts_with('1') => true,
        7..=12 => !digits.starts_with('1'),
        _ => false,
    };
    if !ok || raw.chars().any(|c| c.is_alphabetic()) {
        return Err(msg!("not a mainland mobile or landline number"));
    }
    Ok(digits.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_and_landlines_keep_their_digits() {
        assert_eq!(normalize_phone("+86 139-0571-0001").unwrap(), "13905710001");
        assert_eq!(normalize_phone("0571-86012345").unwrap(), "057186012345");
        assert!(normalize_phone("12345").is_err());
        assert!(normalize_phone("call me").is_err());
    }
}
