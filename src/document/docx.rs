//! DOCX: the text of `word/document.xml`, one line per paragraph, with run emphasis and
//! automatic numbering rendered from `word/numbering.xml`; then, as separate scopes, the
//! headers, footers, footnotes, endnotes and text boxes.
//!
//! A DOCX has no meaningful byte offsets (its text is compressed XML), so the document's
//! `source` is the extracted text and every location — JSON `byte_start`/`byte_end`, line,
//! column — is in that text: `line` is the paragraph number (a table row is one line).
//!
//! Choices:
//! - paragraphs in body order, one per line, empty ones kept (so line = paragraph number);
//! - a table row is one line: cells separated by a tab, paragraphs inside a cell by a space;
//!   nested tables are flattened into their cell;
//! - emphasis: `w:b`, `w:u` (not `none`), a chromatic `w:color`, `w:highlight` (not `none`)
//!   or a chromatic `w:shd` fill, from the run's own properties over its character style
//!   over its paragraph style (each through its `basedOn` chain) over `w:docDefaults`;
//! - numbering: `w:numPr` (numId, ilvl) in the paragraph's properties or its style chain,
//!   rendered with the level's `w:lvlText`/`w:numFmt`/`w:start`/`w:isLgl` (and the list's
//!   `w:lvlOverride`: `w:startOverride` or a replacement `w:lvl`), followed by a space, so
//!   the clause segmenter sees "第五条 " or "1.1 "; bullets are dropped;
//! - tracked changes: by default as accepted (`w:ins` counted, `w:del` not); with
//!   [`TrackedChanges::Original`] as before them (`w:del` counted, `w:ins` not); old
//!   formatting kept in `w:rPrChange` & co. is not read;
//! - scopes: after the body come a blank line, then per scope a line `〔页眉〕` (headers),
//!   `〔页脚〕` (footers), `〔脚注〕` (footnotes), `〔尾注〕` (endnotes) or `〔文本框〕` (text
//!   boxes) and its paragraphs, one per line (empty ones and repeats dropped: the first-page
//!   and odd-page headers often say the same). The body's clauses are segmented on the body
//!   alone; each scope is one clause numbered with its label ("页眉"), so a finding in it
//!   names it, with its line in the extracted text;
//! - hidden text (`w:vanish`, direct or from a style) is not read: Word neither shows nor
//!   prints it (as hidden HTML is not read);
//! - comments (`word/comments.xml`) are not read: reviewers' notes are not contract text;
//!   `mc:Fallback` (the VML copy of a text box) is skipped so a text box is read once.

use super::normalize::{Normalised, TextBuilder};
use super::Clause;
use std::io::Read;
use std::ops::Range;

mod numbering;
mod styles;

use numbering::Numbering;
use styles::{RunProps, Styles};

/// Which side of tracked changes (revision marks) is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TrackedChanges {
    /// As if every change were accepted (Word's "No Markup"): insertions are text,
    /// deletions are not.
    #[default]
    Accepted,
    /// As before the changes (Word's "Original"): deletions are text, insertions are not.
    Original,
}

/// All parts read from one DOCX together may not expand past this.
pub const MAX_TOTAL_SIZE: u64 = 256 * 1024 * 1024;
/// At most this many header (and this many footer) parts are read.
const MAX_HEADER_PARTS: usize = 64;
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
    #[error("DOCX parts expand to {size} bytes together, over the {limit}-byte limit")]
    TotalTooLarge { size: u64, limit: u64 },
    #[error("DOCX part {part} expands {ratio} times over (a zip bomb?); refused")]
    CompressionRatio { part: String, ratio: u64 },
    #[error("DOCX part {part} nests XML deeper than {limit} levels; refused")]
    TooDeep { part: String, limit: usize },
    #[error("DOCX part {part} is damaged: {message}")]
    Damaged { part: String, message: String },
}

/// A scope after the body: its label and its range of the normalised text (separator
/// included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scope {
    pub label: &'static str,
    pub range: Range<usize>,
}

/// What a DOCX yields: its extracted text (the document's `source`), the normalised text
/// with emphasis, where the body ends in it and the scopes after it.
pub(crate) struct Extracted {
    pub source: String,
    pub normalised: Normalised,
    pub body_end: usize,
    pub scopes: Vec<Scope>,
}

