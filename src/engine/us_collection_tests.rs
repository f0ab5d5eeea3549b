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

/// The pack, compiled once for all tests (its patterns take a while to build).
fn plan() -> &'static Plan {
    static PLAN: std::sync::OnceLock<Plan> = std::sync::OnceLock::new();
    PLAN.get_or_init(compile_pack)
}

/// The pack with `validation_not_logged = "flag"`: every debt's log records its notices.
fn strict_validation_plan() -> Plan {
    let mut files = pack_sources();
    let default = "param validation_not_logged: text = \"ignore\"";
    let file = files.iter_mut().find(|f| f.text.contains(default)).unwrap();
    file.text = file
        .text
        .replace(default, "param validation_not_logged: text = \"flag\"");
    compile(files)
}

fn compile_pack() -> Plan {
    compile(pack_sources())
}

fn compile(files: Vec<SourceFile>) -> Plan {
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
    ((3, 8, 7200)..(11, 1, 3600)).contains(&at)
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
    let days = crate::calendar::days_from_civil(2026, month, day);
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
    assert_eq!(fired(p, "US-COL-001", &events), vec![1, 4, 5, 6, 7, 8]);
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
    assert_eq!(fired(p, "US-COL-001", &events), vec![2, 5]);
    let found = findings(p, "US-COL-001", &events[4..]);
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
    assert_eq!(fired(p, "US-COL-001", &events), vec![5, 6]);
}

// ------------------------------------------------------------------ US-COL-002 7 calls in 7 days

#[test]
fn seven_calls_in_seven_days_pass_the_eighth_is_flagged() {
    let p = plan();
    let mut events = daily_calls(1, 2, 7); // 2–8 March, across the DST change on the 8th
    assert!(fired(p, "US-COL-002", &events).is_empty());
    events.push(call(8, "03-08 15:00", Outcome::NoAnswer)); // 8th in [2, 8]
    events.push(call(9, "03-08 16:00", Outcome::Voicemail)); // 9th
    events.push(call(10, "03-09 09:00", Outcome::NoAnswer)); // [3, 9]: 3–8 (6) + 2 + this = 9
    events.push(call(11, "03-15 09:00", Outcome::NoAnswer)); // [9, 15]: 2
    assert_eq!(fired(p, "US-COL-002", &events), vec![8, 9, 10]);
    let msg = &findings(p, "US-COL-002", &events)[0].1;
    assert_eq!(
        msg,
        "call #8 to the debtor about this debt in the 7d ending 2026-03-08 (limit 7): presumed \
         violation of 1006.14(b)(1)"
    );
}

#[test]
fn the_seven_day_window_slides_over_local_dates() {
    let p = plan();
    // One call a day for ten days never exceeds 7 in any 7 consecutive days.
    assert!(fired(p, "US-COL-002", &daily_calls(1, 2, 10)).is_empty());
    // 23:30 EST on 4 March is 04:30Z on the 5th: it belongs to local day 4 March.
    let mut events = vec![call(1, "03-04 23:30", Outcome::NoAnswer)];
    events.extend(daily_calls(2, 5, 7)); // 5–11 March, one a day
    assert!(fired(p, "US-COL-002", &events).is_empty());
    events.push(call(9, "03-10 12:00", Outcome::NoAnswer));
    // [4, 10]: 4th, 5–10 (6) and this = 8; [5, 11]: 5–11 (7) + line 9 = 8.
    assert_eq!(fired(p, "US-COL-002", &events), vec![9, 8]);
}

