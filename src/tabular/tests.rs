#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{Format as CellFormat, Workbook};

use super::{write::safe_sheet_name, xlsx::float_text, *};

const HEADERS: [&str; 10] = [
    "姓名",
    "性别",
    "身份证号",
    "联系电话",
    "楼栋",
    "单元",
    "房号",
    "面积",
    "与户主关系",
    "标签",
];

const ROSTER: &str = "姓名,性别,身份证号,联系电话,楼栋,单元,房号,面积,与户主关系,标签\r\n\
    张三,男,11010519491231002X,13800138000,3栋,2单元,301,88.5,户主,独居老人\r\n\
    李四,女,110105194912310021,13900139000,3栋,2单元,301,88.5,配偶,\r\n";

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|cell| cell.to_string()).collect()
}

fn cells(row: &Row) -> Vec<String> {
    row.cells().map(str::to_owned).collect()
}

fn assert_roster(table: &Table) {
    assert_eq!(table.headers, strings(&HEADERS));
    assert_eq!(table.rows.len(), 2);
    assert_eq!(table.rows[0].number, 2);
    assert_eq!(
        cells(&table.rows[0]),
        strings(&[
            "张三",
            "男",
            "11010519491231002X",
            "13800138000",
            "3栋",
            "2单元",
            "301",
            "88.5",
            "户主",
            "独居老人"
        ])
    );
    let tags = table.column(&["标签"]).unwrap();
    assert_eq!(table.cell(&table.rows[1], tags), "");
}

#[test]
fn utf8_with_and_without_bom_and_gb18030_read_the_same() {
    let with_bom = [UTF8_BOM, ROSTER.as_bytes()].concat();
    let (gb, _, had_errors) = encoding_rs::GB18030.encode(ROSTER);
    assert!(!had_errors);
    assert!(
        std::str::from_utf8(&gb).is_err(),
        "fixture must not be UTF-8"
    );

    for bytes in [ROSTER.as_bytes(), &with_bom, &gb] {
        assert_roster(&read(Format::Csv, bytes, 100).unwrap());
    }
}

#[test]
fn excel_unicode_text_export_is_read_as_tab_separated_utf16() {
    let text = ROSTER.replace(',', "\t");
    let mut bytes = UTF16LE_BOM.to_vec();
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    assert_roster(&read(Format::Csv, &bytes, 100).unwrap());
}

#[test]
fn tab_separated_utf8_is_detected() {
    let text = ROSTER.replace(',', "\t");
    assert_roster(&read(Format::Csv, text.as_bytes(), 100).unwrap());
}

#[test]
fn bytes_that_are_no_text_are_rejected() {
    // 0xFF is invalid in both UTF-8 and GB18030.
    let bytes = b"\xFF\xFF,\xFF\r\n";
    assert_eq!(read(Format::Csv, bytes, 100), Err(ReadError::NotText));
    let workbook = write(Format::Xlsx, "x", &[], &strings(&["a", "b"]), &[]).unwrap();
    assert_eq!(
        read(Format::Csv, &workbook, 100),
        Err(ReadError::UnsupportedFormat)
    );
    assert_eq!(
        read(Format::Xlsx, ROSTER.as_bytes(), 100),
        Err(ReadError::UnsupportedFormat)
    );
}

#[test]
fn title_row_and_empty_rows_keep_the_file_row_numbers() {
    let text = "和韵小区居民台账,,,\n\
        姓名,性别,身份证号,\n\
        张三,男,11010519491231002X,\n\
        ,,,\n\
        \n\
        李四,女,110105194912310021\n";
    let table = read(Format::Csv, text.as_bytes(), 100).unwrap();
    assert_eq!(table.headers, strings(&["姓名", "性别", "身份证号"]));
    let numbers: Vec<usize> = table.rows.iter().map(|row| row.number).collect();
    assert_eq!(numbers, [3, 6]);
}

#[test]
fn cells_are_trimmed_including_ideographic_space_but_keep_apostrophes() {
    let text = "姓名,身份证号\n\u{3000}张三 ,'11010519491231002X\t\n";
    let table = read(Format::Csv, text.as_bytes(), 100).unwrap();
    assert_eq!(
        cells(&table.rows[0]),
        strings(&["张三", "'11010519491231002X"])
    );
}

#[test]
fn quoted_cells_may_hold_commas_quotes_and_newlines() {
    let text = "姓名,备注\n张三,\"行动不便, 需上门\n电话:\"\"先联系\"\"\"\n李四,无\n";
    let table = read(Format::Csv, text.as_bytes(), 100).unwrap();
    assert_eq!(
        cells(&table.rows[0]),
        strings(&["张三", "行动不便, 需上门\n电话:\"先联系\""])
    );
    // A multi-line cell is still one row in Excel.
    assert_eq!(table.rows[1].number, 3);
}

