//! Follow-up as of a date, through the real gRPC API on both backends: every frame's row adds up
//! (budget − consumed − expected rest = expected result) at every date, with the expected rest one
//! figure — the leader's expected accounts where given, otherwise the commitments — and the other
//! beside it; a status as of a date is not changed by anything booked later with a later effective
//! date (a Q3 reallocation executed after the fact); and a closed month's status never changes,
//! whatever is booked into it after the close.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use afregning_budget::store::Store;
use afregning_kit::auth::Outgoing;
use afregning_kit::config::ServiceConfig;
use afregning_kit::follow::Upstream;
use afregning_kit::server::{ServiceContext, ServiceSpec};
use afregning_kit::testing::{Backend, TestDatabase, TestServer};
use afregning_proto::budget::v1 as pb;
use afregning_proto::common::v1 as pbc;
use afregning_proto::visitation::v1 as pbv;
use afregning_proto::visitation::v1::visitation_service_client::VisitationServiceClient;
use common::{BUDGET, Client, EHR, FINANCE, HEALTH, SOCIAL, auth, catalogs, client, posting};

fn date(m: i32, d: i32) -> Option<pbc::Date> {
    Some(pbc::Date {
        year: 2026,
        month: m,
        day: d,
    })
}

/// Budget following a visitation that holds one MAINTAINING course from 1 April (7,500.00 a
/// week, paid 80 % by SOCIAL and 20 % by HEALTH), with the frames SOCIAL 1,200,000.00 and HEALTH
/// 365,000.00 (even by days).
struct Suite {
    _v_db: TestDatabase,
    _visitation: TestServer,
    _b_db: TestDatabase,
    budget: TestServer,
    store: Store,
}