#[test]
fn failed_inbound_third_party_and_other_account_calls_do_not_count() {
    let p = plan();
    let mut events = daily_calls(1, 2, 7);
    events.push(call(8, "03-05 10:00", Outcome::Failed));
    events.push(call(9, "03-05 11:00", Outcome::Connected).inbound());
    events.push(call(10, "03-05 12:00", Outcome::NoAnswer).party(Party::Family));
    events.push(call(11, "03-08 12:00", Outcome::Failed)); // a failed call is never flagged
    assert!(fired(p, "US-COL-002", &events).is_empty());
    // Per debt: seven calls about A1 and one about A2.
    let mut by_debt: Vec<Event> = daily_calls(1, 2, 7)
        .into_iter()
        .map(|e| e.account("A1"))
        .collect();
    by_debt.push(call(8, "03-08 12:00", Outcome::NoAnswer).account("A2"));
    assert!(fired(p, "US-COL-002", &by_debt).is_empty());
    by_debt.push(call(9, "03-08 13:00", Outcome::NoAnswer).account("A1"));
    assert_eq!(fired(p, "US-COL-002", &by_debt), vec![9]);
    // A call without an outcome is an attempt like any other.
    let mut bare = daily_calls(1, 2, 7);
    bare.push(ev(8, "03-08 12:00", EventKind::Call));
    assert_eq!(fired(p, "US-COL-002", &bare), vec![8]);
}

#[test]
fn calls_within_seven_days_of_direct_consent_are_excluded() {
    let p = plan();
    // Consent given on 2 March (day 1): calls on 2–8 March do not count.
    let consent = call(1, "03-02 09:00", Outcome::Connected)
        .inbound()
        .consent();
    let mut events = vec![consent.clone()];
    events
        .extend((0..8).map(|i| call(2 + i, &format!("03-08 {:02}:00", 9 + i), Outcome::NoAnswer)));
    assert!(fired(p, "US-COL-002", &events).is_empty());
    // On 9 March (day 8) the consent no longer covers the calls.
    let mut late = vec![consent.clone()];
    late.extend((0..8).map(|i| call(2 + i, &format!("03-09 {:02}:00", 9 + i), Outcome::NoAnswer)));
    assert_eq!(fired(p, "US-COL-002", &late), vec![9]);
    // Consent from someone else, or about another debt, does not exclude the debtor's calls.
    let mut other = vec![consent.clone().party(Party::Spouse)];
    other.extend((0..8).map(|i| call(2 + i, &format!("03-08 {:02}:00", 9 + i), Outcome::NoAnswer)));
    assert_eq!(fired(p, "US-COL-002", &other), vec![9]);
    let mut other_debt = vec![consent.account("A2")];
    other_debt.extend(
        (0..8).map(|i| {
            call(2 + i, &format!("03-08 {:02}:00", 9 + i), Outcome::NoAnswer).account("A1")
        }),
    );
    assert_eq!(fired(p, "US-COL-002", &other_debt), vec![9]);
}

// ------------------------------------------------------------------ US-COL-003 after a conversation

#[test]
fn no_call_until_day_eight_after_a_conversation() {
    let p = plan();
    // Conversation on Monday 2 March (day 1); the 8th is day 7 (after the DST change, so
    // only 6 days 21 hours after the conversation at 08:30 on the 9th, which is day 8).
    let events = [
        call(1, "03-02 10:00", Outcome::Connected),
        call(2, "03-08 20:00", Outcome::NoAnswer),
        call(3, "03-09 08:30", Outcome::NoAnswer),
    ];
    assert_eq!(fired(p, "US-COL-003", &events), vec![2]);
    assert_eq!(
        findings(p, "US-COL-003", &events)[0].1,
        "call to the debtor on 2026-03-08 at 20:00, within 7d of a telephone conversation \
         about this debt on 2026-03-02 (the conversation day is day 1): presumed violation of \
         1006.14(b)(1)"
    );
    // Without line 2, line 3 on day 8 is fine.
    assert!(fired(p, "US-COL-003", &[events[0].clone(), events[2].clone()]).is_empty());
}

