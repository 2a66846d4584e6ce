//! Repeated builds with a session (what `serve` does): each rebuild re-runs
//! only the analyses whose inputs changed, re-renders only the pages whose
//! inputs changed, writes only the files that changed — and its output is
//! byte for byte what a fresh full build writes.

mod common;

use common::{Fixture, copy_dir, snapshot};
use std::path::Path;
use wawasan::config::Paths;
use wawasan::site::{BuildOptions, BuildSummary, Session, build};

/// The tiny fixture with a second report, `shop2`, reading its own copy of
/// the data (`sales2.csv`).
fn two_reports() -> Fixture {
    let f = Fixture::new("tiny");
    copy_dir(&f.path("content/shop"), &f.path("content/shop2"));
    std::fs::copy(f.path("data/sales.csv"), f.path("data/sales2.csv")).unwrap();
    f.edit(
        "content/shop2/_index.md",
        "title = \"Shop\"",
        "title = \"Shop Two\"",
    );
    f.edit("content/shop2/_index.md", "\"sales.csv\"", "\"sales2.csv\"");
    f
}

/// Builds of one fixture that share a session, as `serve` does.
struct Serving<'a> {
    fixture: &'a Fixture,
    options: BuildOptions,
}

impl<'a> Serving<'a> {
    fn start(fixture: &'a Fixture) -> Serving<'a> {
        let options = BuildOptions {
            paths: Paths::under(fixture.root()),
            base_url: None,
            cache_dir: None,
            progress: Default::default(),
            session: Some(Session::default()),
            single_file: false,
            refresh: false,
        };
        let serving = Serving { fixture, options };
        let first = serving.rebuild();
        assert_eq!(first.analyses_run, first.analyses);
        assert_eq!(first.pages_rendered, first.pages);
        serving
    }

    fn rebuild(&self) -> BuildSummary {
        build(&self.options).unwrap_or_else(|e| panic!("build failed: {e}"))
    }

    /// The output equals what a fresh build without cache or session writes.
    fn assert_same_as_a_full_build(&self) {
        let fresh = tempfile::tempdir().unwrap();
        let options = BuildOptions {
            paths: Paths {
                output: fresh.path().join("public"),
                ..Paths::under(self.fixture.root())
            },
            base_url: None,
            cache_dir: None,
            progress: Default::default(),
            session: None,
            single_file: false,
            refresh: false,
        };
        build(&options).unwrap();
        let ours = snapshot(&self.fixture.path("public"));
        let theirs = snapshot(&fresh.path().join("public"));
        let names = |s: &[(std::path::PathBuf, Vec<u8>)]| -> Vec<String> {
            s.iter().map(|(p, _)| p.display().to_string()).collect()
        };
        assert_eq!(names(&ours), names(&theirs), "the same files");
        for ((path, a), (_, b)) in ours.iter().zip(&theirs) {
            assert!(a == b, "{} differs from a full build", path.display());
        }
    }
}

#[cfg(unix)]
fn inode(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).unwrap().ino()
}

#[test]
fn a_narrative_edit_re_renders_only_that_page() {
    let f = two_reports();
    let serving = Serving::start(&f);
    #[cfg(unix)]
    let untouched: Vec<(&str, u64)> = ["shop2/findings.html", "shop2/index.html", "index.html"]
        .into_iter()
        .map(|p| (p, inode(&f.path("public").join(p))))
        .collect();

    f.edit(
        "content/shop/findings.md",
        "The top category is",
        "The leading category is",
    );
    let s = serving.rebuild();
    assert_eq!(s.analyses_run, 0, "{s:?}");
    assert_eq!(s.cached_reports, 2);
    assert_eq!(s.pages_rendered, 1, "{s:?}");
    // The page and the search index, which holds its text.
    assert_eq!((s.files_written, s.files_removed), (2, 0), "{s:?}");
    assert!(
        f.read("public/shop/findings.html")
            .contains("The leading category is Set.")
    );
    assert!(
        f.read("public/assets/search-index.js")
            .contains("The leading category is Set.")
    );
    #[cfg(unix)]
    for (page, ino) in untouched {
        assert_eq!(
            inode(&f.path("public").join(page)),
            ino,
            "{page} was rewritten"
        );
    }
    serving.assert_same_as_a_full_build();

    // Saving again without a change changes nothing.
    let again = serving.rebuild();
    assert_eq!((again.pages_rendered, again.files_written), (0, 0));
    assert!(!again.changed_output());
}

