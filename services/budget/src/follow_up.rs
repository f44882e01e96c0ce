//! Follow-up of a frame at a date (docs/design.md, "Follow-up as of a date"): budget, consumed to date, expected rest of the
//! year from commitments and from the leader's expected accounts, expected result, consumption
//! percentage, and the share of the budget the profile releases through the date. Pure: it reads
//! the running day totals, never the ledger itself, so it costs the same however long the ledger
//! grows.

use afregning_proto::common::v1 as pbc;
use afregning_proto::terms::grant_terms;
use afregning_proto::visitation::v1 as pbv;
use afregning_tariff::money::{basis_points, round_half_away};
use afregning_tariff::pricing::{frame_shares, largest_share, price_days_by, split_by_percent};
use afregning_tariff::{CatalogSet, DateRange, Period, PricingError};
use chrono::{Datelike, NaiveDate};

use crate::store::{FrameRow, source};

/// A frame's figures at a date, all in øre except the basis points.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Status {
    /// The budget after executed reallocations.
    pub budget: i64,
    /// Settlement postings and ERP actuals booked through the date.
    pub consumed: i64,
    /// Active grants priced from the day after the date to year end.
    pub rest_from_commitments: i64,
    /// The leader's expected accounts for the months after the date's month.
    pub rest_from_leader: i64,
    /// Whether the leader has submitted expected accounts.
    pub has_leader_forecast: bool,
    /// budget − consumed − expected rest (the leader's where given); negative is an overrun.
    pub expected_result: i64,
    /// consumed ÷ budget.
    pub consumption_bp: i64,
    /// The share of the budget the profile releases through the date.
    pub profile_share_bp: i64,
}

fn days_in_year(year: i32) -> i64 {
    if NaiveDate::from_ymd_opt(year, 2, 29).is_some() { 366 } else { 365 }
}

/// How much of `frame`'s budget its profile releases through `as_of` (inclusive): even by days,
/// or the monthly amounts with the current month pro rata by day.
pub fn released_through(frame: &FrameRow, profile: &[i64], as_of: NaiveDate) -> i64 {
    let year = i32::try_from(frame.year).unwrap_or_default();
    if as_of.year() < year {
        return 0;
    }
    if as_of.year() > year {
        return frame.amount_ore;
    }
    if profile.len() != 12 {
        let elapsed = i64::from(as_of.ordinal());
        return round_half_away(i128::from(frame.amount_ore) * i128::from(elapsed), i128::from(days_in_year(year))).unwrap_or(0);
    }
    let month = as_of.month0() as usize;
    let before: i64 = profile[..month].iter().sum();
    let days_in_month = afregning_tariff::Period::containing(as_of).range().days();
    before + round_half_away(i128::from(profile[month]) * i128::from(as_of.day()), i128::from(days_in_month)).unwrap_or(0)
}

/// What `frame` is committed to by `grants` in each month of `from`'s year (index 0 is January),
/// counting the days from `from` to year end: each grant priced forward by the rules its statements
/// would follow if nothing changed (a line per month and run of days, rounded once; activity by
/// its visited minutes at the weekday day rate), shared between providers and split across frames
/// exactly as its postings would be. A grant that cannot be priced (no catalog for the days, say)
/// commits nothing and is logged.
pub fn commitments_by_month(frame: &str, grants: &[pbv::Grant], from: NaiveDate, catalogs: &CatalogSet) -> [i64; 12] {
    let mut months = [0_i64; 12];
    for grant in grants {
        match grant_commitments(frame, grant, from, catalogs) {
            Ok(by_month) => {
                for (total, amount) in months.iter_mut().zip(by_month) {
                    *total = total.saturating_add(amount);
                }
            }
            Err(e) => tracing::warn!(grant_id = %grant.grant_id, error = %e, "grant left out of commitments"),
        }
    }
    months
}

