//! The gRPC server every service runs: its own RPCs plus `grpc.health.v1` and reflection, a
//! tracing span per request (continuing the caller's W3C trace), and graceful shutdown.
//!
//! Health follows the database: a background probe marks the service NOT_SERVING while its
//! database does not answer and SERVING again when it does, so Kubernetes stops routing to a
//! replica that cannot work without anyone restarting it.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::service::Routes;
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;

use crate::config::ServiceConfig;
use crate::db::{Database, Migrations};
use crate::telemetry::extract_parent;

/// Set once a server of this process begins to shut down. Following feed streams end on it:
/// they never finish by themselves, and a graceful shutdown waits for every open call.
static DRAINING: std::sync::OnceLock<tokio::sync::watch::Sender<bool>> = std::sync::OnceLock::new();

fn draining_sender() -> &'static tokio::sync::watch::Sender<bool> {
    DRAINING.get_or_init(|| tokio::sync::watch::channel(false).0)
}

/// Completes once a server of this process has begun to shut down.
pub async fn draining() {
    let mut receiver = draining_sender().subscribe();
    let _ = receiver.wait_for(|draining| *draining).await;
}

/// How often health probes the database, and how long a probe may take: a database that stops
/// answering reads NOT_SERVING within their sum, 1.5 seconds (docs/operations.md promises 2).
const HEALTH_PROBE_INTERVAL: Duration = Duration::from_millis(500);
const HEALTH_PROBE_TIMEOUT: Duration = Duration::from_secs(1);

/// What a service adds to the shared server.
pub struct ServiceSpec {
    /// Fully qualified gRPC service name, e.g. `afregning.visitation.v1.VisitationService`.
    pub grpc_name: &'static str,
    /// The service's own RPCs.
    pub routes: Routes,
    /// The database whose reachability decides health.
    pub database: Database,
}

/// A bound server, ready to run.
pub struct Server {
    listener: TcpListener,
    spec: ServiceSpec,
    /// TLS (and client certificates) when configured.
    tls: Option<tonic::transport::ServerTlsConfig>,
}

impl Server {
    /// Binds `addr` (port 0 picks a free port).
    pub async fn bind(addr: SocketAddr, spec: ServiceSpec) -> anyhow::Result<Server> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Server { listener, spec, tls: None })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then lets in-flight calls finish.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let Server { listener, spec, tls } = self;
        // A server starting again in this process (tests restart servers) serves feeds again.
        draining_sender().send_replace(false);
        let (reporter, health) = tonic_health::server::health_reporter();
        reporter.set_service_status(spec.grpc_name, ServingStatus::Serving).await;
        reporter.set_service_status("", ServingStatus::Serving).await;
        let probe = tokio::spawn(probe_database(reporter, spec.grpc_name, spec.database.clone()));

        // Both reflection versions: current grpcurl speaks v1, many clients (Python's grpcio
        // reflection, older tools) still only v1alpha.
        let reflection = || {
            tonic_reflection::server::Builder::configure()
                .register_encoded_file_descriptor_set(afregning_proto::FILE_DESCRIPTOR_SET)
                .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
                .with_service_name(spec.grpc_name)
                .with_service_name("grpc.health.v1.Health")
        };

        let routes = spec
            .routes
            .add_service(health)
            .add_service(reflection().build_v1()?)
            .add_service(reflection().build_v1alpha()?);
        tracing::info!(addr = %listener.local_addr()?, service = spec.grpc_name, backend = spec.database.backend(), "listening");
        let mut builder = tonic::transport::Server::builder();
        if let Some(tls) = tls {
            builder = builder.tls_config(tls)?;
        }
        let result = builder
            .trace_fn(request_span)
            .layer(tower::util::MapResponseLayer::new(too_large_is_resource_exhausted))
            .add_routes(routes)
            .serve_with_incoming_shutdown(TcpListenerStream::new(listener), async {
                shutdown.await;
                draining_sender().send_replace(true);
            })
            .await;
        probe.abort();
        spec.database.close().await;
        tracing::info!(service = spec.grpc_name, "stopped");
        Ok(result?)
    }
}

/// One span per request, named by RPC path only (never request content, so no personal data).
fn request_span(request: &http::Request<()>) -> tracing::Span {
    let span = tracing::info_span!("grpc", rpc = %request.uri().path());
    extract_parent(&span, request.headers());
    span
}

/// A frame of a response body, with a status in its trailers rewritten.
type FrameFix<B> = fn(http_body::Frame<<B as http_body::Body>::Data>) -> http_body::Frame<<B as http_body::Body>::Data>;
/// A response body whose trailers pass through [`resource_exhausted`].
type FramesFixed<B> = http_body_util::combinators::MapFrame<B, FrameFix<B>>;

/// A request larger than a service takes (4 MiB a message) is RESOURCE_EXHAUSTED, as gRPC
/// clients expect of a size limit, not the OUT_OF_RANGE the decoder answers. The status travels
/// in the trailers (or, for an answer with no body, in the headers).
fn too_large_is_resource_exhausted<B: http_body::Body>(response: http::Response<B>) -> http::Response<FramesFixed<B>> {
    let (mut parts, body) = response.into_parts();
    resource_exhausted(&mut parts.headers);
    let fix: FrameFix<B> = |frame| match frame.into_trailers() {
        Ok(mut trailers) => {
            resource_exhausted(&mut trailers);
            http_body::Frame::trailers(trailers)
        }
        Err(frame) => frame,
    };
    http::Response::from_parts(parts, http_body_util::BodyExt::map_frame(body, fix))
}

