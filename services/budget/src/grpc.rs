//! The `BudgetService` implementation: committees and frames, the ledger and ERP actuals,
//! follow-up status and curves, deviation explanations and month close, quarterly net-zero
//! reallocation, and export and reconciliation for the ERP. No SQL here.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::Arc;

use afregning_kit::auth::{Principal, Role, require, require_stream};
use afregning_kit::paging::{next_token, page};
use afregning_kit::store::{RequestKey, Tx};
use afregning_kit::{ApiError, Violations};
use afregning_proto::budget::v1 as pb;
use afregning_proto::budget::v1::budget_service_server::BudgetService;
use afregning_proto::common::v1 as pbc;
use afregning_tariff::CatalogSet;
use chrono::{Datelike, NaiveDate, Utc};
use tokio_stream::Stream;
use tonic::{Request, Response, Status, Streaming};

use crate::follow_up;
use crate::reallocation;
use crate::store::{
    AuditRow, BudgetTx, CaseParts, CaseRow, CaseTx, CommitteeRow, DecisionRow, FollowUpTx, FrameRow, LedgerRow, Purchase, Store, source,
};

/// Whether this service publishes a feed of its own.
const PUBLISHES: bool = false;
/// The feeds this service follows.
const FOLLOWS: &[&str] = &[crate::store::VISITATION_FEED, crate::store::SETTLEMENT_FEED];
/// Who may set up committees and frames, and import actuals.
const FINANCE: &[Role] = &[Role::Finance, Role::Operator, Role::Local];
/// Who may submit expected accounts and deviation explanations: finance and the committees.
const LEADERS: &[Role] = &[Role::Finance, Role::Committee, Role::Operator, Role::Local];
/// Who may read budgets and the ledger.
const READERS: &[Role] = &[Role::Finance, Role::Committee, Role::Operator, Role::Local];
/// The method name an actuals stream's request id is remembered under.
const IMPORT_ACTUALS: &str = "ImportActuals";
/// Actuals one stream message may carry.
const MAX_ACTUALS_PER_MESSAGE: usize = 10_000;

/// The service, cheap to clone.
#[derive(Clone)]
pub struct Budget {
    store: Store,
    /// An expected overrun beyond this (øre) must be explained before the month closes.
    overrun_threshold_ore: i64,
    /// Commitments are priced by the same catalogs as the statements they forecast.
    catalogs: Arc<CatalogSet>,
}

impl Budget {
    /// A service over `store`.
    pub fn new(store: Store, overrun_threshold_ore: i64, catalogs: Arc<CatalogSet>) -> Budget {
        Budget {
            store,
            overrun_threshold_ore,
            catalogs,
        }
    }

    /// A case with the purchases behind it, the decisions, the audit trail and its entries.
    async fn pb_case(&self, case_id: &str) -> Result<pb::ReallocationCase, ApiError> {
        pb_case(
            self.store
                .case_parts(case_id)
                .await?
                .ok_or_else(|| ApiError::NotFound("case".into()))?,
        )
    }

    /// Settlement postings per frame, account and month of a year.
    async fn posting_totals(&self, r: &pb::ExportPostingsRequest) -> Result<Vec<pb::PostingTotal>, ApiError> {
        if !year_ok(r.year) {
            return Err(ApiError::invalid("year", "a year from 2000 to 2999"));
        }
        let rows = self.store.posting_totals(i64::from(r.year), &r.frame).await?;
        Ok(rows
            .into_iter()
            .map(|(frame, account, month, amount_ore, entries)| {
                let period = month.split_once('-').and_then(|(y, m)| {
                    Some(pbc::Period {
                        year: y.parse().ok()?,
                        month: m.parse().ok()?,
                    })
                });
                pb::PostingTotal {
                    frame,
                    account,
                    period,
                    amount_ore,
                    entry_count: u64::try_from(entries).unwrap_or(0),
                }
            })
            .collect())
    }

    /// A frame's follow-up status at `as_of`.
    async fn frame_status(&self, row: &FrameRow, as_of: NaiveDate) -> Result<pb::FrameStatus, ApiError> {
        let totals = self.store.day_totals(&row.frame, row.year).await?;
        let grants = self.store.grants().await?;
        let leader = self.store.expected_accounts(&row.frame, row.year).await?;
        let commitments = match as_of.succ_opt().filter(|from| i64::from(from.year()) == row.year) {
            Some(from) => follow_up::commitments_by_month(&row.frame, &grants, from, &self.catalogs)
                .into_iter()
                .try_fold(0_i64, i64::checked_add)
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("commitments out of range")))?,
            None => 0,
        };
        let s = follow_up::status(row, &profile_of(row), &totals, commitments, &leader, as_of).ok_or_else(|| out_of_range(&row.frame))?;
        let overrun = s.expected_result < -self.overrun_threshold_ore;
        let period = format!("{:04}-{:02}", as_of.year(), as_of.month());
        let explanation_required = overrun && !self.store.has_explanation(&row.frame, &period).await?;
        Ok(pb::FrameStatus {
            frame: row.frame.clone(),
            year: i32::try_from(row.year).unwrap_or_default(),
            as_of: Some(pbc::Date::from(as_of)),
            budget_ore: s.budget,
            consumed_ore: s.consumed,
            expected_rest_from_commitments_ore: s.rest_from_commitments,
            expected_rest_from_leader_ore: s.rest_from_leader,
            has_leader_forecast: s.has_leader_forecast,
            expected_result_ore: s.expected_result,
            consumption: Some(pb::Percent {
                basis_points: s.consumption_bp,
            }),
            profile_share: Some(pb::Percent {
                basis_points: s.profile_share_bp,
            }),
            explanation_required,
        })
    }
}

