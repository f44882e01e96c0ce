//! After issue: a provider accepts or disputes its statement, finance records the payment, and
//! overdue statements are listed; and the running month previewed. The statements themselves never
//! change; see [`crate::domain::lifecycle`].

use afregning_kit::auth::require;
use afregning_kit::clock::today;
use afregning_kit::paging::{next_token, page};
use afregning_kit::store::RequestKey;
use afregning_kit::{ApiError, Violations};
use afregning_proto::common::v1 as pbc;
use afregning_proto::convert::date;
use afregning_proto::settlement::v1 as pb;
use afregning_tariff::{Ore, Period};
use chrono::{Days, Utc};
use tonic::{Request, Response, Status};

use super::convert::{wire_line, wire_statement, wire_statement_with};
use super::{Settlement, own_provider, roles};
use crate::app::statements::{answer, mark_paid};
use crate::domain::ids::ProviderId;
use crate::domain::lifecycle::{MAX_DISPUTED_LINES, PAYMENT_TERM_DAYS};
use crate::error::SettlementError;

/// Providers one operator's preview of every provider covers at most.
const MAX_PREVIEWED_PROVIDERS: usize = 10_000;

pub(super) async fn accept(s: &Settlement, request: Request<pb::AcceptStatementRequest>) -> Result<Response<pb::Statement>, Status> {
    let principal = require(&request, roles::Rpc::AcceptStatement.allowed())?;
    let r = request.into_inner();
    let key = RequestKey::new("AcceptStatement", &r.request_id, &r)?;
    let reader = own_provider(&principal);
    let answer = s
        .store
        .storage
        .once(&key, async |tx| -> Result<pb::Statement, ApiError> {
            let (statement, life) = answer(tx, reader.as_ref(), &r.statement_id, None, Utc::now()).await?;
            Ok(wire_statement_with(&statement, Some(&life)))
        })
        .await?;
    Ok(Response::new(answer))
}

pub(super) async fn dispute(s: &Settlement, request: Request<pb::DisputeStatementRequest>) -> Result<Response<pb::Statement>, Status> {
    let principal = require(&request, roles::Rpc::DisputeStatement.allowed())?;
    let r = request.into_inner();
    let key = RequestKey::new("DisputeStatement", &r.request_id, &r)?;
    if r.lines.is_empty() || r.lines.len() > MAX_DISPUTED_LINES {
        return Err(ApiError::invalid("lines", format!("1–{MAX_DISPUTED_LINES} disputed lines")).into());
    }
    let reader = own_provider(&principal);
    let lines: Vec<(u32, String)> = r.lines.iter().map(|l| (l.line_no, l.reason.clone())).collect();
    let answer = s
        .store
        .storage
        .once(&key, async |tx| -> Result<pb::Statement, ApiError> {
            let (statement, life) = answer(tx, reader.as_ref(), &r.statement_id, Some(&lines), Utc::now()).await?;
            Ok(wire_statement_with(&statement, Some(&life)))
        })
        .await?;
    Ok(Response::new(answer))
}

pub(super) async fn mark_statement_paid(
    s: &Settlement,
    request: Request<pb::MarkStatementPaidRequest>,
) -> Result<Response<pb::Statement>, Status> {
    require(&request, roles::Rpc::MarkStatementPaid.allowed())?;
    let r = request.into_inner();
    let key = RequestKey::new("MarkStatementPaid", &r.request_id, &r)?;
    let paid_on = match r.paid_on {
        None => today(),
        Some(_) => date(r.paid_on.as_ref()).map_err(|_| ApiError::invalid("paid_on", "a real date, or unset for today"))?,
    };
    let answer = s
        .store
        .storage
        .once(&key, async |tx| -> Result<pb::Statement, ApiError> {
            let (statement, life) = mark_paid(tx, &r.statement_id, paid_on, &r.reference, today(), Utc::now()).await?;
            Ok(wire_statement_with(&statement, Some(&life)))
        })
        .await?;
    Ok(Response::new(answer))
}

