//! YAML: the file is one list, each item a map of fields.
//!
//! The YAML parser gives no positions for items that parsed fine, so each item's line and
//! bytes come from scanning the text for the list's own `- ` lines (the lines at the list's
//! indentation). When that scan does not find one line per item (a flow list `[{…}, {…}]`,
//! anchors, unusual layouts), every item is placed at the list's first line and spans the
//! whole document: less precise, never wrong about which file.

use super::read::{line_of, Cell, LogError, Record, Records};
use super::Rejected;
use std::ops::Range;

/// The records of a YAML text whose first byte is at file offset `base`.
pub(crate) fn records(file: &str, text: &str, base: usize) -> Result<Records<'static>, LogError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let root: serde_json::Value =
        crate::yaml::from_str(text).map_err(|e| LogError::YamlSyntax {
            file: file.to_string(),
            line: e.line.unwrap_or(1),
            message: e.message,
        })?;
    let items = match root {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Null => return Ok(Vec::new()),
        other => {
            return Err(LogError::YamlNotAList {
                file: file.to_string(),
                got: match other {
                    serde_json::Value::Object(_) => "a map",
                    _ => "a single value",
                },
            })
        }
    };
    let places = item_places(text, items.len());
    let records = items
        .into_iter()
        .zip(places)
        .map(|(item, (line, bytes))| {
            let bytes = base + bytes.start..base + bytes.end;
            match item {
                serde_json::Value::Object(map) => Ok(Record {
                    line,
                    bytes,
                    cells: map
                        .into_iter()
                        .map(|(k, v)| (std::borrow::Cow::Owned(k), Cell::from_json(v)))
                        .collect(),
                }),
                _ => Err(Rejected {
                    line,
                    reason: "not a map of fields: a record is `- field: value` lines".into(),
                }),
            }
        })
        .collect();
    Ok(records)
}

/// The 1-based line and byte range of each of `count` items.
fn item_places(text: &str, count: usize) -> Vec<(usize, Range<usize>)> {
    let starts = item_starts(text);
    if starts.len() == count {
        let ends = starts.iter().skip(1).copied().chain([text.len()]);
        return starts
            .iter()
            .zip(ends)
            .map(|(&start, end)| {
                let item = text.get(start..end).unwrap_or_default();
                let end = start + item.trim_end().len();
                (line_of(text.as_bytes(), start), start..end)
            })
            .collect();
    }
    let first = first_content_line(text).unwrap_or(0);
    let whole = first..text.trim_end().len().max(first);
    vec![(line_of(text.as_bytes(), first), whole); count]
}

/// Byte offsets of the `-` of every item of the top-level list.
fn item_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut indent = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let here = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start_matches(' ');
        if is_filler(trimmed) {
            continue;
        }
        let width = content.len() - trimmed.len();
        let is_item = trimmed == "-" || trimmed.starts_with("- ");
        match indent {
            None if is_item => indent = Some(width),
            None => return Vec::new(),
            Some(_) => {}
        }
        if is_item && indent == Some(width) {
            starts.push(here + width);
        } else if trimmed == "..." || trimmed.starts_with("---") {
            break;
        }
    }
    starts
}

/// Blank lines, comments and the document markers before the list.
fn is_filler(trimmed: &str) -> bool {
    trimmed.trim().is_empty()
        || trimmed.starts_with('#')
        || (trimmed.starts_with("---") && trimmed.trim_start_matches('-').trim().is_empty())
        || trimmed.starts_with('%')
}

fn first_content_line(text: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if !is_filler(line.trim_start()) {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places(text: &str) -> Vec<(usize, &str)> {
        records("t.yaml", text, 0)
            .unwrap()
            .iter()
            .map(|r| match r {
                Ok(r) => (r.line, &text[r.bytes.clone()]),
                Err(r) => (r.line, "rejected"),
            })
            .collect()
    }

    #[test]
    fn items_are_found_at_the_lists_indentation() {
        let text = "# log\n---\n- debtor: D1\n  text: |\n    - not an item\n  kind: call\n\n\
                    - debtor: D2\n  kind: sms\n- 3\n";
        assert_eq!(
            places(text),
            [
                (
                    3,
                    "- debtor: D1\n  text: |\n    - not an item\n  kind: call"
                ),
                (8, "- debtor: D2\n  kind: sms"),
                (10, "rejected"),
            ]
        );
    }

    #[test]
    fn a_flow_list_places_every_item_at_its_first_line() {
        let text = "\n[{debtor: D1},\n {debtor: D2}]\n";
        assert_eq!(
            places(text),
            [
                (2, "[{debtor: D1},\n {debtor: D2}]"),
                (2, "[{debtor: D1},\n {debtor: D2}]")
            ]
        );
    }

    #[test]
    fn file_errors() {
        let err = |t: &str| records("t.yaml", t, 0).unwrap_err().to_string();
        assert_eq!(
            err("debtor: D1\nkind: call\n"),
            "t.yaml: a YAML log must be a list of records (`- debtor: …` items), not a map"
        );
        assert!(err("- a: 1\n - b: [\n").starts_with("t.yaml:2: not valid YAML: "));
        assert!(records("t.yaml", "# nothing\n", 0).unwrap().is_empty());
    }
}