/// Writes about a frame belong to its committee (or finance, an operator, a local caller).
fn own_frame(principal: &Principal, frame: &FrameRow) -> Result<(), ApiError> {
    match principal {
        Principal::Committee(own) if *own != frame.committee => Err(ApiError::PermissionDenied),
        _ => Ok(()),
    }
}

/// A frame whose figures no longer fit in 64 bits: its entries are bounded, so only a defect
/// gets here.
fn out_of_range(frame: &str) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("the figures of frame {frame} are out of range"))
}

fn code_ok(code: &str) -> bool {
    (1..=32).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

fn year_ok(year: i32) -> bool {
    (2000..=2999).contains(&year)
}

fn date_of(date: Option<&pbc::Date>) -> Option<NaiveDate> {
    let d = date?;
    NaiveDate::from_ymd_opt(d.year, u32::try_from(d.month).ok()?, u32::try_from(d.day).ok()?)
}

fn v_check_comment(comment: &str) -> Result<(), ApiError> {
    if comment.chars().count() > 1_000 {
        return Err(ApiError::invalid("comment", "at most 1,000 characters"));
    }
    Ok(())
}

/// `YYYY-MM` of a wire period.
fn period_text(period: Option<&pbc::Period>) -> Option<String> {
    period
        .filter(|p| year_ok(p.year) && (1..=12).contains(&p.month))
        .map(|p| format!("{:04}-{:02}", p.year, p.month))
}

/// The twelve monthly amounts of a frame, or none for even by days.
fn profile_of(row: &FrameRow) -> Vec<i64> {
    afregning_kit::store::from_json(&row.profile).unwrap_or_default()
}

impl Budget {
    async fn pb_frame(&self, row: &FrameRow) -> Result<pb::Frame, ApiError> {
        let totals = self.store.day_totals(&row.frame, row.year).await?;
        pb_frame(row, &totals)
    }
}

/// A frame on the wire, with its budget after the reallocations among its running `totals`.
fn pb_frame(row: &FrameRow, totals: &[(String, i64, i64)]) -> Result<pb::Frame, ApiError> {
    let adjusted = totals
        .iter()
        .filter(|(_, s, _)| *s == source::REALLOCATION)
        .try_fold(row.amount_ore, |sum, (_, _, a)| sum.checked_add(*a))
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("frame {} out of range", row.frame)))?;
    Ok(pb::Frame {
        frame: row.frame.clone(),
        year: i32::try_from(row.year).unwrap_or_default(),
        committee: row.committee.clone(),
        name: row.name.clone(),
        account: row.account.clone(),
        amount_ore: row.amount_ore,
        adjusted_amount_ore: adjusted,
        monthly_profile_ore: profile_of(row),
    })
}

/// A case on the wire: the purchases behind it, the decisions, the audit trail and its entries.
fn pb_case(parts: CaseParts) -> Result<pb::ReallocationCase, ApiError> {
    let CaseParts {
        case,
        decisions,
        audit,
        entries,
    } = parts;
    let purchases: Vec<Purchase> = afregning_kit::store::from_json(&case.purchases)?;
    let stamp = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t).ok().map(|t| prost_types::Timestamp {
            seconds: t.timestamp(),
            nanos: 0,
        })
    };
    let period = |t: &str| {
        t.split_once('-').and_then(|(y, m)| {
            Some(pbc::Period {
                year: y.parse().ok()?,
                month: m.parse().ok()?,
            })
        })
    };
    Ok(pb::ReallocationCase {
        case_id: case.case_id.clone(),
        quarter: Some(pbc::Quarter {
            year: i32::try_from(case.year).unwrap_or(0),
            quarter: i32::try_from(case.quarter).unwrap_or(0),
        }),
        from_frame: case.from_frame.clone(),
        to_frame: case.to_frame.clone(),
        amount_ore: case.amount_ore,
        state: i32::try_from(case.state).unwrap_or(0),
        purchases: purchases
            .iter()
            .map(|p| pb::CasePurchase {
                posting_id: p.posting_id.clone(),
                statement_id: p.statement_id.clone(),
                provider_id: p.provider_id.clone(),
                period: period(&p.period),
                paying_frame: p.paying_frame.clone(),
                need_frame: p.need_frame.clone(),
                amount_ore: p.amount_ore,
            })
            .collect(),
        approvals: decisions
            .into_iter()
            .map(|d| pb::CaseApproval {
                committee: d.committee,
                approved: d.approved == 1,
                decided_by: d.decided_by,
                comment: d.comment,
                decided_at: stamp(&d.decided_at),
            })
            .collect(),
        audit: audit
            .into_iter()
            .map(|a| pb::CaseAuditEntry {
                at: stamp(&a.at),
                principal: a.principal,
                action: a.action,
                detail: a.detail,
            })
            .collect(),
        entries: entries.iter().map(pb_entry).collect(),
    })
}

/// The committees of a case's two frames, in the case's year, as `tx` sees them.
async fn committees_of(tx: &mut Tx, case: &CaseRow) -> Result<Vec<String>, ApiError> {
    let mut committees = Vec::new();
    for frame in [&case.from_frame, &case.to_frame] {
        let row = tx
            .frame(frame, case.year)
            .await?
            .ok_or_else(|| ApiError::precondition("case_id", format!("frame {frame} has no budget for {}", case.year)))?;
        committees.push(row.committee);
    }
    committees.dedup();
    Ok(committees)
}

