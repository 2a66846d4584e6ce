//! Mix tables (analyses.md §1): share of quantity by a column's values, by
//! weekday and by calendar month within each segment, the
//! over-representation index (focus share / baseline share), and the top-N
//! values by quantity within each segment.

use super::groups::Groups;
use super::input::Input;
use crate::analysis::common::{Codes, number, ratio};
use crate::config::Language;
use crate::error::{Error, Result};
use crate::table::Table;
use chrono::{Datelike, NaiveDate};
use polars::prelude::PlHashMap as HashMap;
use serde_json::{Map, Value};
use std::hash::Hash;

/// Quantity by key within each segment: `sums[segment code][key]`.
type Sums<K> = Vec<HashMap<K, f64>>;

/// Shares of quantity per row key (a category, a weekday, a month) within
/// each segment, segments in display order.
pub(super) struct ShareTable {
    /// Keys for the result JSON.
    pub keys: Vec<String>,
    /// Text of the key in the table's first column.
    pub shown: Vec<String>,
    pub qty: Vec<Vec<f64>>,
    pub share: Vec<Vec<Option<f64>>>,
    pub index: Vec<Option<f64>>,
}

/// A row of a share table: its key, its JSON key and its shown text.
type RowKey<K> = (K, String, String);

/// Sum quantity by `key(row)` within each segment; rows without a segment,
/// a quantity or a key are left out.
fn sum_qty_by<K: Hash + Eq + Copy>(input: &Input, key: impl Fn(usize) -> Option<K>) -> Sums<K> {
    let mut sums: Sums<K> = vec![HashMap::default(); input.segment.names.len()];
    for row in 0..input.rows() {
        if let (Some(s), Some(q), Some(k)) = (input.segment.codes[row], input.qty[row], key(row)) {
            *sums[s as usize].entry(k).or_insert(0.0) += q;
        }
    }
    sums
}

/// Build the shares and indexes for the given rows, in that order.
fn build_share_table<K: Hash + Eq + Copy>(
    sums: &Sums<K>,
    groups: &Groups,
    rows: Vec<RowKey<K>>,
) -> ShareTable {
    let qty: Vec<Vec<f64>> = rows
        .iter()
        .map(|(k, _, _)| {
            groups
                .order
                .iter()
                .map(|&c| sums[c].get(k).copied().unwrap_or(0.0))
                .collect()
        })
        .collect();
    let totals: Vec<f64> = (0..groups.order.len())
        .map(|s| qty.iter().map(|r| r[s]).sum())
        .collect();
    let share: Vec<Vec<Option<f64>>> = qty
        .iter()
        .map(|r| {
            r.iter()
                .zip(&totals)
                .map(|(&q, &t)| ratio(Some(q), Some(t)))
                .collect()
        })
        .collect();
    let index = share.iter().map(|s| ratio(s[0], s[1])).collect();
    let (keys, shown) = rows.into_iter().map(|(_, k, s)| (k, s)).unzip();
    ShareTable {
        keys,
        shown,
        qty,
        share,
        index,
    }
}

/// Shares by the values of a text column; rows by total quantity, most
/// first, ties by name.
pub(super) fn mix_by_column(input: &Input, groups: &Groups, col: &Codes) -> ShareTable {
    let sums = sum_qty_by(input, |row| col.codes[row]);
    let mut keys: Vec<(u32, f64)> = (0..col.names.len() as u32)
        .map(|k| {
            (
                k,
                groups.order.iter().filter_map(|&c| sums[c].get(&k)).sum(),
            )
        })
        .filter(|(k, _)| sums.iter().any(|m| m.contains_key(k)))
        .collect();
    keys.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then(col.names[a.0 as usize].cmp(&col.names[b.0 as usize]))
    });
    let rows = keys
        .into_iter()
        .map(|(k, _)| {
            (
                k,
                col.names[k as usize].clone(),
                col.names[k as usize].clone(),
            )
        })
        .collect();
    build_share_table(&sums, groups, rows)
}

/// Shares by weekday, Monday to Sunday, every day shown.
pub(super) fn mix_by_weekday(
    input: &Input,
    groups: &Groups,
    dates: &[Option<NaiveDate>],
    lang: Language,
) -> ShareTable {
    let sums = sum_qty_by(input, |row| {
        dates[row].map(|d| d.weekday().num_days_from_monday())
    });
    // JSON keys stay English (`Mon`..`Sun`); table labels follow the report.
    let keys = Language::En.weekday_names(true);
    let names = lang.weekday_names(false);
    let rows = (0..7u32)
        .map(|d| {
            (
                d,
                keys[d as usize].to_string(),
                names[d as usize].to_string(),
            )
        })
        .collect();
    build_share_table(&sums, groups, rows)
}

/// Shares by calendar month (`YYYY-MM`), every month from the first to the
/// last shown.
pub(super) fn mix_by_month(
    input: &Input,
    groups: &Groups,
    dates: &[Option<NaiveDate>],
) -> ShareTable {
    let month_of = |d: NaiveDate| d.year() as i64 * 12 + d.month0() as i64;
    let sums = sum_qty_by(input, |row| dates[row].map(month_of));
    let present = sums.iter().flat_map(|m| m.keys().copied());
    let (first, last) = present.fold((i64::MAX, i64::MIN), |(lo, hi), m| (lo.min(m), hi.max(m)));
    let rows = (first..=last)
        .map(|m| {
            let key = format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1);
            (m, key.clone(), key)
        })
        .collect();
    build_share_table(&sums, groups, rows)
}

