//! The review lists of settled months: the list with its settings and seed, its items with the
//! figures they were listed for, and each item's outcome; and the recoveries not yet on an issued
//! statement. Lists, items and outcomes are written once.

use std::collections::BTreeMap;

use afregning_kit::ApiError;
use afregning_kit::store::Tx;
use afregning_tariff::{Ore, Period};
use chrono::{DateTime, Utc};

use super::line_codec::{unit_kind_of_wire, wire_unit_kind};
use super::{On, Store, corrupt, instant_text, on, stored_instant};
use crate::domain::ids::{CitizenId, GrantId, ProviderId};
use crate::domain::line::{FramePart, LineKind};
use crate::domain::review::{Booking, Candidate, Item, Outcome, Reason, Recovery, Settings};
use crate::domain::statement::StatementStatus;

/// A stored list's header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListHeader {
    /// The month reviewed.
    pub period: Period,
    /// How it was drawn.
    pub settings: Settings,
    /// Grants of the month considered.
    pub grants_considered: u32,
    /// When it was built.
    pub built_at: DateTime<Utc>,
}

/// An outcome as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// What the review found.
    pub outcome: Outcome,
    /// The note.
    pub note: String,
    /// For a recovery: what is paid back.
    pub recovery: Ore,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub by: String,
}

/// A stored item with its outcome, if recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredItem {
    /// The month reviewed.
    pub period: Period,
    /// The item.
    pub item: Item,
    /// Its outcome.
    pub recorded: Option<Recorded>,
}

type HeaderRow = (String, i64, i64, i64, String, i64, String);

fn header((period, threshold, sample, highest, seed, considered, built_at): HeaderRow) -> Result<ListHeader, ApiError> {
    let small = |what: &str, n: i64| u32::try_from(n).map_err(|_| corrupt(what, n));
    Ok(ListHeader {
        period: period.parse().map_err(|_| corrupt("period", &period))?,
        settings: Settings {
            threshold_percent: small("threshold", threshold)?,
            sample_size: small("sample size", sample)?,
            highest_count: small("highest count", highest)?,
            seed: seed.parse().map_err(|_| corrupt("seed", &seed))?,
        },
        grants_considered: small("grants considered", considered)?,
        built_at: stored_instant(&built_at)?,
    })
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    period: String,
    grant_id: String,
    provider_id: String,
    citizen_id: String,
    visited_minutes: i64,
    delivered_minutes: i64,
    amount_ore: i64,
    reasons: String,
    paying_frame: String,
    need_frame: String,
    account: String,
    unit: String,
    unit_kind: i64,
    outcome: Option<i64>,
    note: Option<String>,
    recovery_ore: Option<i64>,
    recorded_at: Option<String>,
    recorded_by: Option<String>,
}

const ITEM_SELECT: &str = "SELECT i.period, i.grant_id, i.provider_id, i.citizen_id, i.visited_minutes, i.delivered_minutes, i.amount_ore, \
     i.reasons, i.paying_frame, i.need_frame, i.account, i.unit, i.unit_kind, \
     o.outcome, o.note, o.recovery_ore, o.recorded_at, o.recorded_by \
     FROM review_items i LEFT JOIN review_outcomes o \
     ON o.period = i.period AND o.grant_id = i.grant_id AND o.provider_id = i.provider_id";

impl TryFrom<ItemRow> for StoredItem {
    type Error = ApiError;

