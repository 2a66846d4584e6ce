//! The built-in charts of a cohort analysis, over its local tables, with
//! titles in the report's language.

use crate::analysis::common::text;
use crate::chart::{ChartKind, ChartSpec, ValueFormat};
use crate::config::Language;
use std::collections::BTreeMap;

fn line(table: &str, title: String, x: &str, y: &[&str], format: ValueFormat) -> ChartSpec {
    ChartSpec {
        kind: ChartKind::Line,
        table: table.to_string(),
        title: Some(title),
        x: Some(x.to_string()),
        y: y.iter().map(|c| c.to_string()).collect(),
        format,
        ..ChartSpec::default()
    }
}

/// The retention heatmap and the monthly trend lines: `retention`,
/// `orders`, `revenue`, `aov`, `customers` (new vs active).
pub(super) fn add_trend_charts(charts: &mut BTreeMap<String, ChartSpec>, lang: Language) {
    let heatmap = ChartSpec {
        kind: ChartKind::Heatmap,
        table: "retention".into(),
        title: Some(text(
            lang,
            "Retensi per kohort (bulan sejak pesanan pertama)",
            "Retention by cohort (months since first order)",
        )),
        x: Some("month_index".into()),
        y: vec!["cohort".into()],
        z: Some("rate".into()),
        format: ValueFormat::Percent,
        x_label: Some(text(lang, "Bulan ke-", "Month")),
        range_exclude_x: vec!["0".into()],
        ..ChartSpec::default()
    };
    charts.insert("retention".into(), heatmap);
    let lines = [
        (
            "orders",
            "Pesanan per bulan",
            "Orders per month",
            ValueFormat::Number,
        ),
        (
            "revenue",
            "Pendapatan per bulan",
            "Revenue per month",
            ValueFormat::Money,
        ),
        (
            "aov",
            "Rata-rata nilai pesanan (AOV) per bulan",
            "Average order value (AOV) per month",
            ValueFormat::Money,
        ),
    ];
    for (column, id, en, format) in lines {
        let chart = line("trend", text(lang, id, en), "month", &[column], format);
        charts.insert(column.into(), chart);
    }
    let customers = line(
        "trend",
        text(
            lang,
            "Pelanggan baru dan aktif per bulan",
            "New and active customers per month",
        ),
        "month",
        &["new_customers", "active_customers"],
        ValueFormat::Number,
    );
    charts.insert("customers".into(), customers);
}

/// `product_monthly`: one product's monthly mean against the all-product
/// mean, the product picked from a dropdown.
pub(super) fn add_streak_chart(charts: &mut BTreeMap<String, ChartSpec>, lang: Language) {
    let mut chart = line(
        "product_monthly",
        text(
            lang,
            "Rata-rata nilai penjualan produk vs rata-rata semua produk",
            "Product mean sale amount vs the all-product mean",
        ),
        "month",
        &["mean_amount", "all_products_mean"],
        ValueFormat::Money,
    );
    chart.select = Some("product".into());
    charts.insert("product_monthly".into(), chart);
}
