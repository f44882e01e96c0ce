//! The running month previewed through the real API: priced as a run will price it, marked a
//! preview, stored nowhere — and once the month has ended with the same deliveries, its statement
//! equals the preview to the øre. "Today" is pinned with the kit's clock.

mod common;

use afregning_kit::clock::pin_today;
use afregning_kit::testing::Backend;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pb;
use chrono::NaiveDate;
use common::*;
use tonic::Code;

fn preview_of(provider_id: &str) -> pb::PreviewStatementsRequest {
    pb::PreviewStatementsRequest {
        provider_id: provider_id.into(),
    }
}

// The month previewed while it runs and then settled once it has ended: the comparison needs both
// halves on one database and one pinned clock, so it is one piece.
async fn preview_equals_the_settled_month(backend: Backend) {
    pin_today(NaiveDate::from_ymd_opt(2026, 4, 20));
    let mut s = suite(backend).await;
    let (server, _follower, store) = settlement_with(&s, capped_catalogs("")).await;
    let mut nord = client(&server, NORD).await;
    let mut pleje = client(&server, PLEJEGRUPPEN).await;
    let mut operator = client(&server, OPERATOR).await;
    let mut finance = client(&server, FINANCE).await;
    // Nord: personal care (capped) over-delivered, and a package; both from 1 April.
    let a = citizen(&mut s.ehr, "0101401111").await;
    let b = citizen(&mut s.ehr, "0202402222").await;
    let mut care = decide(&a, pbc::UnitKind::Service, &s.nord, date(2026, 4, 1), None);
    care.terms.as_mut().unwrap().visited_minutes_per_week = 120;
    let care = s.ehr.decide_grant(care).await.unwrap().into_inner().grant_id;
    s.ehr
        .decide_grant(decide(&b, pbc::UnitKind::Package, &s.nord, date(2026, 4, 1), None))
        .await
        .unwrap();
    synced(&mut s.ehr, &store).await;
    let visits: Vec<pb::Delivery> = (1..=18)
        .map(|day| {
            delivery(
                &format!("v{day}"),
                &care,
                &s.nord,
                &format!("cv{day}"),
                at(2026, 4, day, 16, 30),
                45,
            )
        })
        .collect();
    assert_eq!(report(&mut nord, vec![visits]).await.accepted, 18);

    // The month is running: it cannot be settled yet, but it can be previewed.
    let request = pb::RunSettlementRequest {
        request_id: "too-early".into(),
        period: Some(pbc::Period { year: 2026, month: 4 }),
    };
    assert_eq!(operator.run_settlement(request).await.unwrap_err().code(), Code::FailedPrecondition);
    let preview = nord.preview_statements(preview_of("")).await.unwrap().into_inner();
    assert_eq!(preview.period, Some(pbc::Period { year: 2026, month: 4 }));
    assert_eq!(preview.as_of, date(2026, 4, 20));
    let [own] = preview.previews.as_slice() else {
        panic!("one preview: {preview:?}")
    };
    let statement = own.statement.clone().unwrap();
    assert_eq!(statement.state, pb::StatementState::Preview as i32);
    assert_eq!((statement.issued_at, statement.content_hash.as_str()), (None, ""));
    assert!(
        own.lines.iter().all(|l| !l.cpr.is_empty()),
        "a provider sees its own citizens' CPR numbers"
    );
    // The package: 1,850.00 kr./week × 30 days / 7 = 7,928.57 kr.
    // Care: cap 120 min/week × 30 days / 7 × 1.10 = 565.71… → 565 minutes; 18 visits of 45
    // minutes at 16:30 = 810 minutes, 15:00–23:00 on weekdays is evening (560.00 kr./h), on
    // Saturdays, Sundays and Easter (2, 3, 5, 6 April) weekend (560.00 kr./h): every minute is
    // 560.00 kr./h, so 565 paid minutes = 5,273.33 kr.; 245 minutes unpaid.
    assert_eq!(statement.total_ore, 792_857 + 527_333);
    assert_eq!(preview.total_ore, statement.total_ore);
    let unpaid: i64 = own
        .lines
        .iter()
        .filter(|l| l.explanation.as_ref().unwrap().rule == "activity.capped")
        .map(|l| l.explanation.as_ref().unwrap().quantity)
        .sum();
    assert_eq!(unpaid, 245);

    // Never stored: no statement for April exists.
    assert!(statements(&mut operator, (2026, 4)).await.is_empty());
    // Another provider's preview, or one of nobody: the same PERMISSION_DENIED.
    assert_eq!(
        pleje.preview_statements(preview_of(&s.nord)).await.unwrap_err().code(),
        Code::PermissionDenied
    );
    assert_eq!(
        pleje.preview_statements(preview_of("prv_none")).await.unwrap_err().code(),
        Code::PermissionDenied
    );
    // Operators and finance see every provider's running month (headers), without CPR numbers
    // when they name one.
    let all = finance.preview_statements(preview_of("")).await.unwrap().into_inner();
    assert_eq!(all.total_ore, statement.total_ore);
    assert!(all.previews.iter().all(|p| p.lines.is_empty()));
    let named = operator.preview_statements(preview_of(&s.nord)).await.unwrap().into_inner();
    assert!(named.previews[0].lines.iter().all(|l| l.cpr.is_empty()));

    // The month ends with the same deliveries; its statement is the preview, to the øre and line.
    pin_today(NaiveDate::from_ymd_opt(2026, 5, 2));
    run(&mut operator, "run-april", (2026, 4)).await;
    let settled = statements(&mut operator, (2026, 4)).await.remove(&s.nord).unwrap();
    assert_eq!(settled.state, pb::StatementState::Draft as i32);
    assert_eq!(
        (settled.statement_id.as_str(), settled.total_ore),
        (statement.statement_id.as_str(), statement.total_ore)
    );
    assert_eq!(lines(&mut nord, &settled.statement_id).await, own.lines);
    // Once issued, the month has nothing to preview; May is the running month now.
    issue_all(&mut operator, (2026, 4)).await;
    let may = nord.preview_statements(preview_of("")).await.unwrap().into_inner();
    assert_eq!(may.period, Some(pbc::Period { year: 2026, month: 5 }));
    pin_today(None);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn preview_equals_the_settled_month_sqlite() {
    preview_equals_the_settled_month(Backend::Sqlite).await;
}

#[tokio::test]
async fn preview_equals_the_settled_month_postgres() {
    preview_equals_the_settled_month(Backend::Postgres).await;
}
