//! Providers: a read-only mirror of the authority's approvals.

use afregning_kit::ApiError;
use afregning_kit::auth::require;
use afregning_kit::paging::{next_token, page};
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pb;
use tonic::{Request, Response, Status};

use super::{Settlement, roles};

pub(super) async fn get(s: &Settlement, request: Request<pb::GetProviderRequest>) -> Result<Response<pbc::Provider>, Status> {
    require(&request, roles::Rpc::GetProvider.allowed())?;
    let provider = s
        .store
        .provider(&request.get_ref().provider_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("provider".into()))?;
    Ok(Response::new(provider))
}

pub(super) async fn list(
    s: &Settlement,
    request: Request<pb::ListProvidersRequest>,
) -> Result<Response<pb::ListProvidersResponse>, Status> {
    require(&request, roles::Rpc::ListProviders.allowed())?;
    let (offset, limit) = page(request.get_ref().page.as_ref())?;
    let providers = s.store.providers(offset, limit).await?;
    let next_page_token = next_token(offset, limit, providers.len());
    Ok(Response::new(pb::ListProvidersResponse {
        providers,
        next_page_token,
    }))
}