fn pb_entry(row: &LedgerRow) -> pb::LedgerEntry {
    let at = chrono::DateTime::parse_from_rfc3339(&row.recorded_at).ok();
    pb::LedgerEntry {
        entry_no: u64::try_from(row.entry_no).unwrap_or_default(),
        frame: row.frame.clone(),
        year: i32::try_from(row.year).unwrap_or_default(),
        account: row.account.clone(),
        booked_on: NaiveDate::parse_from_str(&row.booked_on, "%Y-%m-%d").ok().map(pbc::Date::from),
        amount_ore: row.amount_ore,
        source: i32::try_from(row.source).unwrap_or_default(),
        source_ref: row.source_ref.clone(),
        text: row.text.clone(),
        recorded_at: at.map(|t| prost_types::Timestamp {
            seconds: t.timestamp(),
            nanos: t.timestamp_subsec_nanos() as i32,
        }),
    }
}

type Pinned<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

#[tonic::async_trait]
impl BudgetService for Budget {
    async fn create_committee(&self, request: Request<pb::CreateCommitteeRequest>) -> Result<Response<pb::Committee>, Status> {
        require(&request, FINANCE)?;
        let r = request.into_inner();
        let key = RequestKey::new("CreateCommittee", &r.request_id, &r)?;
        let mut v = Violations::new();
        v.check(code_ok(&r.code), "code", "1–32 upper-case letters, digits, '_' or '-'");
        v.check(
            !r.name.trim().is_empty() && r.name.chars().count() <= 200,
            "name",
            "required, at most 200 characters",
        );
        v.finish()?;
        let mut tx = self.store.storage.begin().await?;
        if let Some(answer) = tx.replay(&key).await? {
            return Ok(Response::new(answer));
        }
        if !tx
            .insert_committee(&CommitteeRow {
                code: r.code.clone(),
                name: r.name.trim().to_owned(),
            })
            .await?
        {
            return Err(ApiError::AlreadyExists(format!("committee {} exists", r.code)).into());
        }
        let answer = pb::Committee {
            code: r.code,
            name: r.name.trim().to_owned(),
        };
        Ok(Response::new(self.store.storage.finish(tx, &key, answer).await?))
    }

    async fn list_committees(&self, request: Request<pb::ListCommitteesRequest>) -> Result<Response<pb::ListCommitteesResponse>, Status> {
        require(&request, READERS)?;
        let (offset, limit) = page(request.get_ref().page.as_ref())?;
        let rows = self.store.committees(offset, limit).await?;
        let next_page_token = next_token(offset, limit, rows.len());
        Ok(Response::new(pb::ListCommitteesResponse {
            committees: rows
                .into_iter()
                .map(|c| pb::Committee {
                    code: c.code,
                    name: c.name,
                })
                .collect(),
            next_page_token,
        }))
    }

    async fn set_frame(&self, request: Request<pb::SetFrameRequest>) -> Result<Response<pb::Frame>, Status> {
        require(&request, FINANCE)?;
        let r = request.into_inner();
        let key = RequestKey::new("SetFrame", &r.request_id, &r)?;
        let mut v = Violations::new();
        v.check(code_ok(&r.frame), "frame", "1–32 upper-case letters, digits, '_' or '-'");
        v.check(year_ok(r.year), "year", "a year from 2000 to 2999");
        v.check(code_ok(&r.committee), "committee", "a committee code");
        v.check(
            !r.name.trim().is_empty() && r.name.chars().count() <= 200,
            "name",
            "required, at most 200 characters",
        );
        v.check(
            !r.account.trim().is_empty() && r.account.len() <= 32,
            "account",
            "required, at most 32 characters",
        );
        v.amount("amount_ore", r.amount_ore, false);
        if !r.monthly_profile_ore.is_empty() {
            v.check(
                r.monthly_profile_ore.len() == 12,
                "monthly_profile_ore",
                "twelve monthly amounts, or none for even by days",
            );
            for (i, m) in r.monthly_profile_ore.iter().enumerate() {
                v.amount(&format!("monthly_profile_ore[{i}]"), *m, false);
            }
            let sum = r.monthly_profile_ore.iter().try_fold(0_i64, |acc, m| acc.checked_add(*m));
            v.check(
                sum == Some(r.amount_ore),
                "monthly_profile_ore",
                "the monthly amounts must add up to amount_ore",
            );
        }
        v.finish()?;
        let mut tx = self.store.storage.begin().await?;
        if let Some(answer) = tx.replay(&key).await? {
            return Ok(Response::new(answer));
        }
        if !tx.committee_exists(&r.committee).await? {
            return Err(ApiError::precondition("committee", "unknown committee; create it first").into());
        }
        let row = FrameRow {
            frame: r.frame.clone(),
            year: i64::from(r.year),
            committee: r.committee.clone(),
            name: r.name.trim().to_owned(),
            account: r.account.trim().to_owned(),
            amount_ore: r.amount_ore,
            profile: if r.monthly_profile_ore.is_empty() {
                String::new()
            } else {
                afregning_kit::store::json(&r.monthly_profile_ore)?
            },
        };
        tx.upsert_frame(&row).await?;
        let answer = pb_frame(&row, &tx.day_totals(&row.frame, row.year).await?)?;
        Ok(Response::new(self.store.storage.finish(tx, &key, answer).await?))
    }

    async fn get_frame(&self, request: Request<pb::GetFrameRequest>) -> Result<Response<pb::Frame>, Status> {
        require(&request, READERS)?;
        let r = request.get_ref();
        let row = self
            .store
            .frame(&r.frame, i64::from(r.year))
            .await?
            .ok_or_else(|| ApiError::NotFound("frame".into()))?;
        Ok(Response::new(self.pb_frame(&row).await?))
    }

    async fn list_frames(&self, request: Request<pb::ListFramesRequest>) -> Result<Response<pb::ListFramesResponse>, Status> {
        require(&request, READERS)?;
        let r = request.get_ref();
        let (offset, limit) = page(r.page.as_ref())?;
        let rows = self.store.frames(i64::from(r.year), offset, limit).await?;
        let mut frames = Vec::with_capacity(rows.len());
        for row in &rows {
            frames.push(self.pb_frame(row).await?);
        }
        Ok(Response::new(pb::ListFramesResponse {
            frames,
            next_page_token: next_token(offset, limit, rows.len()),
        }))
    }

