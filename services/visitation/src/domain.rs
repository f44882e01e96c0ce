//! The authority's decisions as data: a grant is a sequence of versions, each the grant's full
//! state after one decision, with the values the tariff derived from it.
//!
//! Commands are checked against the catalog and the grant's current state here; the store only
//! persists what these functions return, and `grpc` only converts to and from the wire.

use afregning_kit::ApiError;
use afregning_tariff::catalog::Catalog;
use afregning_tariff::{CatalogSet, CoursePeriod, CourseType, EndReason, Unit};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// How a grant is paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnitKind {
    /// Paid by activity.
    Service,
    /// Paid per week, pro rata per day.
    Package,
    /// A course period.
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

/// Lifecycle state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// Paid as decided.
    Active,
    /// Suspended (hospital admission).
    Suspended,
    /// Ended; no further change is possible.
    Ended,
}

impl Status {
    /// Stored code (the proto enum's number).
    pub fn code(self) -> i64 {
        match self {
            Status::Active => 1,
            Status::Suspended => 2,
            Status::Ended => 3,
        }
    }
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
    /// Suspended.
    Suspended,
    /// Resumed.
    Resumed,
    /// Ended.
    Ended,
}

/// A provider's share of a grant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    /// Provider id.
    pub provider_id: String,
    /// Whole percent.
    pub share_percent: u32,
    /// The lead provider.
    pub lead: bool,
}

/// A suspension with its reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuspensionRecord {
    /// First day.
    pub from: NaiveDate,
    /// Day pay resumes.
    pub resumed_on: Option<NaiveDate>,
    /// Why.
    pub reason: String,
}

/// What the authority decided a grant pays for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    /// Unit kind.
    pub unit_kind: UnitKind,
    /// Legal basis code.
    pub legal_basis: String,
    /// FSIII intervention code.
    pub intervention: String,
    /// Visited minutes per week.
    pub visited_minutes_per_week: u32,
    /// For services.
    pub service_category: Option<String>,
    /// For packages.
    pub package: Option<String>,
    /// For courses: the type asked for (INDIVIDUAL may be derived instead).
    pub course_type: Option<CourseType>,
    /// For courses.
    pub settle_mode: Option<SettleMode>,
    /// Providers with shares; exactly one lead.
    pub providers: Vec<Share>,
    /// Need frame given by the authority; `None` means the paying frame.
    pub need_frame: Option<String>,
}

/// One version of a grant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// Opaque id.
    pub grant_id: String,
    /// 1, 2, …
    pub version: u32,
    /// The citizen.
    pub citizen_id: String,
    /// What is paid for.
    pub terms: Terms,
    /// First day.
    pub start: NaiveDate,
    /// Last day; `None` while open-ended.
    pub end: Option<NaiveDate>,
    /// Lifecycle state.
    pub status: Status,
    /// Frame of the legal basis.
    pub paying_frame: String,
    /// Frame owning the need.
    pub need_frame: String,
    /// The current course period, for courses.
    pub course: Option<CoursePeriod>,
    /// Expected cost of one week, øre.
    pub expected_weekly_cost_ore: i64,
    /// Catalog that derived course and cost.
    pub catalog_version: String,
    /// Suspensions, oldest first.
    pub suspensions: Vec<SuspensionRecord>,
    /// Why it ended.
    pub end_reason: Option<EndReason>,
    /// What made this version.
    pub change: Change,
    /// The day this version's change applies from.
    pub effective_from: NaiveDate,
    /// The day the authority decided it.
    pub decided_on: NaiveDate,
    /// Applies before the day it was decided.
    pub backdated: bool,
    /// When it was stored.
    pub recorded_at: DateTime<Utc>,
}

