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
    let mut months = [Ore::ZERO; 12];
    for grant in grants {
        match grant_commitments(frame, grant, from, catalogs) {
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

/// One grant's part of [`commitments_by_month`].
fn grant_commitments(frame: &FrameCode, grant: &Commitment, from: NaiveDate, catalogs: &CatalogSet) -> Result<[Ore; 12], PricingError> {
    let mut months = [Ore::ZERO; 12];
    let Some(terms) = &grant.terms else { return Ok(months) };
    for (i, month) in (from.month()..=12).enumerate() {
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

/// A frame's figures at a date.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Status {
    /// The budget after executed reallocations.
    pub budget: Ore,
    /// Settlement postings and ERP actuals booked through the date.
    pub consumed: Ore,
    /// Active grants priced from the day after the date to year end.
    pub rest_from_commitments: Ore,
    /// The leader's expected accounts for the months after the date's month.
    pub rest_from_leader: Ore,
    /// Whether the leader has submitted expected accounts: then they are the expected rest and
    /// the commitments are shown beside them.
    pub has_leader_forecast: bool,
    /// budget − consumed − expected rest; negative is an overrun.
    pub expected_result: Ore,
    /// consumed ÷ budget, in basis points.
    pub consumption_bp: i64,
    /// The share of the budget the profile releases through the date, in basis points.
    pub profile_share_bp: i64,
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
    let budget = frame.adjusted_amount(totals)?;
    let consumed = consumed_through(totals, as_of)?;
    let rest_from_leader = Ore::sum(leader.iter().filter(|(month, _)| *month > as_of.month()).map(|(_, a)| *a)).map_err(overflow)?;
    let has_leader_forecast = !leader.is_empty();
    let rest = if has_leader_forecast {
        rest_from_leader
    } else {
        rest_from_commitments
    };
    let expected_result = budget.checked_sub(consumed).and_then(|r| r.checked_sub(rest)).map_err(overflow)?;
    Ok(Status {
        budget,
        consumed,
        rest_from_commitments,
        rest_from_leader,
        has_leader_forecast,
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
}

/// The twelve points of `frame`'s curves: passed months (ending on or before `today`) show what
/// was consumed; later months add the leader's expected accounts and the commitments
/// (`commitments[0]` is January) to it.
pub fn series(
    frame: &Frame,
    totals: &[DayTotal],
    commitments: &[Ore; 12],
    leader: &[(u32, Ore)],
    today: NaiveDate,
) -> Result<Vec<SeriesPoint>, BudgetError> {
    let mut points = Vec::with_capacity(12);
    let (mut leader_forecast, mut commitments_forecast) = (Ore::ZERO, Ore::ZERO);
    for month in 1..=12_u32 {
        let Some(period) = Period::new(frame.year, month) else { continue };
        let end = period.range().last();
        let consumed = consumed_through(totals, end)?;
        if end <= today {
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
        let points = series(&health(), &totals, &commitments, &[(12, Ore::new(5))], day(11, 15)).unwrap();
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
