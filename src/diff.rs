//! `--changed-since REV`: which files and lines changed since a git revision, and which
//! findings touch them.
//!
//! Files are those `git diff --name-only REV` lists (the working tree against REV, so
//! committed, staged and unstaged changes count; untracked files do not; deleted files are
//! dropped). Lines are the new-side lines of `git diff -U0 REV`; a pure deletion counts as a
//! change to the lines on both sides of it; a file changed without line hunks (binary, DOCX,
//! PDF, mode change) counts as changed throughout.
//!
//! A finding is kept when its own lines, or the lines of the clause it sits in, include a
//! changed line: editing a clause re-checks the whole clause, since a rule may match text
//! beside the edit (a rate stated two lines below a changed condition).

use crate::document::Document;
use crate::engine::Finding;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("cannot run git: {0}")]
    Spawn(String),
    #[error("`{command}` failed: {message}")]
    Git { command: String, message: String },
}

/// Changed lines of one file; `None`: the whole file counts as changed.
pub type ChangedLines = Option<BTreeSet<usize>>;

/// The files changed since a revision (absolute paths) and their changed lines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChangedFiles {
    files: HashMap<PathBuf, ChangedLines>,
}

impl ChangedFiles {
    /// Ask git (run in `dir`) what changed since `rev`.
    pub fn since(rev: &str, dir: &Path) -> Result<ChangedFiles, DiffError> {
        git(
            dir,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ],
        )
        .map_err(|e| match e {
            DiffError::Git { command, message } if message.is_empty() => DiffError::Git {
                command,
                message: format!("`{rev}` is not a revision in this repository"),
            },
            e => e,
        })?;
        let names = git(
            dir,
            &[
                "diff",
                "--name-only",
                "-z",
                "--relative",
                "--diff-filter=d",
                "--no-renames",
                rev,
                "--",
            ],
        )?;
        let hunks = git(
            dir,
            &[
                "diff",
                "-U0",
                "--relative",
                "--diff-filter=d",
                "--no-renames",
                "--no-color",
                "--no-ext-diff",
                rev,
                "--",
            ],
        )?;
        let base = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        Ok(ChangedFiles::from_git_output(&names, &hunks, &base))
    }

    /// Build from `git diff --name-only -z` and `git diff -U0` output, paths relative to `base`.
    pub fn from_git_output(names: &str, hunks: &str, base: &Path) -> ChangedFiles {
        let mut lines = parse_hunks(hunks);
        let files = names
            .split('\0')
            .filter(|n| !n.is_empty())
            .map(|name| {
                let changed = lines.remove(name).flatten();
                (crate::filter::lexically_clean(&base.join(name)), changed)
            })
            .collect();
        ChangedFiles { files }
    }

    /// The changed files, sorted.
    pub fn paths(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = self.files.keys().cloned().collect();
        v.sort();
        v
    }

    /// The changed lines of a file (`None` inside: all of it); `None` if it did not change.
    pub fn lines_of(&self, path: &Path) -> Option<&ChangedLines> {
        let absolute = std::path::absolute(path).ok()?;
        self.files.get(&crate::filter::lexically_clean(&absolute))
    }
}

/// Keep the findings of `doc` (active and suppressed) that touch a line changed in `path`;
/// a file that did not change keeps none.
pub fn retain_changed(
    doc: &Document,
    path: &Path,
    changed: &ChangedFiles,
    outcome: &mut crate::suppress::Outcome,
) {
    let no_lines = Some(BTreeSet::new());
    let lines = changed.lines_of(path).unwrap_or(&no_lines);
    let Some(lines) = lines else {
        return;
    };
    let clause_lines = clause_line_ranges(doc);
    let touches = |f: &Finding| {
        let hit = |first: usize, last: usize| lines.range(first..=last).next().is_some();
        hit(f.line, f.end_line.max(f.line))
            || clause_lines
                .iter()
                .find(|(src, _, _)| src.contains(&f.source_range.start))
                .is_some_and(|(_, first, last)| hit(*first, *last))
    };
    outcome.active.retain(|f| touches(f));
    outcome.suppressed.retain(|s| touches(&s.finding));
}

/// Each clause's source range with its first and last 1-based source line.
fn clause_line_ranges(doc: &Document) -> Vec<(std::ops::Range<usize>, usize, usize)> {
    doc.clauses
        .iter()
        .map(|c| {
            let src = doc.to_source(c.range.clone());
            let first = doc.source_lines.line_col(&doc.source, src.start).0;
            let last = doc
                .source_lines
                .line_col(&doc.source, src.end.saturating_sub(1).max(src.start))
                .0;
            (src, first, last)
        })
        .collect()
}