    async fn import_actuals(
        &self,
        request: Request<Streaming<pb::ImportActualsRequest>>,
    ) -> Result<Response<pb::ImportActualsResponse>, Status> {
        require_stream(&request, FINANCE)?;
        let mut stream = request.into_inner();
        let mut answer = pb::ImportActualsResponse::default();
        let mut index: u64 = 0;
        // Each entry is idempotent by its external id; the stream as a whole by its request id:
        // a retry of an answered stream only checks that it is the same stream (the same id with
        // other entries is ALREADY_EXISTS) and gets the first answer.
        let mut stream_key: Option<(String, sha2::Sha256, bool)> = None;
        while let Some(message) = stream.message().await? {
            let (_, hasher, retry) = match &mut stream_key {
                Some(state) => state,
                None => {
                    let hasher = RequestKey::stream_hasher(IMPORT_ACTUALS, &message.request_id)?;
                    let retry = self.store.storage.is_answered(&message.request_id).await?;
                    stream_key.insert((message.request_id.clone(), hasher, retry))
                }
            };
            if message.entries.len() > MAX_ACTUALS_PER_MESSAGE {
                return Err(ApiError::invalid("entries", format!("at most {MAX_ACTUALS_PER_MESSAGE} per message")).into());
            }
            for entry in &message.entries {
                sha2::Digest::update(hasher, prost::Message::encode_to_vec(entry));
            }
            if *retry {
                index += message.entries.len() as u64;
                continue;
            }
            let now = afregning_kit::store::timestamp(Utc::now());
            let mut tx = self.store.storage.begin().await?;
            for e in &message.entries {
                let refuse = |field: &str, why: &str| pb::EntryError {
                    external_id: e.external_id.clone(),
                    index,
                    field: field.into(),
                    description: why.into(),
                };
                let booked_on = date_of(e.booked_on.as_ref());
                let control = [
                    ("external_id", &e.external_id),
                    ("frame", &e.frame),
                    ("account", &e.account),
                    ("text", &e.text),
                ]
                .into_iter()
                .find_map(|(field, text)| afregning_kit::input::text_problem(text).map(|problem| (field, problem)));
                let error = if let Some((field, problem)) = control {
                    Some(refuse(field, &problem))
                } else if e.external_id.is_empty() || e.external_id.len() > 64 {
                    Some(refuse("external_id", "required, at most 64 characters"))
                } else if booked_on.is_none() {
                    Some(refuse("booked_on", "required: a real date"))
                } else if e.account.trim().is_empty() || e.account.len() > 32 {
                    Some(refuse("account", "required, at most 32 characters"))
                } else if let Some(problem) = afregning_kit::input::amount_problem(e.amount_ore, true) {
                    Some(refuse("amount_ore", &problem))
                } else if e.text.chars().count() > 500 {
                    Some(refuse("text", "at most 500 characters"))
                } else {
                    None
                };
                if let Some(error) = error {
                    answer.errors.push(error);
                    index += 1;
                    continue;
                }
                let booked_on = booked_on.unwrap_or_default();
                let year = i64::from(booked_on.year());
                if tx.frame(&e.frame, year).await?.is_none() {
                    answer.errors.push(refuse("frame", "no such frame in the year it is booked"));
                    index += 1;
                    continue;
                }
                let row = LedgerRow {
                    entry_no: 0,
                    frame: e.frame.clone(),
                    year,
                    account: e.account.trim().to_owned(),
                    booked_on: booked_on.to_string(),
                    amount_ore: e.amount_ore,
                    source: source::ERP_ACTUAL,
                    source_ref: e.external_id.clone(),
                    need_frame: e.frame.clone(),
                    text: e.text.clone(),
                    recorded_at: now.clone(),
                };
                if tx.append_entry(&row).await? {
                    answer.accepted += 1;
                } else {
                    let same = tx.entry(source::ERP_ACTUAL, &e.external_id).await?.is_some_and(|x| {
                        LedgerRow {
                            entry_no: x.entry_no,
                            recorded_at: x.recorded_at.clone(),
                            ..row.clone()
                        } == x
                    });
                    if same {
                        answer.duplicates += 1;
                    } else {
                        answer.errors.push(refuse("external_id", "already imported with other content"));
                    }
                }
                index += 1;
            }
            self.store.storage.commit(tx).await?;
        }
        let Some((request_id, hasher, retry)) = stream_key else {
            return Err(ApiError::invalid("request_id", "required on the first message of the stream").into());
        };
        let key = RequestKey::of_stream(IMPORT_ACTUALS, &request_id, hasher);
        if retry {
            let mut tx = self.store.storage.begin().await?;
            let first = tx
                .replay::<pb::ImportActualsResponse>(&key)
                .await?
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a stored answer vanished")))?;
            return Ok(Response::new(first));
        }
        Ok(Response::new(self.store.storage.remember_after(&key, answer).await?))
    }

    async fn list_ledger_entries(
        &self,
        request: Request<pb::ListLedgerEntriesRequest>,
    ) -> Result<Response<pb::ListLedgerEntriesResponse>, Status> {
        require(&request, READERS)?;
        let r = request.get_ref();
        let (offset, limit) = page(r.page.as_ref())?;
        let rows = self.store.ledger(&r.frame, i64::from(r.year), offset, limit).await?;
        let next_page_token = next_token(offset, limit, rows.len());
        Ok(Response::new(pb::ListLedgerEntriesResponse {
            entries: rows.iter().map(pb_entry).collect(),
            next_page_token,
        }))
    }

