//! The web cockpit: what finance consultants, committee members and team leaders look at. It is
//! its own binary, `afregning-cockpit`, for a deployment (it links neither the services nor the
//! demo), and is also served by `afregning up` beside the services and by `afregning cockpit`
//! against running ones. It reads only through the services' gRPC APIs as one principal. Pages are HTML with charts
//! drawn on the server as SVG; nothing is built or run in the browser.
//!
//! * `/` — per frame: the consumption curve against the budget profile, the forecasts from
//!   commitments and from the leader's expected accounts, the expected result, and whether a
//!   deviation awaits explanation (`?as_of=30.06.2026`).
//! * `/cases` — the quarter's reallocation cases with their purchases and approvals
//!   (`?quarter=2026-Q2`).
//! * `/progression` — per provider and course type: function scores, visited hours around the
//!   courses, courses due for follow-up (`?as_of=30.06.2026`).
//! * `/steering` — the steering models side by side (`?from=04.2026&to=06.2026`).

pub mod chart;
pub mod html;
mod pages;

use std::collections::HashMap;
use std::sync::Arc;

use afregning_kit::clock::today;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use tokio::net::TcpListener;

use afregning_client::connect::{Clients, Endpoints};
use afregning_client::describe::describe;
use afregning_client::parse::{parse_day, parse_period, parse_quarter};

/// What every request needs: clients as the cockpit's principal.
struct Cockpit {
    clients: Clients,
}

/// Serves the cockpit on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    endpoints: Endpoints,
    token: Option<String>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let state = Arc::new(Cockpit {
        clients: endpoints.as_principal(token.as_deref()),
    });
    let app = Router::new()
        .route("/", get(follow_up))
        .route("/cases", get(cases))
        .route("/progression", get(progression))
        .route("/steering", get(steering))
        // Readiness: ready only while every service answers the cockpit's principal.
        .route("/healthz", get(ready))
        // Liveness: the process answers, whatever the services behind it do, so a service
        // outage does not restart the cockpit.
        .route("/livez", get(|| async { "ok" }))
        .with_state(state);
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await?;
    Ok(())
}

/// How long readiness waits for each service.
const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// 200 `ready` when the cockpit can read every service as its principal; otherwise 503 naming
/// each service that cannot be read and why, so a readiness probe takes it out of rotation.
async fn ready(State(cockpit): State<Arc<Cockpit>>) -> Response {
    let mut clients = cockpit.clients.clone();
    let request = || afregning_proto::common::v1::GetFeedPositionsRequest {};
    let (v, s, b) = tokio::join!(
        tokio::time::timeout(READY_TIMEOUT, clients.visitation.get_feed_positions(request())),
        tokio::time::timeout(READY_TIMEOUT, clients.settlement.get_feed_positions(request())),
        tokio::time::timeout(READY_TIMEOUT, clients.budget.get_feed_positions(request())),
    );
    let mut problems = Vec::new();
    for (name, answer) in [
        ("visitation", v.map(|r| r.map(drop))),
        ("settlement", s.map(|r| r.map(drop))),
        ("budget", b.map(|r| r.map(drop))),
    ] {
        match answer {
            Ok(Ok(())) => {}
            Ok(Err(status)) => problems.push(format!("{name}: {}", describe(&status.into()))),
            Err(_) => problems.push(format!("{name}: no answer within {} s", READY_TIMEOUT.as_secs())),
        }
    }
    if problems.is_empty() {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, format!("not ready\n{}\n", problems.join("\n"))).into_response()
    }
}

/// Why a page could not be shown.
enum Failure {
    /// A query parameter is malformed.
    Query(String),
    /// A service refused or could not be reached.
    Service(anyhow::Error),
}

