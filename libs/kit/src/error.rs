//! The small fixed set of errors an Afregning API returns, each mapped to exactly one gRPC code.
//!
//! Client errors carry `google.rpc.BadRequest` field violations (via `tonic-types`) naming the
//! field by its proto path, so the EHR or a provider system can show the user what to fix.
//! Internal causes are logged with context and never sent to the client; a database that cannot
//! be reached is UNAVAILABLE (retry later), never INTERNAL.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

/// One field at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldViolation {
    /// Proto path of the field, e.g. `terms.visited_minutes_per_week`.
    pub field: String,
    /// What is wrong, in words a user can act on. Never contains personal data.
    pub description: String,
}

/// Every error an API call can end with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request itself is malformed (INVALID_ARGUMENT).
    #[error("invalid argument")]
    InvalidArgument(Vec<FieldViolation>),
    /// The request is well-formed but the system is not in a state to accept it (FAILED_PRECONDITION).
    #[error("{message}")]
    FailedPrecondition {
        /// What state stands in the way.
        message: String,
        /// The fields concerned, if any.
        violations: Vec<FieldViolation>,
    },
    /// The named entity does not exist (NOT_FOUND).
    #[error("{0} not found")]
    NotFound(String),
    /// The request id was used before with other content (ALREADY_EXISTS).
    #[error("{0}")]
    AlreadyExists(String),
    /// The caller may not do this (PERMISSION_DENIED).
    #[error("permission denied")]
    PermissionDenied,
    /// The caller is not authenticated (UNAUTHENTICATED).
    #[error("unauthenticated")]
    Unauthenticated,
    /// A dependency (the database) is unreachable; safe to retry (UNAVAILABLE).
    #[error("service unavailable, retry later")]
    Unavailable(#[source] anyhow::Error),
    /// A bug or an unexpected state (INTERNAL). Logged, never detailed to the client.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

/// Names the field a wire value came from when it does not convert: INVALID_ARGUMENT with the
/// conversion's words.
pub trait Field<T> {
    /// The value, or INVALID_ARGUMENT naming `field`.
    fn field(self, field: &str) -> Result<T, ApiError>;
}

impl<T> Field<T> for Result<T, afregning_proto::convert::WireError> {
    fn field(self, field: &str) -> Result<T, ApiError> {
        self.map_err(|problem| ApiError::invalid(field, problem.to_string()))
    }
}

impl ApiError {
    /// INVALID_ARGUMENT for one field.
    pub fn invalid(field: impl Into<String>, description: impl Into<String>) -> ApiError {
        ApiError::InvalidArgument(vec![FieldViolation {
            field: field.into(),
            description: description.into(),
        }])
    }

    /// FAILED_PRECONDITION naming one field.
    pub fn precondition(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        let message = message.into();
        ApiError::FailedPrecondition {
            violations: vec![FieldViolation {
                field: field.into(),
                description: message.clone(),
            }],
            message,
        }
    }

    /// The gRPC code this error maps to.
    pub fn code(&self) -> Code {
        match self {
            ApiError::InvalidArgument(_) => Code::InvalidArgument,
            ApiError::FailedPrecondition { .. } => Code::FailedPrecondition,
            ApiError::NotFound(_) => Code::NotFound,
            ApiError::AlreadyExists(_) => Code::AlreadyExists,
            ApiError::PermissionDenied => Code::PermissionDenied,
            ApiError::Unauthenticated => Code::Unauthenticated,
            ApiError::Unavailable(_) => Code::Unavailable,
            ApiError::Internal(_) => Code::Internal,
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> ApiError {
        match &error {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
                ApiError::Unavailable(error.into())
            }
            // PostgreSQL: connection exceptions (08…), operator intervention such as a shutdown
            // in progress (57P…), and serialization failures (40001) are all worth a retry.
            sqlx::Error::Database(db)
                if db
                    .code()
                    .is_some_and(|c| c.starts_with("08") || c.starts_with("57P") || c == "40001") =>
            {
                ApiError::Unavailable(error.into())
            }
            // Safety nets behind the checks at the edge and the locks of each write: a text the
            // database cannot hold (22021), a number beyond its column (22003), and a record a
            // concurrent request stored first (a unique violation) are the client's to see.
            sqlx::Error::Database(db) if db.code().is_some_and(|c| c == "22021" || c == "22P05") => {
                tracing::warn!(error = %error, "a text the database cannot store reached it");
                ApiError::invalid("request", "holds a character that cannot be stored")
            }
            sqlx::Error::Database(db) if db.code().is_some_and(|c| c == "22003") => {
                tracing::warn!(error = %error, "a number beyond its column reached the database");
                ApiError::invalid("request", "holds a number out of range")
            }
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                tracing::warn!(error = %error, "a concurrent request stored the same record first");
                ApiError::AlreadyExists("a concurrent request stored this first; send the request again to read it".into())
            }
            _ => ApiError::Internal(error.into()),
        }
    }
}

impl From<ApiError> for Status {
    fn from(error: ApiError) -> Status {
        let code = error.code();
        match error {
            ApiError::InvalidArgument(violations) => with_violations(code, "invalid argument", &violations),
            ApiError::FailedPrecondition { message, violations } => with_violations(code, &message, &violations),
            ApiError::Unavailable(cause) => {
                tracing::warn!(error = format!("{cause:#}"), "dependency unavailable");
                Status::unavailable("service unavailable, retry later")
            }
            ApiError::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "internal error");
                Status::internal("internal error")
            }
            other => Status::new(code, other.to_string()),
        }
    }
}

