//! Per-segment metrics (analyses.md §1): lines, distinct orders, revenue
//! without missing amounts, quantity, AOV, units per order, quantity per
//! line, shares of the total, weekday share, and every metric's ratio of
//! focus to baseline.

use super::groups::Groups;
use super::input::Input;
use crate::analysis::common::{number, ratio};
use crate::table::Table;
use chrono::Datelike;
use serde_json::{Map, Value};

/// Sums over the rows of one segment.
#[derive(Clone, Debug, Default)]
pub(super) struct SegmentStats {
    pub lines: u64,
    pub orders: u64,
    /// Sum of the amounts that are present.
    pub revenue: f64,
    pub missing_amount: u64,
    /// Sum of the quantities that are present.
    pub qty: f64,
    pub qty_lines: u64,
    /// Quantity on Monday to Friday, and on any known date.
    pub weekday_qty: f64,
    pub dated_qty: f64,
}

/// Counts over the whole table, reported beside the metrics.
#[derive(Clone, Debug, Default)]
pub(super) struct Dropped {
    pub missing_segment: u64,
    pub missing_order_id: u64,
    pub missing_qty: u64,
    pub missing_date: u64,
}

/// Sum up every segment in one pass; the result is indexed by segment code.
/// A row is one line or a group of lines (`Input::weight`); the counts add
/// up the lines either way.
pub(super) fn sum_segments(input: &Input) -> (Vec<SegmentStats>, Dropped) {
    let n = input.segment.names.len();
    let mut stats = vec![SegmentStats::default(); n];
    let mut orders = DistinctPairs::new(n, input.order.names.len());
    let mut dropped = Dropped::default();
    for row in 0..input.rows() {
        let w = input.weight(row);
        let Some(code) = input.segment.codes[row] else {
            dropped.missing_segment += w.lines;
            continue;
        };
        let s = &mut stats[code as usize];
        s.lines += w.lines;
        match input.order.codes[row] {
            Some(order) => orders.insert(code, order),
            None => dropped.missing_order_id += w.lines,
        }
        if let Some(a) = input.amount[row] {
            s.revenue += a;
        }
        s.missing_amount += w.missing_amount;
        dropped.missing_qty += w.lines.saturating_sub(w.qty_lines);
        let Some(q) = input.qty[row] else {
            continue;
        };
        s.qty += q;
        s.qty_lines += w.qty_lines;
        if let Some(dates) = &input.date {
            match dates[row] {
                Some(d) if d.weekday().num_days_from_monday() < 5 => {
                    s.weekday_qty += q;
                    s.dated_qty += q;
                }
                Some(_) => s.dated_qty += q,
                None => dropped.missing_date += w.qty_lines,
            }
        }
    }
    for (s, count) in stats.iter_mut().zip(orders.counts()) {
        s.orders = count;
    }
    (stats, dropped)
}

/// Distinct (segment, order) pairs counted per segment: with one bit per
/// pair when that fits in 64 MiB (a few segments, millions of orders),
/// else by sorting the pairs.
enum DistinctPairs {
    Bits {
        orders: usize,
        seen: Vec<u64>,
        counts: Vec<u64>,
    },
    Pairs {
        segments: usize,
        pairs: Vec<(u32, u32)>,
    },
}

impl DistinctPairs {
    fn new(segments: usize, orders: usize) -> Self {
        let bits = segments.saturating_mul(orders);
        if bits <= 1 << 29 {
            DistinctPairs::Bits {
                orders,
                seen: vec![0; bits.div_ceil(64)],
                counts: vec![0; segments],
            }
        } else {
            DistinctPairs::Pairs {
                segments,
                pairs: Vec::new(),
            }
        }
    }

    fn insert(&mut self, segment: u32, order: u32) {
        match self {
            DistinctPairs::Bits {
                orders,
                seen,
                counts,
            } => {
                let bit = segment as usize * *orders + order as usize;
                let (word, mask) = (bit / 64, 1u64 << (bit % 64));
                if seen[word] & mask == 0 {
                    seen[word] |= mask;
                    counts[segment as usize] += 1;
                }
            }
            DistinctPairs::Pairs { pairs, .. } => pairs.push((segment, order)),
        }
    }

    fn counts(self) -> Vec<u64> {
        match self {
            DistinctPairs::Bits { counts, .. } => counts,
            DistinctPairs::Pairs {
                segments,
                mut pairs,
            } => {
                pairs.sort_unstable();
                pairs.dedup();
                let mut counts = vec![0; segments];
                for (segment, _) in pairs {
                    counts[segment as usize] += 1;
                }
                counts
            }
        }
    }
}

/// The metrics of every segment, in output order, with their ratios.
pub(super) struct Metrics {
    pub names: Vec<&'static str>,
    /// `values[code][metric]`.
    pub values: Vec<Vec<Option<f64>>>,
    pub ratios: Vec<Option<f64>>,
}

