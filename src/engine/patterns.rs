//! Every regex and literal of every rule, compiled into atoms behind one shared prefilter: an
//! Aho-Corasick automaton over the rules' literals plus, for each regex, a set of literals one
//! of which every match of it contains (its guard, read from the regex's syntax tree). A
//! document is scanned once by the automaton; a regex is compiled only when a run first needs
//! it, and searched only when a rule asks for its matches and its guard occurs, and then, when
//! its matches cannot depend on what follows a line, only in the lines where the guard occurs.

use crate::document::{normalise_pattern_literal, normalise_regex_source};
use crate::lang::ir::{Pattern, PatternId};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex_automata::meta::{self, Regex};
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::Input;
use regex_syntax::hir::{Class, Hir, HirKind, Look, LookSet};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// Limits that keep a rule author from making the checker slow or huge.
const REGEX_SIZE_LIMIT: usize = 8 << 20;
/// The most bytes of literals one automaton takes (far above the packs' ~100 KB): below it the
/// automaton's build cannot run out of state ids, so it can wait for the first scan.
const MAX_LITERAL_BYTES: usize = 256 << 20;
/// The most literals a guard may have: beyond this, the regex is searched unguarded.
const GUARD_MAX_LITERALS: usize = 64;
/// A character class with at most this many characters counts as a choice of literals.
const GUARD_MAX_CLASS_CHARS: usize = 4;

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

/// One regex of the rules, compiled the first time a run searches for it: most runs need a
/// few of the hundreds the packs hold, and compiling them all costs more than checking a
/// small contract.
///
/// It is compiled in two tiers. First without lazy DFAs (a bounded backtracker or PikeVM
/// over the forward NFA), which skips the reverse NFA, about half of the compile; once it
/// has searched [`QUICK_TIER_BYTES`], with them (meta regex's usual strategy), which searches
/// long text many times faster. Both find the same leftmost-first matches.
#[derive(Debug)]
struct RegexAtom {
    /// After normalisation.
    source: String,
    quick: OnceLock<Option<Regex>>,
    full: OnceLock<Option<Regex>>,
    /// Bytes given to the quick tier so far.
    searched: AtomicUsize,
    /// Literals (indices into `PatternTable::literals`) one of which every match contains;
    /// `None` when the regex has no such set (a match may be anything).
    guard: Option<Vec<usize>>,
    /// Whether the regex asserts nothing about what follows a position (no `$`, `\z`, `\b`):
    /// then its matches are exactly those found line by line, so a line without its guard
    /// holds none and need not be searched.
    line_local: bool,
}

/// How much text a regex searches with its quick tier before the full one is built. The
/// backtracker costs about a step per NFA state per byte, and the packs' regexes have
/// thousands of states (`[^。；]{0,30}` is thirty copies of a Unicode class), so it pays only
/// for a few lines: a short contract stays on it, a corpus moves on at once (callgrind, 200
/// generated contracts: 64 KB cost 1.4G instructions more than 2 KB).
const QUICK_TIER_BYTES: usize = 2 << 10;

impl RegexAtom {
    /// A regex not yet compiled; its guard is set once the table's literals are numbered.
    fn new(source: String, line_local: bool) -> RegexAtom {
        RegexAtom {
            source,
            quick: OnceLock::new(),
            full: OnceLock::new(),
            searched: AtomicUsize::new(0),
            guard: None,
            line_local,
        }
    }

    /// The regex to search `len` bytes with; `None` if it exceeds the size limit (it then
    /// matches nothing).
    fn regex_for(&self, len: usize) -> Option<&Regex> {
        let quick_enough = self.full.get().is_none()
            && self.searched.fetch_add(len, Ordering::Relaxed) + len <= QUICK_TIER_BYTES;
        if !quick_enough {
            // Should the lazy DFAs' reverse NFA not fit the size limit, the quick tier serves.
            if let Some(full) = self.full.get_or_init(|| self.build(true)) {
                return Some(full);
            }
        }
        self.quick.get_or_init(|| self.build(false)).as_ref()
    }

    fn build(&self, lazy_dfa: bool) -> Option<Regex> {
        let config = meta::Config::new()
            .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
            // Only where a match is, never its groups.
            .which_captures(WhichCaptures::Implicit)
            // The quick tier of a guarded regex searches only lines its guard occurs in, and
            // little text in all, so a literal prefilter of its own (a Teddy build was an
            // eighth of a regex's compile) would be built for nothing. The full tier keeps
            // it: a regex the lazy DFAs cannot run (a Unicode `\b`) falls back to the
            // backtracker, which without candidates from the prefilter tries every position.
            .auto_prefilter(lazy_dfa || self.guard.is_none())
            .hybrid(lazy_dfa);
        meta::Builder::new()
            .configure(config)
            .build(&self.source)
            .ok()
    }
}

