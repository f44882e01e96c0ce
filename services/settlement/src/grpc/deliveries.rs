//! Deliveries: provider systems stream their delivered visits, checked record by record; a stored
//! delivery is corrected with a reason; a provider's month is listed.

use std::collections::HashMap;

use afregning_kit::auth::{require, require_stream};
use afregning_kit::paging::{next_token, page};
use afregning_kit::store::RequestKey;
use afregning_kit::{ApiError, Violations};
use afregning_proto::convert::instant;
use afregning_proto::settlement::v1 as pb;
use afregning_tariff::Period;
use chrono::Utc;
use prost::Message;
use tonic::{Request, Response, Status, Streaming};

use super::convert::{reported, wire_delivery};
use super::{Settlement, own_provider, roles};
use crate::app;
use crate::domain::delivery::{Outcome, timing};

/// Deliveries one stream message may carry.
const MAX_DELIVERIES_PER_MESSAGE: usize = 10_000;
/// Deliveries one stream may carry.
const MAX_DELIVERIES_PER_STREAM: u64 = 2_000_000;
/// Refusals listed in one answer; the count beyond is summarised in the last one.
const MAX_ERRORS_LISTED: usize = 10_000;
/// The RPC's name in request keys.
const REPORT_DELIVERIES: &str = "ReportDeliveries";

fn too_many() -> ApiError {
    ApiError::invalid("deliveries", format!("at most {MAX_DELIVERIES_PER_MESSAGE} per message"))
}

/// The next message of a delivery stream, with the deliveries of the messages already waiting
/// behind it added (up to [`MAX_DELIVERIES_PER_MESSAGE`]): a provider system that sends one
/// delivery a message is checked and stored a batch at a time, so the stream is read as fast as
/// it arrives and HTTP/2 never finds too many small frames waiting. A message that would not fit
/// is `held` for the next batch; one too large on its own is refused.
async fn next_batch(
    stream: &mut Streaming<pb::ReportDeliveriesRequest>,
    held: &mut Option<pb::ReportDeliveriesRequest>,
) -> Result<Option<pb::ReportDeliveriesRequest>, Status> {
    use futures::FutureExt as _;
    let mut batch = match held.take() {
        Some(message) => message,
        None => match stream.message().await? {
            Some(message) => message,
            None => return Ok(None),
        },
    };
    if batch.deliveries.len() > MAX_DELIVERIES_PER_MESSAGE {
        return Err(too_many().into());
    }
    while let Some(next) = stream.message().now_or_never() {
        let Some(next) = next? else { break };
        if next.deliveries.len() > MAX_DELIVERIES_PER_MESSAGE {
            return Err(too_many().into());
        }
        if batch.deliveries.len() + next.deliveries.len() > MAX_DELIVERIES_PER_MESSAGE {
            *held = Some(next);
            break;
        }
        batch.deliveries.extend(next.deliveries);
    }
    Ok(Some(batch))
}

/// The stream's request id, its content hash so far, and whether it was answered before.
struct StreamKey {
    request_id: String,
    hasher: sha2::Sha256,
    retry: bool,
}

