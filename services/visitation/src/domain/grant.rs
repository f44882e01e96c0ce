//! A grant is the authority's decision, kept as a sequence of versions: each version is the
//! grant's full state after one decision, with what the tariff derived from it (paying frame,
//! course period, expected weekly cost). This file holds the grant's shape and its first
//! version ([`derive`], [`Grant::decide`]); later versions come from [`super::change`].

use afregning_tariff::catalog::Catalog;
use afregning_tariff::{CatalogSet, CoursePeriod, CourseType, EndReason, Ore, Unit};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::error::{Fault, Input, VisitationError};
use super::ids::{CitizenId, GrantId};
use super::shares::Share;

/// How a grant is paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnitKind {
    /// A service, paid by activity.
    Service,
    /// A package, paid per week pro rata per day.
    Package,
    /// A course, paid a course tariff per week for its course period.
    Course,
}

/// How a course with several providers is settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SettleMode {
    /// The lead receives the whole tariff.
    WithLead,
    /// Each provider receives its share.
    WithEach,
}

/// Where a grant is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// Paid as decided.
    Active,
    /// Suspended (hospital admission).
    Suspended,
    /// Ended; no further change is possible.
    Ended,
}

/// What kind of decision made a version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// The first decision.
    Decided,
    /// A revisit (new minutes; a course starts a new period).
    Revisited,
    /// New provider(s).
    ProviderChanged,
    /// A suspension began (package and course pay stops).
    Suspended,
    /// Pay resumed after a suspension.
    Resumed,
    /// The grant ended; the version names its last day and reason.
    Ended,
}

/// A suspension with its reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuspensionRecord {
    /// First day without pay.
    pub from: NaiveDate,
    /// Day pay resumes; `None` while the suspension is open.
    pub resumed_on: Option<NaiveDate>,
    /// The authority's reason, shown to the provider.
    pub reason: String,
}

/// What the authority decided a grant pays for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    /// Service, package or course.
    pub unit_kind: UnitKind,
    /// Legal basis code; it picks the paying frame.
    pub legal_basis: String,
    /// FSIII intervention code; two grants of one intervention may not overlap.
    pub intervention: String,
    /// Visited minutes per week.
    pub visited_minutes_per_week: u32,
    /// Set for services only.
    pub service_category: Option<String>,
    /// Set for packages only.
    pub package: Option<String>,
    /// For courses: the type asked for (INDIVIDUAL may be derived instead).
    pub course_type: Option<CourseType>,
    /// Set for courses only.
    pub settle_mode: Option<SettleMode>,
    /// Providers with shares; exactly one lead.
    pub providers: Vec<Share>,
    /// Need frame given by the authority; `None` means the paying frame.
    pub need_frame: Option<String>,
}

/// One version of a grant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The same across all versions.
    pub grant_id: GrantId,
    /// 1, 2, … — the caller names the version it changes, so concurrent decisions cannot both win.
    pub version: u32,
    /// Whose grant it is.
    pub citizen_id: CitizenId,
    /// What is paid for.
    pub terms: Terms,
    /// First day.
    pub start: NaiveDate,
    /// Last day; `None` while open-ended.
    pub end: Option<NaiveDate>,
    /// Active, suspended or ended.
    pub status: Status,
    /// Frame of the legal basis.
    pub paying_frame: String,
    /// Frame owning the need.
    pub need_frame: String,
    /// The current course period, for courses.
    pub course: Option<CoursePeriod>,
    /// Expected cost of one week, for budget's commitments.
    pub expected_weekly_cost_ore: Ore,
    /// Catalog that derived course and cost.
    pub catalog_version: String,
    /// Suspensions, oldest first.
    pub suspensions: Vec<SuspensionRecord>,
    /// Set once ended.
    pub end_reason: Option<EndReason>,
    /// What made this version.
    pub change: Change,
    /// The day this version's change applies from.
    pub effective_from: NaiveDate,
    /// The day the authority decided it.
    pub decided_on: NaiveDate,
    /// Applies before the day it was decided: settlement corrects issued months.
    pub backdated: bool,
    /// When it was stored.
    pub recorded_at: DateTime<Utc>,
}

/// What the tariff derives from a decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Derived {
    /// Frame of the legal basis.
    pub paying_frame: String,
    /// Frame owning the need.
    pub need_frame: String,
    /// Course period, for courses.
    pub course: Option<CoursePeriod>,
    /// Expected weekly cost.
    pub expected_weekly_cost_ore: Ore,
    /// The catalog that derived it, recorded so every derived figure can be traced to a price.
    pub catalog_version: String,
}

