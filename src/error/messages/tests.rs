//! The table against the code: every `msg!` literal in `src/` has a Chinese entry with the
//! same placeholders as the values the call site names, and every entry is still used.

use std::{collections::BTreeSet, path::Path};

use super::{TERMS, ZH, zh, zh_term};
use crate::error::msg::placeholders;

/// One `msg!(...)` found in the source: its template and the names of its values.
#[derive(Debug)]
struct Use {
    file: String,
    template: String,
    names: BTreeSet<String>,
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code without comment lines (doc comments show `msg!` examples).
fn code_of(text: &str) -> String {
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads a string literal starting at `"`; returns its value and the rest after it.
fn string_literal(text: &str) -> Option<(String, &str)> {
    let mut chars = text.strip_prefix('"')?.char_indices().peekable();
    let mut value = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((value, &text[i + 2..])),
            '\\' => match chars.next()?.1 {
                'n' => value.push('\n'),
                '\n' => {
                    // A line continuation skips the newline and the indentation after it.
                    while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
                        chars.next();
                    }
                }
                other => value.push(other),
            },
            other => value.push(other),
        }
    }
    None
}

/// The text of the invocation's arguments after the template, up to its closing `)`.
fn arguments(text: &str) -> Option<&str> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => return Some(&text[..i]),
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The `name` of each top-level `name = value` argument.
fn value_names(arguments: &str) -> Result<BTreeSet<String>, String> {
    let mut names = BTreeSet::new();
    let (mut depth, mut start) = (0i32, 0);
    let mut parts = Vec::new();
    for (i, c) in arguments.char_indices() {
        match c {
            '(' | '[' | '{' | '<' => depth += 1,
            ')' | ']' | '}' | '>' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&arguments[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&arguments[start..]);
    for part in parts.into_iter().map(str::trim).filter(|p| !p.is_empty()) {
        let (name, _) = part
            .split_once('=')
            .ok_or_else(|| format!("not `name = value`: {part}"))?;
        names.insert(name.trim().to_owned());
    }
    Ok(names)
}

fn uses() -> Vec<Use> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut found = Vec::new();
    // This file names the macro in its own code; it builds no messages.
    for path in files
        .into_iter()
        .filter(|p| !p.ends_with("error/messages/tests.rs"))
    {
        let file = path.display().to_string();

        let code = code_of(&std::fs::read_to_string(&path).unwrap());
        assert!(
            !code.contains("Msg::from_template(") || file.ends_with("msg.rs"),
            "{file}: build messages with msg!, so this test sees them"
        );
        let mut rest = code.as_str();
        while let Some(at) = rest.find("msg!(") {
            rest = rest[at + 5..].trim_start();
            if rest.starts_with("$template") {
                continue; // the macro's own definition
            }
            let (template, after) = string_literal(rest)
                .unwrap_or_else(|| panic!("{file}: msg! takes a string literal: {rest:.60}"));
            let args = arguments(after).unwrap_or_else(|| panic!("{file}: unclosed msg!"));
            let names = value_names(args).unwrap_or_else(|e| panic!("{file}: {e}"));
            found.push(Use {
                file: file.clone(),
                template,
                names,
            });
            rest = after;
        }
    }
    found
}

#[test]
fn the_scan_finds_the_messages() {
    let uses = uses();
    // A scan that silently found nothing would pass every check below.
    assert!(uses.len() > 300, "found only {} msg! uses", uses.len());
    let limit = uses
        .iter()
        .find(|u| u.template.starts_with("the query is nested"))
        .expect("the depth limit's message");
    assert_eq!(
        limit.names,
        BTreeSet::from(["depth".to_owned(), "max".to_owned()])
    );
    let continued = uses
        .iter()
        .find(|u| {
            u.template
                .starts_with("This number was turned into scientific")
        })
        .expect("a message written over several lines");
    assert!(
        continued
            .template
            .contains("(like 1.10105E+17), which loses")
    );
}

#[test]
fn every_message_in_the_code_has_a_chinese_entry() {
    let missing: BTreeSet<_> = uses()
        .into_iter()
        .filter(|u| zh(&u.template).is_none())
        .map(|u| format!("{}: {:?}", u.file, u.template))
        .collect();
    assert!(missing.is_empty(), "no Chinese for:\n{missing:#?}");
}

#[test]
fn call_sites_give_exactly_the_placeholders_of_their_template() {
    for u in uses() {
        let wanted: BTreeSet<String> = placeholders(&u.template)
            .into_iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(u.names, wanted, "{}: {:?}", u.file, u.template);
    }
}

#[test]
fn both_languages_have_the_same_placeholders() {
    for (en, zh) in ZH {
        let mut a = placeholders(en);
        let mut b = placeholders(zh);
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b, "{en:?} → {zh:?}");
        assert!(!zh.is_empty() && zh != en, "{en:?} is not translated");
    }
}

#[test]
fn every_entry_is_used_once() {
    let used: BTreeSet<String> = uses().into_iter().map(|u| u.template).collect();
    let mut seen = BTreeSet::new();
    for (en, _) in ZH {
        assert!(seen.insert(*en), "{en:?} is in the table twice");
        assert!(used.contains(*en), "{en:?} is no longer used: remove it");
    }
    let mut words = BTreeSet::new();
    for (word, _) in TERMS {
        assert!(words.insert(*word), "{word:?} is a term twice");
    }
}

#[test]
fn every_word_shown_as_a_term_has_a_chinese_entry() {
    use crate::{funds::expenses::Status as Expense, requests::status};
    let expenses = [
        Expense::Draft,
        Expense::Submitted,
        Expense::Approved,
        Expense::Rejected,
        Expense::Paid,
        Expense::Cancelled,
    ]
    .map(Expense::as_str);
    let requests = status::ALL.map(status::Status::as_str);
    // Meeting and motion statuses are stored strings; what `check_happened` dates.
    let others = [
        "scheduled",
        "open",
        "closed",
        "cancelled",
        "draft",
        "voting",
        "the message",
        "a follow-up",
        "a visit",
    ];
    for word in expenses.iter().chain(&requests).chain(&others) {
        assert!(zh_term(word).is_some(), "no Chinese for the term {word:?}");
    }
}
