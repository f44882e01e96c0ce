//! The files people hand the CLI and get back: CSV with a header row, comma- or
//! semicolon-separated (a Danish spreadsheet writes semicolons and may put a byte-order mark
//! first), and the rows refused from one, shown on screen and written for a spreadsheet.

use std::path::Path;

use afregning_client::i18n::{tr, tr_args};

use crate::print::{Out, table};

/// A row of a file that is not taken, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The file's line, counting the header as line 1.
    pub line: usize,
    /// The row's id, as written.
    pub id: String,
    /// The column at fault.
    pub field: String,
    /// What is wrong, in words a person can act on.
    pub why: String,
}

/// A CSV file's records, each with its line, and where each wanted column is.
pub type CsvRecords<const N: usize> = (Vec<(usize, csv::StringRecord)>, [usize; N]);

/// A CSV file with a header row: its records with their lines, and where each of `columns` is.
/// A missing column or an unreadable file fails the whole file.
pub fn read_csv<const N: usize>(path: &Path, columns: &[&str; N]) -> anyhow::Result<CsvRecords<N>> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!(tr_args("file-unreadable", &[("file", file.clone()), ("why", e.to_string())])))?;
    let (headers, records) = csv_text(&file, &text)?;
    let mut at = [0; N];
    for (i, name) in columns.iter().enumerate() {
        at[i] = column(&headers, name)
            .ok_or_else(|| anyhow::anyhow!(tr_args("file-no-column", &[("file", file.clone()), ("column", (*name).to_owned())])))?;
    }
    Ok((records, at))
}

/// The header row and the records (each with its line, the header being line 1) of the CSV text
/// of `file`, comma- or semicolon-separated as its header is, a byte-order mark skipped.
pub fn csv_text(file: &str, text: &str) -> anyhow::Result<(csv::StringRecord, Vec<(usize, csv::StringRecord)>)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let delimiter = if text.lines().next().is_some_and(|h| h.contains(';')) {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| anyhow::anyhow!(tr_args("file-unreadable", &[("file", file.to_owned()), ("why", e.to_string())])))?
        .clone();
    let mut records = Vec::new();
    // A row with more fields than the header cannot be read safely: most often a decimal comma
    // in a comma-separated file (`personal_care,512,50`), which would silently drop the øre.
    // The whole file is refused, every such line named, and nothing is sent.
    let mut too_many = Vec::new();
    for record in reader.records() {
        let record =
            record.map_err(|e| anyhow::anyhow!(tr_args("file-unreadable", &[("file", file.to_owned()), ("why", e.to_string())])))?;
        let line = record.position().map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX));
        if record.len() > headers.len() {
            too_many.push(line.to_string());
        }
        records.push((line, record));
    }
    if !too_many.is_empty() {
        anyhow::bail!(tr_args(
            "file-too-many-fields",
            &[
                ("file", file.to_owned()),
                ("lines", too_many.join(", ")),
                ("columns", headers.len().to_string()),
            ],
        ));
    }
    Ok((headers, records))
}

/// Where the column `name` is in `headers`.
pub fn column(headers: &csv::StringRecord, name: &str) -> Option<usize> {
    headers.iter().position(|h| h == name)
}

/// Prints refused rows as a table (the id column headed `id`) and one line each on standard
/// error.
pub fn show_refusals(refused: &[Refusal], id: &str) {
    if refused.is_empty() {
        return;
    }
    let mut shown = table(
        &[
            tr("refusals-col-line"),
            id.to_owned(),
            tr("refusals-col-field"),
            tr("refusals-col-why"),
        ],
        &[0],
    );
    for r in refused {
        shown.add_row(vec![r.line.to_string(), r.id.clone(), r.field.clone(), r.why.clone()]);
    }
    Out::terminal().table(&shown);
    for r in refused {
        eprintln!(
            "{}",
            tr_args(
                "refusal-line",
                &[("line", r.line.to_string()), ("field", r.field.clone()), ("why", r.why.clone())],
            )
        );
    }
}

/// The refused rows as CSV a Danish spreadsheet opens as written: UTF-8 with a byte-order mark,
/// semicolons; `id` names the id column.
pub fn write_refusals(path: &Path, id: &str, refused: &[Refusal]) -> anyhow::Result<()> {
    let mut out = csv::WriterBuilder::new().delimiter(b';').from_writer(vec![0xef, 0xbb, 0xbf]);
    out.write_record(["line", id, "field", "why"])?;
    for r in refused {
        out.write_record([r.line.to_string().as_str(), &r.id, &r.field, &r.why])?;
    }
    let bytes = out.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::write(path, bytes).map_err(|e| anyhow::anyhow!("--refusals: cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_with_more_fields_than_the_header_refuses_the_file() {
        // A decimal comma in a comma-separated file would read 512,50 as 512 and a stray 50.
        let refused = csv_text("tu.csv", "unit,actual_rate\npersonal_care,512,50\ntraining,500\nx,1,2\n").unwrap_err();
        assert_eq!(
            refused.to_string(),
            "tu.csv: linje 2, 4 har flere felter end overskriftens 2 — et decimalkomma i en kommasepareret fil skal stå i \
             anførselstegn (\"512,50\"), eller brug semikolon som skilletegn"
        );
        let (_, rows) = csv_text("tu.csv", "unit;actual_rate\npersonal_care;512,50\n").unwrap();
        assert_eq!(rows[0].1.get(1), Some("512,50"));
        let (_, rows) = csv_text("tu.csv", "unit,actual_rate\npersonal_care,\"512,50\"\n").unwrap();
        assert_eq!(rows[0].1.get(1), Some("512,50"));
    }

    #[test]
    fn refusals_are_written_for_a_danish_spreadsheet() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("refused.csv");
        let refused = [Refusal {
            line: 3,
            id: "d2".into(),
            field: "minutes".into(),
            why: "–15 minutter; ø".into(),
        }];
        write_refusals(&path, "delivery_id", &refused).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(&[0xef, 0xbb, 0xbf]), "a byte-order mark");
        assert_eq!(
            String::from_utf8(bytes[3..].to_vec()).unwrap(),
            "line;delivery_id;field;why\n3;d2;minutes;\"–15 minutter; ø\"\n"
        );
    }
}
