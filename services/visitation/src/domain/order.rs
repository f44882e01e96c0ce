//! Orders (bestillinger): what each grant version asks of each provider it names. A provider
//! system works from its orders — which citizen, which grant to report deliveries against, what
//! to deliver from when — and acknowledges each one. A provider change is also an order to the
//! provider the grant moves away from: its part ends the day before the change applies.
//!
//! [`orders_for`] is the rule: from a grant's versions (the newest last) it makes the orders of
//! the newest one. The store gives each its sequence in commit order.

use afregning_tariff::Cpr;
use chrono::{DateTime, NaiveDate, Utc};

use super::grant::{Change, Grant};
use super::ids::ProviderId;
use super::shares::Share;

/// What a grant version means to one provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderChange {
    /// A new grant names the provider.
    Decided,
    /// New visited minutes (for a course, a new course period).
    Revisited,
    /// The providers changed and this one is named from the change on.
    ProviderChanged,
    /// Suspended from the change's day.
    Suspended,
    /// Resumed on the change's day.
    Resumed,
    /// Ended; the order's last day is the grant's.
    Ended,
    /// The grant moved to other providers: this one's part ends the day before the change.
    ProviderChangedAway,
}

impl OrderChange {
    /// The order change of a provider still named by a version made by `change`.
    fn of(change: Change) -> OrderChange {
        match change {
            Change::Decided => OrderChange::Decided,
            Change::Revisited => OrderChange::Revisited,
            Change::ProviderChanged => OrderChange::ProviderChanged,
            Change::Suspended => OrderChange::Suspended,
            Change::Resumed => OrderChange::Resumed,
            Change::Ended => OrderChange::Ended,
        }
    }
}

/// One order to one provider, before the store numbers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOrder {
    /// Whom it is to.
    pub provider_id: ProviderId,
    /// What changed for that provider.
    pub change: OrderChange,
    /// The provider's share (for an order away, the share it had).
    pub share: Share,
    /// The provider's first day on the grant, without a break.
    pub valid_from: NaiveDate,
    /// The provider's last day on the grant; `None` while open-ended.
    pub valid_to: Option<NaiveDate>,
}

/// A stored order, with the grant version it comes from and what the reader may see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    /// The order's id: gap-free, in commit order across all providers.
    pub sequence: i64,
    /// What it asks of whom.
    pub order: NewOrder,
    /// The grant version that made it (its terms are what to deliver).
    pub grant: Grant,
    /// The citizen's CPR number, for the provider's own reads only.
    pub cpr: Option<Cpr>,
    /// When the provider acknowledged it.
    pub acknowledged: Option<Acknowledgement>,
}

/// A provider's acknowledgement of an order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acknowledgement {
    /// When it was first acknowledged.
    pub at: DateTime<Utc>,
    /// The principal that acknowledged it.
    pub by: String,
}

/// The most hours the authority may ask about when listing unacknowledged orders: a year.
pub const MAX_ACK_HOURS: u32 = 8_760;

/// Whether `grant` names `provider`.
fn names(grant: &Grant, provider: &ProviderId) -> bool {
    grant.terms.providers.iter().any(|s| &s.provider_id == provider)
}

/// The first day of `provider`'s latest unbroken run of versions that name it: the grant's
/// start if the first version named it, otherwise the day the change that named it applied.
fn provider_from(versions: &[Grant], provider: &ProviderId) -> Option<NaiveDate> {
    let mut from = None;
    for version in versions {
        if !names(version, provider) {
            from = None;
        } else if from.is_none() {
            from = Some(if version.version == 1 {
                version.start
            } else {
                version.effective_from
            });
        }
    }
    from
}

