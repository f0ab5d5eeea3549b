//! Checked rule sets kept on disk between runs. Parsing and checking the built-in packs, and
//! reading the prefilter's guards from every regex, is most of a short run's start-up; a
//! run whose rule files, concept catalogue and loanlint build are the same as an earlier
//! one's reads the result back instead.
//!
//! An entry is keyed by a 128-bit hash of the build (see `build.rs`), the catalogue and every
//! rule file's path and text, and holds the rule set before `loanlint.yaml` is applied (the
//! configuration is applied on every run) with the [`PatternHints`] of its plan. A missing,
//! unreadable, stale or corrupt entry is a miss: the rules are compiled as usual and the entry
//! written again. Rule files with warnings are never cached, so their warnings show every run.

use crate::engine::PatternHints;
use crate::lang::ir::RuleSet;
use crate::lang::SourceFile;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

/// Identifies the code that wrote an entry: a hash of the sources, grammar and lock file the
/// binary was built from, so a rebuilt loanlint never trusts an older build's rule sets.
const BUILD_ID: &str = env!("LOANLINT_BUILD_ID");

/// The file-name prefix of entries (old ones are pruned by it).
const PREFIX: &str = "rules-";

/// Entries not written for this long are removed when a new one is written.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3600);

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cannot write the rule cache {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot encode the rule set for the cache: {0}")]
    Encode(#[from] postcard::Error),
}

/// A folder of cached rule sets.
#[derive(Debug, Clone)]
pub struct RuleCache {
    dir: PathBuf,
}

/// What a cache entry gives back.
pub struct CachedRules {
    pub rules: RuleSet,
    pub hints: PatternHints,
}

/// What an entry file holds (borrowed when written, owned when read).
#[derive(Serialize, Deserialize)]
struct Entry<'a> {
    build: Cow<'a, str>,
    key: Cow<'a, str>,
    rules: Cow<'a, RuleSet>,
    hints: Cow<'a, PatternHints>,
}

impl RuleCache {
    pub fn new(dir: impl Into<PathBuf>) -> RuleCache {
        RuleCache { dir: dir.into() }
    }

