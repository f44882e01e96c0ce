//! Quarterly net-zero reallocation (docs/design.md, "Quarterly net-zero reallocation"): the
//! quarter's cross-frame purchases netted per pair of frames into one case each, and the life of a
//! case.
//!
//! A purchase is a posting paid by one frame for a need another frame owns; the case moves budget
//! from the frame whose need was bought to the frame that paid, by the net of the purchases both
//! ways. A case is PROPOSED (and may be proposed again with fresh purchases), each committee
//! concerned decides once: one rejection makes it REJECTED, approval by all makes it APPROVED;
//! FINANCE then executes it once, writing two ledger entries that sum to exactly zero (EXECUTED).
//! [`decide`] and [`execute`] are that state machine, as pure functions.

use std::collections::BTreeMap;

use afregning_tariff::{Ore, Period};
use chrono::{DateTime, NaiveDate, Utc};

use super::error::{BudgetError, Figure};
use super::ids::{CaseId, CommitteeCode, FrameCode, Side};
use super::ledger::{EntrySource, LedgerEntry};

/// A calendar quarter of a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quarter {
    year: i32,
    quarter: u32,
}

impl Quarter {
    /// The quarter `quarter` (1–4) of `year`; `None` otherwise.
    pub fn new(year: i32, quarter: u32) -> Option<Quarter> {
        ((1..=4).contains(&quarter) && Period::new(year, quarter * 3).is_some()).then_some(Quarter { year, quarter })
    }

    /// The year: the budget year its cases are booked in.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// 1–4.
    pub fn number(&self) -> u32 {
        self.quarter
    }

    /// Its first day.
    pub fn first_day(&self) -> NaiveDate {
        self.month(0).range().first()
    }

    /// Its last day: executed cases are booked on it.
    pub fn last_day(&self) -> NaiveDate {
        self.month(2).range().last()
    }

    fn month(&self, index: u32) -> Period {
        Period::new(self.year, (self.quarter - 1) * 3 + 1 + index).expect("a quarter's months exist by construction")
    }
}

/// Where a case stands (the proto `CaseState` numbers, also stored).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseState {
    /// Awaiting the decisions of both committees; a new proposal may still replace it.
    Proposed = 1,
    /// Approved by every committee concerned; awaiting FINANCE.
    Approved = 2,
    /// Rejected by a committee; final.
    Rejected = 3,
    /// Executed by FINANCE; final.
    Executed = 4,
}

impl CaseState {
    /// The stored and wire number.
    pub fn number(self) -> i64 {
        self as i64
    }

    /// The state with a stored number; `None` for a number no state has.
    pub fn from_number(number: i64) -> Option<CaseState> {
        match number {
            1 => Some(CaseState::Proposed),
            2 => Some(CaseState::Approved),
            3 => Some(CaseState::Rejected),
            4 => Some(CaseState::Executed),
            _ => None,
        }
    }
}

/// A cross-frame purchase: a posting paid by one frame for another frame's need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Purchase {
    /// The posting (its ledger entry's reference).
    pub posting_id: String,
    /// The statement it came from; empty when settlement did not say.
    pub statement_id: String,
    /// The provider paid; empty when settlement did not say.
    pub provider_id: String,
    /// The month it pays for; `None` when settlement did not say.
    pub period: Option<Period>,
    /// The frame that paid.
    pub paying_frame: FrameCode,
    /// The frame that owns the need.
    pub need_frame: FrameCode,
    /// What the posting paid.
    pub amount: Ore,
}

/// A reallocation case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// `case-<YYYY>Q<q>-<frame>-<frame>`.
    pub id: CaseId,
    /// The quarter whose purchases it nets.
    pub quarter: Quarter,
    /// The frame whose need was bought: its budget moves out.
    pub from_frame: FrameCode,
    /// The frame that paid: its budget moves in.
    pub to_frame: FrameCode,
    /// The net amount moved, positive.
    pub amount: Ore,
    /// Where it stands.
    pub state: CaseState,
    /// The purchases it nets, by posting.
    pub purchases: Vec<Purchase>,
}

impl Case {
    /// The audit line of a proposal, in Danish as the committees read it.
    pub fn proposal_detail(&self) -> String {
        format!(
            "{} kr. fra {} til {} for {} køb",
            self.amount.to_danish(),
            self.from_frame,
            self.to_frame,
            self.purchases.len()
        )
    }

    /// The audit line of an execution.
    pub fn execution_detail(&self) -> String {
        format!("{} kr. fra {} til {}", self.amount.to_danish(), self.from_frame, self.to_frame)
    }
}

