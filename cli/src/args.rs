//! The command line: what each command does, in the domain's words.
//!
//! clap turns doc comments into `--help` text, so the help of each command and flag is its
//! documentation; the enums and flattened fields that have no help of their own stay
//! undocumented rather than print a stray line in `--help`.
#![allow(missing_docs)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Afregning: money follows the citizen in municipal elder care.
///
/// The authority's decisions (visitation) become provider statements (settlement) and committee
/// budget consumption (budget), exact to the øre and explained line by line.
///
/// Words: a grant (bevilling) is what the authority decides a citizen receives; a delivery
/// (leverance) is a visit a provider made; a statement (afregningsbilag) is a provider's monthly
/// settlement; a frame (budgetramme) is a committee's budget for a year; a case
/// (omplaceringssag) moves budget between two frames each quarter, net zero, when one committee
/// paid for a need another committee owns.
#[derive(Debug, Parser)]
#[command(name = "afregning", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// The language of the output: da (Danish, the default) or en (English).
    #[arg(long, global = true, env = "AFREGNING_LANG", default_value = "da", value_parser = parse_lang)]
    pub lang: afregning_client::i18n::Lang,
    #[command(flatten)]
    pub connection: Connection,
    #[command(subcommand)]
    pub command: Command,
}

pub use afregning_client::connect::Connection;
pub use afregning_client::parse::{parse_date, parse_day, parse_period, parse_quarter};

