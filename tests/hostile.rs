//! Hostile and broken input, through the real `loanlint check` binary (issue 8).
//!
//! Every case ends in one of two ways: a clear error that names the file (and the line,
//! where there is one) with exit status 2, or a normal report. Nothing panics, nothing
//! hangs, memory stays bounded, and the good file or record beside each hostile one is
//! still checked: each case folder holds a known-violating contract (or log), and its
//! finding must be in the JSON report.
//!
//! Inputs are generated into a temporary folder at test time. Starting the binary costs
//! seconds in a debug build (the built-in packs compile), so the contract cases share one
//! run over one corpus folder, one case per subfolder, and each case checks its own
//! expectations in that report.
//!
//! Sizes can be raised for a manual run: `LOANLINT_HOSTILE_LINE_MB` (the single-line file,
//! default 1 MiB) and `LOANLINT_HOSTILE_MANY` (the larger many-files folder, default 10^4).

mod common;

use common::{assert_valid_report, stderr};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A contract that breaks the "final right of interpretation" rule on its line 2.
const GOOD_CONTRACT: &str = "借款合同\n第一条 本合同最终解释权归贷款人所有。\n";
const GOOD_CONTRACT_RULE: &str = "CN-FMT-001";
/// A collection-log record that breaks the quiet-hours rule (a call at 22:15) on its line.
const GOOD_RECORD: &str = r#"{"id":"G1","debtor":"王强","time":"2026-03-02T22:15:00+08:00","tz":"Asia/Shanghai","kind":"call","direction":"outbound","text":"提醒还款。"}"#;
const GOOD_RECORD_RULE: &str = "CN-LOG-001";

/// One finished run of the binary.
struct Run {
    status: i32,
    report: Value,
    stderr: String,
    elapsed: Duration,
    /// Peak resident memory of the child in KiB (Linux), sampled while it runs.
    peak_kib: Option<u64>,
}

impl Run {
    /// `(file, line, message)` of every input error.
    fn input_errors(&self) -> Vec<(String, Option<u64>, String)> {
        self.report["input_errors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                (
                    e["file"].as_str().unwrap_or_default().to_string(),
                    e["line"].as_u64(),
                    e["message"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    /// The input errors about `file` (its path as the report shows it).
    fn errors_for(&self, file: &str) -> Vec<(Option<u64>, String)> {
        self.input_errors()
            .into_iter()
            .filter(|(f, _, _)| f == file)
            .map(|(_, line, message)| (line, message))
            .collect()
    }

    /// `(file, line)` of every finding of `rule`.
    fn findings_of(&self, rule: &str) -> BTreeSet<(String, u64)> {
        self.report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["rule"] == rule)
            .map(|f| {
                (
                    f["file"].as_str().unwrap_or_default().to_string(),
                    f["line"].as_u64().unwrap_or(0),
                )
            })
            .collect()
    }

    fn subjects(&self) -> BTreeSet<String> {
        self.report["subjects"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["file"].as_str().map(str::to_string))
            .collect()
    }

    fn summary(&self, key: &str) -> u64 {
        self.report["summary"][key].as_u64().unwrap_or(u64::MAX)
    }
}

/// Run `loanlint check --format json ARGS` in `dir`, with a time limit (a hang fails the
/// test instead of stalling it), and check what holds for every run: no panic, an exit
/// status of 0, 1 or 2, and a report that matches the published schema.
fn check(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_loanlint"));
    cmd.env("LOANLINT_CACHE_DIR", "");
    cmd.arg("check")
        .args(["--format", "json"])
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1");
    let (output, elapsed, peak_kib) = run_with_limit(cmd, Duration::from_secs(240));
    let err = stderr(&output);
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "loanlint panicked on {args:?}:\n{err}"
    );
    let status = output.status.code().unwrap_or(-1);
    assert!(
        (0..=2).contains(&status),
        "exit status {status} (killed by a signal, or a crash?) on {args:?}:\n{err}"
    );
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not a JSON report ({e}); stderr:\n{err}"));
    assert_valid_report(&report);
    Run {
        status,
        report,
        stderr: err,
        elapsed,
        peak_kib,
    }
}

/// Spawn, sample the child's peak memory while it runs, and kill it after `limit`.
fn run_with_limit(mut cmd: Command, limit: Duration) -> (Output, Duration, Option<u64>) {
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let status_file = PathBuf::from(format!("/proc/{}/status", child.id()));
    // Read the pipes on their own threads: a full pipe would block the child.
    let mut out = child.stdout.take().expect("piped stdout");
    let mut err = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut v).map(|_| v)
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut v).map(|_| v)
    });
    let mut peak = None;
    let status = loop {
        if let Some(kib) = high_water_mark_kib(&status_file) {
            peak = Some(peak.map_or(kib, |p: u64| p.max(kib)));
        }
        match child.try_wait().expect("waiting works") {
            Some(status) => break status,
            None if start.elapsed() > limit => {
                let _ = child.kill();
                panic!("loanlint hung: still running after {limit:?}: {cmd:?}");
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    };
    let elapsed = start.elapsed();
    let stdout = out_reader.join().expect("reader").expect("stdout reads");
    let stderr = err_reader.join().expect("reader").expect("stderr reads");
    (
        Output {
            status,
            stdout,
            stderr,
        },
        elapsed,
        peak,
    )
}

/// `VmHWM` (peak resident set) of a running process, from `/proc/PID/status`.
fn high_water_mark_kib(status_file: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(status_file).ok()?;
    let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create folder");
    }
    std::fs::write(path, bytes).expect("write file");
}

