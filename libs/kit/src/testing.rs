//! Test helpers: a fresh database per test on either backend, a service on port 0, and a check
//! that a built service binary starts, answers health and reflection, and stops on SIGTERM.
//!
//! PostgreSQL tests get a database of their own, created on the server named by
//! `AFREGNING_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`) and dropped
//! afterwards. When that server cannot be reached the test fails with a message saying so: a
//! PostgreSQL test never passes without PostgreSQL.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::oneshot;
use tonic::transport::Channel;

use crate::db::{Database, Migrations};
use crate::server::{Server, ServiceSpec};

/// Default server for PostgreSQL tests.
pub const DEFAULT_TEST_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Which backend a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite in a temporary folder.
    Sqlite,
    /// A fresh database on the test PostgreSQL server.
    Postgres,
}

/// A database that exists for one test and is removed after it.
pub struct TestDatabase {
    /// URL to connect to.
    pub url: String,
    backend: Backend,
    /// Keeps the SQLite folder alive.
    _dir: Option<tempfile::TempDir>,
    /// Server URL and database name, to drop the PostgreSQL database.
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// A fresh, empty database on `backend`.
    pub async fn new(backend: Backend) -> TestDatabase {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary folder");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                TestDatabase {
                    url,
                    backend,
                    _dir: Some(dir),
                    postgres: None,
                }
            }
            Backend::Postgres => {
                let server = std::env::var("AFREGNING_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_TEST_POSTGRES_URL.to_owned());
                let name = format!("afregning_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = connect_admin(&server).await;
                // The name is ours (a UUID), never input: safe to splice.
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut admin)
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let options = PgConnectOptions::from_str(&server).expect("postgres url").database(&name);
                TestDatabase {
                    url: options.to_url_lossy().to_string(),
                    backend,
                    _dir: None,
                    postgres: Some((server, name)),
                }
            }
        }
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Connects and runs `migrations`.
    pub async fn connect(&self, migrations: Migrations) -> Database {
        Database::connect(&self.url, 4, migrations)
            .await
            .expect("connect to the test database")
    }
}

async fn connect_admin(server: &str) -> sqlx::PgConnection {
    match sqlx::PgConnection::connect(server).await {
        Ok(connection) => connection,
        Err(error) => panic!(
            "PostgreSQL test needs a server at AFREGNING_TEST_POSTGRES_URL (default {DEFAULT_TEST_POSTGRES_URL}) and none answered: \
             {error}. Run the tests with `bash scripts/test`, which starts one."
        ),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((server, name)) = self.postgres.take() else { return };
        // Drop runs outside any runtime guarantee; a short-lived thread with its own runtime
        // removes the database without blocking the test's runtime.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                let mut admin = sqlx::PgConnection::connect(&server).await.ok()?;
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                    .execute(&mut admin)
                    .await
                    .ok()
            })
        });
        let _ = dropped.join();
    }
}

/// A service running in the test's process on a free port.
pub struct TestServer {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl TestServer {
    /// Starts `spec` on `127.0.0.1:0`.
    pub async fn start(spec: ServiceSpec) -> TestServer {
        let server = Server::bind(SocketAddr::from(([127, 0, 0, 1], 0)), spec)
            .await
            .expect("bind a free port");
        let addr = server.local_addr().expect("bound address");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run_until(async {
            let _ = stopped.await;
        }));
        TestServer {
            addr,
            stop: Some(stop),
            task,
        }
    }

    /// A client channel to it.
    pub async fn channel(&self) -> Channel {
        connect(self.addr).await.expect("connect to the test server")
    }

    /// Stops it and waits until it has.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await?
    }
}

