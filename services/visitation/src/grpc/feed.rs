//! StreamGrantEvents and GetFeedPositions: the grant feed that settlement and budget follow.

use std::pin::Pin;

use afregning_kit::auth::Principal;
use afregning_proto::common::v1 as pbc;
use afregning_proto::visitation::v1 as pb;
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

use super::convert::feed_event;
use super::roles::{Rpc, authorize};
use crate::app::App;

/// Whether this service publishes a feed of its own.
const PUBLISHES: bool = true;
/// The feeds this service follows: none, it is the first in the flow.
const FOLLOWS: &[&str] = &[];

/// The stream of feed events an RPC answers with.
pub type EventStream = Pin<Box<dyn Stream<Item = Result<pb::GrantEvent, Status>> + Send>>;

pub(super) fn stream(app: &App, request: Request<pb::StreamGrantEventsRequest>) -> Result<Response<EventStream>, Status> {
    let principal = authorize(&request, Rpc::StreamGrantEvents)?;
    // Settlement prints CPR numbers on the lines a provider sees for its own citizens; no
    // other follower (budget holds none) receives them.
    let with_cpr = matches!(&principal, Principal::Service(name) if name == "settlement");
    let r = request.into_inner();
    let convert = move |event| feed_event(event, with_cpr);
    let stream = afregning_kit::store::feed_stream(app.storage().clone(), r.after_sequence, r.follow, r.max_events, convert)?;
    Ok(Response::new(Box::pin(stream)))
}

pub(super) async fn positions(app: &App, request: Request<pbc::GetFeedPositionsRequest>) -> Result<Response<pbc::FeedPositions>, Status> {
    afregning_kit::follow::answer_positions(&request, app.storage(), PUBLISHES, FOLLOWS).await
}
