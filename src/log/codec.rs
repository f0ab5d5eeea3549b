//! A compact binary form of [`Event`], for spilling a log's events to disk between reading
//! and checking (see `logcheck::partition`). Not a storage format: it is written and read by
//! the same run of the same program, so it has no version and no compatibility promise.

use super::schema::{Direction, EventKind, Outcome, Party};
use super::{Event, FieldValue, LocalTime};
use std::collections::BTreeMap;

/// Appends `e` to `out`.
pub fn encode(e: &Event, out: &mut Vec<u8>) {
    varint(out, e.line as u64);
    varint(out, e.bytes.start as u64);
    varint(out, e.bytes.end as u64);
    optional_text(out, e.id.as_deref());
    text(out, &e.debtor);
    optional_text(out, e.account.as_deref());
    out.extend_from_slice(&e.time.to_le_bytes());
    out.extend_from_slice(&e.local.year.to_le_bytes());
    out.extend_from_slice(&[e.local.month, e.local.day, e.local.weekday]);
    out.extend_from_slice(&e.local.seconds.to_le_bytes());
    text(out, &e.zone);
    out.push(index_of(EventKind::ALL, e.kind));
    out.push(index_of(Party::ALL, e.party));
    optional_text(out, e.to.as_deref());
    out.push(index_of(Direction::ALL, e.direction));
    out.push(e.outcome.map_or(u8::MAX, |o| index_of(Outcome::ALL, o)));
    optional_text(out, e.agent.as_deref());
    optional_text(out, e.text.as_deref());
    out.push(match e.recorded {
        None => 2,
        Some(b) => u8::from(b),
    });
    varint(out, e.extra.len() as u64);
    for (name, value) in &e.extra {
        text(out, name);
        match value {
            FieldValue::Text(s) => {
                out.push(0);
                text(out, s);
            }
            FieldValue::Number(n) => {
                out.push(1);
                out.extend_from_slice(&n.serialize());
            }
            FieldValue::Bool(b) => out.push(2 + u8::from(*b)),
        }
    }
}

/// Reads the next event from `input`, advancing it; `None` at the end or on bytes that
/// [`encode`] did not write.
pub fn decode(input: &mut &[u8]) -> Option<Event> {
    let mut r = Reader(input);
    let line = r.usize()?;
    let bytes = r.usize()?..r.usize()?;
    let id = r.optional_text()?;
    let debtor = r.text()?;
    let account = r.optional_text()?;
    let time = i64::from_le_bytes(r.array()?);
    let year = i32::from_le_bytes(r.array()?);
    let [month, day, weekday] = r.array()?;
    let seconds = u32::from_le_bytes(r.array()?);
    let zone = r.text()?;
    let kind = *EventKind::ALL.get(usize::from(r.byte()?))?;
    let party = *Party::ALL.get(usize::from(r.byte()?))?;
    let to = r.optional_text()?;
    let direction = *Direction::ALL.get(usize::from(r.byte()?))?;
    let outcome = match r.byte()? {
        u8::MAX => None,
        i => Some(*Outcome::ALL.get(usize::from(i))?),
    };
    let agent = r.optional_text()?;
    let text = r.optional_text()?;
    let recorded = match r.byte()? {
        0 => Some(false),
        1 => Some(true),
        _ => None,
    };
    let mut extra = BTreeMap::new();
    for _ in 0..r.usize()? {
        let name = r.text()?;
        let value = match r.byte()? {
            0 => FieldValue::Text(r.text()?),
            1 => FieldValue::Number(rust_decimal::Decimal::deserialize(r.array()?)),
            b => FieldValue::Bool(b == 3),
        };
        extra.insert(name, value);
    }
    Some(Event {
        line,
        bytes,
        id,
        debtor,
        account,
        time,
        local: LocalTime {
            year,
            month,
            day,
            seconds,
            weekday,
        },
        zone,
        kind,
        party,
        to,
        direction,
        outcome,
        agent,
        text,
        recorded,
        extra,
    })
}

fn index_of<T: PartialEq>(all: &[T], item: T) -> u8 {
    all.iter()
        .position(|x| *x == item)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(u8::MAX)
}

/// LEB128: small numbers (lines, lengths) in one or two bytes.
fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn text(out: &mut Vec<u8>, s: &str) {
    varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// Length + 1, so that 0 is "absent".
fn optional_text(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => varint(out, 0),
        Some(s) => {
            varint(out, s.len() as u64 + 1);
            out.extend_from_slice(s.as_bytes());
        }
    }
}

struct Reader<'r, 'a>(&'r mut &'a [u8]);

impl Reader<'_, '_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        *self.0 = tail;
        Some(head)
    }

    fn byte(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    fn u64(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(n);
            }
        }
        None
    }

    fn usize(&mut self) -> Option<usize> {
        usize::try_from(self.u64()?).ok()
    }

    fn string_of(&mut self, len: usize) -> Option<String> {
        // SIMD validation: std's was 4% of a partitioned log check (Chinese text).
        simdutf8::basic::from_utf8(self.take(len)?)
            .ok()
            .map(str::to_owned)
    }

    fn text(&mut self) -> Option<String> {
        let len = self.usize()?;
        self.string_of(len)
    }

    fn optional_text(&mut self) -> Option<Option<String>> {
        match self.usize()? {
            0 => Some(None),
            n => self.string_of(n - 1).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{read_log, LogFormat, LogMapping};

    #[test]
    fn every_field_round_trips() {
        let log = concat!(
            r#"{"id":"E1","debtor":"张三","account":"A-1","time":"2026-03-08T01:59:59-05:00","#,
            r#""tz":"America/New_York","kind":"call","party":"employer","to":"+1 555","#,
            r#""direction":"inbound","outcome":"no_answer","agent":"a7","text":"还款 😀","#,
            r#""recorded":true,"collectors":2,"amount":12.50,"consent":false,"note":"x"}"#,
            "\n",
            r#"{"debtor":"d","time":"2026-03-02T10:00:00Z","kind":"sms","recorded":false}"#,
        );
        let read = read_log(
            "t",
            log.as_bytes(),
            LogFormat::Jsonl,
            &LogMapping::default(),
        )
        .expect("a valid log");
        assert_eq!(read.events.len(), 2);
        let mut bytes = Vec::new();
        for e in &read.events {
            encode(e, &mut bytes);
        }
        let mut input = bytes.as_slice();
        let back: Vec<Event> = std::iter::from_fn(|| decode(&mut input)).collect();
        assert_eq!(back, read.events);
        assert!(input.is_empty());
    }

    #[test]
    fn truncated_input_decodes_nothing_rather_than_panicking() {
        let read = read_log(
            "t",
            br#"{"debtor":"d","time":"2026-03-02T10:00:00Z","kind":"sms","text":"hello"}"#,
            LogFormat::Jsonl,
            &LogMapping::default(),
        )
        .expect("a valid log");
        let mut bytes = Vec::new();
        encode(&read.events[0], &mut bytes);
        for cut in 0..bytes.len() {
            let mut input = &bytes[..cut];
            assert_eq!(decode(&mut input), None, "cut at {cut}");
        }
    }
}
