//! Relation checks between a report's tables: every non-null key of
//! `from` (`table.column`) must exist among the values of `to`.

use super::customers::Key;
use crate::analysis::common::encode;
use crate::data::{Tables, columns};
use crate::error::{Error, Result};
use polars::prelude::{Column, DataFrame, DataType, PlSmallStr};
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
    let from = key_column(tables, &spec.from, &from_setting)?;
    let to = key_column(tables, &spec.to, &to_setting)?;
    let from_numeric = from.dtype().is_primitive_numeric();
    let mut report = RelationReport {
        from: spec.from.clone(),
        to: spec.to.clone(),
        checked: 0,
        failures: 0,
        failing_keys: 0,
        examples: Vec::new(),
    };
    let failing: BTreeSet<Key> = if from_numeric == to.dtype().is_primitive_numeric() {
        failing_by_codes(&from, &to, from_numeric, &mut report)?
    } else {
        failing_by_text(&from, &to, &from_setting, &to_setting, &mut report)?
    };
    report.failing_keys = failing.len();
    report.examples = failing
        .into_iter()
        .take(MAX_EXAMPLES)
        .map(|k| k.text)
        .collect();
    Ok(report)
}

/// Failing keys when both columns are numbers or both text: the values of
/// both are grouped together by polars (numbers compared as numbers), and
/// a `from` value fails when its group holds no `to` value.
fn failing_by_codes(
    from: &Column,
    to: &Column,
    numeric: bool,
    report: &mut RelationReport,
) -> Result<BTreeSet<Key>> {
    let common = if numeric {
        DataType::Float64
    } else {
        DataType::String
    };
    let mut keys = to.cast(&common)?.with_name(PlSmallStr::from("key"));
    keys.append(&from.cast(&common)?.with_name(PlSmallStr::from("key")))?;
    let both = DataFrame::new(keys.len(), vec![keys])?;
    let codes = encode(&both, "key", "relations")?;
    let mut known = vec![false; codes.names.len()];
    for code in codes.codes[..to.len()].iter().flatten() {
        known[*code as usize] = true;
    }
    let mut failing_codes = BTreeSet::new();
    for code in codes.codes[to.len()..].iter().flatten() {
        report.checked += 1;
        if !known[*code as usize] {
            report.failures += 1;
            failing_codes.insert(*code);
        }
    }
    Ok(failing_codes
        .into_iter()
        .map(|c| Key::new(&codes.names[c as usize], numeric))
        .collect())
}

/// Failing keys when one column holds numbers and the other text: both
/// compared by their key text (`5.0` is `5`).
fn failing_by_text(
    from: &Column,
    to: &Column,
    from_setting: &str,
    to_setting: &str,
    report: &mut RelationReport,
) -> Result<BTreeSet<Key>> {
    let known: HashSet<String> = text_keys(to, to_setting)?
        .into_iter()
        .flatten()
        .map(|k| k.text)
        .collect();
    let mut failing = BTreeSet::new();
    for key in text_keys(from, from_setting)?.into_iter().flatten() {
        report.checked += 1;
        if !known.contains(&key.text) {
            report.failures += 1;
            failing.insert(key);
        }
    }
    Ok(failing)
}

fn text_keys(column: &Column, setting: &str) -> Result<Vec<Option<Key>>> {
    let numeric = column.dtype().is_primitive_numeric();
    let text = column.cast(&DataType::String).map_err(|e| {
        Error::new(format!(
            "column `{}` (setting `{setting}`) cannot be read as text",
            column.name()
        ))
        .setting(setting)
        .caused_by(e)
    })?;
    Ok(text
        .str()?
        .iter()
        .map(|k| k.map(|k| Key::new(k, numeric)))
        .collect())
}

/// The column of `table.column`.
fn key_column(tables: &Tables, reference: &str, setting: &str) -> Result<Column> {
    let (table, column) = reference.split_once('.').ok_or_else(|| {
        Error::new(format!(
            "setting `{setting}` is `{reference}`, not `table.column`"
        ))
        .setting(setting)
        .hint("e.g. from = \"orders.user_id\", to = \"users.id\"")
    })?;
    let df: &DataFrame = tables.get(table).ok_or_else(|| {
        let known: Vec<&str> = tables.keys().map(String::as_str).collect();
        Error::new(format!(
            "table `{table}` (setting `{setting}`) is not a source of this report"
        ))
        .setting(setting)
        .hint(format!("declared sources: {}", known.join(", ")))
    })?;
    Ok(columns::column(df, column, setting)?.clone())
}
