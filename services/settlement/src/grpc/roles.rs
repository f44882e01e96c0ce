//! Who may call what: one table, RPC by RPC.

use afregning_kit::auth::Role;

/// Every principal.
const ANYONE: &[Role] = &[
    Role::Provider,
    Role::Operator,
    Role::Local,
    Role::Ehr,
    Role::Finance,
    Role::Committee,
    Role::Service,
];
/// Providers report and correct their own deliveries; operators may do it for them.
const REPORTERS: &[Role] = &[Role::Provider, Role::Operator, Role::Local];
/// Deliveries are read by their provider, operators and finance.
const DELIVERY_READERS: &[Role] = &[Role::Provider, Role::Operator, Role::Local, Role::Finance];
/// Runs, issuing and true-up are the operators'.
const OPERATORS: &[Role] = &[Role::Operator, Role::Local];
/// Statements are read by their provider (only its own), operators and finance.
const STATEMENT_READERS: &[Role] = &[Role::Provider, Role::Operator, Role::Local, Role::Finance];
/// A provider answers (accepts or disputes) its own issued statements.
const ANSWERERS: &[Role] = &[Role::Provider, Role::Local];
/// Finance records payments.
const PAYERS: &[Role] = &[Role::Finance, Role::Local];
/// Overdue statements are listed for finance and operators.
const OVERDUE_READERS: &[Role] = &[Role::Finance, Role::Operator, Role::Local];
/// The running month is previewed by its provider (its own), operators and finance.
const PREVIEWERS: &[Role] = &[Role::Provider, Role::Operator, Role::Local, Role::Finance];
/// The authority reviews settled months (through its EHR or its operators)...
const REVIEWERS: &[Role] = &[Role::Ehr, Role::Operator, Role::Local];
/// ...and finance reads the lists too; providers never do.
const REVIEW_READERS: &[Role] = &[Role::Ehr, Role::Operator, Role::Local, Role::Finance];
/// The steering-model comparison is for finance, the committees and operators.
const STEERING_READERS: &[Role] = &[Role::Finance, Role::Committee, Role::Operator, Role::Local];
/// The postings feed is followed by services (budget) and read by operators.
const FEED_READERS: &[Role] = &[Role::Service, Role::Operator, Role::Local];

/// Every RPC of the service: a name the compiler checks, so no RPC can be left without roles by
/// a misspelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rpc {
    GetProvider,
    ListProviders,
    ReportDeliveries,
    CorrectDelivery,
    ListDeliveries,
    RunSettlement,
    GetSettlementRun,
    IssueStatement,
    RunTrueUp,
    ListStatements,
    GetStatement,
    StreamStatementLines,
    ExportStatementCsv,
    AcceptStatement,
    DisputeStatement,
    MarkStatementPaid,
    ListOverdueStatements,
    PreviewStatements,
    BuildReviewList,
    GetReviewList,
    RecordReviewOutcome,
    CompareSteeringModels,
    StreamPostings,
}

impl Rpc {
    /// The roles allowed to call it: the table, RPC by RPC.
    pub(crate) fn allowed(self) -> &'static [Role] {
        match self {
            Rpc::GetProvider | Rpc::ListProviders => ANYONE,
            Rpc::ReportDeliveries | Rpc::CorrectDelivery => REPORTERS,
            Rpc::ListDeliveries => DELIVERY_READERS,
            Rpc::RunSettlement | Rpc::GetSettlementRun | Rpc::IssueStatement | Rpc::RunTrueUp => OPERATORS,
            Rpc::ListStatements | Rpc::GetStatement | Rpc::StreamStatementLines | Rpc::ExportStatementCsv => STATEMENT_READERS,
            Rpc::AcceptStatement | Rpc::DisputeStatement => ANSWERERS,
            Rpc::MarkStatementPaid => PAYERS,
            Rpc::ListOverdueStatements => OVERDUE_READERS,
            Rpc::PreviewStatements => PREVIEWERS,
            Rpc::BuildReviewList | Rpc::RecordReviewOutcome => REVIEWERS,
            Rpc::GetReviewList => REVIEW_READERS,
            Rpc::CompareSteeringModels => STEERING_READERS,
            Rpc::StreamPostings => FEED_READERS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_for_their_writers_and_reads_for_their_readers() {
        assert_eq!(Rpc::RunSettlement.allowed(), OPERATORS);
        assert!(!Rpc::IssueStatement.allowed().contains(&Role::Provider));
        assert!(Rpc::ReportDeliveries.allowed().contains(&Role::Provider));
        assert!(!Rpc::ReportDeliveries.allowed().contains(&Role::Finance));
        assert!(Rpc::StreamPostings.allowed().contains(&Role::Service));
        assert!(!Rpc::GetStatement.allowed().contains(&Role::Ehr));
        assert!(Rpc::AcceptStatement.allowed().contains(&Role::Provider));
        assert!(!Rpc::AcceptStatement.allowed().contains(&Role::Finance));
        assert!(!Rpc::DisputeStatement.allowed().contains(&Role::Operator));
        assert!(Rpc::MarkStatementPaid.allowed().contains(&Role::Finance));
        assert!(!Rpc::MarkStatementPaid.allowed().contains(&Role::Provider));
        assert!(!Rpc::ListOverdueStatements.allowed().contains(&Role::Provider));
        assert!(Rpc::PreviewStatements.allowed().contains(&Role::Provider));
        assert!(Rpc::RecordReviewOutcome.allowed().contains(&Role::Ehr));
        assert!(!Rpc::GetReviewList.allowed().contains(&Role::Provider));
        assert!(!Rpc::BuildReviewList.allowed().contains(&Role::Finance));
    }
}
