//! The authority's review of a settled month: building the list, reading it, recording outcomes.
//! The rules are in [`crate::domain::review`], the gathering in [`crate::app::review`].

use afregning_kit::ApiError;
use afregning_kit::auth::require;
use afregning_kit::store::RequestKey;
use afregning_proto::common::v1 as pbc;
use afregning_proto::convert::timestamp;
use afregning_proto::settlement::v1 as pb;
use afregning_tariff::Ore;
use chrono::{DurationRound as _, Utc};
use tonic::{Request, Response, Status};

use super::runs::month_in;
use super::{Settlement, roles};
use crate::domain::review::{
    DEFAULT_HIGHEST_COUNT, DEFAULT_SAMPLE_SIZE, DEFAULT_THRESHOLD_PERCENT, Item, MAX_NOTE_CHARS, MAX_SETTING, Outcome, Settings, select,
};
use crate::error::SettlementError;
use crate::store::ReviewTx;
use crate::store::review::{ListHeader, Recorded, StoredItem};

/// The most grants one list holds, so a list always fits one answer.
const MAX_ITEMS: usize = 5_000;

fn wire_item(period: afregning_tariff::Period, item: &Item, recorded: Option<&Recorded>) -> pb::ReviewItem {
    let c = &item.candidate;
    pb::ReviewItem {
        period: Some(pbc::Period::from(period)),
        grant_id: c.grant_id.to_string(),
        provider_id: c.provider_id.to_string(),
        citizen_id: c.citizen_id.to_string(),
        visited_minutes: c.visited_minutes,
        delivered_minutes: c.delivered_minutes,
        deviation_minutes: c.deviation(),
        amount_ore: c.amount.get(),
        reasons: item.reasons.iter().map(|r| r.code()).collect(),
        outcome: recorded.map_or(0, |r| r.outcome.code()),
        note: recorded.map(|r| r.note.clone()).unwrap_or_default(),
        recovery_ore: recorded.map_or(0, |r| r.recovery.get()),
        recorded_at: recorded.map(|r| timestamp(r.at)),
        recorded_by: recorded.map(|r| r.by.clone()).unwrap_or_default(),
    }
}

fn wire_list(header: &ListHeader, items: &[StoredItem]) -> pb::ReviewList {
    pb::ReviewList {
        period: Some(pbc::Period::from(header.period)),
        threshold_percent: header.settings.threshold_percent,
        sample_size: header.settings.sample_size,
        highest_count: header.settings.highest_count,
        seed: header.settings.seed,
        built_at: Some(timestamp(header.built_at)),
        grants_considered: header.grants_considered,
        items: items.iter().map(|i| wire_item(i.period, &i.item, i.recorded.as_ref())).collect(),
        reviewed_count: u32::try_from(items.iter().filter(|i| i.recorded.is_some()).count()).unwrap_or(u32::MAX),
    }
}

/// A setting within 0–[`MAX_SETTING`], or its default when unset.
fn setting(value: Option<u32>, default: u32, field: &str) -> Result<u32, ApiError> {
    match value {
        None => Ok(default),
        Some(v) if v <= MAX_SETTING => Ok(v),
        Some(_) => Err(ApiError::invalid(field, format!("0–{MAX_SETTING}, or unset for {default}"))),
    }
}

pub(super) async fn build(s: &Settlement, request: Request<pb::BuildReviewListRequest>) -> Result<Response<pb::ReviewList>, Status> {
    require(&request, roles::Rpc::BuildReviewList.allowed())?;
    let r = request.into_inner();
    let key = RequestKey::new("BuildReviewList", &r.request_id, &r)?;
    let period = month_in(r.period.as_ref(), "period")?;
    let settings = Settings {
        threshold_percent: setting(r.threshold_percent, DEFAULT_THRESHOLD_PERCENT, "threshold_percent")?,
        sample_size: setting(r.sample_size, DEFAULT_SAMPLE_SIZE, "sample_size")?,
        highest_count: setting(r.highest_count, DEFAULT_HIGHEST_COUNT, "highest_count")?,
        seed: r.seed.unwrap_or_else(rand_seed),
    };
    // A retry answered before, or a month listed already, needs no gathering.
    if let Some(answer) = s.store.storage.stored_answer::<pb::ReviewList>(&key).await? {
        return Ok(Response::new(answer));
    }
    if s.store.review_list_built(period).await? {
        // The first call may have committed its list and its answer since the answer was read.
        return match s.store.storage.stored_answer::<pb::ReviewList>(&key).await? {
            Some(answer) => Ok(Response::new(answer)),
            None => Err(SettlementError::ReviewListExists.into()),
        };
    }
    // Gathered on the pool before the write's transaction, so no request holds two connections.
    let candidates = s.runner.review_candidates(period).await?;
    let items = select(&candidates, &settings);
    if items.len() > MAX_ITEMS {
        return Err(ApiError::precondition(
            "threshold_percent",
            format!(
                "the list would hold {} grants, more than {MAX_ITEMS}; raise the threshold",
                items.len()
            ),
        )
        .into());
    }
    let now = Utc::now();
    let header = ListHeader {
        period,
        settings,
        grants_considered: u32::try_from(candidates.len()).unwrap_or(u32::MAX),
        built_at: now.duration_trunc(chrono::Duration::microseconds(1)).unwrap_or(now),
    };
    let answer = s
        .store
        .storage
        .once(&key, async |tx| -> Result<pb::ReviewList, SettlementError> {
            if !tx.insert_review_list(&header, &items).await? {
                return Err(SettlementError::ReviewListExists);
            }
            let stored: Vec<StoredItem> = items
                .iter()
                .map(|item| StoredItem {
                    period,
                    item: item.clone(),
                    recorded: None,
                })
                .collect();
            Ok(wire_list(&header, &stored))
        })
        .await?;
    Ok(Response::new(answer))
}

