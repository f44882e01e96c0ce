//! Provider approval: every provider a grant names must be registered and approved for the
//! grant's unit — its service category, its package, or `course:<TYPE>` for the course type the
//! tariff derived.

use afregning_tariff::{CoursePeriod, CourseType};

use super::error::{Input, VisitationError};
use super::grant::{Terms, UnitKind};
use super::provider::Provider;
use super::shares::Share;

/// The code a provider must be approved for to deliver `terms` (with the derived course type).
pub fn approval_code(terms: &Terms, course: Option<&CoursePeriod>) -> String {
    match terms.unit_kind {
        UnitKind::Service => terms.service_category.clone().unwrap_or_default(),
        UnitKind::Package => terms.package.clone().unwrap_or_default(),
        UnitKind::Course => format!(
            "course:{}",
            course
                .map(|c| c.course_type)
                .or(terms.course_type)
                .map(CourseType::code)
                .unwrap_or("")
        ),
    }
}

/// Checks each share against its registered provider (`registered[i]` for `shares[i]`, `None`
/// when unknown); the first share at fault is named through `input(i)`.
pub fn check_approved(
    shares: &[Share],
    registered: &[Option<Provider>],
    approval: &str,
    input: impl Fn(usize) -> Input,
) -> Result<(), VisitationError> {
    for (i, _) in shares.iter().enumerate() {
        match registered.get(i).and_then(Option::as_ref) {
            None => return Err(VisitationError::UnknownProvider(input(i))),
            Some(p) if !p.approved_for.iter().any(|a| a == approval) => {
                return Err(VisitationError::NotApproved {
                    input: input(i),
                    approval: approval.to_owned(),
                });
            }
            Some(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::grant::tests::{course_terms, service_terms};
    use crate::domain::provider::ProviderKind;
    use afregning_tariff::Cvr;

    fn provider(approved_for: &[&str]) -> Provider {
        Provider {
            provider_id: "prv_a".into(),
            cvr: Cvr::parse("29189668").unwrap(),
            name: "Nord".into(),
            kind: ProviderKind::Municipal,
            committee: "SOCIAL".into(),
            approved_for: approved_for.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn the_code_is_the_category_package_or_course_type() {
        assert_eq!(approval_code(&service_terms(60), None), "personal_care");
        assert_eq!(approval_code(&course_terms(60), None), "course:DEVELOPING");
    }

    #[test]
    fn unknown_and_unapproved_providers_are_named_by_their_share() {
        let terms = service_terms(60);
        let shares = &terms.providers;
        let input = |i| Input::NewProviders(Some(i));
        assert_eq!(
            check_approved(shares, &[Some(provider(&["personal_care"]))], "personal_care", input),
            Ok(())
        );
        assert_eq!(
            check_approved(shares, &[None], "personal_care", input),
            Err(VisitationError::UnknownProvider(Input::NewProviders(Some(0))))
        );
        assert_eq!(
            check_approved(shares, &[Some(provider(&["nursing"]))], "personal_care", input),
            Err(VisitationError::NotApproved {
                input: Input::NewProviders(Some(0)),
                approval: "personal_care".into()
            })
        );
    }
}
