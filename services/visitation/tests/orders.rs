//! Orders (bestillinger) through the real gRPC API, on SQLite and PostgreSQL: a provider lists
//! and follows its own orders for every kind of change, with the citizen's CPR number, each read
//! in the citizen's audit log; another provider sees nothing and is refused alike for a foreign
//! order and a missing one; acknowledgements are idempotent under concurrent calls; the
//! authority lists what was not acknowledged in time.

mod common;

use std::time::Duration;

use afregning_kit::testing::Backend;
use afregning_proto::common::v1 as pbc;
use afregning_proto::visitation::v1 as pb;
use common::*;
use tonic::Code;

/// Runs a test body on both backends.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test] async fn $name() { super::$name(afregning_kit::testing::Backend::Sqlite).await } )* }
        mod postgres { $( #[tokio::test] async fn $name() { super::$name(afregning_kit::testing::Backend::Postgres).await } )* }
    };
}

both_backends!(
    a_provider_lists_and_follows_its_orders_through_every_change,
    course_orders_carry_level_period_follow_up_and_shares,
    another_provider_sees_nothing_and_is_refused_alike,
    order_reads_land_in_the_citizens_audit_log,
    acknowledging_is_idempotent_under_concurrent_calls,
    the_authority_lists_orders_not_acknowledged_in_time,
    bad_order_requests_name_the_field_and_change_nothing,
    a_chosen_provider_id_is_registered_once,
);

const NORD: &str = "prv_nord";
const SYD: &str = "prv_syd";
const CPR: &str = "0101401111";

fn list(unacknowledged_only: bool) -> pb::ListOrdersRequest {
    pb::ListOrdersRequest {
        unacknowledged_only,
        ..Default::default()
    }
}

async fn orders(client: &mut Client, request: pb::ListOrdersRequest) -> Vec<pb::Order> {
    client.list_orders(request).await.unwrap().into_inner().orders
}

/// A provider's orders as a stream that stops when caught up.
async fn streamed(client: &mut Client, after_sequence: u64) -> Vec<pb::Order> {
    let request = pb::StreamOrdersRequest {
        after_sequence,
        follow: false,
        ..Default::default()
    };
    let mut stream = client.stream_orders(request).await.unwrap().into_inner();
    let mut seen = Vec::new();
    while let Some(order) = stream.message().await.unwrap() {
        seen.push(order);
    }
    seen
}

fn change(kind: pb::OrderChange) -> i32 {
    kind as i32
}

/// Both providers approved for personal care, one citizen, and a 300-minute personal-care grant
/// to Nord from 2 March 2026.
async fn grant_to_nord(c: &mut Client) -> (String, pb::Grant) {
    provider_with_id(
        c,
        NORD,
        "Hjemmeplejen Nord",
        &["personal_care", "course:DEVELOPING", "course:MAINTAINING"],
    )
    .await;
    provider_with_id(c, SYD, "Plejegruppen Syd ApS", &["personal_care", "course:MAINTAINING"]).await;
    let cid = citizen(c, CPR).await;
    let grant = c
        .decide_grant(decide(
            &cid,
            service_terms(NORD, "personal_care", "SEL-83", "personlig-pleje", 300),
            d(2026, 3, 2),
        ))
        .await
        .unwrap()
        .into_inner();
    (cid, grant)
}

