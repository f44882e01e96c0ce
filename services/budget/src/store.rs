//! Budget's storage: committees, frames, the append-only ledger with running day totals, and the
//! cursor of the postings feed — on top of the kit's shared transaction and idempotency
//! ([`afregning_kit::store`]). Each query is written once for both backends.

use afregning_kit::store::{Storage, Tx};
use afregning_kit::{ApiError, on_pool, on_tx};

/// The postings feed, by cursor name.
pub const SETTLEMENT_FEED: &str = "settlement";

/// Ledger sources (the proto `EntrySource` numbers).
pub mod source {
    /// A posting from settlement.
    pub const SETTLEMENT: i64 = 1;
    /// An actual imported from the ERP.
    pub const ERP_ACTUAL: i64 = 2;
    /// One side of an executed reallocation.
    pub const REALLOCATION: i64 = 3;
}

/// A committee.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CommitteeRow {
    /// Upper-case code.
    pub code: String,
    /// Display name.
    pub name: String,
}

/// A frame for one budget year.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FrameRow {
    /// Frame code, as the catalog maps legal bases to it.
    pub frame: String,
    /// Budget year.
    pub year: i64,
    /// Committee code.
    pub committee: String,
    /// Display name.
    pub name: String,
    /// Finance account.
    pub account: String,
    /// The budget, øre.
    pub amount_ore: i64,
    /// JSON list of twelve monthly amounts, or empty for even by days.
    pub profile: String,
}

/// A ledger entry.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LedgerRow {
    /// Assigned on insert; 0 before.
    pub entry_no: i64,
    /// The frame it is booked on.
    pub frame: String,
    /// Budget year.
    pub year: i64,
    /// Finance account.
    pub account: String,
    /// ISO date.
    pub booked_on: String,
    /// Øre (negative for credits and the giving side of a reallocation).
    pub amount_ore: i64,
    /// See [`source`].
    pub source: i64,
    /// Posting id, ERP external id or case id.
    pub source_ref: String,
    /// The frame that owns the need (for postings; the frame itself otherwise).
    pub need_frame: String,
    /// Free text.
    pub text: String,
    /// RFC 3339.
    pub recorded_at: String,
}

/// Budget's store.
#[derive(Clone)]
pub struct Store {
    /// The database.
    pub storage: Storage,
}

const LEDGER_COLUMNS: &str = "entry_no, frame, year, account, booked_on, amount_ore, source, source_ref, need_frame, text, recorded_at";

impl Store {
    /// A store over `db`.
    pub fn new(db: afregning_kit::db::Database) -> Store {
        Store { storage: Storage::new(db) }
    }

    /// How far `feed` has been applied.
    pub async fn cursor(&self, feed: &str) -> Result<i64, ApiError> {
        afregning_kit::follow::cursor(&self.storage, feed).await
    }

    /// Committees by code.
    pub async fn committees(&self, offset: i64, limit: i64) -> Result<Vec<CommitteeRow>, ApiError> {
        Ok(
            on_pool!(&self.storage.db, p => sqlx::query_as("SELECT code, name FROM committees ORDER BY code LIMIT $1 OFFSET $2")
            .bind(limit).bind(offset).fetch_all(p).await?),
        )
    }

    /// A frame of a year.
    pub async fn frame(&self, frame: &str, year: i64) -> Result<Option<FrameRow>, ApiError> {
        Ok(on_pool!(&self.storage.db, p => sqlx::query_as(
            "SELECT frame, year, committee, name, account, amount_ore, profile FROM frames WHERE frame = $1 AND year = $2")
            .bind(frame).bind(year).fetch_optional(p).await?))
    }

    /// A year's frames by code.
    pub async fn frames(&self, year: i64, offset: i64, limit: i64) -> Result<Vec<FrameRow>, ApiError> {
        Ok(on_pool!(&self.storage.db, p => sqlx::query_as(
            "SELECT frame, year, committee, name, account, amount_ore, profile FROM frames WHERE year = $1 ORDER BY frame LIMIT $2 OFFSET $3")
            .bind(year).bind(limit).bind(offset).fetch_all(p).await?))
    }

