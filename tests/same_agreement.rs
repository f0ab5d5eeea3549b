//! One real-looking loan agreement in four forms — a DOCX written by python-docx (an
//! independent writer: auto-numbered 第X条 clauses, bold key clauses, a header, a footer and
//! a table), UTF-8 text, GBK text and HTML — must give the same concepts; and the emphasis a
//! DOCX or HTML shows must decide the highlighting rules. Fixtures: fixtures/formats, made by
//! fixtures/formats/make_docx.py.

use loanlint::engine::Finding;
use loanlint::lint::{CheckOptions, Linter};
use loanlint::report::Report;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/formats")
        .join(name)
}

fn check(linter: &Linter, name: &str) -> Report {
    let report = linter.check_paths(&[fixture(name)], &CheckOptions::default());
    assert!(
        report.input_errors.is_empty(),
        "{name}: {:?}",
        report.input_errors
    );
    assert_eq!(report.files, 1, "{name}");
    report
}

fn emphasis_rules(linter: &Linter) -> BTreeSet<String> {
    linter
        .plan
        .rules
        .rules
        .iter()
        .filter(|r| r.needs_emphasis)
        .map(|r| r.id.clone())
        .collect()
}

/// (rule, concept, clause) of the findings of rules that do not judge emphasis.
fn content_findings(
    report: &Report,
    emphasis: &BTreeSet<String>,
) -> BTreeSet<(String, String, String)> {
    report
        .findings
        .iter()
        .filter(|f| !emphasis.contains(&f.rule))
        .map(|f| {
            (
                f.rule.clone(),
                f.concept.clone(),
                f.clause.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn fired<'a>(report: &'a Report, rule: &str) -> Vec<&'a Finding> {
    report.findings.iter().filter(|f| f.rule == rule).collect()
}

const FORMS: [&str; 4] = [
    "agreement.txt",
    "agreement-gbk.txt",
    "agreement.docx",
    "agreement.html",
];

#[test]
fn the_same_agreement_gives_the_same_concepts_in_every_form() {
    let linter = Linter::builtin().expect("built-in rules compile");
    let emphasis = emphasis_rules(&linter);
    let expected: BTreeSet<(String, String, String)> = [
        ("CN-FMT-001", "format.final-interpretation", "第六条"),
        ("CN-FMT-009", "format.jurisdiction-lender-court", "第五条"),
        ("CN-INT-007", "interest.comprehensive-cost-cap", "第二条"),
        ("CN-PEN-001", "penalty.excessive", "第二条"),
    ]
    .iter()
    .map(|(r, c, k)| (r.to_string(), c.to_string(), k.to_string()))
    .collect();
    let in_text = fired(&check(&linter, "agreement.txt"), "CN-FMT-001").len();
    for name in FORMS {
        let report = check(&linter, name);
        assert_eq!(content_findings(&report, &emphasis), expected, "{name}");
        // The final-interpretation clause is read once: the copy the HTML hides with a
        // `display: none` class is not.
        assert_eq!(fired(&report, "CN-FMT-001").len(), in_text, "{name}");
    }
    let gbk = check(&linter, "agreement-gbk.txt");
    assert_eq!(gbk.subjects[0].encoding.as_deref(), Some("GBK"));
}

#[test]
fn text_forms_locate_findings_on_the_same_lines() {
    let linter = Linter::builtin().expect("built-in rules compile");
    let emphasis = emphasis_rules(&linter);
    let located = |name: &str| -> Vec<(String, usize, usize, String)> {
        check(&linter, name)
            .findings
            .iter()
            .filter(|f| !emphasis.contains(&f.rule))
            .map(|f| (f.rule.clone(), f.line, f.column, f.snippet.clone()))
            .collect()
    };
    let txt = located("agreement.txt");
    assert!(!txt.is_empty());
    // DOCX: one line per paragraph (a table row is a line), Word's numbers written out, so
    // its extracted text puts every finding where the text file has it.
    assert_eq!(located("agreement.docx"), txt);
    assert_eq!(located("agreement-gbk.txt"), txt);
}

#[test]
fn docx_from_python_docx_reads_numbering_table_header_and_footer() {
    let doc = loanlint::document::load_file(&fixture("agreement.docx"), "agreement.docx")
        .expect("python-docx output loads");
    let txt = std::fs::read_to_string(fixture("agreement.txt")).expect("UTF-8 fixture");
    let (body, scopes) = doc
        .source
        .split_once("\n\n〔页眉〕\n")
        .expect("the header follows the body");
    assert_eq!(format!("{body}\n"), txt);
    assert_eq!(
        scopes,
        "华信消费金融有限公司　个人消费借款合同\n\n〔页脚〕\n合同编号：XF-2025-000123"
    );
    let numbers: Vec<&str> = doc.clauses.iter().map(|c| c.number.as_str()).collect();
    assert_eq!(
        numbers,
        [
            "",
            "第一条",
            "第二条",
            "第三条",
            "第四条",
            "第五条",
            "第六条",
            "页眉",
            "页脚"
        ]
    );
    // The last body clause ends with the body; the scopes cover the rest.
    let body_end = doc.text.find("\n\n〔页眉〕").unwrap();
    let sixth = doc.text.find("第六条").unwrap();
    assert_eq!(doc.clauses[6].range, sixth..body_end);
    assert_eq!(doc.clauses[7].range.start, body_end);
    assert_eq!(
        doc.clauses.last().map(|c| c.range.end),
        Some(doc.text.len())
    );
    // Bold by run (2.1) and by the bold "重要条款" paragraph style (4.1); the numbers Word
    // draws are not bold, nor is the dispute clause.
    for (phrase, bold) in [
        ("借款日利率为0.1%", true),
        ("因系统维护", true),
        ("4.1", false),
        ("因本合同引起的争议", false),
    ] {
        let at = doc.text.find(phrase).unwrap_or_else(|| panic!("{phrase}"));
        assert_eq!(
            doc.is_emphasised(&(at..at + phrase.len())),
            bold,
            "{phrase}"
        );
    }
}

#[test]
fn emphasis_in_docx_and_html_decides_the_highlighting_rules() {
    let linter = Linter::builtin().expect("built-in rules compile");
    for (bold, plain) in [
        ("agreement.docx", "agreement-plain.docx"),
        ("agreement.html", "agreement-plain.html"),
    ] {
        let bold_report = check(&linter, bold);
        let plain_report = check(&linter, plain);
        let clauses = |report: &Report, rule: &str| -> Vec<String> {
            fired(report, rule)
                .iter()
                .map(|f| f.clause.clone().unwrap_or_default())
                .collect()
        };
        // The bold exemption clause and bold rate clauses: no finding.
        assert_eq!(
            clauses(&bold_report, "CN-FMT-003"),
            Vec::<String>::new(),
            "{bold}"
        );
        assert_eq!(
            clauses(&bold_report, "CN-FMT-013"),
            Vec::<String>::new(),
            "{bold}"
        );
        // The same clauses without bold: findings where they are.
        assert_eq!(clauses(&plain_report, "CN-FMT-003"), ["第四条"], "{plain}");
        assert!(!clauses(&plain_report, "CN-FMT-013").is_empty(), "{plain}");
        assert!(
            clauses(&plain_report, "CN-FMT-013")
                .iter()
                .all(|c| c == "第二条"),
            "{plain}"
        );
        // The dispute clause is not bold in either: found in both.
        assert_eq!(clauses(&bold_report, "CN-FMT-014"), ["第五条"], "{bold}");
        assert_eq!(clauses(&plain_report, "CN-FMT-014"), ["第五条"], "{plain}");
    }
    // Text shows no emphasis: the highlighting rules do not judge it.
    let txt = check(&linter, "agreement.txt");
    for rule in emphasis_rules(&linter) {
        assert!(fired(&txt, &rule).is_empty(), "{rule}");
    }
}
