//! `afregning settle` and `afregning statements`: a month settled and issued, and statements read
//! line by line as a table, CSV or JSON, providers by name.

use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pbs;

use crate::args::{Format, Statements, Write};
use crate::commands::{derived_request_id, request_id, run_month, wire_period};
use crate::connect::Clients;
use crate::print::{Out, date, headers, iso_date, iso_period, kr, period, table};
use afregning_client::i18n::{tr, tr_args};

/// `afregning settle`.
pub async fn settle(clients: &mut Clients, period: (i32, i32), issue: bool, write: &Write) -> anyhow::Result<()> {
    let out = Out::terminal();
    let request_id = request_id(write);
    let last = run_month(&mut clients.settlement, &request_id, period, out).await?;
    println!(
        "{}",
        tr_args(
            "settle-done",
            &[
                ("run", last.run_id.clone()),
                ("providers", last.providers_total.to_string()),
                ("lines", last.lines_written.to_string()),
                ("amount", kr(last.total_ore)),
            ],
        )
    );
    let statements = if issue {
        issue_month(&mut clients.settlement, period, &request_id).await?
    } else {
        month_statements(&mut clients.settlement, period).await?
    };
    let names = provider_names(clients).await;
    let mut shown = statements_table();
    for st in &statements {
        add_statement(&mut shown, st, &names);
    }
    out.table(&shown);
    Ok(())
}

/// Settlement's client as the CLI holds it.
type SettlementClient = afregning_proto::settlement::v1::settlement_service_client::SettlementServiceClient<crate::connect::Authed>;

/// Every statement of the month.
async fn month_statements(settlement: &mut SettlementClient, period: (i32, i32)) -> anyhow::Result<Vec<pbs::Statement>> {
    Ok(settlement
        .list_statements(pbs::ListStatementsRequest {
            period: wire_period(period),
            ..Default::default()
        })
        .await?
        .into_inner()
        .statements)
}

/// Issues every draft statement of the month, each under a request id derived from
/// `request_id` (so a retry issues nothing twice): every statement of the month as it stands
/// after.
pub async fn issue_month(settlement: &mut SettlementClient, period: (i32, i32), request_id: &str) -> anyhow::Result<Vec<pbs::Statement>> {
    let mut out = Vec::new();
    for st in month_statements(settlement, period).await? {
        if st.state != pbs::StatementState::Draft as i32 {
            out.push(st);
            continue;
        }
        let issued = settlement
            .issue_statement(pbs::IssueStatementRequest {
                request_id: derived_request_id(request_id, "issue", &st.statement_id),
                statement_id: st.statement_id,
            })
            .await?
            .into_inner();
        out.push(issued);
    }
    Ok(out)
}

pub(crate) fn statements_table() -> comfy_table::Table {
    table(
        &headers(&[
            "statements-col-statement",
            "statements-col-provider",
            "statements-col-period",
            "statements-col-state",
            "statements-col-lines",
            "statements-col-total",
        ]),
        &[4, 5],
    )
}

/// Providers' names by id, as settlement knows them; ids stand in where the list cannot be read.
pub(crate) async fn provider_names(clients: &mut Clients) -> std::collections::BTreeMap<String, String> {
    provider_names_of(&mut clients.settlement).await
}

/// [`provider_names`] from settlement's client alone.
pub(crate) async fn provider_names_of(
    settlement: &mut afregning_proto::settlement::v1::settlement_service_client::SettlementServiceClient<crate::connect::Authed>,
) -> std::collections::BTreeMap<String, String> {
    let mut names = std::collections::BTreeMap::new();
    let mut page_token = String::new();
    // Bounded: a municipality has hundreds of providers, a page holds up to a thousand.
    for _ in 0..100 {
        let Ok(answer) = settlement
            .list_providers(pbs::ListProvidersRequest {
                page: Some(pbc::PageRequest {
                    page_size: 1000,
                    page_token: page_token.clone(),
                }),
            })
            .await
        else {
            break;
        };
        let answer = answer.into_inner();
        names.extend(answer.providers.into_iter().map(|p| (p.provider_id, p.name)));
        if answer.next_page_token.is_empty() {
            break;
        }
        page_token = answer.next_page_token;
    }
    names
}

/// A provider by name where it is known, by id otherwise.
pub(crate) fn provider_name(names: &std::collections::BTreeMap<String, String>, provider_id: &str) -> String {
    names.get(provider_id).cloned().unwrap_or_else(|| provider_id.to_owned())
}

