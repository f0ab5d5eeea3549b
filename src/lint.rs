//! The library's front door: load rules into a [`Linter`], then check files.
//!
//! ```no_run
//! let linter = loanlint::lint::Linter::builtin().expect("built-in rules compile");
//! let report = linter.check_paths(&["fixtures".into()], &loanlint::lint::CheckOptions::default());
//! println!("{} findings", report.findings.len());
//! ```

use crate::concepts::ConceptCatalogue;
use crate::document::{self, Document};
use crate::engine::{Finding, Plan, PlanError};
use crate::jurisdiction;
use crate::lang::{self, Diagnostic, SourceFile};
use crate::report::{InputError, Report, SubjectInfo};
use crate::rule_cache::{CachedRules, RuleCache};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Why a set of rule files could not become a linter.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("cannot read rule path {path}: {message}")]
    Read { path: String, message: String },
    #[error("{} error(s) in rule files", .diagnostics.iter().filter(|d| d.level == lang::DiagLevel::Error).count())]
    Invalid {
        files: Vec<SourceFile>,
        diagnostics: Vec<Diagnostic>,
    },
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("{} error(s) in the configuration", .0.len())]
    Config(Vec<crate::config::ConfigError>),
}

#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Apply the packs of this jurisdiction to every subject instead of detecting it.
    pub jurisdiction: Option<String>,
    /// Decode text files with this encoding instead of detecting it (`--encoding`).
    pub encoding: Option<String>,
    /// How collection logs' columns and words map onto the canonical record.
    pub log_mapping: crate::log::LogMapping,
    /// Read every file named on the command line as a collection log (`--log`), whatever its
    /// extension (unknown extensions are read as JSONL).
    pub force_log: bool,
    /// Files that hold clauses rather than whole agreements (`clauses:` globs): rules about
    /// something missing (`require`) do not apply to them. A file can also say so itself
    /// with a `loanlint: clause` line near its top.
    pub clause_files: Option<crate::filter::FileFilter>,
    /// Told after each file is checked, with how many of how many are done (for a progress bar).
    pub progress: Option<Progress>,
    /// Which side of a DOCX's tracked changes to check (`--tracked-changes original`).
    pub tracked_changes: document::TrackedChanges,
    /// Which files found by walking folders (or named) are checked: include/exclude globs.
    pub filter: crate::filter::FileFilter,
    /// `--changed-since`: report only findings touching these files' changed lines.
    pub changed: Option<std::sync::Arc<crate::diff::ChangedFiles>>,
}

/// A callback told `(files done, files in all)` as a check run goes.
#[derive(Clone)]
pub struct Progress(pub std::sync::Arc<dyn Fn(usize, usize) + Send + Sync>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress(..)")
    }
}

/// Compiled rules, ready to check any number of documents (shareable across threads).
#[derive(Debug)]
pub struct Linter {
    pub plan: Plan,
    /// The rule files the plan was built from (for diagnostics and `explain`).
    pub sources: Vec<SourceFile>,
    /// Warnings from checking the rule files.
    pub warnings: Vec<Diagnostic>,
}

impl Linter {
    /// The built-in packs only.
    pub fn builtin() -> Result<Linter, RulesError> {
        Linter::from_sources(crate::builtin::rule_sources())
    }

    /// Compile rule files (checked against the built-in concept catalogue).
    pub fn from_sources(sources: Vec<SourceFile>) -> Result<Linter, RulesError> {
        Linter::from_sources_configured(sources, None)
    }

    /// Compile rule files, then apply a `loanlint.yaml` to the rules before planning.
    pub fn from_sources_configured(
        sources: Vec<SourceFile>,
        config: Option<&crate::config::Config>,
    ) -> Result<Linter, RulesError> {
        Linter::from_sources_cached(sources, config, None)
    }

