//! `loanlint extract FILE`.

use super::{emit, ExtractArgs, Format};
use loanlint::document::load_file;
use loanlint::report::{fact_rows, render_facts_human, render_facts_json};
use std::process::ExitCode;

pub(super) fn run(args: &ExtractArgs) -> anyhow::Result<ExitCode> {
    let shown = args.file.to_string_lossy();
    let doc = load_file(&args.file, &shown)?;
    let facts = loanlint::extract::extract(&doc.text, &doc.blanks);
    let rows = fact_rows(&doc, &facts);
    let text = match args.format {
        Format::Human => render_facts_human(&rows),
        Format::Json => render_facts_json(&rows),
    };
    emit(&text, None)?;
    Ok(ExitCode::SUCCESS)
}
