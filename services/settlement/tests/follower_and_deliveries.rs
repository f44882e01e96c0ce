//! Settlement next to a real visitation server: the follower mirrors providers and every grant
//! version, survives a restart without loss or double counting, and delivered visits are checked
//! record by record against the grant in force on their day — the valid rest kept.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use afregning_kit::auth::{Authenticator, Outgoing};
use afregning_kit::config::ServiceConfig;
use afregning_kit::server::{ServiceContext, ServiceSpec};
use afregning_kit::testing::{Backend, TestDatabase, TestServer};
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pb;
use afregning_proto::settlement::v1::settlement_service_client::SettlementServiceClient;
use afregning_proto::visitation::v1 as pbv;
use afregning_proto::visitation::v1::visitation_service_client::VisitationServiceClient;
use afregning_settlement::store::Store;
use chrono::{NaiveDate, Utc};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

const EHR: &str = "test-token-ehr-nexus-0001";
const SETTLEMENT: &str = "test-token-service-settlement";
const NORD: &str = "test-token-provider-nord-01";
const OPERATOR: &str = "test-token-operator-00001";

type Visitation = VisitationServiceClient<InterceptedService<Channel, Outgoing>>;
type Settlement = SettlementServiceClient<InterceptedService<Channel, Outgoing>>;

struct Suite {
    ehr: Visitation,
    visitation: TestServer,
    _visitation_db: TestDatabase,
    settlement_db: TestDatabase,
    nord: String,
    plejegruppen: String,
}

fn tokens(extra: &[(&str, String)]) -> BTreeMap<String, String> {
    let mut tokens: BTreeMap<String, String> = [(EHR, "ehr:nexus"), (SETTLEMENT, "service:settlement"), (OPERATOR, "operator")]
        .into_iter()
        .map(|(t, p)| (t.to_owned(), p.to_owned()))
        .collect();
    tokens.extend(extra.iter().map(|(t, p)| (t.to_string(), p.clone())));
    tokens
}

fn catalogs() -> afregning_tariff::CatalogSet {
    afregning_kit::catalogs::load(&[PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/catalog-2026.toml"
    ))])
    .unwrap()
}

async fn suite(backend: Backend) -> Suite {
    let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("warn").try_init();
    let visitation_db = TestDatabase::new(backend).await;
    let database = visitation_db.connect(afregning_visitation::MIGRATIONS).await;
    let auth = Authenticator::from_tokens(&tokens(&[])).unwrap();
    let context = ServiceContext {
        config: ServiceConfig::defaults("visitation"),
        database: database.clone(),
        catalogs: catalogs(),
        auth,
    };
    let routes = afregning_visitation::routes(context).unwrap();
    let visitation = TestServer::start(ServiceSpec {
        grpc_name: afregning_visitation::GRPC_NAME,
        routes,
        database,
    })
    .await;
    let mut ehr = VisitationServiceClient::with_interceptor(visitation.channel().await, Outgoing::new(Some(EHR)));
    let register = |name: &str, approved: &[&str]| pbv::RegisterProviderRequest {
        request_id: format!("prov-{name}"),
        cvr: "29189668".into(),
        name: name.into(),
        kind: pbc::ProviderKind::Municipal as i32,
        committee: "SOCIAL".into(),
        approved_for: approved.iter().map(|s| s.to_string()).collect(),
    };
    let nord = ehr
        .register_provider(register(
            "nord",
            &["personal_care", "personal_care_package", "course:INDIVIDUAL", "course:MAINTAINING"],
        ))
        .await
        .unwrap()
        .into_inner()
        .provider_id;
    let plejegruppen = ehr
        .register_provider(register("plejegruppen", &["personal_care"]))
        .await
        .unwrap()
        .into_inner()
        .provider_id;
    Suite {
        ehr,
        visitation,
        _visitation_db: visitation_db,
        settlement_db: TestDatabase::new(backend).await,
        nord,
        plejegruppen,
    }
}

