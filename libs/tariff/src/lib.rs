//! The tariff logic of Afregning, shared by every service so an amount means the same everywhere.
//!
//! Pure: no I/O, no async, no clock. Money is [`Ore`] (integer øre) with one rounding rule; a
//! catalog is validated data with a version that every priced line records; pricing follows
//! docs/design.md ("Pricing") to the øre, so two correct implementations produce the same statement.
//!
//! * [`money`] — øre, the single rounding function, Danish formatting.
//! * [`ids`] — CPR and CVR numbers, valid by construction.
//! * [`calendar`] — inclusive date ranges, months, Danish public holidays.
//! * [`bands`] — time bands and splitting a visit across them in Danish local time.
//! * [`catalog`] — the effective-dated tariff catalog, loaded from TOML, and the price index.
//! * [`control`] — delivery control: the cap on delivered minutes and the split at it.
//! * [`course`] — levels, course types, course periods and the progression rule.
//! * [`pricing`] — a grant's month as statement lines; provider and frame shares.
//! * [`true_up`] — annual true-up lines.
//! * [`steering`] — frame, activity and course budgeting side by side.

pub mod bands;
pub mod calendar;
pub mod catalog;
pub mod control;
pub mod course;
pub mod ids;
pub mod money;
pub mod pricing;
pub mod steering;
pub mod true_up;

pub use bands::TimeBand;
pub use calendar::{DateRange, HolidayOptions, Period, PeriodError};
pub use catalog::{Catalog, CatalogError, CatalogSet};
pub use course::{CoursePeriod, CourseType, HoursBand, Level, Progress};
pub use ids::{Cpr, Cvr, IdError};
pub use money::Ore;
pub use pricing::{EndReason, GrantTerms, PricedLine, PricingError, Rule, Suspension, Unit, Visit, price_grant};
