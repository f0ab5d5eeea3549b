//! The rule language: parse rule files (pest) into an AST, check names and
//! types, and produce a resolved [`ir::RuleSet`]. Errors are [`Diagnostic`]s
//! with byte spans into the rule file, rendered with ariadne by [`render`].

pub mod ast;
mod check;
mod diag;
pub mod ir;
mod parser;
pub(crate) mod regex_bounds;

pub use check::check;
pub use diag::{render, DiagLevel, Diagnostic};
pub use parser::{parse, parse_param_value};

/// A rule file's path (as shown in diagnostics) and text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

/// Parse and check a set of rule files together (packs may span files).
/// On success returns the rule set and any warnings; on failure every error
/// found (and the warnings), so that a rule author sees them all at once.
pub fn compile(
    files: &[SourceFile],
    concepts: &crate::concepts::ConceptCatalogue,
) -> Result<(ir::RuleSet, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut parsed = Vec::new();
    let mut errors = Vec::new();
    for (i, f) in files.iter().enumerate() {
        match parse(f, i) {
            Ok(ast) => parsed.push((i, ast)),
            Err(d) => errors.push(d),
        }
    }
    let (set, mut diags) = check(files, &parsed, concepts);
    if !errors.is_empty() {
        errors.append(&mut diags);
        return Err(errors);
    }
    match set {
        Some(set) if !diags.iter().any(|d| d.level == DiagLevel::Error) => Ok((set, diags)),
        _ => Err(diags),
    }
}
