//! Tests of the market basket analysis on five baskets worked out by hand.

use super::*;
use crate::analysis::AnalysisSpec;
use crate::config::Language;
use crate::data::Tables;
use crate::table::Table;
use polars::prelude::DataFrame;
use serde_json::{Value, json};

const BASE: &str = r#"
kind = "market_basket"
table = "lines"
order_id = "Order"
item = "Item"
"#;

fn parse(front_matter: &str) -> BasketSpec {
    match toml::from_str::<AnalysisSpec>(front_matter).unwrap() {
        AnalysisSpec::MarketBasket(s) => s,
        other => panic!("not a market basket spec: {other:?}"),
    }
}

/// Run `BASE` plus `extra` settings in English over `df` as table `lines`.
pub(super) fn run_with(df: DataFrame, extra: &str) -> Result<AnalysisOutput> {
    let tables: Tables = [("lines".to_string(), df)].into_iter().collect();
    let ctx = AnalysisContext {
        tables: &tables,
        language: Language::En,
    };
    run(&parse(&format!("{BASE}{extra}")), &ctx)
}

/// Five orders; T1 lists bread twice, the last two lines lack an item or
/// an order and are dropped (soap is only on the dropped line).
///
/// | order | items                          |
/// |-------|--------------------------------|
/// | T1    | bread, milk (bread twice)      |
/// | T2    | bread, diapers, beer, eggs     |
/// | T3    | milk, diapers, beer, cola      |
/// | T4    | bread, milk, diapers, beer     |
/// | T5    | bread, milk, diapers, cola     |
fn baskets() -> DataFrame {
    let lines = [
        ("T1", "bread"),
        ("T1", "milk"),
        ("T1", "bread"),
        ("T2", "bread"),
        ("T2", "diapers"),
        ("T2", "beer"),
        ("T2", "eggs"),
        ("T3", "milk"),
        ("T3", "diapers"),
        ("T3", "beer"),
        ("T3", "cola"),
        ("T4", "bread"),
        ("T4", "milk"),
        ("T4", "diapers"),
        ("T4", "beer"),
        ("T5", "bread"),
        ("T5", "milk"),
        ("T5", "diapers"),
        ("T5", "cola"),
    ];
    let mut orders: Vec<Option<&str>> = lines.iter().map(|l| Some(l.0)).collect();
    let mut items: Vec<Option<&str>> = lines.iter().map(|l| Some(l.1)).collect();
    orders.extend([Some("T6"), None]);
    items.extend([None, Some("soap")]);
    polars::df!("Order" => orders, "Item" => items).unwrap()
}

/// Settings of the hand-worked example: support >= 2 of 5 orders.
const HAND: &str = "min_support = 0.4\nmin_confidence = 0.6\n";

fn close(v: &Value, expected: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"));
    assert!(
        (got - expected).abs() < 1e-12,
        "got {got}, expected {expected}"
    );
}

/// The row of `table` whose `column` holds `key`.
fn row<'a>(table: &'a Table, column: &str, key: &str) -> &'a [Value] {
    let i = table.column_index(column).unwrap();
    let found = table.rows.iter().find(|r| r[i] == json!(key));
    found.unwrap_or_else(|| panic!("no {column} = {key}"))
}

fn rule<'a>(out: &'a AnalysisOutput, rule: &str) -> &'a [Value] {
    row(&out.tables["rules"], "rule", rule)
}

#[test]
fn front_matter_defaults() {
    let s = parse(BASE);
    assert_eq!(
        (s.min_support, s.min_confidence, s.max_len, s.together_n),
        (0.01, 0.2, 3, 5)
    );
    assert!(toml::from_str::<AnalysisSpec>(&format!("{BASE}min_suport = 0.1")).is_err());
}