/// A case folder `root/name` holding a known-violating `good-NAME.txt`; returns the folder.
fn case(root: &Path, name: &str) -> PathBuf {
    let dir = root.join(name);
    write(&dir.join(format!("good-{name}.txt")), GOOD_CONTRACT);
    dir
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What one contract case expects of the shared run.
enum Expect {
    /// An input error about this file (path relative to the corpus), at this line (or
    /// none), whose message contains every one of these words.
    Error(String, Option<u64>, Vec<&'static str>),
    /// Checked normally: a subject of the report without input errors, with a finding of
    /// the good contract's rule on this line (or no such finding expected when `None`).
    Checked(String, Option<u64>),
}

fn error(file: &str, line: Option<u64>, words: &[&'static str]) -> Expect {
    Expect::Error(file.to_string(), line, words.to_vec())
}

fn checked(file: &str, line: Option<u64>) -> Expect {
    Expect::Checked(file.to_string(), line)
}

/// Each case's hostile files, and what the shared run must say about them.
fn contract_corpus(root: &Path) -> Vec<(String, Vec<Expect>)> {
    let mut cases = vec![
        binary_files(root),
        empty_and_bom_only(root),
        nul_bytes(root),
        deep_nesting(root),
        docx_bombs_and_truncation(root),
        pdf_damage(root),
    ];
    #[cfg(unix)]
    cases.push(links_and_special_files(root));
    cases
}

const ELF: &[u8] = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06";

fn binary_files(root: &Path) -> (String, Vec<Expect>) {
    let dir = case(root, "binary");
    let mut expect = Vec::new();
    for (name, bytes) in [("elf.txt", ELF), ("png.md", PNG), ("elf.html", ELF)] {
        write(&dir.join(name), bytes);
        expect.push(error(&format!("binary/{name}"), None, &["binary", "NUL"]));
    }
    write(&dir.join("png.docx"), PNG);
    expect.push(error("binary/png.docx", None, &["DOCX"]));
    write(&dir.join("elf.pdf"), ELF);
    expect.push(error("binary/elf.pdf", None, &["PDF"]));
    expect.push(checked("binary/good-binary.txt", Some(2)));
    ("binary files with contract names".into(), expect)
}

fn empty_and_bom_only(root: &Path) -> (String, Vec<Expect>) {
    let dir = case(root, "empty");
    write(&dir.join("empty.txt"), b"");
    write(&dir.join("bom.md"), b"\xEF\xBB\xBF");
    write(&dir.join("bom.html"), b"\xEF\xBB\xBF");
    write(&dir.join("bom16.txt"), b"\xFF\xFE");
    write(&dir.join("blank.txt"), b"\n\r\n  \t\n");
    write(&dir.join("empty.docx"), b"");
    write(&dir.join("empty.pdf"), b"");
    let expect = vec![
        checked("empty/empty.txt", None),
        checked("empty/bom.md", None),
        checked("empty/bom.html", None),
        checked("empty/bom16.txt", None),
        checked("empty/blank.txt", None),
        error("empty/empty.docx", None, &["DOCX"]),
        error("empty/empty.pdf", None, &["PDF"]),
        checked("empty/good-empty.txt", Some(2)),
    ];
    ("empty files and files that are only a BOM".into(), expect)
}

fn nul_bytes(root: &Path) -> (String, Vec<Expect>) {
    let dir = case(root, "nul");
    // NUL among text near the start: refused as binary, at that byte.
    write(&dir.join("early.txt"), b"\xE5\x80\x9F\x00\xE6\xAC\xBE");
    // NUL far into a text: a text with a control character in it, checked.
    let mut late = GOOD_CONTRACT.repeat(2000).into_bytes();
    late.extend_from_slice(b"\x00\x00tail\n");
    write(&dir.join("late.txt"), &late);
    let expect = vec![
        error("nul/early.txt", None, &["binary", "byte 3"]),
        checked("nul/late.txt", Some(2)),
        checked("nul/good-nul.txt", Some(2)),
    ];
    ("NUL bytes".into(), expect)
}

/// Markup nested far deeper than any real document: no stack overflow, text still found.
fn deep_nesting(root: &Path) -> (String, Vec<Expect>) {
    const DEPTH: usize = 100_000;
    let dir = case(root, "deep");
    let clause = "本合同最终解释权归贷款人所有。";
    write(
        &dir.join("divs.html"),
        format!(
            "{}{clause}{}",
            "<div>".repeat(DEPTH),
            "</div>".repeat(DEPTH)
        ),
    );
    write(
        &dir.join("unclosed.html"),
        format!(
            "<p>{clause}</p>{}",
            "<div><b><i><table><tr><td>".repeat(DEPTH / 10)
        ),
    );
    write(
        &dir.join("quotes.md"),
        format!("{} {clause}\n", ">".repeat(DEPTH)),
    );
    let mut lists = format!("{clause}\n\n");
    for level in 0..2_000 {
        lists.push_str(&" ".repeat(2 * level));
        lists.push_str("- 条\n");
    }
    write(&dir.join("lists.md"), lists);
    write(
        &dir.join("brackets.md"),
        format!(
            "{clause}\n\n{}{}{}\n",
            "[".repeat(DEPTH),
            "*".repeat(DEPTH),
            "`".repeat(DEPTH)
        ),
    );
    write(
        &dir.join("deep.docx"),
        docx_with_body(&deep_docx_body(DEPTH)),
    );
    let expect = vec![
        checked("deep/divs.html", Some(1)),
        checked("deep/unclosed.html", Some(1)),
        checked("deep/quotes.md", Some(1)),
        checked("deep/lists.md", Some(1)),
        checked("deep/brackets.md", Some(1)),
        error("deep/deep.docx", None, &["deeper than", "levels"]),
        checked("deep/good-deep.txt", Some(2)),
    ];
    ("deeply nested Markdown, HTML and DOCX XML".into(), expect)
}

fn deep_docx_body(depth: usize) -> String {
    format!(
        "<w:p><w:r><w:t>本合同最终解释权归贷款人所有。</w:t></w:r></w:p>{}{}",
        "<w:sdt><w:sdtContent>".repeat(depth / 2),
        "</w:sdtContent></w:sdt>".repeat(depth / 2)
    )
}

const WORD_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// A minimal DOCX (stored entries) whose body is `body`.
fn docx_with_body(body: &str) -> Vec<u8> {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{WORD_NS}"><w:body>{body}</w:body></w:document>"#
    );
    zip_stored(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("word/document.xml", document.as_bytes()),
    ])
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

fn zip_stored(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, bytes) in entries {
            zip.start_file(*name, options).expect("zip entry");
            zip.write_all(bytes).expect("zip write");
        }
        zip.finish().expect("zip finishes");
    }
    buf.into_inner()
}

