//! Budget's storage: committees and frames, the append-only ledger with its running day totals,
//! follow-up's grants, expected accounts, explanations and closed months, reallocation cases,
//! and the cursors of the feeds it follows — on top of the kit's shared transaction and
//! idempotency ([`afregning_kit::store`]). Each query is written once for both backends, and
//! each read once for the pool and a transaction alike ([`Conn`]). Rows become domain types here.
//!
//! * [`frames`] — committees and frames.
//! * [`ledger`] — ledger entries and running day totals.
//! * [`follow_up`] — grants (commitments), expected accounts, deviation explanations, closed months.
//! * [`cases`] — purchases, reallocation cases, decisions and audit trails.
//! * [`export`] — settlement postings summed for the ERP.

pub mod cases;
pub mod export;
pub mod follow_up;
pub mod frames;
pub mod ledger;

use afregning_kit::ApiError;
use afregning_kit::db::Database;
use afregning_kit::store::Storage;

pub use cases::CaseParts;

/// The postings feed, by cursor name.
pub const SETTLEMENT_FEED: &str = "settlement";

/// Visitation's grant feed, by cursor name.
pub const VISITATION_FEED: &str = "visitation";

/// The ledger's sources by their old names, for callers that name one (tests total a source).
pub mod source {
    use crate::domain::EntrySource;

    /// A posting from settlement.
    pub const SETTLEMENT: EntrySource = EntrySource::Settlement;
    /// An actual imported from the ERP.
    pub const ERP_ACTUAL: EntrySource = EntrySource::ErpActual;
    /// One side of an executed reallocation.
    pub const REALLOCATION: EntrySource = EntrySource::Reallocation;
}

/// Budget's store.
#[derive(Clone)]
pub struct Store {
    /// The database, with the kit's transactions and idempotency record.
    pub storage: Storage,
}

impl Store {
    /// A store over `db`.
    pub fn new(db: Database) -> Store {
        Store { storage: Storage::new(db) }
    }

    /// Reads on the pool, outside any transaction.
    pub fn pool(&self) -> Conn<'_> {
        Conn::Pool(&self.storage.db)
    }

    /// How far `feed` has been applied.
    pub async fn cursor(&self, feed: &str) -> Result<i64, ApiError> {
        afregning_kit::follow::cursor(&self.storage, feed).await
    }

    /// The sum of all entries of a source.
    pub async fn total_of_source(&self, source: crate::domain::EntrySource) -> Result<i64, ApiError> {
        ledger::total_of_source(self.pool(), source).await.map(|ore| ore.get())
    }

    /// A case with its decisions, audit trail and entries.
    pub async fn case_parts(&self, case_id: &str) -> Result<Option<CaseParts>, ApiError> {
        cases::case_parts(self.pool(), &crate::domain::CaseId::new(case_id)).await
    }
}

pub(crate) use afregning_kit::on_conn;
pub use afregning_kit::store::On as Conn;

/// A stored value that does not read back as the domain type it was written from: only a defect
/// or a hand-edited database gets here.
pub(crate) fn corrupt(what: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("stored {what} does not read back"))
}

pub(crate) use afregning_kit::store::{stored_date, stored_instant};

/// A stored year.
pub(crate) fn stored_year(year: i64) -> Result<i32, ApiError> {
    i32::try_from(year).map_err(|_| corrupt(format_args!("year {year}")))
}

static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The schema on each backend, applied at start.
pub const MIGRATIONS: afregning_kit::db::Migrations = afregning_kit::db::Migrations {
    sqlite: &SQLITE,
    postgres: &POSTGRES,
};
