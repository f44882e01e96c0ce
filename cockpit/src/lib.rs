//! The web cockpit: what finance consultants, committee members and team leaders look at. It is
//! its own binary, `afregning-cockpit`, for a deployment (it links neither the services nor the
//! demo), and is also served by `afregning up` beside the services and by `afregning cockpit`
//! against running ones. It reads only through the services' gRPC APIs as one principal. Pages
//! are HTML rendered on the server by `maud`, with charts drawn as SVG; nothing is built or run in
//! the browser. Every word comes from the message catalog (`libs/client/locales/*/cockpit.ftl`):
//! Danish unless `?lang=en` or the browser's `Accept-Language` asks for English.
//!
//! * `/` — per frame: the consumption curve against the budget profile, the forecasts from
//!   commitments and from the leader's expected accounts, the expected result, and whether a
//!   deviation awaits explanation (`?as_of=2026-06-30` or `30.06.2026`).
//! * `/frames/{frame}` — one frame's consumption per provider and month, from the issued
//!   statements (settlement vouchers), beside budget's ledger (`?year=2026`).
//! * `/statements/{id}` — one statement: its header and every line with its explanation.
//! * `/cases` — the quarter's reallocation cases with their purchases and approvals
//!   (`?quarter=2026-Q2`); `/cases/{id}` one case with its purchases and history.
//! * `/progression` — per provider and course type: function scores, visited hours around the
//!   courses, courses due for follow-up (`?as_of=30.06.2026`).
//! * `/steering` — the steering models side by side (`?from=2026-04&to=2026-06`).
//! * `/review` — the authority's review list of a settled month (stikprøvekontrol) with each
//!   grant's reasons, figures and outcome, and the share reviewed (`?period=2026-04`).
//!
//! Every table downloads as a CSV file for Excel with `?format=csv&table=<id>` (its link sits
//! under it).

mod ask;
pub mod chart;
pub mod html;
mod pages;
pub mod table;

use std::sync::Arc;

use afregning_kit::clock::today;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use maud::{Markup, html};
use tokio::net::TcpListener;
use tonic_types::StatusExt;

use afregning_client::connect::{Clients, Endpoints};
use afregning_client::describe::describe;

pub use ask::Ask;
use table::Table;

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
        .route("/frames/{frame}", get(frame))
        .route("/statements/{id}", get(statement))
        .route("/cases", get(cases))
        .route("/cases/{id}", get(case))
        .route("/progression", get(progression))
        .route("/steering", get(steering))
        .route("/review", get(review))
        // Readiness: ready only while every service answers the cockpit's principal.
        .route("/healthz", get(ready))
        // Liveness: the process answers, whatever the services behind it do, so a service
        // outage does not restart the cockpit.
        .route("/livez", get(|| async { "ok" }))
        .fallback(|ask: Ask| async move { Failure::NoSuchPage.page(&ask) })
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

/// A page being built: the request it answers and the tables it shows, so that any of them can
/// be answered as a CSV file instead.
pub(crate) struct View<'a> {
    ask: &'a Ask,
    tables: Vec<Table>,
}

impl<'a> View<'a> {
    fn new(ask: &'a Ask) -> View<'a> {
        View { ask, tables: Vec::new() }
    }

    /// The request.
    pub fn ask(&self) -> &'a Ask {
        self.ask
    }

    /// `table` on the page, with its download link; kept for a CSV request.
    pub fn table(&mut self, table: Table) -> Markup {
        assert!(
            self.tables.iter().all(|t| t.id != table.id),
            "table ids are unique on a page: {}",
            table.id
        );
        let markup = table.to_html(&self.ask.csv_href(&table.id), &self.ask.t("download-csv"));
        self.tables.push(table);
        markup
    }

    /// The page as HTML, or the table asked for as a CSV file.
    fn finish(mut self, path: &str, title: &str, body: Markup) -> Result<Response, Failure> {
        if self.ask.param("format") != Some("csv") {
            return Ok(Html(html::page(self.ask, path, title, body).into_string()).into_response());
        }
        let wanted = self.ask.param("table").unwrap_or_default().to_owned();
        let index = self
            .tables
            .iter()
            .position(|t| t.id == wanted)
            .ok_or_else(|| Failure::query("table", "error-no-such-table", &wanted))?;
        let table = self.tables.swap_remove(index);
        let disposition = format!("attachment; filename=\"{}.csv\"", table.id);
        let mut response = table.to_csv().into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
        if let Ok(value) = HeaderValue::from_str(&disposition) {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
        Ok(response)
    }
}

/// Why a page could not be shown.
enum Failure {
    /// A query parameter is malformed: which, the message saying how, and what was given.
    Query {
        field: &'static str,
        key: &'static str,
        given: String,
    },
    /// No page has this address.
    NoSuchPage,
    /// A service refused or could not be reached.
    Service(anyhow::Error),
}

impl Failure {
    fn query(field: &'static str, key: &'static str, given: &str) -> Failure {
        Failure::Query {
            field,
            key,
            given: given.chars().take(100).collect(),
        }
    }

