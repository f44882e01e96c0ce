//! CPR numbers never reach logs, span fields or error messages: the whole quarter runs across
//! the three services with every log line and span of every crate captured at DEBUG as JSON,
//! plus a few calls that fail on a CPR, and not one captured line carries a CPR number of the
//! story. The reads of personal data that do happen are in the citizen's audit log.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use afregning::print::Out;
use afregning::quarter;
use afregning_client::connect::Endpoints;
use afregning_proto::visitation::v1 as pbv;
use afregning_suite::{Suite, SuiteConfig};

/// The CPR numbers the quarter registers (citizens A–G).
const CPRS: [&str; 7] = [
    "0101401111",
    "0202402222",
    "0303403333",
    "0404404444",
    "0505402555",
    "0606402666",
    "0707402777",
];

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_cpr_number_in_any_log_line_of_a_whole_quarter() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        .with_span_list(true)
        .with_env_filter("debug")
        .with_writer(move || writer.clone())
        .init();

    let dir = tempfile::tempdir().unwrap();
    let catalog = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/catalog-2026.toml"));
    let config = SuiteConfig::embedded(dir.path(), &catalog).with_tokens(&quarter::TOKENS, quarter::UPSTREAM);
    let suite = Suite::start(config).await.unwrap();
    let endpoints = Endpoints::new(&suite.urls()).unwrap();
    let outcome = quarter::run(&endpoints, Out::quiet()).await.unwrap();
    assert_eq!(outcome.issued_total_ore, 20_230_125);

    // Calls that fail on a CPR: the error says what is wrong without repeating the number.
    let mut ehr = endpoints.as_principal(Some(quarter::TOKENS[0].0)).visitation;
    let wrong_date = ehr
        .register_citizen(pbv::RegisterCitizenRequest {
            request_id: "cpr-bad".into(),
            cpr: "3102409999".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(wrong_date.code(), tonic::Code::InvalidArgument);
    let unknown = ehr
        .find_citizen_by_cpr(pbv::FindCitizenByCprRequest {
            cpr: "0808402888".into(),
            purpose: "visitation meeting".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), tonic::Code::NotFound);
    for error in [&wrong_date, &unknown] {
        let shown = format!("{error:?}");
        assert!(!shown.contains("3102409999") && !shown.contains("0808402888"), "{shown}");
    }
    // A read that does find a citizen by CPR is audited, with who and why.
    let found = ehr
        .find_citizen_by_cpr(pbv::FindCitizenByCprRequest {
            cpr: CPRS[1].into(),
            purpose: "visitation meeting".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let audit = ehr
        .list_audit_entries(pbv::ListAuditEntriesRequest {
            citizen_id: found.citizen_id,
            page: None,
        })
        .await
        .unwrap()
        .into_inner()
        .entries;
    assert!(
        audit
            .iter()
            .any(|e| e.principal == "ehr:nexus" && e.purpose == "visitation meeting"),
        "{audit:?}"
    );
    suite.stop().await.unwrap();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = logs.lines().collect();
    assert!(lines.len() > 100, "the run was logged: {} lines", lines.len());
    assert!(
        logs.contains("/afregning.visitation.v1.VisitationService/RegisterCitizen"),
        "request spans are in the log"
    );
    assert!(logs.contains("apply_feed_event"), "follower spans are in the log");
    for cpr in CPRS.iter().chain(&["3102409999", "0808402888"]) {
        let leaks: Vec<&&str> = lines.iter().filter(|l| l.contains(cpr)).take(3).collect();
        assert!(leaks.is_empty(), "CPR {cpr} in the log: {leaks:?}");
    }
}
