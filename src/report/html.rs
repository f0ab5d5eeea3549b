//! One self-contained HTML page for people (compliance officers): a summary, then each
//! document's text with every finding highlighted in place and its note under the line, a
//! filter and next/previous navigation (plain inline JS), and a print layout (inline CSS).
//! Nothing is fetched: the page can be mailed and opened offline.

use super::{count_noun, Report, SeverityCounts};
use crate::engine::{Finding, Severity};
use crate::lang::ir::RuleSet;
use crate::span::{ceil_char_boundary, floor_char_boundary, snap_visible, LineIndex};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::ops::Range;

const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// Documents larger than this (bytes or lines) are shown as excerpts around their findings:
/// a browser showing a megabyte of marked-up text is slow to open and useless to scroll.
const WHOLE_TEXT_BYTES: usize = 200_000;
const WHOLE_TEXT_LINES: usize = 5_000;
/// Lines of context kept above and below each finding in an excerpt.
const CONTEXT_LINES: usize = 3;
/// In an excerpt, lines longer than this (in characters) are cut to pieces around findings:
/// text exported from word processors often has a whole document on one line.
const LONG_LINE_CHARS: usize = 1_000;
/// Characters kept on each side of a finding in a piece of a long line.
const PIECE_CONTEXT_CHARS: usize = 120;
/// A finding longer than this many lines is shown by its first and last lines only.
const LONG_FINDING_LINES: usize = 2 * CONTEXT_LINES + 6;

/// The HTML report: a complete document (`<!DOCTYPE html>` … `</html>`).
pub fn render_html(report: &Report, rules: &RuleSet) -> String {
    let docs = documents(report);
    let titles: BTreeMap<&str, &str> = rules
        .rules
        .iter()
        .map(|r| (r.id.as_str(), r.title.as_str()))
        .collect();
    let mut out = String::with_capacity(64 * 1024);
    page_head(&mut out, report);
    toolbar(&mut out, &docs);
    out.push_str("<main>\n");
    summary(&mut out, report, &docs, &titles);
    for (index, doc) in docs.iter().enumerate() {
        document(&mut out, index + 1, doc, &titles, report.findings.len());
    }
    out.push_str("</main>\n<script>\n");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body>\n</html>\n");
    out
}

/// Text for HTML content and attribute values: `&`, `<`, `>`, `"`, `'` as character
/// references, and NUL (an HTML parse error) as U+FFFD.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// A finding as placed in the page: its number (1-based, in page order; the anchor `f-N`)
/// and its span in the decoded source, on character boundaries and never empty.
#[derive(Debug, Clone)]
struct Placed<'a> {
    n: usize,
    finding: &'a Finding,
    span: Range<usize>,
}

/// One file with findings, in file-name order.
struct Doc<'a> {
    file: &'a str,
    /// The decoded text, when the report kept it.
    text: Option<&'a str>,
    /// Sorted by span (start, end), numbered in that order.
    findings: Vec<Placed<'a>>,
    /// Lines in the text.
    lines: usize,
    /// Too long to show whole: shown as excerpts around the findings.
    excerpted: bool,
}

/// The files with findings, in file-name order, and their findings numbered in page order.
fn documents(report: &Report) -> Vec<Doc<'_>> {
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_file.entry(f.file.as_str()).or_default().push(f);
    }
    let mut n = 0;
    by_file
        .into_iter()
        .map(|(file, findings)| {
            let text = report.sources.get(file).map(String::as_str);
            let mut spans: Vec<(Range<usize>, &Finding)> = findings
                .into_iter()
                .map(|f| {
                    let span = text.map_or(0..0, |t| snap_visible(t, f.source_range.clone()));
                    (span, f)
                })
                .collect();
            spans.sort_by(|(a, f), (b, g)| {
                (a.start, a.end, &f.rule).cmp(&(b.start, b.end, &g.rule))
            });
            let findings = spans
                .into_iter()
                .map(|(span, finding)| {
                    n += 1;
                    Placed { n, finding, span }
                })
                .collect();
            let lines = text.map_or(0, |t| LineIndex::new(t).line_count());
            Doc {
                file,
                text,
                findings,
                lines,
                excerpted: text.is_some_and(|t| t.len() > WHOLE_TEXT_BYTES)
                    || lines > WHOLE_TEXT_LINES,
            }
        })
        .collect()
}

fn page_head(out: &mut String, report: &Report) {
    let counts = SeverityCounts::of(&report.findings);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"loanlint {version}\">\n\
         <title>loanlint report: {findings}</title>\n<style>\n{STYLE}</style>\n</head>\n\
         <body data-script=\"none\">\n<header class=\"page-head\">\n<h1>loanlint report</h1>\n\
         <p class=\"sub\">{files} checked · {findings} ({errors}, {warnings}, {infos}) · \
         {input_errors} · loanlint {version}</p>\n</header>\n",
        version = env!("CARGO_PKG_VERSION"),
        lang = page_language(report),
        findings = count_noun(report.findings.len(), "finding", "findings"),
        files = count_noun(report.files, "file", "files"),
        errors = count_noun(counts.errors, "error", "errors"),
        warnings = count_noun(counts.warnings, "warning", "warnings"),
        infos = count_noun(counts.infos, "info", "infos"),
        input_errors = count_noun(report.input_errors.len(), "input error", "input errors"),
    );
}