/// One grant's part of [`commitments_by_month`].
fn grant_commitments(frame: &str, grant: &pbv::Grant, from: NaiveDate, catalogs: &CatalogSet) -> Result<[i64; 12], PricingError> {
    let mut months = [0_i64; 12];
    let terms = match grant_terms(grant) {
        Ok(terms) => terms,
        Err(_) => return Ok(months),
    };
    let providers: Vec<(String, u32)> = grant
        .terms
        .iter()
        .flat_map(|t| &t.providers)
        .map(|p| (p.provider_id.clone(), p.share_percent))
        .collect();
    let lead = grant
        .terms
        .as_ref()
        .and_then(|t| t.providers.iter().position(|p| p.lead))
        .unwrap_or(0);
    let with_each = grant
        .terms
        .as_ref()
        .is_some_and(|t| t.settle_mode == pbc::SettleMode::WithEach as i32);
    for (i, month) in (from.month()..=12).enumerate() {
        let Some(period) = Period::new(from.year(), month) else { continue };
        let days = if i == 0 {
            DateRange::new(from, period.range().last()).unwrap_or(period.range())
        } else {
            period.range()
        };
        for (line, ()) in price_days_by(days, catalogs, |_| Some((&terms, ())))? {
            let Some(catalog) = catalogs.by_version(&line.explanation.catalog_version) else {
                continue;
            };
            let parts = if with_each && !providers.is_empty() {
                split_by_percent(line.amount, &providers, lead)?
                    .into_iter()
                    .map(|(_, ore)| ore)
                    .collect()
            } else {
                vec![line.amount]
            };
            let shares = frame_shares(&terms.unit, &grant.paying_frame, catalog);
            for part in parts {
                for (f, ore) in split_by_percent(part, &shares, largest_share(&shares))? {
                    if f == frame {
                        let slot = &mut months[month as usize - 1];
                        *slot = slot
                            .checked_add(ore.get())
                            .ok_or(PricingError::Money(afregning_tariff::money::MoneyError::Overflow))?;
                    }
                }
            }
        }
    }
    Ok(months)
}

/// The sum of `amounts`, or `None` when it does not fit in 64 bits.
fn checked_sum(mut amounts: impl Iterator<Item = i64>) -> Option<i64> {
    amounts.try_fold(0_i64, i64::checked_add)
}

/// The status of `frame` at `as_of` from its running day totals `(day, source, øre)`, its
/// commitments after the date ([`commitments_by_month`]), and the leader's expected accounts
/// `(month, øre)`; `None` when a figure would not fit in 64 bits (every sum is checked).
pub fn status(
    frame: &FrameRow,
    profile: &[i64],
    totals: &[(String, i64, i64)],
    rest_from_commitments: i64,
    leader: &[(i64, i64)],
    as_of: NaiveDate,
) -> Option<Status> {
    let through = as_of.to_string();
    let reallocated = checked_sum(totals.iter().filter(|(_, s, _)| *s == source::REALLOCATION).map(|(_, _, a)| *a))?;
    let consumed = checked_sum(
        totals
            .iter()
            .filter(|(day, s, _)| *s != source::REALLOCATION && day.as_str() <= through.as_str())
            .map(|(_, _, a)| *a),
    )?;
    let budget = frame.amount_ore.checked_add(reallocated)?;
    let rest_from_leader = checked_sum(
        leader
            .iter()
            .filter(|(month, _)| *month > i64::from(as_of.month()))
            .map(|(_, a)| *a),
    )?;
    let has_leader_forecast = !leader.is_empty();
    let rest = if has_leader_forecast {
        rest_from_leader
    } else {
        rest_from_commitments
    };
    Some(Status {
        budget,
        consumed,
        rest_from_commitments,
        rest_from_leader,
        has_leader_forecast,
        expected_result: budget.checked_sub(consumed)?.checked_sub(rest)?,
        consumption_bp: basis_points(consumed, budget),
        profile_share_bp: basis_points(released_through(frame, profile, as_of), frame.amount_ore),
    })
}
