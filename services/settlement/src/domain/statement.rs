//! A statement's header: whose, for which period, draft or issued, and what it adds up to.
//! A statement is computed as a draft (recomputable), then issued: sealed and never changed.

use std::collections::BTreeSet;

use afregning_tariff::Ore;
use afregning_tariff::money::MoneyError;
use chrono::{DateTime, Utc};

use super::ids::{ProviderId, StatementId};
use super::line::{StoredLine, TargetPeriod};

/// Where a statement stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatementStatus {
    /// Computed, recomputable by another run.
    Draft,
    /// Sealed and immutable.
    Issued,
}

impl StatementStatus {
    /// The number stored and sent for the status.
    pub fn code(self) -> i32 {
        match self {
            StatementStatus::Draft => 1,
            StatementStatus::Issued => 2,
        }
    }

    /// The status a stored or sent number stands for.
    pub fn from_code(code: i32) -> Option<StatementStatus> {
        match code {
            1 => Some(StatementStatus::Draft),
            2 => Some(StatementStatus::Issued),
            _ => None,
        }
    }
}

/// A statement's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// `st-<provider>-<period>`.
    pub statement_id: StatementId,
    /// The payee.
    pub provider_id: ProviderId,
    /// The month, or the year of a true-up.
    pub period: TargetPeriod,
    /// Draft or issued.
    pub status: StatementStatus,
    /// Sum of the lines.
    pub total_ore: Ore,
    /// Number of lines.
    pub line_count: u32,
    /// The catalog versions that priced its lines, in order.
    pub catalog_versions: Vec<String>,
    /// SHA-256 hex of the sealed content; empty for drafts.
    pub content_hash: String,
    /// When the draft was computed.
    pub computed_at: DateTime<Utc>,
    /// When it was issued.
    pub issued_at: Option<DateTime<Utc>>,
}

impl Statement {
    /// A draft header for `lines`: their total and the catalogs that priced them.
    pub fn draft(
        statement_id: StatementId,
        provider_id: ProviderId,
        period: TargetPeriod,
        lines: &[StoredLine],
        now: DateTime<Utc>,
    ) -> Result<Statement, MoneyError> {
        let total_ore = Ore::sum(lines.iter().map(|l| l.line.amount_ore))?;
        let versions: BTreeSet<&str> = lines.iter().map(|l| l.line.explanation.catalog_version.as_str()).collect();
        Ok(Statement {
            statement_id,
            provider_id,
            period,
            status: StatementStatus::Draft,
            total_ore,
            line_count: u32::try_from(lines.len()).unwrap_or(u32::MAX),
            catalog_versions: versions.into_iter().filter(|v| !v.is_empty()).map(str::to_owned).collect(),
            content_hash: String::new(),
            computed_at: now,
            issued_at: None,
        })
    }

    /// The statement sealed with `content_hash` at `now`.
    pub fn issued(self, content_hash: String, now: DateTime<Utc>) -> Statement {
        Statement {
            status: StatementStatus::Issued,
            content_hash,
            issued_at: Some(now),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use afregning_tariff::Period;

    use super::*;

    #[test]
    fn statuses_keep_their_numbers() {
        for status in [StatementStatus::Draft, StatementStatus::Issued] {
            assert_eq!(StatementStatus::from_code(status.code()), Some(status));
        }
        assert_eq!(StatementStatus::from_code(0), None);
    }

    #[test]
    fn an_empty_draft_adds_up_to_nothing() {
        let april = TargetPeriod::Month(Period::new(2026, 4).unwrap());
        let d = Statement::draft(StatementId::new("st"), ProviderId::new("nord"), april, &[], Utc::now()).unwrap();
        assert_eq!((d.total_ore, d.line_count, d.status), (Ore::ZERO, 0, StatementStatus::Draft));
        assert!(d.catalog_versions.is_empty());
    }
}
