//! Markdown: strip markup, record emphasis and headings, then normalise.
//!
//! Hand-written and lenient rather than CommonMark-exact: Chinese contracts
//! written in Markdown routinely break CommonMark's flanking rules
//! (`本合同**不承担任何责任**。` renders as plain asterisks under CommonMark,
//! but the author meant bold and many editors show it so), so `*` delimiters
//! pair within a paragraph whenever they are not surrounded by whitespace.
//!
//! Choices a reader of the output relies on:
//! - one output line per source line (soft-wrapped lines are NOT joined), so a
//!   clause marker at the start of a source line stays at a line start;
//! - lines whose markup vanishes entirely (fences, table separator rows,
//!   thematic breaks, link definitions, front matter) leave an empty line;
//! - leading indentation is dropped (no indented code blocks: contracts indent
//!   paragraphs with spaces or `　`, and that text must stay checkable);
//! - numbered list markers (`1.`, `1)`) are kept: they are clause numbers;
//!   bullets (`-`, `*`, `+`) are removed;
//! - emphasis (bold, `<u>`, `<b>`, `<strong>`, `<ins>`, `<mark>`, and `<span>`
//!   styled bold or underlined) never crosses a blank line, a heading or a
//!   table row; italics lose their markers but are not emphasis;
//! - `___` (three or more underscores) is a template blank and stays text; so
//!   is `_`/`__` between two letters or CJK characters (`snake_case`,
//!   `金额__元`): only `*` is lenient about flanking.

use super::normalize::{normalise_pattern_literal, Heading, Normalised, TextBuilder};
use super::segment::starts_with_marker;
use std::collections::HashMap;
use std::ops::Range;

pub(crate) fn strip_and_normalise(source: &str) -> Normalised {
    let mut stripper = Stripper::new(source);
    let skip = front_matter_lines(source);
    let mut lines = Lines { source, next: 0 }.peekable();
    let mut index = 0;
    while let Some(line) = lines.next() {
        if index < skip {
            stripper.emit_terminator(line.terminator.clone());
        } else {
            stripper.line(&line, lines.peek());
        }
        index += 1;
    }
    stripper.finish()
}

/// One source line: its content and its line terminator (empty on the last line).
#[derive(Debug, Clone)]
struct Line {
    content: Range<usize>,
    terminator: Range<usize>,
}

/// The lines of a text, split at `\n`, `\r\n` and lone `\r`.
struct Lines<'a> {
    source: &'a str,
    /// Start of the next line; past the end when done.
    next: usize,
}

impl Iterator for Lines<'_> {
    type Item = Line;

    fn next(&mut self) -> Option<Line> {
        let bytes = self.source.as_bytes();
        let start = self.next;
        let rest = bytes.get(start..)?;
        let line = match rest.iter().position(|&b| b == b'\n' || b == b'\r') {
            Some(p) => {
                let end = start + p;
                let crlf = rest.get(p..p + 2) == Some(b"\r\n");
                let next = end + if crlf { 2 } else { 1 };
                self.next = next;
                Line {
                    content: start..end,
                    terminator: end..next,
                }
            }
            None => {
                self.next = bytes.len() + 1;
                Line {
                    content: start..bytes.len(),
                    terminator: bytes.len()..bytes.len(),
                }
            }
        };
        Some(line)
    }
}

/// How many leading lines are YAML front matter (`---` … `---`), 0 if none.
/// Only a short block whose lines all look like YAML counts: a contract that
/// merely starts with a `---` rule must not lose the text before the next one.
fn front_matter_lines(source: &str) -> usize {
    let text = |l: &Line| source.get(l.content.clone()).unwrap_or_default().trim_end();
    let mut lines = Lines { source, next: 0 };
    if lines.next().as_ref().map(text) != Some("---") {
        return 0;
    }
    for (i, line) in lines.enumerate().take(MAX_FRONT_MATTER) {
        let i = i + 1;
        let t = text(&line);
        if matches!(t, "---" | "...") {
            return i + 1;
        }
        if !looks_like_yaml(t) {
            return 0;
        }
    }
    0
}

const MAX_FRONT_MATTER: usize = 100;

/// `key: value`, `- item`, an indented continuation, a comment, or blank.
fn looks_like_yaml(line: &str) -> bool {
    if line.trim().is_empty() || line.starts_with([' ', '\t', '-', '#']) {
        return true;
    }
    line.split_once(':').is_some_and(|(key, value)| {
        !key.is_empty()
            && !key.contains(char::is_whitespace)
            && (value.is_empty() || value.starts_with(' '))
    })
}

/// A line of a paragraph waiting to be rendered with its neighbours, so that
/// emphasis can pair across soft line breaks.
#[derive(Debug, Clone)]
struct Part {
    content: Range<usize>,
    terminator: Range<usize>,
    list_item: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Paragraph,
    Heading(u8),
    TableRow,
}

struct Fence {
    ch: u8,
    len: usize,
}

struct Stripper<'a> {
    src: &'a str,
    out: TextBuilder,
    emphasis: Vec<Range<usize>>,
    headings: Vec<Heading>,
    paragraph: Vec<Part>,
    fence: Option<Fence>,
    in_comment: bool,
    in_table: bool,
}

impl<'a> Stripper<'a> {
    fn new(src: &'a str) -> Self {
        Stripper {
            src,
            out: TextBuilder::with_capacity(src.len()),
            emphasis: Vec::new(),
            headings: Vec::new(),
            paragraph: Vec::new(),
            fence: None,
            in_comment: false,
            in_table: false,
        }
    }

    fn finish(mut self) -> Normalised {
        self.flush_paragraph();
        let (text, map) = self.out.finish(self.src.len());
        Normalised {
            text,
            map,
            emphasis: merge_ranges(self.emphasis),
            headings: self.headings,
        }
    }

    fn emit_terminator(&mut self, terminator: Range<usize>) {
        if !terminator.is_empty() {
            self.out.push_exact('\n', terminator.start);
        }
    }

    /// A line that contributes no text: end any paragraph, keep the line break.
    fn empty_line(&mut self, line: &Line) {
        self.flush_paragraph();
        self.emit_terminator(line.terminator.clone());
    }

