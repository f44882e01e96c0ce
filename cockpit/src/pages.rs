//! Each page's body, from the services' answers.

use std::collections::BTreeMap;

use afregning_proto::budget::v1 as pbb;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pbs;
use afregning_proto::visitation::v1 as pbv;
use chrono::{Datelike, NaiveDate};

use super::chart::{Axes, Bars, Line, bar_chart, line_chart};
use super::html::{count, date_text, escape, hours, hours_per_week, kr_axis, money, percent};
use afregning_client::connect::Clients;

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];

/// A table row of `tag` cells (HTML already), the columns after the first right-aligned.
fn table_row<'c>(tag: &str, cells: impl Iterator<Item = std::borrow::Cow<'c, str>>) -> String {
    let mut out = String::from("<tr>");
    for (i, cell) in cells.enumerate() {
        let class = if i == 0 { "" } else { r#" class="n""# };
        out.push_str(&format!("<{tag}{class}>{cell}</{tag}>"));
    }
    out.push_str("</tr>");
    out
}

fn row(cells: &[String]) -> String {
    table_row("td", cells.iter().map(|c| c.as_str().into()))
}

fn header(cells: &[&str]) -> String {
    table_row("th", cells.iter().map(|c| escape(c).into()))
}

/// A form that reloads the page with other parameters: plain HTML, no script.
fn form(path: &str, fields: &[(&str, &str, &str, String)]) -> String {
    let inputs: String = fields
        .iter()
        .map(|(name, label, kind, value)| {
            format!(
                r#"<label>{} <input name="{name}" type="{kind}" value="{}"></label> "#,
                escape(label),
                escape(value)
            )
        })
        .collect();
    format!(r#"<form method="get" action="{path}">{inputs}<button type="submit">Show</button></form>"#)
}

/// `/`: every frame's status at `as_of` and its curve over the year.
// One piece: the page is written top to bottom in the order a reader sees it.
pub async fn follow_up(clients: &mut Clients, as_of: NaiveDate, today: NaiveDate) -> anyhow::Result<String> {
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
    let frames: BTreeMap<String, pbb::Frame> = clients
        .budget
        .list_frames(pbb::ListFramesRequest { year, page: None })
        .await?
        .into_inner()
        .frames
        .into_iter()
        .map(|f| (f.frame.clone(), f))
        .collect();
    let mut body = form("/", &[("as_of", "Status at", "text", date_text(Some(pbc::Date::from(as_of))))]);
    if statuses.is_empty() {
        body.push_str(&format!("<section><p>No frames are set for {year}.</p></section>"));
    }
    for s in &statuses {
        let f = &s.frame;
        let info = frames.get(f);
        let name = info.map(|i| i.name.as_str()).unwrap_or(f.as_str());
        let committee = info.map(|i| i.committee.as_str()).unwrap_or_default();
        let series = clients
            .budget
            .get_follow_up_series(pbb::GetFollowUpSeriesRequest { frame: f.clone(), year })
            .await?
            .into_inner();
        let key = |what: &str| format!("frame:{f}:{what}");
        let bp = |p: Option<pbb::Percent>| p.map(|p| p.basis_points).unwrap_or_default();
        let deviation = if s.explanation_required {
            r#"<p class="warn">The expected overrun exceeds the threshold: a deviation explanation (afvigelsesforklaring) with corrective actions awaits before the month can be closed.</p>"#
        } else if s.expected_result_ore < 0 {
            r#"<p class="warn">An overrun is expected; it is within the threshold or already explained.</p>"#
        } else {
            r#"<p class="ok">No overrun expected: no deviation awaits explanation.</p>"#
        };
        let figures = [
            ("Budget (after reallocations)", money(&key("budget"), s.budget_ore)),
            ("Consumed", money(&key("consumed"), s.consumed_ore)),
            (
                "Consumption percentage (forbrugsprocent)",
                percent(&key("consumption"), bp(s.consumption)),
            ),
            ("The profile releases", percent(&key("profile_share"), bp(s.profile_share))),
            (
                "Expected rest of year from commitments",
                money(&key("rest_commitments"), s.expected_rest_from_commitments_ore),
            ),
            (
                "Expected rest of year from the leader's expected accounts",
                if s.has_leader_forecast {
                    money(&key("rest_leader"), s.expected_rest_from_leader_ore)
                } else {
                    "none submitted".to_owned()
                },
            ),
            (
                "Expected result (negative is an overrun)",
                money(&key("expected_result"), s.expected_result_ore),
            ),
        ];
        let table: String = figures.iter().map(|(label, value)| row(&[escape(label), value.clone()])).collect();
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
                name: "budget profile".into(),
                class: "budget",
                points: series.points.iter().map(|p| (index(p.month), p.budget_cumulative_ore)).collect(),
                dashed: false,
            },
            Line {
                name: "consumed".into(),
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
                name: "forecast from commitments".into(),
                class: "commitments",
                points: forecast_points(|p| p.commitments_forecast_cumulative_ore),
                dashed: true,
            },
        ];
        if s.has_leader_forecast {
            lines.push(Line {
                name: "forecast from expected accounts".into(),
                class: "leader",
                points: forecast_points(|p| p.leader_forecast_cumulative_ore),
                dashed: true,
            });
        }
        let title = format!("{name}: consumption against the budget profile, {year}");
        let chart = line_chart(
            &Axes {
                title: &title,
                x_title: &format!("month of {year}"),
                y_title: "kr. (cumulative)",
                y_label: kr_axis,
                y_unit: 100,
            },
            &MONTHS.map(str::to_owned),
            &lines,
        );
        body.push_str(&format!(
            r#"<section id="frame-{fid}"><h3>{name} ({fid}){committee}</h3><p class="note">Status at {date}.</p><table>{table}</table>{deviation}{chart}<p class="note">The curve shows consumption through the last month ended by today, {today}; the dashed forecasts run from there to December.</p></section>"#,
            fid = escape(f),
            name = escape(name),
            committee = if committee.is_empty() { String::new() } else { format!(" — {}", escape(committee)) },
            date = date_text(s.as_of.or(Some(pbc::Date::from(as_of)))),
            today = date_text(Some(pbc::Date::from(today))),
        ));
    }
    Ok(body)
}

