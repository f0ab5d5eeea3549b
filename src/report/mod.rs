//! Renderers: findings -> text for people (ariadne) and machines (JSON).

mod human;
mod json;

pub use human::render_human;
pub use json::render_json;

use crate::engine::Finding;
use serde::Serialize;
use std::collections::BTreeMap;

/// A file that could not be checked (or a record that could not be read).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

/// Which packs were applied to one subject, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubjectInfo {
    pub file: String,
    pub jurisdiction: Option<String>,
    pub packs: Vec<String>,
    /// Why this jurisdiction (or why none) applies.
    pub reason: String,
}

/// The result of a check run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Files that were read and checked.
    pub files: usize,
    /// Sorted by file, position, rule id.
    pub findings: Vec<crate::engine::Finding>,
    pub subjects: Vec<SubjectInfo>,
    pub input_errors: Vec<InputError>,
    /// Decoded source text of each file with findings (for rendering in context).
    pub sources: BTreeMap<String, String>,
}

impl Report {
    pub fn count_at_least(&self, level: crate::engine::Severity) -> usize {
        self.findings
            .iter()
            .filter(|f: &&Finding| f.severity >= level)
            .count()
    }
}
