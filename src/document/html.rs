//! HTML (the form lending apps show agreements in): the visible text, with emphasis and
//! headings, mapped back to the source bytes.
//!
//! A lenient hand-written tokenizer rather than a full HTML5 tree builder: it only needs
//! text, a handful of tags and inline styles, and it must map every character it emits to
//! the byte it came from. Tag soup is fine: unclosed tags close with their parent, stray
//! end tags are ignored, an unterminated tag or comment swallows the rest (as browsers do).
//!
//! What counts:
//! - hidden: `<head>`, `<script>`, `<style>`, `<template>`, `<noscript>`, comments, elements
//!   with the `hidden` attribute or `display:none` / `visibility:hidden`, inline or from a
//!   `<style>` block rule;
//! - line breaks: block elements (p, div, li, h1–h6, tr, table, section…) start and end a
//!   line, `<br>` is a line break; table cells on one row are separated by a tab;
//! - white space collapses as in a browser, except inside `<pre>`;
//! - emphasis: `<b>`, `<strong>`, `<u>`, `<ins>`, `<mark>`, `<font color>` with a colour, and
//!   inline styles `font-weight: bold|600+`, `text-decoration: underline`, a chromatic
//!   `color` or `background(-color)` (red, #c00, rgb(200,0,0); black, white and greys are
//!   not emphasis); `<i>`/`<em>` are italics, not emphasis;
//! - `<style>` blocks: rules with simple selectors (`.cls`, `tag.cls`, `.a.b`, `tag`, `*`,
//!   comma lists) apply the same properties as inline styles to the elements they match;
//!   selectors with combinators, ids, attributes or pseudo-classes are ignored, and a rule
//!   only adds emphasis or hides (a later `font-weight: normal` does not undo a `<b>`);
//!   linked stylesheets are not fetched;
//! - headings (h1–h6) are recorded for clause segmentation.

use super::markdown::merge_ranges;
use super::normalize::{Heading, Normalised, TextBuilder};
use std::ops::Range;

pub(crate) fn strip_and_normalise(source: &str) -> Normalised {
    let mut reader = Reader::new(source);
    reader.run();
    reader.finish()
}

/// How far back an end tag looks for its start tag, so unclosed tags cannot make it quadratic.
const MAX_TAG_SEARCH: usize = 64;

#[derive(Debug)]
struct Element {
    name: String,
    hidden: bool,
    emphatic: bool,
    block: bool,
    heading: Option<u8>,
    pre: bool,
}

struct Reader<'a> {
    src: &'a str,
    sheet: StyleSheet,
    out: TextBuilder,
    stack: Vec<Element>,
    hidden: usize,
    emphatic: usize,
    pre: usize,
    /// A collapsed run of white space waiting for the next text (its source offset).
    pending_space: Option<usize>,
    /// A line break (`\n`) or cell separator (`\t`) waiting for the next text.
    pending_break: Option<(usize, char)>,
    at_line_start: bool,
    emphasis: Vec<Range<usize>>,
    headings: Vec<Heading>,
    /// The open heading: its level and where its text starts (once it has some).
    heading: Option<(u8, Option<usize>)>,
}

impl<'a> Reader<'a> {
    fn new(src: &'a str) -> Self {
        Reader {
            src,
            sheet: StyleSheet::from_page(src),
            out: TextBuilder::with_capacity(src.len()),
            stack: Vec::new(),
            hidden: 0,
            emphatic: 0,
            pre: 0,
            pending_space: None,
            pending_break: None,
            at_line_start: true,
            emphasis: Vec::new(),
            headings: Vec::new(),
            heading: None,
        }
    }

    fn run(&mut self) {
        let src = self.src;
        let mut i = 0;
        while let Some(rest) = src.get(i..).filter(|r| !r.is_empty()) {
            if rest.starts_with('<') {
                if let Some(next) = self.markup(i) {
                    i = next.max(i + 1);
                    continue;
                }
            }
            if rest.starts_with('&') {
                if let Some((c, len)) = entity(rest) {
                    self.text_char(c, i);
                    i += len;
                    continue;
                }
            }
            let Some(c) = rest.chars().next() else { break };
            if c == '\r' && rest.as_bytes().get(1) == Some(&b'\n') {
                i += 1; // `\r\n` is one line break (it only matters inside <pre>)
                continue;
            }
            self.text_char(c, i);
            i += c.len_utf8();
        }
    }

    fn finish(self) -> Normalised {
        let (text, map) = self.out.finish(self.src.len());
        Normalised {
            text,
            map,
            emphasis: merge_ranges(self.emphasis),
            headings: self.headings,
        }
    }

