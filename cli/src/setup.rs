//! Setting up a municipality's year from files finance can edit in a spreadsheet: committees,
//! frames with account and monthly profile, providers with CVR and approvals, and the year's
//! tariff catalog (published in visitation; its legal bases map to the frames). Every file is read and every row
//! checked — against the others and against what the services already hold — before anything is
//! written, so a bad file changes nothing. Running it again is safe: what is as the files say
//! stays, what may change (a frame's amount, profile, name and account) is updated, and what may
//! not (a committee's name, a frame's committee, a registered provider) is refused, naming the
//! file, line and field.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use afregning_client::i18n::{tr, tr_args};
use afregning_proto::budget::v1 as pbb;
use afregning_proto::common::v1 as pbc;
use afregning_proto::visitation::v1 as pbv;
use afregning_tariff::{Catalog, Cvr};

use crate::connect::Clients;
use crate::files::{Refusal, column, csv_text};
use crate::finance::budget_kroner;
use crate::print::{Out, headers, kr, table};

/// The files of a setup, as read: name and text.
pub type Files = Vec<(String, String)>;

/// The example municipality shipped in `deploy/`, for the demo and as a model to edit.
pub fn example() -> Files {
    [
        ("committees.csv", include_str!("../../deploy/committees.csv")),
        ("frames.csv", include_str!("../../deploy/frames.csv")),
        ("providers.csv", include_str!("../../deploy/providers.csv")),
        ("catalog-2026.toml", include_str!("../../deploy/catalog-2026.toml")),
    ]
    .into_iter()
    .map(|(name, text)| (name.to_owned(), text.to_owned()))
    .collect()
}

/// The setup files of `dir`: `committees.csv`, `frames.csv`, `providers.csv` and the year
/// catalogs `catalog-*.toml`; other files are left alone.
pub fn read_dir(dir: &Path) -> anyhow::Result<Files> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        anyhow::anyhow!(tr_args(
            "file-unreadable",
            &[("file", dir.display().to_string()), ("why", e.to_string())]
        ))
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let wanted = ["committees.csv", "frames.csv", "providers.csv"].contains(&name.as_str())
            || (name.starts_with("catalog-") && name.ends_with(".toml"));
        if wanted {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| anyhow::anyhow!(tr_args("file-unreadable", &[("file", name.clone()), ("why", e.to_string())])))?;
            files.push((name, text));
        }
    }
    files.sort();
    anyhow::ensure!(
        files.iter().any(|(name, _)| name == "frames.csv"),
        tr_args("setup-no-frames", &[("dir", dir.display().to_string())])
    );
    Ok(files)
}