/// The scope parts, in the order they follow the body.
const SCOPES: [(&str, &str); 4] = [
    ("页眉", "word/header"),
    ("页脚", "word/footer"),
    ("脚注", "word/footnotes.xml"),
    ("尾注", "word/endnotes.xml"),
];
const TEXT_BOX_LABEL: &str = "文本框";

pub(crate) fn extract(bytes: &[u8], changes: TrackedChanges) -> Result<Extracted, DocxError> {
    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| DocxError::NotZip(e.to_string()))?;
    let mut parts = Parts { archive, total: 0 };
    let document = parts
        .read("word/document.xml")?
        .ok_or(DocxError::NoDocument)?;
    let mut numbering = match parts.read("word/numbering.xml")? {
        Some(xml) => Numbering::parse(&xml)?,
        None => Numbering::default(),
    };
    let styles = match parts.read("word/styles.xml")? {
        Some(xml) => Styles::parse(&xml)?,
        None => Styles::default(),
    };
    let mut reader = PartReader {
        styles: &styles,
        numbering: &mut numbering,
        changes,
    };
    let (body, text_boxes) = reader.read("word/document.xml", &document)?;
    let mut scopes = Vec::new();
    for (label, prefix) in SCOPES {
        let mut lines = Vec::new();
        for name in parts.names_like(prefix) {
            if let Some(xml) = parts.read(&name)? {
                let (part_lines, boxes) = reader.read(&name, &xml)?;
                lines.extend(part_lines);
                lines.extend(boxes);
            }
        }
        scopes.push((label, lines));
    }
    scopes.push((TEXT_BOX_LABEL, text_boxes));
    Ok(render(body, scopes))
}

/// The clauses of a DOCX: the body's, segmented on the body alone (so scope text cannot
/// change how the body is cut), then one clause per scope numbered with its label.
pub(crate) fn scoped_clauses(text: &str, body_end: usize, scopes: &[Scope]) -> Vec<Clause> {
    let body = text.get(..body_end).unwrap_or(text);
    let mut clauses = super::segment::segment(body, &[]).clauses;
    clauses.extend(scopes.iter().map(|s| Clause {
        range: s.range.clone(),
        number: s.label.to_string(),
        title: String::new(),
    }));
    clauses
}

/// The zip archive, read part by part within the size limits.
struct Parts<'a> {
    archive: zip::ZipArchive<std::io::Cursor<&'a [u8]>>,
    /// Uncompressed bytes read so far.
    total: u64,
}

impl Parts<'_> {
    /// Part names starting with `prefix` (exact for a full name), `header2.xml` before
    /// `header10.xml`, at most [`MAX_HEADER_PARTS`].
    fn names_like(&self, prefix: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .archive
            .file_names()
            .filter(|n| {
                *n == prefix
                    || n.strip_prefix(prefix)
                        .and_then(|rest| rest.strip_suffix(".xml"))
                        .is_some_and(|k| k.bytes().all(|b| b.is_ascii_digit()))
            })
            .map(str::to_string)
            .collect();
        names.sort_by_key(|n| (n.len(), n.clone()));
        names.truncate(MAX_HEADER_PARTS);
        names
    }

    fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, DocxError> {
        let part = read_part(&mut self.archive, name)?;
        if let Some(bytes) = &part {
            self.total = self
                .total
                .saturating_add(u64::try_from(bytes.len()).unwrap_or(u64::MAX));
            if self.total > MAX_TOTAL_SIZE {
                return Err(DocxError::TotalTooLarge {
                    size: self.total,
                    limit: MAX_TOTAL_SIZE,
                });
            }
        }
        Ok(part)
    }
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

/// A piece of a line: text and whether it is shown emphasised.
type Piece = (String, bool);
type Line = Vec<Piece>;

/// Reads the paragraphs of one part after another with shared styles and list counters.
struct PartReader<'a> {
    styles: &'a Styles,
    numbering: &'a mut Numbering,
    changes: TrackedChanges,
}

