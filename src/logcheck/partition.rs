//! Checking a log too big to hold in memory, in memory bounded by a constant whatever the
//! log's size or order.
//!
//! Pass 1 reads the file block by block (blocks parsed in parallel), and appends each event,
//! in a compact binary form, to one of K bucket files chosen by a hash of its debtor: every
//! debtor's records end up in one bucket. Pass 2 checks the buckets in parallel, each as the
//! in-memory path checks a whole log (group by debtor, sort by time, evaluate), and places
//! each finding by reading its record back from the log. At any time the memory holds a few
//! blocks (pass 1) or one bucket per thread (pass 2), plus the findings: about
//! `threads × bucket_bytes × 3` plus what the findings take, however long the log.
//!
//! The result is the one the in-memory path gives, but for `source` (the log is not held, so
//! reports show findings without the surrounding text).

use super::{Debtors, LogResult};
use crate::engine::{Finding, Plan, RecordPlace};
use crate::log::blocks::{Block, Blocks};
use crate::log::read::{BlockParser, LogError, LogFormat};
use crate::log::{codec, stream, Event, LogMapping};
use rayon::prelude::*;
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// Logs bigger than this are checked through buckets; smaller ones are read whole.
pub const PARTITION_THRESHOLD: u64 = 64 * 1024 * 1024;

/// How a partitioned check sizes its work.
#[derive(Debug, Clone, Copy)]
pub struct PartitionOptions {
    /// Roughly how many bytes of the log go into one bucket (its events take about three
    /// times that in memory when the bucket is checked).
    pub bucket_bytes: u64,
    /// Bytes of the log read and parsed as one block.
    pub block_bytes: usize,
}

impl Default for PartitionOptions {
    fn default() -> Self {
        PartitionOptions {
            bucket_bytes: 16 * 1024 * 1024,
            block_bytes: 4 * 1024 * 1024,
        }
    }
}

/// At most this many bucket files are open at once (file descriptors are limited); a log of
/// more than `MAX_BUCKETS × bucket_bytes` gets bigger buckets.
const MAX_BUCKETS: u64 = 256;

/// A file-level failure: the log could not be read, or is not a log (a CSV without a header).
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error("{0}")]
    Log(#[from] LogError),
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
}

/// Checks the JSONL or CSV log at `path` through buckets (see the module documentation).
pub fn check_log_partitioned(
    plan: &Plan,
    path: &Path,
    shown: &str,
    format: LogFormat,
    mapping: &LogMapping,
    jurisdiction: Option<&str>,
    options: PartitionOptions,
) -> LogResult {
    let checked = || -> Result<LogResult, Failure> {
        let size = std::fs::metadata(path)?.len();
        let count = size
            .div_ceil(options.bucket_bytes.max(1))
            .clamp(1, MAX_BUCKETS);
        let mut buckets = Buckets::new(usize::try_from(count).unwrap_or(1))?;
        let spilled = spill(path, shown, format, mapping, options, &mut buckets)?;
        let files = buckets.finish()?;
        // Each bucket comes back as its findings and its debtors counted, not one result per
        // debtor: half a million debtors' names and reasons held to the end were most of what
        // grew from 1M to 10M events.
        let checked: Vec<Result<(Vec<Finding>, Debtors), Failure>> = files
            .into_par_iter()
            .map(|bucket| check_bucket(plan, shown, bucket, jurisdiction))
            .collect();
        // Sized once: a long log may have a million findings, and growing the vector by doubling
        // would hold two copies at once.
        let count = checked.iter().flatten().map(|(f, _)| f.len()).sum();
        let mut findings: Vec<Finding> = Vec::with_capacity(count);
        let mut debtors = Debtors::default();
        for bucket in checked {
            let (part, counted) = bucket?;
            findings.extend(part);
            debtors.merge(counted);
        }
        crate::lint::sort_findings(&mut findings);
        // After sorting: the order reads the log forwards, and does not depend on snippets
        // (findings at the same bytes have the same record, so the same snippet).
        place_records(path, &mut findings, PLACE_WINDOW_BYTES);
        let errors = super::rejected_errors(shown, &spilled.rejected);
        Ok(LogResult {
            findings,
            subject: Some(debtors.subject_info(plan, shown)),
            source: None,
            records_read: spilled.checked + errors.len(),
            records_checked: spilled.checked,
            errors,
        })
    };
    checked().unwrap_or_else(|failure| {
        let line = match &failure {
            Failure::Log(e) => super::error_line(e),
            Failure::Io(_) => None,
        };
        LogResult::failed(shown, line, failure.to_string())
    })
}

/// What pass 1 gave besides the buckets: how many events were spilled, and every rejected
/// record.
#[derive(Default)]
struct Spilled {
    checked: usize,
    rejected: Vec<crate::log::Rejected>,
}