    /// A frame's ledger entries of a year, oldest first.
    pub async fn ledger(&self, frame: &str, year: i64, offset: i64, limit: i64) -> Result<Vec<LedgerRow>, ApiError> {
        let sql = format!("SELECT {LEDGER_COLUMNS} FROM ledger WHERE frame = $1 AND year = $2 ORDER BY entry_no LIMIT $3 OFFSET $4");
        Ok(
            on_pool!(&self.storage.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(frame).bind(year).bind(limit).bind(offset).fetch_all(p).await?),
        )
    }

    /// A frame's running totals of a year: (day, source, øre).
    pub async fn day_totals(&self, frame: &str, year: i64) -> Result<Vec<(String, i64, i64)>, ApiError> {
        Ok(on_pool!(&self.storage.db, p => sqlx::query_as(DAY_TOTALS).bind(frame).bind(year).fetch_all(p).await?))
    }

    /// The sum of all entries of a source, øre.
    pub async fn total_of_source(&self, source: i64) -> Result<i64, ApiError> {
        let (total,): (i64,) = on_pool!(&self.storage.db, p => sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(amount_ore), 0) AS BIGINT) FROM frame_day_totals WHERE source = $1").bind(source).fetch_one(p).await?);
        Ok(total)
    }
}

/// Budget's writes inside a transaction.
/// A frame's running day totals: (day, source, øre), by day and source.
const DAY_TOTALS: &str = "SELECT day, source, amount_ore FROM frame_day_totals WHERE frame = $1 AND year = $2 ORDER BY day, source";

pub(crate) trait BudgetTx {
    /// Creates a committee; false when the code exists.
    async fn insert_committee(&mut self, row: &CommitteeRow) -> Result<bool, ApiError>;
    /// Whether a committee exists.
    async fn committee_exists(&mut self, code: &str) -> Result<bool, ApiError>;
    /// Sets (creates or replaces) a frame of a year.
    async fn upsert_frame(&mut self, row: &FrameRow) -> Result<(), ApiError>;
    /// A frame of a year, inside the transaction.
    async fn frame(&mut self, frame: &str, year: i64) -> Result<Option<FrameRow>, ApiError>;
    /// A frame's running day totals, as this transaction sees them.
    async fn day_totals(&mut self, frame: &str, year: i64) -> Result<Vec<(String, i64, i64)>, ApiError>;
    /// An entry by its source and reference.
    async fn entry(&mut self, source: i64, source_ref: &str) -> Result<Option<LedgerRow>, ApiError>;
    /// Appends an entry and adds it to the running totals; false when its (source, reference)
    /// is already in the ledger.
    async fn append_entry(&mut self, row: &LedgerRow) -> Result<bool, ApiError>;
}

