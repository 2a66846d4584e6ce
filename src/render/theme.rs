//! The page templates: the default theme (embedded in the binary, so `init`
//! and `build` work anywhere) with any same-named file in the portal's
//! `templates/` folder taking its place.

use crate::error::{Error, Result};
use std::path::Path;
use tera::Tera;

/// The default theme's templates, by name.
pub const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("page.html", include_str!("../../templates/page.html")),
    (
        "partials/footer.html",
        include_str!("../../templates/partials/footer.html"),
    ),
    (
        "partials/header.html",
        include_str!("../../templates/partials/header.html"),
    ),
    (
        "partials/kpis.html",
        include_str!("../../templates/partials/kpis.html"),
    ),
    (
        "partials/pager.html",
        include_str!("../../templates/partials/pager.html"),
    ),
    (
        "partials/sidebar.html",
        include_str!("../../templates/partials/sidebar.html"),
    ),
    (
        "partials/toc.html",
        include_str!("../../templates/partials/toc.html"),
    ),
];

/// The theme's templates as (name, text): the defaults, each replaced by a
/// same-named file of `templates_dir` (any `*.html` below it except under
/// `static/`), then the portal's other templates.
pub fn theme_sources(templates_dir: &Path) -> Result<Vec<(String, String)>> {
    let mut templates: Vec<(String, String)> = DEFAULT_TEMPLATES
        .iter()
        .map(|(n, s)| (n.to_string(), s.to_string()))
        .collect();
    for (name, path) in override_files(templates_dir)? {
        let text = crate::content::report::read_text(&path)?;
        match templates.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = text,
            None => templates.push((name, text)),
        }
    }
    Ok(templates)
}

/// Parse the theme's templates (errors point into `templates_dir`).
pub fn build_theme(templates: &[(String, String)], templates_dir: &Path) -> Result<Tera> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html"]);
    // Escape & < > " ' only: Tera's default also rewrites `/`, which mangles URLs.
    tera.set_escape_fn(crate::chart::escape_html);
    super::narrative::disable_environment(&mut tera);
    tera.add_raw_templates(templates.iter().map(|(n, s)| (n.as_str(), s.as_str())))
        .map_err(|e| template_error(templates_dir, &e))?;
    Ok(tera)
}

/// Render a theme template with a JSON context.
pub fn render_template(
    tera: &Tera,
    name: &str,
    context: &tera::Context,
    templates_dir: &Path,
) -> Result<String> {
    tera.render(name, context)
        .map_err(|e| template_error(templates_dir, &e).context(format!("rendering {name}")))
}

fn override_files(dir: &Path) -> Result<Vec<(String, std::path::PathBuf)>> {
    let mut files = Vec::new();
    if !dir.is_dir() {
        return Ok(files);
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            Error::new("cannot list the templates folder")
                .at(dir)
                .caused_by(e)
        })?;
        let path = entry.path();
        let rel = path.strip_prefix(dir).unwrap_or(path);
        let in_static = rel
            .components()
            .next()
            .is_some_and(|c| c.as_os_str() == "static");
        if entry.file_type().is_file()
            && !in_static
            && path.extension().is_some_and(|e| e == "html")
        {
            let name = rel.to_string_lossy().replace('\\', "/");
            files.push((name, path.to_path_buf()));
        }
    }
    Ok(files)
}

fn template_error(dir: &Path, err: &tera::Error) -> Error {
    let chain = super::tera_error::chain(err);
    let message = chain.join(": ");
    let file = message
        .split('\'')
        .nth(1)
        .map(|name| dir.join(name))
        .unwrap_or_else(|| dir.to_path_buf());
    let line = super::tera_error::parse_line(&chain);
    Error::new(format!("template error: {message}"))
        .at(file)
        .maybe_line(line)
        .hint("fix the template, or delete it from templates/ to use the default theme's version")
}
