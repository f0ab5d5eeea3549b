//! Input formats and encodings end to end: the same contract in another encoding or format
//! gives the same findings, located in the file the user has.

use loanlint::engine::Finding;
use loanlint::lint::{CheckOptions, Linter};
use std::path::{Path, PathBuf};

fn linter() -> Linter {
    Linter::builtin().expect("built-in rules compile")
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/contracts")
        .join(name);
    std::fs::read_to_string(path).expect("fixture is UTF-8")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("temp file written");
    path
}

/// Findings as (rule, line, column, snippet): what a reader compares across formats.
fn seen(findings: &[Finding]) -> Vec<(String, usize, usize, String)> {
    findings
        .iter()
        .map(|f| (f.rule.clone(), f.line, f.column, f.snippet.clone()))
        .collect()
}

#[test]
fn gbk_contract_gives_the_findings_of_its_utf8_twin_at_gbk_offsets() {
    let text = fixture("predatory-app.txt");
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable, "the fixture is GBK-encodable");
    let dir = tempfile::tempdir().unwrap();
    let utf8_path = write(dir.path(), "utf8.txt", text.as_bytes());
    let gbk_path = write(dir.path(), "gbk.txt", &gbk);
    let linter = linter();
    let options = CheckOptions::default();
    let utf8 = linter.check_paths(&[utf8_path], &options);
    let gbk_report = linter.check_paths(&[gbk_path], &options);
    assert!(
        gbk_report.input_errors.is_empty(),
        "{:?}",
        gbk_report.input_errors
    );
    assert!(!utf8.findings.is_empty());
    assert_eq!(seen(&gbk_report.findings), seen(&utf8.findings));
    assert_eq!(gbk_report.subjects[0].encoding.as_deref(), Some("GBK"));
    assert_eq!(utf8.subjects[0].encoding.as_deref(), Some("UTF-8"));
    for f in &gbk_report.findings {
        let (snippet, _, _) = encoding_rs::GBK.encode(&f.snippet);
        assert_eq!(
            gbk.get(f.byte_start..f.byte_end),
            Some(&*snippet),
            "{}: byte range {}..{} is not the snippet's GBK bytes",
            f.rule,
            f.byte_start,
            f.byte_end
        );
    }
    // At least one finding sits after Chinese text, so its GBK offset differs from UTF-8's.
    assert!(gbk_report
        .findings
        .iter()
        .zip(&utf8.findings)
        .any(|(g, u)| g.byte_start < u.byte_start));
}