/// Each record is idempotent by its delivery id; the stream as a whole by its request id: a
/// retry of an answered stream only checks that it is the same stream and gets the first answer
/// (a record corrected since is not refused on a retry). This reads the stream batch by batch,
/// each batch one transaction, and tallies the outcomes; it is one loop over the stream, so it is
/// kept as one piece.
pub(super) async fn report(
    s: &Settlement,
    request: Request<Streaming<pb::ReportDeliveriesRequest>>,
) -> Result<Response<pb::ReportDeliveriesResponse>, Status> {
    let principal = require_stream(&request, roles::Rpc::ReportDeliveries.allowed())?;
    let reporter = own_provider(&principal);
    let mut stream = request.into_inner();
    let mut answer = pb::ReportDeliveriesResponse::default();
    let (mut index, mut refused): (u64, u64) = (0, 0);
    let mut grants = HashMap::new();
    let mut key: Option<StreamKey> = None;
    let mut held = None;
    while let Some(message) = next_batch(&mut stream, &mut held).await? {
        let k = match &mut key {
            Some(k) => k,
            None => {
                let hasher = RequestKey::stream_hasher(REPORT_DELIVERIES, &message.request_id)?;
                let retry = s.store.storage.is_answered(&message.request_id).await?;
                tracing::info!(request_id = message.request_id, retry, "delivery stream opened");
                key.insert(StreamKey {
                    request_id: message.request_id.clone(),
                    hasher,
                    retry,
                })
            }
        };
        if index + message.deliveries.len() as u64 > MAX_DELIVERIES_PER_STREAM {
            return Err(ApiError::invalid("deliveries", format!("at most {MAX_DELIVERIES_PER_STREAM} per stream")).into());
        }
        for delivery in &message.deliveries {
            sha2::Digest::update(&mut k.hasher, delivery.encode_to_vec());
        }
        if k.retry {
            index += message.deliveries.len() as u64;
            continue;
        }
        let batch: Vec<_> = message.deliveries.iter().map(reported).collect();
        let mut tx = s.store.storage.begin().await?;
        let (outcomes, flags) = app::deliveries::report_batch(&mut tx, reporter.as_ref(), &batch, Utc::now(), &mut grants).await?;
        for (position, why) in flags {
            if answer.flags.len() < MAX_ERRORS_LISTED {
                answer.flags.push(pb::DeliveryFlag {
                    delivery_id: message.deliveries[position].delivery_id.clone(),
                    index: index + position as u64,
                    description: why.to_owned(),
                });
            }
        }
        for (delivery, outcome) in message.deliveries.iter().zip(outcomes) {
            match outcome {
                Outcome::Accepted => answer.accepted += 1,
                Outcome::Duplicate => answer.duplicates += 1,
                Outcome::Refused(r) => {
                    refused += 1;
                    if answer.errors.len() < MAX_ERRORS_LISTED {
                        answer.errors.push(pb::DeliveryError {
                            delivery_id: delivery.delivery_id.clone(),
                            index,
                            field: super::convert::delivery_field(r.field).to_owned(),
                            description: r.reason,
                        });
                    }
                }
            }
            index += 1;
        }
        s.store.storage.commit(tx).await?;
    }
    let Some(StreamKey { request_id, hasher, retry }) = key else {
        return Err(ApiError::invalid("request_id", "required on the first message of the stream").into());
    };
    let key = RequestKey::of_stream(REPORT_DELIVERIES, &request_id, hasher);
    if retry {
        let mut tx = s.store.storage.begin().await?;
        let first = tx
            .replay::<pb::ReportDeliveriesResponse>(&key)
            .await?
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a stored answer vanished")))?;
        return Ok(Response::new(first));
    }
    if refused > answer.errors.len() as u64 {
        let more = refused - answer.errors.len() as u64;
        answer.errors.push(pb::DeliveryError {
            delivery_id: String::new(),
            index,
            field: String::new(),
            description: format!("and {more} more refused"),
        });
    }
    Ok(Response::new(s.store.storage.remember_after(&key, answer).await?))
}

pub(super) async fn correct(s: &Settlement, request: Request<pb::CorrectDeliveryRequest>) -> Result<Response<pb::Delivery>, Status> {
    let principal = require(&request, roles::Rpc::CorrectDelivery.allowed())?;
    let r = request.into_inner();
    let key = RequestKey::new("CorrectDelivery", &r.request_id, &r)?;
    let mut v = Violations::new();
    v.check(
        !r.reason.trim().is_empty() && r.reason.chars().count() <= 500,
        "reason",
        "required, at most 500 characters",
    );
    v.finish()?;
    let now = Utc::now();
    let time = timing(r.started_at.as_ref().and_then(instant), r.minutes, now)
        .map_err(|e| ApiError::invalid(super::convert::delivery_field(e.field), e.reason))?;
    let reporter = own_provider(&principal);
    let answer = s
        .store
        .storage
        .once(&key, async |tx| -> Result<pb::Delivery, ApiError> {
            let after = app::deliveries::correct(tx, reporter.as_ref(), &r.delivery_id, time, r.minutes, r.reason.trim(), now).await?;
            Ok(wire_delivery(&after))
        })
        .await?;
    Ok(Response::new(answer))
}

pub(super) async fn list(
    s: &Settlement,
    request: Request<pb::ListDeliveriesRequest>,
) -> Result<Response<pb::ListDeliveriesResponse>, Status> {
    let principal = require(&request, roles::Rpc::ListDeliveries.allowed())?;
    let r = request.into_inner();
    if own_provider(&principal).is_some_and(|own| own != *r.provider_id) {
        return Err(ApiError::PermissionDenied.into());
    }
    let period = r
        .period
        .filter(|p| (1900..=9999).contains(&p.year))
        .and_then(|p| Period::new(p.year, u32::try_from(p.month).ok()?))
        .ok_or_else(|| ApiError::invalid("period", "required: a year and a month 1–12"))?;
    let (offset, limit) = page(r.page.as_ref())?;
    let rows = s.store.deliveries(&r.provider_id, period, offset, limit).await?;
    let next_page_token = next_token(offset, limit, rows.len());
    Ok(Response::new(pb::ListDeliveriesResponse {
        deliveries: rows.iter().map(wire_delivery).collect(),
        next_page_token,
    }))
}
