//! Export and reconciliation with the ERP (docs/design.md, "Follow-up as of a date"): settlement's
//! postings summed per frame, account and month, written as CSV, and compared line by line with the
//! ERP's own totals.

use std::collections::{BTreeMap, BTreeSet};

use afregning_tariff::{Ore, Period};

use super::error::{BudgetError, Figure};
use super::ids::FrameCode;

/// Settlement postings of one frame, account and month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostingTotal {
    /// The frame that paid.
    pub frame: FrameCode,
    /// The finance account.
    pub account: String,
    /// The month the postings pay for (the month of their booking day).
    pub period: Period,
    /// Their sum: the figure the ERP's own total should match.
    pub amount: Ore,
    /// How many postings, so finance can tell one large posting from many small.
    pub entries: u64,
}

/// A line of either side, keyed as the ERP names it: the ERP's months are not checked, so a line
/// for a month that does not exist simply matches nothing of ours.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineKey {
    /// The frame, as text: the ERP may name frames budget does not know.
    pub frame: String,
    /// The finance account.
    pub account: String,
    /// The year as sent, unchecked.
    pub year: i32,
    /// The month as sent, unchecked (0 when the ERP sent none).
    pub month: i32,
}

impl PostingTotal {
    /// The key this total is compared under.
    pub fn key(&self) -> LineKey {
        LineKey {
            frame: self.frame.to_string(),
            account: self.account.clone(),
            year: self.period.year(),
            month: self.period.month() as i32,
        }
    }
}

/// One line where Afregning and the ERP disagree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// The frame, account and month that disagree.
    pub key: LineKey,
    /// Settlement's postings (zero when Afregning has none for the key).
    pub ours: Ore,
    /// The sum of the ERP's lines (zero when the ERP sent none for the key).
    pub theirs: Ore,
    /// ours − theirs: positive when the ERP is missing postings.
    pub difference: Ore,
}

/// Every line where `ours` and the ERP's lines `theirs` disagree, in key order. The ERP may send
/// several lines for one key; their sum is checked, and a sum beyond 64 bits names the line that
/// overflowed ([`Figure::ErpLine`]).
pub fn differences(ours: &[PostingTotal], theirs: &[(LineKey, Ore)]) -> Result<Vec<Difference>, BudgetError> {
    let ours: BTreeMap<LineKey, Ore> = ours.iter().map(|t| (t.key(), t.amount)).collect();
    // Per key: the ERP's sum and the index of its last line, which a difference beyond 64 bits names.
    let mut summed: BTreeMap<&LineKey, (Ore, usize)> = BTreeMap::new();
    for (i, (key, amount)) in theirs.iter().enumerate() {
        let (sum, last) = summed.entry(key).or_default();
        *sum = sum.checked_add(*amount).map_err(|_| BudgetError::Overflow(Figure::ErpLine(i)))?;
        *last = i;
    }
    let keys: BTreeSet<&LineKey> = ours.keys().chain(summed.keys().copied()).collect();
    let mut out = Vec::new();
    for key in keys {
        let ours = ours.get(key).copied().unwrap_or_default();
        let (theirs, last) = summed.get(key).copied().unwrap_or_default();
        if ours != theirs {
            out.push(Difference {
                key: key.clone(),
                ours,
                theirs,
                difference: ours.checked_sub(theirs).map_err(|_| BudgetError::Overflow(Figure::ErpLine(last)))?,
            });
        }
    }
    Ok(out)
}

/// The CSV finance loads into the ERP: `frame;account;period;amount_kr;entries`, amounts in
/// kroner with a decimal comma.
pub fn csv(totals: &[PostingTotal]) -> String {
    let mut csv = String::from("frame;account;period;amount_kr;entries\n");
    for t in totals {
        let kroner = t.amount.to_string().replace('.', ",");
        csv.push_str(&format!("{};{};{};{kroner};{}\n", t.frame, t.account, t.period, t.entries));
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(month: u32, amount: i64) -> PostingTotal {
        PostingTotal {
            frame: FrameCode::new("SOCIAL"),
            account: "5.30.26".into(),
            period: Period::new(2026, month).unwrap(),
            amount: Ore::new(amount),
            entries: 1,
        }
    }

    fn theirs(month: i32, amount: i64) -> (LineKey, Ore) {
        (
            LineKey {
                frame: "SOCIAL".into(),
                account: "5.30.26".into(),
                year: 2026,
                month,
            },
            Ore::new(amount),
        )
    }

    #[test]
    fn lines_that_disagree_are_listed_with_their_difference() {
        let diffs = differences(
            &[ours(4, 555_000), ours(5, 819_286)],
            &[theirs(4, 555_000), theirs(5, 819_000), theirs(6, 100)],
        )
        .unwrap();
        let seen: Vec<(i32, i64, i64, i64)> = diffs
            .iter()
            .map(|d| (d.key.month, d.ours.get(), d.theirs.get(), d.difference.get()))
            .collect();
        assert_eq!(seen, vec![(5, 819_286, 819_000, 286), (6, 0, 100, -100)]);
        assert!(
            differences(&[ours(4, 5)], &[theirs(4, 2), theirs(4, 3)]).unwrap().is_empty(),
            "lines of one key add up"
        );
    }

    #[test]
    fn erp_lines_beyond_64_bits_name_the_line() {
        assert_eq!(
            differences(&[], &[theirs(4, 1), theirs(5, i64::MAX), theirs(5, 1)]),
            Err(BudgetError::Overflow(Figure::ErpLine(2)))
        );
    }

    #[test]
    fn csv_writes_kroner_with_a_decimal_comma() {
        assert_eq!(
            csv(&[ours(4, 555_000)]),
            "frame;account;period;amount_kr;entries\nSOCIAL;5.30.26;2026-04;5550,00;1\n"
        );
    }
}
