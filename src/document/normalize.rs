//! Text normalisation with an offset map back to the source.
//!
//! Patterns and extractors see one canonical spelling of each character, so a
//! rule written with `12%` also finds `１２％`, and `：` equals `:`. The map lets
//! every match be reported at the bytes the author actually wrote.

use super::OffsetMap;
use std::ops::Range;

/// The result of turning source text into the text patterns run on.
#[derive(Debug, Clone, Default)]
pub(crate) struct Normalised {
    pub text: String,
    pub map: OffsetMap,
    /// Emphasised ranges of `text` (sorted, merged).
    pub emphasis: Vec<Range<usize>>,
    /// Headings in the markup (Markdown `#` lines), sorted by position.
    pub headings: Vec<Heading>,
}

/// A heading of the markup, in normalised-text coordinates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Heading {
    /// The heading's text, trimmed; always within one line.
    pub range: Range<usize>,
    /// 1 for `#`, 2 for `##`, …
    pub level: u8,
}

/// Normalise plain text: char mapping and line endings, nothing else.
pub(crate) fn normalise(source: &str) -> Normalised {
    let mut out = TextBuilder::with_capacity(source.len());
    out.push_source(source, 0..source.len());
    let (text, map) = out.finish(source.len());
    Normalised {
        text,
        map,
        emphasis: vec![],
        headings: vec![],
    }
}

/// The canonical form of one character; `None` drops it. `\r` becomes `\n`
/// here; callers fold a `\r\n` pair into one `\n` themselves.
pub(crate) fn normalise_char(c: char) -> Option<char> {
    match c {
        // Full-width ASCII forms sit at a fixed distance from ASCII.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
        '\u{3000}' | '\u{00A0}' => Some(' '),
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => None,
        '\r' => Some('\n'),
        _ => Some(c),
    }
}

/// Accumulates normalised text and its offset map in one pass.
pub(crate) struct TextBuilder {
    text: String,
    map: OffsetMap,
}

impl TextBuilder {
    pub fn with_capacity(n: usize) -> Self {
        TextBuilder {
            text: String::with_capacity(n),
            map: OffsetMap::new(),
        }
    }

    /// Bytes of normalised text so far.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Append the normalisation of source char `c` found at source offset `src`.
    pub fn push_char(&mut self, c: char, src: usize) {
        if let Some(n) = normalise_char(c) {
            self.push_exact(n, src);
        }
    }

    /// Append `c` as is (a line break or a space the caller synthesised),
    /// mapped to source offset `src`.
    pub fn push_exact(&mut self, c: char, src: usize) {
        self.map.push(self.text.len(), src);
        self.text.push(c);
    }

    /// Append `source[range]` normalised, folding `\r\n` into one `\n`.
    pub fn push_source(&mut self, source: &str, range: Range<usize>) {
        let Some(slice) = source.get(range.clone()) else {
            return;
        };
        let base = range.start;
        // Characters that are their own normal form (nearly all of them) are copied a run at a
        // time: the offset map needs a point only where a run starts, and pushing them one by
        // one was 5% of a contract check.
        let mut run_start = 0;
        let mut chars = slice.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c != '\r' && normalise_char(c) == Some(c) {
                continue;
            }
            self.push_run(slice, base, run_start..i);
            if c == '\r' {
                if let Some(&(_, '\n')) = chars.peek() {
                    chars.next();
                }
                self.push_exact('\n', base + i);
            } else {
                self.push_char(c, base + i);
            }
            run_start = chars.peek().map_or(slice.len(), |&(next, _)| next);
        }
        self.push_run(slice, base, run_start..slice.len());
    }

    /// Append `slice[run]` (characters that are their own normal form) unchanged; `slice`
    /// starts at source offset `base`.
    fn push_run(&mut self, slice: &str, base: usize, run: Range<usize>) {
        if let Some(text) = slice.get(run.clone()).filter(|t| !t.is_empty()) {
            self.map.push(self.text.len(), base + run.start);
            self.text.push_str(text);
        }
    }

    /// The text and a map whose end maps to the end of the source.
    pub fn finish(mut self, source_len: usize) -> (String, OffsetMap) {
        self.map.push(self.text.len(), source_len);
        (self.text, self.map)
    }
}

