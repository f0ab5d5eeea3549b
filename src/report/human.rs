use super::{count_noun, Report, SeverityCounts, SubjectInfo};
use crate::engine::{Finding, Severity};
use crate::span::LineIndex;
use ariadne::{Config, IndexType, Label, ReportKind, Source};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::ops::Range;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Findings rendered with ariadne (in file order), followed by input errors, notes on which
/// packs applied, and a summary line.
pub fn render_human(report: &Report, color: bool) -> String {
    let mut out = String::new();
    let files: BTreeMap<&str, SourceFile> = report
        .sources
        .iter()
        .map(|(name, text)| (name.as_str(), SourceFile::new(text)))
        .collect();
    for f in &report.findings {
        let rendered = files
            .get(f.file.as_str())
            .and_then(|file| render_in_context(f, file, color));
        out.push_str(&rendered.unwrap_or_else(|| one_line(f)));
    }
    if !report.findings.is_empty() {
        out.push('\n');
    }
    for e in &report.input_errors {
        let place = match e.line {
            Some(line) => format!("{}:{line}", e.file),
            None => e.file.clone(),
        };
        let _ = writeln!(out, "error: {place}: {}", e.message_without_file());
    }
    out.push_str(&pack_notes(&report.subjects));
    out.push_str(&stale_baseline_notes(report));
    out.push_str(&summary_line(report));
    out
}

/// A file's source text, prepared once for all its findings.
struct SourceFile<'a> {
    text: &'a str,
    source: Source<&'a str>,
    lines: LineIndex,
}

impl<'a> SourceFile<'a> {
    fn new(text: &'a str) -> Self {
        SourceFile {
            text,
            source: Source::from(text),
            lines: LineIndex::new(text),
        }
    }
}

/// `file:line:col: severity [rule] message`, for findings whose source text is not at hand.
fn one_line(f: &Finding) -> String {
    format!(
        "{}:{}:{}: {} [{}] {}\n",
        f.file,
        f.line,
        f.column,
        f.severity.as_str(),
        f.rule,
        f.message
    )
}

fn report_kind(s: Severity) -> ReportKind<'static> {
    match s {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
        Severity::Info => ReportKind::Advice,
    }
}

/// The range to underline: on character boundaries (ariadne panics otherwise) and never
/// empty, so that a finding about something missing still points at a character.
fn underline_range(text: &str, r: &Range<usize>) -> Option<Range<usize>> {
    let r = crate::span::snap_visible(text, r.clone());
    if !r.is_empty() {
        return Some(r);
    }
    // At the very end of the text: point at the last character instead.
    let last = text.char_indices().next_back()?;
    Some(last.0..last.0 + last.1.len_utf8())
}

/// Lines wider than this (in terminal cells) are shown as an excerpt around the span:
/// contracts exported from word processors often hold a whole paragraph, or the whole
/// document, on one line.
const LONG_LINE: usize = 160;
/// Cells of context kept on each side of the span in an excerpt.
const CONTEXT: usize = 40;

/// What ariadne is given to draw: the whole file, or an excerpt of one long line.
struct View<'a> {
    text: std::borrow::Cow<'a, str>,
    range: Range<usize>,
    /// For an excerpt: its 1-based line in the file.
    line: usize,
    /// For an excerpt: the file column (1-based, in characters) of the span start, which the
    /// header must show instead of the excerpt's own column.
    column: Option<usize>,
}

fn view<'a>(file: &'a SourceFile, range: Range<usize>) -> View<'a> {
    let whole = |range| View {
        text: std::borrow::Cow::Borrowed(file.text),
        range,
        line: 0,
        column: None,
    };
    let (line, column) = file.lines.line_col(file.text, range.start);
    let line_range = file.lines.line_range(file.text, line);
    let Some(line_text) = file.text.get(line_range.clone()) else {
        return whole(range);
    };
    if range.end > line_range.end || line_text.width() <= LONG_LINE {
        return whole(range);
    }
    let start = back_by_cells(file.text, line_range.start, range.start, CONTEXT);
    let end = forward_by_cells(file.text, range.end, line_range.end, CONTEXT);
    // Empty lines put the excerpt on its line number: ariadne 0.6 ignores
    // `with_display_line_offset` in the margin, and draws only the lines with labels.
    let mut text = "\n".repeat(line - 1);
    if start > line_range.start {
        text.push('…');
    }
    let shift = text.len();
    text.push_str(file.text.get(start..end).unwrap_or_default());
    if end < line_range.end {
        text.push('…');
    }
    View {
        text: std::borrow::Cow::Owned(text),
        range: range.start - start + shift..range.end - start + shift,
        line,
        column: Some(column),
    }
}