    fn try_from(r: ItemRow) -> Result<StoredItem, ApiError> {
        let minutes = |what: &str, n: i64| u64::try_from(n).map_err(|_| corrupt(what, n));
        let reasons = r
            .reasons
            .split(',')
            .map(|code| {
                code.parse::<i32>()
                    .ok()
                    .and_then(Reason::from_code)
                    .ok_or_else(|| corrupt("review reason", code))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let recorded = match (r.outcome, r.recorded_at) {
            (Some(code), Some(at)) => Some(Recorded {
                outcome: i32::try_from(code)
                    .ok()
                    .and_then(Outcome::from_code)
                    .ok_or_else(|| corrupt("review outcome", code))?,
                note: r.note.unwrap_or_default(),
                recovery: Ore::new(r.recovery_ore.unwrap_or_default()),
                at: stored_instant(&at)?,
                by: r.recorded_by.unwrap_or_default(),
            }),
            _ => None,
        };
        Ok(StoredItem {
            period: r.period.parse().map_err(|_| corrupt("period", &r.period))?,
            item: Item {
                candidate: Candidate {
                    grant_id: GrantId::new(r.grant_id),
                    provider_id: ProviderId::new(r.provider_id),
                    citizen_id: CitizenId::new(r.citizen_id),
                    visited_minutes: minutes("visited minutes", r.visited_minutes)?,
                    delivered_minutes: minutes("delivered minutes", r.delivered_minutes)?,
                    amount: Ore::new(r.amount_ore),
                    booking: Booking {
                        // Read back with the recoveries that need them.
                        frames: Vec::new(),
                        paying_frame: r.paying_frame,
                        need_frame: r.need_frame,
                        account: r.account,
                        unit: r.unit,
                        unit_kind: unit_kind_of_wire(i32::try_from(r.unit_kind).unwrap_or(0)),
                    },
                },
                reasons,
            },
            recorded,
        })
    }
}

async fn list_on(mut on: On<'_>, period: Period) -> Result<Option<(ListHeader, Vec<StoredItem>)>, ApiError> {
    let row: Option<HeaderRow> = on!(on.reborrow(), e => sqlx::query_as(
        "SELECT period, threshold_percent, sample_size, highest_count, seed, grants_considered, built_at FROM review_lists WHERE period = $1")
        .bind(period.to_string()).fetch_optional(e).await?);
    let Some(row) = row else { return Ok(None) };
    let sql = format!("{ITEM_SELECT} WHERE i.period = $1 ORDER BY i.position");
    let rows: Vec<ItemRow> = on!(on, e => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(period.to_string()).fetch_all(e).await?);
    let items = rows.into_iter().map(StoredItem::try_from).collect::<Result<_, _>>()?;
    Ok(Some((header(row)?, items)))
}

impl Store {
    /// The month's review list with its items and outcomes, if built.
    pub async fn review_list(&self, period: Period) -> Result<Option<(ListHeader, Vec<StoredItem>)>, ApiError> {
        list_on(self.pool(), period).await
    }

    /// Whether the month's review list is built.
    pub async fn review_list_built(&self, period: Period) -> Result<bool, ApiError> {
        let row: Option<(String,)> = on!(self.pool(), e => sqlx::query_as("SELECT period FROM review_lists WHERE period = $1")
            .bind(period.to_string()).fetch_optional(e).await?);
        Ok(row.is_some())
    }

    /// The provider's recoveries of months before `before` that no issued statement carries yet,
    /// by month and grant.
    pub async fn pending_recoveries(&self, provider_id: &str, before: Period) -> Result<Vec<Recovery>, ApiError> {
        let sql = format!(
            "{ITEM_SELECT} WHERE o.provider_id = $1 AND o.outcome = $3 AND i.period < $2 \
             AND NOT EXISTS (SELECT 1 FROM statement_lines l JOIN statements s ON s.statement_id = l.statement_id \
                             WHERE s.provider_id = $1 AND s.state = $4 AND l.kind = $5 AND l.grant_id = i.grant_id AND l.target_period = i.period) \
             ORDER BY i.period, i.grant_id"
        );
        let rows: Vec<ItemRow> = on!(self.pool(), e => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(provider_id).bind(before.to_string()).bind(i64::from(Outcome::Recovery.code()))
            .bind(i64::from(StatementStatus::Issued.code())).bind(i64::from(LineKind::Recovery.code()))
            .fetch_all(e).await?);
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        // What each frame paid for the provider's listed grants, by month and grant.
        let frame_rows: Vec<(String, String, String, String, String, i64)> = on!(self.pool(), e => sqlx::query_as(
            "SELECT f.period, f.grant_id, f.paying_frame, f.need_frame, f.account, f.amount_ore FROM review_item_frames f \
             JOIN review_outcomes o ON o.period = f.period AND o.grant_id = f.grant_id AND o.provider_id = f.provider_id \
             WHERE f.provider_id = $1 AND o.outcome = $2 AND f.period < $3 \
             ORDER BY f.period, f.grant_id, f.paying_frame, f.need_frame, f.account")
            .bind(provider_id).bind(i64::from(Outcome::Recovery.code())).bind(before.to_string())
            .fetch_all(e).await?);
        let mut frames: BTreeMap<(String, String), Vec<FramePart>> = BTreeMap::new();
        for (period, grant_id, paying_frame, need_frame, account, amount_ore) in frame_rows {
            frames.entry((period, grant_id)).or_default().push(FramePart {
                paying_frame,
                need_frame,
                account,
                amount_ore: Ore::new(amount_ore),
            });
        }
        rows.into_iter()
            .map(|row| {
                let stored = StoredItem::try_from(row)?;
                let recorded = stored.recorded.ok_or_else(|| corrupt("recovery", "without outcome"))?;
                let mut booking = stored.item.candidate.booking;
                let grant_id = stored.item.candidate.grant_id;
                booking.frames = frames
                    .remove(&(stored.period.to_string(), grant_id.as_str().to_owned()))
                    .unwrap_or_default();
                Ok(Recovery {
                    period: stored.period,
                    grant_id,
                    citizen_id: stored.item.candidate.citizen_id,
                    amount: recorded.recovery,
                    note: recorded.note,
                    booking,
                })
            })
            .collect()
    }
}

/// Writes of review lists inside a transaction.
pub(crate) trait ReviewTx {
    /// Stores a month's list and its items; false when the month has a list already (the first
    /// stands).
    async fn insert_review_list(&mut self, header: &ListHeader, items: &[Item]) -> Result<bool, ApiError>;
    /// One item of a month's list with its outcome, if listed.
    async fn review_item(&mut self, period: Period, grant_id: &str, provider_id: &str) -> Result<Option<StoredItem>, ApiError>;
    /// Whether an issued statement of the provider carries the recovery of `grant_id` for
    /// `period` already; on PostgreSQL it first waits for any other issue of a recovery of the
    /// provider's, so two statements cannot both pay one back.
    async fn recovery_issued(&mut self, provider_id: &str, grant_id: &str, period: &str) -> Result<bool, ApiError>;
    /// Records an item's outcome; false when it has one already (the first stands).
    async fn record_outcome(&mut self, period: Period, grant_id: &str, provider_id: &str, recorded: &Recorded) -> Result<bool, ApiError>;
}

impl ReviewTx for Tx {
    async fn insert_review_list(&mut self, header: &ListHeader, items: &[Item]) -> Result<bool, ApiError> {
        let s = &header.settings;
        // Another build of the month at the same time waits here and then inserts nothing.
        let inserted = afregning_kit::on_tx!(self, t => sqlx::query(
            "INSERT INTO review_lists (period, threshold_percent, sample_size, highest_count, seed, grants_considered, built_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING")
            .bind(header.period.to_string()).bind(i64::from(s.threshold_percent)).bind(i64::from(s.sample_size))
            .bind(i64::from(s.highest_count)).bind(s.seed.to_string()).bind(i64::from(header.grants_considered))
            .bind(instant_text(header.built_at))
            .execute(&mut **t).await?.rows_affected());
        if inserted != 1 {
            return Ok(false);
        }
        for (position, item) in items.iter().enumerate() {
            let c = &item.candidate;
            let reasons: Vec<String> = item.reasons.iter().map(|r| r.code().to_string()).collect();
            let signed = |m: u64| i64::try_from(m).unwrap_or(i64::MAX);
            afregning_kit::on_tx!(self, t => sqlx::query(
                "INSERT INTO review_items (period, grant_id, provider_id, position, citizen_id, visited_minutes, delivered_minutes, amount_ore, \
                 reasons, paying_frame, need_frame, account, unit, unit_kind) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)")
                .bind(header.period.to_string()).bind(c.grant_id.as_str()).bind(c.provider_id.as_str())
                .bind(i64::try_from(position).unwrap_or(i64::MAX)).bind(c.citizen_id.as_str())
                .bind(signed(c.visited_minutes)).bind(signed(c.delivered_minutes)).bind(c.amount.get())
                .bind(reasons.join(",")).bind(&c.booking.paying_frame).bind(&c.booking.need_frame).bind(&c.booking.account)
                .bind(&c.booking.unit).bind(i64::from(wire_unit_kind(c.booking.unit_kind)))
                .execute(&mut **t).await?.rows_affected());
            for f in &c.booking.frames {
                afregning_kit::on_tx!(self, t => sqlx::query(
                    "INSERT INTO review_item_frames (period, grant_id, provider_id, paying_frame, need_frame, account, amount_ore) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(header.period.to_string()).bind(c.grant_id.as_str()).bind(c.provider_id.as_str())
                    .bind(&f.paying_frame).bind(&f.need_frame).bind(&f.account).bind(f.amount_ore.get())
                    .execute(&mut **t).await?.rows_affected());
            }
        }
        Ok(true)
    }

    async fn review_item(&mut self, period: Period, grant_id: &str, provider_id: &str) -> Result<Option<StoredItem>, ApiError> {
        let sql = format!("{ITEM_SELECT} WHERE i.period = $1 AND i.grant_id = $2 AND i.provider_id = $3");
        let row: Option<ItemRow> = afregning_kit::on_tx!(self, t => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(period.to_string()).bind(grant_id).bind(provider_id).fetch_optional(&mut **t).await?);
        row.map(StoredItem::try_from).transpose()
    }

    async fn recovery_issued(&mut self, provider_id: &str, grant_id: &str, period: &str) -> Result<bool, ApiError> {
        if let Tx::Postgres(t) = self {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('recovery:' || $1, 0))")
                .bind(provider_id)
                .execute(&mut **t)
                .await?;
        }
        let found: Option<(String,)> = afregning_kit::on_tx!(self, t => sqlx::query_as(
            "SELECT l.line_id FROM statement_lines l JOIN statements s ON s.statement_id = l.statement_id \
             WHERE s.provider_id = $1 AND s.state = $2 AND l.kind = $3 AND l.grant_id = $4 AND l.target_period = $5 LIMIT 1")
            .bind(provider_id).bind(i64::from(StatementStatus::Issued.code())).bind(i64::from(LineKind::Recovery.code()))
            .bind(grant_id).bind(period).fetch_optional(&mut **t).await?);
        Ok(found.is_some())
    }

    async fn record_outcome(&mut self, period: Period, grant_id: &str, provider_id: &str, recorded: &Recorded) -> Result<bool, ApiError> {
        let inserted = afregning_kit::on_tx!(self, t => sqlx::query(
            "INSERT INTO review_outcomes (period, grant_id, provider_id, outcome, note, recovery_ore, recorded_at, recorded_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING")
            .bind(period.to_string()).bind(grant_id).bind(provider_id).bind(i64::from(recorded.outcome.code()))
            .bind(&recorded.note).bind(recorded.recovery.get()).bind(instant_text(recorded.at)).bind(&recorded.by)
            .execute(&mut **t).await?.rows_affected());
        Ok(inserted == 1)
    }
}