/// The catalog in force on `date`, or why there is none.
pub(crate) fn in_force(catalogs: &CatalogSet, date: NaiveDate, input: Input) -> Result<&Catalog, VisitationError> {
    catalogs.in_force(date).ok_or(VisitationError::NoCatalog { input, on: date })
}

/// The tariff's view of a grant's unit.
pub fn unit_of(terms: &Terms, course: Option<&CoursePeriod>) -> Option<Unit> {
    match terms.unit_kind {
        UnitKind::Service => terms.service_category.clone().map(|category| Unit::Service { category }),
        UnitKind::Package => terms.package.clone().map(|code| Unit::Package { code }),
        UnitKind::Course => course.cloned().map(Unit::Course),
    }
}

/// Where `terms` do not fit `catalog`: unknown legal basis, intervention, frame or unit.
fn catalog_faults(terms: &Terms, catalog: &Catalog) -> Vec<Fault> {
    let mut faults = Vec::new();
    let mut add = |input, problem: &str| {
        faults.push(Fault {
            input,
            problem: problem.to_owned(),
        })
    };
    if catalog.paying_frame(&terms.legal_basis).is_none() {
        add(Input::LegalBasis, "unknown legal basis");
    }
    match catalog.interventions.get(&terms.intervention) {
        None => add(Input::Intervention, "unknown FSIII intervention"),
        Some(i) if !i.legal_bases.contains(&terms.legal_basis) => {
            add(Input::Intervention, &format!("not granted under legal basis {}", terms.legal_basis))
        }
        Some(_) => {}
    }
    if let Some(need) = &terms.need_frame
        && !catalog.frames.contains_key(need)
    {
        add(Input::NeedFrame, "unknown frame");
    }
    match terms.unit_kind {
        UnitKind::Service => match &terms.service_category {
            Some(c) if catalog.categories.contains_key(c) => {}
            Some(_) => add(Input::ServiceCategory, "unknown service category"),
            None => add(Input::ServiceCategory, "required for a service"),
        },
        UnitKind::Package => match &terms.package {
            Some(p) if catalog.packages.contains_key(p) => {}
            Some(_) => add(Input::Package, "unknown package"),
            None => add(Input::Package, "required for a package"),
        },
        UnitKind::Course if terms.course_type.is_none() => add(Input::CourseType, "required for a course"),
        UnitKind::Course => {}
    }
    faults
}

/// Checks `terms` against the catalog in force on `start` and derives the paying frame, the
/// course period, and the expected weekly cost.
pub fn derive(terms: &Terms, start: NaiveDate, catalogs: &CatalogSet) -> Result<Derived, VisitationError> {
    let catalog = in_force(catalogs, start, Input::Start)?;
    let faults = catalog_faults(terms, catalog);
    if !faults.is_empty() {
        return Err(VisitationError::TermsUnfit(faults));
    }
    let paying_frame = catalog.paying_frame(&terms.legal_basis).unwrap_or_default().to_owned();
    let course = match (terms.unit_kind, terms.course_type) {
        (UnitKind::Course, Some(t)) => Some(
            CoursePeriod::start(t, terms.visited_minutes_per_week, start, catalog)
                .map_err(|e| VisitationError::CourseStart(e.to_string()))?,
        ),
        _ => None,
    };
    finish_derivation(terms, course, catalog, paying_frame)
}

/// Prices one week of `terms` with `catalog` and completes the derivation.
pub(crate) fn finish_derivation(
    terms: &Terms,
    course: Option<CoursePeriod>,
    catalog: &Catalog,
    paying_frame: String,
) -> Result<Derived, VisitationError> {
    let unit = unit_of(terms, course.as_ref()).ok_or(VisitationError::IncompleteUnit)?;
    let cost = unit
        .expected_weekly_cost(terms.visited_minutes_per_week, catalog)
        .map_err(|e| VisitationError::CannotBePriced(e.to_string()))?;
    Ok(Derived {
        need_frame: terms.need_frame.clone().unwrap_or_else(|| paying_frame.clone()),
        paying_frame,
        course,
        expected_weekly_cost_ore: cost,
        catalog_version: catalog.version.clone(),
    })
}

/// The decision that makes a grant's first version.
#[derive(Clone, Debug)]
pub struct Decision {
    /// Whose grant.
    pub citizen_id: CitizenId,
    /// What it pays for.
    pub terms: Terms,
    /// First day.
    pub start: NaiveDate,
    /// Last day, if decided.
    pub end: Option<NaiveDate>,
    /// The day the authority decided.
    pub decided_on: NaiveDate,
}