    async fn submit_expected_accounts(
        &self,
        request: Request<pb::SubmitExpectedAccountsRequest>,
    ) -> Result<Response<pb::ExpectedAccounts>, Status> {
        let principal = require(&request, LEADERS)?;
        let r = request.into_inner();
        let key = RequestKey::new("SubmitExpectedAccounts", &r.request_id, &r)?;
        let mut v = Violations::new();
        v.check(!r.months.is_empty() && r.months.len() <= 12, "months", "1–12 months");
        for (i, m) in r.months.iter().enumerate() {
            v.check((1..=12).contains(&m.month), &format!("months[{i}].month"), "1–12");
            v.amount(&format!("months[{i}].amount_ore"), m.amount_ore, false);
            if r.months[..i].iter().any(|o| o.month == m.month) {
                v.add(format!("months[{i}].month"), "given twice");
            }
        }
        v.finish()?;
        let mut tx = self.store.storage.begin().await?;
        if let Some(answer) = tx.replay(&key).await? {
            return Ok(Response::new(answer));
        }
        let frame = tx
            .frame(&r.frame, i64::from(r.year))
            .await?
            .ok_or_else(|| ApiError::NotFound("frame".into()))?;
        own_frame(&principal, &frame)?;
        let submitted_by = principal.to_string();
        let now = Utc::now();
        let months: Vec<(i64, i64)> = r.months.iter().map(|m| (i64::from(m.month), m.amount_ore)).collect();
        tx.replace_expected_accounts(
            &r.frame,
            i64::from(r.year),
            &months,
            &submitted_by,
            &afregning_kit::store::timestamp(now),
        )
        .await?;
        let mut sorted = r.months.clone();
        sorted.sort_by_key(|m| m.month);
        let answer = pb::ExpectedAccounts {
            frame: r.frame,
            year: r.year,
            months: sorted,
            submitted_by,
            submitted_at: Some(prost_types::Timestamp {
                seconds: now.timestamp(),
                nanos: 0,
            }),
        };
        Ok(Response::new(self.store.storage.finish(tx, &key, answer).await?))
    }

    async fn get_follow_up_status(
        &self,
        request: Request<pb::GetFollowUpStatusRequest>,
    ) -> Result<Response<pb::GetFollowUpStatusResponse>, Status> {
        require(&request, READERS)?;
        let r = request.get_ref();
        let as_of = date_of(r.as_of.as_ref()).ok_or_else(|| ApiError::invalid("as_of", "required: a real date"))?;
        let year = i64::from(as_of.year());
        let rows = if r.frame.is_empty() {
            self.store.frames(year, 0, i64::from(afregning_kit::paging::MAX_PAGE_SIZE)).await?
        } else {
            vec![
                self.store
                    .frame(&r.frame, year)
                    .await?
                    .ok_or_else(|| ApiError::NotFound("frame".into()))?,
            ]
        };
        let mut frames = Vec::with_capacity(rows.len());
        for row in &rows {
            frames.push(self.frame_status(row, as_of).await?);
        }
        Ok(Response::new(pb::GetFollowUpStatusResponse { frames }))
    }

    async fn get_follow_up_series(&self, request: Request<pb::GetFollowUpSeriesRequest>) -> Result<Response<pb::FollowUpSeries>, Status> {
        require(&request, READERS)?;
        let r = request.get_ref();
        let row = self
            .store
            .frame(&r.frame, i64::from(r.year))
            .await?
            .ok_or_else(|| ApiError::NotFound("frame".into()))?;
        let totals = self.store.day_totals(&row.frame, row.year).await?;
        let grants = self.store.grants().await?;
        let year_start = NaiveDate::from_ymd_opt(r.year, 1, 1).ok_or_else(|| ApiError::invalid("year", "out of range"))?;
        let monthly = follow_up::commitments_by_month(&row.frame, &grants, year_start, &self.catalogs);
        let leader: BTreeMap<i64, i64> = self.store.expected_accounts(&row.frame, row.year).await?.into_iter().collect();
        let profile = profile_of(&row);
        let today = Utc::now().date_naive();
        let mut points = Vec::with_capacity(12);
        let (mut leader_cumulative, mut commitments_cumulative) = (0_i64, 0_i64);
        for month in 1..=12_u32 {
            let period = afregning_tariff::Period::new(r.year, month).ok_or_else(|| ApiError::invalid("year", "out of range"))?;
            let end = period.range().last();
            let consumed = follow_up::status(&row, &profile, &totals, 0, &[], end)
                .ok_or_else(|| out_of_range(&row.frame))?
                .consumed;
            if end <= today {
                // Months that have passed: both forecasts are what was consumed.
                leader_cumulative = consumed;
                commitments_cumulative = consumed;
            } else {
                leader_cumulative += leader.get(&i64::from(month)).copied().unwrap_or(0);
                commitments_cumulative += monthly[month as usize - 1];
            }
            points.push(pb::SeriesPoint {
                month: month as i32,
                budget_cumulative_ore: follow_up::released_through(&row, &profile, end),
                consumed_cumulative_ore: consumed,
                leader_forecast_cumulative_ore: leader_cumulative,
                commitments_forecast_cumulative_ore: commitments_cumulative,
            });
        }
        Ok(Response::new(pb::FollowUpSeries {
            frame: row.frame,
            year: r.year,
            points,
        }))
    }

