//! `/review`: the authority's review list of a settled month (stikprøvekontrol) — each grant with
//! why it is listed, its visited and delivered time, what was paid and the review's outcome — and
//! the share reviewed so far.

use afregning_client::connect::Clients;
use afregning_client::format::{review_outcome_key, review_reason_key, reviewed_percent};
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pbs;
use maud::{Markup, html};

use super::{Field, Names, form};
use crate::View;
use crate::html::{month_text, time_text};
use crate::table::{Cell, Table};

/// The page's body for `month`; a month without a list says so.
pub async fn page(view: &mut View<'_>, clients: &mut Clients, month: (i32, i32)) -> anyhow::Result<Markup> {
    let ask = view.ask();
    let picker = form(
        ask,
        "/review",
        &[Field {
            name: "period",
            label: "review-period",
            kind: "month",
            value: format!("{:04}-{:02}", month.0, month.1),
        }],
    );
    let answer = clients
        .settlement
        .get_review_list(pbs::GetReviewListRequest {
            period: Some(pbc::Period {
                year: month.0,
                month: month.1,
            }),
        })
        .await;
    let list = match answer {
        Ok(list) => list.into_inner(),
        Err(status) if status.code() == tonic::Code::NotFound => {
            return Ok(html! {
                (picker)
                section { p { (ask.t_args("review-none", &[("period", month_text(month))])) } }
            });
        }
        Err(status) => return Err(status.into()),
    };
    let names = Names::load(clients, month.0).await?;
    let mut table = Table::new(
        "review",
        [
            "col-grant",
            "col-provider",
            "col-citizen",
            "col-review-reasons",
            "col-visited",
            "col-delivered",
            "col-deviation",
            "col-paid",
            "col-review-outcome",
            "col-review-note",
            "col-recovery",
        ]
        .map(|k| ask.t(k))
        .to_vec(),
    );
    for i in &list.items {
        let key = |what: &str| format!("review:{}:{}:{what}", i.grant_id, i.provider_id);
        let reasons: Vec<String> = i.reasons.iter().map(|r| ask.t(review_reason_key(*r))).collect();
        let outcome = ask.t(review_outcome_key(i.outcome));
        let when = if i.recorded_at.is_some() {
            format!("{outcome} ({})", time_text(i.recorded_at.as_ref()))
        } else {
            outcome
        };
        table.row(vec![
            Cell::text(&i.grant_id),
            Cell::rich(names.provider(&i.provider_id), names.provider_text(&i.provider_id)),
            Cell::text(&i.citizen_id),
            Cell::text(reasons.join(", ")),
            Cell::figure_text(i.visited_minutes.to_string()),
            Cell::figure_text(i.delivered_minutes.to_string()),
            Cell::signed_minutes(i.deviation_minutes),
            Cell::money(&key("amount"), i.amount_ore),
            Cell::text(when),
            Cell::text(&i.note).wide(),
            if i.recovery_ore > 0 {
                Cell::money(&key("recovery"), i.recovery_ore)
            } else {
                Cell::empty()
            },
        ]);
    }
    let items = list.items.len();
    let percent = reviewed_percent(list.reviewed_count, items);
    let summary = ask.t_args(
        "review-summary",
        &[
            ("period", month_text(month)),
            ("items", items.to_string()),
            ("considered", list.grants_considered.to_string()),
            ("threshold", list.threshold_percent.to_string()),
            ("sample", list.sample_size.to_string()),
            ("highest", list.highest_count.to_string()),
            ("seed", list.seed.to_string()),
            ("built", time_text(list.built_at.as_ref())),
        ],
    );
    let share = ask.t_args(
        "review-share",
        &[
            ("reviewed", list.reviewed_count.to_string()),
            ("items", items.to_string()),
            ("percent", percent.to_string()),
        ],
    );
    let table = view.table(table);
    Ok(html! {
        (picker)
        section {
            p { (summary) }
            p { strong data-key="review:share" { (share) } }
            (table)
        }
    })
}