/// What the prefilter reads from each regex's syntax tree (its guard literals and whether it
/// is line-local), by normalised source. Parsing the packs' regexes for this is a good part
/// of start-up, so a cached rule set keeps it (see `crate::rule_cache`); a regex missing here
/// is parsed as usual.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PatternHints {
    regexes: BTreeMap<String, RegexHint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct RegexHint {
    guard: Option<Vec<String>>,
    line_local: bool,
}

impl PatternHints {
    /// Add what `other` knows (both describe the same regexes the same way).
    pub fn merge(&mut self, other: PatternHints) {
        self.regexes.extend(other.regexes);
    }

    pub fn is_empty(&self) -> bool {
        self.regexes.is_empty()
    }
}

/// Where a regex's guard comes from while the table is built: its parsed tree, or a hint.
enum GuardSource {
    Tree(Hir),
    Known(Option<Vec<String>>),
}

#[derive(Debug)]
pub struct PatternTable {
    compiled: Vec<Compiled>,
    /// The automaton's literals: first the rules' own, then the regexes' guard literals.
    literals: Vec<String>,
    /// How many of `literals` are the rules' own (the rest only guard regexes).
    rule_literals: usize,
    regexes: Vec<RegexAtom>,
    /// Built by the first scan: a run that checks only contracts never needs the log rules'
    /// automaton, nor a log check the contract rules' (each was a sixth of a short run).
    literal_automaton: OnceLock<Option<AhoCorasick>>,
    /// Where each literal and each (normalised) regex source is in `literals` / `regexes`:
    /// the packs share thousands of them, and a linear search per entry made loading quadratic.
    literal_index: HashMap<String, usize>,
    regex_index: HashMap<String, usize>,
    /// Per literal, the atom patterns (`Compiled::Atoms`) it makes possible: as one of their
    /// literals or a guard literal of one of their regexes.
    patterns_of_literal: Vec<Vec<PatternId>>,
    /// The atom patterns with an unguarded regex: possible in any text.
    always_possible: Vec<PatternId>,
}