/// Normalise a regex written in a rule file the way document text is normalised,
/// escaping characters that become regex syntax (`（` -> `\(`).
pub fn normalise_regex_source(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped) => push_escaped_regex_char(&mut out, escaped),
                None => out.push('\\'),
            },
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            _ => match normalise_char(c) {
                Some(n) if n != c => push_literal_regex_char(&mut out, n),
                Some(n) => out.push(n),
                None => {}
            },
        }
    }
    out
}

/// A character that the rule author escaped with `\`.
fn push_escaped_regex_char(out: &mut String, escaped: char) {
    match normalise_char(escaped) {
        // The author meant the full-width character literally: keep it literal.
        Some(n) if n != escaped => push_literal_regex_char(out, n),
        // `\` before a dropped zero-width char would escape whatever follows it.
        None => {}
        _ => {
            out.push('\\');
            out.push(escaped);
        }
    }
}

/// Push `c` so that the regex matches it literally.
fn push_literal_regex_char(out: &mut String, c: char) {
    if c.is_ascii()
        && !c.is_ascii_alphanumeric()
        && regex::escape(c.encode_utf8(&mut [0; 4])).len() > 1
    {
        out.push('\\');
    }
    out.push(c);
}

/// Normalise a literal string from a rule file (lexicon entry) like document text.
pub fn normalise_pattern_literal(literal: &str) -> String {
    let mut out = TextBuilder::with_capacity(literal.len());
    out.push_source(literal, 0..literal.len());
    out.finish(literal.len()).0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn norm(s: &str) -> String {
        normalise(s).text
    }

    #[test]
    fn full_width_ascii_becomes_ascii() {
        assert_eq!(norm("年化利率１２％"), "年化利率12%");
        assert_eq!(norm("甲方，乙方：（一）；"), "甲方,乙方:(一);");
        assert_eq!(norm("ＡＢＣａｂｃ～！"), "ABCabc~!");
    }

    #[test]
    fn chinese_punctuation_is_kept() {
        let s = "本合同。甲方、乙方“最终解释权”【  】《合同法》……";
        assert_eq!(norm(s), s);
    }

    #[test]
    fn spaces_and_line_endings_are_unified() {
        assert_eq!(norm("甲\u{3000}乙\u{00A0}丙"), "甲 乙 丙");
        assert_eq!(norm("a\r\nb\rc\nd"), "a\nb\nc\nd");
        assert_eq!(norm("\r\r\n"), "\n\n");
    }

    #[test]
    fn zero_width_characters_are_dropped() {
        assert_eq!(
            norm("最\u{200B}终\u{200C}解\u{200D}释\u{2060}权\u{FEFF}"),
            "最终解释权"
        );
    }

    #[test]
    fn map_points_at_the_source_character() {
        let src = "利率：１２％\r\n第二条";
        let n = normalise(src);
        assert_eq!(n.text, "利率:12%\n第二条");
        let at = |needle: &str| n.map.to_source(n.text.find(needle).unwrap());
        assert_eq!(at(":"), src.find('：').unwrap());
        assert_eq!(at("12"), src.find('１').unwrap());
        assert_eq!(at("%"), src.find('％').unwrap());
        assert_eq!(at("\n"), src.find('\r').unwrap());
        assert_eq!(at("第二条"), src.find("第二条").unwrap());
        assert_eq!(n.map.to_source(n.text.len()), src.len());
    }

    #[test]
    fn text_of_only_dropped_characters_is_empty() {
        let n = normalise("\u{200B}\u{FEFF}");
        assert_eq!(n.text, "");
        assert_eq!(n.map.to_source(0), 6);
        assert_eq!(normalise("").text, "");
    }

    #[test]
    fn regex_metacharacters_from_full_width_forms_are_escaped() {
        assert_eq!(
            normalise_regex_source("年化利率（单利）"),
            r"年化利率\(单利\)"
        );
        assert_eq!(normalise_regex_source("是否？"), r"是否\?");
        assert_eq!(normalise_regex_source("１．５"), r"1\.5");
        assert_eq!(normalise_regex_source("甲｜乙"), r"甲\|乙");
        assert_eq!(
            normalise_regex_source("＊＋［］｛｝＾＄"),
            r"\*\+\[\]\{\}\^\$"
        );
        assert_eq!(normalise_regex_source("甲，乙：丙"), "甲,乙:丙");
        assert_eq!(normalise_regex_source("１２％"), "12%");
    }

    #[test]
    fn regex_syntax_written_in_ascii_is_untouched() {
        let p = r"(最终|最后)解释权[^。]{0,10}归\d+\.\s*\p{Han}";
        assert_eq!(normalise_regex_source(p), p);
        assert_eq!(normalise_regex_source(r"\\（"), r"\\\(");
    }

    #[test]
    fn escaped_full_width_characters_are_not_double_escaped() {
        assert_eq!(normalise_regex_source(r"\（单利\）"), r"\(单利\)");
        assert_eq!(normalise_regex_source(r"\，"), ",");
        assert_eq!(normalise_regex_source("a\\"), "a\\");
    }

    #[test]
    fn normalised_regexes_compile_and_match_normalised_text() {
        let re = regex::Regex::new(&normalise_regex_source("年化利率（单利）：\\d+％")).unwrap();
        assert!(re.is_match(&norm("年化利率（单利）：２４％")));
        assert!(re.is_match("年化利率(单利):24%"));
    }

    #[test]
    fn literals_are_mapped_without_escaping() {
        assert_eq!(
            normalise_pattern_literal("（最终）解释权？"),
            "(最终)解释权?"
        );
        assert_eq!(normalise_pattern_literal("a\r\nb"), "a\nb");
    }

    /// Characters worth fuzzing: ASCII, CJK, every class the mapping treats specially.
    fn interesting_char() -> impl Strategy<Value = char> {
        prop_oneof![
            prop::char::range('a', 'e'),
            prop::char::range('\u{FF01}', '\u{FF5E}'),
            prop::sample::select(vec![
                '\r', '\n', ' ', '\u{3000}', '\u{00A0}', '\u{200B}', '\u{200C}', '\u{200D}',
                '\u{2060}', '\u{FEFF}', '。', '、', '“', '”', '【', '】', '条', '𝄞', '\t', '.',
            ]),
        ]
    }

    proptest! {
        #[test]
        fn every_normalised_char_maps_to_the_char_that_produced_it(
            chars in prop::collection::vec(interesting_char(), 0..60)
        ) {
            let source: String = chars.into_iter().collect();
            let n = normalise(&source);
            let mut last = 0;
            for (d, c) in n.text.char_indices() {
                let s = n.map.to_source(d);
                prop_assert!(source.is_char_boundary(s), "{s} not a boundary");
                prop_assert!(s >= last, "not monotone at {d}");
                last = s;
                let src_char = source[s..].chars().next().unwrap();
                if src_char == '\r' {
                    prop_assert_eq!(c, '\n');
                } else {
                    prop_assert_eq!(Some(c), normalise_char(src_char));
                }
            }
            prop_assert_eq!(n.map.to_source(n.text.len()), source.len());
        }

        #[test]
        fn a_normalised_regex_matches_its_normalised_literal(
            chars in prop::collection::vec(
                prop_oneof![
                    prop::char::range('\u{FF01}', '\u{FF5E}'),
                    prop::sample::select(vec!['甲', 'a', '1', '\u{3000}', '\u{200B}', ',']),
                ],
                0..30,
            )
        ) {
            let s: String = chars.into_iter().collect();
            let re = regex::Regex::new(&format!("^(?:{})$", normalise_regex_source(&s)));
            prop_assert!(re.is_ok(), "{:?} -> {:?}", s, normalise_regex_source(&s));
            prop_assert!(re.unwrap().is_match(&normalise_pattern_literal(&s)));
        }
    }
}
