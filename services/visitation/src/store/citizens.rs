//! Citizens: the CPR number (stored as its digits, read back as a [`Cpr`]) behind the citizen id,
//! and the locks that keep two registrations of one person, or two overlapping grant
//! decisions, from racing.

use afregning_kit::ApiError;
use afregning_kit::on_tx;
use afregning_kit::store::Tx;
use afregning_tariff::Cpr;

use super::{On, damaged, day, instant, on, timestamp};
use crate::domain::CitizenId;
use crate::domain::citizen::Citizen;

#[derive(sqlx::FromRow)]
struct CitizenRow {
    citizen_id: String,
    cpr: String,
    birth_date: String,
    registered_at: String,
}

impl TryFrom<CitizenRow> for Citizen {
    type Error = ApiError;

    fn try_from(row: CitizenRow) -> Result<Citizen, ApiError> {
        Ok(Citizen {
            citizen_id: CitizenId::from(row.citizen_id),
            cpr: Cpr::parse(&row.cpr).map_err(|e| damaged("CPR number", e))?,
            birth_date: day(&row.birth_date)?,
            registered_at: instant(&row.registered_at)?,
        })
    }
}

/// A citizen by id.
pub async fn get(on: On<'_>, citizen_id: &CitizenId) -> Result<Option<Citizen>, ApiError> {
    let row: Option<CitizenRow> = on!(on, e => sqlx::query_as("SELECT citizen_id, cpr, birth_date, registered_at FROM citizens WHERE citizen_id = $1").bind(citizen_id.as_str()).fetch_optional(e).await?);
    row.map(Citizen::try_from).transpose()
}

/// A citizen by CPR number.
pub async fn by_cpr(on: On<'_>, cpr: &Cpr) -> Result<Option<Citizen>, ApiError> {
    let row: Option<CitizenRow> = on!(on, e => sqlx::query_as("SELECT citizen_id, cpr, birth_date, registered_at FROM citizens WHERE cpr = $1").bind(cpr.expose()).fetch_optional(e).await?);
    row.map(Citizen::try_from).transpose()
}

/// Whether a citizen exists.
pub async fn exists(on: On<'_>, citizen_id: &CitizenId) -> Result<bool, ApiError> {
    let row: Option<(String,)> = on!(on, e => sqlx::query_as("SELECT citizen_id FROM citizens WHERE citizen_id = $1").bind(citizen_id.as_str()).fetch_optional(e).await?);
    Ok(row.is_some())
}

/// Stores a new citizen.
pub async fn insert(tx: &mut Tx, citizen: &Citizen) -> Result<(), ApiError> {
    on_tx!(tx, t => sqlx::query("INSERT INTO citizens (citizen_id, cpr, birth_date, registered_at) VALUES ($1, $2, $3, $4)")
        .bind(citizen.citizen_id.as_str()).bind(citizen.cpr.expose()).bind(citizen.birth_date.to_string())
        .bind(timestamp(citizen.registered_at)).execute(&mut **t).await.map(drop)?);
    Ok(())
}

/// Keeps a CPR number to this transaction until commit, so two registrations of one person
/// under different request ids answer the same citizen (SQLite has one writer; PostgreSQL
/// takes an advisory lock).
pub async fn lock_cpr(tx: &mut Tx, cpr: &Cpr) -> Result<(), ApiError> {
    if let Tx::Postgres(t) = tx {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('cpr:' || $1, 0))")
            .bind(cpr.expose())
            .execute(&mut **t)
            .await?;
    }
    Ok(())
}

/// Locks a citizen for a grant decision (serialising overlap checks); their CPR number, or
/// `None` if unknown.
pub async fn lock(tx: &mut Tx, citizen_id: &CitizenId) -> Result<Option<Cpr>, ApiError> {
    let done = on_tx!(tx, t => sqlx::query("UPDATE citizens SET write_lock = write_lock + 1 WHERE citizen_id = $1")
        .bind(citizen_id.as_str()).execute(&mut **t).await?.rows_affected());
    if done == 1 {
        cpr_of(tx, citizen_id).await.map(Some)
    } else {
        Ok(None)
    }
}

/// A known citizen's CPR number.
pub async fn cpr_of(tx: &mut Tx, citizen_id: &CitizenId) -> Result<Cpr, ApiError> {
    let (cpr,): (String,) = on_tx!(tx, t => sqlx::query_as("SELECT cpr FROM citizens WHERE citizen_id = $1")
        .bind(citizen_id.as_str()).fetch_one(&mut **t).await?);
    Cpr::parse(&cpr).map_err(|e| damaged("CPR number", e))
}
