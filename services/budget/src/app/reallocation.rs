//! Quarterly net-zero reallocation: FINANCE proposes the quarter's cases from its cross-frame
//! purchases, each committee concerned decides, FINANCE executes. Every step locks the case for
//! its transaction, so concurrent decisions and executions of one case take turns; the rules are
//! the state machine in [`crate::domain::reallocation`].

use afregning_kit::ApiError;
use afregning_kit::auth::Principal;
use afregning_kit::store::{RequestKey, Tx};
use chrono::{DateTime, NaiveDate, Utc};
use prost::Message;

use super::Budget;
use crate::domain::reallocation::{self, AuditAction, AuditLine, Case, Decision, Quarter};
use crate::domain::{BudgetError, CaseId, CaseState, CommitteeCode};
use crate::store::cases::{self, CaseFilter};
use crate::store::{CaseParts, Conn, frames, ledger};

/// A committee's decision as the committee sends it.
pub struct DecisionInput {
    /// The case decided.
    pub case_id: CaseId,
    /// The committee deciding.
    pub committee: CommitteeCode,
    /// Approve, or reject.
    pub approve: bool,
    /// The committee's reasons.
    pub comment: String,
}

impl Budget {
    /// Proposes the cases of an ended `quarter` (it has ended when its last day is before
    /// `today`): a case not yet decided is replaced with the fresh netting; a decided one keeps
    /// what it was decided on. The answer gets every case of the netting.
    pub async fn propose_reallocations<M: Message + Default>(
        &self,
        key: &RequestKey,
        principal: &Principal,
        quarter: Quarter,
        today: NaiveDate,
        answer: impl FnOnce(Vec<CaseParts>) -> Result<M, ApiError>,
    ) -> Result<M, ApiError> {
        if quarter.last_day() >= today {
            return Err(BudgetError::QuarterOpen.into());
        }
        let purchases = cases::purchases(self.store.pool(), quarter.first_day(), quarter.last_day()).await?;
        self.once(key, async |tx| {
            let now = Utc::now();
            let mut proposed = Vec::new();
            for case in reallocation::net_cases(&purchases, quarter)? {
                let existing = cases::lock_case(tx, &case.id).await?;
                if reallocation::may_propose_over(existing.map(|c| c.state)) {
                    cases::upsert_proposed_case(tx, &case).await?;
                    let line = audit_line(now, principal, AuditAction::Proposed, case.proposal_detail());
                    cases::audit(tx, &case.id, &line).await?;
                }
                proposed.push(case_parts(tx, &case.id).await?);
            }
            answer(proposed)
        })
        .await
    }

    /// Records a committee's decision on a case it is concerned by, and moves the case on.
    pub async fn decide_case<M: Message + Default>(
        &self,
        key: &RequestKey,
        principal: &Principal,
        input: &DecisionInput,
        answer: impl FnOnce(CaseParts) -> Result<M, ApiError>,
    ) -> Result<M, ApiError> {
        self.once(key, async |tx| {
            // A committee gets the same answer for a case that is not its own as for one that
            // does not exist: it learns nothing of other committees' cases.
            let not_found = match principal {
                Principal::Committee(_) => BudgetError::NotYours,
                _ => BudgetError::CaseNotFound,
            };
            let case = cases::lock_case(tx, &input.case_id).await?.ok_or(not_found)?;
            let concerned = committees_of(tx, &case).await?;
            let earlier = cases::decisions(Conn::Tx(tx), &case.id).await?;
            let next = reallocation::decide(case.state, &concerned, &earlier, &input.committee, input.approve)?;
            let now = Utc::now();
            let decision = Decision {
                committee: input.committee.clone(),
                approved: input.approve,
                decided_by: principal.to_string(),
                comment: input.comment.clone(),
                decided_at: now,
            };
            if !cases::insert_decision(tx, &case.id, &decision).await? {
                return Err(BudgetError::AlreadyDecided.into());
            }
            if next != case.state {
                cases::set_case_state(tx, &case.id, case.state, next).await?;
            }
            let action = if input.approve {
                AuditAction::Approved
            } else {
                AuditAction::Rejected
            };
            cases::audit(tx, &case.id, &audit_line(now, principal, action, decision.detail())).await?;
            answer(case_parts(tx, &case.id).await?)
        })
        .await
    }

    /// Executes an approved case, at most once: two ledger entries that sum to zero, booked on
    /// the quarter's last day, in the same transaction as the case's new state.
    pub async fn execute_case<M: Message + Default>(
        &self,
        key: &RequestKey,
        principal: &Principal,
        id: &CaseId,
        answer: impl FnOnce(CaseParts) -> Result<M, ApiError>,
    ) -> Result<M, ApiError> {
        self.once(key, async |tx| {
            let case = cases::lock_case(tx, id).await?.ok_or(BudgetError::CaseNotFound)?;
            let next = reallocation::execute(case.state)?;
            let now = Utc::now();
            let year = case.quarter.year();
            let mut accounts = Vec::with_capacity(2);
            for frame in [&case.from_frame, &case.to_frame] {
                let frame = frames::frame(Conn::Tx(tx), frame, year).await?;
                accounts.push(frame.map(|f| f.account).unwrap_or_default());
            }
            for entry in reallocation::execution_entries(&case, &accounts[0], &accounts[1], now)? {
                if !ledger::append_entry(tx, &entry).await? {
                    return Err(BudgetError::AlreadyExecuted.into());
                }
            }
            if !cases::set_case_state(tx, &case.id, CaseState::Approved, next).await? {
                return Err(BudgetError::AlreadyExecuted.into());
            }
            let line = audit_line(now, principal, AuditAction::Executed, case.execution_detail());
            cases::audit(tx, &case.id, &line).await?;
            answer(case_parts(tx, &case.id).await?)
        })
        .await
    }

    /// A case with its decisions, audit trail and entries.
    pub async fn case(&self, id: &CaseId) -> Result<CaseParts, ApiError> {
        Ok(cases::case_parts(self.store.pool(), id).await?.ok_or(BudgetError::CaseNotFound)?)
    }

    /// Cases by year, quarter and id, each with its parts.
    pub async fn cases(&self, filter: &CaseFilter, offset: i64, limit: i64) -> Result<Vec<CaseParts>, ApiError> {
        let mut out = Vec::new();
        for case in cases::cases(self.store.pool(), filter, offset, limit).await? {
            out.push(self.case(&case.id).await?);
        }
        Ok(out)
    }
}

fn audit_line(at: DateTime<Utc>, principal: &Principal, action: AuditAction, detail: String) -> AuditLine {
    AuditLine {
        at,
        principal: principal.to_string(),
        action,
        detail,
    }
}

/// A case's parts as `tx` sees them.
async fn case_parts(tx: &mut Tx, id: &CaseId) -> Result<CaseParts, ApiError> {
    Ok(cases::case_parts(Conn::Tx(tx), id).await?.ok_or(BudgetError::CaseNotFound)?)
}

/// The committees of a case's two frames, in the case's year, as `tx` sees them.
async fn committees_of(tx: &mut Tx, case: &Case) -> Result<Vec<CommitteeCode>, ApiError> {
    let year = case.quarter.year();
    let mut committees = Vec::new();
    for frame in [&case.from_frame, &case.to_frame] {
        let row = frames::frame(Conn::Tx(tx), frame, year)
            .await?
            .ok_or_else(|| BudgetError::FrameWithoutBudget {
                frame: frame.clone(),
                year,
            })?;
        committees.push(row.committee);
    }
    committees.dedup();
    Ok(committees)
}
