//! `loanlint test` output: a per-rule result and coverage table, a per-fixture result, then
//! every failure once, the setup errors and a summary line.

use super::count_noun;
use super::table::render_table;
use crate::testing::{FixtureResult, RuleResult, TestReport};
use std::collections::BTreeSet;
use std::fmt::Write as _;

fn result_word(passed: bool) -> &'static str {
    if passed {
        "ok"
    } else {
        "FAIL"
    }
}

/// The report for a terminal or a CI log.
pub fn render_test_human(report: &TestReport) -> String {
    let mut out = String::new();
    if !report.rules.is_empty() {
        out.push_str(&coverage_table(&report.rules));
    }
    if !report.fixtures.is_empty() {
        out.push('\n');
        let rows: Vec<Vec<String>> = report
            .fixtures
            .iter()
            .map(|f| vec![f.file.clone(), result_word(f.passed()).to_string()])
            .collect();
        out.push_str(&render_table(&["FIXTURE", "RESULT"], &rows));
    }
    let failures = distinct_failures(report);
    if !failures.is_empty() {
        let _ = writeln!(out, "\nfailures:");
        for f in &failures {
            let _ = writeln!(out, "  {f}");
        }
    }
    if !report.errors.is_empty() {
        let _ = writeln!(out, "\nerrors (nothing was tested against these):");
        for e in &report.errors {
            let _ = writeln!(out, "  {e}");
        }
    }
    let _ = writeln!(out, "\n{}", summary_line(report));
    out
}

fn coverage_table(rules: &[RuleResult]) -> String {
    let rows: Vec<Vec<String>> = rules
        .iter()
        .map(|r| {
            let c = &r.coverage;
            vec![
                r.rule.clone(),
                c.fire_examples.to_string(),
                c.pass_examples.to_string(),
                c.fire_fixtures.to_string(),
                c.quiet_fixtures.to_string(),
                result_word(r.passed()).to_string(),
            ]
        })
        .collect();
    render_table(
        &[
            "RULE",
            "FIRE-EXAMPLES",
            "PASS-EXAMPLES",
            "FIRES-IN",
            "QUIET-IN",
            "RESULT",
        ],
        &rows,
    )
}

/// Each problem once: a fixture problem that concerns a rule is listed with the rule's.
fn distinct_failures(report: &TestReport) -> Vec<String> {
    let mut seen = BTreeSet::new();
    report
        .rules
        .iter()
        .flat_map(|r| &r.problems)
        .chain(report.fixtures.iter().flat_map(|f| &f.problems))
        .map(ToString::to_string)
        .filter(|s| seen.insert(s.clone()))
        .collect()
}

fn summary_line(report: &TestReport) -> String {
    let failed_rules = report.rules.iter().filter(|r| !r.passed()).count();
    let failed_fixtures = report.fixtures.iter().filter(|f| !f.passed()).count();
    let examples: usize = report
        .rules
        .iter()
        .map(|r| r.coverage.fire_examples + r.coverage.pass_examples)
        .sum();
    let mut line = format!(
        "{} ({}): {failed_rules} failed; {}: {failed_fixtures} failed; {}",
        count_noun(report.rules.len(), "rule", "rules"),
        count_noun(examples, "example", "examples"),
        count_noun(report.fixtures.len(), "fixture", "fixtures"),
        if report.passed() { "passed" } else { "FAILED" },
    );
    if !report.errors.is_empty() {
        let _ = write!(
            line,
            " ({})",
            count_noun(report.errors.len(), "setup error", "setup errors")
        );
    }
    line
}

#[derive(serde::Serialize)]
struct JsonTestReport<'a> {
    version: u32,
    passed: bool,
    rules: &'a [RuleResult],
    fixtures: &'a [FixtureResult],
    errors: &'a [crate::testing::TestSetupError],
}

/// `{"version":1,"passed","rules":[{rule,coverage,problems}],"fixtures":[…],"errors":[…]}`;
/// each problem carries a `kind`.
pub fn render_test_json(report: &TestReport) -> String {
    let json = JsonTestReport {
        version: 1,
        passed: report.passed(),
        rules: &report.rules,
        fixtures: &report.fixtures,
        errors: &report.errors,
    };
    let mut text = serde_json::to_string_pretty(&json)
        .unwrap_or_else(|e| format!("{{\"error\":{:?}}}", e.to_string()));
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Coverage, Problem, TestSetupError};

    fn sample() -> TestReport {
        let missing = Problem::Missing {
            fixture: "f/a.txt".into(),
            target: "R-2@3".into(),
            expected_at: "f/expected.yaml:4".into(),
            fired_on: vec![5],
        };
        TestReport {
            rules: vec![
                RuleResult {
                    rule: "R-1".into(),
                    coverage: Coverage {
                        fire_examples: 2,
                        pass_examples: 2,
                        fire_fixtures: 1,
                        quiet_fixtures: 3,
                    },
                    problems: vec![],
                },
                RuleResult {
                    rule: "R-2".into(),
                    coverage: Coverage::default(),
                    problems: vec![
                        missing.clone(),
                        Problem::NeverShownQuiet { rule: "R-2".into() },
                    ],
                },
            ],
            fixtures: vec![FixtureResult {
                file: "f/a.txt".into(),
                expected: "f/expected.yaml".into(),
                problems: vec![missing],
            }],
            errors: vec![TestSetupError {
                file: "f/expected.yaml".into(),
                line: Some(9),
                message: "`X` is neither a loaded rule nor a known concept".into(),
            }],
        }
    }

    #[test]
    fn human_report_has_table_failures_once_and_summary() {
        let out = render_test_human(&sample());
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "RULE  FIRE-EXAMPLES  PASS-EXAMPLES  FIRES-IN  QUIET-IN  RESULT"
        );
        assert_eq!(
            lines[1],
            "R-1   2              2              1         3         ok"
        );
        assert!(lines[2].ends_with("FAIL"), "{out}");
        assert_eq!(
            out.matches("f/a.txt: R-2@3 did not fire (f/expected.yaml:4); it fired on line 5")
                .count(),
            1,
            "{out}"
        );
        assert!(out.contains("  f/expected.yaml:9: `X` is neither"), "{out}");
        assert!(
            out.ends_with(
                "2 rules (4 examples): 1 failed; 1 fixture: 1 failed; FAILED (1 setup error)\n"
            ),
            "{out}"
        );
    }

    #[test]
    fn json_report_tags_problems() {
        let v: serde_json::Value = serde_json::from_str(&render_test_json(&sample())).unwrap();
        assert_eq!(v["passed"], false);
        assert_eq!(v["rules"][0]["coverage"]["quiet_fixtures"], 3);
        assert_eq!(v["rules"][1]["problems"][0]["kind"], "missing");
        assert_eq!(v["rules"][1]["problems"][0]["fired_on"][0], 5);
        assert_eq!(v["rules"][1]["problems"][1]["kind"], "never_shown_quiet");
        assert_eq!(v["errors"][0]["line"], 9);
    }
}
