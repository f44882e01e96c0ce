//! A grant version on the wire as the tariff sees it: the one reading that settlement prices
//! statements with and budget prices commitments with, so both mean the same grant.

use afregning_tariff::{CoursePeriod, DateRange, GrantTerms, Level, Suspension, Unit};
use chrono::NaiveDate;

use crate::common::v1 as pbc;
use crate::visitation::v1 as pbv;

/// A wire date as a calendar date; `None` when absent or not a real date.
pub fn date_of(date: Option<&pbc::Date>) -> Option<NaiveDate> {
    crate::convert::date(date).ok()
}

/// The tariff's view of one grant version, or what is missing from it.
pub fn grant_terms(grant: &pbv::Grant) -> Result<GrantTerms, &'static str> {
    let t = grant.terms.as_ref().ok_or("no terms")?;
    let unit = match pbc::UnitKind::try_from(t.unit_kind) {
        Ok(pbc::UnitKind::Service) => Unit::Service {
            category: t.service_category.clone(),
        },
        Ok(pbc::UnitKind::Package) => Unit::Package { code: t.package.clone() },
        Ok(pbc::UnitKind::Course) => {
            let c = grant.course.as_ref().ok_or("a course without a course period")?;
            let course_type = crate::convert::course_type(c.course_type).map_err(|_| "unknown course type")?;
            let period = c.period.as_ref();
            let first = date_of(period.and_then(|p| p.first.as_ref()));
            let last = date_of(period.and_then(|p| p.last.as_ref()));
            let period = first.zip(last).and_then(|(f, l)| DateRange::new(f, l)).ok_or("no course period")?;
            Unit::Course(CoursePeriod {
                course_type,
                level: u8::try_from(c.level).ok().and_then(Level::new),
                period,
                follow_up_on: date_of(c.follow_up_on.as_ref()).unwrap_or(period.last()),
                visited_minutes_per_week: t.visited_minutes_per_week,
            })
        }
        _ => return Err("unknown unit kind"),
    };
    let validity = grant.validity.as_ref();
    Ok(GrantTerms {
        unit,
        visited_minutes_per_week: t.visited_minutes_per_week,
        start: date_of(validity.and_then(|v| v.first.as_ref())).ok_or("no start")?,
        end: date_of(validity.and_then(|v| v.last.as_ref())),
        end_reason: crate::convert::end_reason(grant.end_reason).ok(),
        suspensions: grant
            .suspensions
            .iter()
            .filter_map(|s| {
                Some(Suspension {
                    from: date_of(s.from.as_ref())?,
                    resumed_on: date_of(s.resumed_on.as_ref()),
                })
            })
            .collect(),
    })
}
