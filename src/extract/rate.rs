//! Rates: 年化利率18%, 日利率0.05%, 月息二分, 日息万五, 万分之五, 18% per annum, APR of 35.99%.
//!
//! A rate is a number with a percent sign (or 百分之/千分之/万分之, ‰, a 万五 shorthand after a
//! rate word, or 分/厘 after 年息/月息/日息). Its period comes from the expression itself
//! (`0.05%/日`, `per month`), else the nearest period word before it in the same clause, else a
//! rate word earlier in the same sentence; its kind from the words around it.

use super::context::{
    char_at, char_before, chars_back, clause_end, clause_start, sentence_start, skip_back,
    skip_forward, starts_with_ignore_ascii_case, Blanks, Hit, Lexicon,
};
use super::numerals::{is_chinese_numeral_char, scan_numeral, Numeral, NumeralForm};
use super::{Period, Rate, RateKind};
use regex::Regex;
use rust_decimal::Decimal;
use std::ops::Range;
use std::sync::LazyLock;

/// How far back the clause before a rate is read, in characters.
const CLAUSE_CHARS: usize = 40;
/// How far back a sentence is read for a period word to inherit.
const SENTENCE_CHARS: usize = 80;
/// How far back the sentence is read for the kind of a rate whose clause says nothing.
const KIND_SENTENCE_CHARS: usize = 30;
/// How far after a rate a word may say it is not a rate (`51%的股权`).
const AFTER_CHARS: usize = 12;

/// A rate expression before its context is read.
#[derive(Debug, Clone)]
struct Candidate {
    /// The number with its percent sign, 分之 prefix, shorthand 万 or 分/厘 suffix.
    core: Range<usize>,
    /// The number alone.
    number: Range<usize>,
    /// In percent.
    value: Decimal,
    /// Set when the expression itself fixes the period (月息二分).
    period: Option<Period>,
}

#[cfg(test)]
pub(crate) fn find_rates(text: &str, blanks: &[Range<usize>]) -> Vec<Rate> {
    find_rates_among(text, blanks, &super::numerals::all(text))
}

/// [`find_rates`] given the text's numerals (which `extract` reads once for every kind).
pub(crate) fn find_rates_among(
    text: &str,
    blanks: &[Range<usize>],
    numerals: &[Numeral],
) -> Vec<Rate> {
    let blanks = Blanks::new(blanks);
    let basis = day_basis(text);
    candidates(text, numerals)
        .into_iter()
        .filter(|c| !blanks.touches(&c.number) && !blanks.touches(&c.core))
        .filter_map(|c| read_rate(text, &c, basis))
        .collect()
}

/// Days in a year for daily rates: 360 when the document says so anywhere, else 365.
pub(crate) fn day_basis(text: &str) -> u16 {
    static SAYS_360: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(concat!(
            r"年\s*(?:按|以|为|计|折合|按照)?\s*360\s*(?:天|日|个自然日)",
            r"|360\s*(?:天|日)\s*(?:为|计为|作为|算|折合)\s*(?:一|1)?\s*(?:年|个?会计年)",
            r"|360\s*(?:天|日)\s*计",
            r"|[/÷]\s*360(?:[^0-9]|$)",
            r"|(?i:360[- ]day)",
            r"|(?i:(?:year|annum)\s+(?:of|as|is|=|consisting\s+of|has)\s+360\s+days)",
            r"|(?i:360\s+days\s+(?:per|a|in\s+a|each|to\s+the)\s+year)",
        ))
        .expect("static regex")
    });
    if SAYS_360.is_match(text) {
        360
    } else {
        365
    }
}

