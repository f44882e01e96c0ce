//! The clock, read at the edge: the tariff library and the services' domain rules take dates as
//! arguments and never read it themselves.

use chrono::NaiveDate;

/// Today's date in Denmark, where every grant day and time band is read.
pub fn today() -> NaiveDate {
    chrono::Utc::now().with_timezone(&chrono_tz::Europe::Copenhagen).date_naive()
}
