//! Visitation through its real gRPC API, on SQLite and PostgreSQL: each decision and change with
//! its derived values, the progression rule, backdated changes, bad input, idempotent retries,
//! the audit log and the follow-up reads.

mod common;

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
    decisions_derive_level_period_frames_and_cost,
    changes_are_versions_with_derived_values,
    a_worse_assessment_changes_nothing_until_revisit,
    backdated_changes_are_marked,
    bad_input_names_the_field_and_writes_nothing,
    retries_return_the_first_answer,
    reads_for_follow_up_and_revisitation_rounds,
    personal_data_reads_are_audited,
    each_caller_may_do_only_its_part,
    a_missing_date_says_it_is_required,
);

async fn decisions_derive_level_period_frames_and_cost(backend: Backend) {
    let running = start(backend).await;
    let mut c = running.client.clone();
    let nord = provider(
        &mut c,
        "Hjemmeplejen Nord",
        &[
            "personal_care_package",
            "course:DEVELOPING",
            "course:MAINTAINING",
            "course:INDIVIDUAL",
        ],
    )
    .await;
    let syg = provider(&mut c, "Sygeplejen", &["course:MAINTAINING"]).await;
    let traening = provider(&mut c, "Træningsenheden", &["training"]).await;

    // G3: DEVELOPING, 640 min/week → level 3, course period 16 March – 7 June, 5,900.00 a week.
    let c_id = citizen(&mut c, "0101401234").await;
    let g3 = c
        .decide_grant(decide(&c_id, course_terms(&nord, pbc::CourseType::Developing, 640), d(2026, 3, 16)))
        .await
        .unwrap()
        .into_inner();
    let course = g3.course.unwrap();
    assert_eq!((course.course_type, course.level), (pbc::CourseType::Developing as i32, 3));
    assert_eq!(course.period.unwrap().last, d(2026, 6, 7));
    assert_eq!(course.follow_up_on, d(2026, 6, 7));
    assert_eq!((g3.expected_weekly_cost_ore, g3.catalog_version.as_str()), (590_000, "2026.1"));
    assert_eq!(
        (g3.paying_frame.as_str(), g3.need_frame.as_str(), g3.version),
        ("SOCIAL", "SOCIAL", 1)
    );

    // G6: 1,620 min/week is above the threshold: INDIVIDUAL, 1,620 × 495.00 / 60 = 13,365.00.
    let f_id = citizen(&mut c, "0202402345").await;
    let g6 = c
        .decide_grant(decide(
            &f_id,
            course_terms(&nord, pbc::CourseType::Maintaining, 1_620),
            d(2026, 1, 5),
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (g6.course.unwrap().course_type, g6.expected_weekly_cost_ore),
        (pbc::CourseType::Individual as i32, 1_336_500)
    );

    // G2: a package, 1,850.00 a week.
    let b_id = citizen(&mut c, "0303403456").await;
    let mut package = service_terms(&nord, "", "SEL-83", "personlig-pleje", 240);
    package.unit_kind = pbc::UnitKind::Package as i32;
    package.package = "personal_care_package".into();
    let g2 = c.decide_grant(decide(&b_id, package, d(2026, 4, 10))).await.unwrap().into_inner();
    assert_eq!((g2.expected_weekly_cost_ore, g2.course.is_none()), (185_000, true));

    // G5: MAINTAINING with two providers settled with each, 70/30.
    let e_id = citizen(&mut c, "0404404567").await;
    let mut g5_terms = course_terms(&nord, pbc::CourseType::Maintaining, 1_000);
    g5_terms.settle_mode = pbc::SettleMode::WithEach as i32;
    g5_terms.providers = vec![
        pbc::ProviderShare {
            provider_id: nord.clone(),
            share_percent: 70,
            lead: true,
        },
        pbc::ProviderShare {
            provider_id: syg.clone(),
            share_percent: 30,
            lead: false,
        },
    ];
    let g5 = c.decide_grant(decide(&e_id, g5_terms, d(2026, 4, 1))).await.unwrap().into_inner();
    assert_eq!((g5.course.unwrap().level, g5.expected_weekly_cost_ore), (4, 750_000));
    assert_eq!(g5.terms.unwrap().providers.len(), 2);

    // G7: training under SUL §140 paid by HEALTH for a need SOCIAL owns: a cross-frame purchase.
    let g_id = citizen(&mut c, "0505402678").await;
    let mut training = service_terms(&traening, "training", "SUL-140", "genoptraening", 60);
    training.need_frame = "SOCIAL".into();
    let g7 = c.decide_grant(decide(&g_id, training, d(2026, 4, 1))).await.unwrap().into_inner();
    assert_eq!(
        (g7.paying_frame.as_str(), g7.need_frame.as_str(), g7.expected_weekly_cost_ore),
        ("HEALTH", "SOCIAL", 59_000)
    );
}

async fn changes_are_versions_with_derived_values(backend: Backend) {
    let running = start(backend).await;
    let mut c = running.client.clone();
    let nord = provider(&mut c, "Hjemmeplejen Nord", &["course:DEVELOPING", "course:MAINTAINING"]).await;
    let other = provider(&mut c, "Plejegruppen ApS", &["course:DEVELOPING"]).await;
    let cid = citizen(&mut c, "1010501234").await;
    let g = c
        .decide_grant(decide(&cid, course_terms(&nord, pbc::CourseType::Developing, 420), d(2026, 2, 2)))
        .await
        .unwrap()
        .into_inner();

    // Revisit at follow-up: a new course period from 27 April at level 4.
    let v2 = c
        .revisit_grant(pb::RevisitGrantRequest {
            request_id: rid("rev"),
            grant_id: g.grant_id.clone(),
            expected_version: 1,
            effective_from: d(2026, 4, 27),
            visited_minutes_per_week: 950,
            course_type: 0,
            decided_on: d(2026, 4, 27),
        })
        .await
        .unwrap()
        .into_inner();
    let course = v2.course.unwrap();
    assert_eq!((v2.version, course.level, course.period.unwrap().first), (2, 4, d(2026, 4, 27)));
    assert_eq!((course.follow_up_on, v2.expected_weekly_cost_ore), (d(2026, 7, 19), 830_000));

    let v3 = c
        .change_provider(pb::ChangeProviderRequest {
            request_id: rid("prov"),
            grant_id: g.grant_id.clone(),
            expected_version: 2,
            effective_from: d(2026, 5, 1),
            providers: lead(&other),
            decided_on: d(2026, 5, 1),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((v3.version, v3.terms.unwrap().providers[0].provider_id.clone()), (3, other.clone()));

    let v4 = c
        .suspend_grant(pb::SuspendGrantRequest {
            request_id: rid("sus"),
            grant_id: g.grant_id.clone(),
            expected_version: 3,
            from: d(2026, 5, 13),
            reason: "hospital admission".into(),
            decided_on: d(2026, 5, 13),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((v4.status, v4.suspensions.len()), (pb::GrantStatus::Suspended as i32, 1));
    let v5 = c
        .resume_grant(pb::ResumeGrantRequest {
            request_id: rid("res"),
            grant_id: g.grant_id.clone(),
            expected_version: 4,
            on: d(2026, 5, 20),
            decided_on: d(2026, 5, 20),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (v5.status, v5.suspensions[0].resumed_on),
        (pb::GrantStatus::Active as i32, d(2026, 5, 20))
    );

    // A stale version is refused and changes nothing.
    let stale = c
        .end_grant(pb::EndGrantRequest {
            request_id: rid("end"),
            grant_id: g.grant_id.clone(),
            expected_version: 4,
            last_day: d(2026, 6, 1),
            reason: 1,
            decided_on: None,
        })
        .await
        .unwrap_err();
    assert_eq!(
        (stale.code(), fields(&stale)),
        (Code::FailedPrecondition, vec!["expected_version".to_owned()])
    );

    let v6 = c
        .end_grant(pb::EndGrantRequest {
            request_id: rid("end"),
            grant_id: g.grant_id.clone(),
            expected_version: 5,
            last_day: d(2026, 6, 1),
            reason: pbc::EndReason::GoalMet as i32,
            decided_on: d(2026, 6, 1),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (v6.status, v6.end_reason, v6.validity.unwrap().last),
        (pb::GrantStatus::Ended as i32, pbc::EndReason::GoalMet as i32, d(2026, 6, 1))
    );

    // A change to an ended grant is refused.
    let ended = c
        .suspend_grant(pb::SuspendGrantRequest {
            request_id: rid("sus"),
            grant_id: g.grant_id.clone(),
            expected_version: 6,
            from: d(2026, 5, 25),
            reason: "x".into(),
            decided_on: None,
        })
        .await
        .unwrap_err();
    assert_eq!(
        (ended.code(), fields(&ended)),
        (Code::FailedPrecondition, vec!["grant_id".to_owned()])
    );

    // Revisiting into MAINTAINING needs a provider approved for it; this one is not.
    let dev_only = c
        .decide_grant(decide(&cid, course_terms(&other, pbc::CourseType::Developing, 300), d(2026, 7, 1)))
        .await
        .unwrap()
        .into_inner();
    let not_approved = c
        .revisit_grant(pb::RevisitGrantRequest {
            request_id: rid("rev"),
            grant_id: dev_only.grant_id.clone(),
            expected_version: 1,
            effective_from: d(2026, 9, 23),
            visited_minutes_per_week: 300,
            course_type: pbc::CourseType::Maintaining as i32,
            decided_on: None,
        })
        .await
        .unwrap_err();
    assert_eq!(
        (not_approved.code(), fields(&not_approved)),
        (Code::FailedPrecondition, vec!["providers[0].provider_id".to_owned()])
    );

    let versions = c
        .list_grant_versions(pb::ListGrantVersionsRequest {
            grant_id: g.grant_id.clone(),
            page: None,
        })
        .await
        .unwrap()
        .into_inner()
        .versions;
    assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(versions[0].course.as_ref().unwrap().level, 2, "version 1 keeps its own level");
}

async fn a_worse_assessment_changes_nothing_until_revisit(backend: Backend) {
    let running = start(backend).await;
    let mut c = running.client.clone();
    let nord = provider(&mut c, "Hjemmeplejen Nord", &["course:DEVELOPING"]).await;
    let cid = citizen(&mut c, "1111501234").await;
    let assess = |score: u32, day: i32| pb::RecordAssessmentRequest {
        request_id: rid("asm"),
        citizen_id: cid.clone(),
        assessed_on: d(2026, 4, day),
        assessor: "VIS-17".into(),
        scores: vec![
            pb::FunctionScore {
                area: "mobility".into(),
                score,
            },
            pb::FunctionScore {
                area: "personal_care".into(),
                score: 2,
            },
        ],
    };
    c.record_assessment(assess(2, 1)).await.unwrap();
    let g = c
        .decide_grant(decide(&cid, course_terms(&nord, pbc::CourseType::Developing, 640), d(2026, 3, 16)))
        .await
        .unwrap()
        .into_inner();
    // The citizen worsens on 20 April: a new assessment is recorded, history kept.
    c.record_assessment(assess(4, 20)).await.unwrap();
    let history = c
        .list_assessments(pb::ListAssessmentsRequest {
            citizen_id: cid.clone(),
            page: None,
            purpose: "revisitation".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .assessments;
    assert_eq!(
        history.iter().map(|a| a.scores[0].score).collect::<Vec<_>>(),
        vec![4, 2],
        "newest first, nothing overwritten"
    );
    let after = c
        .get_grant(pb::GetGrantRequest {
            grant_id: g.grant_id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(after, g, "the grant, its level and its price are unchanged until a revisit");
}

async fn backdated_changes_are_marked(backend: Backend) {
    let running = start(backend).await;
    let mut c = running.client.clone();
    let nord = provider(&mut c, "Hjemmeplejen Nord", &["personal_care"]).await;
    let cid = citizen(&mut c, "1212501234").await;
    let mut request = decide(
        &cid,
        service_terms(&nord, "personal_care", "SEL-83", "personlig-pleje", 180),
        d(2026, 3, 1),
    );
    request.decided_on = d(2026, 4, 15);
    let g = c.decide_grant(request).await.unwrap().into_inner();
    assert!(g.backdated, "decided 15 April, valid from 1 March");
    let ended = c
        .end_grant(pb::EndGrantRequest {
            request_id: rid("end"),
            grant_id: g.grant_id.clone(),
            expected_version: 1,
            last_day: d(2026, 3, 31),
            reason: pbc::EndReason::Moved as i32,
            decided_on: d(2026, 5, 2),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(ended.backdated);
    assert_eq!((ended.effective_from, ended.decided_on), (d(2026, 3, 31), d(2026, 5, 2)));
}

/// How many events the feed holds, read as the settlement service reads it.
async fn feed_len(running: &Running) -> usize {
    let mut stream = client_as(running, SETTLEMENT_TOKEN)
        .await
        .stream_grant_events(pb::StreamGrantEventsRequest {
            after_sequence: 0,
            follow: false,
            max_events: 0,
        })
        .await
        .unwrap()
        .into_inner();
    let mut n = 0;
    while stream.message().await.unwrap().is_some() {
        n += 1;
    }
    n
}

async fn bad_input_names_the_field_and_writes_nothing(backend: Backend) {
    let running = start(backend).await;
    let mut c = running.client.clone();
    let nord = provider(&mut c, "Hjemmeplejen Nord", &["personal_care", "course:DEVELOPING"]).await;
    let unapproved = provider(&mut c, "Træningsenheden", &["training"]).await;
    let cid = citizen(&mut c, "1301501234").await;
    let ok = service_terms(&nord, "personal_care", "SEL-83", "personlig-pleje", 180);
    c.decide_grant(decide(&cid, ok.clone(), d(2026, 4, 1))).await.unwrap();
    let events_before = feed_len(&running).await;

    let bad_cpr = c
        .register_citizen(pb::RegisterCitizenRequest {
            request_id: rid("c"),
            cpr: "3102501234".into(),
        })
        .await
        .unwrap_err();
    assert_eq!((bad_cpr.code(), fields(&bad_cpr)), (Code::InvalidArgument, vec!["cpr".to_owned()]));

    let with = |f: &dyn Fn(&mut pb::DecideGrantRequest)| {
        let mut r = decide(&cid, ok.clone(), d(2026, 6, 1));
        f(&mut r);
        r
    };
    let cases: Vec<(&str, pb::DecideGrantRequest, Code, &str)> = vec![
        (
            "unknown legal basis",
            with(&|r| r.terms.as_mut().unwrap().legal_basis = "SEL-999".into()),
            Code::InvalidArgument,
            "terms.legal_basis",
        ),
        (
            "unknown intervention",
            with(&|r| r.terms.as_mut().unwrap().intervention = "dans".into()),
            Code::InvalidArgument,
            "terms.intervention",
        ),
        (
            "intervention under the wrong basis",
            with(&|r| r.terms.as_mut().unwrap().legal_basis = "SUL-140".into()),
            Code::InvalidArgument,
            "terms.intervention",
        ),
        (
            "unknown provider",
            with(&|r| r.terms.as_mut().unwrap().providers = lead("prv_nobody")),
            Code::InvalidArgument,
            "terms.providers[0].provider_id",
        ),
        (
            "provider not approved",
            with(&|r| r.terms.as_mut().unwrap().providers = lead(&unapproved)),
            Code::FailedPrecondition,
            "terms.providers[0].provider_id",
        ),
        (
            "more minutes than a week has",
            with(&|r| r.terms.as_mut().unwrap().visited_minutes_per_week = 10_081),
            Code::InvalidArgument,
            "terms.visited_minutes_per_week",
        ),
        ("end before start", with(&|r| r.end = d(2026, 5, 31)), Code::InvalidArgument, "end"),
        (
            "impossible date",
            with(&|r| r.start = d(2026, 2, 30)),
            Code::InvalidArgument,
            "start",
        ),
        (
            "overlapping grant of the same intervention",
            with(&|r| r.start = d(2026, 5, 1)),
            Code::FailedPrecondition,
            "terms.intervention",
        ),
        (
            "missing request id",
            with(&|r| r.request_id = String::new()),
            Code::InvalidArgument,
            "request_id",
        ),
        (
            "unknown need frame",
            with(&|r| r.terms.as_mut().unwrap().need_frame = "CULTURE".into()),
            Code::InvalidArgument,
            "terms.need_frame",
        ),
        (
            "no catalog in force",
            with(&|r| r.start = d(2027, 1, 1)),
            Code::FailedPrecondition,
            "start",
        ),
        (
            "course without course type",
            with(&|r| {
                *r.terms.as_mut().unwrap() = pb::GrantTerms {
                    course_type: 0,
                    ..course_terms(&nord, pbc::CourseType::Developing, 400)
                }
            }),
            Code::InvalidArgument,
            "terms.course_type",
        ),
        (
            "course without lead provider",
            with(&|r| {
                *r.terms.as_mut().unwrap() = pb::GrantTerms {
                    providers: vec![],
                    ..course_terms(&nord, pbc::CourseType::Developing, 400)
                }
            }),
            Code::InvalidArgument,
            "terms.providers",
        ),
        (
            "course shares not adding up",
            with(&|r| {
                let mut t = course_terms(&nord, pbc::CourseType::Developing, 400);
                t.settle_mode = pbc::SettleMode::WithEach as i32;
                t.providers = vec![
                    pbc::ProviderShare {
                        provider_id: nord.clone(),
                        share_percent: 60,
                        lead: true,
                    },
                    pbc::ProviderShare {
                        provider_id: unapproved.clone(),
                        share_percent: 30,
                        lead: false,
                    },
                ];
                *r.terms.as_mut().unwrap() = t;
            }),
            Code::InvalidArgument,
            "terms.providers",
        ),
    ];
    for (what, request, code, field) in cases {
        let status = c.decide_grant(request).await.expect_err(what);
        assert_eq!(status.code(), code, "{what}: {status:?}");
        assert!(
            fields(&status).iter().any(|f| f == field),
            "{what}: expected field {field}, got {:?}",
            fields(&status)
        );
    }
    // Changes to the service grant decided above that do not fit a service.
    let service = c
        .list_citizen_grants(pb::ListCitizenGrantsRequest {
            citizen_id: cid.clone(),
            include_ended: false,
            page: None,
            purpose: "revisitation".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .grants;
    let service = &service[0];
    let typed = c
        .revisit_grant(pb::RevisitGrantRequest {
            request_id: rid("rev"),
            grant_id: service.grant_id.clone(),
            expected_version: 1,
            effective_from: d(2026, 5, 1),
            visited_minutes_per_week: 200,
            course_type: pbc::CourseType::Developing as i32,
            decided_on: None,
        })
        .await
        .unwrap_err();
    assert_eq!(
        (typed.code(), fields(&typed)),
        (Code::InvalidArgument, vec!["course_type".to_owned()])
    );
    let two = c
        .change_provider(pb::ChangeProviderRequest {
            request_id: rid("prov"),
            grant_id: service.grant_id.clone(),
            expected_version: 1,
            effective_from: d(2026, 5, 1),
            providers: vec![
                pbc::ProviderShare {
                    provider_id: nord.clone(),
                    share_percent: 50,
                    lead: true,
                },
                pbc::ProviderShare {
                    provider_id: unapproved.clone(),
                    share_percent: 50,
                    lead: false,
                },
            ],
            decided_on: None,
        })
        .await
        .unwrap_err();
    assert_eq!((two.code(), fields(&two)), (Code::InvalidArgument, vec!["providers".to_owned()]));
    let resume = c
        .resume_grant(pb::ResumeGrantRequest {
            request_id: rid("res"),
            grant_id: service.grant_id.clone(),
            expected_version: 1,
            on: d(2026, 5, 1),
            decided_on: None,
        })
        .await
        .unwrap_err();
    assert_eq!(resume.code(), Code::FailedPrecondition, "not suspended");

    let unknown_citizen = c.decide_grant(decide("cit_nobody", ok.clone(), d(2026, 6, 1))).await.unwrap_err();
    assert_eq!(unknown_citizen.code(), Code::NotFound);
    assert_eq!(feed_len(&running).await, events_before, "no bad request wrote anything");
}

async fn retries_return_the_first_answer(backend: Backend) {
    let running = start(backend).await;
    let mut c = running.client.clone();
    let nord = provider(&mut c, "Hjemmeplejen Nord", &["personal_care"]).await;
    let cid = citizen(&mut c, "1401501234").await;
    let request = decide(
        &cid,
        service_terms(&nord, "personal_care", "SEL-83", "personlig-pleje", 180),
        d(2026, 4, 1),
    );
    let first = c.decide_grant(request.clone()).await.unwrap().into_inner();
    let events = feed_len(&running).await;
    let retry = c.decide_grant(request.clone()).await.unwrap().into_inner();
    assert_eq!(retry, first, "a retry returns the first answer");
    assert_eq!(feed_len(&running).await, events, "and writes nothing");

    let mut other = request.clone();
    other.terms.as_mut().unwrap().visited_minutes_per_week = 240;
    let refused = c.decide_grant(other).await.unwrap_err();
    assert_eq!(refused.code(), Code::AlreadyExists);
    assert_eq!(feed_len(&running).await, events);

    // Registering the same CPR again returns the same citizen.
    let again = citizen(&mut c, "1401501234").await;
    assert_eq!(again, cid);
}

async fn reads_for_follow_up_and_revisitation_rounds(backend: Backend) {
    let running = start(backend).await;
    let mut c = running.client.clone();
    let nord = provider(
        &mut c,
        "Hjemmeplejen Nord",
        &["personal_care", "practical_help", "course:DEVELOPING"],
    )
    .await;
    let a = citizen(&mut c, "1501501234").await;
    let b = citizen(&mut c, "1601501234").await;
    // A: a DEVELOPING course 2 March – 24 May with 640 min/week; before it 120 min/week of
    // practical help, which drops to 60 after the course.
    let help = c
        .decide_grant(decide(
            &a,
            service_terms(&nord, "practical_help", "SEL-83", "praktisk-hjaelp", 120),
            d(2026, 1, 1),
        ))
        .await
        .unwrap()
        .into_inner();
    let course = c
        .decide_grant(decide(&a, course_terms(&nord, pbc::CourseType::Developing, 640), d(2026, 3, 2)))
        .await
        .unwrap()
        .into_inner();
    c.revisit_grant(pb::RevisitGrantRequest {
        request_id: rid("rev"),
        grant_id: help.grant_id.clone(),
        expected_version: 1,
        effective_from: d(2026, 5, 25),
        visited_minutes_per_week: 60,
        course_type: 0,
        decided_on: d(2026, 5, 25),
    })
    .await
    .unwrap();
    c.end_grant(pb::EndGrantRequest {
        request_id: rid("end"),
        grant_id: course.grant_id.clone(),
        expected_version: 1,
        last_day: d(2026, 5, 24),
        reason: 1,
        decided_on: None,
    })
    .await
    .unwrap();
    // B: 1,560 min/week of personal care (over 25 hours).
    c.decide_grant(decide(
        &b,
        service_terms(&nord, "personal_care", "SEL-83", "personlig-pleje", 1_560),
        d(2026, 1, 1),
    ))
    .await
    .unwrap();

    let around = c
        .get_visited_hours_around_course(pb::GetVisitedHoursAroundCourseRequest {
            grant_id: course.grant_id.clone(),
            window_days: 28,
            purpose: "follow-up of the course".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            around.before_minutes_per_week,
            around.during_minutes_per_week,
            around.after_minutes_per_week
        ),
        (120, 760, 60)
    );

    let bands = c
        .list_citizens_by_hours_band(pb::ListCitizensByHoursBandRequest {
            as_of: d(2026, 4, 1),
            band: 0,
            page: None,
        })
        .await
        .unwrap()
        .into_inner()
        .citizens;
    let mut seen: Vec<(String, u32, i32)> = bands
        .into_iter()
        .map(|c| (c.citizen_id, c.visited_minutes_per_week, c.band))
        .collect();
    seen.sort();
    let mut expected = vec![
        (a.clone(), 760, pb::HoursBand::HoursBand5To25 as i32),
        (b.clone(), 1_560, pb::HoursBand::Over25 as i32),
    ];
    expected.sort();
    assert_eq!(seen, expected);

    // A second course, open, due for follow-up on 24 May: due within 30 days of 1 May.
    let other = citizen(&mut c, "1701501234").await;
    let due = c
        .decide_grant(decide(&other, course_terms(&nord, pbc::CourseType::Developing, 200), d(2026, 3, 2)))
        .await
        .unwrap()
        .into_inner();
    let listed = |as_of, within_days| pb::ListGrantsDueForFollowUpRequest {
        as_of,
        within_days,
        page: None,
    };
    let soon = c
        .list_grants_due_for_follow_up(listed(d(2026, 5, 1), 30))
        .await
        .unwrap()
        .into_inner()
        .grants;
    assert_eq!(
        soon.iter().map(|g| g.grant_id.clone()).collect::<Vec<_>>(),
        vec![due.grant_id.clone()],
        "ended courses are not due"
    );
    assert!(
        c.list_grants_due_for_follow_up(listed(d(2026, 4, 1), 30))
            .await
            .unwrap()
            .into_inner()
            .grants
            .is_empty()
    );

    // Progression at 31 May: A improved over the course (3 + 2 → 2 + 2; the area scored 9 does
    // not count), the other citizen worsened (1 → 2); only the open course is due. Visited hours
    // average over the two courses: before (120 + 0) / 2, during (760 + 200) / 2, after — both
    // periods ended 24 May, the week to 31 May counts — (60 + 200) / 2 minutes per week.
    let assess = |citizen: &str, on, scores: &[(&str, u32)]| pb::RecordAssessmentRequest {
        request_id: rid("assessment"),
        citizen_id: citizen.to_owned(),
        assessed_on: on,
        assessor: "AK".into(),
        scores: scores
            .iter()
            .map(|(area, score)| pb::FunctionScore {
                area: (*area).into(),
                score: *score,
            })
            .collect(),
    };
    for request in [
        assess(&a, d(2026, 2, 20), &[("mobility", 3), ("personal_care", 2), ("practical_tasks", 9)]),
        assess(&a, d(2026, 5, 20), &[("mobility", 2), ("personal_care", 2), ("practical_tasks", 1)]),
        assess(&other, d(2026, 3, 1), &[("mobility", 1)]),
        assess(&other, d(2026, 4, 20), &[("mobility", 2)]),
        // After the reference date: not yet known at 31 May.
        assess(&other, d(2026, 6, 10), &[("mobility", 0)]),
    ] {
        c.record_assessment(request).await.unwrap();
    }
    let progression = |as_of, window_days| pb::GetProgressionRequest {
        as_of,
        window_days,
        follow_up_within_days: 30,
    };
    let rows = c.get_progression(progression(d(2026, 5, 31), 28)).await.unwrap().into_inner().rows;
    assert_eq!(rows.len(), 1, "one provider, one course type: {rows:?}");
    let r = &rows[0];
    assert_eq!(
        (r.provider_id.as_str(), r.provider_name.as_str(), r.course_type),
        (nord.as_str(), "Hjemmeplejen Nord", pbc::CourseType::Developing as i32)
    );
    assert_eq!((r.courses, r.improved, r.held, r.worsened, r.not_assessed), (2, 1, 0, 1, 0));
    assert_eq!(
        (r.before_minutes_per_week, r.during_minutes_per_week, r.after_minutes_per_week),
        (60, 480, 130)
    );
    assert_eq!((r.due_for_follow_up, r.courses_ended), (1, 2));
    // Before the second assessments nobody can be compared yet.
    // Nor does anything after 31 March count yet: no course has ended, so there is no "after".
    let early = c.get_progression(progression(d(2026, 3, 31), 28)).await.unwrap().into_inner().rows;
    assert_eq!((early[0].courses, early[0].not_assessed, early[0].courses_ended), (2, 2, 0));
    assert_eq!(
        (early[0].during_minutes_per_week, early[0].after_minutes_per_week),
        ((760 + 200) / 2, 0)
    );
    let refused = c.get_progression(progression(d(2026, 5, 31), 400)).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::InvalidArgument);
    assert_eq!(fields(&refused), vec!["window_days"]);
    let denied = client_as(&running, PROVIDER_TOKEN)
        .await
        .get_progression(progression(None, 0))
        .await
        .unwrap_err();
    assert_eq!(
        denied.code(),
        tonic::Code::PermissionDenied,
        "aggregates are for the authority and finance"
    );
}

async fn personal_data_reads_are_audited(backend: Backend) {
    let running = start(backend).await;
    let mut c = running.client.clone();
    let cid = citizen(&mut c, "1801501234").await;
    let without_purpose = c
        .get_citizen(pb::GetCitizenRequest {
            citizen_id: cid.clone(),
            purpose: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(without_purpose.cpr, "", "no purpose, no CPR");
    assert_eq!(without_purpose.birth_date, d(1950, 1, 18));
    let with_purpose = c
        .get_citizen(pb::GetCitizenRequest {
            citizen_id: cid.clone(),
            purpose: "revisitation".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(with_purpose.cpr, "1801501234");
    let found = c
        .find_citizen_by_cpr(pb::FindCitizenByCprRequest {
            cpr: "180150-1234".into(),
            purpose: "phone call".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(found.citizen_id, cid);
    let no_purpose = c
        .find_citizen_by_cpr(pb::FindCitizenByCprRequest {
            cpr: "1801501234".into(),
            purpose: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(fields(&no_purpose), vec!["purpose".to_owned()]);
    let entries = c
        .list_audit_entries(pb::ListAuditEntriesRequest {
            citizen_id: cid.clone(),
            page: None,
        })
        .await
        .unwrap()
        .into_inner()
        .entries;
    let seen: Vec<(String, String)> = entries.into_iter().map(|e| (e.action, e.purpose)).collect();
    assert_eq!(
        seen,
        vec![
            ("GetCitizen".into(), String::new()),
            ("GetCitizen".into(), "revisitation".into()),
            ("FindCitizenByCpr".into(), "phone call".into())
        ]
    );
}

async fn each_caller_may_do_only_its_part(backend: Backend) {
    let running = start(backend).await;
    let mut ehr = running.client.clone();
    let nord = provider(&mut ehr, "Hjemmeplejen Nord", &["personal_care"]).await;
    let cid = citizen(&mut ehr, "1901501234").await;
    let mut provider_client = client_as(&running, PROVIDER_TOKEN).await;
    let mut finance = client_as(&running, FINANCE_TOKEN).await;
    let settlement = client_as(&running, SETTLEMENT_TOKEN).await;

    let denied = provider_client
        .decide_grant(decide(
            &cid,
            service_terms(&nord, "personal_care", "SEL-83", "personlig-pleje", 60),
            d(2026, 4, 1),
        ))
        .await;
    assert_eq!(
        denied.unwrap_err().code(),
        Code::PermissionDenied,
        "a provider does not decide grants"
    );
    let denied = finance
        .get_citizen(pb::GetCitizenRequest {
            citizen_id: cid.clone(),
            purpose: "curious".into(),
        })
        .await;
    assert_eq!(denied.unwrap_err().code(), Code::PermissionDenied, "finance reads no personal data");
    let denied = ehr
        .stream_grant_events(pb::StreamGrantEventsRequest {
            after_sequence: 0,
            follow: false,
            max_events: 1,
        })
        .await;
    assert_eq!(denied.unwrap_err().code(), Code::PermissionDenied, "the feed is for the services");
    // The feed carries the citizen's CPR number to settlement (for the provider's statement
    // lines) and to no other follower: budget holds none.
    let decided = decide(
        &cid,
        service_terms(&nord, "personal_care", "SEL-83", "personlig-pleje", 60),
        d(2026, 4, 1),
    );
    ehr.decide_grant(decided).await.unwrap();
    let cpr_seen = |mut client: Client| async move {
        let request = pb::StreamGrantEventsRequest {
            after_sequence: 0,
            follow: false,
            max_events: 10,
        };
        let mut stream = client.stream_grant_events(request).await.unwrap().into_inner();
        let mut cprs = Vec::new();
        while let Some(event) = stream.message().await.unwrap() {
            if event.grant.is_some() {
                cprs.push(event.citizen_cpr);
            }
        }
        cprs
    };
    assert_eq!(cpr_seen(settlement.clone()).await, vec!["1901501234".to_owned()]);
    assert_eq!(cpr_seen(client_as(&running, BUDGET_TOKEN).await).await, vec![String::new()]);

    let mut anonymous =
        afregning_proto::visitation::v1::visitation_service_client::VisitationServiceClient::new(running.server.channel().await);
    let unauthenticated = anonymous
        .get_grant(pb::GetGrantRequest { grant_id: "gr_x".into() })
        .await
        .unwrap_err();
    assert_eq!(unauthenticated.code(), Code::Unauthenticated);
    // Finance may read grants (they carry no CPR), not the audit log.
    assert_eq!(
        finance
            .get_grant(pb::GetGrantRequest { grant_id: "gr_x".into() })
            .await
            .unwrap_err()
            .code(),
        Code::NotFound
    );
    let audit = finance
        .list_audit_entries(pb::ListAuditEntriesRequest {
            citizen_id: cid.clone(),
            page: None,
        })
        .await;
    assert_eq!(audit.unwrap_err().code(), Code::PermissionDenied);
    // The EHR's reads are audited under its principal.
    ehr.get_citizen(pb::GetCitizenRequest {
        citizen_id: cid.clone(),
        purpose: "visit".into(),
    })
    .await
    .unwrap();
    let entries = ehr
        .list_audit_entries(pb::ListAuditEntriesRequest {
            citizen_id: cid,
            page: None,
        })
        .await
        .unwrap()
        .into_inner()
        .entries;
    assert_eq!(entries.last().map(|e| e.principal.as_str()), Some("ehr:nexus"));
}

/// A date left out is named with what is wrong with it ("required"), not only "invalid argument".
async fn a_missing_date_says_it_is_required(backend: Backend) {
    let running = start(backend).await;
    let mut c = running.client.clone();
    let nord = provider(&mut c, "Hjemmeplejen Nord", &["personal_care"]).await;
    let cid = citizen(&mut c, "1301501234").await;
    let terms = service_terms(&nord, "personal_care", "SEL-83", "personlig-pleje", 180);
    let status = c.decide_grant(decide(&cid, terms, None)).await.unwrap_err();
    let violations: Vec<(String, String)> = tonic_types::StatusExt::get_details_bad_request(&status)
        .map(|b| b.field_violations.into_iter().map(|f| (f.field, f.description)).collect())
        .unwrap_or_default();
    assert_eq!(
        (status.code(), violations),
        (Code::InvalidArgument, vec![("start".to_owned(), "required".to_owned())])
    );
}
