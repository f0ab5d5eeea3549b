//! pest grammar -> AST.

use super::ast::RuleFile;
use super::{Diagnostic, SourceFile};

/// Parse one rule file; `file` is its index (for the diagnostic).
pub fn parse(source: &SourceFile, file: usize) -> Result<RuleFile, Diagnostic> {
    let _ = (source, file);
    Err(Diagnostic {
        code: "LL001",
        level: super::DiagLevel::Error,
        message: "parser not written yet".into(),
        file,
        span: 0..0,
        label: String::new(),
        others: vec![],
        help: None,
    })
}