/// New-side changed lines per file from `git diff -U0` output.
fn parse_hunks(diff: &str) -> HashMap<String, ChangedLines> {
    let mut out: HashMap<String, ChangedLines> = HashMap::new();
    let mut current: Option<String> = None;
    for line in diff.lines() {
        if let Some(path) = line.strip_prefix("+++ ") {
            current = new_side_path(path);
        } else if line.starts_with("diff --git ") {
            current = None;
        } else if let (Some(file), Some(rest)) = (&current, line.strip_prefix("@@ ")) {
            if let Some((start, count)) = new_side_range(rest) {
                let set = out
                    .entry(file.clone())
                    .or_insert_with(|| Some(BTreeSet::new()));
                if let Some(set) = set {
                    if count == 0 {
                        // A deletion after line `start`: both neighbours changed.
                        set.extend([start.max(1), start + 1]);
                    } else {
                        set.extend(start..start + count);
                    }
                }
            }
        }
    }
    out
}

/// `b/path` (or a C-quoted `"b/…"`) -> `path`; `/dev/null` -> None.
fn new_side_path(s: &str) -> Option<String> {
    let s = s.trim_end_matches('\t');
    let unquoted = match s.strip_prefix('"').and_then(|q| q.strip_suffix('"')) {
        Some(q) => unquote_c(q),
        None => s.to_string(),
    };
    unquoted.strip_prefix("b/").map(str::to_string)
}

/// Undo git's C-style quoting (`\"`, `\\`, `\t`, `\n`, octal bytes such as `\346\261\211`).
fn unquote_c(s: &str) -> String {
    let mut bytes = Vec::new();
    let mut it = s.bytes().peekable();
    while let Some(b) = it.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match it.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(d @ b'0'..=b'7') => {
                let mut v = u32::from(d - b'0');
                for _ in 0..2 {
                    if let Some(&n @ b'0'..=b'7') = it.peek() {
                        v = v * 8 + u32::from(n - b'0');
                        it.next();
                    }
                }
                bytes.push(u8::try_from(v).unwrap_or(b'?'));
            }
            Some(other) => bytes.push(other),
            None => bytes.push(b'\\'),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// `-a,b +c,d @@ …` -> (c, d); `+c` alone means one line.
fn new_side_range(rest: &str) -> Option<(usize, usize)> {
    let plus = rest.split_whitespace().find(|w| w.starts_with('+'))?;
    let plus = plus.strip_prefix('+')?;
    match plus.split_once(',') {
        Some((start, count)) => Some((start.parse().ok()?, count.parse().ok()?)),
        None => Some((plus.parse().ok()?, 1)),
    }
}

/// Run git in `dir` with `core.quotePath` off (Chinese file names stay readable); stdout.
fn git(dir: &Path, args: &[&str]) -> Result<String, DiffError> {
    let output = Command::new("git")
        .arg("-c")
        .arg("core.quotePath=false")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| DiffError::Spawn(e.to_string()))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(DiffError::Git {
            command: format!("git {}", args.join(" ")),
            message: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIFF: &str = "\
diff --git a/a.txt b/a.txt
index 1..2 100644
--- a/a.txt
+++ b/a.txt
@@ -3,0 +4,2 @@ 第一条
+新增一
+新增二
@@ -10 +12 @@
-旧
+新
@@ -20,2 +21,0 @@
-删一
-删二
diff --git \"a/\\345\\220\\210\\345\\220\\214.md\" \"b/\\345\\220\\210\\345\\220\\214.md\"
--- \"a/\\345\\220\\210\\345\\220\\214.md\"
+++ \"b/\\345\\220\\210\\345\\220\\214.md\"
@@ -1 +1 @@
-x
+y
diff --git a/c.docx b/c.docx
Binary files a/c.docx and b/c.docx differ
";

    #[test]
    fn hunks_give_new_side_lines_and_deletions_mark_their_neighbours() {
        let hunks = parse_hunks(DIFF);
        let a: Vec<usize> = hunks["a.txt"].clone().unwrap().into_iter().collect();
        assert_eq!(a, [4, 5, 12, 21, 22]);
        let md: Vec<usize> = hunks["合同.md"].clone().unwrap().into_iter().collect();
        assert_eq!(md, [1]);
        assert!(!hunks.contains_key("c.docx"));
    }

    #[test]
    fn files_without_hunks_changed_throughout() {
        let changed =
            ChangedFiles::from_git_output("a.txt\0c.docx\0合同.md\0", DIFF, Path::new("/r"));
        assert_eq!(changed.lines_of(Path::new("/r/c.docx")), Some(&None));
        assert!(changed.lines_of(Path::new("/r/./a.txt")).unwrap().is_some());
        assert_eq!(changed.lines_of(Path::new("/r/b.txt")), None);
        assert_eq!(changed.paths().len(), 3);
    }
}
