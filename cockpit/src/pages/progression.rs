//! `/progression`: per lead provider and course type (forløbstype) — function scores over the
//! courses, visited hours around them, and courses due for follow-up.

use afregning_client::connect::Clients;
use afregning_proto::common::v1 as pbc;
use afregning_proto::visitation::v1 as pbv;
use chrono::NaiveDate;
use maud::{Markup, html};

use super::{Field, course_type_code, form};
use crate::View;
use crate::chart::{Axes, Bars, bar_chart};
use crate::html::date_text;
use crate::table::{Cell, Table};

fn course_type_key(t: i32) -> &'static str {
    match pbc::CourseType::try_from(t) {
        Ok(pbc::CourseType::Developing) => "course-type-developing",
        Ok(pbc::CourseType::Maintaining) => "course-type-maintaining",
        Ok(pbc::CourseType::Individual) => "course-type-individual",
        _ => "course-type-unknown",
    }
}

/// The page's body at `as_of`.
// One piece: the page is written top to bottom in the order a reader sees it.
pub async fn page(view: &mut View<'_>, clients: &mut Clients, as_of: NaiveDate) -> anyhow::Result<Markup> {
    let ask = view.ask();
    let rows = clients
        .visitation
        .get_progression(pbv::GetProgressionRequest {
            as_of: Some(pbc::Date::from(as_of)),
            window_days: 0,
            follow_up_within_days: 0,
        })
        .await?
        .into_inner()
        .rows;
    let picker = form(
        ask,
        "/progression",
        &[Field {
            name: "as_of",
            label: "progression-as-of",
            kind: "date",
            value: as_of.format("%Y-%m-%d").to_string(),
        }],
    );
    let note = ask.t_args("progression-note", &[("date", date_text(Some(pbc::Date::from(as_of))))]);
    if rows.is_empty() {
        return Ok(html! { (picker) p class="note" { (note) } section { p { (ask.t("progression-none")) } } });
    }
    let mut table = Table::new(
        "progression",
        [
            "col-provider",
            "col-course-type",
            "col-courses",
            "col-improved",
            "col-held",
            "col-worsened",
            "col-not-assessed",
            "col-before",
            "col-during",
            "col-after",
            "col-ended",
            "col-due",
        ]
        .map(|k| ask.t(k))
        .to_vec(),
    );
    let mut groups = Vec::new();
    let (mut improved, mut held, mut worsened) = (Vec::new(), Vec::new(), Vec::new());
    let (mut before, mut during, mut after) = (Vec::new(), Vec::new(), Vec::new());
    for r in &rows {
        let key = |what: &str| format!("progression:{}:{}:{what}", r.provider_id, course_type_code(r.course_type));
        table.row(vec![
            Cell::rich(crate::html::named(&r.provider_name, &r.provider_id), &r.provider_name),
            Cell::text(ask.t(course_type_key(r.course_type))),
            Cell::count(&key("courses"), r.courses),
            Cell::count(&key("improved"), r.improved),
            Cell::count(&key("held"), r.held),
            Cell::count(&key("worsened"), r.worsened),
            Cell::count(&key("not_assessed"), r.not_assessed),
            Cell::hours_per_week(&key("before"), r.before_minutes_per_week),
            Cell::hours_per_week(&key("during"), r.during_minutes_per_week),
            Cell::hours_per_week(&key("after"), r.after_minutes_per_week),
            Cell::count(&key("ended"), r.courses_ended),
            Cell::count(&key("due"), r.due_for_follow_up),
        ]);
        groups.push(format!("{}\n{}", r.provider_name, ask.t(course_type_key(r.course_type))));
        improved.push(i64::from(r.improved));
        held.push(i64::from(r.held));
        worsened.push(i64::from(r.worsened));
        before.push(i64::from(r.before_minutes_per_week));
        during.push(i64::from(r.during_minutes_per_week));
        after.push(i64::from(r.after_minutes_per_week));
    }
    let x_title = ask.t("progression-x-title");
    let scores = bar_chart(
        &Axes {
            title: &ask.t("progression-scores-title"),
            x_title: &x_title,
            y_title: &ask.t("progression-scores-y"),
            y_label: |n| n.to_string(),
            y_unit: 1,
        },
        &groups,
        &[
            Bars::new(&ask.t("col-improved"), "improved", improved),
            Bars::new(&ask.t("col-held"), "held", held),
            Bars::new(&ask.t("col-worsened"), "worsened", worsened),
        ],
    );
    let visited = bar_chart(
        &Axes {
            title: &ask.t("progression-hours-title"),
            x_title: &x_title,
            y_title: &ask.t("progression-hours-y"),
            y_label: |minutes| afregning_tariff::money::danish_hours(u64::try_from(minutes).unwrap_or(0)),
            y_unit: 60,
        },
        &groups,
        &[
            Bars::new(&ask.t("col-before"), "before", before),
            Bars::new(&ask.t("col-during"), "during", during),
            Bars::new(&ask.t("col-after"), "after", after),
        ],
    );
    let table = view.table(table);
    Ok(html! {
        (picker)
        p class="note" { (note) }
        section { (table) }
        section { (scores) (visited) }
    })
}
