//! The worked month of `docs/examples/april-2026.md`, entered as the EHR and the providers
//! would — through visitation's and settlement's real gRPC APIs — then settled, issued and
//! posted: every line, every statement and every posting checked to the øre. Then a backdated
//! change to the issued month comes back as correction lines in the next month, and the issued
//! April statements stay exactly as they were.

mod common;

use std::collections::BTreeMap;

use afregning_kit::testing::Backend;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pb;
use afregning_proto::visitation::v1 as pbv;
use common::*;

#[allow(clippy::too_many_arguments)]
fn terms(
    unit: pbc::UnitKind,
    basis: &str,
    intervention: &str,
    minutes: u32,
    category: &str,
    package: &str,
    course: pbc::CourseType,
    providers: Vec<pbc::ProviderShare>,
) -> pbv::GrantTerms {
    pbv::GrantTerms {
        unit_kind: unit as i32,
        legal_basis: basis.into(),
        intervention: intervention.into(),
        visited_minutes_per_week: minutes,
        service_category: category.into(),
        package: package.into(),
        course_type: course as i32,
        providers,
        ..Default::default()
    }
}

async fn grant(ehr: &mut Visitation, name: &str, cpr: &str, terms: pbv::GrantTerms, start: Option<pbc::Date>) -> pbv::Grant {
    decided(ehr, name, cpr, terms, start, start).await
}

