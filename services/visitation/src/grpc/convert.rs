//! Wire ↔ domain for visitation's own messages: grant terms and provider shares in, grants,
//! orders, providers, citizens, assessments and feed events out. Dates, instants, course types and end
//! reasons use the shared conversions of `afregning_proto::convert`.

use afregning_kit::Violations;
use afregning_proto::common::v1 as pbc;
use afregning_proto::convert::{stored_timestamp, timestamp};
use afregning_proto::visitation::v1 as pb;
use afregning_tariff::HoursBand;

use crate::domain::assessment::Assessment;
use crate::domain::citizen::{Citizen, MAX_PURPOSE_CHARS};
use crate::domain::error::Input;
use crate::domain::order::Order;
use crate::domain::shares::{ShareFault, shares as check_shares};
use crate::domain::{Grant, Provider, ProviderKind, SettleMode, Share, Status, Terms, UnitKind};
use crate::store::feed::EventRow;

/// A required free text of at most `max` characters, trimmed; a violation of `field` otherwise.
pub fn text(value: &str, field: &str, max: usize, v: &mut Violations) -> String {
    v.check(
        !value.trim().is_empty() && value.chars().count() <= max,
        field,
        &format!("required, at most {max} characters"),
    );
    value.trim().to_owned()
}

/// A personal-data read states why: 1–200 characters, written to the citizen's audit log.
pub fn purpose_given(purpose: &str) -> Result<(), afregning_kit::ApiError> {
    let mut v = Violations::new();
    text(purpose, "purpose", MAX_PURPOSE_CHARS, &mut v);
    v.finish()
}

