//! Deliveries as use cases: a batch of reported visits checked and stored in one transaction,
//! and the correction of one stored delivery.

use std::collections::{BTreeSet, HashMap};

use afregning_kit::store::Tx;
use chrono::{DateTime, Utc};

use crate::domain::delivery::{self, Delivery, Outcome, Reported, Timing, reported_otherwise};
use crate::domain::grant::GrantVersion;
use crate::domain::ids::ProviderId;
use crate::error::SettlementError;
use crate::store::{DeliveryTx, MirrorTx};

/// Checks a batch of reported deliveries against the grant in force on each one's day, against
/// what is stored and against each other, and stores those accepted: a handful of round trips
/// whatever the number. Outcomes are as if each delivery were reported alone, in order. `grants`
/// keeps the versions read so far, for the stream's next batch. Beside the outcomes: the positions
/// of accepted records that are flagged, and why ([`delivery::flag`]).
pub async fn report_batch(
    tx: &mut Tx,
    reporter: Option<&ProviderId>,
    deliveries: &[Reported],
    now: DateTime<Utc>,
    grants: &mut HashMap<String, Vec<GrantVersion>>,
) -> Result<(Vec<Outcome>, Vec<(usize, &'static str)>), SettlementError> {
    let missing: Vec<&str> = deliveries
        .iter()
        .map(|d| d.grant_id.as_str())
        .filter(|id| !grants.contains_key(*id))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !missing.is_empty() {
        let mut found = tx.grant_versions_of(&missing).await?;
        for id in missing {
            grants.insert(id.to_owned(), found.remove(id).unwrap_or_default());
        }
    }
    let checked: Vec<Result<Delivery, delivery::Refusal>> = deliveries
        .iter()
        .map(|d| delivery::check(reporter, d, now, grants.get(&d.grant_id).map(Vec::as_slice).unwrap_or_default()))
        .collect();
    let rows: Vec<&Delivery> = checked.iter().filter_map(|c| c.as_ref().ok()).collect();
    let mut stored = Vec::new();
    if !rows.is_empty() {
        let ids: Vec<&str> = rows.iter().map(|r| r.delivery_id.as_str()).collect();
        let visits: Vec<&str> = rows.iter().map(|r| r.carer_visit_id.as_str()).collect();
        // Streams storing deliveries of the same carer visits take turns, so two overlapping
        // deliveries sent side by side are never both accepted.
        tx.lock_carer_visits(&visits).await?;
        stored = tx.deliveries_by_id_or_visit(&ids, &visits).await?;
    }
    let (mut outcomes, accepted) = delivery::sort_batch(checked, stored);
    if accepted.is_empty() {
        return Ok((outcomes, Vec::new()));
    }
    let rows: Vec<&Delivery> = accepted.iter().map(|(_, row)| row).collect();
    let inserted = tx.insert_deliveries(&rows, now).await?;
    // A record another stream stored first, since it was looked up: a duplicate if it is the
    // same, refused if not — as if it had been there all along.
    let lost: Vec<&(usize, Delivery)> = accepted.iter().filter(|(_, row)| !inserted.contains(&row.delivery_id)).collect();
    if !lost.is_empty() {
        let ids: Vec<&str> = lost.iter().map(|(_, row)| row.delivery_id.as_str()).collect();
        let winners: HashMap<_, Delivery> = tx
            .deliveries_by_id_or_visit(&ids, &[])
            .await?
            .into_iter()
            .map(|row| (row.delivery_id.clone(), row))
            .collect();
        for (position, row) in lost {
            let same = winners.get(&row.delivery_id).is_some_and(|w| row.same_report(w));
            outcomes[*position] = if same {
                Outcome::Duplicate
            } else {
                Outcome::Refused(reported_otherwise())
            };
        }
    }
    let flags = accepted
        .iter()
        .filter(|(position, _)| outcomes[*position] == Outcome::Accepted)
        .filter_map(|(position, row)| {
            let versions = grants.get(row.grant_id.as_str()).map(Vec::as_slice).unwrap_or_default();
            delivery::flag(row, versions).map(|why| (*position, why))
        })
        .collect();
    Ok((outcomes, flags))
}

/// Moves a stored delivery to `time` and `minutes`, keeping its earlier revision. A provider
/// correcting another's delivery is told it does not exist, as when it does not.
pub async fn correct(
    tx: &mut Tx,
    reporter: Option<&ProviderId>,
    delivery_id: &str,
    time: Timing,
    minutes: u32,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Delivery, SettlementError> {
    tx.lock_delivery(delivery_id).await?;
    let before = tx.delivery(delivery_id).await?.ok_or(SettlementError::DeliveryNotFound)?;
    if reporter.is_some_and(|own| *own != before.provider_id) {
        return Err(SettlementError::DeliveryNotFound);
    }
    let versions = tx.grant_versions(before.grant_id.as_str()).await?;
    let after = delivery::corrected(&before, time, minutes, &versions)?;
    if let Some(other) = tx.overlapping_visit(&after).await? {
        return Err(SettlementError::Overlaps(other));
    }
    tx.correct_delivery(&before, &after, reason, now).await?;
    Ok(after)
}
