//! Statements: headers, lines (stored as their wire message, so a seal recomputed from them
//! matches), the inputs that priced them, and what stands issued per month.

use afregning_kit::ApiError;
use afregning_kit::store::{Tx, decode};
use afregning_proto::settlement::v1 as pb;
use afregning_tariff::Period;
use prost::Message;

use super::line_codec::{line_of_wire, wire_line};
use super::{On, Store, corrupt, instant_text, on, stored_instant};
use crate::domain::ids::{ProviderId, StatementId};
use crate::domain::line::{LineKind, StoredLine, TargetPeriod};
use crate::domain::run::RunState;
use crate::domain::statement::{Statement, StatementStatus};

/// One input that priced a statement, copied beside it.
pub struct Input {
    /// `catalog`, `grant_version`, `provider` or `delivery`.
    pub kind: &'static str,
    /// Which one.
    pub key: String,
    /// Its content.
    pub payload: Vec<u8>,
}

pub(super) const STATEMENT_COLUMNS: &str =
    "statement_id, provider_id, period, state, total_ore, line_count, catalog_versions, content_hash, computed_at, issued_at";

/// A statement's header as stored.
#[derive(sqlx::FromRow)]
pub(super) struct StatementRow {
    statement_id: String,
    provider_id: String,
    period: String,
    state: i64,
    total_ore: i64,
    line_count: i64,
    catalog_versions: String,
    content_hash: String,
    computed_at: String,
    issued_at: Option<String>,
}

impl TryFrom<StatementRow> for Statement {
    type Error = ApiError;

    fn try_from(row: StatementRow) -> Result<Statement, ApiError> {
        Ok(Statement {
            period: row.period.parse().map_err(|_| corrupt("period", &row.period))?,
            status: i32::try_from(row.state)
                .ok()
                .and_then(StatementStatus::from_code)
                .ok_or_else(|| corrupt("statement state", row.state))?,
            total_ore: afregning_tariff::Ore::new(row.total_ore),
            line_count: u32::try_from(row.line_count).map_err(|_| corrupt("line count", row.line_count))?,
            catalog_versions: row
                .catalog_versions
                .split(',')
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect(),
            computed_at: stored_instant(&row.computed_at)?,
            issued_at: row.issued_at.as_deref().map(stored_instant).transpose()?,
            statement_id: StatementId::new(row.statement_id),
            provider_id: ProviderId::new(row.provider_id),
            content_hash: row.content_hash,
        })
    }
}

/// A stored line: its wire message, the period it pays for, its frames as JSON.
type LineRow = (Vec<u8>, String, String);

fn stored_line((payload, target, frames): &LineRow) -> Result<StoredLine, ApiError> {
    let wire: pb::StatementLine = decode(payload)?;
    Ok(StoredLine {
        line: line_of_wire(&wire).map_err(|e| corrupt("statement line", e))?,
        target_period: target.parse().map_err(|_| corrupt("target period", target))?,
        frames: afregning_kit::store::from_json(frames)?,
    })
}

/// A line as stored and sealed: its wire message.
pub(crate) fn encoded(line: &StoredLine) -> Vec<u8> {
    wire_line(&line.line).encode_to_vec()
}

/// A statement by id.
async fn statement_on(on: On<'_>, statement_id: &str) -> Result<Option<Statement>, ApiError> {
    let sql = format!("SELECT {STATEMENT_COLUMNS} FROM statements WHERE statement_id = $1");
    let row: Option<StatementRow> = on!(on, e => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(statement_id).fetch_optional(e).await?);
    row.map(Statement::try_from).transpose()
}

/// A statement's lines in order.
async fn lines_on(on: On<'_>, statement_id: &str) -> Result<Vec<StoredLine>, ApiError> {
    let rows: Vec<LineRow> = on!(on, e => sqlx::query_as(
        "SELECT payload, target_period, frames FROM statement_lines WHERE statement_id = $1 ORDER BY line_no")
        .bind(statement_id).fetch_all(e).await?);
    rows.iter().map(stored_line).collect()
}

impl Store {
    /// A statement by id.
    pub async fn statement(&self, statement_id: &str) -> Result<Option<Statement>, ApiError> {
        statement_on(self.pool(), statement_id).await
    }

