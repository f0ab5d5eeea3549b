//! Calendar dates: 2026年3月1日, 二〇二六年三月一日, 2026年03月01号, 2026-03-01, 2026/3/1,
//! 2026.3.1, March 1, 2026, 1 March 2026, Mar. 1, 2026, 1st of March, 2026.
//!
//! A date must name year, month and day: `2026年3月` alone is not a date (a rule about dates
//! needs a day, and guessing the 1st would invent one). Impossible dates (2月30日) are skipped.

use super::context::{char_at, char_before, skip_back, skip_forward, Blanks, Lexicon};
use super::numerals::{scan_numeral, NumeralForm};
use super::Date;
use crate::calendar::days_in_month;
use rust_decimal::prelude::ToPrimitive;
use std::ops::Range;
use std::sync::LazyLock;

pub(crate) fn find_dates(text: &str, blanks: &[Range<usize>]) -> Vec<Date> {
    let blanks = Blanks::new(blanks);
    let mut found: Vec<Date> = chinese_dates(text)
        .into_iter()
        .chain(numeric_dates(text))
        .chain(english_dates(text))
        .filter(|d| !blanks.touches(&d.span))
        .collect();
    found.sort_by_key(|d| (d.span.start, std::cmp::Reverse(d.span.end)));
    let mut kept: Vec<Date> = Vec::with_capacity(found.len());
    for d in found {
        if kept.last().is_none_or(|k| k.span.end <= d.span.start) {
            kept.push(d);
        }
    }
    kept
}

/// A date if year, month and day make one on the calendar.
fn valid_date(span: Range<usize>, year: i32, month: u32, day: u32) -> Option<Date> {
    let month = u8::try_from(month).ok()?;
    let day = u8::try_from(day).ok()?;
    let ok = (1000..=9999).contains(&year) && day >= 1 && day <= days_in_month(year, month);
    ok.then_some(Date {
        span,
        year,
        month,
        day,
    })
}

/// A four-digit year ending at `end`: `2026` or `二〇二六`. Returns its start and value.
fn year_ending_at(text: &str, end: usize) -> Option<(usize, i32)> {
    let head = text.get(..end)?;
    let mut digits = Vec::with_capacity(4);
    let mut start = end;
    for (i, c) in head.char_indices().rev().take(5) {
        match chinese_or_ascii_digit(c) {
            Some(d) => {
                digits.push(d);
                start = i;
            }
            None => break,
        }
    }
    if digits.len() != 4 {
        return None;
    }
    let year = digits
        .iter()
        .rev()
        .fold(0i32, |y, d| y * 10 + i32::from(*d));
    Some((start, year))
}

fn chinese_or_ascii_digit(c: char) -> Option<u8> {
    if let Some(d) = c.to_digit(10).filter(|_| c.is_ascii_digit()) {
        return u8::try_from(d).ok();
    }
    "零一二三四五六七八九"
        .chars()
        .position(|x| x == c)
        .or_else(|| (c == '〇').then_some(0))
        .and_then(|p| u8::try_from(p).ok())
}

/// A small whole number at `pos` (a month or day): `3`, `03`, `十二`, `廿一`.
fn small_number_at(text: &str, pos: usize) -> Option<(u32, usize)> {
    let n = scan_numeral(text, pos)?;
    if n.form == NumeralForm::Arabic && n.span.len() > 2 {
        return None;
    }
    if !n.value.fract().is_zero() {
        return None;
    }
    Some((n.value.to_u32()?, n.span.end))
}

/// `2026年3月1日`, `二〇二六年三月一日`, `2026 年 03 月 01 号`.
fn chinese_dates(text: &str) -> Vec<Date> {
    let mut found = Vec::new();
    for (i, _) in text.match_indices('年') {
        let Some((start, year)) = year_ending_at(text, skip_back(text, i, &[])) else {
            continue;
        };
        let Some(date) = month_and_day_after(text, i + '年'.len_utf8(), start, year) else {
            continue;
        };
        found.push(date);
    }
    found
}

fn month_and_day_after(text: &str, pos: usize, start: usize, year: i32) -> Option<Date> {
    let (month, after_month) = small_number_at(text, skip_forward(text, pos, &[]))?;
    let month_unit = skip_forward(text, after_month, &[]);
    if char_at(text, month_unit) != Some('月') {
        return None;
    }
    let (day, after_day) = small_number_at(text, skip_forward(text, month_unit + 3, &[]))?;
    let day_unit = skip_forward(text, after_day, &[]);
    let end = match char_at(text, day_unit) {
        Some(c @ ('日' | '号')) => day_unit + c.len_utf8(),
        _ => return None,
    };
    valid_date(start..end, year, month, day)
}

