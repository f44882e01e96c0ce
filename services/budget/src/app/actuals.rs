//! The ERP's actuals into the ledger, record by record: each actual is idempotent by its external
//! id (the same id with the same content is a duplicate, with other content a refusal), and a
//! stream of them by its request id (a retry of an answered stream gets the first answer).

use afregning_kit::ApiError;
use afregning_kit::store::RequestKey;
use afregning_tariff::Ore;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use prost::Message;

use super::Budget;
use crate::domain::{EntrySource, FrameCode, LedgerEntry};
use crate::store::{Conn, frames, ledger};

/// One actual as the ERP sent it, its shape already checked.
#[derive(Clone, Debug)]
pub struct Actual {
    /// The ERP's id of the record: unique among actuals.
    pub external_id: String,
    /// The frame it is booked on.
    pub frame: FrameCode,
    /// The finance account.
    pub account: String,
    /// The day it takes effect; its year is the budget year.
    pub booked_on: NaiveDate,
    /// The amount; negative for a credit.
    pub amount: Ore,
    /// Free text.
    pub text: String,
}

/// Why one actual was not booked: the field at fault and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The field of the actual at fault.
    pub field: &'static str,
    /// What is wrong, in words the ERP's user can act on.
    pub why: String,
}

impl Refusal {
    /// A refusal of `field`.
    pub fn new(field: &'static str, why: impl Into<String>) -> Refusal {
        Refusal { field, why: why.into() }
    }
}

/// What became of one actual.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Booked.
    Accepted,
    /// Booked before with the same content: nothing new.
    Duplicate,
    /// Not booked.
    Refused(Refusal),
}

impl Budget {
    /// Books one message's actuals in one transaction, in order; an actual already refused for
    /// its shape stays refused.
    pub async fn import_actuals(&self, actuals: Vec<Result<Actual, Refusal>>, now: DateTime<Utc>) -> Result<Vec<Outcome>, ApiError> {
        let mut tx = self.store.storage.begin().await?;
        let mut outcomes = Vec::with_capacity(actuals.len());
        for actual in actuals {
            let actual = match actual {
                Ok(actual) => actual,
                Err(refusal) => {
                    outcomes.push(Outcome::Refused(refusal));
                    continue;
                }
            };
            let year = actual.booked_on.year();
            if frames::frame(Conn::Tx(&mut tx), &actual.frame, year).await?.is_none() {
                outcomes.push(Outcome::Refused(Refusal::new("frame", "no such frame in the year it is booked")));
                continue;
            }
            let entry = LedgerEntry {
                entry_no: 0,
                frame: actual.frame.clone(),
                year,
                account: actual.account,
                booked_on: actual.booked_on,
                amount: actual.amount,
                source: EntrySource::ErpActual,
                source_ref: actual.external_id,
                need_frame: actual.frame,
                text: actual.text,
                recorded_at: now,
            };
            let outcome = if ledger::append_entry(&mut tx, &entry).await? {
                Outcome::Accepted
            } else if ledger::entry(Conn::Tx(&mut tx), EntrySource::ErpActual, &entry.source_ref)
                .await?
                .is_some_and(|booked| entry.same_content(&booked))
            {
                Outcome::Duplicate
            } else {
                Outcome::Refused(Refusal::new("external_id", "already imported with other content"))
            };
            outcomes.push(outcome);
        }
        self.store.storage.commit(tx).await?;
        Ok(outcomes)
    }

    /// Whether a stream with `request_id` was answered before: then its messages are only
    /// checked to be the same stream, not booked again.
    pub async fn stream_answered(&self, request_id: &str) -> Result<bool, ApiError> {
        self.store.storage.is_answered(request_id).await
    }

    /// Stores the answer to a whole stream whose actuals were booked message by message.
    pub async fn remember_stream<M: Message + Default>(&self, key: &RequestKey, answer: M) -> Result<M, ApiError> {
        self.store.storage.remember_after(key, answer).await
    }

    /// The stored answer to a stream answered before (ALREADY_EXISTS when its content differs).
    pub async fn first_stream_answer<M: Message + Default>(&self, key: &RequestKey) -> Result<M, ApiError> {
        let mut tx = self.store.storage.begin().await?;
        tx.replay::<M>(key)
            .await?
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a stored answer vanished")))
    }

    /// A frame's ledger entries of a year, oldest first.
    pub async fn ledger(&self, frame: &FrameCode, year: i32, offset: i64, limit: i64) -> Result<Vec<LedgerEntry>, ApiError> {
        ledger::entries(self.store.pool(), frame, year, offset, limit).await
    }
}
