//! Registering providers (published on the feed, so settlement knows them) and reading them.

use afregning_kit::ApiError;
use afregning_kit::store::RequestKey;
use chrono::Utc;
use prost::Message;

use super::{App, Begun};
use crate::domain::error::{Missing, VisitationError};
use crate::domain::{FeedPayload, Provider, ProviderId};
use crate::store;

/// A provider as the authority registers it, checked for form.
pub struct NewProvider {
    /// Company number.
    pub cvr: afregning_tariff::Cvr,
    /// Shown on statements.
    pub name: String,
    /// Municipal or private.
    pub kind: crate::domain::ProviderKind,
    /// The provider's committee.
    pub committee: String,
    /// Unit codes, each known to a catalog.
    pub approved_for: Vec<String>,
    /// The id the authority chose; `None`: a new one is drawn.
    pub provider_id: Option<ProviderId>,
}

impl App {
    /// Registers a provider and publishes it.
    pub async fn register_provider<M: Message + Default>(
        &self,
        key: &RequestKey,
        new: NewProvider,
        answer: impl FnOnce(&Provider) -> M,
    ) -> Result<M, ApiError> {
        let mut tx = match self.begin(key).await? {
            Begun::Fresh(tx) => tx,
            Begun::Replayed(first) => return Ok(first),
        };
        let provider = Provider {
            provider_id: new.provider_id.unwrap_or_else(ProviderId::fresh),
            cvr: new.cvr,
            name: new.name,
            kind: new.kind,
            committee: new.committee,
            approved_for: new.approved_for,
        };
        let now = Utc::now();
        if !store::providers::insert(&mut tx, &provider, now).await? {
            return Err(VisitationError::ProviderIdTaken.into());
        }
        let answer = answer(&provider);
        store::feed::append(&mut tx, &FeedPayload::Provider(provider), now).await?;
        self.store.finish(tx, key, answer).await
    }

    /// A provider by id.
    pub async fn provider(&self, provider_id: &ProviderId) -> Result<Provider, ApiError> {
        store::providers::get(self.store.pool(), provider_id)
            .await?
            .ok_or(VisitationError::NotFound(Missing::Provider).into())
    }

    /// Providers by id, a page at a time.
    pub async fn providers(&self, offset: i64, limit: i64) -> Result<Vec<Provider>, ApiError> {
        store::providers::page(self.store.pool(), offset, limit).await
    }
}
