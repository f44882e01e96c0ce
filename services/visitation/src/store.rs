//! Visitation's storage: citizens, providers, assessments, grants and their versions, and the
//! audit log, on top of the kit's shared transaction, idempotency and feed
//! ([`afregning_kit::store`]). Each query is written once and runs on SQLite or PostgreSQL.

use afregning_kit::store::{FeedEvent, Storage, Tx, from_json, json};
use afregning_kit::{ApiError, on_pool, on_tx};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

use crate::domain::{FeedPayload, Grant, Provider, Status};

pub use afregning_kit::store::timestamp;

/// A citizen row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CitizenRow {
    /// Opaque id.
    pub citizen_id: String,
    /// CPR number (personal data; never log).
    pub cpr: String,
    /// ISO date.
    pub birth_date: String,
    /// RFC 3339.
    pub registered_at: String,
}

/// An assessment row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AssessmentRow {
    /// Opaque id.
    pub assessment_id: String,
    /// The citizen.
    pub citizen_id: String,
    /// ISO date.
    pub assessed_on: String,
    /// Who assessed.
    pub assessor: String,
    /// JSON `[[area, score], …]`.
    pub scores: String,
    /// RFC 3339.
    pub recorded_at: String,
}

impl AssessmentRow {
    /// The function scores, `(area, score)`.
    pub fn function_scores(&self) -> Result<Vec<(String, u32)>, ApiError> {
        from_json(&self.scores)
    }

    /// The day assessed.
    pub fn day(&self) -> Option<NaiveDate> {
        self.assessed_on.parse().ok()
    }
}

/// An audit row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    /// RFC 3339.
    pub at: String,
    /// Who read.
    pub principal: String,
    /// Which RPC.
    pub action: String,
    /// Why.
    pub purpose: String,
}

/// A stored grant feed event.
pub type EventRow = FeedEvent<FeedPayload>;

/// The store, shared by all handlers.
#[derive(Clone)]
pub struct Store {
    /// The database and its feed.
    pub storage: Storage,
}

/// One read of personal data, for the citizen's audit log.
const INSERT_AUDIT: &str = "INSERT INTO audit_log (citizen_id, at, principal, action, purpose) VALUES ($1, $2, $3, $4, $5)";

impl Store {
    /// A store over `db`.
    pub fn new(db: afregning_kit::db::Database) -> Store {
        Store { storage: Storage::new(db) }
    }

    /// A provider by id.
    pub async fn provider(&self, provider_id: &str) -> Result<Option<Provider>, ApiError> {
        let row = on_pool!(&self.storage.db, p => sqlx::query("SELECT provider_id, cvr, name, kind, committee, approved_for FROM providers WHERE provider_id = $1").bind(provider_id).fetch_optional(p).await?.map(|r| provider_from_row(&r)));
        Ok(row)
    }

    /// Providers ordered by id, a page at a time.
    pub async fn providers(&self, offset: i64, limit: i64) -> Result<Vec<Provider>, ApiError> {
        Ok(
            on_pool!(&self.storage.db, p => sqlx::query("SELECT provider_id, cvr, name, kind, committee, approved_for FROM providers ORDER BY provider_id LIMIT $1 OFFSET $2")
            .bind(limit).bind(offset).fetch_all(p).await?.iter().map(provider_from_row).collect()),
        )
    }

    /// A citizen by id.
    pub async fn citizen(&self, citizen_id: &str) -> Result<Option<CitizenRow>, ApiError> {
        Ok(
            on_pool!(&self.storage.db, p => sqlx::query_as("SELECT citizen_id, cpr, birth_date, registered_at FROM citizens WHERE citizen_id = $1").bind(citizen_id).fetch_optional(p).await?),
        )
    }

    /// A citizen by CPR number.
    pub async fn citizen_by_cpr(&self, cpr: &str) -> Result<Option<CitizenRow>, ApiError> {
        Ok(
            on_pool!(&self.storage.db, p => sqlx::query_as("SELECT citizen_id, cpr, birth_date, registered_at FROM citizens WHERE cpr = $1").bind(cpr).fetch_optional(p).await?),
        )
    }