pub(super) async fn overdue(
    s: &Settlement,
    request: Request<pb::ListOverdueStatementsRequest>,
) -> Result<Response<pb::ListStatementsResponse>, Status> {
    require(&request, roles::Rpc::ListOverdueStatements.allowed())?;
    let r = request.into_inner();
    let mut v = Violations::new();
    let as_of = match r.as_of.as_ref() {
        None => Some(today()),
        Some(d) => date(Some(d)).ok(),
    };
    v.check(as_of.is_some(), "as_of", "a real date");
    v.check(r.provider_id.chars().count() <= 64, "provider_id", "at most 64 characters");
    v.finish()?;
    let as_of = as_of.unwrap_or_else(today);
    // Overdue on `as_of` when due before it: issued on a Danish day before `as_of` − 30 days, that
    // is before the first instant of that day in Denmark.
    let last_issue_day = as_of.checked_sub_days(Days::new(PAYMENT_TERM_DAYS)).unwrap_or(as_of);
    let issued_before = afregning_tariff::bands::local_to_utc(last_issue_day.and_hms_opt(0, 0, 0).unwrap_or_default())
        .map_err(|_| ApiError::invalid("as_of", "not a day in Danish time"))?;
    let (offset, limit) = page(r.page.as_ref())?;
    let provider = (!r.provider_id.is_empty()).then_some(r.provider_id.as_str());
    let rows = s.store.overdue_statements(issued_before, as_of, provider, offset, limit).await?;
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

/// The running month (by today's date in Denmark) priced as a run would price it now, for one
/// provider with its lines or for every provider (headers only), stored nowhere.
pub(super) async fn preview(
    s: &Settlement,
    request: Request<pb::PreviewStatementsRequest>,
) -> Result<Response<pb::PreviewStatementsResponse>, Status> {
    let principal = require(&request, roles::Rpc::PreviewStatements.allowed())?;
    let r = request.into_inner();
    let own = own_provider(&principal);
    let asked = match (&own, r.provider_id.as_str()) {
        (Some(own), "") => Some(own.clone()),
        (Some(own), id) if *own == *id => Some(own.clone()),
        // Another provider's month: refused the same way whether it exists or not.
        (Some(_), _) => return Err(ApiError::PermissionDenied.into()),
        (None, "") => None,
        (None, id) if id.chars().count() <= 64 => Some(ProviderId::new(id)),
        (None, _) => return Err(ApiError::invalid("provider_id", "at most 64 characters").into()),
    };
    let as_of = today();
    let period = Period::containing(as_of);
    let providers = match &asked {
        Some(one) => vec![one.clone()],
        None => s.store.provider_ids().await?.into_iter().map(ProviderId::new).collect(),
    };
    if providers.len() > MAX_PREVIEWED_PROVIDERS {
        return Err(ApiError::precondition("provider_id", "too many providers to preview at once; name one").into());
    }
    let mut previews = Vec::new();
    let mut total = Ore::ZERO;
    for provider_id in &providers {
        let Some((draft, lines)) = s.runner.preview(provider_id, period, Utc::now()).await? else {
            continue;
        };
        if asked.is_none() && lines.is_empty() {
            continue;
        }
        total = total.checked_add(draft.total_ore).map_err(SettlementError::from)?;
        let mut statement = wire_statement(&draft);
        statement.state = pb::StatementState::Preview as i32;
        let lines = if asked.is_some() {
            // CPR numbers only for the provider itself, as on its statements.
            lines
                .iter()
                .map(|l| {
                    let mut line = l.line.clone();
                    if own.as_ref() != Some(provider_id) {
                        line.cpr = None;
                    }
                    wire_line(&line)
                })
                .collect()
        } else {
            Vec::new()
        };
        previews.push(pb::StatementPreview {
            statement: Some(statement),
            lines,
        });
    }
    Ok(Response::new(pb::PreviewStatementsResponse {
        period: Some(pbc::Period::from(period)),
        as_of: Some(pbc::Date::from(as_of)),
        previews,
        total_ore: total.get(),
    }))
}