    /// A statement's lines in order.
    pub async fn statement_lines(&self, statement_id: &str) -> Result<Vec<StoredLine>, ApiError> {
        lines_on(self.pool(), statement_id).await
    }

    /// Statements, optionally of one provider, period and status, by period then provider.
    pub async fn statements(
        &self,
        provider_id: Option<&str>,
        period: Option<TargetPeriod>,
        status: Option<StatementStatus>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<Statement>, ApiError> {
        let sql = format!(
            "SELECT {STATEMENT_COLUMNS} FROM statements WHERE ($1 = '' OR provider_id = $1) AND ($2 = '' OR period = $2) AND ($3 = 0 OR state = $3) \
             ORDER BY period, provider_id LIMIT $4 OFFSET $5"
        );
        let rows: Vec<StatementRow> = on!(self.pool(), e => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(provider_id.unwrap_or_default())
            .bind(period.map(|p| p.to_string()).unwrap_or_default())
            .bind(status.map_or(0, |s| i64::from(s.code())))
            .bind(limit).bind(offset).fetch_all(e).await?);
        rows.into_iter().map(Statement::try_from).collect()
    }

    /// The provider's statements as (period, whether issued), by period.
    pub async fn statement_periods(&self, provider_id: &str) -> Result<Vec<(TargetPeriod, bool)>, ApiError> {
        let rows: Vec<(String, i64)> = on!(self.pool(), e => sqlx::query_as("SELECT period, state FROM statements WHERE provider_id = $1 ORDER BY period")
            .bind(provider_id).fetch_all(e).await?);
        rows.into_iter()
            .map(|(period, state)| {
                let period = period.parse().map_err(|_| corrupt("period", &period))?;
                Ok((period, state == i64::from(StatementStatus::Issued.code())))
            })
            .collect()
    }

    /// The settled months, in order: those any provider has an issued statement for, and those
    /// whose completed run left no draft to issue (a month with nothing to pay). A month never
    /// run here (before the municipality started, say) is not settled.
    pub async fn settled_periods(&self) -> Result<Vec<Period>, ApiError> {
        let rows: Vec<(String,)> = on!(self.pool(), e => sqlx::query_as(
            "SELECT period FROM statements WHERE state = $1 AND period NOT LIKE '%-true-up' \
             UNION SELECT r.period FROM runs r WHERE r.state = $2 \
               AND NOT EXISTS (SELECT 1 FROM statements s WHERE s.period = r.period AND s.state = $3) \
             ORDER BY period")
            .bind(i64::from(StatementStatus::Issued.code()))
            .bind(i64::from(RunState::Completed.code()))
            .bind(i64::from(StatementStatus::Draft.code()))
            .fetch_all(e).await?);
        rows.into_iter()
            .map(|(period,)| period.parse().map_err(|_| corrupt("period", &period)))
            .collect()
    }

    /// What the provider has been paid for `period` so far: issued regular, rebooking and
    /// supplement lines for it that no issued reversal has taken back. (Reversals are the
    /// provider's own lines; the set of reversed ids is read once, so the plan stays linear even
    /// before fresh statistics.)
    pub async fn effective_lines(&self, provider_id: &str, period: Period) -> Result<Vec<StoredLine>, ApiError> {
        let paying: Vec<String> = LineKind::ALL
            .into_iter()
            .filter(|k| k.pays())
            .map(|k| k.code().to_string())
            .collect();
        let sql = format!(
            "SELECT l.payload, l.target_period, l.frames FROM statement_lines l JOIN statements s ON s.statement_id = l.statement_id \
             WHERE s.provider_id = $1 AND s.state = $2 AND l.target_period = $3 AND l.kind IN ({}) \
             AND l.line_id NOT IN (SELECT r.corrects_line_id FROM statement_lines r JOIN statements rs ON rs.statement_id = r.statement_id \
                                   WHERE rs.provider_id = $1 AND rs.state = $2 AND r.kind = {}) \
             ORDER BY s.period, l.line_no",
            paying.join(", "),
            LineKind::Reversal.code()
        );
        let rows: Vec<LineRow> = on!(self.pool(), e => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(provider_id).bind(i64::from(StatementStatus::Issued.code())).bind(period.to_string()).fetch_all(e).await?);
        rows.iter().map(stored_line).collect()
    }

    /// Sum of all issued statements, øre.
    pub async fn issued_total(&self) -> Result<i64, ApiError> {
        let (total,): (i64,) = on!(self.pool(), e => sqlx::query_as("SELECT CAST(COALESCE(SUM(total_ore), 0) AS BIGINT) FROM statements WHERE state = $1")
            .bind(i64::from(StatementStatus::Issued.code())).fetch_one(e).await?);
        Ok(total)
    }
}

/// Writes of statements inside a transaction.
pub(crate) trait StatementTx {
    /// Replaces the provider's draft for the period (if any) with `statement` and its lines and
    /// inputs; removes it when `lines` is empty. Refuses to touch an issued statement (`Ok(false)`).
    async fn write_draft(&mut self, statement: &Statement, lines: &[StoredLine], inputs: &[Input]) -> Result<bool, ApiError>;
    /// A statement by id, as this transaction sees it.
    async fn statement(&mut self, statement_id: &str) -> Result<Option<Statement>, ApiError>;
    /// Waits until no other transaction works on the statement, and keeps it to this one until
    /// commit: issuing it and rewriting its draft never interleave, so a seal is always computed
    /// over exactly what is stored (SQLite has one writer; PostgreSQL takes an advisory lock).
    async fn lock_statement(&mut self, statement_id: &str) -> Result<(), ApiError>;
    /// A statement's lines in order, as this transaction sees them.
    async fn statement_lines(&mut self, statement_id: &str) -> Result<Vec<StoredLine>, ApiError>;
    /// Seals a draft; false when it is not a draft (any more).
    async fn seal(&mut self, statement: &Statement) -> Result<bool, ApiError>;
}

impl StatementTx for Tx {
    async fn write_draft(&mut self, statement: &Statement, lines: &[StoredLine], inputs: &[Input]) -> Result<bool, ApiError> {
        let id = statement.statement_id.as_str();
        self.lock_statement(id).await?;
        let existing = self.statement(id).await?;
        if existing.as_ref().is_some_and(|s| s.status == StatementStatus::Issued) {
            return Ok(false);
        }
        afregning_kit::on_tx!(self, t => {
            if existing.is_some() {
                sqlx::query("DELETE FROM statement_inputs WHERE statement_id = $1").bind(id).execute(&mut **t).await?;
                sqlx::query("DELETE FROM statement_lines WHERE statement_id = $1").bind(id).execute(&mut **t).await?;
                sqlx::query("DELETE FROM statements WHERE statement_id = $1").bind(id).execute(&mut **t).await?;
            }
            if !lines.is_empty() {
                sqlx::query("INSERT INTO statements (statement_id, provider_id, period, state, total_ore, line_count, catalog_versions, content_hash, computed_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8)")
                    .bind(id).bind(statement.provider_id.as_str()).bind(statement.period.to_string())
                    .bind(i64::from(StatementStatus::Draft.code())).bind(statement.total_ore.get())
                    .bind(i64::from(statement.line_count)).bind(statement.catalog_versions.join(",")).bind(instant_text(statement.computed_at))
                    .execute(&mut **t).await?;
            }
        });
        if !lines.is_empty() {
            insert_lines(self, id, lines).await?;
            insert_inputs(self, id, inputs).await?;
        }
        Ok(true)
    }