    /// A citizen's assessments, newest first.
    pub async fn assessments(&self, citizen_id: &str, offset: i64, limit: i64) -> Result<Vec<AssessmentRow>, ApiError> {
        Ok(on_pool!(&self.storage.db, p => sqlx::query_as(
            "SELECT assessment_id, citizen_id, assessed_on, assessor, scores, recorded_at FROM assessments WHERE citizen_id = $1 \
             ORDER BY assessed_on DESC, recorded_at DESC, assessment_id LIMIT $2 OFFSET $3")
            .bind(citizen_id).bind(limit).bind(offset).fetch_all(p).await?))
    }

    /// The current version of a grant.
    pub async fn grant(&self, grant_id: &str) -> Result<Option<Grant>, ApiError> {
        let row: Option<(String,)> = on_pool!(&self.storage.db, p => sqlx::query_as("SELECT snapshot FROM grants WHERE grant_id = $1").bind(grant_id).fetch_optional(p).await?);
        row.map(|(s,)| from_json(&s)).transpose()
    }

    /// Versions of a grant, oldest first.
    pub async fn grant_versions(&self, grant_id: &str, offset: i64, limit: i64) -> Result<Vec<Grant>, ApiError> {
        let rows: Vec<(String,)> = on_pool!(&self.storage.db, p => sqlx::query_as("SELECT snapshot FROM grant_versions WHERE grant_id = $1 ORDER BY version LIMIT $2 OFFSET $3")
            .bind(grant_id).bind(limit).bind(offset).fetch_all(p).await?);
        rows.iter().map(|(s,)| from_json(s)).collect()
    }

    /// Every version of every grant of a citizen, oldest first per grant.
    pub async fn citizen_grant_versions(&self, citizen_id: &str) -> Result<Vec<Grant>, ApiError> {
        let rows: Vec<(String,)> = on_pool!(&self.storage.db, p => sqlx::query_as(
            "SELECT v.snapshot FROM grant_versions v JOIN grants g ON g.grant_id = v.grant_id WHERE g.citizen_id = $1 ORDER BY v.grant_id, v.version")
            .bind(citizen_id).fetch_all(p).await?);
        rows.iter().map(|(s,)| from_json(s)).collect()
    }

    /// A citizen's grants (current versions).
    pub async fn citizen_grants(&self, citizen_id: &str, include_ended: bool, offset: i64, limit: i64) -> Result<Vec<Grant>, ApiError> {
        let ended = if include_ended { -1 } else { Status::Ended.code() };
        let rows: Vec<(String,)> = on_pool!(&self.storage.db, p => sqlx::query_as(
            "SELECT snapshot FROM grants WHERE citizen_id = $1 AND status <> $2 ORDER BY start_date, grant_id LIMIT $3 OFFSET $4")
            .bind(citizen_id).bind(ended).bind(limit).bind(offset).fetch_all(p).await?);
        rows.iter().map(|(s,)| from_json(s)).collect()
    }

    /// Grants not ended whose follow-up falls on or before `until` (overdue ones included).
    pub async fn due_for_follow_up(&self, until: NaiveDate, offset: i64, limit: i64) -> Result<Vec<Grant>, ApiError> {
        let rows: Vec<(String,)> = on_pool!(&self.storage.db, p => sqlx::query_as(
            "SELECT snapshot FROM grants WHERE follow_up_on IS NOT NULL AND follow_up_on <= $1 AND status <> $2 \
             ORDER BY follow_up_on, grant_id LIMIT $3 OFFSET $4")
            .bind(until.to_string()).bind(Status::Ended.code()).bind(limit).bind(offset).fetch_all(p).await?);
        rows.iter().map(|(s,)| from_json(s)).collect()
    }

    /// Current versions of the grants that started on or before `on`, by id.
    pub async fn grants_started_by(&self, on: NaiveDate) -> Result<Vec<Grant>, ApiError> {
        let rows: Vec<(String,)> = on_pool!(&self.storage.db, p => sqlx::query_as(
            "SELECT snapshot FROM grants WHERE start_date <= $1 ORDER BY grant_id")
            .bind(on.to_string()).fetch_all(p).await?);
        rows.iter().map(|(s,)| from_json(s)).collect()
    }

