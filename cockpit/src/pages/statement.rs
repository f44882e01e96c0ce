//! `/statements/{id}`: one settlement statement (afregningsbilag) — its header, then every line
//! with what it pays for, which frame pays it, and the explanation of its price.

use afregning_client::connect::Clients;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pbs;
use maud::{Markup, html};

use super::Names;
use crate::View;
use crate::html::{date_text, period_text, time_text};
use crate::table::{Cell, Table};

/// Most lines one statement page shows.
const MAX_LINES: usize = 5_000;

fn kind_key(kind: i32) -> &'static str {
    match pbs::LineKind::try_from(kind) {
        Ok(pbs::LineKind::Regular) => "line-kind-regular",
        Ok(pbs::LineKind::Reversal) => "line-kind-reversal",
        Ok(pbs::LineKind::Rebooking) => "line-kind-rebooking",
        Ok(pbs::LineKind::TrueUp) => "line-kind-true-up",
        Ok(pbs::LineKind::Supplement) => "line-kind-supplement",
        Ok(pbs::LineKind::Recovery) => "line-kind-recovery",
        _ => "line-kind-unknown",
    }
}

fn band_key(band: i32) -> Option<&'static str> {
    match pbc::TimeBand::try_from(band) {
        Ok(pbc::TimeBand::Day) => Some("band-day"),
        Ok(pbc::TimeBand::Evening) => Some("band-evening"),
        Ok(pbc::TimeBand::Night) => Some("band-night"),
        Ok(pbc::TimeBand::WeekendHoliday) => Some("band-weekend"),
        _ => None,
    }
}

/// The page's title and body.
// One piece: the page is written top to bottom in the order a reader sees it.
pub async fn page(view: &mut View<'_>, clients: &mut Clients, id: &str) -> anyhow::Result<(String, Markup)> {
    let ask = view.ask();
    let s = clients
        .settlement
        .get_statement(pbs::GetStatementRequest {
            statement_id: id.to_owned(),
        })
        .await?
        .into_inner();
    let mut stream = clients
        .settlement
        .stream_statement_lines(pbs::StreamStatementLinesRequest {
            statement_id: id.to_owned(),
        })
        .await?
        .into_inner();
    let mut lines = Vec::new();
    while let Some(line) = stream.message().await? {
        if lines.len() < MAX_LINES {
            lines.push(line);
        }
    }
    let year = s.period.map(|p| p.year).unwrap_or_default();
    let names = Names::load(clients, year).await?;
    let key = |what: &str| format!("statement:{}:{what}", s.statement_id);

    let mut header = Table::new("statement", vec![ask.t("col-field"), ask.t("col-value")]);
    let state = match pbs::StatementState::try_from(s.state) {
        Ok(pbs::StatementState::Issued) => "statement-issued",
        Ok(pbs::StatementState::Draft) => "statement-draft",
        _ => "statement-unknown-state",
    };
    let text_rows = [
        ("col-month", Cell::figure_text(period_text(s.period))),
        ("col-state", Cell::text(ask.t(state))),
        ("col-issuer", Cell::text(&s.issuer)),
        ("col-computed-at", Cell::figure_text(time_text(s.computed_at.as_ref()))),
        ("col-issued-at", Cell::figure_text(time_text(s.issued_at.as_ref()))),
        ("col-catalogs", Cell::text(s.catalog_versions.join(", "))),
        ("col-lines", Cell::count(&key("line_count"), s.line_count)),
        ("col-statement-total", Cell::money(&key("total"), s.total_ore)),
    ];
    header.row(vec![
        Cell::text(ask.t("col-provider")),
        Cell::rich(names.provider(&s.provider_id), names.provider_text(&s.provider_id)),
    ]);
    for (label, value) in text_rows {
        header.row(vec![Cell::text(ask.t(label)), value]);
    }
    if s.true_up {
        header.row(vec![Cell::text(ask.t("statement-true-up")), Cell::text(ask.t("answer-yes"))]);
    }

    let mut table = Table::new(
        "lines",
        [
            "col-line",
            "col-kind",
            "col-month",
            "col-citizen",
            "col-grant",
            "col-unit",
            "col-covers",
            "col-band",
            "col-paying-frame",
            "col-need-frame",
            "col-share",
            "col-amount",
            "col-explanation",
        ]
        .map(|k| ask.t(k))
        .to_vec(),
    );
    for l in &lines {
        let covers = l
            .covers
            .map(|c| format!("{}–{}", date_text(c.first), date_text(c.last)))
            .unwrap_or_default();
        let mut explanation = l.explanation.as_ref().map(|e| e.text.clone()).unwrap_or_default();
        if !l.corrects_line_id.is_empty() {
            explanation = ask.t_args("line-corrects", &[("text", explanation), ("line", l.corrects_line_id.clone())]);
        }
        table.row(vec![
            Cell::figure_text(l.line_no.to_string()),
            Cell::text(ask.t(kind_key(l.kind))),
            Cell::figure_text(period_text(l.period)),
            Cell::text(&l.citizen_id),
            Cell::text(format!("{} v{}", l.grant_id, l.grant_version)),
            Cell::text(&l.unit),
            Cell::figure_text(covers),
            Cell::text(band_key(l.time_band).map(|k| ask.t(k)).unwrap_or_default()),
            Cell::rich(names.frame(&l.paying_frame), names.frame_text(&l.paying_frame)),
            Cell::rich(names.frame(&l.need_frame), names.frame_text(&l.need_frame)),
            Cell::figure_text(format!("{} %", l.share_percent)),
            Cell::money(&key(&format!("line:{}", l.line_no)), l.amount_ore),
            Cell::rich(html! { span class="explanation" { (explanation) } }, explanation).wide(),
        ]);
    }
    let mut sum = vec![Cell::text(ask.t("col-total")).strong()];
    sum.extend((0..10).map(|_| Cell::empty()));
    sum.push(Cell::money(&key("lines_sum"), lines.iter().map(|l| l.amount_ore).sum()));
    sum.push(Cell::text(""));
    table.total(sum);

    let title = ask.t_args(
        "statement-title",
        &[("provider", names.provider_text(&s.provider_id)), ("month", period_text(s.period))],
    );
    let header = view.table(header);
    let table = view.table(table);
    Ok((
        title,
        html! {
            section {
                h3 { (ask.t("statement-header")) " " (s.statement_id) }
                (header)
                @if !s.content_hash.is_empty() {
                    p class="note" { (ask.t("statement-hash")) ": " code { (s.content_hash) } }
                }
            }
            section {
                h3 { (ask.t("statement-lines")) }
                (table)
            }
        },
    ))
}