fn candidates(text: &str, numerals: &[Numeral]) -> Vec<Candidate> {
    let mut found = Vec::new();
    let mut consumed = 0;
    for n in numerals {
        if n.span.start < consumed || n.form == NumeralForm::DigitByDigit {
            continue;
        }
        let candidate = percent_sign(text, n)
            .or_else(|| fraction_words(text, n))
            .or_else(|| fen_li(text, n));
        if let Some(c) = candidate {
            consumed = c.core.end;
            found.push(c);
        }
    }
    found.extend(shorthand(text));
    found.sort_by_key(|c| c.core.start);
    let mut kept: Vec<Candidate> = Vec::with_capacity(found.len());
    for c in found {
        if kept.last().is_none_or(|k| k.core.end <= c.core.start) {
            kept.push(c);
        }
    }
    kept
}

const CLOSE_BRACKETS: &[&str] = &["】", "]"];

/// `18%`, `5‰`, `18 percent`, `【18】%`.
fn percent_sign(text: &str, n: &Numeral) -> Option<Candidate> {
    const SIGNS: &[(&str, i64)] = &[
        ("%", 1),
        ("‰", 10),
        ("‱", 100),
        ("percent", 1),
        ("per cent", 1),
        ("pct", 1),
    ];
    let at = skip_forward(text, n.span.end, CLOSE_BRACKETS);
    let tail = text.get(at..)?;
    let &(sign, divisor) = SIGNS
        .iter()
        .find(|(s, _)| starts_with_ignore_ascii_case(tail, s))?;
    let end = at + sign.len();
    if sign.is_ascii() && char_at(text, end).is_some_and(|c| c.is_ascii_alphabetic()) {
        return None; // "percentage points"
    }
    Some(Candidate {
        core: n.span.start..end,
        number: n.span.clone(),
        value: n.value.checked_div(Decimal::from(divisor))?,
        period: None,
    })
}

/// `百分之二十四`, `千分之三`, `万分之五`, `百分之0.5`.
fn fraction_words(text: &str, n: &Numeral) -> Option<Candidate> {
    const WORDS: &[(&str, i64)] = &[
        ("十分之", 10),
        ("百分之", 100),
        ("千分之", 1000),
        ("万分之", 10_000),
        ("萬分之", 10_000),
    ];
    let at = skip_back(text, n.span.start, &["【", "["]);
    let head = text.get(..at)?;
    let &(word, denominator) = WORDS.iter().find(|(w, _)| head.ends_with(w))?;
    let value = n
        .value
        .checked_mul(Decimal::ONE_HUNDRED)?
        .checked_div(Decimal::from(denominator))?;
    Some(Candidate {
        core: at - word.len()..n.span.end,
        number: n.span.clone(),
        value,
        period: None,
    })
}

/// Words after which 分/厘 and the 万五 shorthand are rates, with the period they fix.
static FEN_LI_HEADS: LazyLock<Lexicon<Period>> = LazyLock::new(|| {
    Lexicon::new(&[
        ("年息", Period::Annual),
        ("年利", Period::Annual),
        ("年利率", Period::Annual),
        ("月息", Period::Monthly),
        ("月利", Period::Monthly),
        ("月利率", Period::Monthly),
        ("日息", Period::Daily),
        ("日利", Period::Daily),
        ("日利率", Period::Daily),
    ])
});

const HEAD_CONNECTORS: &[&str] = &[
    "为",
    "是",
    ":",
    "=",
    "按照",
    "按",
    "约为",
    "约",
    "达到",
    "高达",
    "不超过",
    "不高于",
    "不低于",
    "最高",
    "of",
    "is",
    "at",
    "(单利)",
    "(复利)",
    "(年化)",
    "【",
    "[",
];

