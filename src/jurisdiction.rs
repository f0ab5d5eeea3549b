//! Which jurisdiction's packs apply to a contract: by its language and its governing-law
//! clause.
//!
//! A Chinese-language contract is taken to be under PRC law unless it names the law of another
//! place (香港, 新加坡 …). An English contract needs a governing-law clause: a US state (or
//! federal law) gives `US`, the PRC gives `CN`, anything else gives no jurisdiction, with the
//! reason, so that the report can say why no pack was applied.

use crate::document::Document;
use regex::Regex;
use std::sync::LazyLock;

/// The outcome of looking at a document: a jurisdiction code, or none with the reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Detection {
    pub jurisdiction: Option<String>,
    pub reason: String,
}

impl Detection {
    fn found(code: &str, reason: impl Into<String>) -> Self {
        Detection {
            jurisdiction: Some(code.to_string()),
            reason: reason.into(),
        }
    }

    fn none(reason: impl Into<String>) -> Self {
        Detection {
            jurisdiction: None,
            reason: reason.into(),
        }
    }
}

const NO_PACK: &str = "no built-in pack for that jurisdiction";

pub fn detect(doc: &Document) -> Detection {
    detect_text(&doc.text)
}

/// [`detect`] on plain (normalised) text.
pub fn detect_text(text: &str) -> Detection {
    match script_of(text) {
        Script::Empty => {
            Detection::none("no text to tell the language by; pass --jurisdiction to choose packs")
        }
        Script::Chinese => chinese_contract(text),
        Script::Japanese => Detection::none(format!("Japanese-language contract; {NO_PACK}")),
        Script::Korean => Detection::none(format!("Korean-language contract; {NO_PACK}")),
        Script::Latin => english_contract(text),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Empty,
    Chinese,
    Japanese,
    Korean,
    Latin,
}

fn is_han(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}')
}

fn is_kana(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9D}')
}

fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7AF}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
}

/// How many letters a text has, and how many of them are Han, kana and Hangul.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct LetterCounts {
    letters: usize,
    han: usize,
    kana: usize,
    hangul: usize,
}

impl LetterCounts {
    fn add(&mut self, c: char) {
        self.letters += 1;
        self.han += usize::from(is_han(c));
        self.kana += usize::from(is_kana(c));
        self.hangul += usize::from(is_hangul(c));
    }
}

fn letter_counts(text: &str) -> LetterCounts {
    let mut counts = LetterCounts::default();
    for c in text.chars() {
        // Fast paths for what contracts are made of (`char::is_alphabetic` searches a table
        // and was 7% of a corpus check): ASCII, and the main Han block, every code point of
        // which has been an assigned ideograph (so alphabetic) since Unicode 11.
        if c.is_ascii() {
            counts.letters += usize::from(c.is_ascii_alphabetic());
        } else if ('\u{4E00}'..='\u{9FEF}').contains(&c) {
            counts.letters += 1;
            counts.han += 1;
        } else if c.is_alphabetic() {
            counts.add(c);
        }
    }
    counts
}

/// The dominant script among the letters. A Chinese contract quotes English names and
/// numbers, so Han characters need only be a large minority (30%) of the letters; Japanese
/// is told apart by its kana, which Chinese never uses.
fn script_of(text: &str) -> Script {
    let counts = letter_counts(text);
    let share = |n: usize| n * 100 / counts.letters.max(1);
    if counts.letters == 0 {
        Script::Empty
    } else if share(counts.kana) >= 10 {
        Script::Japanese
    } else if share(counts.hangul) >= 30 {
        Script::Korean
    } else if share(counts.han) >= 30 {
        Script::Chinese
    } else {
        Script::Latin
    }
}

// ---------------------------------------------------------------------------------------
// Chinese contracts

