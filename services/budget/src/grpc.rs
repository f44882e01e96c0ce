//! The `BudgetService` implementation: committees, frames, the ledger and ERP actuals. The
//! follow-up status, deviations, reallocation, export and reconciliation RPCs are not built yet
//! and answer UNIMPLEMENTED. No SQL here.

use std::pin::Pin;

use afregning_kit::auth::{Role, require};
use afregning_kit::paging::{next_token, page};
use afregning_kit::store::RequestKey;
use afregning_kit::{ApiError, Violations};
use afregning_proto::budget::v1 as pb;
use afregning_proto::budget::v1::budget_service_server::BudgetService;
use afregning_proto::common::v1 as pbc;
use chrono::{Datelike, NaiveDate, Utc};
use tokio_stream::Stream;
use tonic::{Request, Response, Status, Streaming};

use crate::store::{BudgetTx, CommitteeRow, FrameRow, LedgerRow, Store, source};

/// Who may set up committees and frames, and import actuals.
const FINANCE: &[Role] = &[Role::Finance, Role::Operator, Role::Local];
/// Who may read budgets and the ledger.
const READERS: &[Role] = &[Role::Finance, Role::Committee, Role::Operator, Role::Local];
/// Actuals one stream message may carry.
const MAX_ACTUALS_PER_MESSAGE: usize = 10_000;

/// The service, cheap to clone.
#[derive(Clone)]
pub struct Budget {
    store: Store,
}

