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
use tracing::Instrument as _;

use crate::auth::Outgoing;
use crate::error::ApiError;
use crate::store::{Storage, Tx};
use crate::{on_pool, on_tx};

/// An event of a followed feed.
pub trait FeedItem {
    /// Its gap-free sequence.
    fn sequence(&self) -> u64;
    /// The W3C `traceparent` of the write that caused it (empty if none).
    fn trace_parent(&self) -> &str;
}

impl FeedItem for afregning_proto::visitation::v1::GrantEvent {
    fn sequence(&self) -> u64 {
        self.sequence
    }
    fn trace_parent(&self) -> &str {
        &self.trace_parent
    }
}

impl FeedItem for afregning_proto::settlement::v1::Posting {
    fn sequence(&self) -> u64 {
        self.sequence
    }
    fn trace_parent(&self) -> &str {
        &self.trace_parent
    }
}

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

/// How far this service has published its own feed (`publishes`) and applied each of `follows`.
pub async fn positions(
    storage: &Storage,
    publishes: bool,
    follows: &[&str],
) -> Result<afregning_proto::common::v1::FeedPositions, ApiError> {
    let published: i64 = if publishes {
        let (last,): (i64,) =
            on_pool!(&storage.db, p => sqlx::query_as("SELECT last_sequence FROM feed_counter WHERE id = 1").fetch_one(p).await?);
        last
    } else {
        0
    };
    let mut followed = Vec::with_capacity(follows.len());
    for feed in follows {
        followed.push(afregning_proto::common::v1::FollowedFeed {
            feed: (*feed).to_owned(),
            applied_sequence: u64::try_from(cursor(storage, feed).await?).unwrap_or_default(),
        });
    }
    Ok(afregning_proto::common::v1::FeedPositions {
        published_sequence: u64::try_from(published).unwrap_or_default(),
        followed,
    })
}

/// The `GetFeedPositions` RPC every service serves: anyone authenticated may ask.
pub async fn answer_positions(
    request: &tonic::Request<afregning_proto::common::v1::GetFeedPositionsRequest>,
    storage: &Storage,
    publishes: bool,
    follows: &[&str],
) -> Result<tonic::Response<afregning_proto::common::v1::FeedPositions>, tonic::Status> {
    crate::auth::require(request, crate::auth::Role::ALL)?;
    Ok(tonic::Response::new(positions(storage, publishes, follows).await?))
}

/// Moves `feed`'s cursor from `from` to `to`; false when another follower already did.
async fn advance(tx: &mut Tx, feed: &str, from: i64, to: i64) -> Result<bool, ApiError> {
    let moved = on_tx!(tx, t => sqlx::query("UPDATE cursors SET position = $1 WHERE feed = $2 AND position = $3")
        .bind(to).bind(feed).bind(from).execute(&mut **t).await?.rows_affected());
    Ok(moved == 1)
}

/// Follows `feed` in the background until the task is aborted.
pub fn spawn<E: FeedItem + Send + Sync + 'static>(
    storage: Storage,
    feed: &'static str,
    open: Opener<E>,
    apply: Applier<E>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut backoff = Duration::from_millis(200);
        loop {
            match follow(&storage, feed, &open, apply).await {
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

async fn follow<E: FeedItem>(storage: &Storage, feed: &'static str, open: &Opener<E>, apply: Applier<E>) -> anyhow::Result<()> {
    let mut position = cursor(storage, feed).await?;
    let mut events = open(u64::try_from(position)?).await?;
    while let Some(event) = events.next().await {
        let event = event?;
        let next = i64::try_from(event.sequence())?;
        anyhow::ensure!(next == position + 1, "{feed} feed jumped from {position} to {next}");
        // Applying the event continues the trace of the call that caused it.
        let span = tracing::info_span!("apply_feed_event", feed, sequence = next);
        crate::telemetry::set_parent_from(&span, event.trace_parent());
        async {
            let mut tx = storage.begin().await?;
            anyhow::ensure!(
                advance(&mut tx, feed, position, next).await?,
                "another follower moved the {feed} cursor past {position}"
            );
            apply(&mut tx, &event).await?;
            storage.commit(tx).await?;
            anyhow::Ok(())
        }
        .instrument(span)
        .await?;
        position = next;
    }
    Ok(())
}

/// Where a follower finds the service it follows, and how it proves who it is.
#[derive(Clone, Debug)]
pub struct Upstream {
    /// `http://…`, or `https://…` with TLS.
    pub url: String,
    /// The bearer token to present, if the upstream service uses tokens.
    pub token: Option<String>,
    /// This service's certificate and the CA, for `https` upstreams.
    pub tls: Option<tonic::transport::ClientTlsConfig>,
}

impl Upstream {
    /// `url` without TLS, presenting `token`.
    pub fn new(url: impl Into<String>, token: Option<String>) -> Upstream {
        Upstream {
            url: url.into(),
            token,
            tls: None,
        }
    }

    /// `url` as `config` says to reach it: its upstream token, and its certificate and CA when
    /// TLS is configured.
    pub fn from_config(config: &crate::config::ServiceConfig, url: &str) -> anyhow::Result<Upstream> {
        Ok(Upstream {
            url: url.to_owned(),
            token: config.upstream_token.clone(),
            tls: crate::tls::Tls::from_config(config)?.map(|t| t.client()),
        })
    }

    async fn channel(&self) -> anyhow::Result<tonic::transport::Channel> {
        let mut endpoint = tonic::transport::Endpoint::from_shared(self.url.clone())?.connect_timeout(Duration::from_secs(5));
        if let Some(tls) = &self.tls {
            endpoint = endpoint.tls_config(tls.clone())?;
        }
        Ok(endpoint.connect().await?)
    }
}

/// Opens visitation's grant feed at `upstream`.
pub fn grant_feed(upstream: Upstream) -> Opener<afregning_proto::visitation::v1::GrantEvent> {
    use afregning_proto::visitation::v1 as pbv;
    Arc::new(move |after| {
        let upstream = upstream.clone();
        Box::pin(async move {
            let channel = upstream.channel().await?;
            let mut client = pbv::visitation_service_client::VisitationServiceClient::with_interceptor(
                channel,
                Outgoing::new(upstream.token.as_deref()),
            );
            let request = pbv::StreamGrantEventsRequest {
                after_sequence: after,
                follow: true,
                max_events: 0,
            };
            Ok(client.stream_grant_events(request).await?.into_inner().boxed())
        })
    })
}

/// Opens settlement's postings feed at `upstream`.
pub fn postings_feed(upstream: Upstream) -> Opener<afregning_proto::settlement::v1::Posting> {
    use afregning_proto::settlement::v1 as pbs;
    Arc::new(move |after| {
        let upstream = upstream.clone();
        Box::pin(async move {
            let channel = upstream.channel().await?;
            let mut client = pbs::settlement_service_client::SettlementServiceClient::with_interceptor(
                channel,
                Outgoing::new(upstream.token.as_deref()),
            );
            let request = pbs::StreamPostingsRequest {
                after_sequence: after,
                follow: true,
                max_events: 0,
            };
            Ok(client.stream_postings(request).await?.into_inner().boxed())
        })
    })
}
