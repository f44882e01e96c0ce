//! Wire ↔ domain conversions for visitation: dates, enums, grants, providers, paging and request
//! keys. Parsing returns field violations named by proto path.

pub use afregning_kit::clock::today;
use afregning_kit::{ApiError, Violations};
use afregning_proto::common::v1 as pbc;
use afregning_proto::visitation::v1 as pb;
use afregning_tariff::{CourseType, EndReason};
use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::{Change, Grant, Provider, SettleMode, Share, Status, UnitKind};

pub use afregning_kit::paging::{next_token, page};

/// A required date.
pub fn date(value: Option<&pbc::Date>, field: &str) -> Result<NaiveDate, ApiError> {
    opt_date(value, field)?.ok_or_else(|| ApiError::invalid(field, "required"))
}

/// An optional date; present but impossible is an error.
pub fn opt_date(value: Option<&pbc::Date>, field: &str) -> Result<Option<NaiveDate>, ApiError> {
    match value {
        None => Ok(None),
        Some(d) => u32::try_from(d.month)
            .ok()
            .zip(u32::try_from(d.day).ok())
            .filter(|_| (1900..=9999).contains(&d.year))
            .and_then(|(m, day)| NaiveDate::from_ymd_opt(d.year, m, day))
            .map(Some)
            .ok_or_else(|| ApiError::invalid(field, "not a real date")),
    }
}

/// An instant on the wire.
pub fn timestamp(at: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: at.timestamp(),
        nanos: at.timestamp_subsec_nanos() as i32,
    }
}

/// An RFC 3339 text on the wire (as stored).
pub fn timestamp_text(text: &str) -> Option<prost_types::Timestamp> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| timestamp(t.with_timezone(&Utc)))
}

/// A course type from the wire.
pub fn course_type(value: i32) -> Option<CourseType> {
    match pbc::CourseType::try_from(value).ok()? {
        pbc::CourseType::Developing => Some(CourseType::Developing),
        pbc::CourseType::Maintaining => Some(CourseType::Maintaining),
        pbc::CourseType::Individual => Some(CourseType::Individual),
        pbc::CourseType::Unspecified => None,
    }
}

pub(crate) fn pb_course_type(value: CourseType) -> pbc::CourseType {
    match value {
        CourseType::Developing => pbc::CourseType::Developing,
        CourseType::Maintaining => pbc::CourseType::Maintaining,
        CourseType::Individual => pbc::CourseType::Individual,
    }
}

/// An end reason from the wire.
pub fn end_reason(value: i32) -> Option<EndReason> {
    match pbc::EndReason::try_from(value).ok()? {
        pbc::EndReason::GoalMet => Some(EndReason::GoalMet),
        pbc::EndReason::Died => Some(EndReason::Died),
        pbc::EndReason::Moved => Some(EndReason::Moved),
        pbc::EndReason::Other => Some(EndReason::Other),
        pbc::EndReason::Unspecified => None,
    }
}

fn pb_end_reason(value: EndReason) -> pbc::EndReason {
    match value {
        EndReason::GoalMet => pbc::EndReason::GoalMet,
        EndReason::Died => pbc::EndReason::Died,
        EndReason::Moved => pbc::EndReason::Moved,
        EndReason::Other => pbc::EndReason::Other,
    }
}

/// Provider shares from the wire, checked for form: at least one, unique, exactly one lead, whole
/// percentages adding up to 100 (a single provider's 0 means 100).
pub fn shares(providers: &[pbc::ProviderShare], field: &str, v: &mut Violations) -> Vec<Share> {
    if providers.is_empty() {
        v.add(field, "at least one provider, the lead, is required");
        return Vec::new();
    }
    if providers.len() > 20 {
        v.add(field, "at most 20 providers");
        return Vec::new();
    }
    let single = providers.len() == 1;
    let shares: Vec<Share> = providers
        .iter()
        .map(|p| Share {
            provider_id: p.provider_id.clone(),
            share_percent: if single && p.share_percent == 0 { 100 } else { p.share_percent },
            lead: p.lead || single,
        })
        .collect();
    for (i, s) in shares.iter().enumerate() {
        v.check(
            !s.provider_id.is_empty() && s.provider_id.len() <= 64,
            &format!("{field}[{i}].provider_id"),
            "required, at most 64 characters",
        );
        v.check(
            (1..=100).contains(&s.share_percent),
            &format!("{field}[{i}].share_percent"),
            "whole percent 1–100",
        );
        if shares[..i].iter().any(|o| o.provider_id == s.provider_id) {
            v.add(format!("{field}[{i}].provider_id"), "named twice");
        }
    }
    v.check(shares.iter().filter(|s| s.lead).count() == 1, field, "exactly one lead provider");
    v.check(
        // Summed wide: each share is checked above, but a caller can send u32::MAX.
        shares.iter().map(|s| u64::from(s.share_percent)).sum::<u64>() == 100,
        field,
        "shares must add up to 100",
    );
    shares
}

