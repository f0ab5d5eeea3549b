//! Name resolution and type checking: AST -> ir::RuleSet.
//!
//! The checker reports every problem it can find in one pass (a rule author should see all
//! of them at once) and avoids cascades: an expression that already produced an error gets
//! the type `Ty::Error`, which is accepted everywhere.

use super::ast::{self, BinderKind, Ident, RuleFile, Span};
use super::ir::{self, PatternId, Prop, RuleSet, Severity, Value};
use super::parser::parse_template_expr;
use super::regex_bounds;
use super::{Diagnostic, SourceFile};
use crate::concepts::{nearest, ConceptCatalogue};
use crate::span::LineIndex;
use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// `A within N of B`: farther than this is not "near" and would make the engine scan far.
const MAX_WITHIN: u32 = 10_000;

/// Regex flags a rule may use after the closing slash.
const REGEX_FLAGS: &str = "imsx";

/// Check parsed files (`(file index, ast)`) together. Returns the rule set when
/// there are no errors, and all diagnostics (errors and warnings).
pub fn check(
    files: &[SourceFile],
    parsed: &[(usize, RuleFile)],
    concepts: &ConceptCatalogue,
) -> (Option<RuleSet>, Vec<Diagnostic>) {
    let mut cx = Checker::new(files, concepts);
    for (file, ast) in parsed {
        cx.pack_header(*file, &ast.header);
    }
    for (file, ast) in parsed {
        cx.declarations(*file, ast);
    }
    for (file, ast) in parsed {
        cx.rules(*file, ast);
    }
    cx.warn_unused();
    cx.finish()
}

// ---------------------------------------------------------------- types

/// An enum type: the name users know it by, and its values.
#[derive(Debug, PartialEq, Eq)]
struct SymbolEnum {
    name: &'static str,
    values: &'static [&'static str],
}

static PERIOD: SymbolEnum = SymbolEnum {
    name: "period",
    values: &["annual", "monthly", "daily", "unknown"],
};

static RATE_KIND: SymbolEnum = SymbolEnum {
    name: "kind",
    values: &["interest", "overdue", "penalty", "fee", "other"],
};

static EVENT_KIND: SymbolEnum = SymbolEnum {
    name: "event kind",
    values: crate::log::EventKind::WORDS,
};

static PARTY: SymbolEnum = SymbolEnum {
    name: "party",
    values: crate::log::Party::WORDS,
};

static DIRECTION: SymbolEnum = SymbolEnum {
    name: "direction",
    values: crate::log::Direction::WORDS,
};

static OUTCOME: SymbolEnum = SymbolEnum {
    name: "outcome",
    values: crate::log::Outcome::WORDS,
};

static WEEKDAY: SymbolEnum = SymbolEnum {
    name: "weekday",
    values: &crate::log::schema::WEEKDAYS,
};

/// The enum whose values are exactly `values`: an `ir::Type::Symbol` read back from a
/// serialised rule set borrows the checker's static words again.
pub(crate) fn static_symbol_values(values: &[String]) -> Option<&'static [&'static str]> {
    [
        &PERIOD,
        &RATE_KIND,
        &EVENT_KIND,
        &PARTY,
        &DIRECTION,
        &OUTCOME,
        &WEEKDAY,
    ]
    .into_iter()
    .map(|e| e.values)
    .find(|known| known.len() == values.len() && known.iter().zip(values).all(|(a, b)| a == b))
}

/// The checker's view of a type: the IR types, plus the two states that exist only while
/// checking.
#[derive(Debug, Clone, PartialEq)]
enum Ty {
    Bool,
    Number,
    Percent,
    Money,
    Duration,
    Time,
    Date,
    Text,
    Symbol(&'static SymbolEnum),
    List(Box<Ty>),
    Binding(BinderKind),
    Document,
    Instant,
    /// A non-canonical log field: typed at run time.
    Dynamic,
    /// A bare name that is not a binder, param or `document`: a symbol if the other side of
    /// `==`, `!=` or `in` is an enum, else an unknown name.
    Bare(String),
    /// Already reported.
    Error,
}

impl Ty {
    /// A span of contract text (events are records, not spans).
    fn is_region(&self) -> bool {
        matches!(self, Ty::Binding(k) if *k != BinderKind::Event) || *self == Ty::Document
    }

    fn is_ordered(&self) -> bool {
        matches!(
            self,
            Ty::Number
                | Ty::Percent
                | Ty::Money
                | Ty::Duration
                | Ty::Time
                | Ty::Date
                | Ty::Instant
                | Ty::Dynamic
        )
    }

    fn is_summable(&self) -> bool {
        matches!(self, Ty::Number | Ty::Percent | Ty::Money | Ty::Duration)
    }

    /// A single value (not a list, binding or the document).
    fn is_scalar(&self) -> bool {
        !matches!(self, Ty::List(_) | Ty::Binding(_) | Ty::Document)
    }

    /// Same type for comparison and list membership (errors match anything).
    fn agrees(&self, other: &Ty) -> bool {
        match (self, other) {
            (Ty::Error, _) | (_, Ty::Error) => true,
            (Ty::Dynamic, b) | (b, Ty::Dynamic) => b.is_scalar(),
            (Ty::List(a), Ty::List(b)) => a.agrees(b),
            (a, b) => a == b,
        }
    }

    fn to_ir(&self) -> ir::Type {
        match self {
            Ty::Bool => ir::Type::Bool,
            Ty::Number => ir::Type::Number,
            Ty::Percent => ir::Type::Percent,
            Ty::Money => ir::Type::Money,
            Ty::Duration => ir::Type::Duration,
            Ty::Time => ir::Type::Time,
            Ty::Date => ir::Type::Date,
            Ty::Symbol(e) => ir::Type::Symbol(e.values.to_vec()),
            Ty::List(t) => ir::Type::List(Box::new(t.to_ir())),
            Ty::Binding(k) => ir::Type::Binding(*k),
            Ty::Document => ir::Type::Document,
            Ty::Instant => ir::Type::Instant,
            Ty::Dynamic => ir::Type::Dynamic,
            Ty::Text | Ty::Bare(_) | Ty::Error => ir::Type::Text,
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Bool => f.write_str("bool"),
            Ty::Number => f.write_str("number"),
            Ty::Percent => f.write_str("percent"),
            Ty::Money => f.write_str("money"),
            Ty::Duration => f.write_str("duration"),
            Ty::Time => f.write_str("time"),
            Ty::Date => f.write_str("date"),
            Ty::Text => f.write_str("text"),
            Ty::Symbol(e) => write!(f, "a `{}` value ({})", e.name, e.values.join(", ")),
            Ty::List(t) => write!(f, "a list of {t}"),
            Ty::Binding(k) => write!(f, "a {} binding", k.keyword()),
            Ty::Document => f.write_str("the document"),
            Ty::Instant => f.write_str("an instant"),
            Ty::Dynamic => f.write_str("a log field"),
            Ty::Bare(n) => write!(f, "the name `{n}`"),
            Ty::Error => f.write_str("an erroneous value"),
        }
    }
}

/// The properties of a binding of `kind` (`None`: the document).
fn properties(kind: Option<BinderKind>) -> Vec<(&'static str, Prop, Ty)> {
    let Some(kind) = kind else {
        return document_properties();
    };
    if kind == BinderKind::Event {
        return event_properties();
    }
    let mut props = vec![
        ("text", Prop::Text, Ty::Text),
        (
            "sentence",
            Prop::Sentence,
            Ty::Binding(BinderKind::Sentence),
        ),
        ("clause", Prop::Clause, Ty::Binding(BinderKind::Clause)),
        (
            "paragraph",
            Prop::Paragraph,
            Ty::Binding(BinderKind::Paragraph),
        ),
        ("emphasised", Prop::Emphasised, Ty::Bool),
    ];
    match kind {
        BinderKind::Clause => props.extend([
            ("number", Prop::Number, Ty::Text),
            ("title", Prop::Title, Ty::Text),
        ]),
        BinderKind::Rate => props.extend([
            ("value", Prop::Value, Ty::Percent),
            ("annualised", Prop::Annualised, Ty::Percent),
            ("period", Prop::Period, Ty::Symbol(&PERIOD)),
            ("kind", Prop::Kind, Ty::Symbol(&RATE_KIND)),
        ]),
        BinderKind::Money => props.extend([
            ("amount", Prop::Amount, Ty::Money),
            ("currency", Prop::Currency, Ty::Text),
        ]),
        BinderKind::Duration => props.push(("length", Prop::Length, Ty::Duration)),
        BinderKind::Date => props.push(("value", Prop::Value, Ty::Date)),
        BinderKind::Match
        | BinderKind::Sentence
        | BinderKind::Paragraph
        | BinderKind::Blank
        | BinderKind::Event => {}
    }
    props
}

/// The document's text and the loan it describes.
fn document_properties() -> Vec<(&'static str, Prop, Ty)> {
    vec![
        ("text", Prop::Text, Ty::Text),
        ("implied_apr", Prop::ImpliedApr, Ty::Percent),
        ("disclosed_apr", Prop::DisclosedApr, Ty::Percent),
        ("principal", Prop::Principal, Ty::Money),
        ("amount_received", Prop::AmountReceived, Ty::Money),
        ("upfront_fee", Prop::UpfrontFee, Ty::Money),
    ]
}

/// An event's canonical fields (`extra.NAME` reaches the others).
fn event_properties() -> Vec<(&'static str, Prop, Ty)> {
    vec![
        ("time", Prop::Time, Ty::Instant),
        ("local_time", Prop::LocalTime, Ty::Time),
        ("local_date", Prop::LocalDate, Ty::Date),
        ("weekday", Prop::Weekday, Ty::Symbol(&WEEKDAY)),
        ("kind", Prop::Kind, Ty::Symbol(&EVENT_KIND)),
        ("party", Prop::Party, Ty::Symbol(&PARTY)),
        ("direction", Prop::Direction, Ty::Symbol(&DIRECTION)),
        ("outcome", Prop::Outcome, Ty::Symbol(&OUTCOME)),
        ("text", Prop::Text, Ty::Text),
        ("id", Prop::Id, Ty::Text),
        ("debtor", Prop::Debtor, Ty::Text),
        ("account", Prop::Account, Ty::Text),
        ("to", Prop::To, Ty::Text),
        ("agent", Prop::Agent, Ty::Text),
        ("zone", Prop::Zone, Ty::Text),
        ("recorded", Prop::Recorded, Ty::Bool),
    ]
}

/// A checked expression: its IR, its type and where it is.
struct Typed {
    ir: ir::Expr,
    ty: Ty,
    span: Span,
}

impl Typed {
    fn error(span: Span) -> Typed {
        Typed {
            ir: ir::Expr::Const(Value::Bool(false)),
            ty: Ty::Error,
            span,
        }
    }
}

// ---------------------------------------------------------------- declarations

struct PackMeta {
    /// (value, file, span) of the first header that gave it.
    jurisdiction: Option<(String, usize, Span)>,
    version: Option<(String, usize, Span)>,
}

struct ParamInfo {
    /// Index into `RuleSet::params`.
    index: usize,
    ty: Ty,
    file: usize,
    span: Span,
    used: bool,
}

struct LexiconInfo {
    name: String,
    file: usize,
    span: Span,
    /// `None` when an entry was invalid (already reported).
    pattern: Option<ir::Pattern>,
    used: bool,
}

#[derive(Default)]
struct PackScope {
    params: Vec<(String, ParamInfo)>,
    lexicons: Vec<LexiconInfo>,
}

impl PackScope {
    fn param(&self, name: &str) -> Option<&ParamInfo> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, p)| p)
    }

    fn lexicon_index(&self, name: &str) -> Option<usize> {
        self.lexicons.iter().position(|l| l.name == name)
    }
}

