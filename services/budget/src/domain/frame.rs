//! Committees and their frames: a frame is a committee's activity budget for one year, released
//! over the year by its monthly profile (even by days when none is given), and moved between
//! frames only by executed reallocations.

use afregning_tariff::money::round_half_away;
use afregning_tariff::{Ore, Period};
use chrono::{Datelike, NaiveDate};

use super::error::{BudgetError, Figure};
use super::ids::{CommitteeCode, FrameCode};
use super::ledger::{DayTotal, EntrySource};

/// A committee (udvalg).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Committee {
    /// Upper-case code, e.g. `SOCIAL`.
    pub code: CommitteeCode,
    /// Display name, e.g. `Socialudvalget`.
    pub name: String,
}

/// How a frame's budget is released over its year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Profile {
    /// Pro rata by days: through a date, days elapsed inclusive ÷ days in the year.
    EvenByDays,
    /// Twelve monthly amounts adding up to the budget; the current month pro rata by day.
    Monthly([Ore; 12]),
}

impl Profile {
    /// The monthly amounts as given, or none for even by days.
    pub fn months(&self) -> Vec<Ore> {
        match self {
            Profile::EvenByDays => Vec::new(),
            Profile::Monthly(months) => months.to_vec(),
        }
    }

    /// A profile of `months`: twelve is monthly, anything else even by days.
    pub fn of(months: &[Ore]) -> Profile {
        <[Ore; 12]>::try_from(months).map_or(Profile::EvenByDays, Profile::Monthly)
    }
}

/// A committee's frame for one budget year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// The frame's code, as the catalog maps legal bases to it.
    pub code: FrameCode,
    /// The budget year.
    pub year: i32,
    /// The committee it belongs to: that committee writes expected accounts and decides its cases.
    pub committee: CommitteeCode,
    /// Display name, e.g. `Visitation og Rehabilitering – Social`.
    pub name: String,
    /// The finance account reallocation entries are booked on.
    pub account: String,
    /// The budget as set, before reallocations.
    pub amount: Ore,
    /// How the budget is released over the year.
    pub profile: Profile,
}

fn days_in_year(year: i32) -> i64 {
    if NaiveDate::from_ymd_opt(year, 2, 29).is_some() { 366 } else { 365 }
}

impl Frame {
    /// The budget after the executed reallocations among the frame's running `totals`.
    pub fn adjusted_amount(&self, totals: &[DayTotal]) -> Result<Ore, BudgetError> {
        totals
            .iter()
            .filter(|t| t.source == EntrySource::Reallocation)
            .try_fold(self.amount, |sum, t| sum.checked_add(t.amount))
            .map_err(|_| BudgetError::Overflow(Figure::FrameFigures))
    }

    /// The budget at `as_of`: the amount as set and the executed reallocations among the
    /// frame's running `totals` effective through the date. A reallocation takes effect on the
    /// last day of its quarter, so a status at an earlier date never sees it, however soon it is
    /// executed.
    pub fn budget_through(&self, totals: &[DayTotal], as_of: NaiveDate) -> Result<Ore, BudgetError> {
        let effective: Vec<DayTotal> = totals.iter().filter(|t| t.day <= as_of).copied().collect();
        self.adjusted_amount(&effective)
    }

    /// How much of the budget (as set) the profile releases through `as_of`, inclusive: nothing
    /// before the year, all of it after.
    pub fn released_through(&self, as_of: NaiveDate) -> Result<Ore, BudgetError> {
        let overflow = |_| BudgetError::Overflow(Figure::FrameFigures);
        if as_of.year() < self.year {
            return Ok(Ore::ZERO);
        }
        if as_of.year() > self.year {
            return Ok(self.amount);
        }
        match &self.profile {
            Profile::EvenByDays => {
                let elapsed = i128::from(as_of.ordinal());
                Ore::round_ratio(i128::from(self.amount.get()) * elapsed, i128::from(days_in_year(self.year))).map_err(overflow)
            }
            Profile::Monthly(months) => {
                let month = as_of.month0() as usize;
                let before = Ore::sum(months[..month].iter().copied()).map_err(overflow)?;
                let days_in_month = Period::containing(as_of).range().days();
                let current = round_half_away(i128::from(months[month].get()) * i128::from(as_of.day()), i128::from(days_in_month))
                    .map_err(overflow)?;
                before.checked_add(Ore::new(current)).map_err(overflow)
            }
        }
    }
}

/// The setting in force on `day` among a frame's `versions` (each with the day it takes effect,
/// in the order they apply): the last that took effect on or before the day.
pub fn in_force(versions: &[(NaiveDate, Frame)], day: NaiveDate) -> Option<&Frame> {
    versions.iter().rev().find(|(from, _)| *from <= day).map(|(_, frame)| frame)
}