/// `月息二分` (2% a month), `年息一分五厘` (15% a year), `月息8厘` (0.8% a month). One 分 is a
/// tenth of the period's base (10% a year, 1% a month, 0.1% a day); one 厘 a tenth of that.
fn fen_li(text: &str, n: &Numeral) -> Option<Candidate> {
    if n.value >= Decimal::ONE_HUNDRED {
        return None;
    }
    let head = skip_back(text, n.span.start, HEAD_CONNECTORS);
    let period = FEN_LI_HEADS.ending_at(text, head)?.tag;
    let unit_at = n.span.end;
    let (fen, end) = match char_at(text, unit_at)? {
        '分' => {
            let after = unit_at + '分'.len_utf8();
            if matches!(
                char_at(text, after),
                Some('之' | '钟' | '期' | '别' | '配' | '摊' | '析')
            ) {
                return None;
            }
            match tenths_after_fen(text, after) {
                Some((tenths, e)) => (n.value.checked_add(tenths)?, e),
                None => (n.value, after),
            }
        }
        '厘' => (n.value / Decimal::TEN, unit_at + '厘'.len_utf8()),
        _ => return None,
    };
    let per_fen = match period {
        Period::Annual => Decimal::TEN,
        Period::Monthly => Decimal::ONE,
        _ => Decimal::new(1, 1),
    };
    Some(Candidate {
        core: n.span.start..end,
        number: n.span.clone(),
        value: fen.checked_mul(per_fen)?,
        period: Some(period),
    })
}

/// The 五厘 of 一分五厘 (or the bare 五 of 一分五), in 分.
fn tenths_after_fen(text: &str, pos: usize) -> Option<(Decimal, usize)> {
    let m = scan_numeral(text, pos)?;
    if m.value >= Decimal::TEN || m.form == NumeralForm::DigitByDigit {
        return None;
    }
    let end = if char_at(text, m.span.end) == Some('厘') {
        m.span.end + '厘'.len_utf8()
    } else if char_at(text, m.span.end).is_some_and(|c| is_chinese_numeral_char(c) || c == '%') {
        return None;
    } else {
        m.span.end
    };
    Some((m.value / Decimal::TEN, end))
}

static SHORTHAND_HEADS: LazyLock<Lexicon<()>> = LazyLock::new(|| {
    Lexicon::new(&[
        ("息", ()),
        ("利率", ()),
        ("费率", ()),
        ("息费", ()),
        ("利", ()),
    ])
});

/// `日息万五` (0.05%), `日利率万2.5`, `月费率千三` (0.3%): 万/千 then a digit, right after a
/// rate word.
fn shorthand(text: &str) -> Vec<Candidate> {
    let mut found = Vec::new();
    for (i, m) in text.match_indices(['万', '千', '萬']) {
        let head = skip_back(text, i, HEAD_CONNECTORS);
        if SHORTHAND_HEADS.ending_at(text, head).is_none() {
            continue;
        }
        let Some(n) = scan_numeral(text, i + m.len()) else {
            continue;
        };
        // One Chinese digit (three bytes in UTF-8) or an Arabic number: 万五, 万2.5.
        let one_digit = n.span.len() == '五'.len_utf8() || n.form == NumeralForm::Arabic;
        let followed_by_word = char_at(text, n.span.end)
            .is_some_and(|c| is_chinese_numeral_char(c) || "分元块%‰".contains(c));
        if !one_digit || followed_by_word || n.value >= Decimal::TEN || n.value.is_zero() {
            continue;
        }
        let divisor = if m == "千" {
            Decimal::TEN
        } else {
            Decimal::ONE_HUNDRED
        };
        found.push(Candidate {
            core: i..n.span.end,
            number: n.span.clone(),
            value: n.value / divisor,
            period: None,
        });
    }
    found
}

/// What a word near a number says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    Kind(RateKind),
    /// A percentage that is not a rate (股权比例51%), or a change to another rate (上浮50%,
    /// 合同利率的150%).
    NotARate,
}

use RateKind::{Fee, Interest, Overdue, Penalty};