/// A change to an existing grant, already checked for form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// New minutes (and maybe course type) from a date.
    Revisit {
        /// From.
        effective_from: NaiveDate,
        /// New visited minutes per week.
        visited_minutes_per_week: u32,
        /// New course type, if any.
        course_type: Option<CourseType>,
    },
    /// New providers from a date.
    ChangeProvider {
        /// From.
        effective_from: NaiveDate,
        /// The new shares.
        providers: Vec<Share>,
    },
    /// Suspend from a date.
    Suspend {
        /// First day.
        from: NaiveDate,
        /// Why.
        reason: String,
    },
    /// Resume on a date.
    Resume {
        /// Day pay resumes.
        on: NaiveDate,
    },
    /// End on a date.
    End {
        /// Last day.
        last_day: NaiveDate,
        /// Why.
        reason: EndReason,
    },
}

fn in_force<'c>(catalogs: &'c CatalogSet, date: NaiveDate, field: &str) -> Result<&'c Catalog, ApiError> {
    catalogs
        .in_force(date)
        .ok_or_else(|| ApiError::precondition(field, format!("no tariff catalog is in force on {date}")))
}

/// The tariff's view of a grant's unit.
pub fn unit_of(terms: &Terms, course: Option<&CoursePeriod>) -> Option<Unit> {
    match terms.unit_kind {
        UnitKind::Service => terms.service_category.clone().map(|category| Unit::Service { category }),
        UnitKind::Package => terms.package.clone().map(|code| Unit::Package { code }),
        UnitKind::Course => course.cloned().map(Unit::Course),
    }
}

/// The code a provider must be approved for to deliver `terms` (with the derived course type).
pub fn approval_code(terms: &Terms, course: Option<&CoursePeriod>) -> String {
    match terms.unit_kind {
        UnitKind::Service => terms.service_category.clone().unwrap_or_default(),
        UnitKind::Package => terms.package.clone().unwrap_or_default(),
        UnitKind::Course => format!(
            "course:{}",
            course
                .map(|c| c.course_type)
                .or(terms.course_type)
                .map(CourseType::code)
                .unwrap_or("")
        ),
    }
}

/// Checks `terms` against the catalog in force on `start` and derives the paying frame, the
/// course period, and the expected weekly cost.
pub fn derive(terms: &Terms, start: NaiveDate, catalogs: &CatalogSet) -> Result<Derived, ApiError> {
    let catalog = in_force(catalogs, start, "start")?;
    let mut v = afregning_kit::Violations::new();
    let paying_frame = catalog.paying_frame(&terms.legal_basis).map(str::to_owned);
    v.check(paying_frame.is_some(), "terms.legal_basis", "unknown legal basis");
    match catalog.interventions.get(&terms.intervention) {
        None => v.add("terms.intervention", "unknown FSIII intervention"),
        Some(i) if !i.legal_bases.contains(&terms.legal_basis) => {
            v.add("terms.intervention", format!("not granted under legal basis {}", terms.legal_basis))
        }
        Some(_) => {}
    }
    if let Some(need) = &terms.need_frame {
        v.check(catalog.frames.contains_key(need), "terms.need_frame", "unknown frame");
    }
    match terms.unit_kind {
        UnitKind::Service => match &terms.service_category {
            Some(c) if catalog.categories.contains_key(c) => {}
            Some(_) => v.add("terms.service_category", "unknown service category"),
            None => v.add("terms.service_category", "required for a service"),
        },
        UnitKind::Package => match &terms.package {
            Some(p) if catalog.packages.contains_key(p) => {}
            Some(_) => v.add("terms.package", "unknown package"),
            None => v.add("terms.package", "required for a package"),
        },
        UnitKind::Course => v.check(terms.course_type.is_some(), "terms.course_type", "required for a course"),
    }
    v.finish()?;
    let course = match (terms.unit_kind, terms.course_type) {
        (UnitKind::Course, Some(t)) => Some(
            CoursePeriod::start(t, terms.visited_minutes_per_week, start, catalog)
                .map_err(|e| ApiError::invalid("terms.visited_minutes_per_week", e.to_string()))?,
        ),
        _ => None,
    };
    finish_derivation(terms, course, catalog, paying_frame.unwrap_or_default())
}

