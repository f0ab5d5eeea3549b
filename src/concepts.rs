//! The concept catalogue (rules/concepts.yaml): every rule maps to one concept.

use std::collections::HashSet;

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

/// Why a concept catalogue could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("concept catalogue: {0}")]
    Yaml(#[from] crate::yaml::YamlError),
    #[error("concept catalogue: concept id `{0}` is listed twice")]
    Duplicate(String),
}

#[derive(serde::Deserialize)]
struct CatalogueFile {
    concepts: Vec<Concept>,
}

impl ConceptCatalogue {
    /// The catalogue shipped in the binary.
    pub fn builtin() -> ConceptCatalogue {
        // The embedded file is part of the program, not user input; a test proves it parses.
        ConceptCatalogue::from_yaml(crate::builtin::CONCEPTS_YAML)
            .expect("rules/concepts.yaml is a valid catalogue (see concepts::tests)")
    }

    /// Read a catalogue (`concepts: [{id, title, jurisdiction, source, status}, …]`).
    pub fn from_yaml(text: &str) -> Result<ConceptCatalogue, CatalogueError> {
        let file: CatalogueFile = crate::yaml::from_str(text)?;
        let mut seen = HashSet::new();
        for c in &file.concepts {
            if !seen.insert(c.id.as_str()) {
                return Err(CatalogueError::Duplicate(c.id.clone()));
            }
        }
        Ok(ConceptCatalogue {
            concepts: file.concepts,
        })
    }

    pub fn get(&self, id: &str) -> Option<&Concept> {
        self.concepts.iter().find(|c| c.id == id)
    }

    /// The concept whose id is closest to `id` (for "did you mean …?"), if any is close enough.
    pub fn nearest(&self, id: &str) -> Option<&Concept> {
        let best = nearest(id, self.concepts.iter().map(|c| c.id.as_str()))?;
        self.get(best)
    }
}

/// The candidate closest to `target` by edit distance (in characters), if it is close enough
/// to be a plausible typo: at most a third of the length, and never less than 2 edits.
pub fn nearest<'a>(target: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (target.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .filter(|c| *c != target)
        .map(|c| (strsim::levenshtein(target, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_has_all_72_concepts_once() {
        let cat = ConceptCatalogue::builtin();
        assert_eq!(cat.concepts.len(), 72);
        let ids: HashSet<_> = cat.concepts.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids.len(), 72);
        for c in &cat.concepts {
            assert!(
                c.jurisdiction == "CN" || c.jurisdiction == "US",
                "{}: jurisdiction {}",
                c.id,
                c.jurisdiction
            );
            assert!(!c.title.is_empty() && !c.source.is_empty(), "{}", c.id);
            assert!(
                c.status
                    .split(" / ")
                    .all(|s| ["V", "V2", "R", "D"].contains(&s)),
                "{}: status {}",
                c.id,
                c.status
            );
        }
        for id in [
            "format.final-interpretation",
            "contract.repealed-law-cited",
            "privacy.public-disclosure-of-default",
            "collection.us.recording-retention",
            "disclosure.apr-missing",
        ] {
            assert!(cat.get(id).is_some(), "{id}");
        }
        assert_eq!(
            cat.get("collection.us.frequency-7in7")
                .map(|c| c.jurisdiction.as_str()),
            Some("US")
        );
    }

    #[test]
    fn nearest_concept_suggests_a_typo_fix() {
        let cat = ConceptCatalogue::builtin();
        let near = |id: &str| cat.nearest(id).map(|c| c.id.clone());
        assert_eq!(
            near("format.final-interpretaton").as_deref(),
            Some("format.final-interpretation")
        );
        assert_eq!(
            near("format-clause.final-interpretation").as_deref(),
            Some("format.final-interpretation")
        );
        assert_eq!(near("completely.unrelated-thing-here"), None);
    }

    #[test]
    fn duplicate_ids_are_rejected() {
        let y = "concepts:\n  - {id: a.b, title: T, jurisdiction: CN, source: S, status: V}\n  - {id: a.b, title: T, jurisdiction: CN, source: S, status: V}\n";
        assert!(matches!(
            ConceptCatalogue::from_yaml(y),
            Err(CatalogueError::Duplicate(id)) if id == "a.b"
        ));
    }
}
