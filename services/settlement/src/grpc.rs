//! The `SettlementService` implementation. Providers are a read-only mirror of the authority's
//! approvals; deliveries are validated record by record against the mirrored grant in force on
//! the visit's day. No SQL here.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;

use afregning_kit::auth::{Principal, Role, require, require_stream};
use afregning_kit::clock::today;
use afregning_kit::paging::{MAX_PAGE_SIZE, next_token, page};
use afregning_kit::store::{RequestKey, Tx};
use afregning_kit::{ApiError, Violations};
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pb;
use afregning_proto::settlement::v1::settlement_service_server::SettlementService;
use afregning_proto::visitation::v1 as pbv;
use afregning_tariff::bands::{MAX_VISIT_MINUTES, utc_to_local};
use afregning_tariff::{CatalogSet, Period};
use chrono::{DateTime, Datelike, Utc};
use prost::Message;
use tokio_stream::Stream;
use tonic::{Request, Response, Status, Streaming};

use crate::grants::{has_provider, is_activity, valid_on, version_on};
use crate::run::{Runner, pb_statement};
use crate::store::{DeliveryRow, ISSUED, RunRow, RunTx, SettlementTx, StatementRow, StatementTx, Store, StoredLine};

/// Whether this service publishes a feed of its own.
const PUBLISHES: bool = true;
/// The feeds this service follows.
const FOLLOWS: &[&str] = &[crate::store::VISITATION_FEED];
/// Deliveries one stream message may carry.
const MAX_DELIVERIES_PER_MESSAGE: usize = 10_000;
/// The RPC's name in request keys.
const REPORT_DELIVERIES: &str = "ReportDeliveries";
/// Deliveries one stream may carry.
const MAX_DELIVERIES_PER_STREAM: u64 = 2_000_000;
/// Refusals listed in one answer; the count beyond is summarised in the last one.
const MAX_ERRORS_LISTED: usize = 10_000;
/// How far in the future a visit may start (clock skew between systems).
const CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(5);

/// Who may report and correct deliveries.
const REPORTERS: &[Role] = &[Role::Provider, Role::Operator, Role::Local];
/// Who may read providers.
const ANYONE: &[Role] = &[
    Role::Provider,
    Role::Operator,
    Role::Local,
    Role::Ehr,
    Role::Finance,
    Role::Committee,
    Role::Service,
];

/// Who may run settlement and issue statements.
const OPERATORS: &[Role] = &[Role::Operator, Role::Local];
/// Who may read statements (a provider only its own).
const STATEMENT_READERS: &[Role] = &[Role::Provider, Role::Operator, Role::Local, Role::Finance];
/// Who may compare steering models: finance, the committees and operators.
const STEERING_READERS: &[Role] = &[Role::Finance, Role::Committee, Role::Operator, Role::Local];
/// Frame budgets one comparison may carry.
const MAX_FRAME_BUDGETS: usize = 100;
/// Who may follow the postings feed.
const FEED_READERS: &[Role] = &[Role::Service, Role::Operator, Role::Local];
/// The feed event kind of a posting.
const POSTING_EVENT: i64 = 1;

/// The service, cheap to clone.
#[derive(Clone)]
pub struct Settlement {
    store: Store,
    runner: Runner,
    /// When this process started: a run recorded as going since before then was left by a
    /// stopped process, and a retry completes it.
    boot: String,
}

impl Settlement {
    /// A service over `store`, pricing with `catalogs`.
    pub fn new(store: Store, catalogs: Arc<CatalogSet>) -> Settlement {
        Settlement {
            runner: Runner::new(store.clone(), catalogs),
            store,
            boot: text_instant(Utc::now()),
        }
    }

    /// A statement the principal may read. A provider asking for another's statement, or one
    /// that does not exist, gets the same PERMISSION_DENIED, so ids cannot be probed.
    async fn readable_statement(&self, principal: &Principal, statement_id: &str) -> Result<StatementRow, ApiError> {
        let row = self.store.statement(statement_id).await?;
        match (principal, row) {
            (Principal::Provider(own), Some(row)) if row.provider_id == *own => Ok(row),
            (Principal::Provider(_), _) => Err(ApiError::PermissionDenied),
            (_, Some(row)) => Ok(row),
            (_, None) => Err(ApiError::NotFound("statement".into())),
        }
    }
}

impl Settlement {
    /// A statement's lines as the principal may see them: CPR numbers only for the provider the
    /// statement is for.
    async fn readable_lines(&self, principal: &Principal, row: &StatementRow) -> Result<Vec<StoredLine>, ApiError> {
        let mut lines = self.store.statement_lines(&row.statement_id).await?;
        if !matches!(principal, Principal::Provider(own) if *own == row.provider_id) {
            lines.iter_mut().for_each(|l| l.line.cpr.clear());
        }
        Ok(lines)
    }
}

/// A posting as the feed stores it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PostingRecord {
    /// `<statement>-<n>`.
    pub posting_id: String,
    /// The issued statement.
    pub statement_id: String,
    /// Its provider.
    pub provider_id: String,
    /// `YYYY-MM`.
    pub period: String,
    /// The frame that pays.
    pub paying_frame: String,
    /// The frame that owns the need.
    pub need_frame: String,
    /// The paying frame's account.
    pub account: String,
    /// Øre.
    pub amount_ore: i64,
}