impl PartReader<'_> {
    /// A part's lines, and the lines of its text boxes.
    fn read(&mut self, name: &str, xml: &[u8]) -> Result<(Vec<Line>, Vec<Line>), DocxError> {
        let mut body = Body {
            styles: self.styles,
            numbering: &mut *self.numbering,
            changes: self.changes,
            lines: Vec::new(),
            boxes: Vec::new(),
            flow: Flow::default(),
            frames: Vec::new(),
            depth: 0,
            skip_from: None,
            note: 0,
        };
        walk(xml, name, |ev| body.event(ev))?;
        Ok((body.lines, body.boxes))
    }
}

/// The paragraph being read.
#[derive(Default)]
struct Paragraph {
    pieces: Line,
    style: Option<String>,
    num_id: Option<String>,
    ilvl: Option<u8>,
}

/// The run being read.
#[derive(Default)]
struct Run {
    style: Option<String>,
    direct: RunProps,
    emphatic: bool,
    /// Hidden text (`w:vanish`): Word neither shows nor prints it, so it is not read.
    hidden: bool,
}

/// The reading position in one flow of paragraphs: the body, or a text box inside it.
#[derive(Default)]
struct Flow {
    paragraph: Option<Paragraph>,
    run: Run,
    in_ppr: bool,
    in_rpr: bool,
    in_text: bool,
    /// Per open table: the row's finished cells, and the cell being filled.
    tables: Vec<(Vec<Line>, Line)>,
}

/// Reads one part's XML into lines of pieces.
struct Body<'a> {
    styles: &'a Styles,
    numbering: &'a mut Numbering,
    changes: TrackedChanges,
    /// Finished lines.
    lines: Vec<Line>,
    /// Finished lines of text boxes.
    boxes: Vec<Line>,
    flow: Flow,
    /// The flows a text box interrupted, innermost last.
    frames: Vec<Flow>,
    /// Open elements.
    depth: usize,
    /// The depth of the element whose content is not read (the other side of a tracked
    /// change, `mc:Fallback`, a footnote separator), while inside it.
    skip_from: Option<usize>,
    /// Footnotes (or endnotes) read so far: the number Word shows for the current one.
    note: u32,
}