fn resource_exhausted(headers: &mut http::HeaderMap) {
    let too_large = headers.get("grpc-status").is_some_and(|s| s == "11")
        && headers
            .get("grpc-message")
            .and_then(|m| m.to_str().ok())
            // Percent-encoded on the wire: "decoded message length too large".
            .is_some_and(|m| m.contains("length%20too%20large") || m.contains("length too large"));
    if too_large {
        headers.insert("grpc-status", http::HeaderValue::from_static("8"));
    }
}

async fn probe_database(reporter: HealthReporter, grpc_name: &'static str, database: Database) {
    let mut serving = true;
    let mut prober = database.prober();
    loop {
        tokio::time::sleep(HEALTH_PROBE_INTERVAL).await;
        let ok = prober.answers(HEALTH_PROBE_TIMEOUT).await;
        if ok != serving {
            serving = ok;
            let status = if ok { ServingStatus::Serving } else { ServingStatus::NotServing };
            tracing::warn!(service = grpc_name, serving = ok, "database reachability changed");
            reporter.set_service_status(grpc_name, status).await;
            reporter.set_service_status("", status).await;
        }
    }
}

/// Completes on Ctrl-C or SIGTERM. The signals are taken over when this is called, not when the
/// future is first awaited, so a Ctrl-C that comes while a suite is still starting stops it
/// cleanly instead of killing it: call it first, await it last.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            let (mut interrupt, mut terminate) = match (interrupt, terminate) {
                (Ok(interrupt), Ok(terminate)) => (interrupt, terminate),
                (Err(error), _) | (_, Err(error)) => {
                    tracing::error!(%error, "cannot listen for Ctrl-C and SIGTERM");
                    return std::future::pending().await;
                }
            };
            tokio::select! {
                _ = interrupt.recv() => tracing::info!("Ctrl-C received, shutting down"),
                _ = terminate.recv() => tracing::info!("SIGTERM received, shutting down"),
            }
        }
    }
    #[cfg(not(unix))]
    async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
        tracing::info!("Ctrl-C received, shutting down");
    }
}

/// What a service binary is made of: its names, its schema and how its RPCs are built.
#[derive(Clone, Copy)]
pub struct ServiceDef {
    /// The name in configuration and logs, e.g. `visitation`.
    pub service: &'static str,
    /// Fully qualified gRPC service name.
    pub grpc_name: &'static str,
    /// Its schema on each backend.
    pub migrations: Migrations,
    /// Builds the service's own RPCs (and starts its followers).
    pub routes: fn(ServiceContext) -> anyhow::Result<Routes>,
}

/// Everything `main` does for every service: configuration, telemetry, then [`serve`] on the
/// configured address until Ctrl-C or SIGTERM.
pub async fn run_service(def: ServiceDef) -> anyhow::Result<()> {
    let stop = shutdown_signal();
    let config = ServiceConfig::load(def.service)?;
    let _telemetry = crate::telemetry::init(&config)?;
    let listener = TcpListener::bind(config.listen).await?;
    serve(def, config, listener, stop).await
}

/// Serves `def` on `listener` until `shutdown` (see [`prepare`]).
pub async fn serve(
    def: ServiceDef,
    config: ServiceConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    prepare(def, config, listener).await?.run_until(shutdown).await
}

/// Makes `def` ready to serve on `listener`: checks that an address beyond loopback has
/// authentication, loads the tariff catalogs (refusing to start on a bad one), connects and
/// migrates the database and builds the routes (starting the service's followers).
pub async fn prepare(def: ServiceDef, config: ServiceConfig, listener: TcpListener) -> anyhow::Result<Server> {
    let tls = crate::tls::Tls::from_config(&config)?;
    let auth = crate::auth::Authenticator::from_config(&config, tls.as_ref())?;
    let addr = listener.local_addr()?;
    anyhow::ensure!(
        auth.is_enabled() || addr.ip().is_loopback(),
        "refusing to listen on {addr} without authentication: configure client certificates (tls_ca, cert_principals) or auth_tokens, or listen on loopback"
    );
    let catalogs = crate::catalogs::load(&config.catalogs)?;
    let database = Database::connect(&config.database_url, config.database_max_connections, def.migrations)
        .await
        .map_err(|e| e.context(format!("{}: cannot open its database", def.service)))?;
    let routes = (def.routes)(ServiceContext {
        config,
        database: database.clone(),
        catalogs,
        auth,
    })?;
    let spec = ServiceSpec {
        grpc_name: def.grpc_name,
        routes,
        database,
    };
    Ok(Server {
        listener,
        spec,
        tls: tls.map(|t| t.server()),
    })
}

/// What a service's RPCs are built from.
pub struct ServiceContext {
    /// The service's configuration.
    pub config: ServiceConfig,
    /// Its connected, migrated database.
    pub database: Database,
    /// The tariff catalogs in force.
    pub catalogs: afregning_tariff::CatalogSet,
    /// Maps callers to principals; wrap the service's server with its interceptor.
    pub auth: crate::auth::Authenticator,
}
