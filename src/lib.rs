//! loanlint: a compliance checker for consumer-loan contracts and debt-collection records.
//!
//! Data flows one way: rule files -> [`lang`] (parse, check) -> [`engine::Plan`];
//! files -> [`document::Document`] + [`extract::Facts`] (a subject);
//! (plan, subject) -> [`engine::Finding`]s -> [`report`].

// Memory safety rests on the compiler alone: no `unsafe` here, so the fuzzers (fuzz/) look for
// panics, hangs and over-allocation, and sanitizers would only test dependencies.
#![forbid(unsafe_code)]

pub mod apr;
pub mod baseline;
pub mod builtin;
pub mod calendar;
pub mod concepts;
pub mod config;
pub mod diff;
pub mod document;
pub mod engine;
pub mod extract;
pub mod filter;
pub mod jurisdiction;
pub mod lang;
pub mod lint;
pub mod log;
pub mod logcheck;
pub mod report;
pub mod rule_cache;
pub mod span;
pub mod suppress;
pub mod testing;
pub mod yaml;
