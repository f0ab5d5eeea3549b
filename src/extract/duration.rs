//! Durations: 12个月, 30天, 30日内, 一年, 3年, 两周, 24小时, 15分钟, 半年, 一年半, 5个工作日,
//! 12 months, 30 days, one year, thirty (30) days, 12-month.
//!
//! The `30日` of a date is not a duration: numbers inside date spans, and day numbers right
//! after a month (每月15日), are skipped. So are ordinals (第3个月) and years (2026年).

use super::context::{
    char_at, char_before, chars_back, chars_forward, overlaps, skip_back, skip_forward, Blanks,
    Lexicon,
};
use super::numerals::{Numeral, NumeralForm};
use super::{Duration, DurationUnit};
use rust_decimal::Decimal;
use std::ops::Range;
use std::sync::LazyLock;

use DurationUnit::{Day, Hour, Minute, Month, Week, Year};

#[cfg(test)]
pub(crate) fn find_durations(
    text: &str,
    blanks: &[Range<usize>],
    dates: &[Range<usize>],
) -> Vec<Duration> {
    find_durations_among(text, blanks, dates, &super::numerals::all(text))
}

/// [`find_durations`] given the text's numerals (which `extract` reads once for every kind).
pub(crate) fn find_durations_among(
    text: &str,
    blanks: &[Range<usize>],
    dates: &[Range<usize>],
    numerals: &[Numeral],
) -> Vec<Duration> {
    let blanks = Blanks::new(blanks);
    let mut dates = dates.to_vec();
    dates.sort_by_key(|d| d.start);
    let mut found: Vec<Duration> = numerals
        .iter()
        .filter(|n| n.form != NumeralForm::DigitByDigit && !blanks.touches(&n.span))
        .filter_map(|n| after_number(text, n))
        .chain(english_words(text))
        .chain(halves(text))
        .filter(|d| !in_dates(&d.span, &dates))
        // "5555555555555555555555555555 years" is no term anyone agreed to, and a length
        // beyond counting in days would compare and print as nonsense: not a fact.
        .filter(|d| d.checked_days().is_some())
        .collect();
    found.sort_by_key(|d| (d.span.start, std::cmp::Reverse(d.span.end)));
    let mut kept: Vec<Duration> = Vec::with_capacity(found.len());
    for d in found {
        if kept.last().is_none_or(|k| k.span.end <= d.span.start) {
            kept.push(d);
        }
    }
    kept
}

/// Whether `span` overlaps one of the (sorted, disjoint) date spans.
fn in_dates(span: &Range<usize>, dates: &[Range<usize>]) -> bool {
    let i = dates.partition_point(|d| d.end <= span.start);
    dates.get(i).is_some_and(|d| overlaps(d, span))
}

/// A unit word and what it adds: 年半 is a year and a half.
#[derive(Debug, Clone, Copy)]
struct UnitWord {
    unit: DurationUnit,
    plus_half: bool,
}

const fn unit(unit: DurationUnit) -> UnitWord {
    UnitWord {
        unit,
        plus_half: false,
    }
}

const fn and_a_half(unit: DurationUnit) -> UnitWord {
    UnitWord {
        unit,
        plus_half: true,
    }
}

static CHINESE_UNITS_TABLE: &[(&str, UnitWord)] = &[
    ("个月", unit(Month)),
    ("个自然月", unit(Month)),
    ("个日历月", unit(Month)),
    ("个半月", and_a_half(Month)),
    ("年", unit(Year)),
    ("年半", and_a_half(Year)),
    ("周年", unit(Year)),
    ("个年度", unit(Year)),
    ("周", unit(Week)),
    ("个周", unit(Week)),
    ("星期", unit(Week)),
    ("个星期", unit(Week)),
    ("个礼拜", unit(Week)),
    ("天", unit(Day)),
    ("日", unit(Day)),
    ("个工作日", unit(Day)),
    ("个营业日", unit(Day)),
    ("个银行工作日", unit(Day)),
    ("个自然日", unit(Day)),
    ("个日历日", unit(Day)),
    ("工作日", unit(Day)),
    ("营业日", unit(Day)),
    ("自然日", unit(Day)),
    ("小时", unit(Hour)),
    ("个小时", unit(Hour)),
    ("个半小时", and_a_half(Hour)),
    ("个钟头", unit(Hour)),
    ("分钟", unit(Minute)),
];