/// `适用香港特别行政区法律`, `受中华人民共和国法律管辖`, `适用中华人民共和国（不含港澳台）法律`.
static CN_GOVERNING_LAW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:适用|受|依据|依照|按照|遵照|服从)\s*(?P<place>[^\s，。；,.;:：（）()《》“”「」]{1,24}?)\s*(?:[（(][^）)]{0,80}[）)])?\s*(?:的)?\s*(?:法律|法例)",
    )
    .unwrap_or_else(|e| unreachable!("constant regex: {e}"))
});

/// Places a Chinese contract may name whose law is not PRC law, with the jurisdiction code of
/// a built-in pack where there is one.
const CN_FOREIGN_PLACES: &[(&str, Option<&str>)] = &[
    ("香港", None),
    ("澳门", None),
    ("澳門", None),
    ("台湾", None),
    ("台灣", None),
    ("新加坡", None),
    ("英格兰", None),
    ("英国", None),
    ("美国", Some("US")),
    ("美利坚合众国", Some("US")),
    ("纽约", Some("US")),
    ("特拉华", Some("US")),
    ("加利福尼亚", Some("US")),
    ("加州", Some("US")),
    ("日本", None),
    ("韩国", None),
    ("马来西亚", None),
    ("澳大利亚", None),
    ("加拿大", None),
    ("开曼群岛", None),
    ("英属维尔京群岛", None),
    ("德国", None),
    ("法国", None),
];

enum ChinesePlace {
    Prc,
    Other(Option<&'static str>),
}

fn classify_chinese_place(place: &str) -> Option<ChinesePlace> {
    let rest = ["中华人民共和国", "中国"]
        .iter()
        .find_map(|p| place.strip_prefix(p));
    let named = rest.unwrap_or(place);
    if let Some((_, code)) = CN_FOREIGN_PLACES.iter().find(|(p, _)| named.starts_with(p)) {
        return Some(ChinesePlace::Other(*code));
    }
    let mainland = ["大陆", "内地", "境内"]
        .iter()
        .any(|p| named.starts_with(p));
    if rest.is_some() || mainland || ["我国", "国家"].contains(&place) {
        return Some(ChinesePlace::Prc);
    }
    None
}

/// The first governing-law phrase that names a place we can classify.
fn chinese_governing_law(text: &str) -> Option<(ChinesePlace, String, String)> {
    CN_GOVERNING_LAW.captures_iter(text).find_map(|c| {
        let place = c.name("place")?.as_str();
        let phrase = c.get(0)?.as_str().to_string();
        classify_chinese_place(place).map(|k| (k, place.to_string(), phrase))
    })
}

fn chinese_contract(text: &str) -> Detection {
    match chinese_governing_law(text) {
        None | Some((ChinesePlace::Prc, _, _)) => {
            Detection::found("CN", "Chinese-language contract")
        }
        Some((ChinesePlace::Other(Some(code)), place, phrase)) => Detection::found(
            code,
            format!("Chinese-language contract governed by the law of {place} (“{phrase}”)"),
        ),
        Some((ChinesePlace::Other(None), place, phrase)) => Detection::none(format!(
            "Chinese-language contract governed by the law of {place} (“{phrase}”); {NO_PACK}"
        )),
    }
}

// ---------------------------------------------------------------------------------------
// English contracts

/// Capitalised words, possibly joined by `of`, `and`, `the`: `New York`, `England and Wales`,
/// `the Hong Kong Special Administrative Region`. Matched case-sensitively.
const PLACE: &str =
    r"(?P<place>[A-Z][\p{L}.'’-]*(?:[ \t]+(?:of[ \t]+|and[ \t]+|the[ \t]+)?[A-Z][\p{L}.'’-]*)*)";
const VERB: &str = r"(?:governed|construed|interpreted|enforced|subject)";
const LINK: &str = r"(?:by|under|to|in\s+accordance\s+with|pursuant\s+to)";

/// `governed by (and construed in accordance with) the laws of (the State of) X`.
static EN_GOVERNED_BY_LAWS_OF: LazyLock<Regex> = LazyLock::new(|| {
    let verb_phrase = format!(
        r"{VERB}(?:\s+in\s+all\s+respects)?\s+{LINK}(?:,?\s+(?:and|or)\s+{VERB}(?:\s+and\s+{VERB})?\s+{LINK})?,?"
    );
    let laws_of = r"(?:the\s+)?(?:(?:internal|substantive|domestic)\s+)?laws?\s+of\s+(?:the\s+)?";
    regex(&format!(
        r"(?i:{verb_phrase}\s+{laws_of})(?P<qual>(?i:(?:state|commonwealth)\s+of\s+))?{PLACE}"
    ))
});

/// `governed by New York law`, `governed by English law`.
static EN_GOVERNED_BY_ADJECTIVE_LAW: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i:governed\s+by\s+(?:the\s+)?)(?P<place>(?:[A-Z][\p{L}.'’-]*[ \t]+){1,3})(?i:laws?)\b",
    )
});