#[test]
fn a_data_edit_re_runs_only_the_analyses_of_the_reports_reading_it() {
    let f = two_reports();
    let serving = Serving::start(&f);
    let before = f.read("public/shop/results/by_category.csv");
    // O7 (Top, qty 2) becomes qty 9 in shop2's data only.
    f.edit(
        "data/sales2.csv",
        "O7,04-04-22,Shipped,Top,S,2,",
        "O7,04-04-22,Shipped,Top,S,9,",
    );
    let s = serving.rebuild();
    assert_eq!(s.analyses, 2);
    assert_eq!(s.analyses_run, 1, "only shop2's analysis: {s:?}");
    assert_eq!(s.cached_reports, 1);
    assert!(
        f.read("public/shop2/results/by_category.csv")
            .contains("Top,9")
    );
    assert_eq!(f.read("public/shop/results/by_category.csv"), before);
    serving.assert_same_as_a_full_build();
}

#[test]
fn a_template_edit_re_renders_every_page_without_running_analyses() {
    let f = two_reports();
    let serving = Serving::start(&f);
    let page = common::default_template("page.html");
    f.write(
        "templates/page.html",
        &page.replacen(
            "<h1>{{ page.title }}</h1>",
            "<h1>{{ page.title }} (edited theme)</h1>",
            1,
        ),
    );
    let s = serving.rebuild();
    assert_eq!(s.analyses_run, 0, "{s:?}");
    assert_eq!(s.pages_rendered, s.pages, "{s:?}");
    assert!(f.read("public/shop2/index.html").contains("edited theme"));
    assert!(!f.read("public/index.html").contains("edited theme"));
    serving.assert_same_as_a_full_build();
}

#[test]
fn settings_edits_re_render_what_shows_them() {
    let f = two_reports();
    let serving = Serving::start(&f);
    // The intro shows on the index page only.
    f.edit("content/_index.md", "A fixture portal.", "A changed intro.");
    let s = serving.rebuild();
    assert_eq!((s.analyses_run, s.pages_rendered), (0, 0), "{s:?}");
    // The index page and the search index, which holds the intro.
    assert_eq!(s.files_written, 2, "{s:?}");
    assert!(f.read("public/index.html").contains("A changed intro."));
    assert!(
        f.read("public/assets/search-index.js")
            .contains("A changed intro.")
    );
    // A report's title is in every page's navigation. (It is in the front
    // matter, which is part of the results' key: that report's analyses
    // run again, the other's do not.)
    f.edit("content/shop2/_index.md", "Shop Two", "Second Shop");
    let s = serving.rebuild();
    assert_eq!(s.analyses_run, 1, "{s:?}");
    assert_eq!(s.pages_rendered, s.pages, "{s:?}");
    assert!(f.read("public/shop/findings.html").contains("Second Shop"));
    serving.assert_same_as_a_full_build();
}

#[test]
fn deleted_pages_and_reports_disappear() {
    let f = two_reports();
    let serving = Serving::start(&f);
    std::fs::rename(
        f.path("content/shop/findings.md"),
        f.path("content/shop/results-page.md"),
    )
    .unwrap();
    let s = serving.rebuild();
    assert!(s.files_removed >= 1, "{s:?}");
    assert!(!f.path("public/shop/findings.html").exists());
    assert!(f.path("public/shop/results-page.html").is_file());
    serving.assert_same_as_a_full_build();

    std::fs::remove_dir_all(f.path("content/shop2")).unwrap();
    serving.rebuild();
    assert!(!f.path("public/shop2").exists());
    serving.assert_same_as_a_full_build();
}

#[test]
fn a_failed_rebuild_keeps_the_site_and_the_next_good_one_catches_up() {
    let f = two_reports();
    let serving = Serving::start(&f);
    let good = snapshot(&f.path("public"));
    f.edit(
        "content/shop/findings.md",
        "{{ by_category[0].Category }}",
        "{{ by_categry[0].Category }}",
    );
    assert!(build(&serving.options).is_err());
    assert!(
        snapshot(&f.path("public")) == good,
        "the last good site stays"
    );
    f.edit(
        "content/shop/findings.md",
        "{{ by_categry[0].Category }}",
        "{{ by_category[0].Category }}!",
    );
    let s = serving.rebuild();
    assert_eq!(s.pages_rendered, 1, "{s:?}");
    assert!(f.read("public/shop/findings.html").contains("Set!"));
    serving.assert_same_as_a_full_build();
}
