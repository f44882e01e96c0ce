//! Reallocation: where each posting came from (so a case lists its purchases), the cases, each
//! committee's decision, and the audit trail.

use afregning_kit::store::Tx;
use afregning_kit::{ApiError, on_tx};
use afregning_tariff::Ore;
use chrono::NaiveDate;

use super::ledger::{LEDGER_COLUMNS, LedgerRow};
use super::{Conn, corrupt, on_conn, stored_instant};
use crate::domain::ids::Side;
use crate::domain::{
    AuditAction, AuditLine, Case, CaseId, CaseState, CommitteeCode, Decision, EntrySource, FrameCode, LedgerEntry, Purchase, Quarter,
};

/// A purchase as stored, in a case's JSON list and as read from the ledger: `period` is
/// `YYYY-MM`, or empty when settlement did not say.
#[derive(sqlx::FromRow, serde::Serialize, serde::Deserialize)]
struct PurchaseRow {
    posting_id: String,
    statement_id: String,
    provider_id: String,
    period: String,
    paying_frame: String,
    need_frame: String,
    amount_ore: i64,
}

impl From<PurchaseRow> for Purchase {
    fn from(row: PurchaseRow) -> Purchase {
        Purchase {
            posting_id: row.posting_id,
            statement_id: row.statement_id,
            provider_id: row.provider_id,
            period: row.period.parse().ok(),
            paying_frame: FrameCode::new(row.paying_frame),
            need_frame: FrameCode::new(row.need_frame),
            amount: Ore::new(row.amount_ore),
        }
    }
}

impl From<&Purchase> for PurchaseRow {
    fn from(p: &Purchase) -> PurchaseRow {
        PurchaseRow {
            posting_id: p.posting_id.clone(),
            statement_id: p.statement_id.clone(),
            provider_id: p.provider_id.clone(),
            period: p.period.map(|p| p.to_string()).unwrap_or_default(),
            paying_frame: p.paying_frame.to_string(),
            need_frame: p.need_frame.to_string(),
            amount_ore: p.amount.get(),
        }
    }
}

/// A case as stored: the state as its number, the purchases as JSON.
#[derive(sqlx::FromRow)]
struct CaseRow {
    case_id: String,
    year: i64,
    quarter: i64,
    from_frame: String,
    to_frame: String,
    amount_ore: i64,
    state: i64,
    purchases: String,
}

impl TryFrom<CaseRow> for Case {
    type Error = ApiError;

    fn try_from(row: CaseRow) -> Result<Case, ApiError> {
        let purchases: Vec<PurchaseRow> = afregning_kit::store::from_json(&row.purchases)?;
        let quarter = u32::try_from(row.quarter)
            .ok()
            .and_then(|q| Quarter::new(i32::try_from(row.year).ok()?, q));
        Ok(Case {
            quarter: quarter.ok_or_else(|| corrupt(format_args!("quarter of case {}", row.case_id)))?,
            id: CaseId::new(row.case_id),
            from_frame: FrameCode::new(row.from_frame),
            to_frame: FrameCode::new(row.to_frame),
            amount: Ore::new(row.amount_ore),
            state: CaseState::from_number(row.state).ok_or_else(|| corrupt(format_args!("case state {}", row.state)))?,
            purchases: purchases.into_iter().map(Purchase::from).collect(),
        })
    }
}

#[derive(sqlx::FromRow)]
struct DecisionRow {
    committee: String,
    approved: i64,
    decided_by: String,
    comment: String,
    decided_at: String,
}

impl TryFrom<DecisionRow> for Decision {
    type Error = ApiError;

