//! The postings feed budget follows, and where each feed stands.

use afregning_kit::auth::require;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pb;
use tonic::{Request, Response, Status};

use super::convert::wire_posting;
use super::{Pinned, Settlement, roles};

/// Whether this service publishes a feed of its own.
const PUBLISHES: bool = true;
/// The feeds this service follows.
const FOLLOWS: &[&str] = &[crate::store::VISITATION_FEED];

pub(super) async fn stream_postings(
    s: &Settlement,
    request: Request<pb::StreamPostingsRequest>,
) -> Result<Response<Pinned<pb::Posting>>, Status> {
    require(&request, roles::Rpc::StreamPostings.allowed())?;
    let r = request.into_inner();
    let stream = afregning_kit::store::feed_stream(s.store.storage.clone(), r.after_sequence, r.follow, r.max_events, wire_posting)?;
    Ok(Response::new(Box::pin(stream)))
}

pub(super) async fn positions(
    s: &Settlement,
    request: Request<pbc::GetFeedPositionsRequest>,
) -> Result<Response<pbc::FeedPositions>, Status> {
    afregning_kit::follow::answer_positions(&request, &s.store.storage, PUBLISHES, FOLLOWS).await
}
