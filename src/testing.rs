//! `loanlint test`: a rule set's own tests. Every rule's embedded examples run, every fixture
//! contract listed in an `expected.yaml` is checked against its expectations, and each rule
//! must be shown both firing and staying quiet somewhere.
//!
//! An `expected.yaml` maps fixture files (relative to its folder) to expectations:
//!
//! ```yaml
//! plain.txt: [CN-FMT-001, CN-INT-002]      # exactly these rules fire, no other may
//! clean.txt: []                            # no rule fires
//! detailed.txt:
//!   fires: [CN-FMT-001@12, disclosure.apr-missing]   # rule or concept id, optional @line
//!   quiet: [CN-FMT-003]                               # must not fire
//!   exact: false                                      # true: nothing else may fire
//! ```

use crate::concepts::ConceptCatalogue;
use crate::engine::Finding;
use crate::lint::{CheckOptions, ExampleFailure, Linter};
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, Deserialize, Deserializer};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// The name of a fixture folder's expectations file.
pub const EXPECTATIONS_FILE: &str = "expected.yaml";

/// A rule or concept that must (or must not) fire, optionally on one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    /// A rule id, or a concept id (any rule of that concept counts).
    pub id: String,
    /// 1-based line of the fixture on which a finding must start.
    pub line: Option<usize>,
    /// 1-based line of this entry in the expectations file.
    pub at: usize,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}@{line}", self.id),
            None => f.write_str(&self.id),
        }
    }
}

/// What one fixture file must produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileExpectation {
    pub fires: Vec<Target>,
    pub quiet: Vec<Target>,
    /// No rule outside `fires` (by id or concept) may fire.
    pub exact: bool,
    /// 1-based line of the file's key in the expectations file.
    pub at: usize,
}

/// One `expected.yaml`: fixture path relative to `dir` → expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectationFile {
    /// The expectations file as named to the user.
    pub path: String,
    pub dir: PathBuf,
    pub files: BTreeMap<String, FileExpectation>,
}

/// A problem that stops a test run from meaning anything: an expectations file that cannot be
/// read or understood, or a fixture that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{file}{}: {message}", .line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct TestSetupError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DetailedEntry {
    #[serde(default)]
    fires: Vec<String>,
    #[serde(default)]
    quiet: Vec<String>,
    exact: Option<bool>,
}

/// A file's entry as written: a list (exact) or a map with `fires` / `quiet` / `exact`.
enum RawEntry {
    List(Vec<String>),
    Detailed(DetailedEntry),
}

impl<'de> Deserialize<'de> for RawEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntryVisitor;
        impl<'de> de::Visitor<'de> for EntryVisitor {
            type Value = RawEntry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of rule or concept ids, or a map with fires, quiet, exact")
            }
            fn visit_unit<E: de::Error>(self) -> Result<RawEntry, E> {
                Ok(RawEntry::List(Vec::new()))
            }
            fn visit_none<E: de::Error>(self) -> Result<RawEntry, E> {
                Ok(RawEntry::List(Vec::new()))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<RawEntry, A::Error> {
                Vec::deserialize(SeqAccessDeserializer::new(seq)).map(RawEntry::List)
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<RawEntry, A::Error> {
                DetailedEntry::deserialize(MapAccessDeserializer::new(map)).map(RawEntry::Detailed)
            }
        }
        deserializer.deserialize_any(EntryVisitor)
    }
}

/// Read and parse an expectations file.
pub fn load_expectations(path: &Path) -> Result<ExpectationFile, TestSetupError> {
    let shown = path.to_string_lossy().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| TestSetupError {
        file: shown.clone(),
        line: None,
        message: format!("cannot read: {e}"),
    })?;
    let dir = path.parent().map_or_else(PathBuf::new, Path::to_path_buf);
    parse_expectations(&text, &shown, dir)
}