    fn line(&mut self, line: &Line, next: Option<&Line>) {
        let mut start = line.content.start;
        let end = line.content.end;
        if let Some(fence) = &self.fence {
            if is_fence_close(self.slice(start..end), fence) {
                self.fence = None;
                self.empty_line(line);
            } else {
                self.flush_paragraph();
                self.out.push_source(self.src, start..end);
                self.emit_terminator(line.terminator.clone());
            }
            return;
        }
        if self.in_comment {
            match self.slice(start..end).find("-->") {
                Some(p) => {
                    start += p + 3;
                    self.in_comment = false;
                }
                None => return self.empty_line(line),
            }
        }
        let end = self.cut_unclosed_comment(start, end);
        let start = skip_indentation(self.src, start, end);
        if start == end {
            self.in_table = false;
            return self.empty_line(line);
        }
        let start = strip_blockquote(self.src, start, end);
        if start == end {
            self.in_table = false;
            return self.empty_line(line);
        }
        self.block_line(start..end, line, next);
    }

    /// Classify a line (indentation and blockquote markers already removed).
    fn block_line(&mut self, content: Range<usize>, line: &Line, next: Option<&Line>) {
        let text = self.slice(content.clone());
        let part = |content: Range<usize>, list_item| Part {
            content,
            terminator: line.terminator.clone(),
            list_item,
        };
        if let Some(fence) = fence_open(text) {
            self.fence = Some(fence);
            return self.empty_line(line);
        }
        if let Some((level, heading)) = atx_heading(text) {
            self.flush_paragraph();
            let heading = content.start + heading.start..content.start + heading.end;
            self.render(&[part(heading, false)], Mode::Heading(level));
            return;
        }
        if let Some(level) = self.setext_level(text) {
            let paragraph = std::mem::take(&mut self.paragraph);
            self.render(&paragraph, Mode::Heading(level));
            return self.emit_terminator(line.terminator.clone());
        }
        if is_thematic_break(text) || is_link_definition(text) {
            return self.empty_line(line);
        }
        if self.is_table_row(text, next) {
            if self.in_table && is_table_separator(text) {
                return self.empty_line(line);
            }
            self.flush_paragraph();
            self.in_table = true;
            self.render(&[part(content, false)], Mode::TableRow);
            return;
        }
        self.in_table = false;
        if let Some(marker) = bullet_marker(text) {
            self.flush_paragraph();
            let after = skip_indentation(self.src, content.start + marker, content.end);
            self.paragraph.push(part(after..content.end, true));
        } else if starts_ordered_item(text) || starts_with_clause_marker(text) {
            self.flush_paragraph();
            self.paragraph.push(part(content, true));
        } else {
            self.paragraph.push(part(content, false));
        }
    }

    fn slice(&self, r: Range<usize>) -> &'a str {
        self.src.get(r).unwrap_or_default()
    }

    /// The heading level if `text` underlines a one-line paragraph (`===`, `---`).
    fn setext_level(&self, text: &str) -> Option<u8> {
        let underline = text.trim_end();
        let level = if underline.len() >= 2 && underline.bytes().all(|b| b == b'=') {
            1
        } else if underline.len() >= 2 && underline.bytes().all(|b| b == b'-') {
            2
        } else {
            return None;
        };
        match self.paragraph.as_slice() {
            [only] if !only.list_item => Some(level),
            _ => None,
        }
    }

    fn is_table_row(&self, text: &str, next: Option<&Line>) -> bool {
        if !text.contains('|') {
            return false;
        }
        if self.in_table {
            return true;
        }
        next.is_some_and(|next| {
            let start = skip_indentation(self.src, next.content.start, next.content.end);
            let start = strip_blockquote(self.src, start, next.content.end);
            is_table_separator(self.slice(start..next.content.end))
        })
    }

    /// Cut the line at a `<!--` that does not close on this line; the comment
    /// goes on over the following lines.
    fn cut_unclosed_comment(&mut self, start: usize, end: usize) -> usize {
        let mut from = start;
        while let Some(open) = self.slice(from..end).find("<!--") {
            let open = from + open;
            match self.slice(open + 4..end).find("-->") {
                Some(close) => from = open + 4 + close + 3,
                None => {
                    self.in_comment = true;
                    return open;
                }
            }
        }
        end
    }

    fn flush_paragraph(&mut self) {
        if !self.paragraph.is_empty() {
            let paragraph = std::mem::take(&mut self.paragraph);
            self.render(&paragraph, Mode::Paragraph);
        }
    }

    /// Render one block: inline markup of all its lines, then the final line break.
    fn render(&mut self, parts: &[Part], mode: Mode) {
        let mut inline = Inline::new(self.src, mode);
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                if let Some(previous) = parts.get(i - 1) {
                    inline.toks.push(Tok::Break(previous.terminator.start));
                }
            }
            inline.tokenize(part.content.clone());
        }
        pair_delimiters(&mut inline.delims);
        let start = self.out.len();
        self.emit(&inline);
        if let Mode::Heading(level) = mode {
            let range = trim_range(self.out.text(), start..self.out.len());
            if !range.is_empty() {
                self.headings.push(Heading { range, level });
            }
        }
        if let Some(last) = parts.last() {
            self.emit_terminator(last.terminator.clone());
        }
    }

    fn emit(&mut self, inline: &Inline) {
        let mut state = EmphasisState::default();
        for tok in &inline.toks {
            match tok {
                Tok::Text(r) if state.skip == 0 => self.out.push_source(self.src, r.clone()),
                Tok::Char(c, at) if state.skip == 0 => self.out.push_char(*c, *at),
                Tok::Text(_) | Tok::Char(..) => {}
                Tok::Break(at) => self.out.push_exact('\n', *at),
                Tok::Delim(k) => {
                    let Some(d) = inline.delims.get(*k) else {
                        continue;
                    };
                    state.strong = state.strong.saturating_sub(d.close_strong);
                    if state.skip == 0 {
                        let closed = 2 * d.close_strong + d.close_em;
                        for j in 0..d.literal {
                            self.out.push_exact(char::from(d.ch), d.src + closed + j);
                        }
                    }
                    state.strong += d.open_strong;
                }
                Tok::Bracket {
                    src,
                    image,
                    matched,
                } => match (*matched, *image) {
                    (true, true) => state.skip += 1,
                    (true, false) => {}
                    (false, _) if state.skip > 0 => {}
                    (false, true) => {
                        self.out.push_exact('!', *src);
                        self.out.push_exact('[', src + 1);
                    }
                    (false, false) => self.out.push_exact('[', *src),
                },
                Tok::ImageEnd => state.skip = state.skip.saturating_sub(1),
                Tok::Tag(tag) => state.tag(tag),
            }
            self.track_emphasis(&mut state);
        }
        if let Some(start) = state.open_at.take() {
            self.push_emphasis(start);
        }
    }

    fn track_emphasis(&mut self, state: &mut EmphasisState) {
        let now = state.strong > 0 || state.emphatic_tags > 0;
        match (state.open_at, now) {
            (None, true) => state.open_at = Some(self.out.len()),
            (Some(start), false) => {
                state.open_at = None;
                self.push_emphasis(start);
            }
            _ => {}
        }
    }

    fn push_emphasis(&mut self, start: usize) {
        if start < self.out.len() {
            self.emphasis.push(start..self.out.len());
        }
    }
}

