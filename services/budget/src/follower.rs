//! Follows settlement's postings feed into the ledger: each posting becomes one consumption entry
//! on its paying frame, booked on the last day of its period, in one transaction with the cursor.
//! A restart of either side resumes after the last applied sequence: nothing lost, nothing
//! doubled (a posting id is also unique in the ledger).

use std::time::Duration;

use afregning_kit::auth::Outgoing;
use afregning_proto::settlement::v1 as pbs;
use afregning_proto::settlement::v1::settlement_service_client::SettlementServiceClient;
use afregning_tariff::Period;
use chrono::Utc;
use tokio::task::JoinHandle;
use tonic::transport::Endpoint;

use crate::store::{BudgetTx, LedgerRow, SETTLEMENT_FEED, Store, source};

/// Longest pause between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// Starts following `url` in the background until the task is aborted.
pub fn spawn(store: Store, url: String, token: Option<String>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut backoff = Duration::from_millis(200);
        loop {
            match follow(&store, &url, token.as_deref()).await {
                Ok(()) => backoff = Duration::from_millis(200),
                Err(error) => {
                    tracing::warn!(
                        error = format!("{error:#}"),
                        feed = SETTLEMENT_FEED,
                        "postings feed interrupted; reconnecting"
                    );
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
            tokio::time::sleep(backoff).await;
        }
    })
}

async fn follow(store: &Store, url: &str, token: Option<&str>) -> anyhow::Result<()> {
    let channel = Endpoint::from_shared(url.to_owned())?
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await?;
    let mut client = SettlementServiceClient::with_interceptor(channel, Outgoing::new(token));
    let mut cursor = store.cursor(SETTLEMENT_FEED).await?;
    let request = pbs::StreamPostingsRequest {
        after_sequence: u64::try_from(cursor)?,
        follow: true,
        max_events: 0,
    };
    let mut postings = client.stream_postings(request).await?.into_inner();
    while let Some(posting) = postings.message().await? {
        let sequence = i64::try_from(posting.sequence)?;
        anyhow::ensure!(sequence == cursor + 1, "postings feed jumped from {cursor} to {sequence}");
        apply(store, cursor, &posting).await?;
        cursor = sequence;
    }
    Ok(())
}

/// The ledger entry of a posting: consumption on the paying frame on the period's last day.
pub fn entry_of(posting: &pbs::Posting) -> anyhow::Result<LedgerRow> {
    let p = posting
        .period
        .ok_or_else(|| anyhow::anyhow!("posting {} has no period", posting.posting_id))?;
    let period = Period::new(p.year, u32::try_from(p.month)?)
        .ok_or_else(|| anyhow::anyhow!("posting {} has an invalid period", posting.posting_id))?;
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

async fn apply(store: &Store, from: i64, posting: &pbs::Posting) -> anyhow::Result<()> {
    let mut tx = store.storage.begin().await?;
    let to = i64::try_from(posting.sequence)?;
    anyhow::ensure!(
        tx.advance_cursor(SETTLEMENT_FEED, from, to).await?,
        "another follower moved the cursor past {from}"
    );
    tx.append_entry(&entry_of(posting)?).await?;
    store.storage.commit(tx).await?;
    Ok(())
}