static ENGLISH_UNITS_TABLE: &[(&str, UnitWord)] = &[
    ("month", unit(Month)),
    ("months", unit(Month)),
    ("calendar months", unit(Month)),
    ("year", unit(Year)),
    ("years", unit(Year)),
    ("week", unit(Week)),
    ("weeks", unit(Week)),
    ("day", unit(Day)),
    ("days", unit(Day)),
    ("calendar days", unit(Day)),
    ("business days", unit(Day)),
    ("working days", unit(Day)),
    ("banking days", unit(Day)),
    ("hour", unit(Hour)),
    ("hours", unit(Hour)),
    ("minute", unit(Minute)),
    ("minutes", unit(Minute)),
    ("mins", unit(Minute)),
];

static CHINESE_UNITS: LazyLock<Lexicon<UnitWord>> =
    LazyLock::new(|| Lexicon::new(CHINESE_UNITS_TABLE));
static ENGLISH_UNITS: LazyLock<Lexicon<UnitWord>> =
    LazyLock::new(|| Lexicon::new(ENGLISH_UNITS_TABLE));

/// A duration made of the number `n` and the unit after it.
fn after_number(text: &str, n: &Numeral) -> Option<Duration> {
    if char_before(text, n.span.start) == Some('第') {
        return None;
    }
    let d = duration_after(text, n)?;
    if within_a_lifetime(&d) || n.form == NumeralForm::Arabic {
        return Some(d);
    }
    // 「借一万一天只要5元」: 一万一 runs into 一天. Read the shortest numeral that ends where
    // this one does, so the duration is 一天, not 11,000 days.
    let inner = text
        .get(n.span.clone())?
        .char_indices()
        .skip(1)
        .map(|(i, _)| n.span.start + i)
        .filter_map(|p| super::numerals::scan_numeral(text, p))
        .find(|m| m.span.end == n.span.end)?;
    duration_after(text, &inner).filter(within_a_lifetime)
}

/// Whether a duration is one a loan contract could mean: counted in days, hours or minutes,
/// up to about ten years; in weeks, months or years, up to a hundred.
fn within_a_lifetime(d: &Duration) -> bool {
    let limit = match d.unit {
        Minute | Hour | Day => 3_660,
        Week | Month | Year => 36_500,
    };
    d.days() <= Decimal::from(limit)
}

fn duration_after(text: &str, n: &Numeral) -> Option<Duration> {
    let (start, unit_at) = around_parenthesised(text, n);
    let at = skip_forward(text, unit_at, &["】", "]"]);
    let chinese = CHINESE_UNITS.starting_at(text, at);
    // `12 months`, `12-month`: English units only follow Arabic numbers (words are read by
    // `english_words`).
    let english = (n.form == NumeralForm::Arabic)
        .then(|| ENGLISH_UNITS.starting_at(text, skip_forward(text, unit_at, &["-"])))
        .flatten();
    let hit = chinese.or(english)?;
    let word = text.get(hit.range.clone())?;
    if !plausible(text, n, word, hit.tag.unit, hit.range.end) {
        return None;
    }
    let half = if hit.tag.plus_half {
        Decimal::new(5, 1)
    } else {
        Decimal::ZERO
    };
    Some(Duration {
        span: start..hit.range.end,
        amount: n.value.checked_add(half)?.normalize(),
        unit: hit.tag.unit,
    })
}

/// `thirty (30) days`: the span starts at the words, and the unit follows the parenthesis.
fn around_parenthesised(text: &str, n: &Numeral) -> (usize, usize) {
    let closed =
        char_before(text, n.span.start) == Some('(') && char_at(text, n.span.end) == Some(')');
    if !closed {
        return (n.span.start, n.span.end);
    }
    let open = n.span.start - 1;
    let words_end = skip_back(text, open, &[]);
    let start = english_number_ending_at(text, words_end).map_or(open, |(s, _)| s);
    (start, n.span.end + 1)
}

/// Rules out numbers that only look like durations with this unit.
fn plausible(text: &str, n: &Numeral, word: &str, unit: DurationUnit, end: usize) -> bool {
    match (unit, word) {
        (Year, "年" | "年半") => {
            n.value < Decimal::ONE_HUNDRED
                && !char_at(text, end)
                    .is_some_and(|c| "度级初底末份利化息费率龄纪轻代月".contains(c))
                && !is_lpr_tenor(text, end)
                && !is_day_count_convention(text, end)
        }
        (Day, "日") => !is_day_of_month(text, n.span.start) && !is_day_count(text, n),
        (Day, _) => !is_day_count(text, n),
        _ => true,
    }
}

