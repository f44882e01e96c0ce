//! `afregning steering`: the steering models side by side in a table, CSV or JSON.

use afregning_client::connect::Clients;
use afregning_client::steering::compare;

use crate::args::Format;
use crate::print::{Out, headers, kr, percent, table};
use afregning_client::i18n::{tr, tr_args};

/// `afregning steering`.
// One piece: the same rows in each of the three formats, side by side so they stay alike.
pub async fn command(clients: &mut Clients, from: (i32, i32), to: (i32, i32), format: Format) -> anyhow::Result<()> {
    let comparison = compare(clients, from, to).await?;
    // JSON keeps its stable English label for the total row; people read theirs in their language.
    let all = if format == Format::Json {
        "all providers".to_owned()
    } else {
        tr("cli-steering-all-providers")
    };
    let rows = comparison
        .providers
        .iter()
        .map(|p| (p.name.as_str(), p.figures.clone().unwrap_or_default()))
        .chain(std::iter::once((all.as_str(), comparison.total.clone().unwrap_or_default())));
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
            let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(crate::print::csv_stdout()?);
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
            out.heading(&tr_args(
                "cli-steering-heading",
                &[("from", crate::print::month_text(from)), ("to", crate::print::month_text(to))],
            ));
            let mut shown = table(
                &headers(&[
                    "cli-steering-col-provider",
                    "cli-steering-col-frame",
                    "cli-steering-col-share",
                    "cli-steering-col-activity",
                    "cli-steering-col-course",
                    "cli-steering-col-settled",
                ]),
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
                out.line(tr_args(
                    "cli-steering-unallocated",
                    &[("amount", kr(u.amount_ore)), ("frame", u.frame.clone())],
                ));
            }
        }
    }
    Ok(())
}
