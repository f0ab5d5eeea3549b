//! Money: 人民币10,000.00元, 1.2万元, 人民币壹万贰仟元整, 伍佰元贰角, ¥5,000, RMB 10,000,
//! USD 1,000.50, HK$1,000, 1,000 dollars, 500美元, 港币1000元.
//!
//! A number is money only when a currency word or sign stands right before it (人民币, ¥, $,
//! USD…) or a currency unit right after it (元, 美元, dollars…), or when it is a 万/亿 amount in
//! a clause about money (借款金额1.2万). That alone keeps dates, clause numbers, phone numbers,
//! IDs and rates out.

use super::context::{
    char_at, char_before, clause_start, skip_back, skip_forward, Blanks, Lexicon,
};
use super::numerals::{scan_jiao_fen, Numeral, NumeralForm};
use super::Money;
use rust_decimal::Decimal;
use std::ops::Range;
use std::sync::LazyLock;

/// How far back a clause is read for a money word before a bare 万 amount.
const CLAUSE_CHARS: usize = 30;

#[cfg(test)]
pub(crate) fn find_money(text: &str, blanks: &[Range<usize>]) -> Vec<Money> {
    find_money_among(text, blanks, &super::numerals::all(text))
}

/// [`find_money`] given the text's numerals (which `extract` reads once for every kind).
pub(crate) fn find_money_among(
    text: &str,
    blanks: &[Range<usize>],
    numerals: &[Numeral],
) -> Vec<Money> {
    let blanks = Blanks::new(blanks);
    let mut found: Vec<Money> = Vec::new();
    for n in numerals {
        let after_last = found.last().map_or(0, |m| m.span.end);
        if n.span.start < after_last
            || n.form == NumeralForm::DigitByDigit
            || blanks.touches(&n.span)
        {
            continue;
        }
        if let Some(m) = read_money(text, n) {
            found.push(m);
        }
    }
    found
}

/// Signs and words that name a currency before the amount.
static PREFIXES: LazyLock<Lexicon<&'static str>> = LazyLock::new(|| {
    Lexicon::new(&[
        ("人民币", "CNY"),
        ("RMB", "CNY"),
        ("CNY", "CNY"),
        ("¥", "CNY"),
        ("￥", "CNY"),
        ("$", "USD"),
        ("US$", "USD"),
        ("US $", "USD"),
        ("USD", "USD"),
        ("美元", "USD"),
        ("美金", "USD"),
        ("HK$", "HKD"),
        ("HKD", "HKD"),
        ("港币", "HKD"),
        ("港元", "HKD"),
        ("EUR", "EUR"),
        ("€", "EUR"),
        ("欧元", "EUR"),
        ("GBP", "GBP"),
        ("£", "GBP"),
        ("英镑", "GBP"),
        ("JPY", "JPY"),
        ("日元", "JPY"),
        ("NT$", "TWD"),
        ("TWD", "TWD"),
        ("S$", "SGD"),
        ("SGD", "SGD"),
        ("A$", "AUD"),
        ("AU$", "AUD"),
        ("AUD", "AUD"),
        ("C$", "CAD"),
        ("CA$", "CAD"),
        ("CAD", "CAD"),
    ])
});

/// Words and marks between a currency word and the amount: `人民币(大写):壹万元整`.
const PREFIX_CONNECTORS: &[&str] = &[
    ":", "(大写)", "(小写)", "大写", "小写", "【", "[", "金额", "计",
];

/// Currency units after the amount. 元 and 圆 may be followed by 角/分 or 整.
static SUFFIXES: LazyLock<Lexicon<&'static str>> = LazyLock::new(|| {
    Lexicon::new(&[
        ("元", "CNY"),
        ("圆", "CNY"),
        ("块钱", "CNY"),
        ("人民币", "CNY"),
        ("美元", "USD"),
        ("美金", "USD"),
        ("港元", "HKD"),
        ("港币", "HKD"),
        ("欧元", "EUR"),
        ("英镑", "GBP"),
        ("日元", "JPY"),
        ("yuan", "CNY"),
        ("RMB", "CNY"),
        ("CNY", "CNY"),
        ("dollar", "USD"),
        ("dollars", "USD"),
        ("US dollars", "USD"),
        ("U.S. dollars", "USD"),
        ("Hong Kong dollars", "HKD"),
        ("HK dollars", "HKD"),
        ("USD", "USD"),
        ("HKD", "HKD"),
        ("EUR", "EUR"),
        ("euro", "EUR"),
        ("euros", "EUR"),
        ("GBP", "GBP"),
        ("pounds sterling", "GBP"),
        ("JPY", "JPY"),
    ])
});

/// `$1.2 million`.
const SCALE_WORDS: &[(&str, i64)] = &[
    ("thousand", 1_000),
    ("million", 1_000_000),
    ("billion", 1_000_000_000),
];

