//! The cockpit's HTML: one layout, rendered by `maud` (which escapes every value it is handed), and
//! figures in Danish formats. Every figure shown carries the exact value it was formatted from
//! (`data-check` names it, `data-value` holds øre, minutes, basis points or a count), so a browser
//! test can hold what people see against the API.
//!
//! Figures, dates and times read the Danish way in both languages: the municipality's own
//! accounts are kept in them, and an English reader still checks them against Danish documents.

pub use afregning_client::format::{date_text, kr_text};
use afregning_client::i18n::{Lang, t};
use afregning_tariff::money::{danish_hours, danish_hundredths, danish_percent};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::Ask;

/// Øre as whole kroner for an axis: `1.200.000`.
pub fn kr_axis(ore: i64) -> String {
    let text = danish_hundredths(ore / 100 * 100);
    text.trim_end_matches(",00").to_owned()
}

/// A figure people read, carrying the exact value a test holds it to.
fn figure(key: &str, value: i64, text: &str) -> Markup {
    html! { span class="figure" data-check=(key) data-value=(value) { (text) } }
}

/// An amount, checkable.
pub fn money(key: &str, ore: i64) -> Markup {
    figure(key, ore, &kr_text(ore))
}

/// Minutes shown as hours: `12,50 t`.
pub fn hours(key: &str, minutes: u64) -> Markup {
    figure(
        key,
        i64::try_from(minutes).unwrap_or(i64::MAX),
        &format!("{} t", danish_hours(minutes)),
    )
}

/// Minutes per week shown as hours per week.
pub fn hours_per_week(key: &str, minutes: u32) -> Markup {
    figure(key, i64::from(minutes), &format!("{} t/uge", danish_hours(u64::from(minutes))))
}

/// A percentage from basis points: `37,12 %`.
pub fn percent(key: &str, basis_points: i64) -> Markup {
    figure(key, basis_points, &danish_percent(basis_points))
}

/// A count.
pub fn count(key: &str, n: u32) -> Markup {
    figure(key, i64::from(n), &n.to_string())
}

