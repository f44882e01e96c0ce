//! Reading mirrored grant versions: which version is in force on a day, and what it allows.

use afregning_proto::common::v1 as pbc;
use afregning_proto::visitation::v1 as pbv;
use chrono::NaiveDate;

pub use afregning_proto::terms::date_of;

/// The version in force on `day`: the highest whose change applies on or before it. Each version
/// carries the grant's whole state, so this one version answers everything about that day.
pub fn version_on(versions: &[pbv::Grant], day: NaiveDate) -> Option<&pbv::Grant> {
    versions
        .iter()
        .filter(|g| takes_effect(versions, g).is_some_and(|from| from <= day))
        .max_by_key(|g| g.version)
}

/// The first day a version stands for. An end changes nothing up to its last day (it only cuts
/// the days after, or for a goal met extends them), so it stands for the days of the version it
/// ends: a course ended with its goal met is one line to the end of its course period, and a
/// backdated end rebooks one line. Only when it ends the grant before the version it follows took
/// effect does it take over from the day after its last day.
fn takes_effect(versions: &[pbv::Grant], grant: &pbv::Grant) -> Option<NaiveDate> {
    let from = date_of(grant.effective_from.as_ref())?;
    let last = grant.validity.as_ref().and_then(|v| date_of(v.last.as_ref()));
    if grant.status != pbv::GrantStatus::Ended as i32 || last != Some(from) {
        return Some(from);
    }
    let after_last = from.succ_opt().unwrap_or(from);
    let before = versions.iter().filter(|v| v.version < grant.version).max_by_key(|v| v.version);
    match before.and_then(|b| takes_effect(versions, b)) {
        Some(before) => Some(before.min(after_last)),
        None => Some(after_last),
    }
}

/// Whether `day` lies within the version's validity.
pub fn valid_on(grant: &pbv::Grant, day: NaiveDate) -> bool {
    let Some(validity) = &grant.validity else { return false };
    let first = date_of(validity.first.as_ref());
    let last = date_of(validity.last.as_ref());
    first.is_some_and(|f| f <= day) && last.is_none_or(|l| day <= l)
}

/// Whether the grant is paid by activity (a service, or an INDIVIDUAL course): only then are
/// delivered minutes settled.
pub fn is_activity(grant: &pbv::Grant) -> bool {
    let unit_kind = grant.terms.as_ref().map(|t| t.unit_kind).unwrap_or_default();
    unit_kind == pbc::UnitKind::Service as i32
        || (unit_kind == pbc::UnitKind::Course as i32
            && grant
                .course
                .as_ref()
                .is_some_and(|c| c.course_type == pbc::CourseType::Individual as i32))
}

/// Whether `provider_id` is one of the grant's providers.
pub fn has_provider(grant: &pbv::Grant, provider_id: &str) -> bool {
    grant
        .terms
        .as_ref()
        .is_some_and(|t| t.providers.iter().any(|p| p.provider_id == provider_id))
}