static WORDS: LazyLock<Lexicon<Word>> = LazyLock::new(|| {
    Lexicon::new(&[
        ("逾期", Word::Kind(Overdue)),
        ("罚息", Word::Kind(Overdue)),
        ("迟延", Word::Kind(Overdue)),
        ("延迟", Word::Kind(Overdue)),
        ("滞纳金", Word::Kind(Overdue)),
        ("overdue", Word::Kind(Overdue)),
        ("late", Word::Kind(Overdue)),
        ("past due", Word::Kind(Overdue)),
        ("default interest", Word::Kind(Overdue)),
        ("default rate", Word::Kind(Overdue)),
        ("delinquency", Word::Kind(Overdue)),
        ("违约金", Word::Kind(Penalty)),
        ("违约", Word::Kind(Penalty)),
        ("罚金", Word::Kind(Penalty)),
        ("penalty", Word::Kind(Penalty)),
        ("penalties", Word::Kind(Penalty)),
        ("liquidated damages", Word::Kind(Penalty)),
        ("服务费", Word::Kind(Fee)),
        ("手续费", Word::Kind(Fee)),
        ("管理费", Word::Kind(Fee)),
        ("担保费", Word::Kind(Fee)),
        ("咨询费", Word::Kind(Fee)),
        ("保险费", Word::Kind(Fee)),
        ("信息费", Word::Kind(Fee)),
        ("平台费", Word::Kind(Fee)),
        ("会员费", Word::Kind(Fee)),
        ("审核费", Word::Kind(Fee)),
        ("评估费", Word::Kind(Fee)),
        ("费率", Word::Kind(Fee)),
        ("费用", Word::Kind(Fee)),
        ("佣金", Word::Kind(Fee)),
        ("fee", Word::Kind(Fee)),
        ("fees", Word::Kind(Fee)),
        ("service charge", Word::Kind(Fee)),
        ("commission", Word::Kind(Fee)),
        ("利率", Word::Kind(Interest)),
        ("利息", Word::Kind(Interest)),
        ("息", Word::Kind(Interest)),
        ("息费", Word::Kind(Interest)),
        ("年化", Word::Kind(Interest)),
        ("综合成本", Word::Kind(Interest)),
        ("资金成本", Word::Kind(Interest)),
        ("借款成本", Word::Kind(Interest)),
        ("interest", Word::Kind(Interest)),
        ("apr", Word::Kind(Interest)),
        ("annual percentage rate", Word::Kind(Interest)),
        ("rate", Word::Kind(Interest)),
        ("比例", Word::NotARate),
        ("持股", Word::NotARate),
        ("股权", Word::NotARate),
        ("股份", Word::NotARate),
        ("占比", Word::NotARate),
        ("首付", Word::NotARate),
        ("保证金", Word::NotARate),
        ("成数", Word::NotARate),
        ("税率", Word::NotARate),
        ("增值税", Word::NotARate),
        ("折扣", Word::NotARate),
        ("概率", Word::NotARate),
        ("进度", Word::NotARate),
        ("完成率", Word::NotARate),
        ("抵押率", Word::NotARate),
        ("质押率", Word::NotARate),
        ("上浮", Word::NotARate),
        ("下浮", Word::NotARate),
        ("上调", Word::NotARate),
        ("下调", Word::NotARate),
        ("浮动", Word::NotARate),
        ("加收", Word::NotARate),
        ("提高", Word::NotARate),
        ("降低", Word::NotARate),
        ("增加", Word::NotARate),
        ("减少", Word::NotARate),
        ("利率的", Word::NotARate),
        ("利息的", Word::NotARate),
        ("罚息的", Word::NotARate),
        ("LPR的", Word::NotARate),
        ("+", Word::NotARate),
        ("plus", Word::NotARate),
        ("share", Word::NotARate),
        ("shares", Word::NotARate),
        ("stake", Word::NotARate),
        ("ownership", Word::NotARate),
        ("equity", Word::NotARate),
        ("tax", Word::NotARate),
        ("tax rate", Word::NotARate),
        ("vat", Word::NotARate),
        ("discount", Word::NotARate),
        ("down payment", Word::NotARate),
        ("loan-to-value", Word::NotARate),
        ("ltv", Word::NotARate),
        ("increase", Word::NotARate),
        ("decrease", Word::NotARate),
        ("markup", Word::NotARate),
        ("margin", Word::NotARate),
    ])
});

