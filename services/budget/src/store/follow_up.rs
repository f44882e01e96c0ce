//! What follow-up keeps beside the ledger: the latest version of every grant (commitments for the
//! forecast, followed from visitation's feed), leaders' expected accounts, deviation explanations,
//! and closed months with their frozen statuses.

use afregning_kit::store::Tx;
use afregning_kit::{ApiError, on_tx};
use afregning_proto::common::v1 as pbc;
use afregning_proto::terms::grant_terms;
use afregning_proto::visitation::v1 as pbv;
use afregning_tariff::{Ore, Period};
use chrono::{DateTime, NaiveDate, Utc};

use super::{Conn, corrupt, on_conn, stored_instant};
use crate::domain::FrameCode;
use crate::domain::follow_up::{Commitment, RestSource, Status};

/// A grant version as budget forecasts it. A grant the tariff cannot read (no terms, an unknown
/// unit) keeps no terms and so commits nothing.
fn commitment_of(grant: &pbv::Grant) -> Commitment {
    let providers = grant.terms.iter().flat_map(|t| &t.providers);
    Commitment {
        grant_id: grant.grant_id.clone(),
        paying_frame: FrameCode::new(grant.paying_frame.clone()),
        terms: grant_terms(grant).ok(),
        providers: providers.clone().map(|p| (p.provider_id.clone(), p.share_percent)).collect(),
        lead: providers.clone().position(|p| p.lead).unwrap_or(0),
        with_each: grant
            .terms
            .as_ref()
            .is_some_and(|t| t.settle_mode == pbc::SettleMode::WithEach as i32),
    }
}

/// The latest version of every grant: a course's frame split can make any frame pay a part.
pub async fn commitments(conn: Conn<'_>) -> Result<Vec<Commitment>, ApiError> {
    let rows: Vec<(Vec<u8>,)> = on_conn!(conn, e => sqlx::query_as("SELECT payload FROM grants ORDER BY grant_id").fetch_all(e).await?);
    rows.iter()
        .map(|(bytes,)| afregning_kit::store::decode::<pbv::Grant>(bytes).map(|g| commitment_of(&g)))
        .collect()
}

/// Keeps a grant version if it is newer than the one held.
pub async fn upsert_grant(tx: &mut Tx, grant: &pbv::Grant) -> Result<(), ApiError> {
    use prost::Message;
    on_tx!(tx, t => sqlx::query(
        "INSERT INTO grants (grant_id, version, paying_frame, payload) VALUES ($1, $2, $3, $4) ON CONFLICT (grant_id) DO UPDATE \
         SET version = excluded.version, paying_frame = excluded.paying_frame, payload = excluded.payload WHERE grants.version < excluded.version")
        .bind(&grant.grant_id).bind(i64::from(grant.version)).bind(&grant.paying_frame).bind(grant.encode_to_vec())
        .execute(&mut **t).await.map(drop)?);
    Ok(())
}

/// A leader's expected accounts for a frame's year: (month 1–12, amount), by month.
pub async fn expected_accounts(conn: Conn<'_>, frame: &FrameCode, year: i32) -> Result<Vec<(u32, Ore)>, ApiError> {
    let rows: Vec<(i64, i64)> = on_conn!(conn, e => sqlx::query_as(
        "SELECT month, amount_ore FROM expected_accounts WHERE frame = $1 AND year = $2 ORDER BY month")
        .bind(frame.as_str()).bind(i64::from(year)).fetch_all(e).await?);
    rows.into_iter()
        .map(|(month, amount)| Ok((u32::try_from(month).map_err(|_| corrupt("month"))?, Ore::new(amount))))
        .collect()
}

