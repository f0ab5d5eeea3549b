//! `word/numbering.xml`: list definitions, and the labels Word draws in front of numbered
//! paragraphs ("第五条", "一、", "1.1", "①") that are not in the text runs.

use super::{attr, val, walk, DocxError, Ev};
use std::collections::HashMap;

/// Word's nine list levels.
const LEVELS: usize = 9;

#[derive(Debug, Clone, Default)]
pub(super) struct Level {
    start: u32,
    format: String,
    text: String,
    /// `w:isLgl`: every number in this level's text is shown in decimal ("1.1", not "一.1").
    legal: bool,
}

/// A `w:num`: the abstract list it shows, with per-level overrides.
#[derive(Debug, Clone, Default)]
struct Num {
    abstract_id: String,
    /// `w:lvlOverride/w:startOverride`: the list restarts at this value.
    start_overrides: HashMap<u8, u32>,
    /// `w:lvlOverride/w:lvl`: a level definition replacing the abstract one.
    level_overrides: HashMap<u8, Level>,
}

/// What is being read inside `numbering.xml`.
#[derive(Default)]
struct ParseState {
    abstract_id: Option<String>,
    num: Option<(String, Num)>,
    /// The `w:lvlOverride` being read: its level.
    override_level: Option<u8>,
    level: Option<(u8, Level)>,
}

/// `numbering.xml`: which abstract numbering each `numId` uses, and its levels.
#[derive(Debug, Default)]
pub(super) struct Numbering {
    levels: HashMap<String, HashMap<u8, Level>>,
    nums: HashMap<String, Num>,
    /// Current counters per list: an abstract list's counters are shared by every `numId`
    /// showing it, except a `numId` with a start override, which counts on its own.
    counters: HashMap<String, [u32; LEVELS]>,
}

impl Numbering {
    pub(super) fn parse(xml: &[u8]) -> Result<Numbering, DocxError> {
        let mut n = Numbering::default();
        let mut state = ParseState::default();
        walk(xml, "word/numbering.xml", |ev| match ev {
            Ev::Open(e) | Ev::Empty(e) => n.open(&mut state, &e),
            Ev::Close(name) => n.close(&mut state, &name),
            Ev::Text(_) => {}
        })?;
        Ok(n)
    }

    fn open(&mut self, state: &mut ParseState, e: &quick_xml::events::BytesStart<'_>) {
        let level = state.level.as_mut().map(|(_, l)| l);
        match (e.local_name().as_ref(), level) {
            (b"abstractNum", _) => state.abstract_id = attr(e, b"abstractNumId"),
            (b"num", _) => {
                state.num = attr(e, b"numId").map(|id| (id, Num::default()));
            }
            (b"abstractNumId", _) => {
                if let (Some((_, num)), Some(v)) = (&mut state.num, val(e)) {
                    num.abstract_id = v;
                }
            }
            (b"lvlOverride", _) => state.override_level = ilvl(e),
            (b"startOverride", _) => {
                if let (Some((_, num)), Some(i), Some(v)) = (
                    &mut state.num,
                    state.override_level,
                    val(e).and_then(|v| v.parse().ok()),
                ) {
                    num.start_overrides.insert(i, v);
                }
            }
            (b"lvl", _) => state.level = Some((ilvl(e).unwrap_or(0), Level::default())),
            (b"start", Some(l)) => l.start = val(e).and_then(|v| v.parse().ok()).unwrap_or(0),
            (b"numFmt", Some(l)) => l.format = val(e).unwrap_or_default(),
            (b"isLgl", Some(l)) => {
                l.legal = !matches!(val(e).as_deref(), Some("0" | "false" | "off"))
            }
            (b"lvlText", Some(l)) => l.text = val(e).unwrap_or_default(),
            _ => {}
        }
    }

    fn close(&mut self, state: &mut ParseState, name: &[u8]) {
        match name {
            b"lvl" => {
                let Some((i, level)) = state.level.take() else {
                    return;
                };
                if let Some((_, num)) = &mut state.num {
                    num.level_overrides.insert(i, level);
                } else if let Some(a) = &state.abstract_id {
                    self.levels.entry(a.clone()).or_default().insert(i, level);
                }
            }
            b"lvlOverride" => state.override_level = None,
            b"abstractNum" => state.abstract_id = None,
            b"num" => {
                if let Some((id, num)) = state.num.take() {
                    self.nums.insert(id, num);
                }
            }
            _ => {}
        }
    }