/// The filter and navigation bar; hidden until the script shows it (without scripts it would
/// do nothing).
fn toolbar(out: &mut String, docs: &[Doc]) {
    let placed = || docs.iter().flat_map(|d| d.findings.iter());
    let concepts: BTreeSet<&str> = placed().map(|p| p.finding.concept.as_str()).collect();
    let rules: BTreeSet<&str> = placed().map(|p| p.finding.rule.as_str()).collect();
    out.push_str(
        "<nav id=\"toolbar\" class=\"toolbar\" hidden>\n\
         <label>Severity <select id=\"filter-severity\"><option value=\"\">all</option>\
         <option value=\"error\">error</option><option value=\"warning\">warning</option>\
         <option value=\"info\">info</option></select></label>\n",
    );
    select(out, "filter-concept", "Concept", &concepts);
    select(out, "filter-rule", "Rule", &rules);
    out.push_str(
        "<button type=\"button\" id=\"filter-reset\">Show all</button>\n\
         <span class=\"spacer\"></span>\n\
         <button type=\"button\" id=\"nav-prev\" title=\"Previous finding (p)\">◀ Previous</button>\n\
         <button type=\"button\" id=\"nav-next\" title=\"Next finding (n)\">Next ▶</button>\n\
         <span id=\"filter-status\" class=\"status\" aria-live=\"polite\"></span>\n</nav>\n",
    );
}

fn select(out: &mut String, id: &str, label: &str, values: &BTreeSet<&str>) {
    let _ = write!(
        out,
        "<label>{label} <select id=\"{id}\"><option value=\"\">all</option>"
    );
    for v in values {
        let v = escape(v);
        let _ = write!(out, "<option value=\"{v}\">{v}</option>");
    }
    out.push_str("</select></label>\n");
}

/// Counts, and the first finding, per key (severity, concept, rule, file).
struct Tally<'a> {
    count: usize,
    first: usize,
    severity: Severity,
    concept: &'a str,
}

fn tally<'a>(
    docs: &'a [Doc],
    key: impl Fn(&'a Finding) -> &'a str,
) -> BTreeMap<&'a str, Tally<'a>> {
    let mut out: BTreeMap<&str, Tally> = BTreeMap::new();
    for p in docs.iter().flat_map(|d| d.findings.iter()) {
        let t = out.entry(key(p.finding)).or_insert(Tally {
            count: 0,
            first: p.n,
            severity: p.finding.severity,
            concept: &p.finding.concept,
        });
        t.count += 1;
        t.severity = t.severity.max(p.finding.severity);
    }
    out
}

fn summary(out: &mut String, report: &Report, docs: &[Doc], titles: &BTreeMap<&str, &str>) {
    let counts = SeverityCounts::of(&report.findings);
    out.push_str("<section id=\"summary\" class=\"summary\">\n<h2>Summary</h2>\n");
    let _ = writeln!(
        out,
        "<div class=\"cards\">\
         <div class=\"card\"><b id=\"count-files\">{}</b> files checked</div>\
         <div class=\"card\"><b id=\"count-findings\">{}</b> findings</div>\
         <div class=\"card sev-error\"><b id=\"count-error\">{}</b> errors</div>\
         <div class=\"card sev-warning\"><b id=\"count-warning\">{}</b> warnings</div>\
         <div class=\"card sev-info\"><b id=\"count-info\">{}</b> infos</div>\
         <div class=\"card\"><b id=\"count-input-errors\">{}</b> input errors</div></div>",
        report.files,
        report.findings.len(),
        counts.errors,
        counts.warnings,
        counts.infos,
        report.input_errors.len()
    );
    if report.findings.is_empty() {
        out.push_str("<p class=\"clean\">No findings.</p>\n");
    }
    files_table(out, report, docs);
    // Two short tables side by side, so the summary fits a screen (and a page) sooner.
    out.push_str("<div class=\"pair\"><div>\n");
    severity_table(out, docs);
    out.push_str("</div><div>\n");
    concept_table(out, docs);
    out.push_str("</div></div>\n");
    rule_table(out, docs, titles);
    input_errors(out, report);
    out.push_str("</section>\n");
}

fn files_table(out: &mut String, report: &Report, docs: &[Doc]) {
    if docs.is_empty() {
        return;
    }
    out.push_str(
        "<h3>By file</h3>\n<table id=\"by-file\"><thead><tr><th>File</th><th>Findings</th>\
         <th>Errors</th><th>Warnings</th><th>Infos</th><th>Shown</th></tr></thead><tbody>\n",
    );
    for (i, doc) in docs.iter().enumerate() {
        let c = severity_counts(&doc.findings);
        let shown = match doc.text {
            Some(_) if doc.excerpted => "excerpts",
            Some(_) => "whole text",
            None => "notes only",
        };
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#doc-{}\">{}</a></td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td>{shown}</td></tr>",
            i + 1,
            escape(doc.file),
            doc.findings.len(),
            c.errors,
            c.warnings,
            c.infos
        );
    }
    out.push_str("</tbody></table>\n");
    let with_findings: BTreeSet<&str> = docs.iter().map(|d| d.file).collect();
    let clean: Vec<&str> = report
        .subjects
        .iter()
        .map(|s| s.file.as_str())
        .filter(|f| !with_findings.contains(f))
        .collect();
    if !clean.is_empty() {
        let _ = write!(
            out,
            "<details class=\"clean-files\"><summary>{} without findings</summary><ul>",
            count_noun(clean.len(), "file", "files")
        );
        for f in clean {
            let _ = write!(out, "<li>{}</li>", escape(f));
        }
        out.push_str("</ul></details>\n");
    }
}