    async fn statement(&mut self, statement_id: &str) -> Result<Option<Statement>, ApiError> {
        statement_on(On::Tx(self), statement_id).await
    }

    async fn lock_statement(&mut self, statement_id: &str) -> Result<(), ApiError> {
        if let Tx::Postgres(t) = self {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('statement:' || $1, 0))")
                .bind(statement_id)
                .execute(&mut **t)
                .await?;
        }
        Ok(())
    }

    async fn statement_lines(&mut self, statement_id: &str) -> Result<Vec<StoredLine>, ApiError> {
        lines_on(On::Tx(self), statement_id).await
    }

    async fn seal(&mut self, statement: &Statement) -> Result<bool, ApiError> {
        let issued_at = statement.issued_at.map(instant_text);
        let sealed = afregning_kit::on_tx!(self, t => sqlx::query("UPDATE statements SET state = $1, content_hash = $2, issued_at = $3 WHERE statement_id = $4 AND state = $5")
            .bind(i64::from(StatementStatus::Issued.code())).bind(&statement.content_hash).bind(issued_at).bind(statement.statement_id.as_str())
            .bind(i64::from(StatementStatus::Draft.code())).execute(&mut **t).await?.rows_affected());
        Ok(sealed == 1)
    }
}

/// Stores a draft's lines: on PostgreSQL in one statement, on SQLite row by row in process.
async fn insert_lines(tx: &mut Tx, statement_id: &str, lines: &[StoredLine]) -> Result<(), ApiError> {
    const INSERT: &str = "INSERT INTO statement_lines (line_id, statement_id, line_no, kind, target_period, grant_id, amount_ore, corrects_line_id, frames, payload)";
    let frames = lines
        .iter()
        .map(|l| afregning_kit::store::json(&l.frames))
        .collect::<Result<Vec<String>, ApiError>>()?;
    let corrects = |l: &StoredLine| l.line.corrects_line_id.as_ref().map(ToString::to_string).unwrap_or_default();
    match tx {
        Tx::Postgres(t) => {
            let texts = |f: &dyn Fn(&StoredLine) -> String| lines.iter().map(f).collect::<Vec<String>>();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{INSERT} SELECT l.line_id, $10, l.line_no, l.kind, l.target_period, l.grant_id, l.amount_ore, l.corrects_line_id, l.frames, l.payload \
                 FROM UNNEST($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::bytea[]) \
                 AS l(line_id, line_no, kind, target_period, grant_id, amount_ore, corrects_line_id, frames, payload)"
            )))
            .bind(texts(&|l| l.line.line_id.to_string()))
            .bind(lines.iter().map(|l| i64::from(l.line.line_no)).collect::<Vec<i64>>())
            .bind(lines.iter().map(|l| i64::from(l.line.kind.code())).collect::<Vec<i64>>())
            .bind(texts(&|l| l.target_period.to_string()))
            .bind(texts(&|l| l.line.grant_id.to_string()))
            .bind(lines.iter().map(|l| l.line.amount_ore.get()).collect::<Vec<i64>>())
            .bind(texts(&corrects))
            .bind(frames)
            .bind(lines.iter().map(encoded).collect::<Vec<Vec<u8>>>())
            .bind(statement_id)
            .execute(&mut **t)
            .await?;
        }
        Tx::Sqlite(t) => {
            for (l, frames) in lines.iter().zip(frames) {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                )))
                .bind(l.line.line_id.as_str())
                .bind(statement_id)
                .bind(i64::from(l.line.line_no))
                .bind(i64::from(l.line.kind.code()))
                .bind(l.target_period.to_string())
                .bind(l.line.grant_id.as_str())
                .bind(l.line.amount_ore.get())
                .bind(corrects(l))
                .bind(frames)
                .bind(encoded(l))
                .execute(&mut **t)
                .await?;
            }
        }
    }
    Ok(())
}

/// Stores the inputs that priced a draft, once each, the same way.
async fn insert_inputs(tx: &mut Tx, statement_id: &str, inputs: &[Input]) -> Result<(), ApiError> {
    match tx {
        Tx::Postgres(t) => {
            sqlx::query(
                "INSERT INTO statement_inputs (statement_id, kind, input_key, payload) \
                 SELECT $4, i.kind, i.input_key, i.payload FROM UNNEST($1::text[], $2::text[], $3::bytea[]) AS i(kind, input_key, payload) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(inputs.iter().map(|i| i.kind.to_owned()).collect::<Vec<String>>())
            .bind(inputs.iter().map(|i| i.key.clone()).collect::<Vec<String>>())
            .bind(inputs.iter().map(|i| i.payload.clone()).collect::<Vec<Vec<u8>>>())
            .bind(statement_id)
            .execute(&mut **t)
            .await?;
        }
        Tx::Sqlite(t) => {
            for i in inputs {
                sqlx::query(
                    "INSERT INTO statement_inputs (statement_id, kind, input_key, payload) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                )
                .bind(statement_id)
                .bind(i.kind)
                .bind(&i.key)
                .bind(&i.payload)
                .execute(&mut **t)
                .await?;
            }
        }
    }
    Ok(())
}
