//! Benchmarks of the suite on PostgreSQL, each printed beside a reference that PostgreSQL itself
//! does on the same machine in the same run (see docs/performance.md):
//!
//!     bash scripts/bench visitation --citizens 20000       # durable writes under 64 clients
//!     bash scripts/bench month-end --citizens 20000        # ingestion, settlement run, memory
//!     bash scripts/bench budget --large 10000000           # follow-up status as the ledger grows
//!
//! The services run as their own release processes (the `visitation`, `settlement` and `budget`
//! binaries beside this one), each on a fresh database of the PostgreSQL server named by
//! `AFREGNING_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`); the
//! databases are dropped afterwards. The municipality comes from `afregning::generate`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use afregning::generate::{Municipality, decide_citizen, municipality};
use afregning::print::{Out, kr, per_second};
use afregning_client::connect::{Clients, Endpoints};
use afregning_kit::testing::{Backend, ServiceProcess, TestDatabase};
use afregning_proto::budget::v1 as pbb;
use afregning_proto::common::v1 as pbc;
use afregning_proto::settlement::v1 as pbs;
use clap::{Parser, Subcommand};
use sqlx::{Connection, PgConnection};

#[derive(Parser)]
#[command(about = "Benchmarks of Afregning against PostgreSQL's own limits")]
struct Args {
    #[command(subcommand)]
    bench: Bench,
}

