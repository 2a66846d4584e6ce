//! The portal bench at a tiny size, without the Python part: it generates
//! the data, builds the example portal cold, cached and after a narrative
//! edit, measures the floor, and prints one table row per size.

use std::process::Command;

#[test]
fn the_portal_bench_runs_and_prints_its_table() {
    let out = Command::new(env!("CARGO_BIN_EXE_wawasan"))
        .args([
            "bench",
            "--portal",
            "--rows",
            "3000",
            "--no-pandas",
            "--root",
        ])
        .arg(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("| lines per dataset | data | wawasan cold |"),
        "{stdout}"
    );
    assert_eq!(lines.len(), 3, "{stdout}");
    let row: Vec<&str> = lines[2].split('|').map(str::trim).collect();
    assert_eq!(row[1], "3000");
    // Cold, cached and edited builds each have a time and a peak.
    for cell in &row[3..6] {
        assert!(cell.ends_with(" MiB") && cell.contains(" s, "), "{cell}");
    }
    // No pandas, and a polars floor over the Amazon file.
    assert_eq!(row[6], "—");
    assert!(row[10].contains(" s, "), "{}", row[10]);
    assert!(stderr.contains("generated amazon × 3000"), "{stderr}");
}
