//! `afregning`, the one binary for people: `up` runs the suite in one process, `demo` tells a
//! quarter's story on a throwaway setup, and the daily commands work against running services.
//! Connecting, errors in words and Danish figures come from `afregning-client`, the suite in one
//! process from `afregning-suite`, the web pages from `afregning-cockpit` (its own binary too).
//!
//! * [`args`] — the command line and its help, in the domain's words; [`help`] — that help in
//!   Danish (or English on request).
//! * [`quarter`] — the demo's story of one quarter, over the real APIs.
//! * [`commands`] — status, grants, budget, and what the other commands share (request ids,
//!   times, reporting deliveries, running a month).
//! * [`statements`] — settle a month, read statements.
//! * [`lifecycle`] — a statement after issue (accept, dispute, paid, overdue) and the running
//!   month's preview.
//! * [`review`] — the authority's review list of a settled month and its outcomes.
//! * [`cases`] — the quarter's reallocation cases.
//! * [`catalogs`] — tariff catalogs published, listed, shown and rolled forward by the price index.
//! * [`erp`] — export for the ERP and reconcile with it.
//! * [`orders`] — a provider's orders: list, follow, acknowledge; the authority's unacknowledged.
//! * [`files`] — CSV files people hand the CLI, and the rows refused from them.
//! * [`deliveries`] — delivery files reported row by row, refusals listed in one pass; corrections.
//! * [`finance`] — finance's own actions: committees, frames, ERP actuals, expected accounts,
//!   deviation explanations, month close and the annual true-up; the follow-up table.
//! * [`generate`] — a realistic municipality of any size, for load tests and benchmarks.
//! * [`print`] — kroner, percentages, tables and progress bars.
//! * [`steering`] — the steering models compared on the municipality's own months, as a table.

pub mod args;
pub mod cases;
pub mod catalogs;
pub mod commands;
pub mod decide;
pub mod deliveries;
pub mod erp;
pub mod files;
pub mod finance;
pub mod generate;
pub mod help;
pub mod lifecycle;
pub mod orders;
pub mod print;
pub mod quarter;
pub mod review;
pub mod run;
pub mod setup;
pub mod statements;
pub mod steering;

pub use afregning_client::connect;
pub use afregning_suite as suite;