/// Item counts: bread 4, milk 4, diapers 4, beer 3, cola 2, eggs 1 (pruned:
/// 1/5 < 0.4). Pairs with 2+ orders: beer+bread 2, beer+diapers 3,
/// beer+milk 2, bread+diapers 3, bread+milk 3, cola+diapers 2, cola+milk 2,
/// diapers+milk 3 (beer+cola and bread+cola have 1). Triples with 2+:
/// beer+bread+diapers (T2, T4), beer+diapers+milk (T3, T4),
/// bread+diapers+milk (T4, T5), cola+diapers+milk (T3, T5); beer+bread+milk
/// has only T4. 5 + 8 + 4 = 17 itemsets.
#[test]
fn itemsets_match_hand_counts() {
    let out = run_with(baskets(), HAND).unwrap();
    let r = &out.result;
    assert_eq!(r["transactions"], json!(5));
    assert_eq!(r["items"], json!(6));
    assert_eq!(r["frequent_items"], json!(5));
    assert_eq!(r["itemsets"], json!(17));
    assert_eq!(r["dropped_missing_item"], json!(1));
    assert_eq!(r["dropped_missing_order_id"], json!(1));
    let t = &out.tables["itemsets"];
    // Length, then support high first, then name.
    let first: Vec<&Value> = t.rows.iter().take(6).map(|r| &r[0]).collect();
    assert_eq!(
        first,
        [
            &json!("bread"),
            &json!("diapers"),
            &json!("milk"),
            &json!("beer"),
            &json!("cola"),
            &json!("beer + diapers")
        ]
    );
    // bread is in T1 once although listed twice: 4 of 5.
    let bread = row(t, "itemset", "bread");
    assert_eq!((&bread[1], &bread[3]), (&json!(1), &json!(4)));
    close(&bread[2], 0.8);
    let triple = row(t, "itemset", "cola + diapers + milk");
    assert_eq!((&triple[1], &triple[3]), (&json!(3), &json!(2)));
    assert!(t.rows.iter().all(|r| r[0] != json!("beer + bread + milk")));
}

/// 27 rules reach confidence 0.6: 12 from pairs (beer->bread 2/3,
/// beer->diapers 1, diapers->beer 3/4, beer->milk 2/3, bread<->diapers,
/// bread<->milk, diapers<->milk 3/4, cola->diapers 1, cola->milk 1) and 15
/// from triples (4 + 4 + 3 + 4: every split with confidence 2/3 or 1).
#[test]
fn rule_metrics_match_hand_computed_values() {
    let out = run_with(baskets(), HAND).unwrap();
    assert_eq!(out.result["rules"], json!(27));
    // cola -> diapers + milk: sAC 0.4, sA 0.4, sC 0.6. Confidence 1, lift
    // 1/0.6, leverage 0.4 - 0.4*0.6 = 0.16, conviction infinite.
    let r = rule(&out, "cola → diapers + milk");
    close(&r[6], 1.0);
    close(&r[7], 1.0 / 0.6);
    close(&r[8], 0.16);
    assert_eq!((&r[9], &r[10]), (&Value::Null, &json!(true)));
    // diapers -> beer: sAC 0.6, sA 0.8, sC 0.6. Confidence 0.75, lift
    // 1.25, leverage 0.6 - 0.48 = 0.12, conviction 0.4/0.25 = 1.6.
    let r = rule(&out, "diapers → beer");
    close(&r[3], 0.8);
    close(&r[4], 0.6);
    close(&r[5], 0.6);
    close(&r[6], 0.75);
    close(&r[7], 1.25);
    close(&r[8], 0.12);
    close(&r[9], 1.6);
    assert_eq!(r[10], json!(false));
    // bread -> milk: sAC 0.6, sA = sC = 0.8: confidence 0.75, lift
    // 0.9375, leverage 0.6 - 0.64 = -0.04, conviction 0.2/0.25 = 0.8.
    let r = rule(&out, "bread → milk");
    close(&r[7], 0.9375);
    close(&r[8], -0.04);
    close(&r[9], 0.8);
    // milk -> cola has confidence 0.4/0.8 = 0.5 < 0.6: left out.
    assert!(
        out.tables["rules"]
            .rows
            .iter()
            .all(|r| r[0] != json!("milk → cola"))
    );
}