    /// [`Linter::from_sources_configured`], reading the checked rules from `cache` when an
    /// earlier run compiled the same files, and writing them there when not. A cache that
    /// cannot be read or written only costs the time it would have saved.
    pub fn from_sources_cached(
        sources: Vec<SourceFile>,
        config: Option<&crate::config::Config>,
        cache: Option<&RuleCache>,
    ) -> Result<Linter, RulesError> {
        let key = cache.map(|_| RuleCache::key(&sources, crate::builtin::CONCEPTS_YAML));
        let cached = cache.zip(key.as_deref()).and_then(|(c, k)| c.load(k));
        let hit = cached.is_some();
        let (mut rules, warnings, hints) = match cached {
            Some(CachedRules { rules, hints }) => (rules, Vec::new(), Some(hints)),
            None => match lang::compile(&sources, &ConceptCatalogue::builtin()) {
                Ok((rules, warnings)) => (rules, warnings, None),
                Err(diagnostics) => {
                    return Err(RulesError::Invalid {
                        files: sources,
                        diagnostics,
                    })
                }
            },
        };
        // Cached before the configuration: it is applied afresh on every run.
        let unconfigured = (!hit && cache.is_some() && warnings.is_empty()).then(|| rules.clone());
        if let Some(c) = config {
            c.apply(&mut rules).map_err(RulesError::Config)?;
        }
        let plan = Plan::compile_with_hints(rules, hints.as_ref())?;
        if let (Some(cache), Some(key), Some(unconfigured)) = (cache, &key, unconfigured) {
            // The hints are the configured plan's. A configuration only turns rules off or
            // changes their params and severities, so a later run under another one parses at
            // most the regexes of the rules this one turned off.
            let _ = cache.store(key, &unconfigured, &plan.pattern_hints());
        }
        Ok(Linter {
            plan,
            sources,
            warnings,
        })
    }

    /// Check files and folders (folders are walked for contract files).
    pub fn check_paths(&self, paths: &[PathBuf], options: &CheckOptions) -> Report {
        let mut report = Report::default();
        let mut files = Vec::new();
        for p in paths {
            collect_files(p, &mut files, &mut report.input_errors);
        }
        files.retain(|(path, _, _)| options.filter.allows(path));
        let done = std::sync::atomic::AtomicUsize::new(0);
        let tell = |_: &FileResult| {
            if let Some(Progress(f)) = &options.progress {
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                f(n, files.len());
            }
        };
        let results: Vec<FileResult> = files
            .par_iter()
            .map(
                |(path, shown, explicit)| match log_format(path, *explicit, options) {
                    Some(format) => FileResult::Log(crate::logcheck::check_log_file(
                        &self.plan,
                        path,
                        shown,
                        format,
                        &options.log_mapping,
                        options.jurisdiction.as_deref(),
                    )),
                    None => self.check_file(path, shown, options),
                },
            )
            .inspect(tell)
            .collect();
        for r in results {
            match r {
                FileResult::Checked {
                    findings,
                    suppressed,
                    subject,
                    source,
                } => {
                    report.files += 1;
                    if !findings.is_empty() || !suppressed.is_empty() {
                        report.sources.insert(subject.file.clone(), source);
                    }
                    report.findings.extend(findings);
                    report.suppressed.extend(suppressed);
                    report.subjects.push(subject);
                }
                FileResult::Failed(e) => report.input_errors.push(e),
                FileResult::Log(log) => {
                    report.records_read += log.records_read;
                    report.records_checked += log.records_checked;
                    report.records_rejected += log.records_read - log.records_checked;
                    report.input_errors.extend(log.errors);
                    if let Some(subject) = log.subject {
                        report.files += 1;
                        if let Some(source) = log.source.filter(|_| !log.findings.is_empty()) {
                            report.sources.insert(subject.file.clone(), source);
                        }
                        report.subjects.push(subject);
                    }
                    if report.findings.is_empty() {
                        // One big log: its findings move, rather than being copied.
                        report.findings = log.findings;
                    } else {
                        report.findings.extend(log.findings);
                    }
                }
            }
        }
        sort_findings(&mut report.findings);
        report
            .suppressed
            .sort_by(|a, b| finding_order(&a.finding, &b.finding));
        report.subjects.sort_by(|a, b| a.file.cmp(&b.file));
        report
            .input_errors
            .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        report
    }

