//! A quarter from the EHR's decisions to an executed reallocation, across the three services as
//! separate servers (each with its own database) talking over real gRPC, on SQLite and on
//! PostgreSQL: the story `afregning demo` tells, checked to the øre against figures worked out by
//! hand, then sent a second time to show that every write is safe to retry.
//!
//! By hand (catalog 2026; the April figures are `docs/examples/april-2026.md`):
//! * May — Plejegruppen: G1 4 × 60 min day = 1,900.00. Hjemmeplejen Nord: G2 reversed −5,550.00
//!   and rebooked 11 days × 1,850.00 / 7 = 2,907.14; G3 31 days × 5,900.00 / 7 = 26,128.57;
//!   G5 31 days × 7,500.00 / 7 = 33,214.29, of which Sygeplejen's 30 % is 9,964.29 and the lead's
//!   rest 23,250.00; G6 8 h × 495.00 = 3,960.00 — Nord 50,695.71. Træningsenheden: April's 240 min
//!   reversed −2,360.00, rebooked 270 min 2,655.00, May's 240 min 2,360.00 — 2,655.00.
//!   All 65,215.00.
//! * June — G1 1,900.00; Nord: G3 to its period end 7 days = 5,900.00, G5 70 % of 30 days
//!   (32,142.86) = 22,500.00, G6 3,960.00 — 32,360.00; Sygeplejen 9,642.86; training 2,360.00.
//!   All 46,262.86.
//! * HEALTH pays G5's 20 % and all training: May 4,650.00 + 1,992.86 + 2,655.00 = 9,297.86, June
//!   4,500.00 + 1,928.57 + 2,360.00 = 8,788.57; with April's 7,288.57 the quarter is 25,375.00.
//!   SOCIAL pays the rest of 202,301.25: 176,926.25.
//! * The training is bought by HEALTH for SOCIAL's need: 2,360.00 + 2,655.00 + 2,360.00 =
//!   7,375.00 moves from SOCIAL's frame to HEALTH's.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use afregning::print::Out;
use afregning::quarter::{self, Outcome};
use afregning_client::connect::Endpoints;
use afregning_kit::testing::Backend;
use afregning_proto::budget::v1 as pbb;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pbs;
use afregning_suite::{Suite, SuiteConfig};

fn catalog() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/catalog-2026.toml"))
}

fn by_name(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(n, a)| ((*n).to_owned(), *a)).collect()
}

fn assert_the_quarter(o: &Outcome) {
    assert_eq!(
        o.run_totals,
        BTreeMap::from([(4, 9_082_339), (5, 6_521_500), (6, 4_626_286)]),
        "each month's run total"
    );
    let expected = BTreeMap::from([
        (
            4,
            by_name(&[
                ("Hjemmeplejen Nord", 7_952_428),
                ("Plejegruppen ApS", 154_626),
                ("Sygeplejen", 739_285),
                ("Træningsenheden", 236_000),
            ]),
        ),
        (
            5,
            by_name(&[
                ("Hjemmeplejen Nord", 5_069_571),
                ("Plejegruppen ApS", 190_000),
                ("Sygeplejen", 996_429),
                ("Træningsenheden", 265_500),
            ]),
        ),
        (
            6,
            by_name(&[
                ("Hjemmeplejen Nord", 3_236_000),
                ("Plejegruppen ApS", 190_000),
                ("Sygeplejen", 964_286),
                ("Træningsenheden", 236_000),
            ]),
        ),
    ]);
    assert_eq!(o.statements, expected, "every provider's issued statement, month by month");
    let mut corrections: Vec<(String, i32, i64)> = o.corrections.iter().map(|(g, k, a)| (g.clone(), *k as i32, *a)).collect();
    corrections.sort();
    let (reversal, rebooking) = (pbs::LineKind::Reversal as i32, pbs::LineKind::Rebooking as i32);
    assert_eq!(
        corrections,
        vec![
            ("G2".to_owned(), reversal, -555_000),
            ("G2".to_owned(), rebooking, 290_714),
            ("G7".to_owned(), reversal, -236_000),
            ("G7".to_owned(), rebooking, 265_500),
        ],
        "May corrects April: G2 ended backdated, G7's visit lengthened"
    );
    let consumed: BTreeMap<&str, i64> = o.status.iter().map(|(f, s)| (f.as_str(), s.consumed_ore)).collect();
    assert_eq!(consumed, BTreeMap::from([("HEALTH", 2_537_500), ("SOCIAL", 17_692_625)]));
    let case = o.case.as_ref().expect("the quarter's case");
    assert_eq!(
        (case.from_frame.as_str(), case.to_frame.as_str(), case.amount_ore, case.state),
        ("SOCIAL", "HEALTH", 737_500, pbb::CaseState::Executed as i32)
    );
    assert_eq!(
        case.purchases.iter().map(|p| p.amount_ore).collect::<Vec<_>>(),
        vec![236_000, 265_500, 236_000]
    );
    assert_eq!(case.entries.iter().map(|e| e.amount_ore).sum::<i64>(), 0, "net zero");
    assert_eq!(case.entries.len(), 2);
    assert_eq!(
        o.adjusted,
        BTreeMap::from([
            ("HEALTH".to_owned(), (15_000_000, 15_737_500)),
            ("SOCIAL".to_owned(), (120_000_000, 119_262_500))
        ])
    );
    assert_eq!((o.issued_total_ore, o.posted_total_ore), (20_230_125, 20_230_125));
}