/// The orders the newest of `versions` (one grant's, oldest first) makes: one to each provider it
/// names, and — for a provider change — one to each provider the grant moved away from.
pub fn orders_for(versions: &[Grant]) -> Vec<NewOrder> {
    let Some((next, earlier)) = versions.split_last() else {
        return Vec::new();
    };
    let mut orders: Vec<NewOrder> = next
        .terms
        .providers
        .iter()
        .map(|share| NewOrder {
            provider_id: share.provider_id.clone(),
            change: OrderChange::of(next.change),
            share: share.clone(),
            valid_from: provider_from(versions, &share.provider_id).unwrap_or(next.start),
            valid_to: next.end,
        })
        .collect();
    if next.change == Change::ProviderChanged
        && let Some(previous) = earlier.last()
    {
        let last_day = next.effective_from.pred_opt().unwrap_or(next.effective_from);
        for share in previous.terms.providers.iter().filter(|s| !names(next, &s.provider_id)) {
            orders.push(NewOrder {
                provider_id: share.provider_id.clone(),
                change: OrderChange::ProviderChangedAway,
                share: share.clone(),
                valid_from: provider_from(earlier, &share.provider_id).unwrap_or(previous.start),
                valid_to: Some(previous.end.map_or(last_day, |end| end.min(last_day))),
            });
        }
    }
    orders
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Command;
    use crate::domain::grant::tests::{day, grant, service_terms};

    fn lead(provider: &str) -> Vec<Share> {
        vec![Share {
            provider_id: ProviderId::from(provider),
            share_percent: 100,
            lead: true,
        }]
    }

    fn change(versions: &mut Vec<Grant>, command: Command, decided_on: NaiveDate) {
        let catalogs = crate::domain::grant::tests::catalogs();
        let next = versions.last().unwrap().apply(command, decided_on, &catalogs, Utc::now()).unwrap();
        versions.push(next);
    }

    #[test]
    fn a_new_grant_orders_its_provider_from_its_start() {
        let first = grant(service_terms(60), day(3, 2));
        let provider = first.terms.providers[0].provider_id.clone();
        let orders = orders_for(std::slice::from_ref(&first));
        assert_eq!(orders.len(), 1);
        assert_eq!(
            (&orders[0].provider_id, orders[0].change, orders[0].valid_from, orders[0].valid_to),
            (&provider, OrderChange::Decided, day(3, 2), None)
        );
    }

    #[test]
    fn a_provider_change_orders_the_new_provider_and_ends_the_old_ones_part() {
        let mut versions = vec![grant(service_terms(60), day(3, 2))];
        let old = versions[0].terms.providers[0].provider_id.clone();
        let command = Command::ChangeProvider {
            effective_from: day(4, 15),
            providers: lead("prv_new"),
        };
        change(&mut versions, command, day(4, 10));
        let orders = orders_for(&versions);
        assert_eq!(orders.len(), 2);
        assert_eq!(
            (
                orders[0].provider_id.as_str(),
                orders[0].change,
                orders[0].valid_from,
                orders[0].valid_to
            ),
            ("prv_new", OrderChange::ProviderChanged, day(4, 15), None)
        );
        assert_eq!(
            (&orders[1].provider_id, orders[1].change, orders[1].valid_from, orders[1].valid_to),
            (&old, OrderChange::ProviderChangedAway, day(3, 2), Some(day(4, 14)))
        );

        // A later suspension orders only the provider named now, from the day it took over.
        let command = Command::Suspend {
            from: day(5, 1),
            reason: "hospital".into(),
        };
        change(&mut versions, command, day(5, 1));
        let orders = orders_for(&versions);
        assert_eq!(orders.len(), 1);
        assert_eq!(
            (orders[0].provider_id.as_str(), orders[0].change, orders[0].valid_from),
            ("prv_new", OrderChange::Suspended, day(4, 15))
        );
    }

    #[test]
    fn an_end_orders_the_provider_to_the_last_day() {
        let mut versions = vec![grant(service_terms(60), day(3, 2))];
        let command = Command::End {
            last_day: day(4, 20),
            reason: afregning_tariff::EndReason::Moved,
        };
        change(&mut versions, command, day(5, 4));
        let orders = orders_for(&versions);
        assert_eq!((orders[0].change, orders[0].valid_to), (OrderChange::Ended, Some(day(4, 20))));
        assert!(versions[1].backdated, "decided after the last day");
    }
}