fn state_name(state: i32) -> &'static str {
    match pbb::CaseState::try_from(state) {
        Ok(pbb::CaseState::Proposed) => "proposed: awaiting both committees",
        Ok(pbb::CaseState::Approved) => "approved: awaiting execution by finance",
        Ok(pbb::CaseState::Rejected) => "rejected",
        Ok(pbb::CaseState::Executed) => "executed",
        _ => "unknown",
    }
}

fn period_text(p: Option<pbc::Period>) -> String {
    p.map(|p| format!("{:02}.{:04}", p.month, p.year)).unwrap_or_default()
}

/// `/cases`: the quarter's reallocation cases.
// One piece: the page is written top to bottom in the order a reader sees it.
pub async fn cases(clients: &mut Clients, (year, quarter): (i32, i32)) -> anyhow::Result<String> {
    let cases = clients
        .budget
        .list_reallocation_cases(pbb::ListReallocationCasesRequest {
            quarter: Some(pbc::Quarter { year, quarter }),
            ..Default::default()
        })
        .await?
        .into_inner()
        .cases;
    let names = provider_names(clients).await?;
    let (prev, next) = (
        if quarter == 1 { (year - 1, 4) } else { (year, quarter - 1) },
        if quarter == 4 { (year + 1, 1) } else { (year, quarter + 1) },
    );
    let mut body = format!(
        r#"<p><a href="/cases?quarter={}-Q{}">← {}-Q{}</a> · <strong>{year}-Q{quarter}</strong> · <a href="/cases?quarter={}-Q{}">{}-Q{} →</a></p>"#,
        prev.0, prev.1, prev.0, prev.1, next.0, next.1, next.0, next.1
    );
    if cases.is_empty() {
        body.push_str(&format!(
            "<section><p>No reallocation case for {year}-Q{quarter}: either no care was bought across committee lines, or finance has not proposed the quarter yet.</p></section>"
        ));
    }
    for c in &cases {
        let id = &c.case_id;
        let approvals: String = c
            .approvals
            .iter()
            .map(|a| {
                row(&[
                    escape(&a.committee),
                    if a.approved { "approved".into() } else { "rejected".into() },
                    escape(&a.decided_by),
                    escape(&a.comment),
                ])
            })
            .collect();
        let purchases: String = c
            .purchases
            .iter()
            .map(|p| {
                row(&[
                    escape(names.get(&p.provider_id).map(String::as_str).unwrap_or(&p.provider_id)),
                    period_text(p.period),
                    escape(&p.paying_frame),
                    escape(&p.need_frame),
                    money(&format!("case:{id}:purchase:{}", p.posting_id), p.amount_ore),
                ])
            })
            .collect();
        let entries: String = c
            .entries
            .iter()
            .map(|e| row(&[escape(&e.frame), money(&format!("case:{id}:entry:{}", e.frame), e.amount_ore)]))
            .collect();
        let executed = if c.entries.is_empty() {
            String::new()
        } else {
            let sum: i64 = c.entries.iter().map(|e| e.amount_ore).sum();
            format!(
                "<h4>Ledger entries at execution</h4><table>{}{entries}{}</table>",
                header(&["frame", "amount"]),
                row(&["sum (net zero)".into(), money(&format!("case:{id}:entries_sum"), sum)])
            )
        };
        body.push_str(&format!(
            r#"<section id="case-{eid}"><h3>{from} → {to}: {amount}</h3><p>Case {eid} — <strong>{state}</strong>. {from}'s budget moves to {to}, which paid for care whose need {from} owns.</p><h4>Approvals (both committees)</h4><table>{ah}{approvals}</table><h4>The purchases behind it</h4><table>{ph}{purchases}</table>{executed}</section>"#,
            eid = escape(id),
            from = escape(&c.from_frame),
            to = escape(&c.to_frame),
            amount = money(&format!("case:{id}:amount"), c.amount_ore),
            state = state_name(c.state),
            ah = header(&["committee", "decision", "by", "comment"]),
            ph = header(&["provider", "month", "paid by", "need owned by", "amount"]),
        ));
    }
    Ok(body)
}

