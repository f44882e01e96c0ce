//! The `VisitationService` implementation: each RPC parses its request into domain values,
//! asks `domain` for the decision, and has `store` persist it with its feed event and the
//! idempotency record in one transaction. No SQL here.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::Arc;

use afregning_kit::auth::{Principal, Role, require};
use afregning_kit::{ApiError, Violations};
use afregning_proto::common::v1 as pbc;
use afregning_proto::visitation::v1 as pb;
use afregning_proto::visitation::v1::visitation_service_server::VisitationService;
use afregning_tariff::{CatalogSet, CourseType, Cpr, Cvr, HoursBand, Progress};
use chrono::{Days, NaiveDate, Utc};
use prost::Message;
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

use crate::convert::*;
use crate::domain::{self, Command, FeedPayload, Grant, Provider, Share, Terms, UnitKind};
use afregning_kit::store::{RequestKey, Tx};

use crate::store::{AssessmentRow, CitizenRow, Store, VisitationTx};

/// The service, cheap to clone.
#[derive(Clone)]
pub struct Visitation {
    store: Store,
    catalogs: Arc<CatalogSet>,
}

impl Visitation {
    /// A service over `store`, pricing with `catalogs`.
    pub fn new(store: Store, catalogs: CatalogSet) -> Visitation {
        Visitation {
            store,
            catalogs: Arc::new(catalogs),
        }
    }
}

/// Whether this service publishes a feed of its own.
const PUBLISHES: bool = true;
/// The feeds this service follows.
const FOLLOWS: &[&str] = &[];
/// Who may write: the authority's EHR, and operators.
const WRITERS: &[Role] = &[Role::Ehr, Role::Operator, Role::Local];
/// Who may read a citizen's personal data (and see CPR numbers): the EHR.
const PERSONAL_DATA: &[Role] = &[Role::Ehr, Role::Local];
/// Who may read grants and providers, which carry only opaque citizen ids.
const READERS: &[Role] = &[
    Role::Ehr,
    Role::Operator,
    Role::Local,
    Role::Service,
    Role::Finance,
    Role::Committee,
];

/// A personal-data read states why: 1–200 characters, written to the citizen's audit log.
fn purpose_given(purpose: &str) -> Result<(), ApiError> {
    let mut v = Violations::new();
    text(purpose, "purpose", 200, &mut v);
    v.finish()
}

/// Who may follow the feed: the other services (and operators).
const FEED_READERS: &[Role] = &[Role::Service, Role::Operator, Role::Local];

fn text(value: &str, field: &str, max: usize, v: &mut Violations) -> String {
    v.check(
        !value.trim().is_empty() && value.chars().count() <= max,
        field,
        &format!("required, at most {max} characters"),
    );
    value.trim().to_owned()
}

