//! The worked example of `docs/examples/april-2026.md`, priced with the library and checked to
//! the øre: every line, every provider's total, the postings per paying frame and the cross-frame
//! purchase.

use std::collections::BTreeMap;

use afregning_tariff::bands::local_to_utc;
use afregning_tariff::pricing::{frame_shares, largest_share, split_by_percent};
use afregning_tariff::{
    Catalog, CatalogSet, CoursePeriod, CourseType, EndReason, GrantTerms, Ore, Period, Suspension, Unit, Visit, price_grant,
};
use chrono::{Datelike, NaiveDate, Weekday};

const CATALOG: &str = include_str!("../../../deploy/catalog-2026.toml");

fn d(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).unwrap()
}

fn visit(month: u32, day: u32, hour: u32, minute: u32, minutes: u32) -> Visit {
    Visit {
        started_at: local_to_utc(d(month, day).and_hms_opt(hour, minute, 0).unwrap()).unwrap(),
        minutes,
    }
}

fn kr(text: &str) -> Ore {
    Ore::parse_kroner(text).unwrap()
}

/// How a grant's lines go to providers.
enum Settle {
    /// One provider gets everything.
    One(&'static str),
    /// Each provider gets its share; the first is the lead and absorbs the remainder.
    Each(Vec<(&'static str, u32)>),
}

struct Grant {
    name: &'static str,
    terms: GrantTerms,
    visits: Vec<Visit>,
    settle: Settle,
    paying_frame: &'static str,
    need_frame: &'static str,
}

fn course(catalog: &Catalog, course_type: CourseType, minutes: u32, start: NaiveDate) -> Unit {
    Unit::Course(CoursePeriod::start(course_type, minutes, start, catalog).unwrap())
}

fn terms(unit: Unit, minutes: u32, start: NaiveDate) -> GrantTerms {
    GrantTerms {
        unit,
        visited_minutes_per_week: minutes,
        start,
        end: None,
        end_reason: None,
        suspensions: vec![],
    }
}

fn april_grants(catalog: &Catalog) -> Vec<Grant> {
    let nord = "Hjemmeplejen Nord";
    let g1_visits = vec![
        visit(4, 1, 7, 30, 45),
        visit(4, 1, 14, 40, 40),
        visit(4, 3, 8, 0, 30),
        visit(4, 4, 22, 45, 30),
        visit(4, 7, 6, 50, 30),
    ];
    let g6_visits: Vec<Visit> = Period::new(2026, 4)
        .unwrap()
        .range()
        .iter_days()
        .filter(|day| !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && ![2, 3, 6].contains(&day.day()))
        .map(|day| visit(4, day.day(), 8, 0, 120))
        .collect();
    assert_eq!(g6_visits.len(), 19);
    let g7_visits = [8, 15, 22, 29].into_iter().map(|day| visit(4, day, 10, 0, 60)).collect();

    let mut g4 = terms(course(catalog, CourseType::Developing, 420, d(2, 2)), 420, d(2, 2));
    g4.end = Some(d(4, 9));
    g4.end_reason = Some(EndReason::GoalMet);
    let mut g5 = terms(course(catalog, CourseType::Maintaining, 1_000, d(4, 1)), 1_000, d(4, 1));
    g5.suspensions = vec![Suspension {
        from: d(4, 13),
        resumed_on: Some(d(4, 20)),
    }];

    vec![
        Grant {
            name: "G1",
            terms: terms(
                Unit::Service {
                    category: "personal_care".into(),
                },
                180,
                d(1, 1),
            ),
            visits: g1_visits,
            settle: Settle::One("Plejegruppen ApS"),
            paying_frame: "SOCIAL",
            need_frame: "SOCIAL",
        },
        Grant {
            name: "G2",
            terms: terms(
                Unit::Package {
                    code: "personal_care_package".into(),
                },
                240,
                d(4, 10),
            ),
            visits: vec![],
            settle: Settle::One(nord),
            paying_frame: "SOCIAL",
            need_frame: "SOCIAL",
        },
        Grant {
            name: "G3",
            terms: terms(course(catalog, CourseType::Developing, 640, d(3, 16)), 640, d(3, 16)),
            visits: vec![],
            settle: Settle::One(nord),
            paying_frame: "SOCIAL",
            need_frame: "SOCIAL",
        },
        Grant {
            name: "G4",
            terms: g4,
            visits: vec![],
            settle: Settle::One(nord),
            paying_frame: "SOCIAL",
            need_frame: "SOCIAL",
        },
        Grant {
            name: "G5",
            terms: g5,
            visits: vec![],
            settle: Settle::Each(vec![(nord, 70), ("Sygeplejen", 30)]),
            paying_frame: "SOCIAL",
            need_frame: "SOCIAL",
        },
        Grant {
            name: "G6",
            terms: terms(course(catalog, CourseType::Maintaining, 1_620, d(1, 5)), 1_620, d(1, 5)),
            visits: g6_visits,
            settle: Settle::One(nord),
            paying_frame: "SOCIAL",
            need_frame: "SOCIAL",
        },
        Grant {
            name: "G7",
            terms: terms(
                Unit::Service {
                    category: "training".into(),
                },
                60,
                d(4, 1),
            ),
            visits: g7_visits,
            settle: Settle::One("Træningsenheden"),
            paying_frame: "HEALTH",
            need_frame: "SOCIAL",
        },
    ]
}

/// A statement line as the example lists it.
#[derive(Debug, PartialEq, Eq)]
struct Line {
    grant: &'static str,
    provider: &'static str,
    what: String,
    quantity: u64,
    amount: Ore,
}

struct Month {
    lines: Vec<Line>,
    postings: BTreeMap<&'static str, Ore>,
    cross_frame: Vec<(&'static str, &'static str, &'static str, Ore)>,
}

fn settle_april() -> Month {
    let catalog = Catalog::from_toml_str(CATALOG).unwrap();
    let catalogs = CatalogSet::new(vec![catalog.clone()]).unwrap();
    let april = Period::new(2026, 4).unwrap().range();
    let mut month = Month {
        lines: vec![],
        postings: BTreeMap::new(),
        cross_frame: vec![],
    };
    for grant in april_grants(&catalog) {
        let priced = price_grant(&grant.terms, &grant.visits, april, &catalogs).unwrap();
        assert!(priced.excluded_visits.is_empty(), "{}", grant.name);
        for line in priced.lines {
            let what = match line.band {
                Some(band) => band.to_string(),
                None => format!("{}..{}", line.covers.first().day(), line.covers.last().day()),
            };
            let to_providers = match &grant.settle {
                Settle::One(provider) => vec![(*provider, line.amount)],
                Settle::Each(shares) => split_by_percent(line.amount, shares, 0).unwrap(),
            };
            for (provider, amount) in to_providers {
                let frames = frame_shares(&grant.terms.unit, grant.paying_frame, &catalog);
                for (frame, posted) in split_by_percent(amount, &frames, largest_share(&frames)).unwrap() {
                    let frame: &'static str = if frame == "SOCIAL" { "SOCIAL" } else { "HEALTH" };
                    let total = month.postings.entry(frame).or_default();
                    *total = total.checked_add(posted).unwrap();
                    // A cross-frame purchase is a grant paid by another frame than the one owning the
                    // need; a course's catalog split across frames is not one.
                    if grant.paying_frame != grant.need_frame {
                        month.cross_frame.push((grant.name, frame, grant.need_frame, posted));
                    }
                }
                month.lines.push(Line {
                    grant: grant.name,
                    provider,
                    what: what.clone(),
                    quantity: line.explanation.quantity,
                    amount,
                });
            }
        }
    }
    month
}

fn line(grant: &'static str, provider: &'static str, what: &str, quantity: u64, amount: &str) -> Line {
    Line {
        grant,
        provider,
        what: what.to_owned(),
        quantity,
        amount: kr(amount),
    }
}

#[test]
fn every_line_to_the_ore() {
    let nord = "Hjemmeplejen Nord";
    let expected = vec![
        line("G1", "Plejegruppen ApS", "day", 85, "672.92"),
        line("G1", "Plejegruppen ApS", "evening", 20, "186.67"),
        line("G1", "Plejegruppen ApS", "night", 25, "266.67"),
        line("G1", "Plejegruppen ApS", "weekend/holiday", 45, "420.00"),
        line("G2", nord, "10..30", 21, "5550.00"),
        line("G3", nord, "1..30", 30, "25285.71"),
        line("G4", nord, "1..26", 26, "12628.57"),
        line("G5", nord, "1..12", 12, "9000.00"),
        line("G5", "Sygeplejen", "1..12", 12, "3857.14"),
        line("G5", nord, "20..30", 11, "8250.00"),
        line("G5", "Sygeplejen", "20..30", 11, "3535.71"),
        line("G6", nord, "day", 2_280, "18810.00"),
        line("G7", "Træningsenheden", "day", 240, "2360.00"),
    ];
    assert_eq!(settle_april().lines, expected);
}

#[test]
fn statement_totals_add_up() {
    let month = settle_april();
    let mut totals: BTreeMap<&str, Ore> = BTreeMap::new();
    for line in &month.lines {
        let total = totals.entry(line.provider).or_default();
        *total = total.checked_add(line.amount).unwrap();
    }
    assert_eq!(totals["Plejegruppen ApS"], kr("1546.26"));
    assert_eq!(totals["Hjemmeplejen Nord"], kr("79524.28"));
    assert_eq!(totals["Sygeplejen"], kr("7392.85"));
    assert_eq!(totals["Træningsenheden"], kr("2360.00"));
    assert_eq!(Ore::sum(totals.values().copied()).unwrap(), kr("90823.39"));
}

#[test]
fn postings_by_paying_frame_and_the_cross_frame_purchase() {
    let month = settle_april();
    assert_eq!(month.postings["SOCIAL"], kr("83534.82"));
    assert_eq!(month.postings["HEALTH"], kr("7288.57"));
    assert_eq!(
        Ore::sum(month.postings.values().copied()).unwrap(),
        kr("90823.39"),
        "postings equal statements"
    );
    assert_eq!(month.cross_frame, vec![("G7", "HEALTH", "SOCIAL", kr("2360.00"))]);
}

#[test]
fn derived_course_terms() {
    let catalog = Catalog::from_toml_str(CATALOG).unwrap();
    let g3 = CoursePeriod::start(CourseType::Developing, 640, d(3, 16), &catalog).unwrap();
    assert_eq!(
        (g3.describe(), g3.period.last(), g3.follow_up_on),
        ("DEVELOPING level 3".to_owned(), d(6, 7), d(6, 7))
    );
    let g4 = CoursePeriod::start(CourseType::Developing, 420, d(2, 2), &catalog).unwrap();
    assert_eq!((g4.describe(), g4.period.last()), ("DEVELOPING level 2".to_owned(), d(4, 26)));
    let g6 = CoursePeriod::start(CourseType::Maintaining, 1_620, d(1, 5), &catalog).unwrap();
    assert_eq!(
        g6.course_type,
        CourseType::Individual,
        "1,620 min/week is above the 1,500 threshold"
    );
    assert_eq!(g6.level, None);
}
