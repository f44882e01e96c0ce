//! Grants: the current version of each (`grants`, with the columns the queries filter on) and
//! every version (`grant_versions`), each stored as a JSON snapshot of the domain [`Grant`].

use afregning_kit::ApiError;
use afregning_kit::on_tx;
use afregning_kit::store::{Tx, from_json, json};
use chrono::NaiveDate;

use super::{On, on, timestamp};
use crate::domain::{CitizenId, Grant, GrantId, Status};

/// The stored status code (the contract's number).
fn status_code(status: Status) -> i64 {
    match status {
        Status::Active => 1,
        Status::Suspended => 2,
        Status::Ended => 3,
    }
}

fn snapshots(rows: Vec<(String,)>) -> Result<Vec<Grant>, ApiError> {
    rows.iter().map(|(s,)| from_json(s)).collect()
}

/// The current version of a grant.
pub async fn get(on: On<'_>, grant_id: &GrantId) -> Result<Option<Grant>, ApiError> {
    let row: Option<(String,)> = on!(on, e => sqlx::query_as("SELECT snapshot FROM grants WHERE grant_id = $1")
        .bind(grant_id.as_str()).fetch_optional(e).await?);
    row.map(|(s,)| from_json(&s)).transpose()
}

/// Versions of a grant, oldest first.
pub async fn versions(on: On<'_>, grant_id: &GrantId, offset: i64, limit: i64) -> Result<Vec<Grant>, ApiError> {
    snapshots(
        on!(on, e => sqlx::query_as("SELECT snapshot FROM grant_versions WHERE grant_id = $1 ORDER BY version LIMIT $2 OFFSET $3")
        .bind(grant_id.as_str()).bind(limit).bind(offset).fetch_all(e).await?),
    )
}

/// Every version of every grant of a citizen, oldest first per grant.
pub async fn citizen_versions(on: On<'_>, citizen_id: &CitizenId) -> Result<Vec<Grant>, ApiError> {
    snapshots(on!(on, e => sqlx::query_as(
        "SELECT v.snapshot FROM grant_versions v JOIN grants g ON g.grant_id = v.grant_id WHERE g.citizen_id = $1 ORDER BY v.grant_id, v.version")
        .bind(citizen_id.as_str()).fetch_all(e).await?))
}

/// A citizen's grants (current versions), ended ones only when asked.
pub async fn of_citizen(on: On<'_>, citizen_id: &CitizenId, include_ended: bool, offset: i64, limit: i64) -> Result<Vec<Grant>, ApiError> {
    let ended = if include_ended { -1 } else { status_code(Status::Ended) };
    snapshots(on!(on, e => sqlx::query_as(
        "SELECT snapshot FROM grants WHERE citizen_id = $1 AND status <> $2 ORDER BY start_date, grant_id LIMIT $3 OFFSET $4")
        .bind(citizen_id.as_str()).bind(ended).bind(limit).bind(offset).fetch_all(e).await?))
}

/// A citizen's grants of one intervention (current versions), for the overlap rule.
pub async fn of_intervention(on: On<'_>, citizen_id: &CitizenId, intervention: &str) -> Result<Vec<Grant>, ApiError> {
    snapshots(
        on!(on, e => sqlx::query_as("SELECT snapshot FROM grants WHERE citizen_id = $1 AND intervention = $2")
        .bind(citizen_id.as_str()).bind(intervention).fetch_all(e).await?),
    )
}

/// Grants not ended whose follow-up falls on or before `until` (overdue ones included).
pub async fn due_for_follow_up(on: On<'_>, until: NaiveDate, offset: i64, limit: i64) -> Result<Vec<Grant>, ApiError> {
    snapshots(on!(on, e => sqlx::query_as(
        "SELECT snapshot FROM grants WHERE follow_up_on IS NOT NULL AND follow_up_on <= $1 AND status <> $2 \
         ORDER BY follow_up_on, grant_id LIMIT $3 OFFSET $4")
        .bind(until.to_string()).bind(status_code(Status::Ended)).bind(limit).bind(offset).fetch_all(e).await?))
}

/// Current versions of the grants that started on or before `on_day`, by id.
pub async fn started_by(on: On<'_>, on_day: NaiveDate) -> Result<Vec<Grant>, ApiError> {
    snapshots(
        on!(on, e => sqlx::query_as("SELECT snapshot FROM grants WHERE start_date <= $1 ORDER BY grant_id")
        .bind(on_day.to_string()).fetch_all(e).await?),
    )
}

/// Every version of every grant whose validity covers `on_day`.
pub async fn versions_valid_on(on: On<'_>, on_day: NaiveDate) -> Result<Vec<Grant>, ApiError> {
    snapshots(on!(on, e => sqlx::query_as(
        "SELECT v.snapshot FROM grant_versions v JOIN grants g ON g.grant_id = v.grant_id \
         WHERE g.start_date <= $1 AND (g.end_date IS NULL OR g.end_date >= $1) ORDER BY g.citizen_id, v.grant_id, v.version")
        .bind(on_day.to_string()).fetch_all(e).await?))
}

/// Stores a grant version: inserts it, and makes it current if its predecessor still is.
/// Returns false when another decision got there first (the caller's version is stale).
pub async fn save(tx: &mut Tx, grant: &Grant) -> Result<bool, ApiError> {
    let snapshot = json(grant)?;
    let (start, end) = (grant.start.to_string(), grant.end.map(|d| d.to_string()));
    let follow_up = grant.course.as_ref().map(|c| c.follow_up_on.to_string());
    let version = i64::from(grant.version);
    let recorded = timestamp(grant.recorded_at);
    let (id, status, minutes) = (
        grant.grant_id.as_str(),
        status_code(grant.status),
        i64::from(grant.terms.visited_minutes_per_week),
    );
    let current = on_tx!(tx, t => {
        let affected = if grant.version == 1 {
            sqlx::query("INSERT INTO grants (grant_id, citizen_id, version, intervention, status, start_date, end_date, visited_minutes, follow_up_on, snapshot) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                .bind(id).bind(grant.citizen_id.as_str()).bind(version).bind(&grant.terms.intervention).bind(status)
                .bind(&start).bind(&end).bind(minutes).bind(&follow_up).bind(&snapshot)
                .execute(&mut **t).await?.rows_affected()
        } else {
            sqlx::query("UPDATE grants SET version = $1, status = $2, start_date = $3, end_date = $4, visited_minutes = $5, follow_up_on = $6, snapshot = $7 \
                         WHERE grant_id = $8 AND version = $9")
                .bind(version).bind(status).bind(&start).bind(&end).bind(minutes)
                .bind(&follow_up).bind(&snapshot).bind(id).bind(version - 1)
                .execute(&mut **t).await?.rows_affected()
        };
        if affected == 1 {
            sqlx::query("INSERT INTO grant_versions (grant_id, version, effective_from, snapshot, recorded_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(id).bind(version).bind(grant.effective_from.to_string()).bind(&snapshot).bind(&recorded)
                .execute(&mut **t).await?;
        }
        affected == 1
    });
    Ok(current)
}
