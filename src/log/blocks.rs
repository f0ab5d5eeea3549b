//! Reading a JSONL or CSV log as a sequence of blocks of whole records, so that a log of any
//! size is read in bounded memory and its blocks can be parsed in parallel.
//!
//! A JSONL block ends after a line break; a CSV block ends after a line break outside quotes
//! (a quoted field may span lines), so every record lies in exactly one block.

use super::read::LogFormat;
use std::io::Read;

/// Whole records of a log: `bytes` start at file offset `base`, on line `first_line`.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub bytes: Vec<u8>,
    pub base: usize,
    pub first_line: usize,
}

/// The blocks of a log read from `reader`, each about `target` bytes (longer when one record
/// is longer). A byte-order mark at the start is skipped.
pub struct Blocks<R> {
    reader: R,
    csv: bool,
    target: usize,
    pending: Vec<u8>,
    /// File offset of `pending[0]` and its line.
    base: usize,
    line: usize,
    /// How far `pending` has been scanned for a cut, the CSV field state there, and the
    /// last place a block may end.
    scanned: usize,
    field: CsvField,
    last_cut: Option<usize>,
    at_end: bool,
    started: bool,
}

impl<R: Read> Blocks<R> {
    pub fn new(reader: R, format: LogFormat, target: usize) -> Self {
        Blocks {
            reader,
            csv: format == LogFormat::Csv,
            target: target.max(1),
            pending: Vec::new(),
            base: 0,
            line: 1,
            scanned: 0,
            field: CsvField::Start,
            last_cut: None,
            at_end: false,
            started: false,
        }
    }

    /// Reads about `target` more bytes; false at the end of the input.
    fn fill(&mut self) -> std::io::Result<bool> {
        let want = self.target as u64;
        let before = self.pending.len();
        // Grown once to its size, not by doubling (each doubling copies what was read).
        self.pending.reserve(self.target);
        (&mut self.reader)
            .take(want)
            .read_to_end(&mut self.pending)?;
        Ok(self.pending.len() > before)
    }

    /// Scans the unscanned bytes for places a block may end.
    fn scan(&mut self) {
        let new = self.pending.get(self.scanned..).unwrap_or_default();
        if !self.csv {
            if let Some(i) = memchr::memrchr(b'\n', new) {
                self.last_cut = Some(self.scanned + i + 1);
            }
            self.scanned = self.pending.len();
            return;
        }
        let mut i = 0;
        while let Some(b) = new.get(i).copied() {
            self.field = self.field.after(b);
            if b == b'\n' && self.field == CsvField::Start {
                self.last_cut = Some(self.scanned + i + 1);
            }
            // Skip the bytes that cannot change the state: to the next quote inside a quoted
            // field, else to the next quote, separator or line end.
            let rest = new.get(i + 1..).unwrap_or_default();
            let skip = match self.field {
                CsvField::Quoted => memchr::memchr(b'"', rest),
                CsvField::Unquoted => memchr::memchr3(b',', b'\n', b'\r', rest),
                CsvField::Start | CsvField::QuoteInQuoted => Some(0),
            };
            i += 1 + skip.unwrap_or(rest.len());
        }
        self.scanned = self.pending.len();
    }

    fn skip_bom(&mut self) {
        if self.pending.starts_with(b"\xEF\xBB\xBF") {
            self.pending.drain(..3);
            self.base = 3;
        }
    }

    fn next_block(&mut self) -> std::io::Result<Option<Block>> {
        if !self.started {
            self.started = true;
            while self.pending.len() < 3 && !self.at_end {
                self.at_end = !self.fill()?;
            }
            self.skip_bom();
        }
        loop {
            if self.pending.len() >= self.target || self.at_end {
                self.scan();
                let cut = match self.last_cut {
                    Some(cut) if !self.at_end => cut,
                    _ if self.at_end => self.pending.len(),
                    // One record longer than the target: read on.
                    _ => {
                        self.at_end = !self.fill()?;
                        continue;
                    }
                };
                if cut == 0 {
                    return Ok(None);
                }
                return Ok(Some(self.take_block(cut)));
            }
            self.at_end = !self.fill()?;
        }
    }

