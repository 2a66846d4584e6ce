//! The "Amazon Sale Report" shape (report 000, B2B deep dive): one CSV row
//! per order line, 31 Mar – 29 Jun 2022, with the original's messiness
//! (header `Sales Channel ` with a trailing space, `MM-DD-YY` dates, postal
//! codes as floats, `Amount` and `currency` empty on many cancelled rows,
//! quoted comma-separated promotion ids, a few lower-case state names).
//!
//! Planted structure: B2B orders (under 1% of rows) have more lines and
//! more units per line (AOV about 3x B2C), fall mostly on weekdays, and
//! over-represent the Set category and sizes L and XL.

use super::csv::CsvWriter;
use super::rng::{Rng, Weighted};
use super::{days_between, ymd};
use crate::error::Result;
use std::path::{Path, PathBuf};

pub const FILE: &str = "amazon_sale_report.csv";

pub const HEADER: [&str; 23] = [
    "index",
    "Order ID",
    "Date",
    "Status",
    "Fulfilment",
    "Sales Channel ",
    "ship-service-level",
    "Style",
    "SKU",
    "Category",
    "Size",
    "ASIN",
    "Courier Status",
    "Qty",
    "currency",
    "Amount",
    "ship-city",
    "ship-state",
    "ship-postal-code",
    "ship-country",
    "promotion-ids",
    "B2B",
    "fulfilled-by",
];

/// Share of orders placed by businesses; with their longer orders this
/// makes about 0.7% of rows B2B, as in the original.
const B2B_ORDER_SHARE: f64 = 0.0045;

/// Category: name, style-code prefix, first style number, number of
/// styles, SKU infix, base price (INR), B2C weight, B2B weight.
struct CategorySpec(
    &'static str,
    &'static str,
    u32,
    usize,
    &'static str,
    f64,
    f64,
    f64,
);

const CATEGORIES: [CategorySpec; 9] = [
    CategorySpec("Set", "SET", 100, 120, "KR-NP", 830.0, 39.0, 58.0),
    CategorySpec("kurta", "JNE", 3000, 150, "KR", 450.0, 39.0, 24.0),
    CategorySpec("Western Dress", "J0", 100, 60, "DR", 760.0, 12.0, 8.0),
    CategorySpec("Top", "PJNE", 2000, 40, "TP", 530.0, 8.0, 6.0),
    CategorySpec("Ethnic Dress", "MEN", 5000, 12, "DR", 720.0, 0.9, 1.5),
    CategorySpec("Blouse", "BL", 100, 10, "BL", 520.0, 0.7, 1.0),
    CategorySpec("Bottom", "BTM", 100, 6, "PL", 360.0, 0.3, 1.0),
    CategorySpec("Saree", "SAR", 100, 3, "SR", 800.0, 0.1, 0.3),
    CategorySpec("Dupatta", "DPT", 100, 2, "DPT", 305.0, 0.05, 0.2),
];

const SIZES: [&str; 11] = [
    "XS", "S", "M", "L", "XL", "XXL", "3XL", "4XL", "5XL", "6XL", "Free",
];
/// The SKU spells 3XL as XXXL, as the original does.
const SKU_SIZES: [&str; 11] = [
    "XS", "S", "M", "L", "XL", "XXL", "XXXL", "4XL", "5XL", "6XL", "Free",
];
const FREE_SIZE: usize = 10;
const B2C_SIZE_WEIGHTS: [f64; 10] = [8.0, 13.0, 17.5, 17.0, 16.0, 14.0, 11.5, 0.3, 0.4, 0.6];
const B2B_SIZE_WEIGHTS: [f64; 10] = [4.0, 8.0, 14.0, 27.0, 26.0, 12.0, 7.0, 0.3, 0.4, 0.6];

const STATUSES: [&str; 13] = [
    "Shipped",
    "Shipped - Delivered to Buyer",
    "Cancelled",
    "Shipped - Returned to Seller",
    "Shipped - Picked Up",
    "Pending",
    "Pending - Waiting for Pick Up",
    "Shipped - Returning to Seller",
    "Shipped - Out for Delivery",
    "Shipped - Rejected by Buyer",
    "Shipping",
    "Shipped - Lost in Transit",
    "Shipped - Damaged",
];
const CANCELLED: usize = 2;
const AMAZON_STATUS_WEIGHTS: [f64; 13] = [
    86.8, 0.0, 12.0, 0.0, 0.0, 0.7, 0.0, 0.0, 0.0, 0.0, 0.01, 0.0, 0.0,
];
const MERCHANT_STATUS_WEIGHTS: [f64; 13] = [
    0.0, 73.0, 18.5, 5.0, 2.5, 0.9, 0.7, 0.37, 0.09, 0.03, 0.01, 0.013, 0.003,
];