/// `governed by (applicable) federal law`.
static EN_FEDERAL_LAW: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)governed\s+by\s+(?:applicable\s+)?federal\s+laws?\b"));

/// A `Governing Law: X` heading with the place right after it.
static EN_GOVERNING_LAW_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i:governing\s+laws?\s*[:\-–—]\s*(?:the\s+)?(?:laws?\s+of\s+(?:the\s+)?)?)(?P<qual>(?i:(?:state|commonwealth)\s+of\s+))?{PLACE}"
    ))
});

/// `the laws of the State of X` anywhere (e.g. where the lender is organised), as a last hint.
static EN_LAWS_OF_STATE: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i:laws?\s+of\s+the\s+)(?P<qual>(?i:(?:state|commonwealth)\s+of\s+)){PLACE}"
    ))
});

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("constant regex {pattern}: {e}"))
}

const US_PLACES: &[&str] = &[
    "Alabama",
    "Alaska",
    "Arizona",
    "Arkansas",
    "California",
    "Colorado",
    "Connecticut",
    "Delaware",
    "Florida",
    "Georgia",
    "Hawaii",
    "Idaho",
    "Illinois",
    "Indiana",
    "Iowa",
    "Kansas",
    "Kentucky",
    "Louisiana",
    "Maine",
    "Maryland",
    "Massachusetts",
    "Michigan",
    "Minnesota",
    "Mississippi",
    "Missouri",
    "Montana",
    "Nebraska",
    "Nevada",
    "New Hampshire",
    "New Jersey",
    "New Mexico",
    "New York",
    "North Carolina",
    "North Dakota",
    "Ohio",
    "Oklahoma",
    "Oregon",
    "Pennsylvania",
    "Rhode Island",
    "South Carolina",
    "South Dakota",
    "Tennessee",
    "Texas",
    "Utah",
    "Vermont",
    "Virginia",
    "Washington",
    "West Virginia",
    "Wisconsin",
    "Wyoming",
    "District of Columbia",
    "United States of America",
    "United States",
    "U.S.A.",
    "U.S.",
    "USA",
];

const PRC_PLACES: &[&str] = &[
    "People's Republic of China",
    "People’s Republic of China",
    "PRC",
    "P.R.C.",
    "Mainland China",
    "China",
];

/// Words that end a place name in ALL-CAPS text, where capitalisation cannot.
const PLACE_STOP_WORDS: &[&str] = &[
    "WITHOUT",
    "EXCLUDING",
    "EXCEPT",
    "APPLICABLE",
    "AS",
    "IN",
    "THAT",
    "WHICH",
    "INCLUDING",
    "TO",
    "ITS",
    "THEIR",
    "REGARDLESS",
    "NOTWITHSTANDING",
    "SAVE",
    "SHALL",
    "WILL",
    "OTHER",
    "APPLIED",
    "WITH",
    "FOR",
    "EXCLUSIVE",
    "LAW",
    "LAWS",
];

/// Headings are followed by a sentence, whose first word is not a place.
const NOT_A_PLACE: &[&str] = &[
    "This",
    "The",
    "These",
    "Each",
    "Any",
    "All",
    "We",
    "You",
    "It",
    "Our",
    "Your",
    "Such",
    "Both",
    "Borrower",
    "Lender",
    "Agreement",
    "Note",
    "If",
    "Except",
];

