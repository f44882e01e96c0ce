//! Prices one provider's month of one grant into statement lines, from the grant's mirrored
//! versions and the provider's delivered visits, with the tariff library. No I/O.
//!
//! Every day is priced under the grant version in force that day (docs/design.md, "Lines and grant versions"):
//! * Activity (services, INDIVIDUAL): the provider's own delivered minutes on the grant, priced
//!   by time band under the version in force on the day each visit started.
//! * Packages, courses and visited-basis activity: a line per run of days under one version at
//!   one price from one catalog; shared between a course's providers as the version says (the
//!   lead gets it all and participants' shares are shown, or each its share).

use std::collections::HashMap;

use afregning_tariff::catalog::PayBasis;
use afregning_tariff::pricing::{
    PricedLine, frame_shares, largest_share, price_days_by, price_delivered, price_delivered_capped, split_by_percent,
};
use afregning_tariff::{CatalogSet, DateRange, GrantTerms, Ore, Period, PricingError, Visit};
use chrono::{DateTime, NaiveDate, Utc};

use super::delivery::Delivery;
use super::grant::{GrantVersion, version_on};
use super::ids::{GrantId, ProviderId};
use super::line::{Explanation, FramePart, FramedLine, LineKind, ParticipantShare, StatementLine};

/// Why a grant could not be priced: the grant and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("grant {grant_id}: {reason}")]
pub struct PriceError {
    /// The grant.
    pub grant_id: GrantId,
    /// What is wrong.
    pub reason: String,
}

fn fail(grant: &GrantVersion, reason: impl ToString) -> PriceError {
    PriceError {
        grant_id: grant.grant_id.clone(),
        reason: reason.to_string(),
    }
}

/// The tariff's view of one grant version.
pub fn terms_of(grant: &GrantVersion) -> Result<GrantTerms, PriceError> {
    grant.terms.clone().map_err(|reason| fail(grant, reason))
}

/// Who is paid for a day-priced line: the settle mode and the shares, as one grant version says.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Allocation {
    /// Each provider gets its share (otherwise the lead gets the whole line).
    with_each: bool,
    /// Provider, whole percent, lead.
    shares: Vec<(ProviderId, u32, bool)>,
}

impl Allocation {
    fn of(grant: &GrantVersion) -> Allocation {
        Allocation {
            with_each: grant.settle_with_each,
            shares: grant
                .providers
                .iter()
                .map(|p| (p.provider_id.clone(), p.share_percent, p.lead))
                .collect(),
        }
    }

    /// The provider's share of a whole line, in percent.
    fn share_percent(&self, provider: &ProviderId) -> u32 {
        if !self.with_each {
            return 100;
        }
        self.shares
            .iter()
            .find(|(p, _, _)| p == provider)
            .map(|(_, percent, _)| *percent)
            .unwrap_or(0)
    }

