//! Budget follow-up: a frame's status at a date and its monthly curves, the leader's expected
//! accounts, deviation explanations, and closing a month (which an unexplained overrun beyond the
//! threshold blocks, and which freezes the month's statuses: a status at a date in a closed month
//! is the one frozen at the close).

use afregning_kit::ApiError;
use afregning_kit::auth::Principal;
use afregning_kit::store::RequestKey;
use afregning_tariff::{Ore, Period};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use prost::Message;

use super::{Budget, own_frame};
use crate::domain::follow_up::{self, Commitment, SeriesPoint, Status};
use crate::domain::frame::in_force;
use crate::domain::{BudgetError, DayTotal, Figure, Frame, FrameCode, month_close};
use crate::store::follow_up::Explanation;
use crate::store::{Conn, follow_up as stored, frames, ledger};

/// A frame's status at a date, whether its month still needs a deviation explanation, and
/// whether the month is closed (then all of it is as it was at the close).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameStatus {
    /// The figures at the date.
    pub status: Status,
    /// An overrun beyond the threshold that the month has no explanation for yet.
    pub explanation_required: bool,
    /// When the date's month was closed for the frame; `None` while it is open.
    pub closed_at: Option<DateTime<Utc>>,
}

/// What a frame's live status in one month is computed from, read once for all its days.
struct Inputs {
    /// The frame's running day totals of the year.
    totals: Vec<DayTotal>,
    /// The latest version of every grant, for the commitments.
    grants: Vec<Commitment>,
    /// The leader's expected accounts for the year.
    leader: Vec<(u32, Ore)>,
    /// Whether the month has a deviation explanation.
    explained: bool,
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
    /// `frame`'s status at `as_of`: frozen as it was closed when the date's month is closed,
    /// otherwise from the ledger and forecasts as they stand.
    pub async fn frame_status(&self, frame: &Frame, as_of: NaiveDate) -> Result<FrameStatus, ApiError> {
        let closed = stored::closed(self.store.pool(), &frame.code, as_of).await?;
        if let Some(stored::Closed {
            at,
            frozen: Some((status, explanation_required)),
        }) = closed
        {
            return Ok(FrameStatus {
                status,
                explanation_required,
                closed_at: Some(at),
            });
        }
        // The frame as it was set for the date: a later change with a later effect leaves it.
        let versions = frames::versions(self.store.pool(), &frame.code, frame.year).await?;
        let frame = in_force(&versions, as_of).unwrap_or(frame);
        let inputs = self.inputs(self.store.pool(), frame, Period::containing(as_of)).await?;
        let commitments = match as_of.succ_opt().filter(|from| from.year() == frame.year) {
            Some(from) => Ore::sum(follow_up::commitments_by_month(&frame.code, &inputs.grants, from, &self.catalogs))
                .map_err(|_| BudgetError::Overflow(Figure::FrameFigures))?,
            None => Ore::ZERO,
        };
        let live = self.live_status(frame, &inputs, commitments, as_of)?;
        Ok(FrameStatus {
            closed_at: closed.map(|c| c.at),
            ..live
        })
    }

    /// What `frame`'s live status in `period` is computed from.
    async fn inputs(&self, mut conn: Conn<'_>, frame: &Frame, period: Period) -> Result<Inputs, ApiError> {
        Ok(Inputs {
            totals: ledger::day_totals(conn.reborrow(), &frame.code, frame.year).await?,
            grants: stored::commitments(conn.reborrow()).await?,
            leader: stored::expected_accounts(conn.reborrow(), &frame.code, frame.year).await?,
            explained: stored::has_explanation(conn, &frame.code, period).await?,
        })
    }

