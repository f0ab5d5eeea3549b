//! Evaluating checked rules on one subject (a document and its facts).

use super::patterns::{PatternTable, Scan};
use super::value::{apply_cmp, arith, display, in_range, Binding, Val};
use crate::document::Document;
use crate::extract::loan_terms::{loan_figures, LoanFigures};
use crate::extract::Facts;
use crate::lang::ast::BinderKind;
use crate::lang::ir::{
    AggFunc, Assertion, Expr, Param, Part, PatternId, Prop, Query, Rule, Template, TemplatePart,
};
use crate::log::Event;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::ops::Range;

/// A violation before it is located in the file: a range of the normalised text.
#[derive(Debug, Clone, PartialEq)]
pub struct RawFinding {
    pub range: Range<usize>,
    pub message: String,
    pub help: String,
}

pub struct Evaluator<'a> {
    pub(super) patterns: &'a PatternTable,
    params: &'a [Param],
    doc: &'a Document,
    facts: &'a Facts,
    scan: &'a Scan,
    /// The spans of every binding, per kind (indexed by `kind_slot`), computed once per document.
    spans: [Vec<Range<usize>>; 10],
    /// For a log: one debtor's events, sorted by (time, line); `event` bindings index into it
    /// (their range is `i..i + 1`, so bindings order as the events do). Empty for a document.
    pub(super) events: &'a [Event],
    /// Each event's text, normalised as document text is, and scanned for every pattern once.
    pub(super) event_texts: Option<&'a super::events::EventTexts<'a>>,
    /// Values of sub-queries (`exists`, `count`, `min`/`max`/`sum`) that read no outer binding:
    /// the same for the whole document, so computed once (keyed by the expression's address).
    closed: RefCell<AddressMap<Option<Val<'a>>>>,
    /// The plan's [`super::closed_subqueries`]; without it, worked out per evaluator.
    pub(super) closed_subqueries: Option<&'a AddressMap<bool>>,
    /// The loan the contract describes, worked out the first time a rule reads it.
    loan: OnceCell<LoanFigures>,
    /// Per `event` sub-query (keyed by its address): its count index over this stream, or
    /// `None` when its filter has none.
    pub(super) event_indexes:
        RefCell<AddressMap<Option<std::rc::Rc<super::event_index::EventIndex<'a>>>>>,
    /// How the plan's `event` sub-queries' filters sort; without it, worked out per evaluator.
    pub(super) index_shapes: Option<&'a super::event_index::IndexShapes<'a>>,
}

/// A map keyed by the address of an expression or query of the plan: the memo tables are
/// asked on every evaluation of a sub-query, where SipHash was 2% of a log check.
pub(crate) type AddressMap<V> = HashMap<usize, V, std::hash::BuildHasherDefault<AddressHasher>>;

/// A multiplicative hash of an address, folded so that its low bits (the bucket) depend on
/// all of it: addresses are aligned, their own low bits are always zero.
#[derive(Default)]
pub(crate) struct AddressHasher(u64);

