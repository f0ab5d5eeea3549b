//! Paragraphs, sentences, clauses and template blanks of normalised text.
//!
//! Everything here is one pass over the lines with bounded look-around, so a
//! 50 MB single-line file costs the same per byte as a 10 KB contract.
//!
//! Clauses. A line may start with a heading marker (`第五条`, `Article 3`,
//! `一、`, `(一)`, `1.`, `1、`, `1)`, `1.1`, a Markdown heading…); each marker
//! has a *style*. The clause level is chosen by style:
//! 1. explicit article markers win, in this order: `第X条`, `Article N`,
//!    `Section N` / `Clause N` (whichever appears first), so numbered recitals
//!    in a preamble (`鉴于：1. …`) cannot take over;
//! 2. otherwise the style that appears first; for Markdown headings the
//!    shallowest level; `1.1` never outranks `1.` / `1、`.
//!
//! Chapters (`第X章`, `第X节`, `第X部分`, `第X编`, `Chapter N`, `Part N`) rank
//! above clauses: a chapter heading line ends the clause before it and starts
//! a clause of its own, numbered with the chapter marker (`第一章`), covering
//! the chapter heading and any text up to the first clause in it. A style that
//! first appears before the clause style and whose every heading is directly
//! followed by a clause heading (`一、总则` then `第一条`) is treated the same.
//! A Markdown document title (the first heading, alone at the shallowest level)
//! belongs to the preamble. Text before the first clause is a preamble clause
//! with an empty number; leading blank lines go to the first clause.

use super::markdown::merge_ranges;
use super::normalize::Heading;
use super::{Clause, Region};
use std::ops::Range;

pub(crate) struct Structure {
    pub paragraphs: Vec<Region>,
    pub sentences: Vec<Region>,
    pub clauses: Vec<Clause>,
}

pub(crate) fn segment(text: &str, headings: &[Heading]) -> Structure {
    let mut paragraphs = Vec::new();
    let mut sentences = Vec::new();
    let mut markers = Vec::new();
    let mut heading_cursor = 0;
    let mut line_start = 0;
    for line in text.split('\n') {
        let range = line_start..line_start + line.len();
        line_start = range.end + 1;
        let trimmed = trim(text, range.clone());
        if trimmed.is_empty() {
            continue;
        }
        paragraphs.push(Region {
            range: trimmed.clone(),
        });
        split_sentences(text, trimmed.clone(), &mut sentences);
        while headings
            .get(heading_cursor)
            .is_some_and(|h| h.range.start < range.start)
        {
            heading_cursor += 1;
        }
        let heading = headings
            .get(heading_cursor)
            .filter(|h| h.range.start < range.end.max(range.start + 1));
        let marker = match heading {
            Some(h) => Some(heading_marker(text, range.start, h)),
            None => text_marker(text, range.start, trimmed),
        };
        markers.extend(marker);
    }
    Structure {
        paragraphs,
        sentences,
        clauses: build_clauses(text, markers),
    }
}

fn trim(text: &str, r: Range<usize>) -> Range<usize> {
    let s = text.get(r.clone()).unwrap_or_default();
    let start = r.start + (s.len() - s.trim_start().len());
    let end = r.start + s.trim_end().len();
    start..end.max(start)
}

// ---------------------------------------------------------------------------
// Sentences
// ---------------------------------------------------------------------------

/// Closing quotes and brackets that stay with the sentence they end.
fn is_closer(c: char) -> bool {
    matches!(
        c,
        '”' | '’' | '」' | '』' | '）' | ')' | ']' | '】' | '》' | '"' | '\''
    )
}

fn is_strong_terminator(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '；' | ';' | '!' | '?')
}

/// Split one line (already trimmed) into sentences.
fn split_sentences(text: &str, line: Range<usize>, out: &mut Vec<Region>) {
    let Some(s) = text.get(line.clone()) else {
        return;
    };
    let mut start: Option<usize> = None;
    let mut i = 0;
    while let Some(c) = s.get(i..).and_then(|rest| rest.chars().next()) {
        let len = c.len_utf8();
        if start.is_none() {
            if c.is_whitespace() {
                i += len;
                continue;
            }
            start = Some(i);
        }
        let end = match c {
            '!' | '?' if joins_ascii_words(s, i) => None,
            c if is_strong_terminator(c) => Some(i + len),
            '.' => {
                let run_end = i + s
                    .get(i..)
                    .map_or(1, |r| r.bytes().take_while(|&b| b == b'.').count());
                let sentence_start = start.unwrap_or(i);
                if ends_sentence_at_dot(s, sentence_start, i, run_end) {
                    Some(run_end)
                } else {
                    i = run_end;
                    continue;
                }
            }
            _ => None,
        };
        match end {
            Some(end) => {
                let end = extend_over_trailers(s, end);
                if let Some(st) = start.take() {
                    push_trimmed(text, line.start + st..line.start + end, out);
                }
                i = end;
            }
            None => i += len,
        }
    }
    if let Some(st) = start {
        push_trimmed(text, line.start + st..line.end, out);
    }
}

fn push_trimmed(text: &str, r: Range<usize>, out: &mut Vec<Region>) {
    let r = trim(text, r);
    if !r.is_empty() {
        out.push(Region { range: r });
    }
}

/// `?` / `!` inside a URL or code (`a?b=1`) does not end a sentence.
fn joins_ascii_words(s: &str, i: usize) -> bool {
    let before = s.get(..i).and_then(|b| b.chars().next_back());
    let after = s.get(i + 1..).and_then(|a| a.chars().next());
    before.is_some_and(|c| c.is_ascii_alphanumeric())
        && after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '=')
}

/// Further terminators and closing quotes after a terminator belong to the sentence.
fn extend_over_trailers(s: &str, mut end: usize) -> usize {
    while let Some(c) = s.get(end..).and_then(|r| r.chars().next()) {
        if is_strong_terminator(c) || is_closer(c) {
            end += c.len_utf8();
        } else {
            break;
        }
    }
    end
}

const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "no", "nos", "art", "arts", "mr", "mrs", "ms", "dr", "prof", "inc", "ltd", "co",
    "corp", "jr", "sr", "st", "vs", "v", "cf", "approx", "para", "paras", "sec", "pp", "p", "u.s",
    "u.k", "a.m", "p.m", "fig", "vol", "dept", "est", "ref", "viz", "al",
];

const CLAUSE_WORDS: &[&str] = &[
    "article", "section", "clause", "chapter", "part", "schedule", "exhibit", "annex", "appendix",
    "art.", "sec.", "no.",
];

