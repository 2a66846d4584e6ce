//! Portal-wide settings (title, language, currency, base URL), the paths a
//! build reads from and writes to, and each language's month and day names.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The language of the portal's UI, narratives and number formats.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Indonesian: `1.234.567,5`, `Rp 1.234.567`, `12,5%`, month names `Januari`...
    #[default]
    Id,
    /// English: `1,234,567.5`, `12.5%`, month names `January`...
    En,
}

impl Language {
    /// The BCP 47 tag used in `<html lang>` and by the browser's Intl API.
    pub fn tag(self) -> &'static str {
        match self {
            Language::Id => "id",
            Language::En => "en",
        }
    }

    /// Month names, January first.
    pub fn month_names(self, short: bool) -> &'static [&'static str; 12] {
        match (self, short) {
            (Language::Id, false) => &MONTHS_ID,
            (Language::Id, true) => &MONTHS_ID_SHORT,
            (Language::En, false) => &MONTHS_EN,
            (Language::En, true) => &MONTHS_EN_SHORT,
        }
    }

    /// Weekday names, Monday first (weeks start on Monday).
    pub fn weekday_names(self, short: bool) -> &'static [&'static str; 7] {
        match (self, short) {
            (Language::Id, false) => &DAYS_ID,
            (Language::Id, true) => &DAYS_ID_SHORT,
            (Language::En, false) => &DAYS_EN,
            (Language::En, true) => &DAYS_EN_SHORT,
        }
    }
}

const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];
const MONTHS_ID_SHORT: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_EN_SHORT: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const DAYS_ID: [&str; 7] = [
    "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu",
];
const DAYS_ID_SHORT: [&str; 7] = ["Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"];
const DAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const DAYS_EN_SHORT: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The front matter of `content/_index.md`: settings for the whole portal.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PortalConfig {
    /// Shown in the header and the browser tab.
    pub title: String,
    /// One-line description under the title on the index page.
    #[serde(default)]
    pub description: String,
    /// UI language and number formats (`id` or `en`).
    #[serde(default)]
    pub language: Language,
    /// ISO 4217 code used by the `money` filter when a report sets none.
    #[serde(default = "default_currency")]
    pub currency: String,
    /// Public URL of the site, e.g. `https://acme.github.io/insights/`.
    /// Pages link to each other relatively, so the portal also works from
    /// the file system; the base URL is used for canonical links.
    #[serde(default)]
    pub base_url: String,
    /// Database connections by name, for sources with `database = "NAME"`.
    #[serde(default)]
    pub databases: BTreeMap<String, DatabaseSpec>,
    /// `[privacy]`: publish the portal encrypted under a password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy: Option<PrivacySpec>,
}

/// `[privacy]`: every page, chart, search entry and download is published
/// encrypted under the password held by an environment variable (see
/// `site::privacy`). Only the variable's name is written here.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PrivacySpec {
    /// The environment variable holding the password, e.g. `PORTAL_PASSWORD`.
    pub password_env: String,
    /// A fixed salt in hex (16 bytes or more): the output is then the same
    /// for the same password and inputs. None: a random salt per build.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
    /// PBKDF2 rounds (600,000 at least, the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterations: Option<u32>,
}

/// `[databases.NAME]`: how to reach a PostgreSQL (or Postgres-wire) server.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSpec {
    /// A connection URL or key-value string, given through environment
    /// variables only: `url = "${WAREHOUSE_URL}"`. `${NAME}` is replaced by
    /// the variable's value when the build connects; the value is never
    /// written anywhere.
    pub url: String,
}

/// Why `url` cannot be the site's public URL, if it cannot: it must be an
/// `http(s)://` URL or a path starting with `/` (no `javascript:` or other
/// scheme ever reaches a link), without quotes, spaces or angle brackets.
pub fn check_base_url(url: &str) -> std::result::Result<(), String> {
    if url.is_empty() {
        return Ok(());
    }
    let lower = url.to_ascii_lowercase();
    let scheme_ok = lower.starts_with("https://") || lower.starts_with("http://");
    let path_ok = url.starts_with('/') && !url.starts_with("//");
    if !scheme_ok && !path_ok {
        return Err(format!(
            "`base_url = \"{url}\"` is neither an http(s) URL nor a path starting with `/`"
        ));
    }
    if let Some(bad) = url.chars().find(|c| {
        c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '`' | '\\')
    }) {
        return Err(format!(
            "`base_url` contains {bad:?}, which a URL cannot hold"
        ));
    }
    Ok(())
}

fn default_currency() -> String {
    "IDR".to_string()
}

impl Default for PortalConfig {
    fn default() -> Self {
        PortalConfig {
            title: "Portal".to_string(),
            description: String::new(),
            language: Language::default(),
            currency: default_currency(),
            base_url: String::new(),
            databases: BTreeMap::new(),
            privacy: None,
        }
    }
}

/// Where a build reads its inputs and writes its output.
#[derive(Clone, Debug)]
pub struct Paths {
    /// The portal root: data loaders run here.
    pub root: PathBuf,
    pub content: PathBuf,
    pub data: PathBuf,
    pub templates: PathBuf,
    pub output: PathBuf,
}

impl Paths {
    /// The conventional layout under a portal root directory.
    pub fn under(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        Paths {
            root: root.clone(),
            content: root.join("content"),
            data: root.join("data"),
            templates: root.join("templates"),
            output: root.join("public"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_is_an_http_url_or_a_path() {
        for good in [
            "",
            "https://acme.github.io/insights/",
            "HTTP://x",
            "/insights/",
        ] {
            assert_eq!(check_base_url(good), Ok(()), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            " https://x",
            "data:text/html,x",
            "//evil.example/",
            "acme.github.io",
            "https://x/\"><script>",
            "https://x/a b",
        ] {
            assert!(check_base_url(bad).is_err(), "{bad}");
        }
    }
}
