//! The `loanlint` binary, run on temporary folders.

mod common;

use common::{loanlint, stderr, stdout};

use std::process::Output;
use tempfile::TempDir;

fn assert_no_panic(o: &Output) {
    let err = stderr(o);
    assert!(!err.contains("panicked"), "{err}");
    assert!(o.status.code().is_some(), "killed by a signal");
}

fn dir_with(files: &[(&str, &[u8])]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

/// A short contract the built-in pack finds nothing wrong with.
const GOOD: &[u8] = "第一条 借款金额\n借款人向贷款人借款人民币10,000元。\n\
第二条 借款期限\n借款期限为12个月。\n第三条 利率\n借款年化利率(单利)为7.2%。\n\
第四条 还款方式\n按月等额本息还款。\n第五条 投诉\n借款人可拨打客服电话400-000-0000进行投诉。\n"
    .as_bytes();

#[test]
fn missing_path_is_an_input_error() {
    let dir = dir_with(&[]);
    let o = loanlint(&["check", "no-such-contract.txt"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let out = stdout(&o) + &stderr(&o);
    assert!(out.contains("no-such-contract.txt"), "{out}");
}

#[test]
fn non_utf8_file_is_reported_beside_the_good_one() {
    let dir = dir_with(&[
        ("a-good.txt", GOOD),
        ("b-bad.txt", b"contract \xc3\x28 text"),
    ]);
    // Undetected, those bytes read as windows-1252; forced UTF-8 they are an error.
    let o = loanlint(&["check", "--encoding", "utf-8", "."], dir.path());
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(2));
    let out = stdout(&o);
    assert!(
        out.contains("error: ./b-bad.txt:1: not valid UTF-8"),
        "{out}"
    );
    assert!(out.contains("1 file checked"), "{out}");
    assert!(out.contains("1 input error"), "{out}");

    let o = loanlint(
        &["check", "--encoding", "utf-8", "--format", "json", "."],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    common::assert_valid_report(&json);
    assert_eq!(json["summary"]["files"], 1);
    assert_eq!(json["subjects"][0]["file"], "./a-good.txt");
    assert_eq!(json["input_errors"][0]["file"], "./b-bad.txt");
}

#[test]
fn empty_and_binary_looking_files_do_not_panic() {
    let binary: &[u8] = b"\x00\x01\x02\x03PK\x03\x04\x00\x00garbage\x00";
    let dir = dir_with(&[
        ("empty.txt", b""),
        ("blob.txt", binary),
        ("blob.md", binary),
    ]);
    let o = loanlint(&["check", "."], dir.path());
    assert_no_panic(&o);
    assert!(matches!(o.status.code(), Some(0 | 2)), "{}", stderr(&o));
    let o = loanlint(&["check", "--format", "json", "empty.txt"], dir.path());
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    common::assert_valid_report(&json);
    assert_eq!(json["subjects"][0]["jurisdiction"], serde_json::Value::Null);
    let o = loanlint(&["extract", "blob.txt"], dir.path());
    assert_no_panic(&o);
}

#[test]
fn json_output_matches_the_schema() {
    let dir = dir_with(&[("contracts/a.txt", GOOD), ("contracts/b.md", GOOD)]);
    let o = loanlint(&["check", "--format", "json", "contracts"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    common::assert_valid_report(&json);
    assert_eq!(json["version"], 1);
    assert_eq!(json["summary"]["files"], 2);
    let files: Vec<&str> = json["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["contracts/a.txt", "contracts/b.md"]);
}

#[test]
fn output_file_receives_the_report() {
    let dir = dir_with(&[("a.txt", GOOD)]);
    let o = loanlint(
        &["check", "--format", "json", "--output", "r.json", "a.txt"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    let written = std::fs::read_to_string(dir.path().join("r.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(json["summary"]["files"], 1);
}

#[test]
fn clean_human_run_ends_with_the_summary() {
    let dir = dir_with(&[("a.txt", GOOD)]);
    let o = loanlint(&["check", "--jurisdiction", "cn", "a.txt"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).ends_with("1 file checked: 0 errors, 0 warnings, 0 infos\n"),
        "{}",
        stdout(&o)
    );
    assert!(!stdout(&o).contains('\u{1b}'));
}

#[test]
fn usage_errors_exit_2() {
    let dir = dir_with(&[]);
    for args in [
        &["check", "--format", "xml"][..],
        &["check", "--fail-on", "sometimes"],
        &["check", "--jurisdiction", "China"],
        &["check", "--no-builtin", "."],
        &["check", "--rules", "missing.rules", "."],
        &["frobnicate"],
        &["extract"],
    ] {
        let o = loanlint(args, dir.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).is_empty(), "{args:?}");
    }
    let o = loanlint(&["check", "--rules", "missing.rules", "."], dir.path());
    assert!(stderr(&o).contains("missing.rules"), "{}", stderr(&o));
}

#[test]
fn version_and_help() {
    let dir = dir_with(&[]);
    let o = loanlint(&["--version"], dir.path());
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        format!("loanlint {}\n", env!("CARGO_PKG_VERSION"))
    );
    let o = loanlint(&["check", "--help"], dir.path());
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("--fail-on"));
    assert!(stdout(&o).contains("Examples:"));
}

#[test]
fn explain_unknown_rule_exits_2() {
    let dir = dir_with(&[]);
    let o = loanlint(&["explain", "XX-NOPE-999"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown rule `XX-NOPE-999`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn extract_lists_facts_as_json() {
    let dir = dir_with(&[("a.txt", b"no numbers here\n")]);
    let o = loanlint(&["extract", "--format", "json", "a.txt"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(json["facts"].is_array());
    let o = loanlint(&["extract", "missing.txt"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("missing.txt"), "{}", stderr(&o));
}

#[test]
fn rules_list_json_parses() {
    let dir = dir_with(&[]);
    let o = loanlint(&["rules", "list", "--format", "json"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(json["rules"].is_array());
}

#[test]
fn builtin_packs_compile_and_their_examples_pass() {
    let dir = dir_with(&[]);
    let o = loanlint(&["rules", "check"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).starts_with("checked "), "{}", stdout(&o));
    assert!(stdout(&o).contains(" 0 errors"), "{}", stdout(&o));
}

const BROKEN_RULES: &str = "pack house \"内部规则\"\n\nrule HOUSE-001 \"最终解释权\" {\n  concept format.final-interpretation\n  severity fatal\n}\n";

#[test]
fn broken_rule_file_gets_an_ariadne_report() {
    let dir = dir_with(&[("house.rules", BROKEN_RULES.as_bytes())]);
    let o = loanlint(&["rules", "check", "house.rules"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    // `severity fatal` is on line 5, from column 12.
    assert!(err.contains("house.rules:5:12"), "{err}");
    assert!(err.contains("│"), "an ariadne report: {err}");
    let o = loanlint(&["check", "--rules", "house.rules", "."], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("house.rules:5:12"), "{}", stderr(&o));
}

const HOUSE_RULES: &str = r#"pack house "内部规则"

rule HOUSE-001 "不得约定最终解释权" {
  concept  format.final-interpretation
  severity warning
  cite     "合同行政监督管理办法 第九条"
  message  "格式条款约定经营者享有最终解释权"
  help     "删除该条款"
  forbid /最终解释权/
  example fire "本协议的最终解释权归贷款人所有。"
  example pass "本协议由双方协商解释。"
}
"#;

#[test]
fn findings_set_the_exit_status_and_point_into_the_file() {
    let contract = "第五条 本合同最终解释权归贷款人所有。\n";
    let dir = dir_with(&[
        ("house.rules", HOUSE_RULES.as_bytes()),
        ("a.txt", contract.as_bytes()),
    ]);
    let args = [
        "check",
        "--no-builtin",
        "--rules",
        "house.rules",
        "--format",
        "json",
        "a.txt",
    ];
    let o = loanlint(&args, dir.path());
    assert_eq!(
        o.status.code(),
        Some(0),
        "a warning is below the default --fail-on error"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    common::assert_valid_report(&json);
    let f = &json["findings"][0];
    assert_eq!(f["rule"], "HOUSE-001");
    assert_eq!(f["byte_start"], contract.find("最终解释权").unwrap());
    assert_eq!(f["byte_end"], contract.find("归贷款人").unwrap());
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(1), Some(8))
    );

    let mut args = args.to_vec();
    args.extend(["--fail-on", "warning"]);
    assert_eq!(loanlint(&args, dir.path()).status.code(), Some(1));

    let o = loanlint(&["rules", "check", "house.rules"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "checked 1 rule in 1 file: 0 errors, 0 warnings, 2 examples passed\n"
    );
    let o = loanlint(
        &["explain", "--rules", "house.rules", "house-001"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("house.rules:3"), "{}", stdout(&o));
}

const TEST_RULES: &str = r#"pack house "house rules"
rule H-1 "no final interpretation" {
  concept  format.final-interpretation
  severity error
  cite     "c"
  message  "m"
  help     "h"
  forbid   /最终解释权/
  example fire "最终解释权归我们。"
  example pass "按通常理解解释。"
}
"#;

#[test]
fn test_command_exit_codes_follow_the_expectations() {
    let contract = "第一条\n本协议最终解释权归我们。\n".as_bytes();
    let run = |expected: &str| {
        let dir = dir_with(&[
            ("house.rules", TEST_RULES.as_bytes()),
            ("fx/a.txt", contract),
            ("fx/expected.yaml", expected.as_bytes()),
        ]);
        let o = loanlint(
            &["test", "--no-builtin", "--rules", "house.rules", "fx"],
            dir.path(),
        );
        assert_no_panic(&o);
        (o.status.code(), stdout(&o))
    };
    let (code, out) = run("a.txt: [H-1@2]\n");
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("H-1   1              1              1         0         ok"),
        "{out}"
    );
    let (code, out) = run("a.txt:\n  quiet: [H-1]\n");
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("H-1 fired on line 2 but must not (fx/expected.yaml:2)"),
        "{out}"
    );
    let (code, out) = run("a.txt: [H-2]\n");
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("fx/expected.yaml:1: `H-2` is neither a loaded rule"),
        "{out}"
    );
    let dir = dir_with(&[("house.rules", TEST_RULES.as_bytes())]);
    let o = loanlint(
        &[
            "test",
            "--no-builtin",
            "--rules",
            "house.rules",
            "--format",
            "json",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(v["rules"][0]["rule"], "H-1");
    assert_eq!(v["passed"], true);
}

const FINAL_SAY: &[u8] = "本协议的最终解释权归本平台所有。\n".as_bytes();

#[test]
fn loanlint_yaml_in_a_parent_folder_disables_rules() {
    let dir = dir_with(&[
        ("loanlint.yaml", b"disable: [CN-FMT-001]\n"),
        ("contracts/a.txt", FINAL_SAY),
        ("contracts/empty.yaml", b""),
    ]);
    let sub = dir.path().join("contracts");
    let o = loanlint(&["check", "--format", "json", "a.txt"], &sub);
    assert_no_panic(&o);
    assert!(!stdout(&o).contains("CN-FMT-001"), "{}", stdout(&o));
    let o = loanlint(
        &[
            "check",
            "--format",
            "json",
            "--config",
            "empty.yaml",
            "a.txt",
        ],
        &sub,
    );
    assert!(stdout(&o).contains("CN-FMT-001"), "{}", stdout(&o));
}

#[test]
fn a_broken_config_is_located_and_exits_2() {
    let dir = dir_with(&[
        (
            "house.yaml",
            b"params:\n  credit_line_max: 24%\nseverity:\n  CN-FMT-001: loud\nexclud: []\n",
        ),
        ("a.txt", GOOD),
    ]);
    for command in [
        &["check", "--config", "house.yaml", "a.txt"][..],
        &["rules", "list", "--config", "house.yaml"],
        &["explain", "CN-FMT-001", "--config", "house.yaml"],
        &["test", "--config", "house.yaml"],
    ] {
        let o = loanlint(command, dir.path());
        assert_eq!(o.status.code(), Some(2), "{command:?}");
        let err = stderr(&o);
        assert!(
            err.contains("house.yaml:4: severity of `CN-FMT-001` is `loud`"),
            "{err}"
        );
        assert!(err.contains("house.yaml:5: unknown key `exclud`"), "{err}");
    }
    let dir = dir_with(&[
        ("loanlint.yaml", b"params:\n  credit_line_max: 24%\n"),
        ("a.txt", GOOD),
    ]);
    let o = loanlint(&["check", "a.txt"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o)
            .contains("loanlint.yaml:2: param `credit_line_max`: money expected, got percent 24%"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn config_jurisdiction_is_the_default_for_check() {
    let dir = dir_with(&[
        ("loanlint.yaml", b"jurisdiction: us\n"),
        ("a.txt", FINAL_SAY),
    ]);
    let o = loanlint(&["check", "--format", "json", "a.txt"], dir.path());
    assert!(!stdout(&o).contains("CN-FMT-001"), "{}", stdout(&o));
    let o = loanlint(
        &["check", "--format", "json", "--jurisdiction", "CN", "a.txt"],
        dir.path(),
    );
    assert!(stdout(&o).contains("CN-FMT-001"), "{}", stdout(&o));
}

#[test]
fn init_writes_a_starter_once_and_check_reads_it() {
    let dir = dir_with(&[("a.txt", GOOD)]);
    let o = loanlint(&["init"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let written = std::fs::read_to_string(dir.path().join("loanlint.yaml")).unwrap();
    assert!(
        written.contains("  # lender_type: \"licensed\"\n"),
        "{written}"
    );
    assert!(
        written.contains("  # credit_line_max: 200000 CNY\n"),
        "{written}"
    );
    std::fs::write(dir.path().join("loanlint.yaml"), "# mine\n").unwrap();
    let o = loanlint(&["init"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    let kept = std::fs::read_to_string(dir.path().join("loanlint.yaml")).unwrap();
    assert_eq!(kept, "# mine\n");
    let o = loanlint(&["check", "a.txt"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// A clause kept in its own file is not a whole agreement: rules about something missing
/// (no APR, no amount) do not apply to it, rules about what it says do.
#[test]
fn clause_files_skip_rules_about_missing_terms() {
    let clause = "第一条 本合同的最终解释权归贷款人所有。\n";
    let marked = format!("<!-- loanlint: clause -->\n{clause}");
    let dir = dir_with(&[
        ("agreement.md", clause.as_bytes()),
        ("marked.md", marked.as_bytes()),
        ("clauses/by-glob.md", clause.as_bytes()),
        ("loanlint.yaml", b"clauses: [\"clauses/\"]\n"),
    ]);
    let out = loanlint(&["check", "--format", "json", "."], dir.path());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules_in = |file: &str| -> Vec<String> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["file"].as_str().unwrap().ends_with(file))
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    };
    let whole = rules_in("agreement.md");
    assert!(whole.contains(&"CN-FMT-001".to_string()), "{whole:?}");
    assert!(whole.contains(&"CN-DIS-001".to_string()), "{whole:?}");
    for file in ["marked.md", "by-glob.md"] {
        let found = rules_in(file);
        assert!(
            found.contains(&"CN-FMT-001".to_string()),
            "{file}: {found:?}"
        );
        assert!(
            !found
                .iter()
                .any(|r| r == "CN-DIS-001" || r.starts_with("CN-CON-00")),
            "{file}: {found:?}"
        );
    }
}

/// `rules patterns` prints the prefilter as regexes for `rg -f`: each line compiles, and the
/// contract and log lists are the two subjects' own.
#[test]
fn rules_patterns_lists_the_prefilter_as_regexes() {
    let dir = tempfile::tempdir().unwrap();
    let contract = stdout(&loanlint(&["rules", "patterns"], dir.path()));
    let log = stdout(&loanlint(&["rules", "patterns", "--log"], dir.path()));
    for line in contract.lines().chain(log.lines()) {
        assert!(regex::Regex::new(line).is_ok(), "{line}");
    }
    assert!(log.lines().any(|l| l == "(?i:爆通讯录)"), "{log}");
    assert!(
        !contract.contains("爆通讯录)"),
        "collection lexicons stay out of contract scans"
    );
    assert!(contract.lines().count() > 50);
}

/// loanlint.yaml names extra rule folders (relative to itself) and the packs to use; a pack
/// that does not exist is a located error with a suggestion.
#[test]
fn config_adds_rule_paths_and_chooses_packs() {
    let house = r#"pack house-rules jurisdiction CN
rule HOUSE-001 "内部规则：不得出现“保证放款”" {
  concept  format.final-interpretation
  severity warning
  cite     "内部合规手册 第3条"
  message  "出现“保证放款”"
  help     "删除承诺性用语"
  forbid   "保证放款"
  example fire "本平台保证放款。"
  example fire "我们保证放款。"
  example pass "本平台审核后放款。"
  example pass "放款以审核为准。"
}
"#;
    let contract = "第一条 本平台保证放款。本合同的最终解释权归贷款人所有。\n";
    let dir = dir_with(&[
        ("config/house/house.rules", house.as_bytes()),
        (
            "config/loanlint.yaml",
            b"rules: [house/]\npacks: [house-rules]\n",
        ),
        ("c.txt", contract.as_bytes()),
    ]);
    let out = loanlint(
        &[
            "check",
            "--config",
            "config/loanlint.yaml",
            "--format",
            "json",
            "c.txt",
        ],
        dir.path(),
    );
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", stderr(&out)));
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, vec!["HOUSE-001"], "only the chosen pack runs");
    std::fs::write(
        dir.path().join("config/loanlint.yaml"),
        "rules: [house/]\npacks:\n  - house-rules\n  - cn-consumer-credt\n",
    )
    .unwrap();
    let out = loanlint(
        &["check", "--config", "config/loanlint.yaml", "c.txt"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("loanlint.yaml:4") && err.contains("cn-consumer-credit"),
        "{err}"
    );
}