/// Whether the `.` run `dot..run_end` ends a sentence: it must be followed by
/// whitespace or the end (closing quotes in between allowed), and not close a
/// number at the sentence start (`1.`, `1.1.`, `Article 3.`), an
/// abbreviation (`e.g.`, `No.`) or an initial (`J. Smith`).
fn ends_sentence_at_dot(s: &str, sentence_start: usize, dot: usize, run_end: usize) -> bool {
    let mut after = run_end;
    while let Some(c) = s.get(after..).and_then(|r| r.chars().next()) {
        if !is_closer(c) {
            break;
        }
        after += c.len_utf8();
    }
    if s.get(after..)
        .and_then(|r| r.chars().next())
        .is_some_and(|c| !c.is_whitespace())
    {
        return false;
    }
    if run_end - dot > 1 {
        return true; // an ellipsis before a space
    }
    let Some((word_start, word)) = word_before(s, sentence_start, dot) else {
        return true;
    };
    let bare = word.trim_start_matches(|c: char| !c.is_alphanumeric());
    let lower = bare.to_ascii_lowercase();
    if ABBREVIATIONS.contains(&lower.as_str()) {
        return false;
    }
    let mut letters = bare.chars();
    if let (Some(c), None) = (letters.next(), letters.next()) {
        if c.is_ascii_uppercase() {
            return false; // an initial
        }
    }
    if is_enumeration(bare) {
        let before = s
            .get(sentence_start..word_start)
            .unwrap_or_default()
            .trim_end();
        if before.is_empty() {
            return false;
        }
        if is_clause_word(last_word(before)) {
            return false;
        }
    }
    true
}

/// The trailing run of ASCII letters and dots of `s`, ignoring trailing blanks.
fn last_word(s: &str) -> &str {
    let s = s.trim_end();
    let len = s
        .bytes()
        .rev()
        .take_while(|b| b.is_ascii_alphabetic() || *b == b'.')
        .count();
    s.get(s.len() - len..).unwrap_or_default()
}

fn is_clause_word(word: &str) -> bool {
    CLAUSE_WORDS.contains(&word.to_ascii_lowercase().as_str())
}

/// The whitespace-delimited word ending at `end` (at most 40 chars back, not
/// before `floor`).
fn word_before(s: &str, floor: usize, end: usize) -> Option<(usize, &str)> {
    let head = s.get(..end)?;
    let mut start = end;
    for (i, c) in head.char_indices().rev().take(40) {
        if i < floor {
            break;
        }
        if c.is_whitespace() {
            break;
        }
        start = i;
    }
    (start < end).then(|| (start, head.get(start..).unwrap_or_default()))
}

/// `1`, `1.2`, `(3)`, `iv`, `a`: something a list or clause is numbered with.
fn is_enumeration(word: &str) -> bool {
    let w = word.trim_matches(|c| c == '(' || c == ')');
    if w.is_empty() {
        return false;
    }
    let numeric = w
        .split('.')
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let single_letter = w.chars().count() == 1 && w.chars().all(|c| c.is_ascii_alphabetic());
    numeric || single_letter || is_roman(w)
}

fn is_roman(w: &str) -> bool {
    (1..=8).contains(&w.len())
        && (w.bytes().all(|b| b"IVXLCDM".contains(&b))
            || w.bytes().all(|b| b"ivxlcdm".contains(&b)))
}

// ---------------------------------------------------------------------------
// Clause markers
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keyword {
    Article,
    Section,
    Clause,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Chapter,
    /// 第X条
    ChineseArticle,
    /// `Article 3`, `Section 2.1` (depth 2)
    Keyword(Keyword, u8),
    /// A Markdown heading without an article marker, by level.
    Heading(u8),
    /// 一、
    ChineseEnum,
    /// (一)
    ChineseParen,
    /// 1.
    ArabicDot,
    /// 1、
    ArabicComma,
    /// 1)
    ArabicParen,
    /// (1)
    ParenArabic,
    /// 1.1, 1.1.1 (depth 2, 3)
    Multi(u8),
}

impl Style {
    /// Lower ranks win the clause level regardless of order.
    fn rank(self) -> u8 {
        match self {
            Style::ChineseArticle => 0,
            Style::Keyword(Keyword::Article, _) => 1,
            Style::Keyword(..) => 2,
            _ => 3,
        }
    }

    /// Depth within a numbering family (`1.` is 1, `1.1` is 2), for the rule
    /// that a deeper number never becomes the clause level over a shallower one.
    fn family_depth(self) -> Option<(u8, u8)> {
        match self {
            Style::ArabicDot | Style::ArabicComma => Some((0, 1)),
            Style::Multi(d) => Some((0, d)),
            Style::Heading(level) => Some((1, level)),
            Style::Keyword(Keyword::Article, d) => Some((2, d)),
            Style::Keyword(Keyword::Section, d) => Some((3, d)),
            Style::Keyword(Keyword::Clause, d) => Some((4, d)),
            _ => None,
        }
    }
}

/// A line that starts with a heading marker.
#[derive(Debug, Clone)]
struct Marker {
    /// Start of the line (clauses start here).
    line_start: usize,
    style: Style,
    /// The number as written, in `text` (for unnumbered headings: the heading).
    number: Range<usize>,
    /// Where the title text starts and the line ends.
    rest: Range<usize>,
    /// An unnumbered Markdown heading: its whole text is the title too.
    unnumbered_heading: bool,
}

fn text_marker(text: &str, line_start: usize, line: Range<usize>) -> Option<Marker> {
    let s = text.get(line.clone())?;
    let (style, len) = parse_marker(s)?;
    Some(Marker {
        line_start,
        style,
        number: line.start..line.start + len,
        rest: line.start + len..line.end,
        unnumbered_heading: false,
    })
}

fn heading_marker(text: &str, line_start: usize, heading: &Heading) -> Marker {
    let h = heading.range.clone();
    let s = text.get(h.clone()).unwrap_or_default();
    match parse_marker(s) {
        Some((style, len)) => Marker {
            line_start,
            style: match style {
                Style::Chapter | Style::ChineseArticle | Style::Keyword(..) => style,
                _ => Style::Heading(heading.level),
            },
            number: h.start..h.start + len,
            rest: h.start + len..h.end,
            unnumbered_heading: false,
        },
        None => Marker {
            line_start,
            style: Style::Heading(heading.level),
            number: h.clone(),
            rest: h,
            unnumbered_heading: true,
        },
    }
}

/// The marker style at the start of `s` and the byte length of its number.
fn parse_marker(s: &str) -> Option<(Style, usize)> {
    chinese_unit(s)
        .or_else(|| english_keyword(s))
        .or_else(|| chinese_enumeration(s))
        .or_else(|| parenthesised(s))
        .or_else(|| arabic(s))
}

fn is_chinese_numeral(c: char) -> bool {
    "零〇一二三四五六七八九十百千两壹贰叁肆伍陆柒捌玖拾佰仟".contains(c)
}

fn prefix_len(s: &str, pred: impl Fn(char) -> bool) -> usize {
    s.chars().take_while(|&c| pred(c)).map(char::len_utf8).sum()
}

