//! Committees and frames: finance creates committees and sets each committee's frames; readers
//! see each frame with its budget after executed reallocations.

use afregning_kit::ApiError;
use afregning_kit::store::RequestKey;
use afregning_tariff::Ore;
use chrono::{DateTime, NaiveDate, Utc};
use prost::Message;

use super::Budget;
use crate::domain::{BudgetError, Committee, Frame, FrameCode};
use crate::store::{Conn, follow_up, frames, ledger};

impl Budget {
    /// Creates a committee; its code must be new.
    pub async fn create_committee<M: Message + Default>(
        &self,
        key: &RequestKey,
        committee: Committee,
        answer: impl FnOnce(Committee) -> M,
    ) -> Result<M, ApiError> {
        self.once(key, async |tx| {
            if !frames::insert_committee(tx, &committee).await? {
                return Err(BudgetError::CommitteeExists(committee.code).into());
            }
            Ok(answer(committee))
        })
        .await
    }

    /// Committees by code.
    pub async fn committees(&self, offset: i64, limit: i64) -> Result<Vec<Committee>, ApiError> {
        frames::committees(self.store.pool(), offset, limit).await
    }

    /// Records a setting of a frame for an existing committee, taking effect on `effective_from`
    /// (by default the year's first day for a new frame, otherwise `today` within the year); the
    /// answer gets the frame as it now stands and its budget after reallocations.
    pub async fn set_frame<M: Message + Default>(
        &self,
        key: &RequestKey,
        frame: Frame,
        effective_from: Option<NaiveDate>,
        (today, now): (NaiveDate, DateTime<Utc>),
        answer: impl FnOnce(&Frame, Ore) -> M,
    ) -> Result<M, ApiError> {
        self.once(key, async |tx| {
            if !frames::committee_exists(Conn::Tx(tx), &frame.committee).await? {
                return Err(BudgetError::UnknownCommittee.into());
            }
            let first = frames::frame(Conn::Tx(tx), &frame.code, frame.year).await?.is_none();
            let last_closed = follow_up::closed_periods(Conn::Tx(tx), &frame.code, frame.year).await?.pop();
            let day = crate::domain::frame::effective_from(frame.year, effective_from, first, today, last_closed)?;
            frames::record_frame(tx, &frame, day, now).await?;
            let current = frames::frame(Conn::Tx(tx), &frame.code, frame.year).await?.unwrap_or(frame);
            let adjusted = current.adjusted_amount(&ledger::day_totals(Conn::Tx(tx), &current.code, current.year).await?)?;
            Ok(answer(&current, adjusted))
        })
        .await
    }

    /// A frame of a year with its budget after reallocations.
    pub async fn frame(&self, code: &FrameCode, year: i32) -> Result<(Frame, Ore), ApiError> {
        let frame = frames::frame(self.store.pool(), code, year)
            .await?
            .ok_or(BudgetError::FrameNotFound)?;
        let adjusted = self.adjusted(&frame).await?;
        Ok((frame, adjusted))
    }

    /// A year's frames by code, each with its budget after reallocations.
    pub async fn frames(&self, year: i32, offset: i64, limit: i64) -> Result<Vec<(Frame, Ore)>, ApiError> {
        let mut out = Vec::new();
        for frame in frames::frames(self.store.pool(), year, offset, limit).await? {
            let adjusted = self.adjusted(&frame).await?;
            out.push((frame, adjusted));
        }
        Ok(out)
    }

    async fn adjusted(&self, frame: &Frame) -> Result<Ore, ApiError> {
        let totals = ledger::day_totals(self.store.pool(), &frame.code, frame.year).await?;
        Ok(frame.adjusted_amount(&totals)?)
    }
}
