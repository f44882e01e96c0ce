//! FSIII assessments: a citizen's function scores per area on a day, 0 (no limitation) to 4
//! (total), or 9 (not relevant). Progression compares the scores before and after a course.

use chrono::{DateTime, NaiveDate, Utc};

use super::ids::{AssessmentId, CitizenId};

/// One area's score.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionScore {
    /// FSIII area code.
    pub area: String,
    /// 0–4, or 9 for not relevant.
    pub score: u32,
}

/// A recorded assessment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessment {
    /// The assessment's id.
    pub assessment_id: AssessmentId,
    /// Whose function was assessed.
    pub citizen_id: CitizenId,
    /// The day of the assessment (progression reads scores by day).
    pub assessed_on: NaiveDate,
    /// Who assessed.
    pub assessor: String,
    /// One score per area, each area once.
    pub scores: Vec<FunctionScore>,
    /// When it was stored.
    pub recorded_at: DateTime<Utc>,
}

impl Assessment {
    /// The scores as `(area, score)` pairs, as the tariff's progression rule reads them.
    pub fn pairs(&self) -> Vec<(String, u32)> {
        self.scores.iter().map(|s| (s.area.clone(), s.score)).collect()
    }
}

/// The most areas one assessment scores.
pub const MAX_SCORES: usize = 64;

/// What is wrong with an assessment's scores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScoreFault {
    /// None, or more than [`MAX_SCORES`].
    Count,
    /// Score `i`'s area is not an FSIII area code.
    Area(usize),
    /// Score `i` is not 0–4 or 9.
    Score(usize),
    /// Score `i` scores an area an earlier one scored.
    ScoredTwice(usize),
}

impl ScoreFault {
    /// What is wrong, in words a user can act on.
    pub fn problem(&self) -> &'static str {
        match self {
            ScoreFault::Count => "1–64 function scores",
            ScoreFault::Area(_) => "an FSIII area code",
            ScoreFault::Score(_) => "0–4, or 9 for not relevant",
            ScoreFault::ScoredTwice(_) => "scored twice",
        }
    }
}

/// Every fault of `scores`, in order.
pub fn check_scores(scores: &[FunctionScore]) -> Vec<ScoreFault> {
    let mut faults = Vec::new();
    if scores.is_empty() || scores.len() > MAX_SCORES {
        faults.push(ScoreFault::Count);
    }
    for (i, s) in scores.iter().enumerate() {
        let area_ok = !s.area.is_empty() && s.area.len() <= 64 && s.area.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
        if !area_ok {
            faults.push(ScoreFault::Area(i));
        }
        if !matches!(s.score, 0..=4 | 9) {
            faults.push(ScoreFault::Score(i));
        }
        if scores[..i].iter().any(|o| o.area == s.area) {
            faults.push(ScoreFault::ScoredTwice(i));
        }
    }
    faults
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(area: &str, score: u32) -> FunctionScore {
        FunctionScore { area: area.into(), score }
    }

    #[test]
    fn scores_are_fsiii_areas_scored_once_zero_to_four_or_nine() {
        assert!(check_scores(&[score("b530", 2), score("d450", 9)]).is_empty());
        assert_eq!(check_scores(&[]), vec![ScoreFault::Count]);
        assert_eq!(
            check_scores(&[score("b530", 5), score("b530", 1), score("bad area", 0)]),
            vec![ScoreFault::Score(0), ScoreFault::ScoredTwice(1), ScoreFault::Area(2)]
        );
    }
}
