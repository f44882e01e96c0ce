//! The tariff catalog: versioned, effective-dated price data that finance reviews like any budget
//! document (docs/design.md, "The tariff catalog").
//!
//! A catalog is written in TOML (see `deploy/catalog-2026.toml`), parsed into raw structs that
//! mirror the file, then validated into a [`Catalog`] whose every price is an [`Ore`]. Prices are
//! strings in the file (`"475.00"`), so no floating-point number can ever carry money; a float, an
//! unknown key or an inconsistent value is refused with an error naming the key.
//! A [`CatalogSet`] holds the catalogs of several years and answers which one is in force on a day.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::bands::TimeBand;
use crate::calendar::{DateRange, HolidayOptions};
use crate::course::CourseType;
use crate::money::Ore;

/// Why a catalog was refused. `key` is the dotted path of the offending entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// The text is not TOML of the catalog's shape (unknown key, wrong type, float price…).
    #[error("catalog is not valid TOML of the expected shape: {0}")]
    Syntax(String),
    /// A value is present but wrong.
    #[error("catalog key `{key}`: {reason}")]
    Invalid {
        /// Dotted path, e.g. `courses.DEVELOPING.weekly_prices[2]`.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Two catalogs of a set are in force on the same day, or share a version.
    #[error("catalogs {0} and {1} overlap")]
    Overlap(String, String),
}

fn invalid(key: impl Into<String>, reason: impl Into<String>) -> CatalogError {
    CatalogError::Invalid {
        key: key.into(),
        reason: reason.into(),
    }
}

/// Whether activity (services, INDIVIDUAL) is paid by delivered or by visited minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityBasis {
    /// Minutes the provider reports as delivered.
    Delivered,
    /// Minutes per week the authority granted, pro rata per day.
    Visited,
}

/// How much over-delivery an activity unit paid on the `delivered_capped` basis tolerates beyond
/// its visited minutes (docs/design.md §5b): a whole percentage of the visited minutes and/or a
/// number of minutes per week, added together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Tolerance {
    /// Whole percent of the visited minutes, 0–100.
    pub percent: u32,
    /// Minutes per week on top, 0–10,080.
    pub minutes_per_week: u32,
}

impl Tolerance {
    /// The default tolerance: 10 % and no minutes.
    pub const DEFAULT: Tolerance = Tolerance {
        percent: 10,
        minutes_per_week: 0,
    };

    /// No tolerance: the visited minutes themselves.
    pub const NONE: Tolerance = Tolerance {
        percent: 0,
        minutes_per_week: 0,
    };
}

/// Which basis pays one activity unit (a service category or INDIVIDUAL), docs/design.md §5b.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PayBasis {
    /// Delivered minutes, uncapped.
    Delivered,
    /// Visited minutes per week, pro rata per day.
    Visited,
    /// Delivered minutes up to the visited minutes plus the tolerance; the rest is shown unpaid.
    DeliveredCapped(Tolerance),
}

impl From<ActivityBasis> for PayBasis {
    fn from(basis: ActivityBasis) -> PayBasis {
        match basis {
            ActivityBasis::Delivered => PayBasis::Delivered,
            ActivityBasis::Visited => PayBasis::Visited,
        }
    }
}

/// Hourly rates of one service category: one rate for every band, or one per band.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HourlyRates {
    /// The same rate in every band.
    Single(Ore),
    /// A rate per band, indexed in [`TimeBand::ALL`] order.
    Banded([Ore; 4]),
}

impl HourlyRates {
    /// The rate per hour in `band`.
    pub fn rate(&self, band: TimeBand) -> Ore {
        match self {
            HourlyRates::Single(rate) => *rate,
            HourlyRates::Banded(rates) => rates[TimeBand::ALL.iter().position(|b| *b == band).unwrap_or(0)],
        }
    }

