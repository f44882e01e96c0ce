//! Follow-up of a frame at a date (DESIGN.md §6): budget, consumed to date, expected rest of the
//! year from commitments and from the leader's expected accounts, expected result, consumption
//! percentage, and the share of the budget the profile releases through the date. Pure: it reads
//! the running day totals, never the ledger itself, so it costs the same however long the ledger
//! grows.

use afregning_proto::visitation::v1 as pbv;
use afregning_tariff::money::{basis_points, round_half_away};
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

/// Commitments of `grants` paid by the frame: each active grant's expected weekly cost for its
/// days from the day after `as_of` to the end of the year (or its end), rounded once per grant.
pub fn commitments(grants: &[pbv::Grant], as_of: NaiveDate) -> i64 {
    let Some(year_end) = NaiveDate::from_ymd_opt(as_of.year(), 12, 31) else {
        return 0;
    };
    let Some(from) = as_of.succ_opt() else { return 0 };
    grants
        .iter()
        .map(|g| {
            let validity = g.validity.as_ref();
            let date = |d: Option<&afregning_proto::common::v1::Date>| {
                d.and_then(|d| NaiveDate::from_ymd_opt(d.year, u32::try_from(d.month).ok()?, u32::try_from(d.day).ok()?))
            };
            let start = date(validity.and_then(|v| v.first.as_ref())).unwrap_or(from).max(from);
            let end = date(validity.and_then(|v| v.last.as_ref())).unwrap_or(year_end).min(year_end);
            let days = if end >= start { (end - start).num_days() + 1 } else { 0 };
            if g.status == pbv::GrantStatus::Suspended as i32 {
                return 0;
            }
            round_half_away(i128::from(g.expected_weekly_cost_ore) * i128::from(days), 7).unwrap_or(0)
        })
        .sum()
}

/// The status of `frame` at `as_of` from its running day totals `(day, source, øre)`, its
/// grants, and the leader's expected accounts `(month, øre)`.
pub fn status(
    frame: &FrameRow,
    profile: &[i64],
    totals: &[(String, i64, i64)],
    grants: &[pbv::Grant],
    leader: &[(i64, i64)],
    as_of: NaiveDate,
) -> Status {
    let through = as_of.to_string();
    let reallocated: i64 = totals
        .iter()
        .filter(|(_, s, _)| *s == source::REALLOCATION)
        .map(|(_, _, a)| a)
        .sum();
    let consumed: i64 = totals
        .iter()
        .filter(|(day, s, _)| *s != source::REALLOCATION && day.as_str() <= through.as_str())
        .map(|(_, _, a)| a)
        .sum();
    let budget = frame.amount_ore + reallocated;
    let rest_from_commitments = commitments(grants, as_of);
    let rest_from_leader: i64 = leader
        .iter()
        .filter(|(month, _)| *month > i64::from(as_of.month()))
        .map(|(_, a)| a)
        .sum();
    let has_leader_forecast = !leader.is_empty();
    let rest = if has_leader_forecast {
        rest_from_leader
    } else {
        rest_from_commitments
    };
    Status {
        budget,
        consumed,
        rest_from_commitments,
        rest_from_leader,
        has_leader_forecast,
        expected_result: budget - consumed - rest,
        consumption_bp: basis_points(consumed, budget),
        profile_share_bp: basis_points(released_through(frame, profile, as_of), frame.amount_ore),
    }
}
