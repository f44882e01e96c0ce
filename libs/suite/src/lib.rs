//! The three services in one process, each on its own port with its own database, wired to
//! follow each other: what `afregning up` runs until stopped, what `afregning demo` runs on a
//! throwaway directory, and what the end-to-end tests start on either backend.
//!
//! Each service is exactly what its own binary serves (the kit's [`prepare`] with the service's
//! [`ServiceDef`]); only the feed URLs are set here, to the siblings' bound addresses, so ports
//! may be 0.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;

use afregning_kit::config::ServiceConfig;
use afregning_kit::server::{ServiceDef, prepare};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// The services in the order they start: each follows the one before it.
pub const SERVICES: [ServiceDef; 3] = [afregning_visitation::DEF, afregning_settlement::DEF, afregning_budget::DEF];

/// The configuration of each service, in [`SERVICES`] order.
#[derive(Clone, Debug)]
pub struct SuiteConfig {
    /// visitation, settlement, budget.
    pub services: [ServiceConfig; 3],
}

impl SuiteConfig {
    /// Each service's configuration as its own binary would load it (defaults, the file named by
    /// `AFREGNING_CONFIG`, then `AFREGNING_*` variables); a service still on the default SQLite
    /// file gets it under `data_dir` instead, when one is given.
    pub fn load(data_dir: Option<&Path>) -> anyhow::Result<SuiteConfig> {
        let load = |def: &ServiceDef| -> anyhow::Result<ServiceConfig> {
            let mut config = ServiceConfig::load(def.service)?;
            if let Some(dir) = data_dir
                && config.database_url == ServiceConfig::defaults(def.service).database_url
            {
                config.database_url = sqlite_in(dir, def.service);
            }
            Ok(config)
        };
        Ok(SuiteConfig {
            services: [load(&SERVICES[0])?, load(&SERVICES[1])?, load(&SERVICES[2])?],
        })
    }

    /// Built-in defaults on free loopback ports with SQLite files under `dir` and the given
    /// catalog: for the demo and tests, independent of the environment.
    pub fn embedded(dir: &Path, catalog: &Path) -> SuiteConfig {
        let config = |def: &ServiceDef| {
            let mut config = ServiceConfig::defaults(def.service);
            config.listen = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
            config.database_url = sqlite_in(dir, def.service);
            config.catalogs = vec![catalog.to_path_buf()];
            config
        };
        SuiteConfig {
            services: [config(&SERVICES[0]), config(&SERVICES[1]), config(&SERVICES[2])],
        }
    }

    /// The same bearer tokens on every service, and the token each presents to the feeds it
    /// follows.
    pub fn with_tokens(mut self, tokens: &[(&str, &str)], upstream: [Option<&str>; 3]) -> SuiteConfig {
        for (config, upstream) in self.services.iter_mut().zip(upstream) {
            config.auth_tokens = tokens.iter().map(|(t, p)| ((*t).to_owned(), (*p).to_owned())).collect();
            config.upstream_token = upstream.map(str::to_owned);
        }
        self
    }
}

fn sqlite_in(dir: &Path, service: &str) -> String {
    format!("sqlite://{}", dir.join(format!("{service}.db")).display())
}

/// The running suite.
pub struct Suite {
    /// Where visitation, settlement and budget listen, in [`SERVICES`] order.
    pub addrs: [SocketAddr; 3],
    /// `http`, or `https` when the services serve TLS.
    scheme: &'static str,
    /// Tells every server to stop.
    stop: watch::Sender<bool>,
    servers: JoinSet<anyhow::Result<()>>,
}

impl Suite {
    /// Binds all three addresses, then readies the services in order (catalogs, databases,
    /// routes) and serves them; fails, naming the service, if any cannot start.
    pub async fn start(config: SuiteConfig) -> anyhow::Result<Suite> {
        let mut listeners = Vec::with_capacity(3);
        for (def, config) in SERVICES.iter().zip(&config.services) {
            let listener = TcpListener::bind(config.listen)
                .await
                .map_err(|e| anyhow::anyhow!("{}: cannot listen on {}: {e}", def.service, config.listen))?;
            listeners.push(listener);
        }
        let addrs: Vec<SocketAddr> = listeners.iter().map(TcpListener::local_addr).collect::<Result<_, _>>()?;
        // With TLS configured the siblings are reached over https, presenting the service's
        // own certificate.
        let scheme = if config.services.iter().any(|c| c.tls_cert.is_some()) {
            "https"
        } else {
            "http"
        };
        let url = |addr: SocketAddr| {
            let host = if addr.ip().is_unspecified() {
                Ipv4Addr::LOCALHOST.into()
            } else {
                addr.ip()
            };
            format!("{scheme}://{}", SocketAddr::new(host, addr.port()))
        };
        let (stop, stopped) = watch::channel(false);
        let mut servers = JoinSet::new();
        for ((def, mut config), listener) in SERVICES.into_iter().zip(config.services).zip(listeners) {
            config.visitation_url = url(addrs[0]);
            config.settlement_url = url(addrs[1]);
            let server = prepare(def, config, listener).await?;
            let mut stopped = stopped.clone();
            servers.spawn(server.run_until(async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            }));
        }
        Ok(Suite {
            addrs: [addrs[0], addrs[1], addrs[2]],
            scheme,
            stop,
            servers,
        })
    }

    /// URLs of visitation, settlement and budget.
    pub fn urls(&self) -> [String; 3] {
        self.addrs.map(|a| format!("{}://{a}", self.scheme))
    }

    /// Serves until `shutdown` completes or a server fails, then stops them all.
    pub async fn run_until(mut self, shutdown: impl std::future::Future<Output = ()>) -> anyhow::Result<()> {
        let failed = tokio::select! {
            () = shutdown => None,
            Some(result) = self.servers.join_next() => Some(result),
        };
        let stopped = self.stop().await;
        match failed {
            Some(result) => result?.and(Err(anyhow::anyhow!("a service stopped unexpectedly"))),
            None => stopped,
        }
    }

    /// Stops every server and waits until they have finished their calls.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let _ = self.stop.send(true);
        while let Some(result) = self.servers.join_next().await {
            result??;
        }
        Ok(())
    }
}