async fn provider_names(clients: &mut Clients) -> anyhow::Result<BTreeMap<String, String>> {
    let providers = clients
        .settlement
        .list_providers(pbs::ListProvidersRequest {
            page: Some(pbc::PageRequest {
                page_size: 1_000,
                page_token: String::new(),
            }),
        })
        .await?
        .into_inner()
        .providers;
    Ok(providers.into_iter().map(|p| (p.provider_id, p.name)).collect())
}

fn course_type_name(t: i32) -> &'static str {
    match pbc::CourseType::try_from(t) {
        Ok(pbc::CourseType::Developing) => "DEVELOPING (udviklende)",
        Ok(pbc::CourseType::Maintaining) => "MAINTAINING (fastholdende)",
        Ok(pbc::CourseType::Individual) => "INDIVIDUAL (individuel)",
        _ => "unknown",
    }
}

fn course_type_code(t: i32) -> &'static str {
    pbc::CourseType::try_from(t)
        .map(|t| t.as_str_name().trim_start_matches("COURSE_TYPE_"))
        .unwrap_or("UNKNOWN")
}

/// `/progression`: per lead provider and course type.
// One piece: the page is written top to bottom in the order a reader sees it.
pub async fn progression(clients: &mut Clients, as_of: NaiveDate) -> anyhow::Result<String> {
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
    let mut body = form("/progression", &[("as_of", "At", "text", date_text(Some(pbc::Date::from(as_of))))]);
    body.push_str(&format!(
        r#"<p class="note">Courses started by {}, by lead provider. Function (FSIII) is compared between the latest assessment on or before a course's first day and the latest after it; visited hours are the citizen's average per week in the 90 days before the course period, during it so far, and in the 90 days after it (only courses whose period has ended; days through the date shown). Courses are due for follow-up within 30 days.</p>"#,
        date_text(Some(pbc::Date::from(as_of)))
    ));
    if rows.is_empty() {
        body.push_str("<section><p>No course has started yet.</p></section>");
        return Ok(body);
    }
    let mut table = header(&[
        "provider",
        "course type",
        "courses",
        "improved",
        "held",
        "worsened",
        "not assessed",
        "before",
        "during",
        "after",
        "ended",
        "due for follow-up",
    ]);
    let mut groups = Vec::new();
    let (mut improved, mut held, mut worsened) = (Vec::new(), Vec::new(), Vec::new());
    let (mut before, mut during, mut after) = (Vec::new(), Vec::new(), Vec::new());
    for r in &rows {
        let key = |what: &str| format!("progression:{}:{}:{what}", r.provider_id, course_type_code(r.course_type));
        table.push_str(&row(&[
            escape(&r.provider_name),
            course_type_name(r.course_type).to_owned(),
            count(&key("courses"), r.courses),
            count(&key("improved"), r.improved),
            count(&key("held"), r.held),
            count(&key("worsened"), r.worsened),
            count(&key("not_assessed"), r.not_assessed),
            hours_per_week(&key("before"), r.before_minutes_per_week),
            hours_per_week(&key("during"), r.during_minutes_per_week),
            hours_per_week(&key("after"), r.after_minutes_per_week),
            count(&key("ended"), r.courses_ended),
            count(&key("due"), r.due_for_follow_up),
        ]));
        groups.push(format!("{}\n{}", r.provider_name, course_type_code(r.course_type)));
        improved.push(i64::from(r.improved));
        held.push(i64::from(r.held));
        worsened.push(i64::from(r.worsened));
        before.push(i64::from(r.before_minutes_per_week));
        during.push(i64::from(r.during_minutes_per_week));
        after.push(i64::from(r.after_minutes_per_week));
    }
    let scores = bar_chart(
        &Axes {
            title: "Function over the course: citizens who improved, held or worsened",
            x_title: "lead provider and course type",
            y_title: "citizens",
            y_label: |n| n.to_string(),
            y_unit: 1,
        },
        &groups,
        &[
            Bars::new("improved", "improved", improved),
            Bars::new("held", "held", held),
            Bars::new("worsened", "worsened", worsened),
        ],
    );
    let visited = bar_chart(
        &Axes {
            title: "Visited hours per week before, during and after the courses",
            x_title: "lead provider and course type",
            y_title: "hours per week",
            y_label: |minutes| afregning_tariff::money::danish_hours(u64::try_from(minutes).unwrap_or(0)),
            y_unit: 60,
        },
        &groups,
        &[
            Bars::new("before", "before", before),
            Bars::new("during", "during", during),
            Bars::new("after", "after", after),
        ],
    );
    body.push_str(&format!(
        "<section><table>{table}</table></section><section>{scores}{visited}</section>"
    ));
    Ok(body)
}

