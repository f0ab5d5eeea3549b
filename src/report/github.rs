//! GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

use super::{InputError, Report};
use crate::engine::{Finding, Severity};

/// One `::error`/`::warning`/`::notice` line per finding, then one `::error` per input error.
pub fn render_github(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        out.push_str(&finding_command(f));
        out.push('\n');
    }
    for e in &report.input_errors {
        out.push_str(&input_error_command(e));
        out.push('\n');
    }
    out
}

fn command_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

fn finding_command(f: &Finding) -> String {
    let properties = [
        ("file", repository_path(&f.file)),
        ("line", f.line.max(1).to_string()),
        ("col", f.column.max(1).to_string()),
        ("endLine", f.end_line.max(1).to_string()),
        ("endColumn", f.end_column.max(1).to_string()),
        ("title", f.rule.clone()),
    ];
    let message = if f.cite.is_empty() {
        f.message.clone()
    } else {
        format!("{} ({})", f.message, f.cite)
    };
    command(command_name(f.severity), &properties, &message)
}

fn input_error_command(e: &InputError) -> String {
    let mut properties = vec![("file", repository_path(&e.file))];
    if let Some(line) = e.line {
        properties.push(("line", line.to_string()));
    }
    properties.push(("title", "input error".to_string()));
    command("error", &properties, e.message_without_file())
}

/// GitHub matches annotations to files by their path from the repository root: `./a.txt`
/// (what `loanlint check .` shows) must be `a.txt`, and Windows separators must be `/`.
fn repository_path(file: &str) -> String {
    let path = file.replace('\\', "/");
    path.strip_prefix("./").unwrap_or(&path).to_string()
}

fn command(name: &str, properties: &[(&str, String)], message: &str) -> String {
    let properties: Vec<String> = properties
        .iter()
        .map(|(key, value)| format!("{key}={}", escape_property(value)))
        .collect();
    format!(
        "::{name} {}::{}",
        properties.join(","),
        escape_message(message)
    )
}

/// The runner's escaping for a command's message: a raw newline would end the command.
fn escape_message(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// As for the message, plus the property separators `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_message(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_report;

    #[test]
    fn one_command_per_finding_and_input_error() {
        let text = render_github(&sample_report());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "::error file=contract.txt,line=2,col=8,endLine=2,endColumn=19,title=CN-STD-001\
                 ::格式条款约定经营者享有最终解释权 (合同行政监督管理办法 第九条)",
                "::warning file=contract.txt,line=3,col=8,endLine=3,endColumn=15,title=CN-STD-002\
                 ::格式条款约定经营者享有最终解释权 (合同行政监督管理办法 第九条)",
                "::error file=bad.txt,line=1,title=input error\
                 ::not valid UTF-8 (first bad byte at line 1, byte 0)",
            ]
        );
    }

    #[test]
    fn info_is_a_notice_and_special_characters_are_escaped() {
        let mut report = sample_report();
        report.input_errors.clear();
        report.findings.truncate(1);
        let f = &mut report.findings[0];
        f.severity = Severity::Info;
        f.file = "./a:b,c%.txt".into();
        f.message = "50% off,\r\nnext: line".into();
        f.cite = String::new();
        assert_eq!(
            render_github(&report),
            "::notice file=a%3Ab%2Cc%25.txt,line=2,col=8,endLine=2,endColumn=19,title=CN-STD-001\
             ::50%25 off,%0D%0Anext: line\n"
        );
    }
}
