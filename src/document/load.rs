//! Reading a contract file from disk.

use super::{Document, Format};
use std::path::Path;

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
    #[error("{path}: looks like a binary file (NUL byte at byte {offset}), not a contract text")]
    Binary { path: String, offset: usize },
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
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: display.to_string(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| LoadError::NotUtf8 {
        path: display.to_string(),
        line: 1,
        offset: e.utf8_error().valid_up_to(),
    })?;
    Ok(Document::from_source(display, format, text, 0))
}
