//! `check --format sarif|junit|github`, and several formats in one run, on real checks with
//! the built-in rules.

mod common;

use common::{loanlint, stderr};

use std::path::Path;
use tempfile::TempDir;

/// A contract whose clause 2 gives the lender the final say (CN-FMT-001), in a folder with a
/// Chinese name, beside a DOCX that is not a zip (an input error).
fn workspace() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("合同")).unwrap();
    std::fs::write(
        dir.path().join("合同/a.txt"),
        "第一条 借款金额\n借款人向贷款人借款人民币10,000元。\n第二条 其他\n本合同最终解释权归贷款人所有。\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("bad.docx"), b"\xff\xfe").unwrap();
    dir
}

fn sarif_schema() -> serde_json::Value {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = manifest.join("../shared/schemas/sarif-2.1.0.schema.json");
    let path = if shared.is_file() {
        shared
    } else {
        manifest.join("tests/schemas/sarif-2.1.0.schema.json")
    };
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn schema_errors(doc: &serde_json::Value) -> Vec<String> {
    let schema = sarif_schema();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

fn sarif_of(dir: &TempDir) -> serde_json::Value {
    let o = loanlint(&["check", "--format", "sarif", "."], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn sarif_validates_against_the_schema() {
    let dir = workspace();
    let sarif = sarif_of(&dir);
    let errors = schema_errors(&sarif);
    assert!(errors.is_empty(), "{}\n{sarif:#}", errors.join("\n"));
    assert_eq!(sarif["version"], "2.1.0");
}

#[test]
fn the_sarif_schema_check_can_fail() {
    let mut sarif = sarif_of(&workspace());
    sarif["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!schema_errors(&sarif).is_empty());
}

#[test]
fn sarif_result_points_at_the_clause_and_names_its_rule() {
    let sarif = sarif_of(&workspace());
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().unwrap();
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "CN-FMT-001")
        .expect("CN-FMT-001 fired");
    let index = usize::try_from(r["ruleIndex"].as_u64().unwrap()).unwrap();
    let rule = &run["tool"]["driver"]["rules"][index];
    assert_eq!(rule["id"], "CN-FMT-001");
    assert_eq!(rule["defaultConfiguration"]["level"], "error");
    assert!(rule["help"]["text"]
        .as_str()
        .unwrap()
        .contains("侵害消费者权益行为处罚办法"));
    assert_eq!(rule["properties"]["concept"], r["properties"]["concept"]);
    let location = &r["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "%E5%90%88%E5%90%8C/a.txt"
    );
    let region = &location["region"];
    assert_eq!(region["startLine"], 4);
    assert_eq!(region["startColumn"], 4);
    // The span starts after "本合同" on line 4.
    let line4 = "第一条 借款金额\n借款人向贷款人借款人民币10,000元。\n第二条 其他\n".len();
    assert_eq!(region["byteOffset"], line4 + "本合同".len());
    assert_eq!(region["snippet"]["text"], "最终解释权");
    assert_eq!(region["byteLength"], "最终解释权".len());
    let notification = &run["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(
        notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "bad.docx"
    );
}

#[test]
fn fingerprints_survive_an_inserted_line() {
    let dir = workspace();
    let before = sarif_of(&dir);
    let path = dir.path().join("合同/a.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("借款合同\n\n{text}")).unwrap();
    let after = sarif_of(&dir);
    let prints = |doc: &serde_json::Value| -> Vec<(String, String)> {
        doc["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["ruleId"] == "CN-FMT-001")
            .map(|r| {
                (
                    r["partialFingerprints"]["loanlint/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"].to_string(),
                )
            })
            .collect()
    };
    let (before, after) = (prints(&before), prints(&after));
    assert!(!before.is_empty());
    assert_eq!(before.len(), after.len());
    for ((print_before, line_before), (print_after, line_after)) in before.iter().zip(&after) {
        assert_eq!(print_before, print_after);
        assert_ne!(line_before, line_after);
    }
}

#[test]
fn several_formats_in_one_run() {
    let dir = workspace();
    let o = loanlint(
        &[
            "check",
            "--format",
            "github",
            "--format",
            "sarif:out.sarif",
            "--format",
            "junit:junit.xml",
            "--format",
            "json:r.json",
            ".",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let github = String::from_utf8(o.stdout).unwrap();
    assert!(
        github.lines().any(|l| l.starts_with(
            "::error file=合同/a.txt,line=4,col=4,endLine=4,endColumn=9,title=CN-FMT-001::"
        )),
        "{github}"
    );
    assert!(github.contains("::error file=bad.docx,title=input error::"));
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.sarif")).unwrap())
            .unwrap();
    assert!(schema_errors(&sarif).is_empty());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    common::assert_valid_report(&json);
    assert_eq!(
        sarif["runs"][0]["results"].as_array().unwrap().len(),
        json["findings"].as_array().unwrap().len()
    );
    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    assert!(junit.contains("<testsuite name=\"./合同/a.txt\" tests=\""));
    assert!(junit.contains("name=\"CN-FMT-001 "), "{junit}");
    assert!(junit.contains("<error type=\"input-error\""), "{junit}");
}

#[test]
fn two_formats_cannot_share_standard_output() {
    let dir = workspace();
    let o = loanlint(
        &["check", "--format", "human", "--format", "json", "."],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("standard output"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
}

#[test]
fn the_sarif_schema_copy_matches_the_shared_schema() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = manifest.join("../shared/schemas/sarif-2.1.0.schema.json");
    let Ok(shared) = std::fs::read_to_string(shared) else {
        return; // a checkout without shared/: the copy is all there is
    };
    assert_eq!(
        std::fs::read_to_string(manifest.join("tests/schemas/sarif-2.1.0.schema.json")).unwrap(),
        shared
    );
}

/// What a JUnit consumer reads: the root's counts, and per element name how many there are;
/// the text of the failures, unescaped. Fails on XML that is not well-formed.
struct JunitRead {
    root_counts: (String, String, String),
    elements: std::collections::BTreeMap<String, usize>,
    failure_texts: Vec<String>,
}

fn read_junit(xml: &str) -> JunitRead {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut read = JunitRead {
        root_counts: Default::default(),
        elements: Default::default(),
        failure_texts: vec![],
    };
    let mut in_failure = false;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let attr = |key: &str| {
                    e.try_get_attribute(key)
                        .unwrap()
                        .map(|a| a.unescape_value().unwrap().into_owned())
                        .unwrap_or_default()
                };
                if name == "testsuites" {
                    read.root_counts = (attr("tests"), attr("failures"), attr("errors"));
                }
                in_failure = name == "failure";
                *read.elements.entry(name).or_default() += 1;
            }
            Event::Text(t) if in_failure => {
                read.failure_texts.push(t.unescape().unwrap().into_owned());
            }
            Event::End(_) => in_failure = false,
            Event::Eof => break,
            _ => {}
        }
    }
    read
}

#[test]
fn junit_is_well_formed_and_its_counts_add_up() {
    let dir = workspace();
    let o = loanlint(&["check", "--format", "junit", "."], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let xml = String::from_utf8(o.stdout).unwrap();
    let read = read_junit(&xml);
    let count = |name: &str| read.elements.get(name).copied().unwrap_or(0);
    assert_eq!(
        count("testsuite"),
        2,
        "the contract and the unreadable DOCX"
    );
    assert_eq!(count("error"), 1);
    assert!(count("failure") >= 1);
    assert_eq!(
        read.root_counts,
        (
            count("testcase").to_string(),
            count("failure").to_string(),
            count("error").to_string()
        )
    );
    let rules = loanlint(&["rules", "list", "--format", "json"], dir.path());
    let rules: serde_json::Value = serde_json::from_slice(&rules.stdout).unwrap();
    let cn_rules = rules["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["pack"] == "cn-consumer-credit")
        .count();
    assert!(cn_rules > 0);
    assert_eq!(
        count("testcase"),
        cn_rules + 1,
        "every rule of the applied pack, and the DOCX"
    );
    assert!(
        read.failure_texts
            .iter()
            .any(|t| t.starts_with("4:4 格式条款约定由经营者单方享有解释权")),
        "{:?}",
        read.failure_texts
    );
}
