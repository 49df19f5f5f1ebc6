//! Hostile files: each is small and declares, or unpacks to, far more than it holds. A
//! reader that trusted them would allocate gigabytes; each must be refused quickly, with
//! the limit named. The same files go through the API in `tests/api/hostile_uploads.rs`.

#[path = "../../../tests/support/hostile_files.rs"]
mod hostile_files;

use super::{
    super::xlsx::preflight::{MAX_ELEMENT_BYTES, MAX_PART_BYTES, MAX_PARTS},
    *,
};
use hostile_files::{Entry, sheet_xml, workbook};

fn too_big(result: Result<Table, ReadError>) -> String {
    match result {
        Err(ReadError::TooBig(reason)) => reason,
        other => panic!("expected TooBig, got {other:?}"),
    }
}

fn xlsx(sheet: &str) -> Vec<u8> {
    workbook(Entry::deflated("", sheet.as_bytes()), None, None)
}

#[test]
fn a_cell_at_the_end_of_the_sheet_is_refused_without_allocating_the_box() {
    let bytes = hostile_files::far_cell();
    assert!(bytes.len() < 2_000, "{}", bytes.len());
    let error = read(Format::Xlsx, &bytes, 20_000).unwrap_err();
    assert_eq!(
        error,
        ReadError::RowPastLimit {
            at: "cell XFD1048576".into(),
            max_rows: 20_000
        }
    );
    let message = error.to_string();
    assert!(message.contains("past row 21000"), "{message}");
    assert!(message.contains("20000 data rows"), "{message}");

    let error = read(Format::Xlsx, &hostile_files::tall_box(), 20_000).unwrap_err();
    assert!(
        matches!(&error, ReadError::RowPastLimit { at, .. } if at == "cell P1048576"),
        "{error:?}"
    );
}

#[test]
fn the_row_limit_allows_titles_and_blank_rows_then_refuses() {
    let last = format!("A{}", 10 + ROW_ALLOWANCE);
    let past = format!("A{}", 11 + ROW_ALLOWANCE);
    let fits = sheet_xml("A1", &[("A1", "姓名"), ("B1", "楼栋"), (&last, "x")]);
    assert_eq!(read(Format::Xlsx, &xlsx(&fits), 10).unwrap().rows.len(), 1);
    let over = sheet_xml("A1", &[("A1", "姓名"), ("B1", "楼栋"), (&past, "x")]);
    assert!(matches!(
        read(Format::Xlsx, &xlsx(&over), 10),
        Err(ReadError::RowPastLimit { .. })
    ));
}

#[test]
fn a_declared_box_and_formatted_empty_cells_alone_are_not_refused() {
    let sheet = sheet_xml("A1:XFD1048576", &[("A1", "姓名"), ("B1", "楼栋"), ("A2", "张三")])
        .replace(
            "</sheetData>",
            "<row r=\"1048576\"><c r=\"XFD1048576\" s=\"1\"/><c r=\"XFC1048576\" t=\"inlineStr\"><is><t> </t></is></c></row></sheetData>",
        );
    let table = read(Format::Xlsx, &xlsx(&sheet), 20_000).unwrap();
    assert_eq!(table.headers, strings(&["姓名", "楼栋"]));
    assert_eq!(table.rows.len(), 1);
}

#[test]
fn text_right_of_the_last_column_is_refused_and_named() {
    let sheet = sheet_xml("A1", &[("A1", "姓名"), ("B1", "楼栋"), ("BM2", "x")]);
    let error = read(Format::Xlsx, &xlsx(&sheet), 100).unwrap_err();
    assert_eq!(error, ReadError::ColumnPastLimit { cell: "BM2".into() });
    assert!(error.to_string().contains("column BL"), "{error}");
    assert!(error.to_string().contains("64 columns"), "{error}");

    // In CSV too; empty cells there (trailing commas) are fine.
    let trailing = format!("姓名,楼栋{}\n张三,1{}\n", ",".repeat(200), ",".repeat(200));
    assert_eq!(
        read(Format::Csv, trailing.as_bytes(), 100)
            .unwrap()
            .rows
            .len(),
        1
    );
    let wide = format!("姓名,楼栋\n张三,1{},x\n", ",".repeat(62));
    assert_eq!(
        read(Format::Csv, wide.as_bytes(), 100),
        Err(ReadError::ColumnPastLimit { cell: "BM2".into() })
    );
}