/// A query binding visible in an expression.
struct Binder {
    name: String,
    slot: usize,
    kind: BinderKind,
    span: Span,
}

/// What the checker knows while inside one rule.
struct RuleCx {
    file: usize,
    pack: usize,
    slots: usize,
    slot_names: Vec<String>,
    scope: Vec<Binder>,
    params_read: BTreeSet<usize>,
    needs_emphasis: bool,
    /// Where the rule first reads a log record / contract text (a rule checks one of them).
    log_use: Option<Span>,
    contract_use: Option<Span>,
}

impl RuleCx {
    fn note_use(&mut self, log: bool, span: &Span) {
        let slot = if log {
            &mut self.log_use
        } else {
            &mut self.contract_use
        };
        slot.get_or_insert_with(|| span.clone());
    }
}

impl RuleCx {
    fn lookup(&self, name: &str) -> Option<&Binder> {
        self.scope.iter().rev().find(|b| b.name == name)
    }
}

struct Checker<'a> {
    files: &'a [SourceFile],
    lines: Vec<LineIndex>,
    concepts: &'a ConceptCatalogue,
    diags: Vec<Diagnostic>,
    set: RuleSet,
    /// Pack index of each file that has a header.
    pack_of_file: HashMap<usize, usize>,
    meta: Vec<PackMeta>,
    scopes: Vec<PackScope>,
    rule_ids: HashMap<String, (usize, Span)>,
    /// Regexes over `regex_bounds::LARGE_REGEX_SIZE` compiled, in all files so far.
    large_regexes: usize,
}

impl<'a> Checker<'a> {
    fn new(files: &'a [SourceFile], concepts: &'a ConceptCatalogue) -> Self {
        Checker {
            files,
            lines: files.iter().map(|f| LineIndex::new(&f.text)).collect(),
            concepts,
            diags: Vec::new(),
            set: RuleSet::default(),
            pack_of_file: HashMap::new(),
            meta: Vec::new(),
            scopes: Vec::new(),
            rule_ids: HashMap::new(),
            large_regexes: 0,
        }
    }

    fn finish(mut self) -> (Option<RuleSet>, Vec<Diagnostic>) {
        self.diags.sort_by_key(|d| (d.file, d.span.start));
        let failed = self
            .diags
            .iter()
            .any(|d| d.level == super::DiagLevel::Error);
        ((!failed).then_some(self.set), self.diags)
    }

    fn path(&self, file: usize) -> &str {
        self.files
            .get(file)
            .map_or("<unknown>", |f| f.path.as_str())
    }

    fn line(&self, file: usize, byte: usize) -> usize {
        match (self.files.get(file), self.lines.get(file)) {
            (Some(f), Some(ix)) => ix.line_col(&f.text, byte).0,
            _ => 1,
        }
    }

    fn origin(&self, file: usize, span: &Span) -> ir::Origin {
        ir::Origin {
            file: self.path(file).to_string(),
            line: self.line(file, span.start),
        }
    }

    /// "path:line" for pointing at a definition in another file.
    fn place(&self, file: usize, span: &Span) -> String {
        format!("{}:{}", self.path(file), self.line(file, span.start))
    }

