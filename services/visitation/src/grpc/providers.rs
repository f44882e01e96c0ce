//! RegisterProvider, GetProvider, ListProviders.

use afregning_kit::paging::{next_token, page};
use afregning_kit::store::RequestKey;
use afregning_kit::{ApiError, Violations};
use afregning_proto::common::v1 as pbc;
use afregning_proto::visitation::v1 as pb;
use afregning_tariff::Cvr;
use tonic::{Request, Response, Status};

use super::convert::{pb_provider, provider_kind, text};
use super::roles::{Rpc, authorize};
use crate::app::App;
use crate::app::providers::NewProvider;
use crate::domain::ProviderId;
use crate::domain::provider::is_known_unit_code;

/// The most unit codes one provider is approved for.
const MAX_APPROVALS: usize = 50;

pub(super) async fn register(app: &App, request: Request<pb::RegisterProviderRequest>) -> Result<Response<pbc::Provider>, Status> {
    authorize(&request, Rpc::RegisterProvider)?;
    let r = request.into_inner();
    let key = RequestKey::new(Rpc::RegisterProvider.name(), &r.request_id, &r)?;
    let mut v = Violations::new();
    let cvr = v.take("cvr", Cvr::parse(&r.cvr));
    let name = text(&r.name, "name", 200, &mut v);
    let kind = provider_kind(r.kind);
    v.check(kind.is_some(), "kind", "MUNICIPAL or PRIVATE");
    let committee = text(&r.committee, "committee", 32, &mut v);
    v.check(
        !r.approved_for.is_empty() && r.approved_for.len() <= MAX_APPROVALS,
        "approved_for",
        "1–50 unit codes",
    );
    let chosen = (!r.provider_id.is_empty()).then(|| ProviderId::from(r.provider_id.as_str()));
    v.check(
        chosen.as_ref().is_none_or(|id| is_provider_id(id.as_str())),
        "provider_id",
        "prv_ and 1–60 of a–z, 0–9, _ and -",
    );
    let catalogs = app.catalogs().await?;
    for (i, code) in r.approved_for.iter().enumerate() {
        v.check(
            is_known_unit_code(code, &catalogs),
            &format!("approved_for[{i}]"),
            "not a service category, package or course:<TYPE> of the catalog",
        );
    }
    v.finish()?;
    let (Some(cvr), Some(kind)) = (cvr, kind) else {
        return Err(ApiError::invalid("cvr", "invalid").into());
    };
    let new = NewProvider {
        cvr,
        name,
        kind,
        committee,
        approved_for: r.approved_for.clone(),
        provider_id: chosen,
    };
    Ok(Response::new(app.register_provider(&key, new, pb_provider).await?))
}

/// Whether `id` may be chosen as a provider's id: `prv_` and 1–60 of a–z, 0–9, `_` and `-`.
fn is_provider_id(id: &str) -> bool {
    id.strip_prefix("prv_").is_some_and(|rest| {
        (1..=60).contains(&rest.len())
            && rest
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
    })
}

pub(super) async fn get(app: &App, request: Request<pb::GetProviderRequest>) -> Result<Response<pbc::Provider>, Status> {
    authorize(&request, Rpc::GetProvider)?;
    let provider = app.provider(&ProviderId::from(request.get_ref().provider_id.as_str())).await?;
    Ok(Response::new(pb_provider(&provider)))
}

pub(super) async fn list(app: &App, request: Request<pb::ListProvidersRequest>) -> Result<Response<pb::ListProvidersResponse>, Status> {
    authorize(&request, Rpc::ListProviders)?;
    let (offset, limit) = page(request.get_ref().page.as_ref())?;
    let providers = app.providers(offset, limit).await?;
    Ok(Response::new(pb::ListProvidersResponse {
        next_page_token: next_token(offset, limit, providers.len()),
        providers: providers.iter().map(pb_provider).collect(),
    }))
}
