//! The built-in US collection pack (rules/us-collection/, Regulation F), loaded from its real
//! files and evaluated on hand-built event streams in America/New_York.

use super::*;
use crate::lang::SourceFile;
use crate::log::{Direction, EventKind, FieldValue, LocalTime, Outcome, Party};

fn pack_sources() -> Vec<SourceFile> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/us-collection");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rules"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| SourceFile {
            text: std::fs::read_to_string(&p).unwrap(),
            path: p.to_string_lossy().into_owned(),
        })
        .collect()
}

fn plan() -> Plan {
    let files = pack_sources();
    let (set, warnings) =
        crate::lang::compile(&files, &crate::concepts::ConceptCatalogue::builtin())
            .unwrap_or_else(|d| panic!("{}", crate::lang::render(&d, &files, false)));
    assert!(
        warnings.is_empty(),
        "{}",
        crate::lang::render(&warnings, &files, false)
    );
    Plan::compile(set).unwrap()
}

#[test]
fn us_collection_pack_compiles_without_warnings() {
    let p = plan();
    assert_eq!(p.rules.rules.len(), 11);
}

/// Whether a New York civil time is in daylight saving time (2026: from 8 March 02:00 to
/// 1 November 02:00 local).
fn new_york_is_dst(month: u8, day: u8, seconds: u32) -> bool {
    let at = (month, day, seconds);
    at >= (3, 8, 7200) && at < (11, 1, 3600)
}

/// A record at a New York civil time in 2026, `"MM-DD HH:MM[:SS]"`, with the local fields and
/// the instant consistent with the zone's offset that day (EST −5, EDT −4). Outbound, to the
/// debtor, no outcome, no text.
fn ev(line: usize, local: &str, kind: EventKind) -> Event {
    let num = |s: &str| -> u32 { s.parse().unwrap() };
    let (date, time) = local.split_once(' ').unwrap();
    let (month, day) = date.split_once('-').unwrap();
    let (month, day) = (num(month) as u8, num(day) as u8);
    let hms: Vec<u32> = time.split(':').map(num).collect();
    let seconds = hms[0] * 3600 + hms[1] * 60 + hms.get(2).copied().unwrap_or(0);
    let offset_hours: i64 = if new_york_is_dst(month, day, seconds) {
        -4
    } else {
        -5
    };
    let days = super::value::days_from_civil(2026, month, day);
    Event {
        line,
        bytes: 0..0,
        id: Some(format!("r{line}")),
        debtor: "d1".into(),
        account: None,
        time: days * 86_400 + i64::from(seconds) - offset_hours * 3600,
        local: LocalTime {
            year: 2026,
            month,
            day,
            seconds,
            weekday: ((days + 3).rem_euclid(7)) as u8,
        },
        zone: "America/New_York".into(),
        kind,
        party: Party::Debtor,
        to: Some("+12125550100".into()),
        direction: Direction::Outbound,
        outcome: None,
        agent: None,
        text: None,
        recorded: None,
        extra: Default::default(),
    }
}

/// An outbound call to the debtor with an outcome.
fn call(line: usize, local: &str, outcome: Outcome) -> Event {
    ev(line, local, EventKind::Call).outcome(outcome)
}

trait With: Sized {
    fn outcome(self, o: Outcome) -> Self;
    fn party(self, p: Party) -> Self;
    fn inbound(self) -> Self;
    fn account(self, a: &str) -> Self;
    fn text(self, t: &str) -> Self;
    fn extra(self, name: &str, v: FieldValue) -> Self;
    fn consent(self) -> Self {
        self.extra("consent", FieldValue::Bool(true))
    }
    fn medium(self, m: &str) -> Self {
        self.extra("medium", FieldValue::Text(m.into()))
    }
}

impl With for Event {
    fn outcome(mut self, o: Outcome) -> Self {
        self.outcome = Some(o);
        self
    }
    fn party(mut self, p: Party) -> Self {
        self.party = p;
        self
    }
    fn inbound(mut self) -> Self {
        self.direction = Direction::Inbound;
        self
    }
    fn account(mut self, a: &str) -> Self {
        self.account = Some(a.into());
        self
    }
    fn text(mut self, t: &str) -> Self {
        self.text = Some(t.into());
        self
    }
    fn extra(mut self, name: &str, v: FieldValue) -> Self {
        self.extra.insert(name.into(), v);
        self
    }
}