/// What is open while a block is emitted.
#[derive(Default)]
struct EmphasisState {
    strong: usize,
    tags: Vec<(String, bool)>,
    emphatic_tags: usize,
    /// Inside image alt text, which is dropped.
    skip: usize,
    open_at: Option<usize>,
}

impl EmphasisState {
    /// The innermost open tag called `name`, looking at most 64 deep so that
    /// thousands of unclosed tags cannot make this quadratic.
    fn open_tag(&self, name: &str) -> Option<usize> {
        let floor = self.tags.len().saturating_sub(64);
        let recent = self.tags.get(floor..)?;
        recent
            .iter()
            .rposition(|(n, _)| n == name)
            .map(|i| floor + i)
    }

    fn tag(&mut self, tag: &Tag) {
        if tag.open {
            self.tags.push((tag.name.clone(), tag.emphatic));
            self.emphatic_tags += usize::from(tag.emphatic);
        } else if let Some(i) = self.open_tag(&tag.name) {
            // Closing a tag also closes anything left open inside it.
            for (_, emphatic) in self.tags.drain(i..) {
                self.emphatic_tags -= usize::from(emphatic);
            }
        }
    }
}

fn trim_range(text: &str, r: Range<usize>) -> Range<usize> {
    let Some(s) = text.get(r.clone()) else {
        return r.start..r.start;
    };
    let start = r.start + (s.len() - s.trim_start().len());
    let end = r.start + s.trim_end().len();
    start..end.max(start)
}

/// Sort and merge overlapping or touching ranges.
pub(crate) fn merge_ranges(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.retain(|r| !r.is_empty());
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

fn is_indentation(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\u{3000}' | '\u{00A0}' | '\u{200B}' | '\u{FEFF}'
    )
}

fn skip_indentation(src: &str, start: usize, end: usize) -> usize {
    let s = src.get(start..end).unwrap_or_default();
    end - s.trim_start_matches(is_indentation).len()
}

/// Skip `>` markers (nested `> >` too) and the space after each.
fn strip_blockquote(src: &str, mut start: usize, end: usize) -> usize {
    while src.as_bytes().get(start) == Some(&b'>') && start < end {
        start = skip_indentation(src, start + 1, end);
    }
    start
}

fn fence_open(text: &str) -> Option<Fence> {
    let ch = *text.as_bytes().first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let len = text.bytes().take_while(|&b| b == ch).count();
    let info = text.get(len..).unwrap_or_default();
    if len < 3 || (ch == b'`' && info.contains('`')) {
        return None;
    }
    Some(Fence { ch, len })
}

fn is_fence_close(line: &str, fence: &Fence) -> bool {
    let t = line.trim_start_matches(is_indentation);
    let len = t.bytes().take_while(|&b| b == fence.ch).count();
    len >= fence.len && t.get(len..).is_some_and(|rest| rest.trim().is_empty())
}

/// `## Title ##` -> (2, range of "Title" within `text`). Lenient: `#标题`
/// without a space counts, since Chinese authors often omit it; `#1` does not.
fn atx_heading(text: &str) -> Option<(u8, Range<usize>)> {
    let hashes = text.bytes().take_while(|&b| b == b'#').count();
    if hashes == 0 || hashes > 6 {
        return None;
    }
    let rest = text.get(hashes..)?;
    match rest.chars().next() {
        None => {}
        Some(c) if c.is_whitespace() || !c.is_ascii() => {}
        Some(_) => return None,
    }
    let body = rest.trim_start_matches(is_indentation);
    let start = text.len() - body.len();
    let mut end = start + body.trim_end().len();
    // A closing run of `#` counts only when separated by a space (or alone).
    let inner = text.get(start..end)?;
    let without = inner.trim_end_matches('#');
    if without.len() < inner.len() && (without.is_empty() || without.ends_with(is_indentation)) {
        end = start + without.trim_end_matches(is_indentation).len();
    }
    u8::try_from(hashes).ok().map(|level| (level, start..end))
}

/// `---`, `***`, `* * *`; not `___`, which contracts use as a blank.
fn is_thematic_break(text: &str) -> bool {
    let mut marks = text.chars().filter(|c| !matches!(c, ' ' | '\t'));
    let Some(first) = marks.next() else {
        return false;
    };
    let mut count = 1;
    for c in marks {
        if c != first {
            return false;
        }
        count += 1;
    }
    matches!(first, '-' | '*') && count >= 3
}

fn is_table_separator(text: &str) -> bool {
    let t = text.trim();
    t.contains('|')
        && t.contains('-')
        && t.bytes()
            .all(|b| matches!(b, b'|' | b':' | b'-' | b' ' | b'\t'))
}

/// `[label]: url` — a link reference definition, invisible when rendered.
/// Footnote definitions (`[^1]: …`) hold text and are kept.
fn is_link_definition(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('[') else {
        return false;
    };
    if rest.starts_with('^') {
        return false;
    }
    let Some(close) = rest.find("]:") else {
        return false;
    };
    let label = rest.get(..close).unwrap_or_default();
    let dest = rest.get(close + 2..).unwrap_or_default().trim();
    !label.is_empty() && !label.contains(['[', ']']) && !dest.is_empty() && !dest.contains(' ')
}

/// Byte length of a bullet marker (`-`, `*`, `+`) including the blank after it.
fn bullet_marker(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    match (b.first(), b.get(1)) {
        (Some(b'-' | b'*' | b'+'), Some(b' ' | b'\t')) => Some(2),
        _ => None,
    }
}

/// `第五条`, `（一）`, `一、`…: a clause starts a new paragraph even without a
/// blank line before it, so a stray `**` cannot pair across clauses.
fn starts_with_clause_marker(text: &str) -> bool {
    let head: String = text.chars().take(24).collect();
    starts_with_marker(&normalise_pattern_literal(&head))
}

/// `1.` / `1)` followed by a blank: a Markdown ordered item (its number stays).
fn starts_ordered_item(text: &str) -> bool {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    (1..=9).contains(&digits)
        && matches!(text.as_bytes().get(digits), Some(b'.' | b')'))
        && matches!(text.as_bytes().get(digits + 1), None | Some(b' ' | b'\t'))
}

