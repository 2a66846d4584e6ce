//! Benchmarks over generated data of growing size: each analysis is timed
//! (load and run separately) in its own process, so its peak memory is its
//! own. Driven by `wawasan bench`; figures go to BENCHMARKS.md. `floor`
//! measures what reading the data costs at the least.

pub mod baskets;
pub mod floor;
pub mod portal;

use crate::analysis::{AnalysisContext, AnalysisSpec};
use crate::config::Language;
use crate::data::{SourceSpec, Tables, load_source};
use crate::error::{Error, Result};
use crate::generate::Dataset;
use serde::Deserialize;
use std::path::Path;
use std::time::Instant;

/// One benchmark case: its data, the sources to load and one analysis.
pub struct Case {
    pub name: &'static str,
    pub dataset: CaseData,
    /// Front matter with `[[sources]]` and `[analyses.x]`.
    pub front_matter: &'static str,
}

/// What a case reads: a sample dataset, or synthetic baskets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseData {
    Dataset(Dataset),
    Baskets,
}

impl CaseData {
    pub fn name(self) -> &'static str {
        match self {
            CaseData::Dataset(d) => d.name(),
            CaseData::Baskets => "baskets",
        }
    }

    /// Write `rows` rows of the data into `dir`.
    pub fn generate(self, rows: usize, dir: &Path) -> Result<()> {
        match self {
            CaseData::Dataset(d) => crate::generate::generate(d, rows, 42, dir).map(|_| ()),
            CaseData::Baskets => baskets::generate(rows, dir).map(|_| ()),
        }
    }
}

/// The cases, one per analysis of the library, and market basket over
/// 5,000 items.
pub const CASES: &[Case] = &[
    Case {
        name: "segment_comparison",
        dataset: CaseData::Dataset(Dataset::Amazon),
        front_matter: r#"
[[sources]]
name = "sales"
path = "amazon_sale_report.csv"
types = { Amount = "money", B2B = "bool" }
dates = { Date = "MM-DD-YY" }
filters = ["Status <> 'Cancelled'"]
[analyses.x]
kind = "segment_comparison"
table = "sales"
segment = "B2B"
order_id = "Order ID"
amount = "Amount"
qty = "Qty"
date = "Date"
mix = ["Category", "Size"]
top = ["Category", "Style", "SKU"]
"#,
    },
    Case {
        name: "kmeans",
        dataset: CaseData::Dataset(Dataset::Chocolate),
        front_matter: r#"
[[sources]]
name = "sales"
path = "chocolate_sales.csv"
types = { Amount = "money" }
dates = { Date = "DD-Mon-YY" }
[analyses.x]
kind = "kmeans"
table = "sales"
features = ["Amount", "Boxes Shipped"]
derived = [{ name = "amount_per_box", numerator = "Amount", denominator = "Boxes Shipped" }]
k = 4
"#,
    },
    Case {
        name: "time_series",
        dataset: CaseData::Dataset(Dataset::Chocolate),
        front_matter: r#"
[[sources]]
name = "sales"
path = "chocolate_sales.csv"
types = { Amount = "money" }
dates = { Date = "DD-Mon-YY" }
[analyses.x]
kind = "time_series"
table = "sales"
date = "Date"
value = "Amount"
by = "Country"
"#,
    },
    Case {
        name: "customer_value",
        dataset: CaseData::Dataset(Dataset::Thelook),
        front_matter: r#"
[[sources]]
name = "items"
path = "order_items.csv"
dates = { created_at = "iso" }
[analyses.x]
kind = "customer_value"
table = "items"
customer = "user_id"
order_id = "order_id"
amount = "sale_price"
date = "created_at"
"#,
    },
    Case {
        name: "cohorts",
        dataset: CaseData::Dataset(Dataset::Kshoe),
        front_matter: r#"
[[sources]]
name = "tx"
path = "transactions.csv"
dates = { order_date = "YYYY-MM-DD" }
derive = [{ name = "amount", expr = "price * quantity" }]
[analyses.x]
kind = "cohorts"
table = "tx"
customer = "customer_id"
order_id = "order_id"
amount = "amount"
date = "order_date"
streak = { product = "product_name" }
"#,
    },
    Case {
        name: "rfm",
        dataset: CaseData::Dataset(Dataset::Accounting),
        front_matter: r#"
[[sources]]
name = "lines"
path = "invoices/invoices_*.json"
records = "d"
dates = { transDate = "dd/mm/yyyy" }
[analyses.x]
kind = "rfm"
table = "lines"
customer = "customerNo"
order_id = "number"
amount = "detailItem.totalPrice"
date = "transDate"
"#,
    },
    Case {
        name: "market_basket",
        dataset: CaseData::Dataset(Dataset::Amazon),
        front_matter: r#"
[[sources]]
name = "sales"
path = "amazon_sale_report.csv"
[analyses.x]
kind = "market_basket"
table = "sales"
order_id = "Order ID"
item = "SKU"
min_support = 0.0005
"#,
    },
    Case {
        name: "market_basket_5000_items",
        dataset: CaseData::Baskets,
        front_matter: r#"
[[sources]]
name = "lines"
path = "baskets.csv"
[analyses.x]
kind = "market_basket"
table = "lines"
order_id = "order_id"
item = "item"
min_support = 0.0001
"#,
    },
];

