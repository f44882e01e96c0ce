//! The daily commands against running services: each is one or a few RPCs, printed for people
//! (tables), spreadsheets (CSV) or programs (JSON).

use afregning_proto::budget::v1 as pbb;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pbs;
use afregning_proto::visitation::v1 as pbv;
use chrono::{Datelike, NaiveDateTime};

use crate::args::{Grants, Write};
use crate::connect::{Clients, behind};
use crate::print::{Out, date, headers, kr, month_text, table, unit_of};
use afregning_client::i18n::{tr, tr_args};

/// The request id of a write: the one given, or a new one.
pub(crate) fn request_id(write: &Write) -> String {
    write
        .request_id
        .clone()
        .unwrap_or_else(|| format!("cli-{}", uuid::Uuid::new_v4().simple()))
}

/// The request id of one write a command makes on behalf of `request_id` (issuing each
/// statement of a settled month): the same on a retry with the same id, and within the
/// services' 64 characters however long the two parts are.
pub(crate) fn derived_request_id(request_id: &str, what: &str, subject: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(request_id.as_bytes())
        .chain_update([0])
        .chain_update(subject.as_bytes())
        .finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("{what}-{hex}")
}

pub(crate) use afregning_client::wire_period;

/// `afregning status`: always a table of the three services — where each is, whether it answers
/// (and why not), and how far each follower has applied the feeds it follows. Fails (exit 1)
/// naming every service that does not answer.
// One piece: the three services are asked at once and their answers laid out in one table.
pub async fn status(clients: &mut Clients, urls: &[String; 3]) -> anyhow::Result<()> {
    let ask = |call: Result<tonic::Response<pbc::FeedPositions>, tonic::Status>| {
        call.map(tonic::Response::into_inner)
            .map_err(|status| afregning_client::describe::describe(&status.into()))
    };
    let wait = std::time::Duration::from_secs(5);
    let (mut visitation, mut settlement, mut budget) = (clients.visitation.clone(), clients.settlement.clone(), clients.budget.clone());
    let (v, s, b) = tokio::join!(
        tokio::time::timeout(wait, visitation.get_feed_positions(pbc::GetFeedPositionsRequest {})),
        tokio::time::timeout(wait, settlement.get_feed_positions(pbc::GetFeedPositionsRequest {})),
        tokio::time::timeout(wait, budget.get_feed_positions(pbc::GetFeedPositionsRequest {})),
    );
    let answer = |r: Result<Result<tonic::Response<pbc::FeedPositions>, tonic::Status>, tokio::time::error::Elapsed>| {
        r.map_err(|_| tr_args("status-no-answer", &[("seconds", wait.as_secs().to_string())]))
            .and_then(ask)
    };
    let positions = [answer(v), answer(s), answer(b)];
    let names = ["visitation", "settlement", "budget"];
    let follows: [&[usize]; 3] = [&[], &[0], &[0, 1]];
    let mut shown = table(
        &headers(&[
            "status-col-service",
            "status-col-url",
            "status-col-state",
            "status-col-published",
            "status-col-follows",
            "status-col-applied",
            "status-col-behind",
        ]),
        &[3, 5, 6],
    );
    for (i, position) in positions.iter().enumerate() {
        let (state, published) = match position {
            Ok(p) => (tr("status-answers"), p.published_sequence.to_string()),
            Err(why) => (tr_args("status-unreachable", &[("why", why.clone())]), String::new()),
        };
        let mut row = vec![names[i].to_owned(), urls[i].clone(), state, published];
        match follows[i] {
            [] => row.extend([String::new(), String::new(), String::new()]),
            feeds => {
                for (n, &feed) in feeds.iter().enumerate() {
                    if n > 0 {
                        shown.add_row(std::mem::take(&mut row));
                        row = vec![String::new(); 4];
                    }
                    let (applied, lag) = match (position, &positions[feed]) {
                        (Ok(own), Ok(upstream)) => {
                            let lag = behind(own, names[feed], upstream.published_sequence);
                            ((upstream.published_sequence - lag).to_string(), lag.to_string())
                        }
                        (Ok(own), Err(_)) => (
                            own.followed
                                .iter()
                                .find(|f| f.feed == names[feed])
                                .map(|f| f.applied_sequence.to_string())
                                .unwrap_or_default(),
                            "?".to_owned(),
                        ),
                        _ => (String::new(), String::new()),
                    };
                    row.extend([names[feed].to_owned(), applied, lag]);
                }
            }
        }
        shown.add_row(row);
    }
    Out::terminal().table(&shown);
    let down: Vec<String> = positions
        .iter()
        .zip(names.iter().zip(urls))
        .filter(|(p, _)| p.is_err())
        .map(|(_, (name, url))| tr_args("status-service-at", &[("name", (*name).to_owned()), ("url", url.clone())]))
        .collect();
    anyhow::ensure!(down.is_empty(), tr_args("status-unreachable", &[("why", down.join(", "))]));
    Ok(())
}

