//! Committees and frames.

use afregning_kit::store::Tx;
use afregning_kit::{ApiError, on_tx};
use afregning_tariff::Ore;
use chrono::{DateTime, NaiveDate, Utc};

use super::{Conn, on_conn, stored_date, stored_year};
use crate::domain::{Committee, CommitteeCode, Frame, FrameCode, Profile};

/// A committee as stored.
#[derive(sqlx::FromRow)]
struct CommitteeRow {
    code: String,
    name: String,
}

impl From<CommitteeRow> for Committee {
    fn from(row: CommitteeRow) -> Committee {
        Committee {
            code: CommitteeCode::new(row.code),
            name: row.name,
        }
    }
}

/// A frame as stored: `profile` is a JSON list of twelve monthly amounts, or empty for even by days.
#[derive(sqlx::FromRow)]
struct FrameRow {
    frame: String,
    year: i64,
    committee: String,
    name: String,
    account: String,
    amount_ore: i64,
    profile: String,
}

impl TryFrom<FrameRow> for Frame {
    type Error = ApiError;

    fn try_from(row: FrameRow) -> Result<Frame, ApiError> {
        // A profile that does not read as a list of amounts releases the budget evenly, as an
        // empty one does.
        let months: Vec<Ore> = afregning_kit::store::from_json::<Vec<i64>>(&row.profile)
            .unwrap_or_default()
            .into_iter()
            .map(Ore::new)
            .collect();
        Ok(Frame {
            code: FrameCode::new(row.frame),
            year: stored_year(row.year)?,
            committee: CommitteeCode::new(row.committee),
            name: row.name,
            account: row.account,
            amount: Ore::new(row.amount_ore),
            profile: Profile::of(&months),
        })
    }
}

const FRAME_COLUMNS: &str = "SELECT frame, year, committee, name, account, amount_ore, profile FROM frames";

/// Committees by code.
pub async fn committees(conn: Conn<'_>, offset: i64, limit: i64) -> Result<Vec<Committee>, ApiError> {
    let rows: Vec<CommitteeRow> = on_conn!(conn, e => sqlx::query_as("SELECT code, name FROM committees ORDER BY code LIMIT $1 OFFSET $2")
        .bind(limit).bind(offset).fetch_all(e).await?);
    Ok(rows.into_iter().map(Committee::from).collect())
}

/// Whether a committee exists.
pub async fn committee_exists(conn: Conn<'_>, code: &CommitteeCode) -> Result<bool, ApiError> {
    let row: Option<(String,)> =
        on_conn!(conn, e => sqlx::query_as("SELECT code FROM committees WHERE code = $1").bind(code.as_str()).fetch_optional(e).await?);
    Ok(row.is_some())
}

/// A frame of a year.
pub async fn frame(conn: Conn<'_>, frame: &FrameCode, year: i32) -> Result<Option<Frame>, ApiError> {
    let sql = format!("{FRAME_COLUMNS} WHERE frame = $1 AND year = $2");
    let row: Option<FrameRow> = on_conn!(conn, e => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(frame.as_str()).bind(i64::from(year)).fetch_optional(e).await?);
    row.map(Frame::try_from).transpose()
}

/// A year's frames by code.
pub async fn frames(conn: Conn<'_>, year: i32, offset: i64, limit: i64) -> Result<Vec<Frame>, ApiError> {
    let sql = format!("{FRAME_COLUMNS} WHERE year = $1 ORDER BY frame LIMIT $2 OFFSET $3");
    let rows: Vec<FrameRow> = on_conn!(conn, e => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(i64::from(year)).bind(limit).bind(offset).fetch_all(e).await?);
    rows.into_iter().map(Frame::try_from).collect()
}

/// Creates a committee; false when the code exists.
pub async fn insert_committee(tx: &mut Tx, committee: &Committee) -> Result<bool, ApiError> {
    let added = on_tx!(tx, t => sqlx::query("INSERT INTO committees (code, name) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(committee.code.as_str()).bind(&committee.name).execute(&mut **t).await?.rows_affected());
    Ok(added == 1)
}

/// Every setting of a frame's year with the day it takes effect, in the order they apply: by
/// effective day, then by recording.
pub async fn versions(conn: Conn<'_>, frame: &FrameCode, year: i32) -> Result<Vec<(NaiveDate, Frame)>, ApiError> {
    let rows: Vec<VersionRow> = on_conn!(conn, e => sqlx::query_as(
        "SELECT effective_from, frame, year, committee, name, account, amount_ore, profile FROM frame_versions \
         WHERE frame = $1 AND year = $2 ORDER BY effective_from, version_no")
        .bind(frame.as_str()).bind(i64::from(year)).fetch_all(e).await?);
    rows.into_iter()
        .map(|row| Ok((stored_date(&row.effective_from)?, Frame::try_from(row.frame)?)))
        .collect()
}

/// A frame's setting as stored beside the day it takes effect.
#[derive(sqlx::FromRow)]
struct VersionRow {
    effective_from: String,
    #[sqlx(flatten)]
    frame: FrameRow,
}

/// Records a setting of a frame taking effect on `effective_from`, and makes the latest setting
/// (by effective day, then recording) the frame's current one.
pub async fn record_frame(tx: &mut Tx, frame: &Frame, effective_from: NaiveDate, recorded_at: DateTime<Utc>) -> Result<(), ApiError> {
    let profile = stored_profile(frame)?;
    on_tx!(tx, t => sqlx::query(
        "INSERT INTO frame_versions (frame, year, effective_from, recorded_at, committee, name, account, amount_ore, profile) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(frame.code.as_str()).bind(i64::from(frame.year)).bind(effective_from.to_string())
        .bind(afregning_kit::store::timestamp(recorded_at)).bind(frame.committee.as_str()).bind(&frame.name)
        .bind(&frame.account).bind(frame.amount.get()).bind(profile)
        .execute(&mut **t).await.map(drop)?);
    let latest: Option<FrameRow> = on_tx!(tx, t => sqlx::query_as(
        "SELECT frame, year, committee, name, account, amount_ore, profile FROM frame_versions \
         WHERE frame = $1 AND year = $2 ORDER BY effective_from DESC, version_no DESC LIMIT 1")
        .bind(frame.code.as_str()).bind(i64::from(frame.year)).fetch_optional(&mut **t).await?);
    let latest = latest.map(Frame::try_from).transpose()?.unwrap_or_else(|| frame.clone());
    upsert_frame(tx, &latest).await
}

fn stored_profile(frame: &Frame) -> Result<String, ApiError> {
    Ok(match &frame.profile {
        Profile::EvenByDays => String::new(),
        Profile::Monthly(months) => afregning_kit::store::json(&months.map(Ore::get))?,
    })
}

/// Sets (creates or replaces) a frame's current setting.
async fn upsert_frame(tx: &mut Tx, frame: &Frame) -> Result<(), ApiError> {
    let profile = stored_profile(frame)?;
    on_tx!(tx, t => sqlx::query(
        "INSERT INTO frames (frame, year, committee, name, account, amount_ore, profile) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (frame, year) DO UPDATE SET committee = excluded.committee, name = excluded.name, account = excluded.account, \
         amount_ore = excluded.amount_ore, profile = excluded.profile")
        .bind(frame.code.as_str()).bind(i64::from(frame.year)).bind(frame.committee.as_str()).bind(&frame.name).bind(&frame.account)
        .bind(frame.amount.get()).bind(profile)
        .execute(&mut **t).await.map(drop)?);
    Ok(())
}
