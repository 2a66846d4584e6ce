//! The k-means feature matrix: reads the feature columns, drops rows with a
//! missing value, aggregates rows to the chosen level (sum or mean per group)
//! and computes the derived ratio features on the aggregated values.

use super::{Aggregation, KmeansSpec, ROW_LEVEL};
use crate::data::columns;
use crate::error::{Error, Result};
use polars::prelude::DataFrame;
use std::collections::BTreeMap;

/// The points to cluster, in original units.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureMatrix {
    /// Feature names: the `features` first, then the `derived` ones.
    pub names: Vec<String>,
    /// One row of feature values per point.
    pub points: Vec<Vec<f64>>,
    /// The level value of each point (`None` at row level).
    pub keys: Option<Vec<String>>,
    /// `(data row, point)` for every data row that went into a point.
    pub row_points: Vec<(usize, usize)>,
    /// Data rows dropped for a missing or non-finite feature value (or a
    /// missing level value).
    pub dropped_rows: usize,
    /// Points dropped because a derived ratio had a zero denominator.
    pub dropped_zero_denominator: usize,
}

/// Build the feature matrix of `spec` from `df`.
pub fn build_features(df: &DataFrame, spec: &KmeansSpec) -> Result<FeatureMatrix> {
    let inputs = input_columns(spec);
    let values = read_inputs(df, &inputs)?;
    let group_keys = read_level(df, spec)?;
    let (kept, dropped_rows) = keep_complete_rows(&values, group_keys.as_deref(), df.height());
    let (groups, keys) = group_rows(kept, group_keys.as_deref());
    assemble(spec, &inputs, &values, &groups, keys, dropped_rows)
}

/// Every numeric column the features need, in first-use order, with the
/// setting that asked for it.
fn input_columns(spec: &KmeansSpec) -> Vec<(String, &'static str)> {
    let mut cols: Vec<(String, &'static str)> = Vec::new();
    let mut add = |name: &str, setting: &'static str| {
        if !cols.iter().any(|(c, _)| c == name) {
            cols.push((name.to_string(), setting));
        }
    };
    for f in &spec.features {
        add(f, "features");
    }
    for d in &spec.derived {
        add(&d.numerator, "derived.numerator");
        add(&d.denominator, "derived.denominator");
    }
    cols
}

