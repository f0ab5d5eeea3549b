//! `loanlint extract`: the facts the extractors found, located in the original file.

use super::table::render_table;
use crate::document::Document;
use crate::extract::{DurationUnit, Facts, Period, RateKind};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value as Json};
use std::ops::Range;

/// One fact, located in the original file.
#[derive(Debug, Clone, PartialEq)]
pub struct FactRow {
    /// The text of the span in the original file (not the normalised text).
    pub text: String,
    /// 1-based line and character column of the span start in the original file.
    pub line: usize,
    pub column: usize,
    /// Byte offsets into the original file.
    pub byte_start: usize,
    pub byte_end: usize,
    pub value: FactValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FactValue {
    Rate {
        value: Decimal,
        period: Period,
        annualised: Decimal,
        basis: u16,
        charge: RateKind,
    },
    Money {
        amount: Decimal,
        currency: String,
    },
    Duration {
        amount: Decimal,
        unit: DurationUnit,
        days: Decimal,
    },
    Date(String),
}

impl FactValue {
    pub fn kind(&self) -> &'static str {
        match self {
            FactValue::Rate { .. } => "rate",
            FactValue::Money { .. } => "money",
            FactValue::Duration { .. } => "duration",
            FactValue::Date(_) => "date",
        }
    }
}

/// Every fact of `facts` (found in `doc.text`), ordered by position in the file.
pub fn fact_rows(doc: &Document, facts: &Facts) -> Vec<FactRow> {
    let rates = facts.rates.iter().map(|r| {
        let value = FactValue::Rate {
            value: r.value,
            period: r.period,
            annualised: r.annualised,
            basis: r.basis,
            charge: r.kind,
        };
        (r.span.clone(), value)
    });
    let money = facts.money.iter().map(|m| {
        let value = FactValue::Money {
            amount: m.amount,
            currency: m.currency.clone(),
        };
        (m.span.clone(), value)
    });
    let durations = facts.durations.iter().map(|d| {
        let value = FactValue::Duration {
            amount: d.amount,
            unit: d.unit,
            days: d.days(),
        };
        (d.span.clone(), value)
    });
    let dates = facts
        .dates
        .iter()
        .map(|d| (d.span.clone(), FactValue::Date(d.iso())));
    let mut rows: Vec<FactRow> = rates
        .chain(money)
        .chain(durations)
        .chain(dates)
        .map(|(span, value)| locate(doc, span, value))
        .collect();
    rows.sort_by_key(|r| (r.byte_start, r.byte_end));
    rows
}

fn locate(doc: &Document, span: Range<usize>, value: FactValue) -> FactRow {
    let source = doc.to_source(span.clone());
    let file = doc.to_file(span);
    let (line, column) = doc.source_lines.line_col(&doc.source, source.start);
    FactRow {
        text: doc.source.get(source).unwrap_or_default().to_string(),
        line,
        column,
        byte_start: file.start,
        byte_end: file.end,
        value,
    }
}

/// A decimal as a JSON number: an integer when it is whole, else the nearest f64.
fn number(d: Decimal) -> Json {
    let d = d.normalize();
    if d.fract().is_zero() {
        if let Some(i) = d.to_i64() {
            return json!(i);
        }
    }
    d.to_f64().map_or(Json::Null, |f| json!(f))
}

fn unit_name(u: DurationUnit) -> &'static str {
    match u {
        DurationUnit::Minute => "minute",
        DurationUnit::Hour => "hour",
        DurationUnit::Day => "day",
        DurationUnit::Week => "week",
        DurationUnit::Month => "month",
        DurationUnit::Year => "year",
    }
}

fn row_json(r: &FactRow) -> Json {
    let mut o = Map::new();
    o.insert("kind".into(), json!(r.value.kind()));
    o.insert("text".into(), json!(r.text));
    match &r.value {
        FactValue::Rate {
            value,
            period,
            annualised,
            basis,
            charge,
        } => {
            o.insert("value".into(), number(*value));
            o.insert("period".into(), json!(period.as_str()));
            o.insert("annualised".into(), number(*annualised));
            o.insert("basis".into(), json!(basis));
            o.insert("charge".into(), json!(charge.as_str()));
        }
        FactValue::Money { amount, currency } => {
            o.insert("value".into(), number(*amount));
            o.insert("currency".into(), json!(currency));
        }
        FactValue::Duration { amount, unit, days } => {
            o.insert("value".into(), number(*days));
            o.insert("amount".into(), number(*amount));
            o.insert("unit".into(), json!(unit_name(*unit)));
        }
        FactValue::Date(iso) => {
            o.insert("value".into(), json!(iso));
        }
    }
    o.insert("line".into(), json!(r.line));
    o.insert("column".into(), json!(r.column));
    o.insert("byte_start".into(), json!(r.byte_start));
    o.insert("byte_end".into(), json!(r.byte_end));
    Json::Object(o)
}

/// `{"facts":[…]}`, pretty-printed; values are JSON numbers (durations in days, dates ISO).
pub fn render_facts_json(rows: &[FactRow]) -> String {
    let facts: Vec<Json> = rows.iter().map(row_json).collect();
    let mut text = serde_json::to_string_pretty(&json!({ "facts": facts }))
        .unwrap_or_else(|_| String::from("{\"facts\":[]}"));
    text.push('\n');
    text
}

