//! A resolution on notice (决议公示) as the pages show it: `/r/{token}` for phones and
//! `/r/{token}/print` for the notice board, from the resolution document: the motion, the
//! meeting, the tally exactly as `closeVoting` stored it, the notice period and how a
//! resident objects.

use askama::Template;

use super::{
    page::{self, grouped_hundredths, minute, yuan},
    qr::Qr,
    resolution_document::ResolutionDocument,
};
use crate::{error::AppResult, meetings::tally::Counts};

/// One line of the tally: heads and area.
pub struct TallyRow {
    pub label: &'static str,
    pub heads: i64,
    /// m², two decimals.
    pub area: String,
}

/// What both views show.
pub struct View {
    pub token: String,
    pub link: String,
    pub title: String,
    pub description: String,
    pub community: String,
    pub compound: Option<String>,
    pub motion: String,
    pub body: String,
    pub amount: Option<String>,
    pub meeting: String,
    pub meeting_at: String,
    pub meeting_place: String,
    /// 按户表决 or 业主表决 (Civil Code art. 278).
    pub electorate: &'static str,
    pub majority: &'static str,
    /// 户数 or 业主人数.
    pub heads_label: &'static str,
    /// Owners vote by area too; households by head only.
    pub by_area: bool,
    pub tally: Vec<TallyRow>,
    pub closed_at: Option<String>,
    pub notice_from: String,
    pub notice_until: String,
    pub on_notice: bool,
    pub objections: u64,
    pub objections_answered: u64,
}

impl View {
    pub fn of(doc: &ResolutionDocument, token: &str, link: String) -> Self {
        let place = doc.compound_name.as_deref().unwrap_or(&doc.community_name);
        let (notice_from, notice_until) = (minute(&doc.notice_from), minute(&doc.notice_until));
        let owners = doc.electorate == "owners";
        let row = |label, counts: &Counts| TallyRow {
            label,
            heads: counts.heads,
            area: grouped_hundredths(counts.area),
        };
        Self {
            token: token.to_owned(),
            link,
            title: format!("{place} 决议公示：{}", doc.title),
            description: format!(
                "表决已通过，公示期 {notice_from} 至 {notice_until}；本小区居民在公示期内可提出异议。"
            ),
            community: doc.community_name.clone(),
            compound: doc.compound_name.clone(),
            motion: doc.title.clone(),
            body: doc.body.clone(),
            amount: doc.amount_fen.map(yuan),
            meeting: doc.meeting_title.clone(),
            meeting_at: minute(&doc.meeting_starts_at),
            meeting_place: doc.meeting_place.clone(),
            electorate: if owners {
                "业主表决（《民法典》第二百七十八条，按人数和专有部分面积）"
            } else {
                "按户表决（每户一票）"
            },
            majority: match doc.majority.as_str() {
                "ordinary" => "参与表决的面积和人数均过半数同意",
                "special" => "参与表决的面积和人数均达四分之三以上同意",
                _ => "赞成票过所投票数的一半",
            },
            heads_label: if owners { "业主人数" } else { "户数" },
            by_area: owners,
            tally: doc
                .tally
                .as_ref()
                .map(|t| {
                    vec![
                        row("应参与", &t.eligible),
                        row("实际参与", &t.participating),
                        row("赞成", &t.yes),
                        row("反对", &t.no),
                        row("弃权", &t.abstain),
                    ]
                })
                .unwrap_or_default(),
            closed_at: doc.closed_at.as_deref().map(minute),
            notice_from,
            notice_until,
            on_notice: doc.on_notice,
            objections: doc.objections,
            objections_answered: doc.objections_answered,
        }
    }
}

#[derive(Template)]
#[template(path = "notice/resolution.html")]
struct Phone<'a> {
    view: &'a View,
}

#[derive(Template)]
#[template(path = "notice/resolution_print.html")]
struct Print<'a> {
    view: &'a View,
    qr_svg: String,
}

/// The page at the short link.
pub fn phone(view: &View) -> AppResult<String> {
    page::render(&Phone { view })
}

/// The A4 notice for the board by the gate.
pub fn print(view: &View) -> AppResult<String> {
    let qr_svg = Qr::of(&view.link)?.svg();
    page::render(&Print { view, qr_svg })
}
