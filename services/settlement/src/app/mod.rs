//! Settlement's use cases: load what the store holds → apply the domain's rules → write, each
//! write in its own transaction.
//!
//! * [`pricing`] — a provider's month priced into a draft, with corrections ([`Runner`]).
//! * [`run`] — the settlement run over every provider, with progress and retries.
//! * [`true_up`] — the annual true-up drafts.
//! * [`deliveries`] — reporting and correcting deliveries.
//! * [`statements`] — issuing statements (seal and postings) and reading them.
//! * [`steering`] — the steering-model comparison.
//! * [`review`] — the review list of a settled month.

pub mod deliveries;
pub mod pricing;
pub mod review;
pub mod run;
pub mod statements;
pub mod steering;
pub mod true_up;

pub use pricing::Runner;
