//! SARIF 2.1.0 for code-scanning services (GitHub, GitLab, Azure DevOps).

use super::template::template_text;
use super::{InputError, Report};
use crate::engine::{Finding, Severity};
use crate::lang::ir::{Rule, RuleSet};
use crate::suppress::{Suppressed, SuppressionKind, META_RULE};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};

const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The `partialFingerprints` key; bump the version if the hashed text ever changes.
const FINGERPRINT_KEY: &str = "loanlint/v1";

/// One SARIF run: every loaded rule under `tool.driver.rules`, one result per finding, and
/// input errors as tool execution notifications (the run then did not succeed).
pub fn render_sarif(report: &Report, rules: &RuleSet) -> String {
    let mut rule_index: HashMap<&str, usize> = rules
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let all = active_and_suppressed(report);
    let mut descriptors: Vec<Value> = rules
        .rules
        .iter()
        .map(|r| rule_descriptor(r, rules))
        .collect();
    if all.iter().any(|(f, _)| f.rule == META_RULE) {
        rule_index.insert(META_RULE, descriptors.len());
        descriptors.push(meta_rule_descriptor());
    }
    let findings: Vec<Finding> = all.iter().map(|(f, _)| (*f).clone()).collect();
    let fingerprints = fingerprints(&findings);
    let text_files = decoded_text_files(report);
    let with_baseline = report.baseline.is_some();
    let results: Vec<Value> = all
        .iter()
        .zip(&fingerprints)
        .map(|((f, suppressed), print)| {
            let with_bytes = text_files.contains(f.file.as_str());
            let mut result = sarif_result(
                f,
                rule_index.get(f.rule.as_str()).copied(),
                print,
                with_bytes,
            );
            if let Some(obj) = result.as_object_mut() {
                add_suppression(obj, *suppressed, with_baseline);
            }
            result
        })
        .collect();
    let mut doc = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "loanlint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": descriptors,
                }
            },
            "invocations": [invocation(&report.input_errors)],
            // Our columns count characters, not UTF-16 code units.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    if let Some(driver) = doc.pointer_mut("/runs/0/tool/driver") {
        add_information_uri(driver);
    }
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// Active findings and suppressed ones in one list in finding order, so that a finding keeps
/// its fingerprint (which counts repeats in order) whether it is suppressed or not.
fn active_and_suppressed(report: &Report) -> Vec<(&Finding, Option<&Suppressed>)> {
    let mut all: Vec<(&Finding, Option<&Suppressed>)> = report
        .findings
        .iter()
        .map(|f| (f, None))
        .chain(report.suppressed.iter().map(|s| (&s.finding, Some(s))))
        .collect();
    all.sort_by(|(a, _), (b, _)| crate::lint::finding_order(a, b));
    all
}

/// A suppressed finding keeps its result with `suppressions` (code-scanning services show it
/// as dismissed); with `--baseline`, every result says whether the baseline held it
/// (`unchanged`) or not (`new`).
fn add_suppression(
    result: &mut Map<String, Value>,
    suppressed: Option<&Suppressed>,
    with_baseline: bool,
) {
    if let Some(s) = suppressed {
        let kind = match s.kind {
            SuppressionKind::InSource => "inSource",
            SuppressionKind::External => "external",
        };
        result.insert(
            "suppressions".into(),
            json!([{ "kind": kind, "status": "accepted", "justification": s.justification }]),
        );
    }
    if with_baseline {
        let held = suppressed.is_some_and(|s| s.kind == SuppressionKind::External);
        result.insert(
            "baselineState".into(),
            json!(if held { "unchanged" } else { "new" }),
        );
    }
}

/// The project page, once Cargo.toml names one (validators warn when it is missing; an empty
/// string would be an invalid URI).
fn add_information_uri(driver: &mut Value) {
    let uri = [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty());
    if let (Some(uri), Some(driver)) = (uri, driver.as_object_mut()) {
        driver.insert("informationUri".into(), json!(uri));
    }
}

/// The SARIF level of a severity.
pub(crate) fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule_descriptor(rule: &Rule, set: &RuleSet) -> Value {
    let help = template_text(&rule.help, rule, set);
    let help_with_source = if rule.cite.is_empty() {
        help
    } else {
        format!("{help}\n\n{}", rule.cite)
    };
    json!({
        "id": rule.id,
        "name": rule.title,
        "shortDescription": { "text": rule.title },
        "fullDescription": { "text": template_text(&rule.message, rule, set) },
        "help": { "text": help_with_source },
        "defaultConfiguration": { "level": sarif_level(rule.severity) },
        "properties": {
            "concept": rule.concept,
            "cite": rule.cite,
            "tags": rule_tags(rule, set),
        }
    })
}

