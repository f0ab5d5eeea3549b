//! Reading the words around a number: windows bounded by clause and sentence ends, keyword
//! tables, connectors and template blanks. Every window is bounded in characters, so looking
//! around each number costs a constant and extraction stays linear in the text.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::ops::Range;

/// Template blanks, sorted and merged once, asked per number.
pub(crate) struct Blanks {
    ranges: Vec<Range<usize>>,
}

impl Blanks {
    pub(crate) fn new(blanks: &[Range<usize>]) -> Self {
        let mut sorted: Vec<Range<usize>> = blanks.to_vec();
        sorted.sort_by_key(|r| r.start);
        let mut ranges: Vec<Range<usize>> = Vec::with_capacity(sorted.len());
        for r in sorted {
            match ranges.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => ranges.push(r),
            }
        }
        Blanks { ranges }
    }

    /// Whether `span` overlaps a blank or touches one (`1____%` is not a rate of 1%).
    pub(crate) fn touches(&self, span: &Range<usize>) -> bool {
        let i = self.ranges.partition_point(|b| b.end < span.start);
        self.ranges.get(i).is_some_and(|b| b.start <= span.end)
    }
}

pub(crate) fn char_at(text: &str, pos: usize) -> Option<char> {
    text.get(pos..).and_then(|s| s.chars().next())
}

pub(crate) fn char_before(text: &str, pos: usize) -> Option<char> {
    text.get(..pos).and_then(|s| s.chars().next_back())
}

/// The byte position `n` characters before `pos` (or 0).
pub(crate) fn chars_back(text: &str, pos: usize, n: usize) -> usize {
    let Some(head) = text.get(..pos) else {
        return pos;
    };
    head.char_indices()
        .rev()
        .take(n)
        .last()
        .map_or(pos, |(i, _)| i)
}

/// The byte position `n` characters after `pos` (or the end).
pub(crate) fn chars_forward(text: &str, pos: usize, n: usize) -> usize {
    let Some(tail) = text.get(pos..) else {
        return pos;
    };
    tail.char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| pos + i)
}

fn ends_sentence(c: char, next: Option<char>) -> bool {
    matches!(c, '。' | '！' | '？' | '；' | ';' | '!' | '?' | '\n')
        || (c == '.' && next.is_none_or(char::is_whitespace))
}

fn ends_clause(c: char, prev: Option<char>, next: Option<char>) -> bool {
    let thousands_separator = c == ','
        && prev.is_some_and(|p| p.is_ascii_digit())
        && next.is_some_and(|n| n.is_ascii_digit());
    ends_sentence(c, next) || (matches!(c, ',' | '，') && !thousands_separator)
}

/// Where the clause (text between commas and sentence ends) holding `pos` starts, looking back
/// at most `max_chars` characters.
pub(crate) fn clause_start(text: &str, pos: usize, max_chars: usize) -> usize {
    scan_back(text, pos, max_chars, true)
}

/// Where the sentence holding `pos` starts, looking back at most `max_chars` characters.
pub(crate) fn sentence_start(text: &str, pos: usize, max_chars: usize) -> usize {
    scan_back(text, pos, max_chars, false)
}

fn scan_back(text: &str, pos: usize, max_chars: usize, clause: bool) -> usize {
    let Some(head) = text.get(..pos) else {
        return pos;
    };
    let mut next = char_at(text, pos);
    let mut chars = head.char_indices().rev().take(max_chars).peekable();
    let mut start = pos;
    while let Some((i, c)) = chars.next() {
        let prev = chars.peek().map(|&(_, p)| p);
        let boundary = if clause {
            ends_clause(c, prev, next)
        } else {
            ends_sentence(c, next)
        };
        if boundary {
            return i + c.len_utf8();
        }
        start = i;
        next = Some(c);
    }
    start
}

/// Where the clause holding `pos` ends, looking ahead at most `max_chars` characters.
pub(crate) fn clause_end(text: &str, pos: usize, max_chars: usize) -> usize {
    let Some(tail) = text.get(pos..) else {
        return pos;
    };
    let mut prev = char_before(text, pos);
    let mut chars = tail.char_indices().take(max_chars).peekable();
    let mut end = pos;
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        if ends_clause(c, prev, next) {
            return pos + i;
        }
        end = pos + i + c.len_utf8();
        prev = Some(c);
    }
    end
}

/// A keyword found in text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Hit<T> {
    pub range: Range<usize>,
    pub tag: T,
}

