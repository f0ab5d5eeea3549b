//! Reading collection logs as a user's files would be read: the generator's shape through a
//! mapping, malformed files, daylight-saving edges, YAML positions, large fields, any bytes.

use loanlint::log::{
    by_debtor, read_log, Direction, EventKind, FieldValue, LogFormat, LogMapping, LogRead, Party,
};
use proptest::prelude::*;

/// The mapping a user of the benchmark generator's logs writes in loanlint.yaml.
fn generator_mapping() -> LogMapping {
    let yaml = "\
log:
  default_zone: Asia/Shanghai
  columns: {debtor: debtor_id, time: ts, kind: channel, id: event_id}
  values:
    party: {third_party: other_third_party}
";
    loanlint::config::Config::parse(yaml, "loanlint.yaml")
        .unwrap()
        .log_mapping()
}

fn read(text: &str, format: LogFormat) -> LogRead {
    read_log("log", text.as_bytes(), format, &generator_mapping()).unwrap()
}

fn rejections(read: &LogRead) -> Vec<(usize, &str)> {
    read.rejected
        .iter()
        .map(|r| (r.line, r.reason.as_str()))
        .collect()
}

const GEN_JSONL: &str = r#"{"event_id":"E000000001","debtor_id":"D0000014","ts":"2026-02-01T08:08:48+08:00","tz":"Asia/Shanghai","channel":"call","party":"debtor","text":"电话提醒本期还款28618元，客户已确认。"}
{"event_id":"E000000006","debtor_id":"D0000044","ts":"2026-02-01T10:58:42+08:00","tz":"Asia/Shanghai","channel":"call","party":"third_party","text":"联系人接听，称苏女士已换号，未透露其他信息。"}
{"event_id":"E000000007","debtor_id":"D0000021","ts":"2026-03-08T07:10:00-04:00","tz":"America/New_York","channel":"sms","party":"debtor","text":"Reminder: payment due."}
"#;

const GEN_CSV: &str = "\
event_id,debtor_id,ts,tz,channel,party,text
E000000001,D0000014,2026-02-01T08:08:48+08:00,Asia/Shanghai,call,debtor,电话提醒本期还款28618元，客户已确认。
E000000006,D0000044,2026-02-01T10:58:42+08:00,Asia/Shanghai,call,third_party,\"联系人接听，称苏女士已换号,
未透露其他信息。\"
E000000007,D0000021,2026-03-08T07:10:00-04:00,America/New_York,sms,debtor,Reminder: payment due.
";

#[test]
fn generator_jsonl_reads_through_the_mapping() {
    let read = read(GEN_JSONL, LogFormat::Jsonl);
    assert_eq!(rejections(&read), []);
    assert_eq!(read.events.len(), 3);
    let first = &read.events[0];
    assert_eq!(first.id.as_deref(), Some("E000000001"));
    assert_eq!(first.debtor, "D0000014");
    assert_eq!((first.kind, first.party), (EventKind::Call, Party::Debtor));
    assert_eq!(first.direction, Direction::Outbound);
    assert_eq!(first.time, 1_769_904_528);
    assert_eq!(first.local.seconds, 8 * 3600 + 8 * 60 + 48);
    assert_eq!(first.local.weekday, 6, "2026-02-01 is a Sunday");
    assert_eq!(first.zone, "Asia/Shanghai");
    assert_eq!(first.bytes, 0..GEN_JSONL.find('\n').unwrap());
    assert!(
        first.extra.is_empty(),
        "every generator column is canonical"
    );
    assert_eq!(read.events[1].party, Party::OtherThirdParty);
    let us = &read.events[2];
    assert_eq!((us.local.month, us.local.day), (3, 8));
    assert_eq!(us.local.seconds, 7 * 3600 + 10 * 60);
    assert_eq!(us.zone, "America/New_York");
}

#[test]
fn generator_csv_reads_the_same_events() {
    let csv = read(GEN_CSV, LogFormat::Csv);
    let jsonl = read(GEN_JSONL, LogFormat::Jsonl);
    assert_eq!(rejections(&csv), []);
    let key = |r: &LogRead| -> Vec<(String, i64, EventKind, Party)> {
        r.events
            .iter()
            .map(|e| (e.debtor.clone(), e.time, e.kind, e.party))
            .collect()
    };
    assert_eq!(key(&csv), key(&jsonl));
    let lines: Vec<usize> = csv.events.iter().map(|e| e.line).collect();
    assert_eq!(lines, [2, 3, 5], "the quoted text spans lines 3-4");
    let second = &csv.events[1];
    assert_eq!(
        &GEN_CSV[second.bytes.clone()],
        "E000000006,D0000044,2026-02-01T10:58:42+08:00,Asia/Shanghai,call,third_party,\
         \"联系人接听，称苏女士已换号,\n未透露其他信息。\""
    );
    assert_eq!(
        second.text.as_deref(),
        Some("联系人接听，称苏女士已换号,\n未透露其他信息。")
    );
}

