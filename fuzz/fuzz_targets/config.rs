//! `loanlint.yaml` on arbitrary text: parse and shape-check it, build its file filters and log
//! mapping, and apply it to the built-in rule set (names and param types checked).
#![no_main]

use libfuzzer_sys::fuzz_target;
use loanlint::config::Config;
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

// Built before fuzzing starts: compiling the built-in rules is not the first input's time.
fuzz_target!(init: { builtin_rules(); }, |data: &[u8]| {
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
    // Not planned afterwards: planning the whole built-in set takes seconds under ASan, which
    // would leave the fuzzer a few inputs a minute (rule_lang plans what compiles).
    let mut rules = builtin_rules().clone();
    let _ = config.apply(&mut rules);
});
