//! Providers as the authority registers them, and what a provider may be approved for.

use afregning_tariff::{CatalogSet, CourseType, Cvr};
use serde::{Deserialize, Serialize};

use super::ids::ProviderId;

/// Whether a provider is the municipality's own unit or a private one under free choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "i32", into = "i32")]
pub enum ProviderKind {
    /// A municipal unit (home-care district, nursing, training unit).
    Municipal,
    /// A private provider approved under free choice (frit valg).
    Private,
}

/// Stored (and kept in old feed events) as the numbers the contract gives the kinds.
impl From<ProviderKind> for i32 {
    fn from(kind: ProviderKind) -> i32 {
        match kind {
            ProviderKind::Municipal => 1,
            ProviderKind::Private => 2,
        }
    }
}

impl TryFrom<i32> for ProviderKind {
    type Error = String;

    fn try_from(code: i32) -> Result<ProviderKind, String> {
        match code {
            1 => Ok(ProviderKind::Municipal),
            2 => Ok(ProviderKind::Private),
            other => Err(format!("{other} is not a provider kind")),
        }
    }
}

/// A registered provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provider {
    /// The provider's id.
    pub provider_id: ProviderId,
    /// Company number, checked (modulus 11) at registration.
    #[serde(with = "super::digits::cvr")]
    pub cvr: Cvr,
    /// Shown on statements and in the progression cockpit.
    pub name: String,
    /// Municipal or private.
    pub kind: ProviderKind,
    /// The committee the provider belongs to.
    pub committee: String,
    /// Unit codes the provider may deliver: service categories, packages and `course:<TYPE>`
    /// (see [`super::approval`]).
    pub approved_for: Vec<String>,
}

/// Whether `code` names a unit some catalog knows: a service category, a package, or
/// `course:<TYPE>`.
pub fn is_known_unit_code(code: &str, catalogs: &CatalogSet) -> bool {
    catalogs.iter().any(|c| {
        c.categories.contains_key(code)
            || c.packages.contains_key(code)
            || code.strip_prefix("course:").and_then(CourseType::from_code).is_some()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_keep_their_stored_numbers() {
        assert_eq!(i32::from(ProviderKind::Private), 2);
        assert_eq!(ProviderKind::try_from(1), Ok(ProviderKind::Municipal));
        assert!(ProviderKind::try_from(0).is_err());
        assert_eq!(serde_json::to_string(&ProviderKind::Municipal).unwrap(), "1");
    }

    #[test]
    fn course_codes_are_known_without_a_catalog_entry() {
        let catalogs = CatalogSet::default();
        assert!(is_known_unit_code("course:DEVELOPING", &catalogs) || catalogs.iter().next().is_none());
        assert!(!is_known_unit_code("course:NONSENSE", &catalogs));
    }
}
