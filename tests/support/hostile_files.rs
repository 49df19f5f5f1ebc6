//! Hostile uploads: small files that declare, or unpack to, far more than they hold. Shared
//! by the tabular unit tests, the API tests and the upload bench (`#[path]` includes), so
//! every layer is tried with the same bytes. Zips are written by hand, so an entry can
//! declare any size and hold a hand-made deflate stream.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use flate2::{Compress, Compression, Crc, FlushCompress, Status};

/// One stored zip entry: its name, method (0 stored, 8 deflated), the bytes as stored, and
/// the uncompressed size and CRC it declares.
pub struct Entry {
    pub name: String,
    method: u16,
    data: Vec<u8>,
    size: u32,
    crc: u32,
}

impl Entry {
    /// `content`, deflated, with honest size and CRC.
    pub fn deflated(name: &str, content: &[u8]) -> Entry {
        let mut compress = Compress::new(Compression::default(), false);
        let mut data = Vec::new();
        deflate(&mut compress, content, &mut data, FlushCompress::Finish);
        let mut crc = Crc::new();
        crc.update(content);
        Entry {
            name: name.to_owned(),
            method: 8,
            data,
            size: u32::try_from(content.len()).unwrap(),
            crc: crc.sum(),
        }
    }

    /// `prefix`, then `fill_mib` MiB of the byte `fill`, then `suffix`, deflated: a few KiB
    /// per GiB. The repeated part is one compressed MiB copied, which decodes the same
    /// wherever it stands because the 32 KiB before it are always `fill` too.
    pub fn bomb(name: &str, prefix: &[u8], fill: u8, fill_mib: u32, suffix: &[u8]) -> Entry {
        assert!(fill_mib >= 2);
        let chunk = vec![fill; 1 << 20];
        let mut compress = Compress::new(Compression::best(), false);
        let mut data = Vec::new();
        deflate(&mut compress, prefix, &mut data, FlushCompress::Sync);
        deflate(&mut compress, &chunk, &mut data, FlushCompress::Sync);
        let mut repeated = Vec::new();
        deflate(&mut compress, &chunk, &mut repeated, FlushCompress::Sync);
        for _ in 1..fill_mib {
            data.extend_from_slice(&repeated);
        }
        deflate(&mut compress, suffix, &mut data, FlushCompress::Finish);

        let mut crc = Crc::new();
        crc.update(prefix);
        let mut mib = Crc::new();
        mib.update(&chunk);
        for _ in 0..fill_mib {
            crc.combine(&mib);
        }
        let mut tail = Crc::new();
        tail.update(suffix);
        crc.combine(&tail);
        let size = prefix.len() as u64 + (u64::from(fill_mib) << 20) + suffix.len() as u64;
        Entry {
            name: name.to_owned(),
            method: 8,
            data,
            size: u32::try_from(size).expect("a bomb under 4 GiB (no zip64)"),
            crc: crc.sum(),
        }
    }
}

fn deflate(compress: &mut Compress, mut input: &[u8], out: &mut Vec<u8>, flush: FlushCompress) {
    loop {
        out.reserve(input.len() + 4096);
        let before = compress.total_in();
        let status = compress.compress_vec(input, out, flush).unwrap();
        input = &input[usize::try_from(compress.total_in() - before).unwrap()..];
        let flushed = input.is_empty() && out.len() < out.capacity();
        match flush {
            FlushCompress::Finish if status == Status::StreamEnd => return,
            FlushCompress::Finish => {}
            _ if flushed => return,
            _ => {}
        }
    }
}

