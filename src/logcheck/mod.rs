//! Checking one collection-log file: read its records, split them into per-debtor streams,
//! choose each debtor's packs by jurisdiction, evaluate the log rules, locate the findings.
//!
//! Every record read is accounted for: it is checked, or rejected with its line and reason
//! (reported as an input error), so `records_read == records_checked + records_rejected`.

use crate::engine::{EventFinding, Finding, Plan, RecordPlace};
use crate::jurisdiction;
use crate::log::read::{read_log, read_log_text, LogFormat};
use crate::log::{stream, LogMapping};
use crate::report::{InputError, SubjectInfo};
use crate::span::LineIndex;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

mod partition;

pub use partition::{check_log_partitioned, PartitionOptions, PARTITION_THRESHOLD};

/// A YAML log bigger than this is refused (it is held in memory while checked). JSONL and CSV
/// logs of any size are checked, those over [`PARTITION_THRESHOLD`] through buckets.
pub const MAX_LOG_SIZE: u64 = 4 * 1024 * 1024 * 1024;

/// What checking one log file gave.
#[derive(Debug, Clone, Default)]
pub struct LogResult {
    pub findings: Vec<Finding>,
    pub subject: Option<SubjectInfo>,
    /// The file's text, for rendering findings in context; `None` for a log checked through
    /// buckets (too big to hold).
    pub source: Option<String>,
    pub records_read: usize,
    pub records_checked: usize,
    /// One per rejected record, or one for a file that could not be read at all.
    pub errors: Vec<InputError>,
}

impl LogResult {
    /// The result for a file that could not be read at all: one error, no records.
    pub fn failed(file: &str, line: Option<usize>, message: String) -> LogResult {
        LogResult {
            errors: vec![InputError {
                file: file.to_string(),
                line,
                message,
            }],
            ..LogResult::default()
        }
    }

