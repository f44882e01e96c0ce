//! Budget next to real visitation and settlement servers: frames are checked, the ledger follows
//! settlement's postings across a restart of budget without loss or double counting, ERP actuals
//! are imported record by record, and the database refuses to change a ledger entry.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use afregning_kit::auth::Outgoing;
use afregning_kit::config::ServiceConfig;
use afregning_kit::follow::Upstream;
use afregning_kit::server::{ServiceContext, ServiceSpec};
use afregning_kit::testing::{Backend, TestDatabase, TestServer};
use afregning_proto::budget::v1 as pb;
use afregning_proto::budget::v1::budget_service_client::BudgetServiceClient;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pbs;
use afregning_proto::settlement::v1::settlement_service_client::SettlementServiceClient;
use afregning_proto::visitation::v1 as pbv;
use afregning_proto::visitation::v1::visitation_service_client::VisitationServiceClient;
use common::{BUDGET, EHR, FINANCE, HEALTH, OPERATOR, SETTLEMENT, SOCIAL, auth, catalogs};

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

type Ehr = VisitationServiceClient<tonic::service::interceptor::InterceptedService<tonic::transport::Channel, Outgoing>>;

/// Visitation on a database of its own, and the EHR's client of it.
async fn visitation(backend: Backend) -> (TestDatabase, TestServer, Ehr) {
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
    let ehr = VisitationServiceClient::with_interceptor(visitation.channel().await, Outgoing::new(Some(EHR)));
    (v_db, visitation, ehr)
}

async fn provider(ehr: &mut Ehr, request_id: &str, name: &str, committee: &str, approved_for: &str) -> String {
    let request = pbv::RegisterProviderRequest {
        request_id: request_id.into(),
        cvr: "29189668".into(),
        name: name.into(),
        kind: pbc::ProviderKind::Municipal as i32,
        committee: committee.into(),
        approved_for: vec![approved_for.into()],
        provider_id: String::new(),
    };
    ehr.register_provider(request).await.unwrap().into_inner().provider_id
}

