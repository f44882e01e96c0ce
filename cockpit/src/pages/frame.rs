//! `/frames/{frame}`: one frame's consumption (forbrug) for a year, down to its providers — the
//! lines of every issued statement (afregningsbilag) the frame pays, per provider and settlement
//! month, each statement a link — beside what budget's ledger has booked on the frame.

use std::collections::BTreeMap;

use afregning_client::connect::Clients;
use afregning_proto::budget::v1 as pbb;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pbs;
use maud::{Markup, html};

use super::{Names, first_page, month_name};
use crate::View;
use crate::html::{money, period_text};
use crate::table::{Cell, Table};

/// Most ledger pages read for one frame and year (of 1,000 entries each).
const MAX_LEDGER_PAGES: usize = 100;

/// What one issued statement's lines charge one frame.
pub struct Charged {
    /// The statement.
    pub statement: pbs::Statement,
    /// The sum of its lines the frame pays, in øre.
    pub amount_ore: i64,
    /// How many of its lines the frame pays.
    pub lines: u32,
}

/// Every issued statement of `year` with lines that `frame` pays, and what they charge it.
pub async fn charged(clients: &mut Clients, frame: &str, year: i32) -> anyhow::Result<Vec<Charged>> {
    let mut out = Vec::new();
    for month in 1..=12 {
        let statements = clients
            .settlement
            .list_statements(pbs::ListStatementsRequest {
                period: Some(pbc::Period { year, month }),
                state: pbs::StatementState::Issued as i32,
                page: first_page(),
                ..Default::default()
            })
            .await?
            .into_inner()
            .statements;
        for statement in statements {
            let mut lines = clients
                .settlement
                .stream_statement_lines(pbs::StreamStatementLinesRequest {
                    statement_id: statement.statement_id.clone(),
                })
                .await?
                .into_inner();
            let (mut amount_ore, mut count) = (0, 0);
            while let Some(line) = lines.message().await? {
                if line.paying_frame == frame {
                    amount_ore += line.amount_ore;
                    count += 1;
                }
            }
            if count > 0 {
                out.push(Charged {
                    statement,
                    amount_ore,
                    lines: count,
                });
            }
        }
    }
    Ok(out)
}

