//! The annual true-up (efterregulering, Ældreloven §19 stk. 4–5): after the accounts, the price
//! paid for a unit is corrected to its actual average cost, once per group of lines paid at one
//! rate, share and frame pair.

use std::collections::BTreeMap;

use afregning_tariff::pricing::{PricingError, QuantityUnit, Rule, frame_shares_of_code, largest_share, split_by_percent};
use afregning_tariff::true_up::{PaidQuantity, true_up_line};
use afregning_tariff::{CatalogSet, DateRange, Ore, Period};
use chrono::{Datelike as _, NaiveDate};

use super::line::{Explanation, FramePart, LineKind, StatementLine, StoredLine, TargetPeriod};

/// What a true-up groups a provider's issued lines of a year by.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TrueUpGroup {
    unit: String,
    rate_ore: Ore,
    quantity_unit: String,
    catalog_version: String,
    share_percent: u32,
    paying_frame: String,
    need_frame: String,
}

/// The lines of one group: the quantity paid, and one line to take the unit kind and account from.
pub type Grouped = BTreeMap<TrueUpGroup, (u64, StatementLine)>;

/// Adds a year's effective lines to `groups`, for units with an actual cost. Visited-basis
/// activity is priced from minutes per week, not a quantity of the rate, so it is left out.
pub fn group_lines(groups: &mut Grouped, lines: impl IntoIterator<Item = StatementLine>, actual: &BTreeMap<String, Ore>) {
    for line in lines {
        let e = &line.explanation;
        if !actual.contains_key(&line.unit) || e.rule == Rule::ActivityVisited.code() {
            continue;
        }
        let group = TrueUpGroup {
            unit: line.unit.clone(),
            rate_ore: e.rate_ore,
            quantity_unit: e.quantity_unit.clone(),
            catalog_version: e.catalog_version.clone(),
            share_percent: line.share_percent.max(1),
            paying_frame: line.paying_frame.clone(),
            need_frame: line.need_frame.clone(),
        };
        let quantity = u64::try_from(e.quantity).unwrap_or(0);
        groups.entry(group).or_insert((0, line)).0 += quantity;
    }
}

/// The days of `year`, or `None` for a year beyond the calendar.
pub fn year_range(year: i32) -> Option<DateRange> {
    DateRange::new(NaiveDate::from_ymd_opt(year, 1, 1)?, NaiveDate::from_ymd_opt(year, 12, 31)?)
}

/// A group's true-up amount split over frames as its unit is by the catalog that priced it.
fn frames_of(group: &TrueUpGroup, amount: Ore, catalogs: &CatalogSet) -> Result<Vec<FramePart>, PricingError> {
    let catalog = catalogs.by_version(&group.catalog_version);
    let shares = match catalog {
        Some(catalog) => frame_shares_of_code(&group.unit, &group.paying_frame, catalog),
        None => vec![(group.paying_frame.clone(), 100)],
    };
    let cross_frame = group.paying_frame != group.need_frame;
    Ok(split_by_percent(amount, &shares, largest_share(&shares))?
        .into_iter()
        .map(|(frame, ore)| FramePart {
            need_frame: if cross_frame { group.need_frame.clone() } else { frame.clone() },
            account: catalog
                .and_then(|c| c.frames.get(&frame))
                .map(|f| f.account.clone())
                .unwrap_or_default(),
            paying_frame: frame,
            amount_ore: ore,
        })
        .collect())
}

/// One group's true-up line, split over frames as its unit is; `None` when nothing is owed.
pub fn true_up_group(
    group: TrueUpGroup,
    quantity: u64,
    sample: &StatementLine,
    actual: &BTreeMap<String, Ore>,
    catalogs: &CatalogSet,
    year: DateRange,
) -> Result<Option<StoredLine>, PricingError> {
    let quantity_unit = if group.quantity_unit == QuantityUnit::Minutes.code() {
        QuantityUnit::Minutes
    } else {
        QuantityUnit::Days
    };
    let paid = PaidQuantity {
        unit: group.unit.clone(),
        quantity,
        quantity_unit,
        paid_rate: group.rate_ore,
        catalog_version: group.catalog_version.clone(),
        share_percent: group.share_percent,
    };
    let Some(actual_rate) = actual.get(&group.unit) else {
        return Ok(None);
    };
    let priced = true_up_line(&paid, *actual_rate, year)?;
    if priced.amount == Ore::ZERO {
        return Ok(None);
    }
    let frames = frames_of(&group, priced.amount, catalogs)?;
    let e = &priced.explanation;
    let calendar_year = year.first().year();
    let line = StatementLine {
        line_id: Default::default(),
        statement_id: Default::default(),
        line_no: 0,
        kind: LineKind::TrueUp,
        citizen_id: Default::default(),
        cpr: None,
        grant_id: Default::default(),
        grant_version: 0,
        unit_kind: sample.unit_kind,
        unit: group.unit,
        covers: year,
        time_band: None,
        amount_ore: priced.amount,
        explanation: Explanation {
            rule: e.rule.code().to_owned(),
            catalog_version: e.catalog_version.clone(),
            rate_ore: e.rate,
            quantity: i64::try_from(e.quantity).unwrap_or(i64::MAX),
            quantity_unit: e.quantity_unit.code().to_owned(),
            text: e.text.clone(),
        },
        paying_frame: group.paying_frame,
        need_frame: group.need_frame,
        account: sample.account.clone(),
        participant_shares: Vec::new(),
        corrects_line_id: None,
        share_percent: group.share_percent,
        period: Period::new(calendar_year, 12),
    };
    Ok(Some(StoredLine {
        line,
        target_period: TargetPeriod::TrueUp(calendar_year),
        frames,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::line::fixtures::line;

    #[test]
    fn lines_paid_alike_are_one_group_and_others_are_left_out() {
        let actual = BTreeMap::from([("personal_care_package".to_owned(), Ore::new(75_000))]);
        let mut groups = Grouped::new();
        let mut other = line("l3", 1, 1, 10, 1_000);
        other.unit = "practical_help".into();
        group_lines(
            &mut groups,
            [line("l1", 1, 1, 10, 1_000), line("l2", 1, 11, 31, 2_000), other],
            &actual,
        );
        assert_eq!(groups.len(), 1);
        assert_eq!(groups.values().next().unwrap().0, 31);
    }

    #[test]
    fn nothing_owed_is_no_line() {
        let actual = BTreeMap::from([("personal_care_package".to_owned(), Ore::new(70_000))]);
        let mut groups = Grouped::new();
        group_lines(&mut groups, [line("l1", 1, 1, 31, 1_000)], &actual);
        let (group, (quantity, sample)) = groups.into_iter().next().unwrap();
        let year = year_range(2025).unwrap();
        assert_eq!(
            true_up_group(group, quantity, &sample, &actual, &CatalogSet::default(), year).unwrap(),
            None
        );
    }
}