/// Starts settlement on the suite's settlement database, following visitation.
async fn settlement(suite: &Suite) -> (TestServer, tokio::task::JoinHandle<()>, Store) {
    let database = suite.settlement_db.connect(afregning_settlement::MIGRATIONS).await;
    let store = Store::new(database.clone());
    let follower = afregning_settlement::follower::spawn(
        store.clone(),
        format!("http://{}", suite.visitation.addr),
        Some(SETTLEMENT.to_owned()),
    );
    let auth = Authenticator::from_tokens(&tokens(&[(NORD, format!("provider:{}", suite.nord))])).unwrap();
    let routes = afregning_settlement::service_routes(store.clone(), &auth);
    let server = TestServer::start(ServiceSpec {
        grpc_name: afregning_settlement::GRPC_NAME,
        routes,
        database,
    })
    .await;
    (server, follower, store)
}

async fn client(server: &TestServer, token: &str) -> Settlement {
    SettlementServiceClient::with_interceptor(server.channel().await, Outgoing::new(Some(token)))
}

fn date(y: i32, m: i32, d: i32) -> Option<pbc::Date> {
    Some(pbc::Date { year: y, month: m, day: d })
}

async fn citizen(ehr: &mut Visitation, cpr: &str) -> String {
    ehr.register_citizen(pbv::RegisterCitizenRequest {
        request_id: format!("cit-{cpr}"),
        cpr: cpr.into(),
    })
    .await
    .unwrap()
    .into_inner()
    .citizen_id
}

fn decide(
    citizen_id: &str,
    unit: pbc::UnitKind,
    provider: &str,
    start: Option<pbc::Date>,
    end: Option<pbc::Date>,
) -> pbv::DecideGrantRequest {
    let mut terms = pbv::GrantTerms {
        unit_kind: unit as i32,
        legal_basis: "SEL-83".into(),
        intervention: "personlig-pleje".into(),
        visited_minutes_per_week: 180,
        providers: vec![pbc::ProviderShare {
            provider_id: provider.into(),
            share_percent: 100,
            lead: true,
        }],
        ..Default::default()
    };
    match unit {
        pbc::UnitKind::Service => terms.service_category = "personal_care".into(),
        pbc::UnitKind::Package => terms.package = "personal_care_package".into(),
        _ => {}
    }
    pbv::DecideGrantRequest {
        request_id: format!("grant-{citizen_id}-{unit:?}"),
        citizen_id: citizen_id.into(),
        terms: Some(terms),
        start,
        end,
        decided_on: start,
    }
}

