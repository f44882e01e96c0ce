//! The progression reads: citizens by weekly hours, a citizen's visited hours around one
//! course, and the cockpit's rows per provider and course type. The analysis itself is
//! [`crate::domain::progression`]; these load what it needs.

use std::collections::{BTreeMap, BTreeSet};

use afregning_kit::ApiError;
use afregning_tariff::{CoursePeriod, HoursBand};
use chrono::NaiveDate;

use super::App;
use crate::domain::error::VisitationError;
use crate::domain::progression::{self, AroundCourse, History, ProgressionQuery, ProgressionRow, by_grant};
use crate::domain::{CitizenId, Grant, GrantId};
use crate::store;

/// Assessments progression reads per citizen at most.
const MAX_ASSESSMENTS: i64 = 10_000;

impl App {
    /// Citizens visited on `on`, with their minutes per week and hours band, those of `band`
    /// only when given, a page at a time by citizen id.
    pub async fn citizens_by_hours_band(
        &self,
        on: NaiveDate,
        band: Option<HoursBand>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<(CitizenId, u32, HoursBand)>, ApiError> {
        let versions = store::grants::versions_valid_on(self.store.pool(), on).await?;
        Ok(progression::minutes_per_citizen(versions, on)
            .into_iter()
            .filter(|(_, _, b)| band.is_none_or(|wanted| *b == wanted))
            .skip(usize::try_from(offset).unwrap_or(0))
            .take(usize::try_from(limit).unwrap_or(0))
            .collect())
    }

    /// A course grant's citizen's visited minutes before, during and after its course period,
    /// the read audited.
    pub async fn hours_around_course(
        &self,
        grant_id: &GrantId,
        window_days: u64,
        principal: &str,
        purpose: &str,
    ) -> Result<(Grant, CoursePeriod, AroundCourse), ApiError> {
        let grant = self.grant(grant_id).await?;
        let course = grant.course.clone().ok_or(VisitationError::NotACourse)?;
        let versions = by_grant(store::grants::citizen_versions(self.store.pool(), &grant.citizen_id).await?);
        self.audit(
            self.store.pool(),
            &grant.citizen_id,
            principal,
            "GetVisitedHoursAroundCourse",
            purpose,
        )
        .await?;
        let around = progression::around_course(&versions, &course, window_days);
        Ok((grant, course, around))
    }

    /// The cockpit's rows as of `query.as_of`, each with its provider's name.
    pub async fn progression(&self, query: ProgressionQuery) -> Result<Vec<(ProgressionRow, String)>, ApiError> {
        let grants = store::grants::started_by(self.store.pool(), query.as_of).await?;
        let citizens: BTreeSet<&CitizenId> = grants
            .iter()
            .filter(|g| progression::counted(g, query.as_of).is_some())
            .map(|g| &g.citizen_id)
            .collect();
        let mut histories = BTreeMap::new();
        for citizen_id in citizens {
            histories.insert(citizen_id.clone(), self.history(citizen_id).await?);
        }
        let mut out = Vec::new();
        for row in progression::progression(&grants, &histories, query) {
            let name = store::providers::get(self.store.pool(), &row.provider_id)
                .await?
                .map(|p| p.name)
                .unwrap_or_default();
            out.push((row, name));
        }
        Ok(out)
    }

    /// What progression reads of one citizen.
    async fn history(&self, citizen_id: &CitizenId) -> Result<History, ApiError> {
        let versions = by_grant(store::grants::citizen_versions(self.store.pool(), citizen_id).await?);
        let assessments = store::assessments::of_citizen(self.store.pool(), citizen_id, 0, MAX_ASSESSMENTS)
            .await?
            .into_iter()
            .map(|a| (a.assessed_on, a.pairs()))
            .collect();
        Ok(History { versions, assessments })
    }
}
