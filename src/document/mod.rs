//! Contract documents: bytes -> decoded source text -> normalised text with an
//! offset map back to the source, plus its structure (paragraphs, sentences,
//! clauses), emphasis and template blanks. Everything downstream works on
//! `Document::text` byte ranges and converts with [`Document::to_source`].

mod decode;
mod docx;
mod html;
mod load;
mod markdown;
mod normalize;
mod offsets;
mod pdf;
mod segment;

pub use docx::{DocxError, TrackedChanges};
pub use load::{is_known_encoding, load_bytes, load_file, load_file_with, LoadError, LoadOptions};
pub(crate) use normalize::normalise_char;
pub use normalize::{normalise_pattern_literal, normalise_regex_source};
pub use offsets::OffsetMap;
pub use pdf::PdfError;

use crate::span::LineIndex;
use std::ops::Range;

/// The input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Text,
    Markdown,
    Html,
    /// Word 2007+ (`.docx`): `source` is the extracted text, one paragraph per line; headers,
    /// footers, footnotes, endnotes and text boxes follow the body under `〔页眉〕`-style
    /// separator lines, each scope a clause numbered with its label.
    Docx,
    /// PDF text layer (`.pdf`): `source` is the extracted text, one text line per line, a
    /// blank line between pages; no emphasis.
    Pdf,
}

impl Format {
    /// The format for a file name, by extension; `None` for files that are not contracts.
    pub fn from_path(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" | "text" => Some(Format::Text),
            "md" | "markdown" => Some(Format::Markdown),
            "html" | "htm" | "xhtml" => Some(Format::Html),
            "docx" => Some(Format::Docx),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }

    /// Whether this format can show bold/underline (so emphasis rules may judge it).
    pub fn shows_emphasis(self) -> bool {
        matches!(self, Format::Markdown | Format::Html | Format::Docx)
    }
}

/// A region of the normalised text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub range: Range<usize>,
}

/// A top-level clause (第五条, 5., Article 5, a Markdown heading…), or the preamble
/// before the first one (with an empty `number`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub range: Range<usize>,
    /// The number as the reader sees it: "第五条", "5.", "Article 5", "一、"; empty for the preamble.
    pub number: String,
    /// The heading text after the number, up to the end of its line (may be empty).
    pub title: String,
}

#[derive(Debug, Clone)]
pub struct Document {
    /// The path as given (used in reports).
    pub path: String,
    pub format: Format,
    /// The decoded file text that reports render (the original file minus a BOM).
    pub source: String,
    /// Bytes in the file before `source` starts (a UTF-8 BOM is 3).
    pub source_offset: usize,
    /// The file's character encoding as decoded ("UTF-8", "GBK", "UTF-16LE", "Big5"…);
    /// `None` when the source text was not decoded from the file's bytes as a whole.
    pub encoding: Option<&'static str>,
    /// Byte offsets of `source` to byte offsets of the file, for encodings other than UTF-8
    /// (where `source_offset` alone does not do).
    pub file_map: Option<OffsetMap>,
    /// The normalised text every pattern and extractor runs on.
    pub text: String,
    /// Maps byte offsets in `text` to byte offsets in `source`.
    pub map: OffsetMap,
    pub source_lines: LineIndex,
    /// Sorted, non-overlapping, covering the text's non-blank lines/blocks.
    pub paragraphs: Vec<Region>,
    /// Sorted, non-overlapping.
    pub sentences: Vec<Region>,
    /// Sorted, non-overlapping, together covering the whole text.
    pub clauses: Vec<Clause>,
    /// Sorted, merged ranges of `text` shown in bold or underlined.
    pub emphasis: Vec<Range<usize>>,
    /// Sorted unfilled template fields: 【  】, ____, ${…}, {{…}}.
    pub blanks: Vec<Range<usize>>,
}

impl Document {
    /// Build a document from decoded source text.
    pub fn from_source(
        path: impl Into<String>,
        format: Format,
        source: String,
        source_offset: usize,
    ) -> Document {
        let normalised = match format {
            // Extracted DOCX/PDF text given as a string has lost its emphasis: plain text.
            Format::Text | Format::Docx | Format::Pdf => normalize::normalise(&source),
            Format::Markdown => markdown::strip_and_normalise(&source),
            Format::Html => html::strip_and_normalise(&source),
        };
        Document::from_normalised(path, format, source, source_offset, normalised)
    }

    pub(crate) fn from_normalised(
        path: impl Into<String>,
        format: Format,
        source: String,
        source_offset: usize,
        normalised: normalize::Normalised,
    ) -> Document {
        let normalize::Normalised {
            text,
            map,
            emphasis,
            headings,
        } = normalised;
        let structure = segment::segment(&text, &headings);
        let blanks = segment::find_blanks(&text);
        let source_lines = LineIndex::new(&source);
        Document {
            path: path.into(),
            format,
            source,
            source_offset,
            encoding: Some("UTF-8"),
            file_map: None,
            text,
            map,
            source_lines,
            paragraphs: structure.paragraphs,
            sentences: structure.sentences,
            clauses: structure.clauses,
            emphasis,
            blanks,
        }
    }

    /// Map a range of `text` to a range of `source`.
    pub fn to_source(&self, r: Range<usize>) -> Range<usize> {
        let start = self.map.to_source(r.start);
        let end = if r.end > r.start {
            // The end of the source character that produced the range's last character.
            let last = crate::span::floor_char_boundary(&self.text, r.end - 1);
            let s = crate::span::floor_char_boundary(&self.source, self.map.to_source(last));
            let rest = self.source.get(s..).unwrap_or_default();
            // A `\n` made from a `\r\n` pair ends after the pair.
            let crlf = self.text.get(last..).is_some_and(|t| t.starts_with('\n'))
                && rest.starts_with("\r\n");
            s + if crlf {
                2
            } else {
                rest.chars().next().map_or(0, char::len_utf8)
            }
        } else {
            start
        };
        crate::span::snap(&self.source, start..end.max(start))
    }

    /// Map a range of `text` to a range of the original file's bytes.
    pub fn to_file(&self, r: Range<usize>) -> Range<usize> {
        self.source_to_file(self.to_source(r))
    }

    /// Map a range of `source` (on character boundaries) to a range of the file's bytes.
    pub fn source_to_file(&self, s: Range<usize>) -> Range<usize> {
        match &self.file_map {
            Some(map) => map.to_source(s.start)..map.to_source(s.end),
            None => s.start + self.source_offset..s.end + self.source_offset,
        }
    }

    /// Whether any part of `r` is emphasised.
    pub fn is_emphasised(&self, r: &Range<usize>) -> bool {
        let i = self.emphasis.partition_point(|e| e.end <= r.start);
        self.emphasis
            .get(i)
            .is_some_and(|e| e.start < r.end.max(r.start + 1))
    }
}
