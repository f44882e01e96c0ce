//! Money when grants change (docs/design.md, "Lines and grant versions", "Corrections", "Which catalog"):
//! each case entered through visitation's and settlement's real gRPC APIs, settled and issued,
//! then changed the way grants change in real life, with every figure worked by hand.

mod common;

use std::collections::BTreeMap;

use afregning_kit::testing::Backend;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pb;
use afregning_proto::visitation::v1 as pbv;
use common::*;

fn course(minutes: u32, course_type: pbc::CourseType, provider: &str) -> pbv::GrantTerms {
    let (basis, intervention) = match course_type {
        pbc::CourseType::Developing => ("SEL-83a", "hverdagsrehabilitering"),
        _ => ("SEL-83", "personlig-pleje"),
    };
    pbv::GrantTerms {
        unit_kind: pbc::UnitKind::Course as i32,
        legal_basis: basis.into(),
        intervention: intervention.into(),
        visited_minutes_per_week: minutes,
        course_type: course_type as i32,
        providers: vec![share(provider, 100, true)],
        ..Default::default()
    }
}

fn service(category: &str, minutes: u32, provider: &str) -> pbv::GrantTerms {
    pbv::GrantTerms {
        unit_kind: pbc::UnitKind::Service as i32,
        legal_basis: "SEL-83".into(),
        intervention: "personlig-pleje".into(),
        visited_minutes_per_week: minutes,
        service_category: category.into(),
        providers: vec![share(provider, 100, true)],
        ..Default::default()
    }
}

fn package(provider: &str) -> pbv::GrantTerms {
    pbv::GrantTerms {
        unit_kind: pbc::UnitKind::Package as i32,
        legal_basis: "SEL-83".into(),
        intervention: "personlig-pleje".into(),
        visited_minutes_per_week: 240,
        package: "personal_care_package".into(),
        providers: vec![share(provider, 100, true)],
        ..Default::default()
    }
}

/// (kind, covers, unit, amount) of a statement's lines on one grant, in statement order.
fn of_grant(lines: &[pb::StatementLine], grant: &pbv::Grant) -> Vec<(pb::LineKind, String, String, i64)> {
    lines
        .iter()
        .filter(|l| l.grant_id == grant.grant_id)
        .map(|l| {
            let covers = l.covers.map(|c| {
                let d = |d: Option<pbc::Date>| d.map(|d| format!("{:02}.{:02}", d.day, d.month)).unwrap_or_default();
                format!("{}–{}", d(c.first), d(c.last))
            });
            (
                pb::LineKind::try_from(l.kind).unwrap(),
                covers.unwrap_or_default(),
                l.unit.clone(),
                l.amount_ore,
            )
        })
        .collect()
}

fn visit(id: &str, grant: &pbv::Grant, provider: &str, start: Option<prost_types::Timestamp>, minutes: u32) -> pb::Delivery {
    delivery(id, &grant.grant_id, provider, &format!("cv-{id}"), start, minutes)
}