    fn scale(&self, factor: Decimal) -> Result<HourlyRates, crate::money::MoneyError> {
        Ok(match self {
            HourlyRates::Single(rate) => HourlyRates::Single(rate.scale(factor)?),
            HourlyRates::Banded(rates) => {
                let mut scaled = *rates;
                for rate in &mut scaled {
                    *rate = rate.scale(factor)?;
                }
                HourlyRates::Banded(scaled)
            }
        })
    }
}

/// A service category (personal care, practical help, nursing, training…).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    /// Display name.
    pub name: String,
    /// Rates per hour.
    pub rates: HourlyRates,
    /// Its own pay basis; `None` follows the catalog's `activity_basis`.
    pub basis: Option<PayBasis>,
}

/// A package: an average price per week.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    /// Display name.
    pub name: String,
    /// Price per week.
    pub weekly_price: Ore,
}

/// The tariff of one course type (DEVELOPING or MAINTAINING).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CourseTariff {
    /// Length of the course period.
    pub length_weeks: u32,
    /// Follow-up at the latest this many months after the start.
    pub latest_follow_up_months: u32,
    /// Price per week by level 1–5 (index 0 is level 1).
    pub weekly_prices: [Ore; 5],
    /// Split of each line across frames, whole percentages adding up to 100, in frame order.
    pub frames: Vec<(String, u32)>,
}

/// INDIVIDUAL: very large needs, paid by activity at an individual rate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Individual {
    /// Rates per hour.
    pub rates: HourlyRates,
    /// The course period (and follow-up) of an INDIVIDUAL course, in months.
    pub follow_up_months: u32,
    /// Its own pay basis; `None` follows the catalog's `activity_basis`.
    pub basis: Option<PayBasis>,
}

/// A budget frame as the catalog knows it: which committee it belongs to and its finance account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameInfo {
    /// e.g. "Visitation og Rehabilitering – Social".
    pub name: String,
    /// Committee code.
    pub committee: String,
    /// Finance account (autoriseret kontoplan function), e.g. `5.30.26`.
    pub account: String,
}

/// An FSIII intervention the authority may grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Intervention {
    /// Display name.
    pub name: String,
    /// Legal bases under which it may be granted.
    pub legal_bases: Vec<String>,
}

/// One year's validated tariff catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalog {
    /// Version recorded on every amount it prices, e.g. `2026.1`.
    pub version: String,
    /// Budget year.
    pub year: i32,
    /// The days on which it is in force.
    pub effective: DateRange,
    /// Delivered or visited minutes for activity pay.
    pub activity_basis: ActivityBasis,
    /// Visited minutes per week above which a course is INDIVIDUAL.
    pub individual_threshold_minutes_per_week: u32,
    /// Days of a suspension that are still paid.
    pub paid_suspension_days: u32,
    /// Whether a DEVELOPING course ended because its goal was met is paid to its period end.
    pub goal_met_paid_to_period_end: bool,
    /// Optional public holidays.
    pub holidays: HolidayOptions,
    /// Service categories by code.
    pub categories: BTreeMap<String, Category>,
    /// INDIVIDUAL rates and period.
    pub individual: Individual,
    /// Packages by code.
    pub packages: BTreeMap<String, Package>,
    /// Course tariffs of DEVELOPING and MAINTAINING.
    pub courses: BTreeMap<CourseType, CourseTariff>,
    /// Legal basis code → paying frame code.
    pub legal_bases: BTreeMap<String, String>,
    /// Frames by code.
    pub frames: BTreeMap<String, FrameInfo>,
    /// FSIII interventions by code.
    pub interventions: BTreeMap<String, Intervention>,
}

impl Catalog {
    /// Parses and validates a catalog from TOML text.
    pub fn from_toml_str(text: &str) -> Result<Catalog, CatalogError> {
        let raw: RawCatalog = toml::from_str(text).map_err(|e| CatalogError::Syntax(e.to_string()))?;
        raw.validate()
    }

    /// The catalog as TOML, in the same shape it is read from.
    pub fn to_toml_string(&self) -> String {
        toml::to_string(&RawCatalog::from(self)).expect("a validated catalog always serialises")
    }

