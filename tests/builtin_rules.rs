//! The built-in packs: they compile without warnings, every embedded example
//! behaves as declared, and `loanlint test` passes on them: every fixture contract meets
//! its expectations in fixtures/**/expected.yaml, and every rule is shown firing and quiet.

use loanlint::lang::SourceFile;
use loanlint::lint::Linter;
use loanlint::testing::{run_tests, Problem, TestReport};
use std::path::{Path, PathBuf};

fn linter() -> Linter {
    match Linter::builtin() {
        Ok(l) => l,
        Err(loanlint::lint::RulesError::Invalid { files, diagnostics }) => {
            panic!(
                "built-in rules do not compile:\n{}",
                loanlint::lang::render(&diagnostics, &files, false)
            )
        }
        Err(e) => panic!("built-in rules do not compile: {e}"),
    }
}

#[test]
fn builtin_packs_compile_without_warnings() {
    let l = linter();
    assert!(
        l.warnings.is_empty(),
        "warnings in built-in rules:\n{}",
        loanlint::lang::render(&l.warnings, &l.sources, false)
    );
    assert!(
        l.plan.rules.rules.len() >= 12,
        "the CN starter pack has at least 12 rules"
    );
}

#[test]
fn every_rule_has_metadata_and_examples_both_ways() {
    let l = linter();
    let concepts = loanlint::concepts::ConceptCatalogue::builtin();
    for r in &l.plan.rules.rules {
        assert!(
            concepts.get(&r.concept).is_some(),
            "{}: unknown concept {}",
            r.id,
            r.concept
        );
        assert!(!r.cite.trim().is_empty(), "{}: no citation", r.id);
        assert!(!r.help.parts.is_empty(), "{}: no help", r.id);
        let fire = r.examples.iter().filter(|e| e.fire).count();
        let pass = r.examples.len() - fire;
        assert!(
            fire >= 2 && pass >= 2,
            "{}: needs >= 2 fire and >= 2 pass examples ({fire}/{pass})",
            r.id
        );
    }
}

