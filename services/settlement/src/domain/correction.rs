//! Corrections of issued months (docs/design.md, "Corrections"): an issued month's lines that
//! the new computation no longer has are reversed; the new lines no issued line matches are
//! rebooked against the reversed line they stand in for, or are supplements.

use afregning_tariff::pricing::Rule;
use afregning_tariff::{DateRange, Ore, Period, TimeBand};

use super::ids::{GrantId, LineId};
use super::line::{FramePart, FramedLine, LineKind, StatementLine, StoredLine, TargetPeriod};

/// How many months back an issued statement is checked for corrections.
pub const CORRECTION_MONTHS: u32 = 13;

/// What makes two lines the same payment, for comparing an issued month with its new computation.
#[derive(Debug, PartialEq, Eq)]
struct Signature<'l> {
    grant_id: &'l GrantId,
    unit: &'l str,
    covers: DateRange,
    time_band: Option<TimeBand>,
    rate_ore: Ore,
    quantity: i64,
    amount_ore: Ore,
    catalog_version: &'l str,
    paying_frame: &'l str,
    need_frame: &'l str,
}

fn signature(line: &StatementLine) -> Signature<'_> {
    Signature {
        grant_id: &line.grant_id,
        unit: &line.unit,
        covers: line.covers,
        time_band: line.time_band,
        rate_ore: line.explanation.rate_ore,
        quantity: line.explanation.quantity,
        amount_ore: line.amount_ore,
        catalog_version: &line.explanation.catalog_version,
        paying_frame: &line.paying_frame,
        need_frame: &line.need_frame,
    }
}

/// An issued month's effective lines against its new computation: the issued lines no new line
/// matches (to reverse), and the new lines no issued line matches (to book).
pub fn compare(effective: Vec<StoredLine>, fresh: Vec<FramedLine>) -> (Vec<StoredLine>, Vec<FramedLine>) {
    let mut unmatched = fresh;
    let mut rest = Vec::new();
    for old in effective {
        match unmatched.iter().position(|n| signature(&n.line) == signature(&old.line)) {
            Some(i) => {
                unmatched.remove(i);
            }
            None => rest.push(old),
        }
    }
    let mut reversed = Vec::new();
    for old in rest {
        let split = split_by_catalog(&old.line, &unmatched);
        if split.is_empty() {
            reversed.push(old);
        } else {
            let mut i = 0;
            unmatched.retain(|_| {
                i += 1;
                !split.contains(&(i - 1))
            });
        }
    }
    (reversed, unmatched)
}

/// The new lines (by index) that only split `old` where a new catalog version took over at the
/// same price: together they pay the same grant, unit, band, rate, frames and quantity within
/// `old`'s days, under several catalog versions. A catalog correction that leaves a line's price
/// as it was is no change to that line, so it stays as issued. Empty when there is no such split.
fn split_by_catalog(old: &StatementLine, fresh: &[FramedLine]) -> Vec<usize> {
    let same_payment = |n: &StatementLine| {
        n.grant_id == old.grant_id
            && n.unit == old.unit
            && n.time_band == old.time_band
            && n.explanation.rate_ore == old.explanation.rate_ore
            && n.explanation.quantity_unit == old.explanation.quantity_unit
            && n.paying_frame == old.paying_frame
            && n.need_frame == old.need_frame
            && n.covers.first() >= old.covers.first()
            && n.covers.last() <= old.covers.last()
    };
    let parts: Vec<usize> = (0..fresh.len()).filter(|&i| same_payment(&fresh[i].line)).collect();
    let versions: std::collections::BTreeSet<&str> = parts.iter().map(|&i| fresh[i].line.explanation.catalog_version.as_str()).collect();
    let quantity = parts
        .iter()
        .try_fold(0_i64, |sum, &i| sum.checked_add(fresh[i].line.explanation.quantity));
    if parts.len() >= 2 && versions.len() == parts.len() && quantity == Some(old.explanation.quantity) {
        parts
    } else {
        Vec::new()
    }
}