/// Words saying a clause is about an amount, so that a bare `1.2万` there is money.
static MONEY_WORDS: LazyLock<Lexicon<()>> = LazyLock::new(|| {
    Lexicon::new(&[
        ("金额", ()),
        ("本金", ()),
        ("借款", ()),
        ("贷款", ()),
        ("额度", ()),
        ("费", ()),
        ("款", ()),
        ("价", ()),
        ("利息", ()),
        ("收入", ()),
        ("工资", ()),
        ("余额", ()),
        ("欠", ()),
    ])
});

/// An amount read after the number: its end, currency and what it adds or multiplies.
struct Tail {
    end: usize,
    currency: Option<&'static str>,
    scale: Decimal,
    fraction: Decimal,
}

fn read_money(text: &str, n: &Numeral) -> Option<Money> {
    if char_before(text, n.span.start) == Some('第') {
        return None;
    }
    let prefix = currency_prefix(text, n.span.start);
    let tail = currency_suffix(text, n.span.end);
    let currency = match (&prefix, &tail) {
        (Some((_, code)), _) => *code,
        (
            None,
            Some(Tail {
                currency: Some(code),
                ..
            }),
        ) => *code,
        (None, _) if is_bare_wan_amount(text, n) => "CNY",
        (None, _) => return None,
    };
    let tail = tail.unwrap_or(Tail {
        end: n.span.end,
        currency: None,
        scale: Decimal::ONE,
        fraction: Decimal::ZERO,
    });
    if tail.currency.is_none() && followed_by_other_unit(text, tail.end) {
        return None;
    }
    let amount = n
        .value
        .checked_mul(tail.scale)?
        .checked_add(tail.fraction)?;
    let start = prefix.map_or(n.span.start, |(s, _)| s);
    Some(Money {
        span: start..tail.end,
        amount: amount.normalize(),
        currency: currency.to_string(),
    })
}

fn currency_prefix(text: &str, number_start: usize) -> Option<(usize, &'static str)> {
    let at = skip_back(text, number_start, PREFIX_CONNECTORS);
    PREFIXES.ending_at(text, at).map(|h| (h.range.start, h.tag))
}

fn currency_suffix(text: &str, number_end: usize) -> Option<Tail> {
    let mut at = skip_forward(text, number_end, &["】", "]"]);
    let mut scale = Decimal::ONE;
    let mut end = number_end;
    if let Some(&(word, factor)) = SCALE_WORDS.iter().find(|(w, _)| starts_word(text, at, w)) {
        scale = Decimal::from(factor);
        end = at + word.len();
        at = skip_forward(text, end, &[]);
    }
    let Some(unit) = SUFFIXES.starting_at(text, at) else {
        return (scale != Decimal::ONE).then_some(Tail {
            end,
            currency: None,
            scale,
            fraction: Decimal::ZERO,
        });
    };
    let mut end = unit.range.end;
    let mut fraction = Decimal::ZERO;
    if matches!(unit.tag, "CNY") && matches!(text.get(unit.range.clone()), Some("元" | "圆")) {
        let (jiao_fen, after) = scan_jiao_fen(text, end);
        fraction = jiao_fen;
        end = after;
        if matches!(char_at(text, end), Some('整' | '正')) {
            end += '整'.len_utf8();
        }
    }
    Some(Tail {
        end,
        currency: Some(unit.tag),
        scale,
        fraction,
    })
}

fn starts_word(text: &str, at: usize, word: &str) -> bool {
    let matches = text
        .get(at..at + word.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(word));
    matches && !char_at(text, at + word.len()).is_some_and(|c| c.is_ascii_alphabetic())
}

/// `借款金额1.2万`: a 万/亿 amount with no unit, in a clause about money.
fn is_bare_wan_amount(text: &str, n: &Numeral) -> bool {
    if !n.ends_with_big_unit {
        return false;
    }
    let from = clause_start(text, n.span.start, CLAUSE_CHARS);
    MONEY_WORDS.nearest(text, from..n.span.start).is_some()
}

/// A currency sign followed by a number that counts something else: `人民币2026年`, `¥5%`.
fn followed_by_other_unit(text: &str, pos: usize) -> bool {
    let at = skip_forward(text, pos, &[]);
    char_at(text, at).is_some_and(|c| {
        "年月日天个%‰次期号条款项倍人岁小分角笔户张份元".contains(c)
            || (c.is_alphabetic()
                && !c.is_ascii()
                && !"的以及或和至到整".contains(c)
                && !is_cjk_punctuation(c))
    })
}

