//! The repository's own example portal builds, every report page exists and
//! no page carries an unresolved reference.

use std::process::Command;

#[test]
fn example_portal_builds_with_every_page() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_wawasan"))
        .args(["build", "--no-cache", "--root", root, "--output"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let content = std::path::Path::new(root).join("content");
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(&content).min_depth(2).max_depth(2) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let report = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let html = if stem == "_index" {
            "index".to_string()
        } else {
            stem
        };
        let page = out.path().join(&report).join(format!("{html}.html"));
        let text =
            std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
        assert!(
            !text.contains("{{") && !text.contains("{%"),
            "{} has unrendered Tera",
            page.display()
        );
        assert!(!text.contains("NaN"), "{} shows NaN", page.display());
        // A page's own HTML, chart data included, stays light (issue 11).
        assert!(
            text.len() < 300_000,
            "{} weighs {} bytes",
            page.display(),
            text.len()
        );
        pages += 1;
    }
    assert!(
        pages >= 4,
        "expected the example reports' pages, found {pages}"
    );
    let index = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(index.contains("Telaah B2B Amazon"));
}
