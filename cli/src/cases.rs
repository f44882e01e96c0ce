//! `afregning cases`: the quarter's net-zero reallocation cases proposed, explained, decided and
//! executed, purchases by provider name and the history in local Danish time.

use afregning_proto::budget::v1 as pbb;
use afregning_proto::common::v1 as pbc;

use crate::args::Cases;
use crate::commands::request_id;
use crate::connect::Clients;
use crate::print::{Out, date, headers, kr, period, table};
use crate::statements::{provider_name, provider_names_of};
use afregning_client::i18n::{tr, tr_args};

/// `afregning cases …`.
// One piece: one arm per subcommand, each a call and its answer shown.
pub async fn cases(clients: &mut Clients, command: Cases) -> anyhow::Result<()> {
    let budget = &mut clients.budget;
    let quarter = |(year, quarter): (i32, i32)| Some(pbc::Quarter { year, quarter });
    let cases = match command {
        Cases::Propose { quarter: q, write } => {
            budget
                .propose_reallocations(pbb::ProposeReallocationsRequest {
                    request_id: request_id(&write),
                    quarter: quarter(q),
                })
                .await?
                .into_inner()
                .cases
        }
        Cases::List { quarter: q } => {
            budget
                .list_reallocation_cases(pbb::ListReallocationCasesRequest {
                    quarter: quarter(q),
                    ..Default::default()
                })
                .await?
                .into_inner()
                .cases
        }
        Cases::Explain { case_id } => {
            let case = budget
                .get_reallocation_case(pbb::GetReallocationCaseRequest { case_id })
                .await?
                .into_inner();
            explain(&case, &provider_names_of(&mut clients.settlement).await);
            return Ok(());
        }
        Cases::Approve {
            case_id,
            committee,
            reject,
            comment,
            write,
        } => {
            let case = budget
                .decide_reallocation_case(pbb::DecideReallocationCaseRequest {
                    request_id: request_id(&write),
                    case_id,
                    committee,
                    approve: !reject,
                    comment,
                })
                .await?
                .into_inner();
            vec![case]
        }
        Cases::Execute { case_id, write } => {
            let case = budget
                .execute_reallocation_case(pbb::ExecuteReallocationCaseRequest {
                    request_id: request_id(&write),
                    case_id,
                })
                .await?
                .into_inner();
            explain(&case, &provider_names_of(&mut clients.settlement).await);
            return Ok(());
        }
    };
    let mut shown = table(
        &headers(&[
            "cases-col-case",
            "cases-col-quarter",
            "cases-col-from",
            "cases-col-to",
            "cases-col-amount",
            "cases-col-state",
            "cases-col-purchases",
        ]),
        &[4, 6],
    );
    for c in &cases {
        shown.add_row(vec![
            c.case_id.clone(),
            c.quarter.map(|q| format!("{}-Q{}", q.year, q.quarter)).unwrap_or_default(),
            c.from_frame.clone(),
            c.to_frame.clone(),
            kr(c.amount_ore),
            case_state(c.state),
            c.purchases.len().to_string(),
        ]);
    }
    Out::terminal().table(&shown);
    Ok(())
}

fn case_state(state: i32) -> String {
    pbb::CaseState::try_from(state)
        .map(|s| {
            tr(&format!(
                "cli-case-state-{}",
                s.as_str_name().trim_start_matches("CASE_STATE_").to_lowercase()
            ))
        })
        .unwrap_or_default()
}

fn explain(case: &pbb::ReallocationCase, names: &std::collections::BTreeMap<String, String>) {
    let out = Out::terminal();
    out.line(tr_args(
        "case-summary",
        &[
            ("case", case.case_id.clone()),
            (
                "quarter",
                case.quarter.map(|q| format!("{}-Q{}", q.year, q.quarter)).unwrap_or_default(),
            ),
            ("amount", kr(case.amount_ore)),
            ("from", case.from_frame.clone()),
            ("to", case.to_frame.clone()),
            ("state", case_state(case.state)),
        ],
    ));
    let mut purchases = table(
        &headers(&[
            "purchases-col-month",
            "purchases-col-provider",
            "purchases-col-statement",
            "purchases-col-paid-by",
            "purchases-col-need-of",
            "purchases-col-amount",
        ]),
        &[5],
    );
    for p in &case.purchases {
        purchases.add_row(vec![
            period(p.period),
            provider_name(names, &p.provider_id),
            p.statement_id.clone(),
            p.paying_frame.clone(),
            p.need_frame.clone(),
            kr(p.amount_ore),
        ]);
    }
    out.table(&purchases);
    let mut audit = table(
        &headers(&["audit-col-when", "audit-col-who", "audit-col-what", "audit-col-detail"]),
        &[],
    );
    for a in &case.audit {
        let when =
            a.at.and_then(|t| chrono::DateTime::from_timestamp(t.seconds, 0))
                .map(afregning_client::format::local_time)
                .unwrap_or_default();
        audit.add_row(vec![when, a.principal.clone(), a.action.clone(), a.detail.clone()]);
    }
    out.table(&audit);
    if !case.entries.is_empty() {
        let sum: i64 = case.entries.iter().map(|e| e.amount_ore).sum();
        let mut entries = table(
            &headers(&[
                "entries-col-frame",
                "entries-col-account",
                "entries-col-booked",
                "entries-col-amount",
            ]),
            &[3],
        );
        for e in &case.entries {
            entries.add_row(vec![e.frame.clone(), e.account.clone(), date(e.booked_on), kr(e.amount_ore)]);
        }
        out.table(&entries);
        out.line(tr_args("entries-sum", &[("amount", kr(sum))]));
    }
}