/// City, state, first three postal digits, weight.
const PLACES: [(&str, &str, u32, f64); 30] = [
    ("BENGALURU", "KARNATAKA", 560, 9.0),
    ("HYDERABAD", "TELANGANA", 500, 7.0),
    ("MUMBAI", "MAHARASHTRA", 400, 5.6),
    ("NEW DELHI", "DELHI", 110, 5.0),
    ("CHENNAI", "TAMIL NADU", 600, 5.0),
    ("PUNE", "MAHARASHTRA", 411, 4.0),
    ("KOLKATA", "WEST BENGAL", 700, 2.0),
    ("GURUGRAM", "HARYANA", 122, 1.5),
    ("THANE", "MAHARASHTRA", 400, 1.3),
    ("LUCKNOW", "UTTAR PRADESH", 226, 1.2),
    ("NOIDA", "UTTAR PRADESH", 201, 1.2),
    ("AHMEDABAD", "GUJARAT", 380, 1.0),
    ("JAIPUR", "RAJASTHAN", 302, 1.0),
    ("GHAZIABAD", "UTTAR PRADESH", 201, 0.8),
    ("BHUBANESWAR", "ODISHA", 751, 0.7),
    ("KOCHI", "KERALA", 682, 0.6),
    ("GUWAHATI", "ASSAM", 781, 0.6),
    ("PATNA", "BIHAR", 800, 0.6),
    ("CHANDIGARH", "CHANDIGARH", 160, 0.5),
    ("INDORE", "MADHYA PRADESH", 452, 0.5),
    ("NAGPUR", "MAHARASHTRA", 440, 0.5),
    ("DEHRADUN", "UTTARAKHAND", 248, 0.4),
    ("VISAKHAPATNAM", "ANDHRA PRADESH", 530, 0.4),
    ("COIMBATORE", "TAMIL NADU", 641, 0.4),
    ("LUDHIANA", "PUNJAB", 141, 0.3),
    ("MYSURU", "KARNATAKA", 570, 0.3),
    ("BHOPAL", "MADHYA PRADESH", 462, 0.3),
    ("RAIPUR", "CHHATTISGARH", 492, 0.3),
    ("RANCHI", "JHARKHAND", 834, 0.3),
    ("PANAJI", "GOA", 403, 0.2),
];

const FREE_SHIPPING_PROMO: &str = "IN Core Free Shipping 2015/04/08 23-48-5-108";
const ORDER_PREFIXES: [u32; 8] = [171, 402, 403, 404, 405, 406, 407, 408];

/// One style of the catalog with its SKU and ASIN per size.
struct Style {
    code: String,
    category: usize,
    price: f64,
    skus: Vec<String>,
    asins: Vec<String>,
}

/// Everything drawn once per file: styles, popularity, dates, places, promos.
struct Catalog {
    styles: Vec<Style>,
    /// Per category: its style indices and their popularity.
    category_styles: Vec<(Vec<usize>, Weighted)>,
    categories: [Weighted; 2],
    sizes: [Weighted; 2],
    days: Vec<String>,
    day_weights: [Weighted; 2],
    places: Weighted,
    merchant_promos: Vec<String>,
}

/// Write `rows` order lines to `amazon_sale_report.csv`.
pub fn write(rows: usize, rng: &mut Rng, out_dir: &Path) -> Result<Vec<PathBuf>> {
    let catalog = build_catalog(&mut rng.fork());
    let path = out_dir.join(FILE);
    let mut out = CsvWriter::create(&path, &HEADER)?;
    let mut index = 0;
    while index < rows {
        let order = draw_order(rng, &catalog);
        let lines = order.lines.min(rows - index);
        let fixed_style = (order.b2b && rng.chance(0.5)).then(|| draw_style(rng, &catalog, true));
        for _ in 0..lines {
            let style = fixed_style.unwrap_or_else(|| draw_style(rng, &catalog, order.b2b));
            write_line(&mut out, rng, &catalog, &order, style, index)?;
            index += 1;
        }
    }
    Ok(vec![out.finish()?])
}

