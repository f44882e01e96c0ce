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
pub const FINANCE: &str = "test-token-finance-000001";
pub const PLEJEGRUPPEN: &str = "test-token-provider-plejegruppen-01";

/// Every unit of the 2026 catalog a test provider may be approved for.
pub const EVERY_UNIT: &[&str] = &[
    "personal_care",
    "personal_care_package",
    "course:DEVELOPING",
    "course:INDIVIDUAL",
    "course:MAINTAINING",
];

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

/// The shipped 2026 catalog, and a 2025 one for grants that cross New Year.
pub fn catalogs() -> afregning_tariff::CatalogSet {
    afregning_kit::catalogs::load(&[
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/catalog-2025.toml")),
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy/catalog-2026.toml")),
    ])
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
    let nord = provider(&mut ehr, "nord", EVERY_UNIT).await;
    let plejegruppen = provider(&mut ehr, "plejegruppen", &["personal_care"]).await;
    Suite {
        ehr,
        visitation,
        _visitation_db: visitation_db,
        settlement_db: TestDatabase::new(backend).await,
        nord,
        plejegruppen,
    }
}

/// Registers a municipal provider approved for `approved`; its id.
pub async fn provider(ehr: &mut Visitation, name: &str, approved: &[&str]) -> String {
    let request = pbv::RegisterProviderRequest {
        request_id: format!("prov-{name}"),
        cvr: "29189668".into(),
        name: name.into(),
        kind: pbc::ProviderKind::Municipal as i32,
        committee: "SOCIAL".into(),
        approved_for: approved.iter().map(|s| s.to_string()).collect(),
        provider_id: String::new(),
    };
    ehr.register_provider(request).await.unwrap().into_inner().provider_id
}

/// The shipped catalogs with personal care paid on the `delivered_capped` basis with `tolerance`
/// keys (empty: the default 10 %).
pub fn capped_catalogs(tolerance: &str) -> afregning_tariff::CatalogSet {
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy/catalog-2026.toml")).unwrap();
    // The shipped catalog controls personal care at 10 % itself; the test states its own tolerance.
    let control = "# Delivery control: delivered minutes are paid up to the visited minutes plus 10 %.\nbasis = \"delivered_capped\"\ntolerance_percent = 10\n";
    assert!(shipped.contains(control), "the shipped catalog controls personal care");
    let capped = shipped.replace(control, "").replace(
        "[categories.personal_care]\n",
        &format!("[categories.personal_care]\nbasis = \"delivered_capped\"\n{tolerance}"),
    );
    assert_ne!(capped, shipped, "the shipped catalog has a personal care category");
    let older = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/catalog-2025.toml")).unwrap();
    afregning_tariff::CatalogSet::new(vec![
        afregning_tariff::Catalog::from_toml_str(&older).unwrap(),
        afregning_tariff::Catalog::from_toml_str(&capped).unwrap(),
    ])
    .unwrap()
}

/// Starts settlement on the suite's settlement database, following visitation.
pub async fn settlement(suite: &Suite) -> (TestServer, tokio::task::JoinHandle<()>, Store) {
    settlement_with(suite, catalogs()).await
}

/// [`settlement`] pricing with `catalogs`; besides the operator, `NORD` and `PLEJEGRUPPEN` are
/// the two providers and `FINANCE` is finance.
pub async fn settlement_with(suite: &Suite, catalogs: afregning_tariff::CatalogSet) -> (TestServer, tokio::task::JoinHandle<()>, Store) {
    let database = suite.settlement_db.connect(afregning_settlement::MIGRATIONS).await;
    let store = Store::new(database.clone());
    let visitation = afregning_kit::follow::Upstream::new(format!("http://{}", suite.visitation.addr), Some(SETTLEMENT.to_owned()));
    let follower = afregning_settlement::follower::spawn(store.clone(), visitation);
    let auth = Authenticator::from_tokens(&tokens(&[
        (NORD, format!("provider:{}", suite.nord)),
        (PLEJEGRUPPEN, format!("provider:{}", suite.plejegruppen)),
        (FINANCE, "finance".to_owned()),
    ]))
    .unwrap();
    let routes = afregning_settlement::service_routes(store.clone(), catalogs, &auth);
    let server = TestServer::start(ServiceSpec {
        grpc_name: afregning_settlement::GRPC_NAME,
        routes,
        database,
    })
    .await;
    (server, follower, store)
}

