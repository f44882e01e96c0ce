//! Follow-up on the wire: status and curves, the leader's expected accounts, deviation
//! explanations and month close.

use afregning_kit::auth::require;
use afregning_kit::store::RequestKey;
use afregning_kit::{ApiError, Violations};
use afregning_proto::budget::v1 as pb;
use afregning_proto::common::v1 as pbc;
use afregning_tariff::{Ore, Period};
use chrono::Utc;
use tonic::{Request, Response, Status};

use super::{Rpc, convert, year_ok};
use crate::app;
use crate::app::follow_up::{ExplanationInput, FrameStatus};
use crate::domain::{Frame, FrameCode};

/// A month of the years frames are set for.
fn period_of(period: Option<&pbc::Period>) -> Result<Period, ApiError> {
    afregning_proto::convert::period(period)
        .ok()
        .filter(|p| year_ok(p.year()))
        .ok_or_else(|| ApiError::invalid("period", "required: a year and a month 1–12"))
}

pub(super) async fn submit_expected_accounts(
    app: &app::Budget,
    request: Request<pb::SubmitExpectedAccountsRequest>,
) -> Result<Response<pb::ExpectedAccounts>, Status> {
    let principal = require(&request, Rpc::SubmitExpectedAccounts.roles())?;
    let r = request.into_inner();
    let key = RequestKey::new(Rpc::SubmitExpectedAccounts.name(), &r.request_id, &r)?;
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
    let months: Vec<(u32, Ore)> = r.months.iter().map(|m| (m.month.unsigned_abs(), Ore::new(m.amount_ore))).collect();
    let now = Utc::now();
    let mut sorted = r.months.clone();
    sorted.sort_by_key(|m| m.month);
    let answer = |submitted_by| pb::ExpectedAccounts {
        frame: r.frame.clone(),
        year: r.year,
        months: sorted,
        submitted_by,
        submitted_at: Some(convert::seconds(now)),
    };
    let frame = FrameCode::new(r.frame.clone());
    let stored = app.submit_expected_accounts(&key, &principal, (&frame, r.year), &months, now, answer);
    Ok(Response::new(stored.await?))
}

pub(super) async fn get_follow_up_status(
    app: &app::Budget,
    request: Request<pb::GetFollowUpStatusRequest>,
) -> Result<Response<pb::GetFollowUpStatusResponse>, Status> {
    require(&request, Rpc::GetFollowUpStatus.roles())?;
    let r = request.get_ref();
    let as_of = afregning_proto::convert::date(r.as_of.as_ref()).map_err(|_| ApiError::invalid("as_of", "required: a real date"))?;
    let frame = (!r.frame.is_empty()).then(|| FrameCode::new(r.frame.clone()));
    let statuses = app.statuses(frame.as_ref(), as_of).await?;
    Ok(Response::new(pb::GetFollowUpStatusResponse {
        frames: statuses.iter().map(|(f, s)| convert::status(f, s, as_of)).collect(),
    }))
}

pub(super) async fn get_follow_up_series(
    app: &app::Budget,
    request: Request<pb::GetFollowUpSeriesRequest>,
) -> Result<Response<pb::FollowUpSeries>, Status> {
    require(&request, Rpc::GetFollowUpSeries.roles())?;
    let r = request.get_ref();
    let as_of = match r.as_of.as_ref() {
        None => afregning_kit::clock::today(),
        Some(_) => {
            afregning_proto::convert::date(r.as_of.as_ref()).map_err(|_| ApiError::invalid("as_of", "a real date, or unset for today"))?
        }
    };
    let (frame, points) = app.series(&FrameCode::new(r.frame.clone()), r.year, as_of).await?;
    Ok(Response::new(pb::FollowUpSeries {
        frame: frame.code.into_string(),
        year: r.year,
        points: points.iter().map(convert::series_point).collect(),
    }))
}

pub(super) async fn submit_deviation_explanation(
    app: &app::Budget,
    request: Request<pb::SubmitDeviationExplanationRequest>,
) -> Result<Response<pb::DeviationExplanation>, Status> {
    let principal = require(&request, Rpc::SubmitDeviationExplanation.roles())?;
    let r = request.into_inner();
    let key = RequestKey::new(Rpc::SubmitDeviationExplanation.name(), &r.request_id, &r)?;
    let mut v = Violations::new();
    let period = v.take(
        "period",
        period_of(r.period.as_ref()).map_err(|_| "required: a year and a month 1–12"),
    );
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
    let input = ExplanationInput {
        frame: FrameCode::new(r.frame.clone()),
        period: period.ok_or_else(|| ApiError::invalid("period", "required: a year and a month 1–12"))?,
        explanation: r.explanation.trim().to_owned(),
        actions: r.corrective_actions.clone(),
    };
    let now = Utc::now();
    let answer = |submitted_by| pb::DeviationExplanation {
        frame: r.frame,
        period: r.period,
        explanation: input.explanation.clone(),
        corrective_actions: r.corrective_actions,
        submitted_by,
        submitted_at: Some(convert::seconds(now)),
    };
    Ok(Response::new(app.submit_explanation(&key, &principal, &input, now, answer).await?))
}

pub(super) async fn close_month(
    app: &app::Budget,
    request: Request<pb::CloseMonthRequest>,
) -> Result<Response<pb::CloseMonthResponse>, Status> {
    require(&request, Rpc::CloseMonth.roles())?;
    let r = request.into_inner();
    let key = RequestKey::new(Rpc::CloseMonth.name(), &r.request_id, &r)?;
    let period = period_of(r.period.as_ref())?;
    let now = Utc::now();
    // A month closed before keeps the moment it was closed.
    let answer = |frame: &Frame, status: FrameStatus| pb::CloseMonthResponse {
        closed_at: Some(convert::seconds(status.closed_at.unwrap_or(now))),
        status: Some(convert::status(frame, &status, period.range().last())),
    };
    Ok(Response::new(
        app.close_month(&key, &FrameCode::new(r.frame), period, now, answer).await?,
    ))
}
