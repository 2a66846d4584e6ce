//! A report's downloads below `<report>/results/`: each analysis' full
//! result as JSON, every exported table as CSV, and the exported tables as
//! one Excel workbook. Exported are every analysis table (analyses.md) and
//! the query results a page shows (a ```sql block without `hide`, or a
//! `table()` call without `download=false`) or the report marks `export`;
//! a hidden working query is not. The files are made once per set of exported tables and remembered,
//! in memory and in the cache folder (a workbook of a million rows takes
//! seconds to write).

use super::hash::Fnv;
use super::output::FileBytes;
use super::results::ReportResults;
use super::workbook::{MAX_TABLE_ROWS, Sheet, workbook};
use crate::data::{Origin, ResultTable};
use crate::error::{Error, Result};
use crate::render::references::References;
use rayon::prelude::*;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

/// Files by path relative to the output folder.
pub type ExportFiles = Arc<Vec<(String, FileBytes)>>;

/// The export files last made from one report's results, with the hash of
/// what they were made for.
#[derive(Debug, Default)]
pub struct ExportMemo(Mutex<Option<(u64, ExportFiles)>>);

/// The tables of `results` that are exported, in name order. A generated
/// page's own tables (`<page>/<slug>/<name>`) are exported when its pages
/// offer them, as `<name>`, for download; they stay out of the workbook.
pub fn exported_tables(results: &ReportResults, refs: &References) -> Vec<String> {
    results
        .tables
        .iter()
        .filter(|(name, table)| {
            let item_table = super::items::is_item_ref(name);
            let placed = name.rsplit('/').next().unwrap_or(name);
            match table.origin() {
                Origin::Analysis => !item_table || refs.offers(placed),
                Origin::Query { shown, export } => shown || export || refs.offers(placed),
            }
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// Whether the report's workbook has a sheet for exported table `name`:
/// every table but the generated pages' own.
pub fn in_workbook(name: &str) -> bool {
    !super::items::is_item_ref(name)
}

/// What a report's exports are made from.
pub struct ExportInputs<'a> {
    pub slug: &'a str,
    pub results: &'a ReportResults,
    /// Exported tables, from `exported_tables`.
    pub tables: &'a [String],
    /// The results' cache key (none: the exports are made afresh).
    pub results_key: Option<&'a str>,
    /// Where the cache folder keeps this report's exports (none: nowhere).
    pub store: Option<&'a Path>,
}

/// The report's export files: remembered, stored or made.
pub fn export_files(inputs: &ExportInputs) -> Result<ExportFiles> {
    let Some(results_key) = inputs.results_key else {
        return make(inputs).map(Arc::new);
    };
    let mut h = Fnv::new();
    h.text(results_key);
    for name in inputs.tables {
        h.text(name);
    }
    let hash = h.finish();
    let memo = &inputs.results.exports;
    if let Some((k, files)) = &*memo.0.lock().unwrap_or_else(PoisonError::into_inner)
        && *k == hash
    {
        return Ok(files.clone());
    }
    let files = match inputs.store.and_then(|p| read_bundle(p, hash)) {
        Some(files) => files,
        None => {
            let files = make(inputs)?;
            if let Some(path) = inputs.store {
                write_bundle(path, hash, &files);
            }
            files
        }
    };
    let files = Arc::new(files);
    *memo.0.lock().unwrap_or_else(PoisonError::into_inner) = Some((hash, files.clone()));
    Ok(files)
}

fn make(inputs: &ExportInputs) -> Result<Vec<(String, FileBytes)>> {
    let dir = format!("{}/results", inputs.slug);
    let mut files = Vec::new();
    for (name, result) in &inputs.results.analyses {
        let json = serde_json::to_string_pretty(result).map_err(|e| {
            Error::new(format!("cannot serialise the result of analysis `{name}`")).caused_by(e)
        })?;
        files.push((
            format!("{dir}/{name}.json"),
            FileBytes::from(json.into_bytes()),
        ));
    }
    let tables: Vec<(&String, &ResultTable)> = inputs
        .tables
        .iter()
        .filter_map(|name| Some((name, inputs.results.tables.get(name)?)))
        .collect();
    // The workbook holds at most the first `MAX_TABLE_ROWS` of each table;
    // it is written after the CSV files (a frame's a slice at a time), not
    // beside them: side by side, the two peaks added up at 10M lines.
    let book = || -> Result<Option<Vec<u8>>> {
        let sheets = tables
            .iter()
            .filter(|(name, _)| in_workbook(name))
            .map(|(name, table)| {
                Ok(Sheet {
                    name: name.to_string(),
                    head: table.head(MAX_TABLE_ROWS).map_err(|e| exporting(name, e))?,
                    rows: table.len(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if sheets.is_empty() {
            return Ok(None);
        }
        workbook(&sheets).map(Some)
    };
    let csv = tables
        .par_iter()
        .map(|(name, table)| {
            let csv = table.to_csv().map_err(|e| exporting(name, e))?;
            Ok((format!("{dir}/{name}.csv"), csv))
        })
        .collect::<Result<Vec<_>>>()?;
    files.extend(csv);
    if let Some(book) = book()? {
        files.push((format!("{dir}/{}.xlsx", inputs.slug), FileBytes::from(book)));
    }
    Ok(files)
}

fn exporting(name: &str, e: Error) -> Error {
    e.context(format!("exporting table `{name}`"))
}

const BUNDLE_MAGIC: &[u8; 4] = b"WEX1";

/// The files stored in `path` for `hash`, or none.
fn read_bundle(path: &Path, hash: u64) -> Option<Vec<(String, FileBytes)>> {
    let bytes = std::fs::read(path).ok()?;
    let mut at = 0usize;
    let mut take = |n: usize| -> Option<&[u8]> {
        let slice = bytes.get(at..at.checked_add(n)?)?;
        at += n;
        Some(slice)
    };
    if take(4)? != BUNDLE_MAGIC || u64::from_le_bytes(take(8)?.try_into().ok()?) != hash {
        return None;
    }
    let count = u64::from_le_bytes(take(8)?.try_into().ok()?);
    let mut files = Vec::new();
    for _ in 0..count {
        let name_len = usize::try_from(u64::from_le_bytes(take(8)?.try_into().ok()?)).ok()?;
        let name = std::str::from_utf8(take(name_len)?).ok()?.to_owned();
        let len = usize::try_from(u64::from_le_bytes(take(8)?.try_into().ok()?)).ok()?;
        files.push((name, FileBytes::from(take(len)?)));
    }
    (at == bytes.len()).then_some(files)
}

/// Store `files` for `hash` in `path`; failing to is not an error.
fn write_bundle(path: &Path, hash: u64, files: &[(String, FileBytes)]) {
    use std::io::Write;
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    // Streamed to the file: the exports are not copied once more in memory.
    let write = || -> std::io::Result<()> {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        out.write_all(BUNDLE_MAGIC)?;
        out.write_all(&hash.to_le_bytes())?;
        out.write_all(&(files.len() as u64).to_le_bytes())?;
        for (name, bytes) in files {
            out.write_all(&(name.len() as u64).to_le_bytes())?;
            out.write_all(name.as_bytes())?;
            out.write_all(&(bytes.len() as u64).to_le_bytes())?;
            out.write_all(bytes)?;
        }
        out.into_inner().map_err(|e| e.into_error())?.sync_all()
    };
    let written = path
        .parent()
        .is_some_and(|dir| std::fs::create_dir_all(dir).is_ok())
        && write().is_ok();
    if !written || std::fs::rename(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_round_trip_and_refuse_another_hash_or_damage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("exports/shop.bin");
        let files = vec![
            (
                "shop/results/a.csv".to_string(),
                FileBytes::from(&b"x,y\n1,2\n"[..]),
            ),
            (
                "shop/results/shop.xlsx".to_string(),
                FileBytes::from(&b""[..]),
            ),
        ];
        write_bundle(&path, 7, &files);
        assert_eq!(read_bundle(&path, 7), Some(files));
        assert_eq!(read_bundle(&path, 8), None);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        assert_eq!(read_bundle(&path, 7), None);
    }
}
