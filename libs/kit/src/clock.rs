//! The clock, read at the edge: the tariff library and the services' domain rules take dates as
//! arguments and never read it themselves.
//!
//! Tests that need "today" to be a particular day (a month still running, then ended) pin it for
//! the whole process with [`pin_today`]; nothing else does.

use std::sync::RwLock;

use chrono::NaiveDate;

/// The pinned day, when a test pinned one.
static PINNED: RwLock<Option<NaiveDate>> = RwLock::new(None);

/// Today's date in Denmark, where every grant day and time band is read.
pub fn today() -> NaiveDate {
    if let Some(day) = PINNED.read().ok().and_then(|p| *p) {
        return day;
    }
    chrono::Utc::now().with_timezone(&chrono_tz::Europe::Copenhagen).date_naive()
}

/// Makes [`today`] answer `day` in this process (`None`: the real date again). For tests only:
/// the services read today's date to refuse settling a month that has not ended and to know which
/// month is running.
pub fn pin_today(day: Option<NaiveDate>) {
    if let Ok(mut pinned) = PINNED.write() {
        *pinned = day;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pinned_day_is_today_until_released() {
        let day = NaiveDate::from_ymd_opt(2000, 2, 29).unwrap();
        pin_today(Some(day));
        assert_eq!(today(), day);
        pin_today(None);
        assert_ne!(today(), day);
    }
}