/// A period word; `rate_phrase` when it names a rate (年利率, 日息) rather than a frequency
/// (每月), so that later rates in the sentence may inherit it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PeriodWord {
    period: Period,
    rate_phrase: bool,
}

const fn word(period: Period, rate_phrase: bool) -> PeriodWord {
    PeriodWord {
        period,
        rate_phrase,
    }
}

const A: Period = Period::Annual;
const M: Period = Period::Monthly;
const D: Period = Period::Daily;

static PERIOD_WORDS: LazyLock<Lexicon<PeriodWord>> = LazyLock::new(|| Lexicon::new(PERIOD_TABLE));

static PERIOD_TABLE: &[(&str, PeriodWord)] = &[
    ("年化", word(A, true)),
    ("年利", word(A, true)),
    ("年息", word(A, true)),
    ("年费率", word(A, true)),
    ("年综合", word(A, true)),
    ("年率", word(A, true)),
    ("年管理费", word(A, true)),
    ("年服务费", word(A, true)),
    ("年手续费", word(A, true)),
    ("年担保费", word(A, true)),
    ("年罚息", word(A, true)),
    ("年单利", word(A, true)),
    ("年复利", word(A, true)),
    ("年百分率", word(A, true)),
    ("每年", word(A, false)),
    ("按年", word(A, false)),
    ("annual", word(A, true)),
    ("annually", word(A, false)),
    ("annualized", word(A, true)),
    ("annualised", word(A, true)),
    ("per annum", word(A, false)),
    ("per year", word(A, false)),
    ("yearly", word(A, false)),
    ("apr", word(A, true)),
    ("p.a.", word(A, false)),
    ("月利", word(M, true)),
    ("月息", word(M, true)),
    ("月费率", word(M, true)),
    ("月综合", word(M, true)),
    ("月管理费", word(M, true)),
    ("月服务费", word(M, true)),
    ("月手续费", word(M, true)),
    ("月担保费", word(M, true)),
    ("月罚息", word(M, true)),
    ("月率", word(M, true)),
    ("月化", word(M, true)),
    ("每月", word(M, false)),
    ("每个月", word(M, false)),
    ("按月", word(M, false)),
    ("monthly", word(M, true)),
    ("per month", word(M, false)),
    ("日利", word(D, true)),
    ("日息", word(D, true)),
    ("日费率", word(D, true)),
    ("日综合", word(D, true)),
    ("日管理费", word(D, true)),
    ("日服务费", word(D, true)),
    ("日手续费", word(D, true)),
    ("日罚息", word(D, true)),
    ("日违约金", word(D, true)),
    ("日率", word(D, true)),
    ("每日", word(D, false)),
    ("每天", word(D, false)),
    ("按日", word(D, false)),
    ("按天", word(D, false)),
    ("逐日", word(D, false)),
    ("daily", word(D, true)),
    ("per day", word(D, false)),
    ("per diem", word(D, false)),
];

/// Period words that follow the number as part of the rate: `0.05%/日`, `18% p.a.`.
static PERIOD_SUFFIXES: LazyLock<Lexicon<Period>> = LazyLock::new(|| {
    Lexicon::new(&[
        ("/年", A),
        ("每年", A),
        ("apr", A),
        ("annual percentage rate", A),
        ("(年化)", A),
        ("(年)", A),
        ("/year", A),
        ("/yr", A),
        ("per annum", A),
        ("per year", A),
        ("a year", A),
        ("p.a.", A),
        ("p.a", A),
        ("annually", A),
        ("yearly", A),
        ("/月", M),
        ("每月", M),
        ("(月)", M),
        ("/month", M),
        ("/mo", M),
        ("per month", M),
        ("a month", M),
        ("monthly", M),
        ("/日", D),
        ("/天", D),
        ("每日", D),
        ("每天", D),
        ("(日)", D),
        ("/day", D),
        ("per day", D),
        ("a day", D),
        ("per diem", D),
        ("daily", D),
    ])
});

