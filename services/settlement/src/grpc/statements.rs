//! Statements: issuing, listing, reading (a provider only its own, with CPR numbers only on its
//! own), streaming lines and exporting CSV.

use afregning_kit::ApiError;
use afregning_kit::auth::{Principal, require};
use afregning_kit::paging::{next_token, page};
use afregning_kit::store::RequestKey;
use afregning_proto::settlement::v1 as pb;
use chrono::Utc;
use tonic::{Request, Response, Status};

use super::convert::{wire_line, wire_statement, wire_statement_with};
use super::runs::month_in;
use super::{Pinned, Settlement, own_provider, roles};
use crate::app::statements::{Unreadable, issue as issue_statement, readable, readable_lines};
use crate::domain::export::statement_csv;
use crate::domain::line::TargetPeriod;
use crate::domain::statement::{Statement, StatementStatus};

/// Bytes per CSV message.
const CSV_CHUNK: usize = 64 * 1024;

/// The statement `principal` may read: refused as PERMISSION_DENIED for a provider whether it
/// is another's or missing, so ids cannot be probed.
async fn readable_by(s: &Settlement, principal: &Principal, statement_id: &str) -> Result<Statement, Status> {
    match readable(&s.store, own_provider(principal).as_ref(), statement_id).await {
        Ok(statement) => Ok(statement),
        Err(Unreadable::NotYours) => Err(ApiError::PermissionDenied.into()),
        Err(Unreadable::Failed(e)) => Err(e.into()),
    }
}

pub(super) async fn issue(s: &Settlement, request: Request<pb::IssueStatementRequest>) -> Result<Response<pb::Statement>, Status> {
    require(&request, roles::Rpc::IssueStatement.allowed())?;
    let r = request.into_inner();
    let key = RequestKey::new("IssueStatement", &r.request_id, &r)?;
    let answer = s
        .store
        .storage
        .once(&key, async |tx| -> Result<pb::Statement, ApiError> {
            Ok(wire_statement(&issue_statement(tx, &r.statement_id, Utc::now()).await?))
        })
        .await?;
    Ok(Response::new(answer))
}

pub(super) async fn list(
    s: &Settlement,
    request: Request<pb::ListStatementsRequest>,
) -> Result<Response<pb::ListStatementsResponse>, Status> {
    let principal = require(&request, roles::Rpc::ListStatements.allowed())?;
    let r = request.into_inner();
    let provider_id = match own_provider(&principal) {
        Some(own) if r.provider_id.is_empty() || own == *r.provider_id => own.to_string(),
        Some(_) => return Err(ApiError::PermissionDenied.into()),
        None => r.provider_id.clone(),
    };
    let period = match r.period.as_ref() {
        Some(p) => Some(TargetPeriod::Month(month_in(Some(p), "period")?)),
        None => None,
    };
    let status = match (r.state, StatementStatus::from_code(r.state)) {
        (0, _) => None,
        (_, Some(status)) => Some(status),
        // A state no statement has: nothing matches.
        (_, None) => {
            return Ok(Response::new(pb::ListStatementsResponse::default()));
        }
    };
    let (offset, limit) = page(r.page.as_ref())?;
    let provider = (!provider_id.is_empty()).then_some(provider_id.as_str());
    let rows = s.store.statements(provider, period, status, offset, limit).await?;
    let ids: Vec<&str> = rows.iter().map(|st| st.statement_id.as_str()).collect();
    let lives = s.store.lifecycles(&ids).await?;
    let next_page_token = next_token(offset, limit, rows.len());
    Ok(Response::new(pb::ListStatementsResponse {
        statements: rows
            .iter()
            .map(|st| wire_statement_with(st, lives.get(st.statement_id.as_str())))
            .collect(),
        next_page_token,
    }))
}

pub(super) async fn get(s: &Settlement, request: Request<pb::GetStatementRequest>) -> Result<Response<pb::Statement>, Status> {
    let principal = require(&request, roles::Rpc::GetStatement.allowed())?;
    let statement = readable_by(s, &principal, &request.get_ref().statement_id).await?;
    let lives = s.store.lifecycles(&[statement.statement_id.as_str()]).await?;
    Ok(Response::new(wire_statement_with(
        &statement,
        lives.get(statement.statement_id.as_str()),
    )))
}

pub(super) async fn stream_lines(
    s: &Settlement,
    request: Request<pb::StreamStatementLinesRequest>,
) -> Result<Response<Pinned<pb::StatementLine>>, Status> {
    let principal = require(&request, roles::Rpc::StreamStatementLines.allowed())?;
    let statement = readable_by(s, &principal, &request.get_ref().statement_id).await?;
    let lines = readable_lines(&s.store, own_provider(&principal).as_ref(), &statement).await?;
    let wire: Vec<Result<pb::StatementLine, Status>> = lines.iter().map(|l| Ok(wire_line(&l.line))).collect();
    Ok(Response::new(Box::pin(tokio_stream::iter(wire))))
}

pub(super) async fn export_csv(
    s: &Settlement,
    request: Request<pb::ExportStatementCsvRequest>,
) -> Result<Response<Pinned<pb::CsvChunk>>, Status> {
    let principal = require(&request, roles::Rpc::ExportStatementCsv.allowed())?;
    let statement = readable_by(s, &principal, &request.get_ref().statement_id).await?;
    let lines = readable_lines(&s.store, own_provider(&principal).as_ref(), &statement).await?;
    let csv = statement_csv(&lines).map_err(|e| ApiError::Internal(e.into()))?;
    let chunks: Vec<Result<pb::CsvChunk, Status>> = csv.chunks(CSV_CHUNK).map(|c| Ok(pb::CsvChunk { data: c.to_vec() })).collect();
    Ok(Response::new(Box::pin(tokio_stream::iter(chunks))))
}
