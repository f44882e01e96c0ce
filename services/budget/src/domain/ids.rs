//! Typed names of what budget keeps: frames, committees and reallocation cases. Each is text on
//! the wire and on disk; in code a frame code cannot be passed where a committee code is meant.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Whether `text` has the shape of a code a client may create: 1–32 upper-case letters, digits,
/// `_` or `-`. Frames named by settlement's postings or looked up by a client are not held to it
/// (an unknown code is simply not found).
pub fn is_code(text: &str) -> bool {
    (1..=32).contains(&text.len())
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The name as given.
            pub fn new(text: impl Into<String>) -> $name {
                $name(text.into())
            }

            /// The name as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The name as owned text, for the wire.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
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
    /// A frame (politikområde), e.g. `SOCIAL`: the code the catalog maps legal bases to.
    FrameCode
);

text_id!(
    /// A committee (udvalg), e.g. `HEALTH`.
    CommitteeCode
);

text_id!(
    /// A reallocation case, `case-<YYYY>Q<q>-<frame>-<frame>` for the cases budget proposes.
    CaseId
);

impl CaseId {
    /// The id of the case between two frames in a quarter; the frames in code order, so both
    /// directions of purchases between them land in one case.
    pub fn of(year: i32, quarter: u32, a: &FrameCode, b: &FrameCode) -> CaseId {
        let (low, high) = if a <= b { (a, b) } else { (b, a) };
        CaseId(format!("case-{year}Q{quarter}-{low}-{high}"))
    }

    /// The ledger reference of one side of the case's execution: `<case>:from` or `<case>:to`.
    pub fn entry_ref(&self, side: Side) -> String {
        let side = match side {
            Side::From => "from",
            Side::To => "to",
        };
        format!("{}:{side}", self.0)
    }
}

/// One side of a reallocation: the frame whose budget moves out, or the one it moves to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The frame whose need was bought: its budget moves out.
    From,
    /// The frame that paid: its budget moves in.
    To,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_short_upper_case_words() {
        assert!(is_code("SOCIAL"));
        assert!(is_code("VR-SOCIAL_2"));
        assert!(!is_code(""));
        assert!(!is_code("social"));
        assert!(!is_code(&"A".repeat(33)));
    }

    #[test]
    fn a_case_id_names_its_frames_in_code_order() {
        let (social, health) = (FrameCode::new("SOCIAL"), FrameCode::new("HEALTH"));
        let id = CaseId::of(2026, 2, &social, &health);
        assert_eq!(id, CaseId::of(2026, 2, &health, &social));
        assert_eq!(id.as_str(), "case-2026Q2-HEALTH-SOCIAL");
        assert_eq!(id.entry_ref(Side::From), "case-2026Q2-HEALTH-SOCIAL:from");
    }
}
