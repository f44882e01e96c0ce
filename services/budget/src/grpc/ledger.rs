//! The ledger on the wire: ERP actuals streamed in, and a frame's entries read out.

use afregning_kit::auth::{require, require_stream};
use afregning_kit::paging::{next_token, page};
use afregning_kit::store::RequestKey;
use afregning_kit::{ApiError, input};
use afregning_proto::budget::v1 as pb;
use afregning_tariff::Ore;
use chrono::Utc;
use sha2::Sha256;
use tonic::{Request, Response, Status, Streaming};

use super::{Rpc, convert};
use crate::app;
use crate::app::actuals::{Actual, Outcome, Refusal};
use crate::domain::FrameCode;

/// Actuals one stream message may carry.
const MAX_ACTUALS_PER_MESSAGE: usize = 10_000;

/// One actual as the ERP sent it, or the first fault found in it.
fn parse_actual(e: &pb::ActualEntry) -> Result<Actual, Refusal> {
    let texts = [
        ("external_id", &e.external_id),
        ("frame", &e.frame),
        ("account", &e.account),
        ("text", &e.text),
    ];
    if let Some((field, problem)) = texts
        .into_iter()
        .find_map(|(field, text)| input::text_problem(text).map(|problem| (field, problem)))
    {
        return Err(Refusal::new(field, problem));
    }
    if e.external_id.is_empty() || e.external_id.len() > 64 {
        return Err(Refusal::new("external_id", "required, at most 64 characters"));
    }
    let booked_on = afregning_proto::convert::date(e.booked_on.as_ref()).map_err(|_| Refusal::new("booked_on", "required: a real date"))?;
    if e.account.trim().is_empty() || e.account.len() > 32 {
        return Err(Refusal::new("account", "required, at most 32 characters"));
    }
    if let Some(problem) = input::amount_problem(e.amount_ore, true) {
        return Err(Refusal::new("amount_ore", problem));
    }
    if e.text.chars().count() > 500 {
        return Err(Refusal::new("text", "at most 500 characters"));
    }
    Ok(Actual {
        external_id: e.external_id.clone(),
        frame: FrameCode::new(e.frame.clone()),
        account: e.account.trim().to_owned(),
        booked_on,
        amount: Ore::new(e.amount_ore),
        text: e.text.clone(),
    })
}

/// Books one message's actuals and tallies them into `answer`; `index` counts entries across
/// the whole stream, so each refusal names its place in it.
async fn import_message(
    app: &app::Budget,
    entries: &[pb::ActualEntry],
    index: &mut u64,
    answer: &mut pb::ImportActualsResponse,
) -> Result<(), ApiError> {
    let outcomes = app.import_actuals(entries.iter().map(parse_actual).collect(), Utc::now()).await?;
    for (e, outcome) in entries.iter().zip(outcomes) {
        match outcome {
            Outcome::Accepted => answer.accepted += 1,
            Outcome::Duplicate => answer.duplicates += 1,
            Outcome::Refused(refusal) => answer.errors.push(pb::EntryError {
                external_id: e.external_id.clone(),
                index: *index,
                field: refusal.field.into(),
                description: refusal.why,
            }),
        }
        *index += 1;
    }
    Ok(())
}

/// Each entry is idempotent by its external id; the stream as a whole by its request id: a retry
/// of an answered stream only checks that it is the same stream (the same id with other entries
/// is ALREADY_EXISTS) and gets the first answer.
pub(super) async fn import_actuals(
    app: &app::Budget,
    request: Request<Streaming<pb::ImportActualsRequest>>,
) -> Result<Response<pb::ImportActualsResponse>, Status> {
    require_stream(&request, Rpc::ImportActuals.roles())?;
    let name = Rpc::ImportActuals.name();
    let mut stream = request.into_inner();
    let mut answer = pb::ImportActualsResponse::default();
    let mut index: u64 = 0;
    let mut stream_key: Option<(String, Sha256, bool)> = None;
    while let Some(message) = stream.message().await? {
        let (_, hasher, retry) = match &mut stream_key {
            Some(state) => state,
            None => {
                let hasher = RequestKey::stream_hasher(name, &message.request_id)?;
                let retry = app.stream_answered(&message.request_id).await?;
                stream_key.insert((message.request_id.clone(), hasher, retry))
            }
        };
        if message.entries.len() > MAX_ACTUALS_PER_MESSAGE {
            return Err(ApiError::invalid("entries", format!("at most {MAX_ACTUALS_PER_MESSAGE} per message")).into());
        }
        for entry in &message.entries {
            sha2::Digest::update(hasher, prost::Message::encode_to_vec(entry));
        }
        if *retry {
            index += message.entries.len() as u64;
            continue;
        }
        import_message(app, &message.entries, &mut index, &mut answer).await?;
    }
    let Some((request_id, hasher, retry)) = stream_key else {
        return Err(ApiError::invalid("request_id", "required on the first message of the stream").into());
    };
    let key = RequestKey::of_stream(name, &request_id, hasher);
    let answer = if retry {
        app.first_stream_answer(&key).await?
    } else {
        app.remember_stream(&key, answer).await?
    };
    Ok(Response::new(answer))
}

pub(super) async fn list_ledger_entries(
    app: &app::Budget,
    request: Request<pb::ListLedgerEntriesRequest>,
) -> Result<Response<pb::ListLedgerEntriesResponse>, Status> {
    require(&request, Rpc::ListLedgerEntries.roles())?;
    let r = request.get_ref();
    let (offset, limit) = page(r.page.as_ref())?;
    let entries = app.ledger(&FrameCode::new(r.frame.clone()), r.year, offset, limit).await?;
    Ok(Response::new(pb::ListLedgerEntriesResponse {
        next_page_token: next_token(offset, limit, entries.len()),
        entries: entries.iter().map(convert::entry).collect(),
    }))
}
