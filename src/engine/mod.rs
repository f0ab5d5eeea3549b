//! Rules -> plan; (plan, subject) -> findings.

mod finding;

pub use finding::{Finding, Severity};

use crate::document::Document;
use crate::extract::Facts;
use crate::lang::ir::RuleSet;

/// A rule set compiled for evaluation: patterns compiled once, one shared prefilter.
#[derive(Debug)]
pub struct Plan {
    pub rules: RuleSet,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("rule {rule}: pattern does not compile after normalisation: {message}")]
    Pattern { rule: String, message: String },
}

impl Plan {
    pub fn compile(rules: RuleSet) -> Result<Plan, PlanError> {
        Ok(Plan { rules })
    }

    /// Evaluate the rules selected by `applies` (indices into `rules.rules`) on one document.
    pub fn check(
        &self,
        doc: &Document,
        facts: &Facts,
        applies: &dyn Fn(usize) -> bool,
    ) -> Vec<Finding> {
        let _ = (doc, facts, applies);
        Vec::new()
    }
}
