//! Catalogs published through visitation's API price settlement's months, on SQLite and
//! PostgreSQL: a correction published after a month was issued is corrected on the provider's next
//! statement for the days from its effective day, and a catalog rolled forward by the price index
//! prices next January. Neither service has a catalog file: every version comes through the API
//! and the grant feed.

mod common;

use std::collections::BTreeMap;

use afregning_kit::auth::{Authenticator, Outgoing};
use afregning_kit::config::ServiceConfig;
use afregning_kit::server::{ServiceContext, ServiceSpec};
use afregning_kit::testing::{Backend, TestDatabase, TestServer};
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pb;
use afregning_proto::visitation::v1 as pbv;
use afregning_proto::visitation::v1::visitation_service_client::VisitationServiceClient;
use afregning_settlement::store::Store;
use afregning_tariff::{Catalog, CatalogSet};
use common::*;

macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test] async fn $name() { super::$name(afregning_kit::testing::Backend::Sqlite).await } )* }
        mod postgres { $( #[tokio::test] async fn $name() { super::$name(afregning_kit::testing::Backend::Postgres).await } )* }
    };
}

both_backends!(a_published_correction_and_roll_forward_price_the_right_days);

const FINANCE: &str = "test-token-finance-0001";
const CATALOG: &str = include_str!("../../../deploy/catalog-2026.toml");

fn tokens(nord: Option<&str>) -> BTreeMap<String, String> {
    let mut tokens: BTreeMap<String, String> = [
        (EHR, "ehr:nexus"),
        (SETTLEMENT, "service:settlement"),
        (OPERATOR, "operator"),
        (FINANCE, "finance"),
    ]
    .into_iter()
    .map(|(t, p)| (t.to_owned(), p.to_owned()))
    .collect();
    if let Some(nord) = nord {
        tokens.insert(NORD.into(), format!("provider:{nord}"));
    }
    tokens
}

fn publish(request_id: &str, document: String) -> pbv::PublishCatalogRequest {
    pbv::PublishCatalogRequest {
        request_id: request_id.into(),
        document: document.into_bytes(),
    }
}

fn package_grant(
    request_id: &str,
    citizen_id: &str,
    provider: &str,
    start: Option<pbc::Date>,
    end: Option<pbc::Date>,
) -> pbv::DecideGrantRequest {
    let mut request = decide(citizen_id, pbc::UnitKind::Package, provider, start, end);
    request.request_id = request_id.into();
    request
}

fn period(year: i32, month: i32) -> Option<pbc::Period> {
    Some(pbc::Period { year, month })
}

/// (kind, days covered, catalog version, rate, amount, the line it corrects) of each line.
type Row = (i32, Option<pbc::DateRange>, String, i64, i64, String);

/// The lines as rows, by kind, days and amount (a statement orders them by citizen id, which is
/// random).
fn rows(lines: &[pb::StatementLine]) -> Vec<Row> {
    let mut rows: Vec<Row> = lines
        .iter()
        .map(|l| {
            let e = l.explanation.clone().unwrap_or_default();
            (
                l.kind,
                l.covers,
                e.catalog_version,
                e.rate_ore,
                l.amount_ore,
                l.corrects_line_id.clone(),
            )
        })
        .collect();
    let day = |d: Option<pbc::Date>| d.map(|d| (d.year, d.month, d.day));
    rows.sort_by_key(|r| (r.0, r.1.and_then(|c| day(c.first)), r.1.and_then(|c| day(c.last)), r.4));
    rows
}

fn days(first: (i32, i32, i32), last: (i32, i32, i32)) -> Option<pbc::DateRange> {
    Some(pbc::DateRange {
        first: date(first.0, first.1, first.2),
        last: date(last.0, last.1, last.2),
    })
}

