//! A statement's lines as a spreadsheet: semicolon-separated UTF-8 CSV with a header row, kroner
//! with a decimal comma, as Danish spreadsheets read it.

use afregning_tariff::{Ore, TimeBand};

use super::line::StoredLine;

/// The columns, in order.
const HEADER: [&str; 22] = [
    "line_no",
    "kind",
    "citizen_id",
    "cpr",
    "grant_id",
    "grant_version",
    "unit",
    "first_day",
    "last_day",
    "time_band",
    "quantity",
    "quantity_unit",
    "rate_kr",
    "amount_kr",
    "rule",
    "catalog_version",
    "paying_frame",
    "need_frame",
    "account",
    "corrects_line_id",
    "period",
    "explanation",
];

/// Kroner with a decimal comma and no thousands separator.
fn kroner(ore: Ore) -> String {
    ore.to_string().replace('.', ",")
}

fn band_name(band: TimeBand) -> &'static str {
    match band {
        TimeBand::Day => "DAY",
        TimeBand::Evening => "EVENING",
        TimeBand::Night => "NIGHT",
        TimeBand::WeekendHoliday => "WEEKEND_HOLIDAY",
    }
}

/// The statement's lines as CSV.
pub fn statement_csv(lines: &[StoredLine]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::new());
    w.write_record(HEADER)?;
    for StoredLine { line, .. } in lines {
        let e = &line.explanation;
        w.write_record([
            line.line_no.to_string(),
            line.kind.name().to_owned(),
            line.citizen_id.to_string(),
            line.cpr.as_ref().map(|c| c.expose()).unwrap_or_default(),
            line.grant_id.to_string(),
            line.grant_version.to_string(),
            line.unit.clone(),
            line.covers.first().to_string(),
            line.covers.last().to_string(),
            line.time_band.map(band_name).unwrap_or_default().to_owned(),
            e.quantity.to_string(),
            e.quantity_unit.clone(),
            kroner(e.rate_ore),
            kroner(line.amount_ore),
            e.rule.clone(),
            e.catalog_version.clone(),
            line.paying_frame.clone(),
            line.need_frame.clone(),
            line.account.clone(),
            line.corrects_line_id.as_ref().map(ToString::to_string).unwrap_or_default(),
            line.period.map(|p| p.to_string()).unwrap_or_default(),
            e.text.clone(),
        ])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use afregning_tariff::Period;

    use super::*;
    use crate::domain::line::StoredLine;
    use crate::domain::line::fixtures::{framed, line};

    #[test]
    fn a_line_reads_as_a_danish_spreadsheet_row() {
        let l = StoredLine::paying_for(
            framed(line("st-nord-2026-03-00001", 2, 1, 31, 310_000)),
            Period::new(2026, 3).unwrap(),
        );
        let csv = String::from_utf8(statement_csv(&[l]).unwrap()).unwrap();
        let mut rows = csv.lines();
        assert!(rows.next().unwrap().starts_with("line_no;kind;citizen_id;cpr;"));
        assert_eq!(
            rows.next().unwrap(),
            "1;REGULAR;c1;;g1;2;personal_care_package;2026-03-01;2026-03-31;;31;days;700,00;3100,00;package.pro_rata;2026.1;SOCIAL;SOCIAL;5.30.26;;2026-03;priced"
        );
    }
}
