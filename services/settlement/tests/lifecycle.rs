//! An issued statement's life after issue, through the real API: the provider accepts or disputes
//! it (a reason per line), finance records the payment, the 30-day term shows on it, overdue
//! statements are listed — and the issued statement itself never changes.

mod common;

use afregning_kit::testing::Backend;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pb;
use chrono::{Days, Utc};
use common::*;
use tonic::Code;

/// Nord's issued statements for April, May and June 2026 (a personal-care grant with a visit each
/// month), and one of Plejegruppen's for April; by (provider, month).
async fn issued(s: &mut Suite, store: &afregning_settlement::store::Store, operator: &mut Settlement) -> Vec<pb::Statement> {
    let nord_citizen = citizen(&mut s.ehr, "0101401111").await;
    let pleje_citizen = citizen(&mut s.ehr, "0202402222").await;
    let nord_grant = s
        .ehr
        .decide_grant(decide(&nord_citizen, pbc::UnitKind::Service, &s.nord, date(2026, 4, 1), None))
        .await
        .unwrap()
        .into_inner()
        .grant_id;
    let pleje_grant = s
        .ehr
        .decide_grant(decide(
            &pleje_citizen,
            pbc::UnitKind::Service,
            &s.plejegruppen,
            date(2026, 4, 1),
            None,
        ))
        .await
        .unwrap()
        .into_inner()
        .grant_id;
    synced(&mut s.ehr, store).await;
    let mut visits: Vec<pb::Delivery> = (4..=6)
        .map(|m| delivery(&format!("n{m}"), &nord_grant, &s.nord, &format!("cvn{m}"), at(2026, m, 8, 9, 0), 60))
        .collect();
    visits.push(delivery("p4", &pleje_grant, &s.plejegruppen, "cvp4", at(2026, 4, 8, 9, 0), 30));
    assert_eq!(report(operator, vec![visits]).await.accepted, 4);
    let mut out = Vec::new();
    for month in 4..=6 {
        run(operator, &format!("run-{month}"), (2026, month)).await;
        out.extend(issue_all(operator, (2026, month)).await.into_values());
    }
    out
}

fn code<T: std::fmt::Debug>(result: Result<tonic::Response<T>, tonic::Status>) -> Code {
    result.unwrap_err().code()
}

fn accept(id: &str, statement: &str) -> pb::AcceptStatementRequest {
    pb::AcceptStatementRequest {
        request_id: id.into(),
        statement_id: statement.into(),
    }
}

fn dispute(id: &str, statement: &str, lines: &[(u32, &str)]) -> pb::DisputeStatementRequest {
    pb::DisputeStatementRequest {
        request_id: id.into(),
        statement_id: statement.into(),
        lines: lines
            .iter()
            .map(|(line_no, reason)| pb::DisputedLine {
                line_no: *line_no,
                reason: (*reason).into(),
            })
            .collect(),
    }
}

fn paid(id: &str, statement: &str, on: chrono::NaiveDate, reference: &str) -> pb::MarkStatementPaidRequest {
    pb::MarkStatementPaidRequest {
        request_id: id.into(),
        statement_id: statement.into(),
        paid_on: Some(pbc::Date::from(on)),
        reference: reference.into(),
    }
}

fn overdue_as_of(day: chrono::NaiveDate) -> pb::ListOverdueStatementsRequest {
    pb::ListOverdueStatementsRequest {
        as_of: Some(pbc::Date::from(day)),
        provider_id: String::new(),
        page: None,
    }
}

async fn overdue(client: &mut Settlement, request: pb::ListOverdueStatementsRequest) -> Vec<pb::Statement> {
    client.list_overdue_statements(request).await.unwrap().into_inner().statements
}

