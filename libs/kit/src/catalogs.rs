//! The tariff catalogs a service prices with. The deployment's files (one per budget year) are
//! read at start into a validated set — a bad catalog stops the service with the file and key
//! named, rather than mispricing later — and are the bootstrap: visitation publishes them unless
//! already published. Every version published through visitation's API is kept in each
//! service's `catalogs` table (visitation's own, settlement's and budget's from the grant feed),
//! and [`Live`] prices with the published versions plus any file whose version is not published.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use afregning_tariff::{Catalog, CatalogSet};
use anyhow::Context as _;
use chrono::{DateTime, Utc};

use crate::error::ApiError;
use crate::store::{On, Storage, Tx, stored_instant, timestamp};
use crate::{on_conn, on_pool};

/// A catalog version as published and stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    /// The validated catalog.
    pub catalog: Catalog,
    /// The document as it was published.
    pub document: String,
    /// When it was published.
    pub published_at: DateTime<Utc>,
}

/// Every stored catalog version, by the day it takes effect.
pub async fn stored(on: On<'_>) -> Result<Vec<Published>, ApiError> {
    let rows: Vec<(String, String, String)> = on_conn!(on, e => sqlx::query_as(
        "SELECT version, document, published_at FROM catalogs ORDER BY effective_from, version")
        .fetch_all(e).await?);
    rows.into_iter()
        .map(|(version, document, published_at)| {
            let catalog = Catalog::from_toml_str(&document)
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored catalog {version} does not read back: {e}")))?;
            Ok(Published {
                catalog,
                document,
                published_at: stored_instant(&published_at)?,
            })
        })
        .collect()
}

/// The stored version `version`, if any.
pub async fn stored_version(on: On<'_>, version: &str) -> Result<Option<Published>, ApiError> {
    Ok(stored(on).await?.into_iter().find(|p| p.catalog.version == version))
}

/// Stores a published version, unless that version is stored already (a feed event applied
/// again). Returns whether it was new.
pub async fn store(tx: &mut Tx, published: &Published) -> Result<bool, ApiError> {
    let c = &published.catalog;
    let effective_from = c.effective.first().to_string();
    let at = timestamp(published.published_at);
    let inserted = crate::on_tx!(tx, t => sqlx::query(
        "INSERT INTO catalogs (version, year, effective_from, document, published_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (version) DO NOTHING")
        .bind(&c.version).bind(c.year).bind(&effective_from).bind(&published.document).bind(&at)
        .execute(&mut **t).await?.rows_affected());
    Ok(inserted == 1)
}

/// A catalog version as the grant feed carries it, validated again before it is kept.
pub fn from_event(event: &afregning_proto::visitation::v1::PublishedCatalog) -> Result<Published, ApiError> {
    let document = String::from_utf8(event.document.clone())
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("catalog {} on the feed is not UTF-8", event.version)))?;
    let catalog = Catalog::from_toml_str(&document)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("catalog {} on the feed does not validate: {e}", event.version)))?;
    let published_at = event
        .published_at
        .as_ref()
        .and_then(afregning_proto::convert::instant)
        .unwrap_or_default();
    Ok(Published {
        catalog,
        document,
        published_at,
    })
}

/// The catalogs a service prices with, reloaded from its `catalogs` table when that has grown;
/// cheap to clone (every clone shares the same set).
#[derive(Clone)]
pub struct Live {
    bootstrap: Arc<CatalogSet>,
    /// How many stored versions the set was built from, and the set.
    state: Arc<Mutex<(i64, Arc<CatalogSet>)>>,
}

impl Live {
    /// Prices with `bootstrap` (the deployment's files) until versions are published.
    pub fn new(bootstrap: CatalogSet) -> Live {
        let bootstrap = Arc::new(bootstrap);
        Live {
            state: Arc::new(Mutex::new((0, bootstrap.clone()))),
            bootstrap,
        }
    }

    /// The deployment's files.
    pub fn bootstrap(&self) -> &CatalogSet {
        &self.bootstrap
    }

    /// The set as last loaded, without reading the database.
    pub fn snapshot(&self) -> Arc<CatalogSet> {
        self.state.lock().map(|s| s.1.clone()).unwrap_or_else(|p| p.into_inner().1.clone())
    }

    /// The set as stored now: one small query, and a reload only when a version was added.
    pub async fn current(&self, storage: &Storage) -> Result<Arc<CatalogSet>, ApiError> {
        let (count,): (i64,) = on_pool!(&storage.db, p => sqlx::query_as("SELECT COUNT(*) FROM catalogs").fetch_one(p).await?);
        if let Ok(state) = self.state.lock()
            && state.0 == count
        {
            return Ok(state.1.clone());
        }
        let published = stored(On::Pool(&storage.db)).await?;
        let set = Arc::new(merged(&published, &self.bootstrap)?);
        if let Ok(mut state) = self.state.lock() {
            *state = (i64::try_from(published.len()).unwrap_or(i64::MAX), set.clone());
        }
        Ok(set)
    }
}

/// The published versions, plus every file whose version is not published and that fits beside
/// them (a file that clashes with a published version gives way to it).
fn merged(published: &[Published], bootstrap: &CatalogSet) -> Result<CatalogSet, ApiError> {
    let mut set = CatalogSet::new(published.iter().map(|p| p.catalog.clone()).collect())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored catalogs do not form a set: {e}")))?;
    for file in bootstrap.iter() {
        if set.by_version(&file.version).is_none()
            && let Ok(with) = set.with(file.clone())
        {
            set = with;
        }
    }
    Ok(set)
}

/// Reads and validates every file in `paths`.
pub fn load(paths: &[PathBuf]) -> anyhow::Result<CatalogSet> {
    anyhow::ensure!(!paths.is_empty(), "no tariff catalog configured (set `catalogs`)");
    let catalogs = paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading tariff catalog {}", path.display()))?;
            Catalog::from_toml_str(&text).with_context(|| format!("tariff catalog {}", path.display()))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(CatalogSet::new(catalogs)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_file_and_key_of_a_bad_catalog() {
        let dir = tempfile::tempdir().unwrap();
        let good = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy/catalog-2026.toml"));
        assert_eq!(load(std::slice::from_ref(&good)).unwrap().iter().count(), 1);
        let bad = dir.path().join("catalog-bad.toml");
        std::fs::write(
            &bad,
            std::fs::read_to_string(&good)
                .unwrap()
                .replace("length_weeks = 12", "length_weeks = 0"),
        )
        .unwrap();
        let message = format!("{:#}", load(&[bad]).unwrap_err());
        assert!(
            message.contains("catalog-bad.toml") && message.contains("courses.DEVELOPING.length_weeks"),
            "{message}"
        );
        assert!(load(&[]).is_err());
    }
}