impl ShareTable {
    /// `{ key: { qty: {label: q}, share: {label: s}, index: i } }`.
    pub fn to_json(&self, groups: &Groups) -> Value {
        let labels = groups.ordered_labels();
        let mut out = Map::new();
        for (i, key) in self.keys.iter().enumerate() {
            let qty = labels
                .iter()
                .zip(&self.qty[i])
                .map(|(l, q)| (l.clone(), number(Some(*q))));
            let share = labels
                .iter()
                .zip(&self.share[i])
                .map(|(l, s)| (l.clone(), number(*s)));
            let mut entry = Map::new();
            entry.insert("qty".into(), Value::Object(qty.collect()));
            entry.insert("share".into(), Value::Object(share.collect()));
            entry.insert("index".into(), number(self.index[i]));
            out.insert(key.clone(), Value::Object(entry));
        }
        Value::Object(out)
    }

    /// Wide table: `first | share per segment label | index`.
    pub fn to_table(&self, first: &str, groups: &Groups) -> Result<Table> {
        let mut columns = vec![first.to_string()];
        columns.extend(groups.ordered_labels());
        columns.push("index".to_string());
        check_unique(&columns)?;
        let mut table = Table::new(columns);
        for (i, shown) in self.shown.iter().enumerate() {
            let mut row = vec![Value::from(shown.clone())];
            row.extend(self.share[i].iter().map(|s| number(*s)));
            row.push(number(self.index[i]));
            table.push(row);
        }
        Ok(table)
    }

    /// The key with the highest index (ties by key), if any index is defined.
    pub fn top_index(&self) -> Value {
        let defined = self
            .keys
            .iter()
            .zip(&self.index)
            .filter_map(|(k, i)| i.map(|i| (k, i)));
        let best = defined.fold(None::<(&String, f64)>, |best, (k, i)| match best {
            Some((bk, bi)) if bi > i || (bi == i && bk <= k) => Some((bk, bi)),
            _ => Some((k, i)),
        });
        best.map_or(Value::Null, |(k, _)| Value::from(k.clone()))
    }
}

/// Table columns are named after segment labels: reject a label that
/// clashes with another column.
fn check_unique(columns: &[String]) -> Result<()> {
    for (i, c) in columns.iter().enumerate() {
        if columns[..i].contains(c) {
            return Err(Error::new(format!(
                "segment label `{c}` clashes with a column of the mix tables"
            ))
            .hint("rename that segment value with `labels`, e.g. `labels = { true = \"B2B\" }`"));
        }
    }
    Ok(())
}

/// One entry of a top-N list.
pub(super) struct TopEntry {
    pub segment: usize,
    pub rank: usize,
    pub value: String,
    pub qty: f64,
    pub share: Option<f64>,
}

/// The `n` values with the most quantity within each segment (ties by
/// name), segments in display order.
pub(super) fn top_by_qty(input: &Input, groups: &Groups, col: &Codes, n: usize) -> Vec<TopEntry> {
    let sums = sum_qty_by(input, |row| col.codes[row]);
    let mut out = Vec::new();
    for (pos, &code) in groups.order.iter().enumerate() {
        let mut entries: Vec<(&str, f64)> = sums[code]
            .iter()
            .map(|(&k, &q)| (col.names[k as usize].as_str(), q))
            .collect();
        entries.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        let total: f64 = entries.iter().map(|e| e.1).sum();
        out.extend(
            entries
                .into_iter()
                .take(n)
                .enumerate()
                .map(|(i, (v, q))| TopEntry {
                    segment: pos,
                    rank: i + 1,
                    value: v.to_string(),
                    qty: q,
                    share: ratio(Some(q), Some(total)),
                }),
        );
    }
    out
}

/// `{ label: [ {value, qty, share}, ... ] }`.
pub(super) fn top_json(entries: &[TopEntry], groups: &Groups) -> Value {
    let labels = groups.ordered_labels();
    let mut out: Map<String, Value> = labels
        .iter()
        .map(|l| (l.clone(), Value::Array(Vec::new())))
        .collect();
    for e in entries {
        if let Some(Value::Array(list)) = out.get_mut(&labels[e.segment]) {
            let mut item = Map::new();
            item.insert("value".into(), Value::from(e.value.clone()));
            item.insert("qty".into(), number(Some(e.qty)));
            item.insert("share".into(), number(e.share));
            list.push(Value::Object(item));
        }
    }
    Value::Object(out)
}

/// Long table: `segment | rank | value | qty | share`.
pub(super) fn top_table(entries: &[TopEntry], groups: &Groups) -> Table {
    let labels = groups.ordered_labels();
    let mut table = Table::new(["segment", "rank", "value", "qty", "share"]);
    for e in entries {
        table.push(vec![
            Value::from(labels[e.segment].clone()),
            Value::from(e.rank),
            Value::from(e.value.clone()),
            number(Some(e.qty)),
            number(e.share),
        ]);
    }
    table
}
