//! Reading a contract file from disk.

use super::decode::{self, DecodeFailure};
use super::{Document, Format};
use std::io::Read;
use std::path::Path;

/// Files larger than this are refused rather than read into memory.
pub const MAX_FILE_SIZE: u64 = 256 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not valid {encoding} (first bad byte at line {line}, byte {offset}){}", if *.guessed { "; the encoding was guessed: pass --encoding NAME if it is another one" } else { "" })]
    Undecodable {
        path: String,
        encoding: String,
        /// Whether the encoding was guessed (not UTF-8, not a BOM, not `--encoding`).
        guessed: bool,
        line: usize,
        offset: usize,
    },
    #[error("{path}: not UTF-8 (first bad byte at line {line}, byte {offset}), and read as {encoding} (the likeliest encoding) it is not text either; pass --encoding NAME if you know its encoding")]
    NotText {
        path: String,
        encoding: String,
        line: usize,
        offset: usize,
    },
    #[error(
        "{path}: unknown encoding `{name}` (try UTF-8, GBK, GB18030, Big5, UTF-16LE, UTF-16BE)"
    )]
    UnknownEncoding { path: String, name: String },
    #[error("{path}: looks like a binary file (NUL byte at byte {offset}), not a contract text; if it is UTF-16 without a byte-order mark, pass --encoding UTF-16LE (or UTF-16BE)")]
    Binary { path: String, offset: usize },
    #[error(
        "{path}: file is {size} bytes, over the {limit}-byte (256 MiB) limit for one document"
    )]
    TooLarge { path: String, size: u64, limit: u64 },
    #[error("{path}: {reason}")]
    Docx {
        path: String,
        reason: super::DocxError,
    },
    #[error("{path}: {reason}")]
    Pdf {
        path: String,
        reason: super::PdfError,
    },
    #[error("{path}: unsupported file type")]
    Unsupported { path: String },
}

impl LoadError {
    /// 1-based line the error is about, if any.
    pub fn line(&self) -> Option<usize> {
        match self {
            LoadError::Undecodable { line, .. } | LoadError::NotText { line, .. } => Some(*line),
            _ => None,
        }
    }
}

/// How to read contract files.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Decode text files with this encoding (a WHATWG label: `gbk`, `big5`, `utf-16le`…)
    /// instead of detecting it; a byte-order mark still wins.
    pub encoding: Option<String>,
    /// Which side of a DOCX's tracked changes is checked: as accepted (the default) or the
    /// original text before them.
    pub tracked_changes: super::TrackedChanges,
}

/// Whether `label` names an encoding `LoadOptions::encoding` accepts.
pub fn is_known_encoding(label: &str) -> bool {
    decode::encoding_for_label(label).is_some()
}

/// Read and decode a contract file, detecting its encoding. `display` is the path as
/// reports show it.
pub fn load_file(path: &Path, display: &str) -> Result<Document, LoadError> {
    load_file_with(path, display, &LoadOptions::default())
}

/// Read and decode a contract file with options.
pub fn load_file_with(
    path: &Path,
    display: &str,
    options: &LoadOptions,
) -> Result<Document, LoadError> {
    let format = Format::from_path(path).ok_or_else(|| LoadError::Unsupported {
        path: display.to_string(),
    })?;
    // An unknown encoding is refused before the file is read.
    forced_encoding(options, display)?;
    let bytes = read_limited(path, display)?;
    load_bytes(&bytes, format, display, options)
}

/// Decode a contract already in memory as `format`, as [`load_file_with`] does a file's bytes
/// (the format is given, not taken from a file name).
pub fn load_bytes(
    bytes: &[u8],
    format: Format,
    display: &str,
    options: &LoadOptions,
) -> Result<Document, LoadError> {
    let forced = forced_encoding(options, display)?;
    if format == Format::Docx {
        return load_docx(bytes, display, options.tracked_changes);
    }
    if format == Format::Pdf {
        return load_pdf(bytes, display);
    }
    // An HTML page that is not UTF-8 says its charset: believe it before guessing (a BOM
    // still wins). Valid UTF-8 stays UTF-8 whatever the page claims: saved pages often lie.
    let forced = forced.or_else(|| {
        (format == Format::Html && std::str::from_utf8(bytes).is_err())
            .then(|| super::html::declared_charset(bytes))
            .flatten()
            .and_then(|label| decode::encoding_for_label(&label))
    });
    let decoded = decode::decode(bytes, forced).map_err(|f| decode_error(f, display))?;
    let mut doc = Document::from_source(display, format, decoded.text, decoded.bom_len);
    doc.encoding = Some(decoded.encoding.name());
    doc.file_map = decoded.file_map;
    Ok(doc)
}