impl BudgetTx for Tx {
    async fn insert_committee(&mut self, row: &CommitteeRow) -> Result<bool, ApiError> {
        let added = on_tx!(self, t => sqlx::query("INSERT INTO committees (code, name) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(&row.code).bind(&row.name).execute(&mut **t).await?.rows_affected());
        Ok(added == 1)
    }

    async fn committee_exists(&mut self, code: &str) -> Result<bool, ApiError> {
        let row: Option<(String,)> =
            on_tx!(self, t => sqlx::query_as("SELECT code FROM committees WHERE code = $1").bind(code).fetch_optional(&mut **t).await?);
        Ok(row.is_some())
    }

    async fn upsert_frame(&mut self, row: &FrameRow) -> Result<(), ApiError> {
        on_tx!(self, t => sqlx::query(
            "INSERT INTO frames (frame, year, committee, name, account, amount_ore, profile) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (frame, year) DO UPDATE SET committee = excluded.committee, name = excluded.name, account = excluded.account, \
             amount_ore = excluded.amount_ore, profile = excluded.profile")
            .bind(&row.frame).bind(row.year).bind(&row.committee).bind(&row.name).bind(&row.account).bind(row.amount_ore).bind(&row.profile)
            .execute(&mut **t).await.map(drop)?);
        Ok(())
    }

    async fn frame(&mut self, frame: &str, year: i64) -> Result<Option<FrameRow>, ApiError> {
        Ok(on_tx!(self, t => sqlx::query_as(
            "SELECT frame, year, committee, name, account, amount_ore, profile FROM frames WHERE frame = $1 AND year = $2")
            .bind(frame).bind(year).fetch_optional(&mut **t).await?))
    }

    async fn day_totals(&mut self, frame: &str, year: i64) -> Result<Vec<(String, i64, i64)>, ApiError> {
        Ok(on_tx!(self, t => sqlx::query_as(DAY_TOTALS).bind(frame).bind(year).fetch_all(&mut **t).await?))
    }

    async fn entry(&mut self, source: i64, source_ref: &str) -> Result<Option<LedgerRow>, ApiError> {
        let sql = format!("SELECT {LEDGER_COLUMNS} FROM ledger WHERE source = $1 AND source_ref = $2");
        Ok(on_tx!(self, t => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(source).bind(source_ref).fetch_optional(&mut **t).await?))
    }

    async fn append_entry(&mut self, row: &LedgerRow) -> Result<bool, ApiError> {
        let added = on_tx!(self, t => {
            let added = sqlx::query(
                "INSERT INTO ledger (frame, year, account, booked_on, amount_ore, source, source_ref, need_frame, text, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (source, source_ref) DO NOTHING")
                .bind(&row.frame).bind(row.year).bind(&row.account).bind(&row.booked_on).bind(row.amount_ore).bind(row.source)
                .bind(&row.source_ref).bind(&row.need_frame).bind(&row.text).bind(&row.recorded_at)
                .execute(&mut **t).await?.rows_affected() == 1;
            if added {
                sqlx::query(
                    "INSERT INTO frame_day_totals (frame, year, day, source, amount_ore) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (frame, year, day, source) DO UPDATE SET amount_ore = frame_day_totals.amount_ore + excluded.amount_ore")
                    .bind(&row.frame).bind(row.year).bind(&row.booked_on).bind(row.source).bind(row.amount_ore)
                    .execute(&mut **t).await?;
            }
            added
        });
        Ok(added)
    }
}

/// Visitation's grant feed, by cursor name.
pub const VISITATION_FEED: &str = "visitation";

impl Store {
    /// The latest version of every grant: a course's frame split can make any frame pay a part.
    pub async fn grants(&self) -> Result<Vec<afregning_proto::visitation::v1::Grant>, ApiError> {
        let rows: Vec<(Vec<u8>,)> = on_pool!(&self.storage.db, p => sqlx::query_as("SELECT payload FROM grants ORDER BY grant_id")
            .fetch_all(p).await?);
        rows.iter().map(|(b,)| afregning_kit::store::decode(b)).collect()
    }

    /// A leader's expected accounts for a frame's year: (month, øre), by month.
    pub async fn expected_accounts(&self, frame: &str, year: i64) -> Result<Vec<(i64, i64)>, ApiError> {
        Ok(
            on_pool!(&self.storage.db, p => sqlx::query_as("SELECT month, amount_ore FROM expected_accounts WHERE frame = $1 AND year = $2 ORDER BY month")
            .bind(frame).bind(year).fetch_all(p).await?),
        )
    }

    /// Whether a deviation explanation exists for a frame's month.
    pub async fn has_explanation(&self, frame: &str, period: &str) -> Result<bool, ApiError> {
        let row: Option<(String,)> = on_pool!(&self.storage.db, p => sqlx::query_as("SELECT frame FROM deviation_explanations WHERE frame = $1 AND period = $2")
            .bind(frame).bind(period).fetch_optional(p).await?);
        Ok(row.is_some())
    }
}

/// Follow-up writes inside a transaction.
pub(crate) trait FollowUpTx {
    /// Keeps a grant version if it is newer than the one held.
    async fn upsert_grant(&mut self, grant: &afregning_proto::visitation::v1::Grant) -> Result<(), ApiError>;
    /// Replaces a frame's expected accounts for a year.
    async fn replace_expected_accounts(
        &mut self,
        frame: &str,
        year: i64,
        months: &[(i64, i64)],
        submitted_by: &str,
        at: &str,
    ) -> Result<(), ApiError>;
    /// Stores (or replaces) a month's deviation explanation.
    async fn upsert_explanation(
        &mut self,
        frame: &str,
        period: &str,
        explanation: &str,
        actions: &str,
        submitted_by: &str,
        at: &str,
    ) -> Result<(), ApiError>;
    /// Marks a frame's month closed (once).
    async fn close_month(&mut self, frame: &str, period: &str, at: &str) -> Result<(), ApiError>;
}

impl FollowUpTx for Tx {
    async fn upsert_grant(&mut self, grant: &afregning_proto::visitation::v1::Grant) -> Result<(), ApiError> {
        use prost::Message;
        on_tx!(self, t => sqlx::query(
            "INSERT INTO grants (grant_id, version, paying_frame, payload) VALUES ($1, $2, $3, $4) ON CONFLICT (grant_id) DO UPDATE \
             SET version = excluded.version, paying_frame = excluded.paying_frame, payload = excluded.payload WHERE grants.version < excluded.version")
            .bind(&grant.grant_id).bind(i64::from(grant.version)).bind(&grant.paying_frame).bind(grant.encode_to_vec())
            .execute(&mut **t).await.map(drop)?);
        Ok(())
    }

    async fn replace_expected_accounts(
        &mut self,
        frame: &str,
        year: i64,
        months: &[(i64, i64)],
        submitted_by: &str,
        at: &str,
    ) -> Result<(), ApiError> {
        on_tx!(self, t => {
            sqlx::query("DELETE FROM expected_accounts WHERE frame = $1 AND year = $2").bind(frame).bind(year).execute(&mut **t).await?;
            for (month, amount) in months {
                sqlx::query("INSERT INTO expected_accounts (frame, year, month, amount_ore, submitted_by, submitted_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(frame).bind(year).bind(month).bind(amount).bind(submitted_by).bind(at).execute(&mut **t).await?;
            }
        });
        Ok(())
    }

    async fn upsert_explanation(
        &mut self,
        frame: &str,
        period: &str,
        explanation: &str,
        actions: &str,
        submitted_by: &str,
        at: &str,
    ) -> Result<(), ApiError> {
        on_tx!(self, t => sqlx::query(
            "INSERT INTO deviation_explanations (frame, period, explanation, actions, submitted_by, submitted_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (frame, period) DO UPDATE SET explanation = excluded.explanation, actions = excluded.actions, \
             submitted_by = excluded.submitted_by, submitted_at = excluded.submitted_at")
            .bind(frame).bind(period).bind(explanation).bind(actions).bind(submitted_by).bind(at).execute(&mut **t).await.map(drop)?);
        Ok(())
    }

    async fn close_month(&mut self, frame: &str, period: &str, at: &str) -> Result<(), ApiError> {
        on_tx!(self, t => sqlx::query("INSERT INTO closed_months (frame, period, closed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(frame).bind(period).bind(at).execute(&mut **t).await.map(drop)?);
        Ok(())
    }
}

/// A reallocation case as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CaseRow {
    /// `case-<YYYY>Q<q>-<frame>-<frame>`.
    pub case_id: String,
    /// Year.
    pub year: i64,
    /// 1–4.
    pub quarter: i64,
    /// The frame whose need was bought: its budget moves out.
    pub from_frame: String,
    /// The frame that paid: its budget moves in.
    pub to_frame: String,
    /// Net amount moved, positive.
    pub amount_ore: i64,
    /// Proto `CaseState` number.
    pub state: i64,
    /// JSON list of the purchases behind it.
    pub purchases: String,
}

/// A cross-frame purchase: a posting paid by one frame for another frame's need.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct Purchase {
    /// The posting.
    pub posting_id: String,
    /// Its statement.
    pub statement_id: String,
    /// Its provider.
    pub provider_id: String,
    /// `YYYY-MM`.
    pub period: String,
    /// The frame that paid.
    pub paying_frame: String,
    /// The frame that owns the need.
    pub need_frame: String,
    /// Øre.
    pub amount_ore: i64,
}

/// A committee's decision on a case.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DecisionRow {
    /// Committee code.
    pub committee: String,
    /// 1 approved, 0 rejected.
    pub approved: i64,
    /// Who decided.
    pub decided_by: String,
    /// Why.
    pub comment: String,
    /// RFC 3339.
    pub decided_at: String,
}

/// An audit line of a case.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    /// RFC 3339.
    pub at: String,
    /// Who.
    pub principal: String,
    /// `proposed`, `approved`, `rejected`, `executed`.
    pub action: String,
    /// What.
    pub detail: String,
}

const CASE_COLUMNS: &str = "case_id, year, quarter, from_frame, to_frame, amount_ore, state, purchases";

impl Store {
    /// Cross-frame purchases booked from `first` to `last` (ISO dates), by posting.
    pub async fn purchases(&self, first: &str, last: &str) -> Result<Vec<Purchase>, ApiError> {
        Ok(on_pool!(&self.storage.db, p => sqlx::query_as(
            "SELECT l.source_ref AS posting_id, COALESCE(d.statement_id, '') AS statement_id, COALESCE(d.provider_id, '') AS provider_id, \
             COALESCE(d.period, '') AS period, l.frame AS paying_frame, l.need_frame, l.amount_ore \
             FROM ledger l LEFT JOIN posting_details d ON d.posting_id = l.source_ref \
             WHERE l.source = $1 AND l.need_frame <> l.frame AND l.booked_on >= $2 AND l.booked_on <= $3 ORDER BY l.entry_no")
            .bind(source::SETTLEMENT).bind(first).bind(last).fetch_all(p).await?))
    }

