//! A mirrored grant version as settlement reads it, and which version is in force on a day.
//!
//! Visitation's feed delivers every version of a grant; the store turns each into a
//! [`GrantVersion`] (with the tariff's [`GrantTerms`] read from it once), so the rules here never
//! see the wire.

use afregning_tariff::{CourseType, GrantTerms};
use chrono::NaiveDate;

use super::ids::{CitizenId, GrantId, ProviderId};

/// How a unit is paid: the three unit kinds of the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnitKind {
    /// One concrete service (ydelse), paid by activity.
    Service,
    /// A bundle from one provider (pakke), paid per week pro rata per day.
    Package,
    /// A multidisciplinary course (forløb), paid a course tariff per week.
    Course,
}

/// One provider's part of a grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderShare {
    /// The provider.
    pub provider_id: ProviderId,
    /// Whole percent; the shares of a course add up to 100.
    pub share_percent: u32,
    /// The lead provider is paid the whole line when the course is settled with the lead.
    pub lead: bool,
}

/// One version of a grant as mirrored from visitation: the whole state of the grant from the day
/// its change applies.
#[derive(Clone, Debug, PartialEq)]
pub struct GrantVersion {
    /// The grant.
    pub grant_id: GrantId,
    /// 1 for the first decision, +1 for each change.
    pub version: u32,
    /// Whose grant it is.
    pub citizen_id: CitizenId,
    /// `None` for a unit kind this service does not know.
    pub unit_kind: Option<UnitKind>,
    /// Only a course has one; INDIVIDUAL courses are paid by activity.
    pub course_type: Option<CourseType>,
    /// Visited minutes per week.
    pub visited_minutes_per_week: u32,
    /// When false the lead is paid the whole line and the others' shares are shown for
    /// information; when true each provider is paid its share.
    pub settle_with_each: bool,
    /// The providers and their shares.
    pub providers: Vec<ProviderShare>,
    /// The first day of the grant; `None` when visitation sent none (the version is then never
    /// in force on any day).
    pub first_day: Option<NaiveDate>,
    /// The last day, while ended or time-limited.
    pub last_day: Option<NaiveDate>,
    /// The day this version's change applies from.
    pub effective_from: Option<NaiveDate>,
    /// Whether this version ends the grant.
    pub ended: bool,
    /// The frame that pays.
    pub paying_frame: String,
    /// The frame that owns the need (a cross-frame purchase when it differs).
    pub need_frame: String,
    /// The tariff's reading of the version, or what is missing from it: a version that cannot be
    /// priced fails the run of a month it would be priced in, not the mirror.
    pub terms: Result<GrantTerms, &'static str>,
    /// The version exactly as visitation sent it, copied beside every statement it prices.
    pub mirrored: Vec<u8>,
}

/// The version in force on `day`: the highest whose change applies on or before it. Each version
/// carries the grant's whole state, so this one version answers everything about that day.
pub fn version_on(versions: &[GrantVersion], day: NaiveDate) -> Option<&GrantVersion> {
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
fn takes_effect(versions: &[GrantVersion], grant: &GrantVersion) -> Option<NaiveDate> {
    let from = grant.effective_from?;
    if !grant.ended || grant.last_day != Some(from) {
        return Some(from);
    }
    let after_last = from.succ_opt().unwrap_or(from);
    let before = versions.iter().filter(|v| v.version < grant.version).max_by_key(|v| v.version);
    match before.and_then(|b| takes_effect(versions, b)) {
        Some(before) => Some(before.min(after_last)),
        None => Some(after_last),
    }
}

impl GrantVersion {
    /// Whether `day` lies within the version's validity.
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.first_day.is_some_and(|f| f <= day) && self.last_day.is_none_or(|l| day <= l)
    }

    /// Whether the grant is paid by activity (a service, or an INDIVIDUAL course): only then are
    /// delivered minutes settled.
    pub fn is_activity(&self) -> bool {
        match self.unit_kind {
            Some(UnitKind::Service) => true,
            Some(UnitKind::Course) => self.course_type == Some(CourseType::Individual),
            _ => false,
        }
    }

    /// Whether `provider_id` is one of the grant's providers.
    pub fn has_provider(&self, provider_id: &ProviderId) -> bool {
        self.providers.iter().any(|p| p.provider_id == *provider_id)
    }

    /// The provider's part of the grant's visited time in percent: its share when each provider
    /// is paid its share, otherwise all of it for the lead and none for the others.
    pub fn visited_share(&self, provider_id: &ProviderId) -> u32 {
        self.providers
            .iter()
            .find(|p| p.provider_id == *provider_id)
            .map(|p| match (self.settle_with_each, p.lead) {
                (true, _) => p.share_percent,
                (false, true) => 100,
                (false, false) => 0,
            })
            .unwrap_or(0)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    /// A service grant version for the rules' tests.
    pub(crate) fn version(version: u32, from: NaiveDate, last: Option<NaiveDate>, ended: bool) -> GrantVersion {
        GrantVersion {
            grant_id: GrantId::new("g1"),
            version,
            citizen_id: CitizenId::new("c1"),
            unit_kind: Some(UnitKind::Service),
            course_type: None,
            visited_minutes_per_week: 120,
            settle_with_each: false,
            providers: vec![ProviderShare {
                provider_id: ProviderId::new("nord"),
                share_percent: 100,
                lead: true,
            }],
            first_day: Some(day(3, 1)),
            last_day: last,
            effective_from: Some(from),
            ended,
            paying_frame: "SOCIAL".into(),
            need_frame: "SOCIAL".into(),
            terms: Err("not priced in these tests"),
            mirrored: Vec::new(),
        }
    }

    #[test]
    fn the_latest_version_applying_on_a_day_is_in_force() {
        let versions = [version(1, day(3, 1), None, false), version(2, day(5, 11), None, false)];
        assert_eq!(version_on(&versions, day(5, 10)).map(|v| v.version), Some(1));
        assert_eq!(version_on(&versions, day(5, 11)).map(|v| v.version), Some(2));
        assert!(version_on(&versions, day(2, 28)).is_none());
    }

    #[test]
    fn an_end_stands_for_the_days_of_the_version_it_ends() {
        // Ended on 30 April, decided with effect from its last day: it is the version of March too.
        let versions = [version(1, day(3, 1), None, false), version(2, day(4, 30), Some(day(4, 30)), true)];
        assert_eq!(version_on(&versions, day(3, 15)).map(|v| v.version), Some(2));
    }

    #[test]
    fn validity_activity_and_providers() {
        let mut v = version(1, day(3, 1), Some(day(4, 30)), false);
        assert!(v.valid_on(day(3, 1)) && v.valid_on(day(4, 30)) && !v.valid_on(day(5, 1)));
        assert!(v.is_activity());
        v.unit_kind = Some(UnitKind::Course);
        assert!(!v.is_activity());
        v.course_type = Some(CourseType::Individual);
        assert!(v.is_activity());
        assert!(v.has_provider(&ProviderId::new("nord")) && !v.has_provider(&ProviderId::new("syd")));
        assert_eq!(v.visited_share(&ProviderId::new("nord")), 100);
    }
}
