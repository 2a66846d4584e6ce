//! `wawasan serve` end to end: the real binary on a copy of a portal, spoken
//! to over plain TCP (helpers in `common::server`). Every wait is bounded,
//! and the server is killed when a test ends.

mod common;

use common::server::Server;
use common::{Fixture, copy_dir};
use std::path::Path;
use std::time::{Duration, Instant};

#[test]
fn serves_the_site_with_the_reload_script_and_reloads_after_an_edit() {
    let f = Fixture::new("tiny");
    let server = Server::start(f.root(), &["--port", "0"]);

    let home = server.get("/");
    assert_eq!(home.status, 200, "{}", home.headers);
    assert!(
        home.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(home.body.contains("/__wawasan/events"), "{}", home.body);
    assert!(home.body.find("data-wawasan-live-reload") < home.body.rfind("</body>"));
    assert!(!f.read("public/index.html").contains("__wawasan"));

    let page = server.get("/shop/findings.html");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("The top category is"), "{}", page.body);
    assert_eq!(server.get("/shop/").status, 200);
    let bare = server.get("/shop");
    assert_eq!(bare.status, 302);
    assert_eq!(bare.header("location").as_deref(), Some("/shop/"));
    let css_path = stylesheet(&home.body);
    let css = server.get(&css_path);
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    assert!(!css.body.contains("__wawasan"));
    let missing = server.get("/nope.html");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("/__wawasan/events"));

    let mut events = server.events();
    events.wait_for("ready", &server);
    f.edit(
        "content/shop/findings.md",
        "The top category is",
        "The leading category is",
    );
    events.wait_for("reload", &server);
    let page = server.get("/shop/findings.html");
    assert!(
        page.body.contains("The leading category is"),
        "{}",
        page.body
    );
    assert!(!f.read("public/shop/findings.html").contains("__wawasan"));
    server.wait_log("Changed: content shop/findings.md");
}

#[test]
fn a_broken_edit_shows_the_error_and_keeps_the_last_good_page() {
    let f = Fixture::new("tiny");
    let server = Server::start(f.root(), &["--port", "0"]);
    let mut events = server.events();
    events.wait_for("ready", &server);

    let rel = "content/shop/findings.md";
    f.edit(
        rel,
        "{{ by_category[0].Category }}",
        "{{ by_categry[0].Category }}",
    );
    let line = f.line_of(rel, "by_categry");
    let error = events.wait_for("build-error", &server);
    assert!(error.contains("findings.md"), "{error}");
    assert!(error.contains(&format!("\"line\":{line}")), "{error}");
    assert!(error.contains("by_categry"), "{error}");
    server.wait_log(&format!("findings.md:{line}:"));

    let page = server.get("/shop/findings.html");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("The top category is"), "{}", page.body);
    // A browser that connects while the site is broken sees the error at once.
    let mut late = server.events();
    assert!(
        late.wait_for("build-error", &server)
            .contains("findings.md")
    );

    f.edit(
        rel,
        "{{ by_categry[0].Category }}",
        "{{ by_category[0].Category }} indeed",
    );
    events.wait_for("reload", &server);
    late.wait_for("reload", &server);
    let page = server.get("/shop/findings.html");
    assert!(page.body.contains("indeed"), "{}", page.body);
}

#[test]
fn requests_outside_the_site_are_refused() {
    let f = Fixture::new("tiny");
    f.write("secret.txt", "TOP-SECRET-BYTES");
    let server = Server::start(f.root(), &["--port", "0"]);

    for target in ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt"] {
        let reply = server.get(target);
        assert_eq!(reply.status, 403, "{target}");
        assert!(!reply.body.contains("TOP-SECRET"), "{target}");
    }
    for target in [
        "/../Cargo.toml",
        "/%2e%2e/x",
        "/..%2fx",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/shop/../../secret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "/secret.txt%00.html",
        "//secret.txt",
    ] {
        let reply = server.get(target);
        assert!(
            [400, 403, 404].contains(&reply.status),
            "{target}: {}",
            reply.status
        );
        assert!(!reply.body.contains("TOP-SECRET"), "{target}");
        assert!(!reply.body.contains("[package]"), "{target}");
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(f.path("secret.txt"), f.path("public/leak.txt")).unwrap();
        let reply = server.get("/leak.txt");
        assert_eq!(reply.status, 403);
        assert!(!reply.body.contains("TOP-SECRET"));
    }
}

#[test]
fn a_deleted_page_disappears() {
    let f = Fixture::new("tiny");
    let server = Server::start(f.root(), &["--port", "0"]);
    assert_eq!(server.get("/shop/findings.html").status, 200);
    let mut events = server.events();
    events.wait_for("ready", &server);
    std::fs::remove_file(f.path("content/shop/findings.md")).unwrap();
    events.wait_for("reload", &server);
    assert_eq!(server.get("/shop/findings.html").status, 404);
    assert!(!f.path("public/shop/findings.html").exists());
    assert_eq!(server.get("/shop/").status, 200);
}