#[test]
fn forced_encoding_reads_a_file_detection_would_get_wrong() {
    // Too short for a confident guess; --encoding settles it.
    let (gbk, _, _) = encoding_rs::GBK.encode("年利率36%");
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "short.txt", &gbk);
    let options = CheckOptions {
        encoding: Some("gbk".into()),
        ..CheckOptions::default()
    };
    let report = linter().check_paths(&[path], &options);
    assert!(report.input_errors.is_empty(), "{:?}", report.input_errors);
    let doc = loanlint::document::load_file_with(
        &dir.path().join("short.txt"),
        "short.txt",
        &loanlint::document::LoadOptions {
            encoding: Some("gbk".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(doc.source, "年利率36%");
    assert_eq!(report.subjects[0].encoding.as_deref(), Some("GBK"));
}

#[test]
fn binary_files_are_a_per_file_error_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a-binary.txt",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    );
    write(
        dir.path(),
        "b-good.txt",
        fixture("predatory-app.txt").as_bytes(),
    );
    let report = linter().check_paths(&[dir.path().to_path_buf()], &CheckOptions::default());
    assert_eq!(report.files, 1);
    assert_eq!(report.input_errors.len(), 1);
    assert!(report.input_errors[0].message.contains("binary"));
    assert!(!report.findings.is_empty());
}

fn rules_fired(linter: &Linter, dir: &Path, name: &str, bytes: &[u8]) -> Vec<String> {
    let path = write(dir, name, bytes);
    let report = linter.check_paths(&[path], &CheckOptions::default());
    assert!(report.input_errors.is_empty(), "{:?}", report.input_errors);
    report.findings.iter().map(|f| f.rule.clone()).collect()
}

const EXEMPTION: &str = "因系统维护导致的放款延迟，贷款人不承担责任。";

#[test]
fn html_emphasis_decides_the_highlighting_rule() {
    let linter = linter();
    let dir = tempfile::tempdir().unwrap();
    let page = |clause: &str| {
        format!(
            "<!DOCTYPE html><html><head><title>借款协议</title></head><body>\
             <h1>借款协议</h1><h2>第一条 借款</h2><p>借款人向贷款人借款。</p>\
             <h2>第二条 责任</h2><p>{clause}</p></body></html>"
        )
    };
    let plain = rules_fired(
        &linter,
        dir.path(),
        "plain.html",
        page(EXEMPTION).as_bytes(),
    );
    assert!(plain.iter().any(|r| r == "CN-FMT-003"), "{plain:?}");
    for emphasised in [
        format!("<b>{EXEMPTION}</b>"),
        format!("<span style=\"font-weight:bold\">{EXEMPTION}</span>"),
        format!("<u>{EXEMPTION}</u>"),
        format!("<span style=\"color:#FF0000\">{EXEMPTION}</span>"),
    ] {
        let fired = rules_fired(
            &linter,
            dir.path(),
            "bold.html",
            page(&emphasised).as_bytes(),
        );
        assert!(
            !fired.iter().any(|r| r == "CN-FMT-003"),
            "{emphasised}: {fired:?}"
        );
    }
}

#[test]
fn html_stylesheet_classes_emphasise_and_hide() {
    let linter = linter();
    let dir = tempfile::tempdir().unwrap();
    let page = |css: &str, class: &str| {
        format!(
            "<html><head><style>{css}</style></head><body>\
             <h2>第一条 借款</h2><p>借款人向贷款人借款。</p>\
             <h2>第二条 责任</h2><p class=\"{class}\">{EXEMPTION}</p>\
             <div class=\"note\">本协议的最终解释权归本平台所有。</div></body></html>"
        )
    };
    let fired = |name: &str, html: String| rules_fired(&linter, dir.path(), name, html.as_bytes());
    let plain = fired("plain.html", page(".note { color: #333 }", "clause"));
    assert!(plain.iter().any(|r| r == "CN-FMT-003"), "{plain:?}");
    assert!(plain.iter().any(|r| r == "CN-FMT-001"), "{plain:?}");
    for css in [
        ".clause { font-weight: bold } .note { display: none }",
        "p.clause{font-weight:800} .note{visibility:hidden}",
        "/* key */ .clause, .other { text-decoration: underline } div.note { display:none }",
    ] {
        let styled = fired("styled.html", page(css, "x clause"));
        assert!(
            !styled.iter().any(|r| r == "CN-FMT-003"),
            "{css}: {styled:?}"
        );
        assert!(
            !styled.iter().any(|r| r == "CN-FMT-001"),
            "{css}: {styled:?}"
        );
    }
}

#[test]
fn html_contract_gives_the_findings_of_its_text_twin_at_html_offsets() {
    let text = fixture("predatory-app.txt");
    let mut html = String::from(
        "<html><head><meta charset=\"utf-8\"><style>p{margin:0}</style></head><body>\n",
    );
    for line in text.lines() {
        let escaped = line.replace('&', "&amp;").replace('<', "&lt;");
        html.push_str(&format!("<p>{escaped}</p>\n"));
    }
    html.push_str("<script>document.title = '借款';</script></body></html>\n");
    let dir = tempfile::tempdir().unwrap();
    let linter = linter();
    let options = CheckOptions::default();
    let from_text = linter.check_paths(&[write(dir.path(), "a.txt", text.as_bytes())], &options);
    let from_html = linter.check_paths(&[write(dir.path(), "a.html", html.as_bytes())], &options);
    let emphasis_rules: Vec<String> = linter
        .plan
        .rules
        .rules
        .iter()
        .filter(|r| r.needs_emphasis)
        .map(|r| r.id.clone())
        .collect();
    let rules = |r: &loanlint::report::Report| {
        r.findings
            .iter()
            // HTML shows emphasis and text does not, so emphasis rules differ by design.
            .filter(|f| !emphasis_rules.contains(&f.rule))
            // A finding on a whole clause shows the HTML source, tags and all.
            .map(|f| {
                (
                    f.rule.clone(),
                    (f.line == f.end_line).then(|| f.snippet.clone()),
                )
            })
            .collect::<Vec<_>>()
    };
    assert!(!from_text.findings.is_empty());
    assert_eq!(rules(&from_html), rules(&from_text));
    for f in &from_html.findings {
        assert_eq!(
            html.get(f.byte_start..f.byte_end),
            Some(f.snippet.as_str()),
            "{}",
            f.rule
        );
    }
}

// ----- DOCX, built here with the zip crate (no binary fixtures) -----

const W: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";

fn docx(parts: &[(&str, &str)]) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in parts {
        zip.start_file(*name, options).unwrap();
        zip.write_all(content.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn document_xml(body: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document {W}><w:body>{body}</w:body></w:document>")
}

/// A paragraph numbered by list 1 at level `ilvl`, with runs `(text, bold)`.
fn numbered(ilvl: u8, runs: &[(&str, bool)]) -> String {
    let runs: String = runs
        .iter()
        .map(|(t, bold)| {
            let rpr = if *bold { "<w:rPr><w:b/></w:rPr>" } else { "" };
            format!("<w:r>{rpr}<w:t xml:space=\"preserve\">{t}</w:t></w:r>")
        })
        .collect();
    format!("<w:p><w:pPr><w:numPr><w:ilvl w:val=\"{ilvl}\"/><w:numId w:val=\"1\"/></w:numPr></w:pPr>{runs}</w:p>")
}

fn plain(text: &str) -> String {
    format!("<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")
}

const NUMBERING: &str = "<?xml version=\"1.0\"?><w:numbering xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
  <w:abstractNum w:abstractNumId=\"7\">\
    <w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"chineseCounting\"/><w:lvlText w:val=\"第%1条\"/></w:lvl>\
    <w:lvl w:ilvl=\"1\"><w:start w:val=\"1\"/><w:numFmt w:val=\"decimal\"/><w:isLgl/><w:lvlText w:val=\"%1.%2\"/></w:lvl>\
  </w:abstractNum>\
  <w:num w:numId=\"1\"><w:abstractNumId w:val=\"7\"/></w:num>\
</w:numbering>";

fn contract_docx(exemption_bold: bool) -> Vec<u8> {
    let body = [
        plain("借款合同"),
        plain("甲方（贷款人）：某某小额贷款有限公司"),
        numbered(0, &[("借款金额", false)]),
        numbered(1, &[("借款金额为人民币10,000元。", false)]),
        numbered(0, &[("利率", false)]),
        numbered(1, &[("年化利率为24%。", false)]),
        numbered(1, &[("利息按月支付。", false)]),
        numbered(0, &[("责任", false)]),
        numbered(1, &[("因系统维护导致的放款延迟，", exemption_bold), ("贷款人不承担责任。", exemption_bold)]),
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>借款期限</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>12个月</w:t></w:r></w:p></w:tc></w:tr></w:tbl>".to_string(),
        "<w:p><w:r><w:t>本合同</w:t></w:r><w:del><w:r><w:delText>不</w:delText></w:r></w:del><w:ins><w:r><w:t>自签署之日</w:t></w:r></w:ins><w:r><w:t>生效。</w:t></w:r></w:p>".to_string(),
    ]
    .concat();
    docx(&[
        ("word/document.xml", &document_xml(&body)),
        ("word/numbering.xml", NUMBERING),
    ])
}

#[test]
fn docx_text_has_rendered_numbering_tables_and_tracked_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "c.docx", &contract_docx(true));
    let doc = loanlint::document::load_file(&path, "c.docx").unwrap();
    assert_eq!(doc.format, loanlint::document::Format::Docx);
    assert_eq!(doc.encoding, None);
    assert_eq!(
        doc.source,
        "借款合同\n甲方（贷款人）：某某小额贷款有限公司\n第一条 借款金额\n1.1 借款金额为人民币10,000元。\n\
         第二条 利率\n2.1 年化利率为24%。\n2.2 利息按月支付。\n第三条 责任\n\
         3.1 因系统维护导致的放款延迟，贷款人不承担责任。\n借款期限\t12个月\n本合同自签署之日生效。"
    );
    let numbers: Vec<&str> = doc.clauses.iter().map(|c| c.number.as_str()).collect();
    assert_eq!(numbers, ["", "第一条", "第二条", "第三条"]);
    let at = doc.text.find("因系统维护").unwrap();
    assert!(doc.is_emphasised(&(at..at + 3)));
    let lead = doc.text.find("3.1").unwrap();
    assert!(!doc.is_emphasised(&(lead..lead + 3)));
}

#[test]
fn docx_bold_exemption_is_highlighted_and_plain_one_is_not() {
    let linter = linter();
    let dir = tempfile::tempdir().unwrap();
    let plain = rules_fired(&linter, dir.path(), "plain.docx", &contract_docx(false));
    assert!(plain.iter().any(|r| r == "CN-FMT-003"), "{plain:?}");
    let bold = rules_fired(&linter, dir.path(), "bold.docx", &contract_docx(true));
    assert!(!bold.iter().any(|r| r == "CN-FMT-003"), "{bold:?}");
}

#[test]
fn docx_findings_locate_the_paragraph_in_the_extracted_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "plain.docx", &contract_docx(false));
    let report = linter().check_paths(&[path], &CheckOptions::default());
    let f = report
        .findings
        .iter()
        .find(|f| f.rule == "CN-FMT-003")
        .unwrap();
    assert_eq!(f.line, 9);
    assert_eq!(f.clause.as_deref(), Some("第三条"));
    let source = report.sources.values().next().unwrap();
    assert_eq!(
        source.get(f.byte_start..f.byte_end),
        Some(f.snippet.as_str())
    );
    assert_eq!(report.subjects[0].encoding, None);
}

