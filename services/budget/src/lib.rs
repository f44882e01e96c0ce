//! Finance's service: committee frames, the append-only ledger, follow-up, deviation
//! explanations and month close, quarterly net-zero reallocation, export and reconciliation.
//!
//! Where things live:
//!
//! * [`domain`] — the service's own types and rules, pure and unit-tested, with no wire, SQL or
//!   clock: typed codes ([`domain::ids`]), frames and monthly profiles ([`domain::frame`]), ledger
//!   entries and their sources ([`domain::ledger`]), follow-up figures — budget, consumed,
//!   expected rest, expected result, and the commitments of active grants
//!   ([`domain::follow_up`]), month close ([`domain::month_close`]), the reallocation netting and
//!   its state machine ([`domain::reallocation`]), export and reconciliation
//!   ([`domain::reconcile`]), and why a rule refuses ([`domain::error`]).
//! * [`app`] — the use cases, one transaction each, and the feed followers ([`app::follower`]).
//! * [`grpc`] — the `BudgetService` RPCs per group, the role table (`grpc::Rpc`) and the wire
//!   conversions ([`grpc::convert`]).
//! * [`store`] — every query, written once for SQLite and PostgreSQL, mapping rows to domain types.

pub mod app;
pub mod domain;
pub mod grpc;
pub mod store;

/// Settlement's postings and visitation's grants followed in the background (kept at its old
/// path for the crates that start the followers themselves).
pub use app::follower;

use afregning_kit::db::Migrations;
use afregning_kit::server::ServiceContext;
use afregning_proto::budget::v1::budget_service_server::BudgetServiceServer;
use tonic::service::Routes;

/// The service's name in configuration and logs.
pub const SERVICE: &str = "budget";

/// Fully qualified gRPC service name, as listed by reflection and checked by health.
pub const GRPC_NAME: &str = "afregning.budget.v1.BudgetService";

/// The service's schema on each backend (its migrations live beside the store's queries).
pub const MIGRATIONS: Migrations = store::MIGRATIONS;

/// The service as the kit runs it: in its own binary or beside the others in `afregning up`.
pub const DEF: afregning_kit::server::ServiceDef = afregning_kit::server::ServiceDef {
    service: SERVICE,
    grpc_name: GRPC_NAME,
    migrations: MIGRATIONS,
    routes,
};

/// The service's RPC routes, with the postings and grant followers started in the background.
pub fn routes(context: ServiceContext) -> anyhow::Result<Routes> {
    let store = store::Store::new(context.database);
    let settlement = afregning_kit::follow::Upstream::from_config(&context.config, &context.config.settlement_url)?;
    let visitation = afregning_kit::follow::Upstream::from_config(&context.config, &context.config.visitation_url)?;
    follower::spawn(store.clone(), settlement);
    follower::spawn_grants(store.clone(), visitation);
    Ok(service_routes(
        store,
        context.config.overrun_threshold_ore,
        std::sync::Arc::new(context.catalogs),
        &context.auth,
    ))
}

/// The RPC routes alone, for callers that run the followers themselves.
pub fn service_routes(
    store: store::Store,
    overrun_threshold_ore: i64,
    catalogs: std::sync::Arc<afregning_tariff::CatalogSet>,
    auth: &afregning_kit::auth::Authenticator,
) -> Routes {
    let app = app::Budget::new(store, afregning_tariff::Ore::new(overrun_threshold_ore), catalogs);
    Routes::new(BudgetServiceServer::with_interceptor(grpc::Budget::new(app), auth.interceptor()))
}
