//! Follow-up of a frame at a date (docs/design.md, "Follow-up as of a date"): budget, consumed to
//! date, expected rest of the year (the leader's expected accounts where given, otherwise the
//! commitments of active grants), expected result = budget − consumed − expected rest, consumption
//! percentage, and the share of the budget the profile releases through the date; and the monthly
//! curves of the same figures.
//!
//! Pure: it reads the running day totals, never the ledger itself, so it costs the same however
//! long the ledger grows. Every sum is checked: a figure that would not fit in 64 bits is
//! [`Figure::FrameFigures`], never a wrap.

use afregning_tariff::money::basis_points;
use afregning_tariff::pricing::{frame_shares, largest_share, price_days_by, split_by_percent};
use afregning_tariff::{CatalogSet, DateRange, GrantTerms, Ore, Period, PricingError};
use chrono::{Datelike, NaiveDate};

use super::error::{BudgetError, Figure};
use super::frame::Frame;
use super::ids::FrameCode;
use super::ledger::DayTotal;

fn overflow<E>(_: E) -> BudgetError {
    BudgetError::Overflow(Figure::FrameFigures)
}

/// A grant version as budget forecasts it: what the tariff prices, who delivers it and which
/// frame pays.
#[derive(Clone, Debug, PartialEq)]
pub struct Commitment {
    /// The grant, for the log when it cannot be priced.
    pub grant_id: String,
    /// The frame of its legal basis.
    pub paying_frame: FrameCode,
    /// The tariff's view of the grant; `None` when the grant cannot be read as terms (it
    /// commits nothing).
    pub terms: Option<GrantTerms>,
    /// Provider ids and whole-percent shares.
    pub providers: Vec<(String, u32)>,
    /// The index of the lead provider in `providers`: its share absorbs the rounding remainder.
    pub lead: usize,
    /// Settled with each provider (each gets its share) rather than with the lead alone.
    pub with_each: bool,
}

/// What `frame` is committed to by `grants` in each month of `from`'s year (index 0 is January),
/// counting the days from `from` to year end: each grant priced forward by the rules its statements
/// would follow if nothing changed (a line per month and run of days, rounded once), shared
/// between providers and split across frames exactly as its postings would be. A grant that
/// cannot be priced (no catalog for the days, say) commits nothing and is logged.
pub fn commitments_by_month(frame: &FrameCode, grants: &[Commitment], from: NaiveDate, catalogs: &CatalogSet) -> [Ore; 12] {
    commitments_within(frame, grants, from, 12, catalogs)
}

/// The commitments from each day of `period` onwards: entry `i` is what is committed from the
/// day after the period's day `i + 1` to year end, as [`commitments_by_month`] would sum it from
/// that day. The months after the period are priced once, not once a day (a closed month keeps a
/// status for each of its days).
pub fn commitments_after_each_day(
    frame: &FrameCode,
    grants: &[Commitment],
    period: Period,
    catalogs: &CatalogSet,
) -> Result<Vec<Ore>, BudgetError> {
    let later = match period.month() {
        12 => Ore::ZERO,
        _ => Ore::sum(commitments_by_month(frame, grants, period.next().range().first(), catalogs)).map_err(overflow)?,
    };
    let last = period.range().last();
    period
        .range()
        .iter_days()
        .map(|day| match day.succ_opt().filter(|from| *from <= last) {
            Some(from) => {
                let month = commitments_within(frame, grants, from, period.month(), catalogs)[period.month() as usize - 1];
                month.checked_add(later).map_err(overflow)
            }
            None => Ok(later),
        })
        .collect()
}

