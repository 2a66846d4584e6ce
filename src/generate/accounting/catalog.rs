//! The accounting generator's masters: the items a grocery wholesaler
//! sells (with the bundles customers really buy together) and its
//! customers, each with a buying pattern over the year.

use crate::generate::rng::{Rng, Weighted};
use serde::Serialize;

/// Base items: name, category, unit, price in rupiah.
const BASE_ITEMS: [(&str, &str, &str, i64); 24] = [
    ("Kopi Bubuk Robusta 250g", "Minuman", "PCS", 28_500),
    ("Gula Pasir 1kg", "Bahan Pokok", "PCS", 17_500),
    ("Mie Instan Goreng", "Makanan Instan", "DUS", 115_000),
    ("Telur Ayam", "Bahan Pokok", "TRAY", 52_000),
    ("Tepung Terigu 1kg", "Bahan Kue", "PCS", 13_000),
    ("Mentega 200g", "Bahan Kue", "PCS", 9_500),
    ("Gula Halus 500g", "Bahan Kue", "PCS", 11_000),
    ("Beras Premium 5kg", "Bahan Pokok", "KARUNG", 78_000),
    ("Minyak Goreng 2L", "Bahan Pokok", "PCS", 36_000),
    ("Kecap Manis 600ml", "Bumbu", "PCS", 24_000),
    ("Teh Celup isi 25", "Minuman", "PCS", 7_500),
    ("Susu Kental Manis 370g", "Minuman", "PCS", 12_500),
    ("Saus Sambal 340ml", "Bumbu", "PCS", 14_000),
    ("Garam Dapur 500g", "Bumbu", "PCS", 4_500),
    ("Air Mineral 600ml", "Minuman", "DUS", 48_000),
    ("Sabun Cuci Piring 780ml", "Kebersihan", "PCS", 15_500),
    ("Deterjen Bubuk 800g", "Kebersihan", "PCS", 21_000),
    ("Sarden Kaleng 155g", "Makanan Instan", "PCS", 10_500),
    ("Biskuit Kaleng 650g", "Makanan Ringan", "PCS", 55_000),
    ("Keripik Singkong 200g", "Makanan Ringan", "PCS", 9_000),
    ("Santan Kemasan 65ml", "Bumbu", "PCS", 3_500),
    ("Bawang Goreng 100g", "Bumbu", "PCS", 12_000),
    ("Tisu Wajah 250 lembar", "Kebersihan", "PCS", 13_500),
    ("Roti Tawar", "Makanan Ringan", "PCS", 16_000),
];
/// Supplier labels that make variants of the base items in large catalogs.
const SUPPLIERS: [&str; 12] = [
    "Sinar",
    "Mekar",
    "Indah",
    "Prima",
    "Sari",
    "Murni",
    "Jaya",
    "Kencana",
    "Mulia",
    "Lestari",
    "Cemerlang",
    "Pelangi",
];

/// Bundles bought together (indices into the base items) and the share of
/// invoices that carry each: coffee and sugar, noodles and eggs, a baking
/// triple, a rice-oil-soy-sauce triple.
pub const BUNDLES: [(&[usize], f64); 4] = [
    (&[0, 1], 0.12),
    (&[2, 3], 0.08),
    (&[4, 5, 6], 0.07),
    (&[7, 8, 9], 0.05),
];

/// One item of the item master.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    pub item_no: String,
    pub name: String,
    pub item_category: &'static str,
    pub unit: &'static str,
    pub unit_price: i64,
}

/// `n` items (at least the base list): the base items, then supplier
/// variants of them.
pub fn build_items(n: usize) -> Vec<Item> {
    (0..n.max(BASE_ITEMS.len()))
        .map(|i| {
            let (base, category, unit, price) = BASE_ITEMS[i % BASE_ITEMS.len()];
            let variant = i / BASE_ITEMS.len();
            let name = if variant == 0 {
                base.to_string()
            } else {
                let supplier = SUPPLIERS[(variant - 1) % SUPPLIERS.len()];
                match (variant - 1) / SUPPLIERS.len() {
                    0 => format!("{base} {supplier}"),
                    round => format!("{base} {supplier} {}", round + 1),
                }
            };
            Item {
                item_no: format!("BRG-{:04}", i + 1),
                name,
                item_category: category,
                unit,
                unit_price: price + 500 * (variant as i64 % 7),
            }
        })
        .collect()
}

