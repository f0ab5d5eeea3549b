//! Every regex and literal of every rule, compiled once into atoms behind one
//! shared prefilter: an Aho-Corasick automaton for literals (which also yields
//! their positions) and a RegexSet that says which regexes occur at all. A
//! document is scanned once by each; regex positions are then searched only
//! for the regexes the set reported, and only when a rule asks for them.

use crate::document::{normalise_pattern_literal, normalise_regex_source};
use crate::lang::ir::{Pattern, PatternId};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::{Regex, RegexSet, RegexSetBuilder};
use std::ops::Range;
use std::sync::OnceLock;

/// Limits that keep a rule author from making the checker slow or huge.
const REGEX_SIZE_LIMIT: usize = 8 << 20;
const REGEX_SET_SIZE_LIMIT: usize = 256 << 20;
/// The lazy DFA's cache for the combined set: too small and it thrashes on Chinese
/// patterns and falls back to the (much slower) PikeVM.
const REGEX_SET_DFA_CACHE: usize = 64 << 20;

#[derive(Debug, thiserror::Error)]
pub enum PatternError {
    #[error("pattern /{pattern}/ does not compile after normalisation: {message}")]
    Regex { pattern: String, message: String },
    #[error("the combined literal prefilter could not be built: {0}")]
    Literals(String),
}

