//! Finance's service: committee frames, the append-only ledger, follow-up, deviation
//! explanations, quarterly net-zero reallocation, export and reconciliation.
//!
//! This crate holds the service's own parts; the server, configuration, telemetry and database
//! plumbing it shares with the other services live in `afregning-kit`.

use afregning_kit::db::Migrations;
use afregning_kit::server::ServiceContext;
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

/// The service's RPC routes. The server already carries health and reflection; the
/// `afregning.budget.v1.BudgetService` RPCs are added here as they are built.
pub fn routes(_context: ServiceContext) -> anyhow::Result<Routes> {
    Ok(Routes::default())
}
