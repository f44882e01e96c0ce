//! Time bands of delivered minutes, in Danish local time (docs/design.md, "Pricing", "Time bands").
//!
//! Night is 23:00–07:00 on any day; 07:00–23:00 on Saturdays, Sundays and public holidays is
//! weekend/holiday; on other days 07:00–15:00 is day and 15:00–23:00 evening. A visit that crosses
//! a boundary is split by the minute, each minute taking the band of its own clock time and
//! calendar day. Visits are given as instants and converted with the Europe/Copenhagen time zone,
//! so a visit across a daylight-saving change counts the minutes that really passed.

use std::fmt;

use chrono::{DateTime, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Europe::Copenhagen;
use serde::{Deserialize, Serialize};

use crate::calendar::{HolidayOptions, is_weekend_or_holiday};

/// The most minutes one visit may last: a whole day.
pub const MAX_VISIT_MINUTES: u32 = 24 * 60;

/// The band a minute of care falls in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeBand {
    /// Weekdays 07:00–15:00.
    Day,
    /// Weekdays 15:00–23:00.
    Evening,
    /// 23:00–07:00 on any day.
    Night,
    /// 07:00–23:00 on Saturdays, Sundays and public holidays.
    WeekendHoliday,
}

impl TimeBand {
    /// All bands, in catalog order.
    pub const ALL: [TimeBand; 4] = [TimeBand::Day, TimeBand::Evening, TimeBand::Night, TimeBand::WeekendHoliday];

    /// The band's code in catalogs and APIs.
    pub fn code(self) -> &'static str {
        match self {
            TimeBand::Day => "day",
            TimeBand::Evening => "evening",
            TimeBand::Night => "night",
            TimeBand::WeekendHoliday => "weekend_holiday",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl TimeBand {
    /// The band in the Danish words a statement line uses.
    pub fn danish(self) -> &'static str {
        match self {
            TimeBand::Day => "dag",
            TimeBand::Evening => "aften",
            TimeBand::Night => "nat",
            TimeBand::WeekendHoliday => "weekend/helligdag",
        }
    }
}

impl fmt::Display for TimeBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeBand::Day => "day",
            TimeBand::Evening => "evening",
            TimeBand::Night => "night",
            TimeBand::WeekendHoliday => "weekend/holiday",
        })
    }
}

/// Minutes per time band.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BandMinutes([u64; 4]);

impl BandMinutes {
    /// Minutes in `band`.
    pub fn get(&self, band: TimeBand) -> u64 {
        self.0[band.index()]
    }

    /// Adds `minutes` to `band`.
    pub fn add(&mut self, band: TimeBand, minutes: u64) {
        self.0[band.index()] += minutes;
    }

    /// Adds every band of `other`.
    pub fn merge(&mut self, other: &BandMinutes) {
        for band in TimeBand::ALL {
            self.add(band, other.get(band));
        }
    }

    /// All minutes.
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// The non-empty bands with their minutes, in band order.
    pub fn iter(&self) -> impl Iterator<Item = (TimeBand, u64)> + '_ {
        TimeBand::ALL.into_iter().map(|b| (b, self.get(b))).filter(|(_, m)| *m > 0)
    }
}

/// Why a local time could not be placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LocalTimeError {
    /// The clock skips this time (spring forward).
    #[error("{0} does not exist in Danish local time")]
    Nonexistent(NaiveDateTime),
}

/// The instant of a Danish wall-clock time. In the autumn hour that occurs twice, the first
/// occurrence is taken.
pub fn local_to_utc(local: NaiveDateTime) -> Result<DateTime<Utc>, LocalTimeError> {
    match Copenhagen.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Ok(t.with_timezone(&Utc)),
        LocalResult::None => Err(LocalTimeError::Nonexistent(local)),
    }
}

/// The Danish wall-clock time of an instant.
pub fn utc_to_local(instant: DateTime<Utc>) -> NaiveDateTime {
    instant.with_timezone(&Copenhagen).naive_local()
}

/// The band of the minute that starts at local wall-clock time `local`.
pub fn band_at(local: NaiveDateTime, holidays: HolidayOptions) -> TimeBand {
    let hour = local.hour();
    if !(7..23).contains(&hour) {
        TimeBand::Night
    } else if is_weekend_or_holiday(local.date(), holidays) {
        TimeBand::WeekendHoliday
    } else if hour < 15 {
        TimeBand::Day
    } else {
        TimeBand::Evening
    }
}

/// The next local boundary (00:00, 07:00, 15:00 or 23:00) strictly after `local`. Bands can only
/// change there; midnight matters because the calendar day decides weekend and holiday.
fn next_boundary(local: NaiveDateTime) -> NaiveDateTime {
    let date = local.date();
    [7, 15, 23]
        .into_iter()
        .map(|h| date.and_time(NaiveTime::from_hms_opt(h, 0, 0).expect("valid hour")))
        .find(|b| *b > local)
        .unwrap_or_else(|| (date + Days::new(1)).and_time(NaiveTime::MIN))
}

