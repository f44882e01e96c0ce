//! Concurrent callers on the demo's quarter, on SQLite and PostgreSQL: identical retries in
//! parallel all get the first answer and make one effect; different requests racing for one
//! effect get a clear code (the loser FAILED_PRECONDITION or ALREADY_EXISTS), never INTERNAL or
//! UNAVAILABLE; many different writes at once never wait on each other for a database connection;
//! and text with control characters is refused at the edge, naming the field.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::path::PathBuf;

use afregning::print::Out;
use afregning::quarter::{self, Outcome};
use afregning_client::connect::{Clients, Endpoints};
use afregning_kit::testing::{Backend, TestDatabase};
use afregning_proto::budget::v1 as pbb;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pbs;
use afregning_proto::visitation::v1 as pbv;
use afregning_suite::{Suite, SuiteConfig};
use tonic::{Code, Status};

fn catalog() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/catalog-2026.toml"))
}

/// `n` calls at once; their answers in call order.
async fn at_once<T, F>(n: usize, call: impl Fn(usize) -> F) -> Vec<Result<T, Status>>
where
    T: Send + 'static,
    F: Future<Output = Result<tonic::Response<T>, Status>> + Send + 'static,
{
    let mut set = tokio::task::JoinSet::new();
    for i in 0..n {
        let call = call(i);
        set.spawn(async move { (i, call.await.map(tonic::Response::into_inner)) });
    }
    let mut answers: Vec<(usize, Result<T, Status>)> = Vec::with_capacity(n);
    while let Some(joined) = set.join_next().await {
        answers.push(joined.unwrap());
    }
    answers.sort_by_key(|(i, _)| *i);
    answers.into_iter().map(|(_, a)| a).collect()
}

/// The codes of `answers`, counted.
fn codes<T>(answers: &[Result<T, Status>]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for a in answers {
        let code = match a {
            Ok(_) => Code::Ok,
            Err(s) => s.code(),
        };
        *out.entry(format!("{code:?}")).or_default() += 1;
    }
    out
}

fn count(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(c, n)| ((*c).to_owned(), *n)).collect()
}

struct World {
    _dir: tempfile::TempDir,
    _databases: Vec<TestDatabase>,
    suite: Suite,
    endpoints: Endpoints,
    outcome: Outcome,
}

impl World {
    async fn start(backend: Backend) -> World {
        let dir = tempfile::tempdir().unwrap();
        let mut config = SuiteConfig::embedded(dir.path(), &catalog()).with_tokens(&quarter::TOKENS, quarter::UPSTREAM);
        let databases = common::databases(backend, &mut config).await;
        let suite = Suite::start(config).await.unwrap();
        let endpoints = Endpoints::new(&suite.urls()).unwrap();
        let outcome = quarter::run(&endpoints, Out::quiet()).await.unwrap();
        World {
            _dir: dir,
            _databases: databases,
            suite,
            endpoints,
            outcome,
        }
    }

    fn ehr(&self) -> Clients {
        self.endpoints.as_principal(Some(quarter::TOKENS[0].0))
    }

    fn operator(&self) -> Clients {
        self.endpoints.as_principal(Some(quarter::TOKENS[1].0))
    }

    fn finance(&self) -> Clients {
        self.endpoints.as_principal(Some(quarter::TOKENS[2].0))
    }

    fn committee(&self, code: &str) -> Clients {
        let token = quarter::TOKENS.iter().find(|(_, p)| *p == format!("committee:{code}")).unwrap().0;
        self.endpoints.as_principal(Some(token))
    }
}

fn at(month: u32, day: u32, hour: u32) -> Option<prost_types::Timestamp> {
    let local = chrono::NaiveDate::from_ymd_opt(2026, month, day)
        .unwrap()
        .and_hms_opt(hour, 0, 0)
        .unwrap();
    let utc = afregning_tariff::bands::local_to_utc(local).unwrap();
    Some(prost_types::Timestamp {
        seconds: utc.timestamp(),
        nanos: 0,
    })
}

