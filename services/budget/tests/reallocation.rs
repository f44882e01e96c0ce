//! The quarterly net-zero reallocation as finance and the committees live it: the quarter's
//! cross-frame purchases netted into a case, approved by both committees concerned, executed by
//! FINANCE exactly once — the two frames change by the case amount and the grand total not at
//! all — and a property test that over random sequences of postings, proposals, decisions and
//! executions the reallocation entries always sum to zero and no case runs twice.

mod common;

use std::collections::BTreeMap;

use afregning_budget::store::{Store, source};
use afregning_kit::server::ServiceSpec;
use afregning_kit::testing::{Backend, TestDatabase, TestServer};
use afregning_proto::budget::v1 as pb;
use afregning_proto::common::v1 as pbc;
use common::{Client, FINANCE, FINANCE_COMMITTEE, HEALTH, SOCIAL, auth, catalogs, client, posting};
use proptest::prelude::*;
use tonic::Code;

struct Budget {
    server: TestServer,
    store: Store,
    _db: TestDatabase,
}

async fn budget(backend: Backend) -> Budget {
    let db = TestDatabase::new(backend).await;
    let database = db.connect(afregning_budget::MIGRATIONS).await;
    let store = Store::new(database.clone());
    let routes = afregning_budget::service_routes(store.clone(), 0, std::sync::Arc::new(catalogs()), &auth());
    let server = TestServer::start(ServiceSpec {
        grpc_name: afregning_budget::GRPC_NAME,
        routes,
        database,
    })
    .await;
    let mut finance = client(&server, FINANCE).await;
    for (code, amount) in [("SOCIAL", 120_000_000), ("HEALTH", 36_500_000)] {
        finance
            .create_committee(pb::CreateCommitteeRequest {
                request_id: format!("c-{code}"),
                code: code.into(),
                name: code.into(),
            })
            .await
            .unwrap();
        let frame = pb::SetFrameRequest {
            request_id: format!("f-{code}"),
            frame: code.into(),
            year: 2026,
            committee: code.into(),
            name: format!("Visitation og Rehabilitering – {code}"),
            account: "5.30.26".into(),
            amount_ore: amount,
            monthly_profile_ore: vec![],
            effective_from: None,
        };
        finance.set_frame(frame).await.unwrap();
    }
    Budget { server, store, _db: db }
}

fn quarter(q: i32) -> Option<pbc::Quarter> {
    Some(pbc::Quarter { year: 2026, quarter: q })
}

async fn propose(finance: &mut Client, id: &str, q: i32) -> Result<Vec<pb::ReallocationCase>, tonic::Status> {
    Ok(finance
        .propose_reallocations(pb::ProposeReallocationsRequest {
            request_id: id.into(),
            quarter: quarter(q),
        })
        .await?
        .into_inner()
        .cases)
}

fn decide(id: &str, case_id: &str, committee: &str, approve: bool) -> pb::DecideReallocationCaseRequest {
    pb::DecideReallocationCaseRequest {
        request_id: id.into(),
        case_id: case_id.into(),
        committee: committee.into(),
        approve,
        comment: "ok".into(),
    }
}

fn execute(id: &str, case_id: &str) -> pb::ExecuteReallocationCaseRequest {
    pb::ExecuteReallocationCaseRequest {
        request_id: id.into(),
        case_id: case_id.into(),
    }
}

async fn adjusted(finance: &mut Client) -> BTreeMap<String, i64> {
    let frames = finance
        .list_frames(pb::ListFramesRequest { year: 2026, page: None })
        .await
        .unwrap()
        .into_inner()
        .frames;
    frames.into_iter().map(|f| (f.frame, f.adjusted_amount_ore)).collect()
}

