//! Publishing a tariff catalog version (docs/design.md, "The tariff catalog"). A version once
//! published never changes: the same version with the same content is the version as first
//! published, other content is refused. A correction is a new version of the same budget year
//! from a day within it; it prices from that day, the version it corrects before it.

use afregning_tariff::{Catalog, CatalogSet};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::VisitationError;

/// The most bytes a catalog document may have.
pub const MAX_DOCUMENT_BYTES: usize = 65_536;

/// A published version as the feed carries it: the document, and what it was published as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogPublished {
    /// The version.
    pub version: String,
    /// The document as published (TOML).
    pub document: String,
    /// The version it corrects from its first day, if it is a correction.
    pub corrects: Option<String>,
    /// When it was published.
    pub published_at: DateTime<Utc>,
}

/// What publishing a document comes to.
#[derive(Debug, PartialEq, Eq)]
pub enum Publication {
    /// A new version; `corrects` is the version of the same year in force the day before.
    New {
        /// The version it corrects, if any.
        corrects: Option<String>,
    },
    /// The version is published with the same content: answer it as first published.
    Same,
}

/// Parses and validates a document: at most [`MAX_DOCUMENT_BYTES`] of UTF-8 TOML.
pub fn parse(document: &[u8]) -> Result<(Catalog, String), VisitationError> {
    if document.is_empty() || document.len() > MAX_DOCUMENT_BYTES {
        return Err(VisitationError::CatalogInvalid(format!(
            "a catalog document is 1–{MAX_DOCUMENT_BYTES} bytes of TOML"
        )));
    }
    let text = std::str::from_utf8(document).map_err(|_| VisitationError::CatalogInvalid("must be UTF-8 text".into()))?;
    let catalog = Catalog::from_toml_str(text).map_err(|e| VisitationError::CatalogInvalid(e.to_string()))?;
    Ok((catalog, text.to_owned()))
}

/// Whether `candidate` may be published beside the `published` versions, and as what.
pub fn decide(published: &[Catalog], candidate: &Catalog) -> Result<Publication, VisitationError> {
    if let Some(first) = published.iter().find(|c| c.version == candidate.version) {
        return if first == candidate {
            Ok(Publication::Same)
        } else {
            Err(VisitationError::CatalogVersionTaken(candidate.version.clone()))
        };
    }
    let set = CatalogSet::new(published.to_vec()).map_err(|e| VisitationError::CatalogClash(e.to_string()))?;
    let day_before = candidate.effective.first().pred_opt();
    let corrects = day_before
        .and_then(|d| set.in_force(d))
        .filter(|c| c.year == candidate.year)
        .map(|c| c.version.clone());
    set.with(candidate.clone()).map_err(|e| {
        VisitationError::CatalogClash(format!(
            "{e}: a correction takes effect on a later day of the same year than every version it follows"
        ))
    })?;
    Ok(Publication::New { corrects })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = include_str!("../../../../deploy/catalog-2026.toml");

    fn catalog(version: &str, from: &str) -> Catalog {
        Catalog::from_toml_str(
            &TEXT
                .replace(r#"version = "2026.1""#, &format!(r#"version = "{version}""#))
                .replace("effective_from = 2026-01-01", &format!("effective_from = {from}")),
        )
        .unwrap()
    }

    #[test]
    fn a_version_is_published_once_and_a_correction_names_what_it_corrects() {
        let first = catalog("2026.1", "2026-01-01");
        assert_eq!(decide(&[], &first), Ok(Publication::New { corrects: None }));
        assert_eq!(decide(std::slice::from_ref(&first), &first), Ok(Publication::Same));
        let mut changed = first.clone();
        changed.paid_suspension_days = 3;
        assert_eq!(
            decide(std::slice::from_ref(&first), &changed),
            Err(VisitationError::CatalogVersionTaken("2026.1".into()))
        );
        let correction = catalog("2026.2", "2026-06-15");
        assert_eq!(
            decide(std::slice::from_ref(&first), &correction),
            Ok(Publication::New {
                corrects: Some("2026.1".into())
            })
        );
        let same_day = catalog("2026.3", "2026-01-01");
        assert!(matches!(decide(&[first], &same_day), Err(VisitationError::CatalogClash(_))));
    }

    #[test]
    fn a_document_is_bounded_text_that_validates() {
        assert!(parse(TEXT.as_bytes()).is_ok());
        assert!(matches!(parse(&[]), Err(VisitationError::CatalogInvalid(_))));
        assert!(matches!(parse(&[0xff, 0xfe]), Err(VisitationError::CatalogInvalid(_))));
        assert!(matches!(
            parse(&vec![b'#'; MAX_DOCUMENT_BYTES + 1]),
            Err(VisitationError::CatalogInvalid(_))
        ));
        let Err(VisitationError::CatalogInvalid(words)) = parse(TEXT.replace("length_weeks = 12", "length_weeks = 0").as_bytes()) else {
            panic!("a bad key is refused");
        };
        assert!(words.contains("courses.DEVELOPING.length_weeks"), "{words}");
    }
}