/// `每月15日`, `3月15日`: a day of the month, not a number of days.
fn is_day_of_month(text: &str, number_start: usize) -> bool {
    let from = chars_back(text, number_start, 3);
    text.get(from..number_start)
        .is_some_and(|s| s.contains(['月', '号']))
}

/// `一年期贷款市场报价利率`: the tenor of a benchmark rate, not a term.
fn is_lpr_tenor(text: &str, end: usize) -> bool {
    let to = chars_forward(text, end, 12);
    text.get(end..to)
        .is_some_and(|s| s.starts_with('期') && (s.contains("报价利率") || s.contains("LPR")))
}

/// `一年按360天计算`: the year of a day-count convention, not a term.
fn is_day_count_convention(text: &str, end: usize) -> bool {
    let to = chars_forward(text, end, 6);
    text.get(end..to)
        .is_some_and(|s| s.contains("360") || s.contains("365"))
}

/// The 360 days of `一年按360天计算`.
fn is_day_count(text: &str, n: &Numeral) -> bool {
    if n.value != Decimal::from(360) && n.value != Decimal::from(365) {
        return false;
    }
    let from = chars_back(text, n.span.start, 4);
    text.get(from..n.span.start)
        .is_some_and(|s| s.contains('年'))
}

/// 半年 (six months), 半个月, 半小时, 半天; not 上半年 or 下半月.
fn halves(text: &str) -> Vec<Duration> {
    const HALVES: &[(&str, &str, DurationUnit)] = &[
        ("半年", "6", Month),
        ("半个月", "0.5", Month),
        ("半月", "0.5", Month),
        ("半个小时", "0.5", Hour),
        ("半小时", "0.5", Hour),
        ("半天", "0.5", Day),
        ("半日", "0.5", Day),
    ];
    let mut found = Vec::new();
    for (i, _) in text.match_indices('半') {
        let before = char_before(text, i);
        if before.is_some_and(|c| "上下前后个年多一两二三四五六七八九十0123456789".contains(c))
        {
            continue;
        }
        let rest = text.get(i..).unwrap_or("");
        if let Some(&(word, amount, unit)) = HALVES.iter().find(|(w, _, _)| rest.starts_with(w)) {
            found.push(Duration {
                span: i..i + word.len(),
                amount: amount.parse().unwrap_or(Decimal::ZERO),
                unit,
            });
        }
    }
    found
}

static ENGLISH_NUMBERS_TABLE: &[(&str, u32)] = &[
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
];

static ENGLISH_NUMBERS: LazyLock<Lexicon<u32>> =
    LazyLock::new(|| Lexicon::new(ENGLISH_NUMBERS_TABLE));

/// An English number in words ending at `end`: `thirty`, `twenty-four`, `twenty four`.
fn english_number_ending_at(text: &str, end: usize) -> Option<(usize, u32)> {
    let last = ENGLISH_NUMBERS.ending_at(text, end)?;
    if last.tag < 10 {
        let joint = skip_back(text, last.range.start, &["-"]);
        if let Some(tens) = ENGLISH_NUMBERS.ending_at(text, joint) {
            if tens.tag >= 20 && tens.tag % 10 == 0 {
                return Some((tens.range.start, tens.tag + last.tag));
            }
        }
    }
    Some((last.range.start, last.tag))
}

