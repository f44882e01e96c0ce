//! A statement after issue, the running month's preview and a delivery file with a visit made
//! while the citizen was in hospital, as people use them from the command line against the demo's
//! quarter served by `afregning up`: Danish by default, English on request, and a refusal that
//! names the field at fault.

mod common;

use chrono::{Datelike as _, Days};
use common::{BIN, afregning, text, up};
use std::process::Command;

/// Today in Denmark, the Danish way: the demo issues its statements today.
fn danish(day: chrono::NaiveDate) -> String {
    format!("{:02}.{:02}.{}", day.day(), day.month(), day.year())
}

#[tokio::test]
// One demo served once; the commands answer and pay its statements in turn, each relying on the
// ones before (a statement is answered and paid once), so it is one piece.
async fn accept_dispute_pay_overdue_and_preview() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Command::new(BIN).args(["demo", "--keep"]).arg(dir.path()).output().unwrap();
    assert!(demo.status.success(), "demo failed: {}", text(&demo).1);
    let (mut suite, urls, _cockpit) = up(dir.path()).await;
    // May's statements: the demo's providers answered their April ones already.
    let listed = text(&afregning(&urls, &["statements", "list", "--period", "05.2026"])).0;
    let ids: Vec<String> = listed
        .split_whitespace()
        .filter(|w| w.starts_with("st-"))
        .map(str::to_owned)
        .collect();
    assert!(ids.len() >= 2, "two May statements to answer: {listed}");
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Copenhagen).date_naive();
    let due = danish(today + Days::new(30));

    let accepted = afregning(&urls, &["statements", "accept", &ids[0]]);
    let (out, err) = text(&accepted);
    assert!(accepted.status.success(), "{err}");
    assert_eq!(out.trim(), format!("godkendt {} · forfalder {due}", ids[0]));
    // Answered once: a second answer is refused, naming the statement.
    let again = afregning(
        &urls,
        &["statements", "dispute", &ids[0], "--line", "1", "--reason", "for mange minutter"],
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again).1.contains("statement_id"), "{}", text(&again).1);

    // A line that does not exist is named; then a proper dispute, in English.
    let bad = afregning(
        &urls,
        &["statements", "dispute", &ids[1], "--line", "999", "--reason", "findes ikke"],
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad).1.contains("lines[0].line_no"), "{}", text(&bad).1);
    let unpaired = afregning(
        &urls,
        &["statements", "dispute", &ids[1], "--line", "1", "--line", "2", "--reason", "x"],
    );
    assert_ne!(unpaired.status.code(), Some(0));
    assert!(text(&unpaired).1.contains("--reason"), "{}", text(&unpaired).1);
    let disputed = afregning(
        &urls,
        &[
            "--lang",
            "en",
            "statements",
            "dispute",
            &ids[1],
            "--line",
            "1",
            "--reason",
            "Besøget varede 30 minutter",
        ],
    );
    let (out, err) = text(&disputed);
    assert!(disputed.status.success(), "{err}");
    assert!(out.starts_with(&format!("disputed {} · due {due}", ids[1])), "{out}");
    assert!(out.contains("Besøget varede 30 minutter"), "{out}");

    // Finance pays the first one; a date in the future is refused, naming the field.
    let tomorrow = danish(today + Days::new(1));
    let future = afregning(
        &urls,
        &["statements", "paid", &ids[0], "--paid-on", &tomorrow, "--reference", "OPUS-1"],
    );
    assert_eq!(future.status.code(), Some(1));
    assert!(text(&future).1.contains("paid_on"), "{}", text(&future).1);
    let paid = afregning(
        &urls,
        &[
            "statements",
            "paid",
            &ids[0],
            "--paid-on",
            &danish(today),
            "--reference",
            "OPUS-4711",
        ],
    );
    let (out, err) = text(&paid);
    assert!(paid.status.success(), "{err}");
    assert!(
        out.contains(&format!("betalt {}", danish(today))) && out.contains("reference OPUS-4711"),
        "{out}"
    );

    // The statement shows its term, answer and payment; its JSON too, in ISO dates.
    let shown = text(&afregning(&urls, &["statements", "show", &ids[0]])).0;
    assert!(
        shown.contains(&format!(
            "forfalder {due} · godkendt · betalt {} (reference OPUS-4711)",
            danish(today)
        )),
        "{shown}"
    );
    let json = afregning(&urls, &["statements", "show", &ids[1], "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["answer"], "STATEMENT_ANSWER_DISPUTED");
    assert_eq!(json["disputed_lines"][0]["reason"], "Besøget varede 30 minutter");
    assert_eq!(json["due_on"], (today + Days::new(30)).to_string());

    // Overdue the day after the term: every issued statement but the paid one.
    let after = danish(today + Days::new(31));
    let overdue = afregning(&urls, &["statements", "overdue", "--as-of", &after]);
    let (out, err) = text(&overdue);
    assert!(overdue.status.success(), "{err}");
    assert!(out.contains(&format!("forfaldne afregningsbilag pr. {after}")), "{out}");
    assert!(!out.contains(&ids[0]) && out.contains(&ids[1]) && out.contains("bestridt"), "{out}");
    let none = text(&afregning(&urls, &["statements", "overdue", "--as-of", &danish(today)])).0;
    assert!(none.contains(": 0"), "{none}");

    // The running month, previewed: marked as such, and never stored as a statement.
    let preview = afregning(&urls, &["preview"]);
    let (out, err) = text(&preview);
    assert!(preview.status.success(), "{err}");
    assert!(out.contains("forhåndsvisning af") && out.contains("ikke udstedt"), "{out}");
    let month = format!("{:02}.{}", today.month(), today.year());
    let stored = text(&afregning(&urls, &["statements", "list", "--period", &month])).0;
    assert!(!stored.contains("forhåndsvisning"), "{stored}");
    suite.kill().await.unwrap();
}

#[tokio::test]
async fn a_visit_while_in_hospital_is_imported_and_flagged() {
    use afregning_proto::visitation::v1 as pbv;
    let dir = tempfile::tempdir().unwrap();
    let demo = Command::new(BIN).args(["demo", "--keep"]).arg(dir.path()).output().unwrap();
    assert!(demo.status.success(), "demo failed: {}", text(&demo).1);
    let (mut suite, urls, _cockpit) = up(dir.path()).await;
    // A grant paid by delivered minutes, from an April statement's activity line.
    // May's statements: the demo's providers answered their April ones already.
    let listed = text(&afregning(&urls, &["statements", "list", "--period", "05.2026"])).0;
    let (grant, provider) = listed
        .split_whitespace()
        .filter(|w| w.starts_with("st-"))
        .find_map(|id| {
            let show = afregning(&urls, &["statements", "show", id, "--format", "json"]);
            let st: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
            let line = st["lines"].as_array()?.iter().find(|l| l["time_band"] == "TIME_BAND_DAY")?.clone();
            Some((line["grant_id"].as_str()?.to_owned(), st["provider_id"].as_str()?.to_owned()))
        })
        .expect("an activity line in April");
    // The citizen is admitted to hospital on 4 May (loopback without tokens: every caller is local).
    let mut clients = afregning_client::connect::Endpoints::new(&urls).unwrap().as_principal(None);
    let current = clients
        .visitation
        .get_grant(pbv::GetGrantRequest { grant_id: grant.clone() })
        .await
        .unwrap()
        .into_inner();
    let day = |d| {
        Some(afregning_proto::common::v1::Date {
            year: 2026,
            month: 5,
            day: d,
        })
    };
    clients
        .visitation
        .suspend_grant(pbv::SuspendGrantRequest {
            request_id: "cli-test-admitted".into(),
            grant_id: grant.clone(),
            expected_version: current.version,
            from: day(4),
            reason: "hospital admission".into(),
            decided_on: day(4),
        })
        .await
        .unwrap();
    clients.wait_until_caught_up().await.unwrap();
    std::fs::write(
        dir.path().join("maj.csv"),
        format!(
            "delivery_id;grant_id;provider_id;carer_visit_id;started_at;minutes\n\
             lev-7001;{grant};{provider};cv-7001;01.05.2026 09:30;30\n\
             lev-7002;{grant};{provider};cv-7002;05.05.2026 09:30;30\n"
        ),
    )
    .unwrap();
    let import = Command::new(BIN)
        .current_dir(dir.path())
        .args(["--visitation", &urls[0], "--settlement", &urls[1], "--budget", &urls[2]])
        .args(["deliveries", "import", "maj.csv"])
        .env_remove("AFREGNING_TOKEN")
        .env_remove("AFREGNING_LANG")
        .output()
        .unwrap();
    let (out, err) = text(&import);
    assert!(import.status.success(), "{out}\n{err}");
    assert!(out.contains("2 leverancer læst: 2 modtaget"), "{out}");
    assert!(
        out.contains("linje 3: lev-7002 modtaget, men leveret mens bevillingen var afbrudt") && !out.contains("lev-7001"),
        "{out}"
    );
    suite.kill().await.unwrap();
}
