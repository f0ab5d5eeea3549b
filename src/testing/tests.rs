use super::*;
use crate::lang::SourceFile;

const RULES: &str = r#"pack t "test pack"

rule T-1 "不得约定最终解释权" {
  concept  format.final-interpretation
  severity error
  cite     "c1"
  message  "m1"
  help     "h1"
  forbid   /最终解释权/
  example fire "本协议最终解释权归我们。"
  example pass "按通常理解解释。"
}

rule T-2 "不得概括免责" {
  concept  format.exempt-own-liability
  severity error
  cite     "c2"
  message  "m2"
  help     "h2"
  forbid   /概不负责/
  example fire "损失概不负责。"
  example pass "依法承担责任。"
}
"#;

fn linter_with(rules: &str) -> Linter {
    Linter::from_sources(vec![SourceFile {
        path: "t.rules".into(),
        text: rules.into(),
    }])
    .expect("test rules compile")
}

/// A folder with the given files; returns it and its path as text.
fn fixture_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }
    dir
}

const BOTH: &str = "第一条 解释\n本协议最终解释权归我们。\n第二条 免责\n损失概不负责。\n";
const CLEAN: &str = "第一条 解释\n按通常理解解释。\n";

fn run(files: &[(&str, &str)]) -> TestReport {
    let dir = fixture_dir(files);
    run_tests(&linter_with(RULES), &[dir.path().to_path_buf()])
}

fn fixture_problems(report: &TestReport) -> Vec<String> {
    // Paths are under a random temp dir: show them relative to it.
    let prefix = report.fixtures.first().map_or(String::new(), |f| {
        let dir = Path::new(&f.expected).parent().unwrap_or(Path::new(""));
        format!("{}/", dir.to_string_lossy())
    });
    report
        .fixtures
        .iter()
        .flat_map(|f| &f.problems)
        .map(|p| p.to_string().replace(&prefix, ""))
        .collect()
}

#[test]
fn list_and_map_entries_parse_with_their_lines() {
    let text = "# comment\na.txt: [T-1, T-2]\nclean.txt: []\nnull.txt:\n\"b.md\":\n  fires:\n    - T-1@2\n    - format.exempt-own-liability\n  quiet: [T-2@9]\n";
    let file = parse_expectations(text, "e.yaml", PathBuf::from("d")).unwrap();
    let a = &file.files["a.txt"];
    assert!(a.exact);
    assert_eq!(a.at, 2);
    assert_eq!(
        a.fires.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
        ["T-1", "T-2"]
    );
    assert!(file.files["clean.txt"].fires.is_empty() && file.files["clean.txt"].exact);
    assert!(file.files["null.txt"].exact);
    let b = &file.files["b.md"];
    assert!(!b.exact);
    assert_eq!(b.at, 5);
    assert_eq!(
        b.fires[0],
        Target {
            id: "T-1".into(),
            line: Some(2),
            at: 7
        }
    );
    assert_eq!(b.fires[1].at, 8);
    assert_eq!(b.quiet[0].line, Some(9));
    assert_eq!(b.quiet[0].at, 9);
}

#[test]
fn malformed_expectations_name_file_and_line() {
    let err = |text: &str| parse_expectations(text, "e.yaml", PathBuf::new()).unwrap_err();
    let e = err("a.txt: [T-1]\nb.txt:\n  fires: [T-1@x]\n");
    assert_eq!(e.line, Some(2));
    assert!(e.message.contains("`@x` is not a line number"), "{e}");
    let e = err("a.txt: [T-1]\nb.txt:\n  fire: [T-1]\n");
    assert_eq!(e.line, Some(3), "{e}");
    assert!(e.message.contains("unknown field `fire`"), "{e}");
    let e = err("a.txt: T-1\n");
    assert_eq!(e.line, Some(1), "{e}");
    assert!(e.to_string().starts_with("e.yaml:1: "), "{e}");
    assert!(err("a.txt: [T-1@0]\n").message.contains("`@0`"));
}

#[test]
fn fixtures_that_meet_their_expectations_pass_and_count_as_coverage() {
    let report = run(&[
        ("both.txt", BOTH),
        ("clean.txt", CLEAN),
        (
            "expected.yaml",
            "both.txt: [T-1, T-2]\nclean.txt:\n  fires: []\n  quiet: [T-1]\n",
        ),
    ]);
    assert!(report.passed(), "{report:#?}");
    assert_eq!(report.fixtures.len(), 2);
    let t1 = &report.rules[0];
    assert_eq!(t1.rule, "T-1");
    assert_eq!(
        t1.coverage,
        Coverage {
            fire_examples: 1,
            pass_examples: 1,
            fire_fixtures: 1,
            quiet_fixtures: 1
        }
    );
    // clean.txt is not exact and only T-1 is quiet there.
    assert_eq!(report.rules[1].coverage.quiet_fixtures, 0);
}