/// Parse the text of an expectations file named `shown`, whose fixture paths are relative to
/// `dir`.
pub fn parse_expectations(
    text: &str,
    shown: &str,
    dir: PathBuf,
) -> Result<ExpectationFile, TestSetupError> {
    let error = |line: Option<usize>, message: String| TestSetupError {
        file: shown.to_string(),
        line,
        message,
    };
    // An empty file (or only comments) expects nothing.
    let raw: Option<BTreeMap<String, RawEntry>> =
        crate::yaml::from_str(text).map_err(|e| error(e.line, e.message))?;
    let mut files = BTreeMap::new();
    for (key, entry) in raw.unwrap_or_default() {
        let at = key_line(text, &key);
        let parse_all = |entries: &[String]| {
            entries
                .iter()
                .map(|e| parse_target(e, entry_line(text, at, e)).map_err(|m| error(Some(at), m)))
                .collect::<Result<Vec<_>, _>>()
        };
        let expectation = match entry {
            RawEntry::List(fires) => FileExpectation {
                fires: parse_all(&fires)?,
                quiet: Vec::new(),
                exact: true,
                at,
            },
            RawEntry::Detailed(d) => FileExpectation {
                fires: parse_all(&d.fires)?,
                quiet: parse_all(&d.quiet)?,
                exact: d.exact.unwrap_or(false),
                at,
            },
        };
        files.insert(key, expectation);
    }
    Ok(ExpectationFile {
        path: shown.to_string(),
        dir,
        files,
    })
}

/// `CN-FMT-001`, `CN-FMT-001@12`, `disclosure.apr-missing@3`.
fn parse_target(entry: &str, at: usize) -> Result<Target, String> {
    let entry = entry.trim();
    let (id, line) = match entry.rsplit_once('@') {
        Some((id, line)) => match line.trim().parse::<usize>() {
            Ok(n) if n > 0 => (id.trim(), Some(n)),
            _ => {
                return Err(format!(
                    "`{entry}`: `@{line}` is not a line number (1-based)"
                ))
            }
        },
        None => (entry, None),
    };
    if id.is_empty() || id.contains(char::is_whitespace) {
        return Err(format!("`{entry}` is not a rule or concept id"));
    }
    Ok(Target {
        id: id.to_string(),
        line,
        at,
    })
}

/// The 1-based line of a top-level key (the serde model keeps no positions; a key is unique
/// at the top level, so its first unindented occurrence is it).
fn key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let l = l.trim_end();
            let unquoted = l.strip_prefix(key);
            let quoted = ['"', '\'']
                .iter()
                .find_map(|q| l.strip_prefix(*q)?.strip_prefix(key)?.strip_prefix(*q));
            unquoted
                .or(quoted)
                .is_some_and(|rest| rest.starts_with(':'))
        })
        .map_or(1, |i| i + 1)
}

/// The line of `entry` within the block of the key on line `at` (the key's line if not found).
fn entry_line(text: &str, at: usize, entry: &str) -> usize {
    let block = text.lines().enumerate().skip(at.saturating_sub(1));
    for (i, l) in block {
        let starts_new_key = i + 1 > at && !l.starts_with([' ', '\t', '#', '-']) && !l.is_empty();
        if starts_new_key {
            break;
        }
        if l.contains(entry) {
            return i + 1;
        }
    }
    at
}

