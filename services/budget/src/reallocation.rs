//! Quarterly net-zero reallocation (docs/design.md, rule 5): the quarter's cross-frame purchases netted
//! per pair of frames into one case each. A purchase is a posting paid by one frame for a need
//! another frame owns; the case moves budget from the frame whose need was bought to the frame
//! that paid, by the net of the purchases both ways. Executing a case writes two ledger entries
//! that sum to exactly zero.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::store::{CaseRow, Purchase};

/// Proto `CaseState` numbers.
pub mod state {
    /// Awaiting both committees.
    pub const PROPOSED: i64 = 1;
    /// Approved by both committees.
    pub const APPROVED: i64 = 2;
    /// Rejected by a committee.
    pub const REJECTED: i64 = 3;
    /// Executed by FINANCE.
    pub const EXECUTED: i64 = 4;
}

/// The first and last day of a quarter.
pub fn quarter_days(year: i32, quarter: u32) -> Option<(NaiveDate, NaiveDate)> {
    if !(1..=4).contains(&quarter) {
        return None;
    }
    let first = NaiveDate::from_ymd_opt(year, (quarter - 1) * 3 + 1, 1)?;
    let last = afregning_tariff::Period::new(year, quarter * 3)?.range().last();
    Some((first, last))
}

/// The id of the case between two frames in a quarter (frames in code order).
pub fn case_id(year: i32, quarter: u32, a: &str, b: &str) -> String {
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    format!("case-{year}Q{quarter}-{low}-{high}")
}

/// Nets `purchases` per pair of frames into proposed cases; a pair whose purchases cancel out
/// gets none.
pub fn net_cases(purchases: &[Purchase], year: i32, quarter: u32) -> Vec<(CaseRow, Vec<Purchase>)> {
    // Per pair (low, high): what high's budget owes low — purchases paid by low for high's need,
    // minus purchases paid by high for low's need.
    let mut pairs: BTreeMap<(String, String), (i64, Vec<Purchase>)> = BTreeMap::new();
    for p in purchases {
        let (low, high) = if p.paying_frame <= p.need_frame {
            (&p.paying_frame, &p.need_frame)
        } else {
            (&p.need_frame, &p.paying_frame)
        };
        let entry = pairs.entry((low.clone(), high.clone())).or_default();
        entry.0 += if p.paying_frame == *low { p.amount_ore } else { -p.amount_ore };
        entry.1.push(p.clone());
    }
    pairs
        .into_iter()
        .filter(|(_, (net, _))| *net != 0)
        .map(|((low, high), (net, behind))| {
            // Positive: low paid for high's need, so high's budget moves to low.
            let (from_frame, to_frame) = if net > 0 {
                (high.clone(), low.clone())
            } else {
                (low.clone(), high.clone())
            };
            let case = CaseRow {
                case_id: case_id(year, quarter, &low, &high),
                year: i64::from(year),
                quarter: i64::from(quarter),
                from_frame,
                to_frame,
                amount_ore: net.abs(),
                state: state::PROPOSED,
                purchases: String::new(),
            };
            (case, behind)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn purchase(paying: &str, need: &str, amount: i64) -> Purchase {
        Purchase {
            posting_id: format!("{paying}-{need}-{amount}"),
            statement_id: String::new(),
            provider_id: String::new(),
            period: "2026-04".into(),
            paying_frame: paying.into(),
            need_frame: need.into(),
            amount_ore: amount,
        }
    }

    #[test]
    fn nets_both_ways_per_pair() {
        let cases = net_cases(
            &[purchase("HEALTH", "SOCIAL", 236_000), purchase("SOCIAL", "HEALTH", 50_000)],
            2026,
            2,
        );
        assert_eq!(cases.len(), 1);
        let (case, behind) = &cases[0];
        assert_eq!(
            (case.from_frame.as_str(), case.to_frame.as_str(), case.amount_ore, behind.len()),
            ("SOCIAL", "HEALTH", 186_000, 2)
        );
        assert_eq!(case.case_id, "case-2026Q2-HEALTH-SOCIAL");
        assert!(net_cases(&[purchase("HEALTH", "SOCIAL", 100), purchase("SOCIAL", "HEALTH", 100)], 2026, 2).is_empty());
        assert_eq!(quarter_days(2026, 1).unwrap().1, NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
        assert!(quarter_days(2026, 5).is_none());
    }

    proptest! {
        /// Executing every case moves exactly what the purchases net to: for each frame, the
        /// budget it gains equals what it paid for others minus what others paid for it.
        #[test]
        fn cases_move_exactly_the_net_purchases(raw in prop::collection::vec((0_usize..3, 0_usize..3, 1_i64..1_000_000), 0..30)) {
            let frames = ["FINANCE", "HEALTH", "SOCIAL"];
            let purchases: Vec<Purchase> = raw.iter().filter(|(a, b, _)| a != b).map(|(a, b, amount)| purchase(frames[*a], frames[*b], *amount)).collect();
            let mut moved: BTreeMap<&str, i64> = BTreeMap::new();
            for (case, _) in net_cases(&purchases, 2026, 1) {
                *moved.entry(frames.iter().find(|f| **f == case.to_frame).unwrap()).or_default() += case.amount_ore;
                *moved.entry(frames.iter().find(|f| **f == case.from_frame).unwrap()).or_default() -= case.amount_ore;
            }
            prop_assert_eq!(moved.values().sum::<i64>(), 0);
            for frame in frames {
                let paid_for_others: i64 = purchases.iter().filter(|p| p.paying_frame == frame).map(|p| p.amount_ore).sum();
                let bought_for_it: i64 = purchases.iter().filter(|p| p.need_frame == frame).map(|p| p.amount_ore).sum();
                prop_assert_eq!(moved.get(frame).copied().unwrap_or(0), paid_for_others - bought_for_it);
            }
        }
    }
}
