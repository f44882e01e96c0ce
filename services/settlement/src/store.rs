//! Settlement's storage: the mirror of providers and grant versions followed from visitation,
//! the follower's cursor, and delivered visits — on top of the kit's shared transaction,
//! idempotency and feed ([`afregning_kit::store`]). Each query is written once for both backends.

use afregning_kit::store::{Storage, Tx};
use afregning_kit::{ApiError, on_pool, on_tx};
use afregning_proto::common::v1 as pbc;
use afregning_proto::visitation::v1 as pbv;
use prost::Message;

/// The feed this service follows, by cursor name.
pub const VISITATION_FEED: &str = "visitation";

/// A stored delivery.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeliveryRow {
    /// The provider system's id.
    pub delivery_id: String,
    /// The grant.
    pub grant_id: String,
    /// The provider.
    pub provider_id: String,
    /// One carer's visit.
    pub carer_visit_id: String,
    /// RFC 3339 UTC.
    pub started_at: String,
    /// RFC 3339 UTC: `started_at + minutes`.
    pub ends_at: String,
    /// Delivered minutes.
    pub minutes: i64,
    /// `YYYY-MM` of the local start date: the period the visit belongs to.
    pub period: String,
    /// Corrections so far.
    pub revision: i64,
}

/// Settlement's store.
#[derive(Clone)]
pub struct Store {
    /// The database and its postings feed.
    pub storage: Storage,
}

fn decode<M: Message + Default>(bytes: &[u8]) -> Result<M, ApiError> {
    M::decode(bytes).map_err(|e| ApiError::Internal(e.into()))
}

impl Store {
    /// A store over `db`.
    pub fn new(db: afregning_kit::db::Database) -> Store {
        Store { storage: Storage::new(db) }
    }

    /// How far `feed` has been applied.
    pub async fn cursor(&self, feed: &str) -> Result<i64, ApiError> {
        let (position,): (i64,) =
            on_pool!(&self.storage.db, p => sqlx::query_as("SELECT position FROM cursors WHERE feed = $1").bind(feed).fetch_one(p).await?);
        Ok(position)
    }

    /// A provider by id.
    pub async fn provider(&self, provider_id: &str) -> Result<Option<pbc::Provider>, ApiError> {
        let row: Option<(Vec<u8>,)> = on_pool!(&self.storage.db, p => sqlx::query_as("SELECT payload FROM providers WHERE provider_id = $1")
            .bind(provider_id).fetch_optional(p).await?);
        row.map(|(b,)| decode(&b)).transpose()
    }

    /// Providers by id, a page at a time.
    pub async fn providers(&self, offset: i64, limit: i64) -> Result<Vec<pbc::Provider>, ApiError> {
        let rows: Vec<(Vec<u8>,)> = on_pool!(&self.storage.db, p => sqlx::query_as("SELECT payload FROM providers ORDER BY provider_id LIMIT $1 OFFSET $2")
            .bind(limit).bind(offset).fetch_all(p).await?);
        rows.iter().map(|(b,)| decode(b)).collect()
    }

    /// Every known version of a grant, oldest first.
    pub async fn grant_versions(&self, grant_id: &str) -> Result<Vec<pbv::Grant>, ApiError> {
        let rows: Vec<(Vec<u8>,)> = on_pool!(&self.storage.db, p => sqlx::query_as("SELECT payload FROM grant_versions WHERE grant_id = $1 ORDER BY version")
            .bind(grant_id).fetch_all(p).await?);
        rows.iter().map(|(b,)| decode(b)).collect()
    }

    /// How many grants and grant versions are mirrored.
    pub async fn grant_counts(&self) -> Result<(i64, i64), ApiError> {
        let (grants,): (i64,) = on_pool!(&self.storage.db, p => sqlx::query_as("SELECT COUNT(*) FROM grants").fetch_one(p).await?);
        let (versions,): (i64,) =
            on_pool!(&self.storage.db, p => sqlx::query_as("SELECT COUNT(*) FROM grant_versions").fetch_one(p).await?);
        Ok((grants, versions))
    }

    /// A provider's deliveries in a period, by start.
    pub async fn deliveries(&self, provider_id: &str, period: &str, offset: i64, limit: i64) -> Result<Vec<DeliveryRow>, ApiError> {
        Ok(on_pool!(&self.storage.db, p => sqlx::query_as(
            "SELECT delivery_id, grant_id, provider_id, carer_visit_id, started_at, ends_at, minutes, period, revision FROM deliveries \
             WHERE provider_id = $1 AND period = $2 ORDER BY started_at, delivery_id LIMIT $3 OFFSET $4")
            .bind(provider_id).bind(period).bind(limit).bind(offset).fetch_all(p).await?))
    }
}

/// Settlement's writes inside a transaction.
pub(crate) trait SettlementTx {
    /// Moves `feed`'s cursor from `from` to `to`; false when another follower already did.
    async fn advance_cursor(&mut self, feed: &str, from: i64, to: i64) -> Result<bool, ApiError>;
    /// Stores or replaces a provider.
    async fn upsert_provider(&mut self, provider: &pbc::Provider) -> Result<(), ApiError>;
    /// Stores a grant version (once) and advances the grant's latest version.
    async fn insert_grant_version(&mut self, grant: &pbv::Grant) -> Result<(), ApiError>;
    /// Every known version of a grant, oldest first.
    async fn grant_versions(&mut self, grant_id: &str) -> Result<Vec<pbv::Grant>, ApiError>;
    /// A delivery by id.
    async fn delivery(&mut self, delivery_id: &str) -> Result<Option<DeliveryRow>, ApiError>;
    /// A delivery of the same carer visit overlapping `[started_at, ends_at)`, other than `except`.
    async fn overlapping_visit(
        &mut self,
        carer_visit_id: &str,
        started_at: &str,
        ends_at: &str,
        except: &str,
    ) -> Result<Option<String>, ApiError>;
    /// Stores a new delivery.
    async fn insert_delivery(&mut self, row: &DeliveryRow, recorded_at: &str) -> Result<(), ApiError>;
    /// Replaces a delivery's time and minutes, keeping the earlier revision.
    async fn correct_delivery(
        &mut self,
        before: &DeliveryRow,
        after: &DeliveryRow,
        reason: &str,
        recorded_at: &str,
    ) -> Result<(), ApiError>;
}