/// How a rule-level pattern is matched.
#[derive(Debug)]
enum Compiled {
    /// The union of these atoms (regex or literal).
    Atoms(Vec<Atom>),
    Within {
        left: PatternId,
        distance: u32,
        right: PatternId,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Atom {
    /// Index into `PatternTable::literals`.
    Literal(usize),
    /// Index into `PatternTable::regexes`.
    Regex(usize),
}

#[derive(Debug)]
pub struct PatternTable {
    compiled: Vec<Compiled>,
    literals: Vec<String>,
    regexes: Vec<Regex>,
    literal_automaton: Option<AhoCorasick>,
    regex_set: Option<RegexSet>,
    /// Regexes the set leaves out (index into `regexes`), ascending: those with Unicode word
    /// boundaries (`\b`). The set's lazy DFA gives up on them at the first non-ASCII
    /// character and the whole set falls back to the PikeVM, many times slower on Chinese
    /// text; alone, each is searched only when a rule asks, behind its own literal prefilter.
    unscanned: Vec<usize>,
    /// The set's patterns, as indices into `regexes`.
    set_members: Vec<usize>,
}

impl PatternTable {
    /// Compile only the patterns `keep` selects (and what they are built of); the others
    /// never match. Contracts and logs each scan for their own rules' patterns only.
    pub fn compile_only(
        patterns: &[Pattern],
        keep: &dyn Fn(PatternId) -> bool,
    ) -> Result<PatternTable, PatternError> {
        let kept = closure(patterns, keep);
        let mut table = PatternTable {
            compiled: Vec::with_capacity(patterns.len()),
            literals: Vec::new(),
            regexes: Vec::new(),
            literal_automaton: None,
            regex_set: None,
            unscanned: Vec::new(),
            set_members: Vec::new(),
        };
        let mut regex_sources: Vec<String> = Vec::new();
        for (id, p) in patterns.iter().enumerate() {
            if !kept[id] {
                table.compiled.push(Compiled::Atoms(Vec::new()));
                continue;
            }
            let compiled = match p {
                Pattern::Regex(src) => {
                    Compiled::Atoms(vec![table.regex_atom(src, &mut regex_sources)?])
                }
                Pattern::Literal(s) => Compiled::Atoms(vec![table.literal_atom(s)]),
                Pattern::Lexicon {
                    literals, regexes, ..
                } => {
                    let mut atoms = Vec::new();
                    for l in literals {
                        atoms.push(table.literal_atom(l));
                    }
                    for r in regexes {
                        atoms.push(table.regex_atom(r, &mut regex_sources)?);
                    }
                    Compiled::Atoms(atoms)
                }
                Pattern::Within {
                    left,
                    distance,
                    right,
                } => Compiled::Within {
                    left: *left,
                    distance: *distance,
                    right: *right,
                },
            };
            table.compiled.push(compiled);
        }
        if !table.literals.is_empty() {
            let ac = AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&table.literals)
                .map_err(|e| PatternError::Literals(e.to_string()))?;
            table.literal_automaton = Some(ac);
        }
        // A regex with a Unicode word boundary would push the whole set onto a slow engine
        // for every non-ASCII text. The set gets it without its word boundaries (it matches
        // wherever the regex does, and more), and the regex itself confirms; a regex whose
        // relaxed form cannot be built is searched alone.
        let mut scanned: Vec<String> = Vec::new();
        for (i, src) in regex_sources.iter().enumerate() {
            if !has_unicode_word_boundary(src) {
                scanned.push(src.clone());
            } else if let Some(relaxed) = without_word_boundaries(src) {
                scanned.push(relaxed);
            } else {
                table.unscanned.push(i);
            }
        }
        table.set_members = (0..regex_sources.len())
            .filter(|i| table.unscanned.binary_search(i).is_err())
            .collect();
        if !scanned.is_empty() {
            let set = RegexSetBuilder::new(scanned)
                .size_limit(REGEX_SET_SIZE_LIMIT)
                .dfa_size_limit(REGEX_SET_DFA_CACHE)
                .build()
                .map_err(|e| PatternError::Regex {
                    pattern: "<set>".into(),
                    message: e.to_string(),
                })?;
            table.regex_set = Some(set);
        }
        Ok(table)
    }

    fn literal_atom(&mut self, literal: &str) -> Atom {
        let norm = normalise_pattern_literal(literal);
        if let Some(i) = self.literals.iter().position(|l| *l == norm) {
            return Atom::Literal(i);
        }
        self.literals.push(norm);
        Atom::Literal(self.literals.len() - 1)
    }

    fn regex_atom(&mut self, src: &str, sources: &mut Vec<String>) -> Result<Atom, PatternError> {
        let norm = normalise_regex_source(src);
        if let Some(i) = sources.iter().position(|s| *s == norm) {
            return Ok(Atom::Regex(i));
        }
        let re = regex::RegexBuilder::new(&norm)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map_err(|e| PatternError::Regex {
                pattern: src.to_string(),
                message: e.to_string(),
            })?;
        self.regexes.push(re);
        sources.push(norm);
        Ok(Atom::Regex(self.regexes.len() - 1))
    }

    /// Whether pattern `id` can match at all in a text whose scan is `scan`
    /// (a cheap necessary condition: for `within`, its left side).
    pub fn may_occur(&self, id: PatternId, scan: &Scan) -> bool {
        match self.compiled.get(id) {
            Some(Compiled::Atoms(atoms)) => atoms.iter().any(|a| match a {
                Atom::Literal(i) => !scan.literal_hits(*i).is_empty(),
                Atom::Regex(i) => self.regex_may_occur(*i, scan),
            }),
            Some(Compiled::Within { left, right, .. }) => {
                self.may_occur(*left, scan) && self.may_occur(*right, scan)
            }
            None => false,
        }
    }

    /// Whether regex `i` may occur: the set says for its members; the others may always.
    fn regex_may_occur(&self, i: usize, scan: &Scan) -> bool {
        scan.regex_present(i) || self.unscanned.binary_search(&i).is_ok()
    }

    /// One pass of the prefilter over `text`. Only what occurs is stored: a short text with
    /// no hits allocates nothing for the hundreds of patterns that are not in it.
    pub fn scan(&self, text: &str) -> Scan {
        let mut literal_hits: Vec<(usize, Range<usize>)> = Vec::new();
        if let Some(ac) = &self.literal_automaton {
            for m in ac.find_overlapping_iter(text) {
                literal_hits.push((m.pattern().as_usize(), m.start()..m.end()));
            }
        }
        // Grouped by literal, each literal's hits in the order the automaton gave them.
        literal_hits.sort_by_key(|(literal, _)| *literal);
        let regex_present = match &self.regex_set {
            Some(set) => set
                .matches(text)
                .iter()
                .filter_map(|i| self.set_members.get(i).copied())
                .collect(),
            None => Vec::new(),
        };
        Scan {
            literal_hits,
            regex_present,
            matches: OnceLock::new(),
            patterns: self.compiled.len(),
        }
    }

    /// All matches of pattern `id` in `text` (sorted by start, no match inside another), cached in `scan`.
    pub fn matches<'s>(&self, id: PatternId, text: &str, scan: &'s Scan) -> &'s [Range<usize>] {
        let cells = scan
            .matches
            .get_or_init(|| (0..scan.patterns).map(|_| OnceLock::new()).collect());
        let Some(cell) = cells.get(id) else {
            return &[];
        };
        cell.get_or_init(|| self.compute_matches(id, text, scan))
    }

    fn compute_matches(&self, id: PatternId, text: &str, scan: &Scan) -> Vec<Range<usize>> {
        match self.compiled.get(id) {
            Some(Compiled::Atoms(atoms)) => {
                let mut all = Vec::new();
                for a in atoms {
                    match a {
                        Atom::Literal(i) => {
                            all.extend(scan.literal_hits(*i).iter().map(|(_, r)| r.clone()))
                        }
                        Atom::Regex(i) => {
                            if self.regex_may_occur(*i, scan) {
                                if let Some(re) = self.regexes.get(*i) {
                                    find_within_lines(re, text, &mut all);
                                }
                            }
                        }
                    }
                }
                outermost(all)
            }
            Some(Compiled::Within {
                left,
                distance,
                right,
            }) => {
                let lefts = self.matches(*left, text, scan).to_vec();
                let rights = self.matches(*right, text, scan);
                lefts
                    .into_iter()
                    .filter(|l| within(text, l, rights, *distance))
                    .collect()
            }
            None => Vec::new(),
        }
    }

    /// Every atom source, for `rules patterns`-style listings and benchmarks.
    pub fn sources(&self) -> (Vec<&str>, Vec<&str>) {
        (
            self.literals.iter().map(String::as_str).collect(),
            self.regexes.iter().map(Regex::as_str).collect(),
        )
    }
}

