//! Reading CSV: decoded once (UTF-8 is read in place; GB18030 and UTF-16 are copied into
//! UTF-8), then parsed record by record, each record checked against the limits as it is
//! read and dropped unless it is a data row. A file's cost is its text plus the rows kept.

use std::borrow::Cow;

use super::{
    Limits, OLE_MAGIC, ReadError, Row, Table, TableBuilder, UTF8_BOM, UTF16LE_BOM, ZIP_MAGIC,
};

pub(super) fn read(bytes: &[u8], mut limits: Limits) -> Result<Table, ReadError> {
    if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(OLE_MAGIC) {
        return Err(ReadError::UnsupportedFormat);
    }
    let (text, delimiter) = if let Some(utf16) = bytes.strip_prefix(UTF16LE_BOM) {
        // Excel's "Unicode text" export: always tab-separated.
        let text = encoding_rs::UTF_16LE
            .decode_without_bom_handling_and_without_replacement(utf16)
            .ok_or(ReadError::NotText)?;
        (text, b'\t')
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
    let mut records = Records {
        text: text.as_bytes(),
        pos: 0,
        line: 1,
        delimiter,
    };
    let mut table = TableBuilder::new(limits.max_rows);
    let mut number = 0;
    while records.pos < records.text.len() {
        number += 1;
        // Every record counts, blank or not.
        if number > limits.last_row {
            return Err(limits.row_past_limit(format!("row {number}")));
        }
        table.push(records.next(number, &mut limits)?)?;
    }
    table.finish()
}

/// Comma, unless the first line with any separator has tabs and no commas.
fn guess_delimiter(text: &str) -> u8 {
    let first = text.lines().find(|line| line.contains([',', '\t']));
    if first.is_some_and(|line| !line.contains(',')) {
        b'\t'
    } else {
        b','
    }
}

/// Splits CSV text into records, one per row Excel would show. Hand-written because the
/// csv crate skips blank lines (shifting every row number after them) and silently
/// accepts a quote that is never closed. Works on the UTF-8 bytes: every byte it looks
/// for is ASCII, which never occurs inside a multi-byte character, so every cut falls on a
/// character boundary.
struct Records<'a> {
    text: &'a [u8],
    pos: usize,
    /// The physical line `pos` is on, for an unclosed quote's message.
    line: usize,
    delimiter: u8,
}

impl Records<'_> {
    /// The record at `pos` as row `number`, its cells trimmed and checked.
    fn next(&mut self, number: usize, limits: &mut Limits) -> Result<Row, ReadError> {
        let mut row = Row::new(number);
        let mut field = Vec::new();
        let mut column = 0;
        loop {
            let end_of_record = self.field(&mut field)?;
            let text = String::from_utf8_lossy(&field);
            let cell = text.trim();
            // Empty cells are not kept (nor checked: trailing commas right of the last
            // column read are harmless).
            if !cell.is_empty() {
                limits.check(number - 1, column, cell)?;
                row.push(column, cell);
            }
            field.clear();
            column += 1;
            if end_of_record {
                return Ok(row);
            }
        }
    }

    /// Reads one field into `out`; whether it ended its record (a line break or the end).
    fn field(&mut self, out: &mut Vec<u8>) -> Result<bool, ReadError> {
        let text = self.text;
        if text.get(self.pos) == Some(&b'"') {
            let quote_line = self.line;
            self.pos += 1;
            loop {
                let Some(offset) = text[self.pos..]
                    .iter()
                    .position(|&b| b == b'"' || b == b'\n')
                else {
                    return Err(ReadError::UnclosedQuote { line: quote_line });
                };
                let at = self.pos + offset;
                out.extend_from_slice(&text[self.pos..at]);
                self.pos = at + 1;
                match text[at] {
                    b'\n' => {
                        self.line += 1;
                        out.push(b'\n');
                    }
                    // A doubled quote is a quote; a single one closes the cell.
                    _ if text.get(self.pos) == Some(&b'"') => {
                        out.push(b'"');
                        self.pos += 1;
                    }
                    _ => break,
                }
            }
        }
        // Unquoted text, or what follows a closing quote (kept, as Excel does).
        let delimiter = self.delimiter;
        let offset = text[self.pos..]
            .iter()
            .position(|&b| b == delimiter || b == b'\r' || b == b'\n');
        let at = offset.map_or(text.len(), |offset| self.pos + offset);
        out.extend_from_slice(&text[self.pos..at]);
        self.pos = at;
        match text.get(at) {
            None => Ok(true),
            Some(&b) if b == delimiter => {
                self.pos += 1;
                // A delimiter at the very end leaves one more, empty, field.
                Ok(false)
            }
            Some(&b) => {
                self.pos += 1;
                if b == b'\r' && text.get(self.pos) == Some(&b'\n') {
                    self.pos += 1;
                }
                self.line += 1;
                Ok(true)
            }
        }
    }
}