/// `2026-03-01`, `2026/3/1`, `2026.3.1`: a four-digit year, then month and day with the same
/// separator.
fn numeric_dates(text: &str) -> Vec<Date> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    // The separator after the year is looked for (SIMD, and rare in Chinese text), not every
    // byte walked: a byte-by-byte walk was 4% of checking a generated contract corpus.
    for sep in memchr::memchr3_iter(b'-', b'/', b'.', bytes) {
        let Some(start) = sep.checked_sub(4) else {
            continue;
        };
        let year_digits = bytes
            .get(start..sep)
            .is_some_and(|y| y.iter().all(u8::is_ascii_digit));
        // Exactly four digits (none before them), not following a separator (`1.2026-…`).
        let before = start.checked_sub(1).and_then(|b| bytes.get(b));
        let preceded_ok =
            before.is_none_or(|b| !b.is_ascii_digit() && !matches!(b, b'.' | b'-' | b'/'));
        if year_digits && preceded_ok {
            if let Some(d) = numeric_date_at(text, start) {
                found.push(d);
            }
        }
    }
    found
}

fn numeric_date_at(text: &str, start: usize) -> Option<Date> {
    let bytes = text.as_bytes();
    let year: i32 = text.get(start..start + 4)?.parse().ok()?;
    let sep = *bytes.get(start + 4)?;
    if !matches!(sep, b'-' | b'/' | b'.') {
        return None;
    }
    let (month, after_month) = one_or_two_digits(text, start + 5)?;
    if bytes.get(after_month) != Some(&sep) {
        return None;
    }
    let (day, end) = one_or_two_digits(text, after_month + 1)?;
    let continues = match bytes.get(end) {
        Some(b) if b.is_ascii_digit() => true,
        Some(&b) if b == sep => bytes.get(end + 1).is_some_and(u8::is_ascii_digit),
        _ => false,
    };
    if continues {
        return None;
    }
    valid_date(start..end, year, month, day)
}

/// How many ASCII digits start at byte `pos`.
fn digit_run(text: &str, pos: usize) -> usize {
    let bytes = text.as_bytes().get(pos..).unwrap_or_default();
    bytes.iter().take_while(|b| b.is_ascii_digit()).count()
}

fn one_or_two_digits(text: &str, pos: usize) -> Option<(u32, usize)> {
    let len = digit_run(text, pos);
    if !(1..=2).contains(&len) {
        return None;
    }
    Some((text.get(pos..pos + len)?.parse().ok()?, pos + len))
}