/// The built-in rule of findings about suppression comments, described only when it fired.
fn meta_rule_descriptor() -> Value {
    json!({
        "id": META_RULE,
        "name": "suppression comment problem",
        "shortDescription": { "text": "A loanlint-disable comment is malformed, names an unknown rule, or silences nothing" },
        "help": { "text": "Write `loanlint-disable-next-line RULE[, RULE…]: reason` (or `-line`, `-file`) naming a loaded rule and giving a reason; remove comments that silence nothing." },
        "defaultConfiguration": { "level": "warning" },
        "properties": { "tags": ["loanlint"] }
    })
}

/// Tags code-scanning UIs filter on: the pack, its jurisdiction and the concept's family
/// (`format-clause` of `format-clause.final-interpretation`).
fn rule_tags(rule: &Rule, set: &RuleSet) -> Vec<String> {
    let mut tags = vec!["compliance".to_string()];
    if let Some(pack) = set.packs.get(rule.pack) {
        tags.push(pack.id.clone());
        if let Some(j) = &pack.jurisdiction {
            tags.push(j.clone());
        }
    }
    if let Some(family) = rule.concept.split('.').next().filter(|s| !s.is_empty()) {
        tags.push(family.to_string());
    }
    tags
}

/// Files read as one decoded text (they have an encoding). Only in those do a finding's byte
/// offsets point into the file itself; in a DOCX they point into the extracted text, and a
/// SARIF `byteOffset` would wrongly address the zip.
fn decoded_text_files(report: &Report) -> HashSet<&str> {
    report
        .subjects
        .iter()
        .filter(|s| s.encoding.is_some())
        .map(|s| s.file.as_str())
        .collect()
}

fn sarif_result(
    f: &Finding,
    rule_index: Option<usize>,
    fingerprint: &str,
    with_bytes: bool,
) -> Value {
    let mut result = Map::new();
    result.insert("ruleId".into(), json!(f.rule));
    if let Some(i) = rule_index {
        result.insert("ruleIndex".into(), json!(i));
    }
    result.insert("level".into(), json!(sarif_level(f.severity)));
    result.insert("message".into(), json!({ "text": f.message }));
    result.insert("locations".into(), json!([finding_location(f, with_bytes)]));
    result.insert(
        "partialFingerprints".into(),
        json!({ FINGERPRINT_KEY: fingerprint }),
    );
    let mut properties = Map::new();
    properties.insert("concept".into(), json!(f.concept));
    properties.insert("cite".into(), json!(f.cite));
    properties.insert("help".into(), json!(f.help));
    if let Some(clause) = &f.clause {
        properties.insert("clause".into(), json!(clause));
    }
    if let Some(record) = &f.record {
        properties.insert("record".into(), json!(record));
    }
    result.insert("properties".into(), Value::Object(properties));
    Value::Object(result)
}

fn finding_location(f: &Finding, with_bytes: bool) -> Value {
    let start_line = f.line.max(1);
    let start_column = f.column.max(1);
    // An engine bug must not produce a region that ends before it starts (invalid SARIF).
    let (end_line, end_column) = if (f.end_line, f.end_column) >= (start_line, start_column) {
        (f.end_line, f.end_column)
    } else {
        (start_line, start_column)
    };
    let mut region = json!({
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
        "snippet": { "text": f.snippet },
    });
    if let (true, Some(region)) = (with_bytes, region.as_object_mut()) {
        region.insert("byteOffset".into(), json!(f.byte_start));
        region.insert(
            "byteLength".into(),
            json!(f.byte_end.saturating_sub(f.byte_start)),
        );
    }
    json!({
        "physicalLocation": {
            "artifactLocation": artifact_location(&f.file),
            "region": region,
        }
    })
}

/// A relative path stays relative to the checkout (`%SRCROOT%`); an absolute one becomes a
/// `file://` URI. Both are percent-encoded: a URI may not hold spaces or raw Chinese.
fn artifact_location(file: &str) -> Value {
    let path = file.replace('\\', "/");
    if path.starts_with('/') {
        json!({ "uri": format!("file://{}", percent_encode_path(&path)) })
    } else if path.get(1..3) == Some(":/") {
        // A Windows drive path (`C:/…`).
        json!({ "uri": format!("file:///{}", percent_encode_path(&path)) })
    } else {
        let relative = path.strip_prefix("./").unwrap_or(&path);
        json!({ "uri": percent_encode_path(relative), "uriBaseId": "%SRCROOT%" })
    }
}

/// Percent-encode every byte outside RFC 3986's unreserved set, keeping `/` and a drive `:`.
pub(crate) fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn invocation(errors: &[InputError]) -> Value {
    let notifications: Vec<Value> = errors.iter().map(input_error_notification).collect();
    json!({
        "executionSuccessful": errors.is_empty(),
        "toolExecutionNotifications": notifications,
    })
}

fn input_error_notification(e: &InputError) -> Value {
    let mut physical = Map::new();
    physical.insert("artifactLocation".into(), artifact_location(&e.file));
    if let Some(line) = e.line.filter(|l| *l >= 1) {
        physical.insert("region".into(), json!({ "startLine": line }));
    }
    json!({
        "level": "error",
        "message": { "text": e.message_without_file() },
        "locations": [{ "physicalLocation": Value::Object(physical) }],
    })
}