/// The encoding `--encoding` names, if any; an error for a name that is no encoding.
fn forced_encoding(
    options: &LoadOptions,
    display: &str,
) -> Result<Option<&'static encoding_rs::Encoding>, LoadError> {
    options
        .encoding
        .as_ref()
        .map(|name| {
            decode::encoding_for_label(name).ok_or_else(|| LoadError::UnknownEncoding {
                path: display.to_string(),
                name: name.clone(),
            })
        })
        .transpose()
}

fn load_docx(
    bytes: &[u8],
    display: &str,
    changes: super::TrackedChanges,
) -> Result<Document, LoadError> {
    let extracted = super::docx::extract(bytes, changes).map_err(|reason| LoadError::Docx {
        path: display.to_string(),
        reason,
    })?;
    let (body_end, scopes) = (extracted.body_end, extracted.scopes);
    let mut doc = Document::from_normalised(
        display,
        Format::Docx,
        extracted.source,
        0,
        extracted.normalised,
    );
    if !scopes.is_empty() {
        doc.clauses = super::docx::scoped_clauses(&doc.text, body_end, &scopes);
    }
    doc.encoding = None;
    Ok(doc)
}

fn load_pdf(bytes: &[u8], display: &str) -> Result<Document, LoadError> {
    let source = super::pdf::extract(bytes).map_err(|reason| LoadError::Pdf {
        path: display.to_string(),
        reason,
    })?;
    let mut doc = Document::from_source(display, Format::Pdf, source, 0);
    doc.encoding = None;
    Ok(doc)
}

fn decode_error(failure: DecodeFailure, display: &str) -> LoadError {
    let path = display.to_string();
    match failure {
        DecodeFailure::Binary { offset } => LoadError::Binary { path, offset },
        DecodeFailure::Invalid {
            encoding,
            guessed,
            line,
            offset,
        } => LoadError::Undecodable {
            path,
            encoding: encoding.to_string(),
            guessed,
            line,
            offset,
        },
        DecodeFailure::NotText {
            encoding,
            line,
            offset,
        } => LoadError::NotText {
            path,
            encoding: encoding.to_string(),
            line,
            offset,
        },
    }
}

