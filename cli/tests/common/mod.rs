//! What the CLI's tests share: the built binary, the demo's quarter served by `afregning up`, and
//! small readers of its output and the cockpit's pages.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

pub const BIN: &str = env!("CARGO_BIN_EXE_afregning");

pub fn catalog() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/catalog-2026.toml"))
}

pub fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Runs a daily command against the suite at `urls`.
pub fn afregning(urls: &[String; 3], args: &[&str]) -> Output {
    Command::new(BIN)
        .args(["--visitation", &urls[0], "--settlement", &urls[1], "--budget", &urls[2]])
        .args(args)
        .env_remove("AFREGNING_TOKEN")
        // Danish, the default, whatever the shell running the tests says.
        .env_remove("AFREGNING_LANG")
        .output()
        .expect("run afregning")
}

pub async fn up(data_dir: &Path) -> (tokio::process::Child, [String; 3], String) {
    up_with(data_dir, &[]).await
}

/// `afregning up` on `data_dir` with more settings in its environment (tokens, say).
pub async fn up_with(data_dir: &Path, env: &[(&str, String)]) -> (tokio::process::Child, [String; 3], String) {
    let mut child = tokio::process::Command::new(BIN)
        .args(["up", "--cockpit", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .env("AFREGNING_CATALOGS", format!("[\"{}\"]", catalog().display()))
        .env("AFREGNING_VISITATION_LISTEN", "127.0.0.1:0")
        .env("AFREGNING_SETTLEMENT_LISTEN", "127.0.0.1:0")
        .env("AFREGNING_BUDGET_LISTEN", "127.0.0.1:0")
        .env("AFREGNING_LOG_FILTER", "warn")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut urls = Vec::new();
    let mut cockpit = String::new();
    tokio::time::timeout(Duration::from_secs(30), async {
        while urls.len() < 3 || cockpit.is_empty() {
            let line = lines.next_line().await.unwrap().expect("up exited before listening");
            if let Some((_, rest)) = line.split_once("lytter på ") {
                urls.push(format!("http://{}", rest.split_whitespace().next().unwrap()));
            }
            if let Some((_, rest)) = line.split_once("cockpit    på http://") {
                cockpit = rest.trim().to_owned();
            }
        }
    })
    .await
    .expect("up listens");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, [urls[0].clone(), urls[1].clone(), urls[2].clone()], cockpit)
}

/// The cockpit's own binary against the services at `urls`, and where it listens.
pub async fn cockpit_alone(urls: &[String; 3]) -> (tokio::process::Child, String) {
    let mut alone = tokio::process::Command::new(afregning_kit::testing::built_binary("afregning-cockpit"))
        .args(["--listen", "127.0.0.1:0"])
        .args(["--visitation", &urls[0], "--settlement", &urls[1], "--budget", &urls[2]])
        .env_remove("AFREGNING_TOKEN")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(alone.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(15), lines.next_line())
        .await
        .expect("the cockpit listens")
        .unwrap()
        .expect("a first line");
    let addr = line.strip_prefix("cockpit på http://").expect("where it listens").trim().to_owned();
    (alone, addr)
}

/// A page of the cockpit at `addr`: the status code and the body.
pub async fn get(addr: &str, path: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let code = response.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (code, body)
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}