/// What the tariff derives from a decision.
pub struct Derived {
    /// Frame of the legal basis.
    pub paying_frame: String,
    /// Frame owning the need.
    pub need_frame: String,
    /// Course period, for courses.
    pub course: Option<CoursePeriod>,
    /// Expected weekly cost, øre.
    pub expected_weekly_cost_ore: i64,
    /// Catalog used.
    pub catalog_version: String,
}

fn finish_derivation(terms: &Terms, course: Option<CoursePeriod>, catalog: &Catalog, paying_frame: String) -> Result<Derived, ApiError> {
    let unit = unit_of(terms, course.as_ref()).ok_or_else(|| ApiError::invalid("terms.unit_kind", "incomplete unit"))?;
    let cost = unit
        .expected_weekly_cost(terms.visited_minutes_per_week, catalog)
        .map_err(|e| ApiError::precondition("terms", format!("cannot be priced: {e}")))?;
    Ok(Derived {
        need_frame: terms.need_frame.clone().unwrap_or_else(|| paying_frame.clone()),
        paying_frame,
        course,
        expected_weekly_cost_ore: cost.get(),
        catalog_version: catalog.version.clone(),
    })
}

impl Grant {
    /// The first version of a grant.
    #[allow(clippy::too_many_arguments)]
    pub fn decide(
        grant_id: String,
        citizen_id: String,
        terms: Terms,
        start: NaiveDate,
        end: Option<NaiveDate>,
        decided_on: NaiveDate,
        derived: Derived,
        now: DateTime<Utc>,
    ) -> Grant {
        Grant {
            grant_id,
            version: 1,
            citizen_id,
            start,
            end,
            status: Status::Active,
            paying_frame: derived.paying_frame,
            need_frame: derived.need_frame,
            course: derived.course,
            expected_weekly_cost_ore: derived.expected_weekly_cost_ore,
            catalog_version: derived.catalog_version,
            suspensions: Vec::new(),
            end_reason: None,
            change: Change::Decided,
            effective_from: start,
            decided_on,
            backdated: start < decided_on,
            recorded_at: now,
            terms,
        }
    }

    /// The days the grant is valid, as far as decided.
    pub fn overlaps(&self, start: NaiveDate, end: Option<NaiveDate>) -> bool {
        let self_end = self.end.unwrap_or(NaiveDate::MAX);
        let other_end = end.unwrap_or(NaiveDate::MAX);
        self.start <= other_end && start <= self_end
    }

