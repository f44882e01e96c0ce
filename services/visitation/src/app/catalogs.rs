//! Publishing tariff catalog versions (with their feed event, so settlement and budget price with
//! the same versions), the deployment's files published at start, and the catalog reads.

use afregning_kit::ApiError;
use afregning_kit::catalogs::{self as stored, Published};
use afregning_kit::store::{On, RequestKey};
use afregning_tariff::{Catalog, CatalogSet};
use chrono::Utc;
use prost::Message;

use super::App;
use crate::domain::FeedPayload;
use crate::domain::catalog::{CatalogPublished, Publication, decide};
use crate::domain::error::{Missing, VisitationError};
use crate::store;

/// A published version with what it corrects and the last day it prices, as of the read.
pub struct CatalogView {
    /// The version as published.
    pub published: Published,
    /// The version of the same year it corrects from its first day.
    pub corrects: Option<String>,
    /// The last day it prices.
    pub in_force_to: chrono::NaiveDate,
}

impl App {
    /// Publishes `catalog` (validated, `document` its text) once: a new version with its feed
    /// event, or the version as first published when it is the same; answered with `answer`.
    pub async fn publish_catalog<M: Message + Default>(
        &self,
        key: &RequestKey,
        catalog: Catalog,
        document: String,
        answer: impl FnOnce(&CatalogView) -> M,
    ) -> Result<M, ApiError> {
        self.files_published().await;
        self.publish_once(key, catalog, document, answer).await
    }

    /// The same service, which first publishes the deployment's catalog files at `paths` in the
    /// background; pricing and publishing wait for it, so the files are the first catalogs on the
    /// feed. A file whose version is published with other content is logged as an error.
    pub fn publishing_files_first<M: Message + Default + 'static>(
        mut self,
        paths: Vec<std::path::PathBuf>,
        answer: fn(&CatalogView) -> M,
    ) -> App {
        let (done, files_published) = tokio::sync::watch::channel(false);
        self.files_published = files_published;
        let app = self.clone();
        tokio::spawn(async move {
            if let Err(error) = app.publish_bootstrap(&paths, answer).await {
                tracing::error!(error = %format!("{error:#}"), "the deployment's tariff catalog files were not published");
            }
            let _ = done.send(true);
        });
        self
    }

    async fn publish_once<M: Message + Default>(
        &self,
        key: &RequestKey,
        catalog: Catalog,
        document: String,
        answer: impl FnOnce(&CatalogView) -> M,
    ) -> Result<M, ApiError> {
        let answered = self
            .store
            .storage
            .once(key, async |tx| {
                // Versions are decided one at a time, so two documents racing for one version
                // or one day meet here rather than at the table's key.
                store::catalogs::lock(tx).await?;
                let published = stored::stored(On::from(&mut *tx)).await?;
                let catalogs: Vec<Catalog> = published.iter().map(|p| p.catalog.clone()).collect();
                let view = match decide(&catalogs, &catalog)? {
                    Publication::Same => {
                        let first = published.into_iter().find(|p| p.catalog.version == catalog.version);
                        let first = first.ok_or(VisitationError::NotFound(Missing::Catalog))?;
                        view_of(&catalogs, first)?
                    }
                    Publication::New { corrects } => {
                        let now = store::as_stored(Utc::now());
                        let new = Published {
                            catalog: catalog.clone(),
                            document: document.clone(),
                            published_at: now,
                        };
                        stored::store(tx, &new).await?;
                        let event = CatalogPublished {
                            version: catalog.version.clone(),
                            document: document.clone(),
                            corrects: corrects.clone(),
                            published_at: now,
                        };
                        store::feed::append(tx, &FeedPayload::Catalog(event), now).await?;
                        let mut all = catalogs.clone();
                        all.push(catalog.clone());
                        view_of(&all, new)?
                    }
                };
                Ok::<M, ApiError>(answer(&view))
            })
            .await?;
        Ok(answered)
    }

    /// Publishes each of the deployment's catalog files not yet published, at start. A file whose
    /// version is published with other content stops the start: a version never changes.
    /// Each is published as its file reads (comments and all) when `paths` still hold it, else in
    /// the catalog's own TOML form.
    pub async fn publish_bootstrap<M: Message + Default>(
        &self,
        paths: &[std::path::PathBuf],
        answer: impl Fn(&CatalogView) -> M,
    ) -> anyhow::Result<()> {
        let texts: Vec<String> = paths.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect();
        let files = self.catalogs.bootstrap().clone();
        let published = stored::stored(self.store.pool()).await?;
        for catalog in files.iter() {
            match published.iter().find(|p| p.catalog.version == catalog.version) {
                // Published before (a file whose comments changed is still the same catalog).
                Some(p) if p.catalog == *catalog => continue,
                Some(_) => anyhow::bail!(
                    "tariff catalog file of version {} differs from the version published; a correction is a new version",
                    catalog.version
                ),
                None => {}
            }
            let document = texts
                .iter()
                .find(|text| Catalog::from_toml_str(text).as_ref() == Ok(catalog))
                .cloned()
                .unwrap_or_else(|| catalog.to_toml_string());
            let request = afregning_proto::visitation::v1::PublishCatalogRequest {
                request_id: format!("bootstrap-catalog-{}", catalog.version),
                document: document.clone().into_bytes(),
            };
            let key = RequestKey::new("PublishCatalog", &request.request_id, &request)?;
            let published = self.publish_once(&key, catalog.clone(), document, &answer).await;
            match published {
                Ok(_) => {}
                Err(ApiError::AlreadyExists(words)) => {
                    anyhow::bail!("tariff catalog file of version {}: {words}", catalog.version)
                }
                Err(e) => return Err(anyhow::anyhow!("publishing tariff catalog {}: {e}", catalog.version)),
            }
        }
        Ok(())
    }

    /// Every published version, by the day it takes effect.
    pub async fn published_catalogs(&self) -> Result<Vec<CatalogView>, ApiError> {
        self.files_published().await;
        let published = stored::stored(self.store.pool()).await?;
        let catalogs: Vec<Catalog> = published.iter().map(|p| p.catalog.clone()).collect();
        published.into_iter().map(|p| view_of(&catalogs, p)).collect()
    }

    /// One published version.
    pub async fn published_catalog(&self, version: &str) -> Result<CatalogView, ApiError> {
        self.published_catalogs()
            .await?
            .into_iter()
            .find(|v| v.published.catalog.version == version)
            .ok_or_else(|| VisitationError::NotFound(Missing::Catalog).into())
    }
}

/// A version among all `catalogs` published: what it corrects and the last day it prices.
fn view_of(catalogs: &[Catalog], published: Published) -> Result<CatalogView, ApiError> {
    let set = CatalogSet::new(catalogs.to_vec()).map_err(|e| ApiError::Internal(anyhow::anyhow!("published catalogs clash: {e}")))?;
    let c = &published.catalog;
    let corrects = c
        .effective
        .first()
        .pred_opt()
        .and_then(|d| set.in_force(d))
        .filter(|before| before.year == c.year)
        .map(|before| before.version.clone());
    // A version corrected from its own first day prices no day; it reads as ending the day before.
    let in_force_to = set
        .in_force_days(&c.version)
        .map_or_else(|| c.effective.first().pred_opt().unwrap_or(c.effective.first()), |days| days.last());
    Ok(CatalogView {
        published,
        corrects,
        in_force_to,
    })
}