fn is_cjk_punctuation(c: char) -> bool {
    matches!(
        c,
        '。' | '、' | '；' | '：' | '（' | '）' | '【' | '】' | '《' | '》' | '“' | '”'
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn check(text: &str, want: &[(&str, &str, &str)]) {
        let got: Vec<_> = find_money(text, &[])
            .into_iter()
            .map(|m| (m.span, m.amount, m.currency))
            .collect();
        let want: Vec<_> = want
            .iter()
            .map(|(expr, amount, currency)| {
                let start = text
                    .find(expr)
                    .unwrap_or_else(|| panic!("{expr} not in {text}"));
                (start..start + expr.len(), dec(amount), currency.to_string())
            })
            .collect();
        assert_eq!(got, want, "{text}");
    }

    #[test]
    fn amounts_in_every_wording() {
        let cases: &[(&str, (&str, &str, &str))] = &[
            (
                "借款金额为人民币10,000.00元。",
                ("人民币10,000.00元", "10000", "CNY"),
            ),
            ("借款本金10000元,", ("10000元", "10000", "CNY")),
            ("额度1.2万元。", ("1.2万元", "12000", "CNY")),
            ("借款金额1.2万,", ("1.2万", "12000", "CNY")),
            (
                "人民币壹万贰仟元整。",
                ("人民币壹万贰仟元整", "12000", "CNY"),
            ),
            ("共计一万二千元。", ("一万二千元", "12000", "CNY")),
            ("服务费¥5,000。", ("¥5,000", "5000", "CNY")),
            ("服务费￥5000。", ("￥5000", "5000", "CNY")),
            ("a fee of RMB 10,000 is due", ("RMB 10,000", "10000", "CNY")),
            ("CNY 10000 only", ("CNY 10000", "10000", "CNY")),
            ("pay USD 1,000.50 now", ("USD 1,000.50", "1000.5", "USD")),
            ("a $1,000 loan", ("$1,000", "1000", "USD")),
            ("a US$500 fee", ("US$500", "500", "USD")),
            ("a HK$1,000 fee", ("HK$1,000", "1000", "HKD")),
            ("a fee of 1,000 dollars", ("1,000 dollars", "1000", "USD")),
            ("支付500美元。", ("500美元", "500", "USD")),
            ("港币1000元。", ("港币1000元", "1000", "HKD")),
            ("伍佰元贰角。", ("伍佰元贰角", "500.2", "CNY")),
            ("壹万元贰角叁分。", ("壹万元贰角叁分", "10000.23", "CNY")),
            (
                "人民币(大写):壹万元整。",
                ("人民币(大写):壹万元整", "10000", "CNY"),
            ),
            ("人民币【10000】元。", ("人民币【10000】元", "10000", "CNY")),
            ("人民币 10,000 元。", ("人民币 10,000 元", "10000", "CNY")),
            (
                "a $1.2 million facility",
                ("$1.2 million", "1200000", "USD"),
            ),
            ("3万5千元", ("3万5千元", "35000", "CNY")),
            ("1000港元", ("1000港元", "1000", "HKD")),
            ("€500 fee", ("€500", "500", "EUR")),
            ("金额为RMB10,000元", ("RMB10,000元", "10000", "CNY")),
            ("pay USD1,000 now", ("USD1,000", "1000", "USD")),
            ("pay 1000USD now", ("1000USD", "1000", "USD")),
            ("共计一百二十元五角", ("一百二十元五角", "120.5", "CNY")),
            ("借款本金为10000.00元整", ("10000.00元整", "10000", "CNY")),
            ("支付500块钱", ("500块钱", "500", "CNY")),
            (
                "a payment of 1,500.00 US dollars",
                ("1,500.00 US dollars", "1500", "USD"),
            ),
        ];
        for (text, want) in cases {
            check(text, std::slice::from_ref(want));
        }
    }

    #[test]
    fn upper_and_lower_case_amounts_together() {
        check(
            "借款本金为人民币(大写)壹万元整(小写:¥10,000.00)。",
            &[
                ("人民币(大写)壹万元整", "10000", "CNY"),
                ("¥10,000.00", "10000", "CNY"),
            ],
        );
    }

    #[test]
    fn numbers_that_are_not_money() {
        for text in [
            "第5条 借款用途",
            "1.1 借款金额",
            "联系电话:13800138000",
            "身份证号:110101199001011234",
            "2026年3月1日",
            "年利率24%",
            "期限12个月",
            "人民币2026年",
            "共3万人",
            "二〇二六年",
            "第1元",
        ] {
            assert_eq!(find_money(text, &[]), vec![], "{text}");
        }
    }

    #[test]
    fn blanks_are_never_read() {
        for (text, blank) in [
            ("人民币【    】元", "【    】"),
            ("人民币____元", "____"),
            ("人民币1____元", "____"),
            ("¥${amount}", "${amount}"),
        ] {
            let start = text.find(blank).unwrap();
            let blank = start..start + blank.len();
            assert_eq!(
                find_money(text, std::slice::from_ref(&blank)),
                vec![],
                "{text}"
            );
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,60}") {
            let _ = find_money(&s, &[0..2, 5..9]);
        }

        #[test]
        fn never_panics_on_money_alphabet(
            s in "[人民币元角分整¥$USDHK万亿千百十一二三壹贰0-9., :()大写]{0,40}") {
            for m in find_money(&s, &[]) {
                prop_assert!(s.is_char_boundary(m.span.start) && s.is_char_boundary(m.span.end));
            }
        }
    }
}
