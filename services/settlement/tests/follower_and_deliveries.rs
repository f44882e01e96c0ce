//! Settlement next to a real visitation server: the follower mirrors providers and every grant
//! version, survives a restart without loss or double counting, and delivered visits are checked
//! record by record against the grant in force on their day — the valid rest kept.

mod common;

use afregning_kit::testing::Backend;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pb;
use afregning_proto::visitation::v1 as pbv;
use chrono::Utc;
use common::*;

async fn mirrors_grants_and_survives_restart(backend: Backend) {
    let mut s = suite(backend).await;
    let (server, follower, store) = settlement(&s).await;
    let a = citizen(&mut s.ehr, "0101501234").await;
    let g1 = s
        .ehr
        .decide_grant(decide(&a, pbc::UnitKind::Service, &s.plejegruppen, date(2026, 1, 1), None))
        .await
        .unwrap()
        .into_inner();
    // Everything published so far: two providers, one grant (and the deployment's catalogs).
    synced(&mut s.ehr, &store).await;
    let providers = client(&server, OPERATOR)
        .await
        .list_providers(pb::ListProvidersRequest { page: None })
        .await
        .unwrap()
        .into_inner()
        .providers;
    assert_eq!(providers.len(), 2);
    assert_eq!(store.grant_counts().await.unwrap(), (1, 1));

    // Settlement goes down while the authority keeps deciding.
    follower.abort();
    server.stop().await.unwrap();
    let b = citizen(&mut s.ehr, "0202501234").await;
    s.ehr
        .decide_grant(decide(&b, pbc::UnitKind::Package, &s.nord, date(2026, 4, 10), None))
        .await
        .unwrap();
    s.ehr
        .end_grant(pbv::EndGrantRequest {
            request_id: "end-g1".into(),
            grant_id: g1.grant_id.clone(),
            expected_version: 1,
            last_day: date(2026, 6, 30),
            reason: 4,
            decided_on: None,
        })
        .await
        .unwrap();

    // Back up: it resumes after its cursor, applies each event once.
    let (server, _follower, store) = settlement(&s).await;
    synced(&mut s.ehr, &store).await;
    assert_eq!(
        store.grant_counts().await.unwrap(),
        (2, 3),
        "two grants, three versions: nothing lost, nothing doubled"
    );
    let versions = store.grant_versions(&g1.grant_id).await.unwrap();
    assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), vec![1, 2]);
    server.stop().await.unwrap();
}

