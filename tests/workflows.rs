//! The GitHub workflows: `.github/workflows/pages.yml` (publish the portal
//! on GitHub Pages) and `release.yml` (binaries on a version tag) parse as
//! YAML and name the right triggers, permissions, actions and commands; the
//! shell steps that can run offline are run here as GitHub runs them, with
//! the real binary; `wawasan init` writes the repository's Pages workflow;
//! the README's install line fetches what the release workflow attaches.

use std::path::{Path, PathBuf};
use std::process::Command;
use yaml_rust2::{Yaml, YamlLoader};

const LINUX: &str = "x86_64-unknown-linux-gnu";

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn workflow(name: &str) -> Yaml {
    let path = repo_file(&format!(".github/workflows/{name}"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut docs = YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{}: not YAML: {e}", path.display()));
    assert_eq!(docs.len(), 1, "{name}: one document");
    docs.remove(0)
}

fn text(value: &Yaml) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value:?}"))
}

fn list(value: &Yaml) -> &Vec<Yaml> {
    value
        .as_vec()
        .unwrap_or_else(|| panic!("not a list: {value:?}"))
}

/// The keys of a mapping, in order.
fn keys(value: &Yaml) -> Vec<&str> {
    let hash = value
        .as_hash()
        .unwrap_or_else(|| panic!("not a mapping: {value:?}"));
    hash.keys().map(text).collect()
}

/// The step of `job` with this `name`.
fn step<'a>(job: &'a Yaml, name: &str) -> &'a Yaml {
    list(&job["steps"])
        .iter()
        .find(|s| s["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no step named {name:?}"))
}

/// Every step of every job of the workflow, with its job's name.
fn all_steps(workflow: &Yaml) -> Vec<(&str, &Yaml)> {
    let mut out = Vec::new();
    for job in keys(&workflow["jobs"]) {
        for s in list(&workflow["jobs"][job]["steps"]) {
            out.push((job, s));
        }
    }
    out
}

/// The steps that use `action` (any version); the version must be pinned.
fn uses<'a>(workflow: &'a Yaml, action: &str) -> Vec<(&'a str, &'a Yaml)> {
    all_steps(workflow)
        .into_iter()
        .filter(|(_, s)| {
            s["uses"].as_str().is_some_and(|u| {
                let (name, version) = u.split_once('@').expect("a pinned action version");
                assert!(!version.is_empty());
                name == action
            })
        })
        .collect()
}

/// Run a step's `run` script the way GitHub's `shell: bash` does, in `dir`,
/// with `env`; returns whether it succeeded and what it wrote to
/// `$GITHUB_OUTPUT`.
fn run_step(step: &Yaml, dir: &Path, env: &[(&str, &str)]) -> (bool, String) {
    assert_eq!(step["shell"].as_str(), Some("bash"), "{step:?}");
    let scratch = tempfile::tempdir().unwrap();
    let output = scratch.path().join("github_output");
    std::fs::write(&output, "").unwrap();
    let mut command = Command::new("bash");
    command
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c"])
        .arg(text(&step["run"]))
        .current_dir(dir)
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_PATH", scratch.path().join("github_path"))
        .env("RUNNER_TEMP", scratch.path());
    for (key, value) in env {
        command.env(key, value);
    }
    let out = command.output().expect("bash runs");
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    }
    (
        out.status.success(),
        std::fs::read_to_string(output).unwrap(),
    )
}

/// `owner/name` of the crate's `repository` URL.
fn release_repo() -> &'static str {
    env!("CARGO_PKG_REPOSITORY")
        .strip_prefix("https://github.com/")
        .expect("the repository is on GitHub")
        .trim_end_matches('/')
}

fn init_portal() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_wawasan"))
        .arg("init")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

#[test]
fn pages_runs_on_main_on_demand_and_on_a_schedule() {
    let w = workflow("pages.yml");
    let on = &w["on"];
    assert_eq!(
        list(&on["push"]["branches"]),
        &[Yaml::String("main".into())]
    );
    assert!(keys(on).contains(&"workflow_dispatch"));
    let cron = text(&list(&on["schedule"])[0]["cron"]);
    assert_eq!(cron.split_whitespace().count(), 5, "{cron}");
    // Deploying needs exactly these, and nothing may write the repository.
    let permissions = &w["permissions"];
    assert_eq!(permissions["pages"].as_str(), Some("write"));
    assert_eq!(permissions["id-token"].as_str(), Some("write"));
    assert_eq!(permissions["contents"].as_str(), Some("read"));
    assert_eq!(keys(permissions).len(), 3);
    assert!(w["concurrency"]["group"].as_str().is_some());
    assert_eq!(
        w["concurrency"]["cancel-in-progress"].as_bool(),
        Some(false)
    );
}

