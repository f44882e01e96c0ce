//! README, top to bottom, on a fresh copy of the repository: every command of every `sh` block
//! and the Python block, in the order a new user meets them, as written. A command that serves
//! (`bash scripts/run`, `… && bash scripts/run up`) runs until it answers on its ports and keeps
//! serving the commands after it, until the next one that serves. Ids the README writes as
//! `cit_…` or `st-prv_…-2026-07` are the ones earlier answers gave, as a reader would paste them.
//!
//! Three kinds of line are not run here, each for a reason the test states: the daily `afregning`
//! block (run by `cli/tests/readme.rs` with the files it names), `bash scripts/test` (this test
//! runs inside it), and what needs a container engine or a cluster (`docker`, `kubectl`; the
//! files they read are checked by `tests/deploy.rs`). A new kind of line fails the test until it
//! is run or given a reason.
//!
//! The copy builds with `AFREGNING_PROFILE=dev` into the workspace's target directory, so the
//! build is the debug one the other tests share rather than a second release build.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// What the test does with one command of the README.
#[derive(Debug)]
enum Step {
    /// Run it to its end; it must succeed.
    Run(String),
    /// Start it, wait until the suite answers, and leave it serving.
    Serve(String),
    /// A Python program, run with `python3 -c`.
    Python(String),
    /// Not run here, and why.
    Elsewhere(String, &'static str),
}

const PORTS: [u16; 4] = [50051, 50052, 50053, 8080];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().unwrap()
}

/// The README's commands in order: `sh` blocks split into commands (a trailing `\` continues
/// one, `# …` comments dropped), each `python` block whole.
fn steps(readme: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        let python = match line.trim() {
            "```sh" => false,
            "```python" => true,
            _ => continue,
        };
        let block: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
        if python {
            steps.push(Step::Python(block.join("\n")));
            continue;
        }
        let mut command = String::new();
        for line in block {
            // Inside a quote a newline belongs to the quoted text, as in a shell.
            let line = if open_quote(&command) { line } else { strip_comment(line) }.trim_end();
            match line.strip_suffix('\\') {
                Some(part) => command.push_str(part),
                None if open_quote(&format!("{command}{line}")) => {
                    command.push_str(line);
                    command.push(' ');
                }
                None => {
                    command.push_str(line);
                    let whole = std::mem::take(&mut command).trim().to_owned();
                    if !whole.is_empty() {
                        steps.push(classify(whole));
                    }
                }
            }
        }
    }
    steps
}

/// Whether `text` ends inside a single- or double-quoted string.
fn open_quote(text: &str) -> bool {
    let (mut single, mut double) = (false, false);
    for c in text.chars() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            _ => {}
        }
    }
    single || double
}

/// A line without a trailing `# …` comment (a `#` inside quotes stays).
fn strip_comment(line: &str) -> &str {
    let (mut single, mut double) = (false, false);
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && (i == 0 || line[..i].ends_with(' ')) => return &line[..i],
            _ => {}
        }
    }
    line
}

fn classify(command: String) -> Step {
    let first = command.split_whitespace().next().unwrap_or_default().to_owned();
    if command == "bash scripts/test" {
        Step::Elsewhere(command, "this test runs inside it")
    } else if first == "afregning" {
        Step::Elsewhere(
            command,
            "cli/tests/readme.rs runs it against the demo's quarter, with the files it names",
        )
    } else if first == "docker" || first == "kubectl" {
        Step::Elsewhere(
            command,
            "no container engine or cluster here; tests/deploy.rs checks the files it reads",
        )
    } else if command == "bash scripts/run" || command.ends_with("bash scripts/run up") || command.ends_with(" bash scripts/run") {
        Step::Serve(command)
    } else if command.starts_with("bash scripts/run ") || first == "python3" {
        Step::Run(command)
    } else {
        panic!("README shows `{command}`, which this test neither runs nor gives a reason for")
    }
}

/// `command` with each `prefix…suffix` placeholder replaced by the latest id of that shape in
/// `answers` (`cit_…` → `cit_4f…`, `st-prv_…-2026-07` → `st-prv_9c…-2026-07`).
fn fill(command: &str, answers: &[String]) -> String {
    let mut filled = String::new();
    let mut rest = command;
    while let Some(at) = rest.find('…') {
        let before = &rest[..at];
        let start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .map_or(0, |i| i + 1);
        let after = &rest[at + '…'.len_utf8()..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(after.len());
        let (prefix, suffix) = (&before[start..], &after[..end]);
        let id = answers
            .iter()
            .rev()
            .find_map(|answer| id_of_shape(answer, prefix, suffix))
            .unwrap_or_else(|| panic!("no earlier answer holds an id like {prefix}…{suffix}"));
        filled.push_str(&before[..start]);
        filled.push_str(&id);
        rest = &after[end..];
    }
    filled.push_str(rest);
    filled
}

fn id_of_shape(answer: &str, prefix: &str, suffix: &str) -> Option<String> {
    answer.rmatch_indices(prefix).find_map(|(at, _)| {
        let tail = &answer[at + prefix.len()..];
        let middle = tail.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(tail.len());
        (middle > 0 && tail[middle..].starts_with(suffix)).then(|| format!("{prefix}{}{suffix}", &tail[..middle]))
    })
}

/// A copy of the repository's files as a clone would have them (tracked and new, not ignored).
fn fresh_copy(to: &Path) {
    let listed = Command::new("git")
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .current_dir(root())
        .output()
        .expect("git lists the repository's files");
    assert!(listed.status.success(), "git ls-files: {}", String::from_utf8_lossy(&listed.stderr));
    for name in listed.stdout.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let name = std::str::from_utf8(name).unwrap();
        let from = root().join(name);
        if !from.is_file() {
            continue; // deleted in the working tree, or a submodule
        }
        let target = to.join(name);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&from, &target).unwrap();
    }
}

