//! `afregning`, the one binary for people: `up` runs the suite in one process, `demo` tells a
//! quarter's story on a throwaway setup, and the daily commands work against running services.
//!
//! * [`args`] — the command line and its help, in the domain's words.
//! * [`suite`] — the three services in one process (for `up`, `demo` and the end-to-end tests).
//! * [`connect`] — clients presenting one principal's token; waiting for followers to catch up.
//! * [`quarter`] — the demo's story of one quarter, over the real APIs.
//! * [`commands`] — grants, deliveries, settle, statements, budget, cases, export, reconcile.
//! * [`generate`] — a realistic municipality of any size, for load tests and benchmarks.
//! * [`print`] — kroner, percentages, tables and progress bars.
//! * [`steering`] — the steering models compared on the municipality's own months.
//! * [`cockpit`] — the web cockpit: budget curves, cases, progression, steering models.

pub mod args;
pub mod cockpit;
pub mod commands;
pub mod connect;
pub mod generate;
pub mod print;
pub mod quarter;
pub mod run;
pub mod steering;
pub mod suite;