fn severity_table(out: &mut String, docs: &[Doc]) {
    let by = tally(docs, |f| f.severity.as_str());
    if by.is_empty() {
        return;
    }
    out.push_str(
        "<h3>By severity</h3>\n<table id=\"by-severity\"><thead><tr><th>Severity</th>\
         <th>Findings</th></tr></thead><tbody>\n",
    );
    for s in [Severity::Error, Severity::Warning, Severity::Info] {
        if let Some(t) = by.get(s.as_str()) {
            let name = s.as_str();
            let _ = writeln!(
                out,
                "<tr><td><a href=\"#f-{}\" data-set-severity=\"{name}\">\
                 <span class=\"badge sev-{name}\">{name}</span></a></td>\
                 <td class=\"num\">{}</td></tr>",
                t.first, t.count
            );
        }
    }
    out.push_str("</tbody></table>\n");
}

fn concept_table(out: &mut String, docs: &[Doc]) {
    let by = tally(docs, |f| f.concept.as_str());
    if by.is_empty() {
        return;
    }
    out.push_str(
        "<h3>By concept</h3>\n<table id=\"by-concept\"><thead><tr><th>Concept</th>\
         <th>Findings</th></tr></thead><tbody>\n",
    );
    for (concept, t) in &by {
        let concept = escape(concept);
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#f-{}\" data-set-concept=\"{concept}\">{concept}</a></td>\
             <td class=\"num\">{}</td></tr>",
            t.first, t.count
        );
    }
    out.push_str("</tbody></table>\n");
}

fn rule_table(out: &mut String, docs: &[Doc], titles: &BTreeMap<&str, &str>) {
    let by = tally(docs, |f| f.rule.as_str());
    if by.is_empty() {
        return;
    }
    out.push_str(
        "<h3>By rule</h3>\n<table id=\"by-rule\"><thead><tr><th>Rule</th><th>Severity</th>\
         <th>Title</th><th>Concept</th><th>Findings</th></tr></thead><tbody>\n",
    );
    for (rule, t) in &by {
        let title = titles.get(rule).copied().unwrap_or_default();
        let sev = t.severity.as_str();
        let rule = escape(rule);
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#f-{}\" data-set-rule=\"{rule}\">{rule}</a></td>\
             <td><span class=\"badge sev-{sev}\">{sev}</span></td><td>{}</td><td>{}</td>\
             <td class=\"num\">{}</td></tr>",
            t.first,
            escape(title),
            escape(t.concept),
            t.count
        );
    }
    out.push_str("</tbody></table>\n");
}

fn input_errors(out: &mut String, report: &Report) {
    if report.input_errors.is_empty() {
        return;
    }
    out.push_str("<h3>Input errors</h3>\n<p>These files could not be checked.</p>\n<ul id=\"input-errors\">\n");
    for e in &report.input_errors {
        let place = match e.line {
            Some(line) => format!("{}:{line}", e.file),
            None => e.file.clone(),
        };
        let _ = writeln!(
            out,
            "<li><code>{}</code>: {}</li>",
            escape(&place),
            escape(e.message_without_file())
        );
    }
    out.push_str("</ul>\n");
}

fn severity_counts(findings: &[Placed]) -> SeverityCounts {
    let mut c = SeverityCounts::default();
    for p in findings {
        match p.finding.severity {
            Severity::Error => c.errors += 1,
            Severity::Warning => c.warnings += 1,
            Severity::Info => c.infos += 1,
        }
    }
    c
}

fn document(
    out: &mut String,
    index: usize,
    doc: &Doc,
    titles: &BTreeMap<&str, &str>,
    total: usize,
) {
    let _ = write!(
        out,
        "<section class=\"doc\" id=\"doc-{index}\" data-file=\"{file}\">\n<h2>{file}</h2>\n\
         <p class=\"doc-meta\">{count}</p>\n",
        file = escape(doc.file),
        count = count_noun(doc.findings.len(), "finding", "findings"),
    );
    let Some(text) = doc.text else {
        out.push_str(
            "<p class=\"excerpt-note\">The source text of this file is not part of the \
             report; its findings are listed without context.</p>\n<div class=\"src\">\n",
        );
        for p in &doc.findings {
            note(out, p, titles, total);
        }
        out.push_str("</div>\n</section>\n");
        return;
    };
    if doc.excerpted {
        let _ = writeln!(
            out,
            "<p class=\"excerpt-note\">This document is long ({}, {}): only the text around \
             its findings is shown, {CONTEXT_LINES} lines above and below each, and on lines \
             longer than {LONG_LINE_CHARS} characters {PIECE_CONTEXT_CHARS} characters either \
             side. “…” marks text left out.</p>",
            human_size(text.len()),
            count_noun(doc.lines, "line", "lines"),
        );
    }
    out.push_str("<div class=\"src\">\n");
    let items = layout(text, &doc.findings, doc.excerpted);
    render_items(out, index, text, &items, &doc.findings, titles, total);
    out.push_str("</div>\n</section>\n");
}