fn parse_lang(text: &str) -> Result<afregning_client::i18n::Lang, String> {
    afregning_client::i18n::Lang::from_code(text).ok_or_else(|| afregning_client::i18n::tr("parse-lang"))
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run all three services in this process until Ctrl-C, each on its own port
    /// (50051 visitation, 50052 settlement, 50053 budget) with its own embedded SQLite database
    /// under the data directory. Set AFREGNING_<SERVICE>_DATABASE_URL=postgres://… to use
    /// PostgreSQL instead; every other setting is read as the service binaries read it.
    Up {
        /// Directory for the SQLite databases.
        #[arg(long, default_value = "data")]
        data_dir: PathBuf,
        /// Where the web cockpit listens ("off" serves none).
        #[arg(long, default_value = "127.0.0.1:8080")]
        cockpit: String,
    },
    /// Serve the web cockpit against running services: budget curves and forecasts per frame,
    /// the quarter's reallocation cases, progression per provider and course type, and the
    /// steering models side by side. It reads only through the services' gRPC APIs, as the
    /// principal of --token.
    Cockpit {
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
    },
    /// Compare the steering models on the municipality's own grants and deliveries: frame
    /// budgeting (rammestyring: each provider a fixed share of its frames' budgets for the months,
    /// decided by visited time on the first day), activity budgeting (aktivitetsstyring: delivered
    /// hours × hourly rate) and course budgeting (forløbsstyring: weekly course tariffs, level fixed
    /// at each course's start), per provider and in total, with the differences explained.
    Steering {
        /// First month, e.g. 04.2026 or 2026-04.
        #[arg(long, value_parser = parse_period)]
        from: (i32, i32),
        /// Last month (inclusive), at most 11 months after the first.
        #[arg(long, value_parser = parse_period)]
        to: (i32, i32),
        /// How to print it.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The running month priced as it stands today, as a preview: never issued, never stored,
    /// never posted. A provider sees its own month line by line; operators and finance every
    /// provider's total, or one provider's lines with `--provider`.
    ///
    /// Example: afregning preview
    Preview {
        /// One provider's month, line by line (providers: their own id, or leave it out).
        #[arg(long, default_value = "")]
        provider: String,
    },
    /// Show a small municipality's quarter end to end on a fresh, throwaway setup: the EHR's
    /// decisions, providers' deliveries, monthly settlement, statements, budget follow-up and the
    /// quarterly reallocation between committees, all over the real gRPC APIs.
    Demo {
        /// Keep the demo's databases in this directory instead of a temporary one.
        #[arg(long)]
        keep: Option<PathBuf>,
    },
    /// Whether each service answers, and how far settlement and budget have followed the feeds.
    Status,
    /// Set up a municipality's year from files finance edits in a spreadsheet (UTF-8, comma- or
    /// semicolon-separated, a header row): committees.csv (code, name), frames.csv (frame, year,
    /// committee, name, account, amount, optionally twelve monthly amounts jan … dec adding up to
    /// it and effective_from for a change), providers.csv (optionally id, the prv_… a provider is
    /// registered under so its token can be issued first; cvr, name, kind kommunal|privat,
    /// committee, approved_for: units separated by spaces) and the year's tariff catalog
    /// catalog-<year>.toml, published in visitation, whose legal bases map to the frames. Every
    /// row is checked — against the other files, the catalog and what the services hold — before
    /// anything is written; refused rows are listed by file, line and field (exit code 3) and
    /// nothing changes. Running it again is safe: a frame's amount, profile, name and account
    /// are updated; a published catalog version, a committee's name, a frame's committee and a
    /// registered provider are not changed here and are refused. deploy/ holds an example set.
    ///
    /// Example: afregning setup deploy --check
    Setup {
        /// The directory with the files.
        dir: PathBuf,
        /// Check the files and show what would change, writing nothing.
        #[arg(long)]
        check: bool,
        /// The token for registering providers in visitation (the EHR's or the operator's);
        /// default: --token.
        #[arg(long, env = "AFREGNING_AUTHORITY_TOKEN", hide_env_values = true)]
        authority_token: Option<String>,
    },
    /// Grants (bevillinger) as the authority decided them.
    #[command(subcommand)]
    Grants(Grants),
    /// Orders (bestillinger): what the authority's grants ask of a provider. A provider lists,
    /// follows and acknowledges its own orders with its own --token; the authority lists the
    /// orders not acknowledged in time.
    #[command(subcommand)]
    Orders(Orders),
    /// Deliveries (leverancer): visits providers made.
    #[command(subcommand)]
    Deliveries(Deliveries),
    /// Settle a month: price every provider's deliveries and grant days into draft statements.
    Settle {
        /// The month, e.g. 07.2026 or 2026-07. It must have ended.
        #[arg(long, value_parser = parse_period)]
        period: (i32, i32),
        /// Issue (seal) every statement of the month afterwards; issued statements post to budget.
        #[arg(long)]
        issue: bool,
        #[command(flatten)]
        write: Write,
    },
    /// Statements (afregningsbilag): a provider's settlement for a month.
    #[command(subcommand)]
    Statements(Statements),
    /// The authority's review of a settled month (stikprøvekontrol): the grants whose delivered
    /// time deviates from their visited time beyond a threshold (over and under), the highest-paid
    /// grants and a reproducible random sample, each reviewed with an outcome; a recovery is paid
    /// back on the provider's next statement.
    #[command(subcommand)]
    Review(Review),
    /// Budget follow-up: each frame's budget, consumption and expected result at a date.
    Budget {
        /// One frame (e.g. SOCIAL); all when left out.
        #[arg(long, default_value = "")]
        frame: String,
        /// The date to follow up at, e.g. 30.06.2026 or 2026-06-30 (default: today).
        #[arg(long, value_parser = parse_date)]
        as_of: Option<(i32, i32, i32)>,
    },
    /// Quarterly reallocation cases between committee frames.
    #[command(subcommand)]
    Cases(Cases),
    /// Tariff catalogs (takstkataloger): one per budget year, published through visitation and
    /// never changed once published. A correction is a new version of the year with the day it
    /// takes effect; from that day it prices, and months already issued are corrected on each
    /// provider's next statement.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Committees (udvalg): each owns frames, writes their expected accounts and explanations,
    /// and decides the reallocation cases that concern it.
    #[command(subcommand)]
    Committees(Committees),
    /// Frames (budgetrammer): a committee's activity budget for one year, on one account,
    /// released over the year evenly by days or by a monthly profile.
    #[command(subcommand)]
    Frames(Frames),
    /// Actuals from the ERP: costs booked on a frame that do not pass through settlement.
    #[command(subcommand)]
    Actuals(Actuals),
    /// Submit a responsible leader's expected accounts (forventet regnskab) for a frame's year:
    /// the consumption the leader expects, month by month. They replace any given before, and from
    /// then on they are the frame's expected rest of the year (the commitments shown beside them).
    /// A month's amount counts for the days after the follow-up date.
    ///
    /// Example: afregning expected-accounts --frame HEALTH --year 2026 07=12.500,00 08=12.500,00 2026-09=9.000
    ExpectedAccounts {
        /// The frame, e.g. HEALTH.
        #[arg(long)]
        frame: String,
        /// The budget year.
        #[arg(long)]
        year: i32,
        /// Month=amount pairs: the month as 7, 07, 07.2026 or 2026-07, the amount in kroner
        /// (12.500,00 or 12500.00), not negative.
        #[arg(required = true, value_name = "MONTH=AMOUNT")]
        months: Vec<String>,
        #[command(flatten)]
        write: Write,
    },
    /// Explain a frame's expected overrun for a month (afvigelsesforklaring), with at least one
    /// corrective action: a month whose overrun is beyond the threshold cannot be closed without
    /// one. A later explanation of the same month replaces it.
    ///
    /// Example: afregning explain-deviation --frame HEALTH --period 10.2026 --explanation "Udstyr købt for resten af året" --action "Indkøbsstop til årets udgang"
    ExplainDeviation {
        /// The frame, e.g. HEALTH.
        #[arg(long)]
        frame: String,
        /// The month explained, e.g. 10.2026 or 2026-10.
        #[arg(long, value_parser = parse_period)]
        period: (i32, i32),
        /// Why the overrun arises, 1–4.000 characters.
        #[arg(long)]
        explanation: String,
        /// A corrective action (give --action once for each, 1–20).
        #[arg(long = "action", required = true)]
        actions: Vec<String>,
        #[command(flatten)]
        write: Write,
    },
    /// Close a frame's month (månedsafslutning). Its figures are frozen as they stand: a status at
    /// a date in the month never changes again, and what is booked into it later counts from the
    /// next open month. Refused while an overrun beyond the threshold is unexplained.
    ///
    /// Example: afregning close-month --frame ELDRE --period 07.2026
    CloseMonth {
        /// The frame, e.g. HEALTH.
        #[arg(long)]
        frame: String,
        /// The month, e.g. 06.2026 or 2026-06.
        #[arg(long, value_parser = parse_period)]
        period: (i32, i32),
        #[command(flatten)]
        write: Write,
    },
    /// Run the annual true-up (efterregulering) of a year in settlement: each provider's issued
    /// lines of the year repriced at the actual average unit costs, the difference on one draft
    /// statement per provider. The file has a header row and the columns unit (a service category,
    /// package code or course:<TYPE>:<level>) and actual_rate (kroner per hour or per week).
    /// Running it again replaces the drafts.
    ///
    /// Example: afregning true-up --year 2026 actual-costs-2026.csv
    TrueUp {
        /// The year to true up; not a future one.
        #[arg(long)]
        year: i32,
        /// The actual unit costs (comma- or semicolon-separated).
        file: PathBuf,
        #[command(flatten)]
        write: Write,
    },
    /// Settlement's postings per frame, account and month, for the ERP.
    Export {
        /// The budget year.
        #[arg(long)]
        year: i32,
        /// One frame; all when left out.
        #[arg(long, default_value = "")]
        frame: String,
        /// How to print it.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Compare the ERP's totals with settlement's postings, line by line. The file has the
    /// columns of `export --format csv`: frame;account;period;amount_kr (decimal comma or point).
    Reconcile {
        /// The budget year.
        #[arg(long)]
        year: i32,
        /// The ERP's totals.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Publish a catalog document (TOML, as deploy/catalog-2026.toml): a year's catalog, or a
    /// correction — a new version whose effective_from lies within the year. Publishing a version
    /// again with the same content answers it as first published; other content is refused.
    ///
    /// Example: afregning catalog publish catalog-2026.toml
    Publish {
        /// The catalog file, at most 65.536 bytes.
        file: PathBuf,
        #[command(flatten)]
        write: Write,
    },
    /// The published versions: the days each prices and which version it corrects.
    ///
    /// Example: afregning catalog list
    List,
    /// One version's days and prices: hourly rates per band, package and course prices per week.
    ///
    /// Example: afregning catalog show 2026.1
    Show {
        /// The version, e.g. 2026.1.
        #[arg(id = "catalog_version", value_name = "VERSION")]
        version: String,
    },
    /// Derive next year's catalog from a published one by the price index (pris- og
    /// lønfremskrivning) and publish it: every price multiplied and rounded to øre, rules and
    /// mappings unchanged, in force from 1 January.
    ///
    /// Example: afregning catalog roll-forward --from 2026.1 --index 2,5 --version 2027.1
    #[command(disable_version_flag = true)]
    RollForward {
        /// The published version to derive from, e.g. 2026.1.
        #[arg(long)]
        from: String,
        /// The price index in percent, e.g. 2,5 or 2.5 (from -50 to 50).
        #[arg(long, allow_hyphen_values = true)]
        index: String,
        /// The new version, e.g. 2027.1 (1–32 characters).
        #[arg(long = "version", id = "new_version", value_name = "VERSION")]
        version: String,
        #[command(flatten)]
        write: Write,
    },
}

#[derive(Debug, Subcommand)]
pub enum Grants {
    /// A citizen's grants (current versions), found by CPR number or by visitation's id. Every
    /// look-up lands in the citizen's audit log with its purpose.
    ///
    /// Example: afregning grants list --cpr 0101401111
    List {
        /// The citizen's CPR number (10 digits, with or without the dash).
        #[arg(long, conflicts_with = "citizen", required_unless_present = "citizen")]
        cpr: Option<String>,
        /// The citizen's id in visitation (cit_…).
        #[arg(long)]
        citizen: Option<String>,
        /// Why you look the citizen up; written to the audit log.
        #[arg(long, default_value = "afregning grants list: en sagsbehandler slår borgerens bevillinger op")]
        purpose: String,
    },
    /// One grant with every version the authority decided.
    Show {
        /// The grant's id (gr_…).
        grant_id: String,
    },
    /// Decide a grant for a citizen, as the authority's case worker does where no EHR sends
    /// decisions: the citizen is found by CPR number (and registered when new, audited), the
    /// tariff derives the level, course period and expected weekly cost. The same request id
    /// answers a retry with the first decision.
    ///
    /// Example: afregning grants decide --cpr 0808401888 --unit personal_care --legal-basis SEL-83 --intervention personlig-pleje --minutes 150 --provider 35123458 --from 01.07.2026
    Decide {
        /// The citizen's CPR number (10 digits, with or without the dash).
        #[arg(long)]
        cpr: String,
        /// What is granted: a service category (personal_care, practical_help, nursing,
        /// training), a package code (personal_care_package) or a course (course:DEVELOPING,
        /// course:MAINTAINING, course:INDIVIDUAL), as the catalog names them.
        #[arg(long)]
        unit: String,
        /// The legal basis, e.g. SEL-83, SEL-83a, SUL-140.
        #[arg(long)]
        legal_basis: String,
        /// The FSIII intervention, e.g. personlig-pleje, hverdagsrehabilitering.
        #[arg(long)]
        intervention: String,
        /// Visited minutes per week, 0–10.080.
        #[arg(long)]
        minutes: u32,
        /// The provider by CVR number or id (prv_…), optionally with its share: 29189668=60.
        /// Give it once for each provider; the first leads.
        #[arg(long = "provider", required = true)]
        providers: Vec<String>,
        /// The first day, e.g. 01.07.2026 or 2026-07-01; it may lie in the past.
        #[arg(long, value_parser = parse_day)]
        from: chrono::NaiveDate,
        /// The last day; open-ended when left out.
        #[arg(long, value_parser = parse_day)]
        to: Option<chrono::NaiveDate>,
        /// The frame that owns the need when another frame pays (a cross-frame purchase).
        #[arg(long)]
        need_frame: Option<String>,
        #[command(flatten)]
        write: Write,
    },
}

#[derive(Debug, Subcommand)]
pub enum Orders {
    /// A provider's orders, oldest first: every grant version that names it (new, revisited,
    /// provider changed, suspended, resumed, ended, or moved to another provider), with the
    /// citizen's CPR number, the grant to report deliveries against and what to deliver. Each
    /// order read lands in the citizen's audit log with the provider as reader.
    ///
    /// Example: afregning orders list --provider prv_plejegruppen --unacknowledged
    List {
        /// Only orders not yet acknowledged.
        #[arg(long)]
        unacknowledged: bool,
        /// Only this citizen's orders, by CPR number (10 digits, with or without the dash).
        #[arg(long)]
        cpr: Option<String>,
        /// Only orders after this one (its number).
        #[arg(long, default_value_t = 0)]
        after: u64,
        #[command(flatten)]
        provider: ProviderOption,
    },
    /// Print a provider's orders as they come, one line each, until Ctrl-C.
    ///
    /// Example: afregning orders follow --provider prv_plejegruppen --from 1 --once
    Follow {
        /// Start with this order (its number); from the first when left out.
        #[arg(long, default_value_t = 1)]
        from: u64,
        /// Stop once every order so far is printed instead of waiting for new ones.
        #[arg(long)]
        once: bool,
        #[command(flatten)]
        provider: ProviderOption,
    },
    /// Acknowledge an order (kvittér): the provider's system has received it. Acknowledging
    /// again changes nothing and shows the first acknowledgement.
    ///
    /// Example: afregning orders acknowledge 1 --provider prv_plejegruppen
    Acknowledge {
        /// The order's number, as `orders list` shows it.
        order: u64,
        #[command(flatten)]
        provider: ProviderOption,
        #[command(flatten)]
        write: Write,
    },
    /// For the authority: orders the providers have not acknowledged although they were
    /// recorded more than the given hours ago, oldest first (no CPR numbers).
    ///
    /// Example: afregning orders unacknowledged --older-than 0
    Unacknowledged {
        /// Hours since the order was recorded, 0–8.760; the service's order_ack_hours (24 by
        /// default) when left out.
        #[arg(long)]
        older_than: Option<u32>,
        /// Only this provider's orders (prv_…).
        #[arg(long, default_value = "")]
        provider: String,
    },
}

/// Whose orders: a provider's token says it; a service without tokens needs to be told.
#[derive(Debug, Args)]
pub struct ProviderOption {
    /// The provider (prv_…). A provider's --token needs none: its orders are its own.
    #[arg(long = "provider", default_value = "")]
    pub id: String,
}

#[derive(Debug, Subcommand)]
pub enum Deliveries {
    /// Report deliveries from a CSV file (comma- or semicolon-separated) with a header row:
    /// delivery_id, grant_id, provider_id (the provider's id or CVR number), carer_visit_id,
    /// started_at, minutes. started_at is
    /// RFC 3339 (2026-04-01T07:30:00+02:00) or Danish local time (01.04.2026 07:30 or
    /// 2026-04-01 07:30). Each record
    /// is idempotent by its delivery_id, so a file can be sent again safely. The valid rows are
    /// reported and every refused row is listed with its line and field, in one pass (exit code
    /// 3 when any was refused).
    ///
    /// Example: afregning deliveries import uge-14.csv --refusals uge-14-afvist.csv
    Import {
        /// The CSV file.
        file: PathBuf,
        /// Also write the refused rows here, as CSV (line, delivery_id, field, why) that opens in
        /// a Danish spreadsheet.
        #[arg(long)]
        refusals: Option<PathBuf>,
        #[command(flatten)]
        write: Write,
    },
    /// Correct a reported delivery: when it started and how many minutes it lasted. A month
    /// already settled gets the difference as correction lines on the next statement.
    ///
    /// Example: afregning deliveries correct lev-9002 --minutes 30 --started-at "01.04.2026 07:30" --reason "borger syg, besøget flyttet"
    Correct {
        /// The delivery's id, as reported.
        delivery_id: String,
        /// When the visit started: Danish local time (01.04.2026 07:30) or RFC 3339.
        #[arg(long)]
        started_at: String,
        /// Delivered minutes, 1–1440.
        #[arg(long)]
        minutes: u32,
        /// Why it is corrected; shown on the correction line.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        write: Write,
    },
}

#[derive(Debug, Subcommand)]
pub enum Statements {
    /// A month's statements.
    List {
        /// The month, e.g. 04.2026 or 2026-04.
        #[arg(long, value_parser = parse_period)]
        period: (i32, i32),
        /// Only this provider's (providers must give their own id).
        #[arg(long, default_value = "")]
        provider: String,
    },
    /// One statement, line by line: what each line pays for and why it costs what it does.
    Show {
        /// The statement's id (st-…).
        statement_id: String,
        /// How to print it.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Issue (seal) a draft statement: it never changes again and posts to budget.
    Issue {
        /// The statement's id.
        statement_id: String,
        #[command(flatten)]
        write: Write,
    },
    /// A provider accepts an issued statement of its own: it agrees with every line. A statement
    /// is answered once, accepted or disputed; the answer is kept beside it and never changes it.
    Accept {
        /// The statement's id (st-…).
        statement_id: String,
        #[command(flatten)]
        write: Write,
    },
    /// A provider disputes lines of an issued statement of its own, a reason for each
    /// (`--line 3 --reason "…" --line 5 --reason "…"`). The dispute is settled by correction lines
    /// on a later statement, never by changing this one.
    Dispute {
        /// The statement's id (st-…).
        statement_id: String,
        /// A disputed line's number, as `statements show` numbers them; once per line.
        #[arg(long = "line", required = true, value_name = "N")]
        lines: Vec<u32>,
        /// Why, for the line given just before it: 1–500 characters.
        #[arg(long = "reason", required = true)]
        reasons: Vec<String>,
        #[command(flatten)]
        write: Write,
    },
    /// Finance records that an issued statement was paid: the day and the payment's reference.
    Paid {
        /// The statement's id (st-…).
        statement_id: String,
        /// The day it was paid, e.g. 15.05.2026 or 2026-05-15 (default: today); not before the
        /// statement was issued.
        #[arg(long, value_parser = parse_date)]
        paid_on: Option<(i32, i32, i32)>,
        /// The payment's reference in the finance system, 1–64 characters.
        #[arg(long)]
        reference: String,
        #[command(flatten)]
        write: Write,
    },
    /// Issued statements not paid by their due date (the issue date + 30 days).
    ///
    /// Example: afregning statements overdue --as-of 31.01.2027
    Overdue {
        /// Overdue as of this day, e.g. 31.01.2027 or 2027-01-31 (default: today).
        #[arg(long, value_parser = parse_date)]
        as_of: Option<(i32, i32, i32)>,
        /// Only this provider's.
        #[arg(long, default_value = "")]
        provider: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum Review {
    /// Build a settled month's review list, once: every deviation beyond the threshold, the
    /// highest-paid grants and a random sample drawn from the seed (recorded with the list, so the
    /// same seed draws the same sample).
    ///
    /// Example: afregning review build --period 05.2026 --seed 2026
    Build {
        /// The month, e.g. 04.2026 or 2026-04; at least one of its statements issued.
        #[arg(long, value_parser = parse_period)]
        period: (i32, i32),
        /// A deviation beyond this percentage of the visited time is listed, 0–1000 (default 20).
        #[arg(long)]
        threshold: Option<u32>,
        /// How many grants to draw at random among the rest, 0–1000 (default 5).
        #[arg(long)]
        sample: Option<u32>,
        /// How many of the highest-paid grants to list, 0–1000 (default 5).
        #[arg(long)]
        highest: Option<u32>,
        /// The sample's seed (default: one is drawn and recorded with the list).
        #[arg(long)]
        seed: Option<u64>,
        #[command(flatten)]
        write: Write,
    },
    /// A month's review list with each grant's figures and outcome, and the share reviewed.
    ///
    /// Example: afregning review list --period 04.2026 --format csv
    List {
        /// The month, e.g. 04.2026 or 2026-04.
        #[arg(long, value_parser = parse_period)]
        period: (i32, i32),
        /// How to print it.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Record the outcome of reviewing one grant of the list, once. A recovery is paid back as a
    /// correction line on the provider's next statement.
    Record {
        /// The month, e.g. 04.2026 or 2026-04.
        #[arg(long, value_parser = parse_period)]
        period: (i32, i32),
        /// The grant's id, as the list shows it.
        #[arg(long)]
        grant: String,
        /// The provider's id (prv_…).
        #[arg(long)]
        provider: String,
        /// What the review found.
        #[arg(long, value_enum)]
        outcome: OutcomeArg,
        /// What was found, 1–500 characters.
        #[arg(long)]
        note: String,
        /// For a recovery: the amount paid back in kroner (475,00 or 475.00), at most what the
        /// month pays for the grant now.
        #[arg(long, value_parser = recovery_kroner)]
        recovery: Option<i64>,
        #[command(flatten)]
        write: Write,
    },
}

/// What reviewing a grant found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutcomeArg {
    /// Nothing to do (ingen handling).
    NoAction,
    /// The grant is to be revisited (revisitation).
    Revisit,
    /// The provider was contacted (leverandør kontaktet).
    ProviderContacted,
    /// Money is paid back (tilbagebetaling).
    Recovery,
}

fn recovery_kroner(text: &str) -> Result<i64, String> {
    crate::finance::kroner(text, false)
}

#[derive(Debug, Subcommand)]
pub enum Cases {
    /// Net the quarter's cross-frame purchases into cases, one per pair of frames.
    Propose {
        /// The quarter, e.g. 2026-Q2 or "2.kvt. 2026".
        #[arg(long, value_parser = parse_quarter)]
        quarter: (i32, i32),
        #[command(flatten)]
        write: Write,
    },
    /// A quarter's cases.
    List {
        /// The quarter, e.g. 2026-Q2 or "2.kvt. 2026".
        #[arg(long, value_parser = parse_quarter)]
        quarter: (i32, i32),
    },
    /// One case: the purchases behind it, the committees' decisions and its audit trail.
    Explain {
        /// The case's id.
        case_id: String,
    },
    /// Decide a case for one committee (only that committee may).
    Approve {
        /// The case's id.
        case_id: String,
        /// The deciding committee, e.g. SOCIAL.
        #[arg(long)]
        committee: String,
        /// Reject instead of approve.
        #[arg(long)]
        reject: bool,
        /// A comment for the audit trail.
        #[arg(long, default_value = "")]
        comment: String,
        #[command(flatten)]
        write: Write,
    },
    /// Execute an approved case (finance only): two ledger entries that sum to zero.
    Execute {
        /// The case's id.
        case_id: String,
        #[command(flatten)]
        write: Write,
    },
}

#[derive(Debug, Subcommand)]
pub enum Committees {
    /// Create a committee; its code must be new.
    ///
    /// Example: afregning committees create --code OMSORG --name Omsorgsudvalget
    Create {
        /// Upper-case code, e.g. SOCIAL, HEALTH, FINANCE.
        #[arg(long)]
        code: String,
        /// The committee's name, e.g. Sundhedsudvalget.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        write: Write,
    },
    /// Every committee, by code.
    ///
    /// Example: afregning committees list
    List,
}

#[derive(Debug, Subcommand)]
pub enum Frames {
    /// Set a committee's frame for a year: its account, amount and, optionally, twelve monthly
    /// amounts that add up to it (without them the budget is released evenly by days). Setting it
    /// again changes it from --effective-from on; a status at an earlier date and months already
    /// closed keep their figures.
    ///
    /// Example: afregning frames set --frame OMSORG --year 2026 --committee OMSORG --name "Omsorg – sygepleje" --account 4.62.88 --amount 365.000,00
    Set {
        /// The frame's code, as the catalog maps legal bases to it, e.g. HEALTH.
        #[arg(long)]
        frame: String,
        /// The budget year.
        #[arg(long)]
        year: i32,
        /// The committee that owns it.
        #[arg(long)]
        committee: String,
        /// Its name, e.g. "Visitation og Rehabilitering – Sund".
        #[arg(long)]
        name: String,
        /// The finance account (kontoplan funktion), e.g. 4.62.88.
        #[arg(long)]
        account: String,
        /// The year's budget in kroner, e.g. 365.000,00.
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        /// Twelve monthly amounts in kroner, January first, adding up to --amount.
        #[arg(long, num_args = 12, value_name = "AMOUNT")]
        profile: Vec<String>,
        /// The day the change takes effect, e.g. 01.11.2026, after the frame's closed months; a
        /// status at an earlier date keeps the setting in force then. Default: the year's first
        /// day for a new frame, otherwise today.
        #[arg(long, value_parser = parse_day)]
        effective_from: Option<chrono::NaiveDate>,
        #[command(flatten)]
        write: Write,
    },
    /// A year's frames: amount as set and the budget after executed reallocations.
    ///
    /// Example: afregning frames list --year 2026
    List {
        /// The budget year.
        #[arg(long)]
        year: i32,
    },
}

#[derive(Debug, Subcommand)]
pub enum Actuals {
    /// Import the ERP's actuals from a CSV file (comma- or semicolon-separated) with a header row:
    /// external_id, frame, account, booked_on, amount, text. booked_on is 30.06.2026 or
    /// 2026-06-30; amount is kroner (1.234,56 or 1234.56; negative for a credit). Each record is
    /// idempotent by its external_id, so a file can be sent again safely. Every row is read; the
    /// valid ones are booked and every refused row is listed with its line and field, in one pass
    /// (exit code 3 when any was refused).
    ///
    /// Example: afregning actuals import erp-juni.csv
    Import {
        /// The CSV file.
        file: PathBuf,
        #[command(flatten)]
        write: Write,
    },
}

/// Options of every command that changes something.
#[derive(Debug, Args)]
pub struct Write {
    /// The write's request id. Give the same id to retry safely: the service answers a retry
    /// with the first answer instead of doing the work twice. Default: a new id.
    #[arg(long)]
    pub request_id: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for people.
    Table,
    /// Semicolon-separated CSV with decimal commas, as Danish spreadsheets read it.
    Csv,
    /// JSON, amounts in øre.
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
