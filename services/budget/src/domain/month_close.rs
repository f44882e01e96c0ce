//! Closing a frame's month: an expected overrun beyond the configured threshold must be explained
//! (with corrective actions) before the month can be closed (docs/design.md, "Follow-up as of a
//! date").

use afregning_tariff::Ore;

use super::error::BudgetError;

/// Whether `expected_result` is an overrun beyond `threshold` (a positive amount of øre).
pub fn is_overrun(expected_result: Ore, threshold: Ore) -> bool {
    expected_result.get() < threshold.get().saturating_neg()
}

/// Whether a frame's month still needs a deviation explanation: an overrun beyond the threshold
/// and none given for the month.
pub fn explanation_required(expected_result: Ore, threshold: Ore, explained: bool) -> bool {
    is_overrun(expected_result, threshold) && !explained
}

/// Whether the month may close, given whether it still needs an explanation.
pub fn may_close(explanation_required: bool) -> Result<(), BudgetError> {
    if explanation_required {
        Err(BudgetError::ExplanationRequired)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overrun_beyond_the_threshold_must_be_explained_before_closing() {
        let threshold = Ore::new(100_000);
        assert!(!is_overrun(Ore::new(-100_000), threshold), "at the threshold is within it");
        assert!(is_overrun(Ore::new(-100_001), threshold));
        assert!(explanation_required(Ore::new(-4_250_143), threshold, false));
        assert!(!explanation_required(Ore::new(-4_250_143), threshold, true));
        assert_eq!(may_close(true), Err(BudgetError::ExplanationRequired));
        assert_eq!(may_close(false), Ok(()));
    }
}
