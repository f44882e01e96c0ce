//! Deciding and changing grants — each change a new version with its orders and feed event, in
//! one transaction — and the grant reads.

use afregning_kit::ApiError;
use afregning_kit::store::{RequestKey, Tx};
use chrono::{NaiveDate, Utc};
use prost::Message;

use super::{App, Begun};
use crate::domain::approval::{approval_code, check_approved};
use crate::domain::error::{Input, Missing, VisitationError};
use crate::domain::order::orders_for;
use crate::domain::overlap::check_no_overlap;
use crate::domain::{CitizenId, Command, Decision, FeedPayload, Grant, GrantId, Share, derive};
use crate::store::{self, On};

impl App {
    /// Decides a new grant: derives it with the tariff, checks the citizen, the providers'
    /// approval and the overlap rule under the citizen's lock, and publishes the first version.
    pub async fn decide_grant<M: Message + Default>(
        &self,
        key: &RequestKey,
        decision: Decision,
        answer: impl FnOnce(&Grant) -> M,
    ) -> Result<M, ApiError> {
        let derived = derive(&decision.terms, decision.start, &*self.catalogs().await?)?;
        let mut tx = match self.begin(key).await? {
            Begun::Fresh(tx) => tx,
            Begun::Replayed(first) => return Ok(first),
        };
        let Some(cpr) = store::citizens::lock(&mut tx, &decision.citizen_id).await? else {
            return Err(VisitationError::NotFound(Missing::Citizen).into());
        };
        let approval = approval_code(&decision.terms, derived.course.as_ref());
        let input = |i| Input::TermsProviders(Some(i));
        check_providers(&mut tx, &decision.terms.providers, &approval, input).await?;
        let same = store::grants::of_intervention(On::from(&mut tx), &decision.citizen_id, &decision.terms.intervention).await?;
        check_no_overlap(&same, decision.start, decision.end)?;
        let grant = Grant::decide(GrantId::fresh(), decision, derived, Utc::now());
        store::grants::save(&mut tx, &grant).await?;
        store::orders::append(&mut tx, &grant, &orders_for(std::slice::from_ref(&grant))).await?;
        let answer = answer(&grant);
        store::feed::append(&mut tx, &FeedPayload::Grant(Box::new(grant.clone()), cpr), grant.recorded_at).await?;
        self.store.finish(tx, key, answer).await
    }

    /// Applies a change to the grant at `expected_version`: the shared path of every change
    /// RPC. Providers are checked again when they, or the unit they must be approved for,
    /// change.
    pub async fn change_grant<M: Message + Default>(
        &self,
        key: &RequestKey,
        grant_id: &GrantId,
        expected_version: u32,
        command: Command,
        decided_on: NaiveDate,
        answer: impl FnOnce(&Grant) -> M,
    ) -> Result<M, ApiError> {
        let catalogs = self.catalogs().await?;
        let mut tx = match self.begin(key).await? {
            Begun::Fresh(tx) => tx,
            Begun::Replayed(first) => return Ok(first),
        };
        let current = store::grants::get(On::from(&mut tx), grant_id)
            .await?
            .ok_or(VisitationError::NotFound(Missing::Grant))?;
        if expected_version != current.version {
            return Err(VisitationError::StaleVersion { current: current.version }.into());
        }
        let next = current.apply(command, decided_on, &catalogs, Utc::now())?;
        let approval = approval_code(&next.terms, next.course.as_ref());
        if next.terms.providers != current.terms.providers || approval != approval_code(&current.terms, current.course.as_ref()) {
            let input = |i| Input::NewProviders(Some(i));
            check_providers(&mut tx, &next.terms.providers, &approval, input).await?;
        }
        if !store::grants::save(&mut tx, &next).await? {
            return Err(VisitationError::ChangedMeanwhile.into());
        }
        let versions = store::grants::versions(On::from(&mut tx), grant_id, 0, i64::MAX).await?;
        store::orders::append(&mut tx, &next, &orders_for(&versions)).await?;
        let cpr = store::citizens::cpr_of(&mut tx, &next.citizen_id).await?;
        let answer = answer(&next);
        store::feed::append(&mut tx, &FeedPayload::Grant(Box::new(next.clone()), cpr), next.recorded_at).await?;
        self.store.finish(tx, key, answer).await
    }

    /// The current version of a grant.
    pub async fn grant(&self, grant_id: &GrantId) -> Result<Grant, ApiError> {
        Ok(store::grants::get(self.store.pool(), grant_id)
            .await?
            .ok_or(VisitationError::NotFound(Missing::Grant))?)
    }

    /// A page of a grant's versions, oldest first; NOT_FOUND for a grant with none.
    pub async fn grant_versions(&self, grant_id: &GrantId, offset: i64, limit: i64) -> Result<Vec<Grant>, ApiError> {
        let versions = store::grants::versions(self.store.pool(), grant_id, offset, limit).await?;
        if versions.is_empty() && offset == 0 {
            return Err(VisitationError::NotFound(Missing::Grant).into());
        }
        Ok(versions)
    }

    /// A known citizen's grants (current versions), the read audited.
    pub async fn citizen_grants(
        &self,
        citizen_id: &CitizenId,
        include_ended: bool,
        (offset, limit): (i64, i64),
        principal: &str,
        purpose: &str,
    ) -> Result<Vec<Grant>, ApiError> {
        self.known_citizen(citizen_id).await?;
        let grants = store::grants::of_citizen(self.store.pool(), citizen_id, include_ended, offset, limit).await?;
        self.audit(self.store.pool(), citizen_id, principal, "ListCitizenGrants", purpose)
            .await?;
        Ok(grants)
    }

    /// Grants not ended whose follow-up falls on or before `until`.
    pub async fn due_for_follow_up(&self, until: NaiveDate, offset: i64, limit: i64) -> Result<Vec<Grant>, ApiError> {
        store::grants::due_for_follow_up(self.store.pool(), until, offset, limit).await
    }
}

/// Loads each share's provider inside the write and checks its approval for `approval`.
async fn check_providers(tx: &mut Tx, shares: &[Share], approval: &str, input: impl Fn(usize) -> Input) -> Result<(), ApiError> {
    let mut registered = Vec::with_capacity(shares.len());
    for share in shares {
        let provider = store::providers::get(On::from(&mut *tx), &share.provider_id).await?;
        let known = provider.is_some();
        registered.push(provider);
        if !known {
            // The rule stops at the first unknown provider; no need to read the rest.
            break;
        }
    }
    Ok(check_approved(shares, &registered, approval, input)?)
}