impl Body<'_> {
    fn event(&mut self, ev: Ev) {
        match ev {
            Ev::Open(e) => {
                self.depth += 1;
                if self.skip_from.is_none() {
                    if self.is_skipped(&e) {
                        self.skip_from = Some(self.depth);
                    } else {
                        self.open(&e, false);
                    }
                }
            }
            Ev::Empty(e) => {
                if self.skip_from.is_none() {
                    self.open(&e, true);
                }
            }
            Ev::Close(name) => {
                match self.skip_from {
                    Some(from) if from == self.depth => self.skip_from = None,
                    Some(_) => {}
                    None => self.close(&name),
                }
                self.depth = self.depth.saturating_sub(1);
            }
            Ev::Text(t) => {
                if self.flow.in_text && self.skip_from.is_none() && !self.flow.run.hidden {
                    self.push(t, self.flow.run.emphatic);
                }
            }
        }
    }

    /// Whether an element's content is not shown in the side being read.
    fn is_skipped(&self, e: &quick_xml::events::BytesStart<'_>) -> bool {
        let name = e.local_name();
        let name = name.as_ref();
        let removed: &[&[u8]] = match self.changes {
            TrackedChanges::Accepted => &[b"del", b"moveFrom"],
            TrackedChanges::Original => &[b"ins", b"moveTo"],
        };
        removed.contains(&name)
            // Old formatting of a tracked formatting change (w:rPrChange, w:pPrChange…).
            || name.ends_with(b"Change")
            || name == b"Fallback"
            || (matches!(name, b"footnote" | b"endnote")
                && attr(e, b"type").is_some_and(|t| t != "normal"))
    }

    fn open(&mut self, e: &quick_xml::events::BytesStart<'_>, empty: bool) {
        let name = e.local_name();
        let flow = &mut self.flow;
        match name.as_ref() {
            b"p" => {
                flow.paragraph = Some(Paragraph::default());
                if empty {
                    self.end_paragraph();
                }
            }
            b"pPr" if !empty => flow.in_ppr = true,
            b"rPr" if !empty => flow.in_rpr = true,
            b"pStyle" if flow.in_ppr => {
                if let Some(p) = &mut flow.paragraph {
                    p.style = val(e);
                }
            }
            b"numId" if flow.in_ppr && !flow.in_rpr => {
                if let Some(p) = &mut flow.paragraph {
                    p.num_id = val(e);
                }
            }
            b"ilvl" if flow.in_ppr && !flow.in_rpr => {
                if let Some(p) = &mut flow.paragraph {
                    p.ilvl = val(e).and_then(|v| v.parse().ok());
                }
            }
            b"r" => {
                flow.run = Run::default();
                self.update_run_look();
            }
            b"rStyle" if flow.in_rpr && !flow.in_ppr => flow.run.style = val(e),
            b"b" | b"u" | b"color" | b"highlight" | b"shd" | b"vanish"
                if flow.in_rpr && !flow.in_ppr =>
            {
                flow.run.direct.set(e);
            }
            b"t" if !empty => flow.in_text = true,
            b"delText" if !empty && self.changes == TrackedChanges::Original => flow.in_text = true,
            b"tab" if !flow.in_ppr => self.push("\t".into(), false),
            b"br" | b"cr" => self.push(" ".into(), false),
            b"footnote" | b"endnote" if !empty => self.note = self.note.saturating_add(1),
            b"footnoteRef" | b"endnoteRef" => self.push(self.note.to_string(), false),
            b"txbxContent" if !empty => self.frames.push(std::mem::take(&mut self.flow)),
            b"tbl" if !empty => flow.tables.push((Vec::new(), Vec::new())),
            _ => {}
        }
    }

    fn close(&mut self, name: &[u8]) {
        let flow = &mut self.flow;
        match name {
            b"p" => self.end_paragraph(),
            b"pPr" => flow.in_ppr = false,
            b"rPr" => {
                flow.in_rpr = false;
                if !flow.in_ppr {
                    self.update_run_look();
                }
            }
            b"r" => flow.run = Run::default(),
            b"t" | b"delText" => flow.in_text = false,
            b"tc" => {
                if let Some((cells, cell)) = flow.tables.last_mut() {
                    cells.push(std::mem::take(cell));
                }
            }
            b"tr" => {
                if let Some((cells, _)) = flow.tables.last_mut() {
                    let row = join(std::mem::take(cells), "\t");
                    let depth = flow.tables.len() - 1;
                    self.finish_line(row, depth);
                }
            }
            b"tbl" => {
                flow.tables.pop();
            }
            b"txbxContent" => {
                // Paragraphs left open by broken XML are dropped with the box.
                if let Some(outer) = self.frames.pop() {
                    self.flow = outer;
                }
            }
            _ => {}
        }
    }

    fn update_run_look(&mut self) {
        let flow = &mut self.flow;
        let paragraph_style = flow.paragraph.as_ref().and_then(|p| p.style.as_deref());
        let run_style = flow.run.style.as_deref();
        flow.run.emphatic = self
            .styles
            .is_emphatic(paragraph_style, run_style, flow.run.direct);
        flow.run.hidden = self
            .styles
            .is_hidden(paragraph_style, run_style, flow.run.direct);
    }

    fn push(&mut self, text: String, emphatic: bool) {
        if let Some(p) = &mut self.flow.paragraph {
            p.pieces.push((text, emphatic));
        }
    }

    fn end_paragraph(&mut self) {
        let Some(paragraph) = self.flow.paragraph.take() else {
            return;
        };
        let mut pieces = paragraph.pieces;
        let (style_num, style_ilvl) = self.styles.numbering(paragraph.style.as_deref());
        let num_id = paragraph.num_id.or(style_num);
        let ilvl = paragraph.ilvl.or(style_ilvl).unwrap_or(0);
        let label = match &num_id {
            Some(id) if id != "0" => self.numbering.next_label(id, ilvl),
            _ => None,
        };
        if let Some(label) = label.filter(|l| !l.is_empty()) {
            pieces.insert(0, (format!("{label} "), false));
        }
        let depth = self.flow.tables.len();
        self.finish_line(pieces, depth);
    }

    /// A finished paragraph or row inside `depth` tables: a line of its own at depth 0,
    /// else more text of the innermost enclosing cell.
    fn finish_line(&mut self, pieces: Line, depth: usize) {
        match depth
            .checked_sub(1)
            .and_then(|i| self.flow.tables.get_mut(i))
        {
            Some((_, cell)) => {
                if !cell.is_empty() {
                    cell.push((" ".into(), false));
                }
                cell.extend(pieces);
            }
            None if self.frames.is_empty() => self.lines.push(pieces),
            None => self.boxes.push(pieces),
        }
    }
}