#[test]
fn unclosed_quote_names_its_line() {
    let text = "姓名,备注\n张三,无\n李四,\"漏了引号\n王五,无\n";
    let error = read(Format::Csv, text.as_bytes(), 100).unwrap_err();
    assert_eq!(error, ReadError::UnclosedQuote { line: 3 });
    assert!(error.to_string().contains("line 3"));
}

#[test]
fn column_ignores_markers_spaces_and_ascii_case() {
    let text = "*户号, 联系电话 ,姓名（必填）,身份证号*,ID (必填)\n1,2,3,4,5\n";
    let table = read(Format::Csv, text.as_bytes(), 100).unwrap();
    assert_eq!(table.column(&["户号"]), Some(0));
    assert_eq!(table.column(&["联系电话"]), Some(1));
    assert_eq!(table.column(&["姓名"]), Some(2));
    assert_eq!(
        table.column(&["身份证号码", "身份证号", "证件号码"]),
        Some(3)
    );
    assert_eq!(table.column(&["id"]), Some(4));
    assert_eq!(table.column(&["标签"]), None);
    assert_eq!(table.cell(&table.rows[0], 9), "");
}

#[test]
fn duplicate_header_is_named() {
    let text = "姓名,身份证号,姓名*\n张三,1,张三\n";
    let error = read(Format::Csv, text.as_bytes(), 100).unwrap_err();
    assert_eq!(error, ReadError::DuplicateHeader("姓名*".to_owned()));
    assert!(error.to_string().contains("姓名*"));
}

#[test]
fn row_limit_counts_data_rows_only() {
    let text = "标题\n姓名,性别\n张三,男\n\n李四,女\n";
    assert_eq!(read(Format::Csv, text.as_bytes(), 2).unwrap().rows.len(), 2);
    assert_eq!(
        read(Format::Csv, text.as_bytes(), 1),
        Err(ReadError::TooManyRows { max: 1 })
    );
}

#[test]
fn empty_file_or_missing_header_is_reported() {
    for text in ["", "\u{feff}", "\n\n", "和韵小区居民台账\n张三\n"] {
        assert_eq!(
            read(Format::Csv, text.as_bytes(), 100),
            Err(ReadError::NoHeader)
        );
    }
}

fn sample() -> (Vec<String>, Vec<String>, Vec<Vec<String>>) {
    let preamble = strings(&["导出人: 张三  导出时间: 2026-11-23 10:00", "和韵小区"]);
    let headers = strings(&["姓名", "身份证号", "联系电话", "备注"]);
    let rows = vec![
        strings(&[
            "张三",
            "11010519491231002X",
            "13800138000",
            "独居, \"重点\"\n关注",
        ]),
        strings(&["李四", "110105194912310021", "+86 13900139000", "=1+1"]),
        strings(&["王五", "", "", "-"]),
    ];
    (preamble, headers, rows)
}

#[test]
fn xlsx_round_trip_keeps_text_and_skips_preamble() {
    let (preamble, headers, rows) = sample();
    let bytes = write(Format::Xlsx, "居民台账", &preamble, &headers, &rows).unwrap();
    assert_eq!(Format::detect(None, &bytes), Some(Format::Xlsx));

    let table = read(Format::Xlsx, &bytes, 100).unwrap();
    assert_eq!(table.headers, headers);
    let cells: Vec<Vec<String>> = table.rows.iter().map(cells).collect();
    // Formula-like cells come back unchanged: XLSX guards them with a style flag.
    assert_eq!(cells[0], rows[0]);
    assert_eq!(cells[1], rows[1]);
    assert_eq!(cells[2], strings(&["王五", "", "", "-"]));
    let numbers: Vec<usize> = table.rows.iter().map(|row| row.number).collect();
    assert_eq!(numbers, [4, 5, 6]);

    let mut workbook = Xlsx::new(Cursor::new(&bytes)).unwrap();
    assert_eq!(workbook.sheet_names(), ["居民台账"]);
    let range = workbook.worksheet_range_at(0).unwrap().unwrap();
    // Stored as text, not as a number or a formula.
    assert_eq!(
        range.get_value((4, 1)),
        Some(&Data::String("110105194912310021".to_owned()))
    );
    assert_eq!(
        range.get_value((4, 3)),
        Some(&Data::String("=1+1".to_owned()))
    );
}

#[test]
fn sheet_names_excel_would_reject_are_repaired() {
    assert_eq!(safe_sheet_name("2026/11 名单"), "2026_11 名单");
    assert_eq!(safe_sheet_name("'"), "Sheet1");
    assert_eq!(safe_sheet_name(&"长".repeat(40)).chars().count(), 31);
    let headers = strings(&["a", "b"]);
    assert!(write(Format::Xlsx, "[x]:*?", &[], &headers, &[]).is_ok());
}

