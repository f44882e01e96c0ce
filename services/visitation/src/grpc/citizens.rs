//! RegisterCitizen, GetCitizen, FindCitizenByCpr, ListAuditEntries: the citizen's personal data
//! and the log of who read it.

use afregning_kit::clock::today;
use afregning_kit::paging::{next_token, page};
use afregning_kit::store::RequestKey;
use afregning_kit::{ApiError, Violations};
use afregning_proto::convert::timestamp;
use afregning_proto::visitation::v1 as pb;
use afregning_tariff::Cpr;
use tonic::{Request, Response, Status};

use super::convert::{pb_citizen, text};
use super::roles::{Rpc, authorize};
use crate::app::App;
use crate::domain::CitizenId;
use crate::domain::citizen::MAX_PURPOSE_CHARS;

pub(super) async fn register(app: &App, request: Request<pb::RegisterCitizenRequest>) -> Result<Response<pb::Citizen>, Status> {
    let principal = authorize(&request, Rpc::RegisterCitizen)?;
    let r = request.into_inner();
    let key = RequestKey::new(Rpc::RegisterCitizen.name(), &r.request_id, &r)?;
    let cpr = Cpr::parse(&r.cpr).map_err(|e| ApiError::invalid("cpr", e.to_string()))?;
    let answer = |c: &_| pb_citizen(c, true);
    let citizen = app.register_citizen(&key, cpr, &principal.to_string(), today(), answer).await?;
    Ok(Response::new(citizen))
}

pub(super) async fn get(app: &App, request: Request<pb::GetCitizenRequest>) -> Result<Response<pb::Citizen>, Status> {
    let principal = authorize(&request, Rpc::GetCitizen)?;
    let r = request.into_inner();
    let mut v = Violations::new();
    v.check(r.purpose.chars().count() <= MAX_PURPOSE_CHARS, "purpose", "at most 200 characters");
    v.finish()?;
    let citizen = app
        .citizen(&CitizenId::from(r.citizen_id), &principal.to_string(), &r.purpose)
        .await?;
    // Without a stated purpose the caller learns that the citizen exists, not who it is.
    Ok(Response::new(pb_citizen(&citizen, !r.purpose.trim().is_empty())))
}

pub(super) async fn find_by_cpr(app: &App, request: Request<pb::FindCitizenByCprRequest>) -> Result<Response<pb::Citizen>, Status> {
    let principal = authorize(&request, Rpc::FindCitizenByCpr)?;
    let r = request.into_inner();
    let mut v = Violations::new();
    let cpr = v.take("cpr", Cpr::parse(&r.cpr));
    text(&r.purpose, "purpose", MAX_PURPOSE_CHARS, &mut v);
    v.finish()?;
    let cpr = cpr.ok_or_else(|| ApiError::invalid("cpr", "invalid"))?;
    let citizen = app.citizen_by_cpr(&cpr, &principal.to_string(), &r.purpose).await?;
    Ok(Response::new(pb_citizen(&citizen, true)))
}

pub(super) async fn audit_entries(
    app: &App,
    request: Request<pb::ListAuditEntriesRequest>,
) -> Result<Response<pb::ListAuditEntriesResponse>, Status> {
    authorize(&request, Rpc::ListAuditEntries)?;
    let r = request.get_ref();
    let (offset, limit) = page(r.page.as_ref())?;
    let rows = app.audit_entries(&CitizenId::from(r.citizen_id.as_str()), offset, limit).await?;
    Ok(Response::new(pb::ListAuditEntriesResponse {
        next_page_token: next_token(offset, limit, rows.len()),
        entries: rows
            .into_iter()
            .map(|a| pb::AuditEntry {
                at: Some(timestamp(a.at)),
                principal: a.principal,
                action: a.action,
                purpose: a.purpose,
            })
            .collect(),
    }))
}
