//! CSV: a header row of column names, then one record per row (RFC 4180 quoting, so a quoted
//! field may span lines; a record's line is the line it starts on).

use super::read::{column_of, Cell, LogError, Record};
use super::schema::{FIELDS, REQUIRED_FIELDS};
use super::{LogMapping, Rejected};
use std::borrow::Cow;
use std::collections::HashSet;
use std::str::FromStr;

/// Hands each record of a CSV text whose first byte is at file offset `base` to `emit` as it
/// is read, so the rows never all exist at once; a file that is not valid CSV is an error.
pub(crate) fn each_record(
    file: &str,
    text: &str,
    base: usize,
    mapping: &LogMapping,
    emit: impl FnMut(Result<Record<'_>, Rejected>),
) -> Result<(), LogError> {
    let (header, rows) = read_header(file, text, mapping)?;
    let first_line = super::read::line_of(text.as_bytes(), rows);
    let rows_text = text.get(rows..).unwrap_or_default();
    each_row(file, rows_text, base + rows, first_line, &header, emit)
}

/// A CSV log's header row: its column names, and whether a canonical field reads each.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    names: Vec<String>,
    canonical: Vec<bool>,
}

fn csv_error(file: &str, first_line: usize) -> impl Fn(::csv::Error) -> LogError + '_ {
    move |e: ::csv::Error| LogError::Csv {
        file: file.to_string(),
        line: e.position().map_or(first_line, |p| {
            usize::try_from(p.line()).map_or(first_line, |l| l + first_line - 1)
        }),
        message: e.to_string(),
    }
}

/// Reads and checks the header row at the start of `text`; also gives the offset where the
/// rows start.
pub(crate) fn read_header(
    file: &str,
    text: &str,
    mapping: &LogMapping,
) -> Result<(Header, usize), LogError> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut row = ::csv::StringRecord::new();
    if !reader.read_record(&mut row).map_err(csv_error(file, 1))? {
        return Err(LogError::CsvNoHeader {
            file: file.to_string(),
        });
    }
    let names: Vec<String> = row.iter().map(|h| h.trim().to_string()).collect();
    let header_line = LineCursor::default().line_at(text, row_start(text, row.position()));
    check_header(file, &names, header_line, mapping)?;
    let canonical_columns: HashSet<&str> = FIELDS.iter().map(|f| column_of(mapping, f)).collect();
    let canonical = names
        .iter()
        .map(|n| canonical_columns.contains(n.as_str()))
        .collect();
    let rows = usize::try_from(reader.position().byte()).unwrap_or(text.len());
    Ok((Header { names, canonical }, rows.min(text.len())))
}

/// Hands each row of `text` (rows only, no header; its first byte at file offset `base`, on
/// line `first_line`) to `emit` as a record under `header`.
pub(crate) fn each_row(
    file: &str,
    text: &str,
    base: usize,
    first_line: usize,
    header: &Header,
    mut emit: impl FnMut(Result<Record<'_>, Rejected>),
) -> Result<(), LogError> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // Bytes, not a StringRecord: `text` is UTF-8 already, and the reader's own validation of
    // each row was 6% of a CSV log check. Cells borrow from the row and the header.
    let mut row = ::csv::ByteRecord::new();
    let mut lines = LineCursor {
        offset: 0,
        line: first_line - 1,
    };
    while reader
        .read_byte_record(&mut row)
        .map_err(csv_error(file, first_line))?
    {
        let start = row_start(text, row.position());
        let line = lines.line_at(text, start);
        let end = usize::try_from(reader.position().byte()).unwrap_or(text.len());
        let bytes = base + start..base + trimmed_end(text, start, end);
        if row.len() != header.names.len() {
            emit(Err(Rejected {
                line,
                reason: format!(
                    "row has {} fields, the header has {}",
                    row.len(),
                    header.names.len()
                ),
            }));
            continue;
        }
        let mut cells = Vec::with_capacity(row.len());
        let mut not_utf8 = None;
        for ((name, canonical), value) in header.names.iter().zip(&header.canonical).zip(&row) {
            // A field of a UTF-8 text, unquoted, is UTF-8; the check costs little with SIMD.
            let Ok(value) = simdutf8::basic::from_utf8(value) else {
                not_utf8 = Some(name);
                break;
            };
            let cell = if *canonical {
                Cell::Text(Cow::Borrowed(value))
            } else {
                typed_cell(value)
            };
            cells.push((Cow::Borrowed(name.as_str()), cell));
        }
        emit(match not_utf8 {
            None => Ok(Record { line, bytes, cells }),
            Some(name) => Err(Rejected {
                line,
                reason: format!("column `{name}` is not UTF-8"),
            }),
        });
    }
    Ok(())
}

/// The byte where a row's first field starts (`at`: the reader's position for it). That
/// position may point at the line break before it (the `\n` of a `\r\n`), so line breaks are
/// skipped here.
fn row_start(text: &str, at: Option<&::csv::Position>) -> usize {
    let at = at.map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0));
    let rest = text.get(at..).unwrap_or_default();
    at + (rest.len() - rest.trim_start_matches(['\n', '\r']).len())
}

/// Counts lines forward through the text, so numbering every row costs one pass.
#[derive(Default)]
struct LineCursor {
    offset: usize,
    line: usize,
}