#[test]
fn a_cell_over_the_length_limit_is_refused_and_named() {
    let long = "长".repeat(MAX_CELL_CHARS + 1);
    let csv = format!("姓名,备注\n张三,{long}\n");
    assert_eq!(
        read(Format::Csv, csv.as_bytes(), 100),
        Err(ReadError::CellTooLong { cell: "B2".into() })
    );
    let bytes = hostile_files::one_string_everywhere(1, 2, MAX_CELL_CHARS + 1);
    let error = read(Format::Xlsx, &bytes, 100).unwrap_err();
    assert_eq!(error, ReadError::CellTooLong { cell: "A2".into() });
    assert!(error.to_string().contains("2000 characters"), "{error}");
    // Exactly at the limit is fine.
    let bytes = hostile_files::one_string_everywhere(1, 2, MAX_CELL_CHARS);
    assert_eq!(read(Format::Xlsx, &bytes, 100).unwrap().rows.len(), 1);
}

#[test]
fn one_shared_string_in_every_cell_is_refused_by_the_text_budget() {
    // 6,000 bytes a cell: the budget runs out within 44 rows of 64 cells.
    let bytes = hostile_files::one_string_everywhere(50, 64, MAX_CELL_CHARS);
    assert_eq!(
        read(Format::Xlsx, &bytes, 20_000),
        Err(ReadError::TooMuchText)
    );
    assert!(ReadError::TooMuchText.to_string().contains("16 MiB"));
}

#[test]
fn a_zip_bomb_is_refused_from_its_directory() {
    let mib = u32::try_from(MAX_PART_BYTES >> 20).unwrap() + 1;
    let bytes = hostile_files::bomb(mib);
    assert!(bytes.len() < 200_000, "{}", bytes.len());
    let reason = too_big(read(Format::Xlsx, &bytes, 20_000));
    assert!(
        reason.contains("xl/worksheets/sheet1.xml unpacks to 65.0 MiB"),
        "{reason}"
    );
    assert!(reason.contains("limit of 64.0 MiB"), "{reason}");
}

#[test]
fn a_long_text_is_refused_before_it_is_buffered() {
    let text = "字".repeat(usize::try_from(MAX_ELEMENT_BYTES).unwrap() / 3 + 1);
    let sheet = sheet_xml("A1", &[("A1", "姓名"), ("B1", "楼栋"), ("A2", &text)]);
    let reason = too_big(read(Format::Xlsx, &xlsx(&sheet), 100));
    assert!(reason.contains("over the limit of 1.0 MiB"), "{reason}");

    // Split into many small events (entities), one `<t>` is still one buffer.
    let text = "&amp;".repeat(usize::try_from(MAX_ELEMENT_BYTES).unwrap() / 4);
    let sheet = sheet_xml("A1", &[("A1", "姓名"), ("B1", "楼栋"), ("A2", &text)]);
    let reason = too_big(read(Format::Xlsx, &xlsx(&sheet), 100));
    assert!(reason.contains("sheet1.xml has a text"), "{reason}");
}

#[test]
fn a_shared_string_count_beyond_what_the_table_holds_is_refused() {
    let reason = too_big(read(
        Format::Xlsx,
        &hostile_files::huge_unique_count(1_000_000_000_000),
        20_000,
    ));
    assert!(reason.contains("sharedStrings.xml"), "{reason}");
    assert!(reason.contains("64.0 MiB of memory"), "{reason}");
    // An honest count is read as before.
    let table = read(Format::Xlsx, &hostile_files::huge_unique_count(1), 100).unwrap();
    assert_eq!(table.headers, strings(&["姓名", "楼栋"]));
}

