//! The `VisitationService` on the wire. Each RPC group has its own file — authorize (one role
//! table, [`roles`]), parse, call the use case in [`crate::app`], convert ([`convert`]) — and
//! the trait implementation below only routes to them. Domain failures become API errors with
//! the wire's field names in [`errors`].

mod assessments;
mod catalogs;
pub(crate) use catalogs::pb_view as catalog_answer;
mod changes;
mod citizens;
mod convert;
mod errors;
mod feed;
mod grants;
mod orders;
mod progression;
mod providers;
mod roles;

use afregning_proto::common::v1 as pbc;
use afregning_proto::visitation::v1 as pb;
use afregning_proto::visitation::v1::visitation_service_server::VisitationService;
use afregning_tariff::CatalogSet;
use tonic::{Request, Response, Status};

use crate::app::App;
use crate::store::Store;

/// The service, cheap to clone.
#[derive(Clone)]
pub struct Visitation {
    app: App,
}

impl Visitation {
    /// A service over `store`, pricing with `catalogs`, listing orders unacknowledged after
    /// `order_ack_hours` to the authority by default.
    pub fn new(store: Store, catalogs: CatalogSet, order_ack_hours: u32) -> Visitation {
        Visitation::from_app(App::new(store, catalogs, order_ack_hours))
    }

    /// A service over its use cases.
    pub fn from_app(app: App) -> Visitation {
        Visitation { app }
    }
}

type Answer<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl VisitationService for Visitation {
    async fn publish_catalog(&self, request: Request<pb::PublishCatalogRequest>) -> Answer<pb::PublishedCatalog> {
        catalogs::publish(&self.app, request).await
    }

    async fn list_catalogs(&self, request: Request<pb::ListCatalogsRequest>) -> Answer<pb::ListCatalogsResponse> {
        catalogs::list(&self.app, request).await
    }

    async fn get_catalog(&self, request: Request<pb::GetCatalogRequest>) -> Answer<pb::PublishedCatalog> {
        catalogs::get(&self.app, request).await
    }

    async fn register_provider(&self, request: Request<pb::RegisterProviderRequest>) -> Answer<pbc::Provider> {
        providers::register(&self.app, request).await
    }

    async fn get_provider(&self, request: Request<pb::GetProviderRequest>) -> Answer<pbc::Provider> {
        providers::get(&self.app, request).await
    }

    async fn list_providers(&self, request: Request<pb::ListProvidersRequest>) -> Answer<pb::ListProvidersResponse> {
        providers::list(&self.app, request).await
    }

    async fn register_citizen(&self, request: Request<pb::RegisterCitizenRequest>) -> Answer<pb::Citizen> {
        citizens::register(&self.app, request).await
    }

    async fn get_citizen(&self, request: Request<pb::GetCitizenRequest>) -> Answer<pb::Citizen> {
        citizens::get(&self.app, request).await
    }

    async fn find_citizen_by_cpr(&self, request: Request<pb::FindCitizenByCprRequest>) -> Answer<pb::Citizen> {
        citizens::find_by_cpr(&self.app, request).await
    }

    async fn record_assessment(&self, request: Request<pb::RecordAssessmentRequest>) -> Answer<pb::Assessment> {
        assessments::record(&self.app, request).await
    }

    async fn list_assessments(&self, request: Request<pb::ListAssessmentsRequest>) -> Answer<pb::ListAssessmentsResponse> {
        assessments::list(&self.app, request).await
    }

    async fn decide_grant(&self, request: Request<pb::DecideGrantRequest>) -> Answer<pb::Grant> {
        grants::decide(&self.app, request).await
    }

    async fn revisit_grant(&self, request: Request<pb::RevisitGrantRequest>) -> Answer<pb::Grant> {
        changes::revisit(&self.app, request).await
    }

    async fn change_provider(&self, request: Request<pb::ChangeProviderRequest>) -> Answer<pb::Grant> {
        changes::change_provider(&self.app, request).await
    }

    async fn suspend_grant(&self, request: Request<pb::SuspendGrantRequest>) -> Answer<pb::Grant> {
        changes::suspend(&self.app, request).await
    }

    async fn resume_grant(&self, request: Request<pb::ResumeGrantRequest>) -> Answer<pb::Grant> {
        changes::resume(&self.app, request).await
    }

    async fn end_grant(&self, request: Request<pb::EndGrantRequest>) -> Answer<pb::Grant> {
        changes::end(&self.app, request).await
    }

    async fn get_grant(&self, request: Request<pb::GetGrantRequest>) -> Answer<pb::Grant> {
        grants::get(&self.app, request).await
    }

    async fn list_grant_versions(&self, request: Request<pb::ListGrantVersionsRequest>) -> Answer<pb::ListGrantVersionsResponse> {
        grants::versions(&self.app, request).await
    }

    async fn list_citizen_grants(&self, request: Request<pb::ListCitizenGrantsRequest>) -> Answer<pb::ListGrantsResponse> {
        grants::of_citizen(&self.app, request).await
    }

    async fn list_grants_due_for_follow_up(&self, request: Request<pb::ListGrantsDueForFollowUpRequest>) -> Answer<pb::ListGrantsResponse> {
        grants::due_for_follow_up(&self.app, request).await
    }

    async fn list_citizens_by_hours_band(
        &self,
        request: Request<pb::ListCitizensByHoursBandRequest>,
    ) -> Answer<pb::ListCitizensByHoursBandResponse> {
        progression::by_hours_band(&self.app, request).await
    }

    async fn get_visited_hours_around_course(
        &self,
        request: Request<pb::GetVisitedHoursAroundCourseRequest>,
    ) -> Answer<pb::VisitedHoursAroundCourse> {
        progression::around_course(&self.app, request).await
    }

    async fn get_progression(&self, request: Request<pb::GetProgressionRequest>) -> Answer<pb::Progression> {
        progression::progression(&self.app, request).await
    }

    async fn list_audit_entries(&self, request: Request<pb::ListAuditEntriesRequest>) -> Answer<pb::ListAuditEntriesResponse> {
        citizens::audit_entries(&self.app, request).await
    }

    async fn list_orders(&self, request: Request<pb::ListOrdersRequest>) -> Answer<pb::ListOrdersResponse> {
        orders::list(&self.app, request).await
    }

    type StreamOrdersStream = orders::OrderStream;

    async fn stream_orders(&self, request: Request<pb::StreamOrdersRequest>) -> Answer<orders::OrderStream> {
        orders::stream(&self.app, request)
    }

    async fn acknowledge_order(&self, request: Request<pb::AcknowledgeOrderRequest>) -> Answer<pb::OrderAcknowledgement> {
        orders::acknowledge(&self.app, request).await
    }

    async fn list_unacknowledged_orders(&self, request: Request<pb::ListUnacknowledgedOrdersRequest>) -> Answer<pb::ListOrdersResponse> {
        orders::unacknowledged(&self.app, request).await
    }

    type StreamGrantEventsStream = feed::EventStream;

    async fn stream_grant_events(&self, request: Request<pb::StreamGrantEventsRequest>) -> Answer<feed::EventStream> {
        feed::stream(&self.app, request)
    }

    async fn get_feed_positions(&self, request: Request<pbc::GetFeedPositionsRequest>) -> Answer<pbc::FeedPositions> {
        feed::positions(&self.app, request).await
    }
}
