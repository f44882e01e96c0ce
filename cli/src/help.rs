//! `--help` in the reader's language. The doc comments in [`crate::args`] are the English help;
//! the Danish is in the message catalog (`libs/client/locales/da/help.ftl`), keyed by the
//! command's path and the argument's id (`help-statements-accept`,
//! `help-statements-accept--statement`, `help-value-csv` for a value's meaning), and laid over
//! the built command tree before the command line is read, with clap's own headings and flags in
//! Danish too. A test holds the catalog complete: every documented command, flag and value has
//! its Danish, and no Danish is left over from a flag that is gone.

use std::ffi::OsString;

use afregning_client::i18n::{Lang, lookup};
use clap::builder::StyledStr;
use clap::error::{ContextKind, ContextValue, ErrorFormatter, ErrorKind};
use clap::{Arg, Command, CommandFactory, FromArgMatches};

use crate::args::Cli;

/// The key of the root command's help.
const ROOT: &str = "help-afregning";

/// The language the command line asks for (`--lang`, else `AFREGNING_LANG`, else Danish), read
/// before clap reads the rest, so the help and usage it prints are already in that language. A
/// value that is no language is left to clap to refuse.
pub fn requested_lang(args: &[OsString]) -> Lang {
    lang_of(args, std::env::var("AFREGNING_LANG").ok().as_deref())
}

/// The language `args` ask for, else `environment`'s (`AFREGNING_LANG`), else Danish.
fn lang_of(args: &[OsString], environment: Option<&str>) -> Lang {
    let mut explicit = None;
    let mut words = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        if word == "--lang" {
            explicit = words.next().map(|v| v.into_owned());
        } else if let Some(value) = word.strip_prefix("--lang=") {
            explicit = Some(value.to_owned());
        }
    }
    explicit
        .as_deref()
        .and_then(Lang::from_code)
        .or_else(|| environment.and_then(Lang::from_code))
        .unwrap_or_default()
}

/// The command line, its help in `lang`.
pub fn command(lang: Lang) -> Command {
    let mut command = Cli::command();
    match lang {
        Lang::En => command,
        Lang::Da => {
            // Built first, so the help flags, the `help` subcommands and the global flags copied
            // into every subcommand are there to be put in Danish too.
            command.build();
            danish(command, ROOT)
        }
    }
}

/// Reads this process's command line; help, usage and refusals in the language it asks for
/// (which is also the language the command then writes in).
pub fn parse() -> Cli {
    let args: Vec<OsString> = std::env::args_os().collect();
    let lang = requested_lang(&args);
    afregning_client::i18n::set_lang(lang);
    let mut command = command(lang);
    let matches = command.try_get_matches_from_mut(args).unwrap_or_else(|e| exit(e, lang));
    let mut path = Vec::new();
    let mut deepest = &matches;
    while let Some((name, sub)) = deepest.subcommand() {
        path.push(name.to_owned());
        deepest = sub;
    }
    let _ = COMMAND_PATH.set(path);
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| exit(e.format(&mut command), lang))
}

/// The subcommands this process's command line named (`["frames", "set"]`), for the usage a
/// later refusal shows.
static COMMAND_PATH: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();

/// Prints clap's refusal (or the help it was asked for) in `lang` and exits with its code.
fn exit(error: clap::Error, lang: Lang) -> ! {
    match lang {
        Lang::En => error.exit(),
        Lang::Da => error.apply::<Danish>().exit(),
    }
}

/// A command line that cannot be used as a whole, found after clap read it: refused as clap
/// refuses one (usage, exit code 2), in this process's language.
pub fn refuse(message: &str) -> ! {
    let lang = afregning_client::i18n::lang();
    let mut root = command(lang);
    if lang == Lang::En {
        root.build();
    }
    let mut command = root;
    for name in COMMAND_PATH.get().into_iter().flatten() {
        match command.find_subcommand(name) {
            Some(sub) => command = sub.clone(),
            None => break,
        }
    }
    match lang {
        Lang::En => command.error(ErrorKind::ValueValidation, message).exit(),
        Lang::Da => {
            let usage = danish_usage(&command.render_usage().to_string());
            eprintln!(
                "{}: {message}\n\n{usage}\n\n{}",
                heading("help-error-prefix"),
                heading("help-error-more")
            );
            std::process::exit(2)
        }
    }
}

