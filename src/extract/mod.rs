//! Facts found in normalised contract text: rates (with period and annualised
//! value), money, durations and dates. Every fact carries the byte range of the
//! text it was read from (in the normalised text). Numbers are exact decimals.

mod context;
mod date;
mod duration;
pub mod loan_terms;
mod money;
pub mod numerals;
mod rate;

use rust_decimal::Decimal;
use serde::Serialize;
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Annual,
    Monthly,
    Daily,
    Unknown,
}

impl Period {
    /// The name rules and reports use (`annual`, `monthly`, `daily`, `unknown`).
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Annual => "annual",
            Period::Monthly => "monthly",
            Period::Daily => "daily",
            Period::Unknown => "unknown",
        }
    }
}

/// What a rate is charged for, judged from the words around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RateKind {
    Interest,
    Overdue,
    Penalty,
    Fee,
    Other,
}

impl RateKind {
    /// The name rules and reports use (`interest`, `overdue`, `penalty`, `fee`, `other`).
    pub fn as_str(self) -> &'static str {
        match self {
            RateKind::Interest => "interest",
            RateKind::Overdue => "overdue",
            RateKind::Penalty => "penalty",
            RateKind::Fee => "fee",
            RateKind::Other => "other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rate {
    pub span: Range<usize>,
    /// The rate as stated, in percent (万分之五 -> 0.05).
    pub value: Decimal,
    pub period: Period,
    /// Per year, in percent: daily x basis, monthly x 12, annual and unknown x 1.
    pub annualised: Decimal,
    /// Days per year used for a daily rate (365, or 360 when the document says so).
    pub basis: u16,
    pub kind: RateKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Money {
    pub span: Range<usize>,
    pub amount: Decimal,
    /// ISO code: "CNY", "USD", "HKD", "EUR"…
    pub currency: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DurationUnit {
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Duration {
    pub span: Range<usize>,
    pub amount: Decimal,
    pub unit: DurationUnit,
}

impl Duration {
    /// Length in days (a month is 365/12 days, a year 365); `Decimal::MAX` for a length too
    /// long to count (the extractor drops such durations: see [`Duration::checked_days`]).
    pub fn days(&self) -> Decimal {
        self.checked_days().unwrap_or(Decimal::MAX)
    }

    /// The length in days, `None` when it is too long to count (beyond 7.9 × 10^28).
    pub fn checked_days(&self) -> Option<Decimal> {
        let per = match self.unit {
            DurationUnit::Minute => Decimal::ONE / Decimal::from(1440),
            DurationUnit::Hour => Decimal::ONE / Decimal::from(24),
            DurationUnit::Day => Decimal::ONE,
            DurationUnit::Week => Decimal::from(7),
            DurationUnit::Month => Decimal::from(365) / Decimal::from(12),
            DurationUnit::Year => Decimal::from(365),
        };
        self.amount.checked_mul(per)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Date {
    pub span: Range<usize>,
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// All facts of one document, each list sorted by span start.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Facts {
    pub rates: Vec<Rate>,
    pub money: Vec<Money>,
    pub durations: Vec<Duration>,
    pub dates: Vec<Date>,
}

/// Extract every fact from normalised text. Text inside `blanks` (unfilled
/// template fields) is never read as a number.
pub fn extract(text: &str, blanks: &[Range<usize>]) -> Facts {
    let dates = date::find_dates(text, blanks);
    let date_spans: Vec<Range<usize>> = dates.iter().map(|d| d.span.clone()).collect();
    // One scan for numerals serves rates, money and durations (three were 5% of a check).
    let found = numerals::all(text);
    let mut facts = Facts {
        rates: rate::find_rates_among(text, blanks, &found),
        money: money::find_money_among(text, blanks, &found),
        durations: duration::find_durations_among(text, blanks, &date_spans, &found),
        dates,
    };
    facts.rates.sort_by_key(|f| f.span.start);
    facts.money.sort_by_key(|f| f.span.start);
    facts.durations.sort_by_key(|f| f.span.start);
    facts.dates.sort_by_key(|f| f.span.start);
    facts
}

#[cfg(test)]
mod tests;
