//! The daily commands against running services: each is one or a few RPCs, printed for people
//! (tables), spreadsheets (CSV) or programs (JSON).

use std::path::Path;

use afregning_proto::budget::v1 as pbb;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pbs;
use afregning_proto::visitation::v1 as pbv;
use chrono::{Datelike, NaiveDateTime};

use crate::args::{Cases, Format, Grants, Statements, Write};
use crate::connect::{Clients, behind};
use crate::print::{Out, date, headers, iso_date, iso_period, kr, month_text, period, table, unit_of};
use afregning_client::i18n::{tr, tr_args};

/// The request id of a write: the one given, or a new one.
pub(crate) fn request_id(write: &Write) -> String {
    write
        .request_id
        .clone()
        .unwrap_or_else(|| format!("cli-{}", uuid::Uuid::new_v4().simple()))
}

/// The request id of one write a command makes on behalf of `request_id` (issuing each
/// statement of a settled month): the same on a retry with the same id, and within the
/// services' 64 characters however long the two parts are.
fn derived_request_id(request_id: &str, what: &str, subject: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(request_id.as_bytes())
        .chain_update([0])
        .chain_update(subject.as_bytes())
        .finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("{what}-{hex}")
}

pub(crate) use afregning_client::wire_period;

/// `afregning status`: always a table of the three services — where each is, whether it answers
/// (and why not), and how far each follower has applied the feeds it follows. Fails (exit 1)
/// naming every service that does not answer.
// One piece: the three services are asked at once and their answers laid out in one table.
pub async fn status(clients: &mut Clients, urls: &[String; 3]) -> anyhow::Result<()> {
    let ask = |call: Result<tonic::Response<pbc::FeedPositions>, tonic::Status>| {
        call.map(tonic::Response::into_inner)
            .map_err(|status| afregning_client::describe::describe(&status.into()))
    };
    let wait = std::time::Duration::from_secs(5);
    let (mut visitation, mut settlement, mut budget) = (clients.visitation.clone(), clients.settlement.clone(), clients.budget.clone());
    let (v, s, b) = tokio::join!(
        tokio::time::timeout(wait, visitation.get_feed_positions(pbc::GetFeedPositionsRequest {})),
        tokio::time::timeout(wait, settlement.get_feed_positions(pbc::GetFeedPositionsRequest {})),
        tokio::time::timeout(wait, budget.get_feed_positions(pbc::GetFeedPositionsRequest {})),
    );
    let answer = |r: Result<Result<tonic::Response<pbc::FeedPositions>, tonic::Status>, tokio::time::error::Elapsed>| {
        r.map_err(|_| tr_args("status-no-answer", &[("seconds", wait.as_secs().to_string())]))
            .and_then(ask)
    };
    let positions = [answer(v), answer(s), answer(b)];
    let names = ["visitation", "settlement", "budget"];
    let follows: [&[usize]; 3] = [&[], &[0], &[0, 1]];
    let mut shown = table(
        &headers(&[
            "status-col-service",
            "status-col-url",
            "status-col-state",
            "status-col-published",
            "status-col-follows",
            "status-col-applied",
            "status-col-behind",
        ]),
        &[3, 5, 6],
    );
    for (i, position) in positions.iter().enumerate() {
        let (state, published) = match position {
            Ok(p) => (tr("status-answers"), p.published_sequence.to_string()),
            Err(why) => (tr_args("status-unreachable", &[("why", why.clone())]), String::new()),
        };
        let mut row = vec![names[i].to_owned(), urls[i].clone(), state, published];
        match follows[i] {
            [] => row.extend([String::new(), String::new(), String::new()]),
            feeds => {
                for (n, &feed) in feeds.iter().enumerate() {
                    if n > 0 {
                        shown.add_row(std::mem::take(&mut row));
                        row = vec![String::new(); 4];
                    }
                    let (applied, lag) = match (position, &positions[feed]) {
                        (Ok(own), Ok(upstream)) => {
                            let lag = behind(own, names[feed], upstream.published_sequence);
                            ((upstream.published_sequence - lag).to_string(), lag.to_string())
                        }
                        (Ok(own), Err(_)) => (
                            own.followed
                                .iter()
                                .find(|f| f.feed == names[feed])
                                .map(|f| f.applied_sequence.to_string())
                                .unwrap_or_default(),
                            "?".to_owned(),
                        ),
                        _ => (String::new(), String::new()),
                    };
                    row.extend([names[feed].to_owned(), applied, lag]);
                }
            }
        }
        shown.add_row(row);
    }
    Out::terminal().table(&shown);
    let down: Vec<String> = positions
        .iter()
        .zip(names.iter().zip(urls))
        .filter(|(p, _)| p.is_err())
        .map(|(_, (name, url))| tr_args("status-service-at", &[("name", (*name).to_owned()), ("url", url.clone())]))
        .collect();
    anyhow::ensure!(down.is_empty(), tr_args("status-unreachable", &[("why", down.join(", "))]));
    Ok(())
}