/// Raw deflate data that inflates to `mib` MiB of spaces, built without inflating them:
/// one MiB compressed once (it starts with a literal, then copies at distance 1, so the
/// block is valid anywhere in a stream), repeated, then an empty final block.
fn deflate_bomb(mib: usize) -> Vec<u8> {
    let mut c = flate2::Compress::new(flate2::Compression::best(), false);
    let input = vec![b' '; 1 << 20];
    let mut block = Vec::with_capacity(1 << 16);
    c.compress_vec(&input, &mut block, flate2::FlushCompress::Sync)
        .expect("deflate");
    let mut out = block.repeat(mib);
    out.extend_from_slice(&[0x03, 0x00]); // final fixed-Huffman block, no symbols but end
    out
}

/// A one-entry deflated zip with hand-written headers, so the declared sizes can lie.
fn zip_deflated_raw(name: &str, data: &[u8], declared_size: u32) -> Vec<u8> {
    let compressed = u32::try_from(data.len()).expect("small");
    let name_len = u16::try_from(name.len()).expect("short");
    let mut out = Vec::new();
    // Local file header: version, flags, method 8 (deflate), time, date, CRC (never
    // reached), sizes, name length, extra length.
    out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    for v in [20u16, 0, 8, 0, 0] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for v in [0u32, compressed, declared_size] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&name_len.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(data);
    let central_start = u32::try_from(out.len()).expect("small");
    out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    for v in [20u16, 20, 0, 8, 0, 0] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for v in [0u32, compressed, declared_size] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for v in [name_len, 0, 0, 0, 0] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&0u32.to_le_bytes()); // external attributes
    out.extend_from_slice(&0u32.to_le_bytes()); // local header offset
    out.extend_from_slice(name.as_bytes());
    let central_len = u32::try_from(out.len()).expect("small") - central_start;
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, 1, 1] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&central_len.to_le_bytes());
    out.extend_from_slice(&central_start.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn docx_bombs_and_truncation(root: &Path) -> (String, Vec<Expect>) {
    let dir = case(root, "docx");
    // 1 GiB of spaces in about 1 MB: refused by its declared size, before inflating.
    let bomb = deflate_bomb(1024);
    write(
        &dir.join("bomb.docx"),
        zip_deflated_raw("word/document.xml", &bomb, 1 << 30),
    );
    // The same entry declaring 1000 bytes: inflating stops at the part size cap.
    write(
        &dir.join("lying-bomb.docx"),
        zip_deflated_raw("word/document.xml", &bomb, 1000),
    );
    let ok = docx_with_body("<w:p><w:r><w:t>本合同最终解释权归贷款人所有。</w:t></w:r></w:p>");
    write(&dir.join("ok.docx"), &ok);
    let mut expect = vec![
        error("docx/bomb.docx", None, &["word/document.xml", "limit"]),
        error(
            "docx/lying-bomb.docx",
            None,
            &["word/document.xml", "limit"],
        ),
        checked("docx/ok.docx", Some(1)),
        checked("docx/good-docx.txt", Some(2)),
    ];
    // Cut anywhere: a clear DOCX error, never a panic (the central directory is at the end,
    // so every cut loses it).
    for (i, cut) in [
        1,
        4,
        30,
        ok.len() / 3,
        ok.len() / 2,
        ok.len() - 23,
        ok.len() - 1,
    ]
    .into_iter()
    .enumerate()
    {
        let name = format!("cut{i}.docx");
        write(&dir.join(&name), &ok[..cut]);
        expect.push(error(&format!("docx/{name}"), None, &["DOCX"]));
    }
    // A zip without a document part, and one whose document is not XML.
    write(
        &dir.join("no-document.docx"),
        zip_stored(&[("[Content_Types].xml", CONTENT_TYPES.as_bytes())]),
    );
    expect.push(error("docx/no-document.docx", None, &["word/document.xml"]));
    write(
        &dir.join("not-xml.docx"),
        zip_stored(&[("word/document.xml", b"<w:document><<<\x01")]),
    );
    expect.push(error("docx/not-xml.docx", None, &["DOCX"]));
    ("zip bombs and truncated or corrupt DOCX".into(), expect)
}

fn pdf_damage(root: &Path) -> (String, Vec<Expect>) {
    let dir = case(root, "pdf");
    write(&dir.join("header-only.pdf"), b"%PDF-1.7\n");
    write(
        &dir.join("cut.pdf"),
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pa",
    );
    // 1 GiB in an object stream (which the PDF reader inflates while loading), and in a page
    // content stream behind two Flate filters: both refused at the cap, never inflated.
    let bomb = zlib_wrapped(&deflate_bomb(1024));
    write(
        &dir.join("objstm-bomb.pdf"),
        pdf_with_objects(&objstm_bomb_objects(&bomb)),
    );
    let mut twice = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    twice.write_all(&bomb).expect("deflate");
    let twice = twice.finish().expect("deflate");
    write(
        &dir.join("content-bomb.pdf"),
        pdf_with_objects(&content_bomb_objects(&twice)),
    );
    let expect = vec![
        error("pdf/header-only.pdf", None, &["PDF"]),
        error("pdf/cut.pdf", None, &["PDF"]),
        error("pdf/objstm-bomb.pdf", None, &["object streams", "limit"]),
        error("pdf/content-bomb.pdf", None, &["page content", "limit"]),
        checked("pdf/good-pdf.txt", Some(2)),
    ];
    ("truncated PDF and PDF decompression bombs".into(), expect)
}

/// Zlib framing around raw deflate data (the checksum is never reached by a capped reader).
fn zlib_wrapped(deflate: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x9C];
    out.extend_from_slice(deflate);
    out.extend_from_slice(&[0, 0, 0, 0]);
    out
}

