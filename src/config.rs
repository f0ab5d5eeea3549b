//! `loanlint.yaml`: project settings read before the rules are compiled — param overrides,
//! disabled rules, severity overrides and the default jurisdiction.
//!
//! A config is checked twice: its shape when it is read ([`Config::parse`]), and its names and
//! value types against the rule set it is applied to ([`Config::apply`]). Every error names the
//! file and the 1-based line of the offending key, so a broken config can be fixed in one pass.

use crate::lang::ast::Literal;
use crate::lang::ir::{RuleSet, Severity, Type, Value};
use crate::log::schema::{self as log_schema, FIELDS as LOG_FIELDS};
use crate::log::LogMapping;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The name searched for in the current folder and its parents.
pub const FILE_NAME: &str = "loanlint.yaml";

const TOP_LEVEL_KEYS: [&str; 10] = [
    "packs",
    "rules",
    "params",
    "disable",
    "severity",
    "jurisdiction",
    "include",
    "exclude",
    "clauses",
    "log",
];
const LOG_KEYS: [&str; 3] = ["default_zone", "columns", "values"];
const LOG_VOCABULARY_FIELDS: [&str; 4] = ["kind", "party", "direction", "outcome"];

/// What is wrong with a configuration file; `line` is 1-based.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: cannot read the configuration: {message}")]
    Read { file: String, message: String },
    #[error("{file}:{line}: not valid YAML: {message}")]
    Syntax {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{file}:{line}: unknown key `{key}`{}", did_you_mean(.suggestion))]
    UnknownKey {
        file: String,
        line: usize,
        key: String,
        suggestion: Option<String>,
    },
    #[error("{file}:{line}: `{key}` {expected}")]
    Shape {
        file: String,
        line: usize,
        key: String,
        expected: std::borrow::Cow<'static, str>,
    },
    #[error("{file}:{line}: unknown param `{name}`{}", did_you_mean(.suggestion))]
    UnknownParam {
        file: String,
        line: usize,
        name: String,
        suggestion: Option<String>,
    },
    #[error("{file}:{line}: param `{name}`: {expected} expected, got {got}")]
    WrongType {
        file: String,
        line: usize,
        name: String,
        expected: String,
        got: String,
    },
    #[error("{file}:{line}: `{section}`: no rule or concept `{id}`{}", did_you_mean(.suggestion))]
    UnknownRule {
        file: String,
        line: usize,
        section: &'static str,
        id: String,
        suggestion: Option<String>,
    },
    #[error("{file}:{line}: `packs`: no pack `{id}`{}", did_you_mean(.suggestion))]
    UnknownPack {
        file: String,
        line: usize,
        id: String,
        suggestion: Option<String>,
    },
    #[error("{file}:{line}: `{section}`: no log field `{field}`{}", did_you_mean(.suggestion))]
    UnknownLogField {
        file: String,
        line: usize,
        section: &'static str,
        field: String,
        suggestion: Option<String>,
    },
    #[error("{file}:{line}: `log.values.{field}`: `{word}` is not a {field} word{}", did_you_mean(.suggestion))]
    UnknownLogWord {
        file: String,
        line: usize,
        field: String,
        word: String,
        suggestion: Option<String>,
    },
    #[error("{file}:{line}: `log.default_zone`: unknown time zone `{zone}`{}", did_you_mean(.suggestion))]
    UnknownZone {
        file: String,
        line: usize,
        zone: String,
        suggestion: Option<String>,
    },
    #[error("{file}:{line}: `{section}` pattern `{pattern}` is not a valid glob: {message}")]
    BadGlob {
        file: String,
        line: usize,
        section: &'static str,
        pattern: String,
        message: String,
    },
    #[error("{file}:{line}: severity of `{rule}` is `{given}`; use error, warning or info")]
    BadSeverity {
        file: String,
        line: usize,
        rule: String,
        given: String,
    },
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map_or(String::new(), |s| format!("; did you mean `{s}`?"))
}

/// A YAML value as written, before it is given a meaning.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(untagged)]
enum Raw {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Raw>),
    Map(BTreeMap<String, Raw>),
}

/// A setting together with the 1-based line it was written on.
#[derive(Debug, Clone, PartialEq)]
struct Located<T> {
    key: String,
    value: T,
    line: usize,
}

/// A parsed `loanlint.yaml`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Config {
    /// The file as shown in error messages.
    pub file: String,
    params: Vec<Located<Raw>>,
    disable: Vec<Located<()>>,
    severity: Vec<Located<Severity>>,
    /// Default for `--jurisdiction`.
    pub jurisdiction: Option<String>,
    /// `log:`: how collection logs' columns and words map onto the canonical record.
    log: LogMapping,
    /// `include:` / `exclude:` globs, relative to `dir`.
    include: Vec<Located<()>>,
    exclude: Vec<Located<()>>,
    /// `packs:` the pack ids to use (all when empty).
    packs: Vec<Located<()>>,
    /// `rules:` more rule files or folders, relative to `dir`.
    rules: Vec<Located<()>>,
    /// `clauses:` globs: files holding clauses, not whole agreements.
    clauses: Vec<Located<()>>,
    /// The folder the file is in (globs are relative to it); `.` for parsed text.
    pub dir: PathBuf,
}

