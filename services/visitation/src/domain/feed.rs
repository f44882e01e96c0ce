//! What the grant feed carries: every grant version and every provider registration, in commit
//! order, for settlement and budget to follow.

use afregning_tariff::Cpr;
use serde::{Deserialize, Serialize};

use super::grant::{Change, Grant};
use super::provider::Provider;

/// What an event says happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A grant version was stored, made by this kind of change.
    Grant(Change),
    /// A provider was registered.
    ProviderRegistered,
}

/// What the feed carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeedPayload {
    /// A grant version, with the citizen's CPR number (handed only to settlement, which prints
    /// it on the lines a provider sees for its own citizens).
    Grant(Box<Grant>, #[serde(with = "super::digits::cpr")] Cpr),
    /// A provider registration.
    Provider(Provider),
}

impl FeedPayload {
    /// The event kind this payload is published as.
    pub fn kind(&self) -> EventKind {
        match self {
            FeedPayload::Grant(grant, _) => EventKind::Grant(grant.change),
            FeedPayload::Provider(_) => EventKind::ProviderRegistered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::grant::tests::{day, grant, service_terms};

    #[test]
    fn a_grant_event_keeps_the_cpr_as_digits_and_reads_back_the_same() {
        let payload = FeedPayload::Grant(Box::new(grant(service_terms(60), day(3, 2))), Cpr::parse("0101501234").unwrap());
        let text = serde_json::to_string(&payload).unwrap();
        assert!(text.contains("\"0101501234\""));
        assert_eq!(serde_json::from_str::<FeedPayload>(&text).unwrap(), payload);
        assert_eq!(payload.kind(), EventKind::Grant(Change::Decided));
    }
}