impl std::hash::Hasher for AddressHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(self.0 ^ u64::from(*b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        let x = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = x ^ (x >> 29);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type Env = Vec<Option<Binding>>;

fn kind_slot(kind: BinderKind) -> usize {
    match kind {
        BinderKind::Match => 0,
        BinderKind::Sentence => 1,
        BinderKind::Clause => 2,
        BinderKind::Paragraph => 3,
        BinderKind::Rate => 4,
        BinderKind::Money => 5,
        BinderKind::Duration => 6,
        BinderKind::Date => 7,
        BinderKind::Blank => 8,
        BinderKind::Event => 9,
    }
}

impl<'a> Evaluator<'a> {
    pub fn new(
        patterns: &'a PatternTable,
        params: &'a [Param],
        doc: &'a Document,
        facts: &'a Facts,
        scan: &'a Scan,
    ) -> Evaluator<'a> {
        let spans = [
            Vec::new(),
            (doc.sentences.iter().map(|r| r.range.clone()).collect()),
            (doc.clauses.iter().map(|c| c.range.clone()).collect()),
            (doc.paragraphs.iter().map(|r| r.range.clone()).collect()),
            (facts.rates.iter().map(|x| x.span.clone()).collect()),
            (facts.money.iter().map(|x| x.span.clone()).collect()),
            (facts.durations.iter().map(|x| x.span.clone()).collect()),
            (facts.dates.iter().map(|x| x.span.clone()).collect()),
            doc.blanks.clone(),
            Vec::new(),
        ];
        Evaluator {
            patterns,
            params,
            doc,
            facts,
            scan,
            spans,
            events: &[],
            event_texts: None,
            closed: RefCell::new(AddressMap::default()),
            closed_subqueries: None,
            loan: OnceCell::new(),
            event_indexes: RefCell::new(AddressMap::default()),
            index_shapes: None,
        }
    }

    /// An evaluator over one debtor's events (`empty` is an empty document and its facts and
    /// scan: a log rule reads no contract text, the checker made sure).
    pub fn for_events(
        patterns: &'a PatternTable,
        params: &'a [Param],
        empty: (&'a Document, &'a Facts, &'a Scan),
        events: &'a [Event],
        texts: &'a super::events::EventTexts<'a>,
    ) -> Evaluator<'a> {
        let mut ev = Evaluator::new(patterns, params, empty.0, empty.1, empty.2);
        ev.events = events;
        ev.event_texts = Some(texts);
        ev
    }

    /// Evaluate a sub-query expression once per document when it reads no outer binding.
    fn memoised(
        &self,
        e: &'a Expr,
        env: &mut Env,
        compute: impl FnOnce(&Self, &mut Env) -> Val<'a>,
    ) -> Val<'a> {
        let key = e as *const Expr as usize;
        let cached = self.closed.borrow().get(&key).cloned();
        match cached {
            Some(Some(v)) => v,
            Some(None) => compute(self, env),
            None => {
                let v = compute(self, env);
                let closed = match self.closed_subqueries.and_then(|c| c.get(&key)) {
                    Some(closed) => *closed,
                    None => free_slots(e).is_empty(),
                };
                self.closed
                    .borrow_mut()
                    .insert(key, closed.then(|| v.clone()));
                v
            }
        }
    }

    pub fn run(&self, rule: &'a Rule) -> Vec<RawFinding> {
        let mut env: Env = vec![None; rule.slots.max(1)];
        let mut out = Vec::new();
        match &rule.assertion {
            Assertion::Forbid { query, unless } => {
                for b in self.bindings(query, &mut env) {
                    env[query.slot] = Some(b.clone());
                    if unless
                        .as_ref()
                        .is_some_and(|u| self.eval(u, &mut env).truthy())
                    {
                        continue;
                    }
                    out.push(self.finding(rule, b.range.clone(), &mut env));
                }
            }
            Assertion::Require { cond, unless } => {
                if self.eval(cond, &mut env).truthy()
                    || unless
                        .as_ref()
                        .is_some_and(|u| self.eval(u, &mut env).truthy())
                {
                    return out;
                }
                let anchor = rule.at.as_ref().and_then(|q| {
                    let first = self.bindings(q, &mut env).into_iter().next()?;
                    env[q.slot] = Some(first.clone());
                    // Something missing is shown at the first line of the place it belongs
                    // (a clause's heading), not across the whole clause.
                    Some(first_line(&self.doc.text, first.range))
                });
                let range = anchor.unwrap_or_else(|| self.document_start());
                out.push(self.finding(rule, range, &mut env));
            }
        }
        out.dedup_by(|a, b| a.range == b.range);
        out
    }

    fn finding(&self, rule: &'a Rule, range: Range<usize>, env: &mut Env) -> RawFinding {
        RawFinding {
            range,
            message: self.render(&rule.message, env),
            help: self.render(&rule.help, env),
        }
    }

    /// The first line with text, for findings about something missing with nowhere better to point.
    fn document_start(&self) -> Range<usize> {
        if !self.events.is_empty() {
            return 0..1;
        }
        self.doc
            .paragraphs
            .first()
            .map_or(0..0, |p| p.range.clone())
    }

    fn render(&self, t: &'a Template, env: &mut Env) -> String {
        let mut s = String::new();
        for part in &t.parts {
            match part {
                TemplatePart::Text(x) => s.push_str(x),
                TemplatePart::Value(e) => s.push_str(&self.interpolate(e, env)),
            }
        }
        s
    }

    /// Bindings and their text show as the original file has them (full-width and all).
    fn interpolate(&self, e: &'a Expr, env: &mut Env) -> String {
        let span_of = |v: &Val| match v {
            Val::Bind(b) if b.kind != BinderKind::Event => Some(b.range.clone()),
            _ => None,
        };
        let range = match e {
            Expr::Prop(inner, Prop::Text) => span_of(&self.eval(inner, env)),
            _ => None,
        };
        let v = self.eval(e, env);
        if let (Expr::Prop(_, Prop::ImpliedApr | Prop::DisclosedApr), Val::Percent(p)) = (e, &v) {
            // APRs are quoted to two decimals (10.90%), however many the figure has.
            return format!("{:.2}%", p.round_dp(2));
        }
        match range.or_else(|| span_of(&v)) {
            Some(r) => {
                let src = self.doc.to_source(r);
                self.doc
                    .source
                    .get(src)
                    .unwrap_or_default()
                    .trim()
                    .to_string()
            }
            None => display(&v),
        }
    }

    pub(super) fn eval(&self, e: &'a Expr, env: &mut Env) -> Val<'a> {
        match e {
            Expr::Const(v) => Val::from_const(v),
            Expr::Param(i) => self
                .params
                .get(*i)
                .map_or(Val::Missing, |p| Val::from_const(&p.value)),
            Expr::Var(slot) => env
                .get(*slot)
                .cloned()
                .flatten()
                .map_or(Val::Missing, Val::Bind),
            Expr::Document => Val::Document,
            Expr::Prop(inner, prop) => {
                let v = self.eval(inner, env);
                self.prop(v, *prop)
            }
            Expr::Field(inner, name) => match self.eval(inner, env) {
                Val::Bind(b) => self.event_field(&b, name),
                _ => Val::Missing,
            },
            Expr::InRange {
                value,
                lo,
                hi,
                lo_closed,
                hi_closed,
            } => {
                let (v, lo, hi) = (
                    self.eval(value, env),
                    self.eval(lo, env),
                    self.eval(hi, env),
                );
                Val::Bool(in_range(&v, &lo, &hi, *lo_closed, *hi_closed))
            }
            Expr::Before(a, b) => {
                let (x, y) = (self.eval(a, env), self.eval(b, env));
                Val::Bool(super::value::compare(&x, &y) == Some(Ordering::Less))
            }
            Expr::Or(a, b) => Val::Bool(self.eval(a, env).truthy() || self.eval(b, env).truthy()),
            Expr::And(a, b) => Val::Bool(self.eval(a, env).truthy() && self.eval(b, env).truthy()),
            Expr::Not(a) => Val::Bool(!self.eval(a, env).truthy()),
            Expr::Compare(op, a, b) => {
                let (x, y) = (self.eval(a, env), self.eval(b, env));
                Val::Bool(apply_cmp(*op, &x, &y))
            }
            Expr::InList(a, list) => {
                let x = self.eval(a, env);
                let equal = |y: &Val| apply_cmp(crate::lang::ir::CmpOp::Eq, &x, y);
                // A list written in the rule is compared item by item, not built as a value
                // first: building and dropping it per event was ~5% of a log check with the
                // built-in packs. The first equal item ends the search.
                if let Expr::List(items) = list.as_ref() {
                    return Val::Bool(items.iter().any(|i| {
                        let y = self.eval(i, env);
                        equal(&y)
                    }));
                }
                let Val::List(items) = self.eval(list, env) else {
                    return Val::Bool(false);
                };
                Val::Bool(items.iter().any(equal))
            }
            Expr::Inside(a, b) => {
                let (x, y) = (self.eval(a, env), self.eval(b, env));
                Val::Bool(match (self.range_of(&x), self.range_of(&y)) {
                    (Some(x), Some(y)) => y.start <= x.start && x.end <= y.end,
                    _ => false,
                })
            }
            Expr::Matches(a, pid) => {
                // An event's text was scanned once for all patterns: use that scan.
                if let Expr::Prop(inner, Prop::Text) = a.as_ref() {
                    if let Val::Bind(b) = self.eval(inner, env) {
                        if b.kind == BinderKind::Event {
                            return Val::Bool(self.event_text_matches(b.index, *pid));
                        }
                    }
                }
                let x = self.eval(a, env);
                Val::Bool(self.value_matches(&x, *pid))
            }
            Expr::Exists(q) => self.memoised(e, env, |this, env| {
                Val::Bool(match this.indexed_count(q, env) {
                    Some(n) => n > 0,
                    None => this.any_binding(q, env),
                })
            }),
            Expr::Count(q) => self.memoised(e, env, |this, env| {
                let n = this
                    .indexed_count(q, env)
                    .unwrap_or_else(|| this.bindings(q, env).len());
                Val::Number(Decimal::from(n))
            }),
            Expr::Aggregate {
                func,
                value,
                query,
                empty,
            } => self.memoised(e, env, |this, env| {
                this.aggregate(*func, value, query, env)
                    .unwrap_or_else(|| empty.as_ref().map_or(Val::Missing, Val::from_const))
            }),
            Expr::Arith(op, a, b) => {
                let (x, y) = (self.eval(a, env), self.eval(b, env));
                arith(*op, x, y)
            }
            Expr::List(items) => Val::List(items.iter().map(|i| self.eval(i, env)).collect()),
        }
    }

    fn range_of(&self, v: &Val) -> Option<Range<usize>> {
        match v {
            Val::Bind(b) if b.kind == BinderKind::Event => None,
            Val::Bind(b) => Some(b.range.clone()),
            Val::Document => Some(0..self.doc.text.len()),
            _ => None,
        }
    }

    fn value_matches(&self, v: &Val, pid: PatternId) -> bool {
        match v {
            Val::Bind(b) if b.kind == BinderKind::Event => self.event_text_matches(b.index, pid),
            Val::Bind(b) => self.contains_match(&b.range, pid),
            Val::Document => !self
                .patterns
                .matches(pid, &self.doc.text, self.scan)
                .is_empty(),
            Val::Text(s) => {
                let scan = self.patterns.scan(s);
                !self.patterns.matches(pid, s, &scan).is_empty()
            }
            _ => false,
        }
    }

    /// Whether a match of `pid` lies wholly inside `range`.
    fn contains_match(&self, range: &Range<usize>, pid: PatternId) -> bool {
        if !self.patterns.may_occur(pid, self.scan) {
            return false;
        }
        let ms = self.patterns.matches(pid, &self.doc.text, self.scan);
        let first = ms.partition_point(|m| m.start < range.start);
        ms[first..]
            .iter()
            .take_while(|m| m.start < range.end)
            .any(|m| m.end <= range.end)
    }

    /// `None` when no binding gives a value.
    fn aggregate(
        &self,
        func: AggFunc,
        value: &'a Expr,
        q: &'a Query,
        env: &mut Env,
    ) -> Option<Val<'a>> {
        let mut acc: Option<Val<'a>> = None;
        for b in self.bindings(q, env) {
            env[q.slot] = Some(b);
            let v = self.eval(value, env);
            if v == Val::Missing {
                continue;
            }
            acc = Some(match acc {
                None => v,
                Some(a) => match func {
                    AggFunc::Sum => arith(crate::lang::ir::ArithOp::Add, a, v),
                    AggFunc::Min => pick(a, v, Ordering::Less),
                    AggFunc::Max => pick(a, v, Ordering::Greater),
                },
            });
        }
        acc
    }

    fn any_binding(&self, q: &'a Query, env: &mut Env) -> bool {
        // Same as `!bindings().is_empty()`, but stops at the first.
        let saved = env[q.slot].clone();
        let found = self.candidates(q, env).into_iter().any(|b| {
            env[q.slot] = Some(b);
            q.filter.as_ref().is_none_or(|f| self.eval(f, env).truthy())
        });
        env[q.slot] = saved;
        found
    }

    /// The bindings of a query that pass its filter, in document order.
    pub fn bindings(&self, q: &'a Query, env: &mut Env) -> Vec<Binding> {
        let saved = env[q.slot].clone();
        let mut out = Vec::new();
        for b in self.candidates(q, env) {
            env[q.slot] = Some(b.clone());
            if q.filter.as_ref().is_none_or(|f| self.eval(f, env).truthy()) {
                out.push(b);
            }
        }
        env[q.slot] = saved;
        out
    }

    /// Bindings of the query's kind that may pass: all of them, or only those inside the
    /// region the filter confines them to (`x in c`), or only those around a match of a
    /// pattern they must contain. Narrowing here keeps nested queries (`exists rate b where
    /// b in r.clause`) from scanning the whole document for every outer binding.
    fn candidates(&self, q: &'a Query, env: &mut Env) -> Vec<Binding> {
        if q.kind == BinderKind::Event {
            return self.event_candidates(q, env);
        }
        let required = q
            .pattern
            .or_else(|| q.filter.as_ref().and_then(|f| required_match(f, q.slot)));
        let scope = q
            .filter
            .as_ref()
            .and_then(|f| required_scope(f, q.slot))
            .map(|region| {
                let v = self.eval(region, env);
                self.range_of(&v)
            });
        let scope = match scope {
            Some(None) => return Vec::new(), // confined to a region the document lacks
            Some(Some(r)) => r,
            None => 0..self.doc.text.len(),
        };
        let bind = |kind: BinderKind, index: usize, range: &Range<usize>| Binding {
            kind,
            range: range.clone(),
            index,
        };
        if q.kind == BinderKind::Match {
            let Some(pid) = q.pattern else {
                return Vec::new();
            };
            if !self.patterns.may_occur(pid, self.scan) {
                return Vec::new();
            }
            let ms = self.patterns.matches(pid, &self.doc.text, self.scan);
            let (lo, hi) = span_window(ms, &scope);
            return (lo..hi)
                .filter(|&i| ms[i].end <= scope.end)
                .map(|i| bind(q.kind, i, &ms[i]))
                .collect();
        }
        let spans = self.spans(q.kind);
        match required {
            Some(pid) if is_region(q.kind) => {
                if !self.patterns.may_occur(pid, self.scan) {
                    return Vec::new();
                }
                let ms = self.patterns.matches(pid, &self.doc.text, self.scan);
                let (lo, hi) = span_window(ms, &scope);
                let mut out: Vec<Binding> = Vec::new();
                for m in &ms[lo..hi] {
                    if let Some((index, range)) = enclosing(spans, m.start) {
                        let inside = scope.start <= range.start && range.end <= scope.end;
                        if inside
                            && m.end <= range.end
                            && out.last().is_none_or(|l| l.index != index)
                        {
                            out.push(Binding {
                                kind: q.kind,
                                range,
                                index,
                            });
                        }
                    }
                }
                out
            }
            _ => {
                let (lo, hi) = span_window(spans, &scope);
                (lo..hi)
                    .filter(|&i| spans[i].end <= scope.end)
                    .filter(|&i| required.is_none_or(|pid| self.contains_match(&spans[i], pid)))
                    .map(|i| bind(q.kind, i, &spans[i]))
                    .collect()
            }
        }
    }

    /// The spans of every binding of a (non-match) kind, sorted.
    fn spans(&self, kind: BinderKind) -> &[Range<usize>] {
        &self.spans[kind_slot(kind)]
    }

    fn prop(&self, v: Val<'a>, prop: Prop) -> Val<'a> {
        if let Val::Bind(b) = &v {
            if b.kind == BinderKind::Event {
                return self.event_prop(b.index, prop);
            }
        }
        let (b, range) = match &v {
            Val::Bind(b) => (Some(b), b.range.clone()),
            Val::Document => (None, 0..self.doc.text.len()),
            _ => return Val::Missing,
        };
        let d = self.doc;
        match prop {
            Prop::Text => d
                .text
                .get(range)
                .map_or(Val::Missing, |t| Val::Text(Cow::Borrowed(t))),
            Prop::Emphasised => Val::Bool(d.is_emphasised(&range)),
            Prop::Sentence => self.enclosing_binding(BinderKind::Sentence, &range),
            Prop::Clause => self.enclosing_binding(BinderKind::Clause, &range),
            Prop::Paragraph => self.enclosing_binding(BinderKind::Paragraph, &range),
            Prop::ImpliedApr
            | Prop::DisclosedApr
            | Prop::Principal
            | Prop::AmountReceived
            | Prop::UpfrontFee => match b {
                None => self.loan_prop(prop),
                Some(_) => Val::Missing,
            },
            _ => b.map_or(Val::Missing, |b| self.fact_prop(b, prop)),
        }
    }

    /// Whether a rule has read the document's loan (its terms are read only on demand).
    #[cfg(test)]
    pub(super) fn loan_was_read(&self) -> bool {
        self.loan.get().is_some()
    }

    /// A figure of the document's loan; the terms are read once, when a rule first asks.
    fn loan_prop(&self, prop: Prop) -> Val<'a> {
        let loan = self
            .loan
            .get_or_init(|| loan_figures(&self.doc.text, self.facts));
        let money = |amount: Option<Decimal>| {
            amount.map_or(Val::Missing, |a| {
                Val::Money(a, Cow::Owned(loan.currency.clone()))
            })
        };
        match prop {
            Prop::ImpliedApr => loan.implied_apr.map_or(Val::Missing, Val::Percent),
            Prop::DisclosedApr => loan.disclosed_apr.map_or(Val::Missing, Val::Percent),
            Prop::Principal => money(loan.principal),
            Prop::AmountReceived => money(loan.amount_received),
            Prop::UpfrontFee => money(loan.upfront_fee),
            _ => Val::Missing,
        }
    }

    fn enclosing_binding(&self, kind: BinderKind, range: &Range<usize>) -> Val<'a> {
        match enclosing(self.spans(kind), range.start) {
            Some((index, r)) => Val::Bind(Binding {
                kind,
                range: r,
                index,
            }),
            None => Val::Missing,
        }
    }

    fn fact_prop(&self, b: &Binding, prop: Prop) -> Val<'a> {
        let f = self.facts;
        let missing = Val::Missing;
        match (b.kind, prop) {
            (BinderKind::Clause, Prop::Number) => self
                .doc
                .clauses
                .get(b.index)
                .map_or(missing, |c| Val::Text(Cow::Borrowed(c.number.as_str()))),
            (BinderKind::Clause, Prop::Title) => self
                .doc
                .clauses
                .get(b.index)
                .map_or(missing, |c| Val::Text(Cow::Borrowed(c.title.as_str()))),
            (BinderKind::Rate, _) => {
                let Some(r) = f.rates.get(b.index) else {
                    return missing;
                };
                match prop {
                    Prop::Value => Val::Percent(r.value),
                    Prop::Annualised => Val::Percent(r.annualised),
                    Prop::Period => Val::Symbol(Cow::Borrowed(r.period.as_str())),
                    Prop::Kind => Val::Symbol(Cow::Borrowed(r.kind.as_str())),
                    _ => missing,
                }
            }
            (BinderKind::Money, Prop::Amount) => f.money.get(b.index).map_or(missing, |m| {
                Val::Money(m.amount, Cow::Borrowed(m.currency.as_str()))
            }),
            (BinderKind::Money, Prop::Currency) => f
                .money
                .get(b.index)
                .map_or(missing, |m| Val::Text(Cow::Borrowed(m.currency.as_str()))),
            (BinderKind::Duration, Prop::Length) => f
                .durations
                .get(b.index)
                .and_then(|x| x.days().checked_mul(Decimal::from(86400)))
                .map_or(missing, Val::Duration),
            (BinderKind::Date, Prop::Value) => f
                .dates
                .get(b.index)
                .map_or(missing, |x| Val::Date(x.year, x.month, x.day)),
            _ => missing,
        }
    }
}

