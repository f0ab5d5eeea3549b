//! `loanlint.yaml` on arbitrary text: parse and shape-check it, build its file filters and log
//! mapping, and apply it to the built-in rule set (names and param types checked); a
//! configuration that applies is planned, as `loanlint check` would.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loanlint::config::Config;
use loanlint::engine::Plan;
use loanlint::lang::ir::RuleSet;
use loanlint::lint::Linter;
use std::sync::OnceLock;

fn builtin_rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| {
        Linter::builtin()
            .expect("the built-in rules compile")
            .plan
            .rules
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(config) = Config::parse(text, "loanlint.yaml") else {
        return;
    };
    let _ = config.file_filter();
    let _ = config.clause_files();
    let _ = config.rule_paths();
    let _ = config.log_mapping();
    let mut rules = builtin_rules().clone();
    // Planning takes milliseconds: only for a configuration that changed something.
    if config.apply(&mut rules).is_ok() && rules != *builtin_rules() {
        let _ = Plan::compile(rules);
    }
});