fn human_size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// `zh-CN` when the contracts or messages are Chinese, so that the browser picks Chinese
/// glyph forms and line breaking (the page's own labels are English either way).
fn page_language(report: &Report) -> &'static str {
    let chinese = report.sources.values().any(|t| has_han(t))
        || report.findings.iter().any(|f| has_han(&f.message));
    if chinese {
        "zh-CN"
    } else {
        "en"
    }
}

fn has_han(text: &str) -> bool {
    text.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
}

/// What the page shows of a document, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// Text of one line (all of it, or a piece of a long line).
    Row {
        line: usize,
        range: Range<usize>,
        /// Text of the line left out before / after the piece.
        cut_before: bool,
        cut_after: bool,
    },
    /// Lines left out (1-based, inclusive).
    Gap { first: usize, last: usize },
}

/// The rows to show: every line, or (for a long document) the lines around each finding with
/// gaps between them.
fn layout(text: &str, findings: &[Placed], excerpted: bool) -> Vec<Item> {
    let lines = LineIndex::new(text);
    let mut count = lines.line_count();
    // A final line terminator does not start a line a reader would see.
    if count > 1 && lines.line_range(text, count).is_empty() {
        count -= 1;
    }
    let whole_line = |line: usize| Item::Row {
        line,
        range: lines.line_range(text, line),
        cut_before: false,
        cut_after: false,
    };
    if !excerpted {
        return (1..=count).map(whole_line).collect();
    }
    let windows = line_windows(text, &lines, findings, count);
    let mut items = Vec::new();
    let mut next = 1;
    for w in windows {
        if w.start > next {
            items.push(Item::Gap {
                first: next,
                last: w.start - 1,
            });
        }
        for line in w.clone() {
            let range = lines.line_range(text, line);
            items.extend(line_pieces(text, line, range, findings));
        }
        next = w.end;
    }
    if next <= count {
        items.push(Item::Gap {
            first: next,
            last: count,
        });
    }
    items
}

/// The 1-based line ranges (end exclusive) around the findings, merged where they touch.
fn line_windows(
    text: &str,
    lines: &LineIndex,
    findings: &[Placed],
    count: usize,
) -> Vec<Range<usize>> {
    let around = |from: usize, to: usize| {
        from.saturating_sub(CONTEXT_LINES).max(1)..(to + CONTEXT_LINES).min(count) + 1
    };
    let mut windows: Vec<Range<usize>> = Vec::new();
    for p in findings {
        let first = line_of(text, lines, count, p.span.start);
        let last = line_of(
            text,
            lines,
            count,
            p.span.end.saturating_sub(1).max(p.span.start),
        );
        if last - first > LONG_FINDING_LINES {
            windows.push(around(first, first));
            windows.push(around(last, last));
        } else {
            windows.push(around(first, last));
        }
    }
    windows.sort_by_key(|w| (w.start, w.end));
    let mut merged: Vec<Range<usize>> = Vec::new();
    for w in windows {
        match merged.last_mut() {
            Some(m) if w.start <= m.end => m.end = m.end.max(w.end),
            _ => merged.push(w),
        }
    }
    merged
}

