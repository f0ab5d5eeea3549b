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
            .map(|bucket| check_bucket(plan, path, shown, bucket, jurisdiction))
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
    loop {
        while batch.len() < batch_size {
            match blocks.next().transpose()? {
                Some(block) => batch.push((block, 0)),
                None => break,
            }
        }
        if batch.is_empty() {
            return Ok(spilled);
        }
        let parsed: Vec<Result<ParsedBlock, LogError>> = batch
            .par_iter()
            .map(|(block, skip)| {
                let read = parser.parse(block, *skip)?;
                Ok(ParsedBlock {
                    encoded: buckets.encode(&read.events),
                    checked: read.events.len(),
                    rejected: read.rejected,
                })
            })
            .collect();
        batch.clear();
        for block in parsed {
            let block = block?;
            buckets.append(&block.encoded)?;
            spilled.checked += block.checked;
            spilled.rejected.extend(block.rejected);
        }
    }
}

/// One block's events, encoded into one buffer per bucket, and its rejected records.
struct ParsedBlock {
    encoded: Vec<Vec<u8>>,
    checked: usize,
    rejected: Vec<crate::log::Rejected>,
}

/// The bucket files of pass 1, written through buffers.
struct Buckets {
    writers: Vec<BufWriter<File>>,
}

impl Buckets {
    fn new(count: usize) -> std::io::Result<Self> {
        let writers = (0..count)
            .map(|_| tempfile::tempfile().map(|f| BufWriter::with_capacity(64 * 1024, f)))
            .collect::<std::io::Result<_>>()?;
        Ok(Buckets { writers })
    }

    fn bucket_of(&self, debtor: &str) -> usize {
        // A fixed-key hash: the same debtor goes to the same bucket in every run.
        let mut h = std::collections::hash_map::DefaultHasher::new();
        debtor.hash(&mut h);
        (h.finish() % self.writers.len() as u64) as usize
    }

    /// The events encoded, one buffer per bucket.
    fn encode(&self, events: &[Event]) -> Vec<Vec<u8>> {
        let mut out = vec![Vec::new(); self.writers.len()];
        for e in events {
            if let Some(buffer) = out.get_mut(self.bucket_of(&e.debtor)) {
                codec::encode(e, buffer);
            }
        }
        out
    }

    fn append(&mut self, encoded: &[Vec<u8>]) -> std::io::Result<()> {
        for (writer, bytes) in self.writers.iter_mut().zip(encoded) {
            writer.write_all(bytes)?;
        }
        Ok(())
    }

    /// The bucket files, rewound for reading.
    fn finish(self) -> std::io::Result<Vec<File>> {
        self.writers
            .into_iter()
            .map(|w| {
                let mut file = w.into_inner().map_err(|e| e.into_error())?;
                file.seek(SeekFrom::Start(0))?;
                Ok(file)
            })
            .collect()
    }
}

/// Pass 2 for one bucket: its events grouped by debtor and checked, the findings placed at
/// their records, read back from the log.
fn check_bucket(
    plan: &Plan,
    path: &Path,
    shown: &str,
    mut bucket: File,
    jurisdiction: Option<&str>,
) -> Result<(Vec<Finding>, Debtors), Failure> {
    let mut bytes = Vec::new();
    bucket.read_to_end(&mut bytes)?;
    let mut input = bytes.as_slice();
    let mut events: Vec<Event> = std::iter::from_fn(|| codec::decode(&mut input)).collect();
    drop(bytes);
    let streams = stream::sort_by_debtor(&mut events);
    let log = std::sync::Mutex::new(File::open(path)?);
    let checked = super::check_streams(plan, &events, &streams, jurisdiction, |f, e| {
        // The log was just read: failing to read a record back leaves its finding without a
        // snippet, not lost.
        let text = read_record(&log, e.bytes.clone()).unwrap_or_default();
        let place = RecordPlace::from_record(e.line, e.bytes.clone(), &text);
        Some(plan.locate_event(f, e, shown, place))
    });
    drop(events);
    let mut findings = Vec::with_capacity(checked.iter().map(|d| d.findings.len()).sum());
    let mut debtors = Debtors::default();
    debtors.absorb(checked, &mut findings);
    Ok((findings, debtors))
}

/// The text of the record at `bytes` of the log.
fn read_record(
    log: &std::sync::Mutex<File>,
    bytes: std::ops::Range<usize>,
) -> std::io::Result<String> {
    let mut file = log
        .lock()
        .map_err(|_| std::io::Error::other("log file handle poisoned"))?;
    file.seek(SeekFrom::Start(bytes.start as u64))?;
    let mut buffer = vec![0; bytes.len()];
    file.read_exact(&mut buffer)?;
    Ok(String::from_utf8_lossy(&buffer).into_owned())
}
