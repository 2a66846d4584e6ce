//! The "Chocolate Sales" shape (report 001, K-Means segmentation): one CSV
//! row per shipment, Jan–Aug 2022 weekdays, six countries, 22 products and
//! 25 sales people. `Date` looks like `04-Jan-22`; `Amount` is text like
//! `$5,320 ` (dollar sign, thousands comma, usually a trailing space).
//!
//! Planted structure: four buyer clusters in (amount, boxes, amount per box)
//! — explorers (mid-size orders), mass buyers (many cheap boxes), premium
//! buyers (few dear boxes) and price-sensitive testers (tiny orders) — and three products whose mean amount falls below the monthly
//! all-product mean in June, July and August. Other products alternate two
//! promotion months (more premium and mass buyers) with two plain ones, and
//! each month sells every product about equally often, so few of them lag
//! three months running by chance.

use super::csv::CsvWriter;
use super::rng::{Rng, Weighted};
use super::{days_between, ymd};
use crate::error::Result;
use chrono::{Datelike, NaiveDate};
use std::fmt;
use std::path::{Path, PathBuf};

pub const FILE: &str = "chocolate_sales.csv";
pub const HEADER: [&str; 6] = [
    "Sales Person",
    "Country",
    "Product",
    "Date",
    "Amount",
    "Boxes Shipped",
];

const COUNTRIES: [&str; 6] = ["UK", "India", "Australia", "New Zealand", "USA", "Canada"];

pub const PRODUCTS: [&str; 22] = [
    "50% Dark Bites",
    "70% Dark Bites",
    "85% Dark Bars",
    "99% Dark & Pure",
    "After Nines",
    "Almond Choco",
    "Baker's Choco Chips",
    "Caramel Stuffed Bars",
    "Choco Coated Almonds",
    "Drinking Coco",
    "Eclairs",
    "Fruit & Nut Bars",
    "Manuka Honey Choco",
    "Milk Bars",
    "Mint Chip Choco",
    "Orange Choco",
    "Organic Choco Syrup",
    "Peanut Butter Cubes",
    "Raspberry Choco",
    "Smooth Sliky Salty",
    "Spicy Special Slims",
    "White Choc",
];

/// Products planted to sell below the monthly average from June to August.
pub const LAGGARDS: [&str; 3] = [
    "Drinking Coco",
    "Organic Choco Syrup",
    "Spicy Special Slims",
];

const SALES_PEOPLE: [&str; 25] = [
    "Aditi Rahman",
    "Bram Okafor",
    "Carla Jindal",
    "Dario Lindqvist",
    "Elif Nakamura",
    "Farrah Quist",
    "Gideon Mwangi",
    "Hana Kowalczyk",
    "Ivo Castellanos",
    "Jasmin Holt",
    "Kenji Adebayo",
    "Lotte Varga",
    "Mateo Sorensen",
    "Nadia Oyelaran",
    "Oskar Brennan",
    "Priya Halvorsen",
    "Quentin Abara",
    "Rosa Takeda",
    "Sven Mbatha",
    "Talia Moreau",
    "Umar Fitzgerald",
    "Vera Kasprzak",
    "Wendell Osei",
    "Xenia Bergström",
    "Yusuf Delacroix",
];

/// Buyer clusters: share of rows, median boxes, median amount per box (USD).
const CLUSTERS: [(f64, f64, f64); 4] = [
    (0.35, 150.0, 22.0), // explorers
    (0.20, 450.0, 11.0), // mass buyers
    (0.15, 40.0, 140.0), // premium buyers
    (0.30, 10.0, 70.0),  // price-sensitive testers
];
/// In a product's promotion months (two on, two off, staggered across
/// products) its mix leans to mass and premium buyers.
const PROMOTION_TILT: [f64; 4] = [1.0, 2.0, 4.0, 0.2];
/// Laggards in their weak months draw only explorers and testers, cheaper.
const LAGGARD_CLUSTER_WEIGHTS: [f64; 4] = [0.5, 0.0, 0.0, 0.5];
const LAGGARD_PRICE_FACTOR: f64 = 0.8;
/// Relative shipment volume per month, January to August.
const MONTH_WEIGHTS: [f64; 8] = [1.1, 0.95, 1.0, 0.9, 1.05, 1.1, 1.2, 0.95];