/// The 1-based line holding `byte`, by binary search (`LineIndex::line_col` also counts the
/// column, which on a one-line megabyte document costs a megabyte per finding).
fn line_of(text: &str, lines: &LineIndex, count: usize, byte: usize) -> usize {
    let (mut low, mut high) = (1, count.max(1));
    while low < high {
        let mid = low + (high - low).div_ceil(2);
        if lines.line_range(text, mid).start <= byte {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    low
}

/// One line as rows: whole, or when it is very long, pieces around the findings on it.
fn line_pieces(text: &str, line: usize, range: Range<usize>, findings: &[Placed]) -> Vec<Item> {
    let line_text = text.get(range.clone()).unwrap_or_default();
    if line_text.chars().nth(LONG_LINE_CHARS).is_none() {
        return vec![Item::Row {
            line,
            range,
            cut_before: false,
            cut_after: false,
        }];
    }
    let mut pieces: Vec<Range<usize>> = Vec::new();
    for p in findings {
        let start = p.span.start.max(range.start);
        let end = p.span.end.min(range.end);
        if start >= end {
            continue;
        }
        let long = text
            .get(start..end)
            .is_some_and(|s| s.chars().nth(2 * PIECE_CONTEXT_CHARS).is_some());
        if long {
            // Its start and its end, each with context; the middle is left out.
            pieces.push(piece_around(text, &range, start, start));
            pieces.push(piece_around(text, &range, end, end));
        } else {
            pieces.push(piece_around(text, &range, start, end));
        }
    }
    if pieces.is_empty() {
        // A context line: its beginning.
        pieces.push(
            range.start..forward_chars(text, range.start, range.end, 2 * PIECE_CONTEXT_CHARS),
        );
    }
    pieces.sort_by_key(|p| (p.start, p.end));
    let mut merged: Vec<Range<usize>> = Vec::new();
    for p in pieces {
        match merged.last_mut() {
            Some(m) if p.start <= m.end => m.end = m.end.max(p.end),
            _ => merged.push(p),
        }
    }
    merged
        .into_iter()
        .map(|piece| Item::Row {
            line,
            cut_before: piece.start > range.start,
            cut_after: piece.end < range.end,
            range: piece,
        })
        .collect()
}

fn piece_around(text: &str, line: &Range<usize>, start: usize, end: usize) -> Range<usize> {
    back_chars(text, line.start, start, PIECE_CONTEXT_CHARS)
        ..forward_chars(text, end, line.end, PIECE_CONTEXT_CHARS)
}

/// The char boundary `n` characters before `from`, not before `floor`.
fn back_chars(text: &str, floor: usize, from: usize, n: usize) -> usize {
    let from = floor_char_boundary(text, from);
    text.get(floor..from)
        .and_then(|s| s.char_indices().rev().nth(n.saturating_sub(1)))
        .map_or(floor, |(i, _)| floor + i)
}

/// The char boundary `n` characters after `from`, not after `ceiling`.
fn forward_chars(text: &str, from: usize, ceiling: usize, n: usize) -> usize {
    let from = ceil_char_boundary(text, from);
    text.get(from..ceiling)
        .and_then(|s| s.char_indices().nth(n))
        .map_or(ceiling, |(i, _)| from + i)
}

/// A stretch of a row covered by the same set of findings (indices into the document's
/// findings); the empty set is plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Segment {
    range: Range<usize>,
    covering: Vec<usize>,
}

/// Cut `row` at every finding start and end inside it. Overlapping and nested findings become
/// flat, adjacent segments, so the marks never nest or cross and the markup stays well formed.
fn segments(row: &Range<usize>, findings: &[&Placed]) -> Vec<Segment> {
    let inside: Vec<usize> = findings
        .iter()
        .enumerate()
        .filter(|(_, p)| p.span.start < row.end && p.span.end > row.start)
        .map(|(i, _)| i)
        .collect();
    let mut cuts: BTreeSet<usize> = BTreeSet::from([row.start, row.end]);
    for &i in &inside {
        if let Some(p) = findings.get(i) {
            cuts.insert(p.span.start.clamp(row.start, row.end));
            cuts.insert(p.span.end.clamp(row.start, row.end));
        }
    }
    let cuts: Vec<usize> = cuts.into_iter().collect();
    cuts.windows(2)
        .filter_map(|w| match w {
            [a, b] if a < b => Some(*a..*b),
            _ => None,
        })
        .map(|range| Segment {
            covering: inside
                .iter()
                .copied()
                .filter(|&i| {
                    findings
                        .get(i)
                        .is_some_and(|p| p.span.start <= range.start && p.span.end >= range.end)
                })
                .collect(),
            range,
        })
        .collect()
}

fn render_items(
    out: &mut String,
    doc: usize,
    text: &str,
    items: &[Item],
    findings: &[Placed],
    titles: &BTreeMap<&str, &str>,
    total: usize,
) {
    let mut sweep = Sweep::new(findings);
    let mut previous_line = 0;
    for item in items {
        match item {
            Item::Gap { first, last } => {
                let _ = writeln!(
                    out,
                    "<div class=\"gap\">… {} not shown ({first}–{last}) …</div>",
                    count_noun(last - first + 1, "line", "lines")
                );
            }
            Item::Row {
                line,
                range,
                cut_before,
                cut_after,
            } => {
                for p in sweep.enter(range) {
                    note(out, p, titles, total);
                }
                let id = if *line != previous_line {
                    format!(" id=\"d{doc}-l{line}\"")
                } else {
                    String::new()
                };
                previous_line = *line;
                let cuts = (*cut_before, *cut_after);
                row(out, &id, *line, text, range, cuts, &sweep.active);
                // Each note goes under the last row its finding reaches.
                for p in sweep.leave(range) {
                    note(out, p, titles, total);
                }
            }
        }
    }
    // Findings on no shown row (e.g. in an empty text): notes at the end, so none is lost.
    for p in sweep.rest() {
        note(out, p, titles, total);
    }
}

/// The findings on each row, for rows visited in text order (rows do not overlap; findings
/// are sorted by start): a document costs rows + findings, not rows × findings.
struct Sweep<'p, 'a> {
    findings: &'p [Placed<'a>],
    /// The first finding not yet met.
    next: usize,
    /// Findings met and not yet ended, in page order.
    active: Vec<&'p Placed<'a>>,
}

impl<'p, 'a> Sweep<'p, 'a> {
    fn new(findings: &'p [Placed<'a>]) -> Self {
        Sweep {
            findings,
            next: 0,
            active: Vec::new(),
        }
    }

    /// Make the findings on `row` active; returns those that ended before it (in left-out
    /// text), whose notes are due.
    fn enter(&mut self, row: &Range<usize>) -> Vec<&'p Placed<'a>> {
        let mut ended: Vec<&Placed> = Vec::new();
        self.active.retain(|p| {
            let before = p.span.end <= row.start;
            if before {
                ended.push(p);
            }
            !before
        });
        while let Some(p) = self.findings.get(self.next) {
            if p.span.start >= row.end {
                break;
            }
            if p.span.end <= row.start {
                ended.push(p);
            } else {
                self.active.push(p);
            }
            self.next += 1;
        }
        ended
    }

    /// The findings that end on `row`, no longer active.
    fn leave(&mut self, row: &Range<usize>) -> Vec<&'p Placed<'a>> {
        let mut ended: Vec<&Placed> = Vec::new();
        self.active.retain(|p| {
            let ends = p.span.end <= row.end;
            if ends {
                ended.push(p);
            }
            !ends
        });
        ended
    }

    /// Findings never shown to the end.
    fn rest(self) -> impl Iterator<Item = &'p Placed<'a>> {
        self.active
            .into_iter()
            .chain(self.findings.get(self.next..).unwrap_or_default())
    }
}

