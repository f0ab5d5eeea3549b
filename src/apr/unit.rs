//! Unit periods (Regulation Z Appendix J (b)(3)-(5)): which one a schedule uses, and how many
//! whole unit periods and what fraction of one lie between two dates.

use super::date::Date;
use super::{AprError, Flow, Schedule};
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

/// The standard intervals of Appendix J: a day, a week or a multiple of weeks, a semimonth, a
/// month or a multiple of months up to a year; `Days(n)` also serves as the unit period of a
/// single-advance, single-payment loan whose term is not a whole number of weeks or months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnitPeriod {
    Days(u32),
    Weeks(u32),
    Semimonth,
    Months(u32),
}

/// A standard interval of time is at most a year long (Appendix J (b)(3)(iii)).
const MAX_WEEKS: u32 = 52;
const MAX_MONTHS: u32 = 12;

impl UnitPeriod {
    pub const DAY: UnitPeriod = UnitPeriod::Days(1);
    pub const WEEK: UnitPeriod = UnitPeriod::Weeks(1);
    pub const MONTH: UnitPeriod = UnitPeriod::Months(1);
    pub const QUARTER: UnitPeriod = UnitPeriod::Months(3);
    pub const YEAR: UnitPeriod = UnitPeriod::Months(12);

    /// How many of these make a year: the multiplier from the periodic rate to the APR.
    pub fn periods_per_year(self) -> f64 {
        match self {
            UnitPeriod::Days(n) => 365.0 / f64::from(n.max(1)),
            UnitPeriod::Weeks(n) => 52.0 / f64::from(n.max(1)),
            UnitPeriod::Semimonth => 24.0,
            UnitPeriod::Months(n) => 12.0 / f64::from(n.max(1)),
        }
    }

    /// Average length in days: only for choosing the nearest or the smaller unit period.
    fn nominal_days(self) -> f64 {
        365.0 / self.periods_per_year()
    }

    /// The whole unit periods and the fraction of one from `from` to `to` (`to` >= `from`),
    /// as Appendix J (b)(5) says: whole calendar months counted back from the later date, each
    /// worth 30 days, plus the days left over, divided by 30 for a month, 15 for a semimonth,
    /// 30 × n for n months (a year: whole years, and the days left over over 365); days and
    /// weeks by the day count. `month_ends` measures months from the last
    /// day of a month to the last day of another, for payments scheduled on month ends.
    pub fn span(
        self,
        from: Date,
        to: Date,
        series_day: Option<u8>,
    ) -> Result<(u64, f64), AprError> {
        let days = from.days_until(to);
        let days = u64::try_from(days).map_err(|_| AprError::DateBeforeTermStart {
            date: to,
            start: from,
        })?;
        Ok(match self {
            UnitPeriod::Days(n) => split(days, u64::from(n.max(1))),
            UnitPeriod::Weeks(n) => split(days, 7 * u64::from(n.max(1))),
            UnitPeriod::Semimonth => {
                let (months, rest) = whole_months_back(from, to, series_day)?;
                split(30 * months + rest, 15)
            }
            UnitPeriod::Months(12) => {
                // Whole years back from the later date; the days left over are over 365.
                let (months, _) = whole_months_back(from, to, series_day)?;
                let years = months / 12;
                let back = i64::try_from(years * 12).map_err(|_| AprError::DateOutOfRange)?;
                let anchor = months_back(to, back, series_day).ok_or(AprError::DateOutOfRange)?;
                (years, from.days_until(anchor).max(0) as f64 / 365.0)
            }
            UnitPeriod::Months(n) => {
                // Appendix J (b)(5)(v): 30 days for each whole month back from the later date,
                // plus the days left over, in units of 30 days per month of the unit period.
                let (months, rest) = whole_months_back(from, to, series_day)?;
                split(30 * months + rest, 30 * u64::from(n.max(1)))
            }
        })
    }
}

fn split(days: u64, unit: u64) -> (u64, f64) {
    (days / unit, (days % unit) as f64 / unit as f64)
}

/// Whole calendar months from `from` to `to`, counted back from `to`, and the days left over.
fn whole_months_back(from: Date, to: Date, series_day: Option<u8>) -> Result<(u64, u64), AprError> {
    let guess = (i64::from(to.year()) - i64::from(from.year())) * 12 + i64::from(to.month())
        - i64::from(from.month());
    let mut months = guess.max(0);
    loop {
        let anchor = months_back(to, months, series_day).ok_or(AprError::DateOutOfRange)?;
        if anchor >= from || months == 0 {
            let rest = u64::try_from(from.days_until(anchor)).unwrap_or(0);
            return Ok((months.unsigned_abs(), rest));
        }
        months -= 1;
    }
}

