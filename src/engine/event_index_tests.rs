//! The count index must give exactly what visiting every event gives. Each rule below is
//! checked on random streams with the index and without it (visiting every event), as written
//! and with a residual conjunct the index evaluates per candidate (`(x == x or e == e)`).

use super::*;
use crate::log::{Direction, EventKind, LocalTime, Outcome, Party};
use proptest::prelude::*;

/// Count sub-queries of every shape the index handles; `{e}` is the outer event.
const COUNTS: &[&str] = &[
    "x.kind == call and x.local_date == e.local_date and not (x after e)",
    "x.kind == call and x.time in (e.time - 48h, e.time]",
    "x.time in [e.time - 30h, e.time + 2h) and x.kind == e.kind",
    "x.to == e.to and not (x.outcome == connected) and x.local_date == e.local_date and x before e",
    "x.local_date in [e.local_date - 1d, e.local_date] and not (x after e)",
    "x.local_date in (e.local_date - 2d, e.local_date) and x.kind == sms",
    "x.local_date >= e.local_date and x.local_date < e.local_date + 2d",
    "x.time >= e.time and e.kind == sms",
    "x.time < e.time and x.time > e.time - 20h and e after x",
    "not (x before e) and x.outcome == e.outcome",
    "e.kind == call",
    "x.kind == sms",
];

fn rules(fallback: bool) -> String {
    let extra = if fallback {
        " and (x == x or e == e)"
    } else {
        ""
    };
    let mut src = String::new();
    for (i, q) in COUNTS.iter().enumerate() {
        src.push_str(&format!(
            "rule T-{i} \"count {i}\" {{
  concept collection.frequency
  severity error
  cite \"c\"
  message \"{{count(event x where {q}{extra})}}\"
  help \"h\"
  forbid each event e where count(event x where {q}{extra}) >= 0
}}
rule E-{i} \"exists {i}\" {{
  concept collection.frequency
  severity error
  cite \"c\"
  message \"m\"
  help \"h\"
  forbid each event e where exists event x where {q}{extra}
}}
"
        ));
    }
    src
}

fn plan(src: String) -> Plan {
    super::events_tests::plan(&src)
}

/// An evaluator over `events` under `p`'s rules.
fn evaluator<'a>(
    p: &'a Plan,
    events: &'a [Event],
    texts: &'a super::events::EventTexts<'a>,
) -> super::eval::Evaluator<'a> {
    let empty = super::EmptySubject::get();
    super::eval::Evaluator::for_events(
        &p.log_patterns,
        &p.rules.params,
        (&empty.doc, &empty.facts, &empty.scan),
        events,
        texts,
    )
}

/// An event `minutes` after 2026-03-01 00:00 UTC, in a zone `offset_h` hours east of UTC.
fn event(line: usize, minutes: i64, offset_h: i64, call: bool, to: u8, connected: bool) -> Event {
    let time = crate::calendar::days_from_civil(2026, 3, 1) * 86_400 + minutes * 60;
    let local = time + offset_h * 3600;
    let days = local.div_euclid(86_400);
    let (year, month, day) = crate::calendar::civil_from_days(days).unwrap();
    Event {
        line,
        bytes: 0..0,
        id: None,
        debtor: "d".into(),
        account: None,
        time,
        local: LocalTime {
            year,
            month,
            day,
            seconds: local.rem_euclid(86_400) as u32,
            weekday: (days + 3).rem_euclid(7) as u8,
        },
        zone: format!("{offset_h:+03}:00"),
        kind: if call {
            EventKind::Call
        } else {
            EventKind::Sms
        },
        party: Party::Debtor,
        to: Some(format!("n{to}")),
        direction: Direction::Outbound,
        outcome: Some(if connected {
            Outcome::Connected
        } else {
            Outcome::NoAnswer
        }),
        agent: None,
        text: None,
        recorded: None,
        extra: Default::default(),
    }
}