#[derive(Subcommand)]
enum Bench {
    /// Benchmark 3: citizens and grants decided by 64 concurrent EHR clients.
    Visitation {
        /// Citizens to decide (one grant each).
        #[arg(long, default_value_t = 20_000)]
        citizens: usize,
        /// Concurrent clients.
        #[arg(long, default_value_t = 64)]
        clients: usize,
    },
    /// Benchmarks 1, 2 and 5: a municipality's deliveries streamed in, three months settled and
    /// issued, and the settlement service's peak memory while it runs.
    MonthEnd {
        /// Citizens (one grant each).
        #[arg(long, default_value_t = 50_000)]
        citizens: usize,
        /// Deliveries over April–June 2026, taken evenly from the generated visits.
        #[arg(long, default_value_t = 1_000_000)]
        deliveries: usize,
    },
    /// Benchmark 4: follow-up status of every frame, with a small and a large ledger.
    Budget {
        /// Ledger entries of the small ledger.
        #[arg(long, default_value_t = 10_000)]
        small: i64,
        /// Ledger entries of the large ledger.
        #[arg(long, default_value_t = 10_000_000)]
        large: i64,
        /// Status calls timed on each.
        #[arg(long, default_value_t = 2_000)]
        calls: usize,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Args::parse().bench {
        Bench::Visitation { citizens, clients } => visitation(citizens, clients).await,
        Bench::MonthEnd { citizens, deliveries } => month_end(citizens, deliveries).await,
        Bench::Budget { small, large, calls } => budget(small, large, calls).await,
    }
}

/// `a / b` as a ratio with two decimals, e.g. "0.53×".
fn ratio(a: u128, b: u128) -> String {
    let hundredths = a * 100 / b.max(1);
    format!("{}.{:02}×", hundredths / 100, hundredths % 100)
}

/// The latency below which `per_mille` of the sorted latencies lie.
fn percentile(sorted: &[Duration], per_mille: usize) -> Duration {
    sorted
        .get((sorted.len() * per_mille / 1000).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default()
}

fn binary(name: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let path = exe
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| anyhow::anyhow!("no target folder"))?
        .join(name);
    anyhow::ensure!(path.exists(), "{} is not built: run `bash scripts/bench`", path.display());
    Ok(path)
}

/// The three services as release processes, each on its own fresh PostgreSQL database.
struct Running {
    databases: [TestDatabase; 3],
    processes: [ServiceProcess; 3],
    clients: Clients,
}

impl Running {
    async fn start() -> anyhow::Result<Running> {
        let databases = [
            TestDatabase::new(Backend::Postgres).await,
            TestDatabase::new(Backend::Postgres).await,
            TestDatabase::new(Backend::Postgres).await,
        ];
        let env = |pairs: &[(&str, String)]| -> Vec<(String, String)> {
            let mut env = vec![("AFREGNING_LOG_FILTER".to_owned(), "warn,afregning_kit::server=info".to_owned())];
            env.extend(pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
            env
        };
        let visitation = ServiceProcess::spawn(
            &binary("visitation")?,
            "visitation",
            &env(&[("AFREGNING_VISITATION_DATABASE_URL", databases[0].url.clone())]),
        )
        .await?;
        let settlement = ServiceProcess::spawn(
            &binary("settlement")?,
            "settlement",
            &env(&[
                ("AFREGNING_SETTLEMENT_DATABASE_URL", databases[1].url.clone()),
                ("AFREGNING_SETTLEMENT_VISITATION_URL", format!("http://{}", visitation.addr)),
            ]),
        )
        .await?;
        let budget = ServiceProcess::spawn(
            &binary("budget")?,
            "budget",
            &env(&[
                ("AFREGNING_BUDGET_DATABASE_URL", databases[2].url.clone()),
                ("AFREGNING_BUDGET_VISITATION_URL", format!("http://{}", visitation.addr)),
                ("AFREGNING_BUDGET_SETTLEMENT_URL", format!("http://{}", settlement.addr)),
            ]),
        )
        .await?;
        let urls = [&visitation, &settlement, &budget].map(|p| format!("http://{}", p.addr));
        let clients = Endpoints::new(&urls)?.as_principal(None);
        Ok(Running {
            databases,
            processes: [visitation, settlement, budget],
            clients,
        })
    }

    async fn stop(self) -> anyhow::Result<()> {
        for process in self.processes {
            process.terminate().await?;
        }
        drop(self.databases);
        Ok(())
    }
}

async fn connect(db: &TestDatabase) -> anyhow::Result<PgConnection> {
    Ok(PgConnection::connect(&db.url).await?)
}

/// Registers the providers, then decides every citizen's grant from `clients` concurrent EHR
/// clients. Returns provider ids, grant ids by citizen, and each write's latency.
async fn decide_all(c: &Clients, m: &Municipality, clients: usize) -> anyhow::Result<(Vec<String>, Vec<String>, Vec<Duration>)> {
    let mut provider_ids = Vec::new();
    for p in &m.providers {
        provider_ids.push(c.visitation.clone().register_provider(p.clone()).await?.into_inner().provider_id);
    }
    let start = pbc::Date {
        year: 2026,
        month: 3,
        day: 1,
    };
    let mut workers = tokio::task::JoinSet::new();
    for w in 0..clients {
        let mut v = c.visitation.clone();
        let m = m.clone();
        let provider_ids = provider_ids.clone();
        workers.spawn(async move {
            let mut out = Vec::new();
            let mut latencies = Vec::new();
            for i in (w..m.citizens.len()).step_by(clients) {
                let grant_id = decide_citizen(&mut v, &m, i, &provider_ids, start, &mut |took| latencies.push(took)).await?;
                out.push((i, grant_id));
            }
            Ok::<_, tonic::Status>((out, latencies))
        });
    }
    let mut grant_ids = vec![String::new(); m.citizens.len()];
    let mut latencies = Vec::new();
    while let Some(done) = workers.join_next().await {
        let (out, l) = done??;
        for (i, id) in out {
            grant_ids[i] = id;
        }
        latencies.extend(l);
    }
    latencies.sort();
    Ok((provider_ids, grant_ids, latencies))
}

/// PostgreSQL's own durable commit rate: `clients` connections each inserting one row per
/// transaction, `rows` rows in all.
async fn commit_reference(db: &TestDatabase, rows: usize, clients: usize) -> anyhow::Result<(Duration, Vec<Duration>)> {
    let mut setup = connect(db).await?;
    sqlx::query("CREATE TABLE commit_reference (id TEXT PRIMARY KEY, payload BYTEA NOT NULL)")
        .execute(&mut setup)
        .await?;
    let mut connections = Vec::new();
    for _ in 0..clients {
        connections.push(connect(db).await?);
    }
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for (w, mut conn) in connections.into_iter().enumerate() {
        workers.spawn(async move {
            let mut latencies = Vec::new();
            for i in (w..rows).step_by(clients) {
                let t = Instant::now();
                sqlx::query("INSERT INTO commit_reference (id, payload) VALUES ($1, $2)")
                    .bind(format!("row-{i}"))
                    .bind(vec![7u8; 200])
                    .execute(&mut conn)
                    .await?;
                latencies.push(t.elapsed());
            }
            Ok::<_, sqlx::Error>(latencies)
        });
    }
    let mut latencies = Vec::new();
    while let Some(done) = workers.join_next().await {
        latencies.extend(done??);
    }
    let took = started.elapsed();
    latencies.sort();
    Ok((took, latencies))
}

async fn visitation(citizens: usize, clients: usize) -> anyhow::Result<()> {
    let run = Running::start().await?;
    let m = municipality(citizens, 1);
    let started = Instant::now();
    let (_, grant_ids, latencies) = decide_all(&run.clients, &m, clients).await?;
    let took = started.elapsed();
    anyhow::ensure!(grant_ids.iter().all(|g| !g.is_empty()), "every citizen has a grant");
    let writes = latencies.len() as u64;
    let (ref_took, ref_latencies) = commit_reference(&run.databases[0], latencies.len(), clients).await?;
    println!("benchmark 3 — visitation writes, {clients} concurrent clients, durable commits");
    println!(
        "  afregning   {writes:>8} writes in {took:>8.2?}: {:>6} writes/s = {:>6} grants/s (citizen + grant), p50 {:.2?}, p99 {:.2?}",
        per_second(writes, took),
        per_second(citizens as u64, took),
        percentile(&latencies, 500),
        percentile(&latencies, 990)
    );
    println!(
        "  reference   {writes:>8} single-row INSERT commits in {ref_took:>8.2?}: {:>6} commits/s, p50 {:.2?}, p99 {:.2?}",
        per_second(writes, ref_took),
        percentile(&ref_latencies, 500),
        percentile(&ref_latencies, 990)
    );
    println!(
        "  ratio       {} of PostgreSQL's commit rate",
        ratio(u128::from(per_second(writes, took)), u128::from(per_second(writes, ref_took)))
    );
    run.stop().await
}

/// Waits until settlement and budget have applied every event published so far.
async fn caught_up(c: &mut Clients, within: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + within;
    loop {
        match c.wait_until_caught_up().await {
            Ok(()) => return Ok(()),
            Err(e) if Instant::now() > deadline => return Err(e),
            Err(_) => {}
        }
    }
}

/// Peak resident memory of a process since [`reset_peak`], in KiB (Linux `VmHWM`).
fn peak_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .ok_or_else(|| anyhow::anyhow!("no VmHWM"))?;
    Ok(line.split_whitespace().nth(1).unwrap_or("0").parse()?)
}

/// Resets a process's peak resident memory to its current size.
fn reset_peak(pid: u32) -> anyhow::Result<()> {
    Ok(std::fs::write(format!("/proc/{pid}/clear_refs"), "5")?)
}

fn timestamp_text(t: &prost_types::Timestamp) -> String {
    chrono::DateTime::from_timestamp(t.seconds, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

// One piece: the month-end benchmark runs its phases in order against one suite and prints
// each figure beside the reference run as it goes, so the phases share their setup.
async fn month_end(citizens: usize, wanted: usize) -> anyhow::Result<()> {
    let mut run = Running::start().await?;
    let m = municipality(citizens, 1);
    let setup = Instant::now();
    let (provider_ids, grant_ids, _) = decide_all(&run.clients, &m, 64).await?;
    setup_budget(&mut run.clients).await?;
    caught_up(&mut run.clients, Duration::from_secs(600)).await?;
    let mut all = Vec::new();
    for month in 4..=6 {
        all.extend(m.deliveries(2026, month, &grant_ids, &provider_ids));
    }
    let step = (all.len() / wanted.max(1)).max(1);
    let deliveries: Vec<pbs::Delivery> = all.into_iter().step_by(step).take(wanted).collect();
    let count = deliveries.len() as u64;
    println!(
        "{citizens} citizens, {} providers, {count} deliveries over April–June 2026 (set up in {:.1?})",
        m.providers.len(),
        setup.elapsed()
    );

    // 1. Ingestion: one stream per provider, as provider systems report; four at a time.
    let mut by_provider: std::collections::BTreeMap<&str, Vec<pbs::Delivery>> = Default::default();
    for d in &deliveries {
        by_provider.entry(&d.provider_id).or_default().push(d.clone());
    }
    let started = Instant::now();
    let mut streams = tokio::task::JoinSet::new();
    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(4));
    for (provider, batch) in by_provider {
        let mut s = run.clients.settlement.clone();
        let request_id = format!("bench-report-{provider}");
        let permit = semaphore.clone().acquire_owned().await?;
        streams.spawn(async move {
            let answer = afregning::commands::report_deliveries(&mut s, &request_id, &batch).await;
            drop(permit);
            answer
        });
    }
    let mut accepted = 0;
    while let Some(done) = streams.join_next().await {
        let answer = done??;
        anyhow::ensure!(answer.errors.is_empty(), "refused: {:?}", answer.errors.first());
        accepted += answer.accepted;
    }
    let ingest = started.elapsed();
    anyhow::ensure!(accepted == count, "{accepted} of {count} accepted");

    let mut db = connect(&run.databases[1]).await?;
    sqlx::query("CREATE TABLE deliveries_reference (LIKE deliveries INCLUDING ALL)")
        .execute(&mut db)
        .await?;
    let mut text = String::with_capacity(deliveries.len() * 160);
    for d in &deliveries {
        let start = d.started_at.unwrap_or_default();
        let ends = prost_types::Timestamp {
            seconds: start.seconds + 60 * i64::from(d.minutes),
            nanos: 0,
        };
        let period = afregning_tariff::bands::utc_to_local(chrono::DateTime::from_timestamp(start.seconds, 0).unwrap_or_default())
            .format("%Y-%m")
            .to_string();
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t0\t2026-07-01T00:00:00Z\n",
            d.delivery_id,
            d.grant_id,
            d.provider_id,
            d.carer_visit_id,
            timestamp_text(&start),
            timestamp_text(&ends),
            d.minutes,
            period
        ));
    }
    let started = Instant::now();
    let mut copy = db
        .copy_in_raw(
            "COPY deliveries_reference (delivery_id, grant_id, provider_id, carer_visit_id, started_at, ends_at, minutes, period, revision, recorded_at) FROM STDIN",
        )
        .await?;
    copy.send(text.as_bytes()).await?;
    let copied = copy.finish().await?;
    let copy_took = started.elapsed();
    anyhow::ensure!(copied == count, "COPY wrote {copied} rows");
    println!("benchmark 1 — delivery ingestion over ReportDeliveries into PostgreSQL");
    println!(
        "  afregning   {count} deliveries in {ingest:>8.2?}: {:>7} deliveries/s",
        per_second(count, ingest)
    );
    println!(
        "  reference   COPY of the same rows into a copy of the table and its indexes in {copy_took:>8.2?}: {:>7} rows/s",
        per_second(count, copy_took)
    );
    println!(
        "  ratio       {} of COPY's rate",
        ratio(u128::from(per_second(count, ingest)), u128::from(per_second(count, copy_took)))
    );

