//! Data never becomes markup: values from data placed in prose are shown as
//! the literal text, whatever Markdown or HTML they hold, and no link to a
//! `javascript:` URL is ever produced from data or settings.

mod common;

use common::Fixture;

/// The tiny portal with hostile category names, listed in the prose one per
/// line (a value alone on a line, inside a list, inside emphasis and in a
/// link target written by the analyst).
fn hostile() -> Fixture {
    let f = Fixture::new("tiny");
    let csv = f.read("data/sales.csv");
    let csv = csv
        .replace(",Set,", ",[x](javascript:alert(5)),")
        .replace(",kurta,", ",# heading,")
        .replace(",Top,", ",*bold* _i_ `c` ~~s~~ <b>|</b>,");
    f.write("data/sales.csv", &csv);
    f.edit(
        "content/shop/findings.md",
        "The top category is {{ by_category[0].Category }}.",
        "The top category is {{ by_category[0].Category }}.\n\n\
         {{ by_category[1].Category }}\n\n\
         {% for c in by_category %}- **{{ c.Category }}**\n{% endfor %}\n\
         | category |\n|---|\n{% for c in by_category %}| {{ c.Category }} |\n{% endfor %}\n\
         [open]({{ by_category[0].Category }}) and <a href=\"{{ by_category[0].Category }}\">raw</a>\n",
    );
    f
}

#[test]
fn values_with_markdown_stay_literal_text() {
    let f = hostile();
    f.build();
    let html = f.read("public/shop/findings.html");
    // The rendered Markdown, from the first value to the end of the article.
    let start = html.find("The top category is").expect("the prose");
    let body = &html[start
        ..html[start..]
            .find("</article>")
            .map_or(html.len(), |e| start + e)];
    // The values are there, as text.
    assert!(
        body.contains("The top category is [x](javascript:alert(5))."),
        "{body}"
    );
    assert!(body.contains("<p># heading</p>"), "{body}");
    assert!(
        body.contains("*bold* _i_ `c` ~~s~~ &lt;b&gt;|&lt;/b&gt;"),
        "{body}"
    );
    // None of it became markup.
    for markup in [
        "<em>",
        "<del>",
        "<code>c</code>",
        "<b>|",
        "<h1",
        ">heading</h1>",
    ] {
        assert!(!body.contains(markup), "{markup} in {body}");
    }
    // The Markdown table written by the analyst has one row per value: the
    // `|` inside a value did not split a cell.
    let table = &body[body.find("<table>").expect("markdown table")..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(table.matches("<tr>").count(), 4, "{table}");
    // The analyst's links to a data value lead nowhere dangerous.
    assert!(!html.contains("javascript:alert(5)\""), "{html}");
    assert!(
        !html.to_ascii_lowercase().contains("href=\"javascript"),
        "{html}"
    );
    assert!(body.contains("<a href=\"#\">open</a>"), "{body}");
    assert!(body.contains("<a href=\"#\">raw</a>"), "{body}");
}

#[test]
fn the_safe_filter_is_refused_in_pages() {
    let f = Fixture::new("tiny");
    f.edit(
        "content/shop/findings.md",
        "{{ by_category[0].Category }}",
        "{{ by_category[0].Category | safe }}",
    );
    let run = f.run("check");
    assert!(!run.ok);
    let line = f.line_of("content/shop/findings.md", "| safe");
    assert!(
        run.stderr.contains(&format!("findings.md:{line}:")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("`safe` filter is not available"),
        "{}",
        run.stderr
    );
}

#[test]
fn pages_cannot_read_the_environment() {
    let f = Fixture::new("tiny");
    f.edit(
        "content/shop/findings.md",
        "The top category",
        "{{ get_env(name=\"HOME\") }} The top category",
    );
    let run = f.run("check");
    assert!(!run.ok);
    assert!(
        run.stderr.contains("`get_env` is disabled"),
        "{}",
        run.stderr
    );
}

#[test]
fn base_url_must_be_http_or_a_path() {
    let f = Fixture::new("tiny");
    f.edit(
        "content/_index.md",
        "currency = \"USD\"",
        "currency = \"USD\"\nbase_url = \"javascript:alert(1)\"",
    );
    let run = f.run("check");
    assert!(!run.ok);
    assert!(
        run.stderr.contains("content/_index.md:5:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("neither an http(s) URL"),
        "{}",
        run.stderr
    );

    let g = Fixture::new("tiny");
    let run = g.run_with("build", &["--base-url", "javascript:alert(1)"]);
    assert!(!run.ok);
    assert!(run.stderr.contains("--base-url"), "{}", run.stderr);
    assert!(!g.path("public").exists());
    let run = g.run_with("build", &["--base-url", "https://acme.github.io/shop/"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(
        g.read("public/shop/index.html")
            .contains("href=\"https://acme.github.io/shop/shop/index.html\"")
    );
}
