//! Visitation's storage: citizens, providers, assessments, grants and their versions, orders, the
//! audit log and the feed, on top of the kit's transaction, idempotency and feed
//! ([`afregning_kit::store`]). Each query is written once, runs on SQLite or PostgreSQL, and
//! maps its rows to domain types here (typed ids, enums, `Cpr`, dates), so nothing past the
//! store sees a raw row.
//!
//! A read that runs both on the pool and inside a write transaction is written once, taking
//! [`On`]: `On::Pool` for a plain read, `On::from(&mut tx)` inside a write.

pub mod assessments;
pub mod audit;
pub mod catalogs;
pub mod citizens;
pub mod feed;
pub mod grants;
pub mod orders;
pub mod providers;

use afregning_kit::ApiError;
use afregning_kit::db::Database;
use afregning_kit::store::{RequestKey, Storage, Tx};
use chrono::{DateTime, SubsecRound, Utc};
use prost::Message;

pub use afregning_kit::store::timestamp;

pub(crate) use afregning_kit::on_conn as on;
pub use afregning_kit::store::On;

/// The store, shared by all use cases.
#[derive(Clone)]
pub struct Store {
    /// The database and its feed.
    pub storage: Storage,
}

impl Store {
    /// A store over `db`.
    pub fn new(db: Database) -> Store {
        Store { storage: Storage::new(db) }
    }

    /// Reads on the pool.
    pub fn pool(&self) -> On<'_> {
        On::Pool(&self.storage.db)
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx, ApiError> {
        self.storage.begin().await
    }

    /// Finishes a write: remembers the answer with its effects and commits.
    pub async fn finish<M: Message>(&self, tx: Tx, key: &RequestKey, answer: M) -> Result<M, ApiError> {
        self.storage.finish(tx, key, answer).await
    }
}

/// An instant as it will read back from storage (RFC 3339 keeps microseconds), so the answer to
/// a write and a later read of the same record agree.
pub fn as_stored(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

pub(crate) use afregning_kit::store::{stored_date as day, stored_instant as instant};

/// A stored value that does not read as its domain type: a bug or a damaged database.
pub(crate) fn damaged(what: &str, problem: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("stored {what} does not read back: {problem}"))
}

static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The schema on each backend, applied at start.
pub const MIGRATIONS: afregning_kit::db::Migrations = afregning_kit::db::Migrations {
    sqlite: &SQLITE,
    postgres: &POSTGRES,
};
