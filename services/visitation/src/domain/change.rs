//! Later versions of a grant: a revisit, a provider change, a suspension, a resumption or an
//! end, each checked against the grant's current version and made into the next one.
//! [`minutes_on`] reads back which version was in force on a given day.

use afregning_tariff::{CatalogSet, CourseType, EndReason};
use chrono::{DateTime, NaiveDate, Utc};

use super::error::{Input, VisitationError};
use super::grant::{Change, Grant, Status, SuspensionRecord, UnitKind, finish_derivation, in_force};
use super::shares::Share;

/// A change to an existing grant, already checked for form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// New minutes (and maybe course type) from a date.
    Revisit {
        /// The day the new minutes apply from.
        effective_from: NaiveDate,
        /// New visited minutes per week.
        visited_minutes_per_week: u32,
        /// New course type, for a course only.
        course_type: Option<CourseType>,
    },
    /// New providers from a date.
    ChangeProvider {
        /// The day the new providers take over.
        effective_from: NaiveDate,
        /// The new shares.
        providers: Vec<Share>,
    },
    /// Suspend from a date.
    Suspend {
        /// First day without pay.
        from: NaiveDate,
        /// Shown to the provider.
        reason: String,
    },
    /// Resume on a date.
    Resume {
        /// Day pay resumes.
        on: NaiveDate,
    },
    /// End on a date.
    End {
        /// Last day paid (a DEVELOPING course ended with its goal met may be paid longer).
        last_day: NaiveDate,
        /// Why; a DEVELOPING course ended with its goal met is paid to the end of its period.
        reason: EndReason,
    },
}

impl Grant {
    /// The next version after `command`, or why it cannot be made.
    pub fn apply(
        &self,
        command: Command,
        decided_on: NaiveDate,
        catalogs: &CatalogSet,
        now: DateTime<Utc>,
    ) -> Result<Grant, VisitationError> {
        if self.status == Status::Ended {
            return Err(VisitationError::Ended);
        }
        let mut next = self.clone();
        next.version = self.version + 1;
        next.decided_on = decided_on;
        next.recorded_at = now;
        match command {
            Command::Revisit {
                effective_from,
                visited_minutes_per_week,
                course_type,
            } => self.revisit(&mut next, effective_from, visited_minutes_per_week, course_type, catalogs)?,
            Command::ChangeProvider { effective_from, providers } => {
                self.within(effective_from, Input::EffectiveFrom)?;
                if self.terms.unit_kind != UnitKind::Course && providers.len() != 1 {
                    return Err(VisitationError::OneProviderOnly);
                }
                if providers.len() > 1 && self.terms.settle_mode.is_none() {
                    return Err(VisitationError::SeveralProvidersOnlyForCourse);
                }
                next.change = Change::ProviderChanged;
                next.effective_from = effective_from;
                next.terms.providers = providers;
            }
            Command::Suspend { from, reason } => self.suspend(&mut next, from, reason)?,
            Command::Resume { on } => {
                self.within(on, Input::ResumedOn)?;
                let Some(open) = next.suspensions.last_mut().filter(|s| s.resumed_on.is_none()) else {
                    return Err(VisitationError::NotSuspended);
                };
                if on <= open.from {
                    return Err(VisitationError::ResumedTooEarly);
                }
                open.resumed_on = Some(on);
                next.change = Change::Resumed;
                next.status = Status::Active;
                next.effective_from = on;
            }
            Command::End { last_day, reason } => {
                self.within(last_day, Input::LastDay)?;
                if let Some(open) = self.open_suspension()
                    && last_day < open.from
                {
                    return Err(VisitationError::EndedBeforeSuspension);
                }
                next.change = Change::Ended;
                next.status = Status::Ended;
                next.end = Some(last_day);
                next.end_reason = Some(reason);
                next.effective_from = last_day;
            }
        }
        next.backdated = next.effective_from < decided_on;
        Ok(next)
    }

    /// A change's date must fall on one of the grant's days.
    fn within(&self, date: NaiveDate, input: Input) -> Result<(), VisitationError> {
        if date < self.start || self.end.is_some_and(|end| date > end) {
            return Err(VisitationError::OutsideValidity(input));
        }
        Ok(())
    }

    fn open_suspension(&self) -> Option<&SuspensionRecord> {
        self.suspensions.last().filter(|s| s.resumed_on.is_none())
    }

    /// New minutes from `effective_from`; a course starts a new course period (the progression
    /// rule: only a revisit changes a course's level), and the weekly cost is priced again.
    fn revisit(
        &self,
        next: &mut Grant,
        effective_from: NaiveDate,
        minutes: u32,
        course_type: Option<CourseType>,
        catalogs: &CatalogSet,
    ) -> Result<(), VisitationError> {
        self.within(effective_from, Input::EffectiveFrom)?;
        next.change = Change::Revisited;
        next.effective_from = effective_from;
        next.terms.visited_minutes_per_week = minutes;
        if course_type.is_some() && self.terms.unit_kind != UnitKind::Course {
            return Err(VisitationError::CourseTypeOfNonCourse);
        }
        let catalog = in_force(catalogs, effective_from, Input::EffectiveFrom)?;
        if let Some(t) = course_type {
            next.terms.course_type = Some(t);
        }
        next.course = match &self.course {
            Some(course) => Some(
                course
                    .revisit(minutes, course_type, effective_from, catalog)
                    .map_err(|e| VisitationError::CourseRevisit(e.to_string()))?,
            ),
            None => None,
        };
        let derived = finish_derivation(&next.terms, next.course.clone(), catalog, next.paying_frame.clone())?;
        next.expected_weekly_cost_ore = derived.expected_weekly_cost_ore;
        next.catalog_version = derived.catalog_version;
        Ok(())
    }