impl SettlementTx for Tx {
    async fn advance_cursor(&mut self, feed: &str, from: i64, to: i64) -> Result<bool, ApiError> {
        let moved = on_tx!(self, t => sqlx::query("UPDATE cursors SET position = $1 WHERE feed = $2 AND position = $3")
            .bind(to).bind(feed).bind(from).execute(&mut **t).await?.rows_affected());
        Ok(moved == 1)
    }

    async fn upsert_provider(&mut self, provider: &pbc::Provider) -> Result<(), ApiError> {
        let payload = provider.encode_to_vec();
        on_tx!(self, t => sqlx::query("INSERT INTO providers (provider_id, payload) VALUES ($1, $2) ON CONFLICT (provider_id) DO UPDATE SET payload = excluded.payload")
            .bind(&provider.provider_id).bind(payload).execute(&mut **t).await.map(drop)?);
        Ok(())
    }

    async fn insert_grant_version(&mut self, grant: &pbv::Grant) -> Result<(), ApiError> {
        let payload = grant.encode_to_vec();
        let effective_from = grant
            .effective_from
            .map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day))
            .unwrap_or_default();
        let version = i64::from(grant.version);
        on_tx!(self, t => {
            sqlx::query("INSERT INTO grant_versions (grant_id, version, citizen_id, effective_from, payload) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
                .bind(&grant.grant_id).bind(version).bind(&grant.citizen_id).bind(&effective_from).bind(&payload).execute(&mut **t).await?;
            sqlx::query("INSERT INTO grants (grant_id, latest_version) VALUES ($1, $2) ON CONFLICT (grant_id) DO UPDATE \
                         SET latest_version = excluded.latest_version WHERE grants.latest_version < excluded.latest_version")
                .bind(&grant.grant_id).bind(version).execute(&mut **t).await?;
        });
        Ok(())
    }

    async fn grant_versions(&mut self, grant_id: &str) -> Result<Vec<pbv::Grant>, ApiError> {
        let rows: Vec<(Vec<u8>,)> = on_tx!(self, t => sqlx::query_as("SELECT payload FROM grant_versions WHERE grant_id = $1 ORDER BY version")
            .bind(grant_id).fetch_all(&mut **t).await?);
        rows.iter().map(|(b,)| decode(b)).collect()
    }

    async fn delivery(&mut self, delivery_id: &str) -> Result<Option<DeliveryRow>, ApiError> {
        Ok(on_tx!(self, t => sqlx::query_as(
            "SELECT delivery_id, grant_id, provider_id, carer_visit_id, started_at, ends_at, minutes, period, revision FROM deliveries WHERE delivery_id = $1")
            .bind(delivery_id).fetch_optional(&mut **t).await?))
    }

    async fn overlapping_visit(
        &mut self,
        carer_visit_id: &str,
        started_at: &str,
        ends_at: &str,
        except: &str,
    ) -> Result<Option<String>, ApiError> {
        let row: Option<(String,)> = on_tx!(self, t => sqlx::query_as(
            "SELECT delivery_id FROM deliveries WHERE carer_visit_id = $1 AND started_at < $2 AND ends_at > $3 AND delivery_id <> $4 LIMIT 1")
            .bind(carer_visit_id).bind(ends_at).bind(started_at).bind(except).fetch_optional(&mut **t).await?);
        Ok(row.map(|(id,)| id))
    }

    async fn insert_delivery(&mut self, row: &DeliveryRow, recorded_at: &str) -> Result<(), ApiError> {
        on_tx!(self, t => sqlx::query(
            "INSERT INTO deliveries (delivery_id, grant_id, provider_id, carer_visit_id, started_at, ends_at, minutes, period, revision, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(&row.delivery_id).bind(&row.grant_id).bind(&row.provider_id).bind(&row.carer_visit_id).bind(&row.started_at)
            .bind(&row.ends_at).bind(row.minutes).bind(&row.period).bind(row.revision).bind(recorded_at)
            .execute(&mut **t).await.map(drop)?);
        Ok(())
    }

    async fn correct_delivery(
        &mut self,
        before: &DeliveryRow,
        after: &DeliveryRow,
        reason: &str,
        recorded_at: &str,
    ) -> Result<(), ApiError> {
        on_tx!(self, t => {
            sqlx::query("INSERT INTO delivery_revisions (delivery_id, revision, started_at, minutes, reason, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(&before.delivery_id).bind(before.revision).bind(&before.started_at).bind(before.minutes).bind(reason).bind(recorded_at)
                .execute(&mut **t).await?;
            sqlx::query("UPDATE deliveries SET started_at = $1, ends_at = $2, minutes = $3, period = $4, revision = $5, recorded_at = $6 WHERE delivery_id = $7")
                .bind(&after.started_at).bind(&after.ends_at).bind(after.minutes).bind(&after.period).bind(after.revision).bind(recorded_at)
                .bind(&after.delivery_id).execute(&mut **t).await?;
        });
        Ok(())
    }
}
