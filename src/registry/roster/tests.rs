use chrono::NaiveDate;

use super::{building_key, read_rows};
use crate::{
    registry::{id_document::DocumentType, resident_fields::Relation},
    tabular::{Format, read},
};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default()
}

fn rows_of(csv: &str) -> (Vec<super::RosterRow>, Vec<super::RowProblem>) {
    let table = read(Format::Csv, csv.as_bytes(), 100).unwrap();
    read_rows(&table, today()).unwrap()
}

const HEADER: &str = "姓名,性别,身份证号,联系电话,楼栋,单元,房号,面积,与户主关系,标签\n";

#[test]
fn a_roster_row_in_chinese_becomes_a_resident_at_an_address() {
    let (rows, problems) = rows_of(&format!(
        "{HEADER}王秀英,女,11010519491231002X,138 0013 8000,3号楼,2单元,301室,89.50,户主,独居老人、党员\n"
    ));
    assert!(problems.is_empty(), "{problems:?}");
    let row = &rows[0];
    assert_eq!(row.row, 2);
    assert_eq!(row.address.building_key, "3");
    assert_eq!(row.address.unit, 2);
    assert_eq!(row.address.room, "301");
    assert_eq!(row.floor_area, Some(8950));
    assert_eq!(row.resident.relation, Relation::Head);
    assert_eq!(row.resident.phone.as_deref(), Some("13800138000"));
    assert_eq!(row.resident.tags, vec!["elderly_alone", "party_member"]);
    assert_eq!(
        row.resident.document.birth_date,
        NaiveDate::from_ymd_opt(1949, 12, 31)
    );
}

#[test]
fn every_bad_cell_is_reported_with_its_row_and_column() {
    let (rows, problems) = rows_of(&format!(
        "{HEADER}张三,男,1.10105E+17,12345,3,1,301,,户主,\n李四,男,110105194912310021,,3,x,302,-5,舅舅,飞行员\n"
    ));
    assert!(rows.is_empty());
    let at = |row: usize, column: &str| {
        problems
            .iter()
            .find(|p| p.row == row && p.column == column)
            .map(|p| p.message.clone())
            .unwrap_or_default()
    };
    assert!(at(2, "身份证号").contains("Excel"), "{problems:?}");
    assert!(!at(2, "联系电话").is_empty());
    assert!(!at(3, "单元").is_empty());
    assert!(!at(3, "面积").is_empty());
    assert!(at(3, "与户主关系").contains("舅舅"));
    assert!(at(3, "标签").contains("飞行员"));
}

#[test]
fn a_gender_that_contradicts_the_id_card_is_a_problem() {
    let (_, problems) = rows_of(&format!(
        "{HEADER}王秀英,男,11010519491231002X,,3,1,301,,户主,\n"
    ));
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].column, "性别");
}

#[test]
fn missing_required_columns_are_named() {
    let table = read(Format::Csv, "姓名,电话\n张三,1\n".as_bytes(), 10).unwrap();
    let err = read_rows(&table, today())
        .err()
        .map(|e| e.english())
        .unwrap_or_default();
    assert!(err.contains("楼栋") && err.contains("房号"), "{err}");
}

#[test]
fn building_numbers_match_however_they_are_written() {
    for label in ["3", "3号楼", "3栋", " 3 幢", "3#"] {
        assert_eq!(building_key(label), "3", "{label}");
    }
    assert_eq!(building_key("a座"), "A座");
}

#[test]
fn document_types_are_guessed_when_the_roster_has_no_type_column() {
    use super::guess_document_type as guess;
    assert_eq!(guess(""), DocumentType::None);
    assert_eq!(guess("110105491231002"), DocumentType::OldMainlandIdCard);
    assert_eq!(guess("E12345678"), DocumentType::Passport);
    assert_eq!(guess("1.10105E+17"), DocumentType::MainlandIdCard);
    assert_eq!(guess("11010519491231002x"), DocumentType::MainlandIdCard);
    assert_eq!(
        guess("810000199408230021"),
        DocumentType::HkMacauTaiwanResidencePermit
    );
}