async fn citizen(ehr: &mut Ehr, request_id: &str, cpr: &str) -> String {
    let request = pbv::RegisterCitizenRequest {
        request_id: request_id.into(),
        cpr: cpr.into(),
    };
    ehr.register_citizen(request).await.unwrap().into_inner().citizen_id
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
    let (_v_db, visitation, mut ehr) = visitation(backend).await;
    let nord = provider(&mut ehr, "prov", "Hjemmeplejen Nord", "SOCIAL", "personal_care_package").await;
    let citizen_id = citizen(&mut ehr, "cit", "0202402222").await;
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
        citizen_id,
        terms: Some(terms),
        start: date(2026, 4, 10),
        end: None,
        decided_on: date(2026, 4, 10),
    })
    .await
    .unwrap();

    // G7 of the worked month: training under SUL §140, paid by HEALTH for a need SOCIAL owns.
    let traening = provider(&mut ehr, "prov-t", "Træningsenheden", "HEALTH", "training").await;
    let g_citizen = citizen(&mut ehr, "cit-g", "0707402777").await;
    let g7_terms = pbv::GrantTerms {
        unit_kind: pbc::UnitKind::Service as i32,
        legal_basis: "SUL-140".into(),
        intervention: "genoptraening".into(),
        visited_minutes_per_week: 60,
        service_category: "training".into(),
        need_frame: "SOCIAL".into(),
        providers: vec![pbc::ProviderShare {
            provider_id: traening.clone(),
            share_percent: 100,
            lead: true,
        }],
        ..Default::default()
    };
    let g7 = pbv::DecideGrantRequest {
        request_id: "g7".into(),
        citizen_id: g_citizen,
        terms: Some(g7_terms),
        start: date(2026, 4, 1),
        end: None,
        decided_on: date(2026, 4, 1),
    };
    let g7 = ehr.decide_grant(g7).await.unwrap().into_inner();

    // Settlement following visitation.
    let s_db = TestDatabase::new(backend).await;
    let database = s_db.connect(afregning_settlement::MIGRATIONS).await;
    let s_store = afregning_settlement::store::Store::new(database.clone());
    let _s_follower = afregning_settlement::follower::spawn(
        s_store.clone(),
        Upstream::new(format!("http://{}", visitation.addr), Some(SETTLEMENT.into())),
    );
    let routes = afregning_settlement::service_routes(s_store.clone(), catalogs(), &auth());
    let settlement_server = TestServer::start(ServiceSpec {
        grpc_name: afregning_settlement::GRPC_NAME,
        routes,
        database,
    })
    .await;
    let mut settlement = SettlementServiceClient::with_interceptor(settlement_server.channel().await, Outgoing::new(Some(OPERATOR)));
    // Everything visitation has published: the providers, the grant and the deployment's catalog.
    let published = ehr
        .get_feed_positions(pbc::GetFeedPositionsRequest {})
        .await
        .unwrap()
        .into_inner()
        .published_sequence;
    let published = i64::try_from(published).unwrap();
    wait_for("settlement to mirror the grant", async || {
        s_store.cursor("visitation").await.unwrap() >= published
    })
    .await;

    let visits: Vec<pbs::Delivery> = [8, 15, 22, 29]
        .into_iter()
        .map(|day| {
            let local = chrono::NaiveDate::from_ymd_opt(2026, 4, day)
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap();
            let at = afregning_tariff::bands::local_to_utc(local).unwrap();
            pbs::Delivery {
                delivery_id: format!("g7-{day}"),
                grant_id: g7.grant_id.clone(),
                provider_id: traening.clone(),
                carer_visit_id: format!("g7-cv{day}"),
                started_at: Some(prost_types::Timestamp {
                    seconds: at.timestamp(),
                    nanos: 0,
                }),
                minutes: 60,
                revision: 0,
            }
        })
        .collect();
    let stream = tokio_stream::iter(vec![pbs::ReportDeliveriesRequest {
        request_id: "d".into(),
        deliveries: visits,
    }]);
    assert_eq!(settlement.report_deliveries(stream).await.unwrap().into_inner().accepted, 4);

    // Budget following settlement.
    let b_db = TestDatabase::new(backend).await;
    let database = b_db.connect(afregning_budget::MIGRATIONS).await;
    let b_store = afregning_budget::store::Store::new(database.clone());
    let settlement_url = format!("http://{}", settlement_server.addr);
    let follower = afregning_budget::follower::spawn(b_store.clone(), Upstream::new(settlement_url.clone(), Some(BUDGET.into())));
    let _grants = afregning_budget::follower::spawn_grants(
        b_store.clone(),
        Upstream::new(format!("http://{}", visitation.addr), Some(BUDGET.into())),
    );
    let budget_server = TestServer::start(ServiceSpec {
        grpc_name: afregning_budget::GRPC_NAME,
        routes: afregning_budget::service_routes(b_store.clone(), 0, std::sync::Arc::new(catalogs()), &auth()),
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
        effective_from: None,
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
    assert_eq!(april, 555_000 + 236_000, "the package and the training");
    wait_for("budget to follow April's posting", async || {
        b_store.cursor("settlement").await.unwrap() == 2
    })
    .await;

    // Budget goes down while settlement issues May; back up, it catches up without doubling.
    follower.abort();
    let may = settle(&mut settlement, 5).await;
    assert_eq!(may, 819_286, "31 days × 1,850.00 / 7");
    let _follower = afregning_budget::follower::spawn(b_store.clone(), Upstream::new(settlement_url, Some(BUDGET.into())));
    wait_for("budget to follow May's posting", async || {
        b_store.cursor("settlement").await.unwrap() == 3
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
    let import = |request_id: &str, entries: Vec<pb::ActualEntry>| pb::ImportActualsRequest {
        request_id: request_id.into(),
        entries,
    };
    let first = finance
        .import_actuals(tokio_stream::iter(vec![import(
            "erp-1",
            vec![
                actual("erp-1", "SOCIAL", 25_000),
                actual("erp-2", "HEALTH", 1_000),
                actual("erp-3", "SOCIAL", -5_000),
            ],
        )]))
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
        .import_actuals(tokio_stream::iter(vec![import(
            "erp-1-again",
            vec![actual("erp-1", "SOCIAL", 25_000), actual("erp-3", "SOCIAL", -4_000)],
        )]))
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

    // Follow-up at the end of October 2026, by hand:
    // SOCIAL consumed 5,550.00 + 8,192.86 + 250.00 − 50.00 = 13,942.86 → 1.16 % of 1,200,000.00;
    // the monthly profile releases ten twelfths → 83.33 %; the open package commits
    // 61 days × 1,850.00 / 7 = 16,121.43 for November and December.
    wait_for("budget to follow the grant feed", async || {
        b_store.cursor("visitation").await.unwrap() >= published
    })
    .await;
    let status_at = |frame: &str| pb::GetFollowUpStatusRequest {
        frame: frame.into(),
        as_of: date(2026, 10, 31),
    };
    let bp = |p: Option<pb::Percent>| p.unwrap().basis_points;
    let s = finance
        .get_follow_up_status(status_at("SOCIAL"))
        .await
        .unwrap()
        .into_inner()
        .frames
        .remove(0);
    assert_eq!(
        (
            s.budget_ore,
            s.consumed_ore,
            s.expected_rest_from_commitments_ore,
            s.has_leader_forecast
        ),
        (120_000_000, 1_394_286, 1_612_143, false)
    );
    assert_eq!(
        (
            s.expected_result_ore,
            bp(s.consumption),
            bp(s.profile_share),
            s.explanation_required
        ),
        (116_993_571, 116, 8_333, false)
    );
    let forecast = pb::SubmitExpectedAccountsRequest {
        request_id: "leader-1".into(),
        frame: "SOCIAL".into(),
        year: 2026,
        months: vec![
            pb::MonthAmount {
                month: 12,
                amount_ore: 500_000,
            },
            pb::MonthAmount {
                month: 11,
                amount_ore: 500_000,
            },
            pb::MonthAmount {
                month: 10,
                amount_ore: 900_000,
            },
        ],
        submitted_by: "leder-17".into(),
    };
    finance.submit_expected_accounts(forecast).await.unwrap();
    let s = finance
        .get_follow_up_status(status_at("SOCIAL"))
        .await
        .unwrap()
        .into_inner()
        .frames
        .remove(0);
    assert_eq!(
        (s.expected_rest_from_leader_ore, s.has_leader_forecast, s.expected_result_ore),
        (1_000_000, true, 117_605_714),
        "the leader's months after October"
    );

    // HEALTH with an even profile: 304 of 365 days through 31 October → 83.29 %. It has
    // 400,000.00 of actuals and G7's April training 2,360.00, and G7 commits
    // 61 days × 590.00 / 7 = 5,141.43 for the rest of the year: an overrun.
    let committee = pb::CreateCommitteeRequest {
        request_id: "c-health".into(),
        code: "HEALTH".into(),
        name: "Sundhedsudvalget".into(),
    };
    finance.create_committee(committee).await.unwrap();
    let health = pb::SetFrameRequest {
        request_id: "f-health".into(),
        frame: "HEALTH".into(),
        year: 2026,
        committee: "HEALTH".into(),
        name: "Visitation og Rehabilitering – Sund".into(),
        account: "4.62.88".into(),
        amount_ore: 36_500_000,
        monthly_profile_ore: vec![],
        effective_from: None,
    };
    finance.set_frame(health).await.unwrap();
    let spent = pb::ActualEntry {
        external_id: "erp-9".into(),
        frame: "HEALTH".into(),
        account: "4.62.88".into(),
        booked_on: date(2026, 10, 10),
        amount_ore: 40_000_000,
        text: "udstyr".into(),
    };
    assert_eq!(
        finance
            .import_actuals(tokio_stream::iter(vec![import("erp-2", vec![spent])]))
            .await
            .unwrap()
            .into_inner()
            .accepted,
        1
    );
    let h = finance
        .get_follow_up_status(status_at("HEALTH"))
        .await
        .unwrap()
        .into_inner()
        .frames
        .remove(0);
    assert_eq!((h.consumed_ore, h.expected_rest_from_commitments_ore), (40_236_000, 514_143));
    assert_eq!(
        (
            bp(h.profile_share),
            bp(h.consumption),
            h.expected_result_ore,
            h.explanation_required
        ),
        (8_329, 11_024, -4_250_143, true)
    );

    // An overrun beyond the threshold must be explained before the month closes.
    let close = |id: &str| pb::CloseMonthRequest {
        request_id: id.into(),
        frame: "HEALTH".into(),
        period: Some(pbc::Period { year: 2026, month: 10 }),
    };
    assert_eq!(
        finance.close_month(close("close-1")).await.unwrap_err().code(),
        tonic::Code::FailedPrecondition
    );
    let explain = pb::SubmitDeviationExplanationRequest {
        request_id: "explain-1".into(),
        frame: "HEALTH".into(),
        period: Some(pbc::Period { year: 2026, month: 10 }),
        explanation: "Udstyr købt for resten af året".into(),
        corrective_actions: vec!["Indkøbsstop til årets udgang".into()],
        submitted_by: "leder-3".into(),
    };
    finance.submit_deviation_explanation(explain).await.unwrap();
    let closed = finance.close_month(close("close-2")).await.unwrap().into_inner();
    assert!(!closed.status.unwrap().explanation_required);
    let all = finance
        .get_follow_up_status(pb::GetFollowUpStatusRequest {
            frame: String::new(),
            as_of: date(2026, 10, 31),
        })
        .await
        .unwrap()
        .into_inner()
        .frames;
    assert_eq!(all.iter().map(|f| f.frame.as_str()).collect::<Vec<_>>(), vec!["HEALTH", "SOCIAL"]);

    // Monthly series for curves: the budget released and what was consumed, month by month.
    let series = finance
        .get_follow_up_series(pb::GetFollowUpSeriesRequest {
            frame: "SOCIAL".into(),
            year: 2026,
            as_of: None,
        })
        .await
        .unwrap()
        .into_inner()
        .points;
    let curve: Vec<(i64, i64)> = series
        .iter()
        .take(5)
        .map(|p| (p.budget_cumulative_ore, p.consumed_cumulative_ore))
        .collect();
    assert_eq!(
        curve,
        vec![
            (10_000_000, 0),
            (20_000_000, 0),
            (30_000_000, 0),
            (40_000_000, 555_000),
            (50_000_000, 1_394_286)
        ]
    );

    // The second quarter's joint case: HEALTH bought SOCIAL's training for 2,360.00, so that much
    // of SOCIAL's budget moves to HEALTH once both committees approve and FINANCE executes.
    let propose = pb::ProposeReallocationsRequest {
        request_id: "q2".into(),
        quarter: Some(pbc::Quarter { year: 2026, quarter: 2 }),
    };
    let cases = finance.propose_reallocations(propose).await.unwrap().into_inner().cases;
    assert_eq!(cases.len(), 1);
    let case = &cases[0];
    assert_eq!(
        (case.from_frame.as_str(), case.to_frame.as_str(), case.amount_ore),
        ("SOCIAL", "HEALTH", 236_000)
    );
    assert_eq!(
        case.purchases.iter().map(|p| p.provider_id.as_str()).collect::<Vec<_>>(),
        vec![traening.as_str()]
    );
    let adjusted = async |finance: &mut BudgetServiceClient<
        tonic::service::interceptor::InterceptedService<tonic::transport::Channel, Outgoing>,
    >|
           -> BTreeMap<String, i64> {
        let frames = finance
            .list_frames(pb::ListFramesRequest { year: 2026, page: None })
            .await
            .unwrap()
            .into_inner()
            .frames;
        frames.into_iter().map(|f| (f.frame, f.adjusted_amount_ore)).collect()
    };
    let before = adjusted(&mut finance).await;
    for (token, committee) in [(SOCIAL, "SOCIAL"), (HEALTH, "HEALTH")] {
        let mut c = BudgetServiceClient::with_interceptor(budget_server.channel().await, Outgoing::new(Some(token)));
        let decision = pb::DecideReallocationCaseRequest {
            request_id: format!("ok-{committee}"),
            case_id: case.case_id.clone(),
            committee: committee.into(),
            approve: true,
            comment: "enig".into(),
        };
        c.decide_reallocation_case(decision).await.unwrap();
    }
    let execute = pb::ExecuteReallocationCaseRequest {
        request_id: "exec-q2".into(),
        case_id: case.case_id.clone(),
    };
    let executed = finance.execute_reallocation_case(execute).await.unwrap().into_inner();
    assert_eq!(executed.entries.iter().map(|e| e.amount_ore).sum::<i64>(), 0);
    let after = adjusted(&mut finance).await;
    assert_eq!(
        (after["SOCIAL"] - before["SOCIAL"], after["HEALTH"] - before["HEALTH"]),
        (-236_000, 236_000)
    );
    assert_eq!(
        after.values().sum::<i64>(),
        before.values().sum::<i64>(),
        "the grand total is unchanged"
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
            ("HEALTH".into(), "4.62.88".into(), 4, 236_000, 1),
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
            vec![
                ("HEALTH".into(), 4, 236_000, 0, 236_000),
                ("HEALTH".into(), 5, 0, 100, -100),
                ("SOCIAL".into(), 5, 819_286, 819_000, 286)
            ]
        )
    );
    let even = finance
        .reconcile(pb::ReconcileRequest {
            year: 2026,
            erp_totals: vec![
                erp(4, 555_000),
                erp(5, 819_286),
                pb::PostingTotal {
                    frame: "HEALTH".into(),
                    account: "4.62.88".into(),
                    ..erp(4, 236_000)
                },
            ],
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

/// Commitments are priced by the rules the statements will follow and split across frames as
/// their postings will be: a MAINTAINING course is paid 80 % by SOCIAL and 20 % by HEALTH.
async fn commitments_split_like_postings(backend: Backend) {
    let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("warn").try_init();
    let (_v_db, visitation, mut ehr) = visitation(backend).await;
    let nord = provider(&mut ehr, "prov", "Hjemmeplejen Nord", "SOCIAL", "course:MAINTAINING").await;
    let citizen_id = citizen(&mut ehr, "cit", "0505402555").await;
    // MAINTAINING, 1,000 visited minutes a week: level 4, 7,500.00 a week, from 1 April.
    let terms = pbv::GrantTerms {
        unit_kind: pbc::UnitKind::Course as i32,
        legal_basis: "SEL-83".into(),
        intervention: "personlig-pleje".into(),
        visited_minutes_per_week: 1_000,
        course_type: pbc::CourseType::Maintaining as i32,
        providers: vec![pbc::ProviderShare {
            provider_id: nord,
            share_percent: 100,
            lead: true,
        }],
        ..Default::default()
    };
    ehr.decide_grant(pbv::DecideGrantRequest {
        request_id: "course".into(),
        citizen_id,
        terms: Some(terms),
        start: date(2026, 4, 1),
        end: None,
        decided_on: date(2026, 4, 1),
    })
    .await
    .unwrap();
    let published = ehr
        .get_feed_positions(pbc::GetFeedPositionsRequest {})
        .await
        .unwrap()
        .into_inner()
        .published_sequence;

    let b_db = TestDatabase::new(backend).await;
    let database = b_db.connect(afregning_budget::MIGRATIONS).await;
    let b_store = afregning_budget::store::Store::new(database.clone());
    let _grants = afregning_budget::follower::spawn_grants(
        b_store.clone(),
        Upstream::new(format!("http://{}", visitation.addr), Some(BUDGET.into())),
    );
    let budget_server = TestServer::start(ServiceSpec {
        grpc_name: afregning_budget::GRPC_NAME,
        routes: afregning_budget::service_routes(b_store.clone(), 0, std::sync::Arc::new(catalogs()), &auth()),
        database,
    })
    .await;
    let mut finance = BudgetServiceClient::with_interceptor(budget_server.channel().await, Outgoing::new(Some(FINANCE)));
    for (code, name) in [("SOCIAL", "Socialudvalget"), ("HEALTH", "Sundhedsudvalget")] {
        finance
            .create_committee(pb::CreateCommitteeRequest {
                request_id: format!("c-{code}"),
                code: code.into(),
                name: name.into(),
            })
            .await
            .unwrap();
        finance
            .set_frame(pb::SetFrameRequest {
                request_id: format!("f-{code}"),
                frame: code.into(),
                year: 2026,
                committee: code.into(),
                name: format!("Visitation og Rehabilitering – {code}"),
                account: "5.30.26".into(),
                amount_ore: 120_000_000,
                monthly_profile_ore: vec![],
                effective_from: None,
            })
            .await
            .unwrap();
    }
    wait_for("budget to follow the grant", async || {
        b_store.cursor("visitation").await.unwrap() == i64::try_from(published).unwrap()
    })
    .await;
    let status = finance
        .get_follow_up_status(pb::GetFollowUpStatusRequest {
            frame: String::new(),
            as_of: date(2026, 6, 30),
        })
        .await
        .unwrap()
        .into_inner();
    let rest: BTreeMap<String, i64> = status
        .frames
        .iter()
        .map(|f| (f.frame.clone(), f.expected_rest_from_commitments_ore))
        .collect();
    // July to December as the statements will price them, a line a month: 7,500.00 × 31 / 7 =
    // 33,214.29 in the four months of 31 days and 7,500.00 × 30 / 7 = 32,142.86 in September and
    // November. HEALTH's 20 % of each line is rounded on its own (6,642.86 and 6,428.57) and SOCIAL,
    // the larger share, takes the rest (26,571.43 and 25,714.29):
    // HEALTH 4 × 6,642.86 + 2 × 6,428.57 = 39,428.58; SOCIAL 4 × 26,571.43 + 2 × 25,714.29 = 157,714.30.
    assert_eq!(
        rest,
        BTreeMap::from([("HEALTH".to_owned(), 3_942_858), ("SOCIAL".to_owned(), 15_771_430)])
    );
    for f in &status.frames {
        assert_eq!(
            f.expected_result_ore,
            f.budget_ore - f.consumed_ore - f.expected_rest_from_commitments_ore
        );
    }
    // The monthly curve forecasts the same: HEALTH's commitments from April to December.
    let series = finance
        .get_follow_up_series(pb::GetFollowUpSeriesRequest {
            frame: "HEALTH".into(),
            year: 2026,
            as_of: None,
        })
        .await
        .unwrap()
        .into_inner();
    let months: Vec<i64> = series
        .points
        .windows(2)
        .map(|w| w[1].commitments_forecast_cumulative_ore - w[0].commitments_forecast_cumulative_ore)
        .collect();
    // December's step is HEALTH's 20 % of 33,214.29 = 6,642.86 while December is still ahead; once
    // it has passed, the curve shows what was consumed instead (nothing was settled here).
    let december_passed = chrono::Utc::now().date_naive() >= chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    assert_eq!(months.last(), Some(&if december_passed { 0 } else { 664_286 }));
}

#[tokio::test]
async fn commitments_split_like_postings_sqlite() {
    commitments_split_like_postings(Backend::Sqlite).await;
}

#[tokio::test]
async fn commitments_split_like_postings_postgres() {
    commitments_split_like_postings(Backend::Postgres).await;
}
