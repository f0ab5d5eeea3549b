//! Invariants that must hold for any input (issue 8): finding spans inside their file and on
//! character boundaries; the normalisation offset map monotone and mapping back to the
//! original bytes; records read = checked + rejected for any log bytes; the same output for
//! one thread and two, and across runs. (Chinese numerals round-trip in
//! `src/extract/numerals.rs`; there is no rule-file formatter, so no format round-trip.)

mod common;

use loanlint::document::{Document, Format, LoadOptions};
use loanlint::lint::{CheckOptions, Linter};
use loanlint::log::read::LogFormat;
use loanlint::log::LogMapping;
use proptest::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

fn linter() -> &'static Linter {
    static LINTER: OnceLock<Linter> = OnceLock::new();
    LINTER.get_or_init(|| Linter::builtin().expect("the built-in packs compile"))
}

/// Pieces of loan contracts that trigger (or nearly trigger) the built-in rules, in Chinese
/// and English, with full-width forms, emphasis and odd spacing.
const CLAUSES: &[&str] = &[
    "第一条 借款金额",
    "本合同最终解释权归贷款人所有。",
    "借款金额为人民币壹万贰仟元整（￥12,000.00）。",
    "年化利率为２４％，",
    "日利率0.05%，按月付息。",
    "月费率0.6%，",
    "贷款人不承担任何责任。",
    "**借款人放弃抗辩权。**",
    "逾期罚息为每日万分之五。",
    "借款期限：12个月，自2026年3月1日起。",
    "服务费在放款时从本金中预先扣除。",
    "甲方：张三；乙方：某某小额贷款有限公司",
    "The lender may change the interest rate at any time.",
    "APR: 36% per annum.",
    "Article 5 Governing law",
    "　",
    "\r\n",
    "\n\n",
    "\u{200B}",
    "【    】",
    "𝄞",
    "e\u{301}",
];

fn contract_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(CLAUSES), 0..24).prop_map(|parts| parts.concat())
}

/// The clauses GBK can encode.
fn gbk_clauses() -> Vec<&'static str> {
    CLAUSES
        .iter()
        .copied()
        .filter(|c| !encoding_rs::GBK.encode(c).2)
        .collect()
}