async fn a_quarter_from_purchases_to_execution(backend: Backend) {
    let b = budget(backend).await;
    let (mut finance, mut social, mut health, mut finance_committee) = (
        client(&b.server, FINANCE).await,
        client(&b.server, SOCIAL).await,
        client(&b.server, HEALTH).await,
        client(&b.server, FINANCE_COMMITTEE).await,
    );
    // Q2: HEALTH paid 2,360.00 of training for a need SOCIAL owns (G7 of the worked month),
    // SOCIAL paid 500.00 for one of HEALTH's; SOCIAL's own 1,000.00 is no purchase.
    posting(&b.store, "p1", "HEALTH", "SOCIAL", 4, 236_000).await;
    posting(&b.store, "p2", "SOCIAL", "HEALTH", 5, 50_000).await;
    posting(&b.store, "p3", "SOCIAL", "SOCIAL", 4, 100_000).await;
    posting(&b.store, "p4", "HEALTH", "SOCIAL", 7, 10_000).await;

    assert_eq!(
        propose(&mut finance, "open", 4).await.unwrap_err().code(),
        Code::FailedPrecondition,
        "Q4 has not ended"
    );
    let cases = propose(&mut finance, "q2", 2).await.unwrap();
    assert_eq!(cases.len(), 1);
    let case = &cases[0];
    assert_eq!(
        (case.from_frame.as_str(), case.to_frame.as_str(), case.amount_ore, case.state),
        ("SOCIAL", "HEALTH", 186_000, pb::CaseState::Proposed as i32)
    );
    let behind: Vec<&str> = case.purchases.iter().map(|p| p.posting_id.as_str()).collect();
    assert_eq!(behind, vec!["p1", "p2"]);
    let id = case.case_id.clone();

    assert_eq!(
        finance.execute_reallocation_case(execute("x0", &id)).await.unwrap_err().code(),
        Code::FailedPrecondition,
        "not approved yet"
    );
    assert_eq!(
        finance_committee
            .decide_reallocation_case(decide("d0", &id, "FINANCE", true))
            .await
            .unwrap_err()
            .code(),
        Code::PermissionDenied,
        "not concerned"
    );
    assert_eq!(
        social
            .decide_reallocation_case(decide("d1", &id, "HEALTH", true))
            .await
            .unwrap_err()
            .code(),
        Code::PermissionDenied,
        "for another committee"
    );
    social.decide_reallocation_case(decide("d2", &id, "SOCIAL", true)).await.unwrap();
    assert_eq!(
        social
            .decide_reallocation_case(decide("d3", &id, "SOCIAL", true))
            .await
            .unwrap_err()
            .code(),
        Code::FailedPrecondition,
        "twice"
    );
    let approved = health
        .decide_reallocation_case(decide("d4", &id, "HEALTH", true))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(approved.state, pb::CaseState::Approved as i32);
    assert_eq!(
        health.execute_reallocation_case(execute("x1", &id)).await.unwrap_err().code(),
        Code::PermissionDenied,
        "only FINANCE executes"
    );

    let before = adjusted(&mut finance).await;
    let executed = finance.execute_reallocation_case(execute("x2", &id)).await.unwrap().into_inner();
    assert_eq!(executed.state, pb::CaseState::Executed as i32);
    assert_eq!(
        executed
            .entries
            .iter()
            .map(|e| (e.frame.as_str(), e.amount_ore))
            .collect::<Vec<_>>(),
        vec![("SOCIAL", -186_000), ("HEALTH", 186_000)]
    );
    let after = adjusted(&mut finance).await;
    assert_eq!(after["SOCIAL"] - before["SOCIAL"], -186_000);
    assert_eq!(after["HEALTH"] - before["HEALTH"], 186_000);
    assert_eq!(
        after.values().sum::<i64>(),
        before.values().sum::<i64>(),
        "the grand total is unchanged"
    );
    assert_eq!(
        finance.execute_reallocation_case(execute("x2", &id)).await.unwrap().into_inner(),
        executed,
        "a retry returns the first answer"
    );
    assert_eq!(
        finance.execute_reallocation_case(execute("x3", &id)).await.unwrap_err().code(),
        Code::FailedPrecondition,
        "at most once"
    );
    let audit: Vec<String> = finance
        .get_reallocation_case(pb::GetReallocationCaseRequest { case_id: id.clone() })
        .await
        .unwrap()
        .into_inner()
        .audit
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(audit.iter().filter(|a| *a == "executed").count(), 1);
    assert_eq!(audit.len(), 4, "proposed, two approvals, executed: {audit:?}");

    // Q3: five concurrent executions of one approved case — one runs, the rest are refused.
    let q3 = propose(&mut finance, "q3", 3).await.unwrap();
    let id3 = q3[0].case_id.clone();
    social.decide_reallocation_case(decide("d5", &id3, "SOCIAL", true)).await.unwrap();
    health.decide_reallocation_case(decide("d6", &id3, "HEALTH", true)).await.unwrap();
    let mut racing = Vec::new();
    for i in 0..5 {
        let mut c = client(&b.server, FINANCE).await;
        let id3 = id3.clone();
        racing.push(tokio::spawn(async move {
            c.execute_reallocation_case(execute(&format!("race-{i}"), &id3))
                .await
                .map(|_| ())
                .map_err(|s| s.code())
        }));
    }
    let mut outcomes = Vec::new();
    for r in racing {
        outcomes.push(r.await.unwrap());
    }
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1, "{outcomes:?}");
    assert!(outcomes.iter().all(|o| o.is_ok() || *o == Err(Code::FailedPrecondition)));
    assert_eq!(b.store.total_of_source(source::REALLOCATION).await.unwrap(), 0);
}

