//! Collection logs: records of contacts and events, read from JSONL, CSV or YAML onto the
//! canonical fields of `collection-event.schema.json`, and grouped into per-debtor streams.
//!
//! Data flow: file bytes + [`LogMapping`] -> [`read::read_log`] -> [`LogRead`] (events and
//! rejected records, every record accounted for) -> the engine's event evaluator.

pub mod blocks;
pub mod codec;
mod csv;
mod jsonl;
pub mod read;
pub mod schema;
pub mod stream;
pub mod time;
mod yaml;

pub use read::{read_log, LogError, LogFormat};
pub use schema::{Direction, EventKind, Outcome, Party};
pub use stream::by_debtor;

use std::collections::BTreeMap;
use std::ops::Range;

/// One collection-log record on the canonical fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// 1-based line of the record's first line in the file.
    pub line: usize,
    /// The record's bytes in the file (a JSONL line, a CSV row, a YAML list item).
    pub bytes: Range<usize>,
    /// The record's id; `None` when the log has none (it is then named by file and line).
    pub id: Option<String>,
    pub debtor: String,
    pub account: Option<String>,
    /// The instant, in seconds since the Unix epoch (UTC).
    pub time: i64,
    /// The debtor's local civil time at `time` (from `tz`, else the time's own offset, else the
    /// configured default zone).
    pub local: LocalTime,
    /// The IANA zone name used for `local`, or the offset as written (`+08:00`).
    pub zone: String,
    pub kind: EventKind,
    pub party: Party,
    pub to: Option<String>,
    pub direction: Direction,
    pub outcome: Option<Outcome>,
    pub agent: Option<String>,
    pub text: Option<String>,
    pub recorded: Option<bool>,
    /// Every other field, by its canonical (mapped) name.
    pub extra: BTreeMap<String, FieldValue>,
}

/// A civil (wall-clock) date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalTime {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    /// Seconds since local midnight.
    pub seconds: u32,
    /// Monday = 0 … Sunday = 6.
    pub weekday: u8,
}

/// The value of a field that is not one of the canonical ones.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Text(String),
    Number(rust_decimal::Decimal),
    Bool(bool),
}

/// A record that could not become an [`Event`].
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    /// 1-based line of the record in the file.
    pub line: usize,
    pub reason: String,
}

/// What reading one log file gave: every record read is in `events` or in `rejected`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogRead {
    pub events: Vec<Event>,
    pub rejected: Vec<Rejected>,
}

impl LogRead {
    pub fn records_read(&self) -> usize {
        self.events.len() + self.rejected.len()
    }
}

/// How a log's own column names and words map onto the canonical ones (`log:` in
/// `loanlint.yaml`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogMapping {
    /// canonical field -> the log's column name (e.g. `debtor` -> `debtor_id`).
    pub columns: BTreeMap<String, String>,
    /// canonical field (`kind`, `party`, `direction`, `outcome`) -> the log's word -> the
    /// canonical word (e.g. `kind`: `phone` -> `call`).
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// IANA zone for times written without an offset and records without `tz`.
    pub default_zone: Option<String>,
}

impl LogMapping {
    /// `NAME` of a `columns` or `values` key `extra.NAME`: a field rules read as `e.extra.NAME`.
    pub fn extra_field(key: &str) -> Option<&str> {
        key.strip_prefix("extra.")
            .filter(|name| !name.trim().is_empty())
    }
}
