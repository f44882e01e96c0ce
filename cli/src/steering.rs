//! `afregning steering`: the steering models side by side in a table, CSV or JSON.

use afregning_client::connect::Clients;
use afregning_client::steering::compare;

use crate::args::Format;
use crate::print::{Out, kr, percent, table};

/// `afregning steering`.
// One piece: the same rows in each of the three formats, side by side so they stay alike.
pub async fn command(clients: &mut Clients, from: (i32, i32), to: (i32, i32), format: Format) -> anyhow::Result<()> {
    let comparison = compare(clients, from, to).await?;
    let rows = comparison
        .providers
        .iter()
        .map(|p| (p.name.as_str(), p.figures.clone().unwrap_or_default()))
        .chain(std::iter::once(("all providers", comparison.total.clone().unwrap_or_default())));
    match format {
        Format::Json => {
            let json: Vec<_> = rows
                .map(|(name, f)| {
                    serde_json::json!({
                        "provider": name, "frame_ore": f.frame_ore, "activity_ore": f.activity_ore,
                        "course_ore": f.course_ore, "current_ore": f.current_ore,
                        "delivered_minutes": f.delivered_minutes, "visited_minutes": f.visited_minutes,
                        "explanations": f.explanations,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&json)?);
        }
        Format::Csv => {
            let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(std::io::stdout().lock());
            w.write_record([
                "provider",
                "frame_kr",
                "activity_kr",
                "course_kr",
                "current_kr",
                "delivered_hours",
                "visited_hours",
            ])?;
            for (name, f) in rows {
                w.write_record([
                    name.to_owned(),
                    f.frame_ore.map(kr).unwrap_or_default(),
                    kr(f.activity_ore),
                    kr(f.course_ore),
                    kr(f.current_ore),
                    afregning_tariff::money::danish_hours(f.delivered_minutes),
                    afregning_tariff::money::danish_hours(f.visited_minutes),
                ])?;
            }
            w.flush()?;
        }
        Format::Table => {
            let out = Out::terminal();
            out.heading(&format!(
                "Steering models, {:04}-{:02} to {:04}-{:02}: what each would have paid (kr)",
                from.0, from.1, to.0, to.1
            ));
            let mut shown = table(
                &["provider", "frame", "share", "activity", "course", "as settled"],
                &[1, 2, 3, 4, 5],
            );
            let mut explained = Vec::new();
            for (name, f) in rows {
                shown.add_row(vec![
                    name.to_owned(),
                    f.frame_ore.map(kr).unwrap_or_else(|| "–".into()),
                    percent(f.frame_share_basis_points),
                    kr(f.activity_ore),
                    kr(f.course_ore),
                    kr(f.current_ore),
                ]);
                explained.push((name.to_owned(), f.explanations));
            }
            out.table(&shown);
            for (name, lines) in explained {
                out.line(format!("{name}:"));
                for line in lines {
                    out.line(format!("  {line}"));
                }
            }
            for u in &comparison.unallocated {
                out.line(format!(
                    "{} kr of {}'s budget pays no provider's grant: nobody gets it under frame budgeting.",
                    kr(u.amount_ore),
                    u.frame
                ));
            }
        }
    }
    Ok(())
}