fn read_inputs(df: &DataFrame, inputs: &[(String, &'static str)]) -> Result<Vec<Vec<Option<f64>>>> {
    inputs
        .iter()
        .map(|(name, setting)| columns::numbers(df, name, setting))
        .collect()
}

fn read_level(df: &DataFrame, spec: &KmeansSpec) -> Result<Option<Vec<Option<String>>>> {
    if spec.level == ROW_LEVEL {
        return Ok(None);
    }
    columns::keys(df, &spec.level, "level").map(Some)
}

/// Rows where every input is a finite number (and the level key is present),
/// and the count of the others.
fn keep_complete_rows(
    values: &[Vec<Option<f64>>],
    keys: Option<&[Option<String>]>,
    height: usize,
) -> (Vec<usize>, usize) {
    let kept: Vec<usize> = (0..height)
        .filter(|&r| {
            let numbers_ok = values
                .iter()
                .all(|col| col[r].is_some_and(|v| v.is_finite()));
            let key_ok = keys.is_none_or(|k| k[r].is_some());
            numbers_ok && key_ok
        })
        .collect();
    let dropped = height - kept.len();
    (kept, dropped)
}

/// The data rows of every point, flat: point `g` has the rows
/// `rows[starts[g]..starts[g + 1]]`.
struct Groups {
    rows: Vec<usize>,
    starts: Vec<usize>,
}

impl Groups {
    fn len(&self) -> usize {
        self.starts.len() - 1
    }

    fn rows(&self, g: usize) -> &[usize] {
        &self.rows[self.starts[g]..self.starts[g + 1]]
    }
}

/// Rows per point: one row each at row level, else the rows of each level
/// value in ascending key order.
fn group_rows(kept: Vec<usize>, keys: Option<&[Option<String>]>) -> (Groups, Option<Vec<String>>) {
    let Some(keys) = keys else {
        let starts = (0..=kept.len()).collect();
        return (Groups { rows: kept, starts }, None);
    };
    let mut by_key: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &r in &kept {
        if let Some(k) = keys[r].as_deref() {
            by_key.entry(k).or_default().push(r);
        }
    }
    let names = by_key.keys().map(|k| k.to_string()).collect();
    let mut groups = Groups {
        rows: Vec::with_capacity(kept.len()),
        starts: vec![0],
    };
    for rows in by_key.into_values() {
        groups.rows.extend(rows);
        groups.starts.push(groups.rows.len());
    }
    (groups, Some(names))
}

/// Sum or mean of input column `col` over `rows`.
fn aggregate(col: &[Option<f64>], rows: &[usize], agg: Aggregation) -> f64 {
    let sum: f64 = rows.iter().filter_map(|&r| col[r]).sum();
    match agg {
        Aggregation::Sum => sum,
        Aggregation::Mean => sum / rows.len() as f64,
    }
}

/// Aggregate the feature columns per point, add the ratios and drop points
/// whose ratio has a zero denominator.
fn assemble(
    spec: &KmeansSpec,
    inputs: &[(String, &'static str)],
    values: &[Vec<Option<f64>>],
    groups: &Groups,
    keys: Option<Vec<String>>,
    dropped_rows: usize,
) -> Result<FeatureMatrix> {
    let index = |name: &str| inputs.iter().position(|(c, _)| c == name).unwrap_or(0);
    let features: Vec<usize> = spec.features.iter().map(|f| index(f)).collect();
    let ratios: Vec<(usize, usize)> = spec
        .derived
        .iter()
        .map(|d| (index(&d.numerator), index(&d.denominator)))
        .collect();
    let mut names = spec.features.clone();
    names.extend(spec.derived.iter().map(|d| d.name.clone()));
    let mut out = FeatureMatrix {
        names,
        points: Vec::with_capacity(groups.len()),
        keys: keys.as_ref().map(|_| Vec::new()),
        row_points: Vec::with_capacity(groups.rows.len()),
        dropped_rows,
        dropped_zero_denominator: 0,
    };
    let mut totals = vec![0.0; inputs.len()];
    for g in 0..groups.len() {
        let rows = groups.rows(g);
        for (total, col) in totals.iter_mut().zip(values) {
            *total = aggregate(col, rows, spec.agg);
        }
        if ratios.iter().any(|&(_, den)| totals[den] == 0.0) {
            out.dropped_zero_denominator += 1;
            continue;
        }
        let mut point = Vec::with_capacity(features.len() + ratios.len());
        point.extend(features.iter().map(|&f| totals[f]));
        point.extend(ratios.iter().map(|&(num, den)| totals[num] / totals[den]));
        let p = out.points.len();
        out.points.push(point);
        if let (Some(out_keys), Some(keys)) = (out.keys.as_mut(), keys.as_ref()) {
            out_keys.push(keys[g].clone());
        }
        out.row_points.extend(rows.iter().map(|&r| (r, p)));
    }
    check_not_empty(&out, spec)?;
    Ok(out)
}

fn check_not_empty(m: &FeatureMatrix, spec: &KmeansSpec) -> Result<()> {
    if m.points.is_empty() {
        return Err(Error::new(format!(
            "k-means on table `{}` has no data left: {} rows had a missing feature value, {} points a zero ratio denominator",
            spec.table, m.dropped_rows, m.dropped_zero_denominator
        ))
        .hint("check the source's filters and that the `features` columns are filled"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::spec_from;
    use super::*;

    fn sales() -> DataFrame {
        polars::df!(
            "rep" => [Some("b"), Some("a"), Some("b"), None, Some("a")],
            "amount" => [Some(10.0), Some(4.0), Some(20.0), Some(7.0), None],
            "boxes" => [Some(2.0), Some(1.0), Some(3.0), Some(1.0), Some(5.0)],
        )
        .expect("test frame")
    }

    #[test]
    fn row_level_drops_missing_values_and_computes_ratios() {
        // Row 4 has no amount; row 3 is complete at row level.
        let spec = spec_from(
            r#"table = "t"
            features = ["amount"]
            derived = [{ name = "per_box", numerator = "amount", denominator = "boxes" }]
            k = 2"#,
        );
        let m = build_features(&sales(), &spec).expect("features");
        assert_eq!(m.names, vec!["amount", "per_box"]);
        assert_eq!(
            m.points,
            vec![
                vec![10.0, 5.0],
                vec![4.0, 4.0],
                vec![20.0, 20.0 / 3.0],
                vec![7.0, 7.0]
            ]
        );
        assert_eq!(m.dropped_rows, 1);
        assert_eq!(m.keys, None);
    }

    #[test]
    fn group_level_sums_or_means_then_takes_ratio_of_aggregates() {
        // Rows kept: 0 (b, 10, 2), 1 (a, 4, 1), 2 (b, 20, 3); row 3 has no rep,
        // row 4 no amount. a: sum (4, 1); b: sum (30, 5), mean (15, 2.5).
        // Ratio per group = 30 / 5 = 6 whatever the aggregation.
        let base = r#"table = "t"
            features = ["amount", "boxes"]
            derived = [{ name = "per_box", numerator = "amount", denominator = "boxes" }]
            level = "rep"
            k = 2"#;
        let m = build_features(&sales(), &spec_from(base)).expect("features");
        assert_eq!(m.keys, Some(vec!["a".to_string(), "b".to_string()]));
        assert_eq!(m.points, vec![vec![4.0, 1.0, 4.0], vec![30.0, 5.0, 6.0]]);
        assert_eq!(m.dropped_rows, 2);
        assert_eq!(m.row_points, vec![(1, 0), (0, 1), (2, 1)]);
        let mean = build_features(&sales(), &spec_from(&format!("{base}\nagg = \"mean\"")))
            .expect("features");
        assert_eq!(mean.points[1], vec![15.0, 2.5, 6.0]);
    }

    #[test]
    fn zero_denominator_drops_the_point() {
        let df = polars::df!("a" => [1.0, 2.0], "b" => [0.0, 4.0]).expect("frame");
        let spec = spec_from(
            r#"table = "t"
            derived = [{ name = "r", numerator = "a", denominator = "b" }]
            k = 2"#,
        );
        let m = build_features(&df, &spec).expect("features");
        assert_eq!(m.points, vec![vec![0.5]]);
        assert_eq!(m.dropped_zero_denominator, 1);
        assert_eq!(m.row_points, vec![(1, 0)]);
    }

    #[test]
    fn missing_and_text_columns_name_the_setting() {
        let df = polars::df!("a" => [1.0], "s" => ["x"]).expect("frame");
        let err = build_features(&df, &spec_from("table = \"t\"\nfeatures = [\"zz\"]\nk = 2"))
            .expect_err("missing");
        assert!(err.message().contains("`zz` (setting `features`)"), "{err}");
        let err = build_features(&df, &spec_from("table = \"t\"\nfeatures = [\"s\"]\nk = 2"))
            .expect_err("text");
        assert!(err.message().contains("not numeric"), "{err}");
    }

    #[test]
    fn all_rows_missing_is_an_error() {
        let df = polars::df!("a" => [None::<f64>, None]).expect("frame");
        let err = build_features(&df, &spec_from("table = \"t\"\nfeatures = [\"a\"]\nk = 2"))
            .expect_err("empty");
        assert!(err.message().contains("no data left"), "{err}");
    }
}
