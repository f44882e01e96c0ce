//! PublishCatalog, ListCatalogs, GetCatalog.

use afregning_kit::ApiError;
use afregning_kit::store::RequestKey;
use afregning_proto::visitation::v1 as pb;
use tonic::{Request, Response, Status};

use super::convert::pb_catalog;
use super::roles::{Rpc, authorize};
use crate::app::App;
use crate::app::catalogs::CatalogView;
use crate::domain::catalog::parse;

/// The most characters of a catalog version.
const MAX_VERSION_CHARS: usize = 32;

/// A published version as PublishCatalog, ListCatalogs and GetCatalog answer it.
pub(crate) fn pb_view(view: &CatalogView) -> pb::PublishedCatalog {
    let p = &view.published;
    pb_catalog(&p.catalog, &p.document, view.corrects.as_deref(), view.in_force_to, p.published_at)
}

pub(super) async fn publish(app: &App, request: Request<pb::PublishCatalogRequest>) -> Result<Response<pb::PublishedCatalog>, Status> {
    authorize(&request, Rpc::PublishCatalog)?;
    let r = request.into_inner();
    let key = RequestKey::new(Rpc::PublishCatalog.name(), &r.request_id, &r)?;
    let (catalog, document) = parse(&r.document).map_err(ApiError::from)?;
    Ok(Response::new(app.publish_catalog(&key, catalog, document, pb_view).await?))
}

pub(super) async fn list(app: &App, request: Request<pb::ListCatalogsRequest>) -> Result<Response<pb::ListCatalogsResponse>, Status> {
    authorize(&request, Rpc::ListCatalogs)?;
    let catalogs = app.published_catalogs().await?;
    Ok(Response::new(pb::ListCatalogsResponse {
        catalogs: catalogs.iter().map(pb_view).collect(),
    }))
}

pub(super) async fn get(app: &App, request: Request<pb::GetCatalogRequest>) -> Result<Response<pb::PublishedCatalog>, Status> {
    authorize(&request, Rpc::GetCatalog)?;
    let version = &request.get_ref().version;
    if version.is_empty() || version.chars().count() > MAX_VERSION_CHARS {
        return Err(ApiError::invalid("version", "1–32 characters").into());
    }
    Ok(Response::new(pb_view(&app.published_catalog(version).await?)))
}
