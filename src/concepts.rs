//! The concept catalogue (rules/concepts.yaml): every rule maps to one concept.

#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
pub struct Concept {
    pub id: String,
    pub title: String,
    pub jurisdiction: String,
    pub source: String,
    #[serde(default)]
    pub status: String,
}

#[derive(Debug, Clone, Default)]
pub struct ConceptCatalogue {
    pub concepts: Vec<Concept>,
}

impl ConceptCatalogue {
    /// The catalogue shipped in the binary.
    pub fn builtin() -> ConceptCatalogue {
        ConceptCatalogue::default()
    }

    pub fn get(&self, id: &str) -> Option<&Concept> {
        self.concepts.iter().find(|c| c.id == id)
    }
}