fn pdf_stream(id: usize, dict: &str, data: &[u8]) -> Vec<u8> {
    let mut obj = format!("{id} 0 obj\n<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    obj.extend_from_slice(data);
    obj.extend_from_slice(b"\nendstream\nendobj\n");
    obj
}

fn pdf_page_tree(contents: &str) -> Vec<Vec<u8>> {
    vec![
        b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n".to_vec(),
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n".to_vec(),
        format!(
            "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]{contents} >>\nendobj\n"
        )
        .into_bytes(),
    ]
}

fn objstm_bomb_objects(bomb: &[u8]) -> Vec<Vec<u8>> {
    let mut objects = pdf_page_tree("");
    objects.push(pdf_stream(
        4,
        "/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode",
        bomb,
    ));
    objects
}

fn content_bomb_objects(twice: &[u8]) -> Vec<Vec<u8>> {
    let mut objects = pdf_page_tree(" /Contents 4 0 R");
    objects.push(pdf_stream(4, "/Filter [/FlateDecode /FlateDecode]", twice));
    objects
}

/// A PDF of numbered objects `1..` with a correct cross-reference table.
fn pdf_with_objects(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.5\n".to_vec();
    let mut offsets = Vec::new();
    for o in objects {
        offsets.push(out.len());
        out.extend_from_slice(o);
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(unix)]
fn links_and_special_files(root: &Path) -> (String, Vec<Expect>) {
    use std::os::unix::fs::symlink;
    let dir = case(root, "links");
    let link = |target: &str, name: &str| symlink(target, dir.join(name)).expect("symlink");
    link("nowhere.txt", "dangling.txt");
    link("loop-b.txt", "loop-a.txt");
    link("loop-a.txt", "loop-b.txt");
    link(".", "again"); // a folder link back up: not walked, so no endless walk
    link("good-links.txt", "alias.txt"); // a link to a good file is checked
                                         // A folder with a contract's name is a folder: walked, not read.
    write(&dir.join("folder.txt/inside.txt"), GOOD_CONTRACT);
    let mut expect = vec![
        error("links/dangling.txt", None, &["cannot read"]),
        error("links/loop-a.txt", None, &["cannot read"]),
        error("links/loop-b.txt", None, &["cannot read"]),
        checked("links/alias.txt", Some(2)),
        checked("links/folder.txt/inside.txt", Some(2)),
        checked("links/good-links.txt", Some(2)),
    ];
    // A FIFO would block a reader forever: reported, not opened.
    let fifo = Command::new("mkfifo")
        .arg(dir.join("pipe.txt"))
        .status()
        .is_ok_and(|s| s.success());
    if fifo {
        expect.push(error(
            "links/pipe.txt",
            None,
            &["not a regular file", "FIFO"],
        ));
    }
    // As root every permission check passes; a file the kernel will not let anyone read is
    // another matter: /proc/self/mem fails with EIO at offset 0.
    if Path::new("/proc/self/mem").exists() {
        link("/proc/self/mem", "mem.txt");
        expect.push(error("links/mem.txt", None, &["cannot read"]));
    }
    (
        "symlink loops, dangling links, FIFOs, unreadable files".into(),
        expect,
    )
}

/// Check one case's expectations against the shared run; return what failed.
fn failures(run: &Run, name: &str, expect: &[Expect]) -> Vec<String> {
    let good = run.findings_of(GOOD_CONTRACT_RULE);
    let mut failed = Vec::new();
    for e in expect {
        match e {
            Expect::Error(file, line, words) => {
                let errors = run.errors_for(file);
                let ok = errors
                    .iter()
                    .any(|(l, message)| l == line && words.iter().all(|w| message.contains(w)));
                if !ok {
                    failed.push(format!(
                        "{name}: {file}: expected an error at line {line:?} saying {words:?}, \
                         got {errors:?}"
                    ));
                }
            }
            Expect::Checked(file, line) => {
                let errors = run.errors_for(file);
                if !errors.is_empty() || !run.subjects().contains(file) {
                    failed.push(format!(
                        "{name}: {file}: expected a normal report, got errors {errors:?}"
                    ));
                }
                if let Some(line) = line {
                    if !good.contains(&(file.clone(), *line)) {
                        failed.push(format!(
                            "{name}: {file}: expected {GOOD_CONTRACT_RULE} on line {line}"
                        ));
                    }
                }
            }
        }
    }
    failed
}

#[test]
fn contract_corpus_gives_located_errors_and_still_checks_every_good_file() {
    let root = tempfile::tempdir().expect("tempdir");
    let cases = contract_corpus(root.path());
    let run = check(root.path(), &["."]);
    assert_eq!(run.status, 2, "input errors mean exit 2:\n{}", run.stderr);
    // The bombs inflate to 1 GiB each; the caps keep the whole run far below that (the
    // largest allowed inflation is one 64 MiB DOCX part or PDF stream per worker thread).
    eprintln!("corpus run: {:?}, peak {:?} KiB", run.elapsed, run.peak_kib);
    if let Some(peak) = run.peak_kib {
        assert!(
            peak < 512 * 1024,
            "peak {peak} KiB: something inflated a bomb"
        );
    }
    // Paths in the report are as walked from ".": "./case/file".
    let run = Run {
        report: strip_dot_slash(run.report),
        ..run
    };
    let failed: Vec<String> = cases
        .iter()
        .flat_map(|(name, expect)| failures(&run, name, expect))
        .collect();
    assert!(
        failed.is_empty(),
        "{} problem(s):\n{}\n\ninput errors: {:#?}",
        failed.len(),
        failed.join("\n"),
        run.input_errors()
    );
    // Nothing reported that no case expected: every error is about a hostile file.
    let expected: BTreeSet<&str> = cases
        .iter()
        .flat_map(|(_, e)| e)
        .filter_map(|e| match e {
            Expect::Error(file, ..) => Some(file.as_str()),
            Expect::Checked(..) => None,
        })
        .collect();
    for (file, line, message) in run.input_errors() {
        assert!(
            expected.contains(file.as_str()),
            "unexpected error {file}:{line:?}: {message}"
        );
    }
}

/// `./x` paths become `x`, in findings, subjects and input errors.
fn strip_dot_slash(mut report: Value) -> Value {
    for list in ["findings", "subjects", "input_errors"] {
        if let Some(items) = report[list].as_array_mut() {
            for item in items {
                if let Some(file) = item["file"].as_str() {
                    let file = file.strip_prefix("./").unwrap_or(file).to_string();
                    item["file"] = Value::String(file);
                }
            }
        }
    }
    report
}

#[cfg(unix)]
#[test]
fn special_files_named_on_the_command_line_are_errors_not_hangs() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path();
    write(&dir.join("good.txt"), GOOD_CONTRACT);
    std::os::unix::fs::symlink("missing.txt", dir.join("dangling.txt")).expect("symlink");
    let fifo = Command::new("mkfifo")
        .arg(dir.join("pipe.txt"))
        .status()
        .is_ok_and(|s| s.success());
    let mut args = vec!["dangling.txt", "/dev/null", "good.txt"];
    if fifo {
        args.push("pipe.txt");
    }
    let run = check(dir, &args);
    assert_eq!(run.status, 2);
    let dangling = run.errors_for("dangling.txt");
    assert!(
        matches!(&dangling[..], [(None, m)] if m.contains("cannot read")),
        "{dangling:?}"
    );
    let device = run.errors_for("/dev/null");
    assert!(
        matches!(&device[..], [(None, m)] if m.contains("not a regular file: a device")),
        "{device:?}"
    );
    if fifo {
        let pipe = run.errors_for("pipe.txt");
        assert!(
            matches!(&pipe[..], [(None, m)] if m.contains("FIFO")),
            "{pipe:?}"
        );
    }
    assert!(run
        .findings_of(GOOD_CONTRACT_RULE)
        .contains(&("good.txt".to_string(), 2)));
}

/// A small Chinese contract with a rate in full-width digits; one line per clause.
const SMALL_CONTRACT: &str = "借款合同\n第一条 甲方：张三\n第二条 年化利率２４％。\n";

/// The file with byte `bad` inserted before byte `at` of [`SMALL_CONTRACT`].
fn contract_with_bad_byte(at: usize, bad: u8) -> Vec<u8> {
    let mut bytes = SMALL_CONTRACT.as_bytes().to_vec();
    bytes.insert(at, bad);
    bytes
}

/// Where a UTF-8 decoder first fails, as 1-based line and byte offset.
fn first_bad_byte(bytes: &[u8]) -> (u64, usize) {
    let offset = match std::str::from_utf8(bytes) {
        Ok(_) => unreachable!("the inserted byte is never valid UTF-8 here"),
        Err(e) => e.valid_up_to(),
    };
    let line = bytes[..offset].iter().filter(|b| **b == b'\n').count() + 1;
    (u64::try_from(line).expect("small"), offset)
}

#[test]
fn invalid_utf8_at_every_position_is_located_or_read_in_another_encoding() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path();
    write(&dir.join("good.txt"), GOOD_CONTRACT);
    let mut files = Vec::new();
    // 0xFF never occurs in UTF-8; 0xE5 starts a three-byte character that never finishes.
    for bad in [0xFF, 0xE5] {
        for at in 0..=SMALL_CONTRACT.len() {
            let name = format!("bad-{bad:02x}-{at:03}.txt");
            let bytes = contract_with_bad_byte(at, bad);
            if std::str::from_utf8(&bytes).is_ok() {
                continue; // 0xE5 before two continuation bytes can make a character
            }
            write(&dir.join(&name), &bytes);
            files.push((name, bytes));
        }
    }
    let shown = |name: &str| format!("./{name}");

    // Declared UTF-8: every file is an error at the exact line and byte.
    let forced = check(dir, &["--encoding", "utf-8", "."]);
    assert_eq!(forced.status, 2);
    for (name, bytes) in &files {
        let (line, offset) = first_bad_byte(bytes);
        let errors = forced.errors_for(&shown(name));
        let expected = format!("byte {offset})");
        assert!(
            matches!(&errors[..], [(Some(l), m)] if *l == line && m.contains(&expected)
                && m.contains("not valid UTF-8")),
            "{name}: expected line {line}, byte {offset}: {errors:?}"
        );
    }
    assert!(forced
        .findings_of(GOOD_CONTRACT_RULE)
        .contains(&("./good.txt".to_string(), 2)));

    // Guessed: each file is read in a guessed encoding (a normal report) or is an error
    // naming it with a line; none is skipped.
    let guessed = check(dir, &["."]);
    let subjects = guessed.subjects();
    for (name, _) in &files {
        let errors = guessed.errors_for(&shown(name));
        let reported = subjects.contains(&shown(name));
        // Exactly one of the two: checked, or an error.
        assert!(
            reported == errors.is_empty(),
            "{name}: subject {reported}, errors {errors:?}"
        );
        assert!(errors.iter().all(|(line, _)| line.is_some()), "{errors:?}");
    }
    assert!(guessed
        .findings_of(GOOD_CONTRACT_RULE)
        .contains(&("./good.txt".to_string(), 2)));
}

