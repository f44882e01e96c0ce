//! `afregning orders …`: a provider's orders (bestillinger) — list them, follow them as they
//! come, acknowledge them — and the authority's list of orders not acknowledged in time. The
//! provider sees its citizens' CPR numbers; every read of one is audited by visitation.

use afregning_proto::common::v1 as pbc;
use afregning_proto::visitation::v1 as pbv;

use crate::args::{Orders, ProviderOption};
use crate::commands::request_id;
use crate::connect::Clients;
use crate::print::{Out, date, headers, table};
use afregning_client::format::local_time;
use afregning_client::i18n::{tr, tr_args};

/// `afregning orders …`.
pub async fn command(clients: &mut Clients, command: Orders) -> anyhow::Result<()> {
    match command {
        Orders::List {
            unacknowledged,
            cpr,
            after,
            provider,
        } => list(clients, unacknowledged, cpr, after, provider).await,
        Orders::Follow { from, once, provider } => follow(clients, from, once, provider).await,
        Orders::Acknowledge { order, provider, write } => {
            let ack = clients
                .visitation
                .acknowledge_order(pbv::AcknowledgeOrderRequest {
                    request_id: request_id(&write),
                    sequence: order,
                    provider_id: provider.id,
                })
                .await?
                .into_inner();
            println!(
                "{}",
                tr_args(
                    "orders-acknowledged",
                    &[
                        ("order", ack.sequence.to_string()),
                        ("at", instant(ack.acknowledged_at)),
                        ("by", ack.acknowledged_by),
                    ],
                )
            );
            Ok(())
        }
        Orders::Unacknowledged { older_than, provider } => {
            let mut all = Vec::new();
            let mut page_token = String::new();
            loop {
                let page = clients
                    .visitation
                    .list_unacknowledged_orders(pbv::ListUnacknowledgedOrdersRequest {
                        older_than_hours: older_than,
                        provider_id: provider.clone(),
                        page: Some(pbc::PageRequest {
                            page_size: 1_000,
                            page_token,
                        }),
                    })
                    .await?
                    .into_inner();
                all.extend(page.orders);
                if page.next_page_token.is_empty() {
                    break;
                }
                page_token = page.next_page_token;
            }
            println!("{}", tr_args("orders-unacknowledged", &[("count", all.len().to_string())]));
            show(&all);
            Ok(())
        }
    }
}

async fn list(
    clients: &mut Clients,
    unacknowledged: bool,
    cpr: Option<String>,
    after: u64,
    provider: ProviderOption,
) -> anyhow::Result<()> {
    let mut all = Vec::new();
    let mut page_token = String::new();
    loop {
        let page = clients
            .visitation
            .list_orders(pbv::ListOrdersRequest {
                provider_id: provider.id.clone(),
                unacknowledged_only: unacknowledged,
                after_sequence: after,
                cpr: cpr.clone().unwrap_or_default(),
                page: Some(pbc::PageRequest {
                    page_size: 1_000,
                    page_token,
                }),
            })
            .await?
            .into_inner();
        all.extend(page.orders);
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }
    show(&all);
    Ok(())
}

/// Prints orders from `from` on as they come, one line each, until caught up (`once`) or Ctrl-C.
async fn follow(clients: &mut Clients, from: u64, once: bool, provider: ProviderOption) -> anyhow::Result<()> {
    let mut stream = clients
        .visitation
        .stream_orders(pbv::StreamOrdersRequest {
            provider_id: provider.id,
            after_sequence: from.saturating_sub(1),
            follow: !once,
            max_orders: 0,
        })
        .await?
        .into_inner();
    let mut printed = 0usize;
    loop {
        let next = tokio::select! {
            next = stream.message() => next?,
            stopped = tokio::signal::ctrl_c() => {
                stopped?;
                None
            }
        };
        let Some(order) = next else { break };
        println!("{}", line(&order));
        printed += 1;
    }
    if printed == 0 {
        println!("{}", tr("orders-none"));
    }
    Ok(())
}

/// What an order changes, in the domain's words.
fn change(order: &pbv::Order) -> String {
    let change = pbv::OrderChange::try_from(order.change).unwrap_or_default();
    let key = format!(
        "order-change-{}",
        change
            .as_str_name()
            .trim_start_matches("ORDER_CHANGE_")
            .to_lowercase()
            .replace('_', "-")
    );
    if order.backdated {
        tr_args("orders-backdated", &[("change", tr(&key))])
    } else {
        tr(&key)
    }
}

/// What to deliver: the service category, the package, or the course with its level.
fn unit(order: &pbv::Order) -> String {
    match pbc::UnitKind::try_from(order.unit_kind) {
        Ok(pbc::UnitKind::Service) => order.service_category.clone(),
        Ok(pbc::UnitKind::Package) => order.package.clone(),
        Ok(pbc::UnitKind::Course) => {
            let course = order.course.as_ref();
            let kind = course
                .and_then(|c| pbc::CourseType::try_from(c.course_type).ok())
                .map(|t| t.as_str_name().trim_start_matches("COURSE_TYPE_").to_owned())
                .unwrap_or_default();
            match course.map(|c| c.level).unwrap_or_default() {
                0 => kind,
                level => tr_args("orders-course-level", &[("course", kind), ("level", level.to_string())]),
            }
        }
        _ => String::new(),
    }
}

/// A CPR number as Danes write it, `010140-1111`.
fn cpr(digits: &str) -> String {
    match digits.len() {
        10 => format!("{}-{}", &digits[..6], &digits[6..]),
        _ => digits.to_owned(),
    }
}

fn valid(order: &pbv::Order) -> String {
    order
        .valid
        .map(|v| format!("{} – {}", date(v.first), date(v.last)))
        .unwrap_or_default()
}

fn instant(at: Option<prost_types::Timestamp>) -> String {
    at.and_then(|t| chrono::DateTime::from_timestamp(t.seconds, 0))
        .map(local_time)
        .unwrap_or_default()
}

/// One order on one line, for `orders follow`.
fn line(order: &pbv::Order) -> String {
    tr_args(
        "orders-line",
        &[
            ("order", order.sequence.to_string()),
            ("change", change(order)),
            ("grant", order.grant_id.clone()),
            ("version", order.grant_version.to_string()),
            ("cpr", cpr(&order.citizen_cpr)),
            ("unit", unit(order)),
            ("minutes", order.visited_minutes_per_week.to_string()),
            ("valid", valid(order)),
            ("share", order.share_percent.to_string()),
        ],
    )
}

/// Orders as a table.
fn show(orders: &[pbv::Order]) {
    let mut shown = table(
        &headers(&[
            "orders-col-order",
            "orders-col-provider",
            "orders-col-change",
            "orders-col-grant",
            "orders-col-version",
            "orders-col-cpr",
            "orders-col-unit",
            "orders-col-minutes",
            "orders-col-valid",
            "orders-col-share",
            "orders-col-acknowledged",
        ]),
        &[0, 4, 7, 9],
    );
    for o in orders {
        shown.add_row(vec![
            o.sequence.to_string(),
            o.provider_id.clone(),
            change(o),
            o.grant_id.clone(),
            o.grant_version.to_string(),
            cpr(&o.citizen_cpr),
            unit(o),
            o.visited_minutes_per_week.to_string(),
            valid(o),
            format!("{} %", o.share_percent),
            instant(o.acknowledged_at),
        ]);
    }
    Out::terminal().table(&shown);
}
