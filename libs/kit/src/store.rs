//! What every service's storage shares: one write transaction type for both backends, the
//! idempotency record of client writes, and an ordered feed of committed events.
//!
//! SQL in Afregning is portable (`$n` parameters, text dates and instants), so a query is written
//! once and run on either backend through [`on_pool!`](crate::on_pool) and
//! [`on_tx!`](crate::on_tx). Writes run in one transaction each: SQLite's starts `IMMEDIATE` (it
//! takes the write lock up front, so concurrent writers queue instead of failing); PostgreSQL's
//! takes an advisory lock on the request id, so two retries of one request never both do the work.
//!
//! The feed (`feed_counter`, `feed_events` in each service's schema) takes its sequence from a
//! counter row with `UPDATE … RETURNING` as the last step of a write: the row stays locked until
//! commit, so sequences are gap-free and in commit order, and a follower that resumes after the
//! last sequence it saw never skips an event.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use prost::Message;
use sha2::{Digest, Sha256};
use tokio::sync::{Notify, oneshot};

use crate::db::Database;
use crate::error::ApiError;

/// Runs `$body` with `$p` bound to the pool of either backend.
#[macro_export]
macro_rules! on_pool {
    ($db:expr, $p:ident => $body:expr) => {
        match $db {
            $crate::db::Database::Sqlite($p) => $body,
            $crate::db::Database::Postgres($p) => $body,
        }
    };
}

/// Runs `$body` with `$t` bound to the transaction of either backend.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $t:ident => $body:expr) => {
        match $tx {
            $crate::store::Tx::Sqlite($t) => $body,
            $crate::store::Tx::Postgres($t) => $body,
        }
    };
}

/// An open write transaction.
pub enum Tx {
    /// SQLite.
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    /// PostgreSQL.
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Where a read runs: on the pool, or inside an open write transaction (so a write's answer sees
/// its own effects and holds its locks). A read takes an `On`, so its SQL is written once for
/// both; [`on_conn!`](crate::on_conn) binds the executor.
pub enum On<'a> {
    /// A connection from the pool, outside any transaction.
    Pool(&'a Database),
    /// An open write transaction.
    Tx(&'a mut Tx),
}

impl On<'_> {
    /// The same place for one more query.
    pub fn reborrow(&mut self) -> On<'_> {
        match self {
            On::Pool(db) => On::Pool(db),
            On::Tx(tx) => On::Tx(tx),
        }
    }
}

impl<'a> From<&'a mut Tx> for On<'a> {
    fn from(tx: &'a mut Tx) -> On<'a> {
        On::Tx(tx)
    }
}

impl<'a> From<&'a Database> for On<'a> {
    fn from(db: &'a Database) -> On<'a> {
        On::Pool(db)
    }
}

/// Runs `$body` with `$e` bound to an executor of whichever backend and place `$on` holds.
#[macro_export]
macro_rules! on_conn {
    ($on:expr, $e:ident => $body:expr) => {
        match $on {
            $crate::store::On::Pool($crate::db::Database::Sqlite($e)) => $body,
            $crate::store::On::Pool($crate::db::Database::Postgres($e)) => $body,
            $crate::store::On::Tx($crate::store::Tx::Sqlite(t)) => {
                let $e = &mut **t;
                $body
            }
            $crate::store::On::Tx($crate::store::Tx::Postgres(t)) => {
                let $e = &mut **t;
                $body
            }
        }
    };
}

/// Identifies one client write for idempotency.
pub struct RequestKey {
    /// Chosen by the client and sent again on a retry, so the retry gets the first answer.
    pub request_id: String,
    /// The RPC: one request id may be used once per RPC, so ids of different calls never clash.
    pub method: &'static str,
    /// SHA-256 of the RPC name and the encoded request.
    pub content_hash: Vec<u8>,
}

impl RequestKey {
    /// Checks the request id and hashes the whole request.
    pub fn new<M: Message>(method: &'static str, request_id: &str, message: &M) -> Result<RequestKey, ApiError> {
        let mut hasher = RequestKey::check(request_id)?;
        hasher.update(method.as_bytes());
        hasher.update(message.encode_to_vec());
        Ok(RequestKey {
            request_id: request_id.to_owned(),
            method,
            content_hash: hasher.finalize().to_vec(),
        })
    }