    /// Every version of every grant whose validity covers `on`.
    pub async fn versions_of_grants_valid_on(&self, on: NaiveDate) -> Result<Vec<Grant>, ApiError> {
        let rows: Vec<(String,)> = on_pool!(&self.storage.db, p => sqlx::query_as(
            "SELECT v.snapshot FROM grant_versions v JOIN grants g ON g.grant_id = v.grant_id \
             WHERE g.start_date <= $1 AND (g.end_date IS NULL OR g.end_date >= $1) ORDER BY g.citizen_id, v.grant_id, v.version")
            .bind(on.to_string()).fetch_all(p).await?);
        rows.iter().map(|(s,)| from_json(s)).collect()
    }

    /// Records a read of a citizen's personal data.
    pub async fn audit(&self, citizen_id: &str, principal: &str, action: &str, purpose: &str) -> Result<(), ApiError> {
        let at = timestamp(Utc::now());
        on_pool!(&self.storage.db, p => sqlx::query(INSERT_AUDIT)
            .bind(citizen_id).bind(at).bind(principal).bind(action).bind(purpose).execute(p).await.map(drop)?);
        Ok(())
    }

    /// A citizen's audit log, oldest first.
    pub async fn audit_entries(&self, citizen_id: &str, offset: i64, limit: i64) -> Result<Vec<AuditRow>, ApiError> {
        Ok(
            on_pool!(&self.storage.db, p => sqlx::query_as("SELECT at, principal, action, purpose FROM audit_log WHERE citizen_id = $1 ORDER BY entry_no LIMIT $2 OFFSET $3")
            .bind(citizen_id).bind(limit).bind(offset).fetch_all(p).await?),
        )
    }
}

fn provider_from_row<R: Row>(row: &R) -> Provider
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let approved: String = row.get("approved_for");
    Provider {
        provider_id: row.get("provider_id"),
        cvr: row.get("cvr"),
        name: row.get("name"),
        kind: i32::try_from(row.get::<i64, _>("kind")).unwrap_or_default(),
        committee: row.get("committee"),
        approved_for: approved.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
    }
}

/// Visitation's writes inside a transaction.
pub(crate) trait VisitationTx {
    /// Stores a new provider.
    async fn insert_provider(&mut self, provider: &Provider, now: DateTime<Utc>) -> Result<(), ApiError>;

    /// A provider by id, inside the transaction.
    async fn provider(&mut self, provider_id: &str) -> Result<Option<Provider>, ApiError>;

    /// A citizen by CPR number, inside the transaction.
    async fn citizen_by_cpr(&mut self, cpr: &str) -> Result<Option<CitizenRow>, ApiError>;

    /// Stores a new citizen.
    async fn insert_citizen(&mut self, row: &CitizenRow) -> Result<(), ApiError>;

    /// Keeps a CPR number to this transaction until commit, so two registrations of one person
    /// under different request ids answer the same citizen (SQLite has one writer; PostgreSQL
    /// takes an advisory lock).
    async fn lock_cpr(&mut self, cpr: &str) -> Result<(), ApiError>;

    /// Writes a read of a citizen's personal data to their audit log, with the write it is part of.
    async fn audit(&mut self, citizen_id: &str, principal: &str, action: &str, purpose: &str) -> Result<(), ApiError>;

    /// Locks a citizen for a grant decision (serialising overlap checks); their CPR number, or
    /// `None` if unknown.
    async fn lock_citizen(&mut self, citizen_id: &str) -> Result<Option<String>, ApiError>;
    /// A citizen's CPR number.
    async fn cpr_of(&mut self, citizen_id: &str) -> Result<String, ApiError>;

    /// Whether a citizen exists.
    async fn citizen_exists(&mut self, citizen_id: &str) -> Result<bool, ApiError>;