/// Registering one person: identical retries get the first answer, different request ids for the
/// same CPR number all get the one citizen (each such answer audited), and an operator may not ask.
async fn registrations(w: &World) {
    let ehr = w.ehr();
    let identical = at_once(50, |_| {
        let mut c = ehr.visitation.clone();
        async move {
            c.register_citizen(pbv::RegisterCitizenRequest {
                request_id: "reg-same".into(),
                cpr: "1212401212".into(),
            })
            .await
        }
    })
    .await;
    assert_eq!(codes(&identical), count(&[("Ok", 50)]));
    let first = identical[0].as_ref().unwrap().clone();
    assert!(identical.iter().all(|a| a.as_ref().unwrap() == &first));
    let racing = at_once(50, |i| {
        let mut c = ehr.visitation.clone();
        async move {
            c.register_citizen(pbv::RegisterCitizenRequest {
                request_id: format!("reg-{i}"),
                cpr: "1312401313".into(),
            })
            .await
        }
    })
    .await;
    assert_eq!(codes(&racing), count(&[("Ok", 50)]), "{racing:?}");
    let ids: BTreeSet<String> = racing.iter().map(|a| a.as_ref().unwrap().citizen_id.clone()).collect();
    assert_eq!(ids.len(), 1, "one person, one citizen");
    let audit = ehr
        .visitation
        .clone()
        .list_audit_entries(pbv::ListAuditEntriesRequest {
            citizen_id: ids.first().unwrap().clone(),
            page: Some(pbc::PageRequest {
                page_size: 1_000,
                page_token: String::new(),
            }),
        })
        .await
        .unwrap()
        .into_inner()
        .entries;
    let registrations = audit.iter().filter(|e| e.action == "RegisterCitizen").count();
    assert_eq!(registrations, 49, "every answer about an already registered CPR number is audited");
    let operator = w
        .operator()
        .visitation
        .register_citizen(pbv::RegisterCitizenRequest {
            request_id: "reg-operator".into(),
            cpr: "1212401212".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(operator.code(), Code::PermissionDenied, "an operator may not probe CPR numbers");
}

/// A month's run to its last message.
async fn run_to_end(mut c: Clients, request_id: String, month: i32) -> Result<tonic::Response<pbs::SettlementProgress>, Status> {
    let request = pbs::RunSettlementRequest {
        request_id,
        period: Some(pbc::Period { year: 2026, month }),
    };
    let mut stream = c.settlement.run_settlement(request).await?.into_inner();
    let mut last = None;
    while let Some(progress) = stream.message().await? {
        last = Some(progress);
    }
    last.map(tonic::Response::new).ok_or_else(|| Status::internal("no progress"))
}

/// One request id is one run: 50 identical calls at once all answer that run's end. Different
/// request ids for one month at once: each either runs the month or is told which run is in
/// progress.
async fn runs_at_once(w: &World) {
    let identical = at_once(50, |_| run_to_end(w.operator(), "c-run-7-again".into(), 7)).await;
    assert_eq!(codes(&identical), count(&[("Ok", 50)]), "{identical:?}");
    let first = identical[0].as_ref().unwrap();
    assert_eq!(first.state, pbs::RunState::Completed as i32);
    assert!(
        identical.iter().all(|a| a.as_ref().unwrap() == first),
        "every caller gets the first answer"
    );
    let racing = at_once(50, |i| run_to_end(w.operator(), format!("c-run-8-{i}"), 8)).await;
    let counted = codes(&racing);
    assert!(
        counted.keys().all(|c| c == "Ok" || c == "FailedPrecondition") && counted.contains_key("Ok"),
        "{counted:?}"
    );
    for refused in racing.iter().filter_map(|a| a.as_ref().err()) {
        assert!(refused.message().contains("is in progress"), "{refused:?}");
    }
    let totals: BTreeSet<i64> = racing.iter().filter_map(|a| a.as_ref().ok()).map(|p| p.total_ore).collect();
    assert_eq!(totals.len(), 1, "every run of August comes to the same");
}

/// Training visits in July by Træningsenheden for G7 (HEALTH pays, SOCIAL owns the need), then
/// July to October run: drafts for many providers, issued all at once.
async fn many_statements_at_once(w: &World) -> Vec<pbs::Statement> {
    let mut operator = w.operator();
    operator.wait_until_caught_up().await.unwrap();
    let training = w.outcome.providers["Træningsenheden"].clone();
    let visits: Vec<pbs::Delivery> = [7, 14, 21, 28]
        .into_iter()
        .map(|day| pbs::Delivery {
            delivery_id: format!("c-g7-07-{day}"),
            grant_id: w.outcome.grants["G7"].clone(),
            provider_id: training.clone(),
            carer_visit_id: format!("cv-c-g7-07-{day}"),
            started_at: at(7, day, 10),
            minutes: 60,
            revision: 0,
        })
        .collect();
    let reported = afregning::commands::report_deliveries(&mut operator.settlement, "c-july", &visits)
        .await
        .unwrap();
    assert_eq!(reported.accepted, 4);
    let mut drafts = Vec::new();
    for month in 7..=10 {
        afregning::commands::run_month(&mut operator.settlement, &format!("c-run-{month}"), (2026, month), Out::quiet())
            .await
            .unwrap();
        let request = pbs::ListStatementsRequest {
            period: Some(pbc::Period { year: 2026, month }),
            ..Default::default()
        };
        drafts.extend(operator.settlement.list_statements(request).await.unwrap().into_inner().statements);
    }
    assert!(drafts.len() > 8, "{} drafts", drafts.len());
    // One statement: 50 identical retries at once, all the first answer.
    let first = drafts[0].statement_id.clone();
    let identical = at_once(50, |_| {
        let mut c = operator.settlement.clone();
        let statement_id = first.clone();
        async move {
            c.issue_statement(pbs::IssueStatementRequest {
                request_id: "c-issue-one".into(),
                statement_id,
            })
            .await
        }
    })
    .await;
    assert_eq!(codes(&identical), count(&[("Ok", 50)]));
    assert!(identical.iter().all(|a| a.as_ref().unwrap() == identical[0].as_ref().unwrap()));
    // Every other draft at once, each raced by two different requests: one issues it, the other
    // is told it is no longer a draft, and no request waits on another for a connection.
    let rest: Vec<String> = drafts[1..].iter().map(|d| d.statement_id.clone()).collect();
    let racing = at_once(2 * rest.len(), |i| {
        let mut c = operator.settlement.clone();
        let statement_id = rest[i / 2].clone();
        async move {
            c.issue_statement(pbs::IssueStatementRequest {
                request_id: format!("c-issue-{i}"),
                statement_id,
            })
            .await
        }
    })
    .await;
    assert_eq!(codes(&racing), count(&[("FailedPrecondition", rest.len()), ("Ok", rest.len())]));
    for pair in racing.chunks(2) {
        assert_eq!(pair.iter().filter(|a| a.is_ok()).count(), 1, "{pair:?}");
    }
    drafts
}

/// The third quarter's case: proposals, decisions and the execution, each retried at once and
/// raced by different requests.
async fn a_case_decided_and_executed_at_once(w: &World) {
    let mut operator = w.operator();
    operator.wait_until_caught_up().await.unwrap();
    let finance = w.finance();
    let q3 = Some(pbc::Quarter { year: 2026, quarter: 3 });
    let proposed = at_once(20, |_| {
        let mut c = finance.budget.clone();
        async move {
            c.propose_reallocations(pbb::ProposeReallocationsRequest {
                request_id: "c-propose".into(),
                quarter: q3,
            })
            .await
        }
    })
    .await;
    assert_eq!(codes(&proposed), count(&[("Ok", 20)]));
    assert!(
        proposed.iter().all(|a| a.as_ref().unwrap() == proposed[0].as_ref().unwrap()),
        "one answer"
    );
    let case = proposed[0].as_ref().unwrap().cases[0].clone();
    // July's four training hours: 4 × 590.00 = 2,360.00 from SOCIAL to HEALTH.
    assert_eq!(
        (case.from_frame.as_str(), case.to_frame.as_str(), case.amount_ore),
        ("SOCIAL", "HEALTH", 236_000)
    );
    assert_eq!(case.audit.iter().filter(|a| a.action == "proposed").count(), 1);
    let decide = |committee: &'static str, request_id: String| {
        let mut c = w.committee(committee).budget.clone();
        let case_id = case.case_id.clone();
        async move {
            c.decide_reallocation_case(pbb::DecideReallocationCaseRequest {
                request_id,
                case_id,
                committee: committee.into(),
                approve: true,
                comment: "Godkendt".into(),
            })
            .await
        }
    };
    let racing = at_once(20, |i| decide("SOCIAL", format!("c-social-{i}"))).await;
    assert_eq!(codes(&racing), count(&[("FailedPrecondition", 19), ("Ok", 1)]));
    let winner = racing.iter().position(Result::is_ok).unwrap();
    let retried = at_once(20, |_| decide("SOCIAL", format!("c-social-{winner}"))).await;
    assert_eq!(codes(&retried), count(&[("Ok", 20)]));
    assert!(
        retried.iter().all(|a| a.as_ref().unwrap() == racing[winner].as_ref().unwrap()),
        "the first answer"
    );
    let health = at_once(20, |_| decide("HEALTH", "c-health".into())).await;
    assert_eq!(codes(&health), count(&[("Ok", 20)]));
    assert_eq!(health[0].as_ref().unwrap().state, pbb::CaseState::Approved as i32);
    let execute = |request_id: String| {
        let mut c = finance.budget.clone();
        let case_id = case.case_id.clone();
        async move {
            c.execute_reallocation_case(pbb::ExecuteReallocationCaseRequest { request_id, case_id })
                .await
        }
    };
    let identical = at_once(20, |_| execute("c-execute".into())).await;
    assert_eq!(codes(&identical), count(&[("Ok", 20)]));
    let executed = identical[0].as_ref().unwrap();
    assert!(identical.iter().all(|a| a.as_ref().unwrap() == executed));
    assert_eq!(
        executed.entries.iter().map(|e| e.amount_ore).collect::<Vec<_>>(),
        vec![-236_000, 236_000]
    );
    let racing = at_once(20, |i| execute(format!("c-execute-{i}"))).await;
    assert_eq!(codes(&racing), count(&[("FailedPrecondition", 20)]));
    // Frames set again and again at once: each call answers, none waits for a second connection.
    let frames = at_once(20, |i| {
        let mut c = finance.budget.clone();
        async move {
            c.set_frame(pbb::SetFrameRequest {
                request_id: format!("c-frame-{i}"),
                frame: "HEALTH".into(),
                year: 2026,
                committee: "HEALTH".into(),
                name: "Visitation og Rehabilitering – Sund".into(),
                account: "4.62.88".into(),
                amount_ore: 15_000_000,
                monthly_profile_ore: vec![],
                effective_from: None,
            })
            .await
        }
    })
    .await;
    assert_eq!(codes(&frames), count(&[("Ok", 20)]));
    // 150,000.00 with Q2's 7,375.00 and Q3's 2,360.00 moved in.
    assert!(
        frames
            .iter()
            .all(|f| f.as_ref().unwrap().adjusted_amount_ore == 15_000_000 + 737_500 + 236_000)
    );
}

/// Control characters and values the contract does not define are refused before anything is
/// read or written, naming the field; in a stream of deliveries only the record at fault.
async fn text_at_the_edge(w: &World) {
    let mut ehr = w.ehr();
    let field = |status: &Status| {
        use tonic_types::StatusExt;
        status
            .get_details_bad_request()
            .map(|b| b.field_violations.iter().map(|v| v.field.clone()).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let nul = ehr
        .visitation
        .get_grant(pbv::GetGrantRequest {
            grant_id: "a\u{0}b".into(),
        })
        .await
        .unwrap_err();
    assert_eq!((nul.code(), field(&nul)), (Code::InvalidArgument, vec!["grant_id".to_owned()]));
    let revisit = ehr
        .visitation
        .revisit_grant(pbv::RevisitGrantRequest {
            request_id: "c-revisit-99".into(),
            grant_id: w.outcome.grants["G3"].clone(),
            expected_version: 1,
            effective_from: Some(pbc::Date {
                year: 2026,
                month: 7,
                day: 1,
            }),
            visited_minutes_per_week: 300,
            course_type: 99,
            decided_on: Some(pbc::Date {
                year: 2026,
                month: 7,
                day: 1,
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(
        (revisit.code(), field(&revisit)),
        (Code::InvalidArgument, vec!["course_type".to_owned()])
    );
    let huge = ehr
        .visitation
        .register_provider(pbv::RegisterProviderRequest {
            request_id: "c-huge-provider".into(),
            cvr: "29189668".into(),
            name: "x".repeat(4_600_000),
            kind: pbc::ProviderKind::Municipal as i32,
            committee: "SOCIAL".into(),
            approved_for: vec![],
            provider_id: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(huge.code(), Code::ResourceExhausted, "a 4.6 MB message: {huge:?}");
    let empty = ehr
        .visitation
        .get_grant(pbv::GetGrantRequest { grant_id: String::new() })
        .await
        .unwrap_err();
    assert_eq!(
        (empty.code(), field(&empty)),
        (Code::InvalidArgument, vec!["grant_id".to_owned()]),
        "not NOT_FOUND"
    );
    let g3 = ehr
        .visitation
        .get_grant(pbv::GetGrantRequest {
            grant_id: w.outcome.grants["G3"].clone(),
        })
        .await
        .unwrap()
        .into_inner();
    let far = ehr
        .visitation
        .record_assessment(pbv::RecordAssessmentRequest {
            request_id: "c-assess-9999".into(),
            citizen_id: g3.citizen_id,
            assessed_on: Some(pbc::Date {
                year: 9999,
                month: 12,
                day: 31,
            }),
            assessor: "AB".into(),
            scores: vec![],
        })
        .await
        .unwrap_err();
    assert_eq!((far.code(), field(&far)), (Code::InvalidArgument, vec!["assessed_on".to_owned()]));
    // Born 5 May 2040 by its CPR number's century rule (seventh digit 5, year 40).
    let unborn = ehr
        .visitation
        .register_citizen(pbv::RegisterCitizenRequest {
            request_id: "c-unborn".into(),
            cpr: "0505405555".into(),
        })
        .await
        .unwrap_err();
    assert_eq!((unborn.code(), field(&unborn)), (Code::InvalidArgument, vec!["cpr".to_owned()]));
    let mut operator = w.operator();
    let training = w.outcome.providers["Træningsenheden"].clone();
    let visit = |id: &str, carer: &str| pbs::Delivery {
        delivery_id: id.into(),
        grant_id: w.outcome.grants["G7"].clone(),
        provider_id: training.clone(),
        carer_visit_id: carer.into(),
        started_at: at(8, 4, 10),
        minutes: 60,
        revision: 0,
    };
    let batch = vec![visit("c-ok", "cv-ok"), visit("c-escape", "cv-\u{1b}[2J")];
    let reported = afregning::commands::report_deliveries(&mut operator.settlement, "c-edge", &batch)
        .await
        .unwrap();
    assert_eq!(reported.accepted, 1);
    assert_eq!(
        reported
            .errors
            .iter()
            .map(|e| (e.delivery_id.as_str(), e.field.as_str()))
            .collect::<Vec<_>>(),
        vec![("c-escape", "carer_visit_id")]
    );
}

/// Amounts beyond 10,000,000,000.00 kr. either way are refused, naming the field, and change
/// nothing: sums cannot wrap.
async fn amounts_at_their_bounds(w: &World) {
    let mut finance = w.finance();
    let health_at_june = async |finance: &mut Clients| {
        let request = pbb::GetFollowUpStatusRequest {
            frame: "HEALTH".into(),
            as_of: Some(pbc::Date {
                year: 2026,
                month: 6,
                day: 30,
            }),
        };
        finance.budget.get_follow_up_status(request).await.unwrap().into_inner()
    };
    let before = health_at_june(&mut finance).await;
    let huge = 4_600_000_000_000_000_000_i64;
    let entry = |id: &str, amount_ore: i64| pbb::ActualEntry {
        external_id: id.into(),
        frame: "HEALTH".into(),
        account: "4.62.88".into(),
        booked_on: Some(pbc::Date {
            year: 2026,
            month: 6,
            day: 1,
        }),
        amount_ore,
        text: "ERP".into(),
    };
    let stream = tokio_stream::iter(vec![pbb::ImportActualsRequest {
        request_id: "c-huge".into(),
        entries: vec![entry("c-huge-1", huge), entry("c-huge-2", huge)],
    }]);
    let imported = finance.budget.import_actuals(stream).await.unwrap().into_inner();
    assert_eq!(
        (
            imported.accepted,
            imported.errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>()
        ),
        (0, vec!["amount_ore", "amount_ore"])
    );
    // The same request id again: the first answer; with other entries: ALREADY_EXISTS.
    let again = tokio_stream::iter(vec![pbb::ImportActualsRequest {
        request_id: "c-huge".into(),
        entries: vec![entry("c-huge-1", huge), entry("c-huge-2", huge)],
    }]);
    assert_eq!(finance.budget.import_actuals(again).await.unwrap().into_inner(), imported);
    let other = tokio_stream::iter(vec![pbb::ImportActualsRequest {
        request_id: "c-huge".into(),
        entries: vec![entry("c-small", 100)],
    }]);
    assert_eq!(finance.budget.import_actuals(other).await.unwrap_err().code(), Code::AlreadyExists);
    let frame = finance
        .budget
        .set_frame(pbb::SetFrameRequest {
            request_id: "c-frame-max".into(),
            frame: "HEALTH".into(),
            year: 2026,
            committee: "HEALTH".into(),
            name: "Visitation og Rehabilitering – Sund".into(),
            account: "4.62.88".into(),
            amount_ore: i64::MAX,
            monthly_profile_ore: vec![],
            effective_from: None,
        })
        .await
        .unwrap_err();
    assert_eq!(
        (frame.code(), frame.message()),
        (
            Code::InvalidArgument,
            "amount_ore: at most 1000000000000 øre (10,000,000,000.00 kr.) either way"
        )
    );
    let expected = finance
        .budget
        .submit_expected_accounts(pbb::SubmitExpectedAccountsRequest {
            request_id: "c-expected-max".into(),
            frame: "HEALTH".into(),
            year: 2026,
            months: vec![
                pbb::MonthAmount {
                    month: 11,
                    amount_ore: i64::MAX,
                },
                pbb::MonthAmount {
                    month: 12,
                    amount_ore: i64::MAX,
                },
            ],
            submitted_by: "leder".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(expected.code(), Code::InvalidArgument);
    let reconcile = finance
        .budget
        .reconcile(pbb::ReconcileRequest {
            year: 2026,
            erp_totals: vec![pbb::PostingTotal {
                frame: "HEALTH".into(),
                account: "4.62.88".into(),
                period: Some(pbc::Period { year: 2026, month: 6 }),
                amount_ore: i64::MIN,
                entry_count: 1,
            }],
        })
        .await
        .unwrap_err();
    assert_eq!(reconcile.code(), Code::InvalidArgument);
    let true_up = w
        .operator()
        .settlement
        .run_true_up(pbs::RunTrueUpRequest {
            request_id: "c-true-up-max".into(),
            year: 2026,
            actual_costs: vec![pbs::ActualUnitCost {
                unit: "personal_care".into(),
                actual_rate_ore: i64::MAX,
            }],
        })
        .await
        .unwrap_err();
    assert_eq!(true_up.code(), Code::InvalidArgument);
    let after = health_at_june(&mut finance).await;
    assert_eq!(after, before, "nothing refused changed anything");
}

/// Deliveries raced in by many streams at once are stored once, and one delivery corrected by
/// many requests at once gets each correction in turn.
async fn deliveries_at_once(w: &World) {
    let operator = w.operator();
    let training = w.outcome.providers["Træningsenheden"].clone();
    let visits: Vec<pbs::Delivery> = [3, 10, 17, 24]
        .into_iter()
        .map(|day| pbs::Delivery {
            delivery_id: format!("c-g7-09-{day}"),
            grant_id: w.outcome.grants["G7"].clone(),
            provider_id: training.clone(),
            carer_visit_id: format!("cv-c-g7-09-{day}"),
            started_at: at(9, day, 10),
            minutes: 60,
            revision: 0,
        })
        .collect();
    let streams = at_once(50, |i| {
        let mut c = operator.settlement.clone();
        let visits = visits.clone();
        async move {
            let messages = vec![pbs::ReportDeliveriesRequest {
                request_id: format!("c-stream-{i}"),
                deliveries: visits,
            }];
            c.report_deliveries(tokio_stream::iter(messages)).await
        }
    })
    .await;
    assert_eq!(codes(&streams), count(&[("Ok", 50)]), "{streams:?}");
    let answers: Vec<&pbs::ReportDeliveriesResponse> = streams.iter().map(|a| a.as_ref().unwrap()).collect();
    assert!(answers.iter().all(|a| a.errors.is_empty()), "{answers:?}");
    assert_eq!(answers.iter().map(|a| a.accepted).sum::<u64>(), 4, "each delivery stored once");
    assert_eq!(answers.iter().map(|a| a.duplicates).sum::<u64>(), 4 * 49);
    // The same stream sent 50 times at once: one effect, and every caller the same answer.
    let october = vec![pbs::Delivery {
        delivery_id: "c-g7-10-1".into(),
        carer_visit_id: "cv-c-g7-10-1".into(),
        started_at: at(10, 1, 10),
        ..visits[0].clone()
    }];
    let identical = at_once(50, |_| {
        let mut c = operator.settlement.clone();
        let october = october.clone();
        async move {
            let messages = vec![pbs::ReportDeliveriesRequest {
                request_id: "c-stream-same".into(),
                deliveries: october,
            }];
            c.report_deliveries(tokio_stream::iter(messages)).await
        }
    })
    .await;
    assert_eq!(codes(&identical), count(&[("Ok", 50)]), "{identical:?}");
    assert!(
        identical.iter().all(|a| a.as_ref().unwrap() == identical[0].as_ref().unwrap()),
        "{identical:?}"
    );
    // Fifty different deliveries of one carer visit at the same time, sent side by side: one
    // is stored, the others overlap it.
    let overlapping = at_once(50, |i| {
        let mut c = operator.settlement.clone();
        let visit = pbs::Delivery {
            delivery_id: format!("c-overlap-{i}"),
            carer_visit_id: "cv-c-overlap".into(),
            started_at: at(10, 5, 10),
            ..visits[0].clone()
        };
        async move {
            let messages = vec![pbs::ReportDeliveriesRequest {
                request_id: format!("c-overlap-{i}"),
                deliveries: vec![visit],
            }];
            c.report_deliveries(tokio_stream::iter(messages)).await
        }
    })
    .await;
    assert_eq!(codes(&overlapping), count(&[("Ok", 50)]));
    let answers: Vec<&pbs::ReportDeliveriesResponse> = overlapping.iter().map(|a| a.as_ref().unwrap()).collect();
    assert_eq!(
        answers.iter().map(|a| a.accepted).sum::<u64>(),
        1,
        "one of fifty overlapping deliveries"
    );
    assert!(answers.iter().flat_map(|a| &a.errors).all(|e| e.field == "carer_visit_id"));
    assert_eq!(answers.iter().map(|a| a.errors.len()).sum::<usize>(), 49);
    // 20,000 one-delivery messages in one stream: read as fast as they come, all stored.
    let first = chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap().and_hms_opt(7, 0, 0).unwrap();
    let messages: Vec<pbs::ReportDeliveriesRequest> = (0..20_000_i64)
        .map(|i| {
            let start = afregning_tariff::bands::local_to_utc(first + chrono::Duration::minutes(15 * i))
                .unwrap_or_else(|_| afregning_tariff::bands::local_to_utc(first + chrono::Duration::minutes(15 * i + 60)).unwrap());
            pbs::ReportDeliveriesRequest {
                request_id: if i == 0 { "c-small-messages".into() } else { String::new() },
                deliveries: vec![pbs::Delivery {
                    delivery_id: format!("c-small-{i}"),
                    carer_visit_id: format!("cv-c-small-{i}"),
                    started_at: Some(prost_types::Timestamp {
                        seconds: start.timestamp(),
                        nanos: 0,
                    }),
                    minutes: 5,
                    ..visits[0].clone()
                }],
            }
        })
        .collect();
    let small = operator
        .settlement
        .clone()
        .report_deliveries(tokio_stream::iter(messages))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((small.accepted, small.duplicates, small.errors.len()), (20_000, 0, 0));
    let corrections = at_once(50, |i| {
        let mut c = operator.settlement.clone();
        async move {
            c.correct_delivery(pbs::CorrectDeliveryRequest {
                request_id: format!("c-correct-{i}"),
                delivery_id: "c-g7-09-3".into(),
                started_at: at(9, 3, 10),
                minutes: 61 + u32::try_from(i).unwrap(),
                reason: "logged late".into(),
            })
            .await
        }
    })
    .await;
    assert_eq!(codes(&corrections), count(&[("Ok", 50)]), "{corrections:?}");
    let revisions: BTreeSet<u32> = corrections.iter().map(|c| c.as_ref().unwrap().revision).collect();
    assert_eq!(revisions, (1..=50).collect::<BTreeSet<u32>>(), "each correction in turn, none lost");
}

/// Writes about a frame belong to its committee, and who wrote is the caller, never a field; a
/// committee learns nothing of a case that is not its own; every personal-data read states why.
async fn who_may_write_and_read(w: &World) {
    let mut social = w.committee("SOCIAL");
    let expected = |frame: &str, by: &str| pbb::SubmitExpectedAccountsRequest {
        request_id: format!("c-expected-{frame}-{}", by.len()),
        frame: frame.into(),
        year: 2026,
        months: vec![pbb::MonthAmount {
            month: 12,
            amount_ore: 1_000_000,
        }],
        submitted_by: by.into(),
    };
    let theirs = social.budget.submit_expected_accounts(expected("HEALTH", "x")).await.unwrap_err();
    assert_eq!(theirs.code(), Code::PermissionDenied, "SOCIAL may not forecast HEALTH's frame");
    let explanation = social
        .budget
        .submit_deviation_explanation(pbb::SubmitDeviationExplanationRequest {
            request_id: "c-explain-health".into(),
            frame: "HEALTH".into(),
            period: Some(pbc::Period { year: 2026, month: 6 }),
            explanation: "Ikke vores".into(),
            corrective_actions: vec!["Ingen".into()],
            submitted_by: "someone else".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(explanation.code(), Code::PermissionDenied, "nor explain HEALTH's deviation");
    let own = social
        .budget
        .submit_expected_accounts(expected("SOCIAL", "the mayor"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(own.submitted_by, "committee:SOCIAL", "who is the caller, whatever the request says");
    let decide = |case_id: &str| pbb::DecideReallocationCaseRequest {
        request_id: format!("c-decide-{case_id}"),
        case_id: case_id.into(),
        committee: "SOCIAL".into(),
        approve: true,
        comment: String::new(),
    };
    let mut finance_committee_case = w.endpoints.as_principal(Some(quarter::TOKENS[3].0));
    let missing = finance_committee_case
        .budget
        .decide_reallocation_case(decide("case-none"))
        .await
        .unwrap_err();
    assert_eq!(
        missing.code(),
        Code::PermissionDenied,
        "a missing case answers as one that is not the committee's"
    );
    let mut ehr = w.ehr();
    let citizen = w.outcome.grants["G3"].clone();
    let grant = ehr
        .visitation
        .get_grant(pbv::GetGrantRequest { grant_id: citizen })
        .await
        .unwrap()
        .into_inner();
    let no_purpose = ehr
        .visitation
        .list_citizen_grants(pbv::ListCitizenGrantsRequest {
            citizen_id: grant.citizen_id.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(
        (no_purpose.code(), no_purpose.message()),
        (Code::InvalidArgument, "purpose: required, at most 200 characters")
    );
    ehr.visitation
        .list_citizen_grants(pbv::ListCitizenGrantsRequest {
            citizen_id: grant.citizen_id.clone(),
            purpose: "opfølgning".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let audit = ehr
        .visitation
        .list_audit_entries(pbv::ListAuditEntriesRequest {
            citizen_id: grant.citizen_id,
            page: None,
        })
        .await
        .unwrap()
        .into_inner()
        .entries;
    assert!(audit.iter().all(|e| !e.purpose.is_empty()), "every read states why: {audit:?}");
}

/// Every call OK with one and the same answer.
fn same<T: PartialEq + std::fmt::Debug>(answers: &[Result<T, Status>]) {
    assert_eq!(
        codes(answers),
        count(&[("Ok", answers.len())]),
        "{:?}",
        answers.iter().find(|a| a.is_err())
    );
    assert!(
        answers.iter().all(|a| a.as_ref().unwrap() == answers[0].as_ref().unwrap()),
        "one answer"
    );
}

/// The authority's and finance's other writes: 50 identical calls at once answer alike, and
/// different requests racing for one effect get one winner and a clear code for the rest.
async fn the_other_writes_at_once(w: &World) {
    let ehr = w.ehr();
    let provider = at_once(50, |_| {
        let mut c = ehr.visitation.clone();
        async move {
            c.register_provider(pbv::RegisterProviderRequest {
                request_id: "c-provider".into(),
                cvr: "29189668".into(),
                name: "Hjemmeplejen Syd".into(),
                kind: pbc::ProviderKind::Municipal as i32,
                committee: "SOCIAL".into(),
                approved_for: vec!["personal_care".into()],
                provider_id: String::new(),
            })
            .await
        }
    })
    .await;
    same(&provider);
    let syd = provider[0].as_ref().unwrap().provider_id.clone();
    let citizen_id = ehr
        .visitation
        .clone()
        .register_citizen(pbv::RegisterCitizenRequest {
            request_id: "c-citizen".into(),
            cpr: "1412401414".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .citizen_id;
    let assessed = at_once(50, |_| {
        let mut c = ehr.visitation.clone();
        let citizen_id = citizen_id.clone();
        async move {
            c.record_assessment(pbv::RecordAssessmentRequest {
                request_id: "c-assess".into(),
                citizen_id,
                assessed_on: Some(pbc::Date {
                    year: 2026,
                    month: 7,
                    day: 1,
                }),
                assessor: "AB".into(),
                scores: vec![pbv::FunctionScore {
                    area: "mobility".into(),
                    score: 2,
                }],
            })
            .await
        }
    })
    .await;
    same(&assessed);
    let decide = |request_id: String| {
        let mut c = ehr.visitation.clone();
        let (citizen_id, syd) = (citizen_id.clone(), syd.clone());
        async move {
            c.decide_grant(pbv::DecideGrantRequest {
                request_id,
                citizen_id,
                terms: Some(pbv::GrantTerms {
                    unit_kind: pbc::UnitKind::Service as i32,
                    legal_basis: "SEL-83".into(),
                    intervention: "personlig-pleje".into(),
                    visited_minutes_per_week: 120,
                    service_category: "personal_care".into(),
                    providers: vec![pbc::ProviderShare {
                        provider_id: syd,
                        share_percent: 100,
                        lead: true,
                    }],
                    ..Default::default()
                }),
                start: Some(pbc::Date {
                    year: 2026,
                    month: 7,
                    day: 1,
                }),
                end: None,
                decided_on: Some(pbc::Date {
                    year: 2026,
                    month: 7,
                    day: 1,
                }),
            })
            .await
        }
    };
    let decided = at_once(50, |_| decide("c-decide".into())).await;
    same(&decided);
    let grant_id = decided[0].as_ref().unwrap().grant_id.clone();
    // The same person granted the same again under other ids: the overlap rule lets none through.
    let overlapping = at_once(20, |i| decide(format!("c-decide-{i}"))).await;
    assert_eq!(codes(&overlapping), count(&[("FailedPrecondition", 20)]), "{overlapping:?}");
    // Revisits racing from the same version: one wins, the rest see the version has moved on.
    let revisits = at_once(50, |i| {
        let mut c = ehr.visitation.clone();
        let grant_id = grant_id.clone();
        async move {
            c.revisit_grant(pbv::RevisitGrantRequest {
                request_id: format!("c-revisit-{i}"),
                grant_id,
                expected_version: 1,
                effective_from: Some(pbc::Date {
                    year: 2026,
                    month: 8,
                    day: 1,
                }),
                visited_minutes_per_week: 180 + u32::try_from(i).unwrap(),
                course_type: 0,
                decided_on: Some(pbc::Date {
                    year: 2026,
                    month: 8,
                    day: 1,
                }),
            })
            .await
        }
    })
    .await;
    assert_eq!(codes(&revisits), count(&[("FailedPrecondition", 49), ("Ok", 1)]), "{revisits:?}");
    // The revisit that won made version 2; each later change races from the version before it.
    let change = |version: u32, i: usize, what: usize| {
        let mut c = ehr.visitation.clone();
        let grant_id = grant_id.clone();
        let syd = syd.clone();
        let d = |m, day| Some(pbc::Date { year: 2026, month: m, day });
        async move {
            let id = format!("c-change-{what}-{i}");
            match what {
                0 => {
                    c.change_provider(pbv::ChangeProviderRequest {
                        request_id: id,
                        grant_id,
                        expected_version: version,
                        effective_from: d(8, 10),
                        providers: vec![pbc::ProviderShare {
                            provider_id: syd,
                            share_percent: 100,
                            lead: true,
                        }],
                        decided_on: d(8, 10),
                    })
                    .await
                }
                1 => {
                    c.suspend_grant(pbv::SuspendGrantRequest {
                        request_id: id,
                        grant_id,
                        expected_version: version,
                        from: d(8, 12),
                        reason: "indlæggelse".into(),
                        decided_on: d(8, 12),
                    })
                    .await
                }
                2 => {
                    c.resume_grant(pbv::ResumeGrantRequest {
                        request_id: id,
                        grant_id,
                        expected_version: version,
                        on: d(8, 20),
                        decided_on: d(8, 20),
                    })
                    .await
                }
                _ => {
                    c.end_grant(pbv::EndGrantRequest {
                        request_id: id,
                        grant_id,
                        expected_version: version,
                        last_day: d(9, 30),
                        reason: pbc::EndReason::Moved as i32,
                        decided_on: d(9, 30),
                    })
                    .await
                }
            }
        }
    };
    for (what, version) in [(0, 2), (1, 3), (2, 4), (3, 5)] {
        let racing = at_once(50, |i| change(version, i, what)).await;
        assert_eq!(codes(&racing), count(&[("FailedPrecondition", 49), ("Ok", 1)]), "change {what}");
        let winner = racing.iter().position(Result::is_ok).unwrap();
        let retried = at_once(50, |_| change(version, winner, what)).await;
        same(&retried);
        assert_eq!(retried[0].as_ref().unwrap(), racing[winner].as_ref().unwrap(), "the first answer");
    }
    let finance = w.finance();
    let committees = at_once(50, |i| {
        let mut c = finance.budget.clone();
        async move {
            c.create_committee(pbb::CreateCommitteeRequest {
                request_id: format!("c-committee-{i}"),
                code: "CULTURE".into(),
                name: "Kulturudvalget".into(),
            })
            .await
        }
    })
    .await;
    assert_eq!(codes(&committees), count(&[("AlreadyExists", 49), ("Ok", 1)]), "{committees:?}");
    let actuals = |request_id: String, external_id: String| {
        let mut c = finance.budget.clone();
        async move {
            let entry = pbb::ActualEntry {
                external_id,
                frame: "SOCIAL".into(),
                account: "5.30.26".into(),
                booked_on: Some(pbc::Date {
                    year: 2026,
                    month: 7,
                    day: 15,
                }),
                amount_ore: 125_000,
                text: "hjælpemidler".into(),
            };
            let messages = vec![pbb::ImportActualsRequest {
                request_id,
                entries: vec![entry],
            }];
            c.import_actuals(tokio_stream::iter(messages)).await
        }
    };
    let identical = at_once(50, |_| actuals("c-actuals".into(), "c-erp-1".into())).await;
    same(&identical);
    let racing = at_once(50, |i| actuals(format!("c-actuals-{i}"), "c-erp-2".into())).await;
    assert_eq!(codes(&racing), count(&[("Ok", 50)]));
    let imported: Vec<&pbb::ImportActualsResponse> = racing.iter().map(|a| a.as_ref().unwrap()).collect();
    assert_eq!(
        (
            imported.iter().map(|a| a.accepted).sum::<u64>(),
            imported.iter().map(|a| a.duplicates).sum::<u64>()
        ),
        (1, 49),
        "one entry, booked once"
    );
    let social = w.committee("SOCIAL");
    let forecast = at_once(50, |_| {
        let mut c = social.budget.clone();
        async move {
            c.submit_expected_accounts(pbb::SubmitExpectedAccountsRequest {
                request_id: "c-forecast".into(),
                frame: "SOCIAL".into(),
                year: 2026,
                months: vec![pbb::MonthAmount {
                    month: 12,
                    amount_ore: 2_000_000,
                }],
                submitted_by: String::new(),
            })
            .await
        }
    })
    .await;
    same(&forecast);
    let explained = at_once(50, |_| {
        let mut c = social.budget.clone();
        async move {
            c.submit_deviation_explanation(pbb::SubmitDeviationExplanationRequest {
                request_id: "c-explain".into(),
                frame: "SOCIAL".into(),
                period: Some(pbc::Period { year: 2026, month: 7 }),
                explanation: "Flere borgere end ventet".into(),
                corrective_actions: vec!["Revisitation af alle pakker".into()],
                submitted_by: String::new(),
            })
            .await
        }
    })
    .await;
    same(&explained);
    let closed = at_once(50, |_| {
        let mut c = finance.budget.clone();
        async move {
            c.close_month(pbb::CloseMonthRequest {
                request_id: "c-close".into(),
                frame: "SOCIAL".into(),
                period: Some(pbc::Period { year: 2026, month: 7 }),
            })
            .await
        }
    })
    .await;
    same(&closed);
    let operator = w.operator();
    let true_up = at_once(20, |_| {
        let mut c = operator.settlement.clone();
        async move {
            c.run_true_up(pbs::RunTrueUpRequest {
                request_id: "c-true-up".into(),
                year: 2025,
                actual_costs: vec![pbs::ActualUnitCost {
                    unit: "personal_care".into(),
                    actual_rate_ore: 50_000,
                }],
            })
            .await
        }
    })
    .await;
    same(&true_up);
}

async fn concurrent_callers(backend: Backend) {
    let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("warn").try_init();
    let w = World::start(backend).await;
    registrations(&w).await;
    runs_at_once(&w).await;
    many_statements_at_once(&w).await;
    a_case_decided_and_executed_at_once(&w).await;
    text_at_the_edge(&w).await;
    amounts_at_their_bounds(&w).await;
    deliveries_at_once(&w).await;
    who_may_write_and_read(&w).await;
    the_other_writes_at_once(&w).await;
    w.suite.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_callers_sqlite() {
    concurrent_callers(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_callers_postgres() {
    concurrent_callers(Backend::Postgres).await;
}
