//! Unit tests of identity document validation.
use super::*;
use DocumentError as E;
use DocumentType::{HkMacauTaiwanResidencePermit as Permit, MainlandIdCard as Id};
use DocumentType::{OldMainlandIdCard as Old, Passport};
use Gender::{Female, Male};

type Checked = Result<ValidDocument, DocumentError>;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}
fn check(t: DocumentType, raw: &str) -> Checked {
    validate(t, raw, date(2025, 6, 1))
}
/// The expected success: normalised number, birth date and gender.
fn valid(t: DocumentType, n: &str, born: Option<(i32, u32, u32)>, g: Option<Gender>) -> Checked {
    let birth_date = born.map(|(y, m, d)| date(y, m, d));
    Ok(ValidDocument {
        doc_type: t,
        number: Some(n.into()),
        birth_date,
        gender: g,
    })
}
fn checksum(expected: char, found: char) -> Checked {
    Err(E::ChecksumMismatch { expected, found })
}
fn length(expected: usize, found: usize) -> Checked {
    Err(E::WrongLength { expected, found })
}

#[test]
fn check_char_matches_known_numbers() {
    // The textbook example, and numbers computed independently for the tests below.
    for n in [
        "11010519491231002X",
        "110105199001011232",
        "810000199001011230",
    ] {
        assert_eq!(check_char(&n.as_bytes()[..17]).to_string(), &n[17..]);
    }
}

#[test]
fn valid_mainland_ids_are_normalised() {
    let textbook = valid(Id, "11010519491231002X", Some((1949, 12, 31)), Some(Female));
    for raw in [
        "11010519491231002X",
        "11010519491231002x",
        " \t11010519491231002X\u{3000}\n",
        "１１０１０５１９４９１２３１００２Ｘ",
        "\u{3000}１１０１０５１９４９１２３１００２ｘ",
        "'11010519491231002X",
        "\u{FEFF}11010519491231002X",
    ] {
        assert_eq!(check(Id, raw), textbook, "{raw:?}");
    }
    let cases = [
        ("110105199001011232", (1990, 1, 1), Male),
        ("110105189001011233", (1890, 1, 1), Male), // earliest accepted
        ("110105202506011232", (2025, 6, 1), Male), // born today
    ];
    for (n, born, g) in cases {
        assert_eq!(check(Id, n), valid(Id, n, Some(born), Some(g)));
    }
}

#[test]
fn mainland_id_rejections() {
    let cases = [
        ("110105194912310021", checksum('X', '1')),
        ("11010519491231003X", checksum('8', 'X')),
        ("110105199002301231", Err(E::InvalidBirthDate)), // 30 February
        ("11010519901301123X", Err(E::InvalidBirthDate)), // month 13
        ("110105203001011231", Err(E::InvalidBirthDate)), // future
        ("110105202506021238", Err(E::InvalidBirthDate)), // tomorrow
        ("110105188912311232", Err(E::InvalidBirthDate)), // before 1890
        ("010105199001011239", Err(E::UnknownRegion)),
        ("910105199001011231", Err(E::UnknownRegion)),
        ("1101051949123100", length(18, 16)),
        ("110105491231002", length(18, 15)),
        ("1101051949123100X2", Err(E::InvalidCharacters)),
        ("110105-19491231002X", Err(E::InvalidCharacters)),
        ("王芳", Err(E::InvalidCharacters)),
        (" \u{3000} ", Err(E::Empty)),
    ];
    for (raw, want) in cases {
        assert_eq!(check(Id, raw), want, "{raw:?}");
    }
    let old_style = check(Id, "110105491231002").unwrap_err().message();
    assert!(old_style.contains("old-style"), "{old_style}");
    let typo = check(Id, "110105194912310021").unwrap_err().message();
    assert!(typo.contains("mistyped"), "{typo}");
}

#[test]
fn old_fifteen_digit_ids_and_upgrade() {
    let n = "110105491231002";
    assert_eq!(
        check(Old, n),
        valid(Old, n, Some((1949, 12, 31)), Some(Female))
    );
    let male = valid(Old, "110105900101123", Some((1990, 1, 1)), Some(Male));
    assert_eq!(check(Old, "１１０１０５９００１０１１２３"), male);
    assert_eq!(check(Old, "110105900230123"), Err(E::InvalidBirthDate));
    assert_eq!(check(Old, "010105900101123"), Err(E::UnknownRegion));
    assert_eq!(check(Old, "11010519491231002X"), Err(E::InvalidCharacters));
    assert_eq!(check(Old, "110105194912310021"), length(15, 18));

    assert_eq!(upgrade_15_to_18(n).as_deref(), Some("11010519491231002X"));
    let upgraded = upgrade_15_to_18(" 110105900101123 ");
    assert_eq!(upgraded.as_deref(), Some("110105199001011232"));
    for bad in [
        "110105900230123",
        "11010590010112",
        "11010590010112X",
        "010105900101123",
    ] {
        assert_eq!(upgrade_15_to_18(bad), None, "{bad}");
    }
}

