//! The `BudgetService` RPCs. Each handler authorizes the caller (`Rpc::roles`, the one table
//! of who may call what), parses the request into domain types, calls the use case in
//! [`crate::app`], and converts the answer ([`convert`]). No SQL and no rules here.
//!
//! * [`frames`] — committees and frames.
//! * [`ledger`] — ERP actuals and the ledger.
//! * [`follow_up`] — status, curves, expected accounts, deviation explanations, month close.
//! * [`reallocation`] — proposing, listing, deciding and executing cases.
//! * [`export`] — postings for the ERP and reconciliation.

pub mod convert;
mod error;
mod export;
mod follow_up;
mod frames;
mod ledger;
mod reallocation;

use std::pin::Pin;

use afregning_kit::auth::Role;
use afregning_proto::budget::v1 as pb;
use afregning_proto::budget::v1::budget_service_server::BudgetService;
use afregning_proto::common::v1 as pbc;
use tokio_stream::Stream;
use tonic::{Request, Response, Status, Streaming};

use crate::app;
use crate::store::{SETTLEMENT_FEED, VISITATION_FEED};

/// Finance: sets up committees and frames, imports actuals, closes months, runs reallocations,
/// exports and reconciles.
const FINANCE: &[Role] = &[Role::Finance, Role::Operator, Role::Local];
/// Who may submit expected accounts and deviation explanations: finance and the committees.
const LEADERS: &[Role] = &[Role::Finance, Role::Committee, Role::Operator, Role::Local];
/// Who may read budgets, the ledger, follow-up and cases.
const READERS: &[Role] = &[Role::Finance, Role::Committee, Role::Operator, Role::Local];

/// Budget's RPCs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rpc {
    CreateCommittee,
    ListCommittees,
    SetFrame,
    GetFrame,
    ListFrames,
    ImportActuals,
    ListLedgerEntries,
    SubmitExpectedAccounts,
    GetFollowUpStatus,
    GetFollowUpSeries,
    SubmitDeviationExplanation,
    CloseMonth,
    ProposeReallocations,
    ListReallocationCases,
    GetReallocationCase,
    DecideReallocationCase,
    ExecuteReallocationCase,
    ExportPostings,
    ExportPostingsCsv,
    Reconcile,
}

impl Rpc {
    /// Who may call each RPC, and the name a write's request id is remembered under: the one
    /// table of roles. (`GetFeedPositions`, served by the kit, is open to anyone authenticated.)
    const fn entry(self) -> (&'static str, &'static [Role]) {
        match self {
            Rpc::CreateCommittee => ("CreateCommittee", FINANCE),
            Rpc::ListCommittees => ("ListCommittees", READERS),
            Rpc::SetFrame => ("SetFrame", FINANCE),
            Rpc::GetFrame => ("GetFrame", READERS),
            Rpc::ListFrames => ("ListFrames", READERS),
            Rpc::ImportActuals => ("ImportActuals", FINANCE),
            Rpc::ListLedgerEntries => ("ListLedgerEntries", READERS),
            Rpc::SubmitExpectedAccounts => ("SubmitExpectedAccounts", LEADERS),
            Rpc::GetFollowUpStatus => ("GetFollowUpStatus", READERS),
            Rpc::GetFollowUpSeries => ("GetFollowUpSeries", READERS),
            Rpc::SubmitDeviationExplanation => ("SubmitDeviationExplanation", LEADERS),
            Rpc::CloseMonth => ("CloseMonth", FINANCE),
            Rpc::ProposeReallocations => ("ProposeReallocations", FINANCE),
            Rpc::ListReallocationCases => ("ListReallocationCases", READERS),
            Rpc::GetReallocationCase => ("GetReallocationCase", READERS),
            // Only the committees concerned decide a case …
            Rpc::DecideReallocationCase => ("DecideReallocationCase", &[Role::Committee, Role::Local]),
            // … and only FINANCE executes it.
            Rpc::ExecuteReallocationCase => ("ExecuteReallocationCase", &[Role::Finance, Role::Local]),
            Rpc::ExportPostings => ("ExportPostings", FINANCE),
            Rpc::ExportPostingsCsv => ("ExportPostingsCsv", FINANCE),
            Rpc::Reconcile => ("Reconcile", FINANCE),
        }
    }