/// 第五条, 第 5 条, 第一章, 第二节, 第三部分, 第一编.
fn chinese_unit(s: &str) -> Option<(Style, usize)> {
    let rest = s.strip_prefix('第')?.trim_start_matches(' ');
    let numeral = prefix_len(rest, |c| c.is_ascii_digit() || is_chinese_numeral(c));
    if numeral == 0 || numeral > 30 {
        return None;
    }
    let unit = rest.get(numeral..)?.trim_start_matches(' ');
    let (style, unit_len) = if unit.starts_with('条') {
        (Style::ChineseArticle, '条'.len_utf8())
    } else if unit.starts_with(['章', '节', '编']) {
        (Style::Chapter, '章'.len_utf8())
    } else if unit.starts_with("部分") {
        (Style::Chapter, "部分".len())
    } else {
        return None;
    };
    let after = unit.get(unit_len..)?;
    if after.starts_with(|c: char| "的之所规约中项第款、和及或至与,。;)下内".contains(c))
    {
        return None; // 第五条的约定: a reference at the start of a wrapped line
    }
    Some((style, s.len() - after.len()))
}

/// Whether a normalised line starts with a clause or list marker.
pub(crate) fn starts_with_marker(line: &str) -> bool {
    parse_marker(line.trim_start()).is_some()
}

const ENGLISH_KEYWORDS: &[(&str, Option<Keyword>)] = &[
    ("article", Some(Keyword::Article)),
    ("art.", Some(Keyword::Article)),
    ("section", Some(Keyword::Section)),
    ("sec.", Some(Keyword::Section)),
    ("§", Some(Keyword::Section)),
    ("clause", Some(Keyword::Clause)),
    ("chapter", None),
    ("part", None),
];

/// `Article 3`, `ARTICLE III`, `Section 2.1`, `§ 4`, `Chapter 1`, `Part II`.
/// `Section 2 shall survive…` is a reference in running text, not a heading.
fn english_keyword(s: &str) -> Option<(Style, usize)> {
    let (keyword, kind) = ENGLISH_KEYWORDS.iter().find(|(k, _)| {
        s.get(..k.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(k))
    })?;
    let after_keyword = s.get(keyword.len()..)?;
    let spaced = after_keyword.trim_start_matches(' ');
    let is_word = keyword.ends_with(|c: char| c.is_ascii_alphabetic());
    if is_word && spaced.len() == after_keyword.len() {
        return None;
    }
    let digits = prefix_len(spaced, |c| c.is_ascii_digit() || c == '.');
    let number = spaced.get(..digits)?.trim_end_matches('.');
    let (number_len, depth) =
        if !number.is_empty() && number.starts_with(|c: char| c.is_ascii_digit()) {
            if number.split('.').any(str::is_empty) {
                return None;
            }
            (number.len(), number.split('.').count())
        } else {
            let roman = prefix_len(spaced, |c| c.is_ascii_alphabetic());
            if !is_roman(spaced.get(..roman)?) {
                return None;
            }
            (roman, 1)
        };
    let after = spaced.get(number_len..)?;
    let next = after.chars().next();
    if next.is_some_and(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let title = after.trim_start_matches(' ');
    if title.len() < after.len() && title.starts_with(|c: char| c.is_ascii_lowercase()) {
        return None; // "Section 2 shall survive termination"
    }
    let style = match kind {
        Some(k) => Style::Keyword(*k, u8::try_from(depth).unwrap_or(u8::MAX)),
        None => Style::Chapter,
    };
    Some((style, s.len() - after.len()))
}

/// 一、 / 十二、 / 三.
fn chinese_enumeration(s: &str) -> Option<(Style, usize)> {
    let numeral = prefix_len(s, is_chinese_numeral);
    if numeral == 0 || s.get(..numeral)?.chars().count() > 5 {
        return None;
    }
    let rest = s.get(numeral..)?;
    if rest.starts_with('、') {
        return Some((Style::ChineseEnum, numeral + '、'.len_utf8()));
    }
    let after_dot = rest.strip_prefix('.')?;
    (!after_dot.starts_with(|c: char| c.is_ascii_digit()))
        .then_some((Style::ChineseEnum, numeral + 1))
}

/// (一) / (12).
fn parenthesised(s: &str) -> Option<(Style, usize)> {
    let inner = s.strip_prefix('(')?;
    let chinese = prefix_len(inner, is_chinese_numeral);
    let arabic = prefix_len(inner, |c| c.is_ascii_digit());
    let (style, len) = if chinese > 0 && inner.get(..chinese)?.chars().count() <= 5 {
        (Style::ChineseParen, chinese)
    } else if (1..=3).contains(&arabic) {
        (Style::ParenArabic, arabic)
    } else {
        return None;
    };
    inner
        .get(len..)?
        .starts_with(')')
        .then_some((style, 1 + len + 1))
}

/// Characters after `1.5` that show it is a quantity, not clause 1.5.
fn is_quantity_unit(c: char) -> bool {
    "%‰倍元万亿千百年月日号天个分厘毫周期次岁前后时点美港欧英磅克吨米公平亩套笔份条款项".contains(c)
}

/// 1. / 1、 / 1) / 1.1 / 1.1.1 — not decimals (`1.5%`) or dates (`2024.1.1`).
fn arabic(s: &str) -> Option<(Style, usize)> {
    let first = prefix_len(s, |c| c.is_ascii_digit());
    if !(1..=3).contains(&first) {
        return None;
    }
    let rest = s.get(first..)?;
    if rest.starts_with('、') {
        return Some((Style::ArabicComma, first + '、'.len_utf8()));
    }
    if rest.starts_with(')') {
        return Some((Style::ArabicParen, first + 1));
    }
    let after_dot = rest.strip_prefix('.')?;
    if !after_dot.starts_with(|c: char| c.is_ascii_digit()) {
        return Some((Style::ArabicDot, first + 1));
    }
    multi_level(s, first)
}

fn multi_level(s: &str, first: usize) -> Option<(Style, usize)> {
    let mut end = first;
    let mut depth = 1u8;
    while let Some(level) = s.get(end..)?.strip_prefix('.') {
        let digits = prefix_len(level, |c| c.is_ascii_digit());
        if digits == 0 {
            break;
        }
        if digits > 3 {
            return None;
        }
        end += 1 + digits;
        depth = depth.saturating_add(1);
    }
    let trailing_dot = s.get(end..)?.starts_with('.');
    let number_end = end + usize::from(trailing_dot);
    let next = s.get(number_end..)?.chars().next();
    let ok = match next {
        None => true,
        Some(c) if trailing_dot => !c.is_ascii_digit(),
        Some(c) => {
            c.is_whitespace()
                || matches!(c, '、' | ':' | ')')
                || (!c.is_ascii() && !is_quantity_unit(c))
        }
    };
    ok.then_some((Style::Multi(depth), number_end))
}

// ---------------------------------------------------------------------------
// Clauses
// ---------------------------------------------------------------------------

fn build_clauses(text: &str, mut markers: Vec<Marker>) -> Vec<Clause> {
    drop_document_title(&mut markers);
    let boundaries: Vec<&Marker> = match clause_style(&markers) {
        Some(clause) => {
            let above = styles_above(&markers, clause);
            markers
                .iter()
                .filter(|m| {
                    m.style == clause || m.style == Style::Chapter || above.contains(&m.style)
                })
                .collect()
        }
        None => markers
            .iter()
            .filter(|m| m.style == Style::Chapter)
            .collect(),
    };
    let mut clauses = Vec::with_capacity(boundaries.len() + 1);
    let first = boundaries.first().map_or(text.len(), |m| m.line_start);
    let preamble_is_blank = text.get(..first).is_some_and(|p| p.trim().is_empty());
    if !preamble_is_blank || boundaries.is_empty() {
        clauses.push(Clause {
            range: 0..first,
            number: String::new(),
            title: String::new(),
        });
    }
    for (i, m) in boundaries.iter().enumerate() {
        let start = if i == 0 && preamble_is_blank {
            0
        } else {
            m.line_start
        };
        let end = boundaries.get(i + 1).map_or(text.len(), |n| n.line_start);
        clauses.push(Clause {
            range: start..end,
            number: clause_number(text, m),
            title: clause_title(text, m),
        });
    }
    clauses
}

/// The first heading, alone at the shallowest level, is the document's title.
fn drop_document_title(markers: &mut Vec<Marker>) {
    let levels = || {
        markers.iter().filter_map(|m| match m.style {
            Style::Heading(l) => Some(l),
            _ => None,
        })
    };
    let Some(top) = levels().min() else {
        return;
    };
    if levels().filter(|&l| l == top).count() != 1 {
        return;
    }
    if let Some(i) = markers
        .iter()
        .position(|m| matches!(m.style, Style::Heading(_)))
    {
        if markers
            .get(i)
            .is_some_and(|m| m.style == Style::Heading(top))
        {
            markers.remove(i);
        }
    }
}

fn clause_style(markers: &[Marker]) -> Option<Style> {
    let candidates = || markers.iter().filter(|m| m.style != Style::Chapter);
    let best_rank = candidates().map(|m| m.style.rank()).min()?;
    let first = candidates().find(|m| m.style.rank() == best_rank)?.style;
    let Some((family, _)) = first.family_depth() else {
        return Some(first);
    };
    // Within a numbering family the shallowest depth is the clause level.
    candidates()
        .filter_map(|m| m.style.family_depth().map(|fd| (fd, m.style)))
        .filter(|((f, _), _)| *f == family)
        .min_by_key(|((_, depth), _)| *depth)
        .map(|(_, style)| style)
}

/// Styles that act as chapters over `clause`: they appear before the first
/// clause heading, and each of their headings is directly followed by a
/// clause heading.
fn styles_above(markers: &[Marker], clause: Style) -> Vec<Style> {
    let Some(first_clause) = markers.iter().position(|m| m.style == clause) else {
        return Vec::new();
    };
    let mut candidates: Vec<(Style, bool)> = Vec::new();
    for (i, m) in markers.iter().enumerate() {
        if m.style == clause || m.style == Style::Chapter {
            continue;
        }
        let followed = markers.get(i + 1).is_some_and(|n| n.style == clause);
        match candidates.iter_mut().find(|(s, _)| *s == m.style) {
            Some((_, ok)) => *ok &= followed,
            None => candidates.push((m.style, i < first_clause && followed)),
        }
    }
    candidates
        .into_iter()
        .filter_map(|(s, ok)| ok.then_some(s))
        .collect()
}

fn truncate_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

fn clause_number(text: &str, m: &Marker) -> String {
    let number = text.get(m.number.clone()).unwrap_or_default().trim();
    if m.unnumbered_heading {
        truncate_chars(number, 20).trim_end().to_string()
    } else {
        number.to_string()
    }
}

/// The heading text after the number: separators dropped, cut at the first
/// sentence end, at most 40 characters; `【借款金额】` gives `借款金额`.
fn clause_title(text: &str, m: &Marker) -> String {
    let rest = text.get(m.rest.clone()).unwrap_or_default();
    let rest = truncate_chars(rest, 200);
    let rest = rest.trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, ':' | '、' | '.' | '-' | '—' | '–' | ',' | '，')
    });
    let rest = match rest.strip_prefix('【').and_then(|r| r.split_once('】')) {
        Some((inner, _)) => inner,
        None => rest,
    };
    let cut = rest
        .char_indices()
        .find(|&(i, c)| {
            is_strong_terminator(c)
                || (c == '.'
                    && rest
                        .get(i + 1..)
                        .is_some_and(|r| r.is_empty() || r.starts_with(char::is_whitespace)))
        })
        .map_or(rest.len(), |(i, _)| i);
    let title = rest.get(..cut).unwrap_or(rest);
    truncate_chars(title, 40).trim().to_string()
}

