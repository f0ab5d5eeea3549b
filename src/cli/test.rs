//! `loanlint test`.

use super::{emit, load_linter, ColorChoice, Format, TestArgs, EXIT_ERROR, EXIT_FINDINGS};
use loanlint::report::{render_test_human, render_test_json};
use loanlint::testing::{run_tests, TestReport};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The fixture folder tested when no path is given, if it exists.
const DEFAULT_FIXTURES: &str = "fixtures";

pub(super) fn run(args: &TestArgs, color: ColorChoice) -> anyhow::Result<ExitCode> {
    let linter = load_linter(&args.rules, color)?;
    let paths = if args.paths.is_empty() && Path::new(DEFAULT_FIXTURES).is_dir() {
        vec![PathBuf::from(DEFAULT_FIXTURES)]
    } else {
        args.paths.clone()
    };
    let report = run_tests(&linter, &paths);
    let text = match args.format {
        Format::Human => render_test_human(&report),
        Format::Json => render_test_json(&report),
    };
    emit(&text, None)?;
    Ok(ExitCode::from(exit_status(&report)))
}

/// 2 when an expectations file or fixture could not be used (the run proves nothing about
/// it), else 1 when a rule or fixture failed.
fn exit_status(report: &TestReport) -> u8 {
    if !report.errors.is_empty() {
        EXIT_ERROR
    } else if !report.passed() {
        EXIT_FINDINGS
    } else {
        0
    }
}
