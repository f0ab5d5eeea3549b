//! `loanlint init`.

use super::{load_rules, ColorChoice, InitArgs, RuleArgs};
use std::io::Write as _;
use std::process::ExitCode;

pub(super) fn run(args: &InitArgs, color: ColorChoice) -> anyhow::Result<ExitCode> {
    let rule_args = RuleArgs {
        rules: args.rules.clone(),
        no_builtin: args.no_builtin,
        config: None,
        no_cache: false,
    };
    let (linter, _) = load_rules(&rule_args, color, None)?;
    let text = loanlint::config::starter(&linter.plan.rules);
    // create_new: refusing to overwrite is atomic, not a check followed by a write.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&args.file)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => anyhow::anyhow!(
                "{} already exists; loanlint init never overwrites a configuration",
                args.file.display()
            ),
            _ => anyhow::anyhow!("cannot create {}: {e}", args.file.display()),
        })?;
    file.write_all(text.as_bytes())?;
    eprintln!("wrote {}", args.file.display());
    Ok(ExitCode::SUCCESS)
}
