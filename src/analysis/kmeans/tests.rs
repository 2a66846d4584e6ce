//! End-to-end tests of the k-means analysis, against scikit-learn values
//! (tests/reference/kmeans_sklearn.py) and hand-computed ones.

use super::*;
use crate::data::Tables;
use polars::prelude::DataFrame;
use serde_json::{Value, json};

/// A `KmeansSpec` from the TOML body of an `[analyses.NAME]` table.
pub(crate) fn spec_from(toml_text: &str) -> KmeansSpec {
    toml::from_str(toml_text).expect("test spec parses")
}

fn run_on(df: DataFrame, spec: &str, language: Language) -> Result<AnalysisOutput> {
    let mut tables = Tables::new();
    tables.insert("t".to_string(), df);
    let ctx = AnalysisContext {
        tables: &tables,
        language,
    };
    run(&spec_from(spec), &ctx)
}

/// The 60-point, 3-blob set of tests/reference/kmeans_sklearn.py.
fn blobs() -> DataFrame {
    let centers = [(0.0, 0.0), (6.0, 3.0), (2.0, 9.0)];
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for i in 0..60usize {
        let (cx, cy) = centers[i % 3];
        let u = ((i * 37) % 17) as f64 / 17.0 - 0.5;
        let v = ((i * 53) % 19) as f64 / 19.0 - 0.5;
        xs.push(cx + 3.0 * u);
        ys.push(cy + 3.0 * v);
    }
    polars::df!("x" => xs, "y" => ys).expect("blobs frame")
}

fn num(v: &Value) -> f64 {
    v.as_f64().expect("number")
}

#[test]
fn inertia_matches_scikit_learn_within_one_percent() {
    // scikit-learn 1.9.1, StandardScaler + KMeans(n_clusters=k, n_init=10,
    // random_state=0).inertia_ and silhouette_score, k = 2..10:
    let sklearn = [
        (2, 54.87135507672774),
        (3, 9.36194816345246),
        (4, 7.614351976244679),
        (5, 6.024972553239179),
        (6, 4.5037336095314116),
        (7, 4.03595973246654),
        (8, 3.5439963908215337),
        (9, 3.1942815595759444),
        (10, 2.881889004686208),
    ];
    let out = run_on(
        blobs(),
        "table = \"t\"\nfeatures = [\"x\", \"y\"]\nk = 3",
        Language::En,
    )
    .expect("run");
    let inertia = num(&out.result["inertia"]);
    assert!((inertia / 9.36194816345246 - 1.0).abs() < 0.01, "{inertia}");
    // Same partition as scikit-learn, so the same silhouette.
    let sil = num(&out.result["silhouette"]);
    assert!((sil - 0.7611337993272579).abs() < 1e-9, "{sil}");
    let elbow = &out.tables["elbow"];
    assert_eq!(elbow.len(), sklearn.len());
    for (row, (k, reference)) in elbow.rows.iter().zip(sklearn) {
        assert_eq!(row[0], json!(k));
        let ours = num(&row[1]);
        assert!(ours <= reference * 1.01, "k = {k}: {ours} vs {reference}");
    }
    let sizes: Vec<u64> = out.result["clusters"]
        .as_array()
        .expect("clusters")
        .iter()
        .map(|c| c["size"].as_u64().expect("size"))
        .collect();
    assert_eq!(sizes, vec![20, 20, 20]);
    assert_eq!(out.result["silhouette_sampled"], json!(false));
    // 60 points: every run is cheap, so 100 per search (not 10), no sample.
    assert_eq!(out.result["runs_per_search"], json!(100));
    assert_eq!(out.result["restarts_sample_size"], json!(60));
}

/// amount 1, 2, 3 | 10, 11, 12; boxes constant 4; country A B A A B B.
fn tiny() -> DataFrame {
    polars::df!(
        "amount" => [1.0, 2.0, 3.0, 10.0, 11.0, 12.0],
        "boxes" => [4.0, 4.0, 4.0, 4.0, 4.0, 4.0],
        "country" => ["A", "B", "A", "A", "B", "B"],
    )
    .expect("tiny frame")
}

const TINY: &str = r#"table = "t"
features = ["amount", "boxes"]
k = 2
label_by = "country"
[[names]]
name = "Big"
rule = "highest:amount"
"#;