#[test]
fn a_conversation_is_a_connected_call_either_way_and_same_day_counts() {
    let p = plan();
    let events = [
        call(1, "03-02 09:00", Outcome::NoAnswer), // before the conversation
        call(2, "03-02 10:00", Outcome::Connected).inbound(),
        call(3, "03-02 15:00", Outcome::Voicemail), // same day, after it
        call(4, "03-03 10:00", Outcome::Failed),    // not connected to the number: excluded
        ev(5, "03-03 11:00", EventKind::Sms).text("Payment link"), // not a call
        call(6, "03-04 10:00", Outcome::NoAnswer).party(Party::Employer), // another person
        call(7, "03-05 10:00", Outcome::Connected).inbound(), // the consumer calls: fine
    ];
    assert_eq!(fired(p, "US-COL-003", &events), vec![3]);
    // Unanswered calls and voicemails are not conversations.
    let quiet = [
        call(1, "03-02 09:00", Outcome::NoAnswer),
        call(2, "03-02 12:00", Outcome::Voicemail),
        call(3, "03-03 12:00", Outcome::Busy),
    ];
    assert!(fired(p, "US-COL-003", &quiet).is_empty());
}

#[test]
fn conversations_are_per_debt_and_consent_excludes_follow_up_calls() {
    let p = plan();
    let events = [
        call(1, "03-02 10:00", Outcome::Connected).account("A1"),
        call(2, "03-03 10:00", Outcome::NoAnswer).account("A2"),
        call(3, "03-04 10:00", Outcome::NoAnswer).account("A1"),
    ];
    assert_eq!(fired(p, "US-COL-003", &events), vec![3]);
    // The consumer asked to be called back on Thursday: consent covers the follow-up.
    let consented = [
        call(1, "03-02 10:00", Outcome::Connected)
            .consent()
            .text("Consumer asked us to call back Thursday"),
        call(2, "03-05 10:00", Outcome::Connected),
    ];
    assert!(fired(p, "US-COL-003", &consented).is_empty());
}

// ------------------------------------------------------------------ US-COL-004..006 requests

#[test]
fn no_direct_contact_once_an_attorney_represents_the_consumer() {
    let p = plan();
    let events = [
        ev(1, "03-02 10:00", EventKind::Letter), // before the representation: fine
        ev(2, "03-03 10:00", EventKind::AttorneyRepresentation)
            .party(Party::Attorney)
            .inbound(),
        call(3, "03-03 14:00", Outcome::Connected).party(Party::Attorney),
        call(4, "03-04 10:00", Outcome::Connected).inbound(), // the consumer calls in
        ev(5, "03-05 10:00", EventKind::Email),
        call(6, "03-06 10:00", Outcome::NoAnswer),
    ];
    assert_eq!(fired(p, "US-COL-004", &events), vec![5, 6]);
    // Representation for one debt only.
    let per_debt = [
        ev(1, "03-03 10:00", EventKind::AttorneyRepresentation)
            .inbound()
            .account("A1"),
        ev(2, "03-04 10:00", EventKind::Letter).account("A2"),
        ev(3, "03-04 11:00", EventKind::Letter).account("A1"),
    ];
    assert_eq!(fired(p, "US-COL-004", &per_debt), vec![3]);
}

