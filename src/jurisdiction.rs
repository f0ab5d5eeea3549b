//! Which jurisdiction's packs apply to a contract.

use crate::document::Document;

/// The outcome of looking at a document: a jurisdiction code, or none with the reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Detection {
    pub jurisdiction: Option<String>,
    pub reason: String,
}

pub fn detect(doc: &Document) -> Detection {
    let _ = doc;
    Detection {
        jurisdiction: Some("CN".into()),
        reason: "stub".into(),
    }
}