#[test]
fn polling_sees_edits_too() {
    let f = Fixture::new("tiny");
    let server = Server::start(f.root(), &["--port", "0", "--poll"]);
    let mut events = server.events();
    events.wait_for("ready", &server);
    f.edit("content/_index.md", "A fixture portal.", "A polled portal.");
    events.wait_for("reload", &server);
    assert!(server.get("/").body.contains("A polled portal."));
    server.wait_log("Changed: settings _index.md");
}

#[test]
fn rebuilds_redo_only_what_changed_and_match_a_full_build() {
    let f = Fixture::new("tiny");
    f.write("templates/.gitkeep", "");
    let server = Server::start(f.root(), &["--port", "0"]);
    let mut events = server.events();
    events.wait_for("ready", &server);

    f.edit(
        "content/shop/findings.md",
        "The top category is",
        "The leading category is",
    );
    events.wait_for("reload", &server);
    // The page and the search index, which holds its text.
    server.wait_log_line(
        "Rebuilt",
        "ran 0 of 1 analyses, rendered 1 pages, wrote 2 files.",
    );

    // O7 (Top, qty 2) becomes qty 9: Top leads, the findings page changes.
    f.edit(
        "data/sales.csv",
        "O7,04-04-22,Shipped,Top,S,2,",
        "O7,04-04-22,Shipped,Top,S,9,",
    );
    events.wait_for("reload", &server);
    server.wait_log_line("Rebuilt", "ran 1 of 1 analyses");
    assert!(
        server
            .get("/shop/findings.html")
            .body
            .contains("The leading category is Top.")
    );

    let page = common::default_template("page.html");
    f.write(
        "templates/page.html",
        &page.replacen("<h1>{{ page.title }}</h1>", "<h1>{{ page.title }}!</h1>", 1),
    );
    events.wait_for("reload", &server);
    server.wait_log_line("Rebuilt", "ran 0 of 1 analyses, rendered 2 pages");

    let fresh = tempfile::tempdir().unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_wawasan"))
        .args(["build", "--no-cache", "--root"])
        .arg(f.root())
        .arg("--output")
        .arg(fresh.path())
        .output()
        .unwrap();
    assert!(run.status.success());
    let served = common::snapshot(&f.path("public"));
    let full = common::snapshot(fresh.path());
    assert_eq!(served.len(), full.len());
    for ((path, a), (other, b)) in served.iter().zip(&full) {
        assert_eq!(path, other);
        assert!(a == b, "{} differs from a full build", path.display());
    }
}

