//! Counting an `event` sub-query in O(log n) per outer event instead of visiting its window.
//!
//! `count(event x where x.kind == call and x.local_date == e.local_date and not (x after e))`
//! is asked once per event `e` of a debtor's stream. Visiting every event of the window each
//! time makes a debtor with many events in one window quadratic. Instead, the filter's
//! conjuncts are sorted, once per debtor and sub-query, into
//! - conditions on `x` alone (`x.kind == call`), evaluated once per event of the stream;
//! - equalities between `x` and the outer bindings (`x.to == e.to`), which group the events
//!   that pass the first kind by their key;
//! - bounds on `x`'s time or stream position (`x.time in (e.time - 168h, e.time]`,
//!   `not (x after e)`, and local-date bounds when local dates run in stream order), which
//!   become a slice of the stream by binary search;
//! - conditions without `x` (`e.kind == call`), which hold for all candidates or none.
//!
//! How a filter's conjuncts sort depends on the rules alone: a log check sorts them once per
//! plan ([`IndexShapes`]), and each debtor's index only groups its events.
//!
//! The count for `e` is then the number of positions of `e`'s group inside `e`'s slice: two
//! binary searches. Any other conjunct (a disjunction mixing `x` and `e`, a nested query reading
//! both) is a residual: evaluated only on the group's events inside the slice, so such a count
//! costs those events, not the window. A filter whose bounds or keys cannot be read (a local-date
//! bound when zones make dates go backwards) has no index and is evaluated event by event.

use super::eval::{free_slots, mentions_slot, Evaluator};
use super::events::{event_binding, flip};
use super::value::{Binding, Val};
use crate::lang::ast::BinderKind;
use crate::lang::ir::{CmpOp, Expr, Prop, Query};
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::collections::HashMap;

type Env = Vec<Option<Binding>>;

#[cfg(test)]
thread_local! {
    /// Tests turn the index off to compare with visiting every event.
    pub(super) static DISABLED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[cfg(test)]
fn tests_disabled() -> bool {
    DISABLED.with(std::cell::Cell::get)
}

#[cfg(not(test))]
fn tests_disabled() -> bool {
    false
}

#[cfg(test)]
impl EventIndex<'_> {
    pub(super) fn residual_count(&self) -> usize {
        self.residuals.len()
    }
}

/// A sub-query's filter, sorted as the module comment says, and the stream grouped by it.
pub(super) struct EventIndex<'a> {
    /// Conjuncts without `x`.
    gates: Vec<&'a Expr>,
    /// The outer side of each `x.… == outer` conjunct, in the order of a group's key.
    keys: Vec<&'a Expr>,
    bounds: Vec<Bound<'a>>,
    /// Conjuncts reading both `x` and the outer bindings in another way: evaluated per candidate.
    residuals: Vec<&'a Expr>,
    /// Stream positions of the events that pass every condition on `x` alone, ascending, by
    /// their key values.
    groups: HashMap<Vec<Key<'a>>, Vec<usize>>,
}

