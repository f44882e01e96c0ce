//! Why a budget rule refuses: one enum for the service's own failures. It names no gRPC code and
//! no proto field; `grpc/error.rs` maps each variant onto the kit's `ApiError` and the field the
//! client sent.

use super::ids::{CommitteeCode, FrameCode};

/// A figure whose sum or difference would not fit in 64 bits of øre.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    /// The ERP's lines of one frame, account and month, up to the line at this index.
    ErpLine(usize),
    /// The quarter's purchases between two frames.
    Netting,
    /// A frame's budget, consumption, forecast or expected result.
    FrameFigures,
}

/// A budget rule's refusal.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BudgetError {
    /// A committee with this code exists already.
    #[error("committee {0} exists")]
    CommitteeExists(CommitteeCode),
    /// A frame names a committee nobody created.
    #[error("unknown committee; create it first")]
    UnknownCommittee,
    /// No such frame in that year.
    #[error("frame")]
    FrameNotFound,
    /// No such reallocation case.
    #[error("case")]
    CaseNotFound,
    /// The caller may not act on this frame or case.
    #[error("permission denied")]
    NotYours,
    /// Reallocations are proposed only for a quarter that has ended.
    #[error("the quarter has not ended yet")]
    QuarterOpen,
    /// A decided, rejected or executed case takes no more decisions.
    #[error("the case is no longer awaiting decisions")]
    NotAwaitingDecisions,
    /// Each committee decides a case once.
    #[error("this committee has already decided")]
    AlreadyDecided,
    /// FINANCE executes only a case both committees approved.
    #[error("both committees must approve the case first")]
    NotApproved,
    /// A case is executed at most once.
    #[error("the case has already been executed")]
    AlreadyExecuted,
    /// A case between frames of which one has no budget in the case's year.
    #[error("frame {frame} has no budget for {year}")]
    FrameWithoutBudget {
        /// The frame without a budget.
        frame: FrameCode,
        /// The case's year.
        year: i32,
    },
    /// An expected overrun beyond the threshold must be explained before its month closes.
    #[error("the expected result is an overrun beyond the threshold: submit a deviation explanation first")]
    ExplanationRequired,
    /// A frame's first setting is its budget for the whole year.
    #[error("a frame's first setting holds from the year's first day")]
    FirstSettingFromYearStart,
    /// A frame's setting takes effect within its year.
    #[error("the day must lie within the frame's year")]
    EffectiveOutsideYear,
    /// A frame's closed months keep their figures: a change takes effect after them.
    #[error("the frame's months through {0} are closed: a change takes effect after them")]
    EffectiveInClosedMonth(afregning_tariff::Period),
    /// A sum or difference of amounts would not fit in 64 bits of øre.
    #[error("amounts add up beyond any amount")]
    Overflow(Figure),
}
