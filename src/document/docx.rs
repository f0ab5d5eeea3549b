//! DOCX: the text of `word/document.xml`, one line per paragraph, with run emphasis and
//! automatic numbering rendered from `word/numbering.xml`.
//!
//! A DOCX has no meaningful byte offsets (its text is compressed XML), so the document's
//! `source` is the extracted text and every location — JSON `byte_start`/`byte_end`, line,
//! column — is in that text: `line` is the paragraph number (a table row is one line).
//!
//! Choices:
//! - paragraphs in body order, one per line, empty ones kept (so line = paragraph number);
//! - a table row is one line: cells separated by a tab, paragraphs inside a cell by a space;
//!   nested tables are flattened into their cell;
//! - emphasis: runs with `w:b`, `w:u` (not `none`), a chromatic `w:color`, `w:highlight`
//!   (not `none`) or a chromatic `w:shd` fill; paragraph and character styles are not read;
//! - numbering: `w:numPr` (numId, ilvl) in the paragraph's own properties, rendered with the
//!   level's `w:lvlText`/`w:numFmt`/`w:start`/`w:isLgl` and followed by a space, so the clause
//!   segmenter sees "第五条 " or "1.1 "; bullets are dropped; numbering inherited from styles
//!   and `w:lvlOverride` are not applied;
//! - tracked changes: `w:ins` text is counted, `w:del` text is not;
//! - headers, footers, footnotes, comments and text boxes are skipped for now.

use super::normalize::{Normalised, TextBuilder};
use std::collections::HashMap;
use std::io::Read;

/// `word/document.xml` (or any part) larger than this once uncompressed is refused.
pub const MAX_PART_SIZE: u64 = 64 * 1024 * 1024;
/// Parts that expand more than this many times over (and past 1 MiB) are zip bombs.
pub const MAX_COMPRESSION_RATIO: u64 = 100;
/// XML nested deeper than this is refused (Word's own files stay far below it).
pub const MAX_XML_DEPTH: usize = 256;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DocxError {
    #[error("not a readable DOCX (zip) file: {0}")]
    NotZip(String),
    #[error("DOCX has no word/document.xml (not a Word document?)")]
    NoDocument,
    #[error("DOCX part {part} is {size} bytes uncompressed, over the {limit}-byte limit")]
    PartTooLarge { part: String, size: u64, limit: u64 },
    #[error("DOCX part {part} expands {ratio} times over (a zip bomb?); refused")]
    CompressionRatio { part: String, ratio: u64 },
    #[error("DOCX part {part} nests XML deeper than {limit} levels; refused")]
    TooDeep { part: String, limit: usize },
    #[error("DOCX part {part} is damaged: {message}")]
    Damaged { part: String, message: String },
}

/// The extracted text (the document's `source`) and its normalisation with emphasis.
pub(crate) fn extract(bytes: &[u8]) -> Result<(String, Normalised), DocxError> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| DocxError::NotZip(e.to_string()))?;
    let document = read_part(&mut archive, "word/document.xml")?.ok_or(DocxError::NoDocument)?;
    let numbering = match read_part(&mut archive, "word/numbering.xml")? {
        Some(xml) => Numbering::parse(&xml)?,
        None => Numbering::default(),
    };
    Body::read(&document, numbering)
}

fn read_part(
    archive: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<Vec<u8>>, DocxError> {
    let damaged = |e: &dyn std::fmt::Display| DocxError::Damaged {
        part: name.to_string(),
        message: e.to_string(),
    };
    let file = match archive.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(damaged(&e)),
    };
    let too_large = |size| DocxError::PartTooLarge {
        part: name.to_string(),
        size,
        limit: MAX_PART_SIZE,
    };
    let size = file.size();
    if size > MAX_PART_SIZE {
        return Err(too_large(size));
    }
    let ratio = size / file.compressed_size().max(1);
    if size > 1024 * 1024 && ratio > MAX_COMPRESSION_RATIO {
        return Err(DocxError::CompressionRatio {
            part: name.to_string(),
            ratio,
        });
    }
    // The declared size can lie: cap what is actually inflated too.
    let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(MAX_PART_SIZE + 1)
        .read_to_end(&mut out)
        .map_err(|e| damaged(&e))?;
    let read = u64::try_from(out.len()).unwrap_or(u64::MAX);
    if read > MAX_PART_SIZE {
        return Err(too_large(read));
    }
    Ok(Some(out))
}

/// The `w:val` (or any prefix's `val`) attribute of an element.
fn val(e: &quick_xml::events::BytesStart<'_>) -> Option<String> {
    attr(e, b"val")
}