    // 2 and 5. The settlement run of three months, statements issued, and its peak memory.
    let pid = run.processes[1].pid().ok_or_else(|| anyhow::anyhow!("no settlement pid"))?;
    reset_peak(pid)?;
    let before_kib = peak_kib(pid)?;
    let started = Instant::now();
    let mut lines = 0;
    let mut total = 0;
    let mut issued = 0;
    for month in 4..=6 {
        let last = afregning::commands::run_month(
            &mut run.clients.settlement,
            &format!("bench-run-{month}"),
            (2026, month),
            Out::quiet(),
        )
        .await?;
        lines += last.lines_written;
        total += last.total_ore;
        let mut page_token = String::new();
        loop {
            let page = run
                .clients
                .settlement
                .list_statements(pbs::ListStatementsRequest {
                    period: Some(pbc::Period { year: 2026, month }),
                    page: Some(pbc::PageRequest {
                        page_size: 500,
                        page_token: page_token.clone(),
                    }),
                    ..Default::default()
                })
                .await?
                .into_inner();
            for st in page.statements {
                run.clients
                    .settlement
                    .issue_statement(pbs::IssueStatementRequest {
                        request_id: format!("bench-issue-{}", st.statement_id),
                        statement_id: st.statement_id,
                    })
                    .await?;
                issued += 1;
            }
            if page.next_page_token.is_empty() {
                break;
            }
            page_token = page.next_page_token;
        }
    }
    let settle = started.elapsed();
    let peak = peak_kib(pid)?;