    async fn submit_deviation_explanation(
        &self,
        request: Request<pb::SubmitDeviationExplanationRequest>,
    ) -> Result<Response<pb::DeviationExplanation>, Status> {
        let principal = require(&request, LEADERS)?;
        let r = request.into_inner();
        let key = RequestKey::new("SubmitDeviationExplanation", &r.request_id, &r)?;
        let mut v = Violations::new();
        let period = period_text(r.period.as_ref());
        v.check(period.is_some(), "period", "required: a year and a month 1–12");
        v.check(
            !r.explanation.trim().is_empty() && r.explanation.chars().count() <= 4_000,
            "explanation",
            "required, at most 4,000 characters",
        );
        v.check(
            !r.corrective_actions.is_empty() && r.corrective_actions.len() <= 20,
            "corrective_actions",
            "1–20 corrective actions",
        );
        for (i, a) in r.corrective_actions.iter().enumerate() {
            v.check(
                !a.trim().is_empty() && a.chars().count() <= 1_000,
                &format!("corrective_actions[{i}]"),
                "required, at most 1,000 characters",
            );
        }
        v.finish()?;
        let period = period.unwrap_or_default();
        let mut tx = self.store.storage.begin().await?;
        if let Some(answer) = tx.replay(&key).await? {
            return Ok(Response::new(answer));
        }
        let year = r.period.map(|p| i64::from(p.year)).unwrap_or_default();
        let frame = tx.frame(&r.frame, year).await?.ok_or_else(|| ApiError::NotFound("frame".into()))?;
        own_frame(&principal, &frame)?;
        let submitted_by = principal.to_string();
        let now = Utc::now();
        let actions = afregning_kit::store::json(&r.corrective_actions)?;
        tx.upsert_explanation(
            &r.frame,
            &period,
            r.explanation.trim(),
            &actions,
            &submitted_by,
            &afregning_kit::store::timestamp(now),
        )
        .await?;
        let answer = pb::DeviationExplanation {
            frame: r.frame,
            period: r.period,
            explanation: r.explanation.trim().to_owned(),
            corrective_actions: r.corrective_actions,
            submitted_by,
            submitted_at: Some(prost_types::Timestamp {
                seconds: now.timestamp(),
                nanos: 0,
            }),
        };
        Ok(Response::new(self.store.storage.finish(tx, &key, answer).await?))
    }

    async fn close_month(&self, request: Request<pb::CloseMonthRequest>) -> Result<Response<pb::CloseMonthResponse>, Status> {
        require(&request, FINANCE)?;
        let r = request.into_inner();
        let key = RequestKey::new("CloseMonth", &r.request_id, &r)?;
        let (period, p) = period_text(r.period.as_ref())
            .zip(r.period)
            .ok_or_else(|| ApiError::invalid("period", "required: a year and a month 1–12"))?;
        let last_day = afregning_tariff::Period::new(p.year, u32::try_from(p.month).unwrap_or(0))
            .map(|m| m.range().last())
            .ok_or_else(|| ApiError::invalid("period", "required: a year and a month 1–12"))?;
        let row = self
            .store
            .frame(&r.frame, i64::from(p.year))
            .await?
            .ok_or_else(|| ApiError::NotFound("frame".into()))?;
        let status = self.frame_status(&row, last_day).await?;
        if status.explanation_required {
            return Err(ApiError::precondition(
                "period",
                "the expected result is an overrun beyond the threshold: submit a deviation explanation first",
            )
            .into());
        }
        let mut tx = self.store.storage.begin().await?;
        if let Some(answer) = tx.replay(&key).await? {
            return Ok(Response::new(answer));
        }
        let now = Utc::now();
        tx.close_month(&r.frame, &period, &afregning_kit::store::timestamp(now)).await?;
        let answer = pb::CloseMonthResponse {
            status: Some(status),
            closed_at: Some(prost_types::Timestamp {
                seconds: now.timestamp(),
                nanos: 0,
            }),
        };
        Ok(Response::new(self.store.storage.finish(tx, &key, answer).await?))
    }

    async fn propose_reallocations(
        &self,
        request: Request<pb::ProposeReallocationsRequest>,
    ) -> Result<Response<pb::ProposeReallocationsResponse>, Status> {
        let principal = require(&request, FINANCE)?;
        let r = request.into_inner();
        let key = RequestKey::new("ProposeReallocations", &r.request_id, &r)?;
        let q = r.quarter.ok_or_else(|| ApiError::invalid("quarter", "required"))?;
        let quarter = u32::try_from(q.quarter).unwrap_or(0);
        let (first, last) = reallocation::quarter_days(q.year, quarter)
            .filter(|_| year_ok(q.year))
            .ok_or_else(|| ApiError::invalid("quarter", "a year and a quarter 1–4"))?;
        if last >= Utc::now().date_naive() {
            return Err(ApiError::precondition("quarter", "the quarter has not ended yet").into());
        }
        let purchases = self.store.purchases(&first.to_string(), &last.to_string()).await?;
        let mut tx = self.store.storage.begin().await?;
        if let Some(answer) = tx.replay(&key).await? {
            return Ok(Response::new(answer));
        }
        let now = afregning_kit::store::timestamp(Utc::now());
        let mut ids = Vec::new();
        for (mut case, behind) in reallocation::net_cases(&purchases, q.year, quarter) {
            case.purchases = afregning_kit::store::json(&behind)?;
            // A case already decided keeps what it was decided on.
            let existing = tx.lock_case(&case.case_id).await?;
            if existing.as_ref().is_none_or(|c| c.state == reallocation::state::PROPOSED) {
                tx.upsert_proposed_case(&case).await?;
                let detail = format!(
                    "{} from {} to {} on {} purchases",
                    afregning_tariff::Ore::new(case.amount_ore),
                    case.from_frame,
                    case.to_frame,
                    behind.len()
                );
                tx.audit(
                    &case.case_id,
                    &AuditRow {
                        at: now.clone(),
                        principal: principal.to_string(),
                        action: "proposed".into(),
                        detail,
                    },
                )
                .await?;
            }
            ids.push(case.case_id);
        }
        let mut cases = Vec::new();
        for id in &ids {
            cases.push(pb_case(tx.case_parts(id).await?.ok_or_else(|| ApiError::NotFound("case".into()))?)?);
        }
        let answer = pb::ProposeReallocationsResponse { cases };
        Ok(Response::new(self.store.storage.finish(tx, &key, answer).await?))
    }