/// Why a rule or fixture failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// An embedded example did not behave as declared.
    Example {
        rule: String,
        fire: bool,
        file: String,
        line: usize,
        found: usize,
        text: String,
    },
    /// A `fires` expectation with no matching finding.
    Missing {
        fixture: String,
        target: String,
        /// Where the expectation is written (`expected.yaml:line`).
        expected_at: String,
        /// Lines on which the rule or concept did fire (when a line was expected).
        fired_on: Vec<usize>,
    },
    /// A rule fired where it must not (a `quiet` entry, or not listed in an exact entry).
    Unexpected {
        fixture: String,
        rule: String,
        lines: Vec<usize>,
        expected_at: String,
    },
    /// A fixture file beside an expectations file that does not list it.
    Unlisted { fixture: String, expected: String },
    /// The rule has no firing example and no fixture where it must fire.
    NeverShownFiring { rule: String },
    /// The rule has no passing example and no fixture where it must stay quiet.
    NeverShownQuiet { rule: String },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Example {
                rule,
                fire,
                file,
                line,
                found,
                text,
            } => {
                let (expected, kind) = if *fire {
                    ("a finding", "fire")
                } else {
                    ("no finding", "pass")
                };
                write!(
                    f,
                    "{rule}: example {kind} at {file}:{line} failed: expected {expected}, \
                     found {} in {:?}",
                    crate::report::count_noun(*found, "finding", "findings"),
                    text
                )
            }
            Problem::Missing {
                fixture,
                target,
                expected_at,
                fired_on,
            } => {
                write!(f, "{fixture}: {target} did not fire ({expected_at})")?;
                if !fired_on.is_empty() {
                    write!(f, "; it fired on line {}", join_lines(fired_on))?;
                }
                Ok(())
            }
            Problem::Unexpected {
                fixture,
                rule,
                lines,
                expected_at,
            } => write!(
                f,
                "{fixture}: {rule} fired on line {} but must not ({expected_at})",
                join_lines(lines)
            ),
            Problem::Unlisted { fixture, expected } => {
                write!(f, "{fixture}: not listed in {expected}")
            }
            Problem::NeverShownFiring { rule } => write!(
                f,
                "{rule}: no firing example and no fixture where it must fire"
            ),
            Problem::NeverShownQuiet { rule } => write!(
                f,
                "{rule}: no passing example and no fixture where it must stay quiet"
            ),
        }
    }
}

fn join_lines(lines: &[usize]) -> String {
    let v: Vec<String> = lines.iter().map(usize::to_string).collect();
    v.join(", ")
}

/// How well one rule is tested.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub fire_examples: usize,
    pub pass_examples: usize,
    /// Fixtures where it must fire (by rule id, or by concept where it did fire).
    pub fire_fixtures: usize,
    /// Fixtures where it must not fire (a `quiet` entry, or left out of an exact entry).
    pub quiet_fixtures: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleResult {
    pub rule: String,
    pub coverage: Coverage,
    pub problems: Vec<Problem>,
}

impl RuleResult {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FixtureResult {
    pub file: String,
    /// The expectations file that lists it.
    pub expected: String,
    pub problems: Vec<Problem>,
}

impl FixtureResult {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The outcome of a test run. Rules and fixtures are in a fixed order (id, path).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TestReport {
    pub rules: Vec<RuleResult>,
    pub fixtures: Vec<FixtureResult>,
    /// Expectations files or fixtures that could not be used; the run proves nothing about them.
    pub errors: Vec<TestSetupError>,
}

impl TestReport {
    /// Every rule and fixture passed, and nothing was left unread.
    pub fn passed(&self) -> bool {
        self.errors.is_empty()
            && self.rules.iter().all(RuleResult::passed)
            && self.fixtures.iter().all(FixtureResult::passed)
    }

    pub fn failed_rules(&self) -> impl Iterator<Item = &RuleResult> {
        self.rules.iter().filter(|r| !r.passed())
    }
}

/// Find the expectations files a command-line path stands for: an expectations file itself, or
/// every `expected.yaml` below a folder.
pub fn find_expectation_files(path: &Path) -> Result<Vec<PathBuf>, TestSetupError> {
    let shown = path.to_string_lossy().to_string();
    let error = |message: String| TestSetupError {
        file: shown.clone(),
        line: None,
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| error(format!("cannot read: {e}")))?;
    if meta.is_file() {
        return if path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            Ok(vec![path.to_path_buf()])
        } else {
            Err(error(format!(
                "not a folder or an expectations file; fixtures are tested through the \
                 {EXPECTATIONS_FILE} beside them"
            )))
        };
    }
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(path)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden_or_target(e))
    {
        let entry = entry.map_err(|e| error(format!("cannot read: {e}")))?;
        if entry.file_type().is_file() && entry.file_name() == EXPECTATIONS_FILE {
            found.push(entry.path().to_path_buf());
        }
    }
    if found.is_empty() {
        return Err(error(format!(
            "no {EXPECTATIONS_FILE} below this folder: nothing says what its fixtures must produce"
        )));
    }
    Ok(found)
}