/// Periods named later in the clause as the way the rate is counted: `0.05%按日计收`,
/// `0.05% of the overdue amount per day`.
static COUNTED_BY: LazyLock<Lexicon<Period>> = LazyLock::new(|| {
    Lexicon::new(&[
        ("按日计", D),
        ("按天计", D),
        ("逐日计", D),
        ("按日收", D),
        ("按日支付", D),
        ("按月计", M),
        ("按月收", M),
        ("按年计", A),
        ("per day", D),
        ("a day", D),
        ("each day", D),
        ("per month", M),
        ("a month", M),
        ("each month", M),
        ("per annum", A),
        ("per year", A),
        ("a year", A),
    ])
});

/// Words naming the base of a one-off proportion (`借款本金的2%`): such a percentage does not
/// inherit a period from an earlier rate in the sentence.
static PROPORTION_BASES: LazyLock<Lexicon<()>> = LazyLock::new(|| {
    Lexicon::new(&[
        ("本金的", ()),
        ("金额的", ()),
        ("总额的", ()),
        ("余额的", ()),
        ("款项的", ()),
        ("借款的", ()),
        ("贷款的", ()),
        ("价款的", ()),
        ("费用的", ()),
        ("额度的", ()),
        ("of the principal", ()),
        ("of the loan", ()),
        ("of the amount", ()),
    ])
});

/// Words that may be part of a rate expression before the number, so its span covers them
/// (`日利率0.05%`, `年化综合成本为18%`, `APR of 35.99%`).
static HEADS: LazyLock<Lexicon<()>> = LazyLock::new(|| {
    Lexicon::new(&[
        ("利率", ()),
        ("年化", ()),
        ("月化", ()),
        ("综合", ()),
        ("息", ()),
        ("利息", ()),
        ("罚息", ()),
        ("费率", ()),
        ("服务费", ()),
        ("管理费", ()),
        ("服务费率", ()),
        ("管理费率", ()),
        ("手续费率", ()),
        ("担保费率", ()),
        ("手续费", ()),
        ("担保费", ()),
        ("综合成本", ()),
        ("资金成本", ()),
        ("逾期", ()),
        ("违约金", ()),
        ("每日", ()),
        ("每天", ()),
        ("每月", ()),
        ("每年", ()),
        ("按日", ()),
        ("按天", ()),
        ("按月", ()),
        ("按年", ()),
        ("逐日", ()),
        ("单利", ()),
        ("复利", ()),
        ("执行", ()),
        ("apr", ()),
        ("annual percentage rate", ()),
        ("interest rate", ()),
        ("rate", ()),
        ("periodic", ()),
        ("daily", ()),
        ("monthly", ()),
        ("annual", ()),
        ("interest", ()),
        ("penalty", ()),
        ("late", ()),
        ("fee", ()),
        ("service fee", ()),
        ("management fee", ()),
        ("processing fee", ()),
        ("origination fee", ()),
    ])
});

/// Whether a bare 年/月/日 after `before` belongs to a date or another word (3月利息, 当月利息,
/// 12个月利息, 假日利息) rather than naming a rate's period. Anything before 年 still makes an
/// annual rate (今年利率, 一年利率).
fn bare_period_blocked(period_char: char, before: Option<char>) -> bool {
    let Some(b) = before else {
        return false;
    };
    let numeral = b.is_ascii_digit() || is_chinese_numeral_char(b);
    match period_char {
        '月' => numeral || "个当本上下次该同前后".contains(b),
        '日' | '天' => numeral || "假节当次作息之该同前后生".contains(b),
        _ => false,
    }
}

fn bare_period(c: char) -> Option<Period> {
    match c {
        '年' => Some(A),
        '月' => Some(M),
        '日' | '天' => Some(D),
        _ => None,
    }
}

