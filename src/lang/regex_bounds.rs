//! Bounds on the regexes of rule files, so that a rule author cannot make the checker slow
//! or huge. Matching time is linear in text length times compiled size (the regex crate has
//! no backtracking), so bounding the compiled size bounds both time and memory.
//!
//! The engine (src/engine/patterns.rs) compiles every regex alone with an 8 MiB limit, and
//! all of them together into one set with a 256 MiB limit. A regex that passes here passes
//! there: it is checked after the same normalisation, with the same per-regex limit, and at
//! most [`MAX_LARGE_REGEXES`] regexes may be larger than [`LARGE_REGEX_SIZE`], so the large
//! ones take at most half of the set's budget (the small ones, hundreds of them, the rest).

/// One regex's compiled program, after normalisation (the engine's own per-regex limit).
pub(crate) const MAX_REGEX_SIZE: usize = 8 << 20;
/// A regex compiled bigger than this is large; few may be.
pub(crate) const LARGE_REGEX_SIZE: usize = 1 << 20;
/// How many large regexes all rule files together may have.
pub(crate) const MAX_LARGE_REGEXES: usize = 16;
/// Groups, classes and repetitions nested deeper than this are refused when parsing.
pub(crate) const MAX_REGEX_NESTING: u32 = 64;
/// The lazy DFA's cache while matching one regex (regex's default, made explicit).
const REGEX_DFA_CACHE: usize = 2 << 20;
/// Entries in one lexicon: each literal is a state path of the shared literal automaton and
/// each regex a member of the shared set.
pub(crate) const MAX_LEXICON_ENTRIES: usize = 100_000;

/// How a bounded compile went.
pub(crate) enum Bounded {
    /// Within the limits; `large` when over [`LARGE_REGEX_SIZE`].
    Fits { regex: regex::Regex, large: bool },
    /// Over [`MAX_REGEX_SIZE`] compiled.
    TooBig,
    /// Does not compile for another reason.
    Invalid(String),
}

/// Compile `source` (already normalised as the engine will) within the limits. A small
/// regex compiles once; only a large one is compiled a second time with the full limit.
pub(crate) fn compile(source: &str) -> Bounded {
    match build(source, LARGE_REGEX_SIZE) {
        Ok(regex) => Bounded::Fits {
            regex,
            large: false,
        },
        Err(regex::Error::CompiledTooBig(_)) => match build(source, MAX_REGEX_SIZE) {
            Ok(regex) => Bounded::Fits { regex, large: true },
            Err(regex::Error::CompiledTooBig(_)) => Bounded::TooBig,
            Err(e) => Bounded::Invalid(e.to_string()),
        },
        Err(e) => Bounded::Invalid(e.to_string()),
    }
}

fn build(source: &str, size_limit: usize) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(source)
        .size_limit(size_limit)
        .dfa_size_limit(REGEX_DFA_CACHE)
        .nest_limit(MAX_REGEX_NESTING)
        .build()
}

/// What to do about a regex over the size limit.
pub(crate) const SIMPLIFY_HELP: &str = "simplify it: lower counted repetitions (`{0,20}` \
rather than `{0,2000}`), narrow wide Unicode classes (`\\w`, `[^。]`, `.`) or repeat them \
less, or split the alternatives into a lexicon or several rules";