// ---------------------------------------------------------------------------
// Template blanks
// ---------------------------------------------------------------------------

const MAX_FIELD: usize = 200;

/// Unfilled template fields, sorted and merged:
/// - `【】` / `【  】` / `【___】` (only spaces and underscores inside);
/// - three or more `_`;
/// - `${…}` and `{{…}}` on one line;
/// - `[  ]` and `(  )` holding only two or more spaces;
/// - date blanks `____年__月__日`, `    年  月  日` (any two of 年/月/日 in order);
/// - placeholders `××`, `XX`, `xxx` standing alone (`人民币××元`, `XX银行`),
///   but not Roman numerals after a clause word (`Article XX`).
pub(crate) fn find_blanks(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let next = match b {
            b'_' | b' ' => filler_run(text, i, &mut found),
            b'$' if bytes.get(i + 1) == Some(&b'{') => delimited(text, i, "}", &mut found),
            b'{' if bytes.get(i + 1) == Some(&b'{') => delimited(text, i, "}}", &mut found),
            b'[' => spaces_between(text, i, b']', &mut found),
            b'(' => spaces_between(text, i, b')', &mut found),
            b'X' | b'x' => letter_placeholder(text, i, &mut found),
            // Lead bytes first: testing every byte of Chinese text for `×` and `【` was most
            // of this function's time.
            0xC3 if text.get(i..).is_some_and(|r| r.starts_with('×')) => {
                times_run(text, i, &mut found)
            }
            0xE3 if text.get(i..).is_some_and(|r| r.starts_with('【')) => {
                lenticular(text, i, &mut found)
            }
            _ => i + 1,
        };
        i = next.max(i + 1);
    }
    merge_ranges(found)
}

fn run_len(bytes: &[u8], at: usize, pred: impl Fn(u8) -> bool) -> usize {
    bytes
        .get(at..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&b| pred(b))
        .count()
}

/// A run of `_` / spaces: an underscore blank, possibly the start of a date blank.
fn filler_run(text: &str, i: usize, found: &mut Vec<Range<usize>>) -> usize {
    let bytes = text.as_bytes();
    let run = run_len(bytes, i, |b| b == b'_' || b == b' ');
    let mut j = i;
    while j < i + run {
        let underscores = run_len(bytes, j, |b| b == b'_');
        if underscores >= 3 {
            found.push(j..j + underscores);
        }
        j += underscores.max(1);
    }
    let spaces = run_len(bytes, i, |b| b == b' ');
    if spaces >= 2 && !starts_line(text, i) && unit_follows(text, i + spaces) {
        // `人民币　　　　元`, `年利率　　　%`: room left for a figure before its unit.
        found.push(i..i + spaces);
    }
    match date_blank(text, i) {
        Some(end) => {
            found.push(i..end);
            end
        }
        None => i + run,
    }
}

