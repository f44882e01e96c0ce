//! The steering-model comparison (docs/steering.md): the same grants and deliveries priced under
//! frame budgeting (rammestyring), activity budgeting (aktivitetsstyring) and course budgeting
//! (forløbsstyring), with the differences explained.
//!
//! The models recast a grant's terms and leave the pricing to [`crate::pricing`], so a model's
//! amount follows the same rounding, time bands, catalogs, suspensions and shares as a statement:
//!
//! * **Activity**: every grant is paid for the minutes delivered × the hourly rate of the time
//!   band. Services keep their category's rates; packages and courses, which have no category of
//!   their own, are paid at the catalog's individual rates (the activity rate courses already use
//!   above the individual threshold).
//! * **Course**: every grant is paid a weekly course tariff pro rata per day. Course grants are
//!   priced as granted. Services and packages become a MAINTAINING course from the grant's first
//!   day, at the level of the visited minutes of its first version: the progression rule, so a
//!   later change of visited time changes nothing. Above the individual threshold the course is
//!   INDIVIDUAL and paid by activity.
//! * **Frame**: each frame's budget for the period is split between the providers it pays, in a
//!   fixed proportion decided before the period (their visited minutes per week on its first
//!   day), whatever they then deliver. The parts add up to the budget exactly.

use chrono::NaiveDate;

use crate::calendar::DateRange;
use crate::catalog::CatalogSet;
use crate::course::{CoursePeriod, CourseType};
use crate::money::{Ore, basis_points, danish_hours as hours, danish_percent as percent, round_half_away};
use crate::pricing::{GrantTerms, PricingError, Unit, largest_share, split_exact};

/// `terms` as activity budgeting pays them: services unchanged, packages and courses by activity
/// at the individual rates.
pub fn as_activity(terms: &GrantTerms) -> GrantTerms {
    let unit = match &terms.unit {
        Unit::Service { .. } => terms.unit.clone(),
        Unit::Course(course) if course.course_type == CourseType::Individual => terms.unit.clone(),
        Unit::Course(course) => Unit::Course(CoursePeriod {
            course_type: CourseType::Individual,
            level: None,
            ..course.clone()
        }),
        Unit::Package { .. } => {
            let last = terms.end.unwrap_or(NaiveDate::MAX);
            Unit::Course(CoursePeriod {
                course_type: CourseType::Individual,
                level: None,
                period: DateRange::new(terms.start, last).unwrap_or(DateRange::day(terms.start)),
                follow_up_on: last,
                visited_minutes_per_week: terms.visited_minutes_per_week,
            })
        }
    };
    GrantTerms { unit, ..terms.clone() }
}

/// `terms` (one version of a grant whose first version is `first`) as course budgeting pays them:
/// courses unchanged; services and packages as a MAINTAINING course from the grant's first day at
/// the level of `first`'s visited minutes, started with the catalog in force that day (or, for a
/// grant older than every catalog, on `fallback`).
pub fn as_course(terms: &GrantTerms, first: &GrantTerms, fallback: NaiveDate, catalogs: &CatalogSet) -> Result<GrantTerms, PricingError> {
    if matches!(terms.unit, Unit::Course(_)) {
        return Ok(terms.clone());
    }
    let catalog = catalogs
        .in_force(first.start)
        .or_else(|| catalogs.in_force(fallback))
        .ok_or(PricingError::NoCatalog(first.start))?;
    let course = CoursePeriod::start(CourseType::Maintaining, first.visited_minutes_per_week, first.start, catalog).map_err(|_| {
        PricingError::NoCourseTariff {
            version: catalog.version.clone(),
            course_type: CourseType::Maintaining,
        }
    })?;
    Ok(GrantTerms {
        unit: Unit::Course(course),
        ..terms.clone()
    })
}

