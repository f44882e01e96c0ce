//! Budget next to real visitation and settlement servers: frames are checked, the ledger follows
//! settlement's postings across a restart of budget without loss or double counting, ERP actuals
//! are imported record by record, and the database refuses to change a ledger entry.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use afregning_kit::auth::{Authenticator, Outgoing};
use afregning_kit::config::ServiceConfig;
use afregning_kit::server::{ServiceContext, ServiceSpec};
use afregning_kit::testing::{Backend, TestDatabase, TestServer};
use afregning_proto::budget::v1 as pb;
use afregning_proto::budget::v1::budget_service_client::BudgetServiceClient;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pbs;
use afregning_proto::settlement::v1::settlement_service_client::SettlementServiceClient;
use afregning_proto::visitation::v1 as pbv;
use afregning_proto::visitation::v1::visitation_service_client::VisitationServiceClient;

const EHR: &str = "test-token-ehr-nexus-0001";
const SETTLEMENT: &str = "test-token-service-settlement";
const BUDGET: &str = "test-token-service-budget-01";
const OPERATOR: &str = "test-token-operator-00001";
const FINANCE: &str = "test-token-finance-dept-01";

fn auth() -> Authenticator {
    let tokens: BTreeMap<String, String> = [
        (EHR, "ehr:nexus"),
        (SETTLEMENT, "service:settlement"),
        (BUDGET, "service:budget"),
        (OPERATOR, "operator"),
        (FINANCE, "finance"),
    ]
    .into_iter()
    .map(|(t, p)| (t.to_owned(), p.to_owned()))
    .collect();
    Authenticator::from_tokens(&tokens).unwrap()
}

fn catalogs() -> afregning_tariff::CatalogSet {
    afregning_kit::catalogs::load(&[PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/catalog-2026.toml"
    ))])
    .unwrap()
}

fn date(y: i32, m: i32, d: i32) -> Option<pbc::Date> {
    Some(pbc::Date { year: y, month: m, day: d })
}

async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..200 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