/// A zip archive of `entries`, in order.
pub fn zip(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for entry in entries {
        let offset = u32::try_from(out.len()).unwrap();
        let name = entry.name.as_bytes();
        let fields = |out: &mut Vec<u8>| {
            for (value, width) in [
                (20, 2),                                       // version needed
                (0x0800, 2),                                   // flags: UTF-8 names
                (u32::from(entry.method), 2),                  // method
                (0, 2),                                        // time
                (0x21, 2),                                     // date: 1980-01-01
                (entry.crc, 4),                                // CRC-32
                (u32::try_from(entry.data.len()).unwrap(), 4), // compressed size
                (entry.size, 4),                               // uncompressed size
                (u32::try_from(name.len()).unwrap(), 2),       // name length
                (0, 2),                                        // extra length
            ] {
                out.extend_from_slice(&value.to_le_bytes()[..width]);
            }
        };
        out.extend_from_slice(b"PK\x03\x04");
        fields(&mut out);
        out.extend_from_slice(name);
        out.extend_from_slice(&entry.data);

        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        fields(&mut central);
        // Comment length, first disk, internal and external attributes.
        central.extend_from_slice(&[0; 10]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let start = u32::try_from(out.len()).unwrap();
    let count = u16::try_from(entries.len()).unwrap();
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0; 4]); // disk numbers
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&u32::try_from(central.len()).unwrap().to_le_bytes());
    out.extend_from_slice(&start.to_le_bytes());
    out.extend_from_slice(&[0; 2]); // comment length
    out
}

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const DOC_RELS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// A one-sheet workbook around `sheet` (the worksheet part), with `shared_strings` and
/// `styles` parts when given. Parts are entries so a test can make any of them a bomb.
pub fn workbook(sheet: Entry, shared_strings: Option<Entry>, styles: Option<Entry>) -> Vec<u8> {
    let mut rels = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"{RELS}\">\
         <Relationship Id=\"rId1\" Type=\"{DOC_RELS}/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    );
    if shared_strings.is_some() {
        rels += &format!(
            "<Relationship Id=\"rId2\" Type=\"{DOC_RELS}/sharedStrings\" Target=\"sharedStrings.xml\"/>"
        );
    }
    if styles.is_some() {
        rels += &format!(
            "<Relationship Id=\"rId3\" Type=\"{DOC_RELS}/styles\" Target=\"styles.xml\"/>"
        );
    }
    rels += "</Relationships>";
    let mut entries = vec![
        Entry::deflated(
            "_rels/.rels",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"{RELS}\">\
                 <Relationship Id=\"rId1\" Type=\"{DOC_RELS}/officeDocument\" Target=\"xl/workbook.xml\"/>\
                 </Relationships>"
            )
            .as_bytes(),
        ),
        Entry::deflated(
            "xl/workbook.xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"{MAIN}\" xmlns:r=\"{DOC_RELS}\">\
                 <sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
            )
            .as_bytes(),
        ),
        Entry::deflated("xl/_rels/workbook.xml.rels", rels.as_bytes()),
    ];
    entries.push(Entry {
        name: "xl/worksheets/sheet1.xml".to_owned(),
        ..sheet
    });
    if let Some(part) = shared_strings {
        entries.push(Entry {
            name: "xl/sharedStrings.xml".to_owned(),
            ..part
        });
    }
    if let Some(part) = styles {
        entries.push(Entry {
            name: "xl/styles.xml".to_owned(),
            ..part
        });
    }
    zip(&entries)
}

/// Worksheet XML declaring `dimension`, with `cells` (A1 reference, inline text).
pub fn sheet_xml(dimension: &str, cells: &[(&str, &str)]) -> String {
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{MAIN}\">\
         <dimension ref=\"{dimension}\"/><sheetData>"
    );
    for (reference, text) in cells {
        let row: String = reference.chars().filter(char::is_ascii_digit).collect();
        xml += &format!(
            "<row r=\"{row}\"><c r=\"{reference}\" t=\"inlineStr\"><is><t>{text}</t></is></c></row>"
        );
    }
    xml + "</sheetData></worksheet>"
}

/// A roster header in row 1 (so only the limits can refuse the file).
const HEADER: [(&str, &str); 3] = [("A1", "姓名"), ("B1", "楼栋"), ("C1", "房号")];

/// 1.5 KB: the header and one cell at XFD1048576, the last cell Excel has. A reader that
/// allocates the bounding box wants 17 billion cells.
pub fn far_cell() -> Vec<u8> {
    let mut cells = HEADER.to_vec();
    cells.push(("XFD1048576", "x"));
    let sheet = sheet_xml("A1:XFD1048576", &cells);
    workbook(Entry::deflated("", sheet.as_bytes()), None, None)
}

