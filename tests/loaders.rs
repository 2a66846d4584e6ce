//! Data loaders end to end: a source produced by `python3 loaders/….py` in
//! the fixture portal tests/fixtures/loaders, built in process and by the
//! real binary — run once per process, kept for `max_age`, run again when
//! the script changes or with `--refresh`, its stderr shown when it fails —
//! and the README's paged-API loader resuming from its checkpoint against a
//! local test server.

mod common;

use common::Fixture;
use common::server::{Server, WAIT};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use wawasan::config::Paths;
use wawasan::site::{BuildOptions, build};

/// The fixture's order lines, as tests/fixtures/loaders/loaders/sales.py
/// prints them: $1,200 + $300 + $45, the `Test` line ($1,000) filtered out.
const TOTAL: &str = "Total sales: 1,545 over 3 lines.";

fn options(f: &Fixture) -> BuildOptions {
    BuildOptions {
        paths: Paths::under(f.root()),
        base_url: None,
        cache_dir: Some(f.path(".wawasan-cache")),
        progress: Default::default(),
        session: None,
        single_file: false,
        refresh: false,
    }
}

/// How many times the fixture's sales loader ran (it appends to runs.txt).
fn runs(f: &Fixture) -> usize {
    std::fs::read_to_string(f.path("runs.txt"))
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

fn page(f: &Fixture) -> String {
    f.read("public/sales/index.html")
}

#[test]
fn a_loader_runs_once_per_process_and_again_when_its_script_changes() {
    let f = Fixture::new("loaders");
    let options = options(&f);
    build(&options).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(runs(&f), 1);
    assert!(page(&f).contains(TOTAL), "{}", page(&f));
    // The data is cleaned as usual: money parsed, the filter applied, and
    // the fetched copy kept in the fetch cache.
    let first = fetched_copies(&f);
    assert_eq!(first.len(), 2, "{first:?}");
    assert!(first[0].ends_with(".data.csv") && first[1].ends_with(".json"));

    build(&options).unwrap();
    assert_eq!(runs(&f), 1, "a second build of the process reuses the copy");

    f.edit("loaders/sales.py", "\"$45\"", "\"$55\"");
    let summary = build(&options).unwrap();
    assert_eq!(runs(&f), 2, "an edited script runs again");
    assert!(
        page(&f).contains("Total sales: 1,555 over 3 lines."),
        "{}",
        page(&f)
    );
    // The old script's copy is of no use any more: it is gone, and said so.
    let second = fetched_copies(&f);
    assert_eq!(second.len(), 2, "{second:?}");
    assert!(
        second.iter().all(|n| !first.contains(n)),
        "{first:?} {second:?}"
    );
    assert!(
        summary
            .fetched
            .iter()
            .any(|l| l.starts_with("fetch cache: 1 unused fetched copy removed (")),
        "{:?}",
        summary.fetched
    );
}

/// The fetch cache's file names, sorted.
fn fetched_copies(f: &Fixture) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(f.path(".wawasan-cache/sources"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn max_age_keeps_the_copy_between_builds_until_refresh_or_removed() {
    let f = Fixture::new("loaders");
    f.build();
    assert_eq!(runs(&f), 1);
    // Another process, within `max_age = "1h"`: the copy is fresh enough.
    let again = f.run("build");
    assert!(again.ok, "{}", again.stderr);
    assert_eq!(runs(&f), 1, "{}", again.stderr);
    assert!(
        again.stderr.contains("from the fetch cache"),
        "{}",
        again.stderr
    );
    // The process that reused the copy leased it (pruning spares a copy
    // that a running process uses).
    let json = fetched_copies(&f)
        .into_iter()
        .find(|n| n.ends_with(".json"))
        .unwrap();
    let meta: serde_json::Value =
        serde_json::from_str(&f.read(&format!(".wawasan-cache/sources/{json}"))).unwrap();
    let (by, used) = (meta["fetched_by"].as_str(), meta["used_by"].as_str());
    assert!(
        used.is_some_and(|u| !u.is_empty() && Some(u) != by),
        "{meta}"
    );
    let refreshed = f.run_with("build", &["--refresh"]);
    assert!(refreshed.ok, "{}", refreshed.stderr);
    assert_eq!(runs(&f), 2, "{}", refreshed.stderr);
    assert!(page(&f).contains(TOTAL));
    // Without `max_age`, every build runs it.
    f.edit("content/sales/_index.md", "max_age = \"1h\"\n", "");
    f.build();
    assert_eq!(runs(&f), 3);
    assert!(page(&f).contains(TOTAL));
}

#[test]
fn a_failing_loader_fails_the_build_with_its_stderr_and_keeps_the_site() {
    let f = Fixture::new("loaders");
    f.build();
    let good = page(&f);
    f.write(
        "loaders/sales.py",
        "import sys\nprint('order_id,amount')\nprint('API said 401: token expired', file=sys.stderr)\nsys.exit(4)\n",
    );
    let run = f.run("build");
    assert!(!run.ok);
    let err = &run.stderr;
    assert!(
        err.contains("the loader of source `sales` failed: `python3 loaders/sales.py` ended with exit status: 4"),
        "{err}"
    );
    assert!(err.contains("API said 401: token expired"), "{err}");
    let line = f.line_of("content/sales/_index.md", "command =");
    assert!(
        err.contains(&format!("content/sales/_index.md:{line}")),
        "points at `command`: {err}"
    );
    assert!(err.contains("&& python3 loaders/sales.py`"), "{err}");
    assert_eq!(page(&f), good, "the last good site stays");
}

#[test]
fn serve_runs_a_loader_again_when_its_script_changes_not_on_a_narrative_edit() {
    let f = Fixture::new("loaders");
    let server = Server::start(f.root(), &["--port", "0"]);
    let mut events = server.events();
    events.wait_for("ready", &server);
    server.wait_log("Watching ");
    assert!(server.log().contains("loaders"), "{}", server.log());
    let wait_for_page = |needle: &str| {
        let deadline = Instant::now() + WAIT;
        while !server.get("/sales/").body.contains(needle) {
            assert!(
                Instant::now() < deadline,
                "no `{needle}`:\n{}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    wait_for_page(TOTAL);
    assert_eq!(runs(&f), 1);

    f.edit("loaders/sales.py", "\"$45\"", "\"$55\"");
    server.wait_log("Changed: loader sales.py");
    wait_for_page("Total sales: 1,555 over 3 lines.");
    assert_eq!(runs(&f), 2, "{}", server.log());

    f.edit("content/sales/_index.md", "Total sales:", "Sales in all:");
    wait_for_page("Sales in all: 1,555 over 3 lines.");
    assert_eq!(runs(&f), 2, "a narrative edit runs no loader");
}

/// The test API server (tests/fixtures/loaders/api_server.py), stopped when
/// dropped.
struct Api {
    child: Child,
    port: u16,
}

impl Api {
    fn start(log: &Path, fail_page: u32, fail_times: u32) -> Api {
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/loaders/api_server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(log)
            .arg(fail_page.to_string())
            .arg(fail_times.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the test API server");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let port = first.trim().parse().unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("the test API server printed {first:?}, not its port")
        });
        Api { child, port }
    }
}

impl Drop for Api {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `wawasan build` of `f` with the invoices loader's settings for `api`.
fn build_invoices(f: &Fixture, api: &Api) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wawasan"))
        .args(["build", "--root"])
        .arg(f.root())
        .env(
            "INVOICES_API_URL",
            format!("http://127.0.0.1:{}/api/sales-invoice/list.do", api.port),
        )
        .env("INVOICES_API_TOKEN", "secret-token")
        .env("INVOICES_PAGE_SIZE", "3")
        .env("INVOICES_RETRIES", "0")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const INVOICES_REPORT: &str = r#"+++
title = "Invoices"

[[sources]]
name = "invoices"
command = ["python3", "loaders/invoices.py"]
max_age = "6h"
timeout = "2m"
dates = { transDate = "DD/MM/YYYY" }
+++

```sql totals
SELECT SUM(totalAmount) AS total, COUNT(*) AS invoices, COUNT(DISTINCT customer_name) AS customers, MAX(transDate) AS last FROM invoices
```

Invoiced {{ totals[0].total | num }} in {{ totals[0].invoices }} invoices to {{ totals[0].customers }} customers, the last on {{ totals[0].last | date }}.
"#;

/// Seven invoices in pages of three: the server refuses page 3 once, so
/// the first build fails after two pages; the second resumes at page 3.
/// Expected: 100 + 200 + ... + 700 = 2,800 over 7 invoices, customers
/// C0, C1, C2, the last dated 07/01/2024 (7 January).
#[test]
fn the_paged_api_loader_resumes_from_its_checkpoint() {
    let f = Fixture::new("loaders");
    std::fs::remove_dir_all(f.path("content/sales")).unwrap();
    f.write("content/invoices/_index.md", INVOICES_REPORT);
    let log = f.path("requests.log");
    let api = Api::start(&log, 3, 1);
    let requested = || std::fs::read_to_string(&log).unwrap_or_default();

    let (ok, stderr) = build_invoices(&f, &api);
    assert!(!ok, "page 3 failed once: {stderr}");
    assert!(
        stderr.contains("page 3 failed: HTTP 503 Service Unavailable; 2 pages saved, run again to resume from page 3"),
        "{stderr}"
    );
    assert_eq!(requested(), "1\n2\n3\n");
    assert!(f.path("loaders/.invoices.checkpoint.json").is_file());

    let (ok, stderr) = build_invoices(&f, &api);
    assert!(ok, "{stderr}");
    assert_eq!(requested(), "1\n2\n3\n3\n", "only page 3 again");
    let html = f.read("public/invoices/index.html");
    assert!(
        html.contains("Invoiced 2,800 in 7 invoices to 3 customers, the last on 7 January 2024."),
        "{html}"
    );
    assert!(!f.path("loaders/.invoices.checkpoint.json").exists());
    assert!(!f.path("loaders/.invoices.partial.ndjson").exists());
}
