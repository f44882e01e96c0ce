//! A generated municipality goes through the real APIs as it is: every grant decided, every
//! visit accepted, the month settles with a line for every grant, and its review list holds
//! every deviation beyond the threshold.

use std::path::PathBuf;

use afregning::generate::{Kind, load, municipality};
use afregning_client::connect::Endpoints;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pbs;
use afregning_suite::{Suite, SuiteConfig};

#[tokio::test]
async fn a_generated_municipality_loads_and_settles() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/catalog-2026.toml"));
    let suite = Suite::start(SuiteConfig::embedded(dir.path(), &catalog)).await.unwrap();
    let mut c = Endpoints::new(&suite.urls()).unwrap().as_principal(None);

    let m = municipality(150, 42);
    let kinds: std::collections::BTreeSet<Kind> = m.citizens.iter().map(|c| c.kind).collect();
    assert_eq!(kinds.len(), 7, "every kind of grant: {kinds:?}");
    let loaded = load(
        &mut c,
        &m,
        pbc::Date {
            year: 2026,
            month: 3,
            day: 1,
        },
    )
    .await
    .unwrap();
    assert_eq!(loaded.grant_ids.len(), 150);

    c.wait_until_caught_up().await.unwrap();
    let visits = m.deliveries(2026, 4, &loaded.grant_ids, &loaded.provider_ids);
    let count = visits.len();
    let mut delivered: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for v in &visits {
        *delivered.entry(v.grant_id.clone()).or_default() += u64::from(v.minutes);
    }
    let reported = c
        .settlement
        .report_deliveries(tokio_stream::iter(vec![pbs::ReportDeliveriesRequest {
            request_id: "generated-april".into(),
            deliveries: visits,
        }]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (reported.accepted as usize, reported.errors.len()),
        (count, 0),
        "{:?}",
        reported.errors.first()
    );

    let mut run = c
        .settlement
        .run_settlement(pbs::RunSettlementRequest {
            request_id: "generated-run".into(),
            period: Some(pbc::Period { year: 2026, month: 4 }),
        })
        .await
        .unwrap()
        .into_inner();
    let mut last = None;
    while let Some(p) = run.message().await.unwrap() {
        last = Some(p);
    }
    let last = last.unwrap();
    assert_eq!(last.state, pbs::RunState::Completed as i32);
    assert_eq!(last.providers_total as usize, m.providers.len());
    assert!(last.lines_written >= 150, "at least a line per grant: {}", last.lines_written);
    assert!(last.total_ore > 0);

    // The month issued, its review list holds every grant paid by activity whose delivered time
    // deviates from its visited time by more than 20 %, worked out here from the generated
    // month itself: April's 30 days at the weekly visited minutes, rounded down.
    let april = Some(pbc::Period { year: 2026, month: 4 });
    afregning::statements::issue_month(&mut c.settlement, (2026, 4), "generated-issue")
        .await
        .unwrap();
    let list = c
        .settlement
        .build_review_list(pbs::BuildReviewListRequest {
            request_id: "generated-review".into(),
            period: april,
            threshold_percent: Some(20),
            sample_size: Some(10),
            highest_count: Some(5),
            seed: Some(7),
        })
        .await
        .unwrap()
        .into_inner();
    let mut expected = std::collections::BTreeMap::new();
    for (i, citizen) in m.citizens.iter().enumerate().filter(|(_, c)| c.kind.by_activity()) {
        let visited = u64::from(citizen.minutes_per_week) * 30 / 7;
        let done = delivered.get(&loaded.grant_ids[i]).copied().unwrap_or(0);
        if done.abs_diff(visited) * 100 > 20 * visited {
            expected.insert(loaded.grant_ids[i].clone(), (visited, done));
        }
    }
    let deviating = |r: &i32| *r == pbs::ReviewReason::OverDelivered as i32 || *r == pbs::ReviewReason::UnderDelivered as i32;
    let listed: std::collections::BTreeMap<String, (u64, u64)> = list
        .items
        .iter()
        .filter(|i| i.reasons.iter().any(deviating))
        .map(|i| (i.grant_id.clone(), (i.visited_minutes, i.delivered_minutes)))
        .collect();
    assert!(!expected.is_empty(), "the generated month has deviations");
    assert_eq!(listed, expected, "every deviation beyond 20 %, and only those");
    let count = |reason: pbs::ReviewReason| list.items.iter().filter(|i| i.reasons.contains(&(reason as i32))).count();
    assert_eq!((count(pbs::ReviewReason::HighestAmount), count(pbs::ReviewReason::Sample)), (5, 10));
    let lowest_highest = list
        .items
        .iter()
        .filter(|i| i.reasons.contains(&(pbs::ReviewReason::HighestAmount as i32)))
        .map(|i| i.amount_ore)
        .min()
        .unwrap();
    assert!(
        list.items
            .iter()
            .filter(|i| !i.reasons.contains(&(pbs::ReviewReason::HighestAmount as i32)))
            .all(|i| i.amount_ore <= lowest_highest),
        "the highest amounts are the highest listed"
    );
    suite.stop().await.unwrap();
}
