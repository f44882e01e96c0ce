//! Months, quarters and dates as people type them on a command line or in a page's query.

fn number<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, String> {
    text.parse().map_err(|_| format!("{what} is not a number"))
}

/// `2026-04` → (2026, 4).
pub fn parse_period(text: &str) -> Result<(i32, i32), String> {
    let (y, m) = text.split_once('-').ok_or("expected a month like 2026-04")?;
    let (y, m) = (number(y, "the year")?, number(m, "the month")?);
    if !(1..=12).contains(&m) {
        return Err("the month must be 01–12".into());
    }
    Ok((y, m))
}

/// `2026-Q2` → (2026, 2).
pub fn parse_quarter(text: &str) -> Result<(i32, i32), String> {
    let (y, q) = text.split_once("-Q").ok_or("expected a quarter like 2026-Q2")?;
    let (y, q) = (number(y, "the year")?, number(q, "the quarter")?);
    if !(1..=4).contains(&q) {
        return Err("the quarter must be Q1–Q4".into());
    }
    Ok((y, q))
}

/// `2026-06-30` → (2026, 6, 30).
pub fn parse_date(text: &str) -> Result<(i32, i32, i32), String> {
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| "expected a date like 2026-06-30".to_owned())?;
    use chrono::Datelike;
    Ok((
        date.year(),
        i32::try_from(date.month()).unwrap_or(1),
        i32::try_from(date.day()).unwrap_or(1),
    ))
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
}
