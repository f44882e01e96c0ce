//! The use cases: each loads what it needs, applies a pure rule from [`crate::domain`], and
//! writes, in one transaction. A client write runs at most once per request id (`Budget::once`):
//! its answer is stored with its effects, and a retry gets the first answer.
//!
//! The answer of a write is the wire message the client sees, so each write takes a small
//! function from its domain result to that message: the use case stays free of the wire and
//! still stores exactly what it answers.
//!
//! * [`frames`] — committees and frames.
//! * [`actuals`] — the ERP's actuals into the ledger, record by record.
//! * [`follow_up`] — status and curves, expected accounts, deviation explanations, month close.
//! * [`reallocation`] — proposing, deciding and executing net-zero reallocation cases.
//! * [`export`] — postings for the ERP, and reconciliation against its totals.
//! * [`follower`] — settlement's postings and visitation's grants, followed in the background.

pub mod actuals;
pub mod export;
pub mod follow_up;
pub mod follower;
pub mod frames;
pub mod reallocation;

use std::sync::Arc;

use afregning_kit::ApiError;
use afregning_kit::auth::Principal;
use afregning_kit::store::{RequestKey, Tx};
use afregning_tariff::{CatalogSet, Ore};
use prost::Message;

use crate::domain::{BudgetError, Frame};
use crate::store::Store;

/// The service's use cases over its store, cheap to clone.
#[derive(Clone)]
pub struct Budget {
    /// Where everything is kept.
    pub(crate) store: Store,
    /// An expected overrun beyond this must be explained before the month closes.
    overrun_threshold: Ore,
    /// Commitments are priced by the same catalogs as the statements they forecast.
    catalogs: Arc<CatalogSet>,
    /// The catalog versions published on the grant feed, with the configured files beside them.
    live: afregning_kit::catalogs::Live,
}

impl Budget {
    /// The use cases over `store`, with the overrun threshold and the catalogs from configuration.
    pub fn new(store: Store, overrun_threshold: Ore, catalogs: Arc<CatalogSet>) -> Budget {
        Budget {
            store,
            overrun_threshold,
            live: afregning_kit::catalogs::Live::new(CatalogSet::clone(&catalogs)),
            catalogs,
        }
    }

    /// The use cases pricing with the catalog versions published so far (read before any write
    /// opens its transaction), so commitments forecast with the versions statements are priced by.
    pub async fn priced_now(&self) -> Result<Budget, ApiError> {
        let mut now = self.clone();
        now.catalogs = self.live.current(&self.store.storage).await?;
        Ok(now)
    }

    /// Runs a client write once: a retry of `key` gets the stored answer; otherwise `write` runs
    /// in a fresh transaction and its answer is stored with its effects. An error rolls back.
    async fn once<M, W>(&self, key: &RequestKey, write: W) -> Result<M, ApiError>
    where
        M: Message + Default,
        W: AsyncFnOnce(&mut Tx) -> Result<M, ApiError>,
    {
        self.store.storage.once(key, write).await
    }
}

/// Writes about a frame belong to its committee (or finance, an operator, a local caller).
fn own_frame(principal: &Principal, frame: &Frame) -> Result<(), BudgetError> {
    match principal {
        Principal::Committee(own) if frame.committee != *own.as_str() => Err(BudgetError::NotYours),
        _ => Ok(()),
    }
}