impl Grant {
    /// The first version of a grant, with what the tariff derived for it.
    pub fn decide(grant_id: GrantId, decision: Decision, derived: Derived, now: DateTime<Utc>) -> Grant {
        Grant {
            grant_id,
            version: 1,
            citizen_id: decision.citizen_id,
            start: decision.start,
            end: decision.end,
            status: Status::Active,
            paying_frame: derived.paying_frame,
            need_frame: derived.need_frame,
            course: derived.course,
            expected_weekly_cost_ore: derived.expected_weekly_cost_ore,
            catalog_version: derived.catalog_version,
            suspensions: Vec::new(),
            end_reason: None,
            change: Change::Decided,
            effective_from: decision.start,
            decided_on: decision.decided_on,
            backdated: decision.start < decision.decided_on,
            recorded_at: now,
            terms: decision.terms,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use afregning_tariff::Catalog;

    pub(crate) fn catalogs() -> CatalogSet {
        let text = include_str!("../../../../deploy/catalog-2026.toml");
        CatalogSet::new(vec![Catalog::from_toml_str(text).unwrap()]).unwrap()
    }

    pub(crate) fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    pub(crate) fn service_terms(minutes: u32) -> Terms {
        Terms {
            unit_kind: UnitKind::Service,
            legal_basis: "SEL-83".into(),
            intervention: "personlig-pleje".into(),
            visited_minutes_per_week: minutes,
            service_category: Some("personal_care".into()),
            package: None,
            course_type: None,
            settle_mode: None,
            providers: vec![Share {
                provider_id: "prv_a".into(),
                share_percent: 100,
                lead: true,
            }],
            need_frame: None,
        }
    }

    pub(crate) fn course_terms(minutes: u32) -> Terms {
        Terms {
            unit_kind: UnitKind::Course,
            legal_basis: "SEL-83a".into(),
            intervention: "hverdagsrehabilitering".into(),
            service_category: None,
            course_type: Some(CourseType::Developing),
            settle_mode: Some(SettleMode::WithLead),
            ..service_terms(minutes)
        }
    }

    pub(crate) fn grant(terms: Terms, start: NaiveDate) -> Grant {
        let derived = derive(&terms, start, &catalogs()).unwrap();
        let decision = Decision {
            citizen_id: "cit_1".into(),
            terms,
            start,
            end: None,
            decided_on: start,
        };
        Grant::decide("gr_1".into(), decision, derived, DateTime::default())
    }

    #[test]
    fn a_decision_derives_frames_course_and_cost() {
        let g = grant(course_terms(400), day(3, 2));
        assert_eq!((g.version, g.status, g.change), (1, Status::Active, Change::Decided));
        assert_eq!((g.paying_frame.as_str(), g.need_frame.as_str()), ("SOCIAL", "SOCIAL"));
        let course = g.course.expect("a course period");
        assert_eq!(course.level.map(|l| l.get()), Some(2));
        assert!(g.expected_weekly_cost_ore > Ore::ZERO);
        assert!(!g.backdated);
    }

    #[test]
    fn terms_that_do_not_fit_the_catalog_name_every_fault() {
        let mut terms = service_terms(120);
        terms.legal_basis = "SEL-999".into();
        terms.service_category = Some("gardening".into());
        terms.need_frame = Some("NOWHERE".into());
        let Err(VisitationError::TermsUnfit(faults)) = derive(&terms, day(3, 2), &catalogs()) else {
            panic!("expected faults");
        };
        let inputs: Vec<Input> = faults.iter().map(|f| f.input).collect();
        assert_eq!(
            inputs,
            vec![Input::LegalBasis, Input::Intervention, Input::NeedFrame, Input::ServiceCategory]
        );
    }

    #[test]
    fn no_catalog_no_decision() {
        let at = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
        assert_eq!(
            derive(&service_terms(60), at, &catalogs()),
            Err(VisitationError::NoCatalog {
                input: Input::Start,
                on: at
            })
        );
    }

    #[test]
    fn a_decision_made_after_its_start_is_backdated() {
        let terms = service_terms(60);
        let derived = derive(&terms, day(3, 2), &catalogs()).unwrap();
        let decision = Decision {
            citizen_id: "cit_1".into(),
            terms,
            start: day(3, 2),
            end: None,
            decided_on: day(3, 9),
        };
        assert!(Grant::decide("gr_1".into(), decision, derived, DateTime::default()).backdated);
    }
}