/// One good record, then each way a record can be bad, each on its own line.
const MALFORMED: &str = r#"{"debtor_id":"D1","ts":"2026-03-02 09:00","channel":"call"}
{"debtor_id":"D1","ts":"2026-03-02 09:00","channel":"call"
{"ts":"2026-03-02 09:00","channel":"call"}

{"debtor_id":"D1","ts":"2026-02-30 09:00","channel":"call"}
{"debtor_id":"D1","ts":"2026-03-02 25:00","channel":"call"}
{"debtor_id":"D1","ts":"2026-03-08 02:30","tz":"America/New_York","channel":"call"}
{"debtor_id":"D1","ts":"2026-03-02 09:00","tz":"Europe/Londn","channel":"call"}
{"debtor_id":"D1","ts":"2026-03-02 09:00","channel":"emial"}
{"debtor_id":"D1","ts":"2026-03-02 09:00","channel":"call","party":"employee"}
{"debtor_id":{"n":1},"ts":"2026-03-02 09:00","channel":"call"}
{"debtor_id":"D2","ts":"2026-03-02T09:00:00+08:00","channel":"sms"}
"#;

#[test]
fn every_bad_record_is_rejected_with_its_line_and_the_rest_is_read() {
    let read = read(MALFORMED, LogFormat::Jsonl);
    assert_eq!(
        rejections(&read),
        [
            (
                2,
                "invalid JSON: EOF while parsing an object (at column 58)"
            ),
            (3, "missing required field `debtor` (column `debtor_id`)"),
            (
                5,
                "bad time `2026-02-30 09:00` (column `ts`): February 2026 has 28 days"
            ),
            (
                6,
                "bad time `2026-03-02 25:00` (column `ts`): hour 25 does not exist (00-23)"
            ),
            (
                7,
                "bad time `2026-03-08 02:30` (column `ts`): local time 2026-03-08 02:30:00 does \
                 not exist in America/New_York: the clocks went from -05:00 to -04:00 \
                 (daylight-saving change)"
            ),
            (
                8,
                "unknown time zone `Europe/Londn` (column `tz`); did you mean `Europe/London`?"
            ),
            (
                9,
                "unknown kind `emial` (column `channel`); did you mean `email`?"
            ),
            (
                10,
                "unknown party `employee` (column `party`); did you mean `employer`?"
            ),
            (
                11,
                "wrong type for `debtor` (column `debtor_id`): expected text, got an object"
            ),
        ]
    );
    let lines: Vec<usize> = read.events.iter().map(|e| e.line).collect();
    assert_eq!(lines, [1, 12]);
    let non_blank = MALFORMED.lines().filter(|l| !l.trim().is_empty()).count();
    assert_eq!(read.records_read(), non_blank);
    assert_eq!(read.records_read(), 11);
}

#[test]
fn daylight_saving_in_new_york() {
    let log = "\
debtor,time,tz,kind
D1,2026-03-08 02:30,America/New_York,call
D1,2026-03-08 03:30,America/New_York,call
D1,2026-11-01 01:30,America/New_York,call
D1,2026-11-01 01:30-05:00,America/New_York,call
";
    let read = read_log(
        "t.csv",
        log.as_bytes(),
        LogFormat::Csv,
        &LogMapping::default(),
    )
    .unwrap();
    assert_eq!(read.rejected.len(), 1);
    assert_eq!(read.rejected[0].line, 2);
    let times: Vec<(usize, i64, u32)> = read
        .events
        .iter()
        .map(|e| (e.line, e.time, e.local.seconds))
        .collect();
    // 03:30 EDT is 07:30 UTC. 01:30 on 2026-11-01 happens twice; without an offset it is read
    // as the first (EDT, 05:30 UTC), on every machine and every run; the written -05:00 picks
    // the second, an hour later, at the same wall-clock 01:30.
    assert_eq!(
        times,
        [
            (3, 1_772_955_000, 3 * 3600 + 1800),
            (4, 1_793_511_000, 5400),
            (5, 1_793_514_600, 5400),
        ]
    );
}

#[test]
fn the_record_zone_sets_local_time_over_the_written_offset() {
    let log = r#"{"debtor":"D1","time":"2026-03-02T21:15:00+08:00","tz":"America/Chicago","kind":"call"}
{"debtor":"D1","time":"2026-03-02T21:15:00+08:00","kind":"call"}
"#;
    let read = read_log(
        "t.jsonl",
        log.as_bytes(),
        LogFormat::Jsonl,
        &LogMapping::default(),
    )
    .unwrap();
    let local: Vec<(i64, u8, u32, &str)> = read
        .events
        .iter()
        .map(|e| (e.time, e.local.day, e.local.seconds, e.zone.as_str()))
        .collect();
    assert_eq!(
        local,
        [
            (1_772_457_300, 2, 7 * 3600 + 15 * 60, "America/Chicago"),
            (1_772_457_300, 2, 21 * 3600 + 15 * 60, "+08:00"),
        ]
    );
}

#[test]
fn yaml_items_have_their_lines_and_bytes() {
    let log = "\
# exported 2026-03-03
- event_id: E1
  debtor_id: D1
  ts: 2026-03-02 21:15
  channel: phone call
- event_id: E2
  debtor_id: D1
  ts: 2026-03-02 21:20
  channel: sms
  text: |
    - this dash is inside the text
  amount: 1200.50
";
    let read = read(log, LogFormat::Yaml);
    assert_eq!(
        rejections(&read),
        [(
            2,
            "unknown kind `phone call` (column `channel`); expected one of call, sms, \
             app_message, email, letter, visit, voicemail, social_media, notice, credit_report, \
             complaint, complaint_response, cease_request, dispute, validation_notice, payment, \
             lawsuit, attorney_representation"
        )]
    );
    let e = &read.events[0];
    assert_eq!(e.line, 6);
    assert_eq!(
        &log[e.bytes.clone()],
        "- event_id: E2\n  debtor_id: D1\n  ts: 2026-03-02 21:20\n  channel: sms\n  text: |\n    \
         - this dash is inside the text\n  amount: 1200.50"
    );
    assert_eq!(e.text.as_deref(), Some("- this dash is inside the text\n"));
    assert_eq!(
        e.extra.get("amount"),
        Some(&FieldValue::Number(rust_decimal::Decimal::new(12005, 1)))
    );
}

#[test]
fn a_megabyte_text_field_is_read_whole() {
    let body = "催".repeat(350_000);
    let log = format!(
        "{{\"debtor\":\"D1\",\"time\":\"2026-03-02T09:00:00Z\",\"kind\":\"sms\",\"text\":\"{body}\"}}\n\
         {{\"debtor\":\"D2\",\"time\":\"2026-03-02T09:00:00Z\",\"kind\":\"sms\"}}\n"
    );
    assert!(log.len() > 1_000_000);
    let read = read_log(
        "t",
        log.as_bytes(),
        LogFormat::Jsonl,
        &LogMapping::default(),
    )
    .unwrap();
    assert_eq!(read.events.len(), 2);
    assert_eq!(read.events[0].text.as_deref(), Some(body.as_str()));
    assert_eq!(read.events[1].line, 2);
    let csv = format!("debtor,time,kind,text\nD1,2026-03-02T09:00:00Z,sms,\"{body}\"\nD2,2026-03-02T09:00:00Z,sms,\n");
    let read = read_log(
        "t.csv",
        csv.as_bytes(),
        LogFormat::Csv,
        &LogMapping::default(),
    )
    .unwrap();
    assert_eq!(
        read.events[0].text.as_ref().map(String::len),
        Some(body.len())
    );
    assert_eq!(
        (read.events[1].line, read.events[1].text.as_deref()),
        (3, None)
    );
}

#[test]
fn streams_per_debtor_from_a_log() {
    let streams = by_debtor(read(GEN_JSONL, LogFormat::Jsonl).events);
    let debtors: Vec<&str> = streams.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(debtors, ["D0000014", "D0000021", "D0000044"]);
}

fn all_formats() -> impl Strategy<Value = LogFormat> {
    prop_oneof![
        Just(LogFormat::Jsonl),
        Just(LogFormat::Csv),
        Just(LogFormat::Yaml)
    ]
}

/// Bytes that are often almost a log: pieces of real records glued at random.
fn log_like_bytes() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop_oneof![
        Just(b"{\"debtor\":\"D1\",\"time\":\"2026-03-08 02:30\",\"kind\":\"call\"}\n".to_vec()),
        Just(b"debtor,time,kind,tz\n".to_vec()),
        Just(b"D1,2026-11-01 01:30,call,America/New_York\n".to_vec()),
        Just(b"- debtor: D1\n  time: 1772457300\n  kind: sms\n".to_vec()),
        Just(b"\"\n,\r\n- [\n\xe5\x82\xac".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..40),
    ];
    proptest::collection::vec(pieces, 0..12).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_never_panic_and_every_jsonl_line_is_accounted_for(
        bytes in log_like_bytes(),
        format in all_formats(),
    ) {
        let mut mapping = generator_mapping();
        mapping.columns.clear();
        if let Ok(read) = read_log("p", &bytes, format, &mapping) {
            prop_assert_eq!(read.records_read(), read.events.len() + read.rejected.len());
            if format == LogFormat::Jsonl {
                let text = std::str::from_utf8(&bytes).unwrap();
                let records = text.lines().filter(|l| !l.trim().is_empty()).count();
                prop_assert_eq!(read.records_read(), records);
            }
            for e in &read.events {
                prop_assert!(bytes.get(e.bytes.clone()).is_some());
            }
        }
    }
}

