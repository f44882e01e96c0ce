//! Delivery control (docs/design.md §5b): the catalog's pay basis per unit, the cap on delivered
//! minutes, and the lines that show what the cap left unpaid — worked by hand, and as properties.

use afregning_tariff::bands::local_to_utc;
use afregning_tariff::catalog::{PayBasis, Tolerance};
use afregning_tariff::control::{cap_minutes, split_at_cap};
use afregning_tariff::pricing::Rule;
use afregning_tariff::{Catalog, CatalogError, CatalogSet, DateRange, GrantTerms, Period, Suspension, Unit, Visit, price_grant};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use proptest::prelude::*;

const CATALOG: &str = include_str!("../../../deploy/catalog-2026.toml");

/// The shipped catalog's own delivery control of personal care (10 %), taken out where a test
/// states its own.
const SHIPPED_CONTROL: &str = "# Delivery control: delivered minutes are paid up to the visited minutes plus 10 %.\nbasis = \"delivered_capped\"\ntolerance_percent = 10\n";

/// The shipped catalog without delivery control: every unit paid by delivered minutes.
fn uncontrolled() -> String {
    assert!(CATALOG.contains(SHIPPED_CONTROL), "the shipped catalog controls personal care");
    CATALOG.replace(SHIPPED_CONTROL, "")
}

/// The shipped catalog with personal care paid on the `delivered_capped` basis, plus `extra` keys.
fn capped(extra: &str) -> String {
    uncontrolled().replace(
        "[categories.personal_care]\n",
        &format!("[categories.personal_care]\nbasis = \"delivered_capped\"\n{extra}"),
    )
}

fn catalogs(text: &str) -> CatalogSet {
    CatalogSet::new(vec![Catalog::from_toml_str(text).unwrap()]).unwrap()
}

fn invalid_key(text: &str) -> String {
    match Catalog::from_toml_str(text).unwrap_err() {
        CatalogError::Invalid { key, .. } => key,
        other => panic!("expected an invalid key, got {other}"),
    }
}

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

/// A visit starting at `hour`:`minute` Danish time on `day`.
fn visit(day: NaiveDate, hour: u32, minute: u32, minutes: u32) -> Visit {
    Visit {
        started_at: local_to_utc(day.and_hms_opt(hour, minute, 0).unwrap()).unwrap(),
        minutes,
    }
}

fn personal_care(visited: u32, start: NaiveDate) -> GrantTerms {
    GrantTerms {
        unit: Unit::Service {
            category: "personal_care".into(),
        },
        visited_minutes_per_week: visited,
        start,
        end: None,
        end_reason: None,
        suspensions: vec![],
    }
}

#[test]
fn the_catalog_states_the_basis_per_unit_and_names_a_bad_key() {
    let c = Catalog::from_toml_str(&capped("")).unwrap();
    assert_eq!(c.pay_basis(Some("personal_care")), PayBasis::DeliveredCapped(Tolerance::DEFAULT));
    assert_eq!(
        c.pay_basis(Some("practical_help")),
        PayBasis::Delivered,
        "the catalog's activity_basis"
    );
    assert_eq!(c.pay_basis(None), PayBasis::Delivered);
    let both = Catalog::from_toml_str(&capped("tolerance_percent = 5\ntolerance_minutes_per_week = 30\n")).unwrap();
    assert_eq!(
        both.pay_basis(Some("personal_care")),
        PayBasis::DeliveredCapped(Tolerance {
            percent: 5,
            minutes_per_week: 30
        })
    );
    // The keys survive the catalog's own TOML, so a copy beside a statement reads the same.
    assert_eq!(Catalog::from_toml_str(&both.to_toml_string()).unwrap(), both);
    let individual = uncontrolled().replace("follow_up_months = 6\n", "follow_up_months = 6\nbasis = \"visited\"\n");
    assert_eq!(Catalog::from_toml_str(&individual).unwrap().pay_basis(None), PayBasis::Visited);

    let wrong = uncontrolled().replace("[categories.personal_care]\n", "[categories.personal_care]\nbasis = \"capped\"\n");
    assert_eq!(invalid_key(&wrong), "categories.personal_care.basis");
    assert_eq!(
        invalid_key(&capped("tolerance_percent = 101\n")),
        "categories.personal_care.tolerance_percent"
    );
    assert_eq!(
        invalid_key(&capped("tolerance_minutes_per_week = 10081\n")),
        "categories.personal_care.tolerance_minutes_per_week"
    );
    let stray = uncontrolled().replace("rate = \"410.00\"\n", "rate = \"410.00\"\ntolerance_percent = 10\n");
    assert_eq!(invalid_key(&stray), "categories.practical_help.tolerance_percent");
    let stray = uncontrolled().replace(
        "follow_up_months = 6\n",
        "follow_up_months = 6\nbasis = \"delivered\"\ntolerance_minutes_per_week = 5\n",
    );
    assert_eq!(invalid_key(&stray), "individual.tolerance_minutes_per_week");
}

