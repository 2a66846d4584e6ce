//! Deterministic, seeded generators of the sample datasets (the shapes of
//! `datasets.md`) at any size: the same dataset, row count and seed give
//! byte-identical files on every machine.
//!
//! Each dataset lives in its own folder and plants the structure its report
//! looks for (see the module docs there). `rng` holds the portable random
//! numbers, `csv` the writer.
//!
//! Files written, relative to the output folder:
//! - amazon: `amazon_sale_report.csv`
//! - chocolate: `chocolate_sales.csv`
//! - thelook: `users.csv`, `orders.csv`, `order_items.csv`, `products.csv`
//! - kshoe: `transactions.csv`
//! - accounting: `invoices/invoices_001.json` … (100 invoices a page),
//!   `customers.json`, `items.json`

mod accounting;
mod amazon;
mod chocolate;
mod csv;
mod kshoe;
pub mod rng;
#[cfg(test)]
mod testutil;
mod thelook;

use crate::error::{Error, Result};
use chrono::NaiveDate;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The five sample datasets, one per example report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dataset {
    Amazon,
    Chocolate,
    Thelook,
    Kshoe,
    Accounting,
}

impl Dataset {
    /// Every dataset, in report order.
    pub const ALL: [Dataset; 5] = [
        Dataset::Amazon,
        Dataset::Chocolate,
        Dataset::Thelook,
        Dataset::Kshoe,
        Dataset::Accounting,
    ];

    /// The name used on the command line and in folder names.
    pub fn name(self) -> &'static str {
        match self {
            Dataset::Amazon => "amazon",
            Dataset::Chocolate => "chocolate",
            Dataset::Thelook => "thelook",
            Dataset::Kshoe => "kshoe",
            Dataset::Accounting => "accounting",
        }
    }

    /// Row count of the committed sample: order lines (amazon, chocolate),
    /// order items (thelook), transaction lines (kshoe) or invoice detail
    /// lines (accounting).
    pub fn default_rows(self) -> usize {
        match self {
            Dataset::Amazon => 20_000,
            Dataset::Chocolate => 1_100,
            Dataset::Thelook => 15_000,
            Dataset::Kshoe => 8_000,
            Dataset::Accounting => 6_000,
        }
    }
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Dataset {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let wanted = s.trim().to_ascii_lowercase();
        Dataset::ALL
            .into_iter()
            .find(|d| d.name() == wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = Dataset::ALL.iter().map(|d| d.name()).collect();
                Error::new(format!("unknown dataset `{s}`"))
                    .hint(format!("choose one of: {}", names.join(", ")))
            })
    }
}

/// Write `dataset` with `rows` rows generated from `seed` into `out_dir`
/// (created if missing, existing files replaced); returns the files
/// written, in the order of the module docs. `rows` counts order lines
/// (amazon, kshoe), shipments (chocolate), order items (thelook) or
/// invoice detail lines (accounting).
pub fn generate(dataset: Dataset, rows: usize, seed: u64, out_dir: &Path) -> Result<Vec<PathBuf>> {
    if rows == 0 {
        return Err(Error::new(format!("cannot generate {dataset} with 0 rows"))
            .hint("pass --rows 1 or more"));
    }
    std::fs::create_dir_all(out_dir).map_err(|e| Error::io("create folder", out_dir, e))?;
    let mut rng = rng::Rng::new(seed);
    match dataset {
        Dataset::Amazon => amazon::write(rows, &mut rng, out_dir),
        Dataset::Chocolate => chocolate::write(rows, &mut rng, out_dir),
        Dataset::Thelook => thelook::write(rows, &mut rng, out_dir),
        Dataset::Kshoe => kshoe::write(rows, &mut rng, out_dir),
        Dataset::Accounting => accounting::write(rows, &mut rng, out_dir),
    }
}

/// Every day from `first` to `last`, both included.
fn days_between(first: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
    first.iter_days().take_while(|d| *d <= last).collect()
}

/// A calendar date from literal parts (only called with valid constants).
fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_choices() {
        for d in Dataset::ALL {
            assert_eq!(d.to_string().parse::<Dataset>().unwrap(), d);
        }
        assert_eq!(" Amazon ".parse::<Dataset>().unwrap(), Dataset::Amazon);
        let err = "amzon".parse::<Dataset>().unwrap_err();
        assert_eq!(err.message(), "unknown dataset `amzon`");
        assert_eq!(
            err.hint_text(),
            Some("choose one of: amazon, chocolate, thelook, kshoe, accounting")
        );
    }

    #[test]
    fn zero_rows_is_an_error_not_an_empty_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = generate(Dataset::Kshoe, 0, 1, dir.path()).unwrap_err();
        assert!(err.message().contains("0 rows"));
    }
}
