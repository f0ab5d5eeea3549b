//! Per-debtor event streams, the unit the event rules run over.

use super::Event;
use std::collections::BTreeMap;

/// The events grouped by debtor, debtors in string order, each debtor's events in time order
/// (file line breaks ties, so equal times keep the order the log wrote them).
pub fn by_debtor(events: Vec<Event>) -> Vec<(String, Vec<Event>)> {
    let mut groups: BTreeMap<String, Vec<Event>> = BTreeMap::new();
    for event in events {
        groups.entry(event.debtor.clone()).or_default().push(event);
    }
    groups
        .into_iter()
        .map(|(debtor, mut stream)| {
            stream.sort_by_key(|e| (e.time, e.line));
            (debtor, stream)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{read_log, LogFormat, LogMapping};

    #[test]
    fn grouped_by_debtor_and_sorted_by_time_then_line() {
        let log = "\
{\"debtor\":\"D2\",\"time\":\"2026-03-02T10:00:00+08:00\",\"kind\":\"call\"}
{\"debtor\":\"D1\",\"time\":\"2026-03-02T10:00:00+08:00\",\"kind\":\"sms\"}
{\"debtor\":\"D2\",\"time\":\"2026-03-02T09:00:00+08:00\",\"kind\":\"call\"}
{\"debtor\":\"D1\",\"time\":\"2026-03-02T03:00:00+01:00\",\"kind\":\"call\"}
{\"debtor\":\"D10\",\"time\":\"2026-03-01T10:00:00+08:00\",\"kind\":\"call\"}
";
        let read = read_log(
            "t.jsonl",
            log.as_bytes(),
            LogFormat::Jsonl,
            &LogMapping::default(),
        )
        .unwrap();
        let streams = by_debtor(read.events);
        let shape: Vec<(&str, Vec<usize>)> = streams
            .iter()
            .map(|(d, es)| (d.as_str(), es.iter().map(|e| e.line).collect()))
            .collect();
        // D1's two events are the same instant (02:00 UTC): file order decides.
        assert_eq!(
            shape,
            [("D1", vec![2, 4]), ("D10", vec![5]), ("D2", vec![3, 1])]
        );
    }
}
