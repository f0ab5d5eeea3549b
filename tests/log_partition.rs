//! A log checked through buckets (the path for logs too big to hold) gives exactly what the
//! in-memory path gives: the same findings at the same places, the same rejected records and
//! counts, the same subject line — whatever the bucket and block sizes.

use loanlint::engine::Plan;
use loanlint::log::{LogFormat, LogMapping};
use loanlint::logcheck::{check_log_file, check_log_partitioned, LogResult, PartitionOptions};
use std::path::{Path, PathBuf};

fn builtin_plan() -> Plan {
    let files = loanlint::builtin::rule_sources();
    let (set, _) =
        loanlint::lang::compile(&files, &loanlint::concepts::ConceptCatalogue::builtin())
            .expect("the built-in packs compile");
    Plan::compile(set).expect("the built-in plan compiles")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Both paths on one file, with tiny buckets and blocks so that every debtor, block edge and
/// bucket edge is exercised.
fn both(
    plan: &Plan,
    path: &Path,
    format: LogFormat,
    mapping: &LogMapping,
) -> (LogResult, LogResult) {
    let options = PartitionOptions {
        bucket_bytes: 2_000,
        block_bytes: 700,
    };
    both_with(plan, path, format, mapping, options)
}

fn both_with(
    plan: &Plan,
    path: &Path,
    format: LogFormat,
    mapping: &LogMapping,
    options: PartitionOptions,
) -> (LogResult, LogResult) {
    let shown = path.file_name().and_then(|n| n.to_str()).unwrap_or("log");
    let whole = check_log_file(plan, path, shown, format, mapping, None);
    let parted = check_log_partitioned(plan, path, shown, format, mapping, None, options);
    (whole, parted)
}

fn assert_same(whole: &LogResult, parted: &LogResult, what: &str) {
    assert_eq!(
        parted.records_read, whole.records_read,
        "{what}: records read"
    );
    assert_eq!(
        parted.records_checked, whole.records_checked,
        "{what}: records checked"
    );
    assert_eq!(parted.errors, whole.errors, "{what}: rejected records");
    assert_eq!(parted.subject, whole.subject, "{what}: subject");
    assert_eq!(
        parted.findings.len(),
        whole.findings.len(),
        "{what}: finding count"
    );
    for (p, w) in parted.findings.iter().zip(&whole.findings) {
        assert_eq!(p, w, "{what}");
    }
    assert!(
        parted.source.is_none(),
        "{what}: a bucketed log is not held"
    );
}

#[test]
fn bundled_logs_give_the_same_findings_through_buckets() {
    let plan = builtin_plan();
    let mut seen = 0;
    for dir in ["fixtures/logs/cn", "fixtures/logs/us"] {
        for entry in std::fs::read_dir(root().join(dir)).expect("fixture folder") {
            let path = entry.expect("entry").path();
            if path.extension().and_then(|e| e.to_str()) != Some("jsonl") {
                continue;
            }
            let (whole, parted) = both(&plan, &path, LogFormat::Jsonl, &LogMapping::default());
            assert_same(&whole, &parted, &path.display().to_string());
            seen += whole.findings.len();
        }
    }
    assert!(
        seen > 20,
        "the bundled logs have findings to compare ({seen})"
    );
}

/// A CSV log in its own words, with a BOM, CRLF line ends, a quoted field spanning lines,
/// ragged rows, a bad time and an unknown kind, records of several debtors interleaved.
#[test]
fn a_messy_csv_log_gives_the_same_result_through_buckets() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("messy.csv");
    let mut text = String::from("\u{feff}event_id,debtor_id,ts,tz,channel,party,text\r\n");
    for i in 0..400 {
        let debtor = format!("D{}", i % 7);
        let hour = 5 + (i % 18);
        let day = 1 + (i / 40);
        let (party, body) = match i % 9 {
            0 => (
                "third_party",
                "\"您的朋友欠款未还，\r\n请转告他尽快还款\"".to_string(),
            ),
            1 => ("debtor", "再不还钱就让你全家知道".to_string()),
            2 => ("debtor", "\"He said \"\"call later\"\"\"".to_string()),
            _ => ("debtor", "提醒还款".to_string()),
        };
        let channel = if i % 53 == 0 { "pigeon" } else { "phone" };
        let ts = if i % 61 == 0 {
            "2026-02-30 10:00".to_string()
        } else {
            format!("2026-03-{day:02} {hour:02}:{:02}", i % 60)
        };
        if i % 47 == 0 {
            text.push_str(&format!("E{i},{debtor},{ts}\r\n"));
            continue;
        }
        text.push_str(&format!(
            "E{i},{debtor},{ts},Asia/Shanghai,{channel},{party},{body}\r\n"
        ));
    }
    std::fs::write(&path, &text).expect("write the log");
    let mapping = LogMapping {
        columns: [
            ("debtor", "debtor_id"),
            ("time", "ts"),
            ("kind", "channel"),
            ("id", "event_id"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect(),
        values: [
            ("kind", vec![("phone", "call")]),
            ("party", vec![("third_party", "other_third_party")]),
        ]
        .into_iter()
        .map(|(field, words)| {
            let words = words
                .into_iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
            (field.to_string(), words)
        })
        .collect(),
        default_zone: None,
    };
    let plan = builtin_plan();
    let (whole, parted) = both(&plan, &path, LogFormat::Csv, &mapping);
    assert_same(&whole, &parted, "messy.csv");
    assert!(
        whole.findings.len() > 50,
        "{} findings",
        whole.findings.len()
    );
    assert!(whole.errors.len() >= 10, "{} rejected", whole.errors.len());
    assert_eq!(whole.records_read, 400);
}

#[test]
fn lines_that_are_not_utf8_are_rejected_records_and_the_rest_is_checked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("mixed.jsonl");
    let good =
        r#"{"debtor":"d1","time":"2026-03-02T23:30:00+08:00","tz":"Asia/Shanghai","kind":"call"}"#;
    let mut bytes = Vec::new();
    for i in 0..50 {
        if i % 10 == 3 {
            bytes.extend_from_slice(b"{\"debtor\":\"d\xff\",\"time\":\"x\"}\n");
        } else {
            bytes.extend_from_slice(good.as_bytes());
            bytes.push(b'\n');
        }
    }
    std::fs::write(&path, &bytes).expect("write the log");
    let plan = builtin_plan();
    let (whole, parted) = both(&plan, &path, LogFormat::Jsonl, &LogMapping::default());
    assert_eq!(parted.records_read, 50);
    assert_eq!(parted.records_checked, 45);
    let lines: Vec<Option<usize>> = parted.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [Some(4), Some(14), Some(24), Some(34), Some(44)]);
    assert!(
        parted.errors[0].message.contains("not UTF-8"),
        "{}",
        parted.errors[0].message
    );
    // Every good record is a call at 23:30 in the quiet hours.
    let quiet: Vec<usize> = parted
        .findings
        .iter()
        .filter(|f| f.rule == "CN-LOG-001")
        .map(|f| f.line)
        .collect();
    assert_eq!(quiet.len(), 45);
    assert_eq!(quiet.first(), Some(&1));
    // The in-memory path loses the same records and checks the rest.
    assert_same(&whole, &parted, "mixed.jsonl");
}

