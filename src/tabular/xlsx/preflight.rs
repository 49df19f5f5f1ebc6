//! Measuring a workbook before calamine opens it.
//!
//! Opening a workbook, calamine loads whole the shared strings, styles, theme, workbook and
//! relationships parts; it reserves as many strings as the shared-string table's
//! `uniqueCount` says; it copies a font's name and a number format's code into every cell
//! format that uses them; and it buffers one XML event at a time, or a whole element for a
//! string, a formula or a value. Which parts it reads follows the package's own
//! relationships, so every part is measured the same way, whatever its name, by the XML
//! reader calamine uses, configured as calamine configures it:
//!
//! - the archive has at most [`MAX_PARTS`] entries, whose declared sizes are at most
//!   [`MAX_PART_BYTES`] each and [`MAX_UNPACKED_BYTES`] in all. The zip crate refuses to
//!   unpack more than an entry declares, so these bound the work: a zip bomb is refused
//!   from its directory, before anything is unpacked;
//! - no XML event, and no string, formula or value element, is over [`MAX_ELEMENT_BYTES`];
//! - what calamine would keep of the parts it loads whole (estimated per element it keeps,
//!   see [`Part::estimate`]) is at most [`MAX_LOADED_BYTES`].
//!
//! A part that is not XML (a picture) stops being measured where the XML reader fails, as
//! calamine's would. The first sheet is read twice (here and when streamed), a price worth
//! paying for a bound that does not depend on which part is which.

use std::io::{self, BufReader, Cursor, Read};

use quick_xml::{Reader, events::Event};
use zip::ZipArchive;

use crate::tabular::ReadError;

/// Entries (parts) an archive may have; a workbook has a dozen or two.
pub(in crate::tabular) const MAX_PARTS: usize = 1_000;
/// Bytes of central-directory records (names, extra fields, comments) an archive may have.
const MAX_DIRECTORY_BYTES: usize = 1 << 20;
/// Bytes one part may unpack to; a 20,000-row sheet is under 10 MiB.
pub(in crate::tabular) const MAX_PART_BYTES: u64 = 64 << 20;
/// Bytes all parts may unpack to.
pub(in crate::tabular) const MAX_UNPACKED_BYTES: u64 = 128 << 20;
/// Bytes of one XML event (a tag, a text, a comment), and of one string (`si`, `is`, `t`),
/// formula (`f`), value (`v`) or defined name, which calamine buffers whole.
pub(in crate::tabular) const MAX_ELEMENT_BYTES: u64 = 1 << 20;
/// Estimated bytes calamine keeps when it opens a workbook.
pub(in crate::tabular) const MAX_LOADED_BYTES: u64 = 64 << 20;

const CENTRAL_HEADER: &[u8] = b"PK\x01\x02";

fn too_big(reason: String) -> ReadError {
    ReadError::TooBig(reason)
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
}

/// Refuses a workbook that would cost calamine more than the limits above.
pub(super) fn check(bytes: &[u8]) -> Result<(), ReadError> {
    check_directory(bytes)?;
    let mut archive =
        ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReadError::Corrupt(e.to_string()))?;
    let mut unpacked = 0u64;
    let mut loaded = 0u64;
    for index in 0..archive.len() {
        // An entry zip cannot open (encrypted, an unknown method) calamine cannot read either.
        let Ok(part) = archive.by_index(index) else {
            continue;
        };
        let name = String::from_utf8_lossy(part.name_raw()).into_owned();
        let size = part.size();
        if size > MAX_PART_BYTES {
            return Err(too_big(format!(
                "its part {name} unpacks to {}, over the limit of {} for one part",
                mib(size),
                mib(MAX_PART_BYTES)
            )));
        }
        unpacked += size;
        if unpacked > MAX_UNPACKED_BYTES {
            return Err(too_big(format!(
                "its parts unpack to more than the limit of {} in all",
                mib(MAX_UNPACKED_BYTES)
            )));
        }
        loaded = loaded.saturating_add(measure(part, &name)?.estimate(size));
        if loaded > MAX_LOADED_BYTES {
            return Err(too_big(format!(
                "opening it would take more than {} of memory, over the limit (its part {name} holds far more strings, cell styles or links than a roster needs)",
                mib(MAX_LOADED_BYTES)
            )));
        }
    }
    Ok(())
}

/// Bounds what the zip crate allocates to list the archive: one record per central
/// directory header, copying its name, extra field and comment. Counts every header
/// signature in the file, a bound on the records it can hold.
fn check_directory(bytes: &[u8]) -> Result<(), ReadError> {
    let mut parts = 0;
    let mut directory = 0usize;
    let field = |at: usize| {
        bytes
            .get(at..at + 2)
            .map_or(0, |b| usize::from(u16::from_le_bytes([b[0], b[1]])))
    };
    for (at, window) in bytes.windows(4).enumerate() {
        if window == CENTRAL_HEADER {
            parts += 1;
            directory += 46 + field(at + 28) + field(at + 30) + field(at + 32);
        }
    }
    if parts > MAX_PARTS {
        return Err(too_big(format!(
            "it has more than {MAX_PARTS} parts, the limit"
        )));
    }
    if directory > MAX_DIRECTORY_BYTES {
        return Err(too_big(format!(
            "its directory is over the limit of {}",
            mib(MAX_DIRECTORY_BYTES as u64)
        )));
    }
    Ok(())
}