/// `range` cut at its first line break, trimmed of white space.
fn first_line(text: &str, range: Range<usize>) -> Range<usize> {
    let r = trim_range(text, range);
    match text.get(r.clone()).and_then(|t| t.find('\n')) {
        Some(nl) => trim_range(text, r.start..r.start + nl),
        None => r,
    }
}

/// `range` without leading and trailing white space (unchanged if it is all white space).
pub fn trim_range(text: &str, range: Range<usize>) -> Range<usize> {
    let Some(t) = text.get(range.clone()) else {
        return range;
    };
    let trimmed = t.trim();
    if trimmed.is_empty() {
        return range;
    }
    let start = range.start + (t.len() - t.trim_start().len());
    start..start + trimmed.len()
}

fn pick<'a>(a: Val<'a>, b: Val<'a>, want: Ordering) -> Val<'a> {
    match super::value::compare(&b, &a) {
        Some(o) if o == want => b,
        _ => a,
    }
}

fn is_region(kind: BinderKind) -> bool {
    matches!(
        kind,
        BinderKind::Sentence | BinderKind::Paragraph | BinderKind::Clause
    )
}

/// A pattern the binding of `slot` must contain for `filter` to hold: a top-level
/// conjunct `slot matches P`.
fn required_match(filter: &Expr, slot: usize) -> Option<PatternId> {
    match filter {
        Expr::Matches(inner, pid) if **inner == Expr::Var(slot) => Some(*pid),
        Expr::And(a, b) => required_match(a, slot).or_else(|| required_match(b, slot)),
        _ => None,
    }
}

