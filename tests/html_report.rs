//! `check --format html`, opened in headless Chromium: what a reader sees after the page's
//! script ran. Without /usr/bin/chromium the tests are skipped with a notice, unless CI is set
//! (then a missing browser is a failure: `.ci/run` installs it).

mod common;

use common::loanlint;

use regex::Regex;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const CHROMIUM: &str = "/usr/bin/chromium";

/// The browser, or None (after a notice) when it is absent outside CI.
fn chromium() -> Option<&'static Path> {
    let path = Path::new(CHROMIUM);
    if path.is_file() {
        return Some(path);
    }
    if std::env::var_os("CI").is_some() {
        panic!("CI is set but {CHROMIUM} is missing: install it with `apt-get install chromium`");
    }
    eprintln!("notice: {CHROMIUM} not found; skipping the browser test of the HTML report");
    None
}

/// Chromium run headless on `url` with `what` (`--dump-dom`, `--screenshot=…`), offline and
/// with a fresh profile; returns standard output.
fn browse(browser: &Path, url: &str, what: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let o = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,2000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(what)
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        o.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("the DOM is UTF-8")
}

fn dump_dom(browser: &Path, file: &Path, query: &str) -> String {
    browse(
        browser,
        &format!("{}{query}", file_url(file)),
        &["--dump-dom"],
    )
}

fn file_url(file: &Path) -> String {
    let file = file.canonicalize().unwrap();
    let mut url = String::from("file://");
    for byte in file.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' => {
                url.push(byte as char)
            }
            _ => url.push_str(&format!("%{byte:02X}")),
        }
    }
    url
}

/// Text of serialised HTML content: tags dropped, character references decoded.
fn text_of(html: &str) -> String {
    let tags = Regex::new(r"<[^>]*>").unwrap();
    tags.replace_all(html, "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{A0}")
        .replace("&amp;", "&")
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    let len = tag.get(at..)?.find('"')?;
    tag.get(at..at + len)
}

/// One note as the DOM shows it.
#[derive(Debug)]
struct Note {
    n: String,
    file: String,
    rule: String,
    severity: String,
    /// `line L:C`
    place: String,
    hidden: bool,
}

