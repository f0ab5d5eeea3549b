//! The checked rule set: every name resolved, every type checked. This is what
//! the engine compiles into a plan; it carries no pest or AST types.

pub use super::ast::{AggFunc, ArithOp, BinderKind, CmpOp};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A value of the rule language at run time (and a param's value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Value {
    Bool(bool),
    Number(#[serde(with = "rust_decimal::serde::str")] Decimal),
    /// In percent.
    Percent(#[serde(with = "rust_decimal::serde::str")] Decimal),
    Money {
        #[serde(with = "rust_decimal::serde::str")]
        amount: Decimal,
        currency: String,
    },
    /// In seconds.
    Duration(#[serde(with = "rust_decimal::serde::str")] Decimal),
    /// Seconds since midnight.
    Time(u32),
    Date {
        year: i32,
        month: u8,
        day: u8,
    },
    Text(String),
    /// An enum value such as `annual` or `overdue`.
    Symbol(String),
    List(Vec<Value>),
}

/// Static types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Type {
    Bool,
    Number,
    Percent,
    Money,
    Duration,
    Time,
    Date,
    Text,
    /// An enum with its allowed values, e.g. period: annual|monthly|daily|unknown.
    Symbol(#[serde(with = "static_symbols")] Vec<&'static str>),
    List(Box<Type>),
    /// A binding of a query (its span and properties), or `document`.
    Binding(BinderKind),
    Document,
    /// A point in time (an event's `time`).
    Instant,
    /// A log field that is not canonical (`e.extra.name`): its type is known only at run time.
    Dynamic,
}

/// A property of a binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Prop {
    /// The text of the span (Type::Text).
    Text,
    /// The enclosing sentence / clause / paragraph (a Binding of that kind).
    Sentence,
    Clause,
    Paragraph,
    Emphasised,
    /// clause: number and title (Text).
    Number,
    Title,
    /// rate: value, annualised (Percent), period, kind (Symbol).
    Value,
    Annualised,
    Period,
    Kind,
    /// money: amount (Money), currency (Text).
    Amount,
    Currency,
    /// duration: length (Duration).
    Length,
    /// event: instant (Instant), the debtor's local time of day (Time), local date (Date) and
    /// weekday (Symbol); text fields; `kind` (shared with rate), party, direction, outcome
    /// (Symbol); recorded (Bool).
    Time,
    LocalTime,
    LocalDate,
    Weekday,
    Id,
    Debtor,
    Account,
    To,
    Agent,
    Zone,
    Party,
    Direction,
    Outcome,
    Recorded,
    /// document: the loan the contract describes (see `extract::loan_terms`): the APR its
    /// terms imply and the one it discloses (Percent), its principal, the amount actually
    /// received and the fees deducted at disbursement (Money). Missing when the contract does
    /// not give enough to work them out.
    ImpliedApr,
    DisclosedApr,
    Principal,
    AmountReceived,
    UpfrontFee,
}

/// What a rule checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Subject {
    #[default]
    Contract,
    /// Collection-log records (`event` queries).
    Log,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Expr {
    Const(Value),
    /// Index into `RuleSet::params`.
    Param(usize),
    /// A query binding, by slot number (slots are numbered per rule, 0..rule.slots; see
    /// [`Rule::slots`] for the order).
    Var(usize),
    /// The whole document (a region).
    Document,
    Prop(Box<Expr>, Prop),
    /// A non-canonical field of an event binding (`e.extra.name`).
    Field(Box<Expr>, String),
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    /// Both sides have the same type (checked): number, percent, money, duration, time, date,
    /// text, bool or the same symbol enum; `<`…`>=` only for number, percent, money, duration,
    /// time, date. `==`/`!=` may also compare two regions (bindings or `Document`): equal when
    /// they cover the same span. A side the document does not provide makes the comparison false.
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    /// Membership in a list value: the right side is an `Expr::List` (items of the left's type)
    /// or a `list` param (`Value::List` of `Value::Text`, the left side being text).
    InList(Box<Expr>, Box<Expr>),
    /// The left binding's span lies inside the right binding's span.
    Inside(Box<Expr>, Box<Expr>),
    /// An ordered value between two bounds; for times of day a low bound after the high one
    /// wraps past midnight (`[22:00, 08:00)`).
    InRange {
        value: Box<Expr>,
        lo: Box<Expr>,
        hi: Box<Expr>,
        lo_closed: bool,
        hi_closed: bool,
    },
    /// The left event (or instant) comes before the right one (events at the same instant are
    /// ordered by their place in the log).
    Before(Box<Expr>, Box<Expr>),
    /// The binding's (or text value's) text contains a match of the pattern.
    Matches(Box<Expr>, PatternId),
    Exists(Box<Query>),
    Count(Box<Query>),
    /// `min`/`max`/`sum` of the value (evaluated with the query's binding) over the query's
    /// bindings; the result has the value's type. Over no bindings the result is `empty`:
    /// for `sum` the zero of the value's type (none for money, whose currency is unknown), for
    /// `min`/`max` none; no value makes a comparison false.
    Aggregate {
        func: AggFunc,
        value: Box<Expr>,
        query: Box<Query>,
        empty: Option<Value>,
    },
    /// The combinations the checker lets through, and nothing else:
    /// number ∘ number → number (all four); percent±percent, money±money,
    /// duration±duration → same kind; number×kind, kind×number, kind÷number → kind;
    /// kind÷same kind → number (kind = percent, money or duration); instant±duration →
    /// instant, instant−instant → duration, date±duration → date (whole days). Money of two
    /// different currencies has no value.
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    List(Vec<Expr>),
}

/// What an expression is made of, one level down (see [`Expr::parts`]).
#[derive(Debug, Clone, Copy)]
pub enum Part<'a> {
    Expr(&'a Expr),
    /// A query, and the expression evaluated with each of its bindings (an aggregate's value).
    Query(&'a Query, Option<&'a Expr>),
}

impl Expr {
    /// The sub-expressions and queries directly inside this expression, for walks over the
    /// tree (free bindings, patterns used) that need not know every variant.
    pub fn parts(&self) -> Vec<Part<'_>> {
        use Expr as E;
        match self {
            E::Const(_) | E::Param(_) | E::Var(_) | E::Document => vec![],
            E::Prop(a, _) | E::Field(a, _) | E::Not(a) | E::Matches(a, _) => vec![Part::Expr(a)],
            E::Or(a, b)
            | E::And(a, b)
            | E::Compare(_, a, b)
            | E::InList(a, b)
            | E::Inside(a, b)
            | E::Before(a, b)
            | E::Arith(_, a, b) => vec![Part::Expr(a), Part::Expr(b)],
            E::InRange { value, lo, hi, .. } => {
                vec![Part::Expr(value), Part::Expr(lo), Part::Expr(hi)]
            }
            E::Exists(q) | E::Count(q) => vec![Part::Query(q, None)],
            E::Aggregate { value, query, .. } => vec![Part::Query(query, Some(value))],
            E::List(items) => items.iter().map(Part::Expr).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Query {
    pub kind: BinderKind,
    /// The slot this query binds.
    pub slot: usize,
    /// For `match`: what to match (required). For other kinds: keep bindings containing a match.
    pub pattern: Option<PatternId>,
    pub filter: Option<Expr>,
}

/// Index into `RuleSet::patterns`.
pub type PatternId = usize;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Pattern {
    /// Regex source as written in the rule file (not yet normalised), flags applied as `(?i)` etc.
    /// It compiles with the `regex` crate and does not match the empty string (checked).
    Regex(String),
    /// Literal text, matched with ASCII case folding.
    Literal(String),
    /// Any of these literals or regexes.
    Lexicon {
        name: String,
        literals: Vec<String>,
        regexes: Vec<String>,
    },
    /// Matches of `left` with a match of `right` at most `distance` characters away.
    Within {
        left: PatternId,
        distance: u32,
        right: PatternId,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Assertion {
    Forbid { query: Query, unless: Option<Expr> },
    Require { cond: Expr, unless: Option<Expr> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TemplatePart {
    Text(String),
    /// Never a bare binding: `{match}` is given as `Prop(Var(_), Prop::Text)`.
    Value(Expr),
}

/// A message or help text with `{…}` interpolations resolved.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Template {
    pub parts: Vec<TemplatePart>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Example {
    pub fire: bool,
    pub text: String,
    /// 1-based line in the rule file.
    pub line: usize,
}

/// Where something was defined: rule file path and 1-based line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Origin {
    pub file: String,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    pub title: String,
    /// Index into `RuleSet::packs`.
    pub pack: usize,
    pub concept: String,
    pub severity: Severity,
    pub cite: String,
    pub message: Template,
    pub help: Template,
    pub assertion: Assertion,
    pub subject: Subject,
    pub at: Option<Query>,
    pub examples: Vec<Example>,
    /// Number of query slots the rule uses. Slots are numbered in the order the checker meets
    /// the queries: the assertion first (a `forbid` query is always slot 0, then the queries
    /// in its `where`), then `unless`, `message`, `help`, and last the `at` query; a query
    /// comes before the queries nested in it.
    pub slots: usize,
    /// The name each slot's binder has in the rule file (`r`, or the kind when unnamed).
    pub slot_names: Vec<String>,
    /// The rule reads `emphasised`: only judge documents whose format shows emphasis.
    pub needs_emphasis: bool,
    /// Names of the params the rule reads (for `explain`).
    pub params: Vec<usize>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    pub pack: usize,
    pub name: String,
    pub ty: Type,
    pub value: Value,
    pub cite: Option<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pack {
    pub id: String,
    pub title: Option<String>,
    pub version: Option<String>,
    pub jurisdiction: Option<String>,
    pub files: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RuleSet {
    pub packs: Vec<Pack>,
    pub rules: Vec<Rule>,
    pub params: Vec<Param>,
    pub patterns: Vec<Pattern>,
}

/// Serde for `Type::Symbol`: written as its words, read back as the checker's static ones
/// (an unknown set of words is an error, so a stale serialised rule set is not trusted).
mod static_symbols {
    use serde::{de::Error, Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(values: &[&'static str], s: S) -> Result<S::Ok, S::Error> {
        values.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<&'static str>, D::Error> {
        let words = Vec::<String>::deserialize(d)?;
        super::super::check::static_symbol_values(&words)
            .map(<[&str]>::to_vec)
            .ok_or_else(|| D::Error::custom(format!("unknown symbol set {words:?}")))
    }
}