/// `afregning grants …`.
// One piece: the look-up (by CPR or id) and the table it fills read together.
pub async fn grants(clients: &mut Clients, command: Grants) -> anyhow::Result<()> {
    let grants = match command {
        Grants::List { cpr, citizen, purpose } => {
            let citizen_id = match (cpr, citizen) {
                (Some(cpr), _) => {
                    let found = clients
                        .visitation
                        .find_citizen_by_cpr(pbv::FindCitizenByCprRequest {
                            cpr: cpr.replace('-', ""),
                            purpose: purpose.clone(),
                        })
                        .await?
                        .into_inner();
                    println!(
                        "{}",
                        tr_args(
                            "grants-citizen",
                            &[("citizen", found.citizen_id.clone()), ("born", date(found.birth_date))]
                        )
                    );
                    found.citizen_id
                }
                (None, citizen) => citizen.unwrap_or_default(),
            };
            clients
                .visitation
                .list_citizen_grants(pbv::ListCitizenGrantsRequest {
                    citizen_id,
                    purpose,
                    ..Default::default()
                })
                .await?
                .into_inner()
                .grants
        }
        Grants::Show { grant_id } => {
            clients
                .visitation
                .list_grant_versions(pbv::ListGrantVersionsRequest { grant_id, page: None })
                .await?
                .into_inner()
                .versions
        }
    };
    let mut shown = table(
        &headers(&[
            "grants-col-grant",
            "grants-col-version",
            "grants-col-status",
            "grants-col-unit",
            "grants-col-valid",
            "grants-col-effective",
            "grants-col-decided",
            "grants-col-pays",
            "grants-col-need",
            "grants-col-weekly",
        ]),
        &[1, 9],
    );
    for g in grants {
        let valid = g
            .validity
            .map(|v| format!("{} – {}", date(v.first), date(v.last)))
            .unwrap_or_default();
        let status = pbv::GrantStatus::try_from(g.status)
            .map(|s| {
                tr(&format!(
                    "grant-status-{}",
                    s.as_str_name().trim_start_matches("GRANT_STATUS_").to_lowercase()
                ))
            })
            .unwrap_or_default();
        shown.add_row(vec![
            g.grant_id.clone(),
            g.version.to_string(),
            status,
            unit_of(&g),
            valid,
            date(g.effective_from),
            if g.backdated {
                tr_args("grants-backdated", &[("date", date(g.decided_on))])
            } else {
                date(g.decided_on)
            },
            g.paying_frame.clone(),
            g.need_frame.clone(),
            kr(g.expected_weekly_cost_ore),
        ]);
    }
    Out::terminal().table(&shown);
    Ok(())
}

/// RFC 3339, or Danish local time `2026-04-01 07:30` or `01.04.2026 07:30`.
pub(crate) fn parse_instant(text: &str) -> Result<prost_types::Timestamp, String> {
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(at) => Ok(prost_types::Timestamp {
            seconds: at.timestamp(),
            nanos: 0,
        }),
        Err(_) => {
            let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
                .or_else(|_| NaiveDateTime::parse_from_str(text, "%d.%m.%Y %H:%M"))
                .map_err(|_| format!("{text:?} is neither local time like 01.04.2026 07:30 or 2026-04-01 07:30 nor RFC 3339"))?;
            local_time(local).map_err(|e| e.to_string())
        }
    }
}

