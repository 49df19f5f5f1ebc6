//! Reading a residents roster (台账) as community workers keep it in Excel: Chinese column
//! headers, Chinese values (男/女, 户主, 独居老人、党员, 自住/租住), free-form building
//! numbers (3, 3号楼, 3栋). Pure: turns a table into validated rows or per-cell problems.

use chrono::NaiveDate;
use entity::household::Tenure;

use super::{
    id_document::DocumentType,
    resident_fields::Relation,
    resident_fields::{FieldError, Prepared, ResidentFields, prepare},
};
use crate::{
    error::{Msg, msg},
    graphql::scalars::parse_hundredths,
    tabular::Table,
};

/// A problem with one cell (or a whole row), as the user sees it in their spreadsheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    pub row: usize,
    /// The column header as written in the file; empty for a row-level problem.
    pub column: String,
    pub message: String,
}

/// Where a resident lives, as the roster says it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    /// The building number normalised for matching: "3号楼" and "3栋" are both "3".
    pub building_key: String,
    /// The building number as first written, for a new building.
    pub building_label: String,
    pub unit: i32,
    pub room: String,
}

/// One valid roster row.
pub struct RosterRow {
    pub row: usize,
    pub address: Address,
    pub floor_area: Option<i64>,
    pub tenure: Tenure,
    pub resident: Prepared,
}

/// The headers, as the file writes them, of the columns that checks across rows report on.
pub struct Headers {
    pub name: String,
    pub document: String,
    pub building: String,
    pub unit: String,
    pub relation: String,
}

impl Headers {
    pub fn of(table: &Table) -> Self {
        let header = |names: &[&str]| {
            table
                .column(names)
                .and_then(|c| table.headers.get(c).cloned())
                .unwrap_or_else(|| names[0].to_owned())
        };
        Self {
            name: header(NAME),
            document: header(DOCUMENT),
            building: header(BUILDING),
            unit: header(UNIT),
            relation: header(RELATION),
        }
    }
}

/// Header names rosters use for each field; the first found wins.
const NAME: &[&str] = &["姓名", "居民姓名", "name"];
const GENDER: &[&str] = &["性别", "gender"];
const DOCUMENT_TYPE: &[&str] = &["证件类型", "documentType"];
const DOCUMENT: &[&str] = &[
    "身份证号",
    "身份证号码",
    "公民身份号码",
    "证件号码",
    "证件号",
    "documentNumber",
];
const PHONE: &[&str] = &[
    "联系电话",
    "手机号",
    "手机号码",
    "电话",
    "联系方式",
    "phone",
];
const BUILDING: &[&str] = &["楼栋", "楼号", "楼栋号", "栋号", "building"];
const UNIT: &[&str] = &["单元", "单元号", "unit"];
const ROOM: &[&str] = &["房号", "房间号", "门牌号", "室", "room"];
const AREA: &[&str] = &[
    "面积",
    "建筑面积",
    "房屋面积",
    "面积(㎡)",
    "面积（㎡）",
    "floorArea",
];
const RELATION: &[&str] = &["与户主关系", "关系", "relation"];
const TAGS: &[&str] = &["标签", "人员类别", "人员类型", "特殊人群", "tags"];
const REGISTERED: &[&str] = &["户籍", "是否户籍", "户籍人口", "registered"];
const SEPARATED: &[&str] = &["人户分离"];
const TENURE: &[&str] = &["居住类型", "住房性质", "居住性质", "产权", "tenure"];
const MOVED_IN: &[&str] = &["入住日期", "迁入日期", "movedInOn"];

/// Column positions in one file.
struct Columns {
    name: usize,
    building: usize,
    room: usize,
    gender: Option<usize>,
    document_type: Option<usize>,
    document: Option<usize>,
    phone: Option<usize>,
    unit: Option<usize>,
    area: Option<usize>,
    relation: Option<usize>,
    tags: Option<usize>,
    registered: Option<usize>,
    separated: Option<usize>,
    tenure: Option<usize>,
    moved_in: Option<usize>,
}

impl Columns {
    fn find(table: &Table) -> Result<Self, Msg> {
        let missing: Vec<&str> = [NAME, BUILDING, ROOM]
            .iter()
            .filter(|names| table.column(names).is_none())
            .map(|names| names[0])
            .collect();
        let (Some(name), Some(building), Some(room)) = (
            table.column(NAME),
            table.column(BUILDING),
            table.column(ROOM),
        ) else {
            return Err(msg!(
                "the roster needs the columns {missing}; found: {found}",
                missing = missing.join(", "),
                found = table.headers.join(", ")
            ));
        };
        Ok(Self {
            name,
            building,
            room,
            gender: table.column(GENDER),
            document_type: table.column(DOCUMENT_TYPE),
            document: table.column(DOCUMENT),
            phone: table.column(PHONE),
            unit: table.column(UNIT),
            area: table.column(AREA),
            relation: table.column(RELATION),
            tags: table.column(TAGS),
            registered: table.column(REGISTERED),
            separated: table.column(SEPARATED),
            tenure: table.column(TENURE),
            moved_in: table.column(MOVED_IN),
        })
    }
}