/// Every span is a range of the file's bytes on character boundaries, and its line and
/// column agree with those bytes.
fn assert_spans_in_file(file: &str, bom: usize, findings: &[loanlint::engine::Finding]) {
    for f in findings {
        assert!(
            f.byte_start <= f.byte_end && f.byte_end <= file.len(),
            "{f:?}"
        );
        assert!(file.is_char_boundary(f.byte_start), "start {f:?}");
        assert!(file.is_char_boundary(f.byte_end), "end {f:?}");
        let before = &file[..f.byte_start];
        let line = before.matches('\n').count() + 1;
        assert_eq!(f.line, line, "{f:?}");
        // Columns count characters as the reader sees them: a byte-order mark is not one.
        let line_start = before.rfind('\n').map_or(bom, |i| i + 1);
        assert_eq!(
            f.column,
            file[line_start..f.byte_start].chars().count() + 1,
            "{f:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn finding_spans_lie_within_the_file_on_char_boundaries(
        text in contract_text(),
        markdown: bool,
        bom: bool,
    ) {
        let format = if markdown { Format::Markdown } else { Format::Text };
        let offset = if bom { 3 } else { 0 };
        let doc = Document::from_source("c", format, text.clone(), offset);
        let (findings, _) = linter().check_document(&doc, &CheckOptions::default());
        let file = if bom { format!("\u{FEFF}{text}") } else { text };
        assert_spans_in_file(&file, offset, &findings);
    }

    /// Through a GBK file: each normalised character maps (monotonely) to file bytes that
    /// decode to the source character it came from.
    #[test]
    fn the_offset_map_is_monotone_and_maps_back_to_the_original_bytes(
        parts in prop::collection::vec(prop::sample::select(gbk_clauses()), 0..16)
    ) {
        let text = parts.concat();
        let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
        prop_assert!(!unmappable);
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("gbk.txt");
        std::fs::write(&path, &bytes).expect("write");
        let options = LoadOptions { encoding: Some("gbk".into()), ..LoadOptions::default() };
        let doc = loanlint::document::load_file_with(&path, "gbk.txt", &options)
            .expect("GBK text loads");
        prop_assert_eq!(&doc.source, &text);
        let mut last = 0;
        for (at, c) in doc.text.char_indices() {
            let file = doc.to_file(at..at + c.len_utf8());
            prop_assert!(file.start >= last, "not monotone at {}", at);
            last = file.start;
            let original = bytes.get(file.clone()).expect("in the file");
            let (decoded, _, bad) = encoding_rs::GBK.decode(original);
            prop_assert!(!bad);
            let normalised = loanlint::document::normalise_pattern_literal(&decoded);
            let expected = if decoded == "\r\n" || decoded == "\r" { "\n".to_string() } else { normalised };
            prop_assert_eq!(expected, c.to_string(), "at {} ({:?})", at, file);
        }
    }

    /// For any bytes in a log, every record read is checked or rejected with its line.
    #[test]
    fn log_records_read_are_checked_or_rejected(
        lines in prop::collection::vec(log_line(), 0..12),
        csv: bool,
    ) {
        let (format, body) = if csv {
            (LogFormat::Csv, format!("id,debtor,time,tz,kind,direction,text\n{}", lines.join("\n")))
        } else {
            (LogFormat::Jsonl, lines.join("\n"))
        };
        let result = loanlint::logcheck::check_log_bytes(
            &linter().plan,
            body.clone().into_bytes(),
            "log",
            format,
            &LogMapping::default(),
            None,
        );
        prop_assert!(result.records_checked <= result.records_read);
        let rejected = result.records_read - result.records_checked;
        let located = result.errors.iter().filter(|e| e.line.is_some()).count();
        if result.subject.is_some() {
            prop_assert_eq!(result.errors.len(), rejected, "{:?}", result.errors);
            prop_assert_eq!(located, rejected);
        } else {
            // The file as a whole could not be read: one error, no records.
            prop_assert_eq!(result.errors.len(), 1);
            prop_assert_eq!(result.records_read, 0);
        }
        let last_line = body.lines().count().max(1);
        for e in &result.errors {
            prop_assert!(e.line.unwrap_or(1) <= last_line + 1, "{:?}", e);
        }
    }
}

/// A JSONL or CSV line: a good record, a broken one, or noise.
fn log_line() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (0u32..24, prop::sample::select(vec!["call", "sms", "visit", "payment", "fax"]))
            .prop_map(|(h, kind)| format!(
                r#"{{"id":"R{h}","debtor":"王强","time":"2026-03-02T{h:02}:15:00+08:00","tz":"Asia/Shanghai","kind":"{kind}","direction":"outbound","text":"还款"}}"#
            )),
        1 => (0u32..24).prop_map(|h| format!(
            "R{h},王强,2026-03-02T{h:02}:15:00+08:00,Asia/Shanghai,call,outbound,还款"
        )),
        1 => Just(r#"{"id":"x","debtor":"","time":"yesterday","kind":"call"}"#.to_string()),
        1 => Just("{\"id\":".to_string()),
        1 => Just(String::new()),
        1 => "\\PC{0,30}",
    ]
}

/// Fixtures enough for threads to interleave (logs of many debtors, every format, contracts
/// in Chinese and English) in a few seconds of a debug build; all of `fixtures/` takes 15 s.
const FIXTURES: &[&str] = &[
    "fixtures/logs",
    "fixtures/formats",
    "fixtures/contracts/cashloan-app-unfair-terms.txt",
    "fixtures/contracts/credit-line-emphasis.md",
    "fixtures/contracts/english-new-york.txt",
    "fixtures/contracts/fullwidth-crlf.txt",
];

/// Run the binary over the fixtures with `threads` worker threads.
fn fixtures_report(threads: &str) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_loanlint"))
        .env("LOANLINT_CACHE_DIR", "")
        .args(["check", "--format", "json", "--fail-on", "never"])
        .args(FIXTURES)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .env("NO_COLOR", "1")
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .expect("the binary runs");
    assert!(!common::stderr(&out).contains("panicked"));
    common::stdout(&out)
}

#[test]
fn output_is_the_same_for_one_thread_and_two_and_across_runs() {
    let one = fixtures_report("1");
    let two = fixtures_report("2");
    let again = fixtures_report("2");
    let report: serde_json::Value = serde_json::from_str(&one).expect("JSON");
    assert!(
        report["findings"].as_array().is_some_and(|f| f.len() > 100),
        "the fixtures have findings"
    );
    assert!(one == two, "1 thread and 2 threads differ");
    assert!(two == again, "two runs differ");
}
