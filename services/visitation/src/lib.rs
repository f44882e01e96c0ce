//! The authority's service: citizens, FSIII assessments and grants, as the municipal EHR records
//! them, and the ordered grant feed that settlement and budget follow.
//!
//! * [`domain`] — grants as versions, the commands that change them, and what the tariff derives.
//! * [`convert`] — wire ↔ domain.
//! * [`grpc`] — the `VisitationService` RPCs.
//! * [`store`] — one implementation of every query, on SQLite or PostgreSQL.

pub mod convert;
pub mod domain;
pub mod grpc;
pub mod store;

use afregning_kit::db::Migrations;
use afregning_kit::server::ServiceContext;
use afregning_proto::visitation::v1::visitation_service_server::VisitationServiceServer;
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

/// The service as the kit runs it: in its own binary or beside the others in `afregning up`.
pub const DEF: afregning_kit::server::ServiceDef = afregning_kit::server::ServiceDef {
    service: SERVICE,
    grpc_name: GRPC_NAME,
    migrations: MIGRATIONS,
    routes,
};

/// The service's RPC routes.
pub fn routes(context: ServiceContext) -> anyhow::Result<Routes> {
    let service = grpc::Visitation::new(store::Store::new(context.database), context.catalogs);
    Ok(Routes::new(VisitationServiceServer::with_interceptor(
        service,
        context.auth.interceptor(),
    )))
}