/// The char boundary at most `cells` display cells before `from` (not before `floor`).
fn back_by_cells(text: &str, floor: usize, from: usize, cells: usize) -> usize {
    let mut width = 0;
    let mut at = from;
    for (i, c) in text
        .get(floor..from)
        .unwrap_or_default()
        .char_indices()
        .rev()
    {
        width += c.width().unwrap_or(0);
        if width > cells {
            break;
        }
        at = floor + i;
    }
    at
}

/// The char boundary at most `cells` display cells after `from` (not after `ceiling`).
fn forward_by_cells(text: &str, from: usize, ceiling: usize, cells: usize) -> usize {
    let mut width = 0;
    let mut at = from;
    for c in text.get(from..ceiling).unwrap_or_default().chars() {
        width += c.width().unwrap_or(0);
        if width > cells {
            break;
        }
        at += c.len_utf8();
    }
    at
}

fn render_in_context(f: &Finding, file: &SourceFile, color: bool) -> Option<String> {
    let range = underline_range(file.text, &f.source_range)?;
    let view = view(file, range);
    let excerpt_source;
    let source = match &view.text {
        std::borrow::Cow::Borrowed(_) => &file.source,
        std::borrow::Cow::Owned(text) => {
            excerpt_source = Source::from(text.as_str());
            &excerpt_source
        }
    };
    let name = f.file.as_str();
    let mut rendered = draw(f, name, view.range.clone(), source, color)?;
    if let Some(column) = view.column {
        // ariadne counts the column inside the excerpt; the reader wants the file's.
        let before = view.text.get(..view.range.start)?;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let excerpt_col = before.get(line_start..)?.chars().count() + 1;
        let line = view.line;
        rendered = rendered.replacen(
            &format!("{name}:{line}:{excerpt_col} "),
            &format!("{name}:{line}:{column} "),
            1,
        );
    }
    Some(rendered)
}

