//! Commitments follow the catalog versions published through visitation, on SQLite and
//! PostgreSQL: a correction published on the grant feed reprices the expected rest of the year from
//! its effective day, exactly as the statements will price those days.

mod common;

use std::time::Duration;

use afregning_budget::store::Store;
use afregning_kit::auth::Outgoing;
use afregning_kit::config::ServiceConfig;
use afregning_kit::follow::Upstream;
use afregning_kit::server::{ServiceContext, ServiceSpec};
use afregning_kit::testing::{Backend, TestDatabase, TestServer};
use afregning_proto::budget::v1 as pb;
use afregning_proto::common::v1 as pbc;
use afregning_proto::visitation::v1 as pbv;
use afregning_proto::visitation::v1::visitation_service_client::VisitationServiceClient;
use common::{BUDGET, EHR, FINANCE, auth, catalogs, client};

macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test] async fn $name() { super::$name(afregning_kit::testing::Backend::Sqlite).await } )* }
        mod postgres { $( #[tokio::test] async fn $name() { super::$name(afregning_kit::testing::Backend::Postgres).await } )* }
    };
}

both_backends!(a_published_correction_reprices_the_commitments_from_its_day);

fn date(m: i32, d: i32) -> Option<pbc::Date> {
    Some(pbc::Date {
        year: 2026,
        month: m,
        day: d,
    })
}

type Visitation = VisitationServiceClient<tonic::service::interceptor::InterceptedService<tonic::transport::Channel, Outgoing>>;

/// Waits until budget has applied everything visitation has published.
async fn synced(ehr: &mut Visitation, store: &Store) {
    let published = ehr
        .get_feed_positions(pbc::GetFeedPositionsRequest {})
        .await
        .unwrap()
        .into_inner()
        .published_sequence;
    let published = i64::try_from(published).unwrap();
    for _ in 0..200 {
        if store.cursor("visitation").await.unwrap() >= published {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("budget did not follow visitation to {published}");
}

// One piece: the story is one grant's commitments before and after a correction.
async fn a_published_correction_reprices_the_commitments_from_its_day(backend: Backend) {
    let v_db = TestDatabase::new(backend).await;
    let database = v_db.connect(afregning_visitation::MIGRATIONS).await;
    let context = ServiceContext {
        config: ServiceConfig::defaults("visitation"),
        database: database.clone(),
        catalogs: catalogs(),
        auth: auth(),
    };
    let visitation = TestServer::start(ServiceSpec {
        grpc_name: afregning_visitation::GRPC_NAME,
        routes: afregning_visitation::routes(context).unwrap(),
        database,
    })
    .await;
    let mut ehr = VisitationServiceClient::with_interceptor(visitation.channel().await, Outgoing::new(Some(EHR)));
    let mut publisher = VisitationServiceClient::with_interceptor(visitation.channel().await, Outgoing::new(Some(FINANCE)));
    let provider_id = ehr
        .register_provider(pbv::RegisterProviderRequest {
            request_id: "prov".into(),
            cvr: "29189668".into(),
            name: "Hjemmeplejen Nord".into(),
            kind: pbc::ProviderKind::Municipal as i32,
            committee: "SOCIAL".into(),
            approved_for: vec!["personal_care_package".into()],
            provider_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner()
        .provider_id;
    let citizen_id = ehr
        .register_citizen(pbv::RegisterCitizenRequest {
            request_id: "cit".into(),
            cpr: "0505402555".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .citizen_id;
    ehr.decide_grant(pbv::DecideGrantRequest {
        request_id: "package".into(),
        citizen_id,
        terms: Some(pbv::GrantTerms {
            unit_kind: pbc::UnitKind::Package as i32,
            legal_basis: "SEL-83".into(),
            intervention: "personlig-pleje".into(),
            visited_minutes_per_week: 180,
            package: "personal_care_package".into(),
            providers: vec![pbc::ProviderShare {
                provider_id,
                share_percent: 100,
                lead: true,
            }],
            ..Default::default()
        }),
        start: date(1, 5),
        end: None,
        decided_on: date(1, 5),
    })
    .await
    .unwrap();

    let b_db = TestDatabase::new(backend).await;
    let database = b_db.connect(afregning_budget::MIGRATIONS).await;
    let store = Store::new(database.clone());
    afregning_budget::follower::spawn_grants(
        store.clone(),
        Upstream::new(format!("http://{}", visitation.addr), Some(BUDGET.into())),
    );
    let budget = TestServer::start(ServiceSpec {
        grpc_name: afregning_budget::GRPC_NAME,
        routes: afregning_budget::service_routes(store.clone(), 0, std::sync::Arc::new(catalogs()), &auth()),
        database,
    })
    .await;
    let mut finance = client(&budget, FINANCE).await;
    finance
        .create_committee(pb::CreateCommitteeRequest {
            request_id: "c-social".into(),
            code: "SOCIAL".into(),
            name: "Socialudvalget".into(),
        })
        .await
        .unwrap();
    finance
        .set_frame(pb::SetFrameRequest {
            request_id: "f-social".into(),
            frame: "SOCIAL".into(),
            year: 2026,
            committee: "SOCIAL".into(),
            name: "Visitation og Rehabilitering – Social".into(),
            account: "5.30.26".into(),
            amount_ore: 120_000_000,
            monthly_profile_ore: vec![],
            effective_from: None,
        })
        .await
        .unwrap();
    synced(&mut ehr, &store).await;
    let commitments = async |finance: &mut common::Client| {
        let status = finance
            .get_follow_up_status(pb::GetFollowUpStatusRequest {
                frame: "SOCIAL".into(),
                as_of: date(6, 30),
            })
            .await
            .unwrap()
            .into_inner()
            .frames
            .remove(0);
        status.expected_rest_from_commitments_ore
    };

    // July–December by the month at 1,850.00 a week: 31 days 8,192.86 (July, August, October,
    // December), 30 days 7,928.57 (September, November): 4 × 8,192.86 + 2 × 7,928.57 = 48,628.58.
    assert_eq!(commitments(&mut finance).await, 4_862_858);

    // 2026.2 raises the package to 1,920.00 a week from 1 September: 31 days 8,502.86, 30 days
    // 8,228.57. 2 × 8,192.86 + 2 × 8,228.57 + 2 × 8,502.86 = 49,848.58, which is 1,220.00 more:
    // 70.00 a week over the 122 days from 1 September.
    let correction = include_str!("../../../deploy/catalog-2026.toml")
        .replace(r#"version = "2026.1""#, r#"version = "2026.2""#)
        .replace("effective_from = 2026-01-01", "effective_from = 2026-09-01")
        .replace(r#"weekly_price = "1850.00""#, r#"weekly_price = "1920.00""#);
    publisher
        .publish_catalog(pbv::PublishCatalogRequest {
            request_id: "pub-2026.2".into(),
            document: correction.into_bytes(),
        })
        .await
        .unwrap();
    synced(&mut ehr, &store).await;
    assert_eq!(commitments(&mut finance).await, 4_984_858);
}