#[test]
fn rules_sort_by_lift_then_confidence_then_names() {
    let out = run_with(baskets(), HAND).unwrap();
    let names: Vec<&Value> = out.tables["rules"]
        .rows
        .iter()
        .take(5)
        .map(|r| &r[0])
        .collect();
    // Lift 5/3: confidence 1 before 2/3. Then lift 1.25 with confidence 1,
    // by antecedent: beer < beer + bread < beer + milk.
    assert_eq!(
        names,
        [
            &json!("cola → diapers + milk"),
            &json!("diapers + milk → cola"),
            &json!("beer → diapers"),
            &json!("beer + bread → diapers"),
            &json!("beer + milk → diapers")
        ]
    );
    assert_eq!(
        out.result["top_rules"][0]["rule"],
        json!("cola → diapers + milk")
    );
}

#[test]
fn together_lists_top_consequents_per_item() {
    let out = run_with(baskets(), &format!("{HAND}together_n = 2")).unwrap();
    let t = &out.tables["together"];
    let cola: Vec<(&Value, &Value)> = t
        .rows
        .iter()
        .filter(|r| r[0] == json!("cola"))
        .map(|r| (&r[1], &r[2]))
        .collect();
    // cola -> diapers + milk (lift 5/3), then cola -> diapers and cola ->
    // milk (both lift 1.25, confidence 1; diapers first by name).
    assert_eq!(
        cola,
        [
            (&json!(1), &json!("diapers + milk")),
            (&json!(2), &json!("diapers"))
        ]
    );
    // Items come in name order: beer first.
    assert_eq!(t.rows[0][0], json!("beer"));
}

#[test]
fn max_len_limits_itemsets_and_charts_use_local_tables() {
    // Pairs only: 5 + 8 itemsets.
    let out = run_with(baskets(), &format!("{HAND}max_len = 2")).unwrap();
    assert_eq!(out.result["itemsets"], json!(13));
    let out = run_with(baskets(), &format!("{HAND}max_len = 1")).unwrap();
    assert_eq!(out.result["rules"], json!(0));
    assert!(out.tables["rules"].is_empty());
    for (name, chart) in &out.charts {
        assert!(out.tables.contains_key(&chart.table), "{name}");
    }
    assert_eq!(out.charts["rules_graph"].limit, Some(30));
    assert_eq!(out.charts["rules_graph"].z.as_deref(), Some("lift"));
}

#[test]
fn errors_name_the_setting() {
    let err = |df: DataFrame, extra: &str| run_with(df, extra).unwrap_err().to_string();
    let e = err(baskets(), "min_support = 0");
    assert!(e.contains("`min_support` = 0 is not in (0, 1]"), "{e}");
    let e = err(baskets(), "min_confidence = 1.5");
    assert!(e.contains("`min_confidence`"), "{e}");
    let e = err(baskets(), "max_len = 0");
    assert!(e.contains("`max_len`"), "{e}");
    let e = err(baskets().drop("Item").unwrap(), "");
    assert!(e.contains("`Item` (setting `item`) does not exist"), "{e}");
    let no_items = polars::df!("Order" => ["a", "b"], "Item" => [None::<&str>, None]).unwrap();
    let e = err(no_items, "");
    assert!(e.contains("no transactions"), "{e}");
}

#[test]
fn nothing_frequent_gives_empty_tables() {
    // Every item is in 1 of 2 orders = 0.5 < 0.6.
    let df = polars::df!("Order" => ["a", "b"], "Item" => ["x", "y"]).unwrap();
    let out = run_with(df, "min_support = 0.6").unwrap();
    assert_eq!(out.result["itemsets"], json!(0));
    assert!(out.tables["itemsets"].is_empty() && out.tables["together"].is_empty());
}
