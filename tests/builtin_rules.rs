//! The built-in packs: they compile without warnings, every embedded example
//! behaves as declared, and every fixture contract yields exactly the rules
//! listed for it in fixtures/contracts/expected.yaml.

use loanlint::lint::{CheckOptions, Linter};
use std::collections::{BTreeMap, BTreeSet};
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
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/contracts")
}

#[test]
fn fixture_contracts_yield_exactly_their_expected_rules() {
    let l = linter();
    let expected_text =
        std::fs::read_to_string(fixtures_dir().join("expected.yaml")).expect("expected.yaml");
    let expected: BTreeMap<String, Vec<String>> =
        loanlint::yaml::from_str(&expected_text).expect("expected.yaml parses");
    let report = l.check_paths(&[fixtures_dir()], &CheckOptions::default());
    assert!(
        report.input_errors.is_empty(),
        "input errors: {:?}",
        report.input_errors
    );
    let mut fired: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &report.findings {
        let rel = Path::new(&f.file)
            .strip_prefix(fixtures_dir())
            .expect("under fixtures")
            .to_string_lossy()
            .replace('\\', "/");
        fired.entry(rel).or_default().insert(f.rule.clone());
    }
    let mut problems = Vec::new();
    for s in &report.subjects {
        let rel = Path::new(&s.file)
            .strip_prefix(fixtures_dir())
            .expect("under fixtures")
            .to_string_lossy()
            .replace('\\', "/");
        let Some(want) = expected.get(&rel) else {
            problems.push(format!("{rel}: not listed in expected.yaml"));
            continue;
        };
        let want: BTreeSet<String> = want.iter().cloned().collect();
        let got = fired.remove(&rel).unwrap_or_default();
        if want != got {
            let missing: Vec<_> = want.difference(&got).collect();
            let extra: Vec<_> = got.difference(&want).collect();
            problems.push(format!("{rel}: missing {missing:?}, unexpected {extra:?}"));
        }
    }
    assert!(
        problems.is_empty(),
        "fixture mismatches:\n{}",
        problems.join("\n")
    );
    // Every rule is shown firing on some fixture and staying quiet on another.
    for r in &l.plan.rules.rules {
        let fires = expected.values().filter(|v| v.contains(&r.id)).count();
        assert!(fires >= 1, "{}: no fixture where it fires", r.id);
        assert!(
            fires < expected.len(),
            "{}: no fixture where it stays quiet",
            r.id
        );
    }
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
