//! Evaluating `event` queries: one debtor's events, sorted by (time, line).
//!
//! A nested query's window (`x.time in [e.time - 7d, e.time]`, `x before e`,
//! `x.local_date == e.local_date`) is turned into a slice of the sorted stream by binary
//! search, so a windowed count costs the events in the window, not the whole stream.

use super::eval::{mentions_slot, Evaluator};
use super::patterns::{PatternTable, Scan};
use super::value::{Binding, Val};
use crate::calendar::days_from_civil;
use crate::lang::ast::BinderKind;
use crate::lang::ir::{CmpOp, Expr, PatternId, Prop, Query};
use crate::log::schema::WEEKDAYS;
use crate::log::{Event, FieldValue};
use std::borrow::Cow;
use std::cell::OnceCell;

/// Local dates are at most this far from UTC dates (zones run from UTC−12 to UTC+14).
const ZONE_SLACK: i64 = 86_400;

type Env = Vec<Option<Binding>>;

/// The binding of the `index`-th event of the stream.
pub fn event_binding(index: usize) -> Binding {
    Binding {
        kind: BinderKind::Event,
        range: index..index + 1,
        index,
    }
}

/// An event's normalised text and its scan.
pub type ScannedText<'e> = (Cow<'e, str>, Scan);

/// Each event's text, normalised as document text is and scanned once for every pattern, on
/// first use: most rules never read most events' text (a rule asks about text only for the
/// events its other conditions let through), so most events are never scanned.
pub struct EventTexts<'e> {
    patterns: &'e PatternTable,
    events: &'e [Event],
    texts: Vec<OnceCell<Option<ScannedText<'e>>>>,
}

impl<'e> EventTexts<'e> {
    pub fn new(patterns: &'e PatternTable, events: &'e [Event]) -> Self {
        EventTexts {
            patterns,
            events,
            texts: (0..events.len()).map(|_| OnceCell::new()).collect(),
        }
    }

    /// The normalised text of event `index` and its scan; `None` for an event without text.
    pub fn get(&self, index: usize) -> Option<&ScannedText<'e>> {
        self.texts
            .get(index)?
            .get_or_init(|| {
                let text = normalised(self.events.get(index)?.text.as_deref()?);
                let scan = self.patterns.scan(&text);
                Some((text, scan))
            })
            .as_ref()
    }
}

/// The text as patterns see it; borrowed when normalising changes nothing.
fn normalised(text: &str) -> Cow<'_, str> {
    let changes = |c: char| crate::document::normalise_char(c) != Some(c);
    match text.char_indices().find(|(_, c)| changes(*c)) {
        None => Cow::Borrowed(text),
        Some((at, _)) => {
            let mut out = String::with_capacity(text.len());
            out.push_str(text.get(..at).unwrap_or_default());
            out.extend(
                text.get(at..)
                    .unwrap_or_default()
                    .chars()
                    .filter_map(crate::document::normalise_char),
            );
            Cow::Owned(out)
        }
    }
}

/// Bounds on candidates, as instants (inclusive) and stream positions (half-open).
struct Window {
    earliest: i64,
    latest: i64,
    from: usize,
    to: usize,
}

impl<'a> Evaluator<'a> {
    pub(super) fn event_candidates(&self, q: &'a Query, env: &mut Env) -> Vec<Binding> {
        let mut w = Window {
            earliest: i64::MIN,
            latest: i64::MAX,
            from: 0,
            to: self.events.len(),
        };
        if let Some(f) = &q.filter {
            self.narrow(f, q.slot, env, &mut w);
        }
        let events = self.events;
        let lo = events.partition_point(|e| e.time < w.earliest).max(w.from);
        let hi = events.partition_point(|e| e.time <= w.latest).min(w.to);
        (lo..hi.max(lo)).map(event_binding).collect()
    }

    /// Tighten `w` from the filter's top-level conjuncts that bound the binding of `slot` by
    /// values that do not depend on it. Only ever drops events the filter would reject.
    fn narrow(&self, f: &'a Expr, slot: usize, env: &mut Env, w: &mut Window) {
        let var = |e: &Expr| matches!(e, Expr::Var(s) if *s == slot);
        let prop_of_var =
            |e: &Expr, want: Prop| matches!(e, Expr::Prop(inner, p) if *p == want && var(inner));
        match f {
            Expr::And(a, b) => {
                self.narrow(a, slot, env, w);
                self.narrow(b, slot, env, w);
            }
            Expr::InRange { value, lo, hi, .. }
                if !mentions_slot(lo, slot) && !mentions_slot(hi, slot) =>
            {
                if prop_of_var(value, Prop::Time) {
                    if let Val::Instant(t) = self.eval(lo, env) {
                        w.earliest = w.earliest.max(t);
                    }
                    if let Val::Instant(t) = self.eval(hi, env) {
                        w.latest = w.latest.min(t);
                    }
                } else if prop_of_var(value, Prop::LocalDate) {
                    if let Some(t) = date_start(&self.eval(lo, env)) {
                        w.earliest = w.earliest.max(t - ZONE_SLACK);
                    }
                    if let Some(t) = date_start(&self.eval(hi, env)) {
                        w.latest = w.latest.min(t + 86_400 + ZONE_SLACK);
                    }
                }
            }
            Expr::Compare(op, l, r) if !mentions_slot(r, slot) => {
                self.narrow_compare(*op, l, r, slot, env, w)
            }
            Expr::Compare(op, l, r) if !mentions_slot(l, slot) => {
                self.narrow_compare(flip(*op), r, l, slot, env, w)
            }
            Expr::Before(a, b) if var(a) && !mentions_slot(b, slot) => {
                if let Val::Bind(e) = self.eval(b, env) {
                    w.to = w.to.min(e.index);
                }
            }
            Expr::Before(a, b) if var(b) && !mentions_slot(a, slot) => {
                if let Val::Bind(e) = self.eval(a, env) {
                    w.from = w.from.max(e.index + 1);
                }
            }
            _ => {}
        }
    }

