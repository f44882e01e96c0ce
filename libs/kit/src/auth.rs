//! Who is calling. Each caller is a principal: the EHR, a provider, finance, a committee, an
//! operator or one of the services. A client certificate (mutual TLS, see [`crate::tls`]) maps
//! to a principal by its names; configured bearer tokens map to principals the same way
//! (development and the demo). A service with neither configured treats every caller as
//! `local` and refuses to listen anywhere but on loopback, so an unauthenticated service is never
//! reachable from another machine.
//!
//! The interceptor puts the [`Principal`] into the request's extensions; each RPC then decides
//! what that principal may do with [`require`].

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use tonic::{Request, Status};

use crate::error::ApiError;

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Principal {
    /// Any caller of a service without authentication (loopback only).
    Local,
    /// A municipal EHR system, e.g. `ehr:nexus`.
    Ehr(String),
    /// A provider, by provider id, e.g. `provider:prv_…`.
    Provider(String),
    /// The finance department and its ERP.
    Finance,
    /// A committee, by code, e.g. `committee:SOCIAL`.
    Committee(String),
    /// An operator running settlement and the suite.
    Operator,
    /// Another Afregning service, e.g. `service:settlement`.
    Service(String),
}

/// The kinds of principal, for permission lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// [`Principal::Local`].
    Local,
    /// [`Principal::Ehr`].
    Ehr,
    /// [`Principal::Provider`].
    Provider,
    /// [`Principal::Finance`].
    Finance,
    /// [`Principal::Committee`].
    Committee,
    /// [`Principal::Operator`].
    Operator,
    /// [`Principal::Service`].
    Service,
}

impl Role {
    /// Every role: for reads that reveal nothing about anyone, such as feed positions.
    pub const ALL: &[Role] = &[
        Role::Local,
        Role::Ehr,
        Role::Provider,
        Role::Finance,
        Role::Committee,
        Role::Operator,
        Role::Service,
    ];
}

impl Principal {
    /// Parses `local`, `ehr:<name>`, `provider:<id>`, `finance`, `committee:<CODE>`, `operator`
    /// or `service:<name>`.
    pub fn parse(text: &str) -> Option<Principal> {
        let (kind, name) = text.split_once(':').map_or((text, None), |(k, n)| (k, Some(n)));
        let named = |n: Option<&str>| n.filter(|n| !n.is_empty() && n.len() <= 64).map(str::to_owned);
        match kind {
            "local" if name.is_none() => Some(Principal::Local),
            "finance" if name.is_none() => Some(Principal::Finance),
            "operator" if name.is_none() => Some(Principal::Operator),
            "ehr" => named(name).map(Principal::Ehr),
            "provider" => named(name).map(Principal::Provider),
            "committee" => named(name).map(Principal::Committee),
            "service" => named(name).map(Principal::Service),
            _ => None,
        }
    }

    /// Its role.
    pub fn role(&self) -> Role {
        match self {
            Principal::Local => Role::Local,
            Principal::Ehr(_) => Role::Ehr,
            Principal::Provider(_) => Role::Provider,
            Principal::Finance => Role::Finance,
            Principal::Committee(_) => Role::Committee,
            Principal::Operator => Role::Operator,
            Principal::Service(_) => Role::Service,
        }
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Principal::Local => f.write_str("local"),
            Principal::Ehr(n) => write!(f, "ehr:{n}"),
            Principal::Provider(n) => write!(f, "provider:{n}"),
            Principal::Finance => f.write_str("finance"),
            Principal::Committee(n) => write!(f, "committee:{n}"),
            Principal::Operator => f.write_str("operator"),
            Principal::Service(n) => write!(f, "service:{n}"),
        }
    }
}

/// Maps client certificates and bearer tokens to principals.
#[derive(Clone, Debug, Default)]
pub struct Authenticator {
    tokens: Arc<BTreeMap<String, Principal>>,
    /// Certificate name → principal; used only when client certificates are required (and so
    /// verified against the configured CA by the TLS layer).
    certificates: Arc<BTreeMap<String, Principal>>,
}

fn principals(map: &BTreeMap<String, String>, what: &str) -> anyhow::Result<BTreeMap<String, Principal>> {
    map.iter()
        .map(|(key, principal)| {
            let parsed = Principal::parse(principal).ok_or_else(|| anyhow::anyhow!("unknown principal {principal:?} in {what}"))?;
            Ok((key.clone(), parsed))
        })
        .collect()
}

impl Authenticator {
    /// From configuration: token → principal text. Refuses tokens shorter than 16 characters
    /// and principals it cannot parse.
    pub fn from_tokens(tokens: &BTreeMap<String, String>) -> anyhow::Result<Authenticator> {
        if let Some((token, principal)) = tokens.iter().find(|(token, _)| token.len() < 16) {
            anyhow::bail!(
                "auth token for {principal} is shorter than 16 characters ({} characters)",
                token.len()
            );
        }
        Ok(Authenticator {
            tokens: Arc::new(principals(tokens, "auth_tokens")?),
            certificates: Arc::default(),
        })
    }

    /// From a service's configuration: its tokens, and — when `tls` requires client
    /// certificates — its certificate names. Certificate names without required client
    /// certificates are refused: nothing would have verified them.
    pub fn from_config(config: &crate::config::ServiceConfig, tls: Option<&crate::tls::Tls>) -> anyhow::Result<Authenticator> {
        let mut auth = Authenticator::from_tokens(&config.auth_tokens)?;
        if !config.cert_principals.is_empty() {
            anyhow::ensure!(
                tls.is_some_and(crate::tls::Tls::requires_client_certificates),
                "cert_principals needs tls_cert, tls_key and tls_ca: only a CA-verified certificate names a principal"
            );
            auth.certificates = Arc::new(principals(&config.cert_principals, "cert_principals")?);
        }
        Ok(auth)
    }

