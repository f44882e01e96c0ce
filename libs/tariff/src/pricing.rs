//! Pricing a grant's month into statement lines (docs/design.md, "Pricing").
//!
//! A line is priced and rounded on its own:
//! * activity (services, INDIVIDUAL): one line per grant, time band, rate and catalog — the
//!   minutes are summed first, then `minutes × hourly rate / 60` is rounded once;
//! * packages and courses: one line per run of consecutive paid days at one weekly price —
//!   `weekly price × days / 7`, rounded once.
//!
//! Each day is priced by the catalog in force that day; a course keeps the type and level fixed at
//! its start. Provider shares and frame shares are split from a line with [`split_by_percent`],
//! one party absorbing the rounding remainder so the parts add up to the line.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::bands::{BandMinutes, TimeBand, split_visit_by_day, utc_to_local};
use crate::calendar::DateRange;
use crate::catalog::{Catalog, CatalogSet, HourlyRates, PayBasis};
use crate::control::{cap_of, day_allowance, split_at_cap};
use crate::course::{CoursePeriod, CourseType};
use crate::money::{MoneyError, Ore};

/// Why a grant could not be priced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    /// No catalog is in force on a day the grant must be paid for.
    #[error("no tariff catalog is in force on {0}")]
    NoCatalog(NaiveDate),
    /// The catalog in force does not know the service category.
    #[error("catalog {version} has no service category `{code}`")]
    UnknownCategory {
        /// Catalog version.
        version: String,
        /// Category code.
        code: String,
    },
    /// The catalog in force does not know the package.
    #[error("catalog {version} has no package `{code}`")]
    UnknownPackage {
        /// Catalog version.
        version: String,
        /// Package code.
        code: String,
    },
    /// The catalog in force has no tariff for the course type.
    #[error("catalog {version} has no tariff for {course_type:?}")]
    NoCourseTariff {
        /// Catalog version.
        version: String,
        /// The course type.
        course_type: CourseType,
    },
    /// A service is paid by activity and has no weekly price.
    #[error("service category `{0}` is paid by activity, not per week")]
    NotDayPriced(String),
    /// Shares that are not whole percentages adding up to 100 with one absorbing party.
    #[error("shares must be whole percentages adding up to 100")]
    Shares,
    /// An amount out of range.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// What a grant pays for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    /// A service of a category, paid by activity.
    Service {
        /// Category code in the catalog.
        category: String,
    },
    /// A package, paid per week pro rata per day.
    Package {
        /// Package code in the catalog.
        code: String,
    },
    /// A course period: tariff per week, or activity for INDIVIDUAL.
    Course(CoursePeriod),
}

impl Unit {
    /// Whether the unit is paid by activity (minutes × rate) rather than per day.
    pub fn is_activity(&self) -> bool {
        match self {
            Unit::Service { .. } => true,
            Unit::Package { .. } => false,
            Unit::Course(course) => course.course_type == CourseType::Individual,
        }
    }

    /// How the unit is named on a statement line and in true-up: the category or package code,
    /// `course:<TYPE>:<level>`, or `course:INDIVIDUAL`.
    pub fn code(&self) -> String {
        match self {
            Unit::Service { category } => category.clone(),
            Unit::Package { code } => code.clone(),
            Unit::Course(course) => match course.level {
                Some(level) => format!("course:{}:{}", course.course_type.code(), level.get()),
                None => format!("course:{}", course.course_type.code()),
            },
        }
    }

    /// Which basis pays the unit in `catalog` (packages and courses are day-priced whatever it
    /// says).
    pub fn pay_basis(&self, catalog: &Catalog) -> PayBasis {
        match self {
            Unit::Service { category } => catalog.pay_basis(Some(category)),
            _ => catalog.pay_basis(None),
        }
    }