/// [`commitments_by_month`] for the months from `from`'s through `last_month` only.
fn commitments_within(frame: &FrameCode, grants: &[Commitment], from: NaiveDate, last_month: u32, catalogs: &CatalogSet) -> [Ore; 12] {
    let mut months = [Ore::ZERO; 12];
    for grant in grants {
        match grant_commitments(frame, grant, from, last_month, catalogs) {
            Ok(by_month) => {
                for (total, amount) in months.iter_mut().zip(by_month) {
                    *total = Ore::new(total.get().saturating_add(amount.get()));
                }
            }
            Err(e) => tracing::warn!(grant_id = %grant.grant_id, error = %e, "grant left out of commitments"),
        }
    }
    months
}

/// One grant's part of [`commitments_within`].
fn grant_commitments(
    frame: &FrameCode,
    grant: &Commitment,
    from: NaiveDate,
    last_month: u32,
    catalogs: &CatalogSet,
) -> Result<[Ore; 12], PricingError> {
    let mut months = [Ore::ZERO; 12];
    let Some(terms) = &grant.terms else { return Ok(months) };
    for (i, month) in (from.month()..=last_month.min(12)).enumerate() {
        let Some(period) = Period::new(from.year(), month) else { continue };
        let days = if i == 0 {
            DateRange::new(from, period.range().last()).unwrap_or(period.range())
        } else {
            period.range()
        };
        for (line, ()) in price_days_by(days, catalogs, |_| Some((terms, ())))? {
            let Some(catalog) = catalogs.by_version(&line.explanation.catalog_version) else {
                continue;
            };
            let parts: Vec<Ore> = if grant.with_each && !grant.providers.is_empty() {
                split_by_percent(line.amount, &grant.providers, grant.lead)?
                    .into_iter()
                    .map(|(_, ore)| ore)
                    .collect()
            } else {
                vec![line.amount]
            };
            let shares = frame_shares(&terms.unit, grant.paying_frame.as_str(), catalog);
            for part in parts {
                for (f, ore) in split_by_percent(part, &shares, largest_share(&shares))? {
                    if frame == f.as_str() {
                        let slot = &mut months[month as usize - 1];
                        *slot = slot.checked_add(ore).map_err(PricingError::Money)?;
                    }
                }
            }
        }
    }
    Ok(months)
}

/// Where a frame's expected rest of the year comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RestSource {
    /// The commitments of active grants: no leader's forecast has been given.
    #[default]
    Commitments,
    /// The responsible leader's expected accounts.
    Leader,
}

impl RestSource {
    /// The stored and wire number (the proto `ExpectedRestSource`).
    pub fn number(self) -> i64 {
        match self {
            RestSource::Commitments => 1,
            RestSource::Leader => 2,
        }
    }

    /// The source with a stored number.
    pub fn from_number(number: i64) -> Option<RestSource> {
        match number {
            1 => Some(RestSource::Commitments),
            2 => Some(RestSource::Leader),
            _ => None,
        }
    }
}

/// A frame's figures at a date.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Status {
    /// The frame's amount and the executed reallocations effective through the date.
    pub budget: Ore,
    /// Settlement postings and ERP actuals booked through the date.
    pub consumed: Ore,
    /// Active grants priced from the day after the date to year end.
    pub rest_from_commitments: Ore,
    /// The leader's expected accounts from the day after the date to year end
    /// ([`leader_rest_after`]).
    pub rest_from_leader: Ore,
    /// Which of the two is the expected rest; the other is shown beside it, never added.
    pub rest_source: RestSource,
    /// The expected rest of the year, one figure: `rest_from_leader` when the leader has given
    /// expected accounts, otherwise `rest_from_commitments`.
    pub expected_rest: Ore,
    /// budget − consumed − expected rest; negative is an overrun.
    pub expected_result: Ore,
    /// consumed ÷ budget, in basis points.
    pub consumption_bp: i64,
    /// The share of the budget the profile releases through the date, in basis points.
    pub profile_share_bp: i64,
}

impl Status {
    /// Whether the leader has given expected accounts: then they are the expected rest.
    pub fn has_leader_forecast(&self) -> bool {
        self.rest_source == RestSource::Leader
    }
}