/// The reader's field lists and vocabularies are the schema's (a copy of the shared schema is
/// kept in tests/schemas so the two cannot drift apart unnoticed).
#[test]
fn fields_and_words_match_the_collection_event_schema() {
    use loanlint::log::schema::{words_of, FIELDS, REQUIRED_FIELDS};
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("schemas/collection-event.schema.json")).unwrap();
    let properties = schema["properties"].as_object().unwrap();
    let mut names: Vec<&str> = properties.keys().map(String::as_str).collect();
    let mut ours = FIELDS.to_vec();
    names.sort_unstable();
    ours.sort_unstable();
    assert_eq!(names, ours);
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(required, REQUIRED_FIELDS);
    for (name, property) in properties {
        let words: Option<Vec<&str>> = property["enum"]
            .as_array()
            .map(|e| e.iter().map(|v| v.as_str().unwrap()).collect());
        assert_eq!(words.as_deref(), words_of(name), "{name}");
    }
}

/// A record as a test writes it, in all three formats.
#[derive(Debug, Clone)]
struct Written {
    debtor: String,
    time: String,
    kind: &'static str,
    text: String,
}

fn written_record() -> impl Strategy<Value = Written> {
    let text = proptest::collection::vec(
        prop_oneof![
            Just("催收"),
            Just(","),
            Just("\""),
            Just("\n"),
            Just("- "),
            Just(": "),
            Just("x"),
            Just("#")
        ],
        1..8,
    )
    .prop_map(|parts| parts.concat());
    (
        "[A-Z][0-9]{1,4}",
        0i64..2_000_000_000,
        proptest::sample::select(EventKind::WORDS),
        text,
    )
        .prop_map(|(debtor, seconds, kind, text)| Written {
            debtor,
            time: jiff::Timestamp::from_second(seconds).unwrap().to_string(),
            kind,
            text,
        })
}