/// `name` at the start of `place` (case-insensitively), followed by a word boundary.
fn starts_with_name(place: &str, name: &str) -> bool {
    let (Some(head), Some(rest)) = (place.get(..name.len()), place.get(name.len()..)) else {
        return false;
    };
    head.eq_ignore_ascii_case(name) && !rest.starts_with(|c: char| c.is_alphanumeric())
}

/// The longest name of `names` that starts `place`.
fn longest_prefix<'a>(place: &str, names: &[&'a str]) -> Option<&'a str> {
    names
        .iter()
        .filter(|n| starts_with_name(place, n))
        .max_by_key(|n| n.len())
        .copied()
}

/// The place as written, cut where an all-caps sentence goes on after it.
fn trim_place(place: &str) -> String {
    let words: Vec<&str> = place.split_whitespace().collect();
    let end = words
        .iter()
        .skip(1)
        .position(|w| PLACE_STOP_WORDS.contains(&w.trim_end_matches(['.', ','])))
        .map_or(words.len(), |i| i + 1);
    words.get(..end).unwrap_or(&words).join(" ")
}

fn classify_english_place(place: &str, qualified: bool) -> Detection {
    let place = place.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(name) = longest_prefix(&place, US_PLACES) {
        let reason = if name.starts_with("United") || name.starts_with('U') {
            "governed by the laws of the United States".to_string()
        } else if name == "District of Columbia" {
            "governed by the laws of the District of Columbia".to_string()
        } else {
            format!("governed by the laws of the State of {name}")
        };
        return Detection::found("US", reason);
    }
    if longest_prefix(&place, PRC_PLACES).is_some() {
        return Detection::found(
            "CN",
            "governed by the laws of the People's Republic of China",
        );
    }
    let shown = trim_place(&place);
    let shown = shown.trim_end_matches(['.', ',']);
    let shown = if qualified {
        format!("the State of {shown}")
    } else {
        shown.to_string()
    };
    Detection::none(format!("governed by the laws of {shown}; {NO_PACK}"))
}

/// The first match of `re` whose place is plausible, classified.
fn first_place(re: &Regex, text: &str) -> Option<Detection> {
    re.captures_iter(text).find_map(|c| {
        let place = c.name("place")?.as_str().trim();
        let first_word = place.split_whitespace().next()?;
        if NOT_A_PLACE.contains(&first_word) {
            return None;
        }
        Some(classify_english_place(place, c.name("qual").is_some()))
    })
}

fn english_contract(text: &str) -> Detection {
    let clause = first_place(&EN_GOVERNED_BY_LAWS_OF, text)
        .or_else(|| first_place(&EN_GOVERNED_BY_ADJECTIVE_LAW, text).map(adjective_place))
        .or_else(|| {
            EN_FEDERAL_LAW
                .is_match(text)
                .then(|| Detection::found("US", "governed by federal law"))
        })
        .or_else(|| first_place(&EN_GOVERNING_LAW_HEADING, text))
        .or_else(|| first_place(&EN_LAWS_OF_STATE, text));
    if let Some(d) = clause {
        return d;
    }
    // A bilingual contract may state its governing law only in the Chinese text.
    match chinese_governing_law(text) {
        Some(_) => chinese_contract(text),
        None => Detection::none(
            "English contract without a governing-law clause; pass --jurisdiction to choose packs",
        ),
    }
}

/// `English law` names England; the other adjectives we cannot map are shown as written.
fn adjective_place(d: Detection) -> Detection {
    let reason = d
        .reason
        .replace("laws of English", "laws of England")
        .replace("laws of Federal", "federal law");
    if reason.starts_with("governed by federal law") {
        return Detection::found("US", "governed by federal law");
    }
    Detection { reason, ..d }
}

