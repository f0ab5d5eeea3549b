//! Per-debtor event streams, the unit the event rules run over.

use super::Event;
use std::collections::HashMap;
use std::ops::Range;

/// The events grouped by debtor, debtors in string order, each debtor's events in time order
/// (file line breaks ties, so equal times keep the order the log wrote them).
pub fn by_debtor(mut events: Vec<Event>) -> Vec<(String, Vec<Event>)> {
    let ranges = sort_by_debtor(&mut events);
    let mut streams = Vec::with_capacity(ranges.len());
    for range in ranges.into_iter().rev() {
        let stream = events.split_off(range.start);
        let debtor = stream.first().map(|e| e.debtor.clone()).unwrap_or_default();
        streams.push((debtor, stream));
    }
    streams.reverse();
    streams
}

/// [`by_debtor`] in place: sorts the events into per-debtor streams (debtors in string order,
/// each by time, then line, then position in the log) and returns each stream's range.
/// Debtors are told apart by hashing, and the events are moved once each: a million-record
/// log is not copied into a second set of vectors.
pub fn sort_by_debtor(events: &mut [Event]) -> Vec<Range<usize>> {
    let (group_of, groups) = debtor_ranks(events);
    // The keys are gathered first so that sorting compares small tuples, not events.
    let mut keys: Vec<(usize, i64, usize, usize)> = events
        .iter()
        .zip(&group_of)
        .enumerate()
        .map(|(i, (e, g))| (*g, e.time, e.line, i))
        .collect();
    keys.sort_unstable();
    let order: Vec<usize> = keys.into_iter().map(|(_, _, _, i)| i).collect();
    let mut sizes = vec![0usize; groups];
    for &g in &group_of {
        sizes[g] += 1;
    }
    permute(events, order);
    let mut start = 0;
    sizes
        .into_iter()
        .map(|n| {
            start += n;
            start - n..start
        })
        .collect()
}

/// Each event's debtor as its rank among the distinct debtors in string order, and how many
/// distinct debtors there are.
fn debtor_ranks(events: &[Event]) -> (Vec<usize>, usize) {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let first_seen: Vec<usize> = events
        .iter()
        .map(|e| {
            let next = ids.len();
            *ids.entry(e.debtor.as_str()).or_insert(next)
        })
        .collect();
    let mut names: Vec<(&str, usize)> = ids.into_iter().collect();
    names.sort_unstable();
    let mut rank = vec![0; names.len()];
    for (r, (_, id)) in names.iter().enumerate() {
        rank[*id] = r;
    }
    let group_of = first_seen.into_iter().map(|id| rank[id]).collect();
    (group_of, names.len())
}

/// Rearranges `items` so that position `i` holds what was at `order[i]` (a permutation), by
/// following its cycles with swaps: no second copy of the items.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..order.len() {
        let mut at = start;
        // A visited position has order[at] == at.
        while order[at] != start && order[at] != at {
            let from = order[at];
            items.swap(at, from);
            order[at] = at;
            at = from;
        }
        order[at] = at;
    }
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

    #[test]
    fn permute_follows_every_cycle() {
        let mut items = vec!['a', 'b', 'c', 'd', 'e', 'f'];
        // Two cycles (0 2 4) and (1 5), and a fixed point 3.
        permute(&mut items, vec![2, 5, 4, 3, 0, 1]);
        assert_eq!(items, ['c', 'f', 'e', 'd', 'a', 'b']);
    }
}