/// Pass 1: reads the log block by block, parsing a batch of blocks in parallel, and appends
/// each event to its debtor's bucket, in file order.
fn spill(
    path: &Path,
    shown: &str,
    format: LogFormat,
    mapping: &LogMapping,
    options: PartitionOptions,
    buckets: &mut Buckets,
) -> Result<Spilled, Failure> {
    let mut blocks = Blocks::new(File::open(path)?, format, options.block_bytes);
    let Some(first) = blocks.next().transpose()? else {
        // An empty file: no records (a CSV log without even a header is not a log).
        if format == LogFormat::Csv {
            return Err(LogError::CsvNoHeader {
                file: shown.to_string(),
            }
            .into());
        }
        return Ok(Spilled::default());
    };
    let (parser, header_bytes) = BlockParser::new(shown, format, mapping, &first)?;
    let batch_size = rayon::current_num_threads().max(1) * 2;
    let mut spilled = Spilled::default();
    let mut batch: Vec<(Block, usize)> = vec![(first, header_bytes)];
    batch.extend(read_batch(&mut blocks, batch_size - 1)?);
    while !batch.is_empty() {
        // The next batch is read while this one is parsed: with two threads, reading the file
        // no longer waits for parsing, nor parsing for reading.
        let (parsed, next) = rayon::join(
            || {
                batch
                    .par_iter()
                    .map(|(block, skip)| {
                        let read = parser.parse(block, *skip)?;
                        Ok(ParsedBlock {
                            encoded: buckets.encode(&read.events),
                            checked: read.events.len(),
                            rejected: read.rejected,
                        })
                    })
                    .collect::<Vec<Result<ParsedBlock, LogError>>>()
            },
            || read_batch(&mut blocks, batch_size),
        );
        for block in parsed {
            let block = block?;
            buckets.append(&block.encoded)?;
            spilled.checked += block.checked;
            spilled.rejected.extend(block.rejected);
        }
        batch = next?;
    }
    Ok(spilled)
}

/// Up to `count` more blocks of the log.
fn read_batch(blocks: &mut Blocks<File>, count: usize) -> std::io::Result<Vec<(Block, usize)>> {
    let mut batch = Vec::with_capacity(count);
    while batch.len() < count {
        match blocks.next().transpose()? {
            Some(block) => batch.push((block, 0)),
            None => break,
        }
    }
    Ok(batch)
}

/// One block's events, encoded into one buffer per bucket, and its rejected records.
struct ParsedBlock {
    encoded: Vec<Encoded>,
    checked: usize,
    rejected: Vec<crate::log::Rejected>,
}

/// Events encoded for one bucket, and how many.
#[derive(Default, Clone)]
struct Encoded {
    bytes: Vec<u8>,
    events: usize,
}

/// The bucket files of pass 1, written through buffers, and how many events each holds (so
/// that pass 2 sizes its vector once).
struct Buckets {
    writers: Vec<BufWriter<File>>,
    events: Vec<usize>,
}

impl Buckets {
    fn new(count: usize) -> std::io::Result<Self> {
        let writers = (0..count)
            .map(|_| tempfile::tempfile().map(|f| BufWriter::with_capacity(64 * 1024, f)))
            .collect::<std::io::Result<_>>()?;
        Ok(Buckets {
            writers,
            events: vec![0; count],
        })
    }

    fn bucket_of(&self, debtor: &str) -> usize {
        // A fixed-key hash: the same debtor goes to the same bucket in every run.
        let mut h = std::collections::hash_map::DefaultHasher::new();
        debtor.hash(&mut h);
        (h.finish() % self.writers.len() as u64) as usize
    }

    /// The events encoded, one buffer per bucket.
    fn encode(&self, events: &[Event]) -> Vec<Encoded> {
        let mut out = vec![Encoded::default(); self.writers.len()];
        for e in events {
            if let Some(bucket) = out.get_mut(self.bucket_of(&e.debtor)) {
                codec::encode(e, &mut bucket.bytes);
                bucket.events += 1;
            }
        }
        out
    }

    fn append(&mut self, encoded: &[Encoded]) -> std::io::Result<()> {
        for ((writer, events), bucket) in self.writers.iter_mut().zip(&mut self.events).zip(encoded)
        {
            writer.write_all(&bucket.bytes)?;
            *events += bucket.events;
        }
        Ok(())
    }

    /// The bucket files, rewound for reading, each with how many events it holds.
    fn finish(self) -> std::io::Result<Vec<(File, usize)>> {
        self.writers
            .into_iter()
            .zip(self.events)
            .map(|(w, events)| {
                let mut file = w.into_inner().map_err(|e| e.into_error())?;
                file.seek(SeekFrom::Start(0))?;
                Ok((file, events))
            })
            .collect()
    }
}

