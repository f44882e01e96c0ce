//! The words people read, from one Fluent message catalog (`libs/client/locales/<lang>/*.ftl`):
//! Danish first, English on request. The CLI and the cockpit look every label and sentence up
//! here, so a word is changed in one place and both languages stay complete (a test checks that
//! every message exists in both).
//!
//! Figures are not formatted here: [`crate::format`] writes amounts, dates and percentages the
//! Danish way, and messages take them as finished text.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "da",
        // Isolation marks around arguments would land in terminals and CSV cells as stray
        // characters; every text here runs left to right.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The language a person reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(u8)]
pub enum Lang {
    /// Danish: the default everywhere.
    #[default]
    Da = 0,
    /// English, on request.
    En = 1,
}

impl Lang {
    /// `da` or `en`, as in `--lang`, `?lang=` and `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Da => "da",
            Lang::En => "en",
        }
    }

    /// The language named by `code` (`da`, `en`, `en-GB`, `da-DK`…), if it is one we speak.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
        match primary.as_str() {
            "da" => Some(Lang::Da),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language asked for explicitly (`?lang=`, `--lang`), else the first of an
    /// `Accept-Language` header's languages we speak, in the order of its weights; Danish
    /// otherwise.
    pub fn negotiate(explicit: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(lang) = explicit.and_then(Lang::from_code) {
            return lang;
        }
        let Some(header) = accept_language else {
            return Lang::Da;
        };
        let mut offered: Vec<(u16, usize, Lang)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.split(';');
                let lang = Lang::from_code(pieces.next()?)?;
                let weight = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| weight(q.trim()))
                    .unwrap_or(1000);
                (weight > 0).then_some((weight, i, lang))
            })
            .collect();
        offered.sort_by_key(|(weight, i, _)| (std::cmp::Reverse(*weight), *i));
        offered.first().map_or(Lang::Da, |(_, _, lang)| *lang)
    }

    fn id(self) -> LanguageIdentifier {
        match self {
            Lang::Da => langid!("da"),
            Lang::En => langid!("en"),
        }
    }
}

/// The language of this process's output, for a program that speaks to one person (the CLI):
/// set once from `--lang`, read wherever text is written.
static CURRENT: AtomicU8 = AtomicU8::new(0);

/// Sets the language [`tr`] and [`tr_args`] write in.
pub fn set_lang(lang: Lang) {
    CURRENT.store(lang as u8, Ordering::Relaxed);
}

/// The language [`set_lang`] chose; Danish until then.
pub fn lang() -> Lang {
    match CURRENT.load(Ordering::Relaxed) {
        1 => Lang::En,
        _ => Lang::Da,
    }
}

/// The message `key` in this process's language.
pub fn tr(key: &str) -> String {
    t(lang(), key)
}