    /// The frame that pays for grants under `legal_basis`.
    pub fn paying_frame(&self, legal_basis: &str) -> Option<&str> {
        self.legal_bases.get(legal_basis).map(String::as_str)
    }

    /// The basis that pays the service category `code` (`None`: INDIVIDUAL): its own, else the
    /// catalog's `activity_basis`.
    pub fn pay_basis(&self, category: Option<&str>) -> PayBasis {
        let own = match category {
            Some(code) => self.categories.get(code).and_then(|c| c.basis),
            None => self.individual.basis,
        };
        own.unwrap_or_else(|| self.activity_basis.into())
    }

    /// The tariff of a DEVELOPING or MAINTAINING course.
    pub fn course(&self, course_type: CourseType) -> Option<&CourseTariff> {
        self.courses.get(&course_type)
    }

    /// The catalog carried into the next budget year by the price index `factor` (e.g. `1.032`):
    /// every price multiplied and rounded to øre, rules and mappings unchanged.
    pub fn roll_forward(&self, factor: Decimal, version: &str) -> Result<Catalog, CatalogError> {
        if factor <= Decimal::ZERO {
            return Err(invalid("price_index", "must be positive"));
        }
        fn money(key: String) -> impl FnOnce(crate::money::MoneyError) -> CatalogError {
            move |_| invalid(key, "price out of range after indexing")
        }
        let mut next = self.clone();
        next.version = version.to_owned();
        next.year = self.year + 1;
        let shift = |d: NaiveDate| {
            NaiveDate::from_ymd_opt(d.year() + 1, d.month(), d.day()).or_else(|| NaiveDate::from_ymd_opt(d.year() + 1, 2, 28))
        };
        // The next year's catalog covers that year from its first day, also when it is derived
        // from a correction that took effect within this year.
        next.effective = NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
            .zip(shift(self.effective.last()))
            .and_then(|(first, last)| DateRange::new(first, last))
            .ok_or_else(|| invalid("effective_to", "cannot be carried to next year"))?;
        for (code, category) in &mut next.categories {
            category.rates = category.rates.scale(factor).map_err(money(format!("categories.{code}")))?;
        }
        next.individual.rates = next.individual.rates.scale(factor).map_err(money("individual".to_owned()))?;
        for (code, package) in &mut next.packages {
            package.weekly_price = package.weekly_price.scale(factor).map_err(money(format!("packages.{code}")))?;
        }
        for (course_type, tariff) in &mut next.courses {
            for price in &mut tariff.weekly_prices {
                *price = price.scale(factor).map_err(money(format!("courses.{course_type}")))?;
            }
        }
        Ok(next)
    }
}

/// The catalogs of several years, and the corrections within a year. Each day has at most one
/// catalog in force: of the catalogs whose days include it, the one that took effect last. A
/// correction is a new version of the same budget year effective from a day within it; from that
/// day it prices, before it the version it corrects.
#[derive(Clone, Debug, Default)]
pub struct CatalogSet {
    /// Ordered by the first day in force.
    catalogs: Vec<Catalog>,
}

impl CatalogSet {
    /// A set from catalogs with distinct versions, of which no two take effect on the same day,
    /// and of which only a correction (same budget year, later first day) overlaps another.
    pub fn new(mut catalogs: Vec<Catalog>) -> Result<CatalogSet, CatalogError> {
        catalogs.sort_by_key(|c| c.effective.first());
        for pair in catalogs.windows(2) {
            let corrects = pair[0].year == pair[1].year && pair[0].effective.first() < pair[1].effective.first();
            if pair[0].effective.last() >= pair[1].effective.first() && !corrects {
                return Err(CatalogError::Overlap(pair[0].version.clone(), pair[1].version.clone()));
            }
        }
        for (i, a) in catalogs.iter().enumerate() {
            if let Some(b) = catalogs[i + 1..].iter().find(|b| b.version == a.version) {
                return Err(CatalogError::Overlap(a.version.clone(), b.version.clone()));
            }
        }
        Ok(CatalogSet { catalogs })
    }