/// One line of `mib` MiB: found at its end, in memory a small multiple of the file. The
/// default is 1 MiB because a debug build checks only about 0.4 MB/s of this text (regex and
/// extractors unoptimised; the cost is linear, not a slow algorithm: 1, 2 and 10 MiB took
/// 5, 9 and 27 s with 4 s of start-up); the release binary checks 100 MiB in 23 s with a
/// 501 MB peak. Set `LOANLINT_HOSTILE_LINE_MB=100` for the full size.
#[test]
fn a_single_very_long_line_is_checked_in_bounded_memory() {
    let mib = env_number("LOANLINT_HOSTILE_LINE_MB", 1);
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path();
    write(&dir.join("good.txt"), GOOD_CONTRACT);
    let unit = "甲方乙方借款合同条款，年利率百分之十，abc 123 ";
    let mut line = unit.repeat((mib << 20) / unit.len());
    line.push_str("本合同最终解释权归贷款人所有。");
    write(&dir.join("long.txt"), &line);
    let run = check(dir, &["."]);
    assert_eq!(run.input_errors(), vec![]);
    let found = run.findings_of(GOOD_CONTRACT_RULE);
    assert!(found.contains(&("./good.txt".to_string(), 2)), "{found:?}");
    assert!(found.contains(&("./long.txt".to_string(), 1)), "{found:?}");
    // The bound: peak RSS <= 8 x the file + 128 MiB (release, 100 MiB: 4.8 x + 39 MB).
    if let Some(peak) = run.peak_kib {
        let bound = 8 * (line.len() as u64 / 1024) + 128 * 1024;
        assert!(peak <= bound, "peak {peak} KiB over the bound {bound} KiB");
    }
    eprintln!(
        "{mib} MiB line: {:?}, peak {:?} KiB",
        run.elapsed, run.peak_kib
    );
}

