//! Plain-text tables aligned by display width, so that Chinese text (two cells per character)
//! lines up in a terminal.

use unicode_width::UnicodeWidthStr;

/// Render rows as columns separated by two spaces; every column but the last is padded to its
/// widest cell. Control characters in cells are shown escaped so that one row stays one line.
pub fn render_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    let all: Vec<Vec<String>> = std::iter::once(header)
        .chain(rows.iter().map(|r| r.iter().map(|c| one_line(c)).collect()))
        .collect();
    let columns = all.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            all.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in &all {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            if i + 1 < row.len() {
                let pad = widths
                    .get(i)
                    .copied()
                    .unwrap_or(0)
                    .saturating_sub(cell.width());
                line.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Escape line breaks, tabs and other control characters (`\n`, `\t`, `\u{7}`).
pub(crate) fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_cells_align_by_display_width() {
        let rows = vec![
            vec!["CN-STD-001".into(), "不得约定最终解释权".into(), "x".into()],
            vec!["US-1".into(), "APR disclosed".into(), "y".into()],
        ];
        let out = render_table(&["id", "title", "z"], &rows);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3);
        // The third column starts at the same display column on every line.
        let col_of_last = |l: &str| {
            let (before, _) = l.rsplit_once("  ").unwrap();
            before.width() + 2
        };
        assert_eq!(col_of_last(lines[0]), col_of_last(lines[1]));
        assert_eq!(col_of_last(lines[1]), col_of_last(lines[2]));
        assert_eq!(col_of_last(lines[1]), 10 + 2 + 18 + 2);
    }

    #[test]
    fn cells_with_line_breaks_stay_on_one_line() {
        let out = render_table(&["a"], &[vec!["x\ny\tz".into()]]);
        assert_eq!(out, "a\nx\\ny\\tz\n");
    }
}
