//! A statement after issue and the running month's preview, as people use them from the command
//! line against the demo's quarter served by `afregning up`: Danish by default, English on
//! request, and a refusal that names the field at fault.

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
    let listed = text(&afregning(&urls, &["statements", "list", "--period", "04.2026"])).0;
    let ids: Vec<String> = listed
        .split_whitespace()
        .filter(|w| w.starts_with("st-"))
        .map(str::to_owned)
        .collect();
    assert!(ids.len() >= 2, "two April statements to answer: {listed}");
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
