//! The authority's review of a settled month through the real API (docs/design.md §5b): the list
//! holds every grant whose delivered time deviates from its visited time beyond the threshold,
//! both ways, the highest-paid grants and a sample drawn from the recorded seed; outcomes are
//! recorded once, and a recovery is paid back on the provider's next statement.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use afregning_kit::testing::Backend;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pb;
use afregning_proto::visitation::v1 as pbv;
use afregning_settlement::app::Runner;
use afregning_settlement::domain::review::{Reason, Settings, select};
use afregning_tariff::Period;
use common::*;
use tonic::Code;

fn april() -> Option<pbc::Period> {
    Some(pbc::Period { year: 2026, month: 4 })
}

fn build(id: &str) -> pb::BuildReviewListRequest {
    pb::BuildReviewListRequest {
        request_id: id.into(),
        period: april(),
        threshold_percent: Some(20),
        sample_size: Some(2),
        highest_count: Some(1),
        seed: Some(42),
    }
}

fn record(id: &str, grant: &str, provider: &str, outcome: pb::ReviewOutcome, recovery_ore: i64) -> pb::RecordReviewOutcomeRequest {
    pb::RecordReviewOutcomeRequest {
        request_id: id.into(),
        period: april(),
        grant_id: grant.into(),
        provider_id: provider.into(),
        outcome: outcome as i32,
        note: "1.200 min. leveret mod 300 visiterede; aftalt med leverandøren".into(),
        recovery_ore,
    }
}

/// A grant for the week Monday 13 – Sunday 19 April 2026 at 300 visited minutes for a new
/// citizen: its id.
async fn week(s: &mut Suite, cpr: &str, provider: &str) -> String {
    let citizen_id = citizen(&mut s.ehr, cpr).await;
    let mut request = decide(&citizen_id, pbc::UnitKind::Service, provider, date(2026, 4, 13), date(2026, 4, 19));
    request.terms.as_mut().unwrap().visited_minutes_per_week = 300;
    s.ehr.decide_grant(request).await.unwrap().into_inner().grant_id
}