/// A revisit that is not backdated changes nothing before the day it takes effect: each day is
/// priced by the version in force that day, with its own unit and pay basis.
async fn a_revisit_changes_nothing_before_it(backend: Backend) {
    let mut s = suite(backend).await;
    let nord = s.nord.clone();
    // A course of 1,620 visited minutes a week is INDIVIDUAL, paid by delivered minutes (495.00/h).
    let individual = decided(
        &mut s.ehr,
        "ind",
        "0101401111",
        course(1_620, pbc::CourseType::Maintaining, &nord),
        date(2026, 3, 2),
        date(2026, 3, 2),
    )
    .await;
    // MAINTAINING level 4 (1,000 minutes): 7,500.00 a week.
    let maintaining = decided(
        &mut s.ehr,
        "mnt",
        "0202402222",
        course(1_000, pbc::CourseType::Maintaining, &nord),
        date(2026, 4, 1),
        date(2026, 4, 1),
    )
    .await;
    let (server, _follower, store) = settlement(&s).await;
    let mut operator = client(&server, OPERATOR).await;
    let mut provider = client(&server, NORD).await;
    synced(&mut s.ehr, &store).await;
    // April: six 120-minute weekday visits on the INDIVIDUAL course, 720 minutes.
    let april: Vec<pb::Delivery> = [7, 8, 9, 14, 15, 16]
        .into_iter()
        .map(|day| visit(&format!("apr-{day}"), &individual, &nord, at(2026, 4, day, 8, 0), 120))
        .collect();
    assert_eq!(report(&mut provider, vec![april]).await.accepted, 6);
    run(&mut operator, "run-april", (2026, 4)).await;
    let issued = issue_all(&mut operator, (2026, 4)).await;
    let april_lines = lines(&mut operator, &issued[&nord].statement_id).await;
    // 720 min × 495.00 / 60 = 5,940.00; 7,500.00 × 30 / 7 = 32,142.86.
    assert_eq!(
        of_grant(&april_lines, &individual),
        vec![(pb::LineKind::Regular, "01.04–30.04".into(), "course:INDIVIDUAL".into(), 594_000)]
    );
    assert_eq!(
        of_grant(&april_lines, &maintaining),
        vec![(
            pb::LineKind::Regular,
            "01.04–30.04".into(),
            "course:MAINTAINING:4".into(),
            3_214_286
        )]
    );

    // In May: a 120-minute visit on 5 May, then a revisit from 11 May (decided that day) to a
    // DEVELOPING course of 640 minutes, level 3 (5,900.00 a week).
    let may_visit = visit("may-5", &individual, &nord, at(2026, 5, 5, 8, 0), 120);
    assert_eq!(report(&mut provider, vec![vec![may_visit]]).await.accepted, 1);
    s.ehr
        .revisit_grant(pbv::RevisitGrantRequest {
            request_id: "revisit-ind".into(),
            grant_id: individual.grant_id.clone(),
            expected_version: 1,
            effective_from: date(2026, 5, 11),
            visited_minutes_per_week: 640,
            course_type: pbc::CourseType::Developing as i32,
            decided_on: date(2026, 5, 11),
        })
        .await
        .unwrap();
    // The MAINTAINING course is revisited from 20 May to 1,600 minutes: INDIVIDUAL from then on,
    // with one 60-minute visit on 26 May.
    s.ehr
        .revisit_grant(pbv::RevisitGrantRequest {
            request_id: "revisit-mnt".into(),
            grant_id: maintaining.grant_id.clone(),
            expected_version: 1,
            effective_from: date(2026, 5, 20),
            visited_minutes_per_week: 1_600,
            course_type: 0,
            decided_on: date(2026, 5, 20),
        })
        .await
        .unwrap();
    synced(&mut s.ehr, &store).await;
    let late = visit("may-26", &maintaining, &nord, at(2026, 5, 26, 8, 0), 60);
    assert_eq!(report(&mut provider, vec![vec![late]]).await.accepted, 1);
    run(&mut operator, "run-may", (2026, 5)).await;
    let may = statements(&mut operator, (2026, 5)).await;
    let may_lines = lines(&mut operator, &may[&nord].statement_id).await;
    // 1–10 May under version 1: 120 delivered min × 495.00 / 60 = 990.00; 11–31 May under
    // version 2: 5,900.00 × 21 / 7 = 17,700.00. April is not touched: 18,690.00.
    assert_eq!(
        of_grant(&may_lines, &individual),
        vec![
            (pb::LineKind::Regular, "01.05–10.05".into(), "course:INDIVIDUAL".into(), 99_000),
            (pb::LineKind::Regular, "11.05–31.05".into(), "course:DEVELOPING:3".into(), 1_770_000),
        ]
    );
    // 1–19 May at level 4: 7,500.00 × 19 / 7 = 20,357.14; from 20 May 60 min × 495.00 / 60 = 495.00:
    // 20,852.14, and April stays as issued.
    assert_eq!(
        of_grant(&may_lines, &maintaining),
        vec![
            (
                pb::LineKind::Regular,
                "01.05–19.05".into(),
                "course:MAINTAINING:4".into(),
                2_035_714
            ),
            (pb::LineKind::Regular, "20.05–31.05".into(), "course:INDIVIDUAL".into(), 49_500),
        ]
    );
    assert_eq!(may[&nord].total_ore, 1_869_000 + 2_085_214);
    let versions: Vec<u32> = may_lines.iter().map(|l| l.grant_version).collect();
    assert_eq!(versions, vec![1, 2, 1, 2], "each line names the version that priced it");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_revisit_changes_nothing_before_it_sqlite() {
    a_revisit_changes_nothing_before_it(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_revisit_changes_nothing_before_it_postgres() {
    a_revisit_changes_nothing_before_it(Backend::Postgres).await;
}

/// Backdated changes and late visits reach providers that had no statement in the month they
/// change: as supplement lines naming that month, on their next statement.
async fn backdated_changes_reach_every_provider(backend: Backend) {
    let mut s = suite(backend).await;
    let p1 = s.nord.clone();
    let pleje = s.plejegruppen.clone();
    let p3 = provider(&mut s.ehr, "p3", &["personal_care_package"]).await;
    let p5 = provider(&mut s.ehr, "p5", &["course:DEVELOPING"]).await;
    // A package for P1 from 1 April: 1,850.00 × 30 / 7 = 7,928.57.
    let pkg = decided(&mut s.ehr, "pkg", "0303403333", package(&p1), date(2026, 4, 1), date(2026, 4, 1)).await;
    // Personal care with Plejegruppen from 1 April; no visit is reported in April.
    let care = decided(
        &mut s.ehr,
        "care",
        "0404404444",
        service("personal_care", 60, &pleje),
        date(2026, 4, 1),
        date(2026, 4, 1),
    )
    .await;
    let (server, _follower, store) = settlement(&s).await;
    let mut operator = client(&server, OPERATOR).await;
    synced(&mut s.ehr, &store).await;
    run(&mut operator, "run-april", (2026, 4)).await;
    let april = issue_all(&mut operator, (2026, 4)).await;
    assert_eq!(
        april.keys().cloned().collect::<Vec<_>>(),
        vec![p1.clone()],
        "only P1 had anything in April"
    );
    assert_eq!(april[&p1].total_ore, 792_857);
    let april_line = lines(&mut operator, &april[&p1].statement_id).await.remove(0);

    // Decided in May, backdated: the package moves to P3 from 16 April, and P5 gets a DEVELOPING
    // course of 640 minutes (level 3, 5,900.00 a week) from 10 April.
    s.ehr
        .change_provider(pbv::ChangeProviderRequest {
            request_id: "move-pkg".into(),
            grant_id: pkg.grant_id.clone(),
            expected_version: 1,
            effective_from: date(2026, 4, 16),
            providers: vec![share(&p3, 100, true)],
            decided_on: date(2026, 5, 4),
        })
        .await
        .unwrap();
    let dev = decided(
        &mut s.ehr,
        "dev",
        "0505402555",
        course(640, pbc::CourseType::Developing, &p5),
        date(2026, 4, 10),
        date(2026, 5, 4),
    )
    .await;
    assert!(dev.backdated);
    // Plejegruppen reports a visit of 30 April late: 60 min × 475.00 / 60 = 475.00.
    synced(&mut s.ehr, &store).await;
    let mut pleje_client = client(&server, OPERATOR).await;
    let late = visit("late-30", &care, &pleje, at(2026, 4, 30, 8, 0), 60);
    assert_eq!(report(&mut pleje_client, vec![vec![late]]).await.accepted, 1);

    run(&mut operator, "run-may", (2026, 5)).await;
    let may = statements(&mut operator, (2026, 5)).await;
    let lines_of = async |operator: &mut Settlement, provider: &str| lines(operator, &may[provider].statement_id).await;
    // P1: April's line reversed, 1–15 April rebooked: 1,850.00 × 15 / 7 = 3,964.29.
    let p1_lines = lines_of(&mut operator, &p1).await;
    assert_eq!(
        of_grant(&p1_lines, &pkg),
        vec![
            (
                pb::LineKind::Reversal,
                "01.04–30.04".into(),
                "personal_care_package".into(),
                -792_857
            ),
            (
                pb::LineKind::Rebooking,
                "01.04–15.04".into(),
                "personal_care_package".into(),
                396_429
            ),
        ]
    );
    assert!(p1_lines.iter().all(|l| l.corrects_line_id == april_line.line_id));
    // P3: 16–30 April as a supplement for April, then all of May: 1,850.00 × 31 / 7 = 8,192.86.
    let p3_lines = lines_of(&mut operator, &p3).await;
    assert_eq!(
        of_grant(&p3_lines, &pkg),
        vec![
            (pb::LineKind::Regular, "01.05–31.05".into(), "personal_care_package".into(), 819_286),
            (
                pb::LineKind::Supplement,
                "16.04–30.04".into(),
                "personal_care_package".into(),
                396_429
            ),
        ]
    );
    // P5: 10–30 April, 5,900.00 × 21 / 7 = 17,700.00, then May, 5,900.00 × 31 / 7 = 26,128.57.
    let p5_lines = lines_of(&mut operator, &p5).await;
    assert_eq!(
        of_grant(&p5_lines, &dev),
        vec![
            (pb::LineKind::Regular, "01.05–31.05".into(), "course:DEVELOPING:3".into(), 2_612_857),
            (
                pb::LineKind::Supplement,
                "10.04–30.04".into(),
                "course:DEVELOPING:3".into(),
                1_770_000
            ),
        ]
    );
    // Plejegruppen: the late April visit.
    let pleje_lines = lines_of(&mut operator, &pleje).await;
    assert_eq!(
        of_grant(&pleje_lines, &care),
        vec![(pb::LineKind::Supplement, "01.04–30.04".into(), "personal_care".into(), 47_500)]
    );
    for l in [&p3_lines, &p5_lines, &pleje_lines]
        .into_iter()
        .flatten()
        .filter(|l| l.kind == pb::LineKind::Supplement as i32)
    {
        let e = l.explanation.as_ref().unwrap();
        assert_eq!(
            (l.period, l.corrects_line_id.as_str(), e.rule.as_str()),
            (Some(pbc::Period { year: 2026, month: 4 }), "", "correction.supplement")
        );
        assert!(e.text.starts_with("tillæg for 04.2026: "), "{}", e.text);
    }
    // April now sums, over every statement, to April priced afresh: 3,964.29 + 3,964.29 + 17,700.00 + 475.00.
    let may_issued = issue_all(&mut operator, (2026, 5)).await;
    let mut april_paid: BTreeMap<String, i64> = BTreeMap::new();
    for st in april.values().chain(may_issued.values()) {
        for l in lines(&mut operator, &st.statement_id).await {
            if l.period == Some(pbc::Period { year: 2026, month: 4 }) {
                *april_paid.entry(st.provider_id.clone()).or_default() += l.amount_ore;
            }
        }
    }
    assert_eq!(
        april_paid,
        BTreeMap::from([
            (p1.clone(), 396_429),
            (p3.clone(), 396_429),
            (p5.clone(), 1_770_000),
            (pleje.clone(), 47_500)
        ])
    );
    // Nothing is paid twice: June carries no further correction, and re-running April adds nothing.
    run(&mut operator, "run-april-again", (2026, 4)).await;
    assert_eq!(
        statements(&mut operator, (2026, 4)).await.len(),
        1,
        "April keeps its one issued statement"
    );
    run(&mut operator, "run-june", (2026, 6)).await;
    for (provider, st) in statements(&mut operator, (2026, 6)).await {
        let corrections: Vec<pb::StatementLine> = lines(&mut operator, &st.statement_id)
            .await
            .into_iter()
            .filter(|l| l.kind != pb::LineKind::Regular as i32)
            .collect();
        assert!(corrections.is_empty(), "{provider}: {corrections:?}");
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn backdated_changes_reach_every_provider_sqlite() {
    backdated_changes_reach_every_provider(Backend::Sqlite).await;
}

#[tokio::test]
async fn backdated_changes_reach_every_provider_postgres() {
    backdated_changes_reach_every_provider(Backend::Postgres).await;
}

/// A visit from 22:30 on New Year's Eve pays its minutes after midnight at the new year's rate,
/// and still belongs to December's statement.
async fn a_visit_across_new_year(backend: Backend) {
    let mut s = suite(backend).await;
    let nord = s.nord.clone();
    let care = decided(
        &mut s.ehr,
        "care",
        "0606402666",
        service("personal_care", 120, &nord),
        date(2025, 12, 1),
        date(2025, 12, 1),
    )
    .await;
    let (server, _follower, store) = settlement(&s).await;
    let mut operator = client(&server, OPERATOR).await;
    let mut provider = client(&server, NORD).await;
    synced(&mut s.ehr, &store).await;
    let eve = visit("nye", &care, &nord, at(2025, 12, 31, 22, 30), 120);
    assert_eq!(report(&mut provider, vec![vec![eve]]).await.accepted, 1);
    run(&mut operator, "run-december", (2025, 12)).await;
    let december = statements(&mut operator, (2025, 12)).await;
    let shown: Vec<(String, i32, i64, i64)> = lines(&mut operator, &december[&nord].statement_id)
        .await
        .iter()
        .map(|l| {
            let e = l.explanation.as_ref().unwrap();
            (e.catalog_version.clone(), l.time_band, e.quantity, l.amount_ore)
        })
        .collect();
    // 22:30–23:00 evening at 543.00 (2025): 271.50; 23:00–24:00 night at 620.76 (2025): 620.76;
    // 00:00–00:30 on 1 January night at 640.00 (2026): 320.00. All of 2025's rates would have
    // paid 90 night minutes at 620.76 = 931.14: this is 9.62 more.
    assert_eq!(
        shown,
        vec![
            ("2025.1".into(), pbc::TimeBand::Evening as i32, 30, 27_150),
            ("2025.1".into(), pbc::TimeBand::Night as i32, 60, 62_076),
            ("2026.1".into(), pbc::TimeBand::Night as i32, 30, 32_000),
        ]
    );
    assert_eq!(december[&nord].total_ore, 121_226);
    run(&mut operator, "run-january", (2026, 1)).await;
    assert!(
        statements(&mut operator, (2026, 1))
            .await
            .get(&nord)
            .is_none_or(|st| st.total_ore == 0)
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_visit_across_new_year_sqlite() {
    a_visit_across_new_year(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_visit_across_new_year_postgres() {
    a_visit_across_new_year(Backend::Postgres).await;
}

/// A course that reaches the end of its course period without a revisit or an end is paid on at
/// its level and tariff, and the authority sees it as due for follow-up until it acts.
async fn a_course_past_its_period_is_paid_on(backend: Backend) {
    let mut s = suite(backend).await;
    let nord = s.nord.clone();
    // DEVELOPING, 640 minutes (level 3, 5,900.00 a week), from 2 February: its 12-week period
    // ends 26 April.
    let dev = decided(
        &mut s.ehr,
        "dev",
        "0707402777",
        course(640, pbc::CourseType::Developing, &nord),
        date(2026, 2, 2),
        date(2026, 2, 2),
    )
    .await;
    assert_eq!(
        dev.course.as_ref().and_then(|c| c.period.as_ref()).and_then(|p| p.last),
        date(2026, 4, 26)
    );
    let (server, _follower, store) = settlement(&s).await;
    let mut operator = client(&server, OPERATOR).await;
    synced(&mut s.ehr, &store).await;
    run(&mut operator, "run-may", (2026, 5)).await;
    let may = statements(&mut operator, (2026, 5)).await;
    // All of May at the course's level: 5,900.00 × 31 / 7 = 26,128.57.
    assert_eq!(
        of_grant(&lines(&mut operator, &may[&nord].statement_id).await, &dev),
        vec![(pb::LineKind::Regular, "01.05–31.05".into(), "course:DEVELOPING:3".into(), 2_612_857)]
    );
    let due = s
        .ehr
        .list_grants_due_for_follow_up(pbv::ListGrantsDueForFollowUpRequest {
            as_of: date(2026, 5, 15),
            within_days: 0,
            page: None,
        })
        .await
        .unwrap()
        .into_inner()
        .grants;
    assert_eq!(
        due.iter().map(|g| g.grant_id.as_str()).collect::<Vec<_>>(),
        vec![dev.grant_id.as_str()],
        "overdue for follow-up"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_course_past_its_period_is_paid_on_sqlite() {
    a_course_past_its_period_is_paid_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_course_past_its_period_is_paid_on_postgres() {
    a_course_past_its_period_is_paid_on(Backend::Postgres).await;
}