static MONTHS_TABLE: &[(&str, u32)] = &[
    ("january", 1),
    ("jan", 1),
    ("february", 2),
    ("feb", 2),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("may", 5),
    ("june", 6),
    ("jun", 6),
    ("july", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("october", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
];

static MONTHS: LazyLock<Lexicon<u32>> = LazyLock::new(|| Lexicon::new(MONTHS_TABLE));

const ORDINALS: &[&str] = &["st", "nd", "rd", "th"];

/// `March 1, 2026`, `Mar. 1, 2026`, `1 March 2026`, `1st of March, 2026`.
fn english_dates(text: &str) -> Vec<Date> {
    MONTHS
        .hits(text, 0..text.len())
        .into_iter()
        .filter_map(|m| {
            month_day_year(text, m.range.clone(), m.tag)
                .or_else(|| day_month_year(text, m.range, m.tag))
        })
        .collect()
}

/// After the month name: an optional `.`, whitespace.
fn after_month_name(text: &str, month: &Range<usize>) -> usize {
    let end = if char_at(text, month.end) == Some('.') {
        month.end + 1
    } else {
        month.end
    };
    skip_forward(text, end, &[])
}

fn month_day_year(text: &str, month_name: Range<usize>, month: u32) -> Option<Date> {
    let at = after_month_name(text, &month_name);
    if at == month_name.end {
        return None;
    }
    let (day, after_day) = one_or_two_digits(text, at)?;
    let after_day = skip_forward(text, after_day, ORDINALS);
    let year_at = skip_forward(text, after_day, &[","]);
    let (end, year) = four_digit_year_at(text, year_at)?;
    valid_date(month_name.start..end, year, month, day)
}

fn day_month_year(text: &str, month_name: Range<usize>, month: u32) -> Option<Date> {
    // `1 March`, `1st of March`, `1st day of March`.
    let before = skip_back(text, month_name.start, &["of", "day"]);
    let before = skip_back(text, before, ORDINALS);
    let digits = text
        .get(..before)?
        .bytes()
        .rev()
        .take_while(u8::is_ascii_digit)
        .count();
    if !(1..=2).contains(&digits) || before == month_name.start {
        return None;
    }
    let start = before - digits;
    let day: u32 = text.get(start..before)?.parse().ok()?;
    let year_at = skip_forward(text, after_month_name(text, &month_name), &[","]);
    let (end, year) = four_digit_year_at(text, year_at)?;
    valid_date(start..end, year, month, day)
}

fn four_digit_year_at(text: &str, pos: usize) -> Option<(usize, i32)> {
    if digit_run(text, pos) != 4 || char_before(text, pos).is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((pos + 4, text.get(pos..pos + 4)?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(text: &str, want: &[(&str, &str)]) {
        let got: Vec<_> = find_dates(text, &[])
            .into_iter()
            .map(|d| (d.span.clone(), d.iso()))
            .collect();
        let want: Vec<_> = want
            .iter()
            .map(|(expr, iso)| {
                let start = text
                    .find(expr)
                    .unwrap_or_else(|| panic!("{expr} not in {text}"));
                (start..start + expr.len(), iso.to_string())
            })
            .collect();
        assert_eq!(got, want, "{text}");
    }

    #[test]
    fn dates_in_every_wording() {
        let cases: &[(&str, (&str, &str))] = &[
            ("自2026年3月1日起", ("2026年3月1日", "2026-03-01")),
            ("于2026年03月01日", ("2026年03月01日", "2026-03-01")),
            (
                "签订于二〇二六年三月一日。",
                ("二〇二六年三月一日", "2026-03-01"),
            ),
            (
                "二〇二六年十二月三十一日",
                ("二〇二六年十二月三十一日", "2026-12-31"),
            ),
            (
                "二零二六年二月廿八日",
                ("二零二六年二月廿八日", "2026-02-28"),
            ),
            ("2026年3月1号", ("2026年3月1号", "2026-03-01")),
            ("2026 年 3 月 1 日", ("2026 年 3 月 1 日", "2026-03-01")),
            ("dated 2026-03-01 10:00", ("2026-03-01", "2026-03-01")),
            ("2026/3/1", ("2026/3/1", "2026-03-01")),
            ("截至2026.3.1。", ("2026.3.1", "2026-03-01")),
            ("on March 1, 2026.", ("March 1, 2026", "2026-03-01")),
            ("on 1 March 2026.", ("1 March 2026", "2026-03-01")),
            ("on Mar. 1, 2026.", ("Mar. 1, 2026", "2026-03-01")),
            (
                "on the 1st of March, 2026",
                ("1st of March, 2026", "2026-03-01"),
            ),
            ("December 31st, 2026", ("December 31st, 2026", "2026-12-31")),
            (
                "Dated this 1st day of March, 2026.",
                ("1st day of March, 2026", "2026-03-01"),
            ),
            ("2024年2月29日", ("2024年2月29日", "2024-02-29")),
        ];
        for (text, want) in cases {
            check(text, std::slice::from_ref(want));
        }
    }

    #[test]
    fn not_dates() {
        for text in [
            "2026年3月",
            "2026年2月30日",
            "2025年2月29日",
            "2026-13-01",
            "2026.3.1.5",
            "1.2026.3.1",
            "12026-03-01",
            "第2026年",
            "2026年【 】月【 】日",
            "May I pay 2 days late? 2026",
            "3月1日",
            "版本1.2.3",
        ] {
            assert_eq!(find_dates(text, &[]), vec![], "{text}");
        }
    }

    #[test]
    fn blanks_are_never_read() {
        let text = "2026年____月1日";
        let blank = text.find("____").unwrap()..text.find("月").unwrap();
        assert_eq!(find_dates(text, std::slice::from_ref(&blank)), vec![]);
        let text = "签署日期:2026年3月1日____";
        let blank = text.find("____").unwrap()..text.len();
        assert_eq!(find_dates(text, std::slice::from_ref(&blank)), vec![]);
    }

    /// The definition `numeric_dates` keeps: every maximal run of exactly four ASCII digits
    /// not after a separator, tried as a year, walking the text byte by byte.
    fn numeric_dates_by_walking(text: &str) -> Vec<Date> {
        let bytes = text.as_bytes();
        let mut found = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let run = digit_run(text, i);
            if run == 0 {
                i += 1;
                continue;
            }
            let preceded_ok = i == 0 || !matches!(bytes.get(i - 1), Some(b'.' | b'-' | b'/'));
            if run == 4 && preceded_ok {
                found.extend(numeric_date_at(text, i));
            }
            i += run;
        }
        found
    }

    proptest! {
        #[test]
        fn numeric_dates_are_found_where_the_byte_walk_finds_them(
            s in "[0-9./\\-年 a]{0,40}|(1?2026[./\\-]1?[0-9][./\\-][0-3]?[0-9]{1,2}[./\\- ]?){1,4}") {
            prop_assert_eq!(numeric_dates(&s), numeric_dates_by_walking(&s));
        }

        #[test]
        fn never_panics(s in "\\PC{0,60}") {
            let _ = find_dates(&s, &[1..2, 5..9]);
        }

        #[test]
        fn never_panics_on_date_alphabet(
            s in "[年月日号〇零一二三十廿0-9 ./\\-,MarchMayofst]{0,40}") {
            for d in find_dates(&s, &[]) {
                prop_assert!(s.is_char_boundary(d.span.start) && s.is_char_boundary(d.span.end));
                prop_assert!(d.month >= 1 && d.month <= 12 && d.day >= 1);
            }
        }
    }
}
