//! Committees and frames on the wire.

use afregning_kit::auth::require;
use afregning_kit::paging::{next_token, page};
use afregning_kit::store::RequestKey;
use afregning_kit::{ApiError, Violations};
use afregning_proto::budget::v1 as pb;
use afregning_tariff::Ore;
use tonic::{Request, Response, Status};

use super::{Rpc, convert, year_ok};
use crate::app;
use crate::domain::ids::is_code;
use crate::domain::{Committee, CommitteeCode, Frame, FrameCode, Profile};

const CODE: &str = "1–32 upper-case letters, digits, '_' or '-'";

fn name_ok(name: &str) -> bool {
    !name.trim().is_empty() && name.chars().count() <= 200
}

pub(super) async fn create_committee(
    app: &app::Budget,
    request: Request<pb::CreateCommitteeRequest>,
) -> Result<Response<pb::Committee>, Status> {
    require(&request, Rpc::CreateCommittee.roles())?;
    let r = request.into_inner();
    let key = RequestKey::new(Rpc::CreateCommittee.name(), &r.request_id, &r)?;
    let mut v = Violations::new();
    v.check(is_code(&r.code), "code", CODE);
    v.check(name_ok(&r.name), "name", "required, at most 200 characters");
    v.finish()?;
    let committee = Committee {
        code: CommitteeCode::new(r.code),
        name: r.name.trim().to_owned(),
    };
    Ok(Response::new(app.create_committee(&key, committee, convert::committee).await?))
}

pub(super) async fn list_committees(
    app: &app::Budget,
    request: Request<pb::ListCommitteesRequest>,
) -> Result<Response<pb::ListCommitteesResponse>, Status> {
    require(&request, Rpc::ListCommittees.roles())?;
    let (offset, limit) = page(request.get_ref().page.as_ref())?;
    let committees = app.committees(offset, limit).await?;
    Ok(Response::new(pb::ListCommitteesResponse {
        next_page_token: next_token(offset, limit, committees.len()),
        committees: committees.into_iter().map(convert::committee).collect(),
    }))
}

/// A frame as finance sets it, every fault named.
fn parse_frame(r: &pb::SetFrameRequest) -> Result<Frame, ApiError> {
    let mut v = Violations::new();
    v.check(is_code(&r.frame), "frame", CODE);
    v.check(year_ok(r.year), "year", "a year from 2000 to 2999");
    v.check(is_code(&r.committee), "committee", "a committee code");
    v.check(name_ok(&r.name), "name", "required, at most 200 characters");
    v.check(
        !r.account.trim().is_empty() && r.account.len() <= 32,
        "account",
        "required, at most 32 characters",
    );
    v.amount("amount_ore", r.amount_ore, false);
    if !r.monthly_profile_ore.is_empty() {
        v.check(
            r.monthly_profile_ore.len() == 12,
            "monthly_profile_ore",
            "twelve monthly amounts, or none for even by days",
        );
        for (i, m) in r.monthly_profile_ore.iter().enumerate() {
            v.amount(&format!("monthly_profile_ore[{i}]"), *m, false);
        }
        let sum = r.monthly_profile_ore.iter().try_fold(0_i64, |acc, m| acc.checked_add(*m));
        v.check(
            sum == Some(r.amount_ore),
            "monthly_profile_ore",
            "the monthly amounts must add up to amount_ore",
        );
    }
    v.finish()?;
    let months: Vec<Ore> = r.monthly_profile_ore.iter().copied().map(Ore::new).collect();
    Ok(Frame {
        code: FrameCode::new(r.frame.clone()),
        year: r.year,
        committee: CommitteeCode::new(r.committee.clone()),
        name: r.name.trim().to_owned(),
        account: r.account.trim().to_owned(),
        amount: Ore::new(r.amount_ore),
        profile: Profile::of(&months),
    })
}

pub(super) async fn set_frame(app: &app::Budget, request: Request<pb::SetFrameRequest>) -> Result<Response<pb::Frame>, Status> {
    require(&request, Rpc::SetFrame.roles())?;
    let r = request.into_inner();
    let key = RequestKey::new(Rpc::SetFrame.name(), &r.request_id, &r)?;
    let frame = parse_frame(&r)?;
    let effective_from = match r.effective_from.as_ref() {
        None => None,
        Some(_) => Some(
            afregning_proto::convert::date(r.effective_from.as_ref())
                .map_err(|_| ApiError::invalid("effective_from", "a real date, or unset"))?,
        ),
    };
    let clock = (afregning_kit::clock::today(), chrono::Utc::now());
    Ok(Response::new(
        app.set_frame(&key, frame, effective_from, clock, convert::frame).await?,
    ))
}

pub(super) async fn get_frame(app: &app::Budget, request: Request<pb::GetFrameRequest>) -> Result<Response<pb::Frame>, Status> {
    require(&request, Rpc::GetFrame.roles())?;
    let r = request.get_ref();
    let (frame, adjusted) = app.frame(&FrameCode::new(r.frame.clone()), r.year).await?;
    Ok(Response::new(convert::frame(&frame, adjusted)))
}

pub(super) async fn list_frames(
    app: &app::Budget,
    request: Request<pb::ListFramesRequest>,
) -> Result<Response<pb::ListFramesResponse>, Status> {
    require(&request, Rpc::ListFrames.roles())?;
    let r = request.get_ref();
    let (offset, limit) = page(r.page.as_ref())?;
    let frames = app.frames(r.year, offset, limit).await?;
    Ok(Response::new(pb::ListFramesResponse {
        next_page_token: next_token(offset, limit, frames.len()),
        frames: frames.iter().map(|(f, adjusted)| convert::frame(f, *adjusted)).collect(),
    }))
}