fn rule_index(p: &Plan, id: &str) -> usize {
    p.rules
        .rules
        .iter()
        .position(|r| r.id == id)
        .unwrap_or_else(|| panic!("no rule {id}"))
}

/// The lines of the records rule `id` flags, on a stream sorted as the log reader sorts it.
fn fired(p: &Plan, id: &str, events: &[Event]) -> Vec<usize> {
    findings(p, id, events)
        .into_iter()
        .map(|(l, _)| l)
        .collect()
}

fn findings(p: &Plan, id: &str, events: &[Event]) -> Vec<(usize, String)> {
    let mut sorted = events.to_vec();
    sorted.sort_by_key(|e| (e.time, e.line));
    let wanted = rule_index(p, id);
    p.check_events(&sorted, &|i| i == wanted)
        .into_iter()
        .map(|f| (sorted[f.event].line, f.message))
        .collect()
}

/// `n` outbound unanswered calls, one a day from `first_day` of March at 09:00, lines from
/// `first_line`.
fn daily_calls(first_line: usize, first_day: u8, n: u8) -> Vec<Event> {
    (0..n)
        .map(|i| {
            call(
                first_line + usize::from(i),
                &format!("03-{:02} 09:00", first_day + i),
                Outcome::NoAnswer,
            )
        })
        .collect()
}

// ------------------------------------------------------------------ US-COL-001 time of day

#[test]
fn time_of_day_boundaries_are_8_and_9_local() {
    let p = plan();
    let events = [
        call(1, "03-02 07:59:59", Outcome::NoAnswer),
        call(2, "03-02 08:00:00", Outcome::Connected),
        call(3, "03-02 21:00:00", Outcome::NoAnswer),
        call(4, "03-02 21:00:01", Outcome::NoAnswer),
        ev(5, "03-02 23:40", EventKind::Sms).text("Please call us"),
        ev(6, "03-03 00:30", EventKind::Email),
        ev(7, "03-03 06:00", EventKind::Voicemail),
        ev(8, "03-03 07:00", EventKind::Visit),
    ];
    assert_eq!(fired(&p, "US-COL-001", &events), vec![1, 4, 5, 6, 7, 8]);
}

#[test]
fn time_of_day_uses_the_consumers_local_time_across_dst() {
    let p = plan();
    // 8 March 2026: New York moves to EDT at 02:00. 07:30 EDT is 11:30Z; 20:59 EST the day
    // before is 01:59Z on the 8th — only local time decides.
    let events = [
        call(1, "03-07 20:59", Outcome::Connected),
        call(2, "03-08 07:30", Outcome::NoAnswer),
        call(3, "03-08 08:00", Outcome::NoAnswer),
        call(4, "03-08 20:45", Outcome::NoAnswer),
        call(5, "03-08 21:05", Outcome::NoAnswer),
    ];
    assert_eq!(events[1].time, 1_772_969_400); // 2026-03-08T11:30:00Z
    assert_eq!(fired(&p, "US-COL-001", &events), vec![2, 5]);
    let found = findings(&p, "US-COL-001", &events[4..]);
    assert_eq!(
        found[0].1,
        "call to the debtor at 21:05 local time on 2026-03-08 (America/New_York): outside \
         08:00–21:00 at the consumer's location, and the record shows no consent"
    );
}

#[test]
fn time_of_day_spares_consent_letters_inbound_and_third_parties() {
    let p = plan();
    let events = [
        call(1, "03-02 21:30", Outcome::Connected).consent(),
        ev(2, "03-02 22:00", EventKind::Letter),
        call(3, "03-02 22:10", Outcome::Connected).inbound(),
        call(4, "03-02 22:20", Outcome::NoAnswer).party(Party::Attorney),
        call(5, "03-02 22:30", Outcome::NoAnswer).party(Party::Spouse),
        call(6, "03-02 22:40", Outcome::NoAnswer).extra("consent", FieldValue::Bool(false)),
    ];
    assert_eq!(fired(&p, "US-COL-001", &events), vec![5, 6]);
}
