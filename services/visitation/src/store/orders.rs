//! Orders as stored: one row per order pointing at the grant version whose terms it asks for,
//! numbered from their own counter inside the grant's write; and each order's first
//! acknowledgement. Reads join the version's snapshot and the citizen's CPR number.

use afregning_kit::ApiError;
use afregning_kit::on_tx;
use afregning_kit::store::{Tx, from_json};
use afregning_tariff::Cpr;

use super::{On, damaged, day, instant, on, timestamp};
use crate::domain::order::{Acknowledgement, NewOrder, Order, OrderChange};
use crate::domain::{CitizenId, Grant, ProviderId, Share};

/// The stored (and wire) number of an order change.
pub fn change_code(change: OrderChange) -> i64 {
    match change {
        OrderChange::Decided => 1,
        OrderChange::Revisited => 2,
        OrderChange::ProviderChanged => 3,
        OrderChange::Suspended => 4,
        OrderChange::Resumed => 5,
        OrderChange::Ended => 6,
        OrderChange::ProviderChangedAway => 7,
    }
}

fn change_of(code: i64) -> Result<OrderChange, ApiError> {
    Ok(match code {
        1 => OrderChange::Decided,
        2 => OrderChange::Revisited,
        3 => OrderChange::ProviderChanged,
        4 => OrderChange::Suspended,
        5 => OrderChange::Resumed,
        6 => OrderChange::Ended,
        7 => OrderChange::ProviderChangedAway,
        other => return Err(damaged("order change", other)),
    })
}

/// Stores `grant`'s orders, numbering them in commit order: the counter row stays locked until
/// the write commits, so no later order commits before an earlier one.
pub async fn append(tx: &mut Tx, grant: &Grant, orders: &[NewOrder]) -> Result<(), ApiError> {
    if orders.is_empty() {
        return Ok(());
    }
    let count = i64::try_from(orders.len()).map_err(|e| damaged("order count", e))?;
    let recorded = timestamp(grant.recorded_at);
    on_tx!(tx, t => {
        let (last,): (i64,) = sqlx::query_as("UPDATE order_counter SET last_sequence = last_sequence + $1 WHERE id = 1 RETURNING last_sequence")
            .bind(count).fetch_one(&mut **t).await?;
        for (sequence, order) in (last - count + 1..).zip(orders) {
            sqlx::query("INSERT INTO orders (sequence, provider_id, grant_id, grant_version, citizen_id, change, share_percent, lead, valid_from, valid_to, recorded_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                .bind(sequence).bind(order.provider_id.as_str()).bind(grant.grant_id.as_str()).bind(i64::from(grant.version))
                .bind(grant.citizen_id.as_str()).bind(change_code(order.change)).bind(i64::from(order.share.share_percent))
                .bind(i64::from(order.share.lead)).bind(order.valid_from.to_string()).bind(order.valid_to.map(|d| d.to_string()))
                .bind(&recorded).execute(&mut **t).await?;
        }
    });
    Ok(())
}

/// Which orders a read wants.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// One provider's; `None`: every provider's.
    pub provider: Option<ProviderId>,
    /// Sequences after this one.
    pub after: i64,
    /// Only those not acknowledged.
    pub unacknowledged_only: bool,
    /// One citizen's.
    pub citizen: Option<CitizenId>,
    /// Recorded before this instant (stored form), for the authority's unacknowledged list.
    pub recorded_before: Option<String>,
}

type OrderRow = (
    i64,
    String,
    i64,
    i64,
    i64,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
);