impl Budget {
    /// A service over `store`.
    pub fn new(store: Store) -> Budget {
        Budget { store }
    }
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

fn pb_date(date: NaiveDate) -> pbc::Date {
    pbc::Date {
        year: date.year(),
        month: date.month() as i32,
        day: date.day() as i32,
    }
}

/// The twelve monthly amounts of a frame, or none for even by days.
fn profile_of(row: &FrameRow) -> Vec<i64> {
    afregning_kit::store::from_json(&row.profile).unwrap_or_default()
}

impl Budget {
    async fn pb_frame(&self, row: &FrameRow) -> Result<pb::Frame, ApiError> {
        let reallocated: i64 = self
            .store
            .day_totals(&row.frame, row.year)
            .await?
            .iter()
            .filter(|(_, s, _)| *s == source::REALLOCATION)
            .map(|(_, _, a)| a)
            .sum();
        Ok(pb::Frame {
            frame: row.frame.clone(),
            year: i32::try_from(row.year).unwrap_or_default(),
            committee: row.committee.clone(),
            name: row.name.clone(),
            account: row.account.clone(),
            amount_ore: row.amount_ore,
            adjusted_amount_ore: row.amount_ore + reallocated,
            monthly_profile_ore: profile_of(row),
        })
    }
}

fn pb_entry(row: &LedgerRow) -> pb::LedgerEntry {
    let at = chrono::DateTime::parse_from_rfc3339(&row.recorded_at).ok();
    pb::LedgerEntry {
        entry_no: u64::try_from(row.entry_no).unwrap_or_default(),
        frame: row.frame.clone(),
        year: i32::try_from(row.year).unwrap_or_default(),
        account: row.account.clone(),
        booked_on: NaiveDate::parse_from_str(&row.booked_on, "%Y-%m-%d").ok().map(pb_date),
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

fn not_yet(what: &str) -> Status {
    Status::unimplemented(format!("{what} is not available in this version of budget"))
}

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
        tx.remember(&key, &answer).await?;
        self.store.storage.commit(tx).await?;
        Ok(Response::new(answer))
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
        v.check(r.amount_ore >= 0, "amount_ore", "must not be negative");
        if !r.monthly_profile_ore.is_empty() {
            v.check(
                r.monthly_profile_ore.len() == 12,
                "monthly_profile_ore",
                "twelve monthly amounts, or none for even by days",
            );
            v.check(
                r.monthly_profile_ore.iter().all(|m| *m >= 0),
                "monthly_profile_ore",
                "monthly amounts must not be negative",
            );
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
        let answer = self.pb_frame(&row).await?;
        tx.remember(&key, &answer).await?;
        self.store.storage.commit(tx).await?;
        Ok(Response::new(answer))
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
        require(&request, FINANCE)?;
        let mut stream = request.into_inner();
        let mut answer = pb::ImportActualsResponse::default();
        let mut index: u64 = 0;
        let mut first = true;
        while let Some(message) = stream.message().await? {
            if first {
                // The request id names the stream; idempotency is per external id.
                RequestKey::new("ImportActuals", &message.request_id, &pb::ImportActualsRequest::default())?;
                first = false;
            }
            if message.entries.len() > MAX_ACTUALS_PER_MESSAGE {
                return Err(ApiError::invalid("entries", format!("at most {MAX_ACTUALS_PER_MESSAGE} per message")).into());
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
                let error = if e.external_id.is_empty() || e.external_id.len() > 64 {
                    Some(refuse("external_id", "required, at most 64 characters"))
                } else if booked_on.is_none() {
                    Some(refuse("booked_on", "required: a real date"))
                } else if e.account.trim().is_empty() || e.account.len() > 32 {
                    Some(refuse("account", "required, at most 32 characters"))
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
        Ok(Response::new(answer))
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
        _request: Request<pb::SubmitExpectedAccountsRequest>,
    ) -> Result<Response<pb::ExpectedAccounts>, Status> {
        Err(not_yet("SubmitExpectedAccounts"))
    }

    async fn get_follow_up_status(
        &self,
        _request: Request<pb::GetFollowUpStatusRequest>,
    ) -> Result<Response<pb::GetFollowUpStatusResponse>, Status> {
        Err(not_yet("GetFollowUpStatus"))
    }

    async fn get_follow_up_series(&self, _request: Request<pb::GetFollowUpSeriesRequest>) -> Result<Response<pb::FollowUpSeries>, Status> {
        Err(not_yet("GetFollowUpSeries"))
    }

    async fn submit_deviation_explanation(
        &self,
        _request: Request<pb::SubmitDeviationExplanationRequest>,
    ) -> Result<Response<pb::DeviationExplanation>, Status> {
        Err(not_yet("SubmitDeviationExplanation"))
    }

    async fn close_month(&self, _request: Request<pb::CloseMonthRequest>) -> Result<Response<pb::CloseMonthResponse>, Status> {
        Err(not_yet("CloseMonth"))
    }

    async fn propose_reallocations(
        &self,
        _request: Request<pb::ProposeReallocationsRequest>,
    ) -> Result<Response<pb::ProposeReallocationsResponse>, Status> {
        Err(not_yet("ProposeReallocations"))
    }

    async fn list_reallocation_cases(
        &self,
        _request: Request<pb::ListReallocationCasesRequest>,
    ) -> Result<Response<pb::ListReallocationCasesResponse>, Status> {
        Err(not_yet("ListReallocationCases"))
    }

    async fn get_reallocation_case(
        &self,
        _request: Request<pb::GetReallocationCaseRequest>,
    ) -> Result<Response<pb::ReallocationCase>, Status> {
        Err(not_yet("GetReallocationCase"))
    }

    async fn decide_reallocation_case(
        &self,
        _request: Request<pb::DecideReallocationCaseRequest>,
    ) -> Result<Response<pb::ReallocationCase>, Status> {
        Err(not_yet("DecideReallocationCase"))
    }

    async fn execute_reallocation_case(
        &self,
        _request: Request<pb::ExecuteReallocationCaseRequest>,
    ) -> Result<Response<pb::ReallocationCase>, Status> {
        Err(not_yet("ExecuteReallocationCase"))
    }

    type ExportPostingsStream = Pinned<pb::PostingTotal>;

    async fn export_postings(&self, _request: Request<pb::ExportPostingsRequest>) -> Result<Response<Self::ExportPostingsStream>, Status> {
        Err(not_yet("ExportPostings"))
    }

    type ExportPostingsCsvStream = Pinned<pb::CsvChunk>;

    async fn export_postings_csv(
        &self,
        _request: Request<pb::ExportPostingsRequest>,
    ) -> Result<Response<Self::ExportPostingsCsvStream>, Status> {
        Err(not_yet("ExportPostingsCsv"))
    }

    async fn reconcile(&self, _request: Request<pb::ReconcileRequest>) -> Result<Response<pb::ReconcileResponse>, Status> {
        Err(not_yet("Reconcile"))
    }
}
