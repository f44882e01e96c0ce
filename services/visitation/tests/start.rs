//! The visitation binary starts, answers health over a real gRPC connection, lists its service by
//! reflection and stops cleanly on SIGTERM; in process, it migrates and serves on both backends.

use std::path::Path;

use afregning_kit::testing::{Backend, assert_binary_lifecycle, assert_refuses_public_listen_without_auth, assert_serves_on};
use afregning_visitation::{GRPC_NAME, MIGRATIONS, SERVICE};

#[tokio::test]
async fn binary_serves_health_and_reflection_and_stops_on_sigterm() {
    assert_binary_lifecycle(Path::new(env!("CARGO_BIN_EXE_visitation")), SERVICE, GRPC_NAME).await;
}

#[tokio::test]
async fn serves_on_sqlite() {
    assert_serves_on(Backend::Sqlite, GRPC_NAME, MIGRATIONS).await;
}

#[tokio::test]
async fn serves_on_postgres() {
    assert_serves_on(Backend::Postgres, GRPC_NAME, MIGRATIONS).await;
}

#[tokio::test]
async fn refuses_to_listen_beyond_loopback_without_authentication() {
    assert_refuses_public_listen_without_auth(Path::new(env!("CARGO_BIN_EXE_visitation")), SERVICE).await;
}
