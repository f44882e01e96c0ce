//! Settlement runs and the annual true-up. The run itself lives in [`crate::app::run`]; this
//! starts it (or attaches a retry to it) and streams its progress.

use afregning_kit::auth::require;
use afregning_kit::clock::today;
use afregning_kit::paging::MAX_PAGE_SIZE;
use afregning_kit::store::RequestKey;
use afregning_kit::{ApiError, Violations};
use afregning_proto::common::v1 as pbc;
use afregning_proto::convert::timestamp;
use afregning_proto::settlement::v1 as pb;
use afregning_tariff::{Ore, Period};
use chrono::{Datelike as _, Utc};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::convert::{wire_run_state, wire_statement};
use super::{Pinned, Settlement, roles};
use crate::app::run::{self, Started};
use crate::domain::line::TargetPeriod;

/// Progress messages a run may have waiting for a slow listener.
const PROGRESS_BUFFER: usize = 64;
/// Unit costs one true-up may carry.
const MAX_ACTUAL_COSTS: usize = 500;

/// The month in `field`.
pub(super) fn month_in(period: Option<&pbc::Period>, field: &str) -> Result<Period, ApiError> {
    period
        .and_then(|p| Period::new(p.year, u32::try_from(p.month).ok()?))
        .ok_or_else(|| ApiError::invalid(field, "required: a year and a month 1–12"))
}

pub(super) async fn run_settlement(
    s: &Settlement,
    request: Request<pb::RunSettlementRequest>,
) -> Result<Response<Pinned<pb::SettlementProgress>>, Status> {
    require(&request, roles::Rpc::RunSettlement.allowed())?;
    let r = request.into_inner();
    let key = RequestKey::new("RunSettlement", &r.request_id, &r)?;
    let period = month_in(r.period.as_ref(), "period")?;
    let (sender, receiver) = tokio::sync::mpsc::channel(PROGRESS_BUFFER);
    match run::start(&s.store, &key, period, today(), s.boot).await? {
        Started::Answered(done) => return Ok(Response::new(Box::pin(tokio_stream::once(Ok(done))))),
        Started::Attached(run_id) => {
            let store = s.store.clone();
            tokio::spawn(async move {
                let answer = run::attach(&store, &run_id, &key).await.map_err(Status::from);
                let _ = sender.send(answer).await;
            });
        }
        Started::Running(going) => {
            let runner = s.runner.clone();
            // The run goes on if the caller stops listening: progress is only reported.
            tokio::spawn(async move {
                let last = run::run_period(&runner, &going, &key, &sender).await.map_err(Status::from);
                let _ = sender.send(last).await;
            });
        }
    }
    Ok(Response::new(Box::pin(ReceiverStream::new(receiver))))
}

pub(super) async fn get(s: &Settlement, request: Request<pb::GetSettlementRunRequest>) -> Result<Response<pb::SettlementRun>, Status> {
    require(&request, roles::Rpc::GetSettlementRun.allowed())?;
    let run = s
        .store
        .run(&request.get_ref().run_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("run".into()))?;
    let month = Some(TargetPeriod::Month(run.period));
    let statements = s.store.statements(None, month, None, 0, i64::from(MAX_PAGE_SIZE)).await?;
    Ok(Response::new(pb::SettlementRun {
        run_id: run.run_id.to_string(),
        period: Some(pbc::Period::from(run.period)),
        state: wire_run_state(run.state),
        started_at: Some(timestamp(run.started_at)),
        finished_at: run.finished_at.map(timestamp),
        statement_ids: statements.into_iter().map(|s| s.statement_id.to_string()).collect(),
        total_ore: run.total_ore.get(),
    }))
}

pub(super) async fn true_up(s: &Settlement, request: Request<pb::RunTrueUpRequest>) -> Result<Response<pb::RunTrueUpResponse>, Status> {
    require(&request, roles::Rpc::RunTrueUp.allowed())?;
    let r = request.into_inner();
    let key = RequestKey::new("RunTrueUp", &r.request_id, &r)?;
    let mut v = Violations::new();
    v.check(
        (2000..=today().year()).contains(&r.year),
        "year",
        "a year from 2000 up to the current one",
    );
    v.check(
        !r.actual_costs.is_empty() && r.actual_costs.len() <= MAX_ACTUAL_COSTS,
        "actual_costs",
        "1–500 unit costs",
    );
    let mut actual = std::collections::BTreeMap::new();
    for (i, cost) in r.actual_costs.iter().enumerate() {
        v.check(
            !cost.unit.is_empty() && cost.unit.len() <= 64,
            &format!("actual_costs[{i}].unit"),
            "required, at most 64 characters",
        );
        v.amount(&format!("actual_costs[{i}].actual_rate_ore"), cost.actual_rate_ore, false);
        if actual.insert(cost.unit.clone(), Ore::new(cost.actual_rate_ore)).is_some() {
            v.add(format!("actual_costs[{i}].unit"), "given twice");
        }
    }
    v.finish()?;
    if let Some(answer) = s.store.storage.answered(&key).await? {
        return Ok(Response::new(answer));
    }
    // The unit costs are the client's: a true-up they carry beyond any amount names them.
    let beyond = || ApiError::invalid("actual_costs", "the true-up at these unit costs is beyond any amount");
    let drafts = s.runner.true_up(r.year, &actual, Utc::now()).await.map_err(|e| match e {
        crate::error::SettlementError::Money(_) => beyond(),
        other => other.into(),
    })?;
    let total = Ore::sum(drafts.iter().map(|d| d.total_ore)).map_err(|_| beyond())?;
    let answer = pb::RunTrueUpResponse {
        statements: drafts.iter().map(wire_statement).collect(),
        total_ore: total.get(),
    };
    Ok(Response::new(s.store.storage.remember_after(&key, answer).await?))
}
