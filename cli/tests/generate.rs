//! A generated municipality goes through the real APIs as it is: every grant decided, every
//! visit accepted, and the month settles with a line for every grant.

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
    suite.stop().await.unwrap();
}
