//! `word/styles.xml`: what paragraph and character styles (through their `basedOn` chains)
//! and the document defaults say about emphasis and numbering, so a clause set in a bold
//! style, or numbered by its "Heading" style, reads as Word shows it.

use super::{attr, is_emphatic_property, val, walk, DocxError, Ev};
use std::collections::HashMap;

/// `basedOn` chains longer than this are cut (they are a handful long; a cycle is not).
const MAX_CHAIN: usize = 32;

/// The run properties that show text as emphasised; `None` is "not said here".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct RunProps {
    bold: Option<bool>,
    underline: Option<bool>,
    colour: Option<bool>,
    highlight: Option<bool>,
    shading: Option<bool>,
    /// `w:vanish`: hidden text, not shown or printed.
    hidden: Option<bool>,
}

impl RunProps {
    /// Record a run property element (`w:b`, `w:u`, `w:color`, `w:highlight`, `w:shd`).
    pub(super) fn set(&mut self, e: &quick_xml::events::BytesStart<'_>) {
        let name = e.local_name();
        let slot = match name.as_ref() {
            b"b" => &mut self.bold,
            b"u" => &mut self.underline,
            b"color" => &mut self.colour,
            b"highlight" => &mut self.highlight,
            b"shd" => &mut self.shading,
            b"vanish" => {
                let off = matches!(val(e).as_deref(), Some("0" | "false" | "off"));
                self.hidden = Some(!off);
                return;
            }
            _ => return,
        };
        *slot = Some(is_emphatic_property(name.as_ref(), e));
    }

    /// These properties over `base`: what `self` says wins.
    fn over(self, base: RunProps) -> RunProps {
        RunProps {
            bold: self.bold.or(base.bold),
            underline: self.underline.or(base.underline),
            colour: self.colour.or(base.colour),
            highlight: self.highlight.or(base.highlight),
            shading: self.shading.or(base.shading),
            hidden: self.hidden.or(base.hidden),
        }
    }

    fn is_emphatic(self) -> bool {
        [
            self.bold,
            self.underline,
            self.colour,
            self.highlight,
            self.shading,
        ]
        .contains(&Some(true))
    }
}

#[derive(Debug, Clone, Default)]
struct StyleDef {
    based_on: Option<String>,
    run: RunProps,
    num_id: Option<String>,
    ilvl: Option<u8>,
}

/// Where the parser is inside `styles.xml`.
#[derive(Default)]
struct ParseState {
    in_defaults: bool,
    style: Option<(String, StyleDef)>,
    in_rpr: bool,
    in_ppr: bool,
}

#[derive(Debug, Default)]
pub(super) struct Styles {
    defs: HashMap<String, StyleDef>,
    /// `w:docDefaults/w:rPrDefault`.
    defaults: RunProps,
    /// The paragraph style marked `w:default="1"` (Word's "Normal").
    default_paragraph: Option<String>,
}

impl Styles {
    pub(super) fn parse(xml: &[u8]) -> Result<Styles, DocxError> {
        let mut styles = Styles::default();
        let mut state = ParseState::default();
        walk(xml, "word/styles.xml", |ev| match ev {
            Ev::Open(e) => styles.open(&mut state, &e, false),
            Ev::Empty(e) => styles.open(&mut state, &e, true),
            Ev::Close(name) => styles.close(&mut state, &name),
            Ev::Text(_) => {}
        })?;
        Ok(styles)
    }

    fn open(&mut self, state: &mut ParseState, e: &quick_xml::events::BytesStart<'_>, empty: bool) {
        match e.local_name().as_ref() {
            b"docDefaults" if !empty => state.in_defaults = true,
            b"style" if !empty => {
                let id = attr(e, b"styleId").unwrap_or_default();
                let is_default =
                    matches!(attr(e, b"default").as_deref(), Some("1" | "true" | "on"));
                if is_default && attr(e, b"type").as_deref() == Some("paragraph") {
                    self.default_paragraph = Some(id.clone());
                }
                state.style = Some((id, StyleDef::default()));
            }
            b"rPr" if !empty => state.in_rpr = true,
            b"pPr" if !empty => state.in_ppr = true,
            b"basedOn" => {
                if let Some((_, def)) = &mut state.style {
                    def.based_on = val(e);
                }
            }
            b"numId" if state.in_ppr => {
                if let Some((_, def)) = &mut state.style {
                    def.num_id = val(e);
                }
            }
            b"ilvl" if state.in_ppr => {
                if let Some((_, def)) = &mut state.style {
                    def.ilvl = val(e).and_then(|v| v.parse().ok());
                }
            }
            _ if state.in_rpr && !state.in_ppr => match &mut state.style {
                Some((_, def)) => def.run.set(e),
                None if state.in_defaults => self.defaults.set(e),
                None => {}
            },
            _ => {}
        }
    }

    fn close(&mut self, state: &mut ParseState, name: &[u8]) {
        match name {
            b"docDefaults" => state.in_defaults = false,
            b"rPr" => state.in_rpr = false,
            b"pPr" => state.in_ppr = false,
            b"style" => {
                if let Some((id, def)) = state.style.take() {
                    self.defs.insert(id, def);
                }
            }
            _ => {}
        }
    }

