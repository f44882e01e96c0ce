//! Properties that must hold for every input, not just the examples.

use afregning_tariff::bands::{band_at, split_visit, utc_to_local};
use afregning_tariff::pricing::split_by_percent;
use afregning_tariff::{
    Catalog, CatalogSet, CoursePeriod, CourseType, Cpr, Cvr, DateRange, EndReason, GrantTerms, Ore, Suspension, Unit, Visit, price_grant,
};
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

const CATALOG: &str = include_str!("../../../deploy/catalog-2026.toml");

fn catalogs() -> (Catalog, CatalogSet) {
    let c = Catalog::from_toml_str(CATALOG).unwrap();
    let next = c.roll_forward(rust_decimal::Decimal::new(1032, 3), "2027.1").unwrap();
    (c.clone(), CatalogSet::new(vec![c, next]).unwrap())
}

fn day(offset: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Days::new(offset)
}

/// A day-priced grant somewhere in 2026–2027.
fn day_grant() -> impl Strategy<Value = GrantTerms> {
    (
        0_u64..600,
        prop::option::of(0_u64..200),
        0_u32..=1_500,
        0_u8..3,
        prop::option::of((0_u64..200, prop::option::of(1_u64..60))),
        any::<bool>(),
    )
        .prop_map(|(start, length, minutes, kind, suspension, goal_met)| {
            let (c, _) = catalogs();
            let start_day = day(start);
            let unit = match kind {
                0 => Unit::Package {
                    code: "personal_care_package".into(),
                },
                1 => Unit::Course(CoursePeriod::start(CourseType::Developing, minutes, start_day, &c).unwrap()),
                _ => Unit::Course(CoursePeriod::start(CourseType::Maintaining, minutes, start_day, &c).unwrap()),
            };
            GrantTerms {
                unit,
                visited_minutes_per_week: minutes,
                start: start_day,
                end: length.map(|l| start_day + Days::new(l)),
                end_reason: length.map(|_| if goal_met { EndReason::GoalMet } else { EndReason::Other }),
                suspensions: suspension
                    .map(|(from, len)| {
                        let from = start_day + Days::new(from);
                        vec![Suspension {
                            from,
                            resumed_on: len.map(|l| from + Days::new(l)),
                        }]
                    })
                    .unwrap_or_default(),
            }
        })
}

fn total(lines: &[afregning_tariff::PricedLine]) -> i64 {
    lines.iter().map(|l| l.amount.get()).sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// A period split in two prices to the same total as the whole, within one øre per line.
    #[test]
    fn a_period_split_in_two_prices_to_the_whole(terms in day_grant(), first in 0_u64..600, len in 1_u64..120, cut in 0_u64..120) {
        let (_, set) = catalogs();
        let len = len.max(2);
        let cut = cut % (len - 1);
        let whole = DateRange::new(day(first), day(first + len - 1)).unwrap();
        let left = DateRange::new(day(first), day(first + cut)).unwrap();
        let right = DateRange::new(day(first + cut + 1), day(first + len - 1)).unwrap();
        let w = price_grant(&terms, &[], whole, &set).unwrap().lines;
        let l = price_grant(&terms, &[], left, &set).unwrap().lines;
        let r = price_grant(&terms, &[], right, &set).unwrap().lines;
        let lines = (w.len() + l.len() + r.len()) as i64;
        prop_assert!((total(&w) - total(&l) - total(&r)).abs() <= lines, "whole {} vs {} + {}", total(&w), total(&l), total(&r));
        let days: u64 = w.iter().map(|line| line.explanation.quantity).sum::<u64>();
        let split_days: u64 = l.iter().chain(&r).map(|line| line.explanation.quantity).sum::<u64>();
        prop_assert_eq!(days, split_days);
    }

    /// Amounts never go negative for valid input, and a day is never paid twice.
    #[test]
    fn amounts_are_never_negative(terms in day_grant(), first in 0_u64..660, len in 1_u64..62) {
        let (_, set) = catalogs();
        let period = DateRange::new(day(first), day(first + len - 1)).unwrap();
        let lines = price_grant(&terms, &[], period, &set).unwrap().lines;
        prop_assert!(lines.iter().all(|l| l.amount >= Ore::ZERO));
        let days: u64 = lines.iter().map(|l| l.explanation.quantity).sum();
        prop_assert!(days <= u64::from(period.days()));
        for pair in lines.windows(2) {
            prop_assert!(pair[0].covers.last() < pair[1].covers.first());
        }
    }

    /// Delivered visits: minutes are conserved across bands and every amount is non-negative.
    #[test]
    fn activity_minutes_are_conserved(visits in prop::collection::vec((0_i64..(365 * 24 * 60), 1_u32..=1_440), 0..40)) {
        let (_, set) = catalogs();
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let visits: Vec<Visit> = visits.into_iter().map(|(m, minutes)| Visit { started_at: start + chrono::Duration::minutes(m), minutes }).collect();
        let terms = GrantTerms { unit: Unit::Service { category: "personal_care".into() }, visited_minutes_per_week: 0, start: day(0), end: None, end_reason: None, suspensions: vec![] };
        let year = DateRange::new(day(0), NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()).unwrap();
        let lines = price_grant(&terms, &visits, year, &set).unwrap().lines;
        let in_year: u64 = visits.iter().filter(|v| year.contains(utc_to_local(v.started_at).date())).map(|v| u64::from(v.minutes)).sum();
        prop_assert_eq!(lines.iter().map(|l| l.explanation.quantity).sum::<u64>(), in_year);
        prop_assert!(lines.iter().all(|l| l.amount >= Ore::ZERO));
    }

    /// The boundary walk agrees with counting minute by minute.
    #[test]
    fn band_split_matches_minute_by_minute(offset in 0_i64..(2 * 365 * 24 * 60), minutes in 1_u32..=1_440) {
        let start: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::minutes(offset);
        let (c, _) = catalogs();
        let fast = split_visit(start, minutes, c.holidays);
        let mut slow = afregning_tariff::bands::BandMinutes::default();
        for m in 0..minutes {
            slow.add(band_at(utc_to_local(start + chrono::Duration::minutes(i64::from(m))), c.holidays), 1);
        }
        prop_assert_eq!(fast, slow);
    }

    /// Shares always add up to the amount exactly.
    #[test]
    fn shares_add_up(amount in -10_000_000_000_i64..10_000_000_000, a in 1_u32..98, b in 1_u32..98) {
        prop_assume!(a + b < 100);
        let parts = [("a", a), ("b", b), ("c", 100 - a - b)];
        for absorber in 0..3 {
            let split = split_by_percent(Ore::new(amount), &parts, absorber).unwrap();
            prop_assert_eq!(split.iter().map(|(_, o)| o.get()).sum::<i64>(), amount);
        }
    }

    /// Parsing never panics on any string.
    #[test]
    fn parsers_never_panic(text in ".{0,40}") {
        let _ = Cpr::parse(&text);
        let _ = Cvr::parse(&text);
        let _ = Ore::parse_kroner(&text);
        let _ = Catalog::from_toml_str(&text);
    }

    /// Digit strings: a CPR is accepted exactly when its date part is a real date.
    #[test]
    fn cpr_accepts_exactly_real_dates(digits in "[0-9]{10}") {
        let parsed = Cpr::parse(&digits);
        prop_assert_eq!(parsed.is_ok(), parsed.as_ref().ok().and_then(|c| c.birth_date()).is_some());
        if let Ok(cpr) = parsed {
            prop_assert_eq!(cpr.expose(), digits);
        }
    }
}