impl PatternTable {
    /// Compile only the patterns `keep` selects (and what they are built of); the others
    /// never match. Contracts and logs each scan for their own rules' patterns only.
    pub fn compile_only(
        patterns: &[Pattern],
        keep: &dyn Fn(PatternId) -> bool,
        hints: Option<&PatternHints>,
    ) -> Result<PatternTable, PatternError> {
        let kept = closure(patterns, keep);
        let mut table = PatternTable {
            compiled: Vec::with_capacity(patterns.len()),
            literals: Vec::new(),
            rule_literals: 0,
            regexes: Vec::new(),
            literal_automaton: OnceLock::new(),
            literal_index: HashMap::new(),
            regex_index: HashMap::new(),
            patterns_of_literal: Vec::new(),
            always_possible: Vec::new(),
        };
        // Each regex's syntax tree (or hinted guard), kept until the rules' literals are all
        // numbered.
        let mut trees: Vec<GuardSource> = Vec::new();
        for (id, p) in patterns.iter().enumerate() {
            if !kept[id] {
                table.compiled.push(Compiled::Atoms(Vec::new()));
                continue;
            }
            let compiled = match p {
                Pattern::Regex(src) => {
                    Compiled::Atoms(vec![table.regex_atom(src, hints, &mut trees)?])
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
                        atoms.push(table.regex_atom(r, hints, &mut trees)?);
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
        table.rule_literals = table.literals.len();
        for (i, source) in trees.into_iter().enumerate() {
            let known = match source {
                GuardSource::Tree(hir) => guard_literals(&hir),
                GuardSource::Known(guard) => guard,
            };
            let guard = known.map(|lits| {
                lits.into_iter()
                    .map(|l| table.guard_literal(l))
                    .collect::<Vec<usize>>()
            });
            if let Some(atom) = table.regexes.get_mut(i) {
                atom.guard = guard;
            }
        }
        table.index_possible_patterns();
        let literal_bytes: usize = table.literals.iter().map(String::len).sum();
        if literal_bytes > MAX_LITERAL_BYTES {
            return Err(PatternError::Literals(format!(
                "the rules' literals and regex guards come to {literal_bytes} bytes, more than \
                 the {MAX_LITERAL_BYTES} one automaton takes"
            )));
        }
        Ok(table)
    }

    fn literal_atom(&mut self, literal: &str) -> Atom {
        Atom::Literal(self.guard_literal(normalise_pattern_literal(literal)))
    }

    /// The automaton's index of a guard literal (shared with an equal literal of the rules).
    fn guard_literal(&mut self, literal: String) -> usize {
        if let Some(&i) = self.literal_index.get(&literal) {
            return i;
        }
        self.literal_index
            .insert(literal.clone(), self.literals.len());
        self.literals.push(literal);
        self.literals.len() - 1
    }

    /// Parse (not compile) a regex: a syntax error is reported now, the guard and whether
    /// it is line-local are read from the tree.
    fn regex_atom(
        &mut self,
        src: &str,
        hints: Option<&PatternHints>,
        trees: &mut Vec<GuardSource>,
    ) -> Result<Atom, PatternError> {
        let norm = normalise_regex_source(src);
        if let Some(&i) = self.regex_index.get(&norm) {
            return Ok(Atom::Regex(i));
        }
        self.regex_index.insert(norm.clone(), self.regexes.len());
        if let Some(hint) = hints.and_then(|h| h.regexes.get(&norm)) {
            self.regexes.push(RegexAtom::new(norm, hint.line_local));
            trees.push(GuardSource::Known(hint.guard.clone()));
            return Ok(Atom::Regex(self.regexes.len() - 1));
        }
        let hir = regex_syntax::ParserBuilder::new()
            .build()
            .parse(&norm)
            .map_err(|e| PatternError::Regex {
                pattern: src.to_string(),
                message: e.to_string(),
            })?;
        let start_only = LookSet::singleton(Look::Start).insert(Look::StartLF);
        let line_local = hir.properties().look_set().subtract(start_only).is_empty();
        self.regexes.push(RegexAtom::new(norm, line_local));
        trees.push(GuardSource::Tree(hir));
        Ok(Atom::Regex(self.regexes.len() - 1))
    }

    /// The automaton over `literals`. Its build cannot fail: it needs at most one state per
    /// literal byte, and `compile_only` bounds the bytes far below its state limit.
    fn automaton(&self) -> Option<&AhoCorasick> {
        self.literal_automaton
            .get_or_init(|| {
                if self.literals.is_empty() {
                    return None;
                }
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&self.literals)
                    .ok()
            })
            .as_ref()
    }

    /// Fills `patterns_of_literal` and `always_possible` from the compiled atoms.
    fn index_possible_patterns(&mut self) {
        let mut of_literal: Vec<Vec<PatternId>> = vec![Vec::new(); self.literals.len()];
        let mut always = Vec::new();
        for (id, compiled) in self.compiled.iter().enumerate() {
            let Compiled::Atoms(atoms) = compiled else {
                continue;
            };
            for atom in atoms {
                let literals: &[usize] = match atom {
                    Atom::Literal(l) => std::slice::from_ref(l),
                    Atom::Regex(r) => match self.regexes.get(*r).map(|r| r.guard.as_deref()) {
                        Some(Some(guard)) => guard,
                        Some(None) => {
                            always.push(id);
                            continue;
                        }
                        None => continue,
                    },
                };
                for &l in literals {
                    if let Some(patterns) = of_literal.get_mut(l) {
                        if patterns.last() != Some(&id) {
                            patterns.push(id);
                        }
                    }
                }
            }
        }
        always.dedup();
        self.patterns_of_literal = of_literal;
        self.always_possible = always;
    }

    /// Whether pattern `id` can match at all in a text whose scan is `scan`
    /// (a cheap necessary condition: for `within`, its left side).
    pub fn may_occur(&self, id: PatternId, scan: &Scan) -> bool {
        match self.compiled.get(id) {
            // A text without hits: the empty scan is shared by every table, so nothing is
            // cached in it. Any other scan comes from this table's `scan`.
            Some(Compiled::Atoms(_)) if scan.literal_hits.is_empty() => {
                self.always_possible.binary_search(&id).is_ok()
            }
            Some(Compiled::Atoms(_)) => {
                let possible = scan.possible.get_or_init(|| self.possible_patterns(scan));
                possible.contains(id)
            }
            Some(Compiled::Within { left, right, .. }) => {
                self.may_occur(*left, scan) && self.may_occur(*right, scan)
            }
            None => false,
        }
    }

    /// The atom patterns one of whose literals or regex guards occurs in `scan`, or that have
    /// an unguarded regex, as a bitset. Asked once per text: for each rule and event, going
    /// through a lexicon's hundreds of atoms was 12% of a log check with the built-in packs.
    fn possible_patterns(&self, scan: &Scan) -> BitSet {
        let mut possible = BitSet::with_len(self.compiled.len());
        self.always_possible
            .iter()
            .for_each(|&id| possible.insert(id));
        let mut previous = None;
        for (literal, _) in &scan.literal_hits {
            if previous == Some(*literal) {
                continue;
            }
            previous = Some(*literal);
            for &id in self.patterns_of_literal.get(*literal).into_iter().flatten() {
                possible.insert(id);
            }
        }
        possible
    }

    /// Whether regex `i` may occur: one of its guard literals does (or it has no guard).
    fn regex_may_occur(&self, i: usize, scan: &Scan) -> bool {
        match self.regexes.get(i).map(|r| r.guard.as_deref()) {
            Some(Some(guard)) => guard.iter().any(|l| scan.occurs(*l)),
            Some(None) => true,
            None => false,
        }
    }

    /// One pass of the prefilter over `text`. Only what occurs is stored: a short text with
    /// no hits allocates nothing for the hundreds of patterns that are not in it.
    pub fn scan(&self, text: &str) -> Scan {
        let mut literal_hits: Vec<(usize, Range<usize>)> = Vec::new();
        if let Some(ac) = self.automaton() {
            for m in ac.find_overlapping_iter(text) {
                literal_hits.push((m.pattern().as_usize(), m.start()..m.end()));
            }
        }
        // Grouped by literal, each literal's hits in the order the automaton gave them.
        literal_hits.sort_by_key(|(literal, _)| *literal);
        let mut occurring = BitSet::with_len(self.literals.len());
        for (literal, _) in &literal_hits {
            occurring.insert(*literal);
        }
        Scan {
            literal_hits,
            occurring,
            possible: OnceLock::new(),
            line_starts: OnceLock::new(),
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
                        Atom::Regex(i) => self.regex_matches(*i, text, scan, &mut all),
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

    /// The matches of regex `i`, searched only where they can be.
    fn regex_matches(&self, i: usize, text: &str, scan: &Scan, out: &mut Vec<Range<usize>>) {
        let Some(atom) = self.regexes.get(i) else {
            return;
        };
        if !self.regex_may_occur(i, scan) {
            return;
        }
        match (&atom.guard, atom.line_local) {
            (Some(guard), true) => {
                let starts = scan.line_starts(text);
                let lines: Vec<Range<usize>> = guarded_lines(guard, scan, starts)
                    .into_iter()
                    .filter_map(|line| {
                        let from = *starts.get(line)?;
                        Some(from..starts.get(line + 1).copied().unwrap_or(text.len()))
                    })
                    .collect();
                let Some(re) = atom.regex_for(lines.iter().map(|l| l.len()).sum()) else {
                    return;
                };
                for line in lines {
                    if let Some(hay) = text.get(..line.end) {
                        find_in_line(re, hay, line.start, out);
                    }
                }
            }
            _ => {
                if let Some(re) = atom.regex_for(text.len()) {
                    find_within_lines(re, text, out);
                }
            }
        }
    }

    /// What this table read from its regexes' trees, for a later run to reuse.
    pub fn hints(&self) -> PatternHints {
        let literal = |i: &usize| self.literals.get(*i).cloned().unwrap_or_default();
        let regexes = self
            .regexes
            .iter()
            .map(|r| {
                let hint = RegexHint {
                    guard: r.guard.as_ref().map(|g| g.iter().map(literal).collect()),
                    line_local: r.line_local,
                };
                (r.source.clone(), hint)
            })
            .collect();
        PatternHints { regexes }
    }

    /// Every atom source, for `rules patterns`-style listings and benchmarks.
    pub fn sources(&self) -> (Vec<&str>, Vec<&str>) {
        (
            self.literals
                .iter()
                .take(self.rule_literals)
                .map(String::as_str)
                .collect(),
            self.regexes.iter().map(|r| r.source.as_str()).collect(),
        )
    }
}

/// The lines (indices into `starts`) holding a hit of one of the `guard` literals, ascending.
fn guarded_lines(guard: &[usize], scan: &Scan, starts: &[usize]) -> Vec<usize> {
    let mut lines: Vec<usize> = guard
        .iter()
        .flat_map(|l| scan.literal_hits(*l))
        .map(|(_, hit)| {
            starts
                .partition_point(|s| *s <= hit.start)
                .saturating_sub(1)
        })
        .collect();
    lines.sort_unstable();
    lines.dedup();
    lines
}

/// A set of literals one of which every match of `hir` contains, or `None`. Literals hold no
/// line end (a guard locates lines) and are ASCII-lowercased (the automaton folds ASCII case).
fn guard_literals(hir: &Hir) -> Option<Vec<String>> {
    let req = required(hir)?;
    let lits = minimal(req.lits);
    let usable = lits.iter().all(|l| !l.is_empty() && !l.contains('\n'));
    usable.then_some(lits)
}

/// Literals one of which every match contains; `exact` when every match *is* one of them.
struct Required {
    lits: Vec<String>,
    exact: bool,
}

impl Required {
    fn exact(lits: Vec<String>) -> Required {
        Required { lits, exact: true }
    }

    /// How selective a guard is: its shortest literal's length (a short one hits often),
    /// then fewer literals. `lits` is minimal (no literal contains another).
    fn score(&self) -> (usize, std::cmp::Reverse<usize>) {
        let shortest = self.lits.iter().map(String::len).min().unwrap_or(0);
        (shortest, std::cmp::Reverse(self.lits.len()))
    }
}

fn required(hir: &Hir) -> Option<Required> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(Required::exact(vec![String::new()])),
        HirKind::Literal(lit) => {
            let s = std::str::from_utf8(&lit.0).ok()?.to_ascii_lowercase();
            if !s.contains('\n') {
                return Some(Required::exact(vec![s]));
            }
            // A guard locates lines: only a piece between line ends can be one.
            let piece = s.split('\n').max_by_key(|p| p.len())?;
            (!piece.is_empty()).then(|| Required {
                lits: vec![piece.to_string()],
                exact: false,
            })
        }
        HirKind::Class(Class::Unicode(class)) => {
            let count: usize = class
                .iter()
                .map(|r| (r.end() as usize).saturating_sub(r.start() as usize) + 1)
                .sum();
            if count > GUARD_MAX_CLASS_CHARS
                || class.iter().any(|r| r.start() <= '\n' && '\n' <= r.end())
            {
                return None;
            }
            let mut chars: Vec<String> = class
                .iter()
                .flat_map(|r| r.start()..=r.end())
                .map(|c| c.to_ascii_lowercase().to_string())
                .collect();
            chars.sort();
            chars.dedup();
            Some(Required::exact(chars))
        }
        HirKind::Class(Class::Bytes(_)) => None,
        HirKind::Repetition(rep) => {
            let sub = required(&rep.sub)?;
            match (rep.min, rep.max) {
                (0, Some(1)) if sub.exact => {
                    let mut lits = sub.lits;
                    lits.push(String::new());
                    Some(Required::exact(lits))
                }
                (0, _) => None,
                (1, Some(1)) => Some(sub),
                _ => Some(Required {
                    lits: sub.lits,
                    exact: false,
                }),
            }
        }
        HirKind::Capture(cap) => required(&cap.sub),
        HirKind::Alternation(alts) => {
            let mut lits = Vec::new();
            let mut exact = true;
            for alt in alts {
                let r = required(alt)?;
                exact &= r.exact;
                lits.extend(r.lits);
            }
            lits.sort();
            lits.dedup();
            (lits.len() <= GUARD_MAX_LITERALS).then_some(Required { lits, exact })
        }
        HirKind::Concat(parts) => required_of_concat(parts),
    }
}

/// Adjacent exact parts multiply into longer literals; the most selective run or inexact
/// part is the concatenation's requirement.
fn required_of_concat(parts: &[Hir]) -> Option<Required> {
    let mut candidates: Vec<Required> = Vec::new();
    let mut run: Option<Vec<String>> = None;
    let mut whole_run = true;
    for part in parts {
        match required(part) {
            Some(r) if r.exact => {
                run = Some(match run.take() {
                    None => r.lits,
                    Some(prev) if prev.len() * r.lits.len() <= GUARD_MAX_LITERALS => {
                        product(&prev, &r.lits)
                    }
                    Some(prev) => {
                        whole_run = false;
                        candidates.push(Required {
                            lits: prev,
                            exact: false,
                        });
                        r.lits
                    }
                });
            }
            other => {
                whole_run = false;
                if let Some(prev) = run.take() {
                    candidates.push(Required {
                        lits: prev,
                        exact: false,
                    });
                }
                if let Some(r) = other {
                    candidates.push(Required {
                        lits: r.lits,
                        exact: false,
                    });
                }
            }
        }
    }
    if let Some(lits) = run {
        if whole_run {
            return Some(Required::exact(lits));
        }
        candidates.push(Required { lits, exact: false });
    }
    candidates
        .into_iter()
        .map(|c| {
            // Scored on its minimal set, which is what a guard keeps anyway.
            let lits = minimal(c.lits);
            let c = Required { lits, exact: false };
            (c.score(), c)
        })
        .filter(|(score, _)| score.0 > 0)
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, c)| c)
}

