//! Run-time values of the rule language and their operations. Types were
//! checked before any document was read, so a mismatch here means "the
//! document does not provide it" and yields `Missing` (comparisons with it are false).

use crate::calendar::{civil_from_days, days_from_civil};
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
    /// Seconds since the Unix epoch.
    Instant(i64),
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
        (Val::Instant(x), Val::Instant(y)) => Some(x.cmp(y)),
        (Val::Date(y1, m1, d1), Val::Date(y2, m2, d2)) => Some((y1, m1, d1).cmp(&(y2, m2, d2))),
        (Val::Text(x), Val::Text(y)) | (Val::Symbol(x), Val::Symbol(y)) => Some(x.cmp(y)),
        (Val::Text(x), Val::Symbol(y)) | (Val::Symbol(x), Val::Text(y)) => {
            Some(x.as_ref().cmp(y.as_ref()))
        }
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
        // Only a record's extra fields are typed at run time: a log that writes numbers and
        // flags as strings (`"collectors": "1"`, `"consent": "yes"`) still compares as the
        // rule means. Text that is no number or flag compares with nothing.
        (Val::Text(t), Val::Number(n)) => Some(number_in(t)?.cmp(n)),
        (Val::Number(n), Val::Text(t)) => Some(n.cmp(&number_in(t)?)),
        (Val::Text(t), Val::Bool(b)) => Some(flag_in(t)?.cmp(b)),
        (Val::Bool(b), Val::Text(t)) => Some(b.cmp(&flag_in(t)?)),
        (Val::Bind(x), Val::Bind(y)) => {
            Some((x.range.start, x.range.end).cmp(&(y.range.start, y.range.end)))
        }
        (Val::Document, Val::Document) => Some(Ordering::Equal),
        _ => None,
    }
}

/// A number written as text (`"2"`, `" 1.50 "`); a JSON list counts its items
/// (`"collectors": ["张伟", "李强"]` is 2).
fn number_in(text: &str) -> Option<Decimal> {
    let text = text.trim();
    if text.starts_with('[') {
        let items: Vec<serde_json::Value> = serde_json::from_str(text).ok()?;
        return Some(Decimal::from(items.len()));
    }
    text.parse().ok()
}

/// A yes/no written as text, in the words logs use: a flag word, or a note that starts with
/// yes/no or states consent (`"口头同意晚间联系"`) or its refusal.
fn flag_in(text: &str) -> Option<bool> {
    let lower = text.trim().to_lowercase();
    match lower.as_str() {
        "true" | "yes" | "y" | "1" | "是" | "有" | "同意" => return Some(true),
        "false" | "no" | "n" | "0" | "否" | "无" | "不同意" => return Some(false),
        _ => {}
    }
    let refused = [
        "不同意",
        "未同意",
        "没同意",
        "没有同意",
        "拒绝",
        "不允许",
        "撤回",
        "not ",
        "withdr",
        "revok",
    ];
    if refused.iter().any(|w| lower.contains(w)) || lower.starts_with("no ") {
        return Some(false);
    }
    let agreed = ["同意", "允许", "consent", "agreed"];
    if agreed.iter().any(|w| lower.contains(w)) || lower.starts_with("yes") {
        return Some(true);
    }
    None
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

/// `v` between `lo` and `hi`, each end included or not. For times of day a range whose low
/// end is after its high end wraps past midnight: `[22:00, 08:00)` holds 23:00 and 07:59.
pub fn in_range(v: &Val, lo: &Val, hi: &Val, lo_closed: bool, hi_closed: bool) -> bool {
    let (Some(from_lo), Some(to_hi)) = (compare(v, lo), compare(v, hi)) else {
        return false;
    };
    let above_lo = from_lo == Ordering::Greater || (lo_closed && from_lo == Ordering::Equal);
    let below_hi = to_hi == Ordering::Less || (hi_closed && to_hi == Ordering::Equal);
    let wraps = matches!((lo, hi), (Val::Time(a), Val::Time(b)) if a > b);
    if wraps {
        above_lo || below_hi
    } else {
        above_lo && below_hi
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
        (Instant(t), Duration(d)) if additive => shift_instant(t, d, op),
        (Duration(d), Instant(t)) if op == ArithOp::Add => shift_instant(t, d, op),
        (Instant(x), Instant(y)) if op == ArithOp::Sub => {
            x.checked_sub(y).map(|s| Duration(Decimal::from(s)))
        }
        (Date(y, m, d), Duration(len)) if additive => shift_date((y, m, d), len, op),
        (Duration(len), Date(y, m, d)) if op == ArithOp::Add => shift_date((y, m, d), len, op),
        _ => None,
    };
    result.unwrap_or(Missing)
}

fn shift_instant<'a>(t: i64, by: Decimal, op: ArithOp) -> Option<Val<'a>> {
    let secs = i64::try_from(by.trunc()).ok()?;
    let secs = if op == ArithOp::Sub { -secs } else { secs };
    t.checked_add(secs).map(Val::Instant)
}

/// A date moved by whole days (a duration's fraction of a day is dropped).
fn shift_date<'a>((y, m, d): (i32, u8, u8), by: Decimal, op: ArithOp) -> Option<Val<'a>> {
    let days = i64::try_from((by / Decimal::from(86_400)).trunc()).ok()?;
    let days = if op == ArithOp::Sub { -days } else { days };
    let (y, m, d) = civil_from_days(days_from_civil(y, m, d).checked_add(days)?)?;
    Some(Val::Date(y, m, d))
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
        Val::Instant(t) => display_instant(*t),
        Val::Text(s) | Val::Symbol(s) => s.to_string(),
        Val::List(items) => items.iter().map(display).collect::<Vec<_>>().join(", "),
        Val::Bind(_) | Val::Document => String::new(),
        Val::Missing => "?".to_string(),
    }
}