fn read_limited(path: &Path, display: &str) -> Result<Vec<u8>, LoadError> {
    let io = |source| LoadError::Io {
        path: display.to_string(),
        source,
    };
    let too_large = |size| LoadError::TooLarge {
        path: display.to_string(),
        size,
        limit: MAX_FILE_SIZE,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > MAX_FILE_SIZE {
        return Err(too_large(size));
    }
    // The size can change under us (or lie, for special files): cap the read too.
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > MAX_FILE_SIZE {
        return Err(too_large(read));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::File::create(&path)
            .unwrap()
            .write_all(bytes)
            .unwrap();
        (dir, path)
    }

    fn load(name: &str, bytes: &[u8]) -> Result<Document, LoadError> {
        let (_dir, path) = write_file(name, bytes);
        load_file(&path, name)
    }

    #[test]
    fn plain_utf8_loads_without_offset() {
        let doc = load("a.txt", "第一条 借款金额".as_bytes()).unwrap();
        assert_eq!(doc.source, "第一条 借款金额");
        assert_eq!(doc.source_offset, 0);
        assert_eq!(doc.format, Format::Text);
        assert_eq!(doc.path, "a.txt");
    }

    #[test]
    fn bom_is_stripped_and_spans_map_to_file_bytes() {
        let body = "甲方：张三\r\n年化利率：２４％。\r\n";
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(body.as_bytes());
        let doc = load("bom.txt", &bytes).unwrap();
        assert_eq!(doc.source_offset, 3);
        assert_eq!(doc.source, body);
        assert_eq!(doc.text, "甲方:张三\n年化利率:24%。\n");
        let at = doc.text.find("24%").unwrap();
        let file = doc.to_file(at..at + 3);
        let expected = 3 + body.find("２４％").unwrap();
        assert_eq!(file, expected..expected + "２４％".len());
        assert_eq!(&bytes[file], "２４％".as_bytes());
    }

    #[test]
    fn nul_byte_means_binary() {
        let err = load("x.txt", b"PK\x03\x04\x00\x00").unwrap_err();
        assert!(
            matches!(err, LoadError::Binary { offset: 4, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("binary"));
    }

    #[test]
    fn nul_after_the_sniffed_prefix_is_just_text() {
        let mut bytes = vec![b'a'; decode::BINARY_SNIFF_LEN];
        bytes.push(0);
        let doc = load("late.txt", &bytes).unwrap();
        assert_eq!(doc.source.len(), decode::BINARY_SNIFF_LEN + 1);
    }

    fn load_as(name: &str, bytes: &[u8], encoding: &str) -> Result<Document, LoadError> {
        let (_dir, path) = write_file(name, bytes);
        let options = LoadOptions {
            encoding: Some(encoding.to_string()),
            ..LoadOptions::default()
        };
        load_file_with(&path, name, &options)
    }

    #[test]
    fn forced_utf8_reports_line_and_byte_of_the_first_bad_byte() {
        // "甲方\n乙方\r\n" then a GBK-encoded "借" (0xBD 0xE8).
        let mut bytes = "甲方\n乙方\r\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"\xBD\xE8");
        let err = load_as("bad.txt", &bytes, "utf-8").unwrap_err();
        match &err {
            LoadError::Undecodable {
                line,
                offset,
                guessed,
                ..
            } => {
                assert_eq!(*line, 3);
                assert_eq!(*offset, "甲方\n乙方\r\n".len());
                assert!(!guessed);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(err.line(), Some(3));
        let message = err.to_string();
        assert!(message.starts_with("bad.txt: not valid UTF-8"), "{message}");
    }

    #[test]
    fn gbk_file_is_detected_and_maps_to_gbk_bytes() {
        let body = "甲方：张三\r\n年化利率：２４％。借款人应当按期还款，逾期将产生罚息。\r\n";
        let (bytes, _, _) = encoding_rs::GBK.encode(body);
        let doc = load("gbk.txt", &bytes).unwrap();
        assert_eq!(doc.encoding, Some("GBK"));
        assert_eq!(doc.source, body);
        let at = doc.text.find("24%").unwrap();
        let file = doc.to_file(at..at + 3);
        let (rate, _, _) = encoding_rs::GBK.encode("２４％");
        assert_eq!(&bytes[file], &*rate);
    }

    #[test]
    fn bytes_in_memory_load_as_the_same_file_would() {
        let body = "第一条 借款金额为人民币10000元。\n";
        let (bytes, _, _) = encoding_rs::GBK.encode(body);
        let options = LoadOptions {
            encoding: Some("gbk".into()),
            ..LoadOptions::default()
        };
        let doc = load_bytes(&bytes, Format::Markdown, "mem.md", &options).unwrap();
        assert_eq!(doc.source, body);
        assert_eq!(
            (doc.format, doc.encoding, doc.path.as_str()),
            (Format::Markdown, Some("GBK"), "mem.md")
        );
        let unknown = LoadOptions {
            encoding: Some("klingon".into()),
            ..LoadOptions::default()
        };
        let err = load_bytes(&bytes, Format::Text, "mem.txt", &unknown).unwrap_err();
        assert!(matches!(err, LoadError::UnknownEncoding { ref name, .. } if name == "klingon"));
    }

    #[test]
    fn utf16_with_bom_loads() {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend("借款合同".encode_utf16().flat_map(u16::to_le_bytes));
        let doc = load("u16.txt", &bytes).unwrap();
        assert_eq!(doc.source, "借款合同");
        assert_eq!(doc.encoding, Some("UTF-16LE"));
        assert_eq!(doc.to_file(3..6), 4..6);
    }

    #[test]
    fn unknown_forced_encoding_is_an_error() {
        let err = load_as("a.txt", b"abc", "klingon").unwrap_err();
        assert!(matches!(err, LoadError::UnknownEncoding { .. }), "{err:?}");
        assert!(!is_known_encoding("klingon"));
        assert!(is_known_encoding("GB18030"));
    }

    #[test]
    fn empty_and_bom_only_files_are_empty_documents() {
        for bytes in [&b""[..], b"\xEF\xBB\xBF"] {
            let doc = load("empty.md", bytes).unwrap();
            assert_eq!(doc.text, "");
            assert!(doc.paragraphs.is_empty());
            assert!(doc.sentences.is_empty());
            assert_eq!(doc.clauses.len(), 1);
            assert_eq!(doc.clauses[0].range, 0..0);
        }
    }

    #[test]
    fn unknown_extension_is_unsupported() {
        let err = load("contract.pages", b"%PDF").unwrap_err();
        assert!(matches!(err, LoadError::Unsupported { .. }));
    }

    #[test]
    fn missing_file_is_an_io_error() {
        let err = load_file(Path::new("/nonexistent/dir/x.txt"), "x.txt").unwrap_err();
        assert!(matches!(err, LoadError::Io { .. }));
        assert!(err.to_string().starts_with("x.txt: cannot read"));
    }

    #[test]
    fn oversized_files_are_refused_before_reading() {
        let (_dir, path) = write_file("big.txt", b"");
        let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        file.set_len(MAX_FILE_SIZE + 1).unwrap(); // sparse: costs no disk
        let err = load_file(&path, "big.txt").unwrap_err();
        match &err {
            LoadError::TooLarge { size, limit, .. } => {
                assert_eq!(*size, MAX_FILE_SIZE + 1);
                assert_eq!(*limit, MAX_FILE_SIZE);
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains("256 MiB"));
    }
}