/// A seed for a list built without one: drawn from a fresh random id, then recorded with the list.
fn rand_seed() -> u64 {
    let bytes = uuid::Uuid::new_v4().into_bytes();
    let mut seed = [0_u8; 8];
    seed.copy_from_slice(&bytes[..8]);
    u64::from_be_bytes(seed)
}

pub(super) async fn get(s: &Settlement, request: Request<pb::GetReviewListRequest>) -> Result<Response<pb::ReviewList>, Status> {
    require(&request, roles::Rpc::GetReviewList.allowed())?;
    let r = request.into_inner();
    let period = month_in(r.period.as_ref(), "period")?;
    let (header, items) = s
        .store
        .review_list(period)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("review list of {period}")))?;
    Ok(Response::new(wire_list(&header, &items)))
}

pub(super) async fn record(s: &Settlement, request: Request<pb::RecordReviewOutcomeRequest>) -> Result<Response<pb::ReviewItem>, Status> {
    let principal = require(&request, roles::Rpc::RecordReviewOutcome.allowed())?;
    let r = request.into_inner();
    let key = RequestKey::new("RecordReviewOutcome", &r.request_id, &r)?;
    let period = month_in(r.period.as_ref(), "period")?;
    let outcome = Outcome::from_code(r.outcome)
        .ok_or_else(|| ApiError::invalid("outcome", "required: NO_ACTION, REVISIT, PROVIDER_CONTACTED or RECOVERY"))?;
    let note = r.note.trim();
    if note.is_empty() || note.chars().count() > MAX_NOTE_CHARS {
        return Err(ApiError::invalid("note", format!("required: 1–{MAX_NOTE_CHARS} characters")).into());
    }
    match outcome {
        Outcome::Recovery if r.recovery_ore < 1 => {
            return Err(ApiError::invalid(
                "recovery_ore",
                "required for a recovery: 1 øre up to what the month pays for the grant",
            )
            .into());
        }
        Outcome::Recovery => {}
        _ if r.recovery_ore != 0 => return Err(ApiError::invalid("recovery_ore", "only a recovery pays back an amount").into()),
        _ => {}
    }
    let by = principal.to_string();
    // What the month pays for the grant now, corrections since the list included: the most a
    // recovery takes back (read before the write, on the pool).
    let mut paid_now = Ore::ZERO;
    if outcome == Outcome::Recovery {
        for l in s.store.effective_lines(&r.provider_id, period).await? {
            if l.line.grant_id.as_str() == r.grant_id {
                paid_now = paid_now.checked_add(l.line.amount_ore).map_err(SettlementError::from)?;
            }
        }
    }
    let answer = s
        .store
        .storage
        .once(&key, async |tx| -> Result<pb::ReviewItem, SettlementError> {
            let stored = tx
                .review_item(period, &r.grant_id, &r.provider_id)
                .await?
                .ok_or(SettlementError::ReviewItemNotFound)?;
            if stored.recorded.is_some() {
                return Err(SettlementError::OutcomeRecorded);
            }
            if r.recovery_ore > paid_now.get() {
                return Err(ApiError::invalid(
                    "recovery_ore",
                    format!("at most what the month pays for the grant now, {} øre", paid_now.get().max(0)),
                )
                .into());
            }
            let now = Utc::now();
            let recorded = Recorded {
                outcome,
                note: note.to_owned(),
                recovery: Ore::new(r.recovery_ore),
                at: now.duration_trunc(chrono::Duration::microseconds(1)).unwrap_or(now),
                by: by.clone(),
            };
            if !tx.record_outcome(period, &r.grant_id, &r.provider_id, &recorded).await? {
                return Err(SettlementError::OutcomeRecorded);
            }
            Ok(wire_item(period, &stored.item, Some(&recorded)))
        })
        .await?;
    Ok(Response::new(answer))
}
