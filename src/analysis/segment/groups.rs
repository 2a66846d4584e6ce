//! Which segments are compared: display labels for the segment values, the
//! focus and the baseline of every ratio and index, and the display order
//! (focus, baseline, then the others by orders).

use super::SegmentSpec;
use super::input::Input;
use crate::error::{Error, Result};
use std::collections::BTreeMap;

/// The segments found in the data, by code of the segment column.
#[derive(Debug)]
pub(super) struct Groups {
    /// Raw value of each code (`true`, `B2B`, ...).
    pub values: Vec<String>,
    /// Display label of each code.
    pub labels: Vec<String>,
    /// Codes in display order; the first is the focus, the second the
    /// baseline.
    pub order: Vec<usize>,
}

impl Groups {
    pub fn focus(&self) -> usize {
        self.order[0]
    }

    pub fn baseline(&self) -> usize {
        self.order[1]
    }

    /// Labels in display order.
    pub fn ordered_labels(&self) -> Vec<String> {
        self.order.iter().map(|&c| self.labels[c].clone()).collect()
    }
}

/// Name the segments and choose focus and baseline. `orders` holds the
/// number of distinct orders of each code.
pub(super) fn resolve_groups(spec: &SegmentSpec, input: &Input, orders: &[u64]) -> Result<Groups> {
    let values = input.segment.names.clone();
    let labels = label_values(spec, &values)?;
    if values.len() < 2 {
        return Err(too_few_segments(spec, &labels));
    }
    let by_orders = sort_by_orders(&labels, orders, (0..values.len()).collect());
    let (focus, baseline) = match &spec.compare {
        Some(compare) => find_compared(spec, compare, &values, &labels)?,
        None if input.segment_is_bool => (code_of(&values, "true"), code_of(&values, "false")),
        None => {
            let (a, b) = (by_orders[0], by_orders[1]);
            if labels[b] < labels[a] {
                (b, a)
            } else {
                (a, b)
            }
        }
    };
    let mut order = vec![focus, baseline];
    order.extend(
        by_orders
            .into_iter()
            .filter(|&c| c != focus && c != baseline),
    );
    Ok(Groups {
        values,
        labels,
        order,
    })
}

/// Apply `labels` (exact key, else case-insensitive) and reject two values
/// shown under the same label.
fn label_values(spec: &SegmentSpec, values: &[String]) -> Result<Vec<String>> {
    let labels: Vec<String> = values
        .iter()
        .map(|v| label_of(&spec.labels, v).unwrap_or_else(|| v.clone()))
        .collect();
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for (label, value) in labels.iter().zip(values) {
        if let Some(other) = seen.insert(label, value) {
            return Err(Error::new(format!(
                "segment values `{other}` and `{value}` of column `{}` are both labelled `{label}`",
                spec.segment
            ))
            .hint("give each segment value its own name in `labels`"));
        }
    }
    Ok(labels)
}

fn label_of(labels: &BTreeMap<String, String>, value: &str) -> Option<String> {
    labels.get(value).cloned().or_else(|| {
        labels
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(value))
            .map(|(_, l)| l.clone())
    })
}

/// Codes sorted by distinct orders, most first, ties by label.
fn sort_by_orders(labels: &[String], orders: &[u64], mut codes: Vec<usize>) -> Vec<usize> {
    codes.sort_by(|&a, &b| orders[b].cmp(&orders[a]).then(labels[a].cmp(&labels[b])));
    codes
}

fn code_of(values: &[String], value: &str) -> usize {
    values.iter().position(|v| v == value).unwrap_or(0)
}

/// Resolve `compare = [focus, baseline]` against labels, then raw values.
fn find_compared(
    spec: &SegmentSpec,
    compare: &[String],
    values: &[String],
    labels: &[String],
) -> Result<(usize, usize)> {
    let [focus, baseline] = compare else {
        return Err(Error::new(format!(
            "setting `compare` lists {} values; it needs exactly two",
            compare.len()
        ))
        .setting("compare")
        .hint("write `compare = [\"focus\", \"baseline\"]`, e.g. `[\"B2B\", \"B2C\"]`"));
    };
    let find = |wanted: &str| -> Result<usize> {
        let exact = labels.iter().position(|l| l == wanted);
        let raw = || values.iter().position(|v| v == wanted);
        let loose = || {
            let mut both = labels.iter().chain(values);
            both.position(|v| v.eq_ignore_ascii_case(wanted))
                .map(|i| i % values.len())
        };
        exact.or_else(raw).or_else(loose).ok_or_else(|| {
            Error::new(format!(
                "`{wanted}` (setting `compare`) is not a value of column `{}`",
                spec.segment
            ))
            .setting("compare")
            .hint(format!("values found: {}", describe_values(values, labels)))
        })
    };
    let (f, b) = (find(focus)?, find(baseline)?);
    if f == b {
        return Err(Error::new(format!(
            "setting `compare` names the same segment twice (`{focus}`, `{baseline}`)"
        ))
        .setting("compare")
        .hint("name two different segments: the focus first, then the baseline"));
    }
    Ok((f, b))
}

fn describe_values(values: &[String], labels: &[String]) -> String {
    let mut parts: Vec<String> = values
        .iter()
        .zip(labels)
        .map(|(v, l)| {
            if v == l {
                format!("`{v}`")
            } else {
                format!("`{l}` ({v})")
            }
        })
        .collect();
    parts.sort();
    parts.join(", ")
}

fn too_few_segments(spec: &SegmentSpec, labels: &[String]) -> Error {
    let found = match labels.first() {
        Some(l) => format!("only `{l}`"),
        None => "no values (every row is empty)".to_string(),
    };
    Error::new(format!(
        "column `{}` (setting `segment`) has {found} in table `{}`; a comparison needs two segments",
        spec.segment, spec.table
    ))
    .setting("segment")
    .hint("check the source's `filters` (they may remove a whole segment) or choose another `segment` column")
}