fn order(row: OrderRow, with_cpr: bool) -> Result<Order, ApiError> {
    let (sequence, provider_id, change, share_percent, lead, valid_from, valid_to, snapshot, cpr, acknowledged_at, principal) = row;
    let acknowledged = match (acknowledged_at, principal) {
        (Some(at), Some(by)) => Some(Acknowledgement { at: instant(&at)?, by }),
        _ => None,
    };
    let provider_id = ProviderId::from(provider_id);
    Ok(Order {
        sequence,
        order: NewOrder {
            share: Share {
                provider_id: provider_id.clone(),
                share_percent: u32::try_from(share_percent).map_err(|e| damaged("share", e))?,
                lead: lead != 0,
            },
            provider_id,
            change: change_of(change)?,
            valid_from: day(&valid_from)?,
            valid_to: valid_to.as_deref().map(day).transpose()?,
        },
        grant: from_json::<Grant>(&snapshot)?,
        cpr: if with_cpr {
            Some(Cpr::parse(&cpr).map_err(|e| damaged("CPR number", e))?)
        } else {
            None
        },
        acknowledged,
    })
}

/// The columns of an [`OrderRow`], from an order with its grant version, citizen and
/// acknowledgement; a macro so each query is one literal.
macro_rules! select {
    () => {
        "SELECT o.sequence, o.provider_id, o.change, o.share_percent, o.lead, o.valid_from, o.valid_to, v.snapshot, c.cpr, \
     a.acknowledged_at, a.principal \
     FROM orders o JOIN grant_versions v ON v.grant_id = o.grant_id AND v.version = o.grant_version \
     JOIN citizens c ON c.citizen_id = o.citizen_id \
     LEFT JOIN order_acknowledgements a ON a.sequence = o.sequence"
    };
}

/// Orders matching `filter`, oldest first, a page at a time; with CPR numbers only `with_cpr`.
pub async fn list(on: On<'_>, filter: &Filter, offset: i64, limit: i64, with_cpr: bool) -> Result<Vec<Order>, ApiError> {
    let query = concat!(
        select!(),
        " WHERE ($1 = '' OR o.provider_id = $1) AND o.sequence > $2 AND ($3 = 0 OR a.sequence IS NULL) \
         AND ($4 = '' OR o.citizen_id = $4) AND ($5 = '' OR o.recorded_at < $5) ORDER BY o.sequence LIMIT $6 OFFSET $7"
    );
    let provider = filter.provider.as_ref().map_or("", ProviderId::as_str);
    let citizen = filter.citizen.as_ref().map_or("", CitizenId::as_str);
    let before = filter.recorded_before.as_deref().unwrap_or("");
    let rows: Vec<OrderRow> = on!(on, e => sqlx::query_as(query)
        .bind(provider).bind(filter.after).bind(i64::from(filter.unacknowledged_only)).bind(citizen).bind(before)
        .bind(limit).bind(offset).fetch_all(e).await?);
    rows.into_iter().map(|row| order(row, with_cpr)).collect()
}

/// The provider an order is to, if the order exists.
pub async fn provider_of(on: On<'_>, sequence: i64) -> Result<Option<ProviderId>, ApiError> {
    let row: Option<(String,)> = on!(on, e => sqlx::query_as("SELECT provider_id FROM orders WHERE sequence = $1")
        .bind(sequence).fetch_optional(e).await?);
    Ok(row.map(|(p,)| ProviderId::from(p)))
}

/// Records the order's acknowledgement unless it has one, and returns the first.
pub async fn acknowledge(tx: &mut Tx, sequence: i64, ack: &Acknowledgement) -> Result<Acknowledgement, ApiError> {
    let at = timestamp(ack.at);
    // A concurrent acknowledgement of the same order waits here for the other to commit, then
    // inserts nothing; the read below (a statement of its own) sees the first one.
    let (at, by): (String, String) = on_tx!(tx, t => {
        sqlx::query("INSERT INTO order_acknowledgements (sequence, acknowledged_at, principal) VALUES ($1, $2, $3) ON CONFLICT (sequence) DO NOTHING")
            .bind(sequence).bind(&at).bind(&ack.by).execute(&mut **t).await?;
        sqlx::query_as("SELECT acknowledged_at, principal FROM order_acknowledgements WHERE sequence = $1")
            .bind(sequence).fetch_one(&mut **t).await?
    });
    Ok(Acknowledgement { at: instant(&at)?, by })
}
