//! The `SettlementService` RPCs, one file per group: authorize (the one role table in
//! [`roles`]) → parse → call the use case in [`crate::app`] → convert ([`convert`]). No SQL and
//! no rules here.

pub(crate) mod convert;
mod deliveries;
mod feed;
mod lifecycle;
mod providers;
mod review;
mod roles;
mod runs;
mod statements;
mod steering;

use std::pin::Pin;
use std::sync::Arc;

use afregning_kit::auth::Principal;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pb;
use afregning_proto::settlement::v1::settlement_service_server::SettlementService;
use afregning_tariff::CatalogSet;
use chrono::{DateTime, DurationRound as _, Utc};
use tokio_stream::Stream;
use tonic::{Request, Response, Status, Streaming};

use crate::app::Runner;
use crate::domain::ids::ProviderId;
use crate::store::Store;

/// A stream answer.
type Pinned<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

/// The service, cheap to clone.
#[derive(Clone)]
pub struct Settlement {
    store: Store,
    runner: Runner,
    /// When this process started: a run recorded as going since before then was left by a
    /// stopped process, and a retry completes it. Kept to the microsecond, as runs are stored.
    boot: DateTime<Utc>,
}

impl Settlement {
    /// A service over `store`, pricing with `catalogs`.
    pub fn new(store: Store, catalogs: Arc<CatalogSet>) -> Settlement {
        let now = Utc::now();
        Settlement {
            runner: Runner::new(store.clone(), catalogs),
            store,
            boot: now.duration_trunc(chrono::Duration::microseconds(1)).unwrap_or(now),
        }
    }
}

/// The provider a principal is restricted to, if it is one.
fn own_provider(principal: &Principal) -> Option<ProviderId> {
    match principal {
        Principal::Provider(own) => Some(ProviderId::new(own)),
        _ => None,
    }
}

#[tonic::async_trait]
impl SettlementService for Settlement {
    async fn get_provider(&self, request: Request<pb::GetProviderRequest>) -> Result<Response<pbc::Provider>, Status> {
        providers::get(self, request).await
    }

    async fn list_providers(&self, request: Request<pb::ListProvidersRequest>) -> Result<Response<pb::ListProvidersResponse>, Status> {
        providers::list(self, request).await
    }

    async fn report_deliveries(
        &self,
        request: Request<Streaming<pb::ReportDeliveriesRequest>>,
    ) -> Result<Response<pb::ReportDeliveriesResponse>, Status> {
        deliveries::report(self, request).await
    }

    async fn correct_delivery(&self, request: Request<pb::CorrectDeliveryRequest>) -> Result<Response<pb::Delivery>, Status> {
        deliveries::correct(self, request).await
    }

    async fn list_deliveries(&self, request: Request<pb::ListDeliveriesRequest>) -> Result<Response<pb::ListDeliveriesResponse>, Status> {
        deliveries::list(self, request).await
    }

    type RunSettlementStream = Pinned<pb::SettlementProgress>;

    async fn run_settlement(&self, request: Request<pb::RunSettlementRequest>) -> Result<Response<Self::RunSettlementStream>, Status> {
        runs::run_settlement(self, request).await
    }

    async fn get_settlement_run(&self, request: Request<pb::GetSettlementRunRequest>) -> Result<Response<pb::SettlementRun>, Status> {
        runs::get(self, request).await
    }

    async fn issue_statement(&self, request: Request<pb::IssueStatementRequest>) -> Result<Response<pb::Statement>, Status> {
        statements::issue(self, request).await
    }

    async fn list_statements(&self, request: Request<pb::ListStatementsRequest>) -> Result<Response<pb::ListStatementsResponse>, Status> {
        statements::list(self, request).await
    }

    async fn get_statement(&self, request: Request<pb::GetStatementRequest>) -> Result<Response<pb::Statement>, Status> {
        statements::get(self, request).await
    }

    type StreamStatementLinesStream = Pinned<pb::StatementLine>;

    async fn stream_statement_lines(
        &self,
        request: Request<pb::StreamStatementLinesRequest>,
    ) -> Result<Response<Self::StreamStatementLinesStream>, Status> {
        statements::stream_lines(self, request).await
    }

    type ExportStatementCsvStream = Pinned<pb::CsvChunk>;

    async fn export_statement_csv(
        &self,
        request: Request<pb::ExportStatementCsvRequest>,
    ) -> Result<Response<Self::ExportStatementCsvStream>, Status> {
        statements::export_csv(self, request).await
    }

    async fn accept_statement(&self, request: Request<pb::AcceptStatementRequest>) -> Result<Response<pb::Statement>, Status> {
        lifecycle::accept(self, request).await
    }

    async fn dispute_statement(&self, request: Request<pb::DisputeStatementRequest>) -> Result<Response<pb::Statement>, Status> {
        lifecycle::dispute(self, request).await
    }

    async fn mark_statement_paid(&self, request: Request<pb::MarkStatementPaidRequest>) -> Result<Response<pb::Statement>, Status> {
        lifecycle::mark_statement_paid(self, request).await
    }

    async fn list_overdue_statements(
        &self,
        request: Request<pb::ListOverdueStatementsRequest>,
    ) -> Result<Response<pb::ListStatementsResponse>, Status> {
        lifecycle::overdue(self, request).await
    }

    async fn preview_statements(
        &self,
        request: Request<pb::PreviewStatementsRequest>,
    ) -> Result<Response<pb::PreviewStatementsResponse>, Status> {
        lifecycle::preview(self, request).await
    }

    async fn build_review_list(&self, request: Request<pb::BuildReviewListRequest>) -> Result<Response<pb::ReviewList>, Status> {
        review::build(self, request).await
    }

    async fn get_review_list(&self, request: Request<pb::GetReviewListRequest>) -> Result<Response<pb::ReviewList>, Status> {
        review::get(self, request).await
    }

    async fn record_review_outcome(&self, request: Request<pb::RecordReviewOutcomeRequest>) -> Result<Response<pb::ReviewItem>, Status> {
        review::record(self, request).await
    }

    async fn compare_steering_models(
        &self,
        request: Request<pb::CompareSteeringModelsRequest>,
    ) -> Result<Response<pb::SteeringComparison>, Status> {
        steering::compare(self, request).await
    }

    async fn run_true_up(&self, request: Request<pb::RunTrueUpRequest>) -> Result<Response<pb::RunTrueUpResponse>, Status> {
        runs::true_up(self, request).await
    }

    type StreamPostingsStream = Pinned<pb::Posting>;

    async fn stream_postings(&self, request: Request<pb::StreamPostingsRequest>) -> Result<Response<Self::StreamPostingsStream>, Status> {
        feed::stream_postings(self, request).await
    }

    async fn get_feed_positions(&self, request: Request<pbc::GetFeedPositionsRequest>) -> Result<Response<pbc::FeedPositions>, Status> {
        feed::positions(self, request).await
    }
}