    async fn list_reallocation_cases(
        &self,
        request: Request<pb::ListReallocationCasesRequest>,
    ) -> Result<Response<pb::ListReallocationCasesResponse>, Status> {
        require(&request, READERS)?;
        let r = request.get_ref();
        let (offset, limit) = page(r.page.as_ref())?;
        let (year, quarter) = r.quarter.map(|q| (i64::from(q.year), i64::from(q.quarter))).unwrap_or((0, 0));
        let rows = self.store.cases(year, quarter, i64::from(r.state), offset, limit).await?;
        let mut cases = Vec::with_capacity(rows.len());
        for row in &rows {
            cases.push(self.pb_case(&row.case_id).await?);
        }
        Ok(Response::new(pb::ListReallocationCasesResponse {
            cases,
            next_page_token: next_token(offset, limit, rows.len()),
        }))
    }

    async fn get_reallocation_case(
        &self,
        request: Request<pb::GetReallocationCaseRequest>,
    ) -> Result<Response<pb::ReallocationCase>, Status> {
        require(&request, READERS)?;
        Ok(Response::new(self.pb_case(&request.get_ref().case_id).await?))
    }

    async fn decide_reallocation_case(
        &self,
        request: Request<pb::DecideReallocationCaseRequest>,
    ) -> Result<Response<pb::ReallocationCase>, Status> {
        let principal = require(&request, &[Role::Committee, Role::Local])?;
        let r = request.into_inner();
        let key = RequestKey::new("DecideReallocationCase", &r.request_id, &r)?;
        if matches!(&principal, Principal::Committee(own) if *own != r.committee) {
            return Err(ApiError::PermissionDenied.into());
        }
        v_check_comment(&r.comment)?;
        let mut tx = self.store.storage.begin().await?;
        if let Some(answer) = tx.replay(&key).await? {
            return Ok(Response::new(answer));
        }
        // A committee gets the same answer for a case that is not its own as for one that does
        // not exist: it learns nothing of other committees' cases.
        let not_ours = || match principal {
            Principal::Committee(_) => ApiError::PermissionDenied,
            _ => ApiError::NotFound("case".into()),
        };
        let case = tx.lock_case(&r.case_id).await?.ok_or_else(not_ours)?;
        let concerned = committees_of(&mut tx, &case).await?;
        if !concerned.contains(&r.committee) {
            return Err(ApiError::PermissionDenied.into());
        }
        if case.state != reallocation::state::PROPOSED {
            return Err(ApiError::precondition("case_id", "the case is no longer awaiting decisions").into());
        }
        let now = afregning_kit::store::timestamp(Utc::now());
        let decision = DecisionRow {
            committee: r.committee.clone(),
            approved: i64::from(r.approve),
            decided_by: principal.to_string(),
            comment: r.comment.clone(),
            decided_at: now.clone(),
        };
        if !tx.insert_decision(&case.case_id, &decision).await? {
            return Err(ApiError::precondition("committee", "this committee has already decided").into());
        }
        let decisions = tx.decisions(&case.case_id).await?;
        let next = if !r.approve {
            Some(reallocation::state::REJECTED)
        } else if concerned
            .iter()
            .all(|c| decisions.iter().any(|d| d.committee == *c && d.approved == 1))
        {
            Some(reallocation::state::APPROVED)
        } else {
            None
        };
        if let Some(next) = next {
            tx.set_case_state(&case.case_id, reallocation::state::PROPOSED, next).await?;
        }
        let action = if r.approve { "approved" } else { "rejected" };
        tx.audit(
            &case.case_id,
            &AuditRow {
                at: now,
                principal: principal.to_string(),
                action: action.into(),
                detail: format!("{}: {}", r.committee, r.comment),
            },
        )
        .await?;
        let answer = pb_case(tx.case_parts(&r.case_id).await?.ok_or_else(|| ApiError::NotFound("case".into()))?)?;
        Ok(Response::new(self.store.storage.finish(tx, &key, answer).await?))
    }