async fn the_quarter(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = SuiteConfig::embedded(dir.path(), &catalog()).with_tokens(&quarter::TOKENS, quarter::UPSTREAM);
    let _databases = common::databases(backend, &mut config).await;
    let suite = Suite::start(config).await.unwrap();
    let endpoints = Endpoints::new(&suite.urls()).unwrap();
    let outcome = quarter::run(&endpoints, Out::quiet()).await.unwrap();
    assert_the_quarter(&outcome);

    // Budget's ledger, read back per frame and month, against settlement's statements.
    let mut finance = endpoints.as_principal(Some(quarter::TOKENS[2].0));
    let mut export = finance
        .budget
        .export_postings(pbb::ExportPostingsRequest {
            year: 2026,
            frame: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let mut posted = BTreeMap::new();
    while let Some(t) = export.message().await.unwrap() {
        *posted.entry((t.frame, t.period.unwrap().month)).or_insert(0) += t.amount_ore;
    }
    let frame_month = |f: &str, m| (f.to_owned(), m);
    assert_eq!(
        posted,
        BTreeMap::from([
            (frame_month("HEALTH", 4), 728_857),
            (frame_month("HEALTH", 5), 929_786),
            (frame_month("HEALTH", 6), 878_857),
            (frame_month("SOCIAL", 4), 8_353_482),
            (frame_month("SOCIAL", 5), 5_591_714),
            (frame_month("SOCIAL", 6), 3_747_429),
        ])
    );
    let mut operator = endpoints.as_principal(Some(quarter::TOKENS[1].0));
    let mut issued = 0;
    for month in 4..=6 {
        let statements = operator
            .settlement
            .list_statements(pbs::ListStatementsRequest {
                period: Some(pbc::Period { year: 2026, month }),
                state: pbs::StatementState::Issued as i32,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .statements;
        issued += statements.iter().map(|s| s.total_ore).sum::<i64>();
    }
    assert_eq!(issued, posted.values().sum::<i64>(), "postings = statements");

    // The same quarter sent again — every write with its request id — changes nothing.
    let again = quarter::run(&endpoints, Out::quiet()).await.unwrap();
    assert_eq!(
        (&again.run_totals, &again.statements, &again.corrections.len()),
        (&outcome.run_totals, &outcome.statements, &4)
    );
    assert_eq!(again.case.as_ref().map(|c| c.amount_ore), Some(737_500));
    let after: Vec<i64> = again.adjusted.values().map(|(before, after)| after - before).collect();
    assert_eq!(after, vec![0, 0], "the executed case moved nothing a second time");
    assert_eq!((again.issued_total_ore, again.posted_total_ore), (20_230_125, 20_230_125));
    let [_, s, b] = operator.feed_positions().await.unwrap();
    assert_eq!(
        b.followed.iter().find(|f| f.feed == "settlement").unwrap().applied_sequence,
        s.published_sequence
    );
    suite.stop().await.unwrap();
}

#[tokio::test]
async fn a_quarter_end_to_end_on_sqlite() {
    the_quarter(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_quarter_end_to_end_on_postgres() {
    the_quarter(Backend::Postgres).await;
}
