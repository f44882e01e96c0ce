//! ListOrders, StreamOrders, AcknowledgeOrder: a provider's own orders; and
//! ListUnacknowledgedOrders, the authority's list of orders not acknowledged in time.

use std::pin::Pin;

use afregning_kit::ApiError;
use afregning_kit::auth::Principal;
use afregning_kit::paging::{next_token, page};
use afregning_kit::store::{RequestKey, sequence_stream};
use afregning_proto::convert::timestamp;
use afregning_proto::visitation::v1 as pb;
use afregning_tariff::Cpr;
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

use super::convert::pb_order;
use super::roles::{Rpc, authorize};
use crate::app::App;
use crate::domain::ProviderId;
use crate::domain::order::MAX_ACK_HOURS;
use crate::store::orders::Filter;

/// The stream of orders StreamOrders answers with.
pub type OrderStream = Pin<Box<dyn Stream<Item = Result<pb::Order, Status>> + Send>>;

/// The provider whose orders a caller works with: a provider's own (naming another is
/// PERMISSION_DENIED); a caller that is no provider (`local`) must name one.
fn provider_of(principal: &Principal, named: &str) -> Result<ProviderId, ApiError> {
    match principal {
        Principal::Provider(own) if named.is_empty() || named == own => Ok(ProviderId::from(own.as_str())),
        Principal::Provider(_) => Err(ApiError::PermissionDenied),
        _ if named.is_empty() || named.chars().count() > 64 => Err(ApiError::invalid(
            "provider_id",
            "required for a caller that is not a provider, at most 64 characters",
        )),
        _ => Ok(ProviderId::from(named)),
    }
}

/// A sequence from the wire as stored (SQL integers are signed).
fn sequence(value: u64, field: &str) -> Result<i64, ApiError> {
    i64::try_from(value).map_err(|_| ApiError::invalid(field, "at most 9223372036854775807"))
}

pub(super) async fn list(app: &App, request: Request<pb::ListOrdersRequest>) -> Result<Response<pb::ListOrdersResponse>, Status> {
    let principal = authorize(&request, Rpc::ListOrders)?;
    let r = request.into_inner();
    let provider = provider_of(&principal, &r.provider_id)?;
    let after = sequence(r.after_sequence, "after_sequence")?;
    let (offset, limit) = page(r.page.as_ref())?;
    let citizen = if r.cpr.is_empty() {
        None
    } else {
        let cpr = Cpr::parse(&r.cpr).map_err(|e| ApiError::invalid("cpr", e.to_string()))?;
        match app.citizen_id_of(&cpr).await? {
            Some(citizen) => Some(citizen),
            // No such citizen: no orders, the same answer as a citizen with none of this provider's.
            None => return Ok(Response::new(pb::ListOrdersResponse::default())),
        }
    };
    let filter = Filter {
        provider: Some(provider),
        after,
        unacknowledged_only: r.unacknowledged_only,
        citizen,
        recorded_before: None,
    };
    let orders = app
        .provider_orders(&filter, (offset, limit), &principal.to_string(), Rpc::ListOrders.name())
        .await?;
    Ok(Response::new(pb::ListOrdersResponse {
        next_page_token: next_token(offset, limit, orders.len()),
        orders: orders.iter().map(pb_order).collect(),
    }))
}

pub(super) fn stream(app: &App, request: Request<pb::StreamOrdersRequest>) -> Result<Response<OrderStream>, Status> {
    let principal = authorize(&request, Rpc::StreamOrders)?;
    let r = request.into_inner();
    let provider = provider_of(&principal, &r.provider_id)?;
    let after = sequence(r.after_sequence, "after_sequence")?;
    let reader = principal.to_string();
    let orders = app.clone();
    let read = move |cursor: i64, limit: i64| {
        let (app, reader) = (orders.clone(), reader.clone());
        let filter = Filter {
            provider: Some(provider.clone()),
            after: cursor,
            ..Filter::default()
        };
        async move {
            let orders = app.provider_orders(&filter, (0, limit), &reader, Rpc::StreamOrders.name()).await?;
            Ok(orders.iter().map(|o| (o.sequence, pb_order(o))).collect())
        }
    };
    let stream = sequence_stream(app.storage().clone(), after, r.follow, r.max_orders, read);
    Ok(Response::new(Box::pin(stream)))
}

pub(super) async fn acknowledge(
    app: &App,
    request: Request<pb::AcknowledgeOrderRequest>,
) -> Result<Response<pb::OrderAcknowledgement>, Status> {
    let principal = authorize(&request, Rpc::AcknowledgeOrder)?;
    let mut r = request.into_inner();
    let provider = provider_of(&principal, &r.provider_id)?;
    // The key holds the provider it acts for, so another provider's request with the same id
    // is another request (ALREADY_EXISTS), never a replay of this one's answer.
    r.provider_id = provider.to_string();
    let key = RequestKey::new(Rpc::AcknowledgeOrder.name(), &r.request_id, &r)?;
    if r.sequence == 0 {
        return Err(ApiError::invalid("sequence", "required: an order's sequence, 1 or more").into());
    }
    let sequence = sequence(r.sequence, "sequence")?;
    let answer = |ack: &crate::domain::order::Acknowledgement| pb::OrderAcknowledgement {
        sequence: r.sequence,
        provider_id: provider.to_string(),
        acknowledged_at: Some(timestamp(ack.at)),
        acknowledged_by: ack.by.clone(),
    };
    let as_provider = matches!(principal, Principal::Provider(_));
    let ack = app
        .acknowledge_order(&key, (sequence, &provider), (&principal.to_string(), as_provider), answer)
        .await?;
    Ok(Response::new(ack))
}

pub(super) async fn unacknowledged(
    app: &App,
    request: Request<pb::ListUnacknowledgedOrdersRequest>,
) -> Result<Response<pb::ListOrdersResponse>, Status> {
    authorize(&request, Rpc::ListUnacknowledgedOrders)?;
    let r = request.into_inner();
    if r.older_than_hours.is_some_and(|h| h > MAX_ACK_HOURS) {
        return Err(ApiError::invalid("older_than_hours", format!("at most {MAX_ACK_HOURS} (a year)")).into());
    }
    if r.provider_id.chars().count() > 64 {
        return Err(ApiError::invalid("provider_id", "at most 64 characters").into());
    }
    let (offset, limit) = page(r.page.as_ref())?;
    let provider = (!r.provider_id.is_empty()).then(|| ProviderId::from(r.provider_id));
    let orders = app.unacknowledged_orders(r.older_than_hours, provider, (offset, limit)).await?;
    Ok(Response::new(pb::ListOrdersResponse {
        next_page_token: next_token(offset, limit, orders.len()),
        orders: orders.iter().map(pb_order).collect(),
    }))
}
