//! Registering citizens and reading their personal data; every such read is written to the
//! citizen's audit log.

use afregning_kit::ApiError;
use afregning_kit::store::RequestKey;
use afregning_tariff::Cpr;
use chrono::{NaiveDate, Utc};
use prost::Message;

use super::{App, Begun};
use crate::domain::CitizenId;
use crate::domain::citizen::{AuditEntry, Citizen, REREGISTRATION_PURPOSE, registrable};
use crate::domain::error::{Missing, VisitationError};
use crate::store::{self, On, as_stored};

impl App {
    /// Registers a CPR number, or finds it registered (an audited read, since the answer tells
    /// the caller the person is known).
    pub async fn register_citizen<M: Message + Default>(
        &self,
        key: &RequestKey,
        cpr: Cpr,
        principal: &str,
        today: NaiveDate,
        answer: impl FnOnce(&Citizen) -> M,
    ) -> Result<M, ApiError> {
        let birth_date = registrable(&cpr, today)?;
        let mut tx = match self.begin(key).await? {
            Begun::Fresh(tx) => tx,
            Begun::Replayed(first) => return Ok(first),
        };
        store::citizens::lock_cpr(&mut tx, &cpr).await?;
        let citizen = match store::citizens::by_cpr(On::from(&mut tx), &cpr).await? {
            Some(existing) => {
                let action = "RegisterCitizen";
                self.audit(On::from(&mut tx), &existing.citizen_id, principal, action, REREGISTRATION_PURPOSE)
                    .await?;
                existing
            }
            None => {
                let citizen = Citizen {
                    citizen_id: CitizenId::fresh(),
                    cpr,
                    birth_date,
                    registered_at: as_stored(Utc::now()),
                };
                store::citizens::insert(&mut tx, &citizen).await?;
                citizen
            }
        };
        self.store.finish(tx, key, answer(&citizen)).await
    }

    /// A citizen by id, the read audited with `purpose` (which may be empty: then the caller
    /// is not shown the CPR number).
    pub async fn citizen(&self, citizen_id: &CitizenId, principal: &str, purpose: &str) -> Result<Citizen, ApiError> {
        let citizen = self.known_citizen(citizen_id).await?;
        self.audit(self.store.pool(), &citizen.citizen_id, principal, "GetCitizen", purpose)
            .await?;
        Ok(citizen)
    }

    /// A citizen by CPR number, the read audited.
    pub async fn citizen_by_cpr(&self, cpr: &Cpr, principal: &str, purpose: &str) -> Result<Citizen, ApiError> {
        let citizen = store::citizens::by_cpr(self.store.pool(), cpr)
            .await?
            .ok_or(VisitationError::NotFound(Missing::Citizen))?;
        self.audit(self.store.pool(), &citizen.citizen_id, principal, "FindCitizenByCpr", purpose)
            .await?;
        Ok(citizen)
    }

    /// A citizen's audit log, oldest first.
    pub async fn audit_entries(&self, citizen_id: &CitizenId, offset: i64, limit: i64) -> Result<Vec<AuditEntry>, ApiError> {
        store::audit::of_citizen(self.store.pool(), citizen_id, offset, limit).await
    }

    /// The citizen, or NOT_FOUND.
    pub(super) async fn known_citizen(&self, citizen_id: &CitizenId) -> Result<Citizen, ApiError> {
        Ok(store::citizens::get(self.store.pool(), citizen_id)
            .await?
            .ok_or(VisitationError::NotFound(Missing::Citizen))?)
    }
}