fn build_catalog(rng: &mut Rng) -> Catalog {
    let mut styles = Vec::new();
    let mut category_styles = Vec::new();
    for (c, spec) in CATEGORIES.iter().enumerate() {
        let first = styles.len();
        for i in 0..spec.3 {
            let number = spec.2 + 3 * i as u32 + rng.below(3) as u32;
            let code = format!("{}{number}", spec.1);
            let skus = SKU_SIZES
                .iter()
                .map(|s| format!("{code}-{}-{s}", spec.4))
                .collect();
            let asins = SIZES.iter().map(|_| draw_asin(rng)).collect();
            let price = (spec.5 * rng.lognormal(1.0, 0.2)).round();
            styles.push(Style {
                code,
                category: c,
                price,
                skus,
                asins,
            });
        }
        let mut members: Vec<usize> = (first..styles.len()).collect();
        rng.shuffle(&mut members);
        let popularity = Weighted::zipf(members.len(), 2);
        category_styles.push((members, popularity));
    }
    let days: Vec<_> = days_between(ymd(2022, 3, 31), ymd(2022, 6, 29));
    let weekend: Vec<bool> = days
        .iter()
        .map(|d| chrono::Datelike::weekday(d).number_from_monday() >= 6)
        .collect();
    let trend = |i: usize| 1.0 - 0.25 * i as f64 / days.len() as f64;
    let b2b_days = Weighted::new(
        weekend
            .iter()
            .enumerate()
            .map(|(i, w)| trend(i) * if *w { 0.12 } else { 1.0 }),
    );
    Catalog {
        styles,
        category_styles,
        categories: [
            Weighted::new(CATEGORIES.iter().map(|c| c.6)),
            Weighted::new(CATEGORIES.iter().map(|c| c.7)),
        ],
        sizes: [
            Weighted::new(B2C_SIZE_WEIGHTS),
            Weighted::new(B2B_SIZE_WEIGHTS),
        ],
        day_weights: [Weighted::new((0..days.len()).map(trend)), b2b_days],
        days: days
            .iter()
            .map(|d| d.format("%m-%d-%y").to_string())
            .collect(),
        places: Weighted::new(PLACES.iter().map(|p| p.3)),
        merchant_promos: draw_merchant_promos(rng),
    }
}

/// An ASIN: `B0` and eight upper-case letters or digits.
fn draw_asin(rng: &mut Rng) -> String {
    const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut asin = String::from("B0");
    for _ in 0..8 {
        asin.push(*rng.pick(ALNUM) as char);
    }
    asin
}

/// Comma-joined lists of 1..=8 merchant promotion ids sharing a prefix, as
/// the original's merchant rows carry them.
fn draw_merchant_promos(rng: &mut Rng) -> Vec<String> {
    const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut joined = Vec::new();
    let mut list = String::new();
    for _ in 0..8 {
        let code: String = (0..13).map(|_| *rng.pick(ALNUM) as char).collect();
        if !list.is_empty() {
            list.push(',');
        }
        list.push_str("Amazon PLCC Free-Financing Universal Merchant AAT-");
        list.push_str(&code);
        joined.push(list.clone());
    }
    joined
}

/// What all lines of one order share.
struct Order {
    id: String,
    b2b: bool,
    day: usize,
    amazon_fulfilled: bool,
    /// Sold through another channel (a rare merchant order).
    non_amazon: bool,
    status: usize,
    place: usize,
    promo: Option<usize>,
    lines: usize,
}

fn draw_order(rng: &mut Rng, catalog: &Catalog) -> Order {
    let b2b = rng.chance(B2B_ORDER_SHARE);
    let amazon_fulfilled = rng.chance(0.695);
    let status_weights = if amazon_fulfilled {
        &AMAZON_STATUS_WEIGHTS
    } else {
        &MERCHANT_STATUS_WEIGHTS
    };
    let lines = if b2b {
        1 + rng.weighted(&[55.0, 25.0, 10.0, 5.0, 3.0, 2.0])
    } else {
        1 + rng.weighted(&[90.0, 7.0, 2.0, 0.7, 0.3])
    };
    let promo = if !rng.chance(0.6) {
        None
    } else if amazon_fulfilled {
        Some(usize::MAX)
    } else {
        Some(rng.weighted(&[30.0, 15.0, 10.0, 8.0, 6.0, 5.0, 4.0, 3.0]))
    };
    Order {
        id: format!(
            "{}-{:07}-{:07}",
            rng.pick(&ORDER_PREFIXES),
            rng.below(10_000_000),
            rng.below(10_000_000)
        ),
        b2b,
        day: catalog.day_weights[b2b as usize].sample(rng),
        amazon_fulfilled,
        non_amazon: !amazon_fulfilled && rng.chance(0.003),
        status: rng.weighted(status_weights),
        place: catalog.places.sample(rng),
        promo,
        lines,
    }
}

fn draw_style(rng: &mut Rng, catalog: &Catalog, b2b: bool) -> usize {
    let category = catalog.categories[b2b as usize].sample(rng);
    let (members, popularity) = &catalog.category_styles[category];
    members[popularity.sample(rng)]
}

fn draw_size(rng: &mut Rng, catalog: &Catalog, category: &str, b2b: bool) -> usize {
    match category {
        "Saree" | "Dupatta" => FREE_SIZE,
        "Blouse" if rng.chance(0.5) => FREE_SIZE,
        _ => catalog.sizes[b2b as usize].sample(rng),
    }
}

