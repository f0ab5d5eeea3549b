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