#[test]
fn residence_permits() {
    for n in [
        "810000199001011230",
        "820000199001011232",
        "830000199001011234",
    ] {
        assert_eq!(
            check(Permit, n),
            valid(Permit, n, Some((1990, 1, 1)), Some(Male))
        );
        // Not over-restricting: the same number is fine as a mainland ID card.
        assert_eq!(check(Id, n), valid(Id, n, Some((1990, 1, 1)), Some(Male)));
    }
    assert_eq!(
        check(Permit, "11010519491231002X"),
        Err(E::NotResidencePermit)
    );
    assert_eq!(
        check(Permit, "810105199001011238"),
        Err(E::NotResidencePermit)
    );
    assert_eq!(check(Permit, "810000199001011231"), checksum('0', '1'));
}

#[test]
fn passports() {
    assert_eq!(
        check(Passport, " e12345678\u{3000}"),
        valid(Passport, "E12345678", None, None)
    );
    assert_eq!(
        check(Passport, "ｇ１２３４５６７８"),
        valid(Passport, "G12345678", None, None)
    );
    assert_eq!(
        check(Passport, "AB123"),
        valid(Passport, "AB123", None, None)
    );
    let out_of_range = |found| {
        Err(E::LengthOutOfRange {
            min: 5,
            max: 17,
            found,
        })
    };
    assert_eq!(check(Passport, "E123"), out_of_range(4));
    assert_eq!(check(Passport, "E12345678901234567"), out_of_range(18));
    assert_eq!(check(Passport, "E1234-5678"), Err(E::InvalidCharacters));
    assert_eq!(check(Passport, "E 1234 5678"), Err(E::InvalidCharacters));
    assert_eq!(check(Passport, ""), Err(E::Empty));
}

#[test]
fn none_type() {
    let none = DocumentType::None;
    for raw in ["", "  ", "\u{3000}"] {
        let v = check(none, raw).unwrap();
        assert_eq!(
            (v.doc_type, v.number, v.birth_date, v.gender),
            (none, None, None, None)
        );
    }
    assert_eq!(check(none, "E12345678"), Err(E::UnexpectedNumber));
    assert_eq!(check(none, "1.10105E+17"), Err(E::UnexpectedNumber));
}

#[test]
fn excel_scientific_notation_and_decimal_suffix() {
    let sci = Err(E::ExcelMangled(ExcelMangling::ScientificNotation));
    let dec = Err(E::ExcelMangled(ExcelMangling::DecimalSuffix));
    for t in [Id, Old, Permit] {
        for raw in [
            "1.10105E+17",
            "1.10105e17",
            "1.101051990E+17",
            " 1,10105E+17 ",
            "1E+17",
        ] {
            assert_eq!(check(t, raw), sci, "{t:?} {raw}");
        }
        assert_eq!(check(t, "１.１０１０５Ｅ＋１７"), sci);
    }
    assert_eq!(check(Passport, "1.23456E+10"), sci);
    assert_eq!(check(Id, "110105199001011234.0"), dec);
    assert_eq!(check(Id, "11010519491231002.00"), dec);
    assert_eq!(check(Old, "110105491231002.0"), dec);
    assert_eq!(check(Id, "110105199001011234.5"), Err(E::InvalidCharacters));
}

#[test]
fn excel_trailing_zeros_only_when_checksum_fails() {
    let zeros = Err(E::ExcelMangled(ExcelMangling::TrailingZeros));
    assert_eq!(check(Id, "110105199001011000"), zeros); // check char would be '5'
    assert_eq!(check(Permit, "810000199001011000"), zeros);
    // A genuine number ending in 000 (check character '0') validates normally,
    let n = "110105199001013000";
    assert_eq!(check(Id, n), valid(Id, n, Some((1990, 1, 1)), Some(Female)));
    // and a near miss that does not end in 000 is an ordinary checksum error.
    assert_eq!(check(Id, "110105199001011001"), checksum('5', '1'));
}

#[test]
fn masking() {
    let cases = [
        (Id, "110105199001011234", "110***********1234"),
        (Permit, "810000199001011230", "810***********1230"),
        (Old, "110105491231002", "110********1002"),
        (Passport, "E12345678", "E******78"),
        (Passport, "AB123", "*****"),
        (Id, "1234567", "*******"),
        (DocumentType::None, "", ""),
        (DocumentType::None, "abc", "***"),
    ];
    for (t, n, want) in cases {
        assert_eq!(mask(t, n), want, "{t:?} {n}");
    }
}

#[test]
fn every_error_has_a_message_and_display_matches() {
    let all = [
        E::Empty,
        E::ExcelMangled(ExcelMangling::ScientificNotation),
        E::ExcelMangled(ExcelMangling::TrailingZeros),
        E::ExcelMangled(ExcelMangling::DecimalSuffix),
        length(18, 17).unwrap_err(),
        E::LengthOutOfRange {
            min: 5,
            max: 17,
            found: 3,
        },
        E::InvalidCharacters,
        E::InvalidBirthDate,
        checksum('X', '1').unwrap_err(),
        E::UnknownRegion,
        E::NotResidencePermit,
        E::UnexpectedNumber,
    ];
    for e in all {
        let message = e.message();
        assert!(message.len() > 20 && message.ends_with(')'), "{e:?}");
        assert_eq!(e.to_string(), message);
        if matches!(e, E::ExcelMangled(_)) {
            assert!(message.contains("format the column as Text"), "{message}");
        }
    }
}