    /// `frame`'s status at `as_of` from `inputs` and the commitments after the date.
    fn live_status(&self, frame: &Frame, inputs: &Inputs, commitments: Ore, as_of: NaiveDate) -> Result<FrameStatus, BudgetError> {
        let status = follow_up::status(frame, &inputs.totals, commitments, &inputs.leader, as_of)?;
        let explanation_required = month_close::explanation_required(status.expected_result, self.overrun_threshold, inputs.explained);
        Ok(FrameStatus {
            status,
            explanation_required,
            closed_at: None,
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

    /// A frame's twelve monthly points for curves as they stood at `as_of`: months ending by
    /// then as consumed (a closed month as frozen), later ones as forecast, the budget as the
    /// frame was set for the date.
    pub async fn series(&self, code: &FrameCode, year: i32, as_of: NaiveDate) -> Result<(Frame, Vec<SeriesPoint>), ApiError> {
        let versions = frames::versions(self.store.pool(), code, year).await?;
        let current = frames::frame(self.store.pool(), code, year)
            .await?
            .ok_or(BudgetError::FrameNotFound)?;
        let frame = in_force(&versions, as_of).cloned().unwrap_or(current);
        let totals = ledger::day_totals(self.store.pool(), &frame.code, frame.year).await?;
        let grants = stored::commitments(self.store.pool()).await?;
        let year_start = Period::new(frame.year, 1).ok_or(BudgetError::FrameNotFound)?.range().first();
        let monthly = follow_up::commitments_by_month(&frame.code, &grants, year_start, &self.catalogs);
        let leader = stored::expected_accounts(self.store.pool(), &frame.code, frame.year).await?;
        let mut frozen = Vec::new();
        for period in stored::closed_periods(self.store.pool(), code, year).await? {
            if let Some(stored::Closed {
                frozen: Some((status, _)), ..
            }) = stored::closed(self.store.pool(), code, period.range().last()).await?
            {
                frozen.push((period.month(), status.consumed));
            }
        }
        let points = follow_up::series(&frame, &totals, &monthly, &leader, &frozen, as_of)?;
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

    /// Closes a frame's month, unless it still needs a deviation explanation, and freezes the
    /// status of each of its days as it stands: from then on a status at a date in the month is
    /// that frozen one. The answer gets the status at the month's last day. Closing a closed
    /// month again changes nothing and answers its frozen status.
    pub async fn close_month<M: Message + Default>(
        &self,
        key: &RequestKey,
        code: &FrameCode,
        period: Period,
        now: DateTime<Utc>,
        answer: impl FnOnce(&Frame, FrameStatus) -> M,
    ) -> Result<M, ApiError> {
        self.once(key, async |tx| {
            let frame = frames::frame(Conn::Tx(tx), code, period.year())
                .await?
                .ok_or(BudgetError::FrameNotFound)?;
            let last = period.range().last();
            if let Some(stored::Closed {
                at,
                frozen: Some((status, explanation_required)),
            }) = stored::closed(Conn::Tx(tx), code, last).await?
            {
                let status = FrameStatus {
                    status,
                    explanation_required,
                    closed_at: Some(at),
                };
                return Ok(answer(&frame, status));
            }
            let inputs = self.inputs(Conn::Tx(tx), &frame, period).await?;
            let versions = frames::versions(Conn::Tx(tx), code, period.year()).await?;
            let commitments = follow_up::commitments_after_each_day(code, &inputs.grants, period, &self.catalogs)?;
            let mut days = Vec::with_capacity(commitments.len());
            for (day, committed) in period.range().iter_days().zip(commitments) {
                let live = self.live_status(in_force(&versions, day).unwrap_or(&frame), &inputs, committed, day)?;
                days.push((day, live.status, live.explanation_required));
            }
            let Some((_, status, explanation_required)) = days.last().cloned() else {
                unreachable!("a month has days")
            };
            month_close::may_close(explanation_required)?;
            stored::close_month(tx, code, period, now).await?;
            stored::freeze_days(tx, code, &days).await?;
            let status = FrameStatus {
                status,
                explanation_required,
                closed_at: Some(now),
            };
            Ok(answer(&frame, status))
        })
        .await
    }
}
