//! Tariff catalog versions: the table is the kit's (`afregning_kit::catalogs`, shared with the
//! followers' copies); here only the lock that makes publications one at a time.

use afregning_kit::ApiError;
use afregning_kit::store::Tx;

/// Holds the publication lock until `tx` ends. SQLite's write transaction is exclusive already;
/// on PostgreSQL an advisory lock, so two versions are decided one after the other.
pub async fn lock(tx: &mut Tx) -> Result<(), ApiError> {
    if let Tx::Postgres(t) = tx {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('afregning:catalogs', 0))")
            .execute(&mut **t)
            .await?;
    }
    Ok(())
}
