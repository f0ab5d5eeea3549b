//! The CI features of `loanlint check`: inline suppressions, baselines, include/exclude globs
//! and `--changed-since`, run through the binary on real contracts with the built-in rules.

mod common;

use common::{loanlint, stderr, stdout};

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use tempfile::TempDir;

fn json_of(args: &[&str], dir: &Path) -> (Option<i32>, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let o = loanlint(&all, dir);
    let v = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}\n{}\n{}", stdout(&o), stderr(&o)));
    (o.status.code(), v)
}

fn rules_of(v: &Value, list: &str) -> Vec<String> {
    v[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

/// A contract whose only error is the lender's final say in clause 3 (CN-FMT-001, twice on
/// line 11), with `directive` on line 10.
fn contract_with(directive: &str) -> String {
    format!(
        "# 借款合同\n\n第一条 借款\n借款金额为人民币10,000元，借款期限为12个月，自2025年7月1日起至\
         2026年6月30日止，按月等额本息还款，借款年化利率(单利)为7.2%。\n\n第二条 投诉\n\
         借款人可拨打客服热线400-800-8000进行投诉。\n\n第三条 其他\n{directive}\n\
         本合同最终解释权归贷款人所有。\n"
    )
}

fn workspace(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn sarif_schema_errors(doc: &Value) -> Vec<String> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = manifest.join("../shared/schemas/sarif-2.1.0.schema.json");
    let path = if shared.is_file() {
        shared
    } else {
        manifest.join("tests/schemas/sarif-2.1.0.schema.json")
    };
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

#[test]
fn a_markdown_comment_suppresses_with_its_reason_and_the_exit_status_ignores_it() {
    let dir = workspace(&[
        (
            "a.md",
            &contract_with("<!-- loanlint-disable-next-line CN-FMT-001: 经法务部审核保留 -->"),
        ),
        ("plain.md", &contract_with("")),
    ]);
    let (code, v) = json_of(&["a.md"], dir.path());
    assert_eq!(code, Some(0), "{v:#}");
    assert!(!rules_of(&v, "findings").contains(&"CN-FMT-001".to_string()));
    assert_eq!(rules_of(&v, "suppressed"), ["CN-FMT-001", "CN-FMT-001"]);
    let s = &v["suppressed"][0];
    assert_eq!(s["line"], 11);
    assert_eq!(s["suppression"]["kind"], "inSource");
    assert_eq!(s["suppression"]["justification"], "经法务部审核保留");
    assert_eq!(v["summary"]["suppressed"], 2);
    assert_eq!(v["summary"]["errors"], 0);
    common::assert_valid_report(&v);

    // The same contract without the comment fails.
    let (code, v) = json_of(&["plain.md"], dir.path());
    assert_eq!(code, Some(1));
    assert_eq!(v["summary"]["errors"], 2);

    let human = stdout(&loanlint(&["check", "a.md"], dir.path()));
    assert!(
        human.ends_with("0 errors, 1 warning, 0 infos; 2 suppressed\n"),
        "{human}"
    );
}

#[test]
fn sarif_keeps_suppressed_results_with_their_justification_and_validates() {
    let dir = workspace(&[(
        "a.md",
        &contract_with("<!-- loanlint-disable-next-line CN-FMT-001: 经法务部审核保留 -->"),
    )]);
    let o = loanlint(&["check", "--format", "sarif", "a.md"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let sarif: Value = serde_json::from_slice(&o.stdout).unwrap();
    let errors = sarif_schema_errors(&sarif);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 2);
    assert_eq!(suppressed[0]["ruleId"], "CN-FMT-001");
    assert_eq!(
        suppressed[0]["suppressions"],
        serde_json::json!([{
            "kind": "inSource", "status": "accepted", "justification": "经法务部审核保留"
        }])
    );
    assert_eq!(results.len(), 3, "the warning stays, unsuppressed");
}

#[test]
fn plain_text_directives_and_their_mistakes() {
    let text = "借款合同\n\
        第一条 本合同最终解释权归贷款人所有。 # loanlint-disable-line CN-FMT-001: 模板原文\n\
        第二条 借款人放弃一切抗辩权。\n\
        【loanlint-disable-next-line CN-NOPE-1：无此规则】\n\
        第三条 本合同最终解释权归贷款人所有。\n\
        // loanlint-disable-next-line CN-FMT-001\n\
        第四条 本合同最终解释权归贷款人所有。\n\
        // loanlint-disable-next-line CN-FMT-001: 此行无此问题\n\
        第五条 借款金额为人民币1000元。\n";
    let dir = workspace(&[("a.txt", text)]);
    let (_, v) = json_of(&["a.txt"], dir.path());
    common::assert_valid_report(&v);
    let o = loanlint(&["check", "--format", "sarif", "a.txt"], dir.path());
    let sarif: Value = serde_json::from_slice(&o.stdout).unwrap();
    let errors = sarif_schema_errors(&sarif);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let meta = rules.iter().position(|r| r["id"] == "LL-SUPPRESS").unwrap();
    let meta_result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "LL-SUPPRESS")
        .unwrap();
    assert_eq!(meta_result["ruleIndex"], meta);
    let meta: Vec<(u64, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "LL-SUPPRESS")
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        meta,
        [
            (
                4,
                "suppression names `CN-NOPE-1`, which is no loaded rule".to_string()
            ),
            (
                6,
                "suppression of CN-FMT-001 gives no reason after `:`, so it silences nothing"
                    .to_string()
            ),
            (
                8,
                "unused suppression: no `CN-FMT-001` finding on line 9 to silence".to_string()
            ),
        ]
    );
    let active_fmt: Vec<u64> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "CN-FMT-001")
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert!(!active_fmt.is_empty());
    assert!(
        active_fmt.iter().all(|l| *l == 5 || *l == 7),
        "{active_fmt:?}"
    );
    assert!(v["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["line"] == 2 && s["suppression"]["justification"] == "模板原文"));
    assert!(!v["suppressed"].as_array().unwrap().is_empty());
}

const FIXTURE: &str = "fixtures/contracts/cashloan-app-unfair-terms.txt";

fn fixture_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE)).unwrap()
}