// One piece: the worked example runs as one story — publish, settle and issue May, correct,
// settle June, roll forward — and each step's figures depend on the one before.
async fn a_published_correction_and_roll_forward_price_the_right_days(backend: Backend) {
    let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("warn").try_init();
    // Visitation with no catalog file: nothing prices until finance publishes.
    let visitation_db = TestDatabase::new(backend).await;
    let database = visitation_db.connect(afregning_visitation::MIGRATIONS).await;
    let routes = afregning_visitation::routes(ServiceContext {
        config: ServiceConfig::defaults("visitation"),
        database: database.clone(),
        catalogs: CatalogSet::default(),
        auth: Authenticator::from_tokens(&tokens(None)).unwrap(),
    })
    .unwrap();
    let visitation = TestServer::start(ServiceSpec {
        grpc_name: afregning_visitation::GRPC_NAME,
        routes,
        database,
    })
    .await;
    let mut ehr = VisitationServiceClient::with_interceptor(visitation.channel().await, Outgoing::new(Some(EHR)));
    let mut finance = VisitationServiceClient::with_interceptor(visitation.channel().await, Outgoing::new(Some(FINANCE)));

    let first = finance
        .publish_catalog(publish("pub-2026.1", CATALOG.to_owned()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((first.version.as_str(), first.corrects_version.as_str()), ("2026.1", ""));
    let nord = provider(&mut ehr, "nord", &["personal_care_package", "personal_care"]).await;

    // Settlement with no catalog file either: it prices with what the grant feed carries.
    let settlement_db = TestDatabase::new(backend).await;
    let database = settlement_db.connect(afregning_settlement::MIGRATIONS).await;
    let store = Store::new(database.clone());
    let upstream = afregning_kit::follow::Upstream::new(format!("http://{}", visitation.addr), Some(SETTLEMENT.to_owned()));
    let _follower = afregning_settlement::follower::spawn(store.clone(), upstream);
    let auth = Authenticator::from_tokens(&tokens(Some(&nord))).unwrap();
    let routes = afregning_settlement::service_routes(store.clone(), CatalogSet::default(), &auth);
    let settlement = TestServer::start(ServiceSpec {
        grpc_name: afregning_settlement::GRPC_NAME,
        routes,
        database,
    })
    .await;
    let mut operator = client(&settlement, OPERATOR).await;

    // A: the package from 1 May, open. B: the package 1–10 May, before the correction's day.
    // C: personal care by the hour from 1 May, visited on 5 and 20 May, either side of it.
    let a = citizen(&mut ehr, "0101401234").await;
    let b = citizen(&mut ehr, "0202402345").await;
    let c = citizen(&mut ehr, "0303403456").await;
    let grant_a = ehr
        .decide_grant(package_grant("grant-a", &a, &nord, date(2026, 5, 1), None))
        .await
        .unwrap()
        .into_inner();
    let grant_b = ehr
        .decide_grant(package_grant("grant-b", &b, &nord, date(2026, 5, 1), date(2026, 5, 10)))
        .await
        .unwrap()
        .into_inner();
    let mut hourly = decide(&c, pbc::UnitKind::Service, &nord, date(2026, 5, 1), None);
    hourly.request_id = "grant-c".into();
    let grant_c = ehr.decide_grant(hourly).await.unwrap().into_inner();
    synced(&mut ehr, &store).await;
    let mut nord_client = client(&settlement, NORD).await;
    report(
        &mut nord_client,
        vec![vec![
            delivery("v-0505", &grant_c.grant_id, &nord, "cv-1", at(2026, 5, 5, 10, 0), 60),
            delivery("v-2005", &grant_c.grant_id, &nord, "cv-2", at(2026, 5, 20, 10, 0), 60),
        ]],
    )
    .await;

    // May under 2026.1 (1,850.00 kr./week; personal care on a weekday day 475.00 kr./hour):
    //   A: 1,850.00 × 31 / 7 = 8,192.857… → 8,192.86
    //   B: 1,850.00 × 10 / 7 = 2,642.857… → 2,642.86
    //   C: 120 minutes × 475.00 / 60 = 950.00
    run(&mut operator, "run-may", (2026, 5)).await;
    let may = issue_all(&mut operator, (2026, 5)).await.remove(&nord).unwrap();
    let may_lines = lines(&mut operator, &may.statement_id).await;
    let regular = pb::LineKind::Regular as i32;
    assert_eq!(
        rows(&may_lines),
        [
            (
                regular,
                days((2026, 5, 1), (2026, 5, 10)),
                "2026.1".into(),
                185_000,
                264_286,
                String::new()
            ),
            (
                regular,
                days((2026, 5, 1), (2026, 5, 31)),
                "2026.1".into(),
                47_500,
                95_000,
                String::new()
            ),
            (
                regular,
                days((2026, 5, 1), (2026, 5, 31)),
                "2026.1".into(),
                185_000,
                819_286,
                String::new()
            ),
        ]
    );
    let a_may = may_lines.iter().find(|l| l.grant_id == grant_a.grant_id).unwrap();
    assert_eq!(a_may.amount_ore, 819_286);
    let b_may = may_lines.iter().find(|l| l.grant_id == grant_b.grant_id).unwrap();
    assert_eq!(b_may.amount_ore, 264_286);
    let a_may = a_may.line_id.clone();
    assert_eq!(may.total_ore, 1_178_572);

    // Finance corrects the package price from 18 May: 1,920.00 kr./week.
    let correction = CATALOG
        .replace(r#"version = "2026.1""#, r#"version = "2026.2""#)
        .replace("effective_from = 2026-01-01", "effective_from = 2026-05-18")
        .replace(r#"weekly_price = "1850.00""#, r#"weekly_price = "1920.00""#);
    let second = finance
        .publish_catalog(publish("pub-2026.2", correction))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(second.corrects_version, "2026.1");
    synced(&mut ehr, &store).await;

    // June's statement: A's June at 2026.2, and May corrected. The issued May line of A is
    // reversed whole and rebooked by the version in force each day — 1–17 May still at 2026.1,
    // 18–31 May at 2026.2 — so the net change is the new rate on the days from 18 May only:
    //   June:      1,920.00 × 30 / 7 = 8,228.571… →  8,228.57
    //   reversal:                                    −8,192.86
    //   1–17 May:  1,850.00 × 17 / 7 = 4,492.857… →  4,492.86
    //   18–31 May: 1,920.00 × 14 / 7 =               3,840.00
    //   net for May: 4,492.86 + 3,840.00 − 8,192.86 = 140.00 = (1,920.00 − 1,850.00) × 14 / 7
    //   total: 8,228.57 + 140.00 = 8,368.57
    // B's May (1–10 May) lies before 18 May and is not touched; C's visit of 20 May is now priced
    // by 2026.2, at the same 475.00 kr./hour, so C's May line is no change and stays as issued.
    run(&mut operator, "run-june", (2026, 6)).await;
    let june = statements(&mut operator, (2026, 6)).await.remove(&nord).unwrap();
    let june_lines = lines(&mut operator, &june.statement_id).await;
    assert_eq!(
        rows(&june_lines),
        [
            (
                regular,
                days((2026, 6, 1), (2026, 6, 30)),
                "2026.2".into(),
                192_000,
                822_857,
                String::new()
            ),
            (
                pb::LineKind::Reversal as i32,
                days((2026, 5, 1), (2026, 5, 31)),
                "2026.1".into(),
                185_000,
                -819_286,
                a_may.clone()
            ),
            (
                pb::LineKind::Rebooking as i32,
                days((2026, 5, 1), (2026, 5, 17)),
                "2026.1".into(),
                185_000,
                449_286,
                a_may.clone()
            ),
            (
                pb::LineKind::Rebooking as i32,
                days((2026, 5, 18), (2026, 5, 31)),
                "2026.2".into(),
                192_000,
                384_000,
                a_may
            ),
        ]
    );
    assert!(june_lines.iter().all(|l| l.grant_id == grant_a.grant_id));
    assert_eq!(june.total_ore, 836_857);

    // Roll forward to 2027 by a price index of 2.5 %, as `afregning catalog roll-forward` does:
    // the package becomes 1,920.00 × 1.025 = 1,968.00 kr./week from 1 January 2027.
    let source = finance
        .get_catalog(pbv::GetCatalogRequest { version: "2026.2".into() })
        .await
        .unwrap()
        .into_inner();
    let next = Catalog::from_toml_str(std::str::from_utf8(&source.document).unwrap())
        .unwrap()
        .roll_forward(rust_decimal::Decimal::new(1025, 3), "2027.1")
        .unwrap();
    let third = finance
        .publish_catalog(publish("pub-2027.1", next.to_toml_string()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((third.effective_from, third.in_force_to), (date(2027, 1, 1), date(2027, 12, 31)));
    assert_eq!(third.corrects_version, "");
    synced(&mut ehr, &store).await;

    // January 2027 as the statement will price it: A at 1,968.00 × 31 / 7 = 8,715.428… → 8,715.43.
    let mut finance_settlement = client(&settlement, FINANCE).await;
    let january = finance_settlement
        .compare_steering_models(pb::CompareSteeringModelsRequest {
            from: period(2027, 1),
            to: period(2027, 1),
            frame_budgets: Vec::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(january.total.unwrap().current_ore, 871_543);
}