/// What budget's ledger holds for the frame and year, per source: settlement postings, ERP
/// actuals, reallocations.
async fn ledger(clients: &mut Clients, frame: &str, year: i32) -> anyhow::Result<BTreeMap<i32, i64>> {
    let mut by_source = BTreeMap::new();
    let mut token = String::new();
    for _ in 0..MAX_LEDGER_PAGES {
        let page = clients
            .budget
            .list_ledger_entries(pbb::ListLedgerEntriesRequest {
                frame: frame.to_owned(),
                year,
                page: Some(pbc::PageRequest {
                    page_size: 1_000,
                    page_token: token,
                }),
            })
            .await?
            .into_inner();
        for e in page.entries {
            *by_source.entry(e.source).or_insert(0) += e.amount_ore;
        }
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    Ok(by_source)
}

/// The page's title and body.
// One piece: the page is written top to bottom in the order a reader sees it.
pub async fn page(view: &mut View<'_>, clients: &mut Clients, frame: &str, year: i32) -> anyhow::Result<(String, Markup)> {
    let ask = view.ask();
    let names = Names::load(clients, year).await?;
    let Some(info) = names.frame_info(frame).cloned() else {
        return Err(tonic::Status::not_found(format!("frame {frame} has no budget for {year}")).into());
    };
    let charged = charged(clients, frame, year).await?;
    let ledger = ledger(clients, frame, year).await?;
    let key = |what: &str| format!("drill:{frame}:{what}");

    // Per provider and settlement month.
    let months: Vec<i32> = {
        let mut m: Vec<i32> = charged.iter().filter_map(|c| c.statement.period.map(|p| p.month)).collect();
        m.sort_unstable();
        m.dedup();
        m
    };
    let mut grid: BTreeMap<String, BTreeMap<i32, i64>> = BTreeMap::new();
    for c in &charged {
        let month = c.statement.period.map(|p| p.month).unwrap_or_default();
        *grid.entry(c.statement.provider_id.clone()).or_default().entry(month).or_insert(0) += c.amount_ore;
    }
    let mut headings = vec![ask.t("col-provider")];
    headings.extend(months.iter().map(|m| format!("{} {year}", month_name(ask, *m))));
    headings.push(ask.t("col-total"));
    let mut providers = Table::new(&format!("frame-{frame}-providers"), headings);
    let mut rows: Vec<(String, &String, &BTreeMap<i32, i64>)> = grid.iter().map(|(id, m)| (names.provider_text(id), id, m)).collect();
    rows.sort();
    for (name, id, by_month) in rows {
        let mut cells = vec![Cell::rich(names.provider(id), name)];
        for m in &months {
            cells.push(match by_month.get(m) {
                Some(amount) => Cell::money(&key(&format!("{id}:{m}")), *amount),
                None => Cell::empty(),
            });
        }
        cells.push(Cell::money(&key(&format!("{id}:total")), by_month.values().sum()));
        providers.row(cells);
    }
    let mut totals = vec![Cell::text(ask.t("col-total")).strong()];
    for m in &months {
        let sum = grid.values().filter_map(|by| by.get(m)).sum();
        totals.push(Cell::money(&key(&format!("month:{m}")), sum));
    }
    let statements_total: i64 = charged.iter().map(|c| c.amount_ore).sum();
    totals.push(Cell::money(&key("total"), statements_total));
    providers.total(totals);

    // The statements themselves.
    let mut statements = Table::new(
        &format!("frame-{frame}-statements"),
        [
            "col-provider",
            "col-month",
            "col-statement",
            "col-lines",
            "col-frame-amount",
            "col-statement-total",
        ]
        .map(|k| ask.t(k))
        .to_vec(),
    );
    for c in &charged {
        let s = &c.statement;
        statements.row(vec![
            Cell::rich(names.provider(&s.provider_id), names.provider_text(&s.provider_id)),
            Cell::figure_text(period_text(s.period)),
            Cell::link(&s.statement_id, &ask.href(&format!("/statements/{}", s.statement_id))),
            Cell::figure_text(c.lines.to_string()),
            Cell::money(&key(&format!("statement:{}", s.statement_id)), c.amount_ore),
            Cell::money(&key(&format!("statement:{}:total", s.statement_id)), s.total_ore),
        ]);
    }

    // Budget's ledger by source.
    let mut booked = Table::new(&format!("frame-{frame}-ledger"), vec![ask.t("col-source"), ask.t("col-amount")]);
    for (source, name, label) in [
        (pbb::EntrySource::Settlement, "settlement", "ledger-settlement"),
        (pbb::EntrySource::ErpActual, "erp", "ledger-erp"),
        (pbb::EntrySource::Reallocation, "reallocation", "ledger-reallocation"),
    ] {
        let amount = ledger.get(&(source as i32)).copied().unwrap_or_default();
        booked.row(vec![Cell::text(ask.t(label)), Cell::money(&key(&format!("ledger:{name}")), amount)]);
    }
    booked.total(vec![
        Cell::text(ask.t("col-total")).strong(),
        Cell::money(&key("ledger:total"), ledger.values().sum()),
    ]);

    let title = ask.t_args("frame-title", &[("frame", names.frame_text(frame)), ("year", year.to_string())]);
    let providers = view.table(providers);
    let statements = view.table(statements);
    let booked = view.table(booked);
    let back = ask.href("/");
    Ok((
        title,
        html! {
            p { a href=(back) { "← " (ask.t("nav-follow-up")) } }
            section {
                p {
                    (ask.t("col-frame")) ": " (names.frame(frame))
                    " · " (ask.t("col-committee")) ": " (names.committee(&info.committee))
                    " · " (ask.t("col-account")) ": " (info.account)
                }
                p {
                    (ask.t("frame-budget")) ": " (money(&key("budget"), info.amount_ore))
                    " · " (ask.t("frame-adjusted")) ": " (money(&key("adjusted"), info.adjusted_amount_ore))
                }
            }
            section {
                h3 { (ask.t("frame-by-provider")) }
                p class="note" { (ask.t("frame-by-provider-note")) }
                @if charged.is_empty() { p { (ask.t("frame-no-statements")) } }
                (providers)
            }
            section {
                h3 { (ask.t("frame-statements")) }
                (statements)
            }
            section {
                h3 { (ask.t("frame-ledger")) }
                p class="note" { (ask.t("frame-ledger-note")) }
                (booked)
            }
        },
    ))
}
