//! Finance's commands as people use them, against `afregning up` on the demo's databases:
//! committees and frames, an ERP actuals file with a refused row named by its line, a leader's
//! expected accounts, a deviation explanation, closing a month (whose figures then never change),
//! and the annual true-up — answers checked to the øre, exit codes 0, 1, 2 and 3.

mod common;

use std::process::Command;

use common::{BIN, afregning, text, up};

/// Runs a command and checks its exit code; its standard output and error.
fn expect(urls: &[String; 3], args: &[&str], code: i32) -> (String, String) {
    let output = afregning(urls, args);
    let (out, err) = text(&output);
    assert_eq!(output.status.code(), Some(code), "afregning {}:\n{out}\n{err}", args.join(" "));
    (out, err)
}

/// The row of `frame` in a printed table.
fn row<'a>(out: &'a str, frame: &str) -> &'a str {
    out.lines()
        .find(|l| l.trim_start_matches('│').split('┆').next().is_some_and(|c| c.trim() == frame))
        .unwrap_or_else(|| panic!("no row {frame}:\n{out}"))
}

#[tokio::test]
async fn every_finance_action_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Command::new(BIN).args(["demo", "--keep"]).arg(dir.path()).output().unwrap();
    assert!(demo.status.success(), "demo failed: {}", text(&demo).1);
    let (mut suite, urls, _cockpit) = up(dir.path()).await;

    // The demo's HEALTH at 30 June: the leader's 6 × 25.000,00 is the expected rest, the
    // commitments stand beside it, and the row adds up: 157.375,00 − 25.375,00 − 150.000,00.
    let (out, _) = expect(&urls, &["budget", "--frame", "HEALTH", "--as-of", "30.06.2026"], 0);
    let health = row(&out, "HEALTH");
    for figure in [
        "157.375,00",
        "25.375,00",
        "150.000,00",
        "lederens forventede regnskab",
        "54.937,16 disponeret",
        "-18.000,00",
    ] {
        assert!(health.contains(figure), "{figure}:\n{out}");
    }
    assert!(!health.contains("204.937,16"), "the two forecasts are never added:\n{out}");

    // Committees.
    let (out, _) = expect(&urls, &["committees", "create", "--code", "ELDRE", "--name", "Ældreudvalget"], 0);
    assert!(out.contains("udvalg ELDRE oprettet: Ældreudvalget"), "{out}");
    let (_, err) = expect(&urls, &["committees", "create", "--code", "ELDRE", "--name", "Igen"], 1);
    assert!(err.starts_with("fejl: findes allerede"), "{err}");
    let (out, _) = expect(&urls, &["committees", "list"], 0);
    for code in ["ELDRE", "HEALTH", "SOCIAL"] {
        row(&out, code);
    }

    // Frames: 365.000,00 kr with a monthly profile of 11 × 30.000,00 and December 35.000,00.
    let mut set = vec![
        "frames",
        "set",
        "--frame",
        "ELDRE",
        "--year",
        "2026",
        "--committee",
        "ELDRE",
        "--name",
        "Ældrepuljen",
        "--account",
        "5.32.35",
        "--amount",
        "365.000,00",
        "--profile",
    ];
    set.extend(["30.000,00"; 11]);
    set.push("35.000,00");
    let (out, _) = expect(&urls, &set, 0);
    assert!(
        out.contains("ramme ELDRE 2026 fastsat: 365.000,00 kr. på konto 5.32.35") && out.contains("efter sin månedsprofil"),
        "{out}"
    );
    let (out, _) = expect(&urls, &["frames", "list", "--year", "2026"], 0);
    let eldre = row(&out, "ELDRE");
    assert!(eldre.contains("365.000,00") && eldre.contains("månedlig"), "{out}");
    let mut wrong = set.clone();
    wrong[13] = "360.000,00";
    let (_, err) = expect(&urls, &wrong, 2);
    assert!(err.contains("--profile") && err.contains("365.000,00"), "{err}");
    let (_, err) = expect(
        &urls,
        &[
            "frames",
            "set",
            "--frame",
            "X",
            "--year",
            "2026",
            "--committee",
            "ELDRE",
            "--name",
            "x",
            "--account",
            "1",
            "--amount",
            "12,345",
        ],
        2,
    );
    assert!(err.contains("--amount") && err.contains("ikke et beløb i kroner"), "{err}");

    // Actuals: every row read, the refused ones named by line and field, exit 3; sent again,
    // the booked ones are duplicates.
    let erp = dir.path().join("erp-juni.csv");
    std::fs::write(
        &erp,
        "external_id;frame;account;booked_on;amount;text\n\
         erp-1;ELDRE;5.32.35;20.06.2026;5.000,00;hjælpemidler\n\
         erp-2;ELDRE;5.32.35;31.06.2026;10,00;\n\
         erp-3;ELDRE;5.32.35;2026-06-25;-250,00;kreditnota\n\
         erp-4;NOWHERE;5.32.35;2026-06-25;1,00;\n",
    )
    .unwrap();
    let erp_path = erp.to_str().unwrap();
    let (out, err) = expect(&urls, &["actuals", "import", erp_path], 3);
    assert!(
        out.contains("4 regnskabsposter læst: 2 bogført, 0 allerede bogført, 2 afvist"),
        "{out}"
    );
    assert!(err.contains("linje 3: booked_on") && err.contains("linje 5: frame"), "{err}");
    let (out, _) = expect(&urls, &["actuals", "import", erp_path], 3);
    assert!(
        out.contains("4 regnskabsposter læst: 0 bogført, 2 allerede bogført, 2 afvist"),
        "{out}"
    );

    // ELDRE at 30 June: consumed 5.000,00 − 250,00; the monthly profile releases half the year.
    let (out, _) = expect(&urls, &["budget", "--frame", "ELDRE", "--as-of", "2026-06-30"], 0);
    let eldre = row(&out, "ELDRE");
    assert!(
        eldre.contains("365.000,00") && eldre.contains("4.750,00") && eldre.contains("disponeringer"),
        "{out}"
    );

    // Expected accounts: month=amount pairs in any form the CLI reads months.
    let (out, _) = expect(
        &urls,
        &[
            "expected-accounts",
            "--frame",
            "ELDRE",
            "--year",
            "2026",
            "07=10.000,00",
            "2026-08=10.000,00",
            "09.2026=10000",
        ],
        0,
    );
    assert!(
        out.contains("forventet regnskab for ELDRE 2026: 30.000,00 kr. over 3 måneder"),
        "{out}"
    );
    let (_, err) = expect(&urls, &["expected-accounts", "--frame", "ELDRE", "--year", "2026", "13=1"], 2);
    assert!(err.contains("1–12"), "{err}");
    let (_, err) = expect(&urls, &["expected-accounts", "--frame", "ELDRE", "--year", "2026", "2025-07=1"], 2);
    assert!(err.contains("--year 2026"), "{err}");
    // 365.000,00 − 4.750,00 − 30.000,00 = 330.250,00, with the leader's figure as the rest.
    let (before, _) = expect(&urls, &["budget", "--frame", "ELDRE", "--as-of", "2026-06-30"], 0);
    let eldre = row(&before, "ELDRE");
    assert!(
        eldre.contains("30.000,00") && eldre.contains("lederens") && eldre.contains("330.250,00"),
        "{before}"
    );

    // A deviation explanation, then the month closed: its figures frozen.
    let (out, _) = expect(
        &urls,
        &[
            "explain-deviation",
            "--frame",
            "ELDRE",
            "--period",
            "06.2026",
            "--explanation",
            "Hjælpemidler indkøbt samlet",
            "--action",
            "Indkøb fordeles over året",
            "--action",
            "Månedlig opfølgning",
        ],
        0,
    );
    assert!(
        out.contains("med 2 korrigerende handlinger") && out.contains("• Månedlig opfølgning"),
        "{out}"
    );
    let (_, err) = expect(
        &urls,
        &["explain-deviation", "--frame", "ELDRE", "--period", "06.2026", "--explanation", "x"],
        2,
    );
    assert!(err.contains("--action"), "{err}");
    let (out, _) = expect(&urls, &["close-month", "--frame", "ELDRE", "--period", "2026-06"], 0);
    assert!(
        out.contains("ELDRE 06.2026 lukket") && row(&out, "ELDRE").contains("330.250,00"),
        "{out}"
    );

    // A late actual effective in June: June shows what it showed at the close, and the 1.000,00
    // lands in July's figures.
    let late = dir.path().join("erp-sen.csv");
    std::fs::write(
        &late,
        "external_id,frame,account,booked_on,amount,text\nerp-9,ELDRE,5.32.35,15.06.2026,1000,sen\n",
    )
    .unwrap();
    let (out, _) = expect(&urls, &["actuals", "import", late.to_str().unwrap()], 0);
    assert!(out.contains("1 regnskabsposter læst: 1 bogført"), "{out}");
    let (after, _) = expect(&urls, &["budget", "--frame", "ELDRE", "--as-of", "2026-06-30"], 0);
    let frozen = row(&after, "ELDRE");
    assert!(
        frozen.contains("4.750,00") && frozen.contains("330.250,00") && frozen.contains("lukket"),
        "{after}"
    );
    let (july, _) = expect(&urls, &["budget", "--frame", "ELDRE", "--as-of", "01.07.2026"], 0);
    assert!(row(&july, "ELDRE").contains("5.750,00"), "{july}");

    // The true-up: a bad row refused by line without running anything (exit 3), then the year run.
    let costs = dir.path().join("costs.csv");
    std::fs::write(&costs, "unit;actual_rate\npersonal_care;480,00\npractical_help;fire\n").unwrap();
    let (_, err) = expect(&urls, &["true-up", "--year", "2026", costs.to_str().unwrap()], 3);
    assert!(err.contains("linje 3: actual_rate"), "{err}");
    std::fs::write(&costs, "unit;actual_rate\npersonal_care;480,00\npractical_help;400,00\n").unwrap();
    let (out, _) = expect(&urls, &["true-up", "--year", "2026", costs.to_str().unwrap()], 0);
    assert!(
        out.contains("efterregulering 2026:") && out.contains("afregningsbilag i kladde"),
        "{out}"
    );

    // Every new command documents itself with an example.
    for command in [
        &["committees", "create"][..],
        &["committees", "list"],
        &["frames", "set"],
        &["frames", "list"],
        &["actuals", "import"],
        &["expected-accounts"],
        &["explain-deviation"],
        &["close-month"],
        &["true-up"],
    ] {
        let mut args = command.to_vec();
        args.push("--help");
        let (out, _) = expect(&urls, &args, 0);
        assert!(out.contains("Eksempel: afregning "), "{args:?}:\n{out}");
    }
    suite.kill().await.unwrap();
}