fn product(left: &[String], right: &[String]) -> Vec<String> {
    let mut out: Vec<String> = left
        .iter()
        .flat_map(|l| right.iter().map(move |r| format!("{l}{r}")))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Drop literals that contain another of the set: where the longer occurs, so does the shorter.
fn minimal(mut lits: Vec<String>) -> Vec<String> {
    lits.sort_by_key(String::len);
    let mut out: Vec<String> = Vec::with_capacity(lits.len());
    for l in lits {
        if !out.iter().any(|o| l.contains(o.as_str())) {
            out.push(l);
        }
    }
    out
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
    /// Bit `l` is set when literal `l` occurs: whether a rule's trigger or a regex's guard
    /// occurs is asked for every rule, and two binary searches per literal were 1.5% of a
    /// contract check.
    occurring: BitSet,
    /// Bit `p` is set when atom pattern `p` may occur (see `PatternTable::possible_patterns`),
    /// worked out on the first question.
    possible: OnceLock<BitSet>,
    /// Where each line of the text starts, once a guarded regex needs it.
    line_starts: OnceLock<Vec<usize>>,
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
            occurring: BitSet::default(),
            possible: OnceLock::new(),
            line_starts: OnceLock::new(),
            matches: OnceLock::new(),
            patterns: 0,
        }
    }

    /// Whether literal `literal` occurs in the text.
    fn occurs(&self, literal: usize) -> bool {
        self.occurring.contains(literal)
    }

    /// The hits of literal `literal`, in the automaton's order.
    fn literal_hits(&self, literal: usize) -> &[(usize, Range<usize>)] {
        let lo = self.literal_hits.partition_point(|(l, _)| *l < literal);
        let hi = lo + self.literal_hits[lo..].partition_point(|(l, _)| *l == literal);
        &self.literal_hits[lo..hi]
    }

    /// The byte offset where each line of `text` (the scanned text) starts: 0, then after
    /// every `\n`.
    fn line_starts(&self, text: &str) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .filter(|&s| s < text.len() || s == 0)
                .collect()
        })
    }
}

