//! Per-customer figures of the customer-value analysis: distinct orders,
//! revenue (missing amounts excluded and counted), first and last order
//! date, and the customers' value order (revenue desc, id asc). Customers
//! are codes into their id column (`analysis::ids`): an id becomes text
//! only when a table shows it.

use super::CustomerValueSpec;
use crate::analysis::ids::{Ids, ids, keys};
use crate::data::columns;
use crate::error::Result;
use chrono::NaiveDate;
use polars::prelude::DataFrame;
use rayon::prelude::*;
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

/// One customer's figures; `id` is its code in `Customers::ids`.
#[derive(Clone, Debug, PartialEq)]
pub struct Customer {
    pub id: u32,
    pub orders: usize,
    pub revenue: f64,
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
}

/// All customers, highest revenue first (ties: ascending id), and the row
/// counts behind them.
#[derive(Clone, Debug)]
pub struct Customers {
    pub list: Vec<Customer>,
    pub(crate) ids: Ids,
    pub rows: usize,
    pub dropped_missing_customer: usize,
    pub dropped_missing_order: usize,
    pub missing_amount_rows: usize,
}

impl Customers {
    /// A customer's id as the tables show it (integral numbers without `.0`).
    pub fn id_text(&self, customer: &Customer) -> Result<String> {
        Ok(Key::new(&self.ids.text(customer.id)?, self.ids.numeric()).text)
    }
}

/// Row counts of what was read, and of what was left out.
#[derive(Clone, Copy, Default)]
pub(super) struct Counts {
    pub rows: usize,
    pub dropped_missing_customer: usize,
    pub dropped_missing_order: usize,
    pub missing_amount_rows: usize,
}

#[derive(Clone, Copy, Default)]
struct Acc {
    rows: u64,
    orders: u64,
    revenue: f64,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
}

/// How a customer's orders are counted.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Orders {
    /// Distinct order keys among the pairs added with `Tally::order`.
    Distinct,
    /// Every counted row is one order (no `order_id`).
    Rows,
    /// As given with `Tally::orders` (a database counted them).
    Given,
}

/// Sums per customer code while reading rows (order lines, order groups or
/// a database's per-customer rows).
pub(super) struct Tally {
    accs: Vec<Acc>,
    /// (customer, order key) of every counted row, for distinct orders.
    pairs: Vec<(u32, u64)>,
    pub counts: Counts,
}

impl Tally {
    pub fn new(customers: usize) -> Tally {
        Tally {
            accs: vec![Acc::default(); customers],
            pairs: Vec::new(),
            counts: Counts::default(),
        }
    }

    /// Counted rows of `customer`: their revenue (`None`: no finite
    /// amount), how many lacked a finite amount, and their first and last
    /// dates.
    pub fn add(
        &mut self,
        customer: u32,
        rows: u64,
        revenue: Option<f64>,
        missing_amount: u64,
        first: Option<NaiveDate>,
        last: Option<NaiveDate>,
    ) {
        let acc = &mut self.accs[customer as usize];
        acc.rows += rows;
        if let Some(r) = revenue {
            acc.revenue += r;
        }
        self.counts.missing_amount_rows += missing_amount as usize;
        if let Some(d) = first {
            acc.first = Some(acc.first.map_or(d, |f| f.min(d)));
        }
        if let Some(d) = last {
            acc.last = Some(acc.last.map_or(d, |l| l.max(d)));
        }
    }

    /// An order of `customer` (repeats are counted once).
    pub fn order(&mut self, customer: u32, key: u64) {
        self.pairs.push((customer, key));
    }

    /// `customer`'s number of distinct orders, as counted elsewhere.
    pub fn orders(&mut self, customer: u32, orders: u64) {
        self.accs[customer as usize].orders += orders;
    }

    /// The customers with counted rows, in value order.
    pub fn finish(mut self, ids: Ids, orders: Orders) -> Result<Customers> {
        if orders == Orders::Distinct {
            self.pairs.par_sort_unstable();
            self.pairs.dedup();
            for &(customer, _) in &self.pairs {
                self.accs[customer as usize].orders += 1;
            }
        }
        self.pairs = Vec::new();
        let ranks = ids.ranks()?;
        let mut list: Vec<Customer> = self
            .accs
            .iter()
            .enumerate()
            // A customer whose every row lacked an order id has no orders.
            .filter(|(_, acc)| acc.rows > 0)
            .map(|(c, acc)| Customer {
                id: c as u32,
                orders: match orders {
                    Orders::Rows => acc.rows,
                    _ => acc.orders,
                } as usize,
                revenue: acc.revenue,
                first: acc.first,
                last: acc.last,
            })
            .collect();
        drop(self.accs);
        list.par_sort_unstable_by(|a, b| {
            b.revenue
                .total_cmp(&a.revenue)
                .then_with(|| ranks[a.id as usize].cmp(&ranks[b.id as usize]))
        });
        let c = self.counts;
        Ok(Customers {
            list,
            ids,
            rows: c.rows,
            dropped_missing_customer: c.dropped_missing_customer,
            dropped_missing_order: c.dropped_missing_order,
            missing_amount_rows: c.missing_amount_rows,
        })
    }
}

/// Read the spec's columns from `df` and aggregate them per customer.
/// Customers are read as codes and orders as keys, so the rows are summed
/// without a string or a hash table of orders.
pub fn aggregate_customers(df: &DataFrame, spec: &CustomerValueSpec) -> Result<Customers> {
    let customers = ids(df, &spec.customer, "customer")?;
    let orders = match &spec.order_id {
        Some(col) => Some(keys(df, col, "order_id")?),
        None => None,
    };
    let amounts = columns::numbers(df, &spec.amount, "amount")?;
    let dates = match &spec.date {
        Some(col) => Some(columns::dates(df, col, "date")?),
        None => None,
    };
    let mut tally = Tally::new(customers.len());
    tally.counts.rows = df.height();
    for (r, customer) in customers.codes.iter().enumerate() {
        let Some(customer) = *customer else {
            tally.counts.dropped_missing_customer += 1;
            continue;
        };
        match orders.as_ref().map(|o| o[r]) {
            Some(None) => {
                tally.counts.dropped_missing_order += 1;
                continue;
            }
            Some(Some(order)) => tally.order(customer, order),
            None => {}
        }
        let amount = amounts[r].filter(|a| a.is_finite());
        let date = dates.as_ref().and_then(|d| d[r]);
        tally.add(customer, 1, amount, u64::from(amount.is_none()), date, date);
    }
    let orders = match spec.order_id {
        Some(_) => Orders::Distinct,
        None => Orders::Rows,
    };
    tally.finish(customers, orders)
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
