//! `afregning catalog`: the tariff catalogs (takstkataloger) as finance publishes them through
//! visitation — publish a document, list the versions, show one, and roll a year's catalog
//! forward by the price index into next year's.

use std::path::Path;

use afregning_proto::visitation::v1 as pbv;
use afregning_tariff::catalog::HourlyRates;
use afregning_tariff::{Catalog, Ore, TimeBand};
use rust_decimal::Decimal;

use crate::args::CatalogCommand;
use crate::commands::request_id;
use crate::connect::Clients;
use crate::print::{Out, date, headers, table};
use afregning_client::i18n::{tr, tr_args};

/// The price index a roll-forward accepts, in percent either way: beyond it is a typing error.
const MAX_INDEX_PERCENT: i64 = 50;

/// `afregning catalog …`.
// One piece: one arm per subcommand, each a call and its answer shown.
pub async fn command(clients: &mut Clients, command: CatalogCommand) -> anyhow::Result<()> {
    let visitation = &mut clients.visitation;
    match command {
        CatalogCommand::Publish { file, write } => {
            let document = read_document(&file)?;
            let published = visitation
                .publish_catalog(pbv::PublishCatalogRequest {
                    request_id: request_id(&write),
                    document,
                })
                .await?
                .into_inner();
            Out::terminal().line(published_line(&published));
        }
        CatalogCommand::List => {
            let catalogs = visitation.list_catalogs(pbv::ListCatalogsRequest {}).await?.into_inner().catalogs;
            let mut shown = table(
                &headers(&[
                    "catalog-col-version",
                    "catalog-col-year",
                    "catalog-col-from",
                    "catalog-col-prices-to",
                    "catalog-col-corrects",
                    "catalog-col-published",
                ]),
                &[],
            );
            for c in &catalogs {
                shown.add_row(vec![
                    c.version.clone(),
                    c.year.to_string(),
                    date(c.effective_from),
                    date(c.in_force_to),
                    c.corrects_version.clone(),
                    published_at(c),
                ]);
            }
            Out::terminal().table(&shown);
        }
        CatalogCommand::Show { version } => {
            let published = visitation.get_catalog(pbv::GetCatalogRequest { version }).await?.into_inner();
            show(&published)?;
        }
        CatalogCommand::RollForward {
            from,
            index,
            version,
            write,
        } => {
            let factor = index_factor(&index).map_err(anyhow::Error::msg)?;
            let source = visitation.get_catalog(pbv::GetCatalogRequest { version: from }).await?.into_inner();
            let next = catalog_of(&source)?.roll_forward(factor, &version)?;
            let published = visitation
                .publish_catalog(pbv::PublishCatalogRequest {
                    request_id: request_id(&write),
                    document: next.to_toml_string().into_bytes(),
                })
                .await?
                .into_inner();
            Out::terminal().line(tr_args(
                "catalog-rolled-forward",
                &[
                    ("from", source.version.clone()),
                    ("index", index.trim().to_owned()),
                    ("version", published.version.clone()),
                ],
            ));
            Out::terminal().line(published_line(&published));
        }
    }
    Ok(())
}

