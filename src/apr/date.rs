//! A civil (calendar) date: all the APR engine needs is day counts and month arithmetic.

use crate::calendar::days_in_month;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A proleptic Gregorian calendar date, years 1..=9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a date; write it as YYYY-MM-DD, e.g. 2024-01-15")]
pub struct DateError(pub String);

impl Date {
    /// The date, if it exists in the calendar.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        valid.then_some(Date { year, month, day })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }

    pub fn is_last_day_of_month(self) -> bool {
        self.day == days_in_month(self.year, self.month)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn day_number(self) -> i64 {
        crate::calendar::days_from_civil(self.year, self.month, self.day)
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.day_number() - self.day_number()
    }

    /// The date `days` days later (earlier when negative); None outside years 1..=9999.
    pub fn add_days(self, days: i64) -> Option<Date> {
        from_day_number(self.day_number().checked_add(days)?)
    }

    /// The same day `months` months later (earlier when negative), clamped to the month's
    /// last day (Jan 31 + 1 month = Feb 28/29). With `keep_month_end`, a last day of a month
    /// maps to the last day of the target month (Feb 28 + 1 month = Mar 31).
    pub fn add_months(self, months: i64, keep_month_end: bool) -> Option<Date> {
        let index = i64::from(self.year) * 12 + i64::from(self.month) - 1 + months;
        let year = i32::try_from(index.div_euclid(12)).ok()?;
        let month = u8::try_from(index.rem_euclid(12) + 1).ok()?;
        let day = if keep_month_end && self.is_last_day_of_month() {
            31
        } else {
            self.day
        };
        Date::new(year, month, day.min(days_in_month(year, month)))
    }

    /// Day `day` of the month `months` months after this one, clamped to that month's length.
    pub(crate) fn with_day_months_later(self, day: u8, months: i64) -> Option<Date> {
        let moved = Date::new(self.year, self.month, 1)?.add_months(months, false)?;
        Date::new(
            moved.year,
            moved.month,
            day.min(days_in_month(moved.year, moved.month)),
        )
    }
}

fn from_day_number(z: i64) -> Option<Date> {
    let (year, month, day) = crate::calendar::civil_from_days(z)?;
    Date::new(year, month, day)
}

impl FromStr for Date {
    type Err = DateError;

    /// `YYYY-MM-DD`; `YYYY/MM/DD` and `YYYY.MM.DD` too, as Chinese contracts write them.
    fn from_str(s: &str) -> Result<Date, DateError> {
        let error = || DateError(s.to_string());
        let mut parts = s.trim().split(['-', '/', '.']);
        let mut next = || parts.next().ok_or_else(error);
        let (y, m, d) = (next()?, next()?, next()?);
        if parts.next().is_some() || y.len() != 4 {
            return Err(error());
        }
        let year = y.parse().map_err(|_| error())?;
        let month = m.parse().map_err(|_| error())?;
        let day = d.parse().map_err(|_| error())?;
        Date::new(year, month, day).ok_or_else(error)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn day_numbers_count_real_calendar_days() {
        assert_eq!(d("1970-01-01").day_number(), 0);
        assert_eq!(d("2024-01-01").days_until(d("2025-01-01")), 366);
        assert_eq!(d("2023-02-28").days_until(d("2023-03-01")), 1);
        assert_eq!(d("2000-02-28").add_days(1), Some(d("2000-02-29")));
        assert_eq!(d("2024-12-31").add_days(-366), Some(d("2023-12-31")));
    }

    #[test]
    fn months_clamp_to_the_last_day_or_keep_month_ends() {
        assert_eq!(d("2024-01-31").add_months(1, false), Some(d("2024-02-29")));
        assert_eq!(d("2023-03-30").add_months(-1, false), Some(d("2023-02-28")));
        assert_eq!(d("2023-02-28").add_months(1, true), Some(d("2023-03-31")));
        assert_eq!(d("2023-02-28").add_months(1, false), Some(d("2023-03-28")));
        assert_eq!(d("2024-11-15").add_months(14, false), Some(d("2026-01-15")));
    }

    #[test]
    fn parses_iso_and_chinese_separators_and_rejects_impossible_dates() {
        assert_eq!(d("2024/3/5"), Date::new(2024, 3, 5).unwrap());
        assert_eq!(d("2024.03.05"), Date::new(2024, 3, 5).unwrap());
        assert!("2023-02-29".parse::<Date>().is_err());
        assert!("24-01-01".parse::<Date>().is_err());
        assert!("2024-01".parse::<Date>().is_err());
        assert_eq!(d("2024-03-05").to_string(), "2024-03-05");
    }
}
