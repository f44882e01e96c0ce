//! Every `afregning` command the README and docs/ show, and every `Example:` in `--help`, run as written
//! against the demo's quarter served by `afregning up`: a documented command that fails is a
//! defect people meet first.

mod common;

use std::process::Command;

use common::{BIN, afregning, text, up};

/// The `afregning …` lines of README's daily-work block, without their comments.
fn readme_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let block = readme
        .split("```sh\nafregning status")
        .nth(1)
        .expect("README's block of daily commands");
    let block = format!("afregning status{}", block.split("```").next().unwrap());
    block
        .lines()
        .filter(|l| l.starts_with("afregning "))
        .map(|l| strip_comment(l).trim().to_owned())
        .collect()
}

/// The `afregning …` lines of the `sh` blocks in `docs/` (each block's benchmark and load-driver
/// lines, minutes of load on purpose, are not among them).
fn docs_commands() -> Vec<String> {
    let docs = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs");
    let mut commands = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(docs).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for path in files.into_iter().filter(|p| p.extension().is_some_and(|e| e == "md")) {
        let text = std::fs::read_to_string(&path).unwrap();
        for block in text.split("```sh\n").skip(1) {
            let block = block.split("```").next().unwrap_or_default();
            commands.extend(
                block
                    .lines()
                    .filter(|l| l.starts_with("afregning "))
                    .map(|l| strip_comment(l).trim().to_owned()),
            );
        }
    }
    commands
}

/// A line without its trailing `# …` comment (a `#` inside quotes stays).
fn strip_comment(line: &str) -> &str {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted => return &line[..i],
            _ => {}
        }
    }
    line
}

/// Every example (`Eksempel: afregning …`, in English `Example: …`) of every command's `--help`
/// in `lang`, with its label and the heading its subcommands are listed under.
fn help_examples(lang: &str, label: &str, commands_heading: &str) -> Vec<String> {
    let mut examples = Vec::new();
    let mut commands = vec![Vec::<String>::new()];
    // In the order `--help` lists them, so an import comes before the correction of its visit.
    while !commands.is_empty() {
        let path = commands.remove(0);
        let help = Command::new(BIN)
            .args(&path)
            .arg("--help")
            .env("AFREGNING_LANG", lang)
            .output()
            .unwrap();
        let help = String::from_utf8_lossy(&help.stdout).into_owned();
        // An example runs to the next blank line: help text wraps at the terminal's width.
        let mut lines = help.lines();
        while let Some(line) = lines.next() {
            if let Some(example) = line.trim().strip_prefix(label) {
                let mut example = example.to_owned();
                for more in lines.by_ref().take_while(|l| !l.trim().is_empty()) {
                    example.push(' ');
                    example.push_str(more.trim());
                }
                examples.push(example);
            }
        }
        // Subcommands are listed under their heading as an indented word, then their summary.
        if let Some(list) = help.split(commands_heading).nth(1) {
            for line in list.lines().take_while(|l| l.starts_with("  ")) {
                let name = line.split_whitespace().next().unwrap_or_default();
                if !name.is_empty() && name != "help" && line.starts_with("  ") && !line.starts_with("   ") {
                    let mut sub = path.clone();
                    sub.push(name.to_owned());
                    commands.push(sub);
                }
            }
        }
    }
    examples
}

/// Words of a command line as a shell splits them (double quotes group words).
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let (mut quoted, mut started) = (false, false);
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                started = true;
            }
            ' ' if !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

