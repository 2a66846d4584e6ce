//! The Kshoe shape (report 003, business understanding): transactions of a
//! shop selling new and used shoes in Indonesia, one CSV row per order line,
//! January 2022 to December 2023, prices in rupiah.
//!
//! Planted structure: monthly transactions grow through 2022, peak around
//! the turn of the year and decline through 2023, so the last months sit
//! well below the first ones; few customers ever come back (low retention).

mod catalog;

use super::csv::CsvWriter;
use super::rng::{Rng, Weighted, ln};
use super::{days_between, ymd};
use crate::error::Result;
use catalog::{CHANNELS, CITIES, Shoe, build_shoes};
use chrono::{Datelike, NaiveDate};
use std::path::{Path, PathBuf};

pub const FILE: &str = "transactions.csv";
pub const HEADER: [&str; 12] = [
    "order_id",
    "order_date",
    "customer_id",
    "product_id",
    "product_name",
    "brand",
    "condition",
    "size",
    "price",
    "quantity",
    "city",
    "channel",
];

/// Relative number of orders per month, January 2022 to December 2023.
const MONTH_WEIGHTS: [f64; 24] = [
    1.00, 0.95, 1.05, 1.10, 1.15, 1.12, 1.20, 1.22, 1.18, 1.25, 1.35, 1.45, //
    1.20, 1.22, 1.28, 1.25, 1.15, 1.05, 0.98, 0.90, 0.82, 0.74, 0.66, 0.58,
];
/// Chance that an order comes from an earlier customer.
const RETURNING_SHARE: f64 = 0.2;
/// How far back (in customers, exponentially distributed) a returning
/// customer first bought: about two months of customers on average.
const MEAN_CUSTOMERS_BACK: f64 = 500.0;
const USED_SHARE: f64 = 0.4;
const SIZES: [&str; 12] = [
    "36", "37", "38", "39", "40", "41", "42", "42.5", "43", "44", "44.5", "45",
];
const SIZE_WEIGHTS: [f64; 12] = [
    3.0, 5.0, 7.0, 10.0, 13.0, 14.0, 14.0, 4.0, 12.0, 9.0, 2.0, 5.0,
];

/// Write `rows` order lines to `transactions.csv`, in date order.
pub fn write(rows: usize, rng: &mut Rng, out_dir: &Path) -> Result<Vec<PathBuf>> {
    let shoes = build_shoes(&mut rng.fork());
    let popularity = Weighted::zipf(shoes.len(), 1);
    let days = days_between(ymd(2022, 1, 1), ymd(2023, 12, 31));
    let labels: Vec<String> = days
        .iter()
        .map(|d| d.format("%Y-%m-%d").to_string())
        .collect();
    let line_counts = draw_line_counts(rng, rows);
    let order_days = draw_order_days(rng, &days, line_counts.len());

    let path = out_dir.join(FILE);
    let mut out = CsvWriter::create(&path, &HEADER)?;
    let mut customers = Customers::default();
    let order_base = rng.range(10_000, 90_000) as usize;
    for (k, (lines, day)) in line_counts.iter().zip(&order_days).enumerate() {
        let order = Order {
            id: format!("TRX{:07}", order_base + k),
            date: &labels[*day],
            customer: customers.draw(rng),
            city: CITIES[rng.weighted(&CITIES.map(|c| c.1))].0,
            channel: CHANNELS[rng.weighted(&CHANNELS.map(|c| c.1))].0,
        };
        for _ in 0..*lines {
            let shoe = &shoes[popularity.sample(rng)];
            write_line(&mut out, rng, &order, shoe)?;
        }
    }
    Ok(vec![out.finish()?])
}

/// The day index of each of `orders` orders, in date order: months get
/// their exact share of `MONTH_WEIGHTS` (largest remainder), days within a
/// month are uniform, so the planted trend is not blurred by chance.
fn draw_order_days(rng: &mut Rng, days: &[NaiveDate], orders: usize) -> Vec<usize> {
    let month_of = |d: &NaiveDate| ((d.year() - 2022) * 12) as usize + d.month0() as usize;
    let mut order_days = Vec::with_capacity(orders);
    for (month, count) in allocate(orders, &MONTH_WEIGHTS).into_iter().enumerate() {
        let first = days.partition_point(|d| month_of(d) < month);
        let end = days.partition_point(|d| month_of(d) <= month);
        let start = order_days.len();
        order_days.extend((0..count).map(|_| first + rng.below(end - first)));
        order_days[start..].sort_unstable();
    }
    order_days
}

/// Split `total` into parts proportional to `weights`, rounding by largest
/// remainder (ties to the earlier part) so the parts sum to `total`.
fn allocate(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let mut by_remainder: Vec<usize> = (0..weights.len()).collect();
    by_remainder.sort_by(|a, b| {
        (exact[*b] - parts[*b] as f64)
            .total_cmp(&(exact[*a] - parts[*a] as f64))
            .then(a.cmp(b))
    });
    let short = total - parts.iter().sum::<usize>();
    for i in by_remainder.into_iter().take(short) {
        parts[i] += 1;
    }
    parts
}

/// Lines per order (mostly one, some two or three) summing to `rows`.
fn draw_line_counts(rng: &mut Rng, rows: usize) -> Vec<usize> {
    let mut counts = Vec::new();
    let mut left = rows;
    while left > 0 {
        let lines = (1 + rng.weighted(&[88.0, 10.0, 2.0])).min(left);
        counts.push(lines);
        left -= lines;
    }
    counts
}

/// The customers seen so far, in order of their first purchase.
#[derive(Default)]
struct Customers {
    count: usize,
}

impl Customers {
    /// Now and then a returning customer (recent ones more likely),
    /// otherwise a new one.
    fn draw(&mut self, rng: &mut Rng) -> String {
        let id = if self.count > 0 && rng.chance(RETURNING_SHARE) {
            let back = (-MEAN_CUSTOMERS_BACK * ln(1.0 - rng.uniform())) as usize;
            self.count - back.min(self.count - 1)
        } else {
            self.count += 1;
            self.count
        };
        format!("C{id:05}")
    }
}

/// What the lines of one order share.
struct Order<'a> {
    id: String,
    date: &'a str,
    customer: String,
    city: &'static str,
    channel: &'static str,
}

fn write_line(out: &mut CsvWriter, rng: &mut Rng, order: &Order, shoe: &Shoe) -> Result<()> {
    let used = rng.chance(USED_SHARE);
    let price = if used {
        // used pairs sell at 35–70% of the new price, rounded to Rp 5.000
        let factor = rng.uniform_in(0.35, 0.7);
        ((shoe.new_price as f64 * factor / 5_000.0).round() as i64).max(1) * 5_000
    } else {
        shoe.new_price
    };
    out.text(&order.id).text(order.date).text(&order.customer);
    out.text(&shoe.id).text(&shoe.name).text(shoe.brand);
    out.text(if used { "used" } else { "new" });
    out.text(SIZES[rng.weighted(&SIZE_WEIGHTS)]);
    out.plain(price).plain(1 + rng.weighted(&[95.0, 5.0]));
    out.text(order.city).text(order.channel);
    out.end_row()
}

#[cfg(test)]
mod tests;