    /// The level definitions `num_id` shows: the abstract list's, with its overrides.
    fn levels_of(&self, num: &Num) -> HashMap<u8, Level> {
        let mut levels = self
            .levels
            .get(&num.abstract_id)
            .cloned()
            .unwrap_or_default();
        for (i, level) in &num.level_overrides {
            levels.insert(*i, level.clone());
        }
        levels
    }

    /// The label of the next paragraph numbered `(num_id, ilvl)`: "第五条", "1.1"; `None`
    /// for bullets, unknown numberings and `numId` 0 (numbering switched off).
    pub(super) fn next_label(&mut self, num_id: &str, ilvl: u8) -> Option<String> {
        let num = self.nums.get(num_id)?;
        let levels = self.levels_of(num);
        let level = levels.get(&ilvl)?;
        if matches!(level.format.as_str(), "bullet" | "none") {
            return None;
        }
        let start_of = |i: usize| {
            let i = u8::try_from(i).unwrap_or(u8::MAX);
            num.start_overrides
                .get(&i)
                .copied()
                .or_else(|| levels.get(&i).map(|l| l.start))
                .unwrap_or(1)
        };
        let key = if num.start_overrides.is_empty() {
            format!("abstract {}", num.abstract_id)
        } else {
            format!("num {num_id}")
        };
        let counters = self.counters.entry(key).or_insert_with(|| {
            let mut c = [0u32; LEVELS];
            for (i, slot) in c.iter_mut().enumerate() {
                *slot = start_of(i).saturating_sub(1);
            }
            c
        });
        let i = usize::from(ilvl).min(LEVELS - 1);
        if let Some(c) = counters.get_mut(i) {
            *c = c.saturating_add(1);
        }
        for (deeper, slot) in counters.iter_mut().enumerate().skip(i + 1) {
            *slot = start_of(deeper).saturating_sub(1);
        }
        Some(render_label(level, &levels, counters))
    }
}

fn ilvl(e: &quick_xml::events::BytesStart<'_>) -> Option<u8> {
    attr(e, b"ilvl").and_then(|v| v.parse().ok())
}

/// A level's `lvlText` with each `%k` replaced by level k's counter in level k's format.
fn render_label(level: &Level, levels: &HashMap<u8, Level>, counters: &[u32; LEVELS]) -> String {
    let mut label = String::new();
    let mut chars = level.text.chars().peekable();
    while let Some(c) = chars.next() {
        let digit = chars.peek().and_then(|d| d.to_digit(10));
        match digit {
            Some(d @ 1..=9) if c == '%' => {
                chars.next();
                let k = usize::try_from(d - 1).unwrap_or(0);
                let value = counters.get(k).copied().unwrap_or(1);
                let format = u8::try_from(k)
                    .ok()
                    .and_then(|k| levels.get(&k))
                    .filter(|_| !level.legal)
                    .map_or("decimal", |l| l.format.as_str());
                label.push_str(&format_number(value, format));
            }
            _ => label.push(c),
        }
    }
    label
}

/// `n` as Word draws it in `format` (ST_NumberFormat); unknown formats in decimal.
pub(super) fn format_number(n: u32, format: &str) -> String {
    match format {
        "chineseCounting"
        | "chineseCountingThousand"
        | "taiwaneseCounting"
        | "taiwaneseCountingThousand"
        | "japaneseCounting" => chinese_number(n, &PLAIN_NUMERALS),
        "chineseLegalSimplified" => chinese_number(n, &LEGAL_NUMERALS),
        "ideographDigital" | "taiwaneseDigital" | "japaneseDigitalTenThousand" => {
            ideograph_digits(n)
        }
        "ideographTraditional" => cycle(
            n,
            &["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"],
        ),
        "ideographZodiac" => cycle(
            n,
            &[
                "子", "丑", "寅", "卯", "辰", "巳", "午", "未", "申", "酉", "戌", "亥",
            ],
        ),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" => enclosed_circle(n),
        "decimalEnclosedFullstop" => offset_char(n, 20, 0x2488),
        "decimalEnclosedParen" => offset_char(n, 20, 0x2474),
        "ideographEnclosedCircle" => offset_char(n, 10, 0x3220),
        "ideographLegalTraditional" => chinese_number(n, &TRADITIONAL_LEGAL_NUMERALS),
        "decimalFullWidth" | "decimalFullWidth2" => n
            .to_string()
            .chars()
            .filter_map(|c| char::from_u32(c as u32 + 0xFEE0))
            .collect(),
        "lowerLetter" => letter(n).to_ascii_lowercase(),
        "upperLetter" => letter(n),
        "lowerRoman" => roman(n).to_ascii_lowercase(),
        "upperRoman" => roman(n),
        "decimalZero" if n < 10 => format!("0{n}"),
        _ => n.to_string(),
    }
}