/// The reversal of an issued line of month `q`: its amount, shares and frame parts negated.
pub fn reversal(old: &StoredLine, q: Period) -> StoredLine {
    let mut line = old.line.clone();
    line.kind = LineKind::Reversal;
    line.amount_ore = negated(old.line.amount_ore);
    line.corrects_line_id = Some(old.line.line_id.clone());
    line.period = Some(q);
    line.participant_shares
        .iter_mut()
        .for_each(|s| s.amount_ore = negated(s.amount_ore));
    line.explanation.rule = Rule::Reversal.code().into();
    line.explanation.text = format!(
        "tilbagefører linje {} for {}: {}",
        old.line.line_id,
        q.danish(),
        line.explanation.text
    );
    let frames = old
        .frames
        .iter()
        .map(|f| FramePart {
            amount_ore: negated(f.amount_ore),
            ..f.clone()
        })
        .collect();
    StoredLine {
        line,
        target_period: TargetPeriod::Month(q),
        frames,
    }
}

/// A stored amount negated. Stored amounts are sums of priced lines far inside `i64`, whose
/// negation always exists except for `i64::MIN`, which no line can reach.
fn negated(amount: Ore) -> Ore {
    amount.checked_neg().unwrap_or(amount)
}

/// The reversed line a new line of the same grant takes the place of: the one of the same
/// version, time band and days if there is one, else of overlapping days; none for a line on days
/// no reversed line covered (a supplement).
fn stands_in_for<'a>(reversed: &'a [StoredLine], new: &StatementLine) -> Option<&'a LineId> {
    let of_grant = || reversed.iter().filter(|r| r.line.grant_id == new.grant_id);
    let overlaps = |l: &StatementLine| l.covers.intersect(&new.covers).is_some();
    of_grant()
        .find(|r| r.line.grant_version == new.grant_version && r.line.time_band == new.time_band && overlaps(&r.line))
        .or_else(|| of_grant().find(|r| r.line.time_band == new.time_band && overlaps(&r.line)))
        .or_else(|| of_grant().find(|r| overlaps(&r.line)))
        .map(|r| &r.line.line_id)
}

/// The correction lines of issued month `q`: a reversal of each issued line the new computation
/// no longer has, then each new line as a rebooking of the reversed line it stands in for, or as
/// a supplement.
pub fn corrections_of(q: Period, effective: Vec<StoredLine>, fresh: Vec<FramedLine>) -> Vec<StoredLine> {
    let (reversed, unmatched) = compare(effective, fresh);
    let mut out: Vec<StoredLine> = reversed.iter().map(|old| reversal(old, q)).collect();
    for new in unmatched {
        let original = stands_in_for(&reversed, &new.line).cloned();
        let mut s = StoredLine::paying_for(new, q);
        let e = &mut s.line.explanation;
        match original {
            Some(original) => {
                s.line.kind = LineKind::Rebooking;
                e.rule = Rule::Rebooking.code().into();
                e.text = format!("genbogfører linje {original} for {}: {}", q.danish(), e.text);
                s.line.corrects_line_id = Some(original);
            }
            None => {
                s.line.kind = LineKind::Supplement;
                e.rule = Rule::Supplement.code().into();
                e.text = format!("tillæg for {}: {}", q.danish(), e.text);
            }
        }
        out.push(s);
    }
    out
}