struct Reader {
    dir: PathBuf,
    target: PathBuf,
    postgres: Option<String>,
    databases: Vec<String>,
    answers: Vec<String>,
}

impl Reader {
    fn shell(&self, command: &str) -> Command {
        let mut shell = Command::new("bash");
        shell
            .args(["-c", command])
            .current_dir(&self.dir)
            .env("AFREGNING_PROFILE", "dev")
            .env("CARGO_TARGET_DIR", &self.target)
            .env("AFREGNING_LOG_FILTER", "warn")
            .env_remove("AFREGNING_CONFIG")
            .env_remove("AFREGNING_TOKEN");
        shell
    }

    /// The command with the README's PostgreSQL server and databases replaced by the tests'
    /// server and a database of this run's own, dropped afterwards.
    fn on_test_server(&mut self, command: &str) -> String {
        const README_SERVER: &str = "postgres://postgres@127.0.0.1:5432/";
        let Some(server) = self.postgres.clone() else {
            return command.to_owned();
        };
        let base = server.rsplit_once('/').map_or(server.as_str(), |(base, _)| base).to_owned();
        let mut out = String::new();
        let mut rest = command;
        while let Some(at) = rest.find(README_SERVER) {
            out.push_str(&rest[..at]);
            let tail = &rest[at + README_SERVER.len()..];
            let end = tail.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(tail.len());
            let database = format!("readme_{}_{}", std::process::id(), &tail[..end]);
            out.push_str(&format!("{base}/{database}"));
            self.databases.push(database);
            rest = &tail[end..];
        }
        out.push_str(rest);
        out
    }

    fn run(&mut self, command: &str) -> Output {
        let filled = fill(command, &self.answers);
        let output = self.shell(&filled).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "`{filled}` failed ({}):\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        self.answers.push(stdout);
        output
    }
}

/// A suite started by a serving command, stopped by Ctrl-C as a person would.
struct Serving {
    child: Child,
    command: String,
}

impl Serving {
    fn start(reader: &Reader, command: &str) -> Serving {
        // Other tests' servers take free ports the system hands out, and 50051–50053 lie in the
        // range it hands them from: such a server is gone within seconds. Something still
        // listening after a minute is in the way for real.
        let deadline = Instant::now() + Duration::from_secs(60);
        for port in PORTS {
            while TcpStream::connect(("127.0.0.1", port)).is_ok() {
                assert!(
                    Instant::now() < deadline,
                    "port {port} is taken: README's commands serve on 50051–50053 and 8080; stop what listens there"
                );
                std::thread::sleep(Duration::from_millis(200));
            }
        }
        let child = reader
            .shell(command)
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut serving = Serving {
            child,
            command: command.to_owned(),
        };
        // The first serving command builds the CLI before it serves.
        let deadline = Instant::now() + Duration::from_secs(900);
        while !PORTS.iter().all(|port| TcpStream::connect(("127.0.0.1", *port)).is_ok()) {
            if let Some(status) = serving.child.try_wait().unwrap() {
                let mut err = String::new();
                serving.child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
                panic!("`{command}` ended ({status}) before serving:\n{err}");
            }
            assert!(Instant::now() < deadline, "`{command}` did not serve within 15 minutes");
            std::thread::sleep(Duration::from_millis(200));
        }
        serving
    }

    /// Ctrl-C to the whole process group; it must end, and end well, within 30 seconds.
    fn stop(&mut self) {
        let group = self.child.id().to_string();
        Command::new("kill")
            .args(["-s", "INT", "--", &format!("-{group}")])
            .status()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = Command::new("kill").args(["-s", "KILL", "--", &format!("-{group}")]).status();
                panic!("`{}` did not stop within 30 s of Ctrl-C", self.command);
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let mut err = String::new();
        self.child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        assert!(status.success(), "`{}` ended badly on Ctrl-C ({status}):\n{err}", self.command);
    }
}

/// A suite left serving by a failed step is stopped, so no later run finds its ports taken.
impl Drop for Serving {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let group = format!("-{}", self.child.id());
            let _ = Command::new("kill").args(["-s", "KILL", "--", &group]).status();
            let _ = self.child.wait();
        }
    }
}

