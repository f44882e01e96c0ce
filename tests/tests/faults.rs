//! The database stopped and started again under load: while PostgreSQL is down every call
//! fails with UNAVAILABLE (never INTERNAL) and health goes NOT_SERVING; once it is back, health
//! is SERVING again and calls succeed without restarting the service. Afterwards every write is
//! there exactly once: the answered ones, and the unanswered ones once retried with their ids.
//!
//! The test runs its own PostgreSQL cluster (initdb in a temporary folder) so it can stop it
//! without disturbing other tests.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use afregning_client::connect::Endpoints;
use afregning_kit::config::ServiceConfig;
use afregning_kit::testing::{SERVING, health_status};
use afregning_proto::visitation::v1 as pbv;
use sqlx::Connection;

/// A PostgreSQL cluster of the test's own.
struct Cluster {
    dir: tempfile::TempDir,
    bindir: PathBuf,
    port: u16,
}

/// Runs a PostgreSQL tool, as the postgres user when running as root (PostgreSQL refuses root).
fn pg(bindir: &Path, tool: &str, args: &[&str]) {
    let program = bindir.join(tool);
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false);
    let status = if root {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(&program)
            .args(args)
            .status()
    } else {
        Command::new(&program).args(args).status()
    }
    .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    assert!(status.success(), "{tool} {args:?} failed");
}

impl Cluster {
    fn start() -> Cluster {
        let bindir = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|versions| {
                versions
                    .filter_map(|v| v.ok().map(|v| v.path().join("bin")))
                    .filter(|b| b.join("initdb").exists())
                    .max()
            })
            .expect("this test needs PostgreSQL's server binaries under /usr/lib/postgresql/<version>/bin");
        let dir = tempfile::tempdir().unwrap();
        if Command::new("id")
            .arg("-u")
            .output()
            .map(|o| o.stdout.starts_with(b"0"))
            .unwrap_or(false)
        {
            assert!(Command::new("chown").arg("postgres").arg(dir.path()).status().unwrap().success());
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let data = dir.path().join("data");
        pg(
            &bindir,
            "initdb",
            &["-D", data.to_str().unwrap(), "-U", "postgres", "--auth=trust", "-N"],
        );
        let cluster = Cluster { dir, bindir, port };
        cluster.up();
        cluster
    }

    fn up(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let (data, log) = (self.dir.path().join("data"), self.dir.path().join("log"));
        pg(
            &self.bindir,
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-o",
                &options,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "start",
            ],
        );
    }

    fn down(&self) {
        let data = self.dir.path().join("data");
        pg(&self.bindir, "pg_ctl", &["-D", data.to_str().unwrap(), "-m", "fast", "-w", "stop"]);
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bindir.join("pg_ctl"))
            .args(["-D", data.to_str().unwrap_or_default(), "-m", "immediate", "stop"])
            .output();
    }
}

fn cpr(i: usize) -> String {
    format!("{:02}{:02}50{:04}", 1 + i % 28, 1 + (i / 28) % 12, 1000 + i / 336)
}

async fn health(addr: SocketAddr) -> Option<i32> {
    let channel = afregning_kit::testing::connect(addr).await.ok()?;
    health_status(channel, afregning_visitation::GRPC_NAME).await.ok()
}

async fn wait_for_health(addr: SocketAddr, want: i32) {
    for _ in 0..100 {
        if health(addr).await == Some(want) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("health never became {want}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_stops_and_comes_back_under_load() {
    let cluster = Cluster::start();
    let mut admin = sqlx::PgConnection::connect(&cluster.url("postgres")).await.unwrap();
    sqlx::query("CREATE DATABASE visitation").execute(&mut admin).await.unwrap();
    admin.close().await.unwrap();

    let mut config = ServiceConfig::defaults("visitation");
    config.database_url = cluster.url("visitation");
    config.catalogs = vec![PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/catalog-2026.toml"))];
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = afregning_kit::server::prepare(afregning_visitation::DEF, config, listener)
        .await
        .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.run_until(async {
        let _ = stopped.await;
    }));
    // Only visitation runs here; the other two URLs are never called.
    let url = format!("http://{addr}");
    let endpoints = Endpoints::new(&[url.clone(), url.clone(), url]).unwrap();
    let mut ehr = endpoints.as_principal(None).visitation;
    assert_eq!(health(addr).await, Some(SERVING));

    // Load: one write after another, each with its own request id, recording each answer.
    let load = {
        let mut ehr = ehr.clone();
        tokio::spawn(async move {
            let mut answers = Vec::new();
            for i in 0..usize::MAX {
                let request = pbv::RegisterCitizenRequest {
                    request_id: format!("load-{i}"),
                    cpr: cpr(i),
                };
                let answer = tokio::time::timeout(Duration::from_secs(20), ehr.register_citizen(request)).await;
                let code = match answer {
                    Ok(Ok(_)) => tonic::Code::Ok,
                    Ok(Err(status)) => status.code(),
                    Err(_) => tonic::Code::DeadlineExceeded,
                };
                answers.push(code);
                if answers.len() >= 40
                    && answers.iter().rev().take(20).all(|c| *c == tonic::Code::Ok)
                    && answers.contains(&tonic::Code::Unavailable)
                {
                    return answers;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            answers
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    cluster.down();
    let stopped = std::time::Instant::now();
    wait_for_health(addr, 2).await; // NOT_SERVING
    // A figure for the record (docs/operations.md promises 2 s); not a timed assertion.
    eprintln!(
        "health read NOT_SERVING {} ms after the database stopped",
        stopped.elapsed().as_millis()
    );
    // Down for longer than a request waits for a connection (5 s), so some calls see the outage.
    tokio::time::sleep(Duration::from_secs(7)).await;
    cluster.up();
    wait_for_health(addr, SERVING).await;

    let answers = load.await.unwrap();
    let codes: std::collections::BTreeSet<String> = answers.iter().map(|c| format!("{c:?}")).collect();
    assert_eq!(
        codes,
        ["Ok", "Unavailable"].map(str::to_owned).into(),
        "only OK and UNAVAILABLE while the database was away"
    );
    let failed: Vec<usize> = answers
        .iter()
        .enumerate()
        .filter(|(_, c)| **c != tonic::Code::Ok)
        .map(|(i, _)| i)
        .collect();
    assert!(!failed.is_empty(), "the outage was noticed");

    // Retrying the unanswered writes with their ids: each lands once, however far it got.
    for &i in &failed {
        let request = pbv::RegisterCitizenRequest {
            request_id: format!("load-{i}"),
            cpr: cpr(i),
        };
        ehr.register_citizen(request)
            .await
            .expect("a retry succeeds once the database is back");
    }
    let mut db = sqlx::PgConnection::connect(&cluster.url("visitation")).await.unwrap();
    let (citizens,): (i64,) = sqlx::query_as("SELECT count(*) FROM citizens").fetch_one(&mut db).await.unwrap();
    assert_eq!(usize::try_from(citizens).unwrap(), answers.len(), "every write exactly once");
    db.close().await.unwrap();

    let _ = stop.send(());
    serving.await.unwrap().unwrap();
}