/// A row of a file, where it was read.
#[derive(Clone, Debug)]
struct Row<T> {
    file: String,
    line: usize,
    value: T,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct FrameRow {
    frame: String,
    year: i32,
    committee: String,
    name: String,
    account: String,
    amount_ore: i64,
    profile_ore: Vec<i64>,
    /// When a change takes effect (`effective_from`, optional): by default a new frame's from the
    /// year's first day, a change from today.
    effective_from: Option<chrono::NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct ProviderRow {
    /// The id the authority registers it under (`prv_…`), or empty for one visitation chooses.
    provider_id: String,
    cvr: String,
    name: String,
    kind: pbc::ProviderKind,
    committee: String,
    approved_for: BTreeSet<String>,
}

/// What the files say, checked row by row and against each other.
#[derive(Debug, Default)]
struct Plan {
    committees: Vec<Row<pbb::Committee>>,
    frames: Vec<Row<FrameRow>>,
    providers: Vec<Row<ProviderRow>>,
    /// Each catalog file: its name, the catalog and the document as written.
    catalogs: Vec<(String, Catalog, String)>,
}

/// Collects refusals as rows are read.
#[derive(Default)]
struct Refusals(Vec<Refusal>);

impl Refusals {
    fn add(&mut self, file: &str, line: usize, field: &str, why: impl Into<String>) {
        self.0.push(Refusal {
            line,
            id: file.to_owned(),
            field: field.to_owned(),
            why: why.into(),
        });
    }
}

/// Danish month abbreviations heading a frame's monthly profile, January first.
const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];

/// The longest code, name and account a file may hold, as the services bound them.
const CODE_MAX: usize = 32;
const NAME_MAX: usize = 200;

fn text_problem(value: &str, max: usize) -> Option<String> {
    let chars = value.chars().count();
    (chars == 0 || chars > max).then(|| tr_args("setup-text-bound", &[("max", max.to_string())]))
}

fn code_problem(value: &str) -> Option<String> {
    let good = !value.is_empty()
        && value.len() <= CODE_MAX
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    (!good).then(|| tr_args("setup-code-bound", &[("max", CODE_MAX.to_string())]))
}

/// A provider id the file may choose: empty, or `prv_` and 1–60 of a–z, 0–9, `_` and `-`.
fn id_problem(id: &str) -> Option<String> {
    let good = id.is_empty()
        || id.strip_prefix("prv_").is_some_and(|rest| {
            (1..=60).contains(&rest.len())
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        });
    (!good).then(|| tr("setup-id-bound"))
}

/// Reads every file and checks every row; refusals name file, line and field.
// One piece: each file is read top to bottom beside its columns, then the files are checked
// against each other; split, the cross-checks would lose the rows they point at.
fn plan(files: &Files) -> (Plan, Vec<Refusal>) {
    let mut plan = Plan::default();
    let mut refused = Refusals::default();
    for (file, text) in files.iter().filter(|(name, _)| name.ends_with(".toml")) {
        match Catalog::from_toml_str(text) {
            Ok(catalog) => plan.catalogs.push((file.clone(), catalog, text.clone())),
            Err(e) => refused.add(file, 0, "catalog", e.to_string()),
        }
    }
    for (file, text) in files.iter().filter(|(name, _)| name.ends_with(".csv")) {
        let (header, records) = match csv_text(file, text) {
            Ok(read) => read,
            Err(e) => {
                refused.add(file, 1, "", e.to_string());
                continue;
            }
        };
        let wanted: &[&str] = match file.as_str() {
            "committees.csv" => &["code", "name"],
            "frames.csv" => &["frame", "year", "committee", "name", "account", "amount"],
            _ => &["cvr", "name", "kind", "committee", "approved_for"],
        };
        let missing: Vec<&str> = wanted.iter().copied().filter(|c| column(&header, c).is_none()).collect();
        if !missing.is_empty() {
            for c in missing {
                refused.add(file, 1, c, tr("setup-column-missing"));
            }
            continue;
        }
        let get = |record: &csv::StringRecord, name: &str| -> String {
            column(&header, name).and_then(|i| record.get(i)).unwrap_or_default().to_owned()
        };
        for (line, record) in &records {
            if record.iter().all(str::is_empty) {
                continue;
            }
            let mut problem = |field: &str, why: Option<String>| {
                if let Some(why) = why {
                    refused.add(file, *line, field, why);
                    true
                } else {
                    false
                }
            };
            match file.as_str() {
                "committees.csv" => {
                    let (code, name) = (get(record, "code"), get(record, "name"));
                    let bad = problem("code", code_problem(&code)) | problem("name", text_problem(&name, NAME_MAX));
                    if !bad {
                        plan.committees.push(Row {
                            file: file.clone(),
                            line: *line,
                            value: pbb::Committee { code, name },
                        });
                    }
                }
                "frames.csv" => {
                    let frame = get(record, "frame");
                    let committee = get(record, "committee");
                    let name = get(record, "name");
                    let account = get(record, "account");
                    let year = get(record, "year").parse::<i32>().ok().filter(|y| (2000..=2100).contains(y));
                    let amount = budget_kroner(&get(record, "amount"));
                    let effective = get(record, "effective_from");
                    let effective_from = (!effective.is_empty()).then(|| afregning_client::parse::parse_day(&effective));
                    let months: Vec<String> = MONTHS.iter().map(|m| get(record, m)).collect();
                    let given = months.iter().filter(|m| !m.is_empty()).count();
                    let profile: Vec<Result<i64, String>> = if given == 0 {
                        Vec::new()
                    } else {
                        months.iter().map(|m| budget_kroner(m)).collect()
                    };
                    let mut bad = problem("frame", code_problem(&frame))
                        | problem("committee", code_problem(&committee))
                        | problem("name", text_problem(&name, NAME_MAX))
                        | problem("account", text_problem(&account, CODE_MAX))
                        | problem("year", year.is_none().then(|| tr("setup-year-bound")))
                        | problem("amount", amount.as_ref().err().cloned())
                        | problem("effective_from", effective_from.as_ref().and_then(|d| d.as_ref().err().cloned()));
                    for (month, amount) in MONTHS.iter().zip(&profile) {
                        bad |= problem(month, amount.as_ref().err().cloned());
                    }
                    if bad {
                        continue;
                    }
                    let (Some(year), Ok(amount_ore)) = (year, amount) else { continue };
                    let profile_ore: Vec<i64> = profile.into_iter().flatten().collect();
                    let sum = profile_ore.iter().try_fold(0i64, |sum, m| sum.checked_add(*m));
                    if !profile_ore.is_empty() && sum != Some(amount_ore) {
                        let total = sum.map_or_else(|| "∞".to_owned(), kr);
                        problem(
                            "jan",
                            Some(tr_args("setup-profile-sum", &[("sum", total), ("amount", kr(amount_ore))])),
                        );
                        continue;
                    }
                    plan.frames.push(Row {
                        file: file.clone(),
                        line: *line,
                        value: FrameRow {
                            frame,
                            year,
                            committee,
                            name,
                            account,
                            amount_ore,
                            profile_ore,
                            effective_from: effective_from.and_then(Result::ok),
                        },
                    });
                }
                _ => {
                    let cvr = get(record, "cvr");
                    let name = get(record, "name");
                    let committee = get(record, "committee");
                    let kind = match get(record, "kind").to_lowercase().as_str() {
                        "kommunal" | "municipal" => Some(pbc::ProviderKind::Municipal),
                        "privat" | "private" => Some(pbc::ProviderKind::Private),
                        _ => None,
                    };
                    let approved_for: BTreeSet<String> = get(record, "approved_for")
                        .split([' ', ','])
                        .filter(|a| !a.is_empty())
                        .map(str::to_owned)
                        .collect();
                    let provider_id = get(record, "id");
                    let bad = problem("id", id_problem(&provider_id))
                        | problem("cvr", Cvr::parse(&cvr).err().map(|e| e.to_string()))
                        | problem("name", text_problem(&name, NAME_MAX))
                        | problem("kind", kind.is_none().then(|| tr("setup-kind-bound")))
                        | problem("committee", code_problem(&committee))
                        | problem("approved_for", approved_for.is_empty().then(|| tr("setup-approvals-empty")));
                    if let (false, Some(kind)) = (bad, kind) {
                        plan.providers.push(Row {
                            file: file.clone(),
                            line: *line,
                            value: ProviderRow {
                                provider_id,
                                cvr,
                                name,
                                kind,
                                committee,
                                approved_for,
                            },
                        });
                    }
                }
            }
        }
    }
    check_across(&plan, &mut refused);
    (plan, refused.0)
}

/// The files against each other: each code once, every committee named exists in the files, and
/// each frame's year has a catalog that knows the frame, its committee and account, and every
/// approval a provider is given.
fn check_across(plan: &Plan, refused: &mut Refusals) {
    let committees: BTreeSet<&str> = plan.committees.iter().map(|c| c.value.code.as_str()).collect();
    let mut seen = BTreeSet::new();
    for c in &plan.committees {
        if !seen.insert(("committee", c.value.code.clone())) {
            refused.add(&c.file, c.line, "code", tr("setup-twice"));
        }
    }
    for f in &plan.frames {
        let frame = &f.value;
        if !seen.insert(("frame", format!("{} {}", frame.frame, frame.year))) {
            refused.add(&f.file, f.line, "frame", tr("setup-twice"));
        }
        if !committees.contains(frame.committee.as_str()) {
            refused.add(&f.file, f.line, "committee", tr("setup-unknown-committee"));
        }
        let Some((catalog_file, catalog, _)) = plan.catalogs.iter().find(|(_, c, _)| c.year == frame.year) else {
            refused.add(
                &f.file,
                f.line,
                "year",
                tr_args("setup-no-catalog", &[("year", frame.year.to_string())]),
            );
            continue;
        };
        match catalog.frames.get(&frame.frame) {
            None => refused.add(
                &f.file,
                f.line,
                "frame",
                tr_args("setup-frame-not-in-catalog", &[("catalog", catalog_file.clone())]),
            ),
            Some(info) => {
                if info.committee != frame.committee {
                    let says = [("catalog", catalog_file.clone()), ("value", info.committee.clone())];
                    refused.add(&f.file, f.line, "committee", tr_args("setup-catalog-says", &says));
                }
                if info.account != frame.account {
                    let says = [("catalog", catalog_file.clone()), ("value", info.account.clone())];
                    refused.add(&f.file, f.line, "account", tr_args("setup-catalog-says", &says));
                }
            }
        }
    }
    // Every frame a catalog's legal bases pay from is set for that catalog's year.
    for (catalog_file, catalog, _) in &plan.catalogs {
        let set: BTreeSet<&str> = plan
            .frames
            .iter()
            .filter(|f| f.value.year == catalog.year)
            .map(|f| f.value.frame.as_str())
            .collect();
        for frame in catalog.legal_bases.values().collect::<BTreeSet<_>>() {
            if !set.contains(frame.as_str()) {
                refused.add(
                    catalog_file,
                    0,
                    "legal_bases",
                    tr_args(
                        "setup-frame-missing",
                        &[("frame", frame.clone()), ("year", catalog.year.to_string())],
                    ),
                );
            }
        }
    }
    let units: BTreeSet<String> = plan
        .catalogs
        .iter()
        .flat_map(|(_, c, _)| {
            let categories = c.categories.keys().cloned();
            let packages = c.packages.keys().cloned();
            let courses = c.courses.keys().map(|t| format!("course:{}", t.code()));
            // INDIVIDUAL courses are priced by the catalog's `[individual]` rate, not its matrix.
            let individual = std::iter::once(format!("course:{}", afregning_tariff::CourseType::Individual.code()));
            categories.chain(packages).chain(courses).chain(individual).collect::<Vec<_>>()
        })
        .collect();
    for p in &plan.providers {
        if !seen.insert(("provider", p.value.cvr.clone())) {
            refused.add(&p.file, p.line, "cvr", tr("setup-twice"));
        }
        if !committees.contains(p.value.committee.as_str()) {
            refused.add(&p.file, p.line, "committee", tr("setup-unknown-committee"));
        }
        for approval in p.value.approved_for.iter().filter(|a| !units.contains(*a)) {
            refused.add(
                &p.file,
                p.line,
                "approved_for",
                tr_args("setup-unknown-unit", &[("unit", approval.clone())]),
            );
        }
    }
}

/// One write the setup makes.
#[derive(Debug)]
enum Change {
    /// A catalog version not yet published: its file and document.
    Catalog(String, String),
    Committee(pbb::Committee),
    Frame {
        row: FrameRow,
        new: bool,
    },
    Provider(ProviderRow),
}

/// What the services hold already.
struct Held {
    /// Published catalogs by version.
    catalogs: BTreeMap<String, Catalog>,
    committees: BTreeMap<String, String>,
    frames: BTreeMap<(String, i32), pbb::Frame>,
    providers: BTreeMap<String, pbc::Provider>,
}

async fn held(plan: &Plan, finance: &mut Clients, authority: &mut Clients) -> anyhow::Result<Held> {
    let published = finance
        .visitation
        .list_catalogs(pbv::ListCatalogsRequest {})
        .await?
        .into_inner()
        .catalogs;
    let catalogs = published
        .into_iter()
        .filter_map(|c| {
            let document = String::from_utf8(c.document).ok()?;
            Some((c.version, Catalog::from_toml_str(&document).ok()?))
        })
        .collect();
    let mut committees = BTreeMap::new();
    let listed = finance
        .budget
        .list_committees(pbb::ListCommitteesRequest {
            page: Some(pbc::PageRequest {
                page_size: 1000,
                page_token: String::new(),
            }),
        })
        .await?
        .into_inner();
    for c in listed.committees {
        committees.insert(c.code, c.name);
    }
    let mut frames = BTreeMap::new();
    for year in plan.frames.iter().map(|f| f.value.year).collect::<BTreeSet<_>>() {
        let mut page_token = String::new();
        loop {
            let page = Some(pbc::PageRequest {
                page_size: 1000,
                page_token,
            });
            let listed = finance
                .budget
                .list_frames(pbb::ListFramesRequest { year, page })
                .await?
                .into_inner();
            for f in listed.frames {
                frames.insert((f.frame.clone(), f.year), f);
            }
            if listed.next_page_token.is_empty() {
                break;
            }
            page_token = listed.next_page_token;
        }
    }
    let mut providers = BTreeMap::new();
    let mut page_token = String::new();
    loop {
        let page = Some(pbc::PageRequest {
            page_size: 1000,
            page_token,
        });
        let listed = authority
            .visitation
            .list_providers(pbv::ListProvidersRequest { page })
            .await?
            .into_inner();
        for p in listed.providers {
            providers.insert(p.cvr.clone(), p);
        }
        if listed.next_page_token.is_empty() {
            break;
        }
        page_token = listed.next_page_token;
    }
    Ok(Held {
        catalogs,
        committees,
        frames,
        providers,
    })
}

/// The writes that make the services hold what the files say, and the differences no write may
/// make.
fn changes(plan: &Plan, held: &Held) -> (Vec<Change>, usize, Vec<Refusal>) {
    let mut refused = Refusals::default();
    let mut changes = Vec::new();
    let mut unchanged = 0;
    // A published version never changes: the same catalog is there already, another is refused.
    for (file, catalog, text) in &plan.catalogs {
        match held.catalogs.get(&catalog.version) {
            None => changes.push(Change::Catalog(file.clone(), text.clone())),
            Some(published) if published == catalog => unchanged += 1,
            Some(_) => refused.add(
                file,
                0,
                "version",
                tr_args("setup-catalog-published", &[("version", catalog.version.clone())]),
            ),
        }
    }
    for c in &plan.committees {
        match held.committees.get(&c.value.code) {
            None => changes.push(Change::Committee(c.value.clone())),
            Some(name) if *name == c.value.name => unchanged += 1,
            Some(name) => refused.add(&c.file, c.line, "name", tr_args("setup-held-as", &[("value", name.clone())])),
        }
    }
    for f in &plan.frames {
        let row = &f.value;
        match held.frames.get(&(row.frame.clone(), row.year)) {
            None => changes.push(Change::Frame {
                row: row.clone(),
                new: true,
            }),
            Some(held) if held.committee != row.committee => refused.add(
                &f.file,
                f.line,
                "committee",
                tr_args("setup-held-as", &[("value", held.committee.clone())]),
            ),
            Some(held) => {
                let same = held.name == row.name
                    && held.account == row.account
                    && held.amount_ore == row.amount_ore
                    && held.monthly_profile_ore == row.profile_ore;
                if same {
                    unchanged += 1;
                } else {
                    changes.push(Change::Frame {
                        row: row.clone(),
                        new: false,
                    });
                }
            }
        }
    }
    for p in &plan.providers {
        let row = &p.value;
        let Some(held) = held.providers.get(&row.cvr) else {
            changes.push(Change::Provider(row.clone()));
            continue;
        };
        let approved: BTreeSet<String> = held.approved_for.iter().cloned().collect();
        let differences = [
            (
                "id",
                !row.provider_id.is_empty() && held.provider_id != row.provider_id,
                held.provider_id.clone(),
            ),
            ("name", held.name != row.name, held.name.clone()),
            ("kind", held.kind != row.kind as i32, kind_word(held.kind)),
            ("committee", held.committee != row.committee, held.committee.clone()),
            (
                "approved_for",
                approved != row.approved_for,
                approved.into_iter().collect::<Vec<_>>().join(" "),
            ),
        ];
        let mut same = true;
        for (field, differs, value) in differences {
            if differs {
                same = false;
                refused.add(&p.file, p.line, field, tr_args("setup-provider-held-as", &[("value", value)]));
            }
        }
        unchanged += usize::from(same);
    }
    (changes, unchanged, refused.0)
}

fn kind_word(kind: i32) -> String {
    match pbc::ProviderKind::try_from(kind) {
        Ok(pbc::ProviderKind::Municipal) => "kommunal".into(),
        Ok(pbc::ProviderKind::Private) => "privat".into(),
        _ => String::new(),
    }
}

/// A request id for a write of the setup: the same for the same content, so running the setup
/// again with the same files repeats nothing, and a changed row is a new request.
fn content_id(what: &str, content: &str) -> String {
    crate::commands::derived_request_id("setup", what, content)
}

/// What a setup did, or would do.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Rows written: catalogs published, committees and providers created, frames set.
    pub created: usize,
    /// Frames whose amount, profile, name or account changed.
    pub updated: usize,
    /// Rows the services already hold as the files say.
    pub unchanged: usize,
    /// Rows refused; when any is, nothing was written.
    pub refused: Vec<Refusal>,
    /// Provider name → id, of every provider in the files.
    pub providers: BTreeMap<String, String>,
    /// The frames as the files set them: code, committee's name, account, amount.
    pub frames: Vec<(String, String, String, i64)>,
}