/// Splits a visit of `minutes` starting at `start` into minutes per band.
///
/// Walks from boundary to boundary rather than minute by minute. Boundaries (00, 07, 15 and
/// 23 o'clock) never fall in a Danish daylight-saving gap or overlap (those are at 02–03), so the
/// real time to the next boundary is the difference of two unambiguous instants.
pub fn split_visit(start: DateTime<Utc>, minutes: u32, holidays: HolidayOptions) -> BandMinutes {
    let mut split = BandMinutes::default();
    for (_, day) in split_visit_by_day(start, minutes, |_| holidays) {
        split.merge(&day);
    }
    split
}

/// Splits a visit into minutes per band for each local calendar day it touches, in day order:
/// a visit across midnight gives the minutes after it to the next day, whose catalog (and so
/// rates and holiday options, from `holidays_on`) may be another year's.
pub fn split_visit_by_day(
    start: DateTime<Utc>,
    minutes: u32,
    holidays_on: impl Fn(NaiveDate) -> HolidayOptions,
) -> Vec<(NaiveDate, BandMinutes)> {
    let mut days: Vec<(NaiveDate, BandMinutes)> = Vec::new();
    let mut at = start;
    let mut left = i64::from(minutes);
    while left > 0 {
        let local = utc_to_local(at);
        let band = band_at(local, holidays_on(local.date()));
        let boundary = local_to_utc(next_boundary(local)).expect("band boundaries always exist in local time");
        let to_boundary = (boundary - at).num_minutes().max(1);
        let step = left.min(to_boundary);
        match days.last_mut() {
            Some((day, split)) if *day == local.date() => split.add(band, step as u64),
            _ => {
                let mut split = BandMinutes::default();
                split.add(band, step as u64);
                days.push((local.date(), split));
            }
        }
        left -= step;
        at += chrono::Duration::minutes(step);
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        local_to_utc(NaiveDate::from_ymd_opt(y, mo, d).unwrap().and_hms_opt(h, mi, 0).unwrap()).unwrap()
    }

    fn split(start: DateTime<Utc>, minutes: u32) -> Vec<(TimeBand, u64)> {
        split_visit(start, minutes, HolidayOptions::default()).iter().collect()
    }

    #[test]
    fn the_april_2026_visits_split_as_the_worked_example_says() {
        use TimeBand::*;
        assert_eq!(split(local(2026, 4, 1, 7, 30), 45), vec![(Day, 45)]);
        assert_eq!(split(local(2026, 4, 1, 14, 40), 40), vec![(Day, 20), (Evening, 20)]);
        assert_eq!(split(local(2026, 4, 3, 8, 0), 30), vec![(WeekendHoliday, 30)], "Good Friday");
        assert_eq!(split(local(2026, 4, 4, 22, 45), 30), vec![(Night, 15), (WeekendHoliday, 15)]);
        assert_eq!(split(local(2026, 4, 7, 6, 50), 30), vec![(Day, 20), (Night, 10)]);
    }

    #[test]
    fn a_night_visit_into_a_holiday_morning_takes_the_holiday_band() {
        use TimeBand::*;
        // Wednesday 1 April 22:00 → Thursday 2 April (Maundy Thursday) 08:00.
        assert_eq!(
            split(local(2026, 4, 1, 22, 0), 600),
            vec![(Evening, 60), (Night, 480), (WeekendHoliday, 60)]
        );
    }

    #[test]
    fn daylight_saving_changes_count_real_minutes() {
        // 29 March 2026: 02:00 becomes 03:00. A 120-minute visit from 01:30 ends at 04:30 local.
        assert_eq!(split(local(2026, 3, 29, 1, 30), 120), vec![(TimeBand::Night, 120)]);
        // Spring forward then into Sunday morning: 07:00 local is 330 real minutes after 00:30.
        assert_eq!(
            split(local(2026, 3, 29, 0, 30), 360),
            vec![(TimeBand::Night, 330), (TimeBand::WeekendHoliday, 30)]
        );
        // 25 October 2026: 03:00 becomes 02:00; from 00:30 to 07:00 local is 420 real minutes.
        assert_eq!(split(local(2026, 10, 25, 0, 30), 420), vec![(TimeBand::Night, 420)]);
        assert!(local_to_utc(NaiveDate::from_ymd_opt(2026, 3, 29).unwrap().and_hms_opt(2, 30, 0).unwrap()).is_err());
    }

    #[test]
    fn a_visit_across_new_year_gives_its_minutes_after_midnight_to_the_new_day() {
        use TimeBand::*;
        // 31 December 2025 22:30 for 120 minutes, to 00:30: 30 evening and 60 night on the 31st,
        // 30 night on New Year's Day.
        let days = split_visit_by_day(local(2025, 12, 31, 22, 30), 120, |_| HolidayOptions::default());
        let days: Vec<(NaiveDate, Vec<(TimeBand, u64)>)> = days.into_iter().map(|(d, s)| (d, s.iter().collect())).collect();
        assert_eq!(
            days,
            vec![
                (NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(), vec![(Evening, 30), (Night, 60)]),
                (NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), vec![(Night, 30)]),
            ]
        );
    }

    #[test]
    fn a_whole_day_visit_covers_every_band_of_a_weekday() {
        use TimeBand::*;
        let s = split_visit(local(2026, 4, 8, 0, 0), MAX_VISIT_MINUTES, HolidayOptions::default());
        assert_eq!(
            (s.get(Night), s.get(Day), s.get(Evening), s.get(WeekendHoliday)),
            (480, 480, 480, 0)
        );
    }
}