/// `afregning grants …`.
// One piece: the look-up (by CPR or id) and the table it fills read together.
pub async fn grants(clients: &mut Clients, command: Grants) -> anyhow::Result<()> {
    let grants = match command {
        Grants::List { cpr, citizen, purpose } => {
            let citizen_id = match (cpr, citizen) {
                (Some(cpr), _) => {
                    let found = clients
                        .visitation
                        .find_citizen_by_cpr(pbv::FindCitizenByCprRequest {
                            cpr: cpr.replace('-', ""),
                            purpose: purpose.clone(),
                        })
                        .await?
                        .into_inner();
                    println!(
                        "{}",
                        tr_args(
                            "grants-citizen",
                            &[("citizen", found.citizen_id.clone()), ("born", date(found.birth_date))]
                        )
                    );
                    found.citizen_id
                }
                (None, citizen) => citizen.unwrap_or_default(),
            };
            clients
                .visitation
                .list_citizen_grants(pbv::ListCitizenGrantsRequest {
                    citizen_id,
                    purpose,
                    ..Default::default()
                })
                .await?
                .into_inner()
                .grants
        }
        Grants::Decide {
            cpr,
            unit,
            legal_basis,
            intervention,
            minutes,
            providers,
            from,
            to,
            need_frame,
            write,
        } => {
            let decision = crate::decide::Decision {
                cpr,
                unit,
                legal_basis,
                intervention,
                minutes,
                providers,
                from,
                to,
                need_frame,
            };
            vec![crate::decide::decide(clients, decision, &request_id(&write)).await?]
        }
        Grants::Show { grant_id } => {
            clients
                .visitation
                .list_grant_versions(pbv::ListGrantVersionsRequest { grant_id, page: None })
                .await?
                .into_inner()
                .versions
        }
    };
    let mut shown = table(
        &headers(&[
            "grants-col-grant",
            "grants-col-version",
            "grants-col-status",
            "grants-col-unit",
            "grants-col-valid",
            "grants-col-effective",
            "grants-col-decided",
            "grants-col-pays",
            "grants-col-need",
            "grants-col-weekly",
        ]),
        &[1, 9],
    );
    for g in grants {
        let valid = g
            .validity
            .map(|v| format!("{} – {}", date(v.first), date(v.last)))
            .unwrap_or_default();
        let status = pbv::GrantStatus::try_from(g.status)
            .map(|s| {
                tr(&format!(
                    "grant-status-{}",
                    s.as_str_name().trim_start_matches("GRANT_STATUS_").to_lowercase()
                ))
            })
            .unwrap_or_default();
        shown.add_row(vec![
            g.grant_id.clone(),
            g.version.to_string(),
            status,
            unit_of(&g),
            valid,
            date(g.effective_from),
            if g.backdated {
                tr_args("grants-backdated", &[("date", date(g.decided_on))])
            } else {
                date(g.decided_on)
            },
            g.paying_frame.clone(),
            g.need_frame.clone(),
            kr(g.expected_weekly_cost_ore),
        ]);
    }
    Out::terminal().table(&shown);
    Ok(())
}

/// RFC 3339, or Danish local time `2026-04-01 07:30` or `01.04.2026 07:30`.
pub(crate) fn parse_instant(text: &str) -> Result<prost_types::Timestamp, String> {
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(at) => Ok(prost_types::Timestamp {
            seconds: at.timestamp(),
            nanos: 0,
        }),
        Err(_) => {
            let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
                .or_else(|_| NaiveDateTime::parse_from_str(text, "%d.%m.%Y %H:%M"))
                .map_err(|_| tr_args("parse-instant", &[("text", format!("{text:?}"))]))?;
            local_time(local).map_err(|e| e.to_string())
        }
    }
}

