//! Pricing a provider's month into a draft statement: regular lines from the mirrored grants and
//! deliveries, corrections for issued months that would now price differently, recoveries the
//! authority's review recorded, and the inputs copied beside it.
//!
//! A draft is a pure function of what the store holds, written in one transaction per provider,
//! so pricing a month again — or again after a crash half-way — rewrites the same draft. Issued
//! statements are never touched.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use afregning_kit::catalogs::Live;
use afregning_tariff::{CatalogSet, Ore, Period};
use chrono::{DateTime, Utc};

use crate::domain::correction::{compare, corrections_of, issued_months, reversal};
use crate::domain::ids::{GrantId, ProviderId, StatementId};
use crate::domain::line::{FramedLine, StoredLine, TargetPeriod, number_lines};
use crate::domain::pricing::{VisitsByGrant, price_grant_for_provider_as};
use crate::domain::review::recovery_line;
use crate::domain::statement::{Statement, StatementStatus};
use crate::error::SettlementError;
use crate::store::{Input, StatementTx, Store, instant_text};

/// Prices providers' months.
#[derive(Clone)]
pub struct Runner {
    pub(crate) store: Store,
    catalogs: Live,
}

/// What one provider's month came to.
pub struct ProviderResult {
    /// Lines written to the draft.
    pub lines: usize,
    /// The draft's total.
    pub total: Ore,
}

impl Runner {
    /// A runner over `store` pricing with the catalog versions published on the grant feed and,
    /// where a version is not published, the deployment's files `bootstrap`.
    pub fn new(store: Store, bootstrap: Arc<CatalogSet>) -> Runner {
        Runner {
            store,
            catalogs: Live::new(CatalogSet::clone(&bootstrap)),
        }
    }

    /// The catalogs it prices with, as followed from the grant feed so far.
    pub async fn catalogs(&self) -> Result<Arc<CatalogSet>, SettlementError> {
        Ok(self.catalogs.current(&self.store.storage).await?)
    }

    /// The provider's regular lines for `period`, ordered by citizen, grant, date and band, with
    /// the inputs that priced them.
    async fn regular(
        &self,
        catalogs: &CatalogSet,
        provider_id: &ProviderId,
        period: Period,
    ) -> Result<(Vec<FramedLine>, Vec<Input>), SettlementError> {
        let grants = self.store.grants_of_provider(provider_id.as_str()).await?;
        let deliveries = self.store.provider_deliveries(provider_id.as_str(), &period.to_string()).await?;
        let visits = VisitsByGrant::of(&deliveries);
        let mut lines = Vec::new();
        let mut inputs = Vec::new();
        for versions in &grants {
            let priced = price_grant_for_provider_as(provider_id, versions, visits.of_grant(versions), period, catalogs, &|t, _| Ok(t))?;
            if priced.is_empty() {
                continue;
            }
            inputs.extend(versions.iter().map(|v| Input {
                kind: "grant_version",
                key: format!("{}:{}", v.grant_id, v.version),
                payload: v.mirrored.clone(),
            }));
            lines.extend(priced);
        }
        inputs.extend(deliveries.iter().map(|d| Input {
            kind: "delivery",
            key: d.delivery_id.to_string(),
            payload: format!("{}|{}|{}|{}", d.grant_id, instant_text(d.started_at), d.minutes, d.revision).into_bytes(),
        }));
        let cprs = self.store.provider_citizens(provider_id.as_str()).await?;
        for l in &mut lines {
            l.line.cpr = cprs.get(&l.line.citizen_id).cloned();
        }
        lines.sort_by(|a, b| {
            let key = |l: &FramedLine| {
                (
                    l.line.citizen_id.clone(),
                    l.line.grant_id.clone(),
                    l.line.covers.first(),
                    l.line.time_band,
                )
            };
            key(a).cmp(&key(b))
        });
        Ok((lines, inputs))
    }

    /// Correction lines for the provider's issued months before `period`.
    async fn corrections(
        &self,
        catalogs: &CatalogSet,
        provider_id: &ProviderId,
        period: Period,
        settled: &[Period],
    ) -> Result<(Vec<StoredLine>, Vec<Input>), SettlementError> {
        let own = self.store.statement_periods(provider_id.as_str()).await?;
        let mut out = Vec::new();
        let mut inputs = Vec::new();
        for q in issued_months(period, &own, settled) {
            let effective = self.store.effective_lines(provider_id.as_str(), q).await?;
            let (fresh, fresh_inputs) = self.regular(catalogs, provider_id, q).await?;
            let lines = corrections_of(q, effective, fresh);
            if !lines.is_empty() {
                inputs.extend(fresh_inputs);
                out.extend(lines);
            }
        }
        Ok((out, inputs))
    }

    /// Prices one provider's month and writes its draft (or removes an empty one).
    pub async fn provider_month(&self, provider_id: &str, period: Period, now: DateTime<Utc>) -> Result<ProviderResult, SettlementError> {
        let Some((draft, lines, inputs)) = self.price_month(&ProviderId::new(provider_id), period, now).await? else {
            return Ok(ProviderResult {
                lines: 0,
                total: Ore::ZERO,
            });
        };
        self.write_draft(&draft, &lines, &inputs).await?;
        Ok(ProviderResult {
            lines: lines.len(),
            total: draft.total_ore,
        })
    }