// ---------------------------------------------------------------------------
// Inline markup
// ---------------------------------------------------------------------------

#[derive(Debug)]
enum Tok {
    /// Source text, emitted normalised.
    Text(Range<usize>),
    /// A decoded or substituted character, mapped to the source offset given.
    Char(char, usize),
    /// A soft line break inside the block.
    Break(usize),
    /// A run of `*` or `_` (index into `Inline::delims`).
    Delim(usize),
    /// `[` or `![`; unmatched ones are emitted as text.
    Bracket {
        src: usize,
        image: bool,
        matched: bool,
    },
    /// The end of a matched image (its alt text is dropped).
    ImageEnd,
    Tag(Tag),
}

#[derive(Debug)]
struct Tag {
    name: String,
    open: bool,
    /// A closing tag (`</u>`); a self-closing `<u/>` is neither open nor closing.
    closing: bool,
    emphatic: bool,
}

#[derive(Debug, Default)]
struct Delim {
    ch: u8,
    src: usize,
    len: usize,
    can_open: bool,
    can_close: bool,
    /// Markers still waiting for a closer while on the opener stack.
    waiting: usize,
    open_strong: usize,
    open_em: usize,
    close_strong: usize,
    close_em: usize,
    /// Markers that stay as text.
    literal: usize,
}

struct Inline<'a> {
    src: &'a str,
    mode: Mode,
    toks: Vec<Tok>,
    delims: Vec<Delim>,
    /// Token indices of `[` / `![` not yet closed.
    brackets: Vec<usize>,
    /// Backtick runs of the current line by length: (line start, length -> positions).
    backticks: Option<(usize, HashMap<usize, Vec<usize>>)>,
}

const MAX_LINK_DEST: usize = 2048;
const MAX_TAG: usize = 1024;

impl<'a> Inline<'a> {
    fn new(src: &'a str, mode: Mode) -> Self {
        Inline {
            src,
            mode,
            toks: Vec::new(),
            delims: Vec::new(),
            brackets: Vec::new(),
            backticks: None,
        }
    }

    fn tokenize(&mut self, line: Range<usize>) {
        let bytes = self.src.as_bytes();
        let end = line.end;
        let mut i = line.start;
        let mut text_start = i;
        while i < end {
            let b = bytes.get(i).copied().unwrap_or(0);
            let next = match b {
                b'\\' | b'*' | b'_' | b'`' | b'[' | b']' | b'<' | b'&' => {
                    self.flush(text_start..i);
                    self.special(b, i, &line)
                }
                b'!' if bytes.get(i + 1) == Some(&b'[') => {
                    self.flush(text_start..i);
                    self.open_bracket(i, true);
                    i + 2
                }
                b'|' if self.mode == Mode::TableRow => {
                    self.flush(text_start..i);
                    self.toks.push(Tok::Char(' ', i));
                    i + 1
                }
                _ => {
                    i += 1;
                    continue;
                }
            };
            i = next.max(i + 1);
            text_start = i;
        }
        self.flush(text_start..end);
    }

    fn flush(&mut self, r: Range<usize>) {
        if !r.is_empty() {
            self.toks.push(Tok::Text(r));
        }
    }

    /// Handle the markup character `b` at `i`; returns where scanning resumes.
    fn special(&mut self, b: u8, i: usize, line: &Range<usize>) -> usize {
        match b {
            b'\\' => self.backslash(i, line.end),
            b'*' | b'_' => self.delimiter_run(b, i, line),
            b'`' => self.code_span(i, line),
            b'[' => {
                self.open_bracket(i, false);
                i + 1
            }
            b']' => self.close_bracket(i, line.end),
            b'<' => self.angle(i, line.end),
            _ => self.entity(i, line.end),
        }
    }

    fn backslash(&mut self, i: usize, end: usize) -> usize {
        match self.src.as_bytes().get(i + 1) {
            // A backslash at the end of a line is a hard line break: drop it.
            _ if i + 1 >= end => i + 1,
            Some(p) if p.is_ascii_punctuation() => {
                self.toks.push(Tok::Text(i + 1..i + 2));
                i + 2
            }
            _ => {
                self.toks.push(Tok::Text(i..i + 1));
                i + 1
            }
        }
    }

    fn delimiter_run(&mut self, ch: u8, i: usize, line: &Range<usize>) -> usize {
        let len = self
            .src
            .as_bytes()
            .get(i..line.end)
            .unwrap_or_default()
            .iter()
            .take_while(|&&b| b == ch)
            .count();
        let before = self
            .src
            .get(line.start..i)
            .and_then(|s| s.chars().next_back());
        let after = self
            .src
            .get(i + len..line.end)
            .and_then(|s| s.chars().next());
        match delimiter_flanking(ch, len, before, after) {
            Some((can_open, can_close)) => {
                self.toks.push(Tok::Delim(self.delims.len()));
                self.delims.push(Delim {
                    ch,
                    src: i,
                    len,
                    can_open,
                    can_close,
                    ..Delim::default()
                });
            }
            None => self.toks.push(Tok::Text(i..i + len)),
        }
        i + len
    }

    fn code_span(&mut self, i: usize, line: &Range<usize>) -> usize {
        let len = self
            .src
            .as_bytes()
            .get(i..line.end)
            .unwrap_or_default()
            .iter()
            .take_while(|&&b| b == b'`')
            .count();
        match self.closing_backticks(line, i + len, len) {
            Some(close) => {
                let content = trim_one_space(self.src, i + len..close);
                self.flush(content);
                close + len
            }
            None => {
                self.toks.push(Tok::Text(i..i + len));
                i + len
            }
        }
    }

    /// Start of the first run of exactly `len` backticks at or after `from` on this line.
    fn closing_backticks(&mut self, line: &Range<usize>, from: usize, len: usize) -> Option<usize> {
        if self.backticks.as_ref().map(|(start, _)| *start) != Some(line.start) {
            self.backticks = Some((line.start, backtick_runs(self.src, line.clone())));
        }
        let positions = self.backticks.as_ref()?.1.get(&len)?;
        let k = positions.partition_point(|&p| p < from);
        positions.get(k).copied()
    }

    fn open_bracket(&mut self, i: usize, image: bool) {
        self.brackets.push(self.toks.len());
        self.toks.push(Tok::Bracket {
            src: i,
            image,
            matched: false,
        });
    }

