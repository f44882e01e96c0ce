//! The authority's service: citizens, FSIII assessments and grants, as the municipal EHR records
//! them, and the ordered grant feed that settlement and budget follow.
//!
//! This crate holds the service's own parts; the server, configuration, telemetry and database
//! plumbing it shares with the other services live in `afregning-kit`.

use afregning_kit::db::Migrations;
use afregning_kit::server::ServiceContext;
use sqlx::migrate::Migrator;
use tonic::service::Routes;

/// The service's name in configuration and logs.
pub const SERVICE: &str = "visitation";

/// Fully qualified gRPC service name, as listed by reflection and checked by health.
pub const GRPC_NAME: &str = "afregning.visitation.v1.VisitationService";

static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

/// The service's schema on each backend.
pub const MIGRATIONS: Migrations = Migrations {
    sqlite: &SQLITE,
    postgres: &POSTGRES,
};

/// The service's RPC routes. The server already carries health and reflection; the
/// `afregning.visitation.v1.VisitationService` RPCs are added here as they are built.
pub fn routes(_context: ServiceContext) -> anyhow::Result<Routes> {
    Ok(Routes::default())
}