#[test]
fn a_cease_request_stops_communication_except_termination_notices() {
    let p = plan();
    let events = [
        ev(1, "03-02 10:00", EventKind::Sms).text("Balance reminder"),
        ev(2, "03-03 10:00", EventKind::CeaseRequest)
            .inbound()
            .text("Letter: stop contacting me"),
        ev(3, "03-04 10:00", EventKind::Letter)
            .text("As requested, we are terminating further collection efforts."),
        ev(4, "03-05 10:00", EventKind::Sms).text("Your balance is still due"),
        call(5, "03-06 10:00", Outcome::Connected).inbound(),
        call(6, "03-06 10:20", Outcome::NoAnswer).party(Party::Family), // not the requester
    ];
    assert_eq!(fired(p, "US-COL-005", &events), vec![4]);
    // A request naming one medium is an opt-out (US-COL-006), not a cease request.
    let opt_out = [
        ev(1, "03-03 10:00", EventKind::CeaseRequest)
            .inbound()
            .medium("sms"),
        ev(2, "03-04 10:00", EventKind::Letter),
    ];
    assert!(fired(p, "US-COL-005", &opt_out).is_empty());
    let all = [
        ev(1, "03-03 10:00", EventKind::CeaseRequest)
            .inbound()
            .medium("All"),
        ev(2, "03-04 10:00", EventKind::Letter),
    ];
    assert_eq!(fired(p, "US-COL-005", &all), vec![2]);
    // An attorney's cease letter covers the debtor.
    let by_attorney = [
        ev(1, "03-03 10:00", EventKind::CeaseRequest)
            .inbound()
            .party(Party::Attorney),
        call(2, "03-04 10:00", Outcome::NoAnswer),
    ];
    assert_eq!(fired(p, "US-COL-005", &by_attorney), vec![2]);
}

#[test]
fn an_opted_out_medium_is_not_used_again_except_to_reply() {
    let p = plan();
    let events = [
        ev(1, "03-02 10:00", EventKind::CeaseRequest)
            .inbound()
            .medium("Text messages"),
        ev(2, "03-03 10:00", EventKind::Email).text("Statement attached"),
        ev(3, "03-04 10:00", EventKind::Sms).text("Reminder: payment due"),
        call(4, "03-04 11:00", Outcome::NoAnswer),
    ];
    assert_eq!(fired(p, "US-COL-006", &events), vec![3]);
    let calls = [
        ev(1, "03-02 10:00", EventKind::CeaseRequest)
            .inbound()
            .medium("phone"),
        ev(2, "03-03 10:00", EventKind::Voicemail),
        call(3, "03-03 11:00", Outcome::NoAnswer),
        ev(4, "03-03 12:00", EventKind::Letter),
    ];
    assert_eq!(fired(p, "US-COL-006", &calls), vec![2, 3]);
    // The consumer writes by e-mail after opting out of e-mail: one reply is allowed, the
    // next unsolicited e-mail is not.
    let reply = [
        ev(1, "03-02 10:00", EventKind::CeaseRequest)
            .inbound()
            .medium("email"),
        ev(2, "03-06 10:00", EventKind::Email)
            .inbound()
            .text("What is my payoff?"),
        ev(3, "03-06 15:00", EventKind::Email).text("Your payoff is 812.40 USD"),
        ev(4, "03-09 15:00", EventKind::Email).text("Following up on your payoff"),
    ];
    assert_eq!(fired(p, "US-COL-006", &reply), vec![4]);
}

// ------------------------------------------------------------------ US-COL-007 validation notice

#[test]
fn validation_notice_within_five_days_of_the_initial_communication() {
    let p = plan();
    let base = [
        call(1, "03-02 09:00", Outcome::NoAnswer), // conveys nothing: not the initial one
        ev(2, "03-02 10:00", EventKind::Voicemail),
        call(3, "03-03 10:00", Outcome::Connected).text("Discussed the balance"),
        ev(4, "03-04 10:00", EventKind::Sms).text("Payment link"), // not initial
    ];
    let with_notice = |local: &str| {
        let mut v = base.to_vec();
        v.push(ev(5, local, EventKind::ValidationNotice));
        v
    };
    assert!(fired(p, "US-COL-007", &with_notice("03-08 16:00")).is_empty()); // day + 5
    assert_eq!(fired(p, "US-COL-007", &with_notice("03-09 09:00")), vec![3]); // day + 6
                                                                              // A log with no validation notice at all is not judged, unless configured to be.
    assert!(fired(p, "US-COL-007", &base).is_empty());
    let strict = strict_validation_plan();
    assert_eq!(fired(&strict, "US-COL-007", &base), vec![3]);
    assert!(fired(&strict, "US-COL-007", &with_notice("03-08 16:00")).is_empty());
    assert_eq!(
        findings(&strict, "US-COL-007", &base)[0].1,
        "initial communication (call, 2026-03-03) with no validation notice in it, before it, \
         or within 5d after it"
    );
}

