//! The append-only ledger and its running day totals (the database refuses UPDATE and DELETE on
//! the ledger; the totals are kept in the same transaction as each entry).

use afregning_kit::store::Tx;
use afregning_kit::{ApiError, on_tx};
use afregning_tariff::Ore;

use super::{Conn, corrupt, on_conn, stored_date, stored_instant, stored_year};
use crate::domain::{DayTotal, EntrySource, FrameCode, LedgerEntry};

/// A ledger entry as stored: dates as ISO text, the source as its number.
#[derive(sqlx::FromRow)]
pub(super) struct LedgerRow {
    entry_no: i64,
    frame: String,
    year: i64,
    account: String,
    booked_on: String,
    amount_ore: i64,
    source: i64,
    source_ref: String,
    need_frame: String,
    text: String,
    recorded_at: String,
}

impl TryFrom<LedgerRow> for LedgerEntry {
    type Error = ApiError;

    fn try_from(row: LedgerRow) -> Result<LedgerEntry, ApiError> {
        Ok(LedgerEntry {
            entry_no: u64::try_from(row.entry_no).map_err(|_| corrupt("entry number"))?,
            frame: FrameCode::new(row.frame),
            year: stored_year(row.year)?,
            account: row.account,
            booked_on: stored_date(&row.booked_on)?,
            amount: Ore::new(row.amount_ore),
            source: source_of(row.source)?,
            source_ref: row.source_ref,
            need_frame: FrameCode::new(row.need_frame),
            text: row.text,
            recorded_at: stored_instant(&row.recorded_at)?,
        })
    }
}

fn source_of(number: i64) -> Result<EntrySource, ApiError> {
    EntrySource::from_number(number).ok_or_else(|| corrupt(format_args!("entry source {number}")))
}

/// The columns of [`LedgerRow`], for every query that reads entries.
pub(super) const LEDGER_COLUMNS: &str =
    "SELECT entry_no, frame, year, account, booked_on, amount_ore, source, source_ref, need_frame, text, recorded_at FROM ledger";

/// A frame's ledger entries of a year, oldest first.
pub async fn entries(conn: Conn<'_>, frame: &FrameCode, year: i32, offset: i64, limit: i64) -> Result<Vec<LedgerEntry>, ApiError> {
    let sql = format!("{LEDGER_COLUMNS} WHERE frame = $1 AND year = $2 ORDER BY entry_no LIMIT $3 OFFSET $4");
    let rows: Vec<LedgerRow> = on_conn!(conn, e => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(frame.as_str()).bind(i64::from(year)).bind(limit).bind(offset).fetch_all(e).await?);
    rows.into_iter().map(LedgerEntry::try_from).collect()
}

/// An entry by its source and reference.
pub async fn entry(conn: Conn<'_>, source: EntrySource, source_ref: &str) -> Result<Option<LedgerEntry>, ApiError> {
    let sql = format!("{LEDGER_COLUMNS} WHERE source = $1 AND source_ref = $2");
    let row: Option<LedgerRow> = on_conn!(conn, e => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(source.number()).bind(source_ref).fetch_optional(e).await?);
    row.map(LedgerEntry::try_from).transpose()
}

/// A frame's running totals of a year, by day and source.
pub async fn day_totals(conn: Conn<'_>, frame: &FrameCode, year: i32) -> Result<Vec<DayTotal>, ApiError> {
    let rows: Vec<(String, i64, i64)> = on_conn!(conn, e => sqlx::query_as(
        "SELECT day, source, amount_ore FROM frame_day_totals WHERE frame = $1 AND year = $2 ORDER BY day, source")
        .bind(frame.as_str()).bind(i64::from(year)).fetch_all(e).await?);
    rows.into_iter()
        .map(|(day, source, amount)| {
            Ok(DayTotal {
                day: stored_date(&day)?,
                source: source_of(source)?,
                amount: Ore::new(amount),
            })
        })
        .collect()
}

/// The sum of all entries of a source.
pub async fn total_of_source(conn: Conn<'_>, source: EntrySource) -> Result<Ore, ApiError> {
    let (total,): (i64,) = on_conn!(conn, e => sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(amount_ore), 0) AS BIGINT) FROM frame_day_totals WHERE source = $1")
        .bind(source.number()).fetch_one(e).await?);
    Ok(Ore::new(total))
}

/// Appends an entry and adds it to the running totals; false when its (source, reference) is
/// already in the ledger.
pub async fn append_entry(tx: &mut Tx, entry: &LedgerEntry) -> Result<bool, ApiError> {
    let booked_on = entry.booked_on.to_string();
    let added = on_tx!(tx, t => {
        let added = sqlx::query(
            "INSERT INTO ledger (frame, year, account, booked_on, amount_ore, source, source_ref, need_frame, text, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (source, source_ref) DO NOTHING")
            .bind(entry.frame.as_str()).bind(i64::from(entry.year)).bind(&entry.account).bind(&booked_on).bind(entry.amount.get())
            .bind(entry.source.number()).bind(&entry.source_ref).bind(entry.need_frame.as_str()).bind(&entry.text)
            .bind(afregning_kit::store::timestamp(entry.recorded_at))
            .execute(&mut **t).await?.rows_affected() == 1;
        if added {
            sqlx::query(
                "INSERT INTO frame_day_totals (frame, year, day, source, amount_ore) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (frame, year, day, source) DO UPDATE SET amount_ore = frame_day_totals.amount_ore + excluded.amount_ore")
                .bind(entry.frame.as_str()).bind(i64::from(entry.year)).bind(&booked_on).bind(entry.source.number()).bind(entry.amount.get())
                .execute(&mut **t).await?;
        }
        added
    });
    Ok(added)
}
