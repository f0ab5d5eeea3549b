//! `loanlint rules check`, `loanlint rules list` and `loanlint rules doc`.

use super::{emit, load_linter, ColorChoice, Format, RuleArgs, EXIT_ERROR};
use loanlint::concepts::ConceptCatalogue;
use loanlint::lang::{self, DiagLevel, Diagnostic, SourceFile};
use loanlint::lint::{read_rule_paths, ExampleFailure, Linter, RulesError};
use loanlint::report::{
    count_noun, render_rule_list_human, render_rule_list_json, render_rule_reference,
};
use loanlint::span::LineIndex;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub(super) fn list(
    args: &RuleArgs,
    format: Format,
    color: ColorChoice,
) -> anyhow::Result<ExitCode> {
    let linter = load_linter(args, color)?;
    let text = match format {
        Format::Human => render_rule_list_human(&linter.plan.rules),
        Format::Json => render_rule_list_json(&linter.plan.rules),
    };
    emit(&text, None)?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn patterns(args: &RuleArgs, log: bool, color: ColorChoice) -> anyhow::Result<ExitCode> {
    let linter = load_linter(args, color)?;
    let (literals, regexes) = if log {
        linter.plan.log_pattern_sources()
    } else {
        linter.plan.pattern_sources()
    };
    let mut text = String::new();
    for literal in literals {
        text.push_str(&format!("(?i:{})\n", regex::escape(literal)));
    }
    for re in regexes {
        text.push_str(re);
        text.push('\n');
    }
    emit(&text, None)?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn doc(
    args: &RuleArgs,
    output: Option<&Path>,
    color: ColorChoice,
) -> anyhow::Result<ExitCode> {
    let linter = load_linter(args, color)?;
    let text = render_rule_reference(
        &linter.plan.rules,
        &ConceptCatalogue::builtin(),
        &linter.sources,
    );
    emit(&text, output)?;
    Ok(ExitCode::SUCCESS)
}

/// Diagnostics and failing examples go to stderr, the summary line to stdout.
pub(super) fn check(paths: &[PathBuf], color: ColorChoice) -> anyhow::Result<ExitCode> {
    let sources = if paths.is_empty() {
        loanlint::builtin::rule_sources()
    } else {
        read_rule_paths(paths)?
    };
    let file_count = sources.len();
    match Linter::from_sources(sources) {
        Ok(linter) => Ok(report_compiled(&linter, color)),
        Err(RulesError::Invalid { files, diagnostics }) => {
            eprint!("{}", lang::render(&diagnostics, &files, color.stderr()));
            let (errors, warnings) = count_levels(&diagnostics);
            emit(
                &format!(
                    "checked {}: {}, {}; examples not run\n",
                    count_noun(file_count, "file", "files"),
                    count_noun(errors, "error", "errors"),
                    count_noun(warnings, "warning", "warnings"),
                ),
                None,
            )?;
            Ok(ExitCode::from(EXIT_ERROR))
        }
        Err(e) => Err(e.into()),
    }
}

fn count_levels(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics
        .iter()
        .filter(|d| d.level == DiagLevel::Error)
        .count();
    (errors, diagnostics.len() - errors)
}

fn report_compiled(linter: &Linter, color: ColorChoice) -> ExitCode {
    if !linter.warnings.is_empty() {
        eprint!(
            "{}",
            lang::render(&linter.warnings, &linter.sources, color.stderr())
        );
    }
    let failures = linter.check_examples();
    let mut diags = Vec::new();
    for f in &failures {
        match example_diagnostic(f, &linter.sources) {
            Some(d) => diags.push(d),
            // The rule came from a file we no longer hold: the message alone says it all.
            None => eprintln!("error[LL010]: {}", example_message(f)),
        }
    }
    if !diags.is_empty() {
        eprint!("{}", lang::render(&diags, &linter.sources, color.stderr()));
    }
    let rules = &linter.plan.rules.rules;
    let examples: usize = rules.iter().map(|r| r.examples.len()).sum();
    let passed = examples.saturating_sub(failures.len());
    let mut summary = format!(
        "checked {} in {}: 0 errors, {}, {} passed",
        count_noun(rules.len(), "rule", "rules"),
        count_noun(linter.sources.len(), "file", "files"),
        count_noun(linter.warnings.len(), "warning", "warnings"),
        count_noun(passed, "example", "examples"),
    );
    if !failures.is_empty() {
        summary.push_str(&format!(", {} failed", failures.len()));
    }
    summary.push('\n');
    // Nothing useful is left to do if stdout is gone; the exit status still tells.
    let _ = emit(&summary, None);
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_ERROR)
    }
}

/// An LL010 diagnostic on the line of the failing example. The message names the rule and
/// place itself, so it reads the same however the diagnostic is rendered.
fn example_diagnostic(f: &ExampleFailure, sources: &[SourceFile]) -> Option<Diagnostic> {
    let file = sources.iter().position(|s| s.path == f.file)?;
    let text = &sources.get(file)?.text;
    let span = LineIndex::new(text).line_range(text, f.line);
    let label = if f.fire {
        "this example should fire"
    } else {
        "this example should pass"
    };
    Some(Diagnostic {
        code: "LL010",
        level: DiagLevel::Error,
        message: example_message(f),
        file,
        span,
        label: label.to_string(),
        others: vec![],
        help: Some(format!(
            "run `loanlint explain {}` to see what the rule checks",
            f.rule
        )),
    })
}

fn example_message(f: &ExampleFailure) -> String {
    if let Some(problem) = &f.problem {
        return format!(
            "example of {} at {}:{} cannot be run: {problem}",
            f.rule, f.file, f.line
        );
    }
    let expected = if f.fire {
        "expected a finding"
    } else {
        "expected no finding"
    };
    format!(
        "example of {} at {}:{} failed: {expected}, found {}",
        f.rule,
        f.file,
        f.line,
        count_noun(f.found, "finding", "findings")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_failure_points_at_its_line() {
        let sources = vec![
            SourceFile {
                path: "a.rules".into(),
                text: "x\n".into(),
            },
            SourceFile {
                path: "b.rules".into(),
                text: "pack p\nrule R-1 \"t\" {\n  example fire \"最终解释权\"\n}\n".into(),
            },
        ];
        let f = ExampleFailure {
            rule: "R-1".into(),
            fire: true,
            text: "最终解释权".into(),
            file: "b.rules".into(),
            line: 3,
            found: 0,
            problem: None,
        };
        let d = example_diagnostic(&f, &sources).unwrap();
        assert_eq!(d.file, 1);
        assert_eq!(
            &sources[1].text[d.span.clone()],
            "  example fire \"最终解释权\""
        );
        assert_eq!(
            d.message,
            "example of R-1 at b.rules:3 failed: expected a finding, found 0 findings"
        );
        let elsewhere = ExampleFailure {
            file: "gone.rules".into(),
            ..f
        };
        assert!(example_diagnostic(&elsewhere, &sources).is_none());
    }
}
