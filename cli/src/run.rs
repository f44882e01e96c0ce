//! Running a command: `up` and `demo` start the suite here; every other command talks to
//! running services. Errors become one readable message and a non-zero exit code.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use afregning_client::describe::describe;
use afregning_client::i18n::{tr, tr_args};
use afregning_kit::server::shutdown_signal;

use crate::args::{Actuals, Cli, Command, Connection};
use crate::connect::Endpoints;
use crate::print::{Out, kr};
use crate::suite::{Suite, SuiteConfig};
use crate::{commands, quarter};

/// The example catalog, so the demo runs from any directory.
const DEMO_CATALOG: &str = include_str!("../../deploy/catalog-2026.toml");

/// A flag whose value cannot be used, found before anything was started (exit code 2, as clap's
/// own usage errors).
#[derive(Debug, thiserror::Error)]
#[error("{flag}: {problem}")]
pub struct Usage {
    flag: &'static str,
    problem: String,
}

fn usage(flag: &'static str, problem: impl Into<String>) -> anyhow::Error {
    Usage {
        flag,
        problem: problem.into(),
    }
    .into()
}

/// Runs `cli`; the exit code says whether it worked (1: it failed, 2: a flag's value cannot be
/// used, 3: it ran but found differences or refusals).
pub async fn run(cli: Cli) -> ExitCode {
    afregning_client::i18n::set_lang(cli.lang);
    match dispatch(cli).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(3),
        Err(error) => {
            eprintln!("{}", tr_args("error-prefix", &[("error", describe(&error))]));
            if error.is::<Usage>() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

async fn dispatch(cli: Cli) -> anyhow::Result<bool> {
    let c = &cli.connection;
    let connect = || c.clients();
    match cli.command {
        Command::Up { data_dir, cockpit } => up(&data_dir, &cockpit, c).await.map(|()| true),
        Command::Cockpit { listen } => {
            let endpoints = Endpoints::new(&c.urls())?;
            let listener = tokio::net::TcpListener::bind(listen).await?;
            println!(
                "{}",
                tr_args("cockpit-listening", &[("url", format!("http://{}", listener.local_addr()?))])
            );
            afregning_cockpit::serve(listener, endpoints, c.token.clone(), shutdown_signal())
                .await
                .map(|()| true)
        }
        Command::Steering { from, to, format } => crate::steering::command(&mut connect()?, from, to, format).await.map(|()| true),
        Command::Demo { keep } => demo(keep.as_deref(), c).await.map(|()| true),
        Command::Status => commands::status(&mut connect()?, &c.urls()).await.map(|()| true),
        Command::Setup {
            dir,
            check,
            authority_token,
        } => {
            let endpoints = Endpoints::new(&c.urls())?;
            let authority = authority_token.as_deref().or(c.token.as_deref());
            let (mut finance, mut authority) = (endpoints.as_principal(c.token.as_deref()), endpoints.as_principal(authority));
            crate::setup::command(&dir, &mut finance, &mut authority, check).await
        }
        Command::Grants(g) => commands::grants(&mut connect()?, g).await.map(|()| true),
        Command::Orders(o) => crate::orders::command(&mut connect()?, o).await.map(|()| true),
        Command::Deliveries(d) => crate::deliveries::command(&mut connect()?, d).await,
        Command::Settle { period, issue, write } => crate::statements::settle(&mut connect()?, period, issue, &write)
            .await
            .map(|()| true),
        Command::Statements(s) => crate::statements::statements(&mut connect()?, s).await.map(|()| true),
        Command::Review(r) => crate::review::review(&mut connect()?, r).await.map(|()| true),
        Command::Preview { provider } => crate::lifecycle::preview(&mut connect()?, provider).await.map(|()| true),
        Command::Budget { frame, as_of } => commands::budget(&mut connect()?, frame, as_of).await.map(|()| true),
        Command::Cases(cases) => crate::cases::cases(&mut connect()?, cases).await.map(|()| true),
        Command::Catalog(c) => crate::catalogs::command(&mut connect()?, c).await.map(|()| true),
        Command::Committees(c) => crate::finance::committees(&mut connect()?, c).await.map(|()| true),
        Command::Frames(f) => crate::finance::frames(&mut connect()?, f).await.map(|()| true),
        Command::Actuals(Actuals::Import { file, write }) => crate::finance::import_actuals(&mut connect()?, &file, &write).await,
        Command::ExpectedAccounts {
            frame,
            year,
            months,
            write,
        } => crate::finance::expected_accounts(&mut connect()?, frame, year, &months, &write)
            .await
            .map(|()| true),
        Command::ExplainDeviation {
            frame,
            period,
            explanation,
            actions,
            write,
        } => crate::finance::explain(&mut connect()?, frame, period, explanation, actions, &write)
            .await
            .map(|()| true),
        Command::CloseMonth { frame, period, write } => crate::finance::close_month(&mut connect()?, frame, period, &write)
            .await
            .map(|()| true),
        Command::TrueUp { year, file, write } => crate::finance::true_up(&mut connect()?, year, &file, &write).await,
        Command::Export { year, frame, format } => crate::erp::export(&mut connect()?, year, frame, format).await.map(|()| true),
        Command::Reconcile { year, file } => crate::erp::reconcile(&mut connect()?, year, &file).await,
    }
}

/// Where a service should listen, from its URL flag (`http://localhost:60051`): the first
/// address the host resolves to.
async fn listen_at(flag: &'static str, url: &str) -> anyhow::Result<SocketAddr> {
    let authority = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| usage(flag, tr_args("usage-not-a-url", &[("url", url.to_string())])))?;
    let authority = authority.trim_end_matches('/');
    resolve(flag, authority).await
}

/// `host:port` as an address to listen on, resolving a name such as `localhost`.
async fn resolve(flag: &'static str, text: &str) -> anyhow::Result<SocketAddr> {
    if text.rsplit_once(':').is_none_or(|(_, port)| port.parse::<u16>().is_err()) {
        return Err(usage(flag, tr_args("usage-not-host-port", &[("text", text.to_string())])));
    }
    tokio::net::lookup_host(text)
        .await
        .map_err(|e| {
            usage(
                flag,
                tr_args("usage-does-not-resolve", &[("text", text.to_string()), ("error", e.to_string())]),
            )
        })?
        .next()
        .ok_or_else(|| usage(flag, tr_args("usage-no-address", &[("text", text.to_string())])))
}

/// The listen addresses of the services whose URL flag (or `AFREGNING_CLI_*_URL`) was given.
async fn listen_flags(connection: &Connection) -> anyhow::Result<[Option<SocketAddr>; 3]> {
    const FLAGS: [&str; 3] = ["--visitation", "--settlement", "--budget"];
    let mut addrs = [None; 3];
    for (i, url) in connection.given().into_iter().enumerate() {
        if let Some(url) = url {
            addrs[i] = Some(listen_at(FLAGS[i], url).await?);
        }
    }
    Ok(addrs)
}

/// A service left on the default catalog path reads it from the data directory when the path
/// does not exist where `up` runs, and the data directory gets the catalog shipped in this
/// binary when it has none, so `up` works from any directory.
fn catalogs_in(config: &mut SuiteConfig, data_dir: &Path) -> anyhow::Result<()> {
    for service in &mut config.services {
        let default = afregning_kit::ServiceConfig::defaults(&service.service).catalogs;
        if service.catalogs != default || default.iter().all(|path| path.exists()) {
            continue;
        }
        let shipped = data_dir.join("catalog-2026.toml");
        if !shipped.exists() {
            std::fs::write(&shipped, DEMO_CATALOG).map_err(|e| {
                usage(
                    "--data-dir",
                    tr_args(
                        "usage-cannot-write",
                        &[("path", shipped.display().to_string()), ("error", e.to_string())],
                    ),
                )
            })?;
        }
        service.catalogs = vec![shipped];
    }
    for path in config.services.iter().flat_map(|s| &s.catalogs) {
        if !path.exists() {
            anyhow::bail!(
                "catalog {} does not exist (AFREGNING_CATALOGS names the tariff catalogs)",
                path.display()
            );
        }
    }
    Ok(())
}

/// `afregning up`: every flag is checked, the data directory made and the cockpit's port taken
/// before any service starts, so a mistake stops it with nothing half-started.
async fn up(data_dir: &Path, cockpit: &str, connection: &Connection) -> anyhow::Result<()> {
    // Ctrl-C from here on stops the suite cleanly, even while it is still starting.
    let stop = shutdown_signal();
    let listen = listen_flags(connection).await?;
    let cockpit = match cockpit {
        "off" => None,
        text => Some(resolve("--cockpit", text).await?),
    };
    std::fs::create_dir_all(data_dir).map_err(|e| {
        usage(
            "--data-dir",
            tr_args(
                "usage-cannot-create",
                &[("path", data_dir.display().to_string()), ("error", e.to_string())],
            ),
        )
    })?;
    let mut config = SuiteConfig::load(Some(data_dir))?;
    catalogs_in(&mut config, data_dir)?;
    for (service, addr) in config.services.iter_mut().zip(listen) {
        if let Some(addr) = addr {
            service.listen = addr;
        }
    }
    let cockpit = match cockpit {
        None => None,
        Some(addr) => Some(tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            usage(
                "--cockpit",
                tr_args("usage-cannot-listen", &[("addr", addr.to_string()), ("error", e.to_string())]),
            )
        })?),
    };
    let mut telemetry = config.services[0].clone();
    telemetry.service = "suite".to_owned();
    let _telemetry = afregning_kit::telemetry::init(&telemetry)?;
    let suite = Suite::start(config.clone()).await?;
    for ((def, config), addr) in crate::suite::SERVICES.iter().zip(&config.services).zip(suite.addrs) {
        let backend = config.database_url.split(':').next().unwrap_or_default();
        println!(
            "{:<10} {}",
            def.service,
            tr_args("up-listening", &[("addr", addr.to_string()), ("backend", backend.to_owned())])
        );
    }
    let (stop_cockpit, cockpit_stopped) = tokio::sync::watch::channel(false);
    let cockpit = match cockpit {
        None => None,
        Some(listener) => {
            println!(
                "{:<10} {}",
                "cockpit",
                tr_args("up-cockpit", &[("url", format!("http://{}", listener.local_addr()?))])
            );
            let endpoints = Endpoints::new(&suite.urls())?;
            let mut stopped = cockpit_stopped;
            Some(tokio::spawn(afregning_cockpit::serve(
                listener,
                endpoints,
                connection.token.clone(),
                async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                },
            )))
        }
    };
    println!("{}", tr("up-stop"));
    let result = suite.run_until(stop).await;
    let _ = stop_cockpit.send(true);
    if let Some(cockpit) = cockpit {
        cockpit.await??;
    }
    result
}