#[test]
fn hostile_and_broken_docx_files_are_per_file_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = contract_docx(false);
    write(dir.path(), "a-truncated.docx", &good[..good.len() / 2]);
    write(
        dir.path(),
        "b-no-document.docx",
        &docx(&[("word/styles.xml", "<x/>")]),
    );
    let bomb = document_xml(&plain(&"借".repeat(2 * 1024 * 1024)));
    write(
        dir.path(),
        "c-bomb.docx",
        &docx(&[("word/document.xml", &bomb)]),
    );
    let deep = document_xml(&("<w:x>".repeat(300) + &"</w:x>".repeat(300)));
    write(
        dir.path(),
        "d-deep.docx",
        &docx(&[("word/document.xml", &deep)]),
    );
    write(dir.path(), "e-not-zip.docx", "第一条 这是文本".as_bytes());
    write(dir.path(), "f-good.docx", &good);
    let report = linter().check_paths(&[dir.path().to_path_buf()], &CheckOptions::default());
    assert_eq!(report.files, 1, "{:?}", report.input_errors);
    let messages: Vec<&str> = report
        .input_errors
        .iter()
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(messages.len(), 5, "{messages:#?}");
    assert!(
        messages[0].contains("a-truncated.docx: not a readable DOCX"),
        "{}",
        messages[0]
    );
    assert!(
        messages[1].contains("no word/document.xml"),
        "{}",
        messages[1]
    );
    assert!(messages[2].contains("zip bomb"), "{}", messages[2]);
    assert!(messages[3].contains("deeper than 256"), "{}", messages[3]);
    assert!(
        messages[4].contains("not a readable DOCX"),
        "{}",
        messages[4]
    );
    assert!(report.findings.iter().any(|f| f.rule == "CN-FMT-003"));
}

