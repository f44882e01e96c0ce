//! Who may call what: one table, RPC by RPC.

use afregning_kit::auth::Role;

/// Every principal.
const ANYONE: &[Role] = &[
    Role::Provider,
    Role::Operator,
    Role::Local,
    Role::Ehr,
    Role::Finance,
    Role::Committee,
    Role::Service,
];
/// Providers report and correct their own deliveries; operators may do it for them.
const REPORTERS: &[Role] = &[Role::Provider, Role::Operator, Role::Local];
/// Deliveries are read by their provider, operators and finance.
const DELIVERY_READERS: &[Role] = &[Role::Provider, Role::Operator, Role::Local, Role::Finance];
/// Runs, issuing and true-up are the operators'.
const OPERATORS: &[Role] = &[Role::Operator, Role::Local];
/// Statements are read by their provider (only its own), operators and finance.
const STATEMENT_READERS: &[Role] = &[Role::Provider, Role::Operator, Role::Local, Role::Finance];
/// The steering-model comparison is for finance, the committees and operators.
const STEERING_READERS: &[Role] = &[Role::Finance, Role::Committee, Role::Operator, Role::Local];
/// The postings feed is followed by services (budget) and read by operators.
const FEED_READERS: &[Role] = &[Role::Service, Role::Operator, Role::Local];

/// The roles allowed to call each RPC.
const TABLE: &[(&str, &[Role])] = &[
    ("GetProvider", ANYONE),
    ("ListProviders", ANYONE),
    ("ReportDeliveries", REPORTERS),
    ("CorrectDelivery", REPORTERS),
    ("ListDeliveries", DELIVERY_READERS),
    ("RunSettlement", OPERATORS),
    ("GetSettlementRun", OPERATORS),
    ("IssueStatement", OPERATORS),
    ("RunTrueUp", OPERATORS),
    ("ListStatements", STATEMENT_READERS),
    ("GetStatement", STATEMENT_READERS),
    ("StreamStatementLines", STATEMENT_READERS),
    ("ExportStatementCsv", STATEMENT_READERS),
    ("CompareSteeringModels", STEERING_READERS),
    ("StreamPostings", FEED_READERS),
];

/// The roles allowed to call `rpc`; none for an RPC missing from the table.
pub(crate) fn allowed(rpc: &str) -> &'static [Role] {
    TABLE.iter().find(|(name, _)| *name == rpc).map(|(_, roles)| *roles).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rpc_is_listed_once() {
        for (i, (name, _)) in TABLE.iter().enumerate() {
            assert!(TABLE[i + 1..].iter().all(|(other, _)| other != name), "{name} listed twice");
        }
        assert_eq!(allowed("RunSettlement"), OPERATORS);
        assert!(allowed("NoSuchRpc").is_empty());
    }
}