fn attr(e: &quick_xml::events::BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

/// One XML event, reduced to what the readers need.
enum Ev {
    Open(quick_xml::events::BytesStart<'static>),
    /// An empty element (`<w:b/>`): opened and closed at once.
    Empty(quick_xml::events::BytesStart<'static>),
    Close(Vec<u8>),
    Text(String),
}

/// Walk a part's XML events with a depth limit; `f` sees every event.
fn walk(xml: &[u8], part: &str, mut f: impl FnMut(Ev)) -> Result<(), DocxError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let damaged = |message: String| DocxError::Damaged {
        part: part.to_string(),
        message,
    };
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| damaged(e.to_string()))?;
        match event {
            Event::Start(e) => {
                depth += 1;
                if depth > MAX_XML_DEPTH {
                    return Err(DocxError::TooDeep {
                        part: part.to_string(),
                        limit: MAX_XML_DEPTH,
                    });
                }
                f(Ev::Open(e.into_owned()));
            }
            Event::Empty(e) => f(Ev::Empty(e.into_owned())),
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                f(Ev::Close(e.local_name().as_ref().to_vec()));
            }
            Event::Text(t) => {
                let text = t.unescape().map_err(|e| damaged(e.to_string()))?;
                f(Ev::Text(text.into_owned()));
            }
            Event::CData(t) => f(Ev::Text(String::from_utf8_lossy(&t).into_owned())),
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

#[derive(Debug, Clone, Default)]
struct Level {
    start: u32,
    format: String,
    text: String,
    /// `w:isLgl`: every number in this level's text is shown in decimal ("1.1", not "一.1").
    legal: bool,
}

/// `numbering.xml`: which abstract numbering each `numId` uses, and its levels.
#[derive(Debug, Default)]
struct Numbering {
    levels: HashMap<String, HashMap<u8, Level>>,
    num_to_abstract: HashMap<String, String>,
    /// Current counter per abstract numbering and level.
    counters: HashMap<String, [u32; 9]>,
}

impl Numbering {
    fn parse(xml: &[u8]) -> Result<Numbering, DocxError> {
        let mut n = Numbering::default();
        let mut abstract_id: Option<String> = None;
        let mut level: Option<(u8, Level)> = None;
        let mut num_id: Option<String> = None;
        walk(xml, "word/numbering.xml", |ev| match ev {
            Ev::Open(e) | Ev::Empty(e) => match e.local_name().as_ref() {
                b"abstractNum" => abstract_id = attr(&e, b"abstractNumId"),
                b"lvl" => {
                    let ilvl = attr(&e, b"ilvl").and_then(|v| v.parse().ok()).unwrap_or(0);
                    level = Some((ilvl, Level::default()));
                }
                b"start" => {
                    if let Some((_, l)) = &mut level {
                        l.start = val(&e).and_then(|v| v.parse().ok()).unwrap_or(0);
                    }
                }
                b"numFmt" => {
                    if let Some((_, l)) = &mut level {
                        l.format = val(&e).unwrap_or_default();
                    }
                }
                b"isLgl" => {
                    if let Some((_, l)) = &mut level {
                        l.legal = !matches!(val(&e).as_deref(), Some("0" | "false" | "off"));
                    }
                }
                b"lvlText" => {
                    if let Some((_, l)) = &mut level {
                        l.text = val(&e).unwrap_or_default();
                    }
                }
                b"num" => num_id = attr(&e, b"numId"),
                b"abstractNumId" => {
                    if let (Some(num), Some(v)) = (&num_id, val(&e)) {
                        n.num_to_abstract.insert(num.clone(), v);
                    }
                }
                _ => {}
            },
            Ev::Close(name) => match name.as_slice() {
                b"lvl" => {
                    if let (Some(a), Some((ilvl, l))) = (&abstract_id, level.take()) {
                        n.levels.entry(a.clone()).or_default().insert(ilvl, l);
                    }
                }
                b"abstractNum" => abstract_id = None,
                b"num" => num_id = None,
                _ => {}
            },
            Ev::Text(_) => {}
        })?;
        Ok(n)
    }

    /// The label of the next paragraph numbered `(num_id, ilvl)`: "第五条", "1.1"; `None`
    /// for bullets, unknown numberings and `numId` 0 (numbering switched off).
    fn next_label(&mut self, num_id: &str, ilvl: u8) -> Option<String> {
        let abstract_id = self.num_to_abstract.get(num_id)?.clone();
        let levels = self.levels.get(&abstract_id)?;
        let level = levels.get(&ilvl)?;
        if matches!(level.format.as_str(), "bullet" | "none") {
            return None;
        }
        let counters = self.counters.entry(abstract_id).or_insert_with(|| {
            let mut c = [0u32; 9];
            for (i, slot) in c.iter_mut().enumerate() {
                let start = u8::try_from(i)
                    .ok()
                    .and_then(|i| levels.get(&i))
                    .map_or(1, |l| l.start);
                *slot = start.saturating_sub(1);
            }
            c
        });
        let i = usize::from(ilvl).min(8);
        if let Some(c) = counters.get_mut(i) {
            *c += 1;
        }
        for (deeper, slot) in counters.iter_mut().enumerate().skip(i + 1) {
            let start = u8::try_from(deeper)
                .ok()
                .and_then(|d| levels.get(&d))
                .map_or(1, |l| l.start);
            *slot = start.saturating_sub(1);
        }
        let mut label = String::new();
        let mut chars = level.text.chars().peekable();
        while let Some(c) = chars.next() {
            let digit = chars.peek().and_then(|d| d.to_digit(10));
            match digit {
                Some(d @ 1..=9) if c == '%' => {
                    chars.next();
                    let k = usize::try_from(d - 1).unwrap_or(0);
                    let value = counters.get(k).copied().unwrap_or(1);
                    let format = u8::try_from(k)
                        .ok()
                        .and_then(|k| levels.get(&k))
                        .filter(|_| !level.legal)
                        .map_or("decimal", |l| l.format.as_str());
                    label.push_str(&format_number(value, format));
                }
                _ => label.push(c),
            }
        }
        Some(label)
    }
}

fn format_number(n: u32, format: &str) -> String {
    match format {
        "chineseCounting"
        | "chineseCountingThousand"
        | "chineseLegalSimplified"
        | "taiwaneseCounting"
        | "taiwaneseCountingThousand"
        | "ideographDigital" => chinese_number(n, format == "chineseLegalSimplified"),
        "ideographTraditional" => ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"]
            .get(usize::try_from(n).unwrap_or(0).wrapping_sub(1))
            .map_or_else(|| n.to_string(), |s| s.to_string()),
        "lowerLetter" => letter(n).to_ascii_lowercase(),
        "upperLetter" => letter(n),
        "lowerRoman" => roman(n).to_ascii_lowercase(),
        "upperRoman" => roman(n),
        "decimalZero" if n < 10 => format!("0{n}"),
        _ => n.to_string(),
    }
}

/// 一 … 九十九 (壹 … 玖拾玖 in legal style); larger numbers in digits.
fn chinese_number(n: u32, legal: bool) -> String {
    let digits: [&str; 10] = if legal {
        ["零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"]
    } else {
        ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]
    };
    let ten = if legal { "拾" } else { "十" };
    let digit = |d: u32| digits.get(d as usize).copied().unwrap_or("");
    match n {
        0..=9 => digit(n).to_string(),
        10..=19 => format!("{ten}{}", if n == 10 { "" } else { digit(n % 10) }),
        20..=99 => format!(
            "{}{ten}{}",
            digit(n / 10),
            if n % 10 == 0 { "" } else { digit(n % 10) }
        ),
        _ => n.to_string(),
    }
}

fn letter(n: u32) -> String {
    if n == 0 {
        return String::new();
    }
    // Word repeats the letter: 27 is AA, 28 BB.
    let c = char::from(b'A' + u8::try_from((n - 1) % 26).unwrap_or(0));
    std::iter::repeat_n(c, usize::try_from((n - 1) / 26 + 1).unwrap_or(1)).collect()
}

fn roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, numeral) in TABLE {
        while n >= value {
            out.push_str(numeral);
            n -= value;
        }
    }
    out
}

