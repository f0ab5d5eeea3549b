//! Checking one collection-log file: read its records, split them into per-debtor streams,
//! choose each debtor's packs by jurisdiction, evaluate the log rules, locate the findings.
//!
//! Every record read is accounted for: it is checked, or rejected with its line and reason
//! (reported as an input error), so `records_read == records_checked + records_rejected`.

use crate::engine::{Finding, Plan};
use crate::jurisdiction;
use crate::log::read::{read_log, read_log_text, LogFormat};
use crate::log::{stream, LogMapping};
use crate::report::{InputError, SubjectInfo};
use crate::span::LineIndex;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// A log bigger than this is refused (it is held in memory while checked).
pub const MAX_LOG_SIZE: u64 = 4 * 1024 * 1024 * 1024;

/// What checking one log file gave.
#[derive(Debug, Clone, Default)]
pub struct LogResult {
    pub findings: Vec<Finding>,
    pub subject: Option<SubjectInfo>,
    /// The file's text, for rendering findings in context.
    pub source: String,
    pub records_read: usize,
    pub records_checked: usize,
    /// One per rejected record, or one for a file that could not be read at all.
    pub errors: Vec<InputError>,
}

/// Read and check one log file. `jurisdiction` (from `--jurisdiction` or the configuration)
/// overrides per-debtor detection.
pub fn check_log_file(
    plan: &Plan,
    path: &Path,
    shown: &str,
    format: LogFormat,
    mapping: &LogMapping,
    jurisdiction: Option<&str>,
) -> LogResult {
    let fail = |message: String| LogResult {
        errors: vec![InputError {
            file: shown.to_string(),
            line: None,
            message,
        }],
        ..LogResult::default()
    };
    match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_LOG_SIZE => {
            return fail(format!(
                "log is {} bytes, over the {MAX_LOG_SIZE}-byte (4 GiB) limit",
                m.len()
            ))
        }
        Ok(_) => {}
        Err(e) => return fail(format!("cannot read: {e}")),
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return fail(format!("cannot read: {e}")),
    };
    check_log_bytes(plan, bytes, shown, format, mapping, jurisdiction)
}

/// [`check_log_file`] on a log already in memory. The bytes become the result's `source`
/// without a copy (a log may be gigabytes).
pub fn check_log_bytes(
    plan: &Plan,
    bytes: Vec<u8>,
    shown: &str,
    format: LogFormat,
    mapping: &LogMapping,
    jurisdiction: Option<&str>,
) -> LogResult {
    let read_error = |e: crate::log::read::LogError| LogResult {
        errors: vec![InputError {
            file: shown.to_string(),
            line: error_line(&e),
            message: e.to_string(),
        }],
        ..LogResult::default()
    };
    let source = match String::from_utf8(bytes) {
        Ok(source) => source,
        // Not UTF-8: the reader says where, as a file error.
        Err(e) => {
            return match read_log(shown, e.as_bytes(), format, mapping) {
                Err(e) => read_error(e),
                Ok(_) => read_error(crate::log::read::LogError::NotUtf8 {
                    file: shown.to_string(),
                    line: 1,
                    offset: e.utf8_error().valid_up_to(),
                }),
            }
        }
    };
    let read = match read_log_text(shown, &source, format, mapping) {
        Ok(r) => r,
        Err(e) => return read_error(e),
    };
    let records_read = read.records_read();
    let records_checked = read.events.len();
    let errors = read
        .rejected
        .iter()
        .map(|r| InputError {
            file: shown.to_string(),
            line: Some(r.line),
            message: r.reason.clone(),
        })
        .collect();
    let lines = LineIndex::new(&source);
    let mut events = read.events;
    let streams = stream::sort_by_debtor(&mut events);
    let per_debtor: Vec<(Vec<Finding>, Option<String>, String)> = streams
        .par_iter()
        .map(|range| {
            let events = events.get(range.clone()).unwrap_or_default();
            let (code, reason) = match jurisdiction {
                Some(j) => (
                    Some(j.to_ascii_uppercase()),
                    "chosen with --jurisdiction".into(),
                ),
                None => {
                    let d = jurisdiction::detect_debtor(events);
                    (d.jurisdiction, d.reason)
                }
            };
            let applies = plan.packs_for(code.as_deref());
            let findings = plan
                .check_events(events, &|i| applies[plan.rules.rules[i].pack])
                .into_iter()
                .filter_map(|f| {
                    let e = events.get(f.event)?;
                    Some(plan.locate_event(f, e, shown, &source, &lines))
                })
                .collect();
            (findings, code, reason)
        })
        .collect();
    let mut findings = Vec::new();
    let mut debtors_by_code: BTreeMap<String, usize> = BTreeMap::new();
    let mut reasons: BTreeMap<String, String> = BTreeMap::new();
    for (f, code, reason) in per_debtor {
        findings.extend(f);
        let key = code.unwrap_or_else(|| "none".into());
        *debtors_by_code.entry(key.clone()).or_default() += 1;
        reasons.entry(key).or_insert(reason);
    }
    crate::lint::sort_findings(&mut findings);
    LogResult {
        findings,
        subject: Some(subject_info(plan, shown, &debtors_by_code, &reasons)),
        source,
        records_read,
        records_checked,
        errors,
    }
}

fn error_line(e: &crate::log::read::LogError) -> Option<usize> {
    use crate::log::read::LogError as E;
    match e {
        E::NotUtf8 { line, .. }
        | E::CsvMissingColumns { line, .. }
        | E::Csv { line, .. }
        | E::YamlSyntax { line, .. } => Some(*line),
        E::CsvNoHeader { .. } | E::YamlNotAList { .. } => None,
    }
}

fn subject_info(
    plan: &Plan,
    shown: &str,
    debtors_by_code: &BTreeMap<String, usize>,
    reasons: &BTreeMap<String, String>,
) -> SubjectInfo {
    let codes: Vec<&String> = debtors_by_code.keys().filter(|c| *c != "none").collect();
    let mut packs: Vec<String> = Vec::new();
    for code in &codes {
        for (i, (p, applies)) in plan
            .rules
            .packs
            .iter()
            .zip(plan.packs_for(Some(code)))
            .enumerate()
        {
            let has_log_rules = plan.pack_checks(i, crate::lang::ir::Subject::Log);
            if applies && has_log_rules && !packs.contains(&p.id) {
                packs.push(p.id.clone());
            }
        }
    }
    let reason = debtors_by_code
        .iter()
        .map(|(code, n)| {
            let why = reasons.get(code).map(String::as_str).unwrap_or_default();
            let debtors = if *n == 1 { "debtor" } else { "debtors" };
            format!("{code}: {n} {debtors} (e.g. {why})")
        })
        .collect::<Vec<_>>()
        .join("; ");
    SubjectInfo {
        file: shown.to_string(),
        jurisdiction: match codes.as_slice() {
            [one] => Some((*one).clone()),
            _ => None,
        },
        packs,
        reason,
        encoding: Some("UTF-8".into()),
    }
}
