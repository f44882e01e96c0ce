//! The steering cockpit in a real browser: the demo's quarter on three services, the cockpit
//! serving as finance, and headless Chromium loading every page. Each figure a page shows must be
//! the API's figure to the øre (or minute, count, basis point) and read the Danish way; each page
//! is saved as a screenshot under target/cockpit/. The steering-model comparison is also checked
//! against figures worked out by hand.
//!
//! By hand (catalog 2026, April–June 2026, 91 days; April and June 30 days, May 31):
//! * Course budgeting prices Plejegruppen's personal care (G1, 180 min/week at its start, level 1)
//!   and Træningsenheden's training (G7, 60 min/week) as MAINTAINING level 1 at 1,250.00 kr/week:
//!   5,357.14 + 5,535.71 + 5,357.14 = 16,249.99 each. Sygeplejen's 30 % of G5 is a course under
//!   every model but activity, where it delivered nothing: 0.00.
//! * Activity budgeting pays Træningsenheden what its statements do for its training, 7,375.00.
//! * Frame budgeting: the even profile releases 91/365 of each frame for the quarter: HEALTH
//!   150,000.00 → 37,397.26, all to Træningsenheden (the only provider HEALTH paid on 1 April);
//!   SOCIAL 1,200,000.00 → 299,178.08, split by visited time on 1 April.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use afregning::print::Out;
use afregning::quarter;
use afregning_client::connect::{Clients, Endpoints};
use afregning_proto::budget::v1 as pbb;
use afregning_proto::common::v1 as pbc;
use afregning_proto::visitation::v1 as pbv;
use afregning_suite::{Suite, SuiteConfig};

/// What a page showed for one figure: its exact value and its text.
#[derive(Debug)]
struct Shown {
    value: i64,
    text: String,
}

fn catalog() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/catalog-2026.toml"))
}

fn screenshots() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")));
    target.join("cockpit")
}

fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(out) = Command::new("sh").args(["-c", &format!("command -v {name}")]).output()
            && out.status.success()
        {
            return PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        }
    }
    panic!("headless Chromium is needed for the cockpit's browser tests: apt-get install chromium");
}

/// Loads `url` in headless Chromium: the DOM after it rendered, and a screenshot to `png`.
fn browse(browser: &Path, url: &str, png: &Path) -> String {
    let common = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--lang=da-DK"];
    let dom = Command::new(browser)
        .args(common)
        .arg("--dump-dom")
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        dom.status.success(),
        "chromium failed on {url}: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let shot = Command::new(browser)
        .args(common)
        .arg("--window-size=1280,2200")
        .arg(format!("--screenshot={}", png.display()))
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(shot.status.success(), "no screenshot of {url}");
    assert!(
        std::fs::metadata(png).map(|m| m.len() > 10_000).unwrap_or(false),
        "the screenshot of {url} is empty"
    );
    String::from_utf8(dom.stdout).expect("the DOM is UTF-8")
}

