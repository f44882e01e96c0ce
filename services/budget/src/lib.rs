//! Finance's service: committee frames, the append-only ledger, follow-up, deviation
//! explanations, quarterly net-zero reallocation, export and reconciliation.
//!
//! * [`follow_up`] — a frame's follow-up figures at a date, from running totals.
//! * [`follower`] — settlement's postings into the ledger.
//! * [`reallocation`] — netting the quarter's cross-frame purchases into cases.
//! * [`grpc`] — the `BudgetService` RPCs.
//! * [`store`] — one implementation of every query, on SQLite or PostgreSQL.

pub mod follow_up;
pub mod follower;
pub mod grpc;
pub mod reallocation;
pub mod store;

use afregning_kit::db::Migrations;
use afregning_kit::server::ServiceContext;
use afregning_proto::budget::v1::budget_service_server::BudgetServiceServer;
use sqlx::migrate::Migrator;
use tonic::service::Routes;

/// The service's name in configuration and logs.
pub const SERVICE: &str = "budget";

/// Fully qualified gRPC service name, as listed by reflection and checked by health.
pub const GRPC_NAME: &str = "afregning.budget.v1.BudgetService";

static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

/// The service's schema on each backend.
pub const MIGRATIONS: Migrations = Migrations {
    sqlite: &SQLITE,
    postgres: &POSTGRES,
};

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

/// The RPC routes alone, for callers that run the follower themselves.
pub fn service_routes(
    store: store::Store,
    overrun_threshold_ore: i64,
    catalogs: std::sync::Arc<afregning_tariff::CatalogSet>,
    auth: &afregning_kit::auth::Authenticator,
) -> Routes {
    Routes::new(BudgetServiceServer::with_interceptor(
        grpc::Budget::new(store, overrun_threshold_ore, catalogs),
        auth.interceptor(),
    ))
}
