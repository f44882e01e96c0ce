//! Annual true-up (efterregulering, Ældreloven §19 stk. 4–5): after the annual accounts, the price
//! paid for a unit is corrected to the actual average cost. The municipality pays the difference,
//! or the provider pays it back — a true-up line may be negative.

use crate::calendar::DateRange;
use crate::money::Ore;
use crate::pricing::{Explanation, PricedLine, PricingError, QuantityUnit, Rule};

/// What a provider was paid for one unit at one rate over the year: the sum of its issued lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaidQuantity {
    /// Unit code (see [`crate::pricing::Unit::code`]).
    pub unit: String,
    /// Minutes or days paid.
    pub quantity: u64,
    /// What `quantity` counts.
    pub quantity_unit: QuantityUnit,
    /// The rate that was paid (per hour or per week).
    pub paid_rate: Ore,
    /// Catalog version of the paid rate.
    pub catalog_version: String,
    /// The provider's share of the lines, in percent (100 unless a course is settled with each
    /// provider): the provider trues up its own share.
    pub share_percent: u32,
}

/// The true-up line for `paid`, given the actual average cost per hour or week: `(actual − paid
/// rate) × quantity × share / 100 / 60` (minutes) or `/ 7` (days), rounded once. `year` is the
/// range the line covers.
pub fn true_up_line(paid: &PaidQuantity, actual_rate: Ore, year: DateRange) -> Result<PricedLine, PricingError> {
    let difference = actual_rate.checked_sub(paid.paid_rate)?;
    let numerator = i128::from(difference.get()) * i128::from(paid.quantity) * i128::from(paid.share_percent);
    let amount = Ore::round_ratio(numerator, paid.quantity_unit.per_rate_unit() * 100)?;
    let per = match paid.quantity_unit {
        QuantityUnit::Minutes => "h",
        QuantityUnit::Days => "week",
    };
    Ok(PricedLine {
        amount,
        covers: year,
        band: None,
        explanation: Explanation {
            rule: Rule::TrueUp,
            catalog_version: paid.catalog_version.clone(),
            rate: difference,
            quantity: paid.quantity,
            quantity_unit: paid.quantity_unit,
            text: format!(
                "{}: actual {actual_rate} − paid {} = {difference} kr/{per} × {} {} / {} × {} %",
                paid.unit,
                paid.paid_rate,
                paid.quantity,
                paid.quantity_unit.code(),
                paid.quantity_unit.per_rate_unit(),
                paid.share_percent
            ),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn year() -> DateRange {
        DateRange::new(
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn municipality_pays_the_difference_when_actual_cost_is_higher() {
        let paid = PaidQuantity {
            unit: "personal_care_package".into(),
            quantity: 365,
            quantity_unit: QuantityUnit::Days,
            paid_rate: Ore::new(185_000),
            catalog_version: "2026.1".into(),
            share_percent: 100,
        };
        // (1,912.00 − 1,850.00) × 365 / 7 = 3,232.857… → 3,232.86
        let line = true_up_line(&paid, Ore::new(191_200), year()).unwrap();
        assert_eq!(line.amount, Ore::new(323_286));
        assert_eq!(line.explanation.rule, Rule::TrueUp);
    }

    #[test]
    fn provider_pays_back_when_actual_cost_is_lower() {
        let paid = PaidQuantity {
            unit: "personal_care".into(),
            quantity: 10_000,
            quantity_unit: QuantityUnit::Minutes,
            paid_rate: Ore::new(47_500),
            catalog_version: "2026.1".into(),
            share_percent: 100,
        };
        // (461.35 − 475.00) × 10,000 / 60 = −2,275.00
        let line = true_up_line(&paid, Ore::new(46_135), year()).unwrap();
        assert_eq!(line.amount, Ore::new(-227_500));
    }

    #[test]
    fn a_shared_course_trues_up_each_share() {
        let paid = |share_percent| PaidQuantity {
            unit: "course:MAINTAINING:4".into(),
            quantity: 23,
            quantity_unit: QuantityUnit::Days,
            paid_rate: Ore::new(750_000),
            catalog_version: "2026.1".into(),
            share_percent,
        };
        // 200.00 × 23 / 7 × 70 % = 460.00; × 30 % = 197.142… → 197.14
        assert_eq!(true_up_line(&paid(70), Ore::new(770_000), year()).unwrap().amount, Ore::new(46_000));
        assert_eq!(true_up_line(&paid(30), Ore::new(770_000), year()).unwrap().amount, Ore::new(19_714));
    }
}
