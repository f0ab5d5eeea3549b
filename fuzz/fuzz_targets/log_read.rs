//! A collection log's bytes through the readers and the log check. The first byte picks the
//! format (its low 7 bits % 3: JSONL, CSV, YAML) and, with bit 0x80, a `log:` mapping
//! (renamed columns, mapped words, a default zone); the rest is the file. Every record read
//! must be accounted for: checked or rejected. JSONL and CSV also go through the bucketed path
//! for big logs (tiny buckets and blocks), which must give exactly the same result.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loanlint::lint::Linter;
use loanlint::log::{read_log, LogFormat, LogMapping};
use loanlint::logcheck::{check_log_bytes, check_log_partitioned, PartitionOptions};
use std::collections::BTreeMap;
use std::sync::OnceLock;

fn linter() -> &'static Linter {
    static LINTER: OnceLock<Linter> = OnceLock::new();
    LINTER.get_or_init(|| Linter::builtin().expect("the built-in rules compile"))
}

/// A mapping like a `loanlint.yaml` `log:` section a lender would write.
fn mapping() -> LogMapping {
    let columns = [("debtor", "debtor_id"), ("time", "ts"), ("kind", "channel")];
    let kinds = [("phone", "call"), ("text", "sms")];
    LogMapping {
        columns: columns
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        values: BTreeMap::from([(
            "kind".to_string(),
            kinds
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )]),
        default_zone: Some("America/New_York".to_string()),
    }
}

const FORMATS: [LogFormat; 3] = [LogFormat::Jsonl, LogFormat::Csv, LogFormat::Yaml];

// Built before fuzzing starts: compiling the built-in rules is not the first input's time.
fuzz_target!(init: { linter(); }, |data: &[u8]| {
    let [selector, file @ ..] = data else {
        return;
    };
    let format = FORMATS[usize::from(selector & 0x7f) % FORMATS.len()];
    let mapping = if selector & 0x80 != 0 {
        mapping()
    } else {
        LogMapping::default()
    };
    let read = read_log("fuzz.log", file, format, &mapping);
    let result = check_log_bytes(
        &linter().plan,
        file.to_vec(),
        "fuzz.log",
        format,
        &mapping,
        None,
    );
    if result.subject.is_none() {
        // The file could not be read at all: one error for it, no records.
        assert!(read.is_err(), "a file-level error only when the reader fails");
        assert_eq!(
            (result.records_read, result.records_checked, result.errors.len()),
            (0, 0, 1)
        );
        return;
    }
    assert_eq!(
        result.records_read,
        result.records_checked + result.errors.len(),
        "every record read is checked or rejected"
    );
    match read {
        Ok(read) => {
            assert_eq!(read.records_read(), result.records_read);
            assert_eq!(read.events.len(), result.records_checked);
            assert_eq!(read.rejected.len(), result.errors.len());
        }
        // A JSONL log with bytes that are not UTF-8 loses only those lines in the check.
        Err(e) => assert!(
            format == LogFormat::Jsonl && e.to_string().contains("UTF-8"),
            "the check read a file the reader refused: {e}"
        ),
    }
    if format != LogFormat::Yaml {
        same_through_buckets(file, format, &mapping, &result);
    }
});

/// The bucketed path (for logs too big to hold) on the same bytes gives the same result.
fn same_through_buckets(
    file: &[u8],
    format: LogFormat,
    mapping: &LogMapping,
    whole: &loanlint::logcheck::LogResult,
) {
    let path = std::env::temp_dir().join(format!("loanlint-fuzz-{}.log", std::process::id()));
    if std::fs::write(&path, file).is_err() {
        return;
    }
    let options = PartitionOptions {
        bucket_bytes: 64,
        block_bytes: 32,
    };
    let parted =
        check_log_partitioned(&linter().plan, &path, "fuzz.log", format, mapping, None, options);
    let _ = std::fs::remove_file(&path);
    assert_eq!(parted.records_read, whole.records_read);
    assert_eq!(parted.records_checked, whole.records_checked);
    assert_eq!(parted.errors, whole.errors);
    assert_eq!(parted.findings, whole.findings);
    assert_eq!(parted.subject, whole.subject);
}