    /// The provider's running month as it would settle from what is stored now, priced exactly as
    /// a run prices it but written nowhere: `None` when the month is issued or settled (then it
    /// has nothing to preview). The header says Draft; the caller marks it a preview.
    pub async fn preview(
        &self,
        provider_id: &ProviderId,
        period: Period,
        now: DateTime<Utc>,
    ) -> Result<Option<(Statement, Vec<StoredLine>)>, SettlementError> {
        Ok(self
            .price_month(provider_id, period, now)
            .await?
            .map(|(draft, lines, _)| (draft, lines)))
    }

    /// The draft of one provider's month with its lines and inputs, or `None` when the month is
    /// issued or settled: the one computation behind a run's draft and a preview.
    async fn price_month(
        &self,
        provider_id: &ProviderId,
        period: Period,
        now: DateTime<Utc>,
    ) -> Result<Option<(Statement, Vec<StoredLine>, Vec<Input>)>, SettlementError> {
        // One set of catalogs for the whole month, its corrections and the inputs copied.
        let catalogs = self.catalogs().await?;
        let id = StatementId::of_month(provider_id, period);
        let existing = self.store.statement(id.as_str()).await?;
        // Read once per provider's month: which months are settled decides both this month's
        // draft and the corrections it carries.
        let settled = self.store.settled_periods().await?;
        let closed = existing.is_none() && settled.contains(&period);
        if existing.is_some_and(|s| s.status == StatementStatus::Issued) || closed {
            // An issued month is final, and a settled month gets no new statement; what changed in
            // it waits for the provider's next open month, as corrections and supplements.
            return Ok(None);
        }
        let (regular, mut inputs) = self.regular(&catalogs, provider_id, period).await?;
        // Normally nothing: unless later statements already carried this month as supplements,
        // in which case the draft holds only what they have not.
        let paid_elsewhere = self.store.effective_lines(provider_id.as_str(), period).await?;
        let (reversed, regular) = compare(paid_elsewhere, regular);
        let (corrections, correction_inputs) = self.corrections(&catalogs, provider_id, period, &settled).await?;
        inputs.extend(correction_inputs);
        let mut lines: Vec<StoredLine> = reversed.iter().map(|old| reversal(old, period)).collect();
        lines.extend(regular.into_iter().map(|l| StoredLine::paying_for(l, period)));
        lines.extend(corrections);
        // Recoveries the authority recorded on reviewed months, until an issued statement carries them.
        let recoveries = self.store.pending_recoveries(provider_id.as_str(), period).await?;
        if !recoveries.is_empty() {
            let cprs = self.store.provider_citizens(provider_id.as_str()).await?;
            // What each reviewed month pays for each grant now: its issued lines, and this draft's
            // corrections of it. A recovery never takes back more.
            let mut paid_now: BTreeMap<(Period, GrantId), Ore> = BTreeMap::new();
            for month in recoveries.iter().map(|r| r.period).collect::<BTreeSet<_>>() {
                let issued = self.store.effective_lines(provider_id.as_str(), month).await?;
                for l in issued
                    .iter()
                    .chain(lines.iter().filter(|l| l.target_period == TargetPeriod::Month(month)))
                {
                    let sum = paid_now.entry((month, l.line.grant_id.clone())).or_default();
                    *sum = sum.checked_add(l.line.amount_ore)?;
                }
            }
            for r in &recoveries {
                let paid = paid_now.get(&(r.period, r.grant_id.clone())).copied().unwrap_or(Ore::ZERO);
                let mut line = recovery_line(r, paid);
                line.line.cpr = cprs.get(&r.citizen_id).cloned();
                lines.push(line);
            }
            inputs.extend(recoveries.iter().map(|r| Input {
                kind: "review_outcome",
                key: format!("{}:{}", r.period, r.grant_id),
                payload: format!("{}|{}", r.amount.get(), r.note).into_bytes(),
            }));
        }
        number_lines(&id, &mut lines);
        let draft = Statement::draft(id, provider_id.clone(), TargetPeriod::Month(period), &lines, now)?;
        for version in &draft.catalog_versions {
            if let Some(catalog) = catalogs.by_version(version) {
                inputs.push(Input {
                    kind: "catalog",
                    key: version.clone(),
                    payload: catalog.to_toml_string().into_bytes(),
                });
            }
        }
        if let Some(payload) = self.store.provider_payload(provider_id.as_str()).await? {
            inputs.push(Input {
                kind: "provider",
                key: provider_id.to_string(),
                payload,
            });
        }
        Ok(Some((draft, lines, inputs)))
    }

    /// Writes a draft in its own transaction.
    pub(crate) async fn write_draft(&self, draft: &Statement, lines: &[StoredLine], inputs: &[Input]) -> Result<(), SettlementError> {
        let mut tx = self.store.storage.begin().await?;
        if !tx.write_draft(draft, lines, inputs).await? {
            return Err(SettlementError::StatementIssued);
        }
        self.store.storage.commit(tx).await?;
        Ok(())
    }
}
