//! Log rules written in the rule language, evaluated on hand-built event streams.

use super::*;
use crate::lang::SourceFile;
use crate::log::{Direction, EventKind, LocalTime, Outcome, Party};

pub(super) fn plan(rules: &str) -> Plan {
    let src = format!("pack test-log jurisdiction CN\n{rules}");
    let files = [SourceFile {
        path: "t.rules".into(),
        text: src,
    }];
    let (set, _) = crate::lang::compile(&files, &crate::concepts::ConceptCatalogue::builtin())
        .unwrap_or_else(|d| panic!("{d:#?}"));
    Plan::compile(set).unwrap()
}

/// An event at `day` (of March 2026) `hh:mm` Shanghai time (UTC+8).
fn ev(line: usize, day: u8, hh: u32, mm: u32, kind: EventKind) -> Event {
    let local_secs = hh * 3600 + mm * 60;
    let days = crate::calendar::days_from_civil(2026, 3, day);
    Event {
        line,
        bytes: 0..0,
        id: Some(format!("r{line}")),
        debtor: "d1".into(),
        account: None,
        time: days * 86_400 + i64::from(local_secs) - 8 * 3600,
        local: LocalTime {
            year: 2026,
            month: 3,
            day,
            seconds: local_secs,
            weekday: ((days + 3).rem_euclid(7)) as u8,
        },
        zone: "Asia/Shanghai".into(),
        kind,
        party: Party::Debtor,
        to: Some("+8613800000000".into()),
        direction: Direction::Outbound,
        outcome: Some(Outcome::Connected),
        agent: None,
        text: None,
        recorded: None,
        extra: Default::default(),
    }
}

fn fired(p: &Plan, events: &[Event]) -> Vec<usize> {
    p.check_events(events, &|_| true)
        .into_iter()
        .map(|f| events[f.event].line)
        .collect()
}

const META: &str = r#"concept collection.time-of-day
  severity error
  cite "c"
  message "m {e.local_time}"
  help "h""#;

#[test]
fn quiet_hours_wrap_past_midnight_in_local_time() {
    let p = plan(&format!(
        "param quiet_start: time = 22:00\nparam quiet_end: time = 08:00\n
rule T-1 \"quiet\" {{
  {META}
  forbid each event e where e.kind in [call, sms, visit]
      and e.local_time in [quiet_start, quiet_end)
}}"
    ));
    let events = [
        ev(1, 2, 7, 59, EventKind::Call),
        ev(2, 2, 8, 0, EventKind::Call),
        ev(3, 2, 21, 59, EventKind::Sms),
        ev(4, 2, 22, 0, EventKind::Visit),
        ev(5, 3, 0, 30, EventKind::Email),
    ];
    assert_eq!(fired(&p, &events), vec![1, 4]);
    let f = &p.check_events(&events, &|_| true)[0];
    assert_eq!(f.message, "m 07:59");
}

#[test]
fn windowed_counts_see_only_the_window_and_same_day() {
    let p = plan(&format!(
        "rule T-2 \"freq\" {{
  {META}
  forbid each event e where e.kind == call and e.outcome == connected
      and count(event x where x.kind == call and x.outcome == connected
                and x.local_date == e.local_date and not (x after e)) > 3
}}
rule T-3 \"week\" {{
  {META}
  forbid each event e where e.kind == call
      and count(event x where x.kind == call and x.time in (e.time - 7d, e.time]) > 2
}}"
    ));
    let mut events = vec![
        ev(1, 2, 9, 0, EventKind::Call),
        ev(2, 2, 10, 0, EventKind::Call),
        ev(3, 2, 11, 0, EventKind::Call),
        ev(4, 2, 12, 0, EventKind::Call), // 4th connected call on the 2nd
        ev(5, 3, 9, 0, EventKind::Call),  // a new day
        ev(6, 12, 9, 0, EventKind::Call), // far later: the 7-day window is empty again
    ];
    events[2].outcome = Some(Outcome::NoAnswer);
    // T-2: line 3 did not connect, so the 2nd has only three connected calls.
    // T-3: more than 2 calls in (t-7d, t]: lines 3, 4, 5.
    let found: Vec<(String, usize)> = p
        .check_events(&events, &|_| true)
        .into_iter()
        .map(|f| (p.rules.rules[f.rule].id.clone(), events[f.event].line))
        .collect();
    assert_eq!(
        found,
        vec![("T-3".into(), 3), ("T-3".into(), 4), ("T-3".into(), 5)]
    );
    events[2].outcome = Some(Outcome::Connected);
    let t2: Vec<usize> = p
        .check_events(&events, &|i| i == 0)
        .into_iter()
        .map(|f| events[f.event].line)
        .collect();
    assert_eq!(t2, vec![4]);
}

