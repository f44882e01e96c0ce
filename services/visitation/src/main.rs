//! The `visitation` binary: configuration → telemetry → catalogs → database → serve until stopped.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    afregning_kit::server::run_service(
        afregning_visitation::SERVICE,
        afregning_visitation::GRPC_NAME,
        afregning_visitation::MIGRATIONS,
        afregning_visitation::routes,
    )
    .await
}
