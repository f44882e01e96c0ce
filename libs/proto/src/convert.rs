//! Wire ↔ domain conversions, written once for every service and client: dates, date ranges,
//! months, instants, course types, end reasons and time bands.
//!
//! A conversion that can fail says what is wrong with the value ([`WireError`]); the caller knows
//! which field it came from and names it (`afregning_kit::Field` does that for the services).

use afregning_tariff::{CourseType, DateRange, EndReason, Period, TimeBand};
use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::common::v1 as pbc;

/// What is wrong with a value on the wire, without naming its field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// A required value is absent.
    #[error("required")]
    Missing,
    /// Not a calendar date of the years 1900–9999.
    #[error("not a real date")]
    NotADate,
    /// Not a month 1–12 of the years 1900–9999.
    #[error("not a month (year and month 1–12)")]
    NotAMonth,
    /// The first day comes after the last.
    #[error("the first day comes after the last")]
    Reversed,
    /// An enum value that is unspecified or not defined.
    #[error("not one of the defined values")]
    Undefined,
}

impl From<NaiveDate> for pbc::Date {
    fn from(date: NaiveDate) -> pbc::Date {
        pbc::Date {
            year: date.year(),
            month: date.month() as i32,
            day: date.day() as i32,
        }
    }
}

impl TryFrom<&pbc::Date> for NaiveDate {
    type Error = WireError;

    fn try_from(d: &pbc::Date) -> Result<NaiveDate, WireError> {
        u32::try_from(d.month)
            .ok()
            .zip(u32::try_from(d.day).ok())
            .filter(|_| (1900..=9999).contains(&d.year))
            .and_then(|(month, day)| NaiveDate::from_ymd_opt(d.year, month, day))
            .ok_or(WireError::NotADate)
    }
}

/// A required date.
pub fn date(value: Option<&pbc::Date>) -> Result<NaiveDate, WireError> {
    value.ok_or(WireError::Missing).and_then(NaiveDate::try_from)
}

/// An optional date; present but impossible is an error.
pub fn opt_date(value: Option<&pbc::Date>) -> Result<Option<NaiveDate>, WireError> {
    value.map(NaiveDate::try_from).transpose()
}

impl From<DateRange> for pbc::DateRange {
    fn from(range: DateRange) -> pbc::DateRange {
        pbc::DateRange {
            first: Some(range.first().into()),
            last: Some(range.last().into()),
        }
    }
}

impl TryFrom<&pbc::DateRange> for DateRange {
    type Error = WireError;

    fn try_from(range: &pbc::DateRange) -> Result<DateRange, WireError> {
        let first = date(range.first.as_ref())?;
        let last = date(range.last.as_ref())?;
        DateRange::new(first, last).ok_or(WireError::Reversed)
    }
}

impl From<Period> for pbc::Period {
    fn from(period: Period) -> pbc::Period {
        pbc::Period {
            year: period.year(),
            month: period.month() as i32,
        }
    }
}

impl TryFrom<&pbc::Period> for Period {
    type Error = WireError;

    fn try_from(p: &pbc::Period) -> Result<Period, WireError> {
        u32::try_from(p.month)
            .ok()
            .and_then(|month| Period::new(p.year, month))
            .ok_or(WireError::NotAMonth)
    }
}

/// A required month.
pub fn period(value: Option<&pbc::Period>) -> Result<Period, WireError> {
    value.ok_or(WireError::Missing).and_then(Period::try_from)
}

/// An instant on the wire. (`prost_types::Timestamp` and `DateTime` are both foreign types, so
/// these are functions rather than `From`.)
pub fn timestamp(at: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: at.timestamp(),
        nanos: at.timestamp_subsec_nanos() as i32,
    }
}

/// A wire instant, when it is one chrono can hold.
pub fn instant(at: &prost_types::Timestamp) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(at.seconds, u32::try_from(at.nanos).ok()?)
}

/// An instant stored as RFC 3339 text, on the wire; `None` for text that is not one.
pub fn stored_timestamp(text: &str) -> Option<prost_types::Timestamp> {
    DateTime::parse_from_rfc3339(text).ok().map(|at| timestamp(at.with_timezone(&Utc)))
}

impl From<CourseType> for pbc::CourseType {
    fn from(value: CourseType) -> pbc::CourseType {
        match value {
            CourseType::Developing => pbc::CourseType::Developing,
            CourseType::Maintaining => pbc::CourseType::Maintaining,
            CourseType::Individual => pbc::CourseType::Individual,
        }
    }
}

impl TryFrom<pbc::CourseType> for CourseType {
    type Error = WireError;

    fn try_from(value: pbc::CourseType) -> Result<CourseType, WireError> {
        match value {
            pbc::CourseType::Developing => Ok(CourseType::Developing),
            pbc::CourseType::Maintaining => Ok(CourseType::Maintaining),
            pbc::CourseType::Individual => Ok(CourseType::Individual),
            pbc::CourseType::Unspecified => Err(WireError::Undefined),
        }
    }
}

/// A course type from its wire number.
pub fn course_type(value: i32) -> Result<CourseType, WireError> {
    pbc::CourseType::try_from(value)
        .map_err(|_| WireError::Undefined)
        .and_then(CourseType::try_from)
}

