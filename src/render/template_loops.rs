//! Loops between templates, found before anything renders: a template that
//! includes, extends or imports itself (directly or through others), and a
//! macro that calls itself. Tera would recurse until the stack overflows;
//! here they are an error naming every file of the loop. The same scan
//! refuses what Tera lets pass but is surely a mistake: an `endblock` or
//! `endmacro` that names another block or macro than the one it closes.

use super::references::References;
use crate::error::{Error, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use tera::Template;

/// The templates' texts by name.
type Texts<'a> = BTreeMap<&'a str, &'a str>;

fn text_of<'a>(texts: &Texts<'a>, name: &str) -> &'a str {
    texts.get(name).copied().unwrap_or("")
}

/// How one template reaches another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Edge {
    Extends,
    Includes,
    Imports,
}

impl Edge {
    fn verb(self) -> &'static str {
        match self {
            Edge::Extends => "extends",
            Edge::Includes => "includes",
            Edge::Imports => "imports macros from",
        }
    }
}

/// Check the templates `sources` (name, text) for loops; `origin` gives the
/// file a template name comes from (for the error). Templates that do not
/// parse are left to Tera, which reports their syntax error.
pub fn check_loops(sources: &[(String, String)], origin: &dyn Fn(&str) -> PathBuf) -> Result<()> {
    let templates: BTreeMap<&str, Template> = sources
        .iter()
        .filter_map(|(name, text)| Some((name.as_str(), Template::new(name, None, text).ok()?)))
        .collect();
    let texts: Texts = sources
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    for name in templates.keys() {
        check_end_names(text_of(&texts, name)).map_err(|e| e.at(origin(name)))?;
    }
    check_template_loops(&templates, &texts, origin)?;
    check_macro_loops(&templates, &texts, origin)
}