async fn deliveries_are_checked_one_by_one(backend: Backend) {
    let mut s = suite(backend).await;
    let (server, _follower, store) = settlement(&s).await;
    let a = citizen(&mut s.ehr, "0303501234").await;
    let b = citizen(&mut s.ehr, "0404501234").await;
    let service = s
        .ehr
        .decide_grant(decide(&a, pbc::UnitKind::Service, &s.nord, date(2026, 4, 1), date(2026, 4, 30)))
        .await
        .unwrap()
        .into_inner();
    let package = s
        .ehr
        .decide_grant(decide(&b, pbc::UnitKind::Package, &s.nord, date(2026, 4, 1), None))
        .await
        .unwrap()
        .into_inner();
    synced(&mut s.ehr, &store).await;
    let (g, p) = (service.grant_id.as_str(), s.nord.as_str());
    let mut operator = client(&server, OPERATOR).await;

    let future = Utc::now() + chrono::Duration::days(2);
    let future = Some(prost_types::Timestamp {
        seconds: future.timestamp(),
        nanos: 0,
    });
    let first = report(
        &mut operator,
        vec![
            vec![
                delivery("d1", g, p, "cv1", at(2026, 4, 1, 7, 30), 45),
                delivery("d2", g, p, "cv2", at(2026, 4, 1, 14, 40), 40),
                delivery("bad-grant", "gr_nobody", p, "cv3", at(2026, 4, 2, 8, 0), 30),
                delivery("bad-provider", g, &s.plejegruppen, "cv4", at(2026, 4, 2, 8, 0), 30),
            ],
            vec![
                delivery("bad-minutes", g, p, "cv5", at(2026, 4, 3, 8, 0), 1_441),
                delivery("bad-future", g, p, "cv6", future, 30),
                delivery("bad-outside", g, p, "cv7", at(2026, 5, 1, 8, 0), 30),
                delivery("bad-overlap", g, p, "cv1", at(2026, 4, 1, 8, 0), 30),
                delivery("bad-package", &package.grant_id, p, "cv8", at(2026, 4, 2, 8, 0), 30),
                delivery("d3", g, p, "cv1", at(2026, 4, 1, 8, 15), 30),
            ],
        ],
    )
    .await;
    assert_eq!((first.accepted, first.duplicates), (3, 0));
    let refused: Vec<(String, u64, String)> = first
        .errors
        .iter()
        .map(|e| (e.delivery_id.clone(), e.index, e.field.clone()))
        .collect();
    assert_eq!(
        refused,
        vec![
            ("bad-grant".into(), 2, "grant_id".into()),
            ("bad-provider".into(), 3, "provider_id".into()),
            ("bad-minutes".into(), 4, "minutes".into()),
            ("bad-future".into(), 5, "started_at".into()),
            ("bad-outside".into(), 6, "started_at".into()),
            ("bad-overlap".into(), 7, "carer_visit_id".into()),
            ("bad-package".into(), 8, "grant_id".into()),
        ]
    );

    // A retry of the same records is counted as duplicates and changes nothing; the same id with
    // other content is refused.
    let again = report(
        &mut operator,
        vec![vec![
            delivery("d1", g, p, "cv1", at(2026, 4, 1, 7, 30), 45),
            delivery("d2", g, p, "cv2", at(2026, 4, 1, 14, 40), 50),
        ]],
    )
    .await;
    assert_eq!((again.accepted, again.duplicates, again.errors.len()), (0, 1, 1));
    assert_eq!(again.errors[0].field, "delivery_id");

    // A whole stream sent again under its request id gets the first answer, even for a record
    // corrected since; the same request id with other records is refused and stores nothing.
    let d6 = || delivery("d6", g, p, "cv11", at(2026, 4, 9, 8, 0), 30);
    let sent = report_as(&mut operator, "stream-retry", vec![vec![d6()]]).await.unwrap();
    assert_eq!((sent.accepted, sent.duplicates), (1, 0));
    let correct = pb::CorrectDeliveryRequest {
        request_id: "fix-d6".into(),
        delivery_id: "d6".into(),
        started_at: at(2026, 4, 9, 8, 0),
        minutes: 45,
        reason: "logged short".into(),
    };
    operator.correct_delivery(correct).await.unwrap();
    let retried = report_as(&mut operator, "stream-retry", vec![vec![d6()]]).await.unwrap();
    assert_eq!(retried, sent, "the first answer");
    let other = vec![vec![delivery("d7", g, p, "cv12", at(2026, 4, 10, 8, 0), 30)]];
    let misused = report_as(&mut operator, "stream-retry", other).await.unwrap_err();
    assert_eq!(misused.code(), tonic::Code::AlreadyExists);

    // A provider reports and reads only its own deliveries.
    let mut nord = client(&server, NORD).await;
    let own = report(
        &mut nord,
        vec![vec![
            delivery("d4", g, p, "cv9", at(2026, 4, 7, 6, 50), 30),
            delivery("d5", g, &s.plejegruppen, "cv10", at(2026, 4, 8, 8, 0), 30),
        ]],
    )
    .await;
    assert_eq!((own.accepted, own.errors[0].field.as_str()), (1, "provider_id"));
    let april = Some(pbc::Period { year: 2026, month: 4 });
    let listed = nord
        .list_deliveries(pb::ListDeliveriesRequest {
            provider_id: p.into(),
            period: april,
            page: None,
        })
        .await
        .unwrap()
        .into_inner()
        .deliveries;
    assert_eq!(
        listed.iter().map(|d| d.delivery_id.as_str()).collect::<Vec<_>>(),
        vec!["d1", "d3", "d2", "d4", "d6"],
        "d7 of the refused stream is not stored"
    );
    let other = nord
        .list_deliveries(pb::ListDeliveriesRequest {
            provider_id: s.plejegruppen.clone(),
            period: april,
            page: None,
        })
        .await
        .unwrap_err();
    assert_eq!(other.code(), tonic::Code::PermissionDenied);

    // A correction bumps the revision; a retry returns the first answer.
    let correct = pb::CorrectDeliveryRequest {
        request_id: "fix-d2".into(),
        delivery_id: "d2".into(),
        started_at: at(2026, 4, 1, 14, 40),
        minutes: 50,
        reason: "carer forgot to log out".into(),
    };
    let fixed = nord.correct_delivery(correct.clone()).await.unwrap().into_inner();
    assert_eq!((fixed.minutes, fixed.revision), (50, 1));
    assert_eq!(nord.correct_delivery(correct).await.unwrap().into_inner(), fixed);
    let listed = operator
        .list_deliveries(pb::ListDeliveriesRequest {
            provider_id: p.into(),
            period: april,
            page: None,
        })
        .await
        .unwrap()
        .into_inner()
        .deliveries;
    assert_eq!(
        listed.iter().map(|d| (d.delivery_id.as_str(), d.minutes)).collect::<Vec<_>>(),
        vec![("d1", 45), ("d3", 30), ("d2", 50), ("d4", 30), ("d6", 45)]
    );

    // Within one message each record sees those before it: a repeat is a duplicate; the same id
    // with other content, and an overlap of the same carer visit, are refused; a visit that
    // starts as the last one ends is not an overlap.
    let batch = report(
        &mut operator,
        vec![vec![
            delivery("d8", g, p, "cv20", at(2026, 4, 20, 8, 0), 30),
            delivery("d8", g, p, "cv20", at(2026, 4, 20, 8, 0), 30),
            delivery("d8", g, p, "cv20", at(2026, 4, 20, 8, 0), 40),
            delivery("d9", g, p, "cv20", at(2026, 4, 20, 8, 20), 30),
            delivery("d10", g, p, "cv20", at(2026, 4, 20, 8, 30), 30),
        ]],
    )
    .await;
    assert_eq!((batch.accepted, batch.duplicates), (2, 1));
    let refused: Vec<(&str, u64, &str)> = batch
        .errors
        .iter()
        .map(|e| (e.delivery_id.as_str(), e.index, e.field.as_str()))
        .collect();
    assert_eq!(refused, vec![("d8", 2, "delivery_id"), ("d9", 3, "carer_visit_id")]);
    let stored = store.storage.db.clone();
    let minutes: Vec<(String, i64)> = afregning_kit::on_pool!(&stored, p => sqlx::query_as(
        "SELECT delivery_id, minutes FROM deliveries WHERE carer_visit_id = 'cv20' ORDER BY delivery_id")
        .fetch_all(p).await.unwrap());
    assert_eq!(minutes, vec![("d10".to_owned(), 30), ("d8".to_owned(), 30)]);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn mirrors_grants_and_survives_restart_sqlite() {
    mirrors_grants_and_survives_restart(Backend::Sqlite).await;
}

#[tokio::test]
async fn mirrors_grants_and_survives_restart_postgres() {
    mirrors_grants_and_survives_restart(Backend::Postgres).await;
}

#[tokio::test]
async fn deliveries_are_checked_one_by_one_sqlite() {
    deliveries_are_checked_one_by_one(Backend::Sqlite).await;
}

#[tokio::test]
async fn deliveries_are_checked_one_by_one_postgres() {
    deliveries_are_checked_one_by_one(Backend::Postgres).await;
}