    /// A case by id.
    pub async fn case(&self, case_id: &str) -> Result<Option<CaseRow>, ApiError> {
        let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE case_id = $1");
        Ok(on_pool!(&self.storage.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(case_id).fetch_optional(p).await?))
    }

    /// Cases, optionally of one quarter and state.
    pub async fn cases(&self, year: i64, quarter: i64, state: i64, offset: i64, limit: i64) -> Result<Vec<CaseRow>, ApiError> {
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE ($1 = 0 OR year = $1) AND ($2 = 0 OR quarter = $2) AND ($3 = 0 OR state = $3) \
             ORDER BY year, quarter, case_id LIMIT $4 OFFSET $5"
        );
        Ok(on_pool!(&self.storage.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(year).bind(quarter).bind(state).bind(limit).bind(offset).fetch_all(p).await?))
    }

    /// A case with its decisions, audit trail and entries.
    pub async fn case_parts(&self, case_id: &str) -> Result<Option<CaseParts>, ApiError> {
        let Some(case) = self.case(case_id).await? else { return Ok(None) };
        let (from, to) = entry_refs(case_id);
        Ok(Some(CaseParts {
            decisions: on_pool!(&self.storage.db, p => sqlx::query_as(CASE_DECISIONS).bind(case_id).fetch_all(p).await?),
            audit: on_pool!(&self.storage.db, p => sqlx::query_as(CASE_AUDIT).bind(case_id).fetch_all(p).await?),
            entries: on_pool!(&self.storage.db, p => sqlx::query_as(sqlx::AssertSqlSafe(case_entries_sql()))
                .bind(source::REALLOCATION).bind(from).bind(to).fetch_all(p).await?),
            case,
        }))
    }
}

