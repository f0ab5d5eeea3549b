//! Showing rule-language values and message templates as text (for `explain`).

use crate::lang::ir::{Expr, Prop, Rule, RuleSet, Template, TemplatePart, Value};
use rust_decimal::Decimal;

/// A value as a rule author writes it: `24%`, `10000 CNY`, `30d`, `22:00`, `"text"`.
pub fn format_value(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.normalize().to_string(),
        Value::Percent(p) => format!("{}%", p.normalize()),
        Value::Money { amount, currency } => format!("{} {currency}", amount.normalize()),
        Value::Duration(seconds) => format_duration(*seconds),
        Value::Time(s) => format!("{:02}:{:02}", s / 3600, (s % 3600) / 60),
        Value::Date { year, month, day } => format!("{year:04}-{month:02}-{day:02}"),
        Value::Text(t) => format!("{t:?}"),
        Value::Symbol(s) => s.clone(),
        Value::List(items) => {
            let inner: Vec<String> = items.iter().map(format_value).collect();
            format!("[{}]", inner.join(", "))
        }
    }
}

/// The largest whole unit among d, h, min; seconds otherwise.
fn format_duration(seconds: Decimal) -> String {
    let units = [(86_400, "d"), (3_600, "h"), (60, "min")];
    for (size, suffix) in units {
        let size = Decimal::from(size);
        if !seconds.is_zero() && (seconds % size).is_zero() {
            return format!("{}{suffix}", (seconds / size).normalize());
        }
    }
    format!("{}s", seconds.normalize())
}

/// A message or help template as text: literal parts as written, interpolations as `{name}`
/// (`{apr_cap}`, `{rate.annualised}`), and `{…}` for computed values.
pub fn template_text(template: &Template, rule: &Rule, set: &RuleSet) -> String {
    let slots = &rule.slot_names;
    let mut out = String::new();
    for part in &template.parts {
        match part {
            TemplatePart::Text(t) => out.push_str(t),
            TemplatePart::Value(e) => {
                out.push('{');
                out.push_str(&describe(e, slots, set).unwrap_or_else(|| "…".into()));
                out.push('}');
            }
        }
    }
    out
}

/// The name of a simple interpolated expression (a param, a binding, or a property chain).
fn describe(e: &Expr, slots: &[String], set: &RuleSet) -> Option<String> {
    match e {
        Expr::Param(i) => set.params.get(*i).map(|p| p.name.clone()),
        Expr::Var(slot) => slots.get(*slot).filter(|n| !n.is_empty()).cloned(),
        Expr::Document => Some("document".into()),
        Expr::Prop(inner, prop) => Some(format!(
            "{}.{}",
            describe(inner, slots, set)?,
            prop_name(*prop)
        )),
        Expr::Field(inner, name) => Some(format!("{}.extra.{name}", describe(inner, slots, set)?)),
        _ => None,
    }
}

fn prop_name(p: Prop) -> &'static str {
    match p {
        Prop::Text => "text",
        Prop::Sentence => "sentence",
        Prop::Clause => "clause",
        Prop::Paragraph => "paragraph",
        Prop::Emphasised => "emphasised",
        Prop::Number => "number",
        Prop::Title => "title",
        Prop::Value => "value",
        Prop::Annualised => "annualised",
        Prop::Period => "period",
        Prop::Kind => "kind",
        Prop::Amount => "amount",
        Prop::Currency => "currency",
        Prop::Length => "length",
        Prop::Time => "time",
        Prop::LocalTime => "local_time",
        Prop::LocalDate => "local_date",
        Prop::Weekday => "weekday",
        Prop::Id => "id",
        Prop::Debtor => "debtor",
        Prop::Account => "account",
        Prop::To => "to",
        Prop::Agent => "agent",
        Prop::Zone => "zone",
        Prop::Party => "party",
        Prop::Direction => "direction",
        Prop::Outcome => "outcome",
        Prop::Recorded => "recorded",
        Prop::ImpliedApr => "implied_apr",
        Prop::DisclosedApr => "disclosed_apr",
        Prop::Principal => "principal",
        Prop::AmountReceived => "amount_received",
        Prop::UpfrontFee => "upfront_fee",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::rules::tests::sample_rule_set;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn values_read_as_written_in_a_rule_file() {
        assert_eq!(format_value(&Value::Percent(dec("24.0"))), "24%");
        assert_eq!(
            format_value(&Value::Money {
                amount: dec("10000.00"),
                currency: "CNY".into()
            }),
            "10000 CNY"
        );
        assert_eq!(format_value(&Value::Duration(dec("2592000"))), "30d");
        assert_eq!(format_value(&Value::Duration(dec("900"))), "15min");
        assert_eq!(format_value(&Value::Duration(dec("7"))), "7s");
        assert_eq!(format_value(&Value::Time(22 * 3600)), "22:00");
        assert_eq!(format_value(&Value::Time(8 * 3600 + 30 * 60)), "08:30");
        assert_eq!(
            format_value(&Value::Date {
                year: 2021,
                month: 1,
                day: 5
            }),
            "2021-01-05"
        );
        assert_eq!(
            format_value(&Value::List(vec![
                Value::Text("股票".into()),
                Value::Symbol("annual".into())
            ])),
            "[\"股票\", annual]"
        );
    }

    #[test]
    fn templates_show_text_and_named_interpolations() {
        let set = sample_rule_set();
        let rule = &set.rules[0];
        assert_eq!(
            template_text(&rule.message, rule, &set),
            "年化利率 {r.annualised} 超过上限 {apr_cap}，{…}"
        );
    }
}
