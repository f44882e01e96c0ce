//! Delivered visits: stored once per delivery id, corrected with their earlier revisions kept.

use afregning_kit::ApiError;
use afregning_kit::store::Tx;
use afregning_tariff::Period;

use super::{On, Store, corrupt, id_list_param, instant_text, on, stored_instant};
use crate::domain::delivery::Delivery;
use crate::domain::ids::{CarerVisitId, DeliveryId, GrantId, ProviderId};

/// How many advisory locks carer visits are spread over on PostgreSQL.
pub const CARER_VISIT_BUCKETS: i64 = 1_024;

const DELIVERY_COLUMNS: &str = "delivery_id, grant_id, provider_id, carer_visit_id, started_at, ends_at, minutes, period, revision";

/// A delivery as stored.
#[derive(sqlx::FromRow)]
struct DeliveryRow {
    delivery_id: String,
    grant_id: String,
    provider_id: String,
    carer_visit_id: String,
    started_at: String,
    ends_at: String,
    minutes: i64,
    period: String,
    revision: i64,
}

impl TryFrom<DeliveryRow> for Delivery {
    type Error = ApiError;

    fn try_from(row: DeliveryRow) -> Result<Delivery, ApiError> {
        Ok(Delivery {
            started_at: stored_instant(&row.started_at)?,
            ends_at: stored_instant(&row.ends_at)?,
            minutes: u32::try_from(row.minutes).map_err(|_| corrupt("minutes", row.minutes))?,
            period: row.period.parse::<Period>().map_err(|_| corrupt("period", &row.period))?,
            revision: u32::try_from(row.revision).map_err(|_| corrupt("revision", row.revision))?,
            delivery_id: DeliveryId::new(row.delivery_id),
            grant_id: GrantId::new(row.grant_id),
            provider_id: ProviderId::new(row.provider_id),
            carer_visit_id: CarerVisitId::new(row.carer_visit_id),
        })
    }
}

fn deliveries(rows: Vec<DeliveryRow>) -> Result<Vec<Delivery>, ApiError> {
    rows.into_iter().map(Delivery::try_from).collect()
}

impl Store {
    /// A provider's deliveries in a period, by start, a page at a time.
    pub async fn deliveries(&self, provider_id: &str, period: Period, offset: i64, limit: i64) -> Result<Vec<Delivery>, ApiError> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE provider_id = $1 AND period = $2 ORDER BY started_at, delivery_id LIMIT $3 OFFSET $4"
        );
        let rows: Vec<DeliveryRow> = on!(self.pool(), e => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(provider_id).bind(period.to_string()).bind(limit).bind(offset).fetch_all(e).await?);
        deliveries(rows)
    }

    /// All of a provider's deliveries in a period (`YYYY-MM`), by start.
    pub async fn provider_deliveries(&self, provider_id: &str, period: &str) -> Result<Vec<Delivery>, ApiError> {
        let sql =
            format!("SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE provider_id = $1 AND period = $2 ORDER BY started_at, delivery_id");
        let rows: Vec<DeliveryRow> =
            on!(self.pool(), e => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(provider_id).bind(period).fetch_all(e).await?);
        deliveries(rows)
    }
}