    let started = Instant::now();
    sqlx::query(
        "CREATE TABLE settle_reference AS SELECT provider_id, grant_id, period, COUNT(*) AS visits, SUM(minutes) AS minutes \
         FROM deliveries GROUP BY provider_id, grant_id, period",
    )
    .execute(&mut db)
    .await?;
    let sql_took = started.elapsed();
    let (groups,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM settle_reference").fetch_one(&mut db).await?;
    println!("benchmark 2 — settlement run of April–June 2026 on PostgreSQL, statements issued");
    println!(
        "  afregning   {count} deliveries, {} grants: {lines} lines, {issued} statements issued, {} kr in {settle:>8.2?}",
        citizens,
        kr(total)
    );
    println!(
        "  reference   one SQL aggregating the deliveries per provider, grant and month into a table ({groups} rows) in {sql_took:>8.2?}"
    );
    println!(
        "  ratio       {} the reference's time",
        ratio(settle.as_micros(), sql_took.as_micros())
    );
    println!("benchmark 5 — peak memory of the settlement service during the run");
    println!(
        "  afregning   {} MiB resident at most ({} MiB when the run began)",
        peak / 1024,
        before_kib / 1024
    );

    // 6. The steering models over the same quarter, against the run that settled it.
    let started = Instant::now();
    let comparison = run
        .clients
        .settlement
        .compare_steering_models(pbs::CompareSteeringModelsRequest {
            from: Some(pbc::Period { year: 2026, month: 4 }),
            to: Some(pbc::Period { year: 2026, month: 6 }),
            frame_budgets: ["SOCIAL", "HEALTH"]
                .map(|frame| pbs::FrameBudget {
                    frame: frame.into(),
                    amount_ore: 100_000_000_000,
                })
                .to_vec(),
        })
        .await?
        .into_inner();
    let compared = started.elapsed();
    let current = comparison.total.map(|t| t.current_ore).unwrap_or_default();
    println!("benchmark 6 — steering models compared over April–June 2026 (CompareSteeringModels)");
    println!(
        "  afregning   {} providers priced four ways, as settled {} kr, in {compared:>8.2?}",
        comparison.providers.len(),
        kr(current)
    );
    println!("  reference   the settlement run of the same months above, {settle:>8.2?}");
    println!("  ratio       {} the run's time", ratio(compared.as_micros(), settle.as_micros()));
    caught_up(&mut run.clients, Duration::from_secs(600)).await?;
    run.stop().await
}

/// The committees and frames of the catalog's legal bases, for 2026.
async fn setup_budget(c: &mut Clients) -> anyhow::Result<()> {
    for (code, name) in [
        ("SOCIAL", "Social- og Ældreudvalget"),
        ("HEALTH", "Sundhedsudvalget"),
        ("FINANCE", "Økonomiudvalget"),
    ] {
        c.budget
            .create_committee(pbb::CreateCommitteeRequest {
                request_id: format!("bench-committee-{code}"),
                code: code.into(),
                name: name.into(),
            })
            .await?;
    }
    for (frame, account) in [("SOCIAL", "5.30.26"), ("HEALTH", "4.62.88")] {
        c.budget
            .set_frame(pbb::SetFrameRequest {
                request_id: format!("bench-frame-{frame}"),
                frame: frame.into(),
                year: 2026,
                committee: frame.into(),
                name: format!("Ældreområdet – {frame}"),
                account: account.into(),
                amount_ore: 500_000_000_000,
                monthly_profile_ore: Vec::new(),
                effective_from: None,
            })
            .await?;
    }
    Ok(())
}

/// Fills budget's ledger with `entries` settlement postings spread over 2026 and both frames,
/// keeping the running day totals as the service does.
async fn fill_ledger(db: &TestDatabase, entries: i64) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let mut conn = connect(db).await?;
    sqlx::query(
        "INSERT INTO ledger (frame, year, account, booked_on, amount_ore, source, source_ref, need_frame, text, recorded_at) \
         SELECT CASE WHEN n % 5 = 0 THEN 'HEALTH' ELSE 'SOCIAL' END, 2026, CASE WHEN n % 5 = 0 THEN '4.62.88' ELSE '5.30.26' END, \
                to_char(DATE '2026-01-01' + (n % 365)::int, 'YYYY-MM-DD'), 10000 + n % 50000, 1, 'bench-' || n, \
                CASE WHEN n % 5 = 0 THEN 'HEALTH' ELSE 'SOCIAL' END, 'bench', '2026-11-01T00:00:00Z' \
         FROM generate_series(1, $1) AS n",
    )
    .bind(entries)
    .execute(&mut conn)
    .await?;
    sqlx::query(
        "INSERT INTO frame_day_totals (frame, year, day, source, amount_ore) \
         SELECT frame, year, booked_on, source, SUM(amount_ore) FROM ledger GROUP BY frame, year, booked_on, source",
    )
    .execute(&mut conn)
    .await?;
    sqlx::query("ANALYZE").execute(&mut conn).await?;
    Ok(started.elapsed())
}

