//! The k-means result: tables (`clusters`, `elbow`, `points`, `by_<label>`),
//! built-in charts and the result JSON.

use super::KmeansSpec;
use super::features::FeatureMatrix;
use super::fit::Search;
use crate::chart::{ChartKind, ChartSpec};
use crate::config::Language;
use crate::table::Table;
use serde_json::{Map, Value, json};

/// Most points written to the `points` table (for the scatter chart).
pub const MAX_PLOTTED_POINTS: usize = 5_000;

/// One cluster after renumbering and naming.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterSummary {
    /// 1-based cluster number.
    pub number: usize,
    pub name: String,
    pub size: usize,
    /// Centroid in original units, one value per feature.
    pub centroid: Vec<f64>,
}

/// One row of the elbow table.
#[derive(Clone, Debug, PartialEq)]
pub struct ElbowRow {
    pub k: usize,
    pub inertia: f64,
    pub silhouette: Option<f64>,
}

/// Everything the output needs, computed by the analysis.
pub struct Model<'a> {
    pub spec: &'a KmeansSpec,
    pub features: &'a FeatureMatrix,
    /// 0-based cluster index of each point (renumbered).
    pub labels: &'a [usize],
    pub clusters: Vec<ClusterSummary>,
    pub inertia: f64,
    pub silhouette: Option<f64>,
    /// Size of the silhouette sample when the points were sampled.
    pub silhouette_sample: Option<usize>,
    pub constant_features: Vec<String>,
    pub elbow: Vec<ElbowRow>,
}

/// The `clusters` table: number, name, size, share and centroid columns.
pub fn clusters_table(m: &Model) -> Table {
    let mut cols = vec![
        "cluster".to_string(),
        "name".into(),
        "size".into(),
        "share".into(),
    ];
    cols.extend(m.features.names.iter().cloned());
    let mut t = Table::new(cols);
    let n = m.labels.len() as f64;
    for c in &m.clusters {
        let mut row = vec![
            json!(c.number),
            json!(c.name),
            json!(c.size),
            json!(c.size as f64 / n),
        ];
        row.extend(c.centroid.iter().map(|v| json!(v)));
        t.push(row);
    }
    t
}

/// The `elbow` table: k, inertia, silhouette.
pub fn elbow_table(rows: &[ElbowRow]) -> Table {
    let mut t = Table::new(["k", "inertia", "silhouette"]);
    for r in rows {
        t.push(vec![json!(r.k), json!(r.inertia), json!(r.silhouette)]);
    }
    t
}

/// Indices of at most `max` points, evenly spread over `0..n`.
pub fn plotted_points(n: usize, max: usize) -> Vec<usize> {
    if n <= max {
        return (0..n).collect();
    }
    (0..max).map(|i| i * n / max).collect()
}

/// The `points` table: the level value (when aggregated), the features, the
/// cluster number and name, for at most `MAX_PLOTTED_POINTS` points.
pub fn points_table(m: &Model) -> Table {
    let mut cols: Vec<String> = Vec::new();
    if m.features.keys.is_some() {
        cols.push(m.spec.level.clone());
    }
    cols.extend(m.features.names.iter().cloned());
    cols.extend(["cluster".to_string(), "name".to_string()]);
    let mut t = Table::new(cols);
    for i in plotted_points(m.labels.len(), MAX_PLOTTED_POINTS) {
        let mut row: Vec<Value> = Vec::new();
        if let Some(keys) = &m.features.keys {
            row.push(json!(keys[i]));
        }
        row.extend(m.features.points[i].iter().map(|v| json!(v)));
        let c = &m.clusters[m.labels[i]];
        row.extend([json!(c.number), json!(c.name)]);
        t.push(row);
    }
    t
}

/// The `by_<label>` table: data rows per label value and cluster, every pair
/// present (zeros included), labels ascending; a missing label is `(missing)`.
pub fn label_table(m: &Model, label: &str, values: &[Option<String>]) -> Table {
    let k = m.clusters.len();
    let mut counts: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
    for &(row, point) in &m.features.row_points {
        let key = values[row]
            .clone()
            .unwrap_or_else(|| "(missing)".to_string());
        counts.entry(key).or_insert_with(|| vec![0; k])[m.labels[point]] += 1;
    }
    let mut t = Table::new([label, "cluster", "name", "count"]);
    for (key, per_cluster) in counts {
        for (c, count) in m.clusters.iter().zip(per_cluster) {
            t.push(vec![
                json!(key),
                json!(c.number),
                json!(c.name),
                json!(count),
            ]);
        }
    }
    t
}

/// A file- and reference-safe form of a column name: `Sales Person` ->
/// `sales_person`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed = out.trim_matches('_');
    if trimmed.is_empty() {
        "label".to_string()
    } else {
        trimmed.to_string()
    }
}

