//! The rule cache seen from the command line: a second run reads what the first compiled and
//! reports the same; the configuration still applies; a changed rule file, a damaged entry or
//! `--no-cache` compiles afresh; rule files with warnings show them every run.

mod common;

use common::stderr;
use std::path::Path;
use std::process::{Command, Output};

const CONTRACT: &str =
    "第一条 利率\n借款年化利率为36%。\n第二条 解释\n本合同最终解释权归贷款人所有。\n";

const RULES: &str = "pack t jurisdiction CN
rule T-001 \"final interpretation\" {
  concept format.final-interpretation
  severity error
  cite \"c\"
  message \"m\"
  help \"h\"
  forbid /最终解释权/
  example fire \"最终解释权归甲方\"
  example pass \"解释\"
}
";

fn run(dir: &Path, cache: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loanlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("LOANLINT_CACHE_DIR", cache)
        .output()
        .expect("the binary runs")
}

fn entries(cache: &Path) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = std::fs::read_dir(cache)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    found.retain(|p| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("rules-"))
    });
    found.sort();
    found
}

fn report(o: &Output) -> String {
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_second_run_reads_the_cache_and_reports_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    std::fs::write(dir.path().join("c.txt"), CONTRACT).unwrap();
    let args = ["check", "c.txt", "--format", "json"];

    let no_cache: Vec<&str> = args.iter().copied().chain(["--no-cache"]).collect();
    let uncached = report(&run(dir.path(), &cache, &no_cache));
    assert!(entries(&cache).is_empty(), "--no-cache writes nothing");

    let first = report(&run(dir.path(), &cache, &args));
    let written = entries(&cache);
    assert_eq!(written.len(), 1, "the first run writes one entry");
    let stamp = std::fs::metadata(&written[0]).unwrap().modified().unwrap();

    let second = report(&run(dir.path(), &cache, &args));
    assert_eq!(first, uncached);
    assert_eq!(second, uncached);
    assert!(second.contains("CN-"), "the built-in pack fired: {second}");
    assert_eq!(
        std::fs::metadata(&written[0]).unwrap().modified().unwrap(),
        stamp,
        "a hit does not rewrite the entry"
    );

    // A damaged entry is a miss: same report, and the entry is written again.
    let mut bytes = std::fs::read(&written[0]).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&written[0], &bytes).unwrap();
    assert_eq!(report(&run(dir.path(), &cache, &args)), uncached);
    assert_ne!(std::fs::read(&written[0]).unwrap(), bytes, "rewritten");
}

#[test]
fn the_configuration_applies_to_cached_rules_and_a_changed_rule_file_is_a_new_entry() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    std::fs::write(dir.path().join("c.txt"), CONTRACT).unwrap();
    std::fs::write(dir.path().join("t.rules"), RULES).unwrap();
    let args = [
        "check",
        "c.txt",
        "--no-builtin",
        "--rules",
        "t.rules",
        "--format",
        "json",
    ];
    let fired = report(&run(dir.path(), &cache, &args));
    assert!(fired.contains("T-001"), "{fired}");
    assert_eq!(entries(&cache).len(), 1);

    // Turned off by loanlint.yaml on a cached run: the entry holds the rules before it.
    std::fs::write(dir.path().join("loanlint.yaml"), "disable: [T-001]\n").unwrap();
    let off = report(&run(dir.path(), &cache, &args));
    assert!(!off.contains("\"T-001\""), "{off}");
    assert_eq!(entries(&cache).len(), 1, "same rule files, same entry");
    std::fs::remove_file(dir.path().join("loanlint.yaml")).unwrap();
    assert_eq!(report(&run(dir.path(), &cache, &args)), fired);

    // An edited rule file is compiled afresh, into a second entry.
    std::fs::write(
        dir.path().join("t.rules"),
        RULES.replace("forbid /最终解释权/", "forbid /年化利率/"),
    )
    .unwrap();
    let edited = report(&run(dir.path(), &cache, &args));
    assert!(edited.contains("年化利率"), "{edited}");
    assert!(!edited.contains("最终解释权归贷款人"), "{edited}");
    assert_eq!(entries(&cache).len(), 2);
}

#[test]
fn rule_files_with_warnings_are_not_cached_and_warn_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    std::fs::write(dir.path().join("c.txt"), CONTRACT).unwrap();
    // No `example pass`: warning LW003.
    std::fs::write(
        dir.path().join("t.rules"),
        RULES.replace("  example pass \"解释\"\n", ""),
    )
    .unwrap();
    let args = ["check", "c.txt", "--no-builtin", "--rules", "t.rules"];
    for _ in 0..2 {
        let o = run(dir.path(), &cache, &args);
        assert!(stderr(&o).contains("LW003"), "{}", stderr(&o));
    }
    assert!(entries(&cache).is_empty());
}