#[tokio::test]
async fn every_documented_command_runs_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Command::new(BIN).args(["demo", "--keep"]).arg(dir.path()).output().unwrap();
    assert!(demo.status.success(), "demo failed: {}", text(&demo).1);
    let (mut suite, urls, _cockpit) = up(dir.path()).await;

    // The files and ids the documented commands name: a provider's April file with the visit
    // `lev-9001` (and `uge-14.csv` with `lev-9002` for `--help`), found on an April statement, and
    // a May statement for `st-…` (the demo's providers answered their April ones already).
    let first_statement = |period: &str| {
        text(&afregning(&urls, &["statements", "list", "--period", period]))
            .0
            .split_whitespace()
            .find(|w| w.starts_with("st-"))
            .map(str::to_owned)
    };
    let april_statement = first_statement("2026-04").expect("an April statement");
    let statement_id = first_statement("2026-05").expect("a May statement");
    let show = afregning(&urls, &["statements", "show", &april_statement, "--format", "json"]);
    let statement: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    let activity = statement["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["time_band"] == "TIME_BAND_DAY");
    let (grant, provider) = match activity {
        Some(line) => (
            line["grant_id"].as_str().unwrap().to_owned(),
            statement["provider_id"].as_str().unwrap().to_owned(),
        ),
        None => {
            // Another provider's statement carries the activity.
            let all = text(&afregning(&urls, &["statements", "list", "--period", "2026-04"])).0;
            let mut found = None;
            for id in all.split_whitespace().filter(|w| w.starts_with("st-")) {
                let show = afregning(&urls, &["statements", "show", id, "--format", "json"]);
                let st: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
                if let Some(line) = st["lines"].as_array().unwrap().iter().find(|l| l["time_band"] == "TIME_BAND_DAY") {
                    found = Some((
                        line["grant_id"].as_str().unwrap().to_owned(),
                        st["provider_id"].as_str().unwrap().to_owned(),
                    ));
                    break;
                }
            }
            found.expect("an activity line in April")
        }
    };
    std::fs::write(
        dir.path().join("april.csv"),
        format!(
            "delivery_id,grant_id,provider_id,carer_visit_id,started_at,minutes\n\
             lev-9001,{grant},{provider},cv-9001,2026-04-01 07:30,45\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("uge-14.csv"),
        format!(
            "delivery_id;grant_id;provider_id;carer_visit_id;started_at;minutes\n\
             lev-9002;{grant};{provider};cv-9002;01.04.2026 09:30;45\n"
        ),
    )
    .unwrap();

    // The setup files `afregning setup deploy` names: the example set, as shipped.
    let deploy = dir.path().join("deploy");
    std::fs::create_dir_all(&deploy).unwrap();
    for file in ["committees.csv", "frames.csv", "providers.csv", "catalog-2026.toml"] {
        let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/");
        std::fs::copy(format!("{shipped}{file}"), deploy.join(file)).unwrap();
    }

    // Finance's files: the ERP's June actuals for the README's new frame, and actual unit costs.
    std::fs::write(
        dir.path().join("erp-juni.csv"),
        "external_id;frame;account;booked_on;amount;text\n\
         erp-1;ELDRE;5.32.32;20.06.2026;5.000,00;hjælpemidler\n",
    )
    .unwrap();
    for costs in ["actual-costs.csv", "actual-costs-2026.csv"] {
        std::fs::write(dir.path().join(costs), "unit;actual_rate\npersonal_care;480,00\n").unwrap();
    }

    // An April grant still open on the demo's review list, with something to pay back, for
    // `review record --grant gr_… --provider prv_…`.
    let listed = afregning(&urls, &["review", "list", "--period", "04.2026", "--format", "json"]);
    let review: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let open = review["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["outcome"] == "REVIEW_OUTCOME_UNSPECIFIED" && i["amount_ore"].as_i64().unwrap() >= 500)
        .expect("an open item on April's review list");
    let (review_grant, review_provider) = (
        open["grant_id"].as_str().unwrap().to_owned(),
        open["provider_id"].as_str().unwrap().to_owned(),
    );

    let mut commands = readme_commands();
    assert!(commands.len() >= 20, "README's block: {commands:?}");
    let examples = help_examples("da", "Eksempel: ", "Kommandoer:\n");
    assert_eq!(
        examples,
        help_examples("en", "Example: ", "Commands:\n"),
        "the Danish help shows the English help's examples, word for word"
    );
    assert!(
        examples.iter().any(|e| e.starts_with("afregning deliveries import uge-14.csv")),
        "--help carries examples: {examples:?}"
    );
    commands.extend(examples);
    let docs = docs_commands();
    assert!(
        docs.iter().any(|c| c.starts_with("afregning steering")),
        "docs/steering.md's commands: {docs:?}"
    );
    commands.extend(docs);
    for line in &commands {
        let line = line
            .replace("st-…", &statement_id)
            .replace("gr_…", &review_grant)
            .replace("prv_…", &review_provider);
        let (line, redirect) = match line.split_once(" > ") {
            Some((command, file)) => (command.to_owned(), Some(file.trim().to_owned())),
            None => (line, None),
        };
        let args = words(&line);
        assert_eq!(args[0], "afregning", "{line}");
        let args: Vec<&str> = args[1..].iter().map(String::as_str).collect();
        let output = Command::new(BIN)
            .current_dir(dir.path())
            .args(["--visitation", &urls[0], "--settlement", &urls[1], "--budget", &urls[2]])
            .args(&args)
            .env_remove("AFREGNING_TOKEN")
            .env_remove("AFREGNING_LANG")
            .output()
            .unwrap();
        let (out, err) = text(&output);
        assert!(
            output.status.success(),
            "`{line}` failed ({:?}):\n{out}\n{err}",
            output.status.code()
        );
        assert!(!out.trim().is_empty(), "`{line}` printed nothing");
        if let Some(file) = redirect {
            std::fs::write(dir.path().join(file), &output.stdout).unwrap();
        }
    }
    suite.kill().await.unwrap();
}