/// clap's usage line under its Danish heading.
fn danish_usage(usage: &str) -> String {
    let usage = usage.trim();
    match usage.strip_prefix("Usage:") {
        Some(rest) => format!("Brug:{rest}"),
        None => usage.to_owned(),
    }
}

/// clap's refusals of a command line, in Danish: what is wrong, a suggestion where clap has one,
/// the usage and where to read more.
struct Danish;

impl ErrorFormatter for Danish {
    fn format_error(error: &clap::error::Error<Self>) -> StyledStr {
        let text = |kind: ContextKind| error.get(kind).map(ContextValue::to_string).unwrap_or_default();
        let say = |key: &str, args: &[(&'static str, String)]| afregning_client::i18n::t_args(Lang::Da, key, args);
        let (arg, value) = (text(ContextKind::InvalidArg), text(ContextKind::InvalidValue));
        let mut message = match error.kind() {
            ErrorKind::ArgumentConflict => {
                let other = text(ContextKind::PriorArg);
                if other.is_empty() || other == arg {
                    say("help-error-given-twice", &[("arg", arg)])
                } else {
                    say("help-error-conflict", &[("arg", arg), ("other", other)])
                }
            }
            ErrorKind::NoEquals => say("help-error-no-equals", &[("arg", arg)]),
            ErrorKind::InvalidValue if value.is_empty() => say("help-error-no-value", &[("arg", arg)]),
            ErrorKind::InvalidValue => {
                let mut words = say("help-error-invalid-value", &[("value", value), ("arg", arg)]);
                if let Some(valid) = error.get(ContextKind::ValidValue) {
                    words = format!("{words}\n  {}", say("help-error-possible", &[("values", valid.to_string())]));
                }
                words
            }
            ErrorKind::InvalidSubcommand => say("help-error-unknown-command", &[("command", text(ContextKind::InvalidSubcommand))]),
            ErrorKind::UnknownArgument => say("help-error-unknown-argument", &[("arg", arg)]),
            ErrorKind::MissingRequiredArgument => {
                let missing = match error.get(ContextKind::InvalidArg) {
                    Some(ContextValue::Strings(args)) => args.iter().map(|a| format!("\n  {a}")).collect::<String>(),
                    _ => format!("\n  {arg}"),
                };
                format!("{}{missing}", heading("help-error-missing"))
            }
            ErrorKind::MissingSubcommand => say(
                "help-error-missing-command",
                &[
                    ("command", text(ContextKind::InvalidSubcommand)),
                    ("commands", text(ContextKind::ValidSubcommand)),
                ],
            ),
            ErrorKind::TooManyValues => say("help-error-extra-value", &[("value", value), ("arg", arg)]),
            ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => say(
                "help-error-number-of-values",
                &[
                    ("arg", arg),
                    ("expected", text(ContextKind::ExpectedNumValues)),
                    ("actual", text(ContextKind::ActualNumValues)),
                ],
            ),
            ErrorKind::ValueValidation => {
                let why = std::error::Error::source(error).map(ToString::to_string).unwrap_or_default();
                say("help-error-validation", &[("value", value), ("arg", arg), ("why", why)])
            }
            ErrorKind::InvalidUtf8 => heading("help-error-utf8"),
            // Anything else clap says in its own words.
            kind => kind.as_str().map_or_else(
                || std::error::Error::source(error).map(ToString::to_string).unwrap_or_default(),
                str::to_owned,
            ),
        };
        for suggested in [
            ContextKind::SuggestedSubcommand,
            ContextKind::SuggestedArg,
            ContextKind::SuggestedValue,
        ] {
            let suggestion = match error.get(suggested) {
                Some(ContextValue::Strings(words)) => words.join("', '"),
                Some(one) => one.to_string(),
                None => continue,
            };
            message = format!("{message}\n\n  {}", say("help-error-did-you-mean", &[("suggestion", suggestion)]));
        }
        let mut out = format!("{}: {message}\n", heading("help-error-prefix"));
        if let Some(ContextValue::StyledStr(usage)) = error.get(ContextKind::Usage) {
            out = format!("{out}\n{}\n", danish_usage(&usage.to_string()));
        }
        out = format!("{out}\n{}\n", heading("help-error-more"));
        StyledStr::from(out)
    }
}

/// A message of the Danish catalog.
fn da(key: &str) -> Option<String> {
    lookup(Lang::Da, key)
}

/// A catalog message as clap shows help: paragraphs (the catalog's lines of a paragraph joined)
/// separated by a blank line.
fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

/// A one-line help without its closing full stop, as clap writes the first paragraph.
fn summary(paragraph: &str) -> String {
    let trimmed = paragraph.trim_end();
    match trimmed.strip_suffix('.') {
        Some(rest) if !rest.ends_with('.') => rest.to_owned(),
        _ => trimmed.to_owned(),
    }
}

/// The key of command `name`'s help, where `parent` is its parent's: `help-` and the path of
/// names under the root (`help-statements-accept`).
fn command_key(parent: &str, name: &str) -> String {
    if parent == ROOT {
        format!("help-{name}")
    } else {
        format!("{parent}-{name}")
    }
}

/// The key of an argument's help in the command whose key is `command`. A global flag is the
/// root's, wherever clap copied it.
fn arg_key(command: &str, arg: &Arg) -> String {
    let owner = if arg.is_global_set() { ROOT } else { command };
    format!("{owner}--{}", arg.get_id())
}

/// The key of a flag's help where it means the same in every command that has it
/// (`help-any--request_id`); a command's own key comes first.
fn shared_arg_key(arg: &Arg) -> String {
    format!("help-any--{}", arg.get_id())
}

/// `command` (key `key`) and everything under it, in Danish.
fn danish(mut command: Command, key: &str) -> Command {
    if let Some(text) = da(key) {
        let paragraphs = paragraphs(&text);
        if let Some(first) = paragraphs.first() {
            command = command.about(summary(first));
            if paragraphs.len() > 1 || command.get_long_about().is_some() {
                command = command.long_about(paragraphs.join("\n\n"));
            }
        }
    }
    // In place, so the flags and commands keep their order.
    command = command.mut_args(|arg| danish_arg(arg, key));
    // The CLI has no `help` of its own: that is clap's.
    command = command.mut_subcommands(|c| match c.get_name() {
        "help" => clap_help_subcommand(c, key),
        name => {
            let sub = command_key(key, name);
            danish(c, &sub)
        }
    });
    with_danish_sections(command)
}

/// `command`'s help laid out as clap's, under Danish headings: its commands, then its arguments,
/// then its flags, each section only where there is something in it.
fn with_danish_sections(command: Command) -> Command {
    let shown = |arg: &Arg| !arg.is_hide_set();
    let mut template = String::from("{before-help}{about-with-newline}\nBrug: {usage}");
    if command.get_subcommands().any(|c| !c.is_hide_set()) {
        template.push_str(&format!("\n\n{}:\n{{subcommands}}", heading("help-heading-commands")));
    }
    if command.get_positionals().any(shown) {
        template.push_str(&format!("\n\n{}:\n{{positionals}}", heading("help-heading-arguments")));
    }
    if command.get_arguments().any(|a| !a.is_positional() && shown(a)) {
        template.push_str(&format!("\n\n{}:\n{{options}}", heading("help-heading-options")));
    }
    template.push_str("{after-help}");
    command
        .help_template(template)
        .subcommand_value_name(heading("help-value-name-command"))
}

/// A catalog word clap writes as a heading.
fn heading(key: &str) -> String {
    da(key).unwrap_or_else(|| key.to_owned())
}

/// One argument of the command whose key is `command`, in Danish: its help, its values' meanings,
/// its default and its environment variable.
fn danish_arg(mut arg: Arg, command: &str) -> Arg {
    let id = arg.get_id().to_string();
    let own = match id.as_str() {
        "help" => {
            let long = arg.get_long_help().is_some();
            arg = arg.help(heading(if long { "help-flag-help-more" } else { "help-flag-help" }));
            if long {
                arg = arg.long_help(heading("help-flag-help-summary"));
            }
            None
        }
        "version" => {
            arg = arg.help(heading("help-flag-version"));
            None
        }
        _ => da(&arg_key(command, &arg))
            .or_else(|| da(&shared_arg_key(&arg)))
            .map(|text| paragraphs(&text)),
    };
    let Some(paragraphs) = own else { return arg };
    let mut short = paragraphs.first().map(|p| summary(p)).unwrap_or_default();
    let mut long = paragraphs.join("\n\n");
    let values: Vec<(String, Option<String>)> = arg
        .get_possible_values()
        .into_iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| {
            (
                v.get_name().to_owned(),
                v.get_help().map(|_| heading(&format!("help-value-{}", v.get_name()))),
            )
        })
        .collect();
    if !values.is_empty() && !arg.is_hide_possible_values_set() {
        let names: Vec<&str> = values.iter().map(|(name, _)| name.as_str()).collect();
        short = format!("{short} [{}: {}]", heading("help-possible-values"), names.join(", "));
        // Aligned as clap aligns them.
        let width = names.iter().map(|n| n.chars().count()).max().unwrap_or_default() + 1;
        let meanings: Vec<String> = values
            .iter()
            .map(|(name, help)| {
                help.as_ref().map_or_else(
                    || format!("- {name}"),
                    |help| format!("- {:width$} {}", format!("{name}:"), summary(help)),
                )
            })
            .collect();
        long = format!("{long}\n\n{}:\n{}", heading("help-possible-values-heading"), meanings.join("\n"));
        arg = arg.hide_possible_values(true);
    }
    // The default and the environment variable, as clap shows them, in Danish.
    let mut notes = Vec::new();
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy())
        .map(|v| {
            if v.is_empty() || v.contains(char::is_whitespace) {
                format!("{v:?}")
            } else {
                v.into_owned()
            }
        })
        .collect();
    if !defaults.is_empty() && !arg.is_hide_default_value_set() && arg.get_num_args().is_none_or(|n| n.takes_values()) {
        notes.push(format!("[{}: {}]", heading("help-default"), defaults.join(", ")));
        arg = arg.hide_default_value(true);
    }
    if let Some(env) = arg.get_env().map(|e| e.to_string_lossy().into_owned())
        && !arg.is_hide_env_set()
    {
        notes.push(format!("[{}: {env}]", heading("help-env")));
        arg = arg.hide_env(true);
    }
    if !notes.is_empty() {
        short = format!("{short} {}", notes.join(" "));
        long = format!("{long}\n\n{}", notes.join("\n"));
    }
    arg = arg.help(short);
    if arg.get_long_help().is_some() || long.contains("\n\n") {
        arg = arg.long_help(long);
    }
    arg
}

