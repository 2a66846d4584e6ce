//! The thelook e-commerce shape (report 002, customer value): four related
//! CSV tables — `users`, `orders`, `order_items`, `products` — with UTC
//! timestamps (`2022-03-14 07:39:05 UTC` in orders, `+00:00` in users and
//! items) and prices as widened 32-bit floats, as BigQuery exports them.
//! Orders run from 2021 to the end of 2023.
//!
//! Planted structure: most buyers order once (repeat rate about 28%), a
//! fifth of the users never order, a few premium buyers of the dearest
//! products make a heavy revenue tail, statuses are Complete, Shipped,
//! Processing, Cancelled and Returned, and some relations are broken:
//! orders (and their items) of deleted users, items of deleted orders, and
//! items of discontinued products missing from `products.csv`.

mod catalog;

use super::csv::CsvWriter;
use super::rng::Rng;
use crate::error::Result;
use catalog::{
    Catalog, F32Dollars, FIRST_NAMES, LAST_NAMES, PLACES, TRAFFIC_SOURCES, build_catalog,
};
use chrono::{DateTime, Datelike, Timelike};
use std::fmt;
use std::path::{Path, PathBuf};

pub const USERS_HEADER: [&str; 11] = [
    "id",
    "first_name",
    "last_name",
    "email",
    "age",
    "gender",
    "state",
    "city",
    "country",
    "traffic_source",
    "created_at",
];
pub const ORDERS_HEADER: [&str; 9] = [
    "order_id",
    "user_id",
    "status",
    "gender",
    "created_at",
    "returned_at",
    "shipped_at",
    "delivered_at",
    "num_of_item",
];
pub const ITEMS_HEADER: [&str; 11] = [
    "id",
    "order_id",
    "user_id",
    "product_id",
    "inventory_item_id",
    "status",
    "created_at",
    "shipped_at",
    "delivered_at",
    "returned_at",
    "sale_price",
];
pub const PRODUCTS_HEADER: [&str; 9] = [
    "id",
    "cost",
    "category",
    "name",
    "brand",
    "retail_price",
    "department",
    "sku",
    "distribution_center_id",
];

const STATUSES: [&str; 5] = ["Complete", "Shipped", "Processing", "Cancelled", "Returned"];
const STATUS_WEIGHTS: [f64; 5] = [25.0, 30.0, 20.0, 15.0, 10.0];
/// Buyers with 1, 2, 3, 4 and 5–8 orders.
const ORDERS_PER_BUYER: [f64; 5] = [72.0, 18.0, 6.0, 2.5, 1.5];
const ITEMS_PER_ORDER: [f64; 4] = [60.0, 25.0, 10.0, 5.0];
const NON_BUYER_SHARE: f64 = 0.2;
const DELETED_USER_SHARE: f64 = 0.004;
const DELETED_ORDER_SHARE: f64 = 0.003;
/// 2021-01-01 00:00:00 and 2023-12-31 23:59:59 UTC.
const FIRST_SECOND: i64 = 1_609_459_200;
const LAST_SECOND: i64 = 1_704_067_199;
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// Write `rows` order items and the users, orders and products behind them.
pub fn write(rows: usize, rng: &mut Rng, out_dir: &Path) -> Result<Vec<PathBuf>> {
    let catalog = build_catalog(&mut rng.fork(), (rows / 6).clamp(50, 30_000));
    let products = write_products(&out_dir.join("products.csv"), &catalog)?;
    let mut tables = Tables {
        users: CsvWriter::create(&out_dir.join("users.csv"), &USERS_HEADER)?,
        orders: CsvWriter::create(&out_dir.join("orders.csv"), &ORDERS_HEADER)?,
        items: CsvWriter::create(&out_dir.join("order_items.csv"), &ITEMS_HEADER)?,
        next_user: 1,
        next_order: 1,
        items_written: 0,
        next_inventory: rng.range(10_000, 20_000),
    };
    while tables.items_written < rows {
        let user = write_user(&mut tables, rng)?;
        if rng.chance(NON_BUYER_SHARE) {
            continue;
        }
        let orders = match rng.weighted(&ORDERS_PER_BUYER) {
            4 => rng.range(5, 8),
            k => k as i64 + 1,
        };
        let premium = rng.chance(if orders >= 3 { 0.2 } else { 0.05 });
        for _ in 0..orders {
            if tables.items_written == rows {
                break;
            }
            write_order(&mut tables, rng, &catalog, &user, premium, rows)?;
        }
    }
    Ok(vec![
        tables.users.finish()?,
        tables.orders.finish()?,
        tables.items.finish()?,
        products,
    ])
}

fn write_products(path: &Path, catalog: &Catalog) -> Result<PathBuf> {
    let mut out = CsvWriter::create(path, &PRODUCTS_HEADER)?;
    for p in catalog.products.iter().filter(|p| !p.discontinued) {
        out.plain(p.id).plain(p.cost).text(p.category).text(&p.name);
        out.text(p.brand).plain(F32Dollars(p.retail_cents));
        out.text(p.department)
            .text(&p.sku)
            .plain(p.distribution_center_id);
        out.end_row()?;
    }
    out.finish()
}