/// Reads every row; the error is a file-level problem (required columns missing).
pub fn read_rows(
    table: &Table,
    today: NaiveDate,
) -> Result<(Vec<RosterRow>, Vec<RowProblem>), Msg> {
    let columns = Columns::find(table)?;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for row in &table.rows {
        let cell = |c: Option<usize>| c.map(|c| table.cell(row, c).trim()).unwrap_or("");
        let mut row_problems = Vec::new();
        let mut problem = |column: Option<usize>, message: String| {
            row_problems.push(RowProblem {
                row: row.number,
                column: column
                    .and_then(|c| table.headers.get(c).cloned())
                    .unwrap_or_default(),
                message,
            });
        };
        let building_label = cell(Some(columns.building)).to_owned();
        let building_key = building_key(&building_label);
        if building_key.is_empty() {
            problem(Some(columns.building), "a building number is needed".into());
        }
        let unit = match parse_unit(cell(columns.unit)) {
            Some(unit) => unit,
            None => {
                problem(
                    columns.unit,
                    "a unit is a number from 1, like 2 or 2单元".into(),
                );
                1
            }
        };
        let room = cell(Some(columns.room)).trim_end_matches('室').to_owned();
        if room.is_empty() || room.chars().count() > 10 {
            problem(
                Some(columns.room),
                "a room is 1 to 10 characters, like 301".into(),
            );
        }
        let floor_area = match cell(columns.area) {
            "" => None,
            raw => match parse_area(raw) {
                Some(area) => Some(area),
                None => {
                    problem(
                        columns.area,
                        "an area is square metres with at most two decimals, like 89.5".into(),
                    );
                    None
                }
            },
        };
        let relation = match cell(columns.relation) {
            "" => Relation::Other,
            raw => Relation::parse(raw).unwrap_or_else(|| {
                problem(
                    columns.relation,
                    format!("unknown relation {raw}; use 户主, 配偶, 子女, 父母, 孙子女, 兄弟姐妹 or 其他"),
                );
                Relation::Other
            }),
        };
        let tags = parse_tags(cell(columns.tags)).unwrap_or_else(|unknown| {
            problem(
                columns.tags,
                format!("unknown tag {unknown}; use 独居老人, 残疾人, 特困, 退役军人, 党员, 留守儿童, 低保"),
            );
            Vec::new()
        });
        let registered = match (cell(columns.registered), cell(columns.separated)) {
            ("", "") => true,
            (raw, "") => parse_yes(raw).unwrap_or_else(|| {
                problem(columns.registered, "write 是 or 否".into());
                true
            }),
            (_, raw) => !parse_yes(raw).unwrap_or_else(|| {
                problem(columns.separated, "write 是 or 否".into());
                false
            }),
        };
        let tenure = parse_tenure(cell(columns.tenure)).unwrap_or_else(|| {
            problem(columns.tenure, "write 自住, 租住 or 其他".into());
            Tenure::Other
        });
        let moved_in_on = match cell(columns.moved_in) {
            "" => None,
            raw => parse_date(raw).or_else(|| {
                problem(columns.moved_in, "a date is written like 2019-05-01".into());
                None
            }),
        };
        let number = cell(columns.document);
        let document_type = match cell(columns.document_type) {
            "" => guess_document_type(number),
            raw => parse_document_type(raw).unwrap_or_else(|| {
                problem(
                    columns.document_type,
                    "write 身份证, 旧身份证, 港澳台居住证, 护照 or 无".into(),
                );
                DocumentType::None
            }),
        };
        let fields = ResidentFields {
            name: cell(Some(columns.name)).to_owned(),
            document_type,
            document_number: Some(number.to_owned()),
            phone: Some(cell(columns.phone).to_owned()),
            relation,
            registered,
            tags,
            moved_in_on,
        };
        let prepared = prepare(fields, today).map_err(|errors| {
            for FieldError { field, message } in errors {
                let column = match field {
                    "name" => Some(columns.name),
                    "documentNumber" => columns.document,
                    "phone" => columns.phone,
                    "movedInOn" => columns.moved_in,
                    _ => columns.tags,
                };
                problem(column, message.english());
            }
        });
        let gender = cell(columns.gender);
        if let Ok(prepared) = &prepared
            && let (Some(derived), Some(given)) = (prepared.document.gender, parse_gender(gender))
            && derived != given
        {
            problem(
                columns.gender,
                "the gender does not match the ID card number".into(),
            );
        }
        match prepared {
            Ok(resident) if row_problems.is_empty() => rows.push(RosterRow {
                row: row.number,
                address: Address {
                    building_key,
                    building_label,
                    unit,
                    room,
                },
                floor_area,
                tenure,
                resident,
            }),
            _ => problems.append(&mut row_problems),
        }
    }
    Ok((rows, problems))
}

/// "3号楼", "3栋", "3幢", "3#" and "3" are one building.
pub fn building_key(label: &str) -> String {
    let label: String = label.chars().filter(|c| !c.is_whitespace()).collect();
    let mut key = label.as_str();
    for suffix in ["号楼", "栋", "幢", "号", "楼", "#"] {
        key = key.strip_suffix(suffix).unwrap_or(key);
    }
    key.to_uppercase()
}

