//! Inline suppressions: comments in a contract that silence named rules on one line or in the
//! whole file, each with a reason.
//!
//! ```text
//! <!-- loanlint-disable-next-line CN-FMT-003: 经法务部审核，保留 -->     Markdown / HTML
//! # loanlint-disable-next-line CN-FMT-003, CN-STD-*: reviewed by legal   any text
//! 【loanlint-disable-line CN-FMT-003：已备案】                           same line
//! // loanlint-disable-file format-clause.final-interpretation: template  whole file
//! ```
//!
//! Directives are read from the decoded source text (`Document::source`), where HTML and
//! Markdown comments survive although the checked text drops them; a plain-text directive is
//! any line holding `loanlint-disable…`, whatever comment marker the author puts before it.
//! `-next-line` applies to the next line with content (blank lines, closing `-->` / `*/` lines
//! and other directive lines are skipped); a finding is matched by the line it starts on.
//!
//! A directive that names no rule, gives no reason, names a rule that is not loaded, or
//! silences nothing is itself reported, as a warning of the meta-rule [`META_RULE`]; a
//! directive without a reason silences nothing.

use crate::document::Document;
use crate::engine::{Finding, Severity};
use std::ops::Range;

/// The rule id of findings about the suppression comments themselves.
pub const META_RULE: &str = "LL-SUPPRESS";
const META_CONCEPT: &str = "loanlint.suppression";
const MARKER: &str = "loanlint-disable";
const SYNTAX_HELP: &str = "write `loanlint-disable-next-line RULE[, RULE…]: reason` (also \
    `-line` for the same line, `-file` for the whole file); RULE is a rule id, an id prefix \
    ending in `*`, or a concept id";

/// How a finding was silenced (the SARIF `suppression.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SuppressionKind {
    /// A comment in the contract.
    InSource,
    /// Outside the contract: a baseline file.
    External,
}

/// A finding that was found but is not reported as active.
#[derive(Debug, Clone, PartialEq)]
pub struct Suppressed {
    pub finding: Finding,
    pub kind: SuppressionKind,
    /// The reason given in the comment, or which baseline holds the finding.
    pub justification: String,
}

/// Findings split by the file's suppression comments, plus findings about the comments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// Findings to report, including [`META_RULE`] findings about the comments.
    pub active: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Findings starting on this 1-based source line.
    Line(usize),
    File,
    /// A `-next-line` directive with no line of content after it.
    NoNextLine,
}

/// One parsed `loanlint-disable…` comment.
#[derive(Debug, Clone)]
struct Directive {
    /// The directive text in `Document::source`, from the marker to the end of the comment.
    range: Range<usize>,
    scope: Option<Scope>,
    rules: Vec<String>,
    reason: String,
    /// Per entry of `rules`: whether it silenced a finding.
    used: Vec<bool>,
}

/// Split `findings` (all from `doc`) into active and suppressed ones by the comments in `doc`;
/// `is_loaded` says whether a rule id, prefix or concept names any loaded rule.
pub fn apply(doc: &Document, findings: Vec<Finding>, is_loaded: &dyn Fn(&str) -> bool) -> Outcome {
    let mut directives = parse_directives(&doc.source);
    if directives.is_empty() {
        return Outcome {
            active: findings,
            suppressed: Vec::new(),
        };
    }
    let mut outcome = Outcome::default();
    for f in findings {
        match silencing_directive(&mut directives, &f) {
            Some(reason) => outcome.suppressed.push(Suppressed {
                finding: f,
                kind: SuppressionKind::InSource,
                justification: reason,
            }),
            None => outcome.active.push(f),
        }
    }
    for d in &directives {
        for message in problems(d, is_loaded) {
            outcome
                .active
                .push(meta_finding(doc, d.range.clone(), message));
        }
    }
    crate::lint::sort_findings(&mut outcome.active);
    outcome
}

/// [`apply`] with the rules of `rules` as the loaded ones.
pub fn apply_for_rules(
    doc: &Document,
    findings: Vec<Finding>,
    rules: &crate::lang::ir::RuleSet,
) -> Outcome {
    let is_loaded = |entry: &str| rules.rules.iter().any(|r| names(entry, &r.id, &r.concept));
    apply(doc, findings, &is_loaded)
}