    /// The key of a client stream: the same id check, and a hash fed with every message in turn
    /// (finish it with [`RequestKey::of_stream`]).
    pub fn stream_hasher(method: &'static str, request_id: &str) -> Result<Sha256, ApiError> {
        let mut hasher = RequestKey::check(request_id)?;
        hasher.update(method.as_bytes());
        Ok(hasher)
    }

    /// The key of a whole client stream once its last message has been hashed.
    pub fn of_stream(method: &'static str, request_id: &str, hasher: Sha256) -> RequestKey {
        RequestKey {
            request_id: request_id.to_owned(),
            method,
            content_hash: hasher.finalize().to_vec(),
        }
    }

    fn check(request_id: &str) -> Result<Sha256, ApiError> {
        let ok = (1..=64).contains(&request_id.len()) && request_id.chars().all(|c| c.is_ascii_alphanumeric() || "._:-".contains(c));
        if !ok {
            return Err(ApiError::invalid(
                "request_id",
                "required: 1–64 characters from A–Z, a–z, 0–9 and . _ : -",
            ));
        }
        Ok(Sha256::new())
    }
}

/// A stored feed event.
#[derive(Debug, Clone)]
pub struct FeedEvent<P> {
    /// Gap-free sequence.
    pub sequence: i64,
    /// The event kind's proto number.
    pub kind: i64,
    /// What happened.
    pub payload: P,
    /// RFC 3339.
    pub committed_at: String,
    /// W3C `traceparent` of the write that appended it; empty when it was not traced.
    pub trace_parent: String,
}

/// A service's database with its feed.
#[derive(Clone, Debug)]
pub struct Storage {
    /// The pool.
    pub db: Database,
    /// Woken after each commit, so following streams need not poll hard.
    feed_written: Arc<Notify>,
    /// Dropped with the last clone of the storage, which ends its feed listener (PostgreSQL).
    _listening: Option<Arc<oneshot::Sender<()>>>,
}

/// An instant as stored (RFC 3339 text, see [`timestamp`]); a row holding anything else is
/// corrupt (INTERNAL, never shown to the client).
pub fn stored_instant(text: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored instant {text:?} does not read back: {e}")))
}

/// A date as stored (ISO `YYYY-MM-DD` text); a row holding anything else is corrupt.
pub fn stored_date(text: &str) -> Result<chrono::NaiveDate, ApiError> {
    text.parse()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored date {text:?} does not read back: {e}")))
}

/// Serialises a stored value as JSON text.
pub fn json<T: serde::Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|e| ApiError::Internal(e.into()))
}

/// Reads a stored JSON value.
pub fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError::Internal(e.into()))
}

/// RFC 3339 with microseconds: sortable as text, the same on both backends.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Decodes a stored response.
pub fn decode<M: Message + Default>(bytes: &[u8]) -> Result<M, ApiError> {
    M::decode(bytes).map_err(|e| ApiError::Internal(e.into()))
}