fn parse_unit(raw: &str) -> Option<i32> {
    if raw.is_empty() {
        return Some(1);
    }
    let digits = raw.trim_end_matches("单元");
    digits.parse::<i32>().ok().filter(|u| (1..=99).contains(u))
}

/// Square metres, tolerating a unit suffix and a value Excel wrote with more decimals
/// only when they are zeros ("89.500").
fn parse_area(raw: &str) -> Option<i64> {
    let raw = raw
        .trim_end_matches("平方米")
        .trim_end_matches("㎡")
        .trim_end_matches("m²")
        .trim();
    let raw = match raw.split_once('.') {
        Some((whole, fraction))
            if fraction.len() > 2 && fraction[2..].bytes().all(|b| b == b'0') =>
        {
            format!("{whole}.{}", &fraction[..2])
        }
        _ => raw.to_owned(),
    };
    parse_hundredths(&raw).filter(|a| *a > 0 && *a <= 10_000_000)
}

fn parse_tags(raw: &str) -> Result<Vec<String>, String> {
    raw.split(['、', ',', '，', ';', '；', '/', ' ', '\u{3000}'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            let tag = match t {
                "独居老人" | "空巢独居" | "elderly_alone" => "elderly_alone",
                "残疾人" | "残疾" | "disabled" => "disabled",
                "特困" | "特困人员" | "特困供养" | "special_hardship" => {
                    "special_hardship"
                }
                "退役军人" | "军人" | "veteran" => "veteran",
                "党员" | "中共党员" | "party_member" => "party_member",
                "留守儿童" | "left_behind_child" => "left_behind_child",
                "低保" | "低保户" | "低收入" | "low_income" => "low_income",
                other => return Err(other.to_owned()),
            };
            Ok(tag.to_owned())
        })
        .collect()
}

fn parse_yes(raw: &str) -> Option<bool> {
    match raw {
        "是" | "Y" | "y" | "yes" | "true" | "TRUE" | "1" => Some(true),
        "否" | "N" | "n" | "no" | "false" | "FALSE" | "0" => Some(false),
        _ => None,
    }
}

fn parse_tenure(raw: &str) -> Option<Tenure> {
    match raw {
        "" | "自住" | "自有" | "业主自住" | "owner_occupied" => Some(Tenure::OwnerOccupied),
        "租住" | "租赁" | "承租" | "租户" | "renting" => Some(Tenure::Renting),
        "其他" | "借住" | "other" => Some(Tenure::Other),
        _ => None,
    }
}

fn parse_gender(raw: &str) -> Option<super::id_document::Gender> {
    use super::id_document::Gender;
    match raw {
        "男" | "male" => Some(Gender::Male),
        "女" | "female" => Some(Gender::Female),
        _ => None,
    }
}

fn parse_date(raw: &str) -> Option<NaiveDate> {
    let raw = raw.split(' ').next().unwrap_or(raw);
    ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(raw, format).ok())
}

fn parse_document_type(raw: &str) -> Option<DocumentType> {
    match raw {
        "身份证" | "居民身份证" | "二代身份证" | "mainland_id_card" => {
            Some(DocumentType::MainlandIdCard)
        }
        "旧身份证" | "一代身份证" | "15位身份证" => {
            Some(DocumentType::OldMainlandIdCard)
        }
        "港澳台居住证" | "港澳台居民居住证" | "居住证" => {
            Some(DocumentType::HkMacauTaiwanResidencePermit)
        }
        "护照" | "passport" => Some(DocumentType::Passport),
        "无" | "none" => Some(DocumentType::None),
        _ => None,
    }
}

/// Without a type column: empty is none, 15 digits an old ID card, letters (other than the
/// check X) a passport, anything else a mainland ID card, so mangled numbers are reported.
fn guess_document_type(number: &str) -> DocumentType {
    let number = number.trim().trim_start_matches('\'');
    if number.is_empty() {
        return DocumentType::None;
    }
    if number.len() == 15 && number.bytes().all(|b| b.is_ascii_digit()) {
        return DocumentType::OldMainlandIdCard;
    }
    let body = number.trim_end_matches(['X', 'x']);
    if !looks_like_excel_number(number) && body.chars().any(|c| c.is_ascii_alphabetic()) {
        return DocumentType::Passport;
    }
    if number.starts_with("810000") || number.starts_with("820000") || number.starts_with("830000")
    {
        return DocumentType::HkMacauTaiwanResidencePermit;
    }
    DocumentType::MainlandIdCard
}

/// `1.10105E+17` or `110105199001011234.0`: a number Excel stored as a float. (A passport
/// such as `E12345678` starts with its letter, so it is not one.)
fn looks_like_excel_number(raw: &str) -> bool {
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    match raw.find(['E', 'e']) {
        Some(at) => numeric(&raw[..at]) && numeric(raw[at + 1..].trim_start_matches('+')),
        None => raw.contains('.') && numeric(raw),
    }
}

#[cfg(test)]
mod tests;
