//! Market basket pushed down to a database: the order lines reduced on the
//! server to their distinct (order id, item) pairs — nulls grouped too, so
//! the rows left out are counted — which is all the transactions hold.

use super::BasketSpec;
use crate::data::external::pushdown::{Aggregate, q};

/// The aggregation over the cleaned source `s`.
pub fn aggregate(spec: &BasketSpec) -> Aggregate {
    let (o, i) = (q(&spec.order_id), q(&spec.item));
    Aggregate {
        sql: format!(
            "SELECT {o} AS \"order_id\", {i} AS \"item\", COUNT(*) AS \"line_count\" \
             FROM s GROUP BY {o}, {i}"
        ),
        grouped: None,
        columns: vec![spec.order_id.clone(), spec.item.clone()],
        dates: Vec::new(),
        numbers: Vec::new(),
    }
}
