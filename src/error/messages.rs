//! The one table of client-facing messages: each English template of a `msg!` in the code,
//! with its Simplified Chinese translation. Placeholders (`{name}`) are the same in both.

use std::{collections::HashMap, sync::LazyLock};

/// English template → Simplified Chinese.
const ZH: &[(&str, &str)] = &[];

/// Words that fill a placeholder marked `Term` (statuses, kinds), in Chinese.
const TERMS: &[(&str, &str)] = &[];

static ZH_INDEX: LazyLock<HashMap<&str, &str>> = LazyLock::new(|| ZH.iter().copied().collect());
static TERM_INDEX: LazyLock<HashMap<&str, &str>> =
    LazyLock::new(|| TERMS.iter().copied().collect());

pub(super) fn zh(template: &str) -> Option<&'static str> {
    ZH_INDEX.get(template).copied()
}

pub(super) fn zh_term(word: &str) -> Option<&'static str> {
    TERM_INDEX.get(word).copied()
}