    fn suspend(&self, next: &mut Grant, from: NaiveDate, reason: String) -> Result<(), VisitationError> {
        self.within(from, Input::SuspendedFrom)?;
        if self.status == Status::Suspended {
            return Err(VisitationError::AlreadySuspended);
        }
        if let Some(last) = self.suspensions.last().and_then(|s| s.resumed_on)
            && from < last
        {
            return Err(VisitationError::SuspendedBeforeResumption);
        }
        next.change = Change::Suspended;
        next.status = Status::Suspended;
        next.effective_from = from;
        next.suspensions.push(SuspensionRecord {
            from,
            resumed_on: None,
            reason,
        });
        Ok(())
    }
}

/// The minutes per week a grant visits on `day`, from the version in force that day (the highest
/// version whose change applies on or before it): 0 outside its validity and while suspended.
/// `versions` are one grant's versions, in any order.
pub fn minutes_on(versions: &[Grant], day: NaiveDate) -> u32 {
    let Some(g) = versions.iter().filter(|g| g.effective_from <= day).max_by_key(|g| g.version) else {
        return 0;
    };
    let valid = g.start <= day && g.end.is_none_or(|end| day <= end);
    let suspended = g.suspensions.iter().any(|s| s.from <= day && s.resumed_on.is_none_or(|r| day < r));
    if valid && !suspended { g.terms.visited_minutes_per_week } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::grant::tests::{catalogs, course_terms, day, grant, service_terms};

    fn apply(g: &Grant, command: Command) -> Result<Grant, VisitationError> {
        g.apply(command, day(6, 1), &catalogs(), DateTime::default())
    }

    #[test]
    fn a_revisit_starts_a_new_course_period_at_the_new_level() {
        let first = grant(course_terms(200), day(3, 2));
        let next = apply(
            &first,
            Command::Revisit {
                effective_from: day(5, 11),
                visited_minutes_per_week: 700,
                course_type: None,
            },
        )
        .unwrap();
        assert_eq!((next.version, next.change), (2, Change::Revisited));
        assert_eq!(next.course.as_ref().and_then(|c| c.level).map(|l| l.get()), Some(3));
        assert!(next.expected_weekly_cost_ore > first.expected_weekly_cost_ore);
        assert!(next.backdated, "decided 1 June for 11 May");
    }

    #[test]
    fn changes_must_fall_within_the_validity_and_follow_the_lifecycle() {
        let first = grant(service_terms(60), day(3, 2));
        let early = Command::Suspend {
            from: day(3, 1),
            reason: "hospital".into(),
        };
        assert_eq!(apply(&first, early), Err(VisitationError::OutsideValidity(Input::SuspendedFrom)));
        assert_eq!(apply(&first, Command::Resume { on: day(4, 1) }), Err(VisitationError::NotSuspended));
        let suspended = apply(
            &first,
            Command::Suspend {
                from: day(4, 1),
                reason: "hospital".into(),
            },
        )
        .unwrap();
        assert_eq!(suspended.status, Status::Suspended);
        let again = Command::Suspend {
            from: day(4, 2),
            reason: "again".into(),
        };
        assert_eq!(apply(&suspended, again), Err(VisitationError::AlreadySuspended));
        assert_eq!(
            apply(&suspended, Command::Resume { on: day(4, 1) }),
            Err(VisitationError::ResumedTooEarly)
        );
        let end_early = Command::End {
            last_day: day(3, 20),
            reason: EndReason::Moved,
        };
        assert_eq!(apply(&suspended, end_early), Err(VisitationError::EndedBeforeSuspension));
        let ended = apply(
            &suspended,
            Command::End {
                last_day: day(4, 10),
                reason: EndReason::Died,
            },
        )
        .unwrap();
        assert_eq!(apply(&ended, Command::Resume { on: day(4, 5) }), Err(VisitationError::Ended));
    }

    #[test]
    fn a_service_keeps_one_provider_and_takes_no_course_type() {
        let first = grant(service_terms(60), day(3, 2));
        let two = Command::ChangeProvider {
            effective_from: day(4, 1),
            providers: vec![first.terms.providers[0].clone(), first.terms.providers[0].clone()],
        };
        assert_eq!(apply(&first, two), Err(VisitationError::OneProviderOnly));
        let typed = Command::Revisit {
            effective_from: day(4, 1),
            visited_minutes_per_week: 90,
            course_type: Some(CourseType::Maintaining),
        };
        assert_eq!(apply(&first, typed), Err(VisitationError::CourseTypeOfNonCourse));
    }

    #[test]
    fn minutes_on_a_day_come_from_the_version_in_force() {
        let first = grant(service_terms(60), day(3, 2));
        let more = apply(
            &first,
            Command::Revisit {
                effective_from: day(4, 1),
                visited_minutes_per_week: 90,
                course_type: None,
            },
        )
        .unwrap();
        let suspended = apply(
            &more,
            Command::Suspend {
                from: day(5, 1),
                reason: "hospital".into(),
            },
        )
        .unwrap();
        let versions = [suspended, first, more];
        assert_eq!(minutes_on(&versions, day(3, 1)), 0);
        assert_eq!(minutes_on(&versions, day(3, 31)), 60);
        assert_eq!(minutes_on(&versions, day(4, 30)), 90);
        assert_eq!(minutes_on(&versions, day(5, 2)), 0);
    }
}
