//! Delivery control (docs/design.md §5b): an activity unit paid on the `delivered_capped` basis
//! is paid delivered minutes only up to a cap, the visited minutes plus the catalog's tolerance.
//!
//! The cap of a grant in a period is `visited minutes per week × days / 7 × (1 + percent / 100)`
//! plus `tolerance minutes per week × days / 7`, rounded down to whole minutes, over the days the
//! grant pays for (suspension days excluded). Visits are paid in the order they started until the
//! cap is reached; the minute that crosses the cap and every later minute are unpaid. Integer
//! arithmetic throughout, so the cap is exact and the same everywhere.

use chrono::Duration;

use crate::catalog::Tolerance;
use crate::pricing::Visit;

/// One day's allowance in 1/700 minutes: `visited × (100 + percent) + 100 × minutes`, a seventh
/// of a week in hundredths. Summed over days and divided by 700 once, it rounds down only once.
pub fn day_allowance(visited_minutes_per_week: u32, tolerance: Tolerance) -> u64 {
    u64::from(visited_minutes_per_week) * (100 + u64::from(tolerance.percent)) + 100 * u64::from(tolerance.minutes_per_week)
}

/// The cap in whole minutes from the summed allowances of the days ([`day_allowance`]).
pub fn cap_of(allowance_sum: u64) -> u64 {
    allowance_sum / 700
}

/// The cap of `days` days at one visited time and tolerance.
pub fn cap_minutes(visited_minutes_per_week: u32, days: u32, tolerance: Tolerance) -> u64 {
    cap_of(day_allowance(visited_minutes_per_week, tolerance) * u64::from(days))
}

/// Visits split at a cap: what is paid and what is not, each in start order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CapSplit {
    /// Paid minutes: whole visits, and the first part of the visit that reaches the cap.
    pub paid: Vec<Visit>,
    /// Unpaid minutes: the rest of that visit (starting at its first unpaid minute) and every later
    /// visit.
    pub unpaid: Vec<Visit>,
}

/// Splits `visits` at `cap` minutes, in the order they started (equal starts: the shorter first,
/// so the order never depends on how the visits were handed over).
pub fn split_at_cap(visits: &[Visit], cap: u64) -> CapSplit {
    let mut ordered = visits.to_vec();
    ordered.sort_by_key(|v| (v.started_at, v.minutes));
    let mut left = cap;
    let mut split = CapSplit::default();
    for visit in ordered {
        let minutes = u64::from(visit.minutes);
        if minutes <= left {
            left -= minutes;
            split.paid.push(visit);
            continue;
        }
        // `left < minutes ≤ u32::MAX`, so both parts fit a u32.
        let paid = u32::try_from(left).unwrap_or(0);
        left = 0;
        if paid > 0 {
            split.paid.push(Visit { minutes: paid, ..visit });
        }
        split.unpaid.push(Visit {
            started_at: visit.started_at + Duration::minutes(i64::from(paid)),
            minutes: visit.minutes - paid,
        });
    }
    split
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone, Utc};

    use super::*;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 4, day, hour, 0, 0).unwrap()
    }

    #[test]
    fn the_cap_is_visited_time_plus_tolerance_rounded_down() {
        // 300 min/week × 7 days / 7 × 1.10 = 330.
        assert_eq!(cap_minutes(300, 7, Tolerance::DEFAULT), 330);
        // 300 × 30 / 7 × 1.10 = 1,414.28… → 1,414.
        assert_eq!(cap_minutes(300, 30, Tolerance::DEFAULT), 1_414);
        // 300 × 7 / 7 + 45 minutes a week, no percentage = 345.
        let minutes = Tolerance {
            percent: 0,
            minutes_per_week: 45,
        };
        assert_eq!(cap_minutes(300, 7, minutes), 345);
        // Both: 300 × 1.05 + 30 = 345 a week; 2 days: 690 / 7 = 98.57… → 98.
        let both = Tolerance {
            percent: 5,
            minutes_per_week: 30,
        };
        assert_eq!(cap_minutes(300, 2, both), 98);
        assert_eq!(cap_minutes(300, 0, both), 0);
    }

    #[test]
    fn the_visit_that_crosses_the_cap_is_split_at_its_first_unpaid_minute() {
        let visits = [
            Visit {
                started_at: at(3, 8),
                minutes: 200,
            },
            Visit {
                started_at: at(1, 8),
                minutes: 100,
            },
            Visit {
                started_at: at(2, 8),
                minutes: 60,
            },
        ];
        let split = split_at_cap(&visits, 330);
        // In start order: 100 (1st) + 60 (2nd) = 160; the 3rd's first 170 minutes reach 330.
        assert_eq!(split.paid.iter().map(|v| v.minutes).collect::<Vec<_>>(), vec![100, 60, 170]);
        assert_eq!(
            split.unpaid,
            vec![Visit {
                started_at: at(3, 8) + Duration::minutes(170),
                minutes: 30,
            }]
        );
        let none = split_at_cap(&visits, 0);
        assert!(none.paid.is_empty());
        assert_eq!(none.unpaid.len(), 3);
        assert!(split_at_cap(&visits, 10_000).unpaid.is_empty());
    }
}