#[test]
fn a_baseline_survives_unrelated_edits_and_reports_exactly_the_changed_clause() {
    let original = fixture_text();
    let dir = workspace(&[("contracts/loan.txt", &original)]);
    let o = loanlint(
        &["check", "--write-baseline", "ci/baseline.json", "contracts"],
        dir.path(),
    );
    std::fs::create_dir_all(dir.path().join("ci")).unwrap();
    // The folder did not exist: a clear error, exit 2.
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = loanlint(
        &["check", "--write-baseline", "ci/baseline.json", "contracts"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (_, before) = json_of(&["contracts"], dir.path());
    let total = before["findings"].as_array().unwrap().len();
    assert!(total > 20);
    assert!(stderr(&o).contains(&format!(
        "wrote {total} baseline entries to ci/baseline.json"
    )));

    // Unrelated lines inserted above every finding, run from another folder.
    let edited = original.replacen(
        "平台方:",
        "本协议由平台法务部维护。\n\n\n编号：2025-001\n\n平台方:",
        1,
    );
    assert_ne!(edited, original);
    std::fs::write(dir.path().join("contracts/loan.txt"), &edited).unwrap();
    let (code, v) = json_of(
        &["--baseline", "../ci/baseline.json", "."],
        &dir.path().join("contracts"),
    );
    assert_eq!(v["findings"], serde_json::json!([]), "{v:#}");
    assert_eq!(code, Some(0));
    assert_eq!(v["summary"]["suppressed"], total);
    assert_eq!(v["summary"]["baseline_stale"], 0);
    assert_eq!(v["suppressed"][0]["suppression"]["kind"], "external");

    // One violating clause changed: exactly that finding is new, its old entry stale.
    let changed = edited.replacen("月费率2.5%", "月费率3%", 1);
    std::fs::write(dir.path().join("contracts/loan.txt"), &changed).unwrap();
    let (code, v) = json_of(
        &[
            "--fail-on",
            "warning",
            "--baseline",
            "ci/baseline.json",
            "contracts",
        ],
        dir.path(),
    );
    assert_eq!(rules_of(&v, "findings"), ["CN-INT-004"], "{v:#}");
    assert_eq!(v["findings"][0]["snippet"], "月费率3%");
    assert_eq!(v["findings"][0]["severity"], "warning");
    assert_eq!(code, Some(1));
    assert_eq!(v["summary"]["baseline_stale"], 1);
    assert_eq!(v["baseline_stale"][0]["text"], "月费率2.5%");
    assert_eq!(v["baseline_stale"][0]["file"], "../contracts/loan.txt");

    let human = stdout(&loanlint(
        &["check", "--baseline", "ci/baseline.json", "contracts"],
        dir.path(),
    ));
    assert!(
        human.contains("note: 1 entry in ci/baseline.json no longer occurs"),
        "{human}"
    );
    assert!(human.contains("contracts/loan.txt [CN-INT-004] 月费率2.5%"));
    assert!(
        human.trim_end().ends_with("; 1 baseline entry stale"),
        "{human}"
    );

    let o = loanlint(
        &[
            "check",
            "--format",
            "sarif",
            "--baseline",
            "ci/baseline.json",
            "contracts",
        ],
        dir.path(),
    );
    let sarif: Value = serde_json::from_slice(&o.stdout).unwrap();
    let errors = sarif_schema_errors(&sarif);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let new: Vec<&Value> = results
        .iter()
        .filter(|r| r["baselineState"] == "new")
        .collect();
    assert_eq!(new.len(), 1);
    assert!(new[0].get("suppressions").is_none());
    assert!(results
        .iter()
        .filter(|r| r["baselineState"] == "unchanged")
        .all(|r| r["suppressions"][0]["kind"] == "external"));
}

#[test]
fn a_missing_or_broken_baseline_is_an_error() {
    let dir = workspace(&[
        ("a.txt", "第一条 本合同最终解释权归贷款人所有。\n"),
        ("b.json", "[]"),
    ]);
    let o = loanlint(&["check", "--baseline", "none.json", "a.txt"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read the baseline none.json"));
    let o = loanlint(&["check", "--baseline", "b.json", "a.txt"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("b.json: not a loanlint baseline"));
}

#[test]
fn config_globs_choose_the_files_a_folder_walk_checks() {
    let bad = "第一条 本合同最终解释权归贷款人所有。\n";
    let dir = workspace(&[
        (
            "loanlint.yaml",
            "include:\n  - \"contracts/**\"\nexclude: [\"drafts/\", \"*.html\"]\n",
        ),
        ("contracts/a.txt", bad),
        ("contracts/drafts/b.txt", bad),
        ("contracts/c.html", bad),
        ("contracts/sub/d.md", bad),
        ("other/e.txt", bad),
    ]);
    let files = |v: &Value| -> Vec<String> {
        let mut f: Vec<String> = v["subjects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["file"].as_str().unwrap().to_string())
            .collect();
        f.sort();
        f
    };
    let (_, v) = json_of(&["."], dir.path());
    assert_eq!(files(&v), ["./contracts/a.txt", "./contracts/sub/d.md"]);
    // Relative to the config file's folder, wherever loanlint runs.
    let (_, v) = json_of(&["."], &dir.path().join("contracts"));
    assert_eq!(files(&v), ["./a.txt", "./sub/d.md"]);
    // --exclude adds to the config's patterns.
    let (_, v) = json_of(&["--exclude", "sub", "."], dir.path());
    assert_eq!(files(&v), ["./contracts/a.txt"]);
    let o = loanlint(&["check", "--exclude", "[a-", "."], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`[a-` is not a valid glob"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bad_globs_and_misspelt_keys_in_the_config_are_located_errors() {
    let dir = workspace(&[
        (
            "loanlint.yaml",
            "# globs\ninclude:\n  - contracts/**\n  - \"contracts/[a-\"\nexclud: [x]\n",
        ),
        ("a.txt", "第一条\n"),
    ]);
    let o = loanlint(&["check", "."], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("loanlint.yaml:4: `include` pattern `contracts/[a-` is not a valid glob"),
        "{err}"
    );
    assert!(
        err.contains("loanlint.yaml:5: unknown key `exclud`; did you mean `exclude`?"),
        "{err}"
    );
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
}

#[test]
fn changed_since_checks_changed_files_and_reports_changed_clauses_only() {
    let original = fixture_text();
    let dir = workspace(&[
        ("contracts/loan.txt", &original),
        ("contracts/untouched.txt", &original),
    ]);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "contracts"]);
    // A new sentence in clause 3 (提前还款); nothing else changes.
    let edited = original.replacen(
        "第三条 提前还款\n",
        "第三条 提前还款\n借款人提前还款的，应提前3日通知贷款人。\n",
        1,
    );
    assert_ne!(edited, original);
    std::fs::write(dir.path().join("contracts/loan.txt"), edited).unwrap();

    let (code, v) = json_of(&["--changed-since", "HEAD", "."], dir.path());
    assert_eq!(v["summary"]["files"], 1, "{v:#}");
    let found: Vec<(String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    // Clause 3 now runs from line 19 to 21; its two findings moved to line 21.
    assert_eq!(
        found,
        [
            ("CN-INT-010".to_string(), 21),
            ("CN-INT-011".to_string(), 21)
        ]
    );
    // Both are warnings: the unchanged clauses' errors no longer fail the run.
    assert_eq!(code, Some(0));
    let (code, _) = json_of(
        &["--changed-since", "HEAD", "--fail-on", "warning", "."],
        dir.path(),
    );
    assert_eq!(code, Some(1));
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["file"] == "contracts/loan.txt"));

    // Nothing changed below a path given: nothing checked.
    std::fs::create_dir(dir.path().join("other")).unwrap();
    let (code, v) = json_of(&["--changed-since", "HEAD", "other"], dir.path());
    assert_eq!((code, v["summary"]["files"].clone()), (Some(0), 0.into()));
}

#[test]
fn changed_since_outside_git_or_with_a_bad_revision_exits_2() {
    let dir = workspace(&[("a.txt", "第一条\n")]);
    let o = loanlint(&["check", "--changed-since", "HEAD", "."], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("git rev-parse"), "{}", stderr(&o));
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "a"]);
    let o = loanlint(
        &["check", "--changed-since", "no-such-branch", "."],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`no-such-branch` is not a revision in this repository"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn changed_since_keeps_suppressions_of_unchanged_lines_quiet() {
    let text = "第一条 借款\n\
        # loanlint-disable-next-line CN-FMT-001: 模板原文\n\
        本合同最终解释权归贷款人所有。\n\
        第二条 其他\n\
        借款人应按时还款。\n";
    let dir = workspace(&[("a.txt", text)]);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "a"]);
    let edited = text.replace("借款人应按时还款。", "借款人放弃一切抗辩权。");
    std::fs::write(dir.path().join("a.txt"), edited).unwrap();
    let (_, v) = json_of(&["--changed-since", "HEAD", "."], dir.path());
    let lines: Vec<u64> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    // Only clause 2 (lines 4-5) is reported: no LL-SUPPRESS about line 2, and the finding
    // silenced on line 3 is outside the change, so not listed as suppressed either.
    assert!(!lines.is_empty());
    assert!(lines.iter().all(|l| *l >= 4), "{v:#}");
    assert_eq!(v["suppressed"], serde_json::json!([]));
}