impl LineCursor {
    /// 1-based line of byte `offset` (at or after the previous one asked for).
    fn line_at(&mut self, text: &str, offset: usize) -> usize {
        let between = text.get(self.offset..offset).unwrap_or_default();
        self.line += between.bytes().filter(|b| *b == b'\n').count();
        self.offset = self.offset.max(offset);
        self.line + 1
    }
}

/// `end` moved back over the row's line break.
fn trimmed_end(text: &str, start: usize, end: usize) -> usize {
    let row = text.get(start..end).unwrap_or_default();
    start + row.trim_end_matches(['\n', '\r']).len()
}

/// A header without a column for a required field means the first row is not a header (or
/// the mapping does not fit the file): no row could be read, so the file is refused.
fn check_header(
    file: &str,
    header: &[String],
    line: usize,
    mapping: &LogMapping,
) -> Result<(), LogError> {
    let missing: Vec<String> = REQUIRED_FIELDS
        .iter()
        .map(|f| (f, column_of(mapping, f)))
        .filter(|(_, column)| !header.iter().any(|h| h == column))
        .map(|(field, column)| format!("`{field}` (column `{column}`)"))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(LogError::CsvMissingColumns {
        file: file.to_string(),
        line,
        missing: missing.join(", "),
    })
}

/// CSV has only text: a value of a non-canonical column that is exactly a decimal number or
/// `true`/`false` is taken as one, so rules can compare it; anything else (`007`, `1e5`, `+5`)
/// stays text as written.
pub(crate) fn typed_cell(value: &str) -> Cell<'static> {
    match value {
        "true" => return Cell::Bool(true),
        "false" => return Cell::Bool(false),
        _ => {}
    }
    match rust_decimal::Decimal::from_str(value) {
        Ok(d) if d.to_string() == value => Cell::Number(Cow::Owned(value.to_string())),
        _ => Cell::Text(Cow::Owned(value.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::read::Records;

    /// The records, their cells copied out of the reader's row (which they borrow).
    fn read(text: &str) -> Result<Records<'static>, LogError> {
        fn owned(s: Cow<str>) -> Cow<'static, str> {
            Cow::Owned(s.into_owned())
        }
        let mut out = Vec::new();
        each_record("t.csv", text, 0, &LogMapping::default(), |r| {
            out.push(r.map(|r| {
                Record {
                    line: r.line,
                    bytes: r.bytes,
                    cells: r
                        .cells
                        .into_iter()
                        .map(|(name, cell)| {
                            let cell = match cell {
                                Cell::Text(t) => Cell::Text(owned(t)),
                                Cell::Number(n) => Cell::Number(owned(n)),
                                Cell::Bool(b) => Cell::Bool(b),
                                Cell::Nested(n) => Cell::Nested(n),
                                Cell::Null => Cell::Null,
                            };
                            (owned(name), cell)
                        })
                        .collect(),
                }
            }))
        })?;
        Ok(out)
    }

    #[test]
    fn quoted_newlines_keep_lines_and_bytes() {
        let text =
            "debtor,time,kind,text\r\nD1,2026-03-02 09:00,call,\"two\nlines\"\r\nD2,x,sms,b\r\n";
        let rows = read(text).unwrap();
        let shape: Vec<(usize, &str)> = rows
            .iter()
            .map(|r| r.as_ref().unwrap())
            .map(|r| (r.line, &text[r.bytes.clone()]))
            .collect();
        assert_eq!(
            shape,
            [
                (2, "D1,2026-03-02 09:00,call,\"two\nlines\""),
                (4, "D2,x,sms,b")
            ]
        );
    }

    #[test]
    fn ragged_rows_are_rejected_not_fatal() {
        let rows = read("debtor,time,kind\nD1,t\nD2,t,call,extra\nD3,t,call").unwrap();
        let reasons: Vec<(usize, String)> = rows
            .iter()
            .map(|r| match r {
                Ok(r) => (r.line, "ok".to_string()),
                Err(e) => (e.line, e.reason.clone()),
            })
            .collect();
        assert_eq!(
            reasons,
            [
                (2, "row has 2 fields, the header has 3".to_string()),
                (3, "row has 4 fields, the header has 3".to_string()),
                (4, "ok".to_string())
            ]
        );
    }

    #[test]
    fn header_problems_are_file_errors() {
        assert_eq!(
            read("").unwrap_err().to_string(),
            "t.csv: a CSV log needs a header row of column names; the file is empty"
        );
        assert_eq!(
            read("D1,2026-03-02 09:00,call\n").unwrap_err().to_string(),
            "t.csv:1: the CSV header has no column for `debtor` (column `debtor`), `time` \
             (column `time`), `kind` (column `kind`)"
        );
    }

    #[test]
    fn extra_columns_get_numbers_and_bools() {
        assert_eq!(typed_cell("12.50"), Cell::Number("12.50".into()));
        assert_eq!(typed_cell("-3"), Cell::Number("-3".into()));
        assert_eq!(typed_cell("007"), Cell::Text("007".into()));
        assert_eq!(typed_cell("true"), Cell::Bool(true));
        assert_eq!(typed_cell("True"), Cell::Text("True".into()));
    }
}
