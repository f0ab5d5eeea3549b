//! Reading a log file onto the canonical record: the format readers turn the file into records
//! of named cells; this module maps their column names and words onto the canonical ones and
//! checks every value, rejecting a record with a reason instead of stopping the file.

use super::schema::{self, Direction, EventKind, Outcome, Party};
use super::time::{self, Written, ZoneSource, Zones};
use super::{Event, FieldValue, LogMapping, LogRead, Rejected};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::path::Path;
use std::str::FromStr;

/// The file formats a collection log can be read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogFormat {
    /// One JSON object per line (`.jsonl`, `.ndjson`).
    Jsonl,
    /// A header row of column names, then one record per row.
    Csv,
    /// A list of maps.
    Yaml,
}

impl LogFormat {
    /// The format a file's extension names (any letter case).
    pub fn from_path(path: &Path) -> Option<LogFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "jsonl" | "ndjson" => Some(LogFormat::Jsonl),
            "csv" => Some(LogFormat::Csv),
            "yaml" | "yml" => Some(LogFormat::Yaml),
            _ => None,
        }
    }
}

/// Why a whole log file could not be read (a bad record is a [`Rejected`], not an error).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LogError {
    #[error("{file}:{line}: not UTF-8 text (first bad byte at offset {offset})")]
    NotUtf8 {
        file: String,
        line: usize,
        offset: usize,
    },
    #[error("{file}: a CSV log needs a header row of column names; the file is empty")]
    CsvNoHeader { file: String },
    #[error("{file}:{line}: the CSV header has no column for {missing}")]
    CsvMissingColumns {
        file: String,
        line: usize,
        missing: String,
    },
    #[error("{file}:{line}: not valid CSV: {message}")]
    Csv {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{file}:{line}: not valid YAML: {message}")]
    YamlSyntax {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{file}: a YAML log must be a list of records (`- debtor: …` items), not {got}")]
    YamlNotAList { file: String, got: &'static str },
}

/// A value as the log wrote it, whatever the file format; borrowed from the file where the
/// reader can (a JSON string without escapes), so most records allocate only what they keep.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell<'a> {
    Text(Cow<'a, str>),
    /// A number as written (JSON, YAML).
    Number(Cow<'a, str>),
    Bool(bool),
    /// An object or a list, as JSON text.
    Nested(String),
    Null,
}

impl Cell<'_> {
    pub fn from_json(value: serde_json::Value) -> Cell<'static> {
        use serde_json::Value;
        match value {
            Value::Null => Cell::Null,
            Value::Bool(b) => Cell::Bool(b),
            Value::Number(n) => Cell::Number(Cow::Owned(n.to_string())),
            Value::String(s) => Cell::Text(Cow::Owned(s)),
            nested @ (Value::Array(_) | Value::Object(_)) => Cell::Nested(nested.to_string()),
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            Cell::Text(_) => "text",
            Cell::Number(_) => "a number",
            Cell::Bool(_) => "true/false",
            Cell::Nested(s) if s.starts_with('[') => "a list",
            Cell::Nested(_) => "an object",
            Cell::Null => "null",
        }
    }

    /// `None` for null and for text that is empty or only spaces: the field is absent.
    fn present(self) -> Option<Self> {
        match self {
            Cell::Null => None,
            Cell::Text(s) if s.trim().is_empty() => None,
            other => Some(other),
        }
    }
}

/// One record read from the file, before mapping.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Record<'a> {
    pub line: usize,
    pub bytes: Range<usize>,
    /// Column name and value, in the order the record has them.
    pub cells: Vec<(Cow<'a, str>, Cell<'a>)>,
}

/// What a format reader gives: each record of the file, read or already rejected.
pub(crate) type Records<'a> = Vec<Result<Record<'a>, Rejected>>;

/// Reads one log file. `path_shown` names the file in errors; every record in the file ends up
/// in `events` or `rejected`, in file order.
pub fn read_log(
    path_shown: &str,
    bytes: &[u8],
    format: LogFormat,
    mapping: &LogMapping,
) -> Result<LogRead, LogError> {
    let text = simdutf8::compat::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        LogError::NotUtf8 {
            file: path_shown.to_string(),
            line: line_of(bytes, offset),
            offset,
        }
    })?;
    read_log_text(path_shown, text, format, mapping)
}

/// [`read_log`] on a file already known to be UTF-8 text.
pub fn read_log_text(
    path_shown: &str,
    text: &str,
    format: LogFormat,
    mapping: &LogMapping,
) -> Result<LogRead, LogError> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = text.get(bom..).unwrap_or_default();
    let mut mapper = Mapper::new(mapping);
    let mut read = LogRead::default();
    // JSONL and CSV records are mapped as they are parsed, so the file's records never all
    // exist at once next to its events.
    match format {
        LogFormat::Jsonl => mapper.map_all(super::jsonl::records(body, bom), &mut read),
        LogFormat::Csv => super::csv::each_record(path_shown, body, bom, mapping, |record| {
            mapper.map_all([record], &mut read)
        })?,
        LogFormat::Yaml => {
            let records = super::yaml::records(path_shown, body, bom)?;
            mapper.map_all(records, &mut read)
        }
    }
    Ok(read)
}