fn draw(
    f: &Finding,
    name: &str,
    range: Range<usize>,
    source: &Source<&str>,
    color: bool,
) -> Option<String> {
    // Byte indexing: the engine's ranges are bytes, and ariadne's default (chars) silently
    // draws nothing or the wrong place with them.
    let config = Config::default()
        .with_index_type(IndexType::Byte)
        .with_color(color);
    // ariadne draws no underline for a label without text: the clause, or the log record,
    // else the concept.
    let clause = f.clause.as_deref().filter(|c| !c.is_empty());
    let record = f.record.as_deref().map(|id| format!("record {id}"));
    let place = clause.or(record.as_deref());
    let label = Label::new((name, range.clone())).with_message(place.unwrap_or(&f.concept));
    let mut builder = ariadne::Report::build(report_kind(f.severity), (name, range))
        .with_config(config)
        .with_message(format!("[{}] {}", f.rule, f.message))
        .with_label(label);
    if !f.help.is_empty() {
        builder = builder.with_help(&f.help);
    }
    let mut note = Vec::new();
    if !f.cite.is_empty() {
        note.push(format!("cite: {}", f.cite));
    }
    if place.is_some() {
        note.push(format!("concept: {}", f.concept));
    }
    if !note.is_empty() {
        builder = builder.with_note(note.join("\n"));
    }
    let mut buf = Vec::new();
    builder.finish().write((name, source), &mut buf).ok()?;
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// Say which packs applied where that is not obvious: files where no pack (or only
/// jurisdiction-independent ones) applied, with the reason, and the packs per file when
/// files got different packs.
fn pack_notes(subjects: &[SubjectInfo]) -> String {
    let mut out = String::new();
    for s in subjects {
        let why = match &s.jurisdiction {
            Some(j) => format!("{j}: {}", s.reason),
            None => s.reason.clone(),
        };
        if s.packs.is_empty() {
            let _ = writeln!(out, "note: {}: no rule pack applied ({why})", s.file);
        } else if s.jurisdiction.is_none() {
            let _ = writeln!(
                out,
                "note: {}: only jurisdiction-independent packs applied ({}): {why}",
                s.file,
                s.packs.join(", "),
            );
        }
    }
    let with_packs: Vec<&SubjectInfo> = subjects
        .iter()
        .filter(|s| s.jurisdiction.is_some() && !s.packs.is_empty())
        .collect();
    let distinct: BTreeSet<&Vec<String>> = with_packs.iter().map(|s| &s.packs).collect();
    if distinct.len() > 1 {
        for s in with_packs {
            let _ = writeln!(
                out,
                "note: {}: packs {} ({}: {})",
                s.file,
                s.packs.join(", "),
                s.jurisdiction.as_deref().unwrap_or_default(),
                s.reason
            );
        }
    }
    out
}

/// Baseline entries that no longer occur: the baseline can be rewritten to drop them.
fn stale_baseline_notes(report: &Report) -> String {
    let mut out = String::new();
    let Some(b) = report.baseline.as_ref().filter(|b| !b.stale.is_empty()) else {
        return out;
    };
    let _ = writeln!(
        out,
        "note: {} in {} no longer {} (fixed, or the text changed); \
         rewrite it with --write-baseline to drop {}:",
        count_noun(b.stale.len(), "entry", "entries"),
        b.file,
        if b.stale.len() == 1 {
            "occurs"
        } else {
            "occur"
        },
        if b.stale.len() == 1 { "it" } else { "them" },
    );
    for e in &b.stale {
        let _ = writeln!(out, "  {} [{}] {}", e.file, e.rule, e.text);
    }
    out
}

fn summary_line(report: &Report) -> String {
    let c = SeverityCounts::of(&report.findings);
    let mut line = format!(
        "{} checked: {}, {}, {}",
        count_noun(report.files, "file", "files"),
        count_noun(c.errors, "error", "errors"),
        count_noun(c.warnings, "warning", "warnings"),
        count_noun(c.infos, "info", "infos"),
    );
    if !report.suppressed.is_empty() {
        let _ = write!(line, "; {} suppressed", report.suppressed.len());
    }
    if let Some(b) = report.baseline.as_ref().filter(|b| !b.stale.is_empty()) {
        let _ = write!(
            line,
            "; {} stale",
            count_noun(b.stale.len(), "baseline entry", "baseline entries")
        );
    }
    if !report.input_errors.is_empty() {
        let _ = write!(
            line,
            "; {}",
            count_noun(report.input_errors.len(), "input error", "input errors")
        );
    }
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::{finding, sample_report, SAMPLE_SOURCE};
    use unicode_width::UnicodeWidthStr;

    /// The display column where `needle` starts on the rendered line that contains it, and the
    /// display column and width of the underline on the line below it.
    fn underline_under(out: &str, needle: &str) -> (usize, usize, usize) {
        let lines: Vec<&str> = out.lines().collect();
        let i = lines
            .iter()
            .position(|l| l.contains(needle) && l.contains('│'))
            .unwrap_or_else(|| panic!("no source line with {needle} in\n{out}"));
        let text_col = lines[i][..lines[i].find(needle).unwrap()].width();
        let under = lines[i + 1];
        let (margin_end, _) = under.char_indices().find(|(_, c)| *c == '│').unwrap();
        let body = &under[margin_end + '│'.len_utf8()..];
        let start = body.find(['─', '┬']).unwrap();
        let underline: String = body[start..]
            .chars()
            .take_while(|c| matches!(c, '─' | '┬'))
            .collect();
        let col = under[..margin_end + '│'.len_utf8() + start].width();
        (text_col, col, underline.chars().count())
    }

    #[test]
    fn chinese_spans_are_underlined_exactly() {
        let out = render_human(&sample_report(), false);
        let (text_col, col, width) = underline_under(&out, "最终解释权归贷款人所有");
        assert_eq!(col, text_col, "{out}");
        assert_eq!(width, "最终解释权归贷款人所有".width(), "{out}");
        let (text_col, col, width) = underline_under(&out, "放弃一切抗辩权");
        assert_eq!(col, text_col, "{out}");
        assert_eq!(width, 14, "{out}");
    }

    #[test]
    fn finding_shows_rule_header_clause_cite_help_and_concept() {
        let out = render_human(&sample_report(), false);
        assert!(
            out.contains("Error: [CN-STD-001] 格式条款约定经营者享有最终解释权\n"),
            "{out}"
        );
        assert!(out.contains("Warning: [CN-STD-002] "), "{out}");
        assert!(out.contains("contract.txt:2:8"), "{out}");
        assert!(out.contains("contract.txt:3:8"), "{out}");
        assert!(out.contains("第五条"), "{out}");
        assert!(out.contains("Help: 删除该条款"), "{out}");
        assert!(
            out.contains("Note: cite: 合同行政监督管理办法 第九条"),
            "{out}"
        );
        assert!(
            out.contains("concept: format-clause.final-interpretation"),
            "{out}"
        );
        assert!(
            !out.contains('\u{1b}'),
            "no colour codes when colour is off"
        );
    }

    #[test]
    fn input_errors_pack_notes_and_summary_follow_the_findings() {
        let out = render_human(&sample_report(), false);
        assert!(
            out.contains("error: bad.txt:1: not valid UTF-8 (first bad byte at line 1, byte 0)\n")
        );
        assert!(out.contains(
            "note: english.txt: no rule pack applied (English contract without a governing-law clause"
        ));
        assert!(out.ends_with("2 files checked: 1 error, 1 warning, 0 infos; 1 input error\n"));
        let first_error = out.find("error: bad.txt").unwrap();
        assert!(out.find("[CN-STD-002]").unwrap() < first_error);
    }

    #[test]
    fn long_lines_are_cut_to_an_excerpt_with_the_file_column() {
        let needle = "最终解释权归贷款人所有";
        let source = format!(
            "借款合同\n{}{needle}{}\n",
            "借款人应当按期还款。".repeat(30),
            "逾期的应当支付违约金。".repeat(30)
        );
        let start = source.find(needle).unwrap();
        let mut r = sample_report();
        r.findings = vec![finding(
            "CN-STD-001",
            Severity::Error,
            (2, 301, 312),
            start..start + needle.len(),
            Some("第五条"),
        )];
        r.sources.insert("contract.txt".into(), source);
        let out = render_human(&r, false);
        assert!(out.contains("contract.txt:2:301 "), "{out}");
        assert!(out.contains(" 2 │ …"), "{out}");
        let drawn = out.lines().filter(|l| l.contains('│'));
        assert!(drawn.clone().count() > 3);
        assert!(drawn.clone().all(|l| l.width() < 2 * CONTEXT + 40), "{out}");
        let (text_col, col, width) = underline_under(&out, needle);
        assert_eq!((col, width), (text_col, needle.width()), "{out}");
    }

    #[test]
    fn colour_can_be_switched_on() {
        assert!(render_human(&sample_report(), true).contains('\u{1b}'));
    }

    #[test]
    fn files_without_source_fall_back_to_one_line() {
        let mut r = sample_report();
        r.sources.clear();
        let out = render_human(&r, false);
        assert!(out.starts_with(
            "contract.txt:2:8: error [CN-STD-001] 格式条款约定经营者享有最终解释权\n\
             contract.txt:3:8: warning [CN-STD-002] "
        ));
    }

    #[test]
    fn clean_run_prints_only_the_summary() {
        let r = Report {
            files: 1,
            ..Report::default()
        };
        assert_eq!(
            render_human(&r, false),
            "1 file checked: 0 errors, 0 warnings, 0 infos\n"
        );
    }

    #[test]
    fn differing_packs_are_listed_per_file() {
        let subject = |file: &str, j: &str, pack: &str| SubjectInfo {
            file: file.into(),
            jurisdiction: Some(j.into()),
            packs: vec![pack.into()],
            reason: "r".into(),
            encoding: None,
        };
        let notes = pack_notes(&[subject("a.txt", "CN", "cn"), subject("b.txt", "US", "us")]);
        assert_eq!(
            notes,
            "note: a.txt: packs cn (CN: r)\nnote: b.txt: packs us (US: r)\n"
        );
        assert_eq!(
            pack_notes(&[subject("a.txt", "CN", "cn"), subject("b.txt", "CN", "cn")]),
            ""
        );
    }

    #[test]
    // A backwards range is one of the odd inputs a buggy engine could hand us.
    #[allow(clippy::reversed_empty_ranges)]
    fn odd_spans_never_panic() {
        let mut r = sample_report();
        let len = SAMPLE_SOURCE.len();
        let ranges = [
            0..0,
            1..2,
            43..44,
            len..len,
            len + 5..len + 9,
            20..10,
            22..23,
        ];
        r.findings = ranges
            .iter()
            .map(|range| finding("X-1", Severity::Info, (1, 1, 1), range.clone(), None))
            .collect();
        let out = render_human(&r, false);
        assert_eq!(out.matches("[X-1]").count(), ranges.len(), "{out}");
        r.sources.insert("contract.txt".into(), String::new());
        let out = render_human(&r, false);
        assert!(out.starts_with("contract.txt:1:1: info [X-1]"), "{out}");
    }

    proptest::proptest! {
        #[test]
        fn any_span_in_any_text_renders_without_panicking(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "第五条", "最终解释权", "\n", "\r\n", "\t", "APR 36%", "，", "①", "\u{200b}",
                    "借款人应当按期还款。借款人应当按期还款。借款人应当按期还款。借款人应当按期还款。",
                ]),
                0..60,
            ),
            a in 0usize..3000,
            b in 0usize..3000,
        ) {
            let text: String = pieces.concat();
            let mut r = sample_report();
            r.findings = vec![finding("P-1", Severity::Warning, (1, 1, 1), a.min(b)..a.max(b), None)];
            r.sources.insert("contract.txt".into(), text);
            let out = render_human(&r, false);
            proptest::prop_assert!(out.contains("[P-1]"));
        }
    }
}