#[derive(Deserialize)]
struct CaseMeta {
    sources: Vec<SourceSpec>,
    analyses: std::collections::BTreeMap<String, AnalysisSpec>,
}

/// Timings of one case.
#[derive(Debug, Clone)]
pub struct Measurement {
    pub rows: usize,
    pub load_seconds: f64,
    pub run_seconds: f64,
    /// Peak resident memory of the process, in MiB (Linux only).
    pub peak_mib: Option<f64>,
}

/// Run one case over the dataset files in `data_dir`.
pub fn run_case(case: &Case, data_dir: &Path) -> Result<Measurement> {
    let meta: CaseMeta = toml::from_str(case.front_matter)
        .map_err(|e| Error::new(format!("bench case `{}` is invalid", case.name)).caused_by(e))?;
    let started = Instant::now();
    let mut tables = Tables::new();
    let mut rows = 0;
    for source in &meta.sources {
        let loaded = load_source(source, data_dir)?;
        rows += loaded.rows_read;
        tables.insert(source.name.clone(), loaded.frame);
    }
    let load_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let ctx = AnalysisContext {
        tables: &tables,
        language: Language::En,
    };
    for spec in meta.analyses.values() {
        spec.run(&ctx)?;
    }
    Ok(Measurement {
        rows,
        load_seconds,
        run_seconds: started.elapsed().as_secs_f64(),
        peak_mib: peak_memory_mib(),
    })
}

/// Find a case by name.
pub fn case(name: &str) -> Result<&'static Case> {
    CASES.iter().find(|c| c.name == name).ok_or_else(|| {
        let names: Vec<&str> = CASES.iter().map(|c| c.name).collect();
        Error::new(format!("unknown bench case `{name}`"))
            .hint(format!("cases: {}", names.join(", ")))
    })
}

/// The process' peak resident set size (VmHWM), in MiB.
pub fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_parses_and_runs_on_small_generated_data() {
        let dir = tempfile::tempdir().unwrap();
        for case in CASES {
            let data = dir.path().join(case.dataset.name());
            if !data.exists() {
                // Amazon needs enough rows to hold some of its rare B2B orders.
                let rows = if case.dataset == CaseData::Dataset(Dataset::Amazon) {
                    3_000
                } else {
                    400
                };
                case.dataset.generate(rows, &data).unwrap();
            }
            let m = run_case(case, &data).unwrap_or_else(|e| panic!("{}: {e}", case.name));
            assert!(m.rows > 0, "{} read no rows", case.name);
        }
    }
}