/// A piece of a line: text and whether it is shown emphasised.
type Piece = (String, bool);

/// Reads `document.xml` into lines of pieces.
#[derive(Default)]
struct Body {
    numbering: Numbering,
    /// Finished lines.
    lines: Vec<Vec<Piece>>,
    paragraph: Option<Vec<Piece>>,
    num_id: Option<String>,
    ilvl: u8,
    in_ppr: bool,
    in_rpr: bool,
    run_emphatic: bool,
    in_text: bool,
    deleted: usize,
    /// Per open table: the row's finished cells, and the cell being filled.
    tables: Vec<(Vec<Vec<Piece>>, Vec<Piece>)>,
}

impl Body {
    fn read(xml: &[u8], numbering: Numbering) -> Result<(String, Normalised), DocxError> {
        let mut body = Body {
            numbering,
            ..Body::default()
        };
        walk(xml, "word/document.xml", |ev| body.event(ev))?;
        Ok(body.render())
    }

    fn event(&mut self, ev: Ev) {
        match ev {
            Ev::Open(e) => self.open(&e, false),
            Ev::Empty(e) => self.open(&e, true),
            Ev::Close(name) => self.close(&name),
            Ev::Text(t) => {
                if self.in_text && self.deleted == 0 {
                    self.push(t, self.run_emphatic);
                }
            }
        }
    }

