//! Layered configuration (file, then environment), the same shape for every service.
//!
//! Sources, later ones winning:
//! 1. built-in defaults (each service's default port, SQLite under `data/`);
//! 2. a TOML file named by `AFREGNING_CONFIG` (if set): its `[default]` table applies to every
//!    service and a `[visitation]`, `[settlement]` or `[budget]` table to that service only;
//! 3. environment variables `AFREGNING_<KEY>` for every service, then
//!    `AFREGNING_<SERVICE>_<KEY>` for one (e.g. `AFREGNING_VISITATION_LISTEN=0.0.0.0:50051`).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// How logs are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One JSON object per line, for log collectors.
    Json,
    /// Human-readable, for a terminal.
    Pretty,
}

/// One service's settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceConfig {
    /// Service name: `visitation`, `settlement` or `budget`. Set by the binary, not by config.
    pub service: String,
    /// Address the gRPC server binds.
    pub listen: SocketAddr,
    /// `sqlite://path/to/file.db` (embedded default) or `postgres://…`.
    pub database_url: String,
    /// Maximum pooled database connections.
    pub database_max_connections: u32,
    /// Log format.
    pub log_format: LogFormat,
    /// `tracing` filter directives, e.g. `info,sqlx=warn`.
    pub log_filter: String,
    /// OTLP/gRPC endpoint of an OpenTelemetry collector, e.g. `http://127.0.0.1:4317`; unset: no export.
    pub otlp_endpoint: Option<String>,
    /// Tariff catalog files, one per budget year.
    pub catalogs: Vec<PathBuf>,
    /// Where visitation listens, for the services that follow its grant feed.
    pub visitation_url: String,
    /// Where settlement listens, for the services that follow its postings feed.
    pub settlement_url: String,
    /// The bearer token this service presents to the services it follows, if they require one.
    pub upstream_token: Option<String>,
    /// Budget: an expected overrun larger than this (øre) needs a deviation explanation before
    /// the frame's month can be closed.
    pub overrun_threshold_ore: i64,
    /// Visitation: an order a provider has not acknowledged this many hours after it was
    /// recorded is listed to the authority as unacknowledged (when the caller names no other age).
    pub order_ack_hours: u32,
    /// Bearer token → principal (`ehr:<name>`, `provider:<id>`, `finance`, `committee:<CODE>`,
    /// `operator`, `service:<name>`). Empty: no authentication, loopback only.
    pub auth_tokens: BTreeMap<String, String>,
    /// This service's certificate (PEM), for TLS; with `tls_key`.
    pub tls_cert: Option<PathBuf>,
    /// The private key of `tls_cert` (PEM).
    pub tls_key: Option<PathBuf>,
    /// The CA that signs callers' certificates (and upstream services'); when set, every caller
    /// must present a certificate it signed.
    pub tls_ca: Option<PathBuf>,
    /// Certificate name (subject CN or DNS name) → principal, e.g. `"nexus.ehr.kommune.dk" = "ehr:nexus"`.
    pub cert_principals: BTreeMap<String, String>,
}

/// Why configuration could not be read.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(#[from] Box<figment::Error>);

impl ServiceConfig {
    /// Built-in defaults for `service` (ports 50051, 50052 and 50053).
    pub fn defaults(service: &str) -> ServiceConfig {
        let port = match service {
            "visitation" => 50051,
            "settlement" => 50052,
            "budget" => 50053,
            _ => 50050,
        };
        ServiceConfig {
            service: service.to_owned(),
            listen: SocketAddr::from(([127, 0, 0, 1], port)),
            database_url: format!("sqlite://data/{service}.db"),
            database_max_connections: 8,
            log_format: LogFormat::Pretty,
            log_filter: "info,sqlx=warn".to_owned(),
            otlp_endpoint: None,
            catalogs: vec![PathBuf::from("deploy/catalog-2026.toml")],
            auth_tokens: BTreeMap::new(),
            tls_cert: None,
            tls_key: None,
            tls_ca: None,
            cert_principals: BTreeMap::new(),
            visitation_url: "http://127.0.0.1:50051".to_owned(),
            settlement_url: "http://127.0.0.1:50052".to_owned(),
            upstream_token: None,
            overrun_threshold_ore: 0,
            order_ack_hours: 24,
        }
    }

    /// Reads the layers for `service` from the process environment.
    pub fn load(service: &str) -> Result<ServiceConfig, ConfigError> {
        Self::figment(service, std::env::var_os("AFREGNING_CONFIG").map(PathBuf::from))
            .extract()
            .map_err(|e| ConfigError(Box::new(e)))
    }

    /// The layered sources, for `load` and for tests that add their own.
    pub fn figment(service: &str, file: Option<PathBuf>) -> Figment {
        let mut figment = Figment::from(Serialized::defaults(ServiceConfig::defaults(service)));
        if let Some(file) = file {
            figment = figment.merge(Toml::file_exact(file).nested());
        }
        let service_prefix = format!("AFREGNING_{}_", service.to_ascii_uppercase());
        figment
            .merge(
                Env::prefixed("AFREGNING_")
                    .ignore(&["CONFIG"])
                    .filter(|k| !is_service_key(k.as_str()))
                    .global(),
            )
            .merge(Env::prefixed(&service_prefix).global())
            .merge(Serialized::global("service", service))
            .select(service)
    }
}

/// Whether an `AFREGNING_…` key (prefix stripped) belongs to one service, e.g. `VISITATION_LISTEN`.
fn is_service_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["visitation_", "settlement_", "budget_"].iter().any(|p| key.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    // figment's own test harness fixes the closure's error type.
    #[allow(clippy::result_large_err)]
    fn file_then_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "afregning.toml",
                r#"
                [default]
                log_format = "json"
                database_url = "postgres://127.0.0.1/afregning"

                [visitation]
                listen = "0.0.0.0:6000"
                "#,
            )?;
            jail.set_env("AFREGNING_LOG_FILTER", "debug");
            jail.set_env("AFREGNING_BUDGET_LISTEN", "0.0.0.0:7000");
            let file = Some(PathBuf::from("afregning.toml"));
            let visitation: ServiceConfig = ServiceConfig::figment("visitation", file.clone()).extract()?;
            assert_eq!(visitation.listen.port(), 6000);
            assert_eq!(visitation.log_format, LogFormat::Json);
            assert_eq!(visitation.log_filter, "debug");
            assert_eq!(visitation.database_url, "postgres://127.0.0.1/afregning");
            let budget: ServiceConfig = ServiceConfig::figment("budget", file).extract()?;
            assert_eq!(budget.listen.port(), 7000, "AFREGNING_BUDGET_LISTEN");
            assert_eq!(budget.service, "budget");
            let settlement: ServiceConfig = ServiceConfig::figment("settlement", None).extract()?;
            assert_eq!(settlement.listen.port(), 50052);
            assert_eq!(settlement.database_url, "sqlite://data/settlement.db");
            Ok(())
        });
    }
}
