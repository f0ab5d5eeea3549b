//! Chinese numerals (一万二千, 壹万贰仟, 两千五, 二〇二六, 1.2万…) to exact decimals, and back.
//!
//! The scanner reads the longest well-formed numeral at a position and never panics: every
//! arithmetic step is checked, and a numeral is at most [`MAX_TOKENS`] tokens long, so scanning
//! every position of a text stays linear.

use rust_decimal::Decimal;
use std::ops::Range;

/// A numeral longer than this is not a number anyone writes; stopping here bounds the work per
/// position.
const MAX_TOKENS: usize = 48;
/// Decimal holds 28 significant digits; more cannot be represented exactly.
const MAX_DIGITS: usize = 28;

/// How a numeral was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumeralForm {
    /// ASCII digits only, with optional thousands separators and decimals: `10,000.00`.
    Arabic,
    /// Chinese numerals with units, possibly mixed with Arabic digits: `一万二千`, `1.2万`, `十二`.
    Chinese,
    /// Chinese digits read one by one, as in years: `二〇二六`.
    DigitByDigit,
}

/// A numeral found in text.
#[derive(Debug, Clone, PartialEq)]
pub struct Numeral {
    pub value: Decimal,
    /// Byte range of the numeral in the scanned text.
    pub span: Range<usize>,
    pub form: NumeralForm,
    /// The numeral ends with 万 / 亿 (`1.2万`), which reads as an amount even without a unit word.
    pub ends_with_big_unit: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok {
    /// 一…九, 壹…玖; `liang` for 两/俩, which never appears in digit-by-digit numbers.
    Digit { d: u8, liang: bool },
    /// 零, 〇.
    Zero,
    /// An ASCII number such as `10,000.00`; `single_digit` when it is one digit with no decimals,
    /// so it can take an implied unit like a Chinese digit (`1万2` = 12000).
    Arabic { value: Decimal, single_digit: bool },
    /// 十 百 千 (and 拾 佰 仟).
    Small(u32),
    /// 万, 亿, 万亿/兆 as a power of ten.
    Big(u32),
    /// 廿 (20), 卅 (30), 卌 (40): a digit and 十 in one character.
    Tens(u8),
    /// 点, the decimal point of a Chinese numeral.
    Point,
}

fn digit_value(c: char) -> Option<Tok> {
    let d = match c {
        '零' | '〇' => return Some(Tok::Zero),
        '一' | '壹' | '弌' => 1,
        '二' | '贰' | '貳' | '弍' => 2,
        '两' | '俩' | '兩' | '倆' => return Some(Tok::Digit { d: 2, liang: true }),
        '三' | '叁' | '參' | '叄' | '弎' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' | '陸' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    };
    Some(Tok::Digit { d, liang: false })
}

fn unit_value(c: char) -> Option<Tok> {
    Some(match c {
        '十' | '拾' => Tok::Small(10),
        '百' | '佰' => Tok::Small(100),
        '千' | '仟' => Tok::Small(1000),
        '万' | '萬' => Tok::Big(4),
        '亿' | '億' => Tok::Big(8),
        '兆' => Tok::Big(12),
        _ => return None,
    })
}

fn tens_value(c: char) -> Option<Tok> {
    match c {
        '廿' => Some(Tok::Tens(2)),
        '卅' => Some(Tok::Tens(3)),
        '卌' => Some(Tok::Tens(4)),
        _ => None,
    }
}

fn char_at(text: &str, pos: usize) -> Option<char> {
    text.get(pos..).and_then(|s| s.chars().next())
}

/// Whether `c` can be part of a Chinese numeral (digits and units, not 点).
pub fn is_chinese_numeral_char(c: char) -> bool {
    // Asked of every character of every document: one bit lookup instead of three matches.
    let code = c as u32;
    match code.checked_sub(CJK_FIRST) {
        Some(bit) if code <= CJK_LAST => NUMERAL_BITS
            .get((bit / 64) as usize)
            .is_some_and(|word| word >> (bit % 64) & 1 == 1),
        _ => c == '〇',
    }
}

/// The CJK Unified Ideographs block, where every numeral character but 〇 lies.
const CJK_FIRST: u32 = 0x4E00;
const CJK_LAST: u32 = 0x9FFF;
/// Every character [`digit_value`], [`unit_value`] or [`tens_value`] reads.
const NUMERAL_CHARS: &[char] = &[
    '零', '〇', '一', '壹', '弌', '二', '贰', '貳', '弍', '两', '俩', '兩', '倆', '三', '叁', '參',
    '叄', '弎', '四', '肆', '五', '伍', '六', '陆', '陸', '七', '柒', '八', '捌', '九', '玖', '十',
    '拾', '百', '佰', '千', '仟', '万', '萬', '亿', '億', '兆', '廿', '卅', '卌',
];
static NUMERAL_BITS: [u64; 328] = numeral_bits();

const fn numeral_bits() -> [u64; 328] {
    let mut bits = [0u64; 328];
    let mut i = 0;
    while i < NUMERAL_CHARS.len() {
        let code = NUMERAL_CHARS[i] as u32;
        if code >= CJK_FIRST && code <= CJK_LAST {
            let bit = code - CJK_FIRST;
            bits[(bit / 64) as usize] |= 1 << (bit % 64);
        }
        i += 1;
    }
    bits
}

/// Read one token at `pos`: its kind and end byte. `None` when no numeral token starts there.
fn next_token(text: &str, pos: usize) -> Option<(Tok, usize)> {
    let c = char_at(text, pos)?;
    let end = pos + c.len_utf8();
    if c.is_ascii_digit() {
        return lex_arabic(text, pos);
    }
    if c == '点' {
        return Some((Tok::Point, end));
    }
    if let Some(t) = digit_value(c).or_else(|| tens_value(c)) {
        return Some((t, end));
    }
    let unit = unit_value(c)?;
    // 万亿 is one unit (10^12), so that 三千五百万亿 and 一万万亿 read as intended.
    if matches!(unit, Tok::Big(4)) && matches!(char_at(text, end), Some('亿' | '億')) {
        return Some((Tok::Big(12), end + '亿'.len_utf8()));
    }
    Some((unit, end))
}

/// An ASCII number at `pos`: digits, optional thousands separators in groups of three
/// (`10,000`), optional decimals (`.50`). A comma not followed by exactly three digits ends the
/// number before the comma (`1,2` is two numbers).
fn lex_arabic(text: &str, pos: usize) -> Option<(Tok, usize)> {
    let bytes = text.as_bytes();
    // Counting stops past the most digits a Decimal holds, so a failed read costs a constant.
    let digits_from = |i: usize| {
        bytes
            .get(i..)
            .unwrap_or_default()
            .iter()
            .take(MAX_DIGITS + 1)
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let mut digits = String::new();
    let first = digits_from(pos);
    digits.push_str(text.get(pos..pos + first)?);
    let mut end = pos + first;
    if first <= 3 {
        while bytes.get(end) == Some(&b',') && digits_from(end + 1) == 3 {
            if digits.len() > MAX_DIGITS {
                return None;
            }
            digits.push_str(text.get(end + 1..end + 4)?);
            end += 4;
        }
    }
    let int_digits = digits.len();
    if bytes.get(end) == Some(&b'.') {
        let frac = digits_from(end + 1);
        if frac > 0 {
            digits.push('.');
            digits.push_str(text.get(end + 1..end + 1 + frac)?);
            end += 1 + frac;
        }
    }
    let fraction_digits = digits.len().saturating_sub(int_digits + 1);
    if int_digits + fraction_digits > MAX_DIGITS {
        return None;
    }
    let value: Decimal = digits.parse().ok()?;
    let single_digit = int_digits == 1 && fraction_digits == 0;
    Some((
        Tok::Arabic {
            value,
            single_digit,
        },
        end,
    ))
}

fn pow10(exp: u32) -> Decimal {
    Decimal::from(10u64.pow(exp.min(19)))
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    value: Decimal,
    single_digit: bool,
}

#[derive(Debug, Clone, Copy)]
enum Stage {
    Integer,
    /// After 点: the integer part, the fraction so far, and how many fraction digits.
    Fraction {
        int: Decimal,
        frac: Decimal,
        digits: u32,
    },
    /// After a unit following a decimal numeral (一点五万): nothing more may follow.
    Scaled(Decimal),
}

/// The state of reading a numeral with units, one token at a time. Every state reached by a
/// successful `feed` is a prefix of some numeral; `value` says whether it is also a whole one.
#[derive(Debug, Clone)]
struct UnitParser {
    /// Groups already closed by 万 / 亿 / 万亿.
    total: Decimal,
    /// The unit the leading group now stands under (五万三千亿: 万 x 亿); 1 before any big unit.
    lead: Decimal,
    /// The most recent big unit; 1 before any.
    last_big: Decimal,
    /// The value under the current big unit built from 十百千.
    section: Decimal,
    /// The most recent small unit in this section; 10000 when none, so any small unit may come.
    last_small: u32,
    /// A digit waiting for its unit.
    pending: Option<Pending>,
    /// 零 was seen since the last unit: a following digit stands for itself (一百零五).
    after_zero: bool,
    /// The most recent unit of either kind; zero before any. Sets the implied unit of a trailing
    /// digit (一万二 = 一万二千).
    last_unit: Decimal,
    started: bool,
    only_zero: bool,
    saw_big: bool,
    stage: Stage,
}

impl UnitParser {
    fn new() -> Self {
        UnitParser {
            total: Decimal::ZERO,
            lead: Decimal::ONE,
            last_big: Decimal::ONE,
            section: Decimal::ZERO,
            last_small: 10_000,
            pending: None,
            after_zero: false,
            last_unit: Decimal::ZERO,
            started: false,
            only_zero: false,
            saw_big: false,
            stage: Stage::Integer,
        }
    }

    /// A trailing digit after a unit, with no 零 between, stands one place lower: 一万二 is
    /// 12000, 三百六 is 360, 十二 is 12.
    fn implied(&self, p: Pending, unit: Decimal) -> Option<Decimal> {
        if p.single_digit && !self.after_zero && unit > Decimal::TEN {
            p.value.checked_mul(unit / Decimal::TEN)
        } else {
            Some(p.value)
        }
    }

    fn integer_value(&self) -> Option<Decimal> {
        if !self.started || (self.after_zero && !self.only_zero && self.pending.is_none()) {
            return None;
        }
        let tail = match self.pending {
            Some(p) => self.implied(p, self.last_unit)?,
            None => Decimal::ZERO,
        };
        self.total.checked_add(self.section)?.checked_add(tail)
    }

    /// The value if the tokens so far form a whole numeral.
    fn value(&self) -> Option<Decimal> {
        match self.stage {
            Stage::Integer => self.integer_value(),
            Stage::Fraction { int, frac, digits } => (digits > 0).then(|| int + frac),
            Stage::Scaled(v) => Some(v),
        }
    }

    fn feed(&mut self, tok: Tok) -> Option<()> {
        match self.stage {
            Stage::Integer => self.feed_integer(tok),
            Stage::Fraction { int, frac, digits } => self.feed_fraction(tok, int, frac, digits),
            Stage::Scaled(_) => None,
        }
    }

    fn feed_integer(&mut self, tok: Tok) -> Option<()> {
        match tok {
            Tok::Digit { d, .. } => self.digit(Decimal::from(d), true),
            Tok::Arabic {
                value,
                single_digit,
            } => self.digit(value, single_digit),
            Tok::Zero => self.zero(),
            Tok::Small(u) => self.small(u),
            Tok::Tens(d) => {
                self.digit(Decimal::from(d), true)?;
                self.small(10)
            }
            Tok::Big(exp) => self.big(pow10(exp)),
            Tok::Point => self.point(),
        }
    }

    fn digit(&mut self, value: Decimal, single_digit: bool) -> Option<()> {
        if self.pending.is_some() || self.only_zero {
            return None;
        }
        self.pending = Some(Pending {
            value,
            single_digit,
        });
        self.started = true;
        Some(())
    }

    fn zero(&mut self) -> Option<()> {
        if self.pending.is_some() {
            return None;
        }
        if !self.started {
            self.started = true;
            self.only_zero = true;
        }
        self.after_zero = true;
        Some(())
    }

    fn small(&mut self, unit: u32) -> Option<()> {
        let multiplier = match self.pending.take() {
            Some(p) => p.value,
            // 十二, 十万: a leading 十 means 一十.
            None if !self.started && unit == 10 => Decimal::ONE,
            None => return None,
        };
        if unit >= self.last_small || self.only_zero {
            return None;
        }
        let u = Decimal::from(unit);
        self.section = self.section.checked_add(multiplier.checked_mul(u)?)?;
        self.last_small = unit;
        self.last_unit = u;
        self.after_zero = false;
        self.started = true;
        Some(())
    }

    fn big(&mut self, unit: Decimal) -> Option<()> {
        if self.only_zero {
            return None;
        }
        let tail = match self.pending.take() {
            // 一千二万 = 一千二百万: the digit takes the unit below the last small unit.
            Some(p) if self.last_small < 10_000 => {
                self.implied(p, Decimal::from(self.last_small))?
            }
            Some(p) => p.value,
            None => Decimal::ZERO,
        };
        let group = self.section.checked_add(tail)?;
        if unit > self.last_big {
            // 五万三千亿: the whole number so far stands under the new, larger unit.
            if self.total > Decimal::ZERO && unit <= self.lead {
                return None;
            }
            if self.total.is_zero() && group.is_zero() {
                return None;
            }
            self.lead = if self.total.is_zero() {
                unit
            } else {
                self.lead.checked_mul(unit)?
            };
            self.total = self.total.checked_add(group)?.checked_mul(unit)?;
        } else if unit < self.last_big && !group.is_zero() {
            self.total = self.total.checked_add(group.checked_mul(unit)?)?;
        } else if unit == self.last_big && group.is_zero() && !self.after_zero {
            // 一亿亿 (10^16), 万万 (10^8): a repeated unit multiplies.
            self.total = self.total.checked_mul(unit)?;
            self.lead = self.lead.checked_mul(unit)?;
        } else {
            return None;
        }
        self.last_big = unit;
        self.last_unit = unit;
        self.section = Decimal::ZERO;
        self.last_small = 10_000;
        self.after_zero = false;
        self.saw_big = true;
        Some(())
    }

    fn point(&mut self) -> Option<()> {
        // 一百二点五 is ambiguous (120.5? 102.5?); only a digit that stands for itself may
        // precede 点.
        if let Some(p) = self.pending {
            let stands_for_itself = self.after_zero || self.last_unit <= Decimal::TEN;
            if !p.single_digit || !stands_for_itself {
                return None;
            }
        }
        let int = self.integer_value()?;
        self.stage = Stage::Fraction {
            int,
            frac: Decimal::ZERO,
            digits: 0,
        };
        Some(())
    }

    fn feed_fraction(&mut self, tok: Tok, int: Decimal, frac: Decimal, digits: u32) -> Option<()> {
        let d = match tok {
            Tok::Zero => 0,
            Tok::Digit { d, liang: false } => d,
            // 一点五万 = 15000; only when no big unit came before the point.
            Tok::Big(exp) if digits > 0 && !self.saw_big => {
                let v = int.checked_add(frac)?.checked_mul(pow10(exp))?;
                self.stage = Stage::Scaled(v);
                return Some(());
            }
            _ => return None,
        };
        let digits = digits + 1;
        if digits as usize > MAX_DIGITS - 8 {
            return None;
        }
        let frac = frac.checked_add(Decimal::new(i64::from(d), digits))?;
        self.stage = Stage::Fraction { int, frac, digits };
        Some(())
    }
}

fn is_plain_digit(tok: Tok) -> Option<u8> {
    match tok {
        Tok::Zero => Some(0),
        Tok::Digit { d, liang: false } => Some(d),
        _ => None,
    }
}

/// Read digits one by one (二〇二六 = 2026) from `pos`.
fn scan_digit_by_digit(text: &str, pos: usize) -> Option<Numeral> {
    let mut value = Decimal::ZERO;
    let mut end = pos;
    let mut count = 0;
    while let Some((tok, next)) = next_token(text, end) {
        let Some(d) = is_plain_digit(tok) else { break };
        count += 1;
        if count > MAX_DIGITS {
            return None;
        }
        value = value
            .checked_mul(Decimal::TEN)?
            .checked_add(Decimal::from(d))?;
        end = next;
    }
    Some(Numeral {
        value,
        span: pos..end,
        form: NumeralForm::DigitByDigit,
        ends_with_big_unit: false,
    })
}

/// The longest numeral starting exactly at byte `pos` of `text`, if any.
///
/// Reads Chinese numerals with units (一万零五, 三千五百万亿, 两千五), digit-by-digit numerals
/// (二〇二六), decimals (三点五), Arabic numbers (10,000.00) and mixes (1.2万, 3万5千). A unit
/// cannot start a numeral, except 十 (十二).
pub fn scan_numeral(text: &str, pos: usize) -> Option<Numeral> {
    let (first, after_first) = next_token(text, pos)?;
    if let (Some(_), Some((second, _))) = (is_plain_digit(first), next_token(text, after_first)) {
        if is_plain_digit(second).is_some() {
            return scan_digit_by_digit(text, pos);
        }
    }
    let mut parser = UnitParser::new();
    let mut best: Option<(Decimal, usize, usize, Tok)> = None;
    let mut next = Some((first, after_first));
    for count in 1..=MAX_TOKENS {
        let Some((tok, end)) = next else { break };
        if parser.feed(tok).is_none() {
            break;
        }
        if let Some(v) = parser.value() {
            best = Some((v, end, count, tok));
        }
        next = next_token(text, end);
    }
    let (value, end, count, last) = best?;
    let form = match (count, first) {
        (1, Tok::Arabic { .. }) => NumeralForm::Arabic,
        _ => NumeralForm::Chinese,
    };
    Some(Numeral {
        value: value.normalize(),
        span: pos..end,
        form,
        ends_with_big_unit: matches!(last, Tok::Big(_)),
    })
}

/// Every numeral of `text`, in order: read once by `extract` for rates, money and durations.
pub(crate) fn all(text: &str) -> Vec<Numeral> {
    numerals(text).collect()
}

/// Every numeral in `text`, left to right, not overlapping. A numeral never starts right after
/// a digit or numeral character, so the tail of an over-long or malformed run is not read as a
/// number of its own.
pub fn numerals(text: &str) -> impl Iterator<Item = Numeral> + '_ {
    let mut pos = 0;
    // Whether the character before `pos` is a digit, a numeral character or 点.
    let mut continues_run = false;
    let run_char = |p: char| p.is_ascii_digit() || is_chinese_numeral_char(p) || p == '点';
    std::iter::from_fn(move || {
        while let Some(c) = char_at(text, pos) {
            // Most characters cannot start a numeral; skip them without a token scan.
            let may_start = c.is_ascii_digit() || is_chinese_numeral_char(c);
            if may_start && !continues_run {
                if let Some(n) = scan_numeral(text, pos) {
                    if n.span.end > pos {
                        pos = n.span.end;
                        continues_run = text
                            .get(..pos)
                            .and_then(|s| s.chars().next_back())
                            .is_some_and(run_char);
                        return Some(n);
                    }
                }
            }
            continues_run = may_start || c == '点';
            pos += c.len_utf8();
        }
        None
    })
}

/// 角 and 分 after 元: `贰角叁分` -> 0.23, `零伍分` -> 0.05. Returns the fraction of a yuan and
/// the end of what was read; `(0, pos)` when there is none.
pub fn scan_jiao_fen(text: &str, pos: usize) -> (Decimal, usize) {
    let mut end = pos;
    let mut value = Decimal::ZERO;
    if let Some((Tok::Zero, e)) = next_token(text, end) {
        end = e;
    }
    for (unit, scale) in [('角', 1), ('分', 2)] {
        let Some((d, after_digit)) = single_digit_at(text, end) else {
            continue;
        };
        if char_at(text, after_digit) != Some(unit) {
            continue;
        }
        value += Decimal::new(i64::from(d), scale);
        end = after_digit + unit.len_utf8();
        if let Some((Tok::Zero, e)) = next_token(text, end) {
            if scale == 1 {
                end = e;
            }
        }
    }
    if value.is_zero() {
        (Decimal::ZERO, pos)
    } else {
        (value, end)
    }
}

fn single_digit_at(text: &str, pos: usize) -> Option<(u8, usize)> {
    match next_token(text, pos)? {
        (Tok::Digit { d, .. }, e) => Some((d, e)),
        (
            Tok::Arabic {
                value,
                single_digit: true,
            },
            e,
        ) => u8::try_from(value.mantissa()).ok().map(|d| (d, e)),
        _ => None,
    }
}

/// Parse a Chinese, Arabic or mixed numeral ("一万二千", "1.2万", "十二", "二〇二六", "三点五")
/// into its value. A trailing money unit is accepted: "壹佰元", "壹万元贰角叁分", "伍仟元整".
/// Surrounding whitespace is ignored; anything else makes it `None`.
pub fn parse_number(s: &str) -> Option<Decimal> {
    let s = s.trim();
    let n = scan_numeral(s, 0)?;
    let rest = s.get(n.span.end..)?;
    if rest.is_empty() {
        return Some(n.value);
    }
    let after_yuan = rest
        .strip_prefix('元')
        .or_else(|| rest.strip_prefix('圆'))?;
    let offset = s.len() - after_yuan.len();
    let (fraction, end) = scan_jiao_fen(s, offset);
    let tail = s.get(end..)?;
    if tail.is_empty() || tail == "整" || tail == "正" {
        n.value.checked_add(fraction).map(|v| v.normalize())
    } else {
        None
    }
}

const DIGITS_LOWER: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
const DIGITS_CAPITAL: [&str; 10] = ["零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"];
const SMALL_LOWER: [&str; 4] = ["", "十", "百", "千"];
const SMALL_CAPITAL: [&str; 4] = ["", "拾", "佰", "仟"];

/// Format a non-negative integer in Chinese numerals, the standard way: 一万零五, 十二 (not
/// 一十二) at the start, 一十 inside (一百一十), 二 rather than 两. `capital` writes the
/// financial form 壹贰叁 / 拾佰仟, where a leading ten is written in full (壹拾贰) as on cheques.
/// Big units are 万, 亿 and 万亿 (10^12); beyond, the part above 万亿 is itself a numeral
/// (一万万亿 = 10^16).
pub fn format_int(n: u64, capital: bool) -> String {
    if n == 0 {
        return "零".to_string();
    }
    let mut out = String::new();
    format_into(&mut out, n, !capital, capital);
    out
}

/// Format an amount of yuan given in fen (hundredths) as a contract writes it in words:
/// 壹仟贰佰叁拾肆元伍角陆分 (`capital`) or 一千二百三十四元五角六分; 整 when there is no
/// fraction (壹佰元整), 零 for a gap between yuan and fen (壹元零伍分).
pub fn format_yuan(fen: u64, capital: bool) -> String {
    let digits = if capital {
        &DIGITS_CAPITAL
    } else {
        &DIGITS_LOWER
    };
    let digit = |d: u64| digits.get(d as usize).copied().unwrap_or("");
    let (yuan, jiao, fen) = (fen / 100, (fen / 10) % 10, fen % 10);
    let mut out = format_int(yuan, capital);
    out.push('元');
    match (jiao, fen) {
        (0, 0) => out.push('整'),
        (0, f) => {
            out.push('零');
            out.push_str(digit(f));
            out.push('分');
        }
        (j, f) => {
            out.push_str(digit(j));
            out.push('角');
            if f > 0 {
                out.push_str(digit(f));
                out.push('分');
            }
        }
    }
    out
}

const BIG_UNITS: [(u64, &str); 3] = [
    (1_000_000_000_000, "万亿"),
    (100_000_000, "亿"),
    (10_000, "万"),
];

fn format_into(out: &mut String, n: u64, leading: bool, capital: bool) {
    let Some(&(unit, name)) = BIG_UNITS.iter().find(|(u, _)| n >= *u) else {
        format_section(out, n, leading, capital);
        return;
    };
    let (high, low) = (n / unit, n % unit);
    format_into(out, high, leading, capital);
    out.push_str(name);
    if low > 0 {
        // A gap below the unit is read as 零: 一万零五, 一亿零五百万.
        if low < unit / 10 {
            out.push('零');
        }
        format_into(out, low, false, capital);
    }
}

/// Format 1..=9999. `leading` drops the 一 of a leading 十 (十二).
fn format_section(out: &mut String, n: u64, leading: bool, capital: bool) {
    let (digits, smalls) = if capital {
        (&DIGITS_CAPITAL, &SMALL_CAPITAL)
    } else {
        (&DIGITS_LOWER, &SMALL_LOWER)
    };
    let mut pending_zero = false;
    let mut wrote = false;
    for place in (0..4).rev() {
        let d = (n / 10u64.pow(place)) % 10;
        if d == 0 {
            pending_zero = wrote;
            continue;
        }
        if pending_zero {
            out.push('零');
            pending_zero = false;
        }
        let omit_one = leading && !wrote && place == 1 && d == 1;
        if !omit_one {
            out.push_str(digits.get(d as usize).copied().unwrap_or(""));
        }
        out.push_str(smalls.get(place as usize).copied().unwrap_or(""));
        wrote = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_numeral_character_bitmap_agrees_with_the_token_tables() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let by_tables =
                digit_value(c).is_some() || unit_value(c).is_some() || tens_value(c).is_some();
            assert_eq!(is_chinese_numeral_char(c), by_tables, "{c:?}");
        }
    }
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn hand_checked_values() {
        let table: &[(&str, &str)] = &[
            ("零", "0"),
            ("〇", "0"),
            ("一", "1"),
            ("十", "10"),
            ("十二", "12"),
            ("一十二", "12"),
            ("二十", "20"),
            ("廿", "20"),
            ("廿五", "25"),
            ("卅", "30"),
            ("卅一", "31"),
            ("一百零五", "105"),
            ("一百〇五", "105"),
            ("一百一十", "110"),
            ("一百一", "110"),
            ("三百六", "360"),
            ("两千五", "2500"),
            ("一千零五十", "1050"),
            ("一千零五", "1005"),
            ("一万零五", "10005"),
            ("一万二", "12000"),
            ("一万二千", "12000"),
            ("一万二千三", "12300"),
            ("十万", "100000"),
            ("十二万", "120000"),
            ("二十万零五百", "200500"),
            ("一亿零五百万", "105000000"),
            ("一亿二", "120000000"),
            ("一亿二千万", "120000000"),
            ("三千五百万亿", "3500000000000000"),
            ("五万三千亿", "5300000000000"),
            ("一万零五亿", "1000500000000"),
            ("一万亿", "1000000000000"),
            ("一兆", "1000000000000"),
            ("一万万亿", "10000000000000000"),
            ("一亿亿", "10000000000000000"),
            ("一亿亿零五", "10000000000000005"),
            ("一万万", "100000000"),
            ("五零", "50"),
            ("两", "2"),
            ("俩", "2"),
            ("两万", "20000"),
            ("壹万贰仟", "12000"),
            ("壹拾", "10"),
            ("拾贰", "12"),
            ("壹佰零伍", "105"),
            ("玖仟玖佰玖拾玖", "9999"),
            ("萬", ""),
            ("壹萬", "10000"),
            ("貳億", "200000000"),
            ("二〇二六", "2026"),
            ("一九九八", "1998"),
            ("零五", "5"),
            ("三点五", "3.5"),
            ("零点五", "0.5"),
            ("十二点五", "12.5"),
            ("一百点二五", "100.25"),
            ("三点一四一五九", "3.14159"),
            ("一点五万", "15000"),
            ("1.2万", "12000"),
            ("1.5亿", "150000000"),
            ("3千", "3000"),
            ("3万5千", "35000"),
            ("1亿2000万", "120000000"),
            ("1万2", "12000"),
            ("10万", "100000"),
            ("1,000万", "10000000"),
            ("10,000.00", "10000"),
            ("1,234,567.89", "1234567.89"),
            ("0.05", "0.05"),
            ("壹佰元", "100"),
            ("伍仟元整", "5000"),
            ("壹万元贰角叁分", "10000.23"),
            ("伍佰元贰角", "500.2"),
            ("壹万元零伍分", "10000.05"),
            ("一千元零五分", "1000.05"),
            ("  一万  ", "10000"),
        ];
        for (text, want) in table {
            let got = parse_number(text);
            let want = (!want.is_empty()).then(|| dec(want));
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_numeral() {
        for text in [
            "",
            "万",
            "百",
            "元",
            "一万二万",
            "三百二千",
            "一百二点五",
            "点五",
            "三点",
            "一万零",
            "1,2",
            "abc",
            "一二万",
            "十十",
            "万元",
            "零万",
            "1点5",
            "一亿零亿",
        ] {
            assert_eq!(parse_number(text), None, "{text}");
        }
    }

    #[test]
    fn scanner_takes_the_longest_numeral() {
        let cases: &[(&str, &str, &str)] = &[
            ("一万二千元整", "一万二千", "12000"),
            ("一百二十三十", "一百二十三", "123"),
            ("一万零年", "一万", "10000"),
            ("三点钟", "三", "3"),
            ("2026.3.1", "2026.3", "2026.3"),
            ("1,2,3", "1", "1"),
            ("10,000元", "10,000", "10000"),
            ("12,3456", "12", "12"),
            ("二〇二六年", "二〇二六", "2026"),
            ("一万二三", "一万二", "12000"),
        ];
        for (text, numeral, value) in cases {
            let n = scan_numeral(text, 0).unwrap();
            assert_eq!(&text[n.span.clone()], *numeral, "{text}");
            assert_eq!(n.value, dec(value), "{text}");
        }
    }

    #[test]
    fn numeral_forms_are_reported() {
        assert_eq!(scan_numeral("10,000", 0).unwrap().form, NumeralForm::Arabic);
        assert_eq!(scan_numeral("1.2万", 0).unwrap().form, NumeralForm::Chinese);
        assert!(scan_numeral("1.2万", 0).unwrap().ends_with_big_unit);
        assert!(!scan_numeral("1.2", 0).unwrap().ends_with_big_unit);
        assert_eq!(
            scan_numeral("二〇二六", 0).unwrap().form,
            NumeralForm::DigitByDigit
        );
        assert_eq!(scan_numeral("十二", 0).unwrap().form, NumeralForm::Chinese);
    }

    #[test]
    fn iterator_does_not_start_inside_a_run() {
        let text = "金额一万二三元，期限12个月，共99999999999999999999999999999999笔";
        let found: Vec<String> = numerals(text).map(|n| text[n.span].to_string()).collect();
        assert_eq!(found, vec!["一万二", "12"]);
    }

    #[test]
    fn jiao_fen() {
        assert_eq!(
            scan_jiao_fen("贰角叁分", 0),
            (dec("0.23"), "贰角叁分".len())
        );
        assert_eq!(scan_jiao_fen("整", 0), (Decimal::ZERO, 0));
        assert_eq!(scan_jiao_fen("5角", 0), (dec("0.5"), "5角".len()));
        assert_eq!(scan_jiao_fen("零伍分", 0), (dec("0.05"), "零伍分".len()));
    }

    #[test]
    fn standard_formatting() {
        let table: &[(u64, &str, &str)] = &[
            (0, "零", "零"),
            (5, "五", "伍"),
            (10, "十", "壹拾"),
            (12, "十二", "壹拾贰"),
            (20, "二十", "贰拾"),
            (105, "一百零五", "壹佰零伍"),
            (110, "一百一十", "壹佰壹拾"),
            (1050, "一千零五十", "壹仟零伍拾"),
            (1005, "一千零五", "壹仟零伍"),
            (10005, "一万零五", "壹万零伍"),
            (12000, "一万二千", "壹万贰仟"),
            (100_000, "十万", "壹拾万"),
            (100_010, "十万零一十", "壹拾万零壹拾"),
            (2500, "二千五百", "贰仟伍佰"),
            (105_000_000, "一亿零五百万", "壹亿零伍佰万"),
            (100_100_000, "一亿零一十万", "壹亿零壹拾万"),
            (1_000_000_000_000, "一万亿", "壹万亿"),
            (5_300_000_000_000, "五万亿三千亿", "伍万亿叁仟亿"),
            (10_000_000_000_000_000, "一万万亿", "壹万万亿"),
        ];
        for (n, lower, capital) in table {
            assert_eq!(format_int(*n, false), *lower, "{n}");
            assert_eq!(format_int(*n, true), *capital, "{n}");
        }
    }

    #[test]
    fn extremes_round_trip() {
        for n in [
            u64::MAX,
            u64::MAX - 1,
            10u64.pow(19),
            10u64.pow(16) + 5,
            999_999_999_999,
        ] {
            for capital in [false, true] {
                assert_eq!(
                    parse_number(&format_int(n, capital)),
                    Some(Decimal::from(n)),
                    "{n}"
                );
            }
        }
    }

    #[test]
    fn yuan_in_words() {
        assert_eq!(format_yuan(123_456, true), "壹仟贰佰叁拾肆元伍角陆分");
        assert_eq!(format_yuan(123_456, false), "一千二百三十四元五角六分");
        assert_eq!(format_yuan(10_000, true), "壹佰元整");
        assert_eq!(format_yuan(105, true), "壹元零伍分");
        assert_eq!(format_yuan(150, false), "一元五角");
        assert_eq!(format_yuan(7, true), "零元零柒分");
    }

    proptest! {
        #[test]
        fn yuan_with_two_decimals_round_trips(fen in 0u64..=100_000_000_000_000, capital: bool) {
            let s = format_yuan(fen, capital);
            prop_assert_eq!(parse_number(&s), Some(Decimal::new(fen as i64, 2).normalize()), "{}", s);
        }

        #[test]
        fn format_then_parse_is_identity(n in 0u64..=1_000_000_000_000, capital: bool) {
            let s = format_int(n, capital);
            prop_assert_eq!(parse_number(&s), Some(Decimal::from(n)), "{}", s);
            prop_assert!(!s.contains('两'));
        }

        #[test]
        fn round_trips_across_u64(n: u64, capital: bool) {
            prop_assert_eq!(parse_number(&format_int(n, capital)), Some(Decimal::from(n)));
        }

        #[test]
        fn common_variants_parse(n in 0u64..=10_000_000_000_000, variant in 0usize..4) {
            // Other writers: 一十二 at the start, 〇 for 零, traditional 萬/億, 两 before a unit.
            let standard = format_int(n, false);
            let s = match variant {
                0 if standard.starts_with('十') => format!("一{standard}"),
                1 => standard.replace('零', "〇"),
                2 => standard.replace('万', "萬").replace('亿', "億"),
                3 if standard.starts_with("二") && !standard.starts_with("二十") => {
                    standard.replacen('二', "两", 1)
                }
                _ => standard,
            };
            prop_assert_eq!(parse_number(&s), Some(Decimal::from(n)), "{}", s);
        }

        #[test]
        fn sparse_digits_round_trip(digits in proptest::collection::vec(
            prop_oneof![3 => Just(0u64), 1 => 1u64..10], 1..13)) {
            // Many zeros exercise the 零 rules far more than uniform values do.
            let n = digits.iter().fold(0u64, |acc, d| acc * 10 + d);
            for capital in [false, true] {
                let s = format_int(n, capital);
                prop_assert_eq!(parse_number(&s), Some(Decimal::from(n)), "{}", s);
            }
        }

        #[test]
        fn scanning_never_panics(s in "\\PC{0,40}", pos in 0usize..60) {
            let _ = scan_numeral(&s, pos);
            let _ = parse_number(&s);
            let _ = numerals(&s).count();
            let _ = scan_jiao_fen(&s, pos);
        }

        #[test]
        fn scanning_numeral_alphabet_never_panics(
            s in "[零〇一二两三四五六七八九十百千万亿兆点廿卅壹贰拾佰仟萬億元角分整0-9.,]{0,40}") {
            for pos in 0..s.len() {
                if let Some(n) = scan_numeral(&s, pos) {
                    prop_assert!(n.span.end <= s.len() && n.span.start == pos);
                }
            }
            let _ = parse_number(&s);
        }
    }
}
