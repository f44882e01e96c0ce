//! Typed identifiers: a provider id cannot be passed where a grant id belongs. Each is the text
//! the wire and the database carry; the ids settlement mints itself (statements, lines, runs)
//! are built here, in one place.

use std::fmt;

use afregning_tariff::Period;

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The id as received or stored.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Whether no id was given.
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }
    };
}

text_id!(
    /// A provider (leverandør), as visitation names it.
    ProviderId
);
text_id!(
    /// A grant (bevilling), shared by all its versions.
    GrantId
);
text_id!(
    /// A citizen, as visitation names them (never the CPR number).
    CitizenId
);
text_id!(
    /// A delivery, as the provider system names it: the key that makes a report idempotent.
    DeliveryId
);
text_id!(
    /// One carer's visit; deliveries of the same carer visit may not overlap in time.
    CarerVisitId
);
text_id!(
    /// A statement: `st-<provider>-<YYYY-MM>`, or `st-<provider>-<YYYY>-true-up`.
    StatementId
);
text_id!(
    /// A statement line: `<statement>-<nnnnn>`.
    LineId
);
text_id!(
    /// A settlement run: `run-<YYYY-MM>-<uuid>`.
    RunId
);

impl StatementId {
    /// The provider's statement for a month.
    pub fn of_month(provider_id: &ProviderId, period: Period) -> StatementId {
        StatementId(format!("st-{provider_id}-{period}"))
    }

    /// The provider's true-up statement for a year.
    pub fn of_true_up(provider_id: &ProviderId, year: i32) -> StatementId {
        StatementId(format!("st-{provider_id}-{year:04}-true-up"))
    }
}

impl LineId {
    /// The `number`th line (1-based) of `statement`.
    pub fn of(statement: &StatementId, number: usize) -> LineId {
        LineId(format!("{statement}-{number:05}"))
    }
}

impl RunId {
    /// A new run of `period`, told apart from other runs of it by `unique`.
    pub fn of_month(period: Period, unique: &str) -> RunId {
        RunId(format!("run-{period}-{unique}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_ids_read_as_before() {
        let provider = ProviderId::new("nord");
        let april = Period::new(2026, 4).unwrap();
        let statement = StatementId::of_month(&provider, april);
        assert_eq!(statement.as_str(), "st-nord-2026-04");
        assert_eq!(StatementId::of_true_up(&provider, 2025).as_str(), "st-nord-2025-true-up");
        assert_eq!(LineId::of(&statement, 7).as_str(), "st-nord-2026-04-00007");
        assert_eq!(RunId::of_month(april, "abc").as_str(), "run-2026-04-abc");
    }
}