/// A wire instant in Danish local time (Europe/Copenhagen, summer time included): `30.06.2026 14:05`.
pub fn time_text(at: Option<&prost_types::Timestamp>) -> String {
    at.and_then(afregning_proto::convert::instant)
        .map(|at| {
            at.with_timezone(&chrono_tz::Europe::Copenhagen)
                .format("%d.%m.%Y %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// A month as Danes write it: `04.2026`.
pub fn month_text((year, month): (i32, i32)) -> String {
    format!("{month:02}.{year:04}")
}

/// The month of a wire period, `04.2026`.
pub fn period_text(p: Option<afregning_proto::common::v1::Period>) -> String {
    p.map(|p| month_text((p.year, p.month))).unwrap_or_default()
}

/// A name people read, with the code behind it on hover (`title`) for those who need it.
pub fn named(name: &str, code: &str) -> Markup {
    if name.is_empty() || name == code {
        return html! { (code) };
    }
    html! { span class="name" title=(code) { (name) } }
}

/// The pages in the navigation: path and message key.
const PAGES: [(&str, &str); 5] = [
    ("/", "nav-follow-up"),
    ("/cases", "nav-cases"),
    ("/progression", "nav-progression"),
    ("/steering", "nav-steering"),
    ("/review", "nav-review"),
];

/// Phone first: the body never scrolls sideways; wide tables scroll inside their own wrapper,
/// charts scale down with their viewBox, text columns sit left and figures right in tabular digits.
const STYLE: &str = r#"
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { font-family: system-ui, sans-serif; margin: 0; color: #1d2733; background: #f6f7f9; }
header { background: #123a5a; color: white; padding: 12px 16px; }
header h1 { margin: 0 0 6px; font-size: 20px; }
nav { display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: baseline; }
nav a { color: #cfe3f5; text-decoration: none; }
nav a.here { color: white; font-weight: 600; border-bottom: 2px solid white; }
nav a.lang { margin-left: auto; font-size: 14px; }
main { padding: 12px 16px; max-width: 1240px; }
h2 { font-size: 22px; margin: 8px 0 12px; overflow-wrap: anywhere; }
h3 { overflow-wrap: anywhere; }
p, li { overflow-wrap: anywhere; }
section { background: white; border: 1px solid #dde2e8; border-radius: 6px; padding: 12px 16px; margin-bottom: 16px; max-width: 100%; }
.scroll { overflow-x: auto; max-width: 100%; -webkit-overflow-scrolling: touch; margin: 8px 0; }
table { border-collapse: collapse; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e5e8ec; text-align: left; vertical-align: top; }
th { white-space: nowrap; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.wide { min-width: 22em; }
tr.sum td { font-weight: 600; border-top: 2px solid #c9d0d8; }
a.csv { font-size: 13px; color: #2a5d8a; }
form { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: end; margin-bottom: 12px; }
form label { display: flex; flex-direction: column; font-size: 14px; gap: 2px; }
input, button { font: inherit; padding: 4px 6px; }
.warn { color: #a4161a; font-weight: 600; }
.ok { color: #1b7a3a; }
.note { color: #55606e; font-size: 14px; }
.name { text-decoration: underline dotted #9aa5b1; }
svg { max-width: 100%; height: auto; }
svg text { font-size: 12px; fill: #1d2733; }
svg .axis { stroke: #1d2733; stroke-width: 1; }
svg .grid { stroke: #e5e8ec; stroke-width: 1; }
svg .axis-title { font-size: 13px; font-weight: 600; }
.budget, .frame, .held, .before { stroke: #7a8796; fill: #7a8796; }
.consumed { stroke: #123a5a; fill: #123a5a; }
.commitments, .current { stroke: #d9822b; fill: #d9822b; }
.leader { stroke: #8e44ad; fill: #8e44ad; }
.activity, .during { stroke: #2a7ab0; fill: #2a7ab0; }
.course, .improved, .after { stroke: #2e9e5b; fill: #2e9e5b; }
.worsened { stroke: #a4161a; fill: #a4161a; }
figure.chart { margin: 8px 0; display: flex; flex-direction: column-reverse; align-items: flex-start; max-width: 100%; }
svg polyline { fill: none !important; }
figcaption { font-weight: 600; margin: 4px 0; }
@media (max-width: 600px) {
  header, main { padding-left: 10px; padding-right: 10px; }
  section { padding: 10px; }
  th, td { padding: 4px 6px; }
}
"#;

/// A whole page in the reader's language: `title`, the navigation with `path` marked, and `body`.
pub fn page(ask: &Ask, path: &str, title: &str, body: Markup) -> Markup {
    let lang = ask.lang;
    let other = match lang {
        Lang::Da => Lang::En,
        Lang::En => Lang::Da,
    };
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Afregning" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { (t(lang, "cockpit-title")) }
                    nav {
                        @for (href, key) in PAGES {
                            a href=(ask.href(href)) class=[(href == path).then_some("here")] { (t(lang, key)) }
                        }
                        a class="lang" lang=(other.code()) href=(ask.switch_language(other)) { (t(lang, "switch-language")) }
                    }
                }
                main {
                    h2 { (title) }
                    (body)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use afregning_proto::common::v1 as pbc;

    #[test]
    fn figures_read_the_danish_way_and_carry_their_exact_value() {
        assert_eq!(kr_text(123_456_789), "1.234.567,89 kr.");
        assert_eq!(kr_text(-5), "-0,05 kr.");
        assert_eq!(kr_axis(12_000_000_000), "120.000.000");
        assert_eq!(
            date_text(Some(pbc::Date {
                year: 2026,
                month: 10,
                day: 31
            })),
            "31.10.2026"
        );
        assert_eq!(
            money("frame:SOCIAL:budget", 100).into_string(),
            r#"<span class="figure" data-check="frame:SOCIAL:budget" data-value="100">1,00 kr.</span>"#
        );
        assert_eq!(
            named("<Social>", "SOCIAL&").into_string(),
            r#"<span class="name" title="SOCIAL&amp;">&lt;Social&gt;</span>"#
        );
    }

    #[test]
    fn times_read_in_danish_local_time() {
        // 12:05 UTC is 14:05 in Copenhagen's summer time and 13:05 in its winter time.
        let summer = prost_types::Timestamp {
            seconds: 1_782_821_100,
            nanos: 0,
        };
        assert_eq!(time_text(Some(&summer)), "30.06.2026 14:05");
        let winter = prost_types::Timestamp {
            seconds: 1_767_269_100,
            nanos: 0,
        };
        assert_eq!(time_text(Some(&winter)), "01.01.2026 13:05");
        assert_eq!(time_text(None), "");
    }
}
