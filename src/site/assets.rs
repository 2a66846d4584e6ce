//! The theme's static files (CSS, JS, the vendored ECharts), embedded in the
//! binary and copied to `public/assets/`; files in the portal's
//! `templates/static/` replace or add to them.

use crate::error::{Error, Result};
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