    /// The provider's part of `amount` and, when the lead is paid for everyone, the participants'
    /// shares for information. `None` when the provider gets nothing of it.
    fn part_of(&self, provider: &ProviderId, amount: Ore) -> Result<Option<(Ore, Vec<ParticipantShare>)>, PricingError> {
        let lead = self.shares.iter().position(|(_, _, lead)| *lead).unwrap_or(0);
        let parts: Vec<(ProviderId, u32)> = self.shares.iter().map(|(p, percent, _)| (p.clone(), *percent)).collect();
        let split = split_by_percent(amount, &parts, lead)?;
        if self.with_each {
            return Ok(split.into_iter().find(|(p, _)| p == provider).map(|(_, ore)| (ore, Vec::new())));
        }
        if self.shares.get(lead).is_none_or(|(p, _, _)| p != provider) {
            return Ok(None);
        }
        let info = if self.shares.len() > 1 {
            split
                .into_iter()
                .zip(&self.shares)
                .map(|((provider_id, ore), (_, percent, _))| ParticipantShare {
                    provider_id,
                    share_percent: *percent,
                    amount_ore: ore,
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(Some((amount, info)))
    }
}

/// One delivered visit of the provider on a grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveredVisit {
    /// The grant.
    pub grant_id: GrantId,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// Minutes delivered.
    pub minutes: u32,
}

/// Stored deliveries as the pricing reads them, by grant: each grant is priced with its own
/// visits, not by searching all of the provider's.
#[derive(Default)]
pub struct VisitsByGrant(HashMap<GrantId, Vec<DeliveredVisit>>);

impl VisitsByGrant {
    /// Groups `deliveries`.
    pub fn of(deliveries: &[Delivery]) -> VisitsByGrant {
        let mut by_grant: HashMap<GrantId, Vec<DeliveredVisit>> = HashMap::new();
        for d in deliveries {
            by_grant.entry(d.grant_id.clone()).or_default().push(DeliveredVisit {
                grant_id: d.grant_id.clone(),
                started_at: d.started_at,
                minutes: d.minutes,
            });
        }
        VisitsByGrant(by_grant)
    }

    /// The visits on the grant whose versions these are.
    pub fn of_grant(&self, versions: &[GrantVersion]) -> &[DeliveredVisit] {
        versions
            .first()
            .and_then(|v| self.0.get(&v.grant_id))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

/// A regular statement line from a priced line of a grant version.
fn line(
    grant: &GrantVersion,
    terms: &GrantTerms,
    priced: &PricedLine,
    amount: Ore,
    catalogs: &CatalogSet,
    shares: Vec<ParticipantShare>,
) -> Result<FramedLine, PricingError> {
    let catalog = catalogs.by_version(&priced.explanation.catalog_version);
    let frame_account = |frame: &str| {
        catalog
            .and_then(|c| c.frames.get(frame))
            .map(|f| f.account.clone())
            .unwrap_or_default()
    };
    let cross_frame = grant.paying_frame != grant.need_frame;
    let part = |frame: String, ore: Ore| FramePart {
        need_frame: if cross_frame { grant.need_frame.clone() } else { frame.clone() },
        account: frame_account(&frame),
        paying_frame: frame,
        amount_ore: ore,
    };
    let frames = match catalog {
        Some(catalog) => {
            let shares = frame_shares(&terms.unit, &grant.paying_frame, catalog);
            split_by_percent(amount, &shares, largest_share(&shares))?
                .into_iter()
                .map(|(frame, ore)| part(frame, ore))
                .collect()
        }
        None => vec![part(grant.paying_frame.clone(), amount)],
    };
    let mut text = priced.explanation.text.clone();
    if amount != priced.amount {
        text.push_str(&format!("; denne leverandørs andel af {} kr.", priced.amount.to_danish()));
    }
    let line = StatementLine {
        line_id: Default::default(),
        statement_id: Default::default(),
        line_no: 0,
        kind: LineKind::Regular,
        citizen_id: grant.citizen_id.clone(),
        cpr: None,
        grant_id: grant.grant_id.clone(),
        grant_version: grant.version,
        unit_kind: grant.unit_kind,
        unit: terms.unit.code(),
        covers: priced.covers,
        time_band: priced.band,
        amount_ore: amount,
        explanation: Explanation {
            rule: priced.explanation.rule.code().to_owned(),
            catalog_version: priced.explanation.catalog_version.clone(),
            rate_ore: priced.explanation.rate,
            quantity: i64::try_from(priced.explanation.quantity).unwrap_or(i64::MAX),
            quantity_unit: priced.explanation.quantity_unit.code().to_owned(),
            text,
        },
        paying_frame: grant.paying_frame.clone(),
        need_frame: grant.need_frame.clone(),
        account: frame_account(&grant.paying_frame),
        participant_shares: shares,
        corrects_line_id: None,
        share_percent: 100,
        period: None,
    };
    Ok(FramedLine { line, frames })
}

/// The provider's regular lines for `period` from one grant's versions and the provider's
/// deliveries on it. Lines are in date order, then band order.
pub fn price_grant_for_provider(
    provider: &str,
    versions: &[GrantVersion],
    visits: &[DeliveredVisit],
    period: Period,
    catalogs: &CatalogSet,
) -> Result<Vec<FramedLine>, PriceError> {
    price_grant_for_provider_as(&ProviderId::new(provider), versions, visits, period, catalogs, &|terms, _| {
        Ok(terms)
    })
}

/// How a steering model reads a grant version's terms, given the grant's first version.
pub type Recast<'r> = dyn Fn(GrantTerms, &GrantTerms) -> Result<GrantTerms, PricingError> + 'r;

/// [`price_grant_for_provider`] with each version's terms read through `recast` first: the
/// steering models price the same grants under other units.
///
/// Each day is priced by the version in force that day, with that version's own unit, pay basis,
/// level and course period: a revisit from 11 May changes nothing before 11 May. Day-priced lines
/// (packages, courses, activity on the visited basis) break at every version, so each line names
/// exactly one grant version and one catalog version. Delivered minutes are priced per run of days
/// under one activity version, each visit by the version in force on the day it started.
pub fn price_grant_for_provider_as(
    provider: &ProviderId,
    versions: &[GrantVersion],
    visits: &[DeliveredVisit],
    period: Period,
    catalogs: &CatalogSet,
    recast: &Recast<'_>,
) -> Result<Vec<FramedLine>, PriceError> {
    let (Some(latest), Some(first)) = (versions.iter().max_by_key(|g| g.version), versions.iter().min_by_key(|g| g.version)) else {
        return Ok(Vec::new());
    };
    let first_terms = terms_of(first)?;
    let all_terms: Vec<(GrantTerms, &GrantVersion, Allocation)> = versions
        .iter()
        .map(|v| Ok((recast(terms_of(v)?, &first_terms).map_err(|e| fail(v, e))?, v, Allocation::of(v))))
        .collect::<Result<_, PriceError>>()?;
    let by_version = |version: u32| all_terms.iter().find(|(_, v, _)| v.version == version);
    let in_force = |day: NaiveDate| by_version(version_on(versions, day)?.version);
    // Activity is paid by delivered minutes (capped or not: `Some(capped)`) unless the catalog of
    // the day pays the unit by visited minutes.
    let delivered = |day: NaiveDate, terms: &GrantTerms| {
        if !terms.unit.is_activity() {
            return None;
        }
        match catalogs.in_force(day).map(|c| terms.unit.pay_basis(c)) {
            None | Some(PayBasis::Delivered) => Some(false),
            Some(PayBasis::DeliveredCapped(_)) => Some(true),
            Some(PayBasis::Visited) => None,
        }
    };
    let range = period.range();
    let mut lines = Vec::new();
    let priced = price_days_by(range, catalogs, |day| match in_force(day) {
        Some((terms, grant, allocation)) if delivered(day, terms).is_none() => Some((terms, (grant.version, allocation.clone()))),
        _ => None,
    })
    .map_err(|e| fail(latest, e))?;
    for (p, (version, allocation)) in priced {
        let (terms, grant, _) = by_version(version).ok_or_else(|| fail(latest, "no version in force"))?;
        if let Some((amount, shares)) = allocation.part_of(provider, p.amount).map_err(|e| fail(grant, e))? {
            let mut framed = line(grant, terms, &p, amount, catalogs, shares).map_err(|e| fail(grant, e))?;
            framed.line.share_percent = allocation.share_percent(provider);
            lines.push(framed);
        }
    }
    for (days, (version, capped)) in delivered_runs(range, |day| {
        in_force(day).and_then(|(t, g, _)| Some((g.version, delivered(day, t)?)))
    }) {
        let (terms, grant, _) = by_version(version).ok_or_else(|| fail(latest, "no version in force"))?;
        let own = visits_of(grant, visits);
        let priced = if capped {
            price_delivered_capped(terms, &own, days, catalogs)
        } else {
            price_delivered(terms, &own, days, catalogs)
        }
        .map_err(|e| fail(grant, e))?;
        for p in &priced.lines {
            lines.push(line(grant, terms, p, p.amount, catalogs, Vec::new()).map_err(|e| fail(grant, e))?);
        }
    }
    Ok(lines)
}

/// The provider's visited and delivered minutes on one grant in `period`, for the review
/// (docs/design.md §5b): each run of days under one activity version held against that version's
/// visited time, the visited minutes being the provider's part ([`GrantVersion::visited_share`]).
/// `None` when no day of the period is under an activity version.
pub fn time_on_grant(
    provider: &ProviderId,
    versions: &[GrantVersion],
    visits: &[DeliveredVisit],
    period: Period,
    catalogs: &CatalogSet,
) -> Result<Option<(u64, u64)>, PriceError> {
    let runs = delivered_runs(period.range(), |day| {
        version_on(versions, day).filter(|v| v.is_activity()).map(|v| v.version)
    });
    if runs.is_empty() {
        return Ok(None);
    }
    let (mut visited, mut delivered) = (0_u64, 0_u64);
    for (days, version) in runs {
        let Some(grant) = versions.iter().find(|v| v.version == version) else {
            continue;
        };
        let terms = terms_of(grant)?;
        let own = visits_of(grant, visits);
        let (v, d) = afregning_tariff::pricing::visited_and_delivered(&terms, &own, days, catalogs).map_err(|e| fail(grant, e))?;
        let share = v
            .checked_mul(u64::from(grant.visited_share(provider)))
            .map(|m| m / 100)
            .ok_or_else(|| fail(grant, "visited minutes out of range"))?;
        visited = visited
            .checked_add(share)
            .ok_or_else(|| fail(grant, "visited minutes out of range"))?;
        delivered = delivered
            .checked_add(d)
            .ok_or_else(|| fail(grant, "delivered minutes out of range"))?;
    }
    Ok(Some((visited, delivered)))
}

/// The tariff's visits of `grant` among `visits`.
fn visits_of(grant: &GrantVersion, visits: &[DeliveredVisit]) -> Vec<Visit> {
    visits
        .iter()
        .filter(|v| v.grant_id == grant.grant_id)
        .map(|v| Visit {
            started_at: v.started_at,
            minutes: v.minutes,
        })
        .collect()
}

/// The runs of consecutive days of `range` that one version pays by delivered minutes on one
/// basis (`K`: the version, and whether capped).
fn delivered_runs<K: PartialEq>(range: DateRange, version_on: impl Fn(NaiveDate) -> Option<K>) -> Vec<(DateRange, K)> {
    let mut runs: Vec<(DateRange, K)> = Vec::new();
    for day in range.iter_days() {
        let Some(version) = version_on(day) else { continue };
        match runs.last_mut() {
            Some((days, v)) if *v == version && days.last().succ_opt() == Some(day) => {
                *days = DateRange::new(days.first(), day).expect("extending forwards");
            }
            _ => runs.push((DateRange::day(day), version)),
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::grant::tests::version;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    #[test]
    fn delivered_runs_break_at_gaps_and_versions() {
        let april = Period::new(2026, 4).unwrap().range();
        let runs = delivered_runs(april, |d| match d.day() {
            1..=10 => Some(1),
            11..=12 => None,
            _ => Some(2),
        });
        use chrono::Datelike as _;
        assert_eq!(
            runs,
            vec![
                (DateRange::new(day(4, 1), day(4, 10)).unwrap(), 1),
                (DateRange::new(day(4, 13), day(4, 30)).unwrap(), 2)
            ]
        );
    }

    #[test]
    fn a_lead_is_paid_the_whole_line_and_shows_the_shares() {
        let nord = ProviderId::new("nord");
        let syd = ProviderId::new("syd");
        let allocation = Allocation {
            with_each: false,
            shares: vec![(nord.clone(), 60, true), (syd.clone(), 40, false)],
        };
        let (amount, shares) = allocation.part_of(&nord, Ore::new(1_001)).unwrap().unwrap();
        assert_eq!(amount, Ore::new(1_001));
        assert_eq!(shares.iter().map(|s| s.amount_ore.get()).sum::<i64>(), 1_001);
        assert!(allocation.part_of(&syd, Ore::new(1_001)).unwrap().is_none());
        let each = Allocation {
            with_each: true,
            ..allocation
        };
        assert_eq!(each.share_percent(&syd), 40);
        assert_eq!(each.part_of(&syd, Ore::new(1_000)).unwrap().map(|(a, _)| a), Some(Ore::new(400)));
    }

    #[test]
    fn a_version_without_terms_names_its_grant() {
        let versions = [version(1, day(3, 1), None, false)];
        let catalogs = CatalogSet::default();
        let error = price_grant_for_provider("nord", &versions, &[], Period::new(2026, 4).unwrap(), &catalogs).unwrap_err();
        assert_eq!(error.to_string(), "grant g1: not priced in these tests");
    }
}