/// What one part holds of what calamine keeps.
#[derive(Default)]
struct Part {
    /// `si`: shared strings.
    strings: u64,
    /// The shared-string table's `uniqueCount`, which calamine reserves.
    unique_count: u64,
    /// `xf`: cell formats, each a `calamine::Style` with copies of a font name and a
    /// number format code.
    formats: u64,
    /// The longest font-name or number-format tag, the most a format copies of each.
    longest_copied: u64,
    /// Estimated bytes of the other elements calamine keeps (fonts, fills, borders, number
    /// formats, relationships, sheets, defined names): their tags, thrice, and a fixed cost.
    others: u64,
}

/// Estimated bytes of one shared string beyond its text: the `String` in a vector that
/// may have doubled, and the allocator's smallest block.
const STRING_COST: u64 = 2 * 24 + 32;
/// Estimated bytes of one kept element beyond its tag's text.
const ELEMENT_COST: u64 = 512;

impl Part {
    /// Estimated bytes calamine keeps if it loads this part (of `size` bytes) whole: the
    /// text of a part that holds kept elements, and a cost per element. Zero for a sheet,
    /// which is streamed.
    fn estimate(&self, size: u64) -> u64 {
        let style = 2 * std::mem::size_of::<calamine::Style>() as u64;
        let elements = self
            .strings
            .saturating_mul(STRING_COST)
            .saturating_add(self.unique_count.saturating_mul(24))
            .saturating_add(
                self.formats
                    .saturating_mul(style + 2 * (self.longest_copied + 32)),
            )
            .saturating_add(self.others);
        if elements == 0 {
            0
        } else {
            elements.saturating_add(size)
        }
    }
}

/// Counts what the reader pulls, and fails past [`MAX_ELEMENT_BYTES`] since the last reset
/// (before each event), so one event cannot buffer more than that here either.
struct Metered<R> {
    inner: R,
    pulled: u64,
    tripped: bool,
}

impl<R: Read> Read for Metered<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pulled > MAX_ELEMENT_BYTES {
            self.tripped = true;
            return Err(io::Error::other("an XML event too long"));
        }
        let n = self.inner.read(buf)?;
        self.pulled += n as u64;
        Ok(n)
    }
}

fn element_too_long(name: &str) -> ReadError {
    too_big(format!(
        "its part {name} has a text, string or formula over the limit of {}",
        mib(MAX_ELEMENT_BYTES)
    ))
}

/// Reads one part as calamine's XML reader would and counts what calamine would keep.
fn measure(part: impl Read, name: &str) -> Result<Part, ReadError> {
    let metered = Metered {
        inner: part,
        pulled: 0,
        tripped: false,
    };
    let mut xml = Reader::from_reader(BufReader::new(metered));
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    let mut counts = Part::default();
    // Open string, formula and value elements: how deep, and where the outermost began.
    let (mut depth, mut since) = (0usize, 0u64);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        xml.get_mut().get_mut().pulled = 0;
        let event = match xml.read_event_into(&mut buf) {
            Ok(Event::Eof) => break,
            Ok(event) => event,
            Err(_) if xml.get_ref().get_ref().tripped => return Err(element_too_long(name)),
            // Not XML, or damaged: calamine's reader stops here too.
            Err(_) => break,
        };
        let position = xml.buffer_position();
        match &event {
            Event::Start(start) => {
                let local = start.local_name();
                let tag = start.len() as u64;
                match local.as_ref() {
                    "si" => counts.strings += 1,
                    "xf" => counts.formats += 1,
                    "sst" => {
                        let declared = start
                            .try_get_attribute("uniqueCount")
                            .ok()
                            .flatten()
                            .map(|a| a.value.trim().parse::<u64>().unwrap_or(u64::MAX));
                        counts.unique_count = declared.unwrap_or(0);
                    }
                    "name" | "numFmt" => counts.longest_copied = counts.longest_copied.max(tag),
                    _ => {}
                }
                if matches!(
                    local.as_ref(),
                    "numFmt"
                        | "font"
                        | "fill"
                        | "border"
                        | "Relationship"
                        | "sheet"
                        | "definedName"
                ) {
                    counts.others = counts.others.saturating_add(ELEMENT_COST + 3 * tag);
                }
                if is_buffered(local.as_ref()) {
                    if depth == 0 {
                        since = position;
                    }
                    depth += 1;
                }
            }
            Event::End(end) if is_buffered(end.local_name().as_ref()) => {
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        if depth > 0 && position - since > MAX_ELEMENT_BYTES {
            return Err(element_too_long(name));
        }
    }
    Ok(counts)
}

/// Elements calamine reads whole into one buffer or string.
fn is_buffered(local: &str) -> bool {
    matches!(local, "si" | "is" | "t" | "f" | "v" | "definedName")
}