/// The leader's expected accounts `(month, amount)` from the day after `as_of` to year end: the
/// months after the date's month whole, and the date's own month pro rata for the days left in
/// it (amount × days after the date ÷ days in the month, rounded once, half away from zero) —
/// the same days the commitments count from, so either source covers exactly the rest of the
/// year.
pub fn leader_rest_after(leader: &[(u32, Ore)], as_of: NaiveDate) -> Result<Ore, BudgetError> {
    let in_month = Period::containing(as_of).range().days();
    let left = in_month.saturating_sub(as_of.day());
    let parts = leader.iter().map(|&(month, amount)| match month.cmp(&as_of.month()) {
        std::cmp::Ordering::Greater => Ok(amount),
        std::cmp::Ordering::Equal => Ore::round_ratio(i128::from(amount.get()) * i128::from(left), i128::from(in_month)).map_err(overflow),
        std::cmp::Ordering::Less => Ok(Ore::ZERO),
    });
    let mut parts = parts;
    parts.try_fold(Ore::ZERO, |sum, part| sum.checked_add(part?).map_err(overflow))
}

/// The status of `frame` at `as_of` from its running day `totals`, its commitments after the
/// date ([`commitments_by_month`]), and the leader's expected accounts `(month, amount)`.
pub fn status(
    frame: &Frame,
    totals: &[DayTotal],
    rest_from_commitments: Ore,
    leader: &[(u32, Ore)],
    as_of: NaiveDate,
) -> Result<Status, BudgetError> {
    let budget = frame.budget_through(totals, as_of)?;
    let consumed = consumed_through(totals, as_of)?;
    let rest_from_leader = leader_rest_after(leader, as_of)?;
    let (rest_source, expected_rest) = if leader.is_empty() {
        (RestSource::Commitments, rest_from_commitments)
    } else {
        (RestSource::Leader, rest_from_leader)
    };
    let expected_result = budget
        .checked_sub(consumed)
        .and_then(|r| r.checked_sub(expected_rest))
        .map_err(overflow)?;
    debug_assert_eq!(budget.get() - consumed.get() - expected_rest.get(), expected_result.get());
    Ok(Status {
        budget,
        consumed,
        rest_from_commitments,
        rest_from_leader,
        rest_source,
        expected_rest,
        expected_result,
        consumption_bp: basis_points(consumed.get(), budget.get()),
        profile_share_bp: basis_points(frame.released_through(as_of)?.get(), frame.amount.get()),
    })
}

/// Consumption (every source but reallocations) booked through `as_of`.
fn consumed_through(totals: &[DayTotal], as_of: NaiveDate) -> Result<Ore, BudgetError> {
    Ore::sum(
        totals
            .iter()
            .filter(|t| t.source.is_consumption() && t.day <= as_of)
            .map(|t| t.amount),
    )
    .map_err(overflow)
}

/// One month's point of a frame's curves, each figure cumulative from January.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeriesPoint {
    /// 1–12.
    pub month: u32,
    /// The budget the profile releases through the month's end.
    pub budget: Ore,
    /// Consumption booked through the month's end.
    pub consumed: Ore,
    /// What was consumed through the months that have passed, then the leader's months.
    pub leader_forecast: Ore,
    /// What was consumed through the months that have passed, then the commitments' months.
    pub commitments_forecast: Ore,
    /// The month is closed: its consumption is the figure frozen at the close.
    pub closed: bool,
}

