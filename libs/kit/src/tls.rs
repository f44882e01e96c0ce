//! Mutual TLS: a service serves with its certificate (`tls_cert`, `tls_key`), and with a
//! configured CA (`tls_ca`) every caller must present a certificate that CA signed. The
//! certificate's names (subject common name and DNS names) map to a principal through
//! `cert_principals`, the same principals bearer tokens map to. A service presents the same
//! certificate when it follows another service's feed, and checks that service's certificate
//! against the same CA.

use std::path::Path;

use tonic::transport::{Certificate, ClientTlsConfig, Identity, ServerTlsConfig};

use crate::config::ServiceConfig;

/// A service's TLS material, read from the configured PEM files.
#[derive(Clone, Debug)]
pub struct Tls {
    identity: Identity,
    /// The CA that signs callers' and upstream services' certificates; without it the service
    /// serves TLS but asks no client certificate.
    ca: Option<Certificate>,
}

fn read(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| anyhow::anyhow!("{what} {}: {e}", path.display()))
}

impl Tls {
    /// The TLS of `config`: none without `tls_cert`; `tls_cert` and `tls_key` go together, and
    /// `tls_ca` needs them.
    pub fn from_config(config: &ServiceConfig) -> anyhow::Result<Option<Tls>> {
        match (&config.tls_cert, &config.tls_key) {
            (None, None) => {
                anyhow::ensure!(
                    config.tls_ca.is_none(),
                    "tls_ca needs tls_cert and tls_key: mutual TLS is TLS first"
                );
                Ok(None)
            }
            (Some(cert), Some(key)) => {
                let identity = Identity::from_pem(read(cert, "tls_cert")?, read(key, "tls_key")?);
                let ca = match &config.tls_ca {
                    Some(ca) => Some(Certificate::from_pem(read(ca, "tls_ca")?)),
                    None => None,
                };
                Ok(Some(Tls { identity, ca }))
            }
            _ => anyhow::bail!("tls_cert and tls_key go together"),
        }
    }

    /// Whether callers must present a certificate.
    pub fn requires_client_certificates(&self) -> bool {
        self.ca.is_some()
    }

    /// The server side: this service's certificate, and the CA callers' certificates must chain to.
    pub fn server(&self) -> ServerTlsConfig {
        let config = ServerTlsConfig::new().identity(self.identity.clone());
        match &self.ca {
            Some(ca) => config.client_ca_root(ca.clone()),
            None => config,
        }
    }

    /// The client side, toward another service: this service's certificate, checked against the CA.
    pub fn client(&self) -> ClientTlsConfig {
        let config = ClientTlsConfig::new().identity(self.identity.clone());
        match &self.ca {
            Some(ca) => config.ca_certificate(ca.clone()),
            None => config,
        }
    }
}

/// The names a certificate is issued to: its subject common names, then its DNS names.
pub fn certificate_names(der: &[u8]) -> Vec<String> {
    let Ok((_, certificate)) = x509_parser::parse_x509_certificate(der) else {
        return Vec::new();
    };
    let mut names: Vec<String> = certificate
        .subject()
        .iter_common_name()
        .filter_map(|cn| cn.as_str().ok().map(str::to_owned))
        .collect();
    if let Ok(Some(san)) = certificate.subject_alternative_name() {
        for name in &san.value.general_names {
            if let x509_parser::extensions::GeneralName::DNSName(dns) = name {
                names.push((*dns).to_owned());
            }
        }
    }
    names
}
