//! Writing tables for downloads: CSV that Excel on Chinese Windows opens as it should, and
//! XLSX with every cell a text cell.

use rust_xlsxwriter::{Format as CellFormat, Workbook, XlsxError};

use super::Format;

/// Why a download could not be produced (in practice: Excel's limits, such
/// as 32,767 characters per cell or 1,048,576 rows).
#[derive(Debug, thiserror::Error)]
#[error("could not write the XLSX file: {0}")]
pub struct WriteError(#[from] XlsxError);

/// Writes a table with `preamble` lines (one cell each) above the header.
///
/// CSV is UTF-8 with a BOM and CRLF line endings, which Excel on Chinese
/// Windows opens correctly. XLSX has one sheet, every cell a text cell (so an
/// 18-digit ID number never becomes a float), a bold frozen header row and
/// columns wide enough for Chinese text.
///
/// Formula injection (OWASP "CSV injection"): a cell starting with `=`, `+`,
/// `-`, `@`, tab or CR gets a leading `'` in CSV, so "-3" is written as "'-3".
/// In XLSX the text is kept as is and the cell gets Excel's own quote-prefix
/// flag, which is what Excel stores when a user types the `'`.
pub fn write(
    format: Format,
    sheet_name: &str,
    preamble: &[String],
    headers: &[String],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, WriteError> {
    match format {
        Format::Csv => Ok(write_csv(preamble, headers, rows)),
        Format::Xlsx => write_xlsx(sheet_name, preamble, headers, rows),
    }
}

/// Whether a spreadsheet could take the cell for a formula.
fn looks_like_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

fn write_csv(preamble: &[String], headers: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let lines = preamble.iter().map(std::slice::from_ref);
    for record in lines.chain([headers]).chain(rows.iter().map(Vec::as_slice)) {
        for (index, cell) in record.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            if looks_like_formula(cell) {
                out.push('\'');
            }
            if cell.contains([',', '"', '\r', '\n']) {
                out.push('"');
                out.push_str(&cell.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(cell);
            }
        }
        out.push_str("\r\n");
    }
    out.into_bytes()
}

fn write_xlsx(
    sheet_name: &str,
    preamble: &[String],
    headers: &[String],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, WriteError> {
    let text = CellFormat::new().set_num_format("@");
    let bold = text.clone().set_bold();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(safe_sheet_name(sheet_name))?;

    let mut write_row = |row: usize, cells: &[String], format: &CellFormat| {
        let row = u32::try_from(row).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (col, cell) in cells.iter().enumerate() {
            let col = u16::try_from(col).map_err(|_| XlsxError::RowColumnLimitError)?;
            if looks_like_formula(cell) {
                let guarded = format.clone().set_quote_prefix();
                sheet.write_string_with_format(row, col, cell, &guarded)?;
            } else {
                sheet.write_string_with_format(row, col, cell, format)?;
            }
        }
        Ok::<_, XlsxError>(())
    };
    for (index, line) in preamble.iter().enumerate() {
        write_row(index, std::slice::from_ref(line), &text)?;
    }
    write_row(preamble.len(), headers, &bold)?;
    for (index, cells) in rows.iter().enumerate() {
        write_row(preamble.len() + 1 + index, cells, &text)?;
    }

    let header_row = u32::try_from(preamble.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
    sheet.set_freeze_panes(header_row + 1, 0)?;
    let columns = rows.iter().map(Vec::len).chain([headers.len()]).max();
    for col in 0..columns.unwrap_or(0) {
        let cells = rows
            .iter()
            .filter_map(|row| row.get(col))
            .chain(headers.get(col));
        let widest = cells.map(|cell| display_width(cell)).max().unwrap_or(0);
        let col = u16::try_from(col).map_err(|_| XlsxError::RowColumnLimitError)?;
        // Typing into an empty cell of the column keeps text as text, too.
        sheet.set_column_format(col, &text)?;
        sheet.set_column_width(col, (widest + 2).clamp(8, 50) as f64)?;
    }
    Ok(workbook.save_to_buffer()?)
}

/// Column width in Excel's units: a CJK character is about two digits wide.
fn display_width(cell: &str) -> usize {
    cell.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// Excel rejects sheet names over 31 characters, with any of `[]:*?/\`, or
/// starting or ending with `'`; repair rather than fail a download.
pub(super) fn safe_sheet_name(name: &str) -> String {
    let name: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect();
    let name: String = name.trim_matches('\'').chars().take(31).collect();
    let name = name.trim_matches('\'');
    if name.is_empty() {
        "Sheet1".to_owned()
    } else {
        name.to_owned()
    }
}
