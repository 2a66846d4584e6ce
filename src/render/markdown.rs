//! Markdown to HTML with pulldown-cmark: tables, footnotes, strikethrough and
//! task lists, plus heading ids with anchor links and the page's table of
//! contents. Placeholders of values and placed HTML (see `placeholders`)
//! are resolved in the parsed events, so no value is read as Markdown.

use super::placeholders::{plain_text as resolved_text, resolve};
use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
use serde::Serialize;
use std::collections::BTreeSet;

/// A heading in the page's table of contents.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// Rendered Markdown.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    pub html: String,
    /// Level 2 and 3 headings, in order.
    pub toc: Vec<TocEntry>,
}

/// Render Markdown (already through Tera) to HTML.
pub fn render_markdown(markdown: &str) -> Rendered {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let events: Vec<Event> = resolve(Parser::new_ext(markdown, options).collect());
    let mut ids = BTreeSet::new();
    let mut toc = Vec::new();
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { level, id, .. }) = &events[i] {
            let end = find_heading_end(&events, i);
            let inner = &events[i + 1..end];
            let text = plain_text(inner);
            let id = unique_id(
                id.as_deref()
                    .map(resolved_text)
                    .unwrap_or_else(|| slugify(&text)),
                &mut ids,
            );
            let n = heading_number(*level);
            if n == 2 || n == 3 {
                toc.push(TocEntry {
                    level: n,
                    id: id.clone(),
                    title: text,
                });
            }
            out.push(Event::Html(CowStr::from(format!("<h{n} id=\"{id}\">"))));
            out.extend(inner.iter().cloned());
            out.push(Event::Html(CowStr::from(format!(
                " <a class=\"anchor\" href=\"#{id}\" aria-hidden=\"true\">#</a></h{n}>\n"
            ))));
            i = end + 1;
            continue;
        }
        out.push(events[i].clone());
        i += 1;
    }
    let mut html_out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut html_out, out.into_iter());
    Rendered {
        html: html_out,
        toc,
    }
}

fn find_heading_end(events: &[Event], start: usize) -> usize {
    events[start..]
        .iter()
        .position(|e| matches!(e, Event::End(TagEnd::Heading(_))))
        .map_or(events.len() - 1, |p| start + p)
}

fn plain_text(events: &[Event]) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s.trim().to_string()
}

fn heading_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// A URL fragment from heading text: lowercase letters and digits joined by
/// `-` (non-ASCII letters are kept, so Indonesian and other text stay readable).
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    let mut dash = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            slug.push(c);
            dash = false;
        } else {
            dash = true;
        }
    }
    if slug.is_empty() {
        slug.push_str("section");
    }
    slug
}

fn unique_id(base: String, taken: &mut BTreeSet<String>) -> String {
    let base: String = base
        .chars()
        .filter(|c| !matches!(c, '"' | '<' | '>' | '&' | '\''))
        .collect();
    let mut id = base.clone();
    let mut n = 1;
    while !taken.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_get_ids_anchors_and_toc() {
        let r = render_markdown(
            "# Title\n\n## Temuan Utama\n\ntext\n\n### Detail *penting*\n\n## Temuan Utama\n",
        );
        assert!(r.html.contains(
            "<h2 id=\"temuan-utama\">Temuan Utama <a class=\"anchor\" href=\"#temuan-utama\""
        ));
        assert!(
            r.html
                .contains("<h3 id=\"detail-penting\">Detail <em>penting</em>")
        );
        assert!(r.html.contains("<h2 id=\"temuan-utama-1\">"), "{}", r.html);
        let ids: Vec<&str> = r.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["temuan-utama", "detail-penting", "temuan-utama-1"]);
        assert_eq!(r.toc[1].level, 3);
    }

    #[test]
    fn tables_and_footnotes_render() {
        let r = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\nNote[^1].\n\n[^1]: Source.\n");
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<td>2</td>"));
        assert!(r.html.contains("footnote-definition"));
    }

    #[test]
    fn raw_html_blocks_pass_through() {
        let r = render_markdown("Text\n\n<figure class=\"chart\"><div></div></figure>\n\nMore\n");
        assert!(
            r.html
                .contains("<figure class=\"chart\"><div></div></figure>")
        );
    }

    #[test]
    fn slugify_keeps_letters_and_digits() {
        assert_eq!(slugify("B2B vs. B2C: 3× AOV!"), "b2b-vs-b2c-3-aov");
        assert_eq!(slugify("???"), "section");
    }
}
