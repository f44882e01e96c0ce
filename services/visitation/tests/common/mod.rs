//! Starts visitation on a fresh database of either backend and gives a real gRPC client, plus
//! builders for the requests the tests send.

#![allow(dead_code)]

use std::path::PathBuf;

use afregning_kit::config::ServiceConfig;
use afregning_kit::server::{ServiceContext, ServiceSpec};
use afregning_kit::testing::{Backend, TestDatabase, TestServer};
use afregning_proto::common::v1 as pbc;
use afregning_proto::visitation::v1 as pb;
use afregning_proto::visitation::v1::visitation_service_client::VisitationServiceClient;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use tonic_types::StatusExt;

pub type Client = VisitationServiceClient<InterceptedService<Channel, Bearer>>;

pub struct Running {
    pub client: Client,
    pub server: TestServer,
    _db: TestDatabase,
}

pub async fn start(backend: Backend) -> Running {
    let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("warn").try_init();
    let db = TestDatabase::new(backend).await;
    let database = db.connect(afregning_visitation::MIGRATIONS).await;
    let catalog = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy/catalog-2026.toml"));
    let catalogs = afregning_kit::catalogs::load(&[catalog]).unwrap();
    let auth = afregning_kit::auth::Authenticator::from_tokens(&tokens()).unwrap();
    let context = ServiceContext {
        config: ServiceConfig::defaults("visitation"),
        database: database.clone(),
        catalogs,
        auth,
    };
    let routes = afregning_visitation::routes(context).unwrap();
    let server = TestServer::start(ServiceSpec {
        grpc_name: afregning_visitation::GRPC_NAME,
        routes,
        database,
    })
    .await;
    let client = VisitationServiceClient::with_interceptor(server.channel().await, bearer(EHR_TOKEN));
    Running { client, server, _db: db }
}

pub const EHR_TOKEN: &str = "test-token-ehr-nexus";
pub const SETTLEMENT_TOKEN: &str = "test-token-service-settlement";
pub const PROVIDER_TOKEN: &str = "test-token-provider-nord";
pub const PROVIDER_SYD_TOKEN: &str = "test-token-provider-syd";
pub const FINANCE_TOKEN: &str = "test-token-finance-dept";
pub const BUDGET_TOKEN: &str = "test-token-service-budget";

/// The principals the tests call as.
pub fn tokens() -> std::collections::BTreeMap<String, String> {
    [
        (EHR_TOKEN, "ehr:nexus"),
        (SETTLEMENT_TOKEN, "service:settlement"),
        (PROVIDER_TOKEN, "provider:prv_nord"),
        (PROVIDER_SYD_TOKEN, "provider:prv_syd"),
        (FINANCE_TOKEN, "finance"),
        (BUDGET_TOKEN, "service:budget"),
    ]
    .into_iter()
    .map(|(t, p)| (t.to_owned(), p.to_owned()))
    .collect()
}

/// An interceptor that presents a bearer token.
#[derive(Clone, Copy)]
pub struct Bearer(pub &'static str);

impl tonic::service::Interceptor for Bearer {
    fn call(&mut self, mut request: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        request
            .metadata_mut()
            .insert("authorization", format!("Bearer {}", self.0).parse().unwrap());
        Ok(request)
    }
}

fn bearer(token: &'static str) -> Bearer {
    Bearer(token)
}

/// A client of `running` that calls as the principal of `token`.
pub async fn client_as(running: &Running, token: &'static str) -> Client {
    VisitationServiceClient::with_interceptor(running.server.channel().await, bearer(token))
}

pub fn d(y: i32, m: i32, day: i32) -> Option<pbc::Date> {
    Some(pbc::Date { year: y, month: m, day })
}

pub fn rid(name: &str) -> String {
    format!("{name}-{}", uuid_like())
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!("{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// The fields named by a status's bad-request details.
pub fn fields(status: &tonic::Status) -> Vec<String> {
    status
        .get_details_bad_request()
        .map(|b| b.field_violations.into_iter().map(|f| f.field).collect())
        .unwrap_or_default()
}

pub async fn provider(client: &mut Client, name: &str, approved_for: &[&str]) -> String {
    client
        .register_provider(pb::RegisterProviderRequest {
            request_id: rid("prov"),
            cvr: "29189668".into(),
            name: name.into(),
            kind: pbc::ProviderKind::Municipal as i32,
            committee: "SOCIAL".into(),
            approved_for: approved_for.iter().map(|s| s.to_string()).collect(),
            provider_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner()
        .provider_id
}

/// Registers a provider under an id of the authority's choosing (so a token can name it).
pub async fn provider_with_id(client: &mut Client, provider_id: &str, name: &str, approved_for: &[&str]) -> String {
    client
        .register_provider(pb::RegisterProviderRequest {
            request_id: rid("prov"),
            cvr: "29189668".into(),
            name: name.into(),
            kind: pbc::ProviderKind::Private as i32,
            committee: "SOCIAL".into(),
            approved_for: approved_for.iter().map(|s| s.to_string()).collect(),
            provider_id: provider_id.into(),
        })
        .await
        .unwrap()
        .into_inner()
        .provider_id
}

pub async fn citizen(client: &mut Client, cpr: &str) -> String {
    client
        .register_citizen(pb::RegisterCitizenRequest {
            request_id: rid("cit"),
            cpr: cpr.into(),
        })
        .await
        .unwrap()
        .into_inner()
        .citizen_id
}

pub fn lead(provider_id: &str) -> Vec<pbc::ProviderShare> {
    vec![pbc::ProviderShare {
        provider_id: provider_id.into(),
        share_percent: 100,
        lead: true,
    }]
}

pub fn service_terms(provider_id: &str, category: &str, legal_basis: &str, intervention: &str, minutes: u32) -> pb::GrantTerms {
    pb::GrantTerms {
        unit_kind: pbc::UnitKind::Service as i32,
        legal_basis: legal_basis.into(),
        intervention: intervention.into(),
        visited_minutes_per_week: minutes,
        service_category: category.into(),
        providers: lead(provider_id),
        ..Default::default()
    }
}

pub fn course_terms(provider_id: &str, course_type: pbc::CourseType, minutes: u32) -> pb::GrantTerms {
    pb::GrantTerms {
        unit_kind: pbc::UnitKind::Course as i32,
        legal_basis: "SEL-83a".into(),
        intervention: "hverdagsrehabilitering".into(),
        visited_minutes_per_week: minutes,
        course_type: course_type as i32,
        providers: lead(provider_id),
        ..Default::default()
    }
}

pub fn decide(citizen_id: &str, terms: pb::GrantTerms, start: Option<pbc::Date>) -> pb::DecideGrantRequest {
    pb::DecideGrantRequest {
        request_id: rid("decide"),
        citizen_id: citizen_id.into(),
        terms: Some(terms),
        start,
        end: None,
        decided_on: start,
    }
}
