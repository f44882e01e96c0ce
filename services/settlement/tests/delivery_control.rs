//! Delivery control through the real API (docs/design.md §5b): with personal care paid on the
//! `delivered_capped` basis, over-delivery beyond visited time plus tolerance is not paid and is
//! shown on its own 0-kr. lines; deliveries the grant does not cover are refused per record, and
//! those on a suspended day are accepted but flagged.

mod common;

use afregning_kit::testing::Backend;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pb;
use afregning_proto::visitation::v1 as pbv;
use common::*;

/// The lines of `grant` on the provider's April statement: (rule, band, minutes, øre).
fn grant_lines(lines: &[pb::StatementLine], grant: &str) -> Vec<(String, i32, i64, i64)> {
    lines
        .iter()
        .filter(|l| l.grant_id == grant)
        .map(|l| {
            let e = l.explanation.clone().unwrap_or_default();
            (e.rule, l.time_band, e.quantity, l.amount_ore)
        })
        .collect()
}

// The worked week, then a late visit into its issued month: the second half corrects the first, so
// it is one piece.
async fn over_delivery_is_capped(backend: Backend) {
    let mut s = suite(backend).await;
    let (server, _follower, store) = settlement_with(&s, capped_catalogs("")).await;
    let mut nord = client(&server, NORD).await;
    let mut operator = client(&server, OPERATOR).await;
    let citizen_id = citizen(&mut s.ehr, "0101401111").await;
    // Personal care, 300 visited minutes a week, for the week Monday 13 – Sunday 19 April 2026.
    let mut request = decide(&citizen_id, pbc::UnitKind::Service, &s.nord, date(2026, 4, 13), date(2026, 4, 19));
    request.terms.as_mut().unwrap().visited_minutes_per_week = 300;
    let grant = s.ehr.decide_grant(request).await.unwrap().into_inner().grant_id;
    synced(&mut s.ehr, &store).await;
    // 1,200 minutes delivered: 200 at 08:00 Monday–Friday, 100 at 08:00 Saturday and Sunday.
    let mut visits: Vec<pb::Delivery> = (13..=17)
        .map(|day| {
            delivery(
                &format!("d{day}"),
                &grant,
                &s.nord,
                &format!("cv{day}"),
                at(2026, 4, day, 8, 0),
                200,
            )
        })
        .collect();
    visits.extend((18..=19).map(|day| {
        delivery(
            &format!("d{day}"),
            &grant,
            &s.nord,
            &format!("cv{day}"),
            at(2026, 4, day, 8, 0),
            100,
        )
    }));
    let answer = report(&mut nord, vec![visits]).await;
    assert_eq!((answer.accepted, answer.errors.len(), answer.flags.len()), (7, 0, 0));

    run(&mut operator, "run-april", (2026, 4)).await;
    let statement = statements(&mut operator, (2026, 4)).await.remove(&s.nord).expect("nord's April");
    let april = lines(&mut nord, &statement.statement_id).await;
    // Cap: 300 visited min/week × 7 days / 7 × (1 + 10 %) = 330 minutes, rounded down.
    // Paid in start order: Monday's 200 and Tuesday's first 130 minutes, all weekday day:
    //   330 min × 475.00 kr/h / 60 = 2,612.50 kr. = 261,250 øre.
    // Unpaid, at 0.00 kr.: Tuesday's last 70 + Wednesday–Friday's 600 = 670 weekday-day minutes,
    //   and Saturday's and Sunday's 200 weekend minutes: 870 minutes, and 330 + 870 = 1,200.
    let day = pbc::TimeBand::Day as i32;
    let weekend = pbc::TimeBand::WeekendHoliday as i32;
    assert_eq!(
        grant_lines(&april, &grant),
        vec![
            ("activity.banded".to_owned(), day, 330, 261_250),
            ("activity.capped".to_owned(), day, 670, 0),
            ("activity.capped".to_owned(), weekend, 200, 0),
        ]
    );
    assert_eq!(statement.total_ore, 261_250, "not the 9,500.00 kr. of 1,200 minutes uncapped");
    let unpaid = april
        .iter()
        .find(|l| l.explanation.as_ref().unwrap().rule == "activity.capped")
        .unwrap();
    let text = &unpaid.explanation.as_ref().unwrap().text;
    assert!(text.contains("loft 330 min") && text.contains("0,00 kr."), "{text}");
    assert_eq!(unpaid.explanation.as_ref().unwrap().rate_ore, 0);

    // A late visit in the settled month: the cap is full, so after issue the next statement
    // carries it unpaid, and April's paid minutes stay as they were.
    issue_all(&mut operator, (2026, 4)).await;
    let late = delivery("d-late", &grant, &s.nord, "cv-late", at(2026, 4, 19, 18, 0), 45);
    assert_eq!(report(&mut nord, vec![vec![late]]).await.accepted, 1);
    run(&mut operator, "run-may", (2026, 5)).await;
    let may = statements(&mut operator, (2026, 5)).await.remove(&s.nord).expect("nord's May");
    assert_eq!(may.total_ore, 0, "the late minutes are beyond the cap: nothing more to pay");
    let may_lines = lines(&mut nord, &may.statement_id).await;
    // April's weekend line of 200 unpaid minutes is reversed and rebooked with 245: the late visit
    // is on a Sunday evening, a weekend minute.
    let late_minutes: i64 = may_lines
        .iter()
        .filter(|l| l.explanation.as_ref().unwrap().text.contains("ud over loftet"))
        .map(|l| {
            let minutes = l.explanation.as_ref().unwrap().quantity;
            if l.kind == pb::LineKind::Reversal as i32 {
                -minutes
            } else {
                minutes
            }
        })
        .sum();
    assert_eq!(late_minutes, 45, "the 45 late evening minutes are shown unpaid: {may_lines:?}");
    server.stop().await.unwrap();
}