/// An instant from Danish local time (as visits are planned and bands are priced).
pub fn local_time(local: NaiveDateTime) -> Result<prost_types::Timestamp, afregning_tariff::bands::LocalTimeError> {
    let utc = afregning_tariff::bands::local_to_utc(local)?;
    Ok(prost_types::Timestamp {
        seconds: utc.timestamp(),
        nanos: 0,
    })
}

/// Deliveries per stream message: the service takes at most 10,000.
const DELIVERIES_PER_MESSAGE: usize = 5_000;

/// Reports `deliveries` as one stream under `request_id`, in messages the service accepts.
pub async fn report_deliveries(
    settlement: &mut afregning_proto::settlement::v1::settlement_service_client::SettlementServiceClient<crate::connect::Authed>,
    request_id: &str,
    deliveries: &[pbs::Delivery],
) -> Result<pbs::ReportDeliveriesResponse, tonic::Status> {
    let messages: Vec<pbs::ReportDeliveriesRequest> = deliveries
        .chunks(DELIVERIES_PER_MESSAGE)
        .enumerate()
        .map(|(i, chunk)| pbs::ReportDeliveriesRequest {
            request_id: if i == 0 { request_id.to_owned() } else { String::new() },
            deliveries: chunk.to_vec(),
        })
        .collect();
    Ok(settlement.report_deliveries(tokio_stream::iter(messages)).await?.into_inner())
}

/// Runs a month's settlement, drawing its progress on `out`; the final progress of a completed run.
pub async fn run_month(
    settlement: &mut afregning_proto::settlement::v1::settlement_service_client::SettlementServiceClient<crate::connect::Authed>,
    request_id: &str,
    period: (i32, i32),
    out: Out,
) -> anyhow::Result<pbs::SettlementProgress> {
    let mut run = settlement
        .run_settlement(pbs::RunSettlementRequest {
            request_id: request_id.to_owned(),
            period: wire_period(period),
        })
        .await?
        .into_inner();
    let bar = out.progress(0, &tr_args("settle-progress", &[("period", month_text(period))]));
    let mut last = None;
    while let Some(progress) = run.message().await? {
        bar.set_length(u64::from(progress.providers_total));
        bar.set_position(u64::from(progress.providers_done));
        bar.set_message(tr_args(
            "settle-progress-lines",
            &[("lines", progress.lines_written.to_string()), ("amount", kr(progress.total_ore))],
        ));
        last = Some(progress);
    }
    bar.finish_and_clear();
    let last = last.ok_or_else(|| anyhow::anyhow!(tr("settle-no-progress")))?;
    anyhow::ensure!(
        last.state == pbs::RunState::Completed as i32,
        tr_args("settle-incomplete", &[("run", last.run_id.clone()), ("period", month_text(period))])
    );
    Ok(last)
}

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
    let statements = clients
        .settlement
        .list_statements(pbs::ListStatementsRequest {
            period: wire_period(period),
            ..Default::default()
        })
        .await?
        .into_inner()
        .statements;
    let names = provider_names(clients).await;
    let mut shown = statements_table();
    for st in statements {
        let st = if issue && st.state == pbs::StatementState::Draft as i32 {
            clients
                .settlement
                .issue_statement(pbs::IssueStatementRequest {
                    request_id: derived_request_id(&request_id, "issue", &st.statement_id),
                    statement_id: st.statement_id,
                })
                .await?
                .into_inner()
        } else {
            st
        };
        add_statement(&mut shown, &st, &names);
    }
    out.table(&shown);
    Ok(())
}