fn draw_qty(rng: &mut Rng, b2b: bool) -> i64 {
    if !b2b {
        1 + rng.weighted(&[96.5, 3.0, 0.4, 0.1]) as i64
    } else if rng.chance(0.04) {
        rng.range(8, 15)
    } else {
        1 + rng.weighted(&[55.0, 20.0, 10.0, 7.0, 4.0, 4.0]) as i64
    }
}

/// Line amount in paise: price times units, sometimes discounted to odd paise.
fn draw_amount_paise(rng: &mut Rng, price: f64, units: i64, b2b: bool) -> i64 {
    let discount = if b2b && rng.chance(0.4) {
        rng.uniform_in(0.8, 0.95)
    } else if rng.chance(0.3) {
        rng.uniform_in(0.85, 0.99)
    } else {
        1.0
    };
    (price * 100.0 * units as f64 * discount).round() as i64
}

fn write_line(
    out: &mut CsvWriter,
    rng: &mut Rng,
    catalog: &Catalog,
    order: &Order,
    style_index: usize,
    index: usize,
) -> Result<()> {
    let style = &catalog.styles[style_index];
    let category = CATEGORIES[style.category].0;
    let size = draw_size(rng, catalog, category, order.b2b);
    let status = if order.status != CANCELLED && order.lines > 1 && rng.chance(0.03) {
        CANCELLED
    } else {
        order.status
    };
    let cancelled = status == CANCELLED;
    let mut qty = draw_qty(rng, order.b2b);
    let paise = draw_amount_paise(rng, style.price, qty, order.b2b);
    if cancelled && rng.chance(0.85) {
        qty = 0;
    }
    let amount = (!cancelled || rng.chance(0.55)).then_some(paise);
    out.plain(index)
        .text(&order.id)
        .text(&catalog.days[order.day]);
    out.text(STATUSES[status]);
    out.text(if order.amazon_fulfilled {
        "Amazon"
    } else {
        "Merchant"
    });
    out.text(if order.non_amazon {
        "Non-Amazon"
    } else {
        "Amazon.in"
    });
    out.text(if order.amazon_fulfilled {
        "Expedited"
    } else {
        "Standard"
    });
    out.text(&style.code).text(&style.skus[size]).text(category);
    out.text(SIZES[size]).text(&style.asins[size]);
    out.text(courier_status(rng, status)).plain(qty);
    match amount {
        Some(paise) => out.text("INR").plain(PythonFloat(paise)),
        None => out.empty().empty(),
    };
    write_place(out, rng, &PLACES[order.place]);
    match order.promo {
        None => out.empty(),
        Some(usize::MAX) => out.text(FREE_SHIPPING_PROMO),
        Some(k) => out.text(&catalog.merchant_promos[k]),
    };
    out.text(if order.b2b { "True" } else { "False" });
    out.text(if order.amazon_fulfilled {
        ""
    } else {
        "Easy Ship"
    });
    out.end_row()
}

fn courier_status(rng: &mut Rng, status: usize) -> &'static str {
    match STATUSES[status] {
        "Cancelled" => ["Cancelled", "Unshipped", ""][rng.weighted(&[35.0, 30.0, 35.0])],
        "Pending" | "Pending - Waiting for Pick Up" => "Unshipped",
        "Shipping" => "",
        _ => "Shipped",
    }
}

/// City, state (now and then in title case), postal code as a float, country;
/// all four empty on a rare row.
fn write_place(out: &mut CsvWriter, rng: &mut Rng, place: &(&str, &str, u32, f64)) {
    if rng.chance(0.0003) {
        out.empty().empty().empty().empty();
        return;
    }
    out.text(place.0);
    if rng.chance(0.01) {
        out.text(&title_case(place.1));
    } else {
        out.text(place.1);
    }
    out.plain(format_args!("{}{:03}.0", place.2, rng.below(1000)));
    out.text("IN");
}

fn title_case(upper: &str) -> String {
    upper
        .split(' ')
        .map(|w| {
            let mut word = w[..1].to_string();
            word.push_str(&w[1..].to_ascii_lowercase());
            word
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Paise written like a pandas float: `406.0`, `647.6`, `647.62`.
struct PythonFloat(i64);

impl std::fmt::Display for PythonFloat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (rupees, paise) = (self.0 / 100, self.0 % 100);
        if paise % 10 == 0 {
            write!(f, "{rupees}.{}", paise / 10)
        } else {
            write!(f, "{rupees}.{paise:02}")
        }
    }
}

#[cfg(test)]
#[path = "amazon_tests.rs"]
mod tests;