fn with_violations(code: Code, message: &str, violations: &[FieldViolation]) -> Status {
    let mut details = ErrorDetails::new();
    for v in violations {
        details.add_bad_request_violation(v.field.clone(), v.description.clone());
    }
    let summary = match violations {
        [] => message.to_owned(),
        [one] => format!("{}: {}", one.field, one.description),
        [first, rest @ ..] => format!("{}: {} (and {} more)", first.field, first.description, rest.len()),
    };
    Status::with_error_details(code, summary, details)
}

/// Collects field violations so a request is checked whole and answered once, every fault named.
#[derive(Debug, Default)]
pub struct Violations(Vec<FieldViolation>);

impl Violations {
    /// An empty collection.
    pub fn new() -> Violations {
        Violations::default()
    }

    /// Records a violation of `field`.
    pub fn add(&mut self, field: impl Into<String>, description: impl Into<String>) {
        self.0.push(FieldViolation {
            field: field.into(),
            description: description.into(),
        });
    }

    /// Records `field`'s fault if the client-sent amount is out of bounds
    /// ([`crate::input::amount_problem`]).
    pub fn amount(&mut self, field: &str, amount_ore: i64, may_be_negative: bool) {
        if let Some(problem) = crate::input::amount_problem(amount_ore, may_be_negative) {
            self.add(field, problem);
        }
    }

    /// Records a violation unless `ok`.
    pub fn check(&mut self, ok: bool, field: &str, description: &str) {
        if !ok {
            self.add(field, description);
        }
    }

    /// Keeps the value of `result`, or records its error against `field`.
    pub fn take<T, E: std::fmt::Display>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        result.map_err(|e| self.add(field, e.to_string())).ok()
    }

    /// `Ok(())` when nothing was recorded, else INVALID_ARGUMENT with every violation.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::InvalidArgument(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violations_travel_as_bad_request_details() {
        let mut v = Violations::new();
        v.check(false, "cpr", "must be 10 digits");
        v.check(true, "start", "never shown");
        v.add("end", "must not be before start");
        let status = Status::from(v.finish().unwrap_err());
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(status.message(), "cpr: must be 10 digits (and 1 more)");
        let bad = status.get_details_bad_request().expect("bad request details");
        let fields: Vec<&str> = bad.field_violations.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["cpr", "end"]);
    }

    #[test]
    fn each_error_has_one_code_and_internal_hides_its_cause() {
        let internal = Status::from(ApiError::Internal(anyhow::anyhow!("secret table name")));
        assert_eq!((internal.code(), internal.message()), (Code::Internal, "internal error"));
        assert_eq!(Status::from(ApiError::from(sqlx::Error::PoolTimedOut)).code(), Code::Unavailable);
        assert_eq!(
            Status::from(ApiError::precondition("grant_id", "grant has ended")).code(),
            Code::FailedPrecondition
        );
        assert_eq!(
            Status::from(ApiError::AlreadyExists("request id reused".into())).code(),
            Code::AlreadyExists
        );
        assert_eq!(Status::from(ApiError::PermissionDenied).code(), Code::PermissionDenied);
    }
}
