//! The review list of a settled month gathered from what the store holds (grants, deliveries and
//! the issued lines of the month), drawn by [`crate::domain::review`]; and the recoveries a
//! provider's next statement carries.

use std::collections::BTreeMap;

use afregning_tariff::{Ore, Period};

use super::pricing::Runner;
use crate::domain::ids::{GrantId, ProviderId};
use crate::domain::line::{FramePart, TargetPeriod};
use crate::domain::pricing::{VisitsByGrant, time_on_grant};
use crate::domain::review::{Booking, Candidate};
use crate::domain::statement::StatementStatus;
use crate::error::SettlementError;

impl Runner {
    /// Every provider's grants of the settled month `period` with their visited and delivered
    /// minutes and what the issued statements pay for them: the review's population, by provider
    /// and grant. A month with no issued statement, or with a statement still in draft, is
    /// [`SettlementError::NotSettled`]: every amount on the list is what was issued.
    pub async fn review_candidates(&self, period: Period) -> Result<Vec<Candidate>, SettlementError> {
        let month = Some(TargetPeriod::Month(period));
        let issued = self.store.statements(None, month, Some(StatementStatus::Issued), 0, 1).await?;
        let drafts = self.store.statements(None, month, Some(StatementStatus::Draft), 0, 1).await?;
        if issued.is_empty() || !drafts.is_empty() {
            return Err(SettlementError::NotSettled);
        }
        let catalogs = self.catalogs().await?;
        let mut out = Vec::new();
        for provider in self.store.provider_ids().await? {
            let provider_id = ProviderId::new(&provider);
            let paid = self.store.effective_lines(&provider, period).await?;
            let deliveries = self.store.provider_deliveries(&provider, &period.to_string()).await?;
            let visits = VisitsByGrant::of(&deliveries);
            // What the month's issued lines pay per grant, the largest line's booking, and what
            // each frame paid for the grant.
            let mut amounts: BTreeMap<GrantId, (Ore, Ore, Booking)> = BTreeMap::new();
            let mut by_frame: BTreeMap<GrantId, BTreeMap<(String, String, String), Ore>> = BTreeMap::new();
            for l in &paid {
                let frames = by_frame.entry(l.line.grant_id.clone()).or_default();
                for f in &l.frames {
                    let key = (f.paying_frame.clone(), f.need_frame.clone(), f.account.clone());
                    let sum = frames.entry(key).or_default();
                    *sum = sum.checked_add(f.amount_ore)?;
                }
                let entry = amounts.entry(l.line.grant_id.clone()).or_default();
                entry.0 = entry.0.checked_add(l.line.amount_ore)?;
                let size = Ore::new(l.line.amount_ore.get().saturating_abs());
                if size >= entry.1 {
                    entry.1 = size;
                    entry.2 = Booking {
                        frames: Vec::new(),
                        paying_frame: l.line.paying_frame.clone(),
                        need_frame: l.line.need_frame.clone(),
                        account: l.line.account.clone(),
                        unit: l.line.unit.clone(),
                        unit_kind: l.line.unit_kind,
                    };
                }
            }
            for versions in self.store.grants_of_provider(&provider).await? {
                let Some(first) = versions.first() else { continue };
                let time = time_on_grant(&provider_id, &versions, visits.of_grant(&versions), period, &catalogs)?;
                let paid = amounts.remove(&first.grant_id);
                // A grant of the month is one the provider was paid for, or had visited or
                // delivered time on: not one that ended before it or moved to another provider.
                if paid.is_none() && time.is_none_or(|(visited, delivered)| visited == 0 && delivered == 0) {
                    continue;
                }
                let (visited_minutes, delivered_minutes) = time.unwrap_or_default();
                let (amount, _, mut booking) = paid.unwrap_or_default();
                booking.frames = by_frame
                    .remove(&first.grant_id)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|(_, paid)| paid.get() > 0)
                    .map(|((paying_frame, need_frame, account), amount_ore)| FramePart {
                        paying_frame,
                        need_frame,
                        account,
                        amount_ore,
                    })
                    .collect();
                let booking = if booking.paying_frame.is_empty() {
                    Booking {
                        paying_frame: first.paying_frame.clone(),
                        need_frame: first.need_frame.clone(),
                        ..booking
                    }
                } else {
                    booking
                };
                out.push(Candidate {
                    grant_id: first.grant_id.clone(),
                    provider_id: provider_id.clone(),
                    citizen_id: first.citizen_id.clone(),
                    visited_minutes,
                    delivered_minutes,
                    amount,
                    booking,
                });
            }
        }
        Ok(out)
    }
}