    /// Handle markup starting at `<` at byte `i`; the offset after it, or `None` when the
    /// `<` is just text.
    fn markup(&mut self, i: usize) -> Option<usize> {
        let src = self.src;
        let rest = src.get(i..)?;
        let bytes = rest.as_bytes();
        if rest.starts_with("<!--") {
            return Some(find_after(src, i + 4, "-->"));
        }
        match bytes.get(1) {
            Some(b'!' | b'?') => Some(find_after(src, i + 2, ">")),
            Some(b'/') if bytes.get(2).is_some_and(u8::is_ascii_alphabetic) => {
                let tag = parse_tag(src, i + 2);
                self.end_tag(&tag.name, i);
                Some(tag.end)
            }
            Some(b) if b.is_ascii_alphabetic() => {
                let tag = parse_tag(src, i + 1);
                Some(self.start_tag(&tag, i))
            }
            _ => None,
        }
    }

    fn start_tag(&mut self, tag: &Tag, at: usize) -> usize {
        let name = tag.name.as_str();
        if name == "body" || (self.is_open("head") && !is_head_content(name)) {
            self.close("head", at);
        }
        self.close_implied_by(name, at);
        match name {
            "br" => self.hard_break(at),
            "td" | "th" => self.separator(at, '\t'),
            _ if is_block(name) => self.separator(at, '\n'),
            _ => {}
        }
        if is_raw_text(name) {
            return self.raw_text(tag);
        }
        if is_void(name) || tag.self_closing {
            return tag.end;
        }
        let style = style_of(tag).or(self.sheet.style_for(name, tag.attr("class")));
        let element = Element {
            name: tag.name.clone(),
            hidden: matches!(name, "head" | "template")
                || tag.attr("hidden").is_some()
                || style.hidden,
            emphatic: matches!(name, "b" | "strong" | "u" | "ins" | "mark")
                || style.emphatic
                || (name == "font" && tag.attr("color").is_some_and(is_chromatic)),
            block: is_block(name),
            heading: heading_level(name),
            pre: matches!(name, "pre" | "listing"),
        };
        self.open(element);
        tag.end
    }

    fn open(&mut self, element: Element) {
        self.hidden += usize::from(element.hidden);
        self.emphatic += usize::from(element.emphatic);
        self.pre += usize::from(element.pre);
        if let Some(level) = element.heading {
            if self.hidden == 0 && self.heading.is_none() {
                self.heading = Some((level, None));
            }
        }
        self.stack.push(element);
    }

    fn end_tag(&mut self, name: &str, at: usize) {
        match name {
            "br" => self.hard_break(at),
            "p" if !self.is_open("p") => self.separator(at, '\n'),
            _ => self.close(name, at),
        }
    }

    /// Close the innermost open `name` and everything opened inside it.
    fn close(&mut self, name: &str, at: usize) {
        let Some(index) = self.find_open(name) else {
            return;
        };
        while self.stack.len() > index {
            let Some(element) = self.stack.pop() else {
                break;
            };
            self.hidden -= usize::from(element.hidden);
            self.emphatic -= usize::from(element.emphatic);
            self.pre -= usize::from(element.pre);
            if element.heading.is_some() {
                self.end_heading();
            }
            if element.block {
                self.separator(at, '\n');
            }
        }
    }

    fn find_open(&self, name: &str) -> Option<usize> {
        let floor = self.stack.len().saturating_sub(MAX_TAG_SEARCH);
        let recent = self.stack.get(floor..)?;
        recent
            .iter()
            .rposition(|e| e.name == name)
            .map(|i| floor + i)
    }

    fn is_open(&self, name: &str) -> bool {
        self.find_open(name).is_some()
    }

    /// The end tags HTML leaves out: a block closes an open `<p>`, `<li>` the previous
    /// item, a cell the previous cell, a row the previous row.
    fn close_implied_by(&mut self, name: &str, at: usize) {
        let open_since = |this: &Self, target: &str, boundaries: &[&str]| {
            this.find_open(target).filter(|&i| {
                !this
                    .stack
                    .get(i + 1..)
                    .unwrap_or_default()
                    .iter()
                    .any(|e| boundaries.contains(&e.name.as_str()))
            })
        };
        if is_block(name) && self.stack.last().is_some_and(|e| e.name == "p") {
            self.close("p", at);
        }
        let implied = match name {
            "li" => open_since(self, "li", &["ul", "ol"]).map(|_| "li"),
            "td" | "th" => open_since(self, "td", &["tr", "table"])
                .map(|_| "td")
                .or_else(|| open_since(self, "th", &["tr", "table"]).map(|_| "th")),
            "tr" => open_since(self, "tr", &["table"]).map(|_| "tr"),
            "dt" | "dd" => open_since(self, "dd", &["dl"])
                .map(|_| "dd")
                .or_else(|| open_since(self, "dt", &["dl"]).map(|_| "dt")),
            _ => None,
        };
        if let Some(target) = implied {
            self.close(target, at);
        }
    }

