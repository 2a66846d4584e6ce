//! Database sources against a real PostgreSQL server (`.ci/postgres start`
//! runs one and loads the sample datasets; CI always does): column types,
//! the fixture portal read from the database against the same reports read
//! from the files, credentials kept out of everything written, errors that
//! name the source, host and database, and the fetch cache.

mod common;

use common::{Fixture, pg};
use polars::prelude::{AnyValue, DataType, ParquetReader, SerReader, TimeUnit};
use std::path::{Path, PathBuf};
use wawasan::config::DatabaseSpec;
use wawasan::data::external::{self, FetchContext};
use wawasan::data::{SourceSpec, Wanted};

/// The password of the test role: nothing written may hold it.
const PASSWORD: &str = "wawasan-secret-pw";

fn repo_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// Run SQL as the test role.
fn execute(sql: &str) {
    let mut client = pg::client().expect("a server");
    client
        .batch_execute(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// A schema of this test process, so parallel tests do not meet.
fn scratch(name: &str) -> String {
    format!("t_{name}_{}", std::process::id())
}

/// Fetch the `wanted` columns of `spec` through the library into `dir`;
/// the Parquet copy, read back.
fn fetch(spec: &SourceSpec, dir: &Path, wanted: &Wanted) -> polars::prelude::DataFrame {
    let mut databases = std::collections::BTreeMap::new();
    databases.insert(
        "test".to_string(),
        DatabaseSpec {
            url: "${WAWASAN_TEST_DATABASE_URL}".into(),
        },
    );
    let index = dir.join("_index.md");
    let cx = FetchContext {
        root: dir,
        dir,
        databases: &databases,
        refresh: true,
        portal_index: &index,
        portal_text: "",
    };
    let planned = external::plan(spec, &cx, wanted)
        .unwrap()
        .expect("a database source");
    let outcome = external::fetch(spec, &planned, &cx).unwrap_or_else(|e| panic!("{e}"));
    let file = std::fs::File::open(&outcome.fetched.file).unwrap();
    ParquetReader::new(file).finish().unwrap()
}

fn source(toml_text: &str) -> SourceSpec {
    toml::from_str(toml_text).unwrap()
}

#[test]
fn column_types_map_to_polars_types_and_nulls_stay_null() {
    if pg::database_url().is_none() {
        return;
    }
    let schema = scratch("types");
    execute(&format!(
        r#"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};
        CREATE TABLE {schema}.t (
            i2 smallint, i4 integer, i8 bigint, n numeric, f4 real, f8 double precision,
            b boolean, d date, ts timestamp, tz timestamptz, j json, jb jsonb,
            t text, v varchar(20), "Mixed Case" text);
        INSERT INTO {schema}.t VALUES
            (1, 2, 9007199254740993, 12.345, 1.5, 0.1, true, '2024-03-01',
             '2024-03-01 10:00:00.25', '2024-03-01 10:00:00+07', '{{"a": [1, 2]}}', '{{"b": true}}',
             E'tab\there\nnew line \\ back', 'ünï', '<b>x</b>'),
            (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '', NULL);"#
    ));
    let dir = tempfile::tempdir().unwrap();
    let spec = source(&format!(
        "name = \"t\"\ndatabase = \"test\"\ntable = \"{schema}.t\""
    ));
    let frame = fetch(&spec, dir.path(), &Wanted::All);
    execute(&format!("DROP SCHEMA {schema} CASCADE"));
    assert_eq!(frame.height(), 2);
    let dtype = |c: &str| frame.column(c).unwrap().dtype().clone();
    for c in ["i2", "i4", "i8"] {
        assert_eq!(dtype(c), DataType::Int64, "{c}");
    }
    for c in ["n", "f4", "f8"] {
        assert_eq!(dtype(c), DataType::Float64, "{c}");
    }
    assert_eq!(dtype("b"), DataType::Boolean);
    assert_eq!(dtype("d"), DataType::Date);
    assert_eq!(
        dtype("ts"),
        DataType::Datetime(TimeUnit::Microseconds, None)
    );
    assert!(
        matches!(dtype("tz"), DataType::Datetime(TimeUnit::Microseconds, Some(z)) if z.as_str() == "UTC")
    );
    for c in ["j", "jb", "t", "v", "Mixed Case"] {
        assert_eq!(dtype(c), DataType::String, "{c}");
    }
    let value = |c: &str, row: usize| frame.column(c).unwrap().get(row).unwrap().into_static();
    // Beyond 2^53: an integer stays exact.
    assert_eq!(value("i8", 0), AnyValue::Int64(9_007_199_254_740_993));
    assert_eq!(value("n", 0), AnyValue::Float64(12.345));
    assert_eq!(value("f4", 0), AnyValue::Float64(1.5));
    assert_eq!(value("f8", 0), AnyValue::Float64(0.1));
    // 2024-03-01 is day 19783 of the Unix epoch.
    assert_eq!(value("d", 0), AnyValue::Date(19_783));
    let day_us = 19_783i64 * 86_400_000_000;
    let hour_us = 3_600_000_000i64;
    assert_eq!(
        value("ts", 0),
        AnyValue::Datetime(
            day_us + 10 * hour_us + 250_000,
            TimeUnit::Microseconds,
            None
        )
    );
    // 10:00 at +07 is 03:00 UTC.
    match value("tz", 0) {
        AnyValue::DatetimeOwned(us, TimeUnit::Microseconds, _)
        | AnyValue::Datetime(us, TimeUnit::Microseconds, _) => {
            assert_eq!(us, day_us + 3 * hour_us)
        }
        other => panic!("tz: {other:?}"),
    }
    let text = |c: &str, row: usize| {
        frame
            .column(c)
            .unwrap()
            .str()
            .unwrap()
            .get(row)
            .map(str::to_string)
    };
    assert_eq!(text("j", 0).as_deref(), Some(r#"{"a": [1, 2]}"#));
    assert_eq!(text("jb", 0).as_deref(), Some(r#"{"b": true}"#));
    assert_eq!(text("t", 0).as_deref(), Some("tab\there\nnew line \\ back"));
    assert_eq!(text("v", 0).as_deref(), Some("ünï"));
    assert_eq!(text("Mixed Case", 0).as_deref(), Some("<b>x</b>"));
    // NULL stays null in every type; an empty text is not NULL.
    for c in [
        "i2",
        "i4",
        "i8",
        "n",
        "f4",
        "f8",
        "b",
        "d",
        "ts",
        "tz",
        "j",
        "jb",
        "t",
        "Mixed Case",
    ] {
        assert_eq!(frame.column(c).unwrap().null_count(), 1, "{c}");
    }
    assert_eq!(text("v", 1).as_deref(), Some(""));
}

#[test]
fn a_table_source_fetches_only_the_columns_the_report_reads() {
    if pg::database_url().is_none() {
        return;
    }
    let schema = scratch("narrow");
    execute(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};
         CREATE TABLE {schema}.t (keep_me integer, renamed integer, unused text);
         INSERT INTO {schema}.t VALUES (1, 2, 'x');"
    ));
    let dir = tempfile::tempdir().unwrap();
    let spec = source(&format!(
        "name = \"t\"\ndatabase = \"test\"\ntable = \"{schema}.t\"\nrename = {{ renamed = \"new_name\" }}"
    ));
    let wanted = Wanted::named(["keep_me", "new_name"]);
    let frame = fetch(&spec, dir.path(), &wanted);
    execute(&format!("DROP SCHEMA {schema} CASCADE"));
    let names: Vec<&str> = frame
        .get_column_names()
        .iter()
        .map(|n| n.as_str())
        .collect();
    assert_eq!(names, ["keep_me", "renamed"]);
}

/// The fixture portal, reading the database; `files` swaps its sources for
/// the same data read from the files in data/.
fn warehouse(files: bool) -> Fixture {
    let fixture = Fixture::new("warehouse");
    if files {
        for report in ["thelook", "accounting", "pushdown", "amazon"] {
            let rel = format!("content/{report}/_index.md");
            let text = fixture.read(&rel);
            let (head, rest) = text.split_once("# sources:begin").unwrap();
            let (_, tail) = rest.split_once("# sources:end").unwrap();
            let sources = fixture.read(&format!("files/{report}.toml"));
            fixture.write(&rel, &format!("{head}{sources}{tail}"));
        }
    }
    fixture
}

fn build(fixture: &Fixture, extra: &[&str]) -> common::Run {
    let data = repo_data();
    let mut args = vec!["--data", data.to_str().unwrap()];
    args.extend_from_slice(extra);
    fixture.run_with("build", &args)
}

/// Every analysis result of a built report, by file name.
fn results(fixture: &Fixture, report: &str) -> Vec<(String, serde_json::Value)> {
    let dir = fixture.path(&format!("public/{report}/results"));
    let mut out: Vec<(String, serde_json::Value)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (
                name,
                serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn reports_read_from_the_database_equal_the_same_reports_read_from_files() {
    if pg::database_url().is_none() {
        return;
    }
    let db = warehouse(false);
    let run_db = build(&db, &[]);
    assert!(run_db.ok, "{}", run_db.stderr);
    // The build says what each source fetched: the users (a SQL block
    // reads them), and not the order lines, whose four analyses all ran
    // on the server.
    assert!(
        run_db
            .stderr
            .contains("thelook: source users: 7,265 rows fetched (database warehouse)"),
        "{}",
        run_db.stderr
    );
    assert!(
        !run_db.stderr.contains("thelook: source order_items"),
        "{}",
        run_db.stderr
    );
    assert!(
        run_db.stderr.contains("thelook: analysis monthly: "),
        "{}",
        run_db.stderr
    );
    let files = warehouse(true);
    let run = build(&files, &[]);
    assert!(run.ok, "{}", run.stderr);
    for report in ["thelook", "accounting", "pushdown", "amazon"] {
        let (a, b) = (results(&db, report), results(&files, report));
        assert!(!a.is_empty(), "{report} has results");
        let names = |r: &[(String, serde_json::Value)]| {
            r.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>()
        };
        assert_eq!(names(&a), names(&b), "{report}");
        for ((name, x), (_, y)) in a.iter().zip(&b) {
            same(x, y, &format!("{report}/{name}"));
        }
    }
    // Customer value, RFM and cohorts ran on the server: their aggregates were
    // fetched, and the order lines of `pushdown` never were.
    let summary = &run_db.stderr;
    for analysis in ["value", "rfm", "cohort"] {
        let found =
            pushdown_line(summary, "pushdown", analysis).unwrap_or_else(|| panic!("{summary}"));
        assert!(
            found.contains("aggregate rows fetched (pushed down to database warehouse)"),
            "{found}"
        );
    }
    assert!(!summary.contains("pushdown: source lines"), "{summary}");
    // Customer value, RFM and cohorts over the same columns read the
    // source's order groups: one query, one scan.
    assert!(
        summary.contains("pushdown: analyses cohort, rfm, value (one query for the 3): "),
        "{summary}"
    );
    // In thelook the cohorts go by another date: value and RFM, grouped by
    // customer alike, share a query of their own.
    assert!(
        summary.contains("thelook: analyses rfm, value (one query for the 2): "),
        "{summary}"
    );
    assert!(
        pushdown_line(summary, "thelook", "cohort").is_some(),
        "{summary}"
    );
    // The accounting lines: RFM per customer, the basket as distinct
    // (invoice, item) pairs; the lines themselves stay on the server.
    for analysis in ["rfm", "basket"] {
        let line = pushdown_line(summary, "accounting", analysis);
        assert!(line.is_some_and(|l| l.contains("pushed down")), "{summary}");
    }
    assert!(!summary.contains("accounting: source lines"), "{summary}");
    // The Amazon lines: both segment comparisons grouped on the server.
    for analysis in ["b2b", "service"] {
        let line = pushdown_line(summary, "amazon", analysis);
        assert!(
            line.is_some_and(|l| l.contains("pushed down to database")),
            "{summary}"
        );
    }
    assert!(!summary.contains("amazon: source sales"), "{summary}");
    // Counted apart (Python over the CSV): of the 17,130 lines not
    // cancelled, B2B has 110 lines in 59 orders with 279 units, B2C 17,020
    // lines in 14,972 orders.
    let amazon = results(&db, "amazon");
    let b2b = &amazon.iter().find(|(n, _)| n == "b2b.json").unwrap().1;
    let figures = |label: &str| {
        let s = &b2b["segments"][label];
        [&s["lines"], &s["orders"]].map(|v| v.as_u64().unwrap())
    };
    assert_eq!(figures("B2B"), [110, 59]);
    assert_eq!(figures("B2C"), [17_020, 14_972]);
    assert_eq!(b2b["segments"]["B2B"]["qty"], serde_json::json!(279));
    // The page shows a number computed from the fetched rows.
    let page = db.read("public/thelook/index.html");
    assert!(page.contains("Customers: "), "{page}");
}

/// `a` and `b` are the same JSON, numbers equal up to the rounding of
/// floating-point sums (the server adds in another order than a scan of
/// the rows does).
fn same(a: &serde_json::Value, b: &serde_json::Value, at: &str) {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            let tolerance = 1e-9 * x.abs().max(y.abs()).max(1.0);
            assert!((x - y).abs() <= tolerance, "{at}: {x} vs {y}");
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}: lengths");
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                same(x, y, &format!("{at}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            let keys = |m: &serde_json::Map<String, Value>| m.keys().cloned().collect::<Vec<_>>();
            assert_eq!(keys(x), keys(y), "{at}: keys");
            for (k, v) in x {
                same(v, &y[k], &format!("{at}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{at}"),
    }
}

/// Every file below `dir`, as text (lossy), with its path.
fn every_file(dir: &Path) -> Vec<(PathBuf, String)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().to_path_buf(),
                String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned(),
            )
        })
        .collect()
}

#[test]
fn credentials_never_reach_the_site_the_cache_or_the_messages() {
    let Some(url) = pg::database_url() else {
        return;
    };
    let fixture = warehouse(false);
    let run = build(&fixture, &[]);
    assert!(run.ok, "{}", run.stderr);
    assert!(!run.stderr.contains(PASSWORD), "{}", run.stderr);
    for (path, text) in every_file(fixture.root()) {
        if path.starts_with(fixture.path("content")) || path.starts_with(fixture.path("files")) {
            continue;
        }
        assert!(
            !text.contains(PASSWORD),
            "{} holds the password",
            path.display()
        );
        assert!(!text.contains(&url), "{} holds the URL", path.display());
    }
    // A query the server refuses: the error names the source, the host and
    // the database and quotes the server, never the password.
    fixture.edit(
        "content/thelook/_index.md",
        "FROM thelook.users WHERE",
        "FROM thelook.no_such_table WHERE",
    );
    let before = common::snapshot(&fixture.path("public"));
    let run = build(&fixture, &[]);
    assert!(!run.ok);
    let err = &run.stderr;
    assert!(err.contains("source `users`"), "{err}");
    assert!(err.contains("database `warehouse`"), "{err}");
    assert!(err.contains("host 127.0.0.1:"), "{err}");
    assert!(err.contains("database wawasan_test"), "{err}");
    assert!(
        err.contains("relation \"thelook.no_such_table\" does not exist"),
        "{err}"
    );
    assert!(err.contains("content/thelook/_index.md"), "{err}");
    assert!(!err.contains(PASSWORD), "{err}");
    // The last good site stays.
    assert_eq!(before, common::snapshot(&fixture.path("public")));
}

/// `wawasan build` of `fixture` with the warehouse at `url` (nothing need
/// listen there).
fn build_against(fixture: &Fixture, url: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_wawasan"))
        .args(["build", "--root"])
        .arg(fixture.root())
        .env("WAWASAN_TEST_DATABASE_URL", url)
        .output()
        .unwrap()
}

#[test]
fn an_unreachable_server_is_named_without_its_password() {
    let fixture = warehouse(false);
    let out = build_against(
        &fixture,
        "postgres://ana:pw-never-shown@127.0.0.1:9/shop?connect_timeout=5",
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("cannot connect to database `warehouse` (host 127.0.0.1:9, database shop)"),
        "{err}"
    );
    assert!(!err.contains("pw-never-shown"), "{err}");
    assert!(!fixture.path("public").exists(), "nothing written");
}

#[test]
fn an_analysis_over_a_derived_column_reads_the_rows_and_its_siblings_still_push_down() {
    if pg::database_url().is_none() {
        return;
    }
    let db = warehouse(false);
    // RFM by the derived amount: its source is read here; customer value
    // (same customers, the server's amount) still runs on the server.
    let text = db.read("content/pushdown/_index.md");
    let (head, rfm) = text.split_once("[analyses.rfm]").unwrap();
    db.write(
        "content/pushdown/_index.md",
        &format!(
            "{head}[analyses.rfm]{}",
            rfm.replacen("amount = \"amount\"", "amount = \"double_amount\"", 1)
        ),
    );
    let run = build(&db, &[]);
    assert!(run.ok, "{}", run.stderr);
    let summary = &run.stderr;
    let value = pushdown_line(summary, "pushdown", "value").unwrap_or_else(|| panic!("{summary}"));
    assert!(
        value.contains("pushed down to database warehouse"),
        "{value}"
    );
    assert!(
        pushdown_line(summary, "pushdown", "rfm").is_none(),
        "{summary}"
    );
    assert!(
        summary.contains("pushdown: source lines: "),
        "the rows are fetched for RFM: {summary}"
    );
    // Doubled amounts double every monetary sum: RFM over the rows agrees
    // with customer value over the server's groups.
    let results = results(&db, "pushdown");
    let find = |name: &str| &results.iter().find(|(n, _)| n == name).unwrap().1;
    let (value, rfm) = (find("value.json"), find("rfm.json"));
    assert_eq!(value["total_customers"], rfm["customers"]);
    let revenue = value["total_revenue"].as_f64().unwrap();
    let doubled = rfm["revenue"].as_f64().unwrap();
    assert!(revenue > 0.0, "{revenue}");
    assert!(
        (doubled - 2.0 * revenue).abs() <= 1e-9 * doubled,
        "{doubled} vs 2 x {revenue}"
    );
}

#[test]
fn a_broken_derive_of_a_pushed_down_source_is_an_error_before_connecting() {
    let fixture = warehouse(false);
    fixture.edit(
        "content/pushdown/_index.md",
        "expr = \"amount * 2\"",
        "expr = \"amount *\"",
    );
    // Nothing listens there: the error comes before any connection.
    let out = build_against(&fixture, "postgres://ana:pw@127.0.0.1:9/shop");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("content/pushdown/_index.md"), "{err}");
    assert!(err.contains("derived column `double_amount`"), "{err}");
    assert!(err.contains("`derive` expression `amount *`"), "{err}");
    assert!(!err.contains("cannot connect"), "{err}");
    assert!(!fixture.path("public").exists(), "nothing written");
}

/// The fixture portal with one report, `thelook`, showing the rows of a
/// scratch table `{schema}.sales` (two rows to start with) as `Rows: N.`;
/// `setting` is added to its source.
fn sales_portal(schema: &str, setting: &str) -> Fixture {
    execute(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};
         CREATE TABLE {schema}.sales (id integer, amount numeric);
         INSERT INTO {schema}.sales VALUES (1, 10), (2, 20);"
    ));
    let fixture = only_report("thelook");
    fixture.write(
        "content/thelook/_index.md",
        &format!(
            r#"+++
title = "Sales"

[[sources]]
name = "sales"
database = "warehouse"
table = "{schema}.sales"
{setting}
+++
```sql total hide
SELECT COUNT(*) AS n FROM sales
```

Rows: {{{{ total[0].n }}}}.
"#
        ),
    );
    fixture
}

/// The fixture portal with only the report `keep` (or none).
fn only_report(keep: &str) -> Fixture {
    let fixture = Fixture::new("warehouse");
    for report in ["accounting", "amazon", "pushdown", "thelook"] {
        if report != keep {
            std::fs::remove_dir_all(fixture.path(&format!("content/{report}"))).unwrap();
        }
    }
    fixture
}

/// The N of `Rows: N.` on the sales page.
fn rows_shown(fixture: &Fixture) -> String {
    let page = fixture.read("public/thelook/index.html");
    let start = page.find("Rows: ").expect("the rows line") + 6;
    page[start..].split('.').next().unwrap().to_string()
}

#[test]
fn fetched_data_is_reused_within_max_age_offline_and_refetched_on_refresh() {
    if pg::database_url().is_none() {
        return;
    }
    let schema = scratch("cache");
    let fixture = sales_portal(&schema, "max_age = \"1h\"");
    let rows = rows_shown;
    let run = build(&fixture, &[]);
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(rows(&fixture), "2");
    execute(&format!("INSERT INTO {schema}.sales VALUES (3, 30)"));
    // Within max_age: the copy is used, even when the server cannot be
    // reached (the same server, user and database, but a TLS connection
    // is demanded, which the build cannot make).
    let unreachable = format!("{}?sslmode=require", pg::database_url().unwrap());
    let out = build_against(&fixture, &unreachable);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("from the fetch cache"), "{err}");
    assert_eq!(rows(&fixture), "2");
    // --refresh refetches.
    let run = build(&fixture, &["--refresh"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stderr.contains("3 rows fetched"), "{}", run.stderr);
    assert_eq!(rows(&fixture), "3");
    // Without max_age every build fetches.
    fixture.edit("content/thelook/_index.md", "max_age = \"1h\"", "");
    execute(&format!("INSERT INTO {schema}.sales VALUES (4, 40)"));
    let run = build(&fixture, &[]);
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(rows(&fixture), "4");
    execute(&format!("DROP SCHEMA {schema} CASCADE"));
}

#[test]
fn serve_fetches_once_and_refetches_only_when_the_source_changes() {
    use wawasan::config::Paths;
    use wawasan::site::{BuildOptions, Session, build};
    if pg::database_url().is_none() {
        return;
    }
    let schema = scratch("serve");
    let fixture = sales_portal(&schema, "");
    // Builds sharing a session, as `serve` runs them.
    let options = BuildOptions {
        paths: Paths::under(fixture.root()),
        base_url: None,
        cache_dir: Some(fixture.path(".wawasan-cache")),
        progress: Default::default(),
        session: Some(Session::default()),
        single_file: false,
        refresh: false,
    };
    let rows = || rows_shown(&fixture);
    build(&options).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows(), "2");
    execute(&format!("INSERT INTO {schema}.sales VALUES (3, 30)"));
    // A narrative edit: no refetch, the page keeps the fetched rows.
    fixture.edit("content/thelook/_index.md", "Rows: ", "Rows so far: ");
    let summary = build(&options).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        summary
            .fetched
            .iter()
            .all(|l| l.contains("from the fetch cache")),
        "{:?}",
        summary.fetched
    );
    fixture.edit("content/thelook/_index.md", "Rows so far: ", "Rows: ");
    build(&options).unwrap();
    assert_eq!(rows(), "2");
    // The source's settings change: fetched again.
    fixture.edit(
        "content/thelook/_index.md",
        &format!("table = \"{schema}.sales\""),
        &format!("query = \"SELECT id, amount FROM {schema}.sales\""),
    );
    build(&options).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows(), "3");
    execute(&format!("DROP SCHEMA {schema} CASCADE"));
}