/// A PDF file of `objects` (numbered from 1; the first is the catalog) with a correct xref.
fn pdf_from_objects(objects: &[String]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for offset in offsets {
        out.extend(format!("{offset:010} 00000 n \n").bytes());
    }
    let size = objects.len() + 1;
    out.extend(
        format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").bytes(),
    );
    out
}

fn pdf_stream(data: &str) -> String {
    format!(
        "<< /Length {} >>\nstream\n{data}\nendstream",
        data.len() + 1
    )
}

/// A one-page PDF showing `lines` as Word/WPS write CJK: an Identity-H font whose glyph ids
/// (here 1, 2, … per distinct character) map back to Unicode through a ToUnicode CMap.
fn cjk_pdf(lines: &[&str]) -> Vec<u8> {
    let mut chars: Vec<char> = lines.iter().flat_map(|l| l.chars()).collect();
    chars.sort_unstable();
    chars.dedup();
    let gid = |c: char| chars.binary_search(&c).unwrap() + 1;
    let bfchar: String = chars
        .chunks(100)
        .map(|chunk| {
            let pairs: String = chunk
                .iter()
                .map(|&c| format!("<{:04X}> <{:04X}> ", gid(c), c as u32))
                .collect();
            format!("{} beginbfchar {pairs}endbfchar ", chunk.len())
        })
        .collect();
    let cmap = format!(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap \
         /CMapName /Adobe-Identity-UCS def /CMapType 2 def \
         1 begincodespacerange <0000> <FFFF> endcodespacerange {bfchar}\
         endcmap CMapName currentdict /CMap defineresource pop end end"
    );
    let shown: String = lines
        .iter()
        .map(|l| {
            let hex: String = l.chars().map(|c| format!("{:04X}", gid(c))).collect();
            format!("<{hex}> Tj 0 -16 Td ")
        })
        .collect();
    pdf_from_objects(&[
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
         /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
            .into(),
        pdf_stream(&format!("BT /F1 12 Tf 72 760 Td {shown}ET")),
        "<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H \
         /DescendantFonts [7 0 R] /ToUnicode 6 0 R >>"
            .into(),
        pdf_stream(&cmap),
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun \
         /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>"
            .into(),
    ])
}