/// Connects a channel to `addr`, retrying briefly while the server comes up.
pub async fn connect(addr: SocketAddr) -> anyhow::Result<Channel> {
    let endpoint = Channel::from_shared(format!("http://{addr}"))?.connect_timeout(Duration::from_secs(2));
    let mut last = None;
    for _ in 0..50 {
        match endpoint.connect().await {
            Ok(channel) => return Ok(channel),
            Err(error) => last = Some(error),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(last.map(anyhow::Error::from).unwrap_or_else(|| anyhow::anyhow!("no connection")))
}

/// The health status of `service` ("" for the server as a whole).
pub async fn health_status(channel: Channel, service: &str) -> anyhow::Result<i32> {
    let mut client = tonic_health::pb::health_client::HealthClient::new(channel);
    let response = client
        .check(tonic_health::pb::HealthCheckRequest {
            service: service.to_owned(),
        })
        .await?;
    Ok(response.into_inner().status)
}

/// The services a server lists by reflection (v1).
pub async fn reflected_services(channel: Channel) -> anyhow::Result<Vec<String>> {
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

    let mut client = ServerReflectionClient::new(channel);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = client.server_reflection_info(tokio_stream::once(request)).await?.into_inner();
    let Some(response) = responses.message().await? else {
        anyhow::bail!("no reflection response")
    };
    match response.message_response {
        Some(MessageResponse::ListServicesResponse(list)) => Ok(list.service.into_iter().map(|s| s.name).collect()),
        other => anyhow::bail!("unexpected reflection response {other:?}"),
    }
}

/// What [`check_binary`] observed.
#[derive(Debug)]
pub struct BinaryCheck {
    /// Health of the service while running (1 = SERVING).
    pub health: i32,
    /// Services listed by reflection.
    pub services: Vec<String>,
    /// Exit code after SIGTERM.
    pub exit_code: Option<i32>,
}

/// A binary of the workspace built beside the running test (`target/<profile>/<name>`);
/// `bash scripts/test` builds them all first.
pub fn built_binary(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    let path = exe.parent().and_then(|deps| deps.parent()).expect("target directory").join(name);
    assert!(
        path.exists(),
        "{} is not built: run the tests with `bash scripts/test` (or `cargo build --bins` first)",
        path.display()
    );
    path
}

/// A service binary running as its own process, on a free port, with its own SQLite database.
pub struct ServiceProcess {
    /// Where it listens.
    pub addr: SocketAddr,
    child: tokio::process::Child,
    /// Keeps the database folder alive.
    _dir: tempfile::TempDir,
}

impl ServiceProcess {
    /// Starts `binary` as `service` with the example catalog, JSON logs and `env` on top (later
    /// entries win), and waits until it logs the address it listens on.
    pub async fn spawn(binary: &Path, service: &str, env: &[(String, String)]) -> anyhow::Result<ServiceProcess> {
        let dir = tempfile::tempdir()?;
        let prefix = format!("AFREGNING_{}_", service.to_ascii_uppercase());
        let catalog = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/catalog-2026.toml");
        let mut child = tokio::process::Command::new(binary)
            .env(format!("{prefix}LISTEN"), "127.0.0.1:0")
            .env(
                format!("{prefix}DATABASE_URL"),
                format!("sqlite://{}", dir.path().join("db.sqlite").display()),
            )
            .env(format!("{prefix}CATALOGS"), format!("[\"{}\"]", catalog.display()))
            .env("AFREGNING_LOG_FORMAT", "json")
            .env("AFREGNING_LOG_FILTER", "info")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| anyhow::anyhow!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow::anyhow!("no stdout"))?;
        let mut lines = BufReader::new(stdout).lines();
        let addr = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await? {
                if line.contains("\"listening\"")
                    && let Some(addr) = json_field(&line, "addr")
                {
                    return Ok::<SocketAddr, anyhow::Error>(addr.parse()?);
                }
            }
            anyhow::bail!("{service} exited before listening")
        })
        .await??;
        // Keep draining the log so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(ServiceProcess { addr, child, _dir: dir })
    }

    /// The process id, to signal it.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Sends SIGTERM and waits for the exit code.
    pub async fn terminate(mut self) -> anyhow::Result<Option<i32>> {
        let pid = self.child.id().ok_or_else(|| anyhow::anyhow!("no pid"))?;
        let killed = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status()?;
        anyhow::ensure!(killed.success(), "kill -TERM failed");
        let status = tokio::time::timeout(Duration::from_secs(15), self.child.wait()).await??;
        Ok(status.code())
    }
}

/// Starts the service binary at `binary` on a free port with a fresh SQLite database, checks
/// health and reflection over a real connection, sends SIGTERM and waits for it to exit.
pub async fn check_binary(binary: &Path, service: &str, grpc_name: &str) -> anyhow::Result<BinaryCheck> {
    let process = ServiceProcess::spawn(binary, service, &[]).await?;
    let channel = connect(process.addr).await?;
    let health = health_status(channel.clone(), grpc_name).await?;
    let services = reflected_services(channel).await?;
    let exit_code = process.terminate().await?;
    Ok(BinaryCheck {
        health,
        services,
        exit_code,
    })
}

/// The string value of `"key":"…"` in a JSON log line.
fn json_field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let start = line.find(&format!("\"{key}\":\""))? + key.len() + 4;
    let len = line[start..].find('"')?;
    Some(&line[start..start + len])
}

/// gRPC health status SERVING.
pub const SERVING: i32 = 1;

/// Asserts that the built binary of a service serves health and reflection for `grpc_name` on a
/// free port and exits with code 0 on SIGTERM.
pub async fn assert_binary_lifecycle(binary: &Path, service: &str, grpc_name: &str) {
    let check = check_binary(binary, service, grpc_name).await.expect("binary check");
    assert_eq!(check.health, SERVING, "health of {grpc_name}");
    assert!(
        check.services.iter().any(|s| s == grpc_name),
        "reflection lists {grpc_name}: {:?}",
        check.services
    );
    assert!(
        check.services.iter().any(|s| s == "grpc.health.v1.Health"),
        "reflection lists health: {:?}",
        check.services
    );
    assert_eq!(check.exit_code, Some(0), "clean exit on SIGTERM");
}

/// Asserts that a service migrates a fresh database on `backend` and serves health and
/// reflection from it in process.
pub async fn assert_serves_on(backend: Backend, grpc_name: &'static str, migrations: Migrations) {
    let db = TestDatabase::new(backend).await;
    let database = db.connect(migrations).await;
    let expected = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(database.backend(), expected);
    let server = TestServer::start(ServiceSpec {
        grpc_name,
        routes: Default::default(),
        database,
    })
    .await;
    assert_eq!(health_status(server.channel().await, grpc_name).await.expect("health"), SERVING);
    assert!(
        reflected_services(server.channel().await)
            .await
            .expect("reflection")
            .iter()
            .any(|s| s == grpc_name)
    );
    server.stop().await.expect("clean stop");
}

/// Asserts that the service binary, given no authentication, refuses to listen on all
/// interfaces: it exits with an error that says why.
pub async fn assert_refuses_public_listen_without_auth(binary: &Path, service: &str) {
    let prefix = format!("AFREGNING_{}_", service.to_ascii_uppercase());
    let output = tokio::time::timeout(
        Duration::from_secs(30),
        tokio::process::Command::new(binary)
            .env(format!("{prefix}LISTEN"), "0.0.0.0:0")
            .env(format!("{prefix}DATABASE_URL"), "sqlite::memory:")
            .env("AFREGNING_LOG_FORMAT", "json")
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("the service exits by itself")
    .expect("the binary runs");
    assert!(!output.status.success(), "started without authentication on 0.0.0.0");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("without authentication"), "says why: {stderr}");
}