/// The earlier months whose figures for the provider stand issued, oldest first: those it has an
/// issued statement for, and every settled month it has no statement for (what it is owed there
/// comes as supplements). A month it has a draft for waits for that draft. `own` gives each
/// month the provider has a statement for, and whether it is issued.
pub fn issued_months(period: Period, own: &[(TargetPeriod, bool)], settled: &[Period]) -> Vec<Period> {
    (1..=CORRECTION_MONTHS as i32)
        .rev()
        .filter_map(|back| period.plus_months(-back))
        .filter(|q| match own.iter().find(|(p, _)| *p == TargetPeriod::Month(*q)) {
            Some((_, issued)) => *issued,
            None => settled.contains(q),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::line::fixtures::{framed, line};

    fn march() -> Period {
        Period::new(2026, 3).unwrap()
    }

    fn issued(l: StatementLine) -> StoredLine {
        StoredLine::paying_for(framed(l), march())
    }

    #[test]
    fn an_unchanged_month_has_no_corrections() {
        let old = issued(line("l1", 1, 1, 31, 10_000));
        assert!(corrections_of(march(), vec![old], vec![framed(line("", 1, 1, 31, 10_000))]).is_empty());
    }

    #[test]
    fn a_changed_line_is_reversed_and_rebooked() {
        let old = issued(line("l1", 1, 1, 31, 10_000));
        let out = corrections_of(march(), vec![old], vec![framed(line("", 2, 1, 20, 6_000))]);
        assert_eq!(out.len(), 2);
        assert_eq!((out[0].line.kind, out[0].line.amount_ore), (LineKind::Reversal, Ore::new(-10_000)));
        assert_eq!(out[0].frames[0].amount_ore, Ore::new(-10_000));
        assert_eq!(out[0].line.explanation.rule, Rule::Reversal.code());
        assert_eq!(out[1].line.kind, LineKind::Rebooking);
        assert_eq!(out[1].line.corrects_line_id, Some(LineId::new("l1")));
        assert_eq!(out[1].line.period, Some(march()));
    }

    /// A package of 700.00 a week in March: a correction from 18 March that changes another price
    /// splits the line by catalog at the same rate — no change to correct. One that changes this
    /// price is reversed and rebooked.
    #[test]
    fn a_catalog_correction_corrects_only_the_lines_whose_price_it_changes() {
        let old = issued(line("l1", 1, 1, 31, 310_000));
        let part = |first, last, version: &str, rate, amount| {
            let mut l = line("", 1, first, last, amount);
            l.explanation.catalog_version = version.into();
            l.explanation.rate_ore = Ore::new(rate);
            framed(l)
        };
        let same_price = vec![part(1, 17, "2026.1", 70_000, 170_000), part(18, 31, "2026.2", 70_000, 140_000)];
        assert!(corrections_of(march(), vec![old.clone()], same_price).is_empty());
        let new_price = vec![part(1, 17, "2026.1", 70_000, 170_000), part(18, 31, "2026.2", 77_000, 154_000)];
        let out = corrections_of(march(), vec![old], new_price);
        let kinds: Vec<_> = out.iter().map(|l| (l.line.kind, l.line.amount_ore.get())).collect();
        assert_eq!(
            kinds,
            [
                (LineKind::Reversal, -310_000),
                (LineKind::Rebooking, 170_000),
                (LineKind::Rebooking, 154_000)
            ]
        );
    }

    #[test]
    fn a_line_on_days_nobody_was_paid_for_is_a_supplement() {
        let out = corrections_of(march(), Vec::new(), vec![framed(line("", 1, 1, 31, 10_000))]);
        assert_eq!(out[0].line.kind, LineKind::Supplement);
        assert!(out[0].line.explanation.text.starts_with("tillæg for 03.2026: "));
        assert_eq!(out[0].line.corrects_line_id, None);
    }

    #[test]
    fn issued_and_settled_months_are_corrected_drafts_wait() {
        let april = Period::new(2026, 4).unwrap();
        let feb = Period::new(2026, 2).unwrap();
        let jan = Period::new(2026, 1).unwrap();
        let own = [(TargetPeriod::Month(march()), false), (TargetPeriod::Month(feb), true)];
        assert_eq!(issued_months(april, &own, &[jan, march()]), vec![jan, feb]);
    }
}
