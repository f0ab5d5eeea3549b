//! `loanlint extract FILE`.

use super::{emit, ExtractArgs, Format};
use loanlint::document::{load_file_with, LoadOptions};
use loanlint::report::{fact_rows, render_facts_human, render_facts_json};
use std::process::ExitCode;

pub(super) fn run(args: &ExtractArgs) -> anyhow::Result<ExitCode> {
    let shown = args.file.to_string_lossy();
    let options = LoadOptions {
        encoding: args.encoding.clone(),
        ..Default::default()
    };
    let doc = load_file_with(&args.file, &shown, &options)?;
    let facts = loanlint::extract::extract(&doc.text, &doc.blanks);
    let rows = fact_rows(&doc, &facts);
    let text = match args.format {
        Format::Human => match doc.encoding {
            Some(encoding) if encoding != "UTF-8" => {
                format!("{shown}: {encoding}\n{}", render_facts_human(&rows))
            }
            _ => render_facts_human(&rows),
        },
        Format::Json => with_encoding(&render_facts_json(&rows), doc.encoding),
    };
    emit(&text, None)?;
    Ok(ExitCode::SUCCESS)
}

/// Add the file's encoding to the facts JSON object (`"encoding": "GBK"`).
fn with_encoding(json: &str, encoding: Option<&str>) -> String {
    let Some(encoding) = encoding else {
        return json.to_string();
    };
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Object(mut object)) => {
            object.insert("encoding".into(), encoding.into());
            let mut text = serde_json::to_string_pretty(&object).unwrap_or_else(|_| json.into());
            text.push('\n');
            text
        }
        _ => json.to_string(),
    }
}
