//! Mutual TLS across the suite: each service serves with its own certificate, requires callers'
//! certificates from the municipality's CA, maps a certificate's name to a principal, and
//! follows its upstream presenting its own certificate. No bearer tokens are configured, and the
//! services listen on all interfaces — allowed because callers must authenticate.

use std::path::{Path, PathBuf};
use std::time::Duration;

use afregning_proto::budget::v1 as pbb;
use afregning_proto::common::v1 as pbc;
use afregning_proto::visitation::v1 as pbv;
use afregning_suite::{Suite, SuiteConfig};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use tonic::transport::{Certificate, ClientTlsConfig, Endpoint, Identity};

/// A certificate authority that issues certificates into a folder as PEM files.
struct Pki {
    dir: PathBuf,
    issuer: Issuer<'static, KeyPair>,
    ca_pem: String,
}

impl Pki {
    fn new(dir: &Path, name: &str) -> Pki {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let key = KeyPair::generate().unwrap();
        let ca_pem = params.self_signed(&key).unwrap().pem();
        let path = dir.join(format!("{name}.pem"));
        std::fs::write(&path, &ca_pem).unwrap();
        Pki {
            dir: dir.to_path_buf(),
            issuer: Issuer::new(params, key),
            ca_pem,
        }
    }

    /// Issues a certificate to `name` (its common name, also a DNS name) valid for this machine
    /// too; returns the certificate and key files.
    fn issue(&self, name: &str) -> (PathBuf, PathBuf) {
        let mut params = CertificateParams::new(vec![name.to_owned(), "localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        let (cert_path, key_path) = (self.dir.join(format!("{name}.crt")), self.dir.join(format!("{name}.key")));
        std::fs::write(&cert_path, cert.pem()).unwrap();
        std::fs::write(&key_path, key.serialize_pem()).unwrap();
        (cert_path, key_path)
    }

    fn ca_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.pem"))
    }
}

/// A channel to `addr` as the holder of `identity` (none: no client certificate), trusting `ca`.
async fn channel(
    addr: std::net::SocketAddr,
    ca: &str,
    identity: Option<(&Path, &Path)>,
) -> Result<tonic::transport::Channel, tonic::transport::Error> {
    let mut tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(ca))
        .domain_name("localhost");
    if let Some((cert, key)) = identity {
        tls = tls.identity(Identity::from_pem(std::fs::read(cert).unwrap(), std::fs::read(key).unwrap()));
    }
    Endpoint::from_shared(format!("https://localhost:{}", addr.port()))?
        .tls_config(tls)?
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
}