/// A committee's decision on a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The committee deciding.
    pub committee: CommitteeCode,
    /// Approved, or rejected.
    pub approved: bool,
    /// The principal who decided.
    pub decided_by: String,
    /// The committee's reasons, shown with the decision and in the audit trail.
    pub comment: String,
    /// When it was decided, shown to the second.
    pub decided_at: DateTime<Utc>,
}

impl Decision {
    /// The audit line of the decision.
    pub fn detail(&self) -> String {
        format!("{}: {}", self.committee, self.comment)
    }
}

/// What happened to a case, as its audit trail says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditAction {
    /// Proposed (or proposed again).
    Proposed,
    /// A committee approved.
    Approved,
    /// A committee rejected.
    Rejected,
    /// FINANCE executed.
    Executed,
}

impl AuditAction {
    /// The stored and wire word.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Proposed => "proposed",
            AuditAction::Approved => "approved",
            AuditAction::Rejected => "rejected",
            AuditAction::Executed => "executed",
        }
    }

    /// The action a stored word names.
    pub fn from_word(word: &str) -> Option<AuditAction> {
        [
            AuditAction::Proposed,
            AuditAction::Approved,
            AuditAction::Rejected,
            AuditAction::Executed,
        ]
        .into_iter()
        .find(|a| a.as_str() == word)
    }
}

/// One line of a case's audit trail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditLine {
    /// When it happened; the trail is read oldest first.
    pub at: DateTime<Utc>,
    /// The principal who acted.
    pub principal: String,
    /// What happened.
    pub action: AuditAction,
    /// The amounts and frames, or the committee's comment.
    pub detail: String,
}

/// Nets `purchases` per pair of frames into proposed cases of `quarter`; a pair whose purchases
/// cancel out gets none. A net beyond 64 bits of øre is [`Figure::Netting`].
pub fn net_cases(purchases: &[Purchase], quarter: Quarter) -> Result<Vec<Case>, BudgetError> {
    let overflow = || BudgetError::Overflow(Figure::Netting);
    // Per pair (low, high): what high's budget owes low — purchases paid by low for high's need,
    // minus purchases paid by high for low's need.
    let mut pairs: BTreeMap<(&FrameCode, &FrameCode), (i64, Vec<Purchase>)> = BTreeMap::new();
    for p in purchases {
        let (low, high) = if p.paying_frame <= p.need_frame {
            (&p.paying_frame, &p.need_frame)
        } else {
            (&p.need_frame, &p.paying_frame)
        };
        let entry = pairs.entry((low, high)).or_default();
        let net = if p.paying_frame == *low {
            entry.0.checked_add(p.amount.get())
        } else {
            entry.0.checked_sub(p.amount.get())
        };
        entry.0 = net.ok_or_else(overflow)?;
        entry.1.push(p.clone());
    }
    let mut cases = Vec::new();
    for ((low, high), (net, behind)) in pairs {
        if net == 0 {
            continue;
        }
        // Positive: low paid for high's need, so high's budget moves to low.
        let (from_frame, to_frame) = if net > 0 { (high, low) } else { (low, high) };
        cases.push(Case {
            id: CaseId::of(quarter.year(), quarter.number(), low, high),
            quarter,
            from_frame: from_frame.clone(),
            to_frame: to_frame.clone(),
            amount: Ore::new(net.checked_abs().ok_or_else(overflow)?),
            state: CaseState::Proposed,
            purchases: behind,
        });
    }
    Ok(cases)
}

/// Whether a new proposal may replace the case stored as `existing`: a case already decided keeps
/// what it was decided on.
pub fn may_propose_over(existing: Option<CaseState>) -> bool {
    existing.is_none_or(|state| state == CaseState::Proposed)
}

/// The state after `committee` decides a case in `state`, given the committees `concerned` and
/// the `earlier` decisions: a rejection rejects, approval by every committee concerned approves,
/// anything else leaves it proposed.
pub fn decide(
    state: CaseState,
    concerned: &[CommitteeCode],
    earlier: &[Decision],
    committee: &CommitteeCode,
    approve: bool,
) -> Result<CaseState, BudgetError> {
    if !concerned.contains(committee) {
        return Err(BudgetError::NotYours);
    }
    if state != CaseState::Proposed {
        return Err(BudgetError::NotAwaitingDecisions);
    }
    if earlier.iter().any(|d| d.committee == *committee) {
        return Err(BudgetError::AlreadyDecided);
    }
    let approved_by = |c: &CommitteeCode| c == committee || earlier.iter().any(|d| d.committee == *c && d.approved);
    Ok(if !approve {
        CaseState::Rejected
    } else if concerned.iter().all(approved_by) {
        CaseState::Approved
    } else {
        CaseState::Proposed
    })
}