/// Waits until settlement's cursor reaches visitation's last sequence.
async fn caught_up(store: &Store, expected: i64) {
    for _ in 0..200 {
        if store.cursor(afregning_settlement::store::VISITATION_FEED).await.unwrap() == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("settlement did not catch up to sequence {expected}");
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> Option<prost_types::Timestamp> {
    let local = NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap();
    let utc = afregning_tariff::bands::local_to_utc(local).unwrap();
    Some(prost_types::Timestamp {
        seconds: utc.timestamp(),
        nanos: 0,
    })
}

fn delivery(id: &str, grant: &str, provider: &str, carer: &str, start: Option<prost_types::Timestamp>, minutes: u32) -> pb::Delivery {
    pb::Delivery {
        delivery_id: id.into(),
        grant_id: grant.into(),
        provider_id: provider.into(),
        carer_visit_id: carer.into(),
        started_at: start,
        minutes,
        revision: 0,
    }
}

async fn report(client: &mut Settlement, batches: Vec<Vec<pb::Delivery>>) -> pb::ReportDeliveriesResponse {
    let messages: Vec<pb::ReportDeliveriesRequest> = batches
        .into_iter()
        .enumerate()
        .map(|(i, deliveries)| pb::ReportDeliveriesRequest {
            request_id: if i == 0 { "stream-1".into() } else { String::new() },
            deliveries,
        })
        .collect();
    client.report_deliveries(tokio_stream::iter(messages)).await.unwrap().into_inner()
}

async fn mirrors_grants_and_survives_restart(backend: Backend) {
    let mut s = suite(backend).await;
    let (server, follower, store) = settlement(&s).await;
    let a = citizen(&mut s.ehr, "0101501234").await;
    let g1 = s
        .ehr
        .decide_grant(decide(&a, pbc::UnitKind::Service, &s.plejegruppen, date(2026, 1, 1), None))
        .await
        .unwrap()
        .into_inner();
    // Events so far: two providers, one grant.
    caught_up(&store, 3).await;
    let providers = client(&server, OPERATOR)
        .await
        .list_providers(pb::ListProvidersRequest { page: None })
        .await
        .unwrap()
        .into_inner()
        .providers;
    assert_eq!(providers.len(), 2);
    assert_eq!(store.grant_counts().await.unwrap(), (1, 1));

    // Settlement goes down while the authority keeps deciding.
    follower.abort();
    server.stop().await.unwrap();
    let b = citizen(&mut s.ehr, "0202501234").await;
    s.ehr
        .decide_grant(decide(&b, pbc::UnitKind::Package, &s.nord, date(2026, 4, 10), None))
        .await
        .unwrap();
    s.ehr
        .end_grant(pbv::EndGrantRequest {
            request_id: "end-g1".into(),
            grant_id: g1.grant_id.clone(),
            expected_version: 1,
            last_day: date(2026, 6, 30),
            reason: 4,
            decided_on: None,
        })
        .await
        .unwrap();

    // Back up: it resumes after its cursor, applies each event once.
    let (server, _follower, store) = settlement(&s).await;
    caught_up(&store, 5).await;
    assert_eq!(
        store.grant_counts().await.unwrap(),
        (2, 3),
        "two grants, three versions: nothing lost, nothing doubled"
    );
    let versions = store.grant_versions(&g1.grant_id).await.unwrap();
    assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), vec![1, 2]);
    server.stop().await.unwrap();
}