const NAME_PREFIXES: [&str; 5] = ["Toko", "CV", "UD", "PT", "Warung"];
const NAME_FIRST: [&str; 12] = [
    "Sumber", "Maju", "Sinar", "Cahaya", "Mitra", "Karya", "Bintang", "Berkah", "Anugerah",
    "Harapan", "Sentosa", "Lancar",
];
const NAME_SECOND: [&str; 10] = [
    "Rejeki",
    "Jaya",
    "Abadi",
    "Makmur",
    "Utama",
    "Baru",
    "Sejahtera",
    "Mandiri",
    "Timur",
    "Sentosa",
];
const CITIES: [&str; 7] = [
    "Jakarta Barat",
    "Jakarta Timur",
    "Bekasi",
    "Tangerang",
    "Bogor",
    "Depok",
    "Bandung",
];
const CUSTOMER_CATEGORIES: [&str; 3] = ["Retail", "Grosir", "Horeca"];

/// One customer of the customer master.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub customer_no: String,
    pub name: String,
    pub category: &'static str,
    pub city: &'static str,
    /// `dd/mm/yyyy`.
    pub create_date: String,
}

/// When and how often a customer buys: days of the year (0-based).
pub struct Pattern {
    pub first_day: usize,
    pub last_day: usize,
    /// Relative invoices per active day.
    pub rate: f64,
}

impl Pattern {
    /// Weight of this customer in the draw of an invoice's customer.
    pub fn weight(&self) -> f64 {
        self.rate * (self.last_day - self.first_day + 1) as f64
    }
}

/// Buying patterns: loyal (all year, often), regular, occasional, churned
/// (stop early in the year) and new (start late); shares of customers.
const PATTERN_SHARES: [f64; 5] = [0.10, 0.30, 0.35, 0.15, 0.10];

/// A buying pattern over a year of `days` days.
pub fn draw_pattern(rng: &mut Rng, days: usize) -> Pattern {
    let last = days - 1;
    let (first_day, last_day, rate) = match rng.weighted(&PATTERN_SHARES) {
        0 => (rng.below(20), last - rng.below(10), 6.0),
        1 => (rng.below(60), last - rng.below(40), 1.5),
        2 => (rng.below(200), last - rng.below(60), 0.4),
        3 => (rng.below(40), 90 + rng.below(120), 1.5),
        _ => (250 + rng.below(80), last - rng.below(10), 1.5),
    };
    // spread within a pattern: exp(N(0, 0.5)) around the pattern's rate
    let spread = rng.lognormal(1.0, 0.5);
    Pattern {
        first_day,
        last_day: last_day.max(first_day),
        rate: rate * spread,
    }
}

/// The customer at `index` (0-based), named from `names`; created before
/// the invoiced year.
pub fn draw_customer(rng: &mut Rng, index: usize, names: &[String]) -> Customer {
    let year = 2019 + rng.below(5) as i32;
    Customer {
        customer_no: format!("C.{:05}", index + 1),
        name: names[index % names.len()].clone(),
        category: CUSTOMER_CATEGORIES[rng.weighted(&[60.0, 30.0, 10.0])],
        city: CITIES[rng.below(CITIES.len())],
        create_date: format!("{:02}/{:02}/{year}", 1 + rng.below(28), 1 + rng.below(12)),
    }
}

/// Shop names in a shuffled order, numbered when more are needed.
pub fn draw_names(rng: &mut Rng, n: usize) -> Vec<String> {
    let mut names = Vec::new();
    for prefix in NAME_PREFIXES {
        for first in NAME_FIRST {
            for second in NAME_SECOND.iter().filter(|s| **s != first) {
                names.push(format!("{prefix} {first} {second}"));
            }
        }
    }
    rng.shuffle(&mut names);
    let base = names.len();
    for i in base..n {
        names.push(format!("{} {}", names[i % base], i / base + 1));
    }
    names
}

/// Item popularity for filling invoice lines (Zipf over a shuffled order).
pub fn item_popularity(rng: &mut Rng, n: usize) -> (Vec<usize>, Weighted) {
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    (order, Weighted::zipf(n, 1))
}
