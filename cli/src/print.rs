//! How the CLI shows things to people: amounts in Danish kroner (`1.234,56`), months and dates
//! the Danish way (`04.2026`, `30.04.2026`), tables that fit a terminal, and progress bars that disappear when the output is
//! not a terminal or the caller wants quiet.

pub use afregning_client::format::{date, iso_date, iso_period, kr, percent, period, unit_of};
use afregning_proto::budget::v1 as pbb;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whole items per second (integers: floats stay out of this code base).
pub fn per_second(n: u64, d: std::time::Duration) -> u64 {
    u64::try_from(u128::from(n) * 1_000_000 / d.as_micros().max(1)).unwrap_or(u64::MAX)
}

/// Standard output for CSV a Danish spreadsheet opens as written: UTF-8 with a byte-order mark
/// first (without it, Excel reads "æ", "–" and "×" as Latin-1).
pub fn csv_stdout() -> std::io::Result<std::io::StdoutLock<'static>> {
    let mut stdout = std::io::stdout().lock();
    std::io::Write::write_all(&mut stdout, "\u{feff}".as_bytes())?;
    Ok(stdout)
}

/// Column headers from the message catalog, in the output's language.
pub fn headers(keys: &[&str]) -> Vec<String> {
    keys.iter().map(|key| afregning_client::i18n::tr(key)).collect()
}

/// A month the Danish way, `04.2026`.
pub fn month_text((year, month): (i32, i32)) -> String {
    format!("{month:02}.{year:04}")
}

/// A table with a header row; columns named in `right` are right-aligned (amounts).
pub fn table<S: AsRef<str>>(header: &[S], right: &[usize]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().map(|h| h.as_ref().to_owned()).collect::<Vec<_>>());
    for &column in right {
        if let Some(c) = table.column_mut(column) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

/// Frames' follow-up as a table: budget, consumed, the expected rest (the leader's expected
/// accounts where given, otherwise commitments) with the other forecast beside it, the expected
/// result (budget − consumed − expected rest), percentages, whether the month is closed and
/// whether a deviation must be explained.
pub fn follow_up_table(frames: &[pbb::FrameStatus]) -> Table {
    use afregning_client::i18n::{tr, tr_args};
    let mut shown = table(
        &headers(&[
            "follow-up-col-frame",
            "follow-up-col-budget",
            "follow-up-col-consumed",
            "follow-up-col-rest",
            "follow-up-col-rest-from",
            "follow-up-col-beside",
            "follow-up-col-result",
            "follow-up-col-consumed-share",
            "follow-up-col-year-share",
            "follow-up-col-closed",
            "follow-up-col-explain",
        ]),
        &[1, 2, 3, 5, 6, 7, 8],
    );
    for f in frames {
        let bp = |p: Option<pbb::Percent>| percent(p.map(|p| p.basis_points).unwrap_or_default());
        let (from, beside) = if f.expected_rest_source == pbb::ExpectedRestSource::Leader as i32 {
            (
                tr("follow-up-from-leader"),
                tr_args(
                    "follow-up-beside-commitments",
                    &[("amount", kr(f.expected_rest_from_commitments_ore))],
                ),
            )
        } else if f.has_leader_forecast {
            (
                tr("follow-up-from-commitments"),
                tr_args("follow-up-beside-leader", &[("amount", kr(f.expected_rest_from_leader_ore))]),
            )
        } else {
            (tr("follow-up-from-commitments"), String::new())
        };
        shown.add_row(vec![
            f.frame.clone(),
            kr(f.budget_ore),
            kr(f.consumed_ore),
            kr(f.expected_rest_ore),
            from,
            beside,
            kr(f.expected_result_ore),
            bp(f.consumption),
            bp(f.profile_share),
            if f.closed { tr("follow-up-closed") } else { String::new() },
            if f.explanation_required {
                tr("follow-up-explain")
            } else {
                String::new()
            },
        ]);
    }
    shown
}

/// Where a story goes: to the terminal, or nowhere (tests run the same story quietly).
#[derive(Clone, Copy, Debug)]
pub struct Out {
    quiet: bool,
}

impl Out {
    /// Prints to standard output.
    pub fn terminal() -> Out {
        Out { quiet: false }
    }

    /// Prints nothing.
    pub fn quiet() -> Out {
        Out { quiet: true }
    }

    /// A section heading.
    pub fn heading(&self, text: &str) {
        if !self.quiet {
            println!("\n\u{2500}\u{2500} {text}");
        }
    }

    /// One line of text.
    pub fn line(&self, text: impl AsRef<str>) {
        if !self.quiet {
            println!("{}", text.as_ref());
        }
    }

    /// A table.
    pub fn table(&self, table: &Table) {
        if !self.quiet {
            println!("{table}");
        }
    }

    /// A progress bar of `len` steps with `message` (hidden when quiet or not on a terminal).
    pub fn progress(&self, len: u64, message: &str) -> ProgressBar {
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        if self.quiet {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        bar.set_style(
            ProgressStyle::with_template("{msg:<24} [{bar:30}] {pos}/{len} {wide_msg}").unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(message.to_owned());
        bar
    }
}
