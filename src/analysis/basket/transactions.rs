//! Transactions of a market basket analysis: the order lines grouped into
//! distinct orders, each a sorted set of item codes (compressed rows, no
//! orders × items matrix), and the frequent items with their transaction
//! lists.

use super::BasketSpec;
use crate::analysis::common::encode;
use crate::error::{Error, Result};
use polars::prelude::DataFrame;

/// Sets of items in compressed rows: transaction `t` holds
/// `items[offsets[t]..offsets[t + 1]]`, sorted, without repeats.
#[derive(Debug, Default)]
pub(super) struct Rows {
    pub offsets: Vec<usize>,
    pub items: Vec<u32>,
}

impl Rows {
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    pub fn get(&self, t: usize) -> &[u32] {
        &self.items[self.offsets[t]..self.offsets[t + 1]]
    }

    /// Group `(transaction, item)` pairs into rows, sorting and removing
    /// repeated items within each row.
    fn from_pairs(n: usize, pairs: &[(u32, u32)]) -> Rows {
        let mut offsets = vec![0usize; n + 1];
        for &(t, _) in pairs {
            offsets[t as usize + 1] += 1;
        }
        let mut total = 0;
        for o in offsets.iter_mut() {
            total += *o;
            *o = total;
        }
        let mut cursor = offsets.clone();
        let mut items = vec![0u32; pairs.len()];
        for &(t, item) in pairs {
            items[cursor[t as usize]] = item;
            cursor[t as usize] += 1;
        }
        let mut rows = Rows {
            offsets: Vec::with_capacity(n + 1),
            items: Vec::with_capacity(items.len()),
        };
        rows.offsets.push(0);
        for w in offsets.windows(2) {
            let row = &mut items[w[0]..w[1]];
            row.sort_unstable();
            let start = rows.items.len();
            for &item in row.iter() {
                if rows.items.len() == start || rows.items.last() != Some(&item) {
                    rows.items.push(item);
                }
            }
            rows.offsets.push(rows.items.len());
        }
        rows
    }
}

/// All transactions over all items.
#[derive(Debug)]
pub(super) struct Baskets {
    pub rows: Rows,
    pub item_names: Vec<String>,
    pub dropped_missing_order_id: u64,
    pub dropped_missing_item: u64,
}

/// Read the order id and item columns into transactions.
pub(super) fn read(spec: &BasketSpec, df: &DataFrame) -> Result<Baskets> {
    let order = encode(df, &spec.order_id, "order_id")?;
    let item = encode(df, &spec.item, "item")?;
    group(spec, order, item, None)
}

/// The distinct (order, item) pairs a database grouped (one row per pair,
/// with the number of lines it stands for; `pushdown::aggregate`).
pub(super) fn read_pairs(spec: &BasketSpec, df: &DataFrame) -> Result<Baskets> {
    let order = encode(df, "order_id", "order_id")?;
    let item = encode(df, "item", "item")?;
    let lines = crate::analysis::common::counts(df, "line_count")?;
    group(spec, order, item, Some(&lines))
}

/// Transactions from row-aligned order and item codes; `lines` gives the
/// order lines each row stands for (one each when absent).
fn group(
    spec: &BasketSpec,
    order: crate::analysis::common::Codes,
    item: crate::analysis::common::Codes,
    lines: Option<&[u64]>,
) -> Result<Baskets> {
    let mut transaction = vec![u32::MAX; order.names.len()];
    let mut n = 0u32;
    let mut pairs = Vec::with_capacity(order.codes.len());
    let (mut missing_order, mut missing_item) = (0u64, 0u64);
    for (row, (o, i)) in order.codes.iter().zip(&item.codes).enumerate() {
        let (Some(o), Some(i)) = (o, i) else {
            let count = lines.map_or(1, |l| l[row]);
            if o.is_none() {
                missing_order += count;
            } else {
                missing_item += count;
            }
            continue;
        };
        let t = &mut transaction[*o as usize];
        if *t == u32::MAX {
            *t = n;
            n += 1;
        }
        pairs.push((*t, *i));
    }
    if n == 0 {
        return Err(Error::new(format!(
            "table `{}` (setting `table`) has no transactions: no row has both an order id (`{}`) and an item (`{}`)",
            spec.table, spec.order_id, spec.item
        ))
        .setting("table")
        .hint("check the source's file and its `filters`, and the `order_id` and `item` columns"));
    }
    Ok(Baskets {
        rows: Rows::from_pairs(n as usize, &pairs),
        item_names: item.names,
        dropped_missing_order_id: missing_order,
        dropped_missing_item: missing_item,
    })
}

/// mlxtend's test: `count / n >= min_support` in floating point.
pub(super) fn is_frequent(count: usize, n: usize, min_support: f64) -> bool {
    count as f64 / n as f64 >= min_support
}

/// The frequent items, renumbered in name order, and the transactions
/// restricted to them.
#[derive(Debug)]
pub(super) struct Frequent {
    /// Number of transactions.
    pub n: usize,
    /// Number of distinct items in the transactions.
    pub items: usize,
    /// Frequent item names in sorted order; the index is the item's id in
    /// `rows`, `tids` and every itemset.
    pub names: Vec<String>,
    /// Transactions (sorted ids) of each frequent item.
    pub tids: Vec<Vec<u32>>,
    /// Each transaction's frequent items.
    pub rows: Rows,
}

/// Prune the items below `min_support` and renumber the others.
pub(super) fn frequent_items(baskets: &Baskets, min_support: f64) -> Frequent {
    let rows = &baskets.rows;
    let n = rows.len();
    let mut counts = vec![0usize; baskets.item_names.len()];
    for &item in &rows.items {
        counts[item as usize] += 1;
    }
    let mut kept: Vec<usize> = (0..counts.len())
        .filter(|&i| is_frequent(counts[i], n, min_support))
        .collect();
    kept.sort_by(|&a, &b| baskets.item_names[a].cmp(&baskets.item_names[b]));
    let mut id = vec![u32::MAX; counts.len()];
    for (new, &old) in kept.iter().enumerate() {
        id[old] = new as u32;
    }
    let mut tids: Vec<Vec<u32>> = kept
        .iter()
        .map(|&i| Vec::with_capacity(counts[i]))
        .collect();
    let mut pairs = Vec::new();
    for t in 0..n {
        for &item in rows.get(t) {
            let f = id[item as usize];
            if f != u32::MAX {
                tids[f as usize].push(t as u32);
                pairs.push((t as u32, f));
            }
        }
    }
    Frequent {
        n,
        items: counts.iter().filter(|&&c| c > 0).count(),
        names: kept
            .iter()
            .map(|&i| baskets.item_names[i].clone())
            .collect(),
        tids,
        rows: Rows::from_pairs(n, &pairs),
    }
}
