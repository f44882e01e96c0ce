//! Reading mirrored grant versions: which version is in force on a day, and what it allows.

use afregning_proto::common::v1 as pbc;
use afregning_proto::visitation::v1 as pbv;
use chrono::NaiveDate;

/// A wire date as a calendar date.
pub fn date_of(date: Option<&pbc::Date>) -> Option<NaiveDate> {
    let d = date?;
    NaiveDate::from_ymd_opt(d.year, u32::try_from(d.month).ok()?, u32::try_from(d.day).ok()?)
}

/// The version in force on `day`: the highest whose change applies on or before it. Each version
/// carries the grant's whole state, so this one version answers everything about that day.
pub fn version_on(versions: &[pbv::Grant], day: NaiveDate) -> Option<&pbv::Grant> {
    versions
        .iter()
        .filter(|g| date_of(g.effective_from.as_ref()).is_some_and(|from| from <= day))
        .max_by_key(|g| g.version)
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