    /// `$LOANLINT_CACHE_DIR`, else `$XDG_CACHE_HOME/loanlint`, else `$HOME/.cache/loanlint`;
    /// `None` when none is set (or `LOANLINT_CACHE_DIR` is empty, which turns caching off).
    pub fn default_dir() -> Option<PathBuf> {
        let var = |name: &str| std::env::var_os(name);
        if let Some(dir) = var("LOANLINT_CACHE_DIR") {
            return (!dir.is_empty()).then(|| PathBuf::from(dir));
        }
        if let Some(dir) = var("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
            return Some(PathBuf::from(dir).join("loanlint"));
        }
        var("HOME")
            .filter(|d| !d.is_empty())
            .map(|home| PathBuf::from(home).join(".cache").join("loanlint"))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key of a rule set compiled from `sources` against the catalogue `concepts`.
    pub fn key(sources: &[SourceFile], concepts: &str) -> String {
        let digest = |salt: u8| {
            let mut h = DefaultHasher::new();
            salt.hash(&mut h);
            BUILD_ID.hash(&mut h);
            concepts.hash(&mut h);
            sources.len().hash(&mut h);
            for f in sources {
                f.path.hash(&mut h);
                f.text.hash(&mut h);
            }
            h.finish()
        };
        format!("{:016x}{:016x}", digest(1), digest(2))
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{PREFIX}{key}.bin"))
    }

    /// The entry for `key`, if there is a sound one.
    pub fn load(&self, key: &str) -> Option<CachedRules> {
        let bytes = std::fs::read(self.path(key)).ok()?;
        // A checksum after the payload: a damaged file could otherwise decode to other rules.
        let (payload, sum) = bytes.split_last_chunk::<8>()?;
        if u64::from_le_bytes(*sum) != checksum(payload) {
            return None;
        }
        let entry: Entry = postcard::from_bytes(payload).ok()?;
        (entry.build == BUILD_ID && entry.key == key).then(|| CachedRules {
            rules: entry.rules.into_owned(),
            hints: entry.hints.into_owned(),
        })
    }

    /// Write the entry for `key` (atomically: a reader sees the old file or the new one), and
    /// remove entries not written for a month (a hit does not rewrite its entry).
    pub fn store(
        &self,
        key: &str,
        rules: &RuleSet,
        hints: &PatternHints,
    ) -> Result<(), CacheError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| CacheError::Io { path, source }
        };
        std::fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
        let mut encoded = postcard::to_stdvec(&Entry {
            build: Cow::Borrowed(BUILD_ID),
            key: Cow::Borrowed(key),
            rules: Cow::Borrowed(rules),
            hints: Cow::Borrowed(hints),
        })?;
        let sum = checksum(&encoded);
        encoded.extend_from_slice(&sum.to_le_bytes());
        let target = self.path(key);
        let temp = self
            .dir
            .join(format!(".{PREFIX}{key}.{}.tmp", std::process::id()));
        std::fs::write(&temp, encoded).map_err(io(&temp))?;
        std::fs::rename(&temp, &target).map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            io(&target)(e)
        })?;
        self.prune(&target);
        Ok(())
    }

    fn prune(&self, keep: &Path) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let now = std::time::SystemTime::now();
        for e in entries.flatten() {
            let path = e.path();
            let ours = e.file_name().to_string_lossy().starts_with(PREFIX);
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| now.duration_since(t).ok())
                .is_some_and(|age| age > STALE_AFTER);
            if ours && old && path != keep {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

fn checksum(bytes: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(path: &str, text: &str) -> SourceFile {
        SourceFile {
            path: path.into(),
            text: text.into(),
        }
    }

    #[test]
    fn the_key_changes_with_any_file_path_or_text_and_with_the_catalogue() {
        let base = vec![source("a.rules", "pack a"), source("b.rules", "pack b")];
        let key = RuleCache::key(&base, "concepts");
        assert_eq!(key.len(), 32);
        assert_eq!(key, RuleCache::key(&base.clone(), "concepts"));
        let mut text = base.clone();
        text[1].text.push(' ');
        let mut path = base.clone();
        path[0].path = "c.rules".into();
        let fewer = base[..1].to_vec();
        for other in [
            RuleCache::key(&text, "concepts"),
            RuleCache::key(&path, "concepts"),
            RuleCache::key(&fewer, "concepts"),
            RuleCache::key(&base, "concepts2"),
        ] {
            assert_ne!(key, other);
        }
    }

    #[test]
    fn a_plan_compiled_with_hints_reads_the_same_guards_as_one_that_parsed_its_regexes() {
        let rules = crate::lint::Linter::builtin().unwrap().plan.rules;
        let parsed = crate::engine::Plan::compile(rules.clone()).unwrap();
        let hinted =
            crate::engine::Plan::compile_with_hints(rules, Some(&parsed.pattern_hints())).unwrap();
        assert_eq!(hinted.pattern_hints(), parsed.pattern_hints());
        assert_eq!(hinted.pattern_sources(), parsed.pattern_sources());
    }

    #[test]
    fn a_stored_rule_set_reads_back_equal_and_a_corrupt_entry_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = RuleCache::new(dir.path().join("nested"));
        let rules = crate::lint::Linter::builtin().unwrap().plan.rules.clone();
        let hints = crate::engine::Plan::compile(rules.clone())
            .unwrap()
            .pattern_hints();
        assert!(!hints.is_empty());
        assert!(cache.load("k1").is_none());
        cache.store("k1", &rules, &hints).unwrap();
        let back = cache.load("k1").expect("entry written");
        assert_eq!(back.rules, rules);
        assert_eq!(back.hints, hints);
        // Another key's file is not this key's entry, even if copied there.
        std::fs::copy(cache.path("k1"), cache.path("k2")).unwrap();
        assert!(cache.load("k2").is_none());
        let whole = std::fs::read(cache.path("k1")).unwrap();
        std::fs::write(cache.path("k1"), &whole[..whole.len() / 2]).unwrap();
        assert!(cache.load("k1").is_none(), "a truncated entry");
        let mut flipped = whole.clone();
        flipped[whole.len() / 2] ^= 1;
        std::fs::write(cache.path("k1"), &flipped).unwrap();
        assert!(cache.load("k1").is_none(), "a damaged entry");
        std::fs::write(cache.path("k1"), &whole).unwrap();
        assert!(cache.load("k1").is_some(), "the entry as written");
    }
}