fn period_hit_usable(text: &str, h: &Hit<PeriodWord>) -> bool {
    let first = text.get(h.range.start..).and_then(|s| s.chars().next());
    !first.is_some_and(|c| {
        bare_period(c).is_some() && bare_period_blocked(c, char_before(text, h.range.start))
    })
}

fn nearest_period(text: &str, range: Range<usize>, rate_phrase_only: bool) -> Option<Period> {
    PERIOD_WORDS
        .hits(text, range)
        .into_iter()
        .rev()
        .find(|h| period_hit_usable(text, h) && (h.tag.rate_phrase || !rate_phrase_only))
        .map(|h| h.tag.period)
}

/// A period character right before the number: `日万分之五`, `罚息为日0.05%`.
fn period_char_before(text: &str, pos: usize) -> Option<(usize, Period)> {
    let c = char_before(text, pos)?;
    let period = bare_period(c)?;
    let start = pos - c.len_utf8();
    (!bare_period_blocked(c, char_before(text, start))).then_some((start, period))
}

fn read_rate(text: &str, c: &Candidate, basis: u16) -> Option<Rate> {
    let clause_from = clause_start(text, c.core.start, CLAUSE_CHARS);
    let after_to = clause_end(text, c.core.end, AFTER_CHARS);
    if is_not_a_rate(text, clause_from..c.core.start, c.core.end..after_to) {
        return None;
    }
    let suffix_at = skip_forward(text, c.core.end, CLOSE_BRACKETS);
    let suffix = PERIOD_SUFFIXES.starting_at(text, suffix_at);
    let end = suffix.as_ref().map_or(c.core.end, |h| h.range.end);
    let period = c
        .period
        .or(suffix.map(|h| h.tag))
        .or_else(|| period_char_before(text, skip_back(text, c.core.start, &[])).map(|(_, p)| p))
        .or_else(|| nearest_period(text, clause_from..c.core.start, false))
        .or_else(|| counted_by(text, c.core.end))
        .or_else(|| per_day_of_delay(text, c.core.start))
        .or_else(|| inherited_period(text, c, clause_from))
        .unwrap_or(Period::Unknown);
    let factor = match period {
        Period::Daily => Decimal::from(basis),
        Period::Monthly => Decimal::from(12),
        Period::Annual | Period::Unknown => Decimal::ONE,
    };
    let value = c.value.normalize();
    Some(Rate {
        span: head_start(text, c.core.start)..end,
        value,
        period,
        annualised: value.checked_mul(factor)?.normalize(),
        basis,
        kind: kind(text, c, clause_from),
    })
}

fn counted_by(text: &str, core_end: usize) -> Option<Period> {
    let clause_to = clause_end(text, core_end, CLAUSE_CHARS);
    let first = COUNTED_BY
        .hits(text, core_end..clause_to)
        .into_iter()
        .next();
    first.map(|h| h.tag)
}

fn is_not_a_rate(text: &str, before: Range<usize>, after: Range<usize>) -> bool {
    let nearest_before = WORDS.nearest(text, before);
    let first_after = WORDS.first(text, after);
    nearest_before.is_some_and(|h| h.tag == Word::NotARate)
        || first_after.is_some_and(|h| h.tag == Word::NotARate)
}

/// `每逾期一天,需支付逾期金额的0.1%`: a charge for each day of delay is a daily rate.
static PER_DAY_OF_DELAY: LazyLock<Lexicon<()>> = LazyLock::new(|| {
    Lexicon::new(&[
        ("每逾期一天", ()),
        ("每逾期一日", ()),
        ("每逾期1天", ()),
        ("每逾期1日", ()),
        ("每延迟一天", ()),
        ("每延迟一日", ()),
        ("每迟延一天", ()),
        ("每迟延一日", ()),
        ("每延期一天", ()),
        ("每延期一日", ()),
        ("每超期一天", ()),
        ("每超期一日", ()),
        ("for each day", ()),
        ("for every day", ()),
        ("per day of delay", ()),
        ("for each day of delay", ()),
    ])
});

