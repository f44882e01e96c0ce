//! Tables, written once and shown two ways: as HTML in a horizontally scrolling wrapper (so a wide
//! table never widens a phone's page), and as a CSV file for Excel — UTF-8 with a byte order mark
//! (so Excel reads æ, ø and å), semicolons between fields, decimal commas without thousands
//! separators, and Danish dates — behind each table's download link.

use afregning_tariff::money::{danish_hours, danish_hundredths};
use maud::{Markup, html};

use crate::html::{count, hours, hours_per_week, money, percent};

/// The byte order mark Excel needs to read a CSV file as UTF-8.
pub const BOM: &str = "\u{feff}";

/// Most rows one table shows, so no answer makes a page without end.
pub const MAX_ROWS: usize = 5_000;

/// One cell: how it shows on the page, how it reads in the CSV file, and whether it is a figure
/// (right-aligned in tabular digits) or text (left-aligned).
pub struct Cell {
    html: Markup,
    csv: String,
    figure: bool,
    /// Long prose (an explanation): given room, so it does not wrap a word per line.
    wide: bool,
}

/// Hundredths (øre, basis points) as a spreadsheet reads them: `-18000,00`.
fn plain_hundredths(hundredths: i64) -> String {
    danish_hundredths(hundredths).replace('.', "")
}

impl Cell {
    /// Text, left-aligned.
    pub fn text(text: impl Into<String>) -> Cell {
        let text = text.into();
        Cell {
            html: html! { (text) },
            csv: text,
            figure: false,
            wide: false,
        }
    }

    /// Text shown as `html` (a name with its code on hover, a link), read as `csv`.
    pub fn rich(html: Markup, csv: impl Into<String>) -> Cell {
        Cell {
            html,
            csv: csv.into(),
            figure: false,
            wide: false,
        }
    }

    /// Text that links to `href`.
    pub fn link(text: impl Into<String>, href: &str) -> Cell {
        let text = text.into();
        Cell {
            html: html! { a href=(href) { (text) } },
            csv: text,
            figure: false,
            wide: false,
        }
    }

    /// An amount in øre, checkable.
    pub fn money(key: &str, ore: i64) -> Cell {
        Cell {
            html: money(key, ore),
            csv: plain_hundredths(ore),
            figure: true,
            wide: false,
        }
    }

    /// An amount in øre linking to where it comes from.
    pub fn money_link(key: &str, ore: i64, href: &str) -> Cell {
        Cell {
            html: html! { a href=(href) { (money(key, ore)) } },
            csv: plain_hundredths(ore),
            figure: true,
            wide: false,
        }
    }

    /// A percentage from basis points, checkable.
    pub fn percent(key: &str, basis_points: i64) -> Cell {
        Cell {
            html: percent(key, basis_points),
            csv: plain_hundredths(basis_points),
            figure: true,
            wide: false,
        }
    }

    /// Minutes as hours, checkable.
    pub fn hours(key: &str, minutes: u64) -> Cell {
        Cell {
            html: hours(key, minutes),
            csv: danish_hours(minutes).replace('.', ""),
            figure: true,
            wide: false,
        }
    }

    /// Minutes per week as hours per week, checkable.
    pub fn hours_per_week(key: &str, minutes: u32) -> Cell {
        Cell {
            html: hours_per_week(key, minutes),
            csv: danish_hours(u64::from(minutes)).replace('.', ""),
            figure: true,
            wide: false,
        }
    }

    /// A count, checkable.
    pub fn count(key: &str, n: u32) -> Cell {
        Cell {
            html: count(key, n),
            csv: n.to_string(),
            figure: true,
            wide: false,
        }
    }

    /// Minutes with their sign: a real minus on the page, a plain number in the spreadsheet.
    pub fn signed_minutes(minutes: i64) -> Cell {
        Cell {
            csv: minutes.to_string(),
            ..Cell::figure_text(afregning_client::format::signed_minutes(minutes))
        }
    }

    /// A figure-like text (a date, a month, a number without a check), right-aligned.
    pub fn figure_text(text: impl Into<String>) -> Cell {
        let text = text.into();
        Cell {
            html: html! { (text) },
            csv: text,
            figure: true,
            wide: false,
        }
    }

    /// No value.
    pub fn empty() -> Cell {
        Cell::figure_text("")
    }

    /// This cell given room for long prose.
    pub fn wide(mut self) -> Cell {
        self.wide = true;
        self
    }

    /// This cell shown in bold, for a total.
    pub fn strong(mut self) -> Cell {
        self.html = html! { strong { (self.html) } };
        self
    }
}

