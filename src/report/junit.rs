//! JUnit XML for CI test-report views (GitLab, Jenkins, Azure): a file is a test suite, and
//! each rule that applies to the file is a test case that fails when the rule fired.

use super::{InputError, Report, SubjectInfo};
use crate::engine::{Finding, Severity};
use crate::lang::ir::{Rule, RuleSet};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// `<testsuites>` with one `<testsuite>` per checked file and one per unreadable file.
pub fn render_junit(report: &Report, rules: &RuleSet) -> String {
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_file.entry(f.file.as_str()).or_default().push(f);
    }
    let mut suites: Vec<Suite> = report
        .subjects
        .iter()
        .map(|s| checked_file_suite(s, by_file.get(s.file.as_str()), rules))
        .collect();
    suites.extend(report.input_errors.iter().map(input_error_suite));

    let tests: usize = suites.iter().map(|s| s.cases.len()).sum();
    let failures: usize = suites.iter().map(Suite::failures).sum();
    let errors: usize = suites.iter().map(Suite::errors).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"loanlint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">"
    );
    for suite in &suites {
        suite.write(&mut out);
    }
    out.push_str("</testsuites>\n");
    out
}

struct Suite {
    name: String,
    cases: Vec<Case>,
}

struct Case {
    classname: String,
    name: String,
    outcome: Outcome,
}

enum Outcome {
    Passed,
    /// The rule fired: its severity and the findings as `line:col message (cite)` lines.
    Failed {
        severity: Severity,
        count: usize,
        body: String,
    },
    /// The file could not be checked.
    Error {
        message: String,
    },
}

impl Suite {
    fn failures(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Failed { .. }))
            .count()
    }

    fn errors(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Error { .. }))
            .count()
    }

    fn write(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\">",
            xml_escape(&self.name),
            self.cases.len(),
            self.failures(),
            self.errors()
        );
        for case in &self.cases {
            case.write(&self.name, out);
        }
        out.push_str("  </testsuite>\n");
    }
}

impl Case {
    fn write(&self, file: &str, out: &mut String) {
        let _ = write!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\"",
            xml_escape(&self.classname),
            xml_escape(&self.name),
            xml_escape(file)
        );
        match &self.outcome {
            Outcome::Passed => out.push_str("/>\n"),
            Outcome::Failed {
                severity,
                count,
                body,
            } => {
                let _ = writeln!(
                    out,
                    ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
                    severity.as_str(),
                    xml_escape(&super::count_noun(*count, "finding", "findings")),
                    xml_escape_text(body)
                );
            }
            Outcome::Error { message } => {
                let _ = writeln!(
                    out,
                    ">\n      <error type=\"input-error\" message=\"{}\"/>\n    </testcase>",
                    xml_escape(message)
                );
            }
        }
    }
}

/// A case per rule of the packs applied to the file, then one per rule that fired without
/// belonging to those packs (a rule set changed under us must not hide a finding).
fn checked_file_suite(
    subject: &SubjectInfo,
    findings: Option<&Vec<&Finding>>,
    rules: &RuleSet,
) -> Suite {
    let findings: &[&Finding] = findings.map(Vec::as_slice).unwrap_or_default();
    let applied = rules.rules.iter().filter(|r| {
        rules
            .packs
            .get(r.pack)
            .is_some_and(|p| subject.packs.contains(&p.id))
    });
    let mut cases: Vec<Case> = applied
        .clone()
        .map(|r| rule_case(&rule_label(r, rules), &r.id, &r.title, findings))
        .collect();
    let mut stray: Vec<&str> = findings
        .iter()
        .map(|f| f.rule.as_str())
        .filter(|id| !applied.clone().any(|r| r.id == *id))
        .collect();
    stray.dedup();
    for id in stray {
        cases.push(rule_case("loanlint", id, "", findings));
    }
    Suite {
        name: subject.file.clone(),
        cases,
    }
}

/// The classname: the pack, so a CI view groups a file's cases by pack.
fn rule_label(rule: &Rule, rules: &RuleSet) -> String {
    rules
        .packs
        .get(rule.pack)
        .map_or_else(|| "loanlint".to_string(), |p| p.id.clone())
}