/// `afregning demo`: on free ports, or where the URL flags say.
async fn demo(keep: Option<&Path>, connection: &Connection) -> anyhow::Result<()> {
    let listen = listen_flags(connection).await?;
    let started = Instant::now();
    let temporary = tempfile::tempdir()?;
    let dir = keep.unwrap_or(temporary.path());
    std::fs::create_dir_all(dir)?;
    let catalog = dir.join("catalog-2026.toml");
    std::fs::write(&catalog, DEMO_CATALOG)?;
    let mut config = SuiteConfig::embedded(dir, &catalog).with_tokens(&quarter::TOKENS, quarter::UPSTREAM);
    for (service, addr) in config.services.iter_mut().zip(listen) {
        if let Some(addr) = addr {
            service.listen = addr;
        }
    }
    let suite = Suite::start(config).await?;
    let out = Out::terminal();
    out.line(tr("demo-title"));
    out.line(tr_args(
        "demo-intro",
        &[
            ("visitation", suite.addrs[0].to_string()),
            ("settlement", suite.addrs[1].to_string()),
            ("budget", suite.addrs[2].to_string()),
        ],
    ));
    let endpoints = Endpoints::new(&suite.urls())?;
    let outcome = quarter::run(&endpoints, out).await;
    suite.stop().await?;
    let outcome = outcome?;
    out.heading(&tr("demo-summary-heading"));
    let case = outcome
        .case
        .as_ref()
        .map(|c| (c.amount_ore, c.from_frame.as_str(), c.to_frame.as_str()));
    let tenths = started.elapsed().as_millis() / 100;
    out.line(tr_args(
        "demo-summary",
        &[
            ("paid", kr(outcome.issued_total_ore)),
            ("providers", outcome.providers.len().to_string()),
            ("moved", kr(case.map(|c| c.0).unwrap_or_default())),
            ("from", case.map(|c| c.1).unwrap_or_default().to_owned()),
            ("to", case.map(|c| c.2).unwrap_or_default().to_owned()),
            ("seconds", format!("{},{}", tenths / 10, tenths % 10)),
        ],
    ));
    if let Some(dir) = keep {
        out.line(tr_args("demo-kept", &[("dir", dir.display().to_string())]));
    }
    Ok(())
}