impl Storage {
    /// Storage over `db`. On PostgreSQL it also listens for other replicas' feed commits, so an
    /// idle following stream waits on a notification instead of polling. The listener has a
    /// connection of its own, outside the pool requests draw on, and closes it when the last
    /// clone of the storage is dropped.
    pub fn new(db: Database) -> Storage {
        let feed_written = Arc::new(Notify::new());
        let mut listening = None;
        if let (Database::Postgres(pool), Ok(runtime)) = (&db, tokio::runtime::Handle::try_current()) {
            let (stop, stopped) = oneshot::channel();
            runtime.spawn(listen_for_feed(pool.clone(), Arc::downgrade(&feed_written), stopped));
            listening = Some(Arc::new(stop));
        }
        Storage {
            db,
            feed_written,
            _listening: listening,
        }
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx, ApiError> {
        Ok(match &self.db {
            Database::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Database::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Commits `tx` and wakes feed followers.
    pub async fn commit(&self, tx: Tx) -> Result<(), ApiError> {
        on_tx!(tx, t => t.commit().await?);
        self.feed_written.notify_waiters();
        Ok(())
    }

    /// Finishes a client write: stores its answer under the request key in the same
    /// transaction as its effects, commits, and hands the answer back.
    pub async fn finish<M: Message>(&self, mut tx: Tx, key: &RequestKey, answer: M) -> Result<M, ApiError> {
        tx.remember(key, &answer).await?;
        self.commit(tx).await?;
        Ok(answer)
    }

    /// The stored answer of an earlier identical request, for a write that spans several
    /// transactions (checked first, then [`Storage::remember_after`] stores the answer).
    pub async fn answered<M: Message + Default>(&self, key: &RequestKey) -> Result<Option<M>, ApiError> {
        let mut tx = self.begin().await?;
        tx.replay(key).await
    }

    /// A client write done once: in one transaction, the stored answer of an earlier identical
    /// request is returned as it is; otherwise `write` runs, and its answer is stored with its
    /// effects and committed. Every write RPC that is one transaction goes through here.
    pub async fn once<M, E, W>(&self, key: &RequestKey, write: W) -> Result<M, E>
    where
        M: Message + Default,
        E: From<ApiError>,
        W: AsyncFnOnce(&mut Tx) -> Result<M, E>,
    {
        let mut tx = self.begin().await?;
        if let Some(answer) = tx.replay(key).await? {
            return Ok(answer);
        }
        let answer = write(&mut tx).await?;
        Ok(self.finish(tx, key, answer).await?)
    }

    /// Stores the answer to a write whose effects committed earlier in several transactions (a
    /// stream of deliveries), unless a concurrent identical call stored one first; either way
    /// the stored answer, so every identical call answers the same.
    pub async fn remember_after<M: Message + Default>(&self, key: &RequestKey, answer: M) -> Result<M, ApiError> {
        let mut tx = self.begin().await?;
        if let Some(first) = tx.replay::<M>(key).await? {
            return Ok(first);
        }
        tx.remember(key, &answer).await?;
        self.commit(tx).await?;
        Ok(answer)
    }

    /// The stored answer to `key`, read outside any transaction: a retry that waited for the
    /// first call's long work (a settlement run) picks up its answer. The same id with other
    /// content is ALREADY_EXISTS.
    pub async fn stored_answer<M: Message + Default>(&self, key: &RequestKey) -> Result<Option<M>, ApiError> {
        let row: Option<(String, Vec<u8>, Vec<u8>)> = on_pool!(&self.db, p => sqlx::query_as("SELECT method, content_hash, response FROM request_log WHERE request_id = $1")
            .bind(&key.request_id).fetch_optional(p).await?);
        answer_of(key, row)
    }

    /// Whether `request_id` already has a stored answer: a client stream learns it from its
    /// first message, before its content is known, and then only checks the rest.
    pub async fn is_answered(&self, request_id: &str) -> Result<bool, ApiError> {
        let row: Option<(String,)> = on_pool!(&self.db, p => sqlx::query_as("SELECT request_id FROM request_log WHERE request_id = $1")
            .bind(request_id).fetch_optional(p).await?);
        Ok(row.is_some())
    }

    /// Feed events after `sequence`, oldest first.
    pub async fn events_after<P: serde::de::DeserializeOwned>(&self, sequence: i64, limit: i64) -> Result<Vec<FeedEvent<P>>, ApiError> {
        let rows: Vec<(i64, i64, String, String, String)> = on_pool!(&self.db, p => sqlx::query_as(
            "SELECT sequence, kind, payload, committed_at, trace_parent FROM feed_events WHERE sequence > $1 ORDER BY sequence LIMIT $2")
            .bind(sequence).bind(limit).fetch_all(p).await?);
        rows.into_iter()
            .map(|(sequence, kind, payload, committed_at, trace_parent)| {
                Ok(FeedEvent {
                    sequence,
                    kind,
                    payload: from_json(&payload)?,
                    committed_at,
                    trace_parent,
                })
            })
            .collect()
    }
}

/// A stored (method, content hash, response) as the answer to `key`.
fn answer_of<M: Message + Default>(key: &RequestKey, row: Option<(String, Vec<u8>, Vec<u8>)>) -> Result<Option<M>, ApiError> {
    match row {
        None => Ok(None),
        Some((method, hash, response)) if method == key.method && hash == key.content_hash => decode(&response).map(Some),
        Some(_) => Err(ApiError::AlreadyExists(
            "request_id was already used for a different request".into(),
        )),
    }
}

impl Tx {
    /// The stored answer to an earlier call with the same request id, if any. The same id with
    /// other content is ALREADY_EXISTS.
    pub async fn replay<M: Message + Default>(&mut self, key: &RequestKey) -> Result<Option<M>, ApiError> {
        if let Tx::Postgres(t) = self {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(&key.request_id)
                .execute(&mut **t)
                .await?;
        }
        let row: Option<(String, Vec<u8>, Vec<u8>)> = on_tx!(self, t => sqlx::query_as("SELECT method, content_hash, response FROM request_log WHERE request_id = $1")
            .bind(&key.request_id).fetch_optional(&mut **t).await?);
        answer_of(key, row)
    }

    /// Stores the answer to `key`, in the same transaction as the write's effects.
    pub async fn remember<M: Message>(&mut self, key: &RequestKey, response: &M) -> Result<(), ApiError> {
        let response = response.encode_to_vec();
        on_tx!(self, t => sqlx::query("INSERT INTO request_log (request_id, method, content_hash, response) VALUES ($1, $2, $3, $4)")
            .bind(&key.request_id).bind(key.method).bind(&key.content_hash).bind(response).execute(&mut **t).await.map(drop)?);
        Ok(())
    }

    /// Appends a feed event, with the current trace context. Call it last before commit: it
    /// locks the counter row until then.
    pub async fn append_event<P: serde::Serialize>(&mut self, kind: i64, payload: &P, now: DateTime<Utc>) -> Result<i64, ApiError> {
        let payload = json(payload)?;
        let at = timestamp(now);
        let trace_parent = crate::telemetry::current_trace_parent();
        let sequence: i64 = on_tx!(self, t => {
            let (sequence,): (i64,) = sqlx::query_as("UPDATE feed_counter SET last_sequence = last_sequence + 1 WHERE id = 1 RETURNING last_sequence")
                .fetch_one(&mut **t).await?;
            sqlx::query("INSERT INTO feed_events (sequence, kind, payload, committed_at, trace_parent) VALUES ($1, $2, $3, $4, $5)")
                .bind(sequence).bind(kind).bind(&payload).bind(&at).bind(&trace_parent).execute(&mut **t).await?;
            sequence
        });
        if let Tx::Postgres(t) = self {
            // Delivered at commit, to every replica's following streams.
            sqlx::query("SELECT pg_notify($1, '')").bind(FEED_CHANNEL).execute(&mut **t).await?;
        }
        Ok(sequence)
    }
}

/// The PostgreSQL channel every feed commit notifies.
const FEED_CHANNEL: &str = "afregning_feed";

/// The `application_name` of the feed listener's connection, as operators see it in
/// `pg_stat_activity`.
pub const FEED_LISTENER_APPLICATION: &str = "afregning-feed-listener";

/// Wakes `feed_written` on every feed commit of any replica until `stopped` (the storage is
/// dropped) or `pool` is closed, reconnecting after a lost connection. It listens on a connection
/// of its own, so a pool full of requests never waits on it, nor it on them.
async fn listen_for_feed(pool: sqlx::PgPool, feed_written: std::sync::Weak<Notify>, mut stopped: oneshot::Receiver<()>) {
    let options = (*pool.connect_options()).clone().application_name(FEED_LISTENER_APPLICATION);
    let own = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_lazy_with(options);
    let wake = || match feed_written.upgrade() {
        Some(notify) => {
            notify.notify_waiters();
            true
        }
        None => false,
    };
    let closed = pool.close_event();
    tokio::pin!(closed);
    loop {
        let listening = async {
            let mut listener = sqlx::postgres::PgListener::connect_with(&own).await?;
            listener.listen(FEED_CHANNEL).await?;
            // Anything committed while the connection was being made is picked up by this wake,
            // and after a lost connection (`None`, listening again already) by the next.
            while wake() {
                listener.try_recv().await?;
            }
            Ok::<(), sqlx::Error>(())
        };
        let interrupted = tokio::select! {
            _ = &mut stopped => break,
            () = &mut closed => break,
            ended = listening => match ended {
                Ok(()) => break,
                Err(error) => error,
            },
        };
        if feed_written.strong_count() == 0 || pool.is_closed() {
            break;
        }
        tracing::debug!(error = %interrupted, "feed notifications interrupted; listening again");
        tokio::select! {
            _ = &mut stopped => break,
            () = &mut closed => break,
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
    own.close().await;
}

/// Events a non-following feed stream sends at most, when the caller names no limit.
pub const MAX_EVENTS_PER_STREAM: u32 = 10_000;
/// Events read from the database per round trip.
const FEED_BATCH: i64 = 500;
/// How long a following stream waits for a commit notification before looking again anyway.
const FEED_POLL: Duration = Duration::from_secs(5);

/// A server stream of the feed after `after`: stored events first, then (when `follow`) new ones
/// as they commit, each converted by `convert`; at most `max_events` (0: no limit when following,
/// [`MAX_EVENTS_PER_STREAM`] otherwise). Ends when the client goes away.
pub fn feed_stream<P, T>(
    storage: Storage,
    after: u64,
    follow: bool,
    max_events: u32,
    convert: impl Fn(FeedEvent<P>) -> T + Send + Sync + 'static,
) -> Result<tokio_stream::wrappers::ReceiverStream<Result<T, tonic::Status>>, ApiError>
where
    P: serde::de::DeserializeOwned + Send + 'static,
    T: Send + 'static,
{
    let after = i64::try_from(after).map_err(|_| ApiError::invalid("after_sequence", "out of range"))?;
    let convert = Arc::new(convert);
    let reader = storage.clone();
    let read = move |cursor: i64, limit: i64| {
        let (storage, convert) = (reader.clone(), convert.clone());
        async move {
            let events = storage.events_after::<P>(cursor, limit).await?;
            Ok(events.into_iter().map(|e| (e.sequence, convert(e))).collect())
        }
    };
    Ok(sequence_stream(storage, after, follow, max_events, read))
}

/// The most items a stream sends when following without a limit of its own.
fn stream_limit(max_items: u32, follow: bool) -> u64 {
    match (max_items, follow) {
        (0, true) => u64::MAX,
        (0, false) => u64::from(MAX_EVENTS_PER_STREAM),
        (n, _) => u64::from(n.min(MAX_EVENTS_PER_STREAM)),
    }
}

/// A server stream of any sequenced records that commit together with feed events (the feed
/// itself, a provider's orders): `read(cursor, limit)` returns up to `limit` records after
/// `cursor` as (sequence, item), oldest first; they are sent, then (when `follow`) the stream
/// waits for the next commit and reads again. At most `max_items` (0: no limit when following,
/// [`MAX_EVENTS_PER_STREAM`] otherwise). Ends when the client goes away or the server drains.
pub fn sequence_stream<T, R, F>(
    storage: Storage,
    after: i64,
    follow: bool,
    max_items: u32,
    read: R,
) -> tokio_stream::wrappers::ReceiverStream<Result<T, tonic::Status>>
where
    T: Send + 'static,
    R: Fn(i64, i64) -> F + Send + 'static,
    F: std::future::Future<Output = Result<Vec<(i64, T)>, ApiError>> + Send,
{
    let limit = stream_limit(max_items, follow);
    let (tx, rx) = tokio::sync::mpsc::channel(256);
    tokio::spawn(async move {
        let mut cursor = after;
        let mut sent: u64 = 0;
        while sent < limit {
            // Waiting starts before the read, so a commit between the read and the wait wakes it.
            let committed = storage.feed_written.notified();
            tokio::pin!(committed);
            committed.as_mut().enable();
            // Never read more than is left to send: a read may have effects (an audit entry per
            // personal-data record read).
            let left = i64::try_from(limit - sent).unwrap_or(i64::MAX);
            let batch = match read(cursor, FEED_BATCH.min(left)).await {
                Ok(batch) => batch,
                Err(error) => {
                    let _ = tx.send(Err(tonic::Status::from(error))).await;
                    return;
                }
            };
            if batch.is_empty() {
                if !follow {
                    return;
                }
                tokio::select! {
                    _ = tokio::time::timeout(FEED_POLL, committed) => {}
                    () = tx.closed() => return,
                    () = crate::server::draining() => return,
                }
                continue;
            }
            for (sequence, item) in batch {
                cursor = sequence;
                if tx.send(Ok(item)).await.is_err() {
                    return;
                }
                sent += 1;
                if sent >= limit {
                    return;
                }
            }
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx)
}
