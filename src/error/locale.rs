//! The language of the messages a client reads: Simplified Chinese when the request asks for
//! it, English otherwise (operators, logs and the audit log always get English).

/// A language the server answers in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Locale {
    #[default]
    En,
    Zh,
}

impl Locale {
    /// The language an `Accept-Language` value prefers: the supported language with the
    /// highest q-value, the earlier one on a tie; English when neither is named. Any `zh`
    /// (zh-CN, zh-Hans, zh-TW …) gets Simplified Chinese, which every Chinese reader reads
    /// better than English.
    pub fn from_accept_language(value: &str) -> Self {
        let mut best = (Self::En, 0.0_f32);
        for item in value.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split(['-', '_']).next().unwrap_or("");
            let locale = if primary.eq_ignore_ascii_case("zh") {
                Self::Zh
            } else if primary.eq_ignore_ascii_case("en") {
                Self::En
            } else {
                continue;
            };
            if quality > best.1 {
                best = (locale, quality);
            }
        }
        best.0
    }

    /// The language of an HTTP request, from its `Accept-Language` header.
    pub fn of_headers(headers: &axum::http::HeaderMap) -> Self {
        headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Self::from_accept_language)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::Locale::{self, En, Zh};

    #[test]
    fn chinese_when_it_ranks_above_english() {
        for value in [
            "zh",
            "zh-CN",
            "zh-Hans",
            "zh-Hans-CN",
            "zh_CN",
            "ZH-cn",
            "zh-CN,zh;q=0.9,en;q=0.8",
            "en;q=0.5, zh",
            "zh-TW,zh;q=0.9",
            "fr, zh;q=0.3",
            "zh, en",
        ] {
            assert_eq!(Locale::from_accept_language(value), Zh, "{value}");
        }
    }

    #[test]
    fn english_otherwise() {
        for value in [
            "",
            "en",
            "en-US,en;q=0.9,zh;q=0.5",
            "en, zh",
            "fr",
            "*",
            "zh;q=0",
            "en-GB;q=0.5, zh;q=0.5",
            "garbage;;;",
        ] {
            assert_eq!(Locale::from_accept_language(value), En, "{value}");
        }
    }
}