/// Status calls of every frame from 8 concurrent clients: the latencies, sorted, and the
/// frames' consumption as answered.
async fn status_calls(c: &Clients, calls: usize) -> anyhow::Result<(Vec<Duration>, i64)> {
    let mut workers = tokio::task::JoinSet::new();
    for w in 0..8 {
        let mut b = c.budget.clone();
        workers.spawn(async move {
            let mut latencies = Vec::new();
            let mut consumed = 0;
            for _ in (w..calls).step_by(8) {
                let t = Instant::now();
                let status = b
                    .get_follow_up_status(pbb::GetFollowUpStatusRequest {
                        frame: String::new(),
                        as_of: Some(pbc::Date {
                            year: 2026,
                            month: 10,
                            day: 31,
                        }),
                    })
                    .await?
                    .into_inner();
                latencies.push(t.elapsed());
                consumed = status.frames.iter().map(|f| f.consumed_ore).sum();
            }
            Ok::<_, tonic::Status>((latencies, consumed))
        });
    }
    let mut latencies = Vec::new();
    let mut consumed = 0;
    while let Some(done) = workers.join_next().await {
        let (l, c) = done??;
        latencies.extend(l);
        consumed = c;
    }
    latencies.sort();
    Ok((latencies, consumed))
}

async fn budget(small: i64, large: i64, calls: usize) -> anyhow::Result<()> {
    println!("benchmark 4 — budget follow-up status (every frame, as of 31.10.2026), 8 concurrent clients, {calls} calls");
    let mut p99 = Vec::new();
    for entries in [small, large] {
        let mut run = Running::start().await?;
        setup_budget(&mut run.clients).await?;
        let filled = fill_ledger(&run.databases[2], entries).await?;
        // Warm up: the first calls open connections and prepare statements.
        status_calls(&run.clients, 64).await?;
        let (latencies, consumed) = status_calls(&run.clients, calls).await?;
        let mut db = connect(&run.databases[2]).await?;
        let (in_ledger,): (i64,) = sqlx::query_as("SELECT CAST(SUM(amount_ore) AS BIGINT) FROM ledger WHERE booked_on <= '2026-10-31'")
            .fetch_one(&mut db)
            .await?;
        anyhow::ensure!(consumed == in_ledger, "status says {consumed} øre consumed, the ledger {in_ledger}");
        println!(
            "  {entries:>10} ledger entries (filled in {filled:.1?}): p50 {:.2?}, p99 {:.2?}; consumed {} kr",
            percentile(&latencies, 500),
            percentile(&latencies, 990),
            kr(consumed)
        );
        p99.push(percentile(&latencies, 990));
        run.stop().await?;
    }
    println!(
        "  ratio       p99 with {large} entries is {} p99 with {small}",
        ratio(p99[1].as_micros(), p99[0].as_micros())
    );
    Ok(())
}
