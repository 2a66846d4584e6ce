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
    ("single.html", include_str!("../../templates/single.html")),
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
        "partials/theme_init.html",
        include_str!("../../templates/partials/theme_init.html"),
    ),
    (
        "partials/theme_toggle.html",
        include_str!("../../templates/partials/theme_toggle.html"),
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
    let origin = |name: &str| template_origin(templates, templates_dir, name);
    super::template_loops::check_loops(templates, &origin)?;
    tera.add_raw_templates(templates.iter().map(|(n, s)| (n.as_str(), s.as_str())))
        .map_err(|e| template_error(templates, templates_dir, &e))?;
    Ok(tera)
}

/// Where the template `name` comes from: the portal's own file, or the
/// default theme (which the user does not have as a file).
fn template_origin(
    templates: &[(String, String)],
    templates_dir: &Path,
    name: &str,
) -> std::path::PathBuf {
    let text = templates.iter().find(|(n, _)| n == name).map(|(_, t)| t);
    let default = DEFAULT_TEMPLATES.iter().find(|(n, _)| *n == name);
    match (text, default) {
        (Some(text), Some((_, default))) if text == default => {
            format!("{name} (default theme)").into()
        }
        _ => templates_dir.join(name),
    }
}

/// Render a theme template with a JSON context.
pub fn render_template(
    tera: &Tera,
    templates: &[(String, String)],
    name: &str,
    context: &tera::Context,
    templates_dir: &Path,
) -> Result<String> {
    tera.render(name, context).map_err(|e| {
        template_error(templates, templates_dir, &e).context(format!("rendering {name}"))
    })
}

fn override_files(dir: &Path) -> Result<Vec<(String, std::path::PathBuf)>> {
    let mut files = Vec::new();
    if dir.exists() && !dir.is_dir() {
        return Err(Error::new("the templates folder is a file").at(dir).hint(
            "theme overrides go in a folder of that name; move the file away, or pass --templates",
        ));
    }
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

fn template_error(templates: &[(String, String)], dir: &Path, err: &tera::Error) -> Error {
    use super::tera_error::{between, chain, find_in_tags, parse_position, syntax_expectation};
    let chain = chain(err);
    let is_template = |name: &String| templates.iter().any(|(n, _)| n == name);
    // The template Tera names last (innermost) is the one at fault.
    let named = chain.iter().rev().find_map(|part| {
        [
            "rendering '",
            "render '",
            "parse '",
            "Template '",
            "Template `",
        ]
        .iter()
        .find_map(|start| between(part, start, &start[start.len() - 1..]).filter(is_template))
    });
    let text_of = |name: &str| {
        templates
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, t)| t.as_str())
    };
    let hint = "fix the template, or delete it from templates/ to use the default theme's version";
    if let Some((line, column)) = parse_position(&chain) {
        let expected = syntax_expectation(&chain).unwrap_or_else(|| "a valid tag".into());
        let name = named.unwrap_or_default();
        let (line, column, message, syntax_hint) =
            super::tera_error::syntax_error(text_of(&name), line, column, &expected);
        return Error::new(message)
            .at(template_origin(templates, dir, &name))
            .line(line)
            .column(column)
            .hint(format!("{syntax_hint}; or {hint}"));
    }
    let innermost = chain.last().cloned().unwrap_or_default();
    let message = super::tera_error::innermost_message(&chain);
    let needle = between(&innermost, "`", "`")
        .or_else(|| super::tera_error::not_found(&innermost, "Filter"))
        .or_else(|| super::tera_error::not_found(&innermost, "Function"))
        .map(|n| super::tera_error::root_name(&n));
    // Where the name is used: in the named template, or else in the
    // portal's own templates, or else in any.
    let own = |name: &str| template_origin(templates, dir, name).starts_with(dir);
    let candidates = named.iter().cloned().chain(
        templates
            .iter()
            .filter(|(n, _)| own(n))
            .chain(templates.iter().filter(|(n, _)| !own(n)))
            .map(|(n, _)| n.clone()),
    );
    // A file that is loaded but missing: an include, import or extends.
    let missing = super::tera_error::missing_template(&chain)
        .or_else(|| between(&innermost, "loads macros from `", "`"))
        .or_else(|| between(&innermost, "is inheriting from '", "'"));
    let mut found = None;
    for name in candidates {
        let text = text_of(&name);
        let at = match (&missing, &needle) {
            (Some(missing), _) => super::tera_error::find_quoted(text, missing),
            (None, Some(needle)) => find_in_tags(text, needle),
            (None, None) => None,
        };
        if let Some(at) = at {
            found = Some((name, at));
            break;
        }
    }
    let error = Error::new(format!("template error: {message}"));
    match (found, named) {
        (Some((name, (line, column))), _) => error
            .at(template_origin(templates, dir, &name))
            .line(line + 1)
            .column(column),
        (None, Some(name)) => error.at(template_origin(templates, dir, &name)),
        (None, None) => error.at(dir),
    }
    .hint(hint)
}