#[tokio::test]
async fn certificates_are_the_principals_across_the_suite() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(dir.path(), "kommune-ca");
    let catalog = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/catalog-2026.toml"));
    let mut config = SuiteConfig::embedded(dir.path(), &catalog);
    let principals = [
        ("nexus.ehr.kommune.test", "ehr:nexus"),
        ("finance.kommune.test", "finance"),
        ("operator.kommune.test", "operator"),
        ("settlement.afregning.test", "service:settlement"),
        ("budget.afregning.test", "service:budget"),
    ];
    for service in &mut config.services {
        let (cert, key) = pki.issue(&format!("{}.afregning.test", service.service));
        service.listen = "0.0.0.0:0".parse().unwrap();
        service.tls_cert = Some(cert);
        service.tls_key = Some(key);
        service.tls_ca = Some(pki.ca_path("kommune-ca"));
        service.cert_principals = principals.iter().map(|(n, p)| ((*n).to_owned(), (*p).to_owned())).collect();
    }
    let suite = Suite::start(config).await.unwrap();
    assert!(suite.urls()[0].starts_with("https://"));

    let ehr_files = pki.issue("nexus.ehr.kommune.test");
    let ehr_id = (ehr_files.0.as_path(), ehr_files.1.as_path());
    let mut ehr =
        pbv::visitation_service_client::VisitationServiceClient::new(channel(suite.addrs[0], &pki.ca_pem, Some(ehr_id)).await.unwrap());
    let provider = ehr
        .register_provider(pbv::RegisterProviderRequest {
            request_id: "mtls-provider".into(),
            cvr: "29189668".into(),
            name: "Hjemmeplejen Nord".into(),
            kind: pbc::ProviderKind::Municipal as i32,
            committee: "SOCIAL".into(),
            approved_for: vec!["personal_care_package".into()],
            provider_id: String::new(),
        })
        .await
        .expect("the EHR's certificate is the EHR")
        .into_inner();
    assert!(!provider.provider_id.is_empty());

    // The followers reached visitation and settlement with their own certificates, as services.
    let operator_files = pki.issue("operator.kommune.test");
    let operator_channel = |i: usize| {
        channel(
            suite.addrs[i],
            &pki.ca_pem,
            Some((operator_files.0.as_path(), operator_files.1.as_path())),
        )
    };
    let mut feeds = Vec::new();
    for i in 0..3 {
        feeds.push(operator_channel(i).await.unwrap());
    }
    let mut caught_up = false;
    for _ in 0..100 {
        let settlement = afregning_proto::settlement::v1::settlement_service_client::SettlementServiceClient::new(feeds[1].clone())
            .get_feed_positions(pbc::GetFeedPositionsRequest {})
            .await
            .unwrap()
            .into_inner();
        let budget = pbb::budget_service_client::BudgetServiceClient::new(feeds[2].clone())
            .get_feed_positions(pbc::GetFeedPositionsRequest {})
            .await
            .unwrap()
            .into_inner();
        // The provider and the deployment's catalog, published at start.
        let published = pbv::visitation_service_client::VisitationServiceClient::new(feeds[0].clone())
            .get_feed_positions(pbc::GetFeedPositionsRequest {})
            .await
            .unwrap()
            .into_inner()
            .published_sequence;
        let applied = |p: &pbc::FeedPositions| p.followed.iter().find(|f| f.feed == "visitation").map(|f| f.applied_sequence);
        if published == 2 && applied(&settlement) == Some(published) && applied(&budget) == Some(published) {
            caught_up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(caught_up, "settlement and budget followed visitation over mutual TLS");

    // A principal does only what its role may: the EHR's certificate cannot set up budgets.
    let mut ehr_in_budget =
        pbb::budget_service_client::BudgetServiceClient::new(channel(suite.addrs[2], &pki.ca_pem, Some(ehr_id)).await.unwrap());
    let denied = ehr_in_budget
        .create_committee(pbb::CreateCommitteeRequest {
            request_id: "mtls-committee".into(),
            code: "SOCIAL".into(),
            name: "Socialudvalget".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(denied.code(), tonic::Code::PermissionDenied);

    // A certificate from the CA whose name is no principal: UNAUTHENTICATED.
    let stranger = pki.issue("printer.kommune.test");
    let mut unknown = pbv::visitation_service_client::VisitationServiceClient::new(
        channel(suite.addrs[0], &pki.ca_pem, Some((stranger.0.as_path(), stranger.1.as_path())))
            .await
            .unwrap(),
    );
    let refused = unknown.get_feed_positions(pbc::GetFeedPositionsRequest {}).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::Unauthenticated);

    // No certificate, a certificate from another CA, or no TLS at all: no call gets through.
    let rogue_dir = dir.path().join("rogue");
    std::fs::create_dir_all(&rogue_dir).unwrap();
    let rogue = Pki::new(&rogue_dir, "rogue-ca");
    let forged = rogue.issue("nexus.ehr.kommune.test");
    let attempts = [
        channel(suite.addrs[0], &pki.ca_pem, None).await,
        channel(suite.addrs[0], &pki.ca_pem, Some((forged.0.as_path(), forged.1.as_path()))).await,
        Endpoint::from_shared(format!("http://127.0.0.1:{}", suite.addrs[0].port()))
            .unwrap()
            .connect()
            .await,
    ];
    for (i, attempt) in attempts.into_iter().enumerate() {
        if let Ok(channel) = attempt {
            let mut client = pbv::visitation_service_client::VisitationServiceClient::new(channel);
            let answer = client.get_feed_positions(pbc::GetFeedPositionsRequest {}).await;
            assert!(answer.is_err(), "attempt {i} got through: {answer:?}");
        }
    }
    suite.stop().await.unwrap();
}