    /// `]`: closes `[text](url)`, `[text][ref]` or `![alt](url)`; otherwise text.
    fn close_bracket(&mut self, i: usize, end: usize) -> usize {
        let opener = self.brackets.pop();
        let bytes = self.src.as_bytes();
        let target_end = match bytes.get(i + 1) {
            Some(b'(') => link_destination_end(bytes, i + 1, end),
            Some(b'[') => bytes
                .get(i + 2..end.min(i + 2 + MAX_LINK_DEST))
                .and_then(|s| s.iter().position(|&b| b == b']'))
                .map(|p| i + 2 + p),
            _ => None,
        };
        match (opener, target_end) {
            (Some(o), Some(close)) => {
                let image = match self.toks.get_mut(o) {
                    Some(Tok::Bracket { image, matched, .. }) => {
                        *matched = true;
                        *image
                    }
                    _ => false,
                };
                if image {
                    self.toks.push(Tok::ImageEnd);
                }
                close + 1
            }
            _ => {
                self.toks.push(Tok::Text(i..i + 1));
                i + 1
            }
        }
    }

    /// `<`: an HTML comment, an autolink, an HTML tag, or a plain `<`.
    fn angle(&mut self, i: usize, end: usize) -> usize {
        let rest = self.src.get(i..end).unwrap_or_default();
        if let Some(comment) = rest.strip_prefix("<!--") {
            // Unclosed comments were cut off at the line level already.
            return comment.find("-->").map_or(end, |p| i + 4 + p + 3);
        }
        if let Some(inner) = autolink(rest) {
            self.toks.push(Tok::Text(i + 1..i + 1 + inner));
            return i + inner + 2;
        }
        match html_tag(rest) {
            Some((len, tag)) => {
                if tag.name == "br" && tag.open {
                    let c = if self.mode == Mode::Paragraph {
                        '\n'
                    } else {
                        ' '
                    };
                    self.toks.push(Tok::Char(c, i));
                } else if tag.tracked() {
                    self.toks.push(Tok::Tag(tag));
                }
                i + len
            }
            None => {
                self.toks.push(Tok::Text(i..i + 1));
                i + 1
            }
        }
    }

    fn entity(&mut self, i: usize, end: usize) -> usize {
        let rest = self.src.get(i..end).unwrap_or_default();
        match decode_entity(rest) {
            Some((len, c)) => {
                self.toks.push(Tok::Char(c, i));
                i + len
            }
            None => {
                self.toks.push(Tok::Text(i..i + 1));
                i + 1
            }
        }
    }
}

/// Whether a run of `len` × `ch` can open / close emphasis; `None` = plain text.
fn delimiter_flanking(
    ch: u8,
    len: usize,
    before: Option<char>,
    after: Option<char>,
) -> Option<(bool, bool)> {
    let alnum = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    if ch == b'_' && (len >= 3 || (alnum(before) && alnum(after))) {
        return None; // a template blank, or snake_case
    }
    if ch == b'*' && (len >= 4 || (digit(before) && digit(after))) {
        return None; // a masked number (6222****1234) or a product 2*3
    }
    let blank = |c: Option<char>| c.is_none_or(char::is_whitespace);
    let can_open = !blank(after);
    let can_close = !blank(before);
    (can_open || can_close).then_some((can_open, can_close))
}

/// Pair emphasis delimiters within one block, CommonMark's stack algorithm
/// minus the punctuation-based flanking rules (see the module docs).
fn pair_delimiters(delims: &mut [Delim]) {
    let mut stacks: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    for k in 0..delims.len() {
        let Some(closer) = delims.get(k) else {
            continue;
        };
        let stack = &mut stacks[usize::from(closer.ch == b'_')];
        let mut remaining = closer.len;
        if closer.can_close {
            while remaining > 0 {
                let Some(depth) = find_opener(delims, stack, k) else {
                    break;
                };
                // Openers above the match can no longer close anything: text.
                for o in stack.drain(depth + 1..) {
                    if let Some(d) = delims.get_mut(o) {
                        d.literal += std::mem::take(&mut d.waiting);
                    }
                }
                let Some(&o) = stack.last() else {
                    break;
                };
                let waiting = delims.get(o).map_or(0, |d| d.waiting);
                let used = if remaining >= 2 && waiting >= 2 { 2 } else { 1 };
                if let Some(opener) = delims.get_mut(o) {
                    opener.waiting -= used;
                    if used == 2 {
                        opener.open_strong += 1;
                    } else {
                        opener.open_em += 1;
                    }
                    if opener.waiting == 0 {
                        stack.pop();
                    }
                }
                if let Some(closer) = delims.get_mut(k) {
                    if used == 2 {
                        closer.close_strong += 1;
                    } else {
                        closer.close_em += 1;
                    }
                }
                remaining -= used;
            }
        }
        if let Some(d) = delims.get_mut(k) {
            if remaining > 0 && d.can_open {
                d.waiting = remaining;
                stack.push(k);
            } else {
                d.literal += remaining;
            }
        }
    }
    for o in stacks.into_iter().flatten() {
        if let Some(d) = delims.get_mut(o) {
            d.literal += std::mem::take(&mut d.waiting);
        }
    }
}

/// Position in `stack` of the nearest opener the closer `k` may pair with.
/// CommonMark's "rule of three" keeps `*a**` style runs from mispairing.
fn find_opener(delims: &[Delim], stack: &[usize], k: usize) -> Option<usize> {
    let closer = delims.get(k)?;
    let floor = stack.len().saturating_sub(MAX_OPENER_SEARCH);
    let candidates = stack.get(floor..)?;
    let found = candidates.iter().rposition(|&o| {
        delims.get(o).is_some_and(|opener| {
            let both = closer.can_open || opener.can_close;
            let sum = opener.len + closer.len;
            !(both && sum % 3 == 0 && !(opener.len % 3 == 0 && closer.len % 3 == 0))
        })
    });
    found.map(|p| floor + p)
}

/// How far down the opener stack a closer looks; bounds the work on
/// pathological input (thousands of unmatched `*`) to linear time.
const MAX_OPENER_SEARCH: usize = 64;

fn backtick_runs(src: &str, line: Range<usize>) -> HashMap<usize, Vec<usize>> {
    let bytes = src.as_bytes().get(line.clone()).unwrap_or_default();
    let mut runs: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i) == Some(&b'`') {
            let len = bytes
                .get(i..)
                .unwrap_or_default()
                .iter()
                .take_while(|&&b| b == b'`')
                .count();
            runs.entry(len).or_default().push(line.start + i);
            i += len;
        } else {
            i += 1;
        }
    }
    runs
}