fn is_hidden_or_target(e: &walkdir::DirEntry) -> bool {
    let name = e.file_name().to_string_lossy();
    name.starts_with('.') || (e.file_type().is_dir() && name == "target")
}

/// Run the rules' embedded examples and the fixtures below `paths` (folders holding
/// `expected.yaml` files, or such files).
pub fn run_tests(linter: &Linter, paths: &[PathBuf]) -> TestReport {
    let mut errors = Vec::new();
    let mut expectation_files = Vec::new();
    let mut seen = BTreeSet::new();
    for p in paths {
        match find_expectation_files(p) {
            Ok(found) => {
                for f in found {
                    if seen.insert(f.clone()) {
                        match load_expectations(&f) {
                            Ok(e) => expectation_files.push(e),
                            Err(e) => errors.push(e),
                        }
                    }
                }
            }
            Err(e) => errors.push(e),
        }
    }
    run_with_expectations(linter, &expectation_files, errors)
}

/// What a target names, resolved against the loaded rules and the concept catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TargetKind {
    Rule,
    Concept,
}

struct Names {
    rules: BTreeSet<String>,
    concepts: BTreeSet<String>,
}

impl Names {
    fn of(linter: &Linter) -> Names {
        let rules = &linter.plan.rules.rules;
        let mut concepts: BTreeSet<String> = ConceptCatalogue::builtin()
            .concepts
            .into_iter()
            .map(|c| c.id)
            .collect();
        concepts.extend(rules.iter().map(|r| r.concept.clone()));
        Names {
            rules: rules.iter().map(|r| r.id.clone()).collect(),
            concepts,
        }
    }

    fn resolve(&self, id: &str) -> Result<TargetKind, String> {
        if self.rules.contains(id) {
            return Ok(TargetKind::Rule);
        }
        if self.concepts.contains(id) {
            return Ok(TargetKind::Concept);
        }
        let all = self.rules.iter().chain(&self.concepts).map(String::as_str);
        let hint = match crate::concepts::nearest(id, all) {
            Some(near) => format!("; did you mean `{near}`?"),
            None => String::new(),
        };
        Err(format!(
            "`{id}` is neither a loaded rule nor a known concept{hint}"
        ))
    }
}

/// One fixture to check, with its resolved expectation.
struct Case<'a> {
    /// As shown in the report: the expectations folder joined with the key.
    shown: String,
    expectations_path: &'a str,
    expectation: &'a FileExpectation,
    fires: Vec<(TargetKind, &'a Target)>,
    quiet: Vec<(TargetKind, &'a Target)>,
}

fn run_with_expectations(
    linter: &Linter,
    expectation_files: &[ExpectationFile],
    mut errors: Vec<TestSetupError>,
) -> TestReport {
    let names = Names::of(linter);
    let mut cases = Vec::new();
    let mut fixtures = Vec::new();
    for file in expectation_files {
        for (key, expectation) in &file.files {
            match resolve_case(&names, file, key, expectation) {
                Ok(case) => cases.push(case),
                Err(e) => errors.push(e),
            }
        }
        fixtures.extend(unlisted_fixtures(file, expectation_files));
    }
    let paths: Vec<PathBuf> = cases.iter().map(|c| PathBuf::from(&c.shown)).collect();
    let report = linter.check_paths(&paths, &CheckOptions::default());
    for e in report.input_errors {
        errors.push(TestSetupError {
            file: e.file.clone(),
            line: e.line,
            message: e.message_without_file().to_string(),
        });
    }
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_file.entry(f.file.as_str()).or_default().push(f);
    }
    let checked: BTreeSet<&str> = report.subjects.iter().map(|s| s.file.as_str()).collect();
    let rules = &linter.plan.rules.rules;
    let mut coverage: BTreeMap<&str, Coverage> = rules
        .iter()
        .map(|r| (r.id.as_str(), example_coverage(r)))
        .collect();
    for case in cases.iter().filter(|c| checked.contains(c.shown.as_str())) {
        let findings = by_file
            .get(case.shown.as_str())
            .map_or(&[][..], Vec::as_slice);
        add_fixture_coverage(linter, case, findings, &mut coverage);
        fixtures.push(FixtureResult {
            file: case.shown.clone(),
            expected: case.expectations_path.to_string(),
            problems: judge_fixture(case, findings),
        });
    }
    fixtures.sort_by(|a, b| a.file.cmp(&b.file));
    let failures = linter.check_examples();
    let mut results: Vec<RuleResult> = rules
        .iter()
        .map(|r| rule_result(r, &coverage, &failures, &fixtures))
        .collect();
    results.sort_by(|a, b| a.rule.cmp(&b.rule));
    errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    TestReport {
        rules: results,
        fixtures,
        errors,
    }
}