/// Parses blocks of a JSONL or CSV log (see [`super::blocks`]) independently of each other, so
/// a big log can be read block by block, in parallel.
#[derive(Debug, Clone)]
pub struct BlockParser<'m> {
    file: String,
    mapping: &'m LogMapping,
    /// A CSV log's header, read from its first block.
    header: Option<super::csv::Header>,
}

impl<'m> BlockParser<'m> {
    /// A parser for the log whose first block is `first`. For CSV this reads the header row,
    /// and gives how many bytes of `first` it took (the rows start after it).
    pub fn new(
        file: &str,
        format: LogFormat,
        mapping: &'m LogMapping,
        first: &super::blocks::Block,
    ) -> Result<(Self, usize), LogError> {
        let mut parser = BlockParser {
            file: file.to_string(),
            mapping,
            header: None,
        };
        match format {
            LogFormat::Csv => {
                let text = parser.text_of(first)?;
                let (header, rows) = super::csv::read_header(file, text, mapping)?;
                parser.header = Some(header);
                Ok((parser, rows))
            }
            LogFormat::Jsonl | LogFormat::Yaml => Ok((parser, 0)),
        }
    }

    /// The block's bytes as text; CSV cannot be read past bytes that are not UTF-8.
    fn text_of<'b>(&self, block: &'b super::blocks::Block) -> Result<&'b str, LogError> {
        simdutf8::compat::from_utf8(&block.bytes).map_err(|e| {
            let offset = e.valid_up_to();
            LogError::NotUtf8 {
                file: self.file.clone(),
                line: block.first_line + line_of(&block.bytes, offset) - 1,
                offset: block.base + offset,
            }
        })
    }

    /// The records of `block` from byte `skip` on (past a CSV header), as events and rejected
    /// records.
    pub fn parse(&self, block: &super::blocks::Block, skip: usize) -> Result<LogRead, LogError> {
        let mut mapper = Mapper::new(self.mapping);
        let mut read = LogRead::default();
        let rest = block.bytes.get(skip..).unwrap_or_default();
        let first_line = block.first_line + line_of(&block.bytes, skip) - 1;
        // Sized once (records are at most lines): pushing half a million events of a few
        // hundred bytes each by doubling copied each block's events about twice.
        read.events
            .reserve(memchr::memchr_iter(b'\n', rest).count() + 1);
        match &self.header {
            None => mapper.map_all(
                super::jsonl::records_in(rest, block.base + skip, first_line),
                &mut read,
            ),
            Some(header) => {
                let text = self.text_of(block)?;
                let rows = text.get(skip..).unwrap_or_default();
                super::csv::each_row(
                    &self.file,
                    rows,
                    block.base + skip,
                    first_line,
                    header,
                    |record| mapper.map_all([record], &mut read),
                )?
            }
        }
        Ok(read)
    }
}

/// 1-based line of byte `offset`.
pub(crate) fn line_of(bytes: &[u8], offset: usize) -> usize {
    let before = bytes.get(..offset).unwrap_or(bytes);
    memchr::memchr_iter(b'\n', before).count() + 1
}

/// The log column a canonical field is read from.
pub(crate) fn column_of<'m>(mapping: &'m LogMapping, field: &'m str) -> &'m str {
    mapping.columns.get(field).map_or(field, String::as_str)
}

/// Turns records into events under one mapping.
struct Mapper<'m> {
    mapping: &'m LogMapping,
    zones: Zones,
    /// `log.default_zone`, looked up once: `None` when unset, `Some(Err)` when unknown.
    default_zone: Option<Result<time::Zone, String>>,
    /// `log.values` with the log's words trimmed and lower-cased, as they are matched.
    words: Words,
    /// Columns two canonical fields are read from (`account` and `debtor` both `acct_no`).
    shared: BTreeSet<String>,
    /// `log.columns`' `extra.NAME: column`, as column -> NAME.
    extra_names: BTreeMap<String, String>,
    /// `log.values`' `extra.NAME` words, by NAME (normalised as `words`).
    extra_words: Words,
    /// Column -> the canonical fields (indices into `schema::FIELDS`) read from it.
    field_columns: HashMap<String, Vec<usize>>,
    /// Per canonical field: whether its column also feeds another field.
    field_shared: [bool; FIELD_COUNT],
    /// Where the fields were in the last record. Records of one export have the same columns
    /// in the same order, so matching cells to fields is usually a comparison of names with
    /// the last record's (a search per field was 15% of a log check, hashing each name 8%).
    layout: Layout,
}

/// Which cell of a record each canonical field reads, and which cells are extra fields, for
/// records whose columns are `columns`, in order.
#[derive(Default)]
struct Layout {
    columns: Vec<String>,
    slots: [Option<usize>; FIELD_COUNT],
    extra: Vec<bool>,
}

impl Layout {
    fn fits(&self, cells: &[(Cow<str>, Cell)]) -> bool {
        self.columns.len() == cells.len()
            && self
                .columns
                .iter()
                .zip(cells)
                .all(|(column, (name, _))| column == name)
    }
}

const FIELD_COUNT: usize = schema::FIELDS.len();

/// The index of canonical `field` in `schema::FIELDS` (a `match`: asked 13 times a record).
fn field_slot(field: &str) -> Option<usize> {
    let slot = match field {
        "id" => 0,
        "debtor" => 1,
        "account" => 2,
        "time" => 3,
        "tz" => 4,
        "kind" => 5,
        "party" => 6,
        "to" => 7,
        "direction" => 8,
        "outcome" => 9,
        "agent" => 10,
        "text" => 11,
        "recorded" => 12,
        _ => return None,
    };
    debug_assert_eq!(schema::FIELDS.get(slot), Some(&field));
    Some(slot)
}