async fn the_worked_month(backend: Backend) {
    let mut s = suite(backend).await;
    let (server, _follower, store) = settlement(&s).await;
    let ehr = &mut s.ehr;
    let register = |name: &str, approved: &[&str]| pbv::RegisterProviderRequest {
        request_id: format!("prov-{name}"),
        cvr: "29189668".into(),
        name: name.into(),
        kind: pbc::ProviderKind::Municipal as i32,
        committee: "HEALTH".into(),
        approved_for: approved.iter().map(|a| a.to_string()).collect(),
        provider_id: String::new(),
    };
    let nord = s.nord.clone();
    let pleje = s.plejegruppen.clone();
    let syg = ehr
        .register_provider(register("sygeplejen", &["course:MAINTAINING"]))
        .await
        .unwrap()
        .into_inner()
        .provider_id;
    let traening = ehr
        .register_provider(register("traeningsenheden", &["training"]))
        .await
        .unwrap()
        .into_inner()
        .provider_id;
    let none = pbc::CourseType::Unspecified;
    use pbc::UnitKind::*;

    let g1 = grant(
        ehr,
        "g1",
        "0101401111",
        terms(
            Service,
            "SEL-83",
            "personlig-pleje",
            180,
            "personal_care",
            "",
            none,
            vec![share(&pleje, 100, true)],
        ),
        date(2026, 1, 1),
    )
    .await;
    let g2 = grant(
        ehr,
        "g2",
        "0202402222",
        terms(
            Package,
            "SEL-83",
            "personlig-pleje",
            240,
            "",
            "personal_care_package",
            none,
            vec![share(&nord, 100, true)],
        ),
        date(2026, 4, 10),
    )
    .await;
    let dev = |minutes| {
        terms(
            Course,
            "SEL-83a",
            "hverdagsrehabilitering",
            minutes,
            "",
            "",
            pbc::CourseType::Developing,
            vec![share(&nord, 100, true)],
        )
    };
    let g3 = grant(ehr, "g3", "0303403333", dev(640), date(2026, 3, 16)).await;
    let g4 = grant(ehr, "g4", "0404404444", dev(420), date(2026, 2, 2)).await;
    let mut g5_terms = terms(
        Course,
        "SEL-83",
        "personlig-pleje",
        1_000,
        "",
        "",
        pbc::CourseType::Maintaining,
        vec![share(&nord, 70, true), share(&syg, 30, false)],
    );
    g5_terms.settle_mode = pbc::SettleMode::WithEach as i32;
    let g5 = grant(ehr, "g5", "0505402555", g5_terms, date(2026, 4, 1)).await;
    let g6 = grant(
        ehr,
        "g6",
        "0606402666",
        terms(
            Course,
            "SEL-83",
            "personlig-pleje",
            1_620,
            "",
            "",
            pbc::CourseType::Maintaining,
            vec![share(&nord, 100, true)],
        ),
        date(2026, 1, 5),
    )
    .await;
    let mut g7_terms = terms(
        Service,
        "SUL-140",
        "genoptraening",
        60,
        "training",
        "",
        none,
        vec![share(&traening, 100, true)],
    );
    g7_terms.need_frame = "SOCIAL".into();
    let g7 = grant(ehr, "g7", "0707402777", g7_terms, date(2026, 4, 1)).await;

    // G4 ends 9 April with its goal met; G5's citizen is admitted 13 April and home 20 April;
    // G3's citizen worsens on 20 April, which changes nothing (the progression rule).
    ehr.end_grant(pbv::EndGrantRequest {
        request_id: "end-g4".into(),
        grant_id: g4.grant_id.clone(),
        expected_version: 1,
        last_day: date(2026, 4, 9),
        reason: pbc::EndReason::GoalMet as i32,
        decided_on: date(2026, 4, 9),
    })
    .await
    .unwrap();
    ehr.suspend_grant(pbv::SuspendGrantRequest {
        request_id: "sus-g5".into(),
        grant_id: g5.grant_id.clone(),
        expected_version: 1,
        from: date(2026, 4, 13),
        reason: "hospital admission".into(),
        decided_on: date(2026, 4, 13),
    })
    .await
    .unwrap();
    ehr.resume_grant(pbv::ResumeGrantRequest {
        request_id: "res-g5".into(),
        grant_id: g5.grant_id.clone(),
        expected_version: 2,
        on: date(2026, 4, 20),
        decided_on: date(2026, 4, 20),
    })
    .await
    .unwrap();
    ehr.record_assessment(pbv::RecordAssessmentRequest {
        request_id: "worse-g3".into(),
        citizen_id: g3.citizen_id.clone(),
        assessed_on: date(2026, 4, 20),
        assessor: "VIS-17".into(),
        scores: vec![pbv::FunctionScore {
            area: "mobility".into(),
            score: 4,
        }],
    })
    .await
    .unwrap();
    // Events: 4 providers, 7 grants, 3 changes (and the deployment's catalogs).
    synced(ehr, &store).await;

    let mut operator = client(&server, OPERATOR).await;
    let g1_visits = [(1, 7, 30, 45), (1, 14, 40, 40), (3, 8, 0, 30), (4, 22, 45, 30), (7, 6, 50, 30)];
    let mut batch: Vec<pb::Delivery> = g1_visits
        .iter()
        .enumerate()
        .map(|(i, (d, h, m, min))| {
            delivery(
                &format!("g1-{i}"),
                &g1.grant_id,
                &pleje,
                &format!("g1-cv{i}"),
                at(2026, 4, *d, *h, *m),
                *min,
            )
        })
        .collect();
    let weekdays = [1, 7, 8, 9, 10, 13, 14, 15, 16, 17, 20, 21, 22, 23, 24, 27, 28, 29, 30];
    batch.extend(weekdays.iter().map(|d| {
        delivery(
            &format!("g6-{d}"),
            &g6.grant_id,
            &nord,
            &format!("g6-cv{d}"),
            at(2026, 4, *d, 8, 0),
            120,
        )
    }));
    batch.extend([8, 15, 22, 29].iter().map(|d| {
        delivery(
            &format!("g7-{d}"),
            &g7.grant_id,
            &traening,
            &format!("g7-cv{d}"),
            at(2026, 4, *d, 10, 0),
            60,
        )
    }));
    let reported = report(&mut operator, vec![batch]).await;
    assert_eq!((reported.accepted, reported.errors.len()), (28, 0), "{:?}", reported.errors);

    let progress = run(&mut operator, "run-april", (2026, 4)).await;
    let done = progress.last().unwrap();
    assert_eq!(
        (done.state, done.providers_done, done.total_ore),
        (pb::RunState::Completed as i32, 4, 9_082_339)
    );
    assert!(progress.len() >= 5, "progress per provider");

    let april = statements(&mut operator, (2026, 4)).await;
    let totals: BTreeMap<&str, i64> = april.iter().map(|(p, st)| (p.as_str(), st.total_ore)).collect();
    assert_eq!(
        totals,
        BTreeMap::from([
            (pleje.as_str(), 154_626),
            (nord.as_str(), 7_952_428),
            (syg.as_str(), 739_285),
            (traening.as_str(), 236_000)
        ])
    );
    steering_models_for_april(&mut operator, &server, [&pleje, &nord, &syg, &traening]).await;
    let amounts = |lines: &[pb::StatementLine]| lines.iter().map(|l| (l.grant_id.clone(), l.amount_ore)).collect::<Vec<_>>();
    let pleje_lines = lines(&mut operator, &april[&pleje].statement_id).await;
    let bands: Vec<(i32, i64, i64)> = pleje_lines
        .iter()
        .map(|l| (l.time_band, l.explanation.as_ref().unwrap().quantity, l.amount_ore))
        .collect();
    assert_eq!(bands, vec![(1, 85, 67_292), (2, 20, 18_667), (3, 25, 26_667), (4, 45, 42_000)]);
    let nord_lines = lines(&mut operator, &april[&nord].statement_id).await;
    let mut nord_amounts = amounts(&nord_lines);
    nord_amounts.sort();
    let mut expected = vec![
        (g2.grant_id.clone(), 555_000),
        (g3.grant_id.clone(), 2_528_571),
        (g4.grant_id.clone(), 1_262_857),
        (g5.grant_id.clone(), 900_000),
        (g5.grant_id.clone(), 825_000),
        (g6.grant_id.clone(), 1_881_000),
    ];
    expected.sort();
    assert_eq!(nord_amounts, expected, "Hjemmeplejen Nord's six lines");
    let g4_line = nord_lines.iter().find(|l| l.grant_id == g4.grant_id).unwrap();
    assert_eq!(
        (
            g4_line.explanation.as_ref().unwrap().rule.as_str(),
            g4_line.explanation.as_ref().unwrap().quantity
        ),
        ("course.goal_met_to_period_end", 26)
    );
    let g3_line = nord_lines.iter().find(|l| l.grant_id == g3.grant_id).unwrap();
    assert_eq!(
        (g3_line.unit.as_str(), g3_line.explanation.as_ref().unwrap().quantity),
        ("course:DEVELOPING:3", 30),
        "level fixed at the start"
    );
    let syg_lines = lines(&mut operator, &april[&syg].statement_id).await;
    assert_eq!(syg_lines.iter().map(|l| l.amount_ore).collect::<Vec<_>>(), vec![385_714, 353_571]);
    let g6_line = nord_lines.iter().find(|l| l.grant_id == g6.grant_id).unwrap();
    assert_eq!(
        (
            g6_line.explanation.as_ref().unwrap().quantity,
            g6_line.amount_ore,
            g6_line.unit.as_str()
        ),
        (2_280, 1_881_000, "course:INDIVIDUAL")
    );
    let g2_line = nord_lines.iter().find(|l| l.grant_id == g2.grant_id).unwrap();
    assert_eq!((g2_line.explanation.as_ref().unwrap().quantity, g2_line.amount_ore), (21, 555_000));

    // Issue every April statement; postings follow, split by frame, and add up to the statements.
    let mut hashes = BTreeMap::new();
    for st in april.values() {
        let issued = operator
            .issue_statement(pb::IssueStatementRequest {
                request_id: format!("issue-{}", st.statement_id),
                statement_id: st.statement_id.clone(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!((issued.state, issued.content_hash.len()), (pb::StatementState::Issued as i32, 64));
        hashes.insert(
            st.statement_id.clone(),
            (issued.content_hash, lines(&mut operator, &st.statement_id).await),
        );
    }
    let again = operator
        .issue_statement(pb::IssueStatementRequest {
            request_id: "issue-twice".into(),
            statement_id: april[&nord].statement_id.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(again.code(), tonic::Code::FailedPrecondition);
    let posted = postings(&mut operator).await;
    let mut by_frame: BTreeMap<&str, i64> = BTreeMap::new();
    for p in &posted {
        *by_frame.entry(p.paying_frame.as_str()).or_default() += p.amount_ore;
    }
    assert_eq!(by_frame, BTreeMap::from([("HEALTH", 728_857), ("SOCIAL", 8_353_482)]));
    assert_eq!(
        posted.iter().map(|p| p.amount_ore).sum::<i64>(),
        store.issued_total().await.unwrap()
    );
    let cross: Vec<(&str, &str, i64)> = posted
        .iter()
        .filter(|p| p.paying_frame != p.need_frame)
        .map(|p| (p.paying_frame.as_str(), p.need_frame.as_str(), p.amount_ore))
        .collect();
    assert_eq!(cross, vec![("HEALTH", "SOCIAL", 236_000)]);

    // Running April again changes nothing.
    run(&mut operator, "run-april-again", (2026, 4)).await;
    // In May the authority ends G2 backdated to 20 April: April is issued, so May carries the
    // correction — a reversal of the April line and a rebooking of 10–20 April.
    // Træningsenheden's visit on 29 April really lasted 90 minutes: corrected after April issued.
    let fix = pb::CorrectDeliveryRequest {
        request_id: "fix-g7-29".into(),
        delivery_id: "g7-29".into(),
        started_at: at(2026, 4, 29, 10, 0),
        minutes: 90,
        reason: "logged late".into(),
    };
    assert_eq!(operator.correct_delivery(fix).await.unwrap().into_inner().revision, 1);
    ehr.end_grant(pbv::EndGrantRequest {
        request_id: "end-g2".into(),
        grant_id: g2.grant_id.clone(),
        expected_version: 1,
        last_day: date(2026, 4, 20),
        reason: pbc::EndReason::Moved as i32,
        decided_on: date(2026, 5, 4),
    })
    .await
    .unwrap();
    synced(ehr, &store).await;
    run(&mut operator, "run-may", (2026, 5)).await;
    let may = statements(&mut operator, (2026, 5)).await;
    let may_nord = lines(&mut operator, &may[&nord].statement_id).await;
    let corrections: Vec<(i32, i64, String)> = may_nord
        .iter()
        .filter(|l| l.grant_id == g2.grant_id)
        .map(|l| (l.kind, l.amount_ore, l.corrects_line_id.clone()))
        .collect();
    assert_eq!(
        corrections,
        vec![
            (pb::LineKind::Reversal as i32, -555_000, g2_line.line_id.clone()),
            (pb::LineKind::Rebooking as i32, 290_714, g2_line.line_id.clone())
        ],
        "11 days × 1,850.00 / 7 = 2,907.14"
    );
    let training = lines(&mut operator, &may[&traening].statement_id).await;
    let g7_april = hashes[&april[&traening].statement_id].1[0].line_id.clone();
    let corrected: Vec<(i32, i64, i64, String)> = training
        .iter()
        .map(|l| {
            (
                l.kind,
                l.explanation.as_ref().unwrap().quantity,
                l.amount_ore,
                l.corrects_line_id.clone(),
            )
        })
        .collect();
    assert_eq!(
        corrected,
        vec![
            (pb::LineKind::Reversal as i32, 240, -236_000, g7_april.clone()),
            (pb::LineKind::Rebooking as i32, 270, 265_500, g7_april)
        ],
        "270 min × 590.00 / 60 = 2,655.00"
    );
    for (statement_id, (hash, before)) in &hashes {
        let now = operator
            .get_statement(pb::GetStatementRequest {
                statement_id: statement_id.clone(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(&now.content_hash, hash);
        assert_eq!(&lines(&mut operator, statement_id).await, before, "issued statements never change");
    }
    // The annual true-up, in either direction: personal care actually cost 500.00 an hour,
    // the package 1,912.00 and MAINTAINING level 4 7,700.00 a week.
    let actual = |unit: &str, ore| pb::ActualUnitCost {
        unit: unit.into(),
        actual_rate_ore: ore,
    };
    let true_up = operator
        .run_true_up(pb::RunTrueUpRequest {
            request_id: "true-up-2026".into(),
            year: 2026,
            actual_costs: vec![
                actual("personal_care", 50_000),
                actual("personal_care_package", 191_200),
                actual("course:MAINTAINING:4", 770_000),
            ],
        })
        .await
        .unwrap()
        .into_inner();
    let by_provider: BTreeMap<&str, i64> = true_up
        .statements
        .iter()
        .map(|st| (st.provider_id.as_str(), st.total_ore))
        .collect();
    // Plejegruppen: +35.42 at 475.00 (85 min), −65.00 at 560.00 (65 min), −58.33 at 640.00 (25 min).
    // Nord: +186.00 on 21 package days, +460.00 on its 70 % of 23 course days; Sygeplejen 30 %: +197.14.
    assert_eq!(
        by_provider,
        BTreeMap::from([(pleje.as_str(), -8_791), (nord.as_str(), 64_600), (syg.as_str(), 19_714)])
    );
    assert_eq!(true_up.total_ore, 75_523);
    let nord_true_up = true_up.statements.iter().find(|st| st.provider_id == nord).unwrap();
    assert!(nord_true_up.true_up);
    let sealed = operator
        .issue_statement(pb::IssueStatementRequest {
            request_id: "issue-true-up".into(),
            statement_id: nord_true_up.statement_id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    let true_up_postings: Vec<(String, i64)> = postings(&mut operator)
        .await
        .into_iter()
        .filter(|p| p.statement_id == sealed.statement_id)
        .map(|p| (p.paying_frame, p.amount_ore))
        .collect();
    assert_eq!(
        true_up_postings,
        vec![("HEALTH".to_owned(), 9_200), ("SOCIAL".to_owned(), 55_400)],
        "the course's 460.00 split 80/20, the package to SOCIAL"
    );

    // A provider reads only its own statements; another's is denied whether or not it exists.
    let mut nord_client = client(&server, NORD).await;
    assert!(
        nord_client
            .get_statement(pb::GetStatementRequest {
                statement_id: april[&nord].statement_id.clone()
            })
            .await
            .is_ok()
    );
    for other in [april[&syg].statement_id.clone(), "st-nobody-2026-04".to_owned()] {
        let denied = nord_client
            .get_statement(pb::GetStatementRequest { statement_id: other })
            .await
            .unwrap_err();
        assert_eq!(denied.code(), tonic::Code::PermissionDenied);
    }
    // CPR numbers: on the provider's own lines, to the provider only.
    let mut own = nord_client
        .stream_statement_lines(pb::StreamStatementLinesRequest {
            statement_id: april[&nord].statement_id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    let mut own_lines = Vec::new();
    while let Some(l) = own.message().await.unwrap() {
        own_lines.push(l);
    }
    assert_eq!(
        own_lines.iter().find(|l| l.grant_id == g2.grant_id).map(|l| l.cpr.as_str()),
        Some("0202402222")
    );
    assert!(nord_lines.iter().all(|l| l.cpr.is_empty()), "the operator sees no CPR numbers");
    let mut csv = nord_client
        .export_statement_csv(pb::ExportStatementCsvRequest {
            statement_id: april[&nord].statement_id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    let mut text = Vec::new();
    while let Some(chunk) = csv.message().await.unwrap() {
        text.extend(chunk.data);
    }
    let text = String::from_utf8(text).unwrap();
    assert!(text.starts_with("line_no;kind;citizen_id"), "{text}");
    assert!(text.contains(";18810,00;"), "G6's line in kroner with a decimal comma: {text}");
    assert!(
        text.contains(";0606402666;"),
        "the provider's CSV carries its citizens' CPR numbers"
    );
    server.stop().await.unwrap();
}

/// April's grants and deliveries under the three steering models, by hand:
/// * Activity: every delivered minute at its rate. Plejegruppen's and Træningsenheden's services
///   as on their statements (1,546.26 and 2,360.00); Nord only G6's 2,280 minutes (18,810.00), as
///   nobody reported visits on its package and courses; Sygeplejen reported none: 0.00.
/// * Course: services and packages become MAINTAINING courses at the level of their visited time:
///   G1 (180 min) and G7 (60 min) level 1, 1,250.00 × 30 / 7 = 5,357.14 each; G2 (240 min, from
///   10 April) 1,250.00 × 21 / 7 = 3,750.00 on top of Nord's courses and G6 (73,974.28): 77,724.28.
/// * Frame: SOCIAL's 1,000,000.00 split by visited minutes per week on 1 April — Plejegruppen 180,
///   Sygeplejen 30 % of G5's 1,000 = 300, Nord 640 + 420 + 700 + 1,620 = 3,380 (of 3,860):
///   46,632.12, 77,720.21 and the rest 875,647.67; HEALTH's 100,000.00 all to Træningsenheden;
///   FINANCE's 5,000.00 pays no provider's grant and stays unallocated.
async fn steering_models_for_april(
    operator: &mut Settlement,
    server: &afregning_kit::testing::TestServer,
    [pleje, nord, syg, traening]: [&String; 4],
) {
    let april = || Some(pbc::Period { year: 2026, month: 4 });
    let budget = |frame: &str, amount_ore: i64| pb::FrameBudget {
        frame: frame.into(),
        amount_ore,
    };
    let request = pb::CompareSteeringModelsRequest {
        from: april(),
        to: april(),
        frame_budgets: vec![
            budget("SOCIAL", 100_000_000),
            budget("HEALTH", 10_000_000),
            budget("FINANCE", 500_000),
        ],
    };
    let comparison = operator.compare_steering_models(request.clone()).await.unwrap().into_inner();
    let figures: BTreeMap<&str, pb::ModelFigures> = comparison
        .providers
        .iter()
        .map(|p| (p.provider_id.as_str(), p.figures.clone().unwrap()))
        .collect();
    let by_model = |id: &String| {
        let f = &figures[id.as_str()];
        (f.frame_ore, f.activity_ore, f.course_ore, f.current_ore)
    };
    assert_eq!(by_model(pleje), (Some(4_663_212), 154_626, 535_714, 154_626));
    assert_eq!(by_model(nord), (Some(87_564_767), 1_881_000, 7_772_428, 7_952_428));
    assert_eq!(by_model(syg), (Some(7_772_021), 0, 739_285, 739_285));
    assert_eq!(by_model(traening), (Some(10_000_000), 236_000, 535_714, 236_000));
    let total = comparison.total.unwrap();
    assert_eq!(
        (total.frame_ore, total.activity_ore, total.course_ore, total.current_ore),
        (Some(110_000_000), 2_271_626, 9_583_141, 9_082_339),
        "the total is the providers' sum; what is 'as settled' is April's run"
    );
    assert_eq!(total.frame_share_basis_points, 9_955, "110,000.00 of the 110,500.00 given");
    assert_eq!(
        comparison.unallocated,
        vec![pb::FrameBudget {
            frame: "FINANCE".into(),
            amount_ore: 500_000
        }]
    );
    assert_eq!(figures[traening.as_str()].delivered_minutes, 240);
    assert_eq!(figures[pleje.as_str()].visited_minutes, 771, "180 min/week × 30 days / 7");
    assert!(figures[traening.as_str()].explanations[0].starts_with("Aktivitetsstyring betaler for de 4,00 leverede timer"));

    // Only whole months in order, amounts not negative, frames once: each refusal names its field.
    let refused = |status: tonic::Status| {
        assert_eq!(status.code(), tonic::Code::InvalidArgument, "{status:?}");
        use tonic_types::StatusExt;
        status
            .get_details_bad_request()
            .map(|b| b.field_violations.into_iter().map(|v| v.field).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let mut backwards = request.clone();
    backwards.from = Some(pbc::Period { year: 2026, month: 5 });
    assert_eq!(refused(operator.compare_steering_models(backwards).await.unwrap_err()), vec!["to"]);
    let mut negative = request.clone();
    negative.frame_budgets = vec![budget("SOCIAL", -1), budget("SOCIAL", 1)];
    assert_eq!(
        refused(operator.compare_steering_models(negative).await.unwrap_err()),
        vec!["frame_budgets[0].amount_ore", "frame_budgets[1].frame"]
    );
    let mut no_month = request.clone();
    no_month.to = None;
    assert_eq!(refused(operator.compare_steering_models(no_month).await.unwrap_err()), vec!["to"]);
    // A provider may not see what the others would be paid.
    let denied = client(server, NORD).await.compare_steering_models(request).await.unwrap_err();
    assert_eq!(denied.code(), tonic::Code::PermissionDenied);
}

#[tokio::test]
async fn the_worked_month_sqlite() {
    the_worked_month(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_worked_month_postgres() {
    the_worked_month(Backend::Postgres).await;
}