    fn hourly_rates<'c>(&self, catalog: &'c Catalog) -> Result<&'c HourlyRates, PricingError> {
        match self {
            Unit::Service { category } => catalog
                .categories
                .get(category)
                .map(|c| &c.rates)
                .ok_or_else(|| PricingError::UnknownCategory {
                    version: catalog.version.clone(),
                    code: category.clone(),
                }),
            _ => Ok(&catalog.individual.rates),
        }
    }

    fn weekly_price(&self, catalog: &Catalog) -> Result<Ore, PricingError> {
        match self {
            Unit::Package { code } => catalog
                .packages
                .get(code)
                .map(|p| p.weekly_price)
                .ok_or_else(|| PricingError::UnknownPackage {
                    version: catalog.version.clone(),
                    code: code.clone(),
                }),
            Unit::Course(course) => course.weekly_price(catalog).ok_or_else(|| PricingError::NoCourseTariff {
                version: catalog.version.clone(),
                course_type: course.course_type,
            }),
            Unit::Service { category } => Err(PricingError::NotDayPriced(category.clone())),
        }
    }

    /// The expected cost of one week, in the catalog given: activity at the weekday day rate for
    /// the visited minutes, packages and courses at their weekly price.
    pub fn expected_weekly_cost(&self, visited_minutes_per_week: u32, catalog: &Catalog) -> Result<Ore, PricingError> {
        if self.is_activity() {
            let rate = self.hourly_rates(catalog)?.rate(TimeBand::Day);
            Ok(Ore::round_ratio(i128::from(rate.get()) * i128::from(visited_minutes_per_week), 60)?)
        } else {
            self.weekly_price(catalog)
        }
    }
}

/// Why a grant ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EndReason {
    /// The course's goal was met.
    GoalMet,
    /// The citizen died.
    Died,
    /// The citizen moved away.
    Moved,
    /// Any other reason.
    Other,
}

/// A suspension of pay (hospital admission): from its first day to the day before resumption.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    /// First day (the day of admission).
    pub from: NaiveDate,
    /// The day pay resumes; `None` while still suspended.
    pub resumed_on: Option<NaiveDate>,
}

/// A grant version as the tariff sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantTerms {
    /// What is paid for.
    pub unit: Unit,
    /// Visited minutes per week (for visited-basis activity and expected cost).
    pub visited_minutes_per_week: u32,
    /// First day paid for.
    pub start: NaiveDate,
    /// Last day; `None` while open-ended.
    pub end: Option<NaiveDate>,
    /// Why it ended, when it has.
    pub end_reason: Option<EndReason>,
    /// Suspensions, in any order.
    pub suspensions: Vec<Suspension>,
}

/// One delivered visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Visit {
    /// The instant the visit started.
    pub started_at: DateTime<Utc>,
    /// Delivered minutes, whole: hours are never fractions in Afregning.
    pub minutes: u32,
}

/// The rule that priced a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Rule {
    /// Delivered minutes in one time band × hourly rate.
    ActivityBanded,
    /// Delivered minutes beyond the delivery-control cap (visited time plus tolerance): shown, at
    /// 0.00 kr.
    ActivityCapped,
    /// Visited minutes per week × days / 7 × hourly rate.
    ActivityVisited,
    /// Package price per week × days / 7.
    PackageProRata,
    /// Course tariff per week × days / 7, at the level fixed at the course start.
    CourseTariff,
    /// A DEVELOPING course ended with its goal met, paid to the end of its course period.
    CourseGoalMetToPeriodEnd,
    /// Annual true-up: (actual − paid rate) × quantity.
    TrueUp,
    /// Negates an earlier issued line.
    Reversal,
    /// The new computation of a reversed line.
    Rebooking,
    /// What an issued period now owes that no issued line of it matched.
    Supplement,
}

impl Rule {
    /// Stable machine-readable code, as in `LineExplanation.rule`.
    pub fn code(self) -> &'static str {
        match self {
            Rule::ActivityBanded => "activity.banded",
            Rule::ActivityCapped => "activity.capped",
            Rule::ActivityVisited => "activity.visited",
            Rule::PackageProRata => "package.pro_rata",
            Rule::CourseTariff => "course.tariff",
            Rule::CourseGoalMetToPeriodEnd => "course.goal_met_to_period_end",
            Rule::TrueUp => "true_up",
            Rule::Reversal => "correction.reversal",
            Rule::Rebooking => "correction.rebooking",
            Rule::Supplement => "correction.supplement",
        }
    }
}

/// What a line's quantity counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum QuantityUnit {
    /// Minutes; the rate is per hour.
    Minutes,
    /// Days; the rate is per week.
    Days,
}