/// Deliveries inside a transaction.
pub(crate) trait DeliveryTx {
    /// A delivery by id.
    async fn delivery(&mut self, delivery_id: &str) -> Result<Option<Delivery>, ApiError>;
    /// A delivery of the same carer visit overlapping `delivery`, other than itself.
    async fn overlapping_visit(&mut self, delivery: &Delivery) -> Result<Option<String>, ApiError>;
    /// The stored deliveries with one of `delivery_ids` or of one of the carer visits
    /// `carer_visit_ids`, in one round trip.
    async fn deliveries_by_id_or_visit(&mut self, delivery_ids: &[&str], carer_visit_ids: &[&str]) -> Result<Vec<Delivery>, ApiError>;
    /// Stores new deliveries, on PostgreSQL in one statement, on SQLite row by row in process;
    /// the ids stored (on PostgreSQL a concurrent stream may have stored one of them first, which
    /// is then left as it is).
    async fn insert_deliveries(
        &mut self,
        rows: &[&Delivery],
        recorded_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<DeliveryId>, ApiError>;
    /// Keeps a delivery to this transaction until commit, so corrections of it apply one after
    /// the other (SQLite has one writer; PostgreSQL takes an advisory lock).
    async fn lock_delivery(&mut self, delivery_id: &str) -> Result<(), ApiError>;
    /// Keeps the carer visits to this transaction until commit (SQLite has one writer;
    /// PostgreSQL takes advisory locks on at most [`CARER_VISIT_BUCKETS`] buckets of them, in
    /// order, so a batch of thousands never fills the lock table and two batches never deadlock).
    async fn lock_carer_visits(&mut self, carer_visit_ids: &[&str]) -> Result<(), ApiError>;
    /// Replaces a delivery's time and minutes, keeping the earlier revision.
    async fn correct_delivery(
        &mut self,
        before: &Delivery,
        after: &Delivery,
        reason: &str,
        recorded_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), ApiError>;
}

impl DeliveryTx for Tx {
    async fn delivery(&mut self, delivery_id: &str) -> Result<Option<Delivery>, ApiError> {
        let sql = format!("SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE delivery_id = $1");
        let row: Option<DeliveryRow> =
            on!(On::Tx(self), e => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(delivery_id).fetch_optional(e).await?);
        row.map(Delivery::try_from).transpose()
    }

    async fn overlapping_visit(&mut self, d: &Delivery) -> Result<Option<String>, ApiError> {
        let row: Option<(String,)> = afregning_kit::on_tx!(self, t => sqlx::query_as(
            "SELECT delivery_id FROM deliveries WHERE carer_visit_id = $1 AND started_at < $2 AND ends_at > $3 AND delivery_id <> $4 LIMIT 1")
            .bind(d.carer_visit_id.as_str()).bind(instant_text(d.ends_at)).bind(instant_text(d.started_at)).bind(d.delivery_id.as_str())
            .fetch_optional(&mut **t).await?);
        Ok(row.map(|(id,)| id))
    }