async fn settle(
    settlement: &mut SettlementServiceClient<tonic::service::interceptor::InterceptedService<tonic::transport::Channel, Outgoing>>,
    month: i32,
) -> i64 {
    let period = Some(pbc::Period { year: 2026, month });
    let mut run = settlement
        .run_settlement(pbs::RunSettlementRequest {
            request_id: format!("run-{month}"),
            period,
        })
        .await
        .unwrap()
        .into_inner();
    while run.message().await.unwrap().is_some() {}
    let statements = settlement
        .list_statements(pbs::ListStatementsRequest {
            period,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .statements;
    let mut total = 0;
    for st in statements {
        let issued = settlement
            .issue_statement(pbs::IssueStatementRequest {
                request_id: format!("issue-{}", st.statement_id),
                statement_id: st.statement_id,
            })
            .await
            .unwrap();
        total += issued.into_inner().total_ore;
    }
    total
}

async fn the_ledger_follows_settlement(backend: Backend) {
    let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("warn").try_init();
    // Visitation, with one package grant from 10 April.
    let v_db = TestDatabase::new(backend).await;
    let database = v_db.connect(afregning_visitation::MIGRATIONS).await;
    let context = ServiceContext {
        config: ServiceConfig::defaults("visitation"),
        database: database.clone(),
        catalogs: catalogs(),
        auth: auth(),
    };
    let visitation = TestServer::start(ServiceSpec {
        grpc_name: afregning_visitation::GRPC_NAME,
        routes: afregning_visitation::routes(context).unwrap(),
        database,
    })
    .await;
    let mut ehr = VisitationServiceClient::with_interceptor(visitation.channel().await, Outgoing::new(Some(EHR)));
    let provider = pbv::RegisterProviderRequest {
        request_id: "prov".into(),
        cvr: "29189668".into(),
        name: "Hjemmeplejen Nord".into(),
        kind: pbc::ProviderKind::Municipal as i32,
        committee: "SOCIAL".into(),
        approved_for: vec!["personal_care_package".into()],
    };
    let nord = ehr.register_provider(provider).await.unwrap().into_inner().provider_id;
    let citizen = ehr
        .register_citizen(pbv::RegisterCitizenRequest {
            request_id: "cit".into(),
            cpr: "0202402222".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .citizen_id;
    let terms = pbv::GrantTerms {
        unit_kind: pbc::UnitKind::Package as i32,
        legal_basis: "SEL-83".into(),
        intervention: "personlig-pleje".into(),
        visited_minutes_per_week: 240,
        package: "personal_care_package".into(),
        providers: vec![pbc::ProviderShare {
            provider_id: nord,
            share_percent: 100,
            lead: true,
        }],
        ..Default::default()
    };
    ehr.decide_grant(pbv::DecideGrantRequest {
        request_id: "g2".into(),
        citizen_id: citizen,
        terms: Some(terms),
        start: date(2026, 4, 10),
        end: None,
        decided_on: date(2026, 4, 10),
    })
    .await
    .unwrap();

    // Settlement following visitation.
    let s_db = TestDatabase::new(backend).await;
    let database = s_db.connect(afregning_settlement::MIGRATIONS).await;
    let s_store = afregning_settlement::store::Store::new(database.clone());
    let _s_follower =
        afregning_settlement::follower::spawn(s_store.clone(), format!("http://{}", visitation.addr), Some(SETTLEMENT.into()));
    let routes = afregning_settlement::service_routes(s_store.clone(), catalogs(), &auth());
    let settlement_server = TestServer::start(ServiceSpec {
        grpc_name: afregning_settlement::GRPC_NAME,
        routes,
        database,
    })
    .await;
    let mut settlement = SettlementServiceClient::with_interceptor(settlement_server.channel().await, Outgoing::new(Some(OPERATOR)));
    wait_for("settlement to mirror the grant", async || {
        s_store.cursor("visitation").await.unwrap() == 2
    })
    .await;

    // Budget following settlement.
    let b_db = TestDatabase::new(backend).await;
    let database = b_db.connect(afregning_budget::MIGRATIONS).await;
    let b_store = afregning_budget::store::Store::new(database.clone());
    let settlement_url = format!("http://{}", settlement_server.addr);
    let follower = afregning_budget::follower::spawn(b_store.clone(), settlement_url.clone(), Some(BUDGET.into()));
    let _grants = afregning_budget::follower::spawn_grants(b_store.clone(), format!("http://{}", visitation.addr), Some(BUDGET.into()));
    let budget_server = TestServer::start(ServiceSpec {
        grpc_name: afregning_budget::GRPC_NAME,
        routes: afregning_budget::service_routes(b_store.clone(), 0, &auth()),
        database,
    })
    .await;
    let mut finance = BudgetServiceClient::with_interceptor(budget_server.channel().await, Outgoing::new(Some(FINANCE)));

    // Committees and frames.
    finance
        .create_committee(pb::CreateCommitteeRequest {
            request_id: "c-social".into(),
            code: "SOCIAL".into(),
            name: "Socialudvalget".into(),
        })
        .await
        .unwrap();
    let again = finance
        .create_committee(pb::CreateCommitteeRequest {
            request_id: "c-social-2".into(),
            code: "SOCIAL".into(),
            name: "x".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(again.code(), tonic::Code::AlreadyExists);
    let frame = |id: &str, committee: &str, profile: Vec<i64>| pb::SetFrameRequest {
        request_id: id.into(),
        frame: "SOCIAL".into(),
        year: 2026,
        committee: committee.into(),
        name: "Visitation og Rehabilitering – Social".into(),
        account: "5.30.26".into(),
        amount_ore: 120_000_000,
        monthly_profile_ore: profile,
    };
    let uneven = finance.set_frame(frame("f-bad", "SOCIAL", vec![10_000_000; 11])).await.unwrap_err();
    assert_eq!(uneven.code(), tonic::Code::InvalidArgument);
    let off = finance
        .set_frame(frame("f-off", "SOCIAL", [vec![10_000_000; 11], vec![9_999_999]].concat()))
        .await
        .unwrap_err();
    assert_eq!(
        off.code(),
        tonic::Code::InvalidArgument,
        "a profile that does not add up to the budget"
    );
    let unknown = finance.set_frame(frame("f-unknown", "CULTURE", vec![])).await.unwrap_err();
    assert_eq!(unknown.code(), tonic::Code::FailedPrecondition);
    let set = finance
        .set_frame(frame("f-social", "SOCIAL", vec![10_000_000; 12]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (set.amount_ore, set.adjusted_amount_ore, set.monthly_profile_ore.len()),
        (120_000_000, 120_000_000, 12)
    );

    // April settled and issued: its posting lands in the ledger.
    let april = settle(&mut settlement, 4).await;
    assert_eq!(april, 555_000);
    wait_for("budget to follow April's posting", async || {
        b_store.cursor("settlement").await.unwrap() == 1
    })
    .await;

    // Budget goes down while settlement issues May; back up, it catches up without doubling.
    follower.abort();
    let may = settle(&mut settlement, 5).await;
    assert_eq!(may, 819_286, "31 days × 1,850.00 / 7");
    let _follower = afregning_budget::follower::spawn(b_store.clone(), settlement_url, Some(BUDGET.into()));
    wait_for("budget to follow May's posting", async || {
        b_store.cursor("settlement").await.unwrap() == 2
    })
    .await;
    let entries = finance
        .list_ledger_entries(pb::ListLedgerEntriesRequest {
            frame: "SOCIAL".into(),
            year: 2026,
            page: None,
        })
        .await
        .unwrap()
        .into_inner()
        .entries;
    let seen: Vec<(i64, String, String)> = entries
        .iter()
        .map(|e| {
            (
                e.amount_ore,
                e.booked_on
                    .map(|d| format!("{}-{:02}-{:02}", d.year, d.month, d.day))
                    .unwrap_or_default(),
                e.account.clone(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (555_000, "2026-04-30".into(), "5.30.26".into()),
            (819_286, "2026-05-31".into(), "5.30.26".into())
        ]
    );
    assert_eq!(
        b_store.total_of_source(afregning_budget::store::source::SETTLEMENT).await.unwrap(),
        s_store.issued_total().await.unwrap(),
        "postings in budget = issued statements in settlement"
    );

    // ERP actuals: record by record, idempotent per external id.
    let actual = |id: &str, frame: &str, amount| pb::ActualEntry {
        external_id: id.into(),
        frame: frame.into(),
        account: "5.30.26".into(),
        booked_on: date(2026, 5, 15),
        amount_ore: amount,
        text: "hjælpemidler".into(),
    };
    let import = |entries: Vec<pb::ActualEntry>| pb::ImportActualsRequest {
        request_id: "erp-1".into(),
        entries,
    };
    let first = finance
        .import_actuals(tokio_stream::iter(vec![import(vec![
            actual("erp-1", "SOCIAL", 25_000),
            actual("erp-2", "HEALTH", 1_000),
            actual("erp-3", "SOCIAL", -5_000),
        ])]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((first.accepted, first.duplicates), (2, 0));
    assert_eq!(
        first
            .errors
            .iter()
            .map(|e| (e.external_id.as_str(), e.field.as_str()))
            .collect::<Vec<_>>(),
        vec![("erp-2", "frame")]
    );
    let retry = finance
        .import_actuals(tokio_stream::iter(vec![import(vec![
            actual("erp-1", "SOCIAL", 25_000),
            actual("erp-3", "SOCIAL", -4_000),
        ])]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (retry.accepted, retry.duplicates, retry.errors[0].field.as_str()),
        (0, 1, "external_id")
    );

    // The ledger cannot be changed, not even by the database's own user.
    let tamper = match &b_store.storage.db {
        afregning_kit::db::Database::Sqlite(p) => sqlx::query("UPDATE ledger SET amount_ore = 0").execute(p).await.map(drop),
        afregning_kit::db::Database::Postgres(p) => sqlx::query("DELETE FROM ledger").execute(p).await.map(drop),
    };
    assert!(tamper.is_err(), "the ledger is append-only");
    assert_eq!(
        finance
            .list_ledger_entries(pb::ListLedgerEntriesRequest {
                frame: "SOCIAL".into(),
                year: 2026,
                page: None
            })
            .await
            .unwrap()
            .into_inner()
            .entries
            .len(),
        4
    );

    // Finance exports what settlement posted, per frame, account and month, and reconciles the
    // ERP's totals against it line by line.
    let export = pb::ExportPostingsRequest {
        year: 2026,
        frame: String::new(),
    };
    let mut stream = finance.export_postings(export.clone()).await.unwrap().into_inner();
    let mut totals = Vec::new();
    while let Some(t) = stream.message().await.unwrap() {
        totals.push((t.frame, t.account, t.period.unwrap().month, t.amount_ore, t.entry_count));
    }
    assert_eq!(
        totals,
        vec![
            ("SOCIAL".into(), "5.30.26".into(), 4, 555_000, 1),
            ("SOCIAL".into(), "5.30.26".into(), 5, 819_286, 1)
        ]
    );
    let mut csv = finance.export_postings_csv(export).await.unwrap().into_inner();
    let mut text = Vec::new();
    while let Some(chunk) = csv.message().await.unwrap() {
        text.extend(chunk.data);
    }
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("SOCIAL;5.30.26;2026-04;5550,00;1"), "{text}");
    let erp = |month, amount| pb::PostingTotal {
        frame: "SOCIAL".into(),
        account: "5.30.26".into(),
        period: Some(pbc::Period { year: 2026, month }),
        amount_ore: amount,
        entry_count: 1,
    };
    let off = finance
        .reconcile(pb::ReconcileRequest {
            year: 2026,
            erp_totals: vec![
                erp(4, 555_000),
                erp(5, 819_000),
                pb::PostingTotal {
                    frame: "HEALTH".into(),
                    ..erp(5, 100)
                },
            ],
        })
        .await
        .unwrap()
        .into_inner();
    let diffs: Vec<(String, i32, i64, i64, i64)> = off
        .differences
        .iter()
        .map(|d| {
            (
                d.frame.clone(),
                d.period.unwrap().month,
                d.afregning_ore,
                d.erp_ore,
                d.difference_ore,
            )
        })
        .collect();
    assert_eq!(
        (off.balanced, diffs),
        (
            false,
            vec![("HEALTH".into(), 5, 0, 100, -100), ("SOCIAL".into(), 5, 819_286, 819_000, 286)]
        )
    );
    let even = finance
        .reconcile(pb::ReconcileRequest {
            year: 2026,
            erp_totals: vec![erp(4, 555_000), erp(5, 819_286)],
        })
        .await
        .unwrap()
        .into_inner();
    assert!(even.balanced && even.differences.is_empty());
}

#[tokio::test]
async fn the_ledger_follows_settlement_sqlite() {
    the_ledger_follows_settlement(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_ledger_follows_settlement_postgres() {
    the_ledger_follows_settlement(Backend::Postgres).await;
}