#[test]
fn a_font_name_copied_into_every_cell_format_is_refused() {
    let bytes = hostile_files::font_name_everywhere(1_000, 20_000);
    let reason = too_big(read(Format::Xlsx, &bytes, 100));
    assert!(reason.contains("xl/styles.xml"), "{reason}");
    // A style sheet of ordinary size is fine.
    let bytes = hostile_files::font_name_everywhere(4, 2_000);
    assert_eq!(read(Format::Xlsx, &bytes, 100).unwrap().headers.len(), 2);
}

#[test]
fn an_archive_of_too_many_parts_is_refused() {
    let mut entries: Vec<Entry> = (0..=MAX_PARTS)
        .map(|i| Entry::deflated(&format!("xl/media/{i}.txt"), b"x"))
        .collect();
    entries.push(Entry::deflated("_rels/.rels", b"<Relationships/>"));
    let reason = too_big(read(Format::Xlsx, &hostile_files::zip(&entries), 100));
    assert!(reason.contains("more than 1000 parts"), "{reason}");
}

#[test]
fn blank_lines_count_toward_the_row_limit() {
    // The file: a header and 19 MB of blank lines, refused at row 21,001.
    let bytes = hostile_files::blank_lines_csv(19 << 20);
    let started = std::time::Instant::now();
    let error = read(Format::Csv, &bytes, 20_000).unwrap_err();
    assert_eq!(
        error,
        ReadError::RowPastLimit {
            at: "row 21001".into(),
            max_rows: 20_000
        }
    );
    assert!(error.to_string().contains("blank rows"), "{error}");
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    // Up to the allowance they are fine.
    let bytes = hostile_files::blank_lines_csv(ROW_ALLOWANCE + 9);
    assert_eq!(read(Format::Csv, &bytes, 10).unwrap().rows.len(), 0);
    let bytes = hostile_files::blank_lines_csv(ROW_ALLOWANCE + 10);
    assert!(matches!(
        read(Format::Csv, &bytes, 10),
        Err(ReadError::RowPastLimit { .. })
    ));
}

#[test]
fn rows_out_of_order_and_cells_given_twice_read_as_a_spreadsheet_shows_them() {
    let sheet = "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>\
         <row r=\"3\"><c r=\"B3\" t=\"inlineStr\"><is><t>2</t></is></c><c r=\"A3\" t=\"inlineStr\"><is><t>李四</t></is></c></row>\
         <row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>姓名</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>楼栋</t></is></c></row>\
         <row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>旧</t></is></c><c r=\"A2\" t=\"inlineStr\"><is><t>张三</t></is></c></row>\
         </sheetData></worksheet>";
    let table = read(Format::Xlsx, &xlsx(sheet), 100).unwrap();
    assert_eq!(table.headers, strings(&["姓名", "楼栋"]));
    let rows: Vec<(usize, Vec<String>)> = table
        .rows
        .iter()
        .map(|row| (row.number, cells(row)))
        .collect();
    assert_eq!(
        rows,
        [(2, strings(&["张三"])), (3, strings(&["李四", "2"]))]
    );
}

#[test]
fn a_large_ordinary_workbook_still_reads() {
    let headers = strings(&["姓名", "楼栋", "房号", "备注"]);
    let rows: Vec<Vec<String>> = (0..3_000)
        .map(|i| {
            strings(&[
                &format!("居民{i}"),
                "3栋",
                &format!("{}", 101 + i % 30),
                "无",
            ])
        })
        .collect();
    let bytes = write(Format::Xlsx, "名单", &[], &headers, &rows).unwrap();
    let table = read(Format::Xlsx, &bytes, 3_000).unwrap();
    assert_eq!(table.rows.len(), 3_000);
    assert_eq!(table.rows[2_999].cell(0), "居民2999");
    assert_eq!(
        read(Format::Xlsx, &bytes, 2_999),
        Err(ReadError::TooManyRows { max: 2_999 })
    );
}