/// Pass 2 for one bucket (its file and how many events it holds): its events grouped by
/// debtor and checked, each finding at the line and bytes of its record.
fn check_bucket(
    plan: &Plan,
    shown: &str,
    (mut bucket, bucket_events): (File, usize),
    jurisdiction: Option<&str>,
) -> Result<(Vec<Finding>, Debtors), Failure> {
    // Sized from the file: growing by doubling copied each bucket about twice over.
    let size = bucket.metadata().map_or(0, |m| m.len());
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    bucket.read_to_end(&mut bytes)?;
    let mut input = bytes.as_slice();
    let mut events: Vec<Event> = Vec::with_capacity(bucket_events);
    events.extend(std::iter::from_fn(|| codec::decode(&mut input)));
    drop(bytes);
    let streams = stream::sort_by_debtor(&mut events);
    let checked = super::check_streams(plan, &events, &streams, jurisdiction, |f, e| {
        // The record's text is read back later, for all findings in one pass (`place_records`).
        let place = RecordPlace::from_record(e.line, e.bytes.clone(), "");
        Some(plan.locate_event(f, e, shown, place))
    });
    drop(events);
    let mut findings = Vec::with_capacity(checked.iter().map(|d| d.findings.len()).sum());
    let mut debtors = Debtors::default();
    debtors.absorb(checked, &mut findings);
    Ok((findings, debtors))
}

/// How much of the log one read takes when placing findings: findings closer together than
/// this share a read.
const PLACE_WINDOW_BYTES: usize = 256 * 1024;

/// Gives each finding its record's text (end line and column, snippet), read back from the log
/// in one forward pass over `findings`, sorted by byte offset as [`crate::lint::sort_findings`]
/// leaves them. A read per finding took a tenth of a 2M-event run in system calls.
///
/// The log was just read: if it cannot be read again, the findings keep the place their record
/// starts at and go without a snippet, rather than being lost.
fn place_records(path: &Path, findings: &mut [Finding], window_bytes: usize) {
    let Ok(mut log) = File::open(path) else {
        return;
    };
    let mut window: Vec<u8> = Vec::new();
    let mut window_start = 0usize;
    for finding in findings {
        let bytes = finding.byte_start..finding.byte_end;
        let inside = bytes.start >= window_start && bytes.end <= window_start + window.len();
        if !inside {
            window.clear();
            window_start = bytes.start;
            let wanted = bytes.len().max(window_bytes) as u64;
            let read = log
                .seek(SeekFrom::Start(bytes.start as u64))
                .and_then(|_| (&mut log).take(wanted).read_to_end(&mut window));
            if read.is_err() {
                window.clear();
                continue;
            }
        }
        let Some(record) = window.get(bytes.start - window_start..bytes.end - window_start) else {
            continue;
        };
        let text = String::from_utf8_lossy(record);
        let place = RecordPlace::from_record(finding.line, bytes, &text);
        (finding.end_line, finding.end_column) = place.end;
        finding.snippet = place.snippet;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Severity;

    fn finding_at(line: usize, bytes: std::ops::Range<usize>) -> Finding {
        let place = RecordPlace::from_record(line, bytes.clone(), "");
        Finding {
            rule: "R".into(),
            concept: "c".into(),
            severity: Severity::Error,
            message: "m".into(),
            file: "log.jsonl".into(),
            line,
            column: place.start.1,
            end_line: place.end.0,
            end_column: place.end.1,
            byte_start: bytes.start,
            byte_end: bytes.end,
            cite: String::new(),
            help: String::new(),
            snippet: String::new(),
            clause: None,
            record: None,
            source_range: bytes,
        }
    }

    /// Every window size, from smaller than one record to the whole log, places each finding
    /// as its record's own text does: records inside a window, across its end, longer than it,
    /// two findings on one record, a multi-line record, and one past the end of the file.
    #[test]
    fn records_are_placed_from_the_log_whatever_the_window() {
        let log = "{\"a\":\"债务一\"}\n{\"b\":2}\n\"x\ny\"\n{\"c\":\"第三条记录，较长一些\"}\n";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.jsonl");
        std::fs::write(&path, log).unwrap();
        let mut starts = vec![0];
        starts.extend(log.match_indices("}\n").map(|(i, _)| i + 2));
        let records: Vec<(usize, std::ops::Range<usize>)> = vec![
            (1, 0..starts[1] - 1),
            (2, starts[1]..starts[2] - 1),
            (2, starts[1]..starts[2] - 1),
            (3, starts[2]..starts[2] + 5),
            (5, starts[2] + 6..log.len() - 1),
            (9, log.len() + 10..log.len() + 20),
        ];
        for window in [1, 4, 16, 32, 1 << 20] {
            let mut findings: Vec<Finding> = records
                .iter()
                .map(|(line, bytes)| finding_at(*line, bytes.clone()))
                .collect();
            place_records(&path, &mut findings, window);
            for (f, (line, bytes)) in findings.iter().zip(&records) {
                let text = log.get(bytes.clone()).unwrap_or_default();
                let want = RecordPlace::from_record(*line, bytes.clone(), text);
                assert_eq!(
                    ((f.end_line, f.end_column), f.snippet.as_str()),
                    (want.end, want.snippet.as_str()),
                    "window {window}, record at {bytes:?}"
                );
            }
        }
        // The multi-line record ends on the next line; the one past the end has no text.
        let mut findings = vec![finding_at(3, records[3].1.clone())];
        place_records(&path, &mut findings, 4);
        assert_eq!(
            (findings[0].end_line, findings[0].snippet.as_str()),
            (4, "\"x\ny\"")
        );
    }
}
