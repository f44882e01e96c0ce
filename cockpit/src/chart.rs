//! Charts drawn on the server as SVG: axes with ticks at round values, labelled in Danish
//! figures with their unit, gridlines, a legend, and a title a screen reader can read. Integer
//! arithmetic throughout; no script runs in the browser. Every word is escaped by `maud`, and the
//! viewBox lets a chart shrink to a phone's width.

use maud::{Markup, html};

const WIDTH: i64 = 820;
const HEIGHT: i64 = 380;
const LEFT: i64 = 120;
const RIGHT: i64 = 20;
const TOP: i64 = 40;
const BOTTOM: i64 = 60;

/// One line of a line chart: values at x positions (indexes into the x labels).
pub struct Line {
    /// The legend's name.
    pub name: String,
    /// The CSS class that colours it.
    pub class: &'static str,
    /// (x index, value).
    pub points: Vec<(usize, i64)>,
    /// Drawn dashed: a forecast rather than a fact.
    pub dashed: bool,
}

/// One series of a bar chart: a value per group.
pub struct Bars {
    /// The legend's name.
    pub name: String,
    /// The CSS class that colours it.
    pub class: &'static str,
    /// One value per group.
    pub values: Vec<i64>,
}

impl Bars {
    /// A series named `name`, coloured by `class`.
    pub fn new(name: &str, class: &'static str, values: Vec<i64>) -> Bars {
        Bars {
            name: name.to_owned(),
            class,
            values,
        }
    }
}

/// The axes' words: title, x axis, y axis (with its unit), and how a y value reads.
pub struct Axes<'a> {
    /// Above the chart and for screen readers.
    pub title: &'a str,
    /// Under the x labels.
    pub x_title: &'a str,
    /// Beside the y axis, naming the unit.
    pub y_title: &'a str,
    /// A tick value as people read it.
    pub y_label: fn(i64) -> String,
    /// Ticks fall on round multiples of this (100 øre for whole kroner, 60 minutes for hours).
    pub y_unit: i64,
}

/// A round step of about a sixth of `span`: 1, 2 or 5 × a power of ten.
fn nice_step(span: i64) -> i64 {
    let raw = (span / 6).max(1);
    let mut power: i64 = 1;
    while power.saturating_mul(10) <= raw {
        power *= 10;
    }
    [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10 * power)
}

/// The y range as round ticks covering `values` and zero, on multiples of `unit`.
fn ticks(values: impl Iterator<Item = i64>, unit: i64) -> Vec<i64> {
    let unit = unit.max(1);
    let (mut low, mut high) = (0i64, 0i64);
    for v in values {
        low = low.min(v);
        high = high.max(v);
    }
    if high == low {
        high = low + unit;
    }
    let step = nice_step((high - low + unit - 1) / unit) * unit;
    let first = low.div_euclid(step) * step;
    let mut out = vec![first];
    while out.last().is_some_and(|t| *t < high) {
        out.push(out.last().copied().unwrap_or_default() + step);
    }
    out
}

/// Maps values onto pixels between the top and bottom of the plot.
struct Scale {
    low: i64,
    high: i64,
}

impl Scale {
    fn y(&self, value: i64) -> i64 {
        let plot = i128::from(HEIGHT - TOP - BOTTOM);
        let offset = i128::from(self.high) - i128::from(value);
        let span = (i128::from(self.high) - i128::from(self.low)).max(1);
        TOP + i64::try_from(offset * plot / span).unwrap_or(0)
    }
}

fn frame(axes: &Axes<'_>, ticks: &[i64], scale: &Scale, body: Markup, x_labels: Markup, legend: Markup) -> Markup {
    let zero = scale.y(0);
    let (bottom, right) = (HEIGHT - BOTTOM, WIDTH - RIGHT);
    let mid_y = (TOP + HEIGHT - BOTTOM) / 2;
    html! {
        figure class="chart" {
            svg role="img" aria-label=(axes.title) viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) width=(WIDTH) height=(HEIGHT) xmlns="http://www.w3.org/2000/svg" {
                title { (axes.title) }
                @for t in ticks {
                    @let y = scale.y(*t);
                    line class="grid" x1=(LEFT) x2=(right) y1=(y) y2=(y) {}
                    text class="tick" x=(LEFT - 8) y=(y + 4) text-anchor="end" { ((axes.y_label)(*t)) }
                }
                line class="axis" x1=(LEFT) x2=(LEFT) y1=(TOP) y2=(bottom) {}
                line class="axis" x1=(LEFT) x2=(right) y1=(zero) y2=(zero) {}
                (body)
                (x_labels)
                text class="axis-title" x=((LEFT + WIDTH - RIGHT) / 2) y=(HEIGHT - 12) text-anchor="middle" { (axes.x_title) }
                text class="axis-title" transform=(format!("translate(16 {mid_y}) rotate(-90)")) text-anchor="middle" { (axes.y_title) }
                (legend)
            }
            figcaption { (axes.title) }
        }
    }
}