/// The grant's every change after the decision: revisit, provider change to Syd, suspension,
/// resumption, and an end decided after its last day.
async fn change_everything(c: &mut Client, grant_id: &str) {
    let id = grant_id.to_owned();
    c.revisit_grant(pb::RevisitGrantRequest {
        request_id: rid("rev"),
        grant_id: id.clone(),
        expected_version: 1,
        effective_from: d(2026, 4, 1),
        visited_minutes_per_week: 420,
        course_type: 0,
        decided_on: d(2026, 4, 1),
    })
    .await
    .unwrap();
    c.change_provider(pb::ChangeProviderRequest {
        request_id: rid("chg"),
        grant_id: id.clone(),
        expected_version: 2,
        effective_from: d(2026, 5, 1),
        providers: lead(SYD),
        decided_on: d(2026, 4, 20),
    })
    .await
    .unwrap();
    c.suspend_grant(pb::SuspendGrantRequest {
        request_id: rid("sus"),
        grant_id: id.clone(),
        expected_version: 3,
        from: d(2026, 5, 10),
        reason: "hospital admission".into(),
        decided_on: d(2026, 5, 10),
    })
    .await
    .unwrap();
    c.resume_grant(pb::ResumeGrantRequest {
        request_id: rid("res"),
        grant_id: id.clone(),
        expected_version: 4,
        on: d(2026, 5, 20),
        decided_on: d(2026, 5, 20),
    })
    .await
    .unwrap();
    c.end_grant(pb::EndGrantRequest {
        request_id: rid("end"),
        grant_id: id,
        expected_version: 5,
        last_day: d(2026, 6, 10),
        reason: pbc::EndReason::Moved as i32,
        decided_on: d(2026, 6, 20),
    })
    .await
    .unwrap();
}

