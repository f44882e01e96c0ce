//! `afregning-cockpit`: the steering cockpit on its own, against running services.

use std::net::SocketAddr;

use afregning_client::connect::{Connection, Endpoints};
use afregning_client::describe::describe;
use clap::Parser;

/// The steering cockpit: budget follow-up, reallocation cases, progression and the steering
/// models as web pages, read through the services' gRPC APIs as the principal of --token.
///
/// Example: afregning-cockpit --listen 127.0.0.1:8080
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    #[command(flatten)]
    connection: Connection,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match serve(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!(
                "{}",
                afregning_client::i18n::tr_args("error-prefix", &[("error", describe(&error))])
            );
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve(cli: Cli) -> anyhow::Result<()> {
    let endpoints = Endpoints::new(&cli.connection.urls())?;
    let listener = tokio::net::TcpListener::bind(cli.listen)
        .await
        .map_err(|e| anyhow::anyhow!("--listen: cannot listen on {}: {e}", cli.listen))?;
    println!(
        "{}",
        afregning_client::i18n::tr_args("cockpit-listening", &[("url", format!("http://{}", listener.local_addr()?))])
    );
    afregning_cockpit::serve(listener, endpoints, cli.connection.token, afregning_kit::server::shutdown_signal()).await
}