/// Whether only white space stands between the start of the line and `i` (indentation).
fn starts_line(text: &str, i: usize) -> bool {
    text.get(..i).is_none_or(|before| {
        before
            .rsplit('\n')
            .next()
            .is_none_or(|l| l.trim().is_empty())
    })
}

/// Whether a unit that a figure would precede starts at `i`.
fn unit_follows(text: &str, i: usize) -> bool {
    const UNITS: [&str; 10] = ["元", "%", "个月", "年", "月", "日", "天", "期", "万", "周"];
    text.get(i..)
        .is_some_and(|rest| UNITS.iter().any(|u| rest.starts_with(u)))
}

/// `____年__月__日`: runs of `_`/spaces each followed by the next of 年月日.
fn date_blank(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut pos = start;
    let mut pairs = 0;
    let mut next_unit = 0;
    loop {
        let run = run_len(bytes, pos, |b| b == b'_' || b == b' ');
        let has_underscore = bytes.get(pos..pos + run).is_some_and(|r| r.contains(&b'_'));
        if run == 0 || (pairs == 0 && !has_underscore && run < 2) {
            break;
        }
        let after = text.get(pos + run..)?;
        let Some(unit) = ['年', '月', '日']
            .iter()
            .position(|&u| after.starts_with(u))
            .filter(|&u| u >= next_unit)
        else {
            break;
        };
        pairs += 1;
        next_unit = unit + 1;
        pos += run + '年'.len_utf8();
    }
    (pairs >= 2).then_some(pos)
}

/// `${name}` / `{{name}}` on one line, at most 200 bytes long.
fn delimited(text: &str, i: usize, close: &str, found: &mut Vec<Range<usize>>) -> usize {
    let window = text
        .as_bytes()
        .get(i + 2..text.len().min(i + 2 + MAX_FIELD))
        .unwrap_or_default();
    let end = window
        .windows(close.len())
        .position(|w| w == close.as_bytes())
        .filter(|&p| !window.get(..p).unwrap_or_default().contains(&b'\n'));
    match end {
        Some(p) => {
            let end = i + 2 + p + close.len();
            found.push(i..end);
            end
        }
        None => i + 2,
    }
}

/// `[  ]` / `(  )` with only (two or more) spaces inside.
fn spaces_between(text: &str, i: usize, close: u8, found: &mut Vec<Range<usize>>) -> usize {
    let bytes = text.as_bytes();
    let spaces = run_len(bytes, i + 1, |b| b == b' ' || b == b'\t');
    if spaces >= 2 && bytes.get(i + 1 + spaces) == Some(&close) {
        found.push(i..i + spaces + 2);
        return i + spaces + 2;
    }
    i + 1
}

/// `【】`, `【   】`, `【____】`.
fn lenticular(text: &str, i: usize, found: &mut Vec<Range<usize>>) -> usize {
    let open = '【'.len_utf8();
    let inside = text.get(i + open..).unwrap_or_default();
    let filler = prefix_len(inside, |c| matches!(c, ' ' | '_' | '\u{3000}' | '\t'));
    if filler <= MAX_FIELD && inside.get(filler..).is_some_and(|r| r.starts_with('】')) {
        let end = i + open + filler + '】'.len_utf8();
        found.push(i..end);
        return end;
    }
    i + open
}

fn times_run(text: &str, i: usize, found: &mut Vec<Range<usize>>) -> usize {
    let run = prefix_len(text.get(i..).unwrap_or_default(), |c| c == '×');
    if run >= 2 * '×'.len_utf8() {
        found.push(i..i + run);
    }
    i + run
}

/// `XX` / `xxx` standing alone (not part of an ASCII word).
fn letter_placeholder(text: &str, i: usize, found: &mut Vec<Range<usize>>) -> usize {
    let bytes = text.as_bytes();
    let Some(&letter) = bytes.get(i) else {
        return i + 1;
    };
    let run = run_len(bytes, i, |b| b == letter);
    let end = i + run;
    let before = text.get(..i).and_then(|b| b.chars().next_back());
    let after = text.get(end..).and_then(|a| a.chars().next());
    let alone = !before.is_some_and(|c| c.is_ascii_alphanumeric())
        && !after.is_some_and(|c| c.is_ascii_alphanumeric());
    let long_enough = if letter == b'X' { run >= 2 } else { run >= 3 };
    if alone && long_enough && !(letter == b'X' && after_clause_word(text, i)) {
        found.push(i..end);
    }
    end
}

