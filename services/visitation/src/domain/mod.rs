//! Visitation's own types and rules, pure: no I/O, no clock (callers pass `today`/`now`), no
//! wire types. Each rule has its unit tests beside it.
//!
//! * [`ids`] — citizen, grant, provider and assessment ids.
//! * [`grant`] — a grant's shape and its first version, derived with the tariff.
//! * [`change`] — later versions: revisit, provider change, suspension, resumption, end; and
//!   which version is in force on a day.
//! * [`overlap`] — no two grants of one intervention on the same day.
//! * [`shares`] — provider shares: one lead, whole percentages adding up to 100.
//! * [`approval`] — a provider must be approved for the grant's unit.
//! * [`provider`] — providers and the unit codes they may be approved for.
//! * [`citizen`] — citizens behind their CPR number, and who may be registered.
//! * [`assessment`] — FSIII function scores.
//! * [`progression`] — visited hours before, during and after a course; the cockpit's rows.
//! * [`catalog`] — publishing a tariff catalog version: immutable, a correction from a day.
//! * [`feed`] — what the grant feed carries.
//! * [`order`] — orders (bestillinger): what each grant version asks of each provider.
//! * [`error`] — every way these rules refuse.

pub mod approval;
pub mod assessment;
pub mod catalog;
pub mod change;
pub mod citizen;
mod digits;
pub mod error;
pub mod feed;
pub mod grant;
pub mod ids;
pub mod order;
pub mod overlap;
pub mod progression;
pub mod provider;
pub mod shares;

pub use change::{Command, minutes_on};
pub use error::{Input, VisitationError};
pub use feed::{EventKind, FeedPayload};
pub use grant::{Change, Decision, Derived, Grant, SettleMode, Status, SuspensionRecord, Terms, UnitKind, derive, unit_of};
pub use ids::{AssessmentId, CitizenId, GrantId, ProviderId};
pub use provider::{Provider, ProviderKind};
pub use shares::Share;