/// A one-page Helvetica PDF whose content stream is `content`.
fn helvetica_pdf(content: &str) -> Vec<u8> {
    pdf_from_objects(&[
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
         /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
            .into(),
        pdf_stream(content),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into(),
    ])
}

const PDF_CONTRACT: [&str; 3] = [
    "第一条 借款金额为人民币10000元。",
    "第二条 本协议的最终解释权归本平台所有。",
    "第三条 争议由贷款人所在地法院管辖。",
];

#[test]
fn pdf_text_layer_is_checked_like_the_same_text() {
    let dir = tempfile::tempdir().unwrap();
    let pdf_path = write(dir.path(), "contract.pdf", &cjk_pdf(&PDF_CONTRACT));
    let text = PDF_CONTRACT.join("\n") + "\n";
    let txt_path = write(dir.path(), "contract.txt", text.as_bytes());
    let linter = linter();
    let options = CheckOptions::default();
    let pdf = linter.check_paths(&[pdf_path], &options);
    let txt = linter.check_paths(&[txt_path], &options);
    assert!(pdf.input_errors.is_empty(), "{:?}", pdf.input_errors);
    assert_eq!(pdf.sources.values().next().unwrap(), &text);
    let f = pdf
        .findings
        .iter()
        .find(|f| f.rule == "CN-FMT-001")
        .expect("final interpretation clause found in the PDF");
    assert_eq!(f.line, 2);
    assert_eq!(f.clause.as_deref(), Some("第二条"));
    // JSON offsets are into the extracted text.
    assert_eq!(text.get(f.byte_start..f.byte_end), Some(f.snippet.as_str()));
    assert_eq!(pdf.subjects[0].encoding, None);
    // No emphasis in PDF: highlighting rules judge it like plain text.
    assert_eq!(seen(&pdf.findings), seen(&txt.findings));
}

