//! The syntax tree of a rule file, as parsed. Every node keeps its byte span in
//! the rule file so that the checker can point at it.

use rust_decimal::Decimal;
use std::ops::Range;

pub type Span = Range<usize>;

#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StrLit {
    /// The value after unescaping.
    pub value: String,
    /// The span of the whole literal, quotes included.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RegexLit {
    /// The pattern between the slashes, with `\/` unescaped to `/`.
    pub pattern: String,
    /// Flags after the closing slash (`i`).
    pub flags: String,
    /// The span of the whole literal, slashes included.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RuleFile {
    pub header: PackHeader,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PackHeader {
    pub id: Ident,
    pub title: Option<StrLit>,
    pub version: Option<StrLit>,
    pub jurisdiction: Option<Ident>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Param(ParamDecl),
    Lexicon(LexiconDecl),
    Rule(RuleDecl),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    Percent,
    Money,
    Duration,
    Time,
    Date,
    Int,
    Number,
    Text,
    List,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParamDecl {
    pub name: Ident,
    pub ty: ParamType,
    pub ty_span: Span,
    pub default: Literal,
    pub default_span: Span,
    pub cite: Option<StrLit>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LexEntry {
    Literal(StrLit),
    Regex(RegexLit),
}

#[derive(Debug, Clone, PartialEq)]
pub struct LexiconDecl {
    pub name: Ident,
    pub entries: Vec<LexEntry>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RuleDecl {
    pub id: Ident,
    pub title: StrLit,
    /// Items in source order; presence and uniqueness are the checker's job.
    pub items: Vec<RuleItem>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeverityLit {
    Error,
    Warning,
    Info,
}

// A rule has a handful of items; boxing the assertion would only add noise to every match.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum RuleItem {
    Concept {
        id: Ident,
        span: Span,
    },
    Severity {
        level: SeverityLit,
        span: Span,
    },
    Cite(StrLit, Span),
    Message(StrLit, Span),
    Help(StrLit, Span),
    Assertion(Assertion),
    At(Query, Span),
    Example {
        fire: bool,
        text: StrLit,
        span: Span,
    },
    /// `subject log` / `subject contract`: says what the rule checks (else inferred).
    Subject {
        log: bool,
        span: Span,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Assertion {
    /// `forbid each QUERY [unless E]` or `forbid PATTERN [unless E]` (then the query is
    /// `match of PATTERN`, and its `kind_span` is the pattern's span).
    Forbid {
        query: Query,
        unless: Option<Expr>,
        span: Span,
    },
    Require {
        cond: Expr,
        unless: Option<Expr>,
        span: Span,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum BinderKind {
    Match,
    Sentence,
    Clause,
    Paragraph,
    Rate,
    Money,
    Duration,
    Date,
    Blank,
    /// A collection-log record.
    Event,
}

impl BinderKind {
    pub const ALL: [BinderKind; 10] = [
        BinderKind::Match,
        BinderKind::Sentence,
        BinderKind::Clause,
        BinderKind::Paragraph,
        BinderKind::Rate,
        BinderKind::Money,
        BinderKind::Duration,
        BinderKind::Date,
        BinderKind::Blank,
        BinderKind::Event,
    ];

    pub fn keyword(self) -> &'static str {
        match self {
            BinderKind::Match => "match",
            BinderKind::Sentence => "sentence",
            BinderKind::Clause => "clause",
            BinderKind::Paragraph => "paragraph",
            BinderKind::Rate => "rate",
            BinderKind::Money => "money",
            BinderKind::Duration => "duration",
            BinderKind::Date => "date",
            BinderKind::Blank => "blank",
            BinderKind::Event => "event",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub kind: BinderKind,
    pub kind_span: Span,
    pub name: Option<Ident>,
    pub pattern: Option<Pattern>,
    pub filter: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    Regex(RegexLit),
    Literal(StrLit),
    Lexicon(Ident),
    Within {
        left: Box<Pattern>,
        distance: u32,
        distance_span: Span,
        right: Box<Pattern>,
        span: Span,
    },
}

impl Pattern {
    pub fn span(&self) -> Span {
        match self {
            Pattern::Regex(r) => r.span.clone(),
            Pattern::Literal(s) => s.span.clone(),
            Pattern::Lexicon(i) => i.span.clone(),
            Pattern::Within { span, .. } => span.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AggFunc {
    Min,
    Max,
    Sum,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Compare {
        op: CmpOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `v in [a, b]` (the right side is a list) or `v in region` (containment).
    In {
        value: Box<Expr>,
        set: Box<Expr>,
    },
    /// `v in [lo, hi)`: the brackets say which ends are included. `[a, b]` may also be a
    /// two-item list; the checker decides by the value's type.
    InInterval {
        value: Box<Expr>,
        lo: Box<Expr>,
        hi: Box<Expr>,
        lo_closed: bool,
        hi_closed: bool,
    },
    Matches {
        value: Box<Expr>,
        pattern: Pattern,
    },
    /// `a before b` (or `after`, with `before: false`): order of events or instants.
    Order {
        before: bool,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    Exists(Query),
    Count(Query),
    Aggregate {
        func: AggFunc,
        value: Box<Expr>,
        query: Query,
    },
    Arith {
        op: ArithOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    Literal(Literal),
    List(Vec<Expr>),
    /// `name` or `name.prop.prop`; a lone name may be a param, a binder, `document` or a symbol.
    Path(Vec<Ident>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Number(Decimal),
    /// In percent: `24%` is 24.
    Percent(Decimal),
    Money {
        amount: Decimal,
        currency: String,
    },
    /// In seconds.
    Duration(Decimal),
    /// Seconds since midnight.
    Time(u32),
    Date {
        year: i32,
        month: u8,
        day: u8,
    },
    Text(String),
    Bool(bool),
    /// Only as a param default (`list` type): string items.
    List(Vec<String>),
}
