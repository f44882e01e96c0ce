//! A failed call in words a person can act on: which code, which fields, and what to do next.

use tonic_types::StatusExt;

use crate::i18n::{Lang, t_args};

/// An error for people, in this process's language: a gRPC status with its code in words and
/// each field at fault.
pub fn describe(error: &anyhow::Error) -> String {
    describe_in(crate::i18n::lang(), error)
}

/// An error for people in `lang`. The service's own message and field descriptions follow as
/// the service wrote them.
pub fn describe_in(lang: Lang, error: &anyhow::Error) -> String {
    let Some(status) = error.downcast_ref::<tonic::Status>() else {
        return format!("{error:#}");
    };
    let key = match status.code() {
        tonic::Code::Unavailable => "error-unavailable",
        tonic::Code::Unauthenticated => "error-unauthenticated",
        tonic::Code::PermissionDenied => "error-permission-denied",
        tonic::Code::InvalidArgument => "error-invalid-argument",
        tonic::Code::NotFound => "error-not-found",
        tonic::Code::FailedPrecondition => "error-failed-precondition",
        tonic::Code::AlreadyExists => "error-already-exists",
        tonic::Code::ResourceExhausted => "error-resource-exhausted",
        _ => "error-other",
    };
    let mut text = t_args(
        lang,
        key,
        &[("message", status.message().to_owned()), ("code", format!("{:?}", status.code()))],
    );
    if let Some(bad) = status.get_details_bad_request() {
        for violation in bad.field_violations {
            // A failed precondition often says the same in its message and its one violation.
            if violation.description == status.message() {
                text.push_str(&format!(" ({})", violation.field));
                continue;
            }
            text.push_str(&format!("\n  {}: {}", violation.field, violation.description));
        }
    }
    text
}
