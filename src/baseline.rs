//! Baselines: the findings a project has accepted for now, so that CI fails only on new ones.
//!
//! An entry is keyed by rule, file and the finding's text with all whitespace removed — not by
//! line, so inserting or deleting lines elsewhere keeps it valid, and re-wrapping a Chinese
//! paragraph (a line break may fall between any two characters) does too. Equal keys are told
//! apart by `occurrence` (0, 1, … in file order); when checking, the first N findings with a
//! key held N times in the baseline are baselined, later ones are new.
//!
//! File names are stored relative to the baseline file's folder (with `/`), so a baseline
//! matches whichever folder loanlint is run from.

use crate::engine::Finding;
use crate::report::Report;
use crate::suppress::{Suppressed, SuppressionKind};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

/// The baseline file format version written and read.
const VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read the baseline {file}: {message}")]
    Read { file: String, message: String },
    #[error("{file}: not a loanlint baseline: {message}")]
    Invalid { file: String, message: String },
    #[error(
        "{file}: baseline version {found} is not supported (this loanlint reads version {VERSION})"
    )]
    Version { file: String, found: u32 },
    #[error("cannot write the baseline {file}: {message}")]
    Write { file: String, message: String },
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub rule: String,
    /// Relative to the baseline file's folder, `/`-separated.
    pub file: String,
    /// The finding's text with whitespace removed.
    pub text: String,
    /// Which finding with this (rule, file, text) it is, in file order, from 0.
    pub occurrence: usize,
    /// For people reading the file: the message and line when the baseline was written
    /// (neither is used for matching).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    #[serde(default)]
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct BaselineFile {
    version: u32,
    entries: Vec<Entry>,
}

/// What a baseline did to a report (kept in [`Report::baseline`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BaselineOutcome {
    /// The baseline file as named on the command line.
    pub file: String,
    /// How many findings it held back.
    pub matched: usize,
    /// Entries of the files checked in this run that no longer occur: fixed (or changed)
    /// since the baseline was written.
    pub stale: Vec<Entry>,
}

/// A baseline read from a file, ready to match findings.
#[derive(Debug, Clone)]
pub struct Baseline {
    shown: String,
    /// The folder file names are relative to.
    dir: PathBuf,
    entries: Vec<Entry>,
}

type Key = (String, String, String);

impl Baseline {
    /// Read a baseline file (`shown` is its name in messages and reports).
    pub fn load(path: &Path, shown: &str) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|e| BaselineError::Read {
            file: shown.to_string(),
            message: e.to_string(),
        })?;
        let parsed: BaselineFile =
            serde_json::from_str(&text).map_err(|e| BaselineError::Invalid {
                file: shown.to_string(),
                message: e.to_string(),
            })?;
        if parsed.version != VERSION {
            return Err(BaselineError::Version {
                file: shown.to_string(),
                found: parsed.version,
            });
        }
        Ok(Baseline {
            shown: shown.to_string(),
            dir: folder_of(path),
            entries: parsed.entries,
        })
    }

    /// Move the report's findings held in the baseline to `report.suppressed` (kind
    /// external), and record which entries no longer occur.
    pub fn apply(&self, report: &mut Report) {
        let mut remaining: HashMap<Key, usize> = HashMap::new();
        for e in &self.entries {
            *remaining
                .entry((e.rule.clone(), e.file.clone(), e.text.clone()))
                .or_insert(0) += 1;
        }
        let mut matched = 0;
        let mut active = Vec::new();
        for f in std::mem::take(&mut report.findings) {
            let left = remaining.get_mut(&key(&f, &self.dir));
            match left {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    matched += 1;
                    report.suppressed.push(Suppressed {
                        finding: f,
                        kind: SuppressionKind::External,
                        justification: format!("in baseline {}", self.shown),
                    });
                }
                _ => active.push(f),
            }
        }
        report.findings = active;
        crate::lint::sort_findings(&mut report.findings);
        let checked: HashSet<String> = report
            .subjects
            .iter()
            .map(|s| relative_name(&s.file, &self.dir))
            .collect();
        let mut stale = self.stale_entries(remaining);
        // Entries of files not checked in this run (pre-commit names only staged files) are
        // not known to be gone.
        stale.retain(|e| checked.contains(&e.file));
        report.baseline = Some(BaselineOutcome {
            file: self.shown.clone(),
            matched,
            stale,
        });
    }

    /// The last `n` entries of each key with `n` left unmatched (the earlier occurrences are
    /// the ones matched).
    fn stale_entries(&self, mut remaining: HashMap<Key, usize>) -> Vec<Entry> {
        let mut stale: Vec<Entry> = Vec::new();
        for e in self.entries.iter().rev() {
            let k = (e.rule.clone(), e.file.clone(), e.text.clone());
            if let Some(n) = remaining.get_mut(&k).filter(|n| **n > 0) {
                *n -= 1;
                stale.push(e.clone());
            }
        }
        stale.reverse();
        stale
    }
}