/// An instant in UTC, RFC 3339 (`2026-03-02T14:30:00Z`).
fn display_instant(t: i64) -> String {
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    match civil_from_days(days) {
        Some((y, m, d)) => format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        ),
        None => t.to_string(),
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

    #[test]
    fn extra_fields_written_as_text_compare_as_numbers_and_flags() {
        let text = |s: &'static str| Val::Text(Cow::Borrowed(s));
        let two = Val::Number(Decimal::from(2));
        assert!(apply_cmp(CmpOp::Lt, &text("1"), &two));
        assert!(apply_cmp(CmpOp::Eq, &text(" 2.0 "), &two));
        assert!(apply_cmp(CmpOp::Gt, &two, &text("1.5")));
        // Not a number: compares with nothing, either way round.
        assert!(!apply_cmp(CmpOp::Lt, &text("two"), &two));
        assert!(!apply_cmp(CmpOp::Ge, &text("two"), &two));
        for yes in ["true", "Yes", "y", "1", "是", "同意"] {
            assert!(apply_cmp(CmpOp::Eq, &text(yes), &Val::Bool(true)), "{yes}");
        }
        for no in ["FALSE", "no", "0", "否", "不同意"] {
            assert!(apply_cmp(CmpOp::Eq, &Val::Bool(false), &text(no)), "{no}");
        }
        for yes in [
            "口头同意晚间联系",
            "Yes - verbal",
            "consumer agreed to evening calls",
        ] {
            assert!(apply_cmp(CmpOp::Eq, &text(yes), &Val::Bool(true)), "{yes}");
        }
        for no in [
            "客户拒绝",
            "未同意夜间联系",
            "did not consent",
            "no consent given",
        ] {
            assert!(apply_cmp(CmpOp::Eq, &text(no), &Val::Bool(false)), "{no}");
        }
        assert!(apply_cmp(CmpOp::Lt, &text(r#"["孙浩"]"#), &two));
        assert!(apply_cmp(CmpOp::Eq, &text(r#"["张伟", "李强"]"#), &two));
        assert!(!apply_cmp(CmpOp::Eq, &text("maybe"), &Val::Bool(true)));
        assert!(!apply_cmp(CmpOp::Ne, &text("maybe"), &Val::Bool(true)));
    }

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

    #[test]
    fn ranges_include_their_ends_as_written_and_times_wrap() {
        let t = |h: u32, m: u32| Val::Time(h * 3600 + m * 60);
        let quiet = |v: &Val| in_range(v, &t(22, 0), &t(8, 0), true, false);
        assert!(quiet(&t(22, 0)) && quiet(&t(23, 59)) && quiet(&t(0, 0)) && quiet(&t(7, 59)));
        assert!(!quiet(&t(8, 0)) && !quiet(&t(21, 59)) && !quiet(&t(12, 0)));
        let n = |x: &str| Val::Number(d(x));
        assert!(in_range(&n("1"), &n("1"), &n("2"), true, false));
        assert!(!in_range(&n("1"), &n("1"), &n("2"), false, true));
        assert!(in_range(&n("2"), &n("1"), &n("2"), false, true));
        assert!(!in_range(&n("2"), &n("1"), &n("2"), true, false));
        assert!(!in_range(&Val::Missing, &n("1"), &n("2"), true, true));
    }

    #[test]
    fn instants_and_dates_move_by_durations() {
        let week = Val::Duration(d("604800"));
        let t = Val::Instant(1_772_461_800); // 2026-03-02T14:30:00Z
        assert_eq!(display(&t), "2026-03-02T14:30:00Z");
        assert_eq!(
            arith(ArithOp::Sub, t.clone(), week.clone()),
            Val::Instant(1_771_857_000)
        );
        assert_eq!(
            arith(ArithOp::Sub, t.clone(), Val::Instant(1_772_461_000)),
            Val::Duration(d("800"))
        );
        // Across a month end and a leap day.
        assert_eq!(
            arith(ArithOp::Add, Val::Date(2028, 2, 25), week),
            Val::Date(2028, 3, 3)
        );
        assert_eq!(
            arith(
                ArithOp::Sub,
                Val::Date(2026, 1, 1),
                Val::Duration(d("86400"))
            ),
            Val::Date(2025, 12, 31)
        );
    }
}
