//! Prices one provider's period into statement lines, from mirrored grant versions and
//! deliveries, with the tariff library. No I/O: the run feeds it what the store holds.
//!
//! Every day is priced under the grant version in force that day (docs/design.md, "Lines and grant versions"):
//! * Activity (services, INDIVIDUAL): the provider's own delivered minutes on the grant, priced
//!   by time band under the version in force on the day each visit started.
//! * Packages, courses and visited-basis activity: a line per run of days under one version at
//!   one price from one catalog; shared between a course's providers as the version says (the
//!   lead gets it all and participants' shares are shown, or each its share).

use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pb;
use afregning_proto::visitation::v1 as pbv;
use afregning_tariff::catalog::ActivityBasis;
use afregning_tariff::pricing::{PricedLine, frame_shares, largest_share, price_days_by, price_delivered, split_by_percent};
use afregning_tariff::{CatalogSet, DateRange, GrantTerms, Ore, Period, PricingError, TimeBand, Visit};
use chrono::{DateTime, NaiveDate, Utc};

use crate::grants::version_on;

/// Why a grant could not be priced: the grant and what is wrong with it.
#[derive(Debug, thiserror::Error)]
#[error("grant {grant_id}: {reason}")]
pub struct EngineError {
    /// The grant.
    pub grant_id: String,
    /// What is wrong.
    pub reason: String,
}

fn fail(grant: &pbv::Grant, reason: impl ToString) -> EngineError {
    EngineError {
        grant_id: grant.grant_id.clone(),
        reason: reason.to_string(),
    }
}

/// The tariff's view of one grant version.
pub fn terms_of(grant: &pbv::Grant) -> Result<GrantTerms, EngineError> {
    afregning_proto::terms::grant_terms(grant).map_err(|reason| fail(grant, reason))
}

/// Who is paid for a day-priced line: the settle mode and the shares, as one grant version says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    /// Each provider gets its share (otherwise the lead gets the whole line).
    pub with_each: bool,
    /// Provider, whole percent, lead.
    pub shares: Vec<(String, u32, bool)>,
}