#[test]
fn ordering_and_unless_read_as_the_law_does() {
    let p = plan(&format!(
        "rule T-4 \"notice first\" {{
  {META}
  forbid each event e where e.kind == credit_report
      unless exists event n where n.kind == notice and n before e
             and n.time >= e.time - 30d
}}"
    ));
    let events = [
        ev(1, 1, 9, 0, EventKind::CreditReport), // no notice before it
        ev(2, 2, 9, 0, EventKind::Notice),
        ev(3, 3, 9, 0, EventKind::CreditReport), // noticed the day before
    ];
    assert_eq!(fired(&p, &events), vec![1]);
}

#[test]
fn text_patterns_extra_fields_and_parties() {
    let p = plan(&format!(
        "lexicon threats = [\"坐牢\", /上门.{{0,4}}(找|催)/]
rule T-5 \"threat\" {{
  {META}
  forbid each event e where e.text matches threats
}}
rule T-6 \"visit staffing\" {{
  {META}
  forbid each event e where e.kind == visit and e.extra.collectors < 2
}}
rule T-7 \"third party\" {{
  {META}
  forbid each event e where e.party in [family, employer, emergency_contact]
}}"
    ));
    let mut a = ev(1, 2, 9, 0, EventKind::Sms);
    a.text = Some("再不还就让你坐牢".into());
    let mut b = ev(2, 2, 9, 5, EventKind::Sms);
    b.text = Some("明天我们上门来找你，ＯＫ".into());
    let mut c = ev(3, 2, 9, 6, EventKind::Sms);
    c.text = Some("请按时还款".into());
    let mut d = ev(4, 2, 10, 0, EventKind::Visit);
    d.extra.insert(
        "collectors".into(),
        crate::log::FieldValue::Number(1.into()),
    );
    let mut e = ev(5, 2, 11, 0, EventKind::Visit);
    e.extra.insert(
        "collectors".into(),
        crate::log::FieldValue::Number(2.into()),
    );
    let mut f = ev(6, 2, 12, 0, EventKind::Call);
    f.party = Party::Employer;
    let events = [a, b, c, d, e, f];
    assert_eq!(fired(&p, &events), vec![1, 2, 4, 6]);
}

#[test]
fn rules_reading_both_subjects_or_misusing_events_are_rejected() {
    let bad = [
        // contract text and log records in one rule
        "forbid each event e where exists clause c where c matches /x/",
        // ordering a rate
        "forbid each rate r where r before r",
        // unknown event kind, with a suggestion
        "forbid each event e where e.kind == cal",
        // an event query with a pattern
        "forbid each event e of /x/",
        // an interval of symbols with an open end
        "forbid each event e where e.kind in [call, sms)",
        // an instant compared with a time of day
        "forbid each event e where e.time > 22:00",
    ];
    for body in bad {
        let src =
            format!("pack test-log jurisdiction CN\nrule T-1 \"x\" {{\n  {META}\n  {body}\n}}");
        let files = [SourceFile {
            path: "t.rules".into(),
            text: src,
        }];
        let result = crate::lang::compile(&files, &crate::concepts::ConceptCatalogue::builtin());
        assert!(result.is_err(), "accepted: {body}");
    }
}
