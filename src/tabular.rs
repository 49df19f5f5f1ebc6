//! Reading and writing simple tables (CSV and XLSX) for roster uploads and
//! list downloads. Knows nothing about residents: just headers and cells.

use std::borrow::Cow;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{Format as CellFormat, Workbook, XlsxError};

#[cfg(test)]
mod tests;

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// Old .xls workbooks and password-protected .xlsx files are OLE containers.
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16LE_BOM: &[u8] = b"\xFF\xFE";

/// A file format for upload or download.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// Guesses the format of an upload. The zip signature wins over the name
    /// (a renamed workbook is still a workbook); then the name decides
    /// (".txt"/".tsv" count as CSV because Excel's "Unicode text" export is
    /// tab-separated); then a text BOM. `None` if nothing says.
    pub fn detect(file_name: Option<&str>, bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(ZIP_MAGIC) {
            return Some(Format::Xlsx);
        }
        let name = file_name.map(str::to_ascii_lowercase).unwrap_or_default();
        if name.ends_with(".xlsx") {
            Some(Format::Xlsx)
        } else if [".csv", ".txt", ".tsv"]
            .iter()
            .any(|ext| name.ends_with(ext))
            || bytes.starts_with(UTF8_BOM)
            || bytes.starts_with(UTF16LE_BOM)
        {
            Some(Format::Csv)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// A table read from a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// A non-empty data row. `number` is the 1-based row number a spreadsheet
/// user sees, so error messages can point at the right line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub number: usize,
    pub cells: Vec<String>,
}

impl Table {
    /// Index of the column whose header matches one of `names` after
    /// [`normalize_header`]. Earlier names are preferred, so put the
    /// canonical name first.
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|name| {
            let name = normalize_header(name);
            self.headers
                .iter()
                .position(|header| normalize_header(header) == name)
        })
    }

    /// Cell text of `row` in `column`; "" when the row is shorter.
    pub fn cell<'a>(&self, row: &'a Row, column: usize) -> &'a str {
        row.cells.get(column).map_or("", String::as_str)
    }
}

/// Why an upload could not be read. Messages are shown to community workers.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    #[error(
        "the file is not a CSV or XLSX file (save old .xls or password-protected workbooks as .xlsx first)"
    )]
    UnsupportedFormat,
    #[error("the CSV file is not UTF-8, UTF-16 or GB18030 text")]
    NotText,
    #[error("the file is empty or has no header row (a row with at least two filled cells)")]
    NoHeader,
    #[error("the XLSX workbook could not be read, it may be damaged: {0}")]
    Corrupt(String),
    #[error("the CSV file is malformed at line {line}: a quoted cell is never closed")]
    UnclosedQuote { line: usize },
    #[error("the file has more than {max} data rows")]
    TooManyRows { max: usize },
    #[error("the column \"{0}\" appears more than once in the header row")]
    DuplicateHeader(String),
}

/// Why a download could not be produced (in practice: Excel's limits, such
/// as 32,767 characters per cell or 1,048,576 rows).
#[derive(Debug, thiserror::Error)]
#[error("could not write the XLSX file: {0}")]
pub struct WriteError(#[from] XlsxError);

/// Reads a table. The header is the first row with at least two non-empty
/// cells (title rows above it are ignored); empty rows are skipped but still
/// counted in row numbers; cells are trimmed. At most `max_rows` data rows.
pub fn read(format: Format, bytes: &[u8], max_rows: usize) -> Result<Table, ReadError> {
    match format {
        Format::Csv => read_csv(bytes, max_rows),
        Format::Xlsx => read_xlsx(bytes, max_rows),
    }
}

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

/// Makes header spellings comparable: drops all whitespace (incl. U+3000),
/// required-field markers ("*姓名", "姓名*", "姓名（必填）", "姓名(必填)") and
/// ASCII case.
fn normalize_header(header: &str) -> String {
    let mut name: String = header.chars().filter(|c| !c.is_whitespace()).collect();
    loop {
        let stripped = name
            .trim_matches(['*', '＊'])
            .trim_end_matches("（必填）")
            .trim_end_matches("(必填)");
        if stripped.len() == name.len() {
            break;
        }
        name = stripped.to_owned();
    }
    name.to_ascii_lowercase()
}

/// Finds the header among `rows` (numbered, untrimmed cells) and collects
/// the non-empty data rows after it.
fn build_table(
    rows: impl Iterator<Item = (usize, Vec<String>)>,
    max_rows: usize,
) -> Result<Table, ReadError> {
    let mut rows = rows.map(|(number, cells)| Row {
        number,
        cells: cells.iter().map(|cell| cell.trim().to_owned()).collect(),
    });
    let filled = |row: &Row| row.cells.iter().filter(|cell| !cell.is_empty()).count();
    let mut headers = rows
        .find(|row| filled(row) >= 2)
        .ok_or(ReadError::NoHeader)?
        .cells;
    while headers.last().is_some_and(String::is_empty) {
        headers.pop();
    }
    let mut seen = std::collections::HashSet::new();
    for header in headers.iter().filter(|header| !header.is_empty()) {
        if !seen.insert(normalize_header(header)) {
            return Err(ReadError::DuplicateHeader(header.clone()));
        }
    }
    let mut data = Vec::new();
    for row in rows.filter(|row| filled(row) > 0) {
        if data.len() == max_rows {
            return Err(ReadError::TooManyRows { max: max_rows });
        }
        data.push(row);
    }
    Ok(Table {
        headers,
        rows: data,
    })
}

fn read_csv(bytes: &[u8], max_rows: usize) -> Result<Table, ReadError> {
    if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(OLE_MAGIC) {
        return Err(ReadError::UnsupportedFormat);
    }
    let (text, delimiter) = if let Some(utf16) = bytes.strip_prefix(UTF16LE_BOM) {
        // Excel's "Unicode text" export: always tab-separated.
        let text = encoding_rs::UTF_16LE
            .decode_without_bom_handling_and_without_replacement(utf16)
            .ok_or(ReadError::NotText)?;
        (text, '\t')
    } else {
        let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => Cow::Borrowed(text),
            // What Excel on Chinese Windows writes for "CSV" (GBK is a subset).
            Err(_) => encoding_rs::GB18030
                .decode_without_bom_handling_and_without_replacement(bytes)
                .ok_or(ReadError::NotText)?,
        };
        let delimiter = guess_delimiter(&text);
        (text, delimiter)
    };
    if text.contains('\0') {
        return Err(ReadError::NotText);
    }
    let records = parse_csv(&text, delimiter)?;
    build_table(
        records
            .into_iter()
            .enumerate()
            .map(|(index, cells)| (index + 1, cells)),
        max_rows,
    )
}

