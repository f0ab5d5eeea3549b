//! The extractors on arbitrary text: the document segmenter (paragraphs, sentences, clause
//! numbering, template blanks) on it as a plain-text contract, then every fact extractor
//! (rates, money, durations, dates), the loan terms and the APR they imply, the Chinese-numeral
//! scanner and parser, and the `loanlint extract` rows and renderings.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loanlint::document::{Document, Format};
use loanlint::extract::{self, loan_terms, numerals};
use loanlint::report::{fact_rows, render_facts_human, render_facts_json};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Straight on the raw text, with no blanks, as the rule engine's examples use it.
    let raw = extract::extract(text, &[]);
    let _ = loan_terms::loan_figures(text, &raw);
    let _ = numerals::parse_number(text);
    for n in numerals::numerals(text).take(10_000) {
        let _ = numerals::scan_jiao_fen(text, n.span.end);
    }
    let doc = Document::from_source("fuzz.txt", Format::Text, text.to_string(), 0);
    let facts = extract::extract(&doc.text, &doc.blanks);
    let terms = loan_terms::find_loan_terms(&doc.text, &facts);
    let _ = loan_terms::implied_apr(&terms);
    let rows = fact_rows(&doc, &facts);
    let _ = render_facts_human(&rows);
    let _ = render_facts_json(&rows);
});
