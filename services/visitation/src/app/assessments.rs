//! Recording FSIII assessments and reading a citizen's (an audited personal-data read).

use afregning_kit::ApiError;
use afregning_kit::store::RequestKey;
use chrono::{NaiveDate, Utc};
use prost::Message;

use super::{App, Begun};
use crate::domain::assessment::{Assessment, FunctionScore};
use crate::domain::error::{Missing, VisitationError};
use crate::domain::{AssessmentId, CitizenId};
use crate::store::{self, On, as_stored};

impl App {
    /// Records an assessment of a known citizen; `scores` are already checked
    /// ([`crate::domain::assessment::check_scores`]).
    pub async fn record_assessment<M: Message + Default>(
        &self,
        key: &RequestKey,
        citizen_id: CitizenId,
        assessed_on: NaiveDate,
        assessor: String,
        scores: Vec<FunctionScore>,
        answer: impl FnOnce(&Assessment) -> M,
    ) -> Result<M, ApiError> {
        let mut tx = match self.begin(key).await? {
            Begun::Fresh(tx) => tx,
            Begun::Replayed(first) => return Ok(first),
        };
        if !store::citizens::exists(On::from(&mut tx), &citizen_id).await? {
            return Err(VisitationError::NotFound(Missing::Citizen).into());
        }
        let assessment = Assessment {
            assessment_id: AssessmentId::fresh(),
            citizen_id,
            assessed_on,
            assessor,
            scores,
            recorded_at: as_stored(Utc::now()),
        };
        store::assessments::insert(&mut tx, &assessment).await?;
        self.store.finish(tx, key, answer(&assessment)).await
    }

    /// A known citizen's assessments, newest first, the read audited.
    pub async fn assessments(
        &self,
        citizen_id: &CitizenId,
        offset: i64,
        limit: i64,
        principal: &str,
        purpose: &str,
    ) -> Result<Vec<Assessment>, ApiError> {
        self.known_citizen(citizen_id).await?;
        let rows = store::assessments::of_citizen(self.store.pool(), citizen_id, offset, limit).await?;
        self.audit(self.store.pool(), citizen_id, principal, "ListAssessments", purpose)
            .await?;
        Ok(rows)
    }
}