    fn open(&mut self, e: &quick_xml::events::BytesStart<'_>, empty: bool) {
        let name = e.local_name();
        match name.as_ref() {
            b"p" => {
                self.paragraph = Some(Vec::new());
                self.num_id = None;
                self.ilvl = 0;
                if empty {
                    self.end_paragraph();
                }
            }
            b"pPr" if !empty => self.in_ppr = true,
            b"rPr" if !empty => self.in_rpr = true,
            b"numId" if self.in_ppr && !self.in_rpr => self.num_id = val(e),
            b"ilvl" if self.in_ppr && !self.in_rpr => {
                self.ilvl = val(e).and_then(|v| v.parse().ok()).unwrap_or(0)
            }
            b"r" => self.run_emphatic = false,
            b"b" | b"u" | b"color" | b"highlight" | b"shd" if self.in_rpr && !self.in_ppr => {
                self.run_emphatic |= is_emphatic_property(name.as_ref(), e);
            }
            b"t" if !empty => self.in_text = true,
            b"tab" if !self.in_ppr => self.push("\t".into(), false),
            b"br" | b"cr" => self.push(" ".into(), false),
            b"del" | b"moveFrom" if !empty => self.deleted += 1,
            b"tbl" if !empty => self.tables.push((Vec::new(), Vec::new())),
            _ => {}
        }
    }

    fn close(&mut self, name: &[u8]) {
        match name {
            b"p" => self.end_paragraph(),
            b"pPr" => self.in_ppr = false,
            b"rPr" => self.in_rpr = false,
            b"r" => self.run_emphatic = false,
            b"t" => self.in_text = false,
            b"del" | b"moveFrom" => self.deleted = self.deleted.saturating_sub(1),
            b"tc" => {
                if let Some((cells, cell)) = self.tables.last_mut() {
                    cells.push(std::mem::take(cell));
                }
            }
            b"tr" => {
                if let Some((cells, _)) = self.tables.last_mut() {
                    let row = join(std::mem::take(cells), "\t");
                    self.finish_line(row, self.tables.len() - 1);
                }
            }
            b"tbl" => {
                self.tables.pop();
            }
            _ => {}
        }
    }

    fn push(&mut self, text: String, emphatic: bool) {
        if let Some(p) = &mut self.paragraph {
            p.push((text, emphatic));
        }
    }

    fn end_paragraph(&mut self) {
        let Some(mut pieces) = self.paragraph.take() else {
            return;
        };
        let label = match &self.num_id {
            Some(id) if id != "0" => self.numbering.next_label(id, self.ilvl),
            _ => None,
        };
        if let Some(label) = label.filter(|l| !l.is_empty()) {
            pieces.insert(0, (format!("{label} "), false));
        }
        self.finish_line(pieces, self.tables.len());
    }

    /// A finished paragraph or row inside `depth` tables: a line of its own at depth 0,
    /// else more text of the innermost enclosing cell.
    fn finish_line(&mut self, pieces: Vec<Piece>, depth: usize) {
        match depth.checked_sub(1).and_then(|i| self.tables.get_mut(i)) {
            Some((_, cell)) => {
                if !cell.is_empty() {
                    cell.push((" ".into(), false));
                }
                cell.extend(pieces);
            }
            None => self.lines.push(pieces),
        }
    }

    fn render(self) -> (String, Normalised) {
        let mut source = String::new();
        let mut out = TextBuilder::with_capacity(0);
        let mut emphasis = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            if i > 0 {
                let at = source.len();
                source.push('\n');
                out.push_source(&source, at..at + 1);
            }
            for (text, emphatic) in line {
                let at = source.len();
                source.push_str(text);
                let start = out.len();
                out.push_source(&source, at..source.len());
                if *emphatic && out.len() > start {
                    emphasis.push(start..out.len());
                }
            }
        }
        let (text, map) = out.finish(source.len());
        let emphasis = trim_emphasis(&text, super::markdown::merge_ranges(emphasis));
        let normalised = Normalised {
            text,
            map,
            emphasis,
            headings: Vec::new(),
        };
        (source, normalised)
    }
}

