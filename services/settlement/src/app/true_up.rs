//! The annual true-up as a use case: each provider's lines issued for a year, grouped and trued
//! up to the actual unit costs, written as a true-up draft per provider.

use std::collections::BTreeMap;

use afregning_tariff::{Ore, Period};
use chrono::{DateTime, Utc};

use super::pricing::Runner;
use crate::domain::ids::{ProviderId, StatementId};
use crate::domain::line::{TargetPeriod, number_lines};
use crate::domain::statement::Statement;
use crate::domain::true_up::{Grouped, group_lines, true_up_group, year_range};
use crate::error::SettlementError;

impl Runner {
    /// Writes each provider's true-up draft for `year`: for every unit with an actual cost, the
    /// lines issued for the year grouped by paid rate and share, trued up once per group. Returns
    /// the drafts that have lines.
    pub async fn true_up(&self, year: i32, actual: &BTreeMap<String, Ore>, now: DateTime<Utc>) -> Result<Vec<Statement>, SettlementError> {
        let range = year_range(year).ok_or(SettlementError::YearOutOfRange)?;
        let catalogs = self.catalogs().await?;
        let mut drafts = Vec::new();
        for provider_id in self.store.provider_ids().await? {
            let provider_id = ProviderId::new(provider_id);
            let mut groups = Grouped::new();
            for month in 1..=12 {
                let period = Period::new(year, month).ok_or(SettlementError::YearOutOfRange)?;
                let lines = self.store.effective_lines(provider_id.as_str(), period).await?;
                group_lines(&mut groups, lines.into_iter().map(|l| l.line), actual);
            }
            let id = StatementId::of_true_up(&provider_id, year);
            let mut lines = Vec::new();
            for (group, (quantity, sample)) in groups {
                if let Some(line) = true_up_group(group, quantity, &sample, actual, &catalogs, range)? {
                    lines.push(line);
                }
            }
            number_lines(&id, &mut lines);
            let draft = Statement::draft(id, provider_id, TargetPeriod::TrueUp(year), &lines, now)?;
            self.write_draft(&draft, &lines, &[]).await?;
            if !lines.is_empty() {
                drafts.push(draft);
            }
        }
        Ok(drafts)
    }
}
