//! `afregning catalog` against `afregning up` on an empty data directory: the deployment's catalog
//! is published at start, a correction and a roll-forward by the price index are published from the
//! command line, and each reads back in Danish (and English) with its days and prices.

mod common;

use common::{afregning, catalog, text, up};

// One piece: one suite, one story — published at start, corrected, refused, rolled forward.
#[tokio::test]
async fn publish_correct_and_roll_forward_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (mut suite, urls, _cockpit) = up(dir.path()).await;

    // The configured file is published at start.
    let mut listed = String::new();
    for _ in 0..100 {
        listed = text(&afregning(&urls, &["catalog", "list"])).0;
        if listed.contains("2026.1") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(listed.contains("01.01.2026") && listed.contains("31.12.2026"), "{listed}");

    // A correction of the package price from 18 May.
    let original = std::fs::read_to_string(catalog()).unwrap();
    let correction = original
        .replace(r#"version = "2026.1""#, r#"version = "2026.2""#)
        .replace("effective_from = 2026-01-01", "effective_from = 2026-05-18")
        .replace(r#"weekly_price = "1850.00""#, r#"weekly_price = "1920.00""#);
    std::fs::write(dir.path().join("rettelse.toml"), &correction).unwrap();
    let file = dir.path().join("rettelse.toml");
    let published = afregning(&urls, &["catalog", "publish", file.to_str().unwrap()]);
    assert!(published.status.success(), "{:?}", text(&published));
    assert_eq!(
        text(&published).0.trim(),
        "takstkatalog 2026.2 for 2026: prissætter fra 18.05.2026 til og med 31.12.2026; retter 2026.1 fra 18.05.2026"
    );
    let listed = text(&afregning(&urls, &["catalog", "list"])).0;
    let row = listed.lines().find(|l| l.contains("2026.1")).unwrap();
    assert!(row.contains("01.01.2026") && row.contains("17.05.2026"), "{listed}");

    // The same version with other content is refused and changes nothing.
    std::fs::write(&file, correction.replace("1920.00", "1999.00")).unwrap();
    let refused = afregning(&urls, &["catalog", "publish", file.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused).1.contains("2026.2"), "{:?}", text(&refused));

    // Next year by a price index of 2,5 %: 1.920,00 × 1,025 = 1.968,00 a week; personal care by
    // day 475,00 × 1,025 = 486,875 → 486,88 an hour.
    let rolled = afregning(
        &urls,
        &[
            "catalog",
            "roll-forward",
            "--from",
            "2026.2",
            "--index",
            "2,5",
            "--version",
            "2027.1",
        ],
    );
    assert!(rolled.status.success(), "{:?}", text(&rolled));
    assert!(
        text(&rolled)
            .0
            .contains("2027.1 fremskrevet fra 2026.2 med pris- og lønfremskrivning 2,5 %"),
        "{:?}",
        text(&rolled)
    );
    let shown = text(&afregning(&urls, &["catalog", "show", "2027.1"])).0;
    assert!(shown.contains("prissætter fra 01.01.2027 til og med 31.12.2027"), "{shown}");
    let package = shown.lines().find(|l| l.contains("personal_care_package")).unwrap();
    assert!(package.contains("1.968,00 kr./uge"), "{shown}");
    let by_day = shown.lines().find(|l| l.contains("hverdag dag")).unwrap();
    assert!(by_day.contains("486,88 kr./time"), "{shown}");
    let english = text(&afregning(&urls, &["--lang", "en", "catalog", "show", "2027.1"])).0;
    assert!(
        english.contains("weekday day") && english.contains("1.968,00 kr./week"),
        "{english}"
    );

    // An index beyond any price index is refused before anything is sent.
    let wrong = afregning(
        &urls,
        &[
            "catalog",
            "roll-forward",
            "--from",
            "2026.2",
            "--index",
            "80",
            "--version",
            "2027.9",
        ],
    );
    assert_eq!(wrong.status.code(), Some(1));
    let listed = text(&afregning(&urls, &["catalog", "list"])).0;
    assert!(!listed.contains("2027.9") && listed.contains("2027.1"), "{listed}");
    suite.kill().await.unwrap();
}
