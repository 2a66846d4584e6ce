//! Private portals end to end: the tiny fixture built with `[privacy]`
//! publishes nothing readable (every output file is searched for the
//! portal's numbers, names, titles and narrative words), yet every sealed
//! page, the search index and every download open with the password's key
//! to exactly the bytes of the same portal built without privacy; a
//! missing or empty password variable fails the build naming it, too few
//! rounds or a bad salt are refused at their line, a fixed salt gives
//! byte-identical output twice and a random one does not. The password is
//! set for the child process only (the tests run in parallel).

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{Fixture, snapshot};
use std::path::{Path, PathBuf};
use std::process::Command;
use wawasan::site::privacy::cipher::Keys;

const PASSWORD: &str = "kopi-tubruk-42";
const SALT_HEX: &str = "000102030405060708090a0b0c0d0e0f";
const VARIABLE: &str = "TINY_PORTAL_PASSWORD";

/// The tiny fixture with `[privacy]` (`extra` lines added to the table).
fn private_fixture(extra: &str) -> Fixture {
    let f = Fixture::new("tiny");
    f.edit(
        "content/_index.md",
        "currency = \"USD\"\n",
        &format!("currency = \"USD\"\n\n[privacy]\npassword_env = \"{VARIABLE}\"\n{extra}"),
    );
    f
}

struct Built {
    ok: bool,
    stderr: String,
}

/// `wawasan build` of `f` into `out`, the password variable set to
/// `password` (none: removed) for this process only.
fn build(f: &Fixture, out: &Path, password: Option<&str>) -> Built {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wawasan"));
    command
        .args(["build", "--no-cache", "--quiet", "--root"])
        .arg(f.root())
        .arg("--output")
        .arg(out)
        .env_remove(VARIABLE);
    if let Some(p) = password {
        command.env(VARIABLE, p);
    }
    let run = command.output().expect("run wawasan");
    Built {
        ok: run.status.success(),
        stderr: String::from_utf8_lossy(&run.stderr).into_owned(),
    }
}

fn build_ok(f: &Fixture, out: &Path, password: Option<&str>) {
    let run = build(f, out, password);
    assert!(run.ok, "build failed:\n{}", run.stderr);
}

/// Words and numbers the tiny portal shows: its titles, its narrative, its
/// customers' categories and its computed figures, written as the pages
/// show them. B2B orders: O1 (2,000 + 1,000) and O2 (600), so the B2B
/// average order value is 3,600 / 2 = 1,800; Set sells 4 + 2 + 1 = 7
/// pieces once the cancelled order is filtered out.
const NEEDLES: &[&str] = &[
    "Tiny portal",
    "A fixture portal",
    "Shop",
    "Findings",
    "Categories",
    "The top category",
    "hand-made",
    "B2B vs B2C",
    "kurta",
    "1,800",
    "Set,7",
];

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// The sealed bytes of a shell page and its data attributes.
fn sealed_page(html: &str) -> (String, Vec<u8>, Vec<u8>, u32) {
    let start = html
        .find("id=\"wawasan-sealed\"")
        .expect("a sealed element");
    let tag = &html[start..];
    let attr = |name: &str| {
        let key = format!("{name}=\"");
        let from = tag.find(&key).expect(name) + key.len();
        tag[from..].split('"').next().unwrap().to_string()
    };
    let body_from = tag.find('>').unwrap() + 1;
    let body = tag[body_from..].split("</script>").next().unwrap();
    (
        attr("data-path"),
        STANDARD.decode(attr("data-salt")).unwrap(),
        STANDARD.decode(body).unwrap(),
        attr("data-iterations").parse().unwrap(),
    )
}

/// The base64 a sealed script registers.
fn sealed_script(js: &str) -> Vec<u8> {
    let b64 = js
        .split("] = \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a registration");
    STANDARD.decode(b64).unwrap()
}

/// A vendored third-party asset (ECharts and its licence): the same bytes
/// in every portal, checked below to be published unchanged.
fn is_vendored(p: &Path) -> bool {
    rel(p).starts_with("assets/vendor/")
}