fn row(
    out: &mut String,
    id: &str,
    line: usize,
    text: &str,
    range: &Range<usize>,
    (cut_before, cut_after): (bool, bool),
    findings: &[&Placed],
) {
    let _ = write!(
        out,
        "<div class=\"row\"{id}><span class=\"ln\">{line}</span><span class=\"lt\">"
    );
    if cut_before {
        out.push_str("<span class=\"cut\">…</span>");
    }
    for seg in segments(range, findings) {
        let piece = text.get(seg.range.clone()).unwrap_or_default();
        if seg.covering.is_empty() {
            push_escaped(out, piece);
            continue;
        }
        mark(out, piece, &seg.covering, findings);
    }
    if cut_after {
        out.push_str("<span class=\"cut\">…</span>");
    }
    out.push_str("</span></div>\n");
}

/// A highlighted segment: coloured by its most severe finding; `data-f` lists the findings
/// it belongs to (for the filter and navigation), `title` their rules and messages.
fn mark(out: &mut String, piece: &str, covering: &[usize], findings: &[&Placed]) {
    let covered: Vec<&Placed> = covering
        .iter()
        .filter_map(|&i| findings.get(i).copied())
        .collect();
    let severity = covered
        .iter()
        .map(|p| p.finding.severity)
        .max()
        .unwrap_or(Severity::Info);
    let ids: Vec<String> = covered.iter().map(|p| p.n.to_string()).collect();
    let tip: Vec<String> = covered
        .iter()
        .map(|p| format!("{}: {}", p.finding.rule, p.finding.message))
        .collect();
    let _ = write!(
        out,
        "<mark class=\"hl\" data-sev=\"{}\" data-count=\"{}\" data-f=\"{}\" title=\"{}\">",
        severity.as_str(),
        covered.len(),
        ids.join(" "),
        escape(&tip.join("\n"))
    );
    push_escaped(out, piece);
    out.push_str("</mark>");
}

fn note(out: &mut String, p: &Placed, titles: &BTreeMap<&str, &str>, total: usize) {
    let f = p.finding;
    let sev = f.severity.as_str();
    let title = titles.get(f.rule.as_str()).copied().unwrap_or_default();
    let mut place = format!("line {}:{}", f.line, f.column);
    if let Some(clause) = &f.clause {
        place.push_str(" · ");
        place.push_str(clause);
    }
    if let Some(record) = &f.record {
        place.push_str(" · record ");
        place.push_str(record);
    }
    let _ = write!(
        out,
        "<aside class=\"note\" id=\"f-{n}\" data-n=\"{n}\" data-severity=\"{sev}\" \
         data-concept=\"{concept}\" data-rule=\"{rule}\">\n\
         <div class=\"note-head\"><span class=\"badge sev-{sev}\">{sev}</span> \
         <b class=\"rule\">{rule}</b> <span class=\"title\">{title}</span> \
         <span class=\"concept\">{concept}</span> <span class=\"where\">{place}</span>\
         <span class=\"links\">",
        n = p.n,
        concept = escape(&f.concept),
        rule = escape(&f.rule),
        title = escape(title),
        place = escape(&place),
    );
    if p.n > 1 {
        let _ = write!(out, "<a href=\"#f-{}\" class=\"prev\">◀</a>", p.n - 1);
    }
    if p.n < total {
        let _ = write!(out, "<a href=\"#f-{}\" class=\"next\">▶</a>", p.n + 1);
    }
    let _ = write!(
        out,
        "<a href=\"#summary\" class=\"up\">summary</a></span></div>\n\
         <p class=\"msg\">{}</p>\n",
        escape(&f.message)
    );
    if !f.cite.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"cite\"><span class=\"label\">Citation</span> {}</p>",
            escape(&f.cite)
        );
    }
    if !f.help.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"help\"><span class=\"label\">Help</span> {}</p>",
            escape(&f.help)
        );
    }
    out.push_str("</aside>\n");
}

#[cfg(test)]
mod tests {
    use super::super::tests::{finding, sample_report, SAMPLE_SOURCE};
    use super::*;

