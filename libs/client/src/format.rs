//! Figures as people in a Danish municipality read them: kroner `1.234,56`, percentages `83,33 %`,
//! months and dates, and what a grant pays for in words. The CLI and the cockpit both show figures
//! through these, so one amount reads the same in a terminal and on a page.

use afregning_proto::common::v1 as pbc;

/// Øre as Danish kroner: `90.823,39`.
pub fn kr(ore: i64) -> String {
    afregning_tariff::Ore::new(ore).to_danish()
}

/// Basis points as a percentage: `83,33 %`.
pub fn percent(basis_points: i64) -> String {
    afregning_tariff::money::danish_percent(basis_points)
}

/// A month as Danes write it: `04.2026`.
pub fn period(p: Option<pbc::Period>) -> String {
    p.map(|p| format!("{:02}.{:04}", p.month, p.year)).unwrap_or_default()
}

/// A date as Danes write it: `30.04.2026`.
pub fn date(d: Option<pbc::Date>) -> String {
    date_text(d)
}

/// A month for machines (JSON, file names): `2026-04`.
pub fn iso_period(p: Option<pbc::Period>) -> String {
    p.map(|p| format!("{:04}-{:02}", p.year, p.month)).unwrap_or_default()
}

/// A date for machines (JSON): `2026-04-30`.
pub fn iso_date(d: Option<pbc::Date>) -> String {
    d.map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)).unwrap_or_default()
}

/// The message key of a review outcome's name (`review-outcome-open` before one is recorded).
pub fn review_outcome_key(outcome: i32) -> &'static str {
    use afregning_proto::settlement::v1::ReviewOutcome as O;
    match O::try_from(outcome) {
        Ok(O::NoAction) => "review-outcome-no-action",
        Ok(O::Revisit) => "review-outcome-revisit",
        Ok(O::ProviderContacted) => "review-outcome-provider-contacted",
        Ok(O::Recovery) => "review-outcome-recovery",
        _ => "review-outcome-open",
    }
}

/// The message key of the reason a grant is on a review list.
pub fn review_reason_key(reason: i32) -> &'static str {
    use afregning_proto::settlement::v1::ReviewReason as R;
    match R::try_from(reason) {
        Ok(R::OverDelivered) => "review-reason-over",
        Ok(R::UnderDelivered) => "review-reason-under",
        Ok(R::HighestAmount) => "review-reason-highest",
        Ok(R::Sample) => "review-reason-sample",
        _ => "review-reason-unknown",
    }
}

/// Minutes with their sign, the minus a real one: `+900`, `−200`, `0`.
pub fn signed_minutes(minutes: i64) -> String {
    match minutes {
        m if m > 0 => format!("+{m}"),
        m if m < 0 => format!("−{}", m.unsigned_abs()),
        _ => "0".into(),
    }
}

/// The share of `items` reviewed, in whole percent rounded down (nothing to review is 100 %).
pub fn reviewed_percent(reviewed: u32, items: usize) -> u64 {
    match u64::try_from(items).unwrap_or(u64::MAX) {
        0 => 100,
        n => u64::from(reviewed) * 100 / n,
    }
}

/// A grant's unit in words: the service category or package by its name, or the course type
/// with its level (`udviklende forløb, niveau 3`).
pub fn unit_of(grant: &afregning_proto::visitation::v1::Grant) -> String {
    let Some(terms) = &grant.terms else {
        return String::new();
    };
    let course = grant.course.as_ref().map(|c| (c.course_type, c.level));
    unit_words(terms.unit_kind, &terms.service_category, &terms.package, course)
}

/// A unit in words from its parts: the kind (`pbc::UnitKind`), the service category, the package
/// and, for a course, its type (`pbc::CourseType`) and level (0: not yet derived). A code the
/// message catalog has no name for is shown as it is.
pub fn unit_words(kind: i32, category: &str, package: &str, course: Option<(i32, u32)>) -> String {
    let named = |key: String, code: &str| {
        let words = crate::i18n::tr(&key);
        if words == key { code.to_owned() } else { words }
    };
    match pbc::UnitKind::try_from(kind) {
        Ok(pbc::UnitKind::Service) => named(format!("unit-{category}"), category),
        Ok(pbc::UnitKind::Package) => named(format!("unit-{package}"), package),
        Ok(pbc::UnitKind::Course) => {
            let (course_type, level) = course.unwrap_or_default();
            let code = pbc::CourseType::try_from(course_type)
                .map(|t| t.as_str_name().trim_start_matches("COURSE_TYPE_").to_owned())
                .unwrap_or_default();
            let words = named(format!("unit-course-{code}"), &code);
            match level {
                0 => words,
                level => crate::i18n::tr_args("unit-course-level", &[("course", words), ("level", level.to_string())]),
            }
        }
        _ => String::new(),
    }
}

/// Øre as Danish kroner with the unit: `1.234.567,89 kr.`.
pub fn kr_text(ore: i64) -> String {
    format!("{} kr.", afregning_tariff::money::danish_hundredths(ore))
}

/// A date as Danes write it: `31.10.2026`.
pub fn date_text(date: Option<pbc::Date>) -> String {
    date.map(|d| format!("{:02}.{:02}.{:04}", d.day, d.month, d.year))
        .unwrap_or_default()
}

/// An instant as people in Denmark read it: local Danish time, `31.10.2026 14:05`.
pub fn local_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::Copenhagen)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_figures_read_as_people_write_them() {
        assert_eq!(
            (signed_minutes(900), signed_minutes(-200), signed_minutes(0)),
            ("+900".into(), "−200".into(), "0".into())
        );
        assert_eq!(
            (reviewed_percent(1, 3), reviewed_percent(3, 3), reviewed_percent(0, 0)),
            (33, 100, 100)
        );
        assert_eq!(review_outcome_key(0), "review-outcome-open");
        assert_eq!(review_reason_key(4), "review-reason-sample");
    }

    #[test]
    fn amounts_and_percentages_read_the_danish_way() {
        assert_eq!(kr(9_082_339), "90.823,39");
        assert_eq!(kr(-555_000), "-5.550,00");
        assert_eq!(percent(8_333), "83,33 %");
        assert_eq!(percent(-5), "-0,05 %");
        assert_eq!(period(Some(pbc::Period { year: 2026, month: 4 })), "04.2026");
        assert_eq!(iso_period(Some(pbc::Period { year: 2026, month: 4 })), "2026-04");
        let day = Some(pbc::Date {
            year: 2026,
            month: 4,
            day: 30,
        });
        assert_eq!((date(day), iso_date(day)), ("30.04.2026".to_owned(), "2026-04-30".to_owned()));
        let summer = chrono::DateTime::parse_from_rfc3339("2026-06-30T22:15:00Z").unwrap().to_utc();
        assert_eq!(local_time(summer), "01.07.2026 00:15", "summer time is UTC+2");
        let winter = chrono::DateTime::parse_from_rfc3339("2026-12-31T23:30:00Z").unwrap().to_utc();
        assert_eq!(local_time(winter), "01.01.2027 00:30", "winter time is UTC+1");
    }
}
