//! Budget's refusals on the wire: each [`BudgetError`] becomes one of the kit's codes, naming the
//! request field the client can act on.

use afregning_kit::ApiError;

use crate::domain::{BudgetError, Figure};

impl From<BudgetError> for ApiError {
    fn from(error: BudgetError) -> ApiError {
        let words = error.to_string();
        match error {
            BudgetError::CommitteeExists(_) => ApiError::AlreadyExists(words),
            BudgetError::FrameNotFound => ApiError::NotFound("frame".into()),
            BudgetError::CaseNotFound => ApiError::NotFound("case".into()),
            BudgetError::NotYours => ApiError::PermissionDenied,
            BudgetError::UnknownCommittee | BudgetError::AlreadyDecided => ApiError::precondition("committee", words),
            BudgetError::QuarterOpen => ApiError::precondition("quarter", words),
            BudgetError::ExplanationRequired => ApiError::precondition("period", words),
            BudgetError::FirstSettingFromYearStart | BudgetError::EffectiveInClosedMonth(_) => {
                ApiError::precondition("effective_from", words)
            }
            BudgetError::EffectiveOutsideYear => ApiError::invalid("effective_from", words),
            BudgetError::NotAwaitingDecisions
            | BudgetError::NotApproved
            | BudgetError::AlreadyExecuted
            | BudgetError::FrameWithoutBudget { .. } => ApiError::precondition("case_id", words),
            BudgetError::Overflow(Figure::ErpLine(i)) => ApiError::invalid(
                format!("erp_totals[{i}].amount_ore"),
                "the lines of one frame, account and month add up beyond any amount",
            ),
            BudgetError::Overflow(Figure::Netting) => ApiError::invalid(
                "quarter",
                "the purchases between two frames in the quarter add up beyond any amount",
            ),
            BudgetError::Overflow(Figure::FrameFigures) => ApiError::invalid("frame", "the frame's figures add up beyond any amount"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic::Code;

    #[test]
    fn each_refusal_has_its_code_and_field() {
        let field = |e: ApiError| match e {
            ApiError::InvalidArgument(v) => v[0].field.clone(),
            ApiError::FailedPrecondition { violations, .. } => violations[0].field.clone(),
            other => format!("{:?}", other.code()),
        };
        assert_eq!(field(BudgetError::AlreadyDecided.into()), "committee");
        assert_eq!(field(BudgetError::AlreadyExecuted.into()), "case_id");
        assert_eq!(field(BudgetError::Overflow(Figure::ErpLine(3)).into()), "erp_totals[3].amount_ore");
        assert_eq!(ApiError::from(BudgetError::NotYours).code(), Code::PermissionDenied);
        assert_eq!(ApiError::from(BudgetError::FrameNotFound).code(), Code::NotFound);
    }
}
