//! Levels, course types and course periods (docs/design.md: the glossary, rule 3 and "Pricing").
//!
//! A course's level and tariff are fixed when its period starts and hold for the whole period:
//! the provider gets no more if the citizen worsens and no less if the citizen improves. That is
//! the progression rule, and it is structural here: a [`CoursePeriod`] carries its level, and
//! nothing in pricing reads a function score. Only [`CoursePeriod::revisit`] starts a new period.

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::DateRange;
use crate::catalog::Catalog;
use crate::money::Ore;

/// Minutes in a week: the most a grant may visit.
pub const MINUTES_PER_WEEK: u32 = 7 * 24 * 60;

/// The course type of a course grant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CourseType {
    /// Udviklende / rehabiliterende forløb: clear improvement is the goal.
    Developing,
    /// Fastholdende / stabiliserende forløb: hold function.
    Maintaining,
    /// Individuel takst: very large needs, paid by activity.
    Individual,
}

impl CourseType {
    /// Upper-case code used in catalogs and APIs.
    pub fn code(self) -> &'static str {
        match self {
            CourseType::Developing => "DEVELOPING",
            CourseType::Maintaining => "MAINTAINING",
            CourseType::Individual => "INDIVIDUAL",
        }
    }

    /// The type named by `code`.
    pub fn from_code(code: &str) -> Option<CourseType> {
        match code {
            "DEVELOPING" => Some(CourseType::Developing),
            "MAINTAINING" => Some(CourseType::Maintaining),
            "INDIVIDUAL" => Some(CourseType::Individual),
            _ => None,
        }
    }
}

/// A level 1–5 from visited minutes per week: below 300, 300–599, 600–899, 900–1,199, 1,200 and
/// above (lower bounds inclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Level(u8);

impl Level {
    /// The level of `minutes_per_week`.
    pub fn from_minutes_per_week(minutes_per_week: u32) -> Level {
        Level(match minutes_per_week {
            0..300 => 1,
            300..600 => 2,
            600..900 => 3,
            900..1_200 => 4,
            _ => 5,
        })
    }

    /// Level `n`, 1–5.
    pub fn new(n: u8) -> Option<Level> {
        (1..=5).contains(&n).then_some(Level(n))
    }

    /// 1–5.
    pub fn get(self) -> u8 {
        self.0
    }

    fn index(self) -> usize {
        usize::from(self.0 - 1)
    }
}

/// The weekly-hours bands municipalities use for revisitation rounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum HoursBand {
    /// Under 5 hours a week (under 300 minutes).
    Under5,
    /// 5 to 25 hours a week (300–1,500 minutes).
    From5To25,
    /// Over 25 hours a week (over 1,500 minutes).
    Over25,
}

impl HoursBand {
    /// The band of `minutes_per_week`.
    pub fn from_minutes_per_week(minutes_per_week: u32) -> HoursBand {
        match minutes_per_week {
            0..300 => HoursBand::Under5,
            300..=1_500 => HoursBand::From5To25,
            _ => HoursBand::Over25,
        }
    }
}

/// Why a course period could not be derived.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CourseError {
    /// More minutes than a week has.
    #[error("visited minutes per week must be 0–{MINUTES_PER_WEEK}")]
    Minutes,
    /// The catalog has no tariff for the type.
    #[error("the catalog has no tariff for {0:?}")]
    NoTariff(CourseType),
    /// A revisit must start inside or after the current period, not before it.
    #[error("a revisit cannot take effect before the course started")]
    RevisitBeforeStart,
    /// The period would run past the calendar.
    #[error("course period out of range")]
    OutOfRange,
}

/// How a citizen's function moved over a course, from two FSIII assessments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Progress {
    /// Less limited afterwards.
    Improved,
    /// As limited as before.
    Held,
    /// More limited afterwards.
    Worsened,
}

impl Progress {
    /// Compares the scores of the areas assessed in both `before` and `after` (area, score):
    /// scores run from 0 (no limitation) to 4 (total), so a lower sum afterwards is an
    /// improvement. Areas scored 9 (not relevant) or in only one assessment do not count; with no
    /// area in common there is nothing to compare.
    pub fn between(before: &[(String, u32)], after: &[(String, u32)]) -> Option<Progress> {
        let scored = |s: &u32| *s <= 4;
        let mut compared = 0;
        let mut change: i64 = 0;
        for (area, old) in before.iter().filter(|(_, s)| scored(s)) {
            if let Some((_, new)) = after.iter().find(|(a, s)| a == area && scored(s)) {
                compared += 1;
                change += i64::from(*new) - i64::from(*old);
            }
        }
        (compared > 0).then_some(match change.signum() {
            -1 => Progress::Improved,
            0 => Progress::Held,
            _ => Progress::Worsened,
        })
    }
}