async fn deliveries_are_checked_one_by_one(backend: Backend) {
    let mut s = suite(backend).await;
    let (server, _follower, store) = settlement(&s).await;
    let a = citizen(&mut s.ehr, "0303501234").await;
    let b = citizen(&mut s.ehr, "0404501234").await;
    let service = s
        .ehr
        .decide_grant(decide(&a, pbc::UnitKind::Service, &s.nord, date(2026, 4, 1), date(2026, 4, 30)))
        .await
        .unwrap()
        .into_inner();
    let package = s
        .ehr
        .decide_grant(decide(&b, pbc::UnitKind::Package, &s.nord, date(2026, 4, 1), None))
        .await
        .unwrap()
        .into_inner();
    caught_up(&store, 4).await;
    let (g, p) = (service.grant_id.as_str(), s.nord.as_str());
    let mut operator = client(&server, OPERATOR).await;

    let future = Utc::now() + chrono::Duration::days(2);
    let future = Some(prost_types::Timestamp {
        seconds: future.timestamp(),
        nanos: 0,
    });
    let first = report(
        &mut operator,
        vec![
            vec![
                delivery("d1", g, p, "cv1", at(2026, 4, 1, 7, 30), 45),
                delivery("d2", g, p, "cv2", at(2026, 4, 1, 14, 40), 40),
                delivery("bad-grant", "gr_nobody", p, "cv3", at(2026, 4, 2, 8, 0), 30),
                delivery("bad-provider", g, &s.plejegruppen, "cv4", at(2026, 4, 2, 8, 0), 30),
            ],
            vec![
                delivery("bad-minutes", g, p, "cv5", at(2026, 4, 3, 8, 0), 1_441),
                delivery("bad-future", g, p, "cv6", future, 30),
                delivery("bad-outside", g, p, "cv7", at(2026, 5, 1, 8, 0), 30),
                delivery("bad-overlap", g, p, "cv1", at(2026, 4, 1, 8, 0), 30),
                delivery("bad-package", &package.grant_id, p, "cv8", at(2026, 4, 2, 8, 0), 30),
                delivery("d3", g, p, "cv1", at(2026, 4, 1, 8, 15), 30),
            ],
        ],
    )
    .await;
    assert_eq!((first.accepted, first.duplicates), (3, 0));
    let refused: Vec<(String, u64, String)> = first
        .errors
        .iter()
        .map(|e| (e.delivery_id.clone(), e.index, e.field.clone()))
        .collect();
    assert_eq!(
        refused,
        vec![
            ("bad-grant".into(), 2, "grant_id".into()),
            ("bad-provider".into(), 3, "provider_id".into()),
            ("bad-minutes".into(), 4, "minutes".into()),
            ("bad-future".into(), 5, "started_at".into()),
            ("bad-outside".into(), 6, "started_at".into()),
            ("bad-overlap".into(), 7, "carer_visit_id".into()),
            ("bad-package".into(), 8, "grant_id".into()),
        ]
    );

    // A retry of the same records is counted as duplicates and changes nothing; the same id with
    // other content is refused.
    let again = report(
        &mut operator,
        vec![vec![
            delivery("d1", g, p, "cv1", at(2026, 4, 1, 7, 30), 45),
            delivery("d2", g, p, "cv2", at(2026, 4, 1, 14, 40), 50),
        ]],
    )
    .await;
    assert_eq!((again.accepted, again.duplicates, again.errors.len()), (0, 1, 1));
    assert_eq!(again.errors[0].field, "delivery_id");

    // A provider reports and reads only its own deliveries.
    let mut nord = client(&server, NORD).await;
    let own = report(
        &mut nord,
        vec![vec![
            delivery("d4", g, p, "cv9", at(2026, 4, 7, 6, 50), 30),
            delivery("d5", g, &s.plejegruppen, "cv10", at(2026, 4, 8, 8, 0), 30),
        ]],
    )
    .await;
    assert_eq!((own.accepted, own.errors[0].field.as_str()), (1, "provider_id"));
    let april = Some(pbc::Period { year: 2026, month: 4 });
    let listed = nord
        .list_deliveries(pb::ListDeliveriesRequest {
            provider_id: p.into(),
            period: april,
            page: None,
        })
        .await
        .unwrap()
        .into_inner()
        .deliveries;
    assert_eq!(
        listed.iter().map(|d| d.delivery_id.as_str()).collect::<Vec<_>>(),
        vec!["d1", "d3", "d2", "d4"]
    );
    let other = nord
        .list_deliveries(pb::ListDeliveriesRequest {
            provider_id: s.plejegruppen.clone(),
            period: april,
            page: None,
        })
        .await
        .unwrap_err();
    assert_eq!(other.code(), tonic::Code::PermissionDenied);

    // A correction bumps the revision; a retry returns the first answer.
    let correct = pb::CorrectDeliveryRequest {
        request_id: "fix-d2".into(),
        delivery_id: "d2".into(),
        started_at: at(2026, 4, 1, 14, 40),
        minutes: 50,
        reason: "carer forgot to log out".into(),
    };
    let fixed = nord.correct_delivery(correct.clone()).await.unwrap().into_inner();
    assert_eq!((fixed.minutes, fixed.revision), (50, 1));
    assert_eq!(nord.correct_delivery(correct).await.unwrap().into_inner(), fixed);
    let listed = operator
        .list_deliveries(pb::ListDeliveriesRequest {
            provider_id: p.into(),
            period: april,
            page: None,
        })
        .await
        .unwrap()
        .into_inner()
        .deliveries;
    assert_eq!(
        listed.iter().map(|d| (d.delivery_id.as_str(), d.minutes)).collect::<Vec<_>>(),
        vec![("d1", 45), ("d3", 30), ("d2", 50), ("d4", 30)]
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn mirrors_grants_and_survives_restart_sqlite() {
    mirrors_grants_and_survives_restart(Backend::Sqlite).await;
}

#[tokio::test]
async fn mirrors_grants_and_survives_restart_postgres() {
    mirrors_grants_and_survives_restart(Backend::Postgres).await;
}

#[tokio::test]
async fn deliveries_are_checked_one_by_one_sqlite() {
    deliveries_are_checked_one_by_one(Backend::Sqlite).await;
}

#[tokio::test]
async fn deliveries_are_checked_one_by_one_postgres() {
    deliveries_are_checked_one_by_one(Backend::Postgres).await;
}