    async fn execute_reallocation_case(
        &self,
        request: Request<pb::ExecuteReallocationCaseRequest>,
    ) -> Result<Response<pb::ReallocationCase>, Status> {
        let principal = require(&request, &[Role::Finance, Role::Local])?;
        let r = request.into_inner();
        let key = RequestKey::new("ExecuteReallocationCase", &r.request_id, &r)?;
        let mut tx = self.store.storage.begin().await?;
        if let Some(answer) = tx.replay(&key).await? {
            return Ok(Response::new(answer));
        }
        let case = tx.lock_case(&r.case_id).await?.ok_or_else(|| ApiError::NotFound("case".into()))?;
        match case.state {
            reallocation::state::APPROVED => {}
            reallocation::state::EXECUTED => return Err(ApiError::precondition("case_id", "the case has already been executed").into()),
            _ => return Err(ApiError::precondition("case_id", "both committees must approve the case first").into()),
        }
        let (_, last) = reallocation::quarter_days(i32::try_from(case.year).unwrap_or(0), u32::try_from(case.quarter).unwrap_or(0))
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("case {} has an invalid quarter", case.case_id)))?;
        let now = afregning_kit::store::timestamp(Utc::now());
        for (side, frame, amount) in [
            ("from", &case.from_frame, -case.amount_ore),
            ("to", &case.to_frame, case.amount_ore),
        ] {
            let account = tx.frame(frame, case.year).await?.map(|f| f.account).unwrap_or_default();
            let entry = LedgerRow {
                entry_no: 0,
                frame: frame.clone(),
                year: case.year,
                account,
                booked_on: last.to_string(),
                amount_ore: amount,
                source: source::REALLOCATION,
                source_ref: format!("{}:{side}", case.case_id),
                need_frame: frame.clone(),
                text: format!("net-zero reallocation {}", case.case_id),
                recorded_at: now.clone(),
            };
            if !tx.append_entry(&entry).await? {
                return Err(ApiError::precondition("case_id", "the case has already been executed").into());
            }
        }
        if !tx
            .set_case_state(&case.case_id, reallocation::state::APPROVED, reallocation::state::EXECUTED)
            .await?
        {
            return Err(ApiError::precondition("case_id", "the case has already been executed").into());
        }
        let detail = format!(
            "{} from {} to {}",
            afregning_tariff::Ore::new(case.amount_ore),
            case.from_frame,
            case.to_frame
        );
        tx.audit(
            &case.case_id,
            &AuditRow {
                at: now,
                principal: principal.to_string(),
                action: "executed".into(),
                detail,
            },
        )
        .await?;
        let answer = pb_case(tx.case_parts(&r.case_id).await?.ok_or_else(|| ApiError::NotFound("case".into()))?)?;
        Ok(Response::new(self.store.storage.finish(tx, &key, answer).await?))
    }

    type ExportPostingsStream = Pinned<pb::PostingTotal>;

    async fn export_postings(&self, request: Request<pb::ExportPostingsRequest>) -> Result<Response<Self::ExportPostingsStream>, Status> {
        require(&request, FINANCE)?;
        let totals = self.posting_totals(request.get_ref()).await?;
        Ok(Response::new(Box::pin(tokio_stream::iter(totals.into_iter().map(Ok)))))
    }

    type ExportPostingsCsvStream = Pinned<pb::CsvChunk>;

    async fn export_postings_csv(
        &self,
        request: Request<pb::ExportPostingsRequest>,
    ) -> Result<Response<Self::ExportPostingsCsvStream>, Status> {
        require(&request, FINANCE)?;
        let totals = self.posting_totals(request.get_ref()).await?;
        let mut csv = String::from("frame;account;period;amount_kr;entries\n");
        for t in &totals {
            let p = t.period.unwrap_or_default();
            let kroner = afregning_tariff::Ore::new(t.amount_ore).to_string().replace('.', ",");
            csv.push_str(&format!(
                "{};{};{:04}-{:02};{kroner};{}\n",
                t.frame, t.account, p.year, p.month, t.entry_count
            ));
        }
        let chunks: Vec<Result<pb::CsvChunk, Status>> = csv
            .into_bytes()
            .chunks(64 * 1024)
            .map(|c| Ok(pb::CsvChunk { data: c.to_vec() }))
            .collect();
        Ok(Response::new(Box::pin(tokio_stream::iter(chunks))))
    }

    async fn reconcile(&self, request: Request<pb::ReconcileRequest>) -> Result<Response<pb::ReconcileResponse>, Status> {
        require(&request, FINANCE)?;
        let r = request.into_inner();
        if r.erp_totals.len() > 100_000 {
            return Err(ApiError::invalid("erp_totals", "at most 100,000 lines").into());
        }
        type Key = (String, String, i32, i32);
        let key = |t: &pb::PostingTotal| -> Key {
            let p = t.period.unwrap_or_default();
            (t.frame.clone(), t.account.clone(), p.year, p.month)
        };
        let ours: BTreeMap<Key, i64> = self
            .posting_totals(&pb::ExportPostingsRequest {
                year: r.year,
                frame: String::new(),
            })
            .await?
            .iter()
            .map(|t| (key(t), t.amount_ore))
            .collect();
        let mut v = Violations::new();
        for (i, t) in r.erp_totals.iter().enumerate() {
            v.amount(&format!("erp_totals[{i}].amount_ore"), t.amount_ore, true);
        }
        v.finish()?;
        let mut theirs: BTreeMap<Key, i64> = BTreeMap::new();
        for (i, t) in r.erp_totals.iter().enumerate() {
            let sum = theirs.entry(key(t)).or_default();
            *sum = sum.checked_add(t.amount_ore).ok_or_else(|| {
                ApiError::invalid(
                    format!("erp_totals[{i}].amount_ore"),
                    "the lines of one frame, account and month add up beyond any amount",
                )
            })?;
        }
        let keys: std::collections::BTreeSet<&Key> = ours.keys().chain(theirs.keys()).collect();
        let differences: Vec<pb::ReconcileDifference> = keys
            .into_iter()
            .filter_map(|k| {
                let (a, e) = (ours.get(k).copied().unwrap_or(0), theirs.get(k).copied().unwrap_or(0));
                (a != e).then(|| pb::ReconcileDifference {
                    frame: k.0.clone(),
                    account: k.1.clone(),
                    period: Some(pbc::Period { year: k.2, month: k.3 }),
                    afregning_ore: a,
                    erp_ore: e,
                    // Both sides are bounded sums of bounded amounts: their difference fits.
                    difference_ore: a.saturating_sub(e),
                })
            })
            .collect();
        let balanced = differences.is_empty();
        Ok(Response::new(pb::ReconcileResponse { differences, balanced }))
    }

    async fn get_feed_positions(
        &self,
        request: Request<afregning_proto::common::v1::GetFeedPositionsRequest>,
    ) -> Result<Response<afregning_proto::common::v1::FeedPositions>, Status> {
        afregning_kit::follow::answer_positions(&request, &self.store.storage, PUBLISHES, FOLLOWS).await
    }
}
