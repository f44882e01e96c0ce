//! Settlement postings summed for the ERP, per frame, account and month.

use afregning_kit::ApiError;
use afregning_tariff::{Ore, Period};

use super::{Conn, corrupt, on_conn};
use crate::domain::reconcile::PostingTotal;
use crate::domain::{EntrySource, FrameCode};

/// Settlement postings of a year per frame, account and month, optionally of one frame.
pub async fn posting_totals(conn: Conn<'_>, year: i32, frame: Option<&FrameCode>) -> Result<Vec<PostingTotal>, ApiError> {
    let rows: Vec<(String, String, String, i64, i64)> = on_conn!(conn, e => sqlx::query_as(
        "SELECT frame, account, substr(booked_on, 1, 7) AS month, CAST(SUM(amount_ore) AS BIGINT), CAST(COUNT(*) AS BIGINT) FROM ledger \
         WHERE source = $1 AND year = $2 AND ($3 = '' OR frame = $3) GROUP BY frame, account, substr(booked_on, 1, 7) ORDER BY frame, account, month")
        .bind(EntrySource::Settlement.number()).bind(i64::from(year)).bind(frame.map_or("", FrameCode::as_str)).fetch_all(e).await?);
    rows.into_iter()
        .map(|(frame, account, month, amount, entries)| {
            Ok(PostingTotal {
                frame: FrameCode::new(frame),
                account,
                period: month.parse::<Period>().map_err(|_| corrupt(format_args!("month {month:?}")))?,
                amount: Ore::new(amount),
                entries: u64::try_from(entries).unwrap_or(0),
            })
        })
        .collect()
}