/// The jurisdiction of a debtor in a collection log: by the IANA zone of their records, else by
/// the language of their records' text. Collection law follows where the consumer is.
pub fn detect_debtor(events: &[crate::log::Event]) -> Detection {
    for e in events {
        if let Some(code) = zone_jurisdiction(&e.zone) {
            return Detection::found(code, format!("the debtor's time zone is {}", e.zone));
        }
    }
    let text: String = events
        .iter()
        .filter_map(|e| e.text.as_deref())
        .take(50)
        .collect::<Vec<_>>()
        .join("\n");
    match script_of(&text) {
        Script::Chinese => Detection::found("CN", "the records are in Chinese"),
        Script::Empty => Detection::none(
            "no time zone or text to tell the debtor's jurisdiction by; pass --jurisdiction",
        ),
        _ => Detection::none(
            "the debtor's time zone names no jurisdiction with a pack; pass --jurisdiction",
        ),
    }
}

/// The jurisdiction of an IANA zone, for the zones of places that have packs.
fn zone_jurisdiction(zone: &str) -> Option<&'static str> {
    const CN: [&str; 6] = [
        "Asia/Shanghai",
        "Asia/Chongqing",
        "Asia/Chungking",
        "Asia/Harbin",
        "Asia/Urumqi",
        "PRC",
    ];
    // Zones of the United States (tzdb's zone.tab, country code US), and the old US/ aliases.
    const US: [&str; 29] = [
        "America/New_York",
        "America/Detroit",
        "America/Kentucky/Louisville",
        "America/Kentucky/Monticello",
        "America/Indiana/Indianapolis",
        "America/Indiana/Vincennes",
        "America/Indiana/Winamac",
        "America/Indiana/Marengo",
        "America/Indiana/Petersburg",
        "America/Indiana/Vevay",
        "America/Chicago",
        "America/Indiana/Tell_City",
        "America/Indiana/Knox",
        "America/Menominee",
        "America/North_Dakota/Center",
        "America/North_Dakota/New_Salem",
        "America/North_Dakota/Beulah",
        "America/Denver",
        "America/Boise",
        "America/Phoenix",
        "America/Los_Angeles",
        "America/Anchorage",
        "America/Juneau",
        "America/Sitka",
        "America/Metlakatla",
        "America/Yakutat",
        "America/Nome",
        "America/Adak",
        "Pacific/Honolulu",
    ];
    if CN.contains(&zone) {
        Some("CN")
    } else if US.contains(&zone) || zone.starts_with("US/") {
        Some("US")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Format;
    use proptest::prelude::*;

    /// The letter counts by their definition, without the fast paths.
    fn counts_by_definition(text: &str) -> LetterCounts {
        let mut counts = LetterCounts::default();
        text.chars()
            .filter(|c| c.is_alphabetic())
            .for_each(|c| counts.add(c));
        counts
    }

    proptest! {
        #[test]
        fn script_fast_paths_agree_with_the_definition(
            text in proptest::collection::vec(
                prop_oneof![
                    any::<char>(),
                    proptest::char::range('\u{4DB0}', '\u{A000}'),
                    proptest::char::range('\u{3000}', '\u{3100}'),
                    proptest::char::range('\u{AC00}', '\u{AC20}'),
                    proptest::char::range(' ', '~'),
                ],
                0..60,
            ).prop_map(|cs| cs.into_iter().collect::<String>())
        ) {
            prop_assert_eq!(letter_counts(&text), counts_by_definition(&text));
        }
    }

    fn debtor(log: &str) -> Detection {
        let mapping = crate::log::LogMapping::default();
        let read =
            crate::log::read_log("l", log.as_bytes(), crate::log::LogFormat::Jsonl, &mapping)
                .unwrap();
        assert!(read.rejected.is_empty(), "{:?}", read.rejected);
        detect_debtor(&read.events)
    }

    #[test]
    fn a_debtor_is_where_their_zone_is_else_what_their_records_say() {
        let d = debtor(
            r#"{"debtor":"a","time":"2026-03-02T10:00:00-05:00","tz":"America/New_York","kind":"call","text":"请还款"}"#,
        );
        assert_eq!(
            d.jurisdiction.as_deref(),
            Some("US"),
            "the zone wins over the language"
        );
        let d = debtor(
            r#"{"debtor":"a","time":"2026-03-02T10:00:00+08:00","tz":"Asia/Shanghai","kind":"call"}"#,
        );
        assert_eq!(d.jurisdiction.as_deref(), Some("CN"));
        let d = debtor(
            r#"{"debtor":"a","time":"2026-03-02T10:00:00+08:00","kind":"sms","text":"您的账单已逾期"}"#,
        );
        assert_eq!(d.jurisdiction.as_deref(), Some("CN"));
        let d = debtor(
            r#"{"debtor":"a","time":"2026-03-02T10:00:00+01:00","tz":"Europe/Paris","kind":"sms","text":"Please pay"}"#,
        );
        assert_eq!(d.jurisdiction, None);
        assert!(d.reason.contains("--jurisdiction"), "{}", d.reason);
    }

    fn detect_in(text: &str) -> Detection {
        detect(&Document::from_source(
            "c.txt",
            Format::Text,
            text.to_string(),
            0,
        ))
    }

    fn code(text: &str) -> Option<String> {
        detect_in(text).jurisdiction
    }

    #[test]
    fn chinese_contract_is_cn() {
        let d = detect_in(
            "第一条 借款金额\n借款人向贷款人借款人民币10,000元（RMB 10,000），年化利率18%。",
        );
        assert_eq!(d, Detection::found("CN", "Chinese-language contract"));
    }

    #[test]
    fn chinese_contract_under_prc_law_is_cn_even_when_it_mentions_hong_kong() {
        let text =
            "第十条 本合同的订立、效力、解释及争议解决均适用中华人民共和国（为本合同之目的，\
                    不包括香港特别行政区、澳门特别行政区和台湾地区）法律。";
        assert_eq!(code(text).as_deref(), Some("CN"));
        assert_eq!(
            code("本合同受中国大陆法律管辖。借款人应按期还款。").as_deref(),
            Some("CN")
        );
        assert_eq!(
            code("本合同适用法律法规的规定。借款人应按期还款。").as_deref(),
            Some("CN")
        );
    }

    #[test]
    fn chinese_contract_under_hong_kong_law_has_no_pack() {
        let d = detect_in(
            "第十二条 适用法律\n本合同适用香港特别行政区法律，双方同意接受香港法院管辖。",
        );
        assert_eq!(d.jurisdiction, None);
        assert_eq!(
            d.reason,
            "Chinese-language contract governed by the law of 香港特别行政区 \
             (“适用香港特别行政区法律”); no built-in pack for that jurisdiction"
        );
        let d = detect_in("本合同受中华人民共和国香港特别行政区法律管辖并据其解释。");
        assert_eq!(d.jurisdiction, None);
        assert!(
            d.reason.contains("中华人民共和国香港特别行政区"),
            "{}",
            d.reason
        );
        assert_eq!(code("本协议适用新加坡法律。借款人应当按期还款。"), None);
        // Advice from a Hong Kong lawyer is not Hong Kong law governing the contract.
        assert_eq!(
            code("根据香港法律顾问的意见，借款人应当按期还款。").as_deref(),
            Some("CN")
        );
    }

    #[test]
    fn chinese_contract_under_us_law_is_us() {
        let d = detect_in("本协议适用美国纽约州法律。借款人应当按期还款。");
        assert_eq!(d.jurisdiction.as_deref(), Some("US"));
        assert!(d.reason.contains("美国纽约州"), "{}", d.reason);
    }

    #[test]
    fn english_contract_under_a_us_state_is_us() {
        let d = detect_in(
            "12. Governing Law. This Agreement shall be governed by the laws of the State of \
             New York, without regard to its conflict of laws principles.",
        );
        assert_eq!(
            d,
            Detection::found("US", "governed by the laws of the State of New York")
        );
        let d = detect_in(
            "This Note is governed by, and construed in accordance with, the laws of Kansas.",
        );
        assert_eq!(d.reason, "governed by the laws of the State of Kansas");
        let d = detect_in("governed by the laws of the State of West Virginia.");
        assert_eq!(
            d.reason,
            "governed by the laws of the State of West Virginia"
        );
        let d = detect_in("This Agreement is governed by the laws of Arkansas.");
        assert_eq!(d.reason, "governed by the laws of the State of Arkansas");
        let d = detect_in("construed in accordance with the laws of the District of Columbia.");
        assert_eq!(d.reason, "governed by the laws of the District of Columbia");
    }

    #[test]
    fn english_variants_of_a_us_clause() {
        let caps = "THIS AGREEMENT SHALL BE GOVERNED BY AND CONSTRUED IN ACCORDANCE WITH THE \
                    LAWS OF THE STATE OF CALIFORNIA WITHOUT REGARD TO CONFLICT OF LAWS.";
        assert_eq!(
            detect_in(caps).reason,
            "governed by the laws of the State of California"
        );
        assert_eq!(
            detect_in("This Agreement is governed by New York law.").reason,
            "governed by the laws of the State of New York"
        );
        assert_eq!(
            detect_in(
                "This Agreement is governed by federal law and, to the extent not preempted, \
                 the law of Utah."
            ),
            Detection::found("US", "governed by federal law")
        );
        assert_eq!(
            detect_in("Governing Law: Delaware\nThe Borrower agrees to repay.").reason,
            "governed by the laws of the State of Delaware"
        );
        assert_eq!(
            code("The Lender is a bank organized under the laws of the State of Utah."),
            Some("US".into())
        );
    }

    #[test]
    fn english_contract_under_other_law_has_no_pack() {
        let d = detect_in(
            "This Agreement shall be governed by and construed in accordance with the laws of \
             England.",
        );
        assert_eq!(
            d,
            Detection::none(
                "governed by the laws of England; no built-in pack for that jurisdiction"
            )
        );
        let d = detect_in("Governing Law. This Agreement is governed by English law.");
        assert_eq!(
            d.reason,
            "governed by the laws of England; no built-in pack for that jurisdiction"
        );
        let d =
            detect_in("GOVERNED BY THE LAWS OF ENGLAND AND WALES WITHOUT REGARD TO CONFLICT RULES");
        assert_eq!(
            d.reason,
            "governed by the laws of ENGLAND AND WALES; no built-in pack for that jurisdiction"
        );
        let d = detect_in(
            "This Agreement is governed by the laws of the Hong Kong Special Administrative \
             Region.",
        );
        assert_eq!(d.jurisdiction, None);
        assert!(d
            .reason
            .starts_with("governed by the laws of Hong Kong Special Administrative Region;"));
        assert_eq!(code("governed by the laws of Singapore."), None);
    }

    #[test]
    fn english_contract_under_prc_law_is_cn() {
        let d =
            detect_in("This Agreement is governed by the laws of the People's Republic of China.");
        assert_eq!(d.jurisdiction.as_deref(), Some("CN"));
        let d = detect_in(
            "This Agreement is governed by the laws of the Hong Kong Special Administrative \
             Region of the People's Republic of China.",
        );
        assert_eq!(d.jurisdiction, None);
    }

    #[test]
    fn english_contract_without_clause_has_no_jurisdiction() {
        let d = detect_in("Governing Law: This Agreement binds the parties.\nThe Borrower shall repay the loan in 12 monthly instalments.");
        assert_eq!(
            d,
            Detection::none(
                "English contract without a governing-law clause; pass --jurisdiction to \
                 choose packs"
            )
        );
    }

    #[test]
    fn other_scripts_and_empty_text() {
        assert_eq!(
            code("本契約は日本法に準拠し、借主はこれを返済するものとします。"),
            None
        );
        assert!(detect_in("本契約は日本法に準拠します。")
            .reason
            .starts_with("Japanese"));
        let d = detect_in("");
        assert_eq!(d.jurisdiction, None);
        assert!(d.reason.contains("--jurisdiction"));
        assert_eq!(code("12345 ---- %%%"), None);
    }
}
