//! Citizens: the CPR number (personal data, masked in `Debug` by [`Cpr`]) behind an opaque
//! citizen id, the rule for registering one, and the purpose a personal-data read must state.

use afregning_tariff::Cpr;
use chrono::{DateTime, NaiveDate, Utc};

use super::error::VisitationError;
use super::ids::CitizenId;

/// A registered citizen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Citizen {
    /// The id every other record uses instead of the CPR number.
    pub citizen_id: CitizenId,
    /// Shown only to callers allowed personal data; `Debug` prints it masked.
    pub cpr: Cpr,
    /// From the CPR number, kept so reads need not derive it again.
    pub birth_date: NaiveDate,
    /// When the citizen was first registered.
    pub registered_at: DateTime<Utc>,
}

/// The birth date of a CPR number that may be registered on `today`: one whose date part (by
/// the CPR office's century rule) is a real date no later than today.
pub fn registrable(cpr: &Cpr, today: NaiveDate) -> Result<NaiveDate, VisitationError> {
    let born = cpr.birth_date().ok_or(VisitationError::NoBirthDate)?;
    if born > today {
        return Err(VisitationError::BornInFuture);
    }
    Ok(born)
}

/// One read of a citizen's personal data, as their audit log shows it (a citizen has the right
/// to see when and why their data was looked up).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// When it was read.
    pub at: DateTime<Utc>,
    /// Who read it.
    pub principal: String,
    /// Which RPC read it.
    pub action: String,
    /// The reason the reader gave.
    pub purpose: String,
}

/// The most characters the purpose of a personal-data read may have.
pub const MAX_PURPOSE_CHARS: usize = 200;

/// What the audit log says when a registration finds the CPR number already registered (that
/// answer tells the caller the person is known, so it is a read of personal data).
pub const REREGISTRATION_PURPOSE: &str = "registration of a CPR number already registered";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_birth_date_after_today_is_refused() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        // Seventh digit 4 with year ≤ 36: born in the 2000s.
        let born_2026 = Cpr::parse("0103264000").unwrap();
        assert_eq!(
            registrable(&born_2026, today),
            NaiveDate::from_ymd_opt(2026, 3, 1).ok_or(VisitationError::NoBirthDate)
        );
        let born_later = Cpr::parse("0203264000").unwrap();
        assert_eq!(registrable(&born_later, today), Err(VisitationError::BornInFuture));
    }

    #[test]
    fn a_citizen_debug_dump_shows_no_cpr_number() {
        let citizen = Citizen {
            citizen_id: "cit_1".into(),
            cpr: Cpr::parse("0101501234").unwrap(),
            birth_date: NaiveDate::from_ymd_opt(1950, 1, 1).unwrap(),
            registered_at: DateTime::default(),
        };
        assert!(!format!("{citizen:?}").contains("0101501234"));
    }
}
