//! `/`: budget follow-up (budgetopfølgning) — every frame's status at a day and its curve over
//! the year, with a way down to the frame's consumption per provider.

use afregning_client::connect::Clients;
use afregning_proto::budget::v1 as pbb;
use afregning_proto::common::v1 as pbc;
use chrono::{Datelike, NaiveDate};
use maud::{Markup, html};

use super::{Field, Names, form, month_name};
use crate::View;
use crate::chart::{Axes, Line, line_chart};
use crate::html::{date_text, kr_axis};
use crate::table::{Cell, Table};

/// The page's body: a date picker, then one section per frame.
pub async fn page(view: &mut View<'_>, clients: &mut Clients, as_of: NaiveDate, today: NaiveDate) -> anyhow::Result<Markup> {
    let ask = view.ask();
    let statuses = clients
        .budget
        .get_follow_up_status(pbb::GetFollowUpStatusRequest {
            frame: String::new(),
            as_of: Some(pbc::Date::from(as_of)),
        })
        .await?
        .into_inner()
        .frames;
    let year = as_of.year();
    let names = Names::load(clients, year).await?;
    let mut sections = Vec::new();
    for status in &statuses {
        let series = clients
            .budget
            .get_follow_up_series(pbb::GetFollowUpSeriesRequest {
                frame: status.frame.clone(),
                year,
                as_of: Some(pbc::Date::from(as_of)),
            })
            .await?
            .into_inner();
        sections.push(frame_section(view, &names, status, &series, as_of, today));
    }
    let picker = form(
        ask,
        "/",
        &[Field {
            name: "as_of",
            label: "follow-up-as-of",
            kind: "date",
            value: as_of.format("%Y-%m-%d").to_string(),
        }],
    );
    Ok(html! {
        (picker)
        @if statuses.is_empty() {
            section { p { (ask.t_args("follow-up-no-frames", &[("year", year.to_string())])) } }
        }
        @for s in sections { (s) }
    })
}

/// One frame: its figures, whether a deviation awaits explanation, and its curves.
// One piece: a frame's section reads top to bottom: figures, deviation, then its curves.
fn frame_section(
    view: &mut View<'_>,
    names: &Names,
    s: &pbb::FrameStatus,
    series: &pbb::FollowUpSeries,
    as_of: NaiveDate,
    today: NaiveDate,
) -> Markup {
    let ask = view.ask();
    let year = as_of.year();
    let f = &s.frame;
    let key = |what: &str| format!("frame:{f}:{what}");
    let bp = |p: Option<pbb::Percent>| p.map(|p| p.basis_points).unwrap_or_default();
    let (deviation_class, deviation) = if s.explanation_required {
        ("warn", "follow-up-deviation-awaits")
    } else if s.expected_result_ore < 0 {
        ("warn", "follow-up-overrun-within")
    } else {
        ("ok", "follow-up-no-overrun")
    };
    let mut table = Table::new(&format!("frame-{f}"), vec![ask.t("col-figure"), ask.t("col-amount")]);
    let rows = [
        ("follow-up-budget", Cell::money(&key("budget"), s.budget_ore)),
        ("follow-up-consumed", Cell::money(&key("consumed"), s.consumed_ore)),
        ("follow-up-consumption", Cell::percent(&key("consumption"), bp(s.consumption))),
        ("follow-up-profile-share", Cell::percent(&key("profile_share"), bp(s.profile_share))),
        // One expected rest: the leader's expected accounts where given, otherwise commitments;
        // the two sources follow beside it, so budget − consumed − expected rest = result reads off.
        (
            if s.expected_rest_source == pbb::ExpectedRestSource::Leader as i32 {
                "follow-up-rest-from-leader"
            } else {
                "follow-up-rest-from-commitments"
            },
            Cell::money(&key("expected_rest"), s.expected_rest_ore),
        ),
        (
            "follow-up-rest-commitments",
            Cell::money(&key("rest_commitments"), s.expected_rest_from_commitments_ore),
        ),
        (
            "follow-up-rest-leader",
            if s.has_leader_forecast {
                Cell::money(&key("rest_leader"), s.expected_rest_from_leader_ore)
            } else {
                Cell::figure_text(ask.t("follow-up-not-submitted"))
            },
        ),
        (
            "follow-up-expected-result",
            Cell::money(&key("expected_result"), s.expected_result_ore),
        ),
    ];
    for (label, value) in rows {
        table.row(vec![Cell::text(ask.t(label)), value]);
    }
    let passed = |month: i32| {
        NaiveDate::from_ymd_opt(year, u32::try_from(month).unwrap_or(1), 1)
            .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
            .is_some_and(|next| next <= today)
    };
    let index = |month: i32| usize::try_from(month - 1).unwrap_or(0);
    let last_passed = series.points.iter().filter(|p| passed(p.month)).map(|p| p.month).max();
    let forecast_points = |value: fn(&pbb::SeriesPoint) -> i64| -> Vec<(usize, i64)> {
        series
            .points
            .iter()
            .filter(|p| last_passed.is_none_or(|l| p.month >= l))
            .map(|p| (index(p.month), value(p)))
            .collect()
    };
    let mut lines = vec![
        Line {
            name: ask.t("line-budget-profile"),
            class: "budget",
            points: series.points.iter().map(|p| (index(p.month), p.budget_cumulative_ore)).collect(),
            dashed: false,
        },
        Line {
            name: ask.t("line-consumed"),
            class: "consumed",
            points: series
                .points
                .iter()
                .filter(|p| passed(p.month))
                .map(|p| (index(p.month), p.consumed_cumulative_ore))
                .collect(),
            dashed: false,
        },
        Line {
            name: ask.t("line-forecast-commitments"),
            class: "commitments",
            points: forecast_points(|p| p.commitments_forecast_cumulative_ore),
            dashed: true,
        },
    ];
    if s.has_leader_forecast {
        lines.push(Line {
            name: ask.t("line-forecast-leader"),
            class: "leader",
            points: forecast_points(|p| p.leader_forecast_cumulative_ore),
            dashed: true,
        });
    }
    let name = names.frame_text(f);
    let title = ask.t_args("follow-up-chart-title", &[("frame", name.clone()), ("year", year.to_string())]);
    let months: Vec<String> = (1..=12).map(|m| month_name(ask, m)).collect();
    let chart = line_chart(
        &Axes {
            title: &title,
            x_title: &ask.t_args("follow-up-x-title", &[("year", year.to_string())]),
            y_title: &ask.t("follow-up-y-title"),
            y_label: kr_axis,
            y_unit: 100,
        },
        &months,
        &lines,
    );
    let committee = names.frame_info(f).map(|i| i.committee.clone()).unwrap_or_default();
    let date = date_text(s.as_of.or(Some(pbc::Date::from(as_of))));
    let drill = ask.href_with(&format!("/frames/{f}"), &[("year", year.to_string())]);
    let table = view.table(table);
    html! {
        section id=(format!("frame-{f}")) {
            h3 { (names.frame(f)) }
            p class="note" {
                @if !committee.is_empty() { (ask.t("col-committee")) ": " (names.committee(&committee)) " · " }
                (ask.t_args("follow-up-status-at", &[("date", date)]))
            }
            (table)
            p class=(deviation_class) { (ask.t(deviation)) }
            p { a href=(drill) { (ask.t("follow-up-drill")) } }
            (chart)
            p class="note" {
                (ask.t_args("follow-up-curve-note", &[("today", date_text(Some(pbc::Date::from(today))))]))
            }
        }
    }
}
