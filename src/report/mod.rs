//! Renderers: findings -> text for people (ariadne) and machines (JSON, SARIF, JUnit XML,
//! GitHub workflow commands); also the listings
//! behind `loanlint rules list`, `explain` and `extract`.

mod facts;
mod github;
mod html;
mod human;
mod json;
mod junit;
mod ruledoc;
mod rules;
mod sarif;
mod table;
mod template;
mod testrun;

pub use facts::{fact_rows, render_facts_human, render_facts_json, FactRow, FactValue};
pub use github::render_github;
pub use html::render_html;
pub use human::render_human;
pub use json::{render_json, write_json};
pub use junit::render_junit;
pub use ruledoc::render_rule_reference;
pub use rules::{
    find_rule, nearest_rule_id, render_explain, render_rule_list_human, render_rule_list_json,
};
pub use sarif::render_sarif;
pub use table::render_table;
pub use template::{format_value, template_text};
pub use testrun::{render_test_human, render_test_json};

use crate::engine::{Finding, Severity};
use serde::Serialize;
use std::collections::BTreeMap;

/// A file that could not be checked (or a record that could not be read).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl InputError {
    /// The message without a leading `"{file}: "` or `"{file}:{line}: "`: loaders often name
    /// the place in their error text, and every renderer shows it next to the message already.
    pub fn message_without_file(&self) -> &str {
        let Some(rest) = self.message.strip_prefix(self.file.as_str()) else {
            return &self.message;
        };
        let rest = match self.line {
            Some(line) => rest
                .strip_prefix(':')
                .and_then(|r| r.strip_prefix(line.to_string().as_str()))
                .unwrap_or(rest),
            None => rest,
        };
        rest.strip_prefix(": ").unwrap_or(&self.message)
    }
}

/// Which packs were applied to one subject, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubjectInfo {
    pub file: String,
    pub jurisdiction: Option<String>,
    pub packs: Vec<String>,
    /// Why this jurisdiction (or why none) applies.
    pub reason: String,
    /// The file's character encoding as detected or forced ("UTF-8", "GBK", "UTF-16LE"…);
    /// absent for formats not decoded as one text (DOCX).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
}

/// The result of a check run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Files that were read and checked.
    pub files: usize,
    /// Sorted by file, position, rule id.
    pub findings: Vec<crate::engine::Finding>,
    pub subjects: Vec<SubjectInfo>,
    pub input_errors: Vec<InputError>,
    /// Decoded source text of each file with findings (for rendering in context).
    pub sources: BTreeMap<String, String>,
    /// Collection-log records read, checked and rejected (read = checked + rejected).
    pub records_read: usize,
    pub records_checked: usize,
    pub records_rejected: usize,
    /// Findings silenced by a suppression comment or a baseline (not in `findings`, not
    /// counted for the exit status). Sorted like `findings`.
    pub suppressed: Vec<crate::suppress::Suppressed>,
    /// What `--baseline` matched and which of its entries no longer occur.
    pub baseline: Option<crate::baseline::BaselineOutcome>,
}

impl Report {
    pub fn count_at_least(&self, level: crate::engine::Severity) -> usize {
        self.findings
            .iter()
            .filter(|f: &&Finding| f.severity >= level)
            .count()
    }
}

/// How many findings there are of each severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeverityCounts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl SeverityCounts {
    pub fn of(findings: &[Finding]) -> Self {
        let mut c = SeverityCounts::default();
        for f in findings {
            match f.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.infos += 1,
            }
        }
        c
    }
}

/// `1 error`, `2 errors`: English plurals for summary lines.
pub fn count_noun(n: usize, singular: &str, plural: &str) -> String {
    if n == 1 {
        format!("{n} {singular}")
    } else {
        format!("{n} {plural}")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const SAMPLE_SOURCE: &str =
        "第四条 借款金额\n第五条 本合同最终解释权归贷款人所有。\n第六条 借款人放弃一切抗辩权。\n";

    /// A finding as the engine would produce it for `snippet` in `SAMPLE_SOURCE`.
    pub(crate) fn finding(
        rule: &str,
        severity: Severity,
        (line, column, end_column): (usize, usize, usize),
        range: std::ops::Range<usize>,
        clause: Option<&str>,
    ) -> Finding {
        Finding {
            rule: rule.into(),
            concept: "format-clause.final-interpretation".into(),
            severity,
            message: "格式条款约定经营者享有最终解释权".into(),
            file: "contract.txt".into(),
            line,
            column,
            end_line: line,
            end_column,
            byte_start: range.start,
            byte_end: range.end,
            cite: "合同行政监督管理办法 第九条".into(),
            help: "删除该条款".into(),
            snippet: SAMPLE_SOURCE
                .get(range.clone())
                .unwrap_or_default()
                .to_string(),
            clause: clause.map(str::to_string),
            record: None,
            source_range: range,
        }
    }

    pub(crate) fn sample_report() -> Report {
        let mut sources = BTreeMap::new();
        sources.insert("contract.txt".to_string(), SAMPLE_SOURCE.to_string());
        Report {
            files: 2,
            findings: vec![
                finding(
                    "CN-STD-001",
                    Severity::Error,
                    (2, 8, 19),
                    42..75,
                    Some("第五条"),
                ),
                finding("CN-STD-002", Severity::Warning, (3, 8, 15), 98..119, None),
            ],
            subjects: vec![
                SubjectInfo {
                    file: "contract.txt".into(),
                    jurisdiction: Some("CN".into()),
                    packs: vec!["cn-consumer-credit".into()],
                    reason: "Chinese-language contract".into(),
                    encoding: None,
                },
                SubjectInfo {
                    file: "english.txt".into(),
                    jurisdiction: None,
                    packs: vec![],
                    reason: "English contract without a governing-law clause; pass \
                             --jurisdiction to choose packs"
                        .into(),
                    encoding: None,
                },
            ],
            input_errors: vec![InputError {
                file: "bad.txt".into(),
                line: Some(1),
                message: "bad.txt: not valid UTF-8 (first bad byte at line 1, byte 0)".into(),
            }],
            sources,
            ..Report::default()
        }
    }

    #[test]
    fn message_without_file_strips_only_a_leading_file_name() {
        let e = InputError {
            file: "a.txt".into(),
            line: None,
            message: "a.txt: cannot read".into(),
        };
        assert_eq!(e.message_without_file(), "cannot read");
        let e = InputError {
            message: "cannot read a.txt: gone".into(),
            ..e
        };
        assert_eq!(e.message_without_file(), "cannot read a.txt: gone");
        let e = InputError {
            line: Some(4),
            message: "a.txt:4: not valid YAML".into(),
            ..e
        };
        assert_eq!(e.message_without_file(), "not valid YAML");
    }

    #[test]
    fn severity_counts_and_threshold() {
        let r = sample_report();
        assert_eq!(
            SeverityCounts::of(&r.findings),
            SeverityCounts {
                errors: 1,
                warnings: 1,
                infos: 0
            }
        );
        assert_eq!(r.count_at_least(Severity::Warning), 2);
        assert_eq!(r.count_at_least(Severity::Error), 1);
    }
}
