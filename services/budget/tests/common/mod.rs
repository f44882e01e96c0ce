//! What budget's API tests share: the principals and their tokens, the example catalog, a client
//! as one principal, and a settlement posting recorded as the follower records one.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use afregning_budget::store::Store;
use afregning_kit::auth::{Authenticator, Outgoing};
use afregning_kit::testing::TestServer;
use afregning_proto::budget::v1::budget_service_client::BudgetServiceClient;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pbs;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

pub const EHR: &str = "test-token-ehr-nexus-0001";
pub const SETTLEMENT: &str = "test-token-service-settlement";
pub const BUDGET: &str = "test-token-service-budget-01";
pub const OPERATOR: &str = "test-token-operator-00001";
pub const FINANCE: &str = "test-token-finance-dept-01";
pub const SOCIAL: &str = "test-token-committee-social";
pub const HEALTH: &str = "test-token-committee-health";
pub const FINANCE_COMMITTEE: &str = "test-token-committee-finance";

/// Budget's client as one principal.
pub type Client = BudgetServiceClient<InterceptedService<Channel, Outgoing>>;

/// Every test principal by its token.
pub fn auth() -> Authenticator {
    let tokens: BTreeMap<String, String> = [
        (EHR, "ehr:nexus"),
        (SETTLEMENT, "service:settlement"),
        (BUDGET, "service:budget"),
        (OPERATOR, "operator"),
        (FINANCE, "finance"),
        (SOCIAL, "committee:SOCIAL"),
        (HEALTH, "committee:HEALTH"),
        (FINANCE_COMMITTEE, "committee:FINANCE"),
    ]
    .into_iter()
    .map(|(t, p)| (t.to_owned(), p.to_owned()))
    .collect();
    Authenticator::from_tokens(&tokens).unwrap()
}

/// The example catalog of 2026.
pub fn catalogs() -> afregning_tariff::CatalogSet {
    afregning_kit::catalogs::load(&[PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/catalog-2026.toml"
    ))])
    .unwrap()
}

/// Budget at `server` as the principal holding `token`.
pub async fn client(server: &TestServer, token: &str) -> Client {
    BudgetServiceClient::with_interceptor(server.channel().await, Outgoing::new(Some(token)))
}

/// A settlement posting of `month` of 2026, recorded as budget's follower records one.
pub async fn posting(store: &Store, id: &str, paying: &str, need: &str, month: i32, amount: i64) {
    let p = pbs::Posting {
        sequence: 0,
        posting_id: id.into(),
        statement_id: format!("st-{id}"),
        provider_id: "prv_traening".into(),
        period: Some(pbc::Period { year: 2026, month }),
        paying_frame: paying.into(),
        need_frame: need.into(),
        account: "5.30.26".into(),
        amount_ore: amount,
        committed_at: None,
        trace_parent: String::new(),
    };
    afregning_budget::follower::record_posting(store, &p).await.unwrap();
}