impl QuantityUnit {
    /// `minutes` or `days`.
    pub fn code(self) -> &'static str {
        match self {
            QuantityUnit::Minutes => "minutes",
            QuantityUnit::Days => "days",
        }
    }

    /// Quantity per rate unit: 60 minutes in an hour, 7 days in a week.
    pub fn per_rate_unit(self) -> i128 {
        match self {
            QuantityUnit::Minutes => 60,
            QuantityUnit::Days => 7,
        }
    }
}

/// Why a line costs what it does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    /// Which rule priced the line: its code is what the statement and the CSV show.
    pub rule: Rule,
    /// Catalog version that priced the line.
    pub catalog_version: String,
    /// Øre per hour (minutes) or per week (days).
    pub rate: Ore,
    /// Minutes for activity, days for weekly prices: whole numbers, so a line can be
    /// recomputed by hand.
    pub quantity: u64,
    /// What `quantity` counts.
    pub quantity_unit: QuantityUnit,
    /// A sentence an accountant can check by hand.
    pub text: String,
}

/// One priced line, rounded to øre.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedLine {
    /// Rounded once, from the exact product, so lines add up to what an accountant recomputes.
    pub amount: Ore,
    /// The days the line covers (for activity: the part of the period the grant was valid).
    pub covers: DateRange,
    /// The time band of an activity line.
    pub band: Option<TimeBand>,
    /// The rule, rate and quantity behind the amount, for the statement line.
    pub explanation: Explanation,
}

/// Lines of a grant for a period, plus the visits that could not be paid because they started
/// on a day the grant was not valid (the caller decides how to report them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Priced {
    /// The lines, in a stable order.
    pub lines: Vec<PricedLine>,
    /// Indices into the visits given, of visits outside the grant's validity.
    pub excluded_visits: Vec<usize>,
}

/// Prices `terms` for the days of `period` (normally a calendar month). `visits` are used for
/// activity paid by delivered minutes; a visit belongs to the period in which it started.
pub fn price_grant(terms: &GrantTerms, visits: &[Visit], period: DateRange, catalogs: &CatalogSet) -> Result<Priced, PricingError> {
    if !terms.unit.is_activity() {
        return Ok(Priced {
            lines: price_days(terms, period, catalogs)?,
            excluded_visits: Vec::new(),
        });
    }
    let Some(first_day) = paid_range(terms, period, catalogs)?.map(|r| r.first()) else {
        return price_delivered(terms, visits, period, catalogs);
    };
    let catalog = catalogs.in_force(first_day).ok_or(PricingError::NoCatalog(first_day))?;
    match terms.unit.pay_basis(catalog) {
        PayBasis::Delivered => price_delivered(terms, visits, period, catalogs),
        PayBasis::DeliveredCapped(_) => price_delivered_capped(terms, visits, period, catalogs),
        PayBasis::Visited => Ok(Priced {
            lines: price_days(terms, period, catalogs)?,
            excluded_visits: Vec::new(),
        }),
    }
}

/// The days of `period` the grant pays for before suspensions: from its start to its end (or, for
/// a DEVELOPING course ended with its goal met, to the end of its course period).
fn paid_range(terms: &GrantTerms, period: DateRange, catalogs: &CatalogSet) -> Result<Option<DateRange>, PricingError> {
    let last = match terms.end {
        None => period.last(),
        Some(end) => goal_met_extension(terms, catalogs)?.unwrap_or(end),
    };
    Ok(DateRange::new(terms.start, last).and_then(|r| r.intersect(&period)))
}

/// The course period's last day when the goal-met rule extends pay beyond the end date.
fn goal_met_extension(terms: &GrantTerms, catalogs: &CatalogSet) -> Result<Option<NaiveDate>, PricingError> {
    let (Some(end), Some(EndReason::GoalMet), Unit::Course(course)) = (terms.end, terms.end_reason, &terms.unit) else {
        return Ok(None);
    };
    if course.course_type != CourseType::Developing || course.period.last() <= end {
        return Ok(None);
    }
    let catalog = catalogs.in_force(end).ok_or(PricingError::NoCatalog(end))?;
    Ok(catalog.goal_met_paid_to_period_end.then(|| course.period.last()))
}

