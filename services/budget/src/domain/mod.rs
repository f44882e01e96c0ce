//! Budget's own types and rules, free of the wire, the database and the clock: typed codes,
//! frames and their profiles, the ledger's entries and sources, follow-up figures, month close,
//! the reallocation netting and its state machine, and reconciliation with the ERP. Each rule is
//! a pure function with its unit tests beside it; dates such as "today" are passed in.

pub mod error;
pub mod follow_up;
pub mod frame;
pub mod ids;
pub mod ledger;
pub mod month_close;
pub mod reallocation;
pub mod reconcile;

pub use error::{BudgetError, Figure};
pub use frame::{Committee, Frame, Profile};
pub use ids::{CaseId, CommitteeCode, FrameCode};
pub use ledger::{DayTotal, EntrySource, LedgerEntry};
pub use reallocation::{AuditAction, AuditLine, Case, CaseState, Decision, Purchase, Quarter};
