//! DecideGrant and the grant reads: GetGrant, ListGrantVersions, ListCitizenGrants,
//! ListGrantsDueForFollowUp. The changes to a grant are in [`super::changes`].

use afregning_kit::clock::today;
use afregning_kit::paging::{next_token, page};
use afregning_kit::store::RequestKey;
use afregning_kit::{ApiError, Field, Violations};
use afregning_proto::convert::{date, opt_date};
use afregning_proto::visitation::v1 as pb;
use chrono::Days;
use tonic::{Request, Response, Status};

use super::convert::{pb_grant, purpose_given, terms};
use super::roles::{Rpc, authorize};
use crate::app::App;
use crate::domain::{CitizenId, Decision, Grant, GrantId};

/// The furthest ahead a follow-up list looks.
const MAX_WITHIN_DAYS: u32 = 366;

pub(super) async fn decide(app: &App, request: Request<pb::DecideGrantRequest>) -> Result<Response<pb::Grant>, Status> {
    authorize(&request, Rpc::DecideGrant)?;
    let r = request.into_inner();
    let key = RequestKey::new(Rpc::DecideGrant.name(), &r.request_id, &r)?;
    let mut v = Violations::new();
    let terms = terms(r.terms.as_ref(), &mut v);
    let start = v.take("start", date(r.start.as_ref()));
    let end = v.take("end", opt_date(r.end.as_ref())).flatten();
    let decided_on = v
        .take("decided_on", opt_date(r.decided_on.as_ref()))
        .flatten()
        .unwrap_or_else(today);
    if let (Some(start), Some(end)) = (start, end) {
        v.check(end >= start, "end", "must not be before start");
    }
    v.check(!r.citizen_id.is_empty(), "citizen_id", "required");
    v.finish()?;
    let (Some(terms), Some(start)) = (terms, start) else {
        return Err(ApiError::invalid("terms", "required").into());
    };
    let decision = Decision {
        citizen_id: CitizenId::from(r.citizen_id),
        terms,
        start,
        end,
        decided_on,
    };
    Ok(Response::new(app.decide_grant(&key, decision, pb_grant).await?))
}

fn grants(list: &[Grant], offset: i64, limit: i64) -> pb::ListGrantsResponse {
    pb::ListGrantsResponse {
        grants: list.iter().map(pb_grant).collect(),
        next_page_token: next_token(offset, limit, list.len()),
    }
}

pub(super) async fn get(app: &App, request: Request<pb::GetGrantRequest>) -> Result<Response<pb::Grant>, Status> {
    authorize(&request, Rpc::GetGrant)?;
    let grant = app.grant(&GrantId::from(request.get_ref().grant_id.as_str())).await?;
    Ok(Response::new(pb_grant(&grant)))
}

pub(super) async fn versions(
    app: &App,
    request: Request<pb::ListGrantVersionsRequest>,
) -> Result<Response<pb::ListGrantVersionsResponse>, Status> {
    authorize(&request, Rpc::ListGrantVersions)?;
    let r = request.get_ref();
    let (offset, limit) = page(r.page.as_ref())?;
    let versions = app.grant_versions(&GrantId::from(r.grant_id.as_str()), offset, limit).await?;
    Ok(Response::new(pb::ListGrantVersionsResponse {
        next_page_token: next_token(offset, limit, versions.len()),
        versions: versions.iter().map(pb_grant).collect(),
    }))
}

pub(super) async fn of_citizen(
    app: &App,
    request: Request<pb::ListCitizenGrantsRequest>,
) -> Result<Response<pb::ListGrantsResponse>, Status> {
    let principal = authorize(&request, Rpc::ListCitizenGrants)?;
    let r = request.into_inner();
    purpose_given(&r.purpose)?;
    let (offset, limit) = page(r.page.as_ref())?;
    let citizen_id = CitizenId::from(r.citizen_id);
    let list = app
        .citizen_grants(
            &citizen_id,
            r.include_ended,
            (offset, limit),
            &principal.to_string(),
            r.purpose.trim(),
        )
        .await?;
    Ok(Response::new(grants(&list, offset, limit)))
}

pub(super) async fn due_for_follow_up(
    app: &App,
    request: Request<pb::ListGrantsDueForFollowUpRequest>,
) -> Result<Response<pb::ListGrantsResponse>, Status> {
    authorize(&request, Rpc::ListGrantsDueForFollowUp)?;
    let r = request.get_ref();
    let (offset, limit) = page(r.page.as_ref())?;
    let as_of = opt_date(r.as_of.as_ref()).field("as_of")?.unwrap_or_else(today);
    if r.within_days > MAX_WITHIN_DAYS {
        return Err(ApiError::invalid("within_days", "at most 366").into());
    }
    let until = as_of + Days::new(u64::from(r.within_days));
    let list = app.due_for_follow_up(until, offset, limit).await?;
    Ok(Response::new(grants(&list, offset, limit)))
}