/// A set of small indices (literals, patterns) as bits.
#[derive(Debug, Default)]
struct BitSet(Vec<u64>);

impl BitSet {
    /// An empty set that can hold `0..len`.
    fn with_len(len: usize) -> BitSet {
        BitSet(vec![0; len.div_ceil(64)])
    }

    /// Adds `i`; an index past the set's length is ignored.
    fn insert(&mut self, i: usize) {
        if let Some(word) = self.0.get_mut(i / 64) {
            *word |= 1 << (i % 64);
        }
    }

    fn contains(&self, i: usize) -> bool {
        self.0
            .get(i / 64)
            .is_some_and(|word| word & (1 << (i % 64)) != 0)
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
        if crosses_line_end(text.get(m.range()).unwrap_or_default()) {
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
        let Some(m) = re.search(&Input::new(hay).range(at..)) else {
            break;
        };
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

    /// The texts of pattern `id`'s matches.
    fn matched<'t>(t: &PatternTable, id: PatternId, text: &'t str, scan: &Scan) -> Vec<&'t str> {
        t.matches(id, text, scan)
            .iter()
            .map(|r| &text[r.clone()])
            .collect()
    }

    fn table(ps: Vec<Pattern>) -> PatternTable {
        PatternTable::compile_only(&ps, &|_| true, None).expect("patterns compile")
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
        let m = matched(&t, 0, text, &scan);
        assert_eq!(m, ["调整费率，以公告", "调整后以公告"]);
    }

