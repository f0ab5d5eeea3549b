//! Rules -> plan; (plan, subject) -> findings.
//!
//! [`Plan::compile`] compiles every pattern of every rule once into one shared
//! prefilter ([`patterns::PatternTable`]). [`Plan::check`] scans a document
//! once, skips the rules whose required patterns do not occur, and evaluates the rest.

mod eval;
mod event_index;
mod events;
mod finding;
mod patterns;
mod value;

pub use finding::{Finding, Severity};
pub use patterns::{PatternError, PatternHints};

use crate::document::{Document, Format};
use crate::extract::Facts;
use crate::lang::ir::{PatternId, RuleSet, Subject};
use crate::log::Event;
use crate::span::ColumnCursor;
use eval::{Evaluator, RawFinding};
use patterns::PatternTable;

/// A rule set compiled for evaluation.
#[derive(Debug)]
pub struct Plan {
    pub rules: RuleSet,
    /// The patterns of contract rules, and of log rules: each subject is scanned for its own.
    patterns: PatternTable,
    log_patterns: PatternTable,
    /// Per pack: whether it has contract rules, and whether it has log rules.
    pack_subjects: Vec<(bool, bool)>,
    /// Per rule: a pattern that must occur in a document for the rule to fire.
    triggers: Vec<Option<PatternId>>,
    /// See [`closed_subqueries`]; keyed by addresses inside `rules`, which a plan never changes.
    closed_subqueries: eval::AddressMap<bool>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Pattern(#[from] PatternError),
}

impl Plan {
    pub fn compile(rules: RuleSet) -> Result<Plan, PlanError> {
        Plan::compile_with_hints(rules, None)
    }

    /// [`Plan::compile`], reading regex guards from `hints` (from [`Plan::pattern_hints`] of an
    /// earlier plan) instead of parsing the regexes they cover.
    pub fn compile_with_hints(
        rules: RuleSet,
        hints: Option<&PatternHints>,
    ) -> Result<Plan, PlanError> {
        let used = |subject: Subject| {
            let mut ids = std::collections::BTreeSet::new();
            for r in rules.rules.iter().filter(|r| r.subject == subject) {
                rule_patterns(r, &mut ids);
            }
            ids
        };
        let (contract_ids, log_ids) = (used(Subject::Contract), used(Subject::Log));
        let patterns =
            PatternTable::compile_only(&rules.patterns, &|id| contract_ids.contains(&id), hints)?;
        let log_patterns =
            PatternTable::compile_only(&rules.patterns, &|id| log_ids.contains(&id), hints)?;
        let triggers = rules.rules.iter().map(eval::trigger_patterns).collect();
        let mut pack_subjects = vec![(false, false); rules.packs.len()];
        for r in &rules.rules {
            if let Some(s) = pack_subjects.get_mut(r.pack) {
                match r.subject {
                    Subject::Contract => s.0 = true,
                    Subject::Log => s.1 = true,
                }
            }
        }
        Ok(Plan {
            closed_subqueries: closed_subqueries(&rules),
            rules,
            patterns,
            log_patterns,
            pack_subjects,
            triggers,
        })
    }

    /// What the prefilters read from the rules' regexes, for [`Plan::compile_with_hints`].
    pub fn pattern_hints(&self) -> PatternHints {
        let mut hints = self.patterns.hints();
        hints.merge(self.log_patterns.hints());
        hints
    }

    /// The literal and regex sources of the shared prefilter (after normalisation).
    pub fn pattern_sources(&self) -> (Vec<&str>, Vec<&str>) {
        self.patterns.sources()
    }

    /// The same for the log rules' prefilter.
    pub fn log_pattern_sources(&self) -> (Vec<&str>, Vec<&str>) {
        self.log_patterns.sources()
    }

