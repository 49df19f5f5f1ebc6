//! A published statement as CSV (UTF-8 with BOM, for Excel and printing): the same table
//! whether it comes from `publicStatement.csv` or the public page's download link.

use chrono::{DateTime, Utc};

use crate::{
    error::{AppError, AppResult},
    graphql::scalars::format_hundredths,
    tabular::{self, Format},
};

/// The statement's summary line.
pub struct Summary<'a> {
    pub compound_name: Option<&'a str>,
    pub fund_name: &'a str,
    pub from_seq: i64,
    pub to_seq: i64,
    pub opening_balance_fen: i64,
    pub closing_balance_fen: i64,
    pub head_hash: &'a str,
}

/// One entry's row.
pub struct Line<'a> {
    pub seq: i64,
    /// The stored kind: `contribution`, `expense`, `reversal`.
    pub kind: &'a str,
    pub amount_fen: i64,
    pub balance_after_fen: i64,
    pub occurred_at: DateTime<Utc>,
    pub counterparty: Option<&'a str>,
    pub memo: &'a str,
    pub hash: &'a str,
}

/// The kind as the notice board says it.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "contribution" => "收入",
        "expense" => "支出",
        _ => "冲正",
    }
}

pub fn write<'a>(
    summary: &Summary<'_>,
    lines: impl Iterator<Item = Line<'a>>,
) -> AppResult<Vec<u8>> {
    let headers: Vec<String> = [
        "序号",
        "类型",
        "金额(元)",
        "余额(元)",
        "发生时间",
        "对方",
        "摘要",
        "哈希",
    ]
    .iter()
    .map(|h| (*h).to_owned())
    .collect();
    let rows: Vec<Vec<String>> = lines
        .map(|l| {
            vec![
                l.seq.to_string(),
                kind_label(l.kind).to_owned(),
                format_hundredths(l.amount_fen),
                format_hundredths(l.balance_after_fen),
                crate::calendar::day_of(l.occurred_at).to_string(),
                l.counterparty.unwrap_or_default().to_owned(),
                l.memo.to_owned(),
                l.hash.to_owned(),
            ]
        })
        .collect();
    let preamble = vec![format!(
        "{} {} 公示: 第{}至{}笔, 期初 {} 元, 期末 {} 元, 末笔哈希 {}",
        summary.compound_name.unwrap_or_default(),
        summary.fund_name,
        summary.from_seq,
        summary.to_seq,
        format_hundredths(summary.opening_balance_fen),
        format_hundredths(summary.closing_balance_fen),
        summary.head_hash
    )];
    tabular::write(Format::Csv, "公示", &preamble, &headers, &rows).map_err(AppError::internal)
}
