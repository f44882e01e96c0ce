//! The overlap rule: a citizen has at most one grant of an intervention on any day, so a new
//! grant may not share a day with another grant of the same intervention (ended grants count
//! up to their last day).

use chrono::NaiveDate;

use super::error::VisitationError;
use super::grant::Grant;

impl Grant {
    /// Whether the grant's days (as far as decided; open-ended runs on) share a day with
    /// `start..=end`.
    pub fn overlaps(&self, start: NaiveDate, end: Option<NaiveDate>) -> bool {
        let self_end = self.end.unwrap_or(NaiveDate::MAX);
        let other_end = end.unwrap_or(NaiveDate::MAX);
        self.start <= other_end && start <= self_end
    }
}

/// Refuses a new grant from `start` to `end` when one of `same_intervention` (the citizen's
/// grants of the same intervention) shares a day with it.
pub fn check_no_overlap(same_intervention: &[Grant], start: NaiveDate, end: Option<NaiveDate>) -> Result<(), VisitationError> {
    match same_intervention.iter().find(|g| g.overlaps(start, end)) {
        Some(clash) => Err(VisitationError::Overlaps {
            grant_id: clash.grant_id.to_string(),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::grant::tests::{day, grant, service_terms};

    #[test]
    fn grants_sharing_a_day_overlap_and_adjacent_ones_do_not() {
        let mut g = grant(service_terms(60), day(3, 1));
        g.end = Some(day(3, 31));
        assert!(g.overlaps(day(3, 31), None));
        assert!(g.overlaps(day(2, 1), Some(day(3, 1))));
        assert!(!g.overlaps(day(4, 1), None));
        assert!(!g.overlaps(day(1, 1), Some(day(2, 28))));
        assert_eq!(
            check_no_overlap(std::slice::from_ref(&g), day(3, 15), Some(day(5, 1))),
            Err(VisitationError::Overlaps { grant_id: "gr_1".into() })
        );
        assert_eq!(check_no_overlap(&[g], day(4, 1), None), Ok(()));
    }

    #[test]
    fn an_open_ended_grant_overlaps_everything_after_its_start() {
        let g = grant(service_terms(60), day(3, 1));
        assert!(g.overlaps(day(12, 31), Some(day(12, 31))));
        assert!(!g.overlaps(day(1, 1), Some(day(2, 28))));
    }
}
