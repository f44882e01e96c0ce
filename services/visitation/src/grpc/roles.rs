//! Who may call what: the one table of RPCs and the principals allowed each.
//!
//! Writers are the authority's EHR and operators. Personal data (CPR numbers, assessments, a
//! citizen's grants and audit log) is for the EHR only. Grants and providers, which carry only
//! opaque citizen ids, may be read by every internal caller; the feed is for the other services.
//! A provider reads its own orders, with its own citizens' CPR numbers, and acknowledges them;
//! the authority lists the orders not acknowledged in time.
//! Tariff catalogs are published by finance and read by every internal caller.

use afregning_kit::ApiError;
use afregning_kit::auth::{Principal, Role, require};
use afregning_kit::input::Checked;
use tonic::Request;

const WRITERS: &[Role] = &[Role::Ehr, Role::Operator, Role::Local];
const PERSONAL_DATA: &[Role] = &[Role::Ehr, Role::Local];
const READERS: &[Role] = &[
    Role::Ehr,
    Role::Operator,
    Role::Local,
    Role::Service,
    Role::Finance,
    Role::Committee,
];
const FEED_READERS: &[Role] = &[Role::Service, Role::Operator, Role::Local];
// A provider works with its own orders only (each RPC restricts it to its own id); a `local`
// caller of an unauthenticated service names the provider.
const PROVIDERS: &[Role] = &[Role::Provider, Role::Local];
// The authority chases orders not acknowledged in time.
const AUTHORITY: &[Role] = &[Role::Ehr, Role::Operator, Role::Local];
/// Tariff catalogs are finance's documents: finance (and a local operator) publishes them.
const CATALOG_PUBLISHERS: &[Role] = &[Role::Finance, Role::Local];

/// The service's RPCs (GetFeedPositions is the kit's, open to every role).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rpc {
    // Registering answers whether a CPR number is known, so it is a read of personal data.
    RegisterCitizen,
    GetCitizen,
    FindCitizenByCpr,
    RegisterProvider,
    GetProvider,
    ListProviders,
    RecordAssessment,
    ListAssessments,
    DecideGrant,
    RevisitGrant,
    ChangeProvider,
    SuspendGrant,
    ResumeGrant,
    EndGrant,
    GetGrant,
    ListGrantVersions,
    ListCitizenGrants,
    ListGrantsDueForFollowUp,
    ListCitizensByHoursBand,
    GetVisitedHoursAroundCourse,
    GetProgression,
    ListAuditEntries,
    StreamGrantEvents,
    ListOrders,
    StreamOrders,
    AcknowledgeOrder,
    ListUnacknowledgedOrders,
    PublishCatalog,
    ListCatalogs,
    GetCatalog,
}

impl Rpc {
    /// The roles allowed to call it.
    pub(crate) fn allowed(self) -> &'static [Role] {
        use Rpc::*;
        match self {
            RegisterProvider | RecordAssessment | DecideGrant | RevisitGrant | ChangeProvider | SuspendGrant | ResumeGrant | EndGrant => {
                WRITERS
            }
            RegisterCitizen
            | GetCitizen
            | FindCitizenByCpr
            | ListAssessments
            | ListCitizenGrants
            | GetVisitedHoursAroundCourse
            | ListAuditEntries => PERSONAL_DATA,
            GetProvider
            | ListProviders
            | GetGrant
            | ListGrantVersions
            | ListGrantsDueForFollowUp
            | ListCitizensByHoursBand
            | GetProgression => READERS,
            StreamGrantEvents => FEED_READERS,
            ListOrders | StreamOrders | AcknowledgeOrder => PROVIDERS,
            ListUnacknowledgedOrders => AUTHORITY,
            PublishCatalog => CATALOG_PUBLISHERS,
            ListCatalogs | GetCatalog => READERS,
        }
    }

    /// The RPC's name, as request keys and the audit log record it.
    pub(crate) fn name(self) -> &'static str {
        use Rpc::*;
        match self {
            RegisterCitizen => "RegisterCitizen",
            GetCitizen => "GetCitizen",
            FindCitizenByCpr => "FindCitizenByCpr",
            RegisterProvider => "RegisterProvider",
            GetProvider => "GetProvider",
            ListProviders => "ListProviders",
            RecordAssessment => "RecordAssessment",
            ListAssessments => "ListAssessments",
            DecideGrant => "DecideGrant",
            RevisitGrant => "RevisitGrant",
            ChangeProvider => "ChangeProvider",
            SuspendGrant => "SuspendGrant",
            ResumeGrant => "ResumeGrant",
            EndGrant => "EndGrant",
            GetGrant => "GetGrant",
            ListGrantVersions => "ListGrantVersions",
            ListCitizenGrants => "ListCitizenGrants",
            ListGrantsDueForFollowUp => "ListGrantsDueForFollowUp",
            ListCitizensByHoursBand => "ListCitizensByHoursBand",
            GetVisitedHoursAroundCourse => "GetVisitedHoursAroundCourse",
            GetProgression => "GetProgression",
            ListAuditEntries => "ListAuditEntries",
            StreamGrantEvents => "StreamGrantEvents",
            ListOrders => "ListOrders",
            StreamOrders => "StreamOrders",
            AcknowledgeOrder => "AcknowledgeOrder",
            ListUnacknowledgedOrders => "ListUnacknowledgedOrders",
            PublishCatalog => "PublishCatalog",
            ListCatalogs => "ListCatalogs",
            GetCatalog => "GetCatalog",
        }
    }
}

/// The caller, if its role may call `rpc`, with the request's text and enum fields checked.
pub(crate) fn authorize<T: Checked>(request: &Request<T>, rpc: Rpc) -> Result<Principal, ApiError> {
    require(request, rpc.allowed())
}
