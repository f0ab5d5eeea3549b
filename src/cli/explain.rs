//! `loanlint explain RULE-ID`.

use super::{emit, load_linter, ColorChoice, ExplainArgs};
use loanlint::concepts::ConceptCatalogue;
use loanlint::report::{find_rule, nearest_rule_id, render_explain};
use std::process::ExitCode;

pub(super) fn run(args: &ExplainArgs, color: ColorChoice) -> anyhow::Result<ExitCode> {
    let linter = load_linter(&args.rules, color)?;
    let set = &linter.plan.rules;
    let Some(rule) = find_rule(set, &args.rule) else {
        let hint = match nearest_rule_id(set, &args.rule) {
            Some(id) => format!("; did you mean `{id}`?"),
            None => "; `loanlint rules list` shows the known rules".to_string(),
        };
        anyhow::bail!("unknown rule `{}`{hint}", args.rule);
    };
    let rule_file = linter
        .sources
        .iter()
        .find(|f| f.path == rule.origin.file)
        .map(|f| f.text.as_str());
    emit(
        &render_explain(set, rule, &ConceptCatalogue::builtin(), rule_file),
        None,
    )?;
    Ok(ExitCode::SUCCESS)
}