fn rule_case(classname: &str, id: &str, title: &str, findings: &[&Finding]) -> Case {
    let fired: Vec<&&Finding> = findings.iter().filter(|f| f.rule == id).collect();
    let name = if title.is_empty() {
        id.to_string()
    } else {
        format!("{id} {title}")
    };
    let outcome = match fired.iter().map(|f| f.severity).max() {
        None => Outcome::Passed,
        Some(severity) => Outcome::Failed {
            severity,
            count: fired.len(),
            body: fired.iter().map(|f| finding_line(f)).collect(),
        },
    };
    Case {
        classname: classname.to_string(),
        name,
        outcome,
    }
}

fn finding_line(f: &Finding) -> String {
    if f.cite.is_empty() {
        format!("{}:{} {}\n", f.line, f.column, f.message)
    } else {
        format!("{}:{} {} ({})\n", f.line, f.column, f.message, f.cite)
    }
}

fn input_error_suite(e: &InputError) -> Suite {
    let message = match e.line {
        Some(line) => format!("line {line}: {}", e.message_without_file()),
        None => e.message_without_file().to_string(),
    };
    Suite {
        name: e.file.clone(),
        cases: vec![Case {
            classname: "loanlint".into(),
            name: "read the file".into(),
            outcome: Outcome::Error { message },
        }],
    }
}

/// Text safe inside an XML attribute or element. Characters XML 1.0 cannot hold at all
/// (most C0 controls) are dropped: a NUL in a contract must not make the report unreadable.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Kept literally in text; in attributes a parser would normalise them to spaces.
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// As [`xml_escape`], for element content: line breaks and tabs stay as they are, so the
/// findings listed in a `<failure>` read one per line.
fn xml_escape_text(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            line.split('\t')
                .map(xml_escape)
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::ir::Pack;
    use crate::report::tests::sample_report;

    #[test]
    fn escaping_covers_markup_quotes_newlines_and_illegal_characters() {
        assert_eq!(
            xml_escape("a<b>&\"c\"'d'\n\u{0}e"),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;&#10;e"
        );
        assert_eq!(xml_escape("最终解释权"), "最终解释权");
    }

    #[test]
    fn fired_rules_fail_with_their_findings_and_input_errors_are_errors() {
        let mut report = sample_report();
        report.findings[0].message = "a <b> & c".into();
        let xml = render_junit(&report, &RuleSet::default());
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"loanlint\" tests=\"3\" failures=\"2\" errors=\"1\">"), "{xml}");
        assert!(xml.contains(
            "<failure type=\"error\" message=\"1 finding\">2:8 a &lt;b&gt; &amp; c (合同行政监督管理办法 第九条)\n</failure>"
        ), "{xml}");
        assert!(xml.contains(
            "<testsuite name=\"english.txt\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\">"
        ));
        assert!(xml.contains(
            "<error type=\"input-error\" message=\"line 1: not valid UTF-8 (first bad byte at line 1, byte 0)\"/>"
        ), "{xml}");
    }

    #[test]
    fn every_rule_of_an_applied_pack_is_a_case() {
        let mut report = sample_report();
        report.findings.truncate(1);
        let mut rules = RuleSet::default();
        rules.packs.push(Pack {
            id: "cn-consumer-credit".into(),
            title: None,
            version: None,
            jurisdiction: Some("CN".into()),
            files: vec![],
        });
        let compiled = crate::lint::Linter::builtin().unwrap();
        let mut template = compiled.plan.rules.rules[0].clone();
        template.pack = 0;
        for (id, title) in [("CN-STD-001", "最终解释权"), ("CN-STD-002", "放弃抗辩权")] {
            let mut r = template.clone();
            r.id = id.into();
            r.title = title.into();
            rules.rules.push(r);
        }
        let xml = render_junit(&report, &rules);
        assert!(xml.contains(
            "<testcase classname=\"cn-consumer-credit\" name=\"CN-STD-002 放弃抗辩权\" file=\"contract.txt\"/>"
        ), "{xml}");
        assert!(xml.contains(
            "<testcase classname=\"cn-consumer-credit\" name=\"CN-STD-001 最终解释权\" file=\"contract.txt\">\n      <failure type=\"error\""
        ), "{xml}");
        assert!(
            xml.contains("tests=\"3\" failures=\"1\" errors=\"1\""),
            "{xml}"
        );
    }
}