/// Replaces a frame's expected accounts for a year.
pub async fn replace_expected_accounts(
    tx: &mut Tx,
    frame: &FrameCode,
    year: i32,
    months: &[(u32, Ore)],
    submitted_by: &str,
    at: DateTime<Utc>,
) -> Result<(), ApiError> {
    let at = afregning_kit::store::timestamp(at);
    on_tx!(tx, t => {
        sqlx::query("DELETE FROM expected_accounts WHERE frame = $1 AND year = $2")
            .bind(frame.as_str()).bind(i64::from(year)).execute(&mut **t).await?;
        for (month, amount) in months {
            sqlx::query("INSERT INTO expected_accounts (frame, year, month, amount_ore, submitted_by, submitted_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(frame.as_str()).bind(i64::from(year)).bind(i64::from(*month)).bind(amount.get()).bind(submitted_by).bind(&at)
                .execute(&mut **t).await?;
        }
    });
    Ok(())
}

/// Whether a deviation explanation exists for a frame's month.
pub async fn has_explanation(conn: Conn<'_>, frame: &FrameCode, period: Period) -> Result<bool, ApiError> {
    let row: Option<(String,)> = on_conn!(conn, e => sqlx::query_as(
        "SELECT frame FROM deviation_explanations WHERE frame = $1 AND period = $2")
        .bind(frame.as_str()).bind(period.to_string()).fetch_optional(e).await?);
    Ok(row.is_some())
}

/// A month's deviation explanation, as submitted.
pub struct Explanation<'a> {
    /// The frame; with the month, the explanation's key (a later one replaces it).
    pub frame: &'a FrameCode,
    /// The month it explains.
    pub period: Period,
    /// Why the overrun.
    pub explanation: &'a str,
    /// The corrective actions, stored as a JSON list.
    pub actions: &'a [String],
    /// The principal who submitted it, for the record.
    pub submitted_by: &'a str,
    /// When it was submitted, for the record.
    pub at: DateTime<Utc>,
}

/// Stores (or replaces) a month's deviation explanation.
pub async fn upsert_explanation(tx: &mut Tx, x: &Explanation<'_>) -> Result<(), ApiError> {
    let actions = afregning_kit::store::json(&x.actions)?;
    on_tx!(tx, t => sqlx::query(
        "INSERT INTO deviation_explanations (frame, period, explanation, actions, submitted_by, submitted_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (frame, period) DO UPDATE SET explanation = excluded.explanation, actions = excluded.actions, \
         submitted_by = excluded.submitted_by, submitted_at = excluded.submitted_at")
        .bind(x.frame.as_str()).bind(x.period.to_string()).bind(x.explanation).bind(actions).bind(x.submitted_by)
        .bind(afregning_kit::store::timestamp(x.at)).execute(&mut **t).await.map(drop)?);
    Ok(())
}

