//! Diagnostics about rule files, and their ariadne rendering.

use super::SourceFile;
use crate::span::{snap_visible, LineIndex};
use ariadne::{Color, Config, IndexType, Label, Report, ReportKind};
use std::fmt;
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DiagLevel {
    Error,
    Warning,
}

/// One problem in a rule file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Diagnostic {
    /// Stable code: LL001 … (errors), LW001 … (warnings); see docs/rule-language.md.
    pub code: &'static str,
    pub level: DiagLevel,
    pub message: String,
    /// Index into the `SourceFile` slice the diagnostic was produced from.
    pub file: usize,
    /// Byte span in that file (snapped to char boundaries before rendering).
    pub span: Range<usize>,
    /// Text shown under the primary span.
    pub label: String,
    /// Secondary spans in the same file (e.g. the first definition of a duplicate).
    pub others: Vec<(Range<usize>, String)>,
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error with no label text yet.
    pub fn error(
        code: &'static str,
        file: usize,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            level: DiagLevel::Error,
            message: message.into(),
            file,
            span,
            label: String::new(),
            others: vec![],
            help: None,
        }
    }

    /// A warning with no label text yet.
    pub fn warning(
        code: &'static str,
        file: usize,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            level: DiagLevel::Warning,
            ..Diagnostic::error(code, file, span, message)
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn with_other(mut self, span: Range<usize>, label: impl Into<String>) -> Self {
        self.others.push((span, label.into()));
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// What kind of problem the code stands for, e.g. "type error" for LL003.
    pub fn category(&self) -> &'static str {
        match self.code {
            "LL001" => "syntax error",
            "LL002" => "unknown name",
            "LL003" => "type error",
            "LL004" => "invalid regex",
            "LL005" => "duplicate rule id",
            "LL006" => "unknown concept",
            "LL007" => "rule item",
            "LL008" => "pack header conflict",
            "LL009" => "duplicate name",
            "LL010" => "example failed",
            "LW001" => "unused param",
            "LW002" => "unused lexicon",
            "LW003" => "missing example",
            _ => "problem",
        }
    }

    /// The report title: `[LL003] type error: cannot compare percent with money`.
    pub fn title(&self) -> String {
        format!("[{}] {}: {}", self.code, self.category(), self.message)
    }

    /// 1-based line and 1-based column (in characters) of the start of the span.
    /// A file index out of range gives (1, 1).
    pub fn line_col(&self, files: &[SourceFile]) -> (usize, usize) {
        match files.get(self.file) {
            Some(f) => LineIndex::new(&f.text).line_col(&f.text, self.span.start),
            None => (1, 1),
        }
    }
}

/// Identifies a rule file in ariadne's cache. The index keeps two files with the same
/// path apart; only the path is shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct FileId {
    index: usize,
    path: String,
}

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)
    }
}

/// Render diagnostics with ariadne (byte-indexed, Chinese-aligned).
pub fn render(diags: &[Diagnostic], files: &[SourceFile], color: bool) -> String {
    let mut cache = ariadne::sources(files.iter().enumerate().map(|(index, f)| {
        (
            FileId {
                index,
                path: f.path.clone(),
            },
            f.text.as_str(),
        )
    }));
    let mut out = Vec::new();
    for d in diags {
        let written = match files.get(d.file) {
            Some(f) => {
                let mut buf = Vec::new();
                let id = FileId {
                    index: d.file,
                    path: f.path.clone(),
                };
                report(d, id, &f.text, color)
                    .write(&mut cache, &mut buf)
                    .map(|()| buf)
                    .ok()
            }
            None => None,
        };
        match written {
            Some(buf) => out.extend(buf),
            None => out.extend(plain(d, files).into_bytes()),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn report<'a>(
    d: &Diagnostic,
    id: FileId,
    text: &str,
    color: bool,
) -> Report<'a, (FileId, Range<usize>)> {
    // ariadne counts in chars unless told otherwise, and our spans are bytes; it also panics
    // on a span inside a multi-byte character, hence the snapping.
    let config = Config::default()
        .with_index_type(IndexType::Byte)
        .with_color(color);
    let span = snap_visible(text, d.span.clone());
    let kind = match d.level {
        DiagLevel::Error => ReportKind::Error,
        DiagLevel::Warning => ReportKind::Warning,
    };
    let primary = match d.level {
        DiagLevel::Error => Color::Red,
        DiagLevel::Warning => Color::Yellow,
    };
    let mut label = Label::new((id.clone(), span.clone())).with_color(primary);
    if !d.label.is_empty() {
        label = label.with_message(&d.label);
    }
    let mut b = Report::build(kind, (id.clone(), span))
        .with_config(config)
        .with_message(d.title())
        .with_label(label);
    for (other, msg) in &d.others {
        let other = snap_visible(text, other.clone());
        b = b.with_label(
            Label::new((id.clone(), other))
                .with_message(msg)
                .with_color(Color::Blue),
        );
    }
    if let Some(h) = &d.help {
        b = b.with_help(h);
    }
    b.finish()
}

/// The fallback when the diagnostic's file is unknown: one line with what we know.
fn plain(d: &Diagnostic, files: &[SourceFile]) -> String {
    let kind = match d.level {
        DiagLevel::Error => "Error",
        DiagLevel::Warning => "Warning",
    };
    let place = files
        .get(d.file)
        .map(|f| {
            let (l, c) = d.line_col(files);
            format!(" at {}:{l}:{c}", f.path)
        })
        .unwrap_or_default();
    let help = d
        .help
        .as_ref()
        .map(|h| format!("\n  help: {h}"))
        .unwrap_or_default();
    format!("{kind}: {}{place}{help}\n", d.title())
}
