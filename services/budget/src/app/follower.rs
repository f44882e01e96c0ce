//! Follows settlement's postings feed into the ledger and visitation's grant feed into the
//! commitments, each with the kit's follower: an event's effects are written in one transaction
//! with the feed's cursor, so nothing is lost or doubled across a restart. A posting becomes one
//! consumption entry on its paying frame, booked on the last day of its period (a posting id is
//! also unique in the ledger).

use afregning_kit::ApiError;
use afregning_kit::follow::Upstream;
use afregning_kit::store::Tx;
use afregning_proto::settlement::v1 as pbs;
use afregning_proto::visitation::v1 as pbv;
use afregning_tariff::{Ore, Period};
use chrono::Utc;
use futures::future::BoxFuture;
use tokio::task::JoinHandle;

use crate::domain::{EntrySource, FrameCode, LedgerEntry, Purchase};
use crate::store::{SETTLEMENT_FEED, Store, VISITATION_FEED, cases, follow_up, ledger};

/// Starts following settlement at `upstream` in the background until the task is aborted.
pub fn spawn(store: Store, upstream: Upstream) -> JoinHandle<()> {
    let open = afregning_kit::follow::postings_feed(upstream);
    afregning_kit::follow::spawn(store.storage, SETTLEMENT_FEED, open, apply)
}

/// Starts following visitation's grant feed at `upstream` (for commitments) until the task is aborted.
pub fn spawn_grants(store: Store, upstream: Upstream) -> JoinHandle<()> {
    let open = afregning_kit::follow::grant_feed(upstream);
    afregning_kit::follow::spawn(store.storage, VISITATION_FEED, open, apply_grant)
}

/// Records one posting in the ledger outside the feed, exactly as the follower applies it (for
/// loading history and for tests); a posting already in the ledger is left as it is.
pub async fn record_posting(store: &Store, posting: &pbs::Posting) -> Result<(), ApiError> {
    let mut tx = store.storage.begin().await?;
    apply(&mut tx, posting).await?;
    store.storage.commit(tx).await
}

/// The month a posting pays for.
fn period_of(posting: &pbs::Posting) -> Result<Period, ApiError> {
    afregning_proto::convert::period(posting.period.as_ref())
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("posting {} has no valid period", posting.posting_id)))
}

/// The ledger entry of a posting: consumption on the paying frame on the period's last day.
fn entry_of(posting: &pbs::Posting, period: Period) -> LedgerEntry {
    LedgerEntry {
        entry_no: 0,
        frame: FrameCode::new(posting.paying_frame.clone()),
        year: period.year(),
        account: posting.account.clone(),
        booked_on: period.range().last(),
        amount: Ore::new(posting.amount_ore),
        source: EntrySource::Settlement,
        source_ref: posting.posting_id.clone(),
        need_frame: FrameCode::new(posting.need_frame.clone()),
        text: format!("statement {}", posting.statement_id),
        recorded_at: Utc::now(),
    }
}

fn apply<'a>(tx: &'a mut Tx, posting: &'a pbs::Posting) -> BoxFuture<'a, Result<(), ApiError>> {
    Box::pin(async move {
        let period = period_of(posting)?;
        let entry = entry_of(posting, period);
        let details = Purchase {
            posting_id: posting.posting_id.clone(),
            statement_id: posting.statement_id.clone(),
            provider_id: posting.provider_id.clone(),
            period: Some(period),
            paying_frame: entry.frame.clone(),
            need_frame: entry.need_frame.clone(),
            amount: entry.amount,
        };
        cases::insert_posting_details(tx, &details).await?;
        ledger::append_entry(tx, &entry).await?;
        Ok(())
    })
}

fn apply_grant<'a>(tx: &'a mut Tx, event: &'a pbv::GrantEvent) -> BoxFuture<'a, Result<(), ApiError>> {
    Box::pin(async move {
        if let Some(grant) = &event.grant {
            follow_up::upsert_grant(tx, grant).await?;
        }
        // Kept so commitments can be priced with the versions the statements are priced with.
        if let Some(catalog) = &event.catalog {
            afregning_kit::catalogs::store(tx, &afregning_kit::catalogs::from_event(catalog)?).await?;
        }
        Ok(())
    })
}