/// A unit kind from the wire.
pub fn unit_kind(value: i32) -> Option<UnitKind> {
    match pbc::UnitKind::try_from(value).ok()? {
        pbc::UnitKind::Service => Some(UnitKind::Service),
        pbc::UnitKind::Package => Some(UnitKind::Package),
        pbc::UnitKind::Course => Some(UnitKind::Course),
        pbc::UnitKind::Unspecified => None,
    }
}

/// A settle mode from the wire.
pub fn settle_mode(value: i32) -> Option<SettleMode> {
    match pbc::SettleMode::try_from(value).ok()? {
        pbc::SettleMode::WithLead => Some(SettleMode::WithLead),
        pbc::SettleMode::WithEach => Some(SettleMode::WithEach),
        pbc::SettleMode::Unspecified => None,
    }
}

/// The proto event kind of a change.
pub fn event_kind(change: Change) -> pb::GrantEventKind {
    match change {
        Change::Decided => pb::GrantEventKind::Decided,
        Change::Revisited => pb::GrantEventKind::Revisited,
        Change::ProviderChanged => pb::GrantEventKind::ProviderChanged,
        Change::Suspended => pb::GrantEventKind::Suspended,
        Change::Resumed => pb::GrantEventKind::Resumed,
        Change::Ended => pb::GrantEventKind::Ended,
    }
}

/// A provider on the wire.
pub fn pb_provider(p: &Provider) -> pbc::Provider {
    pbc::Provider {
        provider_id: p.provider_id.clone(),
        cvr: p.cvr.clone(),
        name: p.name.clone(),
        kind: p.kind,
        committee: p.committee.clone(),
        approved_for: p.approved_for.clone(),
    }
}

/// A grant version on the wire.
pub fn pb_grant(g: &Grant) -> pb::Grant {
    let t = &g.terms;
    pb::Grant {
        grant_id: g.grant_id.clone(),
        version: g.version,
        citizen_id: g.citizen_id.clone(),
        terms: Some(pb::GrantTerms {
            unit_kind: match t.unit_kind {
                UnitKind::Service => pbc::UnitKind::Service,
                UnitKind::Package => pbc::UnitKind::Package,
                UnitKind::Course => pbc::UnitKind::Course,
            } as i32,
            legal_basis: t.legal_basis.clone(),
            intervention: t.intervention.clone(),
            visited_minutes_per_week: t.visited_minutes_per_week,
            service_category: t.service_category.clone().unwrap_or_default(),
            package: t.package.clone().unwrap_or_default(),
            course_type: t.course_type.map(pb_course_type).unwrap_or_default() as i32,
            settle_mode: match t.settle_mode {
                Some(SettleMode::WithLead) => pbc::SettleMode::WithLead,
                Some(SettleMode::WithEach) => pbc::SettleMode::WithEach,
                None => pbc::SettleMode::Unspecified,
            } as i32,
            providers: t
                .providers
                .iter()
                .map(|s| pbc::ProviderShare {
                    provider_id: s.provider_id.clone(),
                    share_percent: s.share_percent,
                    lead: s.lead,
                })
                .collect(),
            need_frame: t.need_frame.clone().unwrap_or_default(),
        }),
        validity: Some(pbc::DateRange {
            first: Some(pbc::Date::from(g.start)),
            last: g.end.map(pbc::Date::from),
        }),
        status: match g.status {
            Status::Active => pb::GrantStatus::Active,
            Status::Suspended => pb::GrantStatus::Suspended,
            Status::Ended => pb::GrantStatus::Ended,
        } as i32,
        paying_frame: g.paying_frame.clone(),
        need_frame: g.need_frame.clone(),
        course: g.course.as_ref().map(|c| pb::CoursePeriod {
            course_type: pb_course_type(c.course_type) as i32,
            level: c.level.map(|l| u32::from(l.get())).unwrap_or(0),
            period: Some(pbc::DateRange {
                first: Some(pbc::Date::from(c.period.first())),
                last: Some(pbc::Date::from(c.period.last())),
            }),
            follow_up_on: Some(pbc::Date::from(c.follow_up_on)),
        }),
        expected_weekly_cost_ore: g.expected_weekly_cost_ore,
        catalog_version: g.catalog_version.clone(),
        suspensions: g
            .suspensions
            .iter()
            .map(|s| pb::Suspension {
                from: Some(pbc::Date::from(s.from)),
                resumed_on: s.resumed_on.map(pbc::Date::from),
                reason: s.reason.clone(),
            })
            .collect(),
        end_reason: g.end_reason.map(pb_end_reason).unwrap_or_default() as i32,
        effective_from: Some(pbc::Date::from(g.effective_from)),
        decided_on: Some(pbc::Date::from(g.decided_on)),
        backdated: g.backdated,
        recorded_at: Some(timestamp(g.recorded_at)),
    }
}