    /// The RPC's name.
    pub(crate) const fn name(self) -> &'static str {
        self.entry().0
    }

    /// The roles that may call it.
    pub(crate) const fn roles(self) -> &'static [Role] {
        self.entry().1
    }
}

/// Whether this service publishes a feed of its own.
const PUBLISHES: bool = false;
/// The feeds this service follows.
const FOLLOWS: &[&str] = &[VISITATION_FEED, SETTLEMENT_FEED];

/// Whether `year` is one a frame may be set for.
fn year_ok(year: i32) -> bool {
    (2000..=2999).contains(&year)
}

/// The service on the wire, cheap to clone.
#[derive(Clone)]
pub struct Budget {
    app: app::Budget,
}

impl Budget {
    /// The service over the use cases `app`.
    pub fn new(app: app::Budget) -> Budget {
        Budget { app }
    }
}

type Pinned<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

#[tonic::async_trait]
impl BudgetService for Budget {
    async fn create_committee(&self, request: Request<pb::CreateCommitteeRequest>) -> Result<Response<pb::Committee>, Status> {
        frames::create_committee(&self.app, request).await
    }

    async fn list_committees(&self, request: Request<pb::ListCommitteesRequest>) -> Result<Response<pb::ListCommitteesResponse>, Status> {
        frames::list_committees(&self.app, request).await
    }

    async fn set_frame(&self, request: Request<pb::SetFrameRequest>) -> Result<Response<pb::Frame>, Status> {
        frames::set_frame(&self.app, request).await
    }

    async fn get_frame(&self, request: Request<pb::GetFrameRequest>) -> Result<Response<pb::Frame>, Status> {
        frames::get_frame(&self.app, request).await
    }

    async fn list_frames(&self, request: Request<pb::ListFramesRequest>) -> Result<Response<pb::ListFramesResponse>, Status> {
        frames::list_frames(&self.app, request).await
    }

    async fn import_actuals(
        &self,
        request: Request<Streaming<pb::ImportActualsRequest>>,
    ) -> Result<Response<pb::ImportActualsResponse>, Status> {
        ledger::import_actuals(&self.app, request).await
    }

    async fn list_ledger_entries(
        &self,
        request: Request<pb::ListLedgerEntriesRequest>,
    ) -> Result<Response<pb::ListLedgerEntriesResponse>, Status> {
        ledger::list_ledger_entries(&self.app, request).await
    }

    async fn submit_expected_accounts(
        &self,
        request: Request<pb::SubmitExpectedAccountsRequest>,
    ) -> Result<Response<pb::ExpectedAccounts>, Status> {
        follow_up::submit_expected_accounts(&self.app, request).await
    }

    async fn get_follow_up_status(
        &self,
        request: Request<pb::GetFollowUpStatusRequest>,
    ) -> Result<Response<pb::GetFollowUpStatusResponse>, Status> {
        follow_up::get_follow_up_status(&self.app.priced_now().await?, request).await
    }

    async fn get_follow_up_series(&self, request: Request<pb::GetFollowUpSeriesRequest>) -> Result<Response<pb::FollowUpSeries>, Status> {
        follow_up::get_follow_up_series(&self.app.priced_now().await?, request).await
    }

    async fn submit_deviation_explanation(
        &self,
        request: Request<pb::SubmitDeviationExplanationRequest>,
    ) -> Result<Response<pb::DeviationExplanation>, Status> {
        follow_up::submit_deviation_explanation(&self.app.priced_now().await?, request).await
    }

    async fn close_month(&self, request: Request<pb::CloseMonthRequest>) -> Result<Response<pb::CloseMonthResponse>, Status> {
        follow_up::close_month(&self.app.priced_now().await?, request).await
    }