fn rel(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

#[test]
fn a_private_build_publishes_nothing_readable_and_opens_to_the_plain_site() {
    let plain_fixture = Fixture::new("tiny");
    let plain_out = plain_fixture.path("plain");
    build_ok(&plain_fixture, &plain_out, None);
    let plain = snapshot(&plain_out);
    // Every needle is there without privacy (else its absence proves
    // nothing), outside the vendored third-party files, which are published
    // as they are and may hold any English word ("Categories" is in
    // ECharts).
    for needle in NEEDLES {
        assert!(
            plain
                .iter()
                .any(|(p, b)| !is_vendored(p) && contains(b, needle)),
            "{needle:?} is not in the plain build"
        );
    }

    let f = private_fixture(&format!("salt = \"{SALT_HEX}\"\n"));
    let out = f.path("private");
    build_ok(&f, &out, Some(PASSWORD));
    let sealed = snapshot(&out);
    for (path, bytes) in sealed.iter().filter(|(p, _)| !is_vendored(p)) {
        for needle in NEEDLES.iter().chain(&[PASSWORD]) {
            assert!(
                !contains(bytes, needle),
                "{} holds {needle:?}",
                path.display()
            );
        }
    }

    // Every plain file is published in clear (a theme asset, .nojekyll),
    // as a shell page, as the sealed index or as `<path>.js`; each opens
    // to the plain bytes.
    let salt: Vec<u8> = (0u8..16).collect();
    let keys = Keys::derive(PASSWORD.as_bytes(), &salt, 600_000);
    let find =
        |p: &str| -> Option<&Vec<u8>> { sealed.iter().find(|(q, _)| rel(q) == p).map(|(_, b)| b) };
    let mut downloads = 0;
    for (path, bytes) in &plain {
        let path = rel(path);
        if path.ends_with(".html") {
            let html = String::from_utf8(find(&path).expect(&path).clone()).unwrap();
            assert!(html.contains("<title>Protected portal</title>"), "{path}");
            let (data_path, data_salt, body, iterations) = sealed_page(&html);
            assert_eq!(
                (data_path.as_str(), data_salt.as_slice(), iterations),
                (path.as_str(), salt.as_slice(), 600_000),
                "{path}"
            );
            assert_eq!(keys.open(&path, &body).as_ref(), Some(bytes), "{path}");
        } else if path == "assets/search-index.js" {
            let js = String::from_utf8(find(&path).unwrap().clone()).unwrap();
            assert_eq!(keys.open(&path, &sealed_script(&js)).as_ref(), Some(bytes));
        } else if path.starts_with("assets/") || path == ".nojekyll" {
            assert_eq!(find(&path), Some(bytes), "{path} stays in clear");
        } else {
            assert!(find(&path).is_none(), "{path} published in clear");
            let js = String::from_utf8(find(&format!("{path}.js")).expect(&path).clone()).unwrap();
            assert_eq!(
                keys.open(&path, &sealed_script(&js)).as_ref(),
                Some(bytes),
                "{path}"
            );
            downloads += 1;
        }
    }
    assert!(downloads >= 3, "the shop's CSV, JSON and Excel downloads");
    assert_eq!(
        sealed.len(),
        plain.len(),
        "one published file per plain file"
    );
    // A page's sealed bytes do not open as another page.
    let html = String::from_utf8(find("shop/index.html").unwrap().clone()).unwrap();
    let (_, _, body, _) = sealed_page(&html);
    assert_eq!(keys.open("shop/findings.html", &body), None);
}

#[test]
fn a_missing_or_empty_password_fails_the_build_naming_the_variable() {
    let f = private_fixture("");
    let out = f.path("public");
    for password in [None, Some("")] {
        let run = build(&f, &out, password);
        assert!(!run.ok, "built without a password ({password:?})");
        assert!(run.stderr.contains(VARIABLE), "{}", run.stderr);
        assert!(run.stderr.contains("_index.md"), "{}", run.stderr);
        assert!(!out.exists(), "nothing written");
    }
}

/// The build's error for `[privacy]` with the line `setting`: it fails,
/// points at that line, says `expected` and never shows the password.
fn refused_at_its_line(setting: &str, expected: &str) {
    let f = private_fixture(&format!("{setting}\n"));
    let key = setting.split(' ').next().unwrap();
    let line = f.line_of("content/_index.md", key);
    let run = build(&f, &f.path("public"), Some(PASSWORD));
    assert!(!run.ok, "{setting} was accepted");
    let err = &run.stderr;
    assert!(err.contains(&format!("_index.md:{line}")), "{err}");
    assert!(err.contains(expected), "{err}");
    assert!(!err.contains(PASSWORD), "the password leaked: {err}");
    assert!(!f.path("public").exists(), "nothing written");
}

#[test]
fn too_few_rounds_and_a_short_salt_are_refused_at_their_line() {
    refused_at_its_line("iterations = 100000", "600000");
    refused_at_its_line("salt = \"00ff\"", "16 bytes");
    refused_at_its_line("salt = \"not hex at all, not hex at all!\"", "hexadecimal");
}

/// The files of one build: (path, bytes), sorted.
type Files = Vec<(PathBuf, Vec<u8>)>;

fn two_builds(extra: &str) -> (Files, Files) {
    let f = private_fixture(extra);
    let (a, b) = (f.path("a"), f.path("b"));
    build_ok(&f, &a, Some(PASSWORD));
    build_ok(&f, &b, Some(PASSWORD));
    (snapshot(&a), snapshot(&b))
}

#[test]
fn a_fixed_salt_gives_the_same_bytes_and_a_random_one_does_not() {
    let (a, b) = two_builds(&format!("salt = \"{SALT_HEX}\"\n"));
    assert!(a == b, "two builds with a fixed salt differ");
    let (a, b) = two_builds("");
    let page = |s: &[(PathBuf, Vec<u8>)]| {
        s.iter()
            .find(|(p, _)| rel(p) == "shop/index.html")
            .unwrap()
            .1
            .clone()
    };
    assert_ne!(page(&a), page(&b), "a random salt per build");
}

#[test]
fn the_pages_workflow_passes_the_password_from_a_secret() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/pages.yml");
    let text = std::fs::read_to_string(path).unwrap();
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).unwrap();
    let steps = docs[0]["jobs"]["build"]["steps"].as_vec().unwrap();
    let build = steps
        .iter()
        .find(|s| s["name"].as_str() == Some("Build the portal"))
        .expect("the build step");
    assert_eq!(
        build["env"]["PORTAL_PASSWORD"].as_str(),
        Some("${{ secrets.PORTAL_PASSWORD }}")
    );
}