    /// `x.time OP v` or `x.local_date OP d` (the binding on the left).
    fn narrow_compare(
        &self,
        op: CmpOp,
        l: &'a Expr,
        r: &'a Expr,
        slot: usize,
        env: &mut Env,
        w: &mut Window,
    ) {
        let Expr::Prop(inner, prop) = l else { return };
        if !matches!(inner.as_ref(), Expr::Var(s) if *s == slot) {
            return;
        }
        let (earliest, latest) = match (prop, self.eval(r, env)) {
            (Prop::Time, Val::Instant(t)) => (t, t),
            (Prop::LocalDate, v) => match date_start(&v) {
                Some(t) => (t - ZONE_SLACK, t + 86_400 + ZONE_SLACK),
                None => return,
            },
            _ => return,
        };
        match op {
            CmpOp::Eq => {
                w.earliest = w.earliest.max(earliest);
                w.latest = w.latest.min(latest);
            }
            CmpOp::Gt | CmpOp::Ge => w.earliest = w.earliest.max(earliest),
            CmpOp::Lt | CmpOp::Le => w.latest = w.latest.min(latest),
            CmpOp::Ne => {}
        }
    }

    pub(super) fn event_text_matches(&self, index: usize, pid: PatternId) -> bool {
        match self.event_texts.and_then(|t| t.get(index)) {
            Some((text, scan)) => {
                self.patterns.may_occur(pid, scan)
                    && !self.patterns.matches(pid, text, scan).is_empty()
            }
            _ => false,
        }
    }

    pub(super) fn event_prop(&self, index: usize, prop: Prop) -> Val<'a> {
        let Some(e) = self.events.get(index) else {
            return Val::Missing;
        };
        let text = |s: &'a Option<String>| {
            s.as_deref()
                .map_or(Val::Missing, |s| Val::Text(Cow::Borrowed(s)))
        };
        let symbol = |s: &'static str| Val::Symbol(Cow::Borrowed(s));
        match prop {
            Prop::Time => Val::Instant(e.time),
            Prop::LocalTime => Val::Time(e.local.seconds),
            Prop::LocalDate => Val::Date(e.local.year, e.local.month, e.local.day),
            Prop::Weekday => WEEKDAYS
                .get(usize::from(e.local.weekday))
                .map_or(Val::Missing, |d| symbol(d)),
            Prop::Kind => symbol(e.kind.as_str()),
            Prop::Party => symbol(e.party.as_str()),
            Prop::Direction => symbol(e.direction.as_str()),
            Prop::Outcome => e.outcome.map_or(Val::Missing, |o| symbol(o.as_str())),
            Prop::Text => match self.event_texts.and_then(|t| t.get(index)) {
                Some((t, _)) => Val::Text(Cow::Borrowed(t.as_ref())),
                None => Val::Missing,
            },
            Prop::Id => text(&e.id),
            Prop::Debtor => Val::Text(Cow::Borrowed(e.debtor.as_str())),
            // A log without accounts has one debt per debtor: the same (empty) account; a log
            // without numbers dials one unknown number per debtor, so per-number limits
            // still count its calls.
            Prop::Account => Val::Text(Cow::Borrowed(e.account.as_deref().unwrap_or(""))),
            Prop::To => Val::Text(Cow::Borrowed(e.to.as_deref().unwrap_or(""))),
            Prop::Agent => text(&e.agent),
            Prop::Zone => Val::Text(Cow::Borrowed(e.zone.as_str())),
            Prop::Recorded => e.recorded.map_or(Val::Missing, Val::Bool),
            _ => Val::Missing,
        }
    }

    pub(super) fn event_field(&self, b: &Binding, name: &str) -> Val<'a> {
        if b.kind != BinderKind::Event {
            return Val::Missing;
        }
        match self.events.get(b.index).and_then(|e| e.extra.get(name)) {
            Some(FieldValue::Text(s)) => Val::Text(Cow::Borrowed(s.as_str())),
            Some(FieldValue::Number(n)) => Val::Number(*n),
            Some(FieldValue::Bool(x)) => Val::Bool(*x),
            None => Val::Missing,
        }
    }
}

/// Midnight UTC at the start of a date, in seconds since the epoch.
fn date_start(v: &Val) -> Option<i64> {
    match v {
        Val::Date(y, m, d) => days_from_civil(*y, *m, *d).checked_mul(86_400),
        _ => None,
    }
}

/// `a OP b` as `b OP' a`.
pub(super) fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}