/// Write `rows` shipments to `chocolate_sales.csv`.
pub fn write(rows: usize, rng: &mut Rng, out_dir: &Path) -> Result<Vec<PathBuf>> {
    let days: Vec<NaiveDate> = days_between(ymd(2022, 1, 3), ymd(2022, 8, 31))
        .into_iter()
        .filter(|d| d.weekday().number_from_monday() <= 5)
        .collect();
    let day_weights = Weighted::new(days.iter().map(|d| MONTH_WEIGHTS[d.month0() as usize]));
    let labels: Vec<String> = days
        .iter()
        .map(|d| d.format("%d-%b-%y").to_string())
        .collect();
    let tilts: Vec<[f64; 4]> = PRODUCTS
        .iter()
        .map(|_| CLUSTERS.map(|c| c.0 * rng.uniform_in(0.85, 1.15)))
        .collect();
    let country_weights = Weighted::new(COUNTRIES.iter().map(|_| rng.uniform_in(0.8, 1.2)));
    let mut cells = CellDraws::new(rng, PRODUCTS.len() * MONTH_WEIGHTS.len());
    let mut decks: Vec<Deck> = MONTH_WEIGHTS
        .iter()
        .map(|_| Deck::new(PRODUCTS.len()))
        .collect();

    let path = out_dir.join(FILE);
    let mut out = CsvWriter::create(&path, &HEADER)?;
    for _ in 0..rows {
        let day = day_weights.sample(rng);
        let month0 = days[day].month0();
        let product = decks[month0 as usize].deal(rng);
        let (mix, price_factor) = shipment_mix(product, month0, &tilts[product]);
        let u = cells.next(product * MONTH_WEIGHTS.len() + month0 as usize);
        let (boxes, amount) = draw_shipment(rng, pick_by(u, &mix), price_factor);
        let person = SALES_PEOPLE[rng.below(SALES_PEOPLE.len())];
        out.text(person);
        out.text(COUNTRIES[country_weights.sample(rng)]);
        out.text(PRODUCTS[product]).text(&labels[day]);
        let trailing_space = rng.chance(0.85);
        out.text(&Dollars(amount, trailing_space).to_string());
        out.plain(boxes);
        out.end_row()?;
    }
    Ok(vec![out.finish()?])
}

/// The cluster weights and price factor of a product in a month (0-based):
/// laggards are weak from June on; otherwise two promotion months follow
/// two plain ones, so every three-month window holds a promotion month and
/// other products rarely lag three months running by chance.
fn shipment_mix(product: usize, month0: u32, tilt: &[f64; 4]) -> ([f64; 4], f64) {
    if LAGGARDS.contains(&PRODUCTS[product]) && month0 >= 5 {
        (LAGGARD_CLUSTER_WEIGHTS, LAGGARD_PRICE_FACTOR)
    } else if (month0 as usize + product) % 4 < 2 {
        (std::array::from_fn(|c| tilt[c] * PROMOTION_TILT[c]), 1.0)
    } else {
        (*tilt, 1.0)
    }
}

/// A shuffled deck of product indices, reshuffled when dealt out: each
/// month sells every product about equally often, so no product-month cell
/// is empty by chance.
struct Deck {
    cards: Vec<usize>,
    dealt: usize,
}

impl Deck {
    fn new(n: usize) -> Self {
        Deck {
            cards: (0..n).collect(),
            dealt: n,
        }
    }

    fn deal(&mut self, rng: &mut Rng) -> usize {
        if self.dealt == self.cards.len() {
            rng.shuffle(&mut self.cards);
            self.dealt = 0;
        }
        self.dealt += 1;
        self.cards[self.dealt - 1]
    }
}

/// Low-discrepancy cluster draws per (product, month) cell: the k-th row
/// of a cell uses frac(offset + k·φ), so even a cell of six rows gets close
/// to its expected cluster mix and product-month means are not ruled by
/// the luck of one premium shipment.
struct CellDraws {
    offsets: Vec<f64>,
    counts: Vec<u32>,
}

impl CellDraws {
    fn new(rng: &mut Rng, cells: usize) -> Self {
        CellDraws {
            offsets: (0..cells).map(|_| rng.uniform()).collect(),
            counts: vec![0; cells],
        }
    }

    /// The next point in [0, 1) of `cell`'s sequence.
    fn next(&mut self, cell: usize) -> f64 {
        const GOLDEN: f64 = 0.618_033_988_749_894_9;
        let u = self.offsets[cell] + self.counts[cell] as f64 * GOLDEN;
        self.counts[cell] += 1;
        u - u.floor()
    }
}

/// The index whose share of the weights' total covers `u` in [0, 1).
fn pick_by(u: f64, weights: &[f64; 4]) -> usize {
    let mut target = u * weights.iter().sum::<f64>();
    for (i, w) in weights.iter().enumerate() {
        if target < *w {
            return i;
        }
        target -= w;
    }
    weights.len() - 1
}

/// Boxes and whole-dollar amount of one shipment of a cluster.
fn draw_shipment(rng: &mut Rng, cluster: usize, price_factor: f64) -> (i64, i64) {
    let (_, boxes_median, price_median) = CLUSTERS[cluster];
    let boxes = rng.lognormal(boxes_median, 0.2).round().max(1.0);
    let price = rng.lognormal(price_median, 0.15) * price_factor;
    (boxes as i64, (boxes * price).round() as i64)
}

/// Whole dollars as the original writes them: `$5,320 ` or `$623`.
struct Dollars(i64, bool);

impl fmt::Display for Dollars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.to_string();
        f.write_str("$")?;
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                f.write_str(",")?;
            }
            write!(f, "{c}")?;
        }
        if self.1 {
            f.write_str(" ")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