/// Every `data-check` figure in a DOM.
fn figures(dom: &str) -> BTreeMap<String, Shown> {
    let mut out = BTreeMap::new();
    for part in dom.split(r#"<span class="figure" data-check=""#).skip(1) {
        let (key, rest) = part.split_once('"').expect("a key");
        let rest = rest.strip_prefix(r#" data-value=""#).expect("a value");
        let (value, rest) = rest.split_once('"').expect("a value's end");
        let text = rest.strip_prefix('>').and_then(|r| r.split_once("</span>")).expect("a text").0;
        out.insert(
            key.replace("&amp;", "&"),
            Shown {
                value: value.parse().expect("a number"),
                text: text.to_owned(),
            },
        );
    }
    out
}

fn kr(ore: i64) -> String {
    format!("{} kr.", afregning_tariff::Ore::new(ore).to_danish())
}

fn pct(basis_points: i64) -> String {
    afregning_tariff::money::danish_percent(basis_points)
}

/// Asserts the page showed `key` as `value`, written `text`.
fn check(page: &BTreeMap<String, Shown>, key: &str, value: i64, text: &str) {
    let shown = page.get(key).unwrap_or_else(|| panic!("{key} is not on the page"));
    assert_eq!(shown.value, value, "{key}: the value shown");
    assert_eq!(shown.text, text, "{key}: how it reads");
}

fn d(year: i32, month: i32, day: i32) -> Option<pbc::Date> {
    Some(pbc::Date { year, month, day })
}

async fn check_follow_up(finance: &mut Clients, page: &BTreeMap<String, Shown>) -> usize {
    let frames = finance
        .budget
        .get_follow_up_status(pbb::GetFollowUpStatusRequest {
            frame: String::new(),
            as_of: d(2026, 6, 30),
        })
        .await
        .expect("follow-up")
        .into_inner()
        .frames;
    assert_eq!(frames.len(), 2, "SOCIAL and HEALTH");
    for s in &frames {
        let key = |what: &str| format!("frame:{}:{what}", s.frame);
        check(page, &key("budget"), s.budget_ore, &kr(s.budget_ore));
        check(page, &key("consumed"), s.consumed_ore, &kr(s.consumed_ore));
        let consumption = s.consumption.map(|p| p.basis_points).unwrap_or_default();
        check(page, &key("consumption"), consumption, &pct(consumption));
        let released = s.profile_share.map(|p| p.basis_points).unwrap_or_default();
        check(page, &key("profile_share"), released, &pct(released));
        check(
            page,
            &key("rest_commitments"),
            s.expected_rest_from_commitments_ore,
            &kr(s.expected_rest_from_commitments_ore),
        );
        check(page, &key("expected_result"), s.expected_result_ore, &kr(s.expected_result_ore));
    }
    // HEALTH's leader expects 6 × 25,000.00 for July–December: the budget after the quarter's case
    // (150,000.00 + 7,375.00) − 25,375.00 consumed − 150,000.00 is an overrun of 18,000.00, which
    // awaits a deviation explanation.
    let health = frames.iter().find(|s| s.frame == "HEALTH").expect("HEALTH");
    assert!(health.has_leader_forecast && health.explanation_required);
    check(page, "frame:HEALTH:rest_leader", 15_000_000, "150.000,00 kr.");
    check(page, "frame:HEALTH:expected_result", -1_800_000, "-18.000,00 kr.");
    // The demo's figures, as the quarter test works them out by hand.
    check(page, "frame:SOCIAL:consumed", 17_692_625, "176.926,25 kr.");
    check(page, "frame:HEALTH:consumed", 2_537_500, "25.375,00 kr.");
    frames.len() * 6
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cockpit_shows_what_the_apis_say_to_the_ore_sqlite() {
    let browser = chromium();
    let dir = tempfile::tempdir().expect("a directory");
    let config = SuiteConfig::embedded(dir.path(), &catalog()).with_tokens(&quarter::TOKENS, quarter::UPSTREAM);
    let suite = Suite::start(config).await.expect("the suite starts");
    let endpoints = Endpoints::new(&suite.urls()).expect("endpoints");
    quarter::run(&endpoints, Out::quiet()).await.expect("the quarter runs");

    // The cockpit as finance sees it.
    let finance_token = quarter::TOKENS[2].0;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let cockpit = tokio::spawn(afregning_cockpit::serve(
        listener,
        endpoints.clone(),
        Some(finance_token.to_owned()),
        async move {
            let _ = stopped.await;
        },
    ));
    let mut finance = endpoints.as_principal(Some(finance_token));
    let shots = screenshots();
    std::fs::create_dir_all(&shots).expect("target/cockpit");
    let load = |name: &str, path: &str| {
        let browser = browser.clone();
        let url = format!("{base}{path}");
        let png = shots.join(format!("{name}.png"));
        async move {
            tokio::task::spawn_blocking(move || browse(&browser, &url, &png))
                .await
                .expect("chromium")
        }
    };

    // Budget follow-up at 30 June 2026, in the Danish date format.
    let dom = load("follow-up", "/?as_of=30.06.2026").await;
    assert!(dom.contains("Status at 30.06.2026."), "the status date reads the Danish way");
    assert!(
        dom.contains("<svg") && dom.contains(">kr. (cumulative)<") && dom.contains(">month of 2026<"),
        "a chart with axes and units"
    );
    let checked = check_follow_up(&mut finance, &figures(&dom)).await;
    assert_eq!(
        dom.matches("awaits before the month can be closed").count(),
        1,
        "HEALTH's deviation, not SOCIAL's"
    );
    assert!(dom.contains(">forecast from expected accounts<"), "the leader's forecast is drawn");

    // The quarter's reallocation case.
    let dom = load("cases", "/cases?quarter=2026-Q2").await;
    let page = figures(&dom);
    let case = finance
        .budget
        .list_reallocation_cases(pbb::ListReallocationCasesRequest {
            quarter: Some(pbc::Quarter { year: 2026, quarter: 2 }),
            ..Default::default()
        })
        .await
        .expect("cases")
        .into_inner()
        .cases
        .pop()
        .expect("the quarter's case");
    check(
        &page,
        &format!("case:{}:amount", case.case_id),
        case.amount_ore,
        &kr(case.amount_ore),
    );
    check(&page, &format!("case:{}:amount", case.case_id), 737_500, "7.375,00 kr.");
    for p in &case.purchases {
        check(
            &page,
            &format!("case:{}:purchase:{}", case.case_id, p.posting_id),
            p.amount_ore,
            &kr(p.amount_ore),
        );
    }
    check(&page, &format!("case:{}:entries_sum", case.case_id), 0, "0,00 kr.");
    assert!(dom.contains("executed"), "the approval state");
    assert_eq!(case.purchases.len(), 3, "April, May and June's training");

    // Progression at 30 June.
    let dom = load("progression", "/progression?as_of=30.06.2026").await;
    let page = figures(&dom);
    let rows = finance
        .visitation
        .get_progression(pbv::GetProgressionRequest {
            as_of: d(2026, 6, 30),
            ..Default::default()
        })
        .await
        .expect("progression")
        .into_inner()
        .rows;
    assert!(!rows.is_empty(), "the demo's courses");
    for r in &rows {
        let kind = pbc::CourseType::try_from(r.course_type)
            .expect("a course type")
            .as_str_name()
            .trim_start_matches("COURSE_TYPE_")
            .to_owned();
        let key = |what: &str| format!("progression:{}:{kind}:{what}", r.provider_id);
        for (what, n) in [
            ("courses", r.courses),
            ("improved", r.improved),
            ("held", r.held),
            ("worsened", r.worsened),
            ("not_assessed", r.not_assessed),
            ("due", r.due_for_follow_up),
            ("ended", r.courses_ended),
        ] {
            check(&page, &key(what), i64::from(n), &n.to_string());
        }
        check(
            &page,
            &key("during"),
            i64::from(r.during_minutes_per_week),
            &format!(
                "{} t/uge",
                afregning_tariff::money::danish_hours(u64::from(r.during_minutes_per_week))
            ),
        );
    }
    // C improved and D held over their DEVELOPING courses (the demo's assessments).
    let developing = rows
        .iter()
        .find(|r| r.course_type == pbc::CourseType::Developing as i32)
        .expect("the DEVELOPING courses");
    assert_eq!(
        (developing.courses, developing.improved, developing.held, developing.worsened),
        (2, 1, 1, 0)
    );

    // The steering models for the quarter.
    let dom = load("steering", "/steering?from=04.2026&to=06.2026").await;
    let page = figures(&dom);
    let comparison = afregning_client::steering::compare(&mut finance, (2026, 4), (2026, 6))
        .await
        .expect("the comparison");
    let mut by_name = BTreeMap::new();
    for p in &comparison.providers {
        let f = p.figures.clone().expect("figures");
        let key = |what: &str| format!("steering:{}:{what}", p.provider_id);
        let frame = f.frame_ore.expect("frame budgets were given");
        check(&page, &key("frame"), frame, &kr(frame));
        check(&page, &key("activity"), f.activity_ore, &kr(f.activity_ore));
        check(&page, &key("course"), f.course_ore, &kr(f.course_ore));
        check(&page, &key("current"), f.current_ore, &kr(f.current_ore));
        check(
            &page,
            &key("frame_share"),
            f.frame_share_basis_points,
            &pct(f.frame_share_basis_points),
        );
        assert!(
            f.explanations.iter().all(|e| dom.contains(e.as_str())),
            "{}'s explanations are shown",
            p.name
        );
        by_name.insert(p.name.clone(), f);
    }
    let total = comparison.total.clone().expect("a total");
    check(&page, "steering:total:course", total.course_ore, &kr(total.course_ore));
    check(&page, "steering:total:frame", 33_657_534, "336.575,34 kr.");
    assert_eq!(
        by_name.values().map(|f| f.frame_ore.unwrap_or_default()).sum::<i64>(),
        3_739_726 + 29_917_808,
        "the frames' quarter budgets, split to the øre"
    );
    assert_eq!(by_name["Plejegruppen ApS"].course_ore, 1_624_999);
    assert_eq!(by_name["Træningsenheden"].course_ore, 1_624_999);
    assert_eq!(by_name["Træningsenheden"].activity_ore, 737_500);
    assert_eq!(by_name["Træningsenheden"].frame_ore, Some(3_739_726));
    assert_eq!(by_name["Sygeplejen"].activity_ore, 0);
    assert_eq!(
        by_name["Plejegruppen ApS"].level_kept, 1,
        "G1 was revisited in May and kept its level"
    );
    // What the statements paid for the quarter's own months is the model "as settled".
    assert_eq!(total.current_ore, 20_230_125);

    // A malformed parameter is a clear 400, not a broken page.
    let bad = load("bad-date", "/?as_of=31.02.2026").await;
    assert!(bad.contains("as_of: not a date"), "{bad}");

    let _ = stop.send(());
    cockpit.await.expect("the cockpit task").expect("the cockpit stops cleanly");
    suite.stop().await.expect("the suite stops");
    assert!(checked >= 12);
}