/// Whether a (normalised, compilable) regex has a Unicode word-boundary assertion.
fn has_unicode_word_boundary(src: &str) -> bool {
    regex_syntax::Parser::new()
        .parse(src)
        .is_ok_and(|hir| hir.properties().look_set().contains_word_unicode())
}

/// `src` with every word-boundary assertion removed, as a regex source: a necessary condition
/// for `src` that a DFA can search in any text.
fn without_word_boundaries(src: &str) -> Option<String> {
    use regex_syntax::hir::{Capture, Hir, HirKind, Look, Repetition};
    fn relax(hir: &Hir) -> Hir {
        match hir.kind() {
            HirKind::Look(
                Look::WordAscii
                | Look::WordAsciiNegate
                | Look::WordUnicode
                | Look::WordUnicodeNegate
                | Look::WordStartAscii
                | Look::WordEndAscii
                | Look::WordStartUnicode
                | Look::WordEndUnicode
                | Look::WordStartHalfAscii
                | Look::WordEndHalfAscii
                | Look::WordStartHalfUnicode
                | Look::WordEndHalfUnicode,
            ) => Hir::empty(),
            HirKind::Repetition(r) => Hir::repetition(Repetition {
                sub: Box::new(relax(&r.sub)),
                ..r.clone()
            }),
            HirKind::Capture(c) => Hir::capture(Capture {
                sub: Box::new(relax(&c.sub)),
                ..c.clone()
            }),
            HirKind::Concat(parts) => Hir::concat(parts.iter().map(relax).collect()),
            HirKind::Alternation(parts) => Hir::alternation(parts.iter().map(relax).collect()),
            _ => hir.clone(),
        }
    }
    let hir = regex_syntax::Parser::new().parse(src).ok()?;
    let relaxed = relax(&hir).to_string();
    // What the regex crate reads back must be a regex without Unicode word boundaries.
    regex_syntax::Parser::new()
        .parse(&relaxed)
        .ok()
        .filter(|h| !h.properties().look_set().contains_word_unicode())
        .map(|_| relaxed)
}

/// `keep`'s patterns and every pattern a kept `within` is made of.
fn closure(patterns: &[Pattern], keep: &dyn Fn(PatternId) -> bool) -> Vec<bool> {
    let mut kept: Vec<bool> = (0..patterns.len()).map(keep).collect();
    let mut stack: Vec<PatternId> = (0..patterns.len()).filter(|&i| kept[i]).collect();
    while let Some(id) = stack.pop() {
        if let Some(Pattern::Within { left, right, .. }) = patterns.get(id) {
            for part in [*left, *right] {
                if part < kept.len() && !kept[part] {
                    kept[part] = true;
                    stack.push(part);
                }
            }
        }
    }
    kept
}

/// One pattern's matches in a text, computed when first asked for.
type MatchCache = OnceLock<Vec<Range<usize>>>;

/// The per-document result of the prefilter, plus lazily computed match lists.
#[derive(Debug)]
pub struct Scan {
    /// (literal, where it occurs), grouped by literal.
    literal_hits: Vec<(usize, Range<usize>)>,
    /// The regexes that occur, ascending.
    regex_present: Vec<usize>,
    /// Per pattern, its matches once asked for; the table is made on the first question.
    matches: OnceLock<Box<[MatchCache]>>,
    /// How many patterns the table has.
    patterns: usize,
}