/// A keyword table matched with Aho-Corasick. ASCII letters match in any case, and a keyword
/// that begins or ends with an ASCII letter must not touch another letter there (`late` is not
/// found in `calculated`, nor `APR` in `April`).
pub(crate) struct Lexicon<T: Copy + 'static> {
    ac: AhoCorasick,
    entries: &'static [(&'static str, T)],
    max_len: usize,
    /// The characters keywords begin and end with (ASCII letters in lower case), sorted: most
    /// positions `starting_at`/`ending_at` are asked about (after and before every number)
    /// have no keyword there, and this answers them without running the automaton.
    first_chars: Vec<char>,
    last_chars: Vec<char>,
}

/// The sorted, distinct characters `pick` takes from each keyword, ASCII letters lower-cased.
fn edge_chars(keys: &[(&str, impl Copy)], pick: fn(&str) -> Option<char>) -> Vec<char> {
    let mut chars: Vec<char> = keys
        .iter()
        .filter_map(|(k, _)| pick(k))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    chars.sort_unstable();
    chars.dedup();
    chars
}

/// Whether `c`, its ASCII letters folded, is one of the sorted `chars` of [`edge_chars`].
fn among_folded(chars: &[char], c: Option<char>) -> bool {
    c.is_some_and(|c| chars.binary_search(&c.to_ascii_lowercase()).is_ok())
}

impl<T: Copy + 'static> Lexicon<T> {
    pub(crate) fn new(entries: &'static [(&'static str, T)]) -> Self {
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(entries.iter().map(|(k, _)| k))
            .expect("static keyword tables are valid Aho-Corasick patterns");
        let max_len = entries.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        Lexicon {
            ac,
            entries,
            max_len,
            first_chars: edge_chars(entries, |k| k.chars().next()),
            last_chars: edge_chars(entries, |k| k.chars().next_back()),
        }
    }

    /// Every keyword inside `range` of `text` (overlapping ones too), in order of end.
    pub(crate) fn hits(&self, text: &str, range: Range<usize>) -> Vec<Hit<T>> {
        let Some(slice) = text.get(range.clone()) else {
            return Vec::new();
        };
        let mut hits: Vec<Hit<T>> = self
            .ac
            .find_overlapping_iter(slice)
            .map(|m| {
                (
                    range.start + m.start()..range.start + m.end(),
                    m.pattern().as_usize(),
                )
            })
            .filter(|(r, p)| self.bounded(text, r, *p))
            .filter_map(|(r, p)| {
                let tag = self.entries.get(p)?.1;
                Some(Hit { range: r, tag })
            })
            .collect();
        hits.sort_by_key(|h| (h.range.end, std::cmp::Reverse(h.range.start)));
        hits
    }

    /// The hit ending last before `end` inside `range` (the nearest keyword before a number);
    /// of hits ending at the same place, the longest.
    pub(crate) fn nearest(&self, text: &str, range: Range<usize>) -> Option<Hit<T>> {
        self.hits(text, range).into_iter().last()
    }

    /// The hit starting first inside `range` (the nearest keyword after a number); of hits
    /// starting at the same place, the longest.
    pub(crate) fn first(&self, text: &str, range: Range<usize>) -> Option<Hit<T>> {
        self.hits(text, range)
            .into_iter()
            .min_by_key(|h| (h.range.start, std::cmp::Reverse(h.range.end)))
    }

    /// The longest keyword ending exactly at `end`.
    pub(crate) fn ending_at(&self, text: &str, end: usize) -> Option<Hit<T>> {
        if !among_folded(&self.last_chars, char_before(text, end)) {
            return None;
        }
        let from = chars_back(text, end, self.max_len);
        self.hits(text, from..end)
            .into_iter()
            .filter(|h| h.range.end == end)
            .min_by_key(|h| h.range.start)
    }

    /// The longest keyword starting exactly at `start`.
    pub(crate) fn starting_at(&self, text: &str, start: usize) -> Option<Hit<T>> {
        if !among_folded(&self.first_chars, char_at(text, start)) {
            return None;
        }
        let to = chars_forward(text, start, self.max_len);
        self.hits(text, start..to)
            .into_iter()
            .filter(|h| h.range.start == start)
            .max_by_key(|h| h.range.end)
    }

    fn bounded(&self, text: &str, r: &Range<usize>, pattern: usize) -> bool {
        let Some((keyword, _)) = self.entries.get(pattern) else {
            return false;
        };
        // Letters glue words together; a digit does not (`RMB10,000`, `1000USD`).
        let letter = |c: char| c.is_ascii_alphabetic();
        let starts_word = keyword.chars().next().is_some_and(letter);
        let ends_word = keyword.chars().next_back().is_some_and(letter);
        let glued_before = starts_word && char_before(text, r.start).is_some_and(letter);
        let glued_after = ends_word && char_at(text, r.end).is_some_and(letter);
        !glued_before && !glued_after
    }
}