#[test]
fn pages_builds_for_the_pages_url_uploads_public_and_deploys_it() {
    let w = workflow("pages.yml");
    let build = &w["jobs"]["build"];
    // The base URL comes from configure-pages (user, project or custom-domain site).
    let configure = uses(&w, "actions/configure-pages");
    assert_eq!(configure.len(), 1);
    let pages_id = text(&configure[0].1["id"]);
    let step_build = step(build, "Build the portal");
    assert_eq!(
        text(&step_build["env"]["BASE_URL"]),
        format!("${{{{ steps.{pages_id}.outputs.base_url }}}}")
    );
    let script = text(&step_build["run"]);
    let build_line = script
        .lines()
        .find(|l| l.trim_start().starts_with("wawasan build"))
        .expect("a `wawasan build` line");
    assert!(build_line.contains("--base-url"), "{build_line}");

    let upload = uses(&w, "actions/upload-pages-artifact");
    assert_eq!(upload.len(), 1);
    let (upload_job, upload) = upload[0];
    assert_eq!(upload_job, "build");
    assert_eq!(
        text(&upload["with"]["path"]).trim_end_matches('/'),
        "public"
    );
    // public/.nojekyll is a dotfile, which the action leaves out by default.
    assert_eq!(upload["with"]["include-hidden-files"].as_bool(), Some(true));

    let deploy = uses(&w, "actions/deploy-pages");
    assert_eq!(deploy.len(), 1);
    let deploy_job = &w["jobs"][deploy[0].0];
    assert_eq!(text(&deploy_job["needs"]), "build");
    assert_eq!(text(&deploy_job["environment"]["name"]), "github-pages");
    let deploy_id = text(&deploy[0].1["id"]);
    assert_eq!(
        text(&deploy_job["environment"]["url"]),
        format!("${{{{ steps.{deploy_id}.outputs.page_url }}}}")
    );
}

#[test]
fn pages_build_step_writes_the_site_for_the_given_base_url() {
    let w = workflow("pages.yml");
    let build_step = step(&w["jobs"]["build"], "Build the portal");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_wawasan")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // configure-pages gives the URL without a trailing slash; a custom
    // domain has no path at all.
    for (base_url, canonical) in [
        (
            "https://owner.github.io/portal",
            "https://owner.github.io/portal/",
        ),
        (
            "https://insights.example.com/",
            "https://insights.example.com/",
        ),
    ] {
        let portal = init_portal();
        let (ok, _) = run_step(
            build_step,
            portal.path(),
            &[("PATH", &path), ("BASE_URL", base_url)],
        );
        assert!(ok, "the build step failed for {base_url}");
        let index = std::fs::read_to_string(portal.path().join("public/index.html")).unwrap();
        let index = index.replace("&#x2F;", "/");
        let link = format!("<link rel=\"canonical\" href=\"{canonical}\">");
        assert!(index.contains(&link), "{link} not in index.html");
        assert!(portal.path().join("public/.nojekyll").is_file());
    }
}

#[test]
fn pages_installs_the_release_in_a_portal_and_builds_wawasans_own_source() {
    let w = workflow("pages.yml");
    let build = &w["jobs"]["build"];
    let choose = step(build, "Choose how to install wawasan");
    let id = text(&choose["id"]);

    let portal = init_portal();
    let (ok, output) = run_step(choose, portal.path(), &[]);
    assert!(ok);
    assert_eq!(output, "from=release\n");
    let (ok, output) = run_step(choose, &repo_file(""), &[]);
    assert!(ok);
    assert_eq!(output, "from=source\n");

    let release = step(build, "Install wawasan from its release");
    assert_eq!(
        text(&release["if"]),
        format!("steps.{id}.outputs.from == 'release'")
    );
    // The asset the release workflow attaches for Linux, from the crate's repository.
    assert_eq!(text(&w["env"]["WAWASAN_REPO"]), release_repo());
    assert_eq!(text(&w["env"]["WAWASAN_VERSION"]), "latest");
    let script = text(&release["run"]);
    assert!(
        script.contains(&format!("asset=wawasan-{LINUX}.tar.gz")),
        "{script}"
    );
    assert!(
        script.contains("https://github.com/$WAWASAN_REPO/releases/latest/download/$asset"),
        "{script}"
    );
    assert!(script.contains("--strip-components=1"), "{script}");

    let cache = uses(&w, "actions/cache");
    assert_eq!(cache.len(), 1);
    assert_eq!(
        text(&cache[0].1["if"]),
        format!("steps.{id}.outputs.from == 'source'")
    );
    assert!(
        text(&cache[0].1["with"]["path"])
            .lines()
            .any(|l| l.trim() == "target/")
    );
    let source = step(build, "Build wawasan from this repository's source");
    assert_eq!(
        text(&source["if"]),
        format!("steps.{id}.outputs.from == 'source'")
    );
    assert!(text(&source["run"]).contains("cargo build --release --locked"));
}

#[test]
fn init_writes_the_repositorys_pages_workflow() {
    let portal = init_portal();
    let written = std::fs::read(portal.path().join(".github/workflows/pages.yml")).unwrap();
    let ours = std::fs::read(repo_file(".github/workflows/pages.yml")).unwrap();
    assert!(
        written == ours,
        "init wrote another pages.yml than the repository's"
    );
}