/// The header and one cell at P1048576: a 16 × 1,048,576 box (about 512 MiB dense).
pub fn tall_box() -> Vec<u8> {
    let mut cells = HEADER.to_vec();
    cells.push(("P1048576", "x"));
    let sheet = sheet_xml("A1:P1048576", &cells);
    workbook(Entry::deflated("", sheet.as_bytes()), None, None)
}

/// A worksheet whose one cell unpacks to `mib` MiB of spaces.
pub fn bomb(mib: u32) -> Vec<u8> {
    let prefix = format!(
        "<?xml version=\"1.0\"?><worksheet xmlns=\"{MAIN}\"><sheetData><row r=\"2\">\
         <c r=\"A2\" t=\"inlineStr\"><is><t>"
    );
    let suffix = b"</t></is></c></row></sheetData></worksheet>";
    let sheet = Entry::bomb("", prefix.as_bytes(), b' ', mib, suffix);
    workbook(sheet, None, None)
}

/// A shared-string table that declares `unique_count` strings and holds one.
pub fn huge_unique_count(unique_count: u64) -> Vec<u8> {
    let strings = format!(
        "<?xml version=\"1.0\"?><sst xmlns=\"{MAIN}\" count=\"1\" uniqueCount=\"{unique_count}\">\
         <si><t>姓名</t></si></sst>"
    );
    let sheet = sheet_xml("A1:B1", &[("B1", "楼栋")]).replace(
        "<sheetData>",
        "<sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>",
    );
    workbook(
        Entry::deflated("", sheet.as_bytes()),
        Some(Entry::deflated("", strings.as_bytes())),
        None,
    )
}

/// One shared string of `chars` characters referenced by every cell of `rows` × `columns`.
pub fn one_string_everywhere(rows: u32, columns: u32, chars: usize) -> Vec<u8> {
    let strings = format!(
        "<?xml version=\"1.0\"?><sst xmlns=\"{MAIN}\" count=\"1\" uniqueCount=\"1\"><si><t>{}</t></si></sst>",
        "楼".repeat(chars)
    );
    let mut sheet = format!(
        "<?xml version=\"1.0\"?><worksheet xmlns=\"{MAIN}\"><sheetData>\
         <row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>姓名</t></is></c>\
         <c r=\"B1\" t=\"inlineStr\"><is><t>楼栋</t></is></c></row>"
    );
    for row in 2..rows + 2 {
        sheet += &format!("<row r=\"{row}\">");
        for column in 0..columns {
            sheet += &format!("<c r=\"{}{row}\" t=\"s\"><v>0</v></c>", column_name(column));
        }
        sheet += "</row>";
    }
    sheet += "</sheetData></worksheet>";
    workbook(
        Entry::deflated("", sheet.as_bytes()),
        Some(Entry::deflated("", strings.as_bytes())),
        None,
    )
}

/// A style sheet with one font named by `name_chars` characters and `xfs` cell formats
/// using it: a reader that copies the font into every format holds `xfs` copies.
pub fn font_name_everywhere(name_chars: usize, xfs: usize) -> Vec<u8> {
    let mut styles = format!(
        "<?xml version=\"1.0\"?><styleSheet xmlns=\"{MAIN}\"><fonts count=\"1\"><font><name val=\"{}\"/></font></fonts>\
         <cellXfs count=\"{xfs}\">",
        "宋".repeat(name_chars)
    );
    for _ in 0..xfs {
        styles += "<xf fontId=\"0\"/>";
    }
    styles += "</cellXfs></styleSheet>";
    let sheet = sheet_xml("A1:B1", &[("A1", "姓名"), ("B1", "楼栋")]);
    workbook(
        Entry::deflated("", sheet.as_bytes()),
        None,
        Some(Entry::deflated("", styles.as_bytes())),
    )
}

/// A CSV roster header, then `bytes` of blank lines.
pub fn blank_lines_csv(bytes: usize) -> Vec<u8> {
    let mut csv = "姓名,楼栋,房号\n".as_bytes().to_vec();
    csv.resize(csv.len() + bytes, b'\n');
    csv
}

/// Excel's name of the 0-based `column`: A, B, ..., Z, AA, ...
pub fn column_name(mut column: u32) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap()
}
