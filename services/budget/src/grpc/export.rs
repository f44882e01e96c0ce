//! Export and reconciliation on the wire: postings per frame, account and month as messages or
//! CSV, and the ERP's totals compared line by line.

use afregning_kit::auth::require;
use afregning_kit::{ApiError, Violations};
use afregning_proto::budget::v1 as pb;
use afregning_tariff::Ore;
use tonic::{Request, Response, Status};

use super::{Pinned, Rpc, convert, year_ok};
use crate::app;
use crate::domain::FrameCode;
use crate::domain::reconcile::{self, PostingTotal};

/// The most ERP lines one reconciliation takes.
const MAX_ERP_LINES: usize = 100_000;
/// The size of each CSV chunk streamed.
const CSV_CHUNK_BYTES: usize = 64 * 1024;

async fn totals(app: &app::Budget, r: &pb::ExportPostingsRequest) -> Result<Vec<PostingTotal>, ApiError> {
    if !year_ok(r.year) {
        return Err(ApiError::invalid("year", "a year from 2000 to 2999"));
    }
    let frame = (!r.frame.is_empty()).then(|| FrameCode::new(r.frame.clone()));
    app.posting_totals(r.year, frame.as_ref()).await
}

pub(super) async fn export_postings(
    app: &app::Budget,
    request: Request<pb::ExportPostingsRequest>,
) -> Result<Response<Pinned<pb::PostingTotal>>, Status> {
    require(&request, Rpc::ExportPostings.roles())?;
    let totals: Vec<pb::PostingTotal> = totals(app, request.get_ref()).await?.iter().map(convert::posting_total).collect();
    Ok(Response::new(Box::pin(tokio_stream::iter(totals.into_iter().map(Ok)))))
}

pub(super) async fn export_postings_csv(
    app: &app::Budget,
    request: Request<pb::ExportPostingsRequest>,
) -> Result<Response<Pinned<pb::CsvChunk>>, Status> {
    require(&request, Rpc::ExportPostingsCsv.roles())?;
    let csv = reconcile::csv(&totals(app, request.get_ref()).await?);
    let chunks: Vec<Result<pb::CsvChunk, Status>> = csv
        .into_bytes()
        .chunks(CSV_CHUNK_BYTES)
        .map(|c| Ok(pb::CsvChunk { data: c.to_vec() }))
        .collect();
    Ok(Response::new(Box::pin(tokio_stream::iter(chunks))))
}

pub(super) async fn reconcile(
    app: &app::Budget,
    request: Request<pb::ReconcileRequest>,
) -> Result<Response<pb::ReconcileResponse>, Status> {
    require(&request, Rpc::Reconcile.roles())?;
    let r = request.into_inner();
    if r.erp_totals.len() > MAX_ERP_LINES {
        return Err(ApiError::invalid("erp_totals", "at most 100,000 lines").into());
    }
    if !year_ok(r.year) {
        return Err(ApiError::invalid("year", "a year from 2000 to 2999").into());
    }
    let mut v = Violations::new();
    for (i, t) in r.erp_totals.iter().enumerate() {
        v.amount(&format!("erp_totals[{i}].amount_ore"), t.amount_ore, true);
    }
    v.finish()?;
    let theirs: Vec<_> = r
        .erp_totals
        .iter()
        .map(|t| (convert::line_key(t), Ore::new(t.amount_ore)))
        .collect();
    let differences: Vec<pb::ReconcileDifference> = app.reconcile(r.year, &theirs).await?.into_iter().map(convert::difference).collect();
    Ok(Response::new(pb::ReconcileResponse {
        balanced: differences.is_empty(),
        differences,
    }))
}
