//! Input formats and encodings end to end: the same contract in another encoding or format
//! gives the same findings, located in the file the user has.

use loanlint::engine::Finding;
use loanlint::lint::{CheckOptions, Linter};
use std::path::{Path, PathBuf};

fn linter() -> Linter {
    Linter::builtin().expect("built-in rules compile")
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/contracts")
        .join(name);
    std::fs::read_to_string(path).expect("fixture is UTF-8")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("temp file written");
    path
}

/// Findings as (rule, line, column, snippet): what a reader compares across formats.
fn seen(findings: &[Finding]) -> Vec<(String, usize, usize, String)> {
    findings
        .iter()
        .map(|f| (f.rule.clone(), f.line, f.column, f.snippet.clone()))
        .collect()
}

#[test]
fn gbk_contract_gives_the_findings_of_its_utf8_twin_at_gbk_offsets() {
    let text = fixture("predatory-app.txt");
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable, "the fixture is GBK-encodable");
    let dir = tempfile::tempdir().unwrap();
    let utf8_path = write(dir.path(), "utf8.txt", text.as_bytes());
    let gbk_path = write(dir.path(), "gbk.txt", &gbk);
    let linter = linter();
    let options = CheckOptions::default();
    let utf8 = linter.check_paths(&[utf8_path], &options);
    let gbk_report = linter.check_paths(&[gbk_path], &options);
    assert!(
        gbk_report.input_errors.is_empty(),
        "{:?}",
        gbk_report.input_errors
    );
    assert!(!utf8.findings.is_empty());
    assert_eq!(seen(&gbk_report.findings), seen(&utf8.findings));
    assert_eq!(gbk_report.subjects[0].encoding.as_deref(), Some("GBK"));
    assert_eq!(utf8.subjects[0].encoding.as_deref(), Some("UTF-8"));
    for f in &gbk_report.findings {
        let (snippet, _, _) = encoding_rs::GBK.encode(&f.snippet);
        assert_eq!(
            gbk.get(f.byte_start..f.byte_end),
            Some(&*snippet),
            "{}: byte range {}..{} is not the snippet's GBK bytes",
            f.rule,
            f.byte_start,
            f.byte_end
        );
    }
    // At least one finding sits after Chinese text, so its GBK offset differs from UTF-8's.
    assert!(gbk_report
        .findings
        .iter()
        .zip(&utf8.findings)
        .any(|(g, u)| g.byte_start < u.byte_start));
}

#[test]
fn forced_encoding_reads_a_file_detection_would_get_wrong() {
    // Too short for a confident guess; --encoding settles it.
    let (gbk, _, _) = encoding_rs::GBK.encode("年利率36%");
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "short.txt", &gbk);
    let options = CheckOptions {
        encoding: Some("gbk".into()),
        ..CheckOptions::default()
    };
    let report = linter().check_paths(&[path], &options);
    assert!(report.input_errors.is_empty(), "{:?}", report.input_errors);
    let doc = loanlint::document::load_file_with(
        &dir.path().join("short.txt"),
        "short.txt",
        &loanlint::document::LoadOptions {
            encoding: Some("gbk".into()),
        },
    )
    .unwrap();
    assert_eq!(doc.source, "年利率36%");
    assert_eq!(report.subjects[0].encoding.as_deref(), Some("GBK"));
}

#[test]
fn binary_files_are_a_per_file_error_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a-binary.txt",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    );
    write(
        dir.path(),
        "b-good.txt",
        fixture("predatory-app.txt").as_bytes(),
    );
    let report = linter().check_paths(&[dir.path().to_path_buf()], &CheckOptions::default());
    assert_eq!(report.files, 1);
    assert_eq!(report.input_errors.len(), 1);
    assert!(report.input_errors[0].message.contains("binary"));
    assert!(!report.findings.is_empty());
}

fn rules_fired(linter: &Linter, dir: &Path, name: &str, bytes: &[u8]) -> Vec<String> {
    let path = write(dir, name, bytes);
    let report = linter.check_paths(&[path], &CheckOptions::default());
    assert!(report.input_errors.is_empty(), "{:?}", report.input_errors);
    report.findings.iter().map(|f| f.rule.clone()).collect()
}

const EXEMPTION: &str = "因系统维护导致的放款延迟，贷款人不承担责任。";

#[test]
fn html_emphasis_decides_the_highlighting_rule() {
    let linter = linter();
    let dir = tempfile::tempdir().unwrap();
    let page = |clause: &str| {
        format!(
            "<!DOCTYPE html><html><head><title>借款协议</title></head><body>\
             <h1>借款协议</h1><h2>第一条 借款</h2><p>借款人向贷款人借款。</p>\
             <h2>第二条 责任</h2><p>{clause}</p></body></html>"
        )
    };
    let plain = rules_fired(
        &linter,
        dir.path(),
        "plain.html",
        page(EXEMPTION).as_bytes(),
    );
    assert!(plain.iter().any(|r| r == "CN-FMT-003"), "{plain:?}");
    for emphasised in [
        format!("<b>{EXEMPTION}</b>"),
        format!("<span style=\"font-weight:bold\">{EXEMPTION}</span>"),
        format!("<u>{EXEMPTION}</u>"),
        format!("<span style=\"color:#FF0000\">{EXEMPTION}</span>"),
    ] {
        let fired = rules_fired(
            &linter,
            dir.path(),
            "bold.html",
            page(&emphasised).as_bytes(),
        );
        assert!(
            !fired.iter().any(|r| r == "CN-FMT-003"),
            "{emphasised}: {fired:?}"
        );
    }
}

#[test]
fn html_contract_gives_the_findings_of_its_text_twin_at_html_offsets() {
    let text = fixture("predatory-app.txt");
    let mut html = String::from(
        "<html><head><meta charset=\"utf-8\"><style>p{margin:0}</style></head><body>\n",
    );
    for line in text.lines() {
        let escaped = line.replace('&', "&amp;").replace('<', "&lt;");
        html.push_str(&format!("<p>{escaped}</p>\n"));
    }
    html.push_str("<script>document.title = '借款';</script></body></html>\n");
    let dir = tempfile::tempdir().unwrap();
    let linter = linter();
    let options = CheckOptions::default();
    let from_text = linter.check_paths(&[write(dir.path(), "a.txt", text.as_bytes())], &options);
    let from_html = linter.check_paths(&[write(dir.path(), "a.html", html.as_bytes())], &options);
    let rules = |r: &loanlint::report::Report| {
        r.findings
            .iter()
            .filter(|f| f.rule != "CN-FMT-003") // HTML shows emphasis; text does not
            // A finding on a whole clause shows the HTML source, tags and all.
            .map(|f| {
                (
                    f.rule.clone(),
                    (f.line == f.end_line).then(|| f.snippet.clone()),
                )
            })
            .collect::<Vec<_>>()
    };
    assert!(!from_text.findings.is_empty());
    assert_eq!(rules(&from_html), rules(&from_text));
    for f in &from_html.findings {
        assert_eq!(
            html.get(f.byte_start..f.byte_end),
            Some(f.snippet.as_str()),
            "{}",
            f.rule
        );
    }
}