/// `{% endblock x %}` and `{% endmacro x %}` must name the block or macro
/// they close (Tera ignores the name). Errors carry the 1-based line.
fn check_end_names(text: &str) -> Result<()> {
    let mut open: Vec<(&str, String, usize)> = Vec::new();
    for (line, words) in statement_tags(text) {
        let mut words = words.split_whitespace();
        let (Some(first), second) = (words.next(), words.next()) else {
            continue;
        };
        match first {
            "block" | "macro" => {
                let name = second.unwrap_or("");
                let name = name.split('(').next().unwrap_or("").to_string();
                open.push((first, name, line));
            }
            "endblock" | "endmacro" => {
                let kind = &first[3..];
                let Some((opened, name, opened_line)) = open.pop() else {
                    continue;
                };
                let closing = second.unwrap_or("");
                if opened == kind && !closing.is_empty() && closing != name {
                    return Err(Error::new(format!(
                        "`{{% {first} {closing} %}}` closes the {kind} `{name}` opened on line {opened_line}"
                    ))
                    .line(line)
                    .hint(format!(
                        "write `{{% {first} {name} %}}`; {kind}s close in the order they were opened, the innermost first"
                    )));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The statement tags (`{% … %}`) of `text`: the 1-based line each starts
/// on and its words without the `{%-`/`-%}` marks. Expressions, comments
/// and `raw` sections are skipped; strings inside tags cannot end them.
fn statement_tags(text: &str) -> Vec<(usize, &str)> {
    let mut tags = Vec::new();
    let mut at = 0;
    let mut in_raw = false;
    while let Some(open) = text[at..].find('{').map(|i| at + i) {
        let kind = text[open + 1..].chars().next();
        let close_mark = match kind {
            Some('%') => "%}",
            Some('{') => "}}",
            Some('#') => "#}",
            _ => {
                at = open + 1;
                continue;
            }
        };
        let body_start = open + 2;
        let Some(close) = tag_end(text, body_start, close_mark, kind != Some('#')) else {
            break;
        };
        at = close + 2;
        if kind != Some('%') {
            continue;
        }
        let body = text[body_start..close]
            .trim_start_matches('-')
            .trim_end_matches('-')
            .trim();
        let word = body.split_whitespace().next().unwrap_or("");
        if in_raw {
            in_raw = word != "endraw";
            continue;
        }
        if word == "raw" {
            in_raw = true;
            continue;
        }
        let line = text[..open].matches('\n').count() + 1;
        tags.push((line, body));
    }
    tags
}

/// Where `mark` closes a tag whose body starts at `from`, skipping quoted
/// strings when `strings`.
fn tag_end(text: &str, from: usize, mark: &str, strings: bool) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if strings && matches!(b, b'"' | b'\'' | b'`') => quote = Some(b),
            None if text[i..].starts_with(mark) => return Some(i),
            None => {}
        }
        i += 1;
    }
    None
}

fn check_template_loops(
    templates: &BTreeMap<&str, Template>,
    texts: &Texts,
    origin: &dyn Fn(&str) -> PathBuf,
) -> Result<()> {
    let mut graph: BTreeMap<String, Vec<(String, Edge)>> = BTreeMap::new();
    for (name, template) in templates {
        let mut refs = References::default();
        refs.add_nodes(&template.ast);
        let edges = graph.entry(name.to_string()).or_default();
        edges.extend(template.parent.iter().map(|p| (p.clone(), Edge::Extends)));
        edges.extend(refs.includes.into_iter().map(|i| (i, Edge::Includes)));
        edges.extend(
            template
                .imported_macro_files
                .iter()
                .map(|(file, _)| (file.clone(), Edge::Imports)),
        );
    }
    let Some(cycle) = find_cycle(&graph) else {
        return Ok(());
    };
    let mut story = String::new();
    for (i, (from, edge)) in cycle.iter().enumerate() {
        let to = &cycle[(i + 1) % cycle.len()].0;
        if i == 0 {
            story.push_str(&format!("{from} {} {to}", edge.verb()));
        } else {
            story.push_str(&format!(", which {} {to}", edge.verb()));
        }
    }
    let (first, _) = &cycle[0];
    let next = &cycle[1 % cycle.len()].0;
    Err(Error::new(format!("template loop: {story}"))
        .at(origin(first))
        .maybe_line(line_naming(text_of(texts, first), next))
        .hint(format!(
            "a template cannot include, extend or import itself, directly or through others; \
             remove one of these references ({})",
            files_of(&cycle, origin)
        )))
}

fn check_macro_loops(
    templates: &BTreeMap<&str, Template>,
    texts: &Texts,
    origin: &dyn Fn(&str) -> PathBuf,
) -> Result<()> {
    // Nodes are "file::macro".
    let mut graph: BTreeMap<String, Vec<(String, Edge)>> = BTreeMap::new();
    for (name, template) in templates {
        for (macro_name, definition) in &template.macros {
            let mut refs = References::default();
            refs.add_nodes(&definition.body);
            let calls = refs
                .macro_calls
                .into_iter()
                .filter_map(|(namespace, called)| {
                    let file = if namespace == "self" {
                        name.to_string()
                    } else {
                        template
                            .imported_macro_files
                            .iter()
                            .find(|(_, ns)| *ns == namespace)?
                            .0
                            .clone()
                    };
                    Some((format!("{file}::{called}"), Edge::Includes))
                });
            graph
                .entry(format!("{name}::{macro_name}"))
                .or_default()
                .extend(calls);
        }
    }
    let Some(cycle) = find_cycle(&graph) else {
        return Ok(());
    };
    let names: Vec<String> = cycle
        .iter()
        .chain(std::iter::once(&cycle[0]))
        .map(|(node, _)| {
            let (file, name) = node.split_once("::").unwrap_or(("", node));
            format!("{name} ({file})")
        })
        .collect();
    let (file, name) = cycle[0].0.split_once("::").unwrap_or(("", &cycle[0].0));
    let next = &cycle[1 % cycle.len()].0;
    let called = next.split_once("::").map_or(next.as_str(), |(_, n)| n);
    let what = if cycle.len() == 1 {
        format!("macro `{name}` calls itself")
    } else {
        format!("macros call each other in a loop: {}", names.join(" → "))
    };
    Err(Error::new(what)
        .at(origin(file))
        .maybe_line(call_line(text_of(texts, file), name, called))
        .hint(format!(
            "recursive macros are refused because they can run without end; \
             write the repetition as a `for` loop instead ({})",
            files_of(&cycle, origin)
        )))
}

/// The distinct files of a cycle's nodes, for the hint.
fn files_of(cycle: &[(String, Edge)], origin: &dyn Fn(&str) -> PathBuf) -> String {
    let files: BTreeSet<String> = cycle
        .iter()
        .map(|(node, _)| {
            let file = node.split_once("::").map_or(node.as_str(), |(f, _)| f);
            origin(file).display().to_string()
        })
        .collect();
    let files: Vec<String> = files.into_iter().collect();
    files.join(", ")
}

/// The first cycle of `graph` as its nodes in order, each with the edge to
/// the next (the last one's edge leads back to the first). Iterative, so a
/// long chain of templates cannot overflow the stack either.
fn find_cycle(graph: &BTreeMap<String, Vec<(String, Edge)>>) -> Option<Vec<(String, Edge)>> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Open,
        Done,
    }
    let mut state: BTreeMap<&str, State> = BTreeMap::new();
    for start in graph.keys() {
        if state.contains_key(start.as_str()) {
            continue;
        }
        // The DFS path: node and index of its next edge to follow.
        let mut path: Vec<(&str, usize)> = vec![(start, 0)];
        state.insert(start, State::Open);
        while let Some((node, next)) = path.last_mut() {
            let edges = graph.get(*node).map_or(&[][..], Vec::as_slice);
            let Some((to, _)) = edges.get(*next) else {
                state.insert(node, State::Done);
                path.pop();
                continue;
            };
            *next += 1;
            match state.get(to.as_str()) {
                Some(State::Done) => {}
                Some(State::Open) => {
                    let at = path.iter().position(|(n, _)| *n == to).unwrap_or(0);
                    return Some(
                        path[at..]
                            .iter()
                            .map(|(n, i)| (n.to_string(), graph[*n][i - 1].1))
                            .collect(),
                    );
                }
                None => {
                    // Only templates that exist can continue a path.
                    if graph.contains_key(to.as_str()) {
                        state.insert(to, State::Open);
                        path.push((to, 0));
                    }
                }
            }
        }
    }
    None
}

