//! Quarterly net-zero reallocation on the wire: FINANCE proposes and executes, the committees
//! concerned decide, readers list and read cases.

use afregning_kit::ApiError;
use afregning_kit::auth::{Principal, require};
use afregning_kit::paging::{next_token, page};
use afregning_kit::store::RequestKey;
use afregning_proto::budget::v1 as pb;
use tonic::{Request, Response, Status};

use super::{Rpc, convert, year_ok};
use crate::app;
use crate::app::reallocation::DecisionInput;
use crate::domain::{CaseId, CaseState, CommitteeCode, Quarter};
use crate::store::CaseParts;
use crate::store::cases::CaseFilter;

pub(super) async fn propose_reallocations(
    app: &app::Budget,
    request: Request<pb::ProposeReallocationsRequest>,
) -> Result<Response<pb::ProposeReallocationsResponse>, Status> {
    let principal = require(&request, Rpc::ProposeReallocations.roles())?;
    let r = request.into_inner();
    let key = RequestKey::new(Rpc::ProposeReallocations.name(), &r.request_id, &r)?;
    let q = r.quarter.ok_or_else(|| ApiError::invalid("quarter", "required"))?;
    let quarter = u32::try_from(q.quarter)
        .ok()
        .and_then(|n| Quarter::new(q.year, n))
        .filter(|_| year_ok(q.year))
        .ok_or_else(|| ApiError::invalid("quarter", "a year and a quarter 1–4"))?;
    let answer = |cases: Vec<CaseParts>| {
        Ok(pb::ProposeReallocationsResponse {
            cases: cases.into_iter().map(convert::case).collect(),
        })
    };
    let today = afregning_kit::clock::today();
    Ok(Response::new(
        app.propose_reallocations(&key, &principal, quarter, today, answer).await?,
    ))
}

pub(super) async fn list_reallocation_cases(
    app: &app::Budget,
    request: Request<pb::ListReallocationCasesRequest>,
) -> Result<Response<pb::ListReallocationCasesResponse>, Status> {
    require(&request, Rpc::ListReallocationCases.roles())?;
    let r = request.get_ref();
    let (offset, limit) = page(r.page.as_ref())?;
    let filter = CaseFilter {
        year: r.quarter.map(|q| q.year).filter(|y| *y != 0),
        quarter: r.quarter.map(|q| q.quarter).filter(|q| *q != 0),
        state: CaseState::from_number(i64::from(r.state)),
    };
    let cases = app.cases(&filter, offset, limit).await?;
    Ok(Response::new(pb::ListReallocationCasesResponse {
        next_page_token: next_token(offset, limit, cases.len()),
        cases: cases.into_iter().map(convert::case).collect(),
    }))
}

pub(super) async fn get_reallocation_case(
    app: &app::Budget,
    request: Request<pb::GetReallocationCaseRequest>,
) -> Result<Response<pb::ReallocationCase>, Status> {
    require(&request, Rpc::GetReallocationCase.roles())?;
    let case = app.case(&CaseId::new(request.get_ref().case_id.clone())).await?;
    Ok(Response::new(convert::case(case)))
}

pub(super) async fn decide_reallocation_case(
    app: &app::Budget,
    request: Request<pb::DecideReallocationCaseRequest>,
) -> Result<Response<pb::ReallocationCase>, Status> {
    let principal = require(&request, Rpc::DecideReallocationCase.roles())?;
    let r = request.into_inner();
    let key = RequestKey::new(Rpc::DecideReallocationCase.name(), &r.request_id, &r)?;
    // A committee decides for itself only.
    if matches!(&principal, Principal::Committee(own) if *own != r.committee) {
        return Err(ApiError::PermissionDenied.into());
    }
    if r.comment.chars().count() > 1_000 {
        return Err(ApiError::invalid("comment", "at most 1,000 characters").into());
    }
    let input = DecisionInput {
        case_id: CaseId::new(r.case_id),
        committee: CommitteeCode::new(r.committee),
        approve: r.approve,
        comment: r.comment,
    };
    let answer = |parts| Ok(convert::case(parts));
    Ok(Response::new(app.decide_case(&key, &principal, &input, answer).await?))
}

pub(super) async fn execute_reallocation_case(
    app: &app::Budget,
    request: Request<pb::ExecuteReallocationCaseRequest>,
) -> Result<Response<pb::ReallocationCase>, Status> {
    let principal = require(&request, Rpc::ExecuteReallocationCase.roles())?;
    let r = request.into_inner();
    let key = RequestKey::new(Rpc::ExecuteReallocationCase.name(), &r.request_id, &r)?;
    let answer = |parts| Ok(convert::case(parts));
    Ok(Response::new(
        app.execute_case(&key, &principal, &CaseId::new(r.case_id), answer).await?,
    ))
}
