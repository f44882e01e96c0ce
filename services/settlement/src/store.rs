//! Settlement's storage: the mirror of providers and grant versions followed from visitation,
//! the follower's cursor, and delivered visits — on top of the kit's shared transaction,
//! idempotency and feed ([`afregning_kit::store`]). Each query is written once for both backends.

use std::collections::HashMap;

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
        afregning_kit::follow::cursor(&self.storage, feed).await
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

const DELIVERY_COLUMNS: &str = "delivery_id, grant_id, provider_id, carer_visit_id, started_at, ends_at, minutes, period, revision";

/// The SQL list of the ids bound as `$1` by [`id_list_param`]: one parameter whatever their
/// number, so a batch is one round trip on either backend.
fn id_list(tx: &Tx) -> &'static str {
    match tx {
        Tx::Sqlite(_) => "SELECT value FROM json_each($1)",
        Tx::Postgres(_) => "SELECT jsonb_array_elements_text($1::jsonb)",
    }
}

/// `ids` as the JSON array [`id_list`] reads.
fn id_list_param(ids: &[&str]) -> Result<String, ApiError> {
    afregning_kit::store::json(&ids)
}

/// Settlement's writes inside a transaction.
pub(crate) trait SettlementTx {
    /// Stores or replaces a provider.
    async fn upsert_provider(&mut self, provider: &pbc::Provider) -> Result<(), ApiError>;
    /// Stores a grant version (once) and advances the grant's latest version.
    async fn insert_grant_version(&mut self, grant: &pbv::Grant) -> Result<(), ApiError>;
    /// Records a citizen's CPR number.
    async fn upsert_citizen(&mut self, citizen_id: &str, cpr: &str) -> Result<(), ApiError>;
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
    /// Every known version of each of `grant_ids`, oldest first, by grant id (an unknown grant
    /// has no entry).
    async fn grant_versions_of(&mut self, grant_ids: &[&str]) -> Result<HashMap<String, Vec<pbv::Grant>>, ApiError>;
    /// The stored deliveries with one of `delivery_ids` or of one of the carer visits
    /// `carer_visit_ids`, in one round trip.
    async fn deliveries_by_id_or_visit(&mut self, delivery_ids: &[&str], carer_visit_ids: &[&str]) -> Result<Vec<DeliveryRow>, ApiError>;
    /// Stores new deliveries, on PostgreSQL in one statement, on SQLite row by row in process;
    /// the ids stored (on PostgreSQL a concurrent stream may have stored one of them first, which
    /// is then left as it is).
    async fn insert_deliveries(&mut self, rows: &[&DeliveryRow], recorded_at: &str) -> Result<Vec<String>, ApiError>;
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
        before: &DeliveryRow,
        after: &DeliveryRow,
        reason: &str,
        recorded_at: &str,
    ) -> Result<(), ApiError>;
}

impl SettlementTx for Tx {
    async fn upsert_provider(&mut self, provider: &pbc::Provider) -> Result<(), ApiError> {
        let payload = provider.encode_to_vec();
        on_tx!(self, t => sqlx::query("INSERT INTO providers (provider_id, payload) VALUES ($1, $2) ON CONFLICT (provider_id) DO UPDATE SET payload = excluded.payload")
            .bind(&provider.provider_id).bind(payload).execute(&mut **t).await.map(drop)?);
        Ok(())
    }