/// Write every active finding of `report` as a baseline to `path`; returns the entry count.
pub fn write(report: &Report, path: &Path, shown: &str) -> Result<usize, BaselineError> {
    let dir = folder_of(path);
    let mut seen: HashMap<Key, usize> = HashMap::new();
    let entries: Vec<Entry> = report
        .findings
        .iter()
        .map(|f| {
            let (rule, file, text) = key(f, &dir);
            let n = seen
                .entry((rule.clone(), file.clone(), text.clone()))
                .or_insert(0);
            let entry = Entry {
                rule,
                file,
                text,
                occurrence: *n,
                message: f.message.clone(),
                line: f.line,
            };
            *n += 1;
            entry
        })
        .collect();
    let count = entries.len();
    let doc = BaselineFile {
        version: VERSION,
        entries,
    };
    let mut text = serde_json::to_string_pretty(&doc).map_err(|e| BaselineError::Write {
        file: shown.to_string(),
        message: e.to_string(),
    })?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| BaselineError::Write {
        file: shown.to_string(),
        message: e.to_string(),
    })?;
    Ok(count)
}

/// A finding's text for matching: whitespace dropped, so re-wrapping does not change it.
pub fn normalise_text(snippet: &str) -> String {
    snippet.chars().filter(|c| !c.is_whitespace()).collect()
}

fn key(f: &Finding, dir: &Path) -> Key {
    (
        f.rule.clone(),
        relative_name(&f.file, dir),
        normalise_text(&f.snippet),
    )
}

/// The folder a baseline file is in (`.` for a bare file name), made absolute.
fn folder_of(path: &Path) -> PathBuf {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::path::absolute(parent).unwrap_or_else(|_| parent.to_path_buf())
}

/// `file` relative to `dir` (with `..` where needed), `/`-separated; as given (without `./`)
/// when it cannot be made absolute.
fn relative_name(file: &str, dir: &Path) -> String {
    let parts: Vec<String> = match std::path::absolute(file) {
        Ok(abs) => {
            let file = crate::filter::lexically_clean(&abs);
            let dir = crate::filter::lexically_clean(dir);
            let common = file
                .components()
                .zip(dir.components())
                .take_while(|(a, b)| a == b)
                .count();
            let ups = dir.components().count().saturating_sub(common);
            std::iter::repeat_n("..".to_string(), ups)
                .chain(file.components().skip(common).map(component_text))
                .collect()
        }
        Err(_) => Path::new(file)
            .components()
            .filter(|c| !matches!(c, Component::CurDir))
            .map(component_text)
            .collect(),
    };
    parts.join("/")
}

fn component_text(c: Component) -> String {
    c.as_os_str().to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Severity;
    use crate::report::tests::finding;

    fn report_of(findings: Vec<Finding>) -> Report {
        let subjects = vec![crate::report::SubjectInfo {
            file: "contract.txt".into(),
            jurisdiction: None,
            packs: vec![],
            reason: String::new(),
            encoding: None,
        }];
        Report {
            findings,
            subjects,
            ..Report::default()
        }
    }

    fn with_snippet(rule: &str, snippet: &str, line: usize) -> Finding {
        let mut f = finding(rule, Severity::Error, (line, 1, 2), 0..1, None);
        f.snippet = snippet.to_string();
        f
    }

    #[test]
    fn matching_ignores_lines_and_whitespace_and_counts_repeats() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.json");
        let first = report_of(vec![
            with_snippet("R-1", "最终解释权\n归贷款人", 3),
            with_snippet("R-1", "最终解释权归贷款人", 9),
            with_snippet("R-2", "放弃抗辩", 12),
        ]);
        assert_eq!(write(&first, &path, "b.json").unwrap(), 3);
        let baseline = Baseline::load(&path, "b.json").unwrap();

        // Moved down, one repeat more, one fixed.
        let mut next = report_of(vec![
            with_snippet("R-1", "最终解释权归贷款人", 30),
            with_snippet("R-1", "最终解释权 归贷款人", 40),
            with_snippet("R-1", "最终解释权归贷款人", 50),
        ]);
        baseline.apply(&mut next);
        assert_eq!(next.findings.len(), 1);
        assert_eq!(next.findings[0].line, 50);
        assert_eq!(next.suppressed.len(), 2);
        assert_eq!(next.suppressed[0].kind, SuppressionKind::External);
        assert_eq!(next.suppressed[0].justification, "in baseline b.json");
        let outcome = next.baseline.unwrap();
        assert_eq!(outcome.matched, 2);
        assert_eq!(outcome.stale.len(), 1);
        assert_eq!(outcome.stale[0].rule, "R-2");
        assert_eq!(outcome.stale[0].text, "放弃抗辩");

        // The file was not checked this time: its entries are not stale.
        let mut other = report_of(vec![]);
        other.subjects[0].file = "other.txt".into();
        baseline.apply(&mut other);
        assert_eq!(other.baseline.unwrap().stale, []);
    }

    #[test]
    fn unreadable_or_foreign_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.json");
        assert!(matches!(
            Baseline::load(&path, "b.json"),
            Err(BaselineError::Read { .. })
        ));
        std::fs::write(&path, "{\"findings\": []}").unwrap();
        assert!(matches!(
            Baseline::load(&path, "b.json"),
            Err(BaselineError::Invalid { .. })
        ));
        std::fs::write(&path, "{\"version\": 7, \"entries\": []}").unwrap();
        assert!(matches!(
            Baseline::load(&path, "b.json"),
            Err(BaselineError::Version { found: 7, .. })
        ));
    }

    #[test]
    fn file_names_are_relative_to_the_baseline_folder() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(relative_name("./a/b.txt", &cwd), "a/b.txt");
        assert_eq!(relative_name("a/./b.txt", &cwd.join("a")), "b.txt");
        let abs = cwd.join("x/y.md");
        assert_eq!(relative_name(&abs.to_string_lossy(), &cwd), "x/y.md");
        assert_eq!(relative_name("x/y.md", &cwd.join("ci")), "../x/y.md");
    }
}