fn resolve_case<'a>(
    names: &Names,
    file: &'a ExpectationFile,
    key: &str,
    expectation: &'a FileExpectation,
) -> Result<Case<'a>, TestSetupError> {
    let resolve_all = |targets: &'a [Target]| {
        targets
            .iter()
            .map(|t| {
                names
                    .resolve(&t.id)
                    .map(|k| (k, t))
                    .map_err(|message| TestSetupError {
                        file: file.path.clone(),
                        line: Some(t.at),
                        message,
                    })
            })
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(Case {
        shown: file.dir.join(key).to_string_lossy().to_string(),
        expectations_path: &file.path,
        expectation,
        fires: resolve_all(&expectation.fires)?,
        quiet: resolve_all(&expectation.quiet)?,
    })
}

/// Contract files in an expectations file's folder (and below, unless a nearer expectations
/// file owns them) that it does not list: a fixture without expectations tests nothing.
fn unlisted_fixtures(file: &ExpectationFile, all: &[ExpectationFile]) -> Vec<FixtureResult> {
    let owner_of = |path: &Path| {
        all.iter()
            .filter(|f| path.starts_with(&f.dir))
            .max_by_key(|f| f.dir.components().count())
            .map(|f| f.path.as_str())
    };
    walkdir::WalkDir::new(&file.dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden_or_target(e))
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_type().is_file() && crate::document::Format::from_path(e.path()).is_some()
        })
        .filter(|e| owner_of(e.path()) == Some(file.path.as_str()))
        .filter_map(|e| {
            let rel = e.path().strip_prefix(&file.dir).ok()?;
            let key = rel.to_string_lossy().replace('\\', "/");
            (!file.files.contains_key(&key)).then(|| {
                let shown = e.path().to_string_lossy().to_string();
                FixtureResult {
                    file: shown.clone(),
                    expected: file.path.clone(),
                    problems: vec![Problem::Unlisted {
                        fixture: shown,
                        expected: file.path.clone(),
                    }],
                }
            })
        })
        .collect()
}

fn example_coverage(rule: &crate::lang::ir::Rule) -> Coverage {
    let fire_examples = rule.examples.iter().filter(|e| e.fire).count();
    Coverage {
        fire_examples,
        pass_examples: rule.examples.len() - fire_examples,
        ..Coverage::default()
    }
}

fn names_rule(kind: TargetKind, target: &Target, rule: &str, concept: &str) -> bool {
    match kind {
        TargetKind::Rule => target.id == rule,
        TargetKind::Concept => target.id == concept,
    }
}

fn finding_matches(kind: TargetKind, target: &Target, f: &Finding) -> bool {
    names_rule(kind, target, &f.rule, &f.concept) && target.line.is_none_or(|l| f.line == l)
}

/// Count this fixture towards each rule's coverage. A concept expectation shows only the rules
/// of that concept that did fire (the others were not shown to do anything).
fn add_fixture_coverage(
    linter: &Linter,
    case: &Case,
    findings: &[&Finding],
    coverage: &mut BTreeMap<&str, Coverage>,
) {
    for rule in &linter.plan.rules.rules {
        let Some(c) = coverage.get_mut(rule.id.as_str()) else {
            continue;
        };
        let listed = |targets: &[(TargetKind, &Target)]| {
            targets
                .iter()
                .any(|(k, t)| names_rule(*k, t, &rule.id, &rule.concept))
        };
        let must_fire = case.fires.iter().any(|(k, t)| match k {
            TargetKind::Rule => t.id == rule.id,
            TargetKind::Concept => {
                t.id == rule.concept
                    && findings
                        .iter()
                        .any(|f| f.rule == rule.id && finding_matches(*k, t, f))
            }
        });
        let must_not = listed(&case.quiet) || (case.expectation.exact && !listed(&case.fires));
        c.fire_fixtures += usize::from(must_fire);
        c.quiet_fixtures += usize::from(must_not);
    }
}

