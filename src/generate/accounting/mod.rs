//! The accounting-system shape (report 004, RFM and market basket): sales
//! invoices as an API cache of JSON pages (`invoices/invoices_001.json`,
//! …, 100 invoices a page, `{"s": true, "d": [...], "sp": {...}}`), each
//! invoice with its `dd/mm/yyyy` date, customer and a nested `detailItem`
//! list, plus the customer master (`customers.json`) and the item master
//! (`items.json`). Amounts are whole rupiah; the year is 2024.
//!
//! Planted structure: customers follow loyal, regular, occasional, churned
//! and new buying patterns (RFM segments to find), and four bundles — two
//! pairs and two triples — are bought together far more than chance.

mod catalog;

use super::rng::{Rng, Weighted};
use super::{days_between, ymd};
use crate::error::{Error, Result};
use catalog::{
    BUNDLES, Customer, Item, Pattern, build_items, draw_customer, draw_names, draw_pattern,
    item_popularity,
};
use serde::Serialize;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Invoices per page, as the API serves them.
pub const PAGE_SIZE: usize = 100;
const LINES_PER_INVOICE: [f64; 8] = [25.0, 22.0, 18.0, 13.0, 9.0, 6.0, 4.0, 3.0];

/// One page of an API list response.
#[derive(Serialize)]
struct Page<'a, T> {
    s: bool,
    d: &'a [T],
    sp: PageInfo,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    page: usize,
    page_size: usize,
    page_count: usize,
    row_count: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invoice {
    id: usize,
    number: String,
    trans_date: String,
    customer_no: String,
    customer_name: String,
    total_amount: i64,
    detail_item: Vec<DetailItem>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DetailItem {
    item_no: String,
    item_name: String,
    quantity: i64,
    unit_price: i64,
    total_price: i64,
}

/// Masters and distributions shared by every invoice.
struct Book {
    customers: Vec<Customer>,
    items: Vec<Item>,
    popularity: (Vec<usize>, Weighted),
    dates: Vec<String>,
}

/// Write invoices holding `rows` detail lines, and the two masters.
pub fn write(rows: usize, rng: &mut Rng, out_dir: &Path) -> Result<Vec<PathBuf>> {
    let days = days_between(ymd(2024, 1, 1), ymd(2024, 12, 31));
    let n_customers = (rows / 40).clamp(30, 50_000);
    let names = draw_names(rng, n_customers);
    let customers: Vec<Customer> = (0..n_customers)
        .map(|i| draw_customer(rng, i, &names))
        .collect();
    let patterns: Vec<Pattern> = customers
        .iter()
        .map(|_| draw_pattern(rng, days.len()))
        .collect();
    let items = build_items((rows / 120).clamp(24, 3_000));
    let book = Book {
        popularity: item_popularity(rng, items.len()),
        customers,
        items,
        dates: days
            .iter()
            .map(|d| d.format("%d/%m/%Y").to_string())
            .collect(),
    };
    let heads = draw_invoice_heads(rng, &patterns, rows);

    let folder = out_dir.join("invoices");
    clear_old_pages(&folder)?;
    let page_count = heads.len().div_ceil(PAGE_SIZE);
    let mut written = Vec::new();
    for (p, chunk) in heads.chunks(PAGE_SIZE).enumerate() {
        let invoices: Vec<Invoice> = chunk
            .iter()
            .enumerate()
            .map(|(k, head)| draw_invoice(rng, &book, p * PAGE_SIZE + k, head))
            .collect();
        let info = PageInfo {
            page: p + 1,
            page_size: PAGE_SIZE,
            page_count,
            row_count: heads.len(),
        };
        let path = folder.join(format!("invoices_{:03}.json", p + 1));
        written.push(write_page(&path, &invoices, info)?);
    }
    written.push(write_master(
        &out_dir.join("customers.json"),
        &book.customers,
    )?);
    written.push(write_master(&out_dir.join("items.json"), &book.items)?);
    Ok(written)
}

/// What fixes an invoice before its lines: day, customer, line count.
struct Head {
    day: usize,
    customer: usize,
    lines: usize,
}

/// Invoice heads in date order whose line counts sum to `rows`; customers
/// drawn by the weight of their buying pattern, days within its span.
fn draw_invoice_heads(rng: &mut Rng, patterns: &[Pattern], rows: usize) -> Vec<Head> {
    let customer_weights = Weighted::new(patterns.iter().map(Pattern::weight));
    let mut heads = Vec::new();
    let mut left = rows;
    while left > 0 {
        let lines = (1 + rng.weighted(&LINES_PER_INVOICE)).min(left);
        left -= lines;
        let customer = customer_weights.sample(rng);
        let p = &patterns[customer];
        let day = p.first_day + rng.below(p.last_day - p.first_day + 1);
        heads.push(Head {
            day,
            customer,
            lines,
        });
    }
    heads.sort_by_key(|h| (h.day, h.customer));
    heads
}

fn draw_invoice(rng: &mut Rng, book: &Book, index: usize, head: &Head) -> Invoice {
    let customer = &book.customers[head.customer];
    let scale = match customer.category {
        "Grosir" => 3,
        "Horeca" => 2,
        _ => 1,
    };
    let detail_item: Vec<DetailItem> = draw_basket(rng, book, head.lines)
        .into_iter()
        .map(|i| draw_line(rng, &book.items[i], scale))
        .collect();
    let date = &book.dates[head.day];
    Invoice {
        id: 1_000 + index,
        number: format!("SI.2024.{}.{:05}", &date[3..5], index + 1),
        trans_date: date.clone(),
        customer_no: customer.customer_no.clone(),
        customer_name: customer.name.clone(),
        total_amount: detail_item.iter().map(|d| d.total_price).sum(),
        detail_item,
    }
}

/// Distinct item indices for `lines` lines: a bundle now and then (a
/// triple's third item is sometimes left out), the rest by popularity.
fn draw_basket(rng: &mut Rng, book: &Book, lines: usize) -> Vec<usize> {
    let mut basket = Vec::with_capacity(lines);
    let mut u = rng.uniform();
    for (bundle, share) in BUNDLES {
        if u < share {
            if lines >= 2 {
                let keep = if bundle.len() > 2 && rng.chance(0.2) {
                    2
                } else {
                    bundle.len()
                };
                basket.extend(bundle.iter().take(keep.min(lines)));
            }
            break;
        }
        u -= share;
    }
    let (order, weights) = &book.popularity;
    while basket.len() < lines {
        let item = order[weights.sample(rng)];
        if !basket.contains(&item) {
            basket.push(item);
        }
    }
    basket
}

fn draw_line(rng: &mut Rng, item: &Item, scale: i64) -> DetailItem {
    let quantity = match item.unit {
        "PCS" => {
            [1, 2, 3, 5, 6, 10, 12, 24][rng.weighted(&[8.0, 8.0, 6.0, 6.0, 5.0, 4.0, 3.0, 2.0])]
        }
        _ => rng.range(1, 5),
    } * scale;
    let unit_price = if rng.chance(0.15) {
        // a negotiated price, 2–10% off, rounded to Rp 100
        (item.unit_price as f64 * rng.uniform_in(0.9, 0.98) / 100.0).round() as i64 * 100
    } else {
        item.unit_price
    };
    DetailItem {
        item_no: item.item_no.clone(),
        item_name: item.name.clone(),
        quantity,
        unit_price,
        total_price: quantity * unit_price,
    }
}

/// Create the page folder, removing pages of an earlier, larger run so a
/// `invoices_*.json` glob reads only this run.
fn clear_old_pages(folder: &Path) -> Result<()> {
    std::fs::create_dir_all(folder).map_err(|e| Error::io("create folder", folder, e))?;
    let entries = std::fs::read_dir(folder).map_err(|e| Error::io("read folder", folder, e))?;
    for entry in entries {
        let path = entry
            .map_err(|e| Error::io("read folder", folder, e))?
            .path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.starts_with("invoices_") && name.ends_with(".json") {
            std::fs::remove_file(&path).map_err(|e| Error::io("remove old page", &path, e))?;
        }
    }
    Ok(())
}

fn write_page<T: Serialize>(path: &Path, records: &[T], sp: PageInfo) -> Result<PathBuf> {
    let page = Page {
        s: true,
        d: records,
        sp,
    };
    let file = File::create(path).map_err(|e| Error::io("create", path, e))?;
    let mut out = BufWriter::new(file);
    serde_json::to_writer_pretty(&mut out, &page).map_err(|e| {
        Error::new(format!("cannot write {}", path.display()))
            .at(path)
            .caused_by(e)
    })?;
    out.write_all(b"\n")
        .and_then(|_| out.flush())
        .map_err(|e| Error::io("write", path, e))?;
    Ok(path.to_path_buf())
}

/// A master list as one page holding every record.
fn write_master<T: Serialize>(path: &Path, records: &[T]) -> Result<PathBuf> {
    let info = PageInfo {
        page: 1,
        page_size: records.len(),
        page_count: 1,
        row_count: records.len(),
    };
    write_page(path, records, info)
}

#[cfg(test)]
mod tests;
