//! `afregning grants decide`: a grant decided from the command line, in the words a case worker
//! uses — the citizen by CPR number, the provider by CVR number, the unit as the catalog names
//! it — turned into visitation's `RegisterCitizen` and `DecideGrant`, each retry-safe under the
//! command's request id.

use afregning_client::i18n::tr_args;
use afregning_proto::common::v1 as pbc;
use afregning_proto::visitation::v1 as pbv;
use chrono::{Datelike, NaiveDate};

use crate::commands::derived_request_id;
use crate::connect::Clients;
use crate::finance::usage_error;

/// What the case worker decided.
#[derive(Debug)]
pub struct Decision {
    /// The citizen's CPR number, with or without the dash.
    pub cpr: String,
    /// A service category, a package code or `course:<TYPE>`.
    pub unit: String,
    /// The legal basis, e.g. SEL-83.
    pub legal_basis: String,
    /// The FSIII intervention.
    pub intervention: String,
    /// Visited minutes per week.
    pub minutes: u32,
    /// Providers by CVR number or id, `=PERCENT` when several share; the first leads.
    pub providers: Vec<String>,
    /// The first day.
    pub from: NaiveDate,
    /// The last day, if any.
    pub to: Option<NaiveDate>,
    /// The frame owning the need when another pays.
    pub need_frame: Option<String>,
}

fn wire_date(date: NaiveDate) -> pbc::Date {
    pbc::Date {
        year: date.year(),
        month: date.month() as i32,
        day: date.day() as i32,
    }
}

/// The unit as the grant's terms carry it: a course type, a package or a service category.
fn unit_terms(unit: &str, terms: &mut pbv::GrantTerms) -> Result<(), String> {
    if let Some(course) = unit.strip_prefix("course:") {
        let course_type = afregning_tariff::CourseType::from_code(course)
            .ok_or_else(|| tr_args("decide-unknown-course", &[("course", course.to_owned())]))?;
        terms.unit_kind = pbc::UnitKind::Course as i32;
        terms.course_type = pbc::CourseType::from(course_type) as i32;
    } else if unit.ends_with("_package") {
        terms.unit_kind = pbc::UnitKind::Package as i32;
        terms.package = unit.to_owned();
    } else if !unit.is_empty() {
        terms.unit_kind = pbc::UnitKind::Service as i32;
        terms.service_category = unit.to_owned();
    } else {
        return Err(tr_args("decide-unknown-course", &[("course", String::new())]));
    }
    Ok(())
}

/// Each `--provider` as a share: CVR number or id, `=PERCENT` when several share the grant; the
/// first leads. CVR numbers are looked up among the registered providers.
async fn shares(clients: &mut Clients, given: &[String]) -> anyhow::Result<Vec<pbc::ProviderShare>> {
    let registered = clients
        .visitation
        .list_providers(pbv::ListProvidersRequest {
            page: Some(pbc::PageRequest {
                page_size: 1000,
                page_token: String::new(),
            }),
        })
        .await?
        .into_inner()
        .providers;
    let mut shares = Vec::new();
    for (i, text) in given.iter().enumerate() {
        let (who, percent) = match text.split_once('=') {
            Some((who, percent)) => {
                let percent = percent
                    .trim()
                    .trim_end_matches('%')
                    .parse::<u32>()
                    .ok()
                    .filter(|p| (1..=100).contains(p))
                    .unwrap_or_else(|| usage_error(format!("--provider {text}: {}", tr_args("decide-share", &[]))));
                (who.trim(), percent)
            }
            None if given.len() == 1 => (text.trim(), 100),
            None => usage_error(format!("--provider {text}: {}", tr_args("decide-share", &[]))),
        };
        let provider = registered
            .iter()
            .find(|p| p.cvr == who || p.provider_id == who)
            .unwrap_or_else(|| usage_error(format!("--provider {who}: {}", tr_args("decide-unknown-provider", &[]))));
        shares.push(pbc::ProviderShare {
            provider_id: provider.provider_id.clone(),
            share_percent: percent,
            lead: i == 0,
        });
    }
    Ok(shares)
}

/// Registers the citizen when new and decides the grant; the answer is the grant's first version.
pub async fn decide(clients: &mut Clients, decision: Decision, request_id: &str) -> anyhow::Result<pbv::Grant> {
    let mut terms = pbv::GrantTerms {
        legal_basis: decision.legal_basis,
        intervention: decision.intervention,
        visited_minutes_per_week: decision.minutes,
        need_frame: decision.need_frame.unwrap_or_default(),
        ..Default::default()
    };
    unit_terms(&decision.unit, &mut terms).unwrap_or_else(|why| usage_error(format!("--unit: {why}")));
    terms.providers = shares(clients, &decision.providers).await?;
    let cpr = decision.cpr.replace('-', "");
    let citizen = clients
        .visitation
        .register_citizen(pbv::RegisterCitizenRequest {
            request_id: derived_request_id(request_id, "citizen", &cpr),
            cpr,
        })
        .await?
        .into_inner();
    let grant = clients
        .visitation
        .decide_grant(pbv::DecideGrantRequest {
            request_id: request_id.to_owned(),
            citizen_id: citizen.citizen_id.clone(),
            terms: Some(terms),
            start: Some(wire_date(decision.from)),
            end: decision.to.map(wire_date),
            decided_on: None,
        })
        .await?
        .into_inner();
    println!(
        "{}",
        tr_args(
            "decide-decided",
            &[("grant", grant.grant_id.clone()), ("citizen", citizen.citizen_id)]
        )
    );
    Ok(grant)
}
