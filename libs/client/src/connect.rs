//! Clients of the three services, presenting one principal's bearer token and carrying the
//! current trace context (the kit's [`Outgoing`] interceptor). Channels connect lazily, so a
//! command that needs only budget works while visitation is down.

use std::time::Duration;

use clap::Args;

use afregning_kit::auth::Outgoing;
use afregning_proto::budget::v1::budget_service_client::BudgetServiceClient;
use afregning_proto::common::v1::{FeedPositions, GetFeedPositionsRequest};
use afregning_proto::settlement::v1::settlement_service_client::SettlementServiceClient;
use afregning_proto::visitation::v1::visitation_service_client::VisitationServiceClient;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};

/// The services' addresses when nothing says otherwise: `afregning up` listens on them.
pub const DEFAULT_URLS: [&str; 3] = ["http://127.0.0.1:50051", "http://127.0.0.1:50052", "http://127.0.0.1:50053"];

/// Where the running services are, and who is calling. The variables are `AFREGNING_CLI_*`:
/// `AFREGNING_<SERVICE>_*` belongs to the services' own configuration.
#[derive(Debug, Args)]
pub struct Connection {
    /// Visitation's URL [default: http://127.0.0.1:50051].
    #[arg(long, global = true, env = "AFREGNING_CLI_VISITATION_URL")]
    pub visitation: Option<String>,
    /// Settlement's URL [default: http://127.0.0.1:50052].
    #[arg(long, global = true, env = "AFREGNING_CLI_SETTLEMENT_URL")]
    pub settlement: Option<String>,
    /// Budget's URL [default: http://127.0.0.1:50053].
    #[arg(long, global = true, env = "AFREGNING_CLI_BUDGET_URL")]
    pub budget: Option<String>,
    /// Your bearer token (it decides who you are: the EHR, a provider, finance, a committee or
    /// the operator). Not needed against services on loopback without authentication.
    #[arg(long, global = true, env = "AFREGNING_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

impl Connection {
    /// The URLs given for visitation, settlement and budget, `None` where none was.
    pub fn given(&self) -> [Option<&str>; 3] {
        [self.visitation.as_deref(), self.settlement.as_deref(), self.budget.as_deref()]
    }

    /// The three services' URLs, in visitation, settlement, budget order.
    pub fn urls(&self) -> [String; 3] {
        let given = self.given();
        std::array::from_fn(|i| given[i].unwrap_or(DEFAULT_URLS[i]).to_owned())
    }

    /// Clients of the three services as the principal of `--token`.
    pub fn clients(&self) -> anyhow::Result<Clients> {
        Ok(Endpoints::new(&self.urls())?.as_principal(self.token.as_deref()))
    }
}

/// A channel that presents a token.
pub type Authed = InterceptedService<Channel, Outgoing>;

/// Where the services are.
#[derive(Clone, Debug)]
pub struct Endpoints {
    channels: [Channel; 3],
}

impl Endpoints {
    /// Lazy channels to visitation, settlement and budget at `urls`.
    pub fn new(urls: &[String; 3]) -> anyhow::Result<Endpoints> {
        let channel = |url: &String| -> anyhow::Result<Channel> {
            let endpoint = Endpoint::from_shared(url.clone()).map_err(|e| anyhow::anyhow!("{url} is not a service URL: {e}"))?;
            Ok(endpoint.connect_timeout(Duration::from_secs(5)).connect_lazy())
        };
        Ok(Endpoints {
            channels: [channel(&urls[0])?, channel(&urls[1])?, channel(&urls[2])?],
        })
    }

    /// The three clients as the principal holding `token` (none: a loopback service without
    /// authentication).
    pub fn as_principal(&self, token: Option<&str>) -> Clients {
        let outgoing = Outgoing::new(token);
        Clients {
            visitation: VisitationServiceClient::with_interceptor(self.channels[0].clone(), outgoing.clone()),
            settlement: SettlementServiceClient::with_interceptor(self.channels[1].clone(), outgoing.clone()),
            budget: BudgetServiceClient::with_interceptor(self.channels[2].clone(), outgoing),
        }
    }
}

/// One principal's clients.
#[derive(Clone)]
pub struct Clients {
    /// The authority's service.
    pub visitation: VisitationServiceClient<Authed>,
    /// The providers' service.
    pub settlement: SettlementServiceClient<Authed>,
    /// Finance's service.
    pub budget: BudgetServiceClient<Authed>,
}

/// How long [`Clients::wait_until_caught_up`] waits before giving up.
const CATCH_UP_TIMEOUT: Duration = Duration::from_secs(30);

impl Clients {
    /// Feed positions of visitation, settlement and budget.
    pub async fn feed_positions(&mut self) -> Result<[FeedPositions; 3], tonic::Status> {
        Ok([
            self.visitation.get_feed_positions(GetFeedPositionsRequest {}).await?.into_inner(),
            self.settlement.get_feed_positions(GetFeedPositionsRequest {}).await?.into_inner(),
            self.budget.get_feed_positions(GetFeedPositionsRequest {}).await?.into_inner(),
        ])
    }

    /// Waits until settlement and budget have applied everything visitation and settlement had
    /// published when it was called: after an EHR decision, before settling a month; after
    /// issuing statements, before reading budget.
    pub async fn wait_until_caught_up(&mut self) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + CATCH_UP_TIMEOUT;
        let [visitation, mut s, mut b] = self.feed_positions().await?;
        // What settlement had published when asked; its position as a follower moves on.
        let settlement_published = s.published_sequence;
        loop {
            let lag = behind(&s, "visitation", visitation.published_sequence)
                + behind(&b, "visitation", visitation.published_sequence)
                + behind(&b, "settlement", settlement_published);
            if lag == 0 {
                return Ok(());
            }
            anyhow::ensure!(
                tokio::time::Instant::now() < deadline,
                "settlement and budget are still {lag} events behind after {}s: is every service running?",
                CATCH_UP_TIMEOUT.as_secs()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
            // Upstream's published sequences stay as first read: only the followers are asked again.
            s = self.settlement.get_feed_positions(GetFeedPositionsRequest {}).await?.into_inner();
            b = self.budget.get_feed_positions(GetFeedPositionsRequest {}).await?.into_inner();
        }
    }
}

/// How many events of `feed` a service with `positions` has yet to apply to reach `published`.
pub fn behind(positions: &FeedPositions, feed: &str, published: u64) -> u64 {
    let applied = positions
        .followed
        .iter()
        .find(|f| f.feed == feed)
        .map(|f| f.applied_sequence)
        .unwrap_or_default();
    published.saturating_sub(applied)
}
