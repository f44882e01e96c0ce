//! Delivery control: which reported visits are accepted, record by record, against the grant
//! version in force on the visit's day, against what is stored and against each other.

use std::collections::HashMap;

use afregning_tariff::Period;
use afregning_tariff::bands::{MAX_VISIT_MINUTES, utc_to_local};
use chrono::{DateTime, Duration, DurationRound as _, NaiveDate, Utc};

use super::grant::{GrantVersion, version_on};
use super::ids::{CarerVisitId, DeliveryId, GrantId, ProviderId};

/// How far in the future a visit may start (clock skew between systems).
pub const CLOCK_SKEW: Duration = Duration::minutes(5);

/// Longest id a provider system may send.
const MAX_ID_CHARS: usize = 64;

/// A stored delivery: one visit delivered on a grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The provider system's id.
    pub delivery_id: DeliveryId,
    /// The grant delivered on.
    pub grant_id: GrantId,
    /// Who delivered.
    pub provider_id: ProviderId,
    /// One carer's visit: its deliveries may not overlap.
    pub carer_visit_id: CarerVisitId,
    /// Kept to the microsecond, as stored, so a resent record compares equal.
    pub started_at: DateTime<Utc>,
    /// `started_at + minutes`.
    pub ends_at: DateTime<Utc>,
    /// Delivered minutes, 1 to 24 hours' worth.
    pub minutes: u32,
    /// The month of the local start date: the period the whole visit belongs to.
    pub period: Period,
    /// Corrections so far.
    pub revision: u32,
}

impl Delivery {
    /// Whether `other` is the same report (the revision aside).
    pub fn same_report(&self, other: &Delivery) -> bool {
        Delivery {
            revision: other.revision,
            ..self.clone()
        } == *other
    }

    /// Whether the two visits share a minute.
    pub fn overlaps(&self, other: &Delivery) -> bool {
        self.started_at < other.ends_at && self.ends_at > other.started_at
    }

    /// The local day the visit started on: the day whose grant version decides it.
    pub fn local_day(&self) -> NaiveDate {
        utc_to_local(self.started_at).date()
    }
}

/// A delivery as a provider system reports it, before any check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported {
    /// The provider system's id.
    pub delivery_id: String,
    /// The grant.
    pub grant_id: String,
    /// The provider.
    pub provider_id: String,
    /// One carer's visit.
    pub carer_visit_id: String,
    /// `None` when absent or not an instant.
    pub started_at: Option<DateTime<Utc>>,
    /// Delivered minutes.
    pub minutes: u32,
}

/// The part of a reported record a refusal is about; transport names it by its wire field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryField {
    /// The provider system's id of the record.
    DeliveryId,
    /// The grant the visit was made under.
    GrantId,
    /// The provider that made it.
    ProviderId,
    /// The carer's visit it belongs to (several records may share one visit).
    CarerVisitId,
    /// When it started.
    StartedAt,
    /// How long it lasted.
    Minutes,
}

/// Why one record is refused: the part to name and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The part of the record.
    pub field: DeliveryField,
    /// What is wrong, for the provider system's operator.
    pub reason: String,
}

fn refuse<T>(field: DeliveryField, reason: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal {
        field,
        reason: reason.into(),
    })
}

/// What became of one reported record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Stored.
    Accepted,
    /// Already stored with the same content.
    Duplicate,
    /// Not stored, and why.
    Refused(Refusal),
}

/// A visit's time, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// When it started, to the microsecond.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub ends_at: DateTime<Utc>,
    /// The period of its local start date.
    pub period: Period,
}

/// A visit's start and minutes, checked against `now`.
pub fn timing(started_at: Option<DateTime<Utc>>, minutes: u32, now: DateTime<Utc>) -> Result<Timing, Refusal> {
    if !(1..=MAX_VISIT_MINUTES).contains(&minutes) {
        return refuse(
            DeliveryField::Minutes,
            format!("must be 1–{MAX_VISIT_MINUTES} (a visit lasts at most 24 hours)"),
        );
    }
    let Some(start) = started_at else {
        return refuse(DeliveryField::StartedAt, "required");
    };
    if start > now + CLOCK_SKEW {
        return refuse(DeliveryField::StartedAt, "lies in the future");
    }
    // Stored to the microsecond: the same report sent again must compare equal to what is stored.
    let start = start.duration_trunc(Duration::microseconds(1)).unwrap_or(start);
    Ok(Timing {
        started_at: start,
        ends_at: start + Duration::minutes(i64::from(minutes)),
        period: Period::containing(utc_to_local(start).date()),
    })
}

