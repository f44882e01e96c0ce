//! Money as integer øre, and the one rounding function every amount passes through.
//!
//! Amounts live as [`Ore`] (an `i64` count of øre) on the wire, on disk and in code. Intermediate
//! products such as `weekly price × days / 7` are exact rationals; [`Ore::round_ratio`] turns one
//! into øre, rounding half away from zero (docs/design.md, rule 1). There is no other rounding anywhere.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An amount of money in øre (1 krone = 100 øre). Arithmetic is checked: overflow is an error,
/// never a silent wrap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ore(i64);

/// Why an amount could not be formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The result does not fit in an `i64` of øre.
    #[error("amount out of range")]
    Overflow,
    /// A kroner text was not a decimal number with at most two decimals.
    #[error("not an amount in kroner with at most two decimals: {0:?}")]
    Malformed(String),
}

impl Ore {
    /// Zero øre.
    pub const ZERO: Ore = Ore(0);

    /// An amount of `ore` øre.
    pub const fn new(ore: i64) -> Self {
        Ore(ore)
    }

    /// The amount as a count of øre.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// `numerator / denominator` øre, rounded once to whole øre, half away from zero.
    ///
    /// This is the single rounding rule of Afregning. Callers pass the exact rational (for
    /// example `rate_ore × minutes` over `60`), so nothing is rounded twice.
    pub fn round_ratio(numerator: i128, denominator: i128) -> Result<Ore, MoneyError> {
        round_half_away(numerator, denominator).map(Ore)
    }

    /// `self × factor`, rounded to øre (used by the price index).
    pub fn scale(self, factor: Decimal) -> Result<Ore, MoneyError> {
        let mantissa = factor.mantissa();
        let denominator = 10_i128.checked_pow(factor.scale()).ok_or(MoneyError::Overflow)?;
        let numerator = i128::from(self.0).checked_mul(mantissa).ok_or(MoneyError::Overflow)?;
        Ore::round_ratio(numerator, denominator)
    }

    /// Parses kroner text such as `"1850.00"`, `"475"` or `"-12.5"`; more than two decimals is an
    /// error rather than a silent rounding.
    pub fn parse_kroner(text: &str) -> Result<Ore, MoneyError> {
        let malformed = || MoneyError::Malformed(text.to_owned());
        let kroner = Decimal::from_str(text.trim()).map_err(|_| malformed())?;
        if kroner.normalize().scale() > 2 {
            return Err(malformed());
        }
        // At most two decimals, so øre is a whole number with scale 0 once normalised.
        let ore = kroner.checked_mul(Decimal::ONE_HUNDRED).ok_or(MoneyError::Overflow)?.normalize();
        i64::try_from(ore.mantissa()).map(Ore).map_err(|_| MoneyError::Overflow)
    }

    /// The amount in kroner, exactly.
    pub fn to_kroner(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// `self + other`, or an overflow error.
    pub fn checked_add(self, other: Ore) -> Result<Ore, MoneyError> {
        self.0.checked_add(other.0).map(Ore).ok_or(MoneyError::Overflow)
    }

    /// `self − other`, or an overflow error.
    pub fn checked_sub(self, other: Ore) -> Result<Ore, MoneyError> {
        self.0.checked_sub(other.0).map(Ore).ok_or(MoneyError::Overflow)
    }

    /// `−self`, or an overflow error.
    pub fn checked_neg(self) -> Result<Ore, MoneyError> {
        self.0.checked_neg().map(Ore).ok_or(MoneyError::Overflow)
    }

    /// The sum of `amounts`, or an overflow error.
    pub fn sum<I: IntoIterator<Item = Ore>>(amounts: I) -> Result<Ore, MoneyError> {
        amounts.into_iter().try_fold(Ore::ZERO, Ore::checked_add)
    }

    /// Danish presentation: `1.234.567,89` (thousands dot, decimal comma).
    pub fn to_danish(self) -> String {
        danish_hundredths(self.0)
    }
}

/// A count of hundredths in Danish presentation, `123456789` as `1.234.567,89`: kroner from øre,
/// hours from hundredths of an hour, percent from basis points.
pub fn danish_hundredths(hundredths: i64) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let abs = hundredths.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped},{:02}", abs % 100)
}

/// Basis points as a Danish percentage: `37,12 %`.
pub fn danish_percent(basis_points: i64) -> String {
    format!("{} %", danish_hundredths(basis_points))
}