/// A statement's state in words.
fn statement_state(st: &pbs::Statement) -> String {
    let state = pbs::StatementState::try_from(st.state)
        .map(|s| {
            tr(&format!(
                "statement-state-{}",
                s.as_str_name().trim_start_matches("STATEMENT_STATE_").to_lowercase()
            ))
        })
        .unwrap_or_default();
    if st.true_up {
        tr_args("cli-statement-true-up", &[("state", state)])
    } else {
        state
    }
}

pub(crate) fn add_statement(shown: &mut comfy_table::Table, st: &pbs::Statement, names: &std::collections::BTreeMap<String, String>) {
    shown.add_row(vec![
        st.statement_id.clone(),
        provider_name(names, &st.provider_id),
        period(st.period),
        statement_state(st),
        st.line_count.to_string(),
        kr(st.total_ore),
    ]);
}

/// `afregning statements …`.
pub async fn statements(clients: &mut Clients, command: Statements) -> anyhow::Result<()> {
    match command {
        Statements::List { period: month, provider } => {
            let statements = clients
                .settlement
                .list_statements(pbs::ListStatementsRequest {
                    provider_id: provider,
                    period: wire_period(month),
                    ..Default::default()
                })
                .await?
                .into_inner()
                .statements;
            let names = provider_names(clients).await;
            let mut shown = statements_table();
            for st in &statements {
                add_statement(&mut shown, st, &names);
            }
            Out::terminal().table(&shown);
        }
        Statements::Issue { statement_id, write } => {
            let st = clients
                .settlement
                .issue_statement(pbs::IssueStatementRequest {
                    request_id: request_id(&write),
                    statement_id,
                })
                .await?
                .into_inner();
            println!(
                "{}",
                tr_args(
                    "statements-issued",
                    &[
                        ("statement", st.statement_id),
                        ("amount", kr(st.total_ore)),
                        ("hash", st.content_hash)
                    ],
                )
            );
        }
        Statements::Show { statement_id, format } => show_statement(clients, statement_id, format).await?,
        Statements::Accept { statement_id, write } => crate::lifecycle::accept(clients, statement_id, &write).await?,
        Statements::Dispute {
            statement_id,
            lines,
            reasons,
            write,
        } => crate::lifecycle::dispute(clients, statement_id, &lines, &reasons, &write).await?,
        Statements::Paid {
            statement_id,
            paid_on,
            reference,
            write,
        } => crate::lifecycle::paid(clients, statement_id, paid_on, reference, &write).await?,
        Statements::Overdue { as_of, provider } => crate::lifecycle::overdue(clients, as_of, provider).await?,
    }
    Ok(())
}

async fn show_statement(clients: &mut Clients, statement_id: String, format: Format) -> anyhow::Result<()> {
    if format == Format::Csv {
        let mut csv = clients
            .settlement
            .export_statement_csv(pbs::ExportStatementCsvRequest { statement_id })
            .await?
            .into_inner();
        let mut stdout = crate::print::csv_stdout()?;
        while let Some(chunk) = csv.message().await? {
            std::io::Write::write_all(&mut stdout, &chunk.data)?;
        }
        return Ok(());
    }
    let st = clients
        .settlement
        .get_statement(pbs::GetStatementRequest {
            statement_id: statement_id.clone(),
        })
        .await?
        .into_inner();
    let mut stream = clients
        .settlement
        .stream_statement_lines(pbs::StreamStatementLinesRequest { statement_id })
        .await?
        .into_inner();
    let mut lines = Vec::new();
    while let Some(line) = stream.message().await? {
        lines.push(line);
    }
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&statement_json(&st, &lines))?);
        return Ok(());
    }
    print_statement(&st, &lines);
    Ok(())
}