/// Accepting, disputing and paying one statement, each refusal naming its field; the term and
/// the overdue list; nothing of it touching the sealed statement.
// One statement's life in order — answered once, paid once, then overdue or not — each step
// depending on the ones before it, so it is one piece.
async fn after_issue(backend: Backend) {
    let mut s = suite(backend).await;
    let (server, _follower, store) = settlement_with(&s, catalogs()).await;
    let mut operator = client(&server, OPERATOR).await;
    let mut nord = client(&server, NORD).await;
    let mut pleje = client(&server, PLEJEGRUPPEN).await;
    let mut finance = client(&server, FINANCE).await;
    // A draft cannot be answered.
    let c = citizen(&mut s.ehr, "0303403333").await;
    let g = s
        .ehr
        .decide_grant(decide(&c, pbc::UnitKind::Service, &s.nord, date(2026, 3, 1), date(2026, 3, 31)))
        .await
        .unwrap()
        .into_inner()
        .grant_id;
    synced(&mut s.ehr, &store).await;
    report(&mut nord, vec![vec![delivery("m3", &g, &s.nord, "cvm3", at(2026, 3, 9, 9, 0), 60)]]).await;
    run(&mut operator, "run-3", (2026, 3)).await;
    let draft = statements(&mut operator, (2026, 3)).await.remove(&s.nord).unwrap();
    let refused = nord.accept_statement(accept("a-draft", &draft.statement_id)).await.unwrap_err();
    assert_eq!(
        (refused.code(), field_of(&refused)),
        (Code::FailedPrecondition, "statement_id".to_owned())
    );
    issue_all(&mut operator, (2026, 3)).await;

    let all = issued(&mut s, &store, &mut operator).await;
    let april = all
        .iter()
        .find(|st| st.provider_id == s.nord && st.period.unwrap().month == 4)
        .unwrap()
        .clone();
    let pleje_april = all.iter().find(|st| st.provider_id == s.plejegruppen).unwrap().clone();
    let lines_before = lines(&mut nord, &april.statement_id).await;

    // The term: issued today (Danish date), due 30 days later.
    let issued_on = Utc::now().with_timezone(&chrono_tz::Europe::Copenhagen).date_naive();
    let due = issued_on + Days::new(30);
    assert_eq!(april.due_on, Some(pbc::Date::from(due)));

    // Another provider's statement, or one that does not exist: the same PERMISSION_DENIED.
    assert_eq!(
        code(pleje.accept_statement(accept("x1", &april.statement_id)).await),
        Code::PermissionDenied
    );
    assert_eq!(
        code(pleje.accept_statement(accept("x2", "st-none-2026-04")).await),
        Code::PermissionDenied
    );
    assert_eq!(
        code(pleje.dispute_statement(dispute("x3", &april.statement_id, &[(1, "nej")])).await),
        Code::PermissionDenied
    );
    // Operators and finance do not answer for a provider.
    assert_eq!(
        code(operator.accept_statement(accept("x4", &april.statement_id)).await),
        Code::PermissionDenied
    );
    assert_eq!(
        code(finance.accept_statement(accept("x5", &april.statement_id)).await),
        Code::PermissionDenied
    );

    // A dispute names the line at fault, and a bad one changes nothing.
    let bad = nord
        .dispute_statement(dispute("d-bad", &april.statement_id, &[(99, "findes ikke")]))
        .await
        .unwrap_err();
    assert_eq!((bad.code(), field_of(&bad)), (Code::InvalidArgument, "lines[0].line_no".to_owned()));
    let bad = nord
        .dispute_statement(dispute("d-bad2", &april.statement_id, &[(1, "  ")]))
        .await
        .unwrap_err();
    assert_eq!((bad.code(), field_of(&bad)), (Code::InvalidArgument, "lines[0].reason".to_owned()));
    let bad = nord
        .dispute_statement(dispute("d-bad3", &april.statement_id, &[]))
        .await
        .unwrap_err();
    assert_eq!((bad.code(), field_of(&bad)), (Code::InvalidArgument, "lines".to_owned()));

    let disputed = nord
        .dispute_statement(dispute("d1", &april.statement_id, &[(1, "Besøget varede 45 minutter, ikke 60")]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(disputed.answer, pb::StatementAnswer::Disputed as i32);
    assert_eq!(
        disputed.disputed_lines,
        vec![pb::DisputedLine {
            line_no: 1,
            reason: "Besøget varede 45 minutter, ikke 60".into()
        }]
    );
    // The same request again: the first answer; the same id with other content: ALREADY_EXISTS.
    let again = nord
        .dispute_statement(dispute("d1", &april.statement_id, &[(1, "Besøget varede 45 minutter, ikke 60")]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(again, disputed);
    assert_eq!(
        code(nord.dispute_statement(dispute("d1", &april.statement_id, &[(1, "andet")])).await),
        Code::AlreadyExists
    );
    // The first answer stands.
    let twice = nord.accept_statement(accept("a1", &april.statement_id)).await.unwrap_err();
    assert_eq!(
        (twice.code(), field_of(&twice)),
        (Code::FailedPrecondition, "statement_id".to_owned())
    );

    // Finance records the payment; a provider may not, and a bad one names its field.
    assert_eq!(
        code(nord.mark_statement_paid(paid("p0", &april.statement_id, issued_on, "B-1")).await),
        Code::PermissionDenied
    );
    let future = finance
        .mark_statement_paid(paid("p-future", &april.statement_id, issued_on + Days::new(2), "B-1"))
        .await
        .unwrap_err();
    assert_eq!((future.code(), field_of(&future)), (Code::InvalidArgument, "paid_on".to_owned()));
    let early = finance
        .mark_statement_paid(paid("p-early", &april.statement_id, issued_on - Days::new(1), "B-1"))
        .await
        .unwrap_err();
    assert_eq!((early.code(), field_of(&early)), (Code::InvalidArgument, "paid_on".to_owned()));
    let no_ref = finance
        .mark_statement_paid(paid("p-noref", &april.statement_id, issued_on, ""))
        .await
        .unwrap_err();
    assert_eq!((no_ref.code(), field_of(&no_ref)), (Code::InvalidArgument, "reference".to_owned()));
    let payment = finance
        .mark_statement_paid(paid("p1", &april.statement_id, issued_on, "OPUS-2026-0417"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (payment.paid_on, payment.payment_reference.as_str()),
        (Some(pbc::Date::from(issued_on)), "OPUS-2026-0417")
    );
    assert_eq!(
        code(
            finance
                .mark_statement_paid(paid("p2", &april.statement_id, issued_on, "OPUS-2"))
                .await
        ),
        Code::FailedPrecondition
    );

    // Read back: answer and payment beside the statement, whose content and seal are unchanged.
    let read = nord
        .get_statement(pb::GetStatementRequest {
            statement_id: april.statement_id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (read.answer, read.payment_reference.as_str()),
        (pb::StatementAnswer::Disputed as i32, "OPUS-2026-0417")
    );
    assert_eq!(
        (read.content_hash.as_str(), read.total_ore),
        (april.content_hash.as_str(), april.total_ore)
    );
    assert_eq!(lines(&mut nord, &april.statement_id).await, lines_before);

    // Overdue: nothing on the due date; the day after, every unpaid statement — not April's of
    // Nord, paid — oldest first; and not for providers.
    assert!(overdue(&mut finance, overdue_as_of(due)).await.is_empty());
    let late: Vec<String> = overdue(&mut finance, overdue_as_of(due + Days::new(1)))
        .await
        .into_iter()
        .map(|st| st.statement_id)
        .collect();
    // Issued: Nord's March, April, May and June, and Plejegruppen's April; Nord's April is paid.
    assert_eq!(late.len(), 4, "{late:?}");
    assert!(!late.contains(&april.statement_id));
    assert!(late.contains(&pleje_april.statement_id));
    let mut only_pleje = overdue_as_of(due + Days::new(1));
    only_pleje.provider_id = s.plejegruppen.clone();
    assert_eq!(overdue(&mut operator, only_pleje).await.len(), 1);
    assert_eq!(code(nord.list_overdue_statements(overdue_as_of(due)).await), Code::PermissionDenied);
    server.stop().await.unwrap();
}

/// Concurrent identical retries (accept, dispute, payment) have one effect and every caller gets
/// the first answer;
/// accept and dispute racing for one statement: one wins, the other is FAILED_PRECONDITION; two
/// payments racing: likewise.
// The races share one set of issued statements, some answered by the races before them.
async fn answers_race(backend: Backend) {
    let mut s = suite(backend).await;
    let (server, _follower, store) = settlement_with(&s, catalogs()).await;
    let mut operator = client(&server, OPERATOR).await;
    let nord = client(&server, NORD).await;
    let finance = client(&server, FINANCE).await;
    let all = issued(&mut s, &store, &mut operator).await;
    let month = |m: i32| {
        all.iter()
            .find(|st| st.provider_id == s.nord && st.period.unwrap().month == m)
            .unwrap()
            .statement_id
            .clone()
    };
    let (april, may, june) = (month(4), month(5), month(6));
    let pleje_april = all.iter().find(|st| st.provider_id == s.plejegruppen).unwrap().statement_id.clone();

    let retries = (0..8).map(|_| {
        let mut c = nord.clone();
        let request = accept("same", &may);
        tokio::spawn(async move { c.accept_statement(request).await.map(|r| r.into_inner()) })
    });
    let answers: Vec<pb::Statement> = futures::future::join_all(retries)
        .await
        .into_iter()
        .map(|r| r.unwrap().unwrap())
        .collect();
    assert!(
        answers
            .iter()
            .all(|a| *a == answers[0] && a.answer == pb::StatementAnswer::Accepted as i32)
    );

    // Identical disputes sent side by side: one dispute, every caller its answer.
    let retries = (0..8).map(|_| {
        let mut c = nord.clone();
        let request = dispute("same-dispute", &april, &[(1, "for mange minutter")]);
        tokio::spawn(async move { c.dispute_statement(request).await.map(|r| r.into_inner()) })
    });
    let answers: Vec<pb::Statement> = futures::future::join_all(retries)
        .await
        .into_iter()
        .map(|r| r.unwrap().unwrap())
        .collect();
    assert!(
        answers
            .iter()
            .all(|a| *a == answers[0] && a.answer == pb::StatementAnswer::Disputed as i32)
    );

    // May and April are answered already: both lose. The others: exactly one wins.
    for (round, (statement, token)) in [(&may, NORD), (&june, NORD), (&april, NORD), (&pleje_april, PLEJEGRUPPEN)]
        .into_iter()
        .enumerate()
    {
        let answered_already = *statement == may || *statement == april;
        let mut a = client(&server, token).await;
        let mut d = a.clone();
        let (x, y) = (
            accept(&format!("race-a{round}"), statement),
            dispute(&format!("race-d{round}"), statement, &[(1, "uenig")]),
        );
        let (accepted, disputed) = tokio::join!(a.accept_statement(x), d.dispute_statement(y));
        let codes = [accepted.as_ref().err().map(|e| e.code()), disputed.as_ref().err().map(|e| e.code())];
        if answered_already {
            assert_eq!(codes, [Some(Code::FailedPrecondition); 2]);
        } else {
            assert!(
                codes == [None, Some(Code::FailedPrecondition)] || codes == [Some(Code::FailedPrecondition), None],
                "one wins, the other is told why: {codes:?}"
            );
        }
    }

    // Identical payments side by side: one payment, every caller its answer.
    let retries = (0..8).map(|_| {
        let mut c = finance.clone();
        let today = Utc::now().with_timezone(&chrono_tz::Europe::Copenhagen).date_naive();
        let request = paid("same-payment", &may, today, "OPUS-SAME");
        tokio::spawn(async move { c.mark_statement_paid(request).await.map(|r| r.into_inner()) })
    });
    let answers: Vec<pb::Statement> = futures::future::join_all(retries)
        .await
        .into_iter()
        .map(|r| r.unwrap().unwrap())
        .collect();
    assert!(answers.iter().all(|a| *a == answers[0] && a.payment_reference == "OPUS-SAME"));

    let (mut f1, mut f2) = (finance.clone(), finance.clone());
    let today = Utc::now().with_timezone(&chrono_tz::Europe::Copenhagen).date_naive();
    let (one, two) = tokio::join!(
        f1.mark_statement_paid(paid("pay-1", &june, today, "OPUS-1")),
        f2.mark_statement_paid(paid("pay-2", &june, today, "OPUS-2"))
    );
    let codes = [one.as_ref().err().map(|e| e.code()), two.as_ref().err().map(|e| e.code())];
    assert!(
        codes == [None, Some(Code::FailedPrecondition)] || codes == [Some(Code::FailedPrecondition), None],
        "{codes:?}"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn after_issue_sqlite() {
    after_issue(Backend::Sqlite).await;
}

#[tokio::test]
async fn after_issue_postgres() {
    after_issue(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn answers_race_sqlite() {
    answers_race(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn answers_race_postgres() {
    answers_race(Backend::Postgres).await;
}
