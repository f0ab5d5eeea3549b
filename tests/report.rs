//! The renderers on hand-built reports: the JSON against the published schema, and the human
//! report on a finding located the way the engine locates one.

mod common;

use loanlint::document::{Document, Format};
use loanlint::engine::{Finding, Severity};
use loanlint::report::{render_human, render_json, InputError, Report, SubjectInfo};
use std::collections::BTreeMap;
use unicode_width::UnicodeWidthStr;

/// A finding on `needle` in `doc`, computed from the document like the engine does.
fn finding_on(doc: &Document, needle: &str, rule: &str, severity: Severity) -> Finding {
    let start = doc.text.find(needle).expect("needle in text");
    let text_range = start..start + needle.len();
    let source = doc.to_source(text_range.clone());
    let file = doc.to_file(text_range);
    let (line, column) = doc.source_lines.line_col(&doc.source, source.start);
    let (end_line, end_column) = doc.source_lines.line_col(&doc.source, source.end);
    Finding {
        rule: rule.into(),
        concept: "format-clause.final-interpretation".into(),
        severity,
        message: "格式条款约定经营者享有最终解释权".into(),
        file: doc.path.clone(),
        line,
        column,
        end_line,
        end_column,
        byte_start: file.start,
        byte_end: file.end,
        cite: "合同行政监督管理办法 第九条".into(),
        help: "删除该条款".into(),
        snippet: doc.source[source.clone()].to_string(),
        clause: Some("第五条".into()),
        record: None,
        source_range: source,
    }
}

fn report_for(doc: &Document, findings: Vec<Finding>) -> Report {
    let mut sources = BTreeMap::new();
    sources.insert(doc.path.clone(), doc.source.clone());
    Report {
        files: 1,
        findings,
        subjects: vec![SubjectInfo {
            file: doc.path.clone(),
            jurisdiction: Some("CN".into()),
            packs: vec!["cn-consumer-credit".into()],
            reason: "Chinese-language contract".into(),
            encoding: Some("UTF-8".into()),
        }],
        input_errors: vec![],
        sources,
        ..Report::default()
    }
}

fn contract() -> Document {
    let source = "借款合同\n\n第五条\t本合同最终解释权归贷款人所有。\n".to_string();
    // A UTF-8 BOM was stripped before the source: file offsets are 3 bytes further on.
    Document::from_source("templates/借款合同.txt", Format::Text, source, 3)
}

#[test]
fn json_report_validates_against_the_schema() {
    let doc = contract();
    let mut report = report_for(
        &doc,
        vec![
            finding_on(
                &doc,
                "最终解释权归贷款人所有",
                "CN-STD-001",
                Severity::Error,
            ),
            finding_on(&doc, "贷款人", "CN-STD-009", Severity::Info),
        ],
    );
    report.input_errors.push(InputError {
        file: "templates/bad.txt".into(),
        line: None,
        message: "cannot read: permission denied".into(),
    });
    let json: serde_json::Value = serde_json::from_str(&render_json(&report)).unwrap();
    common::assert_valid_report(&json);

    let f = &json["findings"][0];
    assert_eq!(f["file"], "templates/借款合同.txt");
    assert_eq!(f["line"], 3);
    assert_eq!(f["column"], 8);
    assert_eq!(f["end_line"], 3);
    assert_eq!(f["end_column"], 19);
    let in_source = doc.source.find("最终解释权").unwrap();
    assert_eq!(f["byte_start"], in_source + 3);
    assert_eq!(
        f["byte_end"],
        in_source + 3 + "最终解释权归贷款人所有".len()
    );
    assert_eq!(f["snippet"], "最终解释权归贷款人所有");
    assert_eq!(json["findings"][1]["severity"], "info");
    assert_eq!(json["summary"]["findings"], 2);
    assert_eq!(json["input_errors"][0]["line"], serde_json::Value::Null);
}

#[test]
fn the_schema_check_can_fail() {
    let doc = contract();
    let report = report_for(
        &doc,
        vec![finding_on(&doc, "贷款人", "CN-STD-001", Severity::Error)],
    );
    let mut json: serde_json::Value = serde_json::from_str(&render_json(&report)).unwrap();
    json["findings"][0]["severity"] = "fatal".into();
    let schema = common::findings_schema();
    assert!(!jsonschema::is_valid(&schema, &json));
}

#[test]
fn the_schema_copy_matches_the_shared_schema() {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = manifest.join("../shared/schemas/findings.schema.json");
    let copy = manifest.join("tests/schemas/findings.schema.json");
    let Ok(shared) = std::fs::read_to_string(shared) else {
        return; // a checkout without shared/: the copy is all there is
    };
    assert_eq!(
        std::fs::read_to_string(copy).unwrap(),
        shared,
        "tests/schemas/findings.schema.json is out of date: copy the shared schema again"
    );
}

#[test]
fn human_report_underlines_the_span_after_a_tab_and_chinese_text() {
    let doc = contract();
    let needle = "最终解释权归贷款人所有";
    let report = report_for(
        &doc,
        vec![finding_on(&doc, needle, "CN-STD-001", Severity::Error)],
    );
    let out = render_human(&report, false);
    assert!(
        out.starts_with("Error: [CN-STD-001] 格式条款约定经营者享有最终解释权\n"),
        "{out}"
    );
    assert!(out.contains("templates/借款合同.txt:3:8"), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    let i = lines.iter().position(|l| l.contains(needle)).unwrap();
    let text_col = lines[i][..lines[i].find(needle).unwrap()].width();
    let under = lines[i + 1];
    let first = under
        .char_indices()
        .skip_while(|(_, c)| *c != '│')
        .skip(1)
        .find(|(_, c)| matches!(c, '─' | '┬'))
        .map(|(b, _)| b)
        .unwrap();
    assert_eq!(under[..first].width(), text_col, "{out}");
    let width = under[first..]
        .chars()
        .take_while(|c| matches!(c, '─' | '┬'))
        .count();
    assert_eq!(width, needle.width(), "{out}");
    assert!(
        out.ends_with("1 file checked: 1 error, 0 warnings, 0 infos\n"),
        "{out}"
    );
}
