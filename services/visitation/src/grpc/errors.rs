//! Visitation's failures on the API: each maps to one of the kit's codes, naming the wire field
//! concerned exactly as clients (and the tests) expect it.

use afregning_kit::{ApiError, FieldViolation};

use crate::domain::error::{Input, VisitationError};

/// The wire field path of an input.
pub(crate) fn field(input: Input) -> String {
    match input {
        Input::Start => "start".into(),
        Input::EffectiveFrom => "effective_from".into(),
        Input::SuspendedFrom => "from".into(),
        Input::ResumedOn => "on".into(),
        Input::LastDay => "last_day".into(),
        Input::Terms => "terms".into(),
        Input::UnitKind => "terms.unit_kind".into(),
        Input::LegalBasis => "terms.legal_basis".into(),
        Input::Intervention => "terms.intervention".into(),
        Input::NeedFrame => "terms.need_frame".into(),
        Input::ServiceCategory => "terms.service_category".into(),
        Input::Package => "terms.package".into(),
        Input::CourseType => "terms.course_type".into(),
        Input::VisitedMinutes => "terms.visited_minutes_per_week".into(),
        Input::RevisedCourseType => "course_type".into(),
        Input::TermsProviders(None) => "terms.providers".into(),
        Input::TermsProviders(Some(i)) => format!("terms.providers[{i}].provider_id"),
        Input::NewProviders(None) => "providers".into(),
        Input::NewProviders(Some(i)) => format!("providers[{i}].provider_id"),
        Input::Grant => "grant_id".into(),
        Input::ExpectedVersion => "expected_version".into(),
        Input::Cpr => "cpr".into(),
        Input::Document => "document".into(),
    }
}

impl From<VisitationError> for ApiError {
    fn from(error: VisitationError) -> ApiError {
        use VisitationError as E;
        let words = error.to_string();
        let invalid = |input| ApiError::invalid(field(input), words.clone());
        let precondition = |input| ApiError::precondition(field(input), words.clone());
        match error {
            E::TermsUnfit(faults) => ApiError::InvalidArgument(
                faults
                    .into_iter()
                    .map(|f| FieldViolation {
                        field: field(f.input),
                        description: f.problem,
                    })
                    .collect(),
            ),
            E::NotFound(missing) => ApiError::NotFound(missing.noun().into()),
            E::ProviderIdTaken => ApiError::AlreadyExists(words.clone()),
            E::NoCatalog { input, .. } => precondition(input),
            E::CannotBePriced(_) => precondition(Input::Terms),
            E::Ended | E::AlreadySuspended | E::NotSuspended | E::NotACourse => precondition(Input::Grant),
            E::StaleVersion { .. } | E::ChangedMeanwhile => precondition(Input::ExpectedVersion),
            E::NotApproved { input, .. } => precondition(input),
            E::Overlaps { .. } => precondition(Input::Intervention),
            E::CourseStart(_) => invalid(Input::VisitedMinutes),
            E::CourseRevisit(_) => invalid(Input::EffectiveFrom),
            E::IncompleteUnit => invalid(Input::UnitKind),
            E::OutsideValidity(input) | E::UnknownProvider(input) => invalid(input),
            E::CourseTypeOfNonCourse => invalid(Input::RevisedCourseType),
            E::OneProviderOnly | E::SeveralProvidersOnlyForCourse => invalid(Input::NewProviders(None)),
            E::SuspendedBeforeResumption => invalid(Input::SuspendedFrom),
            E::ResumedTooEarly => invalid(Input::ResumedOn),
            E::EndedBeforeSuspension => invalid(Input::LastDay),
            E::BornInFuture | E::NoBirthDate => invalid(Input::Cpr),
            E::CatalogInvalid(_) => invalid(Input::Document),
            E::CatalogClash(_) => precondition(Input::Document),
            E::CatalogVersionTaken(_) => ApiError::AlreadyExists(words),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic::Code;

    #[test]
    fn each_failure_keeps_its_code_and_field() {
        let cases = [
            (VisitationError::Ended, Code::FailedPrecondition, "grant_id"),
            (
                VisitationError::StaleVersion { current: 3 },
                Code::FailedPrecondition,
                "expected_version",
            ),
            (VisitationError::OutsideValidity(Input::LastDay), Code::InvalidArgument, "last_day"),
            (
                VisitationError::UnknownProvider(Input::TermsProviders(Some(1))),
                Code::InvalidArgument,
                "terms.providers[1].provider_id",
            ),
            (
                VisitationError::Overlaps { grant_id: "gr_1".into() },
                Code::FailedPrecondition,
                "terms.intervention",
            ),
            (VisitationError::CourseTypeOfNonCourse, Code::InvalidArgument, "course_type"),
        ];
        for (error, code, name) in cases {
            let api = ApiError::from(error);
            assert_eq!(api.code(), code);
            let violations = match api {
                ApiError::InvalidArgument(v) | ApiError::FailedPrecondition { violations: v, .. } => v,
                other => panic!("{other:?}"),
            };
            assert_eq!(violations[0].field, name);
        }
    }
}
