//! The settlement run: every provider's month priced into drafts, with progress reported as it
//! goes. The run lives here, not in the transport: the RPC only starts it (or attaches a retry
//! to it) and forwards its progress. Its last report is stored as the answer to the request in
//! the same transaction that records the end, so a retry gets the first answer.

use afregning_kit::store::RequestKey;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pb;
use afregning_tariff::{Ore, Period};
use chrono::{DateTime, NaiveDate, Utc};
use futures::StreamExt as _;
use tokio::sync::mpsc::Sender;

use super::pricing::Runner;
use crate::domain::ids::{ProviderId, RunId};
use crate::domain::run::{Run, RunState};
use crate::error::SettlementError;
use crate::grpc::convert::wire_run_state;
use crate::store::{RunTx, Store};

/// How many providers' months a run prices at once on PostgreSQL.
const PROVIDERS_AT_ONCE: usize = 4;

/// How often a retry of a run in progress looks whether it has ended.
const RUN_POLL: std::time::Duration = std::time::Duration::from_millis(200);

/// Progress of a run as the client sees it; the last one says how it ended.
pub type Progress = Result<pb::SettlementProgress, tonic::Status>;

/// What starting a run found.
pub enum Started {
    /// The request was answered before: its answer.
    Answered(pb::SettlementProgress),
    /// The request's run is going on in this process: the retry waits for its end.
    Attached(RunId),
    /// A run was started (or an interrupted one started again) under this id.
    Running(Run),
}

/// Starts run of `period` for request `key`, or finds it answered or going. `boot` is when this
/// process started: a run recorded as going since before then was left by a stopped process.
pub async fn start(
    store: &Store,
    key: &RequestKey,
    period: Period,
    today: NaiveDate,
    boot: DateTime<Utc>,
) -> Result<Started, SettlementError> {
    if period.range().last() >= today {
        return Err(SettlementError::MonthNotEnded);
    }
    let mut tx = store.storage.begin().await?;
    if let Some(done) = tx.replay::<pb::SettlementProgress>(key).await? {
        return Ok(Started::Answered(done));
    }
    // One request id is one run, and one run of a month goes on at a time.
    tx.lock_runs(period).await?;
    let mine = tx.run_of_request(&key.request_id).await?;
    if let Some(run) = mine.as_ref().filter(|r| r.going_since(boot)) {
        return Ok(Started::Attached(run.run_id.clone()));
    }
    let run_id = match mine {
        // Interrupted or failed before: the retry completes it, under the same run id.
        Some(run) => run.run_id,
        None => RunId::of_month(period, &uuid::Uuid::new_v4().simple().to_string()),
    };
    if let Some(other) = tx.running_run(period).await?.filter(|r| r.going_since(boot)) {
        return Err(SettlementError::RunInProgress(other.run_id));
    }
    let run = Run {
        run_id,
        period,
        state: RunState::Running,
        started_at: Utc::now(),
        finished_at: None,
        total_ore: Ore::ZERO,
    };
    tx.start_run(&run, &key.request_id).await?;
    store.storage.commit(tx).await?;
    Ok(Started::Running(run))
}

/// Runs every provider's month as `run`, reporting progress on `progress`; the last message says
/// it completed, and is stored as the answer to `key` in the same transaction that records the end.
pub async fn run_period(
    runner: &Runner,
    run: &Run,
    key: &RequestKey,
    progress: &Sender<Progress>,
) -> Result<pb::SettlementProgress, SettlementError> {
    let store = &runner.store;
    let providers = store.provider_ids().await?;
    let mut report = pb::SettlementProgress {
        run_id: run.run_id.to_string(),
        period: Some(pbc::Period::from(run.period)),
        state: wire_run_state(RunState::Running),
        providers_total: u32::try_from(providers.len()).unwrap_or(u32::MAX),
        ..Default::default()
    };
    let mut total = Ore::ZERO;
    // Providers are priced a few at a time on PostgreSQL (each draft is its own transaction);
    // SQLite has one writer, so there they go one by one. Results arrive in provider order.
    let at_once = if store.concurrent_writers() { PROVIDERS_AT_ONCE } else { 1 };
    let period = run.period;
    let mut priced = futures::stream::iter(providers.into_iter().map(ProviderId::new))
        .map(move |provider_id| async move {
            let priced = runner.provider_month(provider_id.as_str(), period, Utc::now()).await;
            (provider_id, priced)
        })
        .buffered(at_once);
    while let Some((provider_id, priced)) = priced.next().await {
        report.current_provider_id = provider_id.to_string();
        let _ = progress.send(Ok(report.clone())).await;
        let result = match priced {
            Ok(result) => result,
            Err(error) => {
                let mut tx = store.storage.begin().await?;
                tx.finish_run(&run.run_id, RunState::Failed, Utc::now(), total).await?;
                store.storage.commit(tx).await?;
                return Err(error);
            }
        };
        total = total.checked_add(result.total)?;
        report.providers_done += 1;
        report.lines_written += result.lines as u64;
        report.total_ore = total.get();
    }
    report.state = wire_run_state(RunState::Completed);
    report.current_provider_id.clear();
    let mut tx = store.storage.begin().await?;
    tx.finish_run(&run.run_id, RunState::Completed, Utc::now(), total).await?;
    Ok(store.storage.finish(tx, key, report).await?)
}

/// A retry of a run in progress: waits for it to end and answers what the first call got.
pub async fn attach(store: &Store, run_id: &RunId, key: &RequestKey) -> Result<pb::SettlementProgress, SettlementError> {
    loop {
        let run = store
            .run(run_id.as_str())
            .await?
            .ok_or_else(|| afregning_kit::ApiError::Internal(anyhow::anyhow!("run {run_id} vanished")))?;
        if run.state != RunState::Running {
            return match store.storage.stored_answer(key).await? {
                Some(answer) => Ok(answer),
                None => Err(SettlementError::RunEndedIncomplete(run_id.clone())),
            };
        }
        tokio::time::sleep(RUN_POLL).await;
    }
}
