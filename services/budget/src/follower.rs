//! Follows settlement's postings feed into the ledger with the kit's follower: each posting
//! becomes one consumption entry on its paying frame, booked on the last day of its period, in
//! one transaction with the cursor (a posting id is also unique in the ledger).

use afregning_kit::ApiError;
use afregning_kit::follow::Upstream;
use afregning_kit::store::Tx;
use afregning_proto::settlement::v1 as pbs;
use afregning_tariff::Period;
use chrono::Utc;
use futures::future::BoxFuture;
use tokio::task::JoinHandle;

use crate::store::{BudgetTx, LedgerRow, SETTLEMENT_FEED, Store, source};

/// Starts following settlement at `upstream` in the background until the task is aborted.
pub fn spawn(store: Store, upstream: Upstream) -> JoinHandle<()> {
    let open = afregning_kit::follow::postings_feed(upstream);
    afregning_kit::follow::spawn(store.storage, SETTLEMENT_FEED, open, apply)
}

/// The ledger entry of a posting: consumption on the paying frame on the period's last day.
pub fn entry_of(posting: &pbs::Posting) -> Result<LedgerRow, ApiError> {
    let invalid = || ApiError::Internal(anyhow::anyhow!("posting {} has no valid period", posting.posting_id));
    let p = posting.period.ok_or_else(invalid)?;
    let period = Period::new(p.year, u32::try_from(p.month).map_err(|_| invalid())?).ok_or_else(invalid)?;
    Ok(LedgerRow {
        entry_no: 0,
        frame: posting.paying_frame.clone(),
        year: i64::from(period.year()),
        account: posting.account.clone(),
        booked_on: period.range().last().to_string(),
        amount_ore: posting.amount_ore,
        source: source::SETTLEMENT,
        source_ref: posting.posting_id.clone(),
        need_frame: posting.need_frame.clone(),
        text: format!("statement {}", posting.statement_id),
        recorded_at: afregning_kit::store::timestamp(Utc::now()),
    })
}

/// Records one posting in the ledger outside the feed, exactly as the follower applies it (for
/// loading history and for tests); a posting already in the ledger is left as it is.
pub async fn record_posting(store: &Store, posting: &pbs::Posting) -> Result<(), ApiError> {
    let mut tx = store.storage.begin().await?;
    apply(&mut tx, posting).await?;
    store.storage.commit(tx).await
}

fn apply<'a>(tx: &'a mut Tx, posting: &'a pbs::Posting) -> BoxFuture<'a, Result<(), ApiError>> {
    Box::pin(async move {
        let entry = entry_of(posting)?;
        let details = crate::store::Purchase {
            posting_id: posting.posting_id.clone(),
            statement_id: posting.statement_id.clone(),
            provider_id: posting.provider_id.clone(),
            period: entry.booked_on[..7].to_owned(),
            paying_frame: posting.paying_frame.clone(),
            need_frame: posting.need_frame.clone(),
            amount_ore: posting.amount_ore,
        };
        crate::store::CaseTx::insert_posting_details(tx, &details).await?;
        tx.append_entry(&entry).await?;
        Ok(())
    })
}

/// Starts following visitation's grant feed at `upstream` (for commitments) until the task is aborted.
pub fn spawn_grants(store: Store, upstream: Upstream) -> JoinHandle<()> {
    let open = afregning_kit::follow::grant_feed(upstream);
    afregning_kit::follow::spawn(store.storage, crate::store::VISITATION_FEED, open, apply_grant)
}

fn apply_grant<'a>(tx: &'a mut Tx, event: &'a afregning_proto::visitation::v1::GrantEvent) -> BoxFuture<'a, Result<(), ApiError>> {
    Box::pin(async move {
        if let Some(grant) = &event.grant {
            crate::store::FollowUpTx::upsert_grant(tx, grant).await?;
        }
        Ok(())
    })
}
