//! The mirror of visitation's providers, grant versions and citizens' CPR numbers. Grant versions
//! are stored as visitation sent them and read here into [`GrantVersion`]s, with the tariff's
//! reading of their terms ([`afregning_proto::terms::grant_terms`]).

use std::collections::HashMap;

use afregning_kit::ApiError;
use afregning_kit::store::{Tx, decode};
use afregning_proto::common::v1 as pbc;
use afregning_proto::terms::{date_of, grant_terms};
use afregning_proto::visitation::v1 as pbv;
use afregning_tariff::Cpr;
use prost::Message;

use super::{On, Store, id_list, id_list_param, on};
use crate::domain::grant::{GrantVersion, ProviderShare, UnitKind};
use crate::domain::ids::{CitizenId, GrantId, ProviderId};

/// A mirrored grant version as settlement reads it.
pub(crate) fn grant_version(g: &pbv::Grant) -> GrantVersion {
    let terms = g.terms.as_ref();
    let validity = g.validity.as_ref();
    GrantVersion {
        grant_id: GrantId::new(&g.grant_id),
        version: g.version,
        citizen_id: CitizenId::new(&g.citizen_id),
        unit_kind: terms.and_then(|t| match pbc::UnitKind::try_from(t.unit_kind) {
            Ok(pbc::UnitKind::Service) => Some(UnitKind::Service),
            Ok(pbc::UnitKind::Package) => Some(UnitKind::Package),
            Ok(pbc::UnitKind::Course) => Some(UnitKind::Course),
            _ => None,
        }),
        course_type: g
            .course
            .as_ref()
            .and_then(|c| afregning_proto::convert::course_type(c.course_type).ok()),
        visited_minutes_per_week: terms.map(|t| t.visited_minutes_per_week).unwrap_or(0),
        settle_with_each: terms.is_some_and(|t| t.settle_mode == pbc::SettleMode::WithEach as i32),
        providers: terms
            .map(|t| {
                t.providers
                    .iter()
                    .map(|p| ProviderShare {
                        provider_id: ProviderId::new(&p.provider_id),
                        share_percent: p.share_percent,
                        lead: p.lead,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        first_day: date_of(validity.and_then(|v| v.first.as_ref())),
        last_day: date_of(validity.and_then(|v| v.last.as_ref())),
        effective_from: date_of(g.effective_from.as_ref()),
        ended: g.status == pbv::GrantStatus::Ended as i32,
        paying_frame: g.paying_frame.clone(),
        need_frame: g.need_frame.clone(),
        terms: grant_terms(g),
        mirrored: g.encode_to_vec(),
    }
}

fn decode_version(payload: &[u8]) -> Result<GrantVersion, ApiError> {
    Ok(grant_version(&decode::<pbv::Grant>(payload)?))
}

/// Every known version of a grant, oldest first.
async fn versions_of(on: On<'_>, grant_id: &str) -> Result<Vec<GrantVersion>, ApiError> {
    let rows: Vec<(Vec<u8>,)> = on!(on, e => sqlx::query_as("SELECT payload FROM grant_versions WHERE grant_id = $1 ORDER BY version")
        .bind(grant_id).fetch_all(e).await?);
    rows.iter().map(|(b,)| decode_version(b)).collect()
}

impl Store {
    /// A provider by id.
    pub async fn provider(&self, provider_id: &str) -> Result<Option<pbc::Provider>, ApiError> {
        self.provider_payload(provider_id).await?.map(|b| decode(&b)).transpose()
    }

    /// A provider as visitation sent it, to copy beside the statements it is paid by.
    pub async fn provider_payload(&self, provider_id: &str) -> Result<Option<Vec<u8>>, ApiError> {
        let row: Option<(Vec<u8>,)> = on!(self.pool(), e => sqlx::query_as("SELECT payload FROM providers WHERE provider_id = $1")
            .bind(provider_id).fetch_optional(e).await?);
        Ok(row.map(|(b,)| b))
    }

    /// Providers by id, a page at a time.
    pub async fn providers(&self, offset: i64, limit: i64) -> Result<Vec<pbc::Provider>, ApiError> {
        let rows: Vec<(Vec<u8>,)> = on!(self.pool(), e => sqlx::query_as("SELECT payload FROM providers ORDER BY provider_id LIMIT $1 OFFSET $2")
            .bind(limit).bind(offset).fetch_all(e).await?);
        rows.iter().map(|(b,)| decode(b)).collect()
    }

    /// Every provider id, in order.
    pub async fn provider_ids(&self) -> Result<Vec<String>, ApiError> {
        let rows: Vec<(String,)> =
            on!(self.pool(), e => sqlx::query_as("SELECT provider_id FROM providers ORDER BY provider_id").fetch_all(e).await?);
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Every known version of a grant, oldest first.
    pub async fn grant_versions(&self, grant_id: &str) -> Result<Vec<GrantVersion>, ApiError> {
        versions_of(self.pool(), grant_id).await
    }

    /// How many grants and grant versions are mirrored.
    pub async fn grant_counts(&self) -> Result<(i64, i64), ApiError> {
        let (grants,): (i64,) = on!(self.pool(), e => sqlx::query_as("SELECT COUNT(*) FROM grants").fetch_one(e).await?);
        let (versions,): (i64,) = on!(self.pool(), e => sqlx::query_as("SELECT COUNT(*) FROM grant_versions").fetch_one(e).await?);
        Ok((grants, versions))
    }

    /// Every grant that has named `provider`, each with all its versions, by grant id.
    pub async fn grants_of_provider(&self, provider_id: &str) -> Result<Vec<Vec<GrantVersion>>, ApiError> {
        let rows: Vec<(String, Vec<u8>)> = on!(self.pool(), e => sqlx::query_as(
            "SELECT v.grant_id, v.payload FROM grant_versions v JOIN grant_providers gp ON gp.grant_id = v.grant_id \
             WHERE gp.provider_id = $1 ORDER BY v.grant_id, v.version")
            .bind(provider_id).fetch_all(e).await?);
        let mut grants: Vec<Vec<GrantVersion>> = Vec::new();
        for (grant_id, payload) in rows {
            let version = decode_version(&payload)?;
            match grants.last_mut() {
                Some(versions) if versions[0].grant_id == *grant_id.as_str() => versions.push(version),
                _ => grants.push(vec![version]),
            }
        }
        Ok(grants)
    }

    /// The CPR numbers of the citizens on a provider's grants, by citizen id.
    pub async fn provider_citizens(&self, provider_id: &str) -> Result<HashMap<CitizenId, Cpr>, ApiError> {
        let rows: Vec<(String, String)> = on!(self.pool(), e => sqlx::query_as(
            "SELECT DISTINCT c.citizen_id, c.cpr FROM citizens c JOIN grant_versions v ON v.citizen_id = c.citizen_id \
             JOIN grant_providers gp ON gp.grant_id = v.grant_id WHERE gp.provider_id = $1")
            .bind(provider_id).fetch_all(e).await?);
        // Visitation checked each number before sending it; one that does not read is left off.
        Ok(rows
            .into_iter()
            .filter_map(|(citizen, cpr)| Some((CitizenId::new(citizen), Cpr::parse(&cpr).ok()?)))
            .collect())
    }

    /// Loads providers and grant versions into the mirror in one transaction (for seeding a
    /// store from another's mirror, as the follower would have built it).
    pub async fn import_mirror(&self, providers: &[pbc::Provider], versions: &[GrantVersion]) -> Result<(), ApiError> {
        let mut tx = self.storage.begin().await?;
        for p in providers {
            tx.upsert_provider(p).await?;
        }
        for v in versions {
            tx.insert_grant_version(v).await?;
        }
        self.storage.commit(tx).await
    }
}

/// The mirror's writes and reads inside a transaction.
pub(crate) trait MirrorTx {
    /// Stores or replaces a provider.
    async fn upsert_provider(&mut self, provider: &pbc::Provider) -> Result<(), ApiError>;
    /// Stores a grant version (once) and advances the grant's latest version.
    async fn insert_grant_version(&mut self, grant: &GrantVersion) -> Result<(), ApiError>;
    /// Records a citizen's CPR number.
    async fn upsert_citizen(&mut self, citizen_id: &str, cpr: &str) -> Result<(), ApiError>;
    /// Every known version of a grant, oldest first.
    async fn grant_versions(&mut self, grant_id: &str) -> Result<Vec<GrantVersion>, ApiError>;
    /// Every known version of each of `grant_ids`, oldest first, by grant id (an unknown grant
    /// has no entry).
    async fn grant_versions_of(&mut self, grant_ids: &[&str]) -> Result<HashMap<String, Vec<GrantVersion>>, ApiError>;
}

impl MirrorTx for Tx {
    async fn upsert_provider(&mut self, provider: &pbc::Provider) -> Result<(), ApiError> {
        let payload = provider.encode_to_vec();
        afregning_kit::on_tx!(self, t => sqlx::query("INSERT INTO providers (provider_id, payload) VALUES ($1, $2) ON CONFLICT (provider_id) DO UPDATE SET payload = excluded.payload")
            .bind(&provider.provider_id).bind(payload).execute(&mut **t).await.map(drop)?);
        Ok(())
    }

    async fn insert_grant_version(&mut self, grant: &GrantVersion) -> Result<(), ApiError> {
        for share in &grant.providers {
            afregning_kit::on_tx!(self, t => sqlx::query("INSERT INTO grant_providers (grant_id, provider_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(grant.grant_id.as_str()).bind(share.provider_id.as_str()).execute(&mut **t).await.map(drop)?);
        }
        let effective_from = grant.effective_from.map(|d| d.to_string()).unwrap_or_default();
        let version = i64::from(grant.version);
        afregning_kit::on_tx!(self, t => {
            sqlx::query("INSERT INTO grant_versions (grant_id, version, citizen_id, effective_from, payload) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
                .bind(grant.grant_id.as_str()).bind(version).bind(grant.citizen_id.as_str()).bind(&effective_from).bind(&grant.mirrored).execute(&mut **t).await?;
            sqlx::query("INSERT INTO grants (grant_id, latest_version) VALUES ($1, $2) ON CONFLICT (grant_id) DO UPDATE \
                         SET latest_version = excluded.latest_version WHERE grants.latest_version < excluded.latest_version")
                .bind(grant.grant_id.as_str()).bind(version).execute(&mut **t).await?;
        });
        Ok(())
    }

    async fn upsert_citizen(&mut self, citizen_id: &str, cpr: &str) -> Result<(), ApiError> {
        afregning_kit::on_tx!(self, t => sqlx::query("INSERT INTO citizens (citizen_id, cpr) VALUES ($1, $2) ON CONFLICT (citizen_id) DO UPDATE SET cpr = excluded.cpr")
            .bind(citizen_id).bind(cpr).execute(&mut **t).await.map(drop)?);
        Ok(())
    }

    async fn grant_versions(&mut self, grant_id: &str) -> Result<Vec<GrantVersion>, ApiError> {
        versions_of(On::Tx(self), grant_id).await
    }

    async fn grant_versions_of(&mut self, grant_ids: &[&str]) -> Result<HashMap<String, Vec<GrantVersion>>, ApiError> {
        let sql = format!(
            "SELECT grant_id, payload FROM grant_versions WHERE grant_id IN ({}) ORDER BY grant_id, version",
            id_list(self)
        );
        let ids = id_list_param(grant_ids)?;
        let rows: Vec<(String, Vec<u8>)> =
            afregning_kit::on_tx!(self, t => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(ids).fetch_all(&mut **t).await?);
        let mut versions: HashMap<String, Vec<GrantVersion>> = HashMap::new();
        for (grant_id, payload) in rows {
            versions.entry(grant_id).or_default().push(decode_version(&payload)?);
        }
        Ok(versions)
    }
}