impl Allocation {
    fn of(grant: &pbv::Grant) -> Allocation {
        let terms = grant.terms.as_ref();
        Allocation {
            with_each: terms.is_some_and(|t| t.settle_mode == pbc::SettleMode::WithEach as i32),
            shares: terms
                .map(|t| {
                    t.providers
                        .iter()
                        .map(|p| (p.provider_id.clone(), p.share_percent, p.lead))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The provider's share of a whole line, in percent.
    fn share_percent(&self, provider: &str) -> u32 {
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
    fn part_of(&self, provider: &str, amount: Ore) -> Result<Option<(Ore, Vec<pb::ParticipantShare>)>, PricingError> {
        let lead = self.shares.iter().position(|(_, _, lead)| *lead).unwrap_or(0);
        let parts: Vec<(String, u32)> = self.shares.iter().map(|(p, percent, _)| (p.clone(), *percent)).collect();
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
                .map(|((provider_id, ore), (_, percent, _))| pb::ParticipantShare {
                    provider_id,
                    share_percent: *percent,
                    amount_ore: ore.get(),
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(Some((amount, info)))
    }
}

/// One delivered visit of the provider on a grant.
pub struct DeliveredVisit {
    /// The grant.
    pub grant_id: String,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// Minutes delivered.
    pub minutes: u32,
}

fn band(band: Option<TimeBand>) -> i32 {
    (match band {
        Some(TimeBand::Day) => pbc::TimeBand::Day,
        Some(TimeBand::Evening) => pbc::TimeBand::Evening,
        Some(TimeBand::Night) => pbc::TimeBand::Night,
        Some(TimeBand::WeekendHoliday) => pbc::TimeBand::WeekendHoliday,
        None => pbc::TimeBand::Unspecified,
    }) as i32
}

/// What one frame pays of a line.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FramePart {
    /// The frame that pays.
    pub paying_frame: String,
    /// The frame that owns the need.
    pub need_frame: String,
    /// The paying frame's account.
    pub account: String,
    /// Øre.
    pub amount_ore: i64,
}

/// A statement line with the frames that pay it.
#[derive(Clone, Debug, PartialEq)]
pub struct FramedLine {
    /// The line as the provider sees it.
    pub line: pb::StatementLine,
    /// Paying frame, the need frame of that part, the paying frame's account, and the part of
    /// the amount; the parts add up to the line (a course type's catalog split, the largest share
    /// absorbing the rounding remainder). A part is a cross-frame purchase only when the grant
    /// is one: a course's own split across frames is not.
    pub frames: Vec<FramePart>,
}

/// A regular statement line from a priced line of a grant version.
fn line(
    grant: &pbv::Grant,
    terms: &GrantTerms,
    priced: &PricedLine,
    amount: Ore,
    catalogs: &CatalogSet,
    shares: Vec<pb::ParticipantShare>,
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
        amount_ore: ore.get(),
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
    let account = frame_account(&grant.paying_frame);
    let mut text = priced.explanation.text.clone();
    if amount != priced.amount {
        text.push_str(&format!("; this provider's share of {}", priced.amount));
    }
    let line = pb::StatementLine {
        kind: pb::LineKind::Regular as i32,
        citizen_id: grant.citizen_id.clone(),
        grant_id: grant.grant_id.clone(),
        grant_version: grant.version,
        unit_kind: grant.terms.as_ref().map(|t| t.unit_kind).unwrap_or_default(),
        unit: terms.unit.code(),
        covers: Some(pbc::DateRange {
            first: Some(pbc::Date::from(priced.covers.first())),
            last: Some(pbc::Date::from(priced.covers.last())),
        }),
        time_band: band(priced.band),
        amount_ore: amount.get(),
        explanation: Some(pbc::LineExplanation {
            rule: priced.explanation.rule.code().to_owned(),
            catalog_version: priced.explanation.catalog_version.clone(),
            rate_ore: priced.explanation.rate.get(),
            quantity: i64::try_from(priced.explanation.quantity).unwrap_or(i64::MAX),
            quantity_unit: priced.explanation.quantity_unit.code().to_owned(),
            text,
        }),
        paying_frame: grant.paying_frame.clone(),
        need_frame: grant.need_frame.clone(),
        account,
        participant_shares: shares,
        share_percent: 100,
        ..Default::default()
    };
    Ok(FramedLine { line, frames })
}

/// The provider's regular lines for `period` from one grant's versions and the provider's
/// deliveries on it. Lines are in date order, then band order.
pub fn price_grant_for_provider(
    provider: &str,
    versions: &[pbv::Grant],
    visits: &[DeliveredVisit],
    period: Period,
    catalogs: &CatalogSet,
) -> Result<Vec<FramedLine>, EngineError> {
    price_grant_for_provider_as(provider, versions, visits, period, catalogs, &|terms, _| Ok(terms))
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
    provider: &str,
    versions: &[pbv::Grant],
    visits: &[DeliveredVisit],
    period: Period,
    catalogs: &CatalogSet,
    recast: &Recast<'_>,
) -> Result<Vec<FramedLine>, EngineError> {
    let (Some(latest), Some(first)) = (versions.iter().max_by_key(|g| g.version), versions.iter().min_by_key(|g| g.version)) else {
        return Ok(Vec::new());
    };
    let first_terms = terms_of(first)?;
    let all_terms: Vec<(GrantTerms, &pbv::Grant, Allocation)> = versions
        .iter()
        .map(|v| Ok((recast(terms_of(v)?, &first_terms).map_err(|e| fail(v, e))?, v, Allocation::of(v))))
        .collect::<Result<_, EngineError>>()?;
    let by_version = |version: u32| all_terms.iter().find(|(_, v, _)| v.version == version);
    let in_force = |day: NaiveDate| by_version(version_on(versions, day)?.version);
    // Activity is paid by delivered minutes unless the catalog of the day pays visited minutes.
    let delivered = |day: NaiveDate, terms: &GrantTerms| {
        terms.unit.is_activity() && catalogs.in_force(day).is_none_or(|c| c.activity_basis == ActivityBasis::Delivered)
    };
    let range = period.range();
    let mut lines = Vec::new();
    let priced = price_days_by(range, catalogs, |day| match in_force(day) {
        Some((terms, grant, allocation)) if !delivered(day, terms) => Some((terms, (grant.version, allocation.clone()))),
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
    for (days, version) in delivered_runs(range, |day| {
        in_force(day).filter(|(t, _, _)| delivered(day, t)).map(|(_, g, _)| g.version)
    }) {
        let (terms, grant, _) = by_version(version).ok_or_else(|| fail(latest, "no version in force"))?;
        let own: Vec<Visit> = visits
            .iter()
            .filter(|v| v.grant_id == grant.grant_id)
            .map(|v| Visit {
                started_at: v.started_at,
                minutes: v.minutes,
            })
            .collect();
        let priced = price_delivered(terms, &own, days, catalogs).map_err(|e| fail(grant, e))?;
        for p in &priced.lines {
            lines.push(line(grant, terms, p, p.amount, catalogs, Vec::new()).map_err(|e| fail(grant, e))?);
        }
    }
    Ok(lines)
}

/// The runs of consecutive days of `range` that one version pays by delivered minutes.
fn delivered_runs(range: DateRange, version_on: impl Fn(NaiveDate) -> Option<u32>) -> Vec<(DateRange, u32)> {
    let mut runs: Vec<(DateRange, u32)> = Vec::new();
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