    async fn deliveries_by_id_or_visit(&mut self, delivery_ids: &[&str], carer_visit_ids: &[&str]) -> Result<Vec<Delivery>, ApiError> {
        let rows: Vec<DeliveryRow> = match self {
            // Arrays let PostgreSQL combine the two index scans (a bitmap OR).
            Tx::Postgres(t) => {
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE delivery_id = ANY($1::text[]) OR carer_visit_id = ANY($2::text[])"
                )))
                .bind(delivery_ids)
                .bind(carer_visit_ids)
                .fetch_all(&mut **t)
                .await?
            }
            Tx::Sqlite(t) => {
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE delivery_id IN (SELECT value FROM json_each($1)) \
                     OR carer_visit_id IN (SELECT value FROM json_each($2))"
                )))
                .bind(id_list_param(delivery_ids)?)
                .bind(id_list_param(carer_visit_ids)?)
                .fetch_all(&mut **t)
                .await?
            }
        };
        deliveries(rows)
    }

    async fn lock_carer_visits(&mut self, carer_visit_ids: &[&str]) -> Result<(), ApiError> {
        if let Tx::Postgres(t) = self {
            let buckets: std::collections::BTreeSet<i64> = carer_visit_ids.iter().map(|id| carer_visit_bucket(id)).collect();
            sqlx::query("SELECT pg_advisory_xact_lock(b) FROM unnest($1::bigint[]) AS b ORDER BY b")
                .bind(buckets.into_iter().collect::<Vec<i64>>())
                .fetch_all(&mut **t)
                .await?;
        }
        Ok(())
    }

    async fn lock_delivery(&mut self, delivery_id: &str) -> Result<(), ApiError> {
        if let Tx::Postgres(t) = self {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('delivery:' || $1, 0))")
                .bind(delivery_id)
                .execute(&mut **t)
                .await?;
        }
        Ok(())
    }

    async fn insert_deliveries(
        &mut self,
        rows: &[&Delivery],
        recorded_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<DeliveryId>, ApiError> {
        const INSERT: &str = "INSERT INTO deliveries (delivery_id, grant_id, provider_id, carer_visit_id, started_at, ends_at, minutes, period, revision, recorded_at)";
        let recorded_at = instant_text(recorded_at);
        match self {
            Tx::Postgres(t) => {
                let column = |f: fn(&Delivery) -> String| rows.iter().map(|r| f(r)).collect::<Vec<String>>();
                let inserted: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "{INSERT} SELECT d.*, $10 FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::bigint[]) AS d \
                     ON CONFLICT (delivery_id) DO NOTHING RETURNING delivery_id"
                )))
                .bind(column(|r| r.delivery_id.to_string()))
                .bind(column(|r| r.grant_id.to_string()))
                .bind(column(|r| r.provider_id.to_string()))
                .bind(column(|r| r.carer_visit_id.to_string()))
                .bind(column(|r| instant_text(r.started_at)))
                .bind(column(|r| instant_text(r.ends_at)))
                .bind(rows.iter().map(|r| i64::from(r.minutes)).collect::<Vec<i64>>())
                .bind(column(|r| r.period.to_string()))
                .bind(rows.iter().map(|r| i64::from(r.revision)).collect::<Vec<i64>>())
                .bind(recorded_at)
                .fetch_all(&mut **t)
                .await?;
                Ok(inserted.into_iter().map(|(id,)| DeliveryId::new(id)).collect())
            }
            Tx::Sqlite(t) => {
                for row in rows {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "{INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                    )))
                    .bind(row.delivery_id.as_str())
                    .bind(row.grant_id.as_str())
                    .bind(row.provider_id.as_str())
                    .bind(row.carer_visit_id.as_str())
                    .bind(instant_text(row.started_at))
                    .bind(instant_text(row.ends_at))
                    .bind(i64::from(row.minutes))
                    .bind(row.period.to_string())
                    .bind(i64::from(row.revision))
                    .bind(&recorded_at)
                    .execute(&mut **t)
                    .await?;
                }
                // One writer at a time: what was looked up is still all there is.
                Ok(rows.iter().map(|r| r.delivery_id.clone()).collect())
            }
        }
    }

    async fn correct_delivery(
        &mut self,
        before: &Delivery,
        after: &Delivery,
        reason: &str,
        recorded_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), ApiError> {
        let recorded_at = instant_text(recorded_at);
        afregning_kit::on_tx!(self, t => {
            sqlx::query("INSERT INTO delivery_revisions (delivery_id, revision, started_at, minutes, reason, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(before.delivery_id.as_str()).bind(i64::from(before.revision)).bind(instant_text(before.started_at)).bind(i64::from(before.minutes))
                .bind(reason).bind(&recorded_at)
                .execute(&mut **t).await?;
            sqlx::query("UPDATE deliveries SET started_at = $1, ends_at = $2, minutes = $3, period = $4, revision = $5, recorded_at = $6 WHERE delivery_id = $7")
                .bind(instant_text(after.started_at)).bind(instant_text(after.ends_at)).bind(i64::from(after.minutes)).bind(after.period.to_string())
                .bind(i64::from(after.revision)).bind(&recorded_at)
                .bind(after.delivery_id.as_str()).execute(&mut **t).await?;
        });
        Ok(())
    }
}

/// The advisory lock key of a carer visit's bucket: a stable hash into a small range of keys. The
/// other locks hash text over all 64 bits, so they meet these only by rare chance, and a meeting
/// only makes two requests wait for each other.
fn carer_visit_bucket(carer_visit_id: &str) -> i64 {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(carer_visit_id.as_bytes());
    let n = u64::from_le_bytes(digest[..8].try_into().expect("eight bytes"));
    0x5e77_0000 + i64::try_from(n % CARER_VISIT_BUCKETS as u64).expect("small")
}
