//! Build script: a fingerprint of everything that shapes wawasan's output —
//! its source, the embedded theme and the locked dependency versions — as
//! `WAWASAN_BUILD_ID`. The results cache keys on it, so results computed by
//! one build of wawasan are never read by another, even of the same version.

use std::path::{Path, PathBuf};

fn main() {
    let mut files = Vec::new();
    for dir in ["src", "templates"] {
        println!("cargo:rerun-if-changed={dir}");
        collect(Path::new(dir), &mut files);
    }
    for file in ["build.rs", "Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={file}");
        files.push(PathBuf::from(file));
    }
    files.sort();
    let mut hash = Fnv::default();
    for file in &files {
        hash.bytes(file.to_string_lossy().replace('\\', "/").as_bytes());
        // A file that cannot be read is hashed as missing.
        hash.bytes(&std::fs::read(file).unwrap_or_default());
    }
    println!("cargo:rustc-env=WAWASAN_BUILD_ID={:016x}", hash.0);
}

/// Every file below `dir`, recursively.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// 64-bit FNV-1a with a length after every field.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes.iter().chain(&(bytes.len() as u64).to_le_bytes()) {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}
