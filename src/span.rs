//! Positions in text: byte offsets everywhere, converted to 1-based line and
//! character column only at the edge (reports).

use std::ops::Range;

/// Byte offsets of line starts, for byte -> (line, column) conversion.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 1-based line and 1-based column counted in characters. A `\r` before `\n`
    /// belongs to the line it ends. Offsets past the end clamp to the end.
    pub fn line_col(&self, text: &str, byte: usize) -> (usize, usize) {
        let byte = floor_char_boundary(text, byte.min(text.len()));
        let line = match self.starts.binary_search(&byte) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let col = text[self.starts[line]..byte].chars().count() + 1;
        (line + 1, col)
    }

    /// Byte range of 1-based `line` (without its line terminator).
    pub fn line_range(&self, text: &str, line: usize) -> Range<usize> {
        let start = self
            .starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(text.len());
        let mut end = self.starts.get(line).map_or(text.len(), |e| e - 1);
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        start..end.max(start)
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

/// [`LineIndex::line_col`] for positions visited mostly in increasing order: a position on the
/// same line after the previous one counts only the characters in between, so that many
/// findings on one very long line cost linear time, not quadratic.
#[derive(Debug, Default)]
pub struct ColumnCursor {
    last: Option<(usize, usize, usize)>, // (byte, line, column)
}

impl ColumnCursor {
    pub fn line_col(&mut self, index: &LineIndex, text: &str, byte: usize) -> (usize, usize) {
        let byte = floor_char_boundary(text, byte.min(text.len()));
        let line = match index.starts.binary_search(&byte) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let col = match self.last {
            Some((b, l, c)) if l == line + 1 && b <= byte => c + text[b..byte].chars().count(),
            _ => text[index.starts[line]..byte].chars().count() + 1,
        };
        self.last = Some((byte, line + 1, col));
        (line + 1, col)
    }
}

pub fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

pub fn ceil_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Snap a byte range onto character boundaries inside `s` (ariadne panics otherwise).
pub fn snap(s: &str, r: Range<usize>) -> Range<usize> {
    let start = floor_char_boundary(s, r.start.min(s.len()));
    let end = ceil_char_boundary(s, r.end.min(s.len())).max(start);
    start..end
}

/// Like [`snap`], but never empty when the text has a character at `start`:
/// zero-width positions are widened to the next character so there is something to underline.
pub fn snap_visible(s: &str, r: Range<usize>) -> Range<usize> {
    let r = snap(s, r);
    if r.is_empty() {
        let len = s[r.start..].chars().next().map_or(0, char::len_utf8);
        return r.start..r.start + len;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let t = "第五条 本合同\r\n第六条 借款人";
        let ix = LineIndex::new(t);
        let b = t.find("借款人").unwrap();
        assert_eq!(ix.line_col(t, b), (2, 5));
        assert_eq!(ix.line_col(t, 0), (1, 1));
        assert_eq!(&t[ix.line_range(t, 1)], "第五条 本合同");
    }

    #[test]
    fn the_cursor_agrees_with_the_index_in_any_order() {
        let t = "第五条 本合同\r\n第六条 借款人放弃抗辩。\n";
        let ix = LineIndex::new(t);
        let mut cursor = ColumnCursor::default();
        let mut positions: Vec<usize> = t.char_indices().map(|(i, _)| i).collect();
        positions.extend([3, 0, t.len(), 7]);
        for p in positions {
            assert_eq!(cursor.line_col(&ix, t, p), ix.line_col(t, p), "at {p}");
        }
    }

    #[test]
    fn snapping_never_splits_a_character() {
        let t = "最终解释权";
        assert_eq!(snap(t, 1..4), 0..6);
        assert_eq!(snap_visible(t, 3..3), 3..6);
        assert_eq!(snap(t, 100..200), 15..15);
    }
}
