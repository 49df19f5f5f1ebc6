//! A published statement as the pages show it: the phone page at `/s/{token}` (with the
//! checking script) and the A4 print view at `/s/{token}/print` (with the QR code), both
//! from the statement document, so they show exactly what `.json` lets anyone check.

use askama::Template;

use super::{
    page::{
        self, VERIFY_JS_PATH, VERIFY_JS_VERSION, day, day_of_micros, minute_of_micros, short_hash,
        signed_yuan, yuan,
    },
    qr::Qr,
    statement_document::StatementDocument,
};
use crate::{error::AppResult, funds::statement_csv::kind_label, signing};

/// One entry as a line of the notice.
pub struct Row {
    pub seq: i64,
    pub date: String,
    /// 收入, 支出, 冲正.
    pub kind: &'static str,
    /// `in`, `out` or `fix`: money in is set apart from money out by more than colour.
    pub class: &'static str,
    pub amount: String,
    pub balance: String,
    /// Masked: 3号楼2单元, 王**.
    pub counterparty: String,
    pub memo: String,
    /// The resolution an expense cites.
    pub resolution: Option<String>,
}

/// What both views show.
pub struct View {
    pub token: String,
    /// The short link, as the QR code holds it.
    pub link: String,
    /// 和韵小区 门禁维修基金 公示（第1至43笔）.
    pub title: String,
    /// The share card's line: closing balance and period.
    pub description: String,
    pub community: String,
    pub compound: Option<String>,
    pub fund: String,
    pub purpose: String,
    /// 第1至43笔.
    pub range: String,
    pub first_day: String,
    pub last_day: String,
    pub opening: String,
    pub closing: String,
    pub rows: Vec<Row>,
    pub head_hash: String,
    pub head_short: String,
    /// The signing key's id in groups of four, if the statement is signed.
    pub key: Option<String>,
    pub published: String,
}

impl View {
    pub fn of(doc: &StatementDocument, token: &str, link: String) -> Self {
        let place = doc.compound_name.as_deref().unwrap_or(&doc.community_name);
        let range = format!("第{}至{}笔", doc.from_seq, doc.to_seq);
        let (first_day, last_day) = (day(&doc.first_occurred_at), day(&doc.last_occurred_at));
        let closing = yuan(doc.closing_balance_fen);
        Self {
            token: token.to_owned(),
            link,
            title: format!("{place} {} 公示（{range}）", doc.fund_name),
            description: format!(
                "期末余额 {closing}，{first_day} 至 {last_day} 共 {} 笔收支，可在页面上核验。",
                doc.entries.len()
            ),
            community: doc.community_name.clone(),
            compound: doc.compound_name.clone(),
            fund: doc.fund_name.clone(),
            purpose: doc.fund_purpose.clone(),
            range,
            first_day,
            last_day,
            opening: yuan(doc.opening_balance_fen),
            closing,
            rows: doc
                .entries
                .iter()
                .map(|e| Row {
                    seq: e.seq,
                    date: day_of_micros(e.occurred_at_micros),
                    kind: kind_label(&e.kind),
                    class: match e.kind.as_str() {
                        "contribution" => "in",
                        "expense" => "out",
                        _ => "fix",
                    },
                    amount: signed_yuan(e.amount_fen),
                    balance: yuan(e.balance_after_fen),
                    counterparty: e.counterparty.clone().unwrap_or_default(),
                    memo: e.memo.clone(),
                    resolution: e.resolution_title.clone(),
                })
                .collect(),
            head_hash: doc.head_hash.clone(),
            head_short: short_hash(&doc.head_hash),
            key: doc
                .head()
                .and_then(|h| h.key_id.as_deref())
                .map(signing::grouped),
            published: minute_of_micros(doc.published_at_micros),
        }
    }
}

#[derive(Template)]
#[template(path = "notice/statement.html")]
struct Phone<'a> {
    view: &'a View,
    script: String,
}

#[derive(Template)]
#[template(path = "notice/statement_print.html")]
struct Print<'a> {
    view: &'a View,
    qr_svg: String,
}

/// The page at the short link.
pub fn phone(view: &View) -> AppResult<String> {
    // Relative to `/s/`, so a deployment under a path prefix serves it too.
    let script = format!("..{VERIFY_JS_PATH}?v={}", *VERIFY_JS_VERSION);
    page::render(&Phone { view, script })
}

/// The A4 notice for the board by the gate.
pub fn print(view: &View) -> AppResult<String> {
    let qr_svg = Qr::of(&view.link)?.svg();
    page::render(&Print { view, qr_svg })
}