/// canonical field -> the log's word (trimmed, lower case) -> the canonical word.
type Words = BTreeMap<String, BTreeMap<String, String>>;

fn shared_columns(mapping: &LogMapping) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    schema::FIELDS
        .iter()
        .map(|f| column_of(mapping, f))
        .filter(|column| !seen.insert(*column))
        .map(str::to_string)
        .collect()
}

fn normalized_words(mapping: &LogMapping) -> Words {
    mapping
        .values
        .iter()
        .map(|(field, words)| {
            let words = words
                .iter()
                .map(|(from, to)| (from.trim().to_lowercase(), to.trim().to_string()))
                .collect();
            (field.clone(), words)
        })
        .collect()
}

impl<'m> Mapper<'m> {
    fn new(mapping: &'m LogMapping) -> Self {
        let mut zones = Zones::default();
        let default_zone = mapping.default_zone.as_deref().map(|name| {
            zones
                .get(name.trim())
                .ok_or_else(|| unknown_zone(name, "`log.default_zone`"))
        });
        let shared = shared_columns(mapping);
        let mut field_columns: HashMap<String, Vec<usize>> = HashMap::new();
        let mut field_shared = [false; FIELD_COUNT];
        for (i, field) in schema::FIELDS.iter().enumerate() {
            let column = column_of(mapping, field);
            field_columns.entry(column.to_string()).or_default().push(i);
            if let Some(flag) = field_shared.get_mut(i) {
                *flag = shared.contains(column);
            }
        }
        Mapper {
            mapping,
            zones,
            default_zone,
            words: normalized_words(mapping),
            shared,
            field_columns,
            field_shared,
            layout: Layout::default(),
            extra_names: mapping
                .columns
                .iter()
                .filter_map(|(field, column)| {
                    let name = LogMapping::extra_field(field)?;
                    Some((column.clone(), name.to_string()))
                })
                .collect(),
            extra_words: normalized_words(mapping)
                .into_iter()
                .filter_map(|(field, words)| {
                    Some((LogMapping::extra_field(&field)?.to_string(), words))
                })
                .collect(),
        }
    }

    fn map_all<'a>(
        &mut self,
        records: impl IntoIterator<Item = Result<Record<'a>, Rejected>>,
        read: &mut LogRead,
    ) {
        for record in records {
            match record.and_then(|r| self.event(r)) {
                Ok(event) => read.events.push(event),
                Err(rejected) => read.rejected.push(rejected),
            }
        }
    }

    fn event(&mut self, record: Record) -> Result<Event, Rejected> {
        let line = record.line;
        self.fields(record)
            .map_err(|reason| Rejected { line, reason })
    }

    /// Each field reads the first cell of its column (as a search in record order would);
    /// the cells no field reads, of columns no field reads, are extra fields.
    fn layout_of(&self, cells: &[(Cow<str>, Cell)]) -> Layout {
        let mut slots = [None; FIELD_COUNT];
        let mut extra = vec![true; cells.len()];
        for (i, (column, _)) in cells.iter().enumerate() {
            let fields = self.field_columns.get(column.as_ref());
            for &f in fields.into_iter().flatten() {
                if let Some(slot @ None) = slots.get_mut(f) {
                    *slot = Some(i);
                    if let Some(e) = extra.get_mut(i) {
                        *e = false;
                    }
                }
            }
            if self.shared.contains(column.as_ref()) {
                if let Some(e) = extra.get_mut(i) {
                    *e = false;
                }
            }
        }
        Layout {
            columns: cells.iter().map(|(c, _)| c.to_string()).collect(),
            slots,
            extra,
        }
    }

    fn fields(&mut self, record: Record) -> Result<Event, String> {
        if !self.layout.fits(&record.cells) {
            self.layout = self.layout_of(&record.cells);
        }
        let mut fields = Fields {
            mapping: self.mapping,
            words: &self.words,
            extra_names: &self.extra_names,
            extra_words: &self.extra_words,
            field_shared: &self.field_shared,
            slots: self.layout.slots,
            extra: &self.layout.extra,
            cells: record.cells,
        };
        let debtor = fields.required_text("debtor")?;
        let time_column = column_of(self.mapping, "time");
        let time_cell = fields
            .take("time")
            .ok_or_else(|| missing("time", time_column))?;
        let kind = fields
            .word("kind", EventKind::from_word)?
            .ok_or_else(|| missing("kind", column_of(self.mapping, "kind")))?;
        let tz = fields.optional_text("tz")?;
        let id = fields.optional_text("id")?;
        let account = fields.optional_text("account")?;
        let party = fields.word("party", Party::from_word)?;
        let to = fields.optional_text("to")?;
        let direction = fields.word("direction", Direction::from_word)?;
        let outcome = fields.word("outcome", Outcome::from_word)?;
        let agent = fields.optional_text("agent")?;
        let text = fields.body_text("text")?;
        let recorded = fields.flag("recorded")?;
        let extra = fields.extra();
        let instant = self
            .instant(&time_cell, tz.as_deref())
            .map_err(|why| match why {
                TimeFailure::Plain(message) => message,
                TimeFailure::OfValue(why) => bad_time(&time_cell, time_column, &why),
            })?;
        Ok(Event {
            line: record.line,
            bytes: record.bytes,
            id,
            debtor,
            account,
            time: instant.time,
            local: instant.local,
            zone: instant.zone,
            kind,
            party: party.unwrap_or(Party::Debtor),
            to,
            direction: direction.unwrap_or(Direction::Outbound),
            outcome,
            agent,
            text,
            recorded,
            extra,
        })
    }
}