/// Splits `amount` in proportion to `weights`. Every part but the one with the largest weight
/// (the first of equal ones) is rounded on its own; that one gets the rest, so the parts add up
/// to `amount` exactly. With no weight at all nobody gets anything: `None`.
pub fn split_by_weight<K: Clone>(amount: Ore, weights: &[(K, u64)]) -> Result<Option<Vec<(K, Ore)>>, PricingError> {
    let total: u128 = weights.iter().map(|(_, w)| u128::from(*w)).sum();
    if total == 0 {
        return Ok(None);
    }
    let total = i128::try_from(total).map_err(|_| PricingError::Shares)?;
    split_exact(amount, weights, total, largest_share(weights)).map(Some)
}

/// Visited minutes over the days of `period` on which `visited_on` gives a weekly figure: the sum
/// of minutes per week × days / 7, rounded once.
pub fn visited_minutes(period: DateRange, visited_on: impl Fn(NaiveDate) -> Option<u32>) -> u64 {
    let per_week_days: u64 = period.iter_days().filter_map(&visited_on).map(u64::from).sum();
    u64::try_from(round_half_away(i128::from(per_week_days), 7).unwrap_or(0)).unwrap_or(0)
}

/// What one provider (or the total) gets under each model, and what drives it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    /// Frame budgeting; `None` when no frame budget was given for the frames that pay it.
    pub frame: Option<Ore>,
    /// Activity budgeting.
    pub activity: Ore,
    /// Course budgeting.
    pub course: Ore,
    /// As the catalog prices today (what the statements pay).
    pub current: Ore,
    /// Minutes delivered in the period.
    pub delivered_minutes: u64,
    /// Minutes visited (granted) over the period.
    pub visited_minutes: u64,
    /// Grants paid a weekly course tariff under course budgeting.
    pub course_grants: u64,
    /// Of those, grants whose visited time changed after their level was fixed.
    pub level_kept: u64,
    /// The provider's share of the frame budgets given, in basis points.
    pub frame_share_basis_points: i64,
}

impl Figures {
    /// Adds `other`'s amounts and drivers to these (for a total).
    pub fn add(&mut self, other: &Figures) -> Result<(), PricingError> {
        self.frame = match (self.frame, other.frame) {
            (Some(a), Some(b)) => Some(a.checked_add(b)?),
            (a, b) => a.or(b),
        };
        self.activity = self.activity.checked_add(other.activity)?;
        self.course = self.course.checked_add(other.course)?;
        self.current = self.current.checked_add(other.current)?;
        self.delivered_minutes += other.delivered_minutes;
        self.visited_minutes += other.visited_minutes;
        self.course_grants += other.course_grants;
        self.level_kept += other.level_kept;
        self.frame_share_basis_points += other.frame_share_basis_points;
        Ok(())
    }
}

/// How much more (or less) `a` pays than `b`, in Danish words.
fn difference(a: (&str, Ore), b: (&str, Ore)) -> String {
    let d = a.1.get().saturating_sub(b.1.get());
    match d.signum() {
        0 => format!("{} og {} betaler det samme", a.0, b.0),
        1 => format!("{} betaler {} kr. mere end {}", a.0, Ore::new(d).to_danish(), b.0),
        _ => format!(
            "{} betaler {} kr. mindre end {}",
            a.0,
            Ore::new(d.saturating_neg()).to_danish(),
            b.0
        ),
    }
}

