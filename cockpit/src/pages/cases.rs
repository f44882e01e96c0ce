//! `/cases`: the quarter's reallocation cases (omplaceringssager), and `/cases/{id}`: one case
//! with the purchases behind it (each linking to its settlement voucher) and its history.

use afregning_client::connect::Clients;
use afregning_proto::budget::v1 as pbb;
use maud::{Markup, html};

use super::Names;
use crate::View;
use crate::html::{money, period_text, time_text};
use crate::table::{Cell, Table};

fn state_key(state: i32) -> &'static str {
    match pbb::CaseState::try_from(state) {
        Ok(pbb::CaseState::Proposed) => "case-state-proposed",
        Ok(pbb::CaseState::Approved) => "case-state-approved",
        Ok(pbb::CaseState::Rejected) => "case-state-rejected",
        Ok(pbb::CaseState::Executed) => "case-state-executed",
        _ => "case-state-unknown",
    }
}

/// The quarter's cases, with links to the quarters before and after.
pub async fn list(view: &mut View<'_>, clients: &mut Clients, (year, quarter): (i32, i32)) -> anyhow::Result<Markup> {
    let ask = view.ask();
    let cases = clients
        .budget
        .list_reallocation_cases(pbb::ListReallocationCasesRequest {
            quarter: Some(afregning_proto::common::v1::Quarter { year, quarter }),
            page: super::first_page(),
            ..Default::default()
        })
        .await?
        .into_inner()
        .cases;
    let names = Names::load(clients, year).await?;
    let (prev, next) = (
        if quarter == 1 { (year - 1, 4) } else { (year, quarter - 1) },
        if quarter == 4 { (year + 1, 1) } else { (year, quarter + 1) },
    );
    let q = |(y, q): (i32, i32)| format!("{y}-Q{q}");
    let sections: Vec<Markup> = cases.iter().map(|c| section(view, &names, c, false)).collect();
    Ok(html! {
        p {
            a href=(ask.href_with("/cases", &[("quarter", q(prev))])) { "← " (q(prev)) }
            " · " strong { (q((year, quarter))) } " · "
            a href=(ask.href_with("/cases", &[("quarter", q(next))])) { (q(next)) " →" }
        }
        @if cases.is_empty() {
            section { p { (ask.t_args("cases-none", &[("quarter", q((year, quarter)))])) } }
        }
        @for s in sections { (s) }
    })
}

/// One case, its history included: the title and the body.
pub async fn one(view: &mut View<'_>, clients: &mut Clients, id: &str) -> anyhow::Result<(String, Markup)> {
    let ask = view.ask();
    let case = clients
        .budget
        .get_reallocation_case(pbb::GetReallocationCaseRequest { case_id: id.to_owned() })
        .await?
        .into_inner();
    let year = case.quarter.map(|q| q.year).unwrap_or_default();
    let names = Names::load(clients, year).await?;
    let title = ask.t_args("case-title", &[("case", case.case_id.clone())]);
    let body = section(view, &names, &case, true);
    let back = case.quarter.map(|q| format!("{}-Q{}", q.year, q.quarter)).unwrap_or_default();
    Ok((
        title,
        html! {
            p { a href=(ask.href_with("/cases", &[("quarter", back)])) { "← " (ask.t("case-back")) } }
            (body)
        },
    ))
}

/// A case: who moves what to whom and why, its approvals, its purchases, its ledger entries,
/// and with `history` its audit trail.
// One piece: a case's section reads top to bottom: state, purchases, decisions, entries.
fn section(view: &mut View<'_>, names: &Names, c: &pbb::ReallocationCase, history: bool) -> Markup {
    let ask = view.ask();
    let id = &c.case_id;
    let mut approvals = Table::new(
        &format!("case-{id}-approvals"),
        ["col-committee", "col-decision", "col-by", "col-at", "col-comment"]
            .map(|k| ask.t(k))
            .to_vec(),
    );
    for a in &c.approvals {
        approvals.row(vec![
            Cell::rich(names.committee(&a.committee), names.committee_text(&a.committee)),
            Cell::text(ask.t(if a.approved { "case-approved" } else { "case-rejected" })),
            Cell::text(&a.decided_by),
            Cell::figure_text(time_text(a.decided_at.as_ref())),
            Cell::text(&a.comment),
        ]);
    }
    let mut purchases = Table::new(
        &format!("case-{id}-purchases"),
        [
            "col-provider",
            "col-month",
            "col-statement",
            "col-paying-frame",
            "col-need-frame",
            "col-amount",
        ]
        .map(|k| ask.t(k))
        .to_vec(),
    );
    for p in &c.purchases {
        purchases.row(vec![
            Cell::rich(names.provider(&p.provider_id), names.provider_text(&p.provider_id)),
            Cell::figure_text(period_text(p.period)),
            Cell::link(&p.statement_id, &ask.href(&format!("/statements/{}", p.statement_id))),
            Cell::rich(names.frame(&p.paying_frame), names.frame_text(&p.paying_frame)),
            Cell::rich(names.frame(&p.need_frame), names.frame_text(&p.need_frame)),
            Cell::money(&format!("case:{id}:purchase:{}", p.posting_id), p.amount_ore),
        ]);
    }
    let mut entries = Table::new(&format!("case-{id}-entries"), vec![ask.t("col-frame"), ask.t("col-amount")]);
    for e in &c.entries {
        entries.row(vec![
            Cell::rich(names.frame(&e.frame), names.frame_text(&e.frame)),
            Cell::money(&format!("case:{id}:entry:{}", e.frame), e.amount_ore),
        ]);
    }
    let sum: i64 = c.entries.iter().map(|e| e.amount_ore).sum();
    entries.total(vec![
        Cell::text(ask.t("case-entries-sum")),
        Cell::money(&format!("case:{id}:entries_sum"), sum),
    ]);
    let mut audit = Table::new(
        &format!("case-{id}-history"),
        ["col-at", "col-by", "col-action", "col-detail"].map(|k| ask.t(k)).to_vec(),
    );
    for a in &c.audit {
        audit.row(vec![
            Cell::text(time_text(a.at.as_ref())),
            Cell::text(&a.principal),
            Cell::text(ask.t(&format!("case-action-{}", a.action)).replace("case-action-", "")),
            Cell::text(&a.detail),
        ]);
    }
    let (from, to) = (names.frame_text(&c.from_frame), names.frame_text(&c.to_frame));
    let has_entries = !c.entries.is_empty();
    let approvals = view.table(approvals);
    let purchases = view.table(purchases);
    let entries = has_entries.then(|| view.table(entries));
    let audit = history.then(|| view.table(audit));
    html! {
        section id=(format!("case-{id}")) {
            h3 { (names.frame(&c.from_frame)) " → " (names.frame(&c.to_frame)) ": " (money(&format!("case:{id}:amount"), c.amount_ore)) }
            p {
                (ask.t("case-label")) " "
                @if history { (id) } @else { a href=(ask.href(&format!("/cases/{id}"))) { (id) } }
                " — " strong { (ask.t(state_key(c.state))) } ". "
                (ask.t_args("case-explained", &[("from", from), ("to", to)]))
            }
            h4 { (ask.t("case-approvals")) }
            (approvals)
            h4 { (ask.t("case-purchases")) }
            (purchases)
            @if let Some(entries) = entries {
                h4 { (ask.t("case-entries")) }
                (entries)
            }
            @if let Some(audit) = audit {
                h4 { (ask.t("case-history")) }
                (audit)
            }
        }
    }
}