/// The day a frame's setting takes effect: `given`, or by default the year's first day for a
/// frame's first setting and otherwise `today` held within the year. A first setting holds from
/// the year's first day; a later one takes effect within the year and after the frame's last
/// closed month, whose figures it must not reach.
pub fn effective_from(
    year: i32,
    given: Option<NaiveDate>,
    first: bool,
    today: NaiveDate,
    last_closed: Option<Period>,
) -> Result<NaiveDate, BudgetError> {
    let (Some(january), Some(december)) = (Period::new(year, 1), Period::new(year, 12)) else {
        return Err(BudgetError::EffectiveOutsideYear);
    };
    let (start, end) = (january.range().first(), december.range().last());
    let day = match given {
        Some(day) => day,
        None if first => start,
        None => today.clamp(start, end),
    };
    if day < start || day > end {
        return Err(BudgetError::EffectiveOutsideYear);
    }
    if first && day != start {
        return Err(BudgetError::FirstSettingFromYearStart);
    }
    match last_closed {
        Some(closed) if day <= closed.range().last() => Err(BudgetError::EffectiveInClosedMonth(closed)),
        _ => Ok(day),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(profile: Profile) -> Frame {
        Frame {
            code: FrameCode::new("SOCIAL"),
            year: 2026,
            committee: CommitteeCode::new("SOCIAL"),
            name: "Visitation og Rehabilitering – Social".into(),
            account: "5.30.26".into(),
            amount: Ore::new(36_500_000),
            profile,
        }
    }

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    #[test]
    fn even_profile_releases_by_days_elapsed() {
        let f = frame(Profile::EvenByDays);
        assert_eq!(f.released_through(day(10, 31)).unwrap(), Ore::new(30_400_000), "304 of 365 days");
        assert_eq!(
            f.released_through(NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()).unwrap(),
            Ore::ZERO
        );
        assert_eq!(f.released_through(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()).unwrap(), f.amount);
    }

    #[test]
    fn monthly_profile_releases_whole_months_and_the_current_by_day() {
        let mut months = [Ore::new(3_000_000); 12];
        months[11] = Ore::new(3_500_000);
        let f = frame(Profile::Monthly(months));
        assert_eq!(f.released_through(day(1, 31)).unwrap(), Ore::new(3_000_000));
        assert_eq!(f.released_through(day(2, 14)).unwrap(), Ore::new(4_500_000), "half of February");
        assert_eq!(Profile::of(&months), f.profile);
        assert_eq!(Profile::of(&months[..11]), Profile::EvenByDays);
    }

    #[test]
    fn reallocations_adjust_the_budget_and_consumption_does_not() {
        let f = frame(Profile::EvenByDays);
        let totals = [
            DayTotal {
                day: day(6, 30),
                source: EntrySource::Reallocation,
                amount: Ore::new(-186_000),
            },
            DayTotal {
                day: day(6, 30),
                source: EntrySource::Settlement,
                amount: Ore::new(555_000),
            },
        ];
        assert_eq!(f.adjusted_amount(&totals).unwrap(), Ore::new(36_314_000));
        assert_eq!(f.budget_through(&totals, day(6, 30)).unwrap(), Ore::new(36_314_000));
        assert_eq!(
            f.budget_through(&totals, day(6, 29)).unwrap(),
            f.amount,
            "a reallocation is not in the budget before its effective date"
        );
        let huge = [DayTotal {
            amount: Ore::new(i64::MAX),
            ..totals[0]
        }];
        assert_eq!(f.adjusted_amount(&huge), Err(BudgetError::Overflow(Figure::FrameFigures)));
    }

    #[test]
    fn a_setting_takes_effect_within_its_year_after_the_closed_months() {
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let june = Period::new(2026, 6);
        assert_eq!(effective_from(2026, None, true, day(11, 30), None), Ok(day(1, 1)));
        assert_eq!(effective_from(2026, None, false, day(11, 30), june), Ok(day(11, 30)));
        let next_year = NaiveDate::from_ymd_opt(2027, 2, 1).unwrap();
        assert_eq!(effective_from(2026, None, false, next_year, None), Ok(day(12, 31)));
        assert_eq!(effective_from(2026, Some(day(7, 1)), false, day(11, 30), june), Ok(day(7, 1)));
        assert_eq!(
            effective_from(2026, Some(day(6, 30)), false, day(11, 30), june),
            Err(BudgetError::EffectiveInClosedMonth(june.unwrap()))
        );
        assert_eq!(
            effective_from(2026, Some(day(3, 1)), true, day(11, 30), None),
            Err(BudgetError::FirstSettingFromYearStart)
        );
        assert_eq!(
            effective_from(2026, Some(next_year), false, day(11, 30), None),
            Err(BudgetError::EffectiveOutsideYear)
        );
    }
}