fn code_field(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

impl Visitation {
    /// Finishes a write: remembers the answer with its effects and commits.
    async fn finish<M: Message>(&self, tx: Tx, key: &RequestKey, answer: M) -> Result<Response<M>, Status> {
        Ok(Response::new(self.store.storage.finish(tx, key, answer).await?))
    }

    /// Checks that every provider of `shares` is registered and approved for the unit.
    async fn check_providers(&self, tx: &mut Tx, shares: &[Share], approval: &str, field: &str) -> Result<(), ApiError> {
        for (i, share) in shares.iter().enumerate() {
            match tx.provider(&share.provider_id).await? {
                None => return Err(ApiError::invalid(format!("{field}[{i}].provider_id"), "unknown provider")),
                Some(p) if !p.approved_for.iter().any(|a| a == approval) => {
                    return Err(ApiError::precondition(
                        format!("{field}[{i}].provider_id"),
                        format!("provider is not approved for {approval}"),
                    ));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// Applies a change to a grant: the shared path of every change RPC.
    async fn change(
        &self,
        key: RequestKey,
        grant_id: &str,
        expected_version: u32,
        command: Command,
        decided_on: Option<&pbc::Date>,
    ) -> Result<Response<pb::Grant>, Status> {
        let decided_on = opt_date(decided_on, "decided_on")?.unwrap_or_else(today);
        let mut tx = self.store.storage.begin().await?;
        if let Some(answer) = tx.replay(&key).await? {
            return Ok(Response::new(answer));
        }
        let current = tx.grant(grant_id).await?.ok_or_else(|| ApiError::NotFound("grant".into()))?;
        if expected_version != current.version {
            return Err(ApiError::precondition("expected_version", format!("the grant is at version {}", current.version)).into());
        }
        let next = current.apply(command, decided_on, &self.catalogs, Utc::now())?;
        let approval = domain::approval_code(&next.terms, next.course.as_ref());
        if next.terms.providers != current.terms.providers || approval != domain::approval_code(&current.terms, current.course.as_ref()) {
            self.check_providers(&mut tx, &next.terms.providers, &approval, "providers").await?;
        }
        if !tx.save_grant(&next).await? {
            return Err(ApiError::precondition("expected_version", "the grant was changed meanwhile").into());
        }
        let cpr = tx.cpr_of(&next.citizen_id).await?;
        tx.append_event(
            event_kind(next.change) as i64,
            &FeedPayload::Grant(Box::new(next.clone()), cpr),
            next.recorded_at,
        )
        .await?;
        self.finish(tx, &key, pb_grant(&next)).await
    }

    fn parse_terms(&self, terms: Option<&pb::GrantTerms>, v: &mut Violations) -> Option<Terms> {
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
        let providers = shares(&t.providers, "terms.providers", v);
        let course_type = course_type(t.course_type);
        let settle_mode = settle_mode(t.settle_mode);
        if unit_kind == Some(UnitKind::Course) {
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
            course_type: if unit_kind == Some(UnitKind::Course) { course_type } else { None },
            settle_mode: if unit_kind == Some(UnitKind::Course) {
                settle_mode.or(Some(domain::SettleMode::WithLead))
            } else {
                None
            },
            providers,
            need_frame: code_field(&t.need_frame),
        })
    }

    /// What progression reads of one citizen.
    async fn history(&self, citizen_id: &str) -> Result<History, ApiError> {
        let mut versions: BTreeMap<String, Vec<Grant>> = BTreeMap::new();
        for g in self.store.citizen_grant_versions(citizen_id).await? {
            versions.entry(g.grant_id.clone()).or_default().push(g);
        }
        let mut assessments = Vec::new();
        for row in self.store.assessments(citizen_id, 0, 10_000).await? {
            if let Some(on) = row.day() {
                assessments.push((on, row.function_scores()?));
            }
        }
        Ok(History { versions, assessments })
    }

    /// Average visited minutes per week over the days from `first` to `last`, all the citizen's
    /// grants together, each day counting the version in force that day.
    fn average_minutes(versions: &BTreeMap<String, Vec<Grant>>, first: NaiveDate, last: NaiveDate) -> u32 {
        let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
        let total: u64 = days
            .iter()
            .map(|day| versions.values().map(|v| u64::from(domain::minutes_on(v, *day))).sum::<u64>())
            .sum();
        u32::try_from(total.checked_div(days.len() as u64).unwrap_or(0)).unwrap_or(u32::MAX)
    }
}

/// One citizen as progression reads it: every version of each grant by grant id, and the
/// assessments (day, scores), newest first.
struct History {
    versions: BTreeMap<String, Vec<Grant>>,
    assessments: Vec<(NaiveDate, Vec<(String, u32)>)>,
}

type EventStream = Pin<Box<dyn Stream<Item = Result<pb::GrantEvent, Status>> + Send>>;

#[tonic::async_trait]
impl VisitationService for Visitation {
    async fn register_provider(&self, request: Request<pb::RegisterProviderRequest>) -> Result<Response<pbc::Provider>, Status> {
        require(&request, WRITERS)?;
        let r = request.into_inner();
        let key = RequestKey::new("RegisterProvider", &r.request_id, &r)?;
        let mut v = Violations::new();
        let cvr = v.take("cvr", Cvr::parse(&r.cvr));
        let name = text(&r.name, "name", 200, &mut v);
        v.check(
            matches!(
                pbc::ProviderKind::try_from(r.kind),
                Ok(pbc::ProviderKind::Municipal | pbc::ProviderKind::Private)
            ),
            "kind",
            "MUNICIPAL or PRIVATE",
        );
        let committee = text(&r.committee, "committee", 32, &mut v);
        v.check(
            !r.approved_for.is_empty() && r.approved_for.len() <= 50,
            "approved_for",
            "1–50 unit codes",
        );
        for (i, code) in r.approved_for.iter().enumerate() {
            let known = self.catalogs.iter().any(|c| {
                c.categories.contains_key(code)
                    || c.packages.contains_key(code)
                    || code.strip_prefix("course:").and_then(CourseType::from_code).is_some()
            });
            v.check(
                known,
                &format!("approved_for[{i}]"),
                "not a service category, package or course:<TYPE> of the catalog",
            );
        }
        v.finish()?;
        let mut tx = self.store.storage.begin().await?;
        if let Some(answer) = tx.replay(&key).await? {
            return Ok(Response::new(answer));
        }
        let provider = Provider {
            provider_id: format!("prv_{}", uuid::Uuid::new_v4().simple()),
            cvr: cvr.map(|c| c.to_string()).unwrap_or_default(),
            name,
            kind: r.kind,
            committee,
            approved_for: r.approved_for.clone(),
        };
        let now = Utc::now();
        tx.insert_provider(&provider, now).await?;
        tx.append_event(
            pb::GrantEventKind::ProviderRegistered as i64,
            &FeedPayload::Provider(provider.clone()),
            now,
        )
        .await?;
        self.finish(tx, &key, pb_provider(&provider)).await
    }

    async fn get_provider(&self, request: Request<pb::GetProviderRequest>) -> Result<Response<pbc::Provider>, Status> {
        require(&request, READERS)?;
        let provider = self
            .store
            .provider(&request.get_ref().provider_id)
            .await?
            .ok_or_else(|| ApiError::NotFound("provider".into()))?;
        Ok(Response::new(pb_provider(&provider)))
    }

    async fn list_providers(&self, request: Request<pb::ListProvidersRequest>) -> Result<Response<pb::ListProvidersResponse>, Status> {
        require(&request, READERS)?;
        let (offset, limit) = page(request.get_ref().page.as_ref())?;
        let providers = self.store.providers(offset, limit).await?;
        let next_page_token = next_token(offset, limit, providers.len());
        Ok(Response::new(pb::ListProvidersResponse {
            providers: providers.iter().map(pb_provider).collect(),
            next_page_token,
        }))
    }

    async fn register_citizen(&self, request: Request<pb::RegisterCitizenRequest>) -> Result<Response<pb::Citizen>, Status> {
        // Registering answers whether a CPR number is known, so it is a read of personal data.
        let principal = require(&request, PERSONAL_DATA)?;
        let r = request.into_inner();
        let key = RequestKey::new("RegisterCitizen", &r.request_id, &r)?;
        let cpr = Cpr::parse(&r.cpr).map_err(|e| ApiError::invalid("cpr", e.to_string()))?;
        if cpr.birth_date().is_some_and(|born| born > afregning_kit::clock::today()) {
            return Err(ApiError::invalid("cpr", "the birth date (by the CPR number's century rule) lies in the future").into());
        }
        let mut tx = self.store.storage.begin().await?;
        if let Some(answer) = tx.replay(&key).await? {
            return Ok(Response::new(answer));
        }
        tx.lock_cpr(&cpr.expose()).await?;
        let row = match tx.citizen_by_cpr(&cpr.expose()).await? {
            Some(existing) => {
                let purpose = "registration of a CPR number already registered";
                tx.audit(&existing.citizen_id, &principal.to_string(), "RegisterCitizen", purpose)
                    .await?;
                existing
            }
            None => {
                let birth = cpr
                    .birth_date()
                    .ok_or_else(|| ApiError::invalid("cpr", "date part is not a real date"))?;
                let row = CitizenRow {
                    citizen_id: format!("cit_{}", uuid::Uuid::new_v4().simple()),
                    cpr: cpr.expose(),
                    birth_date: birth.to_string(),
                    registered_at: crate::store::timestamp(Utc::now()),
                };
                tx.insert_citizen(&row).await?;
                row
            }
        };
        self.finish(tx, &key, citizen(&row, true)).await
    }

    async fn get_citizen(&self, request: Request<pb::GetCitizenRequest>) -> Result<Response<pb::Citizen>, Status> {
        let principal = require(&request, PERSONAL_DATA)?;
        let r = request.into_inner();
        let mut v = Violations::new();
        v.check(r.purpose.chars().count() <= 200, "purpose", "at most 200 characters");
        v.finish()?;
        let row = self
            .store
            .citizen(&r.citizen_id)
            .await?
            .ok_or_else(|| ApiError::NotFound("citizen".into()))?;
        self.store
            .audit(&row.citizen_id, &principal.to_string(), "GetCitizen", &r.purpose)
            .await?;
        Ok(Response::new(citizen(&row, !r.purpose.trim().is_empty())))
    }

    async fn find_citizen_by_cpr(&self, request: Request<pb::FindCitizenByCprRequest>) -> Result<Response<pb::Citizen>, Status> {
        let principal = require(&request, PERSONAL_DATA)?;
        let r = request.into_inner();
        let mut v = Violations::new();
        let cpr = v.take("cpr", Cpr::parse(&r.cpr));
        text(&r.purpose, "purpose", 200, &mut v);
        v.finish()?;
        let cpr = cpr.ok_or_else(|| ApiError::invalid("cpr", "invalid"))?;
        let row = self
            .store
            .citizen_by_cpr(&cpr.expose())
            .await?
            .ok_or_else(|| ApiError::NotFound("citizen".into()))?;
        self.store
            .audit(&row.citizen_id, &principal.to_string(), "FindCitizenByCpr", &r.purpose)
            .await?;
        Ok(Response::new(citizen(&row, true)))
    }

    async fn record_assessment(&self, request: Request<pb::RecordAssessmentRequest>) -> Result<Response<pb::Assessment>, Status> {
        require(&request, WRITERS)?;
        let r = request.into_inner();
        let key = RequestKey::new("RecordAssessment", &r.request_id, &r)?;
        let mut v = Violations::new();
        let assessed_on = v.take("assessed_on", date(r.assessed_on.as_ref(), "assessed_on"));
        let assessor = text(&r.assessor, "assessor", 100, &mut v);
        v.check(!r.scores.is_empty() && r.scores.len() <= 64, "scores", "1–64 function scores");
        for (i, s) in r.scores.iter().enumerate() {
            let area_ok =
                !s.area.is_empty() && s.area.len() <= 64 && s.area.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
            v.check(area_ok, &format!("scores[{i}].area"), "an FSIII area code");
            v.check(
                matches!(s.score, 0..=4 | 9),
                &format!("scores[{i}].score"),
                "0–4, or 9 for not relevant",
            );
            if r.scores[..i].iter().any(|o| o.area == s.area) {
                v.add(format!("scores[{i}].area"), "scored twice");
            }
        }
        v.finish()?;
        let mut tx = self.store.storage.begin().await?;
        if let Some(answer) = tx.replay(&key).await? {
            return Ok(Response::new(answer));
        }
        if !tx.citizen_exists(&r.citizen_id).await? {
            return Err(ApiError::NotFound("citizen".into()).into());
        }
        let scores: Vec<(String, u32)> = r.scores.iter().map(|s| (s.area.clone(), s.score)).collect();
        let row = AssessmentRow {
            assessment_id: format!("asm_{}", uuid::Uuid::new_v4().simple()),
            citizen_id: r.citizen_id.clone(),
            assessed_on: assessed_on.map(|d| d.to_string()).unwrap_or_default(),
            assessor,
            scores: afregning_kit::store::json(&scores)?,
            recorded_at: crate::store::timestamp(Utc::now()),
        };
        tx.insert_assessment(&row).await?;
        self.finish(tx, &key, assessment(&row)?).await
    }

    async fn list_assessments(
        &self,
        request: Request<pb::ListAssessmentsRequest>,
    ) -> Result<Response<pb::ListAssessmentsResponse>, Status> {
        let principal = require(&request, PERSONAL_DATA)?;
        let r = request.into_inner();
        purpose_given(&r.purpose)?;
        let (offset, limit) = page(r.page.as_ref())?;
        self.store
            .citizen(&r.citizen_id)
            .await?
            .ok_or_else(|| ApiError::NotFound("citizen".into()))?;
        let rows = self.store.assessments(&r.citizen_id, offset, limit).await?;
        self.store
            .audit(&r.citizen_id, &principal.to_string(), "ListAssessments", r.purpose.trim())
            .await?;
        let next_page_token = next_token(offset, limit, rows.len());
        Ok(Response::new(pb::ListAssessmentsResponse {
            assessments: rows.iter().map(assessment).collect::<Result<_, _>>()?,
            next_page_token,
        }))
    }

    async fn decide_grant(&self, request: Request<pb::DecideGrantRequest>) -> Result<Response<pb::Grant>, Status> {
        require(&request, WRITERS)?;
        let r = request.into_inner();
        let key = RequestKey::new("DecideGrant", &r.request_id, &r)?;
        let mut v = Violations::new();
        let terms = self.parse_terms(r.terms.as_ref(), &mut v);
        let start = v.take("start", date(r.start.as_ref(), "start"));
        let end = v.take("end", opt_date(r.end.as_ref(), "end")).flatten();
        let decided_on = v
            .take("decided_on", opt_date(r.decided_on.as_ref(), "decided_on"))
            .flatten()
            .unwrap_or_else(today);
        if let (Some(start), Some(end)) = (start, end) {
            v.check(end >= start, "end", "must not be before start");
        }
        v.check(!r.citizen_id.is_empty(), "citizen_id", "required");
        v.finish()?;
        let (Some(terms), Some(start)) = (terms, start) else {
            return Err(ApiError::invalid("terms", "required").into());
        };
        let derived = domain::derive(&terms, start, &self.catalogs)?;
        let mut tx = self.store.storage.begin().await?;
        if let Some(answer) = tx.replay(&key).await? {
            return Ok(Response::new(answer));
        }
        let Some(cpr) = tx.lock_citizen(&r.citizen_id).await? else {
            return Err(ApiError::NotFound("citizen".into()).into());
        };
        let approval = domain::approval_code(&terms, derived.course.as_ref());
        self.check_providers(&mut tx, &terms.providers, &approval, "terms.providers")
            .await?;
        if let Some(clash) = tx
            .grants_of_intervention(&r.citizen_id, &terms.intervention)
            .await?
            .into_iter()
            .find(|g| g.overlaps(start, end))
        {
            return Err(ApiError::precondition(
                "terms.intervention",
                format!("overlaps grant {} of the same intervention", clash.grant_id),
            )
            .into());
        }
        let grant = Grant::decide(
            format!("gr_{}", uuid::Uuid::new_v4().simple()),
            r.citizen_id.clone(),
            terms,
            start,
            end,
            decided_on,
            derived,
            Utc::now(),
        );
        tx.save_grant(&grant).await?;
        tx.append_event(
            pb::GrantEventKind::Decided as i64,
            &FeedPayload::Grant(Box::new(grant.clone()), cpr),
            grant.recorded_at,
        )
        .await?;
        self.finish(tx, &key, pb_grant(&grant)).await
    }

    async fn revisit_grant(&self, request: Request<pb::RevisitGrantRequest>) -> Result<Response<pb::Grant>, Status> {
        require(&request, WRITERS)?;
        let r = request.into_inner();
        let key = RequestKey::new("RevisitGrant", &r.request_id, &r)?;
        let mut v = Violations::new();
        let effective_from = v.take("effective_from", date(r.effective_from.as_ref(), "effective_from"));
        v.check(
            r.visited_minutes_per_week <= afregning_tariff::course::MINUTES_PER_WEEK,
            "visited_minutes_per_week",
            "more minutes than a week has (10,080)",
        );
        v.finish()?;
        let command = Command::Revisit {
            effective_from: effective_from.unwrap_or_default(),
            visited_minutes_per_week: r.visited_minutes_per_week,
            course_type: course_type(r.course_type),
        };
        self.change(key, &r.grant_id, r.expected_version, command, r.decided_on.as_ref())
            .await
    }

    async fn change_provider(&self, request: Request<pb::ChangeProviderRequest>) -> Result<Response<pb::Grant>, Status> {
        require(&request, WRITERS)?;
        let r = request.into_inner();
        let key = RequestKey::new("ChangeProvider", &r.request_id, &r)?;
        let mut v = Violations::new();
        let effective_from = v.take("effective_from", date(r.effective_from.as_ref(), "effective_from"));
        let providers = shares(&r.providers, "providers", &mut v);
        v.finish()?;
        let command = Command::ChangeProvider {
            effective_from: effective_from.unwrap_or_default(),
            providers,
        };
        self.change(key, &r.grant_id, r.expected_version, command, r.decided_on.as_ref())
            .await
    }

    async fn suspend_grant(&self, request: Request<pb::SuspendGrantRequest>) -> Result<Response<pb::Grant>, Status> {
        require(&request, WRITERS)?;
        let r = request.into_inner();
        let key = RequestKey::new("SuspendGrant", &r.request_id, &r)?;
        let mut v = Violations::new();
        let from = v.take("from", date(r.from.as_ref(), "from"));
        let reason = text(&r.reason, "reason", 500, &mut v);
        v.finish()?;
        let command = Command::Suspend {
            from: from.unwrap_or_default(),
            reason,
        };
        self.change(key, &r.grant_id, r.expected_version, command, r.decided_on.as_ref())
            .await
    }

    async fn resume_grant(&self, request: Request<pb::ResumeGrantRequest>) -> Result<Response<pb::Grant>, Status> {
        require(&request, WRITERS)?;
        let r = request.into_inner();
        let key = RequestKey::new("ResumeGrant", &r.request_id, &r)?;
        let on = date(r.on.as_ref(), "on")?;
        self.change(key, &r.grant_id, r.expected_version, Command::Resume { on }, r.decided_on.as_ref())
            .await
    }

    async fn end_grant(&self, request: Request<pb::EndGrantRequest>) -> Result<Response<pb::Grant>, Status> {
        require(&request, WRITERS)?;
        let r = request.into_inner();
        let key = RequestKey::new("EndGrant", &r.request_id, &r)?;
        let mut v = Violations::new();
        let last_day = v.take("last_day", date(r.last_day.as_ref(), "last_day"));
        let reason = end_reason(r.reason);
        v.check(reason.is_some(), "reason", "required: GOAL_MET, DIED, MOVED or OTHER");
        v.finish()?;
        let (Some(last_day), Some(reason)) = (last_day, reason) else {
            return Err(ApiError::invalid("last_day", "required").into());
        };
        self.change(
            key,
            &r.grant_id,
            r.expected_version,
            Command::End { last_day, reason },
            r.decided_on.as_ref(),
        )
        .await
    }

    async fn get_grant(&self, request: Request<pb::GetGrantRequest>) -> Result<Response<pb::Grant>, Status> {
        require(&request, READERS)?;
        let grant = self
            .store
            .grant(&request.get_ref().grant_id)
            .await?
            .ok_or_else(|| ApiError::NotFound("grant".into()))?;
        Ok(Response::new(pb_grant(&grant)))
    }

    async fn list_grant_versions(
        &self,
        request: Request<pb::ListGrantVersionsRequest>,
    ) -> Result<Response<pb::ListGrantVersionsResponse>, Status> {
        require(&request, READERS)?;
        let r = request.get_ref();
        let (offset, limit) = page(r.page.as_ref())?;
        let versions = self.store.grant_versions(&r.grant_id, offset, limit).await?;
        if versions.is_empty() && offset == 0 {
            return Err(ApiError::NotFound("grant".into()).into());
        }
        let next_page_token = next_token(offset, limit, versions.len());
        Ok(Response::new(pb::ListGrantVersionsResponse {
            versions: versions.iter().map(pb_grant).collect(),
            next_page_token,
        }))
    }

    async fn list_citizen_grants(
        &self,
        request: Request<pb::ListCitizenGrantsRequest>,
    ) -> Result<Response<pb::ListGrantsResponse>, Status> {
        let principal = require(&request, PERSONAL_DATA)?;
        let r = request.into_inner();
        purpose_given(&r.purpose)?;
        let (offset, limit) = page(r.page.as_ref())?;
        self.store
            .citizen(&r.citizen_id)
            .await?
            .ok_or_else(|| ApiError::NotFound("citizen".into()))?;
        let grants = self.store.citizen_grants(&r.citizen_id, r.include_ended, offset, limit).await?;
        self.store
            .audit(&r.citizen_id, &principal.to_string(), "ListCitizenGrants", r.purpose.trim())
            .await?;
        let next_page_token = next_token(offset, limit, grants.len());
        Ok(Response::new(pb::ListGrantsResponse {
            grants: grants.iter().map(pb_grant).collect(),
            next_page_token,
        }))
    }

    async fn list_grants_due_for_follow_up(
        &self,
        request: Request<pb::ListGrantsDueForFollowUpRequest>,
    ) -> Result<Response<pb::ListGrantsResponse>, Status> {
        require(&request, READERS)?;
        let r = request.get_ref();
        let (offset, limit) = page(r.page.as_ref())?;
        let as_of = opt_date(r.as_of.as_ref(), "as_of")?.unwrap_or_else(today);
        if r.within_days > 366 {
            return Err(ApiError::invalid("within_days", "at most 366").into());
        }
        let until = as_of + Days::new(u64::from(r.within_days));
        let grants = self.store.due_for_follow_up(until, offset, limit).await?;
        let next_page_token = next_token(offset, limit, grants.len());
        Ok(Response::new(pb::ListGrantsResponse {
            grants: grants.iter().map(pb_grant).collect(),
            next_page_token,
        }))
    }

    async fn list_citizens_by_hours_band(
        &self,
        request: Request<pb::ListCitizensByHoursBandRequest>,
    ) -> Result<Response<pb::ListCitizensByHoursBandResponse>, Status> {
        require(&request, READERS)?;
        let r = request.get_ref();
        let (offset, limit) = page(r.page.as_ref())?;
        let as_of = opt_date(r.as_of.as_ref(), "as_of")?.unwrap_or_else(today);
        let wanted = pb::HoursBand::try_from(r.band).map_err(|_| ApiError::invalid("band", "unknown band"))?;
        let mut per_grant: BTreeMap<(String, String), Vec<Grant>> = BTreeMap::new();
        for g in self.store.versions_of_grants_valid_on(as_of).await? {
            per_grant.entry((g.citizen_id.clone(), g.grant_id.clone())).or_default().push(g);
        }
        let mut per_citizen: BTreeMap<String, u32> = BTreeMap::new();
        for ((citizen_id, _), versions) in &per_grant {
            *per_citizen.entry(citizen_id.clone()).or_default() += domain::minutes_on(versions, as_of);
        }
        let citizens: Vec<pb::CitizenHours> = per_citizen
            .into_iter()
            .filter(|(_, minutes)| *minutes > 0)
            .map(|(citizen_id, minutes)| {
                let band = match HoursBand::from_minutes_per_week(minutes) {
                    HoursBand::Under5 => pb::HoursBand::Under5,
                    HoursBand::From5To25 => pb::HoursBand::HoursBand5To25,
                    HoursBand::Over25 => pb::HoursBand::Over25,
                };
                pb::CitizenHours {
                    citizen_id,
                    visited_minutes_per_week: minutes,
                    band: band as i32,
                }
            })
            .filter(|c| wanted == pb::HoursBand::Unspecified || c.band == wanted as i32)
            .skip(usize::try_from(offset).unwrap_or(0))
            .take(usize::try_from(limit).unwrap_or(0))
            .collect();
        let next_page_token = next_token(offset, limit, citizens.len());
        Ok(Response::new(pb::ListCitizensByHoursBandResponse { citizens, next_page_token }))
    }

    async fn get_visited_hours_around_course(
        &self,
        request: Request<pb::GetVisitedHoursAroundCourseRequest>,
    ) -> Result<Response<pb::VisitedHoursAroundCourse>, Status> {
        let principal = require(&request, PERSONAL_DATA)?;
        let r = request.into_inner();
        purpose_given(&r.purpose)?;
        if r.window_days > 366 {
            return Err(ApiError::invalid("window_days", "at most 366").into());
        }
        let window = u64::from(if r.window_days == 0 { 90 } else { r.window_days });
        let grant = self
            .store
            .grant(&r.grant_id)
            .await?
            .ok_or_else(|| ApiError::NotFound("grant".into()))?;
        let course = grant
            .course
            .clone()
            .ok_or_else(|| ApiError::precondition("grant_id", "not a course grant"))?;
        let mut versions: BTreeMap<String, Vec<Grant>> = BTreeMap::new();
        for g in self.store.citizen_grant_versions(&grant.citizen_id).await? {
            versions.entry(g.grant_id.clone()).or_default().push(g);
        }
        self.store
            .audit(
                &grant.citizen_id,
                &principal.to_string(),
                "GetVisitedHoursAroundCourse",
                r.purpose.trim(),
            )
            .await?;
        let (first, last) = (course.period.first(), course.period.last());
        Ok(Response::new(pb::VisitedHoursAroundCourse {
            grant_id: grant.grant_id.clone(),
            citizen_id: grant.citizen_id.clone(),
            course_period: Some(pbc::DateRange {
                first: Some(pbc::Date::from(first)),
                last: Some(pbc::Date::from(last)),
            }),
            before_minutes_per_week: Self::average_minutes(&versions, first - Days::new(window), first - Days::new(1)),
            during_minutes_per_week: Self::average_minutes(&versions, first, last),
            after_minutes_per_week: Self::average_minutes(&versions, last + Days::new(1), last + Days::new(window)),
        }))
    }

    async fn get_progression(&self, request: Request<pb::GetProgressionRequest>) -> Result<Response<pb::Progression>, Status> {
        require(&request, READERS)?;
        let r = request.get_ref();
        let as_of = opt_date(r.as_of.as_ref(), "as_of")?.unwrap_or_else(today);
        let mut v = Violations::new();
        v.check(r.window_days <= 366, "window_days", "at most 366");
        v.check(r.follow_up_within_days <= 366, "follow_up_within_days", "at most 366");
        v.finish()?;
        let window = Days::new(u64::from(if r.window_days == 0 { 90 } else { r.window_days }));
        let due_until = as_of
            + Days::new(u64::from(if r.follow_up_within_days == 0 {
                30
            } else {
                r.follow_up_within_days
            }));
        #[derive(Default)]
        struct Sums {
            row: pb::ProgressionRow,
            minutes: [u64; 3],
            counted: [u64; 3],
        }
        let mut rows: BTreeMap<(String, CourseType), Sums> = BTreeMap::new();
        let mut citizens: BTreeMap<String, History> = BTreeMap::new();
        for grant in self.store.grants_started_by(as_of).await? {
            let Some(course) = grant.course.clone().filter(|c| c.period.first() <= as_of) else {
                continue;
            };
            let Some(lead) = grant.terms.providers.iter().find(|s| s.lead).map(|s| s.provider_id.clone()) else {
                continue;
            };
            if !citizens.contains_key(&grant.citizen_id) {
                citizens.insert(grant.citizen_id.clone(), self.history(&grant.citizen_id).await?);
            }
            let History { versions, assessments } = &citizens[&grant.citizen_id];
            let (first, last) = (course.period.first(), course.period.last());
            // Newest first: the first match is the latest.
            let before = assessments.iter().find(|(on, _)| *on <= first).map(|(_, s)| s.as_slice());
            let after = assessments
                .iter()
                .find(|(on, _)| *on > first && *on <= as_of)
                .map(|(_, s)| s.as_slice());
            let sums = rows.entry((lead.clone(), course.course_type)).or_default();
            let row = &mut sums.row;
            row.courses += 1;
            match before.zip(after).and_then(|(b, a)| Progress::between(b, a)) {
                Some(Progress::Improved) => row.improved += 1,
                Some(Progress::Held) => row.held += 1,
                Some(Progress::Worsened) => row.worsened += 1,
                None => row.not_assessed += 1,
            }
            if grant.status != domain::Status::Ended && course.follow_up_on <= due_until {
                row.due_for_follow_up += 1;
            }
            if last < as_of {
                row.courses_ended += 1;
            }
            // Only days through as_of count: what is planned beyond it has not happened yet.
            let windows = [
                (first - window, first - Days::new(1)),
                (first, last.min(as_of)),
                (last + Days::new(1), (last + window).min(as_of)),
            ];
            for (i, (from, to)) in windows.into_iter().enumerate() {
                if from <= to {
                    sums.minutes[i] += u64::from(Self::average_minutes(versions, from, to));
                    sums.counted[i] += 1;
                }
            }
        }
        let mut out = Vec::with_capacity(rows.len());
        for ((provider_id, course_type), sums) in rows {
            let name = self.store.provider(&provider_id).await?.map(|p| p.name).unwrap_or_default();
            let average = |i: usize| u32::try_from(sums.minutes[i].checked_div(sums.counted[i]).unwrap_or(0)).unwrap_or(u32::MAX);
            out.push(pb::ProgressionRow {
                provider_id,
                provider_name: name,
                course_type: pb_course_type(course_type) as i32,
                before_minutes_per_week: average(0),
                during_minutes_per_week: average(1),
                after_minutes_per_week: average(2),
                ..sums.row
            });
        }
        Ok(Response::new(pb::Progression {
            as_of: Some(pbc::Date::from(as_of)),
            rows: out,
        }))
    }

    async fn list_audit_entries(
        &self,
        request: Request<pb::ListAuditEntriesRequest>,
    ) -> Result<Response<pb::ListAuditEntriesResponse>, Status> {
        require(&request, PERSONAL_DATA)?;
        let r = request.get_ref();
        let (offset, limit) = page(r.page.as_ref())?;
        let rows = self.store.audit_entries(&r.citizen_id, offset, limit).await?;
        let next_page_token = next_token(offset, limit, rows.len());
        let entries = rows
            .into_iter()
            .map(|a| pb::AuditEntry {
                at: timestamp_text(&a.at),
                principal: a.principal,
                action: a.action,
                purpose: a.purpose,
            })
            .collect();
        Ok(Response::new(pb::ListAuditEntriesResponse { entries, next_page_token }))
    }

    type StreamGrantEventsStream = EventStream;

    async fn stream_grant_events(&self, request: Request<pb::StreamGrantEventsRequest>) -> Result<Response<EventStream>, Status> {
        let principal = require(&request, FEED_READERS)?;
        // Settlement prints CPR numbers on the lines a provider sees for its own citizens; no
        // other follower (budget holds none) receives them.
        let with_cpr = matches!(&principal, Principal::Service(name) if name == "settlement");
        let r = request.into_inner();
        let convert = move |event| feed_event(event, with_cpr);
        let stream = afregning_kit::store::feed_stream(self.store.storage.clone(), r.after_sequence, r.follow, r.max_events, convert)?;
        Ok(Response::new(Box::pin(stream)))
    }

    async fn get_feed_positions(
        &self,
        request: Request<afregning_proto::common::v1::GetFeedPositionsRequest>,
    ) -> Result<Response<afregning_proto::common::v1::FeedPositions>, Status> {
        afregning_kit::follow::answer_positions(&request, &self.store.storage, PUBLISHES, FOLLOWS).await
    }
}

fn feed_event(event: crate::store::EventRow, with_cpr: bool) -> pb::GrantEvent {
    let (grant, provider, citizen_cpr) = match &event.payload {
        FeedPayload::Grant(g, cpr) => (Some(pb_grant(g)), None, if with_cpr { cpr.clone() } else { String::new() }),
        FeedPayload::Provider(p) => (None, Some(pb_provider(p)), String::new()),
    };
    pb::GrantEvent {
        sequence: u64::try_from(event.sequence).unwrap_or_default(),
        kind: i32::try_from(event.kind).unwrap_or_default(),
        grant,
        committed_at: timestamp_text(&event.committed_at),
        provider,
        citizen_cpr,
        trace_parent: event.trace_parent,
    }
}

fn citizen(row: &CitizenRow, with_cpr: bool) -> pb::Citizen {
    pb::Citizen {
        citizen_id: row.citizen_id.clone(),
        cpr: if with_cpr { row.cpr.clone() } else { String::new() },
        birth_date: NaiveDate::parse_from_str(&row.birth_date, "%Y-%m-%d").ok().map(pbc::Date::from),
        registered_at: timestamp_text(&row.registered_at),
    }
}

fn assessment(row: &AssessmentRow) -> Result<pb::Assessment, ApiError> {
    Ok(pb::Assessment {
        assessment_id: row.assessment_id.clone(),
        citizen_id: row.citizen_id.clone(),
        assessed_on: row.day().map(pbc::Date::from),
        assessor: row.assessor.clone(),
        scores: row
            .function_scores()?
            .into_iter()
            .map(|(area, score)| pb::FunctionScore { area, score })
            .collect(),
        recorded_at: timestamp_text(&row.recorded_at),
    })
}