/// The checks of one reported delivery that need only its grant's versions: the delivery to
/// store, or why not. `reporter` is the provider the caller is, when the caller is a provider.
pub fn check(reporter: Option<&ProviderId>, d: &Reported, now: DateTime<Utc>, versions: &[GrantVersion]) -> Result<Delivery, Refusal> {
    for (field, text) in [
        (DeliveryField::DeliveryId, &d.delivery_id),
        (DeliveryField::GrantId, &d.grant_id),
        (DeliveryField::ProviderId, &d.provider_id),
        (DeliveryField::CarerVisitId, &d.carer_visit_id),
    ] {
        if let Some(problem) = afregning_kit::input::text_problem(text) {
            return refuse(field, problem);
        }
    }
    if d.delivery_id.is_empty() || d.delivery_id.len() > MAX_ID_CHARS {
        return refuse(DeliveryField::DeliveryId, "required, at most 64 characters");
    }
    if d.carer_visit_id.is_empty() || d.carer_visit_id.len() > MAX_ID_CHARS {
        return refuse(DeliveryField::CarerVisitId, "required, at most 64 characters");
    }
    if reporter.is_some_and(|own| *own != *d.provider_id) {
        return refuse(DeliveryField::ProviderId, "a provider reports only its own deliveries");
    }
    let time = timing(d.started_at, d.minutes, now)?;
    if versions.is_empty() {
        return refuse(DeliveryField::GrantId, "unknown grant");
    }
    let delivery = Delivery {
        delivery_id: DeliveryId::new(&d.delivery_id),
        grant_id: GrantId::new(&d.grant_id),
        provider_id: ProviderId::new(&d.provider_id),
        carer_visit_id: CarerVisitId::new(&d.carer_visit_id),
        started_at: time.started_at,
        ends_at: time.ends_at,
        minutes: d.minutes,
        period: time.period,
        revision: 0,
    };
    let day = delivery.local_day();
    let Some(grant) = version_on(versions, day).filter(|g| g.valid_on(day)) else {
        return refuse(DeliveryField::StartedAt, "outside the grant's validity");
    };
    if !grant.is_activity() {
        return refuse(DeliveryField::GrantId, "the grant is paid per day, not by delivered minutes");
    }
    if !grant.has_provider(&delivery.provider_id) {
        return refuse(DeliveryField::ProviderId, "not a provider on the grant on that day");
    }
    Ok(delivery)
}

/// Why an accepted delivery is flagged for the provider and the authority to look at: it was
/// delivered on a day its grant is suspended (a hospital admission). Such a visit is kept and
/// paid like any other (activity pays for delivered care), but it is rarely right; a delivery
/// outside the grant's validity or by a provider the grant does not name is refused instead.
pub fn flag(delivery: &Delivery, versions: &[GrantVersion]) -> Option<&'static str> {
    let day = delivery.local_day();
    let terms = version_on(versions, day)?.terms.as_ref().ok()?;
    terms
        .suspensions
        .iter()
        .any(|s| s.from <= day && s.resumed_on.is_none_or(|r| day < r))
        .then_some("delivered on a day the grant is suspended (hospital admission)")
}

/// The refusal of a delivery id already stored with other content.
pub fn reported_otherwise() -> Refusal {
    Refusal {
        field: DeliveryField::DeliveryId,
        reason: "already reported with other content; use CorrectDelivery".to_owned(),
    }
}

/// Outcomes of a batch of checked records, as if each were reported alone, in order: a record
/// whose id is stored is a duplicate or refused, one overlapping another delivery of its carer
/// visit (stored, or earlier in the batch) is refused. `stored` holds the stored deliveries with
/// one of the batch's ids or carer visits. Returns the outcomes and the deliveries to store,
/// each with the position of its outcome.
pub fn sort_batch(checked: Vec<Result<Delivery, Refusal>>, stored: Vec<Delivery>) -> (Vec<Outcome>, Vec<(usize, Delivery)>) {
    let mut by_id: HashMap<DeliveryId, Delivery> = HashMap::new();
    let mut of_visit: HashMap<CarerVisitId, Vec<Delivery>> = HashMap::new();
    for row in stored {
        by_id.insert(row.delivery_id.clone(), row.clone());
        of_visit.entry(row.carer_visit_id.clone()).or_default().push(row);
    }
    let mut accepted = Vec::new();
    let mut outcomes = Vec::with_capacity(checked.len());
    for c in checked {
        let row = match c {
            Ok(row) => row,
            Err(refusal) => {
                outcomes.push(Outcome::Refused(refusal));
                continue;
            }
        };
        if let Some(existing) = by_id.get(&row.delivery_id) {
            outcomes.push(if row.same_report(existing) {
                Outcome::Duplicate
            } else {
                Outcome::Refused(reported_otherwise())
            });
            continue;
        }
        let same_visit = of_visit.entry(row.carer_visit_id.clone()).or_default();
        if let Some(other) = same_visit.iter().find(|o| o.delivery_id != row.delivery_id && o.overlaps(&row)) {
            outcomes.push(Outcome::Refused(Refusal {
                field: DeliveryField::CarerVisitId,
                reason: format!("overlaps delivery {} of the same carer visit", other.delivery_id),
            }));
            continue;
        }
        same_visit.push(row.clone());
        by_id.insert(row.delivery_id.clone(), row.clone());
        accepted.push((outcomes.len(), row));
        outcomes.push(Outcome::Accepted);
    }
    (outcomes, accepted)
}

