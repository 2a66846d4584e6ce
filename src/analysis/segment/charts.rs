//! The built-in charts of a segment comparison, over its local tables, with
//! titles in the report's language (columns named by their display names).

use crate::chart::{ChartKind, ChartSpec, ValueFormat};
use crate::config::Language;
use crate::table::names::{display_name, in_sentence};
use std::collections::BTreeMap;

/// Pick the Indonesian or English text.
fn text(lang: Language, id: &str, en: &str) -> String {
    match lang {
        Language::Id => id.to_string(),
        Language::En => en.to_string(),
    }
}

fn chart(kind: ChartKind, table: &str, title: String, x: &str, y: Vec<String>) -> ChartSpec {
    ChartSpec {
        kind,
        table: table.to_string(),
        title: Some(title),
        x: Some(x.to_string()),
        y,
        ..ChartSpec::default()
    }
}

/// AOV, units per order and revenue share by segment.
pub(super) fn add_segment_charts(charts: &mut BTreeMap<String, ChartSpec>, lang: Language) {
    let one = |c: &str| vec![c.to_string()];
    let mut aov = chart(
        ChartKind::Bar,
        "segments",
        text(
            lang,
            "Rata-rata nilai pesanan (AOV) per segmen",
            "Average order value (AOV) by segment",
        ),
        "segment",
        one("aov"),
    );
    aov.format = ValueFormat::Money;
    charts.insert("aov".into(), aov);
    charts.insert(
        "units_per_order".into(),
        chart(
            ChartKind::Bar,
            "segments",
            text(
                lang,
                "Rata-rata unit per pesanan per segmen",
                "Units per order by segment",
            ),
            "segment",
            one("avg_qty"),
        ),
    );
    let mut share = chart(
        ChartKind::Donut,
        "segments",
        text(
            lang,
            "Porsi pendapatan per segmen",
            "Revenue share by segment",
        ),
        "segment",
        one("revenue_share"),
    );
    share.format = ValueFormat::Percent;
    charts.insert("revenue_share".into(), share);
}

/// A grouped bar (segments as series) over a wide mix table.
pub(super) fn mix_chart(table: &str, column: &str, labels: &[String], lang: Language) -> ChartSpec {
    let word = in_sentence(column, lang);
    let title = text(
        lang,
        &format!("Porsi unit per {word} dalam tiap segmen"),
        &format!("Share of units by {word} within each segment"),
    );
    let mut spec = chart(ChartKind::Bar, table, title, column, labels.to_vec());
    spec.format = ValueFormat::Percent;
    spec
}

/// A line per segment over the weekday or month mix table.
pub(super) fn time_mix_chart(table: &str, x: &str, labels: &[String], lang: Language) -> ChartSpec {
    let title = match x {
        "weekday" => text(
            lang,
            "Porsi unit per hari dalam tiap segmen",
            "Share of quantity by weekday within each segment",
        ),
        _ => text(
            lang,
            "Porsi unit per bulan dalam tiap segmen",
            "Share of quantity by month within each segment",
        ),
    };
    let mut spec = chart(ChartKind::Line, table, title, x, labels.to_vec());
    spec.format = ValueFormat::Percent;
    spec
}

/// Horizontal bars of the top-N values, one segment at a time. The title
/// counts them only when every segment has `n` (`full`): a segment with
/// fewer values would otherwise show fewer bars than the title says.
pub(super) fn top_chart(
    table: &str,
    column: &str,
    n: usize,
    full: bool,
    lang: Language,
) -> ChartSpec {
    let word = in_sentence(column, lang);
    let title = if full {
        text(
            lang,
            &format!("{n} {word} teratas menurut jumlah unit"),
            &format!("Top {n} {word} by units"),
        )
    } else {
        text(
            lang,
            &format!("{} teratas menurut jumlah unit", display_name(column, lang)),
            &format!("Top {word} values by units"),
        )
    };
    let mut spec = chart(ChartKind::Bar, table, title, "value", vec!["qty".into()]);
    spec.select = Some("segment".into());
    spec.horizontal = true;
    spec.x_label = Some(display_name(column, lang));
    spec
}
