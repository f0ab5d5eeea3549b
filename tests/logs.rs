//! `loanlint check` on collection logs, as an analyst runs it: the bundled example logs, a
//! malformed log, a log in its own column names mapped through loanlint.yaml, and a log mixing
//! debtors of two jurisdictions.

mod common;

use common::loanlint;

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn json_report(args: &[&str], dir: &Path) -> (Value, i32) {
    let out = loanlint(args, dir);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    common::assert_valid_report(&v);
    (v, out.status.code().unwrap_or(-1))
}

/// (rule, line, record) of every finding.
fn findings(v: &Value) -> Vec<(String, u64, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["record"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn bundled_cn_logs_report_each_violation_at_its_record() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (v, code) = json_report(
        &[
            "check",
            "--format",
            "json",
            "fixtures/logs/cn/violations.jsonl",
        ],
        root,
    );
    assert_eq!(code, 1);
    let found = findings(&v);
    assert!(found.contains(&("CN-LOG-001".into(), 1, "V001".into())));
    assert!(found.contains(&("CN-LOG-002".into(), 6, "V006".into())));
    assert!(found.contains(&("CN-LOG-003".into(), 22, "V022".into())));
    let first = &v["findings"][0];
    // The span is the record's line, in bytes of the file.
    let text = std::fs::read_to_string(root.join("fixtures/logs/cn/violations.jsonl")).unwrap();
    let first_line = text.lines().next().unwrap();
    assert_eq!(first["byte_start"], 0);
    assert_eq!(
        first["byte_end"].as_u64().unwrap() as usize,
        first_line.len()
    );
    assert_eq!(
        first["end_column"].as_u64().unwrap() as usize,
        first_line.chars().count() + 1
    );
    assert_eq!(v["summary"]["records_read"], 23);
    assert_eq!(v["summary"]["records_checked"], 23);
    assert_eq!(v["summary"]["records_rejected"], 0);
    let (clean, code) = json_report(
        &["check", "--format", "json", "fixtures/logs/cn/clean.jsonl"],
        root,
    );
    assert_eq!(code, 0, "{clean:#}");
    assert!(findings(&clean).is_empty());
}

#[test]
fn a_malformed_log_reports_every_bad_line_and_checks_every_good_one() {
    let dir = tempfile::tempdir().unwrap();
    let log = [
        r#"{"id":"a1","debtor":"d1","time":"2026-03-02T23:00:00+08:00","tz":"Asia/Shanghai","kind":"call"}"#,
        r#"{"id":"a2","debtor":"d1","time":"2026-03-02T23:00:00+08:00","kind":"cal"}"#,
        r#"{"id":"a3","debtor":"d1","time":"2026-02-30T10:00:00+08:00","kind":"call"}"#,
        r#"{"id":"a4","time":"2026-03-02T10:00:00+08:00","kind":"call"}"#,
        r#"{"id":"a5","debtor":"d1","time":"2026-03-02T10:00:00+08:00","kind":"call""#,
        "",
        r#"{"id":"a7","debtor":{"name":"x"},"time":"2026-03-02T10:00:00+08:00","kind":"call"}"#,
        r#"{"id":"a8","debtor":"d1","time":"2026-03-02 10:00","kind":"sms"}"#,
        r#"{"id":"a9","debtor":"d1","time":"2026-03-03T07:00:00+08:00","tz":"Asia/Shanghai","kind":"sms","text":"再不还钱就让你坐牢"}"#,
    ]
    .join("\n");
    std::fs::write(dir.path().join("bad.jsonl"), log).unwrap();
    let (v, code) = json_report(&["check", "--format", "json", "bad.jsonl"], dir.path());
    assert_eq!(code, 2, "rejected records are input errors");
    let errors: Vec<(u64, String)> = v["input_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let lines: Vec<u64> = errors.iter().map(|e| e.0).collect();
    assert_eq!(lines, vec![2, 3, 4, 5, 7, 8], "{errors:#?}");
    assert!(
        errors[0].1.contains("cal") && errors[0].1.contains("call"),
        "{}",
        errors[0].1
    );
    assert!(errors[2].1.contains("debtor"), "{}", errors[2].1);
    assert!(
        errors[5].1.contains("zone") || errors[5].1.contains("offset"),
        "{}",
        errors[5].1
    );
    let s = &v["summary"];
    assert_eq!(s["records_read"], 8, "the blank line is not a record");
    assert_eq!(s["records_checked"], 2);
    assert_eq!(s["records_rejected"], 6);
    // The good records are still checked: the night call and the threat.
    let found = findings(&v);
    assert!(
        found.contains(&("CN-LOG-001".into(), 1, "a1".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("CN-LOG-006".into(), 9, "a9".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("CN-LOG-001".into(), 9, "a9".into())),
        "{found:?}"
    );
}

#[test]
fn a_log_in_its_own_words_is_checked_through_the_mapping() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("loanlint.yaml"),
        "log:\n  default_zone: Asia/Shanghai\n  columns: {debtor: debtor_id, time: ts, kind: channel, id: event_id, party: who}\n  values:\n    kind: {phone: call, 短信: sms}\n    party: {third_party: other_third_party, 本人: debtor}\n",
    )
    .unwrap();
    let csv = "event_id,debtor_id,ts,channel,who,text\n\
E1,D1,2026-03-02 22:40,phone,本人,提醒还款\n\
E2,D1,2026-03-03 10:00,短信,third_party,\"请转告张三，他欠我司贷款5000元逾期未还\"\n\
E3,D1,2026-03-03 11:00,短信,third_party,请转告张三回电\n";
    std::fs::write(dir.path().join("contacts.csv"), csv).unwrap();
    let (v, code) = json_report(&["check", "--format", "json", "contacts.csv"], dir.path());
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(
        v["summary"]["records_rejected"], 0,
        "{:#}",
        v["input_errors"]
    );
    assert_eq!(
        findings(&v),
        vec![
            ("CN-LOG-001".to_string(), 2, "E1".to_string()),
            ("CN-LOG-004".to_string(), 3, "E2".to_string()),
        ]
    );
}

#[test]
fn each_debtor_is_checked_under_their_own_jurisdiction() {
    let dir = tempfile::tempdir().unwrap();
    let log = [
        // 21:30 in Shanghai: allowed under the CN quiet period (22:00–08:00).
        r#"{"id":"c1","debtor":"cn","time":"2026-03-02T21:30:00+08:00","tz":"Asia/Shanghai","kind":"call"}"#,
        // 21:30 in Chicago: not a CN debtor, so the CN quiet period does not apply to it.
        r#"{"id":"u1","debtor":"us","time":"2026-03-02T21:30:00-06:00","tz":"America/Chicago","kind":"call"}"#,
        r#"{"id":"c2","debtor":"cn","time":"2026-03-02T22:30:00+08:00","tz":"Asia/Shanghai","kind":"call"}"#,
        r#"{"id":"u2","debtor":"us","time":"2026-03-02T22:30:00-06:00","tz":"America/Chicago","kind":"call","text":"再不还钱就让你坐牢"}"#,
    ]
    .join("\n");
    std::fs::write(dir.path().join("mixed.jsonl"), log).unwrap();
    let (v, _) = json_report(&["check", "--format", "json", "mixed.jsonl"], dir.path());
    let cn: Vec<_> = findings(&v)
        .into_iter()
        .filter(|f| f.0.starts_with("CN-"))
        .collect();
    assert_eq!(cn, vec![("CN-LOG-001".to_string(), 3, "c2".to_string())]);
    let reason = v["subjects"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("CN: 1 debtor") && reason.contains("US: 1 debtor"),
        "{reason}"
    );
}

#[test]
fn a_yaml_alias_bomb_is_refused_with_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut log =
        String::from("- debtor: a\n  time: '2026-03-02T10:00:00+08:00'\n  kind: call\n  bomb:\n");
    log.push_str(
        "    a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (name, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        let refs = vec![format!("*{prev}"); 9].join(",");
        log.push_str(&format!("    {name}: &{name} [{refs}]\n"));
    }
    std::fs::write(dir.path().join("bomb.yaml"), log).unwrap();
    let (v, code) = json_report(&["check", "--format", "json", "bomb.yaml"], dir.path());
    assert_eq!(code, 2);
    let e = &v["input_errors"][0];
    assert_eq!(e["file"], "bomb.yaml");
    assert!(e["message"].as_str().unwrap().contains("YAML"), "{e}");
    assert!(
        !e["message"].as_str().unwrap().starts_with("bomb.yaml"),
        "{e}"
    );
}

/// The report does not depend on how many threads checked it, nor on the run.
#[test]
fn output_is_the_same_on_one_thread_and_on_several() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = |threads: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_loanlint"))
            .env("LOANLINT_CACHE_DIR", "")
            .args([
                "check",
                "--format",
                "json",
                "fixtures/contracts",
                "fixtures/logs",
            ])
            .current_dir(root)
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .expect("the binary runs");
        out.stdout
    };
    let one = run("1");
    assert!(one.len() > 1000);
    assert_eq!(one, run("4"), "1 thread vs 4");
    assert_eq!(run("4"), run("4"), "two runs");
}
