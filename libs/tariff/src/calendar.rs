//! Calendar facts the tariff depends on: inclusive date ranges, settlement periods (months) and
//! Danish public holidays, computed from the date of Easter rather than listed by hand.

use std::fmt;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// An inclusive range of calendar dates, `first ≤ last`. A grant that starts and ends on the
/// same day covers one day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DateRange {
    first: NaiveDate,
    last: NaiveDate,
}

impl DateRange {
    /// The days from `first` to `last`, both included; `None` when `last` is before `first`.
    pub fn new(first: NaiveDate, last: NaiveDate) -> Option<DateRange> {
        (first <= last).then_some(DateRange { first, last })
    }

    /// One day.
    pub fn day(date: NaiveDate) -> DateRange {
        DateRange { first: date, last: date }
    }

    /// The first day.
    pub fn first(&self) -> NaiveDate {
        self.first
    }

    /// The last day.
    pub fn last(&self) -> NaiveDate {
        self.last
    }

    /// Number of days, both ends counted.
    pub fn days(&self) -> u32 {
        let between = (self.last - self.first).num_days();
        u32::try_from(between + 1).unwrap_or(u32::MAX)
    }

    /// Whether `date` lies inside.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.first <= date && date <= self.last
    }

    /// The days both ranges share, if any.
    pub fn intersect(&self, other: &DateRange) -> Option<DateRange> {
        DateRange::new(self.first.max(other.first), self.last.min(other.last))
    }

    /// Every day, in order.
    pub fn iter_days(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        let last = self.last;
        self.first.iter_days().take_while(move |d| *d <= last)
    }
}

impl DateRange {
    /// The days as Danes write them: `01.04.2026–30.04.2026`.
    pub fn danish(&self) -> String {
        format!("{}–{}", self.first.format("%d.%m.%Y"), self.last.format("%d.%m.%Y"))
    }
}

impl fmt::Display for DateRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} – {}", self.first, self.last)
    }
}

/// A settlement period: one calendar month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Period {
    year: i32,
    month: u32,
}

impl Period {
    /// The month `month` (1–12) of `year` (1900–9999); `None` otherwise.
    pub fn new(year: i32, month: u32) -> Option<Period> {
        ((1900..=9999).contains(&year) && (1..=12).contains(&month)).then_some(Period { year, month })
    }

