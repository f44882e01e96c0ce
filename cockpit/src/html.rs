//! The cockpit's HTML: one layout, escaping, and figures in Danish formats. Every figure shown
//! carries the exact value it was formatted from (`data-check` names it, `data-value` holds øre,
//! minutes, basis points or a count), so a browser test can hold what people see against the API.

pub use afregning_client::format::{date_text, kr_text};
use afregning_tariff::money::{danish_hours, danish_hundredths, danish_percent};

/// `text` safe inside HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Øre as whole kroner for an axis: `1.200.000`.
pub fn kr_axis(ore: i64) -> String {
    let text = danish_hundredths(ore / 100 * 100);
    text.trim_end_matches(",00").to_owned()
}

fn figure(key: &str, value: i64, text: &str) -> String {
    format!(
        r#"<span class="figure" data-check="{}" data-value="{value}">{}</span>"#,
        escape(key),
        escape(text)
    )
}

/// An amount, checkable.
pub fn money(key: &str, ore: i64) -> String {
    figure(key, ore, &kr_text(ore))
}

/// Minutes shown as hours: `12,50 t`.
pub fn hours(key: &str, minutes: u64) -> String {
    figure(
        key,
        i64::try_from(minutes).unwrap_or(i64::MAX),
        &format!("{} t", danish_hours(minutes)),
    )
}

/// Minutes per week shown as hours per week.
pub fn hours_per_week(key: &str, minutes: u32) -> String {
    figure(key, i64::from(minutes), &format!("{} t/uge", danish_hours(u64::from(minutes))))
}

/// A percentage from basis points: `37,12 %`.
pub fn percent(key: &str, basis_points: i64) -> String {
    figure(key, basis_points, &danish_percent(basis_points))
}

/// A count.
pub fn count(key: &str, n: u32) -> String {
    figure(key, i64::from(n), &n.to_string())
}

/// The pages in the navigation: path and name.
const PAGES: [(&str, &str); 4] = [
    ("/", "Budget follow-up (budgetopfølgning)"),
    ("/cases", "Reallocation (omplacering)"),
    ("/progression", "Progression"),
    ("/steering", "Steering models (styringsmodeller)"),
];

const STYLE: &str = r#"
body { font-family: system-ui, sans-serif; margin: 0; color: #1d2733; background: #f6f7f9; }
header { background: #123a5a; color: white; padding: 12px 24px; }
header h1 { margin: 0; font-size: 20px; }
nav a { color: #cfe3f5; margin-right: 18px; text-decoration: none; }
nav a.here { color: white; font-weight: 600; border-bottom: 2px solid white; }
main { padding: 16px 24px; max-width: 1200px; }
section { background: white; border: 1px solid #dde2e8; border-radius: 6px; padding: 12px 16px; margin-bottom: 16px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e5e8ec; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.warn { color: #a4161a; font-weight: 600; }
.ok { color: #1b7a3a; }
.note { color: #55606e; font-size: 14px; }
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
figure.chart { margin: 8px 0; display: flex; flex-direction: column-reverse; align-items: flex-start; }
svg polyline { fill: none !important; }
figcaption { font-weight: 600; margin: 4px 0; }
"#;

/// A whole page: `title`, the navigation with `path` marked, and `body`.
pub fn page(path: &str, title: &str, body: &str) -> String {
    let nav: String = PAGES
        .iter()
        .map(|(href, name)| {
            let here = if *href == path { r#" class="here""# } else { "" };
            format!(r#"<a href="{href}"{here}>{}</a>"#, escape(name))
        })
        .collect();
    format!(
        r#"<!doctype html><html lang="da"><head><meta charset="utf-8"><title>{title} — Afregning</title><style>{STYLE}</style></head><body><header><h1>Afregning — the steering cockpit</h1><nav>{nav}</nav></header><main><h2>{title}</h2>{body}</main></body></html>"#,
        title = escape(title)
    )
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
            money("frame:SOCIAL:budget", 100),
            r#"<span class="figure" data-check="frame:SOCIAL:budget" data-value="100">1,00 kr.</span>"#
        );
        assert_eq!(escape(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}