fn found(p: &Plan, events: &[Event]) -> Vec<(String, usize, String)> {
    p.check_events(events, &|_| true)
        .into_iter()
        .map(|f| (p.rules.rules[f.rule].id.clone(), f.event, f.message))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn indexed_counts_equal_visiting_every_event(
        raw in prop::collection::vec(
            (0i64..6 * 24 * 60, prop::sample::select(vec![8i64, -5, 0]), any::<bool>(), 0u8..2, any::<bool>()),
            0..40,
        ),
        one_zone in any::<bool>(),
    ) {
        let mut events: Vec<Event> = raw
            .iter()
            .enumerate()
            .map(|(i, &(m, off, call, to, conn))| {
                // Minutes in steps of 10 so that events share instants and window edges.
                event(i + 1, m / 10 * 10, if one_zone { 8 } else { off }, call, to, conn)
            })
            .collect();
        events.sort_by_key(|e| (e.time, e.line));
        for residual in [false, true] {
            let p = plan(rules(residual));
            let indexed = found(&p, &events);
            super::event_index::DISABLED.with(|d| d.set(true));
            let visited = found(&p, &events);
            super::event_index::DISABLED.with(|d| d.set(false));
            prop_assert_eq!(indexed, visited);
        }
    }
}

/// The count queries of the plan's rules, in rule order.
fn count_queries(p: &Plan) -> Vec<&crate::lang::ir::Query> {
    use crate::lang::ir::{Assertion, Expr};
    p.rules
        .rules
        .iter()
        .filter_map(|r| match &r.assertion {
            Assertion::Forbid { query, .. } => match query.filter.as_ref()? {
                Expr::Compare(_, l, _) => match l.as_ref() {
                    Expr::Count(q) => Some(q.as_ref()),
                    _ => None,
                },
                Expr::Exists(q) => Some(q.as_ref()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[test]
fn every_shape_above_is_indexed_with_the_residual_kept_aside() {
    let events: Vec<Event> = (0..5)
        .map(|i| event(i + 1, i as i64 * 60, 8, true, 0, true))
        .collect();
    for (residual, want) in [(false, 0), (true, 1)] {
        let p = plan(rules(residual));
        let queries = count_queries(&p);
        assert_eq!(queries.len(), 2 * COUNTS.len());
        let texts = super::events::EventTexts::new(&p.log_patterns, &events);
        let ev = evaluator(&p, &events, &texts);
        for q in queries {
            let mut env = vec![None; 4];
            env[0] = Some(super::events::event_binding(0));
            let index = ev.build_index(q, &mut env);
            assert_eq!(index.map(|i| i.residual_count()), Some(want), "{q:?}");
        }
    }
}

#[test]
fn local_date_bounds_are_not_indexed_when_zones_mix() {
    // 01:00 UTC+8 on the 3rd, then an hour later 13:00 UTC-5 on the 2nd: local dates go back.
    let events = vec![
        event(1, 24 * 60 + 17 * 60, 8, true, 0, true),
        event(2, 24 * 60 + 18 * 60, -5, true, 0, true),
    ];
    assert!(events[0].local.day > events[1].local.day);
    let p = plan(rules(false));
    let texts = super::events::EventTexts::new(&p.log_patterns, &events);
    let ev = evaluator(&p, &events, &texts);
    let mut env = vec![None; 4];
    let q = count_queries(&p)[2 * 4]; // T-4: a local-date range
    assert!(ev.build_index(q, &mut env).is_none());
    let q = count_queries(&p)[0]; // T-0: a local-date key, fine in any zone
    assert!(ev.build_index(q, &mut env).is_some());
}

/// A log check sorts every count's filter once per plan: each query of the rules above has
/// its shape, keyed by the address the evaluator looks it up by, and the shape is the one the
/// evaluator would work out itself.
#[test]
fn every_count_query_has_its_shape_from_the_plan() {
    let p = plan(rules(true));
    let shapes = super::event_index::IndexShapes::of(&p.rules, &|_| true);
    let queries = count_queries(&p);
    assert_eq!(queries.len(), 2 * COUNTS.len());
    for q in queries {
        assert_eq!(
            shapes.conjuncts_of(q).map(<[_]>::len),
            Some(super::event_index::sorted_conjuncts(q).len()),
            "{q:?}"
        );
    }
}
