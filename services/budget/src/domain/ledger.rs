//! The append-only ledger: what an entry is, where it came from, and the running day totals that
//! follow-up reads instead of the ledger itself.

use afregning_tariff::Ore;
use chrono::{DateTime, NaiveDate, Utc};

use super::ids::FrameCode;

/// Where a ledger entry came from (the proto `EntrySource` numbers, also stored).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntrySource {
    /// A posting from settlement: consumption.
    Settlement = 1,
    /// An actual imported from the ERP: consumption.
    ErpActual = 2,
    /// One side of an executed reallocation: it moves budget, it is not consumption.
    Reallocation = 3,
}

impl EntrySource {
    /// The stored and wire number.
    pub fn number(self) -> i64 {
        self as i64
    }

    /// The source with a stored number; `None` for a number no source has.
    pub fn from_number(number: i64) -> Option<EntrySource> {
        match number {
            1 => Some(EntrySource::Settlement),
            2 => Some(EntrySource::ErpActual),
            3 => Some(EntrySource::Reallocation),
            _ => None,
        }
    }

    /// Whether entries of this source are consumption (rather than budget moved between frames).
    pub fn is_consumption(self) -> bool {
        self != EntrySource::Reallocation
    }
}

/// One ledger entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerEntry {
    /// The ledger's own order, assigned on insert; 0 before.
    pub entry_no: u64,
    /// The frame it is booked on.
    pub frame: FrameCode,
    /// The budget year it counts in.
    pub year: i32,
    /// The finance account, as the ERP knows it.
    pub account: String,
    /// The day it takes effect: follow-up at a date counts entries booked through it.
    pub booked_on: NaiveDate,
    /// Negative for credits and the giving side of a reallocation.
    pub amount: Ore,
    /// Where it came from.
    pub source: EntrySource,
    /// The posting id, the ERP's external id or the case side: unique per source, so an entry is
    /// never booked twice.
    pub source_ref: String,
    /// The frame that owns the need (a posting's; the frame itself otherwise): purchases across
    /// frames are netted into reallocation cases from it.
    pub need_frame: FrameCode,
    /// Free text for the reader of the ledger.
    pub text: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

impl LedgerEntry {
    /// Whether `other` books the same thing: equal in everything but when it was recorded and
    /// its place in the ledger. A retried import of the same actual is a duplicate, not a fault.
    pub fn same_content(&self, other: &LedgerEntry) -> bool {
        LedgerEntry {
            entry_no: other.entry_no,
            recorded_at: other.recorded_at,
            ..self.clone()
        } == *other
    }
}

/// A frame's running total of one source on one day (the store keeps it with each entry).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DayTotal {
    /// The day.
    pub day: NaiveDate,
    /// The source.
    pub source: EntrySource,
    /// The sum of that day's entries of that source.
    pub amount: Ore,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> LedgerEntry {
        LedgerEntry {
            entry_no: 0,
            frame: FrameCode::new("SOCIAL"),
            year: 2026,
            account: "5.30.26".into(),
            booked_on: NaiveDate::from_ymd_opt(2026, 5, 15).unwrap(),
            amount: Ore::new(25_000),
            source: EntrySource::ErpActual,
            source_ref: "erp-1".into(),
            need_frame: FrameCode::new("SOCIAL"),
            text: "hjælpemidler".into(),
            recorded_at: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_retry_is_the_same_content_and_another_amount_is_not() {
        let first = LedgerEntry {
            entry_no: 7,
            recorded_at: Utc::now(),
            ..entry()
        };
        assert!(entry().same_content(&first));
        let other = LedgerEntry {
            amount: Ore::new(-4_000),
            ..first
        };
        assert!(!entry().same_content(&other));
    }

    #[test]
    fn sources_keep_their_numbers() {
        for source in [EntrySource::Settlement, EntrySource::ErpActual, EntrySource::Reallocation] {
            assert_eq!(EntrySource::from_number(source.number()), Some(source));
        }
        assert_eq!(EntrySource::from_number(0), None);
        assert!(!EntrySource::Reallocation.is_consumption());
    }
}
