//! Markdown: strip markup, record emphasis and headings, then normalise.

use super::normalize::{normalise, Normalised};

pub(crate) fn strip_and_normalise(source: &str) -> Normalised {
    normalise(source)
}
