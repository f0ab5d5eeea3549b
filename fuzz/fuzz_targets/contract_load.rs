//! A contract file's bytes through the loaders and the built-in rules. The first byte picks the
//! format (text, Markdown, HTML, DOCX, PDF) and the second the encoding asked for (none, so
//! detected; GBK, Big5, UTF-16LE/BE, GB18030, or an unknown name); the rest is the file. The
//! loaded document is checked as `loanlint check` does (jurisdiction, extraction, built-in
//! plan, suppression comments), its spans mapped back to the file, and the findings rendered.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loanlint::document::{load_bytes, Format, LoadOptions, TrackedChanges};
use loanlint::lint::{CheckOptions, Linter};
use loanlint::report::{render_human, render_json, Report};
use std::sync::OnceLock;

fn linter() -> &'static Linter {
    static LINTER: OnceLock<Linter> = OnceLock::new();
    LINTER.get_or_init(|| Linter::builtin().expect("the built-in rules compile"))
}

const FORMATS: [Format; 5] = [
    Format::Text,
    Format::Markdown,
    Format::Html,
    Format::Docx,
    Format::Pdf,
];

const ENCODINGS: [Option<&str>; 7] = [
    None,
    Some("gbk"),
    Some("big5"),
    Some("utf-16le"),
    Some("utf-16be"),
    Some("gb18030"),
    Some("no-such-encoding"),
];

// Built before fuzzing starts: compiling the built-in rules is not the first input's time.
fuzz_target!(init: { linter(); }, |data: &[u8]| {
    let [format, encoding, file @ ..] = data else {
        return;
    };
    let format = FORMATS[usize::from(*format) % FORMATS.len()];
    // Half the inputs detect the encoding, as most runs do.
    let encoding = match usize::from(*encoding) {
        e if e < 128 => None,
        e => ENCODINGS[e % ENCODINGS.len()],
    };
    let options = LoadOptions {
        encoding: encoding.map(str::to_string),
        tracked_changes: if encoding.is_none() && data[1] % 2 == 1 {
            TrackedChanges::Original
        } else {
            TrackedChanges::Accepted
        },
    };
    let Ok(doc) = load_bytes(file, format, "fuzz", &options) else {
        return;
    };
    let linter = linter();
    let (findings, subject) = linter.check_document(&doc, &CheckOptions::default());
    let outcome = loanlint::suppress::apply_for_rules(&doc, findings, &linter.plan.rules);
    // Every region the segmenter found maps back to the file (as findings in them would).
    for range in doc
        .clauses
        .iter()
        .map(|c| &c.range)
        .chain(doc.sentences.iter().map(|s| &s.range))
    {
        let _ = doc.to_file(range.clone());
    }
    let mut report = Report {
        files: 1,
        subjects: vec![subject],
        ..Report::default()
    };
    if !outcome.active.is_empty() {
        report.sources.insert(doc.path.clone(), doc.source.clone());
    }
    report.findings = outcome.active;
    let _ = render_json(&report);
    let _ = render_human(&report, false);
});
