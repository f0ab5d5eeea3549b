//! JSON Lines: one JSON object per line; blank lines are not records.

use super::read::{Cell, Record};
use super::Rejected;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

/// The records of a JSONL text whose first byte is at file offset `base`, parsed as they are
/// asked for.
pub(crate) fn records(
    text: &str,
    base: usize,
) -> impl Iterator<Item = Result<Record<'_>, Rejected>> + '_ {
    records_from(text, base, 1)
}

/// [`records`] of a text that starts on line `first_line`.
fn records_from(
    text: &str,
    base: usize,
    first_line: usize,
) -> impl Iterator<Item = Result<Record<'_>, Rejected>> + '_ {
    let mut start = 0;
    text.split_inclusive('\n')
        .enumerate()
        .filter_map(move |(index, raw)| {
            let at = base + start;
            start += raw.len();
            line_record(Ok(raw), first_line + index, at)
        })
}

/// The records of a block of JSONL bytes (whole lines) whose first byte is at file offset
/// `base`, on line `first_line`. A line that is not UTF-8 is a rejected record, not the end of
/// the file: the block may be one of many of a log too big to refuse whole.
pub(crate) fn records_in(
    block: &[u8],
    base: usize,
    first_line: usize,
) -> Box<dyn Iterator<Item = Result<Record<'_>, Rejected>> + '_> {
    if let Ok(text) = simdutf8::basic::from_utf8(block) {
        return Box::new(records_from(text, base, first_line));
    }
    let mut start = 0;
    Box::new(
        block
            .split_inclusive(|b| *b == b'\n')
            .enumerate()
            .filter_map(move |(index, raw)| {
                let at = base + start;
                start += raw.len();
                line_record(
                    std::str::from_utf8(raw).map_err(|e| (raw, e)),
                    first_line + index,
                    at,
                )
            }),
    )
}

/// The record of one line (with its line break) at file offset `at`; `None` for a blank line.
fn line_record<'a>(
    raw: Result<&'a str, (&[u8], std::str::Utf8Error)>,
    line: usize,
    at: usize,
) -> Option<Result<Record<'a>, Rejected>> {
    let content = match raw {
        Ok(text) => text.trim_end_matches(['\n', '\r']),
        Err((bytes, e)) => {
            let column = bytes
                .get(..e.valid_up_to())
                .and_then(|ok| std::str::from_utf8(ok).ok())
                .map_or(1, |ok| ok.chars().count() + 1);
            return Some(Err(Rejected {
                line,
                reason: format!(
                    "not UTF-8: invalid byte at column {column} (byte {})",
                    at + e.valid_up_to()
                ),
            }));
        }
    };
    if content.trim().is_empty() {
        return None;
    }
    Some(record(content, line, at..at + content.len()))
}

fn record(
    content: &str,
    line: usize,
    bytes: std::ops::Range<usize>,
) -> Result<Record<'_>, Rejected> {
    let reject = |reason: String| Rejected { line, reason };
    let mut de = serde_json::Deserializer::from_str(content);
    let parsed = de
        .deserialize_any(RecordVisitor)
        .and_then(|cells| de.end().map(|()| cells))
        .map_err(|e| reject(json_error(&e)))?;
    let cells = parsed.map_err(|got| {
        reject(format!(
            "not a JSON object: a record is {{\"field\": value, …}}, this line is {got}"
        ))
    })?;
    Ok(Record { line, bytes, cells })
}

type Cells<'a> = Vec<(Cow<'a, str>, Cell<'a>)>;

/// A line's value: the cells of an object (borrowing keys and strings from the line where
/// they have no escapes), or what else it was. A key written twice keeps its last value.
struct RecordVisitor;

impl<'de> Visitor<'de> for RecordVisitor {
    type Value = Result<Cells<'de>, &'static str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut cells: Cells<'de> = Vec::with_capacity(map.size_hint().unwrap_or(8));
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let cell = map.next_value::<CellValue<'de>>()?.0;
            match cells.iter_mut().find(|(k, _)| *k == key.0) {
                Some(slot) => slot.1 = cell,
                None => cells.push((key.0, cell)),
            }
        }
        Ok(Ok(cells))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(Err("a list"))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Err("a string"))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Err("true/false"))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Err("null"))
    }
}

/// An object key, borrowed when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(TextVisitor).map(Key)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(s))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(s.to_string()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(s))
    }
}

/// A field's value as [`Cell::from_json`] would make it from a `serde_json::Value`, without
/// building one for strings, numbers and flags.
struct CellValue<'a>(Cell<'a>);

impl<'de> de::Deserialize<'de> for CellValue<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CellVisitor).map(CellValue)
    }
}

struct CellVisitor;

impl<'de> Visitor<'de> for CellVisitor {
    type Value = Cell<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Cell::Text(Cow::Borrowed(s)))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Cell::Text(Cow::Owned(s.to_string())))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
        Ok(Cell::Text(Cow::Owned(s)))
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
        Ok(Cell::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
        Ok(Cell::from_json(serde_json::Value::from(n)))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
        Ok(Cell::from_json(serde_json::Value::from(n)))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
        Ok(Cell::from_json(serde_json::Value::from(n)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Cell::Null)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let nested = serde_json::Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Cell::from_json(nested))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let nested = serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Cell::from_json(nested))
    }
}

/// serde_json's message, with the column in the line instead of its "line 1" (the line is the
/// record's own).
fn json_error(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    let message = message.strip_suffix(&position).unwrap_or(&message);
    format!("invalid JSON: {message} (at column {})", e.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_bytes_and_blank_lines() {
        let text = "{\"a\":1}\r\n\n   \n{\"b\":2}\n{oops\n[1]";
        let records: Vec<_> = records(text, 3).collect();
        assert_eq!(records.len(), 4);
        let ok: Vec<(usize, std::ops::Range<usize>)> = records
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|r| (r.line, r.bytes.clone()))
            .collect();
        assert_eq!(ok, [(1, 3..10), (4, 17..24)]);
        let bad: Vec<(usize, &str)> = records
            .iter()
            .filter_map(|r| r.as_ref().err())
            .map(|r| (r.line, r.reason.as_str()))
            .collect();
        assert_eq!(
            bad,
            [
                (5, "invalid JSON: key must be a string (at column 2)"),
                (
                    6,
                    "not a JSON object: a record is {\"field\": value, …}, this line is a list"
                )
            ]
        );
    }
}