/// A tiny pack with one rule, so that a run's cost is the files' and not the packs'.
const TINY_RULES: &str = r#"pack tiny "tiny" version "1" jurisdiction CN
rule TINY-001 "final interpretation" {
  concept format.final-interpretation
  severity error
  cite "c"
  forbid /最终解释权/
  message "final interpretation"
  help "delete it"
  example fire "最终解释权归甲方"
  example pass "甲方"
}
"#;

/// Time to check a folder of `n` tiny files (plus one good one) with the tiny pack.
fn many_tiny_files(n: usize) -> Duration {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path();
    write(&dir.join("tiny.rules"), TINY_RULES);
    let many = dir.join("many");
    std::fs::create_dir(&many).expect("folder");
    for i in 0..n {
        // Spread over subfolders of 1000, as real archives are.
        let sub = many.join(format!("{:04}", i / 1000));
        if i % 1000 == 0 {
            std::fs::create_dir(&sub).expect("folder");
        }
        std::fs::write(sub.join(format!("{i:07}.txt")), format!("第{i}条 甲方。\n"))
            .expect("write");
    }
    write(&many.join("zz-good.txt"), GOOD_CONTRACT);
    let run = check(
        dir,
        &[
            "--no-builtin",
            "--rules",
            "tiny.rules",
            "--fail-on",
            "never",
            "many",
        ],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.summary("files"), n as u64 + 1);
    assert_eq!(
        run.findings_of("TINY-001"),
        BTreeSet::from([("many/zz-good.txt".to_string(), 2)])
    );
    run.elapsed
}

