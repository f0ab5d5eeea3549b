//! PDF: the text layer, page by page, one line per text line, pages separated by a blank line.
//!
//! Like DOCX, a PDF has no meaningful byte offsets for its text (content streams are compressed
//! and glyph codes are font-specific), so the document's `source` is the extracted text and every
//! location — JSON `byte_start`/`byte_end`, line, column — is in that text.
//!
//! Choices:
//! - lopdf parses the file, decrypts PDFs with an empty user password and decodes glyph codes
//!   through the font's encoding or ToUnicode CMap (so Identity-H CJK fonts work when the writer
//!   embedded a ToUnicode map, as Word, WPS and browsers do);
//! - we walk the page content operators ourselves: a new line starts when the text line matrix
//!   moves vertically (`Td`, `TD`, `T*`, `Tm`, `'`, `"`), because lopdf's own extraction only
//!   breaks lines on `T*` and `ET` and glues lines positioned with `Td` together;
//! - a horizontal jump or a wide `TJ` gap between two Latin characters becomes a space; between
//!   CJK characters it does not (CJK writers place characters one by one);
//! - text in form XObjects (`Do`), annotations and form fields is not read; rotation and the
//!   CTM (`cm`) are ignored, so rotated or multi-column layouts come out in stream order;
//! - hostile files: the 256 MiB file limit, page content capped at [`MAX_CONTENT_SIZE`] once
//!   inflated (every Flate stage of a filter chain, before lopdf decodes the chain); object
//!   streams, which lopdf inflates while loading, are inflated first and counted (not kept)
//!   against [`MAX_OBJECT_STREAMS_SIZE`];
//! - emphasis: none (PDF bold is a font choice we do not interpret).
//!
//! lopdf is not known to be panic-free on malformed input (it is a large parser of an
//! adversarial format), so the whole extraction runs under `catch_unwind` and a panic becomes a
//! per-file error rather than ending the run.

use lopdf::content::Operation;
use lopdf::{Encoding, Object};
use std::collections::BTreeMap;

/// Vertical moves smaller than this (in PDF user-space units, 1/72 inch) stay on the same line:
/// kerning and baseline jitter, not a new line.
/// A page's content streams larger than this once inflated are refused (as for DOCX parts).
pub const MAX_CONTENT_SIZE: u64 = 64 * 1024 * 1024;
/// The object streams (`/Type /ObjStm`) of a file, together, once inflated: lopdf inflates them
/// all while loading, without a cap, so a larger total is refused before it loads.
pub const MAX_OBJECT_STREAMS_SIZE: u64 = 64 * 1024 * 1024;
/// Vertical moves smaller than this (in PDF user-space units, 1/72 inch) stay on the same line:
/// kerning and baseline jitter, not a new line.
const SAME_LINE_TOLERANCE: f32 = 1.0;
/// A `TJ` adjustment wider than this (thousandths of an em, negative = move right) is a space.
const TJ_SPACE_THRESHOLD: f32 = 200.0;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PdfError {
    #[error("not a readable PDF file (truncated or damaged?): {0}")]
    Damaged(String),
    #[error("PDF is encrypted with a password; remove the password (or print to a new PDF) first")]
    Encrypted,
    #[error("PDF has no pages")]
    NoPages,
    #[error("PDF has no text layer (scanned PDF?) — run OCR first")]
    NoTextLayer,
    #[error("PDF page content is over the {limit}-byte limit once uncompressed (a decompression bomb?); refused")]
    ContentTooLarge { limit: u64 },
    #[error("PDF object streams are over the {limit}-byte limit once uncompressed (a decompression bomb?); refused")]
    ObjectStreamsTooLarge { limit: u64 },
    #[error("PDF is malformed: the PDF reader failed on it")]
    ReaderPanicked,
}

/// The extracted text: pages in order, one line per text line, a blank line between pages.
pub(crate) fn extract(bytes: &[u8]) -> Result<String, PdfError> {
    std::panic::catch_unwind(|| extract_unguarded(bytes)).unwrap_or(Err(PdfError::ReaderPanicked))
}

