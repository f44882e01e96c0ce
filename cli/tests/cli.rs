//! The `afregning` binary as people use it: the demo tells its quarter, then `afregning up` serves
//! the demo's databases and the daily commands read statements, budget, cases and exports from
//! it, reconcile, and fail with clear messages and exit codes.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::{BIN, afregning, cockpit_alone, free_port, get, text, up};
use tokio::io::{AsyncBufReadExt, BufReader};

#[tokio::test]
async fn the_demo_then_daily_work_against_afregning_up() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Command::new(BIN).args(["demo", "--keep"]).arg(dir.path()).output().unwrap();
    let (out, err) = text(&demo);
    assert!(demo.status.success(), "demo failed: {err}");
    for figure in [
        "90.823,39",
        "65.215,00",
        "46.262,86",
        "7.375,00",
        "202.301,25 kr. = posteringer i budgettets hovedbog 202.301,25 kr. ✓",
    ] {
        assert!(out.contains(figure), "the demo shows {figure}:\n{out}");
    }
    assert!(!out.contains('✗'), "no check fails:\n{out}");
    // Each provider answers its April statement with its own token; finance records a payment.
    assert!(
        out.contains("Plejegruppen ApS godkender sit afregningsbilag for april")
            && out.contains("Hjemmeplejen Nord gør indsigelse mod linje 1"),
        "{out}"
    );

    // The demo's databases, served by `afregning up` (no tokens: loopback only, every caller local).
    let (mut suite, urls, cockpit) = up(dir.path()).await;

    let status = afregning(&urls, &["status"]);
    assert!(status.status.success(), "{:?}", text(&status));
    let (out, _) = text(&status);
    for shown in [
        "visitation",
        "settlement",
        "budget",
        urls[0].as_str(),
        urls[2].as_str(),
        "svarer",
        "bagud",
    ] {
        assert!(out.contains(shown), "status shows {shown}:\n{out}");
    }
    // One service down: the table is still printed, and says which one, where, and why.
    let nowhere = "http://127.0.0.1:9";
    let one_down = afregning(&[urls[0].clone(), urls[1].clone(), nowhere.to_owned()], &["status"]);
    let (out, err) = text(&one_down);
    assert_eq!(one_down.status.code(), Some(1), "{out}{err}");
    assert!(
        out.contains(nowhere) && out.contains("kan ikke nås") && out.contains("svarer"),
        "{out}"
    );
    assert!(err.contains(&format!("budget på {nowhere}")), "{err}");
    // The same in English on request.
    let english = afregning(&urls, &["--lang", "en", "status"]);
    let (out, _) = text(&english);
    assert!(out.contains("answers") && out.contains("behind"), "{out}");

    // A case worker finds a citizen's grants by what they know: the CPR number.
    let grants = afregning(&urls, &["grants", "list", "--cpr", "010140-1111"]);
    let (out, err) = text(&grants);
    assert!(grants.status.success(), "{err}");
    assert!(out.contains("Borger cit_") && out.contains("født 01.01.1940"), "{out}");
    assert!(
        out.contains("personlig pleje") && out.contains("aktiv") && out.contains("01.01.2026"),
        "{out}"
    );
    let nobody = afregning(&urls, &["grants", "list", "--cpr", "0101409999"]);
    assert_eq!(nobody.status.code(), Some(1), "{:?}", text(&nobody));

    let list = afregning(&urls, &["statements", "list", "--period", "2026-04"]);
    let (out, _) = text(&list);
    assert!(out.contains("90.823,39") || out.contains("79.524,28"), "{out}");
    let nord = out
        .lines()
        .find(|l| l.contains("79.524,28"))
        .and_then(|l| l.split_whitespace().find(|w| w.starts_with("st-")))
        .expect("Hjemmeplejen Nord's April statement")
        .to_owned();
    let json = afregning(&urls, &["statements", "show", &nord, "--format", "json"]);
    let statement: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(statement["total_ore"], 7_952_428);
    assert_eq!(statement["state"], "STATEMENT_STATE_ISSUED");
    // Disputed in the demo, line 1 with its reason; the issued statement itself is unchanged.
    assert_eq!(statement["answer"], "STATEMENT_ANSWER_DISPUTED");
    assert_eq!(statement["disputed_lines"][0]["line_no"], 1);
    let lines = statement["lines"].as_array().unwrap();
    assert_eq!(lines.iter().map(|l| l["amount_ore"].as_i64().unwrap()).sum::<i64>(), 7_952_428);
    assert!(lines.iter().all(|l| l["explanation"].as_str().is_some_and(|e| !e.is_empty())));
    let csv = afregning(&urls, &["statements", "show", &nord, "--format", "csv"]);
    assert!(String::from_utf8_lossy(&csv.stdout).starts_with("\u{feff}line_no;kind;citizen_id"));
    let table = afregning(&urls, &["statements", "show", &nord]);
    assert!(
        text(&table).0.contains("mål nået") && text(&table).0.contains("kr./uge"),
        "{}",
        text(&table).0
    );

    let budget = afregning(&urls, &["budget", "--as-of", "2026-06-30"]);
    let (out, _) = text(&budget);
    assert!(out.contains("176.926,25") && out.contains("25.375,00"), "{out}");
    let danish = afregning(&urls, &["budget", "--as-of", "30.06.2026"]);
    assert_eq!(text(&danish).0, out, "a Danish date reads as the ISO one");
    let danish_month = afregning(&urls, &["statements", "list", "--period", "04.2026"]);
    assert!(text(&danish_month).0.contains("79.524,28"), "{:?}", text(&danish_month));
    let cases = afregning(&urls, &["cases", "list", "--quarter", "2026-Q2"]);
    let (out, _) = text(&cases);
    assert!(out.contains("gennemført") && out.contains("7.375,00"), "{out}");
    // The case explained: its purchases by provider name, its history in Danish words and local
    // Danish time.
    let case_id = out
        .split_whitespace()
        .find(|w| w.starts_with("case-"))
        .expect("the quarter's case")
        .to_owned();
    let explained = afregning(&urls, &["cases", "explain", &case_id]);
    let (out, err) = text(&explained);
    assert!(explained.status.success(), "{err}");
    assert!(out.contains("Træningsenheden"), "providers by name:\n{out}");
    assert!(out.contains("7.375,00 kr. fra SOCIAL til HEALTH for 3 køb"), "{out}");
    assert!(!out.contains("UTC"), "times read in local Danish time:\n{out}");

    // The steering models for the quarter: the frames' quarter budgets (91/365 of 1,200,000.00 and
    // of 150,000.00), course tariffs for Plejegruppen's personal care, and what was settled.
    let steering = afregning(&urls, &["steering", "--from", "2026-04", "--to", "2026-06"]);
    let (out, err) = text(&steering);
    assert!(steering.status.success(), "{err}");
    for figure in [
        "336.575,34",
        "16.249,99",
        "202.301,25",
        "Rammestyring betaler en fast andel",
        "progressionsreglen",
    ] {
        assert!(out.contains(figure), "steering shows {figure}:\n{out}");
    }
    let json = afregning(&urls, &["steering", "--from", "2026-04", "--to", "2026-06", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let total = rows.as_array().and_then(|r| r.last()).expect("a total row");
    assert_eq!(
        (total["provider"].as_str(), total["frame_ore"].as_i64()),
        (Some("all providers"), Some(33_657_534))
    );
    let backwards = afregning(&urls, &["steering", "--from", "2026-06", "--to", "2026-04"]);
    assert_eq!(backwards.status.code(), Some(1));
    assert!(text(&backwards).1.contains("to:"), "names the field: {}", text(&backwards).1);

    // The cockpit `up` serves beside the services.
    let (code, page) = get(&cockpit, "/steering?from=04.2026&to=06.2026").await;
    assert_eq!(code, 200, "{page}");
    assert!(page.contains("336.575,34 kr.") && page.contains("<svg"), "{page}");
    let (code, page) = get(&cockpit, "/?as_of=2026-13-01").await;
    assert_eq!(code, 400, "{page}");

    // The cockpit's own binary, as a deployment runs it, shows the same page, and is ready.
    let (mut alone, addr) = cockpit_alone(&urls).await;
    let (code, page) = get(&addr, "/steering?from=04.2026&to=06.2026").await;
    assert_eq!(code, 200, "{page}");
    assert!(page.contains("336.575,34 kr."), "{page}");
    assert_eq!(get(&addr, "/healthz").await, (200, "ready\n".to_owned()));
    alone.kill().await.unwrap();
    // Against a budget that cannot be reached it is alive but not ready, and its pages say why.
    let (mut alone, addr) = cockpit_alone(&[urls[0].clone(), urls[1].clone(), "http://127.0.0.1:9".to_owned()]).await;
    let (code, body) = get(&addr, "/healthz").await;
    assert_eq!(code, 503, "{body}");
    assert!(body.contains("budget: tjenesten kan ikke nås"), "{body}");
    assert_eq!(get(&addr, "/livez").await.0, 200);
    let (code, page) = get(&addr, "/").await;
    assert_eq!(code, 503, "{page}");
    assert!(page.contains("kan ikke læses lige nu"), "{page}");
    alone.kill().await.unwrap();

    // Finance exports, and the ERP that agrees balances; one that does not gets the differences.
    let export = afregning(&urls, &["export", "--year", "2026", "--format", "csv"]);
    assert!(export.status.success());
    let erp = dir.path().join("erp.csv");
    std::fs::write(&erp, &export.stdout).unwrap();
    let balanced = afregning(&urls, &["reconcile", "--year", "2026", erp.to_str().unwrap()]);
    assert!(balanced.status.success(), "{:?}", text(&balanced));
    assert!(text(&balanced).0.contains("Afstemt"));
    let exported = String::from_utf8(export.stdout).unwrap();
    let changed = exported.replacen("83534,82", "83534,00", 1);
    assert_ne!(changed, exported, "April's SOCIAL line is in the export:\n{exported}");
    std::fs::write(&erp, changed).unwrap();
    let off = afregning(&urls, &["reconcile", "--year", "2026", erp.to_str().unwrap()]);
    assert_eq!(off.status.code(), Some(3), "differences are their own exit code");
    assert!(text(&off).0.contains("0,82"), "{}", text(&off).0);

    // Mistakes: a clear message and a non-zero exit code.
    let usage = afregning(&urls, &["settle", "--period", "2026-13"]);
    assert_eq!(usage.status.code(), Some(2));
    assert!(text(&usage).1.contains("01–12"));
    let missing = afregning(&urls, &["statements", "show", "st-nobody-2026-04"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing).1.starts_with("fejl: findes ikke"), "{}", text(&missing).1);
    let future = afregning(&urls, &["settle", "--period", "2099-01"]);
    assert_eq!(future.status.code(), Some(1));
    assert!(text(&future).1.contains("period"), "names the field: {}", text(&future).1);
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "delivery_id,grant_id,provider_id,carer_visit_id,started_at,minutes\nd1,g,p,c,tomorrow,30\n",
    )
    .unwrap();
    let refused = afregning(&urls, &["deliveries", "import", bad.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(3), "refused records are their own exit code");
    assert!(text(&refused).1.contains("linje 2: started_at"));

    // A file with good and bad rows: the good ones are reported, every bad one is listed with its
    // line and field in one pass, and the refusals are written for a spreadsheet.
    let activity = statement["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["time_band"] == "TIME_BAND_DAY")
        .expect("an activity line on Nord's April statement");
    let (grant, provider) = (activity["grant_id"].as_str().unwrap(), statement["provider_id"].as_str().unwrap());
    let mixed = dir.path().join("mixed.csv");
    std::fs::write(
        &mixed,
        format!(
            "delivery_id;grant_id;provider_id;carer_visit_id;started_at;minutes\n\
             cli-d1;{grant};{provider};cli-cv1;2026-07-10 08:00;30\n\
             cli-d2;{grant};{provider};cli-cv2;2026-07-10 09:00;-15\n\
             cli-d3;{grant};{provider};cli-cv3;2026-07-10 10:00;forty\n"
        ),
    )
    .unwrap();
    let refusals = dir.path().join("refused.csv");
    let import = afregning(
        &urls,
        &[
            "deliveries",
            "import",
            mixed.to_str().unwrap(),
            "--refusals",
            refusals.to_str().unwrap(),
        ],
    );
    let (out, err) = text(&import);
    assert_eq!(import.status.code(), Some(3), "{out}{err}");
    assert!(
        out.contains("3 leverancer læst: 1 modtaget, 0 allerede indberettet, 2 afvist"),
        "{out}"
    );
    assert!(err.contains("linje 3: minutes") && err.contains("linje 4: minutes"), "{err}");
    assert!(err.contains("deliveries correct"), "points at the command that corrects: {err}");
    let written = std::fs::read(&refusals).unwrap();
    assert!(written.starts_with(&[0xef, 0xbb, 0xbf]) && String::from_utf8_lossy(&written).contains("3;cli-d2;minutes;"));
    let corrected = afregning(
        &urls,
        &[
            "deliveries",
            "correct",
            "cli-d1",
            "--started-at",
            "10.07.2026 08:00",
            "--minutes",
            "20",
            "--reason",
            "left early",
        ],
    );
    assert!(corrected.status.success(), "{:?}", text(&corrected));
    assert!(text(&corrected).0.contains("cli-d1 rettet: 20 minutter"), "{}", text(&corrected).0);

    // README's headline: settle a month and issue its statements, in one command.
    let settle = afregning(&urls, &["settle", "--period", "2026-07", "--issue"]);
    let (out, err) = text(&settle);
    assert!(settle.status.success(), "settle --issue failed: {err}");
    let issued = out.lines().filter(|l| l.contains("udstedt") && l.contains("07.2026")).count();
    assert!(issued >= 2, "July's statements are issued:\n{out}");
    assert!(!out.contains("kladde"), "no statement is left a draft:\n{out}");
    assert!(out.contains("Hjemmeplejen Nord"), "providers by name:\n{out}");

    let pid = suite.id().unwrap();
    Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap();
    let stopped = tokio::time::timeout(Duration::from_secs(15), suite.wait()).await.unwrap().unwrap();
    assert!(stopped.success(), "up stops cleanly on SIGTERM");

    let down = afregning(&urls, &["status"]);
    assert_eq!(down.status.code(), Some(1));
    assert!(text(&down).1.contains("kan ikke nås"), "{}", text(&down).1);
}

#[tokio::test]
async fn up_from_any_directory_honours_its_flags_and_checks_them_before_starting() {
    // A mistake in any flag stops `up` with a usage error before anything starts or is written.
    let empty = tempfile::tempdir().unwrap();
    let data = empty.path().join("data");
    for (flag, value) in [
        ("--cockpit", "nonsense"),
        ("--cockpit", "localhost:99999"),
        ("--visitation", "ftp://127.0.0.1:50051"),
        ("--budget", "http://no-such-host.invalid:50053"),
    ] {
        let refused = Command::new(BIN)
            .current_dir(empty.path())
            .args(["up", "--data-dir"])
            .arg(&data)
            .args([flag, value])
            .output()
            .unwrap();
        let (_, err) = text(&refused);
        assert_eq!(refused.status.code(), Some(2), "{flag} {value}: {err}");
        assert!(err.contains(flag), "names {flag}: {err}");
        assert!(!data.exists(), "nothing is written before the flags are checked ({flag} {value})");
    }

    // Outside the repository, with no catalog configured: the data directory gets the shipped
    // catalog; the URL flags say where the services listen, and the cockpit takes a host name.
    let ports = [free_port(), free_port(), free_port()];
    let urls = ports.map(|p| format!("http://127.0.0.1:{p}"));
    let cockpit = format!("localhost:{}", free_port());
    let mut child = tokio::process::Command::new(BIN)
        .current_dir(empty.path())
        .args(["up", "--data-dir"])
        .arg(&data)
        .args(["--cockpit", &cockpit])
        .args(["--visitation", &urls[0], "--settlement", &urls[1], "--budget", &urls[2]])
        .env("AFREGNING_LOG_FILTER", "warn")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut shown = String::new();
    tokio::time::timeout(Duration::from_secs(30), async {
        while !shown.contains("Ctrl-C") {
            let line = lines.next_line().await.unwrap().expect("up exited before listening");
            shown.push_str(&line);
            shown.push('\n');
        }
    })
    .await
    .expect("up starts");
    for port in ports {
        assert!(shown.contains(&format!("lytter på 127.0.0.1:{port}")), "{shown}");
    }
    assert!(
        data.join("catalog-2026.toml").exists(),
        "the shipped catalog is in the data directory"
    );
    let status = afregning(&urls, &["status"]);
    assert!(status.status.success(), "{:?}", text(&status));
    let cockpit_addr = shown
        .lines()
        .find_map(|l| l.split_once("cockpit    på http://").map(|(_, a)| a.trim().to_owned()))
        .expect("the cockpit's address");
    let (code, _) = get(&cockpit_addr, "/healthz").await;
    assert_eq!(code, 200);
    child.kill().await.unwrap();

    // The demo listens where its URL flags say, too.
    let port = free_port();
    let demo = Command::new(BIN)
        .current_dir(empty.path())
        .args(["demo", "--visitation", &format!("http://127.0.0.1:{port}")])
        .output()
        .unwrap();
    let (out, err) = text(&demo);
    assert!(demo.status.success(), "{err}");
    assert!(out.contains(&format!("visitation 127.0.0.1:{port}")), "{out}");
}

/// Output into a reader that stopped reading (`afregning … | head`) ends the command as the shell
/// expects (141, as for SIGPIPE), without a panic's message and backtrace.
#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let nowhere = "http://127.0.0.1:1";
    let out = Command::new(BIN)
        .args(["--visitation", nowhere, "--settlement", nowhere, "--budget", nowhere, "status"])
        .env("RUST_BACKTRACE", "1")
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(141), "{err}");
    assert!(!err.contains("panicked") && !err.contains("backtrace"), "{err}");
}
