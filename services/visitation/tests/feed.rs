//! The grant feed under concurrent writers: a follower that keeps disconnecting and resuming
//! from its last sequence receives every event exactly once, in commit order, with no gaps.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use afregning_kit::testing::Backend;
use afregning_proto::visitation::v1 as pb;
use common::*;

const WRITERS: usize = 12;
const GRANTS_PER_WRITER: usize = 20;

async fn follower(mut client: Client, expected: usize) -> Vec<(u64, String)> {
    let mut seen = Vec::new();
    let mut cursor = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while seen.len() < expected && tokio::time::Instant::now() < deadline {
        // Short streams force many reconnects, each resuming from the last sequence seen.
        let request = pb::StreamGrantEventsRequest {
            after_sequence: cursor,
            follow: true,
            max_events: 7,
        };
        let mut stream = client.stream_grant_events(request).await.unwrap().into_inner();
        while let Ok(Ok(Some(event))) = tokio::time::timeout(Duration::from_secs(2), stream.message()).await {
            cursor = event.sequence;
            let id = event
                .grant
                .map(|g| g.grant_id)
                .or(event.provider.map(|p| p.provider_id))
                .or(event.catalog.map(|c| format!("catalog:{}", c.version)))
                .unwrap();
            seen.push((event.sequence, id));
        }
    }
    seen
}

async fn every_event_exactly_once_in_order(backend: Backend) {
    let running = start(backend).await;
    let mut c = running.client.clone();
    let nord = provider(&mut c, "Hjemmeplejen Nord", &["personal_care"]).await;
    let mut citizens = Vec::new();
    for i in 0..WRITERS {
        citizens.push(citizen(&mut c, &format!("{:02}0150{:04}", i + 1, 1000 + i)).await);
    }
    // The provider, the deployment's catalog (published at start, at some point among the
    // others) and the grants.
    let expected = 2 + WRITERS * GRANTS_PER_WRITER;
    let follow = tokio::spawn(follower(client_as(&running, SETTLEMENT_TOKEN).await, expected));

    let mut writers = Vec::new();
    for citizen_id in citizens {
        let mut client = running.client.clone();
        let nord = nord.clone();
        writers.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for day in 0..GRANTS_PER_WRITER as u32 {
                // One-day grants on successive days: the same intervention never overlaps.
                let date = chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap() + chrono::Days::new(u64::from(day));
                let on = d(date.year(), date.month() as i32, date.day() as i32);
                let mut request = decide(
                    &citizen_id,
                    service_terms(&nord, "personal_care", "SEL-83", "personlig-pleje", 60),
                    on,
                );
                request.end = on;
                ids.push(client.decide_grant(request).await.unwrap().into_inner().grant_id);
            }
            ids
        }));
    }
    let mut written = BTreeSet::new();
    for w in writers {
        written.extend(w.await.unwrap());
    }
    let seen = follow.await.unwrap();

    let sequences: Vec<u64> = seen.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        sequences,
        (1..=expected as u64).collect::<Vec<_>>(),
        "gap-free, in order, each once"
    );
    let catalogs: Vec<&str> = seen
        .iter()
        .map(|(_, id)| id.as_str())
        .filter(|id| id.starts_with("catalog:"))
        .collect();
    assert_eq!(catalogs, ["catalog:2026.1"]);
    let others: Vec<&String> = seen.iter().map(|(_, id)| id).filter(|id| !id.starts_with("catalog:")).collect();
    let grants: BTreeSet<String> = others.iter().skip(1).map(|id| (*id).clone()).collect();
    assert_eq!(grants, written, "every committed grant decision, and nothing else");
    assert_eq!(*others[0], nord);
}

use chrono::Datelike;

#[tokio::test]
async fn every_event_exactly_once_in_order_sqlite() {
    every_event_exactly_once_in_order(Backend::Sqlite).await;
}

#[tokio::test]
async fn every_event_exactly_once_in_order_postgres() {
    every_event_exactly_once_in_order(Backend::Postgres).await;
}

/// Counts the connections to the test database waiting on the feed channel.
async fn feed_listeners(database: &afregning_kit::db::Database) -> i64 {
    let afregning_kit::db::Database::Postgres(pool) = database else {
        unreachable!("a PostgreSQL test")
    };
    sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%afregning_feed%'")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Each storage on PostgreSQL listens for feed commits. The listener has a connection of its own:
/// more storages than the pool has connections still leave every connection to requests, the
/// listeners' connections close when their storages are dropped, and closing the database closes
/// a listener whose storage lives on.
#[tokio::test]
async fn feed_listeners_take_no_connection_from_the_pool_and_end_with_their_storage_postgres() {
    let db = afregning_kit::testing::TestDatabase::new(Backend::Postgres).await;
    // The test pool has 4 connections.
    let database = db.connect(afregning_visitation::MIGRATIONS).await;
    let storages: Vec<afregning_kit::store::Storage> = (0..6).map(|_| afregning_kit::store::Storage::new(database.clone())).collect();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while feed_listeners(&database).await < 6 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(feed_listeners(&database).await, 6, "every storage listens");
    // Four requests at once, each on a pool connection, none waiting for a listener to let go.
    let reads = (0..4).map(|_| storages[0].events_after::<afregning_visitation::domain::FeedPayload>(0, 10));
    for read in futures::future::join_all(reads).await {
        assert_eq!(read.unwrap().len(), 0);
    }

    drop(storages);
    while feed_listeners(&database).await > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(feed_listeners(&database).await, 0, "a dropped storage stops listening");

    let kept = afregning_kit::store::Storage::new(database.clone());
    while feed_listeners(&database).await < 1 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(feed_listeners(&database).await, 1, "a new storage listens");
    // Watched from another database, as this one's pool is closed.
    let afregning_kit::db::Database::Postgres(pool) = &database else {
        unreachable!()
    };
    let name: String = sqlx::query_scalar("SELECT current_database()").fetch_one(pool).await.unwrap();
    let other = afregning_kit::testing::TestDatabase::new(Backend::Postgres).await;
    let watcher = other.connect(afregning_visitation::MIGRATIONS).await;
    database.close().await;
    let listening = async || -> i64 {
        let afregning_kit::db::Database::Postgres(pool) = &watcher else {
            unreachable!()
        };
        sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND datname = $2")
            .bind(afregning_kit::store::FEED_LISTENER_APPLICATION)
            .bind(&name)
            .fetch_one(pool)
            .await
            .unwrap()
    };
    while listening().await > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        listening().await,
        0,
        "closing the database stops the listener of a storage still held"
    );
    drop(kept);
}
