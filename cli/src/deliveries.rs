//! `afregning deliveries`: a provider's delivery file reported row by row, keeping the valid rows
//! and listing every refused one with its line and field, and corrections of a reported visit.

use std::path::Path;

use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pbs;

use crate::args::{Deliveries, Write};
use crate::commands::{parse_instant, report_deliveries, request_id};
use crate::connect::Clients;
use crate::files::{Refusal, read_csv, show_refusals, write_refusals};
use afregning_client::i18n::{tr, tr_args};

/// The most minutes one visit may last, as the service checks: a whole day.
const MAX_MINUTES: i64 = 24 * 60;

/// The columns a delivery file must have, in any order.
const COLUMNS: [&str; 6] = ["delivery_id", "grant_id", "provider_id", "carer_visit_id", "started_at", "minutes"];

/// A delivery file read: the valid rows with their lines, and the refused ones.
#[derive(Debug, Default)]
pub struct DeliveryFile {
    /// Valid rows, each with its line in the file.
    pub rows: Vec<(usize, pbs::Delivery)>,
    /// Rows that cannot be sent as written.
    pub refused: Vec<Refusal>,
}

/// Reads a delivery file (see `afregning deliveries import --help`). A missing column or an
/// unreadable file fails the whole file; a bad row is refused and the rest read on.
pub fn read_deliveries(path: &Path) -> anyhow::Result<DeliveryFile> {
    let (records, at) = read_csv(path, &COLUMNS)?;
    let mut file = DeliveryFile::default();
    for (line, record) in records {
        let field = |column: usize| record.get(at[column]).unwrap_or_default().to_owned();
        let refuse = |column: usize, why: String| Refusal {
            line,
            id: field(0),
            field: COLUMNS[column].to_owned(),
            why,
        };
        if let Some(missing) = (0..4).find(|&c| field(c).is_empty()) {
            file.refused.push(refuse(missing, tr("deliveries-required")));
            continue;
        }
        let started_at = match parse_instant(&field(4)) {
            Ok(at) => at,
            Err(why) => {
                file.refused.push(refuse(4, why));
                continue;
            }
        };
        let minutes = match minutes(&field(5)) {
            Ok(minutes) => minutes,
            Err(why) => {
                file.refused.push(refuse(5, why));
                continue;
            }
        };
        file.rows.push((
            line,
            pbs::Delivery {
                delivery_id: field(0),
                grant_id: field(1),
                provider_id: field(2),
                carer_visit_id: field(3),
                started_at: Some(started_at),
                minutes,
                revision: 0,
            },
        ));
    }
    Ok(file)
}

/// Delivered minutes as written in a file: a whole number 1–1,440.
fn minutes(text: &str) -> Result<u32, String> {
    let n: i64 = text
        .parse()
        .map_err(|_| tr_args("deliveries-minutes-not-whole", &[("text", format!("{text:?}"))]))?;
    if n < 1 {
        return Err(tr_args("deliveries-minutes-too-few", &[("minutes", n.to_string())]));
    }
    if n > MAX_MINUTES {
        return Err(tr_args("deliveries-minutes-too-many", &[("minutes", n.to_string())]));
    }
    u32::try_from(n).map_err(|_| tr_args("deliveries-minutes-too-many", &[("minutes", n.to_string())]))
}

/// The service's words for a record it refuses, with the command that fixes it where there is one.
fn in_cli_words(description: &str) -> String {
    description.replace("use CorrectDelivery", &tr("deliveries-use-correct"))
}

/// `afregning deliveries …`; false when rows were refused (exit code 3).
pub async fn command(clients: &mut Clients, command: Deliveries) -> anyhow::Result<bool> {
    match command {
        Deliveries::Import { file, refusals, write } => import(clients, &file, refusals.as_deref(), &write).await,
        Deliveries::Correct {
            delivery_id,
            started_at,
            minutes,
            reason,
            write,
        } => {
            // A flag's value that cannot be read: a usage error (exit code 2), nothing sent.
            let started_at = parse_instant(&started_at).unwrap_or_else(|why| crate::finance::usage_error(format!("--started-at: {why}")));
            let corrected = clients
                .settlement
                .correct_delivery(pbs::CorrectDeliveryRequest {
                    request_id: request_id(&write),
                    delivery_id,
                    started_at: Some(started_at),
                    minutes,
                    reason,
                })
                .await?
                .into_inner();
            println!(
                "{}",
                tr_args(
                    "deliveries-corrected",
                    &[
                        ("delivery", corrected.delivery_id),
                        ("minutes", corrected.minutes.to_string()),
                        ("revision", corrected.revision.to_string()),
                    ],
                )
            );
            Ok(true)
        }
    }
}

/// A provider system knows itself by CVR number: a file may name the provider by it, and each
/// is sent as the provider's id (an unknown CVR number is left for the service to refuse).
async fn by_provider_id(clients: &mut Clients, deliveries: &mut [pbs::Delivery]) -> anyhow::Result<()> {
    let is_cvr = |p: &str| p.len() == 8 && p.bytes().all(|b| b.is_ascii_digit());
    if !deliveries.iter().any(|d| is_cvr(&d.provider_id)) {
        return Ok(());
    }
    let mut ids = std::collections::BTreeMap::new();
    let mut page_token = String::new();
    loop {
        let page = Some(pbc::PageRequest {
            page_size: 1000,
            page_token,
        });
        let listed = clients
            .settlement
            .list_providers(pbs::ListProvidersRequest { page })
            .await?
            .into_inner();
        ids.extend(listed.providers.into_iter().map(|p| (p.cvr, p.provider_id)));
        if listed.next_page_token.is_empty() {
            break;
        }
        page_token = listed.next_page_token;
    }
    for d in deliveries.iter_mut().filter(|d| is_cvr(&d.provider_id)) {
        if let Some(id) = ids.get(&d.provider_id) {
            d.provider_id = id.clone();
        }
    }
    Ok(())
}

