//! The `settlement` binary: configuration → telemetry → catalogs → database → serve until stopped.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    afregning_kit::server::run_service(afregning_settlement::DEF).await
}