/// The state after FINANCE executes a case in `state`: only an approved case runs, and only once.
pub fn execute(state: CaseState) -> Result<CaseState, BudgetError> {
    match state {
        CaseState::Approved => Ok(CaseState::Executed),
        CaseState::Executed => Err(BudgetError::AlreadyExecuted),
        CaseState::Proposed | CaseState::Rejected => Err(BudgetError::NotApproved),
    }
}

/// The two ledger entries executing `case` writes, booked on the quarter's last day: the amount
/// out of the from-frame and into the to-frame (on each frame's account), summing to zero.
pub fn execution_entries(case: &Case, from_account: &str, to_account: &str, now: DateTime<Utc>) -> Result<[LedgerEntry; 2], BudgetError> {
    let out = case.amount.checked_neg().map_err(|_| BudgetError::Overflow(Figure::Netting))?;
    let entry = |side: Side, frame: &FrameCode, account: &str, amount: Ore| LedgerEntry {
        entry_no: 0,
        frame: frame.clone(),
        year: case.quarter.year(),
        account: account.to_owned(),
        booked_on: case.quarter.last_day(),
        amount,
        source: EntrySource::Reallocation,
        source_ref: case.id.entry_ref(side),
        need_frame: frame.clone(),
        text: format!("nulsumsomplacering {}", case.id),
        recorded_at: now,
    };
    Ok([
        entry(Side::From, &case.from_frame, from_account, out),
        entry(Side::To, &case.to_frame, to_account, case.amount),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn purchase(paying: &str, need: &str, amount: i64) -> Purchase {
        Purchase {
            posting_id: format!("{paying}-{need}-{amount}"),
            statement_id: String::new(),
            provider_id: String::new(),
            period: Period::new(2026, 4),
            paying_frame: FrameCode::new(paying),
            need_frame: FrameCode::new(need),
            amount: Ore::new(amount),
        }
    }

    fn q(quarter: u32) -> Quarter {
        Quarter::new(2026, quarter).unwrap()
    }

    fn committees(codes: &[&str]) -> Vec<CommitteeCode> {
        codes.iter().map(|c| CommitteeCode::new(*c)).collect()
    }

    fn decision(committee: &str, approved: bool) -> Decision {
        Decision {
            committee: CommitteeCode::new(committee),
            approved,
            decided_by: format!("committee:{committee}"),
            comment: "ok".into(),
            decided_at: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn nets_both_ways_per_pair() {
        let cases = net_cases(&[purchase("HEALTH", "SOCIAL", 236_000), purchase("SOCIAL", "HEALTH", 50_000)], q(2)).unwrap();
        assert_eq!(cases.len(), 1);
        let case = &cases[0];
        assert_eq!(
            (case.from_frame.as_str(), case.to_frame.as_str(), case.amount, case.purchases.len()),
            ("SOCIAL", "HEALTH", Ore::new(186_000), 2)
        );
        assert_eq!(case.id.as_str(), "case-2026Q2-HEALTH-SOCIAL");
        assert_eq!(case.proposal_detail(), "1.860,00 kr. fra SOCIAL til HEALTH for 2 køb");
        assert!(
            net_cases(&[purchase("HEALTH", "SOCIAL", 100), purchase("SOCIAL", "HEALTH", 100)], q(2))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn netting_beyond_64_bits_is_refused_not_wrapped() {
        let huge = [purchase("HEALTH", "SOCIAL", i64::MAX), purchase("HEALTH", "SOCIAL", 1)];
        assert_eq!(net_cases(&huge, q(2)), Err(BudgetError::Overflow(Figure::Netting)));
    }

    #[test]
    fn quarters_have_four_and_their_own_days() {
        assert_eq!(q(1).last_day(), NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
        assert_eq!(q(4).first_day(), NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
        assert!(Quarter::new(2026, 5).is_none());
        assert!(Quarter::new(2026, 0).is_none());
    }

    #[test]
    fn both_committees_approve_one_rejection_rejects() {
        let both = committees(&["HEALTH", "SOCIAL"]);
        let social = CommitteeCode::new("SOCIAL");
        let health = CommitteeCode::new("HEALTH");
        assert_eq!(decide(CaseState::Proposed, &both, &[], &social, true), Ok(CaseState::Proposed));
        assert_eq!(
            decide(CaseState::Proposed, &both, &[decision("SOCIAL", true)], &health, true),
            Ok(CaseState::Approved)
        );
        assert_eq!(
            decide(CaseState::Proposed, &both, &[decision("SOCIAL", true)], &health, false),
            Ok(CaseState::Rejected)
        );
        assert_eq!(
            decide(CaseState::Proposed, &committees(&["SOCIAL"]), &[], &social, true),
            Ok(CaseState::Approved),
            "both frames of one committee"
        );
    }

    #[test]
    fn a_decision_is_refused_when_not_concerned_not_awaited_or_given_twice() {
        let both = committees(&["HEALTH", "SOCIAL"]);
        let finance = CommitteeCode::new("FINANCE");
        let social = CommitteeCode::new("SOCIAL");
        assert_eq!(decide(CaseState::Proposed, &both, &[], &finance, true), Err(BudgetError::NotYours));
        assert_eq!(
            decide(CaseState::Approved, &both, &[], &social, true),
            Err(BudgetError::NotAwaitingDecisions)
        );
        assert_eq!(
            decide(CaseState::Proposed, &both, &[decision("SOCIAL", true)], &social, false),
            Err(BudgetError::AlreadyDecided)
        );
    }

    #[test]
    fn only_an_approved_case_executes_and_only_once() {
        assert_eq!(execute(CaseState::Approved), Ok(CaseState::Executed));
        assert_eq!(execute(CaseState::Executed), Err(BudgetError::AlreadyExecuted));
        assert_eq!(execute(CaseState::Proposed), Err(BudgetError::NotApproved));
        assert_eq!(execute(CaseState::Rejected), Err(BudgetError::NotApproved));
        assert!(may_propose_over(None));
        assert!(may_propose_over(Some(CaseState::Proposed)));
        assert!(!may_propose_over(Some(CaseState::Rejected)));
    }

    #[test]
    fn execution_writes_two_entries_that_sum_to_zero() {
        let case = net_cases(&[purchase("HEALTH", "SOCIAL", 236_000)], q(2)).unwrap().remove(0);
        let [out, into] = execution_entries(&case, "5.30.26", "4.62.88", DateTime::UNIX_EPOCH).unwrap();
        assert_eq!((out.frame.as_str(), out.amount), ("SOCIAL", Ore::new(-236_000)));
        assert_eq!(
            (into.frame.as_str(), into.amount, into.account.as_str()),
            ("HEALTH", Ore::new(236_000), "4.62.88")
        );
        assert_eq!(out.booked_on, NaiveDate::from_ymd_opt(2026, 6, 30).unwrap());
        assert_eq!(into.source_ref, "case-2026Q2-HEALTH-SOCIAL:to");
    }

    proptest! {
        /// Executing every case moves exactly what the purchases net to: for each frame, the
        /// budget it gains equals what it paid for others minus what others paid for it.
        #[test]
        fn cases_move_exactly_the_net_purchases(raw in prop::collection::vec((0_usize..3, 0_usize..3, 1_i64..1_000_000), 0..30)) {
            let frames = ["FINANCE", "HEALTH", "SOCIAL"];
            let purchases: Vec<Purchase> = raw.iter().filter(|(a, b, _)| a != b).map(|(a, b, amount)| purchase(frames[*a], frames[*b], *amount)).collect();
            let mut moved: BTreeMap<&str, i64> = BTreeMap::new();
            for case in net_cases(&purchases, q(1)).unwrap() {
                let [out, into] = execution_entries(&case, "", "", DateTime::UNIX_EPOCH).unwrap();
                prop_assert_eq!(out.amount.get() + into.amount.get(), 0);
                *moved.entry(frames.iter().find(|f| **f == case.to_frame.as_str()).unwrap()).or_default() += case.amount.get();
                *moved.entry(frames.iter().find(|f| **f == case.from_frame.as_str()).unwrap()).or_default() -= case.amount.get();
            }
            prop_assert_eq!(moved.values().sum::<i64>(), 0);
            for frame in frames {
                let paid_for_others: i64 = purchases.iter().filter(|p| p.paying_frame == *frame).map(|p| p.amount.get()).sum();
                let bought_for_it: i64 = purchases.iter().filter(|p| p.need_frame == *frame).map(|p| p.amount.get()).sum();
                prop_assert_eq!(moved.get(frame).copied().unwrap_or(0), paid_for_others - bought_for_it);
            }
        }
    }
}