/// CommonMark strips one space on each side of code span content when both exist.
fn trim_one_space(src: &str, r: Range<usize>) -> Range<usize> {
    let s = src.get(r.clone()).unwrap_or_default();
    if s.len() >= 2 && s.starts_with(' ') && s.ends_with(' ') && !s.trim().is_empty() {
        r.start + 1..r.end - 1
    } else {
        r
    }
}

/// The index of the `)` closing a link destination that starts at `open` (`(`).
fn link_destination_end(bytes: &[u8], open: usize, end: usize) -> Option<usize> {
    let limit = end.min(open + MAX_LINK_DEST);
    let mut depth = 0usize;
    for (p, &b) in bytes.get(open..limit)?.iter().enumerate() {
        match b {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + p);
                }
            }
            _ => {}
        }
    }
    None
}

/// `<https://…>` or `<a@b.c>`: the byte length of what is between the brackets.
fn autolink(rest: &str) -> Option<usize> {
    let window = rest.as_bytes().get(1..rest.len().min(MAX_LINK_DEST))?;
    let inner_len = window.iter().position(|&b| b == b'>')?;
    let inner = rest.get(1..1 + inner_len)?;
    if inner.is_empty() || inner.contains(|c: char| c.is_whitespace() || c == '<') {
        return None;
    }
    let scheme = inner.split(':').next().unwrap_or_default();
    let is_uri = inner.contains(':')
        && (2..=32).contains(&scheme.len())
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c));
    let is_email = !inner.contains(':')
        && inner.split('@').count() == 2
        && inner.split('@').all(|p| !p.is_empty())
        && inner.contains('.');
    (is_uri || is_email).then_some(inner_len)
}

impl Tag {
    /// Tags that can carry emphasis, or close one, are tracked; others just vanish.
    fn tracked(&self) -> bool {
        (self.open || self.closing)
            && matches!(
                self.name.as_str(),
                "u" | "b" | "strong" | "ins" | "mark" | "span" | "font"
            )
    }
}

/// Parse an HTML tag at the start of `rest`: its byte length and what it is.
fn html_tag(rest: &str) -> Option<(usize, Tag)> {
    let bytes = rest.as_bytes();
    let closing = bytes.get(1) == Some(&b'/');
    let name_start = if closing { 2 } else { 1 };
    if !bytes.get(name_start)?.is_ascii_alphabetic() {
        return None;
    }
    let name_len = bytes
        .get(name_start..)?
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
        .count();
    let after_name = name_start + name_len;
    if !matches!(bytes.get(after_name), Some(b'>' | b'/' | b' ' | b'\t')) {
        return None;
    }
    let window = bytes.get(after_name..bytes.len().min(after_name + MAX_TAG))?;
    let gt = window.iter().position(|&b| b == b'>' || b == b'<')?;
    if window.get(gt) != Some(&b'>') {
        return None;
    }
    let attributes = rest.get(after_name..after_name + gt)?.to_ascii_lowercase();
    if closing && !attributes.trim().is_empty() {
        return None;
    }
    let name = rest.get(name_start..after_name)?.to_ascii_lowercase();
    let self_closing = attributes.trim_end().ends_with('/');
    let emphatic = match name.as_str() {
        "u" | "b" | "strong" | "ins" | "mark" => true,
        "span" | "font" => style_is_emphatic(&attributes),
        _ => false,
    };
    let tag = Tag {
        emphatic: emphatic && !closing && !self_closing,
        open: !closing && !self_closing,
        closing,
        name,
    };
    Some((after_name + gt + 1, tag))
}

/// `style="text-decoration: underline"`, `font-weight: bold` / 600–900.
fn style_is_emphatic(attributes: &str) -> bool {
    let compact: String = attributes.chars().filter(|c| !c.is_whitespace()).collect();
    compact.contains("underline")
        || compact.contains("font-weight:bold")
        || ["600", "700", "800", "900"]
            .iter()
            .any(|w| compact.contains(&format!("font-weight:{w}")))
}

