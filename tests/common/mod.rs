//! Helpers shared by the integration tests.

#![allow(dead_code)] // each test crate uses a different subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The published JSON report schema: the shared copy beside the checkout if there is one,
/// else the copy kept in `tests/schemas` (a checkout without `shared/`).
pub fn findings_schema_path() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = manifest.join("../shared/schemas/findings.schema.json");
    if shared.is_file() {
        shared
    } else {
        manifest.join("tests/schemas/findings.schema.json")
    }
}

pub fn findings_schema() -> serde_json::Value {
    let path = findings_schema_path();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("the schema is JSON")
}

/// Panics with every schema violation listed.
pub fn assert_valid_report(report: &serde_json::Value) {
    let schema = findings_schema();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "report does not match the schema:\n{}\n{report:#}",
        errors.join("\n")
    );
}

/// Run the `loanlint` binary in `dir`, without colour.
pub fn loanlint(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loanlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        // Hermetic: no rule cache in the tester's home (tests/rule_cache.rs tests the cache).
        .env("LOANLINT_CACHE_DIR", "")
        .output()
        .expect("the binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