    /// A style and its ancestors, nearest first.
    fn chain<'a>(&'a self, id: Option<&'a str>) -> impl Iterator<Item = &'a StyleDef> + 'a {
        std::iter::successors(id.and_then(|id| self.defs.get(id)), move |def| {
            def.based_on.as_deref().and_then(|b| self.defs.get(b))
        })
        .take(MAX_CHAIN)
    }

    /// A style's run properties with what it inherits.
    fn run_of(&self, id: Option<&str>) -> RunProps {
        self.chain(id)
            .fold(RunProps::default(), |acc, def| acc.over(def.run))
    }

    /// The paragraph style in force: the one named, or the default paragraph style.
    fn paragraph_style<'a>(&'a self, named: Option<&'a str>) -> Option<&'a str> {
        named.or(self.default_paragraph.as_deref())
    }

    /// A run's effective properties: its direct ones over its character style over its
    /// paragraph's style over the document defaults.
    fn effective(
        &self,
        paragraph_style: Option<&str>,
        run_style: Option<&str>,
        direct: RunProps,
    ) -> RunProps {
        let paragraph = self.run_of(self.paragraph_style(paragraph_style));
        direct
            .over(self.run_of(run_style))
            .over(paragraph)
            .over(self.defaults)
    }

    /// Whether a run shows emphasised.
    pub(super) fn is_emphatic(
        &self,
        paragraph_style: Option<&str>,
        run_style: Option<&str>,
        direct: RunProps,
    ) -> bool {
        self.effective(paragraph_style, run_style, direct)
            .is_emphatic()
    }

    /// Whether a run is hidden text (`w:vanish`).
    pub(super) fn is_hidden(
        &self,
        paragraph_style: Option<&str>,
        run_style: Option<&str>,
        direct: RunProps,
    ) -> bool {
        self.effective(paragraph_style, run_style, direct).hidden == Some(true)
    }

    /// The `(numId, ilvl)` a paragraph style (or its ancestors) numbers its paragraphs with.
    pub(super) fn numbering(&self, paragraph_style: Option<&str>) -> (Option<String>, Option<u8>) {
        let chain = || self.chain(self.paragraph_style(paragraph_style));
        let num_id = chain().find_map(|d| d.num_id.clone());
        let ilvl = chain().find_map(|d| d.ilvl);
        (num_id, ilvl)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STYLES: &str = r#"<w:styles xmlns:w="w">
      <w:docDefaults><w:rPrDefault><w:rPr><w:color w:val="auto"/></w:rPr></w:rPrDefault></w:docDefaults>
      <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
      <w:style w:type="paragraph" w:styleId="Key"><w:basedOn w:val="Normal"/><w:rPr><w:b/></w:rPr></w:style>
      <w:style w:type="paragraph" w:styleId="KeyChild"><w:basedOn w:val="Key"/></w:style>
      <w:style w:type="paragraph" w:styleId="Article"><w:basedOn w:val="Normal"/>
        <w:pPr><w:numPr><w:numId w:val="3"/></w:numPr><w:rPr><w:b/></w:rPr></w:pPr></w:style>
      <w:style w:type="paragraph" w:styleId="Sub"><w:basedOn w:val="Article"/>
        <w:pPr><w:numPr><w:ilvl w:val="1"/></w:numPr></w:pPr></w:style>
      <w:style w:type="character" w:styleId="Red"><w:rPr><w:color w:val="C00000"/></w:rPr></w:style>
      <w:style w:type="paragraph" w:styleId="LoopA"><w:basedOn w:val="LoopB"/></w:style>
      <w:style w:type="paragraph" w:styleId="LoopB"><w:basedOn w:val="LoopA"/></w:style>
    </w:styles>"#;

    fn direct(xml: &str) -> RunProps {
        let mut props = RunProps::default();
        let mut reader = quick_xml::Reader::from_str(xml);
        while let Ok(quick_xml::events::Event::Empty(e)) = reader.read_event() {
            props.set(&e);
        }
        props
    }

    #[test]
    fn emphasis_is_inherited_through_based_on_and_can_be_switched_off() {
        let s = Styles::parse(STYLES.as_bytes()).unwrap();
        let none = RunProps::default();
        assert!(!s.is_emphatic(None, None, none));
        assert!(s.is_emphatic(Some("Key"), None, none));
        assert!(s.is_emphatic(Some("KeyChild"), None, none));
        assert!(!s.is_emphatic(Some("KeyChild"), None, direct(r#"<w:b w:val="0"/>"#)));
        assert!(s.is_emphatic(None, Some("Red"), none));
        assert!(s.is_emphatic(None, None, direct(r#"<w:u w:val="single"/>"#)));
        // The paragraph mark's bold (pPr/rPr) is not the text's.
        assert!(!s.is_emphatic(Some("Article"), None, none));
        assert!(!s.is_emphatic(Some("LoopA"), None, none));
    }

    #[test]
    fn hidden_text_from_vanish_in_styles_or_runs() {
        let s = Styles::parse(
            r#"<w:styles xmlns:w="w"><w:style w:type="character" w:styleId="Secret">
               <w:rPr><w:vanish/></w:rPr></w:style></w:styles>"#
                .as_bytes(),
        )
        .unwrap();
        let none = RunProps::default();
        assert!(!s.is_hidden(None, None, none));
        assert!(s.is_hidden(None, Some("Secret"), none));
        assert!(s.is_hidden(None, None, direct("<w:vanish/>")));
        assert!(!s.is_hidden(None, Some("Secret"), direct(r#"<w:vanish w:val="0"/>"#)));
    }

    #[test]
    fn numbering_comes_from_the_style_chain() {
        let s = Styles::parse(STYLES.as_bytes()).unwrap();
        assert_eq!(s.numbering(Some("Article")), (Some("3".into()), None));
        assert_eq!(s.numbering(Some("Sub")), (Some("3".into()), Some(1)));
        assert_eq!(s.numbering(None), (None, None));
        assert_eq!(s.numbering(Some("Missing")), (None, None));
    }
}