impl Config {
    /// `loanlint.yaml` in `start` or the nearest parent folder that has one.
    pub fn find(start: &Path) -> Option<PathBuf> {
        let start = std::path::absolute(start).ok()?;
        start
            .ancestors()
            .map(|dir| dir.join(FILE_NAME))
            .find(|f| f.is_file())
    }

    /// Read and parse a configuration file (`shown` is its name in messages).
    pub fn load(path: &Path, shown: &str) -> Result<Config, Vec<ConfigError>> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            vec![ConfigError::Read {
                file: shown.to_string(),
                message: e.to_string(),
            }]
        })?;
        let mut config = Config::parse(&text, shown)?;
        config.dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        Ok(config)
    }

    /// The include/exclude globs as a file filter (relative to the config file's folder).
    pub fn file_filter(&self) -> crate::filter::FileFilter {
        let mut filter = crate::filter::FileFilter::default();
        let patterns = |v: &[Located<()>]| v.iter().map(|l| l.key.clone()).collect::<Vec<_>>();
        // Every pattern was checked when the file was read.
        if !self.include.is_empty() {
            let _ = filter.include(&self.dir, &patterns(&self.include));
        }
        if !self.exclude.is_empty() {
            let _ = filter.exclude(&self.dir, &patterns(&self.exclude));
        }
        filter
    }

    /// The `rules:` paths, relative to the configuration file's folder.
    pub fn rule_paths(&self) -> Vec<PathBuf> {
        self.rules.iter().map(|r| self.dir.join(&r.key)).collect()
    }

    /// The `clauses:` globs (files of clauses, not whole agreements); `None` without any.
    pub fn clause_files(&self) -> Option<crate::filter::FileFilter> {
        if self.clauses.is_empty() {
            return None;
        }
        let patterns: Vec<String> = self.clauses.iter().map(|l| l.key.clone()).collect();
        let mut filter = crate::filter::FileFilter::default();
        // Every pattern was checked when the file was read.
        filter.include(&self.dir, &patterns).ok()?;
        Some(filter)
    }

    /// Parse configuration text and check its shape (not yet its names: see [`Config::apply`]).
    pub fn parse(text: &str, file: &str) -> Result<Config, Vec<ConfigError>> {
        let root: Raw = crate::yaml::from_str(text).map_err(|e| {
            vec![ConfigError::Syntax {
                file: file.to_string(),
                line: e.line.unwrap_or(1),
                message: e.message,
            }]
        })?;
        let mut cx = Reader {
            text,
            file,
            errors: Vec::new(),
        };
        let config = cx.config(root);
        if cx.errors.is_empty() {
            Ok(config)
        } else {
            cx.errors.sort_by_key(error_line);
            Err(cx.errors)
        }
    }

    /// How collection logs are read (`log:`; empty when the section is absent).
    pub fn log_mapping(&self) -> LogMapping {
        self.log.clone()
    }

    /// Override params, change severities and remove disabled rules. Nothing is changed unless
    /// every setting names something in the rule set and every value has its param's type.
    pub fn apply(&self, rules: &mut RuleSet) -> Result<(), Vec<ConfigError>> {
        let mut errors = Vec::new();
        let mut new_values = Vec::new();
        for p in &self.params {
            match self.param_override(rules, p) {
                Ok(mut v) => new_values.append(&mut v),
                Err(e) => errors.push(e),
            }
        }
        let mut disabled = vec![false; rules.rules.len()];
        if !self.packs.is_empty() {
            for p in &self.packs {
                if !rules.packs.iter().any(|k| k.id == p.key) {
                    errors.push(ConfigError::UnknownPack {
                        file: self.file.clone(),
                        line: p.line,
                        id: p.key.clone(),
                        suggestion: nearest(&p.key, rules.packs.iter().map(|k| k.id.as_str())),
                    });
                }
            }
            for (i, r) in rules.rules.iter().enumerate() {
                let pack = rules.packs.get(r.pack).map_or("", |k| k.id.as_str());
                if !self.packs.iter().any(|p| p.key == pack) {
                    disabled[i] = true;
                }
            }
        }
        for d in &self.disable {
            match self.matching_rules(rules, &d.key, d.line, "disable") {
                Ok(hits) => hits.into_iter().for_each(|i| disabled[i] = true),
                Err(e) => errors.push(e),
            }
        }
        let mut severities = Vec::new();
        for s in &self.severity {
            match self.matching_rules(rules, &s.key, s.line, "severity") {
                Ok(hits) => severities.extend(hits.into_iter().map(|i| (i, s.value))),
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(error_line);
            return Err(errors);
        }
        for (i, value) in new_values {
            if let Some(p) = rules.params.get_mut(i) {
                p.value = value;
            }
        }
        for (i, severity) in severities {
            if let Some(r) = rules.rules.get_mut(i) {
                r.severity = severity;
            }
        }
        let mut keep = disabled.iter().map(|d| !d);
        rules.rules.retain(|_| keep.next().unwrap_or(true));
        Ok(())
    }

    /// The params a `name` or `pack-id.name` key overrides, each with its new value.
    fn param_override(
        &self,
        rules: &RuleSet,
        p: &Located<Raw>,
    ) -> Result<Vec<(usize, Value)>, ConfigError> {
        let qualified = |i: usize| {
            let param = &rules.params[i];
            let pack = rules.packs.get(param.pack).map_or("", |k| k.id.as_str());
            format!("{pack}.{}", param.name)
        };
        let targets: Vec<usize> = (0..rules.params.len())
            .filter(|&i| rules.params[i].name == p.key || qualified(i) == p.key)
            .collect();
        if targets.is_empty() {
            let candidates: Vec<String> = (0..rules.params.len())
                .flat_map(|i| [rules.params[i].name.clone(), qualified(i)])
                .collect();
            return Err(ConfigError::UnknownParam {
                file: self.file.clone(),
                line: p.line,
                name: p.key.clone(),
                suggestion: nearest(&p.key, candidates.iter().map(String::as_str)),
            });
        }
        targets
            .into_iter()
            .map(|i| {
                let ty = &rules.params[i].ty;
                convert(&p.value, ty)
                    .map(|v| (i, v))
                    .map_err(|got| ConfigError::WrongType {
                        file: self.file.clone(),
                        line: p.line,
                        name: p.key.clone(),
                        expected: type_name(ty),
                        got,
                    })
            })
            .collect()
    }

    /// Rules named by an id, a concept id, or a prefix of either ending in `*`.
    fn matching_rules(
        &self,
        rules: &RuleSet,
        pattern: &str,
        line: usize,
        section: &'static str,
    ) -> Result<Vec<usize>, ConfigError> {
        let matches = |s: &str| match pattern.strip_suffix('*') {
            Some(prefix) => s.starts_with(prefix),
            None => s == pattern,
        };
        let hits: Vec<usize> = (0..rules.rules.len())
            .filter(|&i| matches(&rules.rules[i].id) || matches(&rules.rules[i].concept))
            .collect();
        if hits.is_empty() {
            let names = rules
                .rules
                .iter()
                .flat_map(|r| [r.id.as_str(), r.concept.as_str()]);
            return Err(ConfigError::UnknownRule {
                file: self.file.clone(),
                line,
                section,
                id: pattern.to_string(),
                suggestion: nearest(pattern, names),
            });
        }
        Ok(hits)
    }
}

