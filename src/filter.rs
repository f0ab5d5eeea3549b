//! Which contract files to check: `include:` / `exclude:` globs of `loanlint.yaml` and
//! `--exclude` on the command line.
//!
//! Patterns are matched against a file's path relative to the folder the patterns belong to
//! (the config file's folder, or the current folder for `--exclude`), with `/` separators, in
//! the manner of `.gitignore`: a pattern without `/` matches a name at any depth (`*.pdf`,
//! `drafts`), one with `/` is anchored to that folder (`contracts/**/*.md`; a leading `/` is
//! allowed), `*` stays within one path segment, `**` crosses them, and a pattern that matches
//! a folder covers everything below it (`archive/`).

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use std::path::{Component, Path, PathBuf};

/// A set of patterns and the folder they are relative to.
#[derive(Debug, Clone)]
struct PatternSet {
    base: PathBuf,
    set: GlobSet,
}

/// Include and exclude patterns; with no include patterns every file is included.
#[derive(Debug, Clone, Default)]
pub struct FileFilter {
    include: Vec<PatternSet>,
    exclude: Vec<PatternSet>,
}

impl FileFilter {
    /// Add include patterns relative to `base`; an invalid pattern is an error naming it.
    pub fn include(&mut self, base: &Path, patterns: &[String]) -> Result<(), globset::Error> {
        let set = pattern_set(base, patterns)?;
        self.include.push(set);
        Ok(())
    }

    /// Add exclude patterns relative to `base`.
    pub fn exclude(&mut self, base: &Path, patterns: &[String]) -> Result<(), globset::Error> {
        let set = pattern_set(base, patterns)?;
        self.exclude.push(set);
        Ok(())
    }

    /// Whether `path` is to be checked: matched by an include set (if there is any) and by no
    /// exclude set.
    pub fn allows(&self, path: &Path) -> bool {
        let Ok(absolute) = std::path::absolute(path) else {
            return true;
        };
        let absolute = lexically_clean(&absolute);
        let included = self.include.is_empty() || self.include.iter().any(|s| s.covers(&absolute));
        included && !self.exclude.iter().any(|s| s.covers(&absolute))
    }
}

impl PatternSet {
    /// Whether the path, or a folder it is in (below `base`), matches a pattern.
    fn covers(&self, absolute: &Path) -> bool {
        let Ok(rel) = absolute.strip_prefix(&self.base) else {
            return false;
        };
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        (1..=parts.len()).any(|n| self.set.is_match(parts[..n].join("/")))
    }
}

/// Check one pattern's syntax (for located configuration errors).
pub fn check_pattern(pattern: &str) -> Result<(), globset::Error> {
    glob(pattern).map(|_| ())
}

fn pattern_set(base: &Path, patterns: &[String]) -> Result<PatternSet, globset::Error> {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        builder.add(glob(p)?);
    }
    let base = std::path::absolute(base).unwrap_or_else(|_| base.to_path_buf());
    Ok(PatternSet {
        base: lexically_clean(&base),
        set: builder.build()?,
    })
}

/// A pattern as `.gitignore` reads it: unanchored without `/`, anchored with one.
fn glob(pattern: &str) -> Result<Glob, globset::Error> {
    let trimmed = pattern.trim().trim_end_matches('/');
    let anchored = trimmed.contains('/');
    let trimmed = trimmed.trim_start_matches('/');
    let full = if anchored {
        trimmed.to_string()
    } else {
        format!("**/{trimmed}")
    };
    GlobBuilder::new(&full)
        .literal_separator(true)
        .build()
        .map_err(|e| {
            // Report the pattern as written, not the `**/` form built from it.
            GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .err()
                .unwrap_or(e)
        })
}

/// Drop `.` and fold `..` without touching the file system.
pub fn lexically_clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(include: &[&str], exclude: &[&str]) -> FileFilter {
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut f = FileFilter::default();
        if !include.is_empty() {
            f.include(Path::new("/p"), &strings(include)).unwrap();
        }
        f.exclude(Path::new("/p"), &strings(exclude)).unwrap();
        f
    }

    #[test]
    fn unanchored_patterns_match_at_any_depth_and_cover_folders() {
        let f = filter(&[], &["*.pdf", "drafts"]);
        assert!(!f.allows(Path::new("/p/a/b/x.pdf")));
        assert!(!f.allows(Path::new("/p/x.pdf")));
        assert!(!f.allows(Path::new("/p/legal/drafts/合同.txt")));
        assert!(f.allows(Path::new("/p/legal/final/合同.txt")));
        assert!(f.allows(Path::new("/p/legal/drafts-old.txt")));
    }

    #[test]
    fn anchored_patterns_start_at_the_base_and_star_stays_in_a_segment() {
        let f = filter(&["contracts/*.md", "/clauses/**"], &["clauses/old/"]);
        assert!(f.allows(Path::new("/p/contracts/a.md")));
        assert!(!f.allows(Path::new("/p/contracts/sub/a.md")));
        assert!(!f.allows(Path::new("/p/other/contracts/a.md")));
        assert!(f.allows(Path::new("/p/clauses/x/y.txt")));
        assert!(!f.allows(Path::new("/p/clauses/old/y.txt")));
        // Outside the base folder nothing is included.
        assert!(!f.allows(Path::new("/q/contracts/a.md")));
    }

    #[test]
    fn bad_patterns_are_errors() {
        assert!(check_pattern("contracts/[a-").is_err());
        assert!(check_pattern("{a,b").is_err());
        assert!(check_pattern("**/*.md").is_ok());
    }
}
