//! ListCitizensByHoursBand, GetVisitedHoursAroundCourse, GetProgression: the progression
//! analysis ([`crate::domain::progression`]) on the wire.

use afregning_kit::clock::today;
use afregning_kit::paging::{next_token, page};
use afregning_kit::{ApiError, Field, Violations};
use afregning_proto::common::v1 as pbc;
use afregning_proto::convert::opt_date;
use afregning_proto::visitation::v1 as pb;
use chrono::Days;
use tonic::{Request, Response, Status};

use super::convert::{hours_band, pb_hours_band, purpose_given};
use super::roles::{Rpc, authorize};
use crate::app::App;
use crate::domain::GrantId;
use crate::domain::progression::ProgressionQuery;

/// The longest window or horizon, in days, a caller may ask for.
const MAX_DAYS: u32 = 366;
/// Days before and after a course that count when the caller names none.
const DEFAULT_WINDOW_DAYS: u32 = 90;
/// How far ahead a follow-up counts as due when the caller names nothing.
const DEFAULT_FOLLOW_UP_DAYS: u32 = 30;

fn or_default(days: u32, default: u32) -> u64 {
    u64::from(if days == 0 { default } else { days })
}

pub(super) async fn by_hours_band(
    app: &App,
    request: Request<pb::ListCitizensByHoursBandRequest>,
) -> Result<Response<pb::ListCitizensByHoursBandResponse>, Status> {
    authorize(&request, Rpc::ListCitizensByHoursBand)?;
    let r = request.get_ref();
    let (offset, limit) = page(r.page.as_ref())?;
    let as_of = opt_date(r.as_of.as_ref()).field("as_of")?.unwrap_or_else(today);
    let wanted = pb::HoursBand::try_from(r.band).map_err(|_| ApiError::invalid("band", "unknown band"))?;
    let rows = app.citizens_by_hours_band(as_of, hours_band(wanted), offset, limit).await?;
    let citizens: Vec<pb::CitizenHours> = rows
        .into_iter()
        .map(|(citizen_id, minutes, band)| pb::CitizenHours {
            citizen_id: citizen_id.to_string(),
            visited_minutes_per_week: minutes,
            band: pb_hours_band(band) as i32,
        })
        .collect();
    Ok(Response::new(pb::ListCitizensByHoursBandResponse {
        next_page_token: next_token(offset, limit, citizens.len()),
        citizens,
    }))
}

pub(super) async fn around_course(
    app: &App,
    request: Request<pb::GetVisitedHoursAroundCourseRequest>,
) -> Result<Response<pb::VisitedHoursAroundCourse>, Status> {
    let principal = authorize(&request, Rpc::GetVisitedHoursAroundCourse)?;
    let r = request.into_inner();
    purpose_given(&r.purpose)?;
    if r.window_days > MAX_DAYS {
        return Err(ApiError::invalid("window_days", "at most 366").into());
    }
    let window = or_default(r.window_days, DEFAULT_WINDOW_DAYS);
    let grant_id = GrantId::from(r.grant_id);
    let (grant, course, around) = app
        .hours_around_course(&grant_id, window, &principal.to_string(), r.purpose.trim())
        .await?;
    Ok(Response::new(pb::VisitedHoursAroundCourse {
        grant_id: grant.grant_id.to_string(),
        citizen_id: grant.citizen_id.to_string(),
        course_period: Some(course.period.into()),
        before_minutes_per_week: around.before,
        during_minutes_per_week: around.during,
        after_minutes_per_week: around.after,
    }))
}

pub(super) async fn progression(app: &App, request: Request<pb::GetProgressionRequest>) -> Result<Response<pb::Progression>, Status> {
    authorize(&request, Rpc::GetProgression)?;
    let r = request.get_ref();
    let as_of = opt_date(r.as_of.as_ref()).field("as_of")?.unwrap_or_else(today);
    let mut v = Violations::new();
    v.check(r.window_days <= MAX_DAYS, "window_days", "at most 366");
    v.check(r.follow_up_within_days <= MAX_DAYS, "follow_up_within_days", "at most 366");
    v.finish()?;
    let query = ProgressionQuery {
        as_of,
        window_days: or_default(r.window_days, DEFAULT_WINDOW_DAYS),
        due_until: as_of + Days::new(or_default(r.follow_up_within_days, DEFAULT_FOLLOW_UP_DAYS)),
    };
    let rows = app
        .progression(query)
        .await?
        .into_iter()
        .map(|(row, provider_name)| pb::ProgressionRow {
            provider_id: row.provider_id.to_string(),
            provider_name,
            course_type: row.course_type.map(pbc::CourseType::from).unwrap_or_default() as i32,
            courses: row.courses,
            improved: row.improved,
            held: row.held,
            worsened: row.worsened,
            not_assessed: row.not_assessed,
            before_minutes_per_week: row.minutes.before,
            during_minutes_per_week: row.minutes.during,
            after_minutes_per_week: row.minutes.after,
            due_for_follow_up: row.due_for_follow_up,
            courses_ended: row.courses_ended,
        })
        .collect();
    Ok(Response::new(pb::Progression {
        as_of: Some(as_of.into()),
        rows,
    }))
}