/// Whether `day` falls in an unpaid part of a suspension.
fn suspended_unpaid(day: NaiveDate, suspensions: &[Suspension], catalogs: &CatalogSet) -> Result<bool, PricingError> {
    for s in suspensions {
        if day < s.from || s.resumed_on.is_some_and(|r| day >= r) {
            continue;
        }
        let catalog = catalogs.in_force(s.from).ok_or(PricingError::NoCatalog(s.from))?;
        let paid_until = s
            .from
            .checked_add_days(Days::new(u64::from(catalog.paid_suspension_days)))
            .unwrap_or(NaiveDate::MAX);
        if day >= paid_until {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A run of consecutive paid days at one rate from one catalog, under one set of terms.
struct Run<'c, 't, K> {
    days: DateRange,
    catalog: &'c Catalog,
    rate: Ore,
    terms: &'t GrantTerms,
    key: K,
}

/// Whether `terms` pay for `day`: inside the paid range and not in an unpaid suspension.
fn paid_on(terms: &GrantTerms, day: NaiveDate, catalogs: &CatalogSet) -> Result<bool, PricingError> {
    let in_range = paid_range(terms, DateRange::day(day), catalogs)?.is_some();
    Ok(in_range && !suspended_unpaid(day, &terms.suspensions, catalogs)?)
}

/// Splits the paid days of `period` into runs: a run ends at an unpaid day, a new catalog, a new
/// rate, another unit (a revisit starts a new course period), other visited minutes, or another
/// `key`. It does not end merely because a new version took over with the same price: the
/// latest version's terms (which know about an end, for instance) explain the run.
fn day_runs<'c, 't, K: PartialEq>(
    period: DateRange,
    catalogs: &'c CatalogSet,
    terms_on: impl Fn(NaiveDate) -> Option<(&'t GrantTerms, K)>,
) -> Result<Vec<Run<'c, 't, K>>, PricingError> {
    let mut runs: Vec<Run<'c, 't, K>> = Vec::new();
    for day in period.iter_days() {
        let Some((terms, key)) = terms_on(day) else { continue };
        if !paid_on(terms, day, catalogs)? {
            continue;
        }
        let catalog = catalogs.in_force(day).ok_or(PricingError::NoCatalog(day))?;
        let rate = if terms.unit.is_activity() {
            terms.unit.hourly_rates(catalog)?.rate(TimeBand::Day)
        } else {
            terms.unit.weekly_price(catalog)?
        };
        match runs.last_mut() {
            Some(run)
                if run.catalog.version == catalog.version
                    && run.rate == rate
                    && run.key == key
                    && run.terms.unit == terms.unit
                    && run.terms.visited_minutes_per_week == terms.visited_minutes_per_week
                    && run.days.last().succ_opt() == Some(day) =>
            {
                run.days = DateRange::new(run.days.first(), day).expect("extending forwards");
                run.terms = terms;
            }
            _ => runs.push(Run {
                days: DateRange::day(day),
                catalog,
                rate,
                terms,
                key,
            }),
        }
    }
    Ok(runs)
}

/// Packages, courses, and activity on the visited basis: one line per run of days.
fn price_days(terms: &GrantTerms, period: DateRange, catalogs: &CatalogSet) -> Result<Vec<PricedLine>, PricingError> {
    Ok(price_days_by(period, catalogs, |_| Some((terms, ())))?
        .into_iter()
        .map(|(line, ())| line)
        .collect())
}

/// Day-priced lines when the terms change within the period: `terms_on` gives the terms in force
/// on each day (a grant's version of that day) and a `key` that must also stay equal within a
/// line (for example how the line is shared between providers). A line runs across days whose
/// price, catalog, key and terms agree, even when they come from different versions, and is
/// rounded once.
pub fn price_days_by<'t, K: PartialEq + Clone>(
    period: DateRange,
    catalogs: &CatalogSet,
    terms_on: impl Fn(NaiveDate) -> Option<(&'t GrantTerms, K)>,
) -> Result<Vec<(PricedLine, K)>, PricingError> {
    day_runs(period, catalogs, terms_on)?
        .into_iter()
        .map(|run| {
            let terms = run.terms;
            let extended_from = terms.end.filter(|_| goal_met_extension(terms, catalogs).ok().flatten().is_some());
            let days = run.days.days();
            let (rule, amount, text) = if terms.unit.is_activity() {
                let minutes = terms.visited_minutes_per_week;
                let amount = Ore::round_ratio(i128::from(run.rate.get()) * i128::from(minutes) * i128::from(days), 7 * 60)?;
                let text = format!(
                    "{}: {minutes} visiterede min./uge × {days} dage / 7 × {} kr./t ({})",
                    terms.unit.code(),
                    run.rate.to_danish(),
                    run.days.danish()
                );
                (Rule::ActivityVisited, amount, text)
            } else {
                let amount = Ore::round_ratio(i128::from(run.rate.get()) * i128::from(days), 7)?;
                let (rule, what) = match &terms.unit {
                    Unit::Course(course) => {
                        let goal_met = extended_from.filter(|end| run.days.last() > *end);
                        let what = match goal_met {
                            Some(end) => format!(
                                "{} (forløbsperiode {}), mål nået {}, betalt til periodens udløb",
                                course.danish(),
                                course.period.danish(),
                                end.format("%d.%m.%Y")
                            ),
                            None => format!("{} (forløbsperiode {})", course.danish(), course.period.danish()),
                        };
                        (
                            if goal_met.is_some() {
                                Rule::CourseGoalMetToPeriodEnd
                            } else {
                                Rule::CourseTariff
                            },
                            what,
                        )
                    }
                    unit => (Rule::PackageProRata, unit.code()),
                };
                (
                    rule,
                    amount,
                    format!("{what}: {} kr./uge × {days} dage / 7 ({})", run.rate.to_danish(), run.days.danish()),
                )
            };
            let line = PricedLine {
                amount,
                covers: run.days,
                band: None,
                explanation: Explanation {
                    rule,
                    catalog_version: run.catalog.version.clone(),
                    rate: run.rate,
                    quantity: u64::from(days),
                    quantity_unit: QuantityUnit::Days,
                    text,
                },
            };
            Ok((line, run.key))
        })
        .collect()
}

/// Services and INDIVIDUAL on the delivered basis: minutes summed per catalog and band, then
/// priced once per line. A visit belongs to `period` by the day it started; each of its minutes
/// takes the catalog in force on its own calendar day (a visit from 22:30 on 31 December pays its
/// minutes after midnight at the new year's rates).
pub fn price_delivered(terms: &GrantTerms, visits: &[Visit], period: DateRange, catalogs: &CatalogSet) -> Result<Priced, PricingError> {
    let (own, excluded_visits, covers) = visits_in(terms, visits, period);
    let lines = banded_lines(terms, &own, covers, catalogs, |catalog, band, band_minutes| {
        let rate = terms.unit.hourly_rates(catalog)?.rate(band);
        let amount = Ore::round_ratio(i128::from(rate.get()) * i128::from(band_minutes), 60)?;
        let text = format!(
            "{}, {}: {band_minutes} min × {} kr./t / 60",
            terms.unit.code(),
            band.danish(),
            rate.to_danish()
        );
        Ok((Rule::ActivityBanded, rate, amount, text))
    })?;
    Ok(Priced { lines, excluded_visits })
}

/// Services and INDIVIDUAL on the `delivered_capped` basis (docs/design.md §5b): the visits are
/// split at the grant's cap in the period ([`split_at_cap`]); the paid minutes are priced as on the
/// delivered basis, the unpaid ones are lines of their own per catalog and band at 0.00 kr.
/// naming the rule, so the lines still account for every delivered minute.
pub fn price_delivered_capped(
    terms: &GrantTerms,
    visits: &[Visit],
    period: DateRange,
    catalogs: &CatalogSet,
) -> Result<Priced, PricingError> {
    let (own, excluded_visits, covers) = visits_in(terms, visits, period);
    let mut allowance = 0_u64;
    let mut days = 0_u32;
    let mut tolerance = None;
    for day in covers.iter_days() {
        if !paid_on(terms, day, catalogs)? {
            continue;
        }
        let catalog = catalogs.in_force(day).ok_or(PricingError::NoCatalog(day))?;
        if let PayBasis::DeliveredCapped(t) = terms.unit.pay_basis(catalog) {
            allowance += day_allowance(terms.visited_minutes_per_week, t);
            days += 1;
            tolerance.get_or_insert(t);
        }
    }
    let cap = cap_of(allowance);
    let split = split_at_cap(&own, cap);
    let mut priced = price_delivered(terms, &split.paid, covers, catalogs)?;
    let tolerance = tolerance.unwrap_or(crate::catalog::Tolerance::DEFAULT);
    let rule = format!(
        "leveringskontrol: loft {cap} min = {} visiterede min./uge × {days} dage / 7 × (1 + {} %) + {} min./uge × {days} dage / 7, rundet ned",
        terms.visited_minutes_per_week, tolerance.percent, tolerance.minutes_per_week
    );
    // The unpaid part of a visit may start after midnight, even in the next month: it still
    // belongs to the period its visit started in, so it is banded without the period check.
    priced
        .lines
        .extend(banded_lines(terms, &split.unpaid, covers, catalogs, |_, band, band_minutes| {
            let text = format!(
                "{}, {}: {band_minutes} min ud over loftet, 0,00 kr. ({rule})",
                terms.unit.code(),
                band.danish()
            );
            Ok((Rule::ActivityCapped, Ore::ZERO, Ore::ZERO, text))
        })?);
    Ok(Priced {
        lines: priced.lines,
        excluded_visits,
    })
}

/// A grant's time in `period` as the review holds it (docs/design.md §5b): its visited minutes
/// over the days it pays for (unpaid suspension days excluded; `visited minutes per week × days /
/// 7`, rounded down once, as the cap is), and the minutes of `visits` that started within its
/// validity.
pub fn visited_and_delivered(
    terms: &GrantTerms,
    visits: &[Visit],
    period: DateRange,
    catalogs: &CatalogSet,
) -> Result<(u64, u64), PricingError> {
    let (own, _, covers) = visits_in(terms, visits, period);
    let mut allowance = 0_u64;
    for day in covers.iter_days() {
        if paid_on(terms, day, catalogs)? {
            allowance = allowance
                .checked_add(day_allowance(terms.visited_minutes_per_week, crate::catalog::Tolerance::NONE))
                .ok_or(MoneyError::Overflow)?;
        }
    }
    let delivered = own
        .iter()
        .try_fold(0_u64, |sum, v| sum.checked_add(u64::from(v.minutes)))
        .ok_or(MoneyError::Overflow)?;
    Ok((cap_of(allowance), delivered))
}

/// The visits of `period` within the grant's validity, the indices of those outside it, and the
/// days the grant's activity lines cover.
fn visits_in(terms: &GrantTerms, visits: &[Visit], period: DateRange) -> (Vec<Visit>, Vec<usize>, DateRange) {
    let validity = DateRange::new(terms.start, terms.end.unwrap_or(NaiveDate::MAX));
    let mut own = Vec::new();
    let mut excluded = Vec::new();
    for (i, visit) in visits.iter().enumerate() {
        let day = utc_to_local(visit.started_at).date();
        if !period.contains(day) {
            continue;
        }
        if validity.is_some_and(|v| v.contains(day)) {
            own.push(*visit);
        } else {
            excluded.push(i);
        }
    }
    let covers = validity.and_then(|v| v.intersect(&period)).unwrap_or(period);
    (own, excluded, covers)
}

/// Lines of `visits` summed per catalog (of each minute's own day) and band, each made by `make`
/// from its catalog, band and minutes: its rule, rate, amount and text.
fn banded_lines(
    terms: &GrantTerms,
    visits: &[Visit],
    covers: DateRange,
    catalogs: &CatalogSet,
    make: impl Fn(&Catalog, TimeBand, u64) -> Result<(Rule, Ore, Ore, String), PricingError>,
) -> Result<Vec<PricedLine>, PricingError> {
    let mut by_catalog: BTreeMap<(NaiveDate, &str), (&Catalog, BandMinutes)> = BTreeMap::new();
    for visit in visits {
        let day = utc_to_local(visit.started_at).date();
        let started = catalogs.in_force(day).ok_or(PricingError::NoCatalog(day))?;
        let holidays_on = |d: NaiveDate| catalogs.in_force(d).map_or(started.holidays, |c| c.holidays);
        for (minute_day, split) in split_visit_by_day(visit.started_at, visit.minutes, holidays_on) {
            let catalog = catalogs.in_force(minute_day).ok_or(PricingError::NoCatalog(minute_day))?;
            by_catalog
                .entry((catalog.effective.first(), catalog.version.as_str()))
                .or_insert_with(|| (catalog, BandMinutes::default()))
                .1
                .merge(&split);
        }
    }
    let mut lines = Vec::new();
    for (catalog, minutes) in by_catalog.into_values() {
        terms.unit.hourly_rates(catalog)?;
        for (band, band_minutes) in minutes.iter() {
            let (rule, rate, amount, text) = make(catalog, band, band_minutes)?;
            lines.push(PricedLine {
                amount,
                covers,
                band: Some(band),
                explanation: Explanation {
                    rule,
                    catalog_version: catalog.version.clone(),
                    rate,
                    quantity: band_minutes,
                    quantity_unit: QuantityUnit::Minutes,
                    text,
                },
            });
        }
    }
    Ok(lines)
}

/// Splits `amount` into whole-percent parts. Every part but the absorber's is rounded on its own;
/// the absorber gets the rest, so the parts always add up to `amount` exactly.
///
/// Provider shares of a course use the lead as absorber; frame shares use the largest share
/// ([`largest_share`]).
pub fn split_by_percent<K: Clone>(amount: Ore, parts: &[(K, u32)], absorber: usize) -> Result<Vec<(K, Ore)>, PricingError> {
    if absorber >= parts.len() || parts.iter().any(|(_, p)| *p == 0) || parts.iter().map(|(_, p)| u64::from(*p)).sum::<u64>() != 100 {
        return Err(PricingError::Shares);
    }
    split_exact(amount, parts, 100, absorber)
}

/// Splits `amount` into parts of `weight / total` each: every part but `absorber`'s rounded on
/// its own, the absorber's the rest, so the parts add up to `amount` exactly.
pub(crate) fn split_exact<K: Clone, W: Copy + Into<i128>>(
    amount: Ore,
    parts: &[(K, W)],
    total: i128,
    absorber: usize,
) -> Result<Vec<(K, Ore)>, PricingError> {
    let mut out: Vec<(K, Ore)> = Vec::with_capacity(parts.len());
    let mut others = Ore::ZERO;
    for (i, (key, weight)) in parts.iter().enumerate() {
        let share = if i == absorber {
            Ore::ZERO
        } else {
            Ore::round_ratio(i128::from(amount.get()) * (*weight).into(), total)?
        };
        others = others.checked_add(share)?;
        out.push((key.clone(), share));
    }
    out[absorber].1 = amount.checked_sub(others)?;
    Ok(out)
}

/// Index of the largest share; the first of equal ones.
pub fn largest_share<K, W: PartialOrd>(parts: &[(K, W)]) -> usize {
    parts
        .iter()
        .enumerate()
        .fold(0, |best, (i, (_, p))| if *p > parts[best].1 { i } else { best })
}

/// The frames a line of the unit named `code` (see [`Unit::code`]) is paid from: a course type's
/// catalog split for `course:DEVELOPING:…` and `course:MAINTAINING:…`, otherwise the whole to
/// `paying_frame`.
pub fn frame_shares_of_code(code: &str, paying_frame: &str, catalog: &Catalog) -> Vec<(String, u32)> {
    let course_type = code
        .strip_prefix("course:")
        .and_then(|rest| CourseType::from_code(rest.split(':').next().unwrap_or_default()));
    match course_type.filter(|t| *t != CourseType::Individual).and_then(|t| catalog.course(t)) {
        Some(tariff) => tariff.frames.clone(),
        None => vec![(paying_frame.to_owned(), 100)],
    }
}

/// The frames a line of `unit` is paid from, with their shares: a course type's split from the
/// catalog, otherwise the whole line to `paying_frame`.
pub fn frame_shares(unit: &Unit, paying_frame: &str, catalog: &Catalog) -> Vec<(String, u32)> {
    match unit {
        Unit::Course(course) if course.course_type != CourseType::Individual => catalog
            .course(course.course_type)
            .map(|t| t.frames.clone())
            .unwrap_or_else(|| vec![(paying_frame.to_owned(), 100)]),
        _ => vec![(paying_frame.to_owned(), 100)],
    }
}