/// Why a record's time could not be placed.
enum TimeFailure {
    /// A message that stands alone (unknown zone, no zone at all).
    Plain(String),
    /// What is wrong with the written value; shown after the value and its column.
    OfValue(String),
}

impl Mapper<'_> {
    /// The instant and local time of a record's time cell, read in its `tz` (if any) or the
    /// default zone.
    fn instant(&mut self, cell: &Cell, tz: Option<&str>) -> Result<time::Instant, TimeFailure> {
        let written = written_time(cell).map_err(TimeFailure::OfValue)?;
        let record = match tz {
            Some(name) => {
                Some(record_zone(&mut self.zones, self.mapping, name).map_err(TimeFailure::Plain)?)
            }
            None => None,
        };
        let has_offset = matches!(
            written,
            Written::Civil {
                offset: Some(_),
                ..
            }
        );
        let default = match &self.default_zone {
            Some(Err(unknown)) if record.is_none() && !has_offset => {
                return Err(TimeFailure::Plain(unknown.clone()))
            }
            Some(Ok(zone)) => Some(zone.clone()),
            _ => None,
        };
        let sources = ZoneSource { record, default };
        time::resolve(written, &sources).map_err(|why| {
            if why == time::NO_ZONE {
                TimeFailure::Plain(why)
            } else {
                TimeFailure::OfValue(why)
            }
        })
    }
}

fn record_zone(zones: &mut Zones, mapping: &LogMapping, name: &str) -> Result<time::Zone, String> {
    zones.get(name).ok_or_else(|| {
        let column = format!("column `{}`", column_of(mapping, "tz"));
        unknown_zone(name, &column)
    })
}

fn unknown_zone(name: &str, source: &str) -> String {
    let hint =
        time::nearest_zone(name).map_or_else(String::new, |z| format!("; did you mean `{z}`?"));
    format!("unknown time zone `{name}` ({source}){hint}")
}

fn missing(field: &str, column: &str) -> String {
    format!("missing required field `{field}` (column `{column}`)")
}

fn bad_time(cell: &Cell, column: &str, why: &str) -> String {
    let shown = match cell {
        Cell::Text(s) | Cell::Number(s) => s.to_string(),
        Cell::Nested(s) => s.clone(),
        Cell::Bool(b) => b.to_string(),
        Cell::Null => "null".into(),
    };
    format!("bad time `{shown}` (column `{column}`): {why}")
}

fn written_time(cell: &Cell) -> Result<Written, String> {
    match cell {
        Cell::Text(s) => time::parse_time(s),
        Cell::Number(n) => n
            .parse::<i64>()
            .ok()
            .and_then(time::epoch)
            .ok_or_else(|| "a number time must be whole epoch seconds or milliseconds".into()),
        other => Err(format!(
            "expected text or a number, got {}",
            other.describe()
        )),
    }
}

/// A record's cells, taken out one canonical field at a time; what is left is `extra`.
struct Fields<'m, 'a> {
    mapping: &'m LogMapping,
    words: &'m Words,
    extra_names: &'m BTreeMap<String, String>,
    extra_words: &'m Words,
    field_shared: &'m [bool; FIELD_COUNT],
    /// Per canonical field, the index of its cell (`None`: the record has no such column).
    slots: [Option<usize>; FIELD_COUNT],
    /// Per cell, whether it is an extra field.
    extra: &'m [bool],
    cells: Vec<(Cow<'a, str>, Cell<'a>)>,
}

