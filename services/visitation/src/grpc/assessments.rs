//! RecordAssessment, ListAssessments.

use afregning_kit::paging::{next_token, page};
use afregning_kit::store::RequestKey;
use afregning_kit::{ApiError, Violations};
use afregning_proto::convert::date;
use afregning_proto::visitation::v1 as pb;
use tonic::{Request, Response, Status};

use super::convert::{pb_assessment, purpose_given, text};
use super::roles::{Rpc, authorize};
use crate::app::App;
use crate::domain::CitizenId;
use crate::domain::assessment::{FunctionScore, ScoreFault, check_scores};

pub(super) async fn record(app: &App, request: Request<pb::RecordAssessmentRequest>) -> Result<Response<pb::Assessment>, Status> {
    authorize(&request, Rpc::RecordAssessment)?;
    let r = request.into_inner();
    let key = RequestKey::new(Rpc::RecordAssessment.name(), &r.request_id, &r)?;
    let mut v = Violations::new();
    let assessed_on = v.take("assessed_on", date(r.assessed_on.as_ref()));
    let assessor = text(&r.assessor, "assessor", 100, &mut v);
    let scores: Vec<FunctionScore> = r
        .scores
        .iter()
        .map(|s| FunctionScore {
            area: s.area.clone(),
            score: s.score,
        })
        .collect();
    for fault in check_scores(&scores) {
        let field = match fault {
            ScoreFault::Count => "scores".to_owned(),
            ScoreFault::Area(i) | ScoreFault::ScoredTwice(i) => format!("scores[{i}].area"),
            ScoreFault::Score(i) => format!("scores[{i}].score"),
        };
        v.add(field, fault.problem());
    }
    v.finish()?;
    let assessed_on = assessed_on.ok_or_else(|| ApiError::invalid("assessed_on", "required"))?;
    let citizen_id = CitizenId::from(r.citizen_id);
    let answer = app
        .record_assessment(&key, citizen_id, assessed_on, assessor, scores, pb_assessment)
        .await?;
    Ok(Response::new(answer))
}

pub(super) async fn list(app: &App, request: Request<pb::ListAssessmentsRequest>) -> Result<Response<pb::ListAssessmentsResponse>, Status> {
    let principal = authorize(&request, Rpc::ListAssessments)?;
    let r = request.into_inner();
    purpose_given(&r.purpose)?;
    let (offset, limit) = page(r.page.as_ref())?;
    let citizen_id = CitizenId::from(r.citizen_id);
    let rows = app
        .assessments(&citizen_id, offset, limit, &principal.to_string(), r.purpose.trim())
        .await?;
    Ok(Response::new(pb::ListAssessmentsResponse {
        next_page_token: next_token(offset, limit, rows.len()),
        assessments: rows.iter().map(pb_assessment).collect(),
    }))
}
