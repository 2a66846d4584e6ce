//! The below-average streak: per product and month, the mean sale amount
//! (mean of the amount over the product's rows in the month); per month, the
//! all-product mean, which is the mean of those product means (each product
//! sold in the month weighs the same, whatever its number of rows). A
//! product is flagged for every run of at least N consecutive calendar
//! months below that mean; a month without a sale of the product breaks
//! the run. Rows without a product or an amount are left out (counted).

use super::input::Input;
use super::{StreakSpec, table_of};
use crate::analysis::common::{encode, month_label, number, numbers, ratio};
use crate::error::Result;
use crate::table::Table;
use polars::prelude::DataFrame;
use serde_json::{Map, Value, json};
use std::borrow::Cow;

/// A run of months below the average: product index, first slot, length.
struct Run {
    product: usize,
    start: usize,
    length: usize,
}

/// Product means by month, the month averages and the flagged runs, over
/// the products with a dated row.
pub(super) struct Streaks {
    first: i32,
    /// Product names, sorted.
    products: Vec<String>,
    /// `means[product][slot]`: mean amount, `None` when not sold.
    means: Vec<Vec<Option<f64>>>,
    /// Mean of the product means per slot.
    average: Vec<Option<f64>>,
    runs: Vec<Run>,
    missing_product: u64,
    missing_amount: u64,
}

/// Average each product per month and find its runs below the average.
pub(super) fn find_streaks(streak: &StreakSpec, df: &DataFrame, input: &Input) -> Result<Streaks> {
    let product = encode(df, &streak.product, "streak.product")?;
    let amount = match &streak.amount {
        Some(name) => Cow::Owned(numbers(df, name, "streak.amount")?),
        None => Cow::Borrowed(&input.amount),
    };
    let months = input.months();
    let n = product.names.len();
    let mut sums = vec![(0.0, 0u32); n * months];
    let (mut missing_product, mut missing_amount) = (0, 0);
    let mut dated = vec![false; n];
    for (row, month) in input.month.iter().enumerate() {
        let Some(month) = *month else { continue };
        let Some(p) = product.codes[row] else {
            missing_product += 1;
            continue;
        };
        dated[p as usize] = true;
        let Some(a) = amount[row] else {
            missing_amount += 1;
            continue;
        };
        let cell = &mut sums[p as usize * months + input.slot(month)];
        cell.0 += a;
        cell.1 += 1;
    }
    let mut order: Vec<usize> = (0..n).filter(|&p| dated[p]).collect();
    order.sort_by(|&a, &b| product.names[a].cmp(&product.names[b]));
    let means: Vec<Vec<Option<f64>>> = order
        .iter()
        .map(|&p| {
            let cells = &sums[p * months..(p + 1) * months];
            cells
                .iter()
                .map(|&(s, c)| ratio(Some(s), Some(f64::from(c))))
                .collect()
        })
        .collect();
    let average = average_of_means(&means, months);
    let runs = find_runs(&means, &average, streak.months);
    Ok(Streaks {
        first: input.first,
        products: order.iter().map(|&p| product.names[p].clone()).collect(),
        means,
        average,
        runs,
        missing_product,
        missing_amount,
    })
}

/// Mean of the product means of each month (products sold that month).
fn average_of_means(means: &[Vec<Option<f64>>], months: usize) -> Vec<Option<f64>> {
    (0..months)
        .map(|slot| {
            let sold: Vec<f64> = means.iter().filter_map(|m| m[slot]).collect();
            ratio(Some(sold.iter().sum()), Some(sold.len() as f64))
        })
        .collect()
}

/// Is the product's mean below the month's average? `None` when either is
/// undefined.
fn below(mean: Option<f64>, average: Option<f64>) -> Option<bool> {
    Some(mean? < average?)
}

/// Every run of at least `min` months below average, by product then start.
fn find_runs(means: &[Vec<Option<f64>>], average: &[Option<f64>], min: usize) -> Vec<Run> {
    let mut runs = Vec::new();
    for (product, row) in means.iter().enumerate() {
        let mut length = 0;
        for slot in 0..=row.len() {
            let is_below = slot < row.len() && below(row[slot], average[slot]) == Some(true);
            if is_below {
                length += 1;
                continue;
            }
            if length >= min {
                runs.push(Run {
                    product,
                    start: slot - length,
                    length,
                });
            }
            length = 0;
        }
    }
    runs
}

impl Streaks {
    fn label(&self, slot: usize) -> String {
        month_label(self.first + slot as i32)
    }

    fn run_months(&self, run: &Run) -> Vec<String> {
        (run.start..run.start + run.length)
            .map(|s| self.label(s))
            .collect()
    }

    /// `streak.{months, all_products_mean, products, flagged[], runs[],
    /// dropped_missing_product, dropped_missing_amount}`.
    pub fn to_json(&self, min_months: usize) -> Value {
        let runs: Vec<Value> = self
            .runs
            .iter()
            .map(|r| {
                json!({
                    "product": self.products[r.product],
                    "start": self.label(r.start),
                    "end": self.label(r.start + r.length - 1),
                    "length": r.length,
                    "months": self.run_months(r),
                })
            })
            .collect();
        let mut flagged: Vec<&str> = self
            .runs
            .iter()
            .map(|r| self.products[r.product].as_str())
            .collect();
        flagged.dedup();
        let mut r = Map::new();
        r.insert("months".into(), min_months.into());
        r.insert("all_products_mean".into(), "mean of product means".into());
        r.insert("products".into(), self.products.len().into());
        r.insert("flagged".into(), json!(flagged));
        r.insert("runs".into(), Value::Array(runs));
        r.insert(
            "dropped_missing_product".into(),
            self.missing_product.into(),
        );
        r.insert("dropped_missing_amount".into(), self.missing_amount.into());
        Value::Object(r)
    }

    /// One row per flagged run; `months` lists its months.
    pub fn runs_table(&self) -> Table {
        let rows = self.runs.iter().map(|r| {
            vec![
                self.products[r.product].clone().into(),
                self.label(r.start).into(),
                self.label(r.start + r.length - 1).into(),
                r.length.into(),
                self.run_months(r).join(", ").into(),
            ]
        });
        table_of(&["product", "start", "end", "length", "months"], rows)
    }

    /// One row per product and month from the first to the last month;
    /// `mean_amount` and `below` are null in months without a sale.
    pub fn monthly_table(&self) -> Table {
        let rows = self.means.iter().enumerate().flat_map(|(p, row)| {
            row.iter().enumerate().map(move |(slot, &mean)| {
                vec![
                    self.products[p].clone().into(),
                    self.label(slot).into(),
                    number(mean),
                    number(self.average[slot]),
                    below(mean, self.average[slot]).map_or(Value::Null, Value::from),
                ]
            })
        });
        let columns = [
            "product",
            "month",
            "mean_amount",
            "all_products_mean",
            "below",
        ];
        table_of(&columns, rows)
    }
}