/// One posting per paying frame, need frame and account of an issued statement; they add up to
/// its total.
fn postings(row: &StatementRow, lines: &[StoredLine]) -> Vec<PostingRecord> {
    let mut sums: std::collections::BTreeMap<(String, String, String), i64> = std::collections::BTreeMap::new();
    for l in lines {
        for part in &l.frames {
            *sums
                .entry((part.paying_frame.clone(), part.need_frame.clone(), part.account.clone()))
                .or_default() += part.amount_ore;
        }
    }
    sums.into_iter()
        .enumerate()
        .map(|(i, ((paying_frame, need_frame, account), amount_ore))| PostingRecord {
            posting_id: format!("{}-p{}", row.statement_id, i + 1),
            statement_id: row.statement_id.clone(),
            provider_id: row.provider_id.clone(),
            period: row.period.clone(),
            paying_frame,
            need_frame,
            account,
            amount_ore,
        })
        .collect()
}

fn pb_posting(event: afregning_kit::store::FeedEvent<PostingRecord>) -> pb::Posting {
    let p = event.payload;
    let period = crate::run::wire_period(&p.period).map(|(period, _)| period);
    pb::Posting {
        sequence: u64::try_from(event.sequence).unwrap_or_default(),
        posting_id: p.posting_id,
        statement_id: p.statement_id,
        provider_id: p.provider_id,
        period,
        paying_frame: p.paying_frame,
        need_frame: p.need_frame,
        account: p.account,
        amount_ore: p.amount_ore,
        committed_at: pb_instant(&event.committed_at),
        trace_parent: event.trace_parent,
    }
}

/// SHA-256 over the statement's header and every line, in order: what was issued, sealed.
fn content_hash(row: &StatementRow, lines: &[StoredLine]) -> String {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    hasher.update(format!(
        "{}|{}|{}|{}|{}",
        row.statement_id, row.provider_id, row.period, row.total_ore, row.line_count
    ));
    for l in lines {
        hasher.update(l.line.encode_to_vec());
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Kroner with a decimal comma and no thousands separator, as Danish spreadsheets read it.
fn kroner(ore: i64) -> String {
    afregning_tariff::Ore::new(ore).to_string().replace('.', ",")
}

/// The statement's lines as semicolon-separated UTF-8 CSV with a header row.
fn statement_csv(lines: &[StoredLine]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::new());
    w.write_record([
        "line_no",
        "kind",
        "citizen_id",
        "cpr",
        "grant_id",
        "grant_version",
        "unit",
        "first_day",
        "last_day",
        "time_band",
        "quantity",
        "quantity_unit",
        "rate_kr",
        "amount_kr",
        "rule",
        "catalog_version",
        "paying_frame",
        "need_frame",
        "account",
        "corrects_line_id",
        "period",
        "explanation",
    ])?;
    for StoredLine { line, .. } in lines {
        let e = line.explanation.clone().unwrap_or_default();
        let day = |d: Option<pbc::Date>| d.map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)).unwrap_or_default();
        let kind = pb::LineKind::try_from(line.kind)
            .map(|k| k.as_str_name().trim_start_matches("LINE_KIND_").to_owned())
            .unwrap_or_default();
        let band = pbc::TimeBand::try_from(line.time_band)
            .ok()
            .filter(|b| *b != pbc::TimeBand::Unspecified)
            .map(|b| b.as_str_name().trim_start_matches("TIME_BAND_").to_owned())
            .unwrap_or_default();
        w.write_record([
            line.line_no.to_string(),
            kind,
            line.citizen_id.clone(),
            line.cpr.clone(),
            line.grant_id.clone(),
            line.grant_version.to_string(),
            line.unit.clone(),
            day(line.covers.and_then(|c| c.first)),
            day(line.covers.and_then(|c| c.last)),
            band,
            e.quantity.to_string(),
            e.quantity_unit.clone(),
            kroner(e.rate_ore),
            kroner(line.amount_ore),
            e.rule.clone(),
            e.catalog_version.clone(),
            line.paying_frame.clone(),
            line.need_frame.clone(),
            line.account.clone(),
            line.corrects_line_id.clone(),
            line.period.map(|p| format!("{:04}-{:02}", p.year, p.month)).unwrap_or_default(),
            e.text.clone(),
        ])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

fn period_of(period: Option<&pbc::Period>) -> Result<Period, ApiError> {
    month_in(period, "period")
}

/// The month in `field`.
fn month_in(period: Option<&pbc::Period>, field: &str) -> Result<Period, ApiError> {
    period
        .and_then(|p| Period::new(p.year, u32::try_from(p.month).ok()?))
        .ok_or_else(|| ApiError::invalid(field, "required: a year and a month 1–12"))
}

/// How many providers' months a run prices at once on PostgreSQL.
const PROVIDERS_AT_ONCE: usize = 4;

/// How often a retry of a run in progress looks whether it has ended.
const RUN_POLL: std::time::Duration = std::time::Duration::from_millis(200);

/// Runs every provider's month as run `run_id`, reporting progress; the last message says it
/// completed, and is stored as the answer to `key` in the same transaction that records the end.
async fn run_period(
    store: &Store,
    runner: &Runner,
    period: Period,
    run_id: &str,
    key: &RequestKey,
    progress: &tokio::sync::mpsc::Sender<Result<pb::SettlementProgress, Status>>,
) -> Result<pb::SettlementProgress, ApiError> {
    let providers = store.provider_ids().await?;
    let mut report = pb::SettlementProgress {
        run_id: run_id.to_owned(),
        period: Some(crate::run::pb_period(period)),
        state: pb::RunState::Running as i32,
        providers_total: u32::try_from(providers.len()).unwrap_or(u32::MAX),
        ..Default::default()
    };
    let mut total = afregning_tariff::Ore::ZERO;
    // Providers are priced a few at a time on PostgreSQL (each draft is its own transaction);
    // SQLite has one writer, so there they go one by one. Results arrive in provider order.
    let at_once = match store.storage.db {
        afregning_kit::db::Database::Postgres(_) => PROVIDERS_AT_ONCE,
        afregning_kit::db::Database::Sqlite(_) => 1,
    };
    use futures::StreamExt as _;
    let mut priced = futures::stream::iter(providers.iter().cloned())
        .map(move |provider_id: String| async move {
            let priced = runner.provider_month(&provider_id, period, Utc::now()).await;
            (provider_id, priced)
        })
        .buffered(at_once);
    while let Some((provider_id, priced)) = priced.next().await {
        report.current_provider_id = provider_id;
        let _ = progress.send(Ok(report.clone())).await;
        let result = match priced {
            Ok(result) => result,
            Err(error) => {
                let mut tx = store.storage.begin().await?;
                tx.finish_run(run_id, pb::RunState::Failed as i64, &text_instant(Utc::now()), report.total_ore)
                    .await?;
                store.storage.commit(tx).await?;
                return Err(error);
            }
        };
        total = total.checked_add(result.total).map_err(|e| ApiError::Internal(e.into()))?;
        report.providers_done += 1;
        report.lines_written += result.lines as u64;
        report.total_ore = total.get();
    }
    report.state = pb::RunState::Completed as i32;
    report.current_provider_id.clear();
    let mut tx = store.storage.begin().await?;
    tx.finish_run(run_id, pb::RunState::Completed as i64, &text_instant(Utc::now()), report.total_ore)
        .await?;
    store.storage.finish(tx, key, report).await
}

/// A retry of a run in progress: waits for it to end and answers what the first call got.
async fn attach(store: &Store, run_id: &str, key: &RequestKey) -> Result<pb::SettlementProgress, ApiError> {
    loop {
        let run = store
            .run(run_id)
            .await?
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("run {run_id} vanished")))?;
        if run.state != crate::store::RUNNING {
            if let Some(answer) = store.storage.stored_answer(key).await? {
                return Ok(answer);
            }
            return Err(ApiError::precondition(
                "request_id",
                format!("run {run_id} of this request ended without completing; send the request again to complete it"),
            ));
        }
        tokio::time::sleep(RUN_POLL).await;
    }
}