/// `one year`, `two weeks`, `twenty-four hours`, `sixty-day`.
fn english_words(text: &str) -> Vec<Duration> {
    let mut found = Vec::new();
    for unit in ENGLISH_UNITS.hits(text, 0..text.len()) {
        let before = skip_back(text, unit.range.start, &["-"]);
        if before == unit.range.start {
            continue;
        }
        let Some((start, value)) = english_number_ending_at(text, before) else {
            continue;
        };
        found.push(Duration {
            span: start..unit.range.end,
            amount: Decimal::from(value),
            unit: unit.tag.unit,
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn check(text: &str, dates: &[Range<usize>], want: &[(&str, &str, DurationUnit)]) {
        let got: Vec<_> = find_durations(text, &[], dates)
            .into_iter()
            .map(|d| (d.span, d.amount, d.unit))
            .collect();
        let want: Vec<_> = want
            .iter()
            .map(|(expr, amount, unit)| {
                let start = text
                    .find(expr)
                    .unwrap_or_else(|| panic!("{expr} not in {text}"));
                let amount = Decimal::from_str(amount).unwrap();
                (start..start + expr.len(), amount, *unit)
            })
            .collect();
        assert_eq!(got, want, "{text}");
    }

    /// Found by fuzzing (`extract`): 28 digits of years overflowed the day count and panicked.
    #[test]
    fn a_length_too_long_to_count_in_days_is_not_a_panic() {
        let text =
            "payments of 5555555555555555555555555555 years. a term of 99999999999999999999999999 years";
        let found = find_durations(text, &[], &[]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].amount,
            "99999999999999999999999999".parse().unwrap()
        );
        assert_eq!(
            found[0].checked_days(),
            found[0].amount.checked_mul(Decimal::from(365))
        );
        let huge = Duration {
            span: 0..1,
            amount: Decimal::MAX,
            unit: Year,
        };
        assert_eq!(huge.days(), Decimal::MAX);
        check("term of 3 years", &[], &[("3 years", "3", Year)]);
    }

    #[test]
    fn a_numeral_that_runs_into_a_duration_gives_back_its_tail() {
        let text = "借一万一天只要5元";
        let d = find_durations(text, &[], &[]);
        assert_eq!(d.len(), 1);
        assert_eq!(&text[d[0].span.clone()], "一天");
        assert_eq!((d[0].amount, d[0].unit), (Decimal::ONE, Day));
    }

    #[test]
    fn durations_in_every_wording() {
        let cases: &[(&str, (&str, &str, DurationUnit))] = &[
            ("借款期限为12个月。", ("12个月", "12", Month)),
            ("期限十二个月", ("十二个月", "12", Month)),
            ("宽限期30天。", ("30天", "30", Day)),
            ("应于30日内还清。", ("30日", "30", Day)),
            ("借款期限一年。", ("一年", "1", Year)),
            ("期限3年,", ("3年", "3", Year)),
            ("两周内", ("两周", "2", Week)),
            ("24小时内回复", ("24小时", "24", Hour)),
            ("15分钟", ("15分钟", "15", Minute)),
            ("期限半年。", ("半年", "6", Month)),
            ("期限一年半。", ("一年半", "1.5", Year)),
            ("一个半月", ("一个半月", "1.5", Month)),
            ("半个月内", ("半个月", "0.5", Month)),
            ("5个工作日内", ("5个工作日", "5", Day)),
            ("3个自然月", ("3个自然月", "3", Month)),
            ("逾期超过90日的", ("90日", "90", Day)),
            ("a term of 12 months", ("12 months", "12", Month)),
            ("within 30 days", ("30 days", "30", Day)),
            ("for one year", ("one year", "1", Year)),
            ("two weeks", ("two weeks", "2", Week)),
            ("24 hours", ("24 hours", "24", Hour)),
            ("within thirty (30) days", ("thirty (30) days", "30", Day)),
            ("a 12-month term", ("12-month", "12", Month)),
            ("twenty-four hours", ("twenty-four hours", "24", Hour)),
            ("5 business days", ("5 business days", "5", Day)),
            ("1.5年", ("1.5年", "1.5", Year)),
        ];
        for (text, want) in cases {
            check(text, &[], std::slice::from_ref(want));
        }
    }

    #[test]
    fn not_durations() {
        for text in [
            "每月15日还款",
            "3月15日",
            "2026年",
            "二〇二六年",
            "第3个月",
            "上半年",
            "一年期贷款市场报价利率",
            "一年按360天计算",
            "年利率24%",
            "2026年度",
            "12月",
            "one of the days",
            "40年代",
        ] {
            assert_eq!(find_durations(text, &[], &[]), vec![], "{text}");
        }
    }

    #[test]
    fn days_inside_dates_are_skipped() {
        let text = "自2026年3月30日起45日内";
        let date = text.find("2026").unwrap()..text.find("起").unwrap();
        check(text, std::slice::from_ref(&date), &[("45日", "45", Day)]);
    }

    #[test]
    fn blanks_are_never_read() {
        let text = "借款期限____个月";
        let blank = text.find("____").unwrap()..text.find("个").unwrap();
        assert_eq!(
            find_durations(text, std::slice::from_ref(&blank), &[]),
            vec![]
        );
        let text = "期限【12】个月";
        let durations = find_durations(text, &[], &[]);
        assert_eq!(durations.len(), 1);
        assert_eq!(durations[0].amount, Decimal::from(12));
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,60}") {
            let dates = vec![2..3, 7..8];
            let _ = find_durations(&s, &[0..1, 4..6], &dates);
        }

        #[test]
        fn never_panics_on_duration_alphabet(
            s in "[个月年日天周半小时分钟工作一二两三十0-9 .()\\-a-z]{0,40}") {
            for d in find_durations(&s, &[], &[]) {
                prop_assert!(s.is_char_boundary(d.span.start) && s.is_char_boundary(d.span.end));
            }
        }
    }
}