/// The differences between the models in Danish words (as the statements' explanations), from
/// the figures that drive them.
pub fn explain(f: &Figures) -> Vec<String> {
    let delivered_share = basis_points(
        i64::try_from(f.delivered_minutes).unwrap_or(i64::MAX),
        i64::try_from(f.visited_minutes).unwrap_or(i64::MAX),
    );
    let mut out = vec![format!(
        "Aktivitetsstyring betaler for de {} leverede timer: {} af de {} visiterede timer.",
        hours(f.delivered_minutes),
        percent(delivered_share),
        hours(f.visited_minutes)
    )];
    let mut course = format!(
        "Forløbsstyring betaler en ugentlig forløbstakst for {} {} på det niveau, der blev fastlagt ved hvert forløbs start",
        f.course_grants,
        if f.course_grants == 1 { "bevilling" } else { "bevillinger" }
    );
    if f.level_kept > 0 {
        course.push_str(&format!(
            "; {} af dem blev senere revisiteret til en anden visiteret tid og beholdt {} niveau (progressionsreglen)",
            f.level_kept,
            if f.level_kept == 1 { "sit" } else { "deres" }
        ));
    }
    course.push('.');
    out.push(course);
    let mut contrast = difference(("Forløbsstyring", f.course), ("aktivitetsstyring", f.activity));
    if f.course != f.activity {
        contrast.push_str(if f.delivered_minutes < f.visited_minutes {
            ": taksten betaler for det visiterede niveau, også for tid, der er bevilget, men ikke leveret."
        } else {
            ": aktivitetsstyring betaler for hver leveret time, taksten kun for det visiterede niveau."
        });
    } else {
        contrast.push('.');
    }
    out.push(contrast);
    match f.frame {
        Some(frame) => {
            out.push(format!(
                "Rammestyring betaler en fast andel på {} af rammernes budgetter for perioden, fastlagt efter visiteret tid på periodens første dag, uanset hvad der leveres.",
                percent(f.frame_share_basis_points)
            ));
            let mut fixed = difference(("Rammestyring", frame), ("aktivitetsstyring", f.activity));
            fixed.push('.');
            out.push(fixed);
        }
        None => out.push("Rammestyring har intet tal: der er ikke givet et budget for de rammer, der betaler denne leverandør.".to_owned()),
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::{Datelike, NaiveDate};
    use proptest::prelude::*;

    use super::*;
    use crate::catalog::Catalog;
    use crate::pricing::{Visit, price_grant};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("a date")
    }

    fn catalogs() -> CatalogSet {
        let text = include_str!("../../../deploy/catalog-2026.toml");
        CatalogSet::new(vec![Catalog::from_toml_str(text).expect("the example catalog")]).expect("one catalog")
    }

    fn service(minutes: u32, start: NaiveDate) -> GrantTerms {
        GrantTerms {
            unit: Unit::Service {
                category: "personal_care".into(),
            },
            visited_minutes_per_week: minutes,
            start,
            end: None,
            end_reason: None,
            suspensions: Vec::new(),
        }
    }

    #[test]
    fn a_service_becomes_a_maintaining_course_at_the_level_of_its_first_version() {
        let catalogs = catalogs();
        let first = service(420, d(2026, 3, 1));
        let later = GrantTerms {
            visited_minutes_per_week: 1_000,
            ..first.clone()
        };
        let recast = as_course(&later, &first, d(2026, 4, 1), &catalogs).expect("a course");
        let Unit::Course(course) = &recast.unit else {
            panic!("not a course")
        };
        assert_eq!(course.course_type, CourseType::Maintaining);
        assert_eq!(
            course.level.map(|l| l.get()),
            Some(2),
            "420 min/week is level 2, fixed at the start"
        );
        // April 2026: 30 days of MAINTAINING level 2 at 3,050.00 kr/week = 13,071.43 kr.
        let april = DateRange::new(d(2026, 4, 1), d(2026, 4, 30)).expect("April");
        let priced = price_grant(&recast, &[], april, &catalogs).expect("priced");
        assert_eq!(priced.lines.iter().map(|l| l.amount.get()).sum::<i64>(), 1_307_143);
    }

    #[test]
    fn a_package_under_activity_is_paid_its_delivered_minutes_at_the_individual_rate() {
        let catalogs = catalogs();
        let package = GrantTerms {
            unit: Unit::Package {
                code: "personal_care_package".into(),
            },
            ..service(300, d(2026, 4, 1))
        };
        let recast = as_activity(&package);
        assert!(recast.unit.is_activity());
        // Tuesday 7 April 2026 09:00 Copenhagen (07:00 UTC): 90 day minutes at 495.00 kr/h.
        let visit = Visit {
            started_at: d(2026, 4, 7).and_hms_opt(7, 0, 0).expect("a time").and_utc(),
            minutes: 90,
        };
        let april = DateRange::new(d(2026, 4, 1), d(2026, 4, 30)).expect("April");
        let priced = price_grant(&recast, &[visit], april, &catalogs).expect("priced");
        assert_eq!(priced.lines.iter().map(|l| l.amount.get()).sum::<i64>(), 74_250);
    }

    #[test]
    fn a_frame_is_split_in_proportion_and_the_largest_absorbs_the_remainder() {
        let parts = split_by_weight(Ore::new(100_000), &[("a", 1), ("b", 1), ("c", 1)])
            .expect("split")
            .expect("someone");
        assert_eq!(
            parts,
            vec![("a", Ore::new(33_334)), ("b", Ore::new(33_333)), ("c", Ore::new(33_333))]
        );
        assert_eq!(split_by_weight(Ore::new(5), &[("a", 0)]).expect("split"), None);
    }

    #[test]
    fn visited_minutes_are_weekly_minutes_over_days_divided_by_seven_rounded_once() {
        let april = DateRange::new(d(2026, 4, 1), d(2026, 4, 30)).expect("April");
        // 30 days at 100 min/week = 428.57… → 429; the second half at 200: 15 × 100 + 15 × 200 = 4,500 / 7 → 643.
        assert_eq!(visited_minutes(april, |_| Some(100)), 429);
        assert_eq!(visited_minutes(april, |day| Some(if day.day0() < 15 { 100 } else { 200 })), 643);
    }

    #[test]
    fn the_explanation_names_the_drivers_in_danish_figures() {
        let figures = Figures {
            frame: Some(Ore::new(5_000_000)),
            activity: Ore::new(3_000_000),
            course: Ore::new(4_000_050),
            current: Ore::new(3_500_000),
            delivered_minutes: 3_630,
            visited_minutes: 4_840,
            course_grants: 3,
            level_kept: 1,
            frame_share_basis_points: 2_550,
        };
        let text = explain(&figures);
        assert_eq!(
            text[0],
            "Aktivitetsstyring betaler for de 60,50 leverede timer: 75,00 % af de 80,67 visiterede timer."
        );
        assert!(
            text[1].contains("1 af dem blev senere revisiteret til en anden visiteret tid og beholdt sit niveau"),
            "{}",
            text[1]
        );
        assert!(
            text[2]
                .starts_with("Forløbsstyring betaler 10.000,50 kr. mere end aktivitetsstyring: taksten betaler for det visiterede niveau"),
            "{}",
            text[2]
        );
        assert!(text[3].contains("fast andel på 25,50 %"), "{}", text[3]);
        assert_eq!(text[4], "Rammestyring betaler 20.000,00 kr. mere end aktivitetsstyring.");
    }

    proptest! {
        #[test]
        fn frame_parts_always_add_up_to_the_budget(amount in -10_000_000_000i64..10_000_000_000, weights in prop::collection::vec(0u64..100_000, 1..20)) {
            let keyed: Vec<(usize, u64)> = weights.iter().copied().enumerate().collect();
            match split_by_weight(Ore::new(amount), &keyed).expect("split") {
                None => prop_assert!(weights.iter().all(|w| *w == 0)),
                Some(parts) => {
                    prop_assert_eq!(parts.iter().map(|(_, o)| o.get()).sum::<i64>(), amount);
                    for ((_, part), weight) in parts.iter().zip(&weights) {
                        if *weight == 0 { prop_assert_eq!(part.get(), 0); }
                    }
                }
            }
        }
    }
}