    /// Evaluate the rules selected by `applies` (indices into `rules.rules`) on one document.
    /// Findings are in document order, then rule order.
    pub fn check(
        &self,
        doc: &Document,
        facts: &Facts,
        applies: &dyn Fn(usize) -> bool,
    ) -> Vec<Finding> {
        let scan = self.patterns.scan(&doc.text);
        let mut evaluator = Evaluator::new(&self.patterns, &self.rules.params, doc, facts, &scan);
        evaluator.closed_subqueries = Some(&self.closed_subqueries);
        let mut raw = Vec::new();
        for (i, rule) in self.rules.rules.iter().enumerate() {
            if !applies(i)
                || rule.subject != Subject::Contract
                || (rule.needs_emphasis && !doc.format.shows_emphasis())
            {
                continue;
            }
            if let Some(pid) = self.triggers[i] {
                if !self.patterns.may_occur(pid, &scan) {
                    continue;
                }
            }
            raw.extend(evaluator.run(rule).into_iter().map(|f| (i, f)));
        }
        // Located in document order, so that columns are counted incrementally.
        raw.sort_by_key(|(i, f)| (f.range.start, *i));
        let mut cursors = (ColumnCursor::default(), ColumnCursor::default());
        raw.into_iter()
            .map(|(i, f)| self.locate(i, doc, f, &mut cursors))
            .collect()
    }

    /// Evaluate the log rules selected by `applies` on one debtor's events (sorted by time,
    /// then line, as [`crate::log::stream::by_debtor`] gives them). Each finding names the
    /// index of the event it is about, in stream order then rule order. For many debtors, an
    /// [`EventChecker`] does once what this does per call.
    pub fn check_events(
        &self,
        events: &[Event],
        applies: &dyn Fn(usize) -> bool,
    ) -> Vec<EventFinding> {
        self.checker_for(applies).check(events, applies)
    }

    /// The plan's log rules, ready to check many debtors' streams (from any thread).
    pub fn event_checker(&self) -> EventChecker<'_> {
        self.checker_for(&|_| true)
    }

    /// An [`EventChecker`] for the rules `applies` selects.
    fn checker_for(&self, applies: &dyn Fn(usize) -> bool) -> EventChecker<'_> {
        EventChecker {
            plan: self,
            shapes: event_index::IndexShapes::of(&self.rules, applies),
        }
    }

    /// A finding about an event, placed at its record.
    pub fn locate_event(
        &self,
        f: EventFinding,
        e: &Event,
        file: &str,
        place: RecordPlace,
    ) -> Finding {
        let rule = &self.rules.rules[f.rule];
        let RecordPlace {
            bytes,
            start: (line, column),
            end: (end_line, end_column),
            snippet,
        } = place;
        Finding {
            rule: rule.id.clone(),
            concept: rule.concept.clone(),
            severity: rule.severity,
            message: f.message,
            file: file.to_string(),
            line,
            column,
            end_line,
            end_column,
            byte_start: bytes.start,
            byte_end: bytes.end,
            cite: rule.cite.clone(),
            help: f.help,
            snippet,
            clause: None,
            record: e.id.clone(),
            source_range: bytes,
        }
    }

    /// Which packs apply to a subject of jurisdiction `code` (packs without one always apply),
    /// indexed like `rules.packs`.
    pub fn packs_for(&self, code: Option<&str>) -> Vec<bool> {
        self.rules
            .packs
            .iter()
            .map(|p| match (&p.jurisdiction, code) {
                (None, _) => true,
                (Some(pj), Some(j)) => pj.eq_ignore_ascii_case(j),
                (Some(_), None) => false,
            })
            .collect()
    }

    /// Whether pack `pack` has rules for `subject` (a log pack says nothing about a contract).
    pub fn pack_checks(&self, pack: usize, subject: Subject) -> bool {
        self.pack_subjects
            .get(pack)
            .is_some_and(|(contract, log)| match subject {
                Subject::Contract => *contract,
                Subject::Log => *log,
            })
    }

    /// How many findings rule `index` produces on its embedded example: a text read as
    /// Markdown for a contract rule; for a log rule, a log in YAML (times without an offset
    /// read in UTC). An example log with a record that cannot be read is an error.
    pub fn count_on_example(&self, index: usize, text: &str) -> Result<usize, String> {
        let log_rule = self
            .rules
            .rules
            .get(index)
            .is_some_and(|r| r.subject == Subject::Log);
        if !log_rule {
            let doc = Document::from_source("<example>", Format::Markdown, text.to_string(), 0);
            let facts = crate::extract::extract(&doc.text, &doc.blanks);
            return Ok(self.check(&doc, &facts, &|i| i == index).len());
        }
        let mapping = crate::log::LogMapping {
            default_zone: Some("UTC".into()),
            ..Default::default()
        };
        let read = crate::log::read::read_log(
            "<example>",
            text.as_bytes(),
            crate::log::read::LogFormat::Yaml,
            &mapping,
        )
        .map_err(|e| e.to_string())?;
        if let Some(r) = read.rejected.first() {
            return Err(format!("record {} of the example: {}", r.line, r.reason));
        }
        Ok(crate::log::stream::by_debtor(read.events)
            .iter()
            .map(|(_, events)| self.check_events(events, &|i| i == index).len())
            .sum())
    }

    fn locate(
        &self,
        rule_index: usize,
        doc: &Document,
        raw: RawFinding,
        (starts, ends): &mut (ColumnCursor, ColumnCursor),
    ) -> Finding {
        let rule = &self.rules.rules[rule_index];
        let src = doc.to_source(raw.range.clone());
        let file = doc.source_to_file(src.clone());
        let (line, column) = starts.line_col(&doc.source_lines, &doc.source, src.start);
        let (end_line, end_column) = ends.line_col(&doc.source_lines, &doc.source, src.end);
        let snippet: String = doc
            .source
            .get(src.clone())
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        // Clauses are sorted and cover the text: the last one starting at or before the span.
        let at = doc
            .clauses
            .partition_point(|c| c.range.start <= raw.range.start);
        let clause = at
            .checked_sub(1)
            .and_then(|i| doc.clauses.get(i))
            .filter(|c| raw.range.start < c.range.end.max(c.range.start + 1))
            .map(|c| c.number.clone())
            .filter(|n| !n.is_empty());
        Finding {
            rule: rule.id.clone(),
            concept: rule.concept.clone(),
            severity: rule.severity,
            message: raw.message,
            file: doc.path.clone(),
            line,
            column,
            end_line,
            end_column,
            byte_start: file.start,
            byte_end: file.end,
            cite: rule.cite.clone(),
            help: raw.help,
            snippet,
            clause,
            record: None,
            source_range: src,
        }
    }
}