impl Scan {
    /// The scan of a text in which nothing occurs.
    pub fn empty() -> Scan {
        Scan {
            literal_hits: Vec::new(),
            regex_present: Vec::new(),
            matches: OnceLock::new(),
            patterns: 0,
        }
    }

    /// The hits of literal `literal`, in the automaton's order.
    fn literal_hits(&self, literal: usize) -> &[(usize, Range<usize>)] {
        let lo = self.literal_hits.partition_point(|(l, _)| *l < literal);
        let hi = lo + self.literal_hits[lo..].partition_point(|(l, _)| *l == literal);
        &self.literal_hits[lo..hi]
    }

    fn regex_present(&self, regex: usize) -> bool {
        self.regex_present.binary_search(&regex).is_ok()
    }
}

/// Matches of `re` that do not run across a line end. Clauses, paragraphs and sentences all
/// end at line ends, so a match that starts on one line and ends on the next (`调整[^。]{0,20}公告`
/// from a heading into the clause body) would hide a real match inside the next line. The
/// whole text is searched at once; only when a match crosses a line end is it searched again,
/// line by line. A match may end with its line's `\n`; `^` still means the start of the text.
fn find_within_lines(re: &Regex, text: &str, out: &mut Vec<Range<usize>>) {
    let first = out.len();
    for m in re.find_iter(text).filter(|m| !m.is_empty()) {
        if crosses_line_end(m.as_str()) {
            out.truncate(first);
            let mut line_start = 0;
            for line in text.split_inclusive('\n') {
                let line_end = line_start + line.len();
                find_in_line(re, &text[..line_end], line_start, out);
                line_start = line_end;
            }
            return;
        }
        out.push(m.range());
    }
}

fn crosses_line_end(matched: &str) -> bool {
    matched.strip_suffix('\n').unwrap_or(matched).contains('\n')
}

/// Matches in `hay[from..]` (which ends at a line end).
fn find_in_line(re: &Regex, hay: &str, from: usize, out: &mut Vec<Range<usize>>) {
    let mut at = from;
    while at < hay.len() {
        let Some(m) = re.find_at(hay, at) else { break };
        if m.is_empty() {
            at = m.end() + hay[m.end()..].chars().next().map_or(1, char::len_utf8);
            continue;
        }
        out.push(m.range());
        at = m.end();
    }
}

/// Sort matches and drop those that lie inside another (a lexicon's "不承担" inside
/// "不承担任何责任" is one finding, not two).
fn outermost(mut all: Vec<Range<usize>>) -> Vec<Range<usize>> {
    all.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(all.len());
    for m in all {
        if let Some(last) = out.last() {
            if m.start >= last.start && m.end <= last.end {
                continue;
            }
        }
        out.push(m);
    }
    out
}