#[test]
fn line_precise_expectations_check_the_starting_line() {
    let ok = run(&[
        ("both.txt", BOTH),
        (
            "expected.yaml",
            "both.txt:\n  fires: [T-1@2, T-2@4]\n  exact: true\n",
        ),
    ]);
    assert!(ok.passed(), "{ok:#?}");
    let bad = run(&[
        ("both.txt", BOTH),
        ("expected.yaml", "both.txt:\n  fires: [T-1@3, T-2]\n"),
    ]);
    assert!(!bad.passed());
    assert_eq!(
        fixture_problems(&bad),
        ["both.txt: T-1@3 did not fire (expected.yaml:2); it fired on line 2"]
    );
    let t1 = &bad.rules[0];
    assert!(!t1.passed());
    assert!(
        matches!(&t1.problems[0], Problem::Missing { target, fired_on, .. }
        if target == "T-1@3" && fired_on == &[2])
    );
    assert!(bad.rules[1].passed());
}

#[test]
fn a_concept_expectation_is_met_by_any_rule_of_the_concept() {
    let report = run(&[
        ("both.txt", BOTH),
        (
            "expected.yaml",
            "both.txt:\n  fires: [format.final-interpretation@2, format.exempt-own-liability]\n  exact: true\n",
        ),
    ]);
    assert!(report.passed(), "{report:#?}");
    assert_eq!(report.rules[0].coverage.fire_fixtures, 1);
    let missing = run(&[
        ("clean.txt", CLEAN),
        (
            "expected.yaml",
            "clean.txt:\n  fires: [format.final-interpretation]\n",
        ),
    ]);
    assert_eq!(
        fixture_problems(&missing),
        ["clean.txt: format.final-interpretation did not fire (expected.yaml:2)"]
    );
    // A concept miss is the fixture's problem, not a rule's.
    assert!(missing.rules.iter().all(RuleResult::passed));
}

#[test]
fn rules_firing_where_they_must_not_fail_with_their_lines() {
    let quiet = run(&[
        ("both.txt", BOTH),
        (
            "expected.yaml",
            "both.txt:\n  fires: [T-1]\n  quiet: [format.exempt-own-liability]\n",
        ),
    ]);
    assert_eq!(
        fixture_problems(&quiet),
        ["both.txt: T-2 fired on line 4 but must not (expected.yaml:3)"]
    );
    assert!(!quiet.rules[1].passed());
    let exact = run(&[("both.txt", BOTH), ("expected.yaml", "both.txt: [T-1]\n")]);
    assert_eq!(
        fixture_problems(&exact),
        ["both.txt: T-2 fired on line 4 but must not (expected.yaml:1, an exact list)"]
    );
}

#[test]
fn unlisted_fixtures_and_unknown_ids_are_reported() {
    let report = run(&[
        ("both.txt", BOTH),
        ("sub/clean.txt", CLEAN),
        ("notes.json", "{}"),
        ("expected.yaml", "both.txt: [T-1, T-2]\n"),
    ]);
    assert_eq!(
        fixture_problems(&report),
        ["sub/clean.txt: not listed in expected.yaml"]
    );
    let report = run(&[
        ("both.txt", BOTH),
        ("expected.yaml", "both.txt:\n  - T-1\n  - T-3\n"),
    ]);
    assert_eq!(report.errors.len(), 1);
    let e = &report.errors[0];
    assert_eq!(e.line, Some(3));
    assert!(e.message.contains("`T-3` is neither a loaded rule"), "{e}");
    assert!(e.message.contains("did you mean `T-1`?"), "{e}");
    assert!(!report.passed());
}

#[test]
fn a_folder_without_expectations_and_a_missing_fixture_are_setup_errors() {
    let dir = fixture_dir(&[("a.txt", CLEAN)]);
    let report = run_tests(&linter_with(RULES), &[dir.path().to_path_buf()]);
    assert_eq!(report.errors.len(), 1);
    assert!(report.errors[0].message.contains("no expected.yaml"));
    let report = run(&[("expected.yaml", "gone.txt: []\n")]);
    assert_eq!(report.errors.len(), 1, "{report:#?}");
    assert!(report.errors[0].file.ends_with("gone.txt"));
}

#[test]
fn a_rule_never_shown_firing_or_quiet_fails() {
    let rules = RULES
        .replace("  example fire \"本协议最终解释权归我们。\"\n", "")
        .replace("  example pass \"依法承担责任。\"\n", "");
    let report = run_tests(&linter_with(&rules), &[]);
    assert!(!report.passed());
    assert_eq!(
        report.rules[0].problems,
        [Problem::NeverShownFiring { rule: "T-1".into() }]
    );
    assert_eq!(
        report.rules[1].problems,
        [Problem::NeverShownQuiet { rule: "T-2".into() }]
    );
}

#[test]
fn a_broken_example_fails_its_rule() {
    let rules = RULES.replace("forbid   /最终解释权/", "forbid   /最终解释权归贷款人/");
    let report = run_tests(&linter_with(&rules), &[]);
    let failed: Vec<&str> = report.failed_rules().map(|r| r.rule.as_str()).collect();
    assert_eq!(failed, ["T-1"]);
    assert_eq!(
        report.rules[0].problems[0].to_string(),
        "T-1: example fire at t.rules:10 failed: expected a finding, found 0 findings in \"本协议最终解释权归我们。\""
    );
}
