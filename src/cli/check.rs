//! `loanlint check`.

use super::{
    emit, emit_with, load_configured_linter, CheckArgs, ColorChoice, FailOn, FormatTarget,
    ReportFormat, EXIT_ERROR, EXIT_FINDINGS,
};
use loanlint::baseline::Baseline;
use loanlint::config::Config;
use loanlint::diff::ChangedFiles;
use loanlint::document::Format;
use loanlint::engine::Severity;
use loanlint::filter::FileFilter;
use loanlint::lang::ir::RuleSet;
use loanlint::lint::{CheckOptions, Linter, Progress};
use loanlint::report::{
    render_github, render_human, render_json, render_junit, render_sarif, Report,
};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

pub(super) fn run(args: &CheckArgs, color: ColorChoice) -> anyhow::Result<ExitCode> {
    // A usage mistake in the outputs is reported before any file is read.
    let outputs = output_plan(&args.format, args.output.as_deref())?;
    let baseline = match &args.baseline {
        Some(path) => Some(Baseline::load(path, &path.display().to_string())?),
        None => None,
    };
    let (linter, config) = load_configured_linter(&args.rules, color)?;
    let mut log_mapping = config.as_ref().map(|c| c.log_mapping()).unwrap_or_default();
    let jurisdiction = args.jurisdiction.clone().or_else(|| {
        config
            .as_ref()
            .and_then(|c: &Config| c.jurisdiction.clone())
    });
    if let Some(code) = &jurisdiction {
        warn_if_no_pack_for(&linter, code);
    }
    let mut paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    if let Some(zone) = &args.default_zone {
        log_mapping.default_zone = Some(zone.clone());
    }
    let changed = match &args.changed_since {
        Some(rev) => {
            let changed = ChangedFiles::since(rev, Path::new("."))?;
            paths = changed_contracts_under(&changed, &paths);
            Some(Arc::new(changed))
        }
        None => None,
    };
    let bar = progress_bar();
    let options = CheckOptions {
        jurisdiction,
        encoding: args.encoding.clone(),
        log_mapping,
        force_log: args.log,
        tracked_changes: args.tracked_changes.into(),
        filter: file_filter(config.as_ref(), &args.exclude)?,
        clause_files: config.as_ref().and_then(Config::clause_files),
        progress: bar.clone().map(|b| {
            Progress(Arc::new(move |done, total| {
                b.set_length(total as u64);
                b.set_position(done as u64);
            }))
        }),
        changed,
    };
    let mut report = linter.check_paths(&paths, &options);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if let Some(baseline) = &baseline {
        baseline.apply(&mut report);
        if args.changed_since.is_some() {
            // Findings on unchanged lines were never reported: their entries are not gone.
            if let Some(outcome) = report.baseline.as_mut() {
                outcome.stale.clear();
            }
        }
    }
    if let Some(path) = &args.write_baseline {
        let shown = path.display().to_string();
        let count = loanlint::baseline::write(&report, path, &shown)?;
        eprintln!(
            "wrote {} to {shown}",
            loanlint::report::count_noun(count, "baseline entry", "baseline entries")
        );
        // Just recorded: check the run against it, so the output shows them as baselined.
        Baseline::load(path, &shown)?.apply(&mut report);
    }
    for (format, file) in &outputs {
        // A report written to a file is read later, not in this terminal.
        let colored = match file {
            Some(_) => color == ColorChoice::Always,
            None => color.stdout(),
        };
        if *format == ReportFormat::Json {
            // Written as serialised: a log's report may hold a million findings.
            emit_with(file.as_deref(), &mut |out| {
                loanlint::report::write_json(&report, out)
            })?;
            continue;
        }
        let text = render(*format, &report, &linter.plan.rules, colored);
        emit(&text, file.as_deref())?;
    }
    Ok(ExitCode::from(exit_status(&report, args.fail_on)))
}

/// The config's include/exclude globs plus `--exclude` (relative to the current folder).
fn file_filter(config: Option<&Config>, exclude: &[String]) -> anyhow::Result<FileFilter> {
    let mut filter = config.map(Config::file_filter).unwrap_or_default();
    if !exclude.is_empty() {
        filter.exclude(Path::new("."), exclude)?;
    }
    Ok(filter)
}

