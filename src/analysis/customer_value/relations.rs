//! Relation checks between a report's tables: every non-null key of
//! `from` (`table.column`) must exist among the values of `to`.

use super::customers::Key;
use crate::data::{Tables, columns};
use crate::error::{Error, Result};
use polars::prelude::DataFrame;
use serde::Deserialize;
use std::collections::{BTreeSet, HashSet};

/// Most failing keys listed per relation.
pub const MAX_EXAMPLES: usize = 20;

/// `[[analyses.NAME.relations]]`: `from = "orders.user_id"`, `to = "users.id"`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RelationSpec {
    pub from: String,
    pub to: String,
}

/// The outcome of one relation check.
#[derive(Clone, Debug, PartialEq)]
pub struct RelationReport {
    pub from: String,
    pub to: String,
    /// Rows of `from` with a non-null key.
    pub checked: usize,
    /// Rows of `from` whose key is missing from `to`.
    pub failures: usize,
    /// Distinct failing keys.
    pub failing_keys: usize,
    /// The first `MAX_EXAMPLES` distinct failing keys, sorted (numerically
    /// when the column is numeric).
    pub examples: Vec<String>,
}

/// Check every relation, in order.
pub fn check_relations(tables: &Tables, specs: &[RelationSpec]) -> Result<Vec<RelationReport>> {
    specs
        .iter()
        .enumerate()
        .map(|(i, r)| check_relation(tables, r, i))
        .collect()
}

fn check_relation(tables: &Tables, spec: &RelationSpec, i: usize) -> Result<RelationReport> {
    let from_setting = format!("relations[{i}].from");
    let to_setting = format!("relations[{i}].to");
    let from_keys = read_keys(tables, &spec.from, &from_setting)?;
    let to_keys = read_keys(tables, &spec.to, &to_setting)?;
    let known: HashSet<String> = to_keys.into_iter().flatten().map(|k| k.text).collect();
    let mut report = RelationReport {
        from: spec.from.clone(),
        to: spec.to.clone(),
        checked: 0,
        failures: 0,
        failing_keys: 0,
        examples: Vec::new(),
    };
    let mut failing: BTreeSet<Key> = BTreeSet::new();
    for key in from_keys.into_iter().flatten() {
        report.checked += 1;
        if !known.contains(&key.text) {
            report.failures += 1;
            failing.insert(key);
        }
    }
    report.failing_keys = failing.len();
    report.examples = failing
        .into_iter()
        .take(MAX_EXAMPLES)
        .map(|k| k.text)
        .collect();
    Ok(report)
}

/// The keys of `table.column`; nulls stay `None`.
fn read_keys(tables: &Tables, reference: &str, setting: &str) -> Result<Vec<Option<Key>>> {
    let (table, column) = reference.split_once('.').ok_or_else(|| {
        Error::new(format!(
            "setting `{setting}` is `{reference}`, not `table.column`"
        ))
        .hint("e.g. from = \"orders.user_id\", to = \"users.id\"")
    })?;
    let df: &DataFrame = tables.get(table).ok_or_else(|| {
        let known: Vec<&str> = tables.keys().map(String::as_str).collect();
        Error::new(format!(
            "table `{table}` (setting `{setting}`) is not a source of this report"
        ))
        .hint(format!("declared sources: {}", known.join(", ")))
    })?;
    let numeric = columns::column(df, column, setting)?
        .dtype()
        .is_primitive_numeric();
    let keys = columns::keys(df, column, setting)?
        .into_iter()
        .map(|k| k.map(|k| Key::new(&k, numeric)))
        .collect();
    Ok(keys)
}
