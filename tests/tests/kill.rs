//! Settlement killed (SIGKILL) in the middle of a month's run, then started again on the same
//! database: the month is run again and comes out exactly as a clean run would — every provider
//! once, every line once, to the øre — and issuing it posts exactly the statements.

use std::time::Duration;

use afregning_client::connect::Endpoints;
use afregning_kit::testing::{ServiceProcess, built_binary};
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pbs;
use afregning_proto::visitation::v1 as pbv;

const PROVIDERS: usize = 40;
const GRANTS_PER_PROVIDER: usize = 5;
/// A package of 1,850.00 a week for all 30 days of April: 30 × 1,850.00 / 7 = 7,928.57.
const PACKAGE_APRIL_ORE: i64 = 792_857;

#[tokio::test]
async fn settlement_killed_mid_run_then_run_again() {
    let visitation = ServiceProcess::spawn(&built_binary("visitation"), "visitation", &[]).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let settlement_env = vec![
        (
            "AFREGNING_SETTLEMENT_DATABASE_URL".to_owned(),
            format!("sqlite://{}", dir.path().join("settlement.db").display()),
        ),
        (
            "AFREGNING_SETTLEMENT_VISITATION_URL".to_owned(),
            format!("http://{}", visitation.addr),
        ),
    ];
    let settlement = ServiceProcess::spawn(&built_binary("settlement"), "settlement", &settlement_env)
        .await
        .unwrap();
    let urls = |settlement: &ServiceProcess| {
        let v = format!("http://{}", visitation.addr);
        [v.clone(), format!("http://{}", settlement.addr), v]
    };
    let mut c = Endpoints::new(&urls(&settlement)).unwrap().as_principal(None);

    for p in 0..PROVIDERS {
        let provider = c
            .visitation
            .register_provider(pbv::RegisterProviderRequest {
                request_id: format!("kill-provider-{p}"),
                cvr: "29189668".into(),
                name: format!("Hjemmepleje {p}"),
                kind: pbc::ProviderKind::Private as i32,
                committee: "SOCIAL".into(),
                approved_for: vec!["personal_care_package".into()],
                provider_id: String::new(),
            })
            .await
            .unwrap()
            .into_inner();
        for g in 0..GRANTS_PER_PROVIDER {
            let i = p * GRANTS_PER_PROVIDER + g;
            let citizen = c
                .visitation
                .register_citizen(pbv::RegisterCitizenRequest {
                    request_id: format!("kill-citizen-{i}"),
                    cpr: format!("{:02}{:02}45{:04}", 1 + i % 28, 1 + i / 28 % 12, 2000 + i),
                })
                .await
                .unwrap()
                .into_inner();
            c.visitation
                .decide_grant(pbv::DecideGrantRequest {
                    request_id: format!("kill-grant-{i}"),
                    citizen_id: citizen.citizen_id,
                    terms: Some(pbv::GrantTerms {
                        unit_kind: pbc::UnitKind::Package as i32,
                        legal_basis: "SEL-83".into(),
                        intervention: "personlig-pleje".into(),
                        visited_minutes_per_week: 240,
                        package: "personal_care_package".into(),
                        providers: vec![pbc::ProviderShare {
                            provider_id: provider.provider_id.clone(),
                            share_percent: 100,
                            lead: true,
                        }],
                        ..Default::default()
                    }),
                    start: Some(pbc::Date {
                        year: 2026,
                        month: 3,
                        day: 1,
                    }),
                    end: None,
                    decided_on: None,
                })
                .await
                .unwrap();
        }
    }
    // Settlement has mirrored every provider and grant.
    let published = c
        .visitation
        .get_feed_positions(pbc::GetFeedPositionsRequest {})
        .await
        .unwrap()
        .into_inner()
        .published_sequence;
    for _ in 0..300 {
        let positions = c
            .settlement
            .get_feed_positions(pbc::GetFeedPositionsRequest {})
            .await
            .unwrap()
            .into_inner();
        if positions.followed.iter().any(|f| f.applied_sequence == published) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Run April and kill settlement once some, but not all, providers are settled.
    let april = Some(pbc::Period { year: 2026, month: 4 });
    let mut run = c
        .settlement
        .run_settlement(pbs::RunSettlementRequest {
            request_id: "kill-run-1".into(),
            period: april,
        })
        .await
        .unwrap()
        .into_inner();
    let mut done_at_kill = 0;
    let mut run_id = String::new();
    while let Some(progress) = run.message().await.unwrap() {
        run_id = progress.run_id.clone();
        if progress.providers_done >= 1 {
            done_at_kill = progress.providers_done;
            break;
        }
    }
    let pid = settlement.pid().unwrap();
    assert!(
        std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .unwrap()
            .success()
    );
    assert!(
        (1..u32::try_from(PROVIDERS).unwrap()).contains(&done_at_kill),
        "killed mid-run: {done_at_kill} of {PROVIDERS} providers done"
    );
    drop(run);
    drop(settlement);

    // Started again on the same database, the killed run reads as interrupted, and its retry
    // completes it: the month comes out whole.
    let settlement = ServiceProcess::spawn(&built_binary("settlement"), "settlement", &settlement_env)
        .await
        .unwrap();
    let mut c = Endpoints::new(&urls(&settlement)).unwrap().as_principal(None);
    let mut state = pbs::RunState::Unspecified as i32;
    for _ in 0..50 {
        let run = c
            .settlement
            .get_settlement_run(pbs::GetSettlementRunRequest { run_id: run_id.clone() })
            .await
            .unwrap()
            .into_inner();
        state = run.state;
        if state != pbs::RunState::Running as i32 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(state, pbs::RunState::Interrupted as i32, "the killed run after a restart");
    let mut rerun = c
        .settlement
        .run_settlement(pbs::RunSettlementRequest {
            request_id: "kill-run-1".into(),
            period: april,
        })
        .await
        .unwrap()
        .into_inner();
    let mut last = None;
    while let Some(progress) = rerun.message().await.unwrap() {
        last = Some(progress);
    }
    let last = last.unwrap();
    assert_eq!(last.run_id, run_id, "the retry completes the run its request id started");
    let expected_total = PACKAGE_APRIL_ORE * i64::try_from(PROVIDERS * GRANTS_PER_PROVIDER).unwrap();
    assert_eq!(
        (last.state, last.providers_done, last.lines_written, last.total_ore),
        (
            pbs::RunState::Completed as i32,
            u32::try_from(PROVIDERS).unwrap(),
            u64::try_from(PROVIDERS * GRANTS_PER_PROVIDER).unwrap(),
            expected_total
        )
    );
    let statements = c
        .settlement
        .list_statements(pbs::ListStatementsRequest {
            period: april,
            page: Some(pbc::PageRequest {
                page_size: 1_000,
                page_token: String::new(),
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .statements;
    assert_eq!(statements.len(), PROVIDERS, "one statement per provider");
    let each = PACKAGE_APRIL_ORE * i64::try_from(GRANTS_PER_PROVIDER).unwrap();
    assert!(
        statements
            .iter()
            .all(|s| s.total_ore == each && s.line_count == u32::try_from(GRANTS_PER_PROVIDER).unwrap()),
        "every provider once, every line once"
    );
    for st in &statements {
        c.settlement
            .issue_statement(pbs::IssueStatementRequest {
                request_id: format!("kill-issue-{}", st.statement_id),
                statement_id: st.statement_id.clone(),
            })
            .await
            .unwrap();
    }
    let mut postings = c
        .settlement
        .stream_postings(pbs::StreamPostingsRequest {
            after_sequence: 0,
            follow: false,
            max_events: 0,
        })
        .await
        .unwrap()
        .into_inner();
    let mut posted = 0;
    while let Some(p) = postings.message().await.unwrap() {
        posted += p.amount_ore;
    }
    assert_eq!(posted, expected_total, "postings = statements");

    assert_eq!(settlement.terminate().await.unwrap(), Some(0));
    assert_eq!(visitation.terminate().await.unwrap(), Some(0));
}
