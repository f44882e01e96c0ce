//! A statement after issue — a provider accepts or disputes it, finance records its payment, the
//! overdue ones listed — and `afregning preview`, the running month as it stands today.

use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pbs;
use chrono::Datelike as _;

use crate::args::Write;
use crate::commands::request_id;
use crate::connect::Clients;
use crate::print::{Out, date, headers, kr, period, table};
use crate::statements::{add_statement, print_statement, provider_name, provider_names, statements_table};
use afregning_client::i18n::{tr, tr_args};

/// A date as the CLI parsed it, on the wire; today in Denmark when none was given.
fn wire_date(day: Option<(i32, i32, i32)>) -> pbc::Date {
    let (year, month, day) = day.unwrap_or_else(|| {
        let today = afregning_kit::clock::today();
        (
            today.year(),
            i32::try_from(today.month()).unwrap_or(1),
            i32::try_from(today.day()).unwrap_or(1),
        )
    });
    pbc::Date { year, month, day }
}

/// `afregning statements accept`.
pub async fn accept(clients: &mut Clients, statement_id: String, write: &Write) -> anyhow::Result<()> {
    let st = clients
        .settlement
        .accept_statement(pbs::AcceptStatementRequest {
            request_id: request_id(write),
            statement_id,
        })
        .await?
        .into_inner();
    println!(
        "{}",
        tr_args(
            "cli-statement-accepted",
            &[("statement", st.statement_id), ("due", date(st.due_on))]
        )
    );
    Ok(())
}

/// `afregning statements dispute`: `--line` and `--reason` given in pairs.
pub async fn dispute(clients: &mut Clients, statement_id: String, lines: &[u32], reasons: &[String], write: &Write) -> anyhow::Result<()> {
    if lines.len() != reasons.len() {
        anyhow::bail!(tr("cli-dispute-pairs"));
    }
    let st = clients
        .settlement
        .dispute_statement(pbs::DisputeStatementRequest {
            request_id: request_id(write),
            statement_id,
            lines: lines
                .iter()
                .zip(reasons)
                .map(|(line_no, reason)| pbs::DisputedLine {
                    line_no: *line_no,
                    reason: reason.clone(),
                })
                .collect(),
        })
        .await?
        .into_inner();
    println!(
        "{}",
        tr_args(
            "cli-statement-disputed",
            &[("statement", st.statement_id.clone()), ("due", date(st.due_on))]
        )
    );
    let mut shown = table(&headers(&["cli-dispute-col-line", "cli-dispute-col-reason"]), &[0]);
    for line in &st.disputed_lines {
        shown.add_row(vec![line.line_no.to_string(), line.reason.clone()]);
    }
    Out::terminal().table(&shown);
    Ok(())
}

/// `afregning statements paid`.
pub async fn paid(
    clients: &mut Clients,
    statement_id: String,
    paid_on: Option<(i32, i32, i32)>,
    reference: String,
    write: &Write,
) -> anyhow::Result<()> {
    let st = clients
        .settlement
        .mark_statement_paid(pbs::MarkStatementPaidRequest {
            request_id: request_id(write),
            statement_id,
            paid_on: Some(wire_date(paid_on)),
            reference,
        })
        .await?
        .into_inner();
    println!(
        "{}",
        tr_args(
            "cli-statement-paid",
            &[
                ("statement", st.statement_id),
                ("amount", kr(st.total_ore)),
                ("paid", date(st.paid_on)),
                ("due", date(st.due_on)),
                ("reference", st.payment_reference),
            ],
        )
    );
    Ok(())
}

/// `afregning statements overdue`.
pub async fn overdue(clients: &mut Clients, as_of: Option<(i32, i32, i32)>, provider: String) -> anyhow::Result<()> {
    let as_of = wire_date(as_of);
    let statements = clients
        .settlement
        .list_overdue_statements(pbs::ListOverdueStatementsRequest {
            as_of: Some(as_of),
            provider_id: provider,
            page: Some(pbc::PageRequest {
                page_size: 1_000,
                page_token: String::new(),
            }),
        })
        .await?
        .into_inner()
        .statements;
    let names = provider_names(clients).await;
    println!(
        "{}",
        tr_args(
            "cli-overdue-heading",
            &[("date", date(Some(as_of))), ("count", statements.len().to_string())]
        )
    );
    let mut shown = table(
        &headers(&[
            "statements-col-statement",
            "statements-col-provider",
            "statements-col-period",
            "statements-col-total",
            "cli-overdue-col-due",
            "cli-overdue-col-answer",
        ]),
        &[3],
    );
    for st in &statements {
        shown.add_row(vec![
            st.statement_id.clone(),
            provider_name(&names, &st.provider_id),
            period(st.period),
            kr(st.total_ore),
            date(st.due_on),
            answer(st),
        ]);
    }
    Out::terminal().table(&shown);
    Ok(())
}

/// The provider's answer to a statement in words.
pub(crate) fn answer(st: &pbs::Statement) -> String {
    match pbs::StatementAnswer::try_from(st.answer) {
        Ok(pbs::StatementAnswer::Accepted) => tr("cli-answer-accepted"),
        Ok(pbs::StatementAnswer::Disputed) => tr("cli-answer-disputed"),
        _ => tr("cli-answer-none"),
    }
}

/// `afregning preview`.
pub async fn preview(clients: &mut Clients, provider: String) -> anyhow::Result<()> {
    let answer = clients
        .settlement
        .preview_statements(pbs::PreviewStatementsRequest { provider_id: provider })
        .await?
        .into_inner();
    println!(
        "{}",
        tr_args(
            "cli-preview-heading",
            &[
                ("period", period(answer.period)),
                ("date", date(answer.as_of)),
                ("amount", kr(answer.total_ore)),
            ],
        )
    );
    let names = provider_names(clients).await;
    let mut shown = statements_table();
    for preview in &answer.previews {
        if let Some(st) = &preview.statement {
            add_statement(&mut shown, st, &names);
        }
    }
    Out::terminal().table(&shown);
    // One provider asked for: its lines too.
    if let [one] = answer.previews.as_slice()
        && let Some(st) = &one.statement
        && !one.lines.is_empty()
    {
        print_statement(st, &one.lines);
    }
    Ok(())
}