#[test]
fn release_runs_on_version_tags_only() {
    let w = workflow("release.yml");
    assert_eq!(keys(&w["on"]), ["push"]);
    assert_eq!(keys(&w["on"]["push"]), ["tags"]);
    assert_eq!(list(&w["on"]["push"]["tags"]), &[Yaml::String("v*".into())]);
    assert_eq!(w["permissions"]["contents"].as_str(), Some("write"));
}

#[test]
fn release_refuses_a_tag_that_is_not_the_crate_version() {
    let w = workflow("release.yml");
    let check = step(
        &w["jobs"]["release"],
        "Check that the tag is the crate's version",
    );
    let root = repo_file("");
    let version = format!("v{}", env!("CARGO_PKG_VERSION"));
    assert!(run_step(check, &root, &[("TAG", &version)]).0);
    assert!(!run_step(check, &root, &[("TAG", "v999.0.0")]).0);
    assert!(!run_step(check, &root, &[("TAG", env!("CARGO_PKG_VERSION"))]).0);
}

#[test]
fn release_builds_linux_macos_and_windows_and_attaches_them() {
    let w = workflow("release.yml");
    let build = &w["jobs"]["build"];
    assert_eq!(text(&build["needs"]), "release");
    let mut targets = Vec::new();
    for entry in list(&build["strategy"]["matrix"]["include"]) {
        let target = text(&entry["target"]);
        let os = text(&entry["os"]);
        let archive = text(&entry["archive"]);
        let (want_os, want_archive) = if target.ends_with("-linux-gnu") {
            ("ubuntu-", "tar.gz")
        } else if target.ends_with("-apple-darwin") {
            ("macos-", "tar.gz")
        } else if target.ends_with("-pc-windows-msvc") {
            ("windows-", "zip")
        } else {
            panic!("unexpected target {target}")
        };
        assert!(os.starts_with(want_os), "{target} on {os}");
        assert_eq!(archive, want_archive, "{target}");
        targets.push(target);
    }
    targets.sort();
    assert_eq!(
        targets,
        [
            "aarch64-apple-darwin",
            "x86_64-apple-darwin",
            "x86_64-pc-windows-msvc",
            LINUX,
        ]
    );
    assert_eq!(text(&build["runs-on"]), "${{ matrix.os }}");
    assert_eq!(text(&build["env"]["TARGET"]), "${{ matrix.target }}");
    assert!(
        text(&step(build, "Build")["run"])
            .contains("cargo build --release --locked --target \"$TARGET\"")
    );
    let attach = text(&step(build, "Attach to the release")["run"]);
    assert!(
        attach.starts_with("gh release upload \"$TAG\" \"$ASSET\""),
        "{attach}"
    );
    let create = text(&step(&w["jobs"]["release"], "Create the GitHub release")["run"]);
    assert!(create.contains("gh release create \"$TAG\""), "{create}");
}

#[test]
fn release_package_is_the_archive_pages_and_the_readme_fetch() {
    let w = workflow("release.yml");
    let package = step(&w["jobs"]["build"], "Package");
    // A checkout with a built binary (any file does) and a README.
    let tree = tempfile::tempdir().unwrap();
    let bin = tree.path().join(format!("target/{LINUX}/release/wawasan"));
    std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
    std::fs::write(&bin, "binary").unwrap();
    std::fs::write(tree.path().join("README.md"), "readme").unwrap();
    let (ok, output) = run_step(
        package,
        tree.path(),
        &[("TARGET", LINUX), ("ARCHIVE", "tar.gz")],
    );
    assert!(ok);
    let asset = format!("wawasan-{LINUX}.tar.gz");
    assert_eq!(output, format!("asset=dist/{asset}\n"));
    let archive = tree.path().join("dist").join(&asset);
    let sum = std::fs::read_to_string(tree.path().join(format!("dist/{asset}.sha256"))).unwrap();
    assert!(sum.trim_end().ends_with(&format!("  {asset}")), "{sum}");

    // Unpacked the way the Pages workflow unpacks it: the binary on top.
    let unpacked = tempfile::tempdir().unwrap();
    let status = Command::new("tar")
        .args(["-xz", "--strip-components=1", "-f"])
        .arg(&archive)
        .arg("-C")
        .arg(unpacked.path())
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        std::fs::read_to_string(unpacked.path().join("wawasan")).unwrap(),
        "binary"
    );
    assert_eq!(
        std::fs::read_to_string(unpacked.path().join("README.md")).unwrap(),
        "readme"
    );

    // The README's install line downloads that asset from the crate's repository.
    let readme = std::fs::read_to_string(repo_file("README.md")).unwrap();
    let url = format!(
        "https://github.com/{}/releases/latest/download/{asset}",
        release_repo()
    );
    assert!(readme.contains(&url), "README does not install from {url}");
    for line in readme.lines().filter(|l| l.contains("/releases/")) {
        assert!(line.contains(release_repo()), "another repository: {line}");
    }
}