/// The message `key` with its arguments, in this process's language.
pub fn tr_args(key: &str, args: &[(&'static str, String)]) -> String {
    t_args(lang(), key, args)
}

/// A `q=` weight in thousandths (`0.8` → 800), without floating point.
fn weight(q: &str) -> Option<u16> {
    let (whole, fraction) = q.split_once('.').unwrap_or((q, ""));
    let whole: u16 = whole.parse().ok()?;
    let digits: String = fraction.chars().chain("000".chars()).take(3).collect();
    let fraction: u16 = digits.parse().ok()?;
    (whole <= 1).then(|| (whole * 1000 + fraction).min(1000))
}

/// The message `key` in `lang`. A key missing from the catalog shows as itself, so a gap is
/// visible rather than blank (and the catalog test fails).
pub fn t(lang: Lang, key: &str) -> String {
    LOCALES.try_lookup(&lang.id(), key).unwrap_or_else(|| key.to_owned())
}

/// The message `key` in `lang`, if the catalog has it.
pub fn lookup(lang: Lang, key: &str) -> Option<String> {
    LOCALES.try_lookup(&lang.id(), key)
}

/// The message `key` in `lang` with its arguments filled in; every argument is finished text
/// (figures already formatted), so no number formatting happens in the catalog.
pub fn t_args(lang: Lang, key: &str, args: &[(&'static str, String)]) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args
        .iter()
        .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(value.clone())))
        .collect();
    LOCALES
        .try_lookup_with_args(&lang.id(), key, &args)
        .unwrap_or_else(|| key.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages of one language's catalog files, each with the variables it takes.
    fn messages(lang: &str) -> std::collections::BTreeMap<String, Vec<&'static str>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales").join(lang);
        let mut messages = std::collections::BTreeMap::new();
        let mut current: Option<String> = None;
        for file in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
            for line in text.lines() {
                if let Some((id, _)) = line.split_once(" =")
                    && !id.starts_with([' ', '#', '-', '.'])
                    && !id.is_empty()
                {
                    current = Some(id.trim().to_owned());
                    let before = messages.insert(id.trim().to_owned(), Vec::new());
                    assert!(before.is_none(), "{} is defined twice in the {lang} catalog", id.trim());
                } else if !line.starts_with(' ') {
                    current = None;
                }
                if let Some(id) = &current {
                    for variable in line.split("{ $").skip(1).filter_map(|rest| rest.split([' ', '}']).next()) {
                        let variable: &'static str = Box::leak(variable.to_owned().into_boxed_str());
                        messages.get_mut(id).unwrap().push(variable);
                    }
                }
            }
        }
        messages
    }

    #[test]
    fn both_languages_have_every_message() {
        let (da, en) = (messages("da"), messages("en"));
        assert!(!da.is_empty());
        let missing = |a: &std::collections::BTreeMap<String, Vec<&str>>, b: &std::collections::BTreeMap<String, Vec<&str>>| {
            a.keys().filter(|k| !b.contains_key(*k)).cloned().collect::<Vec<_>>()
        };
        // `help-` messages are the Danish of the CLI's `--help`, whose English is its doc comments
        // (the CLI's own test holds them complete).
        let english_help: std::collections::BTreeMap<String, Vec<&str>> = da
            .iter()
            .filter(|(id, _)| id.starts_with("help-"))
            .map(|(id, v)| (id.clone(), v.clone()))
            .collect();
        let en_with_help = en.clone().into_iter().chain(english_help).collect();
        assert_eq!(missing(&da, &en_with_help), Vec::<String>::new(), "missing in English");
        assert_eq!(missing(&en, &da), Vec::<String>::new(), "missing in Danish");
        for (lang, catalog) in [(Lang::Da, &da), (Lang::En, &en)] {
            for (id, variables) in catalog {
                let args: Vec<(&'static str, String)> = variables.iter().map(|v| (*v, "x".to_owned())).collect();
                assert_ne!(t_args(lang, id, &args), *id, "{id} is looked up in {}", lang.code());
            }
        }
    }

    #[test]
    fn danish_unless_asked_otherwise() {
        assert_eq!(Lang::negotiate(None, None), Lang::Da);
        assert_eq!(Lang::negotiate(Some("en"), Some("da")), Lang::En);
        assert_eq!(Lang::negotiate(Some("fr"), Some("en-GB,en;q=0.8")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("de-DE, en;q=0.5, da;q=0.9")), Lang::Da);
        assert_eq!(Lang::negotiate(None, Some("fr, de")), Lang::Da);
        assert_eq!(Lang::negotiate(None, Some("en;q=0")), Lang::Da);
    }

    #[test]
    fn messages_take_finished_figures() {
        assert_eq!(t(Lang::Da, "language-name"), "dansk");
        assert_eq!(t_args(Lang::Da, "amount-kr", &[("amount", "1.234,56".to_owned())]), "1.234,56 kr.");
        assert_eq!(t_args(Lang::En, "amount-kr", &[("amount", "1.234,56".to_owned())]), "DKK 1.234,56");
        assert_eq!(t(Lang::Da, "no-such-message"), "no-such-message");
    }
}