fn legend(entries: &[(&str, &'static str, bool)]) -> Markup {
    let mut x = LEFT;
    let mut placed = Vec::new();
    for (name, class, dashed) in entries {
        placed.push((x, *name, *class, *dashed));
        x += 40 + 7 * i64::try_from(name.chars().count()).unwrap_or(10);
    }
    html! {
        @for (x, name, class, dashed) in placed {
            line class=(class) x1=(x) x2=(x + 22) y1="16" y2="16" stroke-width="4" stroke-dasharray=[dashed.then_some("6 4")] {}
            text class="legend" x=(x + 28) y="20" { (name) }
        }
    }
}

/// A line chart over `x_labels` (e.g. the months of a year).
pub fn line_chart(axes: &Axes<'_>, x_labels: &[String], lines: &[Line]) -> Markup {
    let ticks = ticks(lines.iter().flat_map(|l| l.points.iter().map(|(_, v)| *v)), axes.y_unit);
    let scale = Scale {
        low: ticks.first().copied().unwrap_or_default(),
        high: ticks.last().copied().unwrap_or_default(),
    };
    let steps = i64::try_from(x_labels.len().saturating_sub(1).max(1)).unwrap_or(1);
    let x = |i: usize| LEFT + 10 + i64::try_from(i).unwrap_or(0) * (WIDTH - RIGHT - LEFT - 20) / steps;
    let body = html! {
        @for line in lines {
            @let points: Vec<String> = line.points.iter().map(|(i, v)| format!("{},{}", x(*i), scale.y(*v))).collect();
            polyline class=(line.class) fill="none" stroke-width="3" stroke-dasharray=[line.dashed.then_some("6 4")] points=(points.join(" ")) {
                title { (line.name) }
            }
            @for (i, v) in &line.points {
                circle class=(line.class) cx=(x(*i)) cy=(scale.y(*v)) r="3" {}
            }
        }
    };
    let labels = html! {
        @for (i, l) in x_labels.iter().enumerate() {
            text class="tick" x=(x(i)) y=(HEIGHT - BOTTOM + 18) text-anchor="middle" { (l) }
        }
    };
    let entries: Vec<(&str, &'static str, bool)> = lines.iter().map(|l| (l.name.as_str(), l.class, l.dashed)).collect();
    frame(axes, &ticks, &scale, body, labels, legend(&entries))
}

/// A grouped bar chart: one group per label, one bar per series.
pub fn bar_chart(axes: &Axes<'_>, groups: &[String], series: &[Bars]) -> Markup {
    let ticks = ticks(series.iter().flat_map(|s| s.values.iter().copied()), axes.y_unit);
    let scale = Scale {
        low: ticks.first().copied().unwrap_or_default(),
        high: ticks.last().copied().unwrap_or_default(),
    };
    let n = i64::try_from(groups.len().max(1)).unwrap_or(1);
    let group_width = (WIDTH - RIGHT - LEFT) / n;
    let bars = i64::try_from(series.len().max(1)).unwrap_or(1);
    let bar_width = (group_width * 4 / 5 / bars).max(2);
    let index = |i: usize| i64::try_from(i).unwrap_or(0);
    let body = html! {
        @for g in 0..groups.len() {
            @for (s, bar) in series.iter().enumerate() {
                @let value = bar.values.get(g).copied().unwrap_or_default();
                @let x = LEFT + index(g) * group_width + group_width / 10 + index(s) * bar_width;
                @let (y0, y1) = (scale.y(value.max(0)), scale.y(value.min(0)));
                rect class=(bar.class) x=(x) y=(y0) width=(bar_width - 2) height=((y1 - y0).max(1)) {
                    title { (bar.name) ": " ((axes.y_label)(value)) }
                }
            }
        }
    };
    let labels = html! {
        @for (g, label) in groups.iter().enumerate() {
            @let x = LEFT + index(g) * group_width + group_width / 2;
            text class="tick" x=(x) y=(HEIGHT - BOTTOM + 18) text-anchor="middle" {
                // A label may carry a second line after a newline.
                @for (i, line) in label.split('\n').enumerate() {
                    tspan x=(x) dy=(if i == 0 { 0 } else { 14 }) { (line.chars().take(30).collect::<String>()) }
                }
            }
        }
    };
    let entries: Vec<(&str, &'static str, bool)> = series.iter().map(|s| (s.name.as_str(), s.class, false)).collect();
    frame(axes, &ticks, &scale, body, labels, legend(&entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_values_and_zero() {
        assert_eq!(
            ticks([0, 12_000_000_000].into_iter(), 100),
            vec![
                0,
                2_000_000_000,
                4_000_000_000,
                6_000_000_000,
                8_000_000_000,
                10_000_000_000,
                12_000_000_000
            ]
        );
        assert_eq!(ticks([-150, 730].into_iter(), 1), vec![-200, 0, 200, 400, 600, 800]);
        // Minutes on whole hours: 1,620 minutes is 27 hours, ticks every 5 hours.
        assert_eq!(ticks([0, 1_620].into_iter(), 60), vec![0, 300, 600, 900, 1_200, 1_500, 1_800]);
        // Counts stay whole.
        assert_eq!(ticks([0, 2].into_iter(), 1), vec![0, 1, 2]);
    }

    #[test]
    fn a_chart_has_axes_labels_and_a_legend() {
        let axes = Axes {
            title: "Consumption",
            x_title: "month",
            y_title: "kr.",
            y_label: |v| format!("{v}"),
            y_unit: 1,
        };
        let svg = line_chart(
            &axes,
            &["jan".into(), "feb".into()],
            &[Line {
                name: "budget".into(),
                class: "budget",
                points: vec![(0, 10), (1, 20)],
                dashed: false,
            }],
        )
        .into_string();
        for part in [
            "<title>Consumption</title>",
            ">jan<",
            ">feb<",
            ">month<",
            ">kr.<",
            ">budget<",
            "<polyline",
        ] {
            assert!(svg.contains(part), "{part} missing from {svg}");
        }
    }
}