    fn check_file(&self, path: &Path, shown: &str, options: &CheckOptions) -> FileResult {
        let load = document::LoadOptions {
            encoding: options.encoding.clone(),
            tracked_changes: options.tracked_changes,
        };
        match document::load_file_with(path, shown, &load) {
            Ok(doc) => {
                let (findings, subject) = self.check_document(&doc, options);
                let outcome = self.apply_suppressions_and_diff(&doc, findings, path, options);
                // Only files with something to show keep their text for the report: a run over
                // many files then holds the texts it renders, not every text it read.
                let source = if outcome.active.is_empty() && outcome.suppressed.is_empty() {
                    String::new()
                } else {
                    doc.source
                };
                FileResult::Checked {
                    findings: outcome.active,
                    suppressed: outcome.suppressed,
                    subject,
                    source,
                }
            }
            Err(e) => FileResult::Failed(InputError {
                file: shown.to_string(),
                line: e.line(),
                message: e.to_string(),
            }),
        }
    }

    /// Silence findings by the document's suppression comments, then (with `--changed-since`)
    /// keep only those touching changed lines. In this order, so that a comment silencing a
    /// finding on an unchanged line is not reported as unused.
    fn apply_suppressions_and_diff(
        &self,
        doc: &Document,
        findings: Vec<Finding>,
        path: &Path,
        options: &CheckOptions,
    ) -> crate::suppress::Outcome {
        let mut outcome = crate::suppress::apply_for_rules(doc, findings, &self.plan.rules);
        if let Some(changed) = &options.changed {
            crate::diff::retain_changed(doc, path, changed, &mut outcome);
        }
        outcome
    }

    /// Check one loaded document: choose the packs by jurisdiction, extract facts, evaluate.
    pub fn check_document(
        &self,
        doc: &Document,
        options: &CheckOptions,
    ) -> (Vec<Finding>, SubjectInfo) {
        let (jurisdiction, reason) = match &options.jurisdiction {
            Some(j) => (
                Some(j.to_ascii_uppercase()),
                "chosen with --jurisdiction".to_string(),
            ),
            None => {
                let d = jurisdiction::detect(doc);
                (d.jurisdiction, d.reason)
            }
        };
        let rules = &self.plan.rules;
        let pack_applies = self.plan.packs_for(jurisdiction.as_deref());
        // The packs that judge this contract: applicable ones with contract rules in them.
        let has_contract_rules = |pack: usize| {
            self.plan
                .pack_checks(pack, crate::lang::ir::Subject::Contract)
        };
        let packs = rules
            .packs
            .iter()
            .zip(&pack_applies)
            .enumerate()
            .filter(|(i, (_, a))| **a && has_contract_rules(*i))
            .map(|(_, (p, _))| p.id.clone())
            .collect();
        let clause_only = is_clause_file(doc, options);
        let reason = if clause_only {
            format!("{reason}; a clause file, so rules about missing terms are not applied")
        } else {
            reason
        };
        let facts = crate::extract::extract(&doc.text, &doc.blanks);
        let applies = |i: usize| {
            let rule = &rules.rules[i];
            pack_applies[rule.pack]
                && !(clause_only
                    && matches!(rule.assertion, crate::lang::ir::Assertion::Require { .. }))
        };
        let mut findings = self.plan.check(doc, &facts, &applies);
        sort_findings(&mut findings);
        (
            findings,
            SubjectInfo {
                file: doc.path.clone(),
                jurisdiction,
                packs,
                reason,
                encoding: doc.encoding.map(str::to_string),
            },
        )
    }
}

/// Whether a document is a clause (or section) kept on its own rather than a whole agreement:
/// named by a `clauses:` glob, or marked with a `loanlint: clause` line among its first lines
/// (front matter, a comment, or plain text).
fn is_clause_file(doc: &Document, options: &CheckOptions) -> bool {
    let by_glob = options
        .clause_files
        .as_ref()
        .is_some_and(|f| f.allows(Path::new(&doc.path)));
    by_glob
        || doc.source.lines().take(5).any(|line| {
            let line = line.replace('：', ":").to_ascii_lowercase();
            line.contains("loanlint: clause") || line.contains("loanlint:clause")
        })
}