    /// Stores an assessment.
    async fn insert_assessment(&mut self, row: &AssessmentRow) -> Result<(), ApiError>;

    /// A citizen's grants of one intervention (current versions).
    async fn grants_of_intervention(&mut self, citizen_id: &str, intervention: &str) -> Result<Vec<Grant>, ApiError>;

    /// The current version of a grant, inside the transaction.
    async fn grant(&mut self, grant_id: &str) -> Result<Option<Grant>, ApiError>;

    /// Stores a grant version: inserts it, and makes it current if its predecessor still is.
    /// Returns false when another decision got there first (the caller's version is stale).
    async fn save_grant(&mut self, grant: &Grant) -> Result<bool, ApiError>;
}

impl VisitationTx for Tx {
    /// Stores a new provider.
    async fn insert_provider(&mut self, provider: &Provider, now: DateTime<Utc>) -> Result<(), ApiError> {
        let at = timestamp(now);
        let approved = provider.approved_for.join(",");
        on_tx!(self, t => sqlx::query("INSERT INTO providers (provider_id, cvr, name, kind, committee, approved_for, registered_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&provider.provider_id).bind(&provider.cvr).bind(&provider.name).bind(i64::from(provider.kind)).bind(&provider.committee)
            .bind(approved).bind(at).execute(&mut **t).await.map(drop)?);
        Ok(())
    }

    /// A provider by id, inside the transaction.
    async fn provider(&mut self, provider_id: &str) -> Result<Option<Provider>, ApiError> {
        Ok(
            on_tx!(self, t => sqlx::query("SELECT provider_id, cvr, name, kind, committee, approved_for FROM providers WHERE provider_id = $1")
            .bind(provider_id).fetch_optional(&mut **t).await?.map(|r| provider_from_row(&r))),
        )
    }

    /// A citizen by CPR number, inside the transaction.
    async fn citizen_by_cpr(&mut self, cpr: &str) -> Result<Option<CitizenRow>, ApiError> {
        Ok(
            on_tx!(self, t => sqlx::query_as("SELECT citizen_id, cpr, birth_date, registered_at FROM citizens WHERE cpr = $1").bind(cpr).fetch_optional(&mut **t).await?),
        )
    }

    async fn lock_cpr(&mut self, cpr: &str) -> Result<(), ApiError> {
        if let Tx::Postgres(t) = self {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('cpr:' || $1, 0))")
                .bind(cpr)
                .execute(&mut **t)
                .await?;
        }
        Ok(())
    }

    async fn audit(&mut self, citizen_id: &str, principal: &str, action: &str, purpose: &str) -> Result<(), ApiError> {
        let at = timestamp(Utc::now());
        on_tx!(self, t => sqlx::query(INSERT_AUDIT)
            .bind(citizen_id).bind(at).bind(principal).bind(action).bind(purpose).execute(&mut **t).await.map(drop)?);
        Ok(())
    }

    /// Stores a new citizen.
    async fn insert_citizen(&mut self, row: &CitizenRow) -> Result<(), ApiError> {
        on_tx!(self, t => sqlx::query("INSERT INTO citizens (citizen_id, cpr, birth_date, registered_at) VALUES ($1, $2, $3, $4)")
            .bind(&row.citizen_id).bind(&row.cpr).bind(&row.birth_date).bind(&row.registered_at).execute(&mut **t).await.map(drop)?);
        Ok(())
    }

    /// Locks a citizen for a grant decision (serialising overlap checks); false if unknown.
    async fn lock_citizen(&mut self, citizen_id: &str) -> Result<Option<String>, ApiError> {
        let done = on_tx!(self, t => sqlx::query("UPDATE citizens SET write_lock = write_lock + 1 WHERE citizen_id = $1").bind(citizen_id).execute(&mut **t).await?.rows_affected());
        if done == 1 {
            self.cpr_of(citizen_id).await.map(Some)
        } else {
            Ok(None)
        }
    }

    async fn cpr_of(&mut self, citizen_id: &str) -> Result<String, ApiError> {
        let (cpr,): (String,) =
            on_tx!(self, t => sqlx::query_as("SELECT cpr FROM citizens WHERE citizen_id = $1").bind(citizen_id).fetch_one(&mut **t).await?);
        Ok(cpr)
    }