impl<'a> Fields<'_, 'a> {
    /// The present value of canonical `field`. Its cell is left empty, and is not an extra
    /// field, unless another field reads the same column.
    fn take(&mut self, field: &str) -> Option<Cell<'a>> {
        let f = field_slot(field)?;
        let at = (*self.slots.get(f)?)?;
        let (_, cell) = self.cells.get_mut(at)?;
        if self.field_shared.get(f).copied().unwrap_or(false) {
            return cell.clone().present();
        }
        std::mem::replace(cell, Cell::Null).present()
    }

    fn wrong_type(&self, field: &str, expected: &str, got: &Cell) -> String {
        let column = column_of(self.mapping, field);
        format!(
            "wrong type for `{field}` (column `{column}`): expected {expected}, got {}",
            got.describe()
        )
    }

    /// A text field; numbers are taken as written (ids are often numeric), spaces trimmed.
    fn optional_text(&mut self, field: &str) -> Result<Option<String>, String> {
        match self.take(field) {
            None => Ok(None),
            Some(Cell::Text(s)) => Ok(Some(trimmed(s))),
            Some(Cell::Number(n)) => Ok(Some(n.into_owned())),
            Some(other) => Err(self.wrong_type(field, "text", &other)),
        }
    }

    fn required_text(&mut self, field: &str) -> Result<String, String> {
        self.optional_text(field)?
            .ok_or_else(|| missing(field, column_of(self.mapping, field)))
    }

    /// A message body: kept exactly as written.
    fn body_text(&mut self, field: &str) -> Result<Option<String>, String> {
        match self.take(field) {
            None => Ok(None),
            Some(Cell::Text(s)) => Ok(Some(s.into_owned())),
            Some(Cell::Number(n)) => Ok(Some(n.into_owned())),
            Some(other) => Err(self.wrong_type(field, "text", &other)),
        }
    }

    fn flag(&mut self, field: &str) -> Result<Option<bool>, String> {
        let cell = match self.take(field) {
            None => return Ok(None),
            Some(cell) => cell,
        };
        let word = match &cell {
            Cell::Bool(b) => return Ok(Some(*b)),
            Cell::Text(s) | Cell::Number(s) => s.trim().to_ascii_lowercase(),
            _ => String::new(),
        };
        match word.as_str() {
            "true" | "yes" | "y" | "1" => Ok(Some(true)),
            "false" | "no" | "n" | "0" => Ok(Some(false)),
            _ => Err(self.wrong_type(field, "true or false", &cell)),
        }
    }

    /// A vocabulary field: the log's word through `log.values`, else the canonical word, both
    /// trimmed and in any letter case.
    fn word<T>(
        &mut self,
        field: &str,
        from_word: fn(&str) -> Option<T>,
    ) -> Result<Option<T>, String> {
        let cell = match self.take(field) {
            None => return Ok(None),
            Some(cell) => cell,
        };
        let Cell::Text(written) = &cell else {
            return Err(self.wrong_type(field, "a word", &cell));
        };
        let wanted = lower_case(written.trim());
        let mapped = self
            .words
            .get(field)
            .and_then(|words| words.get(wanted.as_ref()));
        let canonical = mapped.map_or(wanted.as_ref(), String::as_str);
        from_word(canonical)
            .map(Some)
            .ok_or_else(|| self.unknown_word(field, written.trim()))
    }

    fn unknown_word(&self, field: &str, written: &str) -> String {
        let column = column_of(self.mapping, field);
        let canonical = schema::words_of(field).unwrap_or_default();
        let mapped = self.mapping.values.get(field);
        let candidates = canonical
            .iter()
            .map(|w| w.to_string())
            .chain(mapped.into_iter().flat_map(|m| m.keys().cloned()));
        let wanted = written.to_lowercase();
        // Two edits turn any two-character Chinese word into any other: a suggestion only for
        // a near spelling of a longer word, else the list of what is accepted.
        let chars = wanted.chars().count();
        let limit = if wanted.is_ascii() {
            (chars / 3).max(2)
        } else {
            chars / 3
        };
        let nearest = candidates
            .map(|c| (strsim::levenshtein(&wanted, &c.to_lowercase()), c))
            .filter(|(d, _)| *d <= limit)
            .min();
        let hint = match nearest {
            Some((_, word)) => format!("; did you mean `{word}`?"),
            None => {
                let mut accepted = canonical.join(", ");
                if let Some(words) = mapped.filter(|m| !m.is_empty()) {
                    let own: Vec<&str> = words.keys().map(String::as_str).collect();
                    accepted.push_str(&format!(
                        ", or a word mapped in `log.values.{field}`: {}",
                        own.join(", ")
                    ));
                }
                format!("; expected one of {accepted}")
            }
        };
        format!("unknown {field} `{written}` (column `{column}`){hint}")
    }

    /// The cells no canonical field took, by column name.
    fn extra(self) -> BTreeMap<String, FieldValue> {
        if !self.extra.contains(&true) {
            return BTreeMap::new();
        }
        let (names, words) = (self.extra_names, self.extra_words);
        self.cells
            .into_iter()
            .zip(self.extra)
            .filter(|(_, extra)| **extra)
            .map(|(cell, _)| cell)
            .filter_map(|(column, cell)| {
                let name = names
                    .get(column.as_ref())
                    .cloned()
                    .unwrap_or_else(|| column.into_owned());
                let cell = mapped_extra_word(words, &name, cell);
                extra_value(cell).map(|v| (name, v))
            })
            .collect()
    }
}

/// `word` in lower case; borrowed when it has no upper-case letter (the usual case).
fn lower_case(word: &str) -> Cow<'_, str> {
    if word.chars().any(char::is_uppercase) {
        Cow::Owned(word.to_lowercase())
    } else {
        Cow::Borrowed(word)
    }
}

/// A text value trimmed of spaces, owned; no copy when it is owned and already trimmed.
fn trimmed(s: Cow<'_, str>) -> String {
    match s {
        Cow::Owned(s) if s.trim().len() == s.len() => s,
        s => s.trim().to_string(),
    }
}

/// An extra field's cell through `log.values.extra.NAME` (`是` -> `true`; `words` by NAME),
/// typed as a CSV cell is; unchanged when the field has no words mapped or the cell's word is
/// not among them.
fn mapped_extra_word<'a>(words: &Words, name: &str, cell: Cell<'a>) -> Cell<'a> {
    let Some(mapped) = words.get(name) else {
        return cell;
    };
    let written = match &cell {
        Cell::Text(s) | Cell::Number(s) => lower_case(s.trim()).into_owned(),
        Cell::Bool(b) => b.to_string(),
        Cell::Null | Cell::Nested(_) => return cell,
    };
    match mapped.get(&written) {
        Some(value) => super::csv::typed_cell(value),
        None => cell,
    }
}