    #[test]
    fn unicode_word_boundary_regexes_keep_their_matches() {
        let t = table(vec![
            Pattern::Regex("(?i)\\bloans?\\b".into()),
            Pattern::Regex("逾期".into()),
        ]);
        // 款 is a word character for a Unicode \b: no boundary before "loan".
        let text = "贷款loan 逾期, a LOAN here";
        let scan = t.scan(text);
        let m = matched(&t, 0, text, &scan);
        assert_eq!(m, ["LOAN"]);
        assert_eq!(t.matches(1, text, &scan).len(), 1);
        let plain = "客户已还清";
        let scan = t.scan(plain);
        assert!(!t.may_occur(0, &scan), "the guard 'loan' rules it out");
        assert!(!t.may_occur(1, &scan), "the guard '逾期' rules it out");
        assert!(t.matches(0, plain, &scan).is_empty());
    }

    fn guard_of(re: &str) -> Option<Vec<String>> {
        let hir = regex_syntax::Parser::new().parse(re).expect("regex parses");
        guard_literals(&hir)
    }

    #[test]
    fn guards_are_literals_every_match_contains() {
        assert_eq!(
            guard_of("(征信|信用)修复"),
            Some(vec!["信用修复".to_string(), "征信修复".to_string()])
        );
        // The part with the longer shortest literal wins; on a tie, the one with fewer.
        assert_eq!(
            guard_of("不得[^。;,]{0,8}(用于|超出)x"),
            Some(vec!["用于x".to_string(), "超出x".to_string()])
        );
        assert_eq!(
            guard_of("不得[^。;,]{0,8}(用于|超出)"),
            Some(vec!["不得".to_string()])
        );
        assert_eq!(guard_of("(?i)\\bLOANS?\\b"), Some(vec!["loan".to_string()]));
        // An optional part drops out; a part that may be anything gives no guard.
        assert_eq!(guard_of("(在校)?学生"), Some(vec!["学生".to_string()]));
        assert_eq!(guard_of("[^。]{1,3}"), None);
        assert_eq!(guard_of("\\d+%"), Some(vec!["%".to_string()]));
        assert_eq!(guard_of("a|[^x]"), None);
        assert_eq!(guard_of("年\\n"), Some(vec!["年".to_string()]));
    }