fn human_value(v: &FactValue) -> String {
    let n = |d: &Decimal| d.normalize().to_string();
    match v {
        FactValue::Rate {
            value,
            period,
            annualised,
            charge,
            ..
        } => format!(
            "{}% {} = {}%/year ({})",
            n(value),
            period.as_str(),
            n(annualised),
            charge.as_str()
        ),
        FactValue::Money { amount, currency } => format!("{} {currency}", n(amount)),
        FactValue::Duration { amount, unit, days } => {
            let counted = |x: &Decimal, word: &str| {
                let s = if *x == Decimal::ONE { "" } else { "s" };
                format!("{} {word}{s}", n(x))
            };
            format!(
                "{} = {}",
                counted(amount, unit_name(*unit)),
                counted(&days.round_dp(2), "day")
            )
        }
        FactValue::Date(iso) => iso.clone(),
    }
}

/// A table: line:col, kind, text, value.
pub fn render_facts_human(rows: &[FactRow]) -> String {
    if rows.is_empty() {
        return "no facts found\n".into();
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                format!("{}:{}", r.line, r.column),
                r.value.kind().to_string(),
                r.text.clone(),
                human_value(&r.value),
            ]
        })
        .collect();
    let mut out = render_table(&["LINE:COL", "KIND", "TEXT", "VALUE"], &cells);
    out.push_str(&super::count_noun(rows.len(), "fact\n", "facts\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Format;
    use crate::extract::{Date, Duration, Money, Rate};

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// A document with a UTF-8 BOM before the source, and facts at the places of `needles`
    /// in its normalised text.
    fn doc_and_facts() -> (Document, Facts) {
        let source = "借款金额：人民币10,000元。\n年化利率 18%，借款期限12个月，自2026年3月1日起。"
            .to_string();
        let doc = Document::from_source("c.txt", Format::Text, source, 3);
        let at = |needle: &str| {
            let s = doc.text.find(needle).unwrap();
            s..s + needle.len()
        };
        let facts = Facts {
            rates: vec![Rate {
                span: at("年化利率 18%"),
                value: dec("18"),
                period: Period::Annual,
                annualised: dec("18.00"),
                basis: 365,
                kind: RateKind::Interest,
            }],
            money: vec![Money {
                span: at("人民币10,000元"),
                amount: dec("10000.00"),
                currency: "CNY".into(),
            }],
            durations: vec![Duration {
                span: at("12个月"),
                amount: dec("12"),
                unit: DurationUnit::Month,
            }],
            dates: vec![Date {
                span: at("2026年3月1日"),
                year: 2026,
                month: 3,
                day: 1,
            }],
        };
        (doc, facts)
    }

    #[test]
    fn rows_are_located_in_the_original_file_and_ordered() {
        let (doc, facts) = doc_and_facts();
        let rows = fact_rows(&doc, &facts);
        let kinds: Vec<&str> = rows.iter().map(|r| r.value.kind()).collect();
        assert_eq!(kinds, ["money", "rate", "duration", "date"]);
        let money = &rows[0];
        assert_eq!(money.text, "人民币10,000元");
        let in_source = doc.source.find("人民币10,000元").unwrap();
        assert_eq!(money.byte_start, in_source + 3);
        assert_eq!(money.byte_end, in_source + 3 + "人民币10,000元".len());
        assert_eq!((money.line, money.column), (1, 6));
        let date = &rows[3];
        assert_eq!(date.text, "2026年3月1日");
        assert_eq!(date.line, 2);
        assert_eq!(date.column, 20);
    }

    #[test]
    fn json_has_numbers_periods_and_iso_dates() {
        let (doc, facts) = doc_and_facts();
        let v: Json = serde_json::from_str(&render_facts_json(&fact_rows(&doc, &facts))).unwrap();
        let f = &v["facts"];
        assert_eq!(f[0]["kind"], "money");
        assert_eq!(f[0]["value"], json!(10000));
        assert_eq!(f[0]["currency"], "CNY");
        assert_eq!(f[1]["kind"], "rate");
        assert_eq!(f[1]["value"], json!(18));
        assert_eq!(f[1]["annualised"], json!(18));
        assert_eq!(f[1]["period"], "annual");
        assert_eq!(f[2]["kind"], "duration");
        assert_eq!(f[2]["value"], json!(365));
        assert_eq!(f[2]["unit"], "month");
        assert_eq!(f[3]["value"], "2026-03-01");
        assert_eq!(f[3]["line"], 2);
    }

    #[test]
    fn fractional_values_stay_fractional() {
        assert_eq!(number(dec("0.05")), json!(0.05));
        assert_eq!(number(dec("18.250")), json!(18.25));
        assert_eq!(number(dec("7")), json!(7));
    }

    #[test]
    fn human_table_lists_each_fact() {
        let (doc, facts) = doc_and_facts();
        let out = render_facts_human(&fact_rows(&doc, &facts));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 6);
        assert!(
            lines[1].starts_with("1:6       money     人民币10,000元"),
            "{out}"
        );
        assert!(lines[1].ends_with("10000 CNY"));
        assert!(lines[2].ends_with("18% annual = 18%/year (interest)"));
        assert!(lines[3].ends_with("12 months = 365 days"));
        assert_eq!(lines[5], "4 facts");
        assert_eq!(render_facts_human(&[]), "no facts found\n");
    }
}