/// One table: its id (the CSV file's name and the `table=` of its download link), its column
/// headings and its rows.
pub struct Table {
    /// Unique on its page: `[a-z0-9-]`.
    pub id: String,
    /// Column headings; a figure column's heading is right-aligned like its cells.
    pub headings: Vec<String>,
    /// The rows, each as many cells as there are headings.
    pub rows: Vec<Vec<Cell>>,
    /// A last row of totals, set off in bold.
    pub total: Option<Vec<Cell>>,
}

impl Table {
    /// An empty table named `id` with `headings`.
    pub fn new(id: &str, headings: Vec<String>) -> Table {
        let id = id
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
            .collect();
        Table {
            id,
            headings,
            rows: Vec::new(),
            total: None,
        }
    }

    /// Adds a row (beyond [`MAX_ROWS`] rows are left out).
    pub fn row(&mut self, cells: Vec<Cell>) {
        assert_eq!(
            cells.len(),
            self.headings.len(),
            "a row of table {} has as many cells as headings",
            self.id
        );
        if self.rows.len() < MAX_ROWS {
            self.rows.push(cells);
        }
    }

    /// Sets the row of totals.
    pub fn total(&mut self, cells: Vec<Cell>) {
        assert_eq!(
            cells.len(),
            self.headings.len(),
            "the total of table {} has as many cells as headings",
            self.id
        );
        self.total = Some(cells);
    }

    /// Whether column `i` holds figures: most of its cells are.
    fn figure_column(&self, i: usize) -> bool {
        let cells: Vec<&Cell> = self.rows.iter().chain(self.total.iter()).filter_map(|r| r.get(i)).collect();
        let figures = cells.iter().filter(|c| c.figure).count();
        figures > 0 && figures * 2 >= cells.len()
    }

    /// The table in its scrolling wrapper, with a link to download it as `csv_href`.
    pub fn to_html(&self, csv_href: &str, csv_label: &str) -> Markup {
        let cells = |row: &Vec<Cell>| {
            html! {
                @for cell in row {
                    td class=[if cell.figure { Some("n") } else if cell.wide { Some("wide") } else { None }] { (cell.html) }
                }
            }
        };
        html! {
            div class="scroll" {
                table id=(format!("table-{}", self.id)) {
                    thead { tr {
                        @for (i, heading) in self.headings.iter().enumerate() {
                            th class=[self.figure_column(i).then_some("n")] scope="col" { (heading) }
                        }
                    } }
                    tbody {
                        @for row in &self.rows { tr { (cells(row)) } }
                        @if let Some(total) = &self.total { tr class="sum" { (cells(total)) } }
                    }
                }
            }
            p { a class="csv" href=(csv_href) download=(format!("{}.csv", self.id)) { (csv_label) } }
        }
    }

    /// The table as a CSV file for Excel: BOM, `;`, CRLF, fields quoted where they must be.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(BOM);
        let mut line = |fields: &mut dyn Iterator<Item = &str>| {
            let fields: Vec<String> = fields.map(csv_field).collect();
            out.push_str(&fields.join(";"));
            out.push_str("\r\n");
        };
        line(&mut self.headings.iter().map(String::as_str));
        for row in self.rows.iter().chain(self.total.iter()) {
            line(&mut row.iter().map(|c| c.csv.as_str()));
        }
        out
    }
}

/// A field quoted when it holds a separator, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_reads_in_excel_the_danish_way() {
        let mut table = Table::new("Frame SOCIAL", vec!["leverandør".into(), "beløb".into(), "andel".into()]);
        table.row(vec![
            Cell::text("Plejegruppen; ApS"),
            Cell::money("x", -1_800_000),
            Cell::percent("y", 3_712),
        ]);
        table.row(vec![
            Cell::text("Sagt \"nej\""),
            Cell::money("z", 123_456_789),
            Cell::hours("h", 90),
        ]);
        assert_eq!(table.id, "frame-social");
        assert_eq!(
            table.to_csv(),
            "\u{feff}leverandør;beløb;andel\r\n\"Plejegruppen; ApS\";-18000,00;37,12\r\n\"Sagt \"\"nej\"\"\";1234567,89;1,50\r\n"
        );
        let html = table.to_html("/x?format=csv&table=frame-social", "CSV").into_string();
        assert!(html.starts_with(r#"<div class="scroll"><table id="table-frame-social">"#), "{html}");
        assert!(
            html.contains(r#"<th scope="col">leverandør</th><th class="n" scope="col">beløb</th>"#),
            "{html}"
        );
        assert!(html.contains(r#"<td>Plejegruppen; ApS</td><td class="n">"#), "{html}");
        assert!(html.contains("Sagt &quot;nej&quot;"), "{html}");
    }
}