/// The text of a line, for dropping repeated scope lines.
fn line_text(line: &Line) -> String {
    line.iter().map(|(t, _)| t.as_str()).collect()
}

/// A scope's lines without blank ones and repeats.
fn scope_lines(lines: Vec<Line>) -> Vec<Line> {
    let mut seen = std::collections::HashSet::new();
    lines
        .into_iter()
        .filter(|l| {
            let text = line_text(l);
            !text.trim().is_empty() && seen.insert(text)
        })
        .collect()
}

/// Accumulates the extracted text (`source`) and its normalisation together.
struct Renderer {
    source: String,
    out: TextBuilder,
    emphasis: Vec<Range<usize>>,
}

impl Renderer {
    fn push(&mut self, text: &str, emphatic: bool) {
        let at = self.source.len();
        self.source.push_str(text);
        let start = self.out.len();
        self.out.push_source(&self.source, at..self.source.len());
        if emphatic && self.out.len() > start {
            self.emphasis.push(start..self.out.len());
        }
    }

    fn lines(&mut self, lines: &[Line]) {
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                self.push("\n", false);
            }
            for (text, emphatic) in line {
                self.push(text, *emphatic);
            }
        }
    }
}

fn render(body: Vec<Line>, scopes: Vec<(&'static str, Vec<Line>)>) -> Extracted {
    let mut r = Renderer {
        source: String::new(),
        out: TextBuilder::with_capacity(0),
        emphasis: Vec::new(),
    };
    r.lines(&body);
    let body_end = r.out.len();
    let mut ranges = Vec::new();
    for (label, lines) in scopes {
        let lines = scope_lines(lines);
        if lines.is_empty() {
            continue;
        }
        let start = r.out.len();
        r.push(&format!("\n\n〔{label}〕\n"), false);
        r.lines(&lines);
        ranges.push(Scope {
            label,
            range: start..r.out.len(),
        });
    }
    let Renderer {
        source,
        out,
        emphasis,
    } = r;
    let (text, map) = out.finish(source.len());
    let emphasis = trim_emphasis(&text, super::markdown::merge_ranges(emphasis));
    Extracted {
        source,
        normalised: Normalised {
            text,
            map,
            emphasis,
            headings: Vec::new(),
        },
        body_end,
        scopes: ranges,
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

    /// One part read with no styles or numbering definitions.
    fn read_part(
        name: &str,
        xml: &[u8],
        changes: TrackedChanges,
    ) -> Result<(Vec<Line>, Vec<Line>), DocxError> {
        let styles = Styles::default();
        let mut numbering = Numbering::default();
        let mut reader = PartReader {
            styles: &styles,
            numbering: &mut numbering,
            changes,
        };
        reader.read(name, xml)
    }

    fn read(doc: &str) -> Extracted {
        let (body, boxes) = read_part(
            "word/document.xml",
            doc.as_bytes(),
            TrackedChanges::Accepted,
        )
        .unwrap();
        render(body, vec![(TEXT_BOX_LABEL, boxes)])
    }

    #[test]
    fn run_properties_that_emphasise() {
        let doc = r#"<w:document xmlns:w="w"><w:body>
          <w:p><w:r><w:rPr><w:b w:val="0"/></w:rPr><w:t>甲</w:t></w:r>
               <w:r><w:rPr><w:u w:val="single"/></w:rPr><w:t>乙</w:t></w:r>
               <w:r><w:rPr><w:color w:val="000000"/></w:rPr><w:t>丙</w:t></w:r>
               <w:r><w:rPr><w:color w:val="FF0000"/></w:rPr><w:t>丁</w:t></w:r>
               <w:r><w:rPr><w:highlight w:val="yellow"/></w:rPr><w:t>戊</w:t></w:r>
               <w:r><w:rPr><w:u w:val="none"/></w:rPr><w:t>己</w:t></w:r>
               <w:r><w:rPr><w:b/><w:vanish/></w:rPr><w:t>隐</w:t></w:r></w:p>
        </w:body></w:document>"#;
        let x = read(doc);
        assert_eq!(x.source, "甲乙丙丁戊己");
        let n = &x.normalised;
        let shown: Vec<&str> = n.emphasis.iter().map(|r| &n.text[r.clone()]).collect();
        assert_eq!(shown, ["乙", "丁戊"]);
    }

    #[test]
    fn text_boxes_leave_their_paragraph_whole_and_are_read_once() {
        let doc = r#"<w:document xmlns:w="w" xmlns:mc="mc"><w:body>
          <w:p><w:r><w:t>借款人应</w:t></w:r>
            <w:r><mc:AlternateContent><mc:Choice><w:drawing><wps:txbx xmlns:wps="wps"><w:txbxContent>
              <w:p><w:r><w:rPr><w:b/></w:rPr><w:t>重要提示</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice>
              <mc:Fallback><w:pict><v:textbox xmlns:v="v"><w:txbxContent><w:p><w:r><w:t>重要提示</w:t></w:r></w:p></w:txbxContent></v:textbox></w:pict></mc:Fallback>
            </mc:AlternateContent></w:r>
            <w:r><w:t>按期还款。</w:t></w:r></w:p>
        </w:body></w:document>"#;
        let x = read(doc);
        assert_eq!(x.source, "借款人应按期还款。\n\n〔文本框〕\n重要提示");
        assert_eq!(x.body_end, "借款人应按期还款。".len());
        assert_eq!(x.scopes.len(), 1);
        assert_eq!(x.scopes[0].range, x.body_end..x.normalised.text.len());
        let n = &x.normalised;
        let shown: Vec<&str> = n.emphasis.iter().map(|r| &n.text[r.clone()]).collect();
        assert_eq!(shown, ["重要提示"]);
    }

    #[test]
    fn tracked_changes_either_side() {
        let doc = r#"<w:document xmlns:w="w"><w:body><w:p>
          <w:r><w:t>年利率</w:t></w:r>
          <w:del><w:r><w:delText>36%</w:delText></w:r></w:del>
          <w:ins><w:r><w:t>24%</w:t></w:r></w:ins>
          <w:r><w:rPr><w:b/><w:rPrChange><w:rPr><w:b w:val="0"/></w:rPr></w:rPrChange></w:rPr><w:t>。</w:t></w:r>
        </w:p></w:body></w:document>"#;
        let side = |changes| {
            let (body, _) = read_part("word/document.xml", doc.as_bytes(), changes).unwrap();
            render(body, vec![])
        };
        let accepted = side(TrackedChanges::Accepted);
        assert_eq!(accepted.source, "年利率24%。");
        let bold = "年利率24%".len().."年利率24%。".len();
        assert_eq!(accepted.normalised.emphasis, vec![bold]);
        assert_eq!(side(TrackedChanges::Original).source, "年利率36%。");
    }

    #[test]
    fn separator_footnotes_are_skipped_and_notes_numbered() {
        let notes = r#"<w:footnotes xmlns:w="w">
          <w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
          <w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:t>x</w:t></w:r></w:p></w:footnote>
          <w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> 年化利率按单利计算。</w:t></w:r></w:p></w:footnote>
          <w:footnote w:id="2"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> 见附件。</w:t></w:r></w:p></w:footnote>
        </w:footnotes>"#;
        let (lines, _) = read_part(
            "word/footnotes.xml",
            notes.as_bytes(),
            TrackedChanges::Accepted,
        )
        .unwrap();
        let texts: Vec<String> = lines.iter().map(line_text).collect();
        assert_eq!(texts, ["1 年化利率按单利计算。", "2 见附件。"]);
    }

    #[test]
    fn malformed_xml_is_damaged_not_a_panic() {
        let err = read_part(
            "word/document.xml",
            b"<w:document><w:body><w:p></w:body>",
            TrackedChanges::Accepted,
        );
        assert!(matches!(err, Err(DocxError::Damaged { .. })), "{err:?}");
    }
}
