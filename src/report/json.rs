use super::{InputError, Report, SubjectInfo};
use crate::engine::{Finding, Severity};
use serde::Serialize;

/// The JSON report of `../shared/schemas/findings.schema.json` (version 1), pretty-printed.
///
/// The shape is spelled out here rather than derived from [`Finding`], so that a field added
/// to the engine's type does not silently change the published schema.
pub fn render_json(report: &Report) -> String {
    let mut bytes = Vec::new();
    if let Err(e) = write_json(report, &mut bytes) {
        // Serialising plain strings and integers into memory cannot fail; keep the output
        // valid JSON anyway.
        return format!("{{\"version\":1,\"error\":{:?}}}\n", e.to_string());
    }
    String::from_utf8(bytes).unwrap_or_default()
}

/// [`render_json`] written to `out` as it is serialised: a report of a million findings is
/// never held as one string.
pub fn write_json(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let doc = JsonReport {
        version: 1,
        findings: Findings(&report.findings),
        summary: JsonSummary::of(report),
        input_errors: report
            .input_errors
            .iter()
            .map(JsonInputError::from)
            .collect(),
        subjects: &report.subjects,
        suppressed: report.suppressed.iter().map(JsonSuppressed::from).collect(),
        baseline_stale: report.baseline.as_ref().map(|b| b.stale.as_slice()),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}

/// The findings, each shaped as a [`JsonFinding`] only while it is written.
struct Findings<'a>(&'a [Finding]);

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(JsonFinding::from))
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    findings: Findings<'a>,
    summary: JsonSummary,
    input_errors: Vec<JsonInputError<'a>>,
    /// Which packs applied to each checked file, and why (an extension of the schema).
    subjects: &'a [SubjectInfo],
    /// Findings silenced by a suppression comment or a baseline (an extension of the schema):
    /// each finding's fields plus `suppression: {kind, justification}`.
    suppressed: Vec<JsonSuppressed<'a>>,
    /// With `--baseline`: its entries that no longer occur.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_stale: Option<&'a [crate::baseline::Entry]>,
}

#[derive(Serialize)]
struct JsonSuppressed<'a> {
    #[serde(flatten)]
    finding: JsonFinding<'a>,
    suppression: JsonSuppression<'a>,
}

#[derive(Serialize)]
struct JsonSuppression<'a> {
    kind: crate::suppress::SuppressionKind,
    justification: &'a str,
}

impl<'a> From<&'a crate::suppress::Suppressed> for JsonSuppressed<'a> {
    fn from(s: &'a crate::suppress::Suppressed) -> Self {
        JsonSuppressed {
            finding: JsonFinding::from(&s.finding),
            suppression: JsonSuppression {
                kind: s.kind,
                justification: &s.justification,
            },
        }
    }
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    concept: &'a str,
    severity: Severity,
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    byte_start: usize,
    byte_end: usize,
    cite: &'a str,
    help: &'a str,
    snippet: &'a str,
    clause: Option<&'a str>,
    record: Option<&'a str>,
}

impl<'a> From<&'a Finding> for JsonFinding<'a> {
    fn from(f: &'a Finding) -> Self {
        JsonFinding {
            rule: &f.rule,
            concept: &f.concept,
            severity: f.severity,
            message: &f.message,
            file: &f.file,
            // The schema requires 1-based positions; an engine bug must not produce invalid JSON.
            line: f.line.max(1),
            column: f.column.max(1),
            end_line: f.end_line.max(1),
            end_column: f.end_column.max(1),
            byte_start: f.byte_start,
            byte_end: f.byte_end,
            cite: &f.cite,
            help: &f.help,
            snippet: &f.snippet,
            clause: f.clause.as_deref(),
            record: f.record.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct JsonSummary {
    files: usize,
    findings: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    input_errors: usize,
    records_read: usize,
    records_checked: usize,
    records_rejected: usize,
    /// Findings silenced (not counted in `findings`).
    suppressed: usize,
    /// With `--baseline`: how many of its entries no longer occur.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_stale: Option<usize>,
}

impl JsonSummary {
    fn of(report: &Report) -> Self {
        let counts = super::SeverityCounts::of(&report.findings);
        JsonSummary {
            files: report.files,
            findings: report.findings.len(),
            errors: counts.errors,
            warnings: counts.warnings,
            infos: counts.infos,
            input_errors: report.input_errors.len(),
            records_read: report.records_read,
            records_checked: report.records_checked,
            records_rejected: report.records_rejected,
            suppressed: report.suppressed.len(),
            baseline_stale: report.baseline.as_ref().map(|b| b.stale.len()),
        }
    }
}

#[derive(Serialize)]
struct JsonInputError<'a> {
    file: &'a str,
    line: Option<usize>,
    message: &'a str,
}

impl<'a> From<&'a InputError> for JsonInputError<'a> {
    fn from(e: &'a InputError) -> Self {
        JsonInputError {
            file: &e.file,
            line: e.line,
            message: e.message_without_file(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_report;

    #[test]
    fn every_schema_field_is_present_with_its_value() {
        let report = sample_report();
        let v: serde_json::Value = serde_json::from_str(&render_json(&report)).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["summary"]["files"], 2);
        assert_eq!(v["summary"]["findings"], 2);
        assert_eq!(v["summary"]["errors"], 1);
        assert_eq!(v["summary"]["warnings"], 1);
        let f = &v["findings"][0];
        assert_eq!(f["rule"], "CN-STD-001");
        assert_eq!(f["severity"], "error");
        assert_eq!(f["line"], 2);
        assert_eq!(f["column"], 8);
        assert_eq!(f["byte_start"], 42);
        assert_eq!(f["byte_end"], 75);
        assert_eq!(f["snippet"], "最终解释权归贷款人所有");
        assert_eq!(f["clause"], "第五条");
        assert!(f["record"].is_null());
        assert!(f.get("source_range").is_none());
        assert_eq!(v["input_errors"][0]["file"], "bad.txt");
        assert_eq!(v["input_errors"][0]["line"], 1);
        assert_eq!(
            v["input_errors"][0]["message"],
            "not valid UTF-8 (first bad byte at line 1, byte 0)"
        );
        assert_eq!(v["subjects"][0]["jurisdiction"], "CN");
    }

    #[test]
    fn empty_report_is_valid_json_with_empty_lists() {
        let v: serde_json::Value = serde_json::from_str(&render_json(&Report::default())).unwrap();
        assert_eq!(v["findings"], serde_json::json!([]));
        assert_eq!(v["input_errors"], serde_json::json!([]));
        assert_eq!(v["summary"]["findings"], 0);
    }
}
