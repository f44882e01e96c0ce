//! The providers' service: deliveries, monthly settlement runs, immutable statements, true-up,
//! and the postings feed that budget follows.
//!
//! * [`engine`] — one provider's period priced into statement lines, with the tariff.
//! * [`follower`] — mirrors grant versions and providers from visitation's feed.
//! * [`grants`] — which mirrored grant version is in force on a day, and what it allows.
//! * [`run`] — settlement runs: drafts with corrections and input copies.
//! * [`steering`] — the steering-model comparison over the same grants and deliveries.
//! * [`grpc`] — the `SettlementService` RPCs.
//! * [`store`] — one implementation of every query, on SQLite or PostgreSQL.

pub mod engine;
pub mod follower;
pub mod grants;
pub mod grpc;
pub mod run;
pub mod steering;
pub mod store;

use afregning_kit::auth::Authenticator;
use afregning_kit::db::Migrations;
use afregning_kit::server::ServiceContext;
use afregning_proto::settlement::v1::settlement_service_server::SettlementServiceServer;
use sqlx::migrate::Migrator;
use tonic::service::Routes;

/// The service's name in configuration and logs.
pub const SERVICE: &str = "settlement";

/// Fully qualified gRPC service name, as listed by reflection and checked by health.
pub const GRPC_NAME: &str = "afregning.settlement.v1.SettlementService";

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

/// The service's RPC routes, with the grant follower started in the background.
pub fn routes(context: ServiceContext) -> anyhow::Result<Routes> {
    let store = store::Store::new(context.database);
    let visitation = afregning_kit::follow::Upstream::from_config(&context.config, &context.config.visitation_url)?;
    follower::spawn(store.clone(), visitation);
    interrupted_runs(store.clone());
    Ok(service_routes(store, context.catalogs, &context.auth))
}

/// Marks the runs a stopped process left going as interrupted, in the background, so
/// `GetSettlementRun` does not show them running for ever; a retry with their request id
/// completes them. Runs started by this process are left alone.
fn interrupted_runs(store: store::Store) {
    let boot = afregning_kit::store::timestamp(chrono::Utc::now());
    tokio::spawn(async move {
        match store
            .interrupt_runs(&boot, &afregning_kit::store::timestamp(chrono::Utc::now()))
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::warn!(runs = n, "settlement runs left going by a stopped process are marked interrupted"),
            Err(error) => tracing::error!(error = %error, "could not mark interrupted settlement runs"),
        }
    });
}

/// The RPC routes alone, for callers that run the follower themselves.
pub fn service_routes(store: store::Store, catalogs: afregning_tariff::CatalogSet, auth: &Authenticator) -> Routes {
    let service = grpc::Settlement::new(store, std::sync::Arc::new(catalogs));
    Routes::new(SettlementServiceServer::with_interceptor(service, auth.interceptor()))
}