#[test]
fn validation_is_per_debt_and_excused_by_payment_or_given_in_the_letter() {
    let p = plan();
    // Judged even without a logged notice, so that only the exceptions keep these quiet.
    let strict = strict_validation_plan();
    let per_debt = [
        ev(1, "03-02 10:00", EventKind::Email).account("A1"),
        ev(2, "03-02 10:00", EventKind::ValidationNotice).account("A2"),
        ev(3, "03-02 11:00", EventKind::Letter).account("A2"),
        ev(4, "03-10 10:00", EventKind::ValidationNotice).account("A1"), // A1's: late
    ];
    assert_eq!(fired(p, "US-COL-007", &per_debt), vec![1]);
    let paid = [
        call(1, "03-02 10:00", Outcome::Connected),
        ev(2, "03-05 10:00", EventKind::Payment).inbound(),
    ];
    assert!(fired(&strict, "US-COL-007", &paid).is_empty());
    let in_letter = [ev(1, "03-02 10:00", EventKind::Letter)
        .text("Enclosed is your validation notice. You have the right to dispute this debt.")];
    assert!(fired(&strict, "US-COL-007", &in_letter).is_empty());
    let third_party_first = [
        call(1, "03-02 10:00", Outcome::Connected).party(Party::Family),
        ev(2, "03-09 10:00", EventKind::ValidationNotice),
        ev(3, "03-09 10:00", EventKind::Letter),
    ];
    assert!(fired(&strict, "US-COL-007", &third_party_first).is_empty());
}

// ------------------------------------------------------------------ US-COL-008..011 conduct

/// Which of `texts` rule `id` flags, each on an outbound call of its own to `party`.
fn flagged_texts<'t>(p: &Plan, id: &str, party: Party, texts: &[&'t str]) -> Vec<&'t str> {
    texts
        .iter()
        .filter(|t| {
            let e = call(1, "03-02 10:00", Outcome::Connected)
                .party(party)
                .text(t);
            !fired(p, id, &[e]).is_empty()
        })
        .copied()
        .collect()
}

#[test]
fn threats_of_arrest_fire_and_denials_do_not() {
    let p = plan();
    let threats = [
        "If you don't pay by Friday you will be arrested.",
        "We'll have you arrested at work.",
        "You could go to jail for this.",
        "You're going to jail unless this is paid today",
        "A warrant has been issued for this account.",
        "There is a warrant out for your arrest.",
        "The sheriff will come to your house tonight.",
        "Police are on their way.",
        "We are going to call the police if you do not pay.",
        "We are pressing charges for check fraud.",
        "This is now a criminal matter.",
        "You committed fraud when you took this loan.",
        "We will report you to immigration and you could be deported.",
        "We will have the police arrest you at work.",
        "We are sending the sheriff tomorrow.",
        "You could face jail time.",
        "They will throw you in jail.",
        "Not paying this is a crime.",
    ];
    assert_eq!(
        flagged_texts(p, "US-COL-008", Party::Debtor, &threats),
        threats
    );
    let denials = [
        "We will not have you arrested; this is a civil matter.",
        "You will not go to jail over this debt.",
        "You cannot be arrested for not paying a credit card.",
        "This is not a criminal matter.",
        "Nobody is going to have you arrested.",
        "There is no warrant and no criminal case.",
        "Consumer asked about jail; agent explained it is a civil debt.",
        "Please call us to discuss a payment plan.",
        "We will not have the police involved; you will not face jail.",
        "Not paying is not a crime.",
    ];
    assert!(flagged_texts(p, "US-COL-008", Party::Debtor, &denials).is_empty());
    // The consumer's own words on an inbound call are not the collector's threat.
    let inbound = call(1, "03-02 10:00", Outcome::Connected)
        .inbound()
        .text("Consumer said she is afraid she will be arrested");
    assert!(fired(p, "US-COL-008", &[inbound]).is_empty());
}

