//! Run-time values of the rule language and their operations. Types were
//! checked before any document was read, so a mismatch here means "the
//! document does not provide it" and yields `Missing` (comparisons with it are false).

use crate::lang::ast::BinderKind;
use crate::lang::ir::{ArithOp, CmpOp, Value};
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::ops::Range;

/// Something a query bound: a span of the document, of a kind, with the index
/// into the document's list for that kind (sentence #3, rate #0…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub kind: BinderKind,
    pub range: Range<usize>,
    pub index: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Val<'a> {
    Bool(bool),
    Number(Decimal),
    Percent(Decimal),
    Money(Decimal, Cow<'a, str>),
    Duration(Decimal),
    Time(u32),
    Date(i32, u8, u8),
    Text(Cow<'a, str>),
    Symbol(Cow<'a, str>),
    List(Vec<Val<'a>>),
    Bind(Binding),
    /// The whole document.
    Document,
    /// A value the document does not provide.
    Missing,
}

impl<'a> Val<'a> {
    pub fn from_const(v: &'a Value) -> Val<'a> {
        match v {
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => Val::Number(*n),
            Value::Percent(p) => Val::Percent(*p),
            Value::Money { amount, currency } => Val::Money(*amount, Cow::Borrowed(currency)),
            Value::Duration(d) => Val::Duration(*d),
            Value::Time(t) => Val::Time(*t),
            Value::Date { year, month, day } => Val::Date(*year, *month, *day),
            Value::Text(s) => Val::Text(Cow::Borrowed(s)),
            Value::Symbol(s) => Val::Symbol(Cow::Borrowed(s)),
            Value::List(items) => Val::List(items.iter().map(Val::from_const).collect()),
        }
    }

    pub fn truthy(&self) -> bool {
        matches!(self, Val::Bool(true))
    }
}

/// Order two values of the same type; `None` when they cannot be compared.
pub fn compare(a: &Val, b: &Val) -> Option<Ordering> {
    match (a, b) {
        (Val::Number(x), Val::Number(y))
        | (Val::Percent(x), Val::Percent(y))
        | (Val::Duration(x), Val::Duration(y)) => Some(x.cmp(y)),
        (Val::Money(x, cx), Val::Money(y, cy)) if cx.eq_ignore_ascii_case(cy) => Some(x.cmp(y)),
        (Val::Time(x), Val::Time(y)) => Some(x.cmp(y)),
        (Val::Date(y1, m1, d1), Val::Date(y2, m2, d2)) => Some((y1, m1, d1).cmp(&(y2, m2, d2))),
        (Val::Text(x), Val::Text(y)) | (Val::Symbol(x), Val::Symbol(y)) => Some(x.cmp(y)),
        (Val::Text(x), Val::Symbol(y)) | (Val::Symbol(x), Val::Text(y)) => {
            Some(x.as_ref().cmp(y.as_ref()))
        }
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
        (Val::Bind(x), Val::Bind(y)) => {
            Some((x.range.start, x.range.end).cmp(&(y.range.start, y.range.end)))
        }
        (Val::Document, Val::Document) => Some(Ordering::Equal),
        _ => None,
    }
}

pub fn apply_cmp(op: CmpOp, a: &Val, b: &Val) -> bool {
    let Some(ord) = compare(a, b) else {
        return false;
    };
    match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    }
}

pub fn arith<'a>(op: ArithOp, a: Val<'a>, b: Val<'a>) -> Val<'a> {
    use Val::*;
    let num = |x: Decimal, y: Decimal| -> Option<Decimal> {
        match op {
            ArithOp::Add => x.checked_add(y),
            ArithOp::Sub => x.checked_sub(y),
            ArithOp::Mul => x.checked_mul(y),
            ArithOp::Div => x.checked_div(y),
        }
    };
    let additive = matches!(op, ArithOp::Add | ArithOp::Sub);
    let result = match (a, b) {
        (Number(x), Number(y)) => num(x, y).map(Number),
        (Percent(x), Percent(y)) if additive => num(x, y).map(Percent),
        (Percent(x), Percent(y)) if op == ArithOp::Div => num(x, y).map(Number),
        (Duration(x), Duration(y)) if additive => num(x, y).map(Duration),
        (Duration(x), Duration(y)) if op == ArithOp::Div => num(x, y).map(Number),
        (Money(x, cx), Money(y, cy)) if additive && cx.eq_ignore_ascii_case(&cy) => {
            num(x, y).map(|v| Money(v, cx))
        }
        (Money(x, cx), Money(y, cy)) if op == ArithOp::Div && cx.eq_ignore_ascii_case(&cy) => {
            num(x, y).map(Number)
        }
        (Number(x), Percent(y)) if op == ArithOp::Mul => num(x, y).map(Percent),
        (Percent(x), Number(y)) if !additive => num(x, y).map(Percent),
        (Number(x), Duration(y)) if op == ArithOp::Mul => num(x, y).map(Duration),
        (Duration(x), Number(y)) if !additive => num(x, y).map(Duration),
        (Number(x), Money(y, c)) if op == ArithOp::Mul => num(x, y).map(|v| Money(v, c)),
        (Money(x, c), Number(y)) if !additive => num(x, y).map(|v| Money(v, c)),
        _ => None,
    };
    result.unwrap_or(Missing)
}

/// Text for message interpolation: `36%`, `10000 CNY`, `30d`, `22:00`.
pub fn display(v: &Val) -> String {
    match v {
        Val::Bool(b) => b.to_string(),
        Val::Number(n) => n.normalize().to_string(),
        Val::Percent(p) => format!("{}%", p.round_dp(4).normalize()),
        Val::Money(a, c) => format!("{} {}", a.round_dp(2).normalize(), c),
        Val::Duration(secs) => display_duration(*secs),
        Val::Time(t) => format!("{:02}:{:02}", t / 3600, (t % 3600) / 60),
        Val::Date(y, m, d) => format!("{y:04}-{m:02}-{d:02}"),
        Val::Text(s) | Val::Symbol(s) => s.to_string(),
        Val::List(items) => items.iter().map(display).collect::<Vec<_>>().join(", "),
        Val::Bind(_) | Val::Document => String::new(),
        Val::Missing => "?".to_string(),
    }
}

fn display_duration(secs: Decimal) -> String {
    let units = [(86400, "d"), (3600, "h"), (60, "min")];
    for (size, suffix) in units {
        let size = Decimal::from(size);
        if secs >= size && (secs % size).is_zero() {
            return format!("{}{suffix}", (secs / size).normalize());
        }
    }
    if secs >= Decimal::from(86400) {
        return format!("{}d", (secs / Decimal::from(86400)).round_dp(2).normalize());
    }
    format!("{}s", secs.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn units_combine_as_the_checker_promised() {
        let four_lpr = arith(ArithOp::Mul, Val::Number(d("4")), Val::Percent(d("3.1")));
        assert_eq!(four_lpr, Val::Percent(d("12.4")));
        assert!(apply_cmp(CmpOp::Gt, &Val::Percent(d("18.25")), &four_lpr));
        let cny = Val::Money(d("10000"), "CNY".into());
        let usd = Val::Money(d("10"), "USD".into());
        assert!(
            !apply_cmp(CmpOp::Gt, &cny, &usd),
            "different currencies never compare"
        );
        assert!(!apply_cmp(CmpOp::Ne, &Val::Missing, &Val::Percent(d("1"))));
        assert_eq!(display(&Val::Percent(d("18.2500"))), "18.25%");
        assert_eq!(display(&Val::Duration(d("2592000"))), "30d");
        assert_eq!(display(&cny), "10000 CNY");
    }
}