/// Digits 0–9 and the units 十, 百, 千 of a Chinese counting system.
struct Numerals {
    digits: [&'static str; 10],
    units: [&'static str; 3],
}

const PLAIN_NUMERALS: Numerals = Numerals {
    digits: ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"],
    units: ["十", "百", "千"],
};
const LEGAL_NUMERALS: Numerals = Numerals {
    digits: ["零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"],
    units: ["拾", "佰", "仟"],
};
const TRADITIONAL_LEGAL_NUMERALS: Numerals = Numerals {
    digits: ["零", "壹", "貳", "參", "肆", "伍", "陸", "柒", "捌", "玖"],
    units: ["拾", "佰", "仟"],
};

/// 一 … 九千九百九十九 as Word counts: 十一 (not 一十一), 一百零五, 一百一十; larger numbers
/// in digits.
fn chinese_number(n: u32, numerals: &Numerals) -> String {
    if n == 0 || n > 9999 {
        return if n == 0 {
            numerals.digits[0].to_string()
        } else {
            n.to_string()
        };
    }
    // (digit, unit) from thousands down to ones.
    let places = [
        (n / 1000, Some(numerals.units[2])),
        (n / 100 % 10, Some(numerals.units[1])),
        (n / 10 % 10, Some(numerals.units[0])),
        (n % 10, None),
    ];
    let mut out = String::new();
    let mut zero_pending = false;
    for (digit, unit) in places {
        if digit == 0 {
            zero_pending |= !out.is_empty();
            continue;
        }
        if zero_pending {
            out.push_str(numerals.digits[0]);
            zero_pending = false;
        }
        let leading_ten = out.is_empty() && digit == 1 && unit == Some(numerals.units[0]);
        if !leading_ten {
            out.push_str(numerals.digits.get(digit as usize).copied().unwrap_or(""));
        }
        out.push_str(unit.unwrap_or(""));
    }
    out
}

/// 一〇五: each decimal digit as an ideograph.
fn ideograph_digits(n: u32) -> String {
    const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    n.to_string()
        .chars()
        .filter_map(|c| c.to_digit(10).and_then(|d| DIGITS.get(d as usize)))
        .collect()
}

/// The n-th symbol of a cycle (甲乙丙…); past the end, Word wraps around.
fn cycle(n: u32, symbols: &[&str]) -> String {
    let len = u32::try_from(symbols.len()).unwrap_or(1).max(1);
    let i = usize::try_from((n.max(1) - 1) % len).unwrap_or(0);
    symbols
        .get(i)
        .map_or_else(|| n.to_string(), |s| s.to_string())
}

/// ① … ⑳, ㉑ … ㉟, ㊱ … ㊿; beyond 50 in digits.
fn enclosed_circle(n: u32) -> String {
    let code = match n {
        1..=20 => 0x2460 + n - 1,
        21..=35 => 0x3251 + n - 21,
        36..=50 => 0x32B1 + n - 36,
        _ => return n.to_string(),
    };
    char::from_u32(code).map_or_else(|| n.to_string(), String::from)
}

/// Characters encoding 1..=max consecutively from `first` (⒈, ⑴, ㈠); beyond in digits.
fn offset_char(n: u32, max: u32, first: u32) -> String {
    if !(1..=max).contains(&n) {
        return n.to_string();
    }
    char::from_u32(first + n - 1).map_or_else(|| n.to_string(), String::from)
}

fn letter(n: u32) -> String {
    if n == 0 {
        return String::new();
    }
    // Word repeats the letter: 27 is AA, 28 BB.
    let c = char::from(b'A' + u8::try_from((n - 1) % 26).unwrap_or(0));
    std::iter::repeat_n(c, usize::try_from((n - 1) / 26 + 1).unwrap_or(1)).collect()
}

fn roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, numeral) in TABLE {
        while n >= value {
            out.push_str(numeral);
            n -= value;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_word_formats() {
        let cases = [
            (5, "chineseCounting", "五"),
            (10, "chineseCounting", "十"),
            (15, "chineseCountingThousand", "十五"),
            (20, "chineseCounting", "二十"),
            (42, "chineseCounting", "四十二"),
            (100, "chineseCountingThousand", "一百"),
            (105, "chineseCountingThousand", "一百零五"),
            (110, "chineseCountingThousand", "一百一十"),
            (1010, "chineseCountingThousand", "一千零一十"),
            (12, "chineseLegalSimplified", "拾贰"),
            (305, "chineseLegalSimplified", "叁佰零伍"),
            (10, "ideographDigital", "一〇"),
            (3, "ideographTraditional", "丙"),
            (11, "ideographTraditional", "甲"),
            (2, "ideographZodiac", "丑"),
            (1, "decimalEnclosedCircle", "①"),
            (20, "decimalEnclosedCircleChinese", "⑳"),
            (21, "decimalEnclosedCircle", "㉑"),
            (50, "decimalEnclosedCircle", "㊿"),
            (51, "decimalEnclosedCircle", "51"),
            (3, "decimalEnclosedParen", "⑶"),
            (3, "decimalEnclosedFullstop", "⒊"),
            (4, "ideographEnclosedCircle", "㈣"),
            (12, "decimalFullWidth", "１２"),
            (28, "lowerLetter", "bb"),
            (14, "upperRoman", "XIV"),
            (7, "decimalZero", "07"),
            (7, "somethingNew", "7"),
        ];
        for (n, format, shown) in cases {
            assert_eq!(format_number(n, format), shown, "{n} as {format}");
        }
    }

    const LISTS: &str = r#"<w:numbering xmlns:w="w">
      <w:abstractNum w:abstractNumId="0">
        <w:lvl w:ilvl="0"><w:start w:val="3"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
        <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2"/></w:lvl>
      </w:abstractNum>
      <w:abstractNum w:abstractNumId="1">
        <w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl>
      </w:abstractNum>
      <w:abstractNum w:abstractNumId="2">
        <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="第%1条"/></w:lvl>
        <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:isLgl/><w:lvlText w:val="%1.%2"/></w:lvl>
      </w:abstractNum>
      <w:num w:numId="4"><w:abstractNumId w:val="0"/></w:num>
      <w:num w:numId="5"><w:abstractNumId w:val="1"/></w:num>
      <w:num w:numId="6"><w:abstractNumId w:val="2"/></w:num>
      <w:num w:numId="7"><w:abstractNumId w:val="2"/></w:num>
      <w:num w:numId="8"><w:abstractNumId w:val="2"/>
        <w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride></w:num>
      <w:num w:numId="9"><w:abstractNumId w:val="2"/>
        <w:lvlOverride w:ilvl="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimalEnclosedCircle"/><w:lvlText w:val="%1"/></w:lvl></w:lvlOverride></w:num>
    </w:numbering>"#;

    #[test]
    fn sub_levels_show_the_parent_in_its_own_format_unless_legal() {
        let mut n = Numbering::parse(LISTS.as_bytes()).unwrap();
        assert_eq!(n.next_label("4", 0).as_deref(), Some("三、"));
        assert_eq!(n.next_label("4", 1).as_deref(), Some("三.1"));
        assert_eq!(n.next_label("4", 1).as_deref(), Some("三.2"));
        assert_eq!(n.next_label("4", 0).as_deref(), Some("四、"));
        assert_eq!(n.next_label("4", 1).as_deref(), Some("四.1"));
        assert_eq!(n.next_label("6", 0).as_deref(), Some("第一条"));
        assert_eq!(n.next_label("6", 1).as_deref(), Some("1.1"));
        assert_eq!(n.next_label("5", 0), None);
        assert_eq!(n.next_label("99", 0), None);
    }

    #[test]
    fn lists_sharing_an_abstract_list_continue_and_overrides_restart() {
        let mut n = Numbering::parse(LISTS.as_bytes()).unwrap();
        assert_eq!(n.next_label("6", 0).as_deref(), Some("第一条"));
        assert_eq!(n.next_label("7", 0).as_deref(), Some("第二条"));
        assert_eq!(n.next_label("8", 0).as_deref(), Some("第五条"));
        assert_eq!(n.next_label("8", 0).as_deref(), Some("第六条"));
        assert_eq!(n.next_label("8", 1).as_deref(), Some("6.1"));
        assert_eq!(n.next_label("6", 0).as_deref(), Some("第三条"));
        assert_eq!(n.next_label("9", 0).as_deref(), Some("④"));
    }
}
