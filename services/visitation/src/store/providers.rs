//! Providers: registration and reads; approved unit codes are stored comma-separated.

use afregning_kit::ApiError;
use afregning_kit::on_tx;
use afregning_kit::store::Tx;
use afregning_tariff::Cvr;
use chrono::{DateTime, Utc};

use super::{On, damaged, on, timestamp};
use crate::domain::{Provider, ProviderId, ProviderKind};

#[derive(sqlx::FromRow)]
struct ProviderRow {
    provider_id: String,
    cvr: String,
    name: String,
    kind: i64,
    committee: String,
    approved_for: String,
}

impl TryFrom<ProviderRow> for Provider {
    type Error = ApiError;

    fn try_from(row: ProviderRow) -> Result<Provider, ApiError> {
        let kind = i32::try_from(row.kind)
            .map_err(|e| damaged("provider kind", e))
            .and_then(|k| ProviderKind::try_from(k).map_err(|e| damaged("provider kind", e)))?;
        Ok(Provider {
            provider_id: ProviderId::from(row.provider_id),
            cvr: Cvr::parse(&row.cvr).map_err(|e| damaged("CVR number", e))?,
            name: row.name,
            kind,
            committee: row.committee,
            approved_for: row.approved_for.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        })
    }
}

/// A provider by id.
pub async fn get(on: On<'_>, provider_id: &ProviderId) -> Result<Option<Provider>, ApiError> {
    let row: Option<ProviderRow> = on!(on, e => sqlx::query_as("SELECT provider_id, cvr, name, kind, committee, approved_for FROM providers WHERE provider_id = $1").bind(provider_id.as_str()).fetch_optional(e).await?);
    row.map(Provider::try_from).transpose()
}

/// Providers ordered by id, a page at a time.
pub async fn page(on: On<'_>, offset: i64, limit: i64) -> Result<Vec<Provider>, ApiError> {
    let rows: Vec<ProviderRow> = on!(on, e => sqlx::query_as("SELECT provider_id, cvr, name, kind, committee, approved_for FROM providers ORDER BY provider_id LIMIT $1 OFFSET $2").bind(limit).bind(offset).fetch_all(e).await?);
    rows.into_iter().map(Provider::try_from).collect()
}

/// Stores a new provider; false when its id is taken (a concurrent registration of the same id
/// waits for the first to commit, then inserts nothing).
pub async fn insert(tx: &mut Tx, provider: &Provider, now: DateTime<Utc>) -> Result<bool, ApiError> {
    let at = timestamp(now);
    let approved = provider.approved_for.join(",");
    let inserted = on_tx!(tx, t => sqlx::query("INSERT INTO providers (provider_id, cvr, name, kind, committee, approved_for, registered_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (provider_id) DO NOTHING")
        .bind(provider.provider_id.as_str()).bind(provider.cvr.to_string()).bind(&provider.name).bind(i64::from(i32::from(provider.kind)))
        .bind(&provider.committee).bind(approved).bind(at).execute(&mut **t).await?.rows_affected());
    Ok(inserted == 1)
}