enum FileResult {
    Checked {
        findings: Vec<Finding>,
        suppressed: Vec<crate::suppress::Suppressed>,
        subject: SubjectInfo,
        source: String,
    },
    Failed(InputError),
    Log(crate::logcheck::LogResult),
}

/// The log format to read a file in, or `None` for a contract. Extensions decide; YAML files
/// only count as logs when named on the command line (folders hold YAML of other kinds, such
/// as `loanlint.yaml` and fixture expectations).
fn log_format(
    path: &Path,
    explicit: bool,
    options: &CheckOptions,
) -> Option<crate::log::read::LogFormat> {
    use crate::log::read::LogFormat;
    let format = LogFormat::from_path(path);
    if options.force_log && explicit {
        return Some(format.unwrap_or(LogFormat::Jsonl));
    }
    match format {
        Some(LogFormat::Yaml) if !explicit => None,
        other => other,
    }
}

/// Deterministic order: file, position, rule id.
pub fn sort_findings(findings: &mut [Finding]) {
    // In place: a stable sort would borrow a scratch buffer of half a million findings for a
    // big log. The order is total up to findings that print the same, so output is unchanged,
    // and the same whatever the thread count (rayon's sort, as the rest of a check runs).
    findings.par_sort_unstable_by(finding_order);
}

/// The order of [`sort_findings`]: by place, then rule, then what the finding says.
pub fn finding_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    fn key(f: &Finding) -> (&str, usize, &str, usize, &str, &str) {
        (
            &f.file,
            f.byte_start,
            &f.rule,
            f.byte_end,
            &f.message,
            &f.help,
        )
    }
    fn rest(f: &Finding) -> (&str, &Option<String>, &Option<String>, &str, &str) {
        (&f.snippet, &f.record, &f.clause, &f.concept, &f.cite)
    }
    key(a).cmp(&key(b)).then_with(|| rest(a).cmp(&rest(b)))
}

/// Expand a command-line path into contract files `(path, shown name)`; folders are walked,
/// skipping hidden entries and `target/`; files named explicitly are always taken.
fn collect_files(
    path: &Path,
    out: &mut Vec<(PathBuf, String, bool)>,
    errors: &mut Vec<InputError>,
) {
    let shown = path.to_string_lossy().to_string();
    match std::fs::metadata(path) {
        Err(e) => errors.push(InputError {
            file: shown,
            line: None,
            message: format!("cannot read: {e}"),
        }),
        Ok(m) if m.is_file() => out.push((path.to_path_buf(), shown, true)),
        Ok(m) if !m.is_dir() => errors.push(not_a_regular_file(shown, &m.file_type())),
        Ok(_) => {
            let walker = walkdir::WalkDir::new(path)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || {
                        let name = e.file_name().to_string_lossy();
                        !(name.starts_with('.') || (e.file_type().is_dir() && name == "target"))
                    }
                });
            for entry in walker {
                match entry {
                    Ok(e) if is_subject_file(e.path()) && !e.file_type().is_dir() => {
                        walked_file(&e, out, errors)
                    }
                    Ok(_) => {}
                    Err(e) => errors.push(InputError {
                        file: e
                            .path()
                            .map_or(shown.clone(), |p| p.to_string_lossy().to_string()),
                        line: None,
                        message: format!("cannot read: {e}"),
                    }),
                }
            }
        }
    }
}