    /// The set with `catalog` added, or why it cannot join (see [`CatalogSet::new`]).
    pub fn with(&self, catalog: Catalog) -> Result<CatalogSet, CatalogError> {
        let mut catalogs = self.catalogs.clone();
        catalogs.push(catalog);
        CatalogSet::new(catalogs)
    }

    /// The catalog in force on `date`.
    pub fn in_force(&self, date: NaiveDate) -> Option<&Catalog> {
        let after = self.catalogs.partition_point(|c| c.effective.first() <= date);
        self.catalogs[..after].iter().rev().find(|c| c.effective.contains(date))
    }

    /// The days on which `version` actually prices: its own days, less those from which a later
    /// correction took over. `None` for an unknown version or one corrected from its first day.
    pub fn in_force_days(&self, version: &str) -> Option<DateRange> {
        let catalog = self.by_version(version)?;
        let last = self
            .catalogs
            .iter()
            .filter(|c| c.effective.first() > catalog.effective.first() && c.effective.first() <= catalog.effective.last())
            .map(|c| c.effective.first())
            .min()
            .and_then(|d| d.pred_opt())
            .unwrap_or(catalog.effective.last());
        DateRange::new(catalog.effective.first(), last)
    }

    /// The catalog with `version`.
    pub fn by_version(&self, version: &str) -> Option<&Catalog> {
        self.catalogs.iter().find(|c| c.version == version)
    }

    /// All catalogs, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Catalog> {
        self.catalogs.iter()
    }
}

impl fmt::Display for CourseType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

// ---- the file's shape ----------------------------------------------------------------------

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    version: String,
    year: i32,
    effective_from: toml::value::Datetime,
    effective_to: toml::value::Datetime,
    #[serde(default = "default_basis")]
    activity_basis: ActivityBasis,
    #[serde(default = "default_threshold")]
    individual_threshold_minutes_per_week: u32,
    #[serde(default)]
    paid_suspension_days: u32,
    #[serde(default = "default_true")]
    goal_met_paid_to_period_end: bool,
    #[serde(default)]
    holidays: HolidayOptions,
    legal_bases: BTreeMap<String, String>,
    frames: BTreeMap<String, RawFrame>,
    interventions: BTreeMap<String, RawIntervention>,
    categories: BTreeMap<String, RawRates>,
    individual: RawRates,
    packages: BTreeMap<String, RawPackage>,
    courses: BTreeMap<String, RawCourse>,
}