/// `&amp;`, `&nbsp;`, `&#8220;`, `&#x4E00;` at the start of `rest`.
fn decode_entity(rest: &str) -> Option<(usize, char)> {
    let window = rest.as_bytes().get(1..rest.len().min(34))?;
    let body_len = window.iter().position(|&b| b == b';')?;
    let body = rest.get(1..1 + body_len)?;
    let c = if let Some(num) = body.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) if (1..=6).contains(&hex.len()) => u32::from_str_radix(hex, 16).ok()?,
            Some(_) => return None,
            None if (1..=7).contains(&num.len()) => num.parse().ok()?,
            None => return None,
        };
        char::from_u32(code).filter(|&c| c != '\0')?
    } else {
        // One table for Markdown and HTML; in Markdown every space entity is a plain space.
        let c = super::html::named_entity(body)?;
        if c.is_whitespace() {
            ' '
        } else {
            c
        }
    };
    Some((body_len + 2, c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn md(s: &str) -> Normalised {
        strip_and_normalise(s)
    }

    fn emphasised(n: &Normalised) -> Vec<&str> {
        n.emphasis.iter().map(|r| &n.text[r.clone()]).collect()
    }

    fn headings(n: &Normalised) -> Vec<(u8, &str)> {
        n.headings
            .iter()
            .map(|h| (h.level, &n.text[h.range.clone()]))
            .collect()
    }

    /// The source text a normalised range came from.
    fn source_of<'a>(src: &'a str, n: &Normalised, needle: &str) -> &'a str {
        let d = n.text.find(needle).expect("needle in text");
        let start = n.map.to_source(d);
        let last = n.text[..d + needle.len()].char_indices().last().unwrap().0;
        let last_src = n.map.to_source(last);
        let end = last_src + src[last_src..].chars().next().unwrap().len_utf8();
        &src[start..end]
    }

    #[test]
    fn bold_around_chinese_quotes_is_emphasis_despite_flanking_rules() {
        let n = md("本协议**“最终解释权”**归甲方所有。");
        assert_eq!(n.text, "本协议“最终解释权”归甲方所有。");
        assert_eq!(emphasised(&n), ["“最终解释权”"]);
    }

    #[test]
    fn bold_inside_a_chinese_sentence_is_emphasis() {
        let src = "对于因此造成的损失，本合同**不承担任何责任**。";
        let n = md(src);
        assert_eq!(n.text, "对于因此造成的损失,本合同不承担任何责任。");
        assert_eq!(emphasised(&n), ["不承担任何责任"]);
        assert_eq!(source_of(src, &n, "不承担任何责任"), "不承担任何责任");
        let r = n.emphasis[0].clone();
        assert_eq!(n.map.to_source(r.start), src.find("不承担").unwrap());
    }

    #[test]
    fn underscore_bold_and_several_spans() {
        let n = md("__甲方__，与**乙方**约定，**本条**有效");
        assert_eq!(n.text, "甲方,与乙方约定,本条有效");
        assert_eq!(emphasised(&n), ["甲方", "乙方", "本条"]);
        // Between two CJK characters `__` is a short blank, as in `snake_case`.
        let n = md("借款金额__元，期限__个月");
        assert_eq!(n.text, "借款金额__元,期限__个月");
        assert!(n.emphasis.is_empty());
    }

    #[test]
    fn triple_asterisks_are_bold_italic() {
        let n = md("***重要提示***：请仔细阅读");
        assert_eq!(n.text, "重要提示:请仔细阅读");
        assert_eq!(emphasised(&n), ["重要提示"]);
    }

    #[test]
    fn italic_markers_are_stripped_but_not_emphasis() {
        let n = md("这是*斜体*和_另一种_写法");
        assert_eq!(n.text, "这是斜体和_另一种_写法");
        assert!(n.emphasis.is_empty());
        let n = md("an *italic* and _also italic_ word");
        assert_eq!(n.text, "an italic and also italic word");
        assert!(n.emphasis.is_empty());
    }

    #[test]
    fn underscores_in_words_and_blanks_stay_text() {
        let src = "借款金额：人民币____元，变量 snake_case_name 与 a_b_c，签字____。";
        let n = md(src);
        assert_eq!(
            n.text,
            "借款金额:人民币____元,变量 snake_case_name 与 a_b_c,签字____。"
        );
        assert!(n.emphasis.is_empty());
        assert_eq!(md("____").text, "____");
        assert_eq!(md("______\n").text, "______\n");
    }

    #[test]
    fn stray_asterisks_stay_text() {
        assert_eq!(md("卡号6222****1234").text, "卡号6222****1234");
        assert_eq!(md("2*3*4 = 24").text, "2*3*4 = 24");
        assert_eq!(md("利率 * 天数").text, "利率 * 天数");
        assert_eq!(md("注*：见附件").text, "注*:见附件");
        assert!(md("卡号6222****1234").emphasis.is_empty());
    }

    #[test]
    fn a_stray_star_does_not_swallow_later_bold() {
        let n = md("利率*见附件，**不承担**");
        assert_eq!(emphasised(&n), ["不承担"]);
        assert_eq!(n.text, "利率*见附件,不承担");
    }

    #[test]
    fn emphasis_never_crosses_a_blank_line() {
        let n = md("**甲方\n\n乙方**");
        assert!(n.emphasis.is_empty());
        assert_eq!(n.text, "**甲方\n\n乙方**");
    }

    #[test]
    fn emphasis_does_not_pair_across_clauses() {
        let n = md("第一条 **借款\n第二条 还款**\n（一）利息**不承担**");
        assert_eq!(n.text, "第一条 **借款\n第二条 还款**\n(一)利息不承担");
        assert_eq!(emphasised(&n), ["不承担"]);
    }

    #[test]
    fn emphasis_may_span_a_soft_line_break() {
        let n = md("**甲方不承担\n任何责任**。");
        assert_eq!(n.text, "甲方不承担\n任何责任。");
        assert_eq!(emphasised(&n), ["甲方不承担\n任何责任"]);
    }

    #[test]
    fn html_emphasis_tags() {
        let n =
            md("<u>贷款人不承担责任</u>，<b>粗</b><strong>强</strong><ins>插</ins><mark>标</mark>");
        assert_eq!(n.text, "贷款人不承担责任,粗强插标");
        assert_eq!(emphasised(&n), ["贷款人不承担责任", "粗强插标"]);
        let n = md(
            r#"<span style="text-decoration: underline">下划线</span><span class="x">普通</span>"#,
        );
        assert_eq!(n.text, "下划线普通");
        assert_eq!(emphasised(&n), ["下划线"]);
        let n = md(
            r#"<span style="font-weight:700">粗</span>和<em>斜</em>与<font color="red">红</font>"#,
        );
        assert_eq!(n.text, "粗和斜与红");
        assert_eq!(emphasised(&n), ["粗"]);
    }

    #[test]
    fn unclosed_html_emphasis_ends_with_its_paragraph() {
        let n = md("<u>甲方\n乙方\n\n丙方");
        assert_eq!(n.text, "甲方\n乙方\n\n丙方");
        assert_eq!(emphasised(&n), ["甲方\n乙方"]);
    }

    #[test]
    fn less_than_signs_that_are_not_tags_stay() {
        let n = md("年化利率<24%，a < b，<不是标签>");
        assert_eq!(n.text, "年化利率<24%,a < b,<不是标签>");
    }

    #[test]
    fn atx_headings_are_stripped_and_recorded() {
        let n = md("# 个人借款合同\n\n## 第一条 借款金额 ##\n正文\n###第二条 利率\n#1 不是标题");
        assert_eq!(
            n.text,
            "个人借款合同\n\n第一条 借款金额\n正文\n第二条 利率\n#1 不是标题"
        );
        assert_eq!(
            headings(&n),
            [
                (1, "个人借款合同"),
                (2, "第一条 借款金额"),
                (3, "第二条 利率")
            ]
        );
    }

    #[test]
    fn emphasis_inside_a_heading_is_kept() {
        let n = md("## **第五条** 免责");
        assert_eq!(n.text, "第五条 免责");
        assert_eq!(headings(&n), [(2, "第五条 免责")]);
        assert_eq!(emphasised(&n), ["第五条"]);
    }

    #[test]
    fn setext_headings() {
        let n = md("借款合同\n====\n甲方\n---\n- 项目\n---\n");
        assert_eq!(n.text, "借款合同\n\n甲方\n\n项目\n\n");
        assert_eq!(headings(&n), [(1, "借款合同"), (2, "甲方")]);
    }

    #[test]
    fn links_images_and_references() {
        let n = md("详见[贷款人官网](https://example.com/a_(b))及![logo](a.png)与[条款][ref]，[注1]。\n[ref]: https://example.com\n");
        assert_eq!(n.text, "详见贷款人官网及与条款,[注1]。\n\n");
        let n = md("<https://example.com/x?a=1> 或 <kefu@example.com>");
        assert_eq!(n.text, "https://example.com/x?a=1 或 kefu@example.com");
    }

    #[test]
    fn code_keeps_its_text() {
        let n = md("使用 `**字段**` 表示\n```text\n**不是强调** <u>原样</u>\n```\n后文");
        assert_eq!(
            n.text,
            "使用 **字段** 表示\n\n**不是强调** <u>原样</u>\n\n后文"
        );
        assert!(n.emphasis.is_empty());
        assert_eq!(md("``a`b`` 与 `未闭合").text, "a`b 与 `未闭合");
    }

    #[test]
    fn block_markers_are_removed_but_numbers_kept() {
        let n = md(
            "> 注意：\n> > 嵌套\n- 第一项\n* 第二项\n+ 第三项\n1. 借款金额\n2) 利率\n　　缩进段落",
        );
        assert_eq!(
            n.text,
            "注意:\n嵌套\n第一项\n第二项\n第三项\n1. 借款金额\n2) 利率\n缩进段落"
        );
    }

    #[test]
    fn tables_become_spaced_lines() {
        let n = md("| 项目 | 金额 |\n|:---|---:|\n| 本金 | 10,000元 |\n| 费用 \\| 其他 | 0 |\n\n后文|不是表格");
        let lines: Vec<&str> = n.text.lines().map(str::trim).collect();
        assert_eq!(
            lines,
            [
                "项目   金额",
                "",
                "本金   10,000元",
                "费用 | 其他   0",
                "",
                "后文|不是表格"
            ]
        );
    }

    #[test]
    fn html_comments_vanish_even_over_several_lines() {
        let n = md("甲<!-- 注释 -->乙\n<!-- 第九条 已删除\n\n最终解释权归甲方\n-->丙\n丁");
        assert_eq!(n.text, "甲乙\n\n\n\n丙\n丁");
    }

    #[test]
    fn backslash_escapes() {
        let n = md(r"\*不是强调\* \_也不是\_ \# 不是标题 a\b 行尾\");
        assert_eq!(n.text, r"*不是强调* _也不是_ # 不是标题 a\b 行尾");
        assert!(n.emphasis.is_empty());
    }

    #[test]
    fn entities_are_decoded() {
        let n = md("A&amp;B&nbsp;C &lt;x&gt; &#20013;&#x6587; &copy; &bogus; & done");
        assert_eq!(n.text, "A&B C <x> 中文 © &bogus; & done");
    }

    #[test]
    fn front_matter_is_dropped() {
        let n = md("---\ntitle: 借款合同\n---\n正文");
        assert_eq!(n.text, "\n\n\n正文");
        let n = md("---\n正文");
        assert_eq!(n.text, "\n正文");
        let n = md("---\n第一条 借款\n---\n第二条");
        assert_eq!(n.text, "\n第一条 借款\n\n第二条");
    }

    #[test]
    fn full_width_text_is_normalised_and_mapped() {
        let src = "**年化利率：２４％**\r\n";
        let n = md(src);
        assert_eq!(n.text, "年化利率:24%\n");
        assert_eq!(emphasised(&n), ["年化利率:24%"]);
        assert_eq!(source_of(src, &n, "24%"), "２４％");
        assert_eq!(
            n.map.to_source(n.text.find('\n').unwrap()),
            src.find('\r').unwrap()
        );
    }

    #[test]
    fn line_structure_follows_the_source() {
        for src in ["a\r\nb\rc\n", "# x\n\n```\ny\n```\n| a |\n|---|\n"] {
            let n = md(src);
            let source_lines =
                src.split(['\n']).count() + src.matches('\r').count() - src.matches("\r\n").count();
            assert_eq!(n.text.split('\n').count(), source_lines, "{src:?}");
        }
    }

    #[test]
    fn empty_and_blank_input() {
        assert_eq!(md("").text, "");
        assert_eq!(md("  \n\t\n").text, "\n\n");
        assert_eq!(md("**").text, "**");
        assert_eq!(md("[").text, "[");
        assert_eq!(md("<").text, "<");
        assert_eq!(md("&").text, "&");
        assert_eq!(md("`").text, "`");
        assert_eq!(md(">").text, "");
        assert_eq!(md("#").text, "");
    }

    #[test]
    fn pathological_delimiters_stay_fast() {
        let src = " *a".repeat(200_000) + &"b** ".repeat(1000);
        let start = std::time::Instant::now();
        let n = md(&src);
        assert!(n.text.len() > 400_000);
        assert!(start.elapsed().as_secs() < 20);
        let src = "`".repeat(3) + &"x` ``y ".repeat(100_000);
        assert!(md(&src).text.len() > 100_000);
    }

    fn markdown_char() -> impl Strategy<Value = char> {
        prop::sample::select(vec![
            '*', '_', '`', '[', ']', '(', ')', '!', '<', '>', '/', '&', ';', '#', '|', '-', '\\',
            '\n', '\r', ' ', 'u', 'b', 'a', '甲', '，', '（', '\u{3000}', '\u{200B}', '=', '1',
            '.',
        ])
    }

    proptest! {
        #[test]
        fn map_is_monotone_and_points_at_the_producing_char(
            chars in prop::collection::vec(markdown_char(), 0..80)
        ) {
            let src: String = chars.into_iter().collect();
            let n = md(&src);
            let mut last = 0;
            for (d, c) in n.text.char_indices() {
                let s = n.map.to_source(d);
                prop_assert!(src.is_char_boundary(s), "{s} in {src:?}");
                prop_assert!(s >= last, "not monotone at {d} in {src:?}");
                last = s;
                let origin = src[s..].chars().next().unwrap();
                let produced = super::super::normalize::normalise_char(origin);
                // Besides the char itself: line breaks, table pipes as spaces,
                // decoded entities (at their `&`) and `<br>` (at its `<`).
                let ok = produced == Some(c)
                    || (c == '\n' && matches!(origin, '\r' | '\n' | '<'))
                    || (c == ' ' && matches!(origin, '|' | '<' | '&'))
                    || origin == '&';
                prop_assert!(ok, "{c:?} from {origin:?} at {s} in {src:?} -> {:?}", n.text);
            }
            prop_assert_eq!(n.map.to_source(n.text.len()), src.len());
            for r in n.emphasis.iter().chain(n.headings.iter().map(|h| &h.range)) {
                prop_assert!(r.start < r.end && r.end <= n.text.len());
                prop_assert!(n.text.is_char_boundary(r.start) && n.text.is_char_boundary(r.end));
            }
            for w in n.emphasis.windows(2) {
                prop_assert!(w[0].end < w[1].start);
            }
        }
    }
}