    /// The failure as a page in the reader's language with its HTTP status. A service's own
    /// words (its message and each field at fault) are shown once, under the cockpit's sentence.
    fn page(self, ask: &Ask) -> Response {
        let (code, sentence, details) = match self {
            Failure::Query { field, key, given } => (
                StatusCode::BAD_REQUEST,
                ask.t_args(key, &[("field", field.to_owned()), ("value", given)]),
                Vec::new(),
            ),
            Failure::NoSuchPage => (StatusCode::NOT_FOUND, ask.t("error-no-such-page"), Vec::new()),
            Failure::Service(error) => {
                let code = service_code(&error);
                let key = match code {
                    StatusCode::BAD_REQUEST => "error-bad-request",
                    StatusCode::NOT_FOUND => "page-error-not-found",
                    StatusCode::SERVICE_UNAVAILABLE => "page-error-unavailable",
                    _ => "error-service",
                };
                (code, ask.t(key), service_details(&error))
            }
        };
        let body = html! {
            section {
                p class="warn" { (sentence) }
                @if !details.is_empty() {
                    p class="note" { (ask.t("error-details")) }
                    ul class="note" { @for d in &details { li { (d) } } }
                }
                p { a href=(ask.href("/")) { (ask.t("error-back")) } }
            }
        };
        let title = ask.t("error-title");
        (code, Html(html::page(ask, "", &title, body).into_string())).into_response()
    }
}

/// What the service said, each thing once: its message, then each field at fault whose
/// description does not repeat it.
fn service_details(error: &anyhow::Error) -> Vec<String> {
    let Some(status) = error.downcast_ref::<tonic::Status>() else {
        return vec![format!("{error:#}")];
    };
    let mut details = Vec::new();
    if !status.message().is_empty() {
        details.push(status.message().to_owned());
    }
    if let Some(bad) = status.get_details_bad_request() {
        for violation in bad.field_violations {
            // A service often says the same in its message and its one violation, with or
            // without the field in front.
            let text = format!("{}: {}", violation.field, violation.description);
            if violation.description == status.message() || details.contains(&text) {
                continue;
            }
            details.push(text);
        }
    }
    details
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

/// The page, or the failure as a page.
fn answer(ask: &Ask, result: Result<Response, Failure>) -> Response {
    result.unwrap_or_else(|failure| failure.page(ask))
}

fn month_number(date: NaiveDate) -> i32 {
    i32::try_from(date.month()).unwrap_or(1)
}

async fn follow_up(State(cockpit): State<Arc<Cockpit>>, ask: Ask) -> Response {
    let result = async {
        let as_of = ask.day("as_of", today())?;
        let mut view = View::new(&ask);
        let body = pages::follow_up::page(&mut view, &mut cockpit.clients.clone(), as_of, today()).await?;
        view.finish("/", &ask.t("nav-follow-up"), body)
    };
    answer(&ask, result.await)
}

async fn frame(State(cockpit): State<Arc<Cockpit>>, Path(frame): Path<String>, ask: Ask) -> Response {
    let result = async {
        let year = ask.year("year", today().year())?;
        let mut view = View::new(&ask);
        let (title, body) = pages::frame::page(&mut view, &mut cockpit.clients.clone(), &frame, year).await?;
        view.finish("/", &title, body)
    };
    answer(&ask, result.await)
}

async fn statement(State(cockpit): State<Arc<Cockpit>>, Path(id): Path<String>, ask: Ask) -> Response {
    let result = async {
        let mut view = View::new(&ask);
        let (title, body) = pages::statement::page(&mut view, &mut cockpit.clients.clone(), &id).await?;
        view.finish("/", &title, body)
    };
    answer(&ask, result.await)
}

async fn cases(State(cockpit): State<Arc<Cockpit>>, ask: Ask) -> Response {
    let result = async {
        // By default the last quarter that has ended.
        let today = today();
        let current = (today.year(), (month_number(today) - 1) / 3 + 1);
        let default = if current.1 == 1 {
            (current.0 - 1, 4)
        } else {
            (current.0, current.1 - 1)
        };
        let quarter = ask.quarter("quarter", default)?;
        let mut view = View::new(&ask);
        let body = pages::cases::list(&mut view, &mut cockpit.clients.clone(), quarter).await?;
        view.finish("/cases", &ask.t("nav-cases"), body)
    };
    answer(&ask, result.await)
}

async fn case(State(cockpit): State<Arc<Cockpit>>, Path(id): Path<String>, ask: Ask) -> Response {
    let result = async {
        let mut view = View::new(&ask);
        let (title, body) = pages::cases::one(&mut view, &mut cockpit.clients.clone(), &id).await?;
        view.finish("/cases", &title, body)
    };
    answer(&ask, result.await)
}

async fn progression(State(cockpit): State<Arc<Cockpit>>, ask: Ask) -> Response {
    let result = async {
        let as_of = ask.day("as_of", today())?;
        let mut view = View::new(&ask);
        let body = pages::progression::page(&mut view, &mut cockpit.clients.clone(), as_of).await?;
        view.finish("/progression", &ask.t("nav-progression"), body)
    };
    answer(&ask, result.await)
}

/// The last month that has ended, by today's date in Denmark.
fn last_ended_month() -> (i32, i32) {
    let today = today();
    if today.month() == 1 {
        (today.year() - 1, 12)
    } else {
        (today.year(), month_number(today) - 1)
    }
}

async fn review(State(cockpit): State<Arc<Cockpit>>, ask: Ask) -> Response {
    let result = async {
        // By default the last month that has ended.
        let month = ask.month("period", last_ended_month())?;
        let mut view = View::new(&ask);
        let body = pages::review::page(&mut view, &mut cockpit.clients.clone(), month).await?;
        view.finish("/review", &ask.t("nav-review"), body)
    };
    answer(&ask, result.await)
}

async fn steering(State(cockpit): State<Arc<Cockpit>>, ask: Ask) -> Response {
    let result = async {
        // By default the year so far: January to the last month that has ended.
        let to = ask.month("to", last_ended_month())?;
        let from = ask.month("from", (to.0, 1))?;
        let mut view = View::new(&ask);
        let body = pages::steering::page(&mut view, &mut cockpit.clients.clone(), from, to).await?;
        view.finish("/steering", &ask.t("nav-steering"), body)
    };
    answer(&ask, result.await)
}
