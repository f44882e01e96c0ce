//! One trace across the suite: the three service binaries run as separate processes, each
//! exporting spans over OTLP to a receiver inside this test. A client starts a trace with its
//! call to visitation; settlement and budget apply the resulting grant event in that same trace,
//! so the receiver sees the client's W3C trace id from all three services.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use afregning_client::connect::Endpoints;
use afregning_kit::testing::{ServiceProcess, built_binary};
use afregning_proto::common::v1 as pbc;
use afregning_proto::visitation::v1 as pbv;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use tokio_stream::wrappers::TcpListenerStream;

/// The trace the client starts (W3C: 16 bytes of trace id, 8 of parent span id, sampled).
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

/// Spans received: service name → span names, per trace id (hex).
type Received = Arc<Mutex<BTreeMap<String, BTreeMap<String, BTreeSet<String>>>>>;

#[derive(Clone, Default)]
struct Receiver {
    received: Received,
}

#[tonic::async_trait]
impl TraceService for Receiver {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let mut received = self.received.lock().map_err(|_| tonic::Status::internal("poisoned"))?;
        for resource_spans in request.into_inner().resource_spans {
            let service = resource_spans
                .resource
                .iter()
                .flat_map(|r| &r.attributes)
                .find(|a| a.key == "service.name")
                .and_then(|a| a.value.as_ref())
                .and_then(|v| match &v.value {
                    Some(Value::StringValue(s)) => Some(s.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            for span in resource_spans.scope_spans.into_iter().flat_map(|s| s.spans) {
                let trace: String = span.trace_id.iter().map(|b| format!("{b:02x}")).collect();
                received
                    .entry(trace)
                    .or_default()
                    .entry(service.clone())
                    .or_default()
                    .insert(span.name);
            }
        }
        Ok(tonic::Response::new(ExportTraceServiceResponse { partial_success: None }))
    }
}

/// A request carrying the client's trace context.
fn traced<T>(message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert("traceparent", TRACEPARENT.parse().unwrap());
    request
}

fn env(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
}

#[tokio::test]
async fn a_decision_is_one_trace_through_all_three_services() {
    let receiver = Receiver::default();
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
    let collector = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(TraceServiceServer::new(receiver.clone()))
            .serve_with_incoming(TcpListenerStream::new(listener)),
    );

    let tokens = "{ test-token-ehr-nexus-0001 = \"ehr:nexus\", test-token-service-settlement = \"service:settlement\", \
                  test-token-service-budget-001 = \"service:budget\" }";
    let common = [
        ("AFREGNING_OTLP_ENDPOINT", collector),
        ("AFREGNING_AUTH_TOKENS", tokens.to_owned()),
        ("OTEL_BSP_SCHEDULE_DELAY", "100".to_owned()),
    ];
    let visitation = ServiceProcess::spawn(&built_binary("visitation"), "visitation", &env(&common))
        .await
        .unwrap();
    let visitation_url = format!("http://{}", visitation.addr);
    let settlement = ServiceProcess::spawn(
        &built_binary("settlement"),
        "settlement",
        &env(&[
            common.as_slice(),
            &[
                // Keys that begin with a service's name are set for one service only.
                ("AFREGNING_SETTLEMENT_VISITATION_URL", visitation_url.clone()),
                ("AFREGNING_UPSTREAM_TOKEN", "test-token-service-settlement".to_owned()),
            ],
        ]
        .concat()),
    )
    .await
    .unwrap();
    let budget = ServiceProcess::spawn(
        &built_binary("budget"),
        "budget",
        &env(&[
            common.as_slice(),
            &[
                ("AFREGNING_BUDGET_VISITATION_URL", visitation_url.clone()),
                ("AFREGNING_BUDGET_SETTLEMENT_URL", format!("http://{}", settlement.addr)),
                ("AFREGNING_UPSTREAM_TOKEN", "test-token-service-budget-001".to_owned()),
            ],
        ]
        .concat()),
    )
    .await
    .unwrap();

    // The EHR's system starts the trace: its calls carry the W3C traceparent header.
    let endpoints = Endpoints::new(&[
        visitation_url,
        format!("http://{}", settlement.addr),
        format!("http://{}", budget.addr),
    ])
    .unwrap();
    let mut ehr = endpoints.as_principal(Some("test-token-ehr-nexus-0001")).visitation;
    let provider = ehr
        .register_provider(traced(pbv::RegisterProviderRequest {
            request_id: "trace-provider".into(),
            cvr: "29189668".into(),
            name: "Hjemmeplejen Nord".into(),
            kind: pbc::ProviderKind::Municipal as i32,
            committee: "SOCIAL".into(),
            approved_for: vec!["personal_care_package".into()],
            provider_id: String::new(),
        }))
        .await
        .unwrap()
        .into_inner();
    let citizen = ehr
        .register_citizen(traced(pbv::RegisterCitizenRequest {
            request_id: "trace-citizen".into(),
            cpr: "0202402222".into(),
        }))
        .await
        .unwrap()
        .into_inner();
    ehr.decide_grant(traced(pbv::DecideGrantRequest {
        request_id: "trace-grant".into(),
        citizen_id: citizen.citizen_id,
        terms: Some(pbv::GrantTerms {
            unit_kind: pbc::UnitKind::Package as i32,
            legal_basis: "SEL-83".into(),
            intervention: "personlig-pleje".into(),
            visited_minutes_per_week: 240,
            package: "personal_care_package".into(),
            providers: vec![pbc::ProviderShare {
                provider_id: provider.provider_id,
                share_percent: 100,
                lead: true,
            }],
            ..Default::default()
        }),
        start: Some(pbc::Date {
            year: 2026,
            month: 4,
            day: 10,
        }),
        end: None,
        decided_on: None,
    }))
    .await
    .unwrap();

    let expected: BTreeSet<String> = ["afregning-budget", "afregning-settlement", "afregning-visitation"]
        .map(str::to_owned)
        .into();
    let mut seen = BTreeMap::new();
    for _ in 0..200 {
        seen = receiver.received.lock().unwrap().get(TRACE_ID).cloned().unwrap_or_default();
        let followers_applied = ["afregning-settlement", "afregning-budget"]
            .iter()
            .all(|s| seen.get(*s).is_some_and(|names| names.contains("apply_feed_event")));
        if followers_applied && seen.keys().cloned().collect::<BTreeSet<_>>() == expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        seen.keys().cloned().collect::<BTreeSet<_>>(),
        expected,
        "the client's trace id from every service: {seen:?}; all: {:?}",
        receiver.received.lock().unwrap()
    );
    assert!(seen["afregning-visitation"].contains("grpc"), "visitation's request span: {seen:?}");
    for follower in ["afregning-settlement", "afregning-budget"] {
        assert!(
            seen[follower].contains("apply_feed_event"),
            "{follower} applies the grant event in the client's trace: {seen:?}"
        );
    }
    let others = receiver.received.lock().unwrap().len();
    assert!(others > 1, "calls without a traceparent start traces of their own");

    for process in [budget, settlement, visitation] {
        assert_eq!(process.terminate().await.unwrap(), Some(0), "clean exit on SIGTERM");
    }
}
