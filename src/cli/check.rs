//! `loanlint check`.

use super::{emit, load_linter, CheckArgs, ColorChoice, FailOn, Format, EXIT_ERROR, EXIT_FINDINGS};
use loanlint::engine::Severity;
use loanlint::lint::{CheckOptions, Linter};
use loanlint::report::{render_human, render_json, Report};
use std::path::PathBuf;
use std::process::ExitCode;

pub(super) fn run(args: &CheckArgs, color: ColorChoice) -> anyhow::Result<ExitCode> {
    let linter = load_linter(&args.rules, color)?;
    if let Some(code) = &args.jurisdiction {
        warn_if_no_pack_for(&linter, code);
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let options = CheckOptions {
        jurisdiction: args.jurisdiction.clone(),
        encoding: args.encoding.clone(),
    };
    let report = linter.check_paths(&paths, &options);
    let text = match args.format {
        Format::Human => {
            // A report written to a file is read later, not in this terminal.
            let colored = match args.output {
                Some(_) => color == ColorChoice::Always,
                None => color.stdout(),
            };
            render_human(&report, colored)
        }
        Format::Json => render_json(&report),
    };
    emit(&text, args.output.as_deref())?;
    Ok(ExitCode::from(exit_status(&report, args.fail_on)))
}

/// 2 when any input could not be checked (a clean report would be a lie), else 1 when there
/// are findings at or above the threshold, else 0.
fn exit_status(report: &Report, fail_on: FailOn) -> u8 {
    if !report.input_errors.is_empty() {
        return EXIT_ERROR;
    }
    let threshold = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    match threshold {
        Some(level) if report.count_at_least(level) > 0 => EXIT_FINDINGS,
        _ => 0,
    }
}

/// `--jurisdiction XX` with no pack for XX checks only jurisdiction-independent rules; say so
/// rather than report a clean run that checked nothing.
fn warn_if_no_pack_for(linter: &Linter, code: &str) {
    let packs = &linter.plan.rules.packs;
    let matches = |j: &Option<String>| j.as_deref().is_some_and(|j| j.eq_ignore_ascii_case(code));
    if packs.iter().any(|p| matches(&p.jurisdiction)) {
        return;
    }
    let known: Vec<&str> = packs
        .iter()
        .filter_map(|p| p.jurisdiction.as_deref())
        .collect();
    let known = if known.is_empty() {
        "none".to_string()
    } else {
        known.join(", ")
    };
    eprintln!(
        "warning: no loaded pack is for jurisdiction {code} (packs exist for: {known}); \
         only jurisdiction-independent packs apply"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use loanlint::engine::Finding;
    use loanlint::report::InputError;

    fn finding(severity: Severity) -> Finding {
        Finding {
            rule: "R-1".into(),
            concept: "c".into(),
            severity,
            message: "m".into(),
            file: "a.txt".into(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 2,
            byte_start: 0,
            byte_end: 1,
            cite: String::new(),
            help: String::new(),
            snippet: "x".into(),
            clause: None,
            record: None,
            source_range: 0..1,
        }
    }

    #[test]
    fn exit_status_follows_fail_on() {
        let mut r = Report::default();
        assert_eq!(exit_status(&r, FailOn::Info), 0);
        r.findings.push(finding(Severity::Warning));
        assert_eq!(exit_status(&r, FailOn::Error), 0);
        assert_eq!(exit_status(&r, FailOn::Warning), 1);
        assert_eq!(exit_status(&r, FailOn::Info), 1);
        assert_eq!(exit_status(&r, FailOn::Never), 0);
        r.input_errors.push(InputError {
            file: "b.txt".into(),
            line: None,
            message: "cannot read".into(),
        });
        assert_eq!(exit_status(&r, FailOn::Never), 2);
    }
}
