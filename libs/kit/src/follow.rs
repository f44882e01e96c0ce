//! Following another service's feed: read it from a stored cursor and apply each event in one
//! transaction together with the cursor, which moves only from the position this follower read.
//! After a crash or restart of either side the follower resumes after the last applied sequence:
//! nothing lost, nothing applied twice. A sequence that is not the next one ends the stream and
//! reconnects rather than leave a hole. Each service keeps a `cursors(feed, position)` table.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::{BoxStream, StreamExt};
use tokio::task::JoinHandle;

use crate::auth::Outgoing;
use crate::error::ApiError;
use crate::store::{Storage, Tx};
use crate::{on_pool, on_tx};

/// Opens the feed after a sequence, following it.
pub type Opener<E> = Arc<dyn Fn(u64) -> BoxFuture<'static, anyhow::Result<BoxStream<'static, Result<E, tonic::Status>>>> + Send + Sync>;

/// Applies one event inside the transaction that moves the cursor past it.
pub type Applier<E> = for<'a> fn(&'a mut Tx, &'a E) -> BoxFuture<'a, Result<(), ApiError>>;

/// Longest pause between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// How far `feed` has been applied.
pub async fn cursor(storage: &Storage, feed: &str) -> Result<i64, ApiError> {
    let (position,): (i64,) =
        on_pool!(&storage.db, p => sqlx::query_as("SELECT position FROM cursors WHERE feed = $1").bind(feed).fetch_one(p).await?);
    Ok(position)
}

/// Moves `feed`'s cursor from `from` to `to`; false when another follower already did.
async fn advance(tx: &mut Tx, feed: &str, from: i64, to: i64) -> Result<bool, ApiError> {
    let moved = on_tx!(tx, t => sqlx::query("UPDATE cursors SET position = $1 WHERE feed = $2 AND position = $3")
        .bind(to).bind(feed).bind(from).execute(&mut **t).await?.rows_affected());
    Ok(moved == 1)
}

/// Follows `feed` in the background until the task is aborted.
pub fn spawn<E: Send + 'static>(
    storage: Storage,
    feed: &'static str,
    sequence: fn(&E) -> u64,
    open: Opener<E>,
    apply: Applier<E>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut backoff = Duration::from_millis(200);
        loop {
            match follow(&storage, feed, sequence, &open, apply).await {
                Ok(()) => backoff = Duration::from_millis(200),
                Err(error) => {
                    tracing::warn!(error = format!("{error:#}"), feed, "feed interrupted; reconnecting");
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
            tokio::time::sleep(backoff).await;
        }
    })
}

async fn follow<E>(
    storage: &Storage,
    feed: &'static str,
    sequence: fn(&E) -> u64,
    open: &Opener<E>,
    apply: Applier<E>,
) -> anyhow::Result<()> {
    let mut position = cursor(storage, feed).await?;
    let mut events = open(u64::try_from(position)?).await?;
    while let Some(event) = events.next().await {
        let event = event?;
        let next = i64::try_from(sequence(&event))?;
        anyhow::ensure!(next == position + 1, "{feed} feed jumped from {position} to {next}");
        let mut tx = storage.begin().await?;
        anyhow::ensure!(
            advance(&mut tx, feed, position, next).await?,
            "another follower moved the {feed} cursor past {position}"
        );
        apply(&mut tx, &event).await?;
        storage.commit(tx).await?;
        position = next;
    }
    Ok(())
}

/// Opens visitation's grant feed at `url`, presenting `token`.
pub fn grant_feed(url: String, token: Option<String>) -> Opener<afregning_proto::visitation::v1::GrantEvent> {
    use afregning_proto::visitation::v1 as pbv;
    Arc::new(move |after| {
        let (url, token) = (url.clone(), token.clone());
        Box::pin(async move {
            let channel = tonic::transport::Endpoint::from_shared(url)?
                .connect_timeout(Duration::from_secs(5))
                .connect()
                .await?;
            let mut client =
                pbv::visitation_service_client::VisitationServiceClient::with_interceptor(channel, Outgoing::new(token.as_deref()));
            let request = pbv::StreamGrantEventsRequest {
                after_sequence: after,
                follow: true,
                max_events: 0,
            };
            Ok(client.stream_grant_events(request).await?.into_inner().boxed())
        })
    })
}

/// Opens settlement's postings feed at `url`, presenting `token`.
pub fn postings_feed(url: String, token: Option<String>) -> Opener<afregning_proto::settlement::v1::Posting> {
    use afregning_proto::settlement::v1 as pbs;
    Arc::new(move |after| {
        let (url, token) = (url.clone(), token.clone());
        Box::pin(async move {
            let channel = tonic::transport::Endpoint::from_shared(url)?
                .connect_timeout(Duration::from_secs(5))
                .connect()
                .await?;
            let mut client =
                pbs::settlement_service_client::SettlementServiceClient::with_interceptor(channel, Outgoing::new(token.as_deref()));
            let request = pbs::StreamPostingsRequest {
                after_sequence: after,
                follow: true,
                max_events: 0,
            };
            Ok(client.stream_postings(request).await?.into_inner().boxed())
        })
    })
}
