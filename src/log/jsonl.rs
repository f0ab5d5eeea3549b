//! JSON Lines: one JSON object per line; blank lines are not records.

use super::read::{Cell, Record, Records};
use super::Rejected;

/// The records of a JSONL text whose first byte is at file offset `base`.
pub(crate) fn records(text: &str, base: usize) -> Records {
    let mut out = Vec::new();
    let mut start = 0;
    for (index, raw) in text.split_inclusive('\n').enumerate() {
        let line = index + 1;
        let content = raw.trim_end_matches(['\n', '\r']);
        let bytes = base + start..base + start + content.len();
        start += raw.len();
        if content.trim().is_empty() {
            continue;
        }
        out.push(record(content, line, bytes));
    }
    out
}

fn record(content: &str, line: usize, bytes: std::ops::Range<usize>) -> Result<Record, Rejected> {
    let reject = |reason: String| Rejected { line, reason };
    let value: serde_json::Value =
        serde_json::from_str(content).map_err(|e| reject(json_error(&e)))?;
    let serde_json::Value::Object(map) = value else {
        let got = match value {
            serde_json::Value::Array(_) => "a list",
            serde_json::Value::String(_) => "a string",
            serde_json::Value::Number(_) => "a number",
            serde_json::Value::Bool(_) => "true/false",
            _ => "null",
        };
        return Err(reject(format!(
            "not a JSON object: a record is {{\"field\": value, …}}, this line is {got}"
        )));
    };
    let cells = map
        .into_iter()
        .map(|(k, v)| (k, Cell::from_json(v)))
        .collect();
    Ok(Record { line, bytes, cells })
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
        let records = records(text, 3);
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
