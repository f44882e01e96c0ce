//! Settlement runs as an operator sees them: an open month is refused, a run can be looked up,
//! a request id cannot be reused for another month, a run interrupted half-way and run again
//! gives the same drafts as one clean run, and a course settled with its lead shows each
//! participant's share.

mod common;

use std::sync::Arc;

use afregning_kit::testing::{Backend, TestDatabase};
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pb;
use afregning_proto::visitation::v1 as pbv;
use afregning_settlement::app::Runner;
use afregning_settlement::store::Store;
use afregning_tariff::Period;
use common::*;

async fn progress(client: &mut Settlement, id: &str, year: i32, month: i32) -> Result<Vec<pb::SettlementProgress>, tonic::Status> {
    let request = pb::RunSettlementRequest {
        request_id: id.into(),
        period: Some(pbc::Period { year, month }),
    };
    let mut stream = client.run_settlement(request).await?.into_inner();
    let mut out = Vec::new();
    while let Some(p) = stream.message().await? {
        out.push(p);
    }
    Ok(out)
}

async fn drafts(client: &mut Settlement, year: i32, month: i32) -> Vec<(pb::Statement, Vec<pb::StatementLine>)> {
    let request = pb::ListStatementsRequest {
        provider_id: String::new(),
        period: Some(pbc::Period { year, month }),
        state: 0,
        page: None,
    };
    let mut out = Vec::new();
    for mut statement in client.list_statements(request).await.unwrap().into_inner().statements {
        let mut stream = client
            .stream_statement_lines(pb::StreamStatementLinesRequest {
                statement_id: statement.statement_id.clone(),
            })
            .await
            .unwrap()
            .into_inner();
        let mut lines = Vec::new();
        while let Some(l) = stream.message().await.unwrap() {
            lines.push(l);
        }
        statement.computed_at = None;
        out.push((statement, lines));
    }
    out
}

/// A month with a lead-settled course shared 60/40 and a package, on a fresh suite.
async fn month(backend: Backend) -> (Suite, afregning_kit::testing::TestServer, Store, String) {
    let mut s = suite(backend).await;
    let (server, _follower, store) = settlement(&s).await;
    let register = pbv::RegisterProviderRequest {
        request_id: "prov-syd".into(),
        cvr: "29189668".into(),
        name: "Sygeplejen".into(),
        kind: pbc::ProviderKind::Municipal as i32,
        committee: "HEALTH".into(),
        approved_for: vec!["course:MAINTAINING".into()],
        provider_id: String::new(),
    };
    let syd = s.ehr.register_provider(register).await.unwrap().into_inner().provider_id;
    let a = citizen(&mut s.ehr, "0808501234").await;
    let course = pbv::GrantTerms {
        unit_kind: pbc::UnitKind::Course as i32,
        legal_basis: "SEL-83".into(),
        intervention: "personlig-pleje".into(),
        visited_minutes_per_week: 1_000,
        course_type: pbc::CourseType::Maintaining as i32,
        settle_mode: pbc::SettleMode::WithLead as i32,
        providers: vec![
            pbc::ProviderShare {
                provider_id: s.nord.clone(),
                share_percent: 60,
                lead: true,
            },
            pbc::ProviderShare {
                provider_id: syd.clone(),
                share_percent: 40,
                lead: false,
            },
        ],
        ..Default::default()
    };
    let decide = pbv::DecideGrantRequest {
        request_id: "course".into(),
        citizen_id: a,
        terms: Some(course),
        start: date(2026, 4, 1),
        end: None,
        decided_on: date(2026, 4, 1),
    };
    s.ehr.decide_grant(decide).await.unwrap();
    let b = citizen(&mut s.ehr, "0909501234").await;
    s.ehr
        .decide_grant(common::decide(&b, pbc::UnitKind::Package, &s.nord, date(2026, 4, 10), None))
        .await
        .unwrap();
    synced(&mut s.ehr, &store).await;
    (s, server, store, syd)
}