    fn report(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Report a second definition: a secondary label when the first is in the same file,
    /// else a note saying where it is (labels cannot cross files).
    fn duplicate(&mut self, mut d: Diagnostic, first: (usize, &Span), what: &str) -> Diagnostic {
        if first.0 == d.file {
            d = d.with_other(first.1.clone(), format!("{what} first defined here"));
        } else {
            d = d.with_help(format!(
                "{what} is first defined at {}",
                self.place(first.0, first.1)
            ));
        }
        d
    }

    // ------------------------------------------------------------ packs

    fn pack_header(&mut self, file: usize, h: &ast::PackHeader) {
        let id = h.id.name.clone();
        let index = match self.set.packs.iter().position(|p| p.id == id) {
            Some(i) => i,
            None => {
                self.set.packs.push(ir::Pack {
                    id,
                    title: None,
                    version: None,
                    jurisdiction: None,
                    files: vec![],
                });
                self.meta.push(PackMeta {
                    jurisdiction: None,
                    version: None,
                });
                self.scopes.push(PackScope::default());
                self.set.packs.len() - 1
            }
        };
        self.pack_of_file.insert(file, index);
        let path = self.path(file).to_string();
        if let Some(pack) = self.set.packs.get_mut(index) {
            pack.files.push(path);
            if pack.title.is_none() {
                pack.title = h.title.as_ref().map(|t| t.value.clone());
            }
        }
        if let Some(j) = &h.jurisdiction {
            self.header_field(file, index, "jurisdiction", &j.name, &j.span);
        }
        if let Some(v) = &h.version {
            self.header_field(file, index, "version", &v.value, &v.span);
        }
    }

    /// Record a header field of a pack, or report a conflict with an earlier file.
    fn header_field(&mut self, file: usize, pack: usize, field: &str, value: &str, span: &Span) {
        let Some(meta) = self.meta.get_mut(pack) else {
            return;
        };
        let slot = if field == "jurisdiction" {
            &mut meta.jurisdiction
        } else {
            &mut meta.version
        };
        match slot {
            None => {
                *slot = Some((value.to_string(), file, span.clone()));
                if let Some(p) = self.set.packs.get_mut(pack) {
                    if field == "jurisdiction" {
                        p.jurisdiction = Some(value.to_string());
                    } else {
                        p.version = Some(value.to_string());
                    }
                }
            }
            Some((first, _, _)) if first == value => {}
            Some((first, first_file, first_span)) => {
                let (first, first_file, first_span) =
                    (first.clone(), *first_file, first_span.clone());
                let pack_id = self
                    .set
                    .packs
                    .get(pack)
                    .map(|p| p.id.clone())
                    .unwrap_or_default();
                let d = Diagnostic::error(
                    "LL008",
                    file,
                    span.clone(),
                    format!("pack `{pack_id}` is declared with {field} `{first}` elsewhere, and `{value}` here"),
                )
                .with_label(format!("{field} `{value}`"));
                let mut d =
                    self.duplicate(d, (first_file, &first_span), &format!("{field} `{first}`"));
                if d.help.is_none() {
                    d = d.with_help(format!(
                        "every file of a pack must give the same {field} (or none)"
                    ));
                }
                self.report(d);
            }
        }
    }

    // ------------------------------------------------------------ params and lexicons

    fn declarations(&mut self, file: usize, ast: &RuleFile) {
        let Some(&pack) = self.pack_of_file.get(&file) else {
            return;
        };
        for item in &ast.items {
            match item {
                ast::Item::Param(p) => self.param(file, pack, p),
                ast::Item::Lexicon(l) => self.lexicon(file, pack, l),
                ast::Item::Rule(_) => {}
            }
        }
    }

    /// The first definition of `name` among the pack's params and lexicons, if any.
    fn existing_decl(&self, pack: usize, name: &str) -> Option<(usize, Span)> {
        let scope = self.scopes.get(pack)?;
        if let Some(p) = scope.param(name) {
            return Some((p.file, p.span.clone()));
        }
        let l = scope.lexicons.get(scope.lexicon_index(name)?)?;
        Some((l.file, l.span.clone()))
    }

    fn report_duplicate_decl(&mut self, file: usize, name: &Ident, first: (usize, Span)) {
        let d = Diagnostic::error(
            "LL009",
            file,
            name.span.clone(),
            format!("`{}` is already defined in this pack", name.name),
        )
        .with_label("defined again here");
        let d = self.duplicate(d, (first.0, &first.1), &format!("`{}`", name.name));
        self.report(d);
    }

    fn param(&mut self, file: usize, pack: usize, p: &ast::ParamDecl) {
        if let Some(first) = self.existing_decl(pack, &p.name.name) {
            self.report_duplicate_decl(file, &p.name, first);
            return;
        }
        let Some((ty, value)) = self.param_value(file, p) else {
            return;
        };
        let index = self.set.params.len();
        self.set.params.push(ir::Param {
            pack,
            name: p.name.name.clone(),
            ty: ty.to_ir(),
            value,
            cite: p.cite.as_ref().map(|c| c.value.clone()),
            origin: self.origin(file, &p.span),
        });
        if let Some(scope) = self.scopes.get_mut(pack) {
            scope.params.push((
                p.name.name.clone(),
                ParamInfo {
                    index,
                    ty,
                    file,
                    span: p.name.span.clone(),
                    used: false,
                },
            ));
        }
    }

    /// The param's type and default value, if the default has the declared type.
    fn param_value(&mut self, file: usize, p: &ast::ParamDecl) -> Option<(Ty, Value)> {
        use ast::{Literal as L, ParamType as P};
        let typed = match (p.ty, &p.default) {
            (P::Percent, L::Percent(x)) => (Ty::Percent, Value::Percent(*x)),
            (P::Money, L::Money { amount, currency }) => (
                Ty::Money,
                Value::Money {
                    amount: *amount,
                    currency: currency.clone(),
                },
            ),
            (P::Duration, L::Duration(x)) => (Ty::Duration, Value::Duration(*x)),
            (P::Time, L::Time(x)) => (Ty::Time, Value::Time(*x)),
            (P::Date, L::Date { year, month, day }) => (
                Ty::Date,
                Value::Date {
                    year: *year,
                    month: *month,
                    day: *day,
                },
            ),
            (P::Number, L::Number(x)) => (Ty::Number, Value::Number(*x)),
            (P::Int, L::Number(x)) if x.fract().is_zero() => (Ty::Number, Value::Number(*x)),
            (P::Text, L::Text(s)) => (Ty::Text, Value::Text(s.clone())),
            (P::List, L::List(items)) => (
                Ty::List(Box::new(Ty::Text)),
                Value::List(items.iter().cloned().map(Value::Text).collect()),
            ),
            (declared, given) => {
                let d = Diagnostic::error(
                    "LL003",
                    file,
                    p.default_span.clone(),
                    format!(
                        "param `{}` is declared `{}` but its value is {}",
                        p.name.name,
                        param_type_name(declared),
                        literal_description(given)
                    ),
                )
                .with_label(format!("expected {}", param_type_name(declared)))
                .with_other(p.ty_span.clone(), "declared type");
                self.report(d);
                return None;
            }
        };
        Some(typed)
    }

    fn lexicon(&mut self, file: usize, pack: usize, l: &ast::LexiconDecl) {
        if let Some(first) = self.existing_decl(pack, &l.name.name) {
            self.report_duplicate_decl(file, &l.name, first);
            return;
        }
        let too_many = l.entries.len() > regex_bounds::MAX_LEXICON_ENTRIES;
        if too_many {
            self.report(
                Diagnostic::error(
                    "LL004",
                    file,
                    l.name.span.clone(),
                    format!(
                        "lexicon `{}` has {} entries, over the limit of {}",
                        l.name.name,
                        l.entries.len(),
                        regex_bounds::MAX_LEXICON_ENTRIES
                    ),
                )
                .with_label("too many entries")
                .with_help("split it into several lexicons, or match the common part with a regex"),
            );
        }
        // Declared all the same (without a pattern), so that its uses are not unknown names.
        let entries = if too_many { &[][..] } else { &l.entries[..] };
        let mut literals = Vec::new();
        let mut regexes = Vec::new();
        let mut valid = !too_many;
        for entry in entries {
            match entry {
                ast::LexEntry::Literal(s) => match self.literal_pattern(file, s) {
                    Some(text) => literals.push(text),
                    None => valid = false,
                },
                ast::LexEntry::Regex(r) => match self.regex(file, r) {
                    Some(src) => regexes.push(src),
                    None => valid = false,
                },
            }
        }
        let pattern = valid.then(|| ir::Pattern::Lexicon {
            name: l.name.name.clone(),
            literals,
            regexes,
        });
        if let Some(scope) = self.scopes.get_mut(pack) {
            scope.lexicons.push(LexiconInfo {
                name: l.name.name.clone(),
                file,
                span: l.name.span.clone(),
                pattern,
                used: false,
            });
        }
    }

    // ------------------------------------------------------------ patterns

    fn intern(&mut self, p: ir::Pattern) -> PatternId {
        match self.set.patterns.iter().position(|q| *q == p) {
            Some(i) => i,
            None => {
                self.set.patterns.push(p);
                self.set.patterns.len() - 1
            }
        }
    }

    fn literal_pattern(&mut self, file: usize, s: &ast::StrLit) -> Option<String> {
        if s.value.is_empty() {
            self.report(
                Diagnostic::error(
                    "LL004",
                    file,
                    s.span.clone(),
                    "an empty string matches everywhere",
                )
                .with_label("empty pattern"),
            );
            return None;
        }
        Some(s.value.clone())
    }

    /// Validate a regex literal; return its source with the flags applied.
    fn regex(&mut self, file: usize, lit: &ast::RegexLit) -> Option<String> {
        let flags_start = lit.span.end.saturating_sub(lit.flags.len());
        let mut flags = String::new();
        for (i, c) in lit.flags.char_indices() {
            if !REGEX_FLAGS.contains(c) {
                let at = flags_start + i;
                self.report(
                    Diagnostic::error("LL004", file, at..at + c.len_utf8(), format!("unknown regex flag `{c}`"))
                        .with_label("not a flag")
                        .with_help("flags: `i` ignore case, `m` multi-line, `s` `.` matches a line break, `x` verbose"),
                );
                return None;
            }
            if !flags.contains(c) {
                flags.push(c);
            }
        }
        let prefix = if flags.is_empty() {
            String::new()
        } else {
            format!("(?{flags})")
        };
        let full = format!("{prefix}{}", lit.pattern);
        // Parsing a regex is a third of loading the rules, and every run loads the built-in
        // packs: theirs are parsed, bounded and compiled by a test instead
        // (`builtin_regexes_compile`, which also requires each to match only non-empty text).
        let builtin = self
            .files
            .get(file)
            .is_some_and(|f| f.path.starts_with("<builtin>/"));
        if builtin {
            return Some(full);
        }
        // Parsed first for its errors' spans, which point into the pattern.
        if let Err(e) = regex_syntax::ParserBuilder::new()
            .nest_limit(regex_bounds::MAX_REGEX_NESTING)
            .build()
            .parse(&full)
        {
            self.report_regex_syntax(file, lit, prefix.len(), &e);
            return None;
        }
        // Bounded as the engine compiles it: after normalisation, with its size limit.
        let compiled = match regex_bounds::compile(&crate::document::normalise_regex_source(&full))
        {
            regex_bounds::Bounded::Fits { regex, large } => {
                if large && !self.count_large_regex(file, lit) {
                    return None;
                }
                Ok(regex)
            }
            regex_bounds::Bounded::TooBig => {
                self.report(
                    Diagnostic::error(
                        "LL004",
                        file,
                        lit.span.clone(),
                        format!(
                            "regex is too big: compiled, it exceeds the {} MiB size limit for one regex",
                            regex_bounds::MAX_REGEX_SIZE >> 20
                        ),
                    )
                    .with_label("too big once compiled")
                    .with_help(regex_bounds::SIMPLIFY_HELP),
                );
                return None;
            }
            regex_bounds::Bounded::Invalid(message) => Err(message),
        };
        match compiled {
            Err(e) => {
                self.report(
                    Diagnostic::error(
                        "LL004",
                        file,
                        lit.span.clone(),
                        format!("regex does not compile: {e}"),
                    )
                    .with_label("this regex"),
                );
                None
            }
            Ok(re) if re.is_match("") => {
                self.report(
                    Diagnostic::error(
                        "LL004",
                        file,
                        lit.span.clone(),
                        "this regex also matches empty text, so it would match everywhere",
                    )
                    .with_label("matches the empty string")
                    .with_help("make every part required, e.g. `a+` instead of `a*`"),
                );
                None
            }
            Ok(_) => Some(full),
        }
    }

    /// Count one more regex over the large size; report it (and return false) when there
    /// are more than the rule files together may have.
    fn count_large_regex(&mut self, file: usize, lit: &ast::RegexLit) -> bool {
        self.large_regexes += 1;
        if self.large_regexes <= regex_bounds::MAX_LARGE_REGEXES {
            return true;
        }
        self.report(
            Diagnostic::error(
                "LL004",
                file,
                lit.span.clone(),
                format!(
                    "too many large regexes: this is the {}th over {} MiB compiled, and all rule \
                     files together may have {} (they share one compiled pattern set)",
                    self.large_regexes,
                    regex_bounds::LARGE_REGEX_SIZE >> 20,
                    regex_bounds::MAX_LARGE_REGEXES
                ),
            )
            .with_label("one large regex too many")
            .with_help(regex_bounds::SIMPLIFY_HELP),
        );
        false
    }

    /// Point an LL004 into the regex, at the part regex-syntax complains about.
    fn report_regex_syntax(
        &mut self,
        file: usize,
        lit: &ast::RegexLit,
        prefix_len: usize,
        e: &regex_syntax::Error,
    ) {
        let (message, span, aux) = match e {
            regex_syntax::Error::Parse(e)
                if matches!(e.kind(), regex_syntax::ast::ErrorKind::NestLimitExceeded(_)) =>
            {
                let message = format!(
                    "regex nests groups, classes or repetitions more than {} deep (the nesting limit)",
                    regex_bounds::MAX_REGEX_NESTING
                );
                (message, *e.span(), None)
            }
            regex_syntax::Error::Parse(e) => {
                (e.kind().to_string(), *e.span(), e.auxiliary_span().cloned())
            }
            regex_syntax::Error::Translate(e) => (e.kind().to_string(), *e.span(), None),
            other => {
                let d = Diagnostic::error("LL004", file, lit.span.clone(), other.to_string())
                    .with_label("this regex");
                self.report(d);
                return;
            }
        };
        let map = self.regex_offsets(file, lit);
        let to_file = |offset: usize| {
            let in_pattern = offset.saturating_sub(prefix_len);
            map.get(in_pattern).copied().unwrap_or(lit.span.start)
        };
        let mut d = Diagnostic::error(
            "LL004",
            file,
            to_file(span.start.offset)..to_file(span.end.offset),
            message,
        )
        .with_label("here");
        if let Some(aux) = aux {
            d = d.with_other(
                to_file(aux.start.offset)..to_file(aux.end.offset),
                "first here",
            );
        }
        self.report(d);
    }

    /// File offset of each byte of a regex literal's pattern (after `\/` unescaping).
    fn regex_offsets(&self, file: usize, lit: &ast::RegexLit) -> Vec<usize> {
        let body_start = lit.span.start + 1;
        let body_end = lit.span.end.saturating_sub(lit.flags.len() + 1);
        let raw = self
            .files
            .get(file)
            .and_then(|f| f.text.get(body_start..body_end))
            .unwrap_or("");
        unescape_offsets(raw, body_start, |c| c == '/')
    }

    fn pattern(&mut self, rc: &mut RuleCx, p: &ast::Pattern) -> PatternId {
        match p {
            ast::Pattern::Regex(lit) => match self.regex(rc.file, lit) {
                Some(src) => self.intern(ir::Pattern::Regex(src)),
                None => 0,
            },
            ast::Pattern::Literal(s) => match self.literal_pattern(rc.file, s) {
                Some(text) => self.intern(ir::Pattern::Literal(text)),
                None => 0,
            },
            ast::Pattern::Lexicon(name) => self.lexicon_pattern(rc, name),
            ast::Pattern::Within {
                left,
                distance,
                distance_span,
                right,
                ..
            } => {
                let left = self.pattern(rc, left);
                let right = self.pattern(rc, right);
                if *distance > MAX_WITHIN {
                    self.report(
                        Diagnostic::error(
                            "LL003",
                            rc.file,
                            distance_span.clone(),
                            format!("`within` distance is at most {MAX_WITHIN} characters"),
                        )
                        .with_label("too far")
                        .with_help("to find two things in the same sentence or clause, use a query with `in`"),
                    );
                }
                self.intern(ir::Pattern::Within {
                    left,
                    distance: *distance,
                    right,
                })
            }
        }
    }

    fn lexicon_pattern(&mut self, rc: &mut RuleCx, name: &Ident) -> PatternId {
        let Some(scope) = self.scopes.get_mut(rc.pack) else {
            return 0;
        };
        if let Some(i) = scope.lexicon_index(&name.name) {
            let Some(lex) = scope.lexicons.get_mut(i) else {
                return 0;
            };
            lex.used = true;
            return match lex.pattern.clone() {
                Some(p) => self.intern(p),
                None => 0,
            };
        }
        if scope.param(&name.name).is_some() {
            let d = Diagnostic::error(
                "LL003",
                rc.file,
                name.span.clone(),
                format!("`{}` is a param, not a lexicon", name.name),
            )
            .with_label("not a pattern")
            .with_help("a pattern is a `/regex/`, a \"string\" or a lexicon; params can be overridden per run, so they cannot be patterns");
            self.report(d);
            return 0;
        }
        let names: Vec<&str> = scope.lexicons.iter().map(|l| l.name.as_str()).collect();
        let mut d = Diagnostic::error(
            "LL002",
            rc.file,
            name.span.clone(),
            format!("unknown lexicon `{}`", name.name),
        )
        .with_label("no lexicon of this name in the pack");
        d = match nearest(&name.name, names.iter().copied()) {
            Some(n) => d.with_help(format!("did you mean `{n}`?")),
            None => d.with_help("declare it with `lexicon NAME = [\"…\", /…/]`"),
        };
        self.report(d);
        0
    }

    // ------------------------------------------------------------ rules

    fn rules(&mut self, file: usize, ast: &RuleFile) {
        let Some(&pack) = self.pack_of_file.get(&file) else {
            return;
        };
        for item in &ast.items {
            if let ast::Item::Rule(r) = item {
                let unique = self.claim_rule_id(file, &r.id);
                if let Some(rule) = self.rule(file, pack, r) {
                    if unique {
                        self.set.rules.push(rule);
                    }
                }
            }
        }
    }

    /// Register a rule id; report LL005 if another rule (in any file) has it.
    fn claim_rule_id(&mut self, file: usize, id: &Ident) -> bool {
        match self.rule_ids.get(&id.name).cloned() {
            None => {
                self.rule_ids
                    .insert(id.name.clone(), (file, id.span.clone()));
                true
            }
            Some((first_file, first_span)) => {
                let d = Diagnostic::error(
                    "LL005",
                    file,
                    id.span.clone(),
                    format!("rule id `{}` is used twice", id.name),
                )
                .with_label("defined again here");
                let d = self.duplicate(d, (first_file, &first_span), &format!("`{}`", id.name));
                self.report(d);
                false
            }
        }
    }

    fn rule(&mut self, file: usize, pack: usize, r: &ast::RuleDecl) -> Option<ir::Rule> {
        let items = RuleItems::collect(r);
        self.check_item_counts(file, r, &items);
        let concept = items.concept.first().map(|(id, _)| {
            self.check_concept(file, id);
            id.name.clone()
        });
        let mut rc = RuleCx {
            file,
            pack,
            slots: 0,
            slot_names: Vec::new(),
            scope: Vec::new(),
            params_read: BTreeSet::new(),
            needs_emphasis: false,
            log_use: None,
            contract_use: None,
        };
        let mut message = ir::Template::default();
        let mut help = ir::Template::default();
        let assertion = items.assertion.first().map(|(a, _)| {
            self.assertion(&mut rc, a, |this, rc| {
                if let Some((m, _)) = items.message.first() {
                    message = this.template(rc, m);
                }
                if let Some((h, _)) = items.help.first() {
                    help = this.template(rc, h);
                }
            })
        });
        let at = items
            .at
            .first()
            .map(|(q, _)| self.query(&mut rc, q, |_, _| ()).0);
        self.mark_params_used(pack, &rc.params_read);
        self.warn_missing_examples(file, r, &items);
        let subject = self.subject(&rc, &items);
        Some(ir::Rule {
            id: r.id.name.clone(),
            title: r.title.value.clone(),
            pack,
            concept: concept?,
            severity: match items.severity.first()?.0 {
                ast::SeverityLit::Error => Severity::Error,
                ast::SeverityLit::Warning => Severity::Warning,
                ast::SeverityLit::Info => Severity::Info,
            },
            cite: items.cite.first()?.0.value.clone(),
            message,
            help,
            assertion: assertion?,
            subject,
            at,
            examples: items
                .examples
                .iter()
                .map(|(fire, text, span)| ir::Example {
                    fire: *fire,
                    text: text.value.clone(),
                    line: self.line(file, span.start),
                })
                .collect(),
            slots: rc.slots,
            slot_names: std::mem::take(&mut rc.slot_names),
            needs_emphasis: rc.needs_emphasis,
            params: rc.params_read.iter().copied().collect(),
            origin: self.origin(file, &r.span),
        })
    }

    /// A rule checks contracts or logs, never both; `subject` (optional) must agree.
    fn subject(&mut self, rc: &RuleCx, items: &RuleItems<'_>) -> ir::Subject {
        if let (Some(log), Some(contract)) = (&rc.log_use, &rc.contract_use) {
            self.report(
                Diagnostic::error(
                    "LL003",
                    rc.file,
                    log.clone(),
                    "a rule checks either contract text or log records, not both",
                )
                .with_label("reads log records")
                .with_other(contract.clone(), "reads contract text")
                .with_help("split it into a contract rule and a log rule"),
            );
        }
        let inferred = if rc.log_use.is_some() {
            ir::Subject::Log
        } else {
            ir::Subject::Contract
        };
        if let Some((log, span)) = items.subject.first() {
            let declared = if *log {
                ir::Subject::Log
            } else {
                ir::Subject::Contract
            };
            let used = match declared {
                ir::Subject::Log => rc.contract_use.as_ref(),
                ir::Subject::Contract => rc.log_use.as_ref(),
            };
            if let Some(used) = used {
                let (what, other) = match declared {
                    ir::Subject::Log => ("log", "contract text"),
                    ir::Subject::Contract => ("contract", "log records"),
                };
                self.report(
                    Diagnostic::error(
                        "LL003",
                        rc.file,
                        used.clone(),
                        format!("this `subject {what}` rule reads {other}"),
                    )
                    .with_label(format!("reads {other}"))
                    .with_other((*span).clone(), "declared here"),
                );
            }
            return declared;
        }
        inferred
    }

    /// LL007: every required item once, optional ones at most once, `at` only with `require`.
    fn check_item_counts(&mut self, file: usize, r: &ast::RuleDecl, items: &RuleItems<'_>) {
        let spans = |v: Vec<&Span>| v.into_iter().cloned().collect::<Vec<_>>();
        let groups: [(&str, bool, Vec<Span>); 8] = [
            (
                "concept",
                true,
                spans(items.concept.iter().map(|x| x.1).collect()),
            ),
            (
                "severity",
                true,
                spans(items.severity.iter().map(|x| x.1).collect()),
            ),
            (
                "cite",
                true,
                spans(items.cite.iter().map(|x| x.1).collect()),
            ),
            (
                "message",
                true,
                spans(items.message.iter().map(|x| x.1).collect()),
            ),
            (
                "help",
                true,
                spans(items.help.iter().map(|x| x.1).collect()),
            ),
            (
                "assertion (`forbid` or `require`)",
                true,
                spans(items.assertion.iter().map(|x| x.1).collect()),
            ),
            ("at", false, spans(items.at.iter().map(|x| x.1).collect())),
            (
                "subject",
                false,
                spans(items.subject.iter().map(|x| x.1).collect()),
            ),
        ];
        for (what, required, found) in groups {
            if required && found.is_empty() {
                let example = match what {
                    "concept" => "concept format.final-interpretation",
                    "severity" => "severity error",
                    "cite" => "cite \"…\"",
                    "message" => "message \"…\"",
                    "help" => "help \"…\"",
                    _ => "forbid /…/   or   require exists …",
                };
                self.report(
                    Diagnostic::error(
                        "LL007",
                        file,
                        r.id.span.clone(),
                        format!("rule `{}` has no {what}", r.id.name),
                    )
                    .with_label(format!("missing {what}"))
                    .with_help(format!("add `{example}` inside the rule")),
                );
            }
            if let [first, rest @ ..] = found.as_slice() {
                for again in rest {
                    self.report(
                        Diagnostic::error(
                            "LL007",
                            file,
                            again.clone(),
                            format!("rule `{}` has more than one {what}", r.id.name),
                        )
                        .with_label("given again here")
                        .with_other(first.clone(), "first given here")
                        .with_help("a rule has exactly one of each; split it into two rules if it checks two things"),
                    );
                }
            }
        }
        let is_forbid = matches!(
            items.assertion.first(),
            Some((ast::Assertion::Forbid { .. }, _))
        );
        if let (true, Some((_, at_span))) = (is_forbid, items.at.first()) {
            self.report(
                Diagnostic::error(
                    "LL007",
                    file,
                    (*at_span).clone(),
                    "`at` only applies to `require` rules",
                )
                .with_label("not used by `forbid`")
                .with_help("a `forbid` finding is located at the binding that breaks the rule"),
            );
        }
        for (text, span) in [&items.cite, &items.message, &items.help]
            .into_iter()
            .filter_map(|v| v.first())
        {
            if text.value.trim().is_empty() {
                self.report(
                    Diagnostic::error("LL007", file, (*span).clone(), "this rule item is empty")
                        .with_label("empty text"),
                );
            }
        }
    }

    fn check_concept(&mut self, file: usize, id: &Ident) {
        if self.concepts.get(&id.name).is_some() {
            return;
        }
        let mut d = Diagnostic::error(
            "LL006",
            file,
            id.span.clone(),
            format!("unknown concept `{}`", id.name),
        )
        .with_label("not in the concept catalogue");
        d = match self.concepts.nearest(&id.name) {
            Some(c) => d.with_help(format!("did you mean `{}` ({})?", c.id, c.title)),
            None => d.with_help("concept ids are listed in rules/concepts.yaml"),
        };
        self.report(d);
    }

    fn warn_missing_examples(&mut self, file: usize, r: &ast::RuleDecl, items: &RuleItems<'_>) {
        let has = |fire: bool| items.examples.iter().any(|(f, _, _)| *f == fire);
        let missing: Vec<&str> = [(true, "`example fire`"), (false, "`example pass`")]
            .into_iter()
            .filter(|(fire, _)| !has(*fire))
            .map(|(_, name)| name)
            .collect();
        if missing.is_empty() {
            return;
        }
        self.report(
            Diagnostic::warning(
                "LW003",
                file,
                r.id.span.clone(),
                format!("rule `{}` has no {}", r.id.name, missing.join(" and no ")),
            )
            .with_label("untested rule")
            .with_help("add a text that must fire (`example fire \"…\"`) and one that must not (`example pass \"…\"`)"),
        );
    }

    fn mark_params_used(&mut self, pack: usize, read: &BTreeSet<usize>) {
        if let Some(scope) = self.scopes.get_mut(pack) {
            for (_, p) in scope.params.iter_mut() {
                if read.contains(&p.index) {
                    p.used = true;
                }
            }
        }
    }

    fn warn_unused(&mut self) {
        let mut warnings = Vec::new();
        for scope in &self.scopes {
            for (name, p) in scope.params.iter().filter(|(_, p)| !p.used) {
                warnings.push(
                    Diagnostic::warning(
                        "LW001",
                        p.file,
                        p.span.clone(),
                        format!("param `{name}` is never used"),
                    )
                    .with_label("unused")
                    .with_help("use it in a rule, or remove it"),
                );
            }
            for l in scope.lexicons.iter().filter(|l| !l.used) {
                warnings.push(
                    Diagnostic::warning(
                        "LW002",
                        l.file,
                        l.span.clone(),
                        format!("lexicon `{}` is never used", l.name),
                    )
                    .with_label("unused")
                    .with_help("use it as a pattern (`forbid NAME`, `matches NAME`), or remove it"),
                );
            }
        }
        self.diags.extend(warnings);
    }

    // ------------------------------------------------------------ assertions and queries

    /// Check an assertion; `templates` runs where the message and help are checked: inside
    /// the scope of a `forbid` binding, so that they can interpolate it.
    fn assertion(
        &mut self,
        rc: &mut RuleCx,
        a: &ast::Assertion,
        templates: impl FnOnce(&mut Self, &mut RuleCx),
    ) -> ir::Assertion {
        match a {
            ast::Assertion::Forbid { query, unless, .. } => {
                let (query, unless) = self.query(rc, query, |this, rc| {
                    let unless = unless.as_ref().map(|u| this.cond(rc, u));
                    templates(this, rc);
                    unless
                });
                ir::Assertion::Forbid { query, unless }
            }
            ast::Assertion::Require { cond, unless, .. } => {
                let cond = self.cond(rc, cond);
                let unless = unless.as_ref().map(|u| self.cond(rc, u));
                templates(self, rc);
                ir::Assertion::Require { cond, unless }
            }
        }
    }

    /// Check a query: give it the next slot, bind its name while checking its filter and
    /// `body` (the value of an aggregate, or the rest of a `forbid`).
    fn query<T>(
        &mut self,
        rc: &mut RuleCx,
        q: &ast::Query,
        body: impl FnOnce(&mut Self, &mut RuleCx) -> T,
    ) -> (ir::Query, T) {
        let slot = rc.slots;
        rc.slots += 1;
        rc.note_use(q.kind == BinderKind::Event, &q.kind_span);
        if q.kind == BinderKind::Event && q.pattern.is_some() {
            self.report(
                Diagnostic::error(
                    "LL003",
                    rc.file,
                    q.kind_span.clone(),
                    "an `event` query takes no `of PATTERN`",
                )
                .with_label("events are not matched in text")
                .with_help("test the record's text instead: `event e where e.text matches …`"),
            );
        }
        let pattern = q.pattern.as_ref().map(|p| self.pattern(rc, p));
        if q.kind == BinderKind::Match && q.pattern.is_none() {
            self.report(
                Diagnostic::error(
                    "LL003",
                    rc.file,
                    q.kind_span.clone(),
                    "a `match` query needs `of PATTERN`",
                )
                .with_label("matches what?"),
            );
        }
        let (name, name_span) = match &q.name {
            Some(n) => (n.name.clone(), n.span.clone()),
            None => (q.kind.keyword().to_string(), q.kind_span.clone()),
        };
        if rc.slot_names.len() <= slot {
            rc.slot_names.resize(slot + 1, String::new());
        }
        rc.slot_names[slot] = name.clone();
        self.check_shadowing(rc, &name, &name_span, q.name.is_some(), q.kind);
        rc.scope.push(Binder {
            name,
            slot,
            kind: q.kind,
            span: name_span,
        });
        let filter = q.filter.as_ref().map(|f| self.cond(rc, f));
        let out = body(self, rc);
        rc.scope.pop();
        (
            ir::Query {
                kind: q.kind,
                slot,
                pattern,
                filter,
            },
            out,
        )
    }

    /// LL009 for a binder that hides an outer binder (or, when named explicitly, a param).
    fn check_shadowing(
        &mut self,
        rc: &RuleCx,
        name: &str,
        span: &Span,
        explicit: bool,
        kind: BinderKind,
    ) {
        if let Some(outer) = rc.lookup(name) {
            let d = Diagnostic::error(
                "LL009",
                rc.file,
                span.clone(),
                format!("`{name}` is already bound by an enclosing query"),
            )
            .with_label("hides the outer binding")
            .with_other(outer.span.clone(), "bound here")
            .with_help(format!(
                "give the inner query its own name, e.g. `{} {}2`",
                kind.keyword(),
                kind.keyword().chars().next().unwrap_or('x')
            ));
            self.report(d);
            return;
        }
        let is_param = self
            .scopes
            .get(rc.pack)
            .is_some_and(|s| s.param(name).is_some());
        if explicit && is_param {
            self.report(
                Diagnostic::error(
                    "LL009",
                    rc.file,
                    span.clone(),
                    format!("`{name}` is a param; a binder must not hide it"),
                )
                .with_label("choose another name"),
            );
        }
    }

    // ------------------------------------------------------------ expressions

    /// An expression that must be a condition.
    fn cond(&mut self, rc: &mut RuleCx, e: &ast::Expr) -> ir::Expr {
        let t = self.value(rc, e);
        let t = self.settle(rc, t);
        self.expect_bool(rc, &t);
        t.ir
    }

    fn expect_bool(&mut self, rc: &RuleCx, t: &Typed) {
        if matches!(t.ty, Ty::Bool | Ty::Error) {
            return;
        }
        let mut d = Diagnostic::error(
            "LL003",
            rc.file,
            t.span.clone(),
            format!("expected a condition (true or false), found {}", t.ty),
        )
        .with_label(format!("this is {}", t.ty));
        d = d.with_help(if t.ty.is_region() {
            "a binding is not a condition; test it, e.g. `s matches /…/`, `s.emphasised` or `exists …`"
        } else {
            "a condition is a comparison, `in`, `matches`, `exists`, `not`, `and`, `or` or a true/false property"
        });
        self.report(d);
    }

    /// A bare name that did not become a symbol is an unknown name.
    fn settle(&mut self, rc: &RuleCx, t: Typed) -> Typed {
        match &t.ty {
            Ty::Bare(name) => {
                let ident = Ident {
                    name: name.clone(),
                    span: t.span.clone(),
                };
                self.unknown_name(rc, &ident);
                Typed::error(t.span)
            }
            _ => t,
        }
    }

    /// Next to an enum value, a lone name that is one of the enum's values is that value,
    /// even if a param has the same name (a binder of that name still wins).
    fn symbol_or_value(&mut self, rc: &mut RuleCx, e: &ast::Expr, other: &Ty) -> Typed {
        if let (Some(name), Ty::Symbol(en)) = (single_name(e), other) {
            if rc.lookup(name).is_none() {
                if let Some(v) = en.values.iter().find(|v| **v == name) {
                    return Typed {
                        ir: ir::Expr::Const(Value::Symbol((*v).to_string())),
                        ty: Ty::Symbol(en),
                        span: e.span.clone(),
                    };
                }
            }
        }
        self.value(rc, e)
    }

    /// Resolve a bare name against the enum on the other side of `==`, `!=` or `in`.
    fn resolve_symbol(&mut self, rc: &RuleCx, t: Typed, other: &Ty) -> Typed {
        let (Ty::Bare(name), Ty::Symbol(e)) = (&t.ty, other) else {
            return t;
        };
        if let Some(v) = e.values.iter().find(|v| *v == name) {
            return Typed {
                ir: ir::Expr::Const(Value::Symbol((*v).to_string())),
                ty: Ty::Symbol(e),
                span: t.span,
            };
        }
        let mut d = Diagnostic::error(
            "LL002",
            rc.file,
            t.span.clone(),
            format!("`{name}` is not a `{}` value", e.name),
        )
        .with_label(format!("expected one of: {}", e.values.join(", ")));
        if let Some(n) = nearest(name, e.values.iter().copied()) {
            d = d.with_help(format!("did you mean `{n}`?"));
        }
        self.report(d);
        Typed::error(t.span)
    }

    fn unknown_name(&mut self, rc: &RuleCx, ident: &Ident) {
        let name = ident.name.as_str();
        let is_kind = BinderKind::ALL.iter().any(|k| k.keyword() == name);
        let mut candidates: Vec<String> = rc.scope.iter().map(|b| b.name.clone()).collect();
        if let Some(scope) = self.scopes.get(rc.pack) {
            candidates.extend(scope.params.iter().map(|(n, _)| n.clone()));
        }
        candidates.push("document".into());
        let (message, label) = if is_kind {
            (
                format!("no `{name}` is bound here"),
                "not bound by any enclosing query".to_string(),
            )
        } else {
            (
                format!("unknown name `{name}`"),
                "not a binder, param or symbol here".to_string(),
            )
        };
        let mut d =
            Diagnostic::error("LL002", rc.file, ident.span.clone(), message).with_label(label);
        // `text` where a binder `clause` is in scope most likely means `clause.text`.
        let as_property = rc
            .scope
            .iter()
            .rev()
            .find(|b| properties(Some(b.kind)).iter().any(|(p, _, _)| *p == name));
        if let Some(b) = as_property {
            d = d.with_help(format!("did you mean `{}.{name}`?", b.name));
        } else if let Some(n) = nearest(name, candidates.iter().map(String::as_str)) {
            d = d.with_help(format!("did you mean `{n}`?"));
        } else if is_kind {
            d = d.with_help(format!(
                "bind it with a query first, e.g. `forbid each {name} where …` or `exists {name} where …`"
            ));
        }
        self.report(d);
    }

    /// Check an expression; a lone unknown name comes back as `Ty::Bare` for the caller to
    /// resolve as a symbol or report.
    fn value(&mut self, rc: &mut RuleCx, e: &ast::Expr) -> Typed {
        use ast::ExprKind as K;
        let span = e.span.clone();
        let (ir, ty) = match &e.kind {
            K::Or(l, r) | K::And(l, r) => {
                let (l, r) = (self.cond(rc, l), self.cond(rc, r));
                let ir = if matches!(e.kind, K::Or(..)) {
                    ir::Expr::Or(Box::new(l), Box::new(r))
                } else {
                    ir::Expr::And(Box::new(l), Box::new(r))
                };
                (ir, Ty::Bool)
            }
            K::Not(x) => (ir::Expr::Not(Box::new(self.cond(rc, x))), Ty::Bool),
            K::Compare { op, left, right } => return self.compare(rc, *op, left, right, span),
            K::In { value, set } => return self.membership(rc, value, set, span),
            K::InInterval {
                value,
                lo,
                hi,
                lo_closed,
                hi_closed,
            } => {
                let bounds = (lo.as_ref(), hi.as_ref(), *lo_closed, *hi_closed);
                return self.interval(rc, value, bounds, span);
            }
            K::Order {
                before,
                left,
                right,
            } => {
                let l = self.value(rc, left);
                let l = self.settle(rc, l);
                let r = self.value(rc, right);
                let r = self.settle(rc, r);
                let orderable =
                    |t: &Ty| matches!(t, Ty::Binding(BinderKind::Event) | Ty::Instant | Ty::Error);
                if !orderable(&l.ty)
                    || !orderable(&r.ty)
                    || (l.ty != r.ty && l.ty != Ty::Error && r.ty != Ty::Error)
                {
                    let word = if *before { "before" } else { "after" };
                    self.report(
                        Diagnostic::error(
                            "LL003",
                            rc.file,
                            l.span.clone(),
                            format!(
                                "`{word}` orders two events or two instants, not {} and {}",
                                l.ty, r.ty
                            ),
                        )
                        .with_label(format!("this is {}", l.ty))
                        .with_other(r.span.clone(), format!("this is {}", r.ty)),
                    );
                }
                let (a, b) = if *before { (l.ir, r.ir) } else { (r.ir, l.ir) };
                (ir::Expr::Before(Box::new(a), Box::new(b)), Ty::Bool)
            }
            K::Matches { value, pattern } => {
                let v = self.value(rc, value);
                let v = self.settle(rc, v);
                if !(v.ty.is_region() || matches!(v.ty, Ty::Text | Ty::Dynamic | Ty::Error)) {
                    self.report(
                        Diagnostic::error(
                            "LL003",
                            rc.file,
                            v.span.clone(),
                            format!("`matches` needs a binding, `document` or text on the left, found {}", v.ty),
                        )
                        .with_label(format!("this is {}", v.ty)),
                    );
                }
                let id = self.pattern(rc, pattern);
                (ir::Expr::Matches(Box::new(v.ir), id), Ty::Bool)
            }
            K::Exists(q) => {
                let (q, ()) = self.query(rc, q, |_, _| ());
                (ir::Expr::Exists(Box::new(q)), Ty::Bool)
            }
            K::Count(q) => {
                let (q, ()) = self.query(rc, q, |_, _| ());
                (ir::Expr::Count(Box::new(q)), Ty::Number)
            }
            K::Aggregate { func, value, query } => {
                let (q, v) = self.query(rc, query, |this, rc| {
                    let v = this.value(rc, value);
                    this.settle(rc, v)
                });
                let ty = self.aggregate_type(rc, *func, &v);
                let empty = match (func, &ty) {
                    (ast::AggFunc::Sum, Ty::Number) => {
                        Some(ir::Value::Number(rust_decimal::Decimal::ZERO))
                    }
                    (ast::AggFunc::Sum, Ty::Percent) => {
                        Some(ir::Value::Percent(rust_decimal::Decimal::ZERO))
                    }
                    (ast::AggFunc::Sum, Ty::Duration) => {
                        Some(ir::Value::Duration(rust_decimal::Decimal::ZERO))
                    }
                    _ => None,
                };
                let expr = ir::Expr::Aggregate {
                    func: *func,
                    value: Box::new(v.ir),
                    query: Box::new(q),
                    empty,
                };
                (expr, ty)
            }
            K::Arith { op, left, right } => {
                let l = self.value(rc, left);
                let l = self.settle(rc, l);
                let r = self.value(rc, right);
                let r = self.settle(rc, r);
                let ty = self.arith_type(rc, *op, &l, &r);
                (ir::Expr::Arith(*op, Box::new(l.ir), Box::new(r.ir)), ty)
            }
            K::Literal(lit) => literal_value(lit),
            K::List(items) => return self.list(rc, items, None, span),
            K::Path(idents) => return self.name_path(rc, idents, span),
        };
        Typed { ir, ty, span }
    }

    fn compare(
        &mut self,
        rc: &mut RuleCx,
        op: ast::CmpOp,
        left: &ast::Expr,
        right: &ast::Expr,
        span: Span,
    ) -> Typed {
        // A lone name has no queries in it, so checking the other side first does not change
        // slot numbers; it lets the name be read as a value of the other side's enum.
        let (l, r) = if single_name(left).is_some() {
            let r = self.value(rc, right);
            (self.symbol_or_value(rc, left, &r.ty), r)
        } else {
            let l = self.value(rc, left);
            let r = self.symbol_or_value(rc, right, &l.ty);
            (l, r)
        };
        let l = self.resolve_symbol(rc, l, &r.ty);
        let r = self.resolve_symbol(rc, r, &l.ty);
        let l = self.settle(rc, l);
        let r = self.settle(rc, r);
        let ordering = !matches!(op, ast::CmpOp::Eq | ast::CmpOp::Ne);
        let ok = match (&l.ty, &r.ty) {
            (Ty::Error, _) | (_, Ty::Error) => true,
            (a, b) if a.is_region() && b.is_region() => !ordering,
            (Ty::List(_), _) | (_, Ty::List(_)) => false,
            (Ty::Dynamic, b) | (b, Ty::Dynamic) => b.is_scalar(),
            (a, b) => a == b && (!ordering || a.is_ordered()),
        };
        if !ok {
            let message = if l.ty.agrees(&r.ty) || (l.ty.is_region() && r.ty.is_region()) {
                format!("cannot order {} values with `{}`", l.ty, cmp_symbol(op))
            } else {
                format!("cannot compare {} with {}", l.ty, r.ty)
            };
            // Primary label on the left operand, secondary on the right: ariadne draws
            // a label over the whole comparison on top of the two as a tangle.
            let mut d = Diagnostic::error("LL003", rc.file, l.span.clone(), message)
                .with_label(format!("this is {}", l.ty))
                .with_other(r.span.clone(), format!("this is {}", r.ty));
            if matches!((&l.ty, &r.ty), (Ty::List(_), _) | (_, Ty::List(_))) {
                d = d.with_help("to test membership, write `x in [a, b]`");
            } else if ordering && l.ty.agrees(&r.ty) {
                d = d.with_help(
                    "only numbers, percents, money, durations, times and dates have an order",
                );
            }
            self.report(d);
        }
        Typed {
            ir: ir::Expr::Compare(op, Box::new(l.ir), Box::new(r.ir)),
            ty: Ty::Bool,
            span,
        }
    }

    fn membership(
        &mut self,
        rc: &mut RuleCx,
        value: &ast::Expr,
        set: &ast::Expr,
        span: Span,
    ) -> Typed {
        let v = self.value(rc, value);
        let v = self.settle(rc, v);
        if let ast::ExprKind::List(items) = &set.kind {
            let list = self.list(rc, items, Some(&v.ty), set.span.clone());
            return Typed {
                ir: ir::Expr::InList(Box::new(v.ir), Box::new(list.ir)),
                ty: Ty::Bool,
                span,
            };
        }
        let s = self.value(rc, set);
        let s = self.settle(rc, s);
        let ir = match (&v.ty, &s.ty) {
            (Ty::Error, _) | (_, Ty::Error) => ir::Expr::InList(Box::new(v.ir), Box::new(s.ir)),
            (a, Ty::List(item)) => {
                if !a.agrees(item) {
                    self.report(
                        Diagnostic::error(
                            "LL003",
                            rc.file,
                            v.span.clone(),
                            format!("cannot look for {a} in {}", s.ty),
                        )
                        .with_label(format!("this is {a}"))
                        .with_other(s.span.clone(), format!("this is {}", s.ty)),
                    );
                }
                ir::Expr::InList(Box::new(v.ir), Box::new(s.ir))
            }
            (a, b) if a.is_region() && b.is_region() => {
                ir::Expr::Inside(Box::new(v.ir), Box::new(s.ir))
            }
            (a, b) => {
                let message = if b.is_region() {
                    format!("`x in {}` needs a binding on the left (a match, sentence, clause, …), found {a}", b)
                } else {
                    format!("`in` needs a list or a region (a binding or `document`) on the right, found {b}")
                };
                self.report(
                    Diagnostic::error("LL003", rc.file, span.clone(), message)
                        .with_label(format!("{a} in {b}")),
                );
                ir::Expr::InList(Box::new(v.ir), Box::new(s.ir))
            }
        };
        Typed {
            ir,
            ty: Ty::Bool,
            span,
        }
    }

    /// `v in [lo, hi)`: an interval of ordered values; `[a, b]` of unordered values (symbols,
    /// text) is the two-item list it also reads as.
    fn interval(
        &mut self,
        rc: &mut RuleCx,
        value: &ast::Expr,
        (lo, hi, lo_closed, hi_closed): (&ast::Expr, &ast::Expr, bool, bool),
        span: Span,
    ) -> Typed {
        let v = self.value(rc, value);
        let v = self.settle(rc, v);
        if !v.ty.is_ordered() && v.ty != Ty::Error {
            if lo_closed && hi_closed {
                let items = [lo.clone(), hi.clone()];
                let set_span = lo.span.start.saturating_sub(1)..hi.span.end + 1;
                let list = self.list(rc, &items, Some(&v.ty), set_span);
                return Typed {
                    ir: ir::Expr::InList(Box::new(v.ir), Box::new(list.ir)),
                    ty: Ty::Bool,
                    span,
                };
            }
            self.report(
                Diagnostic::error(
                    "LL003",
                    rc.file,
                    v.span.clone(),
                    format!(
                        "an interval needs an ordered value on the left, found {}",
                        v.ty
                    ),
                )
                .with_label(format!("this is {}", v.ty))
                .with_help(
                    "intervals hold numbers, percents, money, durations, times, dates and instants",
                ),
            );
        }
        let mut bound = |this: &mut Self, e: &ast::Expr| {
            let t = this.value(rc, e);
            let t = this.settle(rc, t);
            if !t.ty.agrees(&v.ty) {
                this.report(
                    Diagnostic::error(
                        "LL003",
                        rc.file,
                        t.span.clone(),
                        format!("interval bound is {}, but the value is {}", t.ty, v.ty),
                    )
                    .with_label(format!("this is {}", t.ty))
                    .with_other(v.span.clone(), format!("this is {}", v.ty)),
                );
            }
            t.ir
        };
        let lo = bound(self, lo);
        let hi = bound(self, hi);
        Typed {
            ir: ir::Expr::InRange {
                value: Box::new(v.ir),
                lo: Box::new(lo),
                hi: Box::new(hi),
                lo_closed,
                hi_closed,
            },
            ty: Ty::Bool,
            span,
        }
    }

    /// A list literal; with `element`, every item must have that type (symbols resolve
    /// against it), else all items must agree with the first.
    fn list(
        &mut self,
        rc: &mut RuleCx,
        items: &[ast::Expr],
        element: Option<&Ty>,
        span: Span,
    ) -> Typed {
        let mut out = Vec::new();
        let mut first: Option<Ty> = element.cloned();
        for item in items {
            let t = match &first {
                Some(want) => {
                    let t = self.symbol_or_value(rc, item, want);
                    self.resolve_symbol(rc, t, want)
                }
                None => self.value(rc, item),
            };
            let t = self.settle(rc, t);
            match &first {
                Some(want) if !t.ty.agrees(want) => {
                    let message = match element {
                        Some(_) => {
                            format!("list item is {}, but the value looked for is {want}", t.ty)
                        }
                        None => format!(
                            "list items must all have one type: this is {}, the first is {want}",
                            t.ty
                        ),
                    };
                    self.report(
                        Diagnostic::error("LL003", rc.file, t.span.clone(), message)
                            .with_label(format!("this is {}", t.ty)),
                    );
                }
                Some(_) => {}
                None => first = Some(t.ty.clone()),
            }
            out.push(t.ir);
        }
        let element = first.unwrap_or(Ty::Error);
        Typed {
            ir: ir::Expr::List(out),
            ty: Ty::List(Box::new(element)),
            span,
        }
    }

    fn name_path(&mut self, rc: &mut RuleCx, idents: &[Ident], span: Span) -> Typed {
        let Some((head, props)) = idents.split_first() else {
            return Typed::error(span);
        };
        let (mut ir, mut ty) = if let Some(b) = rc.lookup(&head.name) {
            (ir::Expr::Var(b.slot), Ty::Binding(b.kind))
        } else if head.name == "document" {
            rc.note_use(false, &head.span);
            (ir::Expr::Document, Ty::Document)
        } else if let Some(p) = self.scopes.get(rc.pack).and_then(|s| s.param(&head.name)) {
            rc.params_read.insert(p.index);
            (ir::Expr::Param(p.index), p.ty.clone())
        } else if props.is_empty() {
            return Typed {
                ir: ir::Expr::Const(Value::Symbol(head.name.clone())),
                ty: Ty::Bare(head.name.clone()),
                span,
            };
        } else {
            self.unknown_name(rc, head);
            return Typed::error(span);
        };
        let mut props = props.iter();
        while let Some(prop) = props.next() {
            if ty == Ty::Binding(BinderKind::Event) && prop.name == "extra" {
                let Some(field) = props.next() else {
                    self.report(
                        Diagnostic::error(
                            "LL002",
                            rc.file,
                            prop.span.clone(),
                            "`extra` needs a field name",
                        )
                        .with_label("which field?")
                        .with_help("write `e.extra.FIELD` for a log field that is not canonical"),
                    );
                    return Typed::error(span);
                };
                ir = ir::Expr::Field(Box::new(ir), field.name.clone());
                ty = Ty::Dynamic;
                continue;
            }
            let kind = match &ty {
                Ty::Binding(k) => Some(Some(*k)),
                Ty::Document => Some(None),
                _ => None,
            };
            let table = kind.map(properties).unwrap_or_default();
            match table.iter().find(|(n, _, _)| *n == prop.name) {
                Some((_, p, t)) => {
                    if *p == Prop::Emphasised {
                        rc.needs_emphasis = true;
                    }
                    ir = ir::Expr::Prop(Box::new(ir), *p);
                    ty = t.clone();
                }
                None => {
                    self.unknown_property(rc, prop, &ty, &table);
                    return Typed::error(span);
                }
            }
        }
        Typed { ir, ty, span }
    }

    fn unknown_property(
        &mut self,
        rc: &RuleCx,
        prop: &Ident,
        ty: &Ty,
        table: &[(&'static str, Prop, Ty)],
    ) {
        let names: Vec<&str> = table.iter().map(|(n, _, _)| *n).collect();
        let mut d = Diagnostic::error(
            "LL002",
            rc.file,
            prop.span.clone(),
            format!("{ty} has no property `{}`", prop.name),
        )
        .with_label("unknown property");
        d = match (nearest(&prop.name, names.iter().copied()), names.is_empty()) {
            (Some(n), _) => d.with_help(format!("did you mean `{n}`?")),
            (None, false) => d.with_help(format!("its properties are: {}", names.join(", "))),
            (None, true) => d.with_help(format!("{ty} has no properties")),
        };
        self.report(d);
    }

    fn aggregate_type(&mut self, rc: &RuleCx, func: ast::AggFunc, v: &Typed) -> Ty {
        let ok = match func {
            ast::AggFunc::Sum => v.ty.is_summable(),
            ast::AggFunc::Min | ast::AggFunc::Max => v.ty.is_ordered(),
        };
        if ok || v.ty == Ty::Error {
            return v.ty.clone();
        }
        let (name, what) = match func {
            ast::AggFunc::Sum => ("sum", "numbers, percents, money or durations"),
            ast::AggFunc::Min => ("min", "numbers, percents, money, durations, times or dates"),
            ast::AggFunc::Max => ("max", "numbers, percents, money, durations, times or dates"),
        };
        self.report(
            Diagnostic::error(
                "LL003",
                rc.file,
                v.span.clone(),
                format!("`{name}` works on {what}, not on {}", v.ty),
            )
            .with_label(format!("this is {}", v.ty)),
        );
        Ty::Error
    }

    fn arith_type(&mut self, rc: &RuleCx, op: ast::ArithOp, l: &Typed, r: &Typed) -> Ty {
        use ast::ArithOp::*;
        let scalable = |t: &Ty| matches!(t, Ty::Percent | Ty::Money | Ty::Duration);
        let ty = match (op, &l.ty, &r.ty) {
            (_, Ty::Error, _) | (_, _, Ty::Error) => Some(Ty::Error),
            (_, Ty::Number, Ty::Number) => Some(Ty::Number),
            (Add | Sub, a, b) if a == b && scalable(a) => Some(a.clone()),
            (Mul, Ty::Number, b) if scalable(b) => Some(b.clone()),
            (Mul | Div, a, Ty::Number) if scalable(a) => Some(a.clone()),
            (Div, a, b) if a == b && scalable(a) => Some(Ty::Number),
            (Add | Sub, Ty::Instant | Ty::Date, Ty::Duration) => Some(l.ty.clone()),
            (Add, Ty::Duration, Ty::Instant | Ty::Date) => Some(r.ty.clone()),
            (Sub, Ty::Instant, Ty::Instant) => Some(Ty::Duration),
            (_, Ty::Dynamic, _) | (_, _, Ty::Dynamic) => Some(Ty::Dynamic),
            _ => None,
        };
        if let Some(ty) = ty {
            return ty;
        }
        let message = match op {
            Add => format!("cannot add {} and {}", l.ty, r.ty),
            Sub => format!("cannot subtract {} from {}", r.ty, l.ty),
            Mul => format!("cannot multiply {} by {}", l.ty, r.ty),
            Div => format!("cannot divide {} by {}", l.ty, r.ty),
        };
        self.report(
            Diagnostic::error("LL003", rc.file, l.span.clone(), message)
                .with_label(format!("this is {}", l.ty))
                .with_other(r.span.clone(), format!("this is {}", r.ty))
                .with_help("arithmetic: number with number; percent, money or duration with its own kind (+, -) or with a number (*, /); an instant or date plus or minus a duration"),
        );
        Ty::Error
    }

    // ------------------------------------------------------------ message templates

    /// Split a message or help text into text and `{expr}` parts, and check the expressions.
    fn template(&mut self, rc: &mut RuleCx, lit: &ast::StrLit) -> ir::Template {
        let offsets = self.string_offsets(rc.file, lit);
        let at = |i: usize| offsets.get(i).copied().unwrap_or(lit.span.start);
        let text = lit.value.as_str();
        let mut parts = Vec::new();
        let mut buf = String::new();
        let mut i = 0;
        while let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) {
            let next = text.get(i + 1..).and_then(|rest| rest.chars().next());
            match (c, next) {
                ('{', Some('{')) | ('}', Some('}')) => {
                    buf.push(c);
                    i += 2;
                }
                ('}', _) => {
                    self.report(
                        Diagnostic::error(
                            "LL001",
                            rc.file,
                            at(i)..at(i + 1),
                            "unmatched `}` in the text",
                        )
                        .with_label("no `{` before it")
                        .with_help("write `}}` for a literal brace"),
                    );
                    i += 1;
                }
                ('{', _) => {
                    let Some(close) = closing_brace(text, i + 1) else {
                        self.report(
                            Diagnostic::error(
                                "LL001",
                                rc.file,
                                at(i)..at(i + 1),
                                "unclosed `{` in the text",
                            )
                            .with_label("no `}` after it")
                            .with_help("write `{{` for a literal brace"),
                        );
                        break;
                    };
                    if !buf.is_empty() {
                        parts.push(ir::TemplatePart::Text(std::mem::take(&mut buf)));
                    }
                    if let Some(e) = self.interpolation(rc, text, i + 1, close, &at) {
                        parts.push(ir::TemplatePart::Value(e));
                    }
                    i = close + 1;
                }
                _ => {
                    buf.push(c);
                    i += c.len_utf8();
                }
            }
        }
        if !buf.is_empty() {
            parts.push(ir::TemplatePart::Text(buf));
        }
        ir::Template { parts }
    }

    /// Parse and check `text[start..end]`, the inside of one `{…}`.
    fn interpolation(
        &mut self,
        rc: &mut RuleCx,
        text: &str,
        start: usize,
        end: usize,
        at: &dyn Fn(usize) -> usize,
    ) -> Option<ir::Expr> {
        let src = text.get(start..end).unwrap_or("");
        if src.trim().is_empty() {
            self.report(
                Diagnostic::error(
                    "LL001",
                    rc.file,
                    at(start - 1)..at(end + 1),
                    "empty `{}` in the text",
                )
                .with_label("nothing to interpolate")
                .with_help("write `{{}}` for literal braces, or put a name inside: `{match.text}`"),
            );
            return None;
        }
        let map = |p: usize| at(start + p);
        let expr = match parse_template_expr(src, rc.file, &map) {
            Ok(e) => e,
            Err(d) => {
                self.report(d);
                return None;
            }
        };
        let t = self.value(rc, &expr);
        let t = self.settle(rc, t);
        match t.ty {
            // A binding shows as its text.
            Ty::Binding(_) => Some(ir::Expr::Prop(Box::new(t.ir), Prop::Text)),
            Ty::Document => {
                self.report(
                    Diagnostic::error(
                        "LL003",
                        rc.file,
                        t.span,
                        "cannot interpolate the whole document",
                    )
                    .with_label("too large to show")
                    .with_help(
                        "interpolate a binding or one of its properties, e.g. `{match.sentence}`",
                    ),
                );
                None
            }
            _ => Some(t.ir),
        }
    }

    /// File offset of each byte of a string literal's value (escapes are shorter in the value).
    fn string_offsets(&self, file: usize, lit: &ast::StrLit) -> Vec<usize> {
        let inner_start = lit.span.start + 1;
        let inner_end = lit.span.end.saturating_sub(1);
        let raw = self
            .files
            .get(file)
            .and_then(|f| f.text.get(inner_start..inner_end))
            .unwrap_or("");
        unescape_offsets(raw, inner_start, |_| true)
    }
}

/// Items of a rule, grouped by kind, in source order.
struct RuleItems<'r> {
    concept: Vec<(&'r Ident, &'r Span)>,
    severity: Vec<(ast::SeverityLit, &'r Span)>,
    cite: Vec<(&'r ast::StrLit, &'r Span)>,
    message: Vec<(&'r ast::StrLit, &'r Span)>,
    help: Vec<(&'r ast::StrLit, &'r Span)>,
    assertion: Vec<(&'r ast::Assertion, &'r Span)>,
    at: Vec<(&'r ast::Query, &'r Span)>,
    examples: Vec<(bool, &'r ast::StrLit, &'r Span)>,
    subject: Vec<(bool, &'r Span)>,
}

impl<'r> RuleItems<'r> {
    fn collect(r: &'r ast::RuleDecl) -> Self {
        let mut items = RuleItems {
            concept: vec![],
            severity: vec![],
            cite: vec![],
            message: vec![],
            help: vec![],
            assertion: vec![],
            at: vec![],
            examples: vec![],
            subject: vec![],
        };
        for item in &r.items {
            match item {
                ast::RuleItem::Concept { id, span } => items.concept.push((id, span)),
                ast::RuleItem::Severity { level, span } => items.severity.push((*level, span)),
                ast::RuleItem::Cite(s, span) => items.cite.push((s, span)),
                ast::RuleItem::Message(s, span) => items.message.push((s, span)),
                ast::RuleItem::Help(s, span) => items.help.push((s, span)),
                ast::RuleItem::Assertion(a) => {
                    let span = match a {
                        ast::Assertion::Forbid { span, .. }
                        | ast::Assertion::Require { span, .. } => span,
                    };
                    items.assertion.push((a, span));
                }
                ast::RuleItem::At(q, span) => items.at.push((q, span)),
                ast::RuleItem::Example { fire, text, span } => {
                    items.examples.push((*fire, text, span))
                }
                ast::RuleItem::Subject { log, span } => items.subject.push((*log, span)),
            }
        }
        items
    }
}

/// For text that was unescaped, the file offset of each byte of the unescaped text (and one
/// past its end). `collapses(c)` says whether `\c` became one byte (string escapes, `\/` in a
/// regex); other backslash pairs are kept as written.
fn unescape_offsets(raw: &str, base: usize, collapses: impl Fn(char) -> bool) -> Vec<usize> {
    let mut map = Vec::with_capacity(raw.len() + 1);
    let mut chars = raw.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some((_, n)) if collapses(n) => map.push(base + i),
                Some((j, n)) => {
                    map.push(base + i);
                    map.extend((0..n.len_utf8()).map(|k| base + j + k));
                }
                None => map.push(base + i),
            }
        } else {
            map.extend((0..c.len_utf8()).map(|k| base + i + k));
        }
    }
    map.push(base + raw.len());
    map
}

