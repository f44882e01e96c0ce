//! Prices one provider's period into statement lines, from mirrored grant versions and
//! deliveries, with the tariff library. No I/O: the run feeds it what the store holds.
//!
//! * Activity (services, INDIVIDUAL): the provider's own delivered minutes on the grant, priced
//!   by time band under the grant's latest version.
//! * Packages and courses: each day under the version in force that day, a line running until
//!   the price, the course period or who is paid changes; shared between a course's providers as
//!   the grant says (the lead gets it all and participants' shares are shown, or each its share).

use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pb;
use afregning_proto::visitation::v1 as pbv;
use afregning_tariff::pricing::{PricedLine, frame_shares, largest_share, price_days_by, split_by_percent};
use afregning_tariff::{
    CatalogSet, CoursePeriod, CourseType, DateRange, EndReason, GrantTerms, Level, Ore, Period, PricingError, Suspension, TimeBand, Unit,
    Visit, price_grant,
};
use chrono::{DateTime, NaiveDate, Utc};

use crate::grants::{date_of, version_on};

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
    let t = grant.terms.as_ref().ok_or_else(|| fail(grant, "no terms"))?;
    let unit = match pbc::UnitKind::try_from(t.unit_kind) {
        Ok(pbc::UnitKind::Service) => Unit::Service {
            category: t.service_category.clone(),
        },
        Ok(pbc::UnitKind::Package) => Unit::Package { code: t.package.clone() },
        Ok(pbc::UnitKind::Course) => {
            let c = grant
                .course
                .as_ref()
                .ok_or_else(|| fail(grant, "a course without a course period"))?;
            let course_type = match pbc::CourseType::try_from(c.course_type) {
                Ok(pbc::CourseType::Developing) => CourseType::Developing,
                Ok(pbc::CourseType::Maintaining) => CourseType::Maintaining,
                Ok(pbc::CourseType::Individual) => CourseType::Individual,
                _ => return Err(fail(grant, "unknown course type")),
            };
            let period = c.period.as_ref();
            let first = date_of(period.and_then(|p| p.first.as_ref()));
            let last = date_of(period.and_then(|p| p.last.as_ref()));
            let period = first
                .zip(last)
                .and_then(|(f, l)| DateRange::new(f, l))
                .ok_or_else(|| fail(grant, "no course period"))?;
            Unit::Course(CoursePeriod {
                course_type,
                level: u8::try_from(c.level).ok().and_then(Level::new),
                period,
                follow_up_on: date_of(c.follow_up_on.as_ref()).unwrap_or(period.last()),
                visited_minutes_per_week: t.visited_minutes_per_week,
            })
        }
        _ => return Err(fail(grant, "unknown unit kind")),
    };
    let validity = grant.validity.as_ref();
    Ok(GrantTerms {
        unit,
        visited_minutes_per_week: t.visited_minutes_per_week,
        start: date_of(validity.and_then(|v| v.first.as_ref())).ok_or_else(|| fail(grant, "no start"))?,
        end: date_of(validity.and_then(|v| v.last.as_ref())),
        end_reason: match pbc::EndReason::try_from(grant.end_reason) {
            Ok(pbc::EndReason::GoalMet) => Some(EndReason::GoalMet),
            Ok(pbc::EndReason::Died) => Some(EndReason::Died),
            Ok(pbc::EndReason::Moved) => Some(EndReason::Moved),
            Ok(pbc::EndReason::Other) => Some(EndReason::Other),
            _ => None,
        },
        suspensions: grant
            .suspensions
            .iter()
            .filter_map(|s| {
                Some(Suspension {
                    from: date_of(s.from.as_ref())?,
                    resumed_on: date_of(s.resumed_on.as_ref()),
                })
            })
            .collect(),
    })
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
    let read =
        |grant: &pbv::Grant| -> Result<GrantTerms, EngineError> { recast(terms_of(grant)?, &first_terms).map_err(|e| fail(grant, e)) };
    let range = period.range();
    let latest_terms = read(latest)?;
    if latest_terms.unit.is_activity() {
        let terms = latest_terms;
        let visits: Vec<Visit> = visits
            .iter()
            .filter(|v| v.grant_id == latest.grant_id)
            .map(|v| Visit {
                started_at: v.started_at,
                minutes: v.minutes,
            })
            .collect();
        let priced = price_grant(&terms, &visits, range, catalogs).map_err(|e| fail(latest, e))?;
        return priced
            .lines
            .iter()
            .map(|p| line(latest, &terms, p, p.amount, catalogs, Vec::new()).map_err(|e| fail(latest, e)))
            .collect();
    }
    let all_terms: Vec<(GrantTerms, &pbv::Grant, Allocation)> = versions
        .iter()
        .map(|v| Ok((read(v)?, v, Allocation::of(v))))
        .collect::<Result<_, EngineError>>()?;
    let in_force = |day: NaiveDate| {
        let version = version_on(versions, day)?.version;
        all_terms.iter().find(|(_, v, _)| v.version == version)
    };
    let priced = price_days_by(range, catalogs, |day| in_force(day).map(|(t, _, a)| (t, a.clone()))).map_err(|e| fail(latest, e))?;
    let mut lines = Vec::new();
    for (p, allocation) in priced {
        // A line is explained by the version in force on its last day, which knows most.
        let (terms, grant, _) = in_force(p.covers.last()).ok_or_else(|| fail(latest, "no version in force"))?;
        if let Some((amount, shares)) = allocation.part_of(provider, p.amount).map_err(|e| fail(grant, e))? {
            let mut framed = line(grant, terms, &p, amount, catalogs, shares).map_err(|e| fail(grant, e))?;
            framed.line.share_percent = allocation.share_percent(provider);
            lines.push(framed);
        }
    }
    Ok(lines)
}