async fn operator_runs(backend: Backend) {
    let (_s, server, _store, syd) = month(backend).await;
    let mut operator = client(&server, OPERATOR).await;

    let open = progress(&mut operator, "run-open", 2099, 1).await.unwrap_err();
    assert_eq!(open.code(), tonic::Code::FailedPrecondition, "a month that has not ended");
    let bad = progress(&mut operator, "run-bad", 2026, 13).await.unwrap_err();
    assert_eq!(bad.code(), tonic::Code::InvalidArgument);

    let done = progress(&mut operator, "run-april", 2026, 4).await.unwrap();
    let last = done.last().unwrap().clone();
    // Course: 7,500.00 × 30 / 7 = 32,142.86 to the lead; package 21 days = 5,550.00.
    assert_eq!((last.state, last.total_ore), (pb::RunState::Completed as i32, 3_214_286 + 555_000));
    let run = operator
        .get_settlement_run(pb::GetSettlementRunRequest {
            run_id: last.run_id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (run.state, run.total_ore, run.statement_ids.len()),
        (pb::RunState::Completed as i32, last.total_ore, 1)
    );
    assert!(run.finished_at.is_some());

    // The same request id replays the final progress; for another month it is refused.
    let replay = progress(&mut operator, "run-april", 2026, 4).await.unwrap();
    assert_eq!(replay, vec![last.clone()]);
    let reused = progress(&mut operator, "run-april", 2026, 3).await.unwrap_err();
    assert_eq!(reused.code(), tonic::Code::AlreadyExists);

    // Settled with the lead: the whole tariff to the lead, the participants' shares shown.
    let statements = drafts(&mut operator, 2026, 4).await;
    assert_eq!(statements.len(), 1, "the participant has no statement of its own");
    let course_line = statements[0].1.iter().find(|l| l.unit.starts_with("course:MAINTAINING")).unwrap();
    assert_eq!(course_line.amount_ore, 3_214_286);
    let shares: Vec<(String, u32, i64)> = course_line
        .participant_shares
        .iter()
        .map(|p| (p.provider_id.clone(), p.share_percent, p.amount_ore))
        .collect();
    assert_eq!(
        shares,
        vec![(statements[0].0.provider_id.clone(), 60, 1_928_572), (syd, 40, 1_285_714)]
    );

    // Running the month again rewrites the same drafts.
    let before = drafts(&mut operator, 2026, 4).await;
    progress(&mut operator, "run-april-2", 2026, 4).await.unwrap();
    assert_eq!(drafts(&mut operator, 2026, 4).await, before);
    server.stop().await.unwrap();
}

async fn interrupted_run_then_run_again_equals_one_clean_run(backend: Backend) {
    let (_s, server, store, _syd) = month(backend).await;
    let mut operator = client(&server, OPERATOR).await;
    progress(&mut operator, "clean", 2026, 4).await.unwrap();
    let clean = drafts(&mut operator, 2026, 4).await;

    // A second settlement database over the same mirror: a run that stopped after its first
    // provider (each provider is its own transaction, so that is all a crash can leave)…
    let db = TestDatabase::new(backend).await;
    let database = db.connect(afregning_settlement::MIGRATIONS).await;
    let copy = Store::new(database.clone());
    copy_mirror(&store, &copy).await;
    let runner = Runner::new(copy.clone(), Arc::new(catalogs()));
    let april = Period::new(2026, 4).unwrap();
    let providers = copy.provider_ids().await.unwrap();
    runner.provider_month(&providers[0], april, chrono::Utc::now()).await.unwrap();
    // …then run again in full.
    let auth =
        afregning_kit::auth::Authenticator::from_tokens(&std::collections::BTreeMap::from([(OPERATOR.to_owned(), "operator".to_owned())]))
            .unwrap();
    let routes = afregning_settlement::service_routes(copy, catalogs(), &auth);
    let resumed = afregning_kit::testing::TestServer::start(afregning_kit::server::ServiceSpec {
        grpc_name: afregning_settlement::GRPC_NAME,
        routes,
        database,
    })
    .await;
    let mut again = client(&resumed, OPERATOR).await;
    progress(&mut again, "resume", 2026, 4).await.unwrap();
    assert_eq!(drafts(&mut again, 2026, 4).await, clean);
    resumed.stop().await.unwrap();
    server.stop().await.unwrap();
}

/// Copies the followed mirror (providers and grant versions) into another store, as its own
/// follower would.
async fn copy_mirror(from: &Store, to: &Store) {
    let providers = from.providers(0, 1_000).await.unwrap();
    let mut versions = Vec::new();
    for p in &providers {
        for grant in from.grants_of_provider(&p.provider_id).await.unwrap() {
            versions.extend(grant);
        }
    }
    to.import_mirror(&providers, &versions).await.unwrap();
}

#[tokio::test]
async fn operator_runs_sqlite() {
    operator_runs(Backend::Sqlite).await;
}

#[tokio::test]
async fn operator_runs_postgres() {
    operator_runs(Backend::Postgres).await;
}

#[tokio::test]
async fn interrupted_run_then_run_again_equals_one_clean_run_sqlite() {
    interrupted_run_then_run_again_equals_one_clean_run(Backend::Sqlite).await;
}

#[tokio::test]
async fn interrupted_run_then_run_again_equals_one_clean_run_postgres() {
    interrupted_run_then_run_again_equals_one_clean_run(Backend::Postgres).await;
}
