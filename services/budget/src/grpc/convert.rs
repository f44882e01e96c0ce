//! Budget's own messages ↔ domain types. Dates, months and instants go through the shared
//! `afregning_proto::convert`.

use afregning_proto::budget::v1 as pb;
use afregning_proto::common::v1 as pbc;
use afregning_proto::convert::timestamp;
use afregning_tariff::Ore;
use chrono::{DateTime, NaiveDate, Utc};

use crate::app::follow_up::FrameStatus;
use crate::domain::follow_up::{RestSource, SeriesPoint};
use crate::domain::reconcile::{Difference, LineKey, PostingTotal};
use crate::domain::{AuditLine, Committee, Decision, Frame, LedgerEntry, Purchase};
use crate::store::CaseParts;

/// An instant to the whole second, as submissions, decisions and audit lines have always been
/// answered.
pub fn seconds(at: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: at.timestamp(),
        nanos: 0,
    }
}

/// A committee on the wire.
pub fn committee(c: Committee) -> pb::Committee {
    pb::Committee {
        code: c.code.into_string(),
        name: c.name,
    }
}

/// A frame on the wire, with its budget after reallocations.
pub fn frame(f: &Frame, adjusted: Ore) -> pb::Frame {
    pb::Frame {
        frame: f.code.to_string(),
        year: f.year,
        committee: f.committee.to_string(),
        name: f.name.clone(),
        account: f.account.clone(),
        amount_ore: f.amount.get(),
        adjusted_amount_ore: adjusted.get(),
        monthly_profile_ore: f.profile.months().into_iter().map(Ore::get).collect(),
    }
}

/// A ledger entry on the wire.
pub fn entry(e: &LedgerEntry) -> pb::LedgerEntry {
    pb::LedgerEntry {
        entry_no: e.entry_no,
        frame: e.frame.to_string(),
        year: e.year,
        account: e.account.clone(),
        booked_on: Some(pbc::Date::from(e.booked_on)),
        amount_ore: e.amount.get(),
        source: e.source.number() as i32,
        source_ref: e.source_ref.clone(),
        text: e.text.clone(),
        recorded_at: Some(timestamp(e.recorded_at)),
    }
}

fn purchase(p: &Purchase) -> pb::CasePurchase {
    pb::CasePurchase {
        posting_id: p.posting_id.clone(),
        statement_id: p.statement_id.clone(),
        provider_id: p.provider_id.clone(),
        period: p.period.map(pbc::Period::from),
        paying_frame: p.paying_frame.to_string(),
        need_frame: p.need_frame.to_string(),
        amount_ore: p.amount.get(),
    }
}

fn approval(d: Decision) -> pb::CaseApproval {
    pb::CaseApproval {
        committee: d.committee.into_string(),
        approved: d.approved,
        decided_by: d.decided_by,
        comment: d.comment,
        decided_at: Some(seconds(d.decided_at)),
    }
}

fn audit(a: AuditLine) -> pb::CaseAuditEntry {
    pb::CaseAuditEntry {
        at: Some(seconds(a.at)),
        principal: a.principal,
        action: a.action.as_str().to_owned(),
        detail: a.detail,
    }
}

/// A case on the wire: the purchases behind it, the decisions, the audit trail and its entries.
pub fn case(parts: CaseParts) -> pb::ReallocationCase {
    let CaseParts {
        case,
        decisions,
        audit: lines,
        entries,
    } = parts;
    pb::ReallocationCase {
        quarter: Some(pbc::Quarter {
            year: case.quarter.year(),
            quarter: case.quarter.number() as i32,
        }),
        from_frame: case.from_frame.to_string(),
        to_frame: case.to_frame.to_string(),
        amount_ore: case.amount.get(),
        state: case.state.number() as i32,
        purchases: case.purchases.iter().map(purchase).collect(),
        approvals: decisions.into_iter().map(approval).collect(),
        audit: lines.into_iter().map(audit).collect(),
        entries: entries.iter().map(entry).collect(),
        case_id: case.id.into_string(),
    }
}

/// A frame's follow-up status at `as_of` on the wire.
pub fn status(f: &Frame, s: &FrameStatus, as_of: NaiveDate) -> pb::FrameStatus {
    let figures = &s.status;
    pb::FrameStatus {
        frame: f.code.to_string(),
        year: f.year,
        as_of: Some(pbc::Date::from(as_of)),
        budget_ore: figures.budget.get(),
        consumed_ore: figures.consumed.get(),
        expected_rest_from_commitments_ore: figures.rest_from_commitments.get(),
        expected_rest_from_leader_ore: figures.rest_from_leader.get(),
        has_leader_forecast: figures.has_leader_forecast(),
        expected_rest_ore: figures.expected_rest.get(),
        expected_rest_source: match figures.rest_source {
            RestSource::Commitments => pb::ExpectedRestSource::Commitments,
            RestSource::Leader => pb::ExpectedRestSource::Leader,
        } as i32,
        closed: s.closed_at.is_some(),
        closed_at: s.closed_at.map(seconds),
        expected_result_ore: figures.expected_result.get(),
        consumption: Some(pb::Percent {
            basis_points: figures.consumption_bp,
        }),
        profile_share: Some(pb::Percent {
            basis_points: figures.profile_share_bp,
        }),
        explanation_required: s.explanation_required,
    }
}

/// One month of a frame's curves on the wire.
pub fn series_point(p: &SeriesPoint) -> pb::SeriesPoint {
    pb::SeriesPoint {
        month: p.month as i32,
        budget_cumulative_ore: p.budget.get(),
        consumed_cumulative_ore: p.consumed.get(),
        leader_forecast_cumulative_ore: p.leader_forecast.get(),
        commitments_forecast_cumulative_ore: p.commitments_forecast.get(),
        closed: p.closed,
    }
}

/// A posting total on the wire.
pub fn posting_total(t: &PostingTotal) -> pb::PostingTotal {
    pb::PostingTotal {
        frame: t.frame.to_string(),
        account: t.account.clone(),
        period: Some(pbc::Period::from(t.period)),
        amount_ore: t.amount.get(),
        entry_count: t.entries,
    }
}

/// The key an ERP line is compared under: its month as sent (absent is month 0 of year 0).
pub fn line_key(t: &pb::PostingTotal) -> LineKey {
    let p = t.period.unwrap_or_default();
    LineKey {
        frame: t.frame.clone(),
        account: t.account.clone(),
        year: p.year,
        month: p.month,
    }
}

/// A line of disagreement on the wire.
pub fn difference(d: Difference) -> pb::ReconcileDifference {
    pb::ReconcileDifference {
        frame: d.key.frame,
        account: d.key.account,
        period: Some(pbc::Period {
            year: d.key.year,
            month: d.key.month,
        }),
        afregning_ore: d.ours.get(),
        erp_ore: d.theirs.get(),
        difference_ore: d.difference.get(),
    }
}