/// Why a correction of a stored delivery is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CorrectionRefused {
    /// The new start is not a day the grant is valid for this provider.
    #[error("outside the grant's validity for this provider")]
    OutsideValidity,
}

/// The delivery `before` moved to `time`: its next revision, if the grant in force on the new
/// day is valid then and still names its provider.
pub fn corrected(before: &Delivery, time: Timing, minutes: u32, versions: &[GrantVersion]) -> Result<Delivery, CorrectionRefused> {
    let after = Delivery {
        started_at: time.started_at,
        ends_at: time.ends_at,
        period: time.period,
        minutes,
        revision: before.revision + 1,
        ..before.clone()
    };
    let day = after.local_day();
    version_on(versions, day)
        .filter(|g| g.valid_on(day) && g.has_provider(&before.provider_id))
        .ok_or(CorrectionRefused::OutsideValidity)?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::grant::tests::version;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn reported(id: &str, visit: &str, start: &str, minutes: u32) -> Reported {
        Reported {
            delivery_id: id.into(),
            grant_id: "g1".into(),
            provider_id: "nord".into(),
            carer_visit_id: visit.into(),
            started_at: Some(at(start)),
            minutes,
        }
    }

    fn versions() -> Vec<GrantVersion> {
        vec![version(1, NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), None, false)]
    }

    #[test]
    fn a_visit_belongs_to_the_local_month_it_started_in() {
        let now = at("2026-05-01T12:00:00Z");
        let t = timing(Some(at("2026-04-30T22:30:00.123456789Z")), 60, now).unwrap();
        assert_eq!(t.period, Period::new(2026, 5).unwrap(), "00:30 on 1 May in Copenhagen");
        assert_eq!(t.started_at, at("2026-04-30T22:30:00.123456Z"));
        assert_eq!(t.ends_at, at("2026-04-30T23:30:00.123456Z"));
        assert_eq!(timing(None, 60, now).unwrap_err().field, DeliveryField::StartedAt);
        assert_eq!(timing(Some(now), 0, now).unwrap_err().field, DeliveryField::Minutes);
        assert_eq!(
            timing(Some(now + Duration::minutes(6)), 5, now).unwrap_err().reason,
            "lies in the future"
        );
    }

    #[test]
    fn records_are_checked_against_the_version_in_force() {
        let now = at("2026-05-01T12:00:00Z");
        let ok = check(None, &reported("d1", "v1", "2026-04-02T08:00:00Z", 30), now, &versions()).unwrap();
        assert_eq!(ok.minutes, 30);
        let early = check(None, &reported("d1", "v1", "2026-02-02T08:00:00Z", 30), now, &versions());
        assert_eq!(early.unwrap_err().reason, "outside the grant's validity");
        let unknown = check(None, &reported("d1", "v1", "2026-04-02T08:00:00Z", 30), now, &[]);
        assert_eq!(unknown.unwrap_err().reason, "unknown grant");
        let other = check(
            Some(&ProviderId::new("syd")),
            &reported("d1", "v1", "2026-04-02T08:00:00Z", 30),
            now,
            &versions(),
        );
        assert_eq!(other.unwrap_err().field, DeliveryField::ProviderId);
    }

    #[test]
    fn a_batch_is_sorted_as_if_each_came_alone() {
        let now = at("2026-05-01T12:00:00Z");
        let a = check(None, &reported("d1", "v1", "2026-04-02T08:00:00Z", 30), now, &versions()).unwrap();
        let b = check(None, &reported("d2", "v1", "2026-04-02T08:15:00Z", 30), now, &versions());
        let c = check(None, &reported("d3", "v2", "2026-04-02T08:15:00Z", 30), now, &versions());
        let changed = Delivery { minutes: 31, ..a.clone() };
        let (outcomes, accepted) = sort_batch(vec![Ok(a.clone()), b, c, Ok(changed)], vec![a.clone()]);
        assert_eq!(outcomes[0], Outcome::Duplicate);
        assert!(matches!(&outcomes[1], Outcome::Refused(r) if r.field == DeliveryField::CarerVisitId));
        assert_eq!(outcomes[2], Outcome::Accepted);
        assert_eq!(outcomes[3], Outcome::Refused(reported_otherwise()));
        assert_eq!(accepted.iter().map(|(i, _)| *i).collect::<Vec<_>>(), vec![2]);
    }

    #[test]
    fn a_correction_is_the_next_revision() {
        let now = at("2026-05-01T12:00:00Z");
        let before = check(None, &reported("d1", "v1", "2026-04-02T08:00:00Z", 30), now, &versions()).unwrap();
        let time = timing(Some(at("2026-04-03T08:00:00Z")), 45, now).unwrap();
        let after = corrected(&before, time, 45, &versions()).unwrap();
        assert_eq!((after.revision, after.minutes), (1, 45));
        let too_early = timing(Some(at("2026-01-03T08:00:00Z")), 45, now).unwrap();
        assert_eq!(
            corrected(&before, too_early, 45, &versions()),
            Err(CorrectionRefused::OutsideValidity)
        );
    }
}
