//! One request as the cockpit reads it: the reader's language (`?lang=`, else the browser's
//! `Accept-Language`, else Danish), the page's path and query, the links that carry the chosen
//! language on, and the query's dates, months, quarters and years parsed — ISO from a date or
//! month picker, or the Danish way typed by hand.

use std::collections::BTreeMap;

use afregning_client::i18n::{Lang, t, t_args};
use afregning_client::parse::{parse_day, parse_period, parse_quarter};
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use chrono::NaiveDate;
use maud::{Markup, html};

use crate::Failure;

/// One request as the cockpit reads it: the reader's language, the page's path and its query.
pub struct Ask {
    /// The language every word of the answer is in.
    pub lang: Lang,
    /// Whether `?lang=` chose it: then links carry it on, since the browser's header would not.
    explicit_lang: bool,
    path: String,
    params: BTreeMap<String, String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Ask {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Ask, Self::Rejection> {
        let mut params = BTreeMap::new();
        for pair in parts.uri.query().unwrap_or_default().split('&').filter(|p| !p.is_empty()).take(32) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            params.insert(decode(name), decode(value));
        }
        let explicit = params.get("lang").and_then(|l| Lang::from_code(l));
        let accept = parts.headers.get(header::ACCEPT_LANGUAGE).and_then(|h| h.to_str().ok());
        Ok(Ask {
            lang: Lang::negotiate(explicit.map(Lang::code), accept),
            explicit_lang: explicit.is_some(),
            path: parts.uri.path().to_owned(),
            params,
        })
    }
}

/// A query component decoded: `%xx` escapes and `+` for a space.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                Ok(b) => {
                    out.push(b);
                    i += 2;
                }
                Err(_) => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A query component encoded: everything but unreserved characters as `%xx`.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl Ask {
    /// The message `key` in the reader's language.
    pub fn t(&self, key: &str) -> String {
        t(self.lang, key)
    }

    /// The message `key` with its (finished) arguments.
    pub fn t_args(&self, key: &str, args: &[(&'static str, String)]) -> String {
        t_args(self.lang, key, args)
    }

    /// A query parameter, when given and not empty.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str).filter(|s| !s.trim().is_empty())
    }

    /// `path` with `params` (and the chosen language, when `?lang=` chose it) as a link.
    fn link(&self, path: &str, params: &BTreeMap<String, String>) -> String {
        let mut params = params.clone();
        if self.explicit_lang {
            params.insert("lang".into(), self.lang.code().into());
        }
        if params.is_empty() {
            return path.to_owned();
        }
        let query: Vec<String> = params.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
        format!("{path}?{}", query.join("&"))
    }

    /// A link to another page of the cockpit, in the same language.
    pub fn href(&self, path: &str) -> String {
        self.link(path, &BTreeMap::new())
    }

    /// A link to another page with query parameters.
    pub fn href_with(&self, path: &str, params: &[(&str, String)]) -> String {
        let params = params.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
        self.link(path, &params)
    }

    /// This page in the `other` language.
    pub(crate) fn switch_language(&self, other: Lang) -> String {
        let mut params = self.params.clone();
        params.insert("lang".into(), other.code().into());
        let query: Vec<String> = params.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
        format!("{}?{}", self.path, query.join("&"))
    }

    /// This page's table `id` as a CSV download.
    pub(crate) fn csv_href(&self, id: &str) -> String {
        let mut params = self.params.clone();
        params.insert("format".into(), "csv".into());
        params.insert("table".into(), id.into());
        self.link(&self.path, &params)
    }

    /// The hidden field that keeps an explicitly chosen language across a form.
    pub fn lang_field(&self) -> Markup {
        html! {
            @if self.explicit_lang { input type="hidden" name="lang" value=(self.lang.code()); }
        }
    }

    /// The day `name` (`2026-06-30` from a date picker, or `30.06.2026`), `default` when absent.
    pub(crate) fn day(&self, name: &'static str, default: NaiveDate) -> Result<NaiveDate, Failure> {
        match self.param(name) {
            None => Ok(default),
            Some(text) => parse_day(text).map_err(|_| Failure::query(name, "error-not-a-date", text)),
        }
    }

    /// The month `name` (`2026-04` from a month picker, or `04.2026`).
    pub(crate) fn month(&self, name: &'static str, default: (i32, i32)) -> Result<(i32, i32), Failure> {
        match self.param(name) {
            None => Ok(default),
            Some(text) => parse_period(text).map_err(|_| Failure::query(name, "error-not-a-month", text)),
        }
    }

    /// The quarter `name` (`2026-Q2` or `2.kvt. 2026`).
    pub(crate) fn quarter(&self, name: &'static str, default: (i32, i32)) -> Result<(i32, i32), Failure> {
        match self.param(name) {
            None => Ok(default),
            Some(text) => parse_quarter(text).map_err(|_| Failure::query(name, "error-not-a-quarter", text)),
        }
    }

    /// The year `name` (`2026`).
    pub(crate) fn year(&self, name: &'static str, default: i32) -> Result<i32, Failure> {
        match self.param(name) {
            None => Ok(default),
            Some(text) => text
                .trim()
                .parse()
                .ok()
                .filter(|y| (1900..=9999).contains(y))
                .ok_or_else(|| Failure::query(name, "error-not-a-year", text)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_components_round_trip() {
        assert_eq!(decode("30.06.2026"), "30.06.2026");
        assert_eq!(decode("2.kvt.+2026"), "2.kvt. 2026");
        assert_eq!(decode("%C3%B8re%2"), "øre%2");
        assert_eq!(encode("2.kvt. 2026"), "2.kvt.%202026");
        assert_eq!(decode(&encode("æ&ø=å")), "æ&ø=å");
    }
}