fn extract_unguarded(bytes: &[u8]) -> Result<String, PdfError> {
    check_object_streams(bytes)?;
    let pdf = lopdf::Document::load_mem(bytes).map_err(load_error)?;
    let pages = pdf.get_pages();
    if pages.is_empty() {
        return Err(PdfError::NoPages);
    }
    let texts: Vec<String> = pages
        .values()
        .map(|&page| page_text(&pdf, page))
        .collect::<Result<_, _>>()?;
    if texts.iter().all(|t| t.trim().is_empty()) {
        return Err(PdfError::NoTextLayer);
    }
    let mut out = texts.join("\n");
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

fn load_error(e: lopdf::Error) -> PdfError {
    match e {
        lopdf::Error::InvalidPassword | lopdf::Error::Decryption(_) => PdfError::Encrypted,
        other => PdfError::Damaged(other.to_string()),
    }
}

/// One page's text, each line ending in `\n` (empty for a page without text).
fn page_text(pdf: &lopdf::Document, page: lopdf::ObjectId) -> Result<String, PdfError> {
    // A font whose encoding cannot be read is skipped (its text is lost), not fatal: the rest
    // of the page may still be readable.
    let encodings: BTreeMap<Vec<u8>, Encoding> = pdf
        .get_page_fonts(page)
        .map_err(|e| PdfError::Damaged(e.to_string()))?
        .into_iter()
        .filter_map(|(name, font)| font.get_font_encoding(pdf).ok().map(|enc| (name, enc)))
        .collect();
    let content = lopdf::content::Content::decode(&page_content(pdf, page)?)
        .map_err(|e| PdfError::Damaged(e.to_string()))?;
    let mut page = PageText::new(&encodings);
    for op in &content.operations {
        page.apply(op);
    }
    Ok(page.finish())
}

/// The page's content streams, inflated and concatenated. Plain Flate streams (nearly all of
/// them) are inflated here with a size cap, since lopdf inflates without one; other filter
/// chains are left to lopdf.
fn page_content(pdf: &lopdf::Document, page: lopdf::ObjectId) -> Result<Vec<u8>, PdfError> {
    let damaged = |e: lopdf::Error| PdfError::Damaged(e.to_string());
    let mut out = Vec::new();
    for id in pdf.get_page_contents(page) {
        let stream = pdf
            .get_object(id)
            .and_then(Object::as_stream)
            .map_err(damaged)?;
        let plain_flate = stream.filters().is_ok_and(|f| f == [b"FlateDecode"])
            && stream.dict.get(b"DecodeParms").is_err();
        let budget = MAX_CONTENT_SIZE.saturating_sub(len_u64(&out));
        let data = if plain_flate {
            inflate_capped(&stream.content, budget)?
        } else {
            check_flate_stages(stream, budget)?;
            stream.get_plain_content().map_err(damaged)?
        };
        if len_u64(&data) > budget {
            return Err(PdfError::ContentTooLarge {
                limit: MAX_CONTENT_SIZE,
            });
        }
        out.extend_from_slice(&data);
        out.push(b'\n');
    }
    Ok(out)
}

/// lopdf decodes a filter chain without a size cap: inflate its leading Flate stages here
/// first, with the cap (later stages of other kinds are left to lopdf).
fn check_flate_stages(stream: &lopdf::Stream, budget: u64) -> Result<(), PdfError> {
    let Ok(filters) = stream.filters() else {
        return Ok(());
    };
    let mut data = std::borrow::Cow::Borrowed(&stream.content[..]);
    for _ in filters.iter().take_while(|f| *f == b"FlateDecode") {
        data = std::borrow::Cow::Owned(inflate_capped(&data, budget)?);
        if len_u64(&data) > budget {
            return Err(PdfError::ContentTooLarge {
                limit: MAX_CONTENT_SIZE,
            });
        }
    }
    Ok(())
}

/// Refuse a file whose object streams inflate to more than [`MAX_OBJECT_STREAMS_SIZE`]
/// together, counting their bytes without keeping them. Found by their `/ObjStm` type in the
/// raw bytes: the stream data starts after the next `stream` keyword.
fn check_object_streams(bytes: &[u8]) -> Result<(), PdfError> {
    const TYPE: &[u8] = b"/ObjStm";
    let mut total = 0u64;
    let mut from = 0;
    while let Some(at) = find(bytes, TYPE, from) {
        from = at + TYPE.len();
        let Some(data) = stream_data_after(bytes, from) else {
            break;
        };
        let budget = MAX_OBJECT_STREAMS_SIZE.saturating_sub(total);
        total = total.saturating_add(inflated_size(data, budget));
        if total > MAX_OBJECT_STREAMS_SIZE {
            return Err(PdfError::ObjectStreamsTooLarge {
                limit: MAX_OBJECT_STREAMS_SIZE,
            });
        }
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// The bytes after the first `stream` keyword (and its line end) at or after `from`.
fn stream_data_after(bytes: &[u8], from: usize) -> Option<&[u8]> {
    let mut start = find(bytes, b"stream", from)? + b"stream".len();
    if bytes.get(start) == Some(&b'\r') {
        start += 1;
    }
    if bytes.get(start) == Some(&b'\n') {
        start += 1;
    }
    bytes.get(start..)
}

/// How many bytes a zlib stream inflates to, counting at most one past `budget`; data that
/// does not inflate counts what inflated before the error (lopdf will judge it).
fn inflated_size(data: &[u8], budget: u64) -> u64 {
    use std::io::Read;
    let mut reader = flate2::read::ZlibDecoder::new(data).take(budget.saturating_add(1));
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    while let Ok(n) = reader.read(&mut buf) {
        if n == 0 {
            break;
        }
        total = total.saturating_add(len_u64(buf.get(..n).unwrap_or_default()));
    }
    total
}

/// Inflate a zlib stream, reading at most one byte past `budget` (enough to tell it is over).
fn inflate_capped(data: &[u8], budget: u64) -> Result<Vec<u8>, PdfError> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(data)
        .take(budget.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| PdfError::Damaged(format!("content stream does not inflate: {e}")))?;
    Ok(out)
}

fn len_u64(bytes: &[u8]) -> u64 {
    u64::try_from(bytes.len()).unwrap_or(u64::MAX)
}

/// The text state a content stream walk needs: the font's encoding and the line matrix.
struct PageText<'a> {
    encodings: &'a BTreeMap<Vec<u8>, Encoding<'a>>,
    encoding: Option<&'a Encoding<'a>>,
    /// Text line matrix [a b c d e f]; `f` is the baseline's y.
    matrix: [f32; 6],
    leading: f32,
    /// The baseline of the line being collected, once it has text.
    line_y: Option<f32>,
    /// The writer repositioned on the same line since the last text: a word gap is likely.
    moved: bool,
    line: String,
    lines: Vec<String>,
}

impl<'a> PageText<'a> {
    fn new(encodings: &'a BTreeMap<Vec<u8>, Encoding<'a>>) -> Self {
        PageText {
            encodings,
            encoding: None,
            matrix: IDENTITY,
            leading: 0.0,
            line_y: None,
            moved: false,
            line: String::new(),
            lines: Vec::new(),
        }
    }

    fn apply(&mut self, op: &Operation) {
        let num = |i: usize| op.operands.get(i).and_then(|o| o.as_float().ok());
        match op.operator.as_str() {
            "BT" => self.set_matrix(IDENTITY),
            "Tf" => {
                self.encoding = op
                    .operands
                    .first()
                    .and_then(|o| o.as_name().ok())
                    .and_then(|name| self.encodings.get(name));
            }
            "TL" => self.leading = num(0).unwrap_or(0.0),
            "Td" => self.translate(num(0).unwrap_or(0.0), num(1).unwrap_or(0.0)),
            "TD" => {
                let ty = num(1).unwrap_or(0.0);
                self.leading = -ty;
                self.translate(num(0).unwrap_or(0.0), ty);
            }
            "Tm" => {
                let m = [0, 1, 2, 3, 4, 5].map(|i| num(i).unwrap_or(0.0));
                self.set_matrix(m);
            }
            "T*" => self.next_line(),
            "Tj" => self.show(&op.operands),
            "TJ" => self.show(&op.operands),
            "'" => {
                self.next_line();
                self.show(&op.operands);
            }
            "\"" => {
                self.next_line();
                self.show(op.operands.get(2..).unwrap_or_default());
            }
            _ => {}
        }
    }

    fn set_matrix(&mut self, m: [f32; 6]) {
        self.matrix = m;
        self.moved = true;
    }

    fn translate(&mut self, tx: f32, ty: f32) {
        let [a, b, c, d, e, f] = self.matrix;
        self.set_matrix([a, b, c, d, tx * a + ty * c + e, tx * b + ty * d + f]);
    }

    fn next_line(&mut self) {
        self.translate(0.0, -self.leading);
    }

    /// Show the strings among `operands` (a `Tj` string or a `TJ` array).
    fn show(&mut self, operands: &[Object]) {
        let y = self.matrix[5];
        match self.line_y {
            Some(line_y) if (y - line_y).abs() > SAME_LINE_TOLERANCE => {
                self.end_line();
                self.line_y = Some(y);
            }
            Some(_) => {}
            None => self.line_y = Some(y),
        }
        let mut gap = std::mem::take(&mut self.moved);
        for operand in operands {
            match operand {
                Object::String(bytes, _) => self.push(bytes, &mut gap),
                Object::Array(items) => {
                    for item in items {
                        match item {
                            Object::String(bytes, _) => self.push(bytes, &mut gap),
                            other => {
                                let adjust = other.as_float().unwrap_or(0.0);
                                gap |= -adjust > TJ_SPACE_THRESHOLD;
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Decode a string and append it, with a space first if `gap` separates two Latin words.
    fn push(&mut self, bytes: &[u8], gap: &mut bool) {
        let Some(encoding) = self.encoding else {
            return;
        };
        let Ok(text) = encoding.bytes_to_string(bytes) else {
            return;
        };
        // Control characters from broken encodings would confuse the segmenter.
        let text: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let Some(first) = text.chars().next() else {
            return;
        };
        if std::mem::take(gap)
            && self
                .line
                .chars()
                .next_back()
                .is_some_and(|last| needs_space_between(last, first))
        {
            self.line.push(' ');
        }
        self.line.push_str(&text);
    }

    fn end_line(&mut self) {
        let line = std::mem::take(&mut self.line);
        let trimmed = line.trim_end();
        if !trimmed.trim_start().is_empty() {
            self.lines.push(trimmed.to_string());
        }
    }

    fn finish(mut self) -> String {
        self.end_line();
        self.lines.iter().map(|l| format!("{l}\n")).collect()
    }
}

const IDENTITY: [f32; 6] = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// Whether a positioning gap between `last` and `next` separates words: not around spaces,
/// and not between CJK characters, which are set without spaces.
fn needs_space_between(last: char, next: char) -> bool {
    !last.is_whitespace() && !next.is_whitespace() && !is_cjk(last) && !is_cjk(next)
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF
        | 0x20000..=0x3FFFF)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A one-page PDF whose content stream is `content`, with `fonts` as the page's font
    /// resources (`/F1 5 0 R` …) and `extra` objects numbered from 5.
    pub(crate) fn pdf_with(content: &str, fonts: &str, extra: &[&str]) -> Vec<u8> {
        let mut objects = vec![
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            page_object(fonts, 4),
            stream_object(content),
        ];
        objects.extend(extra.iter().map(|s| s.to_string()));
        pdf_from_objects(&objects)
    }

    fn page_object(fonts: &str, contents: usize) -> String {
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
             /Resources << /Font << {fonts} >> >> /Contents {contents} 0 R >>"
        )
    }

    fn stream_object(data: &str) -> String {
        format!(
            "<< /Length {} >>\nstream\n{data}\nendstream",
            data.len() + 1
        )
    }

    /// A PDF file of `objects` (numbered from 1, the first the catalog) with a correct xref.
    fn pdf_from_objects(objects: &[String]) -> Vec<u8> {
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).bytes());
        }
        let xref = out.len();
        out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
        for offset in offsets {
            out.extend(format!("{offset:010} 00000 n \n").bytes());
        }
        out.extend(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .bytes(),
        );
        out
    }

    const HELVETICA: &str = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";

    /// A Helvetica PDF showing `content`.
    pub(crate) fn helvetica_pdf(content: &str) -> Vec<u8> {
        pdf_with(content, "/F1 5 0 R", &[HELVETICA])
    }

    #[test]
    fn lines_positioned_with_td_are_separate_lines() {
        let pdf = helvetica_pdf(
            "BT /F1 12 Tf 72 720 Td (Article 1) Tj 0 -14 Td \
             (The final interpretation right belongs to the Lender.) Tj ET",
        );
        assert_eq!(
            extract(&pdf).unwrap(),
            "Article 1\nThe final interpretation right belongs to the Lender.\n"
        );
    }

    #[test]
    fn tj_arrays_gaps_and_same_line_moves_make_word_spaces() {
        let pdf = helvetica_pdf(
            "BT /F1 12 Tf 1 0 0 1 72 700 Tm [(Article)-300(2)] TJ ET \
             BT /F1 12 Tf 1 0 0 1 140 700 Tm (Interest) Tj 12 TL T* (next) Tj ET",
        );
        assert_eq!(extract(&pdf).unwrap(), "Article 2 Interest\nnext\n");
    }

    #[test]
    fn scaled_line_matrix_moves_are_in_user_space() {
        // `Td` is in text space: with a 12x matrix a -1.2 move is 14.4 points, a new line.
        let pdf = helvetica_pdf("BT /F1 1 Tf 12 0 0 12 72 700 Tm (one) Tj 0 -1.2 Td (two) Tj ET");
        assert_eq!(extract(&pdf).unwrap(), "one\ntwo\n");
    }

    #[test]
    fn identity_h_cjk_with_to_unicode_is_decoded() {
        // Glyph ids 1..=4 map to 借款合同 via a ToUnicode CMap, as Word/WPS write CJK text.
        let cmap = "/CIDInit /ProcSet findresource begin 12 dict begin begincmap \
            /CMapName /Adobe-Identity-UCS def /CMapType 2 def \
            1 begincodespacerange <0000> <FFFF> endcodespacerange \
            4 beginbfchar <0001> <501F> <0002> <6B3E> <0003> <5408> <0004> <540C> endbfchar \
            endcmap CMapName currentdict /CMap defineresource pop end end";
        let font = "<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H \
            /DescendantFonts [7 0 R] /ToUnicode 6 0 R >>";
        let to_unicode = format!(
            "<< /Length {} >>\nstream\n{cmap}\nendstream",
            cmap.len() + 1
        );
        let descendant = "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun \
            /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>";
        let pdf = pdf_with(
            "BT /F1 12 Tf 72 720 Td <00010002> Tj 30 0 Td <00030004> Tj ET",
            "/F1 5 0 R",
            &[font, &to_unicode, descendant],
        );
        // The horizontal move between CJK characters adds no space.
        assert_eq!(extract(&pdf).unwrap(), "借款合同\n");
    }

    #[test]
    fn pages_are_separated_by_a_blank_line() {
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>".to_string(),
            page_object("/F1 7 0 R", 5),
            page_object("/F1 7 0 R", 6),
            stream_object("BT /F1 12 Tf 72 700 Td (page one) Tj ET"),
            stream_object("BT /F1 12 Tf 72 700 Td (page two) Tj ET"),
            HELVETICA.to_string(),
        ];
        let text = extract(&pdf_from_objects(&objects)).unwrap();
        assert_eq!(text, "page one\n\npage two\n");
    }

    #[test]
    fn a_page_of_images_only_has_no_text_layer() {
        let pdf = pdf_with("q 595 0 0 842 0 0 cm /Im1 Do Q", "", &[]);
        assert_eq!(extract(&pdf), Err(PdfError::NoTextLayer));
        assert!(PdfError::NoTextLayer
            .to_string()
            .contains("no text layer (scanned PDF?) — run OCR first"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        let pdf = helvetica_pdf(&format!("BT /F1 12 Tf {deep} TJ ET"));
        assert!(matches!(extract(&pdf), Err(PdfError::Damaged(_))));
        let font = format!("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /X {deep} >>");
        let pdf = pdf_with("BT /F1 12 Tf (a) Tj ET", "/F1 5 0 R", &[&font]);
        assert!(extract(&pdf).is_err());
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(data).unwrap();
        z.finish().unwrap()
    }

    /// A one-page Helvetica PDF whose content stream is `content`, Flate-compressed.
    fn flate_pdf(content: &[u8]) -> Vec<u8> {
        let packed = zlib(content);
        let mut pdf = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
                    /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>";
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            page,
        ];
        for (i, body) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).bytes());
        }
        offsets.push(pdf.len());
        let dict = format!("<< /Length {} /Filter /FlateDecode >>", packed.len());
        pdf.extend(format!("4 0 obj\n{dict}\nstream\n").bytes());
        pdf.extend(&packed);
        pdf.extend(b"\nendstream\nendobj\n");
        offsets.push(pdf.len());
        pdf.extend(format!("5 0 obj\n{HELVETICA}\nendobj\n").bytes());
        let xref = pdf.len();
        pdf.extend(b"xref\n0 6\n0000000000 65535 f \n");
        for offset in offsets {
            pdf.extend(format!("{offset:010} 00000 n \n").bytes());
        }
        let trailer = format!("trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        pdf.extend(trailer.bytes());
        pdf
    }

    #[test]
    fn compressed_content_is_inflated() {
        let pdf = flate_pdf(b"BT /F1 12 Tf 72 720 Td (Article 9 Fees) Tj ET");
        assert_eq!(extract(&pdf).unwrap(), "Article 9 Fees\n");
    }

    #[test]
    fn a_content_stream_bomb_is_refused() {
        let over = usize::try_from(MAX_CONTENT_SIZE).unwrap() + 1;
        let pdf = flate_pdf(&vec![b' '; over]);
        assert!(pdf.len() < 1024 * 1024, "the bomb is small: {}", pdf.len());
        assert_eq!(
            extract(&pdf),
            Err(PdfError::ContentTooLarge {
                limit: MAX_CONTENT_SIZE
            })
        );
    }

    #[test]
    fn password_failures_are_reported_as_encryption() {
        assert_eq!(
            load_error(lopdf::Error::InvalidPassword),
            PdfError::Encrypted
        );
        assert!(PdfError::Encrypted
            .to_string()
            .contains("encrypted with a password"));
    }

    #[test]
    fn truncated_and_garbage_files_are_errors_not_panics() {
        let pdf = helvetica_pdf("BT /F1 12 Tf (Article 1) Tj ET");
        for len in [0, 8, 20, pdf.len() / 2, pdf.len() - 30] {
            let result = extract(pdf.get(..len).unwrap());
            assert!(
                matches!(
                    result,
                    Err(PdfError::Damaged(_) | PdfError::NoPages | PdfError::ReaderPanicked)
                ),
                "{len}: {result:?}"
            );
        }
        assert!(matches!(
            extract(b"not a pdf at all"),
            Err(PdfError::Damaged(_))
        ));
    }
}