    /// The next version after `command`, or why it cannot be made.
    pub fn apply(&self, command: Command, decided_on: NaiveDate, catalogs: &CatalogSet, now: DateTime<Utc>) -> Result<Grant, ApiError> {
        if self.status == Status::Ended {
            return Err(ApiError::precondition(
                "grant_id",
                "the grant has ended; decide a new grant instead",
            ));
        }
        let mut next = self.clone();
        next.version = self.version + 1;
        next.decided_on = decided_on;
        next.recorded_at = now;
        let within = |date: NaiveDate, field: &str| -> Result<(), ApiError> {
            if date < self.start || self.end.is_some_and(|end| date > end) {
                return Err(ApiError::invalid(field, "must lie within the grant's validity"));
            }
            Ok(())
        };
        match command {
            Command::Revisit {
                effective_from,
                visited_minutes_per_week,
                course_type,
            } => {
                within(effective_from, "effective_from")?;
                next.change = Change::Revisited;
                next.effective_from = effective_from;
                next.terms.visited_minutes_per_week = visited_minutes_per_week;
                if course_type.is_some() && self.terms.unit_kind != UnitKind::Course {
                    return Err(ApiError::invalid("course_type", "only a course has a course type"));
                }
                let catalog = in_force(catalogs, effective_from, "effective_from")?;
                if let Some(t) = course_type {
                    next.terms.course_type = Some(t);
                }
                next.course = match &self.course {
                    Some(course) => Some(
                        course
                            .revisit(visited_minutes_per_week, course_type, effective_from, catalog)
                            .map_err(|e| ApiError::invalid("effective_from", e.to_string()))?,
                    ),
                    None => None,
                };
                let paying = next.paying_frame.clone();
                let derived = finish_derivation(&next.terms, next.course.clone(), catalog, paying)?;
                next.expected_weekly_cost_ore = derived.expected_weekly_cost_ore;
                next.catalog_version = derived.catalog_version;
            }
            Command::ChangeProvider { effective_from, providers } => {
                within(effective_from, "effective_from")?;
                if self.terms.unit_kind != UnitKind::Course && providers.len() != 1 {
                    return Err(ApiError::invalid("providers", "a service or package has one provider"));
                }
                if providers.len() > 1 && self.terms.settle_mode.is_none() {
                    return Err(ApiError::invalid("providers", "only a course can have several providers"));
                }
                next.change = Change::ProviderChanged;
                next.effective_from = effective_from;
                next.terms.providers = providers;
            }
            Command::Suspend { from, reason } => {
                within(from, "from")?;
                if self.status == Status::Suspended {
                    return Err(ApiError::precondition("grant_id", "the grant is already suspended"));
                }
                if let Some(last) = self.suspensions.last().and_then(|s| s.resumed_on)
                    && from < last
                {
                    return Err(ApiError::invalid("from", "must not be before the last resumption"));
                }
                next.change = Change::Suspended;
                next.status = Status::Suspended;
                next.effective_from = from;
                next.suspensions.push(SuspensionRecord {
                    from,
                    resumed_on: None,
                    reason,
                });
            }
            Command::Resume { on } => {
                within(on, "on")?;
                let Some(open) = next.suspensions.last_mut().filter(|s| s.resumed_on.is_none()) else {
                    return Err(ApiError::precondition("grant_id", "the grant is not suspended"));
                };
                if on <= open.from {
                    return Err(ApiError::invalid("on", "must be after the first day of the suspension"));
                }
                open.resumed_on = Some(on);
                next.change = Change::Resumed;
                next.status = Status::Active;
                next.effective_from = on;
            }
            Command::End { last_day, reason } => {
                within(last_day, "last_day")?;
                if let Some(open) = self.suspensions.last().filter(|s| s.resumed_on.is_none())
                    && last_day < open.from
                {
                    return Err(ApiError::invalid("last_day", "must not be before the open suspension"));
                }
                next.change = Change::Ended;
                next.status = Status::Ended;
                next.end = Some(last_day);
                next.end_reason = Some(reason);
                next.effective_from = last_day;
            }
        }
        next.backdated = next.effective_from < decided_on;
        Ok(next)
    }
}

/// The minutes per week a grant visits on `day`, from the version in force that day (the highest
/// version whose change applies on or before it): 0 outside its validity and while suspended.
/// `versions` are one grant's versions, in any order.
pub fn minutes_on(versions: &[Grant], day: NaiveDate) -> u32 {
    let Some(g) = versions.iter().filter(|g| g.effective_from <= day).max_by_key(|g| g.version) else {
        return 0;
    };
    let valid = g.start <= day && g.end.is_none_or(|end| day <= end);
    let suspended = g.suspensions.iter().any(|s| s.from <= day && s.resumed_on.is_none_or(|r| day < r));
    if valid && !suspended { g.terms.visited_minutes_per_week } else { 0 }
}

/// A registered provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provider {
    /// Opaque id.
    pub provider_id: String,
    /// CVR number.
    pub cvr: String,
    /// Name.
    pub name: String,
    /// 1 municipal, 2 private (proto numbers).
    pub kind: i32,
    /// Committee code.
    pub committee: String,
    /// Approved unit codes.
    pub approved_for: Vec<String>,
}

/// What the feed carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeedPayload {
    /// A grant version, with the citizen's CPR number (handed only to settlement).
    Grant(Box<Grant>, String),
    /// A provider approval.
    Provider(Provider),
}
