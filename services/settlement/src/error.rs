//! Settlement's failures, each mapped onto one of the kit's gRPC codes with the field a client
//! can act on. The use cases return these; the store keeps the kit's database mapping.

use afregning_kit::ApiError;
use afregning_tariff::money::MoneyError;
use afregning_tariff::pricing::PricingError;

use crate::domain::delivery::{CorrectionRefused, Refusal};
use crate::domain::ids::RunId;
use crate::domain::pricing::PriceError;

/// Why a settlement use case did not complete.
#[derive(Debug, thiserror::Error)]
pub enum SettlementError {
    /// A draft was to be written over an issued statement.
    #[error("the statement for this period is issued")]
    StatementIssued,
    /// The statement to issue is issued already.
    #[error("the statement is already issued")]
    AlreadyIssued,
    /// The statement stopped being a draft while it was being issued.
    #[error("the statement is no longer a draft")]
    NoLongerDraft,
    /// The statement does not exist.
    #[error("statement not found")]
    StatementNotFound,
    /// Another provider's statement, or one that does not exist, asked for by a provider.
    #[error("permission denied")]
    NotYours,
    /// Only an issued statement can be answered or paid.
    #[error("the statement is not issued yet")]
    NotIssued,
    /// The provider answered the statement already: its first answer stands.
    #[error("the statement has been accepted or disputed already")]
    AlreadyAnswered,
    /// The payment of the statement is recorded already.
    #[error("the statement's payment is recorded already")]
    AlreadyPaid,
    /// A dispute or a payment the statement does not fit.
    #[error(transparent)]
    Unfit(#[from] crate::domain::lifecycle::Unfit),
    /// The delivery does not exist (or is another provider's).
    #[error("delivery not found")]
    DeliveryNotFound,
    /// A review list is built for a settled month only.
    #[error("the month is not settled: issue every statement of it first")]
    NotSettled,
    /// The month has a review list already.
    #[error("the month's review list is built already; read it with GetReviewList")]
    ReviewListExists,
    /// The grant is not on the month's review list.
    #[error("review item not found")]
    ReviewItemNotFound,
    /// The draft pays back a recovery an issued statement pays back already.
    #[error("a recovery on this draft is paid back on an issued statement already; settle the month again")]
    RecoveryIssued,
    /// The item's outcome is recorded already.
    #[error("the item's outcome is recorded already; the first outcome stands")]
    OutcomeRecorded,
    /// A month is settled only after it has ended.
    #[error("the month has not ended yet")]
    MonthNotEnded,
    /// Another run of the month is going on.
    #[error("run {0} of this month is in progress")]
    RunInProgress(RunId),
    /// The run a retried request started ended without completing.
    #[error("run {0} of this request ended without completing; send the request again to complete it")]
    RunEndedIncomplete(RunId),
    /// A grant of the month could not be priced.
    #[error(transparent)]
    Pricing(#[from] PriceError),
    /// A correction moves a delivery off its grant.
    #[error(transparent)]
    Correction(#[from] CorrectionRefused),
    /// A correction makes a delivery overlap another of its carer visit.
    #[error("overlaps delivery {0} of the same carer visit")]
    Overlaps(String),
    /// A delivery field is wrong.
    #[error("{:?}: {}", .0.field, .0.reason)]
    Refused(Refusal),
    /// A year beyond the calendar.
    #[error("out of range")]
    YearOutOfRange,
    /// Stored amounts that no longer add up within range: a bug, not a client error.
    #[error("amount out of range")]
    Money(#[from] MoneyError),
    /// The tariff refused stored figures: a bug, not a client error.
    #[error("pricing stored figures: {0}")]
    Tariff(#[from] PricingError),
    /// A failure the store or the kit already mapped.
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl From<SettlementError> for ApiError {
    fn from(error: SettlementError) -> ApiError {
        use SettlementError as E;
        let message = error.to_string();
        match error {
            E::NotSettled => ApiError::precondition("period", message),
            E::RecoveryIssued => ApiError::precondition("statement_id", message),
            E::ReviewListExists => ApiError::AlreadyExists(format!("period: {message}")),
            E::ReviewItemNotFound => ApiError::NotFound("review item (period, grant_id, provider_id)".into()),
            E::OutcomeRecorded => ApiError::AlreadyExists(format!("outcome: {message}")),
            E::StatementIssued | E::MonthNotEnded | E::RunInProgress(_) | E::Pricing(_) => ApiError::precondition("period", message),
            E::AlreadyIssued | E::NoLongerDraft | E::NotIssued | E::AlreadyAnswered | E::AlreadyPaid => {
                ApiError::precondition("statement_id", message)
            }
            E::NotYours => ApiError::PermissionDenied,
            E::Unfit(u) => ApiError::invalid(u.field, u.reason),
            E::RunEndedIncomplete(_) => ApiError::precondition("request_id", message),
            E::StatementNotFound => ApiError::NotFound("statement".into()),
            E::DeliveryNotFound => ApiError::NotFound("delivery".into()),
            E::Correction(_) | E::Overlaps(_) => ApiError::invalid("started_at", message),
            E::Refused(r) => ApiError::invalid(crate::grpc::convert::delivery_field(r.field), r.reason),
            E::YearOutOfRange => ApiError::invalid("year", message),
            E::Money(e) => ApiError::Internal(e.into()),
            E::Tariff(e) => ApiError::Internal(e.into()),
            E::Api(e) => e,
        }
    }
}

impl From<SettlementError> for tonic::Status {
    fn from(error: SettlementError) -> tonic::Status {
        ApiError::from(error).into()
    }
}
