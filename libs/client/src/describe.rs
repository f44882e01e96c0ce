//! A failed call in words a person can act on: which code, which fields, and what to do next.

use tonic_types::StatusExt;

/// An error for people: a gRPC status with its code and each field at fault.
pub fn describe(error: &anyhow::Error) -> String {
    let Some(status) = error.downcast_ref::<tonic::Status>() else {
        return format!("{error:#}");
    };
    let mut text = match status.code() {
        tonic::Code::Unavailable => format!("the service is not reachable ({})", status.message()),
        tonic::Code::Unauthenticated => format!("{} — pass --token or set AFREGNING_TOKEN", status.message()),
        tonic::Code::PermissionDenied => "permission denied: your token's principal may not do this".to_owned(),
        code => format!("{code:?}: {}", status.message()),
    };
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
