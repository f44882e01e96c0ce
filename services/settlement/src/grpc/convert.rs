//! Settlement's own messages ↔ its domain types, written once. Dates, months, instants and time
//! bands go through the shared conversions in [`afregning_proto::convert`].

use afregning_proto::common::v1 as pbc;
use afregning_proto::convert::{instant, stored_timestamp, timestamp};
use afregning_proto::settlement::v1 as pb;
use afregning_tariff::Ore;
use afregning_tariff::steering::{Figures, explain};

use crate::domain::delivery::{Delivery, Reported};
use crate::domain::lifecycle::{Answer, Lifecycle, due_on};
use crate::domain::posting::Posting;
use crate::domain::run::RunState;
use crate::domain::statement::{Statement, StatementStatus};

/// The wire field a refusal of a reported record names.
pub(crate) fn delivery_field(field: crate::domain::delivery::DeliveryField) -> &'static str {
    use crate::domain::delivery::DeliveryField as F;
    match field {
        F::DeliveryId => "delivery_id",
        F::GrantId => "grant_id",
        F::ProviderId => "provider_id",
        F::CarerVisitId => "carer_visit_id",
        F::StartedAt => "started_at",
        F::Minutes => "minutes",
    }
}

/// A statement line's wire message is also its stored encoding (the seal hashes it), so its one
/// home is the store's codec.
pub(crate) use crate::store::line_codec::wire_line;

/// A statement header on the wire.
pub(crate) fn wire_statement(s: &Statement) -> pb::Statement {
    let booked = s.period.booked_in();
    pb::Statement {
        statement_id: s.statement_id.to_string(),
        provider_id: s.provider_id.to_string(),
        period: booked.map(|(p, _)| pbc::Period::from(p)),
        true_up: booked.is_some_and(|(_, true_up)| true_up),
        state: match s.status {
            StatementStatus::Draft => pb::StatementState::Draft,
            StatementStatus::Issued => pb::StatementState::Issued,
        } as i32,
        total_ore: s.total_ore.get(),
        line_count: s.line_count,
        issuer: "Afregning".into(),
        content_hash: s.content_hash.clone(),
        computed_at: Some(timestamp(s.computed_at)),
        issued_at: s.issued_at.map(timestamp),
        catalog_versions: s.catalog_versions.clone(),
        due_on: s.issued_at.map(|at| pbc::Date::from(due_on(at))),
        ..Default::default()
    }
}

/// A statement header on the wire with what happened to it after issue.
pub(crate) fn wire_statement_with(s: &Statement, life: Option<&Lifecycle>) -> pb::Statement {
    let mut wire = wire_statement(s);
    let Some(life) = life else { return wire };
    if let Some(answered) = &life.answered {
        wire.answered_at = Some(timestamp(answered.at));
        wire.answer = match &answered.answer {
            Answer::Accepted => pb::StatementAnswer::Accepted,
            Answer::Disputed(lines) => {
                wire.disputed_lines = lines
                    .iter()
                    .map(|l| pb::DisputedLine {
                        line_no: l.line_no,
                        reason: l.reason.clone(),
                    })
                    .collect();
                pb::StatementAnswer::Disputed
            }
        } as i32;
    }
    if let Some(payment) = &life.payment {
        wire.paid_on = Some(pbc::Date::from(payment.paid_on));
        wire.payment_reference = payment.reference.clone();
    }
    wire
}

/// A run state on the wire.
pub(crate) fn wire_run_state(state: RunState) -> i32 {
    (match state {
        RunState::Running => pb::RunState::Running,
        RunState::Completed => pb::RunState::Completed,
        RunState::Failed => pb::RunState::Failed,
        RunState::Interrupted => pb::RunState::Interrupted,
    }) as i32
}

/// A stored delivery on the wire.
pub(crate) fn wire_delivery(d: &Delivery) -> pb::Delivery {
    pb::Delivery {
        delivery_id: d.delivery_id.to_string(),
        grant_id: d.grant_id.to_string(),
        provider_id: d.provider_id.to_string(),
        carer_visit_id: d.carer_visit_id.to_string(),
        started_at: Some(timestamp(d.started_at)),
        minutes: d.minutes,
        revision: d.revision,
    }
}

/// A reported delivery, before any check.
pub(crate) fn reported(d: &pb::Delivery) -> Reported {
    Reported {
        delivery_id: d.delivery_id.clone(),
        grant_id: d.grant_id.clone(),
        provider_id: d.provider_id.clone(),
        carer_visit_id: d.carer_visit_id.clone(),
        started_at: d.started_at.as_ref().and_then(instant),
        minutes: d.minutes,
    }
}

/// A posting from the feed on the wire.
pub(crate) fn wire_posting(event: afregning_kit::store::FeedEvent<Posting>) -> pb::Posting {
    let p = event.payload;
    pb::Posting {
        sequence: u64::try_from(event.sequence).unwrap_or_default(),
        posting_id: p.posting_id,
        statement_id: p.statement_id.into(),
        provider_id: p.provider_id.into(),
        period: p.period.booked_in().map(|(period, _)| pbc::Period::from(period)),
        paying_frame: p.paying_frame,
        need_frame: p.need_frame,
        account: p.account,
        amount_ore: p.amount_ore.get(),
        committed_at: stored_timestamp(&event.committed_at),
        trace_parent: event.trace_parent,
    }
}

/// One steering model's figures on the wire.
pub(crate) fn wire_figures(f: &Figures) -> pb::ModelFigures {
    pb::ModelFigures {
        frame_ore: f.frame.map(Ore::get),
        activity_ore: f.activity.get(),
        course_ore: f.course.get(),
        current_ore: f.current.get(),
        delivered_minutes: f.delivered_minutes,
        visited_minutes: f.visited_minutes,
        course_grants: f.course_grants,
        level_kept: f.level_kept,
        frame_share_basis_points: f.frame_share_basis_points,
        explanations: explain(f),
    }
}