    fn take_block(&mut self, cut: usize) -> Block {
        let rest = self.pending.split_off(cut);
        let bytes = std::mem::replace(&mut self.pending, rest);
        let block = Block {
            base: self.base,
            first_line: self.line,
            bytes,
        };
        self.base += cut;
        self.line += memchr::memchr_iter(b'\n', &block.bytes).count();
        self.scanned = 0;
        self.last_cut = None;
        // A cut is at a record's start, so the rest starts there too.
        self.field = CsvField::Start;
        block
    }
}

/// Where a CSV reader is within a field, as the `csv` crate reads (RFC 4180 with its defaults):
/// a quote opens a quoted field only as a field's first byte, and elsewhere is a literal byte;
/// in a quoted field `""` is a quote, and a closing quote may be followed by more of the field.
/// Cutting blocks by this, not by counting quotes, makes every cut a record boundary of the
/// whole file's reading, malformed quoting included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CsvField {
    /// At a record's or a field's first byte.
    Start,
    Unquoted,
    Quoted,
    /// Just after a quote inside a quoted field: an escaped quote or the closing one.
    QuoteInQuoted,
}

impl CsvField {
    fn after(self, b: u8) -> CsvField {
        match (self, b) {
            (CsvField::Quoted, b'"') => CsvField::QuoteInQuoted,
            (CsvField::Quoted, _) => CsvField::Quoted,
            (CsvField::QuoteInQuoted, b'"') => CsvField::Quoted,
            (CsvField::Start, b'"') => CsvField::Quoted,
            (_, b',' | b'\n' | b'\r') => CsvField::Start,
            _ => CsvField::Unquoted,
        }
    }
}

impl<R: Read> Iterator for Blocks<R> {
    type Item = std::io::Result<Block>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_block().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(text: &str, format: LogFormat, target: usize) -> Vec<(usize, usize, String)> {
        Blocks::new(text.as_bytes(), format, target)
            .map(|b| b.expect("reading from memory"))
            .map(|b| {
                (
                    b.base,
                    b.first_line,
                    String::from_utf8(b.bytes).expect("UTF-8"),
                )
            })
            .collect()
    }

    #[test]
    fn jsonl_blocks_end_after_a_line_break() {
        let text = "{\"a\":1}\n{\"b\":22}\n\n{\"c\":333}";
        assert_eq!(
            blocks(text, LogFormat::Jsonl, 10),
            [
                (0, 1, "{\"a\":1}\n".to_string()),
                (8, 2, "{\"b\":22}\n\n".to_string()),
                (18, 4, "{\"c\":333}".to_string())
            ]
        );
        // Any target gives the same records, in order, covering every byte once.
        for target in 1..text.len() + 2 {
            let got = blocks(text, LogFormat::Jsonl, target);
            let joined: String = got.iter().map(|(_, _, t)| t.as_str()).collect();
            assert_eq!(joined, text, "target {target}");
            for (base, line, t) in &got {
                assert_eq!(&text[*base..*base + t.len()], t);
                assert_eq!(text[..*base].matches('\n').count() + 1, *line);
            }
        }
    }

    #[test]
    fn csv_blocks_never_cut_inside_quotes() {
        let text = "a,b\n1,\"x\ny\nz\"\n2,\"\"\"q\"\"\"\n3,w\n";
        for target in 1..text.len() + 2 {
            let got = blocks(text, LogFormat::Csv, target);
            let joined: String = got.iter().map(|(_, _, t)| t.as_str()).collect();
            assert_eq!(joined, text, "target {target}");
            for (_, _, t) in &got {
                assert_eq!(t.matches('"').count() % 2, 0, "target {target}: {t:?}");
                assert!(t.ends_with('\n'), "target {target}: {t:?}");
            }
        }
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let text = "\u{feff}{\"a\":1}\n";
        assert_eq!(
            blocks(text, LogFormat::Jsonl, 4),
            [(3, 1, "{\"a\":1}\n".to_string())]
        );
        assert!(blocks("", LogFormat::Jsonl, 4).is_empty());
    }
}