#[test]
fn xlsx_numbers_and_dates_read_as_a_user_expects() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    // The table starts at B3 to check row numbers against the sheet's.
    for (col, header) in ["身份证号", "人数", "面积", "出生日期", "登记时间", "党员"]
        .iter()
        .enumerate()
    {
        sheet.write_string(2, col as u16 + 1, *header).unwrap();
    }
    sheet.write_number(4, 1, 110105194912310021.0).unwrap();
    sheet.write_number(4, 2, 3.0).unwrap();
    sheet.write_number(4, 3, 88.5).unwrap();
    let date = CellFormat::new().set_num_format("yyyy-mm-dd");
    let day = rust_xlsxwriter::ExcelDateTime::from_ymd(1949, 12, 31).unwrap();
    sheet.write_datetime_with_format(4, 4, day, &date).unwrap();
    let stamp = CellFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let time = rust_xlsxwriter::ExcelDateTime::parse_from_str("2026-11-23 10:00:30").unwrap();
    sheet
        .write_datetime_with_format(4, 5, time, &stamp)
        .unwrap();
    sheet.write_boolean(4, 6, true).unwrap();
    let bytes = workbook.save_to_buffer().unwrap();

    let table = read(Format::Xlsx, &bytes, 100).unwrap();
    assert_eq!(table.rows.len(), 1);
    let row = &table.rows[0];
    assert_eq!(row.number, 5);
    let id = table.cell(row, table.column(&["身份证号"]).unwrap());
    assert!(id.contains('E'), "{id}");
    assert_eq!(
        &cells(row)[1..],
        ["3", "88.5", "1949-12-31", "2026-11-23 10:00:30", "TRUE"]
    );
}

#[test]
fn damaged_xlsx_is_reported_as_corrupt() {
    let error = read(Format::Xlsx, b"PK\x03\x04 not really a zip", 100).unwrap_err();
    assert!(matches!(error, ReadError::Corrupt(_)), "{error:?}");
}

#[test]
fn float_text_shows_excel_mangling_only_for_long_numbers() {
    assert_eq!(float_text(3.0), "3");
    assert_eq!(float_text(-0.0), "0");
    assert_eq!(float_text(0.1), "0.1");
    assert_eq!(float_text(999_999_999_999_999.0), "999999999999999");
    assert_eq!(float_text(1e15), "1E15");
}

#[test]
fn csv_download_opens_in_excel_and_defuses_formulas() {
    let (preamble, headers, rows) = sample();
    let bytes = write(Format::Csv, "ignored", &preamble, &headers, &rows).unwrap();
    assert!(bytes.starts_with(UTF8_BOM));
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], "导出人: 张三  导出时间: 2026-11-23 10:00");
    assert_eq!(lines[2], "姓名,身份证号,联系电话,备注");
    assert_eq!(
        lines[3],
        "张三,11010519491231002X,13800138000,\"独居, \"\"重点\"\"\n关注\""
    );
    assert_eq!(lines[4], "李四,110105194912310021,'+86 13900139000,'=1+1");
    assert_eq!(lines[5], "王五,,,'-");
    assert_eq!(lines[6], "");

    // What we write, we can read back (the guard quote stays).
    let table = read(Format::Csv, &bytes, 100).unwrap();
    assert_eq!(table.headers, headers);
    assert_eq!(cells(&table.rows[0]), rows[0]);
    assert_eq!(table.rows[1].cell(3), "'=1+1");
    assert_eq!(table.rows[0].number, 4);
}

#[test]
fn format_is_detected_by_zip_signature_then_name() {
    let zip = b"PK\x03\x04rest";
    assert_eq!(Format::detect(Some("台账.CSV"), b"a,b"), Some(Format::Csv));
    assert_eq!(Format::detect(Some("台账.Xlsx"), b""), Some(Format::Xlsx));
    assert_eq!(Format::detect(Some("export.txt"), b""), Some(Format::Csv));
    assert_eq!(Format::detect(None, zip), Some(Format::Xlsx));
    assert_eq!(Format::detect(Some("renamed.csv"), zip), Some(Format::Xlsx));
    assert_eq!(Format::detect(None, b"\xEF\xBB\xBFa,b"), Some(Format::Csv));
    assert_eq!(Format::detect(Some("old.xls"), OLE_MAGIC), None);
    assert_eq!(Format::detect(None, b"a,b"), None);
    assert_eq!(Format::Xlsx.extension(), "xlsx");
    assert_eq!(Format::Csv.content_type(), "text/csv; charset=utf-8");
}

mod hostile;
