//! `afregning export` and `afregning reconcile`: settlement's postings for the ERP, and the ERP's
//! totals held against them line by line.

use std::path::Path;

use afregning_proto::budget::v1 as pbb;

use crate::args::Format;
use crate::commands::wire_period;
use crate::connect::Clients;
use crate::print::{Out, headers, iso_period, kr, period, table};
use afregning_client::i18n::{tr, tr_args};

/// `afregning export`.
pub async fn export(clients: &mut Clients, year: i32, frame: String, format: Format) -> anyhow::Result<()> {
    let request = pbb::ExportPostingsRequest { year, frame };
    if format == Format::Csv {
        let mut csv = clients.budget.export_postings_csv(request).await?.into_inner();
        let mut stdout = crate::print::csv_stdout()?;
        while let Some(chunk) = csv.message().await? {
            std::io::Write::write_all(&mut stdout, &chunk.data)?;
        }
        return Ok(());
    }
    let mut stream = clients.budget.export_postings(request).await?.into_inner();
    let mut totals = Vec::new();
    while let Some(t) = stream.message().await? {
        totals.push(t);
    }
    if format == Format::Json {
        let json: Vec<_> = totals
            .iter()
            .map(|t| {
                serde_json::json!({
                    "frame": t.frame, "account": t.account, "period": iso_period(t.period),
                    "amount_ore": t.amount_ore, "entries": t.entry_count,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&json)?);
        return Ok(());
    }
    let mut shown = table(
        &headers(&[
            "export-col-frame",
            "export-col-account",
            "export-col-month",
            "export-col-amount",
            "export-col-entries",
        ]),
        &[3, 4],
    );
    for t in &totals {
        shown.add_row(vec![
            t.frame.clone(),
            t.account.clone(),
            period(t.period),
            kr(t.amount_ore),
            t.entry_count.to_string(),
        ]);
    }
    shown.add_row(vec![
        tr("export-all"),
        String::new(),
        String::new(),
        kr(totals.iter().map(|t| t.amount_ore).sum()),
        String::new(),
    ]);
    Out::terminal().table(&shown);
    Ok(())
}

/// Reads the ERP's totals: `frame;account;period;amount_kr[;entries]` with a header row,
/// semicolon- or comma-separated as every file the CLI reads.
pub fn read_erp_totals(path: &Path) -> anyhow::Result<Vec<pbb::PostingTotal>> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!(tr_args("file-unreadable", &[("file", file.clone()), ("why", e.to_string())])))?;
    let (_, records) = crate::files::csv_text(&file, &text)?;
    let mut totals = Vec::new();
    for (line, record) in records {
        let field = |i: usize| record.get(i).unwrap_or_default();
        let refusal = |field: &str, why: String| {
            anyhow::anyhow!(tr_args(
                "refusal-line",
                &[("line", line.to_string()), ("field", field.to_owned()), ("why", why)]
            ))
        };
        let month = afregning_client::parse::parse_period(field(2)).map_err(|e| refusal("period", e))?;
        // Kroner as the export writes them (Danish `1.234,56`) or plain `1234.56`; a credit may be
        // negative.
        let amount = crate::finance::kroner(field(3), true).map_err(|e| refusal("amount_kr", e))?;
        totals.push(pbb::PostingTotal {
            frame: field(0).to_owned(),
            account: field(1).to_owned(),
            period: wire_period(month),
            amount_ore: amount,
            entry_count: 0,
        });
    }
    Ok(totals)
}

/// `afregning reconcile`; false when the two sides differ.
pub async fn reconcile(clients: &mut Clients, year: i32, file: &Path) -> anyhow::Result<bool> {
    let erp_totals = read_erp_totals(file)?;
    let answer = clients
        .budget
        .reconcile(pbb::ReconcileRequest { year, erp_totals })
        .await?
        .into_inner();
    if answer.balanced {
        println!("{}", tr_args("reconcile-balanced", &[("year", year.to_string())]));
        return Ok(true);
    }
    let mut shown = table(
        &headers(&[
            "reconcile-col-frame",
            "reconcile-col-account",
            "reconcile-col-month",
            "reconcile-col-afregning",
            "reconcile-col-erp",
            "reconcile-col-difference",
        ]),
        &[3, 4, 5],
    );
    for d in &answer.differences {
        shown.add_row(vec![
            d.frame.clone(),
            d.account.clone(),
            period(d.period),
            kr(d.afregning_ore),
            kr(d.erp_ore),
            kr(d.difference_ore),
        ]);
    }
    println!(
        "{}",
        match answer.differences.len() {
            1 => tr("reconcile-differ-one"),
            n => tr_args("reconcile-differ", &[("count", n.to_string())]),
        }
    );
    Out::terminal().table(&shown);
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erp_totals_read_in_the_export_format() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("erp.csv");
        std::fs::write(
            &file,
            "frame;account;period;amount_kr;entries\nSOCIAL;5.30.26;2026-04;83534,82;1\nHEALTH;4.62.88;2026-04;7288.57;1\n",
        )
        .unwrap();
        let totals = read_erp_totals(&file).unwrap();
        assert_eq!(
            totals.iter().map(|t| (t.frame.as_str(), t.amount_ore)).collect::<Vec<_>>(),
            vec![("SOCIAL", 8_353_482), ("HEALTH", 728_857)]
        );
        std::fs::write(&file, "frame;account;period;amount_kr\nSOCIAL;5.30.26;2026-04;lots\n").unwrap();
        // In Danish, the language of a process not asked for another.
        let refused = read_erp_totals(&file).unwrap_err().to_string();
        assert!(
            refused.starts_with("linje 2: amount_kr: \"lots\" er ikke et beløb i kroner"),
            "{refused}"
        );
    }
}
