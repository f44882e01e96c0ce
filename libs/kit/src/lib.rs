//! What every Afregning service needs once, so the three services start, log, fail and stop the
//! same way.
//!
//! * [`auth`] — principals from bearer tokens, loopback-only without authentication, per-RPC roles.
//! * [`clock`] — today's date in Denmark, read here and passed inward.
//! * [`catalogs`] — the tariff catalog files of a deployment, read and validated at start.
//! * [`config`] — layered configuration: defaults, then a TOML file, then the environment.
//! * [`telemetry`] — JSON or pretty logs, OpenTelemetry export over OTLP, W3C trace context in and out.
//! * [`error`] — the small fixed set of API errors, each mapped to one gRPC code, with field violations.
//! * [`input`] — every request's text and enum fields checked at the edge, faults named by field.
//! * [`db`] — SQLite (embedded default) or PostgreSQL pools, with each service's migrations.
//! * [`store`] — the write transaction for both backends, idempotency records, the ordered feed.
//! * [`follow`] — following another service's feed with a cursor kept beside its effects.
//! * [`paging`] — page sizes and opaque page tokens for every list call.
//! * [`server`] — the gRPC server with health, reflection, request spans and graceful shutdown.
//! * [`testing`] — start a service on port 0 with a fresh database, and check a built binary.

pub mod auth;
pub mod catalogs;
pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod follow;
pub mod input;
pub mod paging;
pub mod server;
pub mod store;
pub mod telemetry;
pub mod testing;
pub mod tls;

pub use config::ServiceConfig;
pub use error::{ApiError, Field, FieldViolation, Violations};
