//! Visitation and settlement as two real servers, and helpers for the requests tests send.

#![allow(dead_code)]

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
use chrono::NaiveDate;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

pub const EHR: &str = "test-token-ehr-nexus-0001";
pub const SETTLEMENT: &str = "test-token-service-settlement";
pub const NORD: &str = "test-token-provider-nord-01";
pub const OPERATOR: &str = "test-token-operator-00001";

pub type Visitation = VisitationServiceClient<InterceptedService<Channel, Outgoing>>;
pub type Settlement = SettlementServiceClient<InterceptedService<Channel, Outgoing>>;

pub struct Suite {
    pub ehr: Visitation,
    pub visitation: TestServer,
    _visitation_db: TestDatabase,
    pub settlement_db: TestDatabase,
    pub nord: String,
    pub plejegruppen: String,
}

fn tokens(extra: &[(&str, String)]) -> BTreeMap<String, String> {
    let mut tokens: BTreeMap<String, String> = [(EHR, "ehr:nexus"), (SETTLEMENT, "service:settlement"), (OPERATOR, "operator")]
        .into_iter()
        .map(|(t, p)| (t.to_owned(), p.to_owned()))
        .collect();
    tokens.extend(extra.iter().map(|(t, p)| (t.to_string(), p.clone())));
    tokens
}

pub fn catalogs() -> afregning_tariff::CatalogSet {
    afregning_kit::catalogs::load(&[PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/catalog-2026.toml"
    ))])
    .unwrap()
}

pub async fn suite(backend: Backend) -> Suite {
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
            &[
                "personal_care",
                "personal_care_package",
                "course:DEVELOPING",
                "course:INDIVIDUAL",
                "course:MAINTAINING",
            ],
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
pub async fn settlement(suite: &Suite) -> (TestServer, tokio::task::JoinHandle<()>, Store) {
    let database = suite.settlement_db.connect(afregning_settlement::MIGRATIONS).await;
    let store = Store::new(database.clone());
    let visitation = afregning_kit::follow::Upstream::new(format!("http://{}", suite.visitation.addr), Some(SETTLEMENT.to_owned()));
    let follower = afregning_settlement::follower::spawn(store.clone(), visitation);
    let auth = Authenticator::from_tokens(&tokens(&[(NORD, format!("provider:{}", suite.nord))])).unwrap();
    let routes = afregning_settlement::service_routes(store.clone(), catalogs(), &auth);
    let server = TestServer::start(ServiceSpec {
        grpc_name: afregning_settlement::GRPC_NAME,
        routes,
        database,
    })
    .await;
    (server, follower, store)
}

pub async fn client(server: &TestServer, token: &str) -> Settlement {
    SettlementServiceClient::with_interceptor(server.channel().await, Outgoing::new(Some(token)))
}

pub fn date(y: i32, m: i32, d: i32) -> Option<pbc::Date> {
    Some(pbc::Date { year: y, month: m, day: d })
}

pub async fn citizen(ehr: &mut Visitation, cpr: &str) -> String {
    ehr.register_citizen(pbv::RegisterCitizenRequest {
        request_id: format!("cit-{cpr}"),
        cpr: cpr.into(),
    })
    .await
    .unwrap()
    .into_inner()
    .citizen_id
}

pub fn decide(
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
pub async fn caught_up(store: &Store, expected: i64) {
    for _ in 0..200 {
        if store.cursor(afregning_settlement::store::VISITATION_FEED).await.unwrap() == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("settlement did not catch up to sequence {expected}");
}

pub fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> Option<prost_types::Timestamp> {
    let local = NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap();
    let utc = afregning_tariff::bands::local_to_utc(local).unwrap();
    Some(prost_types::Timestamp {
        seconds: utc.timestamp(),
        nanos: 0,
    })
}

pub fn delivery(id: &str, grant: &str, provider: &str, carer: &str, start: Option<prost_types::Timestamp>, minutes: u32) -> pb::Delivery {
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

/// Reports `batches` as one stream under a request id of its own.
pub async fn report(client: &mut Settlement, batches: Vec<Vec<pb::Delivery>>) -> pb::ReportDeliveriesResponse {
    static STREAMS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = STREAMS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    report_as(client, &format!("stream-{n}"), batches).await.unwrap()
}

/// Reports `batches` as one stream under `request_id`.
pub async fn report_as(
    client: &mut Settlement,
    request_id: &str,
    batches: Vec<Vec<pb::Delivery>>,
) -> Result<pb::ReportDeliveriesResponse, tonic::Status> {
    let messages: Vec<pb::ReportDeliveriesRequest> = batches
        .into_iter()
        .enumerate()
        .map(|(i, deliveries)| pb::ReportDeliveriesRequest {
            request_id: if i == 0 { request_id.into() } else { String::new() },
            deliveries,
        })
        .collect();
    Ok(client.report_deliveries(tokio_stream::iter(messages)).await?.into_inner())
}