async fn a_month_is_reviewed(backend: Backend) {
    let mut s = suite(backend).await;
    let (server, _follower, store) = settlement_with(&s, capped_catalogs("")).await;
    let mut nord = client(&server, NORD).await;
    let mut operator = client(&server, OPERATOR).await;
    let mut authority = client(&server, EHR).await;
    let (n, p) = (s.nord.clone(), s.plejegruppen.clone());
    // Visited 300 minutes each over the week (300 × 7 days / 7). Delivered:
    let plan: [(&str, &str, &str, &[u32]); 6] = [
        ("over", "0101401111", &n, &[200, 200, 200, 200, 200, 100, 100]), // 1,200: +900, beyond 20 %
        ("under", "0202402222", &n, &[100]),                              // 100: −200, beyond 20 %
        ("near", "0303401333", &n, &[160, 160]),                          // 320: +20, within
        ("short", "0404401444", &p, &[125, 125]),                         // 250: −50, within (16 %)
        ("exact", "0505401555", &p, &[100, 100, 100]),                    // 300
        ("some", "0606401666", &n, &[140, 140]),                          // 280: −20, within
    ];
    let mut grants = BTreeMap::new();
    for (name, cpr, provider, minutes) in plan {
        grants.insert(name, (week(&mut s, cpr, provider).await, provider.to_owned(), minutes));
    }
    synced(&mut s.ehr, &store).await;
    for (name, (grant, provider, minutes)) in &grants {
        let visits: Vec<pb::Delivery> = minutes
            .iter()
            .zip(13..)
            .map(|(m, day)| {
                delivery(
                    &format!("{name}-{day}"),
                    grant,
                    provider,
                    &format!("cv-{name}-{day}"),
                    at(2026, 4, day, 8, 0),
                    *m,
                )
            })
            .collect();
        assert_eq!(report(&mut operator, vec![visits]).await.accepted, minutes.len() as u64);
    }
    run(&mut operator, "run-april", (2026, 4)).await;

    // Not before the month is settled.
    let early = authority.build_review_list(build("too-early")).await.unwrap_err();
    assert_eq!((early.code(), field_of(&early).as_str()), (Code::FailedPrecondition, "period"));
    let issued = issue_all(&mut operator, (2026, 4)).await;
    let mut paid: BTreeMap<String, i64> = BTreeMap::new();
    for st in issued.values() {
        for l in lines(&mut operator, &st.statement_id).await {
            *paid.entry(l.grant_id).or_default() += l.amount_ore;
        }
    }

    // Three identical builds and one with another request id, at once: one request's list stands,
    // every caller of it gets the same answer, the other is ALREADY_EXISTS.
    let calls: Vec<_> = ["a", "a", "a", "b"]
        .into_iter()
        .map(|id| {
            let mut c = authority.clone();
            tokio::spawn(async move { (id, c.build_review_list(build(&format!("build-{id}"))).await.map(|r| r.into_inner())) })
        })
        .collect();
    let mut answers: BTreeMap<&str, Vec<Result<pb::ReviewList, Code>>> = BTreeMap::new();
    for call in futures::future::join_all(calls).await {
        let (id, answer) = call.unwrap();
        answers.entry(id).or_default().push(answer.map_err(|e| e.code()));
    }
    let winners: Vec<&&str> = answers
        .iter()
        .filter(|(_, a)| a.iter().all(Result::is_ok))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(winners.len(), 1, "{answers:?}");
    for (id, got) in &answers {
        if id == winners[0] {
            assert!(
                got.windows(2).all(|w| w[0] == w[1]),
                "every caller of one request gets its first answer"
            );
        } else {
            assert!(got.iter().all(|a| *a == Err(Code::AlreadyExists)), "{got:?}");
        }
    }
    let list = answers[*winners[0]][0].clone().unwrap();
    assert_eq!(
        (list.seed, list.threshold_percent, list.sample_size, list.highest_count),
        (42, 20, 2, 1)
    );
    assert_eq!(list.grants_considered, 6);

    // Both deviations, with figures worked by hand; the highest amount; then two drawn.
    let by_grant: BTreeMap<&str, &pb::ReviewItem> = list.items.iter().map(|i| (i.grant_id.as_str(), i)).collect();
    let over = by_grant[grants["over"].0.as_str()];
    let under = by_grant[grants["under"].0.as_str()];
    assert_eq!(
        (over.visited_minutes, over.delivered_minutes, over.deviation_minutes),
        (300, 1_200, 900)
    );
    assert_eq!(
        (under.visited_minutes, under.delivered_minutes, under.deviation_minutes),
        (300, 100, -200)
    );
    let over_reasons = vec![pb::ReviewReason::OverDelivered as i32, pb::ReviewReason::HighestAmount as i32];
    assert_eq!(over.reasons, over_reasons);
    assert_eq!(under.reasons, vec![pb::ReviewReason::UnderDelivered as i32]);
    // 330 capped minutes × 475.00 kr/h = 2,612.50 kr.; 100 minutes = 791.67 kr.
    assert_eq!((over.amount_ore, under.amount_ore), (261_250, 79_167));
    for item in &list.items {
        assert_eq!(
            item.amount_ore, paid[&item.grant_id],
            "the item's amount is what the statements paid"
        );
    }
    assert_eq!(&list.items[0].grant_id, &grants["over"].0, "deviations first, largest amount first");
    assert_eq!(&list.items[1].grant_id, &grants["under"].0);
    let sampled: Vec<&str> = list.items[2..].iter().map(|i| i.grant_id.as_str()).collect();
    assert_eq!(sampled.len(), 2);
    assert!(list.items[2..].iter().all(|i| i.reasons == vec![pb::ReviewReason::Sample as i32]));
    // The sample is the seed's: drawn again from the month as stored, with the recorded seed, it is
    // the same, however often it is drawn.
    let runner = Runner::new(store.clone(), Arc::new(capped_catalogs("")));
    let period = Period::new(2026, 4).unwrap();
    let settings = Settings {
        threshold_percent: 20,
        sample_size: 2,
        highest_count: 1,
        seed: list.seed,
    };
    for _ in 0..2 {
        let again = select(&runner.review_candidates(period).await.unwrap(), &settings);
        let drawn: Vec<&str> = again
            .iter()
            .filter(|i| i.reasons == [Reason::Sample])
            .map(|i| i.candidate.grant_id.as_str())
            .collect();
        assert_eq!(drawn, sampled);
    }

    // Providers never read the list; a month not built is NOT_FOUND.
    let get = |period| pb::GetReviewListRequest { period };
    assert_eq!(nord.get_review_list(get(april())).await.unwrap_err().code(), Code::PermissionDenied);
    let may = Some(pbc::Period { year: 2026, month: 5 });
    assert_eq!(authority.get_review_list(get(may)).await.unwrap_err().code(), Code::NotFound);

    // Bad outcomes change nothing, each refused naming its field.
    let (over_id, under_id) = (grants["over"].0.clone(), grants["under"].0.clone());
    let refusals = [
        (
            record("bad-1", &over_id, &n, pb::ReviewOutcome::Recovery, 261_251),
            Code::InvalidArgument,
            "recovery_ore",
        ),
        (
            record("bad-2", &over_id, &n, pb::ReviewOutcome::Recovery, 0),
            Code::InvalidArgument,
            "recovery_ore",
        ),
        (
            record("bad-3", &over_id, &n, pb::ReviewOutcome::NoAction, 100),
            Code::InvalidArgument,
            "recovery_ore",
        ),
        (
            record("bad-4", &over_id, &n, pb::ReviewOutcome::Unspecified, 0),
            Code::InvalidArgument,
            "outcome",
        ),
        (
            pb::RecordReviewOutcomeRequest {
                note: " ".into(),
                ..record("bad-5", &over_id, &n, pb::ReviewOutcome::NoAction, 0)
            },
            Code::InvalidArgument,
            "note",
        ),
        (record("bad-6", &over_id, &p, pb::ReviewOutcome::NoAction, 0), Code::NotFound, ""),
    ];
    for (request, code, field) in refusals {
        let refused = authority.record_review_outcome(request).await.unwrap_err();
        assert_eq!((refused.code(), field_of(&refused).as_str()), (code, field), "{refused:?}");
    }
    let bad_period = pb::BuildReviewListRequest {
        period: may,
        sample_size: Some(1_001),
        ..build("bad-size")
    };
    let refused = authority.build_review_list(bad_period).await.unwrap_err();
    assert_eq!(
        (refused.code(), field_of(&refused).as_str()),
        (Code::InvalidArgument, "sample_size")
    );
    assert_eq!(
        nord.record_review_outcome(record("mine", &over_id, &n, pb::ReviewOutcome::NoAction, 0))
            .await
            .unwrap_err()
            .code(),
        Code::PermissionDenied
    );

    // A recovery of 500.00 kr., sent four times at once: recorded once, every caller the same answer.
    let retries: Vec<_> = (0..4)
        .map(|_| {
            let mut c = authority.clone();
            let request = record("recover-over", &over_id, &n, pb::ReviewOutcome::Recovery, 50_000);
            tokio::spawn(async move { c.record_review_outcome(request).await.map(|r| r.into_inner()) })
        })
        .collect();
    let recorded: Vec<pb::ReviewItem> = futures::future::join_all(retries)
        .await
        .into_iter()
        .map(|r| r.unwrap().unwrap())
        .collect();
    assert!(recorded.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(
        (recorded[0].outcome, recorded[0].recovery_ore),
        (pb::ReviewOutcome::Recovery as i32, 50_000)
    );
    assert_eq!(recorded[0].recorded_by, "ehr:nexus");
    // Two different outcomes for one item at once: the first stands, the other is ALREADY_EXISTS.
    let racing: Vec<_> = [("r1", pb::ReviewOutcome::NoAction), ("r2", pb::ReviewOutcome::Revisit)]
        .into_iter()
        .map(|(id, outcome)| {
            let mut c = authority.clone();
            let request = record(id, &under_id, &n, outcome, 0);
            tokio::spawn(async move { c.record_review_outcome(request).await.map(|r| r.into_inner()).map_err(|e| e.code()) })
        })
        .collect();
    let raced: Vec<Result<pb::ReviewItem, Code>> = futures::future::join_all(racing).await.into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(raced.iter().filter(|r| r.is_ok()).count(), 1, "{raced:?}");
    assert_eq!(raced.iter().filter(|r| **r == Err(Code::AlreadyExists)).count(), 1, "{raced:?}");
    let finance = client(&server, FINANCE).await;
    let shown = finance.clone().get_review_list(get(april())).await.unwrap().into_inner();
    assert_eq!((shown.reviewed_count, shown.items.len()), (2, 4));
    assert_eq!(
        shown.items[0].note,
        "1.200 min. leveret mod 300 visiterede; aftalt med leverandøren"
    );

    // May: nord's statement pays the 500.00 kr. back for April, on the frame that paid it.
    run(&mut operator, "run-may", (2026, 5)).await;
    let may_statement = statements(&mut operator, (2026, 5)).await.remove(&n).expect("nord's May");
    let may_lines = lines(&mut nord, &may_statement.statement_id).await;
    let recoveries: Vec<&pb::StatementLine> = may_lines.iter().filter(|l| l.kind == pb::LineKind::Recovery as i32).collect();
    assert_eq!(recoveries.len(), 1, "{may_lines:?}");
    let line = recoveries[0];
    assert_eq!(
        (line.grant_id.as_str(), line.amount_ore, line.period),
        (over_id.as_str(), -50_000, april())
    );
    assert_eq!(line.cpr, "0101401111", "nord reads its own citizen's CPR");
    assert!(line.explanation.as_ref().unwrap().text.contains("stikprøvekontrol af april 2026"));
    assert_eq!(may_statement.total_ore, -50_000, "nothing else is owed for May");
    // June priced while May is still open carries it too; once May is issued, June's draft is
    // refused until the month is priced again, and then it pays back nothing more.
    run(&mut operator, "run-june", (2026, 6)).await;
    let june = statements(&mut operator, (2026, 6)).await.remove(&n).expect("nord's June draft");
    assert_eq!(june.total_ore, -50_000);
    issue_all(&mut operator, (2026, 5)).await;
    let refused = operator
        .issue_statement(pb::IssueStatementRequest {
            request_id: "issue-june-early".into(),
            statement_id: june.statement_id.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        (refused.code(), field_of(&refused).as_str()),
        (Code::FailedPrecondition, "statement_id")
    );
    run(&mut operator, "run-june-again", (2026, 6)).await;
    let june = statements(&mut operator, (2026, 6)).await;
    assert!(!june.contains_key(&n), "carried once: {june:?}");
    // A statement that pays back more than it pays is not overdue: there is nothing to pay.
    let overdue = operator
        .list_overdue_statements(pb::ListOverdueStatementsRequest {
            as_of: date(2027, 12, 31),
            provider_id: n.clone(),
            page: None,
        })
        .await
        .unwrap()
        .into_inner()
        .statements;
    assert!(overdue.iter().all(|st| st.total_ore > 0), "{overdue:?}");
    assert!(!overdue.iter().any(|st| st.statement_id == may_statement.statement_id));
    server.stop().await.unwrap();
}

/// What an issued statement's postings take from or give to each paying frame.
fn by_frame(postings: &[pb::Posting], statement_id: &str) -> BTreeMap<String, i64> {
    let mut frames = BTreeMap::new();
    for p in postings.iter().filter(|p| p.statement_id == statement_id) {
        *frames.entry(p.paying_frame.clone()).or_default() += p.amount_ore;
    }
    frames
}

/// A recovery is taken back from the frames in proportion to what each paid for the grant in the
/// month reviewed: a maintaining course is paid 80 % from SOCIAL and 20 % from HEALTH.
async fn a_recovery_is_taken_back_from_the_frames_that_paid(backend: Backend) {
    let mut s = suite(backend).await;
    let (server, _follower, store) = settlement(&s).await;
    let mut operator = client(&server, OPERATOR).await;
    let mut authority = client(&server, EHR).await;
    let nord = s.nord.clone();
    // 1,260 visited minutes a week (21 hours, under the catalog's 1,500 for an individual
    // course): level 5, 9,800.00 kr. a week, from 1 April.
    let terms = pbv::GrantTerms {
        unit_kind: pbc::UnitKind::Course as i32,
        legal_basis: "SEL-83".into(),
        intervention: "personlig-pleje".into(),
        visited_minutes_per_week: 1_260,
        course_type: pbc::CourseType::Maintaining as i32,
        providers: vec![share(&nord, 100, true)],
        ..Default::default()
    };
    let grant = decided(&mut s.ehr, "course", "0707401777", terms, date(2026, 4, 1), date(2026, 4, 1)).await;
    synced(&mut s.ehr, &store).await;
    run(&mut operator, "run-april", (2026, 4)).await;
    let april = issue_all(&mut operator, (2026, 4)).await.remove(&nord).expect("nord's April");
    // 9,800.00 × 30 / 7 = 42,000.00 kr.: 33,600.00 from SOCIAL, 8,400.00 from HEALTH.
    let frames = |pairs: [(&str, i64); 2]| pairs.map(|(f, ore)| (f.to_owned(), ore)).into_iter().collect::<BTreeMap<_, _>>();
    assert_eq!(april.total_ore, 4_200_000);
    assert_eq!(
        by_frame(&postings(&mut operator).await, &april.statement_id),
        frames([("SOCIAL", 3_360_000), ("HEALTH", 840_000)])
    );

    let list = authority.build_review_list(build("build")).await.unwrap().into_inner();
    assert!(
        list.items.iter().any(|i| i.grant_id == grant.grant_id && i.amount_ore == 4_200_000),
        "{list:?}"
    );
    let recovery = record("recover", &grant.grant_id, &nord, pb::ReviewOutcome::Recovery, 100_000);
    authority.record_review_outcome(recovery).await.unwrap();

    run(&mut operator, "run-may", (2026, 5)).await;
    let may = issue_all(&mut operator, (2026, 5)).await.remove(&nord).expect("nord's May");
    let back: Vec<(i32, i64, String)> = lines(&mut operator, &may.statement_id)
        .await
        .into_iter()
        .filter(|l| l.kind == pb::LineKind::Recovery as i32)
        .map(|l| (l.period.map_or(0, |p| p.month), l.amount_ore, l.paying_frame))
        .collect();
    assert_eq!(
        back,
        [(4, -100_000, "SOCIAL".to_owned())],
        "one line, named for the grant's largest frame"
    );
    // May: 9,800.00 × 31 / 7 = 43,400.00 kr. (34,720.00 SOCIAL, 8,680.00 HEALTH), less the
    // 1,000.00 kr. recovery taken back 800.00 from SOCIAL and 200.00 from HEALTH.
    assert_eq!(may.total_ore, 4_340_000 - 100_000);
    assert_eq!(
        by_frame(&postings(&mut operator).await, &may.statement_id),
        frames([("SOCIAL", 3_472_000 - 80_000), ("HEALTH", 868_000 - 20_000)])
    );
    server.stop().await.unwrap();
}

/// What a provider's issued statements pay for `grant` in April, over all its statements.
async fn april_pays(client: &mut Settlement, provider: &str, grant: &str) -> i64 {
    let mut paid = 0;
    for month in 4..=12 {
        if let Some(st) = statements(client, (2026, month)).await.remove(provider) {
            for l in lines(client, &st.statement_id).await {
                if l.grant_id == grant && l.period.is_some_and(|p| p.month == 4) {
                    paid += l.amount_ore;
                }
            }
        }
    }
    paid
}

/// A recovery never takes back more than the month pays for the grant now: a revisit backdated
/// after the review lowers what April pays, and the recovery with it.
async fn a_recovery_never_takes_back_more_than_the_month_now_pays(backend: Backend) {
    let mut s = suite(backend).await;
    let (server, _follower, store) = settlement_with(&s, capped_catalogs("")).await;
    let mut operator = client(&server, OPERATOR).await;
    let mut authority = client(&server, EHR).await;
    let nord = s.nord.clone();
    // Two grants for the week 13–19 April at 300 visited minutes, each delivered 100 minutes a day
    // Monday–Friday: 330 minutes paid (300 + 10 %), 330 × 475.00 / 60 = 2,612.50 kr.
    let first = week(&mut s, "0101401111", &nord).await;
    let second = week(&mut s, "0202402222", &nord).await;
    synced(&mut s.ehr, &store).await;
    for (name, grant) in [("a", &first), ("b", &second)] {
        let visits = (13..=17)
            .map(|day| {
                delivery(
                    &format!("{name}-{day}"),
                    grant,
                    &nord,
                    &format!("cv-{name}-{day}"),
                    at(2026, 4, day, 8, 0),
                    100,
                )
            })
            .collect();
        assert_eq!(report(&mut operator, vec![visits]).await.accepted, 5);
    }
    run(&mut operator, "run-april", (2026, 4)).await;
    issue_all(&mut operator, (2026, 4)).await;
    assert_eq!(april_pays(&mut operator, &nord, &first).await, 261_250);
    let mut both = build("build");
    both.highest_count = Some(5);
    authority.build_review_list(both).await.unwrap();
    // The first grant's recovery is recorded at 2,000.00 kr., while April pays 2,612.50 for it.
    authority
        .record_review_outcome(record("first", &first, &nord, pb::ReviewOutcome::Recovery, 200_000))
        .await
        .unwrap();

    // Both are revisited from 13 April to 100 minutes a week: April now pays 110 minutes,
    // 110 × 475.00 / 60 = 870.83 kr., for each; May corrects April.
    for grant in [&first, &second] {
        let revisit = pbv::RevisitGrantRequest {
            request_id: format!("revisit-{grant}"),
            grant_id: grant.clone(),
            expected_version: 1,
            effective_from: date(2026, 4, 13),
            visited_minutes_per_week: 100,
            course_type: 0,
            decided_on: None,
        };
        s.ehr.revisit_grant(revisit).await.unwrap();
    }
    synced(&mut s.ehr, &store).await;
    run(&mut operator, "run-may", (2026, 5)).await;
    let may = issue_all(&mut operator, (2026, 5)).await.remove(&nord).expect("nord's May");
    let recovered: Vec<(String, i64, String)> = lines(&mut operator, &may.statement_id)
        .await
        .into_iter()
        .filter(|l| l.kind == pb::LineKind::Recovery as i32)
        .map(|l| (l.grant_id, l.amount_ore, l.explanation.map(|e| e.text).unwrap_or_default()))
        .collect();
    assert_eq!(recovered.len(), 1, "{recovered:?}");
    assert_eq!((recovered[0].0.as_str(), recovered[0].1), (first.as_str(), -87_083));
    assert!(
        recovered[0]
            .2
            .contains("begrænset til 870,83 kr., som måneden nu betaler for bevillingen; 2.000,00 kr. blev registreret"),
        "{}",
        recovered[0].2
    );
    assert_eq!(
        april_pays(&mut operator, &nord, &first).await,
        0,
        "taken back to nothing, never below"
    );

    // The second grant's recovery is bounded by what April pays now, not what it paid when listed.
    let too_much = authority
        .record_review_outcome(record("second", &second, &nord, pb::ReviewOutcome::Recovery, 87_084))
        .await
        .unwrap_err();
    assert_eq!(
        (too_much.code(), field_of(&too_much).as_str()),
        (Code::InvalidArgument, "recovery_ore")
    );
    assert!(too_much.message().contains("87083 øre"), "{}", too_much.message());
    authority
        .record_review_outcome(record("second-all", &second, &nord, pb::ReviewOutcome::Recovery, 87_083))
        .await
        .unwrap();
    run(&mut operator, "run-june", (2026, 6)).await;
    let june = issue_all(&mut operator, (2026, 6)).await.remove(&nord).expect("nord's June");
    assert_eq!(june.total_ore, -87_083);
    assert_eq!(april_pays(&mut operator, &nord, &second).await, 0);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_recovery_never_takes_back_more_than_the_month_now_pays_sqlite() {
    a_recovery_never_takes_back_more_than_the_month_now_pays(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_recovery_never_takes_back_more_than_the_month_now_pays_postgres() {
    a_recovery_never_takes_back_more_than_the_month_now_pays(Backend::Postgres).await;
}

#[tokio::test]
async fn a_recovery_is_taken_back_from_the_frames_that_paid_sqlite() {
    a_recovery_is_taken_back_from_the_frames_that_paid(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_recovery_is_taken_back_from_the_frames_that_paid_postgres() {
    a_recovery_is_taken_back_from_the_frames_that_paid(Backend::Postgres).await;
}

#[tokio::test]
async fn a_month_is_reviewed_sqlite() {
    a_month_is_reviewed(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_month_is_reviewed_postgres() {
    a_month_is_reviewed(Backend::Postgres).await;
}