/// The reason of the first valid directive that covers `f`, marking the rule entry used.
fn silencing_directive(directives: &mut [Directive], f: &Finding) -> Option<String> {
    for d in directives.iter_mut() {
        let covers = match d.scope {
            Some(Scope::Line(line)) => f.line == line,
            Some(Scope::File) => true,
            Some(Scope::NoNextLine) | None => false,
        };
        if !covers || d.reason.is_empty() {
            continue;
        }
        if let Some(i) = d.rules.iter().position(|r| names(r, &f.rule, &f.concept)) {
            if let Some(used) = d.used.get_mut(i) {
                *used = true;
            }
            return Some(d.reason.clone());
        }
    }
    None
}

/// Whether a directive's rule entry (id, `PREFIX*` or concept) names this rule.
pub fn names(entry: &str, rule: &str, concept: &str) -> bool {
    match entry.strip_suffix('*') {
        Some(prefix) => rule.starts_with(prefix) || concept.starts_with(prefix),
        None => entry == rule || entry == concept,
    }
}

/// What is wrong with a directive, one message per problem.
fn problems(d: &Directive, is_loaded: &dyn Fn(&str) -> bool) -> Vec<String> {
    let Some(scope) = d.scope else {
        return vec![format!(
            "unknown suppression comment: use {MARKER}-next-line, {MARKER}-line or {MARKER}-file"
        )];
    };
    if scope == Scope::NoNextLine {
        return vec!["suppression comment has no line after it to apply to".to_string()];
    }
    if d.rules.is_empty() {
        return vec!["suppression comment names no rule".to_string()];
    }
    if d.reason.is_empty() {
        return vec![format!(
            "suppression of {} gives no reason after `:`, so it silences nothing",
            d.rules.join(", ")
        )];
    }
    let mut out = Vec::new();
    for (rule, used) in d.rules.iter().zip(&d.used) {
        if !is_loaded(rule) {
            out.push(format!(
                "suppression names `{rule}`, which is no loaded rule"
            ));
        } else if !used {
            let place = match scope {
                Scope::Line(line) => format!("on line {line}"),
                Scope::File | Scope::NoNextLine => "in this file".to_string(),
            };
            out.push(format!(
                "unused suppression: no `{rule}` finding {place} to silence"
            ));
        }
    }
    out
}

fn meta_finding(doc: &Document, range: Range<usize>, message: String) -> Finding {
    let (line, column) = doc.source_lines.line_col(&doc.source, range.start);
    let (end_line, end_column) = doc.source_lines.line_col(&doc.source, range.end);
    let file = doc.source_to_file(range.clone());
    Finding {
        rule: META_RULE.to_string(),
        concept: META_CONCEPT.to_string(),
        severity: Severity::Warning,
        message,
        file: doc.path.clone(),
        line,
        column,
        end_line,
        end_column,
        byte_start: file.start,
        byte_end: file.end,
        cite: String::new(),
        help: SYNTAX_HELP.to_string(),
        snippet: doc
            .source
            .get(range.clone())
            .unwrap_or_default()
            .to_string(),
        clause: None,
        record: None,
        source_range: range,
    }
}

/// One source line: its 1-based number and byte range (without the terminator).
struct SourceLine<'a> {
    number: usize,
    start: usize,
    text: &'a str,
}

fn source_lines(source: &str) -> Vec<SourceLine<'_>> {
    let mut start = 0;
    source
        .split('\n')
        .enumerate()
        .map(|(i, raw)| {
            let line = SourceLine {
                number: i + 1,
                start,
                text: raw.strip_suffix('\r').unwrap_or(raw),
            };
            start += raw.len() + 1;
            line
        })
        .collect()
}

