//! Per-customer figures of the customer-value analysis: distinct orders,
//! revenue (missing amounts excluded and counted), first and last order
//! date, and the customers' value order (revenue desc, id asc).

use super::CustomerValueSpec;
use crate::analysis::common::encode;
use crate::data::columns;
use crate::error::Result;
use chrono::NaiveDate;
use polars::prelude::DataFrame;
use std::cmp::Ordering;

/// An id that sorts numerically when its column is numeric, else as text.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    pub text: String,
    number: Option<f64>,
}

impl Key {
    /// A key from a cell's text; `numeric` when the column has a numeric type.
    /// Integral floats drop their `.0` so `5.0` and `5` are the same id.
    pub fn new(text: &str, numeric: bool) -> Key {
        let number = if numeric {
            text.parse::<f64>().ok()
        } else {
            None
        };
        let text = match number {
            Some(n) if n.fract() == 0.0 && n.abs() < 1e15 => (n as i64).to_string(),
            _ => text.to_string(),
        };
        Key { text, number }
    }
}

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.number, other.number) {
            (Some(a), Some(b)) => a.total_cmp(&b).then_with(|| self.text.cmp(&other.text)),
            _ => self.text.cmp(&other.text),
        }
    }
}

/// One customer's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Customer {
    pub key: Key,
    pub orders: usize,
    pub revenue: f64,
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
}

/// All customers, highest revenue first (ties: ascending id), and the row
/// counts behind them.
#[derive(Clone, Debug, PartialEq)]
pub struct Customers {
    pub list: Vec<Customer>,
    pub rows: usize,
    pub dropped_missing_customer: usize,
    pub dropped_missing_order: usize,
    pub missing_amount_rows: usize,
}

#[derive(Clone, Copy, Default)]
struct Acc {
    rows: usize,
    revenue: f64,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
}

/// Read the spec's columns from `df` and aggregate them per customer.
/// Customers and orders are read as codes (polars groups the values), so
/// the rows are summed without a string or a hash per row.
pub fn aggregate_customers(df: &DataFrame, spec: &CustomerValueSpec) -> Result<Customers> {
    let customers = encode(df, &spec.customer, "customer")?;
    let numeric = columns::column(df, &spec.customer, "customer")?
        .dtype()
        .is_primitive_numeric();
    let orders = match &spec.order_id {
        Some(col) => Some(encode(df, col, "order_id")?),
        None => None,
    };
    let amounts = columns::numbers(df, &spec.amount, "amount")?;
    let dates = match &spec.date {
        Some(col) => Some(columns::dates(df, col, "date")?),
        None => None,
    };
    let mut out = Customers {
        list: Vec::new(),
        rows: df.height(),
        dropped_missing_customer: 0,
        dropped_missing_order: 0,
        missing_amount_rows: 0,
    };
    let mut accs = vec![Acc::default(); customers.names.len()];
    // (customer, order) of every counted row, for distinct orders.
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    for (r, customer) in customers.codes.iter().enumerate() {
        let Some(customer) = *customer else {
            out.dropped_missing_customer += 1;
            continue;
        };
        let order = orders.as_ref().map(|o| o.codes[r]);
        match order {
            Some(None) => {
                out.dropped_missing_order += 1;
                continue;
            }
            Some(Some(order)) => pairs.push((customer, order)),
            None => {}
        }
        let acc = &mut accs[customer as usize];
        acc.rows += 1;
        match amounts[r] {
            Some(a) if a.is_finite() => acc.revenue += a,
            _ => out.missing_amount_rows += 1,
        }
        if let Some(d) = dates.as_ref().and_then(|d| d[r]) {
            acc.first = Some(acc.first.map_or(d, |f| f.min(d)));
            acc.last = Some(acc.last.map_or(d, |l| l.max(d)));
        }
    }
    let distinct_orders = orders.as_ref().map(|_| {
        pairs.sort_unstable();
        pairs.dedup();
        let mut counts = vec![0usize; accs.len()];
        for (customer, _) in &pairs {
            counts[*customer as usize] += 1;
        }
        counts
    });
    out.list = accs
        .iter()
        .zip(&customers.names)
        .enumerate()
        // A customer whose every row lacked an order id has no orders.
        .filter(|(_, (acc, _))| acc.rows > 0)
        .map(|(c, (acc, id))| Customer {
            key: Key::new(id, numeric),
            orders: distinct_orders
                .as_ref()
                .map_or(acc.rows, |counts| counts[c]),
            revenue: acc.revenue,
            first: acc.first,
            last: acc.last,
        })
        .collect();
    out.list.sort_by(|a, b| {
        b.revenue
            .total_cmp(&a.revenue)
            .then_with(|| a.key.cmp(&b.key))
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_keys_sort_by_value_and_drop_point_zero() {
        let mut keys = [
            Key::new("10", true),
            Key::new("9.0", true),
            Key::new("b", false),
        ];
        keys.sort();
        assert_eq!(keys[0].text, "9");
        assert_eq!(keys[1].text, "10");
        let mut text = [Key::new("10", false), Key::new("9", false)];
        text.sort();
        assert_eq!(text[0].text, "10");
    }
}