/// A subject-named entry found by walking a folder: a regular file is checked; a symbolic
/// link is followed to a regular file (links to folders are not walked, so a link loop cannot
/// make the walk endless); anything else is reported rather than skipped in silence: a dangling
/// or looping link, a FIFO (reading it would block forever), a device or socket.
fn walked_file(
    entry: &walkdir::DirEntry,
    out: &mut Vec<(PathBuf, String, bool)>,
    errors: &mut Vec<InputError>,
) {
    let shown = entry.path().to_string_lossy().to_string();
    let kind = if entry.path_is_symlink() {
        match std::fs::metadata(entry.path()) {
            Ok(m) => m.file_type(),
            Err(e) => {
                errors.push(InputError {
                    file: shown,
                    line: None,
                    message: format!("cannot read: {e}"),
                });
                return;
            }
        }
    } else {
        entry.file_type()
    };
    if kind.is_file() {
        out.push((entry.path().to_path_buf(), shown, false));
    } else if !kind.is_dir() {
        errors.push(not_a_regular_file(shown, &kind));
    }
}

fn not_a_regular_file(shown: String, kind: &std::fs::FileType) -> InputError {
    InputError {
        file: shown,
        line: None,
        message: format!("not a regular file: {}; not read", special_kind(kind)),
    }
}

#[cfg(unix)]
fn special_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else {
        "neither a file nor a folder"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "neither a file nor a folder"
}

/// A file a folder walk picks up: a contract, or a collection log in JSONL or CSV.
fn is_subject_file(path: &Path) -> bool {
    use crate::log::read::LogFormat;
    document::Format::from_path(path).is_some()
        || matches!(
            LogFormat::from_path(path),
            Some(LogFormat::Jsonl | LogFormat::Csv)
        )
}

/// Read rule files from files or folders (folders: every `*.rules` below them).
pub fn read_rule_paths(paths: &[PathBuf]) -> Result<Vec<SourceFile>, RulesError> {
    let mut out = Vec::new();
    for p in paths {
        let err = |e: &dyn std::fmt::Display| RulesError::Read {
            path: p.display().to_string(),
            message: e.to_string(),
        };
        let meta = std::fs::metadata(p).map_err(|e| err(&e))?;
        let files: Vec<PathBuf> = if meta.is_dir() {
            let mut v = Vec::new();
            for e in walkdir::WalkDir::new(p).sort_by_file_name() {
                let e = e.map_err(|e| err(&e))?;
                if e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "rules") {
                    v.push(e.path().to_path_buf());
                }
            }
            v
        } else {
            vec![p.clone()]
        };
        for f in files {
            let text = std::fs::read_to_string(&f).map_err(|e| RulesError::Read {
                path: f.display().to_string(),
                message: e.to_string(),
            })?;
            out.push(SourceFile {
                path: f.to_string_lossy().to_string(),
                text,
            });
        }
    }
    Ok(out)
}

/// An embedded rule example that did not behave as declared.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExampleFailure {
    pub rule: String,
    /// `true` for `example fire` (expected a finding), `false` for `example pass`.
    pub fire: bool,
    pub text: String,
    /// Rule file and 1-based line of the example.
    pub file: String,
    pub line: usize,
    /// How many findings of this rule the example produced.
    pub found: usize,
    /// Why the example could not be run at all (an unreadable example log).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

impl Linter {
    /// Run every rule's embedded examples (read as Markdown); return those that fail.
    pub fn check_examples(&self) -> Vec<ExampleFailure> {
        let rules = &self.plan.rules.rules;
        let cases: Vec<(usize, &crate::lang::ir::Example)> = rules
            .iter()
            .enumerate()
            .flat_map(|(i, r)| r.examples.iter().map(move |e| (i, e)))
            .collect();
        cases
            .par_iter()
            .filter_map(|&(i, ex)| {
                let (found, problem) = match self.plan.count_on_example(i, &ex.text) {
                    Ok(n) => (n, None),
                    Err(p) => (0, Some(p)),
                };
                let ok = problem.is_none() && if ex.fire { found > 0 } else { found == 0 };
                (!ok).then(|| ExampleFailure {
                    problem,
                    rule: rules[i].id.clone(),
                    fire: ex.fire,
                    text: ex.text.clone(),
                    file: rules[i].origin.file.clone(),
                    line: ex.line,
                    found,
                })
            })
            .collect()
    }
}