#[test]
fn every_embedded_example_behaves_as_declared() {
    let failures = linter().check_examples();
    let report: Vec<String> = failures
        .iter()
        .map(|f| {
            format!(
                "{} ({}:{}): expected {}, found {} finding(s) in {:?}",
                f.rule,
                f.file,
                f.line,
                if f.fire { "a finding" } else { "none" },
                f.found,
                f.text
            )
        })
        .collect();
    assert!(
        report.is_empty(),
        "failing examples:\n{}",
        report.join("\n")
    );
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// What `loanlint test` prints, for a failing assertion.
fn failures(report: &TestReport) -> String {
    loanlint::report::render_test_human(report)
}

#[test]
fn the_test_runner_passes_on_the_builtin_packs_and_fixtures() {
    let l = linter();
    let report = run_tests(&l, &[fixtures_dir()]);
    assert!(
        report.passed(),
        "loanlint test fails:\n{}",
        failures(&report)
    );
    assert!(
        report.fixtures.len() >= 10,
        "the fixture contracts are tested ({} found)",
        report.fixtures.len()
    );
    // Stricter than the runner: every built-in rule is shown on a real contract, firing on one
    // and staying quiet on another; embedded examples alone are not enough.
    for r in &report.rules {
        assert!(
            r.coverage.fire_fixtures >= 1,
            "{}: no fixture where it must fire",
            r.rule
        );
        assert!(
            r.coverage.quiet_fixtures >= 1,
            "{}: no fixture where it must stay quiet",
            r.rule
        );
    }
}

/// The built-in rule files with one rule's `forbid` line replaced by a pattern no contract
/// contains.
fn builtin_sources_with_broken_rule(id: &str) -> Vec<SourceFile> {
    let mut sources = loanlint::builtin::rule_sources();
    let header = format!("rule {id} ");
    let file = sources
        .iter_mut()
        .find(|f| f.text.contains(&header))
        .unwrap_or_else(|| panic!("{id} is a built-in rule"));
    let mut in_rule = false;
    let mut replaced = false;
    let lines: Vec<String> = file
        .text
        .lines()
        .map(|line| {
            in_rule = (in_rule || line.starts_with(&header)) && line.trim() != "}";
            if in_rule && !replaced && line.trim_start().starts_with("forbid ") {
                replaced = true;
                "  forbid   /此处永远不会出现的字样/".to_string()
            } else {
                line.to_string()
            }
        })
        .collect();
    assert!(replaced, "{id} has a one-line `forbid`");
    file.text = lines.join("\n");
    sources
}

#[test]
fn the_test_runner_fails_and_names_a_rule_whose_example_broke() {
    let broken = Linter::from_sources(builtin_sources_with_broken_rule("CN-FMT-001"))
        .expect("the changed rule still compiles");
    let report = run_tests(&broken, &[fixtures_dir()]);
    assert!(!report.passed());
    let failed: Vec<&str> = report.failed_rules().map(|r| r.rule.as_str()).collect();
    assert_eq!(failed, ["CN-FMT-001"], "{}", failures(&report));
    let rule = &report.rules[report
        .rules
        .iter()
        .position(|r| r.rule == "CN-FMT-001")
        .expect("listed")];
    assert!(rule.problems.iter().any(|p| matches!(
        p,
        Problem::Example {
            fire: true,
            found: 0,
            ..
        }
    )));
    assert!(rule
        .problems
        .iter()
        .any(|p| matches!(p, Problem::Missing { target, .. } if target == "CN-FMT-001")));
    let text = failures(&report);
    assert!(
        text.contains("CN-FMT-001: example fire at <builtin>/rules/cn/format.rules:"),
        "{text}"
    );
}

mod spans {
    use loanlint::document::{Document, Format};
    use loanlint::lint::{CheckOptions, Linter};
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn linter() -> &'static Linter {
        static L: OnceLock<Linter> = OnceLock::new();
        L.get_or_init(|| Linter::builtin().expect("built-in rules compile"))
    }

    /// Pieces of real violations and lawful text, glued with noise, CRLF, full-width forms and
    /// Markdown markup, so that findings land everywhere.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("本协议最终解释权归贷款人所有。".to_string()),
            Just("借款人放弃一切抗辩权。".to_string()),
            Just("日利率0.1%，逾期罚息每日千分之五。".to_string()),
            Just("平台服务费人民币1,500元于放款时一次性从借款本金中扣除，实际到账金额为人民币3,500元。".to_string()),
            Just("**贷款人不承担任何责任**。".to_string()),
            Just("第十条 争议\r\n".to_string()),
            Just("年化利率２４％；".to_string()),
            Just("\u{200b}\u{feff}".to_string()),
            Just("【    】元".to_string()),
            "[\\PC\\n]{0,12}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]
        #[test]
        fn every_finding_lies_within_its_file_on_character_boundaries(
            parts in proptest::collection::vec(piece(), 1..12),
            bom in any::<bool>(),
            markdown in any::<bool>(),
        ) {
            let source = parts.concat();
            let offset = if bom { 3 } else { 0 };
            let mut file = if bom { vec![0xEF, 0xBB, 0xBF] } else { vec![] };
            file.extend_from_slice(source.as_bytes());
            let format = if markdown { Format::Markdown } else { Format::Text };
            let doc = Document::from_source("p.txt", format, source.clone(), offset);
            let opts = CheckOptions { jurisdiction: Some("CN".into()), ..CheckOptions::default() };
            let (findings, _) = linter().check_document(&doc, &opts);
            for f in findings {
                prop_assert!(f.byte_start <= f.byte_end && f.byte_end <= file.len(), "{f:?}");
                let s = f.byte_start - offset;
                let e = f.byte_end - offset;
                prop_assert!(source.is_char_boundary(s) && source.is_char_boundary(e), "{f:?}");
                let text: String = source[s..e].chars().take(200).collect();
                prop_assert_eq!(text, f.snippet.as_str());
                let line = source[..s].matches('\n').count() + 1;
                prop_assert_eq!(f.line, line);
                let line_start = source[..s].rfind('\n').map_or(0, |i| i + 1);
                prop_assert_eq!(f.column, source[line_start..s].chars().count() + 1);
            }
        }
    }
}

/// The rule reference a compliance officer reads is generated; the committed copy must say
/// what the rules do now.
#[test]
fn the_committed_rule_reference_is_up_to_date() {
    let l = linter();
    let fresh = loanlint::report::render_rule_reference(
        &l.plan.rules,
        &loanlint::concepts::ConceptCatalogue::builtin(),
        &l.sources,
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules/reference.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != fresh {
        let first_difference = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .map_or(committed.lines().count().min(fresh.lines().count()), |i| i)
            + 1;
        panic!(
            "docs/rules/reference.md is out of date with the built-in rules (first difference at line \
             {first_difference}); regenerate it with\n\n    \
             cargo run -- rules doc --output docs/rules/reference.md\n"
        );
    }
}