/// Every expectation of one fixture against its findings.
fn judge_fixture(case: &Case, findings: &[&Finding]) -> Vec<Problem> {
    let at = |t: &Target| format!("{}:{}", case.expectations_path, t.at);
    let mut problems = Vec::new();
    for (kind, target) in &case.fires {
        if findings.iter().any(|f| finding_matches(*kind, target, f)) {
            continue;
        }
        let fired_on: BTreeSet<usize> = findings
            .iter()
            .filter(|f| names_rule(*kind, target, &f.rule, &f.concept))
            .map(|f| f.line)
            .collect();
        problems.push(Problem::Missing {
            fixture: case.shown.clone(),
            target: target.to_string(),
            expected_at: at(target),
            fired_on: fired_on.into_iter().collect(),
        });
    }
    // rule id → (lines, where the prohibition is written)
    let mut unexpected: BTreeMap<&str, (BTreeSet<usize>, String)> = BTreeMap::new();
    for f in findings {
        let forbidden_by = case
            .quiet
            .iter()
            .find(|(k, t)| finding_matches(*k, t, f))
            .map(|(_, t)| at(t));
        let unlisted = case.expectation.exact
            && !case
                .fires
                .iter()
                .any(|(k, t)| names_rule(*k, t, &f.rule, &f.concept));
        let reason = forbidden_by.or_else(|| {
            unlisted.then(|| {
                format!(
                    "{}:{}, an exact list",
                    case.expectations_path, case.expectation.at
                )
            })
        });
        if let Some(reason) = reason {
            let entry = unexpected
                .entry(f.rule.as_str())
                .or_insert_with(|| (BTreeSet::new(), reason));
            entry.0.insert(f.line);
        }
    }
    for (rule, (lines, expected_at)) in unexpected {
        problems.push(Problem::Unexpected {
            fixture: case.shown.clone(),
            rule: rule.to_string(),
            lines: lines.into_iter().collect(),
            expected_at,
        });
    }
    problems
}

fn rule_result(
    rule: &crate::lang::ir::Rule,
    coverage: &BTreeMap<&str, Coverage>,
    failures: &[ExampleFailure],
    fixtures: &[FixtureResult],
) -> RuleResult {
    let coverage = coverage.get(rule.id.as_str()).cloned().unwrap_or_default();
    let mut problems: Vec<Problem> = failures
        .iter()
        .filter(|f| f.rule == rule.id)
        .map(|f| Problem::Example {
            rule: f.rule.clone(),
            fire: f.fire,
            file: f.file.clone(),
            line: f.line,
            found: f.found,
            text: f.text.clone(),
        })
        .collect();
    problems.sort_by_key(|p| match p {
        Problem::Example { line, .. } => *line,
        _ => 0,
    });
    let concerns_rule = |p: &&Problem| match p {
        Problem::Missing { target, .. } => {
            target == &rule.id || target.split('@').next() == Some(rule.id.as_str())
        }
        Problem::Unexpected { rule: r, .. } => r == &rule.id,
        _ => false,
    };
    problems.extend(
        fixtures
            .iter()
            .flat_map(|f| &f.problems)
            .filter(concerns_rule)
            .cloned(),
    );
    if coverage.fire_examples + coverage.fire_fixtures == 0 {
        problems.push(Problem::NeverShownFiring {
            rule: rule.id.clone(),
        });
    }
    if coverage.pass_examples + coverage.quiet_fixtures == 0 {
        problems.push(Problem::NeverShownQuiet {
            rule: rule.id.clone(),
        });
    }
    RuleResult {
        rule: rule.id.clone(),
        coverage,
        problems,
    }
}

#[cfg(test)]
mod tests;
