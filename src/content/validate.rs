//! Validation of the content model in one place: names are well-formed and
//! unique, so later stages can rely on them.

use super::{Portal, Report};
use crate::error::{Error, Result};
use std::collections::BTreeSet;

/// Names a template context already uses; results may not shadow them.
const RESERVED: &[&str] = &[
    "portal", "report", "page", "reports", "t", "root", "intro", "results", "tables", "charts",
];

pub(super) fn validate(portal: &Portal) -> Result<()> {
    if let Err(message) = crate::config::check_base_url(&portal.config.base_url) {
        let (line, column) = portal.locate_setting("base_url").unzip();
        return Err(Error::new(message)
            .at(&portal.index_path)
            .maybe_line(line)
            .maybe_column(column)
            .hint("write the address readers open, e.g. base_url = \"https://acme.github.io/insights/\", or leave it out"));
    }
    for report in &portal.reports {
        validate_report(report)?;
    }
    Ok(())
}

fn validate_report(report: &Report) -> Result<()> {
    let path = report.index_path();
    if !is_slug(&report.slug) {
        return Err(Error::new(format!(
            "report folder `{}` is not a URL-friendly name",
            report.slug
        ))
        .at(&report.dir)
        .hint("use lowercase letters, digits, - and _ only, e.g. `amazon-b2b`"));
    }
    let error_at = |needle: &str, message: String, hint: &str| {
        Error::new(message)
            .at(&path)
            .maybe_line(report.locate(needle))
            .hint(hint.to_string())
    };
    let mut tables = BTreeSet::new();
    for (index, source) in report.meta.sources.iter().enumerate() {
        let at_name = |message: String, hint: &str| {
            let (line, column) = report
                .locate_key(&["sources", &index.to_string(), "name"])
                .unzip();
            Error::new(message)
                .at(&path)
                .maybe_line(line)
                .maybe_column(column)
                .hint(hint.to_string())
        };
        if !is_identifier(&source.name) {
            return Err(error_at(
                &source.name,
                format!("source name `{}` is not a valid table name", source.name),
                "use letters, digits and _ (it is the table name in SQL)",
            ));
        }
        if !tables.insert(source.name.clone()) {
            return Err(at_name(
                format!("two sources are named `{}`", source.name),
                "give every source its own name",
            ));
        }
    }
    let mut results: BTreeSet<String> = BTreeSet::new();
    for name in report.meta.analyses.keys() {
        check_result_name(name, "analysis", &tables, &mut results)
            .map_err(|(m, h)| error_at(&format!("analyses.{name}"), m, h))?;
    }
    for (page, query) in report.queries() {
        check_result_name(&query.name, "query", &tables, &mut results)
            .map_err(|(m, h)| Error::new(m).at(&page.path).line(query.line).hint(h))?;
    }
    for name in report.meta.charts.keys() {
        if !is_identifier(name) {
            return Err(error_at(
                &format!("charts.{name}"),
                format!("chart name `{name}` may only contain letters, digits and _"),
                "rename the chart",
            ));
        }
    }
    Ok(())
}

fn check_result_name(
    name: &str,
    what: &str,
    tables: &BTreeSet<String>,
    results: &mut BTreeSet<String>,
) -> std::result::Result<(), (String, &'static str)> {
    if !is_identifier(name) {
        return Err((
            format!("{what} name `{name}` may only contain letters, digits and _"),
            "rename it, e.g. `b2b` or `top_cities`",
        ));
    }
    if RESERVED.contains(&name) {
        return Err((
            format!("{what} name `{name}` is reserved by the templates"),
            "choose another name",
        ));
    }
    if tables.contains(name) || !results.insert(name.to_string()) {
        return Err((
            format!(
                "the name `{name}` is used twice (sources, analyses and queries share one namespace)"
            ),
            "give each source, analysis and query its own name",
        ));
    }
    Ok(())
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}