/// A bound on `x` from one conjunct; the expression is the outer side.
#[derive(Clone, Copy)]
pub(crate) enum Bound<'a> {
    /// `x.time` (or `x.local_date`) at or after (`closed`) or strictly after the value.
    Lower(Prop, &'a Expr, bool),
    /// `x.time` (or `x.local_date`) at or before (`closed`) or strictly before the value.
    Upper(Prop, &'a Expr, bool),
    /// `x before b`: `x` comes earlier in the stream than the event `b`.
    Before(&'a Expr),
    /// `a before x`.
    After(&'a Expr),
    /// `not (b before x)`, i.e. `not (x after b)`: `x` is `b` or earlier.
    UpTo(&'a Expr),
    /// `not (x before a)`: `x` is `a` or later.
    From(&'a Expr),
}

/// A value as equality sees it: two values are `==` exactly when their keys are equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key<'a> {
    Text(Cow<'a, str>),
    Decimal(u8, Decimal),
    Money(Decimal, String),
    Whole(u8, i64),
    Date(i32, u8, u8),
    Bool(bool),
    Span(usize, usize),
    Document,
}

/// What a value's key is: none for a value equal to nothing (`Missing`); `Err` for one whose
/// equality this index does not model (a list), which disables the index.
fn key_of(v: Val<'_>) -> Result<Option<Key<'_>>, ()> {
    Ok(Some(match v {
        Val::Missing => return Ok(None),
        Val::Text(s) | Val::Symbol(s) => Key::Text(s),
        Val::Number(n) => Key::Decimal(0, n.normalize()),
        Val::Percent(n) => Key::Decimal(1, n.normalize()),
        Val::Duration(n) => Key::Decimal(2, n.normalize()),
        Val::Money(n, c) => Key::Money(n.normalize(), c.to_ascii_lowercase()),
        Val::Time(t) => Key::Whole(0, i64::from(t)),
        Val::Instant(t) => Key::Whole(1, t),
        Val::Date(y, m, d) => Key::Date(y, m, d),
        Val::Bool(b) => Key::Bool(b),
        Val::Bind(b) => Key::Span(b.range.start, b.range.end),
        Val::Document => Key::Document,
        Val::List(_) => return Err(()),
    }))
}

/// How one conjunct of the filter of the query binding `slot` is used.
#[derive(Clone, Copy)]
pub(crate) enum Conjunct<'a> {
    Gate(&'a Expr),
    Residual(&'a Expr),
    OnX(&'a Expr),
    Key { on_x: &'a Expr, outer: &'a Expr },
    Bound(Bound<'a>),
}

/// How the filter of every `event` sub-query of some rules sorts into conjuncts, by the
/// query's address. Worked out once per log check: per debtor, it was 3% of one.
pub(crate) struct IndexShapes<'a> {
    by_query: super::eval::AddressMap<Vec<Conjunct<'a>>>,
}

impl<'a> IndexShapes<'a> {
    /// The shapes of the log rules `include` selects (by index): a check of one rule's
    /// example sorts that rule's filters, not every rule's.
    pub(crate) fn of(rules: &'a crate::lang::ir::RuleSet, include: &dyn Fn(usize) -> bool) -> Self {
        let mut by_query = super::eval::AddressMap::default();
        let log_rules = rules.rules.iter().enumerate();
        for (_, rule) in
            log_rules.filter(|(i, r)| r.subject == crate::lang::ir::Subject::Log && include(*i))
        {
            super::visit_rule(rule, &mut |node| {
                if let super::Node::Query(q) = node {
                    if q.kind == BinderKind::Event && q.pattern.is_none() {
                        by_query.insert(q as *const Query as usize, sorted_conjuncts(q));
                    }
                }
            });
        }
        IndexShapes { by_query }
    }

    /// The sorted conjuncts of `q`'s filter, if `q` is one of the rule set's `event` queries.
    pub(crate) fn conjuncts_of(&self, q: &Query) -> Option<&[Conjunct<'a>]> {
        self.by_query
            .get(&(q as *const Query as usize))
            .map(Vec::as_slice)
    }
}

/// The conjuncts of `q`'s filter, each sorted by what the index does with it.
pub(crate) fn sorted_conjuncts(q: &Query) -> Vec<Conjunct<'_>> {
    let mut parts = Vec::new();
    if let Some(f) = &q.filter {
        conjuncts(f, &mut parts);
    }
    let mut sorted = Vec::new();
    for c in parts {
        if classify(c, q.slot, &mut sorted).is_none() {
            sorted.push(Conjunct::Residual(c));
        }
    }
    sorted
}

/// Sort one conjunct into `out`; `None` when it is none of the kinds the index handles.
fn classify<'a>(c: &'a Expr, slot: usize, out: &mut Vec<Conjunct<'a>>) -> Option<()> {
    if !mentions_slot(c, slot) {
        out.push(Conjunct::Gate(c));
        return Some(());
    }
    let only_x = |e: &Expr| free_slots(e).iter().all(|&s| s == slot);
    if only_x(c) {
        out.push(Conjunct::OnX(c));
        return Some(());
    }
    let is_x = |e: &Expr| matches!(e, Expr::Var(s) if *s == slot);
    let outer = |e: &Expr| !mentions_slot(e, slot);
    // Extra fields are typed per record, and `"1" == 1` holds at run time: equal keys would
    // need equal types, so equalities on them are not indexed.
    let keyable = |e: &Expr| only_x(e) && !reads_extra_field(e);
    let conjunct = match c {
        Expr::Compare(CmpOp::Eq, l, r) if keyable(l) && outer(r) => {
            Conjunct::Key { on_x: l, outer: r }
        }
        Expr::Compare(CmpOp::Eq, l, r) if outer(l) && keyable(r) => {
            Conjunct::Key { on_x: r, outer: l }
        }
        Expr::Compare(op, l, r) if outer(r) => Conjunct::Bound(compare_bound(*op, l, r, slot)?),
        Expr::Compare(op, l, r) if outer(l) => {
            Conjunct::Bound(compare_bound(flip(*op), r, l, slot)?)
        }
        Expr::InRange {
            value,
            lo,
            hi,
            lo_closed,
            hi_closed,
        } if outer(lo) && outer(hi) => {
            let prop = ordered_prop(value, slot)?;
            out.push(Conjunct::Bound(Bound::Lower(prop, lo, *lo_closed)));
            Conjunct::Bound(Bound::Upper(prop, hi, *hi_closed))
        }
        Expr::Before(a, b) if is_x(a) && outer(b) => Conjunct::Bound(Bound::Before(b)),
        Expr::Before(a, b) if outer(a) && is_x(b) => Conjunct::Bound(Bound::After(a)),
        Expr::Not(inner) => match inner.as_ref() {
            Expr::Before(a, b) if outer(a) && is_x(b) => Conjunct::Bound(Bound::UpTo(a)),
            Expr::Before(a, b) if is_x(a) && outer(b) => Conjunct::Bound(Bound::From(b)),
            _ => return None,
        },
        _ => return None,
    };
    out.push(conjunct);
    Some(())
}

fn reads_extra_field(e: &Expr) -> bool {
    matches!(e, Expr::Field(..))
        || e.parts().into_iter().any(|part| match part {
            crate::lang::ir::Part::Expr(x) => reads_extra_field(x),
            crate::lang::ir::Part::Query(..) => true,
        })
}

/// `x.time` or `x.local_date`: the properties the stream is ordered by.
fn ordered_prop(e: &Expr, slot: usize) -> Option<Prop> {
    match e {
        Expr::Prop(inner, p @ (Prop::Time | Prop::LocalDate)) if matches!(inner.as_ref(), Expr::Var(s) if *s == slot) => {
            Some(*p)
        }
        _ => None,
    }
}

/// `x.time OP v` or `x.local_date OP v` as a bound (`x` on the left).
fn compare_bound<'a>(op: CmpOp, l: &'a Expr, r: &'a Expr, slot: usize) -> Option<Bound<'a>> {
    let prop = ordered_prop(l, slot)?;
    Some(match op {
        CmpOp::Lt => Bound::Upper(prop, r, false),
        CmpOp::Le => Bound::Upper(prop, r, true),
        CmpOp::Gt => Bound::Lower(prop, r, false),
        CmpOp::Ge => Bound::Lower(prop, r, true),
        CmpOp::Eq | CmpOp::Ne => return None,
    })
}

/// The conjuncts of a filter, `and` flattened.
fn conjuncts<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
    match e {
        Expr::And(a, b) => {
            conjuncts(a, out);
            conjuncts(b, out);
        }
        _ => out.push(e),
    }
}

/// The slice of the stream `[from, to)` and the instants `[earliest, latest]` a count spans.
struct Slice {
    from: usize,
    to: usize,
    earliest: i64,
    latest: i64,
    first_date: Option<(i32, u8, u8)>,
    last_date: Option<(i32, u8, u8)>,
}

impl<'a> Evaluator<'a> {
    /// The number of events passing `q`'s filter under the outer bindings in `env`, by the
    /// index; `None` when the filter has no index (the caller then evaluates it directly).
    pub(super) fn indexed_count(&self, q: &'a Query, env: &mut Env) -> Option<usize> {
        if q.kind != BinderKind::Event || tests_disabled() {
            return None;
        }
        let index = self.event_index(q, env)?;
        for gate in &index.gates {
            if !self.eval(gate, env).truthy() {
                return Some(0);
            }
        }
        let mut key = Vec::with_capacity(index.keys.len());
        for outer in &index.keys {
            match key_of(self.eval(outer, env)).ok()? {
                Some(k) => key.push(k),
                None => return Some(0),
            }
        }
        let Some(positions) = index.groups.get(&key) else {
            return Some(0);
        };
        let Some((from, to)) = self.slice(&index.bounds, env)? else {
            return Some(0);
        };
        let lo = positions.partition_point(|&p| p < from);
        let hi = positions.partition_point(|&p| p < to);
        let candidates = positions.get(lo..hi).unwrap_or_default();
        if index.residuals.is_empty() {
            return Some(candidates.len());
        }
        let saved = env[q.slot].clone();
        let passing = candidates
            .iter()
            .filter(|&&p| {
                env[q.slot] = Some(event_binding(p));
                index.residuals.iter().all(|r| self.eval(r, env).truthy())
            })
            .count();
        env[q.slot] = saved;
        Some(passing)
    }

    /// The stream positions `bounds` allow, half-open; `Some(None)` when they allow none;
    /// `None` when a bound's value is not what the index expects.
    #[allow(clippy::option_option)]
    fn slice(&self, bounds: &[Bound<'a>], env: &mut Env) -> Option<Option<(usize, usize)>> {
        let events = self.events;
        let mut s = Slice {
            from: 0,
            to: events.len(),
            earliest: i64::MIN,
            latest: i64::MAX,
            first_date: None,
            last_date: None,
        };
        let event_at = |v: Val| match v {
            Val::Bind(b) if b.kind == BinderKind::Event => Some(b.index),
            _ => None,
        };
        for bound in bounds {
            match bound {
                Bound::Lower(Prop::Time, v, closed) => {
                    let Val::Instant(t) = self.eval(v, env) else {
                        return None;
                    };
                    let t = if *closed { t } else { t.checked_add(1)? };
                    s.earliest = s.earliest.max(t);
                }
                Bound::Upper(Prop::Time, v, closed) => {
                    let Val::Instant(t) = self.eval(v, env) else {
                        return None;
                    };
                    let t = if *closed { t } else { t.checked_sub(1)? };
                    s.latest = s.latest.min(t);
                }
                Bound::Lower(_, v, closed) => {
                    let Val::Date(y, m, d) = self.eval(v, env) else {
                        return None;
                    };
                    let d = if *closed {
                        (y, m, d)
                    } else {
                        next_day((y, m, d))?
                    };
                    s.first_date = Some(s.first_date.map_or(d, |f| f.max(d)));
                }
                Bound::Upper(_, v, closed) => {
                    let Val::Date(y, m, d) = self.eval(v, env) else {
                        return None;
                    };
                    let d = if *closed {
                        (y, m, d)
                    } else {
                        previous_day((y, m, d))?
                    };
                    s.last_date = Some(s.last_date.map_or(d, |l| l.min(d)));
                }
                Bound::Before(b) => s.to = s.to.min(event_at(self.eval(b, env))?),
                Bound::After(a) => s.from = s.from.max(event_at(self.eval(a, env))? + 1),
                Bound::UpTo(b) => s.to = s.to.min(event_at(self.eval(b, env))? + 1),
                Bound::From(a) => s.from = s.from.max(event_at(self.eval(a, env))?),
            }
        }
        let date = |e: &crate::log::Event| (e.local.year, e.local.month, e.local.day);
        let mut from = s.from.max(events.partition_point(|e| e.time < s.earliest));
        let mut to = s.to.min(events.partition_point(|e| e.time <= s.latest));
        if let Some(first) = s.first_date {
            from = from.max(events.partition_point(|e| date(e) < first));
        }
        if let Some(last) = s.last_date {
            to = to.min(events.partition_point(|e| date(e) <= last));
        }
        Some((from < to).then_some((from, to)))
    }

    /// The index of `q` for this debtor's stream, built on first use.
    fn event_index(&self, q: &'a Query, env: &mut Env) -> Option<std::rc::Rc<EventIndex<'a>>> {
        let key = q as *const Query as usize;
        if let Some(found) = self.event_indexes.borrow().get(&key) {
            return found.clone();
        }
        let built = self.build_index(q, env).map(std::rc::Rc::new);
        self.event_indexes.borrow_mut().insert(key, built.clone());
        built
    }

    pub(super) fn build_index(&self, q: &'a Query, env: &mut Env) -> Option<EventIndex<'a>> {
        if q.kind != BinderKind::Event || q.pattern.is_some() {
            return None;
        }
        let (mut gates, mut on_x, mut keys, mut on_x_keys, mut bounds, mut residuals) = (
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        );
        let sorted = match self.index_shapes.and_then(|s| s.conjuncts_of(q)) {
            Some(known) => known.to_vec(),
            None => sorted_conjuncts(q),
        };
        for c in sorted {
            match c {
                Conjunct::Gate(g) => gates.push(g),
                Conjunct::OnX(x) => on_x.push(x),
                Conjunct::Key { on_x, outer } => {
                    on_x_keys.push(on_x);
                    keys.push(outer);
                }
                Conjunct::Bound(b) => bounds.push(b),
                Conjunct::Residual(r) => residuals.push(r),
            }
        }
        // Local-date bounds are a slice only when local dates run in stream order (one zone).
        let uses_dates = bounds.iter().any(|b| {
            matches!(
                b,
                Bound::Lower(Prop::LocalDate, ..) | Bound::Upper(Prop::LocalDate, ..)
            )
        });
        if uses_dates && !self.local_dates_in_order() {
            return None;
        }
        let saved = env[q.slot].clone();
        let mut groups: HashMap<Vec<Key<'a>>, Vec<usize>> = HashMap::new();
        let mut usable = true;
        'events: for i in 0..self.events.len() {
            env[q.slot] = Some(event_binding(i));
            for c in &on_x {
                if !self.eval(c, env).truthy() {
                    continue 'events;
                }
            }
            let mut key = Vec::with_capacity(on_x_keys.len());
            for k in &on_x_keys {
                match key_of(self.eval(k, env)) {
                    Ok(Some(k)) => key.push(k),
                    Ok(None) => continue 'events,
                    Err(()) => {
                        usable = false;
                        break 'events;
                    }
                }
            }
            groups.entry(key).or_default().push(i);
        }
        env[q.slot] = saved;
        usable.then_some(EventIndex {
            gates,
            keys,
            bounds,
            residuals,
            groups,
        })
    }

    fn local_dates_in_order(&self) -> bool {
        self.events.windows(2).all(|w| {
            let (a, b) = (&w[0].local, &w[1].local);
            (a.year, a.month, a.day) <= (b.year, b.month, b.day)
        })
    }
}

fn next_day((y, m, d): (i32, u8, u8)) -> Option<(i32, u8, u8)> {
    let days = crate::calendar::days_from_civil(y, m, d).checked_add(1)?;
    crate::calendar::civil_from_days(days)
}

fn previous_day((y, m, d): (i32, u8, u8)) -> Option<(i32, u8, u8)> {
    let days = crate::calendar::days_from_civil(y, m, d).checked_sub(1)?;
    crate::calendar::civil_from_days(days)
}