/// The index of the `}` that closes an interpolation starting at `from`, skipping string
/// literals inside it.
fn closing_brace(text: &str, from: usize) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.get(from..)?.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '}' if !in_string => return Some(from + i),
            _ => {}
        }
    }
    None
}

/// The name of an expression that is just one name (`annual`, `apr_cap`).
fn single_name(e: &ast::Expr) -> Option<&str> {
    match &e.kind {
        ast::ExprKind::Path(ids) if ids.len() == 1 => ids.first().map(|i| i.name.as_str()),
        _ => None,
    }
}

fn literal_value(lit: &ast::Literal) -> (ir::Expr, Ty) {
    use ast::Literal as L;
    let (value, ty) = match lit {
        L::Number(x) => (Value::Number(*x), Ty::Number),
        L::Percent(x) => (Value::Percent(*x), Ty::Percent),
        L::Money { amount, currency } => (
            Value::Money {
                amount: *amount,
                currency: currency.clone(),
            },
            Ty::Money,
        ),
        L::Duration(x) => (Value::Duration(*x), Ty::Duration),
        L::Time(x) => (Value::Time(*x), Ty::Time),
        L::Date { year, month, day } => (
            Value::Date {
                year: *year,
                month: *month,
                day: *day,
            },
            Ty::Date,
        ),
        L::Text(s) => (Value::Text(s.clone()), Ty::Text),
        L::Bool(b) => (Value::Bool(*b), Ty::Bool),
        L::List(items) => (
            Value::List(items.iter().cloned().map(Value::Text).collect()),
            Ty::List(Box::new(Ty::Text)),
        ),
    };
    (ir::Expr::Const(value), ty)
}

