//! Reading XLSX: the workbook is measured first (`preflight`), then its first sheet is
//! streamed cell by cell with calamine's cell reader, never through `worksheet_range*`,
//! which allocates the bounding box of the cells (a cell at XFD1048576 makes that 17
//! billion cells). Only non-empty cells are kept, each checked against the limits where it
//! stands, so memory follows the cells present.
//!
//! The sheet's declared `<dimension>` is not refused by itself: Excel counts formatted empty
//! cells in it, so a roster whose borders reach row 100,000 declares that much while holding
//! a few hundred rows. Nothing is sized by it; a cell with text past the limits is refused.

use std::{borrow::Cow, collections::BTreeMap, io::Cursor};

use calamine::{DataRef, Reader, Xlsx, XlsxError};

use super::{Limits, ReadError, Row, Table, TableBuilder, ZIP_MAGIC};

pub(super) mod preflight;

pub(super) fn read(bytes: &[u8], mut limits: Limits) -> Result<Table, ReadError> {
    if !bytes.starts_with(ZIP_MAGIC) {
        return Err(ReadError::UnsupportedFormat);
    }
    preflight::check(bytes)?;
    let corrupt = |error: XlsxError| ReadError::Corrupt(error.to_string());
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(corrupt)?;
    let Some(sheet) = workbook.sheet_names().into_iter().next() else {
        return Err(ReadError::NoHeader);
    };
    let mut cells = match workbook.worksheet_cells_reader(&sheet) {
        Ok(cells) => cells,
        // A chart sheet first: no table.
        Err(XlsxError::NotAWorksheet(_)) => return Err(ReadError::NoHeader),
        Err(error) => return Err(corrupt(error)),
    };
    // Rows by number: a sheet's rows come in order, but nothing requires it.
    let mut rows: BTreeMap<u32, Draft> = BTreeMap::new();
    let mut first_column = usize::MAX;
    while let Some(cell) = cells.next_cell().map_err(corrupt)? {
        let text = cell_text(cell.get_value());
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let (row, column) = cell.get_position();
        limits.check(row as usize, column as usize, text)?;
        first_column = first_column.min(column as usize);
        rows.entry(row).or_default().add(column, text);
    }
    // Columns count from the first one used, as in the sheet's used range: a table
    // typed from B3 reads like one typed from A1.
    let mut table = TableBuilder::new(limits.max_rows);
    for (number, draft) in rows {
        table.push(draft.into_row(number as usize + 1, first_column))?;
    }
    table.finish()
}

/// A row as its cells arrive: usually left to right, but a column may come late or twice
/// (the later cell wins, as when a spreadsheet reads the sheet). At most one entry per
/// column: a sheet repeating a cell costs only the text, which the limits count.
#[derive(Default)]
struct Draft {
    text: String,
    /// (column, start, end in `text`).
    cells: Vec<(u32, u32, u32)>,
    /// Columns present, one bit each (at most 64 columns are read).
    seen: u64,
}

impl Draft {
    /// Adds `column`'s cell; `column` is under 64 (checked by the limits).
    fn add(&mut self, column: u32, text: &str) {
        let at = |draft: &Draft| u32::try_from(draft.text.len()).unwrap_or(u32::MAX);
        let start = at(self);
        self.text.push_str(text);
        let cell = (column, start, at(self));
        let bit = 1u64 << (column % 64);
        if self.seen & bit != 0
            && let Some(earlier) = self.cells.iter_mut().find(|(c, ..)| *c == column)
        {
            *earlier = cell;
            return;
        }
        self.cells.push(cell);
        self.seen |= bit;
    }

    /// The row, its columns counted from `first_column`.
    fn into_row(mut self, number: usize, first_column: usize) -> Row {
        self.cells.sort_unstable_by_key(|&(column, ..)| column);
        let mut row = Row::new(number);
        for (column, start, end) in self.cells {
            let text = self.text.get(start as usize..end as usize).unwrap_or("");
            row.push((column as usize).saturating_sub(first_column), text);
        }
        row
    }
}

/// Cell text as a roster checker should see it.
fn cell_text<'a>(cell: &'a DataRef<'_>) -> Cow<'a, str> {
    match cell {
        DataRef::Empty => Cow::Borrowed(""),
        DataRef::SharedString(text) => Cow::Borrowed(text),
        DataRef::String(text) | DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => {
            Cow::Borrowed(text)
        }
        DataRef::Int(number) => Cow::Owned(number.to_string()),
        DataRef::Float(number) => Cow::Owned(float_text(*number)),
        DataRef::Bool(true) => Cow::Borrowed("TRUE"),
        DataRef::Bool(false) => Cow::Borrowed("FALSE"),
        DataRef::Error(error) => Cow::Owned(error.to_string()),
        DataRef::DateTime(datetime) if datetime.is_duration() => {
            Cow::Owned(float_text(datetime.as_f64()))
        }
        DataRef::DateTime(datetime) => {
            let (year, month, day, hour, minute, second, _) = datetime.to_ymd_hms_milli();
            let date = format!("{year:04}-{month:02}-{day:02}");
            let time = format!("{hour:02}:{minute:02}:{second:02}");
            Cow::Owned(if datetime.as_f64() < 1.0 {
                time
            } else if (hour, minute, second) == (0, 0, 0) {
                date
            } else {
                format!("{date} {time}")
            })
        }
    }
}

/// Whole numbers print without ".0". From 1e15 on a float has lost digits
/// (an ID number typed into a General cell), so it prints in scientific
/// notation and the ID check reports Excel's mangling instead of accepting
/// a silently wrong number.
pub(super) fn float_text(number: f64) -> String {
    if number.abs() >= 1e15 {
        format!("{number:E}")
    } else if number.fract() == 0.0 {
        (number as i64).to_string()
    } else {
        number.to_string()
    }
}
