//! The progression analysis: how visited hours moved before, during and after a course, and
//! whether the citizen's FSIII function scores improved over it — per provider and course type
//! for the cockpit, per citizen for the hours bands, per grant around one course.
//!
//! Each day counts the grant version in force that day ([`minutes_on`]); only days up to the
//! date asked about count, since what is planned beyond it has not happened yet.

use std::collections::BTreeMap;

use afregning_tariff::{CoursePeriod, CourseType, HoursBand, Progress};
use chrono::{Days, NaiveDate};

use super::change::minutes_on;
use super::grant::{Grant, Status};
use super::ids::{CitizenId, GrantId, ProviderId};

/// One citizen's grants: every version of each grant, by grant id.
pub type Versions = BTreeMap<GrantId, Vec<Grant>>;

/// Groups grant versions by grant.
pub fn by_grant(versions: Vec<Grant>) -> Versions {
    let mut out = Versions::new();
    for g in versions {
        out.entry(g.grant_id.clone()).or_default().push(g);
    }
    out
}

/// Average visited minutes per week over the days from `first` to `last`, all the citizen's
/// grants together, each day counting the version in force that day (0 when there are no days).
pub fn average_minutes(versions: &Versions, first: NaiveDate, last: NaiveDate) -> u32 {
    let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
    let total: u64 = days
        .iter()
        .map(|day| versions.values().map(|v| u64::from(minutes_on(v, *day))).sum::<u64>())
        .sum();
    u32::try_from(total.checked_div(days.len() as u64).unwrap_or(0)).unwrap_or(u32::MAX)
}

/// Visited minutes per week before, during and after a course.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AroundCourse {
    /// The `window` days before the course period.
    pub before: u32,
    /// The course period.
    pub during: u32,
    /// The `window` days after the course period.
    pub after: u32,
}

/// The citizen's visited minutes around `course`, with windows of `window_days` either side.
pub fn around_course(versions: &Versions, course: &CoursePeriod, window_days: u64) -> AroundCourse {
    let (first, last) = (course.period.first(), course.period.last());
    let window = Days::new(window_days);
    AroundCourse {
        before: average_minutes(versions, first - window, first - Days::new(1)),
        during: average_minutes(versions, first, last),
        after: average_minutes(versions, last + Days::new(1), last + window),
    }
}

/// Each citizen's visited minutes per week on `on` (all grants together), for citizens visited
/// at all that day, by citizen id. `versions` are every version of the grants valid on `on`.
pub fn minutes_per_citizen(versions: Vec<Grant>, on: NaiveDate) -> Vec<(CitizenId, u32, HoursBand)> {
    let mut per_grant: BTreeMap<(CitizenId, GrantId), Vec<Grant>> = BTreeMap::new();
    for g in versions {
        per_grant.entry((g.citizen_id.clone(), g.grant_id.clone())).or_default().push(g);
    }
    let mut per_citizen: BTreeMap<CitizenId, u32> = BTreeMap::new();
    for ((citizen_id, _), versions) in &per_grant {
        let minutes = per_citizen.entry(citizen_id.clone()).or_default();
        *minutes = minutes.saturating_add(minutes_on(versions, on));
    }
    per_citizen
        .into_iter()
        .filter(|(_, minutes)| *minutes > 0)
        .map(|(citizen_id, minutes)| (citizen_id, minutes, HoursBand::from_minutes_per_week(minutes)))
        .collect()
}

/// One citizen as progression reads them.
#[derive(Clone, Debug, Default)]
pub struct History {
    /// Every version of each of the citizen's grants.
    pub versions: Versions,
    /// Assessments as (day, `(area, score)` pairs), newest first.
    pub assessments: Vec<(NaiveDate, Vec<(String, u32)>)>,
}

/// What the cockpit is asked about.
#[derive(Clone, Copy, Debug)]
pub struct ProgressionQuery {
    /// The day the analysis is made as of.
    pub as_of: NaiveDate,
    /// Days before and after a course period that count as "before" and "after".
    pub window_days: u64,
    /// Courses whose follow-up falls on or before this day are due.
    pub due_until: NaiveDate,
}

/// One provider's courses of one type.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProgressionRow {
    /// The lead provider.
    pub provider_id: ProviderId,
    /// The course type (as derived at the course's start).
    pub course_type: Option<CourseType>,
    /// Courses started by the day asked about.
    pub courses: u32,
    /// Function scores improved between the last assessment before and the latest after.
    pub improved: u32,
    /// Function scores held.
    pub held: u32,
    /// Function scores worsened.
    pub worsened: u32,
    /// No assessment before or after to compare.
    pub not_assessed: u32,
    /// Not ended and follow-up due by the query's `due_until`.
    pub due_for_follow_up: u32,
    /// Course period over before the day asked about.
    pub courses_ended: u32,
    /// Average over the courses of each course's average visited minutes, before/during/after.
    pub minutes: AroundCourse,
}