/// A region the binding of `slot` must lie inside for `filter` to hold: a top-level conjunct
/// `slot in R`, where `R` does not itself depend on the binding.
fn required_scope(filter: &Expr, slot: usize) -> Option<&Expr> {
    match filter {
        Expr::Inside(inner, region)
            if **inner == Expr::Var(slot) && !mentions_slot(region, slot) =>
        {
            Some(region)
        }
        Expr::And(a, b) => required_scope(a, slot).or_else(|| required_scope(b, slot)),
        _ => None,
    }
}

/// The slots an expression reads that it does not bind itself (its outer bindings).
pub(super) fn free_slots(e: &Expr) -> Vec<usize> {
    fn walk(e: &Expr, bound: &mut Vec<usize>, out: &mut Vec<usize>) {
        if let Expr::Var(s) = e {
            if !bound.contains(s) && !out.contains(s) {
                out.push(*s);
            }
        }
        for part in e.parts() {
            match part {
                Part::Expr(x) => walk(x, bound, out),
                Part::Query(q, value) => {
                    bound.push(q.slot);
                    for x in q.filter.iter().chain(value) {
                        walk(x, bound, out);
                    }
                    bound.pop();
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(e, &mut Vec::new(), &mut out);
    out
}

pub(super) fn mentions_slot(e: &Expr, slot: usize) -> bool {
    matches!(e, Expr::Var(s) if *s == slot)
        || e.parts().into_iter().any(|part| match part {
            Part::Expr(x) => mentions_slot(x, slot),
            Part::Query(q, value) => q.filter.iter().chain(value).any(|x| mentions_slot(x, slot)),
        })
}

/// The index range of sorted `spans` that start inside `scope`.
fn span_window(spans: &[Range<usize>], scope: &Range<usize>) -> (usize, usize) {
    let lo = spans.partition_point(|s| s.start < scope.start);
    let hi = lo + spans[lo..].partition_point(|s| s.start < scope.end.max(scope.start + 1));
    (lo, hi)
}

/// The span (and its index) among sorted, non-overlapping `spans` that contains `pos`.
fn enclosing(spans: &[Range<usize>], pos: usize) -> Option<(usize, Range<usize>)> {
    let i = spans.partition_point(|s| s.start <= pos);
    let i = i.checked_sub(1)?;
    let s = &spans[i];
    (pos < s.end || (s.is_empty() && pos == s.start)).then(|| (i, s.clone()))
}

/// Patterns a rule needs to occur before it can fire; `None` when it may fire on any document
/// (a `require`, or a `forbid` over facts or regions without a required pattern).
pub fn trigger_patterns(rule: &Rule) -> Option<PatternId> {
    match &rule.assertion {
        Assertion::Forbid { query, .. } => query.pattern.or_else(|| {
            query
                .filter
                .as_ref()
                .and_then(|f| required_match(f, query.slot))
        }),
        Assertion::Require { .. } => None,
    }
}