/// Found by fuzzing (`log_read`): a quote inside an unquoted field is a literal byte to the CSV
/// reader, but the block cutter used to count it, and so cut a later quoted field spanning two
/// lines in two. The reader sees 4 records here; the bucketed path read 5.
#[test]
fn a_quote_inside_an_unquoted_field_does_not_move_block_cuts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("quotes.csv");
    let mut text = String::from("id,debtor,time,kind,text\n");
    for i in 0..30 {
        text.push_str(&format!(
            "A{i},d{i},2026-03-02T09:00:00+08:00,sms,he wrote 5\" then\n\
             B{i},d{i},2026-03-02T10:00:00+08:00,sms,\"你欠款未还\n\
             C{i},d{i},2026-03-02T11:00:00+08:00,call,still the same field\"\n\
             D{i},d{i},2026-03-02T12:00:00+08:00,call,ok x\"\"y\n"
        ));
    }
    std::fs::write(&path, &text).expect("write the log");
    let plan = builtin_plan();
    for block_bytes in [16, 50, 97, 700] {
        let options = PartitionOptions {
            bucket_bytes: 300,
            block_bytes,
        };
        let (whole, parted) = both_with(
            &plan,
            &path,
            LogFormat::Csv,
            &LogMapping::default(),
            options,
        );
        assert_eq!(
            whole.records_read, 90,
            "three records per group: B's text spans C's line"
        );
        assert_same(
            &whole,
            &parted,
            &format!("quotes.csv, {block_bytes}-byte blocks"),
        );
    }
}