/// Order lines with every kind of gap: no customer, no order id, no date,
/// no amount, no item, no quantity — as a CSV file and as a table.
const GAPPY: &str = "\
customer,order_id,day,amount,item,qty
1,10,2024-01-05,5.5,tea,2
1,10,2024-01-05,2,sugar,1
1,11,2024-02-01,,tea,1
2,12,2024-01-20,7,tea,3
2,12,2024-01-20,1,,1
2,,2024-03-03,4,milk,2
,13,2024-02-10,9,tea,1
,13,2024-02-10,1,tea,1
2,12,2024-01-20,3,,1
3,14,,6,sugar,2
3,15,2024-03-30,3.25,milk,
3,15,2024-03-30,1,tea,1
4,16,2024-03-31,8,sugar,1
";

#[test]
fn pushed_down_analyses_count_missing_values_as_the_rows_do() {
    if pg::database_url().is_none() {
        return;
    }
    let schema = scratch("gaps");
    let mut sql = format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};
         CREATE TABLE {schema}.lines (customer bigint, order_id bigint, day date, amount numeric, item text, qty integer);"
    );
    let cell = |v: &str, text: bool| match (v, text) {
        ("", _) => "NULL".to_string(),
        (v, true) => format!("'{v}'"),
        (v, false) => v.to_string(),
    };
    for line in GAPPY.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        sql.push_str(&format!(
            "INSERT INTO {schema}.lines VALUES ({}, {}, {}, {}, {}, {});",
            cell(f[0], false),
            cell(f[1], false),
            cell(f[2], true),
            cell(f[3], false),
            cell(f[4], true),
            cell(f[5], false)
        ));
    }
    execute(&sql);
    let analyses = r#"