/// The line where macro `name` of `text` calls `called` (or, failing
/// that, where `name` is defined).
fn call_line(text: &str, name: &str, called: &str) -> Option<usize> {
    let definition = line_naming(text, &format!("macro {name}"))?;
    let call = format!("::{called}(");
    let after = text
        .lines()
        .skip(definition - 1)
        .position(|l| l.contains(&call));
    Some(after.map_or(definition, |i| definition + i))
}

/// The 1-based line of the first line of `text` that names `needle`.
fn line_naming(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(templates: &[(&str, &str)]) -> Result<()> {
        let sources: Vec<(String, String)> = templates
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        check_loops(&sources, &|name| PathBuf::from("templates").join(name))
    }

    #[test]
    fn a_template_including_itself_is_a_loop() {
        let err = check(&[("a.html", "x\n{% include \"a.html\" %}")]).unwrap_err();
        assert_eq!(err.message(), "template loop: a.html includes a.html");
        assert_eq!(err.path(), Some(std::path::Path::new("templates/a.html")));
        assert_eq!(err.line_number(), Some(2));
    }

    #[test]
    fn loops_through_several_templates_name_each_file() {
        let err = check(&[
            ("a.html", "{% include \"b.html\" %}"),
            ("b.html", "{% if x %}{% include \"a.html\" %}{% endif %}"),
        ])
        .unwrap_err();
        assert_eq!(
            err.message(),
            "template loop: a.html includes b.html, which includes a.html"
        );
        let hint = err.hint_text().unwrap();
        assert!(
            hint.contains("templates/a.html, templates/b.html"),
            "{hint}"
        );
    }

    #[test]
    fn extends_and_imports_count_too() {
        let err = check(&[
            ("base.html", "{% extends \"page.html\" %}"),
            ("page.html", "{% extends \"base.html\" %}"),
        ])
        .unwrap_err();
        assert_eq!(
            err.message(),
            "template loop: base.html extends page.html, which extends base.html"
        );
        let err = check(&[
            ("m.html", "{% import \"n.html\" as n %}"),
            ("n.html", "{% import \"m.html\" as m %}"),
        ])
        .unwrap_err();
        assert!(err.message().contains("imports macros from"), "{err}");
    }

    #[test]
    fn recursive_macros_are_refused() {
        let err = check(&[(
            "m.html",
            "{% macro tree(n) %}{{ self::tree(n=n) }}{% endmacro tree %}",
        )])
        .unwrap_err();
        assert_eq!(err.message(), "macro `tree` calls itself");
        let err = check(&[
            (
                "m.html",
                "{% import \"n.html\" as n %}\n{% macro a() %}{{ n::b() }}{% endmacro a %}",
            ),
            (
                "n.html",
                "{% import \"m.html\" as m %}{% macro b() %}{{ m::a() }}{% endmacro b %}",
            ),
        ])
        .unwrap_err();
        // The import loop is found first; without it, the calls are.
        assert!(err.message().starts_with("template loop"), "{err}");
        let err = check(&[(
            "m.html",
            "{% macro a() %}{{ self::b() }}{% endmacro a %}\n{% macro b() %}{{ self::a() }}{% endmacro b %}",
        )])
        .unwrap_err();
        assert_eq!(
            err.message(),
            "macros call each other in a loop: a (m.html) → b (m.html) → a (m.html)"
        );
    }

    #[test]
    fn an_endblock_naming_another_block_is_refused_at_its_line() {
        let err = check(&[(
            "index.html",
            "{% extends \"base.html\" %}\n{% block layout %}\n<main>{{ x }}</main>\n{% endblock main %}",
        )])
        .unwrap_err();
        assert_eq!(
            err.path(),
            Some(std::path::Path::new("templates/index.html"))
        );
        assert_eq!(err.line_number(), Some(4));
        assert!(
            err.message()
                .contains("`{% endblock main %}` closes the block `layout` opened on line 2"),
            "{err}"
        );
        // Nested blocks close innermost first, and tags inside strings,
        // comments and raw sections do not count.
        let fine = [
            (
                "ok.html",
                "{% block a %}{% block b %}{{ \"{% endblock zz %}\" }}{% endblock b %}\n\
                 {# {% endblock yy %} #}{% raw %}{% endblock xx %}{% endraw %}{%- endblock a -%}",
            ),
            ("m.html", "{% macro m(x) %}{{ x }}{% endmacro m %}"),
        ];
        for (name, text) in fine {
            assert!(Template::new(name, None, text).is_ok(), "{name} must parse");
        }
        check(&fine).unwrap();
        let err = check(&[("m.html", "{% macro m(x) %}\n{% endmacro n %}")]).unwrap_err();
        assert_eq!(err.line_number(), Some(2), "{err}");
    }

    #[test]
    fn shared_partials_and_chains_are_fine() {
        check(&[
            (
                "base.html",
                "{% include \"p.html\" %}{% block b %}{% endblock b %}",
            ),
            (
                "page.html",
                "{% extends \"base.html\" %}{% block b %}{% include \"p.html\" %}{% endblock b %}",
            ),
            ("p.html", "{% import \"m.html\" as m %}{{ m::x() }}"),
            (
                "m.html",
                "{% macro x() %}{{ self::y() }}{% endmacro x %}{% macro y() %}y{% endmacro y %}",
            ),
            ("missing.html", "{% include \"nowhere.html\" %}"),
        ])
        .unwrap();
    }
}
