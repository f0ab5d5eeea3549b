//! The rule packs and concept catalogue embedded in the binary.

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// The concept catalogue, `rules/concepts.yaml`.
pub static CONCEPTS_YAML: &str = include_str!("../rules/concepts.yaml");

/// The built-in rule files as sources for [`crate::lang::compile`].
pub fn rule_sources() -> Vec<crate::lang::SourceFile> {
    BUILTIN_RULE_FILES
        .iter()
        .map(|(path, text)| crate::lang::SourceFile {
            path: format!("<builtin>/{path}"),
            text: text.to_string(),
        })
        .collect()
}