impl From<EndReason> for pbc::EndReason {
    fn from(value: EndReason) -> pbc::EndReason {
        match value {
            EndReason::GoalMet => pbc::EndReason::GoalMet,
            EndReason::Died => pbc::EndReason::Died,
            EndReason::Moved => pbc::EndReason::Moved,
            EndReason::Other => pbc::EndReason::Other,
        }
    }
}

impl TryFrom<pbc::EndReason> for EndReason {
    type Error = WireError;

    fn try_from(value: pbc::EndReason) -> Result<EndReason, WireError> {
        match value {
            pbc::EndReason::GoalMet => Ok(EndReason::GoalMet),
            pbc::EndReason::Died => Ok(EndReason::Died),
            pbc::EndReason::Moved => Ok(EndReason::Moved),
            pbc::EndReason::Other => Ok(EndReason::Other),
            pbc::EndReason::Unspecified => Err(WireError::Undefined),
        }
    }
}

/// An end reason from its wire number.
pub fn end_reason(value: i32) -> Result<EndReason, WireError> {
    pbc::EndReason::try_from(value)
        .map_err(|_| WireError::Undefined)
        .and_then(EndReason::try_from)
}

impl From<TimeBand> for pbc::TimeBand {
    fn from(value: TimeBand) -> pbc::TimeBand {
        match value {
            TimeBand::Day => pbc::TimeBand::Day,
            TimeBand::Evening => pbc::TimeBand::Evening,
            TimeBand::Night => pbc::TimeBand::Night,
            TimeBand::WeekendHoliday => pbc::TimeBand::WeekendHoliday,
        }
    }
}

impl TryFrom<pbc::TimeBand> for TimeBand {
    type Error = WireError;

    fn try_from(value: pbc::TimeBand) -> Result<TimeBand, WireError> {
        match value {
            pbc::TimeBand::Day => Ok(TimeBand::Day),
            pbc::TimeBand::Evening => Ok(TimeBand::Evening),
            pbc::TimeBand::Night => Ok(TimeBand::Night),
            pbc::TimeBand::WeekendHoliday => Ok(TimeBand::WeekendHoliday),
            pbc::TimeBand::Unspecified => Err(WireError::Undefined),
        }
    }
}

/// A time band from its wire number.
pub fn time_band(value: i32) -> Result<TimeBand, WireError> {
    pbc::TimeBand::try_from(value)
        .map_err(|_| WireError::Undefined)
        .and_then(TimeBand::try_from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_impossible_ones_are_refused() {
        let day = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
        assert_eq!(date(Some(&day.into())), Ok(day));
        let bad = pbc::Date {
            year: 2026,
            month: 2,
            day: 30,
        };
        assert_eq!(date(Some(&bad)), Err(WireError::NotADate));
        assert_eq!(date(None), Err(WireError::Missing));
        assert_eq!(opt_date(None), Ok(None));
        let negative = pbc::Date {
            year: 2026,
            month: -1,
            day: 1,
        };
        assert_eq!(NaiveDate::try_from(&negative), Err(WireError::NotADate));
    }

    #[test]
    fn ranges_and_months_round_trip() {
        let april = Period::new(2026, 4).unwrap();
        assert_eq!(period(Some(&april.into())), Ok(april));
        assert_eq!(period(Some(&pbc::Period { year: 2026, month: 13 })), Err(WireError::NotAMonth));
        let range = april.range();
        assert_eq!(DateRange::try_from(&pbc::DateRange::from(range)), Ok(range));
        let reversed = pbc::DateRange {
            first: Some(range.last().into()),
            last: Some(range.first().into()),
        };
        assert_eq!(DateRange::try_from(&reversed), Err(WireError::Reversed));
    }

    #[test]
    fn instants_round_trip_through_the_wire_and_stored_text() {
        let at = DateTime::parse_from_rfc3339("2026-04-30T22:15:00.5Z").unwrap().with_timezone(&Utc);
        assert_eq!(instant(&timestamp(at)), Some(at));
        assert_eq!(stored_timestamp("2026-04-30T22:15:00.5Z"), Some(timestamp(at)));
        assert_eq!(stored_timestamp("30.04.2026"), None);
    }

    #[test]
    fn enums_round_trip_and_unspecified_is_refused() {
        for t in [CourseType::Developing, CourseType::Maintaining, CourseType::Individual] {
            assert_eq!(course_type(pbc::CourseType::from(t) as i32), Ok(t));
        }
        for r in [EndReason::GoalMet, EndReason::Died, EndReason::Moved, EndReason::Other] {
            assert_eq!(end_reason(pbc::EndReason::from(r) as i32), Ok(r));
        }
        for b in TimeBand::ALL {
            assert_eq!(time_band(pbc::TimeBand::from(b) as i32), Ok(b));
        }
        assert_eq!(course_type(0), Err(WireError::Undefined));
        assert_eq!(end_reason(99), Err(WireError::Undefined));
        assert_eq!(time_band(0), Err(WireError::Undefined));
    }
}