/// A statement and its lines as JSON, every figure in øre as the API gives it.
fn statement_json(st: &pbs::Statement, lines: &[pbs::StatementLine]) -> serde_json::Value {
    serde_json::json!({
        "statement_id": st.statement_id,
        "provider_id": st.provider_id,
        "period": iso_period(st.period),
        "state": pbs::StatementState::try_from(st.state).map(|s| s.as_str_name()).unwrap_or_default(),
        "total_ore": st.total_ore,
        "content_hash": st.content_hash,
        "catalog_versions": st.catalog_versions,
        "due_on": st.due_on.map(|d| iso_date(Some(d))),
        "answer": pbs::StatementAnswer::try_from(st.answer).map(|a| a.as_str_name()).unwrap_or_default(),
        "disputed_lines": st.disputed_lines.iter().map(|l| serde_json::json!({"line_no": l.line_no, "reason": l.reason})).collect::<Vec<_>>(),
        "paid_on": st.paid_on.map(|d| iso_date(Some(d))),
        "payment_reference": st.payment_reference,
        "lines": lines.iter().map(|l| {
            let e = l.explanation.clone().unwrap_or_default();
            serde_json::json!({
                "line_no": l.line_no,
                "kind": pbs::LineKind::try_from(l.kind).map(|k| k.as_str_name()).unwrap_or_default(),
                "period": iso_period(l.period),
                "citizen_id": l.citizen_id,
                "cpr": l.cpr,
                "grant_id": l.grant_id,
                "grant_version": l.grant_version,
                "unit": l.unit,
                "covers": l.covers.map(|c| format!("{}/{}", iso_date(c.first), iso_date(c.last))),
                "time_band": pbc::TimeBand::try_from(l.time_band).map(|b| b.as_str_name()).unwrap_or_default(),
                "quantity": e.quantity,
                "quantity_unit": e.quantity_unit,
                "rate_ore": e.rate_ore,
                "amount_ore": l.amount_ore,
                "share_percent": l.share_percent,
                "rule": e.rule,
                "explanation": e.text,
                "paying_frame": l.paying_frame,
                "need_frame": l.need_frame,
                "account": l.account,
                "corrects_line_id": l.corrects_line_id,
            })
        }).collect::<Vec<_>>(),
    })
}

/// A statement and its lines as a table for people.
pub(crate) fn print_statement(st: &pbs::Statement, lines: &[pbs::StatementLine]) {
    println!(
        "{}",
        tr_args(
            "cli-statement-header",
            &[
                ("statement", st.statement_id.clone()),
                ("provider", st.provider_id.clone()),
                ("period", period(st.period)),
                ("lines", st.line_count.to_string()),
                ("amount", kr(st.total_ore)),
            ],
        )
    );
    // After issue: the term, the provider's answer and the payment, where there are any.
    if st.due_on.is_some() {
        println!(
            "{}",
            tr_args(
                "cli-statement-term",
                &[
                    ("due", date(st.due_on)),
                    ("answer", crate::lifecycle::answer(st)),
                    (
                        "paid",
                        if st.paid_on.is_some() {
                            tr_args(
                                "cli-statement-term-paid",
                                &[("paid", date(st.paid_on)), ("reference", st.payment_reference.clone())],
                            )
                        } else {
                            tr("cli-statement-term-unpaid")
                        }
                    ),
                ],
            )
        );
    }
    let mut shown = table(
        &[
            "#".to_owned(),
            tr("cli-line-col-kind"),
            tr("cli-line-col-grant"),
            tr("cli-line-col-unit"),
            tr("cli-line-col-covers"),
            tr("cli-line-col-quantity"),
            tr("cli-line-col-amount"),
            tr("cli-line-col-frame"),
            tr("cli-line-col-why"),
        ],
        &[0, 5, 6],
    );
    for l in lines {
        let e = l.explanation.clone().unwrap_or_default();
        let kind = pbs::LineKind::try_from(l.kind)
            .map(|k| {
                tr(&format!(
                    "cli-line-kind-{}",
                    k.as_str_name().trim_start_matches("LINE_KIND_").to_lowercase()
                ))
            })
            .unwrap_or_default();
        let quantity = match e.quantity_unit.as_str() {
            "minutes" => tr_args("cli-line-minutes", &[("n", e.quantity.to_string())]),
            "days" => tr_args("cli-line-days", &[("n", e.quantity.to_string())]),
            other => format!("{} {other}", e.quantity),
        };
        shown.add_row(vec![
            l.line_no.to_string(),
            kind,
            format!("{} v{}", l.grant_id, l.grant_version),
            l.unit.clone(),
            l.covers
                .map(|c| format!("{} – {}", date(c.first), date(c.last)))
                .unwrap_or_default(),
            if e.quantity == 0 && e.quantity_unit.is_empty() {
                String::new()
            } else {
                quantity
            },
            kr(l.amount_ore),
            if l.paying_frame == l.need_frame {
                l.paying_frame.clone()
            } else {
                tr_args(
                    "cli-line-frame-for",
                    &[("paying", l.paying_frame.clone()), ("need", l.need_frame.clone())],
                )
            },
            e.text,
        ]);
    }
    Out::terminal().table(&shown);
}