/// An optional code: empty on the wire means absent.
fn code_field(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

/// A unit kind from the wire.
fn unit_kind(value: i32) -> Option<UnitKind> {
    match pbc::UnitKind::try_from(value).ok()? {
        pbc::UnitKind::Service => Some(UnitKind::Service),
        pbc::UnitKind::Package => Some(UnitKind::Package),
        pbc::UnitKind::Course => Some(UnitKind::Course),
        pbc::UnitKind::Unspecified => None,
    }
}

/// A settle mode from the wire.
fn settle_mode(value: i32) -> Option<SettleMode> {
    match pbc::SettleMode::try_from(value).ok()? {
        pbc::SettleMode::WithLead => Some(SettleMode::WithLead),
        pbc::SettleMode::WithEach => Some(SettleMode::WithEach),
        pbc::SettleMode::Unspecified => None,
    }
}

/// A provider kind from the wire.
pub fn provider_kind(value: i32) -> Option<ProviderKind> {
    match pbc::ProviderKind::try_from(value).ok()? {
        pbc::ProviderKind::Municipal => Some(ProviderKind::Municipal),
        pbc::ProviderKind::Private => Some(ProviderKind::Private),
        pbc::ProviderKind::Unspecified => None,
    }
}

/// Provider shares from the wire, checked for form ([`crate::domain::shares`]); each fault is a
/// violation under `field` (`terms.providers` or `providers`).
pub fn shares(providers: &[pbc::ProviderShare], input: fn(Option<usize>) -> Input, v: &mut Violations) -> Vec<Share> {
    let field = crate::grpc::errors::field(input(None));
    let sent: Vec<(String, u32, bool)> = providers.iter().map(|p| (p.provider_id.clone(), p.share_percent, p.lead)).collect();
    let (shares, faults) = check_shares(&sent);
    for fault in &faults {
        let path = match fault {
            ShareFault::BadId(i) | ShareFault::NamedTwice(i) => format!("{field}[{i}].provider_id"),
            ShareFault::BadPercent(i) => format!("{field}[{i}].share_percent"),
            ShareFault::NoProvider | ShareFault::TooMany | ShareFault::Lead | ShareFault::Sum => field.clone(),
        };
        v.add(path, fault.problem());
    }
    shares
}

/// A grant's terms from the wire, checked for form (the catalog checks come later, in
/// [`crate::domain::derive`]).
pub fn terms(terms: Option<&pb::GrantTerms>, v: &mut Violations) -> Option<Terms> {
    let Some(t) = terms else {
        v.add("terms", "required");
        return None;
    };
    let unit_kind = unit_kind(t.unit_kind);
    v.check(unit_kind.is_some(), "terms.unit_kind", "required: SERVICE, PACKAGE or COURSE");
    v.check(
        t.visited_minutes_per_week <= afregning_tariff::course::MINUTES_PER_WEEK,
        "terms.visited_minutes_per_week",
        "more minutes than a week has (10,080)",
    );
    for (field, value) in [("terms.legal_basis", &t.legal_basis), ("terms.intervention", &t.intervention)] {
        v.check(!value.is_empty() && value.len() <= 64, field, "required, at most 64 characters");
    }
    let providers = shares(&t.providers, Input::TermsProviders, v);
    let course_type = afregning_proto::convert::course_type(t.course_type).ok();
    let settle_mode = settle_mode(t.settle_mode);
    let course = unit_kind == Some(UnitKind::Course);
    if course {
        v.check(course_type.is_some(), "terms.course_type", "required for a course");
        v.check(
            providers.len() == 1 || settle_mode.is_some(),
            "terms.settle_mode",
            "required for a course with several providers",
        );
    } else {
        v.check(providers.len() <= 1, "terms.providers", "a service or package has one provider");
    }
    Some(Terms {
        unit_kind: unit_kind?,
        legal_basis: t.legal_basis.clone(),
        intervention: t.intervention.clone(),
        visited_minutes_per_week: t.visited_minutes_per_week,
        service_category: code_field(&t.service_category),
        package: code_field(&t.package),
        course_type: if course { course_type } else { None },
        settle_mode: if course { settle_mode.or(Some(SettleMode::WithLead)) } else { None },
        providers,
        need_frame: code_field(&t.need_frame),
    })
}

/// A provider on the wire.
pub fn pb_provider(p: &Provider) -> pbc::Provider {
    pbc::Provider {
        provider_id: p.provider_id.to_string(),
        cvr: p.cvr.to_string(),
        name: p.name.clone(),
        kind: match p.kind {
            ProviderKind::Municipal => pbc::ProviderKind::Municipal,
            ProviderKind::Private => pbc::ProviderKind::Private,
        } as i32,
        committee: p.committee.clone(),
        approved_for: p.approved_for.clone(),
    }
}

fn pb_unit_kind(kind: UnitKind) -> pbc::UnitKind {
    match kind {
        UnitKind::Service => pbc::UnitKind::Service,
        UnitKind::Package => pbc::UnitKind::Package,
        UnitKind::Course => pbc::UnitKind::Course,
    }
}

fn pb_settle_mode(mode: Option<SettleMode>) -> pbc::SettleMode {
    match mode {
        Some(SettleMode::WithLead) => pbc::SettleMode::WithLead,
        Some(SettleMode::WithEach) => pbc::SettleMode::WithEach,
        None => pbc::SettleMode::Unspecified,
    }
}

fn pb_terms(t: &Terms) -> pb::GrantTerms {
    pb::GrantTerms {
        unit_kind: pb_unit_kind(t.unit_kind) as i32,
        legal_basis: t.legal_basis.clone(),
        intervention: t.intervention.clone(),
        visited_minutes_per_week: t.visited_minutes_per_week,
        service_category: t.service_category.clone().unwrap_or_default(),
        package: t.package.clone().unwrap_or_default(),
        course_type: t.course_type.map(pbc::CourseType::from).unwrap_or_default() as i32,
        settle_mode: pb_settle_mode(t.settle_mode) as i32,
        providers: t
            .providers
            .iter()
            .map(|s| pbc::ProviderShare {
                provider_id: s.provider_id.to_string(),
                share_percent: s.share_percent,
                lead: s.lead,
            })
            .collect(),
        need_frame: t.need_frame.clone().unwrap_or_default(),
    }
}

/// A grant version on the wire.
pub fn pb_grant(g: &Grant) -> pb::Grant {
    pb::Grant {
        grant_id: g.grant_id.to_string(),
        version: g.version,
        citizen_id: g.citizen_id.to_string(),
        terms: Some(pb_terms(&g.terms)),
        validity: Some(pbc::DateRange {
            first: Some(g.start.into()),
            last: g.end.map(pbc::Date::from),
        }),
        status: pb_status(g.status) as i32,
        paying_frame: g.paying_frame.clone(),
        need_frame: g.need_frame.clone(),
        course: g.course.as_ref().map(pb_course),
        expected_weekly_cost_ore: g.expected_weekly_cost_ore.get(),
        catalog_version: g.catalog_version.clone(),
        suspensions: pb_suspensions(g),
        end_reason: g.end_reason.map(pbc::EndReason::from).unwrap_or_default() as i32,
        effective_from: Some(g.effective_from.into()),
        decided_on: Some(g.decided_on.into()),
        backdated: g.backdated,
        recorded_at: Some(timestamp(g.recorded_at)),
    }
}

/// A grant's course period on the wire.
fn pb_course(c: &afregning_tariff::CoursePeriod) -> pb::CoursePeriod {
    pb::CoursePeriod {
        course_type: pbc::CourseType::from(c.course_type) as i32,
        level: c.level.map(|l| u32::from(l.get())).unwrap_or(0),
        period: Some(c.period.into()),
        follow_up_on: Some(c.follow_up_on.into()),
    }
}

fn pb_status(status: Status) -> pb::GrantStatus {
    match status {
        Status::Active => pb::GrantStatus::Active,
        Status::Suspended => pb::GrantStatus::Suspended,
        Status::Ended => pb::GrantStatus::Ended,
    }
}

fn pb_suspensions(g: &Grant) -> Vec<pb::Suspension> {
    g.suspensions
        .iter()
        .map(|s| pb::Suspension {
            from: Some(s.from.into()),
            resumed_on: s.resumed_on.map(pbc::Date::from),
            reason: s.reason.clone(),
        })
        .collect()
}

/// An order on the wire: what the grant version asks of the provider, with the citizen's CPR
/// number when the store read it.
pub fn pb_order(o: &Order) -> pb::Order {
    let (g, terms) = (&o.grant, &o.grant.terms);
    pb::Order {
        sequence: u64::try_from(o.sequence).unwrap_or_default(),
        provider_id: o.order.provider_id.to_string(),
        change: i32::try_from(crate::store::orders::change_code(o.order.change)).unwrap_or_default(),
        grant_id: g.grant_id.to_string(),
        grant_version: g.version,
        backdated: g.backdated,
        effective_from: Some(g.effective_from.into()),
        decided_on: Some(g.decided_on.into()),
        citizen_id: g.citizen_id.to_string(),
        citizen_cpr: o.cpr.as_ref().map(afregning_tariff::Cpr::expose).unwrap_or_default(),
        unit_kind: pb_unit_kind(terms.unit_kind) as i32,
        service_category: terms.service_category.clone().unwrap_or_default(),
        package: terms.package.clone().unwrap_or_default(),
        intervention: terms.intervention.clone(),
        visited_minutes_per_week: terms.visited_minutes_per_week,
        course: g.course.as_ref().map(pb_course),
        valid: Some(pbc::DateRange {
            first: Some(o.order.valid_from.into()),
            last: o.order.valid_to.map(pbc::Date::from),
        }),
        share_percent: o.order.share.share_percent,
        lead: o.order.share.lead,
        settle_mode: pb_settle_mode(terms.settle_mode) as i32,
        status: pb_status(g.status) as i32,
        suspensions: pb_suspensions(g),
        end_reason: g.end_reason.map(pbc::EndReason::from).unwrap_or_default() as i32,
        recorded_at: Some(timestamp(g.recorded_at)),
        acknowledged_at: o.acknowledged.as_ref().map(|a| timestamp(a.at)),
    }
}

/// A citizen on the wire; the CPR number only `with_cpr`.
pub fn pb_citizen(c: &Citizen, with_cpr: bool) -> pb::Citizen {
    pb::Citizen {
        citizen_id: c.citizen_id.to_string(),
        cpr: if with_cpr { c.cpr.expose() } else { String::new() },
        birth_date: Some(c.birth_date.into()),
        registered_at: Some(timestamp(c.registered_at)),
    }
}

/// An assessment on the wire.
pub fn pb_assessment(a: &Assessment) -> pb::Assessment {
    pb::Assessment {
        assessment_id: a.assessment_id.to_string(),
        citizen_id: a.citizen_id.to_string(),
        assessed_on: Some(a.assessed_on.into()),
        assessor: a.assessor.clone(),
        scores: a
            .scores
            .iter()
            .map(|s| pb::FunctionScore {
                area: s.area.clone(),
                score: s.score,
            })
            .collect(),
        recorded_at: Some(timestamp(a.recorded_at)),
    }
}

/// An hours band on the wire.
pub fn pb_hours_band(band: HoursBand) -> pb::HoursBand {
    match band {
        HoursBand::Under5 => pb::HoursBand::Under5,
        HoursBand::From5To25 => pb::HoursBand::HoursBand5To25,
        HoursBand::Over25 => pb::HoursBand::Over25,
    }
}

/// An hours band from the wire; `None` (unspecified) asks for every band.
pub fn hours_band(band: pb::HoursBand) -> Option<HoursBand> {
    match band {
        pb::HoursBand::Unspecified => None,
        pb::HoursBand::Under5 => Some(HoursBand::Under5),
        pb::HoursBand::HoursBand5To25 => Some(HoursBand::From5To25),
        pb::HoursBand::Over25 => Some(HoursBand::Over25),
    }
}

/// A feed event on the wire; the CPR number only `with_cpr` (for settlement).
/// A published catalog version on the wire; `in_force_to` is the last day it prices as of now.
pub fn pb_catalog(
    catalog: &afregning_tariff::Catalog,
    document: &str,
    corrects: Option<&str>,
    in_force_to: chrono::NaiveDate,
    published_at: chrono::DateTime<chrono::Utc>,
) -> pb::PublishedCatalog {
    pb::PublishedCatalog {
        version: catalog.version.clone(),
        year: catalog.year,
        effective_from: Some(catalog.effective.first().into()),
        effective_to: Some(catalog.effective.last().into()),
        in_force_to: Some(in_force_to.into()),
        corrects_version: corrects.unwrap_or_default().to_owned(),
        document: document.as_bytes().to_vec(),
        published_at: Some(timestamp(published_at)),
    }
}

/// A catalog event's version as it was published (its days as the document names them).
fn pb_published(published: &crate::domain::catalog::CatalogPublished) -> pb::PublishedCatalog {
    match afregning_tariff::Catalog::from_toml_str(&published.document) {
        Ok(c) => pb_catalog(
            &c,
            &published.document,
            published.corrects.as_deref(),
            c.effective.last(),
            published.published_at,
        ),
        // Stored only after validation; should it ever not read, the follower refuses the document.
        Err(_) => pb::PublishedCatalog {
            version: published.version.clone(),
            document: published.document.as_bytes().to_vec(),
            ..Default::default()
        },
    }
}

pub fn feed_event(event: EventRow, with_cpr: bool) -> pb::GrantEvent {
    let (grant, provider, citizen_cpr) = match &event.payload {
        crate::domain::FeedPayload::Grant(g, cpr) => (Some(pb_grant(g)), None, if with_cpr { cpr.expose() } else { String::new() }),
        crate::domain::FeedPayload::Provider(p) => (None, Some(pb_provider(p)), String::new()),
        crate::domain::FeedPayload::Catalog(_) => (None, None, String::new()),
    };
    let catalog = match &event.payload {
        crate::domain::FeedPayload::Catalog(c) => Some(pb_published(c)),
        _ => None,
    };
    pb::GrantEvent {
        sequence: u64::try_from(event.sequence).unwrap_or_default(),
        kind: i32::try_from(event.kind).unwrap_or_default(),
        grant,
        committed_at: stored_timestamp(&event.committed_at),
        provider,
        citizen_cpr,
        trace_parent: event.trace_parent,
        catalog,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Change, EventKind};
    use crate::store::feed::kind_code;

    #[test]
    fn stored_event_kinds_are_the_contracts_numbers() {
        let pairs = [
            (EventKind::Grant(Change::Decided), pb::GrantEventKind::Decided),
            (EventKind::Grant(Change::Revisited), pb::GrantEventKind::Revisited),
            (EventKind::Grant(Change::ProviderChanged), pb::GrantEventKind::ProviderChanged),
            (EventKind::Grant(Change::Suspended), pb::GrantEventKind::Suspended),
            (EventKind::Grant(Change::Resumed), pb::GrantEventKind::Resumed),
            (EventKind::Grant(Change::Ended), pb::GrantEventKind::Ended),
            (EventKind::ProviderRegistered, pb::GrantEventKind::ProviderRegistered),
            (EventKind::CatalogPublished, pb::GrantEventKind::CatalogPublished),
        ];
        for (kind, wire) in pairs {
            assert_eq!(kind_code(kind), wire as i64);
        }
    }

    #[test]
    fn share_faults_are_named_under_their_list() {
        let mut v = Violations::new();
        let sent = [pbc::ProviderShare {
            provider_id: String::new(),
            share_percent: 100,
            lead: true,
        }];
        shares(&sent, Input::NewProviders, &mut v);
        let Err(afregning_kit::ApiError::InvalidArgument(violations)) = v.finish() else {
            panic!("expected a violation");
        };
        assert_eq!(violations[0].field, "providers[0].provider_id");
    }
}
