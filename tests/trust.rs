//! Bad input ends in a clear error at the right place, never in a crash:
//! template loops, data paths that leave `data/`, stacked files that do not
//! match, a filter that empties a source, settings at their key's line and
//! column, and rustc-style diagnostics. Exports neutralise formulas.

mod common;

use common::{Fixture, default_template, snapshot};

/// Build `f`, expecting a clean failure that leaves the last `public/` alone.
fn fails(f: &Fixture) -> String {
    let before = snapshot(&f.path("public"));
    let run = f.run("build");
    assert!(!run.ok, "the build should fail");
    assert!(run.code.is_some(), "killed by a signal: {}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(run.stderr.contains("= hint:"), "{}", run.stderr);
    assert_eq!(snapshot(&f.path("public")), before, "public/ changed");
    run.stderr
}

fn built() -> Fixture {
    let f = Fixture::new("tiny");
    f.build();
    f
}

#[test]
fn a_template_that_includes_itself_is_an_error_not_a_stack_overflow() {
    let f = built();
    let footer = default_template("partials/footer.html");
    f.write(
        "templates/partials/footer.html",
        &format!("{footer}\n{{% include \"partials/footer.html\" %}}\n"),
    );
    let err = fails(&f);
    assert!(
        err.contains("template loop: partials/footer.html includes partials/footer.html"),
        "{err}"
    );
    assert!(err.contains("templates/partials/footer.html:"), "{err}");
}

#[test]
fn templates_including_each_other_and_circular_extends_name_the_files() {
    let f = built();
    f.write(
        "templates/partials/a.html",
        "{% include \"partials/b.html\" %}",
    );
    f.write(
        "templates/partials/b.html",
        "{% include \"partials/a.html\" %}",
    );
    let err = fails(&f);
    assert!(
        err.contains("partials/a.html includes partials/b.html, which includes partials/a.html"),
        "{err}"
    );
    let f = built();
    let page = default_template("page.html");
    f.write("templates/base.html", "{% extends \"page.html\" %}");
    f.write("templates/page.html", page);
    let err = fails(&f);
    assert!(
        err.contains("base.html extends page.html, which extends base.html"),
        "{err}"
    );
}

#[test]
fn a_recursive_macro_in_a_page_is_refused_at_its_line() {
    let f = built();
    f.edit(
        "content/shop/findings.md",
        "## Categories",
        "{% macro down(n) %}{{ self::down(n=n) }}{% endmacro down %}\n\n## Categories",
    );
    let line = f.line_of("content/shop/findings.md", "macro down");
    let err = fails(&f);
    assert!(err.contains("macro `down` calls itself"), "{err}");
    assert!(
        err.contains(&format!("content/shop/findings.md:{line}")),
        "{err}"
    );
}

#[test]
fn deeply_nested_tags_end_in_an_error_or_a_page_never_an_abort() {
    let f = built();
    let n = 5000;
    let deep = format!("{}x{}", "{% if true %}".repeat(n), "{% endif %}".repeat(n));
    f.edit("content/shop/findings.md", "## Categories", &deep);
    let run = f.run("build");
    // Either outcome is fine; a crash (signal, no exit code) is not.
    assert!(run.code.is_some(), "killed by a signal: {}", run.stderr);
    assert!(!run.stderr.contains("overflow"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn data_paths_stay_inside_the_data_folder() {
    for (path, why) in [
        ("../outside.csv", "leaves the data folder with `..`"),
        ("/etc/passwd", "is an absolute path"),
        (
            "link.csv",
            "leads outside the data folder through a symbolic link",
        ),
    ] {
        let f = built();
        f.write("outside.csv", "a,b\n1,2\n");
        std::os::unix::fs::symlink(f.path("outside.csv"), f.path("data/link.csv")).unwrap();
        f.edit(
            "content/shop/_index.md",
            "path = \"sales.csv\"",
            &format!("path = \"{path}\""),
        );
        let line = f.line_of("content/shop/_index.md", "path = ");
        let err = fails(&f);
        assert!(err.contains(why), "{path}: {err}");
        assert!(
            err.contains(&format!("content/shop/_index.md:{line}:1")),
            "{path}: {err}"
        );
    }
}

#[test]
fn stacked_files_with_different_columns_are_an_error_naming_both() {
    let f = built();
    let sales = f.read("data/sales.csv");
    std::fs::remove_file(f.path("data/sales.csv")).unwrap();
    f.write("data/sales_1.csv", &sales);
    let mut lines = sales.lines();
    let header = lines.next().unwrap().replace(",B2B", ",Channel");
    let rest: Vec<&str> = lines.collect();
    f.write(
        "data/sales_2.csv",
        &format!("{header}\n{}\n", rest.join("\n")),
    );
    f.edit(
        "content/shop/_index.md",
        "path = \"sales.csv\"",
        "path = \"sales_*.csv\"",
    );
    let err = fails(&f);
    assert!(
        err.contains("stacked files have different columns"),
        "{err}"
    );
    assert!(err.contains("sales_2.csv does not match"), "{err}");
    assert!(err.contains("sales_1.csv"), "{err}");
    assert!(err.contains("it lacks `B2B`"), "{err}");
    assert!(err.contains("it has `Channel` in addition"), "{err}");
}

#[test]
fn a_filter_that_empties_the_source_is_named() {
    let f = built();
    f.edit(
        "content/shop/_index.md",
        "filters = [\"Status <> 'Cancelled'\"]",
        "filters = [\"Status = 'shipped'\"]",
    );
    let err = fails(&f);
    assert!(
        err.contains("source `sales` has no rows left: its filter `Status = 'shipped'` removed all 8 rows read from"),
        "{err}"
    );
    assert!(err.contains("sales.csv"), "{err}");
    assert!(err.contains("check the filter's values"), "{err}");
}

#[test]
fn a_data_file_error_keeps_the_data_file_and_no_front_matter_line() {
    let f = built();
    f.write("data/sales.csv", "");
    let err = fails(&f);
    let data = f.path("data/sales.csv");
    let at = err
        .find(&data.display().to_string())
        .expect("names the data file");
    // Not `sales.csv:7` (the line of `path =` in the front matter).
    assert!(
        !err[at..].starts_with(&format!("{}:", data.display())),
        "{err}"
    );
}

#[test]
fn a_setting_error_points_at_the_key_with_a_caret() {
    let f = built();
    f.edit(
        "content/shop/_index.md",
        "amount = \"Amount\"",
        "amount = \"Amont\"",
    );
    let line = f.line_of("content/shop/_index.md", "amount = \"Amont\"");
    let err = fails(&f);
    assert!(
        err.contains(&format!(
            "--> {}:{line}:1",
            f.path("content/shop/_index.md").display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("{line} | amount = \"Amont\"")),
        "{err}"
    );
    assert!(err.contains("  | ^"), "{err}");
}

#[test]
fn a_syntax_error_in_a_page_gives_its_line_column_and_expectation() {
    let f = built();
    f.edit(
        "content/shop/findings.md",
        "The top category is",
        "Broken {{ x ) }} here.\n\nThe top category is",
    );
    let line = f.line_of("content/shop/findings.md", "Broken {{");
    let err = fails(&f);
    assert!(err.contains("template syntax error: expected"), "{err}");
    assert!(err.contains(&format!("findings.md:{line}:")), "{err}");
    assert!(err.contains("{% raw %}"), "{err}");
    assert!(!err.contains("results are named after"), "{err}");
}

#[test]
fn an_unknown_filter_is_found_in_its_tag_not_in_the_prose() {
    let f = built();
    f.edit(
        "content/shop/findings.md",
        "The top category is {{ by_category[0].Category }}.",
        "The top category is {{ by_category[0].Category | shout }}.",
    );
    let line = f.line_of("content/shop/findings.md", "| shout");
    let err = fails(&f);
    assert!(err.contains("unknown filter `shout`"), "{err}");
    assert!(err.contains(&format!("findings.md:{line}:")), "{err}");
    assert!(err.contains("money"), "the hint lists the filters: {err}");
}

#[test]
fn exported_text_that_looks_like_a_formula_is_neutralised() {
    let f = Fixture::new("tiny");
    let csv = f
        .read("data/sales.csv")
        .replace(",Set,", ",=HYPERLINK(\"http://x\"),");
    f.write("data/sales.csv", &csv);
    f.edit(
        "content/shop/findings.md",
        "The top category",
        "{{ table(name=\"by_category\") }}\n\nThe top category",
    );
    f.build();
    let out = f.read("public/shop/results/by_category.csv");
    assert!(out.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{out}");
    assert!(!out.contains("\n=") && !out.contains(",="), "{out}");
}