#[test]
fn latin_pdf_text_is_extracted_line_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "en.pdf",
        &helvetica_pdf(
            "BT /F1 12 Tf 72 720 Td (Article 1) Tj 0 -14 Td \
             (The final interpretation right belongs to the Lender.) Tj ET",
        ),
    );
    let doc = loanlint::document::load_file(&path, "en.pdf").unwrap();
    assert_eq!(
        doc.source,
        "Article 1\nThe final interpretation right belongs to the Lender.\n"
    );
    assert_eq!(doc.format, loanlint::document::Format::Pdf);
    assert!(!doc.format.shows_emphasis());
    // The binary checks it (English: no built-in pack applies, so no findings) without error.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_loanlint"))
        .env("LOANLINT_CACHE_DIR", "")
        .args(["check", "--format", "json", "en.pdf"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["files"], 1);
    assert_eq!(json["input_errors"], serde_json::json!([]));
}

#[test]
fn scanned_truncated_and_garbage_pdfs_are_per_file_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = cjk_pdf(&PDF_CONTRACT);
    write(dir.path(), "a-truncated.pdf", &good[..good.len() / 2]);
    write(
        dir.path(),
        "b-scanned.pdf",
        &helvetica_pdf("q 595 0 0 842 0 0 cm /Im1 Do Q"),
    );
    write(dir.path(), "c-not-pdf.pdf", "第一条 这是文本".as_bytes());
    write(dir.path(), "d-good.pdf", &good);
    let report = linter().check_paths(&[dir.path().to_path_buf()], &CheckOptions::default());
    assert_eq!(report.files, 1, "{:?}", report.input_errors);
    let messages: Vec<&str> = report
        .input_errors
        .iter()
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(messages.len(), 3, "{messages:#?}");
    assert!(messages[0].contains("a-truncated.pdf: "), "{}", messages[0]);
    assert!(
        messages[1].contains("b-scanned.pdf: PDF has no text layer (scanned PDF?) — run OCR first"),
        "{}",
        messages[1]
    );
    assert!(
        messages[2].contains("c-not-pdf.pdf: not a readable PDF"),
        "{}",
        messages[2]
    );
    assert!(report.findings.iter().any(|f| f.rule == "CN-FMT-001"));
}

// ----- DOCX styles, scopes, comments and tracked changes -----

const STYLES: &str = "<?xml version=\"1.0\"?><w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
  <w:docDefaults><w:rPrDefault><w:rPr><w:sz w:val=\"21\"/></w:rPr></w:rPrDefault></w:docDefaults>\
  <w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"a\"><w:name w:val=\"Normal\"/></w:style>\
  <w:style w:type=\"paragraph\" w:styleId=\"Strong\"><w:basedOn w:val=\"a\"/><w:rPr><w:b/><w:u w:val=\"single\"/></w:rPr></w:style>\
  <w:style w:type=\"paragraph\" w:styleId=\"StrongQuote\"><w:basedOn w:val=\"Strong\"/></w:style>\
  <w:style w:type=\"paragraph\" w:styleId=\"Article\"><w:basedOn w:val=\"a\"/><w:pPr><w:numPr><w:numId w:val=\"1\"/></w:numPr></w:pPr></w:style>\
  <w:style w:type=\"paragraph\" w:styleId=\"Point\"><w:basedOn w:val=\"Article\"/><w:pPr><w:numPr><w:ilvl w:val=\"1\"/></w:numPr></w:pPr></w:style>\
</w:styles>";