/// Comma, unless the first line with any separator has tabs and no commas.
fn guess_delimiter(text: &str) -> char {
    let first = text.lines().find(|line| line.contains([',', '\t']));
    if first.is_some_and(|line| !line.contains(',')) {
        '\t'
    } else {
        ','
    }
}

/// Splits CSV text into records, one per row Excel would show. Hand-written
/// because the csv crate skips blank lines (shifting every row number after
/// them) and silently accepts a quote that is never closed.
fn parse_csv(text: &str, delimiter: char) -> Result<Vec<Vec<String>>, ReadError> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut at_field_start = true;
    let mut line = 1;
    let mut quote_line = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quote_line.is_some() {
            match c {
                '"' if chars.next_if_eq(&'"').is_some() => field.push('"'),
                '"' => quote_line = None,
                _ => {
                    if c == '\n' {
                        line += 1;
                    }
                    field.push(c);
                }
            }
            continue;
        }
        match c {
            '"' if at_field_start => quote_line = Some(line),
            '\r' | '\n' => {
                if c == '\r' {
                    chars.next_if_eq(&'\n');
                }
                line += 1;
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            _ if c == delimiter => record.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
        at_field_start = matches!(c, '\r' | '\n') || c == delimiter;
    }
    if let Some(line) = quote_line {
        return Err(ReadError::UnclosedQuote { line });
    }
    if !at_field_start || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    Ok(records)
}

fn read_xlsx(bytes: &[u8], max_rows: usize) -> Result<Table, ReadError> {
    if !bytes.starts_with(ZIP_MAGIC) {
        return Err(ReadError::UnsupportedFormat);
    }
    let corrupt = |error: calamine::XlsxError| ReadError::Corrupt(error.to_string());
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(corrupt)?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or(ReadError::NoHeader)?
        .map_err(corrupt)?;
    // The range starts at the first used cell, not at A1.
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    build_table(
        range
            .rows()
            .enumerate()
            .map(|(index, cells)| (first_row + index + 1, cells.iter().map(cell_text).collect())),
        max_rows,
    )
}

/// Cell text as a roster checker should see it.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Int(number) => number.to_string(),
        Data::Float(number) => float_text(*number),
        Data::Bool(true) => "TRUE".to_owned(),
        Data::Bool(false) => "FALSE".to_owned(),
        Data::Error(error) => error.to_string(),
        Data::DateTime(datetime) if datetime.is_duration() => float_text(datetime.as_f64()),
        Data::DateTime(datetime) => {
            let (year, month, day, hour, minute, second, _) = datetime.to_ymd_hms_milli();
            let date = format!("{year:04}-{month:02}-{day:02}");
            let time = format!("{hour:02}:{minute:02}:{second:02}");
            if datetime.as_f64() < 1.0 {
                time
            } else if (hour, minute, second) == (0, 0, 0) {
                date
            } else {
                format!("{date} {time}")
            }
        }
    }
}

/// Whole numbers print without ".0". From 1e15 on a float has lost digits
/// (an ID number typed into a General cell), so it prints in scientific
/// notation and the ID check reports Excel's mangling instead of accepting
/// a silently wrong number.
fn float_text(number: f64) -> String {
    if number.abs() >= 1e15 {
        format!("{number:E}")
    } else if number.fract() == 0.0 {
        (number as i64).to_string()
    } else {
        number.to_string()
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
fn safe_sheet_name(name: &str) -> String {
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
