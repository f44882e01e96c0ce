//! The audit log of personal-data reads, per citizen, append-only. An entry is written on the
//! pool after a plain read, or inside the write it is part of.

use afregning_kit::ApiError;
use afregning_kit::store::Storage;

use super::{On, instant, on, timestamp};
use crate::domain::CitizenId;
use crate::domain::citizen::AuditEntry;

/// Records a read of a citizen's personal data.
pub async fn record(on: On<'_>, citizen_id: &CitizenId, entry: &AuditEntry) -> Result<(), ApiError> {
    let at = timestamp(entry.at);
    on!(on, e => sqlx::query("INSERT INTO audit_log (citizen_id, at, principal, action, purpose) VALUES ($1, $2, $3, $4, $5)")
        .bind(citizen_id.as_str()).bind(at).bind(&entry.principal).bind(&entry.action).bind(&entry.purpose).execute(e).await.map(drop)?);
    Ok(())
}

/// A citizen's audit log, oldest first.
pub async fn of_citizen(on: On<'_>, citizen_id: &CitizenId, offset: i64, limit: i64) -> Result<Vec<AuditEntry>, ApiError> {
    let rows: Vec<(String, String, String, String)> = on!(on, e => sqlx::query_as(
        "SELECT at, principal, action, purpose FROM audit_log WHERE citizen_id = $1 ORDER BY entry_no LIMIT $2 OFFSET $3")
        .bind(citizen_id.as_str()).bind(limit).bind(offset).fetch_all(e).await?);
    rows.into_iter()
        .map(|(at, principal, action, purpose)| {
            Ok(AuditEntry {
                at: instant(&at)?,
                principal,
                action,
                purpose,
            })
        })
        .collect()
}

/// Records reads of several citizens' personal data at once, all or none, on one connection.
/// Its commit wakes no feed follower: an audit entry is not a feed record.
pub async fn record_all(storage: &Storage, entries: &[(CitizenId, AuditEntry)]) -> Result<(), ApiError> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut tx = storage.begin().await?;
    for (citizen_id, entry) in entries {
        record(On::from(&mut tx), citizen_id, entry).await?;
    }
    afregning_kit::on_tx!(tx, t => t.commit().await?);
    Ok(())
}