/// The changed contract files (by extension) at or below one of `paths`, relative to the
/// current folder when below it.
fn changed_contracts_under(changed: &ChangedFiles, paths: &[PathBuf]) -> Vec<PathBuf> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let roots: Vec<PathBuf> = paths
        .iter()
        .filter_map(|p| std::path::absolute(p).ok())
        .map(|p| loanlint::filter::lexically_clean(&p))
        .collect();
    changed
        .paths()
        .into_iter()
        .filter(|f| Format::from_path(f).is_some())
        .filter(|f| roots.iter().any(|r| f.starts_with(r)))
        .map(|f| f.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or(f))
        .collect()
}

fn render(format: ReportFormat, report: &Report, rules: &RuleSet, colored: bool) -> String {
    match format {
        ReportFormat::Human => render_human(report, colored),
        ReportFormat::Json => render_json(report),
        ReportFormat::Sarif => render_sarif(report, rules),
        ReportFormat::Junit => render_junit(report, rules),
        ReportFormat::Github => render_github(report),
        ReportFormat::Html => loanlint::report::render_html(report, rules),
    }
}

/// Where each requested format goes (None: standard output). The one format without a file
/// goes to `--output` if given; two formats cannot share standard output or a file.
fn output_plan(
    targets: &[FormatTarget],
    output: Option<&Path>,
) -> anyhow::Result<Vec<(ReportFormat, Option<PathBuf>)>> {
    let default = [FormatTarget {
        format: ReportFormat::Human,
        file: None,
    }];
    let targets = if targets.is_empty() {
        &default
    } else {
        targets
    };
    let unnamed = targets.iter().filter(|t| t.file.is_none()).count();
    if unnamed > 1 {
        anyhow::bail!(
            "{unnamed} formats would share standard output; give all but one a file, \
             e.g. --format sarif:loanlint.sarif"
        );
    }
    if unnamed == 0 && output.is_some() {
        anyhow::bail!("--output has nothing to write: every --format names its own file");
    }
    let plan: Vec<(ReportFormat, Option<PathBuf>)> = targets
        .iter()
        .map(|t| {
            let file = t.file.clone().or_else(|| output.map(Path::to_path_buf));
            (t.format, file)
        })
        .collect();
    for (i, (_, file)) in plan.iter().enumerate() {
        if let Some(file) = file {
            if plan[..i].iter().any(|(_, f)| f.as_ref() == Some(file)) {
                anyhow::bail!("two formats would be written to {}", file.display());
            }
        }
    }
    Ok(plan)
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

/// A progress bar on stderr when it is a terminal (silent when piped or in CI logs); it only
/// draws once a run lasts long enough to need one.
fn progress_bar() -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    let style = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files  {elapsed}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
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

    fn target(format: ReportFormat, file: Option<&str>) -> FormatTarget {
        FormatTarget {
            format,
            file: file.map(PathBuf::from),
        }
    }

    #[test]
    fn output_plan_sends_one_format_to_stdout_or_output() {
        assert_eq!(
            output_plan(&[], None).unwrap(),
            [(ReportFormat::Human, None)]
        );
        let targets = [
            target(ReportFormat::Human, None),
            target(ReportFormat::Sarif, Some("out.sarif")),
        ];
        assert_eq!(
            output_plan(&targets, None).unwrap(),
            [
                (ReportFormat::Human, None),
                (ReportFormat::Sarif, Some(PathBuf::from("out.sarif")))
            ]
        );
        assert_eq!(
            output_plan(&targets, Some(Path::new("r.txt"))).unwrap()[0],
            (ReportFormat::Human, Some(PathBuf::from("r.txt")))
        );
    }

    #[test]
    fn output_plan_refuses_shared_destinations() {
        let two_stdout = [
            target(ReportFormat::Human, None),
            target(ReportFormat::Json, None),
        ];
        assert!(output_plan(&two_stdout, None).is_err());
        let same_file = [
            target(ReportFormat::Json, Some("r")),
            target(ReportFormat::Sarif, None),
        ];
        assert!(output_plan(&same_file, Some(Path::new("r"))).is_err());
        let all_named = [target(ReportFormat::Json, Some("r.json"))];
        assert!(output_plan(&all_named, Some(Path::new("x"))).is_err());
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
