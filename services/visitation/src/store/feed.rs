//! The grant feed as stored: each event's kind is kept as the number the contract gives it.

use afregning_kit::ApiError;
use afregning_kit::store::{FeedEvent, Tx};
use chrono::{DateTime, Utc};

use crate::domain::{Change, EventKind, FeedPayload};

/// A stored grant feed event.
pub type EventRow = FeedEvent<FeedPayload>;

/// The stored (and wire) number of an event kind.
pub fn kind_code(kind: EventKind) -> i64 {
    match kind {
        EventKind::Grant(Change::Decided) => 1,
        EventKind::Grant(Change::Revisited) => 2,
        EventKind::Grant(Change::ProviderChanged) => 3,
        EventKind::Grant(Change::Suspended) => 4,
        EventKind::Grant(Change::Resumed) => 5,
        EventKind::Grant(Change::Ended) => 6,
        EventKind::ProviderRegistered => 7,
        EventKind::CatalogPublished => 8,
    }
}

/// Appends `payload` to the feed; call it last before commit (it locks the feed counter).
pub async fn append(tx: &mut Tx, payload: &FeedPayload, at: DateTime<Utc>) -> Result<(), ApiError> {
    tx.append_event(kind_code(payload.kind()), payload, at).await.map(drop)
}