    async fn insert_grant_version(&mut self, grant: &pbv::Grant) -> Result<(), ApiError> {
        let payload = grant.encode_to_vec();
        for share in grant.terms.iter().flat_map(|t| &t.providers) {
            on_tx!(self, t => sqlx::query("INSERT INTO grant_providers (grant_id, provider_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(&grant.grant_id).bind(&share.provider_id).execute(&mut **t).await.map(drop)?);
        }
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

    async fn upsert_citizen(&mut self, citizen_id: &str, cpr: &str) -> Result<(), ApiError> {
        on_tx!(self, t => sqlx::query("INSERT INTO citizens (citizen_id, cpr) VALUES ($1, $2) ON CONFLICT (citizen_id) DO UPDATE SET cpr = excluded.cpr")
            .bind(citizen_id).bind(cpr).execute(&mut **t).await.map(drop)?);
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

    async fn grant_versions_of(&mut self, grant_ids: &[&str]) -> Result<HashMap<String, Vec<pbv::Grant>>, ApiError> {
        let sql = format!(
            "SELECT grant_id, payload FROM grant_versions WHERE grant_id IN ({}) ORDER BY grant_id, version",
            id_list(self)
        );
        let ids = id_list_param(grant_ids)?;
        let rows: Vec<(String, Vec<u8>)> = on_tx!(self, t => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(ids).fetch_all(&mut **t).await?);
        let mut versions: HashMap<String, Vec<pbv::Grant>> = HashMap::new();
        for (grant_id, payload) in rows {
            versions.entry(grant_id).or_default().push(decode(&payload)?);
        }
        Ok(versions)
    }

    async fn deliveries_by_id_or_visit(&mut self, delivery_ids: &[&str], carer_visit_ids: &[&str]) -> Result<Vec<DeliveryRow>, ApiError> {
        Ok(match self {
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
        })
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

    async fn insert_deliveries(&mut self, rows: &[&DeliveryRow], recorded_at: &str) -> Result<Vec<String>, ApiError> {
        const INSERT: &str = "INSERT INTO deliveries (delivery_id, grant_id, provider_id, carer_visit_id, started_at, ends_at, minutes, period, revision, recorded_at)";
        match self {
            Tx::Postgres(t) => {
                let column = |f: fn(&DeliveryRow) -> &String| rows.iter().map(|r| f(r).clone()).collect::<Vec<String>>();
                let inserted: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "{INSERT} SELECT d.*, $10 FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::bigint[]) AS d \
                     ON CONFLICT (delivery_id) DO NOTHING RETURNING delivery_id"
                )))
                .bind(column(|r| &r.delivery_id))
                .bind(column(|r| &r.grant_id))
                .bind(column(|r| &r.provider_id))
                .bind(column(|r| &r.carer_visit_id))
                .bind(column(|r| &r.started_at))
                .bind(column(|r| &r.ends_at))
                .bind(rows.iter().map(|r| r.minutes).collect::<Vec<i64>>())
                .bind(column(|r| &r.period))
                .bind(rows.iter().map(|r| r.revision).collect::<Vec<i64>>())
                .bind(recorded_at)
                .fetch_all(&mut **t)
                .await?;
                Ok(inserted.into_iter().map(|(id,)| id).collect())
            }
            Tx::Sqlite(t) => {
                for row in rows {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "{INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                    )))
                    .bind(&row.delivery_id)
                    .bind(&row.grant_id)
                    .bind(&row.provider_id)
                    .bind(&row.carer_visit_id)
                    .bind(&row.started_at)
                    .bind(&row.ends_at)
                    .bind(row.minutes)
                    .bind(&row.period)
                    .bind(row.revision)
                    .bind(recorded_at)
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

/// A statement's header as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StatementRow {
    /// `st-<provider>-<YYYY-MM>`.
    pub statement_id: String,
    /// The payee.
    pub provider_id: String,
    /// `YYYY-MM`.
    pub period: String,
    /// 1 draft, 2 issued.
    pub state: i64,
    /// Sum of the lines.
    pub total_ore: i64,
    /// Number of lines.
    pub line_count: i64,
    /// Comma-separated catalog versions.
    pub catalog_versions: String,
    /// SHA-256 hex of the sealed content; empty for drafts.
    pub content_hash: String,
    /// RFC 3339.
    pub computed_at: String,
    /// RFC 3339, when issued.
    pub issued_at: Option<String>,
}

/// A stored line with its frame split.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredLine {
    /// The line (ids and numbers set).
    pub line: afregning_proto::settlement::v1::StatementLine,
    /// The period it pays for.
    pub target_period: String,
    /// How the line is split over frames.
    pub frames: Vec<crate::engine::FramePart>,
}

/// One input that priced a statement.
pub struct Input {
    /// `catalog`, `grant_version`, `provider` or `delivery`.
    pub kind: &'static str,
    /// Which one.
    pub key: String,
    /// Its content.
    pub payload: Vec<u8>,
}

/// How many advisory locks carer visits are spread over on PostgreSQL.
pub const CARER_VISIT_BUCKETS: i64 = 1_024;

/// The advisory lock key of a carer visit's bucket: a stable hash into a small range of keys. The
/// other locks hash text over all 64 bits, so they meet these only by rare chance, and a meeting
/// only makes two requests wait for each other.
fn carer_visit_bucket(carer_visit_id: &str) -> i64 {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(carer_visit_id.as_bytes());
    let n = u64::from_le_bytes(digest[..8].try_into().expect("eight bytes"));
    0x5e77_0000 + i64::try_from(n % CARER_VISIT_BUCKETS as u64).expect("small")
}

/// Draft (1) and issued (2) statement states.
pub const DRAFT: i64 = 1;
/// Issued.
pub const ISSUED: i64 = 2;

const STATEMENT_COLUMNS: &str =
    "statement_id, provider_id, period, state, total_ore, line_count, catalog_versions, content_hash, computed_at, issued_at";

/// A statement's lines in order, as stored: payload, target period, frames.
const STATEMENT_LINES: &str = "SELECT payload, target_period, frames FROM statement_lines WHERE statement_id = $1 ORDER BY line_no";
type LineRow = (Vec<u8>, String, String);

fn stored_lines(rows: &[LineRow]) -> Result<Vec<StoredLine>, ApiError> {
    rows.iter()
        .map(|(payload, target, frames)| stored_line(payload, target.clone(), frames))
        .collect()
}

fn stored_line(payload: &[u8], target_period: String, frames: &str) -> Result<StoredLine, ApiError> {
    Ok(StoredLine {
        line: decode(payload)?,
        target_period,
        frames: afregning_kit::store::from_json(frames)?,
    })
}

impl Store {
    /// Every grant that has named `provider`, each with all its versions, by grant id.
    pub async fn grants_of_provider(&self, provider_id: &str) -> Result<Vec<Vec<pbv::Grant>>, ApiError> {
        let rows: Vec<(String, Vec<u8>)> = on_pool!(&self.storage.db, p => sqlx::query_as(
            "SELECT v.grant_id, v.payload FROM grant_versions v JOIN grant_providers gp ON gp.grant_id = v.grant_id \
             WHERE gp.provider_id = $1 ORDER BY v.grant_id, v.version")
            .bind(provider_id).fetch_all(p).await?);
        let mut grants: Vec<Vec<pbv::Grant>> = Vec::new();
        for (grant_id, payload) in rows {
            let version: pbv::Grant = decode(&payload)?;
            match grants.last_mut() {
                Some(versions) if versions[0].grant_id == grant_id => versions.push(version),
                _ => grants.push(vec![version]),
            }
        }
        Ok(grants)
    }

    /// The CPR numbers of the citizens on a provider's grants, by citizen id.
    pub async fn provider_citizens(&self, provider_id: &str) -> Result<HashMap<String, String>, ApiError> {
        let rows: Vec<(String, String)> = on_pool!(&self.storage.db, p => sqlx::query_as(
            "SELECT DISTINCT c.citizen_id, c.cpr FROM citizens c JOIN grant_versions v ON v.citizen_id = c.citizen_id \
             JOIN grant_providers gp ON gp.grant_id = v.grant_id WHERE gp.provider_id = $1")
            .bind(provider_id).fetch_all(p).await?);
        Ok(rows.into_iter().collect())
    }

    /// All of a provider's deliveries in a period.
    pub async fn provider_deliveries(&self, provider_id: &str, period: &str) -> Result<Vec<DeliveryRow>, ApiError> {
        Ok(on_pool!(&self.storage.db, p => sqlx::query_as(
            "SELECT delivery_id, grant_id, provider_id, carer_visit_id, started_at, ends_at, minutes, period, revision FROM deliveries \
             WHERE provider_id = $1 AND period = $2 ORDER BY started_at, delivery_id")
            .bind(provider_id).bind(period).fetch_all(p).await?))
    }

    /// Every provider id, in order.
    pub async fn provider_ids(&self) -> Result<Vec<String>, ApiError> {
        let rows: Vec<(String,)> =
            on_pool!(&self.storage.db, p => sqlx::query_as("SELECT provider_id FROM providers ORDER BY provider_id").fetch_all(p).await?);
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// A statement by id.
    pub async fn statement(&self, statement_id: &str) -> Result<Option<StatementRow>, ApiError> {
        let sql = format!("SELECT {STATEMENT_COLUMNS} FROM statements WHERE statement_id = $1");
        Ok(on_pool!(&self.storage.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(statement_id).fetch_optional(p).await?))
    }

    /// Statements, optionally of one provider, period and state, by period then provider.
    pub async fn statements(
        &self,
        provider_id: &str,
        period: &str,
        state: i64,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<StatementRow>, ApiError> {
        let sql = format!(
            "SELECT {STATEMENT_COLUMNS} FROM statements WHERE ($1 = '' OR provider_id = $1) AND ($2 = '' OR period = $2) AND ($3 = 0 OR state = $3) \
             ORDER BY period, provider_id LIMIT $4 OFFSET $5"
        );
        Ok(on_pool!(&self.storage.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(provider_id).bind(period).bind(state).bind(limit).bind(offset).fetch_all(p).await?))
    }

    /// A statement's lines in order.
    pub async fn statement_lines(&self, statement_id: &str) -> Result<Vec<StoredLine>, ApiError> {
        let rows: Vec<LineRow> = on_pool!(&self.storage.db, p => sqlx::query_as(STATEMENT_LINES).bind(statement_id).fetch_all(p).await?);
        stored_lines(&rows)
    }

    /// The provider's statements as (period, state), by period.
    pub async fn statement_periods(&self, provider_id: &str) -> Result<Vec<(String, i64)>, ApiError> {
        Ok(
            on_pool!(&self.storage.db, p => sqlx::query_as("SELECT period, state FROM statements WHERE provider_id = $1 ORDER BY period")
            .bind(provider_id).fetch_all(p).await?),
        )
    }

    /// The settled months (`YYYY-MM`), in order: those any provider has an issued statement for,
    /// and those whose completed run left no draft to issue (a month with nothing to pay). A month
    /// never run here (before the municipality started, say) is not settled.
    pub async fn settled_periods(&self) -> Result<Vec<String>, ApiError> {
        let rows: Vec<(String,)> = on_pool!(&self.storage.db, p => sqlx::query_as(
            "SELECT period FROM statements WHERE state = $1 AND period NOT LIKE '%-true-up' \
             UNION SELECT r.period FROM runs r WHERE r.state = $2 \
               AND NOT EXISTS (SELECT 1 FROM statements s WHERE s.period = r.period AND s.state = $3) \
             ORDER BY period")
            .bind(ISSUED).bind(afregning_proto::settlement::v1::RunState::Completed as i64).bind(DRAFT).fetch_all(p).await?);
        Ok(rows.into_iter().map(|(period,)| period).collect())
    }

    /// What the provider has been paid for `period` so far: issued regular, rebooking and
    /// supplement lines for it that no issued reversal has taken back. (Reversals are the provider's own lines; the
    /// set of reversed ids is read once, so the plan stays linear even before fresh statistics.)
    pub async fn effective_lines(&self, provider_id: &str, period: &str) -> Result<Vec<StoredLine>, ApiError> {
        let rows: Vec<(Vec<u8>, String, String)> = on_pool!(&self.storage.db, p => sqlx::query_as(
            "SELECT l.payload, l.target_period, l.frames FROM statement_lines l JOIN statements s ON s.statement_id = l.statement_id \
             WHERE s.provider_id = $1 AND s.state = $2 AND l.target_period = $3 AND l.kind IN (1, 3, 5) \
             AND l.line_id NOT IN (SELECT r.corrects_line_id FROM statement_lines r JOIN statements rs ON rs.statement_id = r.statement_id \
                                   WHERE rs.provider_id = $1 AND rs.state = $2 AND r.kind = 2) \
             ORDER BY s.period, l.line_no")
            .bind(provider_id).bind(ISSUED).bind(period).fetch_all(p).await?);
        rows.iter()
            .map(|(payload, target, frames)| stored_line(payload, target.clone(), frames))
            .collect()
    }

    /// Sum of all issued statements, øre.
    pub async fn issued_total(&self) -> Result<i64, ApiError> {
        let (total,): (i64,) = on_pool!(&self.storage.db, p => sqlx::query_as("SELECT CAST(COALESCE(SUM(total_ore), 0) AS BIGINT) FROM statements WHERE state = $1")
            .bind(ISSUED).fetch_one(p).await?);
        Ok(total)
    }
}

/// Writes of statements inside a transaction.
pub(crate) trait StatementTx {
    /// Replaces the provider's draft for the period (if any) with `statement` and its lines and
    /// inputs; removes it when `lines` is empty. Refuses to touch an issued statement.
    async fn write_draft(&mut self, statement: &StatementRow, lines: &[StoredLine], inputs: &[Input]) -> Result<(), ApiError>;
    /// A statement by id.
    async fn statement(&mut self, statement_id: &str) -> Result<Option<StatementRow>, ApiError>;
    /// Waits until no other transaction works on the statement, and keeps it to this one until
    /// commit: issuing it and rewriting its draft never interleave, so a seal is always computed
    /// over exactly what is stored (SQLite has one writer; PostgreSQL takes an advisory lock).
    async fn lock_statement(&mut self, statement_id: &str) -> Result<(), ApiError>;
    /// A statement's lines in order, as this transaction sees them.
    async fn statement_lines(&mut self, statement_id: &str) -> Result<Vec<StoredLine>, ApiError>;
    /// Stores a draft's lines: on PostgreSQL in one statement, on SQLite row by row in process.
    async fn insert_lines(&mut self, statement_id: &str, lines: &[StoredLine]) -> Result<(), ApiError>;
    /// Stores the inputs that priced a draft, once each, the same way.
    async fn insert_inputs(&mut self, statement_id: &str, inputs: &[Input]) -> Result<(), ApiError>;
    /// Seals a draft; false when it is not a draft (any more).
    async fn seal(&mut self, statement_id: &str, content_hash: &str, issued_at: &str) -> Result<bool, ApiError>;
}

impl StatementTx for Tx {
    async fn write_draft(&mut self, statement: &StatementRow, lines: &[StoredLine], inputs: &[Input]) -> Result<(), ApiError> {
        self.lock_statement(&statement.statement_id).await?;
        let existing = self.statement(&statement.statement_id).await?;
        if existing.as_ref().is_some_and(|s| s.state == ISSUED) {
            return Err(ApiError::precondition("period", "the statement for this period is issued"));
        }
        on_tx!(self, t => {
            if existing.is_some() {
                sqlx::query("DELETE FROM statement_inputs WHERE statement_id = $1").bind(&statement.statement_id).execute(&mut **t).await?;
                sqlx::query("DELETE FROM statement_lines WHERE statement_id = $1").bind(&statement.statement_id).execute(&mut **t).await?;
                sqlx::query("DELETE FROM statements WHERE statement_id = $1").bind(&statement.statement_id).execute(&mut **t).await?;
            }
            if !lines.is_empty() {
                sqlx::query("INSERT INTO statements (statement_id, provider_id, period, state, total_ore, line_count, catalog_versions, content_hash, computed_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8)")
                    .bind(&statement.statement_id).bind(&statement.provider_id).bind(&statement.period).bind(DRAFT).bind(statement.total_ore)
                    .bind(statement.line_count).bind(&statement.catalog_versions).bind(&statement.computed_at)
                    .execute(&mut **t).await?;
            }
        });
        if !lines.is_empty() {
            self.insert_lines(&statement.statement_id, lines).await?;
            self.insert_inputs(&statement.statement_id, inputs).await?;
        }
        Ok(())
    }

    async fn statement(&mut self, statement_id: &str) -> Result<Option<StatementRow>, ApiError> {
        let sql = format!("SELECT {STATEMENT_COLUMNS} FROM statements WHERE statement_id = $1");
        Ok(on_tx!(self, t => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(statement_id).fetch_optional(&mut **t).await?))
    }

    async fn lock_statement(&mut self, statement_id: &str) -> Result<(), ApiError> {
        if let Tx::Postgres(t) = self {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('statement:' || $1, 0))")
                .bind(statement_id)
                .execute(&mut **t)
                .await?;
        }
        Ok(())
    }

    async fn statement_lines(&mut self, statement_id: &str) -> Result<Vec<StoredLine>, ApiError> {
        let rows: Vec<LineRow> = on_tx!(self, t => sqlx::query_as(STATEMENT_LINES).bind(statement_id).fetch_all(&mut **t).await?);
        stored_lines(&rows)
    }

    async fn insert_lines(&mut self, statement_id: &str, lines: &[StoredLine]) -> Result<(), ApiError> {
        const INSERT: &str = "INSERT INTO statement_lines (line_id, statement_id, line_no, kind, target_period, grant_id, amount_ore, corrects_line_id, frames, payload)";
        let frames = lines
            .iter()
            .map(|l| afregning_kit::store::json(&l.frames))
            .collect::<Result<Vec<String>, ApiError>>()?;
        match self {
            Tx::Postgres(t) => {
                let texts = |f: fn(&StoredLine) -> &String| lines.iter().map(|l| f(l).clone()).collect::<Vec<String>>();
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{INSERT} SELECT l.line_id, $10, l.line_no, l.kind, l.target_period, l.grant_id, l.amount_ore, l.corrects_line_id, l.frames, l.payload \
                     FROM UNNEST($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::bytea[]) \
                     AS l(line_id, line_no, kind, target_period, grant_id, amount_ore, corrects_line_id, frames, payload)"
                )))
                .bind(texts(|l| &l.line.line_id))
                .bind(lines.iter().map(|l| i64::from(l.line.line_no)).collect::<Vec<i64>>())
                .bind(lines.iter().map(|l| i64::from(l.line.kind)).collect::<Vec<i64>>())
                .bind(texts(|l| &l.target_period))
                .bind(texts(|l| &l.line.grant_id))
                .bind(lines.iter().map(|l| l.line.amount_ore).collect::<Vec<i64>>())
                .bind(texts(|l| &l.line.corrects_line_id))
                .bind(frames)
                .bind(lines.iter().map(|l| l.line.encode_to_vec()).collect::<Vec<Vec<u8>>>())
                .bind(statement_id)
                .execute(&mut **t)
                .await?;
            }
            Tx::Sqlite(t) => {
                for (l, frames) in lines.iter().zip(frames) {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "{INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                    )))
                    .bind(&l.line.line_id)
                    .bind(statement_id)
                    .bind(i64::from(l.line.line_no))
                    .bind(i64::from(l.line.kind))
                    .bind(&l.target_period)
                    .bind(&l.line.grant_id)
                    .bind(l.line.amount_ore)
                    .bind(&l.line.corrects_line_id)
                    .bind(frames)
                    .bind(l.line.encode_to_vec())
                    .execute(&mut **t)
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn insert_inputs(&mut self, statement_id: &str, inputs: &[Input]) -> Result<(), ApiError> {
        match self {
            Tx::Postgres(t) => {
                sqlx::query(
                    "INSERT INTO statement_inputs (statement_id, kind, input_key, payload) \
                     SELECT $4, i.kind, i.input_key, i.payload FROM UNNEST($1::text[], $2::text[], $3::bytea[]) AS i(kind, input_key, payload) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(inputs.iter().map(|i| i.kind.to_owned()).collect::<Vec<String>>())
                .bind(inputs.iter().map(|i| i.key.clone()).collect::<Vec<String>>())
                .bind(inputs.iter().map(|i| i.payload.clone()).collect::<Vec<Vec<u8>>>())
                .bind(statement_id)
                .execute(&mut **t)
                .await?;
            }
            Tx::Sqlite(t) => {
                for i in inputs {
                    sqlx::query("INSERT INTO statement_inputs (statement_id, kind, input_key, payload) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                        .bind(statement_id)
                        .bind(i.kind)
                        .bind(&i.key)
                        .bind(&i.payload)
                        .execute(&mut **t)
                        .await?;
                }
            }
        }
        Ok(())
    }

    async fn seal(&mut self, statement_id: &str, content_hash: &str, issued_at: &str) -> Result<bool, ApiError> {
        let sealed = on_tx!(self, t => sqlx::query("UPDATE statements SET state = $1, content_hash = $2, issued_at = $3 WHERE statement_id = $4 AND state = $5")
            .bind(ISSUED).bind(content_hash).bind(issued_at).bind(statement_id).bind(DRAFT).execute(&mut **t).await?.rows_affected());
        Ok(sealed == 1)
    }
}

/// A settlement run as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RunRow {
    /// `run-<YYYY-MM>-<n>`.
    pub run_id: String,
    /// `YYYY-MM`.
    pub period: String,
    /// Proto `RunState` number.
    pub state: i64,
    /// RFC 3339.
    pub started_at: String,
    /// RFC 3339, when done.
    pub finished_at: Option<String>,
    /// Sum of the drafts written.
    pub total_ore: i64,
}

/// Runs inside a transaction.
pub(crate) trait RunTx {
    /// Keeps the period's runs to this transaction until commit, so two runs of one month never
    /// start side by side (SQLite has one writer; PostgreSQL takes an advisory lock).
    async fn lock_runs(&mut self, period: &str) -> Result<(), ApiError>;
    /// The run a request id started, if any.
    async fn run_of_request(&mut self, request_id: &str) -> Result<Option<RunRow>, ApiError>;
    /// A run of the period still going, if any.
    async fn running_run(&mut self, period: &str) -> Result<Option<RunRow>, ApiError>;
    /// Records a run starting under `request_id`, or starts again the one it started before.
    async fn start_run(&mut self, run: &RunRow, request_id: &str) -> Result<(), ApiError>;
    /// Records how a run ended.
    async fn finish_run(&mut self, run_id: &str, state: i64, finished_at: &str, total_ore: i64) -> Result<(), ApiError>;
}

const RUN_COLUMNS: &str = "run_id, period, state, started_at, finished_at, total_ore";

impl RunTx for Tx {
    async fn lock_runs(&mut self, period: &str) -> Result<(), ApiError> {
        if let Tx::Postgres(t) = self {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('runs:' || $1, 0))")
                .bind(period)
                .execute(&mut **t)
                .await?;
        }
        Ok(())
    }

    async fn run_of_request(&mut self, request_id: &str) -> Result<Option<RunRow>, ApiError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE request_id = $1");
        Ok(on_tx!(self, t => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(request_id).fetch_optional(&mut **t).await?))
    }

    async fn running_run(&mut self, period: &str) -> Result<Option<RunRow>, ApiError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE period = $1 AND state = $2 ORDER BY started_at LIMIT 1");
        Ok(on_tx!(self, t => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(period).bind(RUNNING).fetch_optional(&mut **t).await?))
    }

    async fn start_run(&mut self, run: &RunRow, request_id: &str) -> Result<(), ApiError> {
        on_tx!(self, t => sqlx::query(
            "INSERT INTO runs (run_id, period, state, started_at, total_ore, request_id) VALUES ($1, $2, $3, $4, 0, $5) \
             ON CONFLICT (run_id) DO UPDATE SET state = excluded.state, started_at = excluded.started_at, finished_at = NULL, total_ore = 0")
            .bind(&run.run_id).bind(&run.period).bind(run.state).bind(&run.started_at).bind(request_id).execute(&mut **t).await.map(drop)?);
        Ok(())
    }

    async fn finish_run(&mut self, run_id: &str, state: i64, finished_at: &str, total_ore: i64) -> Result<(), ApiError> {
        on_tx!(self, t => sqlx::query("UPDATE runs SET state = $1, finished_at = $2, total_ore = $3 WHERE run_id = $4")
            .bind(state).bind(finished_at).bind(total_ore).bind(run_id).execute(&mut **t).await.map(drop)?);
        Ok(())
    }
}

/// A run going on (proto `RUN_STATE_RUNNING`).
pub const RUNNING: i64 = 1;
/// A run the service stopped in the middle of (proto `RUN_STATE_INTERRUPTED`).
pub const INTERRUPTED: i64 = 4;

impl Store {
    /// Marks as interrupted every run still recorded as going that started before `boot`: the
    /// process that ran it is gone. A retry with its request id completes it.
    pub async fn interrupt_runs(&self, boot: &str, now: &str) -> Result<u64, ApiError> {
        Ok(
            on_pool!(&self.storage.db, p => sqlx::query("UPDATE runs SET state = $1, finished_at = $2 WHERE state = $3 AND started_at < $4")
            .bind(INTERRUPTED).bind(now).bind(RUNNING).bind(boot).execute(p).await?.rows_affected()),
        )
    }

    /// A run by id.
    pub async fn run(&self, run_id: &str) -> Result<Option<RunRow>, ApiError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE run_id = $1");
        Ok(on_pool!(&self.storage.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(run_id).fetch_optional(p).await?))
    }
}

impl Store {
    /// Loads providers and grant versions into the mirror in one transaction (for seeding a
    /// store from another's mirror, as the follower would have built it).
    pub async fn import_mirror(&self, providers: &[pbc::Provider], versions: &[pbv::Grant]) -> Result<(), ApiError> {
        let mut tx = self.storage.begin().await?;
        for p in providers {
            tx.upsert_provider(p).await?;
        }
        for v in versions {
            tx.insert_grant_version(v).await?;
        }
        self.storage.commit(tx).await
    }
}
