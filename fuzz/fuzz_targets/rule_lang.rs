//! The rule language on arbitrary text: parse, check against the built-in concept catalogue,
//! render the diagnostics (ariadne, byte spans into the text), and for a file that compiles,
//! plan it and run its embedded examples through the engine.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loanlint::concepts::ConceptCatalogue;
use loanlint::lang::{self, SourceFile};
use loanlint::lint::Linter;
use std::sync::OnceLock;

fn concepts() -> &'static ConceptCatalogue {
    static CONCEPTS: OnceLock<ConceptCatalogue> = OnceLock::new();
    CONCEPTS.get_or_init(ConceptCatalogue::builtin)
}

fuzz_target!(init: { concepts(); }, |data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let files = vec![SourceFile {
        path: "fuzz.rules".to_string(),
        text: text.to_string(),
    }];
    // A parameter value as `loanlint.yaml` gives one goes through the same grammar.
    let _ = lang::parse_param_value(text);
    match lang::compile(&files, concepts()) {
        Ok((_, warnings)) => {
            let _ = lang::render(&warnings, &files, false);
            // Compiles again inside the linter (cheap next to planning and the examples).
            if let Ok(linter) = Linter::from_sources(files) {
                let _ = linter.check_examples();
            }
        }
        Err(diagnostics) => {
            let _ = lang::render(&diagnostics, &files, false);
        }
    }
});