/// The field a refusal names, or empty.
pub fn field_of(status: &tonic::Status) -> String {
    use tonic_types::StatusExt as _;
    status
        .get_details_bad_request()
        .and_then(|b| b.field_violations.first().map(|v| v.field.clone()))
        .unwrap_or_default()
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

/// Waits until settlement has applied everything visitation has published so far.
pub async fn synced(ehr: &mut Visitation, store: &Store) {
    let published = ehr
        .get_feed_positions(pbc::GetFeedPositionsRequest {})
        .await
        .unwrap()
        .into_inner()
        .published_sequence;
    caught_up(store, i64::try_from(published).unwrap()).await;
}

/// Waits until settlement's cursor reaches `expected` (the events a test wrote; the deployment's
/// catalogs, published at start in the background, may come before or after them).
pub async fn caught_up(store: &Store, expected: i64) {
    for _ in 0..200 {
        if store.cursor(afregning_settlement::store::VISITATION_FEED).await.unwrap() >= expected {
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

pub fn share(provider: &str, percent: u32, lead: bool) -> pbc::ProviderShare {
    pbc::ProviderShare {
        provider_id: provider.into(),
        share_percent: percent,
        lead,
    }
}

/// The statements of a period, by provider id.
pub async fn statements(client: &mut Settlement, period: (i32, i32)) -> BTreeMap<String, pb::Statement> {
    let request = pb::ListStatementsRequest {
        provider_id: String::new(),
        period: Some(pbc::Period {
            year: period.0,
            month: period.1,
        }),
        state: 0,
        page: None,
    };
    client
        .list_statements(request)
        .await
        .unwrap()
        .into_inner()
        .statements
        .into_iter()
        .map(|s| (s.provider_id.clone(), s))
        .collect()
}

/// A statement's lines in order.
pub async fn lines(client: &mut Settlement, statement_id: &str) -> Vec<pb::StatementLine> {
    let mut stream = client
        .stream_statement_lines(pb::StreamStatementLinesRequest {
            statement_id: statement_id.into(),
        })
        .await
        .unwrap()
        .into_inner();
    let mut out = Vec::new();
    while let Some(line) = stream.message().await.unwrap() {
        out.push(line);
    }
    out
}

/// Runs a period to its end; the progress messages.
pub async fn run(client: &mut Settlement, id: &str, period: (i32, i32)) -> Vec<pb::SettlementProgress> {
    let request = pb::RunSettlementRequest {
        request_id: id.into(),
        period: Some(pbc::Period {
            year: period.0,
            month: period.1,
        }),
    };
    let mut stream = client.run_settlement(request).await.unwrap().into_inner();
    let mut progress = Vec::new();
    while let Some(p) = stream.message().await.unwrap() {
        progress.push(p);
    }
    progress
}

/// Every posting issued so far, in order.
pub async fn postings(client: &mut Settlement) -> Vec<pb::Posting> {
    let mut stream = client
        .stream_postings(pb::StreamPostingsRequest {
            after_sequence: 0,
            follow: false,
            max_events: 0,
        })
        .await
        .unwrap()
        .into_inner();
    let mut out = Vec::new();
    while let Some(p) = stream.message().await.unwrap() {
        out.push(p);
    }
    out
}

/// Issues every draft of a period; the issued statements by provider id.
pub async fn issue_all(client: &mut Settlement, period: (i32, i32)) -> BTreeMap<String, pb::Statement> {
    let mut issued = BTreeMap::new();
    for (provider_id, st) in statements(client, period).await {
        if st.state == pb::StatementState::Issued as i32 {
            issued.insert(provider_id, st);
            continue;
        }
        let request = pb::IssueStatementRequest {
            request_id: format!("issue-{}", st.statement_id),
            statement_id: st.statement_id.clone(),
        };
        issued.insert(provider_id, client.issue_statement(request).await.unwrap().into_inner());
    }
    issued
}

/// A new citizen with one grant of `terms`, decided on `decided_on`.
pub async fn decided(
    ehr: &mut Visitation,
    name: &str,
    cpr: &str,
    terms: pbv::GrantTerms,
    start: Option<pbc::Date>,
    decided_on: Option<pbc::Date>,
) -> pbv::Grant {
    let citizen_id = citizen(ehr, cpr).await;
    let request = pbv::DecideGrantRequest {
        request_id: format!("decide-{name}"),
        citizen_id,
        terms: Some(terms),
        start,
        end: None,
        decided_on,
    };
    ehr.decide_grant(request).await.unwrap().into_inner()
}
