//! Reading and writing simple tables (CSV and XLSX) for roster uploads and list downloads.
//! Knows nothing about residents: just headers and cells.
//!
//! Reading is built for hostile files: what a file costs follows the cells it holds, never
//! the size it declares. A CSV file is read record by record; a workbook is measured part by
//! part before calamine opens it (`xlsx/preflight.rs`), then its first sheet is streamed
//! cell by cell. Rows keep only the cells present. Past any limit below, or any of the
//! workbook limits in `xlsx/preflight.rs`, the whole file is refused with a message naming
//! the limit; nothing is ever sized by what a file declares (a worksheet's `<dimension>`
//! box, a shared-string count).

mod csv;
mod write;
mod xlsx;

#[cfg(test)]
mod tests;

pub use write::{WriteError, write};

use crate::error::{Msg, msg};

/// Rows a file may have beyond its data rows (the caller's `max_rows`): titles, the header
/// and blank rows. A row past `max_rows + ROW_ALLOWANCE` is refused even when blank, so a
/// file that is mostly blank lines is refused as soon as it is read that far.
pub const ROW_ALLOWANCE: usize = 1_000;
/// Columns read: A to BL. Text further right is refused; empty cells there are ignored.
pub const MAX_COLUMNS: usize = 64;
/// Characters one cell may hold.
pub const MAX_CELL_CHARS: usize = 2_000;
/// Bytes of cell text (after trimming) one file may hold: a 20,000-row roster needs a few.
pub const MAX_TEXT_BYTES: usize = 16 << 20;

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

/// A non-empty data row. `number` is the 1-based row number a spreadsheet user sees, so
/// error messages can point at the right line. The cells share one string: a row costs its
/// text and 4 bytes a column, not a `String` a cell.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Row {
    pub number: usize,
    /// The cells' text, one after another in column order.
    text: String,
    /// Where each column's cell ends in `text`; it starts where the one before ends.
    ends: Vec<u32>,
}

impl Row {
    fn new(number: usize) -> Row {
        Row {
            number,
            ..Row::default()
        }
    }

    /// The trimmed text of `column`; "" when the row has nothing there.
    pub fn cell(&self, column: usize) -> &str {
        let Some(&end) = self.ends.get(column) else {
            return "";
        };
        let start = column.checked_sub(1).map_or(0, |before| self.ends[before]);
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    /// The cells up to the last non-empty one.
    pub fn cells(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len()).map(|column| self.cell(column))
    }

    fn filled(&self) -> usize {
        let mut start = 0;
        let mut filled = 0;
        for &end in &self.ends {
            filled += usize::from(end > start);
            start = end;
        }
        filled
    }

    /// Appends the non-empty `text`, already checked by [`Limits::check`], as `column`'s
    /// cell; `column` is right of every cell so far. The checks keep a row's text far
    /// under `u32::MAX` bytes (64 cells of at most 2,000 characters).
    fn push(&mut self, column: usize, text: &str) {
        let end = |row: &Row| u32::try_from(row.text.len()).unwrap_or(u32::MAX);
        self.ends.resize(column, end(self));
        self.text.push_str(text);
        self.ends.push(end(self));
    }

    fn shrink(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
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
        row.cell(column)
    }
}

/// Why an upload could not be read. Messages are shown to community workers.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadError {
    UnsupportedFormat,
    NotText,
    NoHeader,
    Corrupt(String),
    UnclosedQuote {
        line: usize,
    },
    TooManyRows {
        max: usize,
    },
    /// Blank rows count: the limit is on rows read, not only on data rows.
    RowPastLimit {
        at: String,
        max_rows: usize,
    },
    ColumnPastLimit {
        cell: String,
    },
    CellTooLong {
        cell: String,
    },
    TooMuchText,
    /// A workbook over one of the limits in `xlsx/preflight.rs` (a zip bomb, say).
    TooBig(String),
    DuplicateHeader(String),
}