    /// Whether any authentication is configured.
    pub fn is_enabled(&self) -> bool {
        !self.tokens.is_empty() || !self.certificates.is_empty()
    }

    /// The principal of a verified client certificate (DER, leaf first): the first of its
    /// names that is configured. UNAUTHENTICATED when none is.
    pub fn authenticate_certificate(&self, leaf: &[u8]) -> Result<Principal, Status> {
        crate::tls::certificate_names(leaf)
            .iter()
            .find_map(|name| self.certificates.get(name).cloned())
            .ok_or_else(|| Status::unauthenticated("the client certificate names no known principal"))
    }

    /// The principal of a request's metadata: UNAUTHENTICATED without a known token.
    pub fn authenticate(&self, metadata: &tonic::metadata::MetadataMap) -> Result<Principal, Status> {
        if !self.is_enabled() {
            return Ok(Principal::Local);
        }
        let token = metadata
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| Status::unauthenticated("a bearer token is required"))?;
        self.tokens
            .get(token)
            .cloned()
            .ok_or_else(|| Status::unauthenticated("unknown bearer token"))
    }

    /// A tonic interceptor that authenticates each request and stores its principal.
    pub fn interceptor(&self) -> impl FnMut(Request<()>) -> Result<Request<()>, Status> + Clone + Send + Sync + 'static {
        let auth = self.clone();
        move |mut request: Request<()>| {
            // A client certificate is there only when the TLS layer verified it against the CA.
            let leaf = request.peer_certs().and_then(|certs| certs.first().map(|c| c.as_ref().to_vec()));
            let principal = match leaf {
                Some(leaf) if !auth.certificates.is_empty() => auth.authenticate_certificate(&leaf)?,
                _ => auth.authenticate(request.metadata())?,
            };
            request.extensions_mut().insert(principal);
            Ok(request)
        }
    }
}

/// The request's principal, if its role is one of `allowed`; PERMISSION_DENIED otherwise. The
/// request's text and enum fields are then checked at the edge ([`crate::input`]), so a caller
/// that may not call learns nothing from its request's faults.
pub fn require<T: crate::input::Checked>(request: &Request<T>, allowed: &[Role]) -> Result<Principal, ApiError> {
    let principal = principal_in(request, allowed)?;
    request.get_ref().check()?;
    Ok(principal)
}

/// [`require`] for a client stream: its messages are checked one by one as they arrive, with
/// [`crate::input::check_message`].
pub fn require_stream<M>(request: &Request<tonic::Streaming<M>>, allowed: &[Role]) -> Result<Principal, ApiError> {
    principal_in(request, allowed)
}

fn principal_in<T>(request: &Request<T>, allowed: &[Role]) -> Result<Principal, ApiError> {
    match request.extensions().get::<Principal>() {
        Some(p) if allowed.contains(&p.role()) => Ok(p.clone()),
        Some(_) => Err(ApiError::PermissionDenied),
        None => Err(ApiError::Unauthenticated),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_map_to_principals() {
        let tokens = BTreeMap::from([("0123456789abcdef-ehr".to_owned(), "ehr:nexus".to_owned())]);
        let auth = Authenticator::from_tokens(&tokens).unwrap();
        let mut metadata = tonic::metadata::MetadataMap::new();
        assert_eq!(auth.authenticate(&metadata).unwrap_err().code(), tonic::Code::Unauthenticated);
        metadata.insert("authorization", "Bearer 0123456789abcdef-ehr".parse().unwrap());
        assert_eq!(auth.authenticate(&metadata).unwrap(), Principal::Ehr("nexus".into()));
        metadata.insert("authorization", "Bearer wrong-token-wrong-token".parse().unwrap());
        assert_eq!(auth.authenticate(&metadata).unwrap_err().code(), tonic::Code::Unauthenticated);
        assert!(Authenticator::from_tokens(&BTreeMap::from([("short".to_owned(), "finance".to_owned())])).is_err());
        assert!(Authenticator::from_tokens(&BTreeMap::from([("0123456789abcdef".to_owned(), "king".to_owned())])).is_err());
    }

    #[test]
    fn principals_round_trip_as_text() {
        for text in [
            "local",
            "ehr:nexus",
            "provider:prv_1",
            "finance",
            "committee:SOCIAL",
            "operator",
            "service:settlement",
        ] {
            assert_eq!(Principal::parse(text).unwrap().to_string(), text);
        }
        assert!(Principal::parse("ehr:").is_none());
        assert!(Principal::parse("finance:x").is_none());
    }
}

/// Client interceptor for calls to another Afregning service: presents this service's bearer
/// token (when one is configured) and carries the current trace context.
#[derive(Clone, Debug, Default)]
pub struct Outgoing {
    token: Option<Arc<str>>,
}

impl Outgoing {
    /// Presents `token`, if any.
    pub fn new(token: Option<&str>) -> Outgoing {
        Outgoing {
            token: token.map(Arc::from),
        }
    }
}

impl tonic::service::Interceptor for Outgoing {
    fn call(&mut self, request: Request<()>) -> Result<Request<()>, Status> {
        let mut request = crate::telemetry::inject_trace_context(request)?;
        if let Some(token) = &self.token {
            let value = format!("Bearer {token}")
                .parse()
                .map_err(|_| Status::internal("upstream token is not valid metadata"))?;
            request.metadata_mut().insert("authorization", value);
        }
        Ok(request)
    }
}