async fn suite(backend: Backend) -> Suite {
    let v_db = TestDatabase::new(backend).await;
    let database = v_db.connect(afregning_visitation::MIGRATIONS).await;
    let context = ServiceContext {
        config: ServiceConfig::defaults("visitation"),
        database: database.clone(),
        catalogs: catalogs(),
        auth: auth(),
    };
    let visitation = TestServer::start(ServiceSpec {
        grpc_name: afregning_visitation::GRPC_NAME,
        routes: afregning_visitation::routes(context).unwrap(),
        database,
    })
    .await;
    let mut ehr = VisitationServiceClient::with_interceptor(visitation.channel().await, Outgoing::new(Some(EHR)));
    let provider_id = ehr
        .register_provider(pbv::RegisterProviderRequest {
            request_id: "prov".into(),
            cvr: "29189668".into(),
            name: "Hjemmeplejen Nord".into(),
            kind: pbc::ProviderKind::Municipal as i32,
            committee: "SOCIAL".into(),
            approved_for: vec!["course:MAINTAINING".into()],
            provider_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner()
        .provider_id;
    let citizen_id = ehr
        .register_citizen(pbv::RegisterCitizenRequest {
            request_id: "cit".into(),
            cpr: "0505402555".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .citizen_id;
    let terms = pbv::GrantTerms {
        unit_kind: pbc::UnitKind::Course as i32,
        legal_basis: "SEL-83".into(),
        intervention: "personlig-pleje".into(),
        visited_minutes_per_week: 1_000,
        course_type: pbc::CourseType::Maintaining as i32,
        providers: vec![pbc::ProviderShare {
            provider_id,
            share_percent: 100,
            lead: true,
        }],
        ..Default::default()
    };
    ehr.decide_grant(pbv::DecideGrantRequest {
        request_id: "course".into(),
        citizen_id,
        terms: Some(terms),
        start: date(4, 1),
        end: None,
        decided_on: date(4, 1),
    })
    .await
    .unwrap();
    let published = ehr
        .get_feed_positions(pbc::GetFeedPositionsRequest {})
        .await
        .unwrap()
        .into_inner()
        .published_sequence;

    let b_db = TestDatabase::new(backend).await;
    let database = b_db.connect(afregning_budget::MIGRATIONS).await;
    let store = Store::new(database.clone());
    afregning_budget::follower::spawn_grants(
        store.clone(),
        Upstream::new(format!("http://{}", visitation.addr), Some(BUDGET.into())),
    );
    let budget = TestServer::start(ServiceSpec {
        grpc_name: afregning_budget::GRPC_NAME,
        routes: afregning_budget::service_routes(store.clone(), 0, std::sync::Arc::new(catalogs()), &auth()),
        database,
    })
    .await;
    let mut finance = client(&budget, FINANCE).await;
    for (code, amount) in [("SOCIAL", 120_000_000), ("HEALTH", 36_500_000)] {
        finance
            .create_committee(pb::CreateCommitteeRequest {
                request_id: format!("c-{code}"),
                code: code.into(),
                name: code.into(),
            })
            .await
            .unwrap();
        finance
            .set_frame(pb::SetFrameRequest {
                request_id: format!("f-{code}"),
                frame: code.into(),
                year: 2026,
                committee: code.into(),
                name: format!("Visitation og Rehabilitering – {code}"),
                account: "5.30.26".into(),
                amount_ore: amount,
                monthly_profile_ore: vec![],
                effective_from: None,
            })
            .await
            .unwrap();
    }
    for _ in 0..200 {
        if store.cursor("visitation").await.unwrap() == i64::try_from(published).unwrap() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(store.cursor("visitation").await.unwrap(), i64::try_from(published).unwrap());
    Suite {
        _v_db: v_db,
        _visitation: visitation,
        _b_db: b_db,
        budget,
        store,
    }
}

/// Every frame's status at a date, by frame.
async fn statuses(finance: &mut Client, as_of: Option<pbc::Date>) -> BTreeMap<String, pb::FrameStatus> {
    let request = pb::GetFollowUpStatusRequest {
        frame: String::new(),
        as_of,
    };
    let frames = finance.get_follow_up_status(request).await.unwrap().into_inner().frames;
    frames.into_iter().map(|f| (f.frame.clone(), f)).collect()
}

/// The rule every row holds: the expected rest is one figure, from one source, and budget −
/// consumed − expected rest = expected result.
fn adds_up(s: &pb::FrameStatus) {
    let from = |d: &Option<pbc::Date>| d.map(|d| format!("{}-{:02}-{:02}", d.year, d.month, d.day)).unwrap_or_default();
    let at = format!("{} at {}", s.frame, from(&s.as_of));
    assert_eq!(s.budget_ore - s.consumed_ore - s.expected_rest_ore, s.expected_result_ore, "{at}");
    let (source, figure) = if s.has_leader_forecast {
        (pb::ExpectedRestSource::Leader, s.expected_rest_from_leader_ore)
    } else {
        (pb::ExpectedRestSource::Commitments, s.expected_rest_from_commitments_ore)
    };
    assert_eq!((s.expected_rest_source, s.expected_rest_ore), (source as i32, figure), "{at}");
}

/// Approves and executes the quarter's one case (SOCIAL's need bought by HEALTH).
async fn reallocate(b: &Suite, quarter: i32, amount: i64) {
    let (mut finance, mut social, mut health) = (
        client(&b.budget, FINANCE).await,
        client(&b.budget, SOCIAL).await,
        client(&b.budget, HEALTH).await,
    );
    let cases = finance
        .propose_reallocations(pb::ProposeReallocationsRequest {
            request_id: format!("propose-q{quarter}"),
            quarter: Some(pbc::Quarter { year: 2026, quarter }),
        })
        .await
        .unwrap()
        .into_inner()
        .cases;
    assert_eq!(cases.len(), 1);
    assert_eq!(
        (cases[0].from_frame.as_str(), cases[0].to_frame.as_str(), cases[0].amount_ore),
        ("SOCIAL", "HEALTH", amount)
    );
    let case_id = cases[0].case_id.clone();
    let decide = |committee: &str| pb::DecideReallocationCaseRequest {
        request_id: format!("decide-q{quarter}-{committee}"),
        case_id: case_id.clone(),
        committee: committee.into(),
        approve: true,
        comment: "ok".into(),
    };
    social.decide_reallocation_case(decide("SOCIAL")).await.unwrap();
    health.decide_reallocation_case(decide("HEALTH")).await.unwrap();
    let executed = finance
        .execute_reallocation_case(pb::ExecuteReallocationCaseRequest {
            request_id: format!("execute-q{quarter}"),
            case_id,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(executed.state, pb::CaseState::Executed as i32);
}

/// HEALTH's leader expects 1,000.00 a month from June.
async fn leader_forecast(finance: &mut Client, request_id: &str, per_month: i64) {
    let months = (6..=12)
        .map(|month| pb::MonthAmount {
            month,
            amount_ore: per_month,
        })
        .collect();
    finance
        .submit_expected_accounts(pb::SubmitExpectedAccountsRequest {
            request_id: request_id.into(),
            frame: "HEALTH".into(),
            year: 2026,
            months,
            submitted_by: "leder-3".into(),
        })
        .await
        .unwrap();
}

async fn every_row_adds_up_and_a_date_keeps_its_figures(backend: Backend) {
    let b = suite(backend).await;
    let mut finance = client(&b.budget, FINANCE).await;
    // Q2: HEALTH paid 2,360.00 of training for SOCIAL's need, SOCIAL 500.00 for HEALTH's and
    // 1,000.00 of its own; Q3: HEALTH paid 100.00 for SOCIAL's.
    posting(&b.store, "p1", "HEALTH", "SOCIAL", 4, 236_000).await;
    posting(&b.store, "p2", "SOCIAL", "HEALTH", 5, 50_000).await;
    posting(&b.store, "p3", "SOCIAL", "SOCIAL", 4, 100_000).await;
    leader_forecast(&mut finance, "leader-1", 100_000).await;

    // HEALTH at 30 June, by hand: budget 365,000.00, consumed 2,360.00 (April), the leader's
    // July–December 6 × 1,000.00 = 6,000.00 is the expected rest (June has no days left), and the
    // commitments beside it are HEALTH's 20 % of the course July–December, 39,428.58:
    // 365,000.00 − 2,360.00 − 6,000.00 = 356,640.00.
    let june = statuses(&mut finance, date(6, 30)).await;
    let h = &june["HEALTH"];
    assert_eq!(
        (h.budget_ore, h.consumed_ore, h.expected_rest_ore, h.expected_result_ore),
        (36_500_000, 236_000, 600_000, 35_664_000)
    );
    assert_eq!(
        (
            h.expected_rest_from_leader_ore,
            h.expected_rest_from_commitments_ore,
            h.has_leader_forecast
        ),
        (600_000, 3_942_858, true)
    );
    assert_eq!(h.expected_rest_source, pb::ExpectedRestSource::Leader as i32);
    assert!(!h.closed);
    // SOCIAL has no forecast: its 80 %, 157,714.30, is the expected rest;
    // 1,200,000.00 − 1,500.00 − 157,714.30 = 1,040,785.70.
    let s = &june["SOCIAL"];
    assert_eq!(
        (s.budget_ore, s.consumed_ore, s.expected_rest_ore, s.expected_result_ore),
        (120_000_000, 150_000, 15_771_430, 104_078_570)
    );
    assert_eq!(s.expected_rest_source, pb::ExpectedRestSource::Commitments as i32);

    // On 10 June the leader's June counts for the 20 days left of its 30: 666.67 + 6,000.00.
    let h = &statuses(&mut finance, date(6, 10)).await["HEALTH"];
    assert_eq!((h.expected_rest_from_leader_ore, h.expected_rest_ore), (666_667, 666_667));

    // Q2's case is effective on 30 June: executed now, it is in the budget at 30 June.
    reallocate(&b, 2, 186_000).await;
    let june = statuses(&mut finance, date(6, 30)).await;
    assert_eq!((june["HEALTH"].budget_ore, june["SOCIAL"].budget_ore), (36_686_000, 119_814_000));
    assert_eq!(june["HEALTH"].expected_result_ore, 35_850_000);

    // Q3's purchase and its case, executed after the fact, are effective on 31 July and
    // 30 September: the status as of 30 June does not change in any field.
    posting(&b.store, "p4", "HEALTH", "SOCIAL", 7, 10_000).await;
    reallocate(&b, 3, 10_000).await;
    assert_eq!(statuses(&mut finance, date(6, 30)).await, june, "as of 30 June, nothing moved");
    let september = statuses(&mut finance, date(9, 30)).await;
    assert_eq!(
        (september["HEALTH"].budget_ore, september["SOCIAL"].budget_ore),
        (36_696_000, 119_804_000)
    );
    assert_eq!(september["HEALTH"].consumed_ore, 246_000);

    // Every frame at several dates, with and without the leader's forecast.
    let dates = [
        (1, 1),
        (3, 31),
        (4, 15),
        (6, 10),
        (6, 30),
        (7, 1),
        (8, 17),
        (9, 30),
        (11, 30),
        (12, 31),
    ];
    for (m, d) in dates {
        for s in statuses(&mut finance, date(m, d)).await.values() {
            adds_up(s);
        }
    }
    assert_eq!(statuses(&mut finance, date(12, 31)).await["HEALTH"].expected_rest_ore, 0);
}

#[tokio::test]
async fn every_row_adds_up_and_a_date_keeps_its_figures_sqlite() {
    every_row_adds_up_and_a_date_keeps_its_figures(Backend::Sqlite).await;
}

#[tokio::test]
async fn every_row_adds_up_and_a_date_keeps_its_figures_postgres() {
    every_row_adds_up_and_a_date_keeps_its_figures(Backend::Postgres).await;
}

async fn a_closed_month_never_changes(backend: Backend) {
    let b = suite(backend).await;
    let mut finance = client(&b.budget, FINANCE).await;
    posting(&b.store, "p1", "HEALTH", "SOCIAL", 4, 236_000).await;
    posting(&b.store, "p2", "HEALTH", "HEALTH", 6, 80_000).await;
    leader_forecast(&mut finance, "leader-1", 100_000).await;
    let mid = statuses(&mut finance, date(6, 15)).await["HEALTH"].clone();
    let end = statuses(&mut finance, date(6, 30)).await["HEALTH"].clone();

    let closed = finance
        .close_month(pb::CloseMonthRequest {
            request_id: "close-june".into(),
            frame: "HEALTH".into(),
            period: Some(pbc::Period { year: 2026, month: 6 }),
        })
        .await
        .unwrap()
        .into_inner();
    let frozen = closed.status.unwrap();
    assert!(frozen.closed && frozen.closed_at == closed.closed_at);
    assert_eq!(
        pb::FrameStatus {
            closed: false,
            closed_at: None,
            ..frozen.clone()
        },
        end,
        "the close freezes the figures as they stood"
    );
    let at = |s: &pb::FrameStatus| (s.consumed_ore, s.expected_rest_ore, s.expected_result_ore);
    // 2,360.00 + 800.00 consumed; 6,000.00 of the leader's months after June.
    assert_eq!(at(&frozen), (316_000, 600_000, 35_584_000));
    let frozen_mid = statuses(&mut finance, date(6, 15)).await["HEALTH"].clone();
    assert!(frozen_mid.closed);
    assert_eq!(
        pb::FrameStatus {
            closed: false,
            closed_at: None,
            ..frozen_mid.clone()
        },
        mid,
        "mid-June is frozen as it stood too"
    );
    adds_up(&frozen);
    adds_up(&frozen_mid);
    assert_eq!(statuses(&mut finance, date(6, 30)).await["HEALTH"], frozen);

    // After the close: a late actual and a late posting effective in June, the Q2 case (effective
    // 30 June), a new forecast and a new frame amount. June's statuses stay exactly as closed.
    let late = pb::ActualEntry {
        external_id: "erp-late".into(),
        frame: "HEALTH".into(),
        account: "5.30.26".into(),
        booked_on: date(6, 20),
        amount_ore: 500_000,
        text: "sen faktura".into(),
    };
    let imported = finance
        .import_actuals(tokio_stream::iter(vec![pb::ImportActualsRequest {
            request_id: "late".into(),
            entries: vec![late],
        }]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(imported.accepted, 1);
    posting(&b.store, "p3", "HEALTH", "HEALTH", 6, 7_000).await;
    posting(&b.store, "p4", "SOCIAL", "HEALTH", 5, 50_000).await;
    reallocate(&b, 2, 186_000).await;
    leader_forecast(&mut finance, "leader-2", 250_000).await;
    finance
        .set_frame(pb::SetFrameRequest {
            request_id: "f-HEALTH-2".into(),
            frame: "HEALTH".into(),
            year: 2026,
            committee: "HEALTH".into(),
            name: "Visitation og Rehabilitering – HEALTH".into(),
            account: "5.30.26".into(),
            amount_ore: 40_000_000,
            monthly_profile_ore: vec![],
            effective_from: date(7, 1),
        })
        .await
        .unwrap();
    assert_eq!(statuses(&mut finance, date(6, 30)).await["HEALTH"], frozen, "field by field");
    assert_eq!(statuses(&mut finance, date(6, 15)).await["HEALTH"], frozen_mid, "field by field");

    // They land in the next open month: at 1 July the late 5,000.00 and 70.00 are consumed, the
    // reallocation is in the budget, and the new forecast is the expected rest: 30 of July's 31
    // days of 2,500.00 (2,419.35) and August–December, 12,500.00.
    let july = &statuses(&mut finance, date(7, 1)).await["HEALTH"];
    assert!(!july.closed);
    assert_eq!(
        (july.budget_ore, july.consumed_ore, july.expected_rest_ore),
        (40_186_000, 823_000, 241_935 + 5 * 250_000)
    );
    adds_up(july);

    // Closing June again changes nothing and answers the frozen status.
    let again = finance
        .close_month(pb::CloseMonthRequest {
            request_id: "close-june-again".into(),
            frame: "HEALTH".into(),
            period: Some(pbc::Period { year: 2026, month: 6 }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((again.status.as_ref(), again.closed_at), (Some(&frozen), closed.closed_at));
}

#[tokio::test]
async fn a_closed_month_never_changes_sqlite() {
    a_closed_month_never_changes(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_closed_month_never_changes_postgres() {
    a_closed_month_never_changes(Backend::Postgres).await;
}

/// HEALTH set again: 400,000.00 from 1 November instead of 365,000.00.
fn raise_health(request_id: &str, effective_from: Option<pbc::Date>) -> pb::SetFrameRequest {
    pb::SetFrameRequest {
        request_id: request_id.into(),
        frame: "HEALTH".into(),
        year: 2026,
        committee: "HEALTH".into(),
        name: "Visitation og Rehabilitering – HEALTH".into(),
        account: "5.30.26".into(),
        amount_ore: 40_000_000,
        monthly_profile_ore: vec![],
        effective_from,
    }
}

async fn a_frame_change_takes_effect_from_its_day(backend: Backend) {
    let b = suite(backend).await;
    let mut finance = client(&b.budget, FINANCE).await;
    posting(&b.store, "p1", "HEALTH", "HEALTH", 6, 80_000).await;
    let july = statuses(&mut finance, date(7, 31)).await["HEALTH"].clone();
    let series_at = |as_of| pb::GetFollowUpSeriesRequest {
        frame: "HEALTH".into(),
        year: 2026,
        as_of,
    };
    let curve_july = finance.get_follow_up_series(series_at(date(7, 31))).await.unwrap().into_inner();

    // The raise, recorded now with effect from 1 November: July keeps the budget it had.
    let set = finance.set_frame(raise_health("raise", date(11, 1))).await.unwrap().into_inner();
    assert_eq!(set.amount_ore, 40_000_000, "the frame as it now stands");
    assert_eq!(statuses(&mut finance, date(7, 31)).await["HEALTH"], july, "field by field");
    assert_eq!(july.budget_ore, 36_500_000);
    let november = statuses(&mut finance, date(11, 30)).await["HEALTH"].clone();
    assert_eq!((november.budget_ore, november.consumed_ore), (40_000_000, 80_000));
    adds_up(&november);
    // The curve as of July is as it was; as of November its budget is the raised one: 11/12
    // released by 30 November — 400,000.00 × 334/365 = 366,027.40.
    let again = finance.get_follow_up_series(series_at(date(7, 31))).await.unwrap().into_inner();
    assert_eq!(again, curve_july);
    let curve_november = finance.get_follow_up_series(series_at(date(11, 30))).await.unwrap().into_inner();
    assert_eq!(curve_november.points[10].budget_cumulative_ore, 36_602_740);
    // June is consumed by July's curve; October is still a forecast in July's, consumed in November's.
    assert_eq!(curve_july.points[5].consumed_cumulative_ore, 80_000);
    assert_eq!(
        curve_july.points[9].commitments_forecast_cumulative_ore,
        curve_november.points[9].consumed_cumulative_ore + (curve_july.points[9].commitments_forecast_cumulative_ore - 80_000),
        "no consumption after June, so October's forecast is June's 800.00 plus the commitments"
    );

    // Retried, the same answer; a new frame's first setting holds from 1 January; a change
    // reaching into a closed month is refused, naming the day, and changes nothing.
    assert_eq!(
        finance.set_frame(raise_health("raise", date(11, 1))).await.unwrap().into_inner(),
        set
    );
    let mut first = raise_health("new-frame", date(3, 1));
    first.frame = "NURSING".into();
    let refused = finance.set_frame(first).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::FailedPrecondition);
    assert!(refused.message().contains("effective_from"), "{refused:?}");
    finance
        .close_month(pb::CloseMonthRequest {
            request_id: "close-july".into(),
            frame: "HEALTH".into(),
            period: Some(pbc::Period { year: 2026, month: 7 }),
        })
        .await
        .unwrap();
    let refused = finance.set_frame(raise_health("into-july", date(7, 15))).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::FailedPrecondition);
    assert!(refused.message().contains("2026-07"), "{refused:?}");
    let outside = finance
        .set_frame(raise_health(
            "next-year",
            Some(pbc::Date {
                year: 2027,
                month: 1,
                day: 1,
            }),
        ))
        .await
        .unwrap_err();
    assert_eq!(outside.code(), tonic::Code::InvalidArgument);
    assert_eq!(statuses(&mut finance, date(11, 30)).await["HEALTH"], november);
    // The closed July's curve point is the frozen figure, marked closed.
    let curve = finance.get_follow_up_series(series_at(date(11, 30))).await.unwrap().into_inner();
    assert!(curve.points[6].closed && !curve.points[7].closed);
    assert_eq!(curve.points[6].consumed_cumulative_ore, 80_000);
}

#[tokio::test]
async fn a_frame_change_takes_effect_from_its_day_sqlite() {
    a_frame_change_takes_effect_from_its_day(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_frame_change_takes_effect_from_its_day_postgres() {
    a_frame_change_takes_effect_from_its_day(Backend::Postgres).await;
}