/// Emphasis ranges without the white space at their edges (a bold run often ends in a space).
fn trim_emphasis(text: &str, ranges: Vec<std::ops::Range<usize>>) -> Vec<std::ops::Range<usize>> {
    ranges
        .into_iter()
        .filter_map(|r| {
            let s = text.get(r.clone())?;
            let start = r.start + (s.len() - s.trim_start().len());
            let end = r.start + s.trim_end().len();
            (end > start).then_some(start..end)
        })
        .collect()
}

fn join(cells: Vec<Vec<Piece>>, separator: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push((separator.to_string(), false));
        }
        out.extend(cell);
    }
    out
}

/// Whether a run property shows the run as emphasised.
fn is_emphatic_property(name: &[u8], e: &quick_xml::events::BytesStart<'_>) -> bool {
    let value = val(e);
    let on = || {
        !matches!(
            value.as_deref().map(str::to_ascii_lowercase).as_deref(),
            Some("0" | "false" | "off" | "none")
        )
    };
    match name {
        b"b" | b"u" | b"highlight" => on(),
        b"color" => value.is_some_and(|v| super::html::is_chromatic(&format!("#{v}"))),
        b"shd" => attr(e, b"fill").is_some_and(|v| super::html::is_chromatic(&format!("#{v}"))),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_word_formats() {
        assert_eq!(format_number(5, "chineseCounting"), "五");
        assert_eq!(format_number(10, "chineseCounting"), "十");
        assert_eq!(format_number(15, "chineseCountingThousand"), "十五");
        assert_eq!(format_number(20, "chineseCounting"), "二十");
        assert_eq!(format_number(42, "chineseCounting"), "四十二");
        assert_eq!(format_number(12, "chineseLegalSimplified"), "拾贰");
        assert_eq!(format_number(3, "ideographTraditional"), "丙");
        assert_eq!(format_number(28, "lowerLetter"), "bb");
        assert_eq!(format_number(14, "upperRoman"), "XIV");
        assert_eq!(format_number(7, "decimalZero"), "07");
        assert_eq!(format_number(7, "somethingNew"), "7");
    }

    #[test]
    fn sub_levels_show_the_parent_in_its_own_format_unless_legal() {
        let xml = r#"<w:numbering xmlns:w="w">
          <w:abstractNum w:abstractNumId="0">
            <w:lvl w:ilvl="0"><w:start w:val="3"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
            <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2"/></w:lvl>
          </w:abstractNum>
          <w:abstractNum w:abstractNumId="1">
            <w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl>
          </w:abstractNum>
          <w:num w:numId="4"><w:abstractNumId w:val="0"/></w:num>
          <w:num w:numId="5"><w:abstractNumId w:val="1"/></w:num>
        </w:numbering>"#;
        let mut n = Numbering::parse(xml.as_bytes()).unwrap();
        assert_eq!(n.next_label("4", 0).as_deref(), Some("三、"));
        assert_eq!(n.next_label("4", 1).as_deref(), Some("三.1"));
        assert_eq!(n.next_label("4", 1).as_deref(), Some("三.2"));
        assert_eq!(n.next_label("4", 0).as_deref(), Some("四、"));
        assert_eq!(n.next_label("4", 1).as_deref(), Some("四.1"));
        assert_eq!(n.next_label("5", 0), None);
        assert_eq!(n.next_label("9", 0), None);
    }

    #[test]
    fn run_properties_that_emphasise() {
        let doc = r#"<w:document xmlns:w="w"><w:body>
          <w:p><w:r><w:rPr><w:b w:val="0"/></w:rPr><w:t>甲</w:t></w:r>
               <w:r><w:rPr><w:u w:val="single"/></w:rPr><w:t>乙</w:t></w:r>
               <w:r><w:rPr><w:color w:val="000000"/></w:rPr><w:t>丙</w:t></w:r>
               <w:r><w:rPr><w:color w:val="FF0000"/></w:rPr><w:t>丁</w:t></w:r>
               <w:r><w:rPr><w:highlight w:val="yellow"/></w:rPr><w:t>戊</w:t></w:r>
               <w:r><w:rPr><w:u w:val="none"/></w:rPr><w:t>己</w:t></w:r></w:p>
        </w:body></w:document>"#;
        let (source, n) = Body::read(doc.as_bytes(), Numbering::default()).unwrap();
        assert_eq!(source, "甲乙丙丁戊己");
        let shown: Vec<&str> = n.emphasis.iter().map(|r| &n.text[r.clone()]).collect();
        assert_eq!(shown, ["乙", "丁戊"]);
    }

    #[test]
    fn malformed_xml_is_damaged_not_a_panic() {
        let err = Body::read(b"<w:document><w:body><w:p></w:body>", Numbering::default());
        assert!(matches!(err, Err(DocxError::Damaged { .. })), "{err:?}");
    }
}