/// The notes, and per finding number the text of its highlighted segments, in page order.
fn read_dom(dom: &str) -> (Vec<Note>, BTreeMap<String, String>) {
    let section = Regex::new(r#"<section class="doc" id="doc-\d+" data-file="([^"]*)""#).unwrap();
    let note = Regex::new(r#"<aside [^>]*class="note[^"]*"[^>]*>"#).unwrap();
    let place = Regex::new(r#"<span class="where">(line \d+:\d+)"#).unwrap();
    let mark = Regex::new(r#"(?s)<mark ([^>]*)>(.*?)</mark>"#).unwrap();
    let starts: Vec<(usize, String)> = section
        .captures_iter(dom)
        .map(|c| (c.get(0).unwrap().start(), text_of(&c[1])))
        .collect();
    let file_at = |at: usize| {
        starts
            .iter()
            .rev()
            .find(|(start, _)| *start <= at)
            .map(|(_, f)| f.clone())
            .unwrap_or_default()
    };
    let notes = note
        .find_iter(dom)
        .map(|m| {
            let tag = m.as_str();
            let after = &dom[m.end()..];
            Note {
                n: attr(tag, "data-n").unwrap().to_string(),
                file: file_at(m.start()),
                rule: attr(tag, "data-rule").unwrap().to_string(),
                severity: attr(tag, "data-severity").unwrap().to_string(),
                place: place.captures(after).unwrap()[1].to_string(),
                hidden: tag.contains(" hidden"),
            }
        })
        .collect();
    let mut marked: BTreeMap<String, String> = BTreeMap::new();
    for c in mark.captures_iter(dom) {
        let text = text_of(&c[2]);
        for n in attr(&c[1], "data-f").unwrap_or_default().split(' ') {
            marked.entry(n.to_string()).or_default().push_str(&text);
        }
    }
    (notes, marked)
}

fn body_attr(dom: &str, name: &str) -> String {
    let body = Regex::new(r"<body[^>]*>").unwrap();
    let tag = body.find(dom).expect("a body").as_str();
    attr(tag, name).unwrap_or_default().to_string()
}

fn card(dom: &str, id: &str) -> usize {
    let re = Regex::new(&format!(r#"<b id="{id}">(\d+)</b>"#)).unwrap();
    re.captures(dom)
        .unwrap_or_else(|| panic!("no {id} in the summary"))[1]
        .parse()
        .unwrap()
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The HTML report of fixtures/ (written once, via `--output`) and the JSON report of the
/// same run to compare with.
fn report_of_fixtures() -> &'static (PathBuf, serde_json::Value) {
    static REPORT: OnceLock<(PathBuf, serde_json::Value)> = OnceLock::new();
    REPORT.get_or_init(|| {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html_report");
        std::fs::create_dir_all(&out).unwrap();
        let html = out.join("report.html");
        let json = out.join("report.json");
        let o = loanlint(
            &[
                "check",
                "--format",
                "html",
                "--output",
                html.to_str().unwrap(),
                "--format",
                &format!("json:{}", json.display()),
                "--fail-on",
                "never",
                "fixtures",
            ],
            &manifest_dir(),
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let json = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
        (html, json)
    })
}

#[test]
fn fixtures_report_shows_every_finding_highlighted_in_place() {
    let Some(browser) = chromium() else { return };
    let (html, json) = report_of_fixtures();
    let source = std::fs::read_to_string(html).unwrap();
    assert!(
        !source.contains("http://") && !source.contains("https://") && !source.contains(" src="),
        "the page must not fetch anything"
    );

    let dom = dump_dom(browser, html, "");
    let findings = json["findings"].as_array().unwrap();
    let summary = &json["summary"];
    assert_eq!(body_attr(&dom, "data-script"), "ready", "the script ran");
    assert_eq!(body_attr(&dom, "data-shown"), findings.len().to_string());
    assert!(dom.contains(&format!("Showing {0} of {0} findings", findings.len())));
    assert_eq!(
        card(&dom, "count-files"),
        summary["files"].as_u64().unwrap() as usize
    );
    assert_eq!(card(&dom, "count-findings"), findings.len());
    assert_eq!(
        card(&dom, "count-error"),
        summary["errors"].as_u64().unwrap() as usize
    );
    assert_eq!(
        card(&dom, "count-warning"),
        summary["warnings"].as_u64().unwrap() as usize
    );
    assert_eq!(card(&dom, "count-input-errors"), 0);

    let (notes, marked) = read_dom(&dom);
    assert_eq!(notes.len(), findings.len());
    for f in findings {
        let (file, rule) = (f["file"].as_str().unwrap(), f["rule"].as_str().unwrap());
        let place = format!("line {}:{}", f["line"], f["column"]);
        let note = notes
            .iter()
            .find(|n| n.file == file && n.rule == rule && n.place == place)
            .unwrap_or_else(|| panic!("no note for {rule} at {file} {place}"));
        assert_eq!(note.severity, f["severity"].as_str().unwrap());
        assert!(!note.hidden);
        // The highlighted text of the finding, row after row, is its snippet.
        let snippet: String = f["snippet"]
            .as_str()
            .unwrap()
            .chars()
            .filter(|c| *c != '\n' && *c != '\r')
            .collect();
        let shown = marked.get(&note.n).map(String::as_str).unwrap_or_default();
        // The JSON snippet stops after 200 characters (a long log record); the page shows it all.
        if snippet.chars().count() >= 200 {
            assert!(shown.starts_with(&snippet), "{rule} at {file} {place}");
        } else {
            assert_eq!(shown, snippet, "{rule} at {file} {place}");
        }
    }
    // A known finding, to be sure the comparison above compares something.
    assert!(marked
        .values()
        .any(|t| t == "点击“同意并借款”即视为您已充分阅读并理解本协议全部条款"));
}

#[test]
fn the_filter_in_the_address_hides_other_findings() {
    let Some(browser) = chromium() else { return };
    let (html, json) = report_of_fixtures();
    let findings = json["findings"].as_array().unwrap();
    let errors = findings.iter().filter(|f| f["severity"] == "error").count();
    assert!(errors > 0 && errors < findings.len());

    let dom = dump_dom(browser, html, "?severity=error");
    assert_eq!(body_attr(&dom, "data-shown"), errors.to_string());
    let (notes, _) = read_dom(&dom);
    for n in &notes {
        assert_eq!(n.hidden, n.severity != "error", "{n:?}");
    }
    // Text highlighted only for warnings is no longer coloured.
    assert!(dom.contains("data-sev=\"\""));

    // Opened at a finding: that note and its highlighted text are the current ones.
    let dom = dump_dom(browser, html, "#f-2");
    assert!(dom.contains("<aside class=\"note current\" id=\"f-2\""));
    let current = Regex::new(r#"<mark class="hl current"[^>]* data-f="([^"]*)""#).unwrap();
    let lit: Vec<String> = current
        .captures_iter(&dom)
        .map(|c| c[1].to_string())
        .collect();
    assert!(!lit.is_empty());
    assert!(
        lit.iter().all(|ids| ids.split(' ').any(|n| n == "2")),
        "{lit:?}"
    );

    let rule = "CN-FMT-012";
    let of_rule = findings.iter().filter(|f| f["rule"] == rule).count();
    let dom = dump_dom(browser, html, &format!("?rule={rule}"));
    assert_eq!(body_attr(&dom, "data-shown"), of_rule.to_string());
    assert!(dom.contains(&format!("Showing {of_rule} of {} findings", findings.len())));
}

#[test]
fn hostile_and_long_contracts_render_safely() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("注入.txt"),
        "第一条 说明<script>document.body.setAttribute('data-pwned','1')</script>\n\
         第二条 本合同最终解释权归贷款人所有。\n",
    )
    .unwrap();
    let mut long = String::from("第一条 借款金额\n借款人向贷款人借款人民币10,000元。\n");
    while long.len() < 600_000 {
        long.push_str("第三条 借款人应按期足额还款，贷款人应按约定发放贷款。\n");
    }
    long.push_str("第九条 其他\n本合同最终解释权归贷款人所有。\n");
    while long.len() < 1_100_000 {
        long.push_str("第十条 双方应遵守本合同约定，诚信履行各自义务。\n");
    }
    std::fs::write(dir.path().join("long.txt"), &long).unwrap();
    let o = loanlint(
        &[
            "check",
            "--format",
            "html:report.html",
            "--fail-on",
            "never",
            ".",
        ],
        dir.path(),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let html = dir.path().join("report.html");
    let size = std::fs::metadata(&html).unwrap().len();
    assert!(
        size < 200_000,
        "the report of a 1 MB contract is {size} bytes"
    );

    let dom = dump_dom(browser, &html, "");
    assert_eq!(body_attr(&dom, "data-script"), "ready");
    assert_eq!(
        body_attr(&dom, "data-pwned"),
        "",
        "a contract's script must not run"
    );
    assert!(dom.contains(
        "第一条 说明&lt;script&gt;document.body.setAttribute('data-pwned','1')&lt;/script&gt;"
    ));
    let (_, marked) = read_dom(&dom);
    let interpretation = marked.values().filter(|t| *t == "最终解释权").count();
    assert_eq!(interpretation, 2, "both contracts' clauses are highlighted");
    assert!(dom.contains("only the text around its findings is shown"));
    let gaps = Regex::new(r#"<div class="gap">… \d+ lines not shown \(\d+–\d+\) …</div>"#).unwrap();
    assert_eq!(
        gaps.find_iter(&dom).count(),
        2,
        "before and after the clause in the middle"
    );

    let shot = dir.path().join("shot.png");
    browse(
        browser,
        &file_url(&html),
        &[&format!("--screenshot={}", shot.display())],
    );
    let png = std::fs::read(&shot).expect("a screenshot was written");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000);
}
