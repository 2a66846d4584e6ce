//! The theme's static files (CSS, JS, the vendored ECharts, the favicon),
//! embedded in the binary and copied to `public/assets/`; files in the
//! portal's `templates/static/` replace or add to them. The theme's own CSS,
//! JS and icon files are written under names that carry a hash of their
//! content (`style.3f2a9c0b1d.css`), so a browser or CDN may cache them
//! forever and a new build can never be shown with an old stylesheet;
//! templates find the names in the `assets` map of their context.

use crate::error::{Error, Result};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

macro_rules! embed {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!("../../templates/static/", $path)))),*]
    };
}

/// The default theme's static files by path below `assets/`.
pub const DEFAULT_STATIC: &[(&str, &[u8])] = embed!(
    "charts.js",
    "favicon.svg",
    "search.js",
    "site.js",
    "style.css",
    "vendor/README.md",
    "vendor/echarts/LICENSE",
    "vendor/echarts/NOTICE",
    "vendor/echarts/echarts.min.js",
    "vendor/echarts/licenses/LICENSE-d3",
    "vendor/echarts-gl/LICENSE",
    "vendor/echarts-gl/echarts-gl.min.js",
    "vendor/echarts-gl/echarts-gl.min.js.LICENSE.txt",
);

/// Every static file of the site, by path below `assets/`.
pub fn collect_static(templates_dir: &Path) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut files: BTreeMap<String, Vec<u8>> = DEFAULT_STATIC
        .iter()
        .map(|(p, b)| (p.to_string(), b.to_vec()))
        .collect();
    let dir = templates_dir.join("static");
    if !dir.is_dir() {
        return Ok(files);
    }
    for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
        let entry =
            entry.map_err(|e| Error::new("cannot list static files").at(&dir).caused_by(e))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if crate::content::is_editor_temp(&name) {
            continue;
        }
        let rel = entry.path().strip_prefix(&dir).unwrap_or(entry.path());
        let bytes = std::fs::read(entry.path()).map_err(|e| Error::io("read", entry.path(), e))?;
        files.insert(rel.to_string_lossy().replace('\\', "/"), bytes);
    }
    Ok(files)
}

/// The theme files written under a content-hashed name: the ones its
/// templates link to. Other files (licences, a portal's own images that
/// Markdown links to by name) keep their names.
const FINGERPRINTED: &[&str] = &[
    "charts.js",
    "favicon.svg",
    "search.js",
    "site.js",
    "style.css",
    "vendor/echarts/echarts.min.js",
    "vendor/echarts-gl/echarts-gl.min.js",
];

/// The site's static files under the names they are written with, and the
/// URL (relative to the site root) of every fingerprinted one by its plain
/// name: `"style.css" -> "assets/style.3f2a9c0b1d.css"`.
#[derive(Clone, Debug, Default)]
pub struct Assets {
    /// Path below `public/` -> bytes.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Plain name below `assets/` -> path below `public/`.
    pub urls: BTreeMap<String, String>,
}

impl Assets {
    /// The static files of a portal whose templates live in `templates_dir`.
    pub fn collect(templates_dir: &Path) -> Result<Assets> {
        Ok(Assets::fingerprint(collect_static(templates_dir)?))
    }

    /// Give the fingerprinted files their hashed names.
    pub fn fingerprint(files: BTreeMap<String, Vec<u8>>) -> Assets {
        let mut assets = Assets::default();
        for (path, bytes) in files {
            let written = if FINGERPRINTED.contains(&path.as_str()) {
                let hashed = hashed_name(&path, &bytes);
                assets.urls.insert(path, format!("assets/{hashed}"));
                hashed
            } else {
                path
            };
            assets.files.insert(format!("assets/{written}"), bytes);
        }
        assets
    }

    /// The `assets` map handed to templates.
    pub fn context(&self) -> Value {
        let map: Map<String, Value> = self
            .urls
            .iter()
            .map(|(name, url)| (name.clone(), Value::String(url.clone())))
            .collect();
        Value::Object(map)
    }

    /// The bytes of a fingerprinted file by its plain name.
    pub fn bytes(&self, name: &str) -> Option<&[u8]> {
        self.files.get(self.urls.get(name)?).map(Vec::as_slice)
    }
}

/// `dir/name.ext` -> `dir/name.<10 hex digits of its content hash>.ext`.
fn hashed_name(path: &str, bytes: &[u8]) -> String {
    let hash = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(bytes));
    let digest = &hash[..10];
    let (dir, file) = match path.rfind('/') {
        Some(i) => (&path[..=i], &path[i + 1..]),
        None => ("", path),
    };
    // The extension is what follows the last dot (`echarts.min.js` keeps
    // `echarts.min` as its stem).
    match file.rfind('.') {
        Some(i) => format!("{dir}{}.{digest}{}", &file[..i], &file[i..]),
        None => format!("{dir}{file}.{digest}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        list.iter()
            .map(|(p, b)| (p.to_string(), b.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn theme_files_get_content_hashed_names_and_others_keep_theirs() {
        let assets = Assets::fingerprint(files(&[
            ("style.css", "body{}"),
            ("vendor/echarts/echarts.min.js", "var e;"),
            ("vendor/echarts/LICENSE", "Apache"),
            ("logo.svg", "<svg/>"),
        ]));
        let style = &assets.urls["style.css"];
        assert!(style.starts_with("assets/style."), "{style}");
        assert!(style.ends_with(".css"), "{style}");
        // 10 hex digits between the stem and the extension.
        let digest = &style["assets/style.".len()..style.len() - ".css".len()];
        assert_eq!(digest.len(), 10, "{style}");
        assert!(digest.chars().all(|c| c.is_ascii_hexdigit()), "{style}");
        let echarts = &assets.urls["vendor/echarts/echarts.min.js"];
        assert!(
            echarts.starts_with("assets/vendor/echarts/echarts.min."),
            "{echarts}"
        );
        assert!(assets.files.contains_key("assets/vendor/echarts/LICENSE"));
        assert!(assets.files.contains_key("assets/logo.svg"));
        assert!(!assets.urls.contains_key("logo.svg"));
        assert!(!assets.files.contains_key("assets/style.css"));
        assert_eq!(assets.bytes("style.css"), Some(&b"body{}"[..]));
    }

    #[test]
    fn the_name_changes_with_the_content_only() {
        let a = Assets::fingerprint(files(&[("site.js", "a")]));
        let again = Assets::fingerprint(files(&[("site.js", "a")]));
        let b = Assets::fingerprint(files(&[("site.js", "b")]));
        assert_eq!(a.urls["site.js"], again.urls["site.js"]);
        assert_ne!(a.urls["site.js"], b.urls["site.js"]);
    }

    #[test]
    fn every_fingerprinted_name_is_a_default_theme_file() {
        for name in FINGERPRINTED {
            assert!(
                DEFAULT_STATIC.iter().any(|(p, _)| p == name),
                "{name} is not embedded"
            );
        }
    }
}
