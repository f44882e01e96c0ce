//! The database a service owns: embedded SQLite (the default, for one machine, demos and tests)
//! or PostgreSQL (production), chosen by the URL. Each service keeps its own migrations for each
//! backend (`migrations/sqlite`, `migrations/postgres`) and runs them at start.

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

/// A service's two migration sets.
#[derive(Clone, Copy)]
pub struct Migrations {
    /// For SQLite.
    pub sqlite: &'static Migrator,
    /// For PostgreSQL.
    pub postgres: &'static Migrator,
}

/// A connected, migrated database.
#[derive(Clone, Debug)]
pub enum Database {
    /// Embedded SQLite file.
    Sqlite(SqlitePool),
    /// PostgreSQL server.
    Postgres(PgPool),
}

impl Database {
    /// Connects to `url` (creating a SQLite file and its folder, or a PostgreSQL database the
    /// server lets this role create, if missing) and runs migrations.
    pub async fn connect(url: &str, max_connections: u32, migrations: Migrations) -> anyhow::Result<Database> {
        let database = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            create_postgres_database(url).await?;
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(options)
                .await?;
            migrations.postgres.run(&pool).await?;
            Database::Postgres(pool)
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // Durable commits: a statement issued is a statement on disk.
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            if let Some(dir) = options.get_filename().parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(options)
                .await?;
            migrations.sqlite.run(&pool).await?;
            Database::Sqlite(pool)
        } else {
            anyhow::bail!("database_url must start with sqlite: or postgres://");
        };
        Ok(database)
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self {
            Database::Sqlite(_) => "sqlite",
            Database::Postgres(_) => "postgres",
        }
    }

    /// A probe of its own for health: on PostgreSQL a connection outside the pool, so a pool
    /// busy with requests never reads as a database that is down.
    pub fn prober(&self) -> Prober {
        Prober {
            database: self.clone(),
            connection: None,
        }
    }

    /// Checks that the database answers (for health).
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        match self {
            Database::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
            Database::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
        }
    }

    /// Closes every pooled connection.
    pub async fn close(&self) {
        match self {
            Database::Sqlite(pool) => pool.close().await,
            Database::Postgres(pool) => pool.close().await,
        }
    }
}

/// Health's own line to the database: see [`Database::prober`].
pub struct Prober {
    database: Database,
    connection: Option<sqlx::PgConnection>,
}

impl Prober {
    /// Whether the database answers `SELECT 1` within `timeout`. A PostgreSQL connection that
    /// failed is dropped and opened again on the next probe.
    pub async fn answers(&mut self, timeout: std::time::Duration) -> bool {
        let ok = match &self.database {
            Database::Sqlite(_) => tokio::time::timeout(timeout, self.database.ping()).await.is_ok_and(|r| r.is_ok()),
            Database::Postgres(pool) => {
                let options = pool.connect_options();
                let connection = &mut self.connection;
                let probe = async {
                    use sqlx::Connection as _;
                    if connection.is_none() {
                        *connection = Some(sqlx::PgConnection::connect_with(&options).await?);
                    }
                    match connection.as_mut() {
                        Some(c) => sqlx::query("SELECT 1").execute(c).await.map(drop),
                        None => Ok(()),
                    }
                };
                tokio::time::timeout(timeout, probe)
                    .await
                    .is_ok_and(|r: Result<(), sqlx::Error>| r.is_ok())
            }
        };
        if !ok {
            self.connection = None;
        }
        ok
    }
}

/// Creates the PostgreSQL database `url` names when it does not exist yet, so a service starts
/// on a fresh server as on a fresh SQLite file. A role without CREATEDB gets the server's
/// refusal in words; one created meanwhile by another process counts as there.
async fn create_postgres_database(url: &str) -> anyhow::Result<()> {
    use sqlx::migrate::MigrateDatabase;
    if sqlx::Postgres::database_exists(url).await? {
        return Ok(());
    }
    match sqlx::Postgres::create_database(url).await {
        Ok(()) => Ok(()),
        // 42P04: duplicate_database — another process created it between the check and here.
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P04") => Ok(()),
        Err(e) => Err(anyhow::anyhow!("creating the database of {}: {e}", redact(url))),
    }
}

/// `url` without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{}{user}{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn a_url_in_a_message_keeps_its_user_and_loses_its_password() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/visitation"),
            "postgres://app@db:5432/visitation"
        );
        assert_eq!(redact("postgres://postgres@127.0.0.1/x"), "postgres://postgres@127.0.0.1/x");
        assert_eq!(redact("postgres://127.0.0.1/x"), "postgres://127.0.0.1/x");
    }
}