fn styled(style: &str, text: &str) -> String {
    format!("<w:p><w:pPr><w:pStyle w:val=\"{style}\"/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>")
}

/// A contract whose clauses are numbered by their paragraph style and whose exemption clause
/// is set in `exemption_style`.
fn styled_docx(exemption_style: &str) -> Vec<u8> {
    let body = [
        styled("Article", "借款"),
        styled("Point", "借款人向贷款人借款人民币10,000元。"),
        styled("Article", "责任"),
        styled(exemption_style, EXEMPTION),
    ]
    .concat();
    docx(&[
        ("word/document.xml", &document_xml(&body)),
        ("word/numbering.xml", NUMBERING),
        ("word/styles.xml", STYLES),
    ])
}

#[test]
fn docx_paragraph_styles_number_and_emphasise() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "s.docx", &styled_docx("StrongQuote"));
    let doc = loanlint::document::load_file(&path, "s.docx").unwrap();
    assert_eq!(
        doc.source,
        format!("第一条 借款\n1.1 借款人向贷款人借款人民币10,000元。\n第二条 责任\n{EXEMPTION}")
    );
    let at = doc.text.find("因系统维护").unwrap();
    assert!(doc.is_emphasised(&(at..at + 3)));
    let linter = linter();
    let bold = rules_fired(
        &linter,
        dir.path(),
        "bold.docx",
        &styled_docx("StrongQuote"),
    );
    assert!(!bold.iter().any(|r| r == "CN-FMT-003"), "{bold:?}");
    let plain = rules_fired(&linter, dir.path(), "plain.docx", &styled_docx("a"));
    assert!(plain.iter().any(|r| r == "CN-FMT-003"), "{plain:?}");
}

fn part_xml(root: &str, inner: &str) -> String {
    format!("<?xml version=\"1.0\"?><w:{root} {W}>{inner}</w:{root}>")
}

/// A body with `一、` clauses, plus a header, a footer, footnotes and a comment.
fn scoped_docx() -> Vec<u8> {
    let body = [
        plain("借款协议"),
        plain("一、借款金额"),
        plain("借款金额为人民币10,000元。"),
        plain("二、其他"),
        "<w:p><w:r><w:t>双方协商一致。</w:t></w:r><w:commentRangeStart w:id=\"0\"/>\
         <w:r><w:footnoteReference w:id=\"1\"/></w:r><w:commentRangeEnd w:id=\"0\"/>\
         <w:r><w:commentReference w:id=\"0\"/></w:r></w:p>"
            .to_string(),
    ]
    .concat();
    let footnotes = part_xml(
        "footnotes",
        "<w:footnote w:type=\"separator\" w:id=\"-1\"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>\
         <w:footnote w:id=\"1\"><w:p><w:r><w:footnoteRef/></w:r>\
         <w:r><w:t xml:space=\"preserve\"> 第五条 本协议的最终解释权归本平台所有。</w:t></w:r></w:p></w:footnote>",
    );
    let comments = part_xml(
        "comments",
        "<w:comment w:id=\"0\" w:author=\"审核\"><w:p><w:r><w:t>建议删去：借款人自愿放弃诉讼时效抗辩权。</w:t></w:r></w:p></w:comment>",
    );
    docx(&[
        ("word/document.xml", &document_xml(&body)),
        (
            "word/header1.xml",
            &part_xml("hdr", &plain("某某小额贷款有限公司")),
        ),
        (
            "word/header2.xml",
            &part_xml("hdr", &plain("某某小额贷款有限公司")),
        ),
        ("word/footer1.xml", &part_xml("ftr", &plain("第1页"))),
        ("word/footnotes.xml", &footnotes),
        ("word/comments.xml", &comments),
    ])
}