fn instant(at: &prost_types::Timestamp) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(at.seconds, u32::try_from(at.nanos).ok()?)
}

fn text_instant(at: DateTime<Utc>) -> String {
    afregning_kit::store::timestamp(at)
}

fn pb_instant(text: &str) -> Option<prost_types::Timestamp> {
    let at = DateTime::parse_from_rfc3339(text).ok()?;
    Some(prost_types::Timestamp {
        seconds: at.timestamp(),
        nanos: at.timestamp_subsec_nanos() as i32,
    })
}

fn pb_delivery(row: &DeliveryRow) -> pb::Delivery {
    pb::Delivery {
        delivery_id: row.delivery_id.clone(),
        grant_id: row.grant_id.clone(),
        provider_id: row.provider_id.clone(),
        carer_visit_id: row.carer_visit_id.clone(),
        started_at: pb_instant(&row.started_at),
        minutes: u32::try_from(row.minutes).unwrap_or_default(),
        revision: u32::try_from(row.revision).unwrap_or_default(),
    }
}

/// Why one record is refused: the field and what is wrong.
type Refusal = (&'static str, String);

enum Outcome {
    Accepted,
    Duplicate,
    Refused(Refusal),
}

/// A delivery's time and minutes, checked: its row fields for a new or corrected delivery.
fn timing(
    started_at: Option<&prost_types::Timestamp>,
    minutes: u32,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, String, String, String), Refusal> {
    if !(1..=MAX_VISIT_MINUTES).contains(&minutes) {
        return Err(("minutes", format!("must be 1–{MAX_VISIT_MINUTES} (a visit lasts at most 24 hours)")));
    }
    let start = started_at.and_then(instant).ok_or(("started_at", "required".to_owned()))?;
    if start > now + CLOCK_SKEW {
        return Err(("started_at", "lies in the future".to_owned()));
    }
    let ends = start + chrono::Duration::minutes(i64::from(minutes));
    let period = utc_to_local(start).format("%Y-%m").to_string();
    Ok((start, text_instant(start), text_instant(ends), period))
}

impl Settlement {
    /// Checks a message's deliveries against the grant in force on each one's day, against what
    /// is stored and against each other, and stores those accepted: a handful of round trips
    /// whatever the number. Outcomes are as if each delivery were reported alone, in order.
    async fn report_batch(
        &self,
        tx: &mut Tx,
        principal: &Principal,
        deliveries: &[pb::Delivery],
        now: DateTime<Utc>,
        grants: &mut HashMap<String, Vec<pbv::Grant>>,
    ) -> Result<Vec<Outcome>, ApiError> {
        let missing: Vec<&str> = deliveries
            .iter()
            .map(|d| d.grant_id.as_str())
            .filter(|id| !grants.contains_key(*id))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if !missing.is_empty() {
            let mut found = tx.grant_versions_of(&missing).await?;
            for id in missing {
                grants.insert(id.to_owned(), found.remove(id).unwrap_or_default());
            }
        }
        let checked: Vec<Result<DeliveryRow, Refusal>> = deliveries.iter().map(|d| check_delivery(principal, d, now, grants)).collect();
        let rows: Vec<&DeliveryRow> = checked.iter().filter_map(|c| c.as_ref().ok()).collect();
        let ids: Vec<&str> = rows.iter().map(|r| r.delivery_id.as_str()).collect();
        let visits: Vec<&str> = rows.iter().map(|r| r.carer_visit_id.as_str()).collect();
        let mut stored: HashMap<String, DeliveryRow> = HashMap::new();
        let mut of_visit: HashMap<String, Vec<DeliveryRow>> = HashMap::new();
        if !rows.is_empty() {
            // Streams storing deliveries of the same carer visits take turns, so two overlapping
            // deliveries sent side by side are never both accepted.
            tx.lock_carer_visits(&visits).await?;
            let asked: std::collections::HashSet<&str> = ids.iter().copied().collect();
            for row in tx.deliveries_by_id_or_visit(&ids, &visits).await? {
                if asked.contains(row.delivery_id.as_str()) {
                    stored.insert(row.delivery_id.clone(), row.clone());
                }
                of_visit.entry(row.carer_visit_id.clone()).or_default().push(row);
            }
        }
        let mut accepted: Vec<(usize, &DeliveryRow)> = Vec::new();
        let mut outcomes = Vec::with_capacity(deliveries.len());
        for c in &checked {
            let row = match c {
                Ok(row) => row,
                Err(refusal) => {
                    outcomes.push(Outcome::Refused(refusal.clone()));
                    continue;
                }
            };
            if let Some(existing) = stored.get(&row.delivery_id) {
                let same = DeliveryRow {
                    revision: existing.revision,
                    ..row.clone()
                } == *existing;
                outcomes.push(if same {
                    Outcome::Duplicate
                } else {
                    Outcome::Refused(("delivery_id", "already reported with other content; use CorrectDelivery".to_owned()))
                });
                continue;
            }
            let same_visit = of_visit.entry(row.carer_visit_id.clone()).or_default();
            if let Some(other) = same_visit
                .iter()
                .find(|o| o.delivery_id != row.delivery_id && o.started_at < row.ends_at && o.ends_at > row.started_at)
            {
                outcomes.push(Outcome::Refused((
                    "carer_visit_id",
                    format!("overlaps delivery {} of the same carer visit", other.delivery_id),
                )));
                continue;
            }
            same_visit.push(row.clone());
            stored.insert(row.delivery_id.clone(), row.clone());
            accepted.push((outcomes.len(), row));
            outcomes.push(Outcome::Accepted);
        }
        if !accepted.is_empty() {
            let rows: Vec<&DeliveryRow> = accepted.iter().map(|(_, row)| *row).collect();
            let inserted = tx.insert_deliveries(&rows, &text_instant(now)).await?;
            // A record another stream stored first, since it was looked up: a duplicate if it
            // is the same, refused if not — as if it had been there all along.
            let lost: Vec<&(usize, &DeliveryRow)> = accepted.iter().filter(|(_, row)| !inserted.contains(&row.delivery_id)).collect();
            if !lost.is_empty() {
                let ids: Vec<&str> = lost.iter().map(|(_, row)| row.delivery_id.as_str()).collect();
                let winners: HashMap<String, DeliveryRow> = tx
                    .deliveries_by_id_or_visit(&ids, &[])
                    .await?
                    .into_iter()
                    .map(|row| (row.delivery_id.clone(), row))
                    .collect();
                for (position, row) in lost {
                    let same = winners.get(&row.delivery_id).is_some_and(|w| {
                        DeliveryRow {
                            revision: w.revision,
                            ..(*row).clone()
                        } == *w
                    });
                    outcomes[*position] = if same {
                        Outcome::Duplicate
                    } else {
                        Outcome::Refused(("delivery_id", "already reported with other content; use CorrectDelivery".to_owned()))
                    };
                }
            }
        }
        Ok(outcomes)
    }
}

/// The checks of one delivery that need only its grant's versions: the row to store, or why not.
fn check_delivery(
    principal: &Principal,
    d: &pb::Delivery,
    now: DateTime<Utc>,
    grants: &HashMap<String, Vec<pbv::Grant>>,
) -> Result<DeliveryRow, Refusal> {
    let refuse = |field: &'static str, why: &str| Err((field, why.to_owned()));
    for (field, text) in [
        ("delivery_id", &d.delivery_id),
        ("grant_id", &d.grant_id),
        ("provider_id", &d.provider_id),
        ("carer_visit_id", &d.carer_visit_id),
    ] {
        if let Some(problem) = afregning_kit::input::text_problem(text) {
            return refuse(field, &problem);
        }
    }
    if d.delivery_id.is_empty() || d.delivery_id.len() > 64 {
        return refuse("delivery_id", "required, at most 64 characters");
    }
    if d.carer_visit_id.is_empty() || d.carer_visit_id.len() > 64 {
        return refuse("carer_visit_id", "required, at most 64 characters");
    }
    if matches!(principal, Principal::Provider(own) if *own != d.provider_id) {
        return refuse("provider_id", "a provider reports only its own deliveries");
    }
    let (start, started_at, ends_at, period) = timing(d.started_at.as_ref(), d.minutes, now)?;
    let versions = grants.get(&d.grant_id).map(Vec::as_slice).unwrap_or_default();
    if versions.is_empty() {
        return refuse("grant_id", "unknown grant");
    }
    let day = utc_to_local(start).date();
    let Some(grant) = version_on(versions, day).filter(|g| valid_on(g, day)) else {
        return refuse("started_at", "outside the grant's validity");
    };
    if !is_activity(grant) {
        return refuse("grant_id", "the grant is paid per day, not by delivered minutes");
    }
    if !has_provider(grant, &d.provider_id) {
        return refuse("provider_id", "not a provider on the grant on that day");
    }
    Ok(DeliveryRow {
        delivery_id: d.delivery_id.clone(),
        grant_id: d.grant_id.clone(),
        provider_id: d.provider_id.clone(),
        carer_visit_id: d.carer_visit_id.clone(),
        started_at,
        ends_at,
        minutes: i64::from(d.minutes),
        period,
        revision: 0,
    })
}

type Pinned<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

/// The next message of a delivery stream, with the deliveries of the messages already waiting
/// behind it added (up to [`MAX_DELIVERIES_PER_MESSAGE`]): a provider system that sends one
/// delivery a message is checked and stored a batch at a time, so the stream is read as fast as
/// it arrives and HTTP/2 never finds too many small frames waiting. A message that would not fit
/// is `held` for the next batch; one too large on its own is refused.
async fn next_batch(
    stream: &mut Streaming<pb::ReportDeliveriesRequest>,
    held: &mut Option<pb::ReportDeliveriesRequest>,
) -> Result<Option<pb::ReportDeliveriesRequest>, Status> {
    use futures::FutureExt as _;
    let too_many = || {
        Status::from(ApiError::invalid(
            "deliveries",
            format!("at most {MAX_DELIVERIES_PER_MESSAGE} per message"),
        ))
    };
    let mut batch = match held.take() {
        Some(message) => message,
        None => match stream.message().await? {
            Some(message) => message,
            None => return Ok(None),
        },
    };
    if batch.deliveries.len() > MAX_DELIVERIES_PER_MESSAGE {
        return Err(too_many());
    }
    while let Some(next) = stream.message().now_or_never() {
        let Some(next) = next? else { break };
        if next.deliveries.len() > MAX_DELIVERIES_PER_MESSAGE {
            return Err(too_many());
        }
        if batch.deliveries.len() + next.deliveries.len() > MAX_DELIVERIES_PER_MESSAGE {
            *held = Some(next);
            break;
        }
        batch.deliveries.extend(next.deliveries);
    }
    Ok(Some(batch))
}

#[tonic::async_trait]
impl SettlementService for Settlement {
    async fn get_provider(&self, request: Request<pb::GetProviderRequest>) -> Result<Response<pbc::Provider>, Status> {
        require(&request, ANYONE)?;
        let provider = self
            .store
            .provider(&request.get_ref().provider_id)
            .await?
            .ok_or_else(|| ApiError::NotFound("provider".into()))?;
        Ok(Response::new(provider))
    }

    async fn list_providers(&self, request: Request<pb::ListProvidersRequest>) -> Result<Response<pb::ListProvidersResponse>, Status> {
        require(&request, ANYONE)?;
        let (offset, limit) = page(request.get_ref().page.as_ref())?;
        let providers = self.store.providers(offset, limit).await?;
        let next_page_token = next_token(offset, limit, providers.len());
        Ok(Response::new(pb::ListProvidersResponse {
            providers,
            next_page_token,
        }))
    }

    async fn report_deliveries(
        &self,
        request: Request<Streaming<pb::ReportDeliveriesRequest>>,
    ) -> Result<Response<pb::ReportDeliveriesResponse>, Status> {
        let principal = require_stream(&request, REPORTERS)?;
        let mut stream = request.into_inner();
        let mut answer = pb::ReportDeliveriesResponse::default();
        let mut index: u64 = 0;
        let mut refused: u64 = 0;
        let mut grants = HashMap::new();
        // Each record is idempotent by its delivery id; the stream as a whole by its request id:
        // a retry of an answered stream only checks that it is the same stream and gets the
        // first answer (a record corrected since is not refused on a retry).
        let mut stream_key: Option<(String, sha2::Sha256, bool)> = None;
        let mut held: Option<pb::ReportDeliveriesRequest> = None;
        while let Some(message) = next_batch(&mut stream, &mut held).await? {
            let (_, hasher, retry) = match &mut stream_key {
                Some(state) => state,
                None => {
                    let hasher = RequestKey::stream_hasher(REPORT_DELIVERIES, &message.request_id)?;
                    let retry = self.store.storage.is_answered(&message.request_id).await?;
                    tracing::info!(request_id = message.request_id, retry, "delivery stream opened");
                    stream_key.insert((message.request_id.clone(), hasher, retry))
                }
            };
            if message.deliveries.len() > MAX_DELIVERIES_PER_MESSAGE {
                return Err(ApiError::invalid("deliveries", format!("at most {MAX_DELIVERIES_PER_MESSAGE} per message")).into());
            }
            if index + message.deliveries.len() as u64 > MAX_DELIVERIES_PER_STREAM {
                return Err(ApiError::invalid("deliveries", format!("at most {MAX_DELIVERIES_PER_STREAM} per stream")).into());
            }
            for delivery in &message.deliveries {
                sha2::Digest::update(hasher, delivery.encode_to_vec());
            }
            if *retry {
                index += message.deliveries.len() as u64;
                continue;
            }
            let now = Utc::now();
            let mut tx = self.store.storage.begin().await?;
            let outcomes = self
                .report_batch(&mut tx, &principal, &message.deliveries, now, &mut grants)
                .await?;
            for (delivery, outcome) in message.deliveries.iter().zip(outcomes) {
                match outcome {
                    Outcome::Accepted => answer.accepted += 1,
                    Outcome::Duplicate => answer.duplicates += 1,
                    Outcome::Refused((field, description)) => {
                        refused += 1;
                        if answer.errors.len() < MAX_ERRORS_LISTED {
                            answer.errors.push(pb::DeliveryError {
                                delivery_id: delivery.delivery_id.clone(),
                                index,
                                field: field.to_owned(),
                                description,
                            });
                        }
                    }
                }
                index += 1;
            }
            self.store.storage.commit(tx).await?;
        }
        let Some((request_id, hasher, retry)) = stream_key else {
            return Err(ApiError::invalid("request_id", "required on the first message of the stream").into());
        };
        let key = RequestKey::of_stream(REPORT_DELIVERIES, &request_id, hasher);
        if retry {
            let mut tx = self.store.storage.begin().await?;
            let first = tx
                .replay::<pb::ReportDeliveriesResponse>(&key)
                .await?
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a stored answer vanished")))?;
            return Ok(Response::new(first));
        }
        if refused > answer.errors.len() as u64 {
            let more = refused - answer.errors.len() as u64;
            answer.errors.push(pb::DeliveryError {
                delivery_id: String::new(),
                index,
                field: String::new(),
                description: format!("and {more} more refused"),
            });
        }
        Ok(Response::new(self.store.storage.remember_after(&key, answer).await?))
    }

    async fn correct_delivery(&self, request: Request<pb::CorrectDeliveryRequest>) -> Result<Response<pb::Delivery>, Status> {
        let principal = require(&request, REPORTERS)?;
        let r = request.into_inner();
        let key = RequestKey::new("CorrectDelivery", &r.request_id, &r)?;
        let mut v = Violations::new();
        v.check(
            !r.reason.trim().is_empty() && r.reason.chars().count() <= 500,
            "reason",
            "required, at most 500 characters",
        );
        v.finish()?;
        let now = Utc::now();
        let (start, started_at, ends_at, period) =
            timing(r.started_at.as_ref(), r.minutes, now).map_err(|(field, why)| ApiError::invalid(field, why))?;
        let mut tx = self.store.storage.begin().await?;
        if let Some(answer) = tx.replay(&key).await? {
            return Ok(Response::new(answer));
        }
        tx.lock_delivery(&r.delivery_id).await?;
        let before = tx
            .delivery(&r.delivery_id)
            .await?
            .ok_or_else(|| ApiError::NotFound("delivery".into()))?;
        if matches!(&principal, Principal::Provider(own) if *own != before.provider_id) {
            // The same answer whether or not the delivery exists elsewhere.
            return Err(ApiError::NotFound("delivery".into()).into());
        }
        let versions = tx.grant_versions(&before.grant_id).await?;
        let day = utc_to_local(start).date();
        let grant = version_on(&versions, day).filter(|g| valid_on(g, day) && has_provider(g, &before.provider_id));
        if grant.is_none() {
            return Err(ApiError::invalid("started_at", "outside the grant's validity for this provider").into());
        }
        let after = DeliveryRow {
            started_at,
            ends_at,
            period,
            minutes: i64::from(r.minutes),
            revision: before.revision + 1,
            ..before.clone()
        };
        if let Some(other) = tx
            .overlapping_visit(&after.carer_visit_id, &after.started_at, &after.ends_at, &after.delivery_id)
            .await?
        {
            return Err(ApiError::invalid("started_at", format!("overlaps delivery {other} of the same carer visit")).into());
        }
        tx.correct_delivery(&before, &after, r.reason.trim(), &text_instant(now)).await?;
        let answer = pb_delivery(&after);
        Ok(Response::new(self.store.storage.finish(tx, &key, answer).await?))
    }

    async fn list_deliveries(&self, request: Request<pb::ListDeliveriesRequest>) -> Result<Response<pb::ListDeliveriesResponse>, Status> {
        let principal = require(&request, &[Role::Provider, Role::Operator, Role::Local, Role::Finance])?;
        let r = request.into_inner();
        if matches!(&principal, Principal::Provider(own) if *own != r.provider_id) {
            return Err(ApiError::PermissionDenied.into());
        }
        let period = r
            .period
            .filter(|p| (1900..=9999).contains(&p.year) && (1..=12).contains(&p.month))
            .ok_or_else(|| ApiError::invalid("period", "required: a year and a month 1–12"))?;
        let (offset, limit) = page(r.page.as_ref())?;
        let rows = self
            .store
            .deliveries(&r.provider_id, &format!("{:04}-{:02}", period.year, period.month), offset, limit)
            .await?;
        let next_page_token = next_token(offset, limit, rows.len());
        Ok(Response::new(pb::ListDeliveriesResponse {
            deliveries: rows.iter().map(pb_delivery).collect(),
            next_page_token,
        }))
    }

    type RunSettlementStream = Pinned<pb::SettlementProgress>;

    async fn run_settlement(&self, request: Request<pb::RunSettlementRequest>) -> Result<Response<Self::RunSettlementStream>, Status> {
        require(&request, OPERATORS)?;
        let r = request.into_inner();
        let key = RequestKey::new("RunSettlement", &r.request_id, &r)?;
        let period = period_of(r.period.as_ref())?;
        if period.range().last() >= today() {
            return Err(ApiError::precondition("period", "the month has not ended yet").into());
        }
        let mut tx = self.store.storage.begin().await?;
        if let Some(done) = tx.replay::<pb::SettlementProgress>(&key).await? {
            return Ok(Response::new(Box::pin(tokio_stream::once(Ok(done)))));
        }
        // One request id is one run, and one run of a month goes on at a time.
        tx.lock_runs(&period.to_string()).await?;
        let mine = tx.run_of_request(&key.request_id).await?;
        let (sender, receiver) = tokio::sync::mpsc::channel(64);
        let going = |run: &RunRow| run.state == crate::store::RUNNING && run.started_at >= self.boot;
        if let Some(run) = mine.as_ref().filter(|r| going(r)) {
            drop(tx);
            let (store, run_id) = (self.store.clone(), run.run_id.clone());
            tokio::spawn(async move {
                let answer = attach(&store, &run_id, &key).await.map_err(Status::from);
                let _ = sender.send(answer).await;
            });
            return Ok(Response::new(Box::pin(tokio_stream::wrappers::ReceiverStream::new(receiver))));
        }
        let run_id = match &mine {
            // Interrupted or failed before: the retry completes it, under the same run id.
            Some(run) => run.run_id.clone(),
            None => format!("run-{period}-{}", uuid::Uuid::new_v4().simple()),
        };
        if let Some(other) = tx.running_run(&period.to_string()).await?.filter(|r| going(r)) {
            return Err(ApiError::precondition("period", format!("run {} of this month is in progress", other.run_id)).into());
        }
        let row = RunRow {
            run_id: run_id.clone(),
            period: period.to_string(),
            state: crate::store::RUNNING,
            started_at: text_instant(Utc::now()),
            finished_at: None,
            total_ore: 0,
        };
        tx.start_run(&row, &key.request_id).await?;
        self.store.storage.commit(tx).await?;
        let (store, runner) = (self.store.clone(), self.runner.clone());
        // The run goes on if the caller stops listening: progress is only reported.
        tokio::spawn(async move {
            let last = run_period(&store, &runner, period, &run_id, &key, &sender)
                .await
                .map_err(Status::from);
            let _ = sender.send(last).await;
        });
        Ok(Response::new(Box::pin(tokio_stream::wrappers::ReceiverStream::new(receiver))))
    }

    async fn get_settlement_run(&self, request: Request<pb::GetSettlementRunRequest>) -> Result<Response<pb::SettlementRun>, Status> {
        require(&request, OPERATORS)?;
        let run = self
            .store
            .run(&request.get_ref().run_id)
            .await?
            .ok_or_else(|| ApiError::NotFound("run".into()))?;
        let statements = self.store.statements("", &run.period, 0, 0, i64::from(MAX_PAGE_SIZE)).await?;
        let period = run.period.split_once('-').and_then(|(y, m)| {
            Some(pbc::Period {
                year: y.parse().ok()?,
                month: m.parse().ok()?,
            })
        });
        Ok(Response::new(pb::SettlementRun {
            run_id: run.run_id,
            period,
            state: i32::try_from(run.state).unwrap_or_default(),
            started_at: pb_instant(&run.started_at),
            finished_at: run.finished_at.as_deref().and_then(pb_instant),
            statement_ids: statements.into_iter().map(|s| s.statement_id).collect(),
            total_ore: run.total_ore,
        }))
    }

    async fn issue_statement(&self, request: Request<pb::IssueStatementRequest>) -> Result<Response<pb::Statement>, Status> {
        require(&request, OPERATORS)?;
        let r = request.into_inner();
        let key = RequestKey::new("IssueStatement", &r.request_id, &r)?;
        let mut tx = self.store.storage.begin().await?;
        if let Some(answer) = tx.replay(&key).await? {
            return Ok(Response::new(answer));
        }
        tx.lock_statement(&r.statement_id).await?;
        let row = tx
            .statement(&r.statement_id)
            .await?
            .ok_or_else(|| ApiError::NotFound("statement".into()))?;
        if row.state == ISSUED {
            return Err(ApiError::precondition("statement_id", "the statement is already issued").into());
        }
        let lines = tx.statement_lines(&row.statement_id).await?;
        let hash = content_hash(&row, &lines);
        let now = Utc::now();
        if !tx.seal(&row.statement_id, &hash, &text_instant(now)).await? {
            return Err(ApiError::precondition("statement_id", "the statement is no longer a draft").into());
        }
        for posting in postings(&row, &lines) {
            tx.append_event(POSTING_EVENT, &posting, now).await?;
        }
        let issued = StatementRow {
            state: ISSUED,
            content_hash: hash,
            issued_at: Some(text_instant(now)),
            ..row
        };
        let answer = pb_statement(&issued);
        Ok(Response::new(self.store.storage.finish(tx, &key, answer).await?))
    }

    async fn list_statements(&self, request: Request<pb::ListStatementsRequest>) -> Result<Response<pb::ListStatementsResponse>, Status> {
        let principal = require(&request, STATEMENT_READERS)?;
        let r = request.into_inner();
        let provider_id = match &principal {
            Principal::Provider(own) if r.provider_id.is_empty() || r.provider_id == *own => own.clone(),
            Principal::Provider(_) => return Err(ApiError::PermissionDenied.into()),
            _ => r.provider_id.clone(),
        };
        let period = match r.period.as_ref() {
            Some(p) => period_of(Some(p))?.to_string(),
            None => String::new(),
        };
        let (offset, limit) = page(r.page.as_ref())?;
        let rows = self
            .store
            .statements(&provider_id, &period, i64::from(r.state), offset, limit)
            .await?;
        let next_page_token = next_token(offset, limit, rows.len());
        Ok(Response::new(pb::ListStatementsResponse {
            statements: rows.iter().map(pb_statement).collect(),
            next_page_token,
        }))
    }

    async fn get_statement(&self, request: Request<pb::GetStatementRequest>) -> Result<Response<pb::Statement>, Status> {
        let principal = require(&request, STATEMENT_READERS)?;
        let row = self.readable_statement(&principal, &request.get_ref().statement_id).await?;
        Ok(Response::new(pb_statement(&row)))
    }

    type StreamStatementLinesStream = Pinned<pb::StatementLine>;

    async fn stream_statement_lines(
        &self,
        request: Request<pb::StreamStatementLinesRequest>,
    ) -> Result<Response<Self::StreamStatementLinesStream>, Status> {
        let principal = require(&request, STATEMENT_READERS)?;
        let row = self.readable_statement(&principal, &request.get_ref().statement_id).await?;
        let lines = self.readable_lines(&principal, &row).await?;
        Ok(Response::new(Box::pin(tokio_stream::iter(lines.into_iter().map(|l| Ok(l.line))))))
    }

    type ExportStatementCsvStream = Pinned<pb::CsvChunk>;

    async fn export_statement_csv(
        &self,
        request: Request<pb::ExportStatementCsvRequest>,
    ) -> Result<Response<Self::ExportStatementCsvStream>, Status> {
        let principal = require(&request, STATEMENT_READERS)?;
        let row = self.readable_statement(&principal, &request.get_ref().statement_id).await?;
        let lines = self.readable_lines(&principal, &row).await?;
        let csv = statement_csv(&lines).map_err(|e| ApiError::Internal(e.into()))?;
        let chunks: Vec<Result<pb::CsvChunk, Status>> = csv.chunks(64 * 1024).map(|c| Ok(pb::CsvChunk { data: c.to_vec() })).collect();
        Ok(Response::new(Box::pin(tokio_stream::iter(chunks))))
    }

    async fn compare_steering_models(
        &self,
        request: Request<pb::CompareSteeringModelsRequest>,
    ) -> Result<Response<pb::SteeringComparison>, Status> {
        require(&request, STEERING_READERS)?;
        let r = request.into_inner();
        let from = month_in(r.from.as_ref(), "from")?;
        let to = month_in(r.to.as_ref(), "to")?;
        let mut v = Violations::new();
        v.check(
            (0..12).contains(&to.months_since(from)),
            "to",
            "from the month of `from` up to 11 months after it",
        );
        v.check(r.frame_budgets.len() <= MAX_FRAME_BUDGETS, "frame_budgets", "at most 100 frames");
        let mut budgets = std::collections::BTreeMap::new();
        for (i, b) in r.frame_budgets.iter().enumerate() {
            v.check(
                !b.frame.is_empty() && b.frame.len() <= 64,
                &format!("frame_budgets[{i}].frame"),
                "required, at most 64 characters",
            );
            v.amount(&format!("frame_budgets[{i}].amount_ore"), b.amount_ore, false);
            v.check(
                budgets.insert(b.frame.clone(), afregning_tariff::Ore::new(b.amount_ore)).is_none(),
                &format!("frame_budgets[{i}].frame"),
                "given twice",
            );
        }
        v.finish()?;
        let comparison = crate::steering::compare(&self.store, self.runner.catalogs(), from, to, &budgets).await?;
        Ok(Response::new(comparison))
    }

    async fn run_true_up(&self, request: Request<pb::RunTrueUpRequest>) -> Result<Response<pb::RunTrueUpResponse>, Status> {
        require(&request, OPERATORS)?;
        let r = request.into_inner();
        let key = RequestKey::new("RunTrueUp", &r.request_id, &r)?;
        let mut v = Violations::new();
        v.check(
            (2000..=today().year()).contains(&r.year),
            "year",
            "a year from 2000 up to the current one",
        );
        v.check(
            !r.actual_costs.is_empty() && r.actual_costs.len() <= 500,
            "actual_costs",
            "1–500 unit costs",
        );
        let mut actual = std::collections::BTreeMap::new();
        for (i, cost) in r.actual_costs.iter().enumerate() {
            v.check(
                !cost.unit.is_empty() && cost.unit.len() <= 64,
                &format!("actual_costs[{i}].unit"),
                "required, at most 64 characters",
            );
            v.amount(&format!("actual_costs[{i}].actual_rate_ore"), cost.actual_rate_ore, false);
            if actual
                .insert(cost.unit.clone(), afregning_tariff::Ore::new(cost.actual_rate_ore))
                .is_some()
            {
                v.add(format!("actual_costs[{i}].unit"), "given twice");
            }
        }
        v.finish()?;
        let mut tx = self.store.storage.begin().await?;
        if let Some(answer) = tx.replay(&key).await? {
            return Ok(Response::new(answer));
        }
        drop(tx);
        let drafts = self.runner.true_up(r.year, &actual, Utc::now()).await?;
        let total_ore = drafts.iter().map(|d| d.total_ore).sum();
        let answer = pb::RunTrueUpResponse {
            statements: drafts.iter().map(pb_statement).collect(),
            total_ore,
        };
        Ok(Response::new(self.store.storage.remember_after(&key, answer).await?))
    }

    type StreamPostingsStream = Pinned<pb::Posting>;

    async fn stream_postings(&self, request: Request<pb::StreamPostingsRequest>) -> Result<Response<Self::StreamPostingsStream>, Status> {
        require(&request, FEED_READERS)?;
        let r = request.into_inner();
        let stream = afregning_kit::store::feed_stream(self.store.storage.clone(), r.after_sequence, r.follow, r.max_events, pb_posting)?;
        Ok(Response::new(Box::pin(stream)))
    }

    async fn get_feed_positions(
        &self,
        request: Request<afregning_proto::common::v1::GetFeedPositionsRequest>,
    ) -> Result<Response<afregning_proto::common::v1::FeedPositions>, Status> {
        afregning_kit::follow::answer_positions(&request, &self.store.storage, PUBLISHES, FOLLOWS).await
    }
}
