//! Running a command: `up` and `demo` start the suite here; every other command talks to
//! running services. Errors become one readable message and a non-zero exit code.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use afregning_client::describe::describe;
use afregning_kit::server::shutdown_signal;

use crate::args::{Cli, Command};
use crate::connect::Endpoints;
use crate::print::{Out, kr};
use crate::suite::{Suite, SuiteConfig};
use crate::{commands, quarter};

/// The example catalog, so the demo runs from any directory.
const DEMO_CATALOG: &str = include_str!("../../deploy/catalog-2026.toml");

/// Runs `cli`; the exit code says whether it worked (1: it failed, 3: it ran but found
/// differences or refusals).
pub async fn run(cli: Cli) -> ExitCode {
    match dispatch(cli).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(3),
        Err(error) => {
            eprintln!("error: {}", describe(&error));
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(cli: Cli) -> anyhow::Result<bool> {
    let c = &cli.connection;
    let connect = || -> anyhow::Result<crate::connect::Clients> {
        let endpoints = Endpoints::new(&[c.visitation.clone(), c.settlement.clone(), c.budget.clone()])?;
        Ok(endpoints.as_principal(c.token.as_deref()))
    };
    match cli.command {
        Command::Up { data_dir, cockpit } => up(&data_dir, &cockpit, c.token.clone()).await.map(|()| true),
        Command::Cockpit { listen } => {
            let endpoints = Endpoints::new(&[c.visitation.clone(), c.settlement.clone(), c.budget.clone()])?;
            let listener = tokio::net::TcpListener::bind(listen).await?;
            println!("cockpit on http://{}", listener.local_addr()?);
            afregning_cockpit::serve(listener, endpoints, c.token.clone(), shutdown_signal())
                .await
                .map(|()| true)
        }
        Command::Steering { from, to, format } => crate::steering::command(&mut connect()?, from, to, format).await.map(|()| true),
        Command::Demo { keep } => demo(keep.as_deref()).await.map(|()| true),
        Command::Status => commands::status(&mut connect()?, &c.urls()).await.map(|()| true),
        Command::Grants(g) => commands::grants(&mut connect()?, g).await.map(|()| true),
        Command::Deliveries(d) => commands::deliveries(&mut connect()?, d).await,
        Command::Settle { period, issue, write } => commands::settle(&mut connect()?, period, issue, &write).await.map(|()| true),
        Command::Statements(s) => commands::statements(&mut connect()?, s).await.map(|()| true),
        Command::Budget { frame, as_of } => commands::budget(&mut connect()?, frame, as_of).await.map(|()| true),
        Command::Cases(cases) => commands::cases(&mut connect()?, cases).await.map(|()| true),
        Command::Export { year, frame, format } => commands::export(&mut connect()?, year, frame, format).await.map(|()| true),
        Command::Reconcile { year, file } => commands::reconcile(&mut connect()?, year, &file).await,
    }
}

/// `afregning up`.
async fn up(data_dir: &Path, cockpit: &str, token: Option<String>) -> anyhow::Result<()> {
    let config = SuiteConfig::load(Some(data_dir))?;
    let mut telemetry = config.services[0].clone();
    telemetry.service = "suite".to_owned();
    let _telemetry = afregning_kit::telemetry::init(&telemetry)?;
    let suite = Suite::start(config.clone()).await?;
    for ((def, config), addr) in crate::suite::SERVICES.iter().zip(&config.services).zip(suite.addrs) {
        let backend = config.database_url.split(':').next().unwrap_or_default();
        println!("{:<10} listening on {addr} ({backend})", def.service);
    }
    let (stop_cockpit, cockpit_stopped) = tokio::sync::watch::channel(false);
    let cockpit = if cockpit == "off" {
        None
    } else {
        let addr: std::net::SocketAddr = cockpit
            .parse()
            .map_err(|_| anyhow::anyhow!("--cockpit: not an address: {cockpit}"))?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| anyhow::anyhow!("cockpit: cannot listen on {addr}: {e}"))?;
        println!("{:<10} on http://{}", "cockpit", listener.local_addr()?);
        let endpoints = Endpoints::new(&suite.urls())?;
        let mut stopped = cockpit_stopped;
        Some(tokio::spawn(afregning_cockpit::serve(listener, endpoints, token, async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        })))
    };
    println!("Ctrl-C stops them all.");
    let result = suite.run_until(shutdown_signal()).await;
    let _ = stop_cockpit.send(true);
    if let Some(cockpit) = cockpit {
        cockpit.await??;
    }
    result
}

/// `afregning demo`.
async fn demo(keep: Option<&Path>) -> anyhow::Result<()> {
    let started = Instant::now();
    let temporary = tempfile::tempdir()?;
    let dir = keep.unwrap_or(temporary.path());
    std::fs::create_dir_all(dir)?;
    let catalog = dir.join("catalog-2026.toml");
    std::fs::write(&catalog, DEMO_CATALOG)?;
    let config = SuiteConfig::embedded(dir, &catalog).with_tokens(&quarter::TOKENS, quarter::UPSTREAM);
    let suite = Suite::start(config).await?;
    let out = Out::terminal();
    out.line("Afregning — money follows the citizen");
    out.line(format!(
        "A small municipality's second quarter of 2026, on three fresh services (visitation {}, settlement {}, budget {}).",
        suite.addrs[0], suite.addrs[1], suite.addrs[2]
    ));
    let endpoints = Endpoints::new(&suite.urls())?;
    let outcome = quarter::run(&endpoints, out).await;
    suite.stop().await?;
    let outcome = outcome?;
    out.heading("The quarter in one line");
    let case = outcome
        .case
        .as_ref()
        .map(|c| (c.amount_ore, c.from_frame.as_str(), c.to_frame.as_str()));
    out.line(format!(
        "{} kr paid to {} providers over three months, every line explained; {} kr of budget moved {} → {} to follow the citizens; {:.1} s.",
        kr(outcome.issued_total_ore),
        outcome.providers.len(),
        kr(case.map(|c| c.0).unwrap_or_default()),
        case.map(|c| c.1).unwrap_or_default(),
        case.map(|c| c.2).unwrap_or_default(),
        started.elapsed().as_secs_f32()
    ));
    if let Some(dir) = keep {
        out.line(format!("The databases are kept in {}.", dir.display()));
    }
    Ok(())
}
