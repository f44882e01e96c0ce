//! The providers' service: deliveries, monthly settlement runs, immutable statements, true-up,
//! and the postings feed that budget follows.
//!
//! The crate is laid out in rooms, so "where does X live?" is answered by a file name:
//!
//! * [`domain`] — settlement's own types and rules as pure functions, with unit tests beside
//!   them: typed ids ([`domain::ids`]), which grant version is in force ([`domain::grant`]),
//!   delivery control ([`domain::delivery`]), pricing a month with the tariff
//!   ([`domain::pricing`]), statement lines ([`domain::line`]), corrections — reversals,
//!   rebookings, supplements ([`domain::correction`]), statements ([`domain::statement`]), the
//!   seal ([`domain::seal`]), postings ([`domain::posting`]), the true-up ([`domain::true_up`]),
//!   the CSV export ([`domain::export`]) and run states ([`domain::run`]).
//! * [`app`] — the use cases: a provider's month priced into a draft ([`app::pricing`]), the
//!   settlement run loop ([`app::run`]), the true-up, reporting and correcting deliveries,
//!   issuing statements, the steering-model comparison.
//! * [`grpc`] — the `SettlementService` RPCs, one file per group, with the one role table
//!   (`grpc/roles.rs`) and the wire conversions (`grpc/convert.rs`).
//! * [`store`] — rows and queries on SQLite or PostgreSQL, mapped to domain types; the only
//!   place with SQL. `store/line_codec.rs` is a statement line's encoding: the wire message, the
//!   stored bytes and what the seal hashes, written once.
//! * [`follower`] — mirrors grant versions and providers from visitation's feed.
//! * [`error`] — settlement's failures and the gRPC code each maps to.

pub mod app;
pub mod domain;
pub mod error;
pub mod follower;
pub mod grpc;
pub mod store;

use afregning_kit::auth::Authenticator;
use afregning_kit::db::Migrations;
use afregning_kit::server::ServiceContext;
use afregning_proto::settlement::v1::settlement_service_server::SettlementServiceServer;
use tonic::service::Routes;

/// The service's name in configuration and logs.
pub const SERVICE: &str = "settlement";

/// Fully qualified gRPC service name, as listed by reflection and checked by health.
pub const GRPC_NAME: &str = "afregning.settlement.v1.SettlementService";

/// The service's schema on each backend (its migrations live beside the store's queries).
pub const MIGRATIONS: Migrations = store::MIGRATIONS;

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
    let boot = chrono::Utc::now();
    tokio::spawn(async move {
        match store.interrupt_runs(boot, chrono::Utc::now()).await {
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