/// Minutes as Danish hours with two decimals, rounded once: `1.234,50`.
pub fn danish_hours(minutes: u64) -> String {
    danish_hundredths(round_half_away(i128::from(minutes) * 100, 60).unwrap_or(i64::MAX))
}

/// `numerator / denominator` rounded to a whole number, half away from zero: the one rounding
/// rule, for øre ([`Ore::round_ratio`]) and for percentages shown in basis points alike.
pub fn round_half_away(numerator: i128, denominator: i128) -> Result<i64, MoneyError> {
    assert!(denominator != 0, "rounding by a zero denominator");
    let (num, den) = if denominator < 0 {
        (-numerator, -denominator)
    } else {
        (numerator, denominator)
    };
    let quotient = num / den;
    let remainder = num % den;
    // Half away from zero: compare twice the remainder with the denominator.
    let rounded = if 2 * remainder.abs() >= den {
        quotient + num.signum()
    } else {
        quotient
    };
    i64::try_from(rounded).map_err(|_| MoneyError::Overflow)
}

/// `part / whole` in basis points (1/100 of a percent), rounded half away from zero: 0 when the
/// whole is 0.
pub fn basis_points(part: i64, whole: i64) -> i64 {
    if whole == 0 {
        0
    } else {
        round_half_away(i128::from(part) * 10_000, i128::from(whole)).unwrap_or(i64::MAX)
    }
}

/// Plain presentation in kroner with a decimal point and two decimals: `-1234.50`.
impl fmt::Display for Ore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(Ore::round_ratio(5, 10).unwrap(), Ore(1));
        assert_eq!(Ore::round_ratio(-5, 10).unwrap(), Ore(-1));
        assert_eq!(Ore::round_ratio(4, 10).unwrap(), Ore(0));
        assert_eq!(Ore::round_ratio(15, -10).unwrap(), Ore(-2));
        // 475.00 kr/h × 85 min / 60 = 672.9166… kr
        assert_eq!(Ore::round_ratio(47_500 * 85, 60).unwrap(), Ore(67_292));
        // 560.00 kr/h × 20 min / 60 = 186.666… kr
        assert_eq!(Ore::round_ratio(56_000 * 20, 60).unwrap(), Ore(18_667));
    }

    #[test]
    fn percentages_round_like_money() {
        // 304 of 365 days: 83.2876…% → 83.29 %
        assert_eq!(basis_points(304, 365), 8_329);
        assert_eq!(basis_points(1, 8), 1_250);
        assert_eq!(basis_points(-1, 80_000), 0);
        assert_eq!(basis_points(-1, 20_000), -1, "half away from zero");
        assert_eq!(basis_points(5, 0), 0);
    }

    #[test]
    fn parses_kroner_exactly() {
        assert_eq!(Ore::parse_kroner("1850.00").unwrap(), Ore(185_000));
        assert_eq!(Ore::parse_kroner("475").unwrap(), Ore(47_500));
        assert_eq!(Ore::parse_kroner("-12.5").unwrap(), Ore(-1_250));
        assert!(Ore::parse_kroner("1.005").is_err());
        assert!(Ore::parse_kroner("abc").is_err());
        assert!(Ore::parse_kroner("").is_err());
    }

    #[test]
    fn scales_by_an_index_and_rounds_once() {
        // 475.00 × 1.032 = 490.20
        assert_eq!(Ore(47_500).scale(Decimal::new(1032, 3)).unwrap(), Ore(49_020));
        // 1450.00 × 1.0215 = 1481.1750 → 1481.18
        assert_eq!(Ore(145_000).scale(Decimal::new(10215, 4)).unwrap(), Ore(148_118));
    }

    #[test]
    fn formats_in_both_styles() {
        assert_eq!(Ore(123_456_789).to_danish(), "1.234.567,89");
        assert_eq!(Ore(-5).to_danish(), "-0,05");
        assert_eq!(Ore(100_000).to_danish(), "1.000,00");
        assert_eq!(Ore(-123_450).to_string(), "-1234.50");
    }

    #[test]
    fn overflow_is_an_error() {
        assert_eq!(Ore(i64::MAX).checked_add(Ore(1)), Err(MoneyError::Overflow));
        assert_eq!(Ore::round_ratio(i128::from(i64::MAX) * 4, 2), Err(MoneyError::Overflow));
    }
}
