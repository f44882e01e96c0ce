//! RevisitGrant, ChangeProvider, SuspendGrant, ResumeGrant, EndGrant: each parses its command
//! and hands it to the one change use case ([`App::change_grant`]).

use afregning_kit::clock::today;
use afregning_kit::store::RequestKey;
use afregning_kit::{ApiError, Field, Violations};
use afregning_proto::common::v1 as pbc;
use afregning_proto::convert::{course_type, date, end_reason, opt_date};
use afregning_proto::visitation::v1 as pb;
use tonic::{Request, Response, Status};

use super::convert::{pb_grant, shares, text};
use super::roles::{Rpc, authorize};
use crate::app::App;
use crate::domain::error::Input;
use crate::domain::{Command, GrantId};

/// The most characters a suspension's reason may have.
const MAX_REASON_CHARS: usize = 500;

/// The change every RPC here ends in: `command` on the grant at `expected_version`, decided
/// on `decided_on` (today when absent).
async fn change(
    app: &App,
    key: RequestKey,
    grant_id: &str,
    expected_version: u32,
    command: Command,
    decided_on: Option<&pbc::Date>,
) -> Result<Response<pb::Grant>, Status> {
    let decided_on = opt_date(decided_on).field("decided_on")?.unwrap_or_else(today);
    let grant_id = GrantId::from(grant_id);
    let answer = app
        .change_grant(&key, &grant_id, expected_version, command, decided_on, pb_grant)
        .await?;
    Ok(Response::new(answer))
}

pub(super) async fn revisit(app: &App, request: Request<pb::RevisitGrantRequest>) -> Result<Response<pb::Grant>, Status> {
    authorize(&request, Rpc::RevisitGrant)?;
    let r = request.into_inner();
    let key = RequestKey::new(Rpc::RevisitGrant.name(), &r.request_id, &r)?;
    let mut v = Violations::new();
    let effective_from = v.take("effective_from", date(r.effective_from.as_ref()));
    v.check(
        r.visited_minutes_per_week <= afregning_tariff::course::MINUTES_PER_WEEK,
        "visited_minutes_per_week",
        "more minutes than a week has (10,080)",
    );
    v.finish()?;
    let command = Command::Revisit {
        effective_from: effective_from.unwrap_or_default(),
        visited_minutes_per_week: r.visited_minutes_per_week,
        course_type: course_type(r.course_type).ok(),
    };
    change(app, key, &r.grant_id, r.expected_version, command, r.decided_on.as_ref()).await
}

pub(super) async fn change_provider(app: &App, request: Request<pb::ChangeProviderRequest>) -> Result<Response<pb::Grant>, Status> {
    authorize(&request, Rpc::ChangeProvider)?;
    let r = request.into_inner();
    let key = RequestKey::new(Rpc::ChangeProvider.name(), &r.request_id, &r)?;
    let mut v = Violations::new();
    let effective_from = v.take("effective_from", date(r.effective_from.as_ref()));
    let providers = shares(&r.providers, Input::NewProviders, &mut v);
    v.finish()?;
    let command = Command::ChangeProvider {
        effective_from: effective_from.unwrap_or_default(),
        providers,
    };
    change(app, key, &r.grant_id, r.expected_version, command, r.decided_on.as_ref()).await
}

pub(super) async fn suspend(app: &App, request: Request<pb::SuspendGrantRequest>) -> Result<Response<pb::Grant>, Status> {
    authorize(&request, Rpc::SuspendGrant)?;
    let r = request.into_inner();
    let key = RequestKey::new(Rpc::SuspendGrant.name(), &r.request_id, &r)?;
    let mut v = Violations::new();
    let from = v.take("from", date(r.from.as_ref()));
    let reason = text(&r.reason, "reason", MAX_REASON_CHARS, &mut v);
    v.finish()?;
    let command = Command::Suspend {
        from: from.unwrap_or_default(),
        reason,
    };
    change(app, key, &r.grant_id, r.expected_version, command, r.decided_on.as_ref()).await
}

pub(super) async fn resume(app: &App, request: Request<pb::ResumeGrantRequest>) -> Result<Response<pb::Grant>, Status> {
    authorize(&request, Rpc::ResumeGrant)?;
    let r = request.into_inner();
    let key = RequestKey::new(Rpc::ResumeGrant.name(), &r.request_id, &r)?;
    let on = date(r.on.as_ref()).field("on")?;
    change(
        app,
        key,
        &r.grant_id,
        r.expected_version,
        Command::Resume { on },
        r.decided_on.as_ref(),
    )
    .await
}

pub(super) async fn end(app: &App, request: Request<pb::EndGrantRequest>) -> Result<Response<pb::Grant>, Status> {
    authorize(&request, Rpc::EndGrant)?;
    let r = request.into_inner();
    let key = RequestKey::new(Rpc::EndGrant.name(), &r.request_id, &r)?;
    let mut v = Violations::new();
    let last_day = v.take("last_day", date(r.last_day.as_ref()));
    let reason = end_reason(r.reason).ok();
    v.check(reason.is_some(), "reason", "required: GOAL_MET, DIED, MOVED or OTHER");
    v.finish()?;
    let (Some(last_day), Some(reason)) = (last_day, reason) else {
        return Err(ApiError::invalid("last_day", "required").into());
    };
    let command = Command::End { last_day, reason };
    change(app, key, &r.grant_id, r.expected_version, command, r.decided_on.as_ref()).await
}