fn cmp_symbol(op: ast::CmpOp) -> &'static str {
    match op {
        ast::CmpOp::Eq => "==",
        ast::CmpOp::Ne => "!=",
        ast::CmpOp::Lt => "<",
        ast::CmpOp::Le => "<=",
        ast::CmpOp::Gt => ">",
        ast::CmpOp::Ge => ">=",
    }
}

fn param_type_name(t: ast::ParamType) -> &'static str {
    match t {
        ast::ParamType::Percent => "percent",
        ast::ParamType::Money => "money",
        ast::ParamType::Duration => "duration",
        ast::ParamType::Time => "time",
        ast::ParamType::Date => "date",
        ast::ParamType::Int => "int",
        ast::ParamType::Number => "number",
        ast::ParamType::Text => "text",
        ast::ParamType::List => "list",
    }
}

fn literal_description(l: &ast::Literal) -> String {
    use ast::Literal as L;
    match l {
        L::Number(x) if !x.fract().is_zero() => "a number with a fraction".into(),
        L::Number(_) => "a number".into(),
        L::Percent(_) => "a percent".into(),
        L::Money { .. } => "money".into(),
        L::Duration(_) => "a duration".into(),
        L::Time(_) => "a time".into(),
        L::Date { .. } => "a date".into(),
        L::Text(_) => "text".into(),
        L::Bool(_) => "true/false".into(),
        L::List(_) => "a list".into(),
    }
}
