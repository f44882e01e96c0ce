//! Tariff catalogs published through visitation's API, on SQLite and PostgreSQL: a correction
//! prices from its day, a version never changes, bad documents are refused naming the field, and
//! concurrent publications of one version end with one content and clear answers for the rest.

mod common;

use afregning_kit::testing::Backend;
use afregning_proto::common::v1 as pbc;
use afregning_proto::visitation::v1 as pb;
use afregning_tariff::Catalog;
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
    a_correction_prices_from_its_day_and_travels_on_the_feed,
    bad_documents_are_refused_and_change_nothing,
    identical_retries_publish_once,
    different_contents_racing_for_one_version_leave_one,
    the_files_are_published_once_and_never_change_a_version,
);

const CATALOG: &str = include_str!("../../../deploy/catalog-2026.toml");

/// The shipped 2026 catalog as version `version` from `from`, its package at `package` kroner.
fn document(version: &str, from: &str, package: &str) -> Vec<u8> {
    CATALOG
        .replace(r#"version = "2026.1""#, &format!(r#"version = "{version}""#))
        .replace("effective_from = 2026-01-01", &format!("effective_from = {from}"))
        .replace(r#"weekly_price = "1850.00""#, &format!(r#"weekly_price = "{package}""#))
        .into_bytes()
}

fn publish(request_id: &str, document: Vec<u8>) -> pb::PublishCatalogRequest {
    pb::PublishCatalogRequest {
        request_id: request_id.into(),
        document,
    }
}

/// The published versions once the deployment's file (2026.1) has been published at start.
async fn versions(finance: &mut Client) -> Vec<pb::PublishedCatalog> {
    for _ in 0..200 {
        let catalogs = finance
            .list_catalogs(pb::ListCatalogsRequest {})
            .await
            .unwrap()
            .into_inner()
            .catalogs;
        if catalogs.iter().any(|c| c.version == "2026.1") {
            return catalogs;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the deployment's catalog was not published at start");
}

async fn catalog_events(running: &Running) -> Vec<pb::PublishedCatalog> {
    let mut feed = client_as(running, SETTLEMENT_TOKEN).await;
    let mut stream = feed
        .stream_grant_events(pb::StreamGrantEventsRequest {
            after_sequence: 0,
            follow: false,
            max_events: 0,
        })
        .await
        .unwrap()
        .into_inner();
    let mut out = Vec::new();
    while let Some(event) = stream.message().await.unwrap() {
        if event.kind == pb::GrantEventKind::CatalogPublished as i32 {
            out.push(event.catalog.unwrap());
        }
    }
    out
}

// One piece: the versions, the grants they cost and the feed that carries them, in order.
async fn a_correction_prices_from_its_day_and_travels_on_the_feed(backend: Backend) {
    let running = start(backend).await;
    let mut finance = client_as(&running, FINANCE_TOKEN).await;
    let first = versions(&mut finance).await;
    assert_eq!(first.len(), 1);
    assert_eq!((first[0].in_force_to, first[0].corrects_version.as_str()), (d(2026, 12, 31), ""));
    // Published as the file's catalog (in its own TOML form when the file is not at hand).
    let text = std::str::from_utf8(&first[0].document).unwrap();
    assert_eq!(Catalog::from_toml_str(text).unwrap(), Catalog::from_toml_str(CATALOG).unwrap());

    // 2026.2 corrects the package price from 15 June: 1,850.00 → 1,920.00 kr. a week.
    let correction = finance
        .publish_catalog(publish("pub-2026.2", document("2026.2", "2026-06-15", "1920.00")))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(correction.version, "2026.2");
    assert_eq!(correction.corrects_version, "2026.1");
    assert_eq!(
        (correction.effective_from, correction.in_force_to),
        (d(2026, 6, 15), d(2026, 12, 31))
    );
    let listed = finance
        .list_catalogs(pb::ListCatalogsRequest {})
        .await
        .unwrap()
        .into_inner()
        .catalogs;
    let days: Vec<_> = listed
        .iter()
        .map(|c| (c.version.as_str(), c.effective_from, c.in_force_to))
        .collect();
    assert_eq!(
        days,
        [
            ("2026.1", d(2026, 1, 1), d(2026, 6, 14)),
            ("2026.2", d(2026, 6, 15), d(2026, 12, 31))
        ]
    );
    let got = finance
        .get_catalog(pb::GetCatalogRequest { version: "2026.2".into() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.document, document("2026.2", "2026-06-15", "1920.00"));

    // A grant decided from a day in force of each version is costed by that version.
    let mut ehr = running.client.clone();
    let nord = provider(&mut ehr, "Hjemmeplejen Nord", &["personal_care_package"]).await;
    let package = |citizen: &str, start| {
        let mut terms = service_terms(&nord, "", "SEL-83", "personlig-pleje", 180);
        terms.unit_kind = pbc::UnitKind::Package as i32;
        terms.service_category = String::new();
        terms.package = "personal_care_package".into();
        decide(citizen, terms, start)
    };
    let a = citizen(&mut ehr, "0101401234").await;
    let b = citizen(&mut ehr, "0202402345").await;
    let before = ehr.decide_grant(package(&a, d(2026, 6, 14))).await.unwrap().into_inner();
    let after = ehr.decide_grant(package(&b, d(2026, 6, 15))).await.unwrap().into_inner();
    assert_eq!(
        (before.expected_weekly_cost_ore, before.catalog_version.as_str()),
        (185_000, "2026.1")
    );
    assert_eq!(
        (after.expected_weekly_cost_ore, after.catalog_version.as_str()),
        (192_000, "2026.2")
    );

    // Both versions went out on the grant feed, the correction naming what it corrects.
    let events = catalog_events(&running).await;
    let on_feed: Vec<_> = events.iter().map(|c| (c.version.as_str(), c.corrects_version.as_str())).collect();
    assert_eq!(on_feed, [("2026.1", ""), ("2026.2", "2026.1")]);
}

// One piece: every refusal, then one check that none of them wrote anything.
async fn bad_documents_are_refused_and_change_nothing(backend: Backend) {
    let running = start(backend).await;
    let mut finance = client_as(&running, FINANCE_TOKEN).await;
    let before = versions(&mut finance).await;
    let refused = |request| {
        let mut finance = finance.clone();
        async move { finance.publish_catalog(request).await.unwrap_err() }
    };

    let bad_key = CATALOG.replace("length_weeks = 12", "length_weeks = 0").into_bytes();
    let status = refused(publish("bad-key", bad_key)).await;
    assert_eq!(
        (status.code(), fields(&status)),
        (Code::InvalidArgument, vec!["document".to_owned()])
    );
    assert!(status.message().contains("courses.DEVELOPING.length_weeks"), "{}", status.message());

    for (id, document) in [
        ("empty", Vec::new()),
        ("too-big", vec![b'#'; 65_537]),
        ("not-utf8", vec![0xff, 0xfe, 0x00]),
        ("float", CATALOG.replace(r#"rate = "410.00""#, "rate = 410.0").into_bytes()),
    ] {
        let status = refused(publish(id, document)).await;
        assert_eq!(
            (status.code(), fields(&status)),
            (Code::InvalidArgument, vec!["document".to_owned()]),
            "{id}"
        );
    }

    // The same version with other content: a published version never changes.
    let status = refused(publish("other-content", document("2026.1", "2026-01-01", "1900.00"))).await;
    assert_eq!(status.code(), Code::AlreadyExists, "{status:?}");
    assert!(status.message().contains("2026.1"), "{}", status.message());

    // Another version from the same first day as 2026.1: which would price 1 January?
    let status = refused(publish("same-day", document("2026.9", "2026-01-01", "1900.00"))).await;
    assert_eq!(
        (status.code(), fields(&status)),
        (Code::FailedPrecondition, vec!["document".to_owned()])
    );

    // Only finance publishes.
    let mut ehr = running.client.clone();
    let status = ehr
        .publish_catalog(publish("by-ehr", document("2026.2", "2026-06-15", "1920.00")))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);

    let status = finance
        .get_catalog(pb::GetCatalogRequest { version: "2030.1".into() })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    let status = finance
        .get_catalog(pb::GetCatalogRequest { version: String::new() })
        .await
        .unwrap_err();
    assert_eq!(
        (status.code(), fields(&status)),
        (Code::InvalidArgument, vec!["version".to_owned()])
    );

    let after = finance
        .list_catalogs(pb::ListCatalogsRequest {})
        .await
        .unwrap()
        .into_inner()
        .catalogs;
    assert_eq!(after, before);
    assert_eq!(catalog_events(&running).await.len(), 1);
}

async fn identical_retries_publish_once(backend: Backend) {
    let running = start(backend).await;
    let mut finance = client_as(&running, FINANCE_TOKEN).await;
    versions(&mut finance).await;
    let calls = (0..8).map(|_| {
        let mut finance = finance.clone();
        async move {
            finance
                .publish_catalog(publish("pub-once", document("2026.2", "2026-06-15", "1920.00")))
                .await
        }
    });
    let answers: Vec<pb::PublishedCatalog> = futures::future::join_all(calls)
        .await
        .into_iter()
        .map(|a| a.unwrap().into_inner())
        .collect();
    assert!(answers.iter().all(|a| *a == answers[0]), "every caller gets the first answer");
    assert_eq!(answers[0].corrects_version, "2026.1");
    // A new request id with the same document answers the version as first published.
    let again = finance
        .publish_catalog(publish("pub-again", document("2026.2", "2026-06-15", "1920.00")))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(again.published_at, answers[0].published_at);
    let events = catalog_events(&running).await;
    assert_eq!(events.iter().filter(|c| c.version == "2026.2").count(), 1);
}

async fn different_contents_racing_for_one_version_leave_one(backend: Backend) {
    let running = start(backend).await;
    let mut finance = client_as(&running, FINANCE_TOKEN).await;
    versions(&mut finance).await;
    // Eight callers, two contents for 2026.2: the first stored wins; the same content then reads
    // as published, the other is ALREADY_EXISTS.
    let calls = (0..8).map(|i| {
        let mut finance = finance.clone();
        let price = if i % 2 == 0 { "1920.00" } else { "1930.00" };
        async move {
            let answer = finance
                .publish_catalog(publish(&format!("race-{i}"), document("2026.2", "2026-06-15", price)))
                .await;
            (price, answer)
        }
    });
    let answers = futures::future::join_all(calls).await;
    let stored = finance
        .get_catalog(pb::GetCatalogRequest { version: "2026.2".into() })
        .await
        .unwrap()
        .into_inner();
    let winner = if stored.document == document("2026.2", "2026-06-15", "1920.00") {
        "1920.00"
    } else {
        assert_eq!(stored.document, document("2026.2", "2026-06-15", "1930.00"));
        "1930.00"
    };
    for (price, answer) in answers {
        match answer {
            Ok(published) => {
                assert_eq!(price, winner);
                assert_eq!(published.into_inner().published_at, stored.published_at);
            }
            Err(status) => {
                assert_eq!(status.code(), Code::AlreadyExists, "{status:?}");
                assert_ne!(price, winner);
            }
        }
    }
    assert_eq!(catalog_events(&running).await.len(), 2);

    // Two new versions racing for one first day: one is published, the other is refused as a
    // clash, never an internal error.
    let calls = ["2026.3", "2026.4"].map(|version| {
        let mut finance = finance.clone();
        async move {
            finance
                .publish_catalog(publish(&format!("day-{version}"), document(version, "2026-09-01", "1950.00")))
                .await
        }
    });
    let [a, b] = futures::future::join_all(calls).await.try_into().unwrap();
    let refused = match (a, b) {
        (Ok(_), Err(refused)) | (Err(refused), Ok(_)) => refused,
        other => panic!("one of two versions from one day is published: {other:?}"),
    };
    assert_eq!(
        (refused.code(), fields(&refused)),
        (Code::FailedPrecondition, vec!["document".to_owned()])
    );
    assert_eq!(catalog_events(&running).await.len(), 3);
}

/// The deployment's files at start, on one database by two processes in turn (a restart, or a
/// second replica): published once, as the file reads; a file whose comments changed is the same
/// catalog; a file that changes a published version is refused and changes nothing.
async fn the_files_are_published_once_and_never_change_a_version(backend: Backend) {
    use afregning_visitation::app::App;
    use afregning_visitation::app::catalogs::CatalogView;
    use afregning_visitation::store::Store;

    let db = afregning_kit::testing::TestDatabase::new(backend).await;
    let database = db.connect(afregning_visitation::MIGRATIONS).await;
    let dir = tempfile::tempdir().unwrap();
    let answer = |v: &CatalogView| pb::PublishedCatalog {
        version: v.published.catalog.version.clone(),
        ..Default::default()
    };
    let start_with = async |text: &str| {
        let path = dir.path().join("catalog-2026.toml");
        std::fs::write(&path, text).unwrap();
        let files = afregning_kit::catalogs::load(std::slice::from_ref(&path)).unwrap();
        App::new(
            Store::new(database.clone()),
            files,
            afregning_kit::config::ServiceConfig::defaults("visitation").order_ack_hours,
        )
        .publish_bootstrap(&[path], answer)
        .await
    };
    start_with(CATALOG).await.unwrap();
    start_with(CATALOG).await.unwrap();
    start_with(&format!("# reviewed again by finance\n{CATALOG}")).await.unwrap();
    let changed = start_with(&CATALOG.replace(r#"weekly_price = "1850.00""#, r#"weekly_price = "1900.00""#)).await;
    assert!(format!("{:#}", changed.unwrap_err()).contains("2026.1"));

    let stored = afregning_kit::catalogs::stored(afregning_kit::store::On::Pool(&database))
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].document, CATALOG, "published as the file reads");
    let events: Vec<afregning_kit::store::FeedEvent<afregning_visitation::domain::FeedPayload>> =
        Store::new(database.clone()).storage.events_after(0, 100).await.unwrap();
    assert_eq!(events.len(), 1);
}
