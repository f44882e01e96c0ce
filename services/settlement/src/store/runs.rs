//! Settlement runs as stored: one request id is one run, and one run of a month goes on at a time.

use afregning_kit::ApiError;
use afregning_kit::store::Tx;
use afregning_tariff::{Ore, Period};
use chrono::{DateTime, Utc};

use super::{On, Store, corrupt, instant_text, on, stored_instant};
use crate::domain::ids::RunId;
use crate::domain::run::{Run, RunState};

const RUN_COLUMNS: &str = "run_id, period, state, started_at, finished_at, total_ore";

/// A run as stored.
#[derive(sqlx::FromRow)]
struct RunRow {
    run_id: String,
    period: String,
    state: i64,
    started_at: String,
    finished_at: Option<String>,
    total_ore: i64,
}

impl TryFrom<RunRow> for Run {
    type Error = ApiError;

    fn try_from(row: RunRow) -> Result<Run, ApiError> {
        Ok(Run {
            period: row.period.parse().map_err(|_| corrupt("period", &row.period))?,
            state: i32::try_from(row.state)
                .ok()
                .and_then(RunState::from_code)
                .ok_or_else(|| corrupt("run state", row.state))?,
            started_at: stored_instant(&row.started_at)?,
            finished_at: row.finished_at.as_deref().map(stored_instant).transpose()?,
            total_ore: Ore::new(row.total_ore),
            run_id: RunId::new(row.run_id),
        })
    }
}

/// The run the `WHERE` clause `filter` finds first.
async fn run_where(on: On<'_>, filter: &str, first: &str, second: Option<i64>) -> Result<Option<Run>, ApiError> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE {filter}");
    let row: Option<RunRow> = on!(on, e => {
        let query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(first);
        match second {
            Some(second) => query.bind(second).fetch_optional(e).await?,
            None => query.fetch_optional(e).await?,
        }
    });
    row.map(Run::try_from).transpose()
}

impl Store {
    /// Marks as interrupted every run still recorded as going that started before `boot`: the
    /// process that ran it is gone. A retry with its request id completes it.
    pub async fn interrupt_runs(&self, boot: DateTime<Utc>, now: DateTime<Utc>) -> Result<u64, ApiError> {
        Ok(
            on!(self.pool(), e => sqlx::query("UPDATE runs SET state = $1, finished_at = $2 WHERE state = $3 AND started_at < $4")
            .bind(i64::from(RunState::Interrupted.code())).bind(instant_text(now)).bind(i64::from(RunState::Running.code())).bind(instant_text(boot))
            .execute(e).await?.rows_affected()),
        )
    }

    /// A run by id.
    pub async fn run(&self, run_id: &str) -> Result<Option<Run>, ApiError> {
        run_where(self.pool(), "run_id = $1", run_id, None).await
    }
}

/// Runs inside a transaction.
pub(crate) trait RunTx {
    /// Keeps the period's runs to this transaction until commit, so two runs of one month never
    /// start side by side (SQLite has one writer; PostgreSQL takes an advisory lock).
    async fn lock_runs(&mut self, period: Period) -> Result<(), ApiError>;
    /// The run a request id started, if any.
    async fn run_of_request(&mut self, request_id: &str) -> Result<Option<Run>, ApiError>;
    /// A run of the period still going, if any.
    async fn running_run(&mut self, period: Period) -> Result<Option<Run>, ApiError>;
    /// Records a run starting under `request_id`, or starts again the one it started before.
    async fn start_run(&mut self, run: &Run, request_id: &str) -> Result<(), ApiError>;
    /// Records how a run ended.
    async fn finish_run(&mut self, run_id: &RunId, state: RunState, finished_at: DateTime<Utc>, total: Ore) -> Result<(), ApiError>;
}

impl RunTx for Tx {
    async fn lock_runs(&mut self, period: Period) -> Result<(), ApiError> {
        if let Tx::Postgres(t) = self {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('runs:' || $1, 0))")
                .bind(period.to_string())
                .execute(&mut **t)
                .await?;
        }
        Ok(())
    }

    async fn run_of_request(&mut self, request_id: &str) -> Result<Option<Run>, ApiError> {
        run_where(On::Tx(self), "request_id = $1", request_id, None).await
    }

    async fn running_run(&mut self, period: Period) -> Result<Option<Run>, ApiError> {
        let running = Some(i64::from(RunState::Running.code()));
        run_where(
            On::Tx(self),
            "period = $1 AND state = $2 ORDER BY started_at LIMIT 1",
            &period.to_string(),
            running,
        )
        .await
    }

    async fn start_run(&mut self, run: &Run, request_id: &str) -> Result<(), ApiError> {
        afregning_kit::on_tx!(self, t => sqlx::query(
            "INSERT INTO runs (run_id, period, state, started_at, total_ore, request_id) VALUES ($1, $2, $3, $4, 0, $5) \
             ON CONFLICT (run_id) DO UPDATE SET state = excluded.state, started_at = excluded.started_at, finished_at = NULL, total_ore = 0")
            .bind(run.run_id.as_str()).bind(run.period.to_string()).bind(i64::from(run.state.code())).bind(instant_text(run.started_at))
            .bind(request_id).execute(&mut **t).await.map(drop)?);
        Ok(())
    }

    async fn finish_run(&mut self, run_id: &RunId, state: RunState, finished_at: DateTime<Utc>, total: Ore) -> Result<(), ApiError> {
        afregning_kit::on_tx!(self, t => sqlx::query("UPDATE runs SET state = $1, finished_at = $2, total_ore = $3 WHERE run_id = $4")
            .bind(i64::from(state.code())).bind(instant_text(finished_at)).bind(total.get()).bind(run_id.as_str()).execute(&mut **t).await.map(drop)?);
        Ok(())
    }
}
