//! Orders for providers: a provider lists and follows its own, each order returned with a CPR
//! number written to that citizen's audit log with the provider as reader, and acknowledges
//! them; the authority lists the orders not acknowledged in time.

use afregning_kit::ApiError;
use afregning_kit::store::RequestKey;
use chrono::{Duration, Utc};
use prost::Message;

use super::App;
use crate::domain::ProviderId;
use crate::domain::citizen::AuditEntry;
use crate::domain::order::{Acknowledgement, Order};
use crate::store::orders::Filter;
use crate::store::{self, On, as_stored, timestamp};

/// The audit log's purpose for a provider's read of an order.
fn purpose(order: &Order) -> String {
    format!("order {} to {}: what to deliver", order.sequence, order.order.provider_id)
}

impl App {
    /// A page of one provider's orders (`filter.provider` is set), with CPR numbers, each read
    /// audited under `action` with `reader` (the provider's principal) as reader.
    pub async fn provider_orders(
        &self,
        filter: &Filter,
        (offset, limit): (i64, i64),
        reader: &str,
        action: &str,
    ) -> Result<Vec<Order>, ApiError> {
        debug_assert!(filter.provider.is_some(), "a provider reads its own orders only");
        let orders = store::orders::list(self.store.pool(), filter, offset, limit, true).await?;
        self.audit_orders(&orders, reader, action).await?;
        Ok(orders)
    }

    /// Writes one audit entry per order read, before any is handed out.
    async fn audit_orders(&self, orders: &[Order], reader: &str, action: &str) -> Result<(), ApiError> {
        let at = Utc::now();
        let entries: Vec<_> = orders
            .iter()
            .map(|order| {
                let entry = AuditEntry {
                    at,
                    principal: reader.to_owned(),
                    action: action.to_owned(),
                    purpose: purpose(order),
                };
                (order.grant.citizen_id.clone(), entry)
            })
            .collect();
        store::audit::record_all(&self.store.storage, &entries).await
    }

    /// Acknowledges the order `sequence` for `provider`: the first acknowledgement stands, and
    /// acknowledging again answers with it. For a provider (`as_provider`), an order that does
    /// not exist and another provider's order are refused alike, so it learns nothing of orders
    /// not its own; a trusted `local` caller is told which it is.
    pub async fn acknowledge_order<M: Message + Default>(
        &self,
        key: &RequestKey,
        (sequence, provider): (i64, &ProviderId),
        (principal, as_provider): (&str, bool),
        answer: impl FnOnce(&Acknowledgement) -> M,
    ) -> Result<M, ApiError> {
        self.store
            .storage
            .once(key, async |tx| {
                match store::orders::provider_of(On::from(&mut *tx), sequence).await? {
                    Some(to) if &to == provider => {}
                    _ if as_provider => return Err(ApiError::PermissionDenied),
                    Some(_) => return Err(ApiError::precondition("provider_id", "the order is to another provider")),
                    None => return Err(ApiError::NotFound("order".into())),
                }
                let ack = Acknowledgement {
                    at: as_stored(Utc::now()),
                    by: principal.to_owned(),
                };
                let first = store::orders::acknowledge(tx, sequence, &ack).await?;
                Ok(answer(&first))
            })
            .await
    }

    /// Orders not acknowledged although recorded more than `older_than_hours` ago (the
    /// configured default when `None`), oldest first, optionally one provider's; without CPR
    /// numbers.
    pub async fn unacknowledged_orders(
        &self,
        older_than_hours: Option<u32>,
        provider: Option<ProviderId>,
        (offset, limit): (i64, i64),
    ) -> Result<Vec<Order>, ApiError> {
        let hours = older_than_hours.unwrap_or(self.order_ack_hours);
        let filter = Filter {
            provider,
            unacknowledged_only: true,
            recorded_before: Some(timestamp(Utc::now() - Duration::hours(i64::from(hours)))),
            ..Filter::default()
        };
        store::orders::list(self.store.pool(), &filter, offset, limit, false).await
    }

    /// The citizen with CPR number `cpr`, if registered: a provider filters its orders by it.
    pub async fn citizen_id_of(&self, cpr: &afregning_tariff::Cpr) -> Result<Option<crate::domain::CitizenId>, ApiError> {
        Ok(store::citizens::by_cpr(self.store.pool(), cpr).await?.map(|c| c.citizen_id))
    }
}
