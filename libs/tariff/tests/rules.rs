//! Table tests for each rule of docs/design.md, "The tariff catalog" and "Pricing", amounts to the øre.

use afregning_tariff::bands::local_to_utc;
use afregning_tariff::catalog::ActivityBasis;
use afregning_tariff::pricing::{Rule, frame_shares, largest_share, split_by_percent};
use afregning_tariff::{
    Catalog, CatalogError, CatalogSet, CoursePeriod, CourseType, DateRange, EndReason, GrantTerms, HoursBand, Level, Ore, Period,
    Suspension, Unit, Visit, price_grant,
};
use chrono::{Datelike, NaiveDate};
use rust_decimal_macros::dec;

const CATALOG: &str = include_str!("../../../deploy/catalog-2026.toml");

fn catalog() -> Catalog {
    Catalog::from_toml_str(CATALOG).unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn month(y: i32, m: u32) -> DateRange {
    Period::new(y, m).unwrap().range()
}

fn open(unit: Unit, minutes: u32, start: NaiveDate) -> GrantTerms {
    GrantTerms {
        unit,
        visited_minutes_per_week: minutes,
        start,
        end: None,
        end_reason: None,
        suspensions: vec![],
    }
}

fn amounts(terms: &GrantTerms, visits: &[Visit], period: DateRange, catalogs: &CatalogSet) -> Vec<i64> {
    price_grant(terms, visits, period, catalogs)
        .unwrap()
        .lines
        .iter()
        .map(|l| l.amount.get())
        .collect()
}

#[test]
fn levels_at_their_exact_boundaries() {
    let cases = [
        (0, 1),
        (299, 1),
        (300, 2),
        (599, 2),
        (600, 3),
        (899, 3),
        (900, 4),
        (1_199, 4),
        (1_200, 5),
        (1_500, 5),
        (10_080, 5),
    ];
    for (minutes, level) in cases {
        assert_eq!(Level::from_minutes_per_week(minutes).get(), level, "{minutes} min/week");
    }
    assert_eq!(HoursBand::from_minutes_per_week(299), HoursBand::Under5);
    assert_eq!(HoursBand::from_minutes_per_week(300), HoursBand::From5To25);
    assert_eq!(HoursBand::from_minutes_per_week(1_500), HoursBand::From5To25);
    assert_eq!(HoursBand::from_minutes_per_week(1_501), HoursBand::Over25);
}

#[test]
fn individual_strictly_above_the_threshold() {
    let c = catalog();
    let at = CoursePeriod::start(CourseType::Developing, 1_500, d(2026, 5, 4), &c).unwrap();
    assert_eq!((at.course_type, at.level.map(Level::get)), (CourseType::Developing, Some(5)));
    let above = CoursePeriod::start(CourseType::Developing, 1_501, d(2026, 5, 4), &c).unwrap();
    assert_eq!((above.course_type, above.level), (CourseType::Individual, None));
    assert_eq!(above.period.last(), d(2026, 11, 3), "INDIVIDUAL period: six months");
    assert!(CoursePeriod::start(CourseType::Developing, 10_081, d(2026, 5, 4), &c).is_err());
}

#[test]
fn course_periods_and_follow_up() {
    let c = catalog();
    let dev = CoursePeriod::start(CourseType::Developing, 100, d(2026, 1, 1), &c).unwrap();
    assert_eq!((dev.period.days(), dev.follow_up_on), (84, d(2026, 3, 25)));
    let main = CoursePeriod::start(CourseType::Maintaining, 100, d(2026, 1, 1), &c).unwrap();
    assert_eq!((main.period.days(), main.follow_up_on), (182, d(2026, 7, 1)));
    // A revisit starts a new period with the level of the new minutes.
    let revisit = dev.revisit(950, None, d(2026, 3, 26), &c).unwrap();
    assert_eq!(
        (revisit.describe(), revisit.period.first()),
        ("DEVELOPING level 4".to_owned(), d(2026, 3, 26))
    );
    assert!(dev.revisit(950, None, d(2025, 12, 31), &c).is_err());
}

#[test]
fn progression_level_is_fixed_for_the_whole_period() {
    // The level is a property of the course period; a citizen who worsens (more visited minutes
    // recorded on the grant) is still paid at the starting level until a revisit.
    let c = catalog();
    let catalogs = CatalogSet::new(vec![c.clone()]).unwrap();
    let course = CoursePeriod::start(CourseType::Developing, 640, d(2026, 3, 16), &c).unwrap();
    let mut terms = open(Unit::Course(course), 640, d(2026, 3, 16));
    let before = amounts(&terms, &[], month(2026, 4), &catalogs);
    terms.visited_minutes_per_week = 1_400;
    assert_eq!(amounts(&terms, &[], month(2026, 4), &catalogs), before);
    assert_eq!(before, vec![2_528_571]);
}

#[test]
fn package_pro_rata_by_calendar_day_including_leap_february() {
    let mut c = catalog();
    let package = Unit::Package {
        code: "personal_care_package".into(),
    };
    let catalogs = CatalogSet::new(vec![c.clone()]).unwrap();
    // 1,850.00 × 28 / 7 = 7,400.00 in February 2026.
    assert_eq!(
        amounts(&open(package.clone(), 0, d(2026, 1, 1)), &[], month(2026, 2), &catalogs),
        vec![740_000]
    );
    // A grant of one day: 1,850.00 / 7 = 264.2857… → 264.29
    let mut one_day = open(package.clone(), 0, d(2026, 2, 10));
    one_day.end = Some(d(2026, 2, 10));
    assert_eq!(amounts(&one_day, &[], month(2026, 2), &catalogs), vec![26_429]);
    // A leap year catalog: February 2028 has 29 days → 1,850.00 × 29 / 7 = 7,664.2857… → 7,664.29
    c.version = "2028.1".into();
    c.year = 2028;
    c.effective = DateRange::new(d(2028, 1, 1), d(2028, 12, 31)).unwrap();
    let catalogs = CatalogSet::new(vec![c]).unwrap();
    assert_eq!(
        amounts(&open(package, 0, d(2028, 1, 1)), &[], month(2028, 2), &catalogs),
        vec![766_429]
    );
}

#[test]
fn a_course_over_new_year_is_paid_each_year_price() {
    let c2026 = catalog();
    let c2027 = c2026.roll_forward(dec!(1.032), "2027.1").unwrap();
    assert_eq!(
        c2027.course(CourseType::Developing).unwrap().weekly_prices[2],
        Ore::new(608_880),
        "5,900.00 × 1.032"
    );
    let catalogs = CatalogSet::new(vec![c2026.clone(), c2027]).unwrap();
    let course = CoursePeriod::start(CourseType::Developing, 640, d(2026, 12, 14), &c2026).unwrap();
    let terms = open(Unit::Course(course), 640, d(2026, 12, 14));
    let period = DateRange::new(d(2026, 12, 1), d(2027, 1, 31)).unwrap();
    let priced = price_grant(&terms, &[], period, &catalogs).unwrap();
    let lines: Vec<(u64, i64, &str)> = priced
        .lines
        .iter()
        .map(|l| (l.explanation.quantity, l.amount.get(), l.explanation.catalog_version.as_str()))
        .collect();
    // 18 days × 5,900.00 / 7 = 15,171.43; 31 days × 6,088.80 / 7 = 26,964.69
    assert_eq!(lines, vec![(18, 1_517_143, "2026.1"), (31, 2_696_469, "2027.1")]);
}

#[test]
fn goal_met_developing_course_is_paid_to_period_end_other_ends_are_not() {
    let c = catalog();
    let catalogs = CatalogSet::new(vec![c.clone()]).unwrap();
    let course = CoursePeriod::start(CourseType::Developing, 420, d(2026, 2, 2), &c).unwrap();
    let mut terms = open(Unit::Course(course), 420, d(2026, 2, 2));
    terms.end = Some(d(2026, 4, 9));
    terms.end_reason = Some(EndReason::GoalMet);
    let goal_met = price_grant(&terms, &[], month(2026, 4), &catalogs).unwrap();
    assert_eq!(goal_met.lines[0].amount, Ore::new(1_262_857));
    assert_eq!(goal_met.lines[0].explanation.rule, Rule::CourseGoalMetToPeriodEnd);
    // Died: paid to the end date only, 9 days × 3,400.00 / 7 = 4,371.43
    terms.end_reason = Some(EndReason::Died);
    assert_eq!(amounts(&terms, &[], month(2026, 4), &catalogs), vec![437_143]);
    // A MAINTAINING course ended with its goal met is not extended.
    let course = CoursePeriod::start(CourseType::Maintaining, 420, d(2026, 2, 2), &c).unwrap();
    let mut maintaining = open(Unit::Course(course), 420, d(2026, 2, 2));
    maintaining.end = Some(d(2026, 4, 9));
    maintaining.end_reason = Some(EndReason::GoalMet);
    // 9 days × 3,050.00 / 7 = 3,921.43
    assert_eq!(amounts(&maintaining, &[], month(2026, 4), &catalogs), vec![392_143]);
    // With the catalog's incentive switched off, goal met is paid to the end date only.
    let mut off = c;
    off.goal_met_paid_to_period_end = false;
    terms.end_reason = Some(EndReason::GoalMet);
    assert_eq!(
        amounts(&terms, &[], month(2026, 4), &CatalogSet::new(vec![off]).unwrap()),
        vec![437_143]
    );
}

#[test]
fn suspensions_stop_day_pay_except_the_paid_days() {
    let mut c = catalog();
    let package = Unit::Package {
        code: "personal_care_package".into(),
    };
    let mut terms = open(package, 0, d(2026, 4, 1));
    terms.suspensions = vec![Suspension {
        from: d(2026, 4, 13),
        resumed_on: Some(d(2026, 4, 20)),
    }];
    let catalogs = CatalogSet::new(vec![c.clone()]).unwrap();
    // 12 days → 3,171.43 and 11 days → 2,907.14
    assert_eq!(amounts(&terms, &[], month(2026, 4), &catalogs), vec![317_143, 290_714]);
    // Two paid suspension days: 1–14 April in one run (14 days = 3,700.00), then 20–30.
    c.paid_suspension_days = 2;
    let catalogs = CatalogSet::new(vec![c]).unwrap();
    assert_eq!(amounts(&terms, &[], month(2026, 4), &catalogs), vec![370_000, 290_714]);
    // Still suspended at month end: the two paid days cover 29–30 April, so all 30 days are paid…
    terms.suspensions = vec![Suspension {
        from: d(2026, 4, 29),
        resumed_on: None,
    }];
    assert_eq!(amounts(&terms, &[], month(2026, 4), &catalogs), vec![792_857]);
    // …and without paid days, nothing after the admission: 28 days = 7,400.00.
    let catalogs = CatalogSet::new(vec![catalog()]).unwrap();
    assert_eq!(amounts(&terms, &[], month(2026, 4), &catalogs), vec![740_000]);
}

#[test]
fn visited_basis_pays_granted_minutes_pro_rata() {
    let mut c = catalog();
    c.activity_basis = ActivityBasis::Visited;
    let catalogs = CatalogSet::new(vec![c]).unwrap();
    let terms = open(
        Unit::Service {
            category: "practical_help".into(),
        },
        90,
        d(2026, 4, 10),
    );
    // 410.00 kr/h × 90 min/week × 21 days / (7 × 60) = 1,845.00
    let priced = price_grant(&terms, &[], month(2026, 4), &catalogs).unwrap();
    assert_eq!(priced.lines.iter().map(|l| l.amount.get()).collect::<Vec<_>>(), vec![184_500]);
    assert_eq!(priced.lines[0].explanation.rule, Rule::ActivityVisited);
}

#[test]
fn visits_outside_the_grant_or_period_are_not_paid() {
    let catalogs = CatalogSet::new(vec![catalog()]).unwrap();
    let mut terms = open(
        Unit::Service {
            category: "nursing".into(),
        },
        60,
        d(2026, 4, 10),
    );
    terms.end = Some(d(2026, 4, 20));
    let at = |day, hour| Visit {
        started_at: local_to_utc(d(2026, 4, day).and_hms_opt(hour, 0, 0).unwrap()).unwrap(),
        minutes: 30,
    };
    let march_visit = Visit {
        started_at: local_to_utc(d(2026, 3, 31).and_hms_opt(23, 50, 0).unwrap()).unwrap(),
        minutes: 30,
    };
    let visits = [at(9, 10), at(10, 10), at(20, 10), at(21, 10), march_visit];
    let priced = price_grant(&terms, &visits, month(2026, 4), &catalogs).unwrap();
    // Two visits of 30 min at 620.00 kr/h = 620.00; the March visit belongs to March.
    assert_eq!(priced.lines.iter().map(|l| l.amount.get()).collect::<Vec<_>>(), vec![62_000]);
    assert_eq!(priced.excluded_visits, vec![0, 3]);
}

#[test]
fn shares_add_up_to_the_line_with_the_absorber_taking_the_remainder() {
    let line = Ore::new(1_285_714);
    let providers = split_by_percent(line, &[("lead", 70), ("nursing", 30)], 0).unwrap();
    assert_eq!(providers, vec![("lead", Ore::new(900_000)), ("nursing", Ore::new(385_714))]);
    let thirds = split_by_percent(Ore::new(100), &[("a", 33), ("b", 33), ("c", 34)], 2).unwrap();
    assert_eq!(thirds, vec![("a", Ore::new(33)), ("b", Ore::new(33)), ("c", Ore::new(34))]);
    assert!(split_by_percent(line, &[("a", 60), ("b", 30)], 0).is_err());
    assert!(split_by_percent(line, &[("a", 100)], 1).is_err());
    let c = catalog();
    let course = Unit::Course(CoursePeriod::start(CourseType::Maintaining, 1_000, d(2026, 4, 1), &c).unwrap());
    let frames = frame_shares(&course, "SOCIAL", &c);
    assert_eq!(frames, vec![("HEALTH".to_owned(), 20), ("SOCIAL".to_owned(), 80)]);
    let posted = split_by_percent(Ore::new(385_714), &frames, largest_share(&frames)).unwrap();
    assert_eq!(
        posted,
        vec![("HEALTH".to_owned(), Ore::new(77_143)), ("SOCIAL".to_owned(), Ore::new(308_571))]
    );
}

#[test]
fn expected_weekly_cost() {
    let c = catalog();
    let service = Unit::Service {
        category: "personal_care".into(),
    };
    assert_eq!(
        service.expected_weekly_cost(180, &c).unwrap(),
        Ore::new(142_500),
        "180 min × 475.00 / 60"
    );
    let course = Unit::Course(CoursePeriod::start(CourseType::Developing, 640, d(2026, 3, 16), &c).unwrap());
    assert_eq!(course.expected_weekly_cost(640, &c).unwrap(), Ore::new(590_000));
    let individual = Unit::Course(CoursePeriod::start(CourseType::Maintaining, 1_620, d(2026, 3, 16), &c).unwrap());
    assert_eq!(
        individual.expected_weekly_cost(1_620, &c).unwrap(),
        Ore::new(1_336_500),
        "1,620 min × 495.00 / 60"
    );
}

fn refused(text: &str) -> CatalogError {
    Catalog::from_toml_str(text).unwrap_err()
}

fn invalid_key(text: &str) -> String {
    match refused(text) {
        CatalogError::Invalid { key, .. } => key,
        other => panic!("expected an invalid key, got {other}"),
    }
}

#[test]
fn catalog_errors_name_the_bad_key() {
    let float_price = CATALOG.replace(r#"weekly_price = "1850.00""#, "weekly_price = 1850.00");
    assert!(matches!(refused(&float_price), CatalogError::Syntax(m) if m.contains("weekly_price")));
    let unknown_key = CATALOG.replace("paid_suspension_days = 0", "paid_suspension_dayz = 0");
    assert!(matches!(refused(&unknown_key), CatalogError::Syntax(m) if m.contains("paid_suspension_dayz")));
    assert_eq!(
        invalid_key(&CATALOG.replace(r#""3400.00""#, r#""3400.005""#)),
        "courses.DEVELOPING.weekly_prices[1]"
    );
    assert_eq!(
        invalid_key(&CATALOG.replace("SOCIAL = 80, HEALTH = 20", "SOCIAL = 80, HEALTH = 30")),
        "courses.MAINTAINING.frames"
    );
    assert_eq!(
        invalid_key(&CATALOG.replace(r#""SUL-140" = "HEALTH""#, r#""SUL-140" = "HEALTHY""#)),
        "legal_bases.SUL-140"
    );
    assert_eq!(
        invalid_key(&CATALOG.replace(r#"evening = "560.00""#, "")),
        "categories.personal_care"
    );
    assert_eq!(
        invalid_key(&CATALOG.replace("effective_to = 2026-12-31", "effective_to = 2025-12-31")),
        "effective_to"
    );
    assert_eq!(
        invalid_key(&CATALOG.replace("length_weeks = 12", "length_weeks = 14")),
        "courses.DEVELOPING.length_weeks"
    );
    assert_eq!(
        invalid_key(&CATALOG.replace(r#"legal_bases = ["SUL-138"]"#, r#"legal_bases = ["SUL-999"]"#)),
        "interventions.sygepleje.legal_bases"
    );
    assert_eq!(
        invalid_key(&CATALOG.replace(r#"weekly_price = "1850.00""#, r#"weekly_price = "-1.00""#)),
        "packages.personal_care_package.weekly_price"
    );
}

#[test]
fn catalog_round_trips_through_toml_and_sets_refuse_overlap() {
    let c = catalog();
    assert_eq!(Catalog::from_toml_str(&c.to_toml_string()).unwrap(), c);
    assert!(matches!(
        CatalogSet::new(vec![c.clone(), c.clone()]),
        Err(CatalogError::Overlap(..))
    ));
    let next = c.roll_forward(dec!(1.025), "2027.1").unwrap();
    assert_eq!(next.effective, DateRange::new(d(2027, 1, 1), d(2027, 12, 31)).unwrap());
    let set = CatalogSet::new(vec![next, c]).unwrap();
    assert_eq!(set.in_force(d(2026, 12, 31)).unwrap().version, "2026.1");
    assert_eq!(set.in_force(d(2027, 1, 1)).unwrap().version, "2027.1");
    assert!(set.in_force(d(2025, 12, 31)).is_none());
}

#[test]
fn no_catalog_in_force_is_an_error_not_a_zero() {
    let catalogs = CatalogSet::new(vec![catalog()]).unwrap();
    let package = open(
        Unit::Package {
            code: "personal_care_package".into(),
        },
        0,
        d(2025, 12, 1),
    );
    assert!(price_grant(&package, &[], month(2025, 12), &catalogs).is_err());
}

#[test]
fn a_line_runs_across_versions_until_the_price_or_unit_changes() {
    use afregning_tariff::pricing::price_days_by;
    let c = catalog();
    let catalogs = CatalogSet::new(vec![c.clone()]).unwrap();
    // G4 as versions: v1 from 2 February, open; v2 from 9 April, ended that day with its goal met.
    let course = CoursePeriod::start(CourseType::Developing, 420, d(2026, 2, 2), &c).unwrap();
    let v1 = open(Unit::Course(course.clone()), 420, d(2026, 2, 2));
    let mut v2 = v1.clone();
    v2.end = Some(d(2026, 4, 9));
    v2.end_reason = Some(EndReason::GoalMet);
    let on = |day: NaiveDate| Some((if day < d(2026, 4, 9) { &v1 } else { &v2 }, "nord"));
    let lines = price_days_by(month(2026, 4), &catalogs, on).unwrap();
    let seen: Vec<(u64, i64, Rule)> = lines
        .iter()
        .map(|(l, _)| (l.explanation.quantity, l.amount.get(), l.explanation.rule))
        .collect();
    assert_eq!(
        seen,
        vec![(26, 1_262_857, Rule::CourseGoalMetToPeriodEnd)],
        "one line, as in the worked example"
    );

    // A revisit from 20 April at the same level still starts a new line (a new course period),
    // and a change of who is paid (the key) does too.
    let revisited = open(
        Unit::Course(course.revisit(420, None, d(2026, 4, 20), &c).unwrap()),
        420,
        d(2026, 2, 2),
    );
    let on = |day: NaiveDate| {
        Some((
            if day < d(2026, 4, 20) { &v1 } else { &revisited },
            if day < d(2026, 4, 25) { "nord" } else { "syd" },
        ))
    };
    let lines = price_days_by(month(2026, 4), &catalogs, on).unwrap();
    let seen: Vec<(u32, u64, &str)> = lines
        .iter()
        .map(|(l, k)| (l.covers.first().day(), l.explanation.quantity, *k))
        .collect();
    assert_eq!(seen, vec![(1, 19, "nord"), (20, 5, "nord"), (25, 6, "syd")]);
}

#[test]
fn progress_compares_the_areas_scored_in_both_assessments() {
    use afregning_tariff::Progress;
    let s = |pairs: &[(&str, u32)]| pairs.iter().map(|(a, n)| ((*a).to_owned(), *n)).collect::<Vec<_>>();
    let before = s(&[("mobility", 3), ("personal_care", 2), ("practical_tasks", 9)]);
    assert_eq!(
        Progress::between(&before, &s(&[("mobility", 2), ("personal_care", 2)])),
        Some(Progress::Improved)
    );
    assert_eq!(
        Progress::between(&before, &s(&[("mobility", 2), ("personal_care", 3)])),
        Some(Progress::Held)
    );
    assert_eq!(Progress::between(&before, &s(&[("mobility", 4)])), Some(Progress::Worsened));
    // 9 is "not relevant", an area only assessed once does not count, and nothing in common compares nothing.
    assert_eq!(
        Progress::between(&before, &s(&[("practical_tasks", 0), ("mobility", 3)])),
        Some(Progress::Held)
    );
    assert_eq!(Progress::between(&before, &s(&[("practical_tasks", 0)])), None);
    assert_eq!(Progress::between(&[], &before), None);
}

/// A correction is a new version of the year from a day within it: it prices from that day, the
/// version it corrects before it; two versions may not take effect on the same day.
#[test]
fn a_correction_prices_from_its_effective_day_and_the_old_version_before() {
    let first = catalog();
    let correction = Catalog::from_toml_str(
        &CATALOG
            .replace(r#"version = "2026.1""#, r#"version = "2026.2""#)
            .replace("effective_from = 2026-01-01", "effective_from = 2026-06-15"),
    )
    .unwrap();
    let set = CatalogSet::new(vec![first.clone()]).unwrap().with(correction.clone()).unwrap();
    assert_eq!(set.in_force(d(2026, 6, 14)).unwrap().version, "2026.1");
    assert_eq!(set.in_force(d(2026, 6, 15)).unwrap().version, "2026.2");
    assert_eq!(set.in_force(d(2026, 12, 31)).unwrap().version, "2026.2");
    assert_eq!(set.in_force_days("2026.1"), DateRange::new(d(2026, 1, 1), d(2026, 6, 14)));
    assert_eq!(set.in_force_days("2026.2"), DateRange::new(d(2026, 6, 15), d(2026, 12, 31)));
    let mut same_day = correction.clone();
    same_day.version = "2026.3".into();
    assert!(matches!(set.with(same_day), Err(CatalogError::Overlap(..))));
    let mut same_version = first.clone();
    same_version.effective = DateRange::new(d(2026, 9, 1), d(2026, 12, 31)).unwrap();
    assert!(matches!(set.with(same_version), Err(CatalogError::Overlap(..))));
    // Next year's catalog, derived from the correction, covers all of next year.
    let next = correction.roll_forward(dec!(1.025), "2027.1").unwrap();
    assert_eq!(next.effective, DateRange::new(d(2027, 1, 1), d(2027, 12, 31)).unwrap());
    assert_eq!(set.with(next).unwrap().in_force(d(2027, 1, 1)).unwrap().version, "2027.1");
}
