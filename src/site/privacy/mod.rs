//! Private portals (`[privacy]` in `content/_index.md`): a last pass over
//! the finished site that seals everything carrying data under a key
//! derived from a password, so nothing readable is published. Pages become
//! shell pages that ask for the password and decrypt in the browser
//! (WebCrypto); the search index and every download become scripts holding
//! their sealed bytes. The theme's own files under `assets/` (CSS, JS,
//! vendored ECharts, icons) and `.nojekyll` stay in clear: they carry no
//! data. Every producer of the site stays unaware of encryption.

pub mod cipher;
pub mod shell;

use super::output::{FileBytes, SiteFiles};
use super::search::INDEX_PATH;
use super::single_file::single_file_path;
use crate::config::{Language, PrivacySpec};
use crate::content::Portal;
use crate::content::front_matter::{Split, locate_key};
use crate::error::{Error, Result};
use cipher::Keys;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, PoisonError};

/// The fewest PBKDF2 rounds accepted, and the default (OWASP's advice for
/// PBKDF2-HMAC-SHA256).
pub const MIN_ITERATIONS: u32 = 600_000;

/// The fewest bytes of a fixed salt.
pub const MIN_SALT_BYTES: usize = 16;

/// A build's sealing key and what the browser needs to derive it again.
#[derive(Debug)]
pub struct Privacy {
    keys: Keys,
    salt: Vec<u8>,
    iterations: u32,
    language: Language,
}

/// What `serve` remembers between rebuilds: a random salt, and the keys it
/// gave, for one password (by hash), so that a reader's tab stays unlocked
/// across live reloads and rebuilds skip the key derivation.
struct Remembered {
    fingerprint: [u8; 32],
    salt: Vec<u8>,
    keys: Keys,
}

static SERVING: Mutex<Option<Remembered>> = Mutex::new(None);

impl Privacy {
    /// The portal's privacy, if it has `[privacy]`: settings checked, the
    /// password read from its environment variable and the key derived.
    /// `serving`: a `serve` process, which keeps one random salt for all
    /// its builds.
    pub fn from_portal(portal: &Portal, serving: bool) -> Result<Option<Privacy>> {
        let Some(spec) = &portal.config.privacy else {
            return Ok(None);
        };
        let settings = Settings::check(spec, portal)?;
        let password = read_password(&spec.password_env, portal)?;
        let (salt, keys) = match (&settings.salt, serving) {
            (Some(salt), _) => (
                salt.clone(),
                Keys::derive(password.as_bytes(), salt, settings.iterations),
            ),
            (None, false) => {
                let salt = fresh_salt(portal)?;
                let keys = Keys::derive(password.as_bytes(), &salt, settings.iterations);
                (salt, keys)
            }
            (None, true) => remembered(&password, settings.iterations, portal)?,
        };
        Ok(Some(Privacy {
            keys,
            salt,
            iterations: settings.iterations,
            language: portal.config.language,
        }))
    }

    /// Seal the finished site in place: every page, the search index and
    /// every download; the theme's files stay as they are.
    pub fn seal_site(
        &self,
        portal: &Portal,
        asset_urls: &BTreeMap<String, String>,
        files: &mut SiteFiles,
    ) -> Result<()> {
        let singles: Vec<String> = portal
            .reports
            .iter()
            .map(|r| single_file_path(&r.slug))
            .collect();
        let css = asset_urls.get("style.css").map(String::as_str);
        let params = shell::Params {
            salt: &self.salt,
            iterations: self.iterations,
            language: self.language,
        };
        let taken = std::mem::take(files);
        for path in taken.keys() {
            let sealed_name = format!("{path}.js");
            if kind_of(path) == Kind::Download && taken.contains_key(&sealed_name) {
                return Err(Error::new(format!(
                    "the private portal cannot publish `{path}`: its sealed form `{sealed_name}` is another file of the site"
                ))
                .at(&portal.index_path)
                .hint("rename one of the two files"));
            }
        }
        let sealed: Vec<(String, FileBytes)> = taken
            .into_par_iter()
            .map(|(path, bytes)| match kind_of(&path) {
                Kind::Clear => (path, bytes),
                Kind::SearchIndex => {
                    let sealed = self.keys.seal(&path, &bytes);
                    let script = shell::sealed_script(&path, &sealed, "wawasanSearchIndex");
                    (path, FileBytes::from(script.into_bytes()))
                }
                Kind::Page => {
                    let sealed = self.keys.seal(&path, &bytes);
                    let css = css.filter(|_| !singles.contains(&path));
                    let html = shell::shell_page(&path, &sealed, &params, css);
                    (path, FileBytes::from(html.into_bytes()))
                }
                Kind::Download => {
                    let sealed = self.keys.seal(&path, &bytes);
                    let script = shell::sealed_download(&path, &sealed);
                    (format!("{path}.js"), FileBytes::from(script.into_bytes()))
                }
            })
            .collect();
        files.extend(sealed);
        Ok(())
    }
}

/// What becomes of a file of the site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// The theme's files and `.nojekyll`: published as they are.
    Clear,
    /// `assets/search-index.js`: a sealed script.
    SearchIndex,
    /// Any `.html` file: a shell page.
    Page,
    /// Anything else (exports, downloads): `<path>.js`, sealed.
    Download,
}

fn kind_of(path: &str) -> Kind {
    if path == INDEX_PATH {
        Kind::SearchIndex
    } else if path.ends_with(".html") {
        Kind::Page
    } else if path == ".nojekyll" || path.starts_with("assets/") {
        Kind::Clear
    } else {
        Kind::Download
    }
}

