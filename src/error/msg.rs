//! A message for the client, kept apart from its wording: an English template (which is
//! also its id in the table of translations, `messages.rs`) and named values for its
//! `{placeholders}`. Rendered in the caller's language only when the response is written,
//! so services, audit and logs deal in one language-neutral value.

use super::{locale::Locale, messages};

/// Builds a [`Msg`]: `msg!("amount must be at most {max}", max = limit)`. The literal is the
/// English text and the key of its Chinese translation; a unit test finds every `msg!` in
/// `src/` and fails when the table lacks it or the placeholders differ.
macro_rules! msg {
    ($template:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::error::Msg::from_template(
            $template,
            vec![$((stringify!($name), $crate::error::IntoArg::into_arg($value))),*],
        )
    };
}
pub(crate) use msg;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    template: &'static str,
    args: Vec<(&'static str, Arg)>,
}

/// A placeholder's value: text shown as it is (a number, a name), or a word of the table
/// (a status such as "approved") shown in the caller's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    Term(String),
}

/// Marks a placeholder value as a word of the table to translate
/// (`status = Term(&expense.status)`).
pub struct Term<'a>(pub &'a str);

pub trait IntoArg {
    fn into_arg(self) -> Arg;
}

impl<T: std::fmt::Display> IntoArg for T {
    fn into_arg(self) -> Arg {
        Arg::Text(self.to_string())
    }
}

impl IntoArg for Term<'_> {
    fn into_arg(self) -> Arg {
        Arg::Term(self.0.to_owned())
    }
}

impl Msg {
    /// Only for [`msg!`], so that every message in the code is a literal the table test sees.
    #[doc(hidden)]
    pub const fn from_template(template: &'static str, args: Vec<(&'static str, Arg)>) -> Self {
        Self { template, args }
    }

    /// The English text (logs, the audit log, the command line, and English clients).
    pub fn english(&self) -> String {
        self.text(Locale::En)
    }

    /// The text in `locale`; English where the table has no translation (a test makes sure
    /// it has one for every message in the code).
    pub fn text(&self, locale: Locale) -> String {
        let template = match locale {
            Locale::En => self.template,
            Locale::Zh => messages::zh(self.template).unwrap_or(self.template),
        };
        fill(template, |name| {
            self.args
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, arg)| match (arg, locale) {
                    (Arg::Text(text), _) => text.clone(),
                    (Arg::Term(word), Locale::En) => word.clone(),
                    (Arg::Term(word), Locale::Zh) => {
                        messages::zh_term(word).unwrap_or(word).to_owned()
                    }
                })
        })
    }
}

/// The `{name}` placeholders of a template, in order.
#[cfg(test)]
pub(super) fn placeholders(template: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(len) = rest[open..].find('}') else {
            break;
        };
        found.push(&rest[open + 1..open + len]);
        rest = &rest[open + len + 1..];
    }
    found
}

fn fill(template: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(len) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        let name = &rest[open + 1..open + len];
        match value(name) {
            Some(text) => out.push_str(&text),
            None => out.push_str(&rest[open..=open + len]),
        }
        rest = &rest[open + len + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_in_either_language() {
        let m = msg!("voting closes in the future, within {days} days", days = 30);
        assert_eq!(m.english(), "voting closes in the future, within 30 days");
        assert_eq!(
            m.text(Locale::Zh),
            "投票截止时间须晚于当前时间，且在 30 天之内"
        );
    }

    #[test]
    fn terms_are_translated_and_text_is_not() {
        let m = msg!(
            "the roster needs the columns {missing}; found: {found}",
            missing = "姓名",
            found = "draft"
        );
        assert_eq!(m.text(Locale::Zh), "台账须包含以下列：姓名；现有列：draft");
        let m = msg!(
            "a {status} expense takes no receipts",
            status = Term("paid")
        );
        assert_eq!(m.english(), "a paid expense takes no receipts");
        assert_eq!(m.text(Locale::Zh), "状态为“已支付”的支出不能添加收据");
    }
}