/// The fixed terms of one course period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoursePeriod {
    /// DEVELOPING, MAINTAINING, or INDIVIDUAL when the minutes exceed the catalog's threshold.
    pub course_type: CourseType,
    /// Fixed at the start; `None` for INDIVIDUAL (paid by activity).
    pub level: Option<Level>,
    /// First to last day of the course period.
    pub period: DateRange,
    /// The day the authority must follow up (the period's last day).
    pub follow_up_on: NaiveDate,
    /// Visited minutes per week the level was derived from.
    pub visited_minutes_per_week: u32,
}

impl CoursePeriod {
    /// Starts a course period on `start` with the catalog in force that day. A course whose
    /// visited minutes exceed the catalog's threshold is INDIVIDUAL, whatever type was asked for.
    pub fn start(
        requested: CourseType,
        visited_minutes_per_week: u32,
        start: NaiveDate,
        catalog: &Catalog,
    ) -> Result<CoursePeriod, CourseError> {
        if visited_minutes_per_week > MINUTES_PER_WEEK {
            return Err(CourseError::Minutes);
        }
        let course_type = if visited_minutes_per_week > catalog.individual_threshold_minutes_per_week {
            CourseType::Individual
        } else {
            requested
        };
        let last = match course_type {
            CourseType::Individual => start
                .checked_add_months(Months::new(catalog.individual.follow_up_months))
                .and_then(|d| d.checked_sub_days(Days::new(1))),
            tariffed => {
                let tariff = catalog.course(tariffed).ok_or(CourseError::NoTariff(tariffed))?;
                start.checked_add_days(Days::new(u64::from(tariff.length_weeks) * 7 - 1))
            }
        }
        .ok_or(CourseError::OutOfRange)?;
        let period = DateRange::new(start, last).ok_or(CourseError::OutOfRange)?;
        let level = (course_type != CourseType::Individual).then(|| Level::from_minutes_per_week(visited_minutes_per_week));
        Ok(CoursePeriod {
            course_type,
            level,
            period,
            follow_up_on: last,
            visited_minutes_per_week,
        })
    }

    /// A revisit at follow-up: a new course period from `from`, with the level of the new minutes
    /// (and optionally a new type), priced by the catalog in force on `from`.
    pub fn revisit(
        &self,
        visited_minutes_per_week: u32,
        course_type: Option<CourseType>,
        from: NaiveDate,
        catalog: &Catalog,
    ) -> Result<CoursePeriod, CourseError> {
        if from < self.period.first() {
            return Err(CourseError::RevisitBeforeStart);
        }
        let requested = match (course_type, self.course_type) {
            (Some(t), _) => t,
            // A course that was INDIVIDUAL only by its minutes falls back to MAINTAINING when the
            // need drops below the threshold, unless the authority names another type.
            (None, CourseType::Individual) => CourseType::Maintaining,
            (None, t) => t,
        };
        CoursePeriod::start(requested, visited_minutes_per_week, from, catalog)
    }

    /// The course tariff per week in `catalog` for this period's type and level; `None` for
    /// INDIVIDUAL, which is paid by activity.
    pub fn weekly_price(&self, catalog: &Catalog) -> Option<Ore> {
        let level = self.level?;
        catalog.course(self.course_type).map(|t| t.weekly_prices[level.index()])
    }

    /// The course in the Danish words a statement line uses: `udviklende forløb niveau 3`.
    pub fn danish(&self) -> String {
        let kind = match self.course_type {
            CourseType::Developing => "udviklende forløb",
            CourseType::Maintaining => "fastholdende forløb",
            CourseType::Individual => "individuel takst",
        };
        match self.level {
            Some(level) => format!("{kind} niveau {}", level.get()),
            None => kind.to_owned(),
        }
    }

    /// A short description by code, e.g. `DEVELOPING level 3`.
    pub fn describe(&self) -> String {
        match self.level {
            Some(level) => format!("{} level {}", self.course_type.code(), level.get()),
            None => self.course_type.code().to_owned(),
        }
    }
}
