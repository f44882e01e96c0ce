//! An issued statement's life after issue (docs/design.md, "Statement lifecycle"): the provider
//! answers it once — accepts it, or disputes lines of it with a reason each — and finance records
//! its payment. None of it changes the issued statement: it is kept beside it, and a dispute is
//! resolved by correction lines on a later statement. The payment term is 30 days from the issue
//! date.

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Days from the issue date to the due date.
pub const PAYMENT_TERM_DAYS: u64 = 30;
/// Lines one dispute may name.
pub const MAX_DISPUTED_LINES: usize = 1_000;
/// Characters of a reason for disputing a line.
pub const MAX_REASON_CHARS: usize = 500;
/// Characters of a payment reference.
pub const MAX_REFERENCE_CHARS: usize = 64;

/// A disputed line and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputedLine {
    /// The line's number on the statement.
    pub line_no: u32,
    /// The provider's reason, trimmed.
    pub reason: String,
}

/// The provider's answer to an issued statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The provider agrees with every line.
    Accepted,
    /// The provider disputes these lines.
    Disputed(Vec<DisputedLine>),
}

impl Answer {
    /// The number stored and sent for the answer.
    pub fn code(&self) -> i32 {
        match self {
            Answer::Accepted => 1,
            Answer::Disputed(_) => 2,
        }
    }
}

/// An answer as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answered {
    /// What the provider answered.
    pub answer: Answer,
    /// When.
    pub at: DateTime<Utc>,
}

/// A payment as finance recorded it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payment {
    /// The day it was paid.
    pub paid_on: NaiveDate,
    /// The finance system's reference.
    pub reference: String,
}

/// What happened to a statement after issue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lifecycle {
    /// The provider's answer, once given.
    pub answered: Option<Answered>,
    /// The payment, once recorded.
    pub payment: Option<Payment>,
}

/// The issue date of a statement issued at `issued_at`: its day in Denmark.
pub fn issue_date(issued_at: DateTime<Utc>) -> NaiveDate {
    issued_at.with_timezone(&chrono_tz::Europe::Copenhagen).date_naive()
}

/// The last day of the payment term: the issue date + 30 days.
pub fn due_on(issued_at: DateTime<Utc>) -> NaiveDate {
    let issued = issue_date(issued_at);
    issued.checked_add_days(Days::new(PAYMENT_TERM_DAYS)).unwrap_or(issued)
}

/// Whether a statement issued at `issued_at` is overdue on `as_of`: its due date has passed and it
/// was not paid by then.
pub fn overdue(issued_at: DateTime<Utc>, payment: Option<&Payment>, as_of: NaiveDate) -> bool {
    due_on(issued_at) < as_of && payment.is_none_or(|p| p.paid_on > as_of)
}

/// Why a dispute or a payment is refused: the field at fault and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct Unfit {
    /// The request field, e.g. `lines[2].reason`.
    pub field: String,
    /// What is wrong with it.
    pub reason: String,
}

fn unfit<T>(field: impl Into<String>, reason: impl Into<String>) -> Result<T, Unfit> {
    Err(Unfit {
        field: field.into(),
        reason: reason.into(),
    })
}

/// The disputed lines of a statement of `line_count` lines, checked: 1–1,000 lines, each an
/// existing line number given once, each with a reason of 1–500 characters.
pub fn dispute(lines: &[(u32, String)], line_count: u32) -> Result<Vec<DisputedLine>, Unfit> {
    if lines.is_empty() || lines.len() > MAX_DISPUTED_LINES {
        return unfit("lines", format!("1–{MAX_DISPUTED_LINES} disputed lines"));
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::with_capacity(lines.len());
    for (i, (line_no, reason)) in lines.iter().enumerate() {
        if !(1..=line_count).contains(line_no) {
            return unfit(format!("lines[{i}].line_no"), format!("the statement has lines 1–{line_count}"));
        }
        if !seen.insert(*line_no) {
            return unfit(format!("lines[{i}].line_no"), "given twice");
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
            return unfit(
                format!("lines[{i}].reason"),
                format!("required, at most {MAX_REASON_CHARS} characters"),
            );
        }
        if let Some(problem) = afregning_kit::input::text_problem(reason) {
            return unfit(format!("lines[{i}].reason"), problem);
        }
        out.push(DisputedLine {
            line_no: *line_no,
            reason: reason.to_owned(),
        });
    }
    Ok(out)
}

/// A payment of a statement issued at `issued_at`, checked against `today`: paid on a day from the
/// issue date to today, with a reference of 1–64 characters.
pub fn payment(paid_on: NaiveDate, reference: &str, issued_at: DateTime<Utc>, today: NaiveDate) -> Result<Payment, Unfit> {
    if paid_on < issue_date(issued_at) {
        return unfit("paid_on", "before the statement was issued");
    }
    if paid_on > today {
        return unfit("paid_on", "lies in the future");
    }
    let reference = reference.trim();
    if reference.is_empty() || reference.chars().count() > MAX_REFERENCE_CHARS {
        return unfit("reference", format!("required, at most {MAX_REFERENCE_CHARS} characters"));
    }
    if let Some(problem) = afregning_kit::input::text_problem(reference) {
        return unfit("reference", problem);
    }
    Ok(Payment {
        paid_on,
        reference: reference.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    #[test]
    fn the_due_date_is_thirty_days_after_the_danish_issue_date() {
        // 23:30 UTC on 4 May is 01:30 on 5 May in Copenhagen: issued 5 May, due 4 June.
        let issued = Utc.with_ymd_and_hms(2026, 5, 4, 23, 30, 0).unwrap();
        assert_eq!(issue_date(issued), day(5, 5));
        assert_eq!(due_on(issued), day(6, 4));
        assert!(!overdue(issued, None, day(6, 4)), "due that day, not yet overdue");
        assert!(overdue(issued, None, day(6, 5)));
        let paid = Payment {
            paid_on: day(6, 10),
            reference: "B-1".into(),
        };
        assert!(overdue(issued, Some(&paid), day(6, 8)), "unpaid as of 8 June");
        assert!(!overdue(issued, Some(&paid), day(6, 10)));
    }

    #[test]
    fn a_dispute_names_the_line_at_fault() {
        let ok = dispute(&[(2, " too many minutes ".into())], 3).unwrap();
        assert_eq!(ok[0].reason, "too many minutes");
        assert_eq!(dispute(&[(4, "x".into())], 3).unwrap_err().field, "lines[0].line_no");
        assert_eq!(
            dispute(&[(1, "x".into()), (1, "y".into())], 3).unwrap_err().field,
            "lines[1].line_no"
        );
        assert_eq!(dispute(&[(1, "  ".into())], 3).unwrap_err().field, "lines[0].reason");
        assert_eq!(dispute(&[(1, "x".repeat(501))], 3).unwrap_err().field, "lines[0].reason");
        assert_eq!(dispute(&[], 3).unwrap_err().field, "lines");
    }

    #[test]
    fn a_payment_lies_between_issue_and_today() {
        let issued = Utc.with_ymd_and_hms(2026, 5, 4, 10, 0, 0).unwrap();
        assert!(payment(day(5, 15), "B-1", issued, day(5, 20)).is_ok());
        assert_eq!(payment(day(5, 3), "B-1", issued, day(5, 20)).unwrap_err().field, "paid_on");
        assert_eq!(payment(day(5, 21), "B-1", issued, day(5, 20)).unwrap_err().field, "paid_on");
        assert_eq!(payment(day(5, 15), "", issued, day(5, 20)).unwrap_err().field, "reference");
    }
}
