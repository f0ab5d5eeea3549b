//! Reading a contract file from disk.

use super::{Document, Format};
use std::io::Read;
use std::path::Path;

/// Files larger than this are refused rather than read into memory.
pub const MAX_FILE_SIZE: u64 = 256 * 1024 * 1024;

/// How much of the start of a file is searched for NUL bytes.
const BINARY_SNIFF_LEN: usize = 8 * 1024;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not valid UTF-8 (first bad byte at line {line}, byte {offset}); GBK and other encodings are not supported yet")]
    NotUtf8 {
        path: String,
        line: usize,
        offset: usize,
    },
    #[error("{path}: UTF-16 text is not supported yet; save the file as UTF-8")]
    Utf16 { path: String },
    #[error("{path}: looks like a binary file (NUL byte at byte {offset}), not a contract text")]
    Binary { path: String, offset: usize },
    #[error(
        "{path}: file is {size} bytes, over the {limit}-byte (256 MiB) limit for one document"
    )]
    TooLarge { path: String, size: u64, limit: u64 },
    #[error("{path}: unsupported file type")]
    Unsupported { path: String },
}

impl LoadError {
    /// 1-based line the error is about, if any.
    pub fn line(&self) -> Option<usize> {
        match self {
            LoadError::NotUtf8 { line, .. } => Some(*line),
            _ => None,
        }
    }
}

/// Read and decode a contract file. `display` is the path as reports show it.
pub fn load_file(path: &Path, display: &str) -> Result<Document, LoadError> {
    let format = Format::from_path(path).ok_or_else(|| LoadError::Unsupported {
        path: display.to_string(),
    })?;
    let bytes = read_limited(path, display)?;
    let (text, source_offset) = decode(bytes, display)?;
    Ok(Document::from_source(display, format, text, source_offset))
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

/// Decode file bytes: the text and how many bytes (a BOM) precede it.
fn decode(mut bytes: Vec<u8>, display: &str) -> Result<(String, usize), LoadError> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(LoadError::Utf16 {
            path: display.to_string(),
        });
    }
    let sniff = &bytes[..bytes.len().min(BINARY_SNIFF_LEN)];
    if let Some(offset) = sniff.iter().position(|&b| b == 0) {
        return Err(LoadError::Binary {
            path: display.to_string(),
            offset,
        });
    }
    let source_offset = if bytes.starts_with(UTF8_BOM) {
        bytes.drain(..UTF8_BOM.len());
        UTF8_BOM.len()
    } else {
        0
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok((text, source_offset)),
        Err(e) => {
            let bad = e.utf8_error().valid_up_to();
            let valid = e.as_bytes().get(..bad).unwrap_or_default();
            Err(LoadError::NotUtf8 {
                path: display.to_string(),
                line: line_of(valid),
                offset: source_offset + bad,
            })
        }
    }
}

/// 1-based line number after `bytes` (line breaks: `\n`, `\r\n`, lone `\r`).
fn line_of(bytes: &[u8]) -> usize {
    let lone_cr = bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
        .count();
    let lf = bytes.iter().filter(|&&b| b == b'\n').count();
    1 + lf + lone_cr
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
        let mut bytes = UTF8_BOM.to_vec();
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
        let mut bytes = vec![b'a'; BINARY_SNIFF_LEN];
        bytes.push(0);
        let doc = load("late.txt", &bytes).unwrap();
        assert_eq!(doc.source.len(), BINARY_SNIFF_LEN + 1);
    }

    #[test]
    fn invalid_utf8_reports_line_and_byte() {
        // "甲方\n乙方\n" then a GBK-encoded "借" (0xBD 0xE8).
        let mut bytes = "甲方\n乙方\r\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"\xBD\xE8");
        let err = load("gbk.txt", &bytes).unwrap_err();
        match &err {
            LoadError::NotUtf8 { line, offset, .. } => {
                assert_eq!(*line, 3);
                assert_eq!(*offset, "甲方\n乙方\r\n".len());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(err.line(), Some(3));
        let message = err.to_string();
        assert!(message.contains("gbk.txt"), "{message}");
        assert!(message.contains("GBK"), "{message}");
    }

    #[test]
    fn invalid_utf8_offset_counts_the_bom() {
        let err = load("b.txt", b"\xEF\xBB\xBFab\xFF").unwrap_err();
        assert!(
            matches!(
                err,
                LoadError::NotUtf8 {
                    line: 1,
                    offset: 5,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn utf16_is_refused_with_a_hint() {
        let err = load("u16.txt", b"\xFF\xFE1\x002\x00").unwrap_err();
        assert!(matches!(err, LoadError::Utf16 { .. }), "{err:?}");
        assert!(err.to_string().contains("UTF-8"));
    }

    #[test]
    fn empty_and_bom_only_files_are_empty_documents() {
        for bytes in [&b""[..], UTF8_BOM] {
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
        let err = load("contract.pdf", b"%PDF").unwrap_err();
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

    #[test]
    fn line_counting_accepts_every_line_ending() {
        assert_eq!(line_of(b""), 1);
        assert_eq!(line_of(b"a\nb\r\nc\rd"), 4);
    }
}
