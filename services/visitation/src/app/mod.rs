//! The use cases: each loads what it needs, asks a pure rule in [`crate::domain`], and writes
//! the outcome with its feed event and the request's idempotency record in one transaction.
//!
//! Writes take the request's key and a function that turns the outcome into the answer to
//! remember, so a retry with the same request id gets the first answer back without the use
//! case knowing the wire format. The clock is read here (`now`) or at the edge (`today`).

pub mod assessments;
pub mod catalogs;
pub mod citizens;
pub mod grants;
pub mod orders;
pub mod progression;
pub mod providers;

use std::sync::Arc;

use afregning_kit::ApiError;
use afregning_kit::catalogs::Live;
use afregning_kit::store::{RequestKey, Tx};
use afregning_tariff::CatalogSet;
use chrono::Utc;
use prost::Message;

use crate::domain::CitizenId;
use crate::domain::citizen::AuditEntry;
use crate::store::{self, On, Store};

/// The service's use cases over one store and the deployment's catalogs; cheap to clone.
#[derive(Clone)]
pub struct App {
    store: Store,
    catalogs: Live,
    /// Whether the deployment's catalog files have been published (see
    /// [`App::publishing_files_first`]): until then nothing that prices or publishes starts, so
    /// the files come first on the feed.
    files_published: tokio::sync::watch::Receiver<bool>,
    /// Hours after which an unacknowledged order is listed to the authority, by default.
    order_ack_hours: u32,
}

/// A write's transaction, or the first answer to the same request.
enum Begun<M> {
    /// Do the work in this transaction.
    Fresh(Tx),
    /// The request was answered before; this is the answer.
    Replayed(M),
}

impl App {
    /// The use cases over `store`, pricing with the published catalogs and, until they are
    /// published, the deployment's files `bootstrap`; orders unacknowledged after
    /// `order_ack_hours` are the authority's to chase.
    pub fn new(store: Store, bootstrap: CatalogSet, order_ack_hours: u32) -> App {
        App {
            store,
            catalogs: Live::new(bootstrap),
            files_published: tokio::sync::watch::channel(true).1,
            order_ack_hours,
        }
    }

    /// The catalogs every rule prices with, as published now (read on the pool: call it before a
    /// write opens its transaction).
    pub async fn catalogs(&self) -> Result<Arc<CatalogSet>, ApiError> {
        self.files_published().await;
        self.catalogs.current(&self.store.storage).await
    }

    /// Waits until the deployment's catalog files are published (or failed to be).
    async fn files_published(&self) {
        let mut published = self.files_published.clone();
        // An error means the publishing task ended without saying so: go on without waiting.
        let _ = published.wait_for(|done| *done).await;
    }

    /// The storage underneath, for the feed stream and feed positions.
    pub fn storage(&self) -> &afregning_kit::store::Storage {
        &self.store.storage
    }

    /// Starts a write, unless `key` was answered before.
    async fn begin<M: Message + Default>(&self, key: &RequestKey) -> Result<Begun<M>, ApiError> {
        let mut tx = self.store.begin().await?;
        Ok(match tx.replay(key).await? {
            Some(answer) => Begun::Replayed(answer),
            None => Begun::Fresh(tx),
        })
    }

    /// Writes a read of `citizen_id`'s personal data to their audit log: on the pool after a
    /// plain read, or inside the write it is part of.
    async fn audit(&self, on: On<'_>, citizen_id: &CitizenId, principal: &str, action: &str, purpose: &str) -> Result<(), ApiError> {
        let entry = AuditEntry {
            at: Utc::now(),
            principal: principal.to_owned(),
            action: action.to_owned(),
            purpose: purpose.to_owned(),
        };
        store::audit::record(on, citizen_id, &entry).await
    }
}