/// clap's own `help` subcommand of the command whose key is `parent`, in Danish: its list of the
/// commands it explains reads as their own help does.
fn clap_help_subcommand(help: Command, parent: &str) -> Command {
    with_danish_sections(explained(help.about(heading("help-subcommand-help")), parent))
}

/// The copies of the commands under `help` (whose originals' key is `key`), with their Danish
/// summaries.
fn explained(command: Command, key: &str) -> Command {
    command.mut_subcommands(|c| {
        let name = c.get_name().to_owned();
        let sub = command_key(key, &name);
        let about = match name.as_str() {
            "help" => Some(heading("help-subcommand-help")),
            _ => da(&sub).and_then(|text| paragraphs(&text).first().map(|p| summary(p))),
        };
        let c = match about {
            Some(about) => c.about(about),
            None => c,
        };
        explained(c, &sub)
    })
}

/// One help text of the command tree, which the Danish catalog carries under `key` or, for a
/// flag that reads the same in every command, under `shared`.
#[derive(Debug)]
pub struct HelpText {
    /// The command's, flag's or value's own key.
    pub key: String,
    /// The key a flag's Danish may be shared under.
    pub shared: Option<String>,
    /// The English it translates (the doc comment).
    pub english: String,
}

/// Every help text of the command tree: commands, flags (global ones under the root) and values
/// with a meaning.
pub fn help_texts() -> Vec<HelpText> {
    fn walk(command: &Command, key: &str, texts: &mut Vec<HelpText>) {
        if let Some(english) = command.get_long_about().or(command.get_about()) {
            texts.push(HelpText {
                key: key.to_owned(),
                shared: None,
                english: english.to_string(),
            });
        }
        for arg in command.get_arguments() {
            if let Some(english) = arg.get_long_help().or(arg.get_help()) {
                texts.push(HelpText {
                    key: arg_key(key, arg),
                    shared: Some(shared_arg_key(arg)),
                    english: english.to_string(),
                });
            }
            for value in arg.get_possible_values() {
                if let Some(english) = value.get_help() {
                    texts.push(HelpText {
                        key: format!("help-value-{}", value.get_name()),
                        shared: None,
                        english: english.to_string(),
                    });
                }
            }
        }
        for sub in command.get_subcommands() {
            walk(sub, &command_key(key, sub.get_name()), texts);
        }
    }
    let mut texts = Vec::new();
    walk(&Cli::command(), ROOT, &mut texts);
    texts
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    /// The `help-` messages of the Danish catalog that name a command, flag or value.
    fn danish_keys() -> Vec<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../libs/client/locales/da/help.ftl");
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter_map(|line| line.split_once(" =").map(|(id, _)| id.trim()))
            .filter(|id| id.starts_with("help-") && !line_is_clap_own(id))
            .map(str::to_owned)
            .collect()
    }

    /// The words of clap's own headings and flags, which no doc comment carries.
    fn line_is_clap_own(id: &str) -> bool {
        [
            "help-heading-",
            "help-flag-",
            "help-error-",
            "help-subcommand-help",
            "help-possible-values",
            "help-default",
            "help-env",
            "help-value-name-",
        ]
        .iter()
        .any(|prefix| id.starts_with(prefix))
    }

    #[test]
    fn every_help_text_has_its_danish_and_no_danish_is_left_over() {
        use std::collections::{BTreeMap, BTreeSet};
        let texts = help_texts();
        assert!(texts.len() > 100, "the tree has its help: {}", texts.len());
        // The key each text's Danish is found under.
        let found = |t: &HelpText| {
            da(&t.key)
                .map(|_| t.key.clone())
                .or_else(|| t.shared.clone().filter(|k| da(k).is_some()))
        };
        let missing: Vec<String> = texts
            .iter()
            .filter(|t| found(t).is_none())
            .map(|t| format!("{} = {}", t.key, t.english))
            .collect();
        assert!(missing.is_empty(), "no Danish for:\n{}", missing.join("\n"));
        // One Danish text serves one English text: a value name or a shared flag that means
        // different things needs Danish of its own.
        let mut meanings: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
        for t in &texts {
            meanings.entry(found(t).unwrap()).or_default().insert(&t.english);
        }
        let ambiguous: Vec<&String> = meanings
            .iter()
            .filter(|(_, english)| english.len() > 1)
            .map(|(key, _)| key)
            .collect();
        assert!(ambiguous.is_empty(), "one Danish text for different English: {ambiguous:?}");
        let left_over: Vec<String> = danish_keys().into_iter().filter(|k| !meanings.contains_key(k)).collect();
        assert!(
            left_over.is_empty(),
            "Danish for nothing (or hidden by a command's own): {left_over:?}"
        );
    }

    #[test]
    fn the_danish_command_line_is_consistent_and_reads_the_same() {
        let mut danish = command(Lang::Da);
        let help = danish.render_long_help().to_string();
        assert!(help.contains("Kommandoer:"), "{help}");
        assert!(help.contains("Brug: afregning"), "{help}");
        assert!(!help.contains("Print help"), "{help}");
        assert!(!help.contains("help-"), "every word clap writes is in the catalog: {help}");
        let refused = danish.try_get_matches_from_mut(["afregning", "statments", "list"]).unwrap_err();
        let refused = refused.apply::<Danish>().render().to_string();
        assert!(refused.starts_with("fejl: ukendt kommando 'statments'"), "{refused}");
        assert!(refused.contains("tip: mente du") && refused.contains("'statements'"), "{refused}");
        assert!(refused.contains("Brug: afregning") && !refused.contains("help-"), "{refused}");
        let refused = danish
            .try_get_matches_from_mut(["afregning", "statements", "list", "--period", "13.2026"])
            .unwrap_err();
        let refused = refused.apply::<Danish>().render().to_string();
        assert!(
            refused.contains("ugyldig værdi '13.2026' for '--period <PERIOD>': måneden skal være 01–12"),
            "{refused}"
        );
        let args = ["afregning", "--lang", "da", "statements", "list", "--period", "04.2026"];
        let matches = danish.try_get_matches_from_mut(args).unwrap();
        let parsed = Cli::from_arg_matches(&matches).unwrap();
        let english = Cli::try_parse_from(args).unwrap();
        assert_eq!(format!("{parsed:?}"), format!("{english:?}"));
    }

    #[test]
    fn the_language_is_read_before_the_rest() {
        let args = |words: &[&str]| words.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(lang_of(&args(&["afregning", "--lang", "en", "status"]), None), Lang::En);
        assert_eq!(lang_of(&args(&["afregning", "status", "--lang=en"]), Some("da")), Lang::En);
        assert_eq!(
            lang_of(&args(&["afregning", "--", "--lang", "en"]), None),
            Lang::Da,
            "after --, words are values"
        );
        assert_eq!(lang_of(&args(&["afregning", "status"]), Some("en")), Lang::En);
        assert_eq!(
            lang_of(&args(&["afregning", "--lang", "fr"]), Some("en")),
            Lang::En,
            "clap refuses fr, in English"
        );
    }
}
