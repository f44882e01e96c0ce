//! Budget follow-up: a frame's status at a date and its monthly curves, the leader's expected
//! accounts, deviation explanations, and closing a month (which an unexplained overrun beyond the
//! threshold blocks).

use afregning_kit::ApiError;
use afregning_kit::auth::Principal;
use afregning_kit::store::RequestKey;
use afregning_tariff::{Ore, Period};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use prost::Message;

use super::{Budget, own_frame};
use crate::domain::follow_up::{self, SeriesPoint, Status};
use crate::domain::{BudgetError, Figure, Frame, FrameCode, month_close};
use crate::store::follow_up::Explanation;
use crate::store::{Conn, follow_up as stored, frames, ledger};

/// A frame's status at a date, and whether its month still needs a deviation explanation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameStatus {
    /// The figures at the date.
    pub status: Status,
    /// An overrun beyond the threshold that the month has no explanation for yet.
    pub explanation_required: bool,
}

/// A leader's or finance's explanation of a month's expected overrun.
pub struct ExplanationInput {
    /// The frame whose expected result is an overrun.
    pub frame: FrameCode,
    /// The month explained: closing it no longer needs an explanation.
    pub period: Period,
    /// Why the overrun, in the leader's words.
    pub explanation: String,
    /// The corrective actions, at least one: an explanation without them does not count.
    pub actions: Vec<String>,
}

impl Budget {
    /// `frame`'s status at `as_of`.
    pub async fn frame_status(&self, frame: &Frame, as_of: NaiveDate) -> Result<FrameStatus, ApiError> {
        let totals = ledger::day_totals(self.store.pool(), &frame.code, frame.year).await?;
        let grants = stored::commitments(self.store.pool()).await?;
        let leader = stored::expected_accounts(self.store.pool(), &frame.code, frame.year).await?;
        let commitments = match as_of.succ_opt().filter(|from| from.year() == frame.year) {
            Some(from) => Ore::sum(follow_up::commitments_by_month(&frame.code, &grants, from, &self.catalogs))
                .map_err(|_| BudgetError::Overflow(Figure::FrameFigures))?,
            None => Ore::ZERO,
        };
        let status = follow_up::status(frame, &totals, commitments, &leader, as_of)?;
        let explanation_required = month_close::is_overrun(status.expected_result, self.overrun_threshold)
            && !stored::has_explanation(self.store.pool(), &frame.code, Period::containing(as_of)).await?;
        Ok(FrameStatus {
            status,
            explanation_required,
        })
    }

    /// The status at `as_of` of one frame, or of every frame of the date's year.
    pub async fn statuses(&self, frame: Option<&FrameCode>, as_of: NaiveDate) -> Result<Vec<(Frame, FrameStatus)>, ApiError> {
        let year = as_of.year();
        let rows = match frame {
            None => frames::frames(self.store.pool(), year, 0, i64::from(afregning_kit::paging::MAX_PAGE_SIZE)).await?,
            Some(code) => vec![
                frames::frame(self.store.pool(), code, year)
                    .await?
                    .ok_or(BudgetError::FrameNotFound)?,
            ],
        };
        let mut out = Vec::with_capacity(rows.len());
        for frame in rows {
            let status = self.frame_status(&frame, as_of).await?;
            out.push((frame, status));
        }
        Ok(out)
    }

    /// A frame's twelve monthly points for curves, with months up to `today` as consumed.
    pub async fn series(&self, code: &FrameCode, year: i32, today: NaiveDate) -> Result<(Frame, Vec<SeriesPoint>), ApiError> {
        let frame = frames::frame(self.store.pool(), code, year)
            .await?
            .ok_or(BudgetError::FrameNotFound)?;
        let totals = ledger::day_totals(self.store.pool(), &frame.code, frame.year).await?;
        let grants = stored::commitments(self.store.pool()).await?;
        let year_start = Period::new(frame.year, 1).ok_or(BudgetError::FrameNotFound)?.range().first();
        let monthly = follow_up::commitments_by_month(&frame.code, &grants, year_start, &self.catalogs);
        let leader = stored::expected_accounts(self.store.pool(), &frame.code, frame.year).await?;
        let points = follow_up::series(&frame, &totals, &monthly, &leader, today)?;
        Ok((frame, points))
    }

    /// Replaces a frame's expected accounts for a year with `months` (month 1–12, amount); a
    /// committee submits only for its own frames. The answer gets who submitted.
    pub async fn submit_expected_accounts<M: Message + Default>(
        &self,
        key: &RequestKey,
        principal: &Principal,
        (code, year): (&FrameCode, i32),
        months: &[(u32, Ore)],
        now: DateTime<Utc>,
        answer: impl FnOnce(String) -> M,
    ) -> Result<M, ApiError> {
        self.once(key, async |tx| {
            let frame = frames::frame(Conn::Tx(tx), code, year).await?.ok_or(BudgetError::FrameNotFound)?;
            own_frame(principal, &frame)?;
            let submitted_by = principal.to_string();
            stored::replace_expected_accounts(tx, code, year, months, &submitted_by, now).await?;
            Ok(answer(submitted_by))
        })
        .await
    }

    /// Stores (or replaces) a month's deviation explanation; a committee explains only its own
    /// frames. The answer gets who submitted.
    pub async fn submit_explanation<M: Message + Default>(
        &self,
        key: &RequestKey,
        principal: &Principal,
        input: &ExplanationInput,
        now: DateTime<Utc>,
        answer: impl FnOnce(String) -> M,
    ) -> Result<M, ApiError> {
        self.once(key, async |tx| {
            let frame = frames::frame(Conn::Tx(tx), &input.frame, input.period.year())
                .await?
                .ok_or(BudgetError::FrameNotFound)?;
            own_frame(principal, &frame)?;
            let submitted_by = principal.to_string();
            let explanation = Explanation {
                frame: &input.frame,
                period: input.period,
                explanation: &input.explanation,
                actions: &input.actions,
                submitted_by: &submitted_by,
                at: now,
            };
            stored::upsert_explanation(tx, &explanation).await?;
            Ok(answer(submitted_by))
        })
        .await
    }

    /// Closes a frame's month, unless it still needs a deviation explanation; the answer gets the
    /// status at the month's last day.
    pub async fn close_month<M: Message + Default>(
        &self,
        key: &RequestKey,
        code: &FrameCode,
        period: Period,
        now: DateTime<Utc>,
        answer: impl FnOnce(&Frame, FrameStatus) -> M,
    ) -> Result<M, ApiError> {
        let frame = frames::frame(self.store.pool(), code, period.year())
            .await?
            .ok_or(BudgetError::FrameNotFound)?;
        let status = self.frame_status(&frame, period.range().last()).await?;
        month_close::may_close(status.explanation_required)?;
        self.once(key, async |tx| {
            stored::close_month(tx, code, period, now).await?;
            Ok(answer(&frame, status))
        })
        .await
    }
}