/// Sets up what `files` say, with `finance` for budget and `authority` for visitation; with
/// `check_only`, reports what it would do and writes nothing.
pub async fn setup(files: &Files, finance: &mut Clients, authority: &mut Clients, check_only: bool) -> anyhow::Result<Outcome> {
    let (plan, mut refused) = plan(files);
    let mut outcome = Outcome::default();
    if !refused.is_empty() {
        outcome.refused = refused;
        return Ok(outcome);
    }
    let held = held(&plan, finance, authority).await?;
    let (changes, unchanged, differences) = changes(&plan, &held);
    refused.extend(differences);
    outcome.unchanged = unchanged;
    let committee_name = |code: &str| {
        let named = plan.committees.iter().find(|c| c.value.code == code);
        named.map_or_else(|| code.to_owned(), |c| c.value.name.clone())
    };
    outcome.frames = plan
        .frames
        .iter()
        .map(|f| {
            (
                f.value.frame.clone(),
                committee_name(&f.value.committee),
                f.value.account.clone(),
                f.value.amount_ore,
            )
        })
        .collect();
    if !refused.is_empty() {
        outcome.refused = refused;
        return Ok(outcome);
    }
    for (cvr, provider) in &held.providers {
        if plan.providers.iter().any(|p| p.value.cvr == *cvr) {
            outcome.providers.insert(provider.name.clone(), provider.provider_id.clone());
        }
    }
    for change in changes {
        match &change {
            Change::Frame { new: false, .. } => outcome.updated += 1,
            _ => outcome.created += 1,
        }
        if check_only {
            continue;
        }
        match change {
            Change::Catalog(file, document) => {
                let request_id = content_id("k", &format!("{file}\0{document}"));
                finance
                    .visitation
                    .publish_catalog(pbv::PublishCatalogRequest {
                        request_id,
                        document: document.into_bytes(),
                    })
                    .await?;
            }
            Change::Committee(committee) => {
                let request_id = content_id("c", &format!("{}\0{}", committee.code, committee.name));
                finance
                    .budget
                    .create_committee(pbb::CreateCommitteeRequest {
                        request_id,
                        code: committee.code,
                        name: committee.name,
                    })
                    .await?;
            }
            Change::Frame { row, .. } => {
                let request_id = content_id("f", &format!("{row:?}"));
                finance
                    .budget
                    .set_frame(pbb::SetFrameRequest {
                        request_id,
                        frame: row.frame,
                        year: row.year,
                        committee: row.committee,
                        name: row.name,
                        account: row.account,
                        amount_ore: row.amount_ore,
                        monthly_profile_ore: row.profile_ore,
                        effective_from: row.effective_from.map(pbc::Date::from),
                    })
                    .await?;
            }
            Change::Provider(row) => {
                let request_id = content_id("p", &format!("{row:?}"));
                let provider = authority
                    .visitation
                    .register_provider(pbv::RegisterProviderRequest {
                        request_id,
                        cvr: row.cvr,
                        name: row.name,
                        kind: row.kind as i32,
                        committee: row.committee,
                        approved_for: row.approved_for.into_iter().collect(),
                        provider_id: row.provider_id,
                    })
                    .await?
                    .into_inner();
                outcome.providers.insert(provider.name, provider.provider_id);
            }
        }
    }
    Ok(outcome)
}