    /// The month that contains `date`.
    pub fn containing(date: NaiveDate) -> Period {
        Period {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The year.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The month, 1–12.
    pub fn month(&self) -> u32 {
        self.month
    }

    /// Its days, first to last.
    pub fn range(&self) -> DateRange {
        let first = NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid by construction");
        let last = first + Months::new(1) - Days::new(1);
        DateRange { first, last }
    }

    /// The following month.
    pub fn next(&self) -> Period {
        Period::containing(self.range().last() + Days::new(1))
    }

    /// The month `months` away (earlier when negative); `None` outside the years a period spans.
    pub fn plus_months(&self, months: i32) -> Option<Period> {
        let index = self.year.checked_mul(12)?.checked_add(self.month as i32 - 1)?.checked_add(months)?;
        Period::new(index.div_euclid(12), index.rem_euclid(12) as u32 + 1)
    }

    /// Whole months from `earlier` to this month: 0 for the same month, negative when `earlier`
    /// comes after it.
    pub fn months_since(&self, earlier: Period) -> i32 {
        (self.year - earlier.year) * 12 + self.month as i32 - earlier.month as i32
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Period {
    /// The month as Danes write it: `04.2026`.
    pub fn danish(&self) -> String {
        format!("{:02}.{:04}", self.month, self.year)
    }
}

/// Text that is not a month written `YYYY-MM`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a month written YYYY-MM: {0:?}")]
pub struct PeriodError(String);

impl std::str::FromStr for Period {
    type Err = PeriodError;

    /// `YYYY-MM`, exactly as [`Period`]'s `Display` writes it, so a stored period reads back.
    fn from_str(text: &str) -> Result<Period, PeriodError> {
        let wrong = || PeriodError(text.chars().take(16).collect());
        let (year, month) = text.split_once('-').ok_or_else(wrong)?;
        if year.len() != 4 || month.len() != 2 || !(year.bytes().chain(month.bytes())).all(|b| b.is_ascii_digit()) {
            return Err(wrong());
        }
        Period::new(year.parse().map_err(|_| wrong())?, month.parse().map_err(|_| wrong())?).ok_or_else(wrong)
    }
}

/// Holidays a municipality may choose to treat as public holidays (the catalog decides).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolidayOptions {
    /// Constitution Day, 5 June.
    #[serde(default)]
    pub constitution_day: bool,
    /// Christmas Eve, 24 December.
    #[serde(default)]
    pub christmas_eve: bool,
}

/// Easter Sunday of `year` in the Gregorian calendar (the anonymous Gregorian algorithm).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("Easter is always a real date")
}

/// The Danish public holidays of `year`, in date order, with their Danish names.
///
/// Great Prayer Day (store bededag) is a holiday up to and including 2023; it was abolished from
/// 2024.
pub fn public_holidays(year: i32, options: HolidayOptions) -> Vec<(NaiveDate, &'static str)> {
    let easter = easter_sunday(year);
    let from_easter = |days: i64| easter + chrono::Duration::days(days);
    let fixed = |month, day| NaiveDate::from_ymd_opt(year, month, day).expect("fixed holiday date");
    let mut days = vec![
        (fixed(1, 1), "Nytårsdag"),
        (from_easter(-3), "Skærtorsdag"),
        (from_easter(-2), "Langfredag"),
        (easter, "Påskedag"),
        (from_easter(1), "2. påskedag"),
        (from_easter(39), "Kristi himmelfartsdag"),
        (from_easter(49), "Pinsedag"),
        (from_easter(50), "2. pinsedag"),
        (fixed(12, 25), "Juledag"),
        (fixed(12, 26), "2. juledag"),
    ];
    if year <= 2023 {
        days.push((from_easter(26), "Store bededag"));
    }
    if options.constitution_day {
        days.push((fixed(6, 5), "Grundlovsdag"));
    }
    if options.christmas_eve {
        days.push((fixed(12, 24), "Juleaftensdag"));
    }
    days.sort();
    // Whit Monday and Constitution Day can fall on the same date (2006, 2017): one holiday.
    days.dedup_by_key(|(date, _)| *date);
    days
}

/// Whether `date` is a Danish public holiday under `options`.
pub fn is_public_holiday(date: NaiveDate, options: HolidayOptions) -> bool {
    let (month, day) = (date.month(), date.day());
    if (month, day) == (1, 1) || (month == 12 && (day == 25 || day == 26)) {
        return true;
    }
    if (options.constitution_day && (month, day) == (6, 5)) || (options.christmas_eve && (month, day) == (12, 24)) {
        return true;
    }
    let offset = (date - easter_sunday(date.year())).num_days();
    matches!(offset, -3 | -2 | 0 | 1 | 39 | 49 | 50) || (offset == 26 && date.year() <= 2023)
}

/// Whether `date` is a Saturday, Sunday or public holiday (the weekend/holiday time band's days).
pub fn is_weekend_or_holiday(date: NaiveDate, options: HolidayOptions) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun) || is_public_holiday(date, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_for_known_years() {
        let known = [
            (2019, d(2019, 4, 21)),
            (2020, d(2020, 4, 12)),
            (2023, d(2023, 4, 9)),
            (2024, d(2024, 3, 31)),
            (2025, d(2025, 4, 20)),
            (2026, d(2026, 4, 5)),
            (2027, d(2027, 3, 28)),
            (2038, d(2038, 4, 25)),
        ];
        for (year, date) in known {
            assert_eq!(easter_sunday(year), date, "{year}");
        }
    }

    #[test]
    fn holidays_2026() {
        let days: Vec<NaiveDate> = public_holidays(2026, HolidayOptions::default())
            .into_iter()
            .map(|(d, _)| d)
            .collect();
        assert_eq!(
            days,
            vec![
                d(2026, 1, 1),
                d(2026, 4, 2),
                d(2026, 4, 3),
                d(2026, 4, 5),
                d(2026, 4, 6),
                d(2026, 5, 14),
                d(2026, 5, 24),
                d(2026, 5, 25),
                d(2026, 12, 25),
                d(2026, 12, 26),
            ]
        );
    }

    #[test]
    fn great_prayer_day_until_2023_only() {
        assert!(is_public_holiday(d(2023, 5, 5), HolidayOptions::default()));
        assert!(!is_public_holiday(d(2024, 4, 26), HolidayOptions::default()));
        assert_eq!(public_holidays(2023, HolidayOptions::default()).len(), 11);
        assert_eq!(public_holidays(2024, HolidayOptions::default()).len(), 10);
    }

    #[test]
    fn optional_holidays_follow_the_catalog() {
        let both = HolidayOptions {
            constitution_day: true,
            christmas_eve: true,
        };
        assert!(!is_public_holiday(d(2026, 6, 5), HolidayOptions::default()));
        assert!(is_public_holiday(d(2026, 6, 5), both));
        assert!(is_public_holiday(d(2026, 12, 24), both));
        assert_eq!(public_holidays(2026, both).len(), 12);
    }

    #[test]
    fn listed_and_tested_holidays_agree_over_many_years() {
        let options = HolidayOptions {
            constitution_day: true,
            christmas_eve: false,
        };
        for year in 2000..=2040 {
            let listed = public_holidays(year, options);
            let range = DateRange::new(d(year, 1, 1), d(year, 12, 31)).unwrap();
            let tested: Vec<NaiveDate> = range.iter_days().filter(|day| is_public_holiday(*day, options)).collect();
            assert_eq!(tested, listed.iter().map(|(d, _)| *d).collect::<Vec<_>>(), "{year}");
        }
    }

    #[test]
    fn months_forwards_and_back() {
        let april = Period::new(2026, 4).unwrap();
        assert_eq!(april.plus_months(-4), Period::new(2025, 12));
        assert_eq!(april.plus_months(9), Period::new(2027, 1));
        assert_eq!(april.plus_months(0), Some(april));
        assert_eq!(april.plus_months(-13).map(|p| april.months_since(p)), Some(13));
        assert_eq!(Period::new(1900, 1).unwrap().plus_months(-1), None);
    }

    #[test]
    fn periods_read_back_what_they_write() {
        let april: Period = "2026-04".parse().unwrap();
        assert_eq!(april, Period::new(2026, 4).unwrap());
        assert_eq!(april.to_string().parse::<Period>(), Ok(april));
        for wrong in [
            "2026-4",
            "2026-13",
            "26-04",
            "2026-04-01",
            "2026-true-up",
            "",
            "２０２６-04",
            "+026-04",
        ] {
            assert!(wrong.parse::<Period>().is_err(), "{wrong}");
        }
    }

    #[test]
    fn periods_and_ranges() {
        assert_eq!(Period::new(2026, 2).unwrap().range().days(), 28);
        assert_eq!(Period::new(2028, 2).unwrap().range().days(), 29);
        assert_eq!(Period::new(2026, 12).unwrap().next(), Period::new(2027, 1).unwrap());
        assert_eq!(Period::new(2027, 2).unwrap().months_since(Period::new(2026, 4).unwrap()), 10);
        assert_eq!(Period::new(2026, 4).unwrap().months_since(Period::new(2026, 5).unwrap()), -1);
        assert!(Period::new(2026, 13).is_none());
        let april = Period::new(2026, 4).unwrap().range();
        let grant = DateRange::new(d(2026, 4, 10), d(2026, 6, 1)).unwrap();
        assert_eq!(april.intersect(&grant).unwrap().days(), 21);
        assert_eq!(DateRange::day(d(2026, 4, 10)).days(), 1);
        assert!(DateRange::new(d(2026, 4, 10), d(2026, 4, 9)).is_none());
    }
}