fn parse_directives(source: &str) -> Vec<Directive> {
    if !source.contains(MARKER) {
        return Vec::new();
    }
    let lines = source_lines(source);
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(at) = line.text.find(MARKER) else {
            continue;
        };
        let rest = line.text.get(at + MARKER.len()..).unwrap_or_default();
        let (scope, body) = if let Some(body) = rest.strip_prefix("-next-line") {
            let target = target_after(&lines, i).map_or(Scope::NoNextLine, Scope::Line);
            (Some(target), body)
        } else if let Some(body) = rest.strip_prefix("-line") {
            (Some(Scope::Line(line.number)), body)
        } else if let Some(body) = rest.strip_prefix("-file") {
            (Some(Scope::File), body)
        } else {
            (None, rest)
        };
        // `body` is a suffix of the line; the comment text is a prefix of `body`.
        let body_start = line.text.len() - body.len();
        let valid_body = body.is_empty()
            || body.starts_with(|c: char| c.is_whitespace() || c == ':' || c == '：');
        let body = cut_at_comment_end(body);
        let end = line.start + body_start + body.len();
        let (rules, reason) = split_rules_and_reason(body);
        out.push(Directive {
            range: line.start + at..end,
            // `loanlint-disable-lines …` is a typo, not a `-line` directive.
            scope: scope.filter(|_| valid_body),
            used: vec![false; rules.len()],
            rules,
            reason,
        });
    }
    out
}

/// The 1-based number of the next line with content after line index `i`, skipping blank
/// lines, lines that only close a comment, and other directives.
fn target_after(lines: &[SourceLine], i: usize) -> Option<usize> {
    lines.iter().skip(i + 1).find_map(|l| {
        let t = l.text.trim();
        let skip = t.is_empty() || t == "-->" || t == "*/" || t.contains(MARKER);
        (!skip).then_some(l.number)
    })
}

/// The directive body up to the end of its comment (`-->`, `*/`, `】`).
fn cut_at_comment_end(body: &str) -> &str {
    let end = ["-->", "*/", "】"]
        .iter()
        .filter_map(|closer| body.find(closer))
        .min()
        .unwrap_or(body.len());
    body.get(..end).unwrap_or(body).trim_end()
}

/// `CN-FMT-003, CN-STD-*: reason` -> (rule entries, reason). A full-width `：` separates too;
/// rules are separated by commas (`,` `，` `、`) or spaces. Without a separator there is no
/// reason, and the leading rule-like words are the rules.
fn split_rules_and_reason(body: &str) -> (Vec<String>, String) {
    let (rules, reason) = match body.find([':', '：']) {
        Some(at) => {
            let sep_len = body
                .get(at..)
                .and_then(|s| s.chars().next())
                .map_or(1, char::len_utf8);
            (
                body.get(..at).unwrap_or_default(),
                body.get(at + sep_len..).unwrap_or_default().trim(),
            )
        }
        None => (body, ""),
    };
    let has_separator = body.contains([':', '：']);
    let rules = rules
        .split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        // Without a `:`, words of a reason written in English must not pass for rules.
        .take_while(|w| is_rule_word(w) && (has_separator || w.contains(['-', '.', '*'])))
        .map(str::to_string)
        .collect();
    (rules, reason.to_string())
}