/// A node of a rule's expressions: an expression, or a query (whose filter follows).
enum Node<'r> {
    Expr(&'r crate::lang::ir::Expr),
    Query(&'r crate::lang::ir::Query),
}

/// Every expression and query of `rule`, each before what it holds.
fn visit_rule<'r>(rule: &'r crate::lang::ir::Rule, f: &mut impl FnMut(Node<'r>)) {
    use crate::lang::ir::{Assertion, TemplatePart};
    match &rule.assertion {
        Assertion::Forbid { query, unless } => {
            visit_query(query, f);
            unless.iter().for_each(|u| visit_expr(u, f));
        }
        Assertion::Require { cond, unless } => {
            visit_expr(cond, f);
            unless.iter().for_each(|u| visit_expr(u, f));
        }
    }
    rule.at.iter().for_each(|q| visit_query(q, f));
    for part in rule.message.parts.iter().chain(&rule.help.parts) {
        if let TemplatePart::Value(e) = part {
            visit_expr(e, f);
        }
    }
}

fn visit_query<'r>(q: &'r crate::lang::ir::Query, f: &mut impl FnMut(Node<'r>)) {
    f(Node::Query(q));
    q.filter.iter().for_each(|e| visit_expr(e, f));
}

fn visit_expr<'r>(e: &'r crate::lang::ir::Expr, f: &mut impl FnMut(Node<'r>)) {
    use crate::lang::ir::Part;
    f(Node::Expr(e));
    for part in e.parts() {
        match part {
            Part::Expr(x) => visit_expr(x, f),
            Part::Query(q, value) => {
                visit_query(q, f);
                value.iter().for_each(|v| visit_expr(v, f));
            }
        }
    }
}

/// Every pattern a rule can test (in its assertion, `at` query and message templates).
fn rule_patterns(rule: &crate::lang::ir::Rule, out: &mut std::collections::BTreeSet<PatternId>) {
    visit_rule(rule, &mut |node| match node {
        Node::Query(q) => out.extend(q.pattern),
        Node::Expr(crate::lang::ir::Expr::Matches(_, pid)) => {
            out.insert(*pid);
        }
        Node::Expr(_) => {}
    });
}

/// Per sub-query expression (`exists`, `count`, `min`/`max`/`sum`), by address: whether it
/// reads no outer binding, so that an evaluator computes it once per document or debtor.
/// Worked out once per plan: per debtor it was 3% of a log check.
fn closed_subqueries(rules: &RuleSet) -> eval::AddressMap<bool> {
    use crate::lang::ir::Expr;
    let mut closed = eval::AddressMap::default();
    for rule in &rules.rules {
        visit_rule(rule, &mut |node| {
            if let Node::Expr(e @ (Expr::Exists(_) | Expr::Count(_) | Expr::Aggregate { .. })) =
                node
            {
                closed.insert(e as *const Expr as usize, eval::free_slots(e).is_empty());
            }
        });
    }
    closed
}

/// A plan's log rules with what depends on the rules alone worked out once (how each `event`
/// sub-query's filter is indexed): [`Plan::check_events`] for many debtors.
pub struct EventChecker<'p> {
    plan: &'p Plan,
    shapes: event_index::IndexShapes<'p>,
}

