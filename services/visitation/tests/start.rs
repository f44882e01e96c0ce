//! The visitation binary starts, answers health over a real gRPC connection, lists its service by
//! reflection and stops cleanly on SIGTERM; in process, it migrates and serves on both backends.

use std::path::Path;

use afregning_kit::server::ServiceSpec;
use afregning_kit::testing::{Backend, TestDatabase, TestServer, check_binary, health_status, reflected_services};

const SERVING: i32 = 1;

#[tokio::test]
async fn binary_serves_health_and_reflection_and_stops_on_sigterm() {
    let check = check_binary(
        Path::new(env!("CARGO_BIN_EXE_visitation")),
        afregning_visitation::SERVICE,
        afregning_visitation::GRPC_NAME,
    )
    .await
    .unwrap();
    assert_eq!(check.health, SERVING);
    assert!(
        check.services.iter().any(|s| s == afregning_visitation::GRPC_NAME),
        "{:?}",
        check.services
    );
    assert!(check.services.iter().any(|s| s == "grpc.health.v1.Health"), "{:?}", check.services);
    assert_eq!(check.exit_code, Some(0), "clean exit on SIGTERM");
}

async fn serves_on(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let database = db.connect(afregning_visitation::MIGRATIONS).await;
    assert_eq!(
        database.backend(),
        match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    );
    let spec = ServiceSpec {
        grpc_name: afregning_visitation::GRPC_NAME,
        routes: Default::default(),
        database,
    };
    let server = TestServer::start(spec).await;
    assert_eq!(
        health_status(server.channel().await, afregning_visitation::GRPC_NAME)
            .await
            .unwrap(),
        SERVING
    );
    assert!(
        reflected_services(server.channel().await)
            .await
            .unwrap()
            .contains(&afregning_visitation::GRPC_NAME.to_owned())
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn serves_on_sqlite() {
    serves_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn serves_on_postgres() {
    serves_on(Backend::Postgres).await;
}
