//! `/steering`: the steering models (styringsmodeller) side by side for a span of months — what
//! frame, activity and course budgeting would have paid each provider, beside what was settled.

use afregning_client::connect::Clients;
use maud::{Markup, html};

use super::{Field, Names, form};
use crate::View;
use crate::chart::{Axes, Bars, bar_chart};
use crate::html::{kr_axis, money, month_text};
use crate::table::{Cell, Table};

/// The page's body for the months `from..=to`.
// One piece: the page is written top to bottom in the order a reader sees it.
pub async fn page(view: &mut View<'_>, clients: &mut Clients, from: (i32, i32), to: (i32, i32)) -> anyhow::Result<Markup> {
    let ask = view.ask();
    let comparison = afregning_client::steering::compare(clients, from, to).await?;
    let names = Names::load(clients, to.0).await?;
    let iso = |(y, m): (i32, i32)| format!("{y:04}-{m:02}");
    let picker = form(
        ask,
        "/steering",
        &[
            Field {
                name: "from",
                label: "steering-from",
                kind: "month",
                value: iso(from),
            },
            Field {
                name: "to",
                label: "steering-to",
                kind: "month",
                value: iso(to),
            },
        ],
    );
    let mut table = Table::new(
        "steering",
        [
            "col-provider",
            "col-model-frame",
            "col-frame-share",
            "col-model-activity",
            "col-model-course",
            "col-as-settled",
            "col-delivered",
            "col-visited",
        ]
        .map(|k| ask.t(k))
        .to_vec(),
    );
    let mut groups = Vec::new();
    let mut bars: [Vec<i64>; 4] = Default::default();
    let mut explained = Vec::new();
    let total = comparison.total.clone().unwrap_or_default();
    let everyone = ask.t("steering-all-providers");
    for p in &comparison.providers {
        let Some(f) = &p.figures else { continue };
        let key = |what: &str| format!("steering:{}:{what}", p.provider_id);
        table.row(vec![
            Cell::rich(crate::html::named(&p.name, &p.provider_id), &p.name),
            f.frame_ore
                .map_or_else(|| Cell::figure_text("–"), |o| Cell::money(&key("frame"), o)),
            Cell::percent(&key("frame_share"), f.frame_share_basis_points),
            Cell::money(&key("activity"), f.activity_ore),
            Cell::money(&key("course"), f.course_ore),
            Cell::money(&key("current"), f.current_ore),
            Cell::hours(&key("delivered"), f.delivered_minutes),
            Cell::hours(&key("visited"), f.visited_minutes),
        ]);
        groups.push(p.name.clone());
        bars[0].push(f.frame_ore.unwrap_or_default());
        bars[1].push(f.activity_ore);
        bars[2].push(f.course_ore);
        bars[3].push(f.current_ore);
        explained.push((p.name.clone(), f.explanations.clone()));
    }
    let key = |what: &str| format!("steering:total:{what}");
    table.total(vec![
        Cell::text(&everyone).strong(),
        total
            .frame_ore
            .map_or_else(|| Cell::figure_text("–"), |o| Cell::money(&key("frame"), o)),
        Cell::percent(&key("frame_share"), total.frame_share_basis_points),
        Cell::money(&key("activity"), total.activity_ore),
        Cell::money(&key("course"), total.course_ore),
        Cell::money(&key("current"), total.current_ore),
        Cell::hours(&key("delivered"), total.delivered_minutes),
        Cell::hours(&key("visited"), total.visited_minutes),
    ]);
    explained.push((everyone, total.explanations.clone()));
    let [frame, activity, course, current] = bars;
    let chart = bar_chart(
        &Axes {
            title: &ask.t("steering-chart-title"),
            x_title: &ask.t("col-provider"),
            y_title: "kr.",
            y_label: kr_axis,
            y_unit: 100,
        },
        &groups,
        &[
            Bars::new(&ask.t("col-model-frame"), "frame", frame),
            Bars::new(&ask.t("col-model-activity"), "activity", activity),
            Bars::new(&ask.t("col-model-course"), "course", course),
            Bars::new(&ask.t("col-as-settled"), "current", current),
        ],
    );
    let span = [("from", month_text(from)), ("to", month_text(to))];
    let table = view.table(table);
    Ok(html! {
        (picker)
        div class="note" {
            p { (ask.t_args("steering-intro", &span)) }
            ul {
                li { strong { (ask.t("steering-frame-name")) } " — " (ask.t("steering-frame-text")) }
                li { strong { (ask.t("steering-activity-name")) } " — " (ask.t("steering-activity-text")) }
                li { strong { (ask.t("steering-course-name")) } " — " (ask.t("steering-course-text")) }
                li { em { (ask.t("col-as-settled")) } " — " (ask.t("steering-settled-text")) }
            }
        }
        section {
            (table)
            @for u in &comparison.unallocated {
                p class="note" {
                    (money(&format!("steering:unallocated:{}", u.frame), u.amount_ore)) " "
                    (ask.t_args("steering-unallocated", &[("frame", names.frame_text(&u.frame))]))
                }
            }
            (chart)
        }
        section {
            h3 { (ask.t("steering-explained")) }
            @for (name, lines) in &explained {
                h4 { (name) }
                ul { @for l in lines { li { (l) } } }
            }
        }
    })
}
