//! The seal of an issued statement: a hash over exactly what was issued, in order.

use sha2::{Digest, Sha256};

use super::statement::Statement;

/// SHA-256 hex over the statement's header and each line's stored encoding, in order. The lines
/// come encoded as they are stored (the wire message), so a seal recomputed from the database
/// matches the one issued.
pub fn content_hash<L: AsRef<[u8]>>(statement: &Statement, encoded_lines: impl IntoIterator<Item = L>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(format!(
        "{}|{}|{}|{}|{}",
        statement.statement_id,
        statement.provider_id,
        statement.period,
        statement.total_ore.get(),
        statement.line_count
    ));
    for line in encoded_lines {
        hasher.update(line.as_ref());
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use afregning_tariff::{Ore, Period};
    use chrono::Utc;

    use super::*;
    use crate::domain::ids::{ProviderId, StatementId};
    use crate::domain::line::TargetPeriod;

    #[test]
    fn the_seal_covers_header_and_lines_in_order() {
        let april = TargetPeriod::Month(Period::new(2026, 4).unwrap());
        let mut st = Statement::draft(StatementId::new("st-nord-2026-04"), ProviderId::new("nord"), april, &[], Utc::now()).unwrap();
        st.line_count = 2;
        let a = content_hash(&st, [b"one".as_slice(), b"two".as_slice()]);
        assert_eq!(a.len(), 64);
        assert_ne!(a, content_hash(&st, [b"two".as_slice(), b"one".as_slice()]));
        st.total_ore = Ore::new(1);
        assert_ne!(a, content_hash(&st, [b"one".as_slice(), b"two".as_slice()]));
        // The header reads as it always has.
        let mut hasher = Sha256::new();
        hasher.update("st-nord-2026-04|nord|2026-04|1|2onetwo");
        let expected: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(content_hash(&st, [b"one".as_slice(), b"two".as_slice()]), expected);
    }
}