/// `afregning setup DIR`: prints what was set up, or every refused row (exit code 3).
pub async fn command(dir: &Path, finance: &mut Clients, authority: &mut Clients, check_only: bool) -> anyhow::Result<bool> {
    let files = read_dir(dir)?;
    let outcome = setup(&files, finance, authority, check_only).await?;
    if !outcome.refused.is_empty() {
        crate::files::show_refusals(&outcome.refused, &tr("setup-col-file"));
        println!("{}", tr_args("setup-refused", &[("refused", outcome.refused.len().to_string())]));
        return Ok(false);
    }
    let mut shown = table(
        &headers(&[
            "finance-col-frame",
            "finance-col-committee",
            "finance-col-account",
            "finance-col-amount",
        ]),
        &[3],
    );
    for (frame, committee, account, amount) in &outcome.frames {
        shown.add_row(vec![frame.clone(), committee.clone(), account.clone(), kr(*amount)]);
    }
    Out::terminal().table(&shown);
    let key = if check_only { "setup-would" } else { "setup-done" };
    println!(
        "{}",
        tr_args(
            key,
            &[
                ("created", outcome.created.to_string()),
                ("updated", outcome.updated.to_string()),
                ("unchanged", outcome.unchanged.to_string()),
            ],
        )
    );
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: &str, text: &str) -> Files {
        let mut files = example();
        files.retain(|(n, _)| n != name);
        files.push((name.to_owned(), text.to_owned()));
        files
    }

    #[test]
    fn the_example_set_is_valid() {
        let (plan, refused) = plan(&example());
        assert!(refused.is_empty(), "{refused:?}");
        assert_eq!(plan.committees.len(), 2);
        assert_eq!(plan.frames.len(), 2);
        assert_eq!(plan.frames[0].value.amount_ore, 120_000_000);
        assert_eq!(plan.providers.len(), 4);
    }

    #[test]
    fn every_bad_row_is_named_by_file_line_and_field_in_one_pass() {
        let frames = "frame;year;committee;name;account;amount;jan;feb;mar;apr;maj;jun;jul;aug;sep;okt;nov;dec\n\
                      SOCIAL;2026;SOCIAL;Ældre;9.99.99;1.200.000,00;;;;;;;;;;;;\n\
                      HEALTH;2026;NOBODY;Sund;4.62.88;-5;;;;;;;;;;;;\n\
                      HEALTH;2026;HEALTH;Sund;4.62.88;130,00;10;10;10;10;10;10;10;10;10;10;10;10\n";
        let (_, refused) = plan(&with("frames.csv", frames));
        let named: Vec<(usize, &str)> = refused.iter().map(|r| (r.line, r.field.as_str())).collect();
        assert!(named.contains(&(2, "account")), "{refused:?}");
        assert!(named.contains(&(3, "amount")), "{refused:?}");
        assert!(named.contains(&(4, "jan")), "the profile adds up to 120,00: {refused:?}");
        // With both HEALTH rows refused, the catalog's SUL legal bases have no frame to pay from.
        assert!(
            refused
                .iter()
                .any(|r| r.id == "catalog-2026.toml" && r.field == "legal_bases" && r.why.contains("HEALTH")),
            "{refused:?}"
        );
    }

    #[test]
    fn a_provider_approved_for_a_unit_no_catalog_knows_is_refused() {
        let providers = "cvr;name;kind;committee;approved_for\n29189668;Nord;kommunal;SOCIAL;personal_care flying\n\
                         12345678;Syd;offentlig;SOCIAL;personal_care\n";
        let (_, refused) = plan(&with("providers.csv", providers));
        let named: Vec<(usize, &str)> = refused.iter().map(|r| (r.line, r.field.as_str())).collect();
        assert!(named.contains(&(2, "approved_for")), "{refused:?}");
        assert!(named.contains(&(3, "cvr")), "{refused:?}");
        assert!(named.contains(&(3, "kind")), "{refused:?}");
    }
}