#[test]
fn docx_scopes_follow_the_body_without_changing_its_clauses() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "scoped.docx", &scoped_docx());
    let doc = loanlint::document::load_file(&path, "scoped.docx").unwrap();
    assert_eq!(
        doc.source,
        "借款协议\n一、借款金额\n借款金额为人民币10,000元。\n二、其他\n双方协商一致。\n\
         \n〔页眉〕\n某某小额贷款有限公司\n\n〔页脚〕\n第1页\n\
         \n〔脚注〕\n1 第五条 本协议的最终解释权归本平台所有。"
    );
    // The footnote's "第五条" does not make the body's clauses 第X条 ones.
    let numbers: Vec<&str> = doc.clauses.iter().map(|c| c.number.as_str()).collect();
    assert_eq!(numbers, ["", "一、", "二、", "页眉", "页脚", "脚注"]);
    let body_end = doc.text.find("\n\n〔页眉〕").unwrap();
    assert_eq!(doc.clauses[2].range.end, body_end);
    // A finding in a footnote names the scope as its clause, at its line of the extracted text.
    let report = linter().check_paths(&[path], &CheckOptions::default());
    assert!(report.input_errors.is_empty(), "{:?}", report.input_errors);
    let f = report
        .findings
        .iter()
        .find(|f| f.rule == "CN-FMT-001")
        .expect("the footnote is checked");
    assert_eq!(f.clause.as_deref(), Some("脚注"));
    assert_eq!(f.line, 14);
    assert_eq!(
        doc.source.get(f.byte_start..f.byte_end),
        Some(f.snippet.as_str())
    );
    // The reviewer's comment is not contract text: its waiver, a finding in the body, is
    // not one there.
    let waiver = "借款协议\n一、其他\n借款人自愿放弃诉讼时效抗辩权。\n";
    let in_body = rules_fired(&linter(), dir.path(), "waiver.txt", waiver.as_bytes());
    assert!(in_body.iter().any(|r| r == "CN-FMT-004"), "{in_body:?}");
    assert!(
        !report.findings.iter().any(|f| f.rule == "CN-FMT-004"),
        "{:?}",
        report.findings
    );
}

#[test]
fn docx_tracked_changes_can_be_read_on_the_original_side() {
    use loanlint::document::{load_file_with, LoadOptions, TrackedChanges};
    let body = "<w:p><w:r><w:t>借款年化利率为</w:t></w:r>\
        <w:del w:id=\"1\" w:author=\"a\"><w:r><w:delText>36%</w:delText></w:r></w:del>\
        <w:ins w:id=\"2\" w:author=\"a\"><w:r><w:t>18%</w:t></w:r></w:ins>\
        <w:r><w:t>。</w:t></w:r></w:p>";
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "t.docx",
        &docx(&[("word/document.xml", &document_xml(body))]),
    );
    let side = |tracked_changes| {
        let options = LoadOptions {
            tracked_changes,
            ..LoadOptions::default()
        };
        load_file_with(&path, "t.docx", &options).unwrap().source
    };
    assert_eq!(side(TrackedChanges::default()), "借款年化利率为18%。");
    assert_eq!(side(TrackedChanges::Accepted), "借款年化利率为18%。");
    assert_eq!(side(TrackedChanges::Original), "借款年化利率为36%。");
}

#[test]
fn a_zip_bomb_in_a_header_is_refused_too() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = part_xml("hdr", &plain(&"页".repeat(2 * 1024 * 1024)));
    write(
        dir.path(),
        "bomb.docx",
        &docx(&[
            ("word/document.xml", &document_xml(&plain("第一条 借款"))),
            ("word/header1.xml", &bomb),
        ]),
    );
    let report = linter().check_paths(&[dir.path().to_path_buf()], &CheckOptions::default());
    assert_eq!(report.files, 0);
    assert_eq!(report.input_errors.len(), 1);
    let message = &report.input_errors[0].message;
    assert!(
        message.contains("bomb.docx: DOCX part word/header1.xml expands"),
        "{message}"
    );
}
