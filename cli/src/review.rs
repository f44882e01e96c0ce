//! `afregning review`: the authority's review list of a settled month (stikprøvekontrol) — built,
//! shown (as a table, CSV or JSON) and worked through, an outcome per grant.

use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pbs;

use crate::args::{Format, OutcomeArg, Review};
use crate::commands::request_id;
use crate::connect::Clients;
use crate::print::{Out, headers, kr, month_text, table};
use crate::statements::provider_names;
use afregning_client::format::{review_outcome_key, review_reason_key, reviewed_percent, signed_minutes};
use afregning_client::i18n::{tr, tr_args};

fn wire_period((year, month): (i32, i32)) -> pbc::Period {
    pbc::Period { year, month }
}

/// `afregning review …`.
pub async fn review(clients: &mut Clients, command: Review) -> anyhow::Result<()> {
    match command {
        Review::Build {
            period,
            threshold,
            sample,
            highest,
            seed,
            write,
        } => {
            let list = clients
                .settlement
                .build_review_list(pbs::BuildReviewListRequest {
                    request_id: request_id(&write),
                    period: Some(wire_period(period)),
                    threshold_percent: threshold,
                    sample_size: sample,
                    highest_count: highest,
                    seed,
                })
                .await?
                .into_inner();
            print_list(clients, &list, Format::Table).await
        }
        Review::List { period, format } => {
            let list = clients
                .settlement
                .get_review_list(pbs::GetReviewListRequest {
                    period: Some(wire_period(period)),
                })
                .await?
                .into_inner();
            print_list(clients, &list, format).await
        }
        Review::Record {
            period,
            grant,
            provider,
            outcome,
            note,
            recovery,
            write,
        } => {
            let item = clients
                .settlement
                .record_review_outcome(pbs::RecordReviewOutcomeRequest {
                    request_id: request_id(&write),
                    period: Some(wire_period(period)),
                    grant_id: grant,
                    provider_id: provider,
                    outcome: wire_outcome(outcome) as i32,
                    note,
                    recovery_ore: recovery.unwrap_or(0),
                })
                .await?
                .into_inner();
            println!(
                "{}",
                tr_args(
                    "cli-review-recorded",
                    &[
                        ("grant", item.grant_id.clone()),
                        ("period", month_text(period)),
                        ("outcome", tr(review_outcome_key(item.outcome))),
                    ],
                )
            );
            if item.recovery_ore > 0 {
                println!("{}", tr_args("cli-review-recovery", &[("amount", kr(item.recovery_ore))]));
            }
            Ok(())
        }
    }
}

fn wire_outcome(outcome: OutcomeArg) -> pbs::ReviewOutcome {
    match outcome {
        OutcomeArg::NoAction => pbs::ReviewOutcome::NoAction,
        OutcomeArg::Revisit => pbs::ReviewOutcome::Revisit,
        OutcomeArg::ProviderContacted => pbs::ReviewOutcome::ProviderContacted,
        OutcomeArg::Recovery => pbs::ReviewOutcome::Recovery,
    }
}

fn reasons_text(item: &pbs::ReviewItem) -> String {
    item.reasons
        .iter()
        .map(|r| tr(review_reason_key(*r)))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn print_list(clients: &mut Clients, list: &pbs::ReviewList, format: Format) -> anyhow::Result<()> {
    let names = provider_names(clients).await;
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
    match format {
        Format::Json => {
            let items: Vec<serde_json::Value> = list
                .items
                .iter()
                .map(|i| {
                    serde_json::json!({
                        "grant_id": i.grant_id,
                        "provider_id": i.provider_id,
                        "provider": name(&i.provider_id),
                        "citizen_id": i.citizen_id,
                        "visited_minutes": i.visited_minutes,
                        "delivered_minutes": i.delivered_minutes,
                        "deviation_minutes": i.deviation_minutes,
                        "amount_ore": i.amount_ore,
                        "reasons": i.reasons.iter().map(|r| pbs::ReviewReason::try_from(*r).map(|r| r.as_str_name()).unwrap_or("?")).collect::<Vec<_>>(),
                        "outcome": pbs::ReviewOutcome::try_from(i.outcome).map(|o| o.as_str_name()).unwrap_or("?"),
                        "note": i.note,
                        "recovery_ore": i.recovery_ore,
                    })
                })
                .collect();
            let json = serde_json::json!({
                "period": crate::print::iso_period(list.period),
                "threshold_percent": list.threshold_percent,
                "sample_size": list.sample_size,
                "highest_count": list.highest_count,
                "seed": list.seed,
                "grants_considered": list.grants_considered,
                "reviewed_count": list.reviewed_count,
                "items": items,
            });
            println!("{}", serde_json::to_string_pretty(&json)?);
        }
        Format::Csv => {
            let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(crate::print::csv_stdout()?);
            w.write_record(headers(&COLUMNS))?;
            for i in &list.items {
                w.write_record(row(i, &name(&i.provider_id), Format::Csv))?;
            }
            w.flush()?;
        }
        Format::Table => {
            let out = Out::terminal();
            out.line(tr_args(
                "cli-review-heading",
                &[
                    ("period", crate::print::period(list.period)),
                    ("items", list.items.len().to_string()),
                    ("considered", list.grants_considered.to_string()),
                    ("threshold", list.threshold_percent.to_string()),
                    ("sample", list.sample_size.to_string()),
                    ("seed", list.seed.to_string()),
                ],
            ));
            let mut shown = table(&headers(&COLUMNS), &[4, 5, 6, 7, 10]);
            for i in &list.items {
                shown.add_row(row(i, &name(&i.provider_id), Format::Table));
            }
            out.table(&shown);
            out.line(tr_args(
                "cli-review-share",
                &[
                    ("reviewed", list.reviewed_count.to_string()),
                    ("items", list.items.len().to_string()),
                    ("percent", reviewed_percent(list.reviewed_count, list.items.len()).to_string()),
                ],
            ));
        }
    }
    Ok(())
}

const COLUMNS: [&str; 11] = [
    "cli-review-col-grant",
    "cli-review-col-provider",
    "cli-review-col-citizen",
    "cli-review-col-reasons",
    "cli-review-col-visited",
    "cli-review-col-delivered",
    "cli-review-col-deviation",
    "cli-review-col-amount",
    "cli-review-col-outcome",
    "cli-review-col-note",
    "cli-review-col-recovery",
];

/// One item's row; in a spreadsheet the deviation is a plain number (a hyphen-minus), on screen
/// a signed figure with a real minus.
fn row(i: &pbs::ReviewItem, provider: &str, format: Format) -> Vec<String> {
    vec![
        i.grant_id.clone(),
        provider.to_owned(),
        i.citizen_id.clone(),
        reasons_text(i),
        i.visited_minutes.to_string(),
        i.delivered_minutes.to_string(),
        if format == Format::Csv {
            i.deviation_minutes.to_string()
        } else {
            signed_minutes(i.deviation_minutes)
        },
        kr(i.amount_ore),
        tr(review_outcome_key(i.outcome)),
        i.note.clone(),
        if i.recovery_ore > 0 { kr(i.recovery_ore) } else { String::new() },
    ]
}
