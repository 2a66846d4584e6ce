//! The "Amazon Sale Report" shape (report 000, B2B deep dive): one CSV row
//! per order line, 31 Mar – 29 Jun 2022, with the original's messiness
//! (header `Sales Channel ` with a trailing space, `MM-DD-YY` dates, postal
//! codes as floats, `Amount` and `currency` empty on many cancelled rows,
//! quoted comma-separated promotion ids, a few lower-case state names).
//!
//! Planted structure: B2B orders (under 1% of rows) have more lines and
//! more units per line (AOV about 3x B2C), fall mostly on weekdays, and
//! over-represent the Set category and sizes L and XL.

mod catalog;

use super::csv::CsvWriter;
use super::rng::Rng;
use crate::error::Result;
use catalog::{
    AMAZON_STATUS_WEIGHTS, CANCELLED, CATEGORIES, Catalog, FREE_SHIPPING_PROMO, FREE_SIZE,
    MERCHANT_STATUS_WEIGHTS, ORDER_PREFIXES, PLACES, SIZES, STATUSES, build_catalog,
};
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

/// The promotion ids an order carries.
enum Promo {
    None,
    /// Amazon's free-shipping promotion.
    FreeShipping,
    /// The first k + 1 of the catalog's merchant promotion ids.
    Merchant(usize),
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
    promo: Promo,
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
        Promo::None
    } else if amazon_fulfilled {
        Promo::FreeShipping
    } else {
        Promo::Merchant(rng.weighted(&[30.0, 15.0, 10.0, 8.0, 6.0, 5.0, 4.0, 3.0]))
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
    let category = CATEGORIES[style.category].name;
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
    let (fulfilment, service_level, fulfilled_by) = if order.amazon_fulfilled {
        ("Amazon", "Expedited", "")
    } else {
        ("Merchant", "Standard", "Easy Ship")
    };
    let channel = if order.non_amazon {
        "Non-Amazon"
    } else {
        "Amazon.in"
    };
    out.text(STATUSES[status]).text(fulfilment).text(channel);
    out.text(service_level);
    out.text(&style.code).text(&style.skus[size]).text(category);
    out.text(SIZES[size]).text(&style.asins[size]);
    out.text(courier_status(rng, status)).plain(qty);
    match amount {
        Some(paise) => out.text("INR").plain(PythonFloat(paise)),
        None => out.empty().empty(),
    };
    write_place(out, rng, &PLACES[order.place]);
    match order.promo {
        Promo::None => out.empty(),
        Promo::FreeShipping => out.text(FREE_SHIPPING_PROMO),
        Promo::Merchant(k) => out.text(&catalog.merchant_promos[k]),
    };
    out.text(if order.b2b { "True" } else { "False" });
    out.text(fulfilled_by);
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
mod tests;