/// `/steering`: the models side by side for the months `from..=to`.
// One piece: the page is written top to bottom in the order a reader sees it.
pub async fn steering(clients: &mut Clients, from: (i32, i32), to: (i32, i32)) -> anyhow::Result<String> {
    let comparison = afregning_client::steering::compare(clients, from, to).await?;
    let months = |(y, m): (i32, i32)| format!("{m:02}.{y:04}");
    let mut body = form(
        "/steering",
        &[("from", "From month", "text", months(from)), ("to", "to month", "text", months(to))],
    );
    body.push_str(&format!(
        r#"<p class="note">The same citizens, grants and deliveries of {}–{} priced three ways. <strong>Frame budgeting</strong> (rammestyring): each frame's budget for the months, split between its providers by their visited time on the first day, whatever they deliver. <strong>Activity budgeting</strong> (aktivitetsstyring): delivered hours × hourly rate by time band. <strong>Course budgeting</strong> (forløbsstyring): a weekly course tariff by level, fixed at each course's start (the progression rule). <em>As settled</em> is what the statements pay under today's catalog.</p>"#,
        months(from),
        months(to)
    ));
    let mut table = header(&[
        "provider",
        "frame",
        "share of frames",
        "activity",
        "course",
        "as settled",
        "delivered",
        "visited",
    ]);
    let mut groups = Vec::new();
    let mut bars: [Vec<i64>; 4] = Default::default();
    let mut explained = String::new();
    let total = comparison.total.clone().unwrap_or_default();
    let everyone = std::iter::once(("total", "all providers", &total));
    let rows = comparison
        .providers
        .iter()
        .map(|p| (p.provider_id.as_str(), p.name.as_str(), p.figures.as_ref()))
        .filter_map(|(id, name, f)| Some((id, name, f?)))
        .chain(everyone);
    for (id, name, f) in rows {
        let key = |what: &str| format!("steering:{id}:{what}");
        table.push_str(&row(&[
            if id == "total" {
                format!("<strong>{}</strong>", escape(name))
            } else {
                escape(name)
            },
            f.frame_ore.map(|o| money(&key("frame"), o)).unwrap_or_else(|| "–".into()),
            percent(&key("frame_share"), f.frame_share_basis_points),
            money(&key("activity"), f.activity_ore),
            money(&key("course"), f.course_ore),
            money(&key("current"), f.current_ore),
            hours(&key("delivered"), f.delivered_minutes),
            hours(&key("visited"), f.visited_minutes),
        ]));
        if id != "total" {
            groups.push(name.to_owned());
            bars[0].push(f.frame_ore.unwrap_or_default());
            bars[1].push(f.activity_ore);
            bars[2].push(f.course_ore);
            bars[3].push(f.current_ore);
        }
        let lines: String = f.explanations.iter().map(|l| format!("<li>{}</li>", escape(l))).collect();
        explained.push_str(&format!("<h4>{}</h4><ul>{lines}</ul>", escape(name)));
    }
    let [frame, activity, course, current] = bars;
    let chart = bar_chart(
        &Axes {
            title: "What each steering model would have paid, per provider",
            x_title: "provider",
            y_title: "kr.",
            y_label: kr_axis,
            y_unit: 100,
        },
        &groups,
        &[
            Bars::new("frame", "frame", frame),
            Bars::new("activity", "activity", activity),
            Bars::new("course", "course", course),
            Bars::new("as settled", "current", current),
        ],
    );
    let unallocated: String = comparison
        .unallocated
        .iter()
        .map(|u| {
            format!(
                "<p class=\"note\">{} of {}'s budget pays no provider's grant: nobody gets it under frame budgeting.</p>",
                money(&format!("steering:unallocated:{}", u.frame), u.amount_ore),
                escape(&u.frame)
            )
        })
        .collect();
    body.push_str(&format!(
        "<section><table>{table}</table>{unallocated}{chart}</section><section><h3>The differences explained</h3>{explained}</section>"
    ));
    Ok(body)
}
