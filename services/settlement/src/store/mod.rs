//! Settlement's storage: the mirror of providers and grant versions followed from visitation
//! ([`mirror`]), delivered visits ([`deliveries`]), statements with their lines and inputs
//! ([`statements`]) and runs ([`runs`]) — on top of the kit's shared transaction, idempotency and
//! feed ([`afregning_kit::store`]). Each query is written once for both backends, and each read
//! once whether it runs on the pool or inside a transaction ([`On`]). Rows become domain types
//! here; no SQL lives anywhere else.

pub mod deliveries;
pub mod lifecycle;
pub mod line_codec;
pub mod mirror;
pub mod review;
pub mod runs;
pub mod statements;

use afregning_kit::ApiError;
use afregning_kit::db::Database;
use afregning_kit::store::{Storage, Tx};
use chrono::{DateTime, Utc};

pub(crate) use deliveries::DeliveryTx;
pub(crate) use lifecycle::LifecycleTx;
pub(crate) use mirror::MirrorTx;
pub(crate) use review::ReviewTx;
pub(crate) use runs::RunTx;
pub use statements::Input;
pub(crate) use statements::StatementTx;

/// The feed this service follows, by cursor name.
pub const VISITATION_FEED: &str = "visitation";

/// Settlement's store.
#[derive(Clone)]
pub struct Store {
    /// The database and its postings feed.
    pub storage: Storage,
}

impl Store {
    /// A store over `db`.
    pub fn new(db: Database) -> Store {
        Store { storage: Storage::new(db) }
    }

    /// How far `feed` has been applied.
    pub async fn cursor(&self, feed: &str) -> Result<i64, ApiError> {
        afregning_kit::follow::cursor(&self.storage, feed).await
    }

    /// Where a read runs: on the pool.
    fn pool(&self) -> On<'_> {
        On::Pool(&self.storage.db)
    }

    /// Whether the database takes several writers at once (PostgreSQL) or one (SQLite).
    pub fn concurrent_writers(&self) -> bool {
        matches!(self.storage.db, Database::Postgres(_))
    }
}

pub(crate) use afregning_kit::on_conn as on;
pub(crate) use afregning_kit::store::On;

/// An instant as stored: RFC 3339 with microseconds, sortable as text.
pub(crate) fn instant_text(at: DateTime<Utc>) -> String {
    afregning_kit::store::timestamp(at)
}

pub(crate) use afregning_kit::store::stored_instant;

/// A stored value that does not read as its type: the row is corrupt.
pub(crate) fn corrupt(what: &str, value: impl std::fmt::Debug) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("stored {what} {value:?} is not one"))
}

/// The SQL list of the ids bound as one parameter by [`id_list_param`]: one parameter whatever
/// their number, so a batch is one round trip on either backend.
fn id_list(tx: &Tx) -> &'static str {
    match tx {
        Tx::Sqlite(_) => "SELECT value FROM json_each($1)",
        Tx::Postgres(_) => "SELECT jsonb_array_elements_text($1::jsonb)",
    }
}

/// `ids` as the JSON array [`id_list`] reads.
fn id_list_param<S: serde::Serialize>(ids: &[S]) -> Result<String, ApiError> {
    afregning_kit::store::json(&ids)
}

static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The schema on each backend, applied at start.
pub const MIGRATIONS: afregning_kit::db::Migrations = afregning_kit::db::Migrations {
    sqlite: &SQLITE,
    postgres: &POSTGRES,
};