/// The built-in charts: `scatter3d` (or `scatter` with two features),
/// `sizes`, `elbow`, `silhouette` and `by_<label>`.
pub fn charts(m: &Model, language: Language) -> Vec<(String, ChartSpec)> {
    let t = |en: &str, id: &str| match language {
        Language::En => en.to_string(),
        Language::Id => id.to_string(),
    };
    let names = &m.features.names;
    let mut out = Vec::new();
    if names.len() >= 2 {
        let three = names.len() >= 3;
        let kind = if three {
            ChartKind::Scatter3d
        } else {
            ChartKind::Scatter
        };
        let spec = ChartSpec {
            kind,
            table: "points".into(),
            title: Some(t("Clusters", "Klaster")),
            x: Some(names[0].clone()),
            y: vec![names[1].clone()],
            z: three.then(|| names[2].clone()),
            series: Some("name".into()),
            // Axes are titled with the features' display names.
            ..ChartSpec::default()
        };
        out.push((
            if three { "scatter3d" } else { "scatter" }.to_string(),
            spec,
        ));
    }
    out.push((
        "sizes".into(),
        bar(
            "clusters",
            "name",
            "size",
            t("Cluster sizes", "Ukuran klaster"),
        ),
    ));
    out.push((
        "elbow".into(),
        line(
            "inertia",
            t("Inertia by k (elbow)", "Inersia per k (elbow)"),
            crate::table::names::display_name("k", language),
        ),
    ));
    out.push((
        "silhouette".into(),
        line(
            "silhouette",
            t("Silhouette by k", "Silhouette per k"),
            crate::table::names::display_name("k", language),
        ),
    ));
    if let Some(label) = &m.spec.label_by {
        let name = format!("by_{}", slug(label));
        let mut spec = bar(
            &name,
            label,
            "count",
            t(
                &format!("Clusters by {label}"),
                &format!("Klaster per {label}"),
            ),
        );
        spec.series = Some("name".into());
        out.push((name, spec));
    }
    out
}

fn bar(table: &str, x: &str, y: &str, title: String) -> ChartSpec {
    ChartSpec {
        kind: ChartKind::Bar,
        table: table.into(),
        title: Some(title),
        x: Some(x.into()),
        y: vec![y.into()],
        ..ChartSpec::default()
    }
}

fn line(y: &str, title: String, x_label: String) -> ChartSpec {
    ChartSpec {
        kind: ChartKind::Line,
        table: "elbow".into(),
        title: Some(title),
        x: Some("k".into()),
        y: vec![y.into()],
        x_label: Some(x_label),
        ..ChartSpec::default()
    }
}

/// The result JSON (numbers unrounded).
pub fn result_json(m: &Model) -> Value {
    let n = m.labels.len() as f64;
    let clusters: Vec<Value> = m.clusters.iter().map(|c| cluster_json(c, m, n)).collect();
    let mut by_name = Map::new();
    let mut by_number = Map::new();
    for (c, v) in m.clusters.iter().zip(&clusters) {
        by_name.insert(c.name.clone(), v.clone());
        by_number.insert(c.number.to_string(), v.clone());
    }
    let best_k = m
        .elbow
        .iter()
        .filter_map(|r| r.silhouette.map(|s| (r.k, s)))
        .fold(None::<(usize, f64)>, |best, (k, s)| match best {
            Some((_, b)) if b >= s => best,
            _ => Some((k, s)),
        });
    let search = Search::new(m.clusters.len(), m.spec.seed, m.spec.restarts);
    let searched = search.points_searched(m.labels.len());
    json!({
        "k": m.clusters.len(),
        "features": m.features.names,
        "level": m.spec.level,
        "agg": m.spec.agg,
        "seed": m.spec.seed,
        "restarts": m.spec.restarts,
        // Above this many points the restarts ran on a seeded sample.
        "restarts_sample_size": searched,
        // Runs of each of the two searches (more than `restarts` where cheap).
        "runs_per_search": search.runs(searched),
        "points": m.labels.len(),
        "inertia": m.inertia,
        "silhouette": m.silhouette,
        "silhouette_sampled": m.silhouette_sample.is_some(),
        "silhouette_sample_size": m.silhouette_sample.unwrap_or(m.labels.len()),
        // Elbow rows other than the chosen k use a seeded sample of at most
        // 2,000 points for their silhouette.
        "elbow_silhouette_sample_size": m.labels.len().min(2_000),
        "dropped_rows": m.features.dropped_rows,
        "dropped_zero_denominator": m.features.dropped_zero_denominator,
        "constant_features": m.constant_features,
        "best_silhouette_k": best_k.map(|(k, _)| k),
        "clusters": clusters,
        "by_name": by_name,
        "by_number": by_number,
    })
}

fn cluster_json(c: &ClusterSummary, m: &Model, n: f64) -> Value {
    let centroid: Map<String, Value> = m
        .features
        .names
        .iter()
        .zip(&c.centroid)
        .map(|(f, v)| (f.clone(), json!(v)))
        .collect();
    json!({
        "number": c.number,
        "name": c.name,
        "size": c.size,
        "share": c.size as f64 / n,
        "centroid": centroid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_with_single_underscores() {
        assert_eq!(slug("Sales Person"), "sales_person");
        assert_eq!(slug(" ship-state "), "ship_state");
        assert_eq!(slug("Négara"), "n_gara");
        assert_eq!(slug("***"), "label");
    }

    #[test]
    fn plotted_points_are_evenly_spread_and_capped() {
        assert_eq!(plotted_points(3, 5), vec![0, 1, 2]);
        assert_eq!(plotted_points(10, 4), vec![0, 2, 5, 7]);
        assert_eq!(
            plotted_points(20_000, MAX_PLOTTED_POINTS).len(),
            MAX_PLOTTED_POINTS
        );
    }
}