/// 10^6 files is the issue's figure; a debug build checks about 3,000 tiny files a second,
/// so this compares 10^3 with 10^4 (set `LOANLINT_HOSTILE_MANY` for more): ten times the
/// files must cost about ten times the time, not a hundred (anything quadratic).
#[test]
fn a_folder_of_very_many_tiny_files_costs_linear_time() {
    let large = env_number("LOANLINT_HOSTILE_MANY", 10_000);
    let small_time = many_tiny_files(large / 10);
    let large_time = many_tiny_files(large);
    eprintln!(
        "{} files: {small_time:?}; {large} files: {large_time:?}",
        large / 10
    );
    // 10x the files: linear is ~10x (less, with start-up); quadratic would be ~100x.
    assert!(
        large_time < small_time * 30,
        "{large} files took {large_time:?}, {} took {small_time:?}",
        large / 10
    );
}

/// A log case: `name.jsonl`/`.csv`/`.yaml` files beside a good log.
#[test]
fn hostile_logs_reject_records_with_lines_and_check_every_good_record() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path();
    write(&dir.join("good.jsonl"), format!("{GOOD_RECORD}\n"));
    let record = |id: &str, text: &str| GOOD_RECORD.replace("G1", id).replace("提醒还款。", text);

    // A 1 MB field in a good record (checked), and a 1 MB line that is cut (rejected).
    let huge = "催".repeat((1 << 20) / 3);
    let big_field = [
        record("B1", "a"),
        record("B2", &huge),
        format!(r#"{{"id":"B3","text":"{}"#, "x".repeat(1 << 20)),
        record("B4", "b"),
    ]
    .join("\n");
    write(&dir.join("big-field.jsonl"), big_field);

    // Ragged CSV: rows with too few and too many fields, an empty line, an open quote.
    let header = "id,debtor,time,tz,kind,direction,text";
    let row =
        |id: &str| format!("{id},王强,2026-03-02T22:15:00+08:00,Asia/Shanghai,call,outbound,提醒");
    let ragged = [
        header.to_string(),
        row("R1"),
        "R2,王强".to_string(),
        format!("{},extra,extra", row("R3")),
        String::new(),
        row("R4"),
        "\"R5,open quote".to_string(),
    ]
    .join("\n");
    write(&dir.join("ragged.csv"), ragged);
    // A CSV with a 1 MB field.
    write(
        &dir.join("wide.csv"),
        format!("{header}\n{}{}\n", row("W1"), "长".repeat((1 << 20) / 3)),
    );

    // YAML alias bombs: a billion laughs as a map, and inside a log list.
    let mut laughs = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for i in 1..9u8 {
        let (prev, this) = (char::from(b'a' + i - 1), char::from(b'a' + i));
        laughs.push_str(&format!(
            "{this}: &{this} [{}]\n",
            vec![format!("*{prev}"); 9].join(",")
        ));
    }
    write(&dir.join("laughs.yaml"), &laughs);
    let mut list = String::from(
        "- &r0 {debtor: x, time: '2026-03-02T10:00:00+08:00', tz: Asia/Shanghai, kind: call}\n",
    );
    for i in 1..10 {
        list.push_str(&format!(
            "- &r{i} [{}]\n",
            vec![format!("*r{}", i - 1); 9].join(",")
        ));
    }
    write(&dir.join("alias-list.yaml"), &list);
    // YAML nested 100,000 deep.
    write(
        &dir.join("deep.yaml"),
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
    );

    // Invalid UTF-8 on line 2 (the whole file is refused with that line: the records around
    // it are not checked, a gap noted in the issue), NUL bytes in a record, a BOM-only and
    // an empty log.
    let mut not_utf8 = format!("{}\n", record("U1", "a")).into_bytes();
    not_utf8.extend_from_slice(b"{\"id\":\"U2\",\"text\":\"\xFF\xFE\"}\n");
    write(&dir.join("not-utf8.jsonl"), &not_utf8);
    write(
        &dir.join("nul.jsonl"),
        format!(
            "{}\n{{\"id\":\"N2\",\0\0\0}}\n{}\n",
            record("N1", "a"),
            record("N3", "b")
        ),
    );
    write(&dir.join("bom.jsonl"), b"\xEF\xBB\xBF");
    write(&dir.join("empty.csv"), b"");
    write(&dir.join("header-only.csv"), format!("{header}\n"));

    let run = check(dir, &[".", "laughs.yaml", "alias-list.yaml", "deep.yaml"]);
    assert_eq!(run.status, 2, "{}", run.stderr);

    // Every record read is checked or rejected.
    assert_eq!(
        run.summary("records_read"),
        run.summary("records_checked") + run.summary("records_rejected")
    );
    let errors_at = |file: &str| -> Vec<Option<u64>> {
        run.errors_for(file)
            .into_iter()
            .map(|(line, _)| line)
            .collect()
    };
    assert_eq!(errors_at("./big-field.jsonl"), [Some(3)]);
    assert_eq!(errors_at("./ragged.csv"), [Some(3), Some(4), Some(7)]);
    assert_eq!(errors_at("./wide.csv"), [] as [Option<u64>; 0]);
    assert_eq!(errors_at("./nul.jsonl"), [Some(2)]);
    assert_eq!(errors_at("./not-utf8.jsonl"), [Some(2)]);
    assert_eq!(errors_at("./bom.jsonl"), [] as [Option<u64>; 0]);
    // An empty CSV has no header row: a file error (the file cannot be read as a log).
    let empty = run.errors_for("./empty.csv");
    assert!(
        matches!(&empty[..], [(None, m)] if m.contains("header row")),
        "{empty:?}"
    );
    assert_eq!(errors_at("./header-only.csv"), [] as [Option<u64>; 0]);
    for bomb in ["laughs.yaml", "alias-list.yaml", "deep.yaml"] {
        let errors = run.errors_for(bomb);
        assert!(
            matches!(&errors[..], [(Some(_), m)] if m.contains("YAML")),
            "{bomb}: {errors:?}"
        );
    }

    // The good records beside the hostile ones are checked: the 22:15 calls are found.
    let found = run.findings_of(GOOD_RECORD_RULE);
    for (file, line) in [
        ("./good.jsonl", 1),
        ("./big-field.jsonl", 1),
        ("./big-field.jsonl", 2),
        ("./big-field.jsonl", 4),
        ("./ragged.csv", 2),
        ("./ragged.csv", 6),
        ("./wide.csv", 2),
        ("./nul.jsonl", 1),
        ("./nul.jsonl", 3),
    ] {
        assert!(
            found.contains(&(file.to_string(), line)),
            "no {GOOD_RECORD_RULE} at {file}:{line}: {found:?}"
        );
    }
}