/// A commented starter `loanlint.yaml` (for `loanlint init`): every setting is commented out,
/// and every param of `rules` is listed with its default and legal source, so a user
/// uncomments a line instead of looking up names and value syntax.
pub fn starter(rules: &RuleSet) -> String {
    let mut out = String::from(STARTER_HEAD);
    out.push_str("params:\n");
    for (i, p) in rules.params.iter().enumerate() {
        let shared = rules
            .params
            .iter()
            .enumerate()
            .any(|(j, q)| j != i && q.name == p.name);
        let name = match rules.packs.get(p.pack) {
            Some(pack) if shared => format!("{}.{}", pack.id, p.name),
            _ => p.name.clone(),
        };
        if let Some(cite) = &p.cite {
            out.push_str(&format!("  # ({})\n", cite.replace('\n', " ")));
        }
        let value = crate::report::format_value(&p.value);
        out.push_str(&format!("  # {name}: {value}\n"));
    }
    out.push_str(STARTER_TAIL);
    out
}

const STARTER_HEAD: &str = "\
# loanlint configuration, read by every loanlint command run in this folder or below it
# (`--config FILE` names another file). Every setting is optional: remove a `#` to use one.
# A mistake here (unknown name, value of the wrong type) stops loanlint with exit status 2.

# The jurisdiction whose packs apply to every file, instead of detecting it (--jurisdiction wins).
# jurisdiction: CN

# More rule files or folders of *.rules (relative to this file), and the packs to use (all
# loaded packs when not given).
# rules: [house-rules/]
# packs: [cn-consumer-credit, cn-collection]

# Param overrides, written as in rule files (24%, 200000 CNY, 30d, 22:00) and checked against
# the param's type. The defaults are shown; `loanlint explain RULE` lists the params a rule reads.
";

const STARTER_TAIL: &str = "
# Rules to turn off: rule ids, id prefixes ending in `*`, or concept ids.
# disable: [CN-FMT-001, CN-PRI-*]

# Severity per rule (error, warning or info); ids, prefixes and concepts as in `disable`.
# severity:
#   CN-INT-003: error

# Collection logs (JSONL, CSV, YAML): which of the log's columns hold the canonical fields
# (debtor, time, kind, id, account, tz, party, to, direction, outcome, agent, text, recorded;
# a field not listed is read from the column of its own name) and which of its words mean the
# canonical ones (matched trimmed, in any letter case). default_zone reads times written
# without an offset in records that have no `tz`.
# log:
#   default_zone: Asia/Shanghai
#   columns: {debtor: debtor_id, time: ts, kind: channel, id: event_id}
#   values:
#     kind: {phone: call, text: sms}
#     party: {third_party: other_third_party}
# Which files a folder walk checks, as globs relative to this file's folder (like .gitignore:
# `*.pdf` matches at any depth, `drafts/` covers a folder, `contracts/**/*.md` is anchored).
# include: [\"contracts/**\"]
# exclude: [\"drafts/\", \"*.pdf\"]
# Files that hold single clauses or sections, not whole agreements: rules about something
# missing (no APR, no complaint channel) are not applied to them. A file can also say so with
# a `loanlint: clause` line near its top (e.g. `<!-- loanlint: clause -->`).
# clauses: [\"clauses/\"]
";