fn as_jsonl(records: &[Written]) -> String {
    records
        .iter()
        .map(|r| {
            let json = serde_json::json!({
                "debtor": r.debtor, "time": r.time, "kind": r.kind, "text": r.text,
            });
            format!("{json}\n")
        })
        .collect()
}

fn as_csv(records: &[Written]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(["debtor", "time", "kind", "text"])
        .unwrap();
    for r in records {
        writer
            .write_record([&r.debtor, &r.time, r.kind, &r.text])
            .unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

/// JSON strings are YAML double-quoted scalars.
fn as_yaml(records: &[Written]) -> String {
    let quote = |s: &str| serde_json::to_string(s).unwrap();
    records
        .iter()
        .map(|r| {
            format!(
                "- debtor: {}\n  time: {}\n  kind: {}\n  text: {}\n",
                quote(&r.debtor),
                r.time,
                r.kind,
                quote(&r.text)
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the text holds (quotes, commas, newlines, YAML dashes), every record is read,
    /// and its byte range alone reads back as the same event.
    #[test]
    fn every_written_record_reads_back_from_its_own_bytes(
        records in proptest::collection::vec(written_record(), 1..6),
    ) {
        let mapping = LogMapping::default();
        for (format, text) in [
            (LogFormat::Jsonl, as_jsonl(&records)),
            (LogFormat::Csv, as_csv(&records)),
            (LogFormat::Yaml, as_yaml(&records)),
        ] {
            let read = read_log("p", text.as_bytes(), format, &mapping).unwrap();
            prop_assert_eq!(read.rejected.len(), 0, "{:?}\n{}", read.rejected, text);
            prop_assert_eq!(read.events.len(), records.len());
            for (event, record) in read.events.iter().zip(&records) {
                prop_assert_eq!(&event.debtor, &record.debtor);
                // Blank text is no text, like any empty optional field.
                let text_read = Some(record.text.as_str()).filter(|t| !t.trim().is_empty());
                prop_assert_eq!(event.text.as_deref(), text_read);
                let slice = &text[event.bytes.clone()];
                let line_start = text[..event.bytes.start].matches('\n').count() + 1;
                prop_assert_eq!(event.line, line_start);
                let alone = match format {
                    LogFormat::Csv => format!("debtor,time,kind,text\n{slice}\n"),
                    _ => format!("{slice}\n"),
                };
                let again = read_log("p", alone.as_bytes(), format, &mapping).unwrap();
                prop_assert_eq!(again.events.len(), 1, "{}", alone);
                let mut same = again.events[0].clone();
                same.line = event.line;
                same.bytes = event.bytes.clone();
                prop_assert_eq!(&same, event);
            }
        }
    }
}