/// Everything a case's answer shows: the case, its decisions, its audit trail and the ledger
/// entries it wrote.
pub struct CaseParts {
    /// The case.
    pub case: CaseRow,
    /// Each committee's decision, by committee.
    pub decisions: Vec<DecisionRow>,
    /// Oldest first.
    pub audit: Vec<AuditRow>,
    /// The two entries of an executed case.
    pub entries: Vec<LedgerRow>,
}

const CASE_DECISIONS: &str =
    "SELECT committee, approved, decided_by, comment, decided_at FROM case_decisions WHERE case_id = $1 ORDER BY committee";
const CASE_AUDIT: &str = "SELECT at, principal, action, detail FROM case_audit WHERE case_id = $1 ORDER BY at, action";

fn case_entries_sql() -> String {
    format!("SELECT {LEDGER_COLUMNS} FROM ledger WHERE source = $1 AND (source_ref = $2 OR source_ref = $3) ORDER BY entry_no")
}

/// The ledger references of a case's two entries.
fn entry_refs(case_id: &str) -> (String, String) {
    (format!("{case_id}:from"), format!("{case_id}:to"))
}

/// Reallocation writes inside a transaction.
pub(crate) trait CaseTx {
    /// Records where a posting came from.
    async fn insert_posting_details(&mut self, posting: &Purchase) -> Result<(), ApiError>;
    /// A case, locked for this transaction (every later writer to it waits).
    async fn lock_case(&mut self, case_id: &str) -> Result<Option<CaseRow>, ApiError>;
    /// Creates a case, or replaces a still-proposed one.
    async fn upsert_proposed_case(&mut self, case: &CaseRow) -> Result<(), ApiError>;
    /// Moves a case from one state to another; false when it was not in `from`.
    async fn set_case_state(&mut self, case_id: &str, from: i64, to: i64) -> Result<bool, ApiError>;
    /// Records a committee's decision; false when that committee already decided.
    async fn insert_decision(&mut self, case_id: &str, decision: &DecisionRow) -> Result<bool, ApiError>;
    /// A case's decisions, inside the transaction.
    async fn decisions(&mut self, case_id: &str) -> Result<Vec<DecisionRow>, ApiError>;
    /// A case with its decisions, audit trail and entries, as this transaction sees them: the
    /// answer to a write is stored in the same transaction as its effects.
    async fn case_parts(&mut self, case_id: &str) -> Result<Option<CaseParts>, ApiError>;
    /// Appends to a case's audit trail.
    async fn audit(&mut self, case_id: &str, row: &AuditRow) -> Result<(), ApiError>;
}