/// `[privacy]` checked: iterations and the decoded fixed salt.
struct Settings {
    iterations: u32,
    salt: Option<Vec<u8>>,
}

impl Settings {
    fn check(spec: &PrivacySpec, portal: &Portal) -> Result<Settings> {
        let at = |key: &str, error: Error| {
            let split = Split {
                front_matter: &portal.front_matter,
                front_matter_line: 2,
                body: "",
                body_line: 0,
            };
            error
                .within(&portal.index_path, locate_key(&split, &["privacy", key]))
                .setting(format!("privacy.{key}"))
        };
        let name = spec.password_env.trim();
        if name.is_empty() || name.contains(['=', '\0']) {
            return Err(at(
                "password_env",
                Error::new("`password_env` must name an environment variable")
                    .hint("write e.g. password_env = \"PORTAL_PASSWORD\" and set that variable when building"),
            ));
        }
        let iterations = spec.iterations.unwrap_or(MIN_ITERATIONS);
        if iterations < MIN_ITERATIONS {
            return Err(at(
                "iterations",
                Error::new(format!(
                    "`iterations = {iterations}` is too few: a private portal derives its key with at least {MIN_ITERATIONS} PBKDF2 rounds"
                ))
                .hint(format!("remove the setting (default {MIN_ITERATIONS}) or raise it")),
            ));
        }
        let salt = match &spec.salt {
            None => None,
            Some(hex) => Some(decode_hex(hex.trim()).filter(|b| b.len() >= MIN_SALT_BYTES).ok_or_else(|| {
                at(
                    "salt",
                    Error::new(format!(
                        "`salt` must be hexadecimal of at least {MIN_SALT_BYTES} bytes ({} digits)",
                        MIN_SALT_BYTES * 2
                    ))
                    .hint("e.g. the output of `openssl rand -hex 16`; or remove it for a random salt per build"),
                )
            })?),
        };
        Ok(Settings { iterations, salt })
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// The password from the variable `name`. Its value never enters an error.
fn read_password(name: &str, portal: &Portal) -> Result<String> {
    let name = name.trim();
    let line = portal.locate_setting("privacy").map(|(line, _)| line);
    let located = |error: Error| {
        let split = Split {
            front_matter: &portal.front_matter,
            front_matter_line: 2,
            body: "",
            body_line: 0,
        };
        let at = locate_key(&split, &["privacy", "password_env"]).or(line.map(|l| (l, 1)));
        error
            .within(&portal.index_path, at)
            .setting("privacy.password_env")
    };
    match std::env::var_os(name) {
        None => Err(located(Error::new(format!(
            "the private portal's password variable `{name}` is not set; nothing is published without it"
        ))
        .hint(format!(
            "set {name} to the portal's password when building (in GitHub Actions, from a repository secret), or remove [privacy] from {}",
            display(&portal.index_path)
        )))),
        Some(value) if value.is_empty() => Err(located(
            Error::new(format!(
                "the private portal's password variable `{name}` is empty; nothing is published without a password"
            ))
            .hint(format!("set {name} to the portal's password when building")),
        )),
        Some(value) => value.into_string().map_err(|_| {
            located(Error::new(format!(
                "the private portal's password variable `{name}` is not valid UTF-8"
            )))
        }),
    }
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

fn fresh_salt(portal: &Portal) -> Result<Vec<u8>> {
    cipher::random_salt()
        .map(|s| s.to_vec())
        .map_err(|m| Error::new(m).at(&portal.index_path))
}

/// The salt and keys `serve` keeps for `password`.
fn remembered(password: &str, iterations: u32, portal: &Portal) -> Result<(Vec<u8>, Keys)> {
    let mut hasher = Sha256::new();
    hasher.update(iterations.to_be_bytes());
    hasher.update(password.as_bytes());
    let fingerprint: [u8; 32] = hasher.finalize().into();
    let mut memory = SERVING.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(kept) = memory.as_ref().filter(|m| m.fingerprint == fingerprint) {
        return Ok((kept.salt.clone(), kept.keys.clone()));
    }
    let salt = fresh_salt(portal)?;
    let keys = Keys::derive(password.as_bytes(), &salt, iterations);
    *memory = Some(Remembered {
        fingerprint,
        salt: salt.clone(),
        keys: keys.clone(),
    });
    Ok((salt, keys))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_sorted_into_clear_pages_and_sealed() {
        assert_eq!(kind_of("assets/style.0123456789.css"), Kind::Clear);
        assert_eq!(kind_of("assets/vendor/echarts/echarts.min.js"), Kind::Clear);
        assert_eq!(kind_of(".nojekyll"), Kind::Clear);
        assert_eq!(kind_of("assets/search-index.js"), Kind::SearchIndex);
        assert_eq!(kind_of("index.html"), Kind::Page);
        assert_eq!(kind_of("shop.html"), Kind::Page);
        assert_eq!(kind_of("shop/results/a.csv"), Kind::Download);
        assert_eq!(kind_of("shop/results/hasil.xlsx"), Kind::Download);
        assert_eq!(kind_of("sitemap.xml"), Kind::Download);
    }

    #[test]
    fn hex_salts_decode_or_are_refused() {
        assert_eq!(decode_hex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(decode_hex("0g"), None);
        assert_eq!(decode_hex("abc"), None);
        assert_eq!(decode_hex("é0"), None);
    }
}