#[test]
fn tiny_set_by_hand() {
    let out = run_on(tiny(), TINY, Language::En).expect("run");
    let r = &out.result;
    // amount: mean 6.5, population variance 125.5 / 6; within-cluster sum
    // of squares 2 + 2 = 4 in original units -> 4 / (125.5 / 6) scaled.
    // boxes is constant -> scaled to 0, adds nothing.
    assert!((num(&r["inertia"]) - 24.0 / 125.5).abs() < 1e-12);
    // Silhouette: x=1: a 1.5, b 10 -> 0.85; x=2: a 1, b 9 -> 8/9;
    // x=3: a 1.5, b 8 -> 0.8125; the other cluster mirrors: 1837/2160.
    assert!((num(&r["silhouette"]) - 1837.0 / 2160.0).abs() < 1e-12);
    assert_eq!(r["constant_features"], json!(["boxes"]));
    assert_eq!(r["by_number"]["1"]["name"], json!("Cluster 1"));
    assert_eq!(r["by_name"]["Big"]["number"], json!(2));
    assert_eq!(r["by_name"]["Big"]["size"], json!(3));
    assert!((num(&r["by_name"]["Big"]["centroid"]["amount"]) - 11.0).abs() < 1e-12);
    assert!((num(&r["by_number"]["1"]["centroid"]["boxes"]) - 4.0).abs() < 1e-12);
    assert_eq!(r["by_number"]["1"]["share"], json!(0.5));
    assert_eq!(r["dropped_rows"], json!(0));
    let clusters = &out.tables["clusters"];
    assert_eq!(
        clusters.columns,
        ["cluster", "name", "size", "share", "amount", "boxes"]
    );
    // Elbow: k = 2..5 (points - 1).
    assert_eq!(out.tables["elbow"].len(), 4);
    // Rows 0, 2 (A) and 1 (B) are cluster 1; rows 3 (A), 4, 5 (B) cluster 2.
    let by = &out.tables["by_country"];
    assert_eq!(by.columns, ["country", "cluster", "name", "count"]);
    assert_eq!(
        by.rows,
        vec![
            vec![json!("A"), json!(1), json!("Cluster 1"), json!(2)],
            vec![json!("A"), json!(2), json!("Big"), json!(1)],
            vec![json!("B"), json!(1), json!("Cluster 1"), json!(1)],
            vec![json!("B"), json!(2), json!("Big"), json!(2)],
        ]
    );
    let charts: Vec<&str> = out.charts.keys().map(String::as_str).collect();
    assert_eq!(
        charts,
        ["by_country", "elbow", "scatter", "silhouette", "sizes"]
    );
    assert_eq!(out.charts["scatter"].kind, crate::chart::ChartKind::Scatter);
    assert_eq!(out.tables["points"].len(), 6);
}

#[test]
fn same_input_gives_identical_output() {
    let a = run_on(
        blobs(),
        "table = \"t\"\nfeatures = [\"x\", \"y\"]\nk = 4\nseed = 7",
        Language::Id,
    )
    .expect("run");
    let b = run_on(
        blobs(),
        "table = \"t\"\nfeatures = [\"x\", \"y\"]\nk = 4\nseed = 7",
        Language::Id,
    )
    .expect("run");
    assert_eq!(a.result, b.result);
    assert_eq!(a.tables, b.tables);
    // Numbered by ascending first-feature centroid.
    let xs: Vec<f64> = a.tables["clusters"]
        .rows
        .iter()
        .map(|r| num(&r[4]))
        .collect();
    assert!(xs.windows(2).all(|w| w[0] <= w[1]), "{xs:?}");
    assert_eq!(a.result["by_number"]["1"]["name"], json!("Klaster 1"));
}

#[test]
fn level_aggregation_keys_the_points() {
    let df = polars::df!(
        "rep" => ["a", "a", "b", "c", "c", "d"],
        "amount" => [1.0, 2.0, 3.0, 20.0, 5.0, 30.0],
        "boxes" => [1.0, 1.0, 2.0, 4.0, 1.0, 6.0],
    )
    .expect("frame");
    let spec = r#"table = "t"
features = ["amount"]
derived = [{ name = "per_box", numerator = "amount", denominator = "boxes" }]
level = "rep"
k = 2"#;
    let out = run_on(df, spec, Language::En).expect("run");
    // Points: a (3, 1.5), b (3, 1.5), c (25, 5), d (30, 5).
    let points = &out.tables["points"];
    assert_eq!(
        points.columns,
        ["rep", "amount", "per_box", "cluster", "name"]
    );
    assert_eq!(points.rows[2][..3], [json!("c"), json!(25.0), json!(5.0)]);
    assert_eq!(out.result["points"], json!(4));
    let sizes: Vec<Value> = out.tables["clusters"]
        .rows
        .iter()
        .map(|r| r[2].clone())
        .collect();
    assert_eq!(sizes, vec![json!(2), json!(2)]);
}

#[test]
fn settings_errors_are_named() {
    let cases = [
        (
            "table = \"t\"\nfeatures = [\"amount\"]\nk = 1",
            "setting `k` is 1",
        ),
        (
            "table = \"t\"\nfeatures = [\"amount\"]\nk = 7",
            "only 6 points",
        ),
        (
            "table = \"t\"\nfeatures = [\"amount\"]\nk = 2\nrestarts = 3",
            "setting `restarts`",
        ),
        ("table = \"t\"\nk = 2", "setting `features`"),
        (
            "table = \"t\"\nfeatures = [\"country\"]\nk = 2",
            "not numeric",
        ),
        (
            "table = \"t\"\nfeatures = [\"amount\"]\nk = 2\nlabel_by = \"zz\"",
            "setting `label_by`",
        ),
        (
            "table = \"nope\"\nfeatures = [\"amount\"]\nk = 2",
            "table `nope`",
        ),
    ];
    for (spec, expected) in cases {
        let err = run_on(tiny(), spec, Language::En).expect_err(spec);
        assert!(err.message().contains(expected), "{spec}: {err}");
    }
}

#[test]
fn unknown_settings_are_rejected() {
    let err = toml::from_str::<KmeansSpec>("table = \"t\"\nk = 2\nclusters = 3").expect_err("typo");
    assert!(err.to_string().contains("unknown field"), "{err}");
}

#[test]
fn identical_points_do_not_panic() {
    // Every feature constant: all points scale to 0 and fall in cluster 1.
    let df = polars::df!("a" => [2.0, 2.0, 2.0], "b" => [1.0, 1.0, 1.0]).expect("frame");
    let out = run_on(
        df,
        "table = \"t\"\nfeatures = [\"a\", \"b\"]\nk = 2",
        Language::En,
    )
    .expect("run");
    assert_eq!(out.result["inertia"], json!(0.0));
    assert_eq!(out.result["silhouette"], Value::Null);
    assert_eq!(out.result["constant_features"], json!(["a", "b"]));
}
