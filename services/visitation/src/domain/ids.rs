//! Typed ids: a citizen id, a grant id, a provider id and an assessment id cannot be swapped for
//! one another, and each is stored and sent as the same text it always was (`cit_…`, `gr_…`,
//! `prv_…`, `asm_…`).

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A new, unique id (random; the use case that creates the record draws it).
            pub fn fresh() -> $name {
                $name(format!(concat!($prefix, "_{}"), uuid::Uuid::new_v4().simple()))
            }

            /// The id as text, for storage and the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> $name {
                $name(text)
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> $name {
                $name(text.to_owned())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id!(
    /// A citizen, opaque: it stands in for the CPR number everywhere outside personal-data reads.
    CitizenId,
    "cit"
);
id!(
    /// A grant, the same across all of its versions.
    GrantId,
    "gr"
);
id!(
    /// A registered provider.
    ProviderId,
    "prv"
);
id!(
    /// One recorded FSIII assessment.
    AssessmentId,
    "asm"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_ids_carry_their_prefix_and_serialize_as_plain_text() {
        let id = GrantId::fresh();
        assert!(id.as_str().starts_with("gr_"));
        assert_ne!(id, GrantId::fresh());
        assert_eq!(serde_json::to_string(&CitizenId::from("cit_1")).unwrap(), "\"cit_1\"");
    }
}
