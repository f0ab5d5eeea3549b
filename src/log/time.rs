//! Record timestamps: the instant a record happened and the debtor's civil time then.
//!
//! Zones come from jiff's bundled copy of the IANA database (not the machine's zoneinfo), so
//! the same log gives the same local times on every machine.

use super::LocalTime;
use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, Offset, TimeZone};
use jiff::Timestamp;
use std::collections::HashMap;

/// When a record happened, and the zone its local time was read in.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Instant {
    pub time: i64,
    pub local: LocalTime,
    pub zone: String,
}

/// A time value as the log wrote it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Written {
    /// A civil date and time, with the offset if one was written.
    Civil {
        datetime: DateTime,
        offset: Option<Offset>,
    },
    /// Seconds or milliseconds since the Unix epoch.
    Epoch(Timestamp),
}

/// A zone a record's time is read in, with the name shown in `Event::zone`.
#[derive(Debug, Clone)]
pub(crate) struct Zone {
    pub tz: TimeZone,
    pub name: String,
}

/// Looks up IANA zones once per name: a log names a handful of zones over millions of records.
#[derive(Debug, Default)]
pub(crate) struct Zones {
    cache: HashMap<String, Option<Zone>>,
}

impl Zones {
    /// The zone `name` (an IANA name, any letter case, or a fixed offset such as `+08:00`).
    pub fn get(&mut self, name: &str) -> Option<Zone> {
        if let Some(found) = self.cache.get(name) {
            return found.clone();
        }
        let found = lookup_zone(name);
        self.cache.insert(name.to_string(), found.clone());
        found
    }
}

fn lookup_zone(name: &str) -> Option<Zone> {
    if let Some(offset) = parse_offset(name.as_bytes()).filter(|(_, rest)| rest.is_empty()) {
        return Some(Zone {
            tz: TimeZone::fixed(offset.0),
            name: offset_name(offset.0),
        });
    }
    let tz = TimeZone::get(name).ok()?;
    let name = tz.iana_name().unwrap_or(name).to_string();
    Some(Zone { tz, name })
}

/// Whether `name` is a zone in the bundled IANA database (or a fixed offset).
pub fn is_known_zone(name: &str) -> bool {
    lookup_zone(name).is_some()
}

