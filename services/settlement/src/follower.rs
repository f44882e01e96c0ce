//! Follows visitation's grant feed into settlement's mirror of grant versions and providers.
//!
//! Each event is applied in one transaction together with the cursor, which moves only from the
//! position the follower read: after a crash or restart of either side, the follower resumes
//! after the last applied sequence, so nothing is lost and nothing applied twice. A sequence that
//! is not the next one stops the stream and reconnects rather than leave a hole.

use std::time::Duration;

use afregning_kit::auth::Outgoing;
use afregning_proto::visitation::v1 as pbv;
use afregning_proto::visitation::v1::visitation_service_client::VisitationServiceClient;
use tokio::task::JoinHandle;
use tonic::transport::Endpoint;

use crate::store::{SettlementTx, Store, VISITATION_FEED};

/// Longest pause between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// Starts following `url` in the background until the task is aborted.
pub fn spawn(store: Store, url: String, token: Option<String>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut backoff = Duration::from_millis(200);
        loop {
            match follow(&store, &url, token.as_deref()).await {
                Ok(()) => backoff = Duration::from_millis(200),
                Err(error) => {
                    tracing::warn!(
                        error = format!("{error:#}"),
                        feed = VISITATION_FEED,
                        "grant feed interrupted; reconnecting"
                    );
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
            tokio::time::sleep(backoff).await;
        }
    })
}

/// Follows the feed until the stream ends or fails.
async fn follow(store: &Store, url: &str, token: Option<&str>) -> anyhow::Result<()> {
    let channel = Endpoint::from_shared(url.to_owned())?
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await?;
    let mut client = VisitationServiceClient::with_interceptor(channel, Outgoing::new(token));
    let mut cursor = store.cursor(VISITATION_FEED).await?;
    let request = pbv::StreamGrantEventsRequest {
        after_sequence: u64::try_from(cursor)?,
        follow: true,
        max_events: 0,
    };
    let mut events = client.stream_grant_events(request).await?.into_inner();
    while let Some(event) = events.message().await? {
        let sequence = i64::try_from(event.sequence)?;
        anyhow::ensure!(sequence == cursor + 1, "grant feed jumped from {cursor} to {sequence}");
        apply(store, cursor, &event).await?;
        cursor = sequence;
    }
    Ok(())
}

/// Applies one event and moves the cursor past it, in one transaction.
async fn apply(store: &Store, from: i64, event: &pbv::GrantEvent) -> anyhow::Result<()> {
    let mut tx = store.storage.begin().await?;
    let to = i64::try_from(event.sequence)?;
    anyhow::ensure!(
        tx.advance_cursor(VISITATION_FEED, from, to).await?,
        "another follower moved the cursor past {from}"
    );
    if let Some(provider) = &event.provider {
        tx.upsert_provider(provider).await?;
    }
    if let Some(grant) = &event.grant {
        tx.insert_grant_version(grant).await?;
        if !event.citizen_cpr.is_empty() {
            tx.upsert_citizen(&grant.citizen_id, &event.citizen_cpr).await?;
        }
    }
    store.storage.commit(tx).await?;
    Ok(())
}
