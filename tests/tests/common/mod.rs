//! What several cross-service tests share.

use afregning_kit::testing::{Backend, TestDatabase};
use afregning_suite::SuiteConfig;

/// On PostgreSQL, a fresh database for each of the suite's services (kept alive by the returned
/// handles); on SQLite nothing changes and the services keep their files in the suite's folder.
pub async fn databases(backend: Backend, config: &mut SuiteConfig) -> Vec<TestDatabase> {
    let mut databases = Vec::new();
    if backend == Backend::Postgres {
        for service in &mut config.services {
            let db = TestDatabase::new(Backend::Postgres).await;
            service.database_url = db.url.clone();
            databases.push(db);
        }
    }
    databases
}