#[test]
fn a_week_of_1200_minutes_on_300_visited_pays_330_and_shows_870_unpaid() {
    let catalogs = catalogs(&capped(""));
    // A grant from Monday 13 April to Sunday 19 April 2026 (the week after Easter): 7 days.
    let mut terms = personal_care(300, d(4, 13));
    terms.end = Some(d(4, 19));
    // 1,200 minutes: 200 a day Monday–Friday 08:00 (weekday day), 100 Saturday and Sunday 08:00
    // (weekend). In start order the cap is reached on Tuesday.
    let mut visits: Vec<Visit> = (13..=17).map(|day| visit(d(4, day), 8, 0, 200)).collect();
    visits.extend((18..=19).map(|day| visit(d(4, day), 8, 0, 100)));
    let week = DateRange::new(d(4, 1), d(4, 30)).unwrap();
    let priced = price_grant(&terms, &visits, week, &catalogs).unwrap();
    let lines: Vec<(Rule, u64, i64)> = priced
        .lines
        .iter()
        .map(|l| (l.explanation.rule, l.explanation.quantity, l.amount.get()))
        .collect();
    // Cap: 300 min/week × 7 days / 7 × 1.10 = 330 minutes.
    // Paid: Monday's 200 + Tuesday's first 130 = 330 weekday-day minutes × 475.00 kr/h / 60
    //       = 2,612.50 kr.
    // Unpaid: Tuesday's last 70 + Wednesday–Friday 600 = 670 weekday-day minutes, and Saturday
    //         and Sunday 200 weekend minutes, at 0.00 kr.: 870 minutes in all.
    assert_eq!(
        lines,
        vec![
            (Rule::ActivityBanded, 330, 261_250),
            (Rule::ActivityCapped, 670, 0),
            (Rule::ActivityCapped, 200, 0),
        ]
    );
    assert!(priced.lines[1].explanation.text.contains("loft 330 min"));
    assert_eq!(priced.lines[1].explanation.rate.get(), 0);
}

#[test]
fn suspension_days_do_not_count_towards_the_cap() {
    let catalogs = catalogs(&capped(""));
    let mut terms = personal_care(700, d(4, 1));
    // Admitted 11 April, back 21 April: 10 days out of April's 30 are suspended.
    terms.suspensions = vec![Suspension {
        from: d(4, 11),
        resumed_on: Some(d(4, 21)),
    }];
    let visits: Vec<Visit> = (1..=30).map(|day| visit(d(4, day), 10, 0, 120)).collect();
    let priced = price_grant(&terms, &visits, Period::new(2026, 4).unwrap().range(), &catalogs).unwrap();
    let paid: u64 = priced
        .lines
        .iter()
        .filter(|l| l.explanation.rule == Rule::ActivityBanded)
        .map(|l| l.explanation.quantity)
        .sum();
    let unpaid: u64 = priced
        .lines
        .iter()
        .filter(|l| l.explanation.rule == Rule::ActivityCapped)
        .map(|l| l.explanation.quantity)
        .sum();
    // Cap: 700 × 20 days / 7 × 1.10 = 2,200 minutes; delivered 30 × 120 = 3,600.
    assert_eq!((paid, unpaid), (2_200, 1_400));
}

fn visits() -> impl Strategy<Value = Vec<Visit>> {
    let start = DateTime::parse_from_rfc3339("2026-04-01T00:00:00+02:00")
        .unwrap()
        .with_timezone(&Utc);
    prop::collection::vec((0_i64..29 * 24 * 60, 1_u32..=600), 0..40).prop_map(move |v| {
        v.into_iter()
            .map(|(offset, minutes)| Visit {
                started_at: start + Duration::minutes(offset),
                minutes,
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn the_split_pays_up_to_the_cap_in_start_order(visits in visits(), cap in 0_u64..20_000) {
        let split = split_at_cap(&visits, cap);
        let minutes = |v: &[Visit]| v.iter().map(|v| u64::from(v.minutes)).sum::<u64>();
        let delivered = minutes(&visits);
        prop_assert_eq!(minutes(&split.paid) + minutes(&split.unpaid), delivered);
        prop_assert!(minutes(&split.paid) <= cap);
        prop_assert_eq!(minutes(&split.paid), delivered.min(cap));
        // Visits are paid in the order they started: no unpaid minute started before a paid visit.
        prop_assert!(split.paid.iter().all(|p| split.unpaid.iter().all(|u| p.started_at <= u.started_at)));
    }

    #[test]
    fn capped_lines_account_for_every_delivered_minute(visits in visits(), visited in 0_u32..2_000, percent in 0_u32..=100) {
        let catalogs = catalogs(&capped(&format!("tolerance_percent = {percent}\n")));
        let terms = personal_care(visited, d(4, 1));
        let april = Period::new(2026, 4).unwrap().range();
        let priced = price_grant(&terms, &visits, april, &catalogs).unwrap();
        let sum = |rule: Rule| priced.lines.iter().filter(|l| l.explanation.rule == rule).map(|l| l.explanation.quantity).sum::<u64>();
        let delivered: u64 = visits.iter().map(|v| u64::from(v.minutes)).sum();
        let cap = cap_minutes(visited, 30, Tolerance { percent, minutes_per_week: 0 });
        prop_assert_eq!(sum(Rule::ActivityBanded) + sum(Rule::ActivityCapped), delivered);
        prop_assert_eq!(sum(Rule::ActivityBanded), delivered.min(cap));
        prop_assert!(priced.lines.iter().filter(|l| l.explanation.rule == Rule::ActivityCapped).all(|l| l.amount.get() == 0));
    }
}