    /// `<script>`, `<style>`… : skip to the matching end tag (their content is not markup).
    /// `<textarea>` and `<xmp>` content is shown, as text.
    fn raw_text(&mut self, tag: &Tag) -> usize {
        let src = self.src;
        let body_start = tag.end;
        let close = find_end_tag(src, body_start, &tag.name);
        let visible = matches!(tag.name.as_str(), "textarea" | "xmp");
        if visible && self.hidden == 0 {
            let body = src.get(body_start..close).unwrap_or_default();
            for (k, c) in body.char_indices() {
                self.text_char(c, body_start + k);
            }
        }
        if close >= src.len() {
            return src.len();
        }
        parse_tag(src, close + 2).end
    }

    fn end_heading(&mut self) {
        let Some((level, Some(start))) = self.heading.take() else {
            return;
        };
        let text = self.out.text();
        let end = text
            .get(start..)
            .and_then(|t| t.find('\n'))
            .map_or(text.len(), |n| start + n);
        let line = text.get(start..end).unwrap_or_default();
        let trimmed_end = start + line.trim_end().len();
        if trimmed_end > start {
            self.headings.push(Heading {
                range: start..trimmed_end,
                level,
            });
        }
    }

    fn text_char(&mut self, c: char, src: usize) {
        if self.hidden > 0 {
            return;
        }
        if self.pre == 0 && matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}') {
            if self.pending_break.is_none() && !self.at_line_start {
                self.pending_space.get_or_insert(src);
            }
            return;
        }
        self.flush_pending();
        let start = self.out.len();
        self.out.push_char(c, src);
        self.at_line_start = c == '\n' || c == '\r';
        let end = self.out.len();
        if end > start && !c.is_whitespace() {
            if let Some((_, heading_start @ None)) = &mut self.heading {
                *heading_start = Some(start);
            }
            if self.emphatic > 0 {
                match self.emphasis.last_mut() {
                    Some(last) if last.end == start => last.end = end,
                    _ => self.emphasis.push(start..end),
                }
            }
        }
    }

    fn flush_pending(&mut self) {
        if let Some((src, sep)) = self.pending_break.take() {
            self.pending_space = None;
            if !self.at_line_start {
                self.out.push_exact(sep, src);
                self.at_line_start = sep == '\n';
            }
        }
        if let Some(src) = self.pending_space.take() {
            if !self.at_line_start {
                self.out.push_exact(' ', src);
            }
        }
    }

    /// A line break (`\n`) or cell separator (`\t`) before the next text, if any comes.
    fn separator(&mut self, at: usize, sep: char) {
        if self.hidden > 0 {
            return;
        }
        match self.pending_break {
            Some((_, '\n')) => {}
            Some((src, _)) if sep == '\n' => self.pending_break = Some((src, '\n')),
            Some(_) => {}
            None => self.pending_break = Some((at, sep)),
        }
    }

    /// `<br>`: a line break now (two in a row leave a blank line).
    fn hard_break(&mut self, at: usize) {
        if self.hidden > 0 {
            return;
        }
        self.pending_space = None;
        if let Some((src, '\n')) = self.pending_break.take() {
            if !self.at_line_start {
                self.out.push_exact('\n', src);
            }
        }
        self.out.push_exact('\n', at);
        self.at_line_start = true;
    }
}

#[derive(Debug, Default)]
struct Tag {
    /// Lower-case.
    name: String,
    /// `(lower-case name, raw value)`.
    attrs: Vec<(String, String)>,
    self_closing: bool,
    /// Offset after the closing `>` (the end of the source if there is none).
    end: usize,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parse a tag whose name starts at `start` (after `<` or `</`).
fn parse_tag(src: &str, start: usize) -> Tag {
    let bytes = src.as_bytes();
    let is_name_end = |b: u8| b.is_ascii_whitespace() || b == b'>' || b == b'/';
    let mut i = start;
    while bytes.get(i).is_some_and(|&b| !is_name_end(b)) {
        i += 1;
    }
    let mut tag = Tag {
        name: src.get(start..i).unwrap_or_default().to_ascii_lowercase(),
        ..Tag::default()
    };
    loop {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        match bytes.get(i) {
            None => {
                tag.end = src.len();
                return tag;
            }
            Some(b'>') => {
                tag.end = i + 1;
                return tag;
            }
            Some(b'/') => {
                tag.self_closing = bytes.get(i + 1) == Some(&b'>');
                i += 1;
                continue;
            }
            Some(_) => {}
        }
        let name_start = i;
        while bytes
            .get(i)
            .is_some_and(|&b| !(b.is_ascii_whitespace() || matches!(b, b'>' | b'=' | b'/')))
        {
            i += 1;
        }
        if i == name_start {
            i += 1; // a stray `=`: skip it
            continue;
        }
        let name = src
            .get(name_start..i)
            .unwrap_or_default()
            .to_ascii_lowercase();
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let mut value = String::new();
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            let (v, next) = attr_value(src, i);
            value = v.to_string();
            i = next;
        }
        tag.attrs.push((name, value));
    }
}

