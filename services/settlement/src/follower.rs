//! Follows visitation's grant feed into settlement's mirror of grant versions, providers, the
//! citizens' CPR numbers and the published tariff catalog versions, with the kit's follower (cursor kept in the same transaction).

use afregning_kit::ApiError;
use afregning_kit::follow::Upstream;
use afregning_kit::store::Tx;
use afregning_proto::visitation::v1 as pbv;
use futures::future::BoxFuture;
use tokio::task::JoinHandle;

use crate::store::mirror::grant_version;
use crate::store::{MirrorTx, Store, VISITATION_FEED};

/// Starts following visitation at `upstream` in the background until the task is aborted.
pub fn spawn(store: Store, upstream: Upstream) -> JoinHandle<()> {
    let open = afregning_kit::follow::grant_feed(upstream);
    afregning_kit::follow::spawn(store.storage, VISITATION_FEED, open, apply)
}

/// Mirrors one grant event.
fn apply<'a>(tx: &'a mut Tx, event: &'a pbv::GrantEvent) -> BoxFuture<'a, Result<(), ApiError>> {
    Box::pin(async move {
        if let Some(catalog) = &event.catalog {
            afregning_kit::catalogs::store(tx, &afregning_kit::catalogs::from_event(catalog)?).await?;
        }
        if let Some(provider) = &event.provider {
            tx.upsert_provider(provider).await?;
        }
        if let Some(grant) = &event.grant {
            tx.insert_grant_version(&grant_version(grant)).await?;
            if !event.citizen_cpr.is_empty() {
                tx.upsert_citizen(&grant.citizen_id, &event.citizen_cpr).await?;
            }
        }
        Ok(())
    })
}
