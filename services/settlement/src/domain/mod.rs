//! Settlement's own types and rules, as pure functions with their unit tests beside them. No
//! database, no wire: the store and the transport convert to and from these.
//!
//! * [`ids`] — typed ids, and the ids settlement mints (statements, lines, runs).
//! * [`grant`] — a mirrored grant version and which version is in force on a day.
//! * [`delivery`] — delivery control: which reported visits are accepted, and corrections of them.
//! * [`pricing`] — one provider's month of one grant priced into lines, with the tariff.
//! * [`line`] — statement lines, their kinds and frame split.
//! * [`correction`] — reversals, rebookings and supplements for issued months.
//! * [`statement`] — a statement's header and status.
//! * [`lifecycle`] — after issue: the provider's answer, the payment, the payment term.
//! * [`seal`] — the hash an issued statement is sealed with.
//! * [`posting`] — the postings an issued statement publishes to budget.
//! * [`true_up`] — the annual true-up lines.
//! * [`export`] — a statement as CSV.
//! * [`run`] — settlement runs and their states.
//! * [`review`] — the authority's review list of a settled month, and recoveries.

pub mod correction;
pub mod delivery;
pub mod export;
pub mod grant;
pub mod ids;
pub mod lifecycle;
pub mod line;
pub mod posting;
pub mod pricing;
pub mod review;
pub mod run;
pub mod seal;
pub mod statement;
pub mod true_up;