/// A rule id (`CN-FMT-003`), prefix (`CN-FMT-*`) or concept id (`format-clause.x`).
fn is_rule_word(w: &str) -> bool {
    w.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.*".contains(c))
        && w.chars().any(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Format;

    fn doc(format: Format, source: &str) -> Document {
        Document::from_source("c.md", format, source.to_string(), 0)
    }

    /// A finding of `rule` starting on 1-based `line`.
    fn finding_on(rule: &str, line: usize) -> Finding {
        let mut f = crate::report::tests::finding(rule, Severity::Error, (line, 1, 2), 0..1, None);
        f.concept = "format-clause.final-interpretation".into();
        f
    }

    fn loaded(entry: &str) -> bool {
        ["CN-FMT-001", "CN-FMT-002", "CN-STD-001"]
            .iter()
            .any(|id| names(entry, id, "format-clause.final-interpretation"))
    }

    fn run(format: Format, source: &str, findings: Vec<Finding>) -> Outcome {
        apply(&doc(format, source), findings, &loaded)
    }

    fn messages(o: &Outcome) -> Vec<(usize, String)> {
        o.active
            .iter()
            .filter(|f| f.rule == META_RULE)
            .map(|f| (f.line, f.message.clone()))
            .collect()
    }

    #[test]
    fn next_line_comment_silences_the_next_line_with_content() {
        let src = "甲\n<!-- loanlint-disable-next-line CN-FMT-001: 经法务审核 -->\n\n乙\n丙\n";
        let o = run(
            Format::Markdown,
            src,
            vec![finding_on("CN-FMT-001", 4), finding_on("CN-FMT-001", 5)],
        );
        assert_eq!(o.suppressed.len(), 1);
        assert_eq!(o.suppressed[0].finding.line, 4);
        assert_eq!(o.suppressed[0].justification, "经法务审核");
        assert_eq!(o.suppressed[0].kind, SuppressionKind::InSource);
        assert_eq!(o.active.len(), 1);
        assert_eq!(o.active[0].line, 5);
    }

    #[test]
    fn plain_text_forms_lists_prefixes_concepts_and_full_width_colon() {
        let src = "# loanlint-disable-file CN-STD-*: 模板\n\
                   第五条 甲 【loanlint-disable-line CN-FMT-001，CN-FMT-002：已备案】\n\
                   // loanlint-disable-next-line format-clause.final-interpretation: ok\n\
                   第六条 乙\n";
        let o = run(
            Format::Text,
            src,
            vec![
                finding_on("CN-STD-001", 9),
                finding_on("CN-FMT-001", 2),
                finding_on("CN-FMT-002", 2),
                finding_on("CN-FMT-002", 4),
            ],
        );
        assert!(o.active.is_empty(), "{:?}", messages(&o));
        let reasons: Vec<&str> = o
            .suppressed
            .iter()
            .map(|s| s.justification.as_str())
            .collect();
        assert_eq!(reasons, ["模板", "已备案", "已备案", "ok"]);
    }

    #[test]
    fn bad_and_unused_directives_are_reported_where_they_are() {
        let src = "<!-- loanlint-disable-next-line CN-FMT-001 -->\n甲\n\
                   <!-- loanlint-disable-next-line CN-FMT-009: 无此规则 -->\n乙\n\
                   <!-- loanlint-disable-line CN-FMT-002: 多余 -->\n\
                   <!-- loanlint-disable-lines CN-FMT-001: 拼错 -->\n\
                   <!-- loanlint-disable-next-line: 无规则 -->\n丙\n";
        let o = run(Format::Markdown, src, vec![finding_on("CN-FMT-001", 2)]);
        assert!(o.suppressed.is_empty());
        assert_eq!(
            o.active.iter().filter(|f| f.rule == "CN-FMT-001").count(),
            1
        );
        let m = messages(&o);
        assert_eq!(m.len(), 5, "{m:?}");
        assert_eq!(m[0].0, 1);
        assert!(m[0].1.contains("gives no reason"));
        assert_eq!(m[1].0, 3);
        assert!(m[1].1.contains("`CN-FMT-009`, which is no loaded rule"));
        assert_eq!(m[2].0, 5);
        assert_eq!(
            m[2].1,
            "unused suppression: no `CN-FMT-002` finding on line 5 to silence"
        );
        assert!(m[3].1.starts_with("unknown suppression comment"));
        assert_eq!(m[4].1, "suppression comment names no rule");
    }

    #[test]
    fn meta_findings_point_at_the_directive_text() {
        let src = "第一条\n<!-- loanlint-disable-line CN-FMT-001: 无 -->\n";
        let o = run(Format::Markdown, src, vec![]);
        let f = &o.active[0];
        assert_eq!((f.line, f.column, f.end_line), (2, 6, 2));
        assert_eq!(f.snippet, "loanlint-disable-line CN-FMT-001: 无");
        assert_eq!(f.severity, Severity::Warning);
        let start = src.find("loanlint").unwrap();
        assert_eq!((f.byte_start, f.byte_end), (start, start + f.snippet.len()));
    }

    #[test]
    fn a_next_line_comment_at_the_end_is_reported() {
        let o = run(
            Format::Markdown,
            "甲\n<!-- loanlint-disable-next-line CN-FMT-001: 理由 -->\n\n",
            vec![],
        );
        assert_eq!(
            messages(&o),
            [(
                2,
                "suppression comment has no line after it to apply to".to_string()
            )]
        );
    }

    #[test]
    fn a_reason_in_english_without_colon_is_no_reason() {
        let (rules, reason) = split_rules_and_reason(" CN-FMT-001 reviewed by legal");
        assert_eq!(rules, ["CN-FMT-001"]);
        assert_eq!(reason, "");
    }
}