[analyses.value]
kind = "customer_value"
table = "lines"
customer = "customer"
order_id = "order_id"
amount = "amount"
date = "day"

[analyses.rfm]
kind = "rfm"
table = "lines"
customer = "customer"
order_id = "order_id"
amount = "amount"
date = "day"

[analyses.cohort]
kind = "cohorts"
table = "lines"
customer = "customer"
order_id = "order_id"
amount = "amount"
date = "day"

[analyses.basket]
kind = "market_basket"
table = "lines"
order_id = "order_id"
item = "item"
min_support = 0.1
min_confidence = 0.1

[analyses.weekly]
kind = "time_series"
table = "lines"
date = "day"
value = "amount"
agg = "mean"
by = "item"
period = "week"

[analyses.counts]
kind = "time_series"
table = "lines"
date = "day"
agg = "count"
by = "customer"

[analyses.segments]
kind = "segment_comparison"
table = "lines"
segment = "customer"
order_id = "order_id"
amount = "amount"
qty = "qty"
date = "day"
mix = ["item"]
top = ["item"]
top_n = 2
"#;
    let report =
        |source: &str| format!("+++\ntitle = \"Gaps\"\n\n{source}\n{analyses}+++\nGaps.\n");
    let make = |source: &str| {
        let fixture = only_report("");
        fixture.write("content/gaps/_index.md", &report(source));
        fixture.write("data/gaps.csv", GAPPY);
        fixture
    };
    let db = make(&format!(
        "[[sources]]\nname = \"lines\"\ndatabase = \"warehouse\"\ntable = \"{schema}.lines\"\n"
    ));
    let files = make(
        "[[sources]]\nname = \"lines\"\npath = \"gaps.csv\"\ndates = { day = \"YYYY-MM-DD\" }\n",
    );
    let run = db.run("build");
    execute(&format!("DROP SCHEMA {schema} CASCADE"));
    assert!(run.ok, "{}", run.stderr);
    for analysis in [
        "value", "rfm", "cohort", "basket", "weekly", "counts", "segments",
    ] {
        assert!(
            pushdown_line(&run.stderr, "gaps", analysis).is_some(),
            "{analysis} pushed down: {}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains("gaps: source lines"), "{}", run.stderr);
    let run = files.run("build");
    assert!(run.ok, "{}", run.stderr);
    let (a, b) = (results(&db, "gaps"), results(&files, "gaps"));
    assert_eq!(a.len(), b.len());
    assert!(a.iter().any(|(n, _)| n == "basket.json"), "{a:?}");
    for ((name, x), (other, y)) in a.iter().zip(&b) {
        assert_eq!(name, other);
        same(x, y, &format!("gaps/{name}"));
    }
    // The gaps were counted, by hand from GAPPY: two lines lack a
    // customer, one an order id, one a date, one an amount, two an item,
    // one a quantity.
    let result = |name: &str| a.iter().find(|(n, _)| n == name).unwrap().1.clone();
    let expect = |name: &str, pairs: &[(&str, u64)]| {
        let r = result(name);
        for (key, n) in pairs {
            assert_eq!(r[*key], serde_json::json!(n), "{name}.{key}: {r}");
        }
    };
    expect(
        "value.json",
        &[
            ("total_customers", 4),
            ("dropped_missing_customer", 2),
            ("dropped_missing_order", 1),
            ("missing_amount_rows", 1),
        ],
    );
    expect(
        "rfm.json",
        &[
            ("dropped_missing_customer", 2),
            ("dropped_missing_date", 1),
            ("dropped_missing_order_id", 1),
            ("dropped_missing_amount", 1),
        ],
    );
    expect(
        "cohort.json",
        &[
            ("dropped_missing_date", 1),
            ("missing_customer", 2),
            ("missing_order_id", 1),
            ("dropped_missing_amount", 1),
        ],
    );
    expect(
        "weekly.json",
        &[
            ("dropped_missing_date", 1),
            ("dropped_missing_by", 2),
            ("dropped_missing_value", 1),
        ],
    );
    expect(
        "counts.json",
        &[
            ("dropped_missing_date", 1),
            ("dropped_missing_by", 2),
            ("dropped_missing_value", 0),
        ],
    );
    expect(
        "basket.json",
        &[("dropped_missing_order_id", 1), ("dropped_missing_item", 2)],
    );
    // Segments are customers: the two without one are dropped; of the
    // rest, customer 2's line without an order id, customer 3's line
    // without a quantity, its undated line (which has a quantity) and
    // customer 1's line without an amount are counted.
    expect(
        "segments.json",
        &[
            ("dropped_missing_segment", 2),
            ("missing_order_id", 1),
            ("missing_qty", 1),
            ("missing_date", 1),
            ("dropped_missing_amount", 1),
        ],
    );
    let segments = result("segments.json");
    // Orders: customer 1 {10, 11}, 3 {14, 15}, 2 {12}, 4 {16}; the two with
    // most orders, by label, are compared; integer ids stay integers.
    assert_eq!(
        segments["segment_order"],
        serde_json::json!(["1", "3", "2", "4"])
    );
    let customer = |c: &str, key: &str| segments["segments"][c][key].clone();
    assert_eq!(customer("2", "orders"), serde_json::json!(1));
    assert_eq!(customer("2", "lines"), serde_json::json!(4));
    // Customer 1: 5.5 + 2 (the third line has no amount); qty 2 + 1 + 1.
    assert_eq!(customer("1", "revenue"), serde_json::json!(7.5));
    assert_eq!(customer("1", "qty"), serde_json::json!(4));
    // Customer 3's items by quantity: sugar 2 (undated), tea 1; its milk
    // line has no quantity, so milk is not listed.
    let top: Vec<&serde_json::Value> = segments["top"]["item"]["3"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["value"])
        .collect();
    assert_eq!(top, ["sugar", "tea"]);
}

/// The build summary's line for the pushdown of `report`'s `analysis`,
/// alone (`<report>: analysis <name>: ...`) or sharing one query with
/// others (`<report>: analyses <a>, <b> (one query for the 2): ...`).
fn pushdown_line<'a>(summary: &'a str, report: &str, analysis: &str) -> Option<&'a str> {
    let alone = format!("{report}: analysis {analysis}: ");
    let shared = format!("{report}: analyses ");
    summary.lines().find(|l| {
        let l = l.trim_start();
        l.starts_with(&alone)
            || l.strip_prefix(&shared)
                .and_then(|rest| rest.split(" (one query").next())
                .is_some_and(|names| names.split(", ").any(|n| n == analysis))
    })
}