/// Marks a frame's month closed (once).
pub async fn close_month(tx: &mut Tx, frame: &FrameCode, period: Period, at: DateTime<Utc>) -> Result<(), ApiError> {
    on_tx!(tx, t => sqlx::query("INSERT INTO closed_months (frame, period, closed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(frame.as_str()).bind(period.to_string()).bind(afregning_kit::store::timestamp(at)).execute(&mut **t).await.map(drop)?);
    Ok(())
}

/// A frame's month as closed: when, and the day's frozen status (none for a month closed before
/// closed months kept their figures).
pub struct Closed {
    /// When the month was closed.
    pub at: DateTime<Utc>,
    /// The day's status and whether it needed an explanation, as they were at the close.
    pub frozen: Option<(Status, bool)>,
}

/// A day's frozen status as stored beside its month's close.
#[derive(sqlx::FromRow)]
struct ClosedRow {
    closed_at: String,
    budget_ore: Option<i64>,
    consumed_ore: Option<i64>,
    rest_commitments_ore: Option<i64>,
    rest_leader_ore: Option<i64>,
    rest_source: Option<i64>,
    expected_rest_ore: Option<i64>,
    expected_result_ore: Option<i64>,
    consumption_bp: Option<i64>,
    profile_share_bp: Option<i64>,
    explanation_required: Option<i64>,
}

impl TryFrom<ClosedRow> for Closed {
    type Error = ApiError;

    fn try_from(row: ClosedRow) -> Result<Closed, ApiError> {
        let at = stored_instant(&row.closed_at)?;
        let Some(source) = row.rest_source else {
            return Ok(Closed { at, frozen: None });
        };
        let ore = |v: Option<i64>| v.map(Ore::new).ok_or_else(|| corrupt("closed status"));
        let status = Status {
            budget: ore(row.budget_ore)?,
            consumed: ore(row.consumed_ore)?,
            rest_from_commitments: ore(row.rest_commitments_ore)?,
            rest_from_leader: ore(row.rest_leader_ore)?,
            rest_source: RestSource::from_number(source).ok_or_else(|| corrupt(format_args!("rest source {source}")))?,
            expected_rest: ore(row.expected_rest_ore)?,
            expected_result: ore(row.expected_result_ore)?,
            consumption_bp: row.consumption_bp.ok_or_else(|| corrupt("closed status"))?,
            profile_share_bp: row.profile_share_bp.ok_or_else(|| corrupt("closed status"))?,
        };
        Ok(Closed {
            at,
            frozen: Some((status, row.explanation_required.unwrap_or_default() != 0)),
        })
    }
}

/// Whether `day`'s month is closed for a frame, and if so its frozen status that day.
pub async fn closed(conn: Conn<'_>, frame: &FrameCode, day: NaiveDate) -> Result<Option<Closed>, ApiError> {
    let row: Option<ClosedRow> = on_conn!(conn, e => sqlx::query_as(
        "SELECT c.closed_at, s.budget_ore, s.consumed_ore, s.rest_commitments_ore, s.rest_leader_ore, s.rest_source, \
         s.expected_rest_ore, s.expected_result_ore, s.consumption_bp, s.profile_share_bp, s.explanation_required \
         FROM closed_months c LEFT JOIN closed_statuses s ON s.frame = c.frame AND s.day = $3 WHERE c.frame = $1 AND c.period = $2")
        .bind(frame.as_str()).bind(Period::containing(day).to_string()).bind(day.to_string()).fetch_optional(e).await?);
    row.map(Closed::try_from).transpose()
}

/// Freezes a closed month's statuses, one a day (a day already frozen keeps its figures).
pub async fn freeze_days(tx: &mut Tx, frame: &FrameCode, days: &[(NaiveDate, Status, bool)]) -> Result<(), ApiError> {
    on_tx!(tx, t => {
        for (day, s, required) in days {
            sqlx::query(
                "INSERT INTO closed_statuses (frame, day, budget_ore, consumed_ore, rest_commitments_ore, rest_leader_ore, rest_source, \
                 expected_rest_ore, expected_result_ore, consumption_bp, profile_share_bp, explanation_required) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING")
                .bind(frame.as_str()).bind(day.to_string()).bind(s.budget.get()).bind(s.consumed.get())
                .bind(s.rest_from_commitments.get()).bind(s.rest_from_leader.get()).bind(s.rest_source.number())
                .bind(s.expected_rest.get()).bind(s.expected_result.get()).bind(s.consumption_bp).bind(s.profile_share_bp)
                .bind(i64::from(*required))
                .execute(&mut **t).await?;
        }
    });
    Ok(())
}

/// The months closed for a frame in `year`, in order.
pub async fn closed_periods(conn: Conn<'_>, frame: &FrameCode, year: i32) -> Result<Vec<Period>, ApiError> {
    let rows: Vec<(String,)> = on_conn!(conn, e => sqlx::query_as(
        "SELECT period FROM closed_months WHERE frame = $1 AND period LIKE $2 ORDER BY period")
        .bind(frame.as_str()).bind(format!("{year:04}-%")).fetch_all(e).await?);
    rows.into_iter()
        .map(|(period,)| period.parse::<Period>().map_err(|_| corrupt(format_args!("period {period}"))))
        .collect()
}
