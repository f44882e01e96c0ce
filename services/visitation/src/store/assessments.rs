//! FSIII assessments; the scores are stored as JSON `[[area, score], …]`.

use afregning_kit::ApiError;
use afregning_kit::on_tx;
use afregning_kit::store::{Tx, from_json, json};

use super::{On, day, instant, on, timestamp};
use crate::domain::assessment::{Assessment, FunctionScore};
use crate::domain::{AssessmentId, CitizenId};

#[derive(sqlx::FromRow)]
struct AssessmentRow {
    assessment_id: String,
    citizen_id: String,
    assessed_on: String,
    assessor: String,
    scores: String,
    recorded_at: String,
}

impl TryFrom<AssessmentRow> for Assessment {
    type Error = ApiError;

    fn try_from(row: AssessmentRow) -> Result<Assessment, ApiError> {
        let pairs: Vec<(String, u32)> = from_json(&row.scores)?;
        Ok(Assessment {
            assessment_id: AssessmentId::from(row.assessment_id),
            citizen_id: CitizenId::from(row.citizen_id),
            assessed_on: day(&row.assessed_on)?,
            assessor: row.assessor,
            scores: pairs.into_iter().map(|(area, score)| FunctionScore { area, score }).collect(),
            recorded_at: instant(&row.recorded_at)?,
        })
    }
}

/// A citizen's assessments, newest first.
pub async fn of_citizen(on: On<'_>, citizen_id: &CitizenId, offset: i64, limit: i64) -> Result<Vec<Assessment>, ApiError> {
    let rows: Vec<AssessmentRow> = on!(on, e => sqlx::query_as(
        "SELECT assessment_id, citizen_id, assessed_on, assessor, scores, recorded_at FROM assessments WHERE citizen_id = $1 \
         ORDER BY assessed_on DESC, recorded_at DESC, assessment_id LIMIT $2 OFFSET $3")
        .bind(citizen_id.as_str()).bind(limit).bind(offset).fetch_all(e).await?);
    rows.into_iter().map(Assessment::try_from).collect()
}

/// Stores an assessment.
pub async fn insert(tx: &mut Tx, a: &Assessment) -> Result<(), ApiError> {
    let scores = json(&a.pairs())?;
    on_tx!(tx, t => sqlx::query("INSERT INTO assessments (assessment_id, citizen_id, assessed_on, assessor, scores, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(a.assessment_id.as_str()).bind(a.citizen_id.as_str()).bind(a.assessed_on.to_string()).bind(&a.assessor).bind(scores)
        .bind(timestamp(a.recorded_at)).execute(&mut **t).await.map(drop)?);
    Ok(())
}