/// The course and lead provider of a grant that counts in the analysis as of `as_of`: a course
/// whose period has begun, with a lead provider.
pub fn counted(grant: &Grant, as_of: NaiveDate) -> Option<(&CoursePeriod, &ProviderId)> {
    let course = grant.course.as_ref().filter(|c| c.period.first() <= as_of)?;
    let lead = grant.terms.providers.iter().find(|s| s.lead)?;
    Some((course, &lead.provider_id))
}

#[derive(Default)]
struct Sums {
    row: ProgressionRow,
    minutes: [u64; 3],
    counted: [u64; 3],
}

/// The cockpit's rows, by provider and course type, from `grants` (current versions of the
/// grants started by the day asked about) and the `histories` of their citizens.
pub fn progression(grants: &[Grant], histories: &BTreeMap<CitizenId, History>, query: ProgressionQuery) -> Vec<ProgressionRow> {
    let as_of = query.as_of;
    let window = Days::new(query.window_days);
    let empty = History::default();
    let mut rows: BTreeMap<(ProviderId, CourseType), Sums> = BTreeMap::new();
    for grant in grants {
        let Some((course, lead)) = counted(grant, as_of) else {
            continue;
        };
        let History { versions, assessments } = histories.get(&grant.citizen_id).unwrap_or(&empty);
        let (first, last) = (course.period.first(), course.period.last());
        // Newest first: the first match is the latest.
        let before = assessments.iter().find(|(on, _)| *on <= first).map(|(_, s)| s.as_slice());
        let after = assessments
            .iter()
            .find(|(on, _)| *on > first && *on <= as_of)
            .map(|(_, s)| s.as_slice());
        let sums = rows.entry((lead.clone(), course.course_type)).or_default();
        let row = &mut sums.row;
        row.courses += 1;
        match before.zip(after).and_then(|(b, a)| Progress::between(b, a)) {
            Some(Progress::Improved) => row.improved += 1,
            Some(Progress::Held) => row.held += 1,
            Some(Progress::Worsened) => row.worsened += 1,
            None => row.not_assessed += 1,
        }
        if grant.status != Status::Ended && course.follow_up_on <= query.due_until {
            row.due_for_follow_up += 1;
        }
        if last < as_of {
            row.courses_ended += 1;
        }
        let windows = [
            (first - window, first - Days::new(1)),
            (first, last.min(as_of)),
            (last + Days::new(1), (last + window).min(as_of)),
        ];
        for (i, (from, to)) in windows.into_iter().enumerate() {
            if from <= to {
                sums.minutes[i] += u64::from(average_minutes(versions, from, to));
                sums.counted[i] += 1;
            }
        }
    }
    rows.into_iter()
        .map(|((provider_id, course_type), sums)| {
            let average = |i: usize| u32::try_from(sums.minutes[i].checked_div(sums.counted[i]).unwrap_or(0)).unwrap_or(u32::MAX);
            ProgressionRow {
                provider_id,
                course_type: Some(course_type),
                minutes: AroundCourse {
                    before: average(0),
                    during: average(1),
                    after: average(2),
                },
                ..sums.row
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::grant::tests::{course_terms, day, grant, service_terms};

    #[test]
    fn averages_count_each_day_and_nothing_outside_the_grant() {
        let g = grant(service_terms(70), day(3, 1));
        let versions = by_grant(vec![g]);
        assert_eq!(average_minutes(&versions, day(2, 20), day(3, 9)), 35);
        assert_eq!(average_minutes(&versions, day(3, 10), day(3, 1)), 0, "no days");
    }

    #[test]
    fn citizens_are_banded_by_their_minutes_on_the_day() {
        let mut other = grant(service_terms(400), day(3, 1));
        other.grant_id = "gr_2".into();
        other.citizen_id = "cit_2".into();
        let rows = minutes_per_citizen(vec![grant(service_terms(60), day(3, 1)), other], day(3, 5));
        assert_eq!(
            rows,
            vec![("cit_1".into(), 60, HoursBand::Under5), ("cit_2".into(), 400, HoursBand::From5To25)]
        );
        assert!(minutes_per_citizen(vec![grant(service_terms(60), day(3, 1))], day(2, 5)).is_empty());
    }

    #[test]
    fn a_course_counts_once_with_its_scores_compared() {
        let course = grant(course_terms(400), day(3, 2));
        let period = course.course.clone().unwrap();
        let history = History {
            versions: by_grant(vec![course.clone()]),
            assessments: vec![
                (period.period.first() + Days::new(30), vec![("b530".into(), 1)]),
                (day(3, 1), vec![("b530".into(), 3)]),
            ],
        };
        let histories = BTreeMap::from([(course.citizen_id.clone(), history)]);
        let query = ProgressionQuery {
            as_of: period.period.last() + Days::new(10),
            window_days: 90,
            due_until: period.period.last() + Days::new(40),
        };
        let rows = progression(std::slice::from_ref(&course), &histories, query);
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!((row.courses, row.improved, row.courses_ended, row.due_for_follow_up), (1, 1, 1, 1));
        assert_eq!((row.minutes.before, row.minutes.during), (0, 400));
        let before_start = ProgressionQuery { as_of: day(3, 1), ..query };
        assert!(progression(&[course], &histories, before_start).is_empty());
    }
}
