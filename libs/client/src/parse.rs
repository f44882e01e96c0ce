//! Months, quarters and dates as people type them on a command line or in a page's query: the
//! Danish way (`30.06.2026`, `07.2026`, `2.kvt. 2026`) or ISO (`2026-06-30`, `2026-07`,
//! `2026-Q2`), so the CLI and the cockpit accept the same. What is wrong is said in the
//! process's language (the cockpit says it in its own words per page).

use crate::i18n::tr;

/// `text` as a number, or the message `key` saying which part is not one.
fn number<T: std::str::FromStr>(text: &str, key: &str) -> Result<T, String> {
    text.parse().map_err(|_| tr(key))
}

/// `2026-04` or `04.2026` → (2026, 4).
pub fn parse_period(text: &str) -> Result<(i32, i32), String> {
    let text = text.trim();
    let (y, m) = match text.split_once('.') {
        Some((m, y)) => (y, m),
        None => text.split_once('-').ok_or_else(|| tr("parse-month"))?,
    };
    if y.len() != 4 {
        return Err(tr("parse-month-year"));
    }
    let (y, m) = (number(y, "parse-year-not-a-number")?, number(m, "parse-month-not-a-number")?);
    if !(1..=12).contains(&m) {
        return Err(tr("parse-month-range"));
    }
    Ok((y, m))
}

/// `2026-Q2`, `Q2 2026` or `2.kvt. 2026` → (2026, 2).
pub fn parse_quarter(text: &str) -> Result<(i32, i32), String> {
    let text = text.trim();
    let (y, q) = if let Some((y, q)) = text.split_once("-Q") {
        (y, q)
    } else if let Some((q, y)) = text.split_once(".kvt.") {
        (y.trim(), q.trim())
    } else if let Some((q, y)) = text.strip_prefix('Q').and_then(|rest| rest.split_once(' ')) {
        (y.trim(), q)
    } else {
        return Err(tr("parse-quarter"));
    };
    let (y, q) = (number(y, "parse-year-not-a-number")?, number(q, "parse-quarter-not-a-number")?);
    if !(1..=4).contains(&q) {
        return Err(tr("parse-quarter-range"));
    }
    Ok((y, q))
}

/// `30.06.2026` or `2026-06-30` → (2026, 6, 30).
pub fn parse_date(text: &str) -> Result<(i32, i32, i32), String> {
    let date = parse_day(text)?;
    use chrono::Datelike;
    Ok((
        date.year(),
        i32::try_from(date.month()).unwrap_or(1),
        i32::try_from(date.day()).unwrap_or(1),
    ))
}

/// `30.06.2026` or `2026-06-30` as a date.
pub fn parse_day(text: &str) -> Result<chrono::NaiveDate, String> {
    let text = text.trim();
    chrono::NaiveDate::parse_from_str(text, "%d.%m.%Y")
        .or_else(|_| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .ok()
        .filter(|d| (1900..=9999).contains(&chrono::Datelike::year(d)))
        .ok_or_else(|| tr("parse-date"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_quarters_and_dates_parse_or_say_why_not() {
        assert_eq!(parse_period("2026-04"), Ok((2026, 4)));
        assert!(parse_period("2026-13").unwrap_err().contains("01–12"));
        assert!(parse_period("april").is_err());
        assert_eq!(parse_quarter("2026-Q2"), Ok((2026, 2)));
        assert!(parse_quarter("2026-Q5").is_err());
        assert_eq!(parse_date("2026-06-30"), Ok((2026, 6, 30)));
        assert!(parse_date("2026-02-30").is_err());
    }

    #[test]
    fn danish_months_quarters_and_dates_read_as_the_iso_ones() {
        assert_eq!(parse_period("07.2026"), Ok((2026, 7)));
        assert_eq!(parse_period("7.2026"), Ok((2026, 7)));
        assert!(parse_period("13.2026").unwrap_err().contains("01–12"));
        assert!(parse_period("07.26").is_err());
        assert_eq!(parse_quarter("2.kvt. 2026"), Ok((2026, 2)));
        assert_eq!(parse_quarter("Q3 2026"), Ok((2026, 3)));
        assert!(parse_quarter("5.kvt. 2026").is_err());
        assert_eq!(parse_date("30.06.2026"), Ok((2026, 6, 30)));
        assert!(parse_date("31.06.2026").is_err());
        assert_eq!(parse_day("2026-06-30"), parse_day("30.06.2026"));
    }
}