async fn a_provider_lists_and_follows_its_orders_through_every_change(backend: Backend) {
    let running = start(backend).await;
    let mut ehr = running.client.clone();
    let (cid, grant) = grant_to_nord(&mut ehr).await;
    let mut nord = client_as(&running, PROVIDER_TOKEN).await;
    let mut syd = client_as(&running, PROVIDER_SYD_TOKEN).await;

    // A provider following live receives its next order as it commits.
    let mut live = nord
        .stream_orders(pb::StreamOrdersRequest {
            follow: true,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let first = tokio::time::timeout(Duration::from_secs(10), live.message())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!((first.grant_id.as_str(), first.grant_version), (grant.grant_id.as_str(), 1));
    change_everything(&mut ehr, &grant.grant_id).await;
    let second = tokio::time::timeout(Duration::from_secs(10), live.message())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!((second.change, second.grant_version), (change(pb::OrderChange::Revisited), 2));
    drop(live);

    // Nord: the decision, the revisit, and the change that ends its part on 30 April.
    let of_nord = orders(&mut nord, list(false)).await;
    let seen: Vec<_> = of_nord
        .iter()
        .map(|o| (o.change, o.grant_version, o.visited_minutes_per_week))
        .collect();
    assert_eq!(
        seen,
        [
            (change(pb::OrderChange::Decided), 1, 300),
            (change(pb::OrderChange::Revisited), 2, 420),
            (change(pb::OrderChange::ProviderChangedAway), 3, 420),
        ]
    );
    let decided = &of_nord[0];
    assert_eq!(
        (
            decided.citizen_cpr.as_str(),
            decided.citizen_id.as_str(),
            decided.provider_id.as_str()
        ),
        (CPR, cid.as_str(), NORD)
    );
    assert_eq!(
        (decided.unit_kind, decided.service_category.as_str(), decided.intervention.as_str()),
        (pbc::UnitKind::Service as i32, "personal_care", "personlig-pleje")
    );
    assert_eq!((decided.share_percent, decided.lead, decided.backdated), (100, true, false));
    assert_eq!(decided.valid.as_ref().map(|v| (v.first, v.last)), Some((d(2026, 3, 2), None)));
    assert_eq!(of_nord[1].effective_from, d(2026, 4, 1));
    let away = of_nord[2].valid.unwrap();
    assert_eq!((away.first, away.last), (d(2026, 3, 2), d(2026, 4, 30)));

    // Syd: the change that names it from 1 May, the suspension, the resumption and the end,
    // decided on 20 June for 10 June: backdated.
    let of_syd = orders(&mut syd, list(false)).await;
    let seen: Vec<_> = of_syd.iter().map(|o| (o.change, o.grant_version, o.backdated)).collect();
    assert_eq!(
        seen,
        [
            (change(pb::OrderChange::ProviderChanged), 3, false),
            (change(pb::OrderChange::Suspended), 4, false),
            (change(pb::OrderChange::Resumed), 5, false),
            (change(pb::OrderChange::Ended), 6, true),
        ]
    );
    assert!(of_syd.iter().all(|o| o.citizen_cpr == CPR && o.grant_id == grant.grant_id));
    assert_eq!(of_syd[0].valid.map(|v| (v.first, v.last)), Some((d(2026, 5, 1), None)));
    assert_eq!(of_syd[1].status, pb::GrantStatus::Suspended as i32);
    assert_eq!(of_syd[1].suspensions[0].reason, "hospital admission");
    assert_eq!(of_syd[2].suspensions[0].resumed_on, d(2026, 5, 20));
    let ended = &of_syd[3];
    assert_eq!(
        (ended.valid.map(|v| v.last), ended.end_reason, ended.decided_on),
        (Some(d(2026, 6, 10)), pbc::EndReason::Moved as i32, d(2026, 6, 20))
    );

    // Sequences rise in commit order across both providers, and each provider's stream gives
    // exactly its list, from any sequence on.
    let mut all: Vec<u64> = of_nord.iter().chain(&of_syd).map(|o| o.sequence).collect();
    all.sort_unstable();
    assert_eq!(all, (all[0]..all[0] + 7).collect::<Vec<_>>(), "gap-free across providers");
    assert_eq!(streamed(&mut nord, 0).await, of_nord);
    assert_eq!(streamed(&mut syd, of_syd[1].sequence).await, of_syd[2..].to_vec());
    let after = orders(
        &mut syd,
        pb::ListOrdersRequest {
            after_sequence: of_syd[2].sequence,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(after, of_syd[3..].to_vec());

    // By citizen: another citizen's grant to Nord is not among this citizen's orders.
    let other = citizen(&mut ehr, "0202402222").await;
    ehr.decide_grant(decide(
        &other,
        service_terms(NORD, "personal_care", "SEL-83", "personlig-pleje", 60),
        d(2026, 4, 6),
    ))
    .await
    .unwrap();
    let by_cpr = |cpr: &str| pb::ListOrdersRequest {
        cpr: cpr.into(),
        ..Default::default()
    };
    assert_eq!(orders(&mut nord, by_cpr("010140-1111")).await, of_nord);
    let theirs = orders(&mut nord, by_cpr("0202402222")).await;
    assert_eq!((theirs.len(), theirs[0].citizen_id.as_str()), (1, other.as_str()));
    assert!(
        orders(&mut nord, by_cpr("0303403333")).await.is_empty(),
        "an unknown CPR number has no orders"
    );
}

async fn course_orders_carry_level_period_follow_up_and_shares(backend: Backend) {
    let running = start(backend).await;
    let mut ehr = running.client.clone();
    provider_with_id(&mut ehr, NORD, "Hjemmeplejen Nord", &["course:DEVELOPING", "course:MAINTAINING"]).await;
    provider_with_id(&mut ehr, SYD, "Sygeplejen Syd", &["course:MAINTAINING"]).await;
    let cid = citizen(&mut ehr, CPR).await;
    // DEVELOPING at 640 minutes a week: level 3, course period 16 March – 7 June.
    ehr.decide_grant(decide(&cid, course_terms(NORD, pbc::CourseType::Developing, 640), d(2026, 3, 16)))
        .await
        .unwrap();
    // MAINTAINING at 1,000 minutes, settled with each provider 70/30: both are ordered.
    let other = citizen(&mut ehr, "0404404444").await;
    let mut shared = course_terms(NORD, pbc::CourseType::Maintaining, 1_000);
    shared.settle_mode = pbc::SettleMode::WithEach as i32;
    shared.providers = vec![
        pbc::ProviderShare {
            provider_id: NORD.into(),
            share_percent: 70,
            lead: true,
        },
        pbc::ProviderShare {
            provider_id: SYD.into(),
            share_percent: 30,
            lead: false,
        },
    ];
    ehr.decide_grant(decide(&other, shared, d(2026, 4, 1))).await.unwrap();

    let mut nord = client_as(&running, PROVIDER_TOKEN).await;
    let of_nord = orders(&mut nord, list(false)).await;
    assert_eq!(of_nord.len(), 2);
    let course = of_nord[0].course.unwrap();
    assert_eq!(
        (course.course_type, course.level, course.follow_up_on),
        (pbc::CourseType::Developing as i32, 3, d(2026, 6, 7))
    );
    assert_eq!(course.period.map(|p| (p.first, p.last)), Some((d(2026, 3, 16), d(2026, 6, 7))));
    assert_eq!(
        (of_nord[0].unit_kind, of_nord[0].visited_minutes_per_week),
        (pbc::UnitKind::Course as i32, 640)
    );
    assert_eq!((of_nord[1].share_percent, of_nord[1].lead), (70, true));
    assert_eq!(of_nord[1].settle_mode, pbc::SettleMode::WithEach as i32);
    let of_syd = orders(&mut client_as(&running, PROVIDER_SYD_TOKEN).await, list(false)).await;
    assert_eq!(of_syd.len(), 1);
    assert_eq!(
        (of_syd[0].share_percent, of_syd[0].lead, of_syd[0].citizen_cpr.as_str()),
        (30, false, "0404404444")
    );
    assert_eq!(of_syd[0].course.unwrap().level, 4);
}

async fn another_provider_sees_nothing_and_is_refused_alike(backend: Backend) {
    let running = start(backend).await;
    let mut ehr = running.client.clone();
    grant_to_nord(&mut ehr).await;
    let mut nord = client_as(&running, PROVIDER_TOKEN).await;
    let mut syd = client_as(&running, PROVIDER_SYD_TOKEN).await;
    let nords = orders(&mut nord, list(false)).await;
    assert_eq!(nords.len(), 1);
    assert!(orders(&mut syd, list(false)).await.is_empty());
    assert!(streamed(&mut syd, 0).await.is_empty());

    // Nord's order and an order that does not exist: the same refusal, nothing more said.
    let mut refusals = Vec::new();
    for sequence in [nords[0].sequence, nords[0].sequence + 1_000] {
        let status = syd
            .acknowledge_order(pb::AcknowledgeOrderRequest {
                request_id: rid("ack"),
                sequence,
                provider_id: String::new(),
            })
            .await
            .unwrap_err();
        refusals.push((status.code(), status.message().to_owned()));
    }
    assert_eq!(refusals[0].0, Code::PermissionDenied);
    assert_eq!(refusals[0], refusals[1]);

    // Naming another provider is refused too, for every order call.
    let foreign = pb::ListOrdersRequest {
        provider_id: NORD.into(),
        ..Default::default()
    };
    assert_eq!(syd.list_orders(foreign).await.unwrap_err().code(), Code::PermissionDenied);
    let foreign = pb::StreamOrdersRequest {
        provider_id: NORD.into(),
        ..Default::default()
    };
    assert_eq!(syd.stream_orders(foreign).await.unwrap_err().code(), Code::PermissionDenied);
    let foreign = pb::AcknowledgeOrderRequest {
        request_id: rid("ack"),
        sequence: nords[0].sequence,
        provider_id: NORD.into(),
    };
    assert_eq!(syd.acknowledge_order(foreign).await.unwrap_err().code(), Code::PermissionDenied);

    // Only providers read orders; only the authority lists the unacknowledged ones.
    assert_eq!(ehr.list_orders(list(false)).await.unwrap_err().code(), Code::PermissionDenied);
    let settlement = client_as(&running, SETTLEMENT_TOKEN).await;
    assert_eq!(
        settlement.clone().list_orders(list(false)).await.unwrap_err().code(),
        Code::PermissionDenied
    );
    let unacknowledged = pb::ListUnacknowledgedOrdersRequest::default();
    assert_eq!(
        nord.list_unacknowledged_orders(unacknowledged).await.unwrap_err().code(),
        Code::PermissionDenied
    );

    // Nothing was acknowledged by any refused call.
    assert_eq!(orders(&mut nord, list(true)).await, nords);
}

async fn order_reads_land_in_the_citizens_audit_log(backend: Backend) {
    let running = start(backend).await;
    let mut ehr = running.client.clone();
    let (cid, grant) = grant_to_nord(&mut ehr).await;
    ehr.revisit_grant(pb::RevisitGrantRequest {
        request_id: rid("rev"),
        grant_id: grant.grant_id.clone(),
        expected_version: 1,
        effective_from: d(2026, 4, 1),
        visited_minutes_per_week: 420,
        course_type: 0,
        decided_on: d(2026, 4, 1),
    })
    .await
    .unwrap();
    let audit = |ehr: &mut Client| {
        let mut ehr = ehr.clone();
        let citizen_id = cid.clone();
        async move {
            ehr.list_audit_entries(pb::ListAuditEntriesRequest { citizen_id, page: None })
                .await
                .unwrap()
                .into_inner()
                .entries
        }
    };
    let before = audit(&mut ehr).await.len();

    let mut nord = client_as(&running, PROVIDER_TOKEN).await;
    let listed = orders(&mut nord, list(false)).await;
    let entries = audit(&mut ehr).await;
    let new: Vec<_> = entries[before..]
        .iter()
        .map(|e| (e.principal.as_str(), e.action.as_str(), e.purpose.clone()))
        .collect();
    let purpose = |o: &pb::Order| format!("order {} to prv_nord: what to deliver", o.sequence);
    assert_eq!(
        new,
        [
            ("provider:prv_nord", "ListOrders", purpose(&listed[0])),
            ("provider:prv_nord", "ListOrders", purpose(&listed[1])),
        ]
    );

    // A stream is audited for each order it sends, and an empty read for none.
    let streamed = streamed(&mut nord, listed[0].sequence).await;
    assert_eq!(streamed.len(), 1);
    let entries = audit(&mut ehr).await;
    assert_eq!(entries.len(), before + 3);
    let last = entries.last().unwrap();
    assert_eq!(
        (last.principal.as_str(), last.action.as_str(), last.purpose.clone()),
        ("provider:prv_nord", "StreamOrders", purpose(&listed[1]))
    );
    let mut syd = client_as(&running, PROVIDER_SYD_TOKEN).await;
    assert!(orders(&mut syd, list(false)).await.is_empty());
    assert_eq!(audit(&mut ehr).await.len(), before + 3);
}

async fn acknowledging_is_idempotent_under_concurrent_calls(backend: Backend) {
    let running = start(backend).await;
    let mut ehr = running.client.clone();
    let (_, grant) = grant_to_nord(&mut ehr).await;
    change_everything(&mut ehr, &grant.grant_id).await;
    let nord = client_as(&running, PROVIDER_TOKEN).await;
    let of_nord = orders(&mut nord.clone(), list(false)).await;
    assert_eq!(of_nord.len(), 3);

    // Eight identical retries at once: one acknowledgement, every caller the first answer.
    let same = pb::AcknowledgeOrderRequest {
        request_id: rid("ack"),
        sequence: of_nord[0].sequence,
        provider_id: String::new(),
    };
    let mut calls = Vec::new();
    for _ in 0..8 {
        let (mut client, request) = (nord.clone(), same.clone());
        calls.push(tokio::spawn(async move {
            client.acknowledge_order(request).await.map(|r| r.into_inner())
        }));
    }
    let mut answers = Vec::new();
    for call in calls {
        answers.push(call.await.unwrap().unwrap());
    }
    assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
    assert_eq!(
        (
            answers[0].sequence,
            answers[0].provider_id.as_str(),
            answers[0].acknowledged_by.as_str()
        ),
        (of_nord[0].sequence, NORD, "provider:prv_nord")
    );

    // Eight different requests racing to acknowledge one order: all succeed with the first
    // acknowledgement's time, never an error.
    let mut calls = Vec::new();
    for i in 0..8 {
        let mut client = nord.clone();
        let request = pb::AcknowledgeOrderRequest {
            request_id: rid(&format!("race{i}")),
            sequence: of_nord[1].sequence,
            provider_id: String::new(),
        };
        calls.push(tokio::spawn(async move {
            client.acknowledge_order(request).await.map(|r| r.into_inner())
        }));
    }
    let mut raced = Vec::new();
    for call in calls {
        raced.push(call.await.unwrap().unwrap());
    }
    assert!(raced.iter().all(|a| a.acknowledged_at == raced[0].acknowledged_at), "{raced:?}");

    // Acknowledging again later answers with the first acknowledgement too.
    let again = nord
        .clone()
        .acknowledge_order(pb::AcknowledgeOrderRequest {
            request_id: rid("again"),
            sequence: of_nord[0].sequence,
            provider_id: NORD.into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(again.acknowledged_at, answers[0].acknowledged_at);

    // The same request id for another order is ALREADY_EXISTS and acknowledges nothing.
    let reused = pb::AcknowledgeOrderRequest {
        sequence: of_nord[2].sequence,
        ..same
    };
    assert_eq!(
        nord.clone().acknowledge_order(reused).await.unwrap_err().code(),
        Code::AlreadyExists
    );
    let open = orders(&mut nord.clone(), list(true)).await;
    assert_eq!(open, of_nord[2..].to_vec());
    let acknowledged = orders(&mut nord.clone(), list(false)).await;
    assert_eq!(acknowledged[0].acknowledged_at, answers[0].acknowledged_at);
    assert_eq!(acknowledged[1].acknowledged_at, raced[0].acknowledged_at);
    assert_eq!(acknowledged[2].acknowledged_at, None);
}

async fn the_authority_lists_orders_not_acknowledged_in_time(backend: Backend) {
    let running = start(backend).await;
    let mut ehr = running.client.clone();
    let (_, grant) = grant_to_nord(&mut ehr).await;
    change_everything(&mut ehr, &grant.grant_id).await;
    let mut nord = client_as(&running, PROVIDER_TOKEN).await;
    let of_nord = orders(&mut nord, list(false)).await;
    nord.acknowledge_order(pb::AcknowledgeOrderRequest {
        request_id: rid("ack"),
        sequence: of_nord[0].sequence,
        provider_id: String::new(),
    })
    .await
    .unwrap();

    let unacknowledged = |older_than_hours: Option<u32>, provider_id: &str| pb::ListUnacknowledgedOrdersRequest {
        older_than_hours,
        provider_id: provider_id.into(),
        page: None,
    };
    // Every order not acknowledged, in sequence: Nord's two others and Syd's four (version 3
    // orders Syd first, then tells Nord its part ends), without CPR numbers.
    let all = ehr
        .list_unacknowledged_orders(unacknowledged(Some(0), ""))
        .await
        .unwrap()
        .into_inner()
        .orders;
    let seen: Vec<_> = all.iter().map(|o| (o.provider_id.as_str(), o.grant_version)).collect();
    assert_eq!(seen, [(NORD, 2), (SYD, 3), (NORD, 3), (SYD, 4), (SYD, 5), (SYD, 6)]);
    assert!(all.iter().all(|o| o.citizen_cpr.is_empty() && o.acknowledged_at.is_none()));
    let syds = ehr
        .list_unacknowledged_orders(unacknowledged(Some(0), SYD))
        .await
        .unwrap()
        .into_inner()
        .orders;
    let expected: Vec<_> = all.iter().filter(|o| o.provider_id == SYD).cloned().collect();
    assert_eq!((syds.len(), syds), (4, expected));

    // None is older than an hour, nor than the configured 24 hours (the default).
    for hours in [Some(1), None] {
        let none = ehr
            .list_unacknowledged_orders(unacknowledged(hours, ""))
            .await
            .unwrap()
            .into_inner();
        assert!(none.orders.is_empty(), "{hours:?}");
    }
    let operator_page = pb::ListUnacknowledgedOrdersRequest {
        older_than_hours: Some(0),
        provider_id: String::new(),
        page: Some(pbc::PageRequest {
            page_size: 4,
            page_token: String::new(),
        }),
    };
    let page = ehr.list_unacknowledged_orders(operator_page).await.unwrap().into_inner();
    assert_eq!((page.orders, page.next_page_token.as_str()), (all[..4].to_vec(), "4"));

    let status = ehr.list_unacknowledged_orders(unacknowledged(Some(8_761), "")).await.unwrap_err();
    assert_eq!(
        (status.code(), fields(&status)),
        (Code::InvalidArgument, vec!["older_than_hours".to_owned()])
    );
}

async fn bad_order_requests_name_the_field_and_change_nothing(backend: Backend) {
    let running = start(backend).await;
    let mut ehr = running.client.clone();
    grant_to_nord(&mut ehr).await;
    let mut nord = client_as(&running, PROVIDER_TOKEN).await;
    let before = orders(&mut nord, list(false)).await;

    let ack = |request_id: &str, sequence: u64| pb::AcknowledgeOrderRequest {
        request_id: request_id.into(),
        sequence,
        provider_id: String::new(),
    };
    let cases: Vec<(tonic::Status, &str)> = vec![
        (nord.acknowledge_order(ack(&rid("ack"), 0)).await.unwrap_err(), "sequence"),
        (nord.acknowledge_order(ack("", before[0].sequence)).await.unwrap_err(), "request_id"),
        (
            nord.list_orders(pb::ListOrdersRequest {
                cpr: "3213".into(),
                ..Default::default()
            })
            .await
            .unwrap_err(),
            "cpr",
        ),
        (
            nord.list_orders(pb::ListOrdersRequest {
                page: Some(pbc::PageRequest {
                    page_size: 1_001,
                    page_token: String::new(),
                }),
                ..Default::default()
            })
            .await
            .unwrap_err(),
            "page.page_size",
        ),
        (
            nord.list_orders(pb::ListOrdersRequest {
                after_sequence: u64::MAX,
                ..Default::default()
            })
            .await
            .unwrap_err(),
            "after_sequence",
        ),
    ];
    for (status, field) in cases {
        assert_eq!(
            (status.code(), fields(&status)),
            (Code::InvalidArgument, vec![field.to_owned()]),
            "{status:?}"
        );
    }
    assert_eq!(orders(&mut nord, list(true)).await, before, "nothing acknowledged");
}

async fn a_chosen_provider_id_is_registered_once(backend: Backend) {
    let running = start(backend).await;
    let register = |provider_id: &str| pb::RegisterProviderRequest {
        request_id: rid("prov"),
        cvr: "29189668".into(),
        name: "Hjemmeplejen Nord".into(),
        kind: pbc::ProviderKind::Municipal as i32,
        committee: "SOCIAL".into(),
        approved_for: vec!["personal_care".into()],
        provider_id: provider_id.into(),
    };
    let mut c = running.client.clone();
    for bad in ["nord", "prv_", "prv_Nord", "prv_n ord"] {
        let status = c.register_provider(register(bad)).await.unwrap_err();
        assert_eq!(
            (status.code(), fields(&status)),
            (Code::InvalidArgument, vec!["provider_id".to_owned()]),
            "{bad}"
        );
    }
    // Eight registrations of one id at once: one succeeds, the others are ALREADY_EXISTS.
    let mut calls = Vec::new();
    for _ in 0..8 {
        let (mut client, request) = (c.clone(), register(NORD));
        calls.push(tokio::spawn(async move {
            client.register_provider(request).await.map(|r| r.into_inner())
        }));
    }
    let mut codes = Vec::new();
    for call in calls {
        codes.push(match call.await.unwrap() {
            Ok(provider) => {
                assert_eq!(provider.provider_id, NORD);
                Code::Ok
            }
            Err(status) => status.code(),
        });
    }
    codes.sort_by_key(|c| *c as i32);
    assert_eq!(codes, [vec![Code::Ok], vec![Code::AlreadyExists; 7]].concat());
    let listed = c
        .list_providers(pb::ListProvidersRequest { page: None })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.providers.len(), 1);
}