async fn import(clients: &mut Clients, path: &Path, refusals: Option<&Path>, write: &Write) -> anyhow::Result<bool> {
    let DeliveryFile { rows, mut refused } = read_deliveries(path)?;
    let read = rows.len() + refused.len();
    let (lines, mut deliveries): (Vec<usize>, Vec<pbs::Delivery>) = rows.into_iter().unzip();
    by_provider_id(clients, &mut deliveries).await?;
    let reported = if deliveries.is_empty() {
        pbs::ReportDeliveriesResponse::default()
    } else {
        report_deliveries(&mut clients.settlement, &request_id(write), &deliveries).await?
    };
    for e in &reported.errors {
        let line = usize::try_from(e.index)
            .ok()
            .and_then(|i| lines.get(i))
            .copied()
            .unwrap_or_default();
        refused.push(Refusal {
            line,
            id: e.delivery_id.clone(),
            field: e.field.clone(),
            why: in_cli_words(&e.description),
        });
    }
    refused.sort_by_key(|r| r.line);
    println!(
        "{}",
        tr_args(
            "deliveries-read",
            &[
                ("read", read.to_string()),
                ("accepted", reported.accepted.to_string()),
                ("duplicates", reported.duplicates.to_string()),
                ("refused", refused.len().to_string()),
            ],
        )
    );
    // Accepted, but delivered while the citizen was in hospital: kept and paid, shown for a look.
    for flag in &reported.flags {
        let line = usize::try_from(flag.index)
            .ok()
            .and_then(|i| lines.get(i))
            .copied()
            .unwrap_or_default();
        println!(
            "{}",
            tr_args(
                "cli-delivery-flagged",
                &[("line", line.to_string()), ("delivery", flag.delivery_id.clone())]
            )
        );
    }
    show_refusals(&refused, &tr("refusals-col-delivery"));
    if let Some(out) = refusals {
        write_refusals(out, "delivery_id", &refused)?;
    }
    Ok(refused.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_files_read_with_either_separator_and_local_or_utc_times() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("d.csv");
        std::fs::write(
            &file,
            "delivery_id;grant_id;provider_id;carer_visit_id;started_at;minutes\n\
             d1;grt_1;prv_1;cv1;2026-04-01 07:30;45\n\
             d2;grt_1;prv_1;cv2;2026-04-01T12:40:00Z;40\n",
        )
        .unwrap();
        let read = read_deliveries(&file).unwrap();
        assert_eq!(read.rows.len(), 2);
        // 07:30 in Copenhagen summer time is 05:30 UTC.
        assert_eq!(read.rows[0].1.started_at.unwrap().seconds, 1_775_021_400);
        assert_eq!(
            (read.rows[1].1.minutes, read.rows[1].1.started_at.unwrap().seconds),
            (40, 1_775_047_200)
        );
        std::fs::write(
            &file,
            "delivery_id,grant_id,provider_id,carer_visit_id,started_at,minutes\nd1,g,p,c,yesterday,45\n",
        )
        .unwrap();
        let read = read_deliveries(&file).unwrap();
        assert_eq!((read.refused[0].line, read.refused[0].field.as_str()), (2, "started_at"));
        std::fs::write(&file, "delivery_id,grant_id\nd1,g\n").unwrap();
        assert!(
            read_deliveries(&file)
                .unwrap_err()
                .to_string()
                .contains("ingen kolonne provider_id")
        );
    }

    #[test]
    fn every_bad_row_is_refused_with_its_line_and_field_and_the_good_rows_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("d.csv");
        std::fs::write(
            &file,
            "\u{feff}delivery_id,grant_id,provider_id,carer_visit_id,started_at,minutes\n\
             d1,g,p,c1,2026-04-01 07:30,45\n\
             d2,g,p,c2,2026-04-01 08:30,-15\n\
             d3,g,p,c3,2026-04-01 09:30,forty\n\
             d4,,p,c4,2026-04-01 10:30,30\n\
             d5,g,p,c5,2026-04-01 11:30,1441\n\
             d6,g,p,c6,2026-04-01 12:30,30\n",
        )
        .unwrap();
        let read = read_deliveries(&file).unwrap();
        assert_eq!(
            read.rows
                .iter()
                .map(|(line, d)| (*line, d.delivery_id.as_str()))
                .collect::<Vec<_>>(),
            [(2, "d1"), (7, "d6")]
        );
        let refused: Vec<(usize, &str)> = read.refused.iter().map(|r| (r.line, r.field.as_str())).collect();
        assert_eq!(refused, [(3, "minutes"), (4, "minutes"), (5, "grant_id"), (6, "minutes")]);
        assert!(read.refused[0].why.contains("mindst 1 minut") && read.refused[0].why.contains("deliveries correct"));
        assert!(read.refused[1].why.contains("ikke et helt antal minutter"));
        assert!(read.refused[3].why.contains("højst 1.440"));
    }
}
