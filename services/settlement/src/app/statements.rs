//! Statements as use cases: issuing (seal and postings in one transaction) and reading what a
//! caller may see.

use chrono::{DateTime, Utc};

use afregning_kit::store::Tx;

use crate::domain::ids::ProviderId;
use crate::domain::lifecycle::{self, Answer, Answered, Lifecycle};
use crate::domain::line::{LineKind, StoredLine};
use crate::domain::posting::postings;
use crate::domain::seal::content_hash;
use crate::domain::statement::{Statement, StatementStatus};
use crate::error::SettlementError;
use crate::store::statements::encoded;
use crate::store::{LifecycleTx, ReviewTx, StatementTx, Store};

/// The feed event kind of a posting.
const POSTING_EVENT: i64 = 1;

/// Issues a draft inside `tx`: seals it over exactly what is stored and appends its postings to
/// the feed, so budget sees them if and only if the statement is issued.
pub async fn issue(tx: &mut Tx, statement_id: &str, now: DateTime<Utc>) -> Result<Statement, SettlementError> {
    tx.lock_statement(statement_id).await?;
    let draft = tx.statement(statement_id).await?.ok_or(SettlementError::StatementNotFound)?;
    if draft.status == StatementStatus::Issued {
        return Err(SettlementError::AlreadyIssued);
    }
    let lines = tx.statement_lines(statement_id).await?;
    // A recovery is paid back once: a draft priced while another statement carrying it was open
    // is refused once that one is issued, and the month is priced again without it.
    for l in lines.iter().filter(|l| l.line.kind == LineKind::Recovery) {
        if tx
            .recovery_issued(draft.provider_id.as_str(), l.line.grant_id.as_str(), &l.target_period.to_string())
            .await?
        {
            return Err(SettlementError::RecoveryIssued);
        }
    }
    let hash = content_hash(&draft, lines.iter().map(encoded));
    let issued = draft.issued(hash, now);
    if !tx.seal(&issued).await? {
        return Err(SettlementError::NoLongerDraft);
    }
    for posting in postings(&issued, &lines)? {
        tx.append_event(POSTING_EVENT, &posting, now).await?;
    }
    Ok(issued)
}

/// A statement `reader` may read (`None` reads any). A provider asking for another's statement,
/// or one that does not exist, is refused the same way, so ids cannot be probed.
pub async fn readable(store: &Store, reader: Option<&ProviderId>, statement_id: &str) -> Result<Statement, Unreadable> {
    let statement = store.statement(statement_id).await.map_err(|e| Unreadable::Failed(e.into()))?;
    match (reader, statement) {
        (Some(own), Some(s)) if s.provider_id == *own => Ok(s),
        (Some(_), _) => Err(Unreadable::NotYours),
        (None, Some(s)) => Ok(s),
        (None, None) => Err(Unreadable::Failed(SettlementError::StatementNotFound)),
    }
}

/// Why a statement may not be read.
pub enum Unreadable {
    /// Another provider's, or none: the caller learns nothing about which.
    NotYours,
    /// Any other failure.
    Failed(SettlementError),
}

/// A statement's lines as `reader` may see them: CPR numbers only for the provider the statement
/// is for.
pub async fn readable_lines(store: &Store, reader: Option<&ProviderId>, statement: &Statement) -> Result<Vec<StoredLine>, SettlementError> {
    let mut lines = store.statement_lines(statement.statement_id.as_str()).await?;
    if reader != Some(&statement.provider_id) {
        lines.iter_mut().for_each(|l| l.line.cpr = None);
    }
    Ok(lines)
}

/// An issued statement `reader` may answer or have paid, inside `tx`, locked against issuing and
/// other lifecycle writes. A provider's own only (another's, or none, is
/// [`SettlementError::NotYours`] either way); a draft is [`SettlementError::NotIssued`].
async fn issued_for(tx: &mut Tx, reader: Option<&ProviderId>, statement_id: &str) -> Result<Statement, SettlementError> {
    tx.lock_statement(statement_id).await?;
    let statement = tx.statement(statement_id).await?;
    let statement = match (reader, statement) {
        (Some(own), Some(s)) if s.provider_id == *own => s,
        (Some(_), _) => return Err(SettlementError::NotYours),
        (None, Some(s)) => s,
        (None, None) => return Err(SettlementError::StatementNotFound),
    };
    if statement.status != StatementStatus::Issued {
        return Err(SettlementError::NotIssued);
    }
    Ok(statement)
}

/// Records the provider's answer to an issued statement of its own: once, the first answer
/// standing (a second, accepting or disputing, is [`SettlementError::AlreadyAnswered`]). Disputed
/// line numbers are checked against the statement's lines. The statement itself never changes.
pub async fn answer(
    tx: &mut Tx,
    reader: Option<&ProviderId>,
    statement_id: &str,
    disputed: Option<&[(u32, String)]>,
    now: DateTime<Utc>,
) -> Result<(Statement, Lifecycle), SettlementError> {
    let statement = issued_for(tx, reader, statement_id).await?;
    let answer = match disputed {
        None => Answer::Accepted,
        Some(lines) => Answer::Disputed(lifecycle::dispute(lines, statement.line_count).map_err(SettlementError::Unfit)?),
    };
    if !tx.record_answer(statement_id, &Answered { answer, at: now }).await? {
        return Err(SettlementError::AlreadyAnswered);
    }
    let life = tx.lifecycle(statement_id).await?;
    Ok((statement, life))
}

/// Records finance's payment of an issued statement: once (a second is
/// [`SettlementError::AlreadyPaid`]), paid on a day from its issue date to `today`.
pub async fn mark_paid(
    tx: &mut Tx,
    statement_id: &str,
    paid_on: chrono::NaiveDate,
    reference: &str,
    today: chrono::NaiveDate,
    now: DateTime<Utc>,
) -> Result<(Statement, Lifecycle), SettlementError> {
    let statement = issued_for(tx, None, statement_id).await?;
    let issued_at = statement.issued_at.ok_or(SettlementError::NotIssued)?;
    let payment = lifecycle::payment(paid_on, reference, issued_at, today).map_err(SettlementError::Unfit)?;
    if !tx.record_payment(statement_id, &payment, now).await? {
        return Err(SettlementError::AlreadyPaid);
    }
    let life = tx.lifecycle(statement_id).await?;
    Ok((statement, life))
}
