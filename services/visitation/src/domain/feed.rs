//! What the grant feed carries: every grant version, provider registration and published tariff
//! catalog version, in commit order, for settlement and budget to follow.

use afregning_tariff::Cpr;
use serde::{Deserialize, Serialize};

use super::catalog::CatalogPublished;
use super::grant::{Change, Grant};
use super::provider::Provider;

/// What an event says happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A grant version was stored, made by this kind of change.
    Grant(Change),
    /// A provider was registered.
    ProviderRegistered,
    /// A tariff catalog version was published.
    CatalogPublished,
}

/// What the feed carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeedPayload {
    /// A grant version, with the citizen's CPR number (handed only to settlement, which prints
    /// it on the lines a provider sees for its own citizens).
    Grant(Box<Grant>, #[serde(with = "super::digits::cpr")] Cpr),
    /// A provider registration.
    Provider(Provider),
    /// A published tariff catalog version.
    Catalog(CatalogPublished),
}

impl FeedPayload {
    /// The event kind this payload is published as.
    pub fn kind(&self) -> EventKind {
        match self {
            FeedPayload::Grant(grant, _) => EventKind::Grant(grant.change),
            FeedPayload::Provider(_) => EventKind::ProviderRegistered,
            FeedPayload::Catalog(_) => EventKind::CatalogPublished,
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

    /// Feed events and grant snapshots stored before ids, CPR numbers and øre were typed must
    /// read back, and new ones must be written the same way: followers and stored rows depend on it.
    #[test]
    fn stored_text_keeps_its_shape() {
        let grant = r#"{"Grant":[{"grant_id":"gr_1","version":1,"citizen_id":"cit_1","terms":{"unit_kind":"Course","legal_basis":"SEL-83a","intervention":"hverdagsrehabilitering","visited_minutes_per_week":400,"service_category":null,"package":null,"course_type":"Developing","settle_mode":"WithLead","providers":[{"provider_id":"prv_a","share_percent":100,"lead":true}],"need_frame":null},"start":"2026-03-02","end":null,"status":"Active","paying_frame":"SOCIAL","need_frame":"SOCIAL","course":{"course_type":"Developing","level":2,"period":{"first":"2026-03-02","last":"2026-05-24"},"follow_up_on":"2026-05-24","visited_minutes_per_week":400},"expected_weekly_cost_ore":340000,"catalog_version":"2026.1","suspensions":[{"from":"2026-04-01","resumed_on":"2026-04-08","reason":"hospital"}],"end_reason":"GoalMet","change":"Decided","effective_from":"2026-03-02","decided_on":"2026-03-02","backdated":false,"recorded_at":"1970-01-01T00:00:00Z"},"0101501234"]}"#;
        let provider = r#"{"Provider":{"provider_id":"prv_1","cvr":"29189668","name":"Nord","kind":2,"committee":"SOCIAL","approved_for":["personal_care","course:DEVELOPING"]}}"#;
        for text in [grant, provider] {
            let payload: FeedPayload = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&payload).unwrap(), text);
        }
        let bad_cvr = provider.replace("29189668", "29189669");
        assert!(serde_json::from_str::<FeedPayload>(&bad_cvr).is_err());
    }
}
