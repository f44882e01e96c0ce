//! A municipality's year from files alone: `afregning up` on an empty data directory, the
//! example set in `deploy/` loaded by `afregning setup`, grants decided, visits imported, a
//! quarter settled and issued, its cross-frame purchases reallocated and its months closed — every
//! step a documented command, no gRPC call written by hand. And the setup's promises: a second
//! run changes nothing, a changed file updates what may change, and a file with a row that may not
//! change is refused whole, naming file, line and field, with nothing written.

mod common;

use std::path::Path;

use common::{afregning, text, up};

fn deploy() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy"))
}

/// Runs a command and checks its exit code; its standard output and error.
fn expect(urls: &[String; 3], args: &[&str], code: i32) -> (String, String) {
    let output = afregning(urls, args);
    let (out, err) = text(&output);
    assert_eq!(output.status.code(), Some(code), "afregning {}:\n{out}\n{err}", args.join(" "));
    (out, err)
}

/// The row of `first` in a printed table.
fn row<'a>(out: &'a str, first: &str) -> &'a str {
    out.lines()
        .find(|l| l.trim_start_matches('│').split('┆').next().is_some_and(|c| c.trim() == first))
        .unwrap_or_else(|| panic!("no row {first}:\n{out}"))
}

/// The first word of `out` that starts with `prefix`, up to a non-id character.
fn id(out: &str, prefix: &str) -> String {
    let at = out.find(prefix).unwrap_or_else(|| panic!("no {prefix}… in:\n{out}"));
    out[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect()
}

fn copy_setup(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for file in ["committees.csv", "frames.csv", "providers.csv", "catalog-2026.toml"] {
        std::fs::copy(deploy().join(file), to.join(file)).unwrap();
    }
}

#[tokio::test]
async fn a_year_from_files_and_documented_commands_alone() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut suite, urls, _cockpit) = up(&data).await;
    let files = dir.path().join("kommune");
    copy_setup(&files);
    let files = files.to_str().unwrap();

    // Nothing is set for 2026 yet; a check writes nothing.
    let (out, _) = expect(&urls, &["setup", files, "--check"], 0);
    assert!(
        out.contains("8 ville blive oprettet, 0 opdateret, 1 er uændret"),
        "the catalog up published:\n{out}"
    );
    let (out, _) = expect(&urls, &["frames", "list", "--year", "2026"], 0);
    assert!(!out.contains("SOCIAL"), "--check wrote nothing:\n{out}");

    // The example set: two committees, their two frames and four providers.
    let (out, _) = expect(&urls, &["setup", files], 0);
    assert!(out.contains("opsat: 8 oprettet, 0 opdateret, 1 uændret"), "{out}");
    assert!(row(&out, "SOCIAL").contains("1.200.000,00"), "{out}");
    let (out, _) = expect(&urls, &["setup", files], 0);
    assert!(
        out.contains("opsat: 0 oprettet, 0 opdateret, 9 uændret"),
        "running it again changes nothing:\n{out}"
    );

    // A changed amount and a renamed provider in one go: the rename may not be made here, so the
    // whole run is refused, naming the file, line and field, and the amount stays as it was.
    let kommune = Path::new(files);
    let frames = std::fs::read_to_string(kommune.join("frames.csv")).unwrap();
    std::fs::write(kommune.join("frames.csv"), frames.replace("1.200.000,00", "1.250.000,00")).unwrap();
    let providers = std::fs::read_to_string(kommune.join("providers.csv")).unwrap();
    std::fs::write(kommune.join("providers.csv"), providers.replace("Sygeplejen", "Sygeplejen Syd")).unwrap();
    let (out, err) = expect(&urls, &["setup", files], 3);
    assert!(out.contains("1 rækker afvist: intet er skrevet"), "{out}");
    let refused = row(&out, "4");
    for word in ["providers.csv", "name", "Sygeplejen"] {
        assert!(refused.contains(word), "{word}:\n{out}");
    }
    assert!(err.contains("linje 4: name:"), "{err}");
    let (out, _) = expect(&urls, &["frames", "list", "--year", "2026"], 0);
    assert!(row(&out, "SOCIAL").contains("1.200.000,00"), "nothing was written:\n{out}");
    // A published catalog version never changes: the same version with another rate is refused.
    let catalog = std::fs::read_to_string(kommune.join("catalog-2026.toml")).unwrap();
    std::fs::write(
        kommune.join("catalog-2026.toml"),
        catalog.replace("day = \"475.00\"", "day = \"480.00\""),
    )
    .unwrap();
    std::fs::write(kommune.join("providers.csv"), &providers).unwrap();
    let (out, _) = expect(&urls, &["setup", files], 3);
    let refused = out.lines().find(|l| l.contains("catalog-2026.toml")).unwrap_or_default();
    assert!(refused.contains("version") && refused.contains("2026.1"), "{out}");
    std::fs::write(kommune.join("catalog-2026.toml"), catalog).unwrap();
    // Without the rename the new amount is set.
    std::fs::write(kommune.join("providers.csv"), providers).unwrap();
    let (out, _) = expect(&urls, &["setup", files], 0);
    assert!(out.contains("opsat: 0 oprettet, 1 opdateret, 8 uændret"), "{out}");
    let (out, _) = expect(&urls, &["frames", "list", "--year", "2026"], 0);
    assert!(row(&out, "SOCIAL").contains("1.250.000,00"), "{out}");

    // The authority's decisions, by CPR and CVR: personal care from Plejegruppen ApS, and
    // training (SUL §140, paid by HEALTH) bought for a need SOCIAL owns.
    let (care, _) = expect(
        &urls,
        &[
            "grants",
            "decide",
            "--cpr",
            "0101401111",
            "--unit",
            "personal_care",
            "--legal-basis",
            "SEL-83",
            "--intervention",
            "personlig-pleje",
            "--minutes",
            "300",
            "--provider",
            "35123458",
            "--from",
            "01.04.2026",
        ],
        0,
    );
    let care = id(&care, "gr_");
    let (training, _) = expect(
        &urls,
        &[
            "grants",
            "decide",
            "--cpr",
            "0202402222",
            "--unit",
            "training",
            "--legal-basis",
            "SUL-140",
            "--intervention",
            "genoptraening",
            "--minutes",
            "60",
            "--provider",
            "44000016",
            "--from",
            "01.04.2026",
            "--need-frame",
            "SOCIAL",
        ],
        0,
    );
    let training = id(&training, "gr_");

    // A quarter of visits, weekday mornings (07–15, the day band), the providers named by CVR
    // number as their systems know themselves: an hour of care and an hour of training a month.
    let visits = dir.path().join("kvartal.csv");
    let mut csv = String::from("delivery_id;grant_id;provider_id;carer_visit_id;started_at;minutes\n");
    for (month, day) in [(4, 7), (5, 5), (6, 2)] {
        csv.push_str(&format!(
            "p-{month};{care};35123458;cv-p-{month};{day:02}.{month:02}.2026 08:00;60\n"
        ));
        csv.push_str(&format!(
            "t-{month};{training};44000016;cv-t-{month};{day:02}.{month:02}.2026 10:00;60\n"
        ));
    }
    std::fs::write(&visits, csv).unwrap();
    let (out, err) = expect(&urls, &["deliveries", "import", visits.to_str().unwrap()], 0);
    assert!(out.contains("6 leverancer læst: 6 modtaget"), "{out}\n{err}");

    // Each month settled and issued: 475,00 (an hour of care) + 590,00 (an hour of training).
    for month in ["04.2026", "05.2026", "06.2026"] {
        let (out, _) = expect(&urls, &["settle", "--period", month, "--issue"], 0);
        assert!(out.contains("475,00") && out.contains("590,00"), "{month}:\n{out}");
    }

    // The quarter's training was bought by HEALTH for SOCIAL's need: 3 × 590,00 = 1.770,00 moves
    // from SOCIAL's frame to HEALTH's once both committees approve and finance executes.
    let (out, _) = expect(&urls, &["cases", "propose", "--quarter", "2026-Q2"], 0);
    let case = id(&out, "case-");
    assert!(out.contains("1.770,00"), "{out}");
    for committee in ["SOCIAL", "HEALTH"] {
        expect(&urls, &["cases", "approve", &case, "--committee", committee], 0);
    }
    expect(&urls, &["cases", "execute", &case], 0);
    let (out, _) = expect(&urls, &["frames", "list", "--year", "2026"], 0);
    assert!(row(&out, "SOCIAL").contains("1.248.230,00"), "1.250.000,00 − 1.770,00:\n{out}");
    assert!(row(&out, "HEALTH").contains("151.770,00"), "150.000,00 + 1.770,00:\n{out}");

    // The quarter's months closed, each frame; a closed month's status is shown as closed.
    for frame in ["SOCIAL", "HEALTH"] {
        for month in ["04.2026", "05.2026", "06.2026"] {
            let (out, _) = expect(&urls, &["close-month", "--frame", frame, "--period", month], 0);
            assert!(out.contains("lukket"), "{frame} {month}:\n{out}");
        }
    }
    let (out, _) = expect(&urls, &["budget", "--frame", "HEALTH", "--as-of", "30.06.2026"], 0);
    assert!(row(&out, "HEALTH").contains("1.770,00"), "HEALTH consumed its training:\n{out}");
    suite.kill().await.unwrap();
}