/// Derive AOV, units per order, shares and ratios from the sums.
pub(super) fn derive_metrics(stats: &[SegmentStats], groups: &Groups, has_date: bool) -> Metrics {
    let total = |f: fn(&SegmentStats) -> f64| stats.iter().map(f).sum::<f64>();
    let (lines, orders) = (total(|s| s.lines as f64), total(|s| s.orders as f64));
    let (revenue, qty) = (total(|s| s.revenue), total(|s| s.qty));
    let mut names = vec![
        "lines",
        "orders",
        "revenue",
        "qty",
        "aov",
        "avg_qty",
        "qty_per_line",
        "revenue_share",
        "order_share",
        "qty_share",
        "line_share",
    ];
    if has_date {
        names.push("weekday_share");
    }
    let values: Vec<Vec<Option<f64>>> = stats
        .iter()
        .map(|s| {
            let (o, r, q) = (Some(s.orders as f64), Some(s.revenue), Some(s.qty));
            let mut v = vec![
                Some(s.lines as f64),
                o,
                r,
                q,
                ratio(r, o),
                ratio(q, o),
                ratio(q, Some(s.qty_lines as f64)),
                ratio(r, Some(revenue)),
                ratio(o, Some(orders)),
                ratio(q, Some(qty)),
                ratio(Some(s.lines as f64), Some(lines)),
            ];
            if has_date {
                v.push(ratio(Some(s.weekday_qty), Some(s.dated_qty)));
            }
            v
        })
        .collect();
    let (f, b) = (&values[groups.focus()], &values[groups.baseline()]);
    let ratios = f.iter().zip(b).map(|(&x, &y)| ratio(x, y)).collect();
    Metrics {
        names,
        values,
        ratios,
    }
}

/// `segments.LABEL.metric` for the result JSON; `value` is a boolean for a
/// boolean segment column.
pub(super) fn segments_json(
    m: &Metrics,
    stats: &[SegmentStats],
    groups: &Groups,
    bool_values: bool,
) -> Value {
    let mut out = Map::new();
    for &code in &groups.order {
        let mut seg = Map::new();
        seg.insert("value".into(), raw_value(&groups.values[code], bool_values));
        for (name, v) in m.names.iter().zip(&m.values[code]) {
            seg.insert((*name).into(), number(*v));
        }
        seg.insert(
            "missing_amount".into(),
            Value::from(stats[code].missing_amount),
        );
        out.insert(groups.labels[code].clone(), Value::Object(seg));
    }
    Value::Object(out)
}

/// `ratios.metric` = focus / baseline.
pub(super) fn ratios_json(m: &Metrics) -> Value {
    let pairs = m.names.iter().zip(&m.ratios);
    Value::Object(pairs.map(|(n, r)| ((*n).to_string(), number(*r))).collect())
}

/// One row per segment in display order; the raw `value` of a boolean
/// segment column stays a boolean (a page shows it as Ya/Tidak).
pub(super) fn segments_table(
    m: &Metrics,
    stats: &[SegmentStats],
    groups: &Groups,
    bool_values: bool,
) -> Table {
    let mut columns = vec!["segment", "value"];
    columns.extend(&m.names);
    columns.push("missing_amount");
    let mut table = Table::new(columns);
    for &code in &groups.order {
        let mut row = vec![
            Value::from(groups.labels[code].clone()),
            raw_value(&groups.values[code], bool_values),
        ];
        row.extend(m.values[code].iter().map(|v| number(*v)));
        row.push(Value::from(stats[code].missing_amount));
        table.push(row);
    }
    table
}

/// One row per metric: focus value, baseline value, ratio.
pub(super) fn ratios_table(m: &Metrics, groups: &Groups) -> Table {
    let mut table = Table::new(["metric", "focus", "baseline", "ratio"]);
    for (i, name) in m.names.iter().enumerate() {
        table.push(vec![
            Value::from(*name),
            number(m.values[groups.focus()][i]),
            number(m.values[groups.baseline()][i]),
            number(m.ratios[i]),
        ]);
    }
    table
}

/// A segment's raw value as a cell: `true`/`false` as booleans when the
/// segment column is boolean, else the text.
fn raw_value(value: &str, bool_values: bool) -> Value {
    match (bool_values, value) {
        (true, "true") => Value::Bool(true),
        (true, "false") => Value::Bool(false),
        _ => Value::from(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_pairs_count_the_same_with_bits_and_with_sorting() {
        // Segment 0 has orders 1, 2 (2 twice); segment 1 has order 1.
        let rows = [(0, 1), (0, 2), (1, 1), (0, 2), (1, 1)];
        let mut bits = DistinctPairs::new(2, 3);
        let mut pairs = DistinctPairs::Pairs {
            segments: 2,
            pairs: Vec::new(),
        };
        assert!(matches!(bits, DistinctPairs::Bits { .. }));
        for (s, o) in rows {
            bits.insert(s, o);
            pairs.insert(s, o);
        }
        assert_eq!(bits.counts(), [2, 1]);
        assert_eq!(pairs.counts(), [2, 1]);
        assert!(matches!(
            DistinctPairs::new(1000, 1 << 20),
            DistinctPairs::Pairs { .. }
        ));
    }
}