    fn unreadable(file: &str, e: &crate::log::read::LogError) -> LogResult {
        LogResult::failed(file, error_line(e), e.to_string())
    }
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
    let fail = |message: String| LogResult::failed(shown, None, message);
    match std::fs::metadata(path) {
        Ok(m) if m.len() > PARTITION_THRESHOLD && format != LogFormat::Yaml => {
            return check_log_partitioned(
                plan,
                path,
                shown,
                format,
                mapping,
                jurisdiction,
                PartitionOptions::default(),
            )
        }
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
    let read_error = |e: crate::log::read::LogError| LogResult::unreadable(shown, &e);
    let source = match String::from_utf8(bytes) {
        Ok(source) => source,
        // Not UTF-8: a JSONL log loses only the lines that are not; other formats cannot be
        // read past the bad byte, and the reader says where, as a file error.
        Err(e) if format == LogFormat::Jsonl => {
            return check_lines_of_bytes(plan, e.into_bytes(), shown, mapping, jurisdiction)
        }
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
    let lines = LineIndex::new(&source);
    let result = check_read(plan, shown, jurisdiction, read, |f, e| {
        let place = RecordPlace::in_source(&source, &lines, e.bytes.clone());
        Some(plan.locate_event(f, e, shown, place))
    });
    LogResult {
        source: Some(source),
        ..result
    }
}

/// Checks the events of `read` debtor by debtor, placing each finding with `locate`; the
/// rejected records become input errors. The result has no `source`.
fn check_read(
    plan: &Plan,
    shown: &str,
    jurisdiction: Option<&str>,
    read: crate::log::LogRead,
    locate: impl Fn(EventFinding, &crate::log::Event) -> Option<Finding> + Sync,
) -> LogResult {
    let records_read = read.records_read();
    let records_checked = read.events.len();
    let errors = rejected_errors(shown, &read.rejected);
    let mut events = read.events;
    let streams = stream::sort_by_debtor(&mut events);
    let checked = check_streams(plan, &events, &streams, jurisdiction, locate);
    let mut debtors = Debtors::default();
    let mut findings = Vec::with_capacity(checked.iter().map(|d| d.findings.len()).sum());
    debtors.absorb(checked, &mut findings);
    crate::lint::sort_findings(&mut findings);
    LogResult {
        findings,
        subject: Some(debtors.subject_info(plan, shown)),
        source: None,
        records_read,
        records_checked,
        errors,
    }
}

/// A JSONL log with bytes that are not UTF-8: each line that is not is a rejected record, the
/// others are checked. Findings are placed from their record's own bytes (the file has no text
/// to show around them).
fn check_lines_of_bytes(
    plan: &Plan,
    bytes: Vec<u8>,
    shown: &str,
    mapping: &LogMapping,
    jurisdiction: Option<&str>,
) -> LogResult {
    // The whole log as one block (a target past its end), byte-order mark skipped as for
    // any block.
    let whole =
        crate::log::blocks::Blocks::new(bytes.as_slice(), LogFormat::Jsonl, bytes.len() + 1)
            .next()
            .and_then(Result::ok);
    let Some(block) = whole else {
        // Nothing but a byte-order mark: no records.
        return check_read(plan, shown, jurisdiction, Default::default(), |_, _| None);
    };
    let read = match crate::log::read::BlockParser::new(shown, LogFormat::Jsonl, mapping, &block)
        .and_then(|(parser, skip)| parser.parse(&block, skip))
    {
        Ok(read) => read,
        Err(e) => return LogResult::unreadable(shown, &e),
    };
    check_read(plan, shown, jurisdiction, read, |f, e| {
        let record = bytes.get(e.bytes.clone()).unwrap_or_default();
        let text = String::from_utf8_lossy(record);
        let place = RecordPlace::from_record(e.line, e.bytes.clone(), &text);
        Some(plan.locate_event(f, e, shown, place))
    })
}

/// Each rejected record as an input error of the file.
fn rejected_errors(shown: &str, rejected: &[crate::log::Rejected]) -> Vec<InputError> {
    rejected
        .iter()
        .map(|r| InputError {
            file: shown.to_string(),
            line: Some(r.line),
            message: r.reason.clone(),
        })
        .collect()
}

/// What checking one debtor gave: findings, and the jurisdiction chosen with its reason.
pub(super) struct DebtorResult {
    debtor: String,
    findings: Vec<Finding>,
    code: Option<String>,
    reason: String,
}

/// Checks each debtor's stream (`streams`: ranges of `events`, sorted by [`stream::sort_by_debtor`])
/// in parallel: chooses the packs by the debtor's jurisdiction (or `jurisdiction` when given),
/// evaluates the log rules and places each finding with `locate`.
fn check_streams(
    plan: &Plan,
    events: &[crate::log::Event],
    streams: &[std::ops::Range<usize>],
    jurisdiction: Option<&str>,
    locate: impl Fn(EventFinding, &crate::log::Event) -> Option<Finding> + Sync,
) -> Vec<DebtorResult> {
    let checker = plan.event_checker();
    streams
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
            let findings = checker
                .check(events, &|i| applies[plan.rules.rules[i].pack])
                .into_iter()
                .filter_map(|f| {
                    let e = events.get(f.event)?;
                    locate(f, e)
                })
                .collect();
            DebtorResult {
                debtor: events.first().map(|e| e.debtor.clone()).unwrap_or_default(),
                findings,
                code,
                reason,
            }
        })
        .collect()
}

/// Debtors counted by jurisdiction, with one reason for each (the first debtor's, in name
/// order), for the subject line.
#[derive(Debug, Default)]
struct Debtors {
    by_code: BTreeMap<String, usize>,
    /// code -> (debtor, reason)
    examples: BTreeMap<String, (String, String)>,
}

impl Debtors {
    /// Counts the debtors of `checked` and moves their findings into `findings`.
    fn absorb(&mut self, checked: Vec<DebtorResult>, findings: &mut Vec<Finding>) {
        for d in checked {
            findings.extend(d.findings);
            let code = d.code.unwrap_or_else(|| "none".into());
            self.count(code, 1, (d.debtor, d.reason));
        }
    }

    /// Adds another part of the log's debtors (a bucket's).
    fn merge(&mut self, other: Debtors) {
        let mut examples = other.examples;
        for (code, n) in other.by_code {
            if let Some(example) = examples.remove(&code) {
                self.count(code, n, example);
            }
        }
    }

    /// `n` more debtors of `code`; `example` (debtor, reason) is kept if it comes first by name.
    fn count(&mut self, code: String, n: usize, example: (String, String)) {
        *self.by_code.entry(code.clone()).or_default() += n;
        match self.examples.get_mut(&code) {
            Some(kept) if kept.0 <= example.0 => {}
            Some(kept) => *kept = example,
            None => {
                self.examples.insert(code, example);
            }
        }
    }

    fn subject_info(&self, plan: &Plan, shown: &str) -> SubjectInfo {
        let reasons = self
            .examples
            .iter()
            .map(|(code, (_, reason))| (code.clone(), reason.clone()))
            .collect();
        subject_info(plan, shown, &self.by_code, &reasons)
    }
}

pub(super) fn error_line(e: &crate::log::read::LogError) -> Option<usize> {
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