async fn deliveries_the_grant_does_not_cover(backend: Backend) {
    let mut s = suite(backend).await;
    let (server, _follower, store) = settlement_with(&s, capped_catalogs("")).await;
    let mut operator = client(&server, OPERATOR).await;
    let citizen_id = citizen(&mut s.ehr, "0202402222").await;
    let mut request = decide(&citizen_id, pbc::UnitKind::Service, &s.nord, date(2026, 4, 1), date(2026, 4, 20));
    request.terms.as_mut().unwrap().visited_minutes_per_week = 300;
    let grant = s.ehr.decide_grant(request).await.unwrap().into_inner();
    // Admitted to hospital 10 April, back 14 April.
    let suspended = s
        .ehr
        .suspend_grant(pbv::SuspendGrantRequest {
            request_id: "suspend".into(),
            grant_id: grant.grant_id.clone(),
            expected_version: grant.version,
            from: date(2026, 4, 10),
            reason: "hospital admission".into(),
            decided_on: date(2026, 4, 10),
        })
        .await
        .unwrap()
        .into_inner();
    s.ehr
        .resume_grant(pbv::ResumeGrantRequest {
            request_id: "resume".into(),
            grant_id: grant.grant_id.clone(),
            expected_version: suspended.version,
            on: date(2026, 4, 14),
            decided_on: date(2026, 4, 14),
        })
        .await
        .unwrap();
    synced(&mut s.ehr, &store).await;
    let g = &grant.grant_id;
    let answer = report(
        &mut operator,
        vec![vec![
            delivery("ok", g, &s.nord, "cv1", at(2026, 4, 8, 9, 0), 30),
            delivery("in-hospital", g, &s.nord, "cv2", at(2026, 4, 11, 9, 0), 30),
            delivery("after-end", g, &s.nord, "cv3", at(2026, 4, 21, 9, 0), 30),
            delivery("not-named", g, &s.plejegruppen, "cv4", at(2026, 4, 8, 10, 0), 30),
        ]],
    )
    .await;
    // Refused per record, as before: after the grant's end, and by a provider it does not name.
    let refused: Vec<(u64, &str)> = answer.errors.iter().map(|e| (e.index, e.field.as_str())).collect();
    assert_eq!(refused, vec![(2, "started_at"), (3, "provider_id")]);
    // Accepted, but flagged: delivered while the citizen was in hospital.
    assert_eq!(answer.accepted, 2);
    assert_eq!(answer.flags.len(), 1);
    assert_eq!((answer.flags[0].delivery_id.as_str(), answer.flags[0].index), ("in-hospital", 1));
    assert!(answer.flags[0].description.contains("suspended"));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn over_delivery_is_capped_sqlite() {
    over_delivery_is_capped(Backend::Sqlite).await;
}

#[tokio::test]
async fn over_delivery_is_capped_postgres() {
    over_delivery_is_capped(Backend::Postgres).await;
}

#[tokio::test]
async fn deliveries_the_grant_does_not_cover_sqlite() {
    deliveries_the_grant_does_not_cover(Backend::Sqlite).await;
}

#[tokio::test]
async fn deliveries_the_grant_does_not_cover_postgres() {
    deliveries_the_grant_does_not_cover(Backend::Postgres).await;
}