/// Skip forward over any of `connectors` (and whitespace) from `pos`, at most a few times.
pub(crate) fn skip_forward(text: &str, mut pos: usize, connectors: &[&str]) -> usize {
    for _ in 0..8 {
        let Some(tail) = text.get(pos..) else {
            return pos;
        };
        let trimmed = tail.trim_start();
        if trimmed.len() != tail.len() {
            pos += tail.len() - trimmed.len();
            continue;
        }
        match connectors
            .iter()
            .find(|c| starts_with_ignore_ascii_case(tail, c))
        {
            Some(c) => pos += c.len(),
            None => return pos,
        }
    }
    pos
}

/// Skip backward over any of `connectors` (and whitespace) before `pos`, at most a few times.
pub(crate) fn skip_back(text: &str, mut pos: usize, connectors: &[&str]) -> usize {
    for _ in 0..8 {
        let Some(head) = text.get(..pos) else {
            return pos;
        };
        let trimmed = head.trim_end();
        if trimmed.len() != head.len() {
            pos = trimmed.len();
            continue;
        }
        match connectors
            .iter()
            .find(|c| ends_with_ignore_ascii_case(head, c))
        {
            Some(c) => pos -= c.len(),
            None => return pos,
        }
    }
    pos
}

pub(crate) fn starts_with_ignore_ascii_case(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(prefix))
}

pub(crate) fn ends_with_ignore_ascii_case(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.get(s.len() - suffix.len()..)
            .is_some_and(|t| t.eq_ignore_ascii_case(suffix))
}

/// Whether `a` and `b` overlap or touch.
pub(crate) fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_touching_and_overlapping() {
        let b = Blanks::new(&[10..14, 2..4, 3..6]);
        assert!(b.touches(&(6..8)));
        assert!(b.touches(&(0..2)));
        assert!(!b.touches(&(7..9)));
        assert!(b.touches(&(9..10)));
        assert!(b.touches(&(11..12)));
        assert!(!b.touches(&(15..20)));
    }

    #[test]
    fn windows_stop_at_clause_and_sentence_ends() {
        let t = "年利率10%。借款金额10,000元，逾期的按日0.05%计收";
        let p = t.find("0.05").unwrap();
        assert_eq!(&t[clause_start(t, p, 40)..p], "逾期的按日");
        assert_eq!(
            &t[sentence_start(t, p, 40)..p],
            "借款金额10,000元，逾期的按日"
        );
        assert_eq!(&t[p..clause_end(t, p, 40)], "0.05%计收");
        assert_eq!(&t[chars_back(t, p, 2)..p], "按日");
    }

    /// `starting_at` / `ending_at` answer from the edge characters what the automaton would.
    #[test]
    fn edge_character_shortcuts_agree_with_the_automaton() {
        static TABLE: &[(&str, u8)] = &[
            ("年", 1),
            ("年度", 2),
            ("个月", 3),
            ("APR", 4),
            ("days", 5),
            ("%", 6),
            ("万元", 7),
        ];
        let lex = Lexicon::new(TABLE);
        let text = "12个月，年度apr 3 Days 5%。1万元 APRIL年 xdays";
        let mut at = 0;
        while at <= text.len() {
            let to = chars_forward(text, at, lex.max_len);
            let slow_start = lex
                .hits(text, at..to)
                .into_iter()
                .filter(|h| h.range.start == at)
                .max_by_key(|h| h.range.end);
            assert_eq!(lex.starting_at(text, at), slow_start, "starting at {at}");
            let from = chars_back(text, at, lex.max_len);
            let slow_end = lex
                .hits(text, from..at)
                .into_iter()
                .filter(|h| h.range.end == at)
                .min_by_key(|h| h.range.start);
            assert_eq!(lex.ending_at(text, at), slow_end, "ending at {at}");
            at += char_at(text, at).map_or(1, char::len_utf8);
        }
        assert!(lex.starting_at(text, text.find("apr").unwrap()).is_some());
        assert!(lex
            .ending_at(text, text.find("万元").unwrap() + "万元".len())
            .is_some());
    }

    #[test]
    fn english_keywords_need_word_boundaries() {
        static TABLE: &[(&str, u8)] = &[("late", 1), ("APR", 2), ("利率", 3)];
        let lex = Lexicon::new(TABLE);
        let t = "calculated in April; Late fee; apr 年利率";
        let tags: Vec<u8> = lex.hits(t, 0..t.len()).into_iter().map(|h| h.tag).collect();
        assert_eq!(tags, vec![1, 2, 3]);
        assert_eq!(lex.ending_at(t, t.len()).map(|h| h.tag), Some(3));
    }

    #[test]
    fn connectors() {
        let t = "年利率为 : 18%";
        let p = t.find("18").unwrap();
        assert_eq!(skip_back(t, p, &["为", ":"]), "年利率".len());
        assert_eq!(skip_forward(t, "年利率".len(), &["为", ":"]), p);
    }
}