#[test]
fn false_claims_of_authority_fire_and_truthful_identification_does_not() {
    let p = plan();
    let claims = [
        "We are attorneys and your file is with our legal department.",
        "This is the law office of Grant & Hill.",
        "I'm calling from the sheriff's office about your case.",
        "This is Officer Daniels.",
        "I am with the district attorney.",
        "We're a government agency.",
        "This is the county sheriff.",
    ];
    assert_eq!(
        flagged_texts(p, "US-COL-009", Party::Debtor, &claims),
        claims
    );
    let fine = [
        "We are not attorneys and not affiliated with any government agency.",
        "This is a communication from a debt collector, ABC Recovery.",
        "Consumer said she spoke with her attorney; we asked for his name.",
        "You may contact the Consumer Financial Protection Bureau.",
    ];
    assert!(flagged_texts(p, "US-COL-009", Party::Debtor, &fine).is_empty());
}

#[test]
fn legal_threats_need_a_lawsuit_in_the_log() {
    let p = plan();
    let threats = [
        "We will sue you tomorrow.",
        "If you don't pay we're going to garnish your wages.",
        "A lawsuit will be filed against you this week.",
        "Your car will be seized.",
        "We are filing suit on Monday.",
        "You will be sued.",
        "We are going to proceed with legal action.",
    ];
    assert_eq!(
        flagged_texts(p, "US-COL-010", Party::Debtor, &threats),
        threats
    );
    let fine = [
        "We are not going to sue you.",
        "No lawsuit has been filed.",
        "We will not garnish your wages.",
        "You will not be sued while the plan is current.",
        "We can set up a payment plan that fits your budget.",
    ];
    assert!(flagged_texts(p, "US-COL-010", Party::Debtor, &fine).is_empty());
    // Backed by a suit on the same debt (or with no account), but not by a suit on another.
    let threat = call(2, "03-05 10:00", Outcome::Connected)
        .account("A1")
        .text("We will garnish your wages once the court rules.");
    let suit = |account: &str| {
        ev(1, "03-01 10:00", EventKind::Lawsuit)
            .account(account)
            .text("Complaint filed")
    };
    assert!(fired(p, "US-COL-010", &[suit("A1"), threat.clone()]).is_empty());
    assert_eq!(fired(p, "US-COL-010", &[suit("A2"), threat]), vec![2]);
}

#[test]
fn the_debt_is_not_disclosed_to_third_parties() {
    let p = plan();
    let disclosing = "Told her that John owes us 2,400 USD on a past due loan.";
    let location_only = "Asked for John's current address and phone number; did not say why.";
    for party in [
        Party::EmergencyContact,
        Party::Family,
        Party::Employer,
        Party::ContactList,
        Party::OtherThirdParty,
    ] {
        assert_eq!(
            flagged_texts(p, "US-COL-011", party, &[disclosing, location_only]),
            [disclosing],
            "{party:?}"
        );
    }
    for party in [
        Party::Debtor,
        Party::Spouse,
        Party::Attorney,
        Party::CoBorrower,
        Party::Guarantor,
    ] {
        assert!(flagged_texts(p, "US-COL-011", party, &[disclosing]).is_empty());
    }
    let words = [
        "Please have him call ABC Collections.",
        "Tell your brother his payment is overdue.",
        "We are trying to collect a debt.",
        "She is behind on her account and in default.",
    ];
    assert_eq!(flagged_texts(p, "US-COL-011", Party::Family, &words), words);
}

// The fixture logs (fixtures/logs/us) and the embedded YAML examples are run by the real
// readers in `loanlint test` and tests/builtin_rules.rs.