impl CaseTx for Tx {
    async fn insert_posting_details(&mut self, posting: &Purchase) -> Result<(), ApiError> {
        on_tx!(self, t => sqlx::query("INSERT INTO posting_details (posting_id, statement_id, provider_id, period) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
            .bind(&posting.posting_id).bind(&posting.statement_id).bind(&posting.provider_id).bind(&posting.period).execute(&mut **t).await.map(drop)?);
        Ok(())
    }

    async fn lock_case(&mut self, case_id: &str) -> Result<Option<CaseRow>, ApiError> {
        on_tx!(self, t => sqlx::query("UPDATE cases SET state = state WHERE case_id = $1").bind(case_id).execute(&mut **t).await.map(drop)?);
        let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE case_id = $1");
        Ok(on_tx!(self, t => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(case_id).fetch_optional(&mut **t).await?))
    }

    async fn upsert_proposed_case(&mut self, case: &CaseRow) -> Result<(), ApiError> {
        on_tx!(self, t => sqlx::query(
            "INSERT INTO cases (case_id, year, quarter, from_frame, to_frame, amount_ore, state, purchases) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (case_id) DO UPDATE SET from_frame = excluded.from_frame, to_frame = excluded.to_frame, amount_ore = excluded.amount_ore, \
             purchases = excluded.purchases WHERE cases.state = $7")
            .bind(&case.case_id).bind(case.year).bind(case.quarter).bind(&case.from_frame).bind(&case.to_frame).bind(case.amount_ore)
            .bind(case.state).bind(&case.purchases).execute(&mut **t).await.map(drop)?);
        Ok(())
    }

    async fn set_case_state(&mut self, case_id: &str, from: i64, to: i64) -> Result<bool, ApiError> {
        let moved = on_tx!(self, t => sqlx::query("UPDATE cases SET state = $1 WHERE case_id = $2 AND state = $3")
            .bind(to).bind(case_id).bind(from).execute(&mut **t).await?.rows_affected());
        Ok(moved == 1)
    }

    async fn insert_decision(&mut self, case_id: &str, d: &DecisionRow) -> Result<bool, ApiError> {
        let added = on_tx!(self, t => sqlx::query(
            "INSERT INTO case_decisions (case_id, committee, approved, decided_by, comment, decided_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING")
            .bind(case_id).bind(&d.committee).bind(d.approved).bind(&d.decided_by).bind(&d.comment).bind(&d.decided_at)
            .execute(&mut **t).await?.rows_affected());
        Ok(added == 1)
    }

    async fn decisions(&mut self, case_id: &str) -> Result<Vec<DecisionRow>, ApiError> {
        Ok(on_tx!(self, t => sqlx::query_as(CASE_DECISIONS).bind(case_id).fetch_all(&mut **t).await?))
    }

    async fn case_parts(&mut self, case_id: &str) -> Result<Option<CaseParts>, ApiError> {
        let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE case_id = $1");
        let case: Option<CaseRow> =
            on_tx!(self, t => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(case_id).fetch_optional(&mut **t).await?);
        let Some(case) = case else { return Ok(None) };
        let (from, to) = entry_refs(case_id);
        Ok(Some(CaseParts {
            decisions: self.decisions(case_id).await?,
            audit: on_tx!(self, t => sqlx::query_as(CASE_AUDIT).bind(case_id).fetch_all(&mut **t).await?),
            entries: on_tx!(self, t => sqlx::query_as(sqlx::AssertSqlSafe(case_entries_sql()))
                .bind(source::REALLOCATION).bind(from).bind(to).fetch_all(&mut **t).await?),
            case,
        }))
    }

    async fn audit(&mut self, case_id: &str, row: &AuditRow) -> Result<(), ApiError> {
        on_tx!(self, t => sqlx::query("INSERT INTO case_audit (case_id, at, principal, action, detail) VALUES ($1, $2, $3, $4, $5)")
            .bind(case_id).bind(&row.at).bind(&row.principal).bind(&row.action).bind(&row.detail).execute(&mut **t).await.map(drop)?);
        Ok(())
    }
}

impl Store {
    /// Settlement postings of a year per frame, account and month `YYYY-MM`: (frame, account,
    /// month, øre, entries), optionally of one frame.
    pub async fn posting_totals(&self, year: i64, frame: &str) -> Result<Vec<(String, String, String, i64, i64)>, ApiError> {
        Ok(on_pool!(&self.storage.db, p => sqlx::query_as(
            "SELECT frame, account, substr(booked_on, 1, 7) AS month, CAST(SUM(amount_ore) AS BIGINT), CAST(COUNT(*) AS BIGINT) FROM ledger \
             WHERE source = $1 AND year = $2 AND ($3 = '' OR frame = $3) GROUP BY frame, account, substr(booked_on, 1, 7) ORDER BY frame, account, month")
            .bind(source::SETTLEMENT).bind(year).bind(frame).fetch_all(p).await?))
    }
}