/// The IANA zone name closest to `name`, when it is likely a typo of it.
pub fn nearest_zone(name: &str) -> Option<String> {
    let wanted = name.to_ascii_lowercase();
    let limit = (name.chars().count() / 4).max(2);
    jiff::tz::db()
        .available()
        .map(|z| {
            let candidate = z.as_str().to_string();
            (
                strsim::levenshtein(&wanted, &candidate.to_ascii_lowercase()),
                candidate,
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// `+08:00`, `-05:00`, `+05:45`: how an offset zone is named in `Event::zone`.
fn offset_name(offset: Offset) -> String {
    let total = offset.seconds();
    let sign = if total < 0 { '-' } else { '+' };
    let minutes = total.unsigned_abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Reads a textual time: `2026-03-02T21:15:00+08:00` (RFC 3339), the same with a space, `/`
/// as date separator, no seconds, fractions of a second (dropped) or no offset; or an epoch
/// number written as digits.
pub(crate) fn parse_time(text: &str) -> Result<Written, String> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        // Only the lengths of present-day epoch values: `20260302` is a compact date, not
        // 1970-08-23, and is refused rather than misread.
        return match text.len() {
            10 | 13 => text.parse::<i64>().ok().and_then(epoch),
            _ => None,
        }
        .ok_or_else(|| {
            "digits alone are read as epoch seconds (10 digits) or milliseconds (13 digits)"
                .to_string()
        });
    }
    let (fields, rest) = civil_fields(text.as_bytes()).ok_or_else(|| {
        "expected RFC 3339 such as 2026-03-02T21:15:00+08:00, or 2026-03-02 21:15[:00] read in \
         the record's time zone"
            .to_string()
    })?;
    let rest = trim_spaces(rest);
    let offset = if rest.is_empty() {
        None
    } else {
        match parse_offset(rest) {
            Some((offset, [])) => Some(offset),
            _ => {
                return Err(format!(
                    "`{}` after the time is not an offset such as +08:00 or Z",
                    String::from_utf8_lossy(rest)
                ))
            }
        }
    };
    let datetime = fields.to_datetime()?;
    Ok(Written::Civil { datetime, offset })
}

/// Epoch seconds, or milliseconds when the number is too large to be seconds of a plausible
/// year (10^11 seconds is the year 5138).
pub(crate) fn epoch(n: i64) -> Option<Written> {
    let ts = if n.unsigned_abs() >= 100_000_000_000 {
        Timestamp::from_millisecond(n).ok()?
    } else {
        Timestamp::from_second(n).ok()?
    };
    Some(Written::Epoch(ts))
}

/// The numbers of a civil date-time, before their ranges are checked.
struct CivilFields {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl CivilFields {
    /// The date-time, or why it does not exist on any calendar (Feb 30, 25:00).
    fn to_datetime(&self) -> Result<DateTime, String> {
        let month_name = usize::try_from(self.month - 1)
            .ok()
            .and_then(|i| MONTHS.get(i))
            .ok_or_else(|| format!("there is no month {}", self.month))?;
        let year = i16::try_from(self.year)
            .ok()
            .filter(|y| (1..=9999).contains(y))
            .ok_or_else(|| format!("year {} is out of range", self.year))?;
        let month = self.month as i8;
        let days = jiff::civil::Date::new(year, month, 1)
            .map(|d| i64::from(d.days_in_month()))
            .map_err(|e| e.to_string())?;
        if !(1..=days).contains(&self.day) {
            return Err(format!("{month_name} {year} has {days} days"));
        }
        if self.hour > 23 {
            return Err(format!("hour {} does not exist (00-23)", self.hour));
        }
        if self.minute > 59 {
            return Err(format!("minute {} does not exist (00-59)", self.minute));
        }
        if self.second > 59 {
            return Err(format!("second {} does not exist (00-59)", self.second));
        }
        DateTime::new(
            year,
            month,
            self.day as i8,
            self.hour as i8,
            self.minute as i8,
            self.second as i8,
            0,
        )
        .map_err(|e| e.to_string())
    }
}

/// `YYYY-MM-DD[T ]HH:MM[:SS[.fff]]` (or `/` between date parts) and what follows it.
fn civil_fields(s: &[u8]) -> Option<(CivilFields, &[u8])> {
    let (year, s) = digits(s, 4, 4)?;
    let sep = *s.first()?;
    if sep != b'-' && sep != b'/' {
        return None;
    }
    let (month, s) = digits(s.get(1..)?, 1, 2)?;
    let s = s.strip_prefix(&[sep])?;
    let (day, s) = digits(s, 1, 2)?;
    let s = match s.first()? {
        b'T' | b't' => s.get(1..)?,
        b' ' => trim_spaces(s),
        _ => return None,
    };
    let (hour, s) = digits(s, 1, 2)?;
    let (minute, s) = digits(s.strip_prefix(b":")?, 2, 2)?;
    let (second, s) = match s.strip_prefix(b":") {
        Some(rest) => digits(rest, 2, 2)?,
        None => (0, s),
    };
    let s = match s.first() {
        Some(b'.' | b',') => {
            let fraction = s.get(1..)?;
            let len = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
            if len == 0 {
                return None;
            }
            fraction.get(len..)?
        }
        _ => s,
    };
    let fields = CivilFields {
        year,
        month,
        day,
        hour,
        minute,
        second,
    };
    Some((fields, s))
}

/// A number of `min..=max` ASCII digits at the start of `s`, and the rest.
fn digits(s: &[u8], min: usize, max: usize) -> Option<(i64, &[u8])> {
    let len = s
        .iter()
        .take(max)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if len < min {
        return None;
    }
    let (number, rest) = s.split_at(len);
    let value = number
        .iter()
        .fold(0i64, |n, b| n * 10 + i64::from(b - b'0'));
    Some((value, rest))
}

fn trim_spaces(s: &[u8]) -> &[u8] {
    let start = s.iter().take_while(|b| **b == b' ').count();
    s.get(start..).unwrap_or_default()
}

/// `Z`, `+08:00`, `+0800` or `+08`, and what follows it.
fn parse_offset(s: &[u8]) -> Option<(Offset, &[u8])> {
    let (sign, s) = match s.first()? {
        b'Z' | b'z' => return Some((Offset::UTC, s.get(1..)?)),
        b'+' => (1, s.get(1..)?),
        b'-' => (-1, s.get(1..)?),
        _ => return None,
    };
    let (hours, s) = digits(s, 2, 2)?;
    let after_colon = s.strip_prefix(b":").unwrap_or(s);
    let (minutes, s) = match digits(after_colon, 2, 2) {
        Some(found) => found,
        None if after_colon.len() == s.len() => (0, s),
        None => return None,
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    let seconds = i32::try_from(sign * (hours * 3600 + minutes * 60)).ok()?;
    Some((Offset::from_seconds(seconds).ok()?, s))
}

/// Where a record's zone came from, for messages.
pub(crate) struct ZoneSource {
    /// The record's `tz`, already looked up.
    pub record: Option<Zone>,
    /// `log.default_zone`, already looked up.
    pub default: Option<Zone>,
}

/// The instant and the debtor's civil time of a written time.
///
/// The local time is read in the record's `tz` when it has one (local-time rules run in the
/// debtor's zone even when the timestamp carries the collector's offset), else in the
/// timestamp's own offset, else in the default zone.
pub(crate) fn resolve(written: Written, zones: &ZoneSource) -> Result<Instant, String> {
    let reading_zone = zones.record.as_ref().or(zones.default.as_ref());
    let timestamp = match written {
        Written::Epoch(ts) => ts,
        Written::Civil {
            datetime,
            offset: Some(offset),
        } => offset.to_timestamp(datetime).map_err(|e| e.to_string())?,
        Written::Civil {
            datetime,
            offset: None,
        } => {
            let zone = reading_zone.ok_or_else(no_zone_message)?;
            in_zone(datetime, zone)?
        }
    };
    let (local, zone) = match (&zones.record, written) {
        (Some(zone), _) => (zone.tz.to_datetime(timestamp), zone.name.clone()),
        (
            None,
            Written::Civil {
                offset: Some(offset),
                ..
            },
        ) => (offset.to_datetime(timestamp), offset_name(offset)),
        (None, _) => {
            let zone = zones.default.as_ref().ok_or_else(no_zone_message)?;
            (zone.tz.to_datetime(timestamp), zone.name.clone())
        }
    };
    Ok(Instant {
        time: timestamp.as_second(),
        local: local_time(local),
        zone,
    })
}

/// Why a time could not be placed: it has no offset and the record no zone.
pub(crate) const NO_ZONE: &str =
    "time without offset and no time zone: set `log.default_zone` in loanlint.yaml";

fn no_zone_message() -> String {
    NO_ZONE.to_string()
}

/// The instant a civil time in `zone` names. A time skipped by a daylight-saving change does
/// not exist and is refused. A repeated time (the hour the clocks go back) is read as its
/// first occurrence, the earlier instant: the same choice as RFC 5545 and Temporal's
/// `compatible`, and the one a log written in local time most often means.
fn in_zone(datetime: DateTime, zone: &Zone) -> Result<Timestamp, String> {
    let ambiguous = zone.tz.to_ambiguous_timestamp(datetime);
    if let AmbiguousOffset::Gap { before, after } = ambiguous.offset() {
        return Err(format!(
            "local time {} does not exist in {}: the clocks went from {} to {} (daylight-saving \
             change)",
            datetime.strftime("%Y-%m-%d %H:%M:%S"),
            zone.name,
            offset_name(before),
            offset_name(after)
        ));
    }
    ambiguous.earlier().map_err(|e| e.to_string())
}

fn local_time(dt: DateTime) -> LocalTime {
    let seconds =
        i64::from(dt.hour()) * 3600 + i64::from(dt.minute()) * 60 + i64::from(dt.second());
    LocalTime {
        year: i32::from(dt.year()),
        month: dt.month().unsigned_abs(),
        day: dt.day().unsigned_abs(),
        seconds: u32::try_from(seconds).unwrap_or(0),
        weekday: dt.weekday().to_monday_zero_offset().unsigned_abs(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str) -> Option<Zone> {
        Zones::default().get(name)
    }

    fn read(text: &str, tz: Option<&str>, default: Option<&str>) -> Result<Instant, String> {
        let sources = ZoneSource {
            record: tz.and_then(zone),
            default: default.and_then(zone),
        };
        resolve(parse_time(text)?, &sources)
    }

    fn hms(i: &Instant) -> (i32, u8, u8, u32) {
        (i.local.year, i.local.month, i.local.day, i.local.seconds)
    }

    #[test]
    fn rfc3339_with_offset() {
        let i = read("2026-03-02T21:15:00+08:00", None, None).unwrap();
        assert_eq!(i.time, 1_772_457_300);
        assert_eq!(hms(&i), (2026, 3, 2, 21 * 3600 + 15 * 60));
        assert_eq!(i.zone, "+08:00");
        assert_eq!(i.local.weekday, 0, "2026-03-02 is a Monday");
        let z = read("2026-03-02T13:15:00Z", None, None).unwrap();
        assert_eq!((z.time, z.zone.as_str()), (1_772_457_300, "+00:00"));
        let compact = read("2026-03-02 21:15:00.250 +0800", None, None).unwrap();
        assert_eq!(compact.time, 1_772_457_300);
    }

    #[test]
    fn the_record_zone_gives_local_time_even_when_an_offset_is_written() {
        let i = read("2026-03-02T21:15:00+08:00", Some("America/Chicago"), None).unwrap();
        assert_eq!(i.time, 1_772_457_300);
        assert_eq!(hms(&i), (2026, 3, 2, 7 * 3600 + 15 * 60));
        assert_eq!(i.zone, "America/Chicago");
    }

    #[test]
    fn times_without_offset_use_tz_then_default_zone() {
        let i = read("2026-03-02 21:15", None, Some("Asia/Shanghai")).unwrap();
        assert_eq!((i.time, i.zone.as_str()), (1_772_457_300, "Asia/Shanghai"));
        let i = read(
            "2026/3/2 08:15",
            Some("America/New_York"),
            Some("Asia/Shanghai"),
        )
        .unwrap();
        assert_eq!(i.time, 1_772_457_300);
        assert_eq!(
            read("2026-03-02 21:15", None, None).unwrap_err(),
            "time without offset and no time zone: set `log.default_zone` in loanlint.yaml"
        );
    }

    #[test]
    fn epoch_seconds_and_milliseconds() {
        let s = read("1772457300", None, Some("Asia/Shanghai")).unwrap();
        let ms = read("1772457300000", None, Some("Asia/Shanghai")).unwrap();
        assert_eq!((s.time, ms.time), (1_772_457_300, 1_772_457_300));
        assert_eq!(s.local.seconds, 21 * 3600 + 15 * 60);
        assert_eq!(
            read("20260302", None, Some("UTC")).unwrap_err(),
            "digits alone are read as epoch seconds (10 digits) or milliseconds (13 digits)"
        );
    }

    #[test]
    fn impossible_times_say_why() {
        let err = |t: &str| read(t, None, Some("UTC")).unwrap_err();
        assert_eq!(err("2026-02-30 10:00"), "February 2026 has 28 days");
        assert_eq!(err("2026-13-01 10:00"), "there is no month 13");
        assert_eq!(err("2026-03-01 25:00"), "hour 25 does not exist (00-23)");
        assert_eq!(err("2026-03-01 10:61"), "minute 61 does not exist (00-59)");
        assert!(err("yesterday").starts_with("expected RFC 3339"));
        assert_eq!(
            err("2026-03-01 10:00 CST"),
            "`CST` after the time is not an offset such as +08:00 or Z"
        );
    }

    #[test]
    fn daylight_saving_gap_is_refused_and_fold_takes_the_first_occurrence() {
        let gap = read("2026-03-08 02:30", Some("America/New_York"), None).unwrap_err();
        assert_eq!(
            gap,
            "local time 2026-03-08 02:30:00 does not exist in America/New_York: the clocks went \
             from -05:00 to -04:00 (daylight-saving change)"
        );
        // 01:30 happens twice on 2026-11-01; the first is 01:30 EDT = 05:30 UTC.
        let fold = read("2026-11-01 01:30", Some("America/New_York"), None).unwrap();
        assert_eq!(fold.time, 1_793_511_000);
        assert_eq!(fold.local.seconds, 5400);
        // With an explicit offset the second occurrence is reachable, and its local time is
        // the same wall clock.
        let second = read("2026-11-01T01:30:00-05:00", Some("America/New_York"), None).unwrap();
        assert_eq!(second.time, 1_793_511_000 + 3600);
        assert_eq!(second.local.seconds, 5400);
    }

    #[test]
    fn zone_names_are_looked_up_in_the_bundled_database() {
        assert_eq!(
            zone("asia/shanghai").map(|z| z.name).as_deref(),
            Some("Asia/Shanghai")
        );
        assert_eq!(zone("+05:45").map(|z| z.name).as_deref(), Some("+05:45"));
        assert!(zone("Asia/Shangai").is_none());
        assert_eq!(
            nearest_zone("Asia/Shangai").as_deref(),
            Some("Asia/Shanghai")
        );
        assert!(is_known_zone("America/Phoenix"));
    }
}