/// A fingerprint per finding that survives reruns and edits elsewhere in the file: the rule,
/// the file, the snippet with whitespace collapsed, and which occurrence of that same
/// (rule, file, snippet) this is — but not the line, so inserting a line above keeps it.
fn fingerprints(findings: &[Finding]) -> Vec<String> {
    let mut seen: HashMap<(String, String, String), usize> = HashMap::new();
    findings
        .iter()
        .map(|f| {
            let snippet = crate::baseline::normalise_text(&f.snippet);
            let key = (f.rule.clone(), f.file.clone(), snippet);
            let occurrence = seen.entry(key.clone()).or_insert(0);
            let text = format!("{}\0{}\0{}\0{}", key.0, key.1, key.2, occurrence);
            *occurrence += 1;
            format!("{:016x}", fnv1a_64(text.as_bytes()))
        })
        .collect()
}

/// FNV-1a, 64 bits: tiny, and stable across Rust versions and platforms (unlike `DefaultHasher`).
fn fnv1a_64(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(PRIME)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_report;

    fn render(report: &Report) -> Value {
        serde_json::from_str(&render_sarif(report, &RuleSet::default())).unwrap()
    }

    #[test]
    fn byte_offsets_only_for_files_read_as_text() {
        let mut report = sample_report();
        let region = |report: &Report| {
            render(report)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
                .clone()
        };
        // The sample's subjects have no encoding, as a DOCX has.
        assert!(region(&report).get("byteOffset").is_none());
        assert_eq!(region(&report)["startLine"], 2);
        report.subjects[0].encoding = Some("GBK".into());
        assert_eq!(region(&report)["byteOffset"], 42);
    }

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        assert_eq!(fnv1a_64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a_64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a_64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn results_carry_level_location_and_byte_region() {
        let mut report = sample_report();
        report.subjects[0].encoding = Some("UTF-8".into());
        let v = render(&report);
        let run = &v["runs"][0];
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        let r = &run["results"][0];
        assert_eq!(r["ruleId"], "CN-STD-001");
        assert!(r.get("ruleIndex").is_none(), "no such rule was loaded");
        assert_eq!(r["level"], "error");
        assert_eq!(run["results"][1]["level"], "warning");
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "contract.txt");
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &loc["region"];
        assert_eq!(region["startLine"], 2);
        assert_eq!(region["startColumn"], 8);
        assert_eq!(region["endColumn"], 19);
        assert_eq!(region["byteOffset"], 42);
        assert_eq!(region["byteLength"], 33);
        assert_eq!(region["snippet"]["text"], "最终解释权归贷款人所有");
        assert_eq!(r["properties"]["clause"], "第五条");
    }

    #[test]
    fn input_errors_make_the_invocation_unsuccessful() {
        let v = render(&sample_report());
        let inv = &v["runs"][0]["invocations"][0];
        assert_eq!(inv["executionSuccessful"], false);
        let n = &inv["toolExecutionNotifications"][0];
        assert_eq!(n["level"], "error");
        assert_eq!(
            n["message"]["text"],
            "not valid UTF-8 (first bad byte at line 1, byte 0)"
        );
        assert_eq!(
            n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "bad.txt"
        );
        assert_eq!(
            n["locations"][0]["physicalLocation"]["region"]["startLine"],
            1
        );
        let clean = render(&Report::default());
        assert_eq!(
            clean["runs"][0]["invocations"][0]["executionSuccessful"],
            true
        );
    }

    #[test]
    fn fingerprints_ignore_line_moves_but_tell_repeats_apart() {
        let report = sample_report();
        let mut first = report.findings[0].clone();
        let before = fingerprints(std::slice::from_ref(&first));
        first.line += 5;
        first.byte_start += 40;
        first.byte_end += 40;
        assert_eq!(fingerprints(std::slice::from_ref(&first)), before);

        let twice = fingerprints(&[first.clone(), first.clone()]);
        assert_eq!(twice[0], before[0]);
        assert_ne!(twice[0], twice[1]);

        let mut rewrapped = first.clone();
        // The sample snippet is "最终解释权归贷款人所有".
        rewrapped.snippet = "最终解释权\n  归贷款人所有".into();
        assert_eq!(fingerprints(&[rewrapped]), before);

        let mut other_rule = first;
        other_rule.rule = "CN-STD-002".into();
        assert_ne!(fingerprints(&[other_rule]), before);
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            artifact_location("templates/借款 合同.txt")["uri"],
            "templates/%E5%80%9F%E6%AC%BE%20%E5%90%88%E5%90%8C.txt"
        );
        assert_eq!(artifact_location("./a.txt")["uri"], "a.txt");
        let abs = artifact_location("/srv/a#1.txt");
        assert_eq!(abs["uri"], "file:///srv/a%231.txt");
        assert!(abs.get("uriBaseId").is_none());
        assert_eq!(
            artifact_location(r"C:\docs\a.txt")["uri"],
            "file:///C:/docs/a.txt"
        );
    }
}