/// Whether some range of `others` (sorted by start) is at most `distance` characters from `m`
/// on the same line.
fn within(text: &str, m: &Range<usize>, others: &[Range<usize>], distance: u32) -> bool {
    // A character is at most 4 bytes, so nothing starting further than this can qualify.
    let reach = (distance as usize).saturating_mul(4);
    let lo = m.start.saturating_sub(reach);
    let first = others.partition_point(|o| o.end < lo);
    for o in &others[first..] {
        if o.start > m.end.saturating_add(reach) {
            break;
        }
        // Like a match, a proximity never reaches across a line end.
        let gap_len = |g: &str| {
            if g.contains('\n') {
                usize::MAX
            } else {
                g.chars().count()
            }
        };
        let gap = if o.start >= m.end {
            text.get(m.end..o.start).map_or(usize::MAX, gap_len)
        } else if m.start >= o.end {
            text.get(o.end..m.start).map_or(usize::MAX, gap_len)
        } else {
            0
        };
        if gap <= distance as usize {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(ps: Vec<Pattern>) -> PatternTable {
        PatternTable::compile_only(&ps, &|_| true).expect("patterns compile")
    }

    #[test]
    fn lexicon_matches_are_outermost_and_sorted() {
        let t = table(vec![Pattern::Lexicon {
            name: "x".into(),
            literals: vec!["不承担".into(), "不承担任何责任".into()],
            regexes: vec!["概不负责".into()],
        }]);
        let text = "甲方概不负责，乙方不承担任何责任。";
        let scan = t.scan(text);
        assert!(t.may_occur(0, &scan));
        let m = t.matches(0, text, &scan);
        assert_eq!(m.len(), 2);
        assert_eq!(&text[m[0].clone()], "概不负责");
        assert_eq!(&text[m[1].clone()], "不承担任何责任");
    }

    #[test]
    fn within_measures_the_gap_in_characters() {
        let t = table(vec![
            Pattern::Literal("不可撤销".into()),
            Pattern::Literal("个人信息".into()),
            Pattern::Within {
                left: 0,
                distance: 5,
                right: 1,
            },
            Pattern::Within {
                left: 0,
                distance: 4,
                right: 1,
            },
        ]);
        let text = "借款人不可撤销地授权查询个人信息";
        let scan = t.scan(text);
        // The gap 地授权查询 is five characters.
        assert_eq!(t.matches(2, text, &scan).len(), 1);
        assert!(t.matches(3, text, &scan).is_empty());
        let text = "借款人不可撤销\n个人信息";
        let scan = t.scan(text);
        assert!(
            t.matches(2, text, &scan).is_empty(),
            "not across a line end"
        );
    }

    #[test]
    fn regex_matches_never_cross_a_line_end() {
        let title = table(vec![Pattern::Regex(
            "^\\s*[^\\n]{0,10}授权书\\s*\\n".into(),
        )]);
        let text = "个人信息授权书\n本人授权。\n";
        assert_eq!(
            title.matches(0, text, &title.scan(text)).to_vec(),
            vec![0..22]
        );
        let text = "前言\n个人信息授权书\n";
        assert!(
            title.matches(0, text, &title.scan(text)).is_empty(),
            "^ is the start of the text"
        );
        let t = table(vec![Pattern::Regex("调整[^。]{0,20}公告".into())]);
        let text = "第3条 费用调整\n丙方有权调整费率，以公告为准。\n调整后以公告为准";
        let scan = t.scan(text);
        let m: Vec<&str> = t
            .matches(0, text, &scan)
            .iter()
            .map(|r| &text[r.clone()])
            .collect();
        assert_eq!(m, ["调整费率，以公告", "调整后以公告"]);
    }

    #[test]
    fn unicode_word_boundary_regexes_are_searched_alone_with_the_same_matches() {
        let t = table(vec![
            Pattern::Regex("(?i)\\bloans?\\b".into()),
            Pattern::Regex("逾期".into()),
        ]);
        assert!(
            t.unscanned.is_empty(),
            "in the set without its word boundaries"
        );
        // 款 is a word character for a Unicode \b: no boundary before "loan".
        let text = "贷款loan 逾期, a LOAN here";
        let scan = t.scan(text);
        let m: Vec<&str> = t
            .matches(0, text, &scan)
            .iter()
            .map(|r| &text[r.clone()])
            .collect();
        assert_eq!(m, ["LOAN"]);
        assert_eq!(t.matches(1, text, &scan).len(), 1);
        let plain = "客户已还清";
        let scan = t.scan(plain);
        assert!(
            !t.may_occur(1, &scan),
            "the set still rules out its members"
        );
        assert!(t.matches(0, plain, &scan).is_empty());
        assert!(!t.may_occur(0, &scan), "the relaxed form rules it out");
    }

    #[test]
    fn relaxed_regexes_drop_only_word_boundaries() {
        let owed = without_word_boundaries("\\b(?:owe|owed)\\b").expect("relaxable");
        let re = regex::Regex::new(&owed).expect("the relaxed source is a regex");
        // 欠 is a word character: the original has no boundary before "owed" here.
        assert!(re.is_match("欠owed款"));
        assert!(!re.is_match("own"));
        let relaxed =
            without_word_boundaries("(?i)\\bdebts?\\B x{2,3}(?P<n>\\d+)").expect("relaxable");
        let re = regex::Regex::new(&relaxed).expect("the relaxed source is a regex");
        assert!(re.is_match("baddebtS xx7"));
        assert!(!re.is_match("deb xx7"));
    }

    #[test]
    fn literals_fold_ascii_case() {
        let t = table(vec![
            Pattern::Literal("APR".into()),
            Pattern::Regex("never".into()),
        ]);
        let text = "the apr is 24%";
        let scan = t.scan(text);
        assert_eq!(t.matches(0, text, &scan).to_vec(), vec![4..7]);
        assert!(!t.may_occur(1, &scan));
        assert!(t.matches(1, text, &scan).is_empty());
    }
}