    /// Whether a citizen exists.
    async fn citizen_exists(&mut self, citizen_id: &str) -> Result<bool, ApiError> {
        let row: Option<(String,)> = on_tx!(self, t => sqlx::query_as("SELECT citizen_id FROM citizens WHERE citizen_id = $1").bind(citizen_id).fetch_optional(&mut **t).await?);
        Ok(row.is_some())
    }

    /// Stores an assessment.
    async fn insert_assessment(&mut self, row: &AssessmentRow) -> Result<(), ApiError> {
        on_tx!(self, t => sqlx::query("INSERT INTO assessments (assessment_id, citizen_id, assessed_on, assessor, scores, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&row.assessment_id).bind(&row.citizen_id).bind(&row.assessed_on).bind(&row.assessor).bind(&row.scores).bind(&row.recorded_at)
            .execute(&mut **t).await.map(drop)?);
        Ok(())
    }

    /// A citizen's grants of one intervention (current versions).
    async fn grants_of_intervention(&mut self, citizen_id: &str, intervention: &str) -> Result<Vec<Grant>, ApiError> {
        let rows: Vec<(String,)> = on_tx!(self, t => sqlx::query_as("SELECT snapshot FROM grants WHERE citizen_id = $1 AND intervention = $2")
            .bind(citizen_id).bind(intervention).fetch_all(&mut **t).await?);
        rows.iter().map(|(s,)| from_json(s)).collect()
    }

    /// The current version of a grant, inside the transaction.
    async fn grant(&mut self, grant_id: &str) -> Result<Option<Grant>, ApiError> {
        let row: Option<(String,)> = on_tx!(self, t => sqlx::query_as("SELECT snapshot FROM grants WHERE grant_id = $1").bind(grant_id).fetch_optional(&mut **t).await?);
        row.map(|(s,)| from_json(&s)).transpose()
    }

    /// Stores a grant version: inserts it, and makes it current if its predecessor still is.
    /// Returns false when another decision got there first (the caller's version is stale).
    async fn save_grant(&mut self, grant: &Grant) -> Result<bool, ApiError> {
        let snapshot = json(grant)?;
        let (start, end) = (grant.start.to_string(), grant.end.map(|d| d.to_string()));
        let follow_up = grant.course.as_ref().map(|c| c.follow_up_on.to_string());
        let version = i64::from(grant.version);
        let recorded = timestamp(grant.recorded_at);
        let current = on_tx!(self, t => {
            let affected = if grant.version == 1 {
                sqlx::query("INSERT INTO grants (grant_id, citizen_id, version, intervention, status, start_date, end_date, visited_minutes, follow_up_on, snapshot) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                    .bind(&grant.grant_id).bind(&grant.citizen_id).bind(version).bind(&grant.terms.intervention).bind(grant.status.code())
                    .bind(&start).bind(&end).bind(i64::from(grant.terms.visited_minutes_per_week)).bind(&follow_up).bind(&snapshot)
                    .execute(&mut **t).await?.rows_affected()
            } else {
                sqlx::query("UPDATE grants SET version = $1, status = $2, start_date = $3, end_date = $4, visited_minutes = $5, follow_up_on = $6, snapshot = $7 \
                             WHERE grant_id = $8 AND version = $9")
                    .bind(version).bind(grant.status.code()).bind(&start).bind(&end).bind(i64::from(grant.terms.visited_minutes_per_week))
                    .bind(&follow_up).bind(&snapshot).bind(&grant.grant_id).bind(version - 1)
                    .execute(&mut **t).await?.rows_affected()
            };
            if affected == 1 {
                sqlx::query("INSERT INTO grant_versions (grant_id, version, effective_from, snapshot, recorded_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&grant.grant_id).bind(version).bind(grant.effective_from.to_string()).bind(&snapshot).bind(&recorded)
                    .execute(&mut **t).await?;
            }
            affected == 1
        });
        Ok(current)
    }
}