/// The cockpit's start page, as a browser's first request gets it.
fn cockpit_page() -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", 8080)).unwrap();
    stream
        .write_all(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept-Language: da\r\n\r\n")
        .unwrap();
    let mut page = String::new();
    stream.read_to_string(&mut page).unwrap();
    page
}

fn postgres_url() -> Option<String> {
    std::env::var("AFREGNING_TEST_POSTGRES_URL").ok()
}

fn psql(server: &str, sql: &str) -> String {
    let output = Command::new("psql").args([server, "-qAtc", sql]).output().expect("psql");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[test]
fn readme_top_to_bottom_on_a_fresh_copy() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let steps = steps(&readme);
    let dir = tempfile::tempdir().unwrap();
    fresh_copy(dir.path());
    assert!(!dir.path().join("data").exists(), "a fresh copy has no data");
    let mut reader = Reader {
        dir: dir.path().to_owned(),
        target: std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from),
        postgres: postgres_url(),
        databases: Vec::new(),
        answers: Vec::new(),
    };
    let (mut ran, mut served, mut elsewhere) = (0, 0, Vec::new());
    let mut serving: Option<Serving> = None;
    for step in &steps {
        match step {
            Step::Run(command) => {
                let output = reader.run(command);
                let stdout = String::from_utf8_lossy(&output.stdout);
                if command == "bash scripts/run demo" {
                    assert!(stdout.contains("summerer til 0,00 kr."), "the demo ends net zero:\n{stdout}");
                }
                if command.contains("/DecideGrant") {
                    // What the README says the answer carries.
                    assert!(stdout.contains("\"expected_weekly_cost_ore\": \"590000\""), "{stdout}");
                    assert!(stdout.contains("\"level\": 3"), "{stdout}");
                }
                if command.contains("/ListOrders") {
                    // The grant decided above is the new provider's first order, not yet acknowledged.
                    assert!(stdout.contains("\"citizen_cpr\": \"0101401234\""), "{stdout}");
                }
                if command.contains("/MarkStatementPaid") {
                    // Paid today when no day is given.
                    use chrono::Datelike;
                    let today = afregning_kit::clock::today();
                    let paid = format!(
                        "\"paid_on\": {{\n    \"year\": {},\n    \"month\": {},\n    \"day\": {}",
                        today.year(),
                        today.month(),
                        today.day()
                    );
                    assert!(stdout.contains(&paid) && stdout.contains("OPUS-4711"), "{paid}\n{stdout}");
                }
                if command.contains("/IssueStatement") {
                    assert!(stdout.contains("STATEMENT_STATE_ISSUED"), "{stdout}");
                }
                ran += 1;
            }
            Step::Python(program) => {
                let output = reader.run(&format!("python3 -c '{}'", program.replace('\'', "'\\''")));
                assert!(String::from_utf8_lossy(&output.stdout).contains("SERVING"));
                ran += 1;
            }
            Step::Serve(command) => {
                if let Some(mut before) = serving.take() {
                    before.stop();
                }
                let command = reader.on_test_server(command);
                let started = Serving::start(&reader, &command);
                if command.contains("demo --keep data") {
                    let page = cockpit_page();
                    assert!(page.starts_with("HTTP/1.0 200") || page.starts_with("HTTP/1.1 200"), "{page}");
                    assert!(page.contains("Budgetopfølgning"), "the cockpit shows the demo's follow-up:\n{page}");
                }
                serving = Some(started);
                served += 1;
            }
            Step::Elsewhere(command, why) => elsewhere.push(format!("{command}  — {why}")),
        }
    }
    if let Some(mut last) = serving.take() {
        last.stop();
    }
    // The PostgreSQL step made its databases, and they are dropped again.
    if let Some(server) = &reader.postgres {
        for database in &reader.databases {
            assert_eq!(
                psql(server, &format!("select count(*) from pg_database where datname = '{database}'")),
                "1"
            );
            psql(server, &format!("drop database if exists {database} with (force)"));
        }
        assert!(!reader.databases.is_empty(), "README's PostgreSQL step names its databases");
    }
    println!("ran {ran} commands and served {served} times; elsewhere:\n{}", elsewhere.join("\n"));
    assert!(ran >= 10 && served >= 3, "README's steps were not found: {steps:?}");
}

#[test]
fn placeholders_take_the_latest_id_of_their_shape() {
    let answers = vec![
        "{\"citizen_id\": \"cit_1a\"}".to_owned(),
        "{\"citizen_id\": \"cit_2b\", \"statement_id\": \"st-prv_9c-2026-07\"}".to_owned(),
    ];
    assert_eq!(fill("{\"citizen_id\":\"cit_…\"}", &answers), "{\"citizen_id\":\"cit_2b\"}");
    assert_eq!(fill("\"st-prv_…-2026-07\"", &answers), "\"st-prv_9c-2026-07\"");
    assert_eq!(fill("no placeholder", &answers), "no placeholder");
    assert_eq!(strip_comment("bash scripts/run   # = afregning up"), "bash scripts/run   ");
    assert_eq!(strip_comment("echo '# kept' # dropped"), "echo '# kept' ");
}