    #[test]
    fn line_local_regexes_search_only_guarded_lines_with_the_same_matches() {
        let t = table(vec![
            Pattern::Regex("(不得|禁止)[^。]{0,6}催收".into()),
            Pattern::Regex("(可以|有权)[^。;]{0,10}(法院|仲裁)?$".into()),
        ]);
        assert!(t.regexes[0].line_local);
        assert!(!t.regexes[1].line_local, "`$` depends on what follows");
        let text = "第一条 催收\n甲方不得暴力催收。\n禁止\n催收\n乙方有权起诉\n";
        let scan = t.scan(text);
        let m = matched(&t, 0, text, &scan);
        assert_eq!(m, ["不得暴力催收"]);
        assert_eq!(t.matches(1, text, &scan).len(), 1);
    }

    #[test]
    fn both_regex_tiers_find_the_same_matches() {
        let sources = [
            "(不得|禁止)[^。;]{0,6}催收",
            "(?i)\\bloans?\\b",
            "调整[^。]{0,20}公告",
            "(可以|有权)[^。;]{0,10}(法院|仲裁)?$",
            "\\d{3,4}-\\d{3,4}",
        ];
        let text = "甲方不得暴力催收。贷款loan 逾期, a LOAN here; loans 电话 010-8888 有权向法院\n\
                    调整费率，以公告为准。禁止催收 可以仲裁"
            .repeat(3);
        for src in sources {
            let atom = RegexAtom::new(normalise_regex_source(src), false);
            let (quick, full) = (atom.build(false).unwrap(), atom.build(true).unwrap());
            let mut found = (Vec::new(), Vec::new());
            find_within_lines(&quick, &text, &mut found.0);
            find_within_lines(&full, &text, &mut found.1);
            assert!(!found.0.is_empty(), "/{src}/ matches the text");
            assert_eq!(found.0, found.1, "/{src}/");
        }
    }

    #[test]
    fn a_regex_moves_to_its_full_tier_after_a_few_lines_and_keeps_its_matches() {
        let t = table(vec![Pattern::Regex("(不得|禁止)[^。;]{0,6}催收".into())]);
        let line = "甲方不得暴力催收，乙方禁止催收。\n";
        let short = line.repeat(2);
        let scan = t.scan(&short);
        assert_eq!(t.matches(0, &short, &scan).len(), 4);
        let atom = &t.regexes[0];
        assert!(atom.quick.get().is_some() && atom.full.get().is_none());
        let long = line.repeat(200);
        let scan = t.scan(&long);
        assert_eq!(t.matches(0, &long, &scan).len(), 400);
        assert!(atom.full.get().is_some(), "{} bytes searched", long.len());
    }

