//! What a check produces.

use serde::Serialize;

pub use crate::lang::ir::Severity;

/// One violation, located in the original file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: String,
    pub concept: String,
    pub severity: Severity,
    pub message: String,
    pub file: String,
    /// 1-based line / character column of the span start and end in the original file.
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// Byte offsets into the original file.
    pub byte_start: usize,
    pub byte_end: usize,
    pub cite: String,
    pub help: String,
    /// The text of the span (in the original file).
    pub snippet: String,
    /// The clause the span sits in, as the reader numbers it ("第五条"), if any.
    pub clause: Option<String>,
    /// For log findings: the record (event) id.
    pub record: Option<String>,
    /// Byte range into the decoded source text (for renderers); not part of the JSON schema.
    #[serde(skip)]
    pub source_range: std::ops::Range<usize>,
}
