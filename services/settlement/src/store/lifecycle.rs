//! An issued statement's life after issue: the provider's answer and finance's payment, each in a
//! table of its own beside the sealed statement (which never changes), each written at most once.

use std::collections::HashMap;

use afregning_kit::ApiError;
use afregning_kit::store::Tx;
use chrono::{DateTime, NaiveDate, Utc};

use super::statements::{STATEMENT_COLUMNS, StatementRow};
use super::{On, Store, corrupt, id_list_param, instant_text, on, stored_instant};
use crate::domain::lifecycle::{Answer, Answered, DisputedLine, Lifecycle, Payment};
use crate::domain::statement::{Statement, StatementStatus};

/// An answer row: statement, answer code, when, disputed lines as JSON.
type AnswerRow = (String, i64, String, String);
/// A payment row: statement, paid on, reference.
type PaymentRow = (String, String, String);

fn answered((_, code, at, lines): &AnswerRow) -> Result<Answered, ApiError> {
    let answer = match code {
        1 => Answer::Accepted,
        2 => Answer::Disputed(afregning_kit::store::from_json::<Vec<DisputedLine>>(lines)?),
        other => return Err(corrupt("statement answer", other)),
    };
    Ok(Answered {
        answer,
        at: stored_instant(at)?,
    })
}

fn payment((_, paid_on, reference): &PaymentRow) -> Result<Payment, ApiError> {
    Ok(Payment {
        paid_on: paid_on.parse().map_err(|_| corrupt("paid_on", paid_on))?,
        reference: reference.clone(),
    })
}

/// The lifecycles of `ids` (missing ones have none), read in two queries whatever their number.
async fn lifecycles_on(on: On<'_>, postgres: bool, ids: &[&str]) -> Result<HashMap<String, Lifecycle>, ApiError> {
    let mut out: HashMap<String, Lifecycle> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let list = if postgres {
        "SELECT jsonb_array_elements_text($1::jsonb)"
    } else {
        "SELECT value FROM json_each($1)"
    };
    let param = id_list_param(ids)?;
    let answers_sql =
        format!("SELECT statement_id, answer, answered_at, disputed_lines FROM statement_answers WHERE statement_id IN ({list})");
    let payments_sql = format!("SELECT statement_id, paid_on, reference FROM statement_payments WHERE statement_id IN ({list})");
    let mut on = on;
    let answers: Vec<AnswerRow> =
        on!(on.reborrow(), e => sqlx::query_as(sqlx::AssertSqlSafe(answers_sql)).bind(&param).fetch_all(e).await?);
    let payments: Vec<PaymentRow> =
        on!(on.reborrow(), e => sqlx::query_as(sqlx::AssertSqlSafe(payments_sql)).bind(&param).fetch_all(e).await?);
    for row in &answers {
        out.entry(row.0.clone()).or_default().answered = Some(answered(row)?);
    }
    for row in &payments {
        out.entry(row.0.clone()).or_default().payment = Some(payment(row)?);
    }
    Ok(out)
}

impl Store {
    /// The lifecycles of the statements `ids`.
    pub async fn lifecycles(&self, ids: &[&str]) -> Result<HashMap<String, Lifecycle>, ApiError> {
        lifecycles_on(self.pool(), self.concurrent_writers(), ids).await
    }

    /// Issued statements overdue on `as_of`: with something to pay (a statement of corrections
    /// or recoveries that comes to nothing or less is not paid), issued before `issued_before`
    /// (so due before `as_of`) and not paid on or before `as_of`; optionally one provider's;
    /// oldest first.
    pub async fn overdue_statements(
        &self,
        issued_before: DateTime<Utc>,
        as_of: NaiveDate,
        provider_id: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<Statement>, ApiError> {
        let sql = format!(
            "SELECT {STATEMENT_COLUMNS} FROM statements s WHERE s.state = $1 AND s.total_ore > 0 AND s.issued_at < $2 AND ($3 = '' OR s.provider_id = $3) \
             AND NOT EXISTS (SELECT 1 FROM statement_payments p WHERE p.statement_id = s.statement_id AND p.paid_on <= $4) \
             ORDER BY s.issued_at, s.statement_id LIMIT $5 OFFSET $6"
        );
        let rows: Vec<StatementRow> = on!(self.pool(), e => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(i64::from(StatementStatus::Issued.code()))
            .bind(instant_text(issued_before))
            .bind(provider_id.unwrap_or_default())
            .bind(as_of.to_string())
            .bind(limit).bind(offset).fetch_all(e).await?);
        rows.into_iter().map(Statement::try_from).collect()
    }
}

/// Writes of a statement's lifecycle inside a transaction.
pub(crate) trait LifecycleTx {
    /// Records the provider's answer; false when the statement was answered already (the first
    /// answer stands).
    async fn record_answer(&mut self, statement_id: &str, answered: &Answered) -> Result<bool, ApiError>;
    /// Records the payment; false when it was recorded already.
    async fn record_payment(&mut self, statement_id: &str, payment: &Payment, now: DateTime<Utc>) -> Result<bool, ApiError>;
    /// The statement's lifecycle as this transaction sees it.
    async fn lifecycle(&mut self, statement_id: &str) -> Result<Lifecycle, ApiError>;
}

impl LifecycleTx for Tx {
    async fn record_answer(&mut self, statement_id: &str, answered: &Answered) -> Result<bool, ApiError> {
        let lines = match &answered.answer {
            Answer::Accepted => String::from("[]"),
            Answer::Disputed(lines) => afregning_kit::store::json(lines)?,
        };
        // Another transaction answering at the same time waits here and then inserts nothing.
        let inserted = afregning_kit::on_tx!(self, t => sqlx::query(
            "INSERT INTO statement_answers (statement_id, answer, answered_at, disputed_lines) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
            .bind(statement_id).bind(i64::from(answered.answer.code())).bind(instant_text(answered.at)).bind(lines)
            .execute(&mut **t).await?.rows_affected());
        Ok(inserted == 1)
    }

    async fn record_payment(&mut self, statement_id: &str, payment: &Payment, now: DateTime<Utc>) -> Result<bool, ApiError> {
        let inserted = afregning_kit::on_tx!(self, t => sqlx::query(
            "INSERT INTO statement_payments (statement_id, paid_on, reference, recorded_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
            .bind(statement_id).bind(payment.paid_on.to_string()).bind(&payment.reference).bind(instant_text(now))
            .execute(&mut **t).await?.rows_affected());
        Ok(inserted == 1)
    }

    async fn lifecycle(&mut self, statement_id: &str) -> Result<Lifecycle, ApiError> {
        let postgres = matches!(self, Tx::Postgres(_));
        Ok(lifecycles_on(On::Tx(self), postgres, &[statement_id])
            .await?
            .remove(statement_id)
            .unwrap_or_default())
    }
}
