//! `/frames/{frame}`: one frame's consumption (forbrug) for a year, down to its providers — the
//! postings budget's ledger holds for the frame, per provider and month of the issued statement
//! (afregningsbilag) they book, each statement a link — beside the ledger's other sources.
//!
//! The postings, not the statements' lines, say what a frame pays: a line names one paying frame,
//! but its cost may be split between frames (a grant whose need several frames share), and the
//! postings carry that split.

use std::collections::BTreeMap;

use afregning_client::connect::Clients;
use afregning_proto::budget::v1 as pbb;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pbs;
use maud::{Markup, html};

use super::{Names, month_name};
use crate::View;
use crate::html::{money, period_text};
use crate::table::{Cell, Table};

/// Most ledger pages read for one frame and year (of 1,000 entries each).
const MAX_LEDGER_PAGES: usize = 100;

/// What one issued statement charges one frame: its postings on the frame in budget's ledger.
pub struct Charged {
    /// The statement.
    pub statement: pbs::Statement,
    /// The sum of its postings on the frame, in øre.
    pub amount_ore: i64,
}

/// Budget's ledger for the frame and year: the sum per source (settlement postings, ERP actuals,
/// reallocations), and each settlement posting's statement with its amount, in ledger order.
struct Ledger {
    by_source: BTreeMap<i32, i64>,
    postings: Vec<(String, i64)>,
}

async fn ledger(clients: &mut Clients, frame: &str, year: i32) -> anyhow::Result<Ledger> {
    let mut ledger = Ledger {
        by_source: BTreeMap::new(),
        postings: Vec::new(),
    };
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
            *ledger.by_source.entry(e.source).or_insert(0) += e.amount_ore;
            if e.source == pbb::EntrySource::Settlement as i32 {
                ledger.postings.push((statement_of_posting(&e.source_ref).to_owned(), e.amount_ore));
            }
        }
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    Ok(ledger)
}

/// The statement a settlement posting (`<statement>-p<n>`) books.
fn statement_of_posting(posting_id: &str) -> &str {
    posting_id
        .rsplit_once("-p")
        .filter(|(_, n)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        .map_or(posting_id, |(statement, _)| statement)
}

/// Every issued statement with postings on the frame, and what they charge it, by statement.
async fn charged(clients: &mut Clients, postings: &[(String, i64)]) -> anyhow::Result<Vec<Charged>> {
    let mut sums: BTreeMap<&str, i64> = BTreeMap::new();
    for (statement, amount) in postings {
        *sums.entry(statement.as_str()).or_insert(0) += amount;
    }
    let mut out = Vec::new();
    for (id, amount_ore) in sums {
        let statement = clients
            .settlement
            .get_statement(pbs::GetStatementRequest {
                statement_id: id.to_owned(),
            })
            .await?
            .into_inner();
        out.push(Charged { statement, amount_ore });
    }
    out.sort_by_key(|c| (c.statement.period.map(|p| (p.year, p.month)), c.statement.provider_id.clone()));
    Ok(out)
}

/// The page's title and body.
// One piece: the page is written top to bottom in the order a reader sees it.
pub async fn page(view: &mut View<'_>, clients: &mut Clients, frame: &str, year: i32) -> anyhow::Result<(String, Markup)> {
    let ask = view.ask();
    let names = Names::load(clients, year).await?;
    let Some(info) = names.frame_info(frame).cloned() else {
        return Err(tonic::Status::not_found(format!("frame {frame} has no budget for {year}")).into());
    };
    let Ledger {
        by_source: ledger,
        postings,
    } = ledger(clients, frame, year).await?;
    let charged = charged(clients, &postings).await?;
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
            Cell::figure_text(s.line_count.to_string()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_posting_names_its_statement() {
        assert_eq!(statement_of_posting("st-prv_1-2026-04-p2"), "st-prv_1-2026-04");
        assert_eq!(statement_of_posting("st-prv_1-2026-04-p12"), "st-prv_1-2026-04");
        assert_eq!(statement_of_posting("erp-123"), "erp-123");
        assert_eq!(statement_of_posting("st-prv_1-p"), "st-prv_1-p");
    }
}