/// The twelve points of `frame`'s curves at `as_of`: passed months (ending on or before it)
/// show what was consumed — a closed month what was frozen at its close (`frozen`: month,
/// consumed) — and later months add the leader's expected accounts and the commitments
/// (`commitments[0]` is January) to it. Nothing effective after `as_of` counts as consumed.
pub fn series(
    frame: &Frame,
    totals: &[DayTotal],
    commitments: &[Ore; 12],
    leader: &[(u32, Ore)],
    frozen: &[(u32, Ore)],
    as_of: NaiveDate,
) -> Result<Vec<SeriesPoint>, BudgetError> {
    let mut points = Vec::with_capacity(12);
    let (mut leader_forecast, mut commitments_forecast) = (Ore::ZERO, Ore::ZERO);
    for month in 1..=12_u32 {
        let Some(period) = Period::new(frame.year, month) else { continue };
        let end = period.range().last();
        let closed = frozen.iter().find(|(m, _)| *m == month).map(|(_, consumed)| *consumed);
        let consumed = match closed {
            Some(consumed) => consumed,
            None => consumed_through(totals, end.min(as_of))?,
        };
        if end <= as_of || closed.is_some() {
            leader_forecast = consumed;
            commitments_forecast = consumed;
        } else {
            let led = leader.iter().filter(|(m, _)| *m == month).map(|(_, a)| *a);
            leader_forecast = Ore::sum(led.chain([leader_forecast])).map_err(overflow)?;
            commitments_forecast = commitments_forecast
                .checked_add(commitments[month as usize - 1])
                .map_err(overflow)?;
        }
        points.push(SeriesPoint {
            month,
            budget: frame.released_through(end)?,
            consumed,
            leader_forecast,
            commitments_forecast,
            closed: closed.is_some(),
        });
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::frame::Profile;
    use crate::domain::ids::CommitteeCode;
    use crate::domain::ledger::EntrySource;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn health() -> Frame {
        Frame {
            code: FrameCode::new("HEALTH"),
            year: 2026,
            committee: CommitteeCode::new("HEALTH"),
            name: "Visitation og Rehabilitering – Sund".into(),
            account: "4.62.88".into(),
            amount: Ore::new(36_500_000),
            profile: Profile::EvenByDays,
        }
    }

    fn total(day: NaiveDate, source: EntrySource, amount: i64) -> DayTotal {
        DayTotal {
            day,
            source,
            amount: Ore::new(amount),
        }
    }

    /// The worked HEALTH frame at 31 October: 400,000.00 of actuals and 2,360.00 of training,
    /// 5,141.43 still committed: an overrun of 42,501.43.
    #[test]
    fn every_row_adds_up_budget_minus_consumed_minus_rest() {
        let totals = [
            total(day(4, 30), EntrySource::Settlement, 236_000),
            total(day(10, 10), EntrySource::ErpActual, 40_000_000),
            total(day(11, 30), EntrySource::ErpActual, 1_000),
        ];
        let s = status(&health(), &totals, Ore::new(514_143), &[], day(10, 31)).unwrap();
        assert_eq!((s.budget, s.consumed), (Ore::new(36_500_000), Ore::new(40_236_000)));
        assert_eq!(s.expected_result, Ore::new(-4_250_143));
        assert_eq!((s.consumption_bp, s.profile_share_bp), (11_024, 8_329));
        let led = status(
            &health(),
            &totals,
            Ore::new(514_143),
            &[(10, Ore::new(9)), (11, Ore::new(100))],
            day(10, 31),
        )
        .unwrap();
        assert_eq!((led.rest_from_leader, led.expected_result), (Ore::new(100), Ore::new(-3_736_100)));
        assert_eq!((led.expected_rest, led.rest_source), (Ore::new(100), RestSource::Leader));
        assert_eq!(led.rest_from_commitments, Ore::new(514_143), "shown beside, not added");
    }

    /// For every day of the year, with and without a leader's forecast, budget − consumed −
    /// expected rest = expected result, and the expected rest is exactly one of the two sources.
    #[test]
    fn every_row_adds_up_on_every_day() {
        let totals = [
            total(day(3, 31), EntrySource::Settlement, 1_234_567),
            total(day(6, 30), EntrySource::Reallocation, -186_000),
            total(day(9, 30), EntrySource::Reallocation, 55_500),
            total(day(10, 10), EntrySource::ErpActual, 40_000_000),
        ];
        let leader: Vec<(u32, Ore)> = (1..=12).map(|m| (m, Ore::new(100_003 * i64::from(m)))).collect();
        let mut date = day(1, 1);
        while date.year() == 2026 {
            for given in [&[][..], &leader[..]] {
                let s = status(&health(), &totals, Ore::new(777_777), given, date).unwrap();
                assert_eq!(
                    s.budget.get() - s.consumed.get() - s.expected_rest.get(),
                    s.expected_result.get(),
                    "{date}"
                );
                let other = if given.is_empty() {
                    s.rest_from_commitments
                } else {
                    s.rest_from_leader
                };
                assert_eq!(s.expected_rest, other, "{date}");
            }
            date = date.succ_opt().unwrap();
        }
    }

    #[test]
    fn the_leaders_current_month_counts_for_the_days_after_the_date() {
        let leader = [(5, Ore::new(1_000_000)), (6, Ore::new(300_000)), (7, Ore::new(62_000))];
        assert_eq!(
            leader_rest_after(&leader, day(6, 30)).unwrap(),
            Ore::new(62_000),
            "June has no days left"
        );
        assert_eq!(
            leader_rest_after(&leader, day(6, 10)).unwrap(),
            Ore::new(262_000),
            "20 of June's 30 days"
        );
        assert_eq!(
            leader_rest_after(&leader, day(6, 1)).unwrap(),
            Ore::new(352_000),
            "29 of 30: 290,000.00"
        );
        assert_eq!(
            leader_rest_after(&leader, day(7, 15)).unwrap(),
            Ore::new(32_000),
            "16 of 31 days: 32,000"
        );
        assert_eq!(
            leader_rest_after(&[(7, Ore::new(1))], day(7, 15)).unwrap(),
            Ore::new(1),
            "0.516 rounds to 1"
        );
        assert_eq!(
            leader_rest_after(&[(7, Ore::new(1))], day(7, 16)).unwrap(),
            Ore::ZERO,
            "0.48 rounds to 0"
        );
    }

    #[test]
    fn the_budget_at_a_date_counts_only_reallocations_effective_by_then() {
        let totals = [total(day(9, 30), EntrySource::Reallocation, -186_000)];
        let june = status(&health(), &totals, Ore::ZERO, &[], day(6, 30)).unwrap();
        assert_eq!(june.budget, Ore::new(36_500_000), "a Q3 reallocation is not in June's budget");
        let september = status(&health(), &totals, Ore::ZERO, &[], day(9, 30)).unwrap();
        assert_eq!(september.budget, Ore::new(36_314_000));
    }

    #[test]
    fn a_figure_beyond_64_bits_is_an_overflow_not_a_wrap() {
        let totals = [
            total(day(4, 30), EntrySource::Settlement, i64::MAX),
            total(day(5, 31), EntrySource::Settlement, 1),
        ];
        assert_eq!(
            status(&health(), &totals, Ore::ZERO, &[], day(10, 31)),
            Err(BudgetError::Overflow(Figure::FrameFigures))
        );
    }

    #[test]
    fn passed_months_show_consumption_and_later_months_the_forecasts() {
        let totals = [total(day(4, 30), EntrySource::Settlement, 236_000)];
        let mut commitments = [Ore::ZERO; 12];
        commitments[11] = Ore::new(664_286);
        let points = series(&health(), &totals, &commitments, &[(12, Ore::new(5))], &[], day(11, 15)).unwrap();
        assert_eq!(points.len(), 12);
        assert_eq!(points[3].consumed, Ore::new(236_000));
        assert_eq!(points[9].commitments_forecast, Ore::new(236_000), "October has passed");
        assert_eq!(
            points[10].commitments_forecast,
            Ore::new(236_000),
            "November is ahead, nothing committed"
        );
        assert_eq!(points[11].commitments_forecast, Ore::new(900_286));
        assert_eq!(points[11].leader_forecast, Ore::new(236_005));
        assert_eq!(points[11].budget, Ore::new(36_500_000));
    }
}
