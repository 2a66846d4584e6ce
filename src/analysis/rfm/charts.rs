//! The built-in charts of RFM, over its local tables, with titles in the
//! report's language: customers per segment (horizontal bars, room for
//! long segment names) and the R × F heatmap.

use crate::analysis::common::text;
use crate::chart::{ChartKind, ChartSpec};
use crate::config::Language;
use std::collections::BTreeMap;

/// `segment_sizes` (horizontal bar) and `rf_heatmap` (heatmap).
pub(super) fn add_charts(charts: &mut BTreeMap<String, ChartSpec>, lang: Language) {
    let sizes = ChartSpec {
        kind: ChartKind::Bar,
        table: "segments".into(),
        title: Some(text(
            lang,
            "Jumlah pelanggan per segmen RFM",
            "Customers by RFM segment",
        )),
        x: Some("segment".into()),
        y: vec!["customers".into()],
        horizontal: true,
        ..ChartSpec::default()
    };
    charts.insert("segment_sizes".into(), sizes);
    let heatmap = ChartSpec {
        kind: ChartKind::Heatmap,
        table: "rf_matrix".into(),
        title: Some(text(
            lang,
            "Pelanggan menurut skor Recency (R) dan Frequency (F)",
            "Customers by Recency (R) and Frequency (F) score",
        )),
        x: Some("f".into()),
        y: vec!["r".into()],
        z: Some("customers".into()),
        x_label: Some(text(lang, "Skor F", "F score")),
        y_label: Some(text(lang, "Skor R", "R score")),
        ..ChartSpec::default()
    };
    charts.insert("rf_heatmap".into(), heatmap);
}