fn extra_value(cell: Cell) -> Option<FieldValue> {
    match cell {
        Cell::Null => None,
        Cell::Bool(b) => Some(FieldValue::Bool(b)),
        Cell::Number(n) => Some(
            rust_decimal::Decimal::from_str(&n)
                .or_else(|_| rust_decimal::Decimal::from_scientific(&n))
                .map_or_else(|_| FieldValue::Text(n.into_owned()), FieldValue::Number),
        ),
        Cell::Text(s) => Some(FieldValue::Text(s.into_owned())),
        Cell::Nested(json) => Some(FieldValue::Text(json)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping() -> LogMapping {
        let mut m = LogMapping {
            default_zone: Some("Asia/Shanghai".into()),
            ..LogMapping::default()
        };
        for (field, column) in [
            ("debtor", "debtor_id"),
            ("time", "ts"),
            ("kind", "channel"),
            ("id", "event_id"),
        ] {
            m.columns.insert(field.into(), column.into());
        }
        m.values.insert(
            "party".into(),
            [("third_party".to_string(), "other_third_party".to_string())].into(),
        );
        m.values.insert(
            "kind".into(),
            [("Phone".to_string(), "call".to_string())].into(),
        );
        m
    }

    fn one(json: &str) -> Result<Event, String> {
        let read = read_log("t.jsonl", json.as_bytes(), LogFormat::Jsonl, &mapping()).unwrap();
        match (read.events.first(), read.rejected.first()) {
            (Some(e), None) => Ok(e.clone()),
            (None, Some(r)) => Err(r.reason.clone()),
            _ => panic!("expected one record: {read:?}"),
        }
    }

    #[test]
    fn field_slots_are_the_schema_order() {
        for (i, f) in schema::FIELDS.iter().enumerate() {
            assert_eq!(field_slot(f), Some(i));
        }
        assert_eq!(field_slot("extra"), None);
    }

    /// Records whose columns change from one line to the next (order, duplicates, a column two
    /// fields share, extra columns) read as each would alone.
    #[test]
    fn each_record_is_read_by_its_own_columns_whatever_the_last_one_had() {
        let lines = [
            r#"{"debtor_id":"D1","ts":"2026-03-02 09:00","channel":"call","note":"a"}"#,
            r#"{"note":"b","channel":"sms","ts":"2026-03-02 10:00","debtor_id":"D2"}"#,
            r#"{"debtor_id":"D3","ts":"2026-03-02 11:00","channel":"call"}"#,
            r#"{"debtor_id":"D4","ts":"2026-03-02 12:00","channel":"call","to":"138","x":1}"#,
            r#"{"debtor_id":"D5","ts":"2026-03-02 12:00","channel":"call","to":"138","y":1}"#,
        ];
        let all = read_log(
            "t.jsonl",
            lines.join("\n").as_bytes(),
            LogFormat::Jsonl,
            &mapping(),
        )
        .unwrap();
        assert!(all.rejected.is_empty(), "{:?}", all.rejected);
        assert_eq!(all.events.len(), lines.len());
        for (line, together) in lines.iter().zip(&all.events) {
            let alone = one(line).unwrap();
            assert_eq!(together.debtor, alone.debtor);
            assert_eq!(together.kind, alone.kind);
            assert_eq!(together.to, alone.to);
            assert_eq!(together.extra, alone.extra, "{line}");
        }
        assert!(all.events[2].extra.is_empty());
        assert!(all.events[3].extra.contains_key("x") && !all.events[3].extra.contains_key("y"));
        assert!(all.events[4].extra.contains_key("y") && !all.events[4].extra.contains_key("x"));

        // A column read by two fields is neither consumed by the first nor an extra field.
        let mut shared = mapping();
        shared.columns.insert("account".into(), "debtor_id".into());
        let csv = "debtor_id,ts,channel,note,note\nD1,2026-03-02 09:00,call,a,b\n\
                   D2,2026-03-02 10:00,sms,c,d\n";
        let read = read_log("t.csv", csv.as_bytes(), LogFormat::Csv, &shared).unwrap();
        assert!(read.rejected.is_empty(), "{:?}", read.rejected);
        for (e, d) in read.events.iter().zip(["D1", "D2"]) {
            assert_eq!(e.debtor, d);
            assert_eq!(e.account.as_deref(), Some(d));
            assert!(!e.extra.contains_key("debtor_id"), "{:?}", e.extra);
        }

        // A repeated column read by a field feeds it from its first cell; the other cell is
        // an extra field of the same name.
        let csv = "debtor_id,ts,channel,text,text\nD1,2026-03-02 09:00,call,a,b\n";
        let read = read_log("t.csv", csv.as_bytes(), LogFormat::Csv, &mapping()).unwrap();
        let e = &read.events[0];
        assert_eq!(e.text.as_deref(), Some("a"));
        assert_eq!(
            e.extra.get("text"),
            Some(&FieldValue::Text("b".into())),
            "{:?}",
            e.extra
        );
    }

    #[test]
    fn format_from_extension() {
        let f = |p: &str| LogFormat::from_path(Path::new(p));
        assert_eq!(f("a/b.JSONL"), Some(LogFormat::Jsonl));
        assert_eq!(f("b.ndjson"), Some(LogFormat::Jsonl));
        assert_eq!(f("b.csv"), Some(LogFormat::Csv));
        assert_eq!(f("b.yml"), Some(LogFormat::Yaml));
        assert_eq!(f("b.yaml"), Some(LogFormat::Yaml));
        assert_eq!(f("b.txt"), None);
        assert_eq!(f("yaml"), None);
    }

    #[test]
    fn mapped_words_and_canonical_words_in_any_case() {
        let e = one(r#"{"debtor_id":"D1","ts":"2026-03-02 09:00","channel":" phone ","party":"THIRD_PARTY"}"#)
            .unwrap();
        assert_eq!((e.kind, e.party), (EventKind::Call, Party::OtherThirdParty));
        assert_eq!(e.direction, Direction::Outbound);
        let e = one(
            r#"{"debtor_id":"D1","ts":"2026-03-02 09:00","channel":"SMS","direction":"Inbound"}"#,
        )
        .unwrap();
        assert_eq!((e.kind, e.party), (EventKind::Sms, Party::Debtor));
        assert_eq!(e.direction, Direction::Inbound);
    }

    #[test]
    fn unknown_words_suggest_the_nearest() {
        let base = r#""debtor_id":"D1","ts":"2026-03-02 09:00""#;
        assert_eq!(
            one(&format!(r#"{{{base},"channel":"cal"}}"#)).unwrap_err(),
            "unknown kind `cal` (column `channel`); did you mean `call`?"
        );
        assert_eq!(
            one(&format!(r#"{{{base},"channel":"phon"}}"#)).unwrap_err(),
            "unknown kind `phon` (column `channel`); did you mean `Phone`?"
        );
        assert_eq!(
            one(&format!(
                r#"{{{base},"channel":"call","direction":"sideways"}}"#
            ))
            .unwrap_err(),
            "unknown direction `sideways` (column `direction`); expected one of outbound, inbound"
        );
        assert_eq!(
            one(&format!(
                r#"{{{base},"channel":"call","outcome":"no answer"}}"#
            ))
            .unwrap_err(),
            "unknown outcome `no answer` (column `outcome`); did you mean `no_answer`?"
        );
    }

    #[test]
    fn short_chinese_words_list_what_is_accepted_instead_of_guessing() {
        let mut m = mapping();
        m.values
            .entry("kind".into())
            .or_default()
            .insert("外访".into(), "visit".into());
        let csv = "debtor_id,ts,channel\nD1,2026-03-02 09:00,微信\n";
        let read = read_log("t.csv", csv.as_bytes(), LogFormat::Csv, &m).unwrap();
        let reason = &read.rejected[0].reason;
        assert!(reason.starts_with("unknown kind `微信` (column `channel`); expected one of call,"));
        assert!(
            reason.ends_with("or a word mapped in `log.values.kind`: Phone, 外访"),
            "{reason}"
        );
    }

    #[test]
    fn extra_columns_and_words_are_mapped_to_the_names_rules_read() {
        let mut m = mapping();
        m.columns
            .insert("extra.collectors".into(), "外访人数".into());
        m.columns.insert("extra.consent".into(), "客户同意".into());
        let yes_no = [("是", "true"), ("否", "false")];
        m.values.insert(
            "extra.consent".into(),
            yes_no
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        );
        let csv = "debtor_id,ts,channel,外访人数,客户同意,备注\n\
                   D1,2026-03-02 09:00,call,1,是,x\n\
                   D1,2026-03-02 10:00,call,2,否,y\n\
                   D1,2026-03-02 11:00,call,3,不详,z\n";
        let read = read_log("t.csv", csv.as_bytes(), LogFormat::Csv, &m).unwrap();
        let extra: Vec<Vec<(String, FieldValue)>> = read
            .events
            .iter()
            .map(|e| e.extra.clone().into_iter().collect())
            .collect();
        let n = |v: i64| FieldValue::Number(rust_decimal::Decimal::from(v));
        let t = |s: &str| FieldValue::Text(s.into());
        assert_eq!(
            extra,
            [
                vec![
                    ("collectors".into(), n(1)),
                    ("consent".into(), FieldValue::Bool(true)),
                    ("备注".into(), t("x")),
                ],
                vec![
                    ("collectors".into(), n(2)),
                    ("consent".into(), FieldValue::Bool(false)),
                    ("备注".into(), t("y")),
                ],
                // A word the mapping does not know stays as written.
                vec![
                    ("collectors".into(), n(3)),
                    ("consent".into(), t("不详")),
                    ("备注".into(), t("z")),
                ],
            ]
        );
    }

    #[test]
    fn wrong_types_name_field_and_column() {
        assert_eq!(
            one(r#"{"debtor_id":{"id":1},"ts":"2026-03-02 09:00","channel":"call"}"#).unwrap_err(),
            "wrong type for `debtor` (column `debtor_id`): expected text, got an object"
        );
        assert_eq!(
            one(r#"{"debtor_id":"D1","ts":"2026-03-02 09:00","channel":3}"#).unwrap_err(),
            "wrong type for `kind` (column `channel`): expected a word, got a number"
        );
        assert_eq!(
            one(r#"{"debtor_id":"D1","ts":true,"channel":"call"}"#).unwrap_err(),
            "bad time `true` (column `ts`): expected text or a number, got true/false"
        );
        assert_eq!(
            one(
                r#"{"debtor_id":"D1","ts":"2026-03-02 09:00","channel":"call","recorded":"maybe"}"#
            )
            .unwrap_err(),
            "wrong type for `recorded` (column `recorded`): expected true or false, got text"
        );
    }

    #[test]
    fn numeric_ids_empty_optionals_and_extra_fields() {
        let e = one(
            r#"{"debtor_id":1024,"ts":1772457300,"channel":"call","agent":"","to":null,
               "amount":12.50,"vip":true,"tags":["a","b"],"note":"x","recorded":"yes"}"#
                .replace('\n', "")
                .as_str(),
        )
        .unwrap();
        assert_eq!(e.debtor, "1024");
        assert_eq!((e.agent, e.to, e.recorded), (None, None, Some(true)));
        assert_eq!(e.time, 1_772_457_300);
        assert_eq!(e.zone, "Asia/Shanghai");
        let extra: Vec<(&str, &FieldValue)> =
            e.extra.iter().map(|(k, v)| (k.as_str(), v)).collect();
        assert_eq!(
            extra,
            [
                (
                    "amount",
                    &FieldValue::Number(rust_decimal::Decimal::new(125, 1))
                ),
                ("note", &FieldValue::Text("x".into())),
                ("tags", &FieldValue::Text(r#"["a","b"]"#.into())),
                ("vip", &FieldValue::Bool(true)),
            ]
        );
    }

    #[test]
    fn two_fields_may_read_one_column() {
        let mut m = mapping();
        m.columns.insert("account".into(), "debtor_id".into());
        let line = r#"{"debtor_id":"D7","ts":"2026-03-02 09:00","channel":"call"}"#;
        let read = read_log("t.jsonl", line.as_bytes(), LogFormat::Jsonl, &m).unwrap();
        let e = &read.events[0];
        assert_eq!(
            (e.debtor.as_str(), e.account.as_deref()),
            ("D7", Some("D7"))
        );
        assert!(e.extra.is_empty());
    }

    #[test]
    fn missing_required_fields_name_their_column() {
        assert_eq!(
            one(r#"{"ts":"2026-03-02 09:00","channel":"call"}"#).unwrap_err(),
            "missing required field `debtor` (column `debtor_id`)"
        );
        assert_eq!(
            one(r#"{"debtor_id":"  ","ts":"2026-03-02 09:00","channel":"call"}"#).unwrap_err(),
            "missing required field `debtor` (column `debtor_id`)"
        );
        assert_eq!(
            one(r#"{"debtor_id":"D1","channel":"call"}"#).unwrap_err(),
            "missing required field `time` (column `ts`)"
        );
        assert_eq!(
            one(r#"{"debtor_id":"D1","ts":"2026-03-02 09:00"}"#).unwrap_err(),
            "missing required field `kind` (column `channel`)"
        );
    }

    #[test]
    fn time_problems_name_the_value_and_column() {
        let rec = |ts: &str, tz: &str| {
            one(&format!(
                r#"{{"debtor_id":"D1","ts":"{ts}","tz":"{tz}","channel":"call"}}"#
            ))
        };
        assert_eq!(
            rec("2026-02-30 10:00", "Asia/Shanghai").unwrap_err(),
            "bad time `2026-02-30 10:00` (column `ts`): February 2026 has 28 days"
        );
        assert_eq!(
            rec("2026-03-01 25:00", "").unwrap_err(),
            "bad time `2026-03-01 25:00` (column `ts`): hour 25 does not exist (00-23)"
        );
        assert_eq!(
            rec("2026-03-01 10:00", "Asia/Shangai").unwrap_err(),
            "unknown time zone `Asia/Shangai` (column `tz`); did you mean `Asia/Shanghai`?"
        );
        assert_eq!(
            rec("2026-03-08 02:30", "America/New_York").unwrap_err(),
            "bad time `2026-03-08 02:30` (column `ts`): local time 2026-03-08 02:30:00 does not \
             exist in America/New_York: the clocks went from -05:00 to -04:00 (daylight-saving \
             change)"
        );
    }

    #[test]
    fn no_zone_anywhere_is_a_rejection_that_says_what_to_set() {
        let mut m = mapping();
        m.default_zone = None;
        let line = r#"{"debtor_id":"D1","ts":"2026-03-02 09:00","channel":"call"}"#;
        let read = read_log("t.jsonl", line.as_bytes(), LogFormat::Jsonl, &m).unwrap();
        assert_eq!(
            read.rejected[0].reason,
            "time without offset and no time zone: set `log.default_zone` in loanlint.yaml"
        );
        m.default_zone = Some("Mars/Base".into());
        let read = read_log("t.jsonl", line.as_bytes(), LogFormat::Jsonl, &m).unwrap();
        assert_eq!(
            read.rejected[0].reason,
            "unknown time zone `Mars/Base` (`log.default_zone`)"
        );
    }

    #[test]
    fn not_utf8_names_the_line() {
        let bytes = b"{\"a\":1}\n{\"b\":\"\xff\"}\n";
        let err = read_log("t.jsonl", bytes, LogFormat::Jsonl, &mapping()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.jsonl:2: not UTF-8 text (first bad byte at offset 14)"
        );
    }
}