impl From<tonic::Status> for Failure {
    fn from(status: tonic::Status) -> Failure {
        Failure::Service(status.into())
    }
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Failure {
        Failure::Service(error)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let (code, text) = match self {
            Failure::Query(text) => (StatusCode::BAD_REQUEST, text),
            Failure::Service(error) => (service_code(&error), describe(&error)),
        };
        let body = format!(r#"<section><p class="warn">{}</p></section>"#, html::escape(&text));
        (code, Html(html::page("", "Cannot show this page", &body))).into_response()
    }
}

/// The HTTP status of a page the services refused: the query's fault (400, 404) where the service
/// says the request is wrong, 503 where it cannot be read as the cockpit's principal or at all.
fn service_code(error: &anyhow::Error) -> StatusCode {
    match error.downcast_ref::<tonic::Status>().map(tonic::Status::code) {
        Some(tonic::Code::InvalidArgument | tonic::Code::FailedPrecondition | tonic::Code::OutOfRange) => StatusCode::BAD_REQUEST,
        Some(tonic::Code::NotFound) => StatusCode::NOT_FOUND,
        Some(tonic::Code::Unavailable | tonic::Code::Unauthenticated | tonic::Code::PermissionDenied | tonic::Code::DeadlineExceeded) => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        _ => StatusCode::BAD_GATEWAY,
    }
}

type Params = Query<HashMap<String, String>>;

/// The `as_of` parameter (31.10.2026 or 2026-10-31), today when absent.
fn as_of(params: &HashMap<String, String>) -> Result<NaiveDate, Failure> {
    match params.get("as_of").filter(|s| !s.is_empty()) {
        None => Ok(today()),
        Some(text) => parse_day(text).map_err(|_| Failure::Query(format!("as_of: not a date such as 31.10.2026: {text}"))),
    }
}

/// A month parameter (04.2026 or 2026-04).
fn month(params: &HashMap<String, String>, name: &str, default: (i32, i32)) -> Result<(i32, i32), Failure> {
    match params.get(name).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(text) => parse_period(text).map_err(|e| Failure::Query(format!("{name}: {e}"))),
    }
}

fn month_number(date: NaiveDate) -> i32 {
    i32::try_from(date.month()).unwrap_or(1)
}

async fn follow_up(State(cockpit): State<Arc<Cockpit>>, Query(params): Params) -> Result<Html<String>, Failure> {
    let as_of = as_of(&params)?;
    let mut clients = cockpit.clients.clone();
    let body = pages::follow_up(&mut clients, as_of, today()).await?;
    Ok(Html(html::page("/", "Budget follow-up (budgetopfølgning)", &body)))
}

async fn cases(State(cockpit): State<Arc<Cockpit>>, Query(params): Params) -> Result<Html<String>, Failure> {
    // By default the last quarter that has ended.
    let today = today();
    let current = (today.year(), (month_number(today) - 1) / 3 + 1);
    let default = if current.1 == 1 {
        (current.0 - 1, 4)
    } else {
        (current.0, current.1 - 1)
    };
    let quarter = match params.get("quarter").filter(|s| !s.is_empty()) {
        None => default,
        Some(text) => parse_quarter(text).map_err(|e| Failure::Query(format!("quarter: {e}")))?,
    };
    let mut clients = cockpit.clients.clone();
    let body = pages::cases(&mut clients, quarter).await?;
    Ok(Html(html::page("/cases", "Reallocation (omplacering)", &body)))
}

async fn progression(State(cockpit): State<Arc<Cockpit>>, Query(params): Params) -> Result<Html<String>, Failure> {
    let as_of = as_of(&params)?;
    let mut clients = cockpit.clients.clone();
    let body = pages::progression(&mut clients, as_of).await?;
    Ok(Html(html::page("/progression", "Progression", &body)))
}

async fn steering(State(cockpit): State<Arc<Cockpit>>, Query(params): Params) -> Result<Html<String>, Failure> {
    // By default the year so far: January to the last month that has ended.
    let today = today();
    let last = if today.month() == 1 {
        (today.year() - 1, 12)
    } else {
        (today.year(), month_number(today) - 1)
    };
    let to = month(&params, "to", last)?;
    let from = month(&params, "from", (to.0, 1))?;
    let mut clients = cockpit.clients.clone();
    let body = pages::steering(&mut clients, from, to).await?;
    Ok(Html(html::page("/steering", "Steering models (styringsmodeller)", &body)))
}