fn default_basis() -> ActivityBasis {
    ActivityBasis::Delivered
}
fn default_threshold() -> u32 {
    1_500
}
fn default_true() -> bool {
    true
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRates {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    day: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    evening: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    night: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    weekend_holiday: Option<String>,
    /// Only for `[individual]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    follow_up_months: Option<u32>,
    /// `delivered`, `visited` or `delivered_capped`; absent: the catalog's `activity_basis`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    basis: Option<String>,
    /// Only with `basis = "delivered_capped"`: whole percent, 0–100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tolerance_percent: Option<u32>,
    /// Only with `basis = "delivered_capped"`: minutes per week, 0–10080.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tolerance_minutes_per_week: Option<u32>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPackage {
    name: String,
    weekly_price: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCourse {
    length_weeks: u32,
    latest_follow_up_months: u32,
    weekly_prices: Vec<String>,
    frames: BTreeMap<String, u32>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFrame {
    name: String,
    committee: String,
    account: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIntervention {
    name: String,
    legal_bases: Vec<String>,
}

fn price(key: &str, text: &str) -> Result<Ore, CatalogError> {
    let ore = Ore::parse_kroner(text).map_err(|e| invalid(key, e.to_string()))?;
    if ore < Ore::ZERO {
        return Err(invalid(key, "must not be negative"));
    }
    Ok(ore)
}

fn date(key: &str, value: &toml::value::Datetime) -> Result<NaiveDate, CatalogError> {
    match (&value.date, &value.time) {
        (Some(d), None) => {
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day)).ok_or_else(|| invalid(key, "not a real date"))
        }
        _ => Err(invalid(key, "must be a plain date such as 2026-01-01")),
    }
}

fn toml_date(date: NaiveDate) -> toml::value::Datetime {
    toml::value::Datetime {
        date: Some(toml::value::Date {
            year: u16::try_from(date.year()).unwrap_or(0),
            month: date.month() as u8,
            day: date.day() as u8,
        }),
        time: None,
        offset: None,
    }
}

fn code_ok(code: &str) -> bool {
    !code.is_empty() && code.len() <= 64 && code.chars().all(|c| c.is_ascii_alphanumeric() || "-_.§".contains(c))
}

impl RawRates {
    fn validate(&self, key: &str) -> Result<HourlyRates, CatalogError> {
        let banded = [&self.day, &self.evening, &self.night, &self.weekend_holiday];
        match (&self.rate, banded.iter().filter(|b| b.is_some()).count()) {
            (Some(rate), 0) => Ok(HourlyRates::Single(price(&format!("{key}.rate"), rate)?)),
            (None, 4) => {
                let mut rates = [Ore::ZERO; 4];
                for ((slot, band), text) in rates.iter_mut().zip(TimeBand::ALL).zip(banded) {
                    let text = text.as_deref().unwrap_or_default();
                    *slot = price(&format!("{key}.{}", band.code()), text)?;
                }
                Ok(HourlyRates::Banded(rates))
            }
            (Some(_), _) => Err(invalid(key, "give either `rate` or the four band rates, not both")),
            (None, _) => Err(invalid(
                key,
                "give `rate`, or all of `day`, `evening`, `night` and `weekend_holiday`",
            )),
        }
    }

    /// The unit's own pay basis, each key checked: a tolerance only with `delivered_capped`, which
    /// tolerates 10 % when it names neither a percentage nor minutes.
    fn basis(&self, key: &str) -> Result<Option<PayBasis>, CatalogError> {
        let tolerance_given = self.tolerance_percent.is_some() || self.tolerance_minutes_per_week.is_some();
        let capped = match self.basis.as_deref() {
            None | Some("delivered" | "visited") if tolerance_given => {
                let which = if self.tolerance_percent.is_some() {
                    "tolerance_percent"
                } else {
                    "tolerance_minutes_per_week"
                };
                return Err(invalid(format!("{key}.{which}"), "only with basis = \"delivered_capped\""));
            }
            None => return Ok(None),
            Some("delivered") => return Ok(Some(PayBasis::Delivered)),
            Some("visited") => return Ok(Some(PayBasis::Visited)),
            Some("delivered_capped") => true,
            Some(_) => false,
        };
        if !capped {
            return Err(invalid(
                format!("{key}.basis"),
                "must be \"delivered\", \"visited\" or \"delivered_capped\"",
            ));
        }
        if !tolerance_given {
            return Ok(Some(PayBasis::DeliveredCapped(Tolerance::DEFAULT)));
        }
        let percent = self.tolerance_percent.unwrap_or(0);
        if percent > 100 {
            return Err(invalid(format!("{key}.tolerance_percent"), "must be 0–100"));
        }
        let minutes_per_week = self.tolerance_minutes_per_week.unwrap_or(0);
        if minutes_per_week > 10_080 {
            return Err(invalid(
                format!("{key}.tolerance_minutes_per_week"),
                "must be 0–10080 (minutes in a week)",
            ));
        }
        Ok(Some(PayBasis::DeliveredCapped(Tolerance { percent, minutes_per_week })))
    }

    fn from_rates(name: Option<String>, rates: &HourlyRates, follow_up_months: Option<u32>, basis: Option<PayBasis>) -> RawRates {
        let text = |ore: Ore| Some(ore.to_string());
        let (basis, tolerance_percent, tolerance_minutes_per_week) = match basis {
            None => (None, None, None),
            Some(PayBasis::Delivered) => (Some("delivered".to_owned()), None, None),
            Some(PayBasis::Visited) => (Some("visited".to_owned()), None, None),
            Some(PayBasis::DeliveredCapped(t)) => (Some("delivered_capped".to_owned()), Some(t.percent), Some(t.minutes_per_week)),
        };
        let raw = match rates {
            HourlyRates::Single(rate) => RawRates {
                name,
                rate: text(*rate),
                day: None,
                evening: None,
                night: None,
                weekend_holiday: None,
                follow_up_months,
                basis: None,
                tolerance_percent: None,
                tolerance_minutes_per_week: None,
            },
            HourlyRates::Banded([day, evening, night, weekend]) => RawRates {
                name,
                rate: None,
                day: text(*day),
                evening: text(*evening),
                night: text(*night),
                weekend_holiday: text(*weekend),
                follow_up_months,
                basis: None,
                tolerance_percent: None,
                tolerance_minutes_per_week: None,
            },
        };
        RawRates {
            basis,
            tolerance_percent,
            tolerance_minutes_per_week,
            ..raw
        }
    }
}

impl RawCatalog {
    /// The catalog, each section checked in turn; the first fault is named by its TOML key.
    fn validate(self) -> Result<Catalog, CatalogError> {
        let effective = self.header()?;
        let frames = frames(self.frames)?;
        legal_bases(&self.legal_bases, &frames)?;
        let interventions = interventions(self.interventions, &self.legal_bases)?;
        let categories = categories(&self.categories)?;
        let individual = Individual {
            rates: self.individual.validate("individual")?,
            follow_up_months: match self.individual.follow_up_months {
                Some(m @ 1..=24) => m,
                Some(_) => return Err(invalid("individual.follow_up_months", "must be 1–24")),
                None => return Err(invalid("individual.follow_up_months", "is required")),
            },
            basis: self.individual.basis("individual")?,
        };
        let mut packages = BTreeMap::new();
        for (code, raw) in self.packages {
            let weekly_price = price(&format!("packages.{code}.weekly_price"), &raw.weekly_price)?;
            packages.insert(
                code,
                Package {
                    name: raw.name,
                    weekly_price,
                },
            );
        }
        let courses = courses(self.courses, &frames)?;
        Ok(Catalog {
            version: self.version,
            year: self.year,
            effective,
            activity_basis: self.activity_basis,
            individual_threshold_minutes_per_week: self.individual_threshold_minutes_per_week,
            paid_suspension_days: self.paid_suspension_days,
            goal_met_paid_to_period_end: self.goal_met_paid_to_period_end,
            holidays: self.holidays,
            categories,
            individual,
            packages,
            courses,
            legal_bases: self.legal_bases,
            frames,
            interventions,
        })
    }

    /// The version, the budget year, the days the catalog is in force, and its thresholds.
    fn header(&self) -> Result<DateRange, CatalogError> {
        if self.version.trim().is_empty() || self.version.len() > 32 {
            return Err(invalid("version", "must be 1–32 characters"));
        }
        if !(2000..=2999).contains(&self.year) {
            return Err(invalid("year", "must be a year from 2000 to 2999"));
        }
        let from = date("effective_from", &self.effective_from)?;
        let to = date("effective_to", &self.effective_to)?;
        let effective = DateRange::new(from, to).ok_or_else(|| invalid("effective_to", "must not be before effective_from"))?;
        if from.year() != self.year || to.year() != self.year {
            return Err(invalid("effective_from", format!("must lie within the budget year {}", self.year)));
        }
        if !(1..=10_080).contains(&self.individual_threshold_minutes_per_week) {
            return Err(invalid(
                "individual_threshold_minutes_per_week",
                "must be 1–10080 (minutes in a week)",
            ));
        }
        if self.paid_suspension_days > 366 {
            return Err(invalid("paid_suspension_days", "must be 0–366"));
        }
        Ok(effective)
    }
}

/// The committees' frames by code: at least one, each with a committee and an account.
fn frames(raw: BTreeMap<String, RawFrame>) -> Result<BTreeMap<String, FrameInfo>, CatalogError> {
    let mut frames = BTreeMap::new();
    for (code, raw) in raw {
        let key = format!("frames.{code}");
        if !code_ok(&code) {
            return Err(invalid(key, "frame codes are letters, digits, '-', '_' or '.'"));
        }
        if raw.committee.trim().is_empty() || raw.account.trim().is_empty() {
            return Err(invalid(key, "needs a committee and an account"));
        }
        frames.insert(
            code,
            FrameInfo {
                name: raw.name,
                committee: raw.committee,
                account: raw.account,
            },
        );
    }
    if frames.is_empty() {
        return Err(invalid("frames", "at least one frame is required"));
    }
    Ok(frames)
}

/// Every legal basis maps to a frame the catalog defines.
fn legal_bases(bases: &BTreeMap<String, String>, frames: &BTreeMap<String, FrameInfo>) -> Result<(), CatalogError> {
    for (basis, frame) in bases {
        if !code_ok(basis) {
            return Err(invalid(format!("legal_bases.{basis}"), "not a valid legal basis code"));
        }
        if !frames.contains_key(frame) {
            return Err(invalid(format!("legal_bases.{basis}"), format!("unknown frame `{frame}`")));
        }
    }
    Ok(())
}

/// Interventions by code, each under at least one known legal basis.
fn interventions(
    raw: BTreeMap<String, RawIntervention>,
    bases: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Intervention>, CatalogError> {
    let mut interventions = BTreeMap::new();
    for (code, raw) in raw {
        let key = format!("interventions.{code}.legal_bases");
        if raw.legal_bases.is_empty() {
            return Err(invalid(key, "at least one legal basis"));
        }
        if let Some(unknown) = raw.legal_bases.iter().find(|b| !bases.contains_key(*b)) {
            return Err(invalid(key, format!("unknown legal basis `{unknown}`")));
        }
        interventions.insert(
            code,
            Intervention {
                name: raw.name,
                legal_bases: raw.legal_bases,
            },
        );
    }
    Ok(interventions)
}

/// Service categories with their hourly rates; only INDIVIDUAL has a follow-up.
fn categories(raw: &BTreeMap<String, RawRates>) -> Result<BTreeMap<String, Category>, CatalogError> {
    let mut categories = BTreeMap::new();
    for (code, raw) in raw {
        let key = format!("categories.{code}");
        let rates = raw.validate(&key)?;
        if raw.follow_up_months.is_some() {
            return Err(invalid(format!("{key}.follow_up_months"), "only INDIVIDUAL has a follow-up"));
        }
        categories.insert(
            code.clone(),
            Category {
                name: raw.name.clone().unwrap_or_else(|| code.clone()),
                rates,
                basis: raw.basis(&key)?,
            },
        );
    }
    Ok(categories)
}

/// Course tariffs for DEVELOPING and MAINTAINING, both required.
fn courses(
    raw: BTreeMap<String, RawCourse>,
    frames: &BTreeMap<String, FrameInfo>,
) -> Result<BTreeMap<CourseType, CourseTariff>, CatalogError> {
    let mut courses = BTreeMap::new();
    for (code, raw) in raw {
        let key = format!("courses.{code}");
        let course_type = match CourseType::from_code(&code) {
            Some(t @ (CourseType::Developing | CourseType::Maintaining)) => t,
            _ => {
                return Err(invalid(
                    key,
                    "course tariffs are for DEVELOPING and MAINTAINING (INDIVIDUAL is under [individual])",
                ));
            }
        };
        courses.insert(course_type, course(&key, raw, frames)?);
    }
    for required in [CourseType::Developing, CourseType::Maintaining] {
        if !courses.contains_key(&required) {
            return Err(invalid(format!("courses.{required}"), "is required"));
        }
    }
    Ok(courses)
}

/// One course type's tariff: its length, five weekly prices and its split across frames.
fn course(key: &str, raw: RawCourse, frames: &BTreeMap<String, FrameInfo>) -> Result<CourseTariff, CatalogError> {
    if !(1..=104).contains(&raw.length_weeks) {
        return Err(invalid(format!("{key}.length_weeks"), "must be 1–104"));
    }
    // A course's follow-up is its period's last day, which must come no later than the
    // type's latest follow-up (counted with the shortest months, 28 days).
    if raw.length_weeks * 7 > raw.latest_follow_up_months * 28 {
        return Err(invalid(
            format!("{key}.length_weeks"),
            "course period ends after the latest follow-up",
        ));
    }
    if raw.weekly_prices.len() != 5 {
        return Err(invalid(format!("{key}.weekly_prices"), "needs exactly five prices, levels 1–5"));
    }
    let mut weekly_prices = [Ore::ZERO; 5];
    for (i, text) in raw.weekly_prices.iter().enumerate() {
        weekly_prices[i] = price(&format!("{key}.weekly_prices[{i}]"), text)?;
    }
    if let Some((frame, _)) = raw.frames.iter().find(|(f, _)| !frames.contains_key(*f)) {
        return Err(invalid(format!("{key}.frames.{frame}"), "unknown frame"));
    }
    if raw.frames.values().any(|p| *p == 0) || raw.frames.values().map(|p| u64::from(*p)).sum::<u64>() != 100 {
        return Err(invalid(
            format!("{key}.frames"),
            "shares must be whole positive percentages adding up to 100",
        ));
    }
    Ok(CourseTariff {
        length_weeks: raw.length_weeks,
        latest_follow_up_months: raw.latest_follow_up_months,
        weekly_prices,
        frames: raw.frames.into_iter().collect(),
    })
}

impl From<&Catalog> for RawCatalog {
    // One field-by-field mapping back to the file's shape: split up, it would only hide which
    // catalog field lands in which TOML key.
    fn from(c: &Catalog) -> RawCatalog {
        RawCatalog {
            version: c.version.clone(),
            year: c.year,
            effective_from: toml_date(c.effective.first()),
            effective_to: toml_date(c.effective.last()),
            activity_basis: c.activity_basis,
            individual_threshold_minutes_per_week: c.individual_threshold_minutes_per_week,
            paid_suspension_days: c.paid_suspension_days,
            goal_met_paid_to_period_end: c.goal_met_paid_to_period_end,
            holidays: c.holidays,
            legal_bases: c.legal_bases.clone(),
            frames: c
                .frames
                .iter()
                .map(|(k, f)| {
                    (
                        k.clone(),
                        RawFrame {
                            name: f.name.clone(),
                            committee: f.committee.clone(),
                            account: f.account.clone(),
                        },
                    )
                })
                .collect(),
            interventions: c
                .interventions
                .iter()
                .map(|(k, i)| {
                    (
                        k.clone(),
                        RawIntervention {
                            name: i.name.clone(),
                            legal_bases: i.legal_bases.clone(),
                        },
                    )
                })
                .collect(),
            categories: c
                .categories
                .iter()
                .map(|(k, cat)| (k.clone(), RawRates::from_rates(Some(cat.name.clone()), &cat.rates, None, cat.basis)))
                .collect(),
            individual: RawRates::from_rates(None, &c.individual.rates, Some(c.individual.follow_up_months), c.individual.basis),
            packages: c
                .packages
                .iter()
                .map(|(k, p)| {
                    (
                        k.clone(),
                        RawPackage {
                            name: p.name.clone(),
                            weekly_price: p.weekly_price.to_string(),
                        },
                    )
                })
                .collect(),
            courses: c
                .courses
                .iter()
                .map(|(t, tariff)| {
                    (
                        t.code().to_owned(),
                        RawCourse {
                            length_weeks: tariff.length_weeks,
                            latest_follow_up_months: tariff.latest_follow_up_months,
                            weekly_prices: tariff.weekly_prices.iter().map(Ore::to_string).collect(),
                            frames: tariff.frames.iter().cloned().collect(),
                        },
                    )
                })
                .collect(),
        }
    }
}
