//! The authority's service: citizens, FSIII assessments and grants, as the municipal EHR records
//! them, and the ordered grant feed that settlement and budget follow.
//!
//! Rooms, and where the rules live:
//!
//! * [`domain`] — the service's own types and rules, pure and unit-tested, no wire or database:
//!   * `domain/grant.rs` — a grant's shape and its first version, derived with the tariff
//!     (paying frame, course period, expected weekly cost);
//!   * `domain/change.rs` — the grant's later versions (revisit, provider change, suspension,
//!     resumption, end) and which version is in force on a day;
//!   * `domain/overlap.rs` — no two grants of one intervention on the same day;
//!   * `domain/approval.rs` — a provider must be approved for the grant's unit;
//!   * `domain/shares.rs` — provider shares (one lead, whole percentages adding up to 100);
//!   * `domain/progression.rs` — visited hours before, during and after a course, FSIII
//!     progress, the cockpit's rows and the hours bands;
//!   * `domain/citizen.rs` — citizens behind their CPR number (`Cpr`, masked in `Debug`), who
//!     may be registered, the audit log's entries;
//!   * `domain/assessment.rs` — FSIII function scores;
//!   * `domain/provider.rs`, `domain/ids.rs`, `domain/feed.rs` — providers, typed ids, what the
//!     grant feed carries, `domain/digits.rs` — how CPR and CVR numbers are written in stored
//!     JSON; `domain/error.rs` — every way the rules refuse.
//! * [`app`] — the use cases: load → rule → write, each write in one transaction with its feed
//!   event and idempotency record.
//! * [`grpc`] — the `VisitationService` RPCs, one file per group; the role table is
//!   `grpc/roles.rs`, wire ↔ domain is `grpc/convert.rs`, errors onto codes and field names is
//!   `grpc/errors.rs`.
//! * [`store`] — every query, written once for SQLite and PostgreSQL, mapping rows to domain
//!   types; the only place with SQL.

pub mod app;
pub mod domain;
pub mod grpc;
pub mod store;

use afregning_kit::db::Migrations;
use afregning_kit::server::ServiceContext;
use afregning_proto::visitation::v1::visitation_service_server::VisitationServiceServer;
use tonic::service::Routes;

/// The service's name in configuration and logs.
pub const SERVICE: &str = "visitation";

/// Fully qualified gRPC service name, as listed by reflection and checked by health.
pub const GRPC_NAME: &str = "afregning.visitation.v1.VisitationService";

/// The service's schema on each backend (its migrations live beside the store's queries).
pub const MIGRATIONS: Migrations = store::MIGRATIONS;

/// The service as the kit runs it: in its own binary or beside the others in `afregning up`.
pub const DEF: afregning_kit::server::ServiceDef = afregning_kit::server::ServiceDef {
    service: SERVICE,
    grpc_name: GRPC_NAME,
    migrations: MIGRATIONS,
    routes,
};

/// The service's RPC routes. The deployment's catalog files are published first, in the background (see
/// [`app::App::publishing_files_first`]).
pub fn routes(context: ServiceContext) -> anyhow::Result<Routes> {
    let paths = context.config.catalogs.clone();
    let order_ack_hours = context.config.order_ack_hours;
    let app = app::App::new(store::Store::new(context.database), context.catalogs, order_ack_hours)
        .publishing_files_first(paths, grpc::catalog_answer);
    let service = grpc::Visitation::from_app(app);
    Ok(Routes::new(VisitationServiceServer::with_interceptor(
        service,
        context.auth.interceptor(),
    )))
}