impl EventChecker<'_> {
    /// [`Plan::check_events`] on one debtor's events.
    pub fn check(&self, events: &[Event], applies: &dyn Fn(usize) -> bool) -> Vec<EventFinding> {
        let plan = self.plan;
        let empty = EmptySubject::get();
        let texts = events::EventTexts::new(&plan.log_patterns, events);
        let mut evaluator = Evaluator::for_events(
            &plan.log_patterns,
            &plan.rules.params,
            (&empty.doc, &empty.facts, &empty.scan),
            events,
            &texts,
        );
        evaluator.closed_subqueries = Some(&plan.closed_subqueries);
        evaluator.index_shapes = Some(&self.shapes);
        let mut out = Vec::new();
        for (i, rule) in plan.rules.rules.iter().enumerate() {
            if !applies(i) || rule.subject != Subject::Log {
                continue;
            }
            out.extend(evaluator.run(rule).into_iter().map(|f| EventFinding {
                rule: i,
                event: f.range.start,
                message: f.message,
                help: f.help,
            }));
        }
        out.sort_by_key(|f| (f.event, f.rule));
        out
    }
}

/// A violation found in a debtor's event stream, before it is located in the log file.
#[derive(Debug, Clone, PartialEq)]
pub struct EventFinding {
    /// Index into `rules.rules`.
    pub rule: usize,
    /// Index into the debtor's event stream.
    pub event: usize,
    pub message: String,
    pub help: String,
}

/// Where a log record lies in its file (bytes; 1-based line and character column of its
/// start and end) and its first 200 characters.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordPlace {
    pub bytes: std::ops::Range<usize>,
    pub start: (usize, usize),
    pub end: (usize, usize),
    pub snippet: String,
}

const SNIPPET_CHARS: usize = 200;

impl RecordPlace {
    /// The record at `bytes` of the file's whole text `source` (`lines`: its line index).
    pub fn in_source(
        source: &str,
        lines: &crate::span::LineIndex,
        bytes: std::ops::Range<usize>,
    ) -> Self {
        let bytes = crate::span::snap(source, bytes);
        RecordPlace {
            start: lines.line_col(source, bytes.start),
            end: lines.line_col(source, bytes.end),
            snippet: source
                .get(bytes.clone())
                .unwrap_or_default()
                .chars()
                .take(SNIPPET_CHARS)
                .collect(),
            bytes,
        }
    }

    /// A record that starts a line (`line`), at `bytes` of its file, from its own text: what
    /// a log read block by block knows without the rest of the file.
    pub fn from_record(line: usize, bytes: std::ops::Range<usize>, text: &str) -> Self {
        let breaks = text.matches('\n').count();
        let last_line = text.rfind('\n').map_or(text, |at| &text[at + 1..]);
        RecordPlace {
            start: (line, 1),
            end: (line + breaks, last_line.chars().count() + 1),
            snippet: text.chars().take(SNIPPET_CHARS).collect(),
            bytes,
        }
    }
}

/// The empty document a log rule's evaluator stands on (log rules read no contract text).
struct EmptySubject {
    doc: Document,
    facts: Facts,
    scan: patterns::Scan,
}

impl EmptySubject {
    fn get() -> &'static EmptySubject {
        static EMPTY: std::sync::OnceLock<EmptySubject> = std::sync::OnceLock::new();
        EMPTY.get_or_init(|| EmptySubject {
            doc: Document::from_source("", Format::Text, String::new(), 0),
            facts: Facts::default(),
            scan: patterns::Scan::empty(),
        })
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod event_index_tests;

#[cfg(test)]
mod events_tests;

#[cfg(test)]
mod us_collection_tests;

#[cfg(test)]
mod loan_tests;