/// Whether the word before `i` is `Article`, `Section`… (so `XX` is a Roman numeral).
fn after_clause_word(text: &str, i: usize) -> bool {
    let from = crate::span::floor_char_boundary(text, i.saturating_sub(16));
    is_clause_word(last_word(text.get(from..i).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::super::{Document, Format};
    use super::*;
    use proptest::prelude::*;

    fn text_doc(s: &str) -> Document {
        Document::from_source("t.txt", Format::Text, s.to_string(), 0)
    }

    fn md_doc(s: &str) -> Document {
        Document::from_source("t.md", Format::Markdown, s.to_string(), 0)
    }

    fn sentences(s: &str) -> Vec<&str> {
        let st = segment(s, &[]);
        st.sentences.iter().map(|r| &s[r.range.clone()]).collect()
    }

    fn numbers(doc: &Document) -> Vec<(&str, &str)> {
        doc.clauses
            .iter()
            .map(|c| (c.number.as_str(), c.title.as_str()))
            .collect()
    }

    fn clause_texts(doc: &Document) -> Vec<&str> {
        doc.clauses
            .iter()
            .map(|c| &doc.text[c.range.clone()])
            .collect()
    }

    fn blanks(s: &str) -> Vec<&str> {
        find_blanks(s).into_iter().map(|r| &s[r]).collect()
    }

    /// Clauses are sorted, contiguous and cover the whole text.
    fn assert_covering(doc: &Document) {
        let mut at = 0;
        for c in &doc.clauses {
            assert_eq!(c.range.start, at, "{:?}", doc.clauses);
            assert!(c.range.end >= c.range.start);
            at = c.range.end;
        }
        assert_eq!(at, doc.text.len());
    }

    const CHINESE_AGREEMENT: &str = "\
个人消费借款合同

合同编号：【        】
甲方（贷款人）：某某小额贷款有限公司
乙方（借款人）：____________
鉴于：
1. 乙方因个人消费需要向甲方申请借款；
2. 甲方同意按本合同约定向乙方提供借款。

第一条 借款金额
借款金额为人民币（大写）________元整（小写：￥________）。

第二条　借款期限
（一）借款期限为12个月，自____年__月__日起至____年__月__日止。
（二）实际放款日与约定不一致的，以借据记载为准。

第三条：利率与费用
1. 年化利率为18%（单利）。
2. 逾期罚息利率为借款利率上浮50%。
1.1 罚息按日计收。
第四条【还款方式】乙方按月等额本息还款。
第五条 提前还款
乙方可提前还款，无需支付违约金。
第六条 违约责任
一、乙方逾期的，甲方有权宣布借款提前到期。
二、因不可抗力造成的损失，甲方不承担任何责任。
第七条 个人信息
第八条 争议解决
因本合同产生的争议，提交甲方所在地人民法院诉讼解决。
第九条 通知
第十条 其他
本合同自双方签字之日起生效。
";

    #[test]
    fn chinese_agreement_clauses_are_the_articles_only() {
        let doc = text_doc(CHINESE_AGREEMENT);
        assert_covering(&doc);
        assert_eq!(
            numbers(&doc),
            [
                ("", ""),
                ("第一条", "借款金额"),
                ("第二条", "借款期限"),
                ("第三条", "利率与费用"),
                ("第四条", "还款方式"),
                ("第五条", "提前还款"),
                ("第六条", "违约责任"),
                ("第七条", "个人信息"),
                ("第八条", "争议解决"),
                ("第九条", "通知"),
                ("第十条", "其他"),
            ]
        );
        let texts = clause_texts(&doc);
        assert!(texts[0].starts_with("个人消费借款合同") && texts[0].ends_with("提供借款。\n\n"));
        assert_eq!(
            texts[1],
            "第一条 借款金额\n借款金额为人民币(大写)________元整(小写:￥________)。\n\n"
        );
        assert!(texts[3].contains("1.1 罚息按日计收。"));
        assert!(texts[6].contains("二、因不可抗力"));
        assert_eq!(texts[10], "第十条 其他\n本合同自双方签字之日起生效。\n");
    }

    #[test]
    fn clause_markers_in_every_spelling() {
        assert_eq!(parse_marker("第五条、第六条"), None);
        assert_eq!(parse_marker("第三章所述"), None);
        assert_eq!(
            parse_marker("第三部分 附则"),
            Some((Style::Chapter, "第三部分".len()))
        );
        let doc = text_doc(
            "第1条 定义\n正文\n第 2 条：借款\n  第十一条 其他\n第五条的约定不适用\n第二十条费用\n",
        );
        assert_eq!(
            numbers(&doc),
            [
                ("第1条", "定义"),
                ("第 2 条", "借款"),
                ("第十一条", "其他"),
                ("第二十条", "费用")
            ]
        );
        assert_covering(&doc);
    }

    #[test]
    fn chapters_end_clauses_and_stand_as_their_own() {
        let doc = text_doc(
            "第一章 总则\n第一条 目的\n正文。\n第二条 定义\n第二章 借款\n说明\n第三条 金额\n",
        );
        assert_eq!(
            numbers(&doc),
            [
                ("第一章", "总则"),
                ("第一条", "目的"),
                ("第二条", "定义"),
                ("第二章", "借款"),
                ("第三条", "金额"),
            ]
        );
        assert_eq!(clause_texts(&doc)[3], "第二章 借款\n说明\n");
        assert_covering(&doc);
    }

    #[test]
    fn part_headings_directly_over_articles_act_as_chapters() {
        let doc =
            text_doc("一、总则\n第一条 目的\n（一）细则\n第二条 定义\n二、借款\n第三条 金额\n");
        assert_eq!(
            numbers(&doc),
            [
                ("一、", "总则"),
                ("第一条", "目的"),
                ("第二条", "定义"),
                ("二、", "借款"),
                ("第三条", "金额"),
            ]
        );
    }

    #[test]
    fn first_enumeration_style_is_the_clause_level() {
        let doc = text_doc(
            "借款协议\n一、借款金额\n（一）本金10000元。\n1. 分期发放\n二、利率\n三、其他\n",
        );
        assert_eq!(
            numbers(&doc),
            [
                ("", ""),
                ("一、", "借款金额"),
                ("二、", "利率"),
                ("三、", "其他")
            ]
        );
        let doc = text_doc("1. 借款金额\n1.1 本金\n1.2 利息\n2. 还款\n2.1 方式\n");
        assert_eq!(numbers(&doc), [("1.", "借款金额"), ("2.", "还款")]);
        let doc = text_doc("1.1 本金\n1.2 利息\n2. 还款\n2.1 方式\n");
        assert_eq!(numbers(&doc), [("", ""), ("2.", "还款")]);
        let doc = text_doc("（一）借款\n1、本金\n（二）还款\n");
        assert_eq!(numbers(&doc), [("(一)", "借款"), ("(二)", "还款")]);
        let doc = text_doc("1、借款\n2) 不是同一种\n2、还款\n");
        assert_eq!(numbers(&doc), [("1、", "借款"), ("2、", "还款")]);
    }

    #[test]
    fn decimals_dates_and_quantities_are_not_clause_numbers() {
        let doc = text_doc("甲方\n1.5%的违约金\n2024.01.01签署\n1.5倍罚息\n12.5万元\n3.2条规定\n");
        assert_eq!(numbers(&doc), [("", "")]);
        assert_eq!(parse_marker("1.1借款"), Some((Style::Multi(2), 3)));
        assert_eq!(parse_marker("1.1.1 借款"), Some((Style::Multi(3), 5)));
        assert_eq!(parse_marker("2.1. 借款"), Some((Style::Multi(2), 4)));
        assert_eq!(parse_marker("1000. 不是"), None);
        assert_eq!(parse_marker("一方违约"), None);
        assert_eq!(parse_marker("(1)利息"), Some((Style::ParenArabic, 3)));
    }

    const ENGLISH_AGREEMENT: &str = "\
LOAN AGREEMENT

This Loan Agreement is made between ABC Lending Co., Ltd. (the \"Lender\") and Mr. J. Smith.

Article 1 Definitions
Section 1.1 \"Loan\" means the principal amount of USD 10,000.
Section 1.2 \"APR\" means the annual percentage rate.
ARTICLE II. INTEREST AND FEES
Section 2.1 The interest rate is 5.5% per annum.
Section 2 shall survive termination of this Agreement.
Article 3: Repayment
The Borrower shall repay in 12 monthly installments.
";

    #[test]
    fn english_agreement_articles_outrank_sections() {
        let doc = text_doc(ENGLISH_AGREEMENT);
        assert_covering(&doc);
        assert_eq!(
            numbers(&doc),
            [
                ("", ""),
                ("Article 1", "Definitions"),
                ("ARTICLE II", "INTEREST AND FEES"),
                ("Article 3", "Repayment"),
            ]
        );
        assert!(clause_texts(&doc)[2].contains("Section 2 shall survive"));
    }

    #[test]
    fn english_sections_alone_are_clauses() {
        let doc = text_doc("Recitals (A) and (B).\nSection 1. The Loan\nText.\nSection 1.1 Amount\nSection 2 - Repayment\nClause 4 is referenced here.\n§ 3 Fees\n");
        assert_eq!(
            numbers(&doc),
            [
                ("", ""),
                ("Section 1", "The Loan"),
                ("Section 2", "Repayment"),
                ("§ 3", "Fees"),
            ]
        );
    }

    #[test]
    fn numbered_recitals_in_a_preamble_do_not_take_over() {
        let doc = text_doc(
            "鉴于：\n1. 甲方是一家公司；\n2. 乙方需要借款。\n第一条 借款\n1. 金额\n第二条 还款\n",
        );
        assert_eq!(
            numbers(&doc),
            [("", ""), ("第一条", "借款"), ("第二条", "还款")]
        );
    }

    #[test]
    fn markdown_headings_are_clauses() {
        let src = "# 个人借款合同\n\n甲方：某某公司\n\n## 一、借款金额\n1. 本金**一万元**。\n### 说明\n文字\n## 二、利率\n年化利率18%。\n## 附则\n";
        let doc = md_doc(src);
        assert_covering(&doc);
        assert_eq!(
            numbers(&doc),
            [
                ("", ""),
                ("一、", "借款金额"),
                ("二、", "利率"),
                ("附则", "附则")
            ]
        );
        assert_eq!(clause_texts(&doc)[0], "个人借款合同\n\n甲方:某某公司\n\n");
        assert_eq!(
            clause_texts(&doc)[1],
            "一、借款金额\n1. 本金一万元。\n说明\n文字\n"
        );
        // Clause spans start at the first visible character, after the `## `.
        assert_eq!(
            doc.to_source(doc.clauses[2].range.clone()).start,
            src.find("二、利率").unwrap()
        );
    }

    #[test]
    fn markdown_headings_with_article_markers() {
        let doc =
            md_doc("# 借款合同\n## 第一条 借款金额\n正文\n## 第二条 【利率】年化利率为18%。\n");
        assert_eq!(
            numbers(&doc),
            [("", ""), ("第一条", "借款金额"), ("第二条", "利率")]
        );
        let long =
            md_doc("## 这是一个非常非常长的标题用于测试截断到二十个字符的效果如何\n正文\n## 短\n");
        assert_eq!(
            long.clauses[0].number,
            "这是一个非常非常长的标题用于测试截断到二"
        );
        assert_eq!(long.clauses[1].number, "短");
    }

    #[test]
    fn english_markdown_agreement() {
        let doc = md_doc("# Loan Agreement\n\nBetween **ABC Co.** and you.\n\n## Article 1 Definitions\n\"Loan\" means the money.\n## Article 2. Liability\nThe Lender shall __not be liable__ for delays.\n");
        assert_eq!(
            numbers(&doc),
            [
                ("", ""),
                ("Article 1", "Definitions"),
                ("Article 2", "Liability")
            ]
        );
        let emphasised: Vec<&str> = doc.emphasis.iter().map(|r| &doc.text[r.clone()]).collect();
        assert_eq!(emphasised, ["ABC Co.", "not be liable"]);
        assert_eq!(
            clause_texts(&doc)[2],
            "Article 2. Liability\nThe Lender shall not be liable for delays.\n"
        );
    }

    #[test]
    fn a_lone_markdown_title_is_preamble() {
        let doc = md_doc("# 借款合同\n\n1. 借款金额\n2. 利率\n");
        assert_eq!(
            numbers(&doc),
            [("", ""), ("1.", "借款金额"), ("2.", "利率")]
        );
        let doc = md_doc("# 借款合同\n正文\n");
        assert_eq!(numbers(&doc), [("", "")]);
    }

    #[test]
    fn titles_are_cut_at_the_sentence_end_and_40_chars() {
        let doc = text_doc("第一条 甲方同意向乙方提供借款。具体如下\n第二条 Interest. The rate\n第三条 一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三\n");
        assert_eq!(doc.clauses[0].title, "甲方同意向乙方提供借款");
        assert_eq!(doc.clauses[1].title, "Interest");
        assert_eq!(doc.clauses[2].title.chars().count(), 40);
    }

    #[test]
    fn leading_blank_lines_belong_to_the_first_clause() {
        let doc = text_doc("\n\n第一条 甲\n第二条 乙");
        assert_eq!(numbers(&doc), [("第一条", "甲"), ("第二条", "乙")]);
        assert_eq!(doc.clauses[0].range, 0..doc.text.find("第二条").unwrap());
        assert_covering(&doc);
    }

    #[test]
    fn empty_and_whitespace_only_text() {
        for s in ["", "   ", "\n\n \t\n"] {
            let doc = text_doc(s);
            assert!(doc.paragraphs.is_empty(), "{s:?}");
            assert!(doc.sentences.is_empty());
            assert!(doc.blanks.is_empty() || s.contains("   "));
            assert_eq!(doc.clauses.len(), 1);
            assert_eq!(doc.clauses[0].range, 0..s.len());
            assert_eq!(doc.clauses[0].number, "");
        }
    }

    #[test]
    fn paragraphs_are_trimmed_non_blank_lines() {
        let s = "  第一条 甲  \n\n\t乙方\r\n";
        let doc = text_doc(s);
        let paragraphs: Vec<&str> = doc
            .paragraphs
            .iter()
            .map(|p| &doc.text[p.range.clone()])
            .collect();
        assert_eq!(paragraphs, ["第一条 甲", "乙方"]);
    }

    #[test]
    fn chinese_sentences() {
        assert_eq!(
            sentences("甲方应按时还款。乙方有权提前还款！是否同意？同意；不同意"),
            [
                "甲方应按时还款。",
                "乙方有权提前还款!",
                "是否同意?",
                "同意;",
                "不同意"
            ]
            .map(|s| s.replace('!', "！").replace('?', "？").replace(';', "；"))
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
        );
        assert_eq!(
            sentences("“本合同自签字之日起生效。”双方确认。（完）"),
            ["“本合同自签字之日起生效。”", "双方确认。", "（完）"]
        );
        assert_eq!(
            sentences("利率为1.5%。期限为一年。2. 逾期的，按日计息!!后续"),
            [
                "利率为1.5%。",
                "期限为一年。",
                "2. 逾期的，按日计息!!",
                "后续"
            ]
        );
        assert_eq!(
            sentences("第一行\n第二行。\n\n  第三行  "),
            ["第一行", "第二行。", "第三行"]
        );
    }

    #[test]
    fn english_sentences() {
        assert_eq!(
            sentences("The rate is 5.5% per annum. See Section 2, e.g. the fee. Mr. Smith agrees! Is it ok? Yes."),
            [
                "The rate is 5.5% per annum.",
                "See Section 2, e.g. the fee.",
                "Mr. Smith agrees!",
                "Is it ok?",
                "Yes.",
            ]
        );
        assert_eq!(
            sentences(
                "1. Definitions. The terms apply.\n1.1. Loan means money.\nArticle 3. Fees apply."
            ),
            [
                "1. Definitions.",
                "The terms apply.",
                "1.1. Loan means money.",
                "Article 3. Fees apply."
            ]
        );
        assert_eq!(
            sentences("Visit https://a.com/x?id=1 now. He said \"stop.\" Then i.e. no. No. 5 stays... And ends"),
            [
                "Visit https://a.com/x?id=1 now.",
                "He said \"stop.\"",
                "Then i.e. no. No. 5 stays...",
                "And ends"
            ]
        );
    }

    #[test]
    fn sentences_are_sorted_and_within_paragraphs() {
        let doc = text_doc(CHINESE_AGREEMENT);
        let mut p = 0;
        for w in doc.sentences.windows(2) {
            assert!(w[0].range.end <= w[1].range.start);
        }
        for s in &doc.sentences {
            while doc.paragraphs[p].range.end < s.range.end {
                p += 1;
            }
            assert!(doc.paragraphs[p].range.start <= s.range.start);
            assert!(!doc.text[s.range.clone()].trim().is_empty());
        }
    }

    #[test]
    fn template_blanks() {
        assert_eq!(
            blanks("合同编号:【    】,【】,【__】,【 填写 】"),
            ["【    】", "【】", "【__】"]
        );
        assert_eq!(blanks("借款金额人民币____元,乙方:__"), ["____"]);
        assert_eq!(
            blanks("尊敬的${borrower_name},金额{{ amount }}元,${未闭合"),
            ["${borrower_name}", "{{ amount }}"]
        );
        assert_eq!(
            blanks("[  ] 同意 (  ) 不同意 [ ] (1) [x]"),
            ["[  ]", "(  )"]
        );
        assert_eq!(blanks("签订日期:____年__月__日"), ["____年__月__日"]);
        assert_eq!(blanks("日期:    年    月    日。"), ["    年    月    日"]);
        assert_eq!(blanks("自2024年__月__日起"), ["__月__日"]);
        assert_eq!(blanks("2024年1月1日,十二个月,一年 月"), Vec::<&str>::new());
        // Room left for a figure before its unit (full-width spaces arrive as spaces).
        assert_eq!(
            blanks("人民币(大写)    元(小写:    元),年利率   %,期限  个月"),
            ["    ", "    ", "   ", "  "]
        );
        assert_eq!(blanks("    元整为首行缩进"), Vec::<&str>::new());
        assert_eq!(
            blanks("人民币××元,XX银行,xxx先生,Article XX,XXL,xx,box,maxxx"),
            ["××", "XX", "xxx"]
        );
        assert_eq!(blanks("【____】"), ["【____】"]);
    }

    #[test]
    fn blanks_in_full_width_source_map_back() {
        let src = "乙方：＿＿＿＿，编号【　　】";
        let doc = text_doc(src);
        let found: Vec<&str> = doc
            .blanks
            .iter()
            .map(|r| &doc.source[doc.to_source(r.clone())])
            .collect();
        assert_eq!(found, ["＿＿＿＿", "【　　】"]);
    }

    #[test]
    fn crlf_spans_map_to_file_bytes() {
        let src = "第一条 借款\r\n年化利率（单利）：２４％。\r\n第二条 还款\r\n";
        let doc = text_doc(src);
        let at = doc.text.find("年化利率(单利):24%").unwrap();
        let r = at..at + "年化利率(单利):24%".len();
        assert_eq!(&src[doc.to_file(r)], "年化利率（单利）：２４％");
        assert_eq!(numbers(&doc), [("第一条", "借款"), ("第二条", "还款")]);
        let second = doc.to_file(doc.clauses[1].range.clone());
        assert_eq!(&src[second], "第二条 还款\r\n");
        let sentence = doc.sentences[1].range.clone();
        assert_eq!(&src[doc.to_file(sentence)], "年化利率（单利）：２４％。");
    }

    #[test]
    fn markdown_crlf_spans_map_to_file_bytes() {
        let src = "## 第五条 免责\r\n对于损失，本合同**不承担任何责任**。\r\n";
        let doc = md_doc(src);
        let at = doc.text.find("不承担任何责任").unwrap();
        let r = at..at + "不承担任何责任".len();
        assert!(doc.is_emphasised(&r));
        assert_eq!(
            doc.to_file(r.clone()),
            src.find("不承担").unwrap()..src.find("**。").unwrap()
        );
        assert_eq!(numbers(&doc), [("第五条", "免责")]);
        let s = doc
            .sentences
            .iter()
            .find(|s| s.range.contains(&at))
            .unwrap();
        assert_eq!(
            &src[doc.to_file(s.range.clone())],
            "对于损失，本合同**不承担任何责任**。"
        );
    }

    #[test]
    fn a_huge_single_line_is_linear() {
        let unit = "甲方应于每月20日前还款1.5万元。XX银行【  】 ____ Mr. Smith ok. ";
        let text = unit.repeat(100_000); // ~7 MB
        let start = std::time::Instant::now();
        let doc = text_doc(&text);
        assert_eq!(doc.paragraphs.len(), 1);
        assert_eq!(doc.sentences.len(), 200_000);
        assert_eq!(doc.blanks.len(), 300_000);
        assert_eq!(doc.clauses.len(), 1);
        let md = md_doc(&text);
        assert_eq!(md.sentences.len(), 200_000);
        // Generous even for unoptimised builds; quadratic behaviour would take hours.
        assert!(start.elapsed().as_secs() < 60, "{:?}", start.elapsed());
    }

    fn line() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "第一条 借款",
            "第二章 总则",
            "一、定义",
            "(一)细则",
            "1. 金额",
            "1.1 本金",
            "Article 2 Fees",
            "Section 3. Loan",
            "正文。第二句!",
            "",
            "   ",
            "2) 项",
            "# 标题",
            "## 一、节",
            "鉴于:",
            "a.b. c",
            "…… 。。",
            "【  】____年__月__日",
        ])
        .prop_map(str::to_string)
    }

    proptest! {
        #[test]
        fn structure_is_sorted_and_covering(
            lines in prop::collection::vec(line(), 0..25),
            markdown in any::<bool>(),
            crlf in any::<bool>(),
        ) {
            let src = lines.join(if crlf { "\r\n" } else { "\n" });
            let doc = if markdown { md_doc(&src) } else { text_doc(&src) };
            let mut at = 0;
            for c in &doc.clauses {
                prop_assert_eq!(c.range.start, at);
                at = c.range.end;
            }
            prop_assert_eq!(at, doc.text.len());
            for regions in [&doc.paragraphs, &doc.sentences] {
                for w in regions.windows(2) {
                    prop_assert!(w[0].range.end <= w[1].range.start);
                }
                for r in regions.iter() {
                    prop_assert!(!r.range.is_empty());
                    let t = &doc.text[r.range.clone()];
                    prop_assert_eq!(t.trim(), t);
                }
            }
            for w in doc.blanks.windows(2) {
                prop_assert!(w[0].end < w[1].start);
            }
        }
    }
}