/// An instant from Danish local time (as visits are planned and bands are priced).
pub fn local_time(local: NaiveDateTime) -> Result<prost_types::Timestamp, afregning_tariff::bands::LocalTimeError> {
    let utc = afregning_tariff::bands::local_to_utc(local)?;
    Ok(prost_types::Timestamp {
        seconds: utc.timestamp(),
        nanos: 0,
    })
}

/// Deliveries per stream message: the service takes at most 10,000.
const DELIVERIES_PER_MESSAGE: usize = 5_000;

/// Reports `deliveries` as one stream under `request_id`, in messages the service accepts.
pub async fn report_deliveries(
    settlement: &mut afregning_proto::settlement::v1::settlement_service_client::SettlementServiceClient<crate::connect::Authed>,
    request_id: &str,
    deliveries: &[pbs::Delivery],
) -> Result<pbs::ReportDeliveriesResponse, tonic::Status> {
    let messages: Vec<pbs::ReportDeliveriesRequest> = deliveries
        .chunks(DELIVERIES_PER_MESSAGE)
        .enumerate()
        .map(|(i, chunk)| pbs::ReportDeliveriesRequest {
            request_id: if i == 0 { request_id.to_owned() } else { String::new() },
            deliveries: chunk.to_vec(),
        })
        .collect();
    Ok(settlement.report_deliveries(tokio_stream::iter(messages)).await?.into_inner())
}

/// Runs a month's settlement, drawing its progress on `out`; the final progress of a completed run.
pub async fn run_month(
    settlement: &mut afregning_proto::settlement::v1::settlement_service_client::SettlementServiceClient<crate::connect::Authed>,
    request_id: &str,
    period: (i32, i32),
    out: Out,
) -> anyhow::Result<pbs::SettlementProgress> {
    let mut run = settlement
        .run_settlement(pbs::RunSettlementRequest {
            request_id: request_id.to_owned(),
            period: wire_period(period),
        })
        .await?
        .into_inner();
    let bar = out.progress(0, &tr_args("settle-progress", &[("period", month_text(period))]));
    let mut last = None;
    while let Some(progress) = run.message().await? {
        bar.set_length(u64::from(progress.providers_total));
        bar.set_position(u64::from(progress.providers_done));
        bar.set_message(tr_args(
            "settle-progress-lines",
            &[("lines", progress.lines_written.to_string()), ("amount", kr(progress.total_ore))],
        ));
        last = Some(progress);
    }
    bar.finish_and_clear();
    let last = last.ok_or_else(|| anyhow::anyhow!(tr("settle-no-progress")))?;
    anyhow::ensure!(
        last.state == pbs::RunState::Completed as i32,
        tr_args("settle-incomplete", &[("run", last.run_id.clone()), ("period", month_text(period))])
    );
    Ok(last)
}

/// `afregning budget`.
pub async fn budget(clients: &mut Clients, frame: String, as_of: Option<(i32, i32, i32)>) -> anyhow::Result<()> {
    let (y, m, d) = as_of.unwrap_or_else(|| {
        let today = afregning_kit::clock::today();
        (
            today.year(),
            i32::try_from(today.month()).unwrap_or(1),
            i32::try_from(today.day()).unwrap_or(1),
        )
    });
    let frames = clients
        .budget
        .get_follow_up_status(pbb::GetFollowUpStatusRequest {
            frame,
            as_of: Some(pbc::Date { year: y, month: m, day: d }),
        })
        .await?
        .into_inner()
        .frames;
    println!(
        "{}",
        tr_args(
            "budget-follow-up-at",
            &[(
                "date",
                afregning_client::format::date(Some(pbc::Date { year: y, month: m, day: d }))
            )]
        )
    );
    let shown = crate::print::follow_up_table(&frames);
    Out::terminal().table(&shown);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_request_ids_are_stable_distinct_and_short_enough() {
        let long = "x".repeat(64);
        let id = derived_request_id(&long, "issue", "st-prv_c6e836a1b2c3d4e5f60718293a4b5c6d-2026-08");
        assert!(id.len() <= 64, "{id}");
        assert_eq!(
            id,
            derived_request_id(&long, "issue", "st-prv_c6e836a1b2c3d4e5f60718293a4b5c6d-2026-08")
        );
        assert_ne!(id, derived_request_id(&long, "issue", "st-prv_other-2026-08"));
        assert_ne!(
            id,
            derived_request_id("cli-1", "issue", "st-prv_c6e836a1b2c3d4e5f60718293a4b5c6d-2026-08")
        );
    }
}