fn per_day_of_delay(text: &str, core_start: usize) -> Option<Period> {
    let from = sentence_start(text, core_start, SENTENCE_CHARS);
    PER_DAY_OF_DELAY
        .nearest(text, from..core_start)
        .map(|_| Period::Daily)
}

/// A rate whose clause names no period takes one from a rate named earlier in the sentence
/// (`日利率0.05%，逾期利率0.1%`), unless it is a proportion of an amount (`本金的2%`).
fn inherited_period(text: &str, c: &Candidate, clause_from: usize) -> Option<Period> {
    if PROPORTION_BASES
        .nearest(text, clause_from..c.core.start)
        .is_some()
    {
        return None;
    }
    let from = sentence_start(text, clause_from, SENTENCE_CHARS);
    nearest_period(text, from..clause_from, true)
}

fn priority(kind: RateKind) -> u8 {
    match kind {
        Overdue => 4,
        Penalty => 3,
        Fee => 2,
        Interest => 1,
        RateKind::Other => 0,
    }
}

fn strongest_kind(hits: impl IntoIterator<Item = Hit<Word>>) -> Option<RateKind> {
    hits.into_iter()
        .filter_map(|h| match h.tag {
            Word::Kind(k) => Some(k),
            Word::NotARate => None,
        })
        .max_by_key(|k| priority(*k))
}

/// How far after a rate (and its connectors) the word naming its kind may start.
const KIND_AFTER_CHARS: usize = 8;

/// Words between a rate and the kind named right after it: `0.05%的违约金`, `0.05%计收罚息`.
const KIND_AFTER_CONNECTORS: &[&str] = &[
    "的", "计收", "收取", "支付", "计付", "计算", "计", "标准", "作为", "of the", "of", "the",
    "as", "in",
];

/// The kind named in the clause before the rate or first named right after it (`0.05%的违约金`,
/// `3%的提前还款违约金`), else in
/// the sentence shortly before it. Overdue beats penalty beats fee beats interest, so
/// 逾期利率 is overdue and 服务费率 a fee.
fn kind(text: &str, c: &Candidate, clause_from: usize) -> RateKind {
    let mut hits = WORDS.hits(text, clause_from..c.core.start);
    let after = skip_forward(text, c.core.end, KIND_AFTER_CONNECTORS);
    let near = clause_end(text, after, KIND_AFTER_CHARS);
    hits.extend(WORDS.first(text, after..near));
    if let Some(k) = strongest_kind(hits) {
        return k;
    }
    let from = sentence_start(text, clause_from, SENTENCE_CHARS).max(chars_back(
        text,
        c.core.start,
        KIND_SENTENCE_CHARS,
    ));
    strongest_kind(WORDS.hits(text, from.min(clause_from)..clause_from)).unwrap_or(RateKind::Other)
}

/// Extend the span back over the words naming the rate: `年化利率为18%` from 年化,
/// `日息万五` from 日.
fn head_start(text: &str, core_start: usize) -> usize {
    let mut start = core_start;
    let mut pos = skip_back(
        text,
        skip_parenthetical(text, skip_back(text, core_start, HEAD_CONNECTORS)),
        HEAD_CONNECTORS,
    );
    for _ in 0..6 {
        let head = HEADS
            .ending_at(text, pos)
            .map(|h| h.range.start)
            .or_else(|| period_char_before(text, pos).map(|(s, _)| s));
        let Some(s) = head else {
            break;
        };
        start = s;
        pos = skip_back(text, s, HEAD_CONNECTORS);
    }
    start
}

/// Skip back over a short parenthesis before `pos`: the `(APR)` of `综合年化成本(APR)为23.99%`.
fn skip_parenthetical(text: &str, pos: usize) -> usize {
    if char_before(text, pos) != Some(')') {
        return pos;
    }
    let from = chars_back(text, pos, 12);
    text.get(from..pos - 1)
        .and_then(|s| s.rfind('('))
        .map_or(pos, |i| from + i)
}

#[cfg(test)]
mod tests;
