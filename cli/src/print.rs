//! How the CLI shows things to people: amounts in Danish kroner (`1.234,56`), periods as
//! `2026-04`, tables that fit a terminal, and progress bars that disappear when the output is
//! not a terminal or the caller wants quiet.

use afregning_proto::common::v1 as pbc;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whole items per second (integers: floats stay out of this code base).
pub fn per_second(n: u64, d: std::time::Duration) -> u64 {
    u64::try_from(u128::from(n) * 1_000_000 / d.as_micros().max(1)).unwrap_or(u64::MAX)
}

/// Øre as Danish kroner: `90.823,39`.
pub fn kr(ore: i64) -> String {
    afregning_tariff::Ore::new(ore).to_danish()
}

/// Basis points as a percentage: `83,33 %`.
pub fn percent(basis_points: i64) -> String {
    afregning_tariff::money::danish_percent(basis_points)
}

/// `2026-04`.
pub fn period(p: Option<pbc::Period>) -> String {
    p.map(|p| format!("{:04}-{:02}", p.year, p.month)).unwrap_or_default()
}

/// `2026-04-30`.
pub fn date(d: Option<pbc::Date>) -> String {
    d.map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)).unwrap_or_default()
}

/// What a grant pays for, in words: `personal_care`, `package personal_care_package`,
/// `DEVELOPING level 3`, `INDIVIDUAL`.
pub fn unit_of(grant: &afregning_proto::visitation::v1::Grant) -> String {
    let Some(terms) = &grant.terms else {
        return String::new();
    };
    match pbc::UnitKind::try_from(terms.unit_kind) {
        Ok(pbc::UnitKind::Service) => terms.service_category.clone(),
        Ok(pbc::UnitKind::Package) => format!("package {}", terms.package),
        Ok(pbc::UnitKind::Course) => {
            let course = grant.course.as_ref();
            let kind = course
                .and_then(|c| pbc::CourseType::try_from(c.course_type).ok())
                .map(|t| t.as_str_name().trim_start_matches("COURSE_TYPE_").to_owned())
                .unwrap_or_default();
            match course.map(|c| c.level).unwrap_or_default() {
                0 => kind,
                level => format!("{kind} level {level}"),
            }
        }
        _ => String::new(),
    }
}

/// A table with a header row; columns named in `right` are right-aligned (amounts).
pub fn table(header: &[&str], right: &[usize]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    for &column in right {
        if let Some(c) = table.column_mut(column) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

/// Frames' follow-up as a table: budget, consumed, expected rest and result, percentages, and
/// whether a deviation must be explained.
pub fn follow_up_table(frames: &[afregning_proto::budget::v1::FrameStatus]) -> Table {
    let mut shown = table(
        &[
            "frame",
            "budget",
            "consumed",
            "expected rest",
            "expected result",
            "consumed %",
            "of year %",
            "explain?",
        ],
        &[1, 2, 3, 4, 5, 6],
    );
    for f in frames {
        let bp = |p: Option<afregning_proto::budget::v1::Percent>| percent(p.map(|p| p.basis_points).unwrap_or_default());
        shown.add_row(vec![
            f.frame.clone(),
            kr(f.budget_ore),
            kr(f.consumed_ore),
            kr(f.expected_rest_from_commitments_ore + f.expected_rest_from_leader_ore),
            kr(f.expected_result_ore),
            bp(f.consumption),
            bp(f.profile_share),
            if f.explanation_required { "yes" } else { "" }.to_owned(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_percentages_read_the_danish_way() {
        assert_eq!(kr(9_082_339), "90.823,39");
        assert_eq!(kr(-555_000), "-5.550,00");
        assert_eq!(percent(8_333), "83,33 %");
        assert_eq!(percent(-5), "-0,05 %");
        assert_eq!(period(Some(pbc::Period { year: 2026, month: 4 })), "2026-04");
    }
}