/// A catalog file's text, within the API's bound, before anything is sent.
fn read_document(file: &Path) -> anyhow::Result<Vec<u8>> {
    let document = std::fs::read(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    anyhow::ensure!(
        !document.is_empty() && document.len() <= 65_536,
        "{}: a catalog document is 1–65.536 bytes",
        file.display()
    );
    Ok(document)
}

/// The price index as people write it, in percent (`2,5`, `2.5`, `-1`), as the factor that
/// carries a price into next year (`1.025`).
pub fn index_factor(text: &str) -> Result<Decimal, String> {
    let plain = text.trim().trim_end_matches('%').trim().replace(',', ".");
    let percent: Decimal = plain
        .parse()
        .map_err(|_| format!("{text:?} is not a percentage such as 2,5 or 2.5"))?;
    if percent.abs() > Decimal::from(MAX_INDEX_PERCENT) || percent.scale() > 4 {
        return Err(format!(
            "{text:?}: the price index is a percentage from -{MAX_INDEX_PERCENT} to {MAX_INDEX_PERCENT} with at most four decimals"
        ));
    }
    Ok(Decimal::ONE + percent / Decimal::ONE_HUNDRED)
}

fn catalog_of(published: &pbv::PublishedCatalog) -> anyhow::Result<Catalog> {
    let text = std::str::from_utf8(&published.document)?;
    Ok(Catalog::from_toml_str(text)?)
}

fn published_at(c: &pbv::PublishedCatalog) -> String {
    c.published_at
        .as_ref()
        .and_then(afregning_proto::convert::instant)
        .map(afregning_client::format::local_time)
        .unwrap_or_default()
}

/// "takstkatalog 2026.2 (2026) gælder fra 15.06.2026 til 31.12.2026 …" with what it corrects.
fn published_line(c: &pbv::PublishedCatalog) -> String {
    let line = tr_args(
        "catalog-published",
        &[
            ("version", c.version.clone()),
            ("year", c.year.to_string()),
            ("from", date(c.effective_from)),
            ("to", date(c.in_force_to)),
        ],
    );
    if c.corrects_version.is_empty() {
        line
    } else {
        format!(
            "{line}; {}",
            tr_args(
                "catalog-corrects",
                &[("version", c.corrects_version.clone()), ("from", date(c.effective_from))]
            )
        )
    }
}

/// A version's days and its prices: hourly rates per service category and band, package and
/// course prices per week.
fn show(published: &pbv::PublishedCatalog) -> anyhow::Result<()> {
    let catalog = catalog_of(published)?;
    let out = Out::terminal();
    out.line(published_line(published));
    let mut shown = table(
        &headers(&["catalog-col-unit", "catalog-col-name", "catalog-col-band", "catalog-col-price"]),
        &[3],
    );
    let per_hour = tr("catalog-per-hour");
    let per_week = tr("catalog-per-week");
    let mut rates = |code: &str, name: &str, rates: &HourlyRates| {
        let bands: Vec<Option<TimeBand>> = match rates {
            HourlyRates::Single(_) => vec![None],
            HourlyRates::Banded(_) => TimeBand::ALL.into_iter().map(Some).collect(),
        };
        for band in bands {
            shown.add_row(vec![
                code.to_owned(),
                name.to_owned(),
                band.map(|b| tr(&format!("catalog-band-{}", b.code()))).unwrap_or_default(),
                format!("{} {per_hour}", rates.rate(band.unwrap_or(TimeBand::Day)).to_danish()),
            ]);
        }
    };
    for (code, category) in &catalog.categories {
        rates(code, &category.name, &category.rates);
    }
    rates("INDIVIDUAL", "", &catalog.individual.rates);
    for (code, package) in &catalog.packages {
        shown.add_row(vec![
            code.clone(),
            package.name.clone(),
            String::new(),
            format!("{} {per_week}", package.weekly_price.to_danish()),
        ]);
    }
    for (course_type, tariff) in &catalog.courses {
        for (level, price) in tariff.weekly_prices.iter().enumerate() {
            shown.add_row(vec![
                format!("course:{course_type}"),
                tr_args("catalog-level", &[("level", (level + 1).to_string())]),
                String::new(),
                format!("{} {per_week}", Ore::to_danish(*price)),
            ]);
        }
    }
    out.table(&shown);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_is_read_as_people_write_a_percentage() {
        assert_eq!(index_factor("2,5"), Ok(Decimal::new(1025, 3)));
        assert_eq!(index_factor("2.5 %"), Ok(Decimal::new(1025, 3)));
        assert_eq!(index_factor("-1"), Ok(Decimal::new(99, 2)));
        assert!(index_factor("to").is_err());
        assert!(index_factor("51").is_err());
        assert!(index_factor("1,23456").is_err());
    }
}