fn statements_table() -> comfy_table::Table {
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
async fn provider_names(clients: &mut Clients) -> std::collections::BTreeMap<String, String> {
    provider_names_of(&mut clients.settlement).await
}

/// [`provider_names`] from settlement's client alone.
async fn provider_names_of(
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
fn provider_name(names: &std::collections::BTreeMap<String, String>, provider_id: &str) -> String {
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

fn add_statement(shown: &mut comfy_table::Table, st: &pbs::Statement, names: &std::collections::BTreeMap<String, String>) {
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
fn print_statement(st: &pbs::Statement, lines: &[pbs::StatementLine]) {
    println!(
        "{} · {} · {} · {} lines · {} kr",
        st.statement_id,
        st.provider_id,
        period(st.period),
        st.line_count,
        kr(st.total_ore)
    );
    let mut shown = table(
        &["#", "kind", "grant", "unit", "covers", "qty", "amount (kr)", "frame", "why"],
        &[0, 5, 6],
    );
    for l in lines {
        let e = l.explanation.clone().unwrap_or_default();
        let kind = pbs::LineKind::try_from(l.kind)
            .map(|k| k.as_str_name().trim_start_matches("LINE_KIND_").to_lowercase())
            .unwrap_or_default();
        shown.add_row(vec![
            l.line_no.to_string(),
            kind,
            format!("{} v{}", l.grant_id, l.grant_version),
            l.unit.clone(),
            l.covers
                .map(|c| format!("{} – {}", date(c.first), date(c.last)))
                .unwrap_or_default(),
            format!("{} {}", e.quantity, e.quantity_unit),
            kr(l.amount_ore),
            if l.paying_frame == l.need_frame {
                l.paying_frame.clone()
            } else {
                format!("{} for {}", l.paying_frame, l.need_frame)
            },
            e.text,
        ]);
    }
    Out::terminal().table(&shown);
}

/// `afregning budget`.
pub async fn budget(clients: &mut Clients, frame: String, as_of: Option<(i32, i32, i32)>) -> anyhow::Result<()> {
    let (y, m, d) = as_of.unwrap_or_else(|| {
        let today = chrono::Local::now().date_naive();
        (
            today.year(),
            i32::try_from(today.month()).unwrap_or(1),
            i32::try_from(today.day()).unwrap_or(1),
        )
    });
    let frames = clients
        .budget
        .get_follow_up_status(pbb::GetFollowUpStatusRequest {
            frame,
            as_of: Some(pbc::Date { year: y, month: m, day: d }),
        })
        .await?
        .into_inner()
        .frames;
    println!("Follow-up at {y:04}-{m:02}-{d:02}");
    let shown = crate::print::follow_up_table(&frames);
    Out::terminal().table(&shown);
    Ok(())
}

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

/// `afregning export`.
pub async fn export(clients: &mut Clients, year: i32, frame: String, format: Format) -> anyhow::Result<()> {
    let request = pbb::ExportPostingsRequest { year, frame };
    if format == Format::Csv {
        let mut csv = clients.budget.export_postings_csv(request).await?.into_inner();
        let mut stdout = crate::print::csv_stdout()?;
        while let Some(chunk) = csv.message().await? {
            std::io::Write::write_all(&mut stdout, &chunk.data)?;
        }
        return Ok(());
    }
    let mut stream = clients.budget.export_postings(request).await?.into_inner();
    let mut totals = Vec::new();
    while let Some(t) = stream.message().await? {
        totals.push(t);
    }
    if format == Format::Json {
        let json: Vec<_> = totals
            .iter()
            .map(|t| {
                serde_json::json!({
                    "frame": t.frame, "account": t.account, "period": iso_period(t.period),
                    "amount_ore": t.amount_ore, "entries": t.entry_count,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&json)?);
        return Ok(());
    }
    let mut shown = table(
        &headers(&[
            "export-col-frame",
            "export-col-account",
            "export-col-month",
            "export-col-amount",
            "export-col-entries",
        ]),
        &[3, 4],
    );
    for t in &totals {
        shown.add_row(vec![
            t.frame.clone(),
            t.account.clone(),
            period(t.period),
            kr(t.amount_ore),
            t.entry_count.to_string(),
        ]);
    }
    shown.add_row(vec![
        tr("export-all"),
        String::new(),
        String::new(),
        kr(totals.iter().map(|t| t.amount_ore).sum()),
        String::new(),
    ]);
    Out::terminal().table(&shown);
    Ok(())
}

/// Reads the ERP's totals: `frame;account;period;amount_kr[;entries]` with a header row.
pub fn read_erp_totals(path: &Path) -> anyhow::Result<Vec<pbb::PostingTotal>> {
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    // The export is written for a Danish spreadsheet, byte-order mark first.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut totals = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = record?;
        let line = row + 2;
        let field = |i: usize| record.get(i).unwrap_or_default();
        let month = afregning_client::parse::parse_period(field(2)).map_err(|e| anyhow::anyhow!("line {line}: period: {e}"))?;
        // Danish `1.234,56` or plain `1234.56`.
        let text = field(3);
        let plain = if text.contains(',') {
            text.replace('.', "").replace(',', ".")
        } else {
            text.to_owned()
        };
        let amount = afregning_tariff::Ore::parse_kroner(&plain)
            .map_err(|_| anyhow::anyhow!("line {line}: amount_kr {:?} is not an amount in kroner", field(3)))?;
        totals.push(pbb::PostingTotal {
            frame: field(0).to_owned(),
            account: field(1).to_owned(),
            period: wire_period(month),
            amount_ore: amount.get(),
            entry_count: 0,
        });
    }
    Ok(totals)
}

/// `afregning reconcile`; false when the two sides differ.
pub async fn reconcile(clients: &mut Clients, year: i32, file: &Path) -> anyhow::Result<bool> {
    let erp_totals = read_erp_totals(file)?;
    let answer = clients
        .budget
        .reconcile(pbb::ReconcileRequest { year, erp_totals })
        .await?
        .into_inner();
    if answer.balanced {
        println!("{}", tr_args("reconcile-balanced", &[("year", year.to_string())]));
        return Ok(true);
    }
    let mut shown = table(
        &headers(&[
            "reconcile-col-frame",
            "reconcile-col-account",
            "reconcile-col-month",
            "reconcile-col-afregning",
            "reconcile-col-erp",
            "reconcile-col-difference",
        ]),
        &[3, 4, 5],
    );
    for d in &answer.differences {
        shown.add_row(vec![
            d.frame.clone(),
            d.account.clone(),
            period(d.period),
            kr(d.afregning_ore),
            kr(d.erp_ore),
            kr(d.difference_ore),
        ]);
    }
    println!(
        "{}",
        tr_args("reconcile-differ", &[("count", answer.differences.len().to_string())])
    );
    Out::terminal().table(&shown);
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_request_ids_are_stable_distinct_and_short_enough() {
        let long = "x".repeat(64);
        let id = derived_request_id(&long, "issue", "st-prv_c6e836a1b2c3d4e5f60718293a4b5c6d-2026-08");
        assert!(id.len() <= 64, "{id}");
        assert_eq!(
            id,
            derived_request_id(&long, "issue", "st-prv_c6e836a1b2c3d4e5f60718293a4b5c6d-2026-08")
        );
        assert_ne!(id, derived_request_id(&long, "issue", "st-prv_other-2026-08"));
        assert_ne!(
            id,
            derived_request_id("cli-1", "issue", "st-prv_c6e836a1b2c3d4e5f60718293a4b5c6d-2026-08")
        );
    }

    #[test]
    fn erp_totals_read_in_the_export_format() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("erp.csv");
        std::fs::write(
            &file,
            "frame;account;period;amount_kr;entries\nSOCIAL;5.30.26;2026-04;83534,82;1\nHEALTH;4.62.88;2026-04;7288.57;1\n",
        )
        .unwrap();
        let totals = read_erp_totals(&file).unwrap();
        assert_eq!(
            totals.iter().map(|t| (t.frame.as_str(), t.amount_ore)).collect::<Vec<_>>(),
            vec![("SOCIAL", 8_353_482), ("HEALTH", 728_857)]
        );
        std::fs::write(&file, "frame;account;period;amount_kr\nSOCIAL;5.30.26;2026-04;lots\n").unwrap();
        assert!(read_erp_totals(&file).unwrap_err().to_string().contains("line 2: amount_kr"));
    }
}
