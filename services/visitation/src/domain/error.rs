//! Why the authority's rules refuse a decision. Each failure names the input it concerns as a
//! domain notion ([`Input`]); `grpc::errors` maps it onto the API's codes and wire field names.

use chrono::NaiveDate;

/// The input a failure concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// The grant's first day.
    Start,
    /// The day a revisit or provider change applies from.
    EffectiveFrom,
    /// The first day of a suspension.
    SuspendedFrom,
    /// The day pay resumes after a suspension.
    ResumedOn,
    /// The last day of an ended grant.
    LastDay,
    /// The terms as a whole.
    Terms,
    /// The terms' unit kind.
    UnitKind,
    /// The terms' legal basis.
    LegalBasis,
    /// The terms' FSIII intervention.
    Intervention,
    /// The terms' need frame.
    NeedFrame,
    /// The terms' service category.
    ServiceCategory,
    /// The terms' package.
    Package,
    /// The terms' course type.
    CourseType,
    /// The terms' visited minutes per week.
    VisitedMinutes,
    /// The new course type a revisit asks for.
    RevisedCourseType,
    /// The provider shares of a new grant's terms, or one of them by index.
    TermsProviders(Option<usize>),
    /// The new provider shares of a provider change, or one of them by index.
    NewProviders(Option<usize>),
    /// The grant being changed.
    Grant,
    /// The version the caller expects the grant to be at.
    ExpectedVersion,
    /// The citizen's CPR number.
    Cpr,
    /// A catalog document.
    Document,
}

/// One fault in a decision's terms; several are reported together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// What it concerns.
    pub input: Input,
    /// What is wrong, in words a user can act on.
    pub problem: String,
}

/// What the missing thing is, for NOT_FOUND.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missing {
    /// No such citizen.
    Citizen,
    /// No such grant.
    Grant,
    /// No such provider.
    Provider,
    /// No such catalog version.
    Catalog,
}

impl Missing {
    /// The word the API uses ("grant not found").
    pub fn noun(self) -> &'static str {
        match self {
            Missing::Citizen => "citizen",
            Missing::Grant => "grant",
            Missing::Provider => "provider",
            Missing::Catalog => "catalog version",
        }
    }
}

/// Every way a visitation rule or use case refuses.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VisitationError {
    /// No catalog covers the day a decision applies from.
    #[error("no tariff catalog is in force on {on}")]
    NoCatalog {
        /// The date concerned (the start or the effective day).
        input: Input,
        /// The day no catalog covers.
        on: NaiveDate,
    },
    /// The terms do not fit the catalog (each fault named).
    #[error("the terms do not fit the catalog")]
    TermsUnfit(Vec<Fault>),
    /// The tariff could not start a course period from the terms.
    #[error("{0}")]
    CourseStart(String),
    /// The tariff could not revisit the course period.
    #[error("{0}")]
    CourseRevisit(String),
    /// The terms do not name a whole unit (a course without its period).
    #[error("incomplete unit")]
    IncompleteUnit,
    /// The catalog cannot price the terms.
    #[error("cannot be priced: {0}")]
    CannotBePriced(String),
    /// An ended grant takes no further change.
    #[error("the grant has ended; decide a new grant instead")]
    Ended,
    /// A change's date lies outside the grant's validity.
    #[error("must lie within the grant's validity")]
    OutsideValidity(Input),
    /// A course type was given for a grant that is not a course.
    #[error("only a course has a course type")]
    CourseTypeOfNonCourse,
    /// A service or package names other than exactly one provider.
    #[error("a service or package has one provider")]
    OneProviderOnly,
    /// Several providers for a grant that is not settled as a course.
    #[error("only a course can have several providers")]
    SeveralProvidersOnlyForCourse,
    /// Suspending a suspended grant.
    #[error("the grant is already suspended")]
    AlreadySuspended,
    /// A suspension starting before the last resumption.
    #[error("must not be before the last resumption")]
    SuspendedBeforeResumption,
    /// Resuming a grant that is not suspended.
    #[error("the grant is not suspended")]
    NotSuspended,
    /// Resuming on or before the suspension's first day.
    #[error("must be after the first day of the suspension")]
    ResumedTooEarly,
    /// Ending before an open suspension began.
    #[error("must not be before the open suspension")]
    EndedBeforeSuspension,
    /// The caller's expected version is not the current one.
    #[error("the grant is at version {current}")]
    StaleVersion {
        /// The current version.
        current: u32,
    },
    /// Another decision stored a new version while this one was being made.
    #[error("the grant was changed meanwhile")]
    ChangedMeanwhile,
    /// A share names a provider that is not registered.
    #[error("unknown provider")]
    UnknownProvider(Input),
    /// A share names a provider not approved for the unit.
    #[error("provider is not approved for {approval}")]
    NotApproved {
        /// The share at fault.
        input: Input,
        /// The unit code it would need.
        approval: String,
    },
    /// A grant of the same intervention already covers some of the days.
    #[error("overlaps grant {grant_id} of the same intervention")]
    Overlaps {
        /// The grant in the way.
        grant_id: String,
    },
    /// A CPR number whose birth date (by the century rule) lies after today.
    #[error("the birth date (by the CPR number's century rule) lies in the future")]
    BornInFuture,
    /// A CPR number whose date part is not a date.
    #[error("date part is not a real date")]
    NoBirthDate,
    /// Progression around a course asked of a grant that is not a course.
    #[error("not a course grant")]
    NotACourse,
    /// A provider id chosen at registration is registered already.
    #[error("provider_id: a provider with this id is registered already")]
    ProviderIdTaken,
    /// The thing asked for does not exist.
    #[error("{} not found", .0.noun())]
    NotFound(Missing),
    /// A catalog document that does not validate (the key is named in the words).
    #[error("{0}")]
    CatalogInvalid(String),
    /// A published version, sent again with other content: a version never changes.
    #[error("catalog version {0} is published with other content; a correction is a new version")]
    CatalogVersionTaken(String),
    /// A catalog that cannot join the published ones (same first day as another version, or
    /// overlapping another year's).
    #[error("{0}")]
    CatalogClash(String),
}