/// `to` moved back `months` calendar months. A payment on the last day of a short month that
/// belongs to a series on a later day (the 30th, or month ends) counts as on that day, so that
/// 28 February in a series on the 30th is a month after 30 January (Appendix J (b)(3)(iv)).
fn months_back(to: Date, months: i64, series_day: Option<u8>) -> Option<Date> {
    let day = match series_day {
        Some(day) if to.is_last_day_of_month() && day > to.day() => day,
        _ => to.day(),
    };
    to.with_day_months_later(day, -months)
}

impl fmt::Display for UnitPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            UnitPeriod::Days(1) => f.write_str("day"),
            UnitPeriod::Days(n) => write!(f, "{n} days"),
            UnitPeriod::Weeks(1) => f.write_str("week"),
            UnitPeriod::Weeks(2) => f.write_str("biweek"),
            UnitPeriod::Weeks(n) => write!(f, "{n}week"),
            UnitPeriod::Semimonth => f.write_str("semimonth"),
            UnitPeriod::Months(1) => f.write_str("month"),
            UnitPeriod::Months(3) => f.write_str("quarter"),
            UnitPeriod::Months(12) => f.write_str("year"),
            UnitPeriod::Months(n) => write!(f, "{n}month"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a unit period; use day, week, biweek, semimonth, month, 4week, 2month, \
     quarter or year (or Nday, Nweek, Nmonth)"
)]
pub struct UnitPeriodError(pub String);

impl FromStr for UnitPeriod {
    type Err = UnitPeriodError;

    fn from_str(s: &str) -> Result<UnitPeriod, UnitPeriodError> {
        let error = || UnitPeriodError(s.to_string());
        let name = s.trim().to_ascii_lowercase().replace(['-', '_', ' '], "");
        let named = match name.as_str() {
            "day" | "daily" => Some(UnitPeriod::DAY),
            "week" | "weekly" => Some(UnitPeriod::WEEK),
            "biweek" | "biweekly" | "fortnight" | "fortnightly" => Some(UnitPeriod::Weeks(2)),
            "semimonth" | "semimonthly" => Some(UnitPeriod::Semimonth),
            "month" | "monthly" => Some(UnitPeriod::MONTH),
            "bimonth" | "bimonthly" => Some(UnitPeriod::Months(2)),
            "quarter" | "quarterly" => Some(UnitPeriod::QUARTER),
            "halfyear" | "semiannual" | "semiannually" => Some(UnitPeriod::Months(6)),
            "year" | "yearly" | "annual" | "annually" => Some(UnitPeriod::YEAR),
            _ => None,
        };
        if let Some(unit) = named {
            return Ok(unit);
        }
        let digits = name.chars().take_while(char::is_ascii_digit).count();
        let (count, unit) = name.split_at(digits);
        let count: u32 = count.parse().map_err(|_| error())?;
        let unit = unit.strip_suffix('s').unwrap_or(unit);
        match unit {
            "day" if (1..=366).contains(&count) => Ok(UnitPeriod::Days(count)),
            "week" if (1..=MAX_WEEKS).contains(&count) => Ok(UnitPeriod::Weeks(count)),
            "month" if (1..=MAX_MONTHS).contains(&count) => Ok(UnitPeriod::Months(count)),
            _ => Err(error()),
        }
    }
}

/// The unit period Appendix J (b)(4) prescribes for a schedule: the term of a single-advance,
/// single-payment loan (at most a year); otherwise the common period that occurs most often
/// (the smaller on a tie), or, with no common period, the standard interval nearest the
/// average period.
pub fn infer_unit_period(schedule: &Schedule, start: Date) -> Result<UnitPeriod, AprError> {
    let mut payment_dates = distinct_dates(&schedule.payments);
    let advance_dates = distinct_dates(&schedule.advances);
    payment_dates.retain(|d| *d >= start);
    let (Some(&first_payment), Some(&last_payment)) = (payment_dates.first(), payment_dates.last())
    else {
        return Err(AprError::NoPayments);
    };
    if advance_dates.len() == 1 && payment_dates.len() == 1 {
        return Ok(single_payment_unit(start, last_payment));
    }
    let mut periods = vec![(start, first_payment)];
    periods.extend(payment_dates.windows(2).map(|w| (w[0], w[1])));
    if let Some(first_advance) = advance_dates.iter().find(|d| **d > start) {
        periods.push((start, *first_advance));
    }
    let later_advances: Vec<Date> = advance_dates.into_iter().filter(|d| *d >= start).collect();
    periods.extend(later_advances.windows(2).map(|w| (w[0], w[1])));
    periods.retain(|(a, b)| a < b);

    let semimonthly = is_semimonthly(&payment_dates);
    let mut counts: HashMap<UnitPeriod, usize> = HashMap::new();
    for &(a, b) in &periods {
        let standard = if semimonthly && (13..=17).contains(&a.days_until(b)) {
            Some(UnitPeriod::Semimonth)
        } else {
            standard_interval(a, b)
        };
        if let Some(unit) = standard {
            *counts.entry(unit).or_default() += 1;
        }
    }
    let most_common = counts
        .iter()
        .filter(|(_, n)| **n > 1)
        .max_by(|(u1, n1), (u2, n2)| {
            // More frequent wins; on a tie the smaller period wins (so it compares as greater).
            n1.cmp(n2)
                .then_with(|| u2.nominal_days().total_cmp(&u1.nominal_days()))
        })
        .map(|(u, _)| *u);
    Ok(match most_common {
        Some(unit) => unit,
        None => nearest_standard(average_days(&periods)),
    })
}