    fn try_from(row: DecisionRow) -> Result<Decision, ApiError> {
        Ok(Decision {
            committee: CommitteeCode::new(row.committee),
            approved: row.approved == 1,
            decided_by: row.decided_by,
            comment: row.comment,
            decided_at: stored_instant(&row.decided_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    at: String,
    principal: String,
    action: String,
    detail: String,
}

impl TryFrom<AuditRow> for AuditLine {
    type Error = ApiError;

    fn try_from(row: AuditRow) -> Result<AuditLine, ApiError> {
        Ok(AuditLine {
            at: stored_instant(&row.at)?,
            action: AuditAction::from_word(&row.action).ok_or_else(|| corrupt(format_args!("audit action {:?}", row.action)))?,
            principal: row.principal,
            detail: row.detail,
        })
    }
}

/// Everything a case's answer shows: the case, its decisions, its audit trail and the ledger
/// entries it wrote.
pub struct CaseParts {
    /// The case.
    pub case: Case,
    /// Each committee's decision, by committee.
    pub decisions: Vec<Decision>,
    /// Oldest first.
    pub audit: Vec<AuditLine>,
    /// The two entries of an executed case; none before.
    pub entries: Vec<LedgerEntry>,
}

const CASE_COLUMNS: &str = "SELECT case_id, year, quarter, from_frame, to_frame, amount_ore, state, purchases FROM cases";

/// Cross-frame purchases booked from `first` to `last`, by posting.
pub async fn purchases(conn: Conn<'_>, first: NaiveDate, last: NaiveDate) -> Result<Vec<Purchase>, ApiError> {
    let rows: Vec<PurchaseRow> = on_conn!(conn, e => sqlx::query_as(
        "SELECT l.source_ref AS posting_id, COALESCE(d.statement_id, '') AS statement_id, COALESCE(d.provider_id, '') AS provider_id, \
         COALESCE(d.period, '') AS period, l.frame AS paying_frame, l.need_frame, l.amount_ore \
         FROM ledger l LEFT JOIN posting_details d ON d.posting_id = l.source_ref \
         WHERE l.source = $1 AND l.need_frame <> l.frame AND l.booked_on >= $2 AND l.booked_on <= $3 ORDER BY l.entry_no")
        .bind(EntrySource::Settlement.number()).bind(first.to_string()).bind(last.to_string()).fetch_all(e).await?);
    Ok(rows.into_iter().map(Purchase::from).collect())
}

/// Records where a posting came from.
pub async fn insert_posting_details(tx: &mut Tx, posting: &Purchase) -> Result<(), ApiError> {
    let period = posting.period.map(|p| p.to_string()).unwrap_or_default();
    on_tx!(tx, t => sqlx::query("INSERT INTO posting_details (posting_id, statement_id, provider_id, period) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
        .bind(&posting.posting_id).bind(&posting.statement_id).bind(&posting.provider_id).bind(period).execute(&mut **t).await.map(drop)?);
    Ok(())
}

/// A case by id.
pub async fn case(conn: Conn<'_>, id: &CaseId) -> Result<Option<Case>, ApiError> {
    let sql = format!("{CASE_COLUMNS} WHERE case_id = $1");
    let row: Option<CaseRow> = on_conn!(conn, e => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.as_str()).fetch_optional(e).await?);
    row.map(Case::try_from).transpose()
}

/// Which cases to list; `None` is any.
pub struct CaseFilter {
    /// Only this year.
    pub year: Option<i32>,
    /// Only this quarter number.
    pub quarter: Option<i32>,
    /// Only cases in this state.
    pub state: Option<CaseState>,
}

/// Cases by year, quarter and id.
pub async fn cases(conn: Conn<'_>, filter: &CaseFilter, offset: i64, limit: i64) -> Result<Vec<Case>, ApiError> {
    let sql = format!(
        "{CASE_COLUMNS} WHERE ($1 = 0 OR year = $1) AND ($2 = 0 OR quarter = $2) AND ($3 = 0 OR state = $3) \
         ORDER BY year, quarter, case_id LIMIT $4 OFFSET $5"
    );
    let year = filter.year.map_or(0, i64::from);
    let quarter = filter.quarter.map_or(0, i64::from);
    let state = filter.state.map_or(0, CaseState::number);
    let rows: Vec<CaseRow> = on_conn!(conn, e => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(year).bind(quarter).bind(state).bind(limit).bind(offset).fetch_all(e).await?);
    rows.into_iter().map(Case::try_from).collect()
}

/// A case, locked for this transaction (every later writer to it waits).
pub async fn lock_case(tx: &mut Tx, id: &CaseId) -> Result<Option<Case>, ApiError> {
    on_tx!(&mut *tx, t => sqlx::query("UPDATE cases SET state = state WHERE case_id = $1").bind(id.as_str()).execute(&mut **t).await.map(drop)?);
    case(Conn::Tx(tx), id).await
}

/// Creates a case, or replaces a still-proposed one with fresh purchases.
pub async fn upsert_proposed_case(tx: &mut Tx, case: &Case) -> Result<(), ApiError> {
    let purchases: Vec<PurchaseRow> = case.purchases.iter().map(PurchaseRow::from).collect();
    let purchases = afregning_kit::store::json(&purchases)?;
    on_tx!(tx, t => sqlx::query(
        "INSERT INTO cases (case_id, year, quarter, from_frame, to_frame, amount_ore, state, purchases) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (case_id) DO UPDATE SET from_frame = excluded.from_frame, to_frame = excluded.to_frame, amount_ore = excluded.amount_ore, \
         purchases = excluded.purchases WHERE cases.state = $7")
        .bind(case.id.as_str()).bind(i64::from(case.quarter.year())).bind(i64::from(case.quarter.number()))
        .bind(case.from_frame.as_str()).bind(case.to_frame.as_str()).bind(case.amount.get())
        .bind(CaseState::Proposed.number()).bind(purchases).execute(&mut **t).await.map(drop)?);
    Ok(())
}

/// Moves a case from one state to another; false when it was not in `from`.
pub async fn set_case_state(tx: &mut Tx, id: &CaseId, from: CaseState, to: CaseState) -> Result<bool, ApiError> {
    let moved = on_tx!(tx, t => sqlx::query("UPDATE cases SET state = $1 WHERE case_id = $2 AND state = $3")
        .bind(to.number()).bind(id.as_str()).bind(from.number()).execute(&mut **t).await?.rows_affected());
    Ok(moved == 1)
}

/// Records a committee's decision; false when that committee already decided.
pub async fn insert_decision(tx: &mut Tx, id: &CaseId, d: &Decision) -> Result<bool, ApiError> {
    let added = on_tx!(tx, t => sqlx::query(
        "INSERT INTO case_decisions (case_id, committee, approved, decided_by, comment, decided_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING")
        .bind(id.as_str()).bind(d.committee.as_str()).bind(i64::from(d.approved)).bind(&d.decided_by).bind(&d.comment)
        .bind(afregning_kit::store::timestamp(d.decided_at))
        .execute(&mut **t).await?.rows_affected());
    Ok(added == 1)
}

/// A case's decisions, by committee.
pub async fn decisions(conn: Conn<'_>, id: &CaseId) -> Result<Vec<Decision>, ApiError> {
    let rows: Vec<DecisionRow> = on_conn!(conn, e => sqlx::query_as(
        "SELECT committee, approved, decided_by, comment, decided_at FROM case_decisions WHERE case_id = $1 ORDER BY committee")
        .bind(id.as_str()).fetch_all(e).await?);
    rows.into_iter().map(Decision::try_from).collect()
}

/// Appends to a case's audit trail.
pub async fn audit(tx: &mut Tx, id: &CaseId, line: &AuditLine) -> Result<(), ApiError> {
    on_tx!(tx, t => sqlx::query("INSERT INTO case_audit (case_id, at, principal, action, detail) VALUES ($1, $2, $3, $4, $5)")
        .bind(id.as_str()).bind(afregning_kit::store::timestamp(line.at)).bind(&line.principal).bind(line.action.as_str()).bind(&line.detail)
        .execute(&mut **t).await.map(drop)?);
    Ok(())
}

/// A case with its decisions, audit trail and entries; inside a write, as the transaction sees
/// them (the answer to a write is stored in the same transaction as its effects).
pub async fn case_parts(mut conn: Conn<'_>, id: &CaseId) -> Result<Option<CaseParts>, ApiError> {
    let Some(case) = case(conn.reborrow(), id).await? else {
        return Ok(None);
    };
    let audit: Vec<AuditRow> = on_conn!(conn.reborrow(), e => sqlx::query_as(
        "SELECT at, principal, action, detail FROM case_audit WHERE case_id = $1 ORDER BY at, action")
        .bind(id.as_str()).fetch_all(e).await?);
    let sql = format!("{LEDGER_COLUMNS} WHERE source = $1 AND (source_ref = $2 OR source_ref = $3) ORDER BY entry_no");
    let entries: Vec<LedgerRow> = on_conn!(conn.reborrow(), e => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(EntrySource::Reallocation.number()).bind(id.entry_ref(Side::From)).bind(id.entry_ref(Side::To)).fetch_all(e).await?);
    Ok(Some(CaseParts {
        decisions: decisions(conn, id).await?,
        audit: audit.into_iter().map(AuditLine::try_from).collect::<Result<_, _>>()?,
        entries: entries.into_iter().map(LedgerEntry::try_from).collect::<Result<_, _>>()?,
        case,
    }))
}