#[test]
fn a_templates_folder_created_while_serving_is_watched() {
    let f = Fixture::new("tiny");
    assert!(!f.path("templates").exists());
    let server = Server::start(f.root(), &["--port", "0"]);
    let mut events = server.events();
    events.wait_for("ready", &server);
    let page = common::default_template("page.html");
    let with_title = |title: &str| page.replacen("{{ page.title }}</h1>", title, 1);
    f.write(
        "templates/page.html",
        &with_title("{{ page.title }} (1)</h1>"),
    );
    events.wait_for("reload", &server);
    server.wait_log("Watching ");
    let wait_for_page = |needle: &str| {
        let deadline = Instant::now() + common::server::WAIT;
        while !server.get("/shop/findings.html").body.contains(needle) {
            assert!(
                Instant::now() < deadline,
                "no `{needle}`:\n{}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    wait_for_page("Findings (1)</h1>");
    // A later edit inside the new folder is seen: it is watched now.
    f.write(
        "templates/page.html",
        &with_title("{{ page.title }} (2)</h1>"),
    );
    events.wait_for("reload", &server);
    wait_for_page("Findings (2)</h1>");
}

#[test]
fn a_save_that_changes_nothing_does_not_reload() {
    let f = Fixture::new("tiny");
    let server = Server::start(f.root(), &["--port", "0"]);
    let mut events = server.events();
    assert_eq!(events.wait_for("ready", &server), "1");
    let text = f.read("content/shop/findings.md");
    f.write("content/shop/findings.md", &text);
    server.wait_log("Rebuilt in");
    server.wait_log("the site did not change.");
    f.edit("content/shop/findings.md", "The top category is", "Now:");
    assert_eq!(events.wait_for("reload", &server), "2");
    let page = server.get("/shop/findings.html").body;
    assert!(page.contains("Now: Set."), "{page}");
    assert!(page.contains("const version = 2;"), "no reload in between");
}

/// Edit → page rewritten → reload event latency on the example portal in the
/// repository root: `cargo test --release --test serve -- --ignored
/// --nocapture latency`. `WAWASAN_LATENCY_DATA=DIR` reads the data from DIR
/// instead (e.g. data generated at a million lines).
#[test]
#[ignore]
fn measure_reload_latency_on_the_example_portal() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["content", "templates"] {
        copy_dir(&repo.join(dir), &tmp.path().join(dir));
    }
    match std::env::var_os("WAWASAN_LATENCY_DATA") {
        Some(data) => std::os::unix::fs::symlink(data, tmp.path().join("data")).unwrap(),
        None => copy_dir(&repo.join("data"), &tmp.path().join("data")),
    }
    let server = Server::start(tmp.path(), &["--port", "0"]);
    let mut events = server.events();
    events.wait_for("ready", &server);
    let page = tmp.path().join("content/amazon-b2b/temuan.md");
    let original = std::fs::read_to_string(&page).unwrap();
    let mut times = Vec::new();
    for i in 0..20 {
        let started = Instant::now();
        std::fs::write(&page, format!("{original}\n\nLatency probe {i}.\n")).unwrap();
        events.wait_for("reload", &server);
        times.push(started.elapsed());
        let served = server.get("/amazon-b2b/temuan.html");
        assert!(served.body.contains(&format!("Latency probe {i}.")));
        std::thread::sleep(Duration::from_millis(300));
    }
    times.sort();
    let rebuilds: Vec<u64> = server
        .log()
        .lines()
        .filter_map(|l| {
            l.strip_prefix("Rebuilt in ")?
                .split(' ')
                .next()?
                .parse()
                .ok()
        })
        .collect();
    let mut sorted = rebuilds;
    sorted.sort();
    println!(
        "edit -> reload event: median {:?}, min {:?}, max {:?} over {} edits; \
         rebuild alone: median {} ms",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        times.len(),
        sorted.get(sorted.len() / 2).copied().unwrap_or(0)
    );
}

/// 100 rapid saves, a third of them broken (a template syntax error, bad
/// front matter), while pages are requested all along: the server never
/// fails a request or stops, and the output it ends with is the clean
/// build of the final files, byte for byte.
#[test]
fn survives_rapid_saves_half_broken_and_ends_like_a_clean_build() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    let f = Fixture::new("tiny");
    let server = Server::start(f.root(), &["--port", "0"]);
    let mut events = server.events();
    events.wait_for("ready", &server);
    // The saves touch no static file, so the stylesheet keeps its name.
    let css = stylesheet(&server.get("/").body);

    let stop = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicUsize::new(0));
    let reader = {
        let (stop, served) = (stop.clone(), served.clone());
        let address = server.address.clone();
        let css = css.clone();
        std::thread::spawn(move || {
            let mut failures = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                for target in ["/", "/shop/", "/shop/findings.html", css.as_str()] {
                    let reply = common::server::get(&address, target);
                    if reply.status != 200 {
                        failures.push(format!("{target}: {}", reply.status));
                    }
                    served.fetch_add(1, Ordering::Relaxed);
                }
            }
            failures
        })
    };

    let page = "content/shop/findings.md";
    let index = "content/shop/_index.md";
    let good_page = f.read(page);
    let good_index = f.read(index);
    let mut rng = 0x2545_f491_u64;
    for i in 0..100 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        match i % 3 {
            0 if i % 2 == 0 => f.write(page, &format!("{good_page}\nBroken {{{{ x ) }}}} {i}\n")),
            0 => f.write(index, &good_index.replace("title = ", "title = = ")),
            _ => {
                f.write(index, &good_index);
                f.write(page, &format!("{good_page}\nVersion {i}.\n"))
            }
        };
        std::thread::sleep(Duration::from_millis(rng % 40));
    }
    f.write(index, &good_index);
    f.write(page, &format!("{good_page}\nFinal version.\n"));

    // The final files' clean build, to compare with.
    let clean = Fixture::new("tiny");
    clean.write(page, &f.read(page));
    clean.build();
    let expected = common::snapshot(&clean.path("public"));
    let deadline = Instant::now() + common::server::WAIT;
    loop {
        let page = server.get("/shop/findings.html").body;
        if page.contains("Final version.") && common::snapshot(&f.path("public")) == expected {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the served output never matched a clean build; log:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    stop.store(true, Ordering::Relaxed);
    let failures = reader.join().expect("the reader thread");
    assert!(failures.is_empty(), "failed requests: {failures:?}");
    assert!(
        served.load(Ordering::Relaxed) > 20,
        "requests ran meanwhile"
    );
    let log = server.log();
    assert!(!log.contains("panicked"), "{log}");
    assert!(
        log.contains("template syntax error"),
        "broken saves were seen: {log}"
    );
}

/// The absolute URL path of the stylesheet a page at the site root links to
/// (its name carries a content hash).
fn stylesheet(html: &str) -> String {
    let html = html.replace("&#x2F;", "/");
    let start = html
        .find("assets/style.")
        .unwrap_or_else(|| panic!("no stylesheet in {html}"));
    let end = start + html[start..].find('"').expect("a closing quote");
    format!("/{}", &html[start..end])
}