/// The dates on which money moves (zero amounts are no flow at all), in order.
fn distinct_dates(flows: &[Flow]) -> Vec<Date> {
    let mut dates: Vec<Date> = flows
        .iter()
        .filter(|f| !f.amount.is_zero())
        .map(|f| f.date)
        .collect();
    dates.sort();
    dates.dedup();
    dates
}

/// The term itself, but not more than a year (Appendix J (b)(4)(ii)): whole months when it is
/// a whole number of months, else its days (so a 14-day payday loan's APR is its rate ×
/// 365/14, as regulators quote it).
fn single_payment_unit(start: Date, end: Date) -> UnitPeriod {
    if start
        .add_months(12, false)
        .is_some_and(|year_end| end >= year_end)
    {
        return UnitPeriod::YEAR;
    }
    let month_ends = start.is_last_day_of_month() && end.is_last_day_of_month();
    let months = (1..MAX_MONTHS).find(|&m| start.add_months(i64::from(m), month_ends) == Some(end));
    match months {
        Some(m) => UnitPeriod::Months(m),
        None => UnitPeriod::Days(u32::try_from(start.days_until(end)).unwrap_or(1).max(1)),
    }
}

/// The standard interval from `a` to `b`, if it is one: whole calendar months (month ends to
/// month ends), whole weeks, a day, or exactly 15 days as a semimonth.
fn standard_interval(a: Date, b: Date) -> Option<UnitPeriod> {
    let month_ends = a.is_last_day_of_month() && b.is_last_day_of_month();
    let months = (1..=MAX_MONTHS).find(|&m| a.add_months(i64::from(m), month_ends) == Some(b));
    if let Some(m) = months {
        return Some(UnitPeriod::Months(m));
    }
    let days = a.days_until(b);
    match days {
        1 => Some(UnitPeriod::DAY),
        15 => Some(UnitPeriod::Semimonth),
        d if d > 0 && d % 7 == 0 && d / 7 <= i64::from(MAX_WEEKS) => {
            u32::try_from(d / 7).ok().map(UnitPeriod::Weeks)
        }
        _ => None,
    }
}

/// Twice a month: at least two thirds of the payments come 13 to 17 days after the one before,
/// and two thirds of them a calendar month after the one two before (the 1st and 16th, the 15th
/// and the month end…); an odd last payment does not spoil the pattern.
fn is_semimonthly(dates: &[Date]) -> bool {
    if dates.len() < 3 {
        return false;
    }
    let halves = dates
        .windows(2)
        .filter(|w| (13..=17).contains(&w[0].days_until(w[1])))
        .count();
    let months = dates
        .windows(3)
        .filter(|w| {
            let month_ends = w[0].is_last_day_of_month() && w[2].is_last_day_of_month();
            w[0].add_months(1, month_ends) == Some(w[2])
        })
        .count();
    3 * halves >= 2 * (dates.len() - 1) && 3 * months >= 2 * (dates.len() - 2)
}

fn average_days(periods: &[(Date, Date)]) -> f64 {
    let total: i64 = periods.iter().map(|(a, b)| a.days_until(*b)).sum();
    total as f64 / periods.len().max(1) as f64
}

/// The standard interval nearest `days`, the smaller one when halfway between two.
fn nearest_standard(days: f64) -> UnitPeriod {
    let candidates = std::iter::once(UnitPeriod::DAY)
        .chain((1..=MAX_WEEKS).map(UnitPeriod::Weeks))
        .chain(std::iter::once(UnitPeriod::Semimonth))
        .chain((1..=MAX_MONTHS).map(UnitPeriod::Months));
    candidates
        .min_by(|a, b| {
            let da = (a.nominal_days() - days).abs();
            let db = (b.nominal_days() - days).abs();
            da.total_cmp(&db)
                .then_with(|| a.nominal_days().total_cmp(&b.nominal_days()))
        })
        .unwrap_or(UnitPeriod::MONTH)
}

impl<'de> serde::Deserialize<'de> for UnitPeriod {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<UnitPeriod, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl serde::Serialize for UnitPeriod {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