#[tokio::test]
async fn a_quarter_from_purchases_to_execution_sqlite() {
    a_quarter_from_purchases_to_execution(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_quarter_from_purchases_to_execution_postgres() {
    a_quarter_from_purchases_to_execution(Backend::Postgres).await;
}

/// Purchases whose net does not fit in 64 bits of øre are refused naming the quarter, and a
/// frame whose consumption does not fit is refused naming the frame: never a panic or a wrap.
async fn sums_beyond_any_amount_are_refused(backend: Backend) {
    let b = budget(backend).await;
    let mut finance = client(&b.server, FINANCE).await;
    posting(&b.store, "huge-1", "HEALTH", "SOCIAL", 4, i64::MAX).await;
    posting(&b.store, "huge-2", "HEALTH", "SOCIAL", 5, 1).await;
    let refused = propose(&mut finance, "q2-huge", 2).await.unwrap_err();
    assert_eq!(refused.code(), Code::InvalidArgument, "{refused:?}");
    assert!(refused.message().starts_with("quarter:"), "{}", refused.message());
    let status = finance
        .get_follow_up_status(pb::GetFollowUpStatusRequest {
            frame: "HEALTH".into(),
            as_of: Some(pbc::Date {
                year: 2026,
                month: 6,
                day: 30,
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert!(status.message().starts_with("frame:"), "{}", status.message());
}

#[tokio::test]
async fn sums_beyond_any_amount_are_refused_sqlite() {
    sums_beyond_any_amount_are_refused(Backend::Sqlite).await;
}

#[tokio::test]
async fn sums_beyond_any_amount_are_refused_postgres() {
    sums_beyond_any_amount_are_refused(Backend::Postgres).await;
}

#[derive(Clone, Debug)]
enum Op {
    Posting { paying_social: bool, month: i32, amount: i64 },
    Propose { quarter: i32 },
    Decide { case: usize, social: bool, approve: bool },
    Execute { case: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (any::<bool>(), 1_i32..=9, 1_i64..1_000_000).prop_map(|(paying_social, month, amount)| Op::Posting {
            paying_social,
            month,
            amount
        }),
        (1_i32..=3).prop_map(|quarter| Op::Propose { quarter }),
        (0_usize..3, any::<bool>(), any::<bool>()).prop_map(|(case, social, approve)| Op::Decide { case, social, approve }),
        (0_usize..3).prop_map(|case| Op::Execute { case }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Whatever happens in whatever order, reallocation entries sum to zero and no case runs twice.
    #[test]
    fn reallocation_entries_always_sum_to_zero(ops in prop::collection::vec(op(), 1..25)) {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let b = budget(Backend::Sqlite).await;
            let mut finance = client(&b.server, FINANCE).await;
            let mut committees = [client(&b.server, SOCIAL).await, client(&b.server, HEALTH).await];
            let mut cases: Vec<String> = Vec::new();
            for (i, op) in ops.into_iter().enumerate() {
                match op {
                    Op::Posting { paying_social, month, amount } => {
                        let (paying, need) = if paying_social { ("SOCIAL", "HEALTH") } else { ("HEALTH", "SOCIAL") };
                        posting(&b.store, &format!("p{i}"), paying, need, month, amount).await;
                    }
                    Op::Propose { quarter } => {
                        for case in propose(&mut finance, &format!("r{i}"), quarter).await.unwrap() {
                            if !cases.contains(&case.case_id) {
                                cases.push(case.case_id);
                            }
                        }
                    }
                    Op::Decide { case, social, approve } => {
                        if let Some(id) = cases.get(case) {
                            let committee = if social { "SOCIAL" } else { "HEALTH" };
                            let result = committees[usize::from(!social)].decide_reallocation_case(decide(&format!("r{i}"), id, committee, approve)).await;
                            assert!(result.is_ok() || result.as_ref().unwrap_err().code() == Code::FailedPrecondition, "{result:?}");
                        }
                    }
                    Op::Execute { case } => {
                        if let Some(id) = cases.get(case) {
                            let result = finance.execute_reallocation_case(execute(&format!("r{i}"), id)).await;
                            assert!(result.is_ok() || result.as_ref().unwrap_err().code() == Code::FailedPrecondition, "{result:?}");
                        }
                    }
                }
                assert_eq!(b.store.total_of_source(source::REALLOCATION).await.unwrap(), 0);
            }
            for id in &cases {
                let entries = b.store.case_parts(id).await.unwrap().unwrap().entries;
                assert!(entries.is_empty() || entries.len() == 2, "case {id} ran {} times", entries.len() / 2);
            }
        });
    }
}