/// An attribute value at `i` (quoted or not) and the offset after it.
fn attr_value(src: &str, i: usize) -> (&str, usize) {
    let bytes = src.as_bytes();
    match bytes.get(i) {
        Some(&q @ (b'"' | b'\'')) => {
            let body = i + 1;
            match bytes
                .get(body..)
                .and_then(|r| r.iter().position(|&b| b == q))
            {
                Some(n) => (src.get(body..body + n).unwrap_or_default(), body + n + 1),
                None => (src.get(body..).unwrap_or_default(), src.len()),
            }
        }
        _ => {
            let mut j = i;
            while bytes
                .get(j)
                .is_some_and(|&b| !(b.is_ascii_whitespace() || b == b'>'))
            {
                j += 1;
            }
            (src.get(i..j).unwrap_or_default(), j)
        }
    }
}

/// The offset after the first `needle` at or after `from`; the end of `src` if none.
fn find_after(src: &str, from: usize, needle: &str) -> usize {
    src.get(from..)
        .and_then(|r| r.find(needle))
        .map_or(src.len(), |n| from + n + needle.len())
}

/// Where `</name` (any case) starts at or after `from`; the end of `src` if nowhere.
fn find_end_tag(src: &str, from: usize, name: &str) -> usize {
    let bytes = src.as_bytes();
    let mut i = from;
    while let Some(n) = bytes
        .get(i..)
        .and_then(|r| r.iter().position(|&b| b == b'<'))
    {
        let at = i + n;
        let candidate = bytes.get(at + 2..at + 2 + name.len());
        let after = bytes.get(at + 2 + name.len());
        if bytes.get(at + 1) == Some(&b'/')
            && candidate.is_some_and(|c| c.eq_ignore_ascii_case(name.as_bytes()))
            && after.is_none_or(|&b| b.is_ascii_whitespace() || b == b'>' || b == b'/')
        {
            return at;
        }
        i = at + 1;
    }
    src.len()
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Style {
    hidden: bool,
    emphatic: bool,
}

impl Style {
    /// Hidden or emphatic if either says so.
    fn or(self, other: Style) -> Style {
        Style {
            hidden: self.hidden || other.hidden,
            emphatic: self.emphatic || other.emphatic,
        }
    }
}

/// What an inline `style` attribute says about visibility and emphasis.
fn style_of(tag: &Tag) -> Style {
    tag.attr("style").map_or_else(Style::default, declarations)
}

/// Stylesheet rules beyond this many are ignored (each start tag is matched against all).
const MAX_CSS_RULES: usize = 2000;

/// A simple selector: an optional tag name (lower-case) and classes that must all be set.
#[derive(Debug, PartialEq, Eq)]
struct Selector {
    tag: Option<String>,
    classes: Vec<String>,
}

impl Selector {
    /// `p`, `.key`, `span.key.red`, `*`; `None` for anything else (`div p`, `#id`, `a:hover`).
    fn parse(s: &str) -> Option<Selector> {
        let s = s.trim();
        let is_ident = |t: &str| {
            !t.is_empty()
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        let mut parts = s.split('.');
        let tag = parts.next()?;
        let classes: Vec<String> = parts.map(str::to_string).collect();
        if !classes.iter().all(|c| is_ident(c)) || (tag.is_empty() && classes.is_empty()) {
            return None;
        }
        let tag = match tag {
            "" | "*" => None,
            t if is_ident(t) => Some(t.to_ascii_lowercase()),
            _ => return None,
        };
        Some(Selector { tag, classes })
    }

    fn matches(&self, name: &str, classes: &[&str]) -> bool {
        self.tag.as_deref().is_none_or(|t| t == name)
            && self.classes.iter().all(|c| classes.contains(&c.as_str()))
    }
}

/// The rules of a page's `<style>` blocks that hide or emphasise.
#[derive(Debug, Default)]
struct StyleSheet {
    rules: Vec<(Selector, Style)>,
}

impl StyleSheet {
    fn from_page(src: &str) -> StyleSheet {
        let mut sheet = StyleSheet::default();
        for css in style_blocks(src) {
            sheet.add(css);
        }
        sheet
    }

    /// Add the rules of one stylesheet. At-rule wrappers (`@media print { … }`) are looked
    /// through: the rules inside them count as if unconditional.
    fn add(&mut self, css: &str) {
        let css = strip_css_comments(css);
        for block in css.split('}') {
            let Some((selectors, body)) = block.rsplit_once('{') else {
                continue;
            };
            let style = declarations(body);
            if style == Style::default() {
                continue;
            }
            let selectors = selectors.rsplit('{').next().unwrap_or_default();
            for selector in selectors.split(',').filter_map(Selector::parse) {
                if self.rules.len() >= MAX_CSS_RULES {
                    return;
                }
                self.rules.push((selector, style));
            }
        }
    }

    fn style_for(&self, name: &str, class: Option<&str>) -> Style {
        if self.rules.is_empty() {
            return Style::default();
        }
        let classes: Vec<&str> = class.map_or_else(Vec::new, |c| c.split_whitespace().collect());
        self.rules
            .iter()
            .filter(|(selector, _)| selector.matches(name, &classes))
            .fold(Style::default(), |acc, (_, style)| acc.or(*style))
    }
}

/// The contents of the page's `<style>` elements.
fn style_blocks(src: &str) -> Vec<&str> {
    let mut blocks = Vec::new();
    let mut from = 0;
    while let Some(at) = find_start_tag(src, from, "style") {
        let tag = parse_tag(src, at + 1);
        let close = find_end_tag(src, tag.end, "style");
        blocks.extend(src.get(tag.end..close));
        from = close.max(at + 1);
    }
    blocks
}

/// Where `<name` (any case, followed by a tag-name end) starts at or after `from`.
fn find_start_tag(src: &str, from: usize, name: &str) -> Option<usize> {
    let bytes = src.as_bytes();
    let mut i = from;
    while let Some(n) = bytes.get(i..)?.iter().position(|&b| b == b'<') {
        let at = i + n;
        let candidate = bytes.get(at + 1..at + 1 + name.len());
        let after = bytes.get(at + 1 + name.len());
        if candidate.is_some_and(|c| c.eq_ignore_ascii_case(name.as_bytes()))
            && after.is_none_or(|&b| b.is_ascii_whitespace() || b == b'>' || b == b'/')
        {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

fn strip_css_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(rest.get(..start).unwrap_or_default());
        rest = rest
            .get(start + 2..)
            .and_then(|r| r.find("*/").and_then(|end| r.get(end + 2..)))
            .unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// What CSS declarations (`a: b; c: d`) say about visibility and emphasis.
fn declarations(css: &str) -> Style {
    let mut style = Style::default();
    for declaration in css.split(';') {
        let Some((property, value)) = declaration.split_once(':') else {
            continue;
        };
        let property = property.trim().to_ascii_lowercase();
        let value = value.to_ascii_lowercase();
        let value = value.trim().trim_end_matches("!important").trim();
        match property.as_str() {
            "display" if value == "none" => style.hidden = true,
            "visibility" if matches!(value, "hidden" | "collapse") => style.hidden = true,
            "font-weight" if is_bold_weight(value) => style.emphatic = true,
            "text-decoration" | "text-decoration-line" if value.contains("underline") => {
                style.emphatic = true
            }
            "color" | "background-color" if is_chromatic(value) => style.emphatic = true,
            "background" if value.split_whitespace().any(is_chromatic) => style.emphatic = true,
            _ => {}
        }
    }
    style
}

fn is_bold_weight(value: &str) -> bool {
    matches!(value, "bold" | "bolder") || value.parse::<u32>().is_ok_and(|w| w >= 600)
}

/// A colour that stands out from body text: not black, white, grey or transparent.
pub(crate) fn is_chromatic(value: &str) -> bool {
    let value = value.trim().to_ascii_lowercase();
    if let Some(hex) = value.strip_prefix('#') {
        return rgb_from_hex(hex).is_some_and(saturated);
    }
    if let Some(args) = value
        .strip_prefix("rgba(")
        .or_else(|| value.strip_prefix("rgb("))
    {
        return rgb_from_function(args).is_some_and(saturated);
    }
    if let Some(args) = value
        .strip_prefix("hsla(")
        .or_else(|| value.strip_prefix("hsl("))
    {
        let parts: Vec<f32> = numbers(args);
        return matches!(parts.as_slice(), [_, s, l, ..] if *s >= 25.0 && (15.0..=92.0).contains(l));
    }
    const NEUTRAL: &[&str] = &[
        "black",
        "white",
        "gray",
        "grey",
        "silver",
        "darkgray",
        "darkgrey",
        "dimgray",
        "dimgrey",
        "lightgray",
        "lightgrey",
        "gainsboro",
        "whitesmoke",
        "snow",
        "ivory",
        "transparent",
        "inherit",
        "initial",
        "unset",
        "revert",
        "currentcolor",
        "none",
        "auto",
        "windowtext",
        "canvastext",
        "",
    ];
    value.chars().all(|c| c.is_ascii_alphabetic()) && !NEUTRAL.contains(&value.as_str())
}

fn saturated((r, g, b): (u8, u8, u8)) -> bool {
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    max - min >= 64
}

fn rgb_from_hex(hex: &str) -> Option<(u8, u8, u8)> {
    let digit = |i: usize| {
        hex.get(i..i + 1)
            .and_then(|d| u8::from_str_radix(d, 16).ok())
    };
    match hex.len() {
        3 | 4 => Some((digit(0)? * 17, digit(1)? * 17, digit(2)? * 17)),
        6 | 8 => {
            let pair = |i: usize| {
                hex.get(i..i + 2)
                    .and_then(|p| u8::from_str_radix(p, 16).ok())
            };
            Some((pair(0)?, pair(2)?, pair(4)?))
        }
        _ => None,
    }
}

fn rgb_from_function(args: &str) -> Option<(u8, u8, u8)> {
    let percent = args.contains('%');
    let parts = numbers(args);
    let channel = |v: f32| {
        let v = if percent { v * 2.55 } else { v };
        v.clamp(0.0, 255.0) as u8
    };
    match parts.as_slice() {
        [r, g, b, ..] => Some((channel(*r), channel(*g), channel(*b))),
        _ => None,
    }
}

/// The numbers in a CSS function's arguments (`200, 0, 0)`, `0 100% 50% / .5)`).
fn numbers(args: &str) -> Vec<f32> {
    args.split(|c: char| c == ',' || c == '/' || c == ')' || c.is_whitespace())
        .filter_map(|p| p.trim_end_matches(['%', 'd', 'e', 'g']).parse().ok())
        .collect()
}

/// An entity at the start of `s` (which starts with `&`): the character and its length.
fn entity(s: &str) -> Option<(char, usize)> {
    let body = s.get(1..)?;
    if let Some(num) = body.strip_prefix('#') {
        let (digits, radix, skip) = match num.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16, 3),
            None => (num, 10, 2),
        };
        let len = digits
            .bytes()
            .take(8)
            .take_while(|b| b.is_ascii_alphanumeric() && char::from(*b).is_digit(radix))
            .count();
        let value = u32::from_str_radix(digits.get(..len)?, radix).ok()?;
        let c = char::from_u32(value)
            .filter(|&c| c != '\0')
            .unwrap_or('\u{FFFD}');
        let semicolon = usize::from(digits.as_bytes().get(len) == Some(&b';'));
        return Some((c, skip + len + semicolon));
    }
    let len = body
        .bytes()
        .take(10)
        .take_while(u8::is_ascii_alphanumeric)
        .count();
    if body.as_bytes().get(len) != Some(&b';') {
        return None;
    }
    let c = named_entity(body.get(..len)?)?;
    Some((c, len + 2))
}

/// The character a named entity (`amp`, `nbsp`, `ldquo`…) stands for.
pub(super) fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{A0}',
        "ensp" => '\u{2002}',
        "emsp" => '\u{2003}',
        "thinsp" => '\u{2009}',
        "ideographicspace" => '\u{3000}',
        "zwsp" | "ZeroWidthSpace" => '\u{200B}',
        "shy" => '\u{AD}',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "middot" => '·',
        "bull" => '•',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        "laquo" => '«',
        "raquo" => '»',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "yen" => '¥',
        "euro" => '€',
        "pound" => '£',
        "cent" => '¢',
        "times" => '×',
        "divide" => '÷',
        "deg" => '°',
        "plusmn" => '±',
        "permil" => '‰',
        "sect" => '§',
        "para" => '¶',
        "le" => '≤',
        "ge" => '≥',
        _ => return None,
    })
}

fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

fn is_block(name: &str) -> bool {
    heading_level(name).is_some()
        || matches!(
            name,
            "p" | "div"
                | "li"
                | "ul"
                | "ol"
                | "dl"
                | "dt"
                | "dd"
                | "tr"
                | "table"
                | "thead"
                | "tbody"
                | "tfoot"
                | "caption"
                | "section"
                | "article"
                | "aside"
                | "header"
                | "footer"
                | "nav"
                | "main"
                | "blockquote"
                | "pre"
                | "listing"
                | "hr"
                | "address"
                | "figure"
                | "figcaption"
                | "form"
                | "fieldset"
                | "legend"
                | "center"
                | "details"
                | "summary"
                | "body"
                | "html"
                | "option"
        )
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Elements whose content is not markup; all but `textarea` and `xmp` are never shown.
fn is_raw_text(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "title"
            | "noscript"
            | "iframe"
            | "noembed"
            | "noframes"
            | "textarea"
            | "xmp"
    )
}

fn is_head_content(name: &str) -> bool {
    matches!(
        name,
        "meta" | "link" | "title" | "style" | "script" | "base" | "noscript" | "template"
    )
}

/// The charset an HTML file declares in its first kilobytes (`<meta charset="gbk">` or
/// `content="text/html; charset=gb2312"`), if any.
pub(crate) fn declared_charset(bytes: &[u8]) -> Option<String> {
    let head = bytes.get(..1024).unwrap_or(bytes);
    let lower = head.to_ascii_lowercase();
    let at = lower.windows(8).position(|w| w == b"charset=")? + 8;
    let value: Vec<u8> = lower
        .get(at..)?
        .iter()
        .skip_while(|&&b| b == b'"' || b == b'\'')
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        .copied()
        .collect();
    String::from_utf8(value).ok().filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Document, Format};

    fn text(html: &str) -> String {
        strip_and_normalise(html).text
    }

    fn emphasised(html: &str) -> Vec<String> {
        let n = strip_and_normalise(html);
        n.emphasis
            .iter()
            .map(|r| n.text[r.clone()].to_string())
            .collect()
    }

    #[test]
    fn blocks_make_lines_and_white_space_collapses() {
        let html = "<html><head><title>借款合同</title><style>p{color:red}</style></head>\n\
                    <body>\n  <h1>借款合同</h1>\n  <p>第一条  借款金额\n   人民币10,000元。</p>\
                    <div>第二条 利率<br>年化利率24%</div></body></html>";
        assert_eq!(
            text(html),
            "借款合同\n第一条 借款金额 人民币10,000元。\n第二条 利率\n年化利率24%"
        );
    }

    #[test]
    fn hidden_content_is_dropped() {
        let html = "<p>可见</p><script>var a = '<p>不可见</p>';</script>\
                    <p hidden>隐藏一</p><div style=\"display: none\">隐藏二<b>粗</b></div>\
                    <span style='visibility:hidden'>隐藏三</span><!-- 注释 <p>x</p> -->\
                    <template><p>模板</p></template><noscript>请开启</noscript><p>末尾</p>";
        assert_eq!(text(html), "可见\n末尾");
    }

    #[test]
    fn emphasis_from_tags_and_inline_styles() {
        let html = "<p>甲<b>加粗</b>乙<strong>强调</strong>丙<u>下划线</u>丁<i>斜体</i>\
                    <span style=\"font-weight:700\">七百</span>\
                    <span style=\"font-weight: 400\">四百</span>\
                    <span style=\"text-decoration: underline\">线</span>\
                    <span style=\"color:#C00000\">红</span><span style=\"color: #333\">灰</span>\
                    <mark>标记</mark><font color=red>字</font>\
                    <span style=\"background-color: rgb(255, 255, 0)\">黄底</span></p>";
        assert_eq!(
            emphasised(html),
            ["加粗", "强调", "下划线", "七百", "线红", "标记字黄底"]
        );
    }

    #[test]
    fn stylesheet_classes_emphasise_and_hide() {
        let html = "<html><head><style>\n\
                    /* .gone { display: none } is a comment */\n\
                    .key { font-weight: 700 } span.line{text-decoration:underline}\n\
                    .red.big { color: #c00 } h2 { color: #333 } .plain { font-weight: normal }\n\
                    .gone, .also-gone { display:none } div p { font-weight: bold }\n\
                    @media print { .warn { background-color: yellow } }\n\
                    </style></head><body>\
                    <p>甲<span class=\"x key\">粗</span>乙<span class=\"line\">线</span>\
                    <i class=\"line\">斜</i><b class=\"red\">丙</b><span class=\"red\">丁</span>\
                    <span class=\"big red\">红</span><span class=\"warn\">黄</span></p>\
                    <h2>标题</h2><div><p class=plain>正文</p></div>\
                    <p class=\"gone\">隐一</p><p class=\"also-gone\">隐二</p><p>末</p>\
                    </body></html>";
        assert_eq!(text(html), "甲粗乙线斜丙丁红黄\n标题\n正文\n末");
        assert_eq!(emphasised(html), ["粗", "线", "丙", "红黄"]);
    }

    #[test]
    fn only_simple_selectors_are_understood() {
        let parse = Selector::parse;
        let sel = |tag: Option<&str>, classes: &[&str]| {
            Some(Selector {
                tag: tag.map(str::to_string),
                classes: classes.iter().map(|c| c.to_string()).collect(),
            })
        };
        assert_eq!(parse(" .key "), sel(None, &["key"]));
        assert_eq!(parse("SPAN.a.b-c"), sel(Some("span"), &["a", "b-c"]));
        assert_eq!(parse("p"), sel(Some("p"), &[]));
        assert_eq!(parse("*.x"), sel(None, &["x"]));
        for complex in [
            "div p", "#id", "a:hover", "p > b", "[hidden]", ".", "p.", "",
        ] {
            assert_eq!(parse(complex), None, "{complex}");
        }
    }

    #[test]
    fn emphasis_does_not_cross_lines() {
        let html = "<b><p>第一段</p><p>第二段</p></b>";
        assert_eq!(text(html), "第一段\n第二段");
        assert_eq!(emphasised(html), ["第一段", "第二段"]);
    }

    #[test]
    fn entities_are_decoded_and_map_to_their_source() {
        let html = "<p>A&amp;B&nbsp;&lt;3&#20154;&#x6C11;&unknown; &copy</p>";
        let n = strip_and_normalise(html);
        assert_eq!(n.text, "A&B <3人民&unknown; &copy");
        let at = n.text.find('人').unwrap();
        assert_eq!(n.map.to_source(at), html.find("&#20154;").unwrap());
    }

    #[test]
    fn headings_are_recorded() {
        let n = strip_and_normalise("<h2> 第五条 违约责任 </h2><p>正文</p>");
        assert_eq!(n.text, "第五条 违约责任\n正文");
        assert_eq!(n.headings.len(), 1);
        assert_eq!(n.headings[0].level, 2);
        assert_eq!(&n.text[n.headings[0].range.clone()], "第五条 违约责任");
    }

    #[test]
    fn tables_put_a_row_on_a_line_with_tab_separated_cells() {
        let html = "<table><tr><td>借款金额</td><td>人民币10,000元</td></tr>\
                    <tr><td>年化利率<td>24%</table>";
        assert_eq!(text(html), "借款金额\t人民币10,000元\n年化利率\t24%");
    }

    #[test]
    fn implied_end_tags_close_paragraphs_and_items() {
        let html = "<p>一<p>二<ul><li>甲<li>乙</ul>";
        assert_eq!(text(html), "一\n二\n甲\n乙");
    }

    #[test]
    fn pre_keeps_its_white_space() {
        assert_eq!(text("<pre>a  b\r\nc</pre>d"), "a  b\nc\nd");
    }

    #[test]
    fn tag_soup_never_panics_and_keeps_text() {
        for html in [
            "<",
            "<<<>>>",
            "</",
            "</>",
            "<p",
            "<p class=\"x",
            "<!--",
            "<script>",
            "a < b and c > d",
            "&#xFFFFFFFF;&#0;&#;&",
            "<b><i></b></i>粗",
            "<p =x>正文</p>",
            "<ｐ>全角</ｐ>",
            "<b>未闭合",
        ] {
            let n = strip_and_normalise(html);
            assert!(n.text.len() <= html.len() * 3, "{html}");
        }
        assert_eq!(text("a < b and c > d"), "a < b and c > d");
        assert_eq!(text("&#xFFFFFFFF;&#0;x"), "\u{FFFD}\u{FFFD}x");
        assert_eq!(text("<b><i></b></i>粗"), "粗");
        assert!(emphasised("<b><i></b></i>粗").is_empty());
    }

    #[test]
    fn many_unclosed_tags_stay_linear() {
        let html = "<span>".repeat(20_000) + "文" + &"</div>".repeat(20_000);
        assert_eq!(text(&html), "文");
    }

    #[test]
    fn document_spans_map_to_html_bytes() {
        let html = "<p>第一条 <b>贷款人不承担任何责任。</b></p>";
        let doc = Document::from_source("a.html", Format::Html, html.to_string(), 0);
        let at = doc.text.find("贷款人").unwrap();
        let r = doc.to_file(at..at + "贷款人不承担任何责任".len());
        assert_eq!(&html[r], "贷款人不承担任何责任");
        assert!(doc.is_emphasised(&(at..at + 3)));
        assert_eq!(doc.clauses.last().unwrap().number, "第一条");
    }

    #[test]
    fn declared_charset_is_found() {
        assert_eq!(
            declared_charset(b"<meta charset=\"GBK\"><p>x").as_deref(),
            Some("gbk")
        );
        assert_eq!(
            declared_charset(b"<meta http-equiv=Content-Type content='text/html; charset=gb2312'>")
                .as_deref(),
            Some("gb2312")
        );
        assert_eq!(declared_charset(b"<p>no charset</p>"), None);
    }

    #[test]
    fn chromatic_colours() {
        for c in [
            "red",
            "#f00",
            "#C00000",
            "rgb(200, 0, 0)",
            "rgba(0,0,255,.5)",
            "hsl(0, 100%, 40%)",
            "orange",
        ] {
            assert!(is_chromatic(c), "{c}");
        }
        for c in [
            "black",
            "#000",
            "#333333",
            "rgb(51,51,51)",
            "inherit",
            "transparent",
            "#fff",
            "hsl(0, 0%, 20%)",
        ] {
            assert!(!is_chromatic(c), "{c}");
        }
    }
}