/// The three streamed tables and their id counters.
struct Tables {
    users: CsvWriter,
    orders: CsvWriter,
    items: CsvWriter,
    next_user: usize,
    next_order: usize,
    items_written: usize,
    next_inventory: i64,
}

/// What orders need to know of their user.
struct User {
    id: usize,
    /// 0 for women, 1 for men.
    gender: usize,
    created: i64,
}

/// Draw a user and write it, unless it is one of the few deleted users.
fn write_user(tables: &mut Tables, rng: &mut Rng) -> Result<User> {
    let user = User {
        id: tables.next_user,
        gender: rng.below(2),
        created: rng.range(FIRST_SECOND, LAST_SECOND - 30 * DAY),
    };
    tables.next_user += 1;
    let first = *rng.pick(&FIRST_NAMES[user.gender]);
    let last = *rng.pick(&LAST_NAMES);
    let place = rng.pick(&PLACES);
    let age = rng.range(12, 70);
    let source = TRAFFIC_SOURCES[rng.weighted(&TRAFFIC_SOURCES.map(|t| t.1))].0;
    let tld = *rng.pick(&["com", "org", "net"]);
    if rng.chance(DELETED_USER_SHARE) {
        return Ok(user);
    }
    let out = &mut tables.users;
    out.plain(user.id).text(first).text(last);
    out.text(&format!("{first}{last}@example.{tld}").to_lowercase());
    out.plain(age).text(["F", "M"][user.gender]);
    out.text(place.1).text(place.2).text(place.0).text(source);
    out.plain(Timestamp(user.created, "+00:00"));
    out.end_row()?;
    Ok(user)
}

/// The lifecycle times of an order, present according to its status.
struct Lifecycle {
    created: i64,
    shipped: Option<i64>,
    delivered: Option<i64>,
    returned: Option<i64>,
}

fn draw_lifecycle(rng: &mut Rng, status: &str, created: i64) -> Lifecycle {
    let shipped = created + rng.range(HOUR, 3 * DAY);
    let delivered = shipped + rng.range(DAY, 5 * DAY);
    let returned = delivered + rng.range(DAY, 10 * DAY);
    let (s, d, r) = match status {
        "Shipped" => (true, false, false),
        "Complete" => (true, true, false),
        "Returned" => (true, true, true),
        _ => (false, false, false),
    };
    Lifecycle {
        created,
        shipped: s.then_some(shipped),
        delivered: d.then_some(delivered),
        returned: r.then_some(returned),
    }
}

/// Write one order (unless deleted) and its items, stopping at `rows` items.
fn write_order(
    tables: &mut Tables,
    rng: &mut Rng,
    catalog: &Catalog,
    user: &User,
    premium: bool,
    rows: usize,
) -> Result<()> {
    let id = tables.next_order;
    tables.next_order += 1;
    let status = STATUSES[rng.weighted(&STATUS_WEIGHTS)];
    let created = rng.range(user.created, LAST_SECOND);
    let times = draw_lifecycle(rng, status, created);
    let items = (1 + rng.weighted(&ITEMS_PER_ORDER)).min(rows - tables.items_written);
    if !rng.chance(DELETED_ORDER_SHARE) {
        let out = &mut tables.orders;
        out.plain(id)
            .plain(user.id)
            .text(status)
            .text(["F", "M"][user.gender]);
        out.plain(Timestamp(times.created, " UTC"));
        write_times(
            out,
            &[times.returned, times.shipped, times.delivered],
            " UTC",
        );
        out.plain(items);
        out.end_row()?;
    }
    for _ in 0..items {
        let department = if rng.chance(0.9) {
            user.gender
        } else {
            1 - user.gender
        };
        let product = if premium && rng.chance(0.7) {
            *rng.pick(&catalog.premium[department])
        } else {
            let (members, popularity) = &catalog.popular[department];
            members[popularity.sample(rng)]
        };
        let product = &catalog.products[product];
        tables.next_inventory += rng.range(1, 3);
        tables.items_written += 1;
        let out = &mut tables.items;
        out.plain(tables.items_written)
            .plain(id)
            .plain(user.id)
            .plain(product.id);
        out.plain(tables.next_inventory).text(status);
        out.plain(Timestamp(times.created, "+00:00"));
        write_times(
            out,
            &[times.shipped, times.delivered, times.returned],
            "+00:00",
        );
        out.plain(F32Dollars(product.retail_cents));
        out.end_row()?;
    }
    Ok(())
}

fn write_times(out: &mut CsvWriter, times: &[Option<i64>], suffix: &'static str) {
    for t in times {
        match t {
            Some(secs) => out.plain(Timestamp(*secs, suffix)),
            None => out.empty(),
        };
    }
}

/// Seconds since the epoch as `YYYY-MM-DD HH:MM:SS` and a UTC suffix.
struct Timestamp(i64, &'static str);

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = DateTime::from_timestamp(self.0, 0).ok_or(fmt::Error)?;
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}{}",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            self.1
        )
    }
}

#[cfg(test)]
mod tests;