impl ReadError {
    pub fn msg(&self) -> Msg {
        match self {
            Self::UnsupportedFormat => msg!(
                "the file is not a CSV or XLSX file (save old .xls or password-protected workbooks as .xlsx first)"
            ),
            Self::NotText => msg!("the CSV file is not UTF-8, UTF-16 or GB18030 text"),
            Self::NoHeader => msg!(
                "the file is empty or has no header row (a row with at least two filled cells)"
            ),
            Self::Corrupt(cause) => msg!(
                "the XLSX workbook could not be read, it may be damaged: {cause}",
                cause = cause
            ),
            Self::UnclosedQuote { line } => msg!(
                "the CSV file is malformed at line {line}: a quoted cell is never closed",
                line = line
            ),
            Self::TooManyRows { max } => {
                msg!("the file has more than {max} data rows", max = max)
            }
            Self::RowPastLimit { at, max_rows } => msg!(
                "the file goes on past row {last} (up to {at}): it may have {max_rows} data rows and {allowance} more rows for titles, the header and blank rows. Delete everything below the table, blank rows too, or split the file",
                last = max_rows + ROW_ALLOWANCE,
                at = at,
                max_rows = max_rows,
                allowance = ROW_ALLOWANCE
            ),
            Self::ColumnPastLimit { cell } => msg!(
                "cell {cell} is right of column {last}, the last of the {max} columns read: delete what is right of the table, or move it left",
                cell = cell,
                last = column_name(MAX_COLUMNS - 1),
                max = MAX_COLUMNS
            ),
            Self::CellTooLong { cell } => msg!(
                "cell {cell} holds more than {max} characters, the most one cell may hold",
                cell = cell,
                max = MAX_CELL_CHARS
            ),
            Self::TooMuchText => msg!(
                "the file holds more than {mib} MiB of text in its cells, far more than a roster needs: is it the right file?",
                mib = MAX_TEXT_BYTES >> 20
            ),
            Self::TooBig(what) => msg!(
                "the workbook is too big to read: {what}. Copy the table into a new workbook and upload that",
                what = what
            ),
            Self::DuplicateHeader(name) => msg!(
                "the column \"{name}\" appears more than once in the header row",
                name = name
            ),
        }
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.msg().english())
    }
}

impl std::error::Error for ReadError {}

/// Reads a table. The header is the first row with at least two non-empty
/// cells (title rows above it are ignored); empty rows are skipped but still
/// counted in row numbers; cells are trimmed. At most `max_rows` data rows, and
/// the limits above.
pub fn read(format: Format, bytes: &[u8], max_rows: usize) -> Result<Table, ReadError> {
    let limits = Limits {
        max_rows,
        last_row: max_rows.saturating_add(ROW_ALLOWANCE),
        kept: 0,
    };
    match format {
        Format::Csv => csv::read(bytes, limits),
        Format::Xlsx => xlsx::read(bytes, limits),
    }
}

/// The limits on what a file holds, and the cell text kept so far.
struct Limits {
    max_rows: usize,
    /// The last row (1-based) a file may use.
    last_row: usize,
    kept: usize,
}

impl Limits {
    fn row_past_limit(&self, at: String) -> ReadError {
        ReadError::RowPastLimit {
            at,
            max_rows: self.max_rows,
        }
    }

    /// Checks a non-empty, trimmed cell at 0-based (`row`, `column`) before it is kept.
    fn check(&mut self, row: usize, column: usize, text: &str) -> Result<(), ReadError> {
        let cell = || format!("{}{}", column_name(column), row.saturating_add(1));
        if row >= self.last_row {
            return Err(self.row_past_limit(format!("cell {}", cell())));
        }
        if column >= MAX_COLUMNS {
            return Err(ReadError::ColumnPastLimit { cell: cell() });
        }
        // A character takes at least a byte: count them only when there could be too many.
        if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
            return Err(ReadError::CellTooLong { cell: cell() });
        }
        self.kept = self.kept.saturating_add(text.len());
        if self.kept > MAX_TEXT_BYTES {
            return Err(ReadError::TooMuchText);
        }
        Ok(())
    }
}

/// Collects rows in order: finds the header among them, then keeps the non-empty data rows
/// after it.
struct TableBuilder {
    max_rows: usize,
    headers: Option<Vec<String>>,
    rows: Vec<Row>,
}

impl TableBuilder {
    fn new(max_rows: usize) -> TableBuilder {
        TableBuilder {
            max_rows,
            headers: None,
            rows: Vec::new(),
        }
    }

    fn push(&mut self, mut row: Row) -> Result<(), ReadError> {
        if self.headers.is_none() {
            // Title rows above the header are dropped.
            if row.filled() >= 2 {
                self.headers = Some(headers(&row)?);
            }
        } else if row.filled() > 0 {
            if self.rows.len() == self.max_rows {
                return Err(ReadError::TooManyRows { max: self.max_rows });
            }
            row.shrink();
            self.rows.push(row);
        }
        Ok(())
    }

    fn finish(self) -> Result<Table, ReadError> {
        Ok(Table {
            headers: self.headers.ok_or(ReadError::NoHeader)?,
            rows: self.rows,
        })
    }
}

/// The header names of `row`, refusing a name given twice.
fn headers(row: &Row) -> Result<Vec<String>, ReadError> {
    let headers: Vec<String> = row.cells().map(str::to_owned).collect();
    let mut seen = std::collections::HashSet::new();
    for header in headers.iter().filter(|header| !header.is_empty()) {
        if !seen.insert(normalize_header(header)) {
            return Err(ReadError::DuplicateHeader(header.clone()));
        }
    }
    Ok(headers)
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

/// The spreadsheet name of the 0-based `column`: A, ..., Z, AA, ..., BL, ..., XFD.
fn column_name(column: usize) -> String {
    let mut name = Vec::new();
    let mut rest = column;
    loop {
        name.push(char::from(b'A' + (rest % 26) as u8));
        if rest < 26 {
            break;
        }
        rest = rest / 26 - 1;
    }
    name.iter().rev().collect()
}