fn error_line(e: &ConfigError) -> usize {
    match e {
        ConfigError::Read { .. } => 0,
        ConfigError::Syntax { line, .. }
        | ConfigError::UnknownKey { line, .. }
        | ConfigError::Shape { line, .. }
        | ConfigError::UnknownParam { line, .. }
        | ConfigError::WrongType { line, .. }
        | ConfigError::UnknownRule { line, .. }
        | ConfigError::BadSeverity { line, .. }
        | ConfigError::BadGlob { line, .. }
        | ConfigError::UnknownLogField { line, .. }
        | ConfigError::UnknownLogWord { line, .. }
        | ConfigError::UnknownZone { line, .. }
        | ConfigError::UnknownPack { line, .. } => *line,
    }
}

/// The candidate closest to `word`, if close enough to be a likely typo.
fn nearest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c.to_string())
}

/// Turns the raw YAML into a [`Config`], collecting shape errors with their lines.
struct Reader<'a> {
    text: &'a str,
    file: &'a str,
    errors: Vec<ConfigError>,
}

impl Reader<'_> {
    fn config(&mut self, root: Raw) -> Config {
        let mut config = Config {
            file: self.file.to_string(),
            dir: PathBuf::from("."),
            ..Config::default()
        };
        let top = match root {
            Raw::Null => return config,
            Raw::Map(m) => m,
            _ => {
                self.shape(1, "(top level)", "must be a map of settings");
                return config;
            }
        };
        for (key, value) in top {
            let line = key_line(self.text, &key, 0);
            match key.as_str() {
                "params" => config.params = self.map_entries(value, &key, line),
                "disable" => config.disable = self.disable(value, line),
                "packs" => {
                    config.packs =
                        self.names(value, line, "packs", "pack ids, e.g. [cn-consumer-credit]")
                }
                "rules" => {
                    config.rules = self.names(
                        value,
                        line,
                        "rules",
                        "rule files or folders, e.g. [house-rules/]",
                    )
                }
                "severity" => config.severity = self.severities(value, line),
                "jurisdiction" => config.jurisdiction = self.jurisdiction(value, line),
                "log" => config.log = self.log(value, line),
                "include" => config.include = self.globs(value, "include", line),
                "exclude" => config.exclude = self.globs(value, "exclude", line),
                "clauses" => config.clauses = self.globs(value, "clauses", line),
                _ => self.errors.push(ConfigError::UnknownKey {
                    file: self.file.to_string(),
                    line,
                    suggestion: nearest(&key, TOP_LEVEL_KEYS.into_iter()),
                    key,
                }),
            }
        }
        config
    }

    fn shape(
        &mut self,
        line: usize,
        key: &str,
        expected: impl Into<std::borrow::Cow<'static, str>>,
    ) {
        self.errors.push(ConfigError::Shape {
            file: self.file.to_string(),
            line,
            key: key.to_string(),
            expected: expected.into(),
        });
    }

    fn map_entries(&mut self, value: Raw, section: &str, line: usize) -> Vec<Located<Raw>> {
        match value {
            Raw::Null => Vec::new(),
            Raw::Map(m) => m
                .into_iter()
                .map(|(key, value)| Located {
                    line: key_line(self.text, &key, line),
                    key,
                    value,
                })
                .collect(),
            _ => {
                self.shape(line, section, "must be a map of names to values");
                Vec::new()
            }
        }
    }

    fn disable(&mut self, value: Raw, line: usize) -> Vec<Located<()>> {
        self.names(value, line, "disable", "rule ids, prefixes or concepts")
    }

    /// A string or a list of strings (`what` they are, for the error), each with its line.
    fn names(
        &mut self,
        value: Raw,
        line: usize,
        section: &'static str,
        what: &str,
    ) -> Vec<Located<()>> {
        let items = match value {
            Raw::Null => Vec::new(),
            Raw::Str(s) => vec![Raw::Str(s)],
            Raw::List(items) => items,
            _ => {
                self.shape(line, section, format!("must be a list of {what}"));
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for item in items {
            match item {
                Raw::Str(id) => out.push(Located {
                    line: item_line(self.text, &id, line),
                    key: id,
                    value: (),
                }),
                _ => self.shape(line, section, format!("items must be {what}")),
            }
        }
        out
    }

    /// A glob or list of globs, each checked for syntax and located on its own line.
    fn globs(&mut self, value: Raw, section: &'static str, line: usize) -> Vec<Located<()>> {
        const EXPECTED: &str = "must be a glob or a list of globs, e.g. [\"drafts/**\", \"*.pdf\"]";
        let items = match value {
            Raw::Null => Vec::new(),
            Raw::Str(s) => vec![Raw::Str(s)],
            Raw::List(items) => items,
            _ => {
                self.shape(line, section, EXPECTED);
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for item in items {
            let Raw::Str(pattern) = item else {
                self.shape(line, section, EXPECTED);
                continue;
            };
            let at = pattern_line(self.text, &pattern, line);
            match crate::filter::check_pattern(&pattern) {
                Ok(()) => out.push(Located {
                    key: pattern,
                    value: (),
                    line: at,
                }),
                Err(e) => self.errors.push(ConfigError::BadGlob {
                    file: self.file.to_string(),
                    line: at,
                    section,
                    message: glob_error_text(&e),
                    pattern,
                }),
            }
        }
        out
    }

    fn severities(&mut self, value: Raw, line: usize) -> Vec<Located<Severity>> {
        let mut out = Vec::new();
        for entry in self.map_entries(value, "severity", line) {
            let given = match &entry.value {
                Raw::Str(s) => s.to_ascii_lowercase(),
                _ => String::new(),
            };
            let severity = match given.as_str() {
                "error" => Severity::Error,
                "warning" => Severity::Warning,
                "info" => Severity::Info,
                _ => {
                    self.errors.push(ConfigError::BadSeverity {
                        file: self.file.to_string(),
                        line: entry.line,
                        rule: entry.key,
                        given: raw_text(&entry.value).unwrap_or_else(|| "not a word".into()),
                    });
                    continue;
                }
            };
            out.push(Located {
                key: entry.key,
                value: severity,
                line: entry.line,
            });
        }
        out
    }

    fn jurisdiction(&mut self, value: Raw, line: usize) -> Option<String> {
        match value {
            Raw::Str(s) if is_jurisdiction_code(&s) => Some(s.to_ascii_uppercase()),
            _ => {
                self.shape(
                    line,
                    "jurisdiction",
                    "must be a jurisdiction code such as CN, US or US-NY",
                );
                None
            }
        }
    }
}

/// The `log:` section.
impl Reader<'_> {
    fn log(&mut self, value: Raw, line: usize) -> LogMapping {
        let mut mapping = LogMapping::default();
        let entries = match value {
            Raw::Null => return mapping,
            Raw::Map(m) => m,
            _ => {
                self.shape(
                    line,
                    "log",
                    "must be a map of default_zone, columns and values",
                );
                return mapping;
            }
        };
        for (key, value) in entries {
            let key_at = key_line(self.text, &key, line);
            match key.as_str() {
                "default_zone" => mapping.default_zone = self.default_zone(value, key_at),
                "columns" => mapping.columns = self.log_columns(value, key_at),
                "values" => mapping.values = self.log_values(value, key_at),
                _ => self.errors.push(ConfigError::UnknownKey {
                    file: self.file.to_string(),
                    line: key_at,
                    suggestion: nearest(&key, LOG_KEYS.into_iter()),
                    key: format!("log.{key}"),
                }),
            }
        }
        mapping
    }

    fn default_zone(&mut self, value: Raw, line: usize) -> Option<String> {
        let Raw::Str(zone) = value else {
            self.shape(
                line,
                "log.default_zone",
                "must be an IANA time zone such as Asia/Shanghai",
            );
            return None;
        };
        let zone = zone.trim().to_string();
        if crate::log::time::is_known_zone(&zone) {
            return Some(zone);
        }
        self.errors.push(ConfigError::UnknownZone {
            file: self.file.to_string(),
            line,
            suggestion: crate::log::time::nearest_zone(&zone),
            zone,
        });
        None
    }

    /// canonical field -> the log's column name.
    fn log_columns(&mut self, value: Raw, line: usize) -> BTreeMap<String, String> {
        let mut columns = BTreeMap::new();
        for entry in self.map_entries(value, "log.columns", line) {
            // `extra.NAME`: the column rules read as `e.extra.NAME`.
            if LogMapping::extra_field(&entry.key).is_none()
                && !self.is_log_field(&entry, "log.columns", &LOG_FIELDS)
            {
                continue;
            }
            match raw_text(&entry.value).filter(|_| !matches!(entry.value, Raw::Bool(_))) {
                Some(column) => {
                    columns.insert(entry.key, column.trim().to_string());
                }
                None => self.shape(entry.line, "log.columns", "values must be column names"),
            }
        }
        columns
    }

    /// canonical field -> the log's word -> the canonical word.
    fn log_values(
        &mut self,
        value: Raw,
        line: usize,
    ) -> BTreeMap<String, BTreeMap<String, String>> {
        let mut values = BTreeMap::new();
        for entry in self.map_entries(value, "log.values", line) {
            if LogMapping::extra_field(&entry.key).is_some() {
                let words = self.extra_words(entry.value, entry.line);
                values.insert(entry.key, words);
                continue;
            }
            if !self.is_log_field(&entry, "log.values", &LOG_VOCABULARY_FIELDS) {
                continue;
            }
            let Some(vocabulary) = log_schema::words_of(&entry.key) else {
                continue;
            };
            let mut words = BTreeMap::new();
            for word in self.map_entries(entry.value, "log.values", entry.line) {
                let target = match &word.value {
                    Raw::Str(s) => s.trim().to_string(),
                    other => raw_text(other).unwrap_or_default(),
                };
                if vocabulary.contains(&target.as_str()) {
                    words.insert(word.key, target);
                    continue;
                }
                self.errors.push(ConfigError::UnknownLogWord {
                    file: self.file.to_string(),
                    line: word.line,
                    field: entry.key.clone(),
                    suggestion: nearest(&target, vocabulary.iter().copied()),
                    word: target,
                });
            }
            values.insert(entry.key, words);
        }
        values
    }

    /// `log.values.extra.NAME`: the log's word -> the value rules see (`true`, `false`, a
    /// number, or text), kept as written and typed when the log is read.
    fn extra_words(&mut self, value: Raw, line: usize) -> BTreeMap<String, String> {
        let mut words = BTreeMap::new();
        for word in self.map_entries(value, "log.values", line) {
            match raw_text(&word.value) {
                Some(target) => {
                    words.insert(word.key, target.trim().to_string());
                }
                None => self.shape(
                    word.line,
                    "log.values",
                    "an extra field's words map to true, false, a number or a text",
                ),
            }
        }
        words
    }

    /// Whether `entry` names one of `fields`; records the error when it does not.
    fn is_log_field(
        &mut self,
        entry: &Located<Raw>,
        section: &'static str,
        fields: &[&str],
    ) -> bool {
        if fields.contains(&entry.key.as_str()) {
            return true;
        }
        if LOG_FIELDS.contains(&entry.key.as_str()) {
            self.shape(
                entry.line,
                &format!("{section}.{}", entry.key),
                "has no words to map: only kind, party, direction and outcome do",
            );
            return false;
        }
        self.errors.push(ConfigError::UnknownLogField {
            file: self.file.to_string(),
            line: entry.line,
            section,
            field: entry.key.clone(),
            suggestion: nearest(&entry.key, fields.iter().copied()),
        });
        false
    }
}

/// Two or three letters, optionally with a subdivision (`US-NY`).
fn is_jurisdiction_code(s: &str) -> bool {
    let (country, sub) = s.split_once('-').unwrap_or((s, ""));
    (2..=3).contains(&country.len())
        && country.chars().all(|c| c.is_ascii_alphabetic())
        && sub.len() <= 3
        && sub.chars().all(|c| c.is_ascii_alphanumeric())
        && !(s.contains('-') && sub.is_empty())
}

/// 1-based line of the first `key:` at or after 0-based line `from` (the YAML parser gives no
/// positions for keys that parsed fine); `from + 1`, the section's own line, if not found.
fn key_line(text: &str, key: &str, from: usize) -> usize {
    let forms = [
        format!("{key}:"),
        format!("\"{key}\":"),
        format!("'{key}':"),
    ];
    find_line(text, from, |line| {
        let t = line.trim_start().trim_start_matches("- ");
        forms.iter().any(|f| t.starts_with(f.as_str()))
    })
}

/// 1-based line of the first line at or after `from` that holds `pattern` (globs hold the
/// characters `item_line` splits at, so they are searched as a substring).
fn pattern_line(text: &str, pattern: &str, from: usize) -> usize {
    find_line(text, from, |line| line.contains(pattern))
}

/// globset's message names the glob; ours names it already, so keep only the reason.
fn glob_error_text(e: &globset::Error) -> String {
    e.kind().to_string()
}

/// 1-based line of the first line at or after `from` holding list item `item`.
fn item_line(text: &str, item: &str, from: usize) -> usize {
    find_line(text, from, |line| {
        line.split(|c: char| "[],'\"#".contains(c) || c.is_whitespace())
            .any(|w| w == item || w.trim_start_matches('-') == item)
    })
}

fn find_line(text: &str, from: usize, hit: impl Fn(&str) -> bool) -> usize {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| hit(l))
        .map_or(from.max(1), |(i, _)| i + 1)
}

/// A scalar as the user wrote it, for parsing as a rule-language literal.
fn raw_text(raw: &Raw) -> Option<String> {
    match raw {
        Raw::Int(i) => Some(i.to_string()),
        Raw::Float(f) => Some(f.to_string()),
        Raw::Str(s) => Some(s.clone()),
        Raw::Bool(b) => Some(b.to_string()),
        Raw::Null | Raw::List(_) | Raw::Map(_) => None,
    }
}

fn type_name(ty: &Type) -> String {
    match ty {
        Type::Bool => "true/false".into(),
        Type::Number => "number".into(),
        Type::Percent => "percent".into(),
        Type::Money => "money".into(),
        Type::Duration => "duration".into(),
        Type::Time => "time".into(),
        Type::Date => "date".into(),
        Type::Text => "text".into(),
        Type::Symbol(values) => format!("one of {}", values.join(", ")),
        Type::List(_) => "list".into(),
        Type::Binding(_) | Type::Document | Type::Instant | Type::Dynamic => "value".into(),
    }
}

/// The value `raw` means for a param of type `ty`, or a description of what was given.
fn convert(raw: &Raw, ty: &Type) -> Result<Value, String> {
    match (ty, raw) {
        (Type::Text, Raw::Str(s)) => return Ok(Value::Text(s.clone())),
        (Type::Symbol(values), Raw::Str(s)) if values.contains(&s.as_str()) => {
            return Ok(Value::Symbol(s.clone()))
        }
        (Type::Bool, Raw::Bool(b)) => return Ok(Value::Bool(*b)),
        (Type::List(_), Raw::List(items)) => {
            return items
                .iter()
                .map(|i| match i {
                    Raw::Str(s) => Ok(Value::Text(s.clone())),
                    other => Err(format!("a list holding {}", describe_raw(other))),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Value::List)
        }
        _ => {}
    }
    let Some(text) = raw_text(raw) else {
        return Err(describe_raw(raw));
    };
    let Some(literal) = crate::lang::parse_param_value(text.trim()) else {
        return Err(format!(
            "`{text}`, which is not a value of the rule language"
        ));
    };
    match (ty, literal) {
        (Type::Percent, Literal::Percent(x)) => Ok(Value::Percent(x)),
        (Type::Money, Literal::Money { amount, currency }) => Ok(Value::Money { amount, currency }),
        (Type::Duration, Literal::Duration(x)) => Ok(Value::Duration(x)),
        (Type::Time, Literal::Time(x)) => Ok(Value::Time(x)),
        (Type::Date, Literal::Date { year, month, day }) => Ok(Value::Date { year, month, day }),
        (Type::Number, Literal::Number(x)) => Ok(Value::Number(x)),
        (Type::List(_), Literal::List(items)) => {
            Ok(Value::List(items.into_iter().map(Value::Text).collect()))
        }
        (_, other) => Err(format!("{} {text}", literal_kind(&other))),
    }
}

fn literal_kind(l: &Literal) -> &'static str {
    match l {
        Literal::Number(_) => "number",
        Literal::Percent(_) => "percent",
        Literal::Money { .. } => "money",
        Literal::Duration(_) => "duration",
        Literal::Time(_) => "time",
        Literal::Date { .. } => "date",
        Literal::Text(_) => "text",
        Literal::Bool(_) => "true/false",
        Literal::List(_) => "list",
    }
}

fn describe_raw(raw: &Raw) -> String {
    match raw {
        Raw::Null => "nothing".into(),
        Raw::List(_) => "a list".into(),
        Raw::Map(_) => "a map".into(),
        other => raw_text(other).map_or_else(String::new, |t| format!("`{t}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{CheckOptions, Linter};

    fn findings_of(config: Option<&str>, text: &str, rule: &str) -> usize {
        let config = config.map(|c| Config::parse(c, "loanlint.yaml").unwrap());
        let linter =
            Linter::from_sources_configured(crate::builtin::rule_sources(), config.as_ref())
                .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.txt");
        std::fs::write(&path, text).unwrap();
        let options = CheckOptions {
            jurisdiction: Some("CN".into()),
            ..CheckOptions::default()
        };
        let report = linter.check_paths(&[path], &options);
        report.findings.iter().filter(|f| f.rule == rule).count()
    }

    fn apply_errors(yaml: &str) -> Vec<ConfigError> {
        let config = Config::parse(yaml, "cfg/loanlint.yaml").unwrap();
        let concepts = crate::concepts::ConceptCatalogue::builtin();
        let (mut rules, _) =
            crate::lang::compile(&crate::builtin::rule_sources(), &concepts).unwrap();
        config.apply(&mut rules).unwrap_err()
    }

    const LICENSED: &str = "贷款人:某消费金融有限公司\n\n借款年化利率为18%。";

    #[test]
    fn private_lender_type_makes_the_4x_lpr_rule_apply() {
        assert_eq!(findings_of(None, LICENSED, "CN-INT-003"), 0);
        let yaml = "params:\n  lender_type: private\n";
        assert_eq!(findings_of(Some(yaml), LICENSED, "CN-INT-003"), 1);
        let qualified = "params:\n  cn-consumer-credit.lender_type: private\n";
        assert_eq!(findings_of(Some(qualified), LICENSED, "CN-INT-003"), 1);
    }

    #[test]
    fn disabled_rules_are_silent_by_id_prefix_or_concept() {
        let text = "本协议的最终解释权归本平台所有。";
        assert_ne!(findings_of(None, text, "CN-FMT-001"), 0);
        for yaml in ["disable: [CN-FMT-001]\n", "disable:\n  - CN-FMT-*\n"] {
            assert_eq!(findings_of(Some(yaml), text, "CN-FMT-001"), 0, "{yaml}");
        }
    }

    #[test]
    fn a_percent_where_money_is_expected_names_file_and_line() {
        let errors = apply_errors("# settings\nparams:\n  lpr_1y: 3.1%\n  credit_line_max: 24%\n");
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].to_string(),
            "cfg/loanlint.yaml:4: param `credit_line_max`: money expected, got percent 24%"
        );
    }

    #[test]
    fn unknown_names_suggest_the_nearest() {
        let errors = Config::parse("jurisdiction: CN\nparamz:\n  a: 1\n", "c.yaml").unwrap_err();
        assert_eq!(
            errors[0].to_string(),
            "c.yaml:2: unknown key `paramz`; did you mean `params`?"
        );
        let errors = apply_errors("params:\n  lender_typ: private\ndisable:\n  - CN-FMT-01\n");
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "cfg/loanlint.yaml:2: unknown param `lender_typ`; did you mean `lender_type`?",
                "cfg/loanlint.yaml:4: `disable`: no rule or concept `CN-FMT-01`; did you mean \
                 `CN-FMT-001`?",
            ]
        );
    }

    const LOG_SECTION: &str = "\
jurisdiction: CN
log:
  default_zone: Asia/Shanghai
  columns:
    debtor: debtor_id
    time: ts
    kind: channel
    id: event_id
  values:
    kind: {phone: call}
    party:
      third_party: other_third_party
";

    #[test]
    fn the_log_section_becomes_a_mapping() {
        let mapping = Config::parse(LOG_SECTION, "c.yaml").unwrap().log_mapping();
        assert_eq!(mapping.default_zone.as_deref(), Some("Asia/Shanghai"));
        let columns: Vec<(&str, &str)> = mapping
            .columns
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            columns,
            [
                ("debtor", "debtor_id"),
                ("id", "event_id"),
                ("kind", "channel"),
                ("time", "ts")
            ]
        );
        assert_eq!(mapping.values["kind"]["phone"], "call");
        assert_eq!(mapping.values["party"]["third_party"], "other_third_party");
        assert_eq!(
            Config::parse("params: {}\n", "c.yaml")
                .unwrap()
                .log_mapping(),
            LogMapping::default()
        );
    }

    #[test]
    fn extra_fields_take_columns_and_words() {
        let yaml = "\
log:
  columns:
    extra.collectors: 外访人数
    extra.consent: 客户同意
  values:
    extra.consent: {是: true, 否: false, 部分: 0.5}
    extra.: {a: b}
";
        let errors = Config::parse(yaml, "c.yaml").unwrap_err();
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["c.yaml:7: `log.values`: no log field `extra.`"]);
        let mapping = Config::parse(&yaml.replace("    extra.: {a: b}\n", ""), "c.yaml")
            .unwrap()
            .log_mapping();
        assert_eq!(mapping.columns["extra.collectors"], "外访人数");
        assert_eq!(mapping.columns["extra.consent"], "客户同意");
        let consent = &mapping.values["extra.consent"];
        assert_eq!(
            (&consent["是"][..], &consent["否"][..], &consent["部分"][..]),
            ("true", "false", "0.5")
        );
    }

    #[test]
    fn log_section_mistakes_name_their_line() {
        let yaml = "\
log:
  default_zone: Asia/Shangai
  colums: {debtor: debtor_id}
  columns:
    debter: debtor_id
    time: ts
  values:
    kind:
      phone: cal
    text: {a: b}
    partty: {x: debtor}
";
        let errors = Config::parse(yaml, "c.yaml").unwrap_err();
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "c.yaml:2: `log.default_zone`: unknown time zone `Asia/Shangai`; did you mean \
                 `Asia/Shanghai`?",
                "c.yaml:3: unknown key `log.colums`; did you mean `columns`?",
                "c.yaml:5: `log.columns`: no log field `debter`; did you mean `debtor`?",
                "c.yaml:9: `log.values.kind`: `cal` is not a kind word; did you mean `call`?",
                "c.yaml:10: `log.values.text` has no words to map: only kind, party, direction \
                 and outcome do",
                "c.yaml:11: `log.values`: no log field `partty`; did you mean `party`?",
            ]
        );
    }

    #[test]
    fn globs_are_checked_and_located_per_item() {
        let errors = Config::parse(
            "include: contracts/**\nexclude:\n  - drafts/\n  - \"a{b\"\n",
            "c.yaml",
        )
        .unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0]
                .to_string()
                .starts_with("c.yaml:4: `exclude` pattern `a{b` is not a valid glob: "),
            "{}",
            errors[0]
        );
        let errors = Config::parse("exclude: {a: 1}\n", "c.yaml").unwrap_err();
        assert!(errors[0]
            .to_string()
            .starts_with("c.yaml:1: `exclude` must be a glob"));
        let config = Config::parse("include: [\"contracts/**\"]\n", "c.yaml").unwrap();
        let filter = config.file_filter();
        assert!(filter.allows(Path::new("contracts/a.txt")));
        assert!(!filter.allows(Path::new("other/a.txt")));
    }

    #[test]
    fn severity_override_and_bad_severity() {
        let errors = Config::parse("severity:\n  CN-FMT-001: fatal\n", "c.yaml").unwrap_err();
        assert_eq!(
            errors[0].to_string(),
            "c.yaml:2: severity of `CN-FMT-001` is `fatal`; use error, warning or info"
        );
    }

    #[test]
    fn the_readme_example_applies_to_the_builtin_packs() {
        let readme = include_str!("../README.md");
        let section = readme.split("## Configuration").nth(1).unwrap();
        let yaml = section.split("```yaml\n").nth(1).unwrap();
        let yaml = yaml.split("```").next().unwrap();
        let config = Config::parse(yaml, "README.md").unwrap();
        assert_eq!(config.jurisdiction.as_deref(), Some("CN"));
        let concepts = crate::concepts::ConceptCatalogue::builtin();
        let (mut rules, _) =
            crate::lang::compile(&crate::builtin::rule_sources(), &concepts).unwrap();
        config.apply(&mut rules).unwrap();
        let ids: Vec<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
        assert!(!ids.contains(&"CN-FMT-001") && !ids.iter().any(|i| i.starts_with("CN-PRI-")));
        let int3 = rules.rules.iter().find(|r| r.id == "CN-INT-003").unwrap();
        assert_eq!(int3.severity, Severity::Error);
        let cap = rules
            .params
            .iter()
            .find(|p| p.name == "credit_line_max")
            .unwrap();
        assert_eq!(
            cap.value,
            Value::Money {
                amount: 200_000.into(),
                currency: "CNY".into()
            }
        );
    }

    #[test]
    fn the_starter_applies_and_uncommented_restates_every_default() {
        let concepts = crate::concepts::ConceptCatalogue::builtin();
        let (rules, _) = crate::lang::compile(&crate::builtin::rule_sources(), &concepts).unwrap();
        let text = starter(&rules);
        let mut applied = rules.clone();
        Config::parse(&text, "s.yaml")
            .unwrap()
            .apply(&mut applied)
            .unwrap();
        assert_eq!(applied, rules);
        let uncommented: String = text
            .lines()
            .map(|l| match l.strip_prefix("  # ") {
                Some(rest) if !rest.starts_with('(') => format!("  {rest}\n"),
                _ => format!("{l}\n"),
            })
            .collect();
        let config = Config::parse(&uncommented, "s.yaml").unwrap();
        assert_eq!(config.params.len(), rules.params.len());
        let mut applied = rules.clone();
        config.apply(&mut applied).unwrap();
        assert_eq!(applied, rules);
    }
}