    /// A scan says a literal occurs exactly when it has hits, for every literal of the
    /// built-in packs (over a hundred words of one bitset), in a text and in an empty one.
    #[test]
    fn a_literal_occurs_when_it_has_hits() {
        let linter = crate::lint::Linter::builtin().expect("built-in packs compile");
        let t = table(linter.plan.rules.patterns.clone());
        let text = "第一条 借款人应按月还款，年化利率24%，逾期罚息按日万分之五计收。\n\
                    The LENDER may assign this loan; the APR is 36%. 保证人承担连带责任。";
        for text in [text, ""] {
            let scan = t.scan(text);
            let occurring: Vec<usize> = (0..t.literals.len()).filter(|&l| scan.occurs(l)).collect();
            let hit: Vec<usize> = (0..t.literals.len())
                .filter(|&l| !scan.literal_hits(l).is_empty())
                .collect();
            assert_eq!(occurring, hit);
            assert_eq!(occurring.is_empty(), text.is_empty());
        }
        assert!(!Scan::empty().occurs(0));
    }

    /// `may_occur` from the per-text bitset answers what its definition does (an atom's
    /// literal occurs, or its regex's guard does, or the regex is unguarded; both sides of a
    /// `within`) for every pattern of the built-in packs, on texts with and without hits.
    #[test]
    fn may_occur_is_its_definition_for_every_builtin_pattern() {
        fn by_definition(t: &PatternTable, id: PatternId, scan: &Scan) -> bool {
            match &t.compiled[id] {
                Compiled::Atoms(atoms) => atoms.iter().any(|a| match a {
                    Atom::Literal(l) => scan.occurs(*l),
                    Atom::Regex(r) => t.regex_may_occur(*r, scan),
                }),
                Compiled::Within { left, right, .. } => {
                    by_definition(t, *left, scan) && by_definition(t, *right, scan)
                }
            }
        }
        let linter = crate::lint::Linter::builtin().expect("built-in packs compile");
        let t = table(linter.plan.rules.patterns.clone());
        assert!(!t.always_possible.is_empty());
        let texts = [
            "第一条 借款人应按月还款，年化利率24%，逾期罚息按日万分之五计收。甲方有权单方调整利率。",
            "Stop calling me. Your loan is overdue; we will sue. 我们会通知你的家人和单位。",
            "zzz",
            "",
        ];
        for text in texts {
            let scan = t.scan(text);
            let (mut yes, mut no) = (0, 0);
            for id in 0..t.compiled.len() {
                let want = by_definition(&t, id, &scan);
                assert_eq!(t.may_occur(id, &scan), want, "pattern {id} in {text:?}");
                if want {
                    yes += 1
                } else {
                    no += 1
                }
            }
            assert!(
                no > 0 && yes > 0,
                "{yes} may occur, {no} may not, in {text:?}"
            );
        }
        let empty = Scan::empty();
        for id in 0..t.compiled.len() {
            assert_eq!(
                t.may_occur(id, &empty),
                by_definition(&t, id, &empty),
                "{id}"
            );
        }
    }

    /// The rule checker leaves the built-in packs' regexes uncompiled (to start fast): every
    /// one of them must compile as written, match no empty text, and compile normalised.
    #[test]
    fn builtin_regexes_compile() {
        let linter = crate::lint::Linter::builtin().expect("built-in packs compile");
        let mut sources: Vec<&str> = Vec::new();
        for p in &linter.plan.rules.patterns {
            match p {
                Pattern::Regex(src) => sources.push(src),
                Pattern::Lexicon { regexes, .. } => {
                    sources.extend(regexes.iter().map(String::as_str))
                }
                _ => {}
            }
        }
        assert!(sources.len() > 100, "the packs have their regexes");
        for src in sources {
            // What the rule checker does for a rule file's regexes, which it skips for these.
            let hir = regex_syntax::ParserBuilder::new()
                .nest_limit(crate::lang::regex_bounds::MAX_REGEX_NESTING)
                .build()
                .parse(src)
                .unwrap_or_else(|e| panic!("/{src}/: {e}"));
            assert!(
                hir.properties().minimum_len().is_some_and(|n| n > 0),
                "/{src}/ can match empty text"
            );
            assert!(
                matches!(
                    crate::lang::regex_bounds::compile(&normalise_regex_source(src)),
                    crate::lang::regex_bounds::Bounded::Fits { large: false, .. }
                ),
                "/{src}/ is over the size bounds"
            );
            let norm = normalise_regex_source(src);
            let atom = RegexAtom::new(norm, false);
            assert!(
                atom.build(false).is_some() && atom.build(true).is_some(),
                "/{src}/ normalised does not compile"
            );
        }
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
