//! The three services run side by side, each as its own server with its own database, and each
//! answers for its own API only.

use afregning_kit::db::Migrations;
use afregning_kit::server::ServiceSpec;
use afregning_kit::testing::{Backend, SERVING, TestDatabase, TestServer, health_status, reflected_services};

async fn suite_on(backend: Backend) {
    let services: [(&str, Migrations); 3] = [
        (afregning_visitation::GRPC_NAME, afregning_visitation::MIGRATIONS),
        (afregning_settlement::GRPC_NAME, afregning_settlement::MIGRATIONS),
        (afregning_budget::GRPC_NAME, afregning_budget::MIGRATIONS),
    ];
    let mut running = Vec::new();
    for (grpc_name, migrations) in services {
        let db = TestDatabase::new(backend).await;
        let database = db.connect(migrations).await;
        let server = TestServer::start(ServiceSpec {
            grpc_name,
            routes: Default::default(),
            database,
        })
        .await;
        running.push((grpc_name, server, db));
    }
    let addrs: Vec<_> = running.iter().map(|(_, s, _)| s.addr).collect();
    assert_eq!(addrs.len(), 3);
    for (grpc_name, server, _) in &running {
        assert_eq!(health_status(server.channel().await, grpc_name).await.unwrap(), SERVING);
        let listed = reflected_services(server.channel().await).await.unwrap();
        let own: Vec<_> = listed.iter().filter(|s| s.starts_with("afregning.")).collect();
        assert_eq!(own, vec![grpc_name], "each server lists only its own API");
        for (other, ..) in running.iter().filter(|(n, ..)| n != grpc_name) {
            let error = health_status(server.channel().await, other).await.unwrap_err();
            let code = error.downcast_ref::<tonic::Status>().map(tonic::Status::code);
            assert_eq!(code, Some(tonic::Code::NotFound), "{other} is not served here: {error}");
        }
    }
    for (_, server, _db) in running {
        server.stop().await.unwrap();
    }
}

#[tokio::test]
async fn three_services_side_by_side_on_sqlite() {
    suite_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn three_services_side_by_side_on_postgres() {
    suite_on(Backend::Postgres).await;
}
