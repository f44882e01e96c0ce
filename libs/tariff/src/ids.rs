//! Identifiers of citizens and providers, valid by construction.
//!
//! A [`Cpr`] or [`Cvr`] can only be made by parsing, so code that holds one never checks it again.
//! A CPR number is personal data: its `Debug` output is masked so it cannot leak into logs.

use std::fmt;

use chrono::NaiveDate;

/// Why an identifier was refused. The message never repeats the input (it may be a CPR number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Not the right number of digits (after removing one optional hyphen).
    #[error("must be {0} digits")]
    Length(usize),
    /// A character other than a digit.
    #[error("must contain digits only")]
    NotDigits,
    /// The date part of a CPR number is not a real date.
    #[error("date part is not a real date")]
    Date,
    /// A CVR number failed its modulus-11 check.
    #[error("fails the modulus-11 check")]
    Checksum,
}

/// A Danish CPR number, `DDMMYYSSSS`. The date part must be a real date; there is no modulus-11
/// check (it was dropped in 2007).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cpr([u8; 10]);

impl Cpr {
    /// Parses `DDMMYYSSSS` or `DDMMYY-SSSS`.
    pub fn parse(text: &str) -> Result<Cpr, IdError> {
        let digits = digits_of(text, 10, Some(6))?;
        let mut cpr = [0_u8; 10];
        cpr.copy_from_slice(&digits);
        let cpr = Cpr(cpr);
        cpr.birth_date().ok_or(IdError::Date)?;
        Ok(cpr)
    }

    /// The date of birth, with the century read from the seventh digit as the CPR office does.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        let d = &self.0;
        let day = u32::from(d[0]) * 10 + u32::from(d[1]);
        let month = u32::from(d[2]) * 10 + u32::from(d[3]);
        let yy = i32::from(d[4]) * 10 + i32::from(d[5]);
        let century = match (d[6], yy) {
            (0..=3, _) => 1900,
            (4 | 9, 0..=36) => 2000,
            (4 | 9, _) => 1900,
            (5..=8, 0..=57) => 2000,
            (5..=8, _) => 1800,
            _ => return None,
        };
        NaiveDate::from_ymd_opt(century + yy, month, day)
    }

    /// The ten digits, for storage and for callers allowed to see them. Never log this.
    pub fn expose(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }
}

/// Masked, so a CPR number in a `Debug` dump (logs, panics, traces) shows no personal data.
impl fmt::Debug for Cpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cpr(**********)")
    }
}

/// A Danish CVR (company) number: 8 digits whose weighted sum (weights 2,7,6,5,4,3,2,1) is
/// divisible by 11.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cvr([u8; 8]);

impl Cvr {
    const WEIGHTS: [u32; 8] = [2, 7, 6, 5, 4, 3, 2, 1];

    /// Parses 8 digits and checks modulus 11.
    pub fn parse(text: &str) -> Result<Cvr, IdError> {
        let digits = digits_of(text, 8, None)?;
        let weighted: u32 = digits.iter().zip(Self::WEIGHTS).map(|(d, w)| u32::from(*d) * w).sum();
        if digits[0] == 0 || !weighted.is_multiple_of(11) {
            return Err(IdError::Checksum);
        }
        let mut cvr = [0_u8; 8];
        cvr.copy_from_slice(&digits);
        Ok(Cvr(cvr))
    }
}

impl fmt::Display for Cvr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|d| write!(f, "{d}"))
    }
}

impl fmt::Debug for Cvr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cvr({self})")
    }
}

/// The digits of `text`, which must have exactly `len` of them, optionally with one hyphen at
/// byte `hyphen_at`.
fn digits_of(text: &str, len: usize, hyphen_at: Option<usize>) -> Result<Vec<u8>, IdError> {
    let text = text.trim();
    let bytes = text.as_bytes();
    let without_hyphen: Vec<u8> = match hyphen_at {
        Some(at) if bytes.len() == len + 1 && bytes.get(at) == Some(&b'-') => {
            bytes.iter().enumerate().filter(|(i, _)| *i != at).map(|(_, b)| *b).collect()
        }
        _ => bytes.to_vec(),
    };
    if without_hyphen.len() != len {
        return Err(IdError::Length(len));
    }
    without_hyphen
        .iter()
        .map(|b| {
            if b.is_ascii_digit() {
                Ok(b - b'0')
            } else {
                Err(IdError::NotDigits)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpr_accepts_real_dates_without_modulus_11() {
        let cpr = Cpr::parse("0101501234").unwrap();
        assert_eq!(cpr.birth_date(), NaiveDate::from_ymd_opt(1950, 1, 1));
        assert_eq!(cpr.expose(), "0101501234");
        assert_eq!(Cpr::parse("010150-1234").unwrap(), cpr);
        // Leap day in a leap year; seventh digit 4 with year ≤ 36 is the 2000s.
        assert_eq!(Cpr::parse("2902244000").unwrap().birth_date(), NaiveDate::from_ymd_opt(2024, 2, 29));
        // Seventh digit 5–8 with year ≥ 58 is the 1800s.
        assert_eq!(Cpr::parse("0101895000").unwrap().birth_date(), NaiveDate::from_ymd_opt(1889, 1, 1));
    }

    #[test]
    fn cpr_refuses_bad_input() {
        assert_eq!(Cpr::parse("3102501234"), Err(IdError::Date));
        assert_eq!(Cpr::parse("2902231234"), Err(IdError::Date), "1923 was not a leap year");
        assert_eq!(Cpr::parse("010150123"), Err(IdError::Length(10)));
        assert_eq!(Cpr::parse("01015012345"), Err(IdError::Length(10)));
        assert_eq!(Cpr::parse("01015O1234"), Err(IdError::NotDigits));
        assert_eq!(Cpr::parse("0101-501234"), Err(IdError::Length(10)));
        assert_eq!(Cpr::parse(""), Err(IdError::Length(10)));
    }

    #[test]
    fn cpr_debug_is_masked() {
        let cpr = Cpr::parse("0101501234").unwrap();
        assert!(!format!("{cpr:?}").contains("0101"));
    }

    #[test]
    fn cvr_checks_modulus_11() {
        // 2·1 + 7·0 + 6·1 + 5·5 + 4·0 + 3·8 + 2·1 + 1·7 = 66 = 6 · 11.
        assert_eq!(Cvr::parse("10150817").unwrap().to_string(), "10150817");
        assert_eq!(Cvr::parse("10150818"), Err(IdError::Checksum));
        assert_eq!(Cvr::parse("1015081"), Err(IdError::Length(8)));
        assert_eq!(Cvr::parse("1015081x"), Err(IdError::NotDigits));
    }
}