    fn placed(n: usize, f: &Finding, span: Range<usize>) -> Placed<'_> {
        Placed {
            n,
            finding: f,
            span,
        }
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert("x&y")</script> 'q'"#),
            "&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt; &#39;q&#39;"
        );
        assert_eq!(escape("第五条\0"), "第五条\u{FFFD}");
    }

    #[test]
    fn overlapping_findings_become_flat_segments() {
        let f = finding("R", Severity::Error, (1, 1, 2), 0..1, None);
        // 0..10 and 5..15 cross; 7..8 is nested in both.
        let spans = [
            placed(1, &f, 0..10),
            placed(2, &f, 5..15),
            placed(3, &f, 7..8),
        ];
        let segs = segments(&(0..20), &spans.iter().collect::<Vec<_>>());
        let flat: Vec<(Range<usize>, Vec<usize>)> =
            segs.into_iter().map(|s| (s.range, s.covering)).collect();
        assert_eq!(
            flat,
            vec![
                (0..5, vec![0]),
                (5..7, vec![0, 1]),
                (7..8, vec![0, 1, 2]),
                (8..10, vec![0, 1]),
                (10..15, vec![1]),
                (15..20, vec![]),
            ]
        );
    }

    #[test]
    fn segments_are_clipped_to_the_row() {
        let f = finding("R", Severity::Error, (1, 1, 2), 0..1, None);
        let spans = [placed(1, &f, 3..30)];
        let segs = segments(&(10..20), &spans.iter().collect::<Vec<_>>());
        assert_eq!(
            segs,
            vec![Segment {
                range: 10..20,
                covering: vec![0]
            }]
        );
    }

    /// Every opened tag closed in order: the markup of one row parses as a tree.
    fn balanced(html: &str) -> bool {
        let mut stack: Vec<String> = Vec::new();
        let mut rest = html;
        while let Some(at) = rest.find('<') {
            rest = &rest[at + 1..];
            let end = rest.find('>').unwrap();
            let tag = &rest[..end];
            rest = &rest[end + 1..];
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if tag.starts_with('/') {
                if stack.pop().as_deref() != Some(name.as_str()) {
                    return false;
                }
            } else {
                stack.push(name);
            }
        }
        stack.is_empty()
    }

    #[test]
    fn a_row_with_crossing_findings_is_well_formed_and_escaped() {
        let text = "甲<b>乙丙丁";
        let f = finding("R-1", Severity::Warning, (1, 1, 2), 0..1, None);
        let g = finding("R-2", Severity::Error, (1, 1, 2), 0..1, None);
        // 甲<b> and <b>乙 overlap on "<b>".
        let spans = [placed(1, &f, 0..6), placed(2, &g, 3..9)];
        let mut out = String::new();
        row(
            &mut out,
            "",
            1,
            text,
            &(0..text.len()),
            (false, false),
            &[&spans[0], &spans[1]],
        );
        assert!(balanced(&out), "{out}");
        assert!(!out.contains("<b>"), "{out}");
        assert!(out.contains(
            "<mark class=\"hl\" data-sev=\"error\" data-count=\"2\" data-f=\"1 2\" \
             title=\"R-1: 格式条款约定经营者享有最终解释权\nR-2: 格式条款约定经营者享有最终解释权\">\
             &lt;b&gt;</mark>"
        ), "{out}");
        assert!(
            out.contains("data-f=\"1\" title=\"R-1: 格式条款约定经营者享有最终解释权\">甲</mark>"),
            "{out}"
        );
        assert!(out.ends_with("data-f=\"2\" title=\"R-2: 格式条款约定经营者享有最终解释权\">乙</mark>丙丁</span></div>\n"), "{out}");
    }

    #[test]
    fn a_note_follows_the_last_line_of_its_finding() {
        let text = "甲\n乙\n丙\n";
        let f = finding("R-1", Severity::Error, (1, 1, 2), 0..7, None);
        let report = Report {
            files: 1,
            findings: vec![f],
            sources: BTreeMap::from([("contract.txt".to_string(), text.to_string())]),
            ..Report::default()
        };
        let html = render_html(&report, &RuleSet::default());
        let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("no {s} in {html}"));
        assert!(at(">甲</mark>") < at(">乙</mark>"));
        assert!(at(">乙</mark>") < at("<aside class=\"note\" id=\"f-1\""));
        assert!(at("<aside class=\"note\" id=\"f-1\"") < at("<span class=\"ln\">3</span>"));
        assert!(html.contains("<span class=\"ln\">3</span><span class=\"lt\">丙</span>"));
        assert!(html.contains("<html lang=\"zh-CN\">"));
    }

    #[test]
    fn a_long_finding_in_a_long_document_shows_its_ends_and_one_note() {
        let mut text = String::new();
        for i in 1..=10_000 {
            let _ = writeln!(text, "第{i}行");
        }
        let start = text.find("第100行").unwrap();
        let end = text.find("第200行").unwrap() + "第200行".len();
        let f = finding("R-1", Severity::Warning, (100, 1, 5), start..end, None);
        let report = Report {
            files: 1,
            findings: vec![f],
            sources: BTreeMap::from([("contract.txt".to_string(), text)]),
            ..Report::default()
        };
        let html = render_html(&report, &RuleSet::default());
        assert!(html.contains("… 96 lines not shown (1–96) …"));
        assert!(html.contains("… 93 lines not shown (104–196) …"));
        assert!(html.contains("… 9797 lines not shown (204–10000) …"));
        assert_eq!(html.matches("<aside class=\"note\"").count(), 1);
        let note = html.find("<aside").unwrap();
        assert!(html.find(">第200行</mark>").unwrap() < note);
        assert!(note < html.find("<span class=\"ln\">201</span>").unwrap());
    }

    #[test]
    fn line_of_finds_the_line_by_byte() {
        let text = "甲\n\n乙丙\r\n丁";
        let lines = LineIndex::new(text);
        let count = lines.line_count();
        let of = |b| line_of(text, &lines, count, b);
        assert_eq!(
            [of(0), of(3), of(4), of(5), of(8), of(12), of(13), of(99)],
            [1, 1, 2, 3, 3, 3, 4, 4]
        );
    }

    #[test]
    fn a_clean_run_says_so() {
        let report = Report {
            files: 3,
            ..Report::default()
        };
        let html = render_html(&report, &RuleSet::default());
        assert!(html.contains("<p class=\"clean\">No findings.</p>"));
        assert!(html.contains("<b id=\"count-files\">3</b>"));
        assert!(!html.contains("<section class=\"doc\""));
        assert!(html.contains("<html lang=\"en\">"));
        assert!(html.ends_with("</html>\n"));
    }

    #[test]
    fn short_documents_are_shown_whole() {
        let r = sample_report();
        let html = render_html(&r, &RuleSet::default());
        // Three lines of the sample, the trailing newline adds none.
        assert_eq!(html.matches("<div class=\"row\"").count(), 3);
        assert!(
            html.contains("<mark class=\"hl\" data-sev=\"error\" data-count=\"1\" data-f=\"1\"")
        );
        let first = &SAMPLE_SOURCE[42..75];
        assert!(html.contains(&format!(">{first}</mark>")), "{html}");
        assert!(!html.contains("class=\"gap\""));
        assert!(html.contains("<b id=\"count-findings\">2</b>"));
        assert!(html.contains("<b id=\"count-input-errors\">1</b>"));
        assert!(html.contains("<code>bad.txt:1</code>: not valid UTF-8"));
        assert!(
            html.contains("<li>english.txt</li>"),
            "clean files are listed"
        );
    }

    #[test]
    fn long_documents_show_excerpts_with_gaps() {
        let mut text = String::new();
        for i in 1..=20_000 {
            let _ = writeln!(text, "第{i}行 普通条款内容。");
        }
        let at = text.find("第10000行").unwrap();
        let mut f = finding("R-1", Severity::Error, (10_000, 1, 7), at..at + 8, None);
        f.snippet = "第10000".into();
        let report = Report {
            files: 1,
            findings: vec![f],
            sources: BTreeMap::from([("contract.txt".to_string(), text)]),
            ..Report::default()
        };
        let html = render_html(&report, &RuleSet::default());
        assert!(html.len() < 20_000, "{} bytes", html.len());
        assert_eq!(
            html.matches("<div class=\"row\"").count(),
            2 * CONTEXT_LINES + 1
        );
        assert!(html.contains("<div class=\"gap\">… 9996 lines not shown (1–9996) …</div>"));
        assert!(html.contains("<div class=\"gap\">… 9997 lines not shown (10004–20000) …</div>"));
        assert!(html.contains(">第10000</mark>行"));
        assert!(html.contains("only the text around its findings is shown"));
    }

    #[test]
    fn a_long_line_is_cut_around_findings_on_char_boundaries() {
        let text = "前".repeat(5_000) + "最终解释权" + &"后".repeat(300_000);
        let start = "前".len() * 5_000;
        let f = finding(
            "R-1",
            Severity::Warning,
            (1, 5001, 5006),
            start..start + 15,
            None,
        );
        let report = Report {
            files: 1,
            findings: vec![f],
            sources: BTreeMap::from([("contract.txt".to_string(), text)]),
            ..Report::default()
        };
        let html = render_html(&report, &RuleSet::default());
        let expected = format!(
            "<span class=\"cut\">…</span>{}<mark",
            "前".repeat(PIECE_CONTEXT_CHARS)
        );
        assert!(html.contains(&expected));
        let after = format!(
            ">最终解释权</mark>{}<span class=\"cut\">…</span>",
            "后".repeat(PIECE_CONTEXT_CHARS)
        );
        assert!(html.contains(&after));
        assert!(html.len() < 20_000, "{} bytes", html.len());
    }

    #[test]
    fn a_finding_off_char_boundaries_is_snapped_not_split() {
        let text = "第五条 最终解释权";
        // 1..5 cuts into 第 and 五.
        let f = finding("R-1", Severity::Info, (1, 1, 3), 1..5, None);
        let report = Report {
            files: 1,
            findings: vec![f],
            sources: BTreeMap::from([("contract.txt".to_string(), text.to_string())]),
            ..Report::default()
        };
        let html = render_html(&report, &RuleSet::default());
        assert!(html.contains(">第五</mark>条 最终解释权"), "{html}");
    }

    #[test]
    fn script_in_a_contract_is_text() {
        let text = "第一条 <script>alert(1)</script> 最终解释权归贷款人所有";
        let at = text.find("最终").unwrap();
        let mut f = finding("R-1", Severity::Error, (1, 1, 3), at..text.len(), None);
        f.message = "</aside><script>bad()</script>".into();
        f.file = "<x>.txt".into();
        let report = Report {
            files: 1,
            findings: vec![f],
            sources: BTreeMap::from([("<x>.txt".to_string(), text.to_string())]),
            ..Report::default()
        };
        let html = render_html(&report, &RuleSet::default());
        assert_eq!(
            html.matches("<script>").count(),
            1,
            "only the report's own script"
        );
        assert!(html.contains("第一条 &lt;script&gt;alert(1)&lt;/script&gt; <mark"));
        assert!(html.contains("<h2>&lt;x&gt;.txt</h2>"));
        assert!(
            html.contains("<p class=\"msg\">&lt;/aside&gt;&lt;script&gt;bad()&lt;/script&gt;</p>")
        );
    }

    #[test]
    fn findings_without_source_keep_their_notes() {
        let mut r = sample_report();
        r.sources.clear();
        let html = render_html(&r, &RuleSet::default());
        assert_eq!(html.matches("<aside class=\"note\"").count(), 2);
        assert!(html.contains("its findings are listed without context"));
    }
}