    async fn propose_reallocations(
        &self,
        request: Request<pb::ProposeReallocationsRequest>,
    ) -> Result<Response<pb::ProposeReallocationsResponse>, Status> {
        reallocation::propose_reallocations(&self.app, request).await
    }

    async fn list_reallocation_cases(
        &self,
        request: Request<pb::ListReallocationCasesRequest>,
    ) -> Result<Response<pb::ListReallocationCasesResponse>, Status> {
        reallocation::list_reallocation_cases(&self.app, request).await
    }

    async fn get_reallocation_case(
        &self,
        request: Request<pb::GetReallocationCaseRequest>,
    ) -> Result<Response<pb::ReallocationCase>, Status> {
        reallocation::get_reallocation_case(&self.app, request).await
    }

    async fn decide_reallocation_case(
        &self,
        request: Request<pb::DecideReallocationCaseRequest>,
    ) -> Result<Response<pb::ReallocationCase>, Status> {
        reallocation::decide_reallocation_case(&self.app, request).await
    }

    async fn execute_reallocation_case(
        &self,
        request: Request<pb::ExecuteReallocationCaseRequest>,
    ) -> Result<Response<pb::ReallocationCase>, Status> {
        reallocation::execute_reallocation_case(&self.app, request).await
    }

    type ExportPostingsStream = Pinned<pb::PostingTotal>;

    async fn export_postings(&self, request: Request<pb::ExportPostingsRequest>) -> Result<Response<Self::ExportPostingsStream>, Status> {
        export::export_postings(&self.app, request).await
    }

    type ExportPostingsCsvStream = Pinned<pb::CsvChunk>;

    async fn export_postings_csv(
        &self,
        request: Request<pb::ExportPostingsRequest>,
    ) -> Result<Response<Self::ExportPostingsCsvStream>, Status> {
        export::export_postings_csv(&self.app, request).await
    }

    async fn reconcile(&self, request: Request<pb::ReconcileRequest>) -> Result<Response<pb::ReconcileResponse>, Status> {
        export::reconcile(&self.app, request).await
    }

    async fn get_feed_positions(&self, request: Request<pbc::GetFeedPositionsRequest>) -> Result<Response<pbc::FeedPositions>, Status> {
        afregning_kit::follow::answer_positions(&request, &self.app.store.storage, PUBLISHES, FOLLOWS).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Rpc; 20] = [
        Rpc::CreateCommittee,
        Rpc::ListCommittees,
        Rpc::SetFrame,
        Rpc::GetFrame,
        Rpc::ListFrames,
        Rpc::ImportActuals,
        Rpc::ListLedgerEntries,
        Rpc::SubmitExpectedAccounts,
        Rpc::GetFollowUpStatus,
        Rpc::GetFollowUpSeries,
        Rpc::SubmitDeviationExplanation,
        Rpc::CloseMonth,
        Rpc::ProposeReallocations,
        Rpc::ListReallocationCases,
        Rpc::GetReallocationCase,
        Rpc::DecideReallocationCase,
        Rpc::ExecuteReallocationCase,
        Rpc::ExportPostings,
        Rpc::ExportPostingsCsv,
        Rpc::Reconcile,
    ];

    #[test]
    fn each_rpc_has_its_own_name_and_committees_only_read_decide_and_explain() {
        let mut names: Vec<&str> = ALL.iter().map(|r| r.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        let committee: Vec<&str> = ALL
            .iter()
            .filter(|r| !matches!(r.name(), n if n.starts_with("Get") || n.starts_with("List")))
            .filter(|r| r.roles().contains(&Role::Committee))
            .map(|r| r.name())
            .collect();
        assert_eq!(
            committee,
            vec!["SubmitExpectedAccounts", "SubmitDeviationExplanation", "DecideReallocationCase"]
        );
        assert!(!Rpc::ExecuteReallocationCase.roles().contains(&Role::Committee));
        assert!(!Rpc::DecideReallocationCase.roles().contains(&Role::Finance));
    }
}
